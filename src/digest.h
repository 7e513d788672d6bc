/*
 * digest: the night digest. At the times [digest] times names (and at
 * each [shift] times boundary when it says "shift"), mcrd writes the
 * handover report of the hours since the previous digest time into the
 * shift log (a "digest" event: one sentence, the full text in its data),
 * and, when configured, to a file and through a mail command such as
 * `sendmail -t`, so an unattended night leaves a readable trail.
 */
#ifndef MCR_DIGEST_H
#define MCR_DIGEST_H

#include <stddef.h>
#include <stdint.h>

struct shiftlog;
struct config;

/* Writes every digest due at now (a slot is due for an hour after its
 * time, once: the shift log remembers it). Cheap when nothing is due;
 * mcrd calls it from its timer. Returns how many it wrote, or -1 with one
 * sentence in err (the others are still tried). */
int digest_run_due(struct shiftlog *sl, const struct config *cfg,
    int64_t now, char *err, size_t errlen);
/* Writes the digest of slot (local "YYYY-MM-DDTHH:MM") for [since, until)
 * now, as digest_run_due does. Returns 0, 1 when it was already written,
 * or -1 with err set. */
int digest_write(struct shiftlog *sl, const struct config *cfg,
    const char *slot, int64_t since, int64_t until, char *err,
    size_t errlen);

#endif
