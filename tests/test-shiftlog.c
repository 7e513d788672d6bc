/*
 * test-shiftlog: the shift log on real SQLite files: creation (WAL, schema
 * version, application id), appends and their hash chain, notes, filters,
 * read-only opening, every refusal (not a database, another application's
 * database, a newer schema, a folder that is missing, a lock held past the
 * busy timeout) and tampering done with SQLite directly, as someone with
 * the sqlite3 shell would.
 */
#include "autoconfig.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shiftlog.h"
#include "tap.h"
#include "xmalloc.h"

static const struct shiftlog_opts rw = { .busy_timeout_ms = 300 };
static const struct shiftlog_opts ro = { .read_only = true };

static const char *tmp;
static int seq;

static char *
fresh_path(void)
{
	return xasprintf("%s/log%d.db", tmp, ++seq);
}

/* Runs SQL on the file behind mcr's back. */
static int
raw(const char *path, const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		tap_diag("raw SQL failed: %s", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int64_t
raw_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

/* A shift log with n "test" events after its creation event. */
static char *
make_log(int n)
{
	char *path = fresh_path();
	struct shiftlog *sl;
	struct shiftlog_event *ev = xcalloc((size_t)n, sizeof *ev);
	char err[640];
	int i;

	if (shiftlog_open(path, &rw, &sl, err, sizeof err) < 0) {
		printf("Bail out! %s\n", err);
		exit(99);
	}
	for (i = 0; i < n; i++) {
		ev[i].kind = i % 2 ? "job.done" : "test";
		ev[i].message = i % 3 ? "transfer to Client A done" : "tick";
		ev[i].time = INT64_C(1795953600000000) + i * INT64_C(1000000);
	}
	if (shiftlog_append(sl, ev, (size_t)n) < 0) {
		printf("Bail out! %s\n", shiftlog_errmsg(sl));
		exit(99);
	}
	free(ev);
	shiftlog_close(sl);
	return path;
}

static int
verify(const char *path, struct shiftlog_verify *v)
{
	struct shiftlog *sl;
	char err[640];
	int rc;

	if (shiftlog_open(path, &ro, &sl, err, sizeof err) < 0) {
		tap_diag("%s", err);
		return -1;
	}
	rc = shiftlog_verify(sl, v);
	shiftlog_close(sl);
	return rc;
}

static int
count_cb(const struct shiftlog_event *ev, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int
count(struct shiftlog *sl, const struct shiftlog_filter *f)
{
	int n = 0;

	if (shiftlog_events(sl, f, count_cb, &n) < 0)
		return -1;
	return n;
}

static void
test_create(void)
{
	char *path = fresh_path(), err[640];
	struct shiftlog *sl;
	struct shiftlog_event ev = { .kind = "test", .message = "hello",
	    .subject = "card A001", .data = "{\"bytes\": 12}" };
	struct shiftlog_status st;

	tap_is_int(shiftlog_open(path, &rw, &sl, err, sizeof err), 0,
	    "a new shift log is created");
	tap_is_int(shiftlog_version(sl), shiftlog_latest_version(),
	    "at the latest schema");
	tap_is_int(shiftlog_append(sl, &ev, 1), 0, "an event is appended");
	tap_is_int(ev.id, 2, "after the creation event");
	tap_ok(ev.user != NULL && ev.host != NULL, "with user and host");
	tap_is_int(shiftlog_status(sl, &st), 0, "status works");
	tap_is_int(st.last_event_id, 2, "status names the last event");
	tap_is_int(st.jobs[0], 0, "no jobs queued");
	ev = (struct shiftlog_event){ .kind = "test", .message = "bad",
	    .severity = "loud" };
	tap_is_int(shiftlog_append(sl, &ev, 1), SHIFTLOG_INVALID,
	    "an unknown severity is refused");
	tap_contains(shiftlog_errmsg(sl), "severity 'loud'", "and named");
	ev = (struct shiftlog_event){ .kind = "test", .message = "x\xff" };
	tap_is_int(shiftlog_append(sl, &ev, 1), SHIFTLOG_INVALID,
	    "a message that is not UTF-8 is refused");
	ev = (struct shiftlog_event){ .kind = "test", .message = "x",
	    .data = "{not json" };
	tap_is_int(shiftlog_append(sl, &ev, 1), SHIFTLOG_INVALID,
	    "data that is not JSON is refused");
	shiftlog_close(sl);
	tap_is_int(raw_int(path, "PRAGMA journal_mode = WAL") >= 0, 1,
	    "the file is SQLite");
	tap_is_int(raw_int(path, "PRAGMA application_id"), 0x4d435231,
	    "marked with mcr's application id");
	tap_is_int(raw_int(path, "SELECT count(*) FROM events"), 2,
	    "refused events left nothing behind");
	free(path);
}

static void
test_wal(void)
{
	char *path = make_log(1);
	sqlite3 *db;
	sqlite3_stmt *st;
	char *mode = NULL;

	sqlite3_open(path, &db);
	sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		mode = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	tap_is_str(mode, "wal", "the shift log is in WAL mode");
	free(mode);
	free(path);
}

/* The watch wakes a reader when another connection writes, and the
 * looks after a wake come at 1, 2, 4 ... 64 ms, then stop. */
static void
test_watch(void)
{
	char *path = make_log(1), err[640];
	struct shiftlog *reader, *writer;
	struct shiftlog_submit sub = { .kind = "test.watch" };
	int64_t job, v0, v1;
	int fd, ms, steps = 0, last = 0;

	if (shiftlog_open(path, &rw, &reader, err, sizeof err) < 0 ||
	    shiftlog_open(path, &rw, &writer, err, sizeof err) < 0) {
		tap_ok(0, "two connections: %s", err);
		return;
	}
	fd = shiftlog_watch(reader);
	tap_ok(fd >= 0, "a watch on the shift log");
	tap_is_int(shiftlog_watch_drain(fd), 0, "quiet before any write");
	shiftlog_data_version(reader, &v0);
	tap_is_int(shiftlog_job_submit(writer, &sub, &job), 0,
	    "another connection queues a job");
	tap_is_int(shiftlog_watch_drain(fd), 1, "which wakes the watch");
	tap_is_int(shiftlog_watch_drain(fd), 0, "once");
	shiftlog_data_version(reader, &v1);
	tap_ok(v1 != v0, "and data_version tells the commit");
	for (ms = shiftlog_settle_next(0); ms > 0 && steps < 20;
	    ms = shiftlog_settle_next(ms), steps++)
		last = ms;
	tap_ok(shiftlog_settle_next(0) == 1 && steps == 7 && last == 64,
	    "looks after a wake at 1 to 64 ms, seven in all");
	close(fd);
	shiftlog_close(writer);
	shiftlog_close(reader);
	free(path);
}

static void
test_filters(void)
{
	char *path = make_log(100), err[640];
	struct shiftlog *sl;
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX };
	int64_t t0 = INT64_C(1795953600000000);

	shiftlog_open(path, &ro, &sl, err, sizeof err);
	tap_is_int(count(sl, &f), 101, "all events");
	f.kind = "job";
	tap_is_int(count(sl, &f), 50, "--kind job matches job.*");
	f.kind = "jo";
	tap_is_int(count(sl, &f), 0, "--kind is not a bare prefix");
	f.kind = "test";
	f.since = t0 + 10 * INT64_C(1000000);
	f.until = t0 + 20 * INT64_C(1000000);
	tap_is_int(count(sl, &f), 5, "since is inclusive, until exclusive");
	f = (struct shiftlog_filter){ .since = INT64_MIN, .until = INT64_MAX,
	    .grep = "CLIENT a" };
	tap_is_int(count(sl, &f), 66, "--grep ignores case");
	f.grep = "%";
	tap_is_int(count(sl, &f), 0, "--grep treats %% literally");
	f.grep = NULL;
	f.limit = 7;
	tap_is_int(count(sl, &f), 7, "--limit keeps N");
	f.user = "nobody-at-all";
	f.limit = 0;
	tap_is_int(count(sl, &f), 0, "--user filters");
	shiftlog_close(sl);
	free(path);
}

static void
test_notes(void)
{
	char *path = make_log(0), err[640];
	struct shiftlog *sl;
	int64_t id = 0;

	shiftlog_open(path, &rw, &sl, err, sizeof err);
	tap_is_int(shiftlog_note(sl, "VTR 3 head clog, cleaned", 0, &id), 0,
	    "a note is recorded");
	tap_is_int(id, 1, "as note 1");
	tap_is_int(shiftlog_note(sl, "  \n\t", 0, NULL), SHIFTLOG_INVALID,
	    "a blank note is refused");
	tap_contains(shiftlog_errmsg(sl), "the note is empty", "saying why");
	tap_is_int(shiftlog_note(sl, "caf\xe9", 0, NULL), SHIFTLOG_INVALID,
	    "a note that is not UTF-8 is refused");
	tap_contains(shiftlog_errmsg(sl), "not valid UTF-8", "saying why");
	tap_ok(shiftlog_note(sl, "about job 99", 99, NULL) < 0,
	    "a note about a job that does not exist is refused");
	shiftlog_close(sl);
	tap_is_int(raw_int(path, "SELECT count(*) FROM notes"), 1,
	    "only the good note is stored");
	tap_is_int(raw_int(path, "SELECT count(*) FROM events e JOIN notes n "
	    "ON n.event_id = e.id WHERE e.kind = 'note'"), 1,
	    "with its note event");
	free(path);
}

static void
test_read_only(void)
{
	char *path = make_log(3), *missing, err[640];
	struct shiftlog *sl;
	struct shiftlog_event ev = { .kind = "test", .message = "x" };

	tap_is_int(shiftlog_open(path, &ro, &sl, err, sizeof err), 0,
	    "opens read-only");
	tap_is_int(shiftlog_append(sl, &ev, 1), SHIFTLOG_INVALID,
	    "read-only refuses appends");
	tap_contains(shiftlog_errmsg(sl), "open read-only", "saying so");
	shiftlog_close(sl);
	missing = xasprintf("%s/nothing-here.db", tmp);
	tap_ok(shiftlog_open(missing, &ro, &sl, err, sizeof err) < 0,
	    "read-only does not create a log");
	tap_contains(err, "does not exist", "and says it is missing");
	tap_ok(access(missing, F_OK) != 0, "no file was left behind");
	free(missing);
	free(path);
}

static void
test_refusals(void)
{
	char *path, err[640];
	struct shiftlog *sl;
	FILE *f;

	path = fresh_path();
	f = fopen(path, "w");
	fputs("This is a QC report, not a database.\n", f);
	fclose(f);
	tap_ok(shiftlog_open(path, &rw, &sl, err, sizeof err) < 0,
	    "a text file is refused");
	tap_contains(err, "is not a shift log", "as not a shift log");
	free(path);

	path = fresh_path();
	raw(path, "CREATE TABLE clients (name TEXT)");
	tap_ok(shiftlog_open(path, &rw, &sl, err, sizeof err) < 0,
	    "another SQLite database is refused");
	tap_contains(err, "not a shift log", "and left alone");
	tap_is_int(raw_int(path, "SELECT count(*) FROM sqlite_master"), 1,
	    "no table was added to it");
	free(path);

	path = fresh_path();
	raw(path, "PRAGMA application_id = 42");
	tap_ok(shiftlog_open(path, &rw, &sl, err, sizeof err) < 0,
	    "a database of another application is refused");
	free(path);

	path = make_log(1);
	raw(path, "PRAGMA user_version = 99");
	tap_ok(shiftlog_open(path, &rw, &sl, err, sizeof err) < 0,
	    "a newer schema is refused");
	tap_contains(err, "schema version 99, newer", "saying it is newer");
	tap_is_int(raw_int(path, "PRAGMA user_version"), 99,
	    "and never downgraded");
	free(path);

	path = xasprintf("%s/no/such/folder/log.db", tmp);
	tap_ok(shiftlog_open(path, &rw, &sl, err, sizeof err) < 0,
	    "a missing folder is refused");
	tap_contains(err, "does not exist", "saying the folder is missing");
	free(path);
	{
		struct shiftlog_opts mk = rw;

		mk.create_dir = true;
		path = xasprintf("%s/made/for/it/log.db", tmp);
		tap_is_int(shiftlog_open(path, &mk, &sl, err, sizeof err), 0,
		    "the default path gets its folder made");
		shiftlog_close(sl);
		free(path);
	}
}

static void
test_busy(void)
{
	char *path = make_log(1), err[640];
	struct shiftlog *sl;
	sqlite3 *db;

	shiftlog_open(path, &rw, &sl, err, sizeof err);
	sqlite3_open(path, &db);
	sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	tap_is_int(shiftlog_note(sl, "blocked", 0, NULL), SHIFTLOG_BUSY,
	    "a lock held past the busy timeout gives up");
	tap_contains(shiftlog_errmsg(sl), "stayed locked by another writer for "
	    "more than 300 ms", "with a clear message");
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	tap_is_int(shiftlog_note(sl, "unblocked", 0, NULL), 0,
	    "and works once the lock is gone");
	sqlite3_close(db);
	shiftlog_close(sl);
	free(path);
}

static void
test_chain(void)
{
	struct shiftlog_verify v;
	char *path;

	path = make_log(50);
	tap_is_int(verify(path, &v), 0, "an untouched chain verifies");
	tap_is_int(v.checked, 51, "every row was checked");
	tap_is_int(v.head_id, 51, "the head is the last row");
	tap_ok(raw(path, "UPDATE events SET message = 'x' WHERE id = 3") < 0,
	    "the trigger refuses UPDATE");
	tap_ok(raw(path, "DELETE FROM events WHERE id = 3") < 0,
	    "the trigger refuses DELETE");
	raw(path, "DROP TRIGGER events_no_update; DROP TRIGGER "
	    "events_no_delete");
	tap_is_int(verify(path, &v), 1, "dropped triggers fail verify");
	tap_ok(v.triggers_missing && v.first_bad == 0, "as missing triggers");
	raw(path, "UPDATE events SET message = 'all fine' WHERE id = 17");
	tap_is_int(verify(path, &v), 1, "an altered row fails verify");
	tap_is_int(v.first_bad, 17, "naming it");
	tap_contains(v.problem, "event 17 does not match its hash", "saying so");
	free(path);

	path = make_log(50);
	raw(path, "DROP TRIGGER events_no_delete;"
	    "DELETE FROM events WHERE id BETWEEN 20 AND 22");
	tap_is_int(verify(path, &v), 1, "removed rows fail verify");
	tap_is_int(v.first_bad, 23, "at the row after the gap");
	tap_contains(v.problem, "events 20 to 22 were removed", "naming them");
	free(path);

	path = make_log(50);
	raw(path, "DROP TRIGGER events_no_delete;"
	    "DELETE FROM events WHERE id = 51");
	tap_is_int(verify(path, &v), 1, "a removed last row fails verify");
	tap_contains(v.problem, "the last event (51) was removed", "naming it");
	free(path);

	path = make_log(50);
	raw(path, "INSERT INTO events (time, user, host, kind, severity, "
	    "message, hash) VALUES (1, 'x', 'y', 'note', 'info', 'forged', "
	    "zeroblob(32))");
	tap_is_int(verify(path, &v), 1, "a row inserted out of chain fails");
	tap_is_int(v.first_bad, 52, "naming it");
	free(path);

	path = make_log(50);
	/* Rewriting a row's hash to match its new content moves the break
	 * to the next row, which was chained to the old hash. */
	raw(path, "DROP TRIGGER events_no_update;"
	    "UPDATE events SET hash = (SELECT hash FROM events WHERE id = 9) "
	    "WHERE id = 10");
	tap_is_int(verify(path, &v), 1, "a rewritten hash fails verify");
	tap_is_int(v.first_bad, 10, "at that row");
	free(path);
}

static void
test_concurrent_chain(void)
{
	char *path = make_log(0), err[640];
	struct shiftlog *a, *b;
	struct shiftlog_event ev = { .kind = "test", .message = "m" };
	struct shiftlog_verify v;
	int i;

	shiftlog_open(path, &rw, &a, err, sizeof err);
	shiftlog_open(path, &rw, &b, err, sizeof err);
	for (i = 0; i < 20; i++) {
		ev.id = 0;
		shiftlog_append(i % 2 ? a : b, &ev, 1);
	}
	shiftlog_close(a);
	shiftlog_close(b);
	tap_is_int(verify(path, &v), 0, "two writers interleaving keep one "
	    "chain");
	tap_is_int(v.checked, 21, "of every row");
	free(path);
}

static int
count_rows(int64_t id, int64_t job, int64_t time, const char *data,
    void *arg)
{
	(void)id; (void)job; (void)time;
	tap_contains(data, "\"n\":1", "a generic row comes back whole");
	++*(int *)arg;
	return 0;
}

static int
collect_latest(const char *key, int64_t time, const char *data, void *arg)
{
	char *buf = arg;
	size_t len = strlen(buf);

	(void)time;
	snprintf(buf + len, 512 - len, "%s=%s;", key, data);
	return 0;
}

/* The newest sample of each key of a series, in key order. */
static void
test_samples_latest(void)
{
	static const char *const keys[] = { "nearline", "archive", "prod" };
	char err[256], data[32], got[512] = "", *path = fresh_path();
	struct shiftlog *sl;
	int round, k;

	if (shiftlog_open(path, &rw, &sl, err, sizeof err) < 0) {
		tap_ok(0, "a log for samples: %s", err);
		return;
	}
	for (round = 1; round <= 3; round++) {
		for (k = 0; k < 3; k++) {
			snprintf(data, sizeof data, "{\"n\":%d}", round * 10 + k);
			shiftlog_sample(sl, 0, "storage.volume", keys[k], data);
		}
		shiftlog_sample(sl, 0, "other", "zzz", "{\"n\":0}");
	}
	tap_is_int(shiftlog_samples_latest(sl, "storage.volume",
	    collect_latest, got), 0, "read the newest samples");
	tap_is_str(got, "archive={\"n\":31};nearline={\"n\":30};"
	    "prod={\"n\":32};", "one per key, the newest, in key order");
	got[0] = '\0';
	shiftlog_samples_latest(sl, "none", collect_latest, got);
	tap_is_str(got, "", "a series without samples has none");
	shiftlog_close(sl);
	free(path);
}

static void
test_records(void)
{
	char err[256], *path = fresh_path();
	struct shiftlog *sl;
	int n = 0;

	if (shiftlog_open(path, &rw, &sl, err, sizeof err) < 0) {
		tap_ok(0, "a log for plugin rows: %s", err);
		return;
	}
	tap_is_int(shiftlog_record(sl, 0, "test.row", "{\"n\":1}"), 0,
	    "a row of an unknown type is kept");
	tap_is_int(shiftlog_records(sl, "test.row", 0, count_rows, &n), 0,
	    "and read back");
	tap_is_int(n, 1, "once");
	tap_is_int(shiftlog_record(sl, 0, "media", "{\"path\":\"/srv/p/"
	    "A001C003.mov\",\"size\":1234,\"hashes\":{\"xxh128\":"
	    "\"ab\"},\"tc_start\":\"10:00:00:00\",\"width\":1920}"), 0,
	    "a media row is catalogued");
	tap_is_int(shiftlog_record(sl, 0, "media", "{\"path\":\"/srv/p/"
	    "A001C003.mov\",\"size\":1235,\"reel\":\"A001\"}"), 0,
	    "and catalogued again");
	shiftlog_close(sl);
	tap_is_int(raw_int(path, "SELECT count(*) FROM media"), 1,
	    "one row per path");
	tap_is_int(raw_int(path, "SELECT size FROM media"), 1235,
	    "holding the newest facts");
	tap_is_int(raw_int(path, "SELECT count(*) FROM media WHERE name = "
	    "'A001C003.mov' AND reel = 'A001'"), 1,
	    "its name taken from the path");
	tap_is_int(raw_int(path, "SELECT count(*) FROM media WHERE id = 1 "
	    "AND width IS NULL AND tc_first IS NULL"), 1,
	    "replaced whole, under the id it had");
	tap_is_int(raw_int(path, "SELECT count(*) FROM records WHERE type = "
	    "'media'"), 0, "and not duplicated as a generic row");
	if (shiftlog_open(path, &rw, &sl, err, sizeof err) == 0) {
		tap_ok(shiftlog_record(sl, 0, "media", "{\"size\":1}") < 0,
		    "a media row without a path is refused");
		tap_ok(shiftlog_record(sl, 0, "media", "{\"path\":\"/srv/p/"
		    "B.mov\",\"size\":1") < 0, "so is one that is not JSON");
		tap_ok(shiftlog_record(sl, 0, "media", "[\"/srv/p/B.mov\"]") < 0,
		    "or not an object");
		shiftlog_close(sl);
	}
	tap_is_int(raw_int(path, "SELECT count(*) FROM media"), 1,
	    "and none of them is catalogued");
	free(path);
}

/* A delivery's files: one row per file, replaced when the file is
 * recorded again (a resumed delivery), none for a job with no delivery. */
static void
test_delivery_files(void)
{
	char err[256], *path = fresh_path();
	struct shiftlog *sl;
	struct shiftlog_submit sub = { .kind = "transfer.deliver" };
	int64_t job = 0;

	if (shiftlog_open(path, &rw, &sl, err, sizeof err) < 0) {
		tap_ok(0, "a log for deliveries: %s", err);
		return;
	}
	tap_is_int(shiftlog_job_submit(sl, &sub, &job), 0, "a delivery job");
	tap_is_int(shiftlog_record(sl, job, "delivery.file", "{\"rel\":"
	    "\"a.mov\",\"status\":\"delivered\"}"), 0,
	    "a file before its delivery is recorded");
	tap_is_int(shiftlog_record(sl, job, "delivery", "{\"direction\":"
	    "\"out\",\"status\":\"running\",\"files\":2,\"bytes\":3}"), 0,
	    "the delivery");
	tap_is_int(shiftlog_record(sl, job, "delivery.file", "{\"rel\":"
	    "\"a.mov\",\"size\":1,\"status\":\"not sent\"}"), 0,
	    "a file of it");
	tap_is_int(shiftlog_record(sl, job, "delivery.file", "{\"rel\":"
	    "\"b.mov\",\"size\":2,\"status\":\"delivered\"}"), 0,
	    "another");
	tap_is_int(shiftlog_record(sl, job, "delivery.file", "{\"rel\":"
	    "\"a.mov\",\"size\":1,\"status\":\"delivered\","
	    "\"xxh128\":\"ab\"}"), 0, "the first again, resumed");
	tap_ok(shiftlog_record(sl, job, "delivery.file", "{\"rel\":"
	    "\"c.mov\"}") < 0, "a file without a status is refused");
	shiftlog_close(sl);
	tap_is_int(raw_int(path, "SELECT count(*) FROM delivery_files"), 2,
	    "one row per file");
	tap_is_int(raw_int(path, "SELECT count(*) FROM delivery_files WHERE "
	    "rel = 'a.mov' AND status = 'delivered' AND xxh128 = 'ab'"), 1,
	    "holding the newest facts");
	free(path);
}

int
main(void)
{
	tmp = tap_tmpdir();
	test_create();
	test_wal();
	test_watch();
	test_filters();
	test_notes();
	test_read_only();
	test_refusals();
	test_busy();
	test_chain();
	test_concurrent_chain();
	test_records();
	test_delivery_files();
	test_samples_latest();
	return tap_done();
}
