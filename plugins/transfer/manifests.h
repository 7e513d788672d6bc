/*
 * manifests: the sender's manifests that transfer.receive checks a
 * delivery against, other than ASC MHL v2 (which src/mhl.c reads): md5sum
 * and xxhsum files (GNU and BSD forms) and the older single-file MHL v1.1
 * (mediahashlist.org: <hashlist version="1.1"><hash><file>, <size>,
 * <md5>, <sha1>, <xxhash> (XXH32, decimal), <xxhash64> (XXH64, bytes
 * reversed), <xxhash64be> (XXH64 as xxhsum prints it)). Every entry read
 * is merged by path into one list of expectations: the hashes each
 * manifest gives for that file and, from MHL v1.1, its size.
 */
#ifndef MCR_TRANSFER_MANIFESTS_H
#define MCR_TRANSFER_MANIFESTS_H

#include <stddef.h>
#include <stdint.h>

#include "vcopy.h"

/* strdup and asprintf for the plugin, which does not link mcr's core:
 * they abort when memory runs out, as xmalloc.h's do. */
char *tx_strdup(const char *s);
char *tx_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

struct rx_expect {
	char *rel;		/* relative POSIX path under the root */
	struct vcopy_hashes h;	/* the hashes the manifests give (hex) */
	int has_xxh32;
	uint32_t xxh32;		/* MHL v1.1 <xxhash> */
	int64_t size;		/* -1: no manifest says */
	char *where;		/* "FILE:LINE" where a manifest lists it */
	char *disagree;		/* two manifests give other values */
};

struct rx_expectations {
	struct rx_expect *e;
	size_t n, cap;
};

/* Reads an md5sum / xxhsum file (GNU "HEX  NAME" or "HEX *NAME", or the
 * BSD "MD5 (NAME) = HEX", "XXH128 (NAME) = HEX", "XXH64 (NAME) = HEX"
 * forms). A GNU line's algorithm comes from its length, and for 32 hex
 * digits from the file's extension (.md5, .xxh128). Its names are
 * relative to the folder it lies in, which is prefix (relative to the
 * delivery's root; "" at the top). Returns 0, or -1 with one sentence in
 * err naming file:line. */
int rx_read_sums(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen);

/* Reads an MHL v1.1 file; its <file> paths are relative to the folder it
 * lies in, which is prefix (relative to the delivery's root; "" at the
 * top). Returns 0, or -1 with one sentence in err. */
int rx_read_mhl1(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen);

/* Reads path as an MHL v1.1 file when it ends in .mhl, else as a sum file
 * (prefix as above). */
int rx_read_manifest(const char *path, const char *prefix,
    struct rx_expectations *x, char *err, size_t errlen);

/* Sorts the entries read and merges those of one path (the union of
 * their hashes; two different values of one hash set disagree). Call it
 * once, after the last read. */
void rx_finish(struct rx_expectations *x);

/* The entry for rel (after rx_finish), or NULL. */
struct rx_expect *rx_find(struct rx_expectations *x, const char *rel);

void rx_expectations_free(struct rx_expectations *x);

#endif
