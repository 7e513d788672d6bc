/*
 * mhl: ASC MHL v2.0 histories (see mhl.h). A generation is built in
 * memory with libxml2's xmlTextWriter, written with O_EXCL and fsync'd;
 * its C4 ID is taken over the exact bytes written, and the chain file is
 * rewritten beside a temporary name and renamed over the old one, so a
 * crash leaves either the old chain or the new one. Reading checks each
 * generation's bytes against the chain before it parses them.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "mhl.h"

#define NS_HASHLIST "urn:ASC:MHL:v2.0"
#define NS_DIRECTORY "urn:ASC:MHL:DIRECTORY:v2.0"

/* One file of a new generation: a list of 10,000 of them stays small,
 * the hashes kept as text after the path (not a vcopy_hashes of every
 * algorithm each). */
struct gen_entry {
	char *path;		/* then, after its NUL, the hex of each hash
				 * in set, in algorithm order */
	unsigned set;
	uint64_t size;
	int64_t mtime_ns;
	char action[12];
	int64_t hashdate_us;
};

struct mhl_gen {
	char process[16];
	struct gen_entry *e;
	size_t n, cap;
	int64_t created_us;
};

struct mhl_history {
	int generations;
	struct mhl_file *files;	/* sorted by path */
	size_t n, cap;
};

struct chain_item {
	int seq;
	char *path;
	char c4[91];
};

static void *
m_alloc(size_t n)
{
	void *p = calloc(1, n != 0 ? n : 1);

	if (p == NULL)
		abort();
	return p;
}

static void *
m_realloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		abort();
	return p;
}

static char *
m_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

static void
m_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
m_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/* snprintf for paths: a truncated path is caught by the open that
 * follows, so the caller need not check here. */
static void
m_path(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
m_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* "2020-01-16T09:15:00+00:00", as the reference implementation writes. */
static void
iso_date(int64_t seconds, char *buf, size_t len)
{
	time_t t = (time_t)seconds;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%S+00:00", &tm);
}

const char *
mhl_outcome_name(enum mhl_outcome o)
{
	static const char *const names[] = { "ok", "mismatch", "missing",
	    "new", "renamed", "unreadable" };

	return (unsigned)o < sizeof names / sizeof names[0] ? names[o] : "?";
}

/* --- writing --- */

struct mhl_gen *
mhl_gen_new(const char *process)
{
	struct mhl_gen *g = m_alloc(sizeof *g);

	snprintf(g->process, sizeof g->process, "%s", process);
	g->created_us = now_us();
	return g;
}

void
mhl_gen_add(struct mhl_gen *g, const char *relpath, uint64_t size,
    int64_t mtime_ns, const struct vcopy_hashes *h, const char *action,
    int64_t hashdate_us)
{
	struct gen_entry *e;

	if (g->n == g->cap) {
		g->cap = g->cap != 0 ? g->cap * 2 : 64;
		g->e = m_realloc(g->e, g->cap * sizeof *g->e);
	}
	size_t len = strlen(relpath) + 1, at;
	int a;

	for (a = 0; a < VCOPY_NALGO; a++)
		if (h->set & VCOPY_ALGO_BIT(a))
			len += strlen(h->hex[a]) + 1;
	e = &g->e[g->n++];
	e->path = m_realloc(NULL, len);
	at = (size_t)(stpcpy(e->path, relpath) - e->path) + 1;
	for (a = 0; a < VCOPY_NALGO; a++)
		if (h->set & VCOPY_ALGO_BIT(a))
			at += (size_t)(stpcpy(e->path + at, h->hex[a]) -
			    (e->path + at)) + 1;
	e->set = h->set;
	e->size = size;
	e->mtime_ns = mtime_ns;
	snprintf(e->action, sizeof e->action, "%s", action);
	e->hashdate_us = hashdate_us;
}

size_t
mhl_gen_count(const struct mhl_gen *g)
{
	return g->n;
}

void
mhl_gen_free(struct mhl_gen *g)
{
	size_t i;

	if (g == NULL)
		return;
	for (i = 0; i < g->n; i++)
		free(g->e[i].path);
	free(g->e);
	free(g);
}

static void
chain_free(struct chain_item *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].path);
	free(c);
}

static int
node_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    xmlStrcmp(n->name, (const xmlChar *)name) == 0;
}

static char *
node_text(const xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	char *s, *p, *end;

	if (t == NULL)
		return m_strdup("");
	/* Trim the whitespace a pretty-printer puts around values. */
	p = (char *)t;
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	end = p + strlen(p);
	while (end > p && (end[-1] == ' ' || end[-1] == '\n' ||
	    end[-1] == '\t' || end[-1] == '\r'))
		end--;
	s = m_alloc((size_t)(end - p) + 1);
	memcpy(s, p, (size_t)(end - p));
	xmlFree(t);
	return s;
}

/* Reads root/ascmhl/ascmhl_chain.xml. Returns 0 (n may be 0 when the
 * file does not exist), or -1 with err. */
static int
chain_load(const char *dir, struct chain_item **out, size_t *nout,
    char *err, size_t errlen)
{
	char path[PATH_MAX];
	struct chain_item *c = NULL;
	size_t n = 0;
	xmlDoc *doc;
	xmlNode *root, *hl, *k;

	*out = NULL;
	*nout = 0;
	m_path(path, sizeof path, "%s/%s", dir, MHL_CHAIN);
	if (access(path, F_OK) != 0)
		return 0;
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL) {
		m_err(err, errlen, "%s is not well-formed XML; the ASC MHL "
		    "history cannot be trusted", path);
		return -1;
	}
	root = xmlDocGetRootElement(doc);
	if (root == NULL || !node_is(root, "ascmhldirectory")) {
		m_err(err, errlen, "%s is not an ASC MHL chain file (no "
		    "ascmhldirectory element)", path);
		xmlFreeDoc(doc);
		return -1;
	}
	for (hl = root->children; hl != NULL; hl = hl->next) {
		xmlChar *seq;

		if (!node_is(hl, "hashlist"))
			continue;
		c = m_realloc(c, (n + 1) * sizeof *c);
		memset(&c[n], 0, sizeof c[n]);
		seq = xmlGetProp(hl, (const xmlChar *)"sequencenr");
		c[n].seq = seq != NULL ? atoi((const char *)seq) : (int)n + 1;
		xmlFree(seq);
		for (k = hl->children; k != NULL; k = k->next) {
			if (node_is(k, "path")) {
				free(c[n].path);
				c[n].path = node_text(k);
			} else if (node_is(k, "c4")) {
				char *t = node_text(k);

				snprintf(c[n].c4, sizeof c[n].c4, "%s", t);
				free(t);
			}
		}
		n++;
		if (c[n - 1].path == NULL || strchr(c[n - 1].path, '/') ||
		    c[n - 1].c4[0] == '\0') {
			m_err(err, errlen, "%s: generation %d has no path or "
			    "no c4 hash", path, c[n - 1].seq);
			chain_free(c, n);
			xmlFreeDoc(doc);
			return -1;
		}
	}
	xmlFreeDoc(doc);
	*out = c;
	*nout = n;
	return 0;
}

/* Writes len bytes to path, new (O_EXCL) or replacing through a temporary
 * name, and fsyncs it. */
static int
write_file(const char *path, const void *buf, size_t len, int replace,
    char *err, size_t errlen)
{
	char tmp[PATH_MAX];
	const char *target = path;
	const char *p = buf;
	ssize_t n;
	int fd, e;

	if (replace) {
		snprintf(tmp, sizeof tmp, "%s.tmp", path);
		unlink(tmp);
		target = tmp;
	}
	fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		e = errno;
		m_err(err, errlen, "cannot create %s: %s", target,
		    strerror(e));
		return -1;
	}
	while (len > 0) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		p += n;
		len -= (size_t)n;
	}
	if (fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	if (replace && rename(tmp, path) != 0) {
		e = errno;
		unlink(tmp);
		m_err(err, errlen, "cannot replace %s: %s", path,
		    strerror(e));
		return -1;
	}
	return 0;
fail:
	e = errno;
	if (fd >= 0)
		close(fd);
	unlink(target);
	m_err(err, errlen, "cannot write %s: %s", target, strerror(e));
	return -1;
}

static void
c4_of(const void *buf, size_t len, char out[91])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	if (!EVP_Digest(buf, len, md, &mdlen, EVP_sha512(), NULL))
		abort();
	vcopy_c4_encode(md, out);
}

#define W(call) do { if ((call) < 0) goto xmlfail; } while (0)

/* The hashes of set, their hex one after another (each NUL-ended). */
static int
write_hash_elements(xmlTextWriter *w, unsigned set, const char *hex,
    const char *action, int64_t hashdate_us)
{
	char date[40];
	int a;

	iso_date(hashdate_us / 1000000, date, sizeof date);
	for (a = 0; a < VCOPY_NALGO; a++) {
		if (!(set & VCOPY_ALGO_BIT(a)))
			continue;
		if (xmlTextWriterStartElement(w, BAD_CAST vcopy_algo_name(a)) <
		    0 || xmlTextWriterWriteAttribute(w, BAD_CAST "action",
		    BAD_CAST action) < 0 ||
		    xmlTextWriterWriteAttribute(w, BAD_CAST "hashdate",
		    BAD_CAST date) < 0 ||
		    xmlTextWriterWriteString(w, BAD_CAST hex) < 0 ||
		    xmlTextWriterEndElement(w) < 0)
			return -1;
		hex += strlen(hex) + 1;
	}
	return 0;
}

static xmlBuffer *
build_generation(const struct mhl_gen *g)
{
	xmlBuffer *buf = xmlBufferCreate();
	xmlTextWriter *w;
	char date[40], host[256], size[32];
	size_t i;

	if (buf == NULL || (w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		abort();
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	iso_date(g->created_us / 1000000, date, sizeof date);

	W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	W(xmlTextWriterStartElementNS(w, NULL, BAD_CAST "hashlist",
	    BAD_CAST NS_HASHLIST));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "version", BAD_CAST "2.0"));
	W(xmlTextWriterStartElement(w, BAD_CAST "creatorinfo"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "creationdate", BAD_CAST date));
	W(xmlTextWriterWriteElement(w, BAD_CAST "hostname", BAD_CAST host));
	W(xmlTextWriterStartElement(w, BAD_CAST "tool"));
	W(xmlTextWriterWriteAttribute(w, BAD_CAST "version",
	    BAD_CAST PACKAGE_VERSION));
	W(xmlTextWriterWriteString(w, BAD_CAST "mcr"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "processinfo"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "process",
	    BAD_CAST g->process));
	W(xmlTextWriterStartElement(w, BAD_CAST "ignore"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "pattern",
	    BAD_CAST ".DS_Store"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "pattern", BAD_CAST "ascmhl"));
	W(xmlTextWriterWriteElement(w, BAD_CAST "pattern",
	    BAD_CAST "ascmhl/"));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterStartElement(w, BAD_CAST "hashes"));
	for (i = 0; i < g->n; i++) {
		const struct gen_entry *e = &g->e[i];

		W(xmlTextWriterStartElement(w, BAD_CAST "hash"));
		W(xmlTextWriterStartElement(w, BAD_CAST "path"));
		snprintf(size, sizeof size, "%llu",
		    (unsigned long long)e->size);
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "size",
		    BAD_CAST size));
		iso_date(e->mtime_ns / 1000000000, date, sizeof date);
		W(xmlTextWriterWriteAttribute(w,
		    BAD_CAST "lastmodificationdate", BAD_CAST date));
		W(xmlTextWriterWriteString(w, BAD_CAST e->path));
		W(xmlTextWriterEndElement(w));
		W(write_hash_elements(w, e->set, e->path + strlen(e->path) + 1,
		    e->action, e->hashdate_us));
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w);
	return buf;
xmlfail:
	xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	return NULL;
}

static xmlBuffer *
build_chain(const struct chain_item *c, size_t n)
{
	xmlBuffer *buf = xmlBufferCreate();
	xmlTextWriter *w;
	char seq[16];
	size_t i;

	if (buf == NULL || (w = xmlNewTextWriterMemory(buf, 0)) == NULL)
		abort();
	xmlTextWriterSetIndent(w, 1);
	xmlTextWriterSetIndentString(w, BAD_CAST "  ");
	W(xmlTextWriterStartDocument(w, "1.0", "UTF-8", NULL));
	W(xmlTextWriterStartElementNS(w, NULL, BAD_CAST "ascmhldirectory",
	    BAD_CAST NS_DIRECTORY));
	for (i = 0; i < n; i++) {
		W(xmlTextWriterStartElement(w, BAD_CAST "hashlist"));
		snprintf(seq, sizeof seq, "%d", c[i].seq);
		W(xmlTextWriterWriteAttribute(w, BAD_CAST "sequencenr",
		    BAD_CAST seq));
		W(xmlTextWriterWriteElement(w, BAD_CAST "path",
		    BAD_CAST c[i].path));
		W(xmlTextWriterWriteElement(w, BAD_CAST "c4",
		    BAD_CAST c[i].c4));
		W(xmlTextWriterEndElement(w));
	}
	W(xmlTextWriterEndElement(w));
	W(xmlTextWriterEndDocument(w));
	xmlFreeTextWriter(w);
	return buf;
xmlfail:
	xmlFreeTextWriter(w);
	xmlBufferFree(buf);
	return NULL;
}

int
mhl_gen_write(struct mhl_gen *g, const char *root, char *path_out,
    size_t path_len, char *err, size_t errlen)
{
	char dir[PATH_MAX], name[NAME_MAX + 1], path[PATH_MAX], folder[200];
	struct chain_item *c = NULL;
	xmlBuffer *gb = NULL, *cb = NULL;
	size_t n = 0, i;
	const char *base;
	struct tm tm;
	time_t t;
	int seq = 0, rc = -1;

	snprintf(dir, sizeof dir, "%s/%s", root, MHL_FOLDER);
	if (mkdir(dir, 0775) != 0 && errno != EEXIST) {
		m_err(err, errlen, "cannot create %s: %s", dir,
		    strerror(errno));
		return -1;
	}
	if (chain_load(dir, &c, &n, err, errlen) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (c[i].seq > seq)
			seq = c[i].seq;
	}
	seq++;

	base = strrchr(root, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : root;
	snprintf(folder, sizeof folder, "%s", base);
	t = (time_t)(g->created_us / 1000000);
	gmtime_r(&t, &tm);
	snprintf(name, sizeof name, "%04d_%s_%04d-%02d-%02d_%02d%02d%02dZ.mhl",
	    seq, folder, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	m_path(path, sizeof path, "%s/%s", dir, name);

	if ((gb = build_generation(g)) == NULL) {
		m_err(err, errlen, "cannot build an ASC MHL generation for %s "
		    "(a file name that is not valid UTF-8?)", root);
		goto out;
	}
	if (write_file(path, xmlBufferContent(gb), (size_t)xmlBufferLength(gb),
	    0, err, errlen) < 0)
		goto out;
	c = m_realloc(c, (n + 1) * sizeof *c);
	c[n].seq = seq;
	c[n].path = m_strdup(name);
	c4_of(xmlBufferContent(gb), (size_t)xmlBufferLength(gb), c[n].c4);
	n++;
	if ((cb = build_chain(c, n)) == NULL) {
		m_err(err, errlen, "cannot build the ASC MHL chain for %s",
		    root);
		unlink(path);
		goto out;
	}
	m_path(path, sizeof path, "%s/%s", dir, MHL_CHAIN);
	if (write_file(path, xmlBufferContent(cb), (size_t)xmlBufferLength(cb),
	    1, err, errlen) < 0) {
		m_path(path, sizeof path, "%s/%s", dir, name);
		unlink(path);
		goto out;
	}
	if (path_out != NULL)
		snprintf(path_out, path_len, "%s/%s", dir, name);
	rc = 0;
out:
	chain_free(c, n);
	if (gb != NULL)
		xmlBufferFree(gb);
	if (cb != NULL)
		xmlBufferFree(cb);
	return rc;
}

/* --- reading --- */

static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct mhl_file *)a)->path,
	    ((const struct mhl_file *)b)->path);
}

/* A new entry at the end (left unsorted until the generation is in). */
static struct mhl_file *
history_slot(struct mhl_history *h, const char *path)
{
	if (h->n == h->cap) {
		h->cap = h->cap != 0 ? h->cap * 2 : 64;
		h->files = m_realloc(h->files, h->cap * sizeof *h->files);
	}
	memset(&h->files[h->n], 0, sizeof h->files[h->n]);
	h->files[h->n].path = m_strdup(path);
	return &h->files[h->n++];
}

/* Adds one parsed generation's hash entries to the history. Paths seen in
 * earlier generations are found through the sorted prefix. */
static int
history_add_generation(struct mhl_history *h, xmlNode *root, int gen,
    const char *what, struct chain_item **refs, size_t *nrefs, char *err,
    size_t errlen)
{
	xmlNode *sec, *hash, *k;
	size_t sorted = h->n;

	for (sec = root->children; sec != NULL; sec = sec->next) {
		/* A nested history's generation this one points to: checked
		 * once the child histories are loaded. */
		if (node_is(sec, "references")) {
			for (hash = sec->children; hash != NULL;
			    hash = hash->next) {
				struct chain_item *r;

				if (!node_is(hash, "hashlistreference"))
					continue;
				*refs = m_realloc(*refs, (*nrefs + 1) *
				    sizeof **refs);
				r = &(*refs)[(*nrefs)++];
				memset(r, 0, sizeof *r);
				r->seq = gen;
				for (k = hash->children; k != NULL;
				    k = k->next) {
					char *t;

					if (node_is(k, "path")) {
						free(r->path);
						r->path = node_text(k);
					} else if (node_is(k, "c4")) {
						t = node_text(k);
						snprintf(r->c4, sizeof r->c4,
						    "%s", t);
						free(t);
					}
				}
				if (r->path == NULL || r->c4[0] == '\0') {
					m_err(err, errlen, "%s: a hashlist"
					    "reference has no path or no c4",
					    what);
					return -1;
				}
			}
			continue;
		}
		if (!node_is(sec, "hashes"))
			continue;
		for (hash = sec->children; hash != NULL; hash = hash->next) {
			struct mhl_file *f = NULL, key;
			char *path = NULL;

			if (!node_is(hash, "hash"))
				continue;
			for (k = hash->children; k != NULL; k = k->next) {
				if (node_is(k, "path")) {
					xmlChar *sz;

					free(path);
					path = node_text(k);
					key.path = path;
					f = sorted > 0 ? bsearch(&key, h->files,
					    sorted, sizeof *h->files,
					    file_cmp) : NULL;
					if (f == NULL)
						f = history_slot(h, path);
					sz = xmlGetProp(k,
					    (const xmlChar *)"size");
					if (sz != NULL) {
						f->size = strtoull(
						    (const char *)sz, NULL,
						    10);
						f->has_size = 1;
						xmlFree(sz);
					}
					f->generation = gen;
				} else if (k->type == XML_ELEMENT_NODE &&
				    f != NULL) {
					int a = vcopy_algo_parse(
					    (const char *)k->name);
					char *v;
					xmlChar *act;

					if (a < 0)
						continue;
					act = xmlGetProp(k,
					    (const xmlChar *)"action");
					/* A failed hash is not the file's. */
					if (act != NULL && xmlStrcmp(act,
					    BAD_CAST "failed") == 0) {
						xmlFree(act);
						continue;
					}
					xmlFree(act);
					v = node_text(k);
					snprintf(f->hashes.hex[a],
					    sizeof f->hashes.hex[a], "%s", v);
					f->hashes.set |= VCOPY_ALGO_BIT(a);
					free(v);
				}
			}
			if (path == NULL) {
				m_err(err, errlen, "%s: a hash entry has no "
				    "path", what);
				return -1;
			}
			free(path);
		}
	}
	qsort(h->files, h->n, sizeof *h->files, file_cmp);
	return 0;
}

static int
read_all(const char *path, char **out, size_t *len)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || st.st_size > (off_t)1 << 31) {
		close(fd);
		errno = EFBIG;
		return -1;
	}
	buf = m_alloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
}

/* Nested histories: the folders under a root that hold an ascmhl/ of their
 * own (not looking inside those; each loads its own children). nftw has
 * no user pointer. */
static struct {
	const char *root;
	char **dirs;
	size_t n;
} nest;

static int
nest_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	char chain[PATH_MAX];

	if (type != FTW_D || ftw->level == 0)
		return FTW_CONTINUE;
	if (strcmp(fpath + ftw->base, MHL_FOLDER) == 0)
		return FTW_SKIP_SUBTREE;
	m_path(chain, sizeof chain, "%s/%s/%s", fpath, MHL_FOLDER, MHL_CHAIN);
	if (access(chain, F_OK) != 0)
		return FTW_CONTINUE;
	nest.dirs = m_realloc(nest.dirs, (nest.n + 1) * sizeof *nest.dirs);
	nest.dirs[nest.n++] = m_strdup(fpath);
	return FTW_SKIP_SUBTREE;
}

/* Adds child's files to h under prefix/ (a child's entry is newer than
 * anything the parent may have said about the same path). */
static void
history_merge(struct mhl_history *h, const struct mhl_history *child,
    const char *prefix)
{
	char path[PATH_MAX * 2];
	size_t sorted = h->n, i;

	for (i = 0; i < child->n; i++) {
		const struct mhl_file *cf = &child->files[i];
		struct mhl_file key, *f;

		snprintf(path, sizeof path, "%s/%s", prefix, cf->path);
		key.path = path;
		f = sorted > 0 ? bsearch(&key, h->files, sorted,
		    sizeof *h->files, file_cmp) : NULL;
		if (f == NULL)
			f = history_slot(h, path);
		f->size = cf->size;
		f->has_size = cf->has_size;
		f->hashes = cf->hashes;
		f->generation = cf->generation;
	}
	qsort(h->files, h->n, sizeof *h->files, file_cmp);
}

/* Loads the histories nested under root into h, then checks every
 * hashlistreference of root's generations against the file it names. */
static int
history_load_children(const char *root, struct mhl_history *h,
    const struct chain_item *refs, size_t nrefs, char *err, size_t errlen)
{
	char path[PATH_MAX], c4[91], *buf;
	char **dirs;
	size_t n, i, len, rl = strlen(root);
	int rc = 0;

	nest.root = root;
	nest.dirs = NULL;
	nest.n = 0;
	if (nftw(root, nest_cb, 32, FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
		m_err(err, errlen, "cannot walk %s to find nested ASC MHL "
		    "histories: %s", root, strerror(errno));
		rc = -1;
	}
	dirs = nest.dirs;
	n = nest.n;
	nest.dirs = NULL;
	for (i = 0; rc == 0 && i < n; i++) {
		struct mhl_history *child = NULL;

		if (mhl_history_load(dirs[i], &child, err, errlen) != 0) {
			rc = -1;
			break;
		}
		history_merge(h, child, dirs[i] + rl + 1);
		h->generations += child->generations;
		mhl_history_free(child);
	}
	for (i = 0; rc == 0 && i < nrefs; i++) {
		m_path(path, sizeof path, "%s/%s", root, refs[i].path);
		if (strstr(refs[i].path, "..") != NULL ||
		    read_all(path, &buf, &len) < 0) {
			m_err(err, errlen, "generation %d of the ASC MHL history "
			    "of %s references %s, which cannot be read; the "
			    "nested history is incomplete", refs[i].seq, root,
			    refs[i].path);
			rc = -1;
			break;
		}
		c4_of(buf, len, c4);
		free(buf);
		if (strcmp(c4, refs[i].c4) != 0) {
			m_err(err, errlen, "the nested ASC MHL generation %s "
			    "under %s was altered: its C4 ID is not the one "
			    "generation %d of the parent history references",
			    refs[i].path, root, refs[i].seq);
			rc = -1;
		}
	}
	for (i = 0; i < n; i++)
		free(dirs[i]);
	free(dirs);
	return rc;
}

int
mhl_history_load(const char *root, struct mhl_history **out, char *err,
    size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], c4[91];
	struct chain_item *c = NULL, *refs = NULL;
	size_t nrefs = 0;
	struct mhl_history *h;
	struct stat st;
	size_t n = 0, i, len;
	char *buf;

	*out = NULL;
	snprintf(dir, sizeof dir, "%s/%s", root, MHL_FOLDER);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 1;
	if (chain_load(dir, &c, &n, err, errlen) < 0)
		return -1;
	if (n == 0) {
		m_err(err, errlen, "%s has no %s listing its generations; the "
		    "ASC MHL history cannot be trusted", dir, MHL_CHAIN);
		return -1;
	}
	h = m_alloc(sizeof *h);
	for (i = 0; i < n; i++) {
		xmlDoc *doc;
		xmlNode *r;

		m_path(path, sizeof path, "%s/%s", dir, c[i].path);
		if (read_all(path, &buf, &len) < 0) {
			m_err(err, errlen, "generation %d of the ASC MHL history "
			    "of %s (%s) cannot be read: %s", c[i].seq, root,
			    c[i].path, strerror(errno));
			goto fail;
		}
		c4_of(buf, len, c4);
		if (strcmp(c4, c[i].c4) != 0) {
			free(buf);
			m_err(err, errlen, "generation %s of the ASC MHL history "
			    "of %s was altered: its C4 ID is not the one in %s",
			    c[i].path, root, MHL_CHAIN);
			goto fail;
		}
		doc = xmlReadMemory(buf, (int)len, c[i].path, NULL,
		    XML_PARSE_NONET | XML_PARSE_NOERROR |
		    XML_PARSE_NOWARNING);
		free(buf);
		r = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
		if (r == NULL || !node_is(r, "hashlist") || r->ns == NULL ||
		    xmlStrcmp(r->ns->href, BAD_CAST NS_HASHLIST) != 0) {
			m_err(err, errlen, "%s is not an ASC MHL v2.0 hash list",
			    path);
			xmlFreeDoc(doc);
			goto fail;
		}
		if (history_add_generation(h, r, c[i].seq, path, &refs, &nrefs,
		    err, errlen) < 0) {
			xmlFreeDoc(doc);
			goto fail;
		}
		xmlFreeDoc(doc);
		h->generations++;
	}
	if (history_load_children(root, h, refs, nrefs, err, errlen) < 0)
		goto fail;
	chain_free(c, n);
	chain_free(refs, nrefs);
	*out = h;
	return 0;
fail:
	chain_free(c, n);
	chain_free(refs, nrefs);
	mhl_history_free(h);
	return -1;
}

int
mhl_history_generations(const struct mhl_history *h)
{
	return h->generations;
}

size_t
mhl_history_nfiles(const struct mhl_history *h)
{
	return h->n;
}

const struct mhl_file *
mhl_history_file(const struct mhl_history *h, size_t i)
{
	return i < h->n ? &h->files[i] : NULL;
}

const struct mhl_file *
mhl_history_find(const struct mhl_history *h, const char *relpath)
{
	struct mhl_file key = { .path = (char *)relpath };

	if (h == NULL || h->n == 0)
		return NULL;
	return bsearch(&key, h->files, h->n, sizeof *h->files, file_cmp);
}

void
mhl_history_free(struct mhl_history *h)
{
	size_t i;

	if (h == NULL)
		return;
	for (i = 0; i < h->n; i++)
		free(h->files[i].path);
	free(h->files);
	free(h);
}

/* --- verifying --- */

struct disk_file {
	char *path;
	uint64_t size;
};

struct walk {
	const char *root;
	size_t rootlen;
	struct disk_file *f;
	size_t n, cap;
};

static struct walk *walk_ctx;	/* nftw has no user pointer */

static int
walk_cb(const char *fpath, const struct stat *sb, int type, struct FTW *ftw)
{
	struct walk *w = walk_ctx;
	const char *rel = fpath + w->rootlen;

	while (*rel == '/')
		rel++;
	/* Ours and those of nested histories (the reference tool's ignore
	 * pattern "ascmhl" applies at every depth). */
	if (type == FTW_D && ftw->level >= 1 &&
	    strcmp(fpath + ftw->base, MHL_FOLDER) == 0)
		return FTW_SKIP_SUBTREE;
	if (type != FTW_F || strcmp(fpath + ftw->base, ".DS_Store") == 0)
		return FTW_CONTINUE;
	if (w->n == w->cap) {
		w->cap = w->cap != 0 ? w->cap * 2 : 256;
		w->f = m_realloc(w->f, w->cap * sizeof *w->f);
	}
	w->f[w->n].path = m_strdup(rel);
	w->f[w->n].size = (uint64_t)sb->st_size;
	w->n++;
	return FTW_CONTINUE;
}

static int
disk_cmp(const void *a, const void *b)
{
	return strcmp(((const struct disk_file *)a)->path,
	    ((const struct disk_file *)b)->path);
}

int
mhl_verify_tree(const char *root, const struct mhl_history *h,
    const struct mhl_verify_opts *o, struct mhl_verify_counts *counts,
    char *err, size_t errlen)
{
	struct walk w = { .root = root, .rootlen = strlen(root) };
	char path[PATH_MAX], herr[600];
	unsigned char *seen = NULL;
	size_t i, j, nnew = 0;
	size_t *newf = NULL;
	unsigned missing_algos = 0;
	struct mhl_check c;
	int rc = -1;

	memset(counts, 0, sizeof *counts);
	walk_ctx = &w;
	if (nftw(root, walk_cb, 32, FTW_PHYS | FTW_ACTIONRETVAL) != 0) {
		m_err(err, errlen, "cannot walk %s: %s", root,
		    strerror(errno));
		goto out;
	}
	qsort(w.f, w.n, sizeof *w.f, disk_cmp);
	seen = m_alloc(h->n + 1);
	newf = m_alloc((w.n + 1) * sizeof *newf);

	for (i = 0; i < w.n; i++) {
		const struct mhl_file *f = mhl_history_find(h, w.f[i].path);
		struct vcopy_hashes got;
		unsigned algo;

		if (o->cancelled != NULL && o->cancelled(o->arg)) {
			m_err(err, errlen, "cancelled");
			goto out;
		}
		if (f == NULL) {
			newf[nnew++] = i;
			continue;
		}
		seen[f - h->files] = 1;
		memset(&c, 0, sizeof c);
		c.path = w.f[i].path;
		c.size = w.f[i].size;
		algo = vcopy_fastest(f->hashes.set);
		snprintf(path, sizeof path, "%s/%s", root, w.f[i].path);
		if (algo == 0) {
			c.outcome = MHL_UNREADABLE;
			c.error = "the history holds no hash mcr can compute";
			counts->unreadable++;
		} else if (vcopy_hash_file(path, algo, o->nocache, &got, NULL,
		    o->cancelled, o->arg, herr, sizeof herr) < 0) {
			c.outcome = MHL_UNREADABLE;
			c.error = herr;
			counts->unreadable++;
		} else {
			int a = __builtin_ctz(algo);

			counts->bytes += w.f[i].size;
			if (strcmp(got.hex[a], f->hashes.hex[a]) == 0) {
				c.outcome = MHL_OK;
				counts->ok++;
			} else {
				c.outcome = MHL_MISMATCH;
				c.algo = vcopy_algo_name(a);
				c.expected = f->hashes.hex[a];
				c.found = got.hex[a];
				counts->mismatch++;
			}
		}
		if (o->progress != NULL)
			o->progress(o->arg, w.f[i].size, w.f[i].path);
		if (o->report != NULL)
			o->report(o->arg, &c);
	}

	for (j = 0; j < h->n; j++) {
		if (!seen[j])
			missing_algos |= vcopy_fastest(h->files[j].hashes.set);
	}
	/* A new file whose bytes are a missing file's was renamed. */
	for (i = 0; i < nnew; i++) {
		struct disk_file *d = &w.f[newf[i]];
		struct vcopy_hashes got;

		memset(&c, 0, sizeof c);
		c.path = d->path;
		c.size = d->size;
		c.outcome = MHL_NEW;
		snprintf(path, sizeof path, "%s/%s", root, d->path);
		if (missing_algos != 0 && vcopy_hash_file(path, missing_algos,
		    o->nocache, &got, NULL, o->cancelled, o->arg, herr,
		    sizeof herr) == 0) {
			for (j = 0; j < h->n; j++) {
				if (seen[j] || (h->files[j].has_size &&
				    h->files[j].size != d->size) ||
				    !vcopy_hashes_equal(&got,
				    &h->files[j].hashes))
					continue;
				seen[j] = 1;
				c.outcome = MHL_RENAMED;
				c.old_path = h->files[j].path;
				break;
			}
		}
		if (c.outcome == MHL_RENAMED)
			counts->renamed++;
		else
			counts->added++;
		if (o->report != NULL)
			o->report(o->arg, &c);
	}
	for (j = 0; j < h->n; j++) {
		if (seen[j])
			continue;
		memset(&c, 0, sizeof c);
		c.outcome = MHL_MISSING;
		c.path = h->files[j].path;
		c.size = h->files[j].size;
		counts->missing++;
		if (o->report != NULL)
			o->report(o->arg, &c);
	}
	rc = 0;
out:
	for (i = 0; i < w.n; i++)
		free(w.f[i].path);
	free(w.f);
	free(seen);
	free(newf);
	walk_ctx = NULL;
	return rc;
}
