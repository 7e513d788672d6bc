/*
 * bench-console: the console part of `make bench`, driven by
 * tests/bench/console.sh. It fills a shift log with many jobs and events,
 * and it is a small terminal like tests/console/ptyterm (a real pty, the
 * output rendered by libvterm) that times the console from inside, so no
 * shell or harness start-up lands in a figure:
 *
 *   bench-console fill DB JOBS EVENTS SPAN_HOURS
 *       a new shift log: EVENTS - JOBS events spread over the last
 *       SPAN_HOURS hours, then JOBS jobs queued through
 *       shiftlog_job_submit() (one job.queued event each), 10,000 per
 *       transaction; all come from a fixed seed.
 *   bench-console frame [OPTS] --want TEXT... -- COMMAND...
 *       microseconds from fork to the first byte and to the first screen
 *       that shows every TEXT; then the command is ended.
 *   bench-console exit [OPTS] -- COMMAND...
 *       microseconds from fork until the command exited and its output
 *       was read: the baseline for frame.
 *   bench-console window [OPTS] --want TEXT... --seconds S -- COMMAND...
 *       once every TEXT shows (and --settle seconds more), the command's
 *       CPU time (utime + stime from /proc) and the bytes it printed over
 *       S seconds; the TEXTs must still show at the end. With --then
 *       KEYS, those bytes are sent once the TEXTs show, and the window
 *       starts once every --want2 TEXT shows instead.
 *   bench-console scroll [OPTS] --want TEXT... --keys N --pages N
 *       --burst N -- COMMAND...
 *       once every TEXT shows, sends ":jobs" Enter and times the Jobs
 *       screen's first frame; then N Down keys one at a time, each timed
 *       from the write to the screen showing the next row selected, then
 *       N PgDn keys the same way, then a burst of N Down keys in one
 *       write; with the command's CPU time per key for each.
 *
 * OPTS: --size ROWSxCOLS (24x80), --env K=V, --timeout SECONDS (for each
 * wait, 30), --settle SECONDS (window: 1), --dump FILE (the screen at the
 * end). CPU per key is read from /proc/PID/schedstat (nanoseconds) when
 * the kernel has it; the windows use utime + stime. Results are printed as KEY=VALUE words on one line, times in
 * microseconds. Exit status 0, or 1 with a message (and the screen) when
 * the command did not show what was wanted in time.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vterm.h>

#include "identity.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"

#define MAX_WANT 16
#define BATCH 10000

/* --- the fill --- */

static uint64_t
rng_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#define PICK(a, s) ((a)[rng_next(s) % (sizeof (a) / sizeof (a)[0])])

static const char *const titles[] = {
	"PROMO_SPRING", "EP104_CONFORM", "NEWS_2300_FINAL", "DOC_ARCHIVE",
	"TRAILER_DE", "SPORT_HL_MATCHDAY", "KIDS_S02E07", "WEATHER_LOOP",
};
static const char *const users[] = { "amira", "bkoch", "chen.l", "dpatel" };
static const char *const hosts[] = { "mcr-01", "ingest-02", "qc-01" };
static const struct {
	const char *kind, *severity;
} ekinds[] = {
	{ "storage.sample", "debug" }, { "qc.finding", "warning" },
	{ "note", "notice" }, { "signal.alarm", "warning" },
	{ "ingest.checksum", "info" },
};

static void
event_message(long k, char *buf, size_t size, unsigned a, unsigned b)
{
	switch (k) {
	case 0:
		strutil_format(buf, size, "volume /mnt/media%u at %u%% used",
		    a % 8, b % 100);
		break;
	case 1:
		strutil_format(buf, size, "integrated loudness -%u.%u LUFS "
		    "misses the -23 LUFS target", 15 + a % 10, b % 10);
		break;
	case 2:
		strutil_format(buf, size, "router salvo %u recalled for the late "
		    "news, take %u", a, b);
		break;
	case 3:
		strutil_format(buf, size, "loss of signal on SDI input %u for %u "
		    "ms, switched to the backup", 1 + a % 16, b);
		break;
	default:
		strutil_format(buf, size, "checksum verified on card %u, %u "
		    "clips", a, b);
		break;
	}
}
static const struct {
	const char *kind, *to;
} jkinds[] = {
	{ "ingest.copy", NULL }, { "qc.loudness", NULL },
	{ "transfer.send", "playout-b" }, { "transcode.proxy", NULL },
	{ "archive.lto", "LTO-0042" },
};

struct erow {
	char subject[64], message[160];
};

static int
do_fill(const char *path, long jobs, long events, long hours)
{
	struct shiftlog_opts o = { .busy_timeout_ms = 5000 };
	struct shiftlog *sl;
	struct shiftlog_event *ev;
	struct erow *rows;
	struct identity id;
	char err[640], params[128], subject[96];
	uint64_t seed = 7;
	int64_t end = when_now(), span = (int64_t)hours * 3600 * 1000000;
	long others = events - jobs, done = 0, i, n, k;

	if (others < 0)
		others = 0;
	if (shiftlog_open(path, &o, &sl, err, sizeof err) < 0) {
		fprintf(stderr, "bench-console: %s\n", err);
		return 1;
	}
	memset(&id, 0, sizeof id);
	strutil_copy(id.user, "bench", sizeof id.user);
	strutil_copy(id.host, "bench-host", sizeof id.host);
	shiftlog_set_identity(sl, &id);
	ev = calloc(BATCH, sizeof *ev);
	rows = calloc(BATCH, sizeof *rows);
	if (ev == NULL || rows == NULL)
		abort();
	while (done < others) {
		n = others - done < BATCH ? others - done : BATCH;
		for (i = 0; i < n; i++) {
			unsigned a = (unsigned)(rng_next(&seed) % 100);
			unsigned b = (unsigned)(rng_next(&seed) % 2000);

			k = (long)(rng_next(&seed) % (sizeof ekinds /
			    sizeof ekinds[0]));
			memset(&ev[i], 0, sizeof ev[i]);
			strutil_format(rows[i].subject, sizeof rows[i].subject,
			    "%s_%02u.mxf", PICK(titles, &seed), a % 40);
			event_message(k, rows[i].message,
			    sizeof rows[i].message, a, b);
			ev[i].time = end - span + (int64_t)((double)(done + i + 1)
			    * (double)span / (double)others) - 3600000000LL;
			ev[i].kind = ekinds[k].kind;
			ev[i].severity = ekinds[k].severity;
			ev[i].user = PICK(users, &seed);
			ev[i].host = PICK(hosts, &seed);
			ev[i].subject = rows[i].subject;
			ev[i].message = rows[i].message;
		}
		if (shiftlog_append(sl, ev, (size_t)n) < 0) {
			fprintf(stderr, "bench-console: %s\n",
			    shiftlog_errmsg(sl));
			return 1;
		}
		done += n;
	}
	for (done = 0; done < jobs; done += n) {
		n = jobs - done < BATCH ? jobs - done : BATCH;
		if (shiftlog_begin(sl) < 0) {
			fprintf(stderr, "bench-console: %s\n",
			    shiftlog_errmsg(sl));
			return 1;
		}
		for (i = 0; i < n; i++) {
			struct shiftlog_submit sub = { 0 };
			int64_t jid;

			k = (done + i) % (long)(sizeof jkinds / sizeof jkinds[0]);
			sub.kind = jkinds[k].kind;
			strutil_format(subject, sizeof subject, "%s_%02u.mxf",
			    PICK(titles, &seed),
			    (unsigned)(rng_next(&seed) % 40));
			if (jkinds[k].to != NULL)
				strutil_format(params, sizeof params,
				    "{\"file\":\"%s\",\"to\":\"%s\"}", subject,
				    jkinds[k].to);
			else
				strutil_format(params, sizeof params,
				    "{\"file\":\"%s\"}", subject);
			sub.params = params;
			sub.subject = subject;
			sub.priority = (int64_t)(rng_next(&seed) % 3);
			if (shiftlog_job_submit(sl, &sub, &jid) < 0) {
				fprintf(stderr, "bench-console: %s\n",
				    shiftlog_errmsg(sl));
				shiftlog_end(sl, -1);
				return 1;
			}
		}
		if (shiftlog_end(sl, 0) < 0) {
			fprintf(stderr, "bench-console: %s\n",
			    shiftlog_errmsg(sl));
			return 1;
		}
	}
	free(ev);
	free(rows);
	shiftlog_close(sl);
	return 0;
}

/* --- the terminal --- */

static VTerm *vt;
static VTermScreen *vs;
static int rows = 24, cols = 80;
static int master = -1;
static pid_t child = -1;
static bool child_exited, pty_eof;
static int child_status;
static unsigned long long nbytes, nbursts;
static double last_read;
static char replies[4096];
static size_t nreplies;
static double timeout_s = 30;
static const char *dump_file;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long
us(double secs)
{
	return (long long)(secs * 1e6 + 0.5);
}

static size_t
utf8_put(char *buf, uint32_t c)
{
	if (c < 0x80) {
		buf[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		return 3;
	}
	buf[0] = (char)(0xf0 | (c >> 18));
	buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
	buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
	buf[3] = (char)(0x80 | (c & 0x3f));
	return 4;
}

/* The text of a screen row into s (room for cols * 4 * 6 + 1). */
static void
row_text(int row, char *s)
{
	VTermScreenCell cell;
	VTermPos pos;
	size_t len = 0;
	int i;

	pos.row = row;
	for (pos.col = 0; pos.col < cols; pos.col++) {
		if (!vterm_screen_get_cell(vs, pos, &cell))
			break;
		if (cell.chars[0] == (uint32_t)-1)
			continue;
		if (cell.chars[0] == 0) {
			s[len++] = ' ';
			continue;
		}
		for (i = 0; i < VTERM_MAX_CHARS_PER_CELL && cell.chars[i]; i++)
			len += utf8_put(s + len, cell.chars[i]);
	}
	s[len] = '\0';
}

static char *
rowbuf(void)
{
	static char *buf;
	static size_t size;
	size_t want = (size_t)cols * 4 * VTERM_MAX_CHARS_PER_CELL + 1;

	if (size < want) {
		free(buf);
		buf = malloc(want);
		if (buf == NULL)
			abort();
		size = want;
	}
	return buf;
}

static bool
on_screen(const char *text)
{
	char *s = rowbuf();
	int r;

	for (r = 0; r < rows; r++) {
		row_text(r, s);
		if (strstr(s, text) != NULL)
			return true;
	}
	return false;
}

static bool
all_on_screen(char **want, int nwant)
{
	int i;

	for (i = 0; i < nwant; i++) {
		if (!on_screen(want[i]))
			return false;
	}
	return true;
}

static void
dump(FILE *fp)
{
	char *s = rowbuf();
	int r;

	fprintf(fp, "--- screen %dx%d ---\n", rows, cols);
	for (r = 0; r < rows; r++) {
		row_text(r, s);
		fprintf(fp, "%2d|%s\n", r, s);
	}
	fprintf(fp, "---\n");
}

static void
reap(int options)
{
	int status;

	if (child == -1 || child_exited)
		return;
	if (waitpid(child, &status, options) != child)
		return;
	child_exited = true;
	child_status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

static void
stop_child(void)
{
	double deadline;

	if (child == -1)
		return;
	reap(WNOHANG);
	if (!child_exited) {
		kill(child, SIGTERM);
		deadline = now() + 3;
		while (!child_exited && now() < deadline) {
			char buf[4096];

			if (!pty_eof && read(master, buf, sizeof buf) == 0)
				pty_eof = true;
			poll(NULL, 0, 10);
			reap(WNOHANG);
		}
		if (!child_exited) {
			kill(child, SIGKILL);
			reap(0);
		}
	}
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-console: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (vs != NULL)
		dump(stderr);
	stop_child();
	exit(1);
}

static void
vterm_reply(const char *s, size_t len, void *user)
{
	if (nreplies + len <= sizeof replies) {
		memcpy(replies + nreplies, s, len);
		nreplies += len;
	}
}

static void
send_bytes(const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(master, buf, len);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && errno != EAGAIN && errno != EINTR)
			die("cannot write to the pty: %s", strerror(errno));
		else
			poll(NULL, 0, 1);
	}
}

static void
flush_replies(void)
{
	size_t n = nreplies;

	nreplies = 0;
	if (n > 0 && !pty_eof)
		send_bytes(replies, n);
}

/* Reads what the command printed, waiting up to ms for the first bytes;
 * true when something was read. */
static bool
pump(int ms)
{
	struct pollfd pfd = { .fd = master, .events = POLLIN };
	char buf[16384];
	bool got = false;
	ssize_t n;
	double t;

	reap(WNOHANG);
	if (pty_eof) {
		if (ms > 0)
			poll(NULL, 0, ms);
		reap(WNOHANG);
		return false;
	}
	if (poll(&pfd, 1, ms) <= 0)
		return false;
	for (;;) {
		n = read(master, buf, sizeof buf);
		if (n > 0) {
			t = now();
			if (t - last_read > 0.005)
				nbursts++;
			last_read = t;
			nbytes += (unsigned long long)n;
			vterm_input_write(vt, buf, (size_t)n);
			got = true;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == 0 || (n == -1 && errno != EAGAIN))
			pty_eof = true;
		break;
	}
	flush_replies();
	reap(WNOHANG);
	return got;
}

/* Pumps until every TEXT shows; returns the time it first did. */
static double
wait_all(char **want, int nwant, const char *what)
{
	double deadline = now() + timeout_s;
	bool check = true;

	for (;;) {
		if (check && all_on_screen(want, nwant))
			return now();
		check = pump(50);
		if (pty_eof && child_exited)
			die("the command exited (status %d) while waiting for "
			    "%s", child_status, what);
		if (now() > deadline)
			die("%s did not show within %g s", what, timeout_s);
	}
}

static void
spawn(char **argv)
{
	struct winsize ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	fflush(NULL);
	child = forkpty(&master, NULL, NULL, &ws);
	if (child == -1)
		die("cannot make a pty: %s", strerror(errno));
	if (child == 0) {
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "bench-console: cannot run %s: %s\n", argv[0],
		    strerror(errno));
		_exit(127);
	}
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	fcntl(master, F_SETFD, FD_CLOEXEC);
}

/* The command's CPU time in seconds: utime + stime from /proc/PID/stat
 * (clock ticks: 10 ms), or, precise, the nanoseconds the scheduler ran it
 * from /proc/PID/schedstat when the kernel has them. */
static double
cpu_seconds(bool precise)
{
	char path[64], buf[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *fp;
	size_t n;

	if (precise) {
		snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)child);
		if ((fp = fopen(path, "re")) != NULL) {
			n = fscanf(fp, "%llu", &ut) == 1;
			fclose(fp);
			if (n)
				return (double)ut / 1e9;
		}
	}
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)child);
	fp = fopen(path, "re");
	if (fp == NULL)
		die("cannot read %s: %s", path, strerror(errno));
	n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* state ppid pgrp session tty tpgid flags minflt cminflt majflt
	 * cmajflt utime stime */
	if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
	    "%*u %*u %llu %llu", &ut, &st) != 2)
		die("cannot parse %s", path);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* The job number of the selected row of the Jobs screen (reverse video
 * or a background colour from column 1 on a row below its two header
 * lines), or -1. */
static long long
selected_id(void)
{
	VTermScreenCell cell;
	VTermPos pos;
	char *s = rowbuf();
	int r;

	for (r = 3; r < rows - 1; r++) {
		pos.row = r;
		pos.col = 1;
		if (!vterm_screen_get_cell(vs, pos, &cell))
			continue;
		if (!cell.attrs.reverse && VTERM_COLOR_IS_DEFAULT_BG(&cell.bg))
			continue;
		row_text(r, s);
		return strtoll(s, NULL, 10);
	}
	return -1;
}

static void
send_key(VTermKey key)
{
	vterm_keyboard_key(vt, key, VTERM_MOD_NONE);
	flush_replies();
}

/* Waits until the selection moves off from; returns the new id. */
static long long
wait_moved(long long from, long long want)
{
	double deadline = now() + timeout_s;
	long long id;

	for (;;) {
		if (pump(50)) {
			id = selected_id();
			if (id != from && id != -1 && (want < 0 || id == want))
				return id;
		}
		if (pty_eof)
			die("the command exited while scrolling");
		if (now() > deadline)
			die("the selection did not move from job %lld within %g "
			    "s", from, timeout_s);
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
	if (n == 0)
		return 0;
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Times n presses of key, one at a time: prints NAME_med_us, _max_us,
 * _cpu_us (the command's CPU time per key). */
static void
time_keys(const char *name, VTermKey key, int n)
{
	double *lat = calloc((size_t)n + 1, sizeof *lat), t0, c0, c1, m;
	long long from = selected_id();
	int i;

	if (lat == NULL)
		abort();
	c0 = cpu_seconds(true);
	for (i = 0; i < n; i++) {
		/* Let the console go back to sleep first. */
		while (pump(2))
			;
		t0 = now();
		send_key(key);
		from = wait_moved(from, -1);
		lat[i] = now() - t0;
	}
	while (pump(20))
		;
	c1 = cpu_seconds(true);
	m = median(lat, n);	/* sorts lat */
	printf(" %s_n=%d %s_cpu_us=%lld %s_med_us=%lld %s_min_us=%lld "
	    "%s_max_us=%lld %s_last=%lld", name, n, name, us((c1 - c0) / n),
	    name, us(m), name, us(lat[0]), name, us(lat[n - 1]), name, from);
	free(lat);
}

static int
do_scroll(char **want, int nwant, int keys, int pages, int burst)
{
	char *s = rowbuf(), head[1024] = "";
	double t0, t1, c0, c1;
	long long from, target;
	int r, i;

	wait_all(want, nwant, "the dashboard");
	while (pump(100))
		;
	t0 = now();
	send_bytes(":jobs\r", 6);
	for (;;) {
		if (pump(50) && on_screen("jobs, sorted by") &&
		    selected_id() > 0)
			break;
		if (pty_eof || now() > t0 + timeout_s)
			die("the Jobs screen did not open");
	}
	t1 = now();
	for (r = 0; r < rows; r++) {
		row_text(r, s);
		if (strstr(s, "jobs, sorted by") != NULL) {
			strutil_copy(head, s + strspn(s, " "), sizeof head);
			break;
		}
	}
	for (i = (int)strlen(head); i > 0 && head[i - 1] == ' '; i--)
		head[i - 1] = '\0';
	printf("open_us=%lld", us(t1 - t0));
	time_keys("down", VTERM_KEY_DOWN, keys);
	time_keys("pgdn", VTERM_KEY_PAGEDOWN, pages);
	if (burst > 0) {
		while (pump(20))
			;
		from = selected_id();
		target = from - burst;
		c0 = cpu_seconds(true);
		t0 = now();
		for (i = 0; i < burst; i++)
			vterm_keyboard_key(vt, VTERM_KEY_DOWN, VTERM_MOD_NONE);
		flush_replies();
		wait_moved(from, target);
		t1 = now();
		while (pump(20))
			;
		c1 = cpu_seconds(true);
		printf(" burst_n=%d burst_us=%lld burst_cpu_us=%lld", burst,
		    us(t1 - t0), us(c1 - c0));
	}
	/* Spaces would split the word: the header with underscores. */
	for (i = 0; head[i] != '\0'; i++)
		if (head[i] == ' ')
			head[i] = '_';
	printf(" header=%s\n", head);
	return 0;
}

static int
do_window(char **want, int nwant, const char *then, char **want2,
    int nwant2, double secs, double settle)
{
	double t0, t1, c0, c1, end;
	unsigned long long b0, f0;

	wait_all(want, nwant, "the wanted text");
	if (then != NULL) {
		send_bytes(then, strlen(then));
		wait_all(want2, nwant2, "the text wanted after --then");
		want = want2;
		nwant = nwant2;
	}
	end = now() + settle;
	while (now() < end)
		pump(50);
	pump(0);
	b0 = nbytes;
	f0 = nbursts;
	c0 = cpu_seconds(false);
	t0 = now();
	end = t0 + secs;
	while (now() < end)
		pump((int)((end - now()) * 1000) + 1);
	c1 = cpu_seconds(false);
	t1 = now();
	pump(0);
	if (!all_on_screen(want, nwant))
		die("the wanted text went during the window");
	printf("seconds=%.3f cpu_s=%.3f cpu_pct=%.3f bytes=%llu "
	    "bytes_per_s=%.1f bursts=%llu\n", t1 - t0, c1 - c0,
	    (c1 - c0) / (t1 - t0) * 100, nbytes - b0,
	    (double)(nbytes - b0) / (t1 - t0), nbursts - f0);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench-console fill DB JOBS EVENTS SPAN_HOURS\n"
	    "       bench-console frame|exit|window|scroll [--size RxC] "
	    "[--env K=V] [--want TEXT]... [--then KEYS] [--want2 TEXT]... "
	    "[--seconds S] [--settle S] "
	    "[--keys N] [--pages N] [--burst N] [--timeout S] [--dump FILE] "
	    "-- COMMAND...\n");
	exit(2);
}

static long
number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 0)
		usage();
	return v;
}

int
main(int argc, char **argv)
{
	char *want[MAX_WANT], *want2[MAX_WANT], *eq;
	const char *mode, *then = NULL;
	int nwant = 0, nwant2 = 0, keys = 200, pages = 50, burst = 200, i, rc = 0;
	double secs = 60, settle = 1, t0, t1, tb = 0;

	if (argc < 2)
		usage();
	mode = argv[1];
	if (strcmp(mode, "fill") == 0) {
		if (argc != 6)
			usage();
		return do_fill(argv[2], number(argv[3]), number(argv[4]),
		    number(argv[5]));
	}
	if (strcmp(mode, "frame") != 0 && strcmp(mode, "exit") != 0 &&
	    strcmp(mode, "window") != 0 && strcmp(mode, "scroll") != 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	setenv("TERM", "xterm-256color", 1);
	unsetenv("LINES");
	unsetenv("COLUMNS");
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--size") == 0) {
			if (sscanf(argv[++i], "%dx%d", &rows, &cols) != 2 ||
			    rows < 5 || cols < 20)
				usage();
		} else if (strcmp(argv[i], "--env") == 0) {
			eq = strchr(argv[++i], '=');
			if (eq == NULL)
				usage();
			*eq = '\0';
			setenv(argv[i], eq + 1, 1);
		} else if (strcmp(argv[i], "--want") == 0) {
			if (nwant == MAX_WANT)
				usage();
			want[nwant++] = argv[++i];
		} else if (strcmp(argv[i], "--want2") == 0) {
			if (nwant2 == MAX_WANT)
				usage();
			want2[nwant2++] = argv[++i];
		} else if (strcmp(argv[i], "--then") == 0)
			then = argv[++i];
		else if (strcmp(argv[i], "--seconds") == 0)
			secs = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--settle") == 0)
			settle = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--timeout") == 0)
			timeout_s = strtod(argv[++i], NULL);
		else if (strcmp(argv[i], "--keys") == 0)
			keys = (int)number(argv[++i]);
		else if (strcmp(argv[i], "--pages") == 0)
			pages = (int)number(argv[++i]);
		else if (strcmp(argv[i], "--burst") == 0)
			burst = (int)number(argv[++i]);
		else if (strcmp(argv[i], "--dump") == 0)
			dump_file = argv[++i];
		else
			usage();
	}
	if (i >= argc || keys < 1 || pages < 1)
		usage();

	vt = vterm_new(rows, cols);
	vterm_set_utf8(vt, 1);
	vterm_output_set_callback(vt, vterm_reply, NULL);
	vs = vterm_obtain_screen(vt);
	vterm_screen_enable_altscreen(vs, 1);
	vterm_screen_reset(vs, 1);

	t0 = now();
	spawn(argv + i);
	if (strcmp(mode, "frame") == 0) {
		while (!pump(50)) {
			if (pty_eof || now() > t0 + timeout_s)
				die("the command printed nothing");
		}
		tb = now();
		t1 = wait_all(want, nwant, "the first full frame");
		printf("first_byte_us=%lld frame_us=%lld bytes=%llu\n",
		    us(tb - t0), us(t1 - t0), nbytes);
	} else if (strcmp(mode, "exit") == 0) {
		while (!pty_eof || !child_exited) {
			pump(50);
			if (now() > t0 + timeout_s)
				die("the command did not exit");
		}
		t1 = now();
		printf("exit_us=%lld status=%d bytes=%llu\n", us(t1 - t0),
		    child_status, nbytes);
		rc = child_status != 0;
	} else if (strcmp(mode, "window") == 0)
		rc = do_window(want, nwant, then, want2, nwant2, secs, settle);
	else
		rc = do_scroll(want, nwant, keys, pages, burst);
	fflush(stdout);
	if (dump_file != NULL) {
		FILE *fp = fopen(dump_file, "w");

		if (fp != NULL) {
			dump(fp);
			fclose(fp);
		}
	}
	if (!child_exited && !pty_eof) {
		/* A console quits on q; anything else gets SIGTERM. */
		send_bytes("q", 1);
		t0 = now();
		while (!child_exited && now() < t0 + 3)
			pump(20);
	}
	stop_child();
	close(master);
	vterm_free(vt);
	return rc;
}
