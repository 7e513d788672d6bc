/*
 * mcr delete and mcr undelete: safe deletion. Every path named is checked
 * before anything moves, and one refusal stops them all:
 *   - it lies inside a configured volume (not its root, not mcr's .mcr);
 *   - when [storage] two_person is on, the authoriser is not the person
 *     asking;
 *   - no queued, running or paused job names it, a folder above it or a
 *     path under it (in its parameters or subject);
 *   - every file under it is catalogued with an xxh128 and has at least
 *     [storage] copies verified copies on other volumes (the media table),
 *     unless --fewer-copies, which [storage] forbid_override can refuse;
 *     an archive copy (storage.archive, media_archive) counts. Files of
 *     an ascmhl/ folder are manifests, not media, and need no copies.
 * Then each path moves, by rename() on the same filesystem, into the
 * volume's quarantine folder as QUARANTINE/<id>/data beside a
 * deletion.json, inside the write transaction that records the deletion
 * and its event, so the log and the disk never disagree: a failed rename
 * rolls the record back, a failed commit renames the content back. The
 * storage.purge job removes it when the volume's retention has passed;
 * until then `mcr undelete ID|PATH` moves it back.
 *
 * The clock: $MCR_NOW (seconds since the epoch) replaces the real time,
 * for tests of retention only.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "identity.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

static int64_t
clock_now(void)
{
	const char *s = getenv("MCR_NOW");
	char *end;
	long long n;

	if (s != NULL && *s != '\0') {
		n = strtoll(s, &end, 10);
		if (*end == '\0' && n >= 0)
			return (int64_t)n * 1000000;
	}
	return when_now();
}

/* --- what a walk of one path finds --- */

struct walk {
	struct shiftlog *sl;
	const char *volume;
	int64_t min_copies;	/* INT64_MAX: no file yet */
	int64_t bytes, files;
	char *uncatalogued;	/* the first file the catalogue lacks */
	char *fewest;		/* the file with the fewest copies */
	int rc;			/* a shift log error */
};

static struct walk *walk_ctx;	/* nftw passes no argument */

static int
walk_file(const char *path, const struct stat *st, int type, struct FTW *f)
{
	struct walk *w = walk_ctx;
	int64_t copies;
	bool catalogued;

	(void)f;
	if (type != FTW_F)
		return 0;
	w->bytes += st->st_size;
	w->files++;
	if (!S_ISREG(st->st_mode))
		return 0;
	/* An ASC MHL history is a manifest of the media, not media: an
	 * archive carries it over into its own history. */
	if (strstr(path, "/ascmhl/") != NULL)
		return 0;
	if ((w->rc = shiftlog_media_copies(w->sl, path, w->volume, &copies,
	    &catalogued)) < 0)
		return 1;
	if (!catalogued) {
		if (w->uncatalogued == NULL)
			w->uncatalogued = xstrdup(path);
		return 0;
	}
	if (copies < w->min_copies) {
		w->min_copies = copies;
		free(w->fewest);
		w->fewest = xstrdup(path);
	}
	return 0;
}

struct target {
	const struct config_volume *vol;
	char *abs, *rel;
	struct walk w;
};

static void
target_free(struct target *t)
{
	free(t->abs);
	free(t->rel);
	free(t->w.uncatalogued);
	free(t->w.fewest);
}

/* Checks one path against the rules; 0, or an exit code after printing
 * the refusal. */
static int
check_target(struct cmd_ctx *ctx, const char *path, struct target *t,
    const char *requester, const char *authoriser, bool fewer)
{
	const struct config_storage *rules = &ctx->cfg->storage;
	char kind[64], *q;
	struct stat st;
	int64_t job;
	int rc;

	if (lstat(path, &st) != 0)
		return cmd_error("delete: cannot find %s: %s; nothing was "
		    "deleted", path, strerror(errno));
	if (S_ISLNK(st.st_mode))
		return cmd_error("delete: %s is a symbolic link; name the real "
		    "path of what you mean to delete; nothing was deleted",
		    path);
	rc = cmd_storage_locate(ctx->cfg, path, &t->vol, &t->abs, &t->rel);
	if (rc < 0)
		return cmd_error("delete: cannot resolve %s: %s; nothing was "
		    "deleted", path, strerror(-rc));
	if (rc > 0)
		return cmd_error("delete: refused: %s lies outside every "
		    "configured volume; mcr deletes only on its volumes; "
		    "nothing was deleted", t->abs);
	if (*t->rel == '\0')
		return cmd_error("delete: refused: %s is the root of volume %s; "
		    "delete what is inside it; nothing was deleted", t->abs,
		    t->vol->name);
	q = config_quarantine(t->vol);
	if (strncmp(t->rel, ".mcr", 4) == 0 && (t->rel[4] == '\0' ||
	    t->rel[4] == '/')) {
		free(q);
		return cmd_error("delete: refused: %s is mcr's own folder on "
		    "volume %s; use 'mcr undelete' for quarantined content; "
		    "nothing was deleted", t->abs, t->vol->name);
	}
	if (strncmp(t->abs, q, strlen(q)) == 0 && (t->abs[strlen(q)] == '/' ||
	    t->abs[strlen(q)] == '\0')) {
		free(q);
		return cmd_error("delete: refused: %s is in the quarantine; "
		    "the purge job removes it when its retention ends; nothing "
		    "was deleted", t->abs);
	}
	free(q);
	if (rules->two_person && strcasecmp(requester, authoriser) == 0)
		return cmd_error("delete: refused: the two-person rule is on "
		    "and %s cannot authorise their own deletion; ask another "
		    "operator for --authorised-by; nothing was deleted",
		    requester);
	if (shiftlog_path_in_use(ctx->sl, t->abs, &job, kind,
	    sizeof kind) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (job != 0)
		return cmd_error("delete: refused: job %lld (%s) is using %s; "
		    "wait for it to finish or cancel it; nothing was deleted",
		    (long long)job, kind, t->abs);

	t->w.sl = ctx->sl;
	t->w.volume = t->vol->name;
	t->w.min_copies = INT64_MAX;
	walk_ctx = &t->w;
	if (nftw(t->abs, walk_file, 32, FTW_PHYS) != 0 && t->w.rc == 0)
		return cmd_error("delete: cannot read all of %s: %s; nothing was "
		    "deleted", t->abs, strerror(errno));
	if (t->w.rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (t->w.min_copies == INT64_MAX)
		t->w.min_copies = rules->copies;	/* no files at all */
	if (rules->copies == 0)
		return 0;
	if (t->w.uncatalogued != NULL || t->w.min_copies < rules->copies) {
		char why[1200];

		if (t->w.uncatalogued != NULL)
			strutil_format(why, sizeof why, "%s is not in the media "
			    "catalogue with an xxh128, so its copies cannot be "
			    "counted", t->w.uncatalogued);
		else
			strutil_format(why, sizeof why, "%s has %lld verified "
			    "cop%s on other volumes, fewer than the %d required",
			    t->w.fewest, (long long)t->w.min_copies,
			    t->w.min_copies == 1 ? "y" : "ies", rules->copies);
		if (!fewer)
			return cmd_error("delete: refused: %s; archive or "
			    "verify copies first (--fewer-copies overrides "
			    "this where the config allows); nothing was "
			    "deleted", why);
		if (rules->forbid_override)
			return cmd_error("delete: refused: %s, and the config "
			    "forbids --fewer-copies ([storage] "
			    "forbid_override); nothing was deleted", why);
		if (t->w.uncatalogued != NULL)
			t->w.min_copies = 0;
	}
	return 0;
}

static int
write_manifest(const char *dir, int64_t id, const char *path,
    int64_t deleted, int64_t expires, const char *reason, const char *by,
    const char *auth)
{
	char *tmp = xasprintf("%s/deletion.json.tmp", dir);
	char *final = xasprintf("%s/deletion.json", dir);
	json_t *o = json_pack("{s:I, s:s, s:I, s:I, s:s, s:s, s:s}", "id",
	    (json_int_t)id, "path", path, "deleted", (json_int_t)deleted,
	    "expires", (json_int_t)expires, "reason", reason,
	    "requested_by", by, "authorised_by", auth);
	int rc = -1;

	if (o != NULL && json_dump_file(o, tmp, JSON_INDENT(2)) == 0 &&
	    rename(tmp, final) == 0)
		rc = 0;
	if (rc != 0)
		unlink(tmp);
	json_decref(o);
	free(tmp);
	free(final);
	return rc;
}

/* Moves one checked path into quarantine with its record; 0 or an exit
 * code. */
static int
quarantine(struct cmd_ctx *ctx, struct target *t, const char *reason,
    const char *requester, const char *authoriser, bool override,
    json_t *out)
{
	struct shiftlog_deletion d = { 0 };
	char *q = config_quarantine(t->vol), *dir = NULL, *data = NULL;
	char msg[1400], size[16];
	struct stat vst, qst;
	int64_t id, now = clock_now();
	int rc;

	if (mkdir(q, 0700) != 0 && errno != EEXIST) {
		char *parent = xstrdup(q), *slash = strrchr(parent, '/');

		/* Its parent (.mcr) may be missing too. */
		if (slash != NULL)
			*slash = '\0';
		if (mkdir(parent, 0755) != 0 && errno != EEXIST)
			rc = -1;
		else
			rc = mkdir(q, 0700) != 0 && errno != EEXIST ? -1 : 0;
		free(parent);
		if (rc != 0) {
			rc = cmd_error("delete: cannot create the quarantine "
			    "folder %s: %s; nothing more was deleted", q,
			    strerror(errno));
			goto out;
		}
	}
	if (stat(q, &qst) != 0 || stat(t->vol->path, &vst) != 0 ||
	    qst.st_dev != vst.st_dev) {
		rc = cmd_error("delete: the quarantine folder %s is not on the "
		    "same filesystem as volume %s, so content cannot move there "
		    "safely; set [volume %s] quarantine inside the volume; "
		    "nothing more was deleted", q, t->vol->name, t->vol->name);
		goto out;
	}
	strutil_bytes((uint64_t)t->w.bytes, size, sizeof size);
	d.time = now;
	d.path = t->abs;
	d.volume = t->vol->name;
	d.quarantine = q;
	d.bytes = t->w.bytes;
	d.files = t->w.files;
	d.reason = reason;
	d.requested_by = requester;
	d.authorised_by = authoriser;
	d.copies = t->w.min_copies;
	d.override = override && t->w.min_copies < ctx->cfg->storage.copies;
	d.expires = now + (int64_t)t->vol->retention_s * 1000000;
	strutil_format(msg, sizeof msg, "%s deleted (%s in %lld files) by %s, "
	    "authorised by %s: %s; quarantined in volume %s until it is "
	    "purged after %lld days%s", t->abs, size, (long long)t->w.files,
	    requester, authoriser, reason, t->vol->name,
	    (long long)(t->vol->retention_s / 86400), d.override ?
	    "; fewer verified copies than required, overridden" : "");
	if ((rc = shiftlog_begin(ctx->sl)) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if ((rc = shiftlog_deletion_add(ctx->sl, &d, msg, &id)) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		shiftlog_end(ctx->sl, SHIFTLOG_ERR);
		goto out;
	}
	dir = xasprintf("%s/%lld", q, (long long)id);
	data = xasprintf("%s/data", dir);
	if (mkdir(dir, 0700) != 0 || write_manifest(dir, id, t->abs, now,
	    d.expires, reason, requester, authoriser) != 0 ||
	    rename(t->abs, data) != 0) {
		int e = errno;

		shiftlog_end(ctx->sl, SHIFTLOG_ERR);
		unlink(data);
		{
			char *m = xasprintf("%s/deletion.json", dir);

			unlink(m);
			free(m);
		}
		rmdir(dir);
		rc = cmd_error("delete: cannot move %s into the quarantine %s: "
		    "%s; it was not deleted", t->abs, dir, strerror(e));
		goto out;
	}
	if (shiftlog_end(ctx->sl, 0) < 0) {
		/* Unrecorded, it must not stay hidden. */
		if (rename(data, t->abs) == 0) {
			char *m = xasprintf("%s/deletion.json", dir);

			unlink(m);
			free(m);
			rmdir(dir);
		}
		rc = cmd_error("delete: the shift log refused the record (%s); "
		    "%s was put back", shiftlog_errmsg(ctx->sl), t->abs);
		goto out;
	}
	json_array_append_new(out, json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, "
	    "s:I, s:I}", "id", (json_int_t)id, "path", t->abs, "volume",
	    t->vol->name, "quarantine", dir, "bytes", (json_int_t)t->w.bytes,
	    "files", (json_int_t)t->w.files, "expires",
	    (json_int_t)(d.expires / 1000000), "copies",
	    (json_int_t)d.copies));
	rc = 0;
out:
	free(q);
	free(dir);
	free(data);
	return rc;
}

int
cmd_delete(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_REASON = CMD_OPT_VERB, OPT_AUTH, OPT_FEWER };
	static const struct option longopts[] = {
		{ "reason", required_argument, NULL, OPT_REASON },
		{ "authorised-by", required_argument, NULL, OPT_AUTH },
		{ "authorized-by", required_argument, NULL, OPT_AUTH },
		{ "fewer-copies", no_argument, NULL, OPT_FEWER },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	const char *reason = NULL, *auth = NULL;
	struct target *t = NULL;
	struct identity me;
	bool fewer = false, json = false;
	json_t *out = json_array();
	int c, rc = 0, i, n;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_REASON:
			reason = optarg;
			break;
		case OPT_AUTH:
			auth = optarg;
			break;
		case OPT_FEWER:
			fewer = true;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr delete PATH... --reason TEXT "
			    "--authorised-by NAME [--fewer-copies] [--json]\n"
			    "Move files or folders into their volume's quarantine, "
			    "where they wait out the\nvolume's retention before "
			    "storage.purge removes them; 'mcr undelete' brings\n"
			    "them back until then. Refused, and nothing moves, "
			    "when a path lies outside\nthe volumes, when a job "
			    "uses it, when the authoriser is the requester and\n"
			    "[storage] two_person is on, or when a file has fewer "
			    "verified copies on\nother volumes than [storage] "
			    "copies.\n\n"
			    "      --reason TEXT          why, for the shift log\n"
			    "      --authorised-by NAME   who allowed it\n"
			    "      --fewer-copies         delete even with fewer "
			    "verified copies (unless\n"
			    "                             [storage] "
			    "forbid_override)\n"
			    "      --json                 print what was "
			    "quarantined as JSON\n%s", cmd_common_help);
			json_decref(out);
			return CMD_EXIT_OK;
		default:
			json_decref(out);
			return CMD_EXIT_ERROR;
		}
	}
	if (optind >= argc)
		rc = cmd_usage_error(ctx, "name what to delete");
	else if (reason == NULL || strutil_blank(reason))
		rc = cmd_usage_error(ctx, "give the reason with --reason");
	else if (auth == NULL || strutil_blank(auth))
		rc = cmd_usage_error(ctx, "give who authorised it with "
		    "--authorised-by");
	if (rc != 0) {
		json_decref(out);
		return rc;
	}
	if ((rc = cmd_shiftlog(ctx)) != 0) {
		json_decref(out);
		return rc;
	}
	identity_get(&me);
	n = argc - optind;
	t = xcalloc((size_t)n, sizeof *t);
	for (i = 0; i < n && rc == 0; i++)
		rc = check_target(ctx, argv[optind + i], &t[i], me.user, auth,
		    fewer);
	for (i = 0; i < n && rc == 0; i++)
		rc = quarantine(ctx, &t[i], reason, me.user, auth, fewer, out);
	if (json_array_size(out) > 0) {
		if (json)
			cmd_json_print(json_pack("{s:O}", "deleted", out));
		else {
			size_t k;
			json_t *o;

			json_array_foreach(out, k, o)
				printf("deletion %lld: %s quarantined in %s\n",
				    (long long)json_integer_value(
				    json_object_get(o, "id")),
				    json_string_value(json_object_get(o, "path")),
				    json_string_value(json_object_get(o,
				    "quarantine")));
		}
	}
	for (i = 0; i < n; i++)
		target_free(&t[i]);
	free(t);
	json_decref(out);
	return rc;
}

/* --- mcr undelete --- */

struct found {
	int64_t id, expires;
	char *path, *quarantine, *state;
};

static int
take_deletion(const struct shiftlog_deletion *d, void *arg)
{
	struct found *f = arg;

	/* The newest one wins when a path was deleted more than once. */
	f->id = d->id;
	f->expires = d->expires;
	free(f->path);
	free(f->quarantine);
	free(f->state);
	f->path = xstrdup(d->path);
	f->quarantine = xstrdup(d->quarantine);
	f->state = xstrdup(d->state);
	return 0;
}

static int
print_deletion(const struct shiftlog_deletion *d, void *arg)
{
	char when[40], until[40], size[16];

	(void)arg;
	if (strcmp(d->state, "quarantined") != 0)
		return 0;
	strutil_bytes((uint64_t)d->bytes, size, sizeof size);
	when_format(d->time, false, when, sizeof when);
	when_format(d->expires, false, until, sizeof until);
	printf("%6lld  %s  until %s  %9s  ", (long long)d->id, when, until,
	    size);
	cmd_print_safe(stdout, d->path);
	putchar('\n');
	return 0;
}

/* The absolute form of a path that no longer exists: its folder resolved,
 * its last component as given. */
static char *
missing_path(const char *p)
{
	char *copy = xstrdup(p), *slash, *dir, *abs;
	const char *base;

	while (strlen(copy) > 1 && copy[strlen(copy) - 1] == '/')
		copy[strlen(copy) - 1] = '\0';
	slash = strrchr(copy, '/');
	if (slash != NULL) {
		*slash = '\0';
		dir = realpath(*copy != '\0' ? copy : "/", NULL);
		base = slash + 1;
	} else {
		dir = realpath(".", NULL);
		base = copy;
	}
	if (dir == NULL)
		abs = xstrdup(p);
	else
		abs = xasprintf("%s/%s", strcmp(dir, "/") == 0 ? "" : dir,
		    base);
	free(dir);
	free(copy);
	return abs;
}

int
cmd_undelete(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct found f = { 0 };
	char *dir = NULL, *data = NULL, *m, *end, msg[1200];
	bool json = false;
	struct stat st;
	int64_t id = 0;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr undelete [ID|PATH] [--json]\n"
			    "Move a deletion back from its volume's quarantine to "
			    "where it was, until its\nretention ends. ID is the "
			    "deletion's number ('mcr delete' prints it), PATH\n"
			    "its original path. Without either, list what is in "
			    "quarantine.\n\n"
			    "      --json          print the result as JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (argc - optind > 1)
		return cmd_usage_error(ctx, "name one deletion");
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (optind == argc) {
		printf("%6s  %-19s  %-25s  %9s  %s\n", "ID", "DELETED",
		    "RETENTION", "SIZE", "PATH");
		if (shiftlog_deletions(ctx->sl, 0, NULL, print_deletion,
		    NULL) < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		return CMD_EXIT_OK;
	}
	id = strtoll(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0) {
		char *abs = missing_path(argv[optind]);

		rc = shiftlog_deletions(ctx->sl, 0, abs, take_deletion, &f);
		free(abs);
	} else
		rc = shiftlog_deletions(ctx->sl, id, NULL, take_deletion, &f);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (f.path == NULL) {
		rc = cmd_error("undelete: there is no deletion %s; 'mcr "
		    "undelete' lists those in quarantine", argv[optind]);
		goto out;
	}
	if (strcmp(f.state, "quarantined") != 0) {
		rc = cmd_error("undelete: deletion %lld of %s was %s; it cannot "
		    "be brought back", (long long)f.id, f.path, f.state);
		goto out;
	}
	if (clock_now() >= f.expires) {
		char until[40];

		when_format(f.expires, false, until, sizeof until);
		rc = cmd_error("undelete: the retention of deletion %lld (%s) "
		    "ended at %s; storage.purge may be removing it, so it is "
		    "left alone", (long long)f.id, f.path, until);
		goto out;
	}
	dir = xasprintf("%s/%lld", f.quarantine, (long long)f.id);
	data = xasprintf("%s/data", dir);
	if (lstat(data, &st) != 0) {
		rc = cmd_error("undelete: the quarantined content of deletion "
		    "%lld is missing from %s: %s", (long long)f.id, data,
		    strerror(errno));
		goto out;
	}
	if (lstat(f.path, &st) == 0) {
		rc = cmd_error("undelete: %s exists again; move it aside first, "
		    "then undelete %lld", f.path, (long long)f.id);
		goto out;
	}
	strutil_format(msg, sizeof msg, "%s brought back from quarantine "
	    "(deletion %lld)", f.path, (long long)f.id);
	if ((rc = shiftlog_begin(ctx->sl)) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if ((rc = shiftlog_deletion_restored(ctx->sl, f.id, msg)) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		shiftlog_end(ctx->sl, SHIFTLOG_ERR);
		goto out;
	}
	if (rename(data, f.path) != 0) {
		int e = errno;

		shiftlog_end(ctx->sl, SHIFTLOG_ERR);
		rc = cmd_error("undelete: cannot move %s back to %s: %s; is its "
		    "folder still there?", data, f.path, strerror(e));
		goto out;
	}
	if (shiftlog_end(ctx->sl, 0) < 0) {
		rename(f.path, data);
		rc = cmd_error("undelete: the shift log refused the record (%s); "
		    "the content stays in quarantine", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	m = xasprintf("%s/deletion.json", dir);
	unlink(m);
	free(m);
	rmdir(dir);
	if (json)
		rc = cmd_json_print(json_pack("{s:I, s:s}", "id",
		    (json_int_t)f.id, "path", f.path));
	else {
		printf("%s\n", msg);
		rc = CMD_EXIT_OK;
	}
out:
	free(f.path);
	free(f.quarantine);
	free(f.state);
	free(dir);
	free(data);
	return rc;
}
