/*
 * mcr media: the media catalogue, filtered by client, production, reel,
 * volume, name, hash, folder or job; a table for people, --json for
 * scripts (every column, hashes and meta as objects).
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shiftlog.h"
#include "strutil.h"

struct media_out {
	bool json;
	json_t *rows;
	size_t n;
};

static json_t *
opt_text(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static int
media_row(const struct shiftlog_media *m, void *arg)
{
	struct media_out *o = arg;
	char size[32], fmt[64];

	o->n++;
	if (o->json) {
		json_t *r = json_object();

		json_object_set_new(r, "id", json_integer(m->id));
		json_object_set_new(r, "path", opt_text(m->path));
		json_object_set_new(r, "volume", opt_text(m->volume));
		json_object_set_new(r, "name", opt_text(m->name));
		json_object_set_new(r, "size", json_integer(m->size));
		json_object_set_new(r, "mtime", json_integer(m->mtime));
		json_object_set_new(r, "catalogued",
		    json_integer(m->catalogued));
		json_object_set_new(r, "verified", m->verified ?
		    json_integer(m->verified) : json_null());
		json_object_set_new(r, "job", m->job_id ?
		    json_integer(m->job_id) : json_null());
		json_object_set_new(r, "source", opt_text(m->source));
		json_object_set_new(r, "client", opt_text(m->client));
		json_object_set_new(r, "production", opt_text(m->production));
		json_object_set_new(r, "reel", opt_text(m->reel));
		json_object_set_new(r, "clip", opt_text(m->clip));
		json_object_set_new(r, "hashes", json_loads(m->hashes, 0,
		    NULL));
		json_object_set_new(r, "container", opt_text(m->container));
		json_object_set_new(r, "video_codec",
		    opt_text(m->video_codec));
		json_object_set_new(r, "width", m->width ?
		    json_integer(m->width) : json_null());
		json_object_set_new(r, "height", m->height ?
		    json_integer(m->height) : json_null());
		json_object_set_new(r, "rate", opt_text(m->rate));
		json_object_set_new(r, "scan", opt_text(m->scan));
		json_object_set_new(r, "duration", m->duration >= 0 ?
		    json_real(m->duration) : json_null());
		json_object_set_new(r, "frames", m->frames >= 0 ?
		    json_integer(m->frames) : json_null());
		json_object_set_new(r, "tc_start", opt_text(m->tc_start));
		json_object_set_new(r, "drop_frame", m->tc_start != NULL ?
		    json_boolean(m->drop_frame) : json_null());
		json_object_set_new(r, "audio_codec",
		    opt_text(m->audio_codec));
		json_object_set_new(r, "audio_channels", m->audio_channels ?
		    json_integer(m->audio_channels) : json_null());
		json_object_set_new(r, "audio_layout",
		    opt_text(m->audio_layout));
		json_object_set_new(r, "state", opt_text(m->state));
		json_object_set_new(r, "meta", json_loads(m->meta, 0, NULL));
		json_array_append_new(o->rows, r);
		return 0;
	}
	strutil_bytes((uint64_t)m->size, size, sizeof size);
	if (m->video_codec != NULL)
		snprintf(fmt, sizeof fmt, "%s %lldx%lld %s", m->video_codec,
		    (long long)m->width, (long long)m->height,
		    m->rate != NULL ? m->rate : "");
	else if (m->audio_codec != NULL)
		snprintf(fmt, sizeof fmt, "%s %lldch", m->audio_codec,
		    (long long)m->audio_channels);
	else
		snprintf(fmt, sizeof fmt, "-");
	printf("%-9s %-10s %-12s %-8s %-11s %-24s ", size, m->volume ?
	    m->volume : "-", m->production ? m->production : "-",
	    m->reel ? m->reel : "-", m->tc_start ? m->tc_start : "-", fmt);
	cmd_print_safe(stdout, m->path);
	if (strcmp(m->state, "online") != 0)
		printf(" [%s]", m->state);
	putchar('\n');
	return 0;
}

int
cmd_media(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_CLIENT = CMD_OPT_VERB, OPT_PRODUCTION, OPT_REEL,
		OPT_VOLUME, OPT_NAME, OPT_HASH, OPT_UNDER, OPT_JOB, OPT_STATE,
		OPT_LIMIT };
	static const struct option longopts[] = {
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "production", required_argument, NULL, OPT_PRODUCTION },
		{ "reel", required_argument, NULL, OPT_REEL },
		{ "volume", required_argument, NULL, OPT_VOLUME },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "hash", required_argument, NULL, OPT_HASH },
		{ "under", required_argument, NULL, OPT_UNDER },
		{ "job", required_argument, NULL, OPT_JOB },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_media_filter f = { 0 };
	struct media_out o = { 0 };
	char *end;
	int c, rc;

	ctx->only_existing = true;
	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_CLIENT:
			f.client = optarg;
			break;
		case OPT_PRODUCTION:
			f.production = optarg;
			break;
		case OPT_REEL:
			f.reel = optarg;
			break;
		case OPT_VOLUME:
			f.volume = optarg;
			break;
		case OPT_NAME:
			f.name = optarg;
			break;
		case OPT_HASH:
			f.hash = optarg;
			break;
		case OPT_UNDER:
			f.under = optarg;
			while (strlen(optarg) > 1 &&
			    optarg[strlen(optarg) - 1] == '/')
				optarg[strlen(optarg) - 1] = '\0';
			break;
		case OPT_STATE:
			f.state = optarg;
			break;
		case OPT_JOB:
		case OPT_LIMIT:
			{
				long long v = strtoll(optarg, &end, 10);

				if (*optarg == '\0' || *end != '\0' || v < 1)
					return cmd_usage_error(ctx, "'%s' is not "
					    "a positive number", optarg);
				if (c == OPT_JOB)
					f.job = v;
				else
					f.limit = v;
			}
			break;
		case CMD_OPT_JSON:
			o.json = true;
			break;
		case 'h':
			printf("Usage: mcr media [OPTION...]\n"
			    "List the media catalogue: every file mcr ingested, "
			    "at every destination.\n\n"
			    "      --client C       only this client's\n"
			    "      --production P   only this production's\n"
			    "      --reel R         only this reel (card)\n"
			    "      --volume V       only on this volume\n"
			    "      --name GLOB      file name, or a glob such as "
			    "'A001*'\n"
			    "      --hash HEX       files with this hash (any "
			    "algorithm)\n"
			    "      --under DIR      files inside this folder\n"
			    "      --job ID         what job ID catalogued\n"
			    "      --state S        online, missing, quarantined, "
			    "deleted\n"
			    "      --limit N        the N newest rows\n"
			    "      --json           every column as JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (o.json)
		o.rows = json_array();
	else
		printf("%-9s %-10s %-12s %-8s %-11s %-24s %s\n", "SIZE",
		    "VOLUME", "PRODUCTION", "REEL", "TC", "FORMAT", "PATH");
	if (shiftlog_media(ctx->sl, &f, media_row, &o) < 0) {
		json_decref(o.rows);
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	}
	if (o.json)
		return cmd_json_print(o.rows);
	return CMD_EXIT_OK;
}
