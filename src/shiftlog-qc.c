/*
 * shiftlog-qc: QC reports in the shift log. A "qc.report" record (from
 * the qc plugin through mcrd, or from mcr qc in-process) is filed whole
 * into qc_reports and its findings into qc_findings, with SQLite's JSON
 * functions so no JSON library is needed here. Exceptions a client
 * approved are kept per content (the report's content_id: a hash of every
 * packet) and spec, so a re-run on the same content carries them over;
 * grades are the operator's ITU-R BT.500 score. Each change appends an
 * event to the audit trail in the same transaction.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "shiftlog-private.h"
#include "when.h"
#include "xmalloc.h"

/* Joins the caller's transaction, or opens one; *own says which. */
static int
begin(struct shiftlog *sl, bool *own, const char *what)
{
	*own = sqlite3_get_autocommit(sl->db) != 0;
	return *own ? sl_begin_write(sl, what) : 0;
}

static int
end(struct shiftlog *sl, bool own, int rc, const char *what)
{
	return own ? sl_commit(sl, rc, what) : rc;
}

static int
event(struct shiftlog *sl, int64_t job, const char *severity,
    const char *kind, const char *subject, const char *message)
{
	struct shiftlog_event ev = { .kind = kind, .severity = severity,
	    .job_id = job, .subject = subject, .message = message };

	return sl_append_locked(sl, &ev, 1);
}

int
shiftlog_qc_report_file(struct shiftlog *sl, int64_t job, const char *report,
    int64_t *id)
{
	sqlite3_stmt *st;
	bool own;
	int rc;
	char *msg = NULL, *subject = NULL;
	const char *verdict;

	if ((rc = begin(sl, &own, "file a QC report")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "INSERT INTO qc_reports (time, job_id, file, "
	    "content_id, spec, verdict, fails, warns, excepted, report) "
	    "SELECT ?2, ?3, j->>'file', j->>'content_id', j->'spec'->>'name', "
	    "j->>'verdict', j->'counts'->>'fail', j->'counts'->>'warn', "
	    "j->'counts'->>'excepted', json(?1) FROM (SELECT json(?1) AS j) "
	    "RETURNING id, verdict, file, spec, fails, warns, excepted", &st,
	    "file a QC report")) < 0)
		goto out;
	sl_bind_text(st, 1, report);
	sqlite3_bind_int64(st, 2, when_now());
	if (job != 0)
		sqlite3_bind_int64(st, 3, job);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		rc = sl_db_error(sl, rc, "file a QC report");
		sqlite3_finalize(st);
		goto out;
	}
	*id = sqlite3_column_int64(st, 0);
	verdict = sl_col_text(st, 1);
	subject = xstrdup(sl_col_text(st, 2));
	msg = xasprintf("QC report %lld: %s against %s, %lld failures, %lld "
	    "warnings, %lld excepted", (long long)*id, verdict,
	    sl_col_text(st, 3), (long long)sqlite3_column_int64(st, 4),
	    (long long)sqlite3_column_int64(st, 5),
	    (long long)sqlite3_column_int64(st, 6));
	verdict = strcmp(verdict, "fail") == 0 ? "warning" : "info";
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		rc = sl_db_error(sl, rc, "file a QC report");
		goto out;
	}
	if ((rc = sl_prepare(sl, "INSERT INTO qc_findings (report_id, n, "
	    "check_id, severity, status, t_in, t_out, tc_in, tc_out, value, "
	    "unit, limit_text, message, remedy) SELECT ?1, f.value->>'n', "
	    "f.value->>'check', f.value->>'severity', f.value->>'status', "
	    "f.value->>'t_in', f.value->>'t_out', f.value->>'tc_in', "
	    "f.value->>'tc_out', f.value->>'value', f.value->>'unit', "
	    "f.value->>'limit', f.value->>'message', f.value->>'remedy' "
	    "FROM json_each(json(?2), '$.findings') AS f", &st,
	    "file QC findings")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, *id);
	sl_bind_text(st, 2, report);
	if ((rc = sl_step_done(sl, st, "file QC findings")) < 0)
		goto out;
	rc = event(sl, job, verdict, "qc.report", subject, msg);
out:
	free(msg);
	free(subject);
	return end(sl, own, rc, "file a QC report");
}

int
sl_file_qc_report(struct shiftlog *sl, int64_t job, const char *data)
{
	int64_t id;

	return shiftlog_qc_report_file(sl, job, data, &id);
}

int
shiftlog_qc_report_get(struct shiftlog *sl, int64_t id, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	/* The stored report, with its number, its grade and the findings'
	 * status as they are now (an exception approved since). */
	if ((rc = sl_prepare(sl, "SELECT json_set(r.report, '$.id', r.id, "
	    "'$.grade', CASE WHEN r.grade IS NULL THEN NULL ELSE "
	    "json_object('grade', r.grade, 'by', r.graded_by, 'comment', "
	    "r.comment, 'time', r.graded_at) END, '$.findings', "
	    "(SELECT json_group_array(CASE WHEN e.id IS NULL THEN "
	    "f.value ELSE json_set(f.value, '$.status', 'excepted', "
	    "'$.exception', json_object('id', e.id, 'approved_by', "
	    "e.approved_by, 'reason', e.reason, 'content_id', e.content_id, "
	    "'spec', e.spec, 'check', e.check_id, 't_in', e.t_in)) END) FROM "
	    "json_each(r.report, '$.findings') AS f LEFT JOIN qc_exceptions e "
	    "ON e.report_id = r.id AND e.n = f.value->>'n')) FROM qc_reports r "
	    "WHERE r.id = ?", &st, "read a QC report")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = xstrdup(sl_col_text(st, 0));
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		sl_set_error(sl, "there is no QC report %lld; 'mcr qc list' "
		    "shows them", (long long)id);
		rc = SHIFTLOG_INVALID;
	} else {
		rc = sl_db_error(sl, rc, "read a QC report");
	}
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_qc_exceptions(struct shiftlog *sl, const char *spec, char **out)
{
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if ((rc = sl_prepare(sl, "SELECT json_group_array(json_object('id', "
	    "id, 'content_id', content_id, 'spec', spec, 'check', check_id, "
	    "'t_in', t_in, 'approved_by', approved_by, 'reason', reason)) "
	    "FROM qc_exceptions WHERE spec = ?", &st,
	    "read QC exceptions")) < 0)
		return rc;
	sl_bind_text(st, 1, spec);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = xstrdup(sl_col_text(st, 0));
		rc = 0;
	} else {
		rc = sl_db_error(sl, rc, "read QC exceptions");
	}
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_qc_except(struct shiftlog *sl, int64_t report, int64_t n,
    const char *approved_by, const char *reason, int64_t *id)
{
	sqlite3_stmt *st;
	bool own;
	int rc;
	char *msg = NULL, *subject = NULL;

	if ((rc = begin(sl, &own, "record a QC exception")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "SELECT f.status, f.check_id, f.t_in, "
	    "r.content_id, r.spec, r.file, f.tc_in, (SELECT count(*) FROM "
	    "qc_exceptions e WHERE e.report_id = r.id AND e.n = f.n) FROM "
	    "qc_reports r LEFT JOIN qc_findings f ON f.report_id = r.id AND "
	    "f.n = ?2 WHERE r.id = ?1", &st, "record a QC exception")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, report);
	sqlite3_bind_int64(st, 2, n);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sl_set_error(sl, "there is no QC report %lld; 'mcr qc list' "
		    "shows them", (long long)report);
		rc = SHIFTLOG_INVALID;
	} else if (rc != SQLITE_ROW) {
		rc = sl_db_error(sl, rc, "record a QC exception");
	} else if (sqlite3_column_type(st, 1) == SQLITE_NULL) {
		sl_set_error(sl, "QC report %lld has no finding %lld; 'mcr qc "
		    "show %lld' lists them", (long long)report, (long long)n,
		    (long long)report);
		rc = SHIFTLOG_INVALID;
	} else if (strcmp(sl_col_text(st, 0), "excepted") == 0 ||
	    sqlite3_column_int64(st, 7) > 0) {
		sl_set_error(sl, "finding %lld of QC report %lld is already "
		    "excepted", (long long)n, (long long)report);
		rc = SHIFTLOG_INVALID;
	} else {
		sqlite3_stmt *ins;

		subject = xstrdup(sl_col_text(st, 5));
		msg = xasprintf("exception to finding %lld (%s at %s) of QC "
		    "report %lld approved by %s: %s", (long long)n,
		    sl_col_text(st, 1), sl_col_text(st, 6) != NULL ?
		    sl_col_text(st, 6) : "-", (long long)report, approved_by,
		    reason);
		rc = sl_prepare(sl, "INSERT INTO qc_exceptions (time, "
		    "report_id, n, content_id, spec, check_id, t_in, "
		    "approved_by, reason, user) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
		    "?, ?)", &ins, "record a QC exception");
		if (rc == 0) {
			sqlite3_bind_int64(ins, 1, when_now());
			sqlite3_bind_int64(ins, 2, report);
			sqlite3_bind_int64(ins, 3, n);
			sl_bind_text(ins, 4, sl_col_text(st, 3));
			sl_bind_text(ins, 5, sl_col_text(st, 4));
			sl_bind_text(ins, 6, sl_col_text(st, 1));
			if (sqlite3_column_type(st, 2) != SQLITE_NULL)
				sqlite3_bind_double(ins, 7,
				    sqlite3_column_double(st, 2));
			sl_bind_text(ins, 8, approved_by);
			sl_bind_text(ins, 9, reason);
			sl_bind_text(ins, 10, sl->who.user);
			rc = sl_step_done(sl, ins, "record a QC exception");
			*id = sqlite3_last_insert_rowid(sl->db);
		}
	}
	sqlite3_finalize(st);
	if (rc < 0)
		goto out;
	{
		sqlite3_stmt *up;

		rc = sl_prepare(sl, "UPDATE qc_findings SET status = 'excepted' "
		    "WHERE report_id = ? AND n = ?", &up,
		    "record a QC exception");
		if (rc == 0) {
			sqlite3_bind_int64(up, 1, report);
			sqlite3_bind_int64(up, 2, n);
			rc = sl_step_done(sl, up, "record a QC exception");
		}
	}
	if (rc == 0)
		rc = event(sl, 0, "notice", "qc.exception", subject, msg);
out:
	free(msg);
	free(subject);
	return end(sl, own, rc, "record a QC exception");
}

int
shiftlog_qc_grade(struct shiftlog *sl, int64_t report, int grade,
    const char *comment)
{
	sqlite3_stmt *st;
	bool own;
	int rc;
	char *msg = NULL;

	if (grade < 1 || grade > 5) {
		sl_set_error(sl, "grade %d is not on the BT.500 scale; give 1 "
		    "(bad) to 5 (excellent)", grade);
		return SHIFTLOG_INVALID;
	}
	if ((rc = begin(sl, &own, "grade a QC report")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "UPDATE qc_reports SET grade = ?, graded_by "
	    "= ?, graded_at = ?, comment = ? WHERE id = ?", &st,
	    "grade a QC report")) < 0)
		goto out;
	sqlite3_bind_int(st, 1, grade);
	sl_bind_text(st, 2, sl->who.user);
	sqlite3_bind_int64(st, 3, when_now());
	sl_bind_text(st, 4, comment);
	sqlite3_bind_int64(st, 5, report);
	if ((rc = sl_step_done(sl, st, "grade a QC report")) < 0)
		goto out;
	if (sqlite3_changes(sl->db) == 0) {
		sl_set_error(sl, "there is no QC report %lld; 'mcr qc list' "
		    "shows them", (long long)report);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	msg = xasprintf("QC report %lld graded %d/5%s%s", (long long)report,
	    grade, comment != NULL ? ": " : "", comment != NULL ? comment :
	    "");
	rc = event(sl, 0, "info", "qc.grade", NULL, msg);
out:
	free(msg);
	return end(sl, own, rc, "grade a QC report");
}

int
shiftlog_qc_reports(struct shiftlog *sl, int64_t limit,
    int (*cb)(const struct shiftlog_qc_report *, void *), void *arg)
{
	struct shiftlog_qc_report r;
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT * FROM (SELECT id, time, job_id, "
	    "file, spec, verdict, fails, warns, excepted - 0 + (SELECT "
	    "count(*) FROM qc_exceptions e WHERE e.report_id = qc_reports.id),"
	    " coalesce(grade, 0) FROM qc_reports ORDER BY id DESC LIMIT ?) "
	    "ORDER BY id", &st, "list QC reports")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, limit > 0 ? limit : -1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0);
		r.time = sqlite3_column_int64(st, 1);
		r.job_id = sqlite3_column_int64(st, 2);
		r.file = sl_col_text(st, 3);
		r.spec = sl_col_text(st, 4);
		r.verdict = sl_col_text(st, 5);
		r.fails = sqlite3_column_int64(st, 6);
		r.warns = sqlite3_column_int64(st, 7);
		r.excepted = sqlite3_column_int64(st, 8);
		r.grade = sqlite3_column_int(st, 9);
		if ((rc = cb(&r, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "list QC reports");
out:
	sqlite3_finalize(st);
	return rc;
}
