/*
 * shiftlog-delivery: what the transfer plugin records and what mcr
 * deliver, receive and asset read back. The plugin's "delivery" and
 * "delivery.file" rows (host->record) are filed here into deliveries (one
 * per job, updated as it runs) and delivery_files (one per file and
 * delivery). Reading builds the JSON documents mcr(1) documents with
 * SQLite's JSON functions. The physical asset register keeps one row per
 * asset and an append-only chain of custody, each link tied to the event
 * that announced it.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "shiftlog-private.h"
#include "strutil.h"
#include "when.h"

int
shiftlog_file_delivery(struct shiftlog *sl, int64_t job, const char *data)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "INSERT INTO deliveries (job_id, direction, "
	    "destination, engine, target, path, client, status, files, bytes, "
	    "verified_by, message, manifest, note, who, started, finished, "
	    "seconds, hash_seconds) SELECT ?2, j->>'direction', "
	    "j->>'destination', j->>'engine', j->>'target', j->>'path', "
	    "j->>'client', j->>'status', j->>'files', j->>'bytes', "
	    "j->>'verified_by', j->>'message', j->>'manifest', j->>'note', "
	    "(SELECT requested_by FROM jobs WHERE id = ?2), ?3, "
	    "CASE WHEN j->>'status' = 'running' THEN NULL ELSE ?3 END, "
	    "j->>'seconds', j->>'hash_seconds' FROM (SELECT json(?1) AS j) "
	    "WHERE true ON CONFLICT (job_id) DO UPDATE SET "
	    "status = excluded.status, files = excluded.files, "
	    "bytes = excluded.bytes, verified_by = excluded.verified_by, "
	    "message = excluded.message, manifest = excluded.manifest, "
	    "finished = excluded.finished, seconds = excluded.seconds, "
	    "hash_seconds = excluded.hash_seconds", &st,
	    "record a delivery")) < 0)
		return rc;
	sl_bind_text(st, 1, data);
	if (job != 0)
		sqlite3_bind_int64(st, 2, job);
	sqlite3_bind_int64(st, 3, when_now());
	return sl_step_done(sl, st, "record a delivery");
}

#define DELIVERY_FILE_INSERT \
	"INSERT INTO delivery_files (delivery_id, rel, src, size, xxh128, " \
	"md5, xxh64, start, end, rate, status, verified, problem) VALUES " \
	"(?2, ?1->>'rel', ?1->>'src', ?1->>'size', ?1->>'xxh128', " \
	"?1->>'md5', ?1->>'xxh64', ?1->>'start', ?1->>'end', ?1->>'rate', " \
	"?1->>'status', ?1->>'verified', ?1->>'problem') "

/* One row per file of the job's delivery (none when the job has no
 * delivery row yet); a file recorded again is replaced (sl_file_row()). */
int
shiftlog_file_delivery_file(struct shiftlog *sl, int64_t job,
    const char *data)
{
	sqlite3_stmt *st;
	int64_t delivery = 0;
	int rc, step;

	if ((rc = sl_prepare_kept(sl, "SELECT id FROM deliveries WHERE "
	    "job_id = ?", &st, "find the delivery of a file")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, job);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		delivery = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sl_db_error(sl, step, "find the delivery of a file");
	if (delivery == 0)
		return 0;
	return sl_file_row(sl, DELIVERY_FILE_INSERT "ON CONFLICT (delivery_id, "
	    "rel) DO NOTHING", DELIVERY_FILE_INSERT "ON CONFLICT (delivery_id, "
	    "rel) DO UPDATE SET src = excluded.src, size = excluded.size, "
	    "xxh128 = excluded.xxh128, md5 = excluded.md5, "
	    "xxh64 = excluded.xxh64, start = excluded.start, "
	    "end = excluded.end, rate = excluded.rate, "
	    "status = excluded.status, verified = excluded.verified, "
	    "problem = excluded.problem", data, &delivery, 1,
	    "record a delivered file");
}

#define DELIVERY_OBJECT \
	"json_object('id', d.id, 'job', d.job_id, 'direction', d.direction, " \
	"'destination', d.destination, 'engine', d.engine, " \
	"'target', d.target, 'path', d.path, 'client', d.client, " \
	"'status', d.status, 'files', d.files, 'bytes', d.bytes, " \
	"'verified_by', d.verified_by, 'message', d.message, " \
	"'manifest', d.manifest, 'note', d.note, 'who', d.who, " \
	"'started', d.started, 'finished', d.finished, " \
	"'seconds', d.seconds, 'hash_seconds', d.hash_seconds"

/* Runs a query yielding one text column into *out (malloc'd); NULL row:
 * SHIFTLOG_INVALID with notfound as the message. */
static int
one_text(struct shiftlog *sl, sqlite3_stmt *st, const char *what,
    const char *notfound, char **out)
{
	int step = sqlite3_step(st);

	*out = NULL;
	if (step == SQLITE_ROW && sl_col_text(st, 0) != NULL) {
		*out = strdup(sl_col_text(st, 0));
		sqlite3_finalize(st);
		if (*out == NULL)
			abort();
		return 0;
	}
	sqlite3_finalize(st);
	if (step == SQLITE_ROW || step == SQLITE_DONE) {
		sl_set_error(sl, "%s", notfound);
		return SHIFTLOG_INVALID;
	}
	return sl_db_error(sl, step, what);
}

int
shiftlog_delivery_json(struct shiftlog *sl, int64_t id, int64_t job,
    char **out)
{
	sqlite3_stmt *st;
	char nf[160];
	int rc;

	if ((rc = sl_prepare(sl, "SELECT " DELIVERY_OBJECT ", 'file_list', "
	    "(SELECT json_group_array(json_object('rel', f.rel, 'src', f.src, "
	    "'size', f.size, 'xxh128', f.xxh128, 'md5', f.md5, "
	    "'xxh64', f.xxh64, 'start', f.start, 'end', f.end, "
	    "'rate', f.rate, 'status', f.status, 'verified', f.verified, "
	    "'problem', f.problem)) FROM (SELECT * FROM delivery_files "
	    "WHERE delivery_id = d.id ORDER BY rel) f)) FROM deliveries d "
	    "WHERE (?1 != 0 AND d.id = ?1) OR (?1 = 0 AND d.job_id = ?2)",
	    &st, "read a delivery")) < 0)
		return rc;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, job);
	if (id != 0)
		strutil_format(nf, sizeof nf, "there is no delivery %lld; 'mcr "
		    "deliver --list' lists them", (long long)id);
	else
		strutil_format(nf, sizeof nf, "job %lld recorded no delivery",
		    (long long)job);
	return one_text(sl, st, "read a delivery", nf, out);
}

int
shiftlog_deliveries_json(struct shiftlog *sl, const char *direction,
    int64_t limit, char **out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT coalesce(json_group_array(json(o)), "
	    "'[]') FROM (SELECT " DELIVERY_OBJECT ") AS o FROM deliveries d "
	    "WHERE ?1 IS NULL OR d.direction = ?1 ORDER BY d.id DESC "
	    "LIMIT CASE WHEN ?2 > 0 THEN ?2 ELSE -1 END)", &st,
	    "list deliveries")) < 0)
		return rc;
	sl_bind_text(st, 1, direction);
	sqlite3_bind_int64(st, 2, limit);
	return one_text(sl, st, "list deliveries", "no deliveries", out);
}

/* --- physical assets --- */

static int
asset_lookup(struct shiftlog *sl, const char *label, int64_t *id,
    char *state, size_t statelen)
{
	sqlite3_stmt *st;
	int rc, step;

	*id = 0;
	if ((rc = sl_prepare(sl, "SELECT id, state FROM assets WHERE label = ?",
	    &st, "find an asset")) < 0)
		return rc;
	sl_bind_text(st, 1, label);
	step = sqlite3_step(st);
	if (step == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		strutil_copy(state, sl_col_text(st, 1), statelen);
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sl_db_error(sl, step, "find an asset");
	return 0;
}

int
shiftlog_asset_custody(struct shiftlog *sl, const struct shiftlog_custody *c)
{
	struct shiftlog_event ev = { .kind = NULL, .severity = "info" };
	char kind[32], msg[512], state[8] = "";
	sqlite3_stmt *st = NULL;
	int64_t id, now = when_now();
	int rc;

	if (c->label == NULL || strutil_blank(c->label) ||
	    !strutil_utf8_valid(c->label, strlen(c->label))) {
		sl_set_error(sl, "an asset needs a label or barcode");
		return SHIFTLOG_INVALID;
	}
	if ((rc = sl_begin_write(sl, "record a change of custody")) < 0)
		return rc;
	if ((rc = asset_lookup(sl, c->label, &id, state, sizeof state)) < 0)
		goto out;
	rc = SHIFTLOG_INVALID;
	if (strcmp(c->action, "in") == 0) {
		if (id != 0 && strcmp(state, "in") == 0) {
			sl_set_error(sl, "asset %s is already in; use 'mcr asset "
			    "move' to record a new location", c->label);
			goto out;
		}
		if (id == 0 && (c->format == NULL || c->client == NULL)) {
			sl_set_error(sl, "asset %s is new: give its --format "
			    "and --client", c->label);
			goto out;
		}
		strutil_format(msg, sizeof msg, "%s %s in%s%s%s%s%s%s",
		    c->format ? c->format : "asset", c->label,
		    c->location ? " to " : "", c->location ? c->location : "",
		    c->courier ? " by " : "", c->courier ? c->courier : "",
		    c->signed_by ? ", signed by " : "",
		    c->signed_by ? c->signed_by : "");
	} else if (strcmp(c->action, "out") == 0 ||
	    strcmp(c->action, "move") == 0) {
		if (id == 0) {
			sl_set_error(sl, "there is no asset %s in the register; "
			    "'mcr asset list' lists them", c->label);
			goto out;
		}
		if (strcmp(state, "out") == 0) {
			sl_set_error(sl, "asset %s is out already; book it in "
			    "with 'mcr asset in' first", c->label);
			goto out;
		}
		if (c->location == NULL) {
			sl_set_error(sl, "say where asset %s goes with --to",
			    c->label);
			goto out;
		}
		strutil_format(msg, sizeof msg, "asset %s %s %s%s%s%s%s",
		    c->label, strcmp(c->action, "out") == 0 ? "out to" :
		    "moved to", c->location, c->courier ? " by " : "",
		    c->courier ? c->courier : "",
		    c->signed_by ? ", signed by " : "",
		    c->signed_by ? c->signed_by : "");
	} else {
		sl_set_error(sl, "'%s' is not in, out or move", c->action);
		goto out;
	}
	if (id == 0) {
		if ((rc = sl_prepare(sl, "INSERT INTO assets (label, format, "
		    "client, production, state, location, created, updated) "
		    "VALUES (?, ?, ?, ?, 'in', ?, ?, ?)", &st,
		    "register an asset")) < 0)
			goto out;
		sl_bind_text(st, 1, c->label);
		sl_bind_text(st, 2, c->format);
		sl_bind_text(st, 3, c->client);
		sl_bind_text(st, 4, c->production);
		sl_bind_text(st, 5, c->location);
		sqlite3_bind_int64(st, 6, now);
		sqlite3_bind_int64(st, 7, now);
		if ((rc = sl_step_done(sl, st, "register an asset")) < 0)
			goto out;
		id = sqlite3_last_insert_rowid(sl->db);
	} else {
		if ((rc = sl_prepare(sl, "UPDATE assets SET state = ?2, "
		    "location = coalesce(?3, location), "
		    "format = coalesce(?4, format), "
		    "client = coalesce(?5, client), "
		    "production = coalesce(?6, production), updated = ?7 "
		    "WHERE id = ?1", &st, "update an asset")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, id);
		sl_bind_text(st, 2, strcmp(c->action, "out") == 0 ? "out" :
		    "in");
		sl_bind_text(st, 3, c->location);
		sl_bind_text(st, 4, c->format);
		sl_bind_text(st, 5, c->client);
		sl_bind_text(st, 6, c->production);
		sqlite3_bind_int64(st, 7, now);
		if ((rc = sl_step_done(sl, st, "update an asset")) < 0)
			goto out;
	}
	strutil_format(kind, sizeof kind, "asset.%s", c->action);
	ev.kind = kind;
	ev.subject = c->label;
	ev.message = msg;
	ev.time = now;
	if ((rc = sl_append_locked(sl, &ev, 1)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "INSERT INTO asset_custody (asset_id, time, "
	    "action, location, courier, reference, signed_by, user, host, "
	    "note, event_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &st,
	    "record a change of custody")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, now);
	sl_bind_text(st, 3, c->action);
	sl_bind_text(st, 4, c->location);
	sl_bind_text(st, 5, c->courier);
	sl_bind_text(st, 6, c->reference);
	sl_bind_text(st, 7, c->signed_by);
	sl_bind_text(st, 8, ev.user);
	sl_bind_text(st, 9, ev.host);
	sl_bind_text(st, 10, c->note);
	sqlite3_bind_int64(st, 11, ev.id);
	rc = sl_step_done(sl, st, "record a change of custody");
out:
	return sl_commit(sl, rc, "record a change of custody");
}

int
shiftlog_asset_link(struct shiftlog *sl, const char *label, int64_t media_id)
{
	sqlite3_stmt *st;
	char state[8];
	int64_t id, found;
	int rc;

	if ((rc = sl_begin_write(sl, "link media to an asset")) < 0)
		return rc;
	if ((rc = asset_lookup(sl, label, &id, state, sizeof state)) < 0)
		goto out;
	if (id == 0) {
		sl_set_error(sl, "there is no asset %s in the register; 'mcr "
		    "asset list' lists them", label);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	if ((rc = sl_prepare(sl, "SELECT count(*) FROM media WHERE id = ?",
	    &st, "link media to an asset")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, media_id);
	found = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) :
	    0;
	sqlite3_finalize(st);
	if (found == 0) {
		sl_set_error(sl, "there is no media catalogue row %lld",
		    (long long)media_id);
		rc = SHIFTLOG_INVALID;
		goto out;
	}
	if ((rc = sl_prepare(sl, "INSERT OR IGNORE INTO asset_media (asset_id, "
	    "media_id) VALUES (?, ?)", &st, "link media to an asset")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, media_id);
	rc = sl_step_done(sl, st, "link media to an asset");
out:
	return sl_commit(sl, rc, "link media to an asset");
}

#define ASSET_OBJECT \
	"json_object('label', a.label, 'format', a.format, " \
	"'client', a.client, 'production', a.production, 'state', a.state, " \
	"'location', a.location, 'created', a.created, 'updated', a.updated"

int
shiftlog_asset_json(struct shiftlog *sl, const char *label, char **out)
{
	sqlite3_stmt *st;
	char nf[300];
	int rc;

	if ((rc = sl_prepare(sl, "SELECT " ASSET_OBJECT ", 'custody', "
	    "(SELECT json_group_array(json_object('time', c.time, "
	    "'action', c.action, 'location', c.location, "
	    "'courier', c.courier, 'reference', c.reference, "
	    "'signed_by', c.signed_by, 'user', c.user, 'host', c.host, "
	    "'note', c.note, 'event', c.event_id)) FROM (SELECT * FROM "
	    "asset_custody WHERE asset_id = a.id ORDER BY id) c), 'media', "
	    "(SELECT json_group_array(json_object('id', m.id, 'path', m.path, "
	    "'name', m.name)) FROM asset_media am JOIN media m "
	    "ON m.id = am.media_id WHERE am.asset_id = a.id)) "
	    "FROM assets a WHERE a.label = ?", &st, "read an asset")) < 0)
		return rc;
	sl_bind_text(st, 1, label);
	strutil_format(nf, sizeof nf, "there is no asset %s in the register; "
	    "'mcr asset list' lists them", label);
	return one_text(sl, st, "read an asset", nf, out);
}

int
shiftlog_assets_json(struct shiftlog *sl, const char *state, char **out)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT coalesce(json_group_array(json(o)), "
	    "'[]') FROM (SELECT " ASSET_OBJECT ", 'media', (SELECT count(*) "
	    "FROM asset_media WHERE asset_id = a.id)) AS o FROM assets a "
	    "WHERE ?1 IS NULL OR a.state = ?1 ORDER BY a.label)", &st,
	    "list assets")) < 0)
		return rc;
	sl_bind_text(st, 1, state);
	return one_text(sl, st, "list assets", "no assets", out);
}

int
shiftlog_assets(struct shiftlog *sl,
    int (*cb)(const struct shiftlog_asset_row *row, void *arg), void *arg)
{
	struct shiftlog_asset_row r;
	sqlite3_stmt *st;
	int rc, step;

	if ((rc = sl_prepare(sl, "SELECT a.label, a.format, a.client, "
	    "a.production, a.state, a.location, (SELECT coalesce(signed_by, "
	    "user) FROM asset_custody WHERE asset_id = a.id ORDER BY id DESC "
	    "LIMIT 1), a.updated, (SELECT count(*) FROM asset_media WHERE "
	    "asset_id = a.id) FROM assets a ORDER BY a.updated DESC, a.id DESC",
	    &st, "list assets")) < 0)
		return rc;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		r.label = sl_col_text(st, 0);
		r.format = sl_col_text(st, 1);
		r.client = sl_col_text(st, 2);
		r.production = sl_col_text(st, 3);
		r.state = sl_col_text(st, 4);
		r.location = sl_col_text(st, 5);
		r.last_by = sl_col_text(st, 6);
		r.updated = sqlite3_column_int64(st, 7);
		r.media = sqlite3_column_int64(st, 8);
		if (cb(&r, arg) != 0)
			break;
	}
	sqlite3_finalize(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return sl_db_error(sl, step, "list assets");
	return 0;
}
