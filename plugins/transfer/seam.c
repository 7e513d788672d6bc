/*
 * seam: hashing, the local copy and the sum-file manifests of the transfer
 * plugin (see seam.h for what the merge replaces). Hashes are computed in
 * the same read that feeds the copy: libxxhash's streaming XXH3-128 and
 * XXH64, and libcrypto's MD5 through EVP.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#include "seam.h"

#define TX_BUF (1024 * 1024)

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

struct hasher {
	int want;
	EVP_MD_CTX *md5;
	XXH3_state_t *x128;
	XXH64_state_t *x64;
};

static int
hasher_init(struct hasher *hs, int want)
{
	memset(hs, 0, sizeof *hs);
	hs->want = want;
	if (want & TX_MD5) {
		hs->md5 = EVP_MD_CTX_new();
		if (hs->md5 == NULL ||
		    EVP_DigestInit_ex(hs->md5, EVP_md5(), NULL) != 1)
			return -1;
	}
	if (want & TX_XXH128) {
		hs->x128 = XXH3_createState();
		if (hs->x128 == NULL || XXH3_128bits_reset(hs->x128) != XXH_OK)
			return -1;
	}
	if (want & TX_XXH64) {
		hs->x64 = XXH64_createState();
		if (hs->x64 == NULL || XXH64_reset(hs->x64, 0) != XXH_OK)
			return -1;
	}
	return 0;
}

static void
hasher_update(struct hasher *hs, const void *buf, size_t n)
{
	if (hs->md5 != NULL)
		EVP_DigestUpdate(hs->md5, buf, n);
	if (hs->x128 != NULL)
		XXH3_128bits_update(hs->x128, buf, n);
	if (hs->x64 != NULL)
		XXH64_update(hs->x64, buf, n);
}

static void
hasher_final(struct hasher *hs, struct tx_hashes *h)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;

	if (hs->md5 != NULL && EVP_DigestFinal_ex(hs->md5, md, &mdlen) == 1) {
		hex(md, mdlen, h->md5);
		h->have |= TX_MD5;
	}
	if (hs->x128 != NULL) {
		XXH128_canonical_t c;

		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(hs->x128));
		hex(c.digest, sizeof c.digest, h->xxh128);
		h->have |= TX_XXH128;
	}
	if (hs->x64 != NULL) {
		XXH64_canonical_t c;

		XXH64_canonicalFromHash(&c, XXH64_digest(hs->x64));
		hex(c.digest, sizeof c.digest, h->xxh64);
		h->have |= TX_XXH64;
	}
}

static void
hasher_free(struct hasher *hs)
{
	EVP_MD_CTX_free(hs->md5);
	if (hs->x128 != NULL)
		XXH3_freeState(hs->x128);
	if (hs->x64 != NULL)
		XXH64_freeState(hs->x64);
}

int
tx_hash_file(const char *path, int want, struct tx_hashes *h,
    tx_progress_fn cb, void *arg, char *err, size_t errlen)
{
	struct hasher hs;
	unsigned char *buf = NULL;
	double t0 = now_s();
	ssize_t r;
	int fd, rc = -1;

	memset(h, 0, sizeof *h);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
		return -1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (hasher_init(&hs, want) < 0 || (buf = malloc(TX_BUF)) == NULL) {
		snprintf(err, errlen, "out of memory hashing %s", path);
		goto out;
	}
	while ((r = read(fd, buf, TX_BUF)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", path,
			    strerror(errno));
			goto out;
		}
		hasher_update(&hs, buf, (size_t)r);
		h->size += (uint64_t)r;
		if (cb != NULL && cb(arg, h->size)) {
			rc = 1;
			goto out;
		}
	}
	hasher_final(&hs, h);
	h->seconds = now_s() - t0;
	rc = 0;
out:
	hasher_free(&hs);
	free(buf);
	close(fd);
	return rc;
}

static int
mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return 0;
}

static int
write_all(int fd, const unsigned char *b, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, b, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

int
tx_local_copy(const char *src, const char *dst, struct tx_hashes *h,
    double *verify_seconds, tx_progress_fn cb, void *arg, char *err,
    size_t errlen)
{
	struct hasher hs;
	struct tx_hashes back;
	unsigned char *buf = NULL;
	char *part = NULL, *dcopy = NULL;
	double t0 = now_s();
	struct stat st;
	ssize_t r;
	int in = -1, out = -1, dfd, rc = -1;
	size_t len;

	memset(h, 0, sizeof *h);
	memset(&hs, 0, sizeof hs);
	*verify_seconds = 0;
	len = strlen(dst) + sizeof ".part";
	part = malloc(len);
	dcopy = strdup(dst);
	buf = malloc(TX_BUF);
	if (part == NULL || dcopy == NULL || buf == NULL ||
	    hasher_init(&hs, TX_MD5 | TX_XXH128) < 0) {
		snprintf(err, errlen, "out of memory copying %s", src);
		goto out;
	}
	snprintf(part, len, "%s.part", dst);
	if ((in = open(src, O_RDONLY | O_CLOEXEC)) < 0 || fstat(in, &st) < 0) {
		snprintf(err, errlen, "cannot read %s: %s", src,
		    strerror(errno));
		goto out;
	}
	posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
	if (mkdirs(dcopy) < 0 || (out = open(part, O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644)) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", part,
		    strerror(errno));
		goto out;
	}
	while ((r = read(in, buf, TX_BUF)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot read %s: %s", src,
			    strerror(errno));
			goto fail;
		}
		hasher_update(&hs, buf, (size_t)r);
		if (write_all(out, buf, (size_t)r) < 0) {
			snprintf(err, errlen, "cannot write %s: %s", part,
			    strerror(errno));
			goto fail;
		}
		h->size += (uint64_t)r;
		if (cb != NULL && cb(arg, h->size)) {
			rc = 1;
			goto out;
		}
	}
	if (fsync(out) < 0 || close(out) < 0) {
		out = -1;
		snprintf(err, errlen, "cannot flush %s to disk: %s", part,
		    strerror(errno));
		goto fail;
	}
	out = -1;
	hasher_final(&hs, h);
	h->seconds = now_s() - t0;
	/* Read back what the disk holds, not what the page cache says we
	 * wrote, as far as the kernel lets an unprivileged reader. */
	if ((dfd = open(part, O_RDONLY | O_CLOEXEC)) >= 0) {
		posix_fadvise(dfd, 0, 0, POSIX_FADV_DONTNEED);
		close(dfd);
	}
	if (tx_hash_file(part, TX_XXH128, &back, NULL, NULL, err,
	    errlen) != 0)
		goto fail;
	*verify_seconds = back.seconds;
	if (back.size != h->size || strcmp(back.xxh128, h->xxh128) != 0) {
		snprintf(err, errlen, "the copy %s reads back differently "
		    "from %s (xxh128 %s, want %s); the storage may be failing",
		    part, src, back.xxh128, h->xxh128);
		goto fail;
	}
	if (rename(part, dst) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", part, dst,
		    strerror(errno));
		goto fail;
	}
	if ((dfd = open(dirname(dcopy), O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) >= 0) {
		fsync(dfd);
		close(dfd);
	}
	rc = 0;
	goto out;
fail:
	unlink(part);
out:
	if (out >= 0)
		close(out);
	if (in >= 0)
		close(in);
	hasher_free(&hs);
	free(buf);
	free(part);
	free(dcopy);
	return rc;
}

static int
write_sums(const char *path, const struct tx_manifest_entry *e, size_t n,
    int algo, char *err, size_t errlen)
{
	FILE *f;
	size_t i;
	int bad;

	if ((f = fopen(path, "w")) == NULL) {
		snprintf(err, errlen, "cannot write the manifest %s: %s", path,
		    strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(f, "%s  %s\n", algo == TX_MD5 ? e[i].h->md5 :
		    e[i].h->xxh128, e[i].rel);
	bad = ferror(f);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0)
		bad = 1;
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write the manifest %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int
tx_manifest_write(const char *dir, const char *base,
    const struct tx_manifest_entry *e, size_t n, char *names[2], char *err,
    size_t errlen)
{
	static const char *const ext[2] = { "xxh128", "md5" };
	static const int algo[2] = { TX_XXH128, TX_MD5 };
	char path[4096];
	int i;

	names[0] = names[1] = NULL;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "%s/%s.%s", dir, base, ext[i]);
		if (write_sums(path, e, n, algo[i], err, errlen) < 0)
			return -1;
		names[i] = strdup(path);
		if (names[i] == NULL)
			abort();
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

static int
ext_algo(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return 0;
	if (strcasecmp(dot, ".md5") == 0)
		return TX_MD5;
	if (strcasecmp(dot, ".xxh128") == 0 || strcasecmp(dot, ".xxh3") == 0)
		return TX_XXH128;
	if (strcasecmp(dot, ".xxh64") == 0 || strcasecmp(dot, ".xxh") == 0)
		return TX_XXH64;
	return 0;
}

int
tx_sums_read(const char *path, struct tx_sum **sums, size_t *n, char *err,
    size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *name, *hexs;
	size_t cap = 0, hl, i;
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
		algo = 0;
		if (strncmp(line, "MD5 (", 5) == 0)
			algo = TX_MD5;
		else if (strncmp(line, "XXH128 (", 8) == 0)
			algo = TX_XXH128;
		else if (strncmp(line, "XXH64 (", 7) == 0)
			algo = TX_XXH64;
		if (algo != 0) {
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
				algo = TX_XXH64;
			else if (hl == 32) {
				algo = ext_algo(path);
				if (algo == 0 || algo == TX_XXH64) {
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
		if ((algo == TX_XXH64 ? hl != 16 : hl != 32) ||
		    !all_hex(hexs, hl) || *name == '\0')
			goto bad;
		*sums = realloc(*sums, (*n + 1) * sizeof **sums);
		if (*sums == NULL)
			abort();
		(*sums)[*n].rel = strdup(name);
		(*sums)[*n].algo = algo;
		(*sums)[*n].line = lineno;
		for (i = 0; i <= hl; i++)
			(*sums)[*n].hex[i] = (char)((hexs[i] >= 'A' &&
			    hexs[i] <= 'F') ? hexs[i] + 32 : hexs[i]);
		(*n)++;
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
