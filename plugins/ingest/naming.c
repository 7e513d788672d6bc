/*
 * naming: template expansion, name cleaning and collision suffixes for
 * ingest (see naming.h). Pure string work: no file system, no host.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "naming.h"

static void
n_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
n_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* Appends s to out at *off; -1 when it does not fit. */
static int
put(char *out, size_t len, size_t *off, const char *s, size_t n)
{
	if (*off + n + 1 > len)
		return -1;
	memcpy(out + *off, s, n);
	*off += n;
	out[*off] = '\0';
	return 0;
}

static int
is_per_file(const char *name, size_t n)
{
	return (n == 4 && memcmp(name, "path", 4) == 0) ||
	    (n == 4 && memcmp(name, "name", 4) == 0) ||
	    (n == 4 && memcmp(name, "stem", 4) == 0) ||
	    (n == 3 && memcmp(name, "ext", 3) == 0);
}

/* The value of variable name[0..n) (with an optional ":arg"). */
static int
var_value(const char *name, size_t n, const struct naming_vars *v,
    char *buf, size_t buflen, const char **val, char *err, size_t errlen)
{
	const char *base, *dot;

	base = v->path != NULL ? strrchr(v->path, '/') : NULL;
	base = base != NULL ? base + 1 : (v->path != NULL ? v->path : "");
	dot = strrchr(base, '.');
	if (dot == base)
		dot = NULL;
	if (n >= 5 && memcmp(name, "date:", 5) == 0) {
		char fmt[64];
		struct tm tm;

		if (n - 5 >= sizeof fmt) {
			n_err(err, errlen, "the date format in {%.*s} is too "
			    "long", (int)n, name);
			return -1;
		}
		memcpy(fmt, name + 5, n - 5);
		fmt[n - 5] = '\0';
		localtime_r(&v->when, &tm);
		/* The format is the operator's, from mcr.ini. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		if (strftime(buf, buflen, fmt, &tm) == 0) {
#pragma GCC diagnostic pop
			n_err(err, errlen, "{%.*s} gives an empty date", (int)n,
			    name);
			return -1;
		}
		*val = buf;
	} else if (n == 4 && memcmp(name, "date", 4) == 0) {
		struct tm tm;

		localtime_r(&v->when, &tm);
		strftime(buf, buflen, "%Y%m%d", &tm);
		*val = buf;
	} else if (n == 6 && memcmp(name, "client", 6) == 0) {
		*val = v->client;
	} else if (n == 10 && memcmp(name, "production", 10) == 0) {
		*val = v->production;
	} else if (n == 4 && memcmp(name, "reel", 4) == 0) {
		*val = v->reel;
	} else if (n == 3 && memcmp(name, "job", 3) == 0) {
		*val = v->job;
	} else if (n == 4 && memcmp(name, "path", 4) == 0) {
		*val = v->path;
	} else if (n == 4 && memcmp(name, "name", 4) == 0) {
		*val = base;
	} else if (n == 4 && memcmp(name, "stem", 4) == 0) {
		size_t k = dot != NULL ? (size_t)(dot - base) : strlen(base);

		snprintf(buf, buflen, "%.*s", (int)k, base);
		*val = buf;
	} else if (n == 3 && memcmp(name, "ext", 3) == 0) {
		*val = dot != NULL ? dot + 1 : "";
	} else {
		n_err(err, errlen, "unknown variable {%.*s} in the naming "
		    "template; the variables are {client}, {production}, "
		    "{reel}, {date:FORMAT}, {job}, {path}, {name}, {stem} and "
		    "{ext}", (int)n, name);
		return -1;
	}
	if (*val == NULL)
		*val = "";
	return 0;
}

int
naming_check(const char *tmpl, char *err, size_t errlen)
{
	struct naming_vars v = { "c", "p", "r", "d/f.x", "1", 0 };
	char root[1024], rel[1024];

	return naming_expand(tmpl, &v, root, sizeof root, rel, sizeof rel,
	    err, errlen);
}

int
naming_expand(const char *tmpl, const struct naming_vars *v, char *root,
    size_t rootlen, char *rel, size_t rellen, char *err, size_t errlen)
{
	const char *p = tmpl, *comp_end, *q, *close;
	char vbuf[256];
	int per_file_seen = 0;
	size_t roff = 0, loff = 0;

	root[0] = rel[0] = '\0';
	if (*tmpl == '/' || *tmpl == '\0') {
		n_err(err, errlen, "naming template '%s' must be a relative "
		    "path such as %s", tmpl, NAMING_DEFAULT_TEMPLATE);
		return -1;
	}
	while (*p != '\0') {
		int per_file = 0;

		/* One template component; braces never hold a '/'. */
		comp_end = p;
		while (*comp_end != '\0' && *comp_end != '/') {
			if (*comp_end == '{' &&
			    (close = strchr(comp_end, '}')) != NULL)
				comp_end = close;
			comp_end++;
		}
		for (q = p; q < comp_end; q++) {
			if (*q == '{' && (close = strchr(q, '}')) != NULL &&
			    is_per_file(q + 1, (size_t)(close - q - 1)))
				per_file = 1;
		}
		if (per_file)
			per_file_seen = 1;
		{
			char *out = per_file_seen ? rel : root;
			size_t len = per_file_seen ? rellen : rootlen;
			size_t *off = per_file_seen ? &loff : &roff;

			if (*off > 0 && put(out, len, off, "/", 1) < 0)
				goto toolong;
			for (q = p; q < comp_end; q++) {
				const char *val;

				if (*q == '{') {
					close = strchr(q, '}');
					if (close == NULL) {
						n_err(err, errlen, "naming "
						    "template '%s' has a '{' "
						    "without '}'", tmpl);
						return -1;
					}
					if (var_value(q + 1,
					    (size_t)(close - q - 1), v, vbuf,
					    sizeof vbuf, &val, err,
					    errlen) < 0)
						return -1;
					if (put(out, len, off, val,
					    strlen(val)) < 0)
						goto toolong;
					q = close;
				} else if (put(out, len, off, q, 1) < 0) {
					goto toolong;
				}
			}
		}
		p = *comp_end == '/' ? comp_end + 1 : comp_end;
	}
	if (!per_file_seen) {
		n_err(err, errlen, "naming template '%s' names no file; end "
		    "it with {path} or {name}", tmpl);
		return -1;
	}
	return 0;
toolong:
	n_err(err, errlen, "the name template '%s' gives a path too long",
	    tmpl);
	return -1;
}

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int
naming_clean(const char *in, enum naming_illegal mode,
    const char *replacement, char *out, size_t outlen, char *err,
    size_t errlen)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t off = 0, rl = strlen(replacement), comp_start = 0, k;
	int changed = 0;

	out[0] = '\0';
	for (;;) {
		if (*s == '/' || *s == '\0') {
			/* Finish the component: no "", ".", "..", and no
			 * trailing dots or spaces. */
			size_t clen = off - comp_start;
			char *c = out + comp_start;

			if (clen == 0 || (clen == 1 && c[0] == '.') ||
			    (clen == 2 && c[0] == '.' && c[1] == '.')) {
				if (mode == NAMING_FAIL)
					goto refuse;
				off = comp_start;
				if (put(out, outlen, &off, replacement, rl) < 0)
					goto toolong;
				changed = 1;
			} else {
				while (off > comp_start && (out[off - 1] == '.' ||
				    out[off - 1] == ' ')) {
					if (mode == NAMING_FAIL)
						goto refuse;
					off--;
					changed = 1;
				}
				if (off == comp_start) {
					if (put(out, outlen, &off, replacement,
					    rl) < 0)
						goto toolong;
				}
				out[off] = '\0';
			}
			if (*s == '\0')
				break;
			if (put(out, outlen, &off, "/", 1) < 0)
				goto toolong;
			comp_start = off;
			s++;
			continue;
		}
		k = utf8_len(s);
		if (k == 0 || *s < 0x20 || *s == 0x7f ||
		    (k == 1 && strchr("\\:*?\"<>|", *s) != NULL)) {
			if (mode == NAMING_FAIL)
				goto refuse;
			if (put(out, outlen, &off, replacement, rl) < 0)
				goto toolong;
			changed = 1;
			s += k != 0 ? k : 1;
			continue;
		}
		if (put(out, outlen, &off, (const char *)s, k) < 0)
			goto toolong;
		s += k;
	}
	return changed;
refuse:
	n_err(err, errlen, "'%s' holds a character, or a name, that "
	    "destinations refuse (control characters, \\ : * ? \" < > |, bytes "
	    "that are not UTF-8, trailing dots or spaces, . and ..); rename it, "
	    "or set illegal = replace in [ingest]", in);
	return -1;
toolong:
	n_err(err, errlen, "'%s' gives a destination path that is too long",
	    in);
	return -1;
}

int
naming_suffix(const char *path, unsigned n, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	const char *dot = strrchr(base, '.');
	int w;

	if (dot == NULL || dot == base)
		w = snprintf(out, outlen, "%s_%u", path, n);
	else
		w = snprintf(out, outlen, "%.*s_%u%s", (int)(dot - path), path,
		    n, dot);
	return w < 0 || (size_t)w >= outlen ? -1 : 0;
}

/* An open-addressing set of strings (FNV-1a), doubled at half full. */
struct naming_set {
	char **slot;
	size_t cap, n;
};

static uint64_t
fnv(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct naming_set *
naming_set_new(void)
{
	struct naming_set *s = calloc(1, sizeof *s);

	if (s == NULL || (s->slot = calloc(64, sizeof *s->slot)) == NULL)
		abort();
	s->cap = 64;
	return s;
}

static void
set_insert(struct naming_set *s, char *p)
{
	size_t i = (size_t)fnv(p) & (s->cap - 1);

	while (s->slot[i] != NULL)
		i = (i + 1) & (s->cap - 1);
	s->slot[i] = p;
	s->n++;
}

int
naming_set_add(struct naming_set *s, const char *path)
{
	size_t i = (size_t)fnv(path) & (s->cap - 1);
	char *p;

	while (s->slot[i] != NULL) {
		if (strcmp(s->slot[i], path) == 0)
			return 1;
		i = (i + 1) & (s->cap - 1);
	}
	if ((s->n + 1) * 2 > s->cap) {
		char **old = s->slot;
		size_t oldcap = s->cap, j;

		s->cap *= 2;
		s->n = 0;
		if ((s->slot = calloc(s->cap, sizeof *s->slot)) == NULL)
			abort();
		for (j = 0; j < oldcap; j++) {
			if (old[j] != NULL)
				set_insert(s, old[j]);
		}
		free(old);
	}
	if ((p = strdup(path)) == NULL)
		abort();
	set_insert(s, p);
	return 0;
}

void
naming_set_free(struct naming_set *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	free(s);
}
