/*
 * storage: the storage duty. storage.sample statvfs()s each configured
 * volume (or only the one named by volume=), records what it finds as a
 * "storage.volume" sample keyed by the volume's name, and compares the used
 * fraction with the volume's warn and crit levels. The level a volume was
 * last seen at is kept in the plugin's state as "level.NAME", so an event
 * goes to the shift log only when that level changes: once when a volume
 * crosses a threshold, once when it comes back under it, never on every
 * sample. A volume that cannot be read has the level "unavailable".
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/statvfs.h>
#include <time.h>

#include "storage.h"
#include "strutil.h"

#define STORAGE_TEXT 512

/* What one statvfs() said about a volume, in bytes. */
struct storage_usage {
	uint64_t total;
	uint64_t used;
	uint64_t free;
	uint64_t avail;
	uint64_t inodes_total;
	uint64_t inodes_free;
	double used_fraction;
};

/* "1.8 TiB", "20 TiB", "512 B": binary units, two significant figures
 * below ten, whole numbers above. */
void
storage_format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double v = (double)bytes;
	size_t u = 0;

	while (v >= 1023.5 && u < sizeof units / sizeof units[0] - 1) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%llu B", (unsigned long long)bytes);
	else if (v < 9.95)
		snprintf(buf, len, "%.1f %s", v, units[u]);
	else
		snprintf(buf, len, "%.0f %s", v, units[u]);
}

/* Rounded down, so a volume is never said to be at its warning level
 * before it is. */
static int
storage_percent(double fraction)
{
	return (int)(fraction * 100);
}

static int
storage_measure(const char *path, struct storage_usage *u)
{
	struct statvfs sv;
	uint64_t frsize;

	if (statvfs(path, &sv) != 0)
		return -1;
	frsize = sv.f_frsize != 0 ? sv.f_frsize : sv.f_bsize;
	u->total = (uint64_t)sv.f_blocks * frsize;
	u->free = (uint64_t)sv.f_bfree * frsize;
	u->used = u->total - u->free;
	u->avail = (uint64_t)sv.f_bavail * frsize;
	u->inodes_total = sv.f_files;
	u->inodes_free = sv.f_ffree;
	/* As df does: what is used against what users could still use, so
	 * the blocks reserved for root count neither way. */
	if (u->used + u->avail > 0)
		u->used_fraction = (double)u->used /
		    (double)(u->used + u->avail);
	else
		u->used_fraction = 0;
	return 0;
}

static const char *
storage_level(const struct mcr_volume *v, double fraction)
{
	if (fraction >= v->crit)
		return "crit";
	if (fraction >= v->warn)
		return "warn";
	return "ok";
}

/* The state key of a volume's last level; free the result. */
static char *
storage_state_key(const char *name)
{
	size_t len = strlen("level.") + strlen(name) + 1;
	char *key = malloc(len);

	if (key == NULL)
		abort();
	snprintf(key, len, "level.%s", name);
	return key;
}

static void
storage_sample_volume(struct mcr_job *job, const struct mcr_host *host,
    const struct mcr_volume *v, const struct storage_usage *u,
    const char *level)
{
	json_t *o;
	char *s;

	o = json_pack("{s:s, s:s?, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:f, "
	    "s:f, s:s}",
	    "path", v->path, "role", v->role,
	    "total", (json_int_t)u->total, "used", (json_int_t)u->used,
	    "free", (json_int_t)u->free, "avail", (json_int_t)u->avail,
	    "inodes_total", (json_int_t)u->inodes_total,
	    "inodes_free", (json_int_t)u->inodes_free,
	    "used_fraction", u->used_fraction, "warn", v->warn,
	    "crit", v->crit, "level", level);
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	if (s != NULL)
		host->sample(job, "storage.volume", v->name, s);
	else
		host->log(job, "a storage.volume sample could not be built "
		    "(is the volume's name or path valid UTF-8?); skipped");
	free(s);
	json_decref(o);
}

/* Says what a change of level means, in one sentence and a severity, and
 * under which event kind. */
static void
storage_describe(const struct mcr_volume *v, const struct storage_usage *u,
    const char *prev, const char *level, const char *why, const char **sev,
    const char **kind, char *msg, size_t len)
{
	char avail[32], total[32];
	int pct = storage_percent(u->used_fraction);

	storage_format_size(u->avail, avail, sizeof avail);
	storage_format_size(u->total, total, sizeof total);
	*kind = "storage.threshold";
	if (strcmp(level, "unavailable") == 0) {
		*sev = "error";
		*kind = "storage.unavailable";
		snprintf(msg, len, "cannot read volume %s at %s: %s; check "
		    "that it is mounted", v->name, v->path, why);
	} else if (strcmp(level, "ok") == 0) {
		*sev = "notice";
		if (prev != NULL && strcmp(prev, "unavailable") == 0) {
			*kind = "storage.unavailable";
			snprintf(msg, len, "volume %s at %s can be read again: "
			    "%d%% full", v->name, v->path, pct);
		} else {
			snprintf(msg, len, "volume %s is back under its "
			    "warning level: %d%% full", v->name, pct);
		}
	} else {
		*sev = strcmp(level, "crit") == 0 ? "error" : "warning";
		snprintf(msg, len, "volume %s %s %d%% full (warn at %.0f%%, "
		    "crit at %.0f%%): %s free of %s", v->name,
		    prev != NULL && strcmp(prev, "crit") == 0 ?
		    "is back under its critical level but still" : "is",
		    pct, v->warn * 100, v->crit * 100, avail, total);
	}
}

/* One incident per volume, keyed storage.volume.NAME: opened when the
 * volume reaches warn (severity warning), crit (critical) or cannot be
 * read (error), its severity raised or lowered with the level, closed
 * when the volume is back under warn. */
static void
storage_incident(struct mcr_job *job, const struct mcr_host *host,
    const struct mcr_volume *v, const char *level, const char *msg)
{
	char key[300], title[300];
	const char *sev;
	json_t *o;
	char *s;

	if (host->size < offsetof(struct mcr_host, record) +
	    sizeof host->record || host->record == NULL)
		return;
	snprintf(key, sizeof key, "storage.volume.%s", v->name);
	if (strcmp(level, "ok") == 0) {
		sev = "warning";
		snprintf(title, sizeof title, "volume %s is back under its "
		    "levels", v->name);
	} else if (strcmp(level, "crit") == 0) {
		sev = "critical";
		snprintf(title, sizeof title, "volume %s is critically full",
		    v->name);
	} else if (strcmp(level, "warn") == 0) {
		sev = "warning";
		snprintf(title, sizeof title, "volume %s is filling up", v->name);
	} else {
		sev = "error";
		snprintf(title, sizeof title, "volume %s cannot be read",
		    v->name);
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "key", key, "state",
	    strcmp(level, "ok") == 0 ? "clear" : "open", "severity", sev,
	    "title", title, "message", msg, "level", level);
	if (o != NULL && (s = json_dumps(o, JSON_COMPACT)) != NULL) {
		host->record(job, "incident", s);
		free(s);
	}
	json_decref(o);
}

/* Raises an event when the volume's level differs from the one kept in
 * the state, then keeps the new one. A first sample that finds a volume
 * fine is no news and only records the level. */
static void
storage_check_level(struct mcr_job *job, const struct mcr_host *host,
    const struct mcr_volume *v, const struct storage_usage *u,
    const char *level, const char *why)
{
	const char *prev, *sev, *kind;
	char *key = storage_state_key(v->name);
	char msg[STORAGE_TEXT];

	prev = host->state_get(job, key);
	if (prev != NULL && strcmp(prev, level) == 0)
		goto out;
	if (prev != NULL || strcmp(level, "ok") != 0) {
		storage_describe(v, u, prev, level, why, &sev, &kind, msg,
		    sizeof msg);
		host->event(job, sev, kind, v->name, msg);
		storage_incident(job, host, v, level, msg);
	}
	host->state_set(job, key, level);
out:
	free(key);
}

/* Fails the job for volume=NAME that names no volume, listing those that
 * are configured. */
static void
storage_no_volume(struct mcr_job *job, const struct mcr_host *host,
    const char *name, const struct mcr_volume *vols, size_t n)
{
	char msg[STORAGE_TEXT];
	size_t i, off;
	int w;

	w = snprintf(msg, sizeof msg, "there is no volume '%s'; the "
	    "configured volumes are: ", name);
	off = w > 0 ? (size_t)w : 0;
	for (i = 0; i < n && off < sizeof msg; i++) {
		w = snprintf(msg + off, sizeof msg - off, "%s%s",
		    i > 0 ? ", " : "", vols[i].name);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	host->fail(job, msg);
}

static int
storage_sample(struct mcr_job *job, const struct mcr_host *host)
{
	const struct mcr_volume *vols, *v;
	const char *only = host->param(job, "volume");
	const char *level, *first_name = NULL;
	struct storage_usage u;
	size_t i, n, done = 0, todo, nwarn = 0, ncrit = 0, nbad = 0;
	char msg[STORAGE_TEXT], first_why[128];
	json_t *r;
	char *s;

	n = host->volumes(job, &vols);
	if (n == 0) {
		host->log(job, "no volumes are configured; add a [volume NAME] "
		    "section to mcr.ini to watch one");
		host->result(job, "{\"volumes\":0}");
		return MCR_JOB_DONE;
	}
	todo = n;
	if (only != NULL) {
		for (i = 0; i < n && strcmp(vols[i].name, only) != 0; i++)
			;
		if (i == n) {
			storage_no_volume(job, host, only, vols, n);
			return MCR_JOB_FAILED;
		}
		todo = 1;
	}

	for (i = 0; i < n; i++) {
		v = &vols[i];
		if (only != NULL && strcmp(v->name, only) != 0)
			continue;
		if (host->cancelled(job))
			return MCR_JOB_CANCELLED;
		host->progress(job, (double)done / todo, -1, NULL, -1,
		    v->name);
		if (storage_measure(v->path, &u) != 0) {
			char why[128];

			snprintf(why, sizeof why, "%s", strerror(errno));
			memset(&u, 0, sizeof u);
			if (first_name == NULL) {
				first_name = v->name;
				snprintf(first_why, sizeof first_why, "%s",
				    why);
			}
			snprintf(msg, sizeof msg, "volume %s: statvfs %s: %s",
			    v->name, v->path, why);
			host->log(job, msg);
			storage_check_level(job, host, v, &u, "unavailable",
			    why);
			nbad++;
		} else {
			level = storage_level(v, u.used_fraction);
			storage_sample_volume(job, host, v, &u, level);
			storage_check_level(job, host, v, &u, level, NULL);
			if (strcmp(level, "warn") == 0)
				nwarn++;
			else if (strcmp(level, "crit") == 0)
				ncrit++;
		}
		done++;
	}
	host->progress(job, 1, -1, NULL, -1, NULL);

	r = json_pack("{s:I, s:I, s:I, s:I}", "volumes", (json_int_t)todo,
	    "warn", (json_int_t)nwarn, "crit", (json_int_t)ncrit,
	    "unavailable", (json_int_t)nbad);
	if (r == NULL || (s = json_dumps(r, JSON_COMPACT)) == NULL)
		abort();
	host->result(job, s);
	free(s);
	json_decref(r);

	if (nbad == todo) {
		if (todo == 1)
			snprintf(msg, sizeof msg, "volume %s cannot be read: "
			    "%s; check that it is mounted", first_name,
			    first_why);
		else
			snprintf(msg, sizeof msg, "none of the %zu volumes can "
			    "be read (%s: %s); check that they are mounted",
			    todo, first_name, first_why);
		host->fail(job, msg);
		return MCR_JOB_FAILED;
	}
	return MCR_JOB_DONE;
}

void
storage_fmt(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* --- settings --- */

struct storage_settings storage_settings = {
	.scan_rate = 20000,
	.hot_window_us = 24LL * 3600 * 1000000,
	.full_scan_us = 7LL * 86400 * 1000000,
};

static char *
xdup(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* "30d", "12h", "90m", "45s", "500ms" or plain seconds, in µs. */
static int
parse_period_us(const char *v, int64_t *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || end == v || n < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		*out = n * 1000;
	else if (strcmp(end, "d") == 0)
		*out = n * 86400 * 1000000;
	else if (strcmp(end, "h") == 0)
		*out = n * 3600 * 1000000;
	else if (strcmp(end, "m") == 0)
		*out = n * 60 * 1000000;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		*out = n * 1000000;
	else
		return -1;
	return 0;
}

static uint64_t
parse_size(const char *v)
{
	double d;

	return strutil_parse_bytes(v, &d) == 0 ? (uint64_t)d : 0;
}

const struct storage_volume_opts *
storage_volume_opts(const char *name)
{
	size_t i;

	for (i = 0; i < storage_settings.nvolumes; i++) {
		if (strcmp(storage_settings.volumes[i].name, name) == 0)
			return &storage_settings.volumes[i];
	}
	return NULL;
}

static struct storage_volume_opts *
volume_opts(const char *name, size_t len)
{
	struct storage_settings *st = &storage_settings;
	size_t i;

	for (i = 0; i < st->nvolumes; i++) {
		if (strlen(st->volumes[i].name) == len &&
		    strncmp(st->volumes[i].name, name, len) == 0)
			return &st->volumes[i];
	}
	st->volumes = realloc(st->volumes, (st->nvolumes + 1) *
	    sizeof *st->volumes);
	if (st->volumes == NULL)
		abort();
	memset(&st->volumes[st->nvolumes], 0, sizeof *st->volumes);
	st->volumes[st->nvolumes].name = strndup(name, len);
	return &st->volumes[st->nvolumes++];
}

static struct storage_client_opts *
client_opts(const char *name, size_t len)
{
	struct storage_settings *st = &storage_settings;
	size_t i;

	for (i = 0; i < st->nclients; i++) {
		if (strlen(st->clients[i].name) == len &&
		    strncmp(st->clients[i].name, name, len) == 0)
			return &st->clients[i];
	}
	st->clients = realloc(st->clients, (st->nclients + 1) *
	    sizeof *st->clients);
	if (st->clients == NULL)
		abort();
	memset(&st->clients[st->nclients], 0, sizeof *st->clients);
	st->clients[st->nclients].name = strndup(name, len);
	return &st->clients[st->nclients++];
}

/* mcr's config has checked every value already (config.c); this only
 * takes in what the jobs use and ignores the rest of [storage]. */
int
storage_config(const char *key, const char *value, char *err, size_t errlen)
{
	const char *dot, *name;
	int64_t us;

	if (strncmp(key, "volume.", 7) == 0 || strncmp(key, "client.", 7) == 0) {
		name = key + 7;
		dot = strrchr(name, '.');
		if (dot == NULL || dot == name) {
			snprintf(err, errlen, "'%s' is not a storage key", key);
			return -1;
		}
		if (key[0] == 'v') {
			struct storage_volume_opts *vo = volume_opts(name,
			    (size_t)(dot - name));

			if (strcmp(dot + 1, "quarantine") == 0) {
				free(vo->quarantine);
				vo->quarantine = xdup(value);
			} else if (strcmp(dot + 1, "layout") == 0) {
				free(vo->layout);
				vo->layout = xdup(value);
			}
		} else if (strcmp(dot + 1, "quota") == 0)
			client_opts(name, (size_t)(dot - name))->quota =
			    parse_size(value);
		return 0;
	}
	if (strcmp(key, "scan_rate") == 0)
		storage_settings.scan_rate = strtol(value, NULL, 10);
	else if (strcmp(key, "hot_window") == 0 || strcmp(key, "full_scan") == 0) {
		if (parse_period_us(value, &us) < 0) {
			snprintf(err, errlen, "%s '%s' is not a period", key,
			    value);
			return -1;
		}
		if (key[0] == 'h')
			storage_settings.hot_window_us = us;
		else
			storage_settings.full_scan_us = us;
	}
	return 0;
}

int64_t
storage_now(struct mcr_job *job, const struct mcr_host *host)
{
	const char *s = host->param(job, "now");
	struct timespec ts;
	char *end;
	long long n;

	if (s == NULL)
		s = getenv("MCR_NOW");
	if (s != NULL) {
		n = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || n < 0)
			return -1;
		return n * 1000000;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const struct mcr_param storage_scan_params[] = {
	{ .name = "volume", .help = "scan only this volume (its name in "
	    "mcr.ini)" },
	{ .name = "full", .help = "1: read every folder, not only those "
	    "that changed" },
	{ .name = "rate", .help = "at most this many files and folders a "
	    "second (0: no limit); default [storage] scan_rate" },
	{ .name = "now", .help = "tests only: the clock, in seconds since the "
	    "epoch" },
	{ NULL }
};

static const struct mcr_param storage_purge_params[] = {
	{ .name = "now", .help = "tests only: the clock, in seconds since the "
	    "epoch" },
	{ NULL }
};

static const struct mcr_param storage_archive_params[] = {
	{ .name = "src", .help = "the file or folder to archive (absolute)",
	    .required = 1 },
	{ .name = "to", .help = "where its copy goes, on the archive volume "
	    "(absolute)", .required = 1 },
	{ .name = "volume", .help = "the archive volume's name", .required = 1 },
	{ .name = "source_volume", .help = "the name of the volume src is on" },
	{ .name = "hash", .help = "hashes beside xxh128: xxh3, xxh64, md5, "
	    "sha1, c4 (comma-separated)" },
	{ .name = "rate", .help = "read at most this many bytes a second "
	    "(K, M, G: binary), e.g. 200M; default: no limit" },
	{ .name = "now", .help = "tests only: the clock, in seconds since the "
	    "epoch" },
	{ NULL }
};

static const struct mcr_param storage_restore_params[] = {
	{ .name = "files", .help = "JSON array of [archive copy, destination, "
	    "size, {archived hashes}] (mcr restore fills it from the "
	    "catalogue)", .required = 1 },
	{ .name = "what", .help = "what is restored, for the shift log" },
	{ .name = "dest", .help = "where it is restored to" },
	{ .name = "rate", .help = "read at most this many bytes a second "
	    "(K, M, G: binary), e.g. 200M; default: no limit" },
	{ .name = "now", .help = "tests only: the clock, in seconds since the "
	    "epoch" },
	{ NULL }
};

static const struct mcr_param storage_sample_params[] = {
	{ .name = "volume", .help = "sample only this volume (its name in "
	    "mcr.ini)" },
	{ NULL }
};

static const struct mcr_kind storage_kinds[] = {
	{
		.name = "storage.sample",
		.summary = "measure each volume's use and warn at its levels",
		.params = storage_sample_params,
		.retry_safe = 1,
		.run = storage_sample,
	},
	{
		.name = "storage.scan",
		.summary = "measure what fills each volume, folder by folder, "
		    "and check client quotas",
		.params = storage_scan_params,
		.retry_safe = 1,
		.run = storage_scan,
	},
	{
		.name = "storage.purge",
		.summary = "remove quarantined deletions whose retention ended",
		.params = storage_purge_params,
		.retry_safe = 1,
		.run = storage_purge,
	},
	{
		.name = "storage.archive",
		.summary = "copy a file or folder to an archive volume, verified, "
		    "with ASC MHL, and record the copies",
		.params = storage_archive_params,
		.retry_safe = 1,
		.run = storage_archive,
	},
	{
		.name = "storage.restore",
		.summary = "copy archived files back, verified against their "
		    "archived hashes",
		.params = storage_restore_params,
		.retry_safe = 1,
		.run = storage_restore,
	},
	{ NULL }
};

static const struct mcr_plugin storage_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "storage",
	.version = PACKAGE_VERSION,
	.summary = "storage volumes: space, usage by folder and client, "
	    "alarms, quarantine purge, archive and restore",
	.config = storage_config,
	.kinds = storage_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &storage_plugin;
}
