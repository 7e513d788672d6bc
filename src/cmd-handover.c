/*
 * mcr handover: the report the outgoing shift leaves the incoming one,
 * built from the shift log's tables (shiftlog_handover_report) and
 * rendered by handover.c as text, Markdown, self-contained HTML or JSON.
 * `mcr handover ack` records that the incoming operator read it: the
 * newest handover given (at 'mcr shift end'), or this report when none is
 * waiting. Open items carry over until a handover is acknowledged.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "handover.h"
#include "identity.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"

static void
handover_help(void)
{
	printf("Usage: mcr handover [--since WHEN] [--until WHEN] "
	    "[--format FORMAT]\n"
	    "       mcr handover ack [--since WHEN] [--json]\n"
	    "Show the shift's handover: incidents, jobs done, failed, running "
	    "and queued,\nQC verdicts, deliveries, assets, storage alarms and "
	    "notes flagged for the\nhandover. Failed jobs and flagged notes "
	    "carry over until a handover is\nacknowledged; open incidents "
	    "show until they are resolved. 'ack' records\nthat you read it.\n\n"
	    "      --since WHEN    from WHEN (default: the open shift's start, "
	    "else the\n"
	    "                      last [shift] times boundary, else 12 hours "
	    "ago)\n"
	    "      --until WHEN    up to WHEN (default: now)\n"
	    "      --format F      text (default), md, html or json\n"
	    "      --json          the same as --format json\n%s",
	    cmd_common_help);
}

static int
handover_ack(struct cmd_ctx *ctx, int64_t since, int64_t until,
    const char *report, bool json)
{
	struct shiftlog_handover_ack ack;
	struct identity who;
	char a[40], b[40], c[40];
	long open;

	identity_get(&who);

	if (shiftlog_handover_ack(ctx->sl, since, until, report, &ack) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	open = handover_open_items(report);
	if (json)
		return cmd_json_print(json_pack("{s:I, s:s, s:s, s:s, s:s, s:I, "
		    "s:I}", "handover", (json_int_t)ack.id, "since",
		    when_format(ack.since, true, a, sizeof a), "until",
		    when_format(ack.until, true, b, sizeof b), "given_by",
		    ack.given_by, "acknowledged_by", who.user,
		    "superseded", (json_int_t)ack.superseded,
		    "open_items", (json_int_t)open)) ? CMD_EXIT_ERROR :
		    CMD_EXIT_OK;
	printf("handover %lld (%s to %s, given by %s at %s) acknowledged by "
	    "%s; %ld open items stay on the next handover until resolved\n",
	    (long long)ack.id, when_format(ack.since, false, a, sizeof a),
	    when_format(ack.until, false, b, sizeof b), ack.given_by,
	    when_format(ack.given, false, c, sizeof c), who.user,
	    open);
	return CMD_EXIT_OK;
}

int
cmd_handover(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = CMD_OPT_VERB, OPT_UNTIL, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	enum handover_format fmt = HANDOVER_TEXT;
	int64_t now = when_now(), since = 0, until = now;
	bool ack = false, has_since = false;
	char err[320], *report = NULL;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL:
			if (when_parse(optarg, now, c == OPT_SINCE ? &since :
			    &until, err, sizeof err) < 0)
				return cmd_usage_error(ctx, "--%s %s",
				    c == OPT_SINCE ? "since" : "until", err);
			has_since = has_since || c == OPT_SINCE;
			break;
		case OPT_FORMAT:
			if (handover_format_parse(optarg, &fmt) < 0)
				return cmd_usage_error(ctx, "--format '%s' is not "
				    "text, md, html or json", optarg);
			break;
		case CMD_OPT_JSON:
			fmt = HANDOVER_JSON;
			break;
		case 'h':
			handover_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc && strcmp(argv[optind], "ack") == 0) {
		ctx->verb = "handover ack";
		ack = true;
		optind++;
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (ack && fmt != HANDOVER_TEXT && fmt != HANDOVER_JSON)
		return cmd_usage_error(ctx, "ack prints a line or --json, not "
		    "--format");
	ctx->only_existing = !ack;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (!has_since)
		since = shiftlog_handover_default_since(ctx->sl,
		    ctx->cfg->shift_times, ctx->cfg->nshift_times, until);
	if (since >= until)
		return cmd_usage_error(ctx, "--since is not before --until");
	if (shiftlog_handover_report(ctx->sl, since, until, ctx->cfg->site_name,
	    &report) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (ack) {
		rc = handover_ack(ctx, since, until, report,
		    fmt == HANDOVER_JSON);
		free(report);
		return rc;
	}
	rc = handover_render(report, fmt, stdout);
	free(report);
	if (rc < 0 || fflush(stdout) != 0)
		return cmd_error("cannot write the handover to standard output");
	return CMD_EXIT_OK;
}
