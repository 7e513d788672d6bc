/*
 * mcr status: where the shift log is, its schema, jobs by state and the
 * last event. It is what an operator runs first on a new terminal, and it
 * must stay fast on a log of millions of events: two indexed queries.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "shiftlog.h"

static int
take_last(const struct shiftlog_event *ev, void *arg)
{
	json_t **out = arg;

	*out = cmd_event_json(ev);
	return 0;
}

static int
print_last(const struct shiftlog_event *ev, void *arg)
{
	fputs("last event  ", stdout);
	cmd_event_print(stdout, ev);
	return 0;
}

int
cmd_status(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_status st;
	struct shiftlog_filter last = { .since = INT64_MIN,
	    .until = INT64_MAX, .limit = 1 };
	bool json = false;
	int c, rc, i;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr status [--json]\n"
			    "Show the shift log's path and schema, jobs by "
			    "state and the last event.\n\n"
			    "      --json          print one JSON document "
			    "(keys in mcr(1))\n%s", cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (shiftlog_status(ctx->sl, &st) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));

	if (json) {
		json_t *doc, *jobs = json_object(), *files = json_array();
		json_t *ev = NULL;

		for (i = 0; i < SHIFTLOG_JOB_STATES; i++)
			json_object_set_new(jobs, shiftlog_job_states[i],
			    json_integer(st.jobs[i]));
		for (i = 0; i < (int)ctx->cfg->nfiles; i++)
			json_array_append_new(files,
			    json_string(ctx->cfg->files[i]));
		if (st.last_event_id != 0 &&
		    shiftlog_events(ctx->sl, &last, take_last, &ev) < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		pid_t pid = daemon_running(shiftlog_path(ctx->sl));

		doc = json_pack("{s:{s:s, s:i, s:b}, s:{s:b, s:o}, s:s, s:o, "
		    "s:o, s:o}",
		    "shift_log",
		    "path", shiftlog_path(ctx->sl),
		    "schema_version", st.schema_version,
		    "read_only", ctx->read_only,
		    "daemon", "running", pid > 0, "pid", pid > 0 ?
		    json_integer(pid) : json_null(),
		    "site", ctx->cfg->site_name,
		    "config_files", files,
		    "jobs", jobs,
		    "last_event", ev != NULL ? ev : json_null());
		return cmd_json_print(doc);
	}

	printf("shift log   %s (schema %d%s)\n", shiftlog_path(ctx->sl),
	    st.schema_version, ctx->read_only ? ", read-only" : "");
	{
		pid_t pid = daemon_running(shiftlog_path(ctx->sl));

		if (pid > 0)
			printf("mcrd        running (pid %ld)\n", (long)pid);
		else
			printf("mcrd        not running (mcr daemon starts it)\n");
	}
	printf("site        %s\n", ctx->cfg->site_name);
	printf("config      ");
	if (ctx->cfg->nfiles == 0)
		printf("embedded default (no mcr.ini found)\n");
	for (i = 0; i < (int)ctx->cfg->nfiles; i++)
		printf("%s%s", i > 0 ? ", " : "", ctx->cfg->files[i]);
	if (ctx->cfg->nfiles > 0)
		putchar('\n');
	printf("jobs       ");
	for (i = 0; i < SHIFTLOG_JOB_STATES; i++)
		printf(" %s %lld%s", shiftlog_job_states[i],
		    (long long)st.jobs[i], i + 1 < SHIFTLOG_JOB_STATES ? "," : "");
	putchar('\n');
	if (st.last_event_id == 0)
		printf("last event  none\n");
	else if (shiftlog_events(ctx->sl, &last, print_last, NULL) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (fflush(stdout) != 0)
		return cmd_error("cannot write to standard output");
	return CMD_EXIT_OK;
}
