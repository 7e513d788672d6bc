/*
 * shiftlog-jobs: jobs, operators' requests and what workers report, in the
 * shift log. Any mcr process may queue a job or file a request; only mcrd
 * changes a job's state afterwards, and every change appends a job.* event
 * in the same transaction, so `mcr log` tells a job's whole life.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "shiftlog-private.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define JOB_COLUMNS \
	"j.id, j.kind, j.state, j.priority, j.params, j.subject, " \
	"j.requested_by, j.requested_host, j.created, j.started, j.finished, " \
	"j.progress, j.rate, j.rate_unit, j.eta, j.progress_subject, " \
	"j.attempts, j.error, j.result, j.timeout, j.not_before, j.pid, " \
	"j.pid_start, " \
	"(SELECT group_concat(after_id) FROM job_deps WHERE job_id = j.id), " \
	"(SELECT count(*) FROM job_deps d JOIN jobs a ON a.id = d.after_id " \
	"  WHERE d.job_id = j.id AND a.state <> 'done'), " \
	"(SELECT a.id FROM job_deps d JOIN jobs a ON a.id = d.after_id " \
	"  WHERE d.job_id = j.id AND a.state IN ('failed', 'cancelled', " \
	"  'interrupted') LIMIT 1), " \
	"(SELECT a.state FROM job_deps d JOIN jobs a ON a.id = d.after_id " \
	"  WHERE d.job_id = j.id AND a.state IN ('failed', 'cancelled', " \
	"  'interrupted') LIMIT 1)"

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

int
shiftlog_begin(struct shiftlog *sl)
{
	return sl_begin_write(sl, "record job updates");
}

int
shiftlog_end(struct shiftlog *sl, int rc)
{
	return sl_commit(sl, rc, "record job updates");
}

int
shiftlog_data_version(struct shiftlog *sl, int64_t *version)
{
	return sl_query_int(sl, "PRAGMA data_version", version,
	    "check for changes");
}

int
shiftlog_watch(struct shiftlog *sl)
{
	const char *wal = sqlite3_filename_wal(sqlite3_db_filename(sl->db,
	    "main"));
	int fd;

	if (wal == NULL || wal[0] == '\0' ||
	    (fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -1;
	if (inotify_add_watch(fd, wal, IN_MODIFY) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
shiftlog_settle_next(int prev_ms)
{
	return prev_ms <= 0 ? 1 : prev_ms < 64 ? prev_ms * 2 : 0;
}

int
shiftlog_watch_drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct
	    inotify_event))));
	const struct inotify_event *ev;
	ssize_t n;
	char *p;
	int rc = 0;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + n; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_IGNORED)
				return -1;
			rc = 1;
		}
	}
	return n < 0 && errno != EAGAIN && errno != EINTR ? -1 : rc;
}

double
sl_col_double(sqlite3_stmt *st, int i, double none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none :
	    sqlite3_column_double(st, i);
}

const char *
sl_col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static void
row_to_job(sqlite3_stmt *st, struct shiftlog_job *j)
{
	j->id = sqlite3_column_int64(st, 0);
	j->kind = sl_col_text(st, 1);
	j->state = sl_col_text(st, 2);
	j->priority = sqlite3_column_int64(st, 3);
	j->params = sl_col_text(st, 4);
	j->subject = sl_col_text(st, 5);
	j->requested_by = sl_col_text(st, 6);
	j->requested_host = sl_col_text(st, 7);
	j->created = sqlite3_column_int64(st, 8);
	j->started = sqlite3_column_int64(st, 9);
	j->finished = sqlite3_column_int64(st, 10);
	j->progress = sl_col_double(st, 11, -1);
	j->rate = sl_col_double(st, 12, -1);
	j->rate_unit = sl_col_text(st, 13);
	j->eta = (int64_t)sl_col_double(st, 14, -1);
	j->progress_subject = sl_col_text(st, 15);
	j->attempts = sqlite3_column_int64(st, 16);
	j->error = sl_col_text(st, 17);
	j->result = sl_col_text(st, 18);
	j->timeout_ms = sqlite3_column_int64(st, 19);
	j->not_before = sqlite3_column_int64(st, 20);
	j->pid = sqlite3_column_int64(st, 21);
	j->pid_start = sqlite3_column_int64(st, 22);
	j->after = sl_col_text(st, 23);
	j->deps_pending = sqlite3_column_int64(st, 24);
	j->dep_dead = sqlite3_column_int64(st, 25);
	j->dep_dead_state = sl_col_text(st, 26);
}

int
shiftlog_jobs(struct shiftlog *sl, const struct shiftlog_job_filter *f,
    int (*cb)(const struct shiftlog_job *, void *), void *arg)
{
	static const char where[] =
	    " WHERE (?1 = 0 OR j.id = ?1)"
	    " AND (?2 IS NULL OR j.state = ?2)"
	    " AND (?3 IS NULL OR j.kind = ?3 OR substr(j.kind, 1,"
	    "      length(?3) + 1) = ?3 || '.')";
	struct shiftlog_job job;
	sqlite3_stmt *st = NULL;
	char *sql;
	int rc;

	if (f->runnable)
		/* Jobs still waiting for a dependency are left out here, so
		 * that a limit cannot fill up with them. */
		sql = xasprintf("SELECT " JOB_COLUMNS " FROM jobs j%s"
		    " AND j.state = 'queued' AND (j.not_before IS NULL OR"
		    " j.not_before <= ?5) AND NOT EXISTS (SELECT 1 FROM"
		    " job_deps d JOIN jobs a ON a.id = d.after_id WHERE"
		    " d.job_id = j.id AND a.state IN ('queued', 'running',"
		    " 'paused'))"
		    " ORDER BY j.priority DESC, j.id%s", where,
		    f->limit > 0 ? " LIMIT ?4" : "");
	else if (f->active)
		sql = xasprintf("SELECT " JOB_COLUMNS " FROM jobs j%s"
		    " AND j.state IN ('queued', 'running', 'paused')"
		    " ORDER BY j.id", where);
	else if (f->limit > 0)
		sql = xasprintf("SELECT * FROM (SELECT " JOB_COLUMNS
		    " FROM jobs j%s ORDER BY j.id DESC LIMIT ?4)"
		    " ORDER BY 1", where);
	else
		sql = xasprintf("SELECT " JOB_COLUMNS " FROM jobs j%s"
		    " ORDER BY j.id", where);
	rc = sl_prepare(sl, sql, &st, "read jobs");
	free(sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, f->id);
	sl_bind_text(st, 2, f->state);
	sl_bind_text(st, 3, f->kind);
	if (f->limit > 0 && !f->active)
		sqlite3_bind_int64(st, 4, f->limit);
	if (f->runnable)
		sqlite3_bind_int64(st, 5, when_now());
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_job(st, &job);
		if ((rc = cb(&job, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read jobs");
out:
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_job_ids(struct shiftlog *sl, const char *text,
    enum shiftlog_job_order order, int64_t **ids, size_t *n)
{
	static const char *const orders[] = {
		[SHIFTLOG_JOBS_NEWEST] = "id DESC",
		[SHIFTLOG_JOBS_PRIORITY] = "priority DESC, id DESC",
		[SHIFTLOG_JOBS_STATE] = "state, id DESC",
		[SHIFTLOG_JOBS_KIND] = "kind, id DESC",
	};
	sqlite3_stmt *st;
	char *sql, *pattern = NULL;
	size_t cap = 0, i, k;
	int rc;

	*ids = NULL;
	*n = 0;
	sql = xasprintf("SELECT id FROM jobs WHERE ?1 IS NULL OR "
	    "kind LIKE ?1 ESCAPE '\\' OR state LIKE ?1 ESCAPE '\\' OR "
	    "subject LIKE ?1 ESCAPE '\\' OR requested_by LIKE ?1 ESCAPE "
	    "'\\' OR error LIKE ?1 ESCAPE '\\' OR CAST(id AS TEXT) = ?2 "
	    "ORDER BY %s", orders[order]);
	rc = sl_prepare(sl, sql, &st, "list jobs");
	free(sql);
	if (rc < 0)
		return rc;
	if (text != NULL && *text != '\0') {
		/* A substring match: % and _ in the text are literal. */
		pattern = xmalloc(2 * strlen(text) + 3);
		k = 0;
		pattern[k++] = '%';
		for (i = 0; text[i] != '\0'; i++) {
			if (text[i] == '%' || text[i] == '_' || text[i] == '\\')
				pattern[k++] = '\\';
			pattern[k++] = text[i];
		}
		pattern[k++] = '%';
		pattern[k] = '\0';
		sl_bind_text(st, 1, pattern);
		sl_bind_text(st, 2, text);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 1024;
			*ids = xrealloc(*ids, cap * sizeof **ids);
		}
		(*ids)[(*n)++] = sqlite3_column_int64(st, 0);
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "list jobs");
	sqlite3_finalize(st);
	free(pattern);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

int
shiftlog_jobs_by_id(struct shiftlog *sl, const int64_t *ids, size_t n,
    int (*cb)(const struct shiftlog_job *, void *), void *arg)
{
	struct shiftlog_job job;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT " JOB_COLUMNS " FROM jobs j "
	    "WHERE j.id = ?", &st, "read jobs")) < 0)
		return rc;
	/* One indexed lookup per id: a screenful, in the caller's order. */
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, ids[i]);
		if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			row_to_job(st, &job);
			if ((rc = cb(&job, arg)) != 0)
				break;
		} else if (rc != SQLITE_DONE) {
			rc = sl_db_error(sl, rc, "read jobs");
			break;
		}
		rc = 0;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_jobs_mark(struct shiftlog *sl, int64_t *mark)
{
	/* Every submit and every change of state appends a job.* event,
	 * so the newest event's id moves whenever the list may have. */
	return sl_query_int(sl, "SELECT max(id) FROM events", mark,
	    "check for new jobs");
}

/* Appends one event about job inside the open transaction. */
static int
job_event(struct shiftlog *sl, int64_t job, const char *severity,
    const char *kind, const char *subject, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static int
job_event(struct shiftlog *sl, int64_t job, const char *severity,
    const char *kind, const char *subject, const char *fmt, ...)
{
	struct shiftlog_event ev = { .kind = kind, .severity = severity,
	    .job_id = job, .subject = subject };
	va_list ap;
	char *msg;
	int rc;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	ev.message = msg;
	rc = sl_append_locked(sl, &ev, 1);
	free(msg);
	return rc;
}

int
sl_step_done(struct shiftlog *sl, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, what);
	sqlite3_finalize(st);
	return rc;
}

/* The job's kind and subject, for the text of its events. */
static int
job_names(struct shiftlog *sl, int64_t id, char *kind, size_t klen,
    char *subject, size_t slen, char *state, size_t stlen)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT kind, subject, state FROM jobs "
	    "WHERE id = ?", &st, "read a job")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		strutil_copy(kind, sl_col_text(st, 0), klen);
		strutil_copy(subject, sl_col_text(st, 1) ? sl_col_text(st, 1) : "",
		    slen);
		strutil_copy(state, sl_col_text(st, 2), stlen);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		sl_set_error(sl, "there is no job %lld; 'mcr jobs' lists them",
		    (long long)id);
		rc = SHIFTLOG_INVALID;
	} else
		rc = sl_db_error(sl, rc, "read a job");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_job_submit(struct shiftlog *sl, const struct shiftlog_submit *s,
    int64_t *id)
{
	char kind[128], subject[512], state[32];
	sqlite3_stmt *st = NULL;
	int64_t new_id = 0;
	bool own;
	size_t i;
	int rc;

	if (s->kind == NULL || strchr(s->kind, '.') == NULL) {
		sl_set_error(sl, "'%s' is not a job kind; kinds are written "
		    "PLUGIN.verb", s->kind ? s->kind : "");
		return SHIFTLOG_INVALID;
	}
	if ((rc = txn_begin(sl, &own, "queue a job")) < 0)
		return rc;
	for (i = 0; i < s->nafter; i++) {
		if ((rc = job_names(sl, s->after[i], kind, sizeof kind, subject,
		    sizeof subject, state, sizeof state)) < 0) {
			sl_set_error(sl, "cannot queue the job after job %lld: "
			    "there is no such job", (long long)s->after[i]);
			goto out;
		}
	}
	if ((rc = sl_prepare(sl, "INSERT INTO jobs (kind, priority, params, "
	    "subject, requested_by, requested_host, created, timeout) "
	    "VALUES (?, ?, coalesce(?, '{}'), ?, ?, ?, ?, ?)", &st,
	    "queue a job")) < 0)
		goto out;
	sl_bind_text(st, 1, s->kind);
	sqlite3_bind_int64(st, 2, s->priority);
	sl_bind_text(st, 3, s->params);
	sl_bind_text(st, 4, s->subject);
	sl_bind_text(st, 5, sl->who.user);
	sl_bind_text(st, 6, sl->who.host);
	sqlite3_bind_int64(st, 7, when_now());
	if (s->timeout_ms > 0)
		sqlite3_bind_int64(st, 8, s->timeout_ms);
	if ((rc = sl_step_done(sl, st, "queue a job")) < 0)
		goto out;
	/* Not *id yet: it may be the caller's after[]. */
	new_id = sqlite3_last_insert_rowid(sl->db);
	for (i = 0; i < s->nafter; i++) {
		if ((rc = sl_prepare(sl, "INSERT OR IGNORE INTO job_deps "
		    "(job_id, after_id) VALUES (?, ?)", &st,
		    "record a dependency")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, new_id);
		sqlite3_bind_int64(st, 2, s->after[i]);
		if ((rc = sl_step_done(sl, st, "record a dependency")) < 0)
			goto out;
	}
	rc = job_event(sl, new_id, "info", "job.queued", s->subject,
	    "%s queued with priority %lld%s", s->kind, (long long)s->priority,
	    s->nafter > 0 ? ", after other jobs" : "");
out:
	rc = txn_end(sl, own, rc, "queue a job");
	if (rc == 0)
		*id = new_id;
	return rc;
}

int
shiftlog_job_request(struct shiftlog *sl, int64_t job, const char *action,
    int64_t value, int64_t *request_id)
{
	char kind[128], subject[512], state[32];
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "file a request")) < 0)
		return rc;
	if ((rc = job_names(sl, job, kind, sizeof kind, subject,
	    sizeof subject, state, sizeof state)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "INSERT INTO requests (time, user, host, "
	    "job_id, action, value) VALUES (?, ?, ?, ?, ?, ?)", &st,
	    "file a request")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, when_now());
	sl_bind_text(st, 2, sl->who.user);
	sl_bind_text(st, 3, sl->who.host);
	sqlite3_bind_int64(st, 4, job);
	sl_bind_text(st, 5, action);
	sqlite3_bind_int64(st, 6, value);
	if ((rc = sl_step_done(sl, st, "file a request")) < 0)
		goto out;
	if (request_id != NULL)
		*request_id = sqlite3_last_insert_rowid(sl->db);
	if (strcmp(action, "priority") == 0)
		rc = job_event(sl, job, "notice", "job.request",
		    subject[0] ? subject : NULL, "priority %lld asked for %s "
		    "job %lld (%s)", (long long)value, state, (long long)job,
		    kind);
	else
		rc = job_event(sl, job, "notice", "job.request",
		    subject[0] ? subject : NULL, "%s asked for %s job %lld (%s)",
		    action, state, (long long)job, kind);
out:
	return txn_end(sl, own, rc, "file a request");
}

int
shiftlog_requests_pending(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_request *, void *), void *arg)
{
	struct shiftlog_request r;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT id, job_id, action, value, user FROM "
	    "requests WHERE handled IS NULL ORDER BY id", &st,
	    "read requests")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0);
		r.job_id = sqlite3_column_int64(st, 1);
		r.action = sl_col_text(st, 2);
		r.value = sqlite3_column_int64(st, 3);
		r.user = sl_col_text(st, 4);
		if ((rc = cb(&r, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read requests");
out:
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_request_outcome(struct shiftlog *sl, int64_t id, char *outcome,
    size_t size)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT handled, outcome FROM requests WHERE "
	    "id = ?", &st, "read a request")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		rc = sqlite3_column_type(st, 0) != SQLITE_NULL;
		strutil_copy(outcome, sl_col_text(st, 1) ? sl_col_text(st, 1) : "",
		    size);
	} else
		rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc,
		    "read a request");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_request_handled(struct shiftlog *sl, int64_t id, const char *outcome)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "UPDATE requests SET handled = ?, outcome = ? "
	    "WHERE id = ?", &st, "close a request")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, when_now());
	sl_bind_text(st, 2, outcome);
	sqlite3_bind_int64(st, 3, id);
	return sl_step_done(sl, st, "close a request");
}

int
shiftlog_job_started(struct shiftlog *sl, int64_t id, int64_t attempt,
    int64_t pid, int64_t pid_start)
{
	char kind[128], subject[512], state[32];
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "start a job")) < 0)
		return rc;
	if ((rc = job_names(sl, id, kind, sizeof kind, subject, sizeof subject,
	    state, sizeof state)) < 0 ||
	    (rc = sl_prepare(sl, "UPDATE jobs SET state = 'running', "
	    "started = ?, finished = NULL, attempts = ?, pid = ?, "
	    "pid_start = ?, progress = NULL, rate = NULL, eta = NULL, "
	    "error = NULL WHERE id = ?", &st, "start a job")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, when_now());
	sqlite3_bind_int64(st, 2, attempt);
	sqlite3_bind_int64(st, 3, pid);
	sqlite3_bind_int64(st, 4, pid_start);
	sqlite3_bind_int64(st, 5, id);
	if ((rc = sl_step_done(sl, st, "start a job")) < 0)
		goto out;
	rc = job_event(sl, id, "info", "job.started",
	    subject[0] ? subject : NULL, "%s started (attempt %lld, worker "
	    "pid %lld)", kind, (long long)attempt, (long long)pid);
out:
	return txn_end(sl, own, rc, "start a job");
}

int
shiftlog_job_progress(struct shiftlog *sl, int64_t id, double fraction,
    double rate, const char *unit, int64_t eta, const char *subject)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "UPDATE jobs SET progress = ?, rate = ?, "
	    "rate_unit = ?, eta = ?, progress_subject = ? WHERE id = ? AND "
	    "state IN ('running', 'paused')", &st, "record progress")) < 0)
		return rc;
	if (fraction >= 0)
		sqlite3_bind_double(st, 1, fraction > 1 ? 1 : fraction);
	if (rate >= 0)
		sqlite3_bind_double(st, 2, rate);
	sl_bind_text(st, 3, unit);
	if (eta >= 0)
		sqlite3_bind_int64(st, 4, eta);
	sl_bind_text(st, 5, subject);
	sqlite3_bind_int64(st, 6, id);
	return sl_step_done(sl, st, "record progress");
}

int
shiftlog_job_finished(struct shiftlog *sl, int64_t id, const char *state,
    const char *message, const char *result)
{
	char kind[128], subject[512], old[32], evkind[32];
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "finish a job")) < 0)
		return rc;
	if ((rc = job_names(sl, id, kind, sizeof kind, subject, sizeof subject,
	    old, sizeof old)) < 0 ||
	    (rc = sl_prepare(sl, "UPDATE jobs SET state = ?, finished = ?, "
	    "error = ?, result = ?, pid = NULL, pid_start = NULL, "
	    "progress = CASE WHEN ?1 = 'done' THEN 1 ELSE progress END, "
	    "eta = NULL WHERE id = ?", &st, "finish a job")) < 0)
		goto out;
	sl_bind_text(st, 1, state);
	sqlite3_bind_int64(st, 2, when_now());
	sl_bind_text(st, 3, strcmp(state, "done") == 0 ? NULL : message);
	sl_bind_text(st, 4, result);
	sqlite3_bind_int64(st, 5, id);
	if ((rc = sl_step_done(sl, st, "finish a job")) < 0)
		goto out;
	strutil_format(evkind, sizeof evkind, "job.%s", state);
	rc = job_event(sl, id, strcmp(state, "failed") == 0 ? "error" :
	    strcmp(state, "cancelled") == 0 ? "notice" : "info", evkind,
	    subject[0] ? subject : NULL, "%s %s%s%s", kind, state,
	    message != NULL ? ": " : "", message != NULL ? message : "");
	if (rc == 0)
		rc = sl_incident_job_finished(sl, id, state, kind, subject,
		    message);
out:
	return txn_end(sl, own, rc, "finish a job");
}

int
shiftlog_job_transition(struct shiftlog *sl, int64_t id, const char *state,
    const char *message, int64_t not_before)
{
	char kind[128], subject[512], old[32], evkind[32];
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "change a job's state")) < 0)
		return rc;
	if ((rc = job_names(sl, id, kind, sizeof kind, subject, sizeof subject,
	    old, sizeof old)) < 0 ||
	    (rc = sl_prepare(sl, "UPDATE jobs SET state = ?1, "
	    "not_before = ?2, "
	    "pid = CASE WHEN ?1 IN ('running', 'paused') THEN pid END, "
	    "pid_start = CASE WHEN ?1 IN ('running', 'paused') "
	    "  THEN pid_start END, "
	    "finished = CASE WHEN ?1 = 'interrupted' THEN ?3 END, "
	    "progress = CASE WHEN ?1 = 'queued' THEN NULL ELSE progress END, "
	    "rate = CASE WHEN ?1 = 'queued' THEN NULL ELSE rate END, "
	    "eta = CASE WHEN ?1 = 'queued' THEN NULL ELSE eta END, "
	    "error = CASE WHEN ?1 = 'interrupted' THEN ?4 "
	    "  WHEN ?1 = 'queued' THEN error END "
	    "WHERE id = ?5", &st, "change a job's state")) < 0)
		goto out;
	sl_bind_text(st, 1, state);
	if (not_before > 0)
		sqlite3_bind_int64(st, 2, not_before);
	sqlite3_bind_int64(st, 3, when_now());
	sl_bind_text(st, 4, message);
	sqlite3_bind_int64(st, 5, id);
	if ((rc = sl_step_done(sl, st, "change a job's state")) < 0)
		goto out;
	strutil_format(evkind, sizeof evkind, "job.%s",
	    strcmp(state, "running") == 0 ? "resumed" : state);
	rc = job_event(sl, id, strcmp(state, "interrupted") == 0 ? "warning" :
	    "notice", evkind, subject[0] ? subject : NULL, "%s %s%s%s", kind,
	    strcmp(state, "running") == 0 ? "resumed" : state,
	    message != NULL ? ": " : "", message != NULL ? message : "");
out:
	return txn_end(sl, own, rc, "change a job's state");
}

int
shiftlog_job_set_priority(struct shiftlog *sl, int64_t id, int64_t priority)
{
	char kind[128], subject[512], old[32];
	sqlite3_stmt *st;
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "change a priority")) < 0)
		return rc;
	if ((rc = job_names(sl, id, kind, sizeof kind, subject, sizeof subject,
	    old, sizeof old)) < 0 ||
	    (rc = sl_prepare(sl, "UPDATE jobs SET priority = ? WHERE id = ?",
	    &st, "change a priority")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, priority);
	sqlite3_bind_int64(st, 2, id);
	if ((rc = sl_step_done(sl, st, "change a priority")) < 0)
		goto out;
	rc = job_event(sl, id, "notice", "job.priority",
	    subject[0] ? subject : NULL, "%s priority set to %lld", kind,
	    (long long)priority);
out:
	return txn_end(sl, own, rc, "change a priority");
}

int
shiftlog_job_event(struct shiftlog *sl, int64_t job, const char *severity,
    const char *kind, const char *subject, const char *message)
{
	bool own;
	int rc;

	if ((rc = txn_begin(sl, &own, "record an event")) < 0)
		return rc;
	rc = job_event(sl, job, severity, kind, subject, "%s", message);
	return txn_end(sl, own, rc, "record an event");
}

int
shiftlog_meter(struct shiftlog *sl, int64_t job, const char *name,
    double value, const char *unit)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO meters (job_id, name, value, "
	    "unit, time) VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, name) DO "
	    "UPDATE SET value = excluded.value, unit = excluded.unit, "
	    "time = excluded.time", &st, "record a meter")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	sl_bind_text(st, 2, name);
	sqlite3_bind_double(st, 3, value);
	sl_bind_text(st, 4, unit);
	sqlite3_bind_int64(st, 5, when_now());
	return sl_step_done(sl, st, "record a meter");
}

int
shiftlog_finding(struct shiftlog *sl, int64_t job, const char *severity,
    const char *code, const char *position, const char *message)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO findings (job_id, time, "
	    "severity, code, position, message) VALUES (?, ?, ?, ?, ?, ?)",
	    &st, "record a finding")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	sqlite3_bind_int64(st, 2, when_now());
	sl_bind_text(st, 3, severity);
	sl_bind_text(st, 4, code);
	sl_bind_text(st, 5, position);
	sl_bind_text(st, 6, message);
	return sl_step_done(sl, st, "record a finding");
}

int
shiftlog_sample(struct shiftlog *sl, int64_t job, const char *series,
    const char *key, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO samples (time, job_id, series, "
	    "key, data) VALUES (?, ?, ?, ?, ?)", &st, "record a sample")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, when_now());
	if (job != 0)
		sqlite3_bind_int64(st, 2, job);
	sl_bind_text(st, 3, series);
	sl_bind_text(st, 4, key);
	sl_bind_text(st, 5, data);
	return sl_step_done(sl, st, "record a sample");
}

char *
shiftlog_plugin_state(struct shiftlog *sl, const char *plugin)
{
	sqlite3_stmt *st;
	char *s = NULL;

	if (sl_prepare(sl, "SELECT json_group_object(key, value) FROM "
	    "plugin_state WHERE plugin = ?", &st, "read plugin state") < 0)
		return xstrdup("{}");
	sl_bind_text(st, 1, plugin);
	if (sqlite3_step(st) == SQLITE_ROW && sl_col_text(st, 0) != NULL)
		s = xstrdup(sl_col_text(st, 0));
	sqlite3_finalize(st);
	return s != NULL ? s : xstrdup("{}");
}

int
shiftlog_plugin_state_set(struct shiftlog *sl, const char *plugin,
    const char *key, const char *value)
{
	sqlite3_stmt *st;
	int rc;

	if (value == NULL)
		rc = sl_prepare(sl, "DELETE FROM plugin_state WHERE plugin = ?1 "
		    "AND key = ?2", &st, "record plugin state");
	else
		rc = sl_prepare(sl, "INSERT INTO plugin_state (plugin, key, "
		    "value) VALUES (?1, ?2, ?3) ON CONFLICT (plugin, key) DO "
		    "UPDATE SET value = excluded.value", &st,
		    "record plugin state");
	if (rc < 0)
		return rc;
	sl_bind_text(st, 1, plugin);
	sl_bind_text(st, 2, key);
	if (value != NULL)
		sl_bind_text(st, 3, value);
	return sl_step_done(sl, st, "record plugin state");
}

int
shiftlog_samples_latest(struct shiftlog *sl, const char *series,
    int (*cb)(const char *key, int64_t time, const char *data, void *arg),
    void *arg)
{
	sqlite3_stmt *st;
	int rc;

	/* Key by key through the index, each newest sample one seek: a
	 * year of samples every five minutes costs no more than a day. */
	if ((rc = sl_prepare(sl, "WITH RECURSIVE k(key) AS (SELECT min(key) "
	    "FROM samples WHERE series = ?1 UNION ALL SELECT (SELECT min(key) "
	    "FROM samples WHERE series = ?1 AND key > k.key) FROM k WHERE "
	    "k.key IS NOT NULL) SELECT s.key, s.time, s.data FROM k JOIN "
	    "samples s ON s.id = (SELECT id FROM samples WHERE series = ?1 "
	    "AND key = k.key ORDER BY time DESC, id DESC LIMIT 1) ORDER BY "
	    "s.key", &st, "read samples")) < 0)
		return rc;
	sl_bind_text(st, 1, series);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = cb(sl_col_text(st, 0), sqlite3_column_int64(st, 1),
		    sl_col_text(st, 2), arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read samples");
out:
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_meters(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_meter *, void *), void *arg)
{
	struct shiftlog_meter m;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT m.job_id, j.kind, j.subject, m.name, "
	    "m.value, m.unit, m.time FROM meters m JOIN jobs j ON j.id = "
	    "m.job_id WHERE j.state IN ('running', 'paused') ORDER BY "
	    "m.job_id, m.name", &st, "read meters")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.job_id = sqlite3_column_int64(st, 0);
		m.kind = sl_col_text(st, 1);
		m.subject = sl_col_text(st, 2);
		m.name = sl_col_text(st, 3);
		m.value = sqlite3_column_double(st, 4);
		m.unit = sl_col_text(st, 5);
		m.time = sqlite3_column_int64(st, 6);
		if ((rc = cb(&m, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read meters");
out:
	sqlite3_finalize(st);
	return rc;
}
