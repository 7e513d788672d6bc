/*
 * mcr backup-shiftlog: a consistent copy of the live shift log, taken with
 * SQLite's online backup while mcrd and operators go on writing, reopened
 * and its hash chain verified before it takes its name (shiftlog_backup in
 * shiftlog-storage.c). The backup is recorded as an event in the live log.
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "shiftlog.h"
#include "storage-sched.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

int
cmd_backup_shiftlog(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TO = CMD_OPT_VERB };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_event ev = { .kind = "shiftlog.backup",
	    .severity = "info" };
	struct shiftlog_backup_result r;
	const char *to = NULL;
	char *dest, msg[700], size[16];
	bool json = false;
	struct stat st;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_TO:
			to = optarg;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr backup-shiftlog --to PATH [--json]\n"
			    "Copy the shift log while others write to it (SQLite's "
			    "online backup), reopen\nthe copy and verify its hash "
			    "chain, then give it its name. PATH is a new\nfile, "
			    "or a folder to hold SHIFTLOG-YYYYmmddTHHMMSSZ.db. "
			    "mcr.1 says how to\nrestore a backup.\n\n"
			    "      --to PATH       the backup file, or a folder\n"
			    "      --json          print the result as JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (to == NULL || *to == '\0')
		return cmd_usage_error(ctx, "give the backup's path with --to");
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (stat(to, &st) == 0 && S_ISDIR(st.st_mode)) {
		char *name = storage_backup_name(shiftlog_path(ctx->sl),
		    when_now());

		dest = xasprintf("%s/%s", to, name);
		free(name);
	} else
		dest = xstrdup(to);
	if (access(dest, F_OK) == 0) {
		rc = cmd_error("backup-shiftlog: %s already exists; give a new "
		    "name, or remove it first", dest);
		free(dest);
		return rc;
	}
	rc = shiftlog_backup(ctx->sl, dest, &r);
	if (rc < 0) {
		rc = cmd_error("backup-shiftlog: %s", shiftlog_errmsg(ctx->sl));
		free(dest);
		return rc;
	}
	if (rc == 1) {
		rc = cmd_error("backup-shiftlog: the copy of %s did not verify "
		    "(%s); nothing was left at %s", shiftlog_path(ctx->sl),
		    r.problem, dest);
		free(dest);
		return CMD_EXIT_CHECK_FAILED;
	}
	strutil_bytes((uint64_t)r.bytes, size, sizeof size);
	strutil_format(msg, sizeof msg, "shift log backed up to %s (%s, %lld "
	    "events, chain verified to event %lld)", dest, size,
	    (long long)r.events, (long long)r.head_id);
	ev.message = msg;
	ev.subject = dest;
	if (!ctx->read_only && shiftlog_append(ctx->sl, &ev, 1) < 0)
		fprintf(stderr, "mcr: the backup is good, but recording it in "
		    "the shift log failed: %s\n", shiftlog_errmsg(ctx->sl));
	if (json)
		rc = cmd_json_print(json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, "
		    "s:f, s:b}", "shift_log", shiftlog_path(ctx->sl), "backup",
		    dest, "bytes", (json_int_t)r.bytes, "pages",
		    (json_int_t)r.pages, "events", (json_int_t)r.events,
		    "head_event", (json_int_t)r.head_id, "seconds", r.seconds,
		    "verified", 1));
	else {
		printf("%s\n", msg);
		rc = CMD_EXIT_OK;
	}
	free(dest);
	return rc;
}
