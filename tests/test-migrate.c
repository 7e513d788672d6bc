/*
 * test-migrate: every migration, from the version before it. For each
 * version k the test builds a shift log at k - 1 (with rows in it, once
 * there are tables), opens it with this build, and checks that it arrives
 * at k with its rows, its integrity, its foreign keys and its hash chain
 * intact, and that the upgrade itself was recorded. New migrations are
 * covered by this loop without a new test.
 */
#include "autoconfig.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#include "shiftlog.h"
#include "tap.h"
#include "xmalloc.h"

static char *
raw_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *v = NULL;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return v;
}

static void
migrate_step(const char *tmp, int k)
{
	struct shiftlog_opts opts = { .busy_timeout_ms = 1000 };
	struct shiftlog_event ev[3] = {
		{ .kind = "test", .message = "before the upgrade" },
		{ .kind = "test", .message = "second", .data = "{\"n\": 2}" },
		{ .kind = "note", .message = "third" },
	};
	struct shiftlog_verify v;
	struct shiftlog *sl;
	char *path = xasprintf("%s/from%d.db", tmp, k - 1), err[640], *s;
	int64_t before = 0;
	FILE *f;

	if (k == 1) {
		/* Version 0 is an empty file, as `touch` leaves it. */
		f = fopen(path, "w");
		fclose(f);
	} else {
		opts.target_version = k - 1;
		if (!tap_is_int(shiftlog_open(path, &opts, &sl, err,
		    sizeof err), 0, "v%d: a log at version %d is made", k,
		    k - 1))
			return;
		tap_is_int(shiftlog_version(sl), k - 1, "v%d: it is at %d", k,
		    k - 1);
		tap_is_int(shiftlog_append(sl, ev, 3), 0, "v%d: rows added", k);
		tap_is_int(shiftlog_note(sl, "a note", 0, NULL), 0,
		    "v%d: a note added", k);
		shiftlog_close(sl);
		s = raw_text(path, "SELECT count(*) FROM events");
		before = s != NULL ? strtoll(s, NULL, 10) : -1;
		free(s);
	}

	opts.target_version = k;
	if (!tap_is_int(shiftlog_open(path, &opts, &sl, err, sizeof err), 0,
	    "v%d: upgrade from %d", k, k - 1)) {
		tap_diag("%s", err);
		return;
	}
	tap_is_int(shiftlog_version(sl), k, "v%d: now at version %d", k, k);
	tap_is_int(shiftlog_verify(sl, &v), 0, "v%d: the chain verifies", k);
	tap_is_int(v.checked, before + 1, "v%d: old rows kept, upgrade "
	    "recorded", k);
	shiftlog_close(sl);

	s = raw_text(path, "PRAGMA user_version");
	tap_is_int(s != NULL ? strtoll(s, NULL, 10) : -1, k,
	    "v%d: user_version on disk", k);
	free(s);
	s = raw_text(path, "PRAGMA integrity_check");
	tap_is_str(s, "ok", "v%d: integrity_check", k);
	free(s);
	s = raw_text(path, "PRAGMA foreign_key_check");
	tap_is_str(s, NULL, "v%d: no foreign key violations", k);
	free(s);
	s = raw_text(path, "SELECT message FROM events ORDER BY id DESC "
	    "LIMIT 1");
	tap_contains(s, k == 1 ? "created with schema version 1" :
	    "upgraded", "v%d: the last event records the upgrade", k);
	free(s);
	free(path);
}

int
main(void)
{
	const char *tmp = tap_tmpdir();
	struct shiftlog_opts ro = { .read_only = true };
	struct shiftlog *sl;
	char *path, err[640];
	FILE *f;
	int k;

	tap_ok(shiftlog_latest_version() >= 1, "there is a schema");
	for (k = 1; k <= shiftlog_latest_version(); k++)
		migrate_step(tmp, k);

	path = xasprintf("%s/old-ro.db", tmp);
	f = fopen(path, "w");
	fclose(f);
	tap_ok(shiftlog_open(path, &ro, &sl, err, sizeof err) < 0,
	    "read-only never upgrades an older log");
	tap_contains(err, "older than this mcr reads", "and says why");
	free(path);
	return tap_done();
}
