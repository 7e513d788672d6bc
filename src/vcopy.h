/*
 * vcopy: the verified copy that ingest, delivery and archive share. One
 * read of the source feeds the hashes (xxh128, xxh3, xxh64 through
 * libxxhash; md5, sha1, sha256 and the C4 ID's SHA-512 through libcrypto)
 * and every destination at once.
 * Each destination is written to a hidden ".NAME.mcr.part" beside its final
 * name, fsync'd, its cached pages dropped, read back from the storage and
 * hashed again; only a destination whose read-back matches the source is
 * renamed into place (never over an existing file), with the source's
 * mtime. A destination that already holds the same bytes is left alone and
 * reported identical; one that holds other bytes is a conflict and is never
 * touched. On any failure no .part file is left behind.
 *
 * It never touches the shift log or the UI: callers get a result struct and
 * a progress callback.
 */
#ifndef MCR_VCOPY_H
#define MCR_VCOPY_H

#include <stddef.h>
#include <stdint.h>

/* The hash algorithms (sha256, which later versions of the reference ASC
 * MHL tool accept, comes last to keep the others' numbers). */
enum vcopy_algo {
	VCOPY_XXH128 = 0,
	VCOPY_XXH3,
	VCOPY_XXH64,
	VCOPY_MD5,
	VCOPY_SHA1,
	VCOPY_C4,	/* SMPTE ST 2114: SHA-512 in base58, "c4..." */
	VCOPY_SHA256,
	VCOPY_NALGO
};
#define VCOPY_ALGO_BIT(a) (1u << (a))

/* Hex digests of the algorithms in set; the others are empty strings. */
struct vcopy_hashes {
	unsigned set;
	char hex[VCOPY_NALGO][91];
};

/* "xxh128" for VCOPY_XXH128; NULL out of range. */
const char *vcopy_algo_name(enum vcopy_algo a);
/* The algorithm named name, or -1. */
int vcopy_algo_parse(const char *name);
/* Parses "xxh128,md5" into a set; returns 0, or -1 with one sentence in
 * err naming the unknown algorithm. */
int vcopy_algos_parse(const char *list, unsigned *set, char *err,
    size_t errlen);

/* The C4 ID (90 characters and a NUL) of a SHA-512 digest. */
void vcopy_c4_encode(const unsigned char sha512[64], char out[91]);

/* An incremental hasher over several algorithms at once. */
struct vcopy_hasher;
struct vcopy_hasher *vcopy_hasher_new(unsigned set);
void vcopy_hasher_update(struct vcopy_hasher *h, const void *buf, size_t n);
/* Writes the digests to out and resets the hasher. */
void vcopy_hasher_final(struct vcopy_hasher *h, struct vcopy_hashes *out);
void vcopy_hasher_free(struct vcopy_hasher *h);

/* Hashes a whole file with the algorithms in set. With nocache, reads
 * what the storage holds: the file's cached pages are dropped first (and
 * again as it goes), so the bytes come from the disk, not from memory.
 * Returns 0, or -errno with one sentence in err. */
int vcopy_hash_file(const char *path, unsigned set, int nocache,
    struct vcopy_hashes *out, uint64_t *size,
    int (*cancelled)(void *arg), void *arg, char *err, size_t errlen);

/* The fastest algorithm of set, as a one-bit set (0 when set is empty):
 * what a read-back or a re-verify hashes with. */
unsigned vcopy_fastest(unsigned set);

/* True when a and b agree on every algorithm both hold (and hold one). */
int vcopy_hashes_equal(const struct vcopy_hashes *a,
    const struct vcopy_hashes *b);

enum vcopy_verify {
	VCOPY_VERIFY_SOURCE = 0,	/* hash the source read only */
	VCOPY_VERIFY_DEST,		/* and read every destination back */
};

struct vcopy_opts {
	unsigned algos;			/* the hashes to compute (>= 1) */
	enum vcopy_verify verify;
	size_t bufsize;			/* 0: 256 KiB */
	/* Leave the fsync of each destination's folder after the rename
	 * to the caller (who batches them): until then a crash may undo
	 * the rename, leaving the hidden .part, never a partial file. */
	int defer_dirsync;
	/* Nonzero stops the copy (checked between buffers). */
	int (*cancelled)(void *arg);
	/* Bytes read or verified since the last call, and what is going on
	 * ("copy", "verify"); called at most once a buffer. */
	void (*progress)(void *arg, uint64_t bytes, const char *phase,
	    size_t dest);
	/* Called with each destination's .part after it was verified and
	 * before it is renamed: a virus scan. Return 0 to go on, or nonzero
	 * (with one sentence in why) to stop; the .part files are then left
	 * for the caller to move away (their names in part_paths). */
	int (*vet)(void *arg, const char *part_path,
	    const struct vcopy_hashes *hashes, char *why, size_t len);
	void *arg;
	/* Nonzero: vcopy_file() stops once the .part files are written
	 * (no fsync, no read-back, no rename) and returns 0 with status
	 * VCOPY_STAGED; the caller makes a batch of them durable with one
	 * vcopy_syncer_sync() and then calls vcopy_commit() for each (or
	 * vcopy_discard()). Files already in place are judged as usual. */
	int stage;
};

enum vcopy_status {
	VCOPY_COPIED = 0,	/* written, verified, renamed into place */
	VCOPY_IDENTICAL,	/* the destination already held these bytes */
	VCOPY_CONFLICT,		/* it holds other bytes; left untouched */
	VCOPY_FAILED,		/* an error; nothing left behind */
	VCOPY_REFUSED,		/* vet() said no; .part kept for the caller */
	VCOPY_CANCELLED,
	VCOPY_STAGED,		/* opts->stage: .part written, not yet
				 * durable, verified or in place */
};

struct vcopy_dest_result {
	enum vcopy_status status;
	int64_t verified_us;		/* when the read-back matched; 0: not */
	struct vcopy_hashes found;	/* an existing file's (conflict) or
					 * the read-back's */
	char part_path[4096];		/* for VCOPY_REFUSED and
					 * VCOPY_STAGED */
	int prefetched;			/* vcopy_prefetch() read it back in */
};

#define VCOPY_MAX_DEST 8

struct vcopy_result {
	enum vcopy_status status;	/* the worst of the destinations */
	struct vcopy_hashes hashes;	/* of the source, as read */
	uint64_t size;
	int64_t mtime_ns;		/* the source's */
	size_t ndest;
	char err[1024];			/* one sentence when not COPIED or
					 * IDENTICAL */
	/* Last: a result for n destinations needs only
	 * vcopy_result_size(n) bytes (a batch keeps one per file). */
	struct vcopy_dest_result dest[VCOPY_MAX_DEST];
};

/* The bytes of a result for ndest destinations. */
#define vcopy_result_size(ndest) (offsetof(struct vcopy_result, dest) + \
    (ndest) * sizeof(struct vcopy_dest_result))

/* Copies src to each of the ndest paths (at most VCOPY_MAX_DEST; their
 * folders must exist). src is opened without following a symlink. Returns
 * 0 when every destination holds a verified copy (copied or identical), or
 * -1 with res->status and res->err saying what went wrong; res->dest[i]
 * says what happened at each destination. */
int vcopy_file(const char *src, const char *const *dest, size_t ndest,
    const struct vcopy_opts *opts, struct vcopy_result *res);

/* Copies a result's used part, vcopy_result_size(from->ndest) bytes. */
void vcopy_result_copy(struct vcopy_result *to,
    const struct vcopy_result *from);

/* Whether path lies directly in dir, a folder kept by
 * vcopy_keep_folder() ("" holds nothing). A copy's files come sorted, so
 * a folder's files follow each other and its work (made, checked,
 * synced) is done once. */
int vcopy_in_folder(const char *path, const char *dir);
/* Keeps path's folder in dir (size bytes). */
void vcopy_keep_folder(char *dir, size_t size, const char *path);

/* mkdir -p for path's folders (not path itself) with mode 0775. Returns 0
 * or -errno with one sentence in err. */
int vcopy_mkdirs(const char *path, int include_last, char *err,
    size_t errlen);

/* --- batches: many small files, one sync per destination filesystem ---
 * A crash at any point leaves only hidden .part files (removed by the
 * next copy of the same name) or verified files under their final
 * names; a .part is renamed only after the sync and its read-back. */

/* Opens each distinct filesystem under dirs (at most VCOPY_MAX_DEST);
 * open it BEFORE staging, so its sync reports any write error that
 * happens after. Returns NULL with one sentence in err. */
struct vcopy_syncer *vcopy_syncer_new(const char *const *dirs, size_t n,
    char *err, size_t errlen);
/* syncfs() on each: every staged .part becomes durable. Returns 0, or
 * -errno with one sentence (then discard the batch). */
int vcopy_syncer_sync(struct vcopy_syncer *s, char *err, size_t errlen);
/* The same sync in a thread of the syncer's own, so the next batch is
 * copied while this one is written out: vcopy_syncer_start() covers what
 * was written before it (falling back to a sync in the caller when no
 * thread can be made), vcopy_syncer_wait() returns its outcome as
 * vcopy_syncer_sync() does (0 when none was started). */
void vcopy_syncer_start(struct vcopy_syncer *s);
int vcopy_syncer_wait(struct vcopy_syncer *s, char *err, size_t errlen);
/* Waits for a sync still running, then closes. */
void vcopy_syncer_free(struct vcopy_syncer *s);

/* After the sync: drops each staged .part's cached pages and asks the
 * kernel to read it back from the storage ahead of vcopy_commit(), so
 * the reads of a batch overlap. Optional. */
void vcopy_prefetch(struct vcopy_result *res);
/* Finishes a staged copy after the sync (dest as given to vcopy_file()):
 * read-back when opts->verify asks, vet(), rename into place. Returns 0,
 * or -1 as vcopy_file() does (the .part files removed, or handed over
 * in part_path on VCOPY_REFUSED). */
int vcopy_commit(const char *src, const char *const *dest,
    const struct vcopy_opts *opts, struct vcopy_result *res);
/* Removes the .part files of a staged copy that will not be committed. */
void vcopy_discard(struct vcopy_result *res);

/* Batches of staged copies, made by vcopy-batch.c on the calls above:
 * a batch of up to max_files files (or max_bytes) is made durable by the
 * syncer's thread while the next one is copied; then each of its copies
 * is read back (verify=destination), put in place and handed to done(),
 * in the order added. */
struct vcopy_batch_calls {
	/* The source of item i (for vcopy_commit()). */
	const char *(*src)(void *arg, size_t item);
	/* Optional: item is about to be read back and put in place. */
	void (*begin)(void *arg, size_t item);
	/* item is verified and in place at dest[]: 0 to go on, or a nonzero
	 * code that stops the batches. */
	int (*done)(void *arg, size_t item, const char *const *dest,
	    struct vcopy_result *res);
	/* vcopy_commit() failed for item (res says why; a refused copy's
	 * .part files are the caller's): the nonzero code to stop with. */
	int (*failed)(void *arg, size_t item, struct vcopy_result *res);
	/* A sync failed: the last n files were discarded. The nonzero code
	 * to stop with. */
	int (*sync_failed)(void *arg, const char *err, size_t n);
	void *arg;
};

/* roots: the destination folders, opened before anything is staged (see
 * vcopy_syncer_new()). Returns NULL with one sentence in err. */
struct vcopy_batches *vcopy_batches_new(const char *const *roots,
    size_t nroots, size_t ndest, size_t max_files, uint64_t max_bytes,
    const struct vcopy_batch_calls *calls, char *err, size_t errlen);
/* Whether a staged copy of size bytes fits the batch being written; when
 * it does not, vcopy_batches_ship() first. */
int vcopy_batches_fits(const struct vcopy_batches *bs, uint64_t size);
/* Adds a copy vcopy_file() staged (VCOPY_STAGED) for item, to dest[]. */
void vcopy_batches_add(struct vcopy_batches *bs, size_t item,
    const char *const *dest, const struct vcopy_result *res);
/* Starts the sync of the batch being written and finishes the batch
 * synced before it. Returns 0, or the code a call stopped with; then
 * nothing is staged any more and no .part is left. */
int vcopy_batches_ship(struct vcopy_batches *bs, const struct vcopy_opts *o);
/* Ships until nothing is staged. Returns as vcopy_batches_ship(). */
int vcopy_batches_drain(struct vcopy_batches *bs, const struct vcopy_opts *o);
/* Files staged and not yet finished. */
size_t vcopy_batches_pending(const struct vcopy_batches *bs);
/* Seconds spent waiting for syncs, and reading back and renaming. */
double vcopy_batches_sync_seconds(const struct vcopy_batches *bs);
double vcopy_batches_commit_seconds(const struct vcopy_batches *bs);
/* Discards whatever is still staged (removing its .part files), after a
 * sync still running. NULL is fine. */
void vcopy_batches_free(struct vcopy_batches *bs);

/* Asks the kernel to start reading path into the page cache (a small
 * source file a batch will copy soon), so that the reads of many small
 * files overlap instead of waiting one after another. A hint only. */
void vcopy_readahead(const char *path);

/* A few threads that keep asking the kernel for the source files a copy
 * will read next (vcopy_readahead), several at a time, at most window
 * items and max_bytes ahead of the item the copy is at, so that issuing
 * those reads costs the copy no time of its own. path(arg, i, &size)
 * names item i and its size, or returns NULL for an item not worth it (a
 * large file, read as it is copied); it is called from those threads, so
 * what it reads must not change until vcopy_ahead_stop(). Returns NULL
 * when no thread could be started (the copy then simply reads as it
 * goes). */
struct vcopy_ahead *vcopy_ahead_start(const char *(*path)(void *arg,
    size_t i, uint64_t *size), void *arg, size_t n, size_t window,
    uint64_t max_bytes);
/* The copy has reached item i. */
void vcopy_ahead_at(struct vcopy_ahead *a, size_t i);
/* Stops and frees the thread (NULL is fine). */
void vcopy_ahead_stop(struct vcopy_ahead *a);

#endif
