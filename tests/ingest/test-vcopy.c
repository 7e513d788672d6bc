/*
 * test-vcopy: the verified copy, the ASC MHL writer and reader, and the
 * naming rules, on real files in a temporary folder. Hash values are the
 * published vectors of the empty input (xxHash, RFC 1321, FIPS 180, SMPTE
 * ST 2114); the safety cases make the failure happen for real: a source
 * truncated mid-copy, a tmpfs of 1 MiB that fills up (skipped, saying so,
 * when mount is not allowed), a file this process cannot read (as nobody),
 * a symlink, a conflict.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mhl.h"
#include "naming.h"
#include "tap.h"
#include "vcopy.h"

static const char *tmp;

static char *
pathof(const char *name)
{
	static char buf[8][4096];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmp, name);
	return buf[i];
}

static void
write_bytes(const char *path, size_t n, unsigned seed)
{
	FILE *f = fopen(path, "wb");
	size_t i;

	if (f == NULL)
		abort();
	for (i = 0; i < n; i++)
		fputc((int)((i * 2654435761u + seed) >> 13) & 0xff, f);
	fclose(f);
}

static int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static int
parts_left(const char *dir)
{
	char cmd[4200];

	snprintf(cmd, sizeof cmd, "find '%s' -name '*.mcr.part' | grep -q .",
	    dir);
	return system(cmd) == 0;
}

/* True when tool (md5sum, xxhsum -H2) prints hex, 32 digits, for path. */
static int
tool_hash_is(const char *tool, const char *path, const char *hex)
{
	char cmd[4400];
	FILE *p;
	int same;

	snprintf(cmd, sizeof cmd, "%s < '%s'", tool, path);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	same = fgets(cmd, sizeof cmd, p) != NULL && strncmp(cmd, hex, 32) == 0;
	pclose(p);
	return same;
}

static void
test_vectors(void)
{
	struct vcopy_hasher *h = vcopy_hasher_new((1u << VCOPY_NALGO) - 1);
	struct vcopy_hashes out;
	unsigned set;
	char err[256];

	vcopy_hasher_final(h, &out);
	tap_is_str(out.hex[VCOPY_XXH128], "99aa06d3014798d86001c324468d497f",
	    "xxh128 of nothing");
	tap_is_str(out.hex[VCOPY_XXH3], "2d06800538d394c2", "xxh3 of nothing");
	tap_is_str(out.hex[VCOPY_XXH64], "ef46db3751d8e999",
	    "xxh64 of nothing");
	tap_is_str(out.hex[VCOPY_MD5], "d41d8cd98f00b204e9800998ecf8427e",
	    "md5 of nothing");
	tap_is_str(out.hex[VCOPY_SHA1],
	    "da39a3ee5e6b4b0d3255bfef95601890afd80709", "sha1 of nothing");
	tap_is_str(out.hex[VCOPY_C4], "c459dsjfscH38cYeXXYogktxf4Cd9ibshE3BHUo6"
	    "a58hBXmRQdZrAkZzsWcbWtDg5oQstpDuni4Hirj75GEmTc1sFT",
	    "C4 ID of nothing (SMPTE ST 2114)");
	vcopy_hasher_update(h, "abc", 3);
	vcopy_hasher_final(h, &out);
	tap_is_str(out.hex[VCOPY_MD5], "900150983cd24fb0d6963f7d28e17f72",
	    "md5 of abc");
	tap_is_str(out.hex[VCOPY_SHA256], "ba7816bf8f01cfea414140de5dae2223"
	    "b00361a396177a9cb410ff61f20015ad", "sha256 of abc (FIPS 180-2)");
	vcopy_hasher_free(h);
	tap_ok(vcopy_algos_parse("xxh128,md5", &set, err, sizeof err) == 0 &&
	    set == (VCOPY_ALGO_BIT(VCOPY_XXH128) | VCOPY_ALGO_BIT(VCOPY_MD5)),
	    "a list of hashes parses");
	tap_ok(vcopy_algos_parse("crc32", &set, err, sizeof err) < 0,
	    "an unknown hash is refused");
	tap_contains(err, "crc32", "naming it");
}

static int cancel_now;
/* The source the next copy changes once it has read a first buffer: cut
 * to 1000 bytes (a card pulled) or grown by four (still being written). */
static const char *change_me;
static int change_grows;

static int
cancelled(void *arg)
{
	return cancel_now;
}

static void
progress(void *arg, uint64_t bytes, const char *phase, size_t dest)
{
	FILE *f;

	if (change_me == NULL || strcmp(phase, "copy") != 0)
		return;
	if (change_grows) {
		if ((f = fopen(change_me, "a")) == NULL ||
		    fputs("more", f) < 0 || fclose(f) != 0)
			abort();
	} else if (truncate(change_me, 1000) != 0) {
		abort();
	}
	change_me = NULL;
}

/* A source of size bytes that shrinks or grows while it is copied to d1
 * and d2: the copy fails, saying so, and leaves nothing behind. */
static void
changed_mid_copy(const char *name, size_t size, int grows,
    const struct vcopy_opts *o, struct vcopy_result *r)
{
	const char *src = pathof(name), *dest[2];
	char d1[64], d2[64];

	snprintf(d1, sizeof d1, "d1/%s", name);
	snprintf(d2, sizeof d2, "d2/%s", name);
	dest[0] = pathof(d1);
	dest[1] = pathof(d2);
	write_bytes(src, size, 4);
	change_me = src;
	change_grows = grows;
	tap_ok(vcopy_file(src, dest, 2, o, r) < 0 &&
	    r->status == VCOPY_FAILED, "a source that %s mid-copy fails",
	    grows ? "grows" : "shrinks");
	tap_contains(r->err, "changed while it was read", "saying so");
	tap_ok(!exists(dest[0]) && !exists(dest[1]) && !parts_left(tmp),
	    "leaving no copy and no .part");
}

static void
test_copy(void)
{
	const char *dest[2] = { pathof("d1/clip.mov"), pathof("d2/clip.mov") };
	struct vcopy_opts o = { .algos = VCOPY_ALGO_BIT(VCOPY_XXH128) |
	    VCOPY_ALGO_BIT(VCOPY_MD5), .verify = VCOPY_VERIFY_DEST,
	    .bufsize = 1 << 16, .cancelled = cancelled,
	    .progress = progress };
	struct vcopy_result *r = calloc(1, sizeof *r);
	struct vcopy_hashes h;
	struct timespec t[2] = { { 1500000000, 123456789 },
	    { 1500000000, 123456789 } };
	struct stat st;
	char err[512];

	mkdir(pathof("d1"), 0755);
	mkdir(pathof("d2"), 0755);
	write_bytes(pathof("clip.mov"), 3 * 1000 * 1000 + 17, 1);
	utimensat(AT_FDCWD, pathof("clip.mov"), t, 0);
	tap_is_int(vcopy_file(pathof("clip.mov"), dest, 2, &o, r), 0,
	    "a copy to two destinations");
	tap_is_int(r->status, VCOPY_COPIED, "is reported copied");
	tap_ok(r->dest[0].verified_us > 0 && r->dest[1].verified_us > 0,
	    "and read back at both");
	stat(dest[1], &st);
	tap_ok(st.st_mtim.tv_sec == 1500000000 &&
	    st.st_mtim.tv_nsec == 123456789, "the mtime is kept to the ns");
	tap_ok(tool_hash_is("md5sum", dest[0], r->hashes.hex[VCOPY_MD5]),
	    "the inline md5 is md5sum's");
	tap_ok(tool_hash_is("xxhsum -H2", dest[1],
	    r->hashes.hex[VCOPY_XXH128]), "the inline xxh128 is xxhsum's");
	tap_ok(!parts_left(tmp), "no .part file is left");

	tap_is_int(vcopy_file(pathof("clip.mov"), dest, 2, &o, r), 0,
	    "copying again");
	tap_is_int(r->status, VCOPY_IDENTICAL, "finds identical copies and "
	    "skips them");

	/* A destination with other bytes of the same size. */
	write_bytes(pathof("other.mov"), 3 * 1000 * 1000 + 17, 2);
	dest[0] = pathof("d1/other.mov");
	write_bytes(dest[0], 3 * 1000 * 1000 + 17, 3);
	dest[1] = pathof("d2/other.mov");
	tap_ok(vcopy_file(pathof("other.mov"), dest, 2, &o, r) < 0 &&
	    r->status == VCOPY_CONFLICT, "different content is a conflict");
	tap_contains(r->err, "left untouched", "that says so");
	vcopy_hash_file(dest[0], VCOPY_ALGO_BIT(VCOPY_XXH64), 0, &h, NULL,
	    NULL, NULL, err, sizeof err);
	tap_ok(!exists(dest[1]) && !parts_left(tmp),
	    "and writes no copy anywhere");

	/* The source shrinks under the copy (a card pulled), or grows
	 * (still being written): the copy reads the size it found, and the
	 * fstat() after it tells. */
	changed_mid_copy("pulled.mov", 2 * 1000 * 1000, 0, &o, r);
	changed_mid_copy("growing.mov", 2 * 1000 * 1000, 1, &o, r);

	/* Cancel. */
	write_bytes(pathof("cancel.mov"), 1000 * 1000, 5);
	dest[0] = pathof("d1/cancel.mov");
	cancel_now = 1;
	tap_ok(vcopy_file(pathof("cancel.mov"), dest, 1, &o, r) < 0 &&
	    r->status == VCOPY_CANCELLED && !parts_left(tmp),
	    "a cancelled copy stops and tidies up");
	cancel_now = 0;

	/* A symlink source. */
	symlink("/etc/hostname", pathof("link.mov"));
	dest[0] = pathof("d1/link.mov");
	tap_ok(vcopy_file(pathof("link.mov"), dest, 1, &o, r) < 0,
	    "a symlink is not followed");
	tap_contains(r->err, "symbolic link", "and says why");

	/* A sparse source stays sparse and hashes as its bytes. */
	{
		int fd = open(pathof("sparse.img"), O_WRONLY | O_CREAT, 0644);

		if (fd < 0 || pwrite(fd, "end", 3, 50 * 1000 * 1000) != 3)
			abort();
		close(fd);
		dest[0] = pathof("d1/sparse.img");
		tap_is_int(vcopy_file(pathof("sparse.img"), dest, 1, &o, r), 0,
		    "a sparse file copies");
		stat(dest[0], &st);
		tap_ok(st.st_size == 50 * 1000 * 1000 + 3 &&
		    st.st_blocks * 512 < 1000 * 1000, "and stays sparse "
		    "(%lld blocks)", (long long)st.st_blocks);
	}
	free(r);
}

/* A large source is read with O_DIRECT in 4 MiB reads: one whose size
 * is no multiple of the block ends in a short read, and one that changes
 * under the copy is caught as a small one is. */
static void
test_large(void)
{
	const char *src = pathof("big.mov"), *dest[1] = { pathof("d1/big.mov") };
	const size_t size = 9 * 1024 * 1024 + 4099;
	struct vcopy_opts o = { .algos = VCOPY_ALGO_BIT(VCOPY_XXH128),
	    .verify = VCOPY_VERIFY_DEST, .progress = progress };
	struct vcopy_result *r = calloc(1, sizeof *r);
	struct vcopy_hashes h;
	struct stat st;
	uint64_t got = 0;
	char err[512];
	int fd;

	write_bytes(src, size, 7);
	tap_is_int(vcopy_file(src, dest, 1, &o, r), 0, "a 9 MiB file copies");
	tap_ok(r->status == VCOPY_COPIED && r->size == size &&
	    stat(dest[0], &st) == 0 && (size_t)st.st_size == size,
	    "whole, to its last byte");
	tap_ok(tool_hash_is("xxhsum -H2", dest[0],
	    r->hashes.hex[VCOPY_XXH128]),
	    "with the inline xxh128 xxhsum's of the copy");

	/* Hashed again from the storage, as mcr verify does: the same
	 * hash, and a byte changed since is seen. */
	tap_is_int(vcopy_hash_file(dest[0], o.algos, 1, &h, &got, NULL, NULL,
	    err, sizeof err), 0, "the copy hashes from the storage");
	tap_ok(got == size && vcopy_hashes_equal(&h, &r->hashes),
	    "to the same hash over all its %llu bytes",
	    (unsigned long long)got);
	if ((fd = open(dest[0], O_WRONLY)) < 0 ||
	    pwrite(fd, "\xff", 1, 5 * 1024 * 1024 + 1) != 1)
		abort();
	close(fd);
	tap_ok(vcopy_hash_file(dest[0], o.algos, 1, &h, NULL, NULL, NULL,
	    err, sizeof err) == 0 && !vcopy_hashes_equal(&h, &r->hashes),
	    "a byte changed since is seen");

	changed_mid_copy("pulled-big.mov", size, 0, &o, r);
	changed_mid_copy("growing-big.mov", size, 1, &o, r);
	free(r);
}

/* Two batches of small files the way ingest pipelines them: the first
 * synced in the background while the second is staged, then each read
 * back from the disk and put in place. */
static void
test_batches(void)
{
	struct vcopy_opts o = { .algos = VCOPY_ALGO_BIT(VCOPY_XXH128),
	    .verify = VCOPY_VERIFY_DEST, .stage = 1, .defer_dirsync = 1 };
	struct vcopy_result *r = calloc(6, sizeof *r);
	const char *root = pathof("batch");
	struct vcopy_syncer *s;
	char src[6][PATH_MAX], dst[6][PATH_MAX], err[512];
	const char *dp[1];
	int i, staged = 0, placed = 0, same = 0;

	mkdir(pathof("batchsrc"), 0755);
	mkdir(root, 0755);
	s = vcopy_syncer_new(&root, 1, err, sizeof err);
	tap_ok(s != NULL, "a syncer for the destination");
	tap_is_int(vcopy_syncer_wait(s, err, sizeof err), 0,
	    "waiting when no sync was started returns at once");
	for (i = 0; i < 6; i++) {
		snprintf(src[i], sizeof src[i], "%s/f%d.dpx", pathof("batchsrc"),
		    i);
		snprintf(dst[i], sizeof dst[i], "%s/f%d.dpx", root, i);
		write_bytes(src[i], 16384 + (size_t)i, 20 + (unsigned)i);
	}
	for (i = 0; i < 3; i++) {
		dp[0] = dst[i];
		staged += vcopy_file(src[i], dp, 1, &o, &r[i]) == 0 &&
		    r[i].status == VCOPY_STAGED;
	}
	vcopy_syncer_start(s);
	for (i = 3; i < 6; i++) {
		dp[0] = dst[i];
		staged += vcopy_file(src[i], dp, 1, &o, &r[i]) == 0 &&
		    r[i].status == VCOPY_STAGED;
	}
	tap_is_int(staged, 6, "six small files staged, three of them while "
	    "the first three are synced");
	tap_ok(!exists(dst[0]) && parts_left(root), "nothing is under its "
	    "final name before its batch is synced");
	tap_is_int(vcopy_syncer_wait(s, err, sizeof err), 0,
	    "the background sync of the first batch");
	vcopy_syncer_start(s);
	for (i = 0; i < 6; i++) {
		if (i == 3)
			tap_is_int(vcopy_syncer_wait(s, err, sizeof err), 0,
			    "the sync of the second");
		vcopy_prefetch(&r[i]);
		dp[0] = dst[i];
		placed += vcopy_commit(src[i], dp, &o, &r[i]) == 0 &&
		    r[i].status == VCOPY_COPIED && r[i].dest[0].verified_us > 0;
	}
	tap_is_int(placed, 6, "each is read back and put in place");
	for (i = 0; i < 6; i++) {
		struct vcopy_hashes h;

		same += vcopy_hash_file(dst[i], o.algos, 1, &h, NULL, NULL,
		    NULL, err, sizeof err) == 0 && vcopy_hashes_equal(&h,
		    &r[i].hashes);
	}
	tap_is_int(same, 6, "with the source's bytes");
	tap_ok(!parts_left(root), "and no .part is left");
	/* A sync still running when the copy gives up: freeing waits. */
	vcopy_syncer_start(s);
	vcopy_syncer_free(s);
	tap_ok(1, "freeing a syncer while it syncs waits for it");
	free(r);
}

/* vcopy_batches: what ingest and local delivery copy small files with. */
struct order {
	char src[10][PATH_MAX], dst[10][PATH_MAX];
	size_t seen[10], nseen, stop_at;
	int nbegun;
};

static const char *
order_src(void *arg, size_t i)
{
	return ((struct order *)arg)->src[i];
}

static void
order_begin(void *arg, size_t i)
{
	((struct order *)arg)->nbegun++;
}

static int
order_done(void *arg, size_t i, const char *const *dest,
    struct vcopy_result *res)
{
	struct order *w = arg;

	w->seen[w->nseen++] = i;
	return i == w->stop_at ? 7 : strcmp(dest[0], w->dst[i]) != 0 ||
	    res->status != VCOPY_COPIED ? 8 : 0;
}

static int
order_failed(void *arg, size_t i, struct vcopy_result *res)
{
	return 9;
}

static int
order_sync_failed(void *arg, const char *err, size_t n)
{
	return 10;
}

static void
test_batch_object(void)
{
	struct vcopy_opts o = { .algos = VCOPY_ALGO_BIT(VCOPY_XXH128),
	    .verify = VCOPY_VERIFY_DEST, .stage = 1, .defer_dirsync = 1 };
	struct vcopy_result *r = malloc(sizeof *r);
	struct order *w = calloc(1, sizeof *w);
	const struct vcopy_batch_calls calls = { .src = order_src,
	    .begin = order_begin, .done = order_done, .failed = order_failed,
	    .sync_failed = order_sync_failed, .arg = w };
	char rootdir[1024], srcdir[1024], err[512];
	const char *root = rootdir;
	struct vcopy_batches *bs;
	const char *dp[1];
	size_t i, ships = 0, inorder = 1;
	int rc = 0, same = 0, staged = 0;

	snprintf(rootdir, sizeof rootdir, "%s", pathof("bo"));
	snprintf(srcdir, sizeof srcdir, "%s", pathof("bosrc"));
	mkdir(srcdir, 0755);
	mkdir(root, 0755);
	for (i = 0; i < 10; i++) {
		snprintf(w->src[i], sizeof w->src[i], "%s/f%zu.wav", srcdir,
		    i);
		snprintf(w->dst[i], sizeof w->dst[i], "%s/f%zu.wav", root, i);
		write_bytes(w->src[i], 8192 + i, 40 + (unsigned)i);
	}
	w->stop_at = 99;
	bs = vcopy_batches_new(&root, 1, 1, 4, 1 << 20, &calls, err,
	    sizeof err);
	tap_ok(bs != NULL, "batches of four files for a destination");
	for (i = 0; i < 10 && rc == 0; i++) {
		if (!vcopy_batches_fits(bs, 8192 + i)) {
			rc = vcopy_batches_ship(bs, &o);
			ships++;
		}
		dp[0] = w->dst[i];
		if (vcopy_file(w->src[i], dp, 1, &o, r) == 0 &&
		    r->status == VCOPY_STAGED) {
			vcopy_batches_add(bs, i, dp, r);
			staged++;
		}
	}
	tap_is_int(staged, 10, "ten small files staged");
	tap_is_int((int)ships, 2, "a batch is shipped each time four wait");
	tap_ok(w->nseen <= 4 && vcopy_batches_pending(bs) >= 6,
	    "a shipped batch is synced while the next is copied");
	tap_is_int(rc == 0 ? vcopy_batches_drain(bs, &o) : rc, 0,
	    "draining finishes the rest");
	for (i = 0; i < w->nseen; i++)
		inorder &= w->seen[i] == i;
	tap_ok(w->nseen == 10 && w->nbegun == 10 && inorder,
	    "each file is put in place and handed on, in the order added");
	for (i = 0; i < 10; i++) {
		struct vcopy_hashes h, hs;

		same += vcopy_hash_file(w->dst[i], o.algos, 1, &h, NULL, NULL,
		    NULL, err, sizeof err) == 0 && vcopy_hash_file(w->src[i],
		    o.algos, 1, &hs, NULL, NULL, NULL, err, sizeof err) == 0 &&
		    vcopy_hashes_equal(&h, &hs);
	}
	tap_is_int(same, 10, "with the source's bytes");
	tap_ok(!parts_left(root) && vcopy_batches_pending(bs) == 0,
	    "and nothing is left staged");
	vcopy_batches_free(bs);

	/* A file the caller refuses to take stops the batches: those
	 * after it are never put in place, and leave no .part. */
	for (i = 0; i < 10; i++)
		unlink(w->dst[i]);
	w->nseen = 0;
	w->stop_at = 5;
	bs = vcopy_batches_new(&root, 1, 1, 4, 1 << 20, &calls, err,
	    sizeof err);
	for (i = 0, rc = 0; i < 10 && rc == 0; i++) {
		if (!vcopy_batches_fits(bs, 8192 + i))
			rc = vcopy_batches_ship(bs, &o);
		dp[0] = w->dst[i];
		if (rc == 0 && vcopy_file(w->src[i], dp, 1, &o, r) == 0)
			vcopy_batches_add(bs, i, dp, r);
	}
	if (rc == 0)
		rc = vcopy_batches_drain(bs, &o);
	tap_is_int(rc, 7, "the caller's code stops the batches");
	tap_ok(exists(w->dst[5]) && !exists(w->dst[6]) && !exists(w->dst[9]),
	    "what came before is in place, nothing after it");
	vcopy_batches_free(bs);
	tap_ok(!parts_left(root), "and freeing the batches leaves no .part");
	free(w);
	free(r);
}

static void
test_enospc(void)
{
	const char *mnt = pathof("small");
	const char *dest[1];
	struct vcopy_opts o = { .algos = VCOPY_ALGO_BIT(VCOPY_XXH128),
	    .verify = VCOPY_VERIFY_DEST };
	struct vcopy_result *r = calloc(1, sizeof *r);

	mkdir(mnt, 0755);
	if (mount("mcrtest", mnt, "tmpfs", 0, "size=1m") != 0) {
		tap_ok(1, "# SKIP ENOSPC: cannot mount a 1 MiB tmpfs here (%s); "
		    "run the test as root", strerror(errno));
		free(r);
		return;
	}
	write_bytes(pathof("big.mov"), 3 * 1000 * 1000, 6);
	dest[0] = pathof("small/big.mov");
	tap_ok(vcopy_file(pathof("big.mov"), dest, 1, &o, r) < 0 &&
	    r->status == VCOPY_FAILED, "a full destination fails the copy");
	tap_contains(r->err, "No space left", "with ENOSPC's words");
	tap_contains(r->err, "free space", "and what to do");
	tap_ok(!exists(dest[0]) && !parts_left(mnt), "leaving nothing there");
	tap_ok(exists(pathof("big.mov")), "and the source in place");
	umount2(mnt, MNT_DETACH);
	free(r);
}

static void
test_unreadable(void)
{
	pid_t pid;
	int status;

	write_bytes(pathof("secret.mov"), 1000, 7);
	chmod(pathof("secret.mov"), 0);
	pid = fork();
	if (pid == 0) {
		const char *dest[1] = { pathof("d1/secret.mov") };
		struct vcopy_opts o = { .algos = 1, .verify = 1 };
		static struct vcopy_result r;

		/* Root reads anything: be nobody for this case. */
		if (geteuid() == 0 && setuid(65534) != 0)
			_exit(3);
		chmod(pathof("d1"), 0777);
		if (vcopy_file(pathof("secret.mov"), dest, 1, &o, &r) == 0)
			_exit(1);
		_exit(strstr(r.err, "Permission denied") != NULL &&
		    strstr(r.err, "permissions") != NULL ? 0 : 2);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "an unreadable file fails with a clear sentence (exit %d)",
	    WEXITSTATUS(status));
}

static void
test_mhl(void)
{
	struct mhl_gen *g = mhl_gen_new("transfer");
	struct mhl_history *h = NULL;
	struct vcopy_hashes hs;
	struct mhl_verify_counts n;
	struct mhl_verify_opts o = { 0 };
	char err[512], written[4096];
	const struct mhl_file *f;
	FILE *fp;

	mkdir(pathof("card"), 0755);
	mkdir(pathof("card/Clips"), 0755);
	write_bytes(pathof("card/Clips/a.mov"), 100000, 8);
	write_bytes(pathof("card/Clips/b.wav"), 5000, 9);
	vcopy_hash_file(pathof("card/Clips/a.mov"), 0x3f, 0, &hs, NULL, NULL,
	    NULL, err, sizeof err);
	mhl_gen_add(g, "Clips/a.mov", 100000, 0, &hs, "original", 0);
	vcopy_hash_file(pathof("card/Clips/b.wav"), 1, 0, &hs, NULL, NULL,
	    NULL, err, sizeof err);
	mhl_gen_add(g, "Clips/b.wav", 5000, 0, &hs, "original", 0);
	tap_is_int(mhl_gen_write(g, pathof("card"), written, sizeof written,
	    err, sizeof err), 0, "a generation is written");
	tap_contains(written, "/ascmhl/0001_card_", "named NNNN_folder_date");
	mhl_gen_free(g);
	g = mhl_gen_new("in-place");
	mhl_gen_add(g, "Clips/b.wav", 5000, 0, &hs, "verified", 0);
	tap_is_int(mhl_gen_write(g, pathof("card"), written, sizeof written,
	    err, sizeof err), 0, "a second generation");
	tap_contains(written, "/ascmhl/0002_card_", "numbered 0002");
	mhl_gen_free(g);

	tap_is_int(mhl_history_load(pathof("card"), &h, err, sizeof err), 0,
	    "the history loads");
	tap_is_int(mhl_history_generations(h), 2, "with both generations");
	f = mhl_history_find(h, "Clips/a.mov");
	tap_ok(f != NULL && (f->hashes.set & VCOPY_ALGO_BIT(VCOPY_C4)) &&
	    f->size == 100000, "and each file's hashes and size");
	tap_is_int(mhl_verify_tree(pathof("card"), h, &o, &n, err,
	    sizeof err), 0, "verify runs");
	tap_ok(n.ok == 2 && n.mismatch + n.missing + n.added == 0,
	    "and finds everything in order");

	/* One flipped byte. */
	fp = fopen(pathof("card/Clips/a.mov"), "r+b");
	fseek(fp, 5000, SEEK_SET);
	fputc(fgetc(fp) ^ 1, fp);
	fclose(fp);
	rename(pathof("card/Clips/b.wav"), pathof("card/Clips/c.wav"));
	write_bytes(pathof("card/Clips/new.txt"), 10, 10);
	mhl_verify_tree(pathof("card"), h, &o, &n, err, sizeof err);
	tap_ok(n.mismatch == 1 && n.renamed == 1 && n.added == 1 &&
	    n.missing == 0, "a flipped byte, a rename and a new file are "
	    "told apart (%zu %zu %zu %zu)", n.mismatch, n.renamed, n.added,
	    n.missing);
	mhl_history_free(h);

	/* An altered generation breaks the chain. */
	{
		char cmd[4400];

		snprintf(cmd, sizeof cmd, "sed -i 's/original/verified/' "
		    "'%s'/ascmhl/0001_*.mhl", pathof("card"));
		if (system(cmd) != 0)
			abort();
	}
	tap_ok(mhl_history_load(pathof("card"), &h, err, sizeof err) < 0,
	    "an edited generation is refused");
	tap_contains(err, "altered", "as altered");
	tap_is_int(mhl_history_load(pathof("d1"), &h, err, sizeof err), 1,
	    "a folder without history says so");
}

static void
test_naming(void)
{
	struct naming_vars v = { .client = "ACME", .production = "Film: One",
	    .reel = "A001", .path = "Clips/A001C001.mov", .job = "7",
	    .when = 86400 * 365 };
	struct naming_set *s = naming_set_new();
	char root[512], rel[512], out[512], err[512];

	tap_is_int(naming_expand(NAMING_DEFAULT_TEMPLATE, &v, root, sizeof root,
	    rel, sizeof rel, err, sizeof err), 0, "the default template");
	tap_is_str(root, "ACME/Film: One/19710101/A001", "gives the MHL root");
	tap_is_str(rel, "Clips/A001C001.mov", "and the path under it");
	naming_expand("{client}/{reel}_{stem}_{job}.{ext}", &v, root,
	    sizeof root, rel, sizeof rel, err, sizeof err);
	tap_ok(strcmp(root, "ACME") == 0 &&
	    strcmp(rel, "A001_A001C001_7.mov") == 0, "stem, ext and job (%s "
	    "%s)", root, rel);
	tap_ok(naming_expand("{client}/{nope}", &v, root, sizeof root, rel,
	    sizeof rel, err, sizeof err) < 0, "an unknown variable");
	tap_contains(err, "{nope}", "is named");
	tap_ok(naming_check("{client}/{production}", err, sizeof err) < 0,
	    "a template without a file name is refused");
	tap_is_int(naming_clean("Film: One/a*b?.mov", NAMING_REPLACE, "_", out,
	    sizeof out, err, sizeof err), 1, "illegal characters");
	tap_is_str(out, "Film_ One/a_b_.mov", "are replaced");
	tap_is_int(naming_clean("x/Zoë 日本.mov", NAMING_REPLACE, "_", out,
	    sizeof out, err, sizeof err), 0, "Unicode is kept");
	tap_is_int(naming_clean("x/bad\xff\x01name. /..", NAMING_REPLACE, "_",
	    out, sizeof out, err, sizeof err), 1, "bad bytes, trailing dots");
	tap_is_str(out, "x/bad__name/_", "are cleaned");
	tap_ok(naming_clean("a:b", NAMING_FAIL, "_", out, sizeof out, err,
	    sizeof err) < 0, "or refused when configured");
	tap_is_int(naming_set_add(s, "A/clip.mov"), 0, "a name is free");
	tap_is_int(naming_set_add(s, "A/clip.mov"), 1, "then taken");
	naming_suffix("A/clip.mov", 1, out, sizeof out);
	tap_is_str(out, "A/clip_1.mov", "a collision gets a suffix");
	naming_set_free(s);
}

int
main(void)
{
	tmp = tap_tmpdir();
	test_vectors();
	test_copy();
	test_large();
	test_batches();
	test_batch_object();
	test_enospc();
	test_unreadable();
	test_mhl();
	test_naming();
	return tap_done();
}
