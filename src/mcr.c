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
#include "demo.h"
#include "paths.h"
#include "plugin.h"
#include "shiftlog.h"
#include "xmalloc.h"

static const struct cmd_entry verbs[] = {
	{ "access", "grant, revoke or show client access to a folder (ACLs)", cmd_access },
	{ "archive", "copy a folder to an archive volume, verified, with ASC "
	    "MHL", cmd_archive },
	{ "asset", "the physical asset register: in, out, move, link, show, "
	    "list", cmd_asset },
	{ "backup-shiftlog", "copy the shift log online; verify the copy", cmd_backup_shiftlog },
	{ "conform", "check an EDL against the media catalogue; pull lists",
	    cmd_conform },
	{ "daemon", "run mcrd, the job scheduler (-f: in the foreground)",
	    cmd_daemon },
	{ "delete", "move files into quarantine under the deletion rules",
	    cmd_delete },
	{ "deliver", "send files to a destination with hashes, resume and a "
	    "receipt", cmd_deliver },
	{ "destinations", "list delivery destinations; 'test NAME' checks one",
	    cmd_destinations },
	{ "handover", "the shift's handover report; 'mcr handover ack' "
	    "acknowledges it", cmd_handover },
	{ "incident", "open, acknowledge, update, resolve and list incidents",
	    cmd_incident },
	{ "ingest", "copy cards and folders to the volumes, verified and "
	    "catalogued", cmd_ingest },
	{ "job", "show, log, cancel, pause, resume, retry or reprioritise a "
	    "job", cmd_job },
	{ "jobs", "list jobs", cmd_jobs },
	{ "log", "show the shift log; 'mcr log verify' checks its hash chain",
	    cmd_log },
	{ "media", "list the media catalogue", cmd_media },
	{ "monitor", "watch a file or stream live: loudness meters and "
	    "alarms", cmd_monitor },
	{ "note", "add an operator's note to the shift log", cmd_note },
	{ "plugins", "list plugins, their job kinds and parameters",
	    cmd_plugins },
	{ "profiles", "list the transcode profiles and whether they can be "
	    "encoded here", cmd_profiles },
	{ "qc", "check a file against a delivery spec; specs, reports, "
	    "exceptions", cmd_qc },
	{ "receive", "check a received delivery against its manifest",
	    cmd_receive },
	{ "restore", "copy archived files back, verified against their "
	    "archived hashes", cmd_restore },
	{ "shift", "start or end a shift, or show who is on", cmd_shift },
	{ "status", "shift log, jobs by state and the last event", cmd_status },
	{ "storage", "space, growth, usage by client; 'storage du PATH'", cmd_storage },
	{ "submit", "queue a job for mcrd", cmd_submit },
	{ "tc", "timecode arithmetic and conversion at any broadcast rate",
	    cmd_tc },
	{ "transcode", "transcode a file to a named profile through mcrd",
	    cmd_transcode },
	{ "undelete", "bring a deletion back from quarantine, or list them",
	    cmd_undelete },
	{ "verify", "re-hash a folder against its ASC MHL history",
	    cmd_verify },
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
		fprintf(f, "  %-16s %s\n", verbs[i].name, verbs[i].summary);
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
	    "      --version       show the version and exit\n"
	    "\n"
	    "Without --db, the shift log is [shiftlog] path from the config,\n"
	    "or $XDG_STATE_HOME/mcr/shiftlog.db. 'mcr VERB --help' describes\n"
	    "a verb; mcr(1) and mcr.ini(5) describe everything.\n"
	    "Exit status: 0 done, 1 a check failed, 2 error.\n",
	    cmd_common_options);
}

static int
count_job(const struct shiftlog_job *j, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

/* Queues kind after job `after` when a plugin runs it (the demo shows
 * what is installed, and nothing else). Takes params. */
static void
demo_job(struct cmd_ctx *ctx, const char *kind, const char *subject,
    json_t *params, int64_t after, int64_t *id)
{
	struct shiftlog_submit sub = { .kind = kind, .subject = subject };
	char *text = json_dumps(params, JSON_COMPACT);

	*id = 0;
	if (text != NULL && plugin_find_kind(ctx->plugins, kind, NULL) != NULL) {
		sub.params = text;
		sub.after = &after;
		sub.nafter = 1;
		if (shiftlog_job_submit(ctx->sl, &sub, id) < 0)
			*id = 0;
	}
	free(text);
	json_decref(params);
}

/* With no config at all (the embedded default), the first console start
 * queues the jobs that make the demo facility and then work on it, so
 * that a new user sees real work within seconds: the volumes sampled, the
 * demo card ingested to nearline (verified, catalogued), the loud passage
 * played in real time through a loudness monitor (the QC meters), and a
 * QC check of it against the EBU R128 HD spec. */
static void
queue_demo(struct cmd_ctx *ctx)
{
	char *data = paths_data_dir(), *root = xasprintf("%s/demo", data);
	char *mark = xasprintf("%s/production", root), *params;
	char *card = xasprintf("%s/" DEMO_MEDIA_DIR, root);
	char *loud = xasprintf("%s/loud_passage.mov", card);
	struct shiftlog_submit make = { .kind = "demo.facility",
	    .subject = "demo facility", .priority = 10 };
	json_t *p = json_pack("{s:s}", "root", root);
	int64_t id, job;
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
			demo_job(ctx, "storage.sample", "all volumes",
			    json_object(), id, &job);
			demo_job(ctx, "ingest.copy", "demo card to nearline",
			    json_pack("{s:s, s:s, s:s, s:s}", "src", card,
			    "client", "DemoClient", "production",
			    "DemoProduction", "to", "nearline"), id, &job);
			demo_job(ctx, "qc.monitor", "loud_passage.mov",
			    json_pack("{s:s}", "input", loud), id, &job);
			demo_job(ctx, "qc.check", "loud_passage.mov",
			    json_pack("{s:s, s:s}", "file", loud, "spec",
			    "ebu-r128-hd"), id, &job);
		}
		free(params);
	}
	json_decref(p);
	free(loud);
	free(card);
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
