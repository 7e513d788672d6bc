/*
 * spec: delivery specs (see spec.h). A file is read with inih through a
 * line-counting reader, so the first bad line is reported as file:line
 * whether inih or the handler refused it. The parent named by extends= is
 * loaded first (from the same folder, by name, at most eight deep, never
 * in a loop) and the child's keys then replace the parent's.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec.h"

#define MAX_DEPTH 8

enum type { T_NUM, T_INT, T_SEV, T_STR, T_LIST, T_MAP, T_BOOL, T_TC,
	T_ENUM, T_INTS, T_ENUMS };

struct key {
	const char *section;
	const char *key;
	enum type type;
	double min, max;
	const char *choices;	/* T_ENUM: "a|b|c" */
};

#define SEV(s) { s, "severity", T_SEV, 0, 0, NULL }

static const struct key keys[] = {
	{ "spec", "name", T_STR, 0, 0, NULL },
	{ "spec", "title", T_STR, 0, 0, NULL },
	{ "spec", "extends", T_STR, 0, 0, NULL },
	{ "spec", "description", T_STR, 0, 0, NULL },
	SEV("loudness"),
	{ "loudness", "target", T_NUM, -70, 0, NULL },
	{ "loudness", "tolerance", T_NUM, 0, 10, NULL },
	{ "loudness", "channels", T_MAP, 1, 64, NULL },
	{ "loudness", "layout", T_ENUM, 0, 0,
	    "auto|mono|stereo|dual-mono|5.0|5.1" },
	SEV("true_peak"),
	{ "loudness", "gating", T_ENUM, 0, 0, "programme|dialogue" },
	{ "dialogue", "min_share", T_NUM, 0, 100, NULL },
	{ "true_peak", "max", T_NUM, -30, 6, NULL },
	SEV("short_term"),
	{ "short_term", "max", T_NUM, -70, 0, NULL },
	SEV("momentary"),
	{ "momentary", "max", T_NUM, -70, 0, NULL },
	SEV("lra"),
	{ "lra", "max", T_NUM, 0, 60, NULL },
	{ "lra", "min", T_NUM, 0, 60, NULL },
	SEV("black"),
	{ "black", "pixel", T_NUM, 0, 1, NULL },
	{ "black", "ratio", T_NUM, 0.5, 1, NULL },
	{ "black", "min_duration", T_NUM, 0, 3600, NULL },
	{ "black", "ignore_edges", T_NUM, 0, 3600, NULL },
	SEV("freeze"),
	{ "freeze", "noise", T_NUM, 0, 0.5, NULL },
	{ "freeze", "min_duration", T_NUM, 0, 3600, NULL },
	{ "freeze", "ignore_edges", T_NUM, 0, 3600, NULL },
	SEV("silence"),
	{ "silence", "level", T_NUM, -144, 0, NULL },
	{ "silence", "min_duration", T_NUM, 0.01, 3600, NULL },
	{ "silence", "ignore_edges", T_NUM, 0, 3600, NULL },
	SEV("clipping"),
	{ "clipping", "level", T_NUM, -20, 0, NULL },
	{ "clipping", "run", T_INT, 1, 1000, NULL },
	SEV("phase"),
	{ "phase", "min", T_NUM, -1, 1, NULL },
	{ "phase", "min_duration", T_NUM, 0.1, 3600, NULL },
	SEV("dual_mono"),
	SEV("dc_offset"),
	{ "dc_offset", "max", T_NUM, -144, 0, NULL },
	SEV("levels"),
	{ "levels", "luma_min", T_NUM, 0, 255, NULL },
	{ "levels", "luma_max", T_NUM, 0, 255, NULL },
	{ "levels", "chroma_min", T_NUM, 0, 255, NULL },
	{ "levels", "chroma_max", T_NUM, 0, 255, NULL },
	{ "levels", "area", T_NUM, 0, 100, NULL },
	{ "levels", "min_duration", T_NUM, 0, 3600, NULL },
	SEV("flash"),
	{ "flash", "limit", T_INT, 1, 30, NULL },
	{ "flash", "warn", T_INT, 1, 30, NULL },
	{ "flash", "area", T_NUM, 0, 100, NULL },
	{ "flash", "delta", T_NUM, 1, 1000, NULL },
	{ "flash", "dark", T_NUM, 1, 10000, NULL },
	{ "flash", "display", T_NUM, 50, 10000, NULL },
	{ "flash", "gamma", T_NUM, 1, 3, NULL },
	{ "flash", "red_ratio", T_NUM, 0.34, 1, NULL },
	SEV("pattern"),
	{ "pattern", "pairs", T_INT, 1, 100, NULL },
	{ "pattern", "area", T_NUM, 0, 100, NULL },
	{ "pattern", "stationary", T_NUM, 0, 60, NULL },
	{ "pattern", "still", T_NUM, 0, 1, NULL },
	SEV("field_order"),
	{ "field_order", "min_frames", T_INT, 1, 100000, NULL },
	SEV("interlace"),
	{ "interlace", "expect", T_ENUM, 0, 0, "any|progressive|tff|bff" },
	SEV("letterbox"),
	{ "letterbox", "max", T_NUM, 0, 50, NULL },
	SEV("timecode"),
	{ "timecode", "start", T_TC, 0, 0, NULL },
	{ "timecode", "required", T_BOOL, 0, 0, NULL },
	SEV("decode"),
	SEV("container"),
	{ "container", "format", T_LIST, 0, 0, NULL },
	{ "container", "duration_min", T_NUM, 0, 1e6, NULL },
	{ "container", "duration_max", T_NUM, 0, 1e6, NULL },
	SEV("video"),
	{ "video", "required", T_BOOL, 0, 0, NULL },
	{ "video", "codec", T_LIST, 0, 0, NULL },
	{ "video", "profile", T_LIST, 0, 0, NULL },
	{ "video", "width", T_INTS, 16, 16384, NULL },
	{ "video", "height", T_INTS, 16, 16384, NULL },
	{ "video", "frame_rate", T_LIST, 0, 0, NULL },
	{ "video", "scan", T_ENUMS, 0, 0, "progressive|interlaced" },
	{ "video", "field_order", T_ENUMS, 0, 0, "progressive|tff|bff" },
	{ "video", "pix_fmt", T_LIST, 0, 0, NULL },
	{ "video", "bit_depth", T_INTS, 8, 16, NULL },
	{ "video", "primaries", T_LIST, 0, 0, NULL },
	{ "video", "transfer", T_LIST, 0, 0, NULL },
	{ "video", "matrix", T_LIST, 0, 0, NULL },
	SEV("audio"),
	{ "audio", "required", T_BOOL, 0, 0, NULL },
	{ "audio", "codec", T_LIST, 0, 0, NULL },
	{ "audio", "sample_rate", T_INTS, 8000, 384000, NULL },
	{ "audio", "bit_depth", T_INTS, 0, 64, NULL },
	{ "audio", "channels", T_INTS, 1, 64, NULL },
	{ "audio", "layout", T_LIST, 0, 0, NULL },
	SEV("monitor"),
	{ "monitor", "silence", T_NUM, 0.1, 3600, NULL },
	{ "monitor", "black", T_NUM, 0.04, 3600, NULL },
	{ "monitor", "freeze", T_NUM, 0.04, 3600, NULL },
	{ "monitor", "loudness_window", T_NUM, 1, 3600, NULL },
	{ "monitor", "loudness_tolerance", T_NUM, 0, 20, NULL },
	{ "monitor", "true_peak", T_NUM, -30, 6, NULL },
	{ "monitor", "clear_after", T_NUM, 0, 600, NULL },
	SEV("metadata"),
	{ "metadata", "required", T_LIST, 0, 0, NULL },
	{ NULL, NULL, 0, 0, 0, NULL }
};

struct parse {
	FILE *f;
	const char *file;
	int line, newlines;
	int fail_line;
	char msg[400];
	struct qc_spec *spec;
};

static char *
dupstr(const char *s)
{
	char *d = strdup(s != NULL ? s : "");

	if (d == NULL)
		abort();
	return d;
}

static const struct key *
find_key(const char *section, const char *key, int *section_known)
{
	size_t i;

	*section_known = 0;
	for (i = 0; keys[i].section != NULL; i++) {
		if (strcmp(keys[i].section, section) != 0)
			continue;
		*section_known = 1;
		if (strcmp(keys[i].key, key) == 0)
			return &keys[i];
	}
	return NULL;
}

static int
valid_tc(const char *v)
{
	int h, m, s, f;
	char c1, c2, c3, end;

	if (sscanf(v, "%2d%c%2d%c%2d%c%2d%c", &h, &c1, &m, &c2, &s, &c3, &f,
	    &end) != 7)
		return 0;
	return h >= 0 && h < 24 && m >= 0 && m < 60 && s >= 0 && s < 60 &&
	    f >= 0 && f < 60 && c1 == ':' && c2 == ':' && (c3 == ':' ||
	    c3 == ';');
}

/* Checks value against k; returns 0, or -1 with the message in ps. */
static int
check_value(struct parse *ps, const struct key *k, const char *value)
{
	char *end;
	double d;
	const char *p;

	switch (k->type) {
	case T_NUM:
	case T_INT:
		errno = 0;
		d = strtod(value, &end);
		if (*value == '\0' || *end != '\0' || errno != 0 || isnan(d)) {
			snprintf(ps->msg, sizeof ps->msg, "[%s] %s = '%s' is "
			    "not a number", k->section, k->key, value);
			return -1;
		}
		if (k->type == T_INT && d != floor(d)) {
			snprintf(ps->msg, sizeof ps->msg, "[%s] %s = '%s' is "
			    "not a whole number", k->section, k->key, value);
			return -1;
		}
		if (d < k->min || d > k->max) {
			snprintf(ps->msg, sizeof ps->msg, "[%s] %s = %s is out "
			    "of range; give %g to %g", k->section, k->key,
			    value, k->min, k->max);
			return -1;
		}
		return 0;
	case T_SEV:
		if (strcmp(value, "fail") == 0 || strcmp(value, "warn") == 0 ||
		    strcmp(value, "info") == 0 || strcmp(value, "off") == 0)
			return 0;
		snprintf(ps->msg, sizeof ps->msg, "[%s] severity = '%s' is not "
		    "one of fail, warn, info, off", k->section, value);
		return -1;
	case T_BOOL:
		if (strcmp(value, "yes") == 0 || strcmp(value, "no") == 0 ||
		    strcmp(value, "true") == 0 || strcmp(value, "false") == 0)
			return 0;
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s = '%s' is not yes "
		    "or no", k->section, k->key, value);
		return -1;
	case T_TC:
		if (valid_tc(value))
			return 0;
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s = '%s' is not a "
		    "timecode such as 10:00:00:00", k->section, k->key, value);
		return -1;
	case T_ENUM: {
		size_t n = strlen(value);

		for (p = k->choices; p != NULL; p = strchr(p, '|')) {
			if (*p == '|')
				p++;
			if (strncmp(p, value, n) == 0 && (p[n] == '|' ||
			    p[n] == '\0') && n > 0)
				return 0;
		}
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s = '%s' is not one "
		    "of %s", k->section, k->key, value, k->choices);
		return -1;
	}
	case T_ENUMS: {
		char tok[64];
		struct key one = *k;

		one.type = T_ENUM;
		for (p = value; *p != '\0';) {
			size_t len = strcspn(p, ", ");

			snprintf(tok, sizeof tok, "%.*s", (int)len, p);
			if (check_value(ps, &one, tok) < 0) {
				snprintf(ps->msg, sizeof ps->msg, "[%s] %s = "
				    "'%s': '%s' is not one of %s", k->section,
				    k->key, value, tok, k->choices);
				return -1;
			}
			p += len;
			while (*p == ' ' || *p == ',')
				p++;
		}
		return 0;
	}
	case T_INTS:
		for (p = value; *p != '\0';) {
			long c = strtol(p, &end, 10);

			if (end == p || c < k->min || c > k->max ||
			    (*end != '\0' && *end != ',' && *end != ' ')) {
				snprintf(ps->msg, sizeof ps->msg, "[%s] %s = "
				    "'%s' is not a list of whole numbers from "
				    "%g to %g", k->section, k->key, value,
				    k->min, k->max);
				return -1;
			}
			p = end;
			while (*p == ' ' || *p == ',')
				p++;
		}
		return 0;
	case T_MAP:
		for (p = value; *p != '\0';) {
			long c = strtol(p, &end, 10);

			if (end == p || c < 1 || c > 64) {
				snprintf(ps->msg, sizeof ps->msg, "[%s] %s = "
				    "'%s' is not a list of channel numbers "
				    "from 1 to 64, such as 1,2", k->section,
				    k->key, value);
				return -1;
			}
			p = end;
			while (*p == ' ' || *p == ',')
				p++;
		}
		return 0;
	case T_LIST:
	case T_STR:
		if (*value != '\0')
			return 0;
		snprintf(ps->msg, sizeof ps->msg, "[%s] %s is empty",
		    k->section, k->key);
		return -1;
	}
	return 0;
}

static void
set_entry(struct qc_spec *spec, const char *section, const char *key,
    const char *value, const char *where)
{
	size_t i;

	for (i = 0; i < spec->n; i++) {
		if (strcmp(spec->e[i].section, section) == 0 &&
		    strcmp(spec->e[i].key, key) == 0) {
			free(spec->e[i].value);
			free(spec->e[i].where);
			spec->e[i].value = dupstr(value);
			spec->e[i].where = dupstr(where);
			return;
		}
	}
	spec->e = realloc(spec->e, (spec->n + 1) * sizeof *spec->e);
	if (spec->e == NULL)
		abort();
	spec->e[spec->n].section = dupstr(section);
	spec->e[spec->n].key = dupstr(key);
	spec->e[spec->n].value = dupstr(value);
	spec->e[spec->n].where = dupstr(where);
	spec->n++;
}

static int
handler(void *user, const char *section, const char *key, const char *value)
{
	struct parse *ps = user;
	const struct key *k;
	int known;
	char where[600];

	if (ps->fail_line != 0)
		return 1;
	if (key == NULL)
		return 1;	/* a section header alone */
	k = find_key(section, key, &known);
	if (k == NULL) {
		if (!known)
			snprintf(ps->msg, sizeof ps->msg, "unknown section "
			    "[%s]", section);
		else
			snprintf(ps->msg, sizeof ps->msg, "unknown key '%s' in "
			    "[%s]", key, section);
		ps->fail_line = ps->line;
		return 0;
	}
	if (check_value(ps, k, value) < 0) {
		ps->fail_line = ps->line;
		return 0;
	}
	snprintf(where, sizeof where, "%s:%d", ps->file, ps->line);
	set_entry(ps->spec, section, key, value, where);
	return 1;
}

static char *
reader(char *buf, int size, void *stream)
{
	struct parse *ps = stream;
	char *r = fgets(buf, size, ps->f);

	if (r == NULL)
		return NULL;
	ps->line = ps->newlines + 1;
	if (strchr(buf, '\n') != NULL)
		ps->newlines++;
	return r;
}

static char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	char *n = dupstr(b != NULL ? b + 1 : path), *dot = strrchr(n, '.');

	if (dot != NULL && strcmp(dot, ".ini") == 0)
		*dot = '\0';
	return n;
}

static char *
resolve(const char *dir, const char *which)
{
	size_t n = strlen(which);
	char *p;

	if (strchr(which, '/') != NULL || (n > 4 && strcmp(which + n - 4,
	    ".ini") == 0))
		return dupstr(which);
	n = strlen(dir) + strlen(which) + 6;
	p = malloc(n);
	if (p == NULL)
		abort();
	snprintf(p, n, "%s/%s.ini", dir, which);
	return p;
}

static char *
dir_of(const char *path)
{
	char *d = dupstr(path), *s = strrchr(d, '/');

	if (s == NULL) {
		free(d);
		return dupstr(".");
	}
	*s = '\0';
	return d;
}

static int
load(const char *dir, const char *which, struct qc_spec *spec, int depth,
    char *err, size_t errlen)
{
	struct parse ps;
	char *path = resolve(dir, which), *pdir;
	const char *ext;
	int rc;
	size_t i;

	if (depth > MAX_DEPTH) {
		snprintf(err, errlen, "spec %s extends others more than %d "
		    "deep (a loop?); check their extends= lines", which,
		    MAX_DEPTH);
		free(path);
		return -1;
	}
	memset(&ps, 0, sizeof ps);
	ps.f = fopen(path, "r");
	if (ps.f == NULL) {
		if (errno == ENOENT && depth == 0 && strchr(which, '/') ==
		    NULL)
			snprintf(err, errlen, "no spec named %s in %s; 'mcr qc "
			    "specs' lists them", which, dir);
		else
			snprintf(err, errlen, "cannot read spec %s: %s", path,
			    strerror(errno));
		free(path);
		return -1;
	}
	/* Read the file into a spec of its own first: its extends= decides
	 * what it sits on. */
	ps.file = path;
	ps.spec = calloc(1, sizeof *ps.spec);
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.f);
	if (ps.fail_line != 0 && (rc <= 0 || ps.fail_line <= rc)) {
		snprintf(err, errlen, "%s:%d: %s", path, ps.fail_line, ps.msg);
		rc = -1;
	} else if (rc > 0) {
		snprintf(err, errlen, "%s:%d: not a section, key = value or "
		    "comment", path, rc);
		rc = -1;
	} else if (rc < 0) {
		snprintf(err, errlen, "cannot read spec %s", path);
	}
	if (rc != 0) {
		qc_spec_free(ps.spec);
		free(path);
		return -1;
	}
	ext = qc_spec_get(ps.spec, "spec", "extends");
	if (ext != NULL) {
		pdir = dir_of(path);
		rc = load(pdir, ext, spec, depth + 1, err, errlen);
		free(pdir);
		if (rc < 0) {
			qc_spec_free(ps.spec);
			free(path);
			return -1;
		}
	}
	for (i = 0; i < ps.spec->n; i++) {
		/* A parent's name and title are not the child's. */
		if (strcmp(ps.spec->e[i].section, "spec") == 0 &&
		    strcmp(ps.spec->e[i].key, "extends") == 0)
			continue;
		set_entry(spec, ps.spec->e[i].section, ps.spec->e[i].key,
		    ps.spec->e[i].value, ps.spec->e[i].where);
	}
	if (depth == 0) {
		spec->path = path;
		spec->extends = ext != NULL ? dupstr(ext) : NULL;
		path = NULL;
	}
	qc_spec_free(ps.spec);
	free(path);
	return 0;
}

int
qc_spec_load(const char *dir, const char *which, struct qc_spec **out,
    char *err, size_t errlen)
{
	struct qc_spec *spec = calloc(1, sizeof *spec);
	const char *v;
	size_t i;

	*out = NULL;
	if (spec == NULL)
		abort();
	if (load(dir, which, spec, 0, err, errlen) < 0) {
		qc_spec_free(spec);
		return -1;
	}
	/* The child's own name: a parent's [spec] name was overridden only
	 * if the child set one. */
	for (i = 0; i < spec->n; i++) {
		if (strcmp(spec->e[i].section, "spec") == 0 &&
		    strcmp(spec->e[i].key, "name") == 0 &&
		    strncmp(spec->e[i].where, spec->path, strlen(spec->path))
		    != 0) {
			free(spec->e[i].value);
			spec->e[i].value = base_name(spec->path);
		}
	}
	v = qc_spec_get(spec, "spec", "name");
	spec->name = v != NULL ? dupstr(v) : base_name(spec->path);
	v = qc_spec_get(spec, "spec", "title");
	spec->title = dupstr(v != NULL ? v : spec->name);
	{
		double lo = qc_spec_num(spec, "levels", "luma_min", 5);
		double hi = qc_spec_num(spec, "levels", "luma_max", 246);

		if (lo >= hi) {
			snprintf(err, errlen, "spec %s: [levels] luma_min %g is "
			    "not below luma_max %g", spec->path, lo, hi);
			qc_spec_free(spec);
			return -1;
		}
	}
	*out = spec;
	return 0;
}

void
qc_spec_free(struct qc_spec *spec)
{
	size_t i;

	if (spec == NULL)
		return;
	for (i = 0; i < spec->n; i++) {
		free(spec->e[i].section);
		free(spec->e[i].key);
		free(spec->e[i].value);
		free(spec->e[i].where);
	}
	free(spec->e);
	free(spec->name);
	free(spec->title);
	free(spec->path);
	free(spec->extends);
	free(spec);
}

const char *
qc_spec_get(const struct qc_spec *spec, const char *section, const char *key)
{
	size_t i;

	for (i = 0; i < spec->n; i++) {
		if (strcmp(spec->e[i].section, section) == 0 &&
		    strcmp(spec->e[i].key, key) == 0)
			return spec->e[i].value;
	}
	return NULL;
}

double
qc_spec_num(const struct qc_spec *spec, const char *section, const char *key,
    double def)
{
	const char *v = qc_spec_get(spec, section, key);

	return v != NULL ? strtod(v, NULL) : def;
}

const char *
qc_spec_severity(const struct qc_spec *spec, const char *section)
{
	const char *v = qc_spec_get(spec, section, "severity");

	if (v == NULL || strcmp(v, "off") == 0)
		return NULL;
	return v;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
qc_spec_list(const char *dir, void (*cb)(const char *file,
    const struct qc_spec *spec, const char *error, void *arg), void *arg,
    char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, e[640];
	size_t n = 0, i;
	int bad = 0;

	if (d == NULL) {
		snprintf(err, errlen, "cannot read the specs folder %s: %s; "
		    "set [qc] specs in mcr.ini", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name);

		if (l > 4 && strcmp(de->d_name + l - 4, ".ini") == 0 &&
		    de->d_name[0] != '.') {
			names = realloc(names, (n + 1) * sizeof *names);
			if (names == NULL)
				abort();
			names[n++] = dupstr(de->d_name);
		}
	}
	closedir(d);
	qsort(names, n, sizeof *names, by_name);
	for (i = 0; i < n; i++) {
		struct qc_spec *spec;
		size_t l = strlen(dir) + strlen(names[i]) + 2;
		char *path = malloc(l);

		if (path == NULL)
			abort();
		snprintf(path, l, "%s/%s", dir, names[i]);
		if (qc_spec_load(dir, path, &spec, e, sizeof e) < 0) {
			cb(path, NULL, e, arg);
			bad++;
		} else {
			cb(path, spec, NULL, arg);
			qc_spec_free(spec);
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return bad;
}
