/*
 * The QC verbs: mcr qc FILE runs the qc plugin's qc.check in this process
 * (clihost.c), files the report in the shift log and prints it, exiting 0
 * on pass, 1 on fail, 2 on error; --queue hands the same check to mcrd
 * (through mcr submit). mcr qc specs lists the delivery specs; qc except,
 * grade, show and list work on stored reports. mcr monitor queues a
 * long-lived qc.monitor job.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clihost.h"
#include "cmd.h"
#include "config.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"
#include "../plugins/qc/report.h"
#include "../plugins/qc/spec.h"

/* [qc] specs, else $MCR_SPECS, else the installed folder: the order the
 * plugin uses under mcrd. */
static const char *
specs_dir(const struct cmd_ctx *ctx)
{
	const char *env = getenv("MCR_SPECS");
	const char *d = env != NULL && *env != '\0' ? env :
	    SYSCONFDIR "/mcr/specs";
	size_t i;

	for (i = 0; i < ctx->cfg->nentries; i++) {
		if (strcmp(ctx->cfg->entries[i].section, "qc") == 0 &&
		    strcmp(ctx->cfg->entries[i].key, "specs") == 0)
			d = ctx->cfg->entries[i].value;
	}
	return d;
}

static const char *
default_spec(const struct cmd_ctx *ctx)
{
	const char *d = "ebu-r128-hd";
	size_t i;

	for (i = 0; i < ctx->cfg->nentries; i++) {
		if (strcmp(ctx->cfg->entries[i].section, "qc") == 0 &&
		    strcmp(ctx->cfg->entries[i].key, "spec") == 0)
			d = ctx->cfg->entries[i].value;
	}
	return d;
}

static char *
absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || strstr(path, "://") != NULL ||
	    getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v <= 0)
		return -1;
	*id = v;
	return 0;
}

/* --- mcr qc specs --- */

struct list_ctx {
	json_t *array;
	int bad;
};

static void
list_one(const char *file, const struct qc_spec *spec, const char *error,
    void *arg)
{
	struct list_ctx *l = arg;

	if (l->array != NULL) {
		json_array_append_new(l->array, spec != NULL ?
		    json_pack("{s:s, s:s, s:s, s:s?, s:n}", "name", spec->name,
		    "title", spec->title, "path", file, "extends",
		    spec->extends, "error") : json_pack("{s:n, s:n, s:s, s:n,"
		    " s:s}", "name", "title", "path", file, "extends", "error",
		    error));
		return;
	}
	if (spec != NULL)
		printf("%-14s %s%s%s%s\n", spec->name, spec->title,
		    spec->extends != NULL ? " (extends " : "",
		    spec->extends != NULL ? spec->extends : "",
		    spec->extends != NULL ? ")" : "");
	if (error != NULL)
		fprintf(stderr, "mcr qc specs: %s\n", error);
}

static int
qc_specs(struct cmd_ctx *ctx, bool json)
{
	struct list_ctx l = { json ? json_array() : NULL, 0 };
	char err[640];
	int bad;

	if (cmd_config(ctx) != 0)
		return CMD_EXIT_ERROR;
	fflush(stdout);
	bad = qc_spec_list(specs_dir(ctx), list_one, &l, err, sizeof err);
	if (bad < 0) {
		json_decref(l.array);
		return cmd_error("%s", err);
	}
	if (json && cmd_json_print(l.array) != 0)
		return CMD_EXIT_ERROR;
	return bad > 0 ? CMD_EXIT_ERROR : CMD_EXIT_OK;
}

/* --- stored reports --- */

static int
show_report(struct cmd_ctx *ctx, int64_t id, const char *out, bool json)
{
	json_t *rep;
	char *txt, err[640];

	if (cmd_shiftlog(ctx) != 0)
		return CMD_EXIT_ERROR;
	if (shiftlog_qc_report_get(ctx->sl, id, &txt) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	rep = json_loads(txt, 0, NULL);
	free(txt);
	if (rep == NULL)
		return cmd_error("QC report %lld in the shift log is not JSON",
		    (long long)id);
	if (out != NULL && qc_report_write(rep, out, err, sizeof err) < 0) {
		json_decref(rep);
		return cmd_error("%s", err);
	}
	if (json)
		return cmd_json_print(rep);
	if (out == NULL)
		qc_report_text(stdout, rep);
	json_decref(rep);
	return CMD_EXIT_OK;
}

static int
list_row(const struct shiftlog_qc_report *r, void *arg)
{
	json_t *a = arg;
	char when[40];

	when_format(r->time, false, when, sizeof when);
	if (a != NULL) {
		json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:s, "
		    "s:I, s:I, s:I, s:o}", "id", (json_int_t)r->id, "time", when,
		    "file", r->file, "spec", r->spec, "verdict", r->verdict,
		    "fails", (json_int_t)r->fails, "warns", (json_int_t)r->warns,
		    "excepted", (json_int_t)r->excepted, "grade", r->grade > 0 ?
		    json_integer(r->grade) : json_null()));
		return 0;
	}
	printf("%5lld  %-19s %-5s %3lld fail %3lld warn %3lld exc  %s  %-16s ",
	    (long long)r->id, when, r->verdict, (long long)r->fails,
	    (long long)r->warns, (long long)r->excepted, r->grade > 0 ?
	    (char[]){ (char)('0' + r->grade), '/', '5', '\0' } : "  -",
	    r->spec);
	cmd_print_safe(stdout, r->file);
	putchar('\n');
	return 0;
}

/* --- mcr qc FILE --- */

static int
run_here(struct cmd_ctx *ctx, const char *file, const char *spec_name,
    const char *reports, bool json, bool quiet, bool no_log)
{
	const struct mcr_kind *k;
	struct qc_spec *spec = NULL;
	struct mcr_job *job;
	json_t *params = json_object(), *recs, *rep;
	char err[640], *exc = NULL;
	int rc = CMD_EXIT_ERROR, run;
	int64_t id = 0;

	if (qc_spec_load(specs_dir(ctx), spec_name, &spec, err,
	    sizeof err) < 0) {
		cmd_error("%s", err);
		goto out;
	}
	k = plugin_find_kind(ctx->plugins, "qc.check", NULL);
	if (k == NULL) {
		cmd_error("the qc plugin is not installed (no job kind "
		    "qc.check); 'mcr plugins' lists what is");
		goto out;
	}
	if (!no_log && !ctx->read_only) {
		if (cmd_shiftlog(ctx) != 0)
			goto out;
		if (shiftlog_qc_exceptions(ctx->sl, spec->name, &exc) < 0) {
			cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
	}
	json_object_set_new(params, "file", json_string(file));
	json_object_set_new(params, "spec", json_string(spec->path));
	if (reports != NULL)
		json_object_set_new(params, "report", json_string(reports));
	if (exc != NULL)
		json_object_set_new(params, "exceptions", json_string(exc));
	job = clihost_new("qc.check", params, ctx->cfg, ctx->sl, 0,
	    quiet ? CLIHOST_QUIET : 0);
	clihost_keep(job, "qc.report");
	run = clihost_run(job, k);
	if (run == MCR_JOB_CANCELLED) {
		cmd_error("qc of %s stopped before the end; no report was "
		    "filed", file);
		clihost_free(job);
		goto out;
	}
	recs = clihost_records(job, "qc.report");
	if (run != MCR_JOB_DONE || json_array_size(recs) != 1) {
		cmd_error("%s", clihost_error(job) != NULL ? clihost_error(job) :
		    "the qc plugin made no report");
		clihost_free(job);
		goto out;
	}
	rep = json_incref(json_array_get(recs, 0));
	clihost_free(job);
	if (ctx->sl != NULL) {
		char *txt = json_dumps(rep, JSON_COMPACT |
		    JSON_REAL_PRECISION(7));

		if (shiftlog_qc_report_file(ctx->sl, 0, txt, &id) < 0) {
			free(txt);
			json_decref(rep);
			cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		free(txt);
		json_object_set_new(rep, "id", json_integer(id));
	}
	rc = strcmp(json_string_value(json_object_get(rep, "verdict")),
	    "fail") == 0 ? CMD_EXIT_CHECK_FAILED : CMD_EXIT_OK;
	if (json) {
		if (cmd_json_print(rep) != 0)
			rc = CMD_EXIT_ERROR;
	} else {
		qc_report_text(stdout, rep);
		if (id > 0)
			printf("\nreport %lld in the shift log (mcr qc show "
			    "%lld)\n", (long long)id, (long long)id);
		json_decref(rep);
	}
out:
	free(exc);
	json_decref(params);
	qc_spec_free(spec);
	return rc;
}

static int
queue(struct cmd_ctx *ctx, const char *file, const char *spec_name,
    const char *reports, bool json, bool wait)
{
	struct qc_spec *spec = NULL;
	char err[640], *exc = NULL, *args[12];
	int n = 0, rc, i;

	if (qc_spec_load(specs_dir(ctx), spec_name, &spec, err,
	    sizeof err) < 0)
		return cmd_error("%s", err);
	if (cmd_shiftlog(ctx) != 0 ||
	    shiftlog_qc_exceptions(ctx->sl, spec->name, &exc) < 0) {
		qc_spec_free(spec);
		return ctx->sl != NULL ? cmd_error("%s",
		    shiftlog_errmsg(ctx->sl)) : CMD_EXIT_ERROR;
	}
	args[n++] = xstrdup("submit");
	args[n++] = xstrdup("qc.check");
	{
		char *abs = absolute(file);

		args[n++] = xasprintf("file=%s", abs);
		free(abs);
	}
	args[n++] = xasprintf("spec=%s", spec->path);
	if (reports != NULL) {
		char *copy = xstrdup(reports), *p, *save = NULL;
		char *joined = xstrdup("");

		for (p = strtok_r(copy, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save)) {
			char *abs = absolute(p), *j;

			j = xasprintf("%s%s%s", joined, *joined ? "," : "",
			    abs);
			free(joined);
			free(abs);
			joined = j;
		}
		args[n++] = xasprintf("report=%s", joined);
		free(joined);
		free(copy);
	}
	if (exc != NULL && strcmp(exc, "[]") != 0)
		args[n++] = xasprintf("exceptions=%s", exc);
	args[n++] = xasprintf("--subject=%s", file);
	if (wait)
		args[n++] = xstrdup("--wait");
	if (json)
		args[n++] = xstrdup("--json");
	args[n] = NULL;
	optind = 0;
	rc = cmd_submit(ctx, n, args);
	for (i = 0; i < n; i++)
		free(args[i]);
	free(exc);
	qc_spec_free(spec);
	return rc;
}

static const char qc_help[] =
    "Usage: mcr qc FILE [--spec NAME] [--report OUT.html|.json|.txt]... "
    "[--json]\n"
    "       mcr qc --queue FILE [--spec NAME] [--report OUT] [--wait]\n"
    "       mcr qc specs [--json]\n"
    "       mcr qc list [--json]\n"
    "       mcr qc show REPORT [--report OUT] [--json]\n"
    "       mcr qc except REPORT FINDING --approved-by NAME --reason TEXT\n"
    "       mcr qc grade REPORT 1-5 [--comment TEXT]\n"
    "Check a file against a delivery spec in one decode pass: loudness, "
    "true peak,\nblack, freeze, silence, levels, flashes and the file's "
    "format. Exits 0 on\npass, 1 on fail, 2 on error. The report is filed "
    "in the shift log.\n\n"
    "      --spec NAME       a spec in the specs folder, or an .ini path\n"
    "      --report OUT      also write the report (html, json or txt); "
    "repeatable\n"
    "      --json            print the report as JSON (schema "
    "mcr.qc.report/1)\n"
    "      --queue           run it as a job under mcrd (live meters in the "
    "console)\n"
    "      --wait            with --queue: follow the job to its end\n"
    "      --quiet           no progress on stderr\n"
    "      --no-log          do not file the report in the shift log\n"
    "      --approved-by NAME  qc except: the client contact who approved\n"
    "      --reason TEXT     qc except: why, and its scope\n"
    "      --comment TEXT    qc grade: the operator's comment\n";

int
cmd_qc(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SPEC = CMD_OPT_VERB, OPT_REPORT, OPT_QUEUE, OPT_WAIT,
		OPT_QUIET, OPT_NO_LOG, OPT_APPROVED, OPT_REASON, OPT_COMMENT };
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "queue", no_argument, NULL, OPT_QUEUE },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "approved-by", required_argument, NULL, OPT_APPROVED },
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "comment", required_argument, NULL, OPT_COMMENT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const char *spec = NULL, *approved = NULL, *reason = NULL;
	const char *comment = NULL, *sub;
	char *reports = NULL, err[640];
	bool json = false, q = false, wait = false, quiet = false;
	bool no_log = false;
	int c, rc = CMD_EXIT_ERROR, nargs;
	int64_t id, n;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SPEC:
			spec = optarg;
			break;
		case OPT_REPORT:
			if (qc_report_format(optarg) == NULL) {
				rc = cmd_usage_error(ctx, "--report %s: name it "
				    ".html, .json or .txt", optarg);
				goto out;
			}
			if (strchr(optarg, ',') != NULL) {
				rc = cmd_usage_error(ctx, "--report %s: a "
				    "report path cannot hold a comma", optarg);
				goto out;
			}
			{
				char *r = xasprintf("%s%s%s", reports != NULL ?
				    reports : "", reports != NULL ? "," : "",
				    optarg);

				free(reports);
				reports = r;
			}
			break;
		case OPT_QUEUE:
			q = true;
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_QUIET:
			quiet = true;
			break;
		case OPT_NO_LOG:
			no_log = true;
			break;
		case OPT_APPROVED:
			approved = optarg;
			break;
		case OPT_REASON:
			reason = optarg;
			break;
		case OPT_COMMENT:
			comment = optarg;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("%s%s", qc_help, cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	nargs = argc - optind;
	if (nargs < 1) {
		rc = cmd_usage_error(ctx, "give the file to check, or specs, "
		    "list, show, except or grade");
		goto out;
	}
	sub = argv[optind];
	if (strcmp(sub, "specs") == 0 && nargs == 1 && access(sub, F_OK) != 0) {
		rc = qc_specs(ctx, json);
	} else if (strcmp(sub, "list") == 0 && nargs == 1 &&
	    access(sub, F_OK) != 0) {
		json_t *a = json ? json_array() : NULL;

		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			goto out;
		if (shiftlog_qc_reports(ctx->sl, 50, list_row, a) < 0) {
			json_decref(a);
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		rc = json ? cmd_json_print(a) : CMD_EXIT_OK;
	} else if (strcmp(sub, "show") == 0 && access(sub, F_OK) != 0) {
		if (nargs != 2 || parse_id(argv[optind + 1], &id) < 0) {
			rc = cmd_usage_error(ctx, "qc show takes one report "
			    "number");
			goto out;
		}
		ctx->only_existing = true;
		rc = show_report(ctx, id, reports, json);
	} else if (strcmp(sub, "except") == 0 && access(sub, F_OK) != 0) {
		if (nargs != 3 || parse_id(argv[optind + 1], &id) < 0 ||
		    parse_id(argv[optind + 2], &n) < 0) {
			rc = cmd_usage_error(ctx, "qc except takes a report "
			    "number and a finding number");
			goto out;
		}
		if (approved == NULL || reason == NULL || *approved == '\0' ||
		    *reason == '\0' || !strutil_utf8_valid(approved,
		    strlen(approved)) || !strutil_utf8_valid(reason,
		    strlen(reason))) {
			rc = cmd_usage_error(ctx, "qc except needs "
			    "--approved-by NAME and --reason TEXT");
			goto out;
		}
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			goto out;
		if (shiftlog_qc_except(ctx->sl, id, n, approved, reason,
		    &id) < 0) {
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		if (json)
			rc = cmd_json_print(json_pack("{s:I}", "id",
			    (json_int_t)id));
		else
			printf("exception %lld recorded; a re-run on the same "
			    "content and spec carries it over\n",
			    (long long)id);
	} else if (strcmp(sub, "grade") == 0 && access(sub, F_OK) != 0) {
		if (nargs != 3 || parse_id(argv[optind + 1], &id) < 0 ||
		    parse_id(argv[optind + 2], &n) < 0 || n > 5) {
			rc = cmd_usage_error(ctx, "qc grade takes a report "
			    "number and a grade from 1 (bad) to 5 (excellent)");
			goto out;
		}
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			goto out;
		if (shiftlog_qc_grade(ctx->sl, id, (int)n, comment) < 0) {
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		printf("QC report %lld graded %lld/5\n", (long long)id,
		    (long long)n);
		rc = CMD_EXIT_OK;
	} else {
		if (nargs != 1) {
			rc = cmd_usage_error(ctx, "give one file to check");
			goto out;
		}
		ctx->need_plugins = true;
		if ((rc = cmd_config(ctx)) != 0)
			goto out;
		if (spec == NULL)
			spec = default_spec(ctx);
		if (strstr(sub, "://") == NULL && access(sub, R_OK) != 0) {
			snprintf(err, sizeof err, "%s", strerror(errno));
			rc = cmd_error("cannot read %s: %s; check the path", sub,
			    err);
			goto out;
		}
		rc = q ? queue(ctx, sub, spec, reports, json, wait) :
		    run_here(ctx, sub, spec, reports, json, quiet, no_log);
	}
out:
	free(reports);
	return rc;
}

/* --- mcr monitor --- */

int
cmd_monitor(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SPEC = CMD_OPT_VERB, OPT_DURATION, OPT_WAIT, OPT_REALTIME };
	static const struct option longopts[] = {
		{ "spec", required_argument, NULL, OPT_SPEC },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "no-realtime", no_argument, NULL, OPT_REALTIME },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const char *spec = NULL, *duration = NULL;
	struct qc_spec *s = NULL;
	bool json = false, wait = false, realtime = true;
	char *args[12], err[640], *end;
	int c, n = 0, rc, i;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SPEC:
			spec = optarg;
			break;
		case OPT_DURATION:
			if (!(strtod(optarg, &end) > 0) || *end != '\0')
				return cmd_usage_error(ctx, "--duration '%s' is "
				    "not a number of seconds", optarg);
			duration = optarg;
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_REALTIME:
			realtime = false;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr monitor INPUT [--spec NAME] "
			    "[--duration SECONDS] [--wait]\n"
			    "Watch a file (played in real time) or a stream "
			    "(udp://, srt://, rtp://, ...)\nas a long-lived "
			    "job: live loudness meters in the console, and "
			    "alarms for\nsilence, loudness out of range, true-"
			    "peak overs, black and freeze, each\nopening an "
			    "incident once and closing it when clear.\n\n"
			    "      --spec NAME       [loudness] target and "
			    "[monitor] alarm limits\n"
			    "      --duration S      stop after S seconds "
			    "(default: until cancelled or the end)\n"
			    "      --no-realtime     read a file as fast as it "
			    "decodes\n"
			    "      --wait            follow the job to its end\n"
			    "      --json            print {\"id\": N}\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, "give one input: a file or a "
		    "stream URL");
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	if (qc_spec_load(specs_dir(ctx), spec != NULL ? spec :
	    default_spec(ctx), &s, err, sizeof err) < 0)
		return cmd_error("%s", err);
	{
		char *abs = absolute(argv[optind]);

		args[n++] = xstrdup("submit");
		args[n++] = xstrdup("qc.monitor");
		args[n++] = xasprintf("input=%s", abs);
		args[n++] = xasprintf("spec=%s", s->path);
		args[n++] = xasprintf("--subject=%s", argv[optind]);
		free(abs);
	}
	qc_spec_free(s);
	if (duration != NULL)
		args[n++] = xasprintf("duration=%s", duration);
	if (!realtime)
		args[n++] = xstrdup("realtime=no");
	if (wait)
		args[n++] = xstrdup("--wait");
	if (json)
		args[n++] = xstrdup("--json");
	args[n] = NULL;
	optind = 0;
	rc = cmd_submit(ctx, n, args);
	for (i = 0; i < n; i++)
		free(args[i]);
	return rc;
}
