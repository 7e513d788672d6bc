/*
 * scan: storage.scan, what fills each volume. The walk opens each folder
 * with openat(), reads it and fstatat()s every entry (the syscalls du
 * makes), at most scan_rate entries a second, without crossing into other
 * filesystems, counting hard-linked files once. It sums, per folder, the
 * apparent size (what the files hold) and the allocated size (what du
 * shows) of its own files and of its whole subtree.
 *
 * Re-scans are incremental. The scan leaves a cache of the tree on the
 * volume (.mcr/scan-cache): for each folder its mtime and ctime, its own
 * sums and its subfolders, and the files that were "hot" (modified within
 * hot_window). A re-scan stats every folder, but reads (readdir and a
 * stat per entry) only those whose mtime or ctime changed: adding,
 * removing or renaming an entry changes its folder's mtime, and ctime
 * catches a tool that put the mtime back (rsync -t on folders). A file
 * that grows in place does not touch its folder, so the re-scan re-stats
 * the folder's hot files, which is where in-place writes happen
 * (recordings, renders, copies in progress); a cold file rewritten in
 * place is seen at the next full scan, which every scan becomes when the
 * last one is older than full_scan (default 7 days), or with full=1.
 *
 * What goes to the shift log: the folders whose sums changed (all of
 * them, with "reset", when the cache does not belong to this shift log's
 * last scan: the plugin state keeps a token the cache must carry), the
 * removed subtrees, usage by client and production following the volume's
 * layout ({client}/{production}), and a summary. Client quotas are
 * checked against the newest usage of every volume; crossing one opens an
 * incident, coming back under closes it.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "storage.h"

#define CACHE_MAGIC "MCRSCN02"
#define CACHE_NAME "scan-cache"
#define RECORD_BYTES 40000	/* well under the protocol's line limit */
#define MAX_DEPTH 1024

struct hot {
	char *name;
	int64_t size, disk, mtime_ns;
};

struct node {
	char *path;		/* relative to the root; "" for the root */
	const char *name;	/* its last component, inside path */
	uint32_t depth;
	uint32_t end;		/* index after its subtree (old tree) */
	int64_t mtime_ns, ctime_ns;
	uint64_t own_bytes, own_disk, own_files;
	uint64_t bytes, disk, files, dirs;
	uint32_t hot_first, hot_n;
	uint32_t link_first, link_n;	/* hard-linked files it counted */
	int32_t old;		/* the same folder in the old tree, or -1 */
	bool seen;		/* (old tree) met by this scan */
	bool read;		/* (new tree) read by this scan */
};

struct tree {
	struct node *v;
	size_t n, cap;
	struct hot *hot;
	size_t nhot, hotcap;
	uint64_t *links;	/* (dev, ino) pairs */
	size_t nlinks, linkcap;
	uint64_t token;
	int64_t last_full;	/* µs */
};

/* (dev, ino) of files with more than one link, counted once, with the
 * folder that counted them. */
struct inoset {
	uint64_t *k;		/* triples: dev + 1, ino, owner */
	size_t n, cap;		/* cap: slots, a power of two */
};

struct scan {
	struct mcr_job *job;
	const struct mcr_host *host;
	const char *volume;
	dev_t dev;
	struct tree old, cur;
	struct inoset links;	/* counted by this scan */
	struct inoset oldlinks;	/* by the last one, owner its old folder */
	bool full;
	int64_t now_ns, hot_ns;
	long rate;
	uint64_t ops, stats, dirs_read, errors;
	double t0, last_report;
	uint64_t expect;	/* entries the old tree had, for progress */
	bool cancelled;
	char first_error[256];
};

static void *
xrealloc_(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL && n != 0)
		abort();
	return p;
}

static char *
xstrdup_(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t
ts_ns(const struct timespec *t)
{
	return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

static void
tree_free(struct tree *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->v[i].path);
	for (i = 0; i < t->nhot; i++)
		free(t->hot[i].name);
	free(t->v);
	free(t->hot);
	free(t->links);
	memset(t, 0, sizeof *t);
}

static size_t
tree_add(struct tree *t, const char *path, uint32_t depth)
{
	struct node *nd;
	const char *slash;

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->v = xrealloc_(t->v, t->cap * sizeof *t->v);
	}
	nd = &t->v[t->n];
	memset(nd, 0, sizeof *nd);
	nd->path = xstrdup_(path);
	slash = strrchr(nd->path, '/');
	nd->name = slash != NULL ? slash + 1 : nd->path;
	nd->depth = depth;
	nd->old = -1;
	return t->n++;
}

static void
hot_add(struct tree *t, const char *name, int64_t size, int64_t disk,
    int64_t mtime_ns)
{
	if (t->nhot == t->hotcap) {
		t->hotcap = t->hotcap ? t->hotcap * 2 : 256;
		t->hot = xrealloc_(t->hot, t->hotcap * sizeof *t->hot);
	}
	t->hot[t->nhot].name = xstrdup_(name);
	t->hot[t->nhot].size = size;
	t->hot[t->nhot].disk = disk;
	t->hot[t->nhot].mtime_ns = mtime_ns;
	t->nhot++;
}

/* --- hard links --- */

static uint64_t
mix(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL);

	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 29);
}

/* The owner of (dev, ino) when it is in the set; otherwise adds it with
 * owner (when add) and returns -1. */
static int64_t
inoset_find(struct inoset *s, uint64_t dev, uint64_t ino, bool add,
    int64_t owner)
{
	size_t i, mask;

	if (s->cap == 0 && !add)
		return -1;
	if (s->n * 2 >= s->cap) {
		struct inoset bigger = { .cap = s->cap ? s->cap * 2 : 1024 };

		bigger.k = calloc(bigger.cap * 3, sizeof *bigger.k);
		if (bigger.k == NULL)
			abort();
		for (i = 0; i < s->cap; i++) {
			if (s->k[3 * i] != 0)
				inoset_find(&bigger, s->k[3 * i] - 1,
				    s->k[3 * i + 1], true,
				    (int64_t)s->k[3 * i + 2]);
		}
		free(s->k);
		*s = bigger;
	}
	mask = s->cap - 1;
	/* dev + 1: a zero slot is empty. */
	for (i = mix(dev, ino) & mask;; i = (i + 1) & mask) {
		if (s->k[3 * i] == 0) {
			if (!add)
				return -1;
			s->k[3 * i] = dev + 1;
			s->k[3 * i + 1] = ino;
			s->k[3 * i + 2] = (uint64_t)owner;
			s->n++;
			return -1;
		}
		if (s->k[3 * i] == dev + 1 && s->k[3 * i + 1] == ino)
			return (int64_t)s->k[3 * i + 2];
	}
}

static void
link_add(struct tree *t, uint64_t dev, uint64_t ino)
{
	if (t->nlinks == t->linkcap) {
		t->linkcap = t->linkcap ? t->linkcap * 2 : 64;
		t->links = xrealloc_(t->links, t->linkcap * 2 * sizeof *t->links);
	}
	t->links[2 * t->nlinks] = dev;
	t->links[2 * t->nlinks + 1] = ino;
	t->nlinks++;
}

/* --- the cache --- */

static char *
cache_path(const char *root, const char *name)
{
	size_t len = strlen(root) + strlen(STORAGE_DOTDIR) + strlen(name) + 3;
	char *p = malloc(len);

	if (p == NULL)
		abort();
	snprintf(p, len, "%s/%s/%s", root, STORAGE_DOTDIR, name);
	return p;
}

static bool
get(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n;
}

static char *
get_str(FILE *f)
{
	uint16_t len;
	char *s;

	if (!get(f, &len, sizeof len))
		return NULL;
	s = malloc((size_t)len + 1);
	if (s == NULL)
		abort();
	if (!get(f, s, len) || memchr(s, '\0', len) != NULL) {
		free(s);
		return NULL;
	}
	s[len] = '\0';
	return s;
}

/* Reads the cache into t; false (t empty) when there is none or it is not
 * one this build wrote. */
static bool
cache_load(const char *root, struct tree *t)
{
	char *path = cache_path(root, CACHE_NAME), magic[8], *s;
	uint32_t ndirs, i, h, hot_n;
	size_t k;
	FILE *f = fopen(path, "rb");
	struct node *nd;
	bool okay = false;

	free(path);
	if (f == NULL)
		return false;
	if (!get(f, magic, 8) || memcmp(magic, CACHE_MAGIC, 8) != 0 ||
	    !get(f, &t->token, 8) || !get(f, &t->last_full, 8) ||
	    !get(f, &ndirs, 4))
		goto out;
	for (i = 0; i < ndirs; i++) {
		uint32_t depth;
		int64_t nums[9];

		if ((s = get_str(f)) == NULL)
			goto out;
		if (!get(f, &depth, 4) || !get(f, nums, sizeof nums) ||
		    !get(f, &hot_n, 4)) {
			free(s);
			goto out;
		}
		k = tree_add(t, s, depth);
		nd = &t->v[k];
		free(s);
		nd->mtime_ns = nums[0];
		nd->ctime_ns = nums[1];
		nd->own_bytes = (uint64_t)nums[2];
		nd->own_disk = (uint64_t)nums[3];
		nd->own_files = (uint64_t)nums[4];
		nd->bytes = (uint64_t)nums[5];
		nd->disk = (uint64_t)nums[6];
		nd->files = (uint64_t)nums[7];
		nd->dirs = (uint64_t)nums[8];
		nd->hot_first = (uint32_t)t->nhot;
		nd->hot_n = hot_n;
		for (h = 0; h < hot_n; h++) {
			int64_t hv[3];

			if ((s = get_str(f)) == NULL)
				goto out;
			if (!get(f, hv, sizeof hv)) {
				free(s);
				goto out;
			}
			hot_add(t, s, hv[0], hv[1], hv[2]);
			free(s);
		}
		if (!get(f, &hot_n, 4))
			goto out;
		nd = &t->v[t->n - 1];
		nd->link_first = (uint32_t)t->nlinks;
		nd->link_n = hot_n;
		for (h = 0; h < hot_n; h++) {
			uint64_t lk[2];

			if (!get(f, lk, sizeof lk))
				goto out;
			link_add(t, lk[0], lk[1]);
		}
	}
	/* Subtree ends, for walking an old folder's children. */
	for (i = t->n; i-- > 0;) {
		uint32_t j = i + 1;

		while (j < t->n && t->v[j].depth > t->v[i].depth)
			j = t->v[j].end;
		t->v[i].end = j;
	}
	okay = t->n > 0 && t->v[0].depth == 0;
out:
	fclose(f);
	if (!okay)
		tree_free(t);
	return okay;
}

static void
put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void
put_str(FILE *f, const char *s)
{
	size_t n = strlen(s);
	uint16_t len = n > 65535 ? 65535 : (uint16_t)n;

	put(f, &len, sizeof len);
	put(f, s, len);
}

/* Writes the tree as the volume's cache: to a temporary file renamed into
 * place, so a crash leaves the old cache or the new, never half of one. */
static int
cache_save(struct scan *sc, const char *root)
{
	char *dir = cache_path(root, ""), *tmp = cache_path(root,
	    CACHE_NAME ".tmp"), *path = cache_path(root, CACHE_NAME);
	struct tree *t = &sc->cur;
	uint32_t ndirs = (uint32_t)t->n, i, h;
	FILE *f;
	int rc = -1;

	if (!sc->host->path_allowed(sc->job, root, 1)) {
		errno = EACCES;
		goto out;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST)
		goto out;
	if ((f = fopen(tmp, "wb")) == NULL)
		goto out;
	put(f, CACHE_MAGIC, 8);
	put(f, &t->token, 8);
	put(f, &t->last_full, 8);
	put(f, &ndirs, 4);
	for (i = 0; i < t->n; i++) {
		const struct node *nd = &t->v[i];
		int64_t nums[9] = { nd->mtime_ns, nd->ctime_ns,
		    (int64_t)nd->own_bytes, (int64_t)nd->own_disk,
		    (int64_t)nd->own_files, (int64_t)nd->bytes,
		    (int64_t)nd->disk, (int64_t)nd->files, (int64_t)nd->dirs };

		put_str(f, nd->path);
		put(f, &nd->depth, 4);
		put(f, nums, sizeof nums);
		put(f, &nd->hot_n, 4);
		for (h = 0; h < nd->hot_n; h++) {
			const struct hot *ht = &t->hot[nd->hot_first + h];
			int64_t hv[3] = { ht->size, ht->disk, ht->mtime_ns };

			put_str(f, ht->name);
			put(f, hv, sizeof hv);
		}
		put(f, &nd->link_n, 4);
		put(f, t->links + 2 * nd->link_first,
		    (size_t)nd->link_n * 2 * sizeof *t->links);
	}
	if (ferror(f) | (fclose(f) != 0)) {
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(dir);
	free(tmp);
	free(path);
	return rc;
}

/* --- the walk --- */

/* Sleeps as long as the rate limit asks, reports progress a few times a
 * second and notices a cancel. */
static void
pace(struct scan *sc)
{
	double now;

	sc->ops++;
	if (sc->ops % 256 != 0)
		return;
	now = mono();
	if (sc->rate > 0) {
		double due = sc->t0 + (double)sc->ops / (double)sc->rate;

		if (due > now) {
			struct timespec ts;

			ts.tv_sec = (time_t)(due - now);
			ts.tv_nsec = (long)((due - now - (double)ts.tv_sec) * 1e9);
			nanosleep(&ts, NULL);
			now = mono();
		}
	}
	if (now - sc->last_report >= 0.25) {
		double el = now - sc->t0;
		double frac = sc->expect > 0 ? (double)sc->ops /
		    (double)sc->expect : -1;

		sc->last_report = now;
		if (frac > 0.99)
			frac = 0.99;
		sc->host->progress(sc->job, frac, el > 0 ? sc->ops / el : -1,
		    "entries/s", -1, sc->volume);
		if (sc->host->cancelled(sc->job))
			sc->cancelled = true;
	}
}

static void
scan_error(struct scan *sc, const char *path, const char *what, int err)
{
	sc->errors++;
	if (sc->first_error[0] == '\0')
		snprintf(sc->first_error, sizeof sc->first_error,
		    "%s /%s: %s", what, path, strerror(err));
}

struct child {
	const char *name;
	int32_t idx;
};

static int
child_cmp(const void *a, const void *b)
{
	return strcmp(((const struct child *)a)->name,
	    ((const struct child *)b)->name);
}

static void walk(struct scan *sc, int fd, size_t self, int32_t old);

/* A subfolder of folder `self` (open as fd): stats it and walks it. */
static void
visit_dir(struct scan *sc, int fd, size_t self, const char *name,
    const struct stat *st, int32_t old)
{
	struct node *parent = &sc->cur.v[self];
	char *path;
	size_t len, idx;
	int cfd;

	if (st->st_dev != sc->dev || parent->depth + 1 > MAX_DEPTH)
		return;
	len = strlen(parent->path) + strlen(name) + 2;
	path = malloc(len);
	if (path == NULL)
		abort();
	snprintf(path, len, "%s%s%s", parent->path, *parent->path ? "/" : "",
	    name);
	cfd = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (cfd < 0) {
		/* Removed since it was listed: a busy volume, not an error. */
		if (errno != ENOENT)
			scan_error(sc, path, "cannot open", errno);
		free(path);
		return;
	}
	idx = tree_add(&sc->cur, path, parent->depth + 1);
	free(path);
	/* As du counts it: a folder's own blocks are allocated space. */
	sc->cur.v[idx].disk = (uint64_t)st->st_blocks * 512;
	sc->cur.v[idx].mtime_ns = ts_ns(&st->st_mtim);
	sc->cur.v[idx].ctime_ns = ts_ns(&st->st_ctim);
	walk(sc, cfd, idx, old);
	close(cfd);
	/* walk() may have moved the array. */
	parent = &sc->cur.v[self];
	parent->bytes += sc->cur.v[idx].bytes;
	parent->disk += sc->cur.v[idx].disk;
	parent->files += sc->cur.v[idx].files;
	parent->dirs += sc->cur.v[idx].dirs + 1;
}

/* Counts one regular file (or anything not a folder) into folder nd. */
static void
count_file(struct scan *sc, size_t self, const char *name,
    const struct stat *st)
{
	struct node *nd = &sc->cur.v[self];
	int64_t disk = (int64_t)st->st_blocks * 512;

	if (st->st_nlink > 1 && !S_ISDIR(st->st_mode)) {
		int64_t owner = inoset_find(&sc->oldlinks, st->st_dev,
		    st->st_ino, false, 0);

		/* Another folder counted it last time and counts it again
		 * (from its cache, or when it is read). */
		if (owner >= 0 && owner != nd->old)
			return;
		if (inoset_find(&sc->links, st->st_dev, st->st_ino, true,
		    (int64_t)self) >= 0)
			return;
		if (nd->link_n == 0)
			nd->link_first = (uint32_t)sc->cur.nlinks;
		link_add(&sc->cur, st->st_dev, st->st_ino);
		nd->link_n++;
	}
	nd->own_bytes += (uint64_t)st->st_size;
	nd->own_disk += (uint64_t)disk;
	nd->own_files++;
	if (S_ISREG(st->st_mode) && ts_ns(&st->st_mtim) >= sc->hot_ns) {
		if (nd->hot_n == 0)
			nd->hot_first = (uint32_t)sc->cur.nhot;
		hot_add(&sc->cur, name, st->st_size, disk,
		    ts_ns(&st->st_mtim));
		nd->hot_n++;
	}
}

/* Reads a folder whose entries may have changed. */
static void
walk_read(struct scan *sc, int fd, size_t self, int32_t old)
{
	struct child *kids = NULL;
	size_t nkids = 0, cap = 0;
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	if (old >= 0) {
		/* The old subfolders, by name, to carry their caches. */
		uint32_t j = (uint32_t)old + 1;

		while (j < sc->old.v[old].end) {
			if (nkids == cap) {
				cap = cap ? cap * 2 : 16;
				kids = xrealloc_(kids, cap * sizeof *kids);
			}
			kids[nkids].name = sc->old.v[j].name;
			kids[nkids++].idx = (int32_t)j;
			j = sc->old.v[j].end;
		}
		qsort(kids, nkids, sizeof *kids, child_cmp);
	}
	sc->dirs_read++;
	if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		scan_error(sc, sc->cur.v[self].path, "cannot read", errno);
		free(kids);
		return;
	}
	while (!sc->cancelled && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		/* The scan's own cache is mcr's bookkeeping, not content. */
		if (sc->cur.v[self].depth == 1 && strncmp(de->d_name,
		    CACHE_NAME, strlen(CACHE_NAME)) == 0 &&
		    strcmp(sc->cur.v[self].path, STORAGE_DOTDIR) == 0)
			continue;
		pace(sc);
		sc->stats++;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
			if (errno != ENOENT)
				scan_error(sc, sc->cur.v[self].path, "cannot "
				    "stat an entry of", errno);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			struct child key = { .name = de->d_name }, *hit;

			hit = nkids > 0 ? bsearch(&key, kids, nkids,
			    sizeof *kids, child_cmp) : NULL;
			visit_dir(sc, fd, self, de->d_name, &st,
			    hit != NULL ? hit->idx : -1);
		} else
			count_file(sc, self, de->d_name, &st);
	}
	if (errno != 0 && !sc->cancelled)
		scan_error(sc, sc->cur.v[self].path, "cannot read", errno);
	closedir(d);
	free(kids);
}

/* A folder that kept its entries: its old sums, its hot files re-stated,
 * and its old subfolders visited. */
static void
walk_cached(struct scan *sc, int fd, size_t self, int32_t old)
{
	const struct node *o = &sc->old.v[old];
	struct node *nd = &sc->cur.v[self];
	struct stat st;
	uint32_t h, j;

	nd->own_bytes = o->own_bytes;
	nd->own_disk = o->own_disk;
	nd->own_files = o->own_files;
	if (o->link_n > 0) {
		nd->link_first = (uint32_t)sc->cur.nlinks;
		nd->link_n = o->link_n;
		for (h = 0; h < o->link_n; h++)
			link_add(&sc->cur, sc->old.links[2 * (o->link_first + h)],
			    sc->old.links[2 * (o->link_first + h) + 1]);
	}
	for (h = 0; h < o->hot_n; h++) {
		const struct hot *ht = &sc->old.hot[o->hot_first + h];

		pace(sc);
		sc->stats++;
		nd = &sc->cur.v[self];
		if (fstatat(fd, ht->name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode)) {
			/* Gone without the folder's mtime changing: read it
			 * next time. */
			nd->mtime_ns = 0;
			continue;
		}
		nd->own_bytes += (uint64_t)st.st_size - (uint64_t)ht->size;
		nd->own_disk += (uint64_t)st.st_blocks * 512 -
		    (uint64_t)ht->disk;
		if (ts_ns(&st.st_mtim) >= sc->hot_ns) {
			if (nd->hot_n == 0)
				nd->hot_first = (uint32_t)sc->cur.nhot;
			hot_add(&sc->cur, ht->name, st.st_size,
			    (int64_t)st.st_blocks * 512, ts_ns(&st.st_mtim));
			nd->hot_n++;
		}
	}
	for (j = (uint32_t)old + 1; j < sc->old.v[old].end && !sc->cancelled;
	    j = sc->old.v[j].end) {
		pace(sc);
		sc->stats++;
		if (fstatat(fd, sc->old.v[j].name, &st, AT_SYMLINK_NOFOLLOW) != 0
		    || !S_ISDIR(st.st_mode)) {
			sc->cur.v[self].mtime_ns = 0;
			continue;
		}
		visit_dir(sc, fd, self, sc->old.v[j].name, &st, (int32_t)j);
	}
}

/* Walks folder self (open as fd), matched with old (or -1). */
static void
walk(struct scan *sc, int fd, size_t self, int32_t old)
{
	struct node *nd = &sc->cur.v[self];

	nd->old = old;
	if (old >= 0) {
		sc->old.v[old].seen = true;
		if (!sc->full && sc->old.v[old].mtime_ns == nd->mtime_ns &&
		    sc->old.v[old].ctime_ns == nd->ctime_ns) {
			walk_cached(sc, fd, self, old);
			goto sum;
		}
	}
	sc->cur.v[self].read = true;
	walk_read(sc, fd, self, old);
sum:
	nd = &sc->cur.v[self];
	nd->bytes += nd->own_bytes;
	nd->disk += nd->own_disk;
	nd->files += nd->own_files;
}

/* --- what goes to the shift log --- */

struct batch {
	struct scan *sc;
	const char *type;
	const char *key;
	json_t *doc, *arr;
	size_t bytes;
	uint64_t count;
};

static void
batch_start(struct batch *b, struct scan *sc, const char *type,
    const char *key)
{
	memset(b, 0, sizeof *b);
	b->sc = sc;
	b->type = type;
	b->key = key;
}

static void
batch_flush(struct batch *b)
{
	char *s;

	if (b->doc == NULL)
		return;
	s = json_dumps(b->doc, JSON_COMPACT);
	if (s == NULL)
		abort();
	b->sc->host->record(b->sc->job, b->type, s);
	free(s);
	json_decref(b->doc);
	b->doc = NULL;
	b->bytes = 0;
}

/* Adds item (a new reference) costing about `cost` bytes of JSON. */
static void
batch_add(struct batch *b, json_t *item, size_t cost)
{
	if (b->doc != NULL && b->bytes + cost > RECORD_BYTES)
		batch_flush(b);
	if (b->doc == NULL) {
		b->arr = json_array();
		b->doc = json_pack("{s:s, s:o}", "volume", b->sc->volume,
		    b->key, b->arr);
		if (b->doc == NULL)
			abort();
	}
	json_array_append_new(b->arr, item);
	b->bytes += cost;
	b->count++;
}

static bool
node_changed(const struct scan *sc, const struct node *nd)
{
	const struct node *o;

	if (nd->old < 0)
		return true;
	o = &sc->old.v[nd->old];
	return o->bytes != nd->bytes || o->disk != nd->disk ||
	    o->files != nd->files || o->dirs != nd->dirs ||
	    o->own_bytes != nd->own_bytes || o->own_files != nd->own_files ||
	    o->mtime_ns != nd->mtime_ns;
}

/* The parent folder's path of a relative path, or NULL for the root. */
static json_t *
parent_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (*path == '\0')
		return json_null();
	if (slash == NULL)
		return json_string("");
	return json_stringn(path, (size_t)(slash - path));
}

static uint64_t
emit_dirs(struct scan *sc, bool reset)
{
	struct batch b;
	size_t i;

	batch_start(&b, sc, "storage.dirs", "dirs");
	for (i = 0; i < sc->cur.n; i++) {
		const struct node *nd = &sc->cur.v[i];
		json_t *row;

		if (!reset && !node_changed(sc, nd))
			continue;
		row = json_pack("[s, o, I, I, I, I, I, I, I]", nd->path,
		    parent_of(nd->path), (json_int_t)nd->bytes,
		    (json_int_t)nd->disk, (json_int_t)nd->files,
		    (json_int_t)nd->dirs, (json_int_t)nd->own_bytes,
		    (json_int_t)nd->own_files,
		    (json_int_t)(nd->mtime_ns / 1000));
		if (row == NULL) {
			/* A name that is not UTF-8: it is counted in its
			 * parent's sums, but has no row of its own. */
			continue;
		}
		batch_add(&b, row, 2 * strlen(nd->path) + 140);
	}
	batch_flush(&b);
	return b.count;
}

static uint64_t
emit_gone(struct scan *sc)
{
	struct batch b;
	size_t i;

	batch_start(&b, sc, "storage.gone", "paths");
	for (i = 1; i < sc->old.n; i++) {
		const struct node *o = &sc->old.v[i];
		size_t p = i;

		if (o->seen)
			continue;
		/* Only the top of a removed subtree: its parent was seen. */
		while (p-- > 0 && sc->old.v[p].depth >= o->depth)
			;
		if (!sc->old.v[p].seen)
			continue;
		batch_add(&b, json_string(o->path), strlen(o->path) + 8);
	}
	batch_flush(&b);
	return b.count;
}

/* Layout matching: the index of {client} and {production} among the
 * layout's components, and whether the first `depth` components of path
 * fit it. */
struct layout {
	char *comp[16];
	int n, client, production;
};

static void
layout_parse(struct layout *l, const char *s)
{
	char *copy = xstrdup_(s), *p = copy, *slash;

	memset(l, 0, sizeof *l);
	l->client = l->production = -1;
	while (p != NULL && l->n < 16) {
		slash = strchr(p, '/');
		if (slash != NULL)
			*slash = '\0';
		if (strcmp(p, "{client}") == 0)
			l->client = l->n;
		else if (strcmp(p, "{production}") == 0)
			l->production = l->n;
		l->comp[l->n++] = xstrdup_(p);
		p = slash != NULL ? slash + 1 : NULL;
	}
	free(copy);
}

static void
layout_free(struct layout *l)
{
	int i;

	for (i = 0; i < l->n; i++)
		free(l->comp[i]);
}

/* The path's components fit the layout's first depth components; the
 * client's and production's names are copied out. */
static bool
layout_match(const struct layout *l, const char *path, uint32_t depth,
    char *client, char *production, size_t len)
{
	const char *p = path;
	uint32_t i;

	if (depth > (uint32_t)l->n)
		return false;
	for (i = 0; i < depth; i++) {
		size_t n = strcspn(p, "/");
		const char *c = l->comp[i];

		if ((int)i == l->client)
			snprintf(client, len, "%.*s", (int)n, p);
		else if ((int)i == l->production)
			snprintf(production, len, "%.*s", (int)n, p);
		else if (strcmp(c, "*") != 0 && (strlen(c) != n ||
		    strncmp(c, p, n) != 0))
			return false;
		p += n;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Usage by client and production; adds each client's bytes into the
 * plugin state as "usage.CLIENT.VOLUME" for the quota check. */
static void
emit_owners(struct scan *sc, const char *layout_text)
{
	char client[256], production[256], key[600], num[32];
	struct layout l;
	json_t *owners = json_array(), *doc;
	size_t i;
	char *s;

	layout_parse(&l, layout_text);
	for (i = 0; i < storage_settings.nclients; i++) {
		snprintf(key, sizeof key, "usage.%s.%s",
		    storage_settings.clients[i].name, sc->volume);
		sc->host->state_set(sc->job, key, NULL);
	}
	for (i = 0; i < sc->cur.n; i++) {
		const struct node *nd = &sc->cur.v[i];
		uint64_t rest;
		size_t j;

		client[0] = production[0] = '\0';
		/* Hidden folders (mcr's own .mcr among them) are nobody's. */
		if ((int)nd->depth != l.client + 1 || *nd->name == '.' ||
		    !layout_match(&l, nd->path, nd->depth, client, production,
		    sizeof client))
			continue;
		/* Kept for the quota check, for clients that have one. */
		for (j = 0; j < storage_settings.nclients; j++) {
			if (storage_settings.clients[j].quota > 0 &&
			    strcmp(storage_settings.clients[j].name,
			    client) == 0) {
				snprintf(key, sizeof key, "usage.%s.%s", client,
				    sc->volume);
				snprintf(num, sizeof num, "%llu",
				    (unsigned long long)nd->bytes);
				sc->host->state_set(sc->job, key, num);
			}
		}
		if (l.production < 0) {
			json_array_append_new(owners, json_pack("[s, s, s, I, "
			    "I]", client, "", nd->path, (json_int_t)nd->bytes,
			    (json_int_t)nd->files));
			continue;
		}
		/* Its productions, and what lies outside them. */
		rest = nd->bytes;
		for (j = i + 1; j < sc->cur.n && sc->cur.v[j].depth >
		    nd->depth; j++) {
			const struct node *pd = &sc->cur.v[j];
			char c2[256];

			if ((int)pd->depth != l.production + 1 ||
			    !layout_match(&l, pd->path, pd->depth, c2,
			    production, sizeof production))
				continue;
			rest -= pd->bytes;
			json_array_append_new(owners, json_pack("[s, s, s, I, "
			    "I]", client, production, pd->path,
			    (json_int_t)pd->bytes, (json_int_t)pd->files));
		}
		json_array_append_new(owners, json_pack("[s, s, s, I, I]",
		    client, "", nd->path, (json_int_t)rest, (json_int_t)0));
	}
	layout_free(&l);
	doc = json_pack("{s:s, s:o}", "volume", sc->volume, "owners", owners);
	if (doc != NULL && (s = json_dumps(doc, JSON_COMPACT)) != NULL) {
		if (strlen(s) < 60000)
			sc->host->record(sc->job, "storage.owners", s);
		else
			sc->host->log(sc->job, "usage by client is too long "
			    "to record in one row; skipped");
		free(s);
	}
	json_decref(doc);
}

/* Compares each client with a quota against its usage on every volume
 * (the newest scan of each), opening an incident when it goes over and
 * closing it when it comes back under. */
static void
check_quotas(struct mcr_job *job, const struct mcr_host *host)
{
	const struct mcr_volume *vols;
	size_t nv = host->volumes(job, &vols), c, i;
	char key[600], msg[512], used[32], quota[32], *s;

	for (c = 0; c < storage_settings.nclients; c++) {
		const struct storage_client_opts *cl =
		    &storage_settings.clients[c];
		uint64_t total = 0;
		const char *prev, *level;
		json_t *inc;

		if (cl->quota == 0)
			continue;
		for (i = 0; i < nv; i++) {
			const char *v;

			snprintf(key, sizeof key, "usage.%s.%s", cl->name,
			    vols[i].name);
			if ((v = host->state_get(job, key)) != NULL)
				total += strtoull(v, NULL, 10);
		}
		level = total > cl->quota ? "over" : "ok";
		snprintf(key, sizeof key, "quota.%s", cl->name);
		prev = host->state_get(job, key);
		if (prev != NULL ? strcmp(prev, level) == 0 :
		    strcmp(level, "ok") == 0) {
			host->state_set(job, key, level);
			continue;
		}
		storage_format_size(total, used, sizeof used);
		storage_format_size(cl->quota, quota, sizeof quota);
		if (strcmp(level, "over") == 0)
			snprintf(msg, sizeof msg, "client %s uses %s, over its "
			    "quota of %s", cl->name, used, quota);
		else
			snprintf(msg, sizeof msg, "client %s is back under its "
			    "quota: %s of %s", cl->name, used, quota);
		host->event(job, strcmp(level, "over") == 0 ? "warning" :
		    "notice", "storage.quota", cl->name, msg);
		snprintf(key, sizeof key, "storage.quota.%s", cl->name);
		inc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I}", "key", key,
		    "state", strcmp(level, "over") == 0 ? "open" : "clear",
		    "severity", "warning", "title", msg, "message", msg,
		    "used", (json_int_t)total, "quota", (json_int_t)cl->quota);
		if (inc != NULL && (s = json_dumps(inc, JSON_COMPACT)) != NULL) {
			host->record(job, "incident", s);
			free(s);
		}
		json_decref(inc);
		snprintf(key, sizeof key, "quota.%s", cl->name);
		host->state_set(job, key, level);
	}
}

static uint64_t
new_token(void)
{
	uint64_t t = 0;
	FILE *f = fopen("/dev/urandom", "rb");

	if (f != NULL) {
		if (fread(&t, sizeof t, 1, f) != 1)
			t = 0;
		fclose(f);
	}
	if (t == 0)
		t = (uint64_t)time(NULL) * 2654435761u ^ (uint64_t)getpid();
	return t;
}

/* Scans one volume; 0, or -1 after saying why in *why. */
static int
scan_volume(struct mcr_job *job, const struct mcr_host *host,
    const struct mcr_volume *v, bool force_full, long rate, json_t *summary,
    char *why, size_t whylen)
{
	const struct storage_volume_opts *vo = storage_volume_opts(v->name);
	struct scan sc = { .job = job, .host = host, .volume = v->name,
	    .rate = rate };
	char tokkey[300], tok[32], num[32];
	const char *prev_tok;
	struct stat st;
	int64_t now = storage_now(job, host);
	bool reset, have_cache;
	uint64_t changed, gone;
	double secs;
	json_t *sum;
	char *s;
	int fd, rc = -1;

	fd = open(v->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(why, whylen, "cannot open volume %s at %s: %s; check "
		    "that it is mounted", v->name, v->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sc.dev = st.st_dev;
	sc.now_ns = now * 1000;
	sc.hot_ns = sc.now_ns - storage_settings.hot_window_us * 1000;
	have_cache = cache_load(v->path, &sc.old);
	sc.full = force_full || !have_cache ||
	    now - sc.old.last_full >= storage_settings.full_scan_us;
	snprintf(tokkey, sizeof tokkey, "scan.%s", v->name);
	prev_tok = host->state_get(job, tokkey);
	snprintf(tok, sizeof tok, "%016llx", (unsigned long long)sc.old.token);
	reset = !have_cache || prev_tok == NULL || strcmp(prev_tok, tok) != 0;
	sc.expect = have_cache ? sc.old.v[0].files + sc.old.v[0].dirs : 0;
	if (have_cache && !sc.full) {
		size_t i, h;

		for (i = 0; i < sc.old.n; i++) {
			for (h = 0; h < sc.old.v[i].link_n; h++) {
				size_t k = 2 * (sc.old.v[i].link_first + h);

				inoset_find(&sc.oldlinks, sc.old.links[k],
				    sc.old.links[k + 1], true, (int64_t)i);
			}
		}
	}
	sc.t0 = sc.last_report = mono();

	tree_add(&sc.cur, "", 0);
	sc.cur.v[0].mtime_ns = ts_ns(&st.st_mtim);
	sc.cur.v[0].ctime_ns = ts_ns(&st.st_ctim);
	sc.cur.v[0].disk = (uint64_t)st.st_blocks * 512;
	walk(&sc, fd, 0, have_cache ? 0 : -1);
	close(fd);
	secs = mono() - sc.t0;
	if (sc.cancelled) {
		snprintf(why, whylen, "cancelled");
		goto out;
	}
	changed = emit_dirs(&sc, reset);
	gone = reset ? 0 : emit_gone(&sc);
	emit_owners(&sc, vo != NULL && vo->layout != NULL ? vo->layout :
	    "{client}/{production}");

	sc.cur.token = new_token();
	sc.cur.last_full = sc.full ? now : sc.old.last_full;
	sum = json_pack("{s:s, s:s, s:b, s:b, s:f, s:I, s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I}", "volume", v->name, "root", v->path,
	    "full", sc.full, "reset", reset, "seconds", secs,
	    "bytes", (json_int_t)sc.cur.v[0].bytes,
	    "disk", (json_int_t)sc.cur.v[0].disk,
	    "files", (json_int_t)sc.cur.v[0].files,
	    "dirs", (json_int_t)sc.cur.v[0].dirs,
	    "dirs_read", (json_int_t)sc.dirs_read,
	    "stats", (json_int_t)sc.stats, "changed", (json_int_t)changed,
	    "gone", (json_int_t)gone, "errors", (json_int_t)sc.errors);
	if (sum == NULL || (s = json_dumps(sum, JSON_COMPACT)) == NULL)
		abort();
	host->record(job, "storage.scan", s);
	free(s);
	json_array_append(summary, sum);
	json_decref(sum);

	if (cache_save(&sc, v->path) == 0) {
		snprintf(tok, sizeof tok, "%016llx",
		    (unsigned long long)sc.cur.token);
		host->state_set(job, tokkey, tok);
	} else {
		/* No cache: the next scan reads every folder again. */
		host->state_set(job, tokkey, NULL);
		snprintf(why, whylen, "volume %s: cannot write the scan cache in "
		    "%s/%s (%s); the next scan will read every folder again",
		    v->name, v->path, STORAGE_DOTDIR, strerror(errno));
		host->log(job, why);
	}
	if (sc.errors > 0) {
		char msg[400];

		snprintf(msg, sizeof msg, "volume %s: %llu entries could not be "
		    "read and are not counted; the first: %s", v->name,
		    (unsigned long long)sc.errors, sc.first_error);
		host->event(job, "warning", "storage.scan", v->name, msg);
	}
	snprintf(num, sizeof num, "%.3f", secs);
	{
		char msg[300], sz[32];

		storage_format_size(sc.cur.v[0].bytes, sz, sizeof sz);
		snprintf(msg, sizeof msg, "volume %s: %s in %llu files and %llu "
		    "folders; %s scan, %llu folders read, in %s s", v->name, sz,
		    (unsigned long long)sc.cur.v[0].files,
		    (unsigned long long)sc.cur.v[0].dirs,
		    sc.full ? "full" : "incremental",
		    (unsigned long long)sc.dirs_read, num);
		host->log(job, msg);
	}
	rc = 0;
out:
	tree_free(&sc.old);
	tree_free(&sc.cur);
	free(sc.links.k);
	free(sc.oldlinks.k);
	return rc;
}

int
storage_scan(struct mcr_job *job, const struct mcr_host *host)
{
	const struct mcr_volume *vols;
	const char *only = host->param(job, "volume");
	const char *full = host->param(job, "full");
	const char *rate_s = host->param(job, "rate");
	size_t n = host->volumes(job, &vols), i, done = 0, bad = 0;
	long rate = storage_settings.scan_rate;
	char why[512] = "", first[512] = "";
	json_t *summary = json_array(), *r;
	char *s;

	if (rate_s != NULL) {
		char *end;

		rate = strtol(rate_s, &end, 10);
		if (*rate_s == '\0' || *end != '\0' || rate < 0) {
			host->fail(job, "rate= is not a whole number of entries "
			    "a second (0: no limit)");
			json_decref(summary);
			return MCR_JOB_FAILED;
		}
	}
	if (full != NULL && strcmp(full, "0") != 0 && strcmp(full, "1") != 0) {
		host->fail(job, "full= takes 1 (read every folder) or 0");
		json_decref(summary);
		return MCR_JOB_FAILED;
	}
	for (i = 0; i < n; i++) {
		if (only != NULL && strcmp(vols[i].name, only) != 0)
			continue;
		done++;
		if (scan_volume(job, host, &vols[i], full != NULL &&
		    strcmp(full, "1") == 0, rate, summary, why,
		    sizeof why) < 0) {
			if (host->cancelled(job)) {
				json_decref(summary);
				return MCR_JOB_CANCELLED;
			}
			bad++;
			host->log(job, why);
			host->event(job, "error", "storage.scan", vols[i].name,
			    why);
			if (first[0] == '\0')
				snprintf(first, sizeof first, "%s", why);
		}
	}
	if (only != NULL && done == 0) {
		snprintf(why, sizeof why, "there is no volume '%s'; 'mcr "
		    "storage' lists the configured volumes", only);
		host->fail(job, why);
		json_decref(summary);
		return MCR_JOB_FAILED;
	}
	check_quotas(job, host);
	r = json_pack("{s:o}", "volumes", summary);
	if (r == NULL || (s = json_dumps(r, JSON_COMPACT)) == NULL)
		abort();
	host->result(job, s);
	free(s);
	json_decref(r);
	if (bad > 0 && bad == done) {
		host->fail(job, first);
		return MCR_JOB_FAILED;
	}
	return MCR_JOB_DONE;
}
