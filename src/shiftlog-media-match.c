/*
 * shiftlog-media-match: catalogue lookups by the names an EDL gives a
 * clip (mcr conform). Each lookup is an indexed equality or prefix range
 * on the media table, so a 3,000-event EDL against 100,000 rows costs a
 * few thousand index probes, not table scans.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include "shiftlog-private.h"
#include "xmalloc.h"

/* A file stem: names from "KEY." up to (not including) "KEY/", which are
 * exactly the names KEY.anything, as '/' sorts right after '.'. */
#define STEM "(name >= ?1 || '.' AND name < ?1 || '/')"

/* Each kind of lookup is a list of queries tried in turn until one finds
 * rows: an exact match on its own column first, so the common case is one
 * index probe and no OR. */
enum { Q_NAME, Q_CLIP, Q_NAME_OR_STEM, Q_REEL, Q_REEL_AT, NQUERIES };

static const char *const queries[NQUERIES] = {
	[Q_NAME] = "name = ?1",
	[Q_CLIP] = "clip = ?1",
	[Q_NAME_OR_STEM] = "name = ?1 OR " STEM,
	[Q_REEL] = "reel = ?1",
	/* A reel and the frames wanted: rows at another rate, or without a
	 * known start or length, are kept for the caller to judge. */
	[Q_REEL_AT] = "reel = ?1 AND (tc_first IS NULL OR frames IS NULL OR "
	    "rate IS NOT ?2 OR drop_frame IS NOT ?3 OR (tc_first <= ?4 AND "
	    "tc_first + frames >= ?5) OR tc_first + frames > ?6)",
};

static const int plans[][4] = {
	[SHIFTLOG_MEDIA_BY_NAME] = { Q_NAME, -1 },
	[SHIFTLOG_MEDIA_BY_CLIP] = { Q_CLIP, Q_NAME_OR_STEM, -1 },
	[SHIFTLOG_MEDIA_BY_REEL] = { Q_REEL, Q_CLIP, Q_NAME_OR_STEM, -1 },
};

struct shiftlog_media_matcher {
	struct shiftlog *sl;
	sqlite3_stmt *st[NQUERIES];
};

struct shiftlog_media_matcher *
shiftlog_media_matcher(struct shiftlog *sl)
{
	struct shiftlog_media_matcher *m = xcalloc(1, sizeof *m);

	m->sl = sl;
	return m;
}

void
shiftlog_media_matcher_free(struct shiftlog_media_matcher *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < sizeof m->st / sizeof m->st[0]; i++)
		sqlite3_finalize(m->st[i]);
	free(m);
}

static int
run_query(struct shiftlog_media_matcher *mm, int q, const char *key,
    const struct shiftlog_media_at *at,
    int (*cb)(const struct shiftlog_media_row *, void *), void *arg,
    size_t *rows)
{
	struct shiftlog_media_row m;
	sqlite3_stmt *st;
	char sql[512];
	int rc;

	/* Prepared once, reset between keys. */
	if ((st = mm->st[q]) == NULL) {
		/* The reel-and-frames lookup reads the covering index and
		 * fetches only the rows it keeps; the planner would take the
		 * plain reel index and read every clip of the roll. */
		snprintf(sql, sizeof sql, "SELECT id, path, name, clip, reel, "
		    "rate, tc_start, hashes, state, size, frames, duration, "
		    "drop_frame FROM media%s WHERE %s", q == Q_REEL_AT ?
		    " INDEXED BY media_reel_tc" : "", queries[q]);
		if ((rc = sl_prepare(mm->sl, sql, &st, "look up media")) < 0)
			return rc;
		mm->st[q] = st;
	}
	sqlite3_reset(st);
	sl_bind_text(st, 1, key);
	if (q == Q_REEL_AT) {
		sl_bind_text(st, 2, at->rate);
		sqlite3_bind_int(st, 3, at->drop_frame);
		sqlite3_bind_int64(st, 4, at->first);
		sqlite3_bind_int64(st, 5, at->end);
		sqlite3_bind_int64(st, 6, at->frames_per_day);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.id = sqlite3_column_int64(st, 0);
		m.path = sl_col_text(st, 1);
		m.name = sl_col_text(st, 2);
		m.clip = sl_col_text(st, 3);
		m.reel = sl_col_text(st, 4);
		m.rate = sl_col_text(st, 5);
		m.tc_start = sl_col_text(st, 6);
		m.hashes = sl_col_text(st, 7);
		m.state = sl_col_text(st, 8);
		m.size = sqlite3_column_int64(st, 9);
		m.frames = sqlite3_column_type(st, 10) == SQLITE_NULL ? -1 :
		    sqlite3_column_int64(st, 10);
		m.duration = sl_col_double(st, 11, -1);
		m.drop_frame = sqlite3_column_type(st, 12) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(st, 12);
		++*rows;
		if ((rc = cb(&m, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(mm->sl, rc, "look up media");
out:
	sqlite3_reset(st);
	return rc;
}

int
shiftlog_media_match(struct shiftlog_media_matcher *mm,
    enum shiftlog_media_by by, const char *key,
    const struct shiftlog_media_at *at,
    int (*cb)(const struct shiftlog_media_row *, void *), void *arg)
{
	size_t rows = 0, i;
	int rc = 0, q;

	for (i = 0; rc == 0 && rows == 0 && plans[by][i] >= 0; i++) {
		q = plans[by][i];
		if (q == Q_REEL && at != NULL)
			q = Q_REEL_AT;
		rc = run_query(mm, q, key, at, cb, arg, &rows);
	}
	return rc;
}
