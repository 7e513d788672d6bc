/*
 * mcr asset: the register of physical assets (drives, tapes, cards).
 * 'in' books an asset in (and registers a new one), 'out' dispatches it,
 * 'move' records a new shelf or room, 'link' ties media catalogue rows to
 * the asset they were ingested from; 'show' prints an asset's chain of
 * custody and 'list' the register. Each change is one transaction with
 * its event in the shift log.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shiftlog.h"
#include "when.h"

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static const char *
utc(json_t *o, const char *k, char *buf, size_t len)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? when_format(json_integer_value(v), true,
	    buf, len) : "-";
}

static int
show(struct cmd_ctx *ctx, const char *label, bool json)
{
	char *text = NULL, t[64];
	json_t *a, *x;
	size_t i;

	if (shiftlog_asset_json(ctx->sl, label, &text) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	a = json_loads(text, 0, NULL);
	free(text);
	if (json)
		return cmd_json_print(a);
	printf("%s  %s  client %s%s%s  %s%s%s\n", jstr(a, "label"),
	    jstr(a, "format"), jstr(a, "client"), *jstr(a, "production") ?
	    ", production " : "", jstr(a, "production"), jstr(a, "state"),
	    *jstr(a, "location") ? ", " : "", jstr(a, "location"));
	printf("\nchain of custody:\n");
	json_array_foreach(json_object_get(a, "custody"), i, x) {
		printf("  %s  %-4s %-20s", utc(x, "time", t, sizeof t),
		    jstr(x, "action"), jstr(x, "location"));
		if (*jstr(x, "courier"))
			printf("  courier %s", jstr(x, "courier"));
		if (*jstr(x, "reference"))
			printf("  ref %s", jstr(x, "reference"));
		printf("  signed %s  (by %s@%s)",
		    *jstr(x, "signed_by") ? jstr(x, "signed_by") : "-",
		    jstr(x, "user"), jstr(x, "host"));
		if (*jstr(x, "note")) {
			fputs("  ", stdout);
			cmd_print_safe(stdout, jstr(x, "note"));
		}
		putchar('\n');
	}
	if (json_array_size(json_object_get(a, "media")) > 0) {
		printf("\nmedia ingested from it:\n");
		json_array_foreach(json_object_get(a, "media"), i, x) {
			printf("  %lld  ", (long long)json_integer_value(
			    json_object_get(x, "id")));
			cmd_print_safe(stdout, jstr(x, "path"));
			putchar('\n');
		}
	}
	json_decref(a);
	return 0;
}

static int
list(struct cmd_ctx *ctx, const char *state, bool json)
{
	char *text = NULL, t[64];
	json_t *arr, *a;
	size_t i;

	if (shiftlog_assets_json(ctx->sl, state, &text) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	arr = json_loads(text, 0, NULL);
	free(text);
	if (json)
		return cmd_json_print(arr);
	json_array_foreach(arr, i, a) {
		printf("%-16s %-10s %-4s %-16s %-14s %-14s %s\n",
		    jstr(a, "label"), jstr(a, "format"), jstr(a, "state"),
		    jstr(a, "location"), jstr(a, "client"),
		    jstr(a, "production"), utc(a, "updated", t, sizeof t));
	}
	json_decref(arr);
	return 0;
}

int
cmd_asset(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FORMAT = CMD_OPT_VERB, OPT_CLIENT, OPT_PRODUCTION, OPT_TO,
		OPT_COURIER, OPT_REF, OPT_SIGNED, OPT_NOTE, OPT_STATE,
		OPT_MEDIA };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "production", required_argument, NULL, OPT_PRODUCTION },
		{ "to", required_argument, NULL, OPT_TO },
		{ "at", required_argument, NULL, OPT_TO },
		{ "courier", required_argument, NULL, OPT_COURIER },
		{ "ref", required_argument, NULL, OPT_REF },
		{ "signed", required_argument, NULL, OPT_SIGNED },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "media", required_argument, NULL, OPT_MEDIA },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_custody cu = { 0 };
	const char *state = NULL, *sub;
	int64_t media = 0;
	bool json = false;
	char *end;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_FORMAT: cu.format = optarg; break;
		case OPT_CLIENT: cu.client = optarg; break;
		case OPT_PRODUCTION: cu.production = optarg; break;
		case OPT_TO: cu.location = optarg; break;
		case OPT_COURIER: cu.courier = optarg; break;
		case OPT_REF: cu.reference = optarg; break;
		case OPT_SIGNED: cu.signed_by = optarg; break;
		case OPT_NOTE: cu.note = optarg; break;
		case OPT_STATE:
			if (strcmp(optarg, "in") != 0 && strcmp(optarg, "out"))
				return cmd_usage_error(ctx, "--state '%s' is "
				    "not in or out", optarg);
			state = optarg;
			break;
		case OPT_MEDIA:
			media = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || media <= 0)
				return cmd_usage_error(ctx, "--media '%s' is not "
				    "a media catalogue id", optarg);
			break;
		case CMD_OPT_JSON: json = true; break;
		case 'h':
			printf("Usage: mcr asset in LABEL --format F --client C "
			    "[--production P] [--at SHELF]\n"
			    "                  [--courier X] [--ref R] [--signed "
			    "NAME] [--note TEXT]\n"
			    "       mcr asset out LABEL --to WHO [--courier X] "
			    "[--ref R] [--signed NAME]\n"
			    "       mcr asset move LABEL --to SHELF [--signed "
			    "NAME]\n"
			    "       mcr asset link LABEL --media ID\n"
			    "       mcr asset show LABEL [--json]\n"
			    "       mcr asset list [--state in|out] [--json]\n"
			    "The register of drives, tapes and cards, with each "
			    "one's chain of custody.\n%s", cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "give in, out, move, link, show or "
		    "list");
	sub = argv[optind++];
	if (strcmp(sub, "list") == 0) {
		if (optind != argc)
			return cmd_usage_error(ctx, "list takes no label");
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			return rc;
		return list(ctx, state, json);
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, "give one asset label or barcode");
	cu.label = argv[optind];
	if (strcmp(sub, "show") == 0) {
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			return rc;
		return show(ctx, cu.label, json);
	}
	if (strcmp(sub, "in") != 0 && strcmp(sub, "out") != 0 &&
	    strcmp(sub, "move") != 0 && strcmp(sub, "link") != 0)
		return cmd_usage_error(ctx, "'%s' is not in, out, move, link, "
		    "show or list", sub);
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (strcmp(sub, "link") == 0) {
		if (media == 0)
			return cmd_usage_error(ctx, "give the media catalogue "
			    "row with --media ID");
		if (shiftlog_asset_link(ctx->sl, cu.label, media) < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		printf("media %lld linked to asset %s\n", (long long)media,
		    cu.label);
		return 0;
	}
	cu.action = sub;
	if (shiftlog_asset_custody(ctx->sl, &cu) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	printf("asset %s: %s%s%s\n", cu.label, strcmp(sub, "in") == 0 ? "in" :
	    strcmp(sub, "out") == 0 ? "out" : "moved", cu.location ? ", " : "",
	    cu.location ? cu.location : "");
	return 0;
}
