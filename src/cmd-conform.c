/*
 * mcr conform: an EDL checked against the media catalogue (conform.c), the
 * catalogue read from the shift log's media table. The report goes to
 * stdout (text or --json) and to --report FILE (.html, .json or .txt);
 * --pull-list prints the source ranges an online needs instead. Each check
 * is recorded in the shift log: a conform.check event with the summary and
 * the whole report as a generic record it points to.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "conform.h"
#include "edl.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

#define EDL_MAX (64 * 1024 * 1024)

static void
conform_help(void)
{
	printf("Usage: mcr conform EDL [--rate RATE] [--media-root PATH] "
	    "[--match LIST]\n"
	    "                  [--json] [--report OUT.html|.json|.txt]\n"
	    "       mcr conform EDL --pull-list [--handles N] [-o "
	    "OUT.csv|.json] [--json]\n"
	    "Check a CMX3600 EDL against the media catalogue: every event "
	    "resolved to\ncatalogued media, its source range inside the "
	    "media's timecode, record and\nsource durations agreeing, gaps "
	    "and overlaps per track, FCM against the media's\ndrop-frame "
	    "flag. Offline media that moved gets a relink suggestion. Exits 0 "
	    "when\nevery event resolved cleanly, 1 when one is missing, out "
	    "of range or ambiguous\n(or its durations disagree), 2 on an "
	    "error.\n\n"
	    "      --rate RATE       the EDL's frame rate: 23.976, 24, 25, "
	    "29.97df, 29.97, 30,\n"
	    "                        50, 59.94df, 59.94 or 60 (a DROP FRAME "
	    "EDL implies 29.97df)\n"
	    "      --media-root PATH only media under PATH; offline media is "
	    "looked for here\n"
	    "      --match LIST      the names tried, in order (default "
	    "source,clip,reel):\n"
	    "                        source = * SOURCE FILE, clip = * FROM "
	    "CLIP NAME,\n"
	    "                        reel = the reel or tape name\n"
	    "      --report FILE     also write the report as HTML, JSON or "
	    "text (by extension)\n"
	    "      --pull-list       print the source files and ranges to pull "
	    "(CSV, or --json)\n"
	    "      --handles N       frames added to each end of a pulled range "
	    "(default 0)\n"
	    "  -o, --output FILE     write the pull list to FILE (.json for "
	    "JSON) instead\n"
	    "      --no-record       do not record the check in the shift log\n"
	    "      --json            print JSON (mcr(1) documents the keys)\n"
	    "%s", cmd_common_help);
}

static char *
read_edl(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		cmd_error("cannot open the EDL %s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		cmd_error("the EDL %s is not a regular file", path);
		return NULL;
	}
	if (st.st_size > EDL_MAX) {
		close(fd);
		cmd_error("the EDL %s is %lld bytes; an EDL is text of at most "
		    "%d MB", path, (long long)st.st_size, EDL_MAX >> 20);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (n < (size_t)st.st_size && (r = read(fd, buf + n,
	    (size_t)st.st_size - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			cmd_error("cannot read the EDL %s: %s", path,
			    strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The catalogue side of conform: the shift log's media table. */
struct catalogue {
	struct shiftlog *sl;
	struct shiftlog_media_matcher *mm;
};

struct finder {
	struct shiftlog_media_matcher *mm;
	struct conform_media **v;
	size_t *n, cap;
};

static int
take_row(const struct shiftlog_media_row *r, void *arg)
{
	struct finder *f = arg;
	struct conform_media *m;

	/* Grown by doubling: a reel may hold hundreds of clips. */
	if ((*f->n & (*f->n - 1)) == 0)
		*f->v = xrealloc(*f->v, (*f->n ? *f->n * 2 : 64) * sizeof **f->v);
	m = &(*f->v)[(*f->n)++];
	m->id = r->id;
	conform_media_pack(m, r->path, r->name, r->clip, r->reel, r->rate,
	    r->tc_start, r->hashes, r->state);
	m->size = r->size;
	m->frames = r->frames;
	m->duration = r->duration;
	m->drop_frame = r->drop_frame;
	return 0;
}

static int
find_media(void *arg, enum conform_key by, const char *key,
    const struct conform_at *at, struct conform_media **v, size_t *n,
    char *err, size_t errlen)
{
	static const enum shiftlog_media_by map[] = {
		[CONFORM_BY_SOURCE_FILE] = SHIFTLOG_MEDIA_BY_NAME,
		[CONFORM_BY_CLIP_NAME] = SHIFTLOG_MEDIA_BY_CLIP,
		[CONFORM_BY_REEL] = SHIFTLOG_MEDIA_BY_REEL,
	};
	struct catalogue *cat = arg;
	struct finder f = { .mm = cat->mm, .v = v, .n = n };
	struct shiftlog_media_at sat;
	char rate[32];

	if (at != NULL) {
		strutil_format(rate, sizeof rate, "%d/%d", at->rate->num,
		    at->rate->den);
		sat.rate = rate;
		sat.drop_frame = at->rate->drop != 0;
		sat.first = at->first;
		sat.end = at->end;
		sat.frames_per_day = tc_frames_per_day(at->rate);
	}
	if (shiftlog_media_match(f.mm, map[by], key, at != NULL ? &sat : NULL,
	    take_row, &f) < 0) {
		strutil_copy(err, shiftlog_errmsg(cat->sl), errlen);
		return -1;
	}
	return 0;
}

static int
parse_match(const char *s, struct conform_opts *o)
{
	char *copy = xstrdup(s), *save = NULL, *w;
	int rc = 0;

	o->norder = 0;
	for (w = strtok_r(copy, ",", &save); w != NULL; w = strtok_r(NULL,
	    ",", &save)) {
		enum conform_key k;

		if (strcmp(w, "source") == 0)
			k = CONFORM_BY_SOURCE_FILE;
		else if (strcmp(w, "clip") == 0)
			k = CONFORM_BY_CLIP_NAME;
		else if (strcmp(w, "reel") == 0)
			k = CONFORM_BY_REEL;
		else {
			rc = -1;
			break;
		}
		if (o->norder == CONFORM_NKEYS) {
			rc = -1;
			break;
		}
		o->order[o->norder++] = k;
	}
	free(copy);
	return rc == 0 && o->norder > 0 ? 0 : -1;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

/* Writes through a temporary name, so a failed write leaves nothing that
 * looks like a finished report. */
static int
write_file(const char *path, const struct conform_result *r,
    const struct conform_pull *pull, size_t npull, int64_t handles,
    bool pull_list)
{
	char *tmp = xasprintf("%s.part", path);
	FILE *f = fopen(tmp, "w");
	int bad = 0;

	if (f == NULL) {
		free(tmp);
		return cmd_error("cannot write %s: %s", path, strerror(errno));
	}
	if (pull_list && ends_with(path, ".json"))
		bad = json_dumpf(conform_pull_json(pull, npull, handles), f,
		    JSON_INDENT(2)) < 0;
	else if (pull_list)
		conform_pull_csv(f, pull, npull);
	else if (ends_with(path, ".html") || ends_with(path, ".htm"))
		bad = conform_html(f, r) < 0;
	else if (ends_with(path, ".json")) {
		json_t *doc = conform_json(r);

		bad = json_dumpf(doc, f, JSON_INDENT(2)) < 0;
		json_decref(doc);
	} else
		conform_text(f, r);
	if (fclose(f) != 0 || bad || ferror(stdout)) {
		unlink(tmp);
		free(tmp);
		return cmd_error("cannot write %s: %s", path, strerror(errno));
	}
	if (rename(tmp, path) < 0) {
		unlink(tmp);
		free(tmp);
		return cmd_error("cannot write %s: %s", path, strerror(errno));
	}
	free(tmp);
	return 0;
}

/* The check into the shift log: the whole report as a record, and an
 * event that says how it went and points at it. */
static int
record(struct cmd_ctx *ctx, const struct conform_result *r, const char *edl)
{
	json_t *doc = conform_json(r);
	char *text = json_dumps(doc, JSON_COMPACT), *data, msg[512];
	struct shiftlog_event ev = { .kind = "conform.check" };
	int64_t id;
	int rc;

	rc = shiftlog_record(ctx->sl, 0, "conform.report", text);
	free(text);
	if (rc < 0) {
		json_decref(doc);
		return cmd_error("cannot record the check: %s",
		    shiftlog_errmsg(ctx->sl));
	}
	id = shiftlog_last_row_id(ctx->sl);
	data = json_dumps(json_pack("{s:O, s:O, s:I}", "verdict",
	    json_object_get(doc, "verdict"), "summary", json_object_get(doc,
	    "summary"), "record", (json_int_t)id), JSON_COMPACT);
	strutil_format(msg, sizeof msg, "conform %s: %zu events, %zu resolved, "
	    "%zu missing, %zu out of range, %zu ambiguous",
	    r->failed ? "failed" : "passed", r->edl->nevents,
	    r->count[CONFORM_RESOLVED], r->count[CONFORM_MISSING],
	    r->count[CONFORM_OUT_OF_RANGE], r->count[CONFORM_AMBIGUOUS]);
	ev.severity = r->failed ? "warning" : "info";
	ev.subject = edl;
	ev.message = msg;
	ev.data = data;
	rc = shiftlog_append(ctx->sl, &ev, 1);
	free(data);
	json_decref(doc);
	if (rc < 0)
		return cmd_error("cannot record the check: %s",
		    shiftlog_errmsg(ctx->sl));
	return 0;
}

int
cmd_conform(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_RATE = CMD_OPT_VERB, OPT_ROOT, OPT_MATCH, OPT_REPORT,
		OPT_PULL, OPT_HANDLES, OPT_NO_RECORD };
	static const struct option longopts[] = {
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "media-root", required_argument, NULL, OPT_ROOT },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "report", required_argument, NULL, OPT_REPORT },
		{ "pull-list", no_argument, NULL, OPT_PULL },
		{ "handles", required_argument, NULL, OPT_HANDLES },
		{ "output", required_argument, NULL, 'o' },
		{ "no-record", no_argument, NULL, OPT_NO_RECORD },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct conform_opts o = { .find = find_media };
	struct catalogue cat;
	const struct tc_rate *rate = NULL;
	const char *report = NULL, *output = NULL, *path;
	bool json = false, pull_list = false, no_record = false;
	struct conform_result *r = NULL;
	struct conform_pull *pull = NULL;
	struct edl *e = NULL;
	char err[640], *text, *end, root[4096];
	size_t len, npull = 0;
	int c, rc;

	ctx->only_existing = true;
	while ((c = cmd_getopt(ctx, argc, argv, "ho:", longopts)) != -1) {
		switch (c) {
		case OPT_RATE:
			if (tc_rate_parse(optarg, &rate, err, sizeof err) < 0)
				return cmd_usage_error(ctx, "%s", err);
			break;
		case OPT_ROOT:
			if (realpath(optarg, root) == NULL)
				return cmd_usage_error(ctx, "--media-root %s: %s",
				    optarg, strerror(errno));
			o.media_root = root;
			break;
		case OPT_MATCH:
			if (parse_match(optarg, &o) < 0)
				return cmd_usage_error(ctx, "--match '%s' is not "
				    "a list of source, clip and reel", optarg);
			break;
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_PULL:
			pull_list = true;
			break;
		case OPT_HANDLES:
			o.handles = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o.handles < 0 ||
			    o.handles > 100000)
				return cmd_usage_error(ctx, "--handles '%s' is not "
				    "a number of frames from 0 to 100000", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_NO_RECORD:
			no_record = true;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			conform_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind + 1 != argc)
		return cmd_usage_error(ctx, optind >= argc ? "name the EDL to "
		    "check" : "check one EDL at a time");
	if (output != NULL && !pull_list)
		return cmd_usage_error(ctx, "-o writes the pull list; use "
		    "--report FILE for the report");
	path = argv[optind];
	if ((text = read_edl(path, &len)) == NULL)
		return CMD_EXIT_ERROR;
	if (rate == NULL) {
		/* The first FCM says drop frame, or nothing tells the rate. */
		const char *fcm = strstr(text, "FCM:");

		if (fcm != NULL && strncmp(fcm + 4 + strspn(fcm + 4, " \t"),
		    "DROP FRAME", 10) == 0)
			tc_rate_parse("29.97df", &rate, err, sizeof err);
		else {
			free(text);
			return cmd_usage_error(ctx, "say the EDL's frame rate "
			    "with --rate (23.976, 24, 25, 29.97df, 29.97, 30, "
			    "50, 59.94df, 59.94 or 60): a NON-DROP FRAME EDL "
			    "does not carry it");
		}
	}
	rc = edl_parse(text, len, path, rate, &e, err, sizeof err);
	free(text);
	if (rc != EDL_OK)
		return cmd_error("%s", err);
	if ((rc = cmd_shiftlog(ctx)) != 0) {
		edl_free(e);
		return rc;
	}
	cat.sl = ctx->sl;
	cat.mm = shiftlog_media_matcher(ctx->sl);
	o.find_arg = &cat;
	rc = conform_run(e, path, &o, &r, err, sizeof err);
	shiftlog_media_matcher_free(cat.mm);
	if (rc < 0) {
		edl_free(e);
		return cmd_error("cannot read the media catalogue: %s", err);
	}
	rc = CMD_EXIT_OK;
	if (pull_list) {
		conform_pull_list(r, o.handles, &pull, &npull);
		if (output != NULL)
			rc = write_file(output, r, pull, npull, o.handles, true);
		else if (json)
			rc = cmd_json_print(conform_pull_json(pull, npull,
			    o.handles));
		else
			conform_pull_csv(stdout, pull, npull);
	} else if (json)
		rc = cmd_json_print(conform_json(r));
	else
		conform_text(stdout, r);
	if (rc == CMD_EXIT_OK && report != NULL)
		rc = write_file(report, r, NULL, 0, 0, false);
	if (rc == CMD_EXIT_OK && !no_record && !ctx->read_only)
		rc = record(ctx, r, path);
	if (rc == CMD_EXIT_OK && !pull_list && r->failed)
		rc = CMD_EXIT_CHECK_FAILED;
	if (rc == CMD_EXIT_OK && pull_list && r->failed)
		fprintf(stderr, "mcr conform: the pull list leaves out %zu "
		    "clip lines that did not resolve; run without "
		    "--pull-list to see them\n", r->count[CONFORM_MISSING] +
		    r->count[CONFORM_OUT_OF_RANGE] +
		    r->count[CONFORM_AMBIGUOUS]);
	conform_pull_free(pull, npull);
	conform_free(r);
	edl_free(e);
	return rc;
}
