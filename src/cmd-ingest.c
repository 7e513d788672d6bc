/*
 * mcr ingest: queues an ingest.copy job for mcrd from the operator's
 * words: the sources (made absolute here, since mcrd works from /), the
 * client and production, and optionally the destinations, the naming
 * template, the hashes and the verify mode. --wait follows the job like
 * `mcr submit --wait`.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "mcr-plugin.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "vcopy.h"
#include "xmalloc.h"

int
cmd_ingest(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_CLIENT = CMD_OPT_VERB, OPT_PRODUCTION, OPT_TO,
		OPT_TEMPLATE, OPT_HASH, OPT_VERIFY, OPT_REEL, OPT_WAIT,
		OPT_PRIORITY };
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "production", required_argument, NULL, OPT_PRODUCTION },
		{ "to", required_argument, NULL, OPT_TO },
		{ "template", required_argument, NULL, OPT_TEMPLATE },
		{ "hash", required_argument, NULL, OPT_HASH },
		{ "verify", required_argument, NULL, OPT_VERIFY },
		{ "reel", required_argument, NULL, OPT_REEL },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_submit sub = { .kind = "ingest.copy" };
	json_t *params = json_object();
	const char *client = NULL, *production = NULL;
	bool wait = false, json = false;
	char err[512], real[PATH_MAX], *ptext = NULL, *srcs = NULL, *end;
	size_t srclen = 0;
	unsigned set;
	int64_t id;
	int c, rc = CMD_EXIT_ERROR, i;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_CLIENT:
			client = optarg;
			break;
		case OPT_PRODUCTION:
			production = optarg;
			break;
		case OPT_TO:
			json_object_set_new(params, "to", json_string(optarg));
			break;
		case OPT_TEMPLATE:
			json_object_set_new(params, "template",
			    json_string(optarg));
			break;
		case OPT_HASH:
			if (vcopy_algos_parse(optarg, &set, err,
			    sizeof err) < 0) {
				rc = cmd_usage_error(ctx, "--hash: %s", err);
				goto out;
			}
			json_object_set_new(params, "hash",
			    json_string(optarg));
			break;
		case OPT_VERIFY:
			if (strcmp(optarg, "source") != 0 &&
			    strcmp(optarg, "destination") != 0) {
				rc = cmd_usage_error(ctx, "--verify must be "
				    "source or destination");
				goto out;
			}
			json_object_set_new(params, "verify",
			    json_string(optarg));
			break;
		case OPT_REEL:
			json_object_set_new(params, "reel",
			    json_string(optarg));
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_PRIORITY:
			sub.priority = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' ||
			    sub.priority < -1000 || sub.priority > 1000) {
				rc = cmd_usage_error(ctx, "--priority '%s' is "
				    "not a number from -1000 to 1000", optarg);
				goto out;
			}
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr ingest SRC... --client C "
			    "--production P [OPTION...]\n"
			    "Copy camera cards, drives, upload folders or files "
			    "onto the volumes: one read,\ninline hashes, every "
			    "destination read back, ASC MHL, virus scan, "
			    "catalogue.\n\n"
			    "      --client C        the client (required)\n"
			    "      --production P    the production (required)\n"
			    "      --to VOL,...      destination volumes or paths "
			    "inside them\n"
			    "      --template NAME   naming template "
			    "([ingest] template.NAME)\n"
			    "      --hash H,...      xxh128 (default), xxh3, "
			    "xxh64, md5, sha1, sha256, c4\n"
			    "      --verify MODE     destination (read copies "
			    "back; default) or source\n"
			    "      --reel NAME       the reel name; default: the "
			    "source folder's name\n"
			    "      --priority N      higher runs first\n"
			    "      --wait            follow the job; exit 0 when "
			    "done, 1 when it failed\n"
			    "      --json            print {\"id\": N}\n"
			    "      --no-daemon       queue only; do not start "
			    "mcrd\n%s", cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			goto out;
		}
	}
	if (optind >= argc) {
		rc = cmd_usage_error(ctx, "give at least one source folder or "
		    "file");
		goto out;
	}
	if (client == NULL || *client == '\0' || production == NULL ||
	    *production == '\0') {
		rc = cmd_usage_error(ctx, "--client and --production are "
		    "required");
		goto out;
	}
	for (i = optind; i < argc; i++) {
		size_t n;

		if (realpath(argv[i], real) == NULL) {
			rc = cmd_error("cannot read source %s: %m; check that "
			    "the card or drive is connected", argv[i]);
			goto out;
		}
		if (strchr(real, '\n') != NULL ||
		    !strutil_utf8_valid(real, strlen(real))) {
			rc = cmd_error("source %s has a newline or bytes that "
			    "are not UTF-8 in its path; rename the folder",
			    argv[i]);
			goto out;
		}
		n = strlen(real);
		srcs = xrealloc(srcs, srclen + n + 2);
		if (srclen > 0)
			srcs[srclen++] = '\n';
		memcpy(srcs + srclen, real, n + 1);
		srclen += n;
	}
	json_object_set_new(params, "src", json_string(srcs));
	json_object_set_new(params, "client", json_string(client));
	json_object_set_new(params, "production", json_string(production));
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	if (plugin_find_kind(ctx->plugins, sub.kind, NULL) == NULL) {
		cmd_error("the ingest plugin is not installed (no plugin runs "
		    "ingest.copy); 'mcr plugins' lists what is");
		goto out;
	}
	ptext = json_dumps(params, JSON_COMPACT);
	sub.params = ptext;
	sub.subject = production;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	rc = CMD_EXIT_ERROR;
	if (shiftlog_job_submit(ctx->sl, &sub, &id) < 0) {
		cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if (json)
		cmd_json_print(json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("job %lld queued: ingest of %d source%s for %s / %s\n",
		    (long long)id, argc - optind, argc - optind == 1 ? "" : "s",
		    client, production);
	fflush(stdout);
	if ((rc = cmd_daemon_ensure(ctx)) != 0)
		goto out;
	rc = wait ? cmd_wait_job(ctx, id, 0, json) : CMD_EXIT_OK;
out:
	json_decref(params);
	free(ptext);
	free(srcs);
	return rc;
}
