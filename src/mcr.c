/*
 * mcr: the command-line entry point. With a verb it runs that verb from
 * the table below and exits with its code (0 done, 1 the check failed,
 * 2 error). Options that every verb takes may also come before the verb:
 * `mcr --db COPY.db --read-only log` is `mcr log --db COPY.db --read-only`.
 */
#include "autoconfig.h"

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "console.h"
#include "paths.h"
#include "plugin.h"
#include "shiftlog.h"
#include "xmalloc.h"

static const struct cmd_entry verbs[] = {
	{ "asset", "the physical asset register: in, out, move, link, show, "
	    "list", cmd_asset },
	{ "conform", "check an EDL against the media catalogue; pull lists",
	    cmd_conform },
	{ "daemon", "run mcrd, the job scheduler (-f: in the foreground)",
	    cmd_daemon },
	{ "deliver", "send files to a destination with hashes, resume and a "
	    "receipt", cmd_deliver },
	{ "destinations", "list delivery destinations; 'test NAME' checks one",
	    cmd_destinations },
	{ "job", "show, log, cancel, pause, resume, retry or reprioritise a "
	    "job", cmd_job },
	{ "jobs", "list jobs", cmd_jobs },
	{ "log", "show the shift log; 'mcr log verify' checks its hash chain",
	    cmd_log },
	{ "note", "add an operator's note to the shift log", cmd_note },
	{ "plugins", "list plugins, their job kinds and parameters",
	    cmd_plugins },
	{ "receive", "check a received delivery against its sum files",
	    cmd_receive },
	{ "status", "shift log, jobs by state and the last event", cmd_status },
	{ "submit", "queue a job for mcrd", cmd_submit },
	{ "tc", "timecode arithmetic and conversion at any broadcast rate",
	    cmd_tc },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "Usage: mcr [OPTION...] VERB [ARG...]\n"
	    "The operations console of a post-production Master Control Room.\n"
	    "\n"
	    "Verbs:\n");
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		fprintf(f, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f,
	    "\n"
	    "Without a verb, mcr opens the console (on a terminal; otherwise "
	    "it prints\nthe status). Console options:\n"
	    "      --no-mouse      do not take mouse clicks\n"
	    "  -C, --mono          no colour (NO_COLOR in the environment "
	    "does the same)\n"
	    "      --no-daemon     do not start mcrd\n"
	    "\n"
	    "Options (before or after the verb):\n"
	    "%s"
	    "\n"
	    "      --version       show the version and exit\n"
	    "\n"
	    "Without --db, the shift log is [shiftlog] path from the config,\n"
	    "or $XDG_STATE_HOME/mcr/shiftlog.db. 'mcr VERB --help' describes\n"
	    "a verb; mcr(1) and mcr.ini(5) describe everything.\n"
	    "Exit status: 0 done, 1 a check failed, 2 error.\n",
	    cmd_common_help);
}

static int
count_job(const struct shiftlog_job *j, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* With no config at all (the embedded default), the first console start
 * queues the jobs that make the demo facility and sample its volumes, so
 * that a new user sees real work within seconds. */
static void
queue_demo(struct cmd_ctx *ctx)
{
	char *data = paths_data_dir(), *root = xasprintf("%s/demo", data);
	char *mark = xasprintf("%s/production", root), *params;
	struct shiftlog_submit make = { .kind = "demo.facility",
	    .subject = "demo facility", .priority = 10 };
	struct shiftlog_submit sample = { .kind = "storage.sample",
	    .subject = "all volumes" };
	json_t *p = json_pack("{s:s}", "root", root);
	int64_t id, sid;

	struct shiftlog_job_filter pending = { .kind = "demo.facility",
	    .active = true };
	int active = 0;

	/* Once: not while an earlier start's job is still waiting. */
	shiftlog_jobs(ctx->sl, &pending, count_job, &active);
	if (access(mark, F_OK) != 0 && active == 0 &&
	    plugin_find_kind(ctx->plugins, make.kind, NULL) != NULL) {
		params = json_dumps(p, JSON_COMPACT);
		make.params = params;
		if (shiftlog_job_submit(ctx->sl, &make, &id) == 0) {
			sample.after = &id;
			sample.nafter = 1;
			shiftlog_job_submit(ctx->sl, &sample, &sid);
		}
		free(params);
	}
	json_decref(p);
	free(mark);
	free(root);
	free(data);
}

/* The console on the shift log the options select. */
static int
open_console(struct cmd_ctx *ctx, struct console_opts *o)
{
	int rc;

	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	o->demo = ctx->cfg->nfiles == 0 && ctx->db_path == NULL &&
	    !ctx->read_only;
	ctx->only_existing = ctx->read_only;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (o->demo)
		queue_demo(ctx);
	o->db_path = ctx->sl_path;
	o->config_path = ctx->config_path;
	o->cfg = ctx->cfg;
	o->plugins = ctx->plugins;
	o->read_only = ctx->read_only;
	o->no_daemon = ctx->no_daemon;
	return console_main(o);
}

int
main(int argc, char **argv)
{
	enum { OPT_NO_MOUSE = CMD_OPT_VERB };
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		{ "mono", no_argument, NULL, 'C' },
		{ "no-mouse", no_argument, NULL, OPT_NO_MOUSE },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	struct console_opts copts = { 0 };
	struct cmd_ctx ctx = { .verb = "" };
	const struct cmd_entry *verb = NULL;
	size_t i;
	int c, rc;

	setlocale(LC_ALL, "");
	opterr = 0;
	/* '+': stop at the verb; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hVC", longopts, NULL)) != -1) {
		switch (c) {
		case 'C':
			copts.mono = true;
			break;
		case OPT_NO_MOUSE:
			copts.no_mouse = true;
			break;
		case CMD_OPT_NO_DAEMON:
			ctx.no_daemon = true;
			break;
		case CMD_OPT_DB:
			ctx.db_path = optarg;
			break;
		case CMD_OPT_CONFIG:
			ctx.config_path = optarg;
			break;
		case CMD_OPT_READ_ONLY:
			ctx.read_only = true;
			break;
		case 'h':
			usage(stdout);
			return CMD_EXIT_OK;
		case 'V':
			printf("mcr %s\n", PACKAGE_VERSION);
			return CMD_EXIT_OK;
		default:
			return cmd_error("'%s' is not an option, or it needs a "
			    "value; see 'mcr --help'", argv[optind - 1]);
		}
	}
	if (optind >= argc && (!isatty(STDIN_FILENO) ||
	    !isatty(STDOUT_FILENO))) {
		/* No terminal: a script wants the status, not a console. */
		static char status[] = "status";
		char *args[] = { status, NULL };

		ctx.verb = "status";
		optind = 0;
		rc = cmd_status(&ctx, 1, args);
		cmd_ctx_free(&ctx);
		return rc;
	}
	if (optind >= argc) {
		ctx.verb = "console";
		rc = open_console(&ctx, &copts);
		cmd_ctx_free(&ctx);
		return rc;
	}
	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++) {
		if (strcmp(argv[optind], verbs[i].name) == 0)
			verb = &verbs[i];
	}
	if (verb == NULL)
		return cmd_error("'%s' is not a verb; see 'mcr --help' for the "
		    "list", argv[optind]);
	ctx.verb = verb->name;
	argc -= optind;
	argv += optind;
	optind = 0;	/* glibc: start a fresh scan of the verb's argv */
	rc = verb->exec(&ctx, argc, argv);
	cmd_ctx_free(&ctx);
	return rc;
}
