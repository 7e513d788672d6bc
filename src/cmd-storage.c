/*
 * mcr storage: what fills the volumes, and by whom. Without arguments, each
 * configured volume with its newest storage.volume sample (space, level),
 * its growth over the last week's samples and when it will be full at that
 * rate, and its last scan; then usage by client and production from the
 * scans, against the clients' quotas. `mcr storage du PATH` lists a
 * scanned folder and its subfolders, largest first, from the usage tree
 * that storage.scan keeps in the shift log: it reads no disk, so it is
 * instant on any tree and safe on a busy volume.
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

/* Growth is fitted over this much sample history. */
#define GROWTH_WINDOW ((int64_t)7 * 86400 * 1000000)

int
cmd_storage_locate(const struct config *cfg, const char *path,
    const struct config_volume **vol, char **abs, char **rel)
{
	char *real = realpath(path, NULL), *vreal;
	size_t i, n;

	*vol = NULL;
	*abs = *rel = NULL;
	if (real == NULL)
		return -errno;
	for (i = 0; i < cfg->nvolumes; i++) {
		if ((vreal = realpath(cfg->volumes[i].path, NULL)) == NULL)
			continue;
		n = strlen(vreal);
		if (strcmp(vreal, "/") == 0)
			n = 0;
		if (strncmp(real, vreal, n) == 0 && (real[n] == '/' ||
		    real[n] == '\0')) {
			*vol = &cfg->volumes[i];
			*rel = xstrdup(real[n] == '/' ? real + n + 1 : "");
			*abs = real;
			free(vreal);
			return 0;
		}
		free(vreal);
	}
	*abs = real;
	return 1;
}

/* --- mcr storage --- */

struct vol_row {
	const struct config_volume *cv;
	json_t *sample;		/* the newest storage.volume data, or NULL */
	int64_t sampled;
	double growth;		/* bytes a day */
	int64_t nsamples;
	json_t *scan;
};

struct overview {
	struct vol_row *v;
	size_t n;
	json_t *clients;	/* name -> {bytes, volumes: {vol: {...}}} */
};

static int
take_scan(const struct shiftlog_scan *s, void *arg)
{
	struct overview *o = arg;
	size_t i;

	for (i = 0; i < o->n; i++) {
		if (strcmp(o->v[i].cv->name, s->volume) == 0)
			o->v[i].scan = json_pack("{s:I, s:I, s:b, s:f, s:I, s:I, "
			    "s:I, s:I}", "time", (json_int_t)(s->time / 1000000),
			    "job", (json_int_t)s->job_id, "full", s->full,
			    "seconds", s->seconds, "bytes", (json_int_t)s->bytes,
			    "disk", (json_int_t)s->disk, "files",
			    (json_int_t)s->files, "dirs", (json_int_t)s->dirs);
	}
	return 0;
}

static int
take_owner(const struct shiftlog_owner *w, void *arg)
{
	struct overview *o = arg;
	json_t *c = json_object_get(o->clients, w->client), *vols, *v;

	if (c == NULL) {
		c = json_pack("{s:I, s:I, s:{}}", "bytes", (json_int_t)0,
		    "files", (json_int_t)0, "volumes");
		json_object_set_new(o->clients, w->client, c);
	}
	json_object_set_new(c, "bytes", json_integer(json_integer_value(
	    json_object_get(c, "bytes")) + w->bytes));
	json_object_set_new(c, "files", json_integer(json_integer_value(
	    json_object_get(c, "files")) + w->files));
	vols = json_object_get(c, "volumes");
	if ((v = json_object_get(vols, w->volume)) == NULL) {
		v = json_pack("{s:I, s:[]}", "bytes", (json_int_t)0,
		    "productions");
		json_object_set_new(vols, w->volume, v);
	}
	json_object_set_new(v, "bytes", json_integer(json_integer_value(
	    json_object_get(v, "bytes")) + w->bytes));
	if (*w->production != '\0')
		json_array_append_new(json_object_get(v, "productions"),
		    json_pack("{s:s, s:s, s:I, s:I}", "name", w->production,
		    "path", w->path, "bytes", (json_int_t)w->bytes, "files",
		    (json_int_t)w->files));
	else
		json_object_set_new(v, "outside_productions",
		    json_integer(w->bytes));
	return 0;
}

static int64_t
num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Days until the volume is full at its growth rate; < 0: not filling. */
static double
full_in_days(const struct vol_row *r)
{
	if (r->sample == NULL || r->nsamples < 2 || r->growth <= 0)
		return -1;
	return (double)num(r->sample, "avail") / r->growth;
}

static json_t *
volume_json(const struct vol_row *r)
{
	double days = full_in_days(r);
	json_t *o = json_pack("{s:s, s:s, s:s, s:f, s:f}", "name", r->cv->name,
	    "path", r->cv->path, "role", r->cv->role, "warn", r->cv->warn,
	    "crit", r->cv->crit);

	if (r->sample != NULL) {
		const char *keys[] = { "total", "used", "avail", "inodes_total",
		    "inodes_free", "used_fraction", "level", NULL };
		size_t i;

		for (i = 0; keys[i] != NULL; i++)
			json_object_set(o, keys[i], json_object_get(r->sample,
			    keys[i]));
		json_object_set_new(o, "sampled", json_integer(r->sampled /
		    1000000));
	} else
		json_object_set_new(o, "sampled", json_null());
	json_object_set_new(o, "growth_per_day", r->nsamples >= 2 ?
	    json_real(r->growth) : json_null());
	json_object_set_new(o, "full_in_days", days >= 0 ? json_real(days) :
	    json_null());
	json_object_set(o, "scan", r->scan != NULL ? r->scan : json_null());
	return o;
}

static void
print_volume(const struct vol_row *r)
{
	char used[16], total[16], growth[24], when[40], sz[16];
	double days = full_in_days(r);

	printf("%-12s %-10s ", r->cv->name, r->cv->role);
	if (r->sample == NULL) {
		printf("not sampled yet (mcr submit storage.sample)\n");
	} else {
		strutil_bytes((uint64_t)num(r->sample, "used"), used,
		    sizeof used);
		strutil_bytes((uint64_t)num(r->sample, "total"), total,
		    sizeof total);
		printf("%9s of %-9s %3d%%  %-4s", used, total,
		    (int)(json_real_value(json_object_get(r->sample,
		    "used_fraction")) * 100), json_string_value(
		    json_object_get(r->sample, "level")));
		if (r->nsamples < 2)
			printf("  growth unknown");
		else {
			strutil_bytes((uint64_t)fabs(r->growth), growth,
			    sizeof growth);
			printf("  %s%s/day", r->growth < 0 ? "-" : "+", growth);
			if (days >= 0 && days < 10)
				printf(", full in %.1f days", days);
			else if (days >= 0)
				printf(", full in %.0f days", floor(days));
		}
		putchar('\n');
	}
	printf("%12s %s", "", r->cv->path);
	if (r->scan != NULL) {
		strutil_bytes((uint64_t)num(r->scan, "bytes"), sz, sizeof sz);
		when_format(num(r->scan, "time") * 1000000, false, when,
		    sizeof when);
		printf(": %s in %lld files, scanned %s", sz,
		    (long long)num(r->scan, "files"), when);
	} else
		printf(": not scanned yet (mcr submit storage.scan)");
	putchar('\n');
}

static int
storage_overview(struct cmd_ctx *ctx, bool json)
{
	struct overview o = { .clients = json_object() };
	int64_t now = when_now();
	json_t *vols, *clients, *c;
	const char *name;
	size_t i;
	int rc = CMD_EXIT_OK;

	o.n = ctx->cfg->nvolumes;
	o.v = xcalloc(o.n + 1, sizeof *o.v);
	for (i = 0; i < o.n; i++)
		o.v[i].cv = &ctx->cfg->volumes[i];
	if (shiftlog_storage_scans(ctx->sl, take_scan, &o) < 0 ||
	    shiftlog_storage_owners(ctx->sl, take_owner, &o) < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	for (i = 0; i < o.n; i++) {
		char *data;
		int lr;

		/* The configured volumes' newest samples only, one index
		 * seek each (not every key's history). */
		if ((lr = shiftlog_storage_latest(ctx->sl, o.v[i].cv->name,
		    &o.v[i].sampled, &data)) < 0) {
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
		if (lr == 0) {
			o.v[i].sample = json_loads(data, 0, NULL);
			free(data);
		}
		if (shiftlog_storage_growth(ctx->sl, o.v[i].cv->name,
		    GROWTH_WINDOW, now, &o.v[i].growth, &o.v[i].nsamples) < 0) {
			rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
			goto out;
		}
	}
	/* Quotas, and configured clients that have no folder yet. */
	for (i = 0; i < ctx->cfg->nclients; i++) {
		const struct config_client *cc = &ctx->cfg->clients[i];

		if ((c = json_object_get(o.clients, cc->name)) == NULL) {
			c = json_pack("{s:I, s:I, s:{}}", "bytes", (json_int_t)0,
			    "files", (json_int_t)0, "volumes");
			json_object_set_new(o.clients, cc->name, c);
		}
	}
	json_object_foreach(o.clients, name, c) {
		const struct config_client *cc = config_client(ctx->cfg, name);

		json_object_set_new(c, "quota", cc != NULL && cc->quota > 0 ?
		    json_integer((json_int_t)cc->quota) : json_null());
		json_object_set_new(c, "over_quota", json_boolean(cc != NULL &&
		    cc->quota > 0 && (uint64_t)num(c, "bytes") > cc->quota));
		json_object_set_new(c, "group", json_string(cc != NULL &&
		    cc->group != NULL ? cc->group : name));
	}

	if (json) {
		vols = json_array();
		for (i = 0; i < o.n; i++)
			json_array_append_new(vols, volume_json(&o.v[i]));
		clients = json_array();
		json_object_foreach(o.clients, name, c) {
			json_t *cj = json_deep_copy(c), *vl = json_array(), *v;
			const char *vn;

			json_object_set_new(cj, "name", json_string(name));
			json_object_foreach(json_object_get(c, "volumes"), vn, v) {
				json_t *vv = json_deep_copy(v);

				json_object_set_new(vv, "volume", json_string(vn));
				json_array_append_new(vl, vv);
			}
			json_object_set_new(cj, "volumes", vl);
			json_array_append_new(clients, cj);
		}
		rc = cmd_json_print(json_pack("{s:o, s:o}", "volumes", vols,
		    "clients", clients));
		goto out;
	}
	if (o.n == 0)
		printf("no volumes are configured: add a [volume NAME] section "
		    "to mcr.ini\n");
	for (i = 0; i < o.n; i++)
		print_volume(&o.v[i]);
	if (json_object_size(o.clients) > 0)
		printf("\n%-20s %-12s %10s %10s\n", "CLIENT/PRODUCTION", "VOLUME",
		    "USED", "QUOTA");
	json_object_foreach(o.clients, name, c) {
		char used[16], quota[16] = "-";
		json_t *v, *p;
		const char *vn;
		size_t k;

		strutil_bytes((uint64_t)num(c, "bytes"), used, sizeof used);
		if (json_is_integer(json_object_get(c, "quota")))
			strutil_bytes((uint64_t)num(c, "quota"), quota,
			    sizeof quota);
		printf("%-20.20s %-12s %10s %10s%s\n", name, "", used, quota,
		    json_is_true(json_object_get(c, "over_quota")) ?
		    "  OVER QUOTA" : "");
		json_object_foreach(json_object_get(c, "volumes"), vn, v) {
			json_array_foreach(json_object_get(v, "productions"),
			    k, p) {
				strutil_bytes((uint64_t)num(p, "bytes"), used,
				    sizeof used);
				printf("  %-18.18s %-12.12s %10s\n",
				    json_string_value(json_object_get(p,
				    "name")), vn, used);
			}
		}
	}
	if (fflush(stdout) != 0)
		rc = cmd_error("cannot write to standard output");
out:
	for (i = 0; i < o.n; i++) {
		json_decref(o.v[i].sample);
		json_decref(o.v[i].scan);
	}
	free(o.v);
	json_decref(o.clients);
	return rc;
}

/* --- mcr storage du PATH --- */

struct du {
	json_t *self;
	json_t *children;
};

static json_t *
dir_json(const struct shiftlog_dir *d)
{
	const char *slash = strrchr(d->path, '/');

	return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "name", slash != NULL ? slash + 1 : d->path, "path", d->path,
	    "bytes", (json_int_t)d->bytes, "disk", (json_int_t)d->disk,
	    "files", (json_int_t)d->files, "dirs", (json_int_t)d->dirs,
	    "own_bytes", (json_int_t)d->own_bytes,
	    "own_files", (json_int_t)d->own_files,
	    "updated", (json_int_t)(d->updated / 1000000));
}

static int
take_dir(const struct shiftlog_dir *d, void *arg)
{
	struct du *du = arg;
	json_t *j = dir_json(d);

	if (j == NULL)
		return 0;	/* a name that is not UTF-8 */
	if (du->self == NULL)
		du->self = j;
	else
		json_array_append_new(du->children, j);
	return 0;
}

static void
print_du_row(json_t *d, const char *label, bool disk)
{
	char sz[16];

	strutil_bytes((uint64_t)num(d, disk ? "disk" : "bytes"), sz, sizeof sz);
	printf("%10s %10lld  ", sz, (long long)num(d, "files"));
	cmd_print_safe(stdout, label);
	putchar('\n');
}

static int
storage_du(struct cmd_ctx *ctx, const char *path, bool json, bool disk)
{
	const struct config_volume *v;
	struct du du = { .children = json_array() };
	char *abs, *rel;
	size_t i;
	json_t *c;
	int rc;

	rc = cmd_storage_locate(ctx->cfg, path, &v, &abs, &rel);
	if (rc < 0) {
		json_decref(du.children);
		return cmd_error("storage du: cannot find %s: %s", path,
		    strerror(-rc));
	}
	if (rc > 0) {
		json_decref(du.children);
		free(abs);
		return cmd_error("storage du: %s lies outside every configured "
		    "volume; 'mcr storage' lists them", path);
	}
	rc = shiftlog_storage_dir(ctx->sl, v->name, rel, true, take_dir, &du);
	if (rc < 0) {
		rc = cmd_error("%s", shiftlog_errmsg(ctx->sl));
		goto out;
	}
	if (rc == 1) {
		rc = cmd_error("storage du: %s has not been scanned; run 'mcr "
		    "submit storage.scan volume=%s --wait' first", abs, v->name);
		goto out;
	}
	if (json) {
		json_object_set_new(du.self, "volume", json_string(v->name));
		json_object_set_new(du.self, "abs_path", json_string(abs));
		json_object_set(du.self, "children", du.children);
		rc = cmd_json_print(json_incref(du.self));
		goto out;
	}
	printf("%10s %10s  %s\n", disk ? "ON DISK" : "SIZE", "FILES", "FOLDER");
	print_du_row(du.self, abs, disk);
	json_array_foreach(du.children, i, c)
		print_du_row(c, json_string_value(json_object_get(c, "name")),
		    disk);
	if (num(du.self, "own_files") > 0) {
		json_t *own = json_pack("{s:I, s:I, s:I}", "bytes",
		    (json_int_t)num(du.self, "own_bytes"), "disk",
		    (json_int_t)-1, "files", (json_int_t)num(du.self,
		    "own_files"));

		if (!disk)
			print_du_row(own, "(files in this folder)", false);
		json_decref(own);
	}
	rc = fflush(stdout) != 0 ? cmd_error("cannot write to standard output")
	    : CMD_EXIT_OK;
out:
	json_decref(du.self);
	json_decref(du.children);
	free(abs);
	free(rel);
	return rc;
}

int
cmd_storage(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_DISK = CMD_OPT_VERB };
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "disk", no_argument, NULL, OPT_DISK },
		CMD_COMMON_OPTIONS
	};
	bool json = false, disk = false;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case OPT_DISK:
			disk = true;
			break;
		case 'h':
			printf("Usage: mcr storage [--json]\n"
			    "       mcr storage du PATH [--disk] [--json]\n"
			    "Each volume's space, level, growth a day and when "
			    "it will be full at that\nrate, its last scan, and "
			    "usage by client and production against quotas.\n"
			    "'du PATH' lists a scanned folder and its "
			    "subfolders, largest first, from the\nusage tree "
			    "in the shift log (storage.scan keeps it).\n\n"
			    "      --disk          du: allocated size, as du "
			    "shows, not the files' size\n"
			    "      --json          print JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc && strcmp(argv[optind], "du") != 0)
		return cmd_usage_error(ctx, "'%s' is not a storage command; use "
		    "'mcr storage' or 'mcr storage du PATH'", argv[optind]);
	if (optind < argc && optind + 2 != argc)
		return cmd_usage_error(ctx, "give one folder, as in 'mcr storage "
		    "du /srv/prod/ACME'");
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	if (optind < argc)
		return storage_du(ctx, argv[optind + 1], json, disk);
	return storage_overview(ctx, json);
}
