/*
 * The job verbs: mcr submit, jobs, job show|log|cancel|pause|resume|retry|
 * priority, plugins and daemon. They queue jobs and file requests in the
 * shift log; mcrd, which they start when none runs (unless --no-daemon),
 * does the rest. --wait follows a job by PRAGMA data_version, as every
 * reader of the shift log does, looking when the log is written
 * (shiftlog_watch()), and exits with its outcome.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "loop.h"
#include "paths.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

/* --wait looks at the job when the shift log is written (a watch on it),
 * and at least this often; every WAIT_POLL_MS without a watch. */
#define WAIT_WATCH_MS 250
#define WAIT_POLL_MS 25

static const char no_daemon_help[] =
    "      --no-daemon     do not start mcrd when none runs\n";

/* --- printing jobs --- */

static json_t *
jtext(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jtime(int64_t t)
{
	char buf[40];

	return t != 0 ? json_string(when_format(t, true, buf, sizeof buf)) :
	    json_null();
}

static json_t *
job_json(const struct shiftlog_job *j)
{
	json_t *after = json_array(), *o;
	const char *p = j->after;

	while (p != NULL && *p != '\0') {
		json_array_append_new(after, json_integer(strtoll(p, NULL,
		    10)));
		p = strchr(p, ',');
		p = p != NULL ? p + 1 : NULL;
	}
	o = json_pack("{s:I, s:s, s:s, s:I, s:o, s:o, s:s, s:s, s:o, s:o, s:o,"
	    " s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
	    "id", (json_int_t)j->id,
	    "kind", j->kind,
	    "state", j->state,
	    "priority", (json_int_t)j->priority,
	    "params", json_loads(j->params, 0, NULL),
	    "subject", jtext(j->subject),
	    "requested_by", j->requested_by,
	    "requested_host", j->requested_host,
	    "created", jtime(j->created),
	    "started", jtime(j->started),
	    "finished", jtime(j->finished),
	    "progress", j->progress >= 0 ? json_real(j->progress) :
	    json_null(),
	    "rate", j->rate >= 0 ? json_real(j->rate) : json_null(),
	    "rate_unit", jtext(j->rate_unit),
	    "eta", j->eta >= 0 ? json_integer(j->eta) : json_null(),
	    "progress_subject", jtext(j->progress_subject),
	    "attempts", (json_int_t)j->attempts,
	    "error", jtext(j->error),
	    "result", j->result != NULL ? json_loads(j->result, 0, NULL) :
	    json_null(),
	    "after", after,
	    "pid", j->pid > 0 && (strcmp(j->state, "running") == 0 ||
	    strcmp(j->state, "paused") == 0) ? json_integer(j->pid) :
	    json_null());
	if (o == NULL)
		fatal("building the JSON of job %lld failed", (long long)j->id);
	return o;
}

static void
bar(double f, char *buf, size_t width)
{
	size_t i, n;

	if (f < 0) {
		strutil_copy(buf, "", width + 1);
		return;
	}
	n = (size_t)(f * (double)width + 0.5);
	for (i = 0; i < width; i++)
		buf[i] = i < n ? '#' : '.';
	buf[width] = '\0';
}

static int
print_job_row(const struct shiftlog_job *j, void *arg)
{
	json_t *array = arg;
	char b[11], rate[32], eta[32], pct[8] = "";

	if (array != NULL) {
		json_array_append_new(array, job_json(j));
		return 0;
	}
	bar(j->progress, b, 10);
	if (j->progress >= 0)
		strutil_format(pct, sizeof pct, "%3.0f%%", j->progress * 100);
	strutil_rate(j->rate, j->rate_unit, "-", rate, sizeof rate);
	strutil_duration(j->eta, "-", eta, sizeof eta);
	printf("%6lld  %-11s %-18s %4lld  %-10s %4s  %-12s %-7s %-8s ",
	    (long long)j->id, j->state, j->kind, (long long)j->priority, b, pct,
	    rate, eta, j->requested_by);
	cmd_print_safe(stdout, j->error != NULL ? j->error :
	    j->progress_subject != NULL ? j->progress_subject :
	    j->subject != NULL ? j->subject : "");
	putchar('\n');
	return 0;
}

/* --- mcr submit --- */

struct one_job {
	char state[32];
	char error[512];
	double progress;
	int64_t attempts;
	bool found;
};

static int
take_job(const struct shiftlog_job *j, void *arg)
{
	struct one_job *o = arg;

	o->found = true;
	strutil_copy(o->state, j->state, sizeof o->state);
	strutil_copy(o->error, j->error != NULL ? j->error : "",
	    sizeof o->error);
	o->progress = j->progress;
	o->attempts = j->attempts;
	return 0;
}

static bool
final_state(const char *state)
{
	return strcmp(state, "done") == 0 || strcmp(state, "failed") == 0 ||
	    strcmp(state, "cancelled") == 0 || strcmp(state, "interrupted") == 0;
}

/* Sleeps until the shift log is written (or WAIT_WATCH_MS pass) when
 * there is a watch, looking again soon after each write (*settle, see
 * shiftlog_settle_next()); else WAIT_POLL_MS. Returns the watch, or -1 once it
 * is lost. */
static int
wait_for_write(int wake, int *settle)
{
	struct pollfd p = { .fd = wake, .events = POLLIN };
	struct timespec ts = { 0, WAIT_POLL_MS * 1000000L };

	if (wake < 0) {
		nanosleep(&ts, NULL);
		return -1;
	}
	if (poll(&p, 1, *settle > 0 ? *settle : WAIT_WATCH_MS) > 0) {
		if (shiftlog_watch_drain(wake) < 0) {
			close(wake);
			return -1;
		}
		*settle = shiftlog_settle_next(0);
	} else if (*settle > 0)
		*settle = shiftlog_settle_next(*settle);
	return wake;
}

int
cmd_wait_job(struct cmd_ctx *ctx, int64_t id, int64_t request, bool quiet)
{
	struct shiftlog_job_filter f = { .id = id };
	struct one_job o;
	char last[32] = "";
	int64_t version = -1, v, alive_at = loop_now_ms() + 2000;
	int wake = shiftlog_watch(ctx->sl), settle = 0, rc;

	for (;;) {
		/* Every two seconds: is anyone still running the job? */
		if (loop_now_ms() >= alive_at) {
			alive_at = loop_now_ms() + 2000;
			if (daemon_running(ctx->sl_path) == 0) {
				rc = cmd_error("mcrd is not running for %s, so "
				    "job %lld will not move; start it with 'mcr "
				    "daemon'", ctx->sl_path, (long long)id);
				goto out;
			}
		}
		if (shiftlog_data_version(ctx->sl, &v) < 0) {
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		if (v != version && request != 0) {
			char outcome[128];
			int h = shiftlog_request_outcome(ctx->sl, request,
			    outcome, sizeof outcome);

			if (h < 0) {
				rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
				goto out;
			}
			if (h == 1) {
				request = 0;
				if (!quiet)
					fprintf(stderr, "job %lld: mcrd: %s\n",
					    (long long)id, outcome);
			}
		}
		if (v != version && request == 0) {
			version = v;
			memset(&o, 0, sizeof o);
			if (shiftlog_jobs(ctx->sl, &f, take_job, &o) < 0) {
				rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
				goto out;
			}
			if (!o.found) {
				rc = cmd_error("job %lld disappeared from the "
				    "shift log", (long long)id);
				goto out;
			}
			if (!quiet && strcmp(o.state, last) != 0)
				fprintf(stderr, "job %lld: %s\n", (long long)id,
				    o.state);
			strutil_copy(last, o.state, sizeof last);
			/* interrupted retry-safe jobs come back queued:
			 * only a state mcrd leaves alone is the end. */
			if (final_state(o.state) &&
			    strcmp(o.state, "interrupted") != 0)
				break;
			if (strcmp(o.state, "interrupted") == 0 &&
			    daemon_running(ctx->sl_path) == 0)
				break;
		}
		wake = wait_for_write(wake, &settle);
	}
	rc = CMD_EXIT_OK;
	if (strcmp(o.state, "done") != 0) {
		if (!quiet)
			fprintf(stderr, "mcr: job %lld %s%s%s\n", (long long)id,
			    o.state, o.error[0] ? ": " : "", o.error);
		rc = CMD_EXIT_CHECK_FAILED;
	}
out:
	if (wake >= 0)
		close(wake);
	return rc;
}

static int
parse_ids(const char *s, int64_t **ids, size_t *n)
{
	char *end;

	while (*s != '\0') {
		long long v = strtoll(s, &end, 10);

		if (end == s || v <= 0 || (*end != ',' && *end != '\0'))
			return -1;
		*ids = xrealloc(*ids, (*n + 1) * sizeof **ids);
		(*ids)[(*n)++] = v;
		s = *end == ',' ? end + 1 : end;
	}
	return *n > 0 ? 0 : -1;
}

static int
parse_duration_ms(const char *s, int64_t *ms)
{
	int64_t us;

	if (when_parse_duration(s, &us) < 0 || us <= 0)
		return -1;
	*ms = us / 1000;
	return 0;
}

int
cmd_submit(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_PRIORITY = CMD_OPT_VERB, OPT_AFTER, OPT_WAIT, OPT_TIMEOUT,
		OPT_SUBJECT };
	static const struct option longopts[] = {
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "after", required_argument, NULL, OPT_AFTER },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "timeout", required_argument, NULL, OPT_TIMEOUT },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_submit sub = { 0 };
	const struct mcr_kind *k;
	const char **names = NULL;
	json_t *params = json_object();
	bool wait = false, json = false;
	char err[512], *end, *ptext = NULL;
	int64_t *after = NULL, id;
	size_t nafter = 0, n = 0;
	int c, rc = CMD_EXIT_ERROR, i;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_PRIORITY:
			sub.priority = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    sub.priority < -1000 || sub.priority > 1000) {
				rc = cmd_usage_error(ctx, "--priority '%s' is not "
				    "a number from -1000 to 1000", optarg);
				goto out;
			}
			break;
		case OPT_AFTER:
			if (parse_ids(optarg, &after, &nafter) < 0) {
				rc = cmd_usage_error(ctx, "--after '%s' is not a "
				    "list of job numbers such as 12,13", optarg);
				goto out;
			}
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_TIMEOUT:
			if (parse_duration_ms(optarg, &sub.timeout_ms) < 0) {
				rc = cmd_usage_error(ctx, "--timeout '%s' is not "
				    "a duration such as 90s, 10m or 2h", optarg);
				goto out;
			}
			break;
		case OPT_SUBJECT:
			sub.subject = optarg;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr submit KIND [NAME=VALUE...] "
			    "[OPTION...]\n"
			    "Queue a job of KIND for mcrd; 'mcr plugins' lists "
			    "the kinds and their parameters.\n\n"
			    "      --priority N    higher runs first (-1000 to "
			    "1000; default 0)\n"
			    "      --after ID,...  run once these jobs are done; "
			    "fail if one fails\n"
			    "      --timeout D     stop the job after D (90s, "
			    "10m, 2h)\n"
			    "      --subject TEXT  what the job is about, for the "
			    "log\n"
			    "      --wait          follow the job; exit 0 when "
			    "done, 1 when it failed\n"
			    "      --json          print {\"id\": N}\n%s%s",
			    no_daemon_help, cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		rc = cmd_usage_error(ctx, "give the job's kind, such as "
		    "storage.sample");
		goto out;
	}
	sub.kind = argv[optind++];
	for (i = optind; i < argc; i++) {
		char *eq = strchr(argv[i], '=');

		if (eq == NULL || eq == argv[i]) {
			rc = cmd_usage_error(ctx, "'%s' is not a parameter; "
			    "write NAME=VALUE", argv[i]);
			goto out;
		}
		*eq = '\0';
		if (!strutil_utf8_valid(eq + 1, strlen(eq + 1))) {
			rc = cmd_error("parameter %s is not valid UTF-8",
			    argv[i]);
			goto out;
		}
		json_object_set_new(params, argv[i], json_string(eq + 1));
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = argv[i];
	}
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	k = plugin_find_kind(ctx->plugins, sub.kind, NULL);
	if (k == NULL) {
		cmd_error("no plugin runs kind %s; 'mcr plugins' lists the "
		    "kinds", sub.kind);
		goto out;
	}
	if (plugin_check_params(k, names, n, err, sizeof err) < 0) {
		cmd_error("%s", err);
		goto out;
	}
	ptext = json_dumps(params, JSON_COMPACT);
	sub.params = ptext;
	sub.after = after;
	sub.nafter = nafter;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	if (shiftlog_job_submit(ctx->sl, &sub, &id) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if (json)
		cmd_json_print(json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("job %lld queued: %s\n", (long long)id, sub.kind);
	fflush(stdout);
	if ((rc = cmd_daemon_ensure(ctx)) != 0)
		goto out;
	rc = wait ? cmd_wait_job(ctx, id, 0, json) : CMD_EXIT_OK;
out:
	json_decref(params);
	free(ptext);
	free(names);
	free(after);
	return rc;
}

/* --- mcr jobs --- */

int
cmd_jobs(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_STATE = CMD_OPT_VERB, OPT_KIND, OPT_LIMIT, OPT_ALL };
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, OPT_STATE },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_job_filter f = { .limit = 50 };
	json_t *array = NULL;
	bool json = false, valid;
	char *end;
	int c, rc, i;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_STATE:
			valid = false;
			for (i = 0; i < SHIFTLOG_JOB_STATES; i++)
				valid = valid || strcmp(optarg,
				    shiftlog_job_states[i]) == 0;
			if (!valid)
				return cmd_usage_error(ctx, "--state '%s' is not "
				    "one of queued, running, paused, done, "
				    "failed, cancelled, interrupted", optarg);
			f.state = optarg;
			break;
		case OPT_KIND:
			f.kind = optarg;
			break;
		case OPT_LIMIT:
			f.limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || f.limit <= 0)
				return cmd_usage_error(ctx, "--limit '%s' is not "
				    "a positive number", optarg);
			break;
		case OPT_ALL:
			f.limit = 0;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr jobs [OPTION...]\n"
			    "List jobs, oldest first: the newest 50 unless "
			    "--limit or --all.\n\n"
			    "      --state STATE   queued, running, paused, "
			    "done, failed, cancelled,\n"
			    "                      interrupted\n"
			    "      --kind KIND     jobs of KIND; 'storage' also "
			    "matches storage.*\n"
			    "      --limit N       the newest N\n"
			    "      --all           every job\n"
			    "      --json          print one JSON document (keys "
			    "in mcr(1))\n%s%s", no_daemon_help,
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0 || (rc = cmd_daemon_ensure(ctx)) != 0)
		return rc;
	if (json)
		array = json_array();
	else
		printf("%6s  %-11s %-18s %4s  %-10s %4s  %-12s %-7s %-8s %s\n",
		    "ID", "STATE", "KIND", "PRIO", "PROGRESS", "", "RATE", "ETA",
		    "BY", "SUBJECT");
	if (shiftlog_jobs(ctx->sl, &f, print_job_row, array) < 0) {
		json_decref(array);
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	}
	if (json)
		return cmd_json_print(json_pack("{s:s, s:o}", "shift_log",
		    ctx->sl_path, "jobs", array));
	return fflush(stdout) == 0 ? CMD_EXIT_OK :
	    cmd_error("cannot write to standard output");
}

/* --- mcr job ACTION ID --- */

static int
show_job(const struct shiftlog_job *j, void *arg)
{
	json_t **out = arg;

	*out = job_json(j);
	return 0;
}

static int
print_log_file(const char *path, int64_t id)
{
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return cmd_error("job %lld has no log at %s (%s); it has not "
		    "run yet, or ran under another shift log", (long long)id,
		    path, strerror(errno));
	while ((n = read(fd, buf, sizeof buf)) > 0) {
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			break;
	}
	close(fd);
	return fflush(stdout) == 0 ? CMD_EXIT_OK :
	    cmd_error("cannot write to standard output");
}

static void
job_help(void)
{
	printf("Usage: mcr job show|log|cancel|pause|resume|retry ID\n"
	    "       mcr job priority ID N   (N < 0: mcr job priority ID -- N)\n"
	    "Look at one job, or ask mcrd to act on it. cancel stops a running "
	    "job\n(SIGTERM, then SIGKILL after [mcrd] grace); pause and resume "
	    "stop and\ncontinue its worker; retry queues a failed, cancelled or "
	    "interrupted job again.\n\n"
	    "      --json          show: print one JSON document\n"
	    "      --wait          cancel, retry: follow the job to its end\n"
	    "%s%s", no_daemon_help, cmd_common_help);
}

int
cmd_job(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const char *const actions[] = { "show", "log", "cancel",
	    "pause", "resume", "retry", "priority", NULL };
	struct shiftlog_job_filter f = { 0 };
	const char *action;
	json_t *job = NULL;
	bool json = false, wait = false;
	int64_t id, prio = 0, req = 0;
	char *end, *path;
	int rc, i;

	/* Options may sit among the words; a negative priority goes after
	 * "--". Parsed by hand: getopt would take "-5" for an option. */
	{
		char *words[4];
		int nw = 0;
		bool rest = false;

		for (i = 1; i < argc; i++) {
			const char *a = argv[i];

			if (!rest && strcmp(a, "--") == 0) {
				rest = true;
				continue;
			}
			if (!rest && a[0] == '-' && a[1] != '\0' &&
			    !(a[1] >= '0' && a[1] <= '9')) {
				if (strcmp(a, "--json") == 0)
					json = true;
				else if (strcmp(a, "--wait") == 0)
					wait = true;
				else if (strcmp(a, "--no-daemon") == 0)
					ctx->no_daemon = true;
				else if (strcmp(a, "--read-only") == 0)
					ctx->read_only = true;
				else if ((strcmp(a, "--db") == 0 ||
				    strcmp(a, "--config") == 0) &&
				    i + 1 < argc) {
					if (a[2] == 'd')
						ctx->db_path = argv[++i];
					else
						ctx->config_path = argv[++i];
				} else if (strncmp(a, "--db=", 5) == 0)
					ctx->db_path = a + 5;
				else if (strncmp(a, "--config=", 9) == 0)
					ctx->config_path = a + 9;
				else if (strcmp(a, "-h") == 0 ||
				    strcmp(a, "--help") == 0) {
					job_help();
					return CMD_EXIT_OK;
				} else
					return cmd_usage_error(ctx, "'%s' is not "
					    "an option of this verb, or it needs "
					    "a value", a);
				continue;
			}
			if (nw < 4)
				words[nw] = argv[i];
			nw++;
		}
		if (nw < 2)
			return cmd_usage_error(ctx, "give an action and a job "
			    "number, as in 'mcr job show 12'");
		action = words[0];
		for (i = 0; actions[i] != NULL; i++) {
			if (strcmp(action, actions[i]) == 0)
				break;
		}
		if (actions[i] == NULL)
			return cmd_usage_error(ctx, "'%s' is not an action; use "
			    "show, log, cancel, pause, resume, retry or "
			    "priority", action);
		id = strtoll(words[1], &end, 10);
		if (*end != '\0' || id <= 0)
			return cmd_usage_error(ctx, "'%s' is not a job number",
			    words[1]);
		if (strcmp(action, "priority") == 0) {
			if (nw != 3)
				return cmd_usage_error(ctx, "give the new "
				    "priority, as in 'mcr job priority 12 5'");
			prio = strtoll(words[2], &end, 10);
			if (*end != '\0' || words[2][0] == '\0' ||
			    prio < -1000 || prio > 1000)
				return cmd_usage_error(ctx, "'%s' is not a "
				    "priority from -1000 to 1000", words[2]);
		} else if (nw != 2)
			return cmd_usage_error(ctx, "unexpected argument '%s'",
			    words[2]);
	}
	ctx->verb = "job";
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	f.id = id;
	if (shiftlog_jobs(ctx->sl, &f, show_job, &job) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (job == NULL)
		return cmd_error("there is no job %lld in %s; 'mcr jobs' lists "
		    "them", (long long)id, ctx->sl_path);

	if (strcmp(action, "show") == 0) {
		if (json)
			return cmd_json_print(job);
		{
			const char *key;
			json_t *v;

			json_object_foreach(job, key, v) {
				char *s = json_is_string(v) ?
				    xstrdup(json_string_value(v)) :
				    json_dumps(v, JSON_COMPACT |
				    JSON_ENCODE_ANY);

				printf("%-17s ", key);
				cmd_print_safe(stdout, s);
				putchar('\n');
				free(s);
			}
		}
		json_decref(job);
		return fflush(stdout) == 0 ? CMD_EXIT_OK : CMD_EXIT_ERROR;
	}
	if (strcmp(action, "log") == 0) {
		json_decref(job);
		path = xasprintf("%s.jobs/%lld.log", ctx->sl_path,
		    (long long)id);
		rc = print_log_file(path, id);
		free(path);
		return rc;
	}

	{
		const char *state = json_string_value(json_object_get(job,
		    "state"));
		bool ended = final_state(state);
		const char *refuse = NULL;

		if (strcmp(action, "cancel") == 0 && ended)
			refuse = "it has already ended";
		else if (strcmp(action, "pause") == 0 &&
		    strcmp(state, "running") != 0)
			refuse = "only a running job can be paused";
		else if (strcmp(action, "resume") == 0 &&
		    strcmp(state, "paused") != 0)
			refuse = "only a paused job can be resumed";
		else if (strcmp(action, "retry") == 0 &&
		    (!ended || strcmp(state, "done") == 0))
			refuse = "only a failed, cancelled or interrupted job "
			    "can be retried";
		else if (strcmp(action, "priority") == 0 && ended)
			refuse = "it has already ended";
		if (refuse != NULL) {
			rc = cmd_error("cannot %s job %lld, which is %s: %s",
			    strcmp(action, "priority") == 0 ?
			    "change the priority of" : action, (long long)id,
			    state, refuse);
			json_decref(job);
			return rc;
		}
	}
	json_decref(job);
	if (ctx->read_only)
		return cmd_error("cannot %s job %lld: the shift log is open "
		    "read-only", action, (long long)id);
	if (shiftlog_job_request(ctx->sl, id, action, prio, &req) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	printf("%s requested for job %lld\n", action, (long long)id);
	fflush(stdout);
	if ((rc = cmd_daemon_ensure(ctx)) != 0)
		return rc;
	return wait ? cmd_wait_job(ctx, id, req, false) : CMD_EXIT_OK;
}

/* --- mcr plugins --- */

int
cmd_plugins(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	const struct mcr_kind *k;
	const struct mcr_param *p;
	json_t *doc = NULL, *list = NULL, *errors = NULL;
	bool json = false;
	char *dir;
	size_t i;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr plugins [--json]\n"
			    "List the plugins mcrd would load, their job kinds "
			    "and parameters, and\nany plugin it refuses, with "
			    "why.\n\n"
			    "      --json          print one JSON document\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	dir = paths_plugin_dir();
	if (json) {
		list = json_array();
		errors = json_array();
	} else
		printf("plugin folder %s\n", dir);
	for (i = 0; i < ctx->plugins->n; i++) {
		const struct mcr_plugin *d = &ctx->plugins->v[i]->desc;
		json_t *kinds = json ? json_array() : NULL;

		if (!json)
			printf("\n%s %s — %s\n", d->name, d->version ? d->version
			    : "", d->summary ? d->summary : "");
		for (k = d->kinds; k->name != NULL; k++) {
			json_t *params = json ? json_array() : NULL;

			if (!json)
				printf("  %-22s %s%s\n", k->name, k->summary ?
				    k->summary : "", k->retry_safe ?
				    " (retried after a crash)" : "");
			for (p = k->params; p != NULL && p->name != NULL; p++) {
				if (json)
					json_array_append_new(params,
					    json_pack("{s:s, s:s, s:b}", "name",
					    p->name, "help", p->help ? p->help :
					    "", "required", p->required));
				else
					printf("      %s=%-14s %s%s\n", p->name,
					    "", p->help ? p->help : "",
					    p->required ? " (required)" : "");
			}
			if (json)
				json_array_append_new(kinds, json_pack("{s:s, "
				    "s:s, s:b, s:o}", "name", k->name, "summary",
				    k->summary ? k->summary : "", "retry_safe",
				    k->retry_safe, "params", params));
		}
		if (json)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s, "
			    "s:s, s:o}", "name", d->name, "version",
			    d->version ? d->version : "", "summary",
			    d->summary ? d->summary : "", "path",
			    ctx->plugins->v[i]->path, "kinds", kinds));
	}
	for (i = 0; i < ctx->plugins->nerrors; i++) {
		if (json)
			json_array_append_new(errors,
			    json_string(ctx->plugins->errors[i]));
		else
			printf("\n%s\n", ctx->plugins->errors[i]);
	}
	if (json) {
		doc = json_pack("{s:s, s:o, s:o}", "plugin_dir", dir, "plugins",
		    list, "refused", errors);
		free(dir);
		return cmd_json_print(doc);
	}
	if (ctx->plugins->n == 0)
		printf("no plugins loaded\n");
	free(dir);
	return fflush(stdout) == 0 ? CMD_EXIT_OK : CMD_EXIT_ERROR;
}

/* --- mcr daemon --- */

int
cmd_daemon(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "foreground", no_argument, NULL, 'f' },
		CMD_COMMON_OPTIONS
	};
	struct daemon_opts o = { 0 };
	char *path, *cfgpath = NULL;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "fh", longopts)) != -1) {
		switch (c) {
		case 'f':
			o.foreground = true;
			break;
		case 'h':
			printf("Usage: mcr daemon [-f]\n"
			    "Run mcrd for the shift log: in the background "
			    "(its log beside the shift log,\nSHIFTLOG.mcrd.log), "
			    "or with -f in the foreground, logging to stderr.\n"
			    "SIGTERM stops it gracefully, SIGHUP reloads the "
			    "config. mcr verbs start it\nwhen needed; see "
			    "mcrd(8).\n\n"
			    "  -f, --foreground    stay in the foreground\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (ctx->read_only)
		return cmd_error("mcrd writes the shift log; it cannot run "
		    "with --read-only");
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	if (ctx->db_path != NULL)
		path = xstrdup(ctx->db_path);
	else {
		path = config_shiftlog_path(ctx->cfg);
		o.create_dir = ctx->cfg->shiftlog_path == NULL;
	}
	if (o.create_dir) {
		char *dir = paths_dirname(path);

		paths_mkdir_p(dir);
		free(dir);
	}
	/* mcrd works from "/": relative paths are made absolute here. */
	if (path[0] != '/') {
		char cwd[4096], *abs;

		if (getcwd(cwd, sizeof cwd) != NULL) {
			abs = xasprintf("%s/%s", cwd, path);
			free(path);
			path = abs;
		}
	}
	if (ctx->config_path != NULL && ctx->config_path[0] != '/') {
		char cwd[4096];

		if (getcwd(cwd, sizeof cwd) != NULL)
			cfgpath = xasprintf("%s/%s", cwd, ctx->config_path);
	}
	o.db_path = path;
	o.config_path = cfgpath != NULL ? cfgpath : ctx->config_path;
	/* The daemon loads its own config and plugins. */
	cmd_ctx_free(ctx);
	rc = daemon_main(&o);
	free(path);
	free(cfgpath);
	return rc;
}
