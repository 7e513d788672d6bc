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
	char msg[512];
};

struct section {
	const char *name;
	bool named;	/* written [name LABEL] */
	int (*set)(struct config *, const char *label, const char *key,
	    const char *value, char *err, size_t errlen);
};

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

/* A duration in milliseconds: "500ms", "5s", "2m", or plain milliseconds. */
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
		return 0;
	}
	strutil_format(err, errlen, "unknown key '%s' in [shiftlog]; the keys "
	    "are: path, busy_timeout", key);
	return -1;
}

/* Every section mcr knows, each with its owner. */
static const struct section sections[] = {
	{ .name = "site", .named = false, .set = set_site },
	{ .name = "shiftlog", .named = false, .set = set_shiftlog },
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
		    "'key = value' line (or longer than 200 characters)",
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
	struct parse ps = { .cfg = cfg };
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
	struct parse ps = { .cfg = cfg, .text = text };

	return report(ini_parse_stream(reader, &ps, handler, &ps), &ps, name,
	    err, errlen);
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
	return rc;
}

struct config *
config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof *cfg);

	cfg->site_name = xstrdup("mcr");
	cfg->busy_timeout_ms = 5000;
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
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg);
}

char *
config_shiftlog_path(const struct config *cfg)
{
	if (cfg->shiftlog_path != NULL)
		return xstrdup(cfg->shiftlog_path);
	return paths_default_shiftlog();
}
