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
	bool must_exist;	/* refuse to create a new shift log */
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
	const char *grep;	/* words (or word beginnings) of subject or
				 * message, any case, through the full-text
				 * index; text with no word: a substring */
	const char *match;	/* an FTS5 query over subject and message */
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
/* Brings the full-text index up to the newest event, at most max_rows
 * events at a time (0: all), in a write transaction of its own; mcrd
 * calls it each tick, since appends do not index. *indexed (may be NULL)
 * says how many it indexed. Returns 0 or a negative rc. */
int shiftlog_fts_catch_up(struct shiftlog *sl, int64_t max_rows,
    int64_t *indexed);
int shiftlog_status(struct shiftlog *sl, struct shiftlog_status *st);
/* Walks the hash chain. Returns 0 when intact, 1 when broken (v says
 * where and how), or a negative rc when it could not be read. */
int shiftlog_verify(struct shiftlog *sl, struct shiftlog_verify *v);

/* --- jobs (shiftlog-jobs.c) --- */

/* A job row. Strings point into SQLite's memory during a callback. */
struct shiftlog_job {
	int64_t id;
	const char *kind;
	const char *state;
	int64_t priority;
	const char *params;		/* JSON object */
	const char *subject;
	const char *requested_by;
	const char *requested_host;
	int64_t created, started, finished;	/* µs; 0: not yet */
	double progress;		/* 0..1; < 0: unknown */
	double rate;			/* < 0: unknown */
	const char *rate_unit;
	int64_t eta;			/* seconds; < 0: unknown */
	const char *progress_subject;
	int64_t attempts;
	const char *error;
	const char *result;		/* JSON, or NULL */
	int64_t timeout_ms;		/* 0: none */
	int64_t not_before;		/* µs; 0: now */
	int64_t pid, pid_start;		/* the worker, while running */
	const char *after;		/* "3,4": dependencies, or NULL */
	int64_t deps_pending;		/* dependencies not done yet */
	int64_t dep_dead;		/* a dependency that failed, was
					 * cancelled or interrupted; 0: none */
	const char *dep_dead_state;
};

struct shiftlog_job_filter {
	int64_t id;		/* 0: any */
	const char *state;	/* NULL: any */
	const char *kind;	/* "storage" matches storage.*; NULL: any */
	bool active;		/* only queued, running and paused */
	bool runnable;		/* only queued jobs whose time has come and
				 * whose dependencies are done or dead, in
				 * scheduling order: priority, then age */
	int64_t limit;		/* the newest N; 0: all */
};

struct shiftlog_submit {
	const char *kind;
	const char *params;	/* JSON object; NULL: {} */
	const char *subject;	/* NULL: none */
	int64_t priority;
	const int64_t *after;	/* dependencies */
	size_t nafter;
	int64_t timeout_ms;	/* 0: the kind's default */
};

struct shiftlog_request {
	int64_t id;
	int64_t job_id;
	const char *action;	/* cancel pause resume retry priority */
	int64_t value;		/* the new priority */
	const char *user;
};

/* Queues a job and its job.queued event. Refuses dependencies that do not
 * exist. Returns 0 with *id set, or a negative rc. */
int shiftlog_job_submit(struct shiftlog *sl, const struct shiftlog_submit *s,
    int64_t *id);
/* Calls cb for each matching job, oldest first (runnable: in scheduling
 * order). cb's nonzero return stops the walk and is returned. */
int shiftlog_jobs(struct shiftlog *sl, const struct shiftlog_job_filter *f,
    int (*cb)(const struct shiftlog_job *, void *), void *arg);
enum shiftlog_job_order {
	SHIFTLOG_JOBS_NEWEST,
	SHIFTLOG_JOBS_PRIORITY,	/* highest first, then newest */
	SHIFTLOG_JOBS_STATE,	/* by state name, then newest */
	SHIFTLOG_JOBS_KIND,	/* by kind, then newest */
};
/* The ids of every job whose kind, state, subject, requester or error
 * contains text (ASCII case-insensitive; NULL or "" for all, a number
 * also matches that job's id), in order: a new array in *ids. This is
 * what a list of 100,000 jobs keeps in memory; rows are read a screenful
 * at a time with shiftlog_jobs_by_id(). */
int shiftlog_job_ids(struct shiftlog *sl, const char *text,
    enum shiftlog_job_order order, int64_t **ids, size_t *n);
/* The jobs with these ids, in that order (ids that are gone are
 * skipped). */
int shiftlog_jobs_by_id(struct shiftlog *sl, const int64_t *ids, size_t n,
    int (*cb)(const struct shiftlog_job *, void *), void *arg);
/* A mark that changes whenever a job is queued or changes state (the
 * newest event's id): the job list needs re-reading only then. */
int shiftlog_jobs_mark(struct shiftlog *sl, int64_t *mark);
/* Records an operator's request for mcrd (cancel, pause, ...), with an
 * event. Returns 0 or a negative rc. */
int shiftlog_job_request(struct shiftlog *sl, int64_t job,
    const char *action, int64_t value, int64_t *request_id);
/* 1 when mcrd has handled the request (its outcome copied to outcome),
 * 0 when it is still pending, or a negative rc. */
int shiftlog_request_outcome(struct shiftlog *sl, int64_t id, char *outcome,
    size_t size);
int shiftlog_requests_pending(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_request *, void *), void *arg);
int shiftlog_request_handled(struct shiftlog *sl, int64_t id,
    const char *outcome);

/* What mcrd, the only writer of job state, records. Each appends the
 * matching job.* event; all join an open shiftlog_begin() transaction. */
int shiftlog_job_started(struct shiftlog *sl, int64_t id, int64_t attempt,
    int64_t pid, int64_t pid_start);
int shiftlog_job_progress(struct shiftlog *sl, int64_t id, double fraction,
    double rate, const char *unit, int64_t eta, const char *subject);
/* state: done, failed, cancelled. message: one sentence (the error). */
int shiftlog_job_finished(struct shiftlog *sl, int64_t id, const char *state,
    const char *message, const char *result);
/* Any other transition: paused, running (resumed), queued (retry, with
 * not_before), interrupted. */
int shiftlog_job_transition(struct shiftlog *sl, int64_t id,
    const char *state, const char *message, int64_t not_before);
int shiftlog_job_set_priority(struct shiftlog *sl, int64_t id,
    int64_t priority);
/* An event about a job (a plugin's, or mcrd's own). */
int shiftlog_job_event(struct shiftlog *sl, int64_t job, const char *severity,
    const char *kind, const char *subject, const char *message);
int shiftlog_meter(struct shiftlog *sl, int64_t job, const char *name,
    double value, const char *unit);
int shiftlog_finding(struct shiftlog *sl, int64_t job, const char *severity,
    const char *code, const char *position, const char *message);
int shiftlog_sample(struct shiftlog *sl, int64_t job, const char *series,
    const char *key, const char *data);
/* A plugin's persistent state as a JSON object (new string). */
char *shiftlog_plugin_state(struct shiftlog *sl, const char *plugin);
int shiftlog_plugin_state_set(struct shiftlog *sl, const char *plugin,
    const char *key, const char *value);

/* A plugin's structured row (host->record): filed into the type's own
 * table when it has one, else into the generic records table. */
int shiftlog_record(struct shiftlog *sl, int64_t job, const char *type,
    const char *data);
/* The id of the row the last successful INSERT on this handle made (a
 * generic record's, after shiftlog_record()). */
int64_t shiftlog_last_row_id(struct shiftlog *sl);
/* The generic rows of type, of one job (or all when job is 0), oldest
 * first; cb returns nonzero to stop, and that value is returned. */
int shiftlog_records(struct shiftlog *sl, const char *type, int64_t job,
    int (*cb)(int64_t id, int64_t job, int64_t time, const char *data,
    void *arg), void *arg);
/* A media catalogue row, as lookups by name return it; strings are valid
 * during the callback only. frames and drop_frame are -1, duration < 0,
 * when unknown. */
struct shiftlog_media_row {
	int64_t id;
	const char *path, *name, *clip, *reel, *rate, *tc_start;
	const char *hashes;	/* the JSON object, as stored */
	const char *state;
	int64_t size, frames;
	double duration;
	int drop_frame;
};
enum shiftlog_media_by {
	SHIFTLOG_MEDIA_BY_NAME,	/* the file name */
	SHIFTLOG_MEDIA_BY_CLIP,	/* the clip name, else the file name or stem */
	SHIFTLOG_MEDIA_BY_REEL,	/* the reel, else as BY_CLIP */
};
/* Lookups by name keep their statements prepared: make a matcher, look up
 * as often as needed, free it before the shift log is closed. */
struct shiftlog_media_matcher;
struct shiftlog_media_matcher *shiftlog_media_matcher(struct shiftlog *sl);
void shiftlog_media_matcher_free(struct shiftlog_media_matcher *m);
/* The frames a lookup by reel is for: [first, end) at rate ("25/1") and
 * drop_frame, and the frames in a day at that rate. */
struct shiftlog_media_at {
	const char *rate;
	int drop_frame;
	int64_t first, end, frames_per_day;
};
/* Every catalogued row matching key (the first way of matching that
 * finds any); a reel lookup with at (may be NULL) leaves out the rows at
 * that rate whose timecode cannot hold those frames. cb returns nonzero
 * to stop, and that value is returned. */
int shiftlog_media_match(struct shiftlog_media_matcher *m,
    enum shiftlog_media_by by, const char *key,
    const struct shiftlog_media_at *at,
    int (*cb)(const struct shiftlog_media_row *, void *), void *arg);
/* The newest sample of each key of series: cb(key, time, data JSON). */
int shiftlog_samples_latest(struct shiftlog *sl, const char *series,
    int (*cb)(const char *key, int64_t time, const char *data, void *arg),
    void *arg);

struct shiftlog_meter {
	int64_t job_id;
	const char *kind;	/* the job's */
	const char *subject;	/* the job's */
	const char *name;
	double value;
	const char *unit;
	int64_t time;
};
/* The live meters of running and paused jobs, by job then name. */
int shiftlog_meters(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_meter *, void *), void *arg);

/* --- storage (shiftlog-storage.c) --- */

/* One folder of a scanned volume: path is relative to the volume's root
 * ("" for the root itself); sizes cover the whole subtree. */
struct shiftlog_dir {
	const char *volume;
	const char *path;
	int64_t bytes, disk, files, dirs;
	int64_t own_bytes, own_files;
	int64_t mtime, updated;		/* µs */
};
/* The folder itself (cb called once) then, with children set, its
 * subfolders largest first; returns 0, 1 when the folder was never
 * scanned, or a negative rc. */
int shiftlog_storage_dir(struct shiftlog *sl, const char *volume,
    const char *path, bool children,
    int (*cb)(const struct shiftlog_dir *, void *), void *arg);

struct shiftlog_scan {
	const char *volume;
	const char *root;
	int64_t job_id, time;
	bool full;
	double seconds;
	int64_t bytes, disk, files, dirs, dirs_read, stats, changed, gone;
};
/* The newest scan of each volume. */
int shiftlog_storage_scans(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_scan *, void *), void *arg);

struct shiftlog_owner {
	const char *volume, *client, *production, *path;
	int64_t bytes, files, updated;
};
/* Usage by client and production, from the newest scan of each volume,
 * by client then volume then production. */
int shiftlog_storage_owners(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_owner *, void *), void *arg);

/* The newest storage.volume sample of volume: 0 with *time and *data (a
 * JSON object; free it) set, 1 when it has none, or a negative rc. */
int shiftlog_storage_latest(struct shiftlog *sl, const char *volume,
    int64_t *time, char **data);
/* The growth of a volume's used bytes over its storage.volume samples of
 * the last `window` µs, by least squares, in bytes a day; *n the number
 * of samples fitted (fewer than 2: no estimate, *per_day 0): the first of
 * each 1/42nd of the window (every 4 hours over a week). */
int shiftlog_storage_growth(struct shiftlog *sl, const char *volume,
    int64_t window, int64_t now, double *per_day, int64_t *n);

/* A deletion: content moved to a volume's quarantine. */
struct shiftlog_deletion {
	int64_t id, time;
	const char *path, *volume, *quarantine;
	int64_t bytes, files;
	const char *reason, *requested_by, *authorised_by;
	int64_t copies;			/* < 0: not checked (override) */
	bool override;
	int64_t expires;
	const char *state;		/* quarantined restored purged */
	int64_t restored, purged;
	const char *restored_by;
};
/* Inside shiftlog_begin(): adds the row (with id, state and time set by
 * the shift log) and its storage.delete event; *id is its number. */
int shiftlog_deletion_add(struct shiftlog *sl, const struct shiftlog_deletion *d,
    const char *message, int64_t *id);
/* The deletion id (0: all, newest last; or those of path when path is
 * not NULL). */
int shiftlog_deletions(struct shiftlog *sl, int64_t id, const char *path,
    int (*cb)(const struct shiftlog_deletion *, void *), void *arg);
/* Inside shiftlog_begin(): marks deletion id restored, puts its media
 * back online and records the storage.undelete event. */
int shiftlog_deletion_restored(struct shiftlog *sl, int64_t id,
    const char *message);

/* A verified copy on an archive volume (storage.archive). */
struct shiftlog_archive_copy {
	int64_t id, media_id;		/* media_id 0: none */
	const char *source, *source_volume;
	const char *path, *volume, *root, *mhl;
	int64_t size, mtime;
	const char *xxh128, *hashes;	/* hashes: a JSON object */
	int64_t verified;
	const char *state;		/* online damaged */
};
/* The archive copies of catalogue row media_id (> 0); else of what was
 * archived from path or under it, or when nothing was, of the archive
 * copies at or under path. By source, the online and newest first. */
int shiftlog_archive_copies(struct shiftlog *sl, int64_t media_id,
    const char *path, int (*cb)(const struct shiftlog_archive_copy *, void *),
    void *arg);

/* How many verified copies of the catalogued file on other volumes than
 * volume the catalogue knows (same xxh128 in media.hashes, verified set,
 * online; or an online archive copy with that xxh128). *catalogued is false when the catalogue has no row with an
 * xxh128 for file. */
int shiftlog_media_copies(struct shiftlog *sl, const char *file,
    const char *volume, int64_t *copies, bool *catalogued);
/* Inside shiftlog_begin(): sets the catalogue state of the media at or
 * under path. */
int shiftlog_media_state_under(struct shiftlog *sl, const char *path,
    const char *state);
/* The first active (queued, running, paused) job whose parameters or
 * subject name path, a folder above it or a path under it; 0 when none. */
int shiftlog_path_in_use(struct shiftlog *sl, const char *path, int64_t *job,
    char *kind, size_t kindlen);

/* Copies the shift log, while others write to it, to dest with SQLite's
 * online backup, through a temporary file renamed into place only once
 * the copy has been reopened and its hash chain verified up to the same
 * event as the live log. Fills the result; returns 0, 1 when the copy did
 * not verify (nothing left at dest), or a negative rc. */
struct shiftlog_backup_result {
	int64_t pages, bytes, events;	/* copied */
	int64_t head_id;		/* the last event in the copy */
	double seconds;
	char problem[320];		/* when it did not verify */
};
int shiftlog_backup(struct shiftlog *sl, const char *dest,
    struct shiftlog_backup_result *r);

/* A write transaction around many of the calls above. */
int shiftlog_begin(struct shiftlog *sl);
int shiftlog_end(struct shiftlog *sl, int rc);
/* PRAGMA data_version: changes when another connection committed. */
int shiftlog_data_version(struct shiftlog *sl, int64_t *version);
/* A file descriptor that becomes readable when any connection writes to
 * the shift log (an inotify watch on its WAL), so a waiter need not poll
 * often; -1 when there is none to be had (then poll). It only says "look
 * again": shiftlog_data_version() says whether anything changed. Close it
 * with close(). */
int shiftlog_watch(struct shiftlog *sl);
/* Reads what woke fd: 1 if the log was written since, 0 if not, -1 if
 * the watch is gone (poll from then on). */
int shiftlog_watch_drain(int fd);
/* The writes that wake a watch come before the commit, which shows only
 * once the writer has synced the WAL: a waiter looks again after each
 * wake. The delay before the next look, after one of prev_ms (0: the
 * wake itself): 1, 2, 4 ... 64 ms, then 0 (no more looks). */
int shiftlog_settle_next(int prev_ms);

/* --- the media catalogue (shiftlog-media.c) --- */

/* A catalogue row; strings point into SQLite's memory during the call,
 * NULL where the column is NULL. */
struct shiftlog_media {
	int64_t id;
	const char *path, *volume, *name;
	int64_t size, mtime, catalogued, verified, job_id;	/* µs */
	const char *source, *client, *production, *reel, *clip;
	const char *hashes;	/* JSON object */
	const char *container, *video_codec;
	int64_t width, height;
	const char *rate, *scan;
	double duration;	/* < 0: unknown */
	int64_t frames;		/* < 0: unknown */
	const char *tc_start;
	int64_t drop_frame;
	const char *audio_codec;
	int64_t audio_channels;
	const char *audio_layout, *state, *meta;
};

/* What to list; NULL or 0 fields do not filter. */
struct shiftlog_media_filter {
	const char *client, *production, *reel, *volume, *state;
	const char *name;	/* a file name, or a glob ("A001*") */
	const char *hash;	/* any algorithm's value */
	const char *under;	/* a path prefix (a folder) */
	int64_t job;
	int64_t limit;		/* the newest N; 0: all */
};

/* Calls cb for each matching row, by path; cb's nonzero return stops the
 * walk and is returned, else 0 or a negative rc. */
int shiftlog_media(struct shiftlog *sl, const struct shiftlog_media_filter *f,
    int (*cb)(const struct shiftlog_media *, void *), void *arg);
/* Sets the state (online, missing, ...) of the row at path; 0, or 1 when
 * no row has that path, or a negative rc. */
int shiftlog_media_set_state(struct shiftlog *sl, const char *path,
    const char *state);
/* What a watch folder handed on: 1 when path with this size and mtime was
 * seen already, 0 when not, or a negative rc. */
int shiftlog_watch_seen(struct shiftlog *sl, const char *watch,
    const char *path, int64_t size, int64_t mtime);
int shiftlog_watch_mark(struct shiftlog *sl, const char *watch,
    const char *path, int64_t size, int64_t mtime, int64_t job);
/* --- shifts, notes, incidents, handovers, digests (shiftlog-handover.c) --- */

struct shiftlog_shift {
	int64_t id;		/* 0: none */
	char operator[64];
	char host[256];
	int64_t started, ended;	/* µs; ended 0: still open */
};

/* Opens a shift for operator (NULL: the Unix user), ending the shift that
 * is still open (filled into *ended when not NULL; id 0 when none). */
int shiftlog_shift_start(struct shiftlog *sl, const char *operator,
    struct shiftlog_shift *started, struct shiftlog_shift *ended);
/* Ends the open shift (SHIFTLOG_INVALID when none is open). */
int shiftlog_shift_end(struct shiftlog *sl, struct shiftlog_shift *ended);
/* The open shift, or else the newest one: 1 with *s filled, 0 when the
 * log has no shift, or a negative rc. */
int shiftlog_shift_current(struct shiftlog *sl, struct shiftlog_shift *s);

/* What a note links to: type job|media|asset|delivery|incident and a
 * reference (a number, a path or an asset's label). */
struct shiftlog_note_link {
	const char *type;
	const char *ref;
};
/* A note as shiftlog_note() records it, flagged for the handover and
 * linked; jobs, media and incidents must exist. */
int shiftlog_note_add(struct shiftlog *sl, const char *text, bool handover,
    const struct shiftlog_note_link *links, size_t nlinks, int64_t *note_id);

struct shiftlog_incident {
	int64_t id;
	const char *key;	/* NULL for one an operator opened */
	const char *state;	/* open acknowledged resolved */
	const char *severity;
	const char *title;
	const char *owner;
	int64_t job_id;
	int64_t opened;
	const char *opened_by;
	int64_t acked;
	const char *acked_by;
	int64_t resolved;
	const char *resolved_by;
	const char *resolution;
	int64_t updated;
	int64_t seen;		/* times its alarm was raised */
	int64_t updates;	/* rows in its history */
	const char *last_message;
};

struct shiftlog_incident_new {
	const char *key;	/* NULL: always a new incident */
	const char *severity;	/* NULL: warning */
	const char *title;
	const char *message;	/* NULL: none */
	const char *owner;	/* NULL: nobody yet */
	int64_t job_id;
};

/* Opens an incident, or when key names one still open, counts it seen
 * again (*existed true). Appends incident.opened and links that event. */
int shiftlog_incident_open(struct shiftlog *sl,
    const struct shiftlog_incident_new *n, int64_t *id, bool *existed);
/* action: ack (owner: who takes it, NULL: the acting user), update
 * (message required; owner or severity may change), resolve. */
int shiftlog_incident_act(struct shiftlog *sl, int64_t id, const char *action,
    const char *message, const char *owner, const char *severity);
/* Incidents: id, or all not resolved (all false), or every one (all);
 * newest first. cb's nonzero return stops the walk. */
int shiftlog_incidents(struct shiftlog *sl, int64_t id, bool all,
    int (*cb)(const struct shiftlog_incident *, void *), void *arg);
/* An incident's history, oldest first. */
int shiftlog_incident_history(struct shiftlog *sl, int64_t id,
    int (*cb)(int64_t time, const char *user, const char *action,
    const char *message, int64_t event_id, void *arg), void *arg);

/* Where a handover report starts without --since: the open shift's
 * start, else the newest configured shift boundary (times: minutes after
 * local midnight, n of them), else 12 hours before until. */
int64_t shiftlog_handover_default_since(struct shiftlog *sl,
    const int *times, size_t n, int64_t until);
/* Builds the handover report for [since, until) as a JSON object (see
 * mcr(1), mcr handover --format json) into *out, a new string. */
int shiftlog_handover_report(struct shiftlog *sl, int64_t since,
    int64_t until, const char *site, char **out);
/* Records a report (shift end): *id is the handover's. */
int shiftlog_handover_record(struct shiftlog *sl, int64_t since,
    int64_t until, const char *report, int64_t *id);
struct shiftlog_handover_ack {
	int64_t id;		/* the handover acknowledged */
	int64_t since, until;
	char given_by[64];
	int64_t given;		/* when it was recorded */
	int64_t superseded;	/* older unacknowledged ones it covers */
};
/* Acknowledges the newest unacknowledged handover, recording report
 * (for [since, until)) first when there is none. */
int shiftlog_handover_ack(struct shiftlog *sl, int64_t since, int64_t until,
    const char *report, struct shiftlog_handover_ack *ack);

/* 1 when the digest of slot ("2026-11-29T03:00") is already written. */
int shiftlog_digest_done(struct shiftlog *sl, const char *slot);
/* Records the digest of slot for [since, until): its event (summary as
 * message, data JSON) and its outcome (where it went). */
int shiftlog_digest_record(struct shiftlog *sl, const char *slot,
    int64_t since, int64_t until, const char *summary, const char *data,
    const char *outcome);
/* --- QC reports (shiftlog-qc.c) --- */

/* Files a QC report (the JSON document of schema mcr.qc.report/1) with its
 * findings and a qc.report event; job may be 0 (an in-process run). Sets
 * *id to the report's number. Returns 0 or a negative rc. */
int shiftlog_qc_report_file(struct shiftlog *sl, int64_t job,
    const char *report, int64_t *id);
/* The stored report id with its grade and exceptions merged in, as a new
 * JSON string in *out; SHIFTLOG_INVALID when there is no such report. */
int shiftlog_qc_report_get(struct shiftlog *sl, int64_t id, char **out);
/* The approved exceptions for spec, as a new JSON array string: each
 * {id, content_id, spec, check, t_in, approved_by, reason}. */
int shiftlog_qc_exceptions(struct shiftlog *sl, const char *spec,
    char **out);
/* Records that approved_by (a client contact) approved finding n of
 * report id, with reason; appends a qc.exception event. Refuses an
 * unknown report or finding, or one already excepted (SHIFTLOG_INVALID,
 * with the sentence in shiftlog_errmsg). */
int shiftlog_qc_except(struct shiftlog *sl, int64_t report, int64_t n,
    const char *approved_by, const char *reason, int64_t *id);
/* The operator's ITU-R BT.500 grade (1..5) and comment for a report. */
int shiftlog_qc_grade(struct shiftlog *sl, int64_t report, int grade,
    const char *comment);

struct shiftlog_qc_report {
	int64_t id;
	int64_t time;
	int64_t job_id;
	const char *file;
	const char *spec;
	const char *verdict;
	int64_t fails, warns, excepted;
	int grade;		/* 0: none */
};
/* The newest limit reports (0: all), oldest first. */
int shiftlog_qc_reports(struct shiftlog *sl, int64_t limit,
    int (*cb)(const struct shiftlog_qc_report *, void *), void *arg);
/* --- delivery and physical assets (shiftlog-delivery.c) --- */

/* One delivery (direction out) or receipt (in) with its files, as a JSON
 * document (keys in mcr(1)); by its id, or by its job when id is 0. *out
 * is malloc'd. SHIFTLOG_INVALID when there is none. */
int shiftlog_delivery_json(struct shiftlog *sl, int64_t id, int64_t job,
    char **out);
/* The newest limit deliveries (0: all) of direction ("out", "in" or NULL
 * for both), newest first, as a JSON array in *out (malloc'd). */
int shiftlog_deliveries_json(struct shiftlog *sl, const char *direction,
    int64_t limit, char **out);

/* A change of custody of a physical asset: "in" (received; registers a
 * new asset), "out" (dispatched) or "move" (to another shelf or room). */
struct shiftlog_custody {
	const char *label;	/* barcode or label, unique */
	const char *action;
	const char *format;	/* HDCAM SR, Digibeta, LTO-8, SSD, ... */
	const char *client;
	const char *production;
	const char *location;	/* where it is now, or who it went to */
	const char *courier;
	const char *reference;	/* waybill, order or job reference */
	const char *signed_by;	/* who signed for it */
	const char *note;
};
/* Records the change and its "asset.ACTION" event in one transaction;
 * refuses one that contradicts the register (out when already out, an
 * unknown label for out or move). Returns 0 or a negative shiftlog_rc. */
int shiftlog_asset_custody(struct shiftlog *sl,
    const struct shiftlog_custody *c);
/* Links media catalogue row media_id to the asset it was ingested from. */
int shiftlog_asset_link(struct shiftlog *sl, const char *label,
    int64_t media_id);
/* One asset with its chain of custody and linked media as JSON. */
int shiftlog_asset_json(struct shiftlog *sl, const char *label, char **out);
/* Every asset (state "in", "out" or NULL for all) as a JSON array. */
int shiftlog_assets_json(struct shiftlog *sl, const char *state, char **out);

/* An asset as the console lists it; strings valid during the callback. */
struct shiftlog_asset_row {
	const char *label, *format, *client, *production, *state, *location;
	const char *last_by;	/* who signed the last change */
	int64_t updated;	/* microseconds UTC */
	int64_t media;		/* linked media rows */
};
/* Calls cb for each asset, most recently changed first; a nonzero return
 * from cb stops. */
int shiftlog_assets(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_asset_row *row, void *arg), void *arg);

#endif
