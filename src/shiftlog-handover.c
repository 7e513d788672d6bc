/*
 * shiftlog-handover: what one shift leaves the next. Shifts (who was on
 * and when), notes flagged for the handover and linked to what they are
 * about, incidents (open -> acknowledged -> resolved, with owner and
 * history), the handover report built from the tables that hold the
 * night's work, its acknowledgement, and the digests mcrd writes at set
 * times. Every change appends an event in the same transaction, so the
 * hash-chained trail tells the whole story; the events_fts index makes
 * that trail searchable by word. Appends do not index (it made them 2.5
 * times slower): mcrd indexes behind them each tick
 * (shiftlog_fts_catch_up), and a search reads the few events it has not
 * reached yet through a small index of its own (sl_fts_tail).
 *
 * Open items carry over: a report reaches back past its start to the end
 * of the last acknowledged handover for failed jobs and flagged notes,
 * and open incidents show until they are resolved.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shiftlog-private.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define US_PER_HOUR (3600 * WHEN_US_PER_SEC)
#define US_PER_DAY (24 * US_PER_HOUR)
/* How far back open items carry when no handover was acknowledged for
 * a long time: a week. */
#define CARRY_MAX_US (7 * US_PER_DAY)
/* Lists in a report are capped; the counts are not. */
#define LIST_MAX 50
/* A volume growing into its free space within this many days warns. */
#define FULL_WARN_DAYS 14

/* Joins an open transaction, or opens one of its own (*own). */
static int
txn_begin(struct shiftlog *sl, bool *own, const char *what)
{
	*own = sqlite3_get_autocommit(sl->db) != 0;
	return *own ? sl_begin_write(sl, what) : 0;
}

static int
txn_end(struct shiftlog *sl, bool own, int rc, const char *what)
{
	return own ? sl_commit(sl, rc, what) : rc;
}

/* Appends one event inside the open transaction; *id gets its id. */
static int
append(struct shiftlog *sl, const char *kind, const char *severity,
    int64_t job, const char *subject, const char *data, int64_t *id,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static int
append(struct shiftlog *sl, const char *kind, const char *severity,
    int64_t job, const char *subject, const char *data, int64_t *id,
    const char *fmt, ...)
{
	struct shiftlog_event ev = { .kind = kind, .severity = severity,
	    .job_id = job, .subject = subject, .data = data };
	va_list ap;
	char *msg;
	int rc;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ev.message = msg;
	rc = sl_append_locked(sl, &ev, 1);
	free(msg);
	if (rc == 0 && id != NULL)
		*id = ev.id;
	return rc;
}

static int
step_int(struct shiftlog *sl, sqlite3_stmt *st, int64_t *out,
    const char *what)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 1;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = 0;
	} else
		rc = sl_db_error(sl, rc, what);
	sqlite3_finalize(st);
	return rc;
}

/* --- search --- */

char *
sl_fts_words(const char *text, bool prefix_last)
{
	size_t n = strlen(text), i = 0, j = 0, groups = 0, last_open = 0;
	char *q = xmalloc(n * 3 + 16);

	/* A group is what lies between white space; inside it, runs of
	 * letters and digits (a byte >= 0x80 counts as a letter, so UTF-8
	 * words stay whole) are the words of one FTS5 phrase, and any other
	 * character is only a separator: quotes and operators in the text
	 * never become syntax. */
	while (i < n) {
		size_t words = 0;
		bool star = false;

		while (i < n && isspace((unsigned char)text[i]))
			i++;
		if (i == n)
			break;
		last_open = j;
		q[j++] = groups > 0 ? ' ' : '"';
		if (groups > 0)
			q[j++] = '"';
		while (i < n && !isspace((unsigned char)text[i])) {
			unsigned char c = (unsigned char)text[i];

			if (isalnum(c) || c >= 0x80) {
				if (words++ > 0)
					q[j++] = ' ';
				while (i < n && (isalnum((unsigned char)text[i]) ||
				    (unsigned char)text[i] >= 0x80))
					q[j++] = text[i++];
				star = false;
			} else {
				star = c == '*' && words > 0;
				i++;
			}
		}
		if (words == 0) {
			j = last_open;
			continue;
		}
		q[j++] = '"';
		if (star)
			q[j++] = '*';
		groups++;
	}
	q[j] = '\0';
	if (groups == 0) {
		free(q);
		return NULL;
	}
	if (prefix_last && q[j - 1] != '*') {
		q[j++] = '*';
		q[j] = '\0';
	}
	return q;
}

/* Whether this log has the index and its mark; sl->fts caches it. */
static int
fts_known(struct shiftlog *sl, const char *what)
{
	int64_t n;
	int rc;

	if (sl->fts == 0) {
		if ((rc = sl_query_int(sl, "SELECT count(*) FROM sqlite_master "
		    "WHERE name IN ('events_fts', 'fts_marks')", &n, what)) < 0)
			return rc;
		sl->fts = n == 2 ? 1 : -1;
	}
	return sl->fts;
}

/* The last event indexed and the last event. */
static int
fts_marks(struct shiftlog *sl, int64_t *mark, int64_t *last,
    const char *what)
{
	int rc;

	if ((rc = sl_query_int(sl, "SELECT last_id FROM fts_marks WHERE name "
	    "= 'events_fts'", mark, what)) < 0)
		return rc;
	return sl_query_int(sl, "SELECT coalesce(max(id), 0) FROM events",
	    last, what);
}

int
shiftlog_fts_catch_up(struct shiftlog *sl, int64_t max_rows,
    int64_t *indexed)
{
	static const char what[] = "index events for search";
	sqlite3_stmt *st;
	int64_t mark, last;
	int rc;

	if (indexed != NULL)
		*indexed = 0;
	if ((rc = fts_known(sl, what)) <= 0)
		return rc;
	/* A look before the write lock: an idle tick takes no lock. */
	if ((rc = fts_marks(sl, &mark, &last, what)) < 0 || mark >= last)
		return rc;
	if ((rc = sl_begin_write(sl, what)) < 0)
		return rc;
	if ((rc = fts_marks(sl, &mark, &last, what)) < 0 || mark >= last)
		return sl_commit(sl, rc, what);
	if (max_rows > 0 && last - mark > max_rows)
		last = mark + max_rows;
	/* One statement for the whole batch: FTS5 writes its pending terms
	 * out at every statement, so a statement per row (a trigger) was
	 * ten times slower. */
	if ((rc = sl_prepare(sl, "INSERT INTO events_fts (rowid, subject, "
	    "message) SELECT id, subject, message FROM events WHERE id > ? "
	    "AND id <= ?", &st, what)) < 0)
		return sl_commit(sl, rc, what);
	sqlite3_bind_int64(st, 1, mark);
	sqlite3_bind_int64(st, 2, last);
	if ((rc = sl_step_done(sl, st, what)) < 0)
		return sl_commit(sl, rc, what);
	if ((rc = sl_prepare(sl, "UPDATE fts_marks SET last_id = ? WHERE name "
	    "= 'events_fts'", &st, what)) < 0)
		return sl_commit(sl, rc, what);
	sqlite3_bind_int64(st, 1, last);
	rc = sl_commit(sl, sl_step_done(sl, st, what), what);
	if (rc == 0 && indexed != NULL)
		*indexed = last - mark;
	return rc;
}

/* Beyond this many unindexed events a search (when it may write) brings
 * the index up to date rather than indexing the tail on its own. */
#define FTS_TAIL_MAX 20000

int
sl_fts_tail(struct shiftlog *sl)
{
	static const char what[] = "search the newest events";
	int64_t mark, last;
	char *sql;
	int rc;

	if ((rc = fts_known(sl, what)) <= 0)
		return rc < 0 ? rc : 0;
	if ((rc = fts_marks(sl, &mark, &last, what)) < 0)
		return rc;
	if (last - mark > FTS_TAIL_MAX && !sl->read_only &&
	    shiftlog_fts_catch_up(sl, 0, NULL) == 0 &&
	    (rc = fts_marks(sl, &mark, &last, what)) < 0)
		return rc;
	if (mark >= last)
		return 0;
	/* The temp schema is this connection's own, writable even when the
	 * log is open read-only (SQLITE_OPEN_READONLY still guards the file
	 * while query_only is lifted for these statements); contentless,
	 * since the rows are in events. Its tokenizer is the main index's,
	 * so a query means the same. */
	sql = xasprintf("%sDROP TABLE IF EXISTS temp.events_tail;"
	    "CREATE VIRTUAL TABLE temp.events_tail USING fts5(subject, "
	    "message, content = '', tokenize = 'unicode61 remove_diacritics 2', "
	    "columnsize = 0);"
	    "INSERT INTO temp.events_tail (rowid, subject, message) SELECT id, "
	    "subject, message FROM main.events WHERE id > %lld;%s",
	    sl->read_only ? "PRAGMA query_only = OFF;" : "", (long long)mark,
	    sl->read_only ? "PRAGMA query_only = ON;" : "");
	rc = sl_exec(sl, sql, what);
	free(sql);
	if (rc < 0 && sl->read_only)
		sqlite3_exec(sl->db, "PRAGMA query_only = ON", NULL, NULL,
		    NULL);
	return rc < 0 ? rc : 1;
}

/* --- shifts --- */

static int
read_shift(struct shiftlog *sl, const char *where, struct shiftlog_shift *s)
{
	sqlite3_stmt *st;
	char *sql = xasprintf("SELECT id, operator, host, started, "
	    "coalesce(ended, 0) FROM shifts %s", where);
	int rc;

	memset(s, 0, sizeof *s);
	rc = sl_prepare(sl, sql, &st, "read the shifts");
	free(sql);
	if (rc < 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		s->id = sqlite3_column_int64(st, 0);
		strutil_copy(s->operator, sl_col_text(st, 1), sizeof s->operator);
		strutil_copy(s->host, sl_col_text(st, 2), sizeof s->host);
		s->started = sqlite3_column_int64(st, 3);
		s->ended = sqlite3_column_int64(st, 4);
		rc = 1;
	} else
		rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc,
		    "read the shifts");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_shift_current(struct shiftlog *sl, struct shiftlog_shift *s)
{
	int rc = read_shift(sl, "WHERE ended IS NULL", s);

	if (rc == 0)
		rc = read_shift(sl, "ORDER BY started DESC, id DESC LIMIT 1", s);
	return rc;
}

/* Ends the open shift inside the transaction: 1, or 0 (ended->id 0)
 * when none is open, or a negative rc. */
static int
end_open_shift(struct shiftlog *sl, const char *next,
    struct shiftlog_shift *ended)
{
	sqlite3_stmt *st;
	int64_t now = when_now();
	char span[64];
	int rc;

	if ((rc = read_shift(sl, "WHERE ended IS NULL", ended)) <= 0)
		return rc;
	if ((rc = sl_prepare(sl, "UPDATE shifts SET ended = ?, ended_by = ? "
	    "WHERE id = ?", &st, "end the shift")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sl_bind_text(st, 2, sl->who.user);
	sqlite3_bind_int64(st, 3, ended->id);
	if ((rc = sl_step_done(sl, st, "end the shift")) < 0)
		return rc;
	ended->ended = now;
	strutil_duration((now - ended->started) / WHEN_US_PER_SEC, "?", span,
	    sizeof span);
	if (next != NULL)
		rc = append(sl, "shift.ended", "notice", 0, ended->operator,
		    NULL, NULL, "shift %lld of %s ended after %s; %s takes over",
		    (long long)ended->id, ended->operator, span, next);
	else
		rc = append(sl, "shift.ended", "notice", 0, ended->operator,
		    NULL, NULL, "shift %lld of %s ended after %s",
		    (long long)ended->id, ended->operator, span);
	return rc < 0 ? rc : 1;
}

int
shiftlog_shift_start(struct shiftlog *sl, const char *operator,
    struct shiftlog_shift *started, struct shiftlog_shift *ended)
{
	struct shiftlog_shift prev, *e = ended != NULL ? ended : &prev;
	sqlite3_stmt *st;
	int rc;

	if (operator == NULL)
		operator = sl->who.user;
	if (strutil_blank(operator) || strlen(operator) >= sizeof e->operator ||
	    !strutil_utf8_valid(operator, strlen(operator))) {
		sl_set_error(sl, "'%s' is not an operator's name; give a name of "
		    "1 to %zu bytes of UTF-8", operator,
		    sizeof e->operator - 1);
		return SHIFTLOG_INVALID;
	}
	if ((rc = sl_begin_write(sl, "start a shift")) < 0)
		return rc;
	if ((rc = end_open_shift(sl, operator, e)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "INSERT INTO shifts (operator, host, started, "
	    "started_by) VALUES (?, ?, ?, ?)", &st, "start a shift")) < 0)
		goto out;
	memset(started, 0, sizeof *started);
	started->started = when_now();
	strutil_copy(started->operator, operator, sizeof started->operator);
	strutil_copy(started->host, sl->who.host, sizeof started->host);
	sl_bind_text(st, 1, operator);
	sl_bind_text(st, 2, sl->who.host);
	sqlite3_bind_int64(st, 3, started->started);
	sl_bind_text(st, 4, sl->who.user);
	if ((rc = sl_step_done(sl, st, "start a shift")) < 0)
		goto out;
	started->id = sqlite3_last_insert_rowid(sl->db);
	rc = append(sl, "shift.started", "notice", 0, operator, NULL, NULL,
	    "shift %lld of %s started on %s", (long long)started->id, operator,
	    sl->who.host);
out:
	return sl_commit(sl, rc, "start a shift");
}

int
shiftlog_shift_end(struct shiftlog *sl, struct shiftlog_shift *ended)
{
	int rc;

	if ((rc = sl_begin_write(sl, "end the shift")) < 0)
		return rc;
	rc = end_open_shift(sl, NULL, ended);
	if (rc == 0) {
		sl_set_error(sl, "no shift is open; 'mcr shift start' opens one");
		rc = SHIFTLOG_INVALID;
	} else if (rc > 0)
		rc = 0;
	return sl_commit(sl, rc, "end the shift");
}

/* --- notes --- */

static bool
link_type_ok(const char *t)
{
	static const char *const types[] = { "job", "media", "asset",
	    "delivery", "incident", NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++) {
		if (strcmp(t, types[i]) == 0)
			return true;
	}
	return false;
}

/* Checks that what a link names exists, where mcr keeps a table of it.
 * Assets and deliveries are taken by their label as written. */
static int
check_link(struct shiftlog *sl, const struct shiftlog_note_link *l)
{
	sqlite3_stmt *st;
	const char *sql = NULL;
	int64_t found = 0;
	char *end;
	int rc;

	if (!link_type_ok(l->type)) {
		sl_set_error(sl, "cannot link a note to a '%s'; a note links to a "
		    "job, media, asset, delivery or incident", l->type);
		return SHIFTLOG_INVALID;
	}
	if (l->ref == NULL || strutil_blank(l->ref) ||
	    !strutil_utf8_valid(l->ref, strlen(l->ref))) {
		sl_set_error(sl, "the note's %s link is empty; name the %s",
		    l->type, l->type);
		return SHIFTLOG_INVALID;
	}
	if (strcmp(l->type, "job") == 0)
		sql = "SELECT 1 FROM jobs WHERE id = ?1";
	else if (strcmp(l->type, "incident") == 0)
		sql = "SELECT 1 FROM incidents WHERE id = ?1";
	else if (strcmp(l->type, "media") == 0)
		sql = "SELECT 1 FROM media WHERE id = ?1 OR path = ?2";
	if (sql == NULL)
		return 0;
	if (strcmp(l->type, "media") != 0) {
		long long n = strtoll(l->ref, &end, 10);

		if (*end != '\0' || n <= 0) {
			sl_set_error(sl, "'%s' is not a %s number", l->ref,
			    l->type);
			return SHIFTLOG_INVALID;
		}
	}
	if ((rc = sl_prepare(sl, sql, &st, "check a note's link")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, strtoll(l->ref, NULL, 10));
	if (strcmp(l->type, "media") == 0)
		sl_bind_text(st, 2, l->ref);
	if ((rc = step_int(sl, st, &found, "check a note's link")) < 0)
		return rc;
	if (rc == 0) {
		sl_set_error(sl, "cannot add the note: there is no %s %s; %s",
		    l->type, l->ref, strcmp(l->type, "job") == 0 ?
		    "'mcr jobs' lists them" : strcmp(l->type, "incident") == 0 ?
		    "'mcr incident list' lists them" : "give a catalogued "
		    "file's id or absolute path");
		return SHIFTLOG_INVALID;
	}
	return 0;
}

int
shiftlog_note_add(struct shiftlog *sl, const char *text, bool handover,
    const struct shiftlog_note_link *links, size_t nlinks, int64_t *note_id)
{
	struct shiftlog_event ev = { .kind = "note", .severity = "notice",
	    .message = text };
	sqlite3_stmt *st = NULL;
	json_t *data = json_object(), *jl = json_array();
	char *datas = NULL;
	int64_t job = 0, id;
	size_t i;
	int rc;

	if (text == NULL || strutil_blank(text)) {
		sl_set_error(sl, "the note is empty; write what happened, as in "
		    "mcr note 'VTR 3 head clog, cleaned'");
		rc = SHIFTLOG_INVALID;
		goto done;
	}
	if (!strutil_utf8_valid(text, strlen(text))) {
		sl_set_error(sl, "the note is not valid UTF-8; check the terminal's "
		    "locale or the file it came from");
		rc = SHIFTLOG_INVALID;
		goto done;
	}
	if ((rc = sl_begin_write(sl, "add a note")) < 0)
		goto done;
	for (i = 0; i < nlinks; i++) {
		if ((rc = check_link(sl, &links[i])) < 0)
			goto out;
		if (job == 0 && strcmp(links[i].type, "job") == 0)
			job = strtoll(links[i].ref, NULL, 10);
		json_array_append_new(jl, json_pack("{s:s, s:s}", "type",
		    links[i].type, "ref", links[i].ref));
	}
	/* The flag and links ride in the event's data, so the chain
	 * proves them too. */
	if (handover)
		json_object_set_new(data, "handover", json_true());
	if (nlinks > 0)
		json_object_set(data, "links", jl);
	if (json_object_size(data) > 0) {
		datas = json_dumps(data, JSON_COMPACT);
		ev.data = datas;
	}
	ev.job_id = job;
	if ((rc = sl_append_locked(sl, &ev, 1)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "INSERT INTO notes (time, user, host, "
	    "ssh_client, text, job_id, event_id, handover) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?)", &st, "add a note")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, ev.time);
	sl_bind_text(st, 2, ev.user);
	sl_bind_text(st, 3, ev.host);
	sl_bind_text(st, 4, ev.ssh_client);
	sl_bind_text(st, 5, text);
	if (job != 0)
		sqlite3_bind_int64(st, 6, job);
	sqlite3_bind_int64(st, 7, ev.id);
	sqlite3_bind_int(st, 8, handover ? 1 : 0);
	if ((rc = sl_step_done(sl, st, "add a note")) < 0)
		goto out;
	id = sqlite3_last_insert_rowid(sl->db);
	for (i = 0; i < nlinks; i++) {
		if ((rc = sl_prepare(sl, "INSERT OR IGNORE INTO note_links "
		    "(note_id, type, ref) VALUES (?, ?, ?)", &st,
		    "link a note")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sl_bind_text(st, 2, links[i].type);
		sl_bind_text(st, 3, links[i].ref);
		if ((rc = sl_step_done(sl, st, "link a note")) < 0)
			goto out;
	}
	if (note_id != NULL)
		*note_id = id;
out:
	rc = sl_commit(sl, rc, "add a note");
done:
	free(datas);
	json_decref(jl);
	json_decref(data);
	return rc;
}

/* --- incidents --- */

static json_t *
jtext(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static bool
incident_severity_ok(const char *s)
{
	return strcmp(s, "info") == 0 || strcmp(s, "notice") == 0 ||
	    strcmp(s, "warning") == 0 || strcmp(s, "error") == 0 ||
	    strcmp(s, "critical") == 0;
}

static int
check_words(struct shiftlog *sl, const char *what, const char *s,
    bool required)
{
	if (s == NULL || strutil_blank(s)) {
		if (!required)
			return 0;
		sl_set_error(sl, "the incident's %s is empty; give one", what);
		return SHIFTLOG_INVALID;
	}
	if (!strutil_utf8_valid(s, strlen(s))) {
		sl_set_error(sl, "the incident's %s is not valid UTF-8", what);
		return SHIFTLOG_INVALID;
	}
	return 0;
}

static int
add_update(struct shiftlog *sl, int64_t incident, const char *action,
    const char *message, int64_t event_id)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO incident_updates (incident_id, "
	    "time, user, action, message, event_id) VALUES (?, ?, ?, ?, ?, ?)",
	    &st, "record an incident's update")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, incident);
	sqlite3_bind_int64(st, 2, when_now());
	sl_bind_text(st, 3, sl->who.user);
	sl_bind_text(st, 4, action);
	sl_bind_text(st, 5, message);
	if (event_id != 0)
		sqlite3_bind_int64(st, 6, event_id);
	if ((rc = sl_step_done(sl, st, "record an incident's update")) < 0)
		return rc;
	if (event_id == 0)
		return 0;
	if ((rc = sl_prepare(sl, "INSERT OR IGNORE INTO incident_events "
	    "(incident_id, event_id) VALUES (?, ?)", &st,
	    "link an event to an incident")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, incident);
	sqlite3_bind_int64(st, 2, event_id);
	return sl_step_done(sl, st, "link an event to an incident");
}

/* Links the job's newest warnings and errors (the alarm that raised the
 * incident) to it. */
static int
link_job_events(struct shiftlog *sl, int64_t incident, int64_t job)
{
	sqlite3_stmt *st;
	int rc;

	if (job == 0)
		return 0;
	if ((rc = sl_prepare(sl, "INSERT OR IGNORE INTO incident_events "
	    "(incident_id, event_id) SELECT ?1, id FROM events WHERE "
	    "job_id = ?2 AND severity IN ('warning', 'error', 'critical') "
	    "ORDER BY id DESC LIMIT 5", &st, "link a job's events")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, incident);
	sqlite3_bind_int64(st, 2, job);
	return sl_step_done(sl, st, "link a job's events");
}

/* The incident still open under key: its id, or 0. */
static int
open_by_key(struct shiftlog *sl, const char *key, int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (key == NULL)
		return 0;
	if ((rc = sl_prepare(sl, "SELECT id FROM incidents WHERE key = ? AND "
	    "state <> 'resolved'", &st, "find an incident")) < 0)
		return rc;
	sl_bind_text(st, 1, key);
	rc = step_int(sl, st, id, "find an incident");
	return rc < 0 ? rc : 0;
}

/* Inside a transaction: opens n, or counts the open one of its key seen
 * again. */
static int
incident_open_locked(struct shiftlog *sl, const struct shiftlog_incident_new *n,
    int64_t *id, bool *existed)
{
	const char *sev = n->severity != NULL ? n->severity : "warning";
	sqlite3_stmt *st;
	int64_t now = when_now(), ev;
	char *data;
	int rc;

	*existed = false;
	if ((rc = open_by_key(sl, n->key, id)) < 0)
		return rc;
	if (*id != 0) {
		*existed = true;
		if ((rc = sl_prepare(sl, "UPDATE incidents SET seen = seen + 1, "
		    "updated = ? WHERE id = ?", &st, "update an incident")) < 0)
			return rc;
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, *id);
		if ((rc = sl_step_done(sl, st, "update an incident")) < 0)
			return rc;
		return link_job_events(sl, *id, n->job_id);
	}
	if ((rc = sl_prepare(sl, "INSERT INTO incidents (key, state, severity, "
	    "title, owner, job_id, opened, opened_by, updated) VALUES "
	    "(?, 'open', ?, ?, ?, ?, ?, ?, ?)", &st, "open an incident")) < 0)
		return rc;
	sl_bind_text(st, 1, n->key);
	sl_bind_text(st, 2, sev);
	sl_bind_text(st, 3, n->title);
	sl_bind_text(st, 4, n->owner);
	if (n->job_id != 0)
		sqlite3_bind_int64(st, 5, n->job_id);
	sqlite3_bind_int64(st, 6, now);
	sl_bind_text(st, 7, sl->who.user);
	sqlite3_bind_int64(st, 8, now);
	if ((rc = sl_step_done(sl, st, "open an incident")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(sl->db);
	{
		json_t *j = json_pack("{s:I, s:o}", "incident", (json_int_t)*id,
		    "key", jtext(n->key));

		data = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	rc = append(sl, "incident.opened", sev, n->job_id, n->title, data, &ev,
	    "incident %lld opened (%s)%s%s%s%s", (long long)*id, sev,
	    n->owner != NULL ? ", owner " : "", n->owner != NULL ? n->owner : "",
	    n->message != NULL ? ": " : "", n->message != NULL ? n->message : "");
	free(data);
	if (rc < 0)
		return rc;
	if ((rc = add_update(sl, *id, "open", n->message, ev)) < 0)
		return rc;
	return link_job_events(sl, *id, n->job_id);
}

int
shiftlog_incident_open(struct shiftlog *sl,
    const struct shiftlog_incident_new *n, int64_t *id, bool *existed)
{
	bool own;
	int rc;

	if ((rc = check_words(sl, "title", n->title, true)) < 0 ||
	    (rc = check_words(sl, "message", n->message, false)) < 0 ||
	    (rc = check_words(sl, "owner", n->owner, false)) < 0 ||
	    (rc = check_words(sl, "key", n->key, false)) < 0)
		return rc;
	if (n->severity != NULL && !incident_severity_ok(n->severity)) {
		sl_set_error(sl, "'%s' is not an incident severity; use info, "
		    "notice, warning, error or critical", n->severity);
		return SHIFTLOG_INVALID;
	}
	if ((rc = txn_begin(sl, &own, "open an incident")) < 0)
		return rc;
	rc = incident_open_locked(sl, n, id, existed);
	return txn_end(sl, own, rc, "open an incident");
}

/* Inside a transaction: resolves incident id with message. */
static int
resolve_locked(struct shiftlog *sl, int64_t id, const char *title,
    const char *message, int64_t job)
{
	sqlite3_stmt *st;
	int64_t now = when_now(), ev;
	char data[64];
	int rc;

	if ((rc = sl_prepare(sl, "UPDATE incidents SET state = 'resolved', "
	    "resolved = ?, resolved_by = ?, resolution = ?, updated = ? "
	    "WHERE id = ?", &st, "resolve an incident")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, now);
	sl_bind_text(st, 2, sl->who.user);
	sl_bind_text(st, 3, message);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, id);
	if ((rc = sl_step_done(sl, st, "resolve an incident")) < 0)
		return rc;
	strutil_format(data, sizeof data, "{\"incident\":%lld}", (long long)id);
	if ((rc = append(sl, "incident.resolved", "notice", job, title, data,
	    &ev, "incident %lld resolved by %s%s%s", (long long)id,
	    sl->who.user, message != NULL ? ": " : "",
	    message != NULL ? message : "")) < 0)
		return rc;
	return add_update(sl, id, "resolve", message, ev);
}

int
shiftlog_incident_act(struct shiftlog *sl, int64_t id, const char *action,
    const char *message, const char *owner, const char *severity)
{
	sqlite3_stmt *st;
	char state[32], title[512], data[64], sev[32], cur_owner[128];
	int64_t job, ev;
	int rc;

	if ((rc = check_words(sl, "message", message, strcmp(action,
	    "update") == 0)) < 0 ||
	    (rc = check_words(sl, "owner", owner, false)) < 0)
		return rc;
	if (severity != NULL && !incident_severity_ok(severity)) {
		sl_set_error(sl, "'%s' is not an incident severity; use info, "
		    "notice, warning, error or critical", severity);
		return SHIFTLOG_INVALID;
	}
	if ((rc = sl_begin_write(sl, "change an incident")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "SELECT state, title, coalesce(job_id, 0), "
	    "severity, coalesce(owner, '') FROM incidents WHERE id = ?", &st,
	    "read an incident")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		rc = rc == SQLITE_DONE ? SHIFTLOG_INVALID :
		    sl_db_error(sl, rc, "read an incident");
		if (rc == SHIFTLOG_INVALID)
			sl_set_error(sl, "there is no incident %lld; 'mcr "
			    "incident list --all' lists them", (long long)id);
		sqlite3_finalize(st);
		goto out;
	}
	strutil_copy(state, sl_col_text(st, 0), sizeof state);
	strutil_copy(title, sl_col_text(st, 1), sizeof title);
	job = sqlite3_column_int64(st, 2);
	strutil_copy(sev, sl_col_text(st, 3), sizeof sev);
	strutil_copy(cur_owner, sl_col_text(st, 4), sizeof cur_owner);
	sqlite3_finalize(st);
	if (strcmp(state, "resolved") == 0) {
		sl_set_error(sl, "incident %lld is already resolved; open a new "
		    "one if the problem is back", (long long)id);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	strutil_format(data, sizeof data, "{\"incident\":%lld}", (long long)id);
	if (strcmp(action, "resolve") == 0) {
		rc = resolve_locked(sl, id, title, message, job);
		goto out;
	}
	if (strcmp(action, "ack") == 0) {
		if (strcmp(state, "acknowledged") == 0) {
			sl_set_error(sl, "incident %lld is already acknowledged "
			    "(owner %s); 'mcr incident update %lld --owner NAME' "
			    "hands it on", (long long)id, cur_owner[0] ?
			    cur_owner : "nobody", (long long)id);
			rc = SHIFTLOG_INVALID;
			goto out;
		}
		if (owner == NULL)
			owner = cur_owner[0] ? cur_owner : sl->who.user;
		if ((rc = sl_prepare(sl, "UPDATE incidents SET state = "
		    "'acknowledged', acked = ?1, acked_by = ?2, owner = ?3, "
		    "updated = ?1 WHERE id = ?4", &st,
		    "acknowledge an incident")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, when_now());
		sl_bind_text(st, 2, sl->who.user);
		sl_bind_text(st, 3, owner);
		sqlite3_bind_int64(st, 4, id);
		if ((rc = sl_step_done(sl, st, "acknowledge an incident")) < 0 ||
		    (rc = append(sl, "incident.acknowledged", "notice", job,
		    title, data, &ev, "incident %lld acknowledged by %s, owner "
		    "%s%s%s", (long long)id, sl->who.user, owner,
		    message != NULL ? ": " : "", message != NULL ? message :
		    "")) < 0)
			goto out;
		rc = add_update(sl, id, "ack", message, ev);
		goto out;
	}
	if (strcmp(action, "update") != 0) {
		sl_set_error(sl, "'%s' is not something to do to an incident; "
		    "use ack, update or resolve", action);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	if ((rc = sl_prepare(sl, "UPDATE incidents SET owner = coalesce(?1, "
	    "owner), severity = coalesce(?2, severity), updated = ?3 "
	    "WHERE id = ?4", &st, "update an incident")) < 0)
		goto out;
	sl_bind_text(st, 1, owner);
	sl_bind_text(st, 2, severity);
	sqlite3_bind_int64(st, 3, when_now());
	sqlite3_bind_int64(st, 4, id);
	if ((rc = sl_step_done(sl, st, "update an incident")) < 0 ||
	    (rc = append(sl, "incident.updated", severity != NULL ? severity :
	    "notice", job, title, data, &ev, "incident %lld%s%s%s%s: %s",
	    (long long)id, owner != NULL ? ", owner now " : "",
	    owner != NULL ? owner : "", severity != NULL ? ", severity now " :
	    "", severity != NULL ? severity : "", message)) < 0)
		goto out;
	rc = add_update(sl, id, "update", message, ev);
out:
	return sl_commit(sl, rc, "change an incident");
}

#define INCIDENT_COLUMNS "i.id, i.key, i.state, i.severity, i.title, " \
	"i.owner, coalesce(i.job_id, 0), i.opened, i.opened_by, " \
	"coalesce(i.acked, 0), i.acked_by, coalesce(i.resolved, 0), " \
	"i.resolved_by, i.resolution, i.updated, i.seen, " \
	"(SELECT count(*) FROM incident_updates u WHERE u.incident_id = i.id), " \
	"(SELECT message FROM incident_updates u WHERE u.incident_id = i.id " \
	"  AND message IS NOT NULL ORDER BY u.id DESC LIMIT 1)"

static void
row_to_incident(sqlite3_stmt *st, struct shiftlog_incident *x)
{
	x->id = sqlite3_column_int64(st, 0);
	x->key = sl_col_text(st, 1);
	x->state = sl_col_text(st, 2);
	x->severity = sl_col_text(st, 3);
	x->title = sl_col_text(st, 4);
	x->owner = sl_col_text(st, 5);
	x->job_id = sqlite3_column_int64(st, 6);
	x->opened = sqlite3_column_int64(st, 7);
	x->opened_by = sl_col_text(st, 8);
	x->acked = sqlite3_column_int64(st, 9);
	x->acked_by = sl_col_text(st, 10);
	x->resolved = sqlite3_column_int64(st, 11);
	x->resolved_by = sl_col_text(st, 12);
	x->resolution = sl_col_text(st, 13);
	x->updated = sqlite3_column_int64(st, 14);
	x->seen = sqlite3_column_int64(st, 15);
	x->updates = sqlite3_column_int64(st, 16);
	x->last_message = sl_col_text(st, 17);
}

int
shiftlog_incidents(struct shiftlog *sl, int64_t id, bool all,
    int (*cb)(const struct shiftlog_incident *, void *), void *arg)
{
	struct shiftlog_incident x;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT " INCIDENT_COLUMNS " FROM incidents i "
	    "WHERE (?1 <> 0 AND i.id = ?1) OR (?1 = 0 AND (?2 OR "
	    "i.state <> 'resolved')) ORDER BY i.id DESC", &st,
	    "read incidents")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int(st, 2, all ? 1 : 0);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_incident(st, &x);
		if ((rc = cb(&x, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read incidents");
out:
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_incident_history(struct shiftlog *sl, int64_t id,
    int (*cb)(int64_t time, const char *user, const char *action,
    const char *message, int64_t event_id, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT time, user, action, message, "
	    "coalesce(event_id, 0) FROM incident_updates WHERE incident_id = ? "
	    "ORDER BY id", &st, "read an incident's history")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = cb(sqlite3_column_int64(st, 0), sl_col_text(st, 1),
		    sl_col_text(st, 2), sl_col_text(st, 3),
		    sqlite3_column_int64(st, 4), arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc,
	    "read an incident's history");
out:
	sqlite3_finalize(st);
	return rc;
}

/* host->record(job, "incident", {"key", "state": "open"|"clear",
 * "severity", "title", "message"}). */
int
sl_file_incident(struct shiftlog *sl, int64_t job, const char *data)
{
	struct shiftlog_incident_new n = { .job_id = job };
	const char *state;
	json_error_t jerr;
	json_t *j = json_loads(data, 0, &jerr);
	int64_t id;
	bool existed;
	int rc;

	if (j == NULL || !json_is_object(j)) {
		sl_set_error(sl, "an incident record is not a JSON object");
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	n.key = json_string_value(json_object_get(j, "key"));
	state = json_string_value(json_object_get(j, "state"));
	n.severity = json_string_value(json_object_get(j, "severity"));
	n.title = json_string_value(json_object_get(j, "title"));
	n.message = json_string_value(json_object_get(j, "message"));
	if (n.key == NULL || *n.key == '\0' || state == NULL) {
		sl_set_error(sl, "an incident record needs \"key\" and \"state\" "
		    "(open or clear)");
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	if (strcmp(state, "clear") == 0) {
		char title[512] = "";

		if ((rc = open_by_key(sl, n.key, &id)) < 0 || id == 0)
			goto out;
		if (n.title != NULL)
			strutil_copy(title, n.title, sizeof title);
		else {
			sqlite3_stmt *st;

			if ((rc = sl_prepare(sl, "SELECT title FROM incidents "
			    "WHERE id = ?", &st, "read an incident")) < 0)
				goto out;
			sqlite3_bind_int64(st, 1, id);
			if (sqlite3_step(st) == SQLITE_ROW)
				strutil_copy(title, sl_col_text(st, 0),
				    sizeof title);
			sqlite3_finalize(st);
		}
		rc = resolve_locked(sl, id, title, n.message != NULL ?
		    n.message : "the alarm cleared", job);
		goto out;
	}
	if (strcmp(state, "open") != 0) {
		sl_set_error(sl, "an incident record's state is '%s'; it is "
		    "open or clear", state);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	if (n.title == NULL)
		n.title = n.key;
	if (n.severity != NULL && !incident_severity_ok(n.severity)) {
		sl_set_error(sl, "an incident record's severity '%s' is not info, "
		    "notice, warning, error or critical", n.severity);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	rc = incident_open_locked(sl, &n, &id, &existed);
out:
	json_decref(j);
	return rc;
}

int
sl_incident_job_finished(struct shiftlog *sl, int64_t job, const char *state,
    const char *kind, const char *subject, const char *message)
{
	struct shiftlog_incident_new n = { .severity = "error", .job_id = job };
	char key[64], title[640], msg[64];
	int64_t id;
	bool existed;
	int rc;

	strutil_format(key, sizeof key, "job.failed.%lld", (long long)job);
	if (strcmp(state, "done") == 0) {
		if ((rc = open_by_key(sl, key, &id)) < 0 || id == 0)
			return rc;
		strutil_format(title, sizeof title, "job %lld (%s) failed%s%s",
		    (long long)job, kind, subject != NULL && *subject ? ": " :
		    "", subject != NULL ? subject : "");
		strutil_format(msg, sizeof msg, "job %lld is done now",
		    (long long)job);
		return resolve_locked(sl, id, title, msg, job);
	}
	if (strcmp(state, "failed") != 0)
		return 0;
	n.key = key;
	strutil_format(title, sizeof title, "job %lld (%s) failed%s%s",
	    (long long)job, kind, subject != NULL && *subject ? ": " : "",
	    subject != NULL ? subject : "");
	n.title = title;
	n.message = message;
	return incident_open_locked(sl, &n, &id, &existed);
}

/* --- the handover report --- */

static json_t *
jtime(int64_t t)
{
	char buf[40];

	if (t == 0)
		return json_null();
	return json_string(when_format(t, true, buf, sizeof buf));
}

/* A member of o (a new reference), or null. */
static json_t *
jget(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v != NULL ? json_incref(v) : json_null();
}

/* A JSON value from a column that holds JSON text (or NULL). */
static json_t *
jcol_json(sqlite3_stmt *st, int i)
{
	const char *s = sl_col_text(st, i);
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_loads(s, JSON_DECODE_ANY, NULL);
	return j != NULL ? j : json_string(s);
}

struct report {
	struct shiftlog *sl;
	int64_t since, until, carry;
	json_t *doc;
};

static int
prep(struct report *r, const char *sql, sqlite3_stmt **st)
{
	int rc = sl_prepare(r->sl, sql, st, "build the handover");

	if (rc == 0) {
		int n = sqlite3_bind_parameter_count(*st), i;

		/* ?1 since, ?2 until, ?3 carry, where the SQL uses them. */
		for (i = 1; i <= n && i <= 3; i++) {
			if (sqlite3_bind_parameter_name(*st, i) == NULL)
				continue;
			sqlite3_bind_int64(*st, i, i == 1 ? r->since : i == 2 ?
			    r->until : r->carry);
		}
	}
	return rc;
}

static int
finish(struct report *r, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		rc = sl_db_error(r->sl, rc, "build the handover");
	else
		rc = 0;
	sqlite3_finalize(st);
	return rc;
}

static int
report_frame(struct report *r, const char *site)
{
	struct shiftlog_shift s;
	sqlite3_stmt *st;
	json_t *prev = json_null();
	int rc;

	json_object_set_new(r->doc, "site", jtext(site));
	json_object_set_new(r->doc, "shift_log", json_string(r->sl->path));
	json_object_set_new(r->doc, "generated", jtime(when_now()));
	json_object_set_new(r->doc, "since", jtime(r->since));
	json_object_set_new(r->doc, "until", jtime(r->until));
	json_object_set_new(r->doc, "since_us", json_integer(r->since));
	json_object_set_new(r->doc, "until_us", json_integer(r->until));
	json_object_set_new(r->doc, "carried_from", r->carry < r->since ?
	    jtime(r->carry) : json_null());
	json_object_set_new(r->doc, "generated_by", json_string(r->sl->who.user));
	/* The shift the report covers: the one open at its end, else the
	 * one that started last before it. */
	{
		char *where = xasprintf("WHERE started < %lld AND (ended IS NULL "
		    "OR ended > %lld) ORDER BY started DESC, id DESC LIMIT 1",
		    (long long)r->until, (long long)r->since);

		rc = read_shift(r->sl, where, &s);
		free(where);
		if (rc < 0)
			return rc;
	}
	json_object_set_new(r->doc, "shift", rc == 0 ? json_null() :
	    json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)s.id,
	    "operator", s.operator, "host", s.host, "started", jtime(s.started),
	    "ended", jtime(s.ended)));
	if ((rc = prep(r, "SELECT id, time, user, since, until, "
	    "coalesce(acked, 0), acked_by FROM handovers ORDER BY id DESC "
	    "LIMIT 1", &st)) < 0)
		return rc;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		prev = json_pack("{s:I, s:o, s:s, s:o, s:o, s:b, s:o, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "time", jtime(sqlite3_column_int64(st, 1)),
		    "by", sl_col_text(st, 2),
		    "since", jtime(sqlite3_column_int64(st, 3)),
		    "until", jtime(sqlite3_column_int64(st, 4)),
		    "acknowledged", sqlite3_column_int64(st, 5) != 0,
		    "acknowledged_at", jtime(sqlite3_column_int64(st, 5)),
		    "acknowledged_by", jtext(sl_col_text(st, 6)));
	json_object_set_new(r->doc, "previous_handover", prev);
	return finish(r, st, rc);
}

static json_t *
job_row(sqlite3_stmt *st, bool carried)
{
	/* id, kind, state, subject, requested_by, created, started,
	 * finished, progress, error, result, attempts, progress_subject,
	 * eta, priority */
	json_t *j = json_pack("{s:I, s:s, s:s, s:o, s:o}",
	    "id", (json_int_t)sqlite3_column_int64(st, 0),
	    "kind", sl_col_text(st, 1), "state", sl_col_text(st, 2),
	    "subject", jtext(sl_col_text(st, 3)),
	    "requested_by", jtext(sl_col_text(st, 4)));

	json_object_set_new(j, "created", jtime(sqlite3_column_int64(st, 5)));
	json_object_set_new(j, "started", jtime(sqlite3_column_int64(st, 6)));
	json_object_set_new(j, "finished", jtime(sqlite3_column_int64(st, 7)));
	json_object_set_new(j, "finished_us", json_integer(
	    sqlite3_column_int64(st, 7)));
	json_object_set_new(j, "progress", sqlite3_column_type(st, 8) ==
	    SQLITE_NULL ? json_null() : json_real(sqlite3_column_double(st, 8)));
	json_object_set_new(j, "error", jtext(sl_col_text(st, 9)));
	json_object_set_new(j, "result", jcol_json(st, 10));
	json_object_set_new(j, "attempts", json_integer(
	    sqlite3_column_int64(st, 11)));
	json_object_set_new(j, "progress_subject", jtext(sl_col_text(st, 12)));
	json_object_set_new(j, "eta_s", sqlite3_column_type(st, 13) ==
	    SQLITE_NULL ? json_null() : json_integer(
	    sqlite3_column_int64(st, 13)));
	json_object_set_new(j, "priority", json_integer(
	    sqlite3_column_int64(st, 14)));
	if (carried)
		json_object_set_new(j, "carried_over", json_true());
	return j;
}

/* Finished runs of one kind the report lists at most. */
#define ROUTINE_KEEP "4"

#define JOB_ROW "id, kind, state, subject, requested_by, created, " \
	"coalesce(started, 0), coalesce(finished, 0), progress, error, " \
	"result, attempts, progress_subject, eta, priority"

static int
list_jobs(struct report *r, const char *sql, json_t *arr, bool carry_flag)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(r, sql, &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(arr, job_row(st, carry_flag &&
		    sqlite3_column_int64(st, 7) < r->since));
	return finish(r, st, rc);
}

static int
count_into(struct report *r, const char *sql, json_t *obj)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = prep(r, sql, &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_object_set_new(obj, sl_col_text(st, 0),
		    json_integer(sqlite3_column_int64(st, 1)));
	return finish(r, st, rc);
}

static int
report_jobs(struct report *r)
{
	json_t *jobs = json_object(), *fin = json_object(), *now = json_object();
	json_t *failed = json_array(), *done = json_array(), *run = json_array();
	json_t *queued = json_array(), *bykind = json_object();
	int rc;

	json_object_set_new(r->doc, "jobs", jobs);
	json_object_set_new(jobs, "finished", fin);
	json_object_set_new(jobs, "now", now);
	json_object_set_new(jobs, "failed", failed);
	json_object_set_new(jobs, "done", done);
	json_object_set_new(jobs, "done_by_kind", bykind);
	json_object_set_new(jobs, "running", run);
	json_object_set_new(jobs, "queued", queued);
	if ((rc = count_into(r, "SELECT state, count(*) FROM jobs WHERE "
	    "finished >= ?1 AND finished < ?2 GROUP BY state", fin)) < 0 ||
	    (rc = count_into(r, "SELECT state, count(*) FROM jobs WHERE "
	    "state IN ('queued', 'running', 'paused') GROUP BY state", now)) < 0 ||
	    (rc = count_into(r, "SELECT kind, count(*) FROM jobs WHERE "
	    "finished >= ?1 AND finished < ?2 AND state = 'done' GROUP BY kind "
	    "ORDER BY kind", bykind)) < 0)
		return rc;
	/* Failed and interrupted jobs still in that state are open items:
	 * they carry over from before the report's start. */
	if ((rc = list_jobs(r, "SELECT " JOB_ROW " FROM jobs WHERE "
	    "finished >= ?3 AND finished < ?2 AND state IN ('failed', "
	    "'interrupted') ORDER BY finished LIMIT 200", failed, true)) < 0 ||
	    /* The newest 50, at most ROUTINE_KEEP of a kind, so that a job
	     * run every five minutes does not push the night's work out. */
	    (rc = list_jobs(r, "SELECT * FROM (SELECT " JOB_ROW " FROM "
	    "(SELECT *, row_number() OVER (PARTITION BY kind ORDER BY "
	    "finished DESC, id DESC) AS kind_rank FROM jobs WHERE finished >= "
	    "?1 AND finished < ?2 AND state IN ('done', 'cancelled')) WHERE "
	    "kind_rank <= " ROUTINE_KEEP " ORDER BY finished DESC LIMIT 50) "
	    "ORDER BY 8", done, false)) < 0 ||
	    (rc = list_jobs(r, "SELECT " JOB_ROW " FROM jobs WHERE state IN "
	    "('running', 'paused') ORDER BY id LIMIT 50", run, false)) < 0 ||
	    (rc = list_jobs(r, "SELECT " JOB_ROW " FROM jobs WHERE state = "
	    "'queued' ORDER BY priority DESC, id LIMIT 20", queued, false)) < 0)
		return rc;
	return 0;
}

/* QC verdicts: the jobs finished in the window that are QC jobs or
 * reported warnings or errors as findings. A verdict the job gave in its result wins;
 * otherwise errors fail, warnings warn, none pass. */
static int
report_qc(struct report *r)
{
	json_t *qc = json_object(), *runs = json_array(), *tally = json_object();
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(r->doc, "qc", qc);
	json_object_set_new(qc, "runs", runs);
	json_object_set_new(qc, "verdicts", tally);
	if ((rc = prep(r, "SELECT id, kind, state, subject, finished, "
	    "(SELECT count(*) FROM findings f WHERE f.job_id = j.id AND "
	    "  f.severity = 'error'), "
	    "(SELECT count(*) FROM findings f WHERE f.job_id = j.id AND "
	    "  f.severity = 'warning'), "
	    "CASE WHEN json_valid(result) THEN result ->> '$.verdict' END, "
	    "(SELECT group_concat(code || coalesce(' at ' || position, ''), "
	    "  '; ') FROM (SELECT code, position FROM findings f WHERE "
	    "  f.job_id = j.id AND f.severity = 'error' ORDER BY f.id LIMIT 5)) "
	    "FROM jobs j WHERE finished >= ?1 AND finished < ?2 AND "
	    "(kind LIKE 'qc.%' OR EXISTS (SELECT 1 FROM findings f WHERE "
	    "f.job_id = j.id AND f.severity <> 'info')) ORDER BY finished "
	    "LIMIT 200", &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t errors = sqlite3_column_int64(st, 5);
		int64_t warnings = sqlite3_column_int64(st, 6);
		const char *given = sl_col_text(st, 7), *verdict;
		json_t *n;

		if (given != NULL)
			verdict = given;
		else if (strcmp(sl_col_text(st, 2), "done") != 0)
			verdict = "not finished";
		else
			verdict = errors > 0 ? "fail" : warnings > 0 ? "warning" :
			    "pass";
		json_array_append_new(runs, json_pack("{s:I, s:s, s:s, s:o, "
		    "s:o, s:s, s:I, s:I, s:o}",
		    "job", (json_int_t)sqlite3_column_int64(st, 0),
		    "kind", sl_col_text(st, 1), "state", sl_col_text(st, 2),
		    "subject", jtext(sl_col_text(st, 3)),
		    "finished", jtime(sqlite3_column_int64(st, 4)),
		    "verdict", verdict, "errors", (json_int_t)errors,
		    "warnings", (json_int_t)warnings,
		    "failures", jtext(sl_col_text(st, 8))));
		n = json_object_get(tally, verdict);
		json_object_set_new(tally, verdict, json_integer(n != NULL ?
		    json_integer_value(n) + 1 : 1));
	}
	return finish(r, st, rc);
}

/* Deliveries (sent and received) and physical asset movements of the
 * window, from the delivery duty's tables, as rows of {id, time, job,
 * type, data}; an empty list says none were recorded. */
static int
report_rows(struct report *r, const char *name, const char *source,
    const char *sql)
{
	json_t *sec = json_object(), *rows = json_array();
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(r->doc, name, sec);
	json_object_set_new(sec, "source", json_string(source));
	json_object_set_new(sec, "recorded", rows);
	if ((rc = prep(r, sql, &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(rows, json_pack("{s:I, s:o, s:o, s:s, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "time", jtime(sqlite3_column_int64(st, 1)),
		    "job", sqlite3_column_int64(st, 2) != 0 ?
		    json_integer(sqlite3_column_int64(st, 2)) : json_null(),
		    "type", sl_col_text(st, 3), "data", jcol_json(st, 4)));
	return finish(r, st, rc);
}

static int
report_deliveries(struct report *r)
{
	return report_rows(r, "deliveries", "deliveries",
	    "SELECT id, coalesce(finished, started), coalesce(job_id, 0), "
	    "CASE direction WHEN 'in' THEN 'receipt' ELSE 'delivery' END, "
	    "json_object('destination', destination, 'target', target, "
	    "'path', path, 'client', client, 'status', status, 'files', "
	    "files, 'bytes', bytes, 'verified_by', verified_by, 'message', "
	    "message) FROM deliveries WHERE coalesce(finished, started) >= ?1 "
	    "AND coalesce(finished, started) < ?2 ORDER BY 2 LIMIT 200");
}

static int
report_assets(struct report *r)
{
	return report_rows(r, "assets", "asset_custody",
	    "SELECT c.id, c.time, 0, 'asset ' || c.action, json_object("
	    "'label', a.label, 'format', a.format, 'client', a.client, "
	    "'location', c.location, 'courier', c.courier, 'reference', "
	    "c.reference, 'signed_by', c.signed_by) FROM asset_custody c "
	    "JOIN assets a ON a.id = c.asset_id WHERE c.time >= ?1 AND "
	    "c.time < ?2 ORDER BY c.time LIMIT 200");
}

static json_t *
incident_json(const struct shiftlog_incident *x)
{
	json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:o}",
	    "id", (json_int_t)x->id, "key", jtext(x->key), "state", x->state,
	    "severity", x->severity, "title", x->title,
	    "owner", jtext(x->owner),
	    "job", x->job_id != 0 ? json_integer(x->job_id) : json_null());

	json_object_set_new(j, "opened", jtime(x->opened));
	json_object_set_new(j, "opened_by", jtext(x->opened_by));
	json_object_set_new(j, "acknowledged", jtime(x->acked));
	json_object_set_new(j, "acknowledged_by", jtext(x->acked_by));
	json_object_set_new(j, "resolved", jtime(x->resolved));
	json_object_set_new(j, "resolved_by", jtext(x->resolved_by));
	json_object_set_new(j, "resolution", jtext(x->resolution));
	json_object_set_new(j, "updated", jtime(x->updated));
	json_object_set_new(j, "seen", json_integer(x->seen));
	json_object_set_new(j, "updates", json_integer(x->updates));
	json_object_set_new(j, "last_message", jtext(x->last_message));
	return j;
}

static int
report_incidents(struct report *r)
{
	json_t *open = json_array(), *resolved = json_array();
	struct shiftlog_incident x;
	sqlite3_stmt *st;
	int rc;

	json_object_set_new(r->doc, "incidents", open);
	json_object_set_new(r->doc, "incidents_resolved", resolved);
	if ((rc = prep(r, "SELECT " INCIDENT_COLUMNS " FROM incidents i WHERE "
	    "i.state <> 'resolved' ORDER BY CASE i.severity WHEN 'critical' "
	    "THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 ELSE 3 END, "
	    "i.id LIMIT 200", &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_incident(st, &x);
		json_array_append_new(open, incident_json(&x));
	}
	if ((rc = finish(r, st, rc)) < 0)
		return rc;
	if ((rc = prep(r, "SELECT " INCIDENT_COLUMNS " FROM incidents i WHERE "
	    "i.resolved >= ?1 AND i.resolved < ?2 ORDER BY i.resolved "
	    "LIMIT 200", &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_incident(st, &x);
		json_array_append_new(resolved, incident_json(&x));
	}
	return finish(r, st, rc);
}

/* Storage: each volume's newest sample and level, and how soon it fills
 * at the rate it grew over the last week (at least an hour of samples). */
static int
report_storage(struct report *r)
{
	json_t *vols = json_array(), *alarms = json_array();
	sqlite3_stmt *st, *old;
	int rc;

	json_object_set_new(r->doc, "storage", vols);
	json_object_set_new(r->doc, "storage_events", alarms);
	/* The volumes by a skip-scan of the index (one seek each, however
	 * long the history), then each one's newest sample. */
	if ((rc = prep(r, "WITH RECURSIVE k(key) AS (SELECT min(key) FROM "
	    "samples WHERE series = 'storage.volume' UNION ALL SELECT (SELECT "
	    "min(key) FROM samples WHERE series = 'storage.volume' AND key > "
	    "k.key) FROM k WHERE k.key IS NOT NULL) "
	    "SELECT s.key, s.time, s.data FROM k JOIN samples s ON s.id = "
	    "(SELECT id FROM samples WHERE series = 'storage.volume' AND "
	    "key = k.key ORDER BY time DESC LIMIT 1) ORDER BY s.key", &st)) < 0)
		return rc;
	if ((rc = prep(r, "SELECT time, data ->> '$.used' FROM samples WHERE "
	    "series = 'storage.volume' AND key = ?4 AND time >= ?5 ORDER BY "
	    "series, key, time LIMIT 1", &old)) < 0) {
		sqlite3_finalize(st);
		return rc;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = sl_col_text(st, 0);
		int64_t t = sqlite3_column_int64(st, 1);
		json_t *d = jcol_json(st, 2), *v;
		double used = json_number_value(json_object_get(d, "used"));
		double avail = json_number_value(json_object_get(d, "avail"));
		json_t *full = json_null(), *growth = json_null();
		const char *level = json_string_value(json_object_get(d,
		    "level"));

		sqlite3_reset(old);
		sl_bind_text(old, 4, key);
		sqlite3_bind_int64(old, 5, t - 7 * US_PER_DAY);
		if (sqlite3_step(old) == SQLITE_ROW) {
			int64_t t0 = sqlite3_column_int64(old, 0);
			double u0 = sqlite3_column_double(old, 1);

			if (t - t0 >= US_PER_HOUR) {
				double per_day = (used - u0) /
				    ((double)(t - t0) / (double)US_PER_DAY);

				growth = json_real(per_day);
				if (per_day > 0)
					full = json_real(avail / per_day);
			}
		}
		v = json_pack("{s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:o, s:o, "
		    "s:o, s:o}",
		    "volume", key, "path", jget(d, "path"),
		    "level", level != NULL ? level : "unknown",
		    "used_fraction", jget(d, "used_fraction"),
		    "total", jget(d, "total"), "avail", jget(d, "avail"),
		    "warn", jget(d, "warn"), "crit", jget(d, "crit"),
		    "sampled", jtime(t), "growth_per_day", growth,
		    "full_in_days", full);
		json_object_set_new(v, "alarm", json_boolean((level != NULL &&
		    strcmp(level, "ok") != 0) || (json_is_real(full) &&
		    json_real_value(full) <= FULL_WARN_DAYS)));
		json_array_append_new(vols, v);
		json_decref(d);
	}
	sqlite3_finalize(old);
	if ((rc = finish(r, st, rc)) < 0)
		return rc;
	if ((rc = prep(r, "SELECT time, severity, kind, subject, message FROM "
	    "events WHERE time >= ?1 AND time < ?2 AND kind LIKE 'storage.%' "
	    "AND severity IN ('warning', 'error', 'critical') ORDER BY time "
	    "LIMIT 50", &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(alarms, json_pack("{s:o, s:s, s:s, s:o, s:s}",
		    "time", jtime(sqlite3_column_int64(st, 0)),
		    "severity", sl_col_text(st, 1), "kind", sl_col_text(st, 2),
		    "subject", jtext(sl_col_text(st, 3)),
		    "message", sl_col_text(st, 4)));
	return finish(r, st, rc);
}

static int
report_notes(struct report *r)
{
	json_t *notes = json_array();
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc;

	json_object_set_new(r->doc, "notes", notes);
	if ((rc = prep(r, "SELECT n.id, n.time, n.user, n.text, "
	    "coalesce(n.job_id, 0), (SELECT json_group_array(json_object("
	    "'type', type, 'ref', ref)) FROM note_links l WHERE l.note_id = "
	    "n.id) FROM notes n WHERE n.handover <> 0 AND n.time >= ?3 AND "
	    "n.time < ?2 ORDER BY n.time LIMIT 200", &st)) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:o, s:o}",
		    "id", (json_int_t)sqlite3_column_int64(st, 0),
		    "time", jtime(sqlite3_column_int64(st, 1)),
		    "user", sl_col_text(st, 2), "text", sl_col_text(st, 3),
		    "job", sqlite3_column_int64(st, 4) != 0 ?
		    json_integer(sqlite3_column_int64(st, 4)) : json_null(),
		    "links", jcol_json(st, 5));

		if (sqlite3_column_int64(st, 1) < r->since)
			json_object_set_new(j, "carried_over", json_true());
		json_array_append_new(notes, j);
	}
	if ((rc = finish(r, st, rc)) < 0)
		return rc;
	if ((rc = prep(r, "SELECT count(*) FROM events WHERE kind = 'note' AND "
	    "time >= ?1 AND time < ?2", &st)) < 0 ||
	    (rc = step_int(r->sl, st, &n, "build the handover")) < 0)
		return rc;
	json_object_set_new(r->doc, "notes_in_window", json_integer(n));
	return 0;
}

static int
report_events(struct report *r)
{
	json_t *sev = json_object();

	json_object_set_new(r->doc, "events", sev);
	return count_into(r, "SELECT severity, count(*) FROM events WHERE "
	    "time >= ?1 AND time < ?2 GROUP BY severity", sev);
}

/* Where open items carry from: the end of the last acknowledged
 * handover, or else the start of the oldest one never acknowledged, at
 * most a week back; never after since. */
static int
carry_from(struct report *r)
{
	sqlite3_stmt *st;
	int64_t t = 0;
	int rc;

	if ((rc = prep(r, "SELECT coalesce((SELECT max(until) FROM handovers "
	    "WHERE acked IS NOT NULL), (SELECT min(since) FROM handovers), 0)",
	    &st)) < 0 ||
	    (rc = step_int(r->sl, st, &t, "build the handover")) < 0)
		return rc;
	r->carry = r->since;
	if (t != 0 && t < r->since)
		r->carry = t < r->since - CARRY_MAX_US ? r->since - CARRY_MAX_US :
		    t;
	return 0;
}

int
shiftlog_handover_report(struct shiftlog *sl, int64_t since, int64_t until,
    const char *site, char **out)
{
	struct report r = { .sl = sl, .since = since, .until = until };
	int rc;

	*out = NULL;
	if (since >= until) {
		sl_set_error(sl, "the handover's start is not before its end");
		return SHIFTLOG_INVALID;
	}
	r.doc = json_object();
	/* One read transaction: every section sees the same log. */
	if ((rc = sl_exec(sl, "BEGIN", "build the handover")) < 0)
		goto out;
	if ((rc = carry_from(&r)) < 0 ||
	    (rc = report_frame(&r, site)) < 0 ||
	    (rc = report_jobs(&r)) < 0 ||
	    (rc = report_qc(&r)) < 0 ||
	    (rc = report_deliveries(&r)) < 0 ||
	    (rc = report_assets(&r)) < 0 ||
	    (rc = report_incidents(&r)) < 0 ||
	    (rc = report_storage(&r)) < 0 ||
	    (rc = report_notes(&r)) < 0 ||
	    (rc = report_events(&r)) < 0)
		goto out;
	*out = json_dumps(r.doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (*out == NULL)
		fatal("cannot write the handover as JSON");
out:
	sqlite3_exec(sl->db, "COMMIT", NULL, NULL, NULL);
	json_decref(r.doc);
	return rc;
}

/* Minutes after local midnight -> the newest such instant <= until. */
int64_t
shiftlog_handover_default_since(struct shiftlog *sl, const int *times,
    size_t n, int64_t until)
{
	struct shiftlog_shift s;
	int64_t best = 0;
	time_t t = (time_t)(until / WHEN_US_PER_SEC);
	struct tm tm;
	size_t i;
	int day;

	if (read_shift(sl, "WHERE ended IS NULL", &s) > 0 && s.started < until)
		return s.started;
	for (day = 0; day < 2; day++) {
		for (i = 0; i < n; i++) {
			time_t c;

			localtime_r(&t, &tm);
			tm.tm_mday -= day;
			tm.tm_hour = times[i] / 60;
			tm.tm_min = times[i] % 60;
			tm.tm_sec = 0;
			tm.tm_isdst = -1;
			c = mktime(&tm);
			if (c != (time_t)-1 && (int64_t)c * WHEN_US_PER_SEC <
			    until && (int64_t)c * WHEN_US_PER_SEC > best)
				best = (int64_t)c * WHEN_US_PER_SEC;
		}
	}
	return best != 0 ? best : until - 12 * US_PER_HOUR;
}

static int
record_locked(struct shiftlog *sl, int64_t since, int64_t until,
    const char *report, int64_t *id)
{
	struct shiftlog_shift s;
	sqlite3_stmt *st;
	char a[40], b[40], data[96];
	int64_t ev, next;
	int rc;

	if ((rc = sl_query_int(sl, "SELECT coalesce(max(id), 0) + 1 FROM "
	    "handovers", &next, "record the handover")) < 0)
		return rc;
	strutil_format(data, sizeof data, "{\"handover\":%lld}",
	    (long long)next);
	if ((rc = append(sl, "handover.given", "notice", 0, NULL, data, &ev,
	    "handover %lld for %s to %s given by %s", (long long)next,
	    when_format(since, false, a, sizeof a),
	    when_format(until, false, b, sizeof b), sl->who.user)) < 0)
		return rc;
	if ((rc = read_shift(sl, "WHERE ended IS NULL OR id = (SELECT max(id) "
	    "FROM shifts) ORDER BY ended IS NULL DESC LIMIT 1", &s)) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "INSERT INTO handovers (id, time, user, host, "
	    "shift_id, since, until, report, event_id) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?)", &st, "record the handover")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, next);
	sqlite3_bind_int64(st, 2, when_now());
	sl_bind_text(st, 3, sl->who.user);
	sl_bind_text(st, 4, sl->who.host);
	if (s.id != 0)
		sqlite3_bind_int64(st, 5, s.id);
	sqlite3_bind_int64(st, 6, since);
	sqlite3_bind_int64(st, 7, until);
	sl_bind_text(st, 8, report);
	sqlite3_bind_int64(st, 9, ev);
	if ((rc = sl_step_done(sl, st, "record the handover")) < 0)
		return rc;
	*id = next;
	return 0;
}

int
shiftlog_handover_record(struct shiftlog *sl, int64_t since, int64_t until,
    const char *report, int64_t *id)
{
	int rc;

	if ((rc = sl_begin_write(sl, "record the handover")) < 0)
		return rc;
	return sl_commit(sl, record_locked(sl, since, until, report, id),
	    "record the handover");
}

int
shiftlog_handover_ack(struct shiftlog *sl, int64_t since, int64_t until,
    const char *report, struct shiftlog_handover_ack *ack)
{
	sqlite3_stmt *st;
	char data[96], a[40], b[40];
	int64_t ev, now = when_now(), id = 0;
	int rc;

	memset(ack, 0, sizeof *ack);
	if ((rc = sl_begin_write(sl, "acknowledge the handover")) < 0)
		return rc;
	if ((rc = sl_query_int(sl, "SELECT coalesce(max(id), 0) FROM handovers "
	    "WHERE acked IS NULL", &id, "acknowledge the handover")) < 0)
		goto out;
	if (id == 0 && (rc = record_locked(sl, since, until, report, &id)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "SELECT since, until, user, time, (SELECT "
	    "count(*) FROM handovers WHERE acked IS NULL AND id < ?1) FROM "
	    "handovers WHERE id = ?1", &st, "acknowledge the handover")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ack->id = id;
		ack->since = sqlite3_column_int64(st, 0);
		ack->until = sqlite3_column_int64(st, 1);
		strutil_copy(ack->given_by, sl_col_text(st, 2),
		    sizeof ack->given_by);
		ack->given = sqlite3_column_int64(st, 3);
		ack->superseded = sqlite3_column_int64(st, 4);
	}
	sqlite3_finalize(st);
	if (ack->id == 0) {
		rc = sl_db_error(sl, rc, "acknowledge the handover");
		goto out;
	}
	strutil_format(data, sizeof data, "{\"handover\":%lld}", (long long)id);
	if ((rc = append(sl, "handover.acknowledged", "notice", 0, NULL, data,
	    &ev, "handover %lld (%s to %s, given by %s) acknowledged by %s on "
	    "%s%s", (long long)id, when_format(ack->since, false, a, sizeof a),
	    when_format(ack->until, false, b, sizeof b), ack->given_by,
	    sl->who.user, sl->who.host, ack->superseded > 0 ?
	    ", with the older handovers it carries" : "")) < 0)
		goto out;
	/* The newest report carries the open items of older ones, so its
	 * acknowledgement covers them. */
	if ((rc = sl_prepare(sl, "UPDATE handovers SET acked = ?, acked_by = ?, "
	    "acked_host = ?, ack_event_id = ? WHERE acked IS NULL AND id <= ?",
	    &st, "acknowledge the handover")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, now);
	sl_bind_text(st, 2, sl->who.user);
	sl_bind_text(st, 3, sl->who.host);
	sqlite3_bind_int64(st, 4, ev);
	sqlite3_bind_int64(st, 5, id);
	rc = sl_step_done(sl, st, "acknowledge the handover");
out:
	return sl_commit(sl, rc, "acknowledge the handover");
}

/* --- digests --- */

int
shiftlog_digest_done(struct shiftlog *sl, const char *slot)
{
	sqlite3_stmt *st;
	int64_t n = 0;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT 1 FROM digests WHERE slot = ?", &st,
	    "check the digests")) < 0)
		return rc;
	sl_bind_text(st, 1, slot);
	return step_int(sl, st, &n, "check the digests");
}

int
shiftlog_digest_record(struct shiftlog *sl, const char *slot, int64_t since,
    int64_t until, const char *summary, const char *data, const char *outcome)
{
	sqlite3_stmt *st;
	int64_t ev;
	int rc;

	if ((rc = sl_begin_write(sl, "record the digest")) < 0)
		return rc;
	if ((rc = append(sl, "digest", "notice", 0, slot, data, &ev, "%s",
	    summary)) < 0 ||
	    (rc = sl_prepare(sl, "INSERT INTO digests (slot, time, since, until, "
	    "event_id, outcome) VALUES (?, ?, ?, ?, ?, ?)", &st,
	    "record the digest")) < 0)
		goto out;
	sl_bind_text(st, 1, slot);
	sqlite3_bind_int64(st, 2, when_now());
	sqlite3_bind_int64(st, 3, since);
	sqlite3_bind_int64(st, 4, until);
	sqlite3_bind_int64(st, 5, ev);
	sl_bind_text(st, 6, outcome);
	rc = sl_step_done(sl, st, "record the digest");
out:
	return sl_commit(sl, rc, "record the digest");
}
