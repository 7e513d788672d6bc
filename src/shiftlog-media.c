/*
 * shiftlog-media: queries of the media catalogue (the media table, filled
 * by the "media" filer in shiftlog-records.c) for mcr media, and for the
 * duties that look media up by hash, name or reel (conform, delivery,
 * storage); and the watch folders' memory of what they handed on.
 */
#include "autoconfig.h"

#include <string.h>

#include "shiftlog-private.h"
#include "when.h"

#define MEDIA_COLUMNS "id, path, volume, name, size, mtime, catalogued, " \
	"verified, job_id, source, client, production, reel, clip, hashes, " \
	"container, video_codec, width, height, rate, scan, duration, frames, " \
	"tc_start, drop_frame, audio_codec, audio_channels, audio_layout, " \
	"state, meta"

static int64_t
col_int(sqlite3_stmt *st, int i, int64_t none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none :
	    sqlite3_column_int64(st, i);
}

int
shiftlog_media(struct shiftlog *sl, const struct shiftlog_media_filter *f,
    int (*cb)(const struct shiftlog_media *, void *), void *arg)
{
	sqlite3_stmt *st;
	struct shiftlog_media m;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT * FROM (SELECT " MEDIA_COLUMNS
	    " FROM media WHERE (?1 IS NULL OR client = ?1)"
	    " AND (?2 IS NULL OR production = ?2)"
	    " AND (?3 IS NULL OR reel = ?3)"
	    " AND (?4 IS NULL OR volume = ?4)"
	    " AND (?5 IS NULL OR state = ?5)"
	    " AND (?6 IS NULL OR name GLOB ?6)"
	    " AND (?7 IS NULL OR EXISTS (SELECT 1 FROM json_each(media.hashes)"
	    "   WHERE lower(value) = lower(?7)))"
	    " AND (?8 IS NULL OR substr(path, 1, length(?8) + 1) = ?8 || '/')"
	    " AND (?9 = 0 OR job_id = ?9)"
	    " ORDER BY id DESC LIMIT ?10) ORDER BY path", &st,
	    "read the media catalogue")) < 0)
		return rc;
	sl_bind_text(st, 1, f->client);
	sl_bind_text(st, 2, f->production);
	sl_bind_text(st, 3, f->reel);
	sl_bind_text(st, 4, f->volume);
	sl_bind_text(st, 5, f->state);
	sl_bind_text(st, 6, f->name);
	sl_bind_text(st, 7, f->hash);
	sl_bind_text(st, 8, f->under);
	sqlite3_bind_int64(st, 9, f->job);
	sqlite3_bind_int64(st, 10, f->limit > 0 ? f->limit : -1);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		memset(&m, 0, sizeof m);
		m.id = sqlite3_column_int64(st, 0);
		m.path = sl_col_text(st, 1);
		m.volume = sl_col_text(st, 2);
		m.name = sl_col_text(st, 3);
		m.size = sqlite3_column_int64(st, 4);
		m.mtime = col_int(st, 5, 0);
		m.catalogued = col_int(st, 6, 0);
		m.verified = col_int(st, 7, 0);
		m.job_id = col_int(st, 8, 0);
		m.source = sl_col_text(st, 9);
		m.client = sl_col_text(st, 10);
		m.production = sl_col_text(st, 11);
		m.reel = sl_col_text(st, 12);
		m.clip = sl_col_text(st, 13);
		m.hashes = sl_col_text(st, 14);
		m.container = sl_col_text(st, 15);
		m.video_codec = sl_col_text(st, 16);
		m.width = col_int(st, 17, 0);
		m.height = col_int(st, 18, 0);
		m.rate = sl_col_text(st, 19);
		m.scan = sl_col_text(st, 20);
		m.duration = sl_col_double(st, 21, -1);
		m.frames = col_int(st, 22, -1);
		m.tc_start = sl_col_text(st, 23);
		m.drop_frame = col_int(st, 24, 0);
		m.audio_codec = sl_col_text(st, 25);
		m.audio_channels = col_int(st, 26, 0);
		m.audio_layout = sl_col_text(st, 27);
		m.state = sl_col_text(st, 28);
		m.meta = sl_col_text(st, 29);
		if ((rc = cb(&m, arg)) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read the media catalogue");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_media_set_state(struct shiftlog *sl, const char *path,
    const char *state)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "UPDATE media SET state = ?2 WHERE path = ?1",
	    &st, "update the media catalogue")) < 0)
		return rc;
	sl_bind_text(st, 1, path);
	sl_bind_text(st, 2, state);
	if ((rc = sl_step_done(sl, st, "update the media catalogue")) < 0)
		return rc;
	return sqlite3_changes(sl->db) > 0 ? 0 : 1;
}

int
shiftlog_watch_seen(struct shiftlog *sl, const char *watch, const char *path,
    int64_t size, int64_t mtime)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT 1 FROM watch_seen WHERE watch = ?1 "
	    "AND path = ?2 AND size = ?3 AND mtime = ?4", &st,
	    "read the watch folders' list")) < 0)
		return rc;
	sl_bind_text(st, 1, watch);
	sl_bind_text(st, 2, path);
	sqlite3_bind_int64(st, 3, size);
	sqlite3_bind_int64(st, 4, mtime);
	step = sqlite3_step(st);
	rc = step == SQLITE_ROW ? 1 : step == SQLITE_DONE ? 0 :
	    sl_db_error(sl, step, "read the watch folders' list");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_watch_mark(struct shiftlog *sl, const char *watch, const char *path,
    int64_t size, int64_t mtime, int64_t job)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT OR REPLACE INTO watch_seen (watch, "
	    "path, size, mtime, job_id, time) VALUES (?, ?, ?, ?, ?, ?)", &st,
	    "note a watch folder's arrival")) < 0)
		return rc;
	sl_bind_text(st, 1, watch);
	sl_bind_text(st, 2, path);
	sqlite3_bind_int64(st, 3, size);
	sqlite3_bind_int64(st, 4, mtime);
	if (job != 0)
		sqlite3_bind_int64(st, 5, job);
	sqlite3_bind_int64(st, 6, when_now());
	return sl_step_done(sl, st, "note a watch folder's arrival");
}
