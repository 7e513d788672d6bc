/*
 * clamd: a client for ClamAV's daemon, for an ingest that scans through
 * clamd's socket instead of loading the signatures itself. It speaks
 * clamd's null-terminated command protocol: PING, and INSTREAM (the file's
 * bytes in chunks, each after its length as 4 big-endian bytes, then a
 * zero length), over a local socket or TCP on the loopback interface.
 */
#ifndef MCR_INGEST_CLAMD_H
#define MCR_INGEST_CLAMD_H

#include <stddef.h>

/* Checks where: an absolute path (a local socket) or HOST:PORT with HOST
 * 127.0.0.1, ::1 (as [::1]) or localhost. Returns 0, or -1 with one
 * sentence in err. */
int clamd_check_address(const char *where, char *err, size_t errlen);
/* PING; 0 when clamd answered PONG, else -1 with one sentence. */
int clamd_ping(const char *where, char *err, size_t errlen);
/* Streams path to clamd. Returns 0 when clean, 1 when infected (the
 * signature's name in sig), -1 when it could not scan (one sentence in
 * err). */
int clamd_scan(const char *where, const char *path, char *sig, size_t siglen,
    char *err, size_t errlen);

#endif
