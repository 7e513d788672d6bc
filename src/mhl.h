/*
 * mhl: ASC Media Hash List v2.0. A folder's history lives in its ascmhl/
 * subfolder: generations NNNN_<folder>_<YYYY-MM-DD>_<HHMMSS>Z.mhl
 * (namespace urn:ASC:MHL:v2.0) and ascmhl_chain.xml (namespace
 * urn:ASC:MHL:DIRECTORY:v2.0), which lists every generation with the C4 ID
 * of its bytes. The writer adds one generation and rewrites the chain
 * (atomically); the reader loads every generation after checking it
 * against the chain, keeping for each path the newest hash of each
 * algorithm, and with it the histories nested in subfolders (each with
 * its own ascmhl/, as the reference tool makes them), checking the C4 ID
 * of every generation a parent references; the verifier re-hashes a
 * folder against that history.
 * XML goes through libxml2 (xmlTextWriter out, xmlReadFile in).
 */
#ifndef MCR_MHL_H
#define MCR_MHL_H

#include <stddef.h>
#include <stdint.h>

#include "vcopy.h"

#define MHL_FOLDER "ascmhl"
#define MHL_CHAIN "ascmhl_chain.xml"

/* --- writing a generation --- */

struct mhl_gen;

/* process: "transfer" (a copy made it) or "in-place" (a folder was hashed
 * where it is). */
struct mhl_gen *mhl_gen_new(const char *process);
/* One file: relpath under the root ('/'-separated), its size and mtime
 * (ns), its hashes, action "original", "verified" or "failed" for all of
 * them, and when they were computed (µs since the epoch). */
void mhl_gen_add(struct mhl_gen *g, const char *relpath, uint64_t size,
    int64_t mtime_ns, const struct vcopy_hashes *h, const char *action,
    int64_t hashdate_us);
size_t mhl_gen_count(const struct mhl_gen *g);
/* Writes the generation into root/ascmhl/ (created when missing) with the
 * next sequence number and appends it to the chain. The new file's path
 * goes to path_out when not NULL. Returns 0, or -1 with one sentence. */
int mhl_gen_write(struct mhl_gen *g, const char *root, char *path_out,
    size_t path_len, char *err, size_t errlen);
void mhl_gen_free(struct mhl_gen *g);

/* --- reading a history --- */

struct mhl_file {
	char *path;		/* relative to the root */
	uint64_t size;
	int has_size;
	struct vcopy_hashes hashes;	/* newest value of each algorithm */
	int generation;		/* the newest generation that lists it */
};

struct mhl_history;

/* Loads root's history, with the nested histories below it (their paths
 * made relative to root). Returns 0; 1 when root has no ascmhl folder (out
 * is NULL); -1 with one sentence when a generation is missing, altered
 * (its C4 ID differs from the chain's or from a parent's reference) or
 * not ASC MHL. */
int mhl_history_load(const char *root, struct mhl_history **out, char *err,
    size_t errlen);
int mhl_history_generations(const struct mhl_history *h);
size_t mhl_history_nfiles(const struct mhl_history *h);
const struct mhl_file *mhl_history_file(const struct mhl_history *h,
    size_t i);
/* The entry of relpath, or NULL. */
const struct mhl_file *mhl_history_find(const struct mhl_history *h,
    const char *relpath);
void mhl_history_free(struct mhl_history *h);

/* --- verifying a folder against its history --- */

enum mhl_outcome {
	MHL_OK = 0,
	MHL_MISMATCH,		/* hashes differ: the bytes changed */
	MHL_MISSING,		/* in the history, not on disk */
	MHL_NEW,		/* on disk, not in the history */
	MHL_RENAMED,		/* a missing file's bytes under a new path */
	MHL_UNREADABLE,		/* could not be hashed */
};

const char *mhl_outcome_name(enum mhl_outcome o);

struct mhl_check {
	enum mhl_outcome outcome;
	const char *path;	/* on disk, or in the history for MISSING */
	const char *old_path;	/* RENAMED: the path the history had */
	const char *algo;	/* MISMATCH: which hash */
	const char *expected;
	const char *found;
	const char *error;	/* UNREADABLE */
	uint64_t size;
};

struct mhl_verify_opts {
	int nocache;	/* read from the storage, not the page cache */
	int (*cancelled)(void *arg);
	void (*progress)(void *arg, uint64_t bytes, const char *path);
	void (*report)(void *arg, const struct mhl_check *c);
	void *arg;
};

struct mhl_verify_counts {
	size_t ok, mismatch, missing, added, renamed, unreadable;
	uint64_t bytes;
};

/* Re-hashes every file under root (except the ascmhl folder) against h,
 * calling report for each file. Returns 0 when it ran (the counts say what
 * it found), or -1 with one sentence when it could not (cancelled, root
 * unreadable). */
int mhl_verify_tree(const char *root, const struct mhl_history *h,
    const struct mhl_verify_opts *o, struct mhl_verify_counts *counts,
    char *err, size_t errlen);

#endif
