/*
 * archive: storage.archive and storage.restore, the verified copies to and
 * from an archive volume (nearline disk, or an LTFS tape mounted as a
 * filesystem: to mcr both are a configured volume's path).
 *
 * storage.archive walks src= (a file or a folder), copies each file to
 * to= with the ingest's verified copy (src/vcopy.c: one read, inline
 * hashes, every copy read back from the storage, .part then rename), then
 * writes an ASC MHL generation at the archived folder. Only then does it
 * report the copies as "storage.archived" records, which the shift log
 * files per file beside the catalogue row of the source: what safe
 * deletion counts as a verified copy. A failure or a cancel before that
 * removes the files and folders this job made, so the archive never holds
 * a copy the catalogue does not know.
 *
 * storage.restore gets from the mcr CLI the list of archive copies with
 * the hashes the catalogue recorded when they were archived (files=, a
 * JSON array), copies each back with the same verified copy and checks
 * the bytes it read from the archive against those hashes before the copy
 * takes its name: a damaged archive copy is named, reported as
 * "storage.damaged", and leaves no file behind. Restored files are
 * catalogued again ("storage.restored").
 */
#include "autoconfig.h"

#include <errno.h>
#include <fts.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mhl.h"
#include "storage.h"
#include "strutil.h"
#include "vcopy.h"

#define ARC_TEXT 1024
/* Records stay well under the worker protocol's line (64 KiB). */
#define ARC_RECORD_BYTES 40000

struct arc_file {
	char *src, *dest;
	char *rel;		/* under the MHL root */
	uint64_t size;
	int64_t mtime_ns;
	struct vcopy_hashes hashes;	/* restore: what the catalogue has */
	struct vcopy_hashes got;	/* what was read and verified */
	int64_t verified_us;
	int copied;		/* this job wrote it (removed on failure) */
	int history;		/* in the source's own ascmhl/ */
	int done;
};

struct arc {
	struct mcr_job *job;
	const struct mcr_host *host;
	struct arc_file *f;
	size_t n, cap;
	char **made;		/* folders this job created, in order */
	size_t nmade;
	uint64_t total, done_bytes;	/* bytes of work: read + read back */
	struct timespec t0;
	double rate_limit;	/* bytes of work a second; 0: none */
	const char *current;
	const struct vcopy_hashes *expect;	/* restore: the file's */
	char why[ARC_TEXT];
};

static void *
xmalloc0(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL)
		abort();
	return p;
}

static char *
xstrdup0(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static char *
joinpath(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *p = malloc(n);

	if (p == NULL)
		abort();
	snprintf(p, n, "%s%s%s", a, *b != '\0' ? "/" : "", b);
	return p;
}

static struct arc_file *
arc_add(struct arc *a)
{
	if (a->n == a->cap) {
		a->cap = a->cap != 0 ? a->cap * 2 : 64;
		a->f = realloc(a->f, a->cap * sizeof *a->f);
		if (a->f == NULL)
			abort();
	}
	memset(&a->f[a->n], 0, sizeof a->f[a->n]);
	return &a->f[a->n++];
}

static void
arc_free(struct arc *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->f[i].src);
		free(a->f[i].dest);
		free(a->f[i].rel);
	}
	free(a->f);
	for (i = 0; i < a->nmade; i++)
		free(a->made[i]);
	free(a->made);
}

static double
elapsed(const struct arc *a)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)(ts.tv_sec - a->t0.tv_sec) +
	    (ts.tv_nsec - a->t0.tv_nsec) / 1e9;
}

static int
cb_cancelled(void *arg)
{
	struct arc *a = arg;

	return a->host->cancelled(a->job);
}

static void
cb_progress(void *arg, uint64_t bytes, const char *phase, size_t dest)
{
	struct arc *a = arg;
	double t = elapsed(a), rate, eta = -1;

	(void)phase;
	(void)dest;
	a->done_bytes += bytes;
	/* A bandwidth limit (a shared nearline link, a tape drive that must
	 * not be starved of others' work): sleep off the lead, in short
	 * naps so a cancel is seen. */
	while (a->rate_limit > 0 && a->done_bytes / a->rate_limit > t &&
	    !a->host->cancelled(a->job)) {
		double lead = a->done_bytes / a->rate_limit - t;
		struct timespec nap = { 0, (long)((lead < 0.1 ? lead : 0.1) *
		    1e9) };

		nanosleep(&nap, NULL);
		t = elapsed(a);
	}
	rate = t > 0.2 ? a->done_bytes / t : -1;
	if (rate > 0 && a->total > a->done_bytes)
		eta = (a->total - a->done_bytes) / rate;
	a->host->progress(a->job, a->total > 0 ?
	    (double)a->done_bytes / a->total : -1, rate, "B/s", eta,
	    a->current);
}

/* rate=: bytes a second, in binary units as 200M; NULL: none. The
 * limit counts the read and the read-back, as the progress does. */
static int
parse_rate(const char *s, double *out)
{
	double v;

	*out = 0;
	if (s == NULL)
		return 0;
	if (strutil_parse_bytes(s, &v) < 0)
		return -1;
	*out = v * 2;
	return 0;
}

/* Restore: the bytes read from the archive must carry the hashes the
 * catalogue recorded when they were archived, not merely agree with
 * their own read-back. */
static int
cb_vet(void *arg, const char *part, const struct vcopy_hashes *h, char *why,
    size_t len)
{
	struct arc *a = arg;
	int i;

	(void)part;
	if (a->expect == NULL)
		return 0;
	for (i = 0; i < VCOPY_NALGO; i++) {
		if (!(a->expect->set & h->set & VCOPY_ALGO_BIT(i)))
			continue;
		if (strcmp(a->expect->hex[i], h->hex[i]) != 0) {
			storage_fmt(why, len, "%s does not match its archived "
			    "%s (archived %s, read %s): the archive copy is "
			    "damaged", a->current, vcopy_algo_name(i),
			    a->expect->hex[i], h->hex[i]);
			return 1;
		}
	}
	return 0;
}

/* Creates dest's folder and those above it that are missing, keeping
 * their names so a failed job can take them away again. */
static int
make_dirs(struct arc *a, const char *dest, char *err, size_t errlen)
{
	char *dir = xstrdup0(dest), *slash, *p;
	size_t first = a->nmade, i, j;
	struct stat st;
	int rc;

	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	/* The missing ones, deepest first. */
	p = xstrdup0(dir);
	while (*p != '\0' && lstat(p, &st) != 0 && errno == ENOENT) {
		a->made = realloc(a->made, (a->nmade + 1) * sizeof *a->made);
		if (a->made == NULL)
			abort();
		a->made[a->nmade++] = xstrdup0(p);
		if ((slash = strrchr(p, '/')) == NULL)
			break;
		*slash = '\0';
	}
	free(p);
	/* Shallowest first, as they were made. */
	for (i = first, j = a->nmade; i + 1 < j; i++, j--) {
		char *t = a->made[i];

		a->made[i] = a->made[j - 1];
		a->made[j - 1] = t;
	}
	rc = vcopy_mkdirs(dest, 0, err, errlen);
	free(dir);
	return rc;
}

/* After a failure or a cancel: the files this job wrote and the folders
 * it made go; what was there before stays. */
static void
rollback(struct arc *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		if (a->f[i].copied && unlink(a->f[i].dest) == 0)
			a->f[i].copied = 0;
	}
	for (i = a->nmade; i > 0; i--)
		rmdir(a->made[i - 1]);
}

/* --- storage.archive --- */

static int
walk_source(struct arc *a, const char *src, const char *dest, int is_dir,
    char *err, size_t errlen)
{
	char *paths[] = { (char *)src, NULL };
	FTS *fts;
	FTSENT *e;
	size_t rootlen = strlen(src);
	int rc = 0, history = 0;
	struct stat hst;

	if (!is_dir) {
		struct stat st;
		struct arc_file *f;
		const char *base = strrchr(dest, '/');

		if (lstat(src, &st) != 0 || !S_ISREG(st.st_mode)) {
			storage_fmt(err, errlen, "%s is not a regular file",
			    src);
			return -1;
		}
		f = arc_add(a);
		f->src = xstrdup0(src);
		f->dest = xstrdup0(dest);
		f->rel = xstrdup0(base != NULL ? base + 1 : dest);
		f->size = (uint64_t)st.st_size;
		a->total += f->size;
		return 0;
	}
	if ((fts = fts_open(paths, FTS_PHYSICAL | FTS_NOCHDIR, NULL)) == NULL) {
		storage_fmt(err, errlen, "cannot read %s: %s", src,
		    strerror(errno));
		return -1;
	}
	while ((e = fts_read(fts)) != NULL) {
		const char *rel = e->fts_path + rootlen;
		struct arc_file *f;

		while (*rel == '/')
			rel++;
		switch (e->fts_info) {
		case FTS_D:
			history = 0;
			if (e->fts_level == 1 && strcmp(e->fts_name,
			    STORAGE_DOTDIR) == 0)
				fts_set(fts, e, FTS_SKIP);
			/* The source's ASC MHL history travels with it, as
			 * the first generations of the archive's, unless the
			 * archive has a history there already (an earlier
			 * archive), which then goes on. */
			if (e->fts_level == 1 && strcmp(e->fts_name,
			    MHL_FOLDER) == 0) {
				char *d = joinpath(dest, MHL_FOLDER);

				if (lstat(d, &hst) == 0)
					fts_set(fts, e, FTS_SKIP);
				else
					history = 1;
				free(d);
			}
			break;
		case FTS_DP:
			history = 0;
			break;
		case FTS_F:
			f = arc_add(a);
			f->history = history && e->fts_level == 2;
			f->src = xstrdup0(e->fts_path);
			f->rel = xstrdup0(rel);
			f->dest = joinpath(dest, rel);
			f->size = (uint64_t)e->fts_statp->st_size;
			a->total += f->size;
			break;
		case FTS_DNR:
		case FTS_ERR:
		case FTS_NS:
			storage_fmt(err, errlen, "cannot read %s: %s",
			    e->fts_path, strerror(e->fts_errno));
			rc = -1;
			goto out;
		case FTS_SL:
		case FTS_SLNONE:
			storage_fmt(err, errlen, "%s is a symbolic link; the "
			    "archive copies files, not links: replace it by "
			    "what it points to, or move it out of %s",
			    e->fts_path, src);
			rc = -1;
			goto out;
		case FTS_DEFAULT:
			storage_fmt(err, errlen, "%s is not a regular file "
			    "(a device, a socket or a fifo); move it out of %s",
			    e->fts_path, src);
			rc = -1;
			goto out;
		default:
			break;
		}
	}
out:
	fts_close(fts);
	return rc;
}

static void
hashes_json(const struct vcopy_hashes *h, json_t *o)
{
	int i;

	for (i = 0; i < VCOPY_NALGO; i++) {
		if (h->set & VCOPY_ALGO_BIT(i))
			json_object_set_new(o, vcopy_algo_name(i),
			    json_string(h->hex[i]));
	}
}

static int
parse_hashes(json_t *o, struct vcopy_hashes *h)
{
	const char *k;
	json_t *v;
	int a;

	memset(h, 0, sizeof *h);
	json_object_foreach(o, k, v) {
		if ((a = vcopy_algo_parse(k)) < 0 || !json_is_string(v) ||
		    strlen(json_string_value(v)) >= sizeof h->hex[a])
			continue;
		h->set |= VCOPY_ALGO_BIT(a);
		snprintf(h->hex[a], sizeof h->hex[a], "%s",
		    json_string_value(v));
	}
	return h->set & VCOPY_ALGO_BIT(VCOPY_XXH128) ? 0 : -1;
}

/* Sends the archived files in records of bounded size. */
static void
record_archived(struct arc *a, const char *volume, const char *root,
    const char *mhl, const char *svolume)
{
	json_t *files = json_array();
	size_t i, bytes = 0;
	char *s;

	for (i = 0; i <= a->n; i++) {
		if (i < a->n && a->f[i].history)
			continue;
		if (i < a->n) {
			const struct arc_file *f = &a->f[i];
			json_t *h = json_object();

			hashes_json(&f->got, h);
			json_array_append_new(files, json_pack("[s, s, I, I, o, "
			    "I]", f->src, f->dest, (json_int_t)f->size,
			    (json_int_t)(f->mtime_ns / 1000), h,
			    (json_int_t)f->verified_us));
			bytes += strlen(f->src) + strlen(f->dest) + 300;
		}
		if (json_array_size(files) == 0 || (i < a->n &&
		    bytes < ARC_RECORD_BYTES))
			continue;
		s = json_dumps(json_pack("{s:s, s:s, s:s, s:s?, s:o}", "volume",
		    volume, "root", root, "mhl", mhl, "source_volume", svolume,
		    "files", files), JSON_COMPACT);
		files = json_array();
		bytes = 0;
		if (s == NULL) {
			a->host->log(a->job, "a storage.archived record could "
			    "not be built (a name that is not UTF-8?)");
			continue;
		}
		a->host->record(a->job, "storage.archived", s);
		free(s);
	}
	json_decref(files);
}

static int
arc_fail(struct arc *a, int how, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
arc_fail(struct arc *a, int how, const char *fmt, ...)
{
	char msg[ARC_TEXT * 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	a->host->fail(a->job, msg);
	return how;
}

/* Copies one file; 0, or a job result after saying why. */
static int
copy_one(struct arc *a, struct arc_file *f, const struct vcopy_opts *o,
    struct vcopy_result *res, const char *what)
{
	char err[ARC_TEXT];
	char *dir, *slash;
	const char *dp[1];
	int ok;

	a->current = f->src;
	if (make_dirs(a, f->dest, err, sizeof err) < 0)
		return arc_fail(a, MCR_JOB_FAILED, "%s", err);
	dir = xstrdup0(f->dest);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	ok = a->host->path_allowed(a->job, dir, 1);
	free(dir);
	if (!ok)
		return arc_fail(a, MCR_JOB_REFUSED, "%s lies outside the "
		    "configured volumes (a folder on the way is a link?); "
		    "nothing was %s there", f->dest, what);
	dp[0] = f->dest;
	if (vcopy_file(f->src, dp, 1, o, res) < 0) {
		switch (res->status) {
		case VCOPY_CANCELLED:
			return MCR_JOB_CANCELLED;
		case VCOPY_CONFLICT:
			return arc_fail(a, MCR_JOB_REFUSED, "%s already exists "
			    "with other content than %s; it was left alone: "
			    "move it aside and run again", f->dest, f->src);
		case VCOPY_REFUSED:
			if (res->dest[0].part_path[0] != '\0')
				unlink(res->dest[0].part_path);
			return arc_fail(a, MCR_JOB_REFUSED, "%s", res->err);
		default:
			return arc_fail(a, MCR_JOB_FAILED, "%s", res->err);
		}
	}
	f->copied = res->status == VCOPY_COPIED;
	f->got = res->hashes;
	f->mtime_ns = res->mtime_ns;
	f->verified_us = res->dest[0].verified_us;
	if (f->verified_us <= 0)
		f->verified_us = storage_now(a->job, a->host);
	if (res->status == VCOPY_IDENTICAL)
		a->done_bytes += f->size;	/* no read-back happened */
	return 0;
}

int
storage_archive(struct mcr_job *job, const struct mcr_host *host)
{
	const char *src = host->param(job, "src");
	const char *to = host->param(job, "to");
	const char *volume = host->param(job, "volume");
	const char *svolume = host->param(job, "source_volume");
	const char *hp = host->param(job, "hash");
	struct arc a = { .job = job, .host = host };
	struct vcopy_opts o = { .verify = VCOPY_VERIFY_DEST,
	    .cancelled = cb_cancelled, .progress = cb_progress, .arg = &a };
	struct vcopy_result *res = xmalloc0(sizeof *res);
	char err[ARC_TEXT], written[PATH_MAX], size[32], msg[ARC_TEXT * 3];
	char *root = NULL, *slash, *mhldir = NULL;
	struct mhl_gen *gen = NULL;
	struct stat st;
	json_t *r;
	size_t i, nmedia;
	int rc = MCR_JOB_FAILED, is_dir;

	clock_gettime(CLOCK_MONOTONIC, &a.t0);
	if (src == NULL || to == NULL || volume == NULL || *src != '/' ||
	    *to != '/') {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "storage.archive needs src= "
		    "and to= as absolute paths and volume= (use 'mcr "
		    "archive')");
		goto out;
	}
	if (vcopy_algos_parse(hp != NULL ? hp : "xxh128", &o.algos, err,
	    sizeof err) < 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "%s", err);
		goto out;
	}
	o.algos |= VCOPY_ALGO_BIT(VCOPY_XXH128);	/* the catalogue's */
	if (parse_rate(host->param(job, "rate"), &a.rate_limit) < 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "rate=%s is not a number "
		    "of bytes a second such as 200M", host->param(job, "rate"));
		goto out;
	}
	if (lstat(src, &st) != 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "cannot read %s: %s; "
		    "nothing was archived", src, strerror(errno));
		goto out;
	}
	is_dir = S_ISDIR(st.st_mode);
	if (!host->path_allowed(job, src, 0)) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "%s lies outside the "
		    "configured volumes; nothing was archived", src);
		goto out;
	}
	host->progress(job, -1, -1, NULL, -1, "listing files");
	if (walk_source(&a, src, to, is_dir, err, sizeof err) < 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "%s; nothing was archived",
		    err);
		goto out;
	}
	if (a.n == 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "%s holds no files; "
		    "nothing was archived", src);
		goto out;
	}
	root = xstrdup0(to);
	if (!is_dir && (slash = strrchr(root, '/')) != NULL)
		*slash = '\0';
	a.total *= 2;		/* each byte is read, then read back */
	for (i = 0; i < a.n; i++) {
		if (host->cancelled(job)) {
			rc = MCR_JOB_CANCELLED;
			goto out;
		}
		if ((rc = copy_one(&a, &a.f[i], &o, res, "archived")) != 0)
			goto out;
		rc = MCR_JOB_FAILED;
	}
	if (host->cancelled(job)) {
		rc = MCR_JOB_CANCELLED;
		goto out;
	}
	gen = mhl_gen_new("transfer");
	for (i = 0; i < a.n; i++)
		if (!a.f[i].history)
			mhl_gen_add(gen, a.f[i].rel, a.f[i].size, a.f[i].mtime_ns,
		    &a.f[i].got, a.f[i].copied ? "original" : "verified",
		    a.f[i].verified_us);
	mhldir = joinpath(root, MHL_FOLDER "/x");
	if (make_dirs(&a, mhldir, err,
	    sizeof err) < 0 || mhl_gen_write(gen, root, written,
	    sizeof written, err, sizeof err) < 0) {
		rc = arc_fail(&a, MCR_JOB_FAILED, "the files were copied and "
		    "verified, but the ASC MHL could not be written, so they "
		    "were taken away again: %s", err);
		goto out;
	}
	for (i = nmedia = 0; i < a.n; i++)
		nmedia += !a.f[i].history;
	/* From here the archive is complete: nothing is taken back. */
	record_archived(&a, volume, root, written, svolume);
	storage_format_size(a.total / 2, size, sizeof size);
	storage_fmt(msg, sizeof msg, "%s archived to volume %s at %s: %zu "
	    "file%s, %s, each read back and verified; ASC MHL %s", src,
	    volume, to, nmedia, nmedia == 1 ? "" : "s", size, written);
	host->event(job, "notice", "storage.archive", src, msg);
	r = json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:f}", "src", src,
	    "to", to, "volume", volume, "files", (json_int_t)nmedia, "bytes",
	    (json_int_t)(a.total / 2), "mhl", written, "seconds", elapsed(&a));
	if (r != NULL) {
		char *s = json_dumps(r, JSON_COMPACT);

		if (s != NULL)
			host->result(job, s);
		free(s);
	}
	json_decref(r);
	host->progress(job, 1, -1, NULL, 0, NULL);
	rc = MCR_JOB_DONE;
out:
	if (rc != MCR_JOB_DONE) {
		rollback(&a);
		if (rc == MCR_JOB_CANCELLED)
			host->log(job, "cancelled: the files this job had "
			    "copied into the archive were removed");
	}
	mhl_gen_free(gen);
	free(mhldir);
	free(root);
	free(res);
	arc_free(&a);
	return rc;
}

/* --- storage.restore --- */

/* The configured volume holding path (by its folder, as given), or NULL. */
static const char *
volume_of(struct mcr_job *job, const struct mcr_host *host, const char *path)
{
	const struct mcr_volume *v;
	const char *best = NULL;
	size_t i, n = host->volumes(job, &v), len, bestlen = 0;

	for (i = 0; i < n; i++) {
		len = strlen(v[i].path);
		while (len > 1 && v[i].path[len - 1] == '/')
			len--;
		if (strncmp(path, v[i].path, len) == 0 && path[len] == '/' &&
		    len >= bestlen) {
			best = v[i].name;
			bestlen = len;
		}
	}
	return best;
}

static void
record_restored(struct arc *a)
{
	json_t *files = json_array();
	size_t i, bytes = 0;
	char *s;

	for (i = 0; i <= a->n; i++) {
		if (i < a->n && a->f[i].done) {
			const struct arc_file *f = &a->f[i];

			json_array_append_new(files, json_pack("[s, s, s?, I]",
			    f->dest, f->src, volume_of(a->job, a->host,
			    f->dest), (json_int_t)f->verified_us));
			bytes += strlen(f->src) + strlen(f->dest) + 100;
		}
		if (json_array_size(files) == 0 || (i < a->n &&
		    bytes < ARC_RECORD_BYTES))
			continue;
		s = json_dumps(json_pack("{s:o}", "files", files),
		    JSON_COMPACT);
		files = json_array();
		bytes = 0;
		if (s != NULL)
			a->host->record(a->job, "storage.restored", s);
		free(s);
	}
	json_decref(files);
}

int
storage_restore(struct mcr_job *job, const struct mcr_host *host)
{
	const char *files = host->param(job, "files");
	const char *what = host->param(job, "what");
	struct arc a = { .job = job, .host = host };
	struct vcopy_opts o = { .verify = VCOPY_VERIFY_DEST,
	    .cancelled = cb_cancelled, .progress = cb_progress,
	    .vet = cb_vet, .arg = &a };
	struct vcopy_result *res = xmalloc0(sizeof *res);
	char msg[ARC_TEXT * 3], size[32];
	json_error_t jerr;
	json_t *list = NULL, *e, *r;
	size_t i, ndone = 0;
	int rc = MCR_JOB_FAILED;

	clock_gettime(CLOCK_MONOTONIC, &a.t0);
	if (parse_rate(host->param(job, "rate"), &a.rate_limit) < 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "rate=%s is not a number "
		    "of bytes a second such as 200M", host->param(job, "rate"));
		goto out;
	}
	if (files == NULL || (list = json_loads(files, 0, &jerr)) == NULL ||
	    !json_is_array(list) || json_array_size(list) == 0) {
		rc = arc_fail(&a, MCR_JOB_REFUSED, "storage.restore needs "
		    "files= as a JSON array of [archive path, destination, "
		    "size, hashes] (use 'mcr restore')");
		goto out;
	}
	json_array_foreach(list, i, e) {
		const char *s = json_string_value(json_array_get(e, 0));
		const char *d = json_string_value(json_array_get(e, 1));
		struct arc_file *f;

		if (s == NULL || d == NULL || *s != '/' || *d != '/') {
			rc = arc_fail(&a, MCR_JOB_REFUSED, "entry %zu of files= "
			    "lacks absolute archive and destination paths", i);
			goto out;
		}
		f = arc_add(&a);
		f->src = xstrdup0(s);
		f->dest = xstrdup0(d);
		f->size = (uint64_t)json_integer_value(json_array_get(e, 2));
		if (parse_hashes(json_array_get(e, 3), &f->hashes) < 0) {
			rc = arc_fail(&a, MCR_JOB_REFUSED, "entry %zu of files= "
			    "(%s) has no archived xxh128 to verify against", i,
			    s);
			goto out;
		}
		o.algos |= f->hashes.set;
		a.total += f->size * 2;
	}
	for (i = 0; i < a.n; i++) {
		struct arc_file *f = &a.f[i];

		if (host->cancelled(job)) {
			rc = MCR_JOB_CANCELLED;
			goto out;
		}
		if (!host->path_allowed(job, f->src, 0)) {
			rc = arc_fail(&a, MCR_JOB_REFUSED, "the archive copy %s "
			    "lies outside the configured volumes; mount its "
			    "volume and configure it", f->src);
			goto out;
		}
		a.expect = &f->hashes;
		rc = copy_one(&a, f, &o, res, "restored");
		if (rc == MCR_JOB_REFUSED && res->status == VCOPY_REFUSED) {
			char *s = NULL;
			json_t *d = json_pack("{s:s}", "path", f->src);

			if (d != NULL && (s = json_dumps(d, JSON_COMPACT)) != NULL)
				host->record(job, "storage.damaged", s);
			free(s);
			json_decref(d);
			host->event(job, "error", "storage.damaged", f->src,
			    res->err);
		}
		if (rc != 0)
			goto out;
		/* A destination that already held these bytes never went
		 * through vet(): check it here. */
		if (res->status == VCOPY_IDENTICAL && cb_vet(&a, NULL,
		    &res->hashes, a.why, sizeof a.why) != 0) {
			rc = arc_fail(&a, MCR_JOB_REFUSED, "%s", a.why);
			goto out;
		}
		f->done = 1;
		ndone++;
	}
	rc = MCR_JOB_DONE;
out:
	if (rc == MCR_JOB_CANCELLED) {
		/* A cancelled restore leaves things as they were. */
		rollback(&a);
		for (i = 0; i < a.n; i++)
			a.f[i].done = 0;
		ndone = 0;
		host->log(job, "cancelled: the files this job had restored "
		    "were removed");
	}
	/* What was restored and verified before a failure stays, and is
	 * catalogued: running the job again skips it as identical. Folders
	 * made for nothing go again. */
	if (rc != MCR_JOB_DONE && rc != MCR_JOB_CANCELLED)
		for (i = a.nmade; i > 0; i--)
			rmdir(a.made[i - 1]);
	if (ndone > 0)
		record_restored(&a);
	if (rc == MCR_JOB_DONE) {
		uint64_t bytes = a.total / 2;

		storage_format_size(bytes, size, sizeof size);
		storage_fmt(msg, sizeof msg, "%s restored from the archive: "
		    "%zu file%s, %s, each verified against its archived "
		    "hashes", what != NULL ? what : a.f[0].dest, a.n,
		    a.n == 1 ? "" : "s", size);
		host->event(job, "notice", "storage.restore", what != NULL ?
		    what : a.f[0].dest, msg);
		r = json_pack("{s:I, s:I, s:f}", "files", (json_int_t)a.n,
		    "bytes", (json_int_t)bytes, "seconds", elapsed(&a));
		if (r != NULL) {
			char *s = json_dumps(r, JSON_COMPACT);

			if (s != NULL)
				host->result(job, s);
			free(s);
		}
		json_decref(r);
		host->progress(job, 1, -1, NULL, 0, NULL);
	}
	json_decref(list);
	free(res);
	arc_free(&a);
	return rc;
}
