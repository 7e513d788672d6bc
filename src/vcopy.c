/*
 * vcopy: one read of the source, hashed inline and written to every
 * destination's .part file; fsync, drop the cached pages, read each
 * destination back from the storage, compare, rename into place without
 * replacing anything. See vcopy.h for the contract.
 *
 * Data flow: read(src) -> hasher_update -> write(part[i]) for each new
 * destination, one buffer at a time. Existing destinations are hashed
 * before the copy and judged against the source's digest after it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "vcopy.h"

/* Small enough to stay in the CPU's cache between the read, the hash and
 * the writes: with 4 MiB every byte also went through memory three more
 * times, and a large file copied at half of cp's speed. */
#define VCOPY_DEFAULT_BUF (256u << 10)
#define VCOPY_DROP_EVERY (64u << 20)
/* A large source is read with O_DIRECT, in reads this big: straight from
 * the storage into our buffer, with no page cache filled by a card that
 * is read once. On this project's virtual machines a buffered copy of
 * 4 GiB took 7 to 21 s (median 18), a direct one 7 to 12 s (median 8),
 * interleaved; reads of 1 MiB or 16 MiB were slower than 4 MiB. */
#define VCOPY_DIRECT_MIN (8u << 20)
#define VCOPY_DIRECT_BUF (4u << 20)
#define VCOPY_DIRECT_ALIGN 4096u

static const char *const algo_names[VCOPY_NALGO] = {
	[VCOPY_XXH128] = "xxh128",
	[VCOPY_XXH3] = "xxh3",
	[VCOPY_XXH64] = "xxh64",
	[VCOPY_MD5] = "md5",
	[VCOPY_SHA1] = "sha1",
	[VCOPY_C4] = "c4",
	[VCOPY_SHA256] = "sha256",
};

struct vcopy_hasher {
	unsigned set;
	XXH3_state_t *x128;
	XXH3_state_t *x3;
	XXH64_state_t *x64;
	EVP_MD_CTX *md5;
	EVP_MD_CTX *sha1;
	EVP_MD_CTX *sha512;
	EVP_MD_CTX *sha256;
};

static void *
vc_alloc(size_t n)
{
	void *p = calloc(1, n);

	if (p == NULL)
		abort();
	return p;
}

static void
vc_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
vc_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

const char *
vcopy_algo_name(enum vcopy_algo a)
{
	return (unsigned)a < VCOPY_NALGO ? algo_names[a] : NULL;
}

int
vcopy_algo_parse(const char *name)
{
	int i;

	for (i = 0; i < VCOPY_NALGO; i++) {
		if (strcmp(algo_names[i], name) == 0)
			return i;
	}
	return -1;
}

int
vcopy_algos_parse(const char *list, unsigned *set, char *err, size_t errlen)
{
	char name[32];
	const char *p = list, *end;
	size_t n;
	int a;

	*set = 0;
	while (*p != '\0') {
		end = strchr(p, ',');
		n = end != NULL ? (size_t)(end - p) : strlen(p);
		if (n == 0 || n >= sizeof name) {
			vc_err(err, errlen, "'%s' is not a list of hashes such "
			    "as xxh128,md5", list);
			return -1;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((a = vcopy_algo_parse(name)) < 0) {
			vc_err(err, errlen, "unknown hash '%s'; use xxh128, "
			    "xxh3, xxh64, md5, sha1, sha256 or c4", name);
			return -1;
		}
		*set |= VCOPY_ALGO_BIT(a);
		p += n;
		if (*p == ',')
			p++;
	}
	if (*set == 0) {
		vc_err(err, errlen, "no hash named; use xxh128, xxh3, xxh64, "
		    "md5 or sha1");
		return -1;
	}
	return 0;
}

static void
hasher_reset(struct vcopy_hasher *h)
{
	if (h->x128 != NULL)
		XXH3_128bits_reset(h->x128);
	if (h->x3 != NULL)
		XXH3_64bits_reset(h->x3);
	if (h->x64 != NULL)
		XXH64_reset(h->x64, 0);
	if (h->md5 != NULL && !EVP_DigestInit_ex(h->md5, EVP_md5(), NULL))
		abort();
	if (h->sha1 != NULL && !EVP_DigestInit_ex(h->sha1, EVP_sha1(), NULL))
		abort();
	if (h->sha512 != NULL &&
	    !EVP_DigestInit_ex(h->sha512, EVP_sha512(), NULL))
		abort();
	if (h->sha256 != NULL &&
	    !EVP_DigestInit_ex(h->sha256, EVP_sha256(), NULL))
		abort();
}

struct vcopy_hasher *
vcopy_hasher_new(unsigned set)
{
	struct vcopy_hasher *h = vc_alloc(sizeof *h);

	h->set = set;
	if (set & VCOPY_ALGO_BIT(VCOPY_XXH128) &&
	    (h->x128 = XXH3_createState()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_XXH3) &&
	    (h->x3 = XXH3_createState()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_XXH64) &&
	    (h->x64 = XXH64_createState()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_MD5) &&
	    (h->md5 = EVP_MD_CTX_new()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_SHA1) &&
	    (h->sha1 = EVP_MD_CTX_new()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_C4) &&
	    (h->sha512 = EVP_MD_CTX_new()) == NULL)
		abort();
	if (set & VCOPY_ALGO_BIT(VCOPY_SHA256) &&
	    (h->sha256 = EVP_MD_CTX_new()) == NULL)
		abort();
	hasher_reset(h);
	return h;
}

void
vcopy_hasher_update(struct vcopy_hasher *h, const void *buf, size_t n)
{
	if (h->x128 != NULL)
		XXH3_128bits_update(h->x128, buf, n);
	if (h->x3 != NULL)
		XXH3_64bits_update(h->x3, buf, n);
	if (h->x64 != NULL)
		XXH64_update(h->x64, buf, n);
	if (h->md5 != NULL)
		EVP_DigestUpdate(h->md5, buf, n);
	if (h->sha1 != NULL)
		EVP_DigestUpdate(h->sha1, buf, n);
	if (h->sha512 != NULL)
		EVP_DigestUpdate(h->sha512, buf, n);
	if (h->sha256 != NULL)
		EVP_DigestUpdate(h->sha256, buf, n);
}

static void
to_hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Base58 (the Bitcoin alphabet) of the digest read as one big-endian
 * number, left-padded with '1' (zero) to 88 digits, after "c4". */
void
vcopy_c4_encode(const unsigned char sha512[64], char out[91])
{
	static const char alphabet[] =
	    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
	unsigned char num[64];
	char digits[88];
	int i, nd = 0, nonzero;

	memcpy(num, sha512, 64);
	for (;;) {
		unsigned rem = 0;

		nonzero = 0;
		for (i = 0; i < 64; i++) {
			unsigned cur = rem * 256 + num[i];

			num[i] = (unsigned char)(cur / 58);
			rem = cur % 58;
			if (num[i] != 0)
				nonzero = 1;
		}
		digits[nd++] = alphabet[rem];
		if (!nonzero || nd == 88)
			break;
	}
	out[0] = 'c';
	out[1] = '4';
	for (i = 0; i < 88 - nd; i++)
		out[2 + i] = '1';
	for (i = 0; i < nd; i++)
		out[2 + 88 - nd + i] = digits[nd - 1 - i];
	out[90] = '\0';
}

void
vcopy_hasher_final(struct vcopy_hasher *h, struct vcopy_hashes *out)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;

	memset(out, 0, sizeof *out);
	out->set = h->set;
	if (h->x128 != NULL) {
		XXH128_canonical_t c;

		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h->x128));
		to_hex(c.digest, sizeof c.digest, out->hex[VCOPY_XXH128]);
	}
	if (h->x3 != NULL) {
		XXH64_canonical_t c;

		XXH64_canonicalFromHash(&c, XXH3_64bits_digest(h->x3));
		to_hex(c.digest, sizeof c.digest, out->hex[VCOPY_XXH3]);
	}
	if (h->x64 != NULL) {
		XXH64_canonical_t c;

		XXH64_canonicalFromHash(&c, XXH64_digest(h->x64));
		to_hex(c.digest, sizeof c.digest, out->hex[VCOPY_XXH64]);
	}
	if (h->md5 != NULL) {
		EVP_DigestFinal_ex(h->md5, md, &mdlen);
		to_hex(md, mdlen, out->hex[VCOPY_MD5]);
	}
	if (h->sha1 != NULL) {
		EVP_DigestFinal_ex(h->sha1, md, &mdlen);
		to_hex(md, mdlen, out->hex[VCOPY_SHA1]);
	}
	if (h->sha512 != NULL) {
		EVP_DigestFinal_ex(h->sha512, md, &mdlen);
		vcopy_c4_encode(md, out->hex[VCOPY_C4]);
	}
	if (h->sha256 != NULL) {
		EVP_DigestFinal_ex(h->sha256, md, &mdlen);
		to_hex(md, mdlen, out->hex[VCOPY_SHA256]);
	}
	hasher_reset(h);
}

void
vcopy_hasher_free(struct vcopy_hasher *h)
{
	if (h == NULL)
		return;
	XXH3_freeState(h->x128);
	XXH3_freeState(h->x3);
	XXH64_freeState(h->x64);
	EVP_MD_CTX_free(h->md5);
	EVP_MD_CTX_free(h->sha1);
	EVP_MD_CTX_free(h->sha512);
	EVP_MD_CTX_free(h->sha256);
	free(h);
}

int
vcopy_hashes_equal(const struct vcopy_hashes *a, const struct vcopy_hashes *b)
{
	unsigned both = a->set & b->set;
	int i;

	if (both == 0)
		return 0;
	for (i = 0; i < VCOPY_NALGO; i++) {
		if ((both & VCOPY_ALGO_BIT(i)) &&
		    strcmp(a->hex[i], b->hex[i]) != 0)
			return 0;
	}
	return 1;
}

/* read() that retries on EINTR (a paused worker gets SIGSTOP/SIGCONT)
 * until len bytes, the end of the file, or (want < len) at least want
 * bytes: a file of known size needs no read that only finds its end. */
static ssize_t
read_upto(int fd, unsigned char *buf, size_t len, size_t want)
{
	size_t got = 0;
	ssize_t n;

	while (got < len && (got == 0 || got < want)) {
		n = read(fd, buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static ssize_t
read_full(int fd, unsigned char *buf, size_t len)
{
	return read_upto(fd, buf, len, len);
}

/* One read() of a file opened with O_DIRECT (*direct set). Where the
 * storage refuses it (a filesystem without direct I/O, an offset or length
 * it cannot align to, as after a short read), the file is read through the
 * page cache from the same place on, and *direct cleared. */
static ssize_t
read_direct(int fd, unsigned char *buf, size_t len, int *direct)
{
	ssize_t n;
	int fl;

	if ((n = read_upto(fd, buf, len, 1)) >= 0 || errno != EINVAL)
		return n;
	if ((fl = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, fl & ~O_DIRECT) < 0)
		return -1;
	*direct = 0;
	return read_full(fd, buf, len);
}

static int
write_full(int fd, const unsigned char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* vcopy_hash_file(); with nocache but not drop_first, the pages cached
 * now are trusted to have come from the storage (vcopy_prefetch() read
 * them there after dropping what the writer left). */
static int
hash_path(const char *path, unsigned set, int nocache, int drop_first,
    struct vcopy_hashes *out, uint64_t *size, int (*cancelled)(void *arg),
    void *arg, char *err, size_t errlen)
{
	struct vcopy_hasher *h = NULL;
	unsigned char *buf = NULL;
	size_t bufsize = VCOPY_DEFAULT_BUF;
	uint64_t total = 0, dropped = 0;
	struct stat st;
	ssize_t n;
	int fd, rc = 0;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rc = -errno;
		vc_err(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		return rc;
	}
	if (nocache && drop_first)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	h = vcopy_hasher_new(set);
	if (fstat(fd, &st) == 0 && (uint64_t)st.st_size + 4096 < bufsize)
		bufsize = (size_t)st.st_size + 4096;
	if ((buf = malloc(bufsize)) == NULL)
		abort();
	for (;;) {
		if (cancelled != NULL && cancelled(arg)) {
			rc = -ECANCELED;
			vc_err(err, errlen, "cancelled while reading %s", path);
			goto out;
		}
		if ((n = read_full(fd, buf, bufsize)) < 0) {
			rc = -errno;
			vc_err(err, errlen, "cannot read %s at byte %llu: %s",
			    path, (unsigned long long)total, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		vcopy_hasher_update(h, buf, (size_t)n);
		total += (uint64_t)n;
		if (nocache && total - dropped >= VCOPY_DROP_EVERY) {
			posix_fadvise(fd, 0, (off_t)total,
			    POSIX_FADV_DONTNEED);
			dropped = total;
		}
	}
	vcopy_hasher_final(h, out);
	if (size != NULL)
		*size = total;
out:
	if (nocache)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	free(buf);
	vcopy_hasher_free(h);
	return rc;
}

int
vcopy_hash_file(const char *path, unsigned set, int nocache,
    struct vcopy_hashes *out, uint64_t *size, int (*cancelled)(void *arg),
    void *arg, char *err, size_t errlen)
{
	return hash_path(path, set, nocache, 1, out, size, cancelled, arg,
	    err, errlen);
}

int
vcopy_mkdirs(const char *path, int include_last, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	size_t len;
	char *p;

	if (strlen(path) >= sizeof buf) {
		vc_err(err, errlen, "path %s is too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(buf, path, strlen(path) + 1);
	len = strlen(buf);
	if (!include_last) {
		while (len > 0 && buf[len - 1] != '/')
			len--;
		buf[len] = '\0';
	}
	for (p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;

			*p = '\0';
			if (buf[0] != '\0' && mkdir(buf, 0775) != 0 &&
			    errno != EEXIST) {
				int e = errno;

				vc_err(err, errlen, "cannot create folder %s: "
				    "%s", buf, strerror(e));
				return -e;
			}
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

/* ".NAME.mcr.part" beside path. */
static int
part_name(const char *path, char *out, size_t len)
{
	const char *slash = strrchr(path, '/');
	int n;

	if (slash == NULL)
		n = snprintf(out, len, ".%s.mcr.part", path);
	else
		n = snprintf(out, len, "%.*s/.%s.mcr.part",
		    (int)(slash - path), path, slash + 1);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static void
fsync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd;

	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == path)
		snprintf(dir, sizeof dir, "/");
	else
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Renames part to final, never replacing a file that is there. */
static int
rename_noreplace(const char *part, const char *final)
{
	if (renameat2(AT_FDCWD, part, AT_FDCWD, final, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* A filesystem without RENAME_NOREPLACE: link refuses too. */
	if (link(part, final) != 0)
		return -1;
	unlink(part);
	return 0;
}


unsigned
vcopy_fastest(unsigned set)
{
	static const enum vcopy_algo order[] = { VCOPY_XXH128, VCOPY_XXH3,
	    VCOPY_XXH64, VCOPY_SHA1, VCOPY_MD5, VCOPY_SHA256, VCOPY_C4 };
	size_t i;

	for (i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (set & VCOPY_ALGO_BIT(order[i]))
			return VCOPY_ALGO_BIT(order[i]);
	}
	return 0;
}

static int
all_zero(const unsigned char *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

struct dest_state {
	const char *path;
	char part[PATH_MAX];
	int fd;			/* the .part being written; -1 otherwise */
	int existing;		/* the final name exists already */
	int made_part;
};

/* Writes buf to a destination, leaving holes where a sparse source has
 * whole zero blocks. */
static int
dest_write(struct dest_state *d, const unsigned char *buf, size_t n,
    int sparse)
{
	const size_t blk = 64 * 1024;
	size_t off = 0, len;

	if (!sparse)
		return write_full(d->fd, buf, n);
	while (off < n) {
		len = n - off < blk ? n - off : blk;
		if (all_zero(buf + off, len)) {
			if (lseek(d->fd, (off_t)len, SEEK_CUR) < 0)
				return -1;
		} else if (write_full(d->fd, buf + off, len) < 0) {
			return -1;
		}
		off += len;
	}
	return 0;
}

static const char *
errno_advice(int e)
{
	switch (e) {
	case ENOSPC:
	case EDQUOT:
		return "; free space there or choose another volume";
	case EIO:
	case ENODEV:
	case ENXIO:
		return "; check that the card or drive is still connected";
	case EACCES:
	case EPERM:
		return "; check the file's permissions";
	default:
		return "";
	}
}

/* The end of a copy whose .part files are written and durable: read
 * each back (verify=destination), let vet() judge one, rename them into
 * place. Returns 0 with res->status and res->dest[] filled; or -1 with
 * res->err: on a refusal with every part handed over in part_path
 * (made_part cleared, status REFUSED), otherwise with the parts still
 * marked made_part for the caller to remove. */
static int
finish_parts(const char *src, struct dest_state *d, size_t ndest,
    const struct vcopy_opts *opts, struct vcopy_result *res)
{
	unsigned valgo = vcopy_fastest(opts->algos);
	int a = __builtin_ctz(valgo), e, rc;
	size_t i;

	if (opts->verify == VCOPY_VERIFY_DEST) {
		for (i = 0; i < ndest; i++) {
			struct vcopy_dest_result *r = &res->dest[i];

			if (!d[i].made_part)
				continue;
			rc = hash_path(d[i].part, valgo, 1, !r->prefetched,
			    &r->found, NULL, opts->cancelled, opts->arg,
			    res->err, sizeof res->err);
			if (rc < 0) {
				if (rc == -ECANCELED)
					res->status = VCOPY_CANCELLED;
				return -1;
			}
			if (opts->progress != NULL)
				opts->progress(opts->arg, res->size, "verify",
				    i);
			if (!vcopy_hashes_equal(&r->found, &res->hashes)) {
				vc_err(res->err, sizeof res->err, "the copy of "
				    "%s at %s read back differently from the "
				    "source (%s %s, source %s); the storage may "
				    "be failing", src, d[i].path, algo_names[a],
				    r->found.hex[a], res->hashes.hex[a]);
				return -1;
			}
		}
	}

	if (opts->vet != NULL) {
		for (i = 0; i < ndest; i++) {
			char why[512];
			size_t j;

			if (!d[i].made_part)
				continue;
			if (opts->vet(opts->arg, d[i].part, &res->hashes,
			    why, sizeof why) == 0)
				break;	/* one copy vetted is all vetted */
			for (j = 0; j < ndest; j++) {
				res->dest[j].status = VCOPY_REFUSED;
				res->dest[j].part_path[0] = '\0';
				if (d[j].made_part)
					snprintf(res->dest[j].part_path,
					    sizeof res->dest[j].part_path,
					    "%s", d[j].part);
				d[j].made_part = 0;
			}
			res->status = VCOPY_REFUSED;
			vc_err(res->err, sizeof res->err, "%s", why);
			return -1;
		}
	}

	for (i = 0; i < ndest; i++) {
		if (!d[i].made_part)
			continue;
		if (rename_noreplace(d[i].part, d[i].path) != 0) {
			e = errno;
			if (e == EEXIST)
				res->dest[i].status = VCOPY_CONFLICT;
			vc_err(res->err, sizeof res->err, "cannot put %s in "
			    "place: %s%s", d[i].path, strerror(e),
			    e == EEXIST ? " (a file of that name appeared "
			    "during the copy; it was left untouched)" : "");
			return -1;
		}
		d[i].made_part = 0;
		res->dest[i].part_path[0] = '\0';
		if (!opts->defer_dirsync)
			fsync_dir_of(d[i].path);
		res->dest[i].status = VCOPY_COPIED;
		if (opts->verify == VCOPY_VERIFY_DEST) {
			struct timeval tv;

			gettimeofday(&tv, NULL);
			res->dest[i].verified_us = (int64_t)tv.tv_sec *
			    1000000 + tv.tv_usec;
		}
	}
	res->status = VCOPY_IDENTICAL;
	for (i = 0; i < ndest; i++) {
		if (res->dest[i].status == VCOPY_COPIED)
			res->status = VCOPY_COPIED;
	}
	res->err[0] = '\0';
	return 0;
}

int
vcopy_file(const char *src, const char *const *dest, size_t ndest,
    const struct vcopy_opts *opts, struct vcopy_result *res)
{
	struct dest_state d[VCOPY_MAX_DEST];
	struct vcopy_hasher *h = NULL;
	unsigned char *buf = NULL;
	size_t bufsize = opts->bufsize != 0 ? opts->bufsize : VCOPY_DEFAULT_BUF;
	struct stat st, st2, lst;
	struct timespec times[2];
	uint64_t total = 0, left;
	unsigned valgo;
	int sfd = -1, sparse, e, fl, direct = 0;
	size_t i;
	ssize_t n;

	/* Only what is used: a result spans all VCOPY_MAX_DEST paths
	 * (40 KiB), and a small file takes microseconds. */
	memset(res, 0, vcopy_result_size(ndest <= VCOPY_MAX_DEST ? ndest :
	    0));
	res->ndest = ndest;
	res->status = VCOPY_FAILED;
	if (ndest == 0 || ndest > VCOPY_MAX_DEST || opts->algos == 0) {
		vc_err(res->err, sizeof res->err, "a copy needs 1 to %d "
		    "destinations and at least one hash", VCOPY_MAX_DEST);
		return -1;
	}
	for (i = 0; i < ndest; i++) {
		d[i].path = dest[i];
		d[i].fd = -1;
		d[i].existing = 0;
		d[i].made_part = 0;
		res->dest[i].status = VCOPY_FAILED;
	}

	if ((sfd = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		e = errno;
		if (e == ELOOP)
			vc_err(res->err, sizeof res->err, "%s is a symbolic "
			    "link; copy what it points to instead", src);
		else
			vc_err(res->err, sizeof res->err, "cannot open %s: "
			    "%s%s", src, strerror(e), errno_advice(e));
		goto fail;
	}
	if (fstat(sfd, &st) != 0 || !S_ISREG(st.st_mode)) {
		vc_err(res->err, sizeof res->err, "%s is not a regular file",
		    src);
		goto fail;
	}
	res->mtime_ns = (int64_t)st.st_mtim.tv_sec * 1000000000 +
	    st.st_mtim.tv_nsec;
	sparse = st.st_size > 0 &&
	    (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size;
	valgo = vcopy_fastest(opts->algos);

	/* What is at each destination already: nothing (write a .part),
	 * a file of another size (conflict) or one to hash and judge. */
	for (i = 0; i < ndest; i++) {
		if (lstat(d[i].path, &lst) == 0) {
			if (!S_ISREG(lst.st_mode) ||
			    lst.st_size != st.st_size) {
				res->dest[i].status = VCOPY_CONFLICT;
				vc_err(res->err, sizeof res->err, "%s exists "
				    "and differs from %s (%s); it was left "
				    "untouched", d[i].path, src,
				    S_ISREG(lst.st_mode) ? "another size" :
				    "not a regular file");
				goto fail;
			}
			if (vcopy_hash_file(d[i].path, opts->algos, 1,
			    &res->dest[i].found, NULL, opts->cancelled,
			    opts->arg, res->err, sizeof res->err) < 0)
				goto fail;
			d[i].existing = 1;
			continue;
		}
		if (part_name(d[i].path, d[i].part, sizeof d[i].part) < 0) {
			vc_err(res->err, sizeof res->err, "destination path "
			    "%s is too long", d[i].path);
			goto fail;
		}
		d[i].fd = open(d[i].part, O_WRONLY | O_CREAT | O_EXCL |
		    O_CLOEXEC | O_NOFOLLOW, 0644);
		if (d[i].fd < 0 && errno == EEXIST) {
			/* A .part of ours left by a crash is never a
			 * finished file. */
			unlink(d[i].part);
			d[i].fd = open(d[i].part, O_WRONLY | O_CREAT |
			    O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
		}
		if (d[i].fd < 0) {
			e = errno;
			vc_err(res->err, sizeof res->err, "cannot create %s: "
			    "%s%s", d[i].part, strerror(e), errno_advice(e));
			goto fail;
		}
		d[i].made_part = 1;
		/* Claim the space of a large file up front: a full volume
		 * says so before a byte is copied (a small file's write
		 * says so at once anyway). */
		if (!sparse && st.st_size >= (1 << 20) &&
		    (e = posix_fallocate(d[i].fd, 0, st.st_size)) != 0 &&
		    e != EOPNOTSUPP && e != EINVAL) {
			vc_err(res->err, sizeof res->err, "cannot write %s: "
			    "%s%s", d[i].path, strerror(e), errno_advice(e));
			goto fail;
		}
	}

	h = vcopy_hasher_new(opts->algos);
	/* A small file needs no full buffer (one read past its end
	 * finds EOF, or that it grew), nor a hint that it is read in
	 * order; a large one is read past the page cache where it can be. */
	if ((uint64_t)st.st_size + 4096 < bufsize)
		bufsize = (size_t)st.st_size + 4096;
	else if (st.st_size >= VCOPY_DIRECT_MIN &&
	    (fl = fcntl(sfd, F_GETFL)) >= 0 &&
	    fcntl(sfd, F_SETFL, fl | O_DIRECT) == 0) {
		direct = 1;
		if (opts->bufsize == 0)
			bufsize = VCOPY_DIRECT_BUF;
	} else
		posix_fadvise(sfd, 0, 0, POSIX_FADV_SEQUENTIAL);
	bufsize = (bufsize + VCOPY_DIRECT_ALIGN - 1) &
	    ~(size_t)(VCOPY_DIRECT_ALIGN - 1);
	if ((buf = aligned_alloc(VCOPY_DIRECT_ALIGN, bufsize)) == NULL)
		abort();
	for (;;) {
		if (opts->cancelled != NULL && opts->cancelled(opts->arg)) {
			res->status = VCOPY_CANCELLED;
			vc_err(res->err, sizeof res->err, "cancelled while "
			    "copying %s", src);
			goto fail;
		}
		left = total < (uint64_t)st.st_size ?
		    (uint64_t)st.st_size - total : 0;
		if ((n = direct ? read_direct(sfd, buf, bufsize, &direct) :
		    read_upto(sfd, buf, bufsize, left > 0 && left < bufsize ?
		    (size_t)left : bufsize)) < 0) {
			e = errno;
			vc_err(res->err, sizeof res->err, "cannot read %s at "
			    "byte %llu of %lld: %s%s", src,
			    (unsigned long long)total, (long long)st.st_size,
			    strerror(e), errno_advice(e));
			goto fail;
		}
		if (n == 0)
			break;
		vcopy_hasher_update(h, buf, (size_t)n);
		for (i = 0; i < ndest; i++) {
			if (d[i].fd < 0)
				continue;
			if (dest_write(&d[i], buf, (size_t)n, sparse) < 0) {
				e = errno;
				vc_err(res->err, sizeof res->err, "cannot "
				    "write %s: %s%s", d[i].path, strerror(e),
				    errno_advice(e));
				goto fail;
			}
		}
		total += (uint64_t)n;
		if (opts->progress != NULL)
			opts->progress(opts->arg, (uint64_t)n, "copy", 0);
		/* All of it: no read that only finds the end (the fstat()
		 * below tells a file that grew). */
		if (total == (uint64_t)st.st_size)
			break;
	}
	vcopy_hasher_final(h, &res->hashes);
	res->size = total;

	/* A source that ended early, grew, was rewritten or replaced while
	 * it was read is not the file we were asked to copy. */
	if (fstat(sfd, &st2) != 0 || total != (uint64_t)st.st_size ||
	    st2.st_size != st.st_size ||
	    st2.st_mtim.tv_sec != st.st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st.st_mtim.tv_nsec) {
		vc_err(res->err, sizeof res->err, "%s changed while it was "
		    "read (%llu bytes read, %lld expected, now %lld): was the "
		    "card pulled or the file still being written? Ingest it "
		    "again once it is complete", src,
		    (unsigned long long)total, (long long)st.st_size,
		    (long long)st2.st_size);
		goto fail;
	}
	if (lstat(src, &lst) != 0 || lst.st_ino != st.st_ino ||
	    lst.st_dev != st.st_dev) {
		vc_err(res->err, sizeof res->err, "%s vanished or was replaced "
		    "while it was copied; check the source and ingest it "
		    "again", src);
		goto fail;
	}

	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	for (i = 0; i < ndest; i++) {
		if (d[i].fd < 0)
			continue;
		/* A staged copy is made durable later, by one syncfs() for
		 * the whole batch (vcopy_syncer_sync()). */
		if ((sparse && ftruncate(d[i].fd, st.st_size) != 0) ||
		    (!opts->stage && fsync(d[i].fd) != 0) ||
		    futimens(d[i].fd, times) != 0) {
			e = errno;
			vc_err(res->err, sizeof res->err, "cannot write %s: "
			    "%s%s", d[i].path, strerror(e), errno_advice(e));
			goto fail;
		}
		if (!opts->stage)
			posix_fadvise(d[i].fd, 0, 0, POSIX_FADV_DONTNEED);
		e = close(d[i].fd);
		d[i].fd = -1;
		if (e != 0) {
			e = errno;
			vc_err(res->err, sizeof res->err, "cannot write %s: "
			    "%s%s", d[i].path, strerror(e), errno_advice(e));
			goto fail;
		}
	}

	for (i = 0; i < ndest; i++) {
		struct vcopy_dest_result *r = &res->dest[i];

		if (!d[i].existing)
			continue;
		if (vcopy_hashes_equal(&r->found, &res->hashes)) {
			r->status = VCOPY_IDENTICAL;
			continue;
		}
		r->status = VCOPY_CONFLICT;
		vc_err(res->err, sizeof res->err, "%s exists with other "
		    "content than %s (%s %s there, %s in the source); "
		    "it was left untouched", d[i].path, src,
		    algo_names[__builtin_ctz(valgo)],
		    r->found.hex[__builtin_ctz(valgo)],
		    res->hashes.hex[__builtin_ctz(valgo)]);
		goto fail;
	}

	if (opts->stage) {
		int staged = 0;

		for (i = 0; i < ndest; i++) {
			if (!d[i].made_part)
				continue;
			res->dest[i].status = VCOPY_STAGED;
			snprintf(res->dest[i].part_path,
			    sizeof res->dest[i].part_path, "%s", d[i].part);
			d[i].made_part = 0;
			staged = 1;
		}
		if (staged) {
			res->status = VCOPY_STAGED;
			res->err[0] = '\0';
			close(sfd);
			free(buf);
			vcopy_hasher_free(h);
			return 0;
		}
	}

	if (finish_parts(src, d, ndest, opts, res) < 0) {
		if (res->status == VCOPY_REFUSED)
			goto out;
		goto fail;
	}
	close(sfd);
	free(buf);
	vcopy_hasher_free(h);
	return 0;

fail:
	if (res->status != VCOPY_CANCELLED)
		res->status = VCOPY_FAILED;
	for (i = 0; i < ndest; i++) {
		if (res->dest[i].status == VCOPY_CONFLICT)
			res->status = VCOPY_CONFLICT;
	}
out:
	for (i = 0; i < ndest; i++) {
		if (d[i].fd >= 0)
			close(d[i].fd);
		if (d[i].made_part)
			unlink(d[i].part);
	}
	if (sfd >= 0)
		close(sfd);
	free(buf);
	vcopy_hasher_free(h);
	return -1;
}

int
vcopy_in_folder(const char *path, const char *dir)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash != NULL ? (size_t)(slash - path) : 0;

	return dir[0] != '\0' && strlen(dir) == n && memcmp(path, dir, n) == 0;
}

void
vcopy_keep_folder(char *dir, size_t size, const char *path)
{
	const char *slash = strrchr(path, '/');

	snprintf(dir, size, "%.*s", slash != NULL ? (int)(slash - path) : 0,
	    path);
}

/* --- batches of small files: stage, one syncfs, prefetch, commit --- */

void
vcopy_result_copy(struct vcopy_result *to, const struct vcopy_result *from)
{
	memcpy(to, from, vcopy_result_size(from->ndest <= VCOPY_MAX_DEST ?
	    from->ndest : 0));
}

void
vcopy_prefetch(struct vcopy_result *res)
{
	size_t i;
	int fd;

	for (i = 0; i < res->ndest; i++) {
		struct vcopy_dest_result *r = &res->dest[i];

		if (r->status != VCOPY_STAGED || r->prefetched)
			continue;
		if ((fd = open(r->part_path, O_RDONLY | O_NOFOLLOW |
		    O_CLOEXEC)) < 0)
			continue;
		/* Clean after the sync, so the drop takes every page; what
		 * WILLNEED then reads in comes from the storage. */
		if (posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED) == 0 &&
		    posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED) == 0)
			r->prefetched = 1;
		close(fd);
	}
}

int
vcopy_commit(const char *src, const char *const *dest,
    const struct vcopy_opts *opts, struct vcopy_result *res)
{
	struct dest_state d[VCOPY_MAX_DEST];
	size_t i;

	if (res->status != VCOPY_STAGED)
		return res->status == VCOPY_COPIED ||
		    res->status == VCOPY_IDENTICAL ? 0 : -1;
	for (i = 0; i < res->ndest; i++) {
		memset(&d[i], 0, sizeof d[i]);
		d[i].path = dest[i];
		d[i].fd = -1;
		if (res->dest[i].status == VCOPY_STAGED) {
			snprintf(d[i].part, sizeof d[i].part, "%s",
			    res->dest[i].part_path);
			d[i].made_part = 1;
		}
	}
	if (finish_parts(src, d, res->ndest, opts, res) == 0)
		return 0;
	if (res->status != VCOPY_REFUSED) {
		if (res->status != VCOPY_CANCELLED)
			res->status = VCOPY_FAILED;
		for (i = 0; i < res->ndest; i++) {
			if (res->dest[i].status == VCOPY_CONFLICT)
				res->status = VCOPY_CONFLICT;
			if (d[i].made_part)
				unlink(d[i].part);
		}
	}
	return -1;
}

void
vcopy_discard(struct vcopy_result *res)
{
	size_t i;

	for (i = 0; i < res->ndest; i++) {
		if (res->dest[i].status != VCOPY_STAGED)
			continue;
		unlink(res->dest[i].part_path);
		res->dest[i].part_path[0] = '\0';
		res->dest[i].status = VCOPY_FAILED;
	}
	if (res->status == VCOPY_STAGED)
		res->status = VCOPY_FAILED;
}

struct vcopy_syncer {
	size_t n;
	int fd[VCOPY_MAX_DEST];
	char dir[VCOPY_MAX_DEST][PATH_MAX];
	/* the background sync (vcopy_syncer_start/wait) */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int has_thread;
	int asked;		/* a sync is asked for or running */
	int quit;
	int result;		/* of the last sync: 0 or -errno */
	char err[512];
};

struct vcopy_syncer *
vcopy_syncer_new(const char *const *dirs, size_t n, char *err,
    size_t errlen)
{
	struct vcopy_syncer *s = vc_alloc(sizeof *s);
	dev_t dev[VCOPY_MAX_DEST];
	struct stat st;
	size_t i, j;
	int fd;

	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (i = 0; i < n && i < VCOPY_MAX_DEST; i++) {
		if ((fd = open(dirs[i], O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
			int e = errno;

			vc_err(err, errlen, "cannot open %s: %s", dirs[i],
			    strerror(e));
			if (fd >= 0)
				close(fd);
			vcopy_syncer_free(s);
			return NULL;
		}
		for (j = 0; j < s->n && dev[j] != st.st_dev; j++)
			;
		if (j < s->n) {
			close(fd);
			continue;
		}
		dev[s->n] = st.st_dev;
		snprintf(s->dir[s->n], sizeof s->dir[0], "%s", dirs[i]);
		s->fd[s->n++] = fd;
	}
	return s;
}

int
vcopy_syncer_sync(struct vcopy_syncer *s, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (syncfs(s->fd[i]) != 0) {
			int e = errno;

			vc_err(err, errlen, "the storage under %s could not "
			    "write what was copied there: %s%s", s->dir[i],
			    strerror(e), errno_advice(e));
			return -e;
		}
	}
	return 0;
}

static void *
syncer_main(void *p)
{
	struct vcopy_syncer *s = p;
	char err[sizeof s->err];
	int rc;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (!s->asked && !s->quit)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->quit)
			break;
		pthread_mutex_unlock(&s->mu);
		err[0] = '\0';
		rc = vcopy_syncer_sync(s, err, sizeof err);
		pthread_mutex_lock(&s->mu);
		s->result = rc;
		memcpy(s->err, err, sizeof err);
		s->asked = 0;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

void
vcopy_syncer_start(struct vcopy_syncer *s)
{
	pthread_mutex_lock(&s->mu);
	if (!s->has_thread && pthread_create(&s->thread, NULL, syncer_main,
	    s) == 0) {
		pthread_setname_np(s->thread, "mcr-sync");
		s->has_thread = 1;
	}
	if (!s->has_thread) {
		/* No thread: the same sync, here and now. */
		pthread_mutex_unlock(&s->mu);
		s->result = vcopy_syncer_sync(s, s->err, sizeof s->err);
		return;
	}
	s->asked = 1;
	s->result = 0;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

int
vcopy_syncer_wait(struct vcopy_syncer *s, char *err, size_t errlen)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	while (s->asked)
		pthread_cond_wait(&s->cv, &s->mu);
	rc = s->result;
	if (rc < 0)
		vc_err(err, errlen, "%s", s->err);
	s->result = 0;
	pthread_mutex_unlock(&s->mu);
	return rc;
}

void
vcopy_syncer_free(struct vcopy_syncer *s)
{
	size_t i;

	if (s == NULL)
		return;
	if (s->has_thread) {
		pthread_mutex_lock(&s->mu);
		while (s->asked)
			pthread_cond_wait(&s->cv, &s->mu);
		s->quit = 1;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
	}
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	for (i = 0; i < s->n; i++)
		close(s->fd[i]);
	free(s);
}

void
vcopy_readahead(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		return;
	posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
	close(fd);
}

/* --- the read-ahead threads --- */

/* Opening a file whose inode is not cached waits for the storage, one
 * file after another in a single thread: a few threads keep several of
 * those reads in flight, as the storage (a RAID, a SAN, a virtual disk)
 * serves them best. They mostly wait, so they cost little CPU. */
#define AHEAD_THREADS 4

struct vcopy_ahead {
	pthread_t thread[AHEAD_THREADS];
	size_t nthreads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	const char *(*path)(void *arg, size_t i, uint64_t *size);
	void *arg;
	size_t n, window;
	uint64_t max_bytes;
	size_t at;		/* the item the copy is at */
	size_t next;		/* the next item to ask for */
	uint64_t bytes;		/* asked for between at and next */
	int waiting;		/* a thread waits for the copy */
	int stop;
};

static void *
ahead_main(void *p)
{
	struct vcopy_ahead *a = p;
	const char *path;
	uint64_t size;
	size_t i;

	pthread_mutex_lock(&a->mu);
	while (!a->stop && a->next < a->n) {
		if (a->next >= a->at + a->window || a->bytes >= a->max_bytes) {
			/* Woken once a quarter of the window is free, not
			 * at every file. */
			a->waiting = 1;
			pthread_cond_wait(&a->cv, &a->mu);
			continue;
		}
		i = a->next++;
		pthread_mutex_unlock(&a->mu);
		size = 0;
		if ((path = a->path(a->arg, i, &size)) != NULL)
			vcopy_readahead(path);
		pthread_mutex_lock(&a->mu);
		/* Counted only while the copy has not passed it. */
		if (path != NULL && i >= a->at)
			a->bytes += size;
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

struct vcopy_ahead *
vcopy_ahead_start(const char *(*path)(void *arg, size_t i, uint64_t *size),
    void *arg, size_t n, size_t window, uint64_t max_bytes)
{
	struct vcopy_ahead *a = calloc(1, sizeof *a);

	if (a == NULL)
		return NULL;
	a->path = path;
	a->arg = arg;
	a->n = n;
	a->window = window;
	a->max_bytes = max_bytes;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	while (a->nthreads < AHEAD_THREADS && pthread_create(
	    &a->thread[a->nthreads], NULL, ahead_main, a) == 0)
		pthread_setname_np(a->thread[a->nthreads++], "mcr-readahead");
	if (a->nthreads == 0) {
		pthread_mutex_destroy(&a->mu);
		pthread_cond_destroy(&a->cv);
		free(a);
		return NULL;
	}
	return a;
}

void
vcopy_ahead_at(struct vcopy_ahead *a, size_t i)
{
	uint64_t size;
	size_t k;

	/* Busy with a reader: the next file's call tells the same. */
	if (a == NULL || pthread_mutex_trylock(&a->mu) != 0)
		return;
	for (k = a->at; k < i && k < a->next; k++) {
		size = 0;
		if (a->path(a->arg, k, &size) != NULL)
			a->bytes -= size < a->bytes ? size : a->bytes;
	}
	if (i > a->at)
		a->at = i;
	if (a->next < a->at) {
		a->next = a->at;
		a->bytes = 0;
	}
	if (a->waiting && a->next + a->window / 4 <= a->at + a->window &&
	    a->bytes <= a->max_bytes - a->max_bytes / 4) {
		a->waiting = 0;
		pthread_cond_broadcast(&a->cv);
	}
	pthread_mutex_unlock(&a->mu);
}

void
vcopy_ahead_stop(struct vcopy_ahead *a)
{
	size_t i;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	for (i = 0; i < a->nthreads; i++)
		pthread_join(a->thread[i], NULL);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	free(a);
}
