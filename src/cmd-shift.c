/*
 * mcr shift: who is on. `mcr shift start` opens a shift for the operator
 * (the Unix user unless --operator says otherwise), ending one still
 * open; `mcr shift end` closes it and records the shift's handover report
 * for the incoming operator to acknowledge; `mcr shift` shows the
 * current one. Events belong to the shift whose time span holds them.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "handover.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"

static json_t *
shift_json(const struct shiftlog_shift *s)
{
	char a[40], b[40];

	if (s->id == 0)
		return json_null();
	return json_pack("{s:I, s:s, s:s, s:s, s:o}", "id", (json_int_t)s->id,
	    "operator", s->operator, "host", s->host, "started",
	    when_format(s->started, true, a, sizeof a), "ended",
	    s->ended != 0 ? json_string(when_format(s->ended, true, b,
	    sizeof b)) : json_null());
}

static void
shift_help(void)
{
	printf("Usage: mcr shift [--json]\n"
	    "       mcr shift start [--operator NAME] [--json]\n"
	    "       mcr shift end [--json]\n"
	    "Show the current shift, start one (ending the shift still open),\n"
	    "or end it. Ending a shift records its handover report (as 'mcr\n"
	    "handover' shows it) for the incoming operator to acknowledge with\n"
	    "'mcr handover ack'.\n\n"
	    "      --operator NAME who is on (default: the Unix user)\n"
	    "      --json          print one JSON document\n%s",
	    cmd_common_help);
}

int
cmd_shift(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_OPERATOR = CMD_OPT_VERB };
	static const struct option longopts[] = {
		{ "operator", required_argument, NULL, OPT_OPERATOR },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_shift s, ended;
	const char *operator = NULL, *action = NULL;
	char a[40], *report = NULL;
	bool json = false;
	int c, rc;
	int64_t hid = 0;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_OPERATOR:
			operator = optarg;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			shift_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		action = argv[optind++];
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (action != NULL && strcmp(action, "start") != 0 &&
	    strcmp(action, "end") != 0)
		return cmd_usage_error(ctx, "'%s' is not start or end", action);
	if (operator != NULL && (action == NULL || strcmp(action, "start") != 0))
		return cmd_usage_error(ctx, "--operator goes with 'shift start'");
	ctx->only_existing = action == NULL;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;

	if (action == NULL) {
		rc = shiftlog_shift_current(ctx->sl, &s);
		if (rc < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		if (json)
			return cmd_json_print(json_pack("{s:o, s:b}", "shift",
			    shift_json(&s), "open", s.id != 0 && s.ended == 0)) ?
			    CMD_EXIT_ERROR : CMD_EXIT_OK;
		if (rc == 0)
			printf("no shift recorded; 'mcr shift start' opens one\n");
		else if (s.ended == 0)
			printf("shift %lld: %s on %s since %s (open)\n",
			    (long long)s.id, s.operator, s.host,
			    when_format(s.started, false, a, sizeof a));
		else
			printf("no shift is open; the last, shift %lld of %s, "
			    "ended %s\n", (long long)s.id, s.operator,
			    when_format(s.ended, false, a, sizeof a));
		return CMD_EXIT_OK;
	}
	if (strcmp(action, "start") == 0) {
		if (shiftlog_shift_start(ctx->sl, operator, &s, &ended) < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		if (json)
			return cmd_json_print(json_pack("{s:o, s:o}", "started",
			    shift_json(&s), "ended", shift_json(&ended))) ?
			    CMD_EXIT_ERROR : CMD_EXIT_OK;
		if (ended.id != 0)
			printf("shift %lld of %s ended\n", (long long)ended.id,
			    ended.operator);
		printf("shift %lld of %s started\n", (long long)s.id, s.operator);
		return CMD_EXIT_OK;
	}
	if (shiftlog_shift_end(ctx->sl, &ended) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	/* The outgoing operator's handover, for the incoming one to
	 * acknowledge. */
	if (shiftlog_handover_report(ctx->sl, ended.started, ended.ended,
	    ctx->cfg->site_name, &report) < 0 ||
	    shiftlog_handover_record(ctx->sl, ended.started, ended.ended, report,
	    &hid) < 0) {
		free(report);
		return cmd_error("shift %lld ended, but its handover could not be "
		    "recorded: %s; run 'mcr handover' to read it",
		    (long long)ended.id, shiftlog_errmsg(ctx->sl));
	}
	if (json) {
		free(report);
		return cmd_json_print(json_pack("{s:o, s:I}", "ended",
		    shift_json(&ended), "handover", (json_int_t)hid)) ?
		    CMD_EXIT_ERROR : CMD_EXIT_OK;
	}
	printf("shift %lld of %s ended; handover %lld recorded with %ld open "
	    "items, for the next operator to acknowledge ('mcr handover ack')\n",
	    (long long)ended.id, ended.operator, (long long)hid,
	    handover_open_items(report));
	free(report);
	return CMD_EXIT_OK;
}
