/*
 * bench-append: the write side of `make bench`, driven by tests/bench/run.sh.
 * Rows come from a fixed seed, so every run writes the same events: a
 * weighted table of event kinds fills each row's subject, message (40 to
 * 120 characters) and JSON data. "fill" appends them to a new shift log in
 * batches, spread evenly over the last hours, for the read benchmarks.
 * "compare" times shiftlog_append() of N rows in one transaction against a
 * bare SQLite INSERT of the same rows, both on fresh files with the same
 * pragmas, and prints each round, the medians and their ratio; a third,
 * informational measurement inserts the rows into mcr's own schema without
 * mcr's code, to tell the cost of the schema from the cost of the chain.
 * For tests/bench/daemon.sh, "jobs" queues N jobs exactly as mcr submit
 * does, through shiftlog_job_submit(), but in one transaction; "spawn"
 * times N fork+exec+wait of a program, PARALLEL at a time, the baseline
 * for mcrd's jobs per second.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "identity.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define FILL_BATCH	10000
#define MSG_MIN		40
#define MSG_MAX		120

/* The strings one event points to. */
struct row {
	char subject[64];
	char message[MSG_MAX + 8];
	char data[192];
};

struct kind_entry {
	const char *kind;
	const char *severity;
	unsigned weight;
	void (*fill)(const struct kind_entry *, struct row *, uint64_t *);
	const char *verb;	/* for job.* messages */
};

static const char *const users[] = {
	"amira", "bkoch", "chen.l", "dpatel", "eva.s", "mcr",
};
static const char *const hosts[] = {
	"mcr-01", "ingest-02", "edit-bay-3", "qc-01",
};
static const char *const ssh_clients[] = {
	"10.20.30.41 51234 22", "10.20.31.7 40022 22",
};
static const char *const titles[] = {
	"PROMO_SPRING", "EP104_CONFORM", "NEWS_2300_FINAL", "DOC_ARCHIVE",
	"TRAILER_DE", "SPORT_HL_MATCHDAY", "KIDS_S02E07", "WEATHER_LOOP",
};
static const char *const profiles[] = {
	"ProRes 422 HQ", "XDCAM HD422 50", "H.264 proxy", "DNxHR HQX",
	"IMF package",
};
static const char *const fillers[] = {
	"checked", "on", "bay", "3", "after", "handover", "per", "runbook",
	"operator", "confirmed", "signal", "path", "clean", "next", "shift",
	"informed", "playout", "archive", "copy", "verified", "again",
};

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z;

	/* splitmix64: fast, and good enough to vary test data. */
	z = (*s += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static unsigned
rng_below(uint64_t *s, unsigned n)
{
	return (unsigned)(rng_next(s) % n);
}

#define PICK(a, s) ((a)[rng_below((s), sizeof (a) / sizeof (a)[0])])

/* Pads msg with filler words to a length between MSG_MIN and MSG_MAX. */
static void
pad_message(char *msg, size_t size, uint64_t *s)
{
	size_t want = MSG_MIN + rng_below(s, MSG_MAX - MSG_MIN + 1);
	size_t len = strlen(msg);

	while (len < want) {
		strutil_format(msg + len, size - len, " %s", PICK(fillers, s));
		len = strlen(msg);
	}
	if (len > want)
		len = want;
	while (len > 0 && msg[len - 1] == ' ')
		len--;
	msg[len] = '\0';
}

static void
fill_job(const struct kind_entry *k, struct row *r, uint64_t *s)
{
	const char *title = PICK(titles, s);
	unsigned take = 1 + rng_below(s, 40);

	strutil_format(r->subject, sizeof r->subject, "%s_%02u.mxf", title,
	    take);
	strutil_format(r->message, sizeof r->message, "transcode of %s_%02u.mxf "
	    "to %s %s", title, take, PICK(profiles, s), k->verb);
	if (strcmp(k->kind, "job.done") == 0)
		strutil_format(r->data, sizeof r->data, "{\"duration_s\":%u.%u,"
		    "\"output_bytes\":%llu}", rng_below(s, 3600),
		    rng_below(s, 10),
		    (unsigned long long)(rng_next(s) % UINT64_C(200000000000)));
	else
		r->data[0] = '\0';
}

static void
fill_storage(const struct kind_entry *k, struct row *r, uint64_t *s)
{
	unsigned vol = rng_below(s, 6), pct = 40 + rng_below(s, 60);
	unsigned long long total = UINT64_C(96000000000000);

	strutil_format(r->subject, sizeof r->subject, "/mnt/media%u", vol);
	strutil_format(r->message, sizeof r->message, "volume /mnt/media%u at "
	    "%u%% used, %llu GB free", vol, pct,
	    total * (100 - pct) / 100 / 1000000000);
	strutil_format(r->data, sizeof r->data, "{\"volume\":\"/mnt/media%u\","
	    "\"used_bytes\":%llu,\"total_bytes\":%llu}", vol,
	    total * pct / 100, total);
}

static void
fill_qc(const struct kind_entry *k, struct row *r, uint64_t *s)
{
	const char *title = PICK(titles, s);
	unsigned h = rng_below(s, 2), m = rng_below(s, 60);
	unsigned sec = rng_below(s, 60), f = rng_below(s, 25);
	unsigned lufs = 150 + rng_below(s, 80);

	strutil_format(r->subject, sizeof r->subject, "%s.mxf", title);
	strutil_format(r->message, sizeof r->message, "integrated loudness "
	    "-%u.%u LUFS misses the -23 LUFS target at %02u:%02u:%02u:%02u",
	    lufs / 10, lufs % 10, 10 + h, m, sec, f);
	strutil_format(r->data, sizeof r->data, "{\"file\":\"%s.mxf\","
	    "\"timecode\":\"%02u:%02u:%02u:%02u\",\"lufs\":-%u.%u}", title,
	    10 + h, m, sec, f, lufs / 10, lufs % 10);
}

static void
fill_note(const struct kind_entry *k, struct row *r, uint64_t *s)
{
	static const char *const notes[] = {
		"VTR 3 head clog, cleaned",
		"router salvo 12 recalled for the late news",
		"ingest of the agency feed restarted",
		"playout B on backup path while the encoder reboots",
		"handed over to the night shift",
	};

	r->subject[0] = '\0';
	strutil_copy(r->message, PICK(notes, s), sizeof r->message);
	r->data[0] = '\0';
}

static void
fill_alarm(const struct kind_entry *k, struct row *r, uint64_t *s)
{
	unsigned input = 1 + rng_below(s, 16);

	strutil_format(r->subject, sizeof r->subject, "SDI input %u", input);
	strutil_format(r->message, sizeof r->message, "loss of signal on SDI "
	    "input %u for %u ms, router source switched to the backup",
	    input, 40 + rng_below(s, 2000));
	r->data[0] = '\0';
}

static const struct kind_entry kinds[] = {
	{ .kind = "storage.sample", .severity = "debug", .weight = 30,
	    .fill = fill_storage },
	{ .kind = "job.queued", .severity = "info", .weight = 12,
	    .fill = fill_job, .verb = "queued" },
	{ .kind = "job.started", .severity = "info", .weight = 12,
	    .fill = fill_job, .verb = "started" },
	{ .kind = "job.done", .severity = "info", .weight = 10,
	    .fill = fill_job, .verb = "finished" },
	{ .kind = "job.failed", .severity = "error", .weight = 2,
	    .fill = fill_job, .verb = "failed: the output volume is full" },
	{ .kind = "qc.finding", .severity = "warning", .weight = 12,
	    .fill = fill_qc },
	{ .kind = "note", .severity = "notice", .weight = 6,
	    .fill = fill_note },
	{ .kind = "signal.alarm", .severity = "warning", .weight = 6,
	    .fill = fill_alarm },
};

#define NKINDS (sizeof kinds / sizeof kinds[0])

/* Makes one event in r and ev (which points into r). */
static void
make_event(struct row *r, struct shiftlog_event *ev, int64_t t,
    uint64_t *s)
{
	const struct kind_entry *k = &kinds[0];
	unsigned total = 0, pick;
	size_t i;

	for (i = 0; i < NKINDS; i++)
		total += kinds[i].weight;
	pick = rng_below(s, total);
	for (i = 0; i < NKINDS; i++) {
		if (pick < kinds[i].weight) {
			k = &kinds[i];
			break;
		}
		pick -= kinds[i].weight;
	}
	k->fill(k, r, s);
	pad_message(r->message, sizeof r->message, s);

	memset(ev, 0, sizeof *ev);
	ev->time = t;
	ev->kind = k->kind;
	ev->severity = k->severity;
	if (strcmp(k->kind, "storage.sample") == 0) {
		ev->user = "mcr";
		ev->host = "mcr-01";
	} else {
		ev->user = PICK(users, s);
		ev->host = PICK(hosts, s);
		if (rng_below(s, 4) == 0)
			ev->ssh_client = PICK(ssh_clients, s);
	}
	ev->subject = r->subject[0] != '\0' ? r->subject : NULL;
	ev->message = r->message;
	ev->data = r->data[0] != '\0' ? r->data : NULL;
}

/* Makes n events with times spread evenly over [end - span, end]. */
static void
make_events(struct row *rows, struct shiftlog_event *ev, size_t n,
    int64_t first, int64_t total, int64_t end, int64_t span, uint64_t *s)
{
	size_t i;
	int64_t t;

	for (i = 0; i < n; i++) {
		t = end - span + (int64_t)((double)(first + (int64_t)i + 1) *
		    (double)span / (double)total);
		make_event(&rows[i], &ev[i], t, s);
	}
}

static double
monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
parse_count(const char *s, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || *out < min ||
	    *out > max) {
		fprintf(stderr, "bench-append: '%s' is not a number from %lld "
		    "to %lld\n", s, min, max);
		return -1;
	}
	return 0;
}

/* A fixed identity, so no SSH_CONNECTION leaks into the rows. */
static void
bench_identity(struct identity *id)
{
	memset(id, 0, sizeof *id);
	strutil_copy(id->user, "bench", sizeof id->user);
	strutil_copy(id->host, "bench-host", sizeof id->host);
}

static int
open_log(const char *path, struct shiftlog **sl)
{
	struct shiftlog_opts opts = { .busy_timeout_ms = 5000 };
	struct identity id;
	char err[640];

	if (shiftlog_open(path, &opts, sl, err, sizeof err) < 0) {
		fprintf(stderr, "bench-append: %s\n", err);
		return -1;
	}
	bench_identity(&id);
	shiftlog_set_identity(*sl, &id);
	return 0;
}

static int
do_fill(const char *path, long long n, long long hours)
{
	struct shiftlog *sl = NULL;
	struct shiftlog_event *ev;
	struct row *rows;
	uint64_t seed = 1;
	int64_t end = when_now(), span = hours * 3600 * WHEN_US_PER_SEC;
	long long done;
	size_t k;
	double t0;
	int rc = -1;

	if (access(path, F_OK) == 0) {
		fprintf(stderr, "bench-append: %s already exists; remove it "
		    "first, fill only makes a new shift log\n", path);
		return -1;
	}
	if (open_log(path, &sl) < 0)
		return -1;
	rows = xcalloc(FILL_BATCH, sizeof *rows);
	ev = xcalloc(FILL_BATCH, sizeof *ev);
	t0 = monotonic_ms();
	for (done = 0; done < n; done += (long long)k) {
		k = n - done < FILL_BATCH ? (size_t)(n - done) : FILL_BATCH;
		make_events(rows, ev, k, done, n, end, span, &seed);
		if (shiftlog_append(sl, ev, k) < 0) {
			fprintf(stderr, "bench-append: %s\n",
			    shiftlog_errmsg(sl));
			goto out;
		}
	}
	printf("filled %s with %lld events over %lld h in %.1f s\n", path, n,
	    hours, (monotonic_ms() - t0) / 1e3);
	rc = 0;
out:
	shiftlog_close(sl);
	free(rows);
	free(ev);
	return rc;
}

/* Removes a database and its companions; missing files are fine. */
static void
remove_db(const char *path)
{
	static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
	char p[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		strutil_format(p, sizeof p, "%s%s", path, suffixes[i]);
		if (unlink(p) != 0 && errno != ENOENT)
			fprintf(stderr, "bench-append: cannot remove %s: %s\n",
			    p, strerror(errno));
	}
}

/* The measured call: the whole of shiftlog_append(), one transaction. */
static int
time_mcr(const char *path, const struct shiftlog_event *tmpl,
    struct shiftlog_event *work, size_t n, double *ms)
{
	struct shiftlog *sl;
	double t0;
	int rc;

	remove_db(path);
	if (open_log(path, &sl) < 0)
		return -1;
	memcpy(work, tmpl, n * sizeof *work);
	t0 = monotonic_ms();
	rc = shiftlog_append(sl, work, n);
	*ms = monotonic_ms() - t0;
	if (rc < 0)
		fprintf(stderr, "bench-append: %s\n", shiftlog_errmsg(sl));
	shiftlog_close(sl);
	remove_db(path);
	return rc < 0 ? -1 : 0;
}

static int
sql_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench-append: %s: %s\n", sql, msg != NULL ?
		    msg : sqlite3_errmsg(db));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static void
bind_text(sqlite3_stmt *st, int col, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, col);
	else
		sqlite3_bind_text(st, col, s, -1, SQLITE_STATIC);
}

/* INSERTs the rows with a prepared statement in one transaction, ids from
 * first_id, every hash the same constant. */
static int
insert_rows(sqlite3 *db, const struct shiftlog_event *ev, size_t n,
    int64_t first_id)
{
	static const uint8_t hash[32] = { 0x5a };
	sqlite3_stmt *st = NULL;
	size_t i;

	if (sql_exec(db, "BEGIN IMMEDIATE") < 0)
		return -1;
	if (sqlite3_prepare_v2(db, "INSERT INTO events (id, time, user, host, "
	    "ssh_client, kind, severity, job_id, subject, message, data, hash) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", -1, &st,
	    NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < n; i++) {
		sqlite3_bind_int64(st, 1, first_id + (int64_t)i);
		sqlite3_bind_int64(st, 2, ev[i].time);
		bind_text(st, 3, ev[i].user);
		bind_text(st, 4, ev[i].host);
		bind_text(st, 5, ev[i].ssh_client);
		bind_text(st, 6, ev[i].kind);
		bind_text(st, 7, ev[i].severity);
		sqlite3_bind_null(st, 8);
		bind_text(st, 9, ev[i].subject);
		bind_text(st, 10, ev[i].message);
		bind_text(st, 11, ev[i].data);
		sqlite3_bind_blob(st, 12, hash, sizeof hash, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			goto fail;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return sql_exec(db, "COMMIT");
fail:
	fprintf(stderr, "bench-append: cannot insert: %s\n",
	    sqlite3_errmsg(db));
	sqlite3_finalize(st);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

/* The baseline: the same columns and types and the events_time index, no
 * constraints, no AUTOINCREMENT, no triggers, no chain. With schema, the
 * rows go instead into a shift log made by shiftlog_open(), with mcr's
 * connection pragmas, but still without hashing or checks in C. */
static int
time_sqlite(const char *path, const struct shiftlog_event *ev, size_t n,
    bool schema, double *ms)
{
	sqlite3 *db = NULL;
	struct shiftlog *sl;
	int64_t first_id = 1;
	double t0;
	int rc = -1;

	remove_db(path);
	if (schema) {
		if (open_log(path, &sl) < 0)
			return -1;
		shiftlog_close(sl);
		first_id = 2;	/* after the "shift log created" event */
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
		fprintf(stderr, "bench-append: cannot open %s: %s\n", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	if (schema) {
		if (sql_exec(db, "PRAGMA foreign_keys = ON; "
		    "PRAGMA synchronous = FULL") < 0)
			goto out;
	} else if (sql_exec(db, "PRAGMA journal_mode = WAL; "
	    "PRAGMA synchronous = FULL; "
	    "CREATE TABLE events (id INTEGER PRIMARY KEY, "
	    "time INTEGER NOT NULL, user TEXT NOT NULL, host TEXT NOT NULL, "
	    "ssh_client TEXT, kind TEXT NOT NULL, severity TEXT NOT NULL, "
	    "job_id INTEGER, subject TEXT, message TEXT NOT NULL, data TEXT, "
	    "hash BLOB NOT NULL); "
	    "CREATE INDEX events_time ON events(time)") < 0)
		goto out;
	t0 = monotonic_ms();
	rc = insert_rows(db, ev, n, first_id);
	*ms = monotonic_ms() - t0;
out:
	sqlite3_close(db);
	remove_db(path);
	return rc;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(const double *v, int n)
{
	double *s = xcalloc((size_t)n, sizeof *s), m;

	memcpy(s, v, (size_t)n * sizeof *s);
	qsort(s, (size_t)n, sizeof *s, cmp_double);
	m = n % 2 != 0 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

enum { M_MCR, M_BARE, M_SCHEMA, M_COUNT };

static int
do_compare(long long n, int rounds)
{
	static const char *const names[M_COUNT] = {
		"mcr", "baseline", "schema-only",
	};
	struct shiftlog_event *tmpl, *work;
	struct row *rows;
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX], path[PATH_MAX + 16];
	double *t[M_COUNT], med[M_COUNT];
	uint64_t seed = 2;
	int r, i, m, order[M_COUNT], rc = -1;

	strutil_format(dir, sizeof dir, "%s/bench-append-XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		fprintf(stderr, "bench-append: cannot create a folder from %s: "
		    "%s; set TMPDIR to a writable folder\n", dir,
		    strerror(errno));
		return -1;
	}
	strutil_format(path, sizeof path, "%s/events.db", dir);
	rows = xcalloc((size_t)n, sizeof *rows);
	tmpl = xcalloc((size_t)n, sizeof *tmpl);
	work = xcalloc((size_t)n, sizeof *work);
	for (m = 0; m < M_COUNT; m++)
		t[m] = xcalloc((size_t)rounds, sizeof *t[m]);
	make_events(rows, tmpl, (size_t)n, 0, n, when_now(),
	    3600 * WHEN_US_PER_SEC, &seed);

	printf("appending %lld events in one transaction, %d rounds, in %s\n",
	    n, rounds, dir);
	for (r = 0; r < rounds; r++) {
		/* Even rounds run mcr first, odd rounds last. */
		for (m = 0; m < M_COUNT; m++)
			order[m] = r % 2 == 0 ? m : M_COUNT - 1 - m;
		for (i = 0; i < M_COUNT; i++) {
			m = order[i];
			if (m == M_MCR)
				rc = time_mcr(path, tmpl, work, (size_t)n,
				    &t[m][r]);
			else
				rc = time_sqlite(path, tmpl, (size_t)n,
				    m == M_SCHEMA, &t[m][r]);
			if (rc < 0)
				goto out;
		}
		printf("round %d: mcr %.1f ms, baseline %.1f ms, schema-only "
		    "%.1f ms (order: %s, %s, %s)\n", r + 1, t[M_MCR][r],
		    t[M_BARE][r], t[M_SCHEMA][r], names[order[0]],
		    names[order[1]], names[order[2]]);
	}
	for (m = 0; m < M_COUNT; m++)
		med[m] = median(t[m], rounds);
	printf("median: mcr %.1f ms, baseline %.1f ms, schema-only %.1f ms; "
	    "mcr/baseline %.2f, schema-only/baseline %.2f\n", med[M_MCR],
	    med[M_BARE], med[M_SCHEMA], med[M_MCR] / med[M_BARE],
	    med[M_SCHEMA] / med[M_BARE]);
	printf("result mcr_ms=%.1f baseline_ms=%.1f schema_ms=%.1f "
	    "ratio=%.2f\n", med[M_MCR], med[M_BARE], med[M_SCHEMA],
	    med[M_MCR] / med[M_BARE]);
	rc = 0;
out:
	remove_db(path);
	if (rmdir(dir) != 0)
		fprintf(stderr, "bench-append: cannot remove %s: %s\n", dir,
		    strerror(errno));
	for (m = 0; m < M_COUNT; m++)
		free(t[m]);
	free(rows);
	free(tmpl);
	free(work);
	return rc;
}

/* Queues n jobs of kind with params (a JSON object) in one transaction,
 * each through shiftlog_job_submit() like mcr submit, event and all. */
static int
do_jobs(const char *path, long long n, const char *kind, const char *params)
{
	struct shiftlog_submit sub = { .kind = kind, .params = params };
	struct shiftlog *sl = NULL;
	int64_t id = 0, first = 0;
	long long i;
	double t0;
	int rc;

	if (open_log(path, &sl) < 0)
		return -1;
	t0 = monotonic_ms();
	if ((rc = shiftlog_begin(sl)) == 0) {
		for (i = 0; i < n && rc == 0; i++) {
			rc = shiftlog_job_submit(sl, &sub, &id);
			if (i == 0)
				first = id;
		}
		rc = shiftlog_end(sl, rc);
	}
	if (rc < 0) {
		fprintf(stderr, "bench-append: cannot queue the jobs: %s\n",
		    shiftlog_errmsg(sl));
		shiftlog_close(sl);
		return -1;
	}
	printf("queued %lld %s jobs (ids %lld to %lld) in %.1f ms\n", n, kind,
	    (long long)first, (long long)id, monotonic_ms() - t0);
	shiftlog_close(sl);
	return 0;
}

/* Starts argv[0] with stdin from input (NULL: /dev/null), stdout and
 * stderr to /dev/null. Returns the pid, or -1. */
static pid_t
spawn_one(const char *input, char **argv)
{
	pid_t pid = fork();
	int fd;

	if (pid != 0)
		return pid;
	fd = open(input != NULL ? input : "/dev/null", O_RDONLY);
	if (fd < 0 || dup2(fd, 0) < 0)
		_exit(126);
	if ((fd = open("/dev/null", O_WRONLY)) < 0 || dup2(fd, 1) < 0 ||
	    dup2(fd, 2) < 0)
		_exit(126);
	execv(argv[0], argv);
	_exit(127);
}

/* n fork+exec+waits of argv, at most parallel at a time. */
static int
do_spawn(long long n, long long parallel, const char *input, char **argv)
{
	long long started = 0, ended = 0, failed = 0;
	double t0, ms;
	int status;
	pid_t pid;

	t0 = monotonic_ms();
	while (ended < n) {
		while (started < n && started - ended < parallel) {
			if (spawn_one(input, argv) < 0) {
				fprintf(stderr, "bench-append: cannot fork: "
				    "%s\n", strerror(errno));
				return -1;
			}
			started++;
		}
		if ((pid = wait(&status)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bench-append: wait: %s\n",
			    strerror(errno));
			return -1;
		}
		ended++;
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed++;
	}
	ms = monotonic_ms() - t0;
	printf("spawned %s %lld times, %lld at a time, in %.1f ms: %.1f per "
	    "second, %.3f ms each%s\n", argv[0], n, parallel, ms,
	    n / (ms / 1e3), ms / n, failed ? " (some failed)" : "");
	printf("result per_s=%.1f ms=%.1f failed=%lld\n", n / (ms / 1e3), ms,
	    failed);
	return failed > 0 ? -1 : 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-append fill DB N SPAN_HOURS\n"
	    "       bench-append compare N ROUNDS\n"
	    "       bench-append jobs DB N KIND PARAMS_JSON\n"
	    "       bench-append spawn N PARALLEL INPUT|- PROGRAM [ARG...]\n");
}

int
main(int argc, char **argv)
{
	long long n, x;

	if (argc == 5 && strcmp(argv[1], "fill") == 0) {
		if (parse_count(argv[3], 1, 1000000000, &n) < 0 ||
		    parse_count(argv[4], 1, 100000, &x) < 0)
			return 2;
		return do_fill(argv[2], n, x) < 0 ? 1 : 0;
	}
	if (argc == 4 && strcmp(argv[1], "compare") == 0) {
		if (parse_count(argv[2], 1, 10000000, &n) < 0 ||
		    parse_count(argv[3], 1, 1000, &x) < 0)
			return 2;
		return do_compare(n, (int)x) < 0 ? 1 : 0;
	}
	if (argc == 6 && strcmp(argv[1], "jobs") == 0) {
		if (parse_count(argv[3], 1, 10000000, &n) < 0)
			return 2;
		return do_jobs(argv[2], n, argv[4], argv[5]) < 0 ? 1 : 0;
	}
	if (argc >= 6 && strcmp(argv[1], "spawn") == 0) {
		if (parse_count(argv[2], 1, 10000000, &n) < 0 ||
		    parse_count(argv[3], 1, 256, &x) < 0)
			return 2;
		return do_spawn(n, x, strcmp(argv[4], "-") == 0 ? NULL :
		    argv[4], argv + 5) < 0 ? 1 : 0;
	}
	usage();
	return 2;
}
