/*
 * bench-handover: the data for tests/bench/handover.sh, made the way
 * bench-append fills its log (a fixed seed, batches of appends through
 * shiftlog_append(), times spread evenly over the span), plus what a
 * handover reads:
 *
 *   bench-handover fill DB EVENTS JOBS SPAN_HOURS
 *       JOBS jobs over the last SPAN_HOURS (done, some failed, cancelled
 *       or interrupted, a few running and queued at the end), inserted
 *       in one transaction as mcrd would have left them; QC findings on a
 *       third of the qc.* jobs; a storage.volume sample of four volumes
 *       every five minutes; delivery records; incidents; then EVENTS
 *       events through shiftlog_append() (the hash chain and the
 *       full-text index as in production), job events naming their job;
 *       every note event becomes a note, one in seven flagged for the
 *       handover; one handover given and acknowledged a day ago.
 *
 *   bench-handover time DB RUNS handover|WORDS...
 *       in this process, so that no process start lands in the figure:
 *       the 12-hour handover report rendered as text, or --grep WORDS
 *       with mcr log's default limit of 50; medians of wall and CPU time.
 */
#include "autoconfig.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handover.h"
#include "identity.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define BATCH 10000

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z;

	/* splitmix64, as bench-append. */
	z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#define PICK(a, s) ((a)[rng_next(s) % (sizeof (a) / sizeof (a)[0])])

static const char *const users[] = { "amira", "bkoch", "chen.l", "dpatel",
	"eva.s", "mcr" };
static const char *const titles[] = { "PROMO_SPRING", "EP104_CONFORM",
	"NEWS_2300_FINAL", "DOC_ARCHIVE", "TRAILER_DE", "SPORT_HL_MATCHDAY",
	"KIDS_S02E07", "WEATHER_LOOP" };
static const char *const kinds[] = { "ingest.copy", "qc.loudness",
	"transcode.proxy", "deliver.send", "archive.lto" };
static const char *const fillers[] = { "checked", "on", "bay", "after",
	"handover", "per", "runbook", "operator", "confirmed", "signal", "path",
	"clean", "next", "shift", "informed", "playout", "archive", "copy",
	"verified", "again", "router", "salvo", "encoder", "backup" };
static const char *const notes[] = {
	"VTR 3 head clog, cleaned",
	"router salvo 12 recalled for the late news",
	"ingest of the agency feed restarted",
	"playout B on backup path while the encoder reboots",
	"client called about the trailer delivery",
};

static int
exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench-handover: %s: %s\n", sql, msg);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The side tables, written with SQLite directly (mcr's writers stamp
 * "now"; a month of history needs its own times). */
static int
fill_tables(const char *path, long jobs, int64_t end, int64_t span,
    uint64_t *seed)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long i;
	int rc = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return -1;
	sqlite3_busy_timeout(db, 5000);
	if (exec(db, "BEGIN") < 0)
		goto out;
	if (sqlite3_prepare_v2(db, "INSERT INTO jobs (id, kind, state, "
	    "priority, params, subject, requested_by, requested_host, created, "
	    "started, finished, progress, attempts, error, result) VALUES "
	    "(?, ?, ?, ?, '{}', ?, ?, 'bench-host', ?, ?, ?, ?, 1, ?, ?)", -1,
	    &st, NULL) != SQLITE_OK)
		goto out;
	for (i = 1; i <= jobs; i++) {
		int64_t created = end - span + (int64_t)((double)i *
		    (double)span / (double)jobs) - 120 * WHEN_US_PER_SEC;
		unsigned r = (unsigned)(rng_next(seed) % 100);
		const char *state = r < 90 ? "done" : r < 95 ? "failed" :
		    r < 98 ? "cancelled" : "interrupted";
		char subject[64], result[96];

		if (i > jobs - 20)
			state = i > jobs - 8 ? "running" : "queued";
		strutil_format(subject, sizeof subject, "%s_%02u.mxf",
		    PICK(titles, seed), (unsigned)(rng_next(seed) % 40));
		strutil_format(result, sizeof result, "{\"output_bytes\":%llu}",
		    (unsigned long long)(rng_next(seed) % 200000000000ULL));
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_text(st, 2, kinds[i % 5], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, state, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, (int64_t)(rng_next(seed) % 3));
		sqlite3_bind_text(st, 5, subject, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 6, PICK(users, seed), -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 7, created);
		if (strcmp(state, "queued") != 0)
			sqlite3_bind_int64(st, 8, created + 10 *
			    WHEN_US_PER_SEC);
		else
			sqlite3_bind_null(st, 8);
		if (strcmp(state, "queued") != 0 && strcmp(state, "running") != 0)
			sqlite3_bind_int64(st, 9, created + 100 *
			    WHEN_US_PER_SEC);
		else
			sqlite3_bind_null(st, 9);
		if (strcmp(state, "running") == 0)
			sqlite3_bind_double(st, 10, 0.5);
		else
			sqlite3_bind_null(st, 10);
		if (strcmp(state, "failed") == 0)
			sqlite3_bind_text(st, 11, "the output volume is full",
			    -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 11);
		if (strcmp(state, "done") == 0)
			sqlite3_bind_text(st, 12, result, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(st, 12);
		if (sqlite3_step(st) != SQLITE_DONE) {
			fprintf(stderr, "bench-handover: %s\n", sqlite3_errmsg(db));
			sqlite3_finalize(st);
			goto out;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	{
		char *sql = xasprintf(
		    "INSERT INTO findings (job_id, time, severity, code, position,"
		    " message) SELECT id, finished, CASE WHEN id %% 2 = 0 THEN "
		    "'error' ELSE 'warning' END, 'loudness', '10:00:12:00', "
		    "'integrated loudness misses the target' FROM jobs WHERE "
		    "kind = 'qc.loudness' AND id %% 3 = 0 AND finished IS NOT NULL;"
		    "WITH RECURSIVE t(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM t"
		    " WHERE n < %lld) INSERT INTO samples (time, series, key, data)"
		    " SELECT %lld + n * 300000000, 'storage.volume', v.name,"
		    " json_object('path', '/mnt/' || v.name, 'total', 100000000000000,"
		    " 'used', 50000000000000 + n * v.grow, 'avail', 50000000000000 -"
		    " n * v.grow, 'used_fraction', (50000000000000.0 + n * v.grow) /"
		    " 100000000000000, 'warn', 0.85, 'crit', 0.95, 'level', 'ok')"
		    " FROM t, (SELECT 'production' AS name, 2000000000 AS grow UNION"
		    " ALL SELECT 'nearline', 500000000 UNION ALL SELECT 'archive',"
		    " 100000000 UNION ALL SELECT 'delivery', 0) v;"
		    "INSERT INTO records (time, job_id, type, data) SELECT finished,"
		    " id, 'delivery', json_object('direction', 'sent', 'destination',"
		    " 'playout-b', 'path', subject) FROM jobs WHERE kind = "
		    "'deliver.send' AND state = 'done';"
		    "INSERT INTO incidents (key, state, severity, title, job_id, "
		    "opened, opened_by, updated, resolved, resolved_by) SELECT "
		    "'job.failed.' || id, CASE WHEN id > %ld THEN 'open' ELSE "
		    "'resolved' END, 'error', 'job ' || id || ' failed', id, "
		    "finished, 'mcr', finished, CASE WHEN id > %ld THEN NULL ELSE "
		    "finished + 3600000000 END, 'eva.s' FROM jobs WHERE state = "
		    "'failed';"
		    "COMMIT",
		    (long long)(span / (300 * WHEN_US_PER_SEC)),
		    (long long)(end - span), jobs - jobs / 50, jobs - jobs / 50);

		rc = exec(db, sql);
		free(sql);
	}
out:
	if (rc < 0)
		exec(db, "ROLLBACK");
	sqlite3_close(db);
	return rc;
}

static int
fill(const char *path, long events, long jobs, long hours)
{
	struct shiftlog_opts o = { .busy_timeout_ms = 5000 };
	struct shiftlog *sl;
	struct shiftlog_event *ev = xcalloc(BATCH, sizeof *ev);
	struct identity id;
	char (*msg)[160] = xcalloc(BATCH, sizeof *msg);
	char (*subj)[64] = xcalloc(BATCH, sizeof *subj);
	char err[640], *rep = NULL;
	uint64_t seed = 11;
	int64_t end = when_now(), span = (int64_t)hours * 3600 * WHEN_US_PER_SEC;
	struct shiftlog_handover_ack ack;
	int64_t h;
	long done = 0, i, n;
	sqlite3 *db;

	if (shiftlog_open(path, &o, &sl, err, sizeof err) < 0) {
		fprintf(stderr, "bench-handover: %s\n", err);
		return 1;
	}
	memset(&id, 0, sizeof id);
	strutil_copy(id.user, "bench", sizeof id.user);
	strutil_copy(id.host, "bench-host", sizeof id.host);
	shiftlog_set_identity(sl, &id);
	if (fill_tables(path, jobs, end, span, &seed) < 0)
		return 1;
	while (done < events) {
		n = events - done < BATCH ? events - done : BATCH;
		for (i = 0; i < n; i++) {
			unsigned r = (unsigned)(rng_next(&seed) % 100);
			int64_t t = end - span + (int64_t)((double)(done + i + 1) *
			    (double)span / (double)events) - 60 * WHEN_US_PER_SEC;
			long job = (long)((double)(done + i) * (double)jobs /
			    (double)events) + 1;
			size_t len;

			memset(&ev[i], 0, sizeof ev[i]);
			ev[i].time = t;
			ev[i].user = PICK(users, &seed);
			ev[i].severity = "info";
			strutil_format(subj[i], sizeof subj[i], "%s_%02u.mxf",
			    PICK(titles, &seed), (unsigned)(rng_next(&seed) % 40));
			ev[i].subject = subj[i];
			if (r < 50) {
				ev[i].kind = r < 45 ? "job.progress" : "job.done";
				ev[i].job_id = job;
				strutil_format(msg[i], sizeof msg[i], "%s of %s "
				    "for asset LTO-%04u", kinds[job % 5], subj[i],
				    (unsigned)(rng_next(&seed) % 10000));
			} else if (r < 80) {
				ev[i].kind = "storage.sample";
				ev[i].severity = "debug";
				strutil_format(msg[i], sizeof msg[i], "volume "
				    "production at %u%% used",
				    40 + (unsigned)(rng_next(&seed) % 50));
			} else if (r < 95) {
				ev[i].kind = "signal.alarm";
				ev[i].severity = r < 90 ? "warning" : "error";
				strutil_format(msg[i], sizeof msg[i], "loss of signal "
				    "on SDI input %u, router switched to backup",
				    1 + (unsigned)(rng_next(&seed) % 16));
			} else {
				ev[i].kind = "note";
				ev[i].severity = "notice";
				ev[i].subject = NULL;
				strutil_copy(msg[i], PICK(notes, &seed),
				    sizeof msg[i]);
			}
			len = strlen(msg[i]);
			while (len < 60 + (size_t)(rng_next(&seed) % 60)) {
				strutil_format(msg[i] + len, sizeof msg[i] - len,
				    " %s", PICK(fillers, &seed));
				len = strlen(msg[i]);
			}
			ev[i].message = msg[i];
		}
		if (shiftlog_append(sl, ev, (size_t)n) < 0) {
			fprintf(stderr, "bench-handover: %s\n",
			    shiftlog_errmsg(sl));
			return 1;
		}
		done += n;
	}
	/* A handover given and acknowledged a day ago. */
	if (shiftlog_handover_report(sl, end - 36 * 3600 * WHEN_US_PER_SEC,
	    end - 24 * 3600 * WHEN_US_PER_SEC, "bench", &rep) < 0 ||
	    shiftlog_handover_record(sl, end - 36 * 3600 * WHEN_US_PER_SEC,
	    end - 24 * 3600 * WHEN_US_PER_SEC, rep, &h) < 0 ||
	    shiftlog_handover_ack(sl, 0, 1, rep, &ack) < 0) {
		fprintf(stderr, "bench-handover: %s\n", shiftlog_errmsg(sl));
		return 1;
	}
	free(rep);
	/* What mcrd's ticks would have done while the shift went on. */
	if (shiftlog_fts_catch_up(sl, 0, NULL) < 0) {
		fprintf(stderr, "bench-handover: %s\n", shiftlog_errmsg(sl));
		return 1;
	}
	shiftlog_close(sl);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    exec(db, "INSERT INTO notes (time, user, host, text, event_id, "
	    "handover) SELECT time, user, host, message, id, id % 7 = 0 FROM "
	    "events WHERE kind = 'note'; PRAGMA wal_checkpoint(TRUNCATE)") < 0)
		return 1;
	sqlite3_close(db);
	free(ev);
	free(msg);
	free(subj);
	return 0;
}

static int64_t
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
by_value(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

static double
median_ms(int64_t *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, by_value);
	return (n % 2 ? (double)v[n / 2] : (double)(v[n / 2 - 1] + v[n / 2]) /
	    2) / 1000;
}

static int
count_event(const struct shiftlog_event *ev, void *arg)
{
	(*(long *)arg)++;
	return 0;
}

/* Times one operation in this process, so that no process start lands in
 * the figure: wall and CPU medians over runs. */
static int
time_in_process(const char *path, int runs, int argc, char **argv)
{
	struct shiftlog_opts o = { .read_only = true, .busy_timeout_ms = 5000 };
	struct shiftlog *sl;
	int64_t *wall = xcalloc((size_t)runs, sizeof *wall);
	int64_t *cpu = xcalloc((size_t)runs, sizeof *cpu);
	char err[640];
	int a, r;

	if (shiftlog_open(path, &o, &sl, err, sizeof err) < 0) {
		fprintf(stderr, "bench-handover: %s\n", err);
		return 1;
	}
	for (a = 0; a < argc; a++) {
		long hits = 0;

		for (r = -1; r < runs; r++) {
			int64_t w0 = clock_us(CLOCK_MONOTONIC);
			int64_t c0 = clock_us(CLOCK_PROCESS_CPUTIME_ID);

			hits = 0;
			if (strcmp(argv[a], "handover") == 0) {
				int64_t now = when_now();
				char *rep = NULL, *text = NULL;
				size_t len = 0;
				FILE *f;

				if (shiftlog_handover_report(sl, now - 12 * 3600 *
				    WHEN_US_PER_SEC, now, "bench", &rep) < 0) {
					fprintf(stderr, "bench-handover: %s\n",
					    shiftlog_errmsg(sl));
					return 1;
				}
				f = open_memstream(&text, &len);
				handover_render(rep, HANDOVER_TEXT, f);
				fclose(f);
				hits = (long)len;
				free(text);
				free(rep);
			} else {
				struct shiftlog_filter flt = { .since = INT64_MIN,
				    .until = INT64_MAX, .grep = argv[a],
				    .limit = 50 };

				if (shiftlog_events(sl, &flt, count_event,
				    &hits) < 0) {
					fprintf(stderr, "bench-handover: %s\n",
					    shiftlog_errmsg(sl));
					return 1;
				}
			}
			if (r >= 0) {
				wall[r] = clock_us(CLOCK_MONOTONIC) - w0;
				cpu[r] = clock_us(CLOCK_PROCESS_CPUTIME_ID) - c0;
			}
		}
		printf("inprocess wall_ms=%.1f cpu_ms=%.1f result=%ld %s\n",
		    median_ms(wall, runs), median_ms(cpu, runs), hits, argv[a]);
	}
	shiftlog_close(sl);
	free(wall);
	free(cpu);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "fill") == 0)
		return fill(argv[2], atol(argv[3]), atol(argv[4]), atol(argv[5]));
	if (argc >= 5 && strcmp(argv[1], "time") == 0)
		return time_in_process(argv[2], atoi(argv[3]), argc - 4,
		    argv + 4);
	fprintf(stderr, "usage: bench-handover fill DB EVENTS JOBS SPAN_HOURS\n"
	    "       bench-handover time DB RUNS handover|WORDS...\n");
	return 2;
}
