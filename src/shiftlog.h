/*
 * shiftlog: the shift log, one SQLite file that holds all of mcr's state.
 * This is the only module that includes sqlite3.h. It opens the file in
 * WAL mode with a busy timeout and foreign keys, brings its schema forward
 * with the migrations in shiftlog.c (never backward), and appends events to
 * the tamper-evident audit trail.
 *
 * The audit chain: every event row carries hash = SHA-256(previous row's
 * hash || canonical(row)), the first row chaining to 32 zero bytes. The
 * canonical form is the row's fields in the order id, time, user, host,
 * ssh_client, kind, severity, job_id, subject, message, data, each written
 * as 0x00 (NULL), 0x01 + 8-byte big-endian integer, or 0x02 + 4-byte
 * big-endian length + UTF-8 bytes. mcr.1 documents the same, so a log can
 * be audited without mcr.
 */
#ifndef MCR_SHIFTLOG_H
#define MCR_SHIFTLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shiftlog;
struct identity;

enum shiftlog_rc {
	SHIFTLOG_OK = 0,
	SHIFTLOG_ERR = -1,	/* anything else; see shiftlog_errmsg() */
	SHIFTLOG_BUSY = -2,	/* another writer held the lock too long */
	SHIFTLOG_INVALID = -3,	/* the caller's input was refused */
};

struct shiftlog_opts {
	bool read_only;		/* never write; refuse an older schema */
	bool create_dir;	/* create the folder of a new shift log */
	int busy_timeout_ms;
	int target_version;	/* 0: the latest; tests migrate step by step */
};

/* One audit-trail event. Strings may be NULL where the column allows it.
 * Rows handed to a callback point into SQLite's memory and are valid only
 * during the call. */
struct shiftlog_event {
	int64_t id;
	int64_t time;		/* microseconds since the epoch, UTC */
	const char *user;
	const char *host;
	const char *ssh_client;
	const char *kind;	/* "note", "job.queued", "shiftlog.created", ... */
	const char *severity;	/* one of shiftlog_severities */
	int64_t job_id;		/* 0: none */
	const char *subject;
	const char *message;
	const char *data;	/* a JSON document, or NULL */
};

struct shiftlog_filter {
	int64_t since;		/* inclusive; INT64_MIN: no bound */
	int64_t until;		/* exclusive; INT64_MAX: no bound */
	const char *kind;	/* "job" matches job and job.*; NULL: any */
	const char *user;
	const char *grep;	/* case-insensitive substring of subject or
				 * message */
	int64_t limit;		/* keep the newest N; 0: no limit */
};

#define SHIFTLOG_JOB_STATES 7
extern const char *const shiftlog_job_states[SHIFTLOG_JOB_STATES];
extern const char *const shiftlog_severities[];	/* NULL-terminated */

struct shiftlog_status {
	int schema_version;
	int64_t jobs[SHIFTLOG_JOB_STATES];	/* by shiftlog_job_states */
	int64_t last_event_id;			/* 0: no events */
};

struct shiftlog_verify {
	int64_t checked;	/* rows whose hash was recomputed */
	int64_t first_bad;	/* id of the first bad row; 0 if none */
	char problem[320];	/* one sentence when broken */
	bool triggers_missing;	/* the append-only triggers are gone */
	int64_t head_id;	/* last row and its hash, when intact */
	uint8_t head[32];
};

/* The schema version this build writes. */
int shiftlog_latest_version(void);

/* Opens (creating when missing and not read-only) the shift log at path
 * and migrates it. On failure returns a negative shiftlog_rc with one
 * sentence in err, and *out is NULL. */
int shiftlog_open(const char *path, const struct shiftlog_opts *opts,
    struct shiftlog **out, char *err, size_t errlen);
void shiftlog_close(struct shiftlog *sl);
/* The message of the last failed call on sl. */
const char *shiftlog_errmsg(const struct shiftlog *sl);
const char *shiftlog_path(const struct shiftlog *sl);
int shiftlog_version(const struct shiftlog *sl);
/* Who appended events are attributed to when they leave user/host NULL.
 * Defaults to identity_get() at open. */
void shiftlog_set_identity(struct shiftlog *sl, const struct identity *id);

/* Appends n events in one transaction, chaining their hashes. Fields left
 * 0 or NULL take defaults: time now, the identity, severity "info". Sets
 * each ev[i].id. Returns 0 or a negative shiftlog_rc. */
int shiftlog_append(struct shiftlog *sl, struct shiftlog_event *ev, size_t n);
/* Records an operator's note (and its "note" event) in one transaction;
 * text must be non-blank UTF-8. Returns 0 or a negative shiftlog_rc. */
int shiftlog_note(struct shiftlog *sl, const char *text, int64_t job_id,
    int64_t *note_id);

/* Calls cb for each matching event, oldest first; a nonzero return from cb
 * stops the walk and is returned. Otherwise returns 0 or a negative rc. */
int shiftlog_events(struct shiftlog *sl, const struct shiftlog_filter *f,
    int (*cb)(const struct shiftlog_event *, void *), void *arg);
int shiftlog_status(struct shiftlog *sl, struct shiftlog_status *st);
/* Walks the hash chain. Returns 0 when intact, 1 when broken (v says
 * where and how), or a negative rc when it could not be read. */
int shiftlog_verify(struct shiftlog *sl, struct shiftlog_verify *v);

#endif
