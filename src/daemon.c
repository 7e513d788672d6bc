/*
 * daemon: mcrd. One loop (loop.c) drives everything: a tick timer polls
 * PRAGMA data_version for requests and new jobs, flushes what workers
 * reported in one transaction (at most ten times a second), and enforces
 * timeouts and kill deadlines; SIGCHLD, each worker's stdout and a write
 * to the shift log by another process (shiftlog_watch(), so a queued job
 * starts without waiting for the tick) arrive as loop events. A job ends
 * only when its worker has both exited and closed its stdout, and its
 * outcome comes from how the process ended as much as from what it said:
 * a worker that died, or exited without a result, has failed.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "digest.h"
#include "loop.h"
#include "paths.h"
#include "plugin.h"
#include "proto.h"
#include "shiftlog.h"
#include "storage-sched.h"
#include "strutil.h"
#include "watch.h"
#include "when.h"
#include "xmalloc.h"

#define TICK_BUSY_MS 100	/* while jobs run: live meters at 10 Hz */
/* Events indexed for search per tick at most (about 20 ms of work), so a
 * backlog never holds the loop up; appends do not index themselves. */
#define FTS_BATCH 5000
#define WORKER_PIPE_SIZE (1 << 20)	/* see start_job */
#define SCHEDULE_EVERY_MS 1000	/* re-check back-offs even when idle */
#define MAX_BACKOFF_MS (3600 * 1000)

enum ending { END_NONE, END_CANCEL, END_TIMEOUT, END_SHUTDOWN };

struct slot {
	struct daemon *d;
	int64_t job_id;
	char *kind;
	char *plugin;
	bool retry_safe;
	int64_t attempt;
	pid_t pid;
	int out_fd;		/* -1 after end of file */
	char *buf;
	size_t len, cap;
	bool exited;
	int wstatus;
	json_t *result;
	int64_t timeout_ms;
	int64_t deadline;	/* monotonic ms; 0: no timeout */
	int64_t kill_at;	/* SIGKILL then; 0: not being stopped */
	bool killed;
	int64_t paused_at;	/* monotonic ms; 0: not paused */
	enum ending ending;
	char *ended_by;		/* who cancelled */
	json_t *progress;	/* the latest, not yet written */
	json_t *meters;		/* name -> [value, unit], not yet written */
	json_t *queue;		/* [type, body] pairs, not yet written */
	int quarter;		/* progress milestones already logged */
	struct slot *next;
};

struct daemon {
	const struct daemon_opts *opts;
	struct config *cfg;
	struct shiftlog *sl;
	struct plugin_set plugins;
	char *plugin_dir;
	char *worker;
	char *log_dir;
	struct loop *loop;
	struct slot *slots;
	int nslots;
	int64_t data_version;
	int wake_fd;		/* shiftlog_watch(): another writer wrote */
	uint64_t settle_timer;	/* and looks again after it (settle_ms) */
	int settle_ms;
	bool need_schedule;
	int64_t last_schedule;
	int64_t last_exists_check;
	bool stopping;
	int64_t stop_at;	/* grace ends: interrupt what still runs */
	uint64_t tick_timer;
	int64_t tick_ms;
	uint64_t sample_timer;
	int lock_fd;
	FILE *log;
	struct watch *watch;	/* watch folders (watch.c) */
};

static void __attribute__((format(printf, 2, 3)))
dlog(struct daemon *d, const char *fmt, ...)
{
	char when[40];
	va_list ap;

	fprintf(d->log, "%s mcrd[%ld]: ", when_format(when_now(), true, when,
	    sizeof when), (long)getpid());
	va_start(ap, fmt);
	vfprintf(d->log, fmt, ap);
	va_end(ap);
	fputc('\n', d->log);
	fflush(d->log);
}

/* An event of mcrd's own; failures to record it go to the daemon log. */
static void __attribute__((format(printf, 5, 6)))
devent(struct daemon *d, int64_t job, const char *severity, const char *kind,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (shiftlog_job_event(d->sl, job, severity, kind, NULL, msg) < 0)
		dlog(d, "%s (and cannot record it: %s)", msg,
		    shiftlog_errmsg(d->sl));
	free(msg);
}

static void
check(struct daemon *d, int rc)
{
	if (rc < 0)
		dlog(d, "%s", shiftlog_errmsg(d->sl));
}

/* --- processes --- */

/* Field 22 of /proc/PID/stat: the process's start time in clock ticks.
 * With the pid it names one process, even after the pid is reused. */
static int64_t
pid_start_time(pid_t pid)
{
	char path[64], buf[1024], *p;
	long long start = 0;
	ssize_t n;
	int fd, field;

	strutil_format(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces; count from its ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return 0;
	for (field = 2; *p != '\0' && field < 22; p++) {
		if (*p == ' ')
			field++;
	}
	if (sscanf(p, "%lld", &start) != 1)
		return 0;
	return start;
}

static const char *
signal_name(int sig)
{
	static char buf[32];
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev != NULL) {
		strutil_format(buf, sizeof buf, "SIG%s", abbrev);
		return buf;
	}
	strutil_format(buf, sizeof buf, "signal %d", sig);
	return buf;
}

/* --- plugins and config --- */

static const struct mcr_kind *
find_kind(struct daemon *d, const char *kind)
{
	return plugin_find_kind(&d->plugins, kind, NULL);
}

/* Loads the config layers with the plugins' sections; on success replaces
 * d->cfg. */
static int
load_config(struct daemon *d, char *err, size_t errlen)
{
	struct config *cfg = config_new();

	plugin_config_owners(&d->plugins, d->plugin_dir, cfg);
	if (config_load(cfg, d->opts->config_path, err, errlen) < 0) {
		config_free(cfg);
		return -1;
	}
	config_free(d->cfg);
	d->cfg = cfg;
	return 0;
}

static int64_t
kind_timeout(struct daemon *d, const char *kind, int64_t own)
{
	const struct config_kind *k = config_kind(d->cfg, kind);

	if (own > 0)
		return own;
	return k != NULL ? k->timeout_ms : 0;
}

/* --- slots --- */

static struct slot *
slot_by_job(struct daemon *d, int64_t id)
{
	struct slot *s;

	for (s = d->slots; s != NULL; s = s->next) {
		if (s->job_id == id)
			return s;
	}
	return NULL;
}

static int
running_of_kind(struct daemon *d, const char *kind)
{
	struct slot *s;
	int n = 0;

	for (s = d->slots; s != NULL; s = s->next)
		n += strcmp(s->kind, kind) == 0;
	return n;
}

static void
slot_free(struct slot *s)
{
	free(s->kind);
	free(s->plugin);
	free(s->buf);
	free(s->ended_by);
	json_decref(s->result);
	json_decref(s->progress);
	json_decref(s->meters);
	json_decref(s->queue);
	free(s);
}

static void
slot_remove(struct daemon *d, struct slot *s)
{
	struct slot **pp;

	for (pp = &d->slots; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			d->nslots--;
			break;
		}
	}
	slot_free(s);
}

/* Signals a worker, waking it first if it is stopped. */
static void
slot_signal(struct slot *s, int sig)
{
	if (s->pid <= 0 || s->exited)
		return;
	if (s->paused_at != 0 && sig != SIGSTOP)
		kill(s->pid, SIGCONT);
	kill(s->pid, sig);
}

/* Starts stopping a worker: SIGTERM now, SIGKILL after the grace. */
static void
slot_stop(struct slot *s, enum ending why)
{
	if (s->ending == END_NONE)
		s->ending = why;
	if (s->kill_at == 0) {
		s->kill_at = loop_now_ms() + s->d->cfg->grace_ms;
		slot_signal(s, SIGTERM);
	}
}

/* --- what workers report --- */

static void
apply_line(struct slot *s, const char *line)
{
	enum proto_type type;
	const char *rtype, *rdata;
	size_t rtlen, rdlen;
	json_t *body;
	char err[256];

	/* A catalogue row comes per file: filed as the worker wrote it,
	 * without building it as JSON here (the shift log checks it). */
	if (proto_record_text(line, &rtype, &rtlen, &rdata, &rdlen) &&
	    (body = json_pack("[s, {s:s%, s:s%}]", "record", "type", rtype,
	    rtlen, "text", rdata, rdlen)) != NULL) {
		json_array_append_new(s->queue, body);
		return;
	}
	if (proto_parse(line, &type, &body, err, sizeof err) < 0) {
		dlog(s->d, "job %lld: worker protocol error: %s",
		    (long long)s->job_id, err);
		json_array_append_new(s->queue, json_pack("[s, {s:s, s:s, s:s, "
		    "s:s}]", "event", "severity", "warning", "kind",
		    "job.protocol", "subject", s->kind, "message", err));
		return;
	}
	switch (type) {
	case PROTO_PROGRESS:
		json_decref(s->progress);
		s->progress = body;
		return;
	case PROTO_METER:
		json_object_set_new(s->meters, json_string_value(
		    json_object_get(body, "name")), json_pack("[O, O]",
		    json_object_get(body, "value"), json_object_get(body,
		    "unit") ? json_object_get(body, "unit") : json_null()));
		json_decref(body);
		return;
	case PROTO_RESULT:
		json_decref(s->result);
		s->result = body;
		return;
	default:
		json_array_append_new(s->queue, json_pack("[s, o]",
		    proto_type_name(type), body));
		return;
	}
}

static const char *
str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static double
num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : -1;
}

/* Files one record (as the worker wrote it, or as parsed); one that the
 * shift log refuses is a job.protocol warning in the job's life. */
static void
file_record(struct daemon *d, struct slot *s, json_t *b)
{
	const char *type = str(b, "type"), *text = str(b, "text");
	char *data = text != NULL ? NULL : json_dumps(json_object_get(b,
	    "data"), JSON_COMPACT);
	char msg[512];
	json_error_t jerr;
	json_t *j = NULL;

	if (shiftlog_record(d->sl, s->job_id, type, text != NULL ? text :
	    data) == 0) {
		free(data);
		return;
	}
	strutil_format(msg, sizeof msg, "the shift log refused its %s record: "
	    "%s", type, shiftlog_errmsg(d->sl));
	/* Text passed on unparsed: say why in proto_parse()'s words. */
	if (text != NULL && ((j = json_loads(text, 0, &jerr)) == NULL ||
	    !json_is_object(j)))
		strutil_format(msg, sizeof msg, "record message body is not a "
		    "JSON object: %s", j == NULL ? jerr.text : "other");
	json_decref(j);
	dlog(d, "job %lld: %s", (long long)s->job_id, msg);
	if (shiftlog_job_event(d->sl, s->job_id, "warning", "job.protocol",
	    s->kind, msg) < 0)
		dlog(d, "job %lld: refused its event: %s",
		    (long long)s->job_id, shiftlog_errmsg(d->sl));
	free(data);
}

/* Writes what one slot reported since the last flush; inside a
 * transaction. */
static void
flush_slot(struct daemon *d, struct slot *s)
{
	const char *name;
	json_t *v, *item;
	size_t i;

	if (s->progress != NULL) {
		double f = num(s->progress, "fraction");

		check(d, shiftlog_job_progress(d->sl, s->job_id, f,
		    num(s->progress, "rate"), str(s->progress, "unit"),
		    (int64_t)num(s->progress, "eta"),
		    str(s->progress, "subject")));
		/* The job's life in the log: a line when it passes a
		 * quarter (the highest one, if it passed several at once;
		 * none at the end, which job.done tells). */
		if (f >= 0 && f < 1 && (int)(f * 4) > s->quarter) {
			char msg[64];

			s->quarter = (int)(f * 4);
			strutil_format(msg, sizeof msg, "%d%% done",
			    s->quarter * 25);
			check(d, shiftlog_job_event(d->sl, s->job_id, "info",
			    "job.progress", str(s->progress, "subject"), msg));
		}
		json_decref(s->progress);
		s->progress = NULL;
	}
	json_object_foreach(s->meters, name, v)
		check(d, shiftlog_meter(d->sl, s->job_id, name,
		    json_number_value(json_array_get(v, 0)),
		    json_string_value(json_array_get(v, 1))));
	json_object_clear(s->meters);
	json_array_foreach(s->queue, i, item) {
		const char *type = json_string_value(json_array_get(item, 0));
		json_t *b = json_array_get(item, 1);

		if (strcmp(type, "finding") == 0) {
			const char *sev = str(b, "severity");

			if (strcmp(sev, "info") != 0 &&
			    strcmp(sev, "warning") != 0 &&
			    strcmp(sev, "error") != 0)
				sev = "warning";
			check(d, shiftlog_finding(d->sl, s->job_id, sev,
			    str(b, "code"), str(b, "position"),
			    str(b, "message")));
		} else if (strcmp(type, "event") == 0) {
			if (shiftlog_job_event(d->sl, s->job_id,
			    str(b, "severity"), str(b, "kind"),
			    str(b, "subject"), str(b, "message")) < 0)
				dlog(d, "job %lld: refused its event: %s",
				    (long long)s->job_id,
				    shiftlog_errmsg(d->sl));
		} else if (strcmp(type, "sample") == 0) {
			char *data = json_dumps(json_object_get(b, "data"),
			    JSON_COMPACT);

			check(d, shiftlog_sample(d->sl, s->job_id,
			    str(b, "series"), str(b, "key"), data));
			free(data);
		} else if (strcmp(type, "record") == 0) {
			file_record(d, s, b);
		} else if (strcmp(type, "state") == 0) {
			check(d, shiftlog_plugin_state_set(d->sl, s->plugin,
			    str(b, "key"), str(b, "value")));
		}
	}
	json_array_clear(s->queue);
}

static void
flush_all(struct daemon *d)
{
	struct slot *s;
	int rc;

	for (s = d->slots; s != NULL; s = s->next) {
		if (s->progress != NULL || json_object_size(s->meters) > 0 ||
		    json_array_size(s->queue) > 0)
			break;
	}
	if (s == NULL)
		return;
	if ((rc = shiftlog_begin(d->sl)) < 0) {
		check(d, rc);
		return;
	}
	for (s = d->slots; s != NULL; s = s->next)
		flush_slot(d, s);
	check(d, shiftlog_end(d->sl, 0));
}

/* --- the end of a job --- */

static void
finish(struct daemon *d, struct slot *s)
{
	const char *state = "failed", *status;
	bool permanent = false;
	char msg[512], tail[160];
	char *result = NULL;
	int64_t backoff;
	int rc;

	msg[0] = '\0';
	status = s->result != NULL ? str(s->result, "status") : NULL;
	if (WIFSIGNALED(s->wstatus)) {
		int sig = WTERMSIG(s->wstatus);

		if (s->ending == END_CANCEL) {
			state = "cancelled";
			strutil_format(msg, sizeof msg, "cancelled by %s",
			    s->ended_by ? s->ended_by : "an operator");
		} else if (s->ending == END_TIMEOUT)
			strutil_format(msg, sizeof msg, "timed out after %lld "
			    "s and was stopped", (long long)(s->timeout_ms /
			    1000));
		else if (s->ending == END_SHUTDOWN) {
			state = "interrupted";
			strutil_format(msg, sizeof msg, "mcrd stopped while "
			    "it ran");
		} else
			strutil_format(msg, sizeof msg, "the worker died on %s "
			    "(%s); see 'mcr job log %lld'", signal_name(sig),
			    strsignal(sig), (long long)s->job_id);
	} else if (WEXITSTATUS(s->wstatus) != 0)
		strutil_format(msg, sizeof msg, "the worker exited with status "
		    "%d; see 'mcr job log %lld'", WEXITSTATUS(s->wstatus),
		    (long long)s->job_id);
	else if (status == NULL)
		strutil_format(msg, sizeof msg, "the worker ended without a "
		    "result; see 'mcr job log %lld'", (long long)s->job_id);
	else if (strcmp(status, "done") == 0)
		state = "done";
	else {
		/* Why it was stopped decides what it was, not the word the
		 * plugin ended with: a job cancelled by an operator is
		 * cancelled, one stopped at its timeout has failed. */
		if (s->ending == END_TIMEOUT)
			strutil_format(msg, sizeof msg, "timed out after %lld "
			    "s", (long long)(s->timeout_ms / 1000));
		else if (s->ending == END_SHUTDOWN) {
			state = "interrupted";
			strutil_format(msg, sizeof msg, "mcrd stopped while "
			    "it ran");
		} else if (s->ending == END_CANCEL) {
			state = "cancelled";
			strutil_format(msg, sizeof msg, "cancelled by %s",
			    s->ended_by ? s->ended_by : "an operator");
		} else {
			if (strcmp(status, "cancelled") == 0)
				state = "cancelled";
			strutil_copy(msg, str(s->result, "message") ?
			    str(s->result, "message") : "the plugin failed "
			    "without saying why", sizeof msg);
		}
		/* A refusal by the worker itself (bad parameters, a plugin
		 * that will not load) fails the same way every time. */
		permanent = json_is_true(json_object_get(s->result,
		    "permanent"));
	}
	if (s->result != NULL && json_is_object(json_object_get(s->result,
	    "data")))
		result = json_dumps(json_object_get(s->result, "data"),
		    JSON_COMPACT);

	if ((rc = shiftlog_begin(d->sl)) < 0) {
		check(d, rc);
		free(result);
		return;
	}
	flush_slot(d, s);
	if (strcmp(state, "interrupted") == 0) {
		rc = shiftlog_job_transition(d->sl, s->job_id, state, msg, 0);
		if (rc == 0 && s->retry_safe && s->attempt <= d->cfg->retries)
			rc = shiftlog_job_transition(d->sl, s->job_id, "queued",
			    "queued again: its kind is safe to retry", 0);
	} else if (strcmp(state, "failed") == 0 && s->retry_safe &&
	    !permanent && s->attempt <= d->cfg->retries) {
		backoff = (int64_t)d->cfg->retry_backoff_ms <<
		    (s->attempt - 1 < 16 ? s->attempt - 1 : 16);
		if (backoff > MAX_BACKOFF_MS)
			backoff = MAX_BACKOFF_MS;
		strutil_format(tail, sizeof tail, "; retry %lld of %d in %.1f s",
		    (long long)s->attempt, d->cfg->retries, backoff / 1000.0);
		strutil_copy(msg + strlen(msg), tail, sizeof msg - strlen(msg));
		rc = shiftlog_job_event(d->sl, s->job_id, "warning",
		    "job.attempt", NULL, msg);
		if (rc == 0)
			rc = shiftlog_job_transition(d->sl, s->job_id, "queued",
			    msg, when_now() + backoff * 1000);
	} else
		rc = shiftlog_job_finished(d->sl, s->job_id, state,
		    msg[0] != '\0' ? msg : NULL, result);
	check(d, shiftlog_end(d->sl, rc));
	dlog(d, "job %lld (%s) %s%s%s", (long long)s->job_id, s->kind, state,
	    msg[0] ? ": " : "", msg);
	free(result);
	slot_remove(d, s);
	d->need_schedule = true;
}

static void
try_finish(struct daemon *d, struct slot *s)
{
	if (s->exited && s->out_fd < 0)
		finish(d, s);
}

static void
on_worker_output(int fd, short revents, void *arg)
{
	struct slot *s = arg;
	char *nl, *line;
	ssize_t n;

	for (;;) {
		if (s->cap - s->len < 4096) {
			s->cap = s->cap ? s->cap * 2 : 8192;
			s->buf = xrealloc(s->buf, s->cap);
		}
		n = read(fd, s->buf + s->len, s->cap - s->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			loop_del_fd(s->d->loop, fd);
			close(fd);
			s->out_fd = -1;
			break;
		}
		s->len += (size_t)n;
		s->buf[s->len] = '\0';
		line = s->buf;
		while ((nl = memchr(line, '\n', s->len - (size_t)(line -
		    s->buf))) != NULL) {
			*nl = '\0';
			apply_line(s, line);
			line = nl + 1;
		}
		s->len -= (size_t)(line - s->buf);
		memmove(s->buf, line, s->len);
		if (s->len > PROTO_MAX_LINE) {
			dlog(s->d, "job %lld: a report line longer than %d "
			    "bytes; dropped", (long long)s->job_id,
			    PROTO_MAX_LINE);
			s->len = 0;
		}
	}
	if (s->out_fd < 0)
		try_finish(s->d, s);
}

static void
on_sigchld(int sig, void *arg)
{
	struct daemon *d = arg;
	struct slot *s;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (s = d->slots; s != NULL; s = s->next) {
			if (s->pid == pid) {
				s->exited = true;
				s->wstatus = status;
				try_finish(d, s);
				break;
			}
		}
	}
}

/* --- starting a job --- */

/* Starts the worker with its stdin, stdout and stderr. posix_spawn, not
 * fork: mcrd's heap is not copied on write for a child that execs at
 * once, which was most of the cost of starting a job. The worker gets
 * a process group of its own (so ^C at a foreground mcrd stops the
 * daemon gracefully, not every job at once), an empty signal mask and
 * SIGPIPE at its default. Returns the pid, or -1 with errno set. */
static pid_t
spawn_worker(const char *worker, int in, int out, int err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char *argv[] = { (char *)"mcr-worker", NULL };
	sigset_t none, def;
	pid_t pid;
	int rc;

	sigemptyset(&none);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, err, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	rc = posix_spawn(&pid, worker, &fa, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

struct candidate {
	int64_t id;
	char *kind;
	char *params;
	int64_t attempts;
	int64_t timeout_ms;
	int64_t deps_pending;
	int64_t dep_dead;
	char *dep_dead_state;
};

static int
start_job(struct daemon *d, const struct candidate *c)
{
	const struct plugin *owner = NULL;
	const struct mcr_kind *k = plugin_find_kind(&d->plugins, c->kind,
	    &owner);
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, logfd = -1;
	char *logpath = NULL, *doc = NULL, *state;
	json_t *volumes, *config, *j;
	struct slot *s;
	size_t i, off, len;
	pid_t pid;
	int rc = -1;

	volumes = json_array();
	for (i = 0; i < d->cfg->nvolumes; i++) {
		const struct config_volume *v = &d->cfg->volumes[i];

		json_array_append_new(volumes, json_pack("{s:s, s:s, s:s, s:f, "
		    "s:f}", "name", v->name, "path", v->path, "role", v->role,
		    "warn", v->warn, "crit", v->crit));
	}
	config = json_array();
	for (i = 0; i < d->cfg->nentries; i++) {
		const struct config_entry *e = &d->cfg->entries[i];

		if (strcmp(e->section, owner->desc.name) == 0)
			json_array_append_new(config, json_pack("[s, s]",
			    e->key, e->value));
	}
	state = shiftlog_plugin_state(d->sl, owner->desc.name);
	j = json_pack("{s:i, s:{s:I, s:s, s:o, s:I}, s:s, s:o, s:o, s:o}",
	    "protocol", PROTO_VERSION,
	    "job", "id", (json_int_t)c->id, "kind", c->kind,
	    "params", json_loads(c->params, 0, NULL),
	    "attempt", (json_int_t)(c->attempts + 1),
	    "plugin_dir", d->plugin_dir,
	    "volumes", volumes,
	    "config", config,
	    "state", json_loads(state, 0, NULL));
	free(state);
	if (j == NULL) {
		check(d, shiftlog_job_finished(d->sl, c->id, "failed",
		    "its parameters in the shift log are not a JSON object",
		    NULL));
		return -1;
	}
	doc = json_dumps(j, JSON_COMPACT);
	json_decref(j);

	logpath = xasprintf("%s/%lld.log", d->log_dir, (long long)c->id);
	logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (logfd < 0 || pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0) {
		char msg[256];

		strutil_format(msg, sizeof msg, "mcrd cannot start a worker: "
		    "%s (%s)", strerror(errno), logfd < 0 ? logpath : "pipe");
		check(d, shiftlog_job_finished(d->sl, c->id, "failed", msg,
		    NULL));
		goto out;
	}
	/* Room for a burst of rows (a batch of small files catalogued at
	 * once) while this process is in a transaction: the worker goes on
	 * copying instead of waiting. A hint; the default size works. */
	(void)fcntl(out[0], F_SETPIPE_SZ, WORKER_PIPE_SIZE);
	pid = spawn_worker(d->worker, in[0], out[1], logfd);
	if (pid < 0) {
		char msg[256];

		strutil_format(msg, sizeof msg, "mcrd cannot start the worker "
		    "%s: %s", d->worker, strerror(errno));
		check(d, shiftlog_job_finished(d->sl, c->id, "failed", msg,
		    NULL));
		goto out;
	}

	close(in[0]);
	close(out[1]);
	in[0] = out[1] = -1;
	/* The worker reads all of stdin before it does anything else, so
	 * a blocking write cannot deadlock. */
	len = strlen(doc);
	for (off = 0; off < len; ) {
		ssize_t n = write(in[1], doc + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;	/* it died; SIGCHLD will tell */
		off += (size_t)n;
	}
	close(in[1]);
	in[1] = -1;
	fcntl(out[0], F_SETFL, O_NONBLOCK);

	s = xcalloc(1, sizeof *s);
	s->d = d;
	s->job_id = c->id;
	s->kind = xstrdup(c->kind);
	s->plugin = xstrdup(owner->desc.name);
	s->retry_safe = k->retry_safe != 0;
	s->attempt = c->attempts + 1;
	s->pid = pid;
	s->out_fd = out[0];
	s->timeout_ms = kind_timeout(d, c->kind, c->timeout_ms);
	s->deadline = s->timeout_ms > 0 ? loop_now_ms() + s->timeout_ms : 0;
	s->meters = json_object();
	s->queue = json_array();
	s->next = d->slots;
	d->slots = s;
	d->nslots++;
	out[0] = -1;
	loop_add_fd(d->loop, s->out_fd, POLLIN, on_worker_output, s);
	if (shiftlog_job_started(d->sl, c->id, s->attempt, pid,
	    pid_start_time(pid)) < 0) {
		/* Unrecorded, the job would look queued while it ran, and
		 * could run twice: stop the worker, try again later. */
		dlog(d, "job %lld: cannot record its start (%s); its worker is "
		    "stopped and the job stays queued", (long long)c->id,
		    shiftlog_errmsg(d->sl));
		loop_del_fd(d->loop, s->out_fd);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(s->out_fd);
		s->out_fd = -1;
		slot_remove(d, s);
		goto out;
	}
	dlog(d, "job %lld (%s) started in worker pid %ld", (long long)c->id,
	    c->kind, (long)pid);
	rc = 0;
out:
	for (i = 0; i < 2; i++) {
		if (in[i] >= 0)
			close(in[i]);
		if (out[i] >= 0)
			close(out[i]);
	}
	if (logfd >= 0)
		close(logfd);
	free(logpath);
	free(doc);
	return rc;
}

/* --- requests and scheduling --- */

struct req_list {
	struct shiftlog_request *v;
	size_t n;
};

static int
collect_request(const struct shiftlog_request *r, void *arg)
{
	struct req_list *l = arg;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	l->v[l->n] = *r;
	l->v[l->n].action = xstrdup(r->action);
	l->v[l->n].user = xstrdup(r->user);
	l->n++;
	return 0;
}

static int
get_state(const struct shiftlog_job *j, void *arg)
{
	strutil_copy(arg, j->state, 32);
	return 0;
}

static const char *
handle_request(struct daemon *d, const struct shiftlog_request *r)
{
	struct shiftlog_job_filter f = { .id = r->job_id };
	struct slot *s = slot_by_job(d, r->job_id);
	char state[32] = "", msg[160];

	if (shiftlog_jobs(d->sl, &f, get_state, state) < 0 || !state[0])
		return "no such job";
	if (strcmp(r->action, "cancel") == 0) {
		if (s != NULL) {
			free(s->ended_by);
			s->ended_by = xstrdup(r->user);
			slot_stop(s, END_CANCEL);
			return "stopping the worker";
		}
		if (strcmp(state, "queued") == 0) {
			strutil_format(msg, sizeof msg, "cancelled by %s before "
			    "it ran", r->user);
			check(d, shiftlog_job_finished(d->sl, r->job_id,
			    "cancelled", msg, NULL));
			return "cancelled";
		}
		return "the job had already ended";
	}
	if (strcmp(r->action, "pause") == 0) {
		if (s == NULL || s->paused_at != 0 || s->kill_at != 0)
			return "the job was not running";
		kill(s->pid, SIGSTOP);
		s->paused_at = loop_now_ms();
		strutil_format(msg, sizeof msg, "paused by %s", r->user);
		check(d, shiftlog_job_transition(d->sl, r->job_id, "paused",
		    msg, 0));
		return "paused";
	}
	if (strcmp(r->action, "resume") == 0) {
		if (s == NULL || s->paused_at == 0)
			return "the job was not paused";
		kill(s->pid, SIGCONT);
		if (s->deadline != 0)
			s->deadline += loop_now_ms() - s->paused_at;
		s->paused_at = 0;
		strutil_format(msg, sizeof msg, "by %s", r->user);
		check(d, shiftlog_job_transition(d->sl, r->job_id, "running",
		    msg, 0));
		return "resumed";
	}
	if (strcmp(r->action, "retry") == 0) {
		if (strcmp(state, "failed") != 0 &&
		    strcmp(state, "cancelled") != 0 &&
		    strcmp(state, "interrupted") != 0)
			return "only a failed, cancelled or interrupted job "
			    "can be retried";
		strutil_format(msg, sizeof msg, "retried by %s", r->user);
		check(d, shiftlog_job_transition(d->sl, r->job_id, "queued",
		    msg, 0));
		return "queued again";
	}
	if (strcmp(r->action, "priority") == 0) {
		check(d, shiftlog_job_set_priority(d->sl, r->job_id, r->value));
		return "priority set";
	}
	return "unknown action";
}

static void
handle_requests(struct daemon *d)
{
	struct req_list l = { NULL, 0 };
	size_t i;
	int rc;

	if (shiftlog_requests_pending(d->sl, collect_request, &l) < 0) {
		check(d, -1);
		return;
	}
	for (i = 0; i < l.n; i++) {
		if ((rc = shiftlog_begin(d->sl)) == 0) {
			const char *outcome = handle_request(d, &l.v[i]);

			rc = shiftlog_request_handled(d->sl, l.v[i].id,
			    outcome);
			rc = shiftlog_end(d->sl, rc);
		}
		check(d, rc);
		free((char *)l.v[i].action);
		free((char *)l.v[i].user);
	}
	free(l.v);
}

struct cand_list {
	struct candidate *v;
	size_t n;
};

static int
collect_candidate(const struct shiftlog_job *j, void *arg)
{
	struct cand_list *l = arg;
	struct candidate *c;

	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	c = &l->v[l->n++];
	c->id = j->id;
	c->kind = xstrdup(j->kind);
	c->params = xstrdup(j->params);
	c->attempts = j->attempts;
	c->timeout_ms = j->timeout_ms;
	c->deps_pending = j->deps_pending;
	c->dep_dead = j->dep_dead;
	c->dep_dead_state = xstrdup(j->dep_dead_state);
	return 0;
}

static void
schedule(struct daemon *d)
{
	struct shiftlog_job_filter f = { .runnable = true };
	struct cand_list l = { NULL, 0 };
	const struct config_kind *ck;
	char msg[256];
	size_t i;

	d->need_schedule = false;
	d->last_schedule = loop_now_ms();
	handle_requests(d);
	if (d->stopping || d->nslots >= d->cfg->workers)
		return;
	/* Enough candidates to fill the free workers even when per-kind
	 * limits skip some; the rest wait for the next round. */
	f.limit = (d->cfg->workers - d->nslots) * 8 + 8;
	if (shiftlog_jobs(d->sl, &f, collect_candidate, &l) < 0) {
		check(d, -1);
		return;
	}
	for (i = 0; i < l.n; i++) {
		struct candidate *c = &l.v[i];

		if (c->dep_dead != 0) {
			strutil_format(msg, sizeof msg, "job %lld, which it "
			    "runs after, %s", (long long)c->dep_dead,
			    strcmp(c->dep_dead_state, "interrupted") == 0 ?
			    "was interrupted" : strcmp(c->dep_dead_state,
			    "cancelled") == 0 ? "was cancelled" : "failed");
			check(d, shiftlog_job_finished(d->sl, c->id, "failed",
			    msg, NULL));
		} else if (c->deps_pending > 0) {
			/* waits */
		} else if (find_kind(d, c->kind) == NULL) {
			strutil_format(msg, sizeof msg, "no plugin runs kind "
			    "%s; 'mcr plugins' lists the kinds", c->kind);
			check(d, shiftlog_job_finished(d->sl, c->id, "failed",
			    msg, NULL));
		} else if (slot_by_job(d, c->id) != NULL) {
			/* already running here */
		} else if (d->nslots < d->cfg->workers &&
		    ((ck = config_kind(d->cfg, c->kind)) == NULL ||
		    ck->limit == 0 || running_of_kind(d, c->kind) < ck->limit))
			start_job(d, c);
		free(c->kind);
		free(c->params);
		free(c->dep_dead_state);
	}
	free(l.v);
}

/* --- timers --- */

/* Another writer committed (a job queued, a request filed): schedule
 * before sleeping. */
static void
look_at_log(struct daemon *d)
{
	int64_t v;

	if (shiftlog_data_version(d->sl, &v) == 0 && v != d->data_version) {
		d->data_version = v;
		d->need_schedule = true;
	}
}


static void arm_tick(struct daemon *d);
static void on_stop(int sig, void *arg);

static void
tick(void *arg)
{
	struct daemon *d = arg;
	int64_t now = loop_now_ms();
	struct slot *s, *next;

	flush_all(d);
	look_at_log(d);
	if (!d->stopping && find_kind(d, "ingest.copy") != NULL) {
		int queued = watch_tick(&d->watch, d->cfg, d->sl, now);

		if (queued < 0)
			dlog(d, "watch folders: %s", shiftlog_errmsg(d->sl));
		d->need_schedule |= queued > 0;
	}
	if (d->need_schedule || now - d->last_schedule >= SCHEDULE_EVERY_MS)
		schedule(d);
	if (!d->stopping && storage_sched_tick(d->sl, d->cfg, now,
	    find_kind(d, "storage.scan") != NULL))
		d->need_schedule = true;
	for (s = d->slots; s != NULL; s = next) {
		next = s->next;
		if (s->deadline != 0 && s->paused_at == 0 && now >= s->deadline &&
		    s->ending == END_NONE) {
			dlog(d, "job %lld timed out", (long long)s->job_id);
			slot_stop(s, END_TIMEOUT);
		}
		if (d->stopping && now >= d->stop_at && s->ending == END_NONE)
			slot_stop(s, END_SHUTDOWN);
		if (s->kill_at != 0 && now >= s->kill_at && !s->killed) {
			dlog(d, "job %lld: worker %ld ignored SIGTERM for the "
			    "grace period; SIGKILL", (long long)s->job_id,
			    (long)s->pid);
			slot_signal(s, SIGKILL);
			s->killed = true;
		}
	}
	/* A shift log that was deleted under it leaves mcrd nothing to
	 * serve; stop rather than run on a file no one can open. */
	if (now - d->last_exists_check >= 5000) {
		d->last_exists_check = now;
		if (access(d->opts->db_path, F_OK) != 0 && errno == ENOENT &&
		    !d->stopping) {
			dlog(d, "the shift log %s was removed; stopping",
			    d->opts->db_path);
			on_stop(SIGTERM, d);
		}
	}
	if (d->stopping && d->nslots == 0)
		loop_stop(d->loop);
	if (!d->stopping && shiftlog_fts_catch_up(d->sl, FTS_BATCH, NULL) < 0)
		dlog(d, "%s", shiftlog_errmsg(d->sl));
	if (!d->stopping) {
		char err[640];

		if (digest_run_due(d->sl, d->cfg, when_now(), err, sizeof err) < 0)
			dlog(d, "%s", err);
	}
	arm_tick(d);
}

static void
arm_tick(struct daemon *d)
{
	int64_t want = d->nslots > 0 || d->stopping ? TICK_BUSY_MS :
	    d->cfg->poll_ms;

	if (want == d->tick_ms && d->tick_timer != 0)
		return;
	if (d->tick_timer != 0)
		loop_del_timer(d->loop, d->tick_timer);
	d->tick_ms = want;
	d->tick_timer = loop_add_timer(d->loop, want, true, tick, d);
}

static void
settle(void *arg)
{
	struct daemon *d = arg;

	d->settle_timer = 0;
	look_at_log(d);
	if ((d->settle_ms = shiftlog_settle_next(d->settle_ms)) > 0)
		d->settle_timer = loop_add_timer(d->loop, d->settle_ms, false,
		    settle, d);
}

/* The shift log was written, by mcrd itself or by another: look now,
 * and again as the writer's commit may show only after its sync. */
static void
on_log_written(int fd, short revents, void *arg)
{
	struct daemon *d = arg;

	(void)revents;
	if (shiftlog_watch_drain(fd) < 0) {
		dlog(d, "lost the watch on the shift log; polling every %d ms",
		    d->cfg->poll_ms);
		loop_del_fd(d->loop, fd);
		close(fd);
		d->wake_fd = -1;
	}
	look_at_log(d);
	if (d->settle_timer != 0)
		loop_del_timer(d->loop, d->settle_timer);
	d->settle_ms = shiftlog_settle_next(0);
	d->settle_timer = loop_add_timer(d->loop, d->settle_ms, false, settle,
	    d);
}

/* Before each sleep: start work that a finished job made room for now,
 * not at the next tick. */
static void
before_sleep(void *arg)
{
	struct daemon *d = arg;

	if (d->need_schedule && !d->stopping) {
		flush_all(d);
		schedule(d);
		arm_tick(d);
	}
}

static int
count_active(const struct shiftlog_job *j, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void
sample_storage(void *arg)
{
	struct daemon *d = arg;
	struct shiftlog_job_filter f = { .kind = "storage.sample",
	    .active = true };
	struct shiftlog_submit sub = { .kind = "storage.sample",
	    .subject = "all volumes" };
	int64_t id;
	int active = 0;

	if (d->stopping || d->cfg->nvolumes == 0 ||
	    find_kind(d, "storage.sample") == NULL)
		return;
	/* One sample at a time: a hung mount must not pile them up. */
	if (shiftlog_jobs(d->sl, &f, count_active, &active) < 0 || active > 0)
		return;
	check(d, shiftlog_job_submit(d->sl, &sub, &id));
	d->need_schedule = true;
}

static void
arm_sampling(struct daemon *d)
{
	if (d->sample_timer != 0)
		loop_del_timer(d->loop, d->sample_timer);
	d->sample_timer = 0;
	if (d->cfg->storage_sample_ms > 0)
		d->sample_timer = loop_add_timer(d->loop,
		    d->cfg->storage_sample_ms, true, sample_storage, d);
}

/* --- signals --- */

static void
on_stop(int sig, void *arg)
{
	struct daemon *d = arg;

	if (d->stopping) {
		/* A second SIGTERM: interrupt now. */
		d->stop_at = loop_now_ms();
		return;
	}
	d->stopping = true;
	d->stop_at = loop_now_ms() + d->cfg->grace_ms;
	dlog(d, "%s: taking no new work; %d job%s may finish within %d ms",
	    signal_name(sig), d->nslots, d->nslots == 1 ? "" : "s",
	    d->cfg->grace_ms);
	arm_tick(d);
}

static void
on_reload(int sig, void *arg)
{
	struct daemon *d = arg;
	char err[640];

	if (load_config(d, err, sizeof err) < 0) {
		dlog(d, "config reload refused: %s", err);
		devent(d, 0, "error", "daemon.reload", "config reload refused, "
		    "the old config stays: %s", err);
		return;
	}
	devent(d, 0, "notice", "daemon.reload", "config reloaded: %d "
	    "workers, %zu volumes", d->cfg->workers, d->cfg->nvolumes);
	arm_sampling(d);
	d->need_schedule = true;
}

/* --- start and recovery --- */

static int
collect_stale(const struct shiftlog_job *j, void *arg)
{
	struct cand_list *l = arg;

	if (strcmp(j->state, "queued") == 0)
		return 0;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
	memset(&l->v[l->n], 0, sizeof *l->v);
	l->v[l->n].id = j->id;
	l->v[l->n].kind = xstrdup(j->kind);
	l->v[l->n].attempts = j->attempts;
	/* timeout_ms and deps_pending carry pid and its start time. */
	l->v[l->n].timeout_ms = j->pid;
	l->v[l->n].deps_pending = j->pid_start;
	l->n++;
	return 0;
}

/* Jobs left running or paused by an mcrd that died: interrupted, their
 * orphaned workers killed, the retry-safe ones queued again. */
static void
recover(struct daemon *d)
{
	struct shiftlog_job_filter f = { .active = true };
	struct cand_list l = { NULL, 0 };
	const struct mcr_kind *k;
	char msg[256];
	size_t i;
	int rc;

	if (shiftlog_jobs(d->sl, &f, collect_stale, &l) < 0) {
		check(d, -1);
		return;
	}
	for (i = 0; i < l.n; i++) {
		struct candidate *c = &l.v[i];
		pid_t pid = (pid_t)c->timeout_ms;

		if (pid > 0 && c->deps_pending != 0 &&
		    pid_start_time(pid) == c->deps_pending) {
			kill(pid, SIGCONT);
			kill(pid, SIGKILL);
			strutil_format(msg, sizeof msg, "mcrd stopped while it "
			    "ran; its orphaned worker (pid %ld) was killed",
			    (long)pid);
		} else
			strutil_format(msg, sizeof msg, "mcrd stopped while it "
			    "ran; its worker is gone");
		k = find_kind(d, c->kind);
		if ((rc = shiftlog_begin(d->sl)) == 0) {
			rc = shiftlog_job_transition(d->sl, c->id,
			    "interrupted", msg, 0);
			if (rc == 0 && k != NULL && k->retry_safe &&
			    c->attempts <= d->cfg->retries)
				rc = shiftlog_job_transition(d->sl, c->id,
				    "queued", "queued again after the "
				    "interruption: its kind is safe to retry",
				    0);
			rc = shiftlog_end(d->sl, rc);
		}
		check(d, rc);
		dlog(d, "job %lld (%s) interrupted: %s", (long long)c->id,
		    c->kind, msg);
		free(c->kind);
	}
	free(l.v);
}

char *
daemon_lock_path(const char *db_path)
{
	return xasprintf("%s.mcrd.lock", db_path);
}

static pid_t
read_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof buf - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

pid_t
daemon_running(const char *db_path)
{
	char *path = daemon_lock_path(db_path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	pid_t pid = 0;

	free(path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		pid = read_pid(fd);
	close(fd);
	return pid;
}

static void
write_pid(int fd)
{
	char buf[32];
	int n = strutil_format(buf, sizeof buf, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		/* The lock still works; only the pid in it is missing. */
	}
}

/* Takes the lock; returns its fd, or -1 with err. */
static int
take_lock(const char *db_path, char *err, size_t errlen)
{
	char *path = daemon_lock_path(db_path);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd < 0) {
		strutil_format(err, errlen, "cannot create the lock file %s: %s",
		    path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		strutil_format(err, errlen, "mcrd already runs for shift log %s "
		    "(pid %ld); stop it first, or use that one", db_path,
		    (long)read_pid(fd));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

static int
run(struct daemon *d, int ready_fd)
{
	struct shiftlog_opts so = { .busy_timeout_ms = 5000,
	    .create_dir = d->opts->create_dir };
	char err[640];
	size_t i;
	int rc;

	/* A burst of catalogue rows allocates and frees much in SQLite and
	 * jansson. glibc otherwise gives the heap's top back after every
	 * burst (each time a TLB flush on every CPU) until its own
	 * threshold adapts: that tripled mcrd's CPU for the first ingests
	 * after a start. A daemon keeps what it once needed. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);
	d->plugin_dir = paths_plugin_dir();
	d->worker = paths_worker();
	if (plugin_load_dir(d->plugin_dir, &d->plugins, err, sizeof err) < 0)
		dlog(d, "no plugins: %s", err);
	if (load_config(d, err, sizeof err) < 0)
		goto fail;
	if (access(d->worker, X_OK) != 0) {
		strutil_format(err, sizeof err, "cannot run the worker %s: %s; "
		    "is mcr installed completely?", d->worker, strerror(errno));
		goto fail;
	}
	so.busy_timeout_ms = d->cfg->busy_timeout_ms;
	if (shiftlog_open(d->opts->db_path, &so, &d->sl, err, sizeof err) < 0)
		goto fail;
	d->log_dir = xasprintf("%s.jobs", d->opts->db_path);
	/* Readable by the group, so operators can read the logs of a
	 * service's jobs. */
	if (mkdir(d->log_dir, 0750) != 0 && errno != EEXIST)
		rc = -errno;
	else
		rc = 0;
	if (rc < 0) {
		strutil_format(err, sizeof err, "cannot create the job log "
		    "folder %s: %s", d->log_dir, strerror(-rc));
		goto fail;
	}
	shiftlog_data_version(d->sl, &d->data_version);

	d->loop = loop_new();
	loop_add_signal(d->loop, SIGCHLD, on_sigchld, d);
	loop_add_signal(d->loop, SIGTERM, on_stop, d);
	loop_add_signal(d->loop, SIGINT, on_stop, d);
	loop_add_signal(d->loop, SIGHUP, on_reload, d);
	loop_before_sleep(d->loop, before_sleep, d);
	signal(SIGPIPE, SIG_IGN);
	/* A job queued or a request filed wakes mcrd at once; the tick's
	 * look at data_version stays for when there is no watch. */
	if ((d->wake_fd = shiftlog_watch(d->sl)) >= 0)
		loop_add_fd(d->loop, d->wake_fd, POLLIN, on_log_written, d);

	{
		char plugins[512] = "";
		size_t off = 0;

		for (i = 0; i < d->plugins.n; i++)
			off += (size_t)strutil_format(plugins + off,
			    off < sizeof plugins ? sizeof plugins - off : 0,
			    "%s%s %s", i ? ", " : "", d->plugins.v[i]->desc.name,
			    d->plugins.v[i]->desc.version ?
			    d->plugins.v[i]->desc.version : "");
		devent(d, 0, "notice", "daemon.started", "mcrd %s started (pid "
		    "%ld, %d workers, plugins: %s)", PACKAGE_VERSION,
		    (long)getpid(), d->cfg->workers, d->plugins.n ? plugins :
		    "none");
	}
	for (i = 0; i < d->plugins.nerrors; i++)
		devent(d, 0, "warning", "daemon.plugin", "%s",
		    d->plugins.errors[i]);
	recover(d);
	if (ready_fd >= 0) {
		if (write(ready_fd, "", 1) != 1) {
			/* The parent went away; run anyway. */
		}
		close(ready_fd);
	}
	arm_tick(d);
	arm_sampling(d);
	sample_storage(d);
	d->need_schedule = true;
	if ((rc = loop_run(d->loop)) < 0)
		dlog(d, "the event loop failed: %s", strerror(-rc));
	devent(d, 0, "notice", "daemon.stopped", "mcrd stopped (pid %ld)",
	    (long)getpid());
	return 0;
fail:
	dlog(d, "%s", err);
	if (ready_fd >= 0) {
		if (write(ready_fd, err, strlen(err)) < 0) {
			/* nobody to tell but the log */
		}
		close(ready_fd);
	}
	return 2;
}

static void
cleanup(struct daemon *d)
{
	while (d->slots != NULL)
		slot_remove(d, d->slots);
	watch_free(d->watch);
	if (d->wake_fd >= 0)
		close(d->wake_fd);
	shiftlog_close(d->sl);
	config_free(d->cfg);
	plugin_set_free(&d->plugins);
	loop_free(d->loop);
	free(d->plugin_dir);
	free(d->worker);
	free(d->log_dir);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

int
daemon_main(const struct daemon_opts *o)
{
	struct daemon d = { .opts = o, .lock_fd = -1, .wake_fd = -1,
	    .log = stderr };
	char err[640], buf[640], *logpath;
	int ready[2], rc, fd;
	ssize_t n;
	pid_t pid;

	if ((d.lock_fd = take_lock(o->db_path, err, sizeof err)) < 0) {
		fprintf(stderr, "mcr: %s\n", err);
		return 2;
	}
	if (o->foreground) {
		write_pid(d.lock_fd);
		rc = run(&d, -1);
		cleanup(&d);
		return rc;
	}

	if (pipe2(ready, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		fprintf(stderr, "mcr: cannot start mcrd: %s\n", strerror(errno));
		return 2;
	}
	if (pid > 0) {
		/* Wait for the daemon to say it is ready (an empty byte) or
		 * why it is not. */
		close(ready[1]);
		close(d.lock_fd);
		n = read(ready[0], buf, sizeof buf - 1);
		close(ready[0]);
		waitpid(pid, NULL, 0);
		if (n == 1 && buf[0] == '\0')
			return 0;
		buf[n > 0 ? n : 0] = '\0';
		fprintf(stderr, "mcr: mcrd did not start: %s\n",
		    n > 0 ? buf : "it exited; see its log");
		return 2;
	}
	close(ready[0]);
	setsid();
	if ((pid = fork()) != 0)
		_exit(pid < 0 ? 1 : 0);
	if (chdir("/") != 0) {
		/* Nothing depends on the working folder. */
	}
	write_pid(d.lock_fd);
	logpath = xasprintf("%s.mcrd.log", o->db_path);
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		close(fd);
	}
	fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd >= 0) {
		dup2(fd, 2);
		close(fd);
	}
	free(logpath);
	prctl(PR_SET_NAME, "mcrd", 0, 0, 0);
	rc = run(&d, ready[1]);
	cleanup(&d);
	return rc;
}

/* An absolute form of path (mcrd runs in "/"); a new string. */
static char *
absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

int
daemon_ensure(const char *db_path, const char *config_path, bool create_dir,
    char *err, size_t errlen)
{
	char *self, *args[8], *db = absolute(db_path);
	char *cfg = config_path != NULL ? absolute(config_path) : NULL;
	int status, i = 0;
	pid_t pid;

	if (daemon_running(db_path) > 0) {
		free(db);
		free(cfg);
		return 0;
	}
	if ((self = paths_self()) == NULL) {
		strutil_format(err, errlen, "cannot find the mcr binary to start "
		    "mcrd");
		free(db);
		free(cfg);
		return -1;
	}
	args[i++] = (char *)"mcr";
	args[i++] = (char *)"daemon";
	args[i++] = (char *)"--db";
	args[i++] = db;
	if (cfg != NULL) {
		args[i++] = (char *)"--config";
		args[i++] = cfg;
	}
	args[i] = NULL;
	pid = fork();
	if (pid == 0) {
		execv(self, args);
		_exit(127);
	}
	free(self);
	free(db);
	free(cfg);
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		strutil_format(err, errlen, "cannot start mcrd: %s",
		    strerror(errno));
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		/* It printed why; a race with another starter is fine. */
		if (daemon_running(db_path) > 0)
			return 0;
		strutil_format(err, errlen, "mcrd did not start for %s; run "
		    "'mcr daemon -f --db %s' to see why", db_path, db_path);
		return -1;
	}
	return 0;
}
