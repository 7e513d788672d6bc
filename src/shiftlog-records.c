/*
 * shiftlog-records: the structured rows plugins hand the host
 * (host->record, the worker protocol's "record" line). A type with a table
 * of its own has a filer here that maps the JSON onto its columns (with
 * SQLite's JSON functions, so no JSON library is needed on this side);
 * every other type lands in the generic records table, so nothing a plugin
 * reports is lost.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "shiftlog-private.h"
#include "timecode.h"
#include "when.h"

struct filer {
	const char *type;
	int (*file)(struct shiftlog *sl, int64_t job, const char *data);
};

/* The row's start timecode as a frame count at its own rate (rate
 * "num/den", drop_frame, tc_start), when it has all three. */
static bool
tc_first(const char *data, int64_t *out)
{
	json_t *j;
	const char *rate, *tc;
	const struct tc_rate *r;
	char err[128];
	bool ok = false;

	/* Most files (stills, sidecars, sound rolls without one) carry no
	 * timecode: no need to parse the row for it. */
	if (strstr(data, "\"tc_start\"") == NULL)
		return false;
	j = json_loads(data, 0, NULL);
	rate = json_string_value(json_object_get(j, "rate"));
	tc = json_string_value(json_object_get(j, "tc_start"));
	if (tc != NULL && (r = tc_rate_of(rate, json_integer_value(
	    json_object_get(j, "drop_frame")) == 1)) != NULL)
		ok = tc_parse(tc, r, out, err, sizeof err) == TC_OK;
	json_decref(j);
	return ok;
}

/* The row's columns, their values from the JSON (?1; ?2 the time, ?3 the
 * job, ?4 the start timecode as frames) and, for a path catalogued
 * before, what replaces them. */
#define MEDIA_COLUMNS \
	"path, volume, name, size, mtime, catalogued, verified, job_id, " \
	"source, client, production, reel, clip, hashes, container, " \
	"video_codec, width, height, rate, scan, duration, frames, " \
	"tc_start, drop_frame, audio_codec, audio_channels, audio_layout, " \
	"state, meta, tc_first"
#define MEDIA_VALUES \
	"?1->>'path', ?1->>'volume', coalesce(?1->>'name', " \
	"replace(?1->>'path', rtrim(?1->>'path', replace(?1->>'path', '/', " \
	"'')), '')), ?1->>'size', ?1->>'mtime', ?2, ?1->>'verified', ?3, " \
	"?1->>'source', ?1->>'client', ?1->>'production', ?1->>'reel', " \
	"?1->>'clip', coalesce(?1->'hashes', '{}'), ?1->>'container', " \
	"?1->>'video_codec', ?1->>'width', ?1->>'height', ?1->>'rate', " \
	"?1->>'scan', ?1->>'duration', ?1->>'frames', ?1->>'tc_start', " \
	"?1->>'drop_frame', ?1->>'audio_codec', ?1->>'audio_channels', " \
	"?1->>'audio_layout', coalesce(?1->>'state', 'online'), " \
	"coalesce(?1->'meta', '{}'), ?4"
#define MEDIA_REPLACE \
	"volume = excluded.volume, name = excluded.name, " \
	"size = excluded.size, mtime = excluded.mtime, " \
	"catalogued = excluded.catalogued, verified = excluded.verified, " \
	"job_id = excluded.job_id, source = excluded.source, " \
	"client = excluded.client, production = excluded.production, " \
	"reel = excluded.reel, clip = excluded.clip, " \
	"hashes = excluded.hashes, container = excluded.container, " \
	"video_codec = excluded.video_codec, width = excluded.width, " \
	"height = excluded.height, rate = excluded.rate, " \
	"scan = excluded.scan, duration = excluded.duration, " \
	"frames = excluded.frames, tc_start = excluded.tc_start, " \
	"drop_frame = excluded.drop_frame, " \
	"audio_codec = excluded.audio_codec, " \
	"audio_channels = excluded.audio_channels, " \
	"audio_layout = excluded.audio_layout, state = excluded.state, " \
	"meta = excluded.meta, tc_first = excluded.tc_first"

/* "media": a catalogue row, replaced whole when the path is catalogued
 * again (a re-ingest, a verify; see sl_file_row()); see the media table
 * in shiftlog.c. */
static int
file_media(struct shiftlog *sl, int64_t job, const char *data)
{
	int64_t vals[3] = { when_now(), job != 0 ? job : SL_NULL, SL_NULL };

	if (!tc_first(data, &vals[2]))
		vals[2] = SL_NULL;
	return sl_file_row(sl, "INSERT INTO media (" MEDIA_COLUMNS ") VALUES ("
	    MEDIA_VALUES ") ON CONFLICT (path) DO NOTHING", "INSERT INTO "
	    "media (" MEDIA_COLUMNS ") VALUES (" MEDIA_VALUES ") ON CONFLICT "
	    "(path) DO UPDATE SET " MEDIA_REPLACE, data, vals, 3,
	    "catalogue a file");
}

/* Typed filers; a duty that adds a table adds its line here. */
static const struct filer filers[] = {
	{ "media", file_media },
	{ "incident", sl_file_incident },
	{ "storage.dirs", sl_file_storage_dirs },
	{ "storage.gone", sl_file_storage_gone },
	{ "storage.scan", sl_file_storage_scan },
	{ "storage.owners", sl_file_storage_owners },
	{ "storage.purged", sl_file_storage_purged },
	{ "storage.archived", sl_file_storage_archived },
	{ "storage.restored", sl_file_storage_restored },
	{ "storage.damaged", sl_file_storage_damaged },
	{ "qc.report", sl_file_qc_report },
	{ "delivery", shiftlog_file_delivery },
	{ "delivery.file", shiftlog_file_delivery_file },
	{ NULL, NULL },
};

static int
file_generic(struct shiftlog *sl, int64_t job, const char *type,
    const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO records (time, job_id, type, "
	    "data) VALUES (?, ?, ?, ?)", &st, "record a plugin's row")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, when_now());
	if (job != 0)
		sqlite3_bind_int64(st, 2, job);
	sl_bind_text(st, 3, type);
	sl_bind_text(st, 4, data);
	return sl_step_done(sl, st, "record a plugin's row");
}

int
shiftlog_record(struct shiftlog *sl, int64_t job, const char *type,
    const char *data)
{
	size_t i;

	for (i = 0; filers[i].type != NULL; i++) {
		if (strcmp(filers[i].type, type) == 0)
			return filers[i].file(sl, job, data);
	}
	return file_generic(sl, job, type, data);
}

int
shiftlog_records(struct shiftlog *sl, const char *type, int64_t job,
    int (*cb)(int64_t id, int64_t job, int64_t time, const char *data,
    void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT id, job_id, time, data FROM records "
	    "WHERE type = ?1 AND (?2 = 0 OR job_id = ?2) ORDER BY id", &st,
	    "read plugin rows")) < 0)
		return rc;
	sl_bind_text(st, 1, type);
	sqlite3_bind_int64(st, 2, job);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if ((rc = cb(sqlite3_column_int64(st, 0),
		    sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
		    sl_col_text(st, 3), arg)) != 0)
			break;
	}
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read plugin rows");
	sqlite3_finalize(st);
	return rc;
}

int64_t
shiftlog_last_row_id(struct shiftlog *sl)
{
	return sqlite3_last_insert_rowid(sl->db);
}
