/*
 * manifests: md5sum / xxhsum files read line by line, MHL v1.1 read with
 * libxml2, both into one list of expectations per path (see manifests.h).
 */
#include "autoconfig.h"

#include <errno.h>
#include <inttypes.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifests.h"

char *
tx_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

char *
tx_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	return s;
}

static struct rx_expect *
add(struct rx_expectations *x, const char *rel, const char *where)
{
	struct rx_expect *e;

	if (x->n == x->cap) {
		x->cap = x->cap != 0 ? x->cap * 2 : 64;
		x->e = realloc(x->e, x->cap * sizeof *x->e);
		if (x->e == NULL)
			abort();
	}
	e = &x->e[x->n++];
	memset(e, 0, sizeof *e);
	e->rel = tx_strdup(rel);
	e->where = tx_strdup(where);
	e->size = -1;
	return e;
}

/* A path that would leave the delivery: absolute, or with a ".."
 * component. */
static int
leaves(const char *p)
{
	const char *c = p;

	if (*p == '/')
		return 1;
	while (*c != '\0') {
		size_t n = strcspn(c, "/");

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += n;
		if (*c == '/')
			c++;
	}
	return 0;
}

static int
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	}
	return 1;
}

static void
set_hex(struct rx_expect *e, int algo, const char *hex)
{
	size_t i, n = strlen(hex);

	for (i = 0; i < n && i < sizeof e->h.hex[algo] - 1; i++)
		e->h.hex[algo][i] = (char)(hex[i] >= 'A' && hex[i] <= 'F' ?
		    hex[i] + 32 : hex[i]);
	e->h.hex[algo][i] = '\0';
	e->h.set |= VCOPY_ALGO_BIT(algo);
}

static int
ext_algo(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return -1;
	if (strcasecmp(dot, ".md5") == 0)
		return VCOPY_MD5;
	if (strcasecmp(dot, ".xxh128") == 0 || strcasecmp(dot, ".xxh3") == 0)
		return VCOPY_XXH128;
	if (strcasecmp(dot, ".xxh64") == 0 || strcasecmp(dot, ".xxh") == 0)
		return VCOPY_XXH64;
	return -1;
}

int
rx_read_sums(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *name, *hexs, where[4200];
	size_t cap = 0, hl;
	ssize_t len;
	int lineno = 0, algo, rc = -1;

	if (f == NULL) {
		snprintf(err, errlen, "cannot read the sum file %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		algo = -1;
		if (strncmp(line, "MD5 (", 5) == 0)
			algo = VCOPY_MD5;
		else if (strncmp(line, "XXH128 (", 8) == 0)
			algo = VCOPY_XXH128;
		else if (strncmp(line, "XXH64 (", 7) == 0)
			algo = VCOPY_XXH64;
		if (algo >= 0) {
			char *close = strstr(line, ") = ");

			if (close == NULL)
				goto bad;
			name = strchr(line, '(') + 1;
			*close = '\0';
			hexs = close + 4;
		} else {
			hexs = line;
			hl = strcspn(line, " ");
			if (line[hl] != ' ' || (line[hl + 1] != ' ' &&
			    line[hl + 1] != '*'))
				goto bad;
			line[hl] = '\0';
			name = line + hl + 2;
			if (hl == 16)
				algo = VCOPY_XXH64;
			else if (hl == 32) {
				algo = ext_algo(path);
				if (algo < 0 || algo == VCOPY_XXH64) {
					snprintf(err, errlen, "%s:%d: 32 hex "
					    "digits may be md5 or xxh128; name "
					    "the file .md5 or .xxh128, or use "
					    "the 'MD5 (NAME) = HEX' form",
					    path, lineno);
					goto out;
				}
			}
		}
		hl = strlen(hexs);
		if ((algo == VCOPY_XXH64 ? hl != 16 : hl != 32) ||
		    !all_hex(hexs, hl) || *name == '\0')
			goto bad;
		if (leaves(name)) {
			snprintf(err, errlen, "%s:%d: %s leaves the folder of "
			    "the sum file", path, lineno, name);
			goto out;
		}
		if (strncmp(name, "./", 2) == 0)
			name += 2;
		snprintf(where, sizeof where, "%s:%d", path, lineno);
		{
			char *rel = tx_printf("%s%s%s", prefix, *prefix ? "/" :
			    "", name);

			set_hex(add(x, rel, where), algo, hexs);
			free(rel);
		}
	}
	rc = 0;
	goto out;
bad:
	snprintf(err, errlen, "%s:%d: not a line of an md5sum or xxhsum file "
	    "('HEX  NAME' or 'MD5 (NAME) = HEX')", path, lineno);
out:
	free(line);
	fclose(f);
	return rc;
}

static int
node_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    xmlStrcasecmp(n->name, (const xmlChar *)name) == 0;
}

/* The element's text without surrounding white space (malloc'd). */
static char *
text_of(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *p = t != NULL ? (const char *)t : "";
	size_t len;
	char *s;

	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
	    p[len - 1] == '\r' || p[len - 1] == '\n'))
		len--;
	s = strndup(p, len);
	xmlFree(t);
	if (s == NULL)
		abort();
	return s;
}

int
rx_read_mhl1(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen)
{
	xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	xmlNode *root, *hash, *k;
	char where[4200];
	int rc = -1, entries = 0;

	if (doc == NULL) {
		snprintf(err, errlen, "%s is not well-formed XML; it cannot be "
		    "read as an MHL file", path);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !node_is(root, "hashlist")) {
		snprintf(err, errlen, "%s is not an MHL file (no hashlist "
		    "element)", path);
		goto out;
	}
	if (root->ns != NULL) {
		snprintf(err, errlen, "%s is an ASC MHL v2 generation, which "
		    "belongs in an ascmhl folder with its chain file, not an "
		    "MHL v1.1 file", path);
		goto out;
	}
	for (hash = root->children; hash != NULL; hash = hash->next) {
		struct rx_expect *e = NULL;
		char *file = NULL, *rel;
		int known = 0;

		if (!node_is(hash, "hash"))
			continue;
		snprintf(where, sizeof where, "%s:%d", path, hash->line);
		for (k = hash->children; k != NULL; k = k->next)
			if (node_is(k, "file")) {
				free(file);
				file = text_of(k);
			}
		if (file == NULL || *file == '\0' || leaves(file)) {
			snprintf(err, errlen, "%s: a hash entry has no <file>, "
			    "or one that leaves the folder (%s)", where,
			    file != NULL ? file : "none");
			free(file);
			goto out;
		}
		rel = tx_printf("%s%s%s", prefix, *prefix ? "/" : "", file);
		e = add(x, rel, where);
		free(rel);
		free(file);
		for (k = hash->children; k != NULL; k = k->next) {
			char *v;
			size_t n;

			if (k->type != XML_ELEMENT_NODE || node_is(k, "file"))
				continue;
			v = text_of(k);
			n = strlen(v);
			if (node_is(k, "size")) {
				char *end;
				long long sz = strtoll(v, &end, 10);

				if (*v == '\0' || *end != '\0' || sz < 0) {
					snprintf(err, errlen, "%s: <size> '%s' "
					    "is not a byte count", where, v);
					free(v);
					goto out;
				}
				e->size = sz;
			} else if (node_is(k, "md5") && n == 32 &&
			    all_hex(v, n)) {
				set_hex(e, VCOPY_MD5, v);
				known++;
			} else if (node_is(k, "sha1") && n == 40 &&
			    all_hex(v, n)) {
				set_hex(e, VCOPY_SHA1, v);
				known++;
			} else if (node_is(k, "xxhash64be") && n == 16 &&
			    all_hex(v, n)) {
				set_hex(e, VCOPY_XXH64, v);
				known++;
			} else if (node_is(k, "xxhash64") && n == 16 &&
			    all_hex(v, n)) {
				char be[17];
				size_t i;

				/* The same eight bytes, least significant
				 * first. */
				for (i = 0; i < 8; i++) {
					be[2 * i] = v[14 - 2 * i];
					be[2 * i + 1] = v[15 - 2 * i];
				}
				be[16] = '\0';
				set_hex(e, VCOPY_XXH64, be);
				known++;
			} else if (node_is(k, "xxhash") && n > 0 && n <= 10 &&
			    strspn(v, "0123456789") == n &&
			    strtoull(v, NULL, 10) <= UINT32_MAX) {
				e->xxh32 = (uint32_t)strtoull(v, NULL, 10);
				e->has_xxh32 = 1;
				known++;
			} else if (node_is(k, "md5") || node_is(k, "sha1") ||
			    node_is(k, "xxhash") || node_is(k, "xxhash64") ||
			    node_is(k, "xxhash64be")) {
				snprintf(err, errlen, "%s: <%s> '%s' is not a "
				    "valid %s value", where,
				    (const char *)k->name, v,
				    (const char *)k->name);
				free(v);
				goto out;
			}
			free(v);
		}
		if (!known && e->size < 0) {
			snprintf(err, errlen, "%s: the entry for %s has neither "
			    "a hash mcr knows (md5, sha1, xxhash, xxhash64, "
			    "xxhash64be) nor a size", where, e->rel);
			goto out;
		}
		entries++;
	}
	if (entries == 0) {
		snprintf(err, errlen, "%s lists no files", path);
		goto out;
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	return rc;
}

int
rx_read_manifest(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen)
{
	size_t n = strlen(path);

	if (n > 4 && strcasecmp(path + n - 4, ".mhl") == 0)
		return rx_read_mhl1(path, prefix, x, err, errlen);
	return rx_read_sums(path, prefix, x, err, errlen);
}

static int
expect_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rx_expect *)a)->rel,
	    ((const struct rx_expect *)b)->rel);
}

static void
expect_free(struct rx_expect *e)
{
	free(e->rel);
	free(e->where);
	free(e->disagree);
}

void
rx_finish(struct rx_expectations *x)
{
	size_t i, out = 0;
	int a;

	if (x->n == 0)
		return;
	qsort(x->e, x->n, sizeof *x->e, expect_cmp);
	for (i = 1; i < x->n; i++) {
		struct rx_expect *k = &x->e[out], *e = &x->e[i];

		if (strcmp(k->rel, e->rel) != 0) {
			x->e[++out] = *e;
			continue;
		}
		for (a = 0; a < VCOPY_NALGO; a++) {
			if (!(e->h.set & VCOPY_ALGO_BIT(a)))
				continue;
			if ((k->h.set & VCOPY_ALGO_BIT(a)) &&
			    strcmp(k->h.hex[a], e->h.hex[a]) != 0 &&
			    k->disagree == NULL)
				k->disagree = tx_printf("%s and %s give "
				    "different %s values", k->where, e->where,
				    vcopy_algo_name(a));
			else if (!(k->h.set & VCOPY_ALGO_BIT(a)))
				set_hex(k, a, e->h.hex[a]);
		}
		if (e->has_xxh32 && k->has_xxh32 && e->xxh32 != k->xxh32 &&
		    k->disagree == NULL)
			k->disagree = tx_printf("%s and %s give different "
			    "xxhash values", k->where, e->where);
		else if (e->has_xxh32) {
			k->has_xxh32 = 1;
			k->xxh32 = e->xxh32;
		}
		if (e->size >= 0 && k->size >= 0 && e->size != k->size &&
		    k->disagree == NULL)
			k->disagree = tx_printf("%s and %s give different "
			    "sizes", k->where, e->where);
		else if (e->size >= 0)
			k->size = e->size;
		expect_free(e);
	}
	x->n = out + 1;
}

struct rx_expect *
rx_find(struct rx_expectations *x, const char *rel)
{
	struct rx_expect key = { .rel = (char *)rel };

	if (x->n == 0)
		return NULL;
	return bsearch(&key, x->e, x->n, sizeof *x->e, expect_cmp);
}

void
rx_expectations_free(struct rx_expectations *x)
{
	size_t i;

	for (i = 0; i < x->n; i++)
		expect_free(&x->e[i]);
	free(x->e);
	memset(x, 0, sizeof *x);
}
