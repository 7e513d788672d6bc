/*
 * mcr log: read the shift log's events, filtered by time, kind, user and
 * text; `mcr log verify` walks the hash chain. Events stream from SQLite
 * straight to stdout, one at a time, so a log of millions of rows costs no
 * memory; --json streams one document of the same shape.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"

/* With no --since and no --limit, this many of the newest events. */
#define LOG_DEFAULT_LIMIT 50

struct log_out {
	bool json;
	int64_t n;
	char buf[8192];
};

static int
emit(const struct shiftlog_event *ev, void *arg)
{
	struct log_out *o = arg;

	if (o->json) {
		json_t *j = cmd_event_json(ev);
		size_t n;

		/* One fwrite per event: json_dumpf writes token by token. */
		n = json_dumpb(j, o->buf, sizeof o->buf, JSON_COMPACT);
		fputs(o->n > 0 ? ",\n    " : "\n    ", stdout);
		if (n <= sizeof o->buf)
			fwrite(o->buf, 1, n, stdout);
		else
			json_dumpf(j, stdout, JSON_COMPACT);
		json_decref(j);
	} else
		cmd_event_print(stdout, ev);
	o->n++;
	/* 1, not an rc: the caller reports stdout, not the shift log. */
	return ferror(stdout) ? 1 : 0;
}

static int
log_verify(struct cmd_ctx *ctx, bool json)
{
	struct shiftlog_verify v;
	char hex[65];
	int rc, i;

	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	rc = shiftlog_verify(ctx->sl, &v);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	for (i = 0; i < 32; i++)
		strutil_format(hex + 2 * i, 3, "%02x", v.head[i]);

	if (json) {
		json_t *doc = json_pack("{s:s, s:b, s:I, s:o, s:o, s:b, s:o}",
		    "shift_log", shiftlog_path(ctx->sl),
		    "intact", rc == 0,
		    "checked", (json_int_t)v.checked,
		    "first_bad", v.first_bad != 0 ?
		    json_integer(v.first_bad) : json_null(),
		    "problem", v.problem[0] != '\0' ?
		    json_string(v.problem) : json_null(),
		    "triggers_present", !v.triggers_missing,
		    "head", v.first_bad == 0 ? json_pack("{s:I, s:s}", "id",
		    (json_int_t)v.head_id, "hash", hex) : json_null());

		if (cmd_json_print(doc) != 0)
			return CMD_EXIT_ERROR;
		return rc == 0 ? CMD_EXIT_OK : CMD_EXIT_CHECK_FAILED;
	}
	if (v.first_bad != 0)
		printf("shift log %s: TAMPERED: %s.\n", shiftlog_path(ctx->sl),
		    v.problem);
	if (v.triggers_missing)
		printf("shift log %s: TAMPERED: the append-only triggers on "
		    "events were removed.\n", shiftlog_path(ctx->sl));
	if (v.first_bad == 0)
		printf("shift log %s: chain intact, %lld events verified; "
		    "head is event %lld, hash %s\n", shiftlog_path(ctx->sl),
		    (long long)v.checked, (long long)v.head_id, hex);
	fflush(stdout);
	return rc == 0 ? CMD_EXIT_OK : CMD_EXIT_CHECK_FAILED;
}

static void
log_help(void)
{
	printf("Usage: mcr log [OPTION...]\n"
	    "       mcr log verify [--json]\n"
	    "Show shift-log events, oldest first. Without --since or --limit, "
	    "the last %d.\n\n"
	    "      --since WHEN    from WHEN: a duration ago (30m, 8h, 1h30m, "
	    "2d)\n"
	    "                      or ISO-8601 (2026-11-29T06:00, local; "
	    "...Z for UTC)\n"
	    "      --until WHEN    up to, not including, WHEN\n"
	    "      --kind KIND     events of KIND; 'job' also matches job.*\n"
	    "      --user USER     events recorded by Unix user USER\n"
	    "      --grep TEXT     subject or message contains TEXT (any "
	    "case)\n"
	    "      --limit N       only the newest N matching events\n"
	    "      --json          print one JSON document (keys in mcr(1))\n"
	    "%s", LOG_DEFAULT_LIMIT, cmd_common_help);
}

int
cmd_log(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = CMD_OPT_VERB, OPT_UNTIL, OPT_KIND, OPT_USER,
		OPT_GREP, OPT_LIMIT };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "user", required_argument, NULL, OPT_USER },
		{ "grep", required_argument, NULL, OPT_GREP },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX };
	struct log_out out = { .json = false };
	int64_t now = when_now();
	char err[320], *end;
	bool bounded = false, filtered = false;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL:
			if (when_parse(optarg, now, c == OPT_SINCE ? &f.since :
			    &f.until, err, sizeof err) < 0)
				return cmd_usage_error(ctx, "--%s %s",
				    c == OPT_SINCE ? "since" : "until", err);
			bounded = bounded || c == OPT_SINCE;
			filtered = true;
			break;
		case OPT_KIND:
			filtered = true;
			f.kind = optarg;
			break;
		case OPT_USER:
			filtered = true;
			f.user = optarg;
			break;
		case OPT_GREP:
			filtered = true;
			f.grep = optarg;
			break;
		case OPT_LIMIT:
			f.limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || f.limit <= 0)
				return cmd_usage_error(ctx, "--limit '%s' is not "
				    "a positive number", optarg);
			bounded = true;
			break;
		case CMD_OPT_JSON:
			out.json = true;
			break;
		case 'h':
			log_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc && strcmp(argv[optind], "verify") == 0) {
		ctx->verb = "log verify";
		if (optind + 1 < argc)
			return cmd_usage_error(ctx, "unexpected argument '%s'",
			    argv[optind + 1]);
		if (bounded || filtered)
			return cmd_usage_error(ctx, "verify checks the whole "
			    "chain; it takes no filters");
		return log_verify(ctx, out.json);
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (f.since >= f.until)
		return cmd_usage_error(ctx, "--since is not before --until, so "
		    "no event can match");
	if (!bounded)
		f.limit = LOG_DEFAULT_LIMIT;
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;

	if (out.json) {
		json_t *path = json_string(shiftlog_path(ctx->sl));

		fputs("{\n  \"shift_log\": ", stdout);
		json_dumpf(path, stdout, JSON_ENCODE_ANY);
		json_decref(path);
		fputs(",\n  \"events\": [", stdout);
	}
	rc = shiftlog_events(ctx->sl, &f, emit, &out);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (out.json)
		fputs(out.n > 0 ? "\n  ]\n}\n" : "]\n}\n", stdout);
	if (rc > 0 || fflush(stdout) != 0 || ferror(stdout))
		return cmd_error("cannot write to standard output");
	return CMD_EXIT_OK;
}
