/*
 * shiftlog-private.h: what the files of the shiftlog module share. Only
 * shiftlog*.c include it, and only they include sqlite3.h.
 */
#ifndef MCR_SHIFTLOG_PRIVATE_H
#define MCR_SHIFTLOG_PRIVATE_H

#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "identity.h"
#include "shiftlog.h"

/* Statements kept prepared for the life of the connection. */
#define SL_KEPT_MAX 16

struct shiftlog {
	sqlite3 *db;
	struct {
		const char *sql;	/* a string literal: the key */
		sqlite3_stmt *st;
	} kept[SL_KEPT_MAX];
	char *path;
	bool read_only;
	int busy_timeout_ms;
	int version;
	struct identity who;
	EVP_MD_CTX *sha;		/* the hash chain's SHA-256 */
	EVP_MD *sha256;
	int fts;			/* events_fts: 0 unknown, 1 yes, -1 no */
	char errmsg[512];
};

void sl_set_error(struct shiftlog *sl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Turns an SQLite failure while doing what into a sentence and an rc. */
int sl_db_error(struct shiftlog *sl, int code, const char *what);
int sl_exec(struct shiftlog *sl, const char *sql, const char *what);
int sl_prepare(struct shiftlog *sl, const char *sql, sqlite3_stmt **st,
    const char *what);
/* A statement run often (a catalogue row per file of an ingest), prepared
 * once per connection: sql must be a string literal, the same pointer each
 * time. Step it with sl_step_kept(), never finalize it. */
int sl_prepare_kept(struct shiftlog *sl, const char *sql, sqlite3_stmt **st,
    const char *what);
/* Steps a kept statement that yields no row, then resets it and clears its
 * bindings for the next use; 0 or an rc. */
int sl_step_kept(struct shiftlog *sl, sqlite3_stmt *st, const char *what);
/* Files a row per item of a bulk (a catalogue row per file): insert is a
 * one-row INSERT ... VALUES that does nothing on a conflict, upsert the
 * same with DO UPDATE, both kept statements (string literals) taking the
 * JSON data as ?1 and vals[0..n-1] as ?2... (SL_NULL binds NULL). The
 * upsert runs only when the insert did nothing: with foreign keys on,
 * SQLite gives an upsert (and any INSERT ... SELECT) a statement journal,
 * which inside mcrd's long transactions lives in a temporary file, a copy
 * of every page the row touches (about 16 writes a row, most of the cost
 * of 10,000 new catalogue rows). Returns 0 or an rc. */
#define SL_NULL INT64_MIN
int sl_file_row(struct shiftlog *sl, const char *insert, const char *upsert,
    const char *data, const int64_t *vals, size_t n, const char *what);
/* A query that yields one integer (0 when it yields no row). */
int sl_query_int(struct shiftlog *sl, const char *sql, int64_t *out,
    const char *what);
void sl_rollback(struct shiftlog *sl);
/* BEGIN IMMEDIATE, refused on a read-only log. */
int sl_begin_write(struct shiftlog *sl, const char *what);
/* Commits when rc is 0, else rolls back; returns the final rc. */
int sl_commit(struct shiftlog *sl, int rc, const char *what);
/* Appends events inside an open write transaction. */
int sl_append_locked(struct shiftlog *sl, struct shiftlog_event *ev,
    size_t n);
/* Binds s, or NULL when s is NULL. */
void sl_bind_text(sqlite3_stmt *st, int col, const char *s);
/* Steps a statement that yields no row and finalizes it; 0 or an rc. */
int sl_step_done(struct shiftlog *sl, sqlite3_stmt *st, const char *what);
/* Column i as text (NULL when NULL), or as a double (none when NULL). */
const char *sl_col_text(sqlite3_stmt *st, int i);
double sl_col_double(sqlite3_stmt *st, int i, double none);


/* --- shiftlog-handover.c --- */

/* An FTS5 query that finds every word of text, any case (new string), or
 * NULL when text has no word in it. Words joined by punctuation
 * ("LTO-0042") are a phrase; a word typed with a trailing '*', and with
 * prefix_last the last word, also match words that begin with it. */
char *sl_fts_words(const char *text, bool prefix_last);
/* Indexes, for a search, the events the full-text index has not reached
 * yet, into temp.events_tail (same columns and tokenizer as events_fts).
 * Returns 1 when there are such events, 0 when the index is up to date
 * (or the log has none), or an rc. */
int sl_fts_tail(struct shiftlog *sl);
/* The "incident" record filer (host->record): opens the incident of a key
 * once, closes it when cleared, links the job's events. */
int sl_file_incident(struct shiftlog *sl, int64_t job, const char *data);
/* Called when a job finished: a failed job opens its incident once; a job
 * done after failing resolves it. Joins the open transaction. */
int sl_incident_job_finished(struct shiftlog *sl, int64_t job,
    const char *state, const char *kind, const char *subject,
    const char *message);
/* Filers of the storage duty's records (shiftlog-storage.c). */
int sl_file_storage_dirs(struct shiftlog *sl, int64_t job, const char *data);
int sl_file_storage_gone(struct shiftlog *sl, int64_t job, const char *data);
int sl_file_storage_scan(struct shiftlog *sl, int64_t job, const char *data);
int sl_file_storage_owners(struct shiftlog *sl, int64_t job,
    const char *data);
int sl_file_storage_archived(struct shiftlog *sl, int64_t job,
    const char *data);
int sl_file_storage_restored(struct shiftlog *sl, int64_t job,
    const char *data);
int sl_file_storage_damaged(struct shiftlog *sl, int64_t job,
    const char *data);
int sl_file_storage_purged(struct shiftlog *sl, int64_t job,
    const char *data);
/* Record filers that live in their duty's own shiftlog-NAME.c. */
int sl_file_qc_report(struct shiftlog *sl, int64_t job, const char *data);
/* Filers of host->record types (shiftlog-delivery.c). */
int shiftlog_file_delivery(struct shiftlog *sl, int64_t job,
    const char *data);
int shiftlog_file_delivery_file(struct shiftlog *sl, int64_t job,
    const char *data);

#endif
