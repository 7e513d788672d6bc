/*
 * mcr verify PATH: re-hashes a folder against its ASC MHL history (the
 * chain checked first), reading from the storage rather than the page
 * cache, and reports mismatched, missing, new and renamed files on stdout
 * (or as JSON) and into the shift log: one event per problem and one
 * summary. Missing files are marked missing in the catalogue. Exit 1 when
 * a file is mismatched, missing or unreadable.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mhl.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

#define VERIFY_MAX_EVENTS 200

struct verify_ctx {
	struct cmd_ctx *ctx;
	const char *root;
	bool json;
	json_t *problems;
	size_t nevents;
	int log_error;
};

static void
verify_event(struct verify_ctx *v, const char *severity, const char *kind,
    const char *subject, const char *message)
{
	struct shiftlog_event ev = { .kind = kind, .severity = severity,
	    .subject = subject, .message = message };

	if (v->log_error)
		return;
	if (shiftlog_append(v->ctx->sl, &ev, 1) < 0) {
		cmd_error("%s", shiftlog_errmsg(v->ctx->sl));
		v->log_error = 1;
	}
}

static void
verify_report(void *arg, const struct mhl_check *c)
{
	struct verify_ctx *v = arg;
	char msg[1024], abs[PATH_MAX * 2];
	const char *sev = "warning";

	if (c->outcome == MHL_OK)
		return;
	snprintf(abs, sizeof abs, "%s/%s", v->root, c->path);
	switch (c->outcome) {
	case MHL_MISMATCH:
		sev = "error";
		snprintf(msg, sizeof msg, "%s does not match its ASC MHL "
		    "history: %s %s recorded, %s now", c->path, c->algo,
		    c->expected, c->found);
		break;
	case MHL_MISSING:
		sev = "error";
		snprintf(msg, sizeof msg, "%s is in the ASC MHL history but "
		    "not on disk", c->path);
		shiftlog_media_set_state(v->ctx->sl, abs, "missing");
		break;
	case MHL_NEW:
		sev = "notice";
		snprintf(msg, sizeof msg, "%s is not in the ASC MHL history "
		    "(a new file)", c->path);
		break;
	case MHL_RENAMED:
		sev = "warning";
		snprintf(msg, sizeof msg, "%s holds the bytes the history lists "
		    "as %s (renamed or moved)", c->path, c->old_path);
		break;
	case MHL_UNREADABLE:
		sev = "error";
		snprintf(msg, sizeof msg, "%s could not be checked: %s", c->path,
		    c->error);
		break;
	default:
		return;
	}
	if (v->json) {
		json_array_append_new(v->problems, json_pack("{s:s, s:s, s:s?, "
		    "s:s?, s:s?, s:s?, s:s}", "outcome",
		    mhl_outcome_name(c->outcome), "path", c->path,
		    "old_path", c->old_path, "algo", c->algo, "expected",
		    c->expected, "found", c->found, "message", msg));
	} else {
		printf("%-10s ", mhl_outcome_name(c->outcome));
		cmd_print_safe(stdout, msg);
		putchar('\n');
	}
	if (v->nevents++ < VERIFY_MAX_EVENTS)
		verify_event(v, sev, "verify.file", abs, msg);
}

int
cmd_verify(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct verify_ctx v = { .ctx = ctx };
	struct mhl_verify_opts o = { .nocache = 1, .report = verify_report,
	    .arg = &v };
	struct mhl_verify_counts n;
	struct mhl_history *h = NULL;
	char root[PATH_MAX], err[1024], msg[1024];
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			v.json = true;
			break;
		case 'h':
			printf("Usage: mcr verify PATH [--json]\n"
			    "Re-hash the folder PATH against its ASC MHL history "
			    "(PATH/ascmhl), reading\nfrom the storage, and "
			    "report mismatched, missing, new and renamed files,\n"
			    "also into the shift log. Exit 1 when a file is "
			    "mismatched, missing or\nunreadable.\n\n"
			    "      --json   the findings as JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind != argc - 1)
		return cmd_usage_error(ctx, "give one folder to verify");
	if (realpath(argv[optind], root) == NULL)
		return cmd_error("cannot read %s: %m; check the path",
		    argv[optind]);
	switch (mhl_history_load(root, &h, err, sizeof err)) {
	case 0:
		break;
	case 1:
		return cmd_error("%s has no ASC MHL history (no %s folder); "
		    "give the folder that holds it", root, MHL_FOLDER);
	default:
		if ((rc = cmd_shiftlog(ctx)) == 0) {
			v.ctx = ctx;
			verify_event(&v, "error", "verify.failed", root, err);
		}
		fprintf(stderr, "mcr verify: %s\n", err);
		return CMD_EXIT_CHECK_FAILED;
	}
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	v.root = root;
	if (v.json)
		v.problems = json_array();
	if (mhl_verify_tree(root, h, &o, &n, err, sizeof err) < 0) {
		rc = cmd_error("%s", err);
		goto out;
	}
	snprintf(msg, sizeof msg, "%zu files checked against %d ASC MHL "
	    "generations: %zu ok, %zu mismatched, %zu missing, %zu new, %zu "
	    "renamed, %zu unreadable", n.ok + n.mismatch + n.unreadable,
	    mhl_history_generations(h), n.ok, n.mismatch, n.missing, n.added,
	    n.renamed, n.unreadable);
	rc = n.mismatch + n.missing + n.unreadable > 0 ?
	    CMD_EXIT_CHECK_FAILED : CMD_EXIT_OK;
	verify_event(&v, rc == CMD_EXIT_OK ? "info" : "error",
	    rc == CMD_EXIT_OK ? "verify.ok" : "verify.failed", root, msg);
	if (v.json) {
		rc = cmd_json_print(json_pack("{s:s, s:i, s:I, s:I, s:I, s:I, "
		    "s:I, s:I, s:I, s:o}", "root", root, "generations",
		    mhl_history_generations(h), "ok", (json_int_t)n.ok,
		    "mismatch", (json_int_t)n.mismatch,
		    "missing", (json_int_t)n.missing,
		    "new", (json_int_t)n.added,
		    "renamed", (json_int_t)n.renamed,
		    "unreadable", (json_int_t)n.unreadable,
		    "bytes", (json_int_t)n.bytes, "problems", v.problems)) ?:
		    (n.mismatch + n.missing + n.unreadable > 0 ?
		    CMD_EXIT_CHECK_FAILED : CMD_EXIT_OK);
		v.problems = NULL;
	} else {
		printf("%s\n", msg);
	}
	if (v.log_error)
		rc = CMD_EXIT_ERROR;
out:
	json_decref(v.problems);
	mhl_history_free(h);
	return rc;
}
