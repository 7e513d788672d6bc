/*
 * shiftlog-storage: the storage duty's tables (schema migration "storage"
 * in shiftlog.c). The storage plugin's scan reports folders as
 * "storage.dirs" records (only those that changed since the scan before,
 * or all of them with "reset"), removed subtrees as "storage.gone", usage
 * by client and production as "storage.owners", and a summary as
 * "storage.scan"; the filers here map them onto storage_dirs, storage_owners
 * and storage_scans with SQLite's JSON functions. mcr delete and undelete
 * keep their rows in storage_deletions; the purge job reports
 * "storage.purged". storage.archive's copies ("storage.archived") go to
 * media_archive, linked to the catalogue; storage.restore's files
 * ("storage.restored") are catalogued again, and an archive copy a
 * restore found changed ("storage.damaged") stops counting as a copy.
 * This file also holds the online backup of the shift
 * log (sqlite3_backup_*), verified by reopening the copy and walking its
 * hash chain with shiftlog_verify().
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shiftlog-private.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

/* Slices of the growth window: at most this many samples are fitted. */
#define SL_GROWTH_BUCKETS 42

/* --- filers for the scan's records --- */

int
sl_file_storage_dirs(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO storage_dirs (volume, path, "
	    "parent, bytes, disk, files, dirs, own_bytes, own_files, mtime, "
	    "job_id, updated) SELECT json_extract(?1, '$.volume'), "
	    "d.value->>0, d.value->>1, d.value->>2, d.value->>3, d.value->>4, "
	    "d.value->>5, d.value->>6, d.value->>7, d.value->>8, ?2, ?3 "
	    "FROM json_each(?1, '$.dirs') AS d WHERE true "
	    "ON CONFLICT (volume, path) DO UPDATE SET parent = excluded.parent, "
	    "bytes = excluded.bytes, disk = excluded.disk, "
	    "files = excluded.files, dirs = excluded.dirs, "
	    "own_bytes = excluded.own_bytes, own_files = excluded.own_files, "
	    "mtime = excluded.mtime, job_id = excluded.job_id, "
	    "updated = excluded.updated", &st, "record scanned folders")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int64(st, 3, when_now());
	return sl_step_done(sl, st, "record scanned folders");
}

/* Removed folders: each path with everything under it. */
int
sl_file_storage_gone(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	(void)job;
	if ((rc = sl_prepare(sl, "DELETE FROM storage_dirs AS s WHERE "
	    "s.volume = json_extract(?1, '$.volume') AND EXISTS (SELECT 1 "
	    "FROM json_each(?1, '$.paths') AS g WHERE s.path = g.value OR "
	    "substr(s.path, 1, length(g.value) + 1) = g.value || '/')", &st,
	    "forget removed folders")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	return sl_step_done(sl, st, "forget removed folders");
}

/* The end of a scan. A scan that reported every folder ("reset") leaves
 * none of the rows it did not write. */
int
sl_file_storage_scan(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO storage_scans (job_id, volume, "
	    "root, time, full, seconds, bytes, disk, files, dirs, dirs_read, "
	    "stats, changed, gone) SELECT ?2, j->>'volume', j->>'root', ?3, "
	    "coalesce(j->>'full', 0), j->>'seconds', j->>'bytes', j->>'disk', "
	    "j->>'files', j->>'dirs', j->>'dirs_read', j->>'stats', "
	    "j->>'changed', j->>'gone' FROM (SELECT json(?1) AS j)", &st,
	    "record a scan")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int64(st, 3, when_now());
	if ((rc = sl_step_done(sl, st, "record a scan")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "DELETE FROM storage_dirs WHERE volume = "
	    "json_extract(?1, '$.volume') AND json_extract(?1, '$.reset') AND "
	    "job_id IS NOT ?2", &st, "record a scan")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, job);
	return sl_step_done(sl, st, "record a scan");
}

int
sl_file_storage_owners(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	(void)job;
	if ((rc = sl_prepare(sl, "DELETE FROM storage_owners WHERE volume = "
	    "json_extract(?1, '$.volume')", &st, "record usage by client")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	if ((rc = sl_step_done(sl, st, "record usage by client")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "INSERT INTO storage_owners (volume, client, "
	    "production, path, bytes, files, updated) SELECT "
	    "json_extract(?1, '$.volume'), o.value->>0, o.value->>1, "
	    "o.value->>2, o.value->>3, o.value->>4, ?2 FROM "
	    "json_each(?1, '$.owners') AS o WHERE true ON CONFLICT DO UPDATE "
	    "SET bytes = bytes + excluded.bytes, files = files + excluded.files",
	    &st, "record usage by client")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, when_now());
	return sl_step_done(sl, st, "record usage by client");
}

/* The purge job removed a quarantined deletion for good. */
int
sl_file_storage_purged(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	/* Only what is still quarantined: a file restored to the same
	 * path meanwhile is online and stays so. */
	if ((rc = sl_prepare(sl, "UPDATE media SET state = 'deleted' WHERE "
	    "state = 'quarantined' AND EXISTS (SELECT 1 FROM storage_deletions AS d WHERE d.id = "
	    "json_extract(?1, '$.id') AND d.state = 'quarantined' AND "
	    "(media.path = d.path OR substr(media.path, 1, length(d.path) + 1) "
	    "= d.path || '/'))", &st, "record a purge")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	if ((rc = sl_step_done(sl, st, "record a purge")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "UPDATE storage_deletions SET state = "
	    "'purged', purged = ?2, purge_job = ?3 WHERE id = "
	    "json_extract(?1, '$.id') AND state = 'quarantined'", &st,
	    "record a purge")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, when_now());
	sqlite3_bind_int64(st, 3, job);
	return sl_step_done(sl, st, "record a purge");
}

/* --- archive copies --- */

/* storage.archive's files, once their ASC MHL generation is written:
 * {"volume", "root", "mhl", "source_volume", "files": [[source, path,
 * size, mtime_us, {hashes}, verified_us], ...]}. A source the catalogue
 * lacks is catalogued first (its hashes are those the archive read);
 * one it has keeps its row, and the copy counts for it only when the
 * xxh128 agrees. */
int
sl_file_storage_archived(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int64_t now = when_now();
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO media (path, volume, name, size, "
	    "mtime, catalogued, hashes, meta) SELECT f.value->>0, "
	    "json_extract(?1, '$.source_volume'), replace(f.value->>0, "
	    "rtrim(f.value->>0, replace(f.value->>0, '/', '')), ''), "
	    "f.value->>2, f.value->>3, ?2, f.value->4, "
	    "json_object('catalogued_by', 'storage.archive') "
	    "FROM json_each(?1, '$.files') AS f WHERE true "
	    "ON CONFLICT (path) DO NOTHING", &st, "record archive copies")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, now);
	if ((rc = sl_step_done(sl, st, "record archive copies")) < 0)
		return rc;
	if ((rc = sl_prepare(sl, "INSERT INTO media_archive (media_id, source, "
	    "source_volume, path, volume, root, mhl, size, mtime, xxh128, "
	    "hashes, verified, job_id, time) SELECT (SELECT id FROM media "
	    "WHERE path = f.value->>0), f.value->>0, "
	    "json_extract(?1, '$.source_volume'), f.value->>1, "
	    "json_extract(?1, '$.volume'), json_extract(?1, '$.root'), "
	    "json_extract(?1, '$.mhl'), f.value->>2, f.value->>3, "
	    "f.value->4->>'xxh128', f.value->4, f.value->>5, ?2, ?3 "
	    "FROM json_each(?1, '$.files') AS f WHERE f.value->4->>'xxh128' "
	    "IS NOT NULL ON CONFLICT (path) DO UPDATE SET "
	    "media_id = excluded.media_id, source = excluded.source, "
	    "source_volume = excluded.source_volume, volume = excluded.volume, "
	    "root = excluded.root, mhl = excluded.mhl, size = excluded.size, "
	    "mtime = excluded.mtime, xxh128 = excluded.xxh128, "
	    "hashes = excluded.hashes, verified = excluded.verified, "
	    "job_id = excluded.job_id, time = excluded.time, state = 'online', "
	    "damaged = NULL", &st, "record archive copies")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int64(st, 3, now);
	return sl_step_done(sl, st, "record archive copies");
}

/* storage.restore's files, each verified against its archived hashes:
 * {"files": [[path, archive_path, volume, verified_us], ...]}. The
 * restored file is catalogued (online) with the archived hashes and the
 * production, client and probe of the row it was archived from. */
int
sl_file_storage_restored(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO media (path, volume, name, size, "
	    "mtime, catalogued, verified, job_id, source, client, production, "
	    "reel, clip, hashes, container, video_codec, width, height, rate, "
	    "scan, duration, frames, tc_start, drop_frame, audio_codec, "
	    "audio_channels, audio_layout, state, meta, tc_first) "
	    "SELECT f.value->>0, f.value->>2, coalesce(m.name, "
	    "replace(f.value->>0, rtrim(f.value->>0, replace(f.value->>0, "
	    "'/', '')), '')), a.size, a.mtime, ?2, f.value->>3, ?3, a.path, "
	    "m.client, m.production, m.reel, m.clip, a.hashes, m.container, "
	    "m.video_codec, m.width, m.height, m.rate, m.scan, m.duration, "
	    "m.frames, m.tc_start, m.drop_frame, m.audio_codec, "
	    "m.audio_channels, m.audio_layout, 'online', "
	    "json_object('restored_from', a.path), m.tc_first "
	    "FROM json_each(?1, '$.files') AS f "
	    "JOIN media_archive AS a ON a.path = f.value->>1 "
	    "LEFT JOIN media AS m ON m.id = a.media_id WHERE true "
	    "ON CONFLICT (path) DO UPDATE SET volume = excluded.volume, "
	    "size = excluded.size, mtime = excluded.mtime, "
	    "verified = excluded.verified, hashes = excluded.hashes, "
	    "state = 'online'", &st, "record restored files")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, when_now());
	sqlite3_bind_int64(st, 3, job);
	return sl_step_done(sl, st, "record restored files");
}

/* A restore read an archive copy whose bytes no longer match its hashes:
 * {"path": archive_path}. It no longer counts as a copy. */
int
sl_file_storage_damaged(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	(void)job;
	if ((rc = sl_prepare(sl, "UPDATE media_archive SET state = 'damaged', "
	    "damaged = ?2 WHERE path = json_extract(?1, '$.path')", &st,
	    "mark an archive copy damaged")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	sqlite3_bind_int64(st, 2, when_now());
	return sl_step_done(sl, st, "mark an archive copy damaged");
}

int
shiftlog_archive_copies(struct shiftlog *sl, int64_t media_id,
    const char *path, int (*cb)(const struct shiftlog_archive_copy *, void *),
    void *arg)
{
	struct shiftlog_archive_copy a;
	sqlite3_stmt *st;
	int rc, step;

	/* By media id; or the copies of what was archived from path or
	 * under it; or, when path is an archive copy or folder, those. */
	if ((rc = sl_prepare(sl, "SELECT id, coalesce(media_id, 0), source, "
	    "source_volume, path, volume, root, mhl, size, coalesce(mtime, 0), "
	    "xxh128, hashes, verified, state FROM media_archive WHERE "
	    "CASE WHEN ?1 > 0 THEN media_id = ?1 "
	    "WHEN EXISTS (SELECT 1 FROM media_archive WHERE source = ?2 OR "
	    "substr(source, 1, length(?2) + 1) = ?2 || '/') THEN "
	    "source = ?2 OR substr(source, 1, length(?2) + 1) = ?2 || '/' "
	    "ELSE path = ?2 OR substr(path, 1, length(?2) + 1) = ?2 || '/' END "
	    "ORDER BY source, state = 'online' DESC, verified DESC", &st,
	    "read archive copies")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, media_id);
	sl_bind_text(st, 2, path != NULL ? path : "");
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		a.id = sqlite3_column_int64(st, 0);
		a.media_id = sqlite3_column_int64(st, 1);
		a.source = sl_col_text(st, 2);
		a.source_volume = sl_col_text(st, 3);
		a.path = sl_col_text(st, 4);
		a.volume = sl_col_text(st, 5);
		a.root = sl_col_text(st, 6);
		a.mhl = sl_col_text(st, 7);
		a.size = sqlite3_column_int64(st, 8);
		a.mtime = sqlite3_column_int64(st, 9);
		a.xxh128 = sl_col_text(st, 10);
		a.hashes = sl_col_text(st, 11);
		a.verified = sqlite3_column_int64(st, 12);
		a.state = sl_col_text(st, 13);
		if ((rc = cb(&a, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read archive copies");
	sqlite3_finalize(st);
	return rc;
}

/* --- reading the usage tree --- */

#define DIR_COLUMNS "volume, path, bytes, disk, files, dirs, own_bytes, " \
	"own_files, mtime, updated"

static void
row_to_dir(sqlite3_stmt *st, struct shiftlog_dir *d)
{
	d->volume = sl_col_text(st, 0);
	d->path = sl_col_text(st, 1);
	d->bytes = sqlite3_column_int64(st, 2);
	d->disk = sqlite3_column_int64(st, 3);
	d->files = sqlite3_column_int64(st, 4);
	d->dirs = sqlite3_column_int64(st, 5);
	d->own_bytes = sqlite3_column_int64(st, 6);
	d->own_files = sqlite3_column_int64(st, 7);
	d->mtime = sqlite3_column_int64(st, 8);
	d->updated = sqlite3_column_int64(st, 9);
}

/* Runs st (already bound) and hands each row to cb; *rows counts them. */
static int
each_dir(struct shiftlog *sl, sqlite3_stmt *st,
    int (*cb)(const struct shiftlog_dir *, void *), void *arg, int *rows)
{
	struct shiftlog_dir d;
	int step, rc = 0;

	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_dir(st, &d);
		(*rows)++;
		if ((rc = cb(&d, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read the usage tree");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_storage_dir(struct shiftlog *sl, const char *volume,
    const char *path, bool children,
    int (*cb)(const struct shiftlog_dir *, void *), void *arg)
{
	sqlite3_stmt *st;
	int rc, rows = 0;

	if ((rc = sl_prepare(sl, "SELECT " DIR_COLUMNS " FROM storage_dirs "
	    "WHERE volume = ?1 AND path = ?2", &st,
	    "read the usage tree")) < 0)
		return rc;
	sl_bind_text(st, 1, volume);
	sl_bind_text(st, 2, path);
	if ((rc = each_dir(sl, st, cb, arg, &rows)) != 0)
		return rc;
	if (rows == 0)
		return 1;
	if (!children)
		return 0;
	if ((rc = sl_prepare(sl, "SELECT " DIR_COLUMNS " FROM storage_dirs "
	    "WHERE volume = ?1 AND parent = ?2 ORDER BY bytes DESC, path", &st,
	    "read the usage tree")) < 0)
		return rc;
	sl_bind_text(st, 1, volume);
	sl_bind_text(st, 2, path);
	return each_dir(sl, st, cb, arg, &rows);
}

int
shiftlog_storage_scans(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_scan *, void *), void *arg)
{
	struct shiftlog_scan s;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT volume, root, job_id, time, full, "
	    "seconds, bytes, disk, files, dirs, dirs_read, stats, changed, "
	    "gone FROM storage_scans WHERE id IN (SELECT max(id) FROM "
	    "storage_scans GROUP BY volume) ORDER BY volume", &st,
	    "read the scans")) < 0)
		return rc;
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		s.volume = sl_col_text(st, 0);
		s.root = sl_col_text(st, 1);
		s.job_id = sqlite3_column_int64(st, 2);
		s.time = sqlite3_column_int64(st, 3);
		s.full = sqlite3_column_int(st, 4) != 0;
		s.seconds = sl_col_double(st, 5, 0);
		s.bytes = sqlite3_column_int64(st, 6);
		s.disk = sqlite3_column_int64(st, 7);
		s.files = sqlite3_column_int64(st, 8);
		s.dirs = sqlite3_column_int64(st, 9);
		s.dirs_read = sqlite3_column_int64(st, 10);
		s.stats = sqlite3_column_int64(st, 11);
		s.changed = sqlite3_column_int64(st, 12);
		s.gone = sqlite3_column_int64(st, 13);
		if ((rc = cb(&s, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read the scans");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_storage_owners(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_owner *, void *), void *arg)
{
	struct shiftlog_owner o;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT volume, client, production, path, "
	    "bytes, files, updated FROM storage_owners ORDER BY client, "
	    "volume, production", &st, "read usage by client")) < 0)
		return rc;
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		o.volume = sl_col_text(st, 0);
		o.client = sl_col_text(st, 1);
		o.production = sl_col_text(st, 2);
		o.path = sl_col_text(st, 3);
		o.bytes = sqlite3_column_int64(st, 4);
		o.files = sqlite3_column_int64(st, 5);
		o.updated = sqlite3_column_int64(st, 6);
		if ((rc = cb(&o, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read usage by client");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_storage_latest(struct shiftlog *sl, const char *volume,
    int64_t *time, char **data)
{
	sqlite3_stmt *st;
	int rc, step;

	*time = 0;
	*data = NULL;
	/* One seek down the (series, key, time) index, however long the
	 * history. */
	if ((rc = sl_prepare(sl, "SELECT time, data FROM samples WHERE "
	    "series = 'storage.volume' AND key = ?1 ORDER BY time DESC "
	    "LIMIT 1", &st, "read the newest sample")) < 0)
		return rc;
	sl_bind_text(st, 1, volume);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*time = sqlite3_column_int64(st, 0);
		*data = xstrdup(sl_col_text(st, 1));
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 1;
	else
		rc = sl_db_error(sl, step, "read the newest sample");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_storage_growth(struct shiftlog *sl, const char *volume,
    int64_t window, int64_t now, double *per_day, int64_t *n)
{
	sqlite3_stmt *st;
	int rc, step;

	*per_day = 0;
	*n = 0;
	/* Least squares over (days since the first sample, used bytes);
	 * times in days keep the sums well inside a double's precision.
	 * The fit takes the first sample of each of the window's
	 * SL_GROWTH_BUCKETS slices, each found by one index seek: the cost
	 * stays the same whether mcrd samples every minute or every hour,
	 * and 42 points over a week (every 4 hours) fit a growth rate as
	 * well as 2,016 do: each page read is a page fault and a copy, and
	 * on a busy host they were most of the verb's time. */
	if ((rc = sl_prepare(sl, "WITH RECURSIVE b(t) AS (SELECT ?2 UNION ALL "
	    "SELECT t + ?4 FROM b WHERE t + ?4 <= ?3), "
	    "f(id) AS (SELECT (SELECT id FROM samples WHERE series = "
	    "'storage.volume' AND key = ?1 AND time >= b.t AND time < b.t + ?4 "
	    "ORDER BY time LIMIT 1) FROM b), "
	    "s AS (SELECT (p.time - ?3) / 86400e6 AS x, "
	    "CAST(json_extract(p.data, '$.used') AS REAL) AS y FROM f "
	    "JOIN samples AS p ON p.id = f.id WHERE "
	    "json_extract(p.data, '$.used') IS NOT NULL) "
	    "SELECT count(*), sum(x), sum(y), sum(x * x), sum(x * y) FROM s",
	    &st, "estimate growth")) < 0)
		return rc;
	sl_bind_text(st, 1, volume);
	sqlite3_bind_int64(st, 2, now - window);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, window / SL_GROWTH_BUCKETS > 0 ?
	    window / SL_GROWTH_BUCKETS : 1);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		double k = sqlite3_column_double(st, 0);
		double sx = sqlite3_column_double(st, 1);
		double sy = sqlite3_column_double(st, 2);
		double sxx = sqlite3_column_double(st, 3);
		double sxy = sqlite3_column_double(st, 4);
		double den = k * sxx - sx * sx;

		*n = sqlite3_column_int64(st, 0);
		if (*n >= 2 && den > 1e-12)
			*per_day = (k * sxy - sx * sy) / den;
		rc = 0;
	} else
		rc = sl_db_error(sl, step, "estimate growth");
	sqlite3_finalize(st);
	return rc;
}

/* --- deletions --- */

int
shiftlog_deletion_add(struct shiftlog *sl, const struct shiftlog_deletion *d,
    const char *message, int64_t *id)
{
	struct shiftlog_event ev = { .kind = "storage.delete",
	    .severity = "warning" };
	sqlite3_stmt *st;
	char data[96];
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO storage_deletions (time, path, "
	    "volume, quarantine, bytes, files, reason, requested_by, "
	    "authorised_by, copies, override, expires, state) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'quarantined')", &st,
	    "record a deletion")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, d->time);
	sl_bind_text(st, 2, d->path);
	sl_bind_text(st, 3, d->volume);
	sl_bind_text(st, 4, d->quarantine);
	sqlite3_bind_int64(st, 5, d->bytes);
	sqlite3_bind_int64(st, 6, d->files);
	sl_bind_text(st, 7, d->reason);
	sl_bind_text(st, 8, d->requested_by);
	sl_bind_text(st, 9, d->authorised_by);
	if (d->copies >= 0)
		sqlite3_bind_int64(st, 10, d->copies);
	sqlite3_bind_int(st, 11, d->override);
	sqlite3_bind_int64(st, 12, d->expires);
	if ((rc = sl_step_done(sl, st, "record a deletion")) < 0)
		return rc;
	*id = sqlite3_last_insert_rowid(sl->db);
	if ((rc = shiftlog_media_state_under(sl, d->path, "quarantined")) < 0)
		return rc;
	strutil_format(data, sizeof data, "{\"deletion\":%lld}",
	    (long long)*id);
	ev.subject = d->path;
	ev.message = message;
	ev.data = data;
	return sl_append_locked(sl, &ev, 1);
}

int
shiftlog_deletions(struct shiftlog *sl, int64_t id, const char *path,
    int (*cb)(const struct shiftlog_deletion *, void *), void *arg)
{
	struct shiftlog_deletion d;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT id, time, path, volume, quarantine, "
	    "bytes, files, reason, requested_by, authorised_by, "
	    "coalesce(copies, -1), override, expires, state, "
	    "coalesce(restored, 0), coalesce(purged, 0), restored_by "
	    "FROM storage_deletions WHERE (?1 = 0 OR id = ?1) AND "
	    "(?2 IS NULL OR path = ?2) ORDER BY id", &st,
	    "read deletions")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sl_bind_text(st, 2, path);
	rc = 0;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		d.id = sqlite3_column_int64(st, 0);
		d.time = sqlite3_column_int64(st, 1);
		d.path = sl_col_text(st, 2);
		d.volume = sl_col_text(st, 3);
		d.quarantine = sl_col_text(st, 4);
		d.bytes = sqlite3_column_int64(st, 5);
		d.files = sqlite3_column_int64(st, 6);
		d.reason = sl_col_text(st, 7);
		d.requested_by = sl_col_text(st, 8);
		d.authorised_by = sl_col_text(st, 9);
		d.copies = sqlite3_column_int64(st, 10);
		d.override = sqlite3_column_int(st, 11) != 0;
		d.expires = sqlite3_column_int64(st, 12);
		d.state = sl_col_text(st, 13);
		d.restored = sqlite3_column_int64(st, 14);
		d.purged = sqlite3_column_int64(st, 15);
		d.restored_by = sl_col_text(st, 16);
		if ((rc = cb(&d, arg)) != 0)
			break;
	}
	if (rc == 0 && step != SQLITE_DONE)
		rc = sl_db_error(sl, step, "read deletions");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_deletion_restored(struct shiftlog *sl, int64_t id,
    const char *message)
{
	struct shiftlog_event ev = { .kind = "storage.undelete",
	    .severity = "notice" };
	sqlite3_stmt *st;
	char data[96];
	const char *path;
	char *p = NULL;
	int rc, step;

	if ((rc = sl_prepare(sl, "UPDATE storage_deletions SET state = "
	    "'restored', restored = ?2, restored_by = ?3 WHERE id = ?1 AND "
	    "state = 'quarantined' RETURNING path", &st,
	    "record an undelete")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, when_now());
	sl_bind_text(st, 3, sl->who.user);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW && (path = sl_col_text(st, 0)) != NULL)
		p = xstrdup(path);
	if (step == SQLITE_ROW)
		step = sqlite3_step(st);
	sqlite3_finalize(st);
	if (step != SQLITE_DONE) {
		free(p);
		return sl_db_error(sl, step, "record an undelete");
	}
	if (p == NULL) {
		sl_set_error(sl, "deletion %lld is not in quarantine",
		    (long long)id);
		return SHIFTLOG_INVALID;
	}
	if ((rc = shiftlog_media_state_under(sl, p, "online")) == 0) {
		strutil_format(data, sizeof data, "{\"deletion\":%lld}",
		    (long long)id);
		ev.subject = p;
		ev.message = message;
		ev.data = data;
		rc = sl_append_locked(sl, &ev, 1);
	}
	free(p);
	return rc;
}

int
shiftlog_media_copies(struct shiftlog *sl, const char *file,
    const char *volume, int64_t *copies, bool *catalogued)
{
	sqlite3_stmt *st;
	int rc, step;

	*copies = 0;
	*catalogued = false;
	/* Catalogued copies and archive copies, each place once (an
	 * archive copy may have been catalogued too). */
	if ((rc = sl_prepare(sl, "SELECT (SELECT count(DISTINCT p) FROM ("
	    "SELECT o.path AS p FROM media AS o "
	    "WHERE o.hashes->>'xxh128' = m.hashes->>'xxh128' AND o.id <> m.id "
	    "AND o.verified IS NOT NULL AND o.state = 'online' AND "
	    "o.volume IS NOT NULL AND o.volume <> ?2 "
	    "UNION ALL SELECT a.path FROM media_archive AS a "
	    "WHERE a.xxh128 = m.hashes->>'xxh128' AND a.path <> m.path AND "
	    "a.state = 'online' AND a.volume <> ?2)) FROM media AS m WHERE "
	    "m.path = ?1 AND m.hashes->>'xxh128' IS NOT NULL", &st,
	    "count verified copies")) < 0)
		return rc;
	sl_bind_text(st, 1, file);
	sl_bind_text(st, 2, volume);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*catalogued = true;
		*copies = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 0;
	else
		rc = sl_db_error(sl, step, "count verified copies");
	sqlite3_finalize(st);
	return rc;
}

int
shiftlog_media_state_under(struct shiftlog *sl, const char *path,
    const char *state)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "UPDATE media SET state = ?2 WHERE path = ?1 "
	    "OR substr(path, 1, length(?1) + 1) = ?1 || '/'", &st,
	    "update the catalogue")) < 0)
		return rc;
	sl_bind_text(st, 1, path);
	sl_bind_text(st, 2, state);
	return sl_step_done(sl, st, "update the catalogue");
}

int
shiftlog_path_in_use(struct shiftlog *sl, const char *path, int64_t *job,
    char *kind, size_t kindlen)
{
	sqlite3_stmt *st;
	int rc, step;

	*job = 0;
	/* v is under path, path is under v, or they are the same; only
	 * absolute paths count ("prod" or "" are not paths). */
	if ((rc = sl_prepare(sl, "SELECT j.id, j.kind FROM jobs AS j WHERE "
	    "j.state IN ('queued', 'running', 'paused') AND EXISTS (SELECT 1 "
	    "FROM (SELECT value AS v FROM json_each(j.params) WHERE "
	    "type = 'text' UNION ALL SELECT j.subject) WHERE "
	    "substr(v, 1, 1) = '/' AND (v = ?1 OR "
	    "substr(v, 1, length(?1) + 1) = ?1 || '/' OR "
	    "substr(?1, 1, length(rtrim(v, '/')) + 1) = rtrim(v, '/') || '/')"
	    ") ORDER BY j.id LIMIT 1", &st, "look for jobs using a path")) < 0)
		return rc;
	sl_bind_text(st, 1, path);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*job = sqlite3_column_int64(st, 0);
		strutil_format(kind, kindlen, "%s", sl_col_text(st, 1));
		rc = 0;
	} else if (step == SQLITE_DONE)
		rc = 0;
	else
		rc = sl_db_error(sl, step, "look for jobs using a path");
	sqlite3_finalize(st);
	return rc;
}

/* --- the online backup --- */


static double
mono_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The hash the live log holds for event id (32 bytes), or -1. */
static int
live_hash(struct shiftlog *sl, int64_t id, uint8_t out[32])
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sl_prepare(sl, "SELECT hash FROM events WHERE id = ?", &st,
	    "read the live chain") < 0)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_bytes(st, 0) == 32) {
		memcpy(out, sqlite3_column_blob(st, 0), 32);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Reopens the copy as a shift log and checks it: its chain intact, and its
 * last event the same row as in the live log (so the copy is the live
 * history up to that point, not another log). 0 or 1 (problem set). */
static int
backup_verify(struct shiftlog *sl, const char *tmp,
    struct shiftlog_backup_result *r)
{
	struct shiftlog_opts o = { .read_only = true, .must_exist = true };
	struct shiftlog_verify v;
	struct shiftlog *copy;
	uint8_t head[32];
	char err[320];
	int rc;

	if (shiftlog_open(tmp, &o, &copy, err, sizeof err) < 0) {
		strutil_format(r->problem, sizeof r->problem, "the copy cannot "
		    "be opened as a shift log: %s", err);
		return 1;
	}
	rc = shiftlog_verify(copy, &v);
	shiftlog_close(copy);
	if (rc < 0) {
		strutil_format(r->problem, sizeof r->problem, "the copy's hash "
		    "chain cannot be read");
		return 1;
	}
	if (rc == 1) {
		strutil_format(r->problem, sizeof r->problem, "the copy's hash "
		    "chain is broken: %s", v.triggers_missing && v.problem[0]
		    == '\0' ? "its append-only triggers are missing" :
		    v.problem);
		return 1;
	}
	r->events = v.checked;
	r->head_id = v.head_id;
	if (v.head_id > 0 && (live_hash(sl, v.head_id, head) < 0 ||
	    memcmp(head, v.head, 32) != 0)) {
		strutil_format(r->problem, sizeof r->problem, "the copy's last "
		    "event %lld differs from the live log's", (long long)v.head_id);
		return 1;
	}
	return 0;
}

int
shiftlog_backup(struct shiftlog *sl, const char *dest,
    struct shiftlog_backup_result *r)
{
	sqlite3 *out = NULL;
	sqlite3_backup *b;
	char *tmp = xasprintf("%s.tmp-%ld", dest, (long)getpid());
	double t0 = mono_seconds();
	int rc, step, vrc;

	memset(r, 0, sizeof *r);
	unlink(tmp);
	rc = sqlite3_open_v2(tmp, &out, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		sl_set_error(sl, "cannot create the backup %s: %s", tmp,
		    out != NULL ? sqlite3_errmsg(out) : sqlite3_errstr(rc));
		rc = SHIFTLOG_ERR;
		goto out;
	}
	b = sqlite3_backup_init(out, "main", sl->db, "main");
	if (b == NULL) {
		sl_set_error(sl, "cannot start the backup to %s: %s", tmp,
		    sqlite3_errmsg(out));
		rc = SHIFTLOG_ERR;
		goto out;
	}
	/* All pages in one step, inside one read transaction: in WAL mode it
	 * sees one snapshot while writers go on, whereas a copy in several
	 * steps restarts whenever another connection commits between them,
	 * and a busy shift log commits several times a second. Busy and
	 * locked (a checkpoint, a writer setting up WAL) mean wait a little. */
	do {
		step = sqlite3_backup_step(b, -1);
		if (step == SQLITE_BUSY || step == SQLITE_LOCKED)
			sqlite3_sleep(5);
	} while (step == SQLITE_OK || step == SQLITE_BUSY ||
	    step == SQLITE_LOCKED);
	r->pages = sqlite3_backup_pagecount(b);
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE) {
		sl_set_error(sl, "the backup to %s failed: %s", tmp,
		    sqlite3_errstr(step));
		rc = SHIFTLOG_ERR;
		goto out;
	}
	/* One self-contained file: no -wal beside it to lose in a copy. */
	if (sqlite3_exec(out, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL) != SQLITE_OK) {
		sl_set_error(sl, "cannot finish the backup %s: %s", tmp,
		    sqlite3_errmsg(out));
		rc = SHIFTLOG_ERR;
		goto out;
	}
	sqlite3_close(out);
	out = NULL;
	if ((vrc = backup_verify(sl, tmp, r)) != 0) {
		rc = 1;
		goto out;
	}
	{
		FILE *f = fopen(tmp, "rb");

		if (f != NULL) {
			fseek(f, 0, SEEK_END);
			r->bytes = ftell(f);
			/* Durable before it takes the real name. */
			fflush(f);
			fsync(fileno(f));
			fclose(f);
		}
	}
	if (rename(tmp, dest) != 0) {
		sl_set_error(sl, "cannot move the verified backup to %s: %s",
		    dest, strerror(errno));
		rc = SHIFTLOG_ERR;
		goto out;
	}
	rc = 0;
out:
	if (out != NULL)
		sqlite3_close(out);
	if (rc != 0)
		unlink(tmp);
	r->seconds = mono_seconds() - t0;
	free(tmp);
	return rc;
}
