/*
 * mcr transcode and mcr profiles. Both run the transcode plugin's kinds:
 * `profiles` runs transcode.profiles in-process (the plugin knows which
 * encoders this FFmpeg has; mcr itself never links FFmpeg), and
 * `transcode` runs transcode.check in-process, so that a bad profile,
 * LUT or option is refused before anything is queued, then queues
 * transcode.run for mcrd with absolute paths (mcrd works from /), and,
 * with --qc, a qc.check job on the output that depends on it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "host.h"
#include "paths.h"
#include "plugin.h"
#include "proto.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

/* Runs kind in this process through the worker host, its reports into a
 * temporary file; returns 0 with the result's data (a new reference), or
 * -1 with the job's one sentence in err. */
static int
run_here(struct cmd_ctx *ctx, const char *kind, json_t *params,
    json_t **data, char *err, size_t errlen)
{
	const struct mcr_kind *k = plugin_find_kind(ctx->plugins, kind, NULL);
	volatile sig_atomic_t cancel = 0;
	struct mcr_job *job;
	json_t *state = json_object(), *body;
	char *line = NULL, perr[256];
	size_t cap = 0;
	enum proto_type type;
	int ret = -1;
	FILE *f;

	*data = NULL;
	if (k == NULL) {
		strutil_format(err, errlen, "no plugin runs %s; is the "
		    "transcode plugin in the plugin folder? ('mcr plugins' "
		    "lists what loaded)", kind);
		json_decref(state);
		return -1;
	}
	if ((f = tmpfile()) == NULL) {
		strutil_format(err, errlen, "cannot make a temporary file: %s",
		    strerror(errno));
		json_decref(state);
		return -1;
	}
	job = host_job_new(0, kind, params, state, ctx->cfg, f, &cancel);
	host_job_finish(job, k->run(job, host_table()));
	host_job_free(job);
	json_decref(state);
	rewind(f);
	strutil_format(err, errlen, "%s ended without a result", kind);
	while (getline(&line, &cap, f) > 0) {
		strutil_rtrim(line);
		if (proto_parse(line, &type, &body, perr, sizeof perr) < 0)
			continue;
		if (type != PROTO_RESULT) {
			json_decref(body);
			continue;
		}
		if (strcmp(json_string_value(json_object_get(body, "status")) ?
		    json_string_value(json_object_get(body, "status")) : "",
		    "done") == 0) {
			*data = json_incref(json_object_get(body, "data"));
			ret = 0;
		} else {
			const char *m = json_string_value(json_object_get(body,
			    "message"));

			strutil_copy(err, m != NULL ? m : "failed", errlen);
		}
		json_decref(body);
	}
	free(line);
	fclose(f);
	return ret;
}

/* --- mcr profiles --- */

static const char *
jstr(json_t *o, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : dflt;
}

/* The verdict of a finished qc.check job, from its result. */
struct qc_outcome {
	char verdict[16];
	char spec[128];
	long long fails, warns;
};

static int
take_qc(const struct shiftlog_job *j, void *arg)
{
	struct qc_outcome *q = arg;
	json_t *r = j->result != NULL ? json_loads(j->result, 0, NULL) : NULL;
	json_t *c = json_object_get(r, "counts");

	strutil_copy(q->verdict, jstr(r, "verdict", ""), sizeof q->verdict);
	strutil_copy(q->spec, jstr(r, "spec", ""), sizeof q->spec);
	q->fails = (long long)json_integer_value(json_object_get(c, "fail"));
	q->warns = (long long)json_integer_value(json_object_get(c, "warn"));
	json_decref(r);
	return 0;
}

/* After a done qc.check job: 0 when its verdict is pass or warn, 1 (and
 * a line on stderr unless quiet) when it is fail. */
static int
qc_verdict(struct cmd_ctx *ctx, int64_t qcid, const char *output, bool quiet)
{
	struct shiftlog_job_filter f = { .id = qcid };
	struct qc_outcome q = { .verdict = "" };

	if (shiftlog_jobs(ctx->sl, &f, take_qc, &q) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (strcmp(q.verdict, "fail") != 0)
		return CMD_EXIT_OK;
	if (!quiet)
		fprintf(stderr, "mcr transcode: %s fails QC against %s (%lld "
		    "failures, %lld warnings); see 'mcr job show %lld'\n",
		    output, q.spec, q.fails, q.warns, (long long)qcid);
	return CMD_EXIT_CHECK_FAILED;
}

int
cmd_profiles(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	json_t *params = json_object(), *data = NULL, *p;
	bool json = false;
	char err[1024];
	size_t i;
	int c, rc = CMD_EXIT_ERROR;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr profiles [NAME] [--json]\n"
			    "List the transcode profiles ([transcode] profiles "
			    "in mcr.ini) and say which this\nFFmpeg cannot "
			    "encode, and why.\n\n"
			    "      --json          print them as JSON\n%s",
			    cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (optind < argc)
		json_object_set_new(params, "name", json_string(argv[optind++]));
	if (optind < argc) {
		rc = cmd_usage_error(ctx, "give at most one profile name");
		goto out;
	}
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	if (run_here(ctx, "transcode.profiles", params, &data, err,
	    sizeof err) < 0) {
		cmd_error("%s", err);
		goto out;
	}
	if (json) {
		rc = cmd_json_print(json_incref(data));
		goto out;
	}
	printf("profiles in %s\n", jstr(data, "folder", "?"));
	json_array_foreach(json_object_get(data, "profiles"), i, p) {
		json_t *loud = json_object_get(p, "loudness");
		int tracks = (int)json_integer_value(json_object_get(p,
		    "tracks"));

		printf("\n%-16s %s\n", jstr(p, "name", "?"),
		    jstr(p, "description", ""));
		if (json_object_get(p, "container") == NULL) {
			printf("  unreadable: %s\n", jstr(p, "why", "?"));
			continue;
		}
		printf("  %s", jstr(p, "container", "?"));
		if (json_is_string(json_object_get(p, "video_codec")))
			printf(", %s %s, %s at %s, %s",
			    jstr(p, "video_codec", "?"), jstr(p, "pix_fmt", "?"),
			    jstr(p, "size", "?"), jstr(p, "rate", "?"),
			    jstr(p, "scan", "?"));
		if (json_is_string(json_object_get(p, "audio_codec")))
			printf(", %s %s%s%.0d", jstr(p, "audio_codec", "?"),
			    jstr(p, "audio", "?"),
			    strcmp(jstr(p, "audio", ""), "stereo") != 0 ?
			    " x" : "", strcmp(jstr(p, "audio", ""),
			    "stereo") != 0 ? tracks : 0);
		if (loud != NULL)
			printf(", %.1f LUFS (%s)", json_real_value(
			    json_object_get(loud, "target")),
			    jstr(loud, "mode", "?"));
		printf("\n");
		if (!json_is_true(json_object_get(p, "available")))
			printf("  NOT AVAILABLE: this FFmpeg cannot encode it: "
			    "%s\n", jstr(p, "why", "?"));
	}
	rc = CMD_EXIT_OK;
out:
	json_decref(params);
	json_decref(data);
	return rc;
}

/* --- mcr transcode --- */

/* An existing file's absolute path (new string), or NULL after an
 * error naming what. */
static char *
existing(const char *what, const char *path)
{
	char buf[PATH_MAX];

	if (realpath(path, buf) == NULL) {
		cmd_error("cannot find the %s %s: %s", what, path,
		    strerror(errno));
		return NULL;
	}
	return xstrdup(buf);
}

/* path made absolute against the working folder, not resolved. */
static char *
absolute(const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static void
set_param(json_t *params, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(params, key, json_string(value));
}

int
cmd_transcode(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_PROFILE = CMD_OPT_VERB, OPT_LUT, OPT_AUDIO_MAP, OPT_AUDIO,
		OPT_AUDIO_OFFSET, OPT_TC_START, OPT_LINEUP, OPT_QC, OPT_WAIT,
		OPT_PRIORITY };
	static const struct option longopts[] = {
		{ "profile", required_argument, NULL, OPT_PROFILE },
		{ "output", required_argument, NULL, 'o' },
		{ "lut", required_argument, NULL, OPT_LUT },
		{ "audio-map", required_argument, NULL, OPT_AUDIO_MAP },
		{ "audio", required_argument, NULL, OPT_AUDIO },
		{ "audio-offset", required_argument, NULL, OPT_AUDIO_OFFSET },
		{ "tc-start", required_argument, NULL, OPT_TC_START },
		{ "lineup", required_argument, NULL, OPT_LINEUP },
		{ "qc", required_argument, NULL, OPT_QC },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const char *profile = NULL, *output = NULL, *lut = NULL, *map = NULL,
	    *audio = NULL, *offset = NULL, *tc = NULL, *lineup = NULL,
	    *qc = NULL, *base;
	char *file = NULL, *alut = NULL, *aaudio = NULL, *aout = NULL,
	    *alineup = NULL, *ptext = NULL, *subject = NULL, err[1024], *end;
	json_t *params = json_object(), *data = NULL;
	struct shiftlog_submit sub = { 0 };
	bool wait = false, json = false;
	int64_t id = 0, qcid = 0;
	int c, rc = CMD_EXIT_ERROR;

	while ((c = cmd_getopt(ctx, argc, argv, "ho:", longopts)) != -1) {
		switch (c) {
		case OPT_PROFILE: profile = optarg; break;
		case 'o': output = optarg; break;
		case OPT_LUT: lut = optarg; break;
		case OPT_AUDIO_MAP: map = optarg; break;
		case OPT_AUDIO: audio = optarg; break;
		case OPT_AUDIO_OFFSET: offset = optarg; break;
		case OPT_TC_START: tc = optarg; break;
		case OPT_LINEUP: lineup = optarg; break;
		case OPT_QC: qc = optarg; break;
		case OPT_WAIT: wait = true; break;
		case CMD_OPT_JSON: json = true; break;
		case OPT_PRIORITY:
			sub.priority = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    sub.priority < -1000 || sub.priority > 1000) {
				rc = cmd_usage_error(ctx, "--priority '%s' is not "
				    "a number from -1000 to 1000", optarg);
				goto out;
			}
			break;
		case 'h':
			printf("Usage: mcr transcode FILE --profile NAME "
			    "[OPTION...]\n"
			    "Queue a transcode of FILE to a named profile ('mcr "
			    "profiles') for mcrd.\n\n"
			    "  -o, --output FILE       the output (default: the "
			    "profile's naming template\n"
			    "                          beside FILE)\n"
			    "      --lut FILE.cube     apply a 3D LUT to the "
			    "picture\n"
			    "      --audio-map S:O,... source channel S to output "
			    "channel O (1:1,2:2)\n"
			    "      --audio FILE.wav    lay back this sound in "
			    "place of FILE's\n"
			    "      --audio-offset N    move the sound later by N "
			    "ms, or by N frames as Nf\n"
			    "                          (negative: earlier)\n"
			    "      --tc-start TC       the output's start "
			    "timecode (10:00:00:00)\n"
			    "      --lineup SPEC       bars and tone, ident and "
			    "black before the programme,\n"
			    "                          as the line-up spec says "
			    "(a name or a .ini)\n"
			    "      --qc SPEC           then check the output "
			    "with QC against SPEC\n"
			    "      --priority N        higher runs first (-1000 "
			    "to 1000)\n"
			    "      --wait              follow the job(s); exit 0 "
			    "when done, 1 when QC\n"
			    "                          failed, 2 when the "
			    "transcode failed\n"
			    "      --json              print {\"id\": N, "
			    "\"output\": PATH, \"qc\": M}\n"
			    "      --no-daemon         queue only; do not start "
			    "mcrd\n%s", cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		rc = cmd_usage_error(ctx, "give the file to transcode");
		goto out;
	}
	if (optind + 1 < argc) {
		rc = cmd_usage_error(ctx, "give one file to transcode, not %d",
		    argc - optind);
		goto out;
	}
	if (profile == NULL) {
		rc = cmd_usage_error(ctx, "give a profile with --profile NAME; "
		    "'mcr profiles' lists them");
		goto out;
	}
	if ((file = existing("source", argv[optind])) == NULL)
		goto out;
	if (lut != NULL && (alut = existing("LUT", lut)) == NULL)
		goto out;
	if (audio != NULL && (aaudio = existing("layback audio", audio)) ==
	    NULL)
		goto out;
	if (lineup != NULL && strchr(lineup, '/') != NULL &&
	    (alineup = existing("line-up spec", lineup)) == NULL)
		goto out;
	if (output != NULL)
		aout = absolute(output);
	set_param(params, "file", file);
	set_param(params, "profile", profile);
	set_param(params, "output", aout);
	set_param(params, "lut", alut);
	set_param(params, "audio_map", map);
	set_param(params, "audio", aaudio);
	set_param(params, "audio_offset", offset);
	set_param(params, "tc_start", tc);
	set_param(params, "lineup", alineup != NULL ? alineup : lineup);

	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	if (qc != NULL && plugin_find_kind(ctx->plugins, "qc.check",
	    NULL) == NULL) {
		cmd_error("--qc needs the QC plugin (kind qc.check), and none "
		    "loaded; install it or leave out --qc");
		goto out;
	}
	if (run_here(ctx, "transcode.check", params, &data, err,
	    sizeof err) < 0) {
		fprintf(stderr, "mcr transcode: ");
		cmd_print_safe(stderr, err);
		fprintf(stderr, "\n");
		goto out;
	}
	if (qc != NULL && json_is_true(json_object_get(data, "split"))) {
		cmd_error("--qc checks one file, and profile %s writes one file "
		    "a track; run mcr qc on each", profile);
		goto out;
	}
	set_param(params, "output", jstr(data, "output", NULL));
	ptext = json_dumps(params, JSON_COMPACT);
	base = strrchr(file, '/');
	subject = xasprintf("%s to %s", base != NULL ? base + 1 : file,
	    profile);
	sub.kind = "transcode.run";
	sub.params = ptext;
	sub.subject = subject;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	if (shiftlog_job_submit(ctx->sl, &sub, &id) < 0) {
		cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if (qc != NULL) {
		json_t *qp = json_pack("{s:s, s:s}", "file",
		    jstr(data, "output", ""), "spec", qc);
		struct shiftlog_submit qs = { 0 };
		char *qtext = json_dumps(qp, JSON_COMPACT);
		int r;

		qs.kind = "qc.check";
		qs.params = qtext;
		qs.subject = jstr(data, "output", NULL);
		qs.priority = sub.priority;
		qs.after = &id;
		qs.nafter = 1;
		r = shiftlog_job_submit(ctx->sl, &qs, &qcid);
		free(qtext);
		json_decref(qp);
		if (r < 0) {
			cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
	}
	if (json) {
		json_t *o = json_pack("{s:I, s:s}", "id", (json_int_t)id,
		    "output", jstr(data, "output", ""));

		if (qcid != 0)
			json_object_set_new(o, "qc", json_integer(qcid));
		cmd_json_print(o);
	} else {
		printf("job %lld queued: transcode.run to %s\n", (long long)id,
		    jstr(data, "output", "?"));
		if (qcid != 0)
			printf("job %lld queued: qc.check against %s, after "
			    "job %lld\n", (long long)qcid, qc, (long long)id);
	}
	fflush(stdout);
	if ((rc = cmd_daemon_ensure(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_OK;
	if (wait) {
		rc = cmd_wait_job(ctx, id, 0, json);
		if (rc == CMD_EXIT_CHECK_FAILED)
			rc = CMD_EXIT_ERROR;
		else if (rc == CMD_EXIT_OK && qcid != 0) {
			rc = cmd_wait_job(ctx, qcid, 0, json);
			if (rc == CMD_EXIT_CHECK_FAILED)
				rc = CMD_EXIT_ERROR;
			else if (rc == CMD_EXIT_OK)
				rc = qc_verdict(ctx, qcid, jstr(data, "output",
				    ""), json);
		}
	}
out:
	json_decref(params);
	json_decref(data);
	free(file);
	free(alut);
	free(aaudio);
	free(aout);
	free(alineup);
	free(ptext);
	free(subject);
	return rc;
}
