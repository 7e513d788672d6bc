/*
 * ingest: the ingest duty. ingest.copy takes camera cards, drives, upload
 * folders or single files (src=, one path a line) and files them onto one
 * or more destinations (to=, volume names or paths inside the volumes)
 * under a naming template. It runs in three steps:
 *
 *   plan   walk every source (refusing symlinks that leave it), load the
 *          source's ASC MHL history when it has one, expand the template,
 *          clean names, settle collisions, check the path guard;
 *   copy   vcopy each file to every destination at once (one read, inline
 *          hashes, .part, fsync, read-back, rename), checking it against
 *          the source's history and the ClamAV signatures before it is
 *          renamed into place; a journal beside the copies lets an attempt
 *          after a crash skip what was already verified;
 *   record one catalogue row per file per destination (host->record
 *          "media", with libavformat's probe), the rename map, and a new
 *          ASC MHL generation in every destination root.
 *
 * Any error stops the job with one sentence; nothing half-written is left
 * under a final name and nothing at the source is touched.
 */
#include "autoconfig.h"

#include <clamav.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clamd.h"
#include "mcr-plugin.h"
#include "mhl.h"
#include "naming.h"
#include "probe.h"
#include "vcopy.h"

#define ING_TEXT 1024
#define ING_MAX_TEMPLATES 32

/* --- [ingest] in mcr.ini --- */

struct ing_template {
	char name[64];
	char *value;
};

static struct {
	struct ing_template tmpl[ING_MAX_TEMPLATES];
	size_t ntmpl;
	char *template_name;	/* the default template's name */
	char *hash;
	char *verify;
	char *illegal;
	char *replacement;
	char *collision;
	char *scan;
	char *clamav_db;
	char *clamd;
	char *quarantine;
	char *to;
} cfg;

static void
set_str(char **slot, const char *value)
{
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		abort();
}

static const char *
cfg_or(const char *v, const char *def)
{
	return v != NULL && *v != '\0' ? v : def;
}

static int
ingest_config(const char *key, const char *value, char *err, size_t errlen)
{
	unsigned set;
	size_t i;

	if (strncmp(key, "template.", 9) == 0 && key[9] != '\0') {
		if (naming_check(value, err, errlen) < 0)
			return -1;
		for (i = 0; i < cfg.ntmpl; i++) {
			if (strcmp(cfg.tmpl[i].name, key + 9) == 0)
				break;
		}
		if (i == cfg.ntmpl) {
			if (cfg.ntmpl == ING_MAX_TEMPLATES ||
			    strlen(key + 9) >= sizeof cfg.tmpl[0].name) {
				snprintf(err, errlen, "too many templates, or "
				    "a template name longer than 63 bytes");
				return -1;
			}
			snprintf(cfg.tmpl[i].name, sizeof cfg.tmpl[i].name,
			    "%s", key + 9);
			cfg.ntmpl++;
		}
		set_str(&cfg.tmpl[i].value, value);
	} else if (strcmp(key, "template") == 0) {
		set_str(&cfg.template_name, value);
	} else if (strcmp(key, "hash") == 0) {
		if (vcopy_algos_parse(value, &set, err, errlen) < 0)
			return -1;
		set_str(&cfg.hash, value);
	} else if (strcmp(key, "verify") == 0) {
		if (strcmp(value, "source") != 0 &&
		    strcmp(value, "destination") != 0) {
			snprintf(err, errlen, "verify must be source or "
			    "destination, not '%s'", value);
			return -1;
		}
		set_str(&cfg.verify, value);
	} else if (strcmp(key, "illegal") == 0) {
		if (strcmp(value, "replace") != 0 &&
		    strcmp(value, "fail") != 0) {
			snprintf(err, errlen, "illegal must be replace or fail, "
			    "not '%s'", value);
			return -1;
		}
		set_str(&cfg.illegal, value);
	} else if (strcmp(key, "replacement") == 0) {
		if (*value == '\0' || strpbrk(value, "/\\:*?\"<>|") != NULL) {
			snprintf(err, errlen, "replacement '%s' must be "
			    "non-empty and hold no illegal character", value);
			return -1;
		}
		set_str(&cfg.replacement, value);
	} else if (strcmp(key, "collision") == 0) {
		if (strcmp(value, "suffix") != 0 &&
		    strcmp(value, "fail") != 0) {
			snprintf(err, errlen, "collision must be suffix or "
			    "fail, not '%s'", value);
			return -1;
		}
		set_str(&cfg.collision, value);
	} else if (strcmp(key, "scan") == 0) {
		if (strcmp(value, "auto") != 0 &&
		    strcmp(value, "required") != 0 &&
		    strcmp(value, "off") != 0) {
			snprintf(err, errlen, "scan must be auto, required or "
			    "off, not '%s'", value);
			return -1;
		}
		set_str(&cfg.scan, value);
	} else if (strcmp(key, "clamav_db") == 0) {
		set_str(&cfg.clamav_db, value);
	} else if (strcmp(key, "clamd") == 0) {
		if (*value != '\0' &&
		    clamd_check_address(value, err, errlen) < 0)
			return -1;
		set_str(&cfg.clamd, value);
	} else if (strcmp(key, "quarantine") == 0) {
		if (value[0] != '/') {
			snprintf(err, errlen, "quarantine must be an absolute "
			    "path, not '%s'", value);
			return -1;
		}
		set_str(&cfg.quarantine, value);
	} else if (strcmp(key, "to") == 0) {
		set_str(&cfg.to, value);
	} else {
		snprintf(err, errlen, "unknown key '%s' in [ingest]; the keys "
		    "are template.NAME, template, hash, verify, illegal, "
		    "replacement, collision, scan, clamav_db, clamd, quarantine "
		    "and to", key);
		return -1;
	}
	return 0;
}

static const char *
template_value(const char *name)
{
	size_t i;

	for (i = 0; i < cfg.ntmpl; i++) {
		if (strcmp(cfg.tmpl[i].name, name) == 0)
			return cfg.tmpl[i].value;
	}
	return strcmp(name, "default") == 0 ? NAMING_DEFAULT_TEMPLATE : NULL;
}

/* --- the job --- */

struct ing_source {
	char *root;		/* the folder the paths are relative to */
	char *reel;
	struct mhl_history *history;	/* NULL: none */
	int single;		/* a file given alone, not a folder */
};

struct ing_item {
	char *src;		/* absolute */
	char *srcrel;		/* inside its source root */
	size_t source;
	char *mhlroot;		/* relative to the destination root */
	char *rel;		/* under mhlroot, after cleaning */
	char *planned;		/* mhlroot/rel before cleaning/suffix */
	int renamed;
	uint64_t size;
	int64_t mtime_ns;
};

struct ing_dest {
	const char *volume;	/* its name, or NULL for a path */
	char root[PATH_MAX];
};

struct ing_gen {
	size_t dest;
	char *mhlroot;
	struct mhl_gen *gen;
};

struct ing_journal_entry {
	char *src;
	uint64_t size;
	int64_t mtime_ns;
	struct vcopy_hashes h;
};

struct ing {
	struct mcr_job *job;
	const struct mcr_host *host;
	const char *client, *production;
	char jobid[32];
	unsigned algos;
	enum vcopy_verify verify;
	enum naming_illegal illegal;
	const char *replacement;
	int collision_fail;

	struct ing_source *src;
	size_t nsrc;
	struct ing_item *items;
	size_t nitems, capitems;
	struct ing_dest dest[VCOPY_MAX_DEST];
	size_t ndest;
	struct ing_gen *gens;
	size_t ngens;

	/* progress */
	uint64_t bytes_total, bytes_done;
	struct timespec start;
	const char *current;
	size_t current_dest;
	bool reading_back;	/* the progress is a copy read back */

	/* the virus scan */
	struct cl_engine *clam;
	const char *clamd;	/* scanning through clamd's socket */
	char clam_db[PATH_MAX];
	char signature[256];
	int history_mismatch;
	char history_why[ING_TEXT];
	size_t cur_item;
	int scan_required;

	/* the resume journal */
	char journal_path[PATH_MAX];
	FILE *journal;
	struct ing_journal_entry *done;
	size_t ndone;
	struct timespec last_sync;
	/* folders whose new entries are not yet fsync'd */
	struct naming_set *dirty_set;
	char **dirty;
	size_t ndirty;

	/* where the time went, in seconds (the result's "phases") */
	double t_plan, t_copy, t_sync, t_verify, t_record, t_finish;

	/* counts */
	size_t copied, identical, resumed, renamed, media;
	json_t *renames;
	json_t *mhl_written;
};

static void
ing_fail(struct ing *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ing_fail(struct ing *g, const char *fmt, ...)
{
	char msg[ING_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	g->host->fail(g->job, msg);
}

static void
ing_log(struct ing *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
ing_log(struct ing *g, const char *fmt, ...)
{
	char msg[ING_TEXT];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	g->host->log(g->job, msg);
}

/* snprintf whose truncation the caller accepts (a too-long path fails at
 * the open that follows; a message is cut short). */
static void
fmt(char *buf, size_t len, const char *f, ...)
    __attribute__((format(printf, 3, 4)));

static void
fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, len, f, ap);
	va_end(ap);
}

static char *
xdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static double
elapsed(const struct ing *g)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - g->start.tv_sec) +
	    (double)(now.tv_nsec - g->start.tv_nsec) / 1e9;
}

static double
mono(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

static void
report_progress(struct ing *g)
{
	char subject[ING_TEXT];
	double t = elapsed(g), rate = -1, eta = -1, frac = -1;
	const struct ing_dest *d = &g->dest[g->current_dest];

	if (g->bytes_total > 0)
		frac = (double)g->bytes_done / (double)g->bytes_total;
	if (t > 0.2 && g->bytes_done > 0) {
		rate = (double)g->bytes_done / t;
		eta = (double)(g->bytes_total - g->bytes_done) / rate;
	}
	/* The console shows the destinations beside the subject; with
	 * several, a read-back says which copy it reads. */
	if (g->ndest > 1 && g->reading_back)
		fmt(subject, sizeof subject, "%s (reading back the copy on "
		    "%s)", g->current != NULL ? g->current : "",
		    d->volume != NULL ? d->volume : d->root);
	else
		fmt(subject, sizeof subject, "%s", g->current != NULL ?
		    g->current : "");
	g->host->progress(g->job, frac, rate, "B/s", eta, subject);
}

static int
cb_cancelled(void *arg)
{
	struct ing *g = arg;

	return g->host->cancelled(g->job);
}

static void
cb_progress(void *arg, uint64_t bytes, const char *phase, size_t dest)
{
	struct ing *g = arg;

	g->bytes_done += bytes;
	g->current_dest = dest;
	g->reading_back = strcmp(phase, "verify") == 0;
	report_progress(g);
}

/* Before a verified copy is renamed into place: it must match the source's
 * own ASC MHL history and carry no known virus. */
static int
cb_vet(void *arg, const char *part, const struct vcopy_hashes *h, char *why,
    size_t len)
{
	struct ing *g = arg;
	const struct ing_item *it = &g->items[g->cur_item];
	const struct ing_source *s = &g->src[it->source];
	const char *virname = NULL;
	unsigned long scanned = 0;
	struct cl_scan_options so;
	cl_error_t rc;

	if (s->history != NULL) {
		const struct mhl_file *f = mhl_history_find(s->history,
		    it->srcrel);

		if (f != NULL) {
			unsigned a = vcopy_fastest(f->hashes.set & h->set);
			int i = a != 0 ? __builtin_ctz(a) : -1;

			if (i >= 0 && strcmp(f->hashes.hex[i], h->hex[i]) != 0) {
				g->history_mismatch = 1;
				snprintf(why, len, "%s does not match the ASC MHL "
				    "history it came with (%s %s in generation "
				    "%d, %s read now): the source was altered "
				    "or damaged; nothing of it was filed",
				    it->src, vcopy_algo_name(i),
				    f->hashes.hex[i], f->generation,
				    h->hex[i]);
				return 1;
			}
		}
	}
	if (g->clamd != NULL) {
		char err[ING_TEXT];

		switch (clamd_scan(g->clamd, part, g->signature,
		    sizeof g->signature, err, sizeof err)) {
		case 0:
			return 0;
		case 1:
			snprintf(why, len, "%s is infected: ClamAV signature "
			    "%s (clamd)", it->src, g->signature);
			return 1;
		default:
			snprintf(why, len, "%s was not scanned: %s", it->src,
			    err);
			g->signature[0] = '\0';
			return 1;
		}
	}
	if (g->clam == NULL)
		return 0;
	memset(&so, 0, sizeof so);
	so.parse = ~0u;
	rc = cl_scanfile(part, &virname, &scanned, g->clam, &so);
	if (rc == CL_VIRUS) {
		snprintf(g->signature, sizeof g->signature, "%s", virname);
		snprintf(why, len, "%s is infected: ClamAV signature %s",
		    it->src, virname);
		return 1;
	}
	if (rc != CL_CLEAN) {
		snprintf(why, len, "ClamAV could not scan %s: %s", it->src,
		    cl_strerror(rc));
		g->signature[0] = '\0';
		return 1;
	}
	return 0;
}

static void
add_item(struct ing *g, const char *src, const char *rel, size_t source,
    const struct stat *st)
{
	struct ing_item *it;

	if (g->nitems == g->capitems) {
		g->capitems = g->capitems != 0 ? g->capitems * 2 : 256;
		if ((g->items = realloc(g->items,
		    g->capitems * sizeof *g->items)) == NULL)
			abort();
	}
	it = &g->items[g->nitems++];
	memset(it, 0, sizeof *it);
	it->src = xdup(src);
	it->srcrel = xdup(rel);
	it->source = source;
	it->size = (uint64_t)st->st_size;
	it->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
	    st->st_mtim.tv_nsec;
	g->bytes_total += (uint64_t)st->st_size;
}

/* The tree walk: nftw has no user pointer. */
static struct ing *walk_ing;
static size_t walk_source;
static char walk_err[ING_TEXT];

static int
walk_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	struct ing *g = walk_ing;
	const struct ing_source *s = &g->src[walk_source];
	const char *rel = fpath + strlen(s->root);
	char target[PATH_MAX];
	size_t rl = strlen(s->root);

	while (*rel == '/')
		rel++;
	/* The source's history and nested ones: checked, not filed. */
	if (type == FTW_D && ftw->level >= 1 &&
	    strcmp(fpath + ftw->base, MHL_FOLDER) == 0)
		return FTW_SKIP_SUBTREE;
	switch (type) {
	case FTW_F:
		if (!S_ISREG(sb->st_mode)) {
			snprintf(walk_err, sizeof walk_err, "%s is not a "
			    "regular file (a device, pipe or socket); remove it "
			    "from the source or ingest the files around it",
			    fpath);
			return FTW_STOP;
		}
		if (strcmp(fpath + ftw->base, ".DS_Store") == 0)
			return FTW_CONTINUE;
		add_item(g, fpath, rel, walk_source, sb);
		return FTW_CONTINUE;
	case FTW_SL:
	case FTW_SLN:
		if (realpath(fpath, target) == NULL ||
		    strncmp(target, s->root, rl) != 0 ||
		    (target[rl] != '/' && target[rl] != '\0')) {
			fmt(walk_err, sizeof walk_err, "%s is a symbolic "
			    "link to %s, outside the source %s; copy what it "
			    "points to into the source, or remove the link",
			    fpath, realpath(fpath, target) != NULL ? target :
			    "a missing file", s->root);
			return FTW_STOP;
		}
		ing_log(g, "%s is a link inside the source; its target is "
		    "ingested in its own right", fpath);
		return FTW_CONTINUE;
	case FTW_DNR:
		snprintf(walk_err, sizeof walk_err, "cannot read folder %s: "
		    "permission denied; check its permissions", fpath);
		return FTW_STOP;
	case FTW_NS:
		snprintf(walk_err, sizeof walk_err, "cannot stat %s; check "
		    "that the source is still connected", fpath);
		return FTW_STOP;
	default:
		return FTW_CONTINUE;
	}
}

/* Every file the source's own history lists must be in the source: a card
 * that lost a clip is not trusted. (A single file given alone is checked
 * against its own entry only.) */
static int
history_missing(struct ing *g, size_t idx)
{
	const struct ing_source *s = &g->src[idx];
	struct naming_set *have = naming_set_new();
	size_t i;
	int rc = 0;

	for (i = 0; i < g->nitems; i++) {
		if (g->items[i].source == idx)
			naming_set_add(have, g->items[i].srcrel);
	}
	for (i = 0; !s->single && i < mhl_history_nfiles(s->history); i++) {
		const struct mhl_file *f = mhl_history_file(s->history, i);

		if (naming_set_add(have, f->path) == 0) {
			ing_fail(g, "the ASC MHL history of %s lists %s, which is "
			    "not in the source: the card or delivery is "
			    "incomplete; nothing of it was filed", s->root,
			    f->path);
			rc = -1;
			break;
		}
	}
	naming_set_free(have);
	return rc;
}

static int
plan_sources(struct ing *g, const char *srcparam, const char *reelparam)
{
	char *list = xdup(srcparam), *line, *save = NULL, err[ING_TEXT];
	char real[PATH_MAX];
	struct stat st;
	int rc = -1;

	for (line = strtok_r(list, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		struct ing_source *s;
		char *slash;
		size_t idx;

		if (*line == '\0')
			continue;
		if (line[0] != '/') {
			ing_fail(g, "source %s is not an absolute path", line);
			goto out;
		}
		if (lstat(line, &st) != 0) {
			ing_fail(g, "cannot read source %s: %s; check that the "
			    "card or drive is connected", line,
			    strerror(errno));
			goto out;
		}
		if (S_ISLNK(st.st_mode)) {
			ing_fail(g, "source %s is a symbolic link; give the "
			    "path it points to", line);
			goto out;
		}
		if (realpath(line, real) == NULL) {
			ing_fail(g, "cannot resolve source %s: %s", line,
			    strerror(errno));
			goto out;
		}
		g->src = realloc(g->src, (g->nsrc + 1) * sizeof *g->src);
		if (g->src == NULL)
			abort();
		idx = g->nsrc++;
		s = &g->src[idx];
		memset(s, 0, sizeof *s);
		if (S_ISDIR(st.st_mode)) {
			s->root = xdup(real);
			slash = strrchr(real, '/');
			s->reel = xdup(reelparam != NULL ? reelparam :
			    slash != NULL && slash[1] != '\0' ? slash + 1 :
			    "root");
			walk_ing = g;
			walk_source = idx;
			walk_err[0] = '\0';
			if (nftw(s->root, walk_cb, 32,
			    FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
				ing_fail(g, "%s", walk_err[0] != '\0' ?
				    walk_err : "cannot walk the source");
				goto out;
			}
		} else if (S_ISREG(st.st_mode)) {
			s->single = 1;
			slash = strrchr(real, '/');
			*slash = '\0';
			s->root = xdup(real[0] != '\0' ? real : "/");
			{
				const char *pb = strrchr(s->root, '/');

				s->reel = xdup(reelparam != NULL ? reelparam :
				    pb != NULL && pb[1] != '\0' ? pb + 1 :
				    "root");
			}
			*slash = '/';
			add_item(g, real, slash + 1, idx, &st);
		} else {
			ing_fail(g, "source %s is neither a folder nor a "
			    "regular file", line);
			goto out;
		}
		switch (mhl_history_load(s->root, &s->history, err,
		    sizeof err)) {
		case 0:
			ing_log(g, "%s carries an ASC MHL history of %d "
			    "generations (%zu files); every file is checked "
			    "against it", s->root,
			    mhl_history_generations(s->history),
			    mhl_history_nfiles(s->history));
			{
				size_t i;

				for (i = 0; i < mhl_history_nfiles(s->history);
				    i++)
					g->algos |= vcopy_fastest(
					    mhl_history_file(s->history,
					    i)->hashes.set);
			}
			break;
		case 1:
			break;
		default:
			ing_fail(g, "%s", err);
			goto out;
		}
		if (s->history != NULL && history_missing(g, idx) < 0)
			goto out;
	}
	if (g->nitems == 0) {
		ing_fail(g, "the sources hold no files to ingest");
		goto out;
	}
	rc = 0;
out:
	free(list);
	return rc;
}

static int
plan_dests(struct ing *g, const char *to)
{
	const struct mcr_volume *vols;
	size_t nv = g->host->volumes(g->job, &vols), i;
	char *list, *tok, *save = NULL;
	struct stat st;
	int rc = -1;

	if (to == NULL) {
		for (i = 0; i < nv && g->ndest < VCOPY_MAX_DEST; i++) {
			if (vols[i].role != NULL &&
			    strcmp(vols[i].role, "production") == 0) {
				g->dest[g->ndest].volume = vols[i].name;
				snprintf(g->dest[g->ndest].root,
				    sizeof g->dest[0].root, "%s",
				    vols[i].path);
				g->ndest++;
			}
		}
		if (g->ndest == 0) {
			ing_fail(g, "no destination: give to=VOLUME[,VOLUME] "
			    "or set to = in [ingest] (no volume has the role "
			    "production)");
			return -1;
		}
	} else {
		list = xdup(to);
		for (tok = strtok_r(list, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (g->ndest == VCOPY_MAX_DEST) {
				ing_fail(g, "at most %d destinations at once",
				    VCOPY_MAX_DEST);
				free(list);
				return -1;
			}
			for (i = 0; i < nv; i++) {
				if (strcmp(vols[i].name, tok) == 0)
					break;
			}
			if (i < nv) {
				g->dest[g->ndest].volume = vols[i].name;
				snprintf(g->dest[g->ndest].root,
				    sizeof g->dest[0].root, "%s",
				    vols[i].path);
			} else if (tok[0] == '/') {
				snprintf(g->dest[g->ndest].root,
				    sizeof g->dest[0].root, "%s", tok);
			} else {
				ing_fail(g, "there is no volume '%s'; give a "
				    "volume's name from mcr.ini or an absolute "
				    "path inside one", tok);
				free(list);
				return -1;
			}
			g->ndest++;
		}
		free(list);
	}
	for (i = 0; i < g->ndest; i++) {
		size_t j;

		if (stat(g->dest[i].root, &st) != 0 || !S_ISDIR(st.st_mode)) {
			ing_fail(g, "destination %s is not a folder that "
			    "exists; check that the volume is mounted",
			    g->dest[i].root);
			goto out;
		}
		if (!g->host->path_allowed(g->job, g->dest[i].root, 1)) {
			ing_fail(g, "destination %s lies outside the "
			    "configured volumes; mcr writes only inside a "
			    "[volume] of mcr.ini", g->dest[i].root);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(g->dest[j].root, g->dest[i].root) == 0) {
				ing_fail(g, "destination %s is named twice",
				    g->dest[i].root);
				goto out;
			}
		}
	}
	rc = 0;
out:
	return rc;
}

static int
plan_names(struct ing *g, const char *tmpl)
{
	struct naming_set *set = naming_set_new();
	struct naming_vars v = { .client = g->client,
	    .production = g->production, .job = g->jobid, .when = time(NULL) };
	char root[PATH_MAX], rel[PATH_MAX], croot[PATH_MAX], crel[PATH_MAX];
	char full[PATH_MAX * 2], alt[PATH_MAX * 2], err[ING_TEXT];
	size_t i;
	int rc = -1, c1, c2;
	unsigned n;

	for (i = 0; i < g->nitems; i++) {
		struct ing_item *it = &g->items[i];

		v.reel = g->src[it->source].reel;
		v.path = it->srcrel;
		if (naming_expand(tmpl, &v, root, sizeof root, rel, sizeof rel,
		    err, sizeof err) < 0) {
			ing_fail(g, "%s", err);
			goto out;
		}
		snprintf(full, sizeof full, "%s%s%s", root, *root ? "/" : "",
		    rel);
		it->planned = xdup(full);
		if ((c1 = naming_clean(root, g->illegal, g->replacement, croot,
		    sizeof croot, err, sizeof err)) < 0 ||
		    (c2 = naming_clean(rel, g->illegal, g->replacement, crel,
		    sizeof crel, err, sizeof err)) < 0) {
			ing_fail(g, "cannot name %s: %s", it->src, err);
			goto out;
		}
		if (*root == '\0')
			croot[0] = '\0';
		it->renamed = c1 || c2;
		snprintf(full, sizeof full, "%s%s%s", croot, *croot ? "/" : "",
		    crel);
		for (n = 1; naming_set_add(set, full); n++) {
			if (g->collision_fail) {
				ing_fail(g, "%s and another source file would "
				    "both be filed as %s; rename one, or set "
				    "collision = suffix in [ingest]", it->src,
				    full);
				goto out;
			}
			if (naming_suffix(crel, n, alt, sizeof alt) < 0) {
				ing_fail(g, "%s: name too long", it->src);
				goto out;
			}
			fmt(full, sizeof full, "%s%s%s", croot,
			    *croot ? "/" : "", alt);
			it->renamed = 1;
		}
		it->mhlroot = xdup(croot);
		it->rel = xdup(full + strlen(croot) + (*croot ? 1 : 0));
		if (it->renamed) {
			g->renamed++;
			json_array_append_new(g->renames, json_pack(
			    "{s:s, s:s, s:s}", "source", it->src, "planned",
			    it->planned, "filed", full));
		}
	}
	rc = 0;
out:
	naming_set_free(set);
	return rc;
}

static double
elapsed_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* A folder that gained a renamed file, to fsync at the next sync point. */
static void
dirty_dir(struct ing *g, const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (slash == NULL || slash == path)
		return;
	fmt(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if (g->dirty_set == NULL)
		g->dirty_set = naming_set_new();
	if (naming_set_add(g->dirty_set, dir))
		return;
	g->dirty = realloc(g->dirty, (g->ndirty + 1) * sizeof *g->dirty);
	if (g->dirty == NULL)
		abort();
	g->dirty[g->ndirty++] = xdup(dir);
}

/* Makes the renames so far durable (fsync of their folders), then the
 * journal lines that list them: a journal line never outlives its file.
 * Once a second, and at the end: small files do not each pay for it. */
static void
sync_point(struct ing *g)
{
	size_t i;
	int fd;

	for (i = 0; i < g->ndirty; i++) {
		if ((fd = open(g->dirty[i], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			fsync(fd);
			close(fd);
		}
		free(g->dirty[i]);
	}
	g->ndirty = 0;
	naming_set_free(g->dirty_set);
	g->dirty_set = NULL;
	if (g->journal != NULL && fflush(g->journal) == 0)
		fdatasync(fileno(g->journal));
	clock_gettime(CLOCK_MONOTONIC, &g->last_sync);
}

/* --- the resume journal: one line per file verified at every
 * destination: size, mtime_ns, algo=hex,..., source path. --- */

static void
journal_open(struct ing *g)
{
	char line[PATH_MAX + 1024], err[256];
	FILE *f;

	fmt(g->journal_path, sizeof g->journal_path,
	    "%s/.mcr-ingest/job-%s.journal", g->dest[0].root, g->jobid);
	if ((f = fopen(g->journal_path, "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			struct ing_journal_entry e;
			char *p = line, *tab, *hs, *tok, *save = NULL;

			memset(&e, 0, sizeof e);
			line[strcspn(line, "\n")] = '\0';
			e.size = strtoull(p, &p, 10);
			if (*p++ != '\t')
				continue;
			e.mtime_ns = strtoll(p, &p, 10);
			if (*p++ != '\t' || (tab = strchr(p, '\t')) == NULL)
				continue;
			*tab = '\0';
			hs = p;
			for (tok = strtok_r(hs, ",", &save); tok != NULL;
			    tok = strtok_r(NULL, ",", &save)) {
				char *eq = strchr(tok, '=');
				int a;

				if (eq == NULL)
					continue;
				*eq = '\0';
				if ((a = vcopy_algo_parse(tok)) < 0)
					continue;
				snprintf(e.h.hex[a], sizeof e.h.hex[a], "%s",
				    eq + 1);
				e.h.set |= VCOPY_ALGO_BIT(a);
			}
			e.src = xdup(tab + 1);
			g->done = realloc(g->done,
			    (g->ndone + 1) * sizeof *g->done);
			if (g->done == NULL)
				abort();
			g->done[g->ndone++] = e;
		}
		fclose(f);
		if (g->ndone > 0)
			ing_log(g, "resuming: %zu files were verified by an "
			    "earlier attempt of this job", g->ndone);
	}
	if (vcopy_mkdirs(g->journal_path, 0, err, sizeof err) == 0)
		g->journal = fopen(g->journal_path, "a");
	if (g->journal == NULL)
		ing_log(g, "cannot keep a resume journal at %s: %s; an "
		    "interrupted ingest will re-copy everything",
		    g->journal_path, strerror(errno));
}

static void
journal_add(struct ing *g, const struct ing_item *it,
    const struct vcopy_hashes *h)
{
	int a, first = 1;

	if (g->journal == NULL)
		return;
	fprintf(g->journal, "%llu\t%lld\t", (unsigned long long)it->size,
	    (long long)it->mtime_ns);
	for (a = 0; a < VCOPY_NALGO; a++) {
		if (h->set & VCOPY_ALGO_BIT(a)) {
			fprintf(g->journal, "%s%s=%s", first ? "" : ",",
			    vcopy_algo_name(a), h->hex[a]);
			first = 0;
		}
	}
	fprintf(g->journal, "\t%s\n", it->src);
	/* Written out at the next sync point, after the renames it lists
	 * are durable. */
	if (elapsed_since(&g->last_sync) >= 1.0)
		sync_point(g);
}

/* An earlier attempt verified this file at every destination, and neither
 * the source nor any copy changed since: its hashes, or NULL. */
static const struct vcopy_hashes *
journal_find(struct ing *g, const struct ing_item *it, char dests[][PATH_MAX])
{
	struct stat st;
	size_t i, d;

	for (i = 0; i < g->ndone; i++) {
		const struct ing_journal_entry *e = &g->done[i];

		if (strcmp(e->src, it->src) != 0 || e->size != it->size ||
		    e->mtime_ns != it->mtime_ns ||
		    (e->h.set & g->algos) != g->algos)
			continue;
		for (d = 0; d < g->ndest; d++) {
			if (lstat(dests[d], &st) != 0 || !S_ISREG(st.st_mode) ||
			    (uint64_t)st.st_size != it->size ||
			    (int64_t)st.st_mtim.tv_sec * 1000000000 +
			    st.st_mtim.tv_nsec != it->mtime_ns)
				return NULL;
		}
		return &e->h;
	}
	return NULL;
}

static struct mhl_gen *
gen_for(struct ing *g, size_t dest, const char *mhlroot)
{
	size_t i;

	for (i = 0; i < g->ngens; i++) {
		if (g->gens[i].dest == dest &&
		    strcmp(g->gens[i].mhlroot, mhlroot) == 0)
			return g->gens[i].gen;
	}
	g->gens = realloc(g->gens, (g->ngens + 1) * sizeof *g->gens);
	if (g->gens == NULL)
		abort();
	g->gens[g->ngens].dest = dest;
	g->gens[g->ngens].mhlroot = xdup(mhlroot);
	g->gens[g->ngens].gen = mhl_gen_new("transfer");
	return g->gens[g->ngens++].gen;
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
emit_media(struct ing *g, const struct ing_item *it, size_t d,
    const char *path, const struct vcopy_hashes *h, int64_t verified_us,
    const struct probe_info *pi, int probed, const char *how)
{
	json_t *o, *hashes = json_object(), *meta;
	const char *slash = strrchr(it->rel, '/');
	const char *name = slash != NULL ? slash + 1 : it->rel;
	const char *dot = strrchr(name, '.');
	char clip[NAME_MAX + 1], rate[32];
	char *s;
	int a;

	for (a = 0; a < VCOPY_NALGO; a++) {
		if (h->set & VCOPY_ALGO_BIT(a))
			json_object_set_new(hashes, vcopy_algo_name(a),
			    json_string(h->hex[a]));
	}
	snprintf(clip, sizeof clip, "%.*s", dot != NULL && dot != name ?
	    (int)(dot - name) : (int)strlen(name), name);
	meta = json_pack("{s:s, s:s, s:s, s:b, s:s}", "ingest", how,
	    "mhl_root", it->mhlroot, "source_name", it->srcrel,
	    "renamed", it->renamed, "scanned", g->clamd != NULL ? "clamd" :
	    g->clam != NULL ? "clamav" : "no");
	o = json_pack("{s:s, s:s?, s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, "
	    "s:o, s:o}",
	    "path", path, "volume", g->dest[d].volume, "name", name,
	    "size", (json_int_t)it->size,
	    "mtime", (json_int_t)(it->mtime_ns / 1000),
	    "source", it->src, "client", g->client,
	    "production", g->production, "reel", g->src[it->source].reel,
	    "clip", clip, "hashes", hashes, "meta", meta);
	if (o == NULL) {
		g->host->log(g->job, "a catalogue row could not be built (a "
		    "name that is not UTF-8?); skipped");
		return;
	}
	if (verified_us > 0)
		json_object_set_new(o, "verified", json_integer(verified_us));
	if (probed) {
		json_object_set_new(o, "container", json_string(pi->container));
		if (pi->video_codec[0] != '\0') {
			json_object_set_new(o, "video_codec",
			    json_string(pi->video_codec));
			json_object_set_new(o, "width", json_integer(pi->width));
			json_object_set_new(o, "height",
			    json_integer(pi->height));
			if (pi->rate_num > 0) {
				snprintf(rate, sizeof rate, "%d/%d",
				    pi->rate_num, pi->rate_den);
				json_object_set_new(o, "rate",
				    json_string(rate));
			}
			json_object_set_new(o, "scan", json_string(pi->scan));
		}
		if (pi->duration >= 0)
			json_object_set_new(o, "duration",
			    json_real(pi->duration));
		if (pi->frames >= 0)
			json_object_set_new(o, "frames",
			    json_integer(pi->frames));
		if (pi->tc_start[0] != '\0') {
			json_object_set_new(o, "tc_start",
			    json_string(pi->tc_start));
			json_object_set_new(o, "drop_frame",
			    json_integer(pi->drop_frame));
		}
		if (pi->audio_streams > 0) {
			json_object_set_new(o, "audio_codec",
			    json_string(pi->audio_codec));
			json_object_set_new(o, "audio_channels",
			    json_integer(pi->audio_channels));
			json_object_set_new(o, "audio_layout",
			    json_string(pi->audio_layout));
		}
	}
	if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
		g->host->record(g->job, "media", s);
		g->media++;
	}
	free(s);
	json_decref(o);
}

/* Moves a refused copy to the quarantine folder (never deletes it) and
 * removes the other destinations' copies of the same bytes. */
static void
quarantine(struct ing *g, const struct ing_item *it,
    const struct vcopy_result *res, char *where, size_t wlen)
{
	char dir[PATH_MAX], target[PATH_MAX * 2], err[ING_TEXT];
	const char *name = strrchr(it->src, '/') + 1;
	size_t d;
	int kept = 0;

	if (cfg.quarantine != NULL)
		snprintf(dir, sizeof dir, "%s/job-%s", cfg.quarantine,
		    g->jobid);
	else
		fmt(dir, sizeof dir, "%s/quarantine/job-%s",
		    g->dest[0].root, g->jobid);
	where[0] = '\0';
	for (d = 0; d < res->ndest; d++) {
		const char *part = res->dest[d].part_path;

		if (part[0] == '\0')
			continue;
		if (!kept && vcopy_mkdirs(dir, 1, err, sizeof err) == 0 &&
		    g->host->path_allowed(g->job, dir, 1)) {
			snprintf(target, sizeof target, "%s/%s", dir, name);
			if (rename(part, target) == 0) {
				kept = 1;
				snprintf(where, wlen, "%s", target);
				chmod(target, 0400);
				continue;
			}
		}
		if (kept)
			unlink(part);
	}
	if (!kept) {
		/* Where no quarantine could be made, the .part stays
		 * hidden, unreadable, and named in the failure. */
		for (d = 0; d < res->ndest; d++) {
			if (res->dest[d].part_path[0] != '\0') {
				chmod(res->dest[d].part_path, 0);
				if (where[0] == '\0')
					snprintf(where, wlen, "%s",
					    res->dest[d].part_path);
			}
		}
	}
}

/* Files up to this size are copied in batches (vcopy_batches): one
 * syncfs per destination filesystem for the batch instead of one fsync
 * per file, made in the background while the next batch is copied, and
 * their read-backs overlap. Larger files are copied one by one. */
#define ING_BATCH_FILE (4u << 20)
#define ING_BATCH_FILES 512
#define ING_BATCH_BYTES (64u << 20)
/* How far ahead of the copy small source files are asked for, by a
 * thread of their own (vcopy_ahead). */
#define ING_READAHEAD 256
#define ING_READAHEAD_BYTES (64u << 20)

/* What becomes of one file once it is verified at every destination (or
 * found there already): the history check of identical copies, the
 * journal line, the probe, the ASC MHL entries and the catalogue rows.
 * Returns 0, or -1 after host->fail. */
static int
file_done(struct ing *g, size_t idx, struct vcopy_result *res,
    const char *how, int64_t verified, const char *const *dests)
{
	struct ing_item *it = &g->items[idx];
	const struct mhl_file *hf = g->src[it->source].history != NULL ?
	    mhl_history_find(g->src[it->source].history, it->srcrel) : NULL;
	struct probe_info pi;
	char err[ING_TEXT];
	int probed;
	size_t d;

	/* Identical copies never went through vet(): check them against
	 * the source's history now. */
	if (res->status == VCOPY_IDENTICAL && hf != NULL) {
		unsigned a = vcopy_fastest(hf->hashes.set & res->hashes.set);

		if (a != 0 && strcmp(hf->hashes.hex[__builtin_ctz(a)],
		    res->hashes.hex[__builtin_ctz(a)]) != 0) {
			ing_fail(g, "%s does not match the ASC MHL history it "
			    "came with", it->src);
			return -1;
		}
	}
	for (d = 0; d < g->ndest; d++)
		dirty_dir(g, dests[d]);
	journal_add(g, it, &res->hashes);

	probed = probe_is_media_name(it->rel) &&
	    probe_file(dests[0], &pi, err, sizeof err) == 0;
	for (d = 0; d < g->ndest; d++) {
		int64_t vus = verified != 0 ? verified :
		    res->dest[d].verified_us;

		mhl_gen_add(gen_for(g, d, it->mhlroot), it->rel, it->size,
		    it->mtime_ns, &res->hashes, hf != NULL ||
		    res->status == VCOPY_IDENTICAL ? "verified" : "original",
		    now_us());
		emit_media(g, it, d, dests[d], &res->hashes,
		    g->verify == VCOPY_VERIFY_DEST || verified ? vus : 0, &pi,
		    probed, how);
	}
	return 0;
}

/* A copy that vcopy refused, failed or that was cancelled: fail the job
 * saying why (quarantining an infected copy). Returns the job's code. */
static int
copy_failed(struct ing *g, size_t idx, struct vcopy_result *res)
{
	struct ing_item *it = &g->items[idx];
	char where[PATH_MAX * 2];
	size_t d;

	switch (res->status) {
	case VCOPY_CANCELLED:
		return MCR_JOB_CANCELLED;
	case VCOPY_REFUSED:
		if (g->history_mismatch) {
			for (d = 0; d < res->ndest; d++)
				if (res->dest[d].part_path[0])
					unlink(res->dest[d].part_path);
			ing_fail(g, "%s", res->err);
			return MCR_JOB_REFUSED;
		}
		quarantine(g, it, res, where, sizeof where);
		if (g->signature[0] != '\0') {
			g->host->event(g->job, "error", "ingest.virus",
			    it->src, res->err);
			ing_fail(g, "%s; the copy was moved to quarantine at "
			    "%s and nothing else was filed from it", res->err,
			    where);
			return MCR_JOB_REFUSED;
		}
		ing_fail(g, "%s; the copy is held at %s", res->err, where);
		return MCR_JOB_FAILED;
	case VCOPY_CONFLICT:
		g->host->event(g->job, "error", "ingest.conflict", it->src,
		    res->err);
		ing_fail(g, "conflict: %s", res->err);
		return MCR_JOB_REFUSED;
	default:
		ing_fail(g, "%s", res->err);
		return MCR_JOB_FAILED;
	}
}

/* The batches' calls (vcopy_batch_calls): a staged file is read back,
 * put in place and filed as any other. */
static const char *
staged_src(void *arg, size_t item)
{
	const struct ing *g = arg;

	return g->items[item].src;
}

static void
staged_begin(void *arg, size_t item)
{
	struct ing *g = arg;

	g->cur_item = item;
	g->current = g->items[item].srcrel;
}

static int
staged_done(void *arg, size_t item, const char *const *dest,
    struct vcopy_result *res)
{
	struct ing *g = arg;
	double t0 = mono();
	int rc;

	g->copied++;
	rc = file_done(g, item, res, "copied", 0, dest);
	g->t_record += mono() - t0;
	return rc < 0 ? MCR_JOB_FAILED : MCR_JOB_DONE;
}

static int
staged_failed(void *arg, size_t item, struct vcopy_result *res)
{
	return copy_failed(arg, item, res);
}

static int
staged_sync_failed(void *arg, const char *err, size_t n)
{
	ing_fail(arg, "%s; nothing of the last %zu files was filed", err, n);
	return MCR_JOB_FAILED;
}

/* Item i for the read-ahead thread: small files only. */
static const char *
ahead_path(void *arg, size_t i, uint64_t *size)
{
	const struct ing *g = arg;

	*size = g->items[i].size;
	return g->items[i].size <= ING_BATCH_FILE ? g->items[i].src : NULL;
}

static int
copy_all(struct ing *g)
{
	char dests[VCOPY_MAX_DEST][PATH_MAX], err[ING_TEXT];
	char lastdir[VCOPY_MAX_DEST][PATH_MAX] = { { 0 } };
	const char *dp[VCOPY_MAX_DEST], *roots[VCOPY_MAX_DEST];
	struct vcopy_opts o = { .algos = g->algos, .verify = g->verify,
	    .cancelled = cb_cancelled, .progress = cb_progress,
	    .vet = cb_vet, .arg = g, .defer_dirsync = 1 };
	struct vcopy_result *res = malloc(sizeof *res);
	const struct vcopy_batch_calls calls = { .src = staged_src,
	    .begin = staged_begin, .done = staged_done,
	    .failed = staged_failed, .sync_failed = staged_sync_failed,
	    .arg = g };
	struct vcopy_batches *batches = NULL;
	struct vcopy_ahead *ahead;
	size_t i, d;
	int rc = MCR_JOB_FAILED;
	double t0;

	if (res == NULL)
		abort();
	ahead = vcopy_ahead_start(ahead_path, g, g->nitems, ING_READAHEAD,
	    ING_READAHEAD_BYTES);
	for (d = 0; d < g->ndest; d++)
		roots[d] = g->dest[d].root;
	if ((batches = vcopy_batches_new(roots, g->ndest, g->ndest,
	    ING_BATCH_FILES, ING_BATCH_BYTES, &calls, err,
	    sizeof err)) == NULL) {
		ing_fail(g, "%s", err);
		goto out;
	}
	for (i = 0; i < g->nitems; i++) {
		struct ing_item *it = &g->items[i];
		const struct vcopy_hashes *done;
		int small = it->size <= ING_BATCH_FILE;

		/* A full batch goes to its sync; a large file waits for
		 * every batch before it to be in place. */
		if (!small)
			rc = vcopy_batches_drain(batches, &o);
		else if (!vcopy_batches_fits(batches, it->size))
			rc = vcopy_batches_ship(batches, &o);
		else
			rc = MCR_JOB_DONE;
		if (rc != MCR_JOB_DONE)
			goto out;
		rc = MCR_JOB_FAILED;
		g->cur_item = i;
		g->current = it->srcrel;
		vcopy_ahead_at(ahead, i);
		for (d = 0; d < g->ndest; d++) {
			fmt(dests[d], sizeof dests[d], "%s/%s%s%s",
			    g->dest[d].root, it->mhlroot,
			    *it->mhlroot ? "/" : "", it->rel);
			dp[d] = dests[d];
			/* Files of one folder follow each other: make and
			 * check a folder once. */
			if (vcopy_in_folder(dests[d], lastdir[d]))
				continue;
			if (vcopy_mkdirs(dests[d], 0, err, sizeof err) < 0) {
				ing_fail(g, "%s", err);
				goto out;
			}
			if (!g->host->path_allowed(g->job, dests[d], 1)) {
				ing_fail(g, "destination %s lies outside the "
				    "configured volumes (a folder on the way is "
				    "a link?); nothing was written there",
				    dests[d]);
				goto out;
			}
			vcopy_keep_folder(lastdir[d], sizeof lastdir[d],
			    dests[d]);
		}
		report_progress(g);
		if ((done = journal_find(g, it, dests)) != NULL) {
			memset(res, 0, vcopy_result_size(g->ndest));
			res->hashes = *done;
			res->size = it->size;
			res->ndest = g->ndest;
			g->resumed++;
			g->bytes_done += it->size * (g->verify ==
			    VCOPY_VERIFY_DEST ? 1 + g->ndest : 1);
			if (file_done(g, i, res, "resumed", now_us(),
			    dp) < 0)
				goto out;
			continue;
		}
		o.stage = small;
		t0 = mono();
		rc = vcopy_file(it->src, dp, g->ndest, &o, res);
		g->t_copy += mono() - t0;
		if (rc < 0) {
			rc = copy_failed(g, i, res);
			goto out;
		}
		rc = MCR_JOB_FAILED;
		if (res->status == VCOPY_STAGED) {
			vcopy_batches_add(batches, i, dp, res);
			continue;
		}
		if (res->status == VCOPY_IDENTICAL) {
			g->identical++;
			ing_log(g, "%s: already at every destination with the "
			    "same content; skipped", it->src);
		} else {
			g->copied++;
		}
		t0 = mono();
		rc = file_done(g, i, res, res->status == VCOPY_IDENTICAL ?
		    "identical" : "copied", 0, dp);
		g->t_record += mono() - t0;
		if (rc < 0) {
			rc = MCR_JOB_FAILED;
			goto out;
		}
	}
	rc = vcopy_batches_drain(batches, &o);
out:
	vcopy_ahead_stop(ahead);
	if (batches != NULL) {
		g->t_sync += vcopy_batches_sync_seconds(batches);
		g->t_verify += vcopy_batches_commit_seconds(batches);
	}
	vcopy_batches_free(batches);	/* after a sync still running */
	free(res);
	return rc;
}

static int
write_generations(struct ing *g)
{
	char root[PATH_MAX * 2], written[PATH_MAX], err[ING_TEXT];
	size_t i;
	int rc = 0;

	for (i = 0; i < g->ngens; i++) {
		const struct ing_gen *x = &g->gens[i];

		if (mhl_gen_count(x->gen) == 0)
			continue;
		snprintf(root, sizeof root, "%s%s%s", g->dest[x->dest].root,
		    *x->mhlroot ? "/" : "", x->mhlroot);
		if (mhl_gen_write(x->gen, root, written, sizeof written, err,
		    sizeof err) < 0) {
			ing_fail(g, "the files were copied and verified, but "
			    "the ASC MHL could not be written: %s", err);
			rc = -1;
			continue;
		}
		json_array_append_new(g->mhl_written, json_string(written));
		ing_log(g, "ASC MHL generation %s lists %zu files", written,
		    mhl_gen_count(x->gen));
	}
	return rc;
}

static int
open_scanner(struct ing *g)
{
	const char *mode = cfg_or(cfg.scan, "auto");
	const char *db = cfg_or(cfg.clamav_db, cl_retdbdir());
	unsigned int sigs = 0;
	struct stat st;
	cl_error_t rc;

	if (strcmp(mode, "off") == 0)
		return 0;
	g->scan_required = strcmp(mode, "required") == 0;
	if (cfg.clamd != NULL && cfg.clamd[0] != '\0') {
		char err[ING_TEXT];

		/* Configured, so wanted: a daemon that is down stops the
		 * ingest before a file is copied. */
		if (clamd_ping(cfg.clamd, err, sizeof err) < 0) {
			ing_fail(g, "%s", err);
			return -1;
		}
		g->clamd = cfg.clamd;
		ing_log(g, "ClamAV: scanning through clamd at %s", g->clamd);
		return 0;
	}
	if (stat(db, &st) != 0) {
		if (g->scan_required) {
			ing_fail(g, "no ClamAV signature database at %s; set "
			    "clamav_db in [ingest] or install one (freshclam)",
			    db);
			return -1;
		}
		g->host->event(g->job, "warning", "ingest.unscanned", db,
		    "files are ingested without a virus scan: no ClamAV "
		    "signature database was found; set clamav_db in [ingest]");
		return 0;
	}
	if ((rc = cl_init(CL_INIT_DEFAULT)) != CL_SUCCESS ||
	    (g->clam = cl_engine_new()) == NULL) {
		ing_fail(g, "cannot start ClamAV: %s", cl_strerror(rc));
		return -1;
	}
	if ((rc = cl_load(db, g->clam, &sigs, CL_DB_STDOPT)) != CL_SUCCESS ||
	    (rc = cl_engine_compile(g->clam)) != CL_SUCCESS) {
		cl_engine_free(g->clam);
		g->clam = NULL;
		if (g->scan_required) {
			ing_fail(g, "cannot load the ClamAV signatures at %s: "
			    "%s; set clamav_db in [ingest] or fetch them "
			    "(freshclam)", db, cl_strerror(rc));
			return -1;
		}
		/* scan = auto: a database folder that is there but empty
		 * (clamav installed, freshclam never run) is no database. */
		g->host->event(g->job, "warning", "ingest.unscanned", db,
		    "files are ingested without a virus scan: the ClamAV "
		    "signatures could not be loaded; set clamav_db in [ingest] "
		    "or run freshclam");
		ing_log(g, "no ClamAV scan: %s: %s", db, cl_strerror(rc));
		return 0;
	}
	snprintf(g->clam_db, sizeof g->clam_db, "%s", db);
	ing_log(g, "ClamAV: %u signatures from %s", sigs, db);
	return 0;
}

/* What the kernel read from storage for this process (/proc/self/io
 * read_bytes): the proof that a source is read once, whatever the number
 * of destinations. -1 when unknown. */
static long long
io_read_bytes(void)
{
	char line[128];
	long long v = -1;
	FILE *f = fopen("/proc/self/io", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		if (strncmp(line, "read_bytes:", 11) == 0)
			v = strtoll(line + 11, NULL, 10);
	}
	fclose(f);
	return v;
}

static void
ing_free(struct ing *g)
{
	size_t i;

	for (i = 0; i < g->nsrc; i++) {
		free(g->src[i].root);
		free(g->src[i].reel);
		mhl_history_free(g->src[i].history);
	}
	free(g->src);
	for (i = 0; i < g->nitems; i++) {
		free(g->items[i].src);
		free(g->items[i].srcrel);
		free(g->items[i].mhlroot);
		free(g->items[i].rel);
		free(g->items[i].planned);
	}
	free(g->items);
	for (i = 0; i < g->ngens; i++) {
		free(g->gens[i].mhlroot);
		mhl_gen_free(g->gens[i].gen);
	}
	free(g->gens);
	for (i = 0; i < g->ndone; i++)
		free(g->done[i].src);
	free(g->done);
	for (i = 0; i < g->ndirty; i++)
		free(g->dirty[i]);
	free(g->dirty);
	naming_set_free(g->dirty_set);
	if (g->journal != NULL)
		fclose(g->journal);
	if (g->clam != NULL)
		cl_engine_free(g->clam);
	json_decref(g->renames);
	json_decref(g->mhl_written);
}

static int
ingest_copy(struct mcr_job *job, const struct mcr_host *host)
{
	struct ing g = { .job = job, .host = host };
	const char *p, *tname, *tmpl;
	char err[ING_TEXT];
	json_t *r;
	char *s;
	int rc = MCR_JOB_FAILED;
	size_t i;
	double t0;

	clock_gettime(CLOCK_MONOTONIC, &g.start);
	g.last_sync = g.start;
	g.renames = json_array();
	g.mhl_written = json_array();
	snprintf(g.jobid, sizeof g.jobid, "%lld",
	    (long long)host->job_id(job));
	g.client = host->param(job, "client");
	g.production = host->param(job, "production");
	if (g.client == NULL || *g.client == '\0' || g.production == NULL ||
	    *g.production == '\0') {
		ing_fail(&g, "an ingest needs client= and production=");
		goto out;
	}
	p = cfg_or(host->param(job, "hash"), cfg_or(cfg.hash, "xxh128"));
	if (vcopy_algos_parse(p, &g.algos, err, sizeof err) < 0) {
		ing_fail(&g, "%s", err);
		goto out;
	}
	p = cfg_or(host->param(job, "verify"), cfg_or(cfg.verify,
	    "destination"));
	if (strcmp(p, "source") == 0)
		g.verify = VCOPY_VERIFY_SOURCE;
	else if (strcmp(p, "destination") == 0)
		g.verify = VCOPY_VERIFY_DEST;
	else {
		ing_fail(&g, "verify=%s: use source or destination", p);
		goto out;
	}
	g.illegal = strcmp(cfg_or(cfg.illegal, "replace"), "fail") == 0 ?
	    NAMING_FAIL : NAMING_REPLACE;
	g.replacement = cfg_or(cfg.replacement, "_");
	g.collision_fail = strcmp(cfg_or(cfg.collision, "suffix"),
	    "fail") == 0;
	tname = cfg_or(host->param(job, "template"),
	    cfg_or(cfg.template_name, "default"));
	if ((tmpl = template_value(tname)) == NULL) {
		ing_fail(&g, "there is no naming template '%s'; add "
		    "template.%s = ... to [ingest] in mcr.ini", tname, tname);
		goto out;
	}
	if ((p = host->param(job, "src")) == NULL) {
		ing_fail(&g, "an ingest needs src=");
		goto out;
	}

	host->progress(job, 0, -1, NULL, -1, "planning");
	t0 = mono();
	if (plan_dests(&g, cfg_or(host->param(job, "to"), cfg.to)) < 0 ||
	    plan_sources(&g, p, host->param(job, "reel")) < 0 ||
	    plan_names(&g, tmpl) < 0 || open_scanner(&g) < 0)
		goto out;
	if (g.verify == VCOPY_VERIFY_DEST)
		g.bytes_total *= 1 + g.ndest;
	ing_log(&g, "%zu files, %llu bytes, to %zu destinations with %s",
	    g.nitems, (unsigned long long)(g.bytes_total /
	    (g.verify == VCOPY_VERIFY_DEST ? 1 + g.ndest : 1)), g.ndest, p);
	journal_open(&g);
	g.t_plan = mono() - t0;

	rc = copy_all(&g);
	t0 = mono();
	sync_point(&g);
	/* What was verified and placed is listed, even after a failure. */
	if (write_generations(&g) < 0)
		rc = MCR_JOB_FAILED;
	g.t_finish = mono() - t0;
	for (i = 0; i < json_array_size(g.renames); i++) {
		s = json_dumps(json_array_get(g.renames, i), JSON_COMPACT);
		if (s != NULL)
			host->record(job, "ingest.rename", s);
		free(s);
	}
	if (rc == MCR_JOB_DONE && g.journal != NULL) {
		fclose(g.journal);
		g.journal = NULL;
		unlink(g.journal_path);
		fmt(err, sizeof err, "%s/.mcr-ingest", g.dest[0].root);
		rmdir(err);
	}
	host->progress(job, rc == MCR_JOB_DONE ? 1 : -1,
	    elapsed(&g) > 0 ? (double)g.bytes_done / elapsed(&g) : -1, "B/s",
	    0, NULL);
	r = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:O, s:O}",
	    "files", (json_int_t)g.nitems,
	    "copied", (json_int_t)g.copied,
	    "identical", (json_int_t)g.identical,
	    "resumed", (json_int_t)g.resumed,
	    "renamed", (json_int_t)g.renamed,
	    "catalogued", (json_int_t)g.media,
	    "bytes", (json_int_t)(g.bytes_total /
	    (g.verify == VCOPY_VERIFY_DEST ? 1 + g.ndest : 1)),
	    "seconds", elapsed(&g), "mhl", g.mhl_written,
	    "renames", g.renames);
	if (r != NULL) {
		json_object_set_new(r, "io_read_bytes",
		    json_integer(io_read_bytes()));
		json_object_set_new(r, "phases", json_pack("{s:f, s:f, s:f, "
		    "s:f, s:f, s:f}", "plan", g.t_plan, "copy", g.t_copy,
		    "sync", g.t_sync, "verify", g.t_verify, "record",
		    g.t_record, "finish", g.t_finish));
	}
	if (r != NULL && (s = json_dumps(r, JSON_COMPACT)) != NULL) {
		host->result(job, s);
		free(s);
	}
	json_decref(r);
	if (rc == MCR_JOB_DONE) {
		snprintf(err, sizeof err, "%zu files ingested for %s / %s: "
		    "%zu copied, %zu already there, %zu resumed, %zu renamed",
		    g.nitems, g.client, g.production, g.copied, g.identical,
		    g.resumed, g.renamed);
		host->event(job, "info", "ingest.done", g.production, err);
	}
out:
	ing_free(&g);
	return rc;
}

static const struct mcr_param ingest_copy_params[] = {
	{ .name = "src", .help = "the sources: folders or files, one absolute "
	    "path a line", .required = 1 },
	{ .name = "client", .help = "the client the media belongs to",
	    .required = 1 },
	{ .name = "production", .help = "the production", .required = 1 },
	{ .name = "to", .help = "destinations: volume names or paths inside "
	    "volumes, comma-separated (default: [ingest] to, else the "
	    "production volumes)" },
	{ .name = "template", .help = "the naming template's name "
	    "([ingest] template.NAME)" },
	{ .name = "hash", .help = "hashes: xxh128, xxh3, xxh64, md5, sha1, "
	    "sha256, c4 "
	    "(comma-separated; default xxh128)" },
	{ .name = "verify", .help = "source (hash the read) or destination "
	    "(also read every copy back; the default)" },
	{ .name = "reel", .help = "the reel name ({reel}); default: the "
	    "source folder's name" },
	{ NULL }
};

static const struct mcr_kind ingest_kinds[] = {
	{
		.name = "ingest.copy",
		.summary = "verified copy to several destinations, ASC MHL, "
		    "virus scan, catalogue",
		.params = ingest_copy_params,
		.retry_safe = 1,
		.run = ingest_copy,
	},
	{ NULL }
};

static const struct mcr_plugin ingest_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "ingest",
	.version = PACKAGE_VERSION,
	.summary = "ingest: verified multi-destination copy, ASC MHL, ClamAV, "
	    "naming, catalogue",
	.config = ingest_config,
	.kinds = ingest_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &ingest_plugin;
}
