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

#include "cmd.h"

static const struct cmd_entry verbs[] = {
	{ "daemon", "run mcrd, the job scheduler (-f: in the foreground)",
	    cmd_daemon },
	{ "job", "show, log, cancel, pause, resume, retry or reprioritise a "
	    "job", cmd_job },
	{ "jobs", "list jobs", cmd_jobs },
	{ "log", "show the shift log; 'mcr log verify' checks its hash chain",
	    cmd_log },
	{ "note", "add an operator's note to the shift log", cmd_note },
	{ "plugins", "list plugins, their job kinds and parameters",
	    cmd_plugins },
	{ "status", "shift log, jobs by state and the last event", cmd_status },
	{ "submit", "queue a job for mcrd", cmd_submit },
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

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "version", no_argument, NULL, 'V' },
		CMD_COMMON_OPTIONS
	};
	struct cmd_ctx ctx = { .verb = "" };
	const struct cmd_entry *verb = NULL;
	size_t i;
	int c, rc;

	setlocale(LC_ALL, "");
	opterr = 0;
	/* '+': stop at the verb; its options are its own. */
	while ((c = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		switch (c) {
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
	if (optind >= argc) {
		/* The console arrives with its own issue; until then the
		 * bare command shows the status, as ./quickstart does. */
		static char status[] = "status";
		char *args[] = { status, NULL };

		ctx.verb = "status";
		optind = 0;
		rc = cmd_status(&ctx, 1, args);
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
