/*
 * mcr archive and mcr restore: the operator's side of storage.archive and
 * storage.restore. archive checks the words before anything is queued:
 * what is archived lies inside a configured volume (not its root), and
 * --to names an archive volume, or a folder inside one, other than the
 * source's; it then queues the job with absolute paths (mcrd works from
 * /). restore looks up the archive copies in the catalogue (by the path
 * that was archived, a folder above it, an archive path, or a media id),
 * works out where each goes back to (where it came from, or under --to),
 * and hands the job the hashes the catalogue recorded at archive time, so
 * the job verifies the archive's bytes against them and not only against
 * themselves. --wait follows the job like `mcr submit --wait`.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd.h"
#include "config.h"
#include "mcr-plugin.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "vcopy.h"
#include "xmalloc.h"

static const struct config_volume *
volume_named(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nvolumes; i++) {
		if (strcmp(cfg->volumes[i].name, name) == 0)
			return &cfg->volumes[i];
	}
	return NULL;
}

static const char *
base_name(const char *p)
{
	const char *s = strrchr(p, '/');

	return s != NULL ? s + 1 : p;
}

/* Queues the job and follows it with --wait; takes ownership of params. */
static int
queue(struct cmd_ctx *ctx, const char *kind, json_t *params,
    const char *subject, int64_t priority, bool wait, bool json,
    const char *what)
{
	struct shiftlog_submit sub = { .kind = kind, .subject = subject,
	    .priority = priority };
	char *ptext = json_dumps(params, JSON_COMPACT);
	int64_t id;
	int rc;

	json_decref(params);
	if (ptext == NULL)
		return cmd_error("the job's parameters cannot be written (a "
		    "path that is not UTF-8?); rename it");
	sub.params = ptext;
	if (shiftlog_job_submit(ctx->sl, &sub, &id) < 0) {
		free(ptext);
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	}
	free(ptext);
	if (json)
		cmd_json_print(json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("job %lld queued: %s\n", (long long)id, what);
	fflush(stdout);
	if ((rc = cmd_daemon_ensure(ctx)) != 0)
		return rc;
	return wait ? cmd_wait_job(ctx, id, 0, json) : CMD_EXIT_OK;
}

static int
parse_priority(struct cmd_ctx *ctx, const char *s, int64_t *out)
{
	char *end;

	*out = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || *out < -1000 || *out > 1000)
		return cmd_usage_error(ctx, "--priority '%s' is not a number "
		    "from -1000 to 1000", s);
	return 0;
}

static int
need_plugin(struct cmd_ctx *ctx, const char *kind)
{
	if (plugin_find_kind(ctx->plugins, kind, NULL) == NULL)
		return cmd_error("the storage plugin does not run %s here; "
		    "'mcr plugins' lists what is installed", kind);
	return 0;
}

/* --to VOLUME or a folder inside one: its volume and real path. */
static int
resolve_to(struct cmd_ctx *ctx, const char *verb, const char *to,
    const struct config_volume **vol, char **base, bool *named)
{
	char *abs = NULL, *rel = NULL;
	int rc;

	*vol = volume_named(ctx->cfg, to);
	*named = *vol != NULL;
	if (*vol != NULL) {
		if ((*base = realpath((*vol)->path, NULL)) == NULL)
			return cmd_error("%s: cannot reach volume %s at %s: %s; "
			    "check that it is mounted", verb, to, (*vol)->path,
			    strerror(errno));
		return 0;
	}
	if (strchr(to, '/') == NULL)
		return cmd_error("%s: there is no volume '%s'; give a "
		    "configured volume's name or a folder inside one", verb,
		    to);
	rc = cmd_storage_locate(ctx->cfg, to, vol, &abs, &rel);
	free(rel);
	if (rc < 0) {
		free(abs);
		return cmd_error("%s: cannot find %s: %s; give an existing "
		    "folder on a configured volume", verb, to, strerror(-rc));
	}
	if (rc > 0) {
		rc = cmd_error("%s: refused: %s lies outside every configured "
		    "volume; mcr writes only on its volumes (mcr.ini [volume "
		    "NAME]); nothing was copied", verb, abs);
		free(abs);
		return rc;
	}
	*base = abs;
	return 0;
}

int
cmd_archive(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TO = CMD_OPT_VERB, OPT_HASH, OPT_WAIT, OPT_PRIORITY,
		OPT_RATE };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "hash", required_argument, NULL, OPT_HASH },
		{ "rate", required_argument, NULL, OPT_RATE },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const struct config_volume *svol = NULL, *dvol = NULL;
	const char *to = NULL, *hash = NULL, *rate = NULL;
	double bytes;
	char *abs = NULL, *rel = NULL, *base = NULL, *dest = NULL, err[512];
	char what[PATH_MAX + 64];
	bool wait = false, json = false, named;
	int64_t priority = 0;
	unsigned set;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_TO:
			to = optarg;
			break;
		case OPT_HASH:
			if (vcopy_algos_parse(optarg, &set, err,
			    sizeof err) < 0)
				return cmd_usage_error(ctx, "--hash: %s", err);
			hash = optarg;
			break;
		case OPT_RATE:
			if (strutil_parse_bytes(optarg, &bytes) < 0)
				return cmd_usage_error(ctx, "--rate '%s' is not "
				    "bytes a second such as 200M", optarg);
			rate = optarg;
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_PRIORITY:
			if ((rc = parse_priority(ctx, optarg, &priority)) != 0)
				return rc;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr archive PATH --to VOLUME|FOLDER "
			    "[OPTION...]\n"
			    "Copy a file or folder from its volume to an archive "
			    "volume (nearline disk, or\nan LTFS tape mounted as a "
			    "filesystem) through mcrd: one read with inline\n"
			    "hashes, every copy read back, an ASC MHL generation "
			    "in the archived folder,\nand the archive copy "
			    "recorded beside each file's catalogue row, where "
			    "'mcr\ndelete' counts it as a verified copy. With "
			    "VOLUME the copy keeps its path\ninside the volume; "
			    "with a FOLDER on a volume it goes there under its "
			    "own name.\n\n"
			    "      --to VOLUME|FOLDER  the archive volume, or a "
			    "folder inside one\n"
			    "      --hash H,...        hashes beside xxh128: xxh3, "
			    "xxh64, md5, sha1, c4\n"
			    "      --rate BYTES        read at most this much a "
			    "second (K, M, G), e.g. 200M\n"
			    "      --priority N        higher runs first\n"
			    "      --wait              follow the job; exit 0 when "
			    "done, 1 when it failed\n"
			    "      --json              print {\"id\": N}\n"
			    "      --no-daemon         queue only; do not start "
			    "mcrd\n%s", cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (argc - optind != 1)
		return cmd_usage_error(ctx, "name one file or folder to archive");
	if (to == NULL)
		return cmd_usage_error(ctx, "give the archive volume with --to");
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	rc = cmd_storage_locate(ctx->cfg, argv[optind], &svol, &abs, &rel);
	if (rc < 0) {
		rc = cmd_error("archive: cannot find %s: %s; nothing was "
		    "archived", argv[optind], strerror(-rc));
		goto out;
	}
	if (rc > 0) {
		rc = cmd_error("archive: refused: %s lies outside every "
		    "configured volume; archive from a volume; nothing was "
		    "archived", abs);
		goto out;
	}
	if (*rel == '\0') {
		rc = cmd_error("archive: refused: %s is the root of volume %s; "
		    "archive the folders inside it; nothing was archived", abs,
		    svol->name);
		goto out;
	}
	if (strchr(abs, '\n') != NULL || !strutil_utf8_valid(abs,
	    strlen(abs))) {
		rc = cmd_error("archive: %s has a newline or bytes that are not "
		    "UTF-8 in its path; rename it first", argv[optind]);
		goto out;
	}
	if ((rc = resolve_to(ctx, "archive", to, &dvol, &base, &named)) != 0)
		goto out;
	if (dvol == svol) {
		rc = cmd_error("archive: refused: %s is on volume %s, the volume "
		    "%s is on; an archive copy must be on another volume; "
		    "nothing was archived", base, dvol->name, abs);
		goto out;
	}
	dest = named ? xasprintf("%s/%s", strcmp(base, "/") == 0 ? "" : base,
	    rel) : xasprintf("%s/%s", strcmp(base, "/") == 0 ? "" : base,
	    base_name(abs));
	if (strncmp(dest, abs, strlen(abs)) == 0 &&
	    (dest[strlen(abs)] == '/' || dest[strlen(abs)] == '\0')) {
		rc = cmd_error("archive: refused: %s lies inside %s itself; "
		    "nothing was archived", dest, abs);
		goto out;
	}
	if ((rc = need_plugin(ctx, "storage.archive")) != 0)
		goto out;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	strutil_format(what, sizeof what, "archive of %s to volume %s", abs,
	    dvol->name);
	rc = queue(ctx, "storage.archive", json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s*, s:s*}", "src", abs, "to", dest, "volume", dvol->name,
	    "source_volume", svol->name, "hash", hash, "rate", rate), abs,
	    priority, wait, json, what);
out:
	free(abs);
	free(rel);
	free(base);
	free(dest);
	return rc;
}

/* --- mcr restore --- */

struct pick {
	json_t *rows;		/* the newest online copy of each source */
	char *last;		/* the source of the row before */
	size_t damaged;		/* sources whose copies are all damaged */
	char *first_damaged;
	bool last_online;
	int64_t media_source_id;
};

static int
take_copy(const struct shiftlog_archive_copy *a, void *arg)
{
	struct pick *p = arg;
	json_t *h;

	/* Rows come by source, online and newest first. */
	if (p->last != NULL && strcmp(p->last, a->source) == 0)
		return 0;
	free(p->last);
	p->last = xstrdup(a->source);
	if (strcmp(a->state, "online") != 0) {
		if (p->damaged++ == 0)
			p->first_damaged = xstrdup(a->path);
		return 0;
	}
	h = json_loads(a->hashes, 0, NULL);
	json_array_append_new(p->rows, json_pack("{s:s, s:s?, s:s, s:s, s:I, "
	    "s:o}", "source", a->source, "source_volume", a->source_volume,
	    "path", a->path, "volume", a->volume, "size", (json_int_t)a->size,
	    "hashes", h != NULL ? h : json_object()));
	return 0;
}

/* The absolute form of a path that may no longer exist: the longest part
 * that does resolved, the rest as given. */
static char *
absolute(const char *p)
{
	char *copy = xstrdup(p), *cut, *real, *out;
	size_t n;

	while ((n = strlen(copy)) > 1 && copy[n - 1] == '/')
		copy[n - 1] = '\0';
	if ((real = realpath(copy, NULL)) != NULL) {
		free(copy);
		return real;
	}
	if ((cut = strrchr(copy, '/')) == NULL) {
		real = realpath(".", NULL);
		out = xasprintf("%s/%s", real != NULL ? real : "", copy);
	} else {
		*cut = '\0';
		real = absolute(*copy != '\0' ? copy : "/");
		out = xasprintf("%s/%s", strcmp(real, "/") == 0 ? "" : real,
		    cut + 1);
	}
	free(real);
	free(copy);
	return out;
}

int
cmd_restore(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TO = CMD_OPT_VERB, OPT_WAIT, OPT_PRIORITY };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "priority", required_argument, NULL, OPT_PRIORITY },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	struct pick p = { .rows = json_array() };
	const struct config_volume *dvol = NULL;
	const char *to = NULL;
	char *want = NULL, *base = NULL, *top = NULL, *end, what[PATH_MAX + 64];
	json_t *files = json_array(), *row;
	bool wait = false, json = false, named = false;
	int64_t priority = 0, media_id = 0;
	size_t i;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_TO:
			to = optarg;
			break;
		case OPT_WAIT:
			wait = true;
			break;
		case OPT_PRIORITY:
			if ((rc = parse_priority(ctx, optarg, &priority)) != 0)
				goto out;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr restore PATH|MEDIA-ID [--to "
			    "VOLUME|FOLDER] [OPTION...]\n"
			    "Copy archived files back through mcrd, each "
			    "verified against the hashes the\ncatalogue recorded "
			    "when it was archived: a damaged archive copy is "
			    "named,\nand nothing of it is left behind. PATH is "
			    "what was archived (a file or a\nfolder above it, "
			    "even when it is gone) or a copy in the archive; "
			    "MEDIA-ID a\ncatalogue row ('mcr media'). Files go "
			    "back where they came from, or with\n--to VOLUME to "
			    "the same place inside that volume, with --to FOLDER "
			    "under\nthat folder by their own name.\n\n"
			    "      --to VOLUME|FOLDER  restore somewhere else\n"
			    "      --priority N        higher runs first\n"
			    "      --wait              follow the job; exit 0 when "
			    "done, 1 when it failed\n"
			    "      --json              print {\"id\": N}\n"
			    "      --no-daemon         queue only; do not start "
			    "mcrd\n%s", cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			rc = CMD_EXIT_ERROR;
			goto out;
		}
	}
	if (argc - optind != 1) {
		rc = cmd_usage_error(ctx, "name one path or media id to restore");
		goto out;
	}
	media_id = strtoll(argv[optind], &end, 10);
	if (*argv[optind] == '\0' || *end != '\0' || media_id <= 0) {
		media_id = 0;
		want = absolute(argv[optind]);
	}
	ctx->need_plugins = true;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	if (shiftlog_archive_copies(ctx->sl, media_id, want, take_copy,
	    &p) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if (json_array_size(p.rows) == 0) {
		if (p.damaged > 0)
			rc = cmd_error("restore: the only archive copy of %s, "
			    "%s, was found damaged by an earlier restore; "
			    "nothing can be restored from it", argv[optind],
			    p.first_damaged);
		else
			rc = cmd_error("restore: the catalogue has no archive "
			    "copy of %s; 'mcr archive' makes one", argv[optind]);
		goto out;
	}
	if (p.damaged > 0) {
		rc = cmd_error("restore: %zu file%s under %s ha%s only damaged "
		    "archive copies (%s first); nothing was restored",
		    p.damaged, p.damaged == 1 ? "" : "s", argv[optind],
		    p.damaged == 1 ? "s" : "ve", p.first_damaged);
		goto out;
	}
	/* The top of what is restored: the path asked for, else (a media
	 * id, an archive path) the one source or the sources' common
	 * folder. */
	row = json_array_get(p.rows, 0);
	if (want != NULL && json_array_size(p.rows) > 0 && strncmp(
	    json_string_value(json_object_get(row, "source")), want,
	    strlen(want)) == 0)
		top = xstrdup(want);
	else {
		top = xstrdup(json_string_value(json_object_get(row,
		    "source")));
		if (json_array_size(p.rows) > 1)
			*strrchr(top, '/') = '\0';
		json_array_foreach(p.rows, i, row) {
			const char *s = json_string_value(json_object_get(row,
			    "source"));

			while (strncmp(s, top, strlen(top)) != 0 ||
			    (s[strlen(top)] != '/' && s[strlen(top)] != '\0'))
				*strrchr(top, '/') = '\0';
		}
		if (*top == '\0') {
			free(top);
			top = xstrdup("/");
		}
	}
	if (to != NULL && (rc = resolve_to(ctx, "restore", to, &dvol, &base,
	    &named)) != 0)
		goto out;
	json_array_foreach(p.rows, i, row) {
		const char *s = json_string_value(json_object_get(row, "source"));
		const char *sv = json_string_value(json_object_get(row,
		    "source_volume"));
		const struct config_volume *v = sv != NULL ?
		    volume_named(ctx->cfg, sv) : NULL;
		char *dest;

		if (to == NULL) {
			if (v == NULL) {
				rc = cmd_error("restore: %s came from volume %s, "
				    "which is not configured now; give --to",
				    s, sv != NULL ? sv : "(unknown)");
				goto out;
			}
			dest = xstrdup(s);
		} else if (named) {
			size_t n = v != NULL ? strlen(v->path) : 0;

			while (n > 1 && v->path[n - 1] == '/')
				n--;
			/* The same place inside the volume; a source of
			 * an unknown volume keeps its path under top. */
			if (v != NULL && strncmp(s, v->path, n) == 0 &&
			    s[n] == '/')
				dest = xasprintf("%s%s", strcmp(base, "/") ==
				    0 ? "" : base, s + n);
			else
				dest = xasprintf("%s/%s", base, s +
				    strlen(top) - strlen(base_name(top)));
		} else {
			/* top's own name, and its path below. */
			dest = xasprintf("%s/%s", strcmp(base, "/") == 0 ? "" :
			    base, s + (strlen(top) - strlen(base_name(top))));
		}
		json_array_append_new(files, json_pack("[s, s, O, O]",
		    json_string_value(json_object_get(row, "path")), dest,
		    json_object_get(row, "size"), json_object_get(row,
		    "hashes")));
		free(dest);
	}
	if ((rc = need_plugin(ctx, "storage.restore")) != 0)
		goto out;
	strutil_format(what, sizeof what, "restore of %s (%zu file%s) from "
	    "the archive", top, json_array_size(files),
	    json_array_size(files) == 1 ? "" : "s");
	{
		char *ftext = json_dumps(files, JSON_COMPACT);
		const char *d0 = json_string_value(json_array_get(
		    json_array_get(files, 0), 1));
		char *dest_top = json_array_size(files) == 1 ? xstrdup(d0) :
		    NULL;

		if (dest_top == NULL) {
			/* The destination of top: the first file's
			 * destination less its path below top. */
			const char *s0 = json_string_value(json_object_get(
			    json_array_get(p.rows, 0), "source"));
			size_t below = strlen(s0) - strlen(top);

			dest_top = xstrdup(d0);
			dest_top[strlen(d0) - below] = '\0';
		}
		if (ftext == NULL) {
			free(dest_top);
			rc = cmd_error("restore: the file list cannot be "
			    "written (a path that is not UTF-8?)");
			goto out;
		}
		rc = queue(ctx, "storage.restore", json_pack("{s:s, s:s, s:s}",
		    "files", ftext, "what", top, "dest", dest_top), top,
		    priority, wait, json, what);
		free(ftext);
		free(dest_top);
	}
out:
	json_decref(p.rows);
	json_decref(files);
	free(p.last);
	free(p.first_damaged);
	free(want);
	free(base);
	free(top);
	return rc;
}
