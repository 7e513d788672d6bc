/*
 * shiftlog: SQLite behind a narrow interface. Writers take short
 * BEGIN IMMEDIATE transactions, so the busy timeout covers the whole write
 * and a reader in WAL mode never waits. Appends read the chain head (last
 * id and hash) inside the transaction, so two writers can never fork the
 * chain. Migrations are an array of SQL scripts; migrations[k] takes a log
 * from version k to k + 1, each in its own transaction.
 */
#include "autoconfig.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "identity.h"
#include "paths.h"
#include "shiftlog.h"
#include "shiftlog-private.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

/* 'MCR1': marks the file as a shift log for file(1) and for us. */
#define SHIFTLOG_APPLICATION_ID 0x4d435231

const char *const shiftlog_job_states[SHIFTLOG_JOB_STATES] = {
	"queued", "running", "paused", "done", "failed", "cancelled",
	"interrupted",
};

const char *const shiftlog_severities[] = {
	"debug", "info", "notice", "warning", "error", "critical", NULL,
};

static const char *const migrations[] = {
	/* 0 -> 1: the audit trail, jobs and notes. */
	"CREATE TABLE events ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  ssh_client TEXT,"
	"  kind TEXT NOT NULL,"
	/* Comparisons, not IN (...): SQLite rebuilds an IN list for every
	 * row inserted, which cost a third of an append. */
	"  severity TEXT NOT NULL CHECK (severity = 'info' OR"
	"    severity = 'notice' OR severity = 'warning' OR"
	"    severity = 'error' OR severity = 'critical' OR"
	"    severity = 'debug'),"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  subject TEXT,"
	"  message TEXT NOT NULL,"
	"  data TEXT CHECK (data IS NULL OR json_valid(data)),"
	"  hash BLOB NOT NULL CHECK (length(hash) = 32));"
	"CREATE INDEX events_time ON events(time);"
	"CREATE INDEX events_job ON events(job_id) WHERE job_id IS NOT NULL;"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'shift log events are append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN"
	"  SELECT RAISE(ABORT, 'shift log events are append-only'); END;"
	"CREATE TABLE jobs ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind TEXT NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued',"
	"    'running','paused','done','failed','cancelled','interrupted')),"
	"  priority INTEGER NOT NULL DEFAULT 0,"
	"  params TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(params)),"
	"  subject TEXT,"
	"  requested_by TEXT NOT NULL,"
	"  requested_host TEXT NOT NULL,"
	"  created INTEGER NOT NULL,"
	"  started INTEGER,"
	"  finished INTEGER,"
	"  progress REAL CHECK (progress IS NULL OR progress BETWEEN 0 AND 1),"
	"  rate REAL,"
	"  eta INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  error TEXT);"
	"CREATE INDEX jobs_state ON jobs(state, priority DESC, id);"
	"CREATE TABLE job_deps ("
	"  job_id INTEGER NOT NULL REFERENCES jobs(id),"
	"  after_id INTEGER NOT NULL REFERENCES jobs(id),"
	"  PRIMARY KEY (job_id, after_id)) WITHOUT ROWID;"
	"CREATE TABLE notes ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  ssh_client TEXT,"
	"  text TEXT NOT NULL CHECK (length(text) > 0),"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  event_id INTEGER NOT NULL REFERENCES events(id));"
	"CREATE TRIGGER notes_no_update BEFORE UPDATE ON notes BEGIN"
	"  SELECT RAISE(ABORT, 'shift log notes are append-only'); END;"
	"CREATE TRIGGER notes_no_delete BEFORE DELETE ON notes BEGIN"
	"  SELECT RAISE(ABORT, 'shift log notes are append-only'); END;",

	/* 1 -> 2: what mcrd needs to run jobs: worker pids for crash
	 * recovery, timeouts and back-off, operators' requests, live
	 * meters, findings, samples and plugin state. */
	"ALTER TABLE jobs ADD COLUMN timeout INTEGER;"
	"ALTER TABLE jobs ADD COLUMN not_before INTEGER;"
	"ALTER TABLE jobs ADD COLUMN pid INTEGER;"
	"ALTER TABLE jobs ADD COLUMN pid_start INTEGER;"
	"ALTER TABLE jobs ADD COLUMN rate_unit TEXT;"
	"ALTER TABLE jobs ADD COLUMN progress_subject TEXT;"
	"ALTER TABLE jobs ADD COLUMN result TEXT"
	"  CHECK (result IS NULL OR json_valid(result));"
	"CREATE TABLE requests ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  job_id INTEGER NOT NULL REFERENCES jobs(id),"
	"  action TEXT NOT NULL CHECK (action IN"
	"    ('cancel','pause','resume','retry','priority')),"
	"  value INTEGER,"
	"  handled INTEGER,"
	"  outcome TEXT);"
	"CREATE INDEX requests_pending ON requests(id) WHERE handled IS NULL;"
	"CREATE TABLE meters ("
	"  job_id INTEGER NOT NULL REFERENCES jobs(id),"
	"  name TEXT NOT NULL,"
	"  value REAL NOT NULL,"
	"  unit TEXT,"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (job_id, name)) WITHOUT ROWID;"
	"CREATE TABLE findings ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER NOT NULL REFERENCES jobs(id),"
	"  time INTEGER NOT NULL,"
	"  severity TEXT NOT NULL CHECK (severity IN ('info','warning','error')),"
	"  code TEXT NOT NULL,"
	"  position TEXT,"
	"  message TEXT NOT NULL);"
	"CREATE INDEX findings_job ON findings(job_id);"
	"CREATE TABLE samples ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  series TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  data TEXT NOT NULL CHECK (json_valid(data)));"
	"CREATE INDEX samples_series ON samples(series, key, time);"
	"CREATE TABLE plugin_state ("
	"  plugin TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  value TEXT NOT NULL,"
	"  PRIMARY KEY (plugin, key)) WITHOUT ROWID;",

	/* 3: structured rows from plugins (host->record) whose type has no
	 * table of its own. */
	"CREATE TABLE records ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  type TEXT NOT NULL,"
	"  data TEXT NOT NULL CHECK (json_valid(data)));"
	"CREATE INDEX records_type ON records(type, job_id);"
	/* The media catalogue: one row per file mcr put on (or found on)
	 * its storage, keyed by absolute path. Times in microseconds UTC,
	 * rate as a rational "25/1" or "30000/1001", duration in seconds,
	 * tc_start as SMPTE text, hashes a JSON object {"xxh128": hex, ...},
	 * meta the full probe as JSON. */
	"CREATE TABLE media ("
	"  id INTEGER PRIMARY KEY,"
	"  path TEXT NOT NULL UNIQUE,"
	"  volume TEXT,"
	"  name TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime INTEGER,"
	"  catalogued INTEGER NOT NULL,"
	"  verified INTEGER,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  source TEXT,"
	"  client TEXT,"
	"  production TEXT,"
	"  reel TEXT,"
	"  clip TEXT,"
	"  hashes TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(hashes)),"
	"  container TEXT,"
	"  video_codec TEXT,"
	"  width INTEGER,"
	"  height INTEGER,"
	"  rate TEXT,"
	"  scan TEXT,"
	"  duration REAL,"
	"  frames INTEGER,"
	"  tc_start TEXT,"
	"  drop_frame INTEGER,"
	"  audio_codec TEXT,"
	"  audio_channels INTEGER,"
	"  audio_layout TEXT,"
	"  state TEXT NOT NULL DEFAULT 'online' CHECK (state IN ('online',"
	"    'missing','quarantined','deleted')),"
	"  meta TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(meta)));"
	"CREATE INDEX media_name ON media(name);"
	"CREATE INDEX media_reel ON media(reel);"
	"CREATE INDEX media_clip ON media(clip);"
	"CREATE INDEX media_owner ON media(client, production);",

	/* 4: ingest: what each watch folder has handed to an ingest job, so
	 * a restarted mcrd never ingests the same arrival twice; media by
	 * job and volume for the catalogue queries. */
	"CREATE TABLE watch_seen ("
	"  watch TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  mtime INTEGER NOT NULL,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  time INTEGER NOT NULL,"
	"  PRIMARY KEY (watch, path)) WITHOUT ROWID;"
	"CREATE INDEX media_job ON media(job_id);"
	"CREATE INDEX media_volume ON media(volume);",

	/* 5: handover: shifts, incidents with their updates and linked
	 * events, notes flagged for handover and linked to what they are
	 * about, handover reports and their acknowledgements, digests sent,
	 * and a full-text index over the events (notes and incidents write
	 * events, so it covers them too), kept up by sl_append_locked()
	 * in the same transaction. */
	"CREATE TABLE shifts ("
	"  id INTEGER PRIMARY KEY,"
	"  operator TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  started INTEGER NOT NULL,"
	"  started_by TEXT NOT NULL,"
	"  ended INTEGER,"
	"  ended_by TEXT);"
	"CREATE INDEX shifts_started ON shifts(started);"
	"CREATE UNIQUE INDEX shifts_one_open ON shifts((ended IS NULL))"
	"  WHERE ended IS NULL;"
	"CREATE TABLE incidents ("
	"  id INTEGER PRIMARY KEY,"
	"  key TEXT,"
	"  state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open',"
	"    'acknowledged','resolved')),"
	"  severity TEXT NOT NULL CHECK (severity IN ('info','notice',"
	"    'warning','error','critical')),"
	"  title TEXT NOT NULL CHECK (length(title) > 0),"
	"  owner TEXT,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  opened INTEGER NOT NULL,"
	"  opened_by TEXT NOT NULL,"
	"  acked INTEGER,"
	"  acked_by TEXT,"
	"  resolved INTEGER,"
	"  resolved_by TEXT,"
	"  resolution TEXT,"
	"  updated INTEGER NOT NULL,"
	"  seen INTEGER NOT NULL DEFAULT 1);"
	"CREATE UNIQUE INDEX incidents_open_key ON incidents(key)"
	"  WHERE key IS NOT NULL AND state <> 'resolved';"
	"CREATE INDEX incidents_state ON incidents(state);"
	"CREATE INDEX incidents_resolved ON incidents(resolved);"
	"CREATE TABLE incident_updates ("
	"  id INTEGER PRIMARY KEY,"
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
	"  time INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('open','ack','update',"
	"    'resolve','seen','clear','owner')),"
	"  message TEXT,"
	"  event_id INTEGER REFERENCES events(id));"
	"CREATE INDEX incident_updates_incident ON incident_updates(incident_id);"
	"CREATE TABLE incident_events ("
	"  incident_id INTEGER NOT NULL REFERENCES incidents(id),"
	"  event_id INTEGER NOT NULL REFERENCES events(id),"
	"  PRIMARY KEY (incident_id, event_id)) WITHOUT ROWID;"
	"CREATE INDEX incident_events_event ON incident_events(event_id);"
	"ALTER TABLE notes ADD COLUMN handover INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX notes_handover ON notes(time) WHERE handover <> 0;"
	"CREATE INDEX notes_event ON notes(event_id);"
	"CREATE TABLE note_links ("
	"  note_id INTEGER NOT NULL REFERENCES notes(id),"
	"  type TEXT NOT NULL CHECK (type IN ('job','media','asset',"
	"    'delivery','incident')),"
	"  ref TEXT NOT NULL,"
	"  PRIMARY KEY (note_id, type, ref)) WITHOUT ROWID;"
	"CREATE INDEX jobs_finished ON jobs(finished) WHERE finished IS NOT NULL;"
	"CREATE INDEX jobs_state_finished ON jobs(state, finished);"
	"CREATE TABLE handovers ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  shift_id INTEGER REFERENCES shifts(id),"
	"  since INTEGER NOT NULL,"
	"  until INTEGER NOT NULL,"
	"  report TEXT NOT NULL CHECK (json_valid(report)),"
	"  event_id INTEGER NOT NULL REFERENCES events(id),"
	"  acked INTEGER,"
	"  acked_by TEXT,"
	"  acked_host TEXT,"
	"  ack_event_id INTEGER REFERENCES events(id));"
	"CREATE INDEX handovers_acked ON handovers(acked);"
	"CREATE TABLE digests ("
	"  slot TEXT PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  since INTEGER NOT NULL,"
	"  until INTEGER NOT NULL,"
	"  event_id INTEGER REFERENCES events(id),"
	"  outcome TEXT) WITHOUT ROWID;"
	"CREATE VIRTUAL TABLE events_fts USING fts5(subject, message,"
	"  content = 'events', content_rowid = 'id',"
	"  tokenize = 'unicode61 remove_diacritics 2', columnsize = 0);"
	"INSERT INTO events_fts (events_fts) VALUES ('rebuild');",

	/* 6: storage: the scanned usage tree, its scans, usage by client
	 * and production, and deletions with their quarantine. */
	"CREATE TABLE storage_dirs ("
	"  volume TEXT NOT NULL,"
	"  path TEXT NOT NULL,"		/* relative to the volume; '' root */
	"  parent TEXT,"		/* NULL for the root */
	"  bytes INTEGER NOT NULL,"	/* apparent size of the subtree */
	"  disk INTEGER NOT NULL,"	/* allocated, as du counts it */
	"  files INTEGER NOT NULL,"
	"  dirs INTEGER NOT NULL,"
	"  own_bytes INTEGER NOT NULL,"	/* the folder's own files */
	"  own_files INTEGER NOT NULL,"
	"  mtime INTEGER,"		/* the folder's, µs */
	"  job_id INTEGER,"		/* the scan that last wrote it */
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (volume, path)) WITHOUT ROWID;"
	"CREATE INDEX storage_dirs_parent ON storage_dirs(volume, parent, "
	"  bytes);"
	"CREATE TABLE storage_scans ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER,"
	"  volume TEXT NOT NULL,"
	"  root TEXT NOT NULL,"
	"  time INTEGER NOT NULL,"
	"  full INTEGER NOT NULL,"
	"  seconds REAL,"
	"  bytes INTEGER, disk INTEGER, files INTEGER, dirs INTEGER,"
	"  dirs_read INTEGER, stats INTEGER, changed INTEGER, gone INTEGER);"
	"CREATE INDEX storage_scans_volume ON storage_scans(volume, time);"
	"CREATE TABLE storage_owners ("
	"  volume TEXT NOT NULL,"
	"  client TEXT NOT NULL,"
	"  production TEXT NOT NULL,"	/* '' for files above productions */
	"  path TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  files INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  PRIMARY KEY (volume, client, production)) WITHOUT ROWID;"
	"CREATE TABLE storage_deletions ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  path TEXT NOT NULL,"
	"  volume TEXT NOT NULL,"
	"  quarantine TEXT NOT NULL,"	/* where the content waits */
	"  bytes INTEGER NOT NULL,"
	"  files INTEGER NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  requested_by TEXT NOT NULL,"
	"  authorised_by TEXT NOT NULL,"
	"  copies INTEGER,"		/* the fewest verified copies found */
	"  override INTEGER NOT NULL DEFAULT 0,"
	"  expires INTEGER NOT NULL,"
	"  state TEXT NOT NULL CHECK (state IN ('quarantined','restored',"
	"    'purged')),"
	"  restored INTEGER, restored_by TEXT,"
	"  purged INTEGER, purge_job INTEGER);"
	"CREATE INDEX storage_deletions_path ON storage_deletions(path);",

	/* 7: qc: QC reports (the whole JSON report kept), their findings,
	 * client-approved exceptions (carried over to a re-run on the same
	 * content and spec) and the operator's BT.500 grade. */
	"CREATE TABLE qc_reports ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  job_id INTEGER REFERENCES jobs(id),"
	"  file TEXT NOT NULL,"
	"  content_id TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  verdict TEXT NOT NULL CHECK (verdict IN ('pass','warn','fail')),"
	"  fails INTEGER NOT NULL,"
	"  warns INTEGER NOT NULL,"
	"  excepted INTEGER NOT NULL,"
	"  report TEXT NOT NULL CHECK (json_valid(report)),"
	"  grade INTEGER CHECK (grade BETWEEN 1 AND 5),"
	"  graded_by TEXT,"
	"  graded_at INTEGER,"
	"  comment TEXT);"
	"CREATE INDEX qc_reports_content ON qc_reports(content_id, spec);"
	"CREATE TABLE qc_findings ("
	"  report_id INTEGER NOT NULL REFERENCES qc_reports(id),"
	"  n INTEGER NOT NULL,"
	"  check_id TEXT NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  status TEXT NOT NULL,"
	"  t_in REAL,"
	"  t_out REAL,"
	"  tc_in TEXT,"
	"  tc_out TEXT,"
	"  value REAL,"
	"  unit TEXT,"
	"  limit_text TEXT,"
	"  message TEXT NOT NULL,"
	"  remedy TEXT,"
	"  PRIMARY KEY (report_id, n)) WITHOUT ROWID;"
	"CREATE TABLE qc_exceptions ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  report_id INTEGER NOT NULL REFERENCES qc_reports(id),"
	"  n INTEGER NOT NULL,"
	"  content_id TEXT NOT NULL,"
	"  spec TEXT NOT NULL,"
	"  check_id TEXT NOT NULL,"
	"  t_in REAL,"
	"  approved_by TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  user TEXT NOT NULL);"
	"CREATE INDEX qc_exceptions_content ON qc_exceptions(content_id, spec);",

	/* 8: delivery: deliveries out and receipts in with their files, and
	 * the register of physical assets with their chain of custody and
	 * the media ingested from them. Times in microseconds UTC. */
	"CREATE TABLE deliveries ("
	"  id INTEGER PRIMARY KEY,"
	"  job_id INTEGER UNIQUE REFERENCES jobs(id),"
	"  direction TEXT NOT NULL CHECK (direction IN ('out','in')),"
	"  destination TEXT,"
	"  engine TEXT,"
	"  target TEXT,"
	"  path TEXT,"
	"  client TEXT,"
	"  status TEXT NOT NULL,"
	"  files INTEGER,"
	"  bytes INTEGER,"
	"  verified_by TEXT,"
	"  message TEXT,"
	"  manifest TEXT,"
	"  note TEXT,"
	"  who TEXT,"
	"  started INTEGER NOT NULL,"
	"  finished INTEGER,"
	"  seconds REAL,"
	"  hash_seconds REAL);"
	"CREATE TABLE delivery_files ("
	"  delivery_id INTEGER NOT NULL REFERENCES deliveries(id),"
	"  rel TEXT NOT NULL,"
	"  src TEXT,"
	"  size INTEGER,"
	"  xxh128 TEXT,"
	"  md5 TEXT,"
	"  xxh64 TEXT,"
	"  start INTEGER,"
	"  end INTEGER,"
	"  rate REAL,"
	"  status TEXT NOT NULL,"
	"  verified INTEGER,"
	"  problem TEXT,"
	"  PRIMARY KEY (delivery_id, rel)) WITHOUT ROWID;"
	"CREATE TABLE assets ("
	"  id INTEGER PRIMARY KEY,"
	"  label TEXT NOT NULL UNIQUE,"
	"  format TEXT,"
	"  client TEXT,"
	"  production TEXT,"
	"  state TEXT NOT NULL CHECK (state IN ('in','out')),"
	"  location TEXT,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL);"
	"CREATE TABLE asset_custody ("
	"  id INTEGER PRIMARY KEY,"
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  time INTEGER NOT NULL,"
	"  action TEXT NOT NULL CHECK (action IN ('in','out','move')),"
	"  location TEXT,"
	"  courier TEXT,"
	"  reference TEXT,"
	"  signed_by TEXT,"
	"  user TEXT NOT NULL,"
	"  host TEXT NOT NULL,"
	"  note TEXT,"
	"  event_id INTEGER NOT NULL REFERENCES events(id));"
	"CREATE INDEX asset_custody_asset ON asset_custody(asset_id, id);"
	"CREATE TRIGGER asset_custody_no_update BEFORE UPDATE ON asset_custody"
	"  BEGIN SELECT RAISE(ABORT, 'custody rows are append-only'); END;"
	"CREATE TRIGGER asset_custody_no_delete BEFORE DELETE ON asset_custody"
	"  BEGIN SELECT RAISE(ABORT, 'custody rows are append-only'); END;"
	"CREATE TABLE asset_media ("
	"  asset_id INTEGER NOT NULL REFERENCES assets(id),"
	"  media_id INTEGER NOT NULL REFERENCES media(id),"
	"  PRIMARY KEY (asset_id, media_id)) WITHOUT ROWID;",

	/* 9: conform: each file's first timecode as a frame count at its own
	 * rate, so that a lookup by reel (a camera roll of many clips) finds
	 * the clip holding a timecode in the index, not by reading them all.
	 * NULL for rows catalogued before, which lookups then keep. */
	"ALTER TABLE media ADD COLUMN tc_first INTEGER;"
	"CREATE INDEX media_reel_tc ON media(reel, tc_first, frames, rate,"
	"  drop_frame);",

	/* 10: handover: how far the full-text index has read the events.
	 * Appends no longer index (that made each batch 2.5 times slower);
	 * mcrd indexes behind them, and searches read the tail it has not
	 * reached yet. Until now every append indexed itself. */
	"CREATE TABLE fts_marks ("
	"  name TEXT PRIMARY KEY,"
	"  last_id INTEGER NOT NULL) WITHOUT ROWID;"
	"INSERT INTO fts_marks SELECT 'events_fts', coalesce(max(id), 0)"
	"  FROM events;",

	/* 11: storage: archive copies. One row per file storage.archive
	 * copied, verified and listed in an ASC MHL generation on an
	 * archive volume, linked to the catalogue row of the file it copies
	 * (media_id; the archive catalogues a file the catalogue lacked).
	 * Safe deletion counts an online row as a verified copy; a restore
	 * that finds its bytes changed marks it damaged. */
	"CREATE TABLE media_archive ("
	"  id INTEGER PRIMARY KEY,"
	"  media_id INTEGER REFERENCES media(id),"
	"  source TEXT NOT NULL,"	/* the path that was archived */
	"  source_volume TEXT,"
	"  path TEXT NOT NULL UNIQUE,"	/* the copy in the archive */
	"  volume TEXT NOT NULL,"
	"  root TEXT NOT NULL,"		/* the folder holding its ascmhl/ */
	"  mhl TEXT,"			/* the generation that lists it */
	"  size INTEGER NOT NULL,"
	"  mtime INTEGER,"		/* µs, the source's */
	"  xxh128 TEXT NOT NULL,"
	"  hashes TEXT NOT NULL CHECK (json_valid(hashes)),"
	"  verified INTEGER NOT NULL,"	/* when its read-back matched */
	"  job_id INTEGER,"
	"  time INTEGER NOT NULL,"
	"  state TEXT NOT NULL DEFAULT 'online' CHECK (state IN ('online',"
	"    'damaged')),"
	"  damaged INTEGER);"
	"CREATE INDEX media_archive_source ON media_archive(source);"
	"CREATE INDEX media_archive_media ON media_archive(media_id);"
	"CREATE INDEX media_archive_hash ON media_archive(xxh128);",
	/* 12: media_reel is the first column of media_reel_tc, which serves
	 * every lookup by reel; each index costs an ingest about 10 us a
	 * file in mcrd. */
	"DROP INDEX IF EXISTS media_reel;",
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

#define EVENT_COLUMNS "id, time, user, host, ssh_client, kind, severity, " \
	"job_id, subject, message, data"


void
sl_set_error(struct shiftlog *sl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sl->errmsg, sizeof sl->errmsg, fmt, ap);
	va_end(ap);
}

/* Turns an SQLite failure into a sentence and an rc. what says what mcr
 * was doing ("append an event"). */
int
sl_db_error(struct shiftlog *sl, int code, const char *what)
{
	int primary = code & 0xff;

	if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
		sl_set_error(sl, "cannot %s: shift log %s stayed locked by another "
		    "writer for more than %d ms; try again, or find the "
		    "process holding it with 'fuser %s'", what, sl->path,
		    sl->busy_timeout_ms, sl->path);
		return SHIFTLOG_BUSY;
	}
	if (primary == SQLITE_CONSTRAINT) {
		sl_set_error(sl, "cannot %s: the shift log refused it (%s)", what,
		    sqlite3_errmsg(sl->db));
		return SHIFTLOG_INVALID;
	}
	if (primary == SQLITE_READONLY) {
		sl_set_error(sl, "cannot %s: shift log %s is read-only; check the "
		    "permissions of the file and its folder", what, sl->path);
		return SHIFTLOG_ERR;
	}
	if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
		sl_set_error(sl, "cannot %s: %s is not a shift log (%s)", what,
		    sl->path, sqlite3_errstr(code));
		return SHIFTLOG_ERR;
	}
	if (primary == SQLITE_FULL) {
		sl_set_error(sl, "cannot %s: the disk holding %s is full; free "
		    "space and try again", what, sl->path);
		return SHIFTLOG_ERR;
	}
	sl_set_error(sl, "cannot %s in shift log %s: %s", what, sl->path,
	    sqlite3_errmsg(sl->db));
	return SHIFTLOG_ERR;
}

int
sl_exec(struct shiftlog *sl, const char *sql, const char *what)
{
	int rc = sqlite3_exec(sl->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : sl_db_error(sl, rc, what);
}

int
sl_prepare(struct shiftlog *sl, const char *sql, sqlite3_stmt **st,
    const char *what)
{
	int rc = sqlite3_prepare_v2(sl->db, sql, -1, st, NULL);

	return rc == SQLITE_OK ? 0 : sl_db_error(sl, rc, what);
}

int
sl_prepare_kept(struct shiftlog *sl, const char *sql, sqlite3_stmt **st,
    const char *what)
{
	int i, rc;

	for (i = 0; i < SL_KEPT_MAX && sl->kept[i].sql != NULL; i++) {
		if (sl->kept[i].sql == sql) {
			*st = sl->kept[i].st;
			return 0;
		}
	}
	if (i == SL_KEPT_MAX) {
		/* A programming error: raise SL_KEPT_MAX. */
		sl_set_error(sl, "cannot %s: more than %d kept statements",
		    what, SL_KEPT_MAX);
		return SHIFTLOG_ERR;
	}
	rc = sqlite3_prepare_v3(sl->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	    NULL);
	if (rc != SQLITE_OK)
		return sl_db_error(sl, rc, what);
	sl->kept[i].sql = sql;
	sl->kept[i].st = *st;
	return 0;
}

int
sl_step_kept(struct shiftlog *sl, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	rc = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 :
	    sl_db_error(sl, rc, what);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc;
}

static void
bind_row(sqlite3_stmt *st, const char *data, const int64_t *vals, size_t n)
{
	size_t i;

	sl_bind_text(st, 1, data);
	for (i = 0; i < n; i++)
		if (vals[i] != SL_NULL)
			sqlite3_bind_int64(st, (int)i + 2, vals[i]);
}

int
sl_file_row(struct shiftlog *sl, const char *insert, const char *upsert,
    const char *data, const int64_t *vals, size_t n, const char *what)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare_kept(sl, insert, &st, what)) < 0)
		return rc;
	bind_row(st, data, vals, n);
	if ((rc = sl_step_kept(sl, st, what)) < 0 ||
	    sqlite3_changes(sl->db) > 0)
		return rc;
	if ((rc = sl_prepare_kept(sl, upsert, &st, what)) < 0)
		return rc;
	bind_row(st, data, vals, n);
	return sl_step_kept(sl, st, what);
}

/* Runs a query that yields one integer. */
int
sl_query_int(struct shiftlog *sl, const char *sql, int64_t *out,
    const char *what)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sl_prepare(sl, sql, &st, what)) < 0)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		*out = 0;
		rc = 0;
	} else
		rc = sl_db_error(sl, rc, what);
	sqlite3_finalize(st);
	return rc;
}

void
sl_rollback(struct shiftlog *sl)
{
	if (!sqlite3_get_autocommit(sl->db))
		sqlite3_exec(sl->db, "ROLLBACK", NULL, NULL, NULL);
}

int
shiftlog_latest_version(void)
{
	return NMIGRATIONS;
}

static int
migrate(struct shiftlog *sl, int target)
{
	int64_t v, tables, appid;
	char sql[64];
	int rc;

	while (sl->version < target) {
		if ((rc = sl_exec(sl, "BEGIN IMMEDIATE", "upgrade the schema")) < 0)
			return rc;
		/* Another process may have migrated while we waited. */
		if ((rc = sl_query_int(sl, "PRAGMA user_version", &v,
		    "upgrade the schema")) < 0)
			goto fail;
		sl->version = (int)v;
		if (sl->version >= target) {
			sl_rollback(sl);
			break;
		}
		if (sl->version == 0) {
			if ((rc = sl_query_int(sl, "SELECT count(*) FROM "
			    "sqlite_master", &tables, "create the schema")) < 0 ||
			    (rc = sl_query_int(sl, "PRAGMA application_id", &appid,
			    "create the schema")) < 0)
				goto fail;
			if (tables > 0 || (appid != 0 &&
			    appid != SHIFTLOG_APPLICATION_ID)) {
				sl_set_error(sl, "%s is an SQLite database but not "
				    "a shift log; mcr will not add its tables to "
				    "it: give another path with --db", sl->path);
				rc = SHIFTLOG_ERR;
				goto fail;
			}
		}
		if ((rc = sl_exec(sl, migrations[sl->version],
		    "upgrade the schema")) < 0)
			goto fail;
		strutil_format(sql, sizeof sql,
		    "PRAGMA user_version = %d; PRAGMA application_id = %d",
		    sl->version + 1, SHIFTLOG_APPLICATION_ID);
		if ((rc = sl_exec(sl, sql, "upgrade the schema")) < 0 ||
		    (rc = sl_exec(sl, "COMMIT", "upgrade the schema")) < 0)
			goto fail;
		sl->version++;
	}
	return 0;
fail:
	sl_rollback(sl);
	return rc;
}

/* Leaves the schema change in the audit trail. A log created by a test
 * that stops short of the latest schema has no events table yet. */
static int
record_migration(struct shiftlog *sl, int from)
{
	struct shiftlog_event ev = { .kind = "shiftlog.schema",
	    .severity = "notice" };
	char msg[160];
	int rc;

	if (sl->version < 1)
		return 0;
	if (from == 0)
		strutil_format(msg, sizeof msg, "shift log created with "
		    "schema version %d", sl->version);
	else
		strutil_format(msg, sizeof msg, "shift log schema upgraded "
		    "from version %d to %d", from, sl->version);
	ev.message = msg;
	ev.subject = sl->path;
	if ((rc = sl_begin_write(sl, "record the schema version")) < 0)
		return rc;
	return sl_commit(sl, sl_append_locked(sl, &ev, 1),
	    "record the schema version");
}

/* Opens the connection itself; the file's content is not read yet. */
static int
open_db(struct shiftlog *sl, bool immutable)
{
	char *uri;
	int rc, flags = SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	const char *escaped;

	if (sl->read_only)
		flags |= SQLITE_OPEN_READONLY;
	else
		flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* A URI path must escape '?', '#' and '%'. */
	escaped = sl->path;
	{
		size_t n = strlen(escaped), i, j = 0;
		char *e = xmalloc(n * 3 + 1);

		for (i = 0; i < n; i++) {
			char c = escaped[i];

			if (c == '?' || c == '#' || c == '%') {
				strutil_format(e + j, 4, "%%%02X",
				    (unsigned char)c);
				j += 3;
			} else
				e[j++] = c;
		}
		e[j] = '\0';
		uri = xasprintf("file:%s%s", e, immutable ? "?immutable=1" : "");
		free(e);
	}
	rc = sqlite3_open_v2(uri, &sl->db, flags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		sl_set_error(sl, "cannot open shift log %s: %s", sl->path,
		    sl->db != NULL ? sqlite3_errmsg(sl->db) : sqlite3_errstr(rc));
		return SHIFTLOG_ERR;
	}
	sqlite3_extended_result_codes(sl->db, 1);
	sqlite3_busy_timeout(sl->db, sl->busy_timeout_ms);
	return 0;
}

/* Checks that path can be opened as asked, with an error that says what
 * to do, before SQLite gives a vaguer one. */
static int
check_path(struct shiftlog *sl, const struct shiftlog_opts *o)
{
	struct stat st;
	char *dir;
	int rc = 0;

	if (stat(sl->path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			sl_set_error(sl, "cannot open shift log %s: it is not a "
			    "regular file", sl->path);
			return SHIFTLOG_ERR;
		}
		if (!sl->read_only && access(sl->path, R_OK | W_OK) != 0) {
			sl_set_error(sl, "cannot open shift log %s for writing: %s; "
			    "fix its permissions, or add --read-only to "
			    "review it", sl->path, strerror(errno));
			return SHIFTLOG_ERR;
		}
		return 0;
	}
	if (errno != ENOENT) {
		sl_set_error(sl, "cannot open shift log %s: %s", sl->path,
		    strerror(errno));
		return SHIFTLOG_ERR;
	}
	if (sl->read_only || o->must_exist) {
		sl_set_error(sl, "shift log %s does not exist; check the path "
		    "(mcr note or the daemon starts a new one)", sl->path);
		return SHIFTLOG_ERR;
	}
	dir = paths_dirname(sl->path);
	if (o->create_dir && (rc = paths_mkdir_p(dir)) < 0) {
		sl_set_error(sl, "cannot create the folder %s for the shift log: "
		    "%s", dir, strerror(-rc));
		rc = SHIFTLOG_ERR;
	} else if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		sl_set_error(sl, "cannot create shift log %s: the folder %s does "
		    "not exist; create it first or choose another path",
		    sl->path, dir);
		rc = SHIFTLOG_ERR;
	} else if (access(dir, W_OK | X_OK) != 0) {
		sl_set_error(sl, "cannot create shift log %s: the folder %s is not "
		    "writable (%s); choose another path", sl->path, dir,
		    strerror(errno));
		rc = SHIFTLOG_ERR;
	}
	free(dir);
	return rc;
}

int
shiftlog_open(const char *path, const struct shiftlog_opts *o,
    struct shiftlog **out, char *err, size_t errlen)
{
	struct shiftlog *sl = xcalloc(1, sizeof *sl);
	int64_t v, appid;
	int rc, target;

	*out = NULL;
	sl->path = xstrdup(path);
	sl->read_only = o->read_only;
	sl->busy_timeout_ms = o->busy_timeout_ms > 0 ? o->busy_timeout_ms : 5000;
	identity_get(&sl->who);
	target = o->target_version > 0 ? o->target_version : NMIGRATIONS;

	if ((rc = check_path(sl, o)) < 0 || (rc = open_db(sl, false)) < 0)
		goto fail;
	rc = sl_query_int(sl, "PRAGMA user_version", &v, "read the schema version");
	if (rc < 0 && sl->read_only) {
		/* A copy in a folder we cannot write has no -shm to share:
		 * read it as an immutable file instead. */
		sqlite3_close(sl->db);
		sl->db = NULL;
		if ((rc = open_db(sl, true)) < 0)
			goto fail;
		rc = sl_query_int(sl, "PRAGMA user_version", &v,
		    "read the schema version");
	}
	if (rc < 0)
		goto fail;
	sl->version = (int)v;
	if ((rc = sl_query_int(sl, "PRAGMA application_id", &appid,
	    "read the application id")) < 0)
		goto fail;
	if (appid != 0 && appid != SHIFTLOG_APPLICATION_ID) {
		sl_set_error(sl, "%s is an SQLite database of another application, "
		    "not a shift log; give another path with --db", sl->path);
		rc = SHIFTLOG_ERR;
		goto fail;
	}
	if (sl->version > NMIGRATIONS) {
		sl_set_error(sl, "shift log %s has schema version %d, newer than "
		    "this mcr understands (%d); use the newer mcr that wrote "
		    "it, mcr never downgrades a shift log", sl->path,
		    sl->version, NMIGRATIONS);
		rc = SHIFTLOG_ERR;
		goto fail;
	}
	if (sl->read_only) {
		if (sl->version < NMIGRATIONS) {
			sl_set_error(sl, "shift log %s has schema version %d, older "
			    "than this mcr reads (%d), and --read-only forbids "
			    "upgrading it; upgrade a copy without --read-only",
			    sl->path, sl->version, NMIGRATIONS);
			rc = SHIFTLOG_ERR;
			goto fail;
		}
		if ((rc = sl_exec(sl, "PRAGMA query_only = ON",
		    "open read-only")) < 0)
			goto fail;
	} else {
		if ((rc = sl_exec(sl, "PRAGMA foreign_keys = ON; "
		    "PRAGMA synchronous = FULL", "configure the connection")) < 0)
			goto fail;
		if (sl->version == 0 && (rc = sl_exec(sl,
		    "PRAGMA journal_mode = WAL", "switch to WAL mode")) < 0)
			goto fail;
	}
	/* SHA-256 is set up by the first chain_hash(): fetching it starts
	 * libcrypto (its config, its providers), a few milliseconds that a
	 * verb which only reads would pay for nothing. */
	if (!sl->read_only && sl->version < target) {
		int from = sl->version;

		if ((rc = migrate(sl, target)) < 0)
			goto fail;
		if ((rc = record_migration(sl, from)) < 0)
			goto fail;
	}
	*out = sl;
	return 0;
fail:
	strutil_copy(err, sl->errmsg, errlen);
	shiftlog_close(sl);
	return rc;
}

void
shiftlog_close(struct shiftlog *sl)
{
	int i;

	if (sl == NULL)
		return;
	for (i = 0; i < SL_KEPT_MAX && sl->kept[i].sql != NULL; i++)
		sqlite3_finalize(sl->kept[i].st);
	if (sl->db != NULL)
		sqlite3_close(sl->db);
	EVP_MD_CTX_free(sl->sha);
	EVP_MD_free(sl->sha256);
	free(sl->path);
	free(sl);
}

const char *
shiftlog_errmsg(const struct shiftlog *sl)
{
	return sl->errmsg;
}

const char *
shiftlog_path(const struct shiftlog *sl)
{
	return sl->path;
}

int
shiftlog_version(const struct shiftlog *sl)
{
	return sl->version;
}

void
shiftlog_set_identity(struct shiftlog *sl, const struct identity *id)
{
	sl->who = *id;
}

/* --- the hash chain --- */

static void
sha_update(EVP_MD_CTX *sha, const void *p, size_t n)
{
	if (EVP_DigestUpdate(sha, p, n) != 1)
		fatal("SHA-256 update failed");
}

static void
hash_int(EVP_MD_CTX *sha, bool present, int64_t v)
{
	uint8_t b[9];
	int i;

	if (!present) {
		b[0] = 0;
		sha_update(sha, b, 1);
		return;
	}
	b[0] = 1;
	for (i = 0; i < 8; i++)
		b[1 + i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
	sha_update(sha, b, 9);
}

static void
hash_text(EVP_MD_CTX *sha, const char *s, size_t len)
{
	uint8_t b[5];

	if (s == NULL) {
		b[0] = 0;
		sha_update(sha, b, 1);
		return;
	}
	b[0] = 2;
	b[1] = (uint8_t)(len >> 24);
	b[2] = (uint8_t)(len >> 16);
	b[3] = (uint8_t)(len >> 8);
	b[4] = (uint8_t)len;
	sha_update(sha, b, 5);
	sha_update(sha, (const uint8_t *)s, len);
}

static size_t
len0(const char *s)
{
	return s != NULL ? strlen(s) : 0;
}

/* out = SHA-256(prev || canonical(ev)). */
static void
chain_hash(struct shiftlog *sl, const uint8_t prev[32],
    const struct shiftlog_event *ev, uint8_t out[32])
{
	EVP_MD_CTX *sha;

	if (sl->sha == NULL) {
		sl->sha = EVP_MD_CTX_new();
		sl->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
		if (sl->sha == NULL || sl->sha256 == NULL)
			fatal("cannot set up SHA-256 from libcrypto");
	}
	sha = sl->sha;
	if (EVP_DigestInit_ex(sha, sl->sha256, NULL) != 1)
		fatal("SHA-256 init failed");
	sha_update(sha, prev, 32);
	hash_int(sha, true, ev->id);
	hash_int(sha, true, ev->time);
	hash_text(sha, ev->user, len0(ev->user));
	hash_text(sha, ev->host, len0(ev->host));
	hash_text(sha, ev->ssh_client, len0(ev->ssh_client));
	hash_text(sha, ev->kind, len0(ev->kind));
	hash_text(sha, ev->severity, len0(ev->severity));
	hash_int(sha, ev->job_id != 0, ev->job_id);
	hash_text(sha, ev->subject, len0(ev->subject));
	hash_text(sha, ev->message, len0(ev->message));
	hash_text(sha, ev->data, len0(ev->data));
	if (EVP_DigestFinal_ex(sha, out, NULL) != 1)
		fatal("SHA-256 final failed");
}

static bool
valid_severity(const char *s)
{
	size_t i;

	for (i = 0; shiftlog_severities[i] != NULL; i++) {
		if (strcmp(s, shiftlog_severities[i]) == 0)
			return true;
	}
	return false;
}

static int
check_text(struct shiftlog *sl, const char *field, const char *s,
    bool required)
{
	if (s == NULL) {
		if (!required)
			return 0;
		sl_set_error(sl, "cannot append an event without a %s", field);
		return SHIFTLOG_INVALID;
	}
	if (!strutil_utf8_valid(s, strlen(s))) {
		sl_set_error(sl, "cannot append an event: its %s is not valid "
		    "UTF-8", field);
		return SHIFTLOG_INVALID;
	}
	return 0;
}

/* Fills defaults and refuses what the schema would refuse, with a
 * clearer sentence than SQLite's. */
static int
complete_event(struct shiftlog *sl, struct shiftlog_event *ev, int64_t now)
{
	int rc;

	if (ev->time == 0)
		ev->time = now;
	if (ev->user == NULL)
		ev->user = sl->who.user;
	if (ev->host == NULL)
		ev->host = sl->who.host;
	if (ev->ssh_client == NULL && sl->who.ssh_client[0] != '\0')
		ev->ssh_client = sl->who.ssh_client;
	if (ev->severity == NULL)
		ev->severity = "info";
	if (!valid_severity(ev->severity)) {
		sl_set_error(sl, "cannot append an event with severity '%s'",
		    ev->severity);
		return SHIFTLOG_INVALID;
	}
	if ((rc = check_text(sl, "user", ev->user, true)) < 0 ||
	    (rc = check_text(sl, "host", ev->host, true)) < 0 ||
	    (rc = check_text(sl, "SSH client", ev->ssh_client, false)) < 0 ||
	    (rc = check_text(sl, "kind", ev->kind, true)) < 0 ||
	    (rc = check_text(sl, "subject", ev->subject, false)) < 0 ||
	    (rc = check_text(sl, "message", ev->message, true)) < 0 ||
	    (rc = check_text(sl, "data", ev->data, false)) < 0)
		return rc;
	return 0;
}

void
sl_bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* Appends inside an open write transaction. */
int
sl_append_locked(struct shiftlog *sl, struct shiftlog_event *ev, size_t n)
{
	static const uint8_t genesis[32];
	uint8_t prev[32], hash[32];
	sqlite3_stmt *head = NULL, *ins = NULL;
	int64_t next_id = 1, now = when_now();
	size_t i;
	int rc;

	if ((rc = sl_prepare(sl, "SELECT (SELECT seq FROM sqlite_sequence WHERE "
	    "name = 'events'), (SELECT hash FROM events ORDER BY id DESC "
	    "LIMIT 1)", &head, "read the chain head")) < 0)
		goto out;
	rc = sqlite3_step(head);
	if (rc != SQLITE_ROW) {
		rc = sl_db_error(sl, rc, "read the chain head");
		goto out;
	}
	memcpy(prev, genesis, 32);
	if (sqlite3_column_type(head, 0) != SQLITE_NULL)
		next_id = sqlite3_column_int64(head, 0) + 1;
	if (sqlite3_column_bytes(head, 1) == 32)
		memcpy(prev, sqlite3_column_blob(head, 1), 32);

	if ((rc = sl_prepare(sl, "INSERT INTO events (" EVENT_COLUMNS ", hash) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", &ins,
	    "append an event")) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = complete_event(sl, &ev[i], now)) < 0)
			goto out;
		ev[i].id = next_id++;
		chain_hash(sl, prev, &ev[i], hash);
		sqlite3_bind_int64(ins, 1, ev[i].id);
		sqlite3_bind_int64(ins, 2, ev[i].time);
		sl_bind_text(ins, 3, ev[i].user);
		sl_bind_text(ins, 4, ev[i].host);
		sl_bind_text(ins, 5, ev[i].ssh_client);
		sl_bind_text(ins, 6, ev[i].kind);
		sl_bind_text(ins, 7, ev[i].severity);
		if (ev[i].job_id != 0)
			sqlite3_bind_int64(ins, 8, ev[i].job_id);
		else
			sqlite3_bind_null(ins, 8);
		sl_bind_text(ins, 9, ev[i].subject);
		sl_bind_text(ins, 10, ev[i].message);
		sl_bind_text(ins, 11, ev[i].data);
		sqlite3_bind_blob(ins, 12, hash, 32, SQLITE_STATIC);
		rc = sqlite3_step(ins);
		if (rc != SQLITE_DONE) {
			rc = sl_db_error(sl, rc, "append an event");
			goto out;
		}
		sqlite3_reset(ins);
		memcpy(prev, hash, 32);
	}
	rc = 0;
out:
	sqlite3_finalize(head);
	sqlite3_finalize(ins);
	return rc;
}

int
sl_begin_write(struct shiftlog *sl, const char *what)
{
	if (sl->read_only) {
		sl_set_error(sl, "cannot %s: shift log %s is open read-only", what,
		    sl->path);
		return SHIFTLOG_INVALID;
	}
	return sl_exec(sl, "BEGIN IMMEDIATE", what);
}

int
sl_commit(struct shiftlog *sl, int rc, const char *what)
{
	if (rc == 0)
		rc = sl_exec(sl, "COMMIT", what);
	if (rc < 0)
		sl_rollback(sl);
	return rc;
}

int
shiftlog_append(struct shiftlog *sl, struct shiftlog_event *ev, size_t n)
{
	int rc;

	if ((rc = sl_begin_write(sl, "append events")) < 0)
		return rc;
	return sl_commit(sl, sl_append_locked(sl, ev, n), "append events");
}

int
shiftlog_note(struct shiftlog *sl, const char *text, int64_t job_id,
    int64_t *note_id)
{
	struct shiftlog_event ev = {
		.kind = "note", .severity = "notice", .message = text,
		.job_id = job_id,
	};
	sqlite3_stmt *st = NULL;
	int rc;

	if (text == NULL || strutil_blank(text)) {
		sl_set_error(sl, "the note is empty; write what happened, as in "
		    "mcr note 'VTR 3 head clog, cleaned'");
		return SHIFTLOG_INVALID;
	}
	if (!strutil_utf8_valid(text, strlen(text))) {
		sl_set_error(sl, "the note is not valid UTF-8; check the terminal's "
		    "locale or the file it came from");
		return SHIFTLOG_INVALID;
	}
	if ((rc = sl_begin_write(sl, "add a note")) < 0)
		return rc;
	if (job_id != 0) {
		if ((rc = sl_prepare(sl, "SELECT 1 FROM jobs WHERE id = ?", &st,
		    "add a note")) < 0)
			goto out;
		sqlite3_bind_int64(st, 1, job_id);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW) {
			sl_set_error(sl, "cannot add the note: there is no job "
			    "%lld; 'mcr jobs' lists them", (long long)job_id);
			rc = SHIFTLOG_INVALID;
			goto out;
		}
	}
	if ((rc = sl_append_locked(sl, &ev, 1)) < 0)
		goto out;
	if ((rc = sl_prepare(sl, "INSERT INTO notes (time, user, host, "
	    "ssh_client, text, job_id, event_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
	    &st, "add a note")) < 0)
		goto out;
	sqlite3_bind_int64(st, 1, ev.time);
	sl_bind_text(st, 2, ev.user);
	sl_bind_text(st, 3, ev.host);
	sl_bind_text(st, 4, ev.ssh_client);
	sl_bind_text(st, 5, text);
	if (job_id != 0)
		sqlite3_bind_int64(st, 6, job_id);
	else
		sqlite3_bind_null(st, 6);
	sqlite3_bind_int64(st, 7, ev.id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		rc = sl_db_error(sl, rc, "add a note");
		goto out;
	}
	if (note_id != NULL)
		*note_id = sqlite3_last_insert_rowid(sl->db);
	rc = 0;
out:
	sqlite3_finalize(st);
	return sl_commit(sl, rc, "add a note");
}

/* --- reading --- */

static void
row_to_event(sqlite3_stmt *st, struct shiftlog_event *ev)
{
	ev->id = sqlite3_column_int64(st, 0);
	ev->time = sqlite3_column_int64(st, 1);
	ev->user = (const char *)sqlite3_column_text(st, 2);
	ev->host = (const char *)sqlite3_column_text(st, 3);
	ev->ssh_client = (const char *)sqlite3_column_text(st, 4);
	ev->kind = (const char *)sqlite3_column_text(st, 5);
	ev->severity = (const char *)sqlite3_column_text(st, 6);
	ev->job_id = sqlite3_column_int64(st, 7);
	ev->subject = (const char *)sqlite3_column_text(st, 8);
	ev->message = (const char *)sqlite3_column_text(st, 9);
	ev->data = (const char *)sqlite3_column_text(st, 10);
}

/* "50%_off" -> "%50\%\_off%" for LIKE ... ESCAPE '\'. */
static char *
like_pattern(const char *s)
{
	size_t n = strlen(s), i, j = 0;
	char *p = xmalloc(2 * n + 3);

	p[j++] = '%';
	for (i = 0; i < n; i++) {
		if (s[i] == '%' || s[i] == '_' || s[i] == '\\')
			p[j++] = '\\';
		p[j++] = s[i];
	}
	p[j++] = '%';
	p[j] = '\0';
	return p;
}

/* One pass of shiftlog_events(): match an FTS5 query over the index fts
 * ("events_fts", or "events_tail" for the events it has not reached), or
 * pattern a LIKE pattern, or neither; limit 0 for all. *rows counts the
 * events handed to cb. */
static int
events_pass(struct shiftlog *sl, const struct shiftlog_filter *f,
    const char *match, const char *fts, const char *pattern, int64_t limit,
    int (*cb)(const struct shiftlog_event *, void *), void *arg,
    int64_t *rows)
{
	static const char where[] =
	    " WHERE time >= ?1 AND time < ?2"
	    " AND (?3 IS NULL OR kind = ?3 OR substr(kind, 1, length(?3) + 1)"
	    "      = ?3 || '.')"
	    " AND (?4 IS NULL OR user = ?4)"
	    " AND (?5 IS NULL OR message LIKE ?5 ESCAPE '\\'"
	    "      OR subject LIKE ?5 ESCAPE '\\')";
	struct shiftlog_event ev;
	sqlite3_stmt *st = NULL;
	char *sql;
	int rc;

	if (match != NULL)
		/* The index drives: newest match first, so a limit stops
		 * early however common the words (ids grow with time in an
		 * append-only log). */
		sql = xasprintf("SELECT * FROM (SELECT " EVENT_COLUMNS
		    " FROM (SELECT rowid AS fts_id FROM %s WHERE"
		    " %s MATCH ?7) JOIN events ON id = fts_id%s"
		    " ORDER BY fts_id DESC%s) ORDER BY time, id", fts, fts,
		    where, limit > 0 ? " LIMIT ?6" : "");
	else if (limit > 0)
		sql = xasprintf("SELECT * FROM (SELECT " EVENT_COLUMNS
		    " FROM events%s ORDER BY time DESC, id DESC LIMIT ?6)"
		    " ORDER BY time, id", where);
	else
		sql = xasprintf("SELECT " EVENT_COLUMNS " FROM events%s"
		    " ORDER BY time, id", where);
	rc = sl_prepare(sl, sql, &st, "read events");
	free(sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(st, 1, f->since);
	sqlite3_bind_int64(st, 2, f->until);
	sl_bind_text(st, 3, f->kind);
	sl_bind_text(st, 4, f->user);
	sl_bind_text(st, 5, pattern);
	sl_bind_text(st, 7, match);
	if (limit > 0)
		sqlite3_bind_int64(st, 6, limit);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_event(st, &ev);
		(*rows)++;
		if ((rc = cb(&ev, arg)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : sl_db_error(sl, rc, "read events");
out:
	sqlite3_finalize(st);
	return rc;
}

static int
count_event(const struct shiftlog_event *ev, void *arg)
{
	(void)ev;
	(void)arg;
	return 0;
}

/* A full-text search: the index, then, when tail says sl_fts_tail() found
 * some, the newest events it has not reached yet (all later than any it
 * has), oldest first as always; with a limit, the newest matches of both
 * together. */
static int
match_passes(struct shiftlog *sl, const struct shiftlog_filter *f,
    const char *match, bool tail,
    int (*cb)(const struct shiftlog_event *, void *), void *arg,
    int64_t *rows)
{
	int64_t in_tail = 0, limit = f->limit;
	int rc;

	if (tail && limit > 0) {
		rc = events_pass(sl, f, match, "events_tail", NULL, limit,
		    count_event, NULL, &in_tail);
		if (rc < 0)
			return rc;
		if (in_tail >= limit)
			return events_pass(sl, f, match, "events_tail", NULL,
			    limit, cb, arg, rows);
		limit -= in_tail;
	}
	rc = events_pass(sl, f, match, "events_fts", NULL, limit, cb, arg,
	    rows);
	if (rc == 0 && tail)
		rc = events_pass(sl, f, match, "events_tail", NULL, f->limit,
		    cb, arg, rows);
	return rc;
}

int
shiftlog_events(struct shiftlog *sl, const struct shiftlog_filter *f,
    int (*cb)(const struct shiftlog_event *, void *), void *arg)
{
	char *pattern = NULL, *words = NULL, *prefix = NULL;
	int64_t rows = 0;
	int rc, tail;

	if (f->match != NULL) {
		if ((tail = sl_fts_tail(sl)) < 0)
			return tail;
		rc = match_passes(sl, f, f->match, tail, cb, arg, &rows);
		if (rc == SHIFTLOG_ERR && rows == 0) {
			sl_set_error(sl, "the search '%s' is not an FTS5 query "
			    "(%s); write a phrase in double quotes, as in "
			    "\"lost genlock\", and OR, NOT, NEAR() and word* "
			    "outside them", f->match, sqlite3_errmsg(sl->db));
			rc = SHIFTLOG_INVALID;
		}
		return rc;
	}
	if (f->grep == NULL)
		return events_pass(sl, f, NULL, NULL, NULL, f->limit, cb, arg,
		    &rows);
	/* Words go to the full-text index (shiftlog-handover.c) as whole
	 * words; when no event has them all, the last one may also be the
	 * beginning of a word ("drive ret"). A prefix of a common word is
	 * costly for the index, so it is the fallback, not the rule. Text
	 * without a word in it ("%%") is matched as a substring. */
	words = sl_fts_words(f->grep, false);
	if (words == NULL) {
		pattern = like_pattern(f->grep);
		rc = events_pass(sl, f, NULL, NULL, pattern, f->limit, cb, arg,
		    &rows);
		free(pattern);
		return rc;
	}
	/* The unindexed tail is indexed once for both passes. */
	if ((tail = sl_fts_tail(sl)) < 0) {
		free(words);
		return tail;
	}
	rc = match_passes(sl, f, words, tail, cb, arg, &rows);
	if (rc == 0 && rows == 0) {
		prefix = sl_fts_words(f->grep, true);
		if (strcmp(prefix, words) != 0)
			rc = match_passes(sl, f, prefix, tail, cb, arg,
			    &rows);
	}
	free(prefix);
	free(words);
	return rc;
}

int
shiftlog_status(struct shiftlog *sl, struct shiftlog_status *s)
{
	sqlite3_stmt *st = NULL;
	int rc, i;

	memset(s, 0, sizeof *s);
	s->schema_version = sl->version;
	if ((rc = sl_prepare(sl, "SELECT state, count(*) FROM jobs GROUP BY state",
	    &st, "count jobs")) < 0)
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(st, 0);

		for (i = 0; i < SHIFTLOG_JOB_STATES; i++) {
			if (state != NULL &&
			    strcmp(state, shiftlog_job_states[i]) == 0)
				s->jobs[i] = sqlite3_column_int64(st, 1);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return sl_db_error(sl, rc, "count jobs");
	return sl_query_int(sl, "SELECT max(id) FROM events", &s->last_event_id,
	    "find the last event");
}

int
shiftlog_verify(struct shiftlog *sl, struct shiftlog_verify *v)
{
	static const uint8_t genesis[32];
	uint8_t prev[32], hash[32];
	struct shiftlog_event ev;
	sqlite3_stmt *st = NULL;
	int64_t prev_id = 0, seq = 0, triggers = 0;
	int rc, broken = 0;

	memset(v, 0, sizeof *v);
	memcpy(prev, genesis, 32);
	/* One read transaction, so the walk sees one consistent log. */
	if ((rc = sl_exec(sl, "BEGIN", "verify the chain")) < 0)
		return rc;
	if ((rc = sl_query_int(sl, "SELECT count(*) FROM sqlite_master WHERE "
	    "type = 'trigger' AND tbl_name = 'events' AND name IN "
	    "('events_no_update', 'events_no_delete')", &triggers,
	    "verify the chain")) < 0 ||
	    (rc = sl_query_int(sl, "SELECT seq FROM sqlite_sequence WHERE name = "
	    "'events'", &seq, "verify the chain")) < 0 ||
	    (rc = sl_prepare(sl, "SELECT " EVENT_COLUMNS ", hash FROM events "
	    "ORDER BY id", &st, "verify the chain")) < 0)
		goto out;
	v->triggers_missing = triggers != 2;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		row_to_event(st, &ev);
		if (ev.id != prev_id + 1) {
			v->first_bad = ev.id;
			if (prev_id == 0 && ev.id == 2)
				strutil_format(v->problem, sizeof v->problem,
				    "event 1 was removed (the chain starts at "
				    "event 2)");
			else if (prev_id == 0)
				strutil_format(v->problem, sizeof v->problem,
				    "events 1 to %lld were removed (the chain "
				    "starts at event %lld)",
				    (long long)(ev.id - 1), (long long)ev.id);
			else if (ev.id - prev_id == 2)
				strutil_format(v->problem, sizeof v->problem,
				    "event %lld was removed (the chain jumps "
				    "from event %lld to %lld)",
				    (long long)(prev_id + 1),
				    (long long)prev_id, (long long)ev.id);
			else
				strutil_format(v->problem, sizeof v->problem,
				    "events %lld to %lld were removed (the "
				    "chain jumps from event %lld to %lld)",
				    (long long)(prev_id + 1),
				    (long long)(ev.id - 1), (long long)prev_id,
				    (long long)ev.id);
			broken = 1;
			break;
		}
		chain_hash(sl, prev, &ev, hash);
		if (sqlite3_column_bytes(st, 11) != 32 ||
		    memcmp(hash, sqlite3_column_blob(st, 11), 32) != 0) {
			v->first_bad = ev.id;
			strutil_format(v->problem, sizeof v->problem,
			    "event %lld does not match its hash: it was altered, "
			    "inserted out of chain, or the row before it was "
			    "rewritten", (long long)ev.id);
			broken = 1;
			break;
		}
		memcpy(prev, hash, 32);
		prev_id = ev.id;
		v->checked++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		rc = sl_db_error(sl, rc, "verify the chain");
		goto out;
	}
	if (!broken && seq > prev_id) {
		v->first_bad = prev_id + 1;
		if (seq == prev_id + 1)
			strutil_format(v->problem, sizeof v->problem,
			    "the last event (%lld) was removed",
			    (long long)seq);
		else
			strutil_format(v->problem, sizeof v->problem,
			    "the last events (%lld to %lld) were removed",
			    (long long)(prev_id + 1), (long long)seq);
		broken = 1;
	}
	if (!broken) {
		v->head_id = prev_id;
		memcpy(v->head, prev, 32);
	}
	rc = broken || v->triggers_missing ? 1 : 0;
out:
	sqlite3_finalize(st);
	sqlite3_exec(sl->db, "COMMIT", NULL, NULL, NULL);
	return rc;
}
