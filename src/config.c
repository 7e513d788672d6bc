/*
 * config: the only module that includes ini.h. inih calls handler() once
 * per key; the handler finds the section's owner in sections[] and the
 * owner validates and stores the value. inih reports the first bad line by
 * number, the owner says what was wrong with it, and load() joins the two
 * into "file:line: message".
 */
#include "autoconfig.h"

#include "config.h"

#include <errno.h>
#include <ini.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "paths.h"
#include "strutil.h"
#include "xmalloc.h"

/* A parse in progress: the line inih is on (counted by our reader, as
 * Debian's inih does not pass it to the handler), and the first error the
 * handler found. */
struct parse {
	struct config *cfg;
	FILE *file;		/* or */
	const char *text;	/* the rest of an in-memory config */
	int line;		/* the line last handed to inih */
	int newlines;		/* newlines handed to inih so far */
	int fail_line;		/* 0: the handler found nothing wrong */
	const char *name;	/* the file, for "file:line" */
	char msg[512];
};

struct section {
	const char *name;
	bool named;	/* written [name LABEL] */
	int (*set)(struct config *, const char *label, const char *key,
	    const char *value, char *err, size_t errlen);
};

static struct config_volume *volume(struct config *cfg, const char *name);

static int
set_string(char **dst, const char *value, const char *key, char *err,
    size_t errlen)
{
	if (*value == '\0') {
		strutil_format(err, errlen, "%s is empty; give it a value or "
		    "remove the line", key);
		return -1;
	}
	if (!strutil_utf8_valid(value, strlen(value))) {
		strutil_format(err, errlen, "%s is not valid UTF-8", key);
		return -1;
	}
	free(*dst);
	*dst = xstrdup(value);
	return 0;
}

/* A duration in milliseconds: "500ms", "5s", "2m", "1h", or plain
 * milliseconds. */
static int
parse_ms(const char *value, int *out)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno != 0 || end == value || n < 0)
		return -1;
	if (strcmp(end, "ms") == 0 || *end == '\0')
		;
	else if (strcmp(end, "s") == 0)
		n *= 1000;
	else if (strcmp(end, "m") == 0)
		n *= 60000;
	else if (strcmp(end, "h") == 0)
		n *= 3600000;
	else
		return -1;
	if (n > 24LL * 3600 * 1000)
		return -1;
	*out = (int)n;
	return 0;
}

static int
set_site(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "name") == 0)
		return set_string(&cfg->site_name, value, key, err, errlen);
	strutil_format(err, errlen, "unknown key '%s' in [site]; the keys "
	    "are: name", key);
	return -1;
}

static int
set_shiftlog(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "path") == 0) {
		if (value[0] == '~' && value[1] == '/') {
			const char *home = getenv("HOME");
			char *p;

			if (home == NULL || *home != '/') {
				strutil_format(err, errlen, "path starts with "
				    "~/ but $HOME is not set");
				return -1;
			}
			p = xasprintf("%s%s", home, value + 1);
			free(cfg->shiftlog_path);
			cfg->shiftlog_path = p;
			return 0;
		}
		if (value[0] != '/') {
			strutil_format(err, errlen, "path '%s' is not absolute; "
			    "give a full path such as /srv/mcr/shiftlog.db",
			    value);
			return -1;
		}
		return set_string(&cfg->shiftlog_path, value, key, err, errlen);
	}
	if (strcmp(key, "busy_timeout") == 0) {
		if (parse_ms(value, &cfg->busy_timeout_ms) < 0) {
			strutil_format(err, errlen, "busy_timeout '%s' is not a "
			    "duration; write it as 500ms, 5s or 1m", value);
			return -1;
		}
		if (cfg->busy_timeout_ms < 1) {
			strutil_format(err, errlen, "busy_timeout must be at "
			    "least 1ms: without it, two writers collide");
			return -1;
		}
		return 0;
	}
	strutil_format(err, errlen, "unknown key '%s' in [shiftlog]; the keys "
	    "are: path, busy_timeout", key);
	return -1;
}

static int
set_int(int *dst, const char *key, const char *value, int min, int max,
    char *err, size_t errlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(value, &end, 10);
	if (errno != 0 || end == value || *end != '\0' || n < min || n > max) {
		strutil_format(err, errlen, "%s '%s' is not a whole number from "
		    "%d to %d", key, value, min, max);
		return -1;
	}
	*dst = (int)n;
	return 0;
}

static int
set_duration(int *dst, const char *key, const char *value, char *err,
    size_t errlen)
{
	if (parse_ms(value, dst) < 0) {
		strutil_format(err, errlen, "%s '%s' is not a duration; write it "
		    "as 500ms, 5s, 10m or 1h", key, value);
		return -1;
	}
	return 0;
}

static int
set_mcrd(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "workers") == 0)
		return set_int(&cfg->workers, key, value, 1, 256, err, errlen);
	if (strcmp(key, "grace") == 0)
		return set_duration(&cfg->grace_ms, key, value, err, errlen);
	if (strcmp(key, "retries") == 0)
		return set_int(&cfg->retries, key, value, 0, 100, err, errlen);
	if (strcmp(key, "retry_backoff") == 0)
		return set_duration(&cfg->retry_backoff_ms, key, value, err,
		    errlen);
	if (strcmp(key, "storage_sample") == 0)
		return set_duration(&cfg->storage_sample_ms, key, value, err,
		    errlen);
	if (strcmp(key, "poll") == 0) {
		if (set_duration(&cfg->poll_ms, key, value, err, errlen) < 0)
			return -1;
		if (cfg->poll_ms < 20 || cfg->poll_ms > 10000) {
			strutil_format(err, errlen, "poll '%s' is outside 20ms "
			    "to 10s", value);
			return -1;
		}
		return 0;
	}
	strutil_format(err, errlen, "unknown key '%s' in [mcrd]; the keys are: "
	    "workers, grace, retries, retry_backoff, storage_sample, poll",
	    key);
	return -1;
}

static struct config_volume *
volume(struct config *cfg, const char *name)
{
	struct config_volume *v;
	size_t i;

	for (i = 0; i < cfg->nvolumes; i++) {
		if (strcmp(cfg->volumes[i].name, name) == 0)
			return &cfg->volumes[i];
	}
	cfg->volumes = xrealloc(cfg->volumes,
	    (cfg->nvolumes + 1) * sizeof *cfg->volumes);
	v = &cfg->volumes[cfg->nvolumes++];
	memset(v, 0, sizeof *v);
	v->name = xstrdup(name);
	v->role = xstrdup("production");
	v->warn = 0.85;
	v->crit = 0.95;
	v->retention_s = 30LL * 86400;
	return v;
}

static int
set_percent(double *dst, const char *key, const char *value, char *err,
    size_t errlen)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(value, &end);
	if (*end == '%')
		end++;
	if (errno != 0 || end == value || *end != '\0' || d < 0 || d > 100) {
		strutil_format(err, errlen, "%s '%s' is not a percentage from 0 "
		    "to 100", key, value);
		return -1;
	}
	*dst = d / 100;
	return 0;
}

/* The storage plugin runs in a worker that sees only its own section, so
 * the storage keys of [volume], [client] and [storage] are also handed to
 * it as entries of [storage]: "volume.NAME.key", "client.NAME.key",
 * "key". */
static void
forward_storage(struct config *cfg, const char *kind, const char *label,
    const char *key, const char *value)
{
	struct config_entry *e;

	cfg->entries = xrealloc(cfg->entries,
	    (cfg->nentries + 1) * sizeof *cfg->entries);
	e = &cfg->entries[cfg->nentries++];
	e->section = xstrdup("storage");
	e->key = kind != NULL ? xasprintf("%s.%s.%s", kind, label, key) :
	    xstrdup(key);
	e->value = xstrdup(value);
}

/* A period in seconds: "30d", "12h", "90m", "45s" or plain seconds; at
 * most ten years. */
static int
set_period(long long *dst, const char *key, const char *value, char *err,
    size_t errlen)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(value, &end, 10);
	if (errno == 0 && end != value && n >= 0) {
		if (strcmp(end, "d") == 0)
			n *= 86400;
		else if (strcmp(end, "h") == 0)
			n *= 3600;
		else if (strcmp(end, "m") == 0)
			n *= 60;
		else if (strcmp(end, "s") != 0 && *end != '\0')
			n = -1;
		if (n >= 0 && n <= 3650LL * 86400) {
			*dst = n;
			return 0;
		}
	}
	strutil_format(err, errlen, "%s '%s' is not a period; write it as 30d, "
	    "12h, 90m or 45s, at most 3650d", key, value);
	return -1;
}

/* A size in bytes: "2T", "500G", "1.5TiB", "750M", or plain bytes, in
 * binary units as mcr prints them. */
static int
set_size(unsigned long long *dst, const char *key, const char *value,
    char *err, size_t errlen)
{
	double d;

	if (strutil_parse_bytes(value, &d) == 0) {
		*dst = (unsigned long long)d;
		return 0;
	}
	strutil_format(err, errlen, "%s '%s' is not a size; write it as 2T, "
	    "500G or 750M (binary units), or in bytes", key, value);
	return -1;
}

static int
set_bool(bool *dst, const char *key, const char *value, char *err,
    size_t errlen)
{
	if (strcmp(value, "yes") == 0 || strcmp(value, "true") == 0 ||
	    strcmp(value, "1") == 0)
		*dst = true;
	else if (strcmp(value, "no") == 0 || strcmp(value, "false") == 0 ||
	    strcmp(value, "0") == 0)
		*dst = false;
	else {
		strutil_format(err, errlen, "%s '%s' is neither yes nor no", key,
		    value);
		return -1;
	}
	return 0;
}

/* A folder layout under a volume: components separated by '/', each a
 * literal name, '*', {client} or {production}. */
static int
set_layout(char **dst, const char *key, const char *value, char *err,
    size_t errlen)
{
	if (*value == '/' || strstr(value, "//") != NULL ||
	    strstr(value, "{client}") == NULL) {
		strutil_format(err, errlen, "%s '%s' is not a layout; write the "
		    "folders under the volume as {client}/{production}, with "
		    "literal names or * for other levels", key, value);
		return -1;
	}
	return set_string(dst, value, key, err, errlen);
}

static int
set_storage(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_storage *st = &cfg->storage;
	int rc;

	if (strcmp(key, "scan_rate") == 0)
		rc = set_int(&st->scan_rate, key, value, 0, 100000000, err,
		    errlen);
	else if (strcmp(key, "hot_window") == 0)
		rc = set_duration(&st->hot_window_ms, key, value, err, errlen);
	else if (strcmp(key, "full_scan") == 0)
		rc = set_period(&st->full_scan_s, key, value, err, errlen);
	else if (strcmp(key, "copies") == 0)
		rc = set_int(&st->copies, key, value, 0, 100, err, errlen);
	else if (strcmp(key, "two_person") == 0)
		rc = set_bool(&st->two_person, key, value, err, errlen);
	else if (strcmp(key, "forbid_override") == 0)
		rc = set_bool(&st->forbid_override, key, value, err, errlen);
	else if (strcmp(key, "scan_every") == 0)
		rc = set_duration(&st->scan_every_ms, key, value, err, errlen);
	else if (strcmp(key, "purge_every") == 0)
		rc = set_duration(&st->purge_every_ms, key, value, err, errlen);
	else if (strcmp(key, "backup_every") == 0)
		rc = set_duration(&st->backup_every_ms, key, value, err,
		    errlen);
	else if (strcmp(key, "backup_keep") == 0)
		rc = set_int(&st->backup_keep, key, value, 1, 10000, err,
		    errlen);
	else if (strcmp(key, "backup_dir") == 0) {
		if (value[0] != '/') {
			strutil_format(err, errlen, "backup_dir '%s' is not "
			    "absolute", value);
			return -1;
		}
		rc = set_string(&st->backup_dir, value, key, err, errlen);
	} else {
		strutil_format(err, errlen, "unknown key '%s' in [storage]; the "
		    "keys are: scan_rate, hot_window, full_scan, copies, two_person, forbid_override, "
		    "scan_every, purge_every, backup_dir, backup_every, "
		    "backup_keep", key);
		return -1;
	}
	if (rc == 0)
		forward_storage(cfg, NULL, NULL, key, value);
	return rc;
}

static int
set_client(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_client *c = NULL;
	size_t i;
	int rc;

	for (i = 0; i < cfg->nclients; i++) {
		if (strcmp(cfg->clients[i].name, label) == 0)
			c = &cfg->clients[i];
	}
	if (c == NULL) {
		cfg->clients = xrealloc(cfg->clients,
		    (cfg->nclients + 1) * sizeof *cfg->clients);
		c = &cfg->clients[cfg->nclients++];
		memset(c, 0, sizeof *c);
		c->name = xstrdup(label);
	}
	if (strcmp(key, "group") == 0)
		rc = set_string(&c->group, value, key, err, errlen);
	else if (strcmp(key, "quota") == 0)
		rc = set_size(&c->quota, key, value, err, errlen);
	else {
		strutil_format(err, errlen, "unknown key '%s' in [client %s]; "
		    "the keys are: group, quota", key, label);
		return -1;
	}
	if (rc == 0)
		forward_storage(cfg, "client", label, key, value);
	return rc;
}

static int
set_volume(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	static const char *const roles[] = { "production", "nearline",
	    "archive", "delivery", NULL };
	struct config_volume *v = volume(cfg, label);
	size_t i;

	if (strcmp(key, "path") == 0) {
		if (value[0] != '/') {
			strutil_format(err, errlen, "path '%s' is not absolute",
			    value);
			return -1;
		}
		return set_string(&v->path, value, key, err, errlen);
	}
	if (strcmp(key, "role") == 0) {
		for (i = 0; roles[i] != NULL; i++) {
			if (strcmp(value, roles[i]) == 0)
				return set_string(&v->role, value, key, err,
				    errlen);
		}
		strutil_format(err, errlen, "role '%s' is not one of production, "
		    "nearline, archive, delivery", value);
		return -1;
	}
	if (strcmp(key, "warn") == 0)
		return set_percent(&v->warn, key, value, err, errlen);
	if (strcmp(key, "crit") == 0)
		return set_percent(&v->crit, key, value, err, errlen);
	if (strcmp(key, "quarantine") == 0 || strcmp(key, "retention") == 0 ||
	    strcmp(key, "layout") == 0) {
		int rc;

		if (key[0] == 'q' && value[0] != '/') {
			strutil_format(err, errlen, "quarantine '%s' is not "
			    "absolute", value);
			return -1;
		}
		rc = key[0] == 'q' ? set_string(&v->quarantine, value, key, err,
		    errlen) : key[0] == 'r' ? set_period(&v->retention_s, key,
		    value, err, errlen) : set_layout(&v->layout, key, value,
		    err, errlen);
		if (rc == 0)
			forward_storage(cfg, "volume", label, key, value);
		return rc;
	}
	strutil_format(err, errlen, "unknown key '%s' in [volume %s]; the keys "
	    "are: path, role, warn, crit, quarantine, retention, layout", key,
	    label);
	return -1;
}

static int
set_kind(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_kind *k = NULL;
	size_t i;

	if (strchr(label, '.') == NULL) {
		strutil_format(err, errlen, "[kind %s] is not a job kind; kinds "
		    "are written PLUGIN.verb, as in [kind storage.sample]",
		    label);
		return -1;
	}
	for (i = 0; i < cfg->nkinds; i++) {
		if (strcmp(cfg->kinds[i].name, label) == 0)
			k = &cfg->kinds[i];
	}
	if (k == NULL) {
		cfg->kinds = xrealloc(cfg->kinds,
		    (cfg->nkinds + 1) * sizeof *cfg->kinds);
		k = &cfg->kinds[cfg->nkinds++];
		memset(k, 0, sizeof *k);
		k->name = xstrdup(label);
	}
	if (strcmp(key, "limit") == 0)
		return set_int(&k->limit, key, value, 0, 256, err, errlen);
	if (strcmp(key, "timeout") == 0)
		return set_duration(&k->timeout_ms, key, value, err, errlen);
	strutil_format(err, errlen, "unknown key '%s' in [kind %s]; the keys "
	    "are: limit, timeout", key, label);
	return -1;
}

static int
set_watch(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_watch *w = NULL;
	size_t i;

	for (i = 0; i < cfg->nwatches; i++) {
		if (strcmp(cfg->watches[i].name, label) == 0)
			w = &cfg->watches[i];
	}
	if (w == NULL) {
		cfg->watches = xrealloc(cfg->watches,
		    (cfg->nwatches + 1) * sizeof *cfg->watches);
		w = &cfg->watches[cfg->nwatches++];
		memset(w, 0, sizeof *w);
		w->name = xstrdup(label);
		w->settle_ms = 30000;
	}
	if (strcmp(key, "path") == 0) {
		if (value[0] != '/') {
			strutil_format(err, errlen, "path '%s' is not absolute",
			    value);
			return -1;
		}
		return set_string(&w->path, value, key, err, errlen);
	}
	if (strcmp(key, "client") == 0)
		return set_string(&w->client, value, key, err, errlen);
	if (strcmp(key, "production") == 0)
		return set_string(&w->production, value, key, err, errlen);
	if (strcmp(key, "to") == 0)
		return set_string(&w->to, value, key, err, errlen);
	if (strcmp(key, "template") == 0)
		return set_string(&w->template, value, key, err, errlen);
	if (strcmp(key, "settle") == 0)
		return set_duration(&w->settle_ms, key, value, err, errlen);
	strutil_format(err, errlen, "unknown key '%s' in [watch %s]; the keys "
	    "are: path, client, production, to, template, settle", key, label);
	return -1;
}

/* "06:00, 18:00" into minutes after midnight; with shift, the word
 * "shift" is allowed and sets *shift. */
static int
set_times(int *out, size_t *n, bool *shift, const char *key,
    const char *value, char *err, size_t errlen)
{
	const char *p = value;
	size_t count = 0;

	while (*p != '\0') {
		int h, m, len = 0;

		p += strspn(p, " \t,");
		if (*p == '\0')
			break;
		if (shift != NULL && strncmp(p, "shift", 5) == 0 &&
		    (p[5] == '\0' || strchr(" \t,", p[5]) != NULL)) {
			*shift = true;
			p += 5;
			continue;
		}
		if (sscanf(p, "%2d:%2d%n", &h, &m, &len) != 2 || len != 5 ||
		    h < 0 || h > 23 || m < 0 || m > 59 ||
		    (p[len] != '\0' && strchr(" \t,", p[len]) == NULL)) {
			strutil_format(err, errlen, "%s '%s' is not a list of "
			    "times such as 06:00, 18:00%s", key, value,
			    shift != NULL ? " (and the word shift)" : "");
			return -1;
		}
		if (count == CONFIG_MAX_TIMES) {
			strutil_format(err, errlen, "%s lists more than %d times",
			    key, CONFIG_MAX_TIMES);
			return -1;
		}
		out[count++] = h * 60 + m;
		p += len;
	}
	*n = count;
	return 0;
}

static int
set_shift(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "times") == 0)
		return set_times(cfg->shift_times, &cfg->nshift_times, NULL, key,
		    value, err, errlen);
	strutil_format(err, errlen, "unknown key '%s' in [shift]; the keys "
	    "are: times", key);
	return -1;
}

static int
set_digest(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	if (strcmp(key, "times") == 0) {
		cfg->digest_at_shift_change = false;
		return set_times(cfg->digest_times, &cfg->ndigest_times,
		    &cfg->digest_at_shift_change, key, value, err, errlen);
	}
	if (strcmp(key, "file") == 0) {
		if (value[0] != '/') {
			strutil_format(err, errlen, "file '%s' is not absolute; "
			    "give a full path such as /srv/mcr/digest-%%F.txt",
			    value);
			return -1;
		}
		return set_string(&cfg->digest_file, value, key, err, errlen);
	}
	if (strcmp(key, "mail") == 0)
		return set_string(&cfg->digest_mail, value, key, err, errlen);
	if (strcmp(key, "to") == 0) {
		if (strchr(value, '@') == NULL || strpbrk(value, "\r\n") != NULL) {
			strutil_format(err, errlen, "to '%s' is not a mail "
			    "address", value);
			return -1;
		}
		return set_string(&cfg->digest_to, value, key, err, errlen);
	}
	strutil_format(err, errlen, "unknown key '%s' in [digest]; the keys "
	    "are: times, file, mail, to", key);
	return -1;
}

/* --- [destination NAME] (delivery) --- */

static struct config_destination *
destination(struct config *cfg, const char *name)
{
	struct config_destination *d;
	size_t i;

	for (i = 0; i < cfg->ndestinations; i++) {
		if (strcmp(cfg->destinations[i].name, name) == 0)
			return &cfg->destinations[i];
	}
	cfg->destinations = xrealloc(cfg->destinations,
	    (cfg->ndestinations + 1) * sizeof *cfg->destinations);
	d = &cfg->destinations[cfg->ndestinations++];
	memset(d, 0, sizeof *d);
	d->name = xstrdup(name);
	return d;
}

/* "20:00-06:00": two HH:MM times. */
static bool
valid_window(const char *v)
{
	int h1, m1, h2, m2, n = 0;

	return sscanf(v, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) == 4 &&
	    v[n] == '\0' && h1 >= 0 && h1 <= 24 && h2 >= 0 && h2 <= 24 &&
	    m1 >= 0 && m1 < 60 && m2 >= 0 && m2 < 60;
}

static int
set_destination(struct config *cfg, const char *label, const char *key,
    const char *value, char *err, size_t errlen)
{
	struct config_destination *d = destination(cfg, label);
	char *end;
	double n;

	if (strcmp(key, "type") == 0) {
		if (strcmp(value, "local") != 0 && strcmp(value, "rsync") != 0 &&
		    strcmp(value, "sftp") != 0 && strcmp(value, "rclone") != 0) {
			strutil_format(err, errlen, "type '%s' is not one of "
			    "local, rsync, sftp, rclone", value);
			return -1;
		}
		return set_string(&d->type, value, key, err, errlen);
	}
	if (strcmp(key, "path") == 0)
		return set_string(&d->path, value, key, err, errlen);
	if (strcmp(key, "host") == 0)
		return set_string(&d->host, value, key, err, errlen);
	if (strcmp(key, "user") == 0)
		return set_string(&d->user, value, key, err, errlen);
	if (strcmp(key, "port") == 0)
		return set_int(&d->port, key, value, 1, 65535, err, errlen);
	if (strcmp(key, "key") == 0 || strcmp(key, "known_hosts") == 0 ||
	    strcmp(key, "rclone_config") == 0) {
		if (value[0] != '/') {
			strutil_format(err, errlen, "%s '%s' is not an absolute "
			    "path", key, value);
			return -1;
		}
		return set_string(key[0] == 'r' ? &d->rclone_config :
		    key[1] == 'e' ? &d->key : &d->known_hosts, value, key, err,
		    errlen);
	}
	if (strcmp(key, "bwlimit") == 0) {
		errno = 0;
		n = strtod(value, &end);
		if (*end == 'K' || *end == 'k')
			end++;
		else if (*end == 'M' || *end == 'm') {
			n *= 1024;
			end++;
		} else if (*end == 'G' || *end == 'g') {
			n *= 1024 * 1024;
			end++;
		}
		if (errno != 0 || end == value || *end != '\0' || n < 0 ||
		    n > 1e9) {
			strutil_format(err, errlen, "bwlimit '%s' is not a rate "
			    "in KiB/s such as 800, 20M or 1G (0: none)", value);
			return -1;
		}
		d->bwlimit = (long)n;
		return 0;
	}
	if (strcmp(key, "window") == 0) {
		if (!valid_window(value)) {
			strutil_format(err, errlen, "window '%s' is not "
			    "HH:MM-HH:MM, such as 20:00-06:00", value);
			return -1;
		}
		return set_string(&d->window, value, key, err, errlen);
	}
	if (strcmp(key, "verify") == 0) {
		if (strcmp(value, "checksum") != 0 && strcmp(value, "size") != 0
		    && strcmp(value, "none") != 0) {
			strutil_format(err, errlen, "verify '%s' is not one of "
			    "checksum, size, none", value);
			return -1;
		}
		return set_string(&d->verify, value, key, err, errlen);
	}
	if (strcmp(key, "hash") == 0)
		return set_string(&d->hash, value, key, err, errlen);
	if (strcmp(key, "password") == 0) {
		strutil_format(err, errlen, "password is not accepted: mcr.ini "
		    "holds no secrets; give key = the path of an SSH key");
		return -1;
	}
	strutil_format(err, errlen, "unknown key '%s' in [destination %s]; the "
	    "keys are: type, path, host, port, user, key, known_hosts, "
	    "rclone_config, bwlimit, window, verify, hash", key, label);
	return -1;
}

const struct config_destination *
config_destination(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->ndestinations; i++) {
		if (strcmp(cfg->destinations[i].name, name) == 0)
			return &cfg->destinations[i];
	}
	return NULL;
}

/* Every section mcr itself knows, each with its owner. Plugins add theirs
 * with config_add_owner(). */
static const struct section sections[] = {
	{ .name = "site", .named = false, .set = set_site },
	{ .name = "shiftlog", .named = false, .set = set_shiftlog },
	{ .name = "mcrd", .named = false, .set = set_mcrd },
	{ .name = "volume", .named = true, .set = set_volume },
	{ .name = "kind", .named = true, .set = set_kind },
	{ .name = "watch", .named = true, .set = set_watch },
	{ .name = "shift", .named = false, .set = set_shift },
	{ .name = "digest", .named = false, .set = set_digest },
	{ .name = "storage", .named = false, .set = set_storage },
	{ .name = "client", .named = true, .set = set_client },
	{ .name = "destination", .named = true, .set = set_destination },
};

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *ps = user;
	const struct section *sec = NULL;
	const char *label = NULL;
	size_t i, namelen;

	if (ps->fail_line != 0)
		return 0;
	if (*section == '\0') {
		strutil_format(ps->msg, sizeof ps->msg, "key '%s' is outside "
		    "any [section]", key);
		goto fail;
	}
	namelen = strcspn(section, " \t");
	if (section[namelen] != '\0') {
		label = section + namelen;
		label += strspn(label, " \t");
	}
	for (i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (strlen(sections[i].name) == namelen &&
		    strncmp(sections[i].name, section, namelen) == 0) {
			sec = &sections[i];
			break;
		}
	}
	if (sec == NULL) {
		for (i = 0; i < ps->cfg->nowners; i++) {
			if (strlen(ps->cfg->owners[i].name) == namelen &&
			    strncmp(ps->cfg->owners[i].name, section,
			    namelen) == 0 && label == NULL) {
				struct config *c = ps->cfg;

				/* No handler: a plugin this process did not
				 * load; its own host checks the keys. */
				if (c->owners[i].set != NULL &&
				    c->owners[i].set(key, value, ps->msg,
				    sizeof ps->msg) < 0)
					goto fail;
				c->entries = xrealloc(c->entries,
				    (c->nentries + 1) * sizeof *c->entries);
				c->entries[c->nentries].section =
				    xstrdup(c->owners[i].name);
				c->entries[c->nentries].key = xstrdup(key);
				c->entries[c->nentries].value = xstrdup(value);
				c->nentries++;
				return 1;
			}
		}
		strutil_format(ps->msg, sizeof ps->msg, "unknown section [%s]",
		    section);
		goto fail;
	}
	if (sec->named && (label == NULL || *label == '\0')) {
		strutil_format(ps->msg, sizeof ps->msg, "section [%s] needs a "
		    "name, as in [%s NAME]", sec->name, sec->name);
		goto fail;
	}
	if (!sec->named && label != NULL) {
		strutil_format(ps->msg, sizeof ps->msg, "section [%s] takes no "
		    "name; write [%s]", section, sec->name);
		goto fail;
	}
	if (sec->set(ps->cfg, label, key, value, ps->msg, sizeof ps->msg) < 0)
		goto fail;
	if (sec->set == set_volume) {
		struct config_volume *v = volume(ps->cfg, label);

		if (v->where == NULL)
			v->where = xasprintf("%s:%d", ps->name, ps->line);
	}
	if (sec->set == set_destination) {
		struct config_destination *d = destination(ps->cfg, label);

		if (d->where == NULL)
			d->where = xasprintf("%s:%d", ps->name, ps->line);
	}
	return 1;
fail:
	ps->fail_line = ps->line;
	return 0;
}

/* inih's line reader: fgets() over a file or a string, counting lines. */
static char *
reader(char *buf, int size, void *arg)
{
	struct parse *ps = arg;
	char *p;

	if (ps->file != NULL) {
		if (fgets(buf, size, ps->file) == NULL)
			return NULL;
	} else {
		size_t n = 0;

		if (*ps->text == '\0' || size < 2)
			return NULL;
		while (ps->text[n] != '\0' && (int)n < size - 1) {
			if (ps->text[n++] == '\n')
				break;
		}
		memcpy(buf, ps->text, n);
		buf[n] = '\0';
		ps->text += n;
	}
	ps->line = ps->newlines + 1;
	for (p = buf; *p != '\0'; p++) {
		if (*p == '\n')
			ps->newlines++;
	}
	return buf;
}

/* rc is inih's: 0, or the first line it could not parse (which may come
 * before or after the first line the handler refused). */
static int
report(int rc, struct parse *ps, const char *name, char *err, size_t errlen)
{
	if (rc == 0 && ps->fail_line == 0)
		return 0;
	if (rc == -2)
		fatal("out of memory reading %s", name);
	if (ps->fail_line != 0 && (rc <= 0 || ps->fail_line <= rc))
		strutil_format(err, errlen, "%s:%d: %s", name, ps->fail_line,
		    ps->msg);
	else
		strutil_format(err, errlen, "%s:%d: not a '[section]' or "
		    "'key = value' line (or longer than 199 characters)",
		    name, rc);
	return -1;
}

static void
remember(struct config *cfg, const char *path)
{
	if (cfg->nfiles < CONFIG_MAX_FILES)
		cfg->files[cfg->nfiles++] = xstrdup(path);
}

int
config_load_file(struct config *cfg, const char *path, char *err,
    size_t errlen)
{
	struct parse ps = { .cfg = cfg, .name = path };
	int rc;

	ps.file = fopen(path, "r");
	if (ps.file == NULL) {
		strutil_format(err, errlen, "%s: cannot read the config file: %s",
		    path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.file);
	if (report(rc, &ps, path, err, errlen) < 0)
		return -1;
	remember(cfg, path);
	return 0;
}

int
config_load_string(struct config *cfg, const char *text, const char *name,
    char *err, size_t errlen)
{
	struct parse ps = { .cfg = cfg, .text = text, .name = name };

	return report(ini_parse_stream(reader, &ps, handler, &ps), &ps, name,
	    err, errlen);
}

/* The embedded default: with no config file at all, the demo facility's
 * four volumes under $XDG_DATA_HOME/mcr/demo (the console makes them). */
static void
config_default_facility(struct config *cfg)
{
	static const char *const roles[] = { "production", "nearline",
	    "archive", "delivery" };
	char *root = paths_data_dir(), *path;
	size_t i;

	for (i = 0; i < 4; i++) {
		path = xasprintf("%s/demo/%s", root, roles[i]);
		config_add_volume(cfg, roles[i], path, roles[i], 0.85, 0.95);
		free(path);
	}
	free(root);
}

/* What no single line can show: a volume without a path, warn above
 * crit. */
static int
config_check(struct config *cfg, char *err, size_t errlen)
{
	size_t i;

	if (cfg->digest_mail != NULL && cfg->digest_to == NULL) {
		strutil_format(err, errlen, "[digest] mail is set but to is not; "
		    "add to = ADDRESS for the digest's To: line");
		return -1;
	}
	for (i = 0; i < cfg->nvolumes; i++) {
		struct config_volume *v = &cfg->volumes[i];

		if (v->path == NULL) {
			strutil_format(err, errlen, "%s: [volume %s] has no "
			    "path; add path = /the/mount/point", v->where,
			    v->name);
			return -1;
		}
		if (v->warn > v->crit) {
			strutil_format(err, errlen, "%s: [volume %s] warns at "
			    "%.0f%%, above its critical level %.0f%%", v->where,
			    v->name, v->warn * 100, v->crit * 100);
			return -1;
		}
	}
	for (i = 0; i < cfg->ndestinations; i++) {
		struct config_destination *d = &cfg->destinations[i];
		bool remote;

		if (d->type == NULL) {
			strutil_format(err, errlen, "%s: [destination %s] has no "
			    "type; add type = local, rsync, sftp or rclone", d->where,
			    d->name);
			return -1;
		}
		remote = strcmp(d->type, "rsync") == 0 ||
		    strcmp(d->type, "sftp") == 0;
		if (strcmp(d->type, "rclone") == 0 && d->path == NULL) {
			strutil_format(err, errlen, "%s: [destination %s] needs "
			    "path = REMOTE:FOLDER for rclone", d->where,
			    d->name);
			return -1;
		}
		if (strcmp(d->type, "local") == 0 && (d->path == NULL || d->path[0] != '/')) {
			strutil_format(err, errlen, "%s: [destination %s] is "
			    "local and needs path = an absolute folder",
			    d->where, d->name);
			return -1;
		}
		if (remote && (d->host == NULL || d->key == NULL ||
		    d->known_hosts == NULL)) {
			strutil_format(err, errlen, "%s: [destination %s] needs "
			    "host, key and known_hosts (mcr never accepts an "
			    "unknown host key)", d->where, d->name);
			return -1;
		}
	}
	return 0;
}

int
config_load(struct config *cfg, const char *explicit_path, char *err,
    size_t errlen)
{
	char *files[2] = { paths_system_config(), paths_user_config() };
	int rc = 0;
	size_t i;

	for (i = 0; i < 2 && rc == 0; i++) {
		if (access(files[i], F_OK) == 0)
			rc = config_load_file(cfg, files[i], err, errlen);
	}
	if (rc == 0 && explicit_path != NULL)
		rc = config_load_file(cfg, explicit_path, err, errlen);
	for (i = 0; i < 2; i++)
		free(files[i]);
	if (rc == 0 && cfg->nfiles == 0)
		config_default_facility(cfg);
	if (rc == 0)
		rc = config_check(cfg, err, errlen);
	return rc;
}

struct config *
config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);

	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	cfg->site_name = xstrdup("mcr");
	cfg->busy_timeout_ms = 5000;
	cfg->workers = cpus > 0 && cpus < 256 ? (int)cpus : 2;
	cfg->grace_ms = 10000;
	cfg->retries = 3;
	cfg->retry_backoff_ms = 30000;
	cfg->storage_sample_ms = 300000;
	cfg->poll_ms = 250;
	cfg->storage.scan_rate = 20000;
	cfg->storage.hot_window_ms = 24 * 3600000;
	cfg->storage.full_scan_s = 7 * 86400;
	cfg->storage.copies = 2;
	cfg->storage.two_person = true;
	cfg->storage.scan_every_ms = 3600000;
	cfg->storage.purge_every_ms = 3600000;
	cfg->storage.backup_every_ms = 3600000;
	cfg->storage.backup_keep = 48;
	return cfg;
}

void
config_free(struct config *cfg)
{
	size_t i;

	if (cfg == NULL)
		return;
	free(cfg->site_name);
	free(cfg->shiftlog_path);
	free(cfg->digest_file);
	free(cfg->digest_mail);
	free(cfg->digest_to);
	for (i = 0; i < cfg->nvolumes; i++) {
		free(cfg->volumes[i].name);
		free(cfg->volumes[i].path);
		free(cfg->volumes[i].role);
		free(cfg->volumes[i].where);
		free(cfg->volumes[i].quarantine);
		free(cfg->volumes[i].layout);
	}
	for (i = 0; i < cfg->nclients; i++) {
		free(cfg->clients[i].name);
		free(cfg->clients[i].group);
	}
	free(cfg->clients);
	free(cfg->storage.backup_dir);
	free(cfg->volumes);
	for (i = 0; i < cfg->nkinds; i++)
		free(cfg->kinds[i].name);
	free(cfg->kinds);
	for (i = 0; i < cfg->nwatches; i++) {
		free(cfg->watches[i].name);
		free(cfg->watches[i].path);
		free(cfg->watches[i].client);
		free(cfg->watches[i].production);
		free(cfg->watches[i].to);
		free(cfg->watches[i].template);
	}
	free(cfg->watches);
	for (i = 0; i < cfg->ndestinations; i++) {
		struct config_destination *d = &cfg->destinations[i];

		free(d->name);
		free(d->type);
		free(d->path);
		free(d->host);
		free(d->user);
		free(d->key);
		free(d->known_hosts);
		free(d->window);
		free(d->verify);
		free(d->hash);
		free(d->rclone_config);
		free(d->where);
	}
	free(cfg->destinations);
	for (i = 0; i < cfg->nowners; i++)
		free(cfg->owners[i].name);
	free(cfg->owners);
	for (i = 0; i < cfg->nentries; i++) {
		free(cfg->entries[i].section);
		free(cfg->entries[i].key);
		free(cfg->entries[i].value);
	}
	free(cfg->entries);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg);
}

void
config_add_owner(struct config *cfg, const char *name, config_owner_fn set)
{
	cfg->owners = xrealloc(cfg->owners,
	    (cfg->nowners + 1) * sizeof *cfg->owners);
	cfg->owners[cfg->nowners].name = xstrdup(name);
	cfg->owners[cfg->nowners].set = set;
	cfg->nowners++;
}

void
config_add_volume(struct config *cfg, const char *name, const char *path,
    const char *role, double warn, double crit)
{
	struct config_volume *v = volume(cfg, name);

	free(v->path);
	v->path = xstrdup(path);
	free(v->role);
	v->role = xstrdup(role);
	v->warn = warn;
	v->crit = crit;
}

const struct config_kind *
config_kind(const struct config *cfg, const char *kind)
{
	size_t i;

	for (i = 0; i < cfg->nkinds; i++) {
		if (strcmp(cfg->kinds[i].name, kind) == 0)
			return &cfg->kinds[i];
	}
	return NULL;
}

const struct config_client *
config_client(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nclients; i++) {
		if (strcmp(cfg->clients[i].name, name) == 0)
			return &cfg->clients[i];
	}
	return NULL;
}

char *
config_quarantine(const struct config_volume *v)
{
	if (v->quarantine != NULL)
		return xstrdup(v->quarantine);
	return xasprintf("%s/.mcr/quarantine", v->path);
}

char *
config_shiftlog_path(const struct config *cfg)
{
	if (cfg->shiftlog_path != NULL)
		return xstrdup(cfg->shiftlog_path);
	return paths_default_shiftlog();
}
