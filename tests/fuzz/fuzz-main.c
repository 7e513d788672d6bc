/*
 * fuzz-main: the driver that runs a libFuzzer target without libFuzzer,
 * for `make check`. With files or folders as arguments it replays them
 * (a crash file, a corpus); without, it replays $TESTS_SRCDIR/fuzz/corpus
 * (or the folder -DFUZZ_CORPUS names there) when that exists, then
 * $FUZZ_RUNS (default 5000) inputs from a fixed seed: corpus entries
 * with bytes changed, inserted or cut, and strings of digits and
 * separators. A broken invariant aborts inside the target; a
 * clean run prints one TAP line.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_INPUT 4096
#define MAX_SEEDS 256

/* A target may compile in its own corpus folder, mutation size and
 * alphabet; the defaults are the timecode target's. */
#ifndef FUZZ_CORPUS
#define FUZZ_CORPUS "corpus"
#endif
#ifndef FUZZ_MUTATE_MAX
#define FUZZ_MUTATE_MAX 64
#endif
#ifndef FUZZ_ALPHABET
#define FUZZ_ALPHABET "0123456789::::;;..,,"
#endif

static uint8_t *seeds[MAX_SEEDS];
static size_t seed_len[MAX_SEEDS], nseeds;
static uint64_t rng = UINT64_C(0x9e3779b97f4a7c15);
static long inputs;

/* xorshift64*: the same inputs on every machine. */
static uint64_t
next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(2685821657736338717);
}

static void
run_one(const uint8_t *data, size_t size)
{
	LLVMFuzzerTestOneInput(data, size);
	inputs++;
}

/* Replays the file at path and keeps it as a seed. */
static int
replay_file(const char *path)
{
	uint8_t buf[MAX_INPUT];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL) {
		fprintf(stderr, "fuzz-main: cannot open %s\n", path);
		return -1;
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	run_one(buf, n);
	if (nseeds < MAX_SEEDS) {
		seeds[nseeds] = malloc(n + 1);
		if (seeds[nseeds] != NULL) {
			memcpy(seeds[nseeds], buf, n);
			seed_len[nseeds++] = n;
		}
	}
	return 0;
}

/* A file, or every file in a folder. */
static int
replay(const char *path)
{
	char file[4096];
	struct dirent *de;
	DIR *d = opendir(path);
	int rc = 0;

	if (d == NULL)
		return replay_file(path);
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof file, "%s/%s", path, de->d_name);
		if (replay_file(file) != 0)
			rc = -1;
	}
	closedir(d);
	return rc;
}

static void
random_input(void)
{
	static const char alphabet[] = FUZZ_ALPHABET;
	uint8_t buf[FUZZ_MUTATE_MAX];
	size_t n = 0, i, k;

	if (nseeds > 0 && next_random() % 2 == 0) {
		/* A seed with a few bytes changed, inserted or cut. */
		k = next_random() % nseeds;
		n = seed_len[k] < sizeof buf ? seed_len[k] : sizeof buf;
		memcpy(buf, seeds[k], n);
		for (i = next_random() % 4 + 1; i > 0; i--) {
			size_t at = n > 0 ? next_random() % n : 0;

			switch (next_random() % 3) {
			case 0:
				if (n > 0)
					buf[at] = next_random() % 4 == 0 ?
					    (uint8_t)next_random() :
					    (uint8_t)alphabet[next_random() %
					    (sizeof alphabet - 1)];
				break;
			case 1:
				if (n < sizeof buf) {
					memmove(buf + at + 1, buf + at, n - at);
					buf[at] = (uint8_t)alphabet[
					    next_random() %
					    (sizeof alphabet - 1)];
					n++;
				}
				break;
			default:
				if (n > 0) {
					memmove(buf + at, buf + at + 1,
					    n - at - 1);
					n--;
				}
			}
		}
	} else {
		n = next_random() % 16;
		for (i = 0; i < n; i++)
			buf[i] = next_random() % 16 == 0 ?
			    (uint8_t)next_random() :
			    (uint8_t)alphabet[next_random() %
			    (sizeof alphabet - 1)];
	}
	run_one(buf, n);
}

int
main(int argc, char **argv)
{
	const char *srcdir = getenv("TESTS_SRCDIR");
	const char *runs = getenv("FUZZ_RUNS");
	char corpus[4096];
	long i, n = runs != NULL ? atol(runs) : 5000;
	int rc = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++) {
			if (replay(argv[i]) != 0)
				rc = 1;
		}
		printf("1..1\n%sok 1 - %ld inputs replayed\n", rc ? "not " : "",
		    inputs);
		return 0;
	}
	if (srcdir != NULL) {
		snprintf(corpus, sizeof corpus, "%s/fuzz/%s", srcdir,
		    FUZZ_CORPUS);
		if (replay(corpus) != 0)
			rc = 1;
	}
	for (i = 0; i < n; i++)
		random_input();
	printf("1..1\n%sok 1 - %ld inputs (%zu seeds, %ld generated), "
	    "invariants hold\n", rc ? "not " : "", inputs, nseeds, n);
	return 0;
}
