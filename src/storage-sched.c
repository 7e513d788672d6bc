/*
 * storage-sched: mcrd's storage timers (see storage-sched.h). The backup
 * runs in a thread of mcrd with a read-only connection of its own
 * (shiftlog_backup: SQLite's online backup in one read transaction, then
 * the copy reopened and its chain verified), so mcrd's loop and its writes
 * go on while a large shift log is copied; the next tick after it ends
 * records the outcome with mcrd's connection. A backup that does not
 * verify leaves no file and an error event; old backups beyond
 * backup_keep are removed, oldest first, only among files that carry this
 * shift log's backup name.
 */
#include "autoconfig.h"

#include "storage-sched.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
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

/* Removes the oldest backups of this shift log beyond keep (the names
 * sort by time), and what backups whose process died left behind. */
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
		const char *tmp = strstr(de->d_name, ".db.tmp-");

		/* What a backup killed half-way left (its process is gone). */
		if (tmp != NULL && strncmp(de->d_name, base, blen) == 0 &&
		    de->d_name[blen] == '-') {
			long pid = strtol(tmp + 8, NULL, 10);

			if (pid > 0 && kill((pid_t)pid, 0) != 0 &&
			    errno == ESRCH) {
				p = xasprintf("%s/%s", dir, de->d_name);
				unlink(p);
				free(p);
			}
			continue;
		}

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

/* The backup in flight: set by the main thread before the thread starts,
 * filled by the thread, read back after done turns 1. */
static struct {
	bool running;		/* main thread only */
	pthread_t thread;
	atomic_int done;
	char *src, *dest, *dir;
	int rc;
	struct shiftlog_backup_result r;
	char err[640];
} bk;

static void *
backup_thread(void *arg)
{
	struct shiftlog_opts o = { .read_only = true, .must_exist = true };
	struct shiftlog *copy_src;

	(void)arg;
	if (shiftlog_open(bk.src, &o, &copy_src, bk.err, sizeof bk.err) < 0)
		bk.rc = -1;
	else {
		bk.rc = shiftlog_backup(copy_src, bk.dest, &bk.r);
		if (bk.rc < 0)
			strutil_format(bk.err, sizeof bk.err, "%s",
			    shiftlog_errmsg(copy_src));
		shiftlog_close(copy_src);
	}
	atomic_store(&bk.done, 1);
	return NULL;
}

static void
backup_record(struct shiftlog *sl, const char *dir, const char *severity,
    const char *msg)
{
	struct shiftlog_event ev = { .kind = "shiftlog.backup" };

	ev.severity = severity;
	ev.message = msg;
	ev.subject = dir;
	shiftlog_append(sl, &ev, 1);
}

static void
backup_start(struct shiftlog *sl, const struct config *cfg)
{
	char *name, msg[700];
	int e;

	if (mkdir(cfg->storage.backup_dir, 0750) != 0 && errno != EEXIST) {
		strutil_format(msg, sizeof msg, "scheduled shift-log backup "
		    "failed: cannot create %s: %s", cfg->storage.backup_dir,
		    strerror(errno));
		backup_record(sl, cfg->storage.backup_dir, "error", msg);
		return;
	}
	name = storage_backup_name(shiftlog_path(sl), when_now());
	bk.dest = xasprintf("%s/%s", cfg->storage.backup_dir, name);
	free(name);
	bk.src = xstrdup(shiftlog_path(sl));
	bk.dir = xstrdup(cfg->storage.backup_dir);
	bk.err[0] = '\0';
	atomic_store(&bk.done, 0);
	if ((e = pthread_create(&bk.thread, NULL, backup_thread, NULL)) != 0) {
		strutil_format(msg, sizeof msg, "scheduled shift-log backup "
		    "failed: cannot start its thread: %s", strerror(e));
		backup_record(sl, bk.dir, "error", msg);
		free(bk.src);
		free(bk.dest);
		free(bk.dir);
		return;
	}
	bk.running = true;
}

/* The backup thread ended: record how it went. */
static void
backup_finish(struct shiftlog *sl, const struct config *cfg)
{
	char msg[1000], size[16];

	pthread_join(bk.thread, NULL);
	bk.running = false;
	if (bk.rc == 0) {
		strutil_bytes((uint64_t)bk.r.bytes, size, sizeof size);
		strutil_format(msg, sizeof msg, "shift log backed up to %s "
		    "(%s, %lld events, chain verified to event %lld, %.1f s)",
		    bk.dest, size, (long long)bk.r.events,
		    (long long)bk.r.head_id, bk.r.seconds);
		backup_record(sl, bk.dir, "info", msg);
		prune(bk.dir, bk.src, cfg->storage.backup_keep);
	} else {
		strutil_format(msg, sizeof msg, "scheduled shift-log backup to "
		    "%s failed: %s", bk.dest, bk.rc == 1 ? bk.r.problem :
		    bk.err);
		backup_record(sl, bk.dir, "error", msg);
	}
	free(bk.src);
	free(bk.dest);
	free(bk.dir);
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
	if (bk.running && atomic_load(&bk.done))
		backup_finish(sl, cfg);
	/* One backup at a time; a slow one delays the next. */
	if (!bk.running && st->backup_dir != NULL && st->backup_every_ms > 0 &&
	    now_ms - sched.last_backup >= st->backup_every_ms) {
		sched.last_backup = now_ms;
		backup_start(sl, cfg);
	}
	return queued;
}
