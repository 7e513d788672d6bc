/*
 * seam: the three places where the transfer plugin touches file content
 * itself rather than through an engine: hashing what it sends (one read,
 * xxh128 + md5 + xxh64 as asked), the local/NAS copy, and the manifest it
 * writes and reads. At the merge with the shared verified-copy code
 * (src/vcopy.c) and the ASC MHL module (src/mhl.c), tx_local_copy() becomes
 * a call to vcopy and tx_manifest_write()/tx_sums_read() gain the ASC MHL
 * v2 writer and reader; nothing else in plugins/transfer reads a file's
 * bytes or writes a manifest.
 */
#ifndef MCR_TRANSFER_SEAM_H
#define MCR_TRANSFER_SEAM_H

#include <stddef.h>
#include <stdint.h>

enum { TX_MD5 = 1, TX_XXH128 = 2, TX_XXH64 = 4 };

struct tx_hashes {
	int have;		/* TX_* bits computed */
	char md5[33];
	char xxh128[33];
	char xxh64[17];
	uint64_t size;		/* bytes read */
	double seconds;		/* spent reading and hashing */
};

/* Called with the bytes done so far in this file; returns nonzero to stop
 * (the operator cancelled). */
typedef int (*tx_progress_fn)(void *arg, uint64_t done);

/* Hashes path with the algorithms in want, in one read. Returns 0, -1 with
 * one sentence in err, or 1 when cb asked to stop. */
int tx_hash_file(const char *path, int want, struct tx_hashes *h,
    tx_progress_fn cb, void *arg, char *err, size_t errlen);

/* The local/NAS copy (SEAM: becomes src/vcopy.c at the merge): reads src
 * once, hashing xxh128 and md5 as it writes dst.part, fsyncs it, reads it
 * back and compares the xxh128, then renames it to dst and fsyncs the
 * folder. Missing parent folders of dst are made. Returns 0, -1 with err
 * (no dst left behind, .part removed), or 1 when cb asked to stop (the
 * .part stays for the next attempt to overwrite). */
int tx_local_copy(const char *src, const char *dst, struct tx_hashes *h,
    double *verify_seconds, tx_progress_fn cb, void *arg, char *err,
    size_t errlen);

struct tx_manifest_entry {
	const char *rel;	/* relative POSIX path */
	const struct tx_hashes *h;
};

/* Writes the delivery's manifest into folder dir as base.xxh128 and
 * base.md5 (xxhsum -H2 and md5sum formats; SEAM: the ASC MHL v2 generation
 * from src/mhl.c joins them at the merge). The names written go to
 * names[0..1] (malloc'd). Returns 0 or -1 with err. */
int tx_manifest_write(const char *dir, const char *base,
    const struct tx_manifest_entry *e, size_t n, char *names[2], char *err,
    size_t errlen);

/* One line of a sum file. */
struct tx_sum {
	char *rel;
	int algo;		/* TX_MD5, TX_XXH128 or TX_XXH64 */
	char hex[33];
	int line;
};

/* Reads an md5sum / xxhsum file (GNU "HEX  NAME" or "HEX *NAME", or the
 * BSD "MD5 (NAME) = HEX", "XXH128 (NAME) = HEX", "XXH64 (NAME) = HEX"
 * forms). A GNU line's algorithm comes from its length, and for 32 hex
 * digits from the file's extension (.md5, .xxh128). Appends to *sums.
 * Returns 0 or -1 with err naming file:line. (SEAM: ASC MHL v2 reading
 * comes with src/mhl.c.) */
int tx_sums_read(const char *path, struct tx_sum **sums, size_t *n,
    char *err, size_t errlen);

#endif
