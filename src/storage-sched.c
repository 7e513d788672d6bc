/*
 * storage-sched: mcrd's storage timers (see storage-sched.h). The backup
 * runs inside mcrd, on mcrd's own connection, with SQLite's online backup
 * (shiftlog_backup): mcrd's own writes go on between the copy's steps and
 * are copied along. A backup that does not verify leaves no file and an
 * error event; old backups beyond backup_keep are removed, oldest first,
 * only among files that carry this shift log's backup name.
 */
#include "autoconfig.h"

#include "storage-sched.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

static struct {
	int64_t started, last_scan, last_purge, last_backup;
} sched;

static int
count_active(const struct shiftlog_job *j, void *arg)
{
	(void)j;
	(*(int *)arg)++;
	return 0;
}

/* Queues kind unless one is queued or running already. */
static bool
queue(struct shiftlog *sl, const char *kind, const char *subject)
{
	struct shiftlog_job_filter f = { .kind = kind, .active = true };
	struct shiftlog_submit sub = { .kind = kind, .subject = subject };
	int active = 0;
	int64_t id;

	if (shiftlog_jobs(sl, &f, count_active, &active) < 0 || active > 0)
		return false;
	return shiftlog_job_submit(sl, &sub, &id) == 0;
}

/* The base of the shift log's file name without its extension. */
static char *
backup_base(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *base = xstrdup(slash != NULL ? slash + 1 : path);
	size_t n = strlen(base);

	if (n > 3 && strcmp(base + n - 3, ".db") == 0)
		base[n - 3] = '\0';
	return base;
}

char *
storage_backup_name(const char *shiftlog_path, int64_t t)
{
	char *base = backup_base(shiftlog_path), *name, stamp[32];
	time_t secs = (time_t)(t / 1000000);
	struct tm tm;

	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	name = xasprintf("%s-%s.db", base, stamp);
	free(base);
	return name;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Removes the oldest backups of this shift log beyond keep. The names
 * sort by time. */
static void
prune(const char *dir, const char *shiftlog_path, int keep)
{
	char *base = backup_base(shiftlog_path), **names = NULL, *p;
	size_t n = 0, i, blen = strlen(base);
	struct dirent *de;
	DIR *d = opendir(dir);

	if (d == NULL) {
		free(base);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		/* base-YYYYmmddTHHMMSSZ.db */
		if (len == blen + 20 && strncmp(de->d_name, base, blen) == 0 &&
		    de->d_name[blen] == '-' &&
		    strcmp(de->d_name + len - 3, ".db") == 0) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp_names);
	for (i = 0; keep >= 0 && i + (size_t)keep < n; i++) {
		p = xasprintf("%s/%s", dir, names[i]);
		unlink(p);
		free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(base);
}

static void
backup(struct shiftlog *sl, const struct config *cfg)
{
	struct shiftlog_event ev = { .kind = "shiftlog.backup" };
	struct shiftlog_backup_result r;
	char *name, *dest, msg[700], size[16];
	int rc;

	if (mkdir(cfg->storage.backup_dir, 0750) != 0 && errno != EEXIST) {
		strutil_format(msg, sizeof msg, "scheduled shift-log backup "
		    "failed: cannot create %s: %s", cfg->storage.backup_dir,
		    strerror(errno));
		ev.severity = "error";
		goto record;
	}
	name = storage_backup_name(shiftlog_path(sl), when_now());
	dest = xasprintf("%s/%s", cfg->storage.backup_dir, name);
	free(name);
	rc = shiftlog_backup(sl, dest, &r);
	if (rc == 0) {
		strutil_bytes((uint64_t)r.bytes, size, sizeof size);
		strutil_format(msg, sizeof msg, "shift log backed up to %s "
		    "(%s, %lld events, chain verified to event %lld)", dest,
		    size, (long long)r.events, (long long)r.head_id);
		ev.severity = "info";
		prune(cfg->storage.backup_dir, shiftlog_path(sl),
		    cfg->storage.backup_keep);
	} else {
		strutil_format(msg, sizeof msg, "scheduled shift-log backup to "
		    "%s failed: %s", dest, rc == 1 ? r.problem :
		    shiftlog_errmsg(sl));
		ev.severity = "error";
	}
	free(dest);
record:
	ev.message = msg;
	ev.subject = cfg->storage.backup_dir;
	shiftlog_append(sl, &ev, 1);
}

bool
storage_sched_tick(struct shiftlog *sl, const struct config *cfg,
    int64_t now_ms, bool have_plugin)
{
	const struct config_storage *st = &cfg->storage;
	bool queued = false;

	if (sched.started == 0) {
		sched.started = now_ms;
		sched.last_scan = sched.last_purge = sched.last_backup = now_ms;
	}
	if (have_plugin && cfg->nvolumes > 0) {
		if (st->scan_every_ms > 0 &&
		    now_ms - sched.last_scan >= st->scan_every_ms) {
			sched.last_scan = now_ms;
			queued |= queue(sl, "storage.scan", "all volumes");
		}
		if (st->purge_every_ms > 0 &&
		    now_ms - sched.last_purge >= st->purge_every_ms) {
			sched.last_purge = now_ms;
			queued |= queue(sl, "storage.purge", "quarantines");
		}
	}
	if (st->backup_dir != NULL && st->backup_every_ms > 0 &&
	    now_ms - sched.last_backup >= st->backup_every_ms) {
		sched.last_backup = now_ms;
		backup(sl, cfg);
	}
	return queued;
}
