/*
 * watch: settle-then-ingest for watch folders (see watch.h). Each scan
 * takes a signature of every top-level entry (total size, file count,
 * newest mtime; a folder is walked); an entry whose signature is the same
 * as at the previous scan and has been so for settle ms is queued as an
 * ingest.copy job with the watch's client, production, destinations and
 * template, unless watch_seen says it was queued before.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "shiftlog.h"
#include "watch.h"
#include "xmalloc.h"

#define WATCH_SCAN_MS 1000

struct entry {
	char *key;		/* "watch\npath" */
	int64_t size, files, mtime;
	int64_t stable_since;	/* monotonic ms */
	int64_t seen_at;	/* the scan that last found it */
	bool handled;		/* this signature is queued or was already:
				 * no need to ask the shift log again */
	struct entry *next;
};

struct watch {
	int64_t last_scan;
	int64_t scan;
	struct entry *entries;
};

struct sig {
	int64_t size, files, mtime;
};

static struct sig *walk_sig;

static int
sig_cb(const char *path, const struct stat *st, int type, struct FTW *f)
{
	int64_t mt = (int64_t)st->st_mtim.tv_sec * 1000000 +
	    st->st_mtim.tv_nsec / 1000;

	if (type == FTW_F) {
		walk_sig->size += st->st_size;
		walk_sig->files++;
	}
	if (mt > walk_sig->mtime)
		walk_sig->mtime = mt;
	return 0;
}

static int
signature(const char *path, struct sig *s)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	if (lstat(path, &st) != 0)
		return -1;
	if (S_ISREG(st.st_mode)) {
		s->size = st.st_size;
		s->files = 1;
		s->mtime = (int64_t)st.st_mtim.tv_sec * 1000000 +
		    st.st_mtim.tv_nsec / 1000;
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return -1;
	walk_sig = s;
	return nftw(path, sig_cb, 16, FTW_PHYS) == 0 ? 0 : -1;
}

static struct entry *
find_entry(struct watch *w, const char *key)
{
	struct entry *e;

	for (e = w->entries; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0)
			return e;
	}
	e = xcalloc(1, sizeof *e);
	e->key = xstrdup(key);
	e->size = -1;
	e->next = w->entries;
	w->entries = e;
	return e;
}

static int
submit(const struct config_watch *cw, struct shiftlog *sl, const char *path,
    int64_t *id)
{
	struct shiftlog_submit sub = { .kind = "ingest.copy" };
	json_t *p = json_pack("{s:s, s:s, s:s}", "src", path, "client",
	    cw->client, "production", cw->production);
	char *text;
	int rc;

	if (p == NULL)
		return -1;
	if (cw->to != NULL)
		json_object_set_new(p, "to", json_string(cw->to));
	if (cw->template != NULL)
		json_object_set_new(p, "template", json_string(cw->template));
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	sub.params = text;
	sub.subject = cw->production;
	rc = shiftlog_job_submit(sl, &sub, id);
	free(text);
	return rc;
}

int
watch_tick(struct watch **wp, const struct config *cfg, struct shiftlog *sl,
    int64_t now)
{
	struct watch *w = *wp;
	struct entry *e, **pe;
	size_t i;
	int queued = 0;

	if (cfg->nwatches == 0)
		return 0;
	if (w == NULL)
		w = *wp = xcalloc(1, sizeof *w);
	if (w->last_scan != 0 && now - w->last_scan < WATCH_SCAN_MS)
		return 0;
	w->last_scan = now;
	w->scan++;
	for (i = 0; i < cfg->nwatches; i++) {
		const struct config_watch *cw = &cfg->watches[i];
		struct dirent *de;
		DIR *dir;

		if (cw->path == NULL || cw->client == NULL ||
		    cw->production == NULL ||
		    (dir = opendir(cw->path)) == NULL)
			continue;
		while ((de = readdir(dir)) != NULL) {
			char path[PATH_MAX], key[PATH_MAX + 256];
			struct sig s;
			int64_t id;
			int seen;

			/* Hidden names are transfers in progress. */
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof path, "%s/%s", cw->path,
			    de->d_name);
			if (signature(path, &s) < 0)
				continue;
			snprintf(key, sizeof key, "%s\n%s", cw->name, path);
			e = find_entry(w, key);
			e->seen_at = w->scan;
			if (s.size != e->size || s.files != e->files ||
			    s.mtime != e->mtime) {
				e->size = s.size;
				e->files = s.files;
				e->mtime = s.mtime;
				e->stable_since = now;
				e->handled = false;
				continue;
			}
			if (e->handled || now - e->stable_since < cw->settle_ms)
				continue;
			seen = shiftlog_watch_seen(sl, cw->name, path, s.size,
			    s.mtime);
			if (seen != 0) {
				/* Known (1), or unknown for now (< 0): ask again
				 * next scan only in the second case. */
				e->handled = seen > 0;
				continue;
			}
			if (submit(cw, sl, path, &id) < 0 ||
			    shiftlog_watch_mark(sl, cw->name, path, s.size,
			    s.mtime, id) < 0) {
				closedir(dir);
				return -1;
			}
			e->handled = true;
			queued++;
		}
		closedir(dir);
	}
	/* Forget what left the folders. */
	for (pe = &w->entries; (e = *pe) != NULL;) {
		if (e->seen_at != w->scan) {
			*pe = e->next;
			free(e->key);
			free(e);
		} else {
			pe = &e->next;
		}
	}
	return queued;
}

void
watch_free(struct watch *w)
{
	struct entry *e, *next;

	if (w == NULL)
		return;
	for (e = w->entries; e != NULL; e = next) {
		next = e->next;
		free(e->key);
		free(e);
	}
	free(w);
}
