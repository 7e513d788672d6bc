/*
 * fuzz-timecode: arbitrary bytes as a timecode at every rate, and as a
 * rate name; whatever parses must format and parse back to the same frame,
 * errors must be one printable sentence, and frame counts taken from the
 * input must survive formatting and rate conversion. A broken invariant
 * aborts, which both libFuzzer and the replay driver report.
 *
 * `make check` builds this with tests/fuzz/fuzz-main.c, which replays the
 * seed corpus in tests/fuzz/corpus and a few thousand deterministic
 * pseudo-random inputs (a short run). The long run, with clang's libFuzzer,
 * from the top of the source tree (no autoconfig.h needed):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz-timecode.c src/timecode.c -o fuzz-timecode
 *   mkdir -p /tmp/tc-corpus
 *   ./fuzz-timecode -max_total_time=600 /tmp/tc-corpus tests/fuzz/corpus
 *
 * AFL++ takes the same entry point: build with afl-clang-fast (or
 * afl-clang-lto) and -fsanitize=fuzzer instead of clang, then
 * `afl-fuzz -i tests/fuzz/corpus -o /tmp/tc-afl -- ./fuzz-timecode`.
 * A crash file replays with `./fuzz-timecode CRASH` under either build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timecode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-timecode: %s: %s (%s:%d)\n",	\
		    (what), #cond, __FILE__, __LINE__);			\
		abort();						\
	}								\
} while (0)

/* An error is set, terminated and printable. */
static void
check_message(const char *err, size_t size)
{
	size_t n = strnlen(err, size);

	CHECK(n > 0 && n < size, "an error without a message");
	for (; *err != '\0'; err++)
		CHECK(*err >= 0x20 && *err < 0x7f, "a control byte in a "
		    "message");
}

static void
check_text(const char *s)
{
	char err[320], buf[TC_FORMAT_SIZE], err2[320];
	const struct tc_rate *rate;
	struct tc_label l;
	int64_t f, back;
	size_t i;
	int rc;

	for (i = 0; i < TC_NRATES; i++) {
		const struct tc_rate *r = &tc_rates[i];

		err[0] = '\0';
		rc = tc_parse(s, r, &f, err, sizeof err);
		if (rc != TC_OK) {
			CHECK(rc == TC_ESYNTAX || rc == TC_ERANGE ||
			    rc == TC_EDROPPED, "an unknown parse error");
			check_message(err, sizeof err);
			continue;
		}
		CHECK(f >= 0 && f < tc_frames_per_day(r), "parsed outside "
		    "the day");
		tc_format(f, r, buf, sizeof buf);
		CHECK(strlen(buf) == 11, "a label of the wrong length");
		CHECK(buf[8] == (r->drop != 0 ? ';' : ':'), "the wrong "
		    "separator");
		rc = tc_parse(buf, r, &back, err2, sizeof err2);
		CHECK(rc == TC_OK, "a formatted label does not parse");
		CHECK(back == f, "format(parse(x)) is another frame");
		tc_to_label(f, r, &l);
		CHECK(tc_from_label(&l, r, &back, err2, sizeof err2) ==
		    TC_OK && back == f, "label and frames disagree");
	}
	err[0] = '\0';
	if (tc_rate_parse(s, &rate, err, sizeof err) == TC_OK)
		CHECK(rate >= tc_rates && rate < tc_rates + TC_NRATES,
		    "a rate outside the table");
	else
		check_message(err, sizeof err);
}

/* Real frames per second of r compared with s: <0, 0, >0. */
static int
rate_cmp(const struct tc_rate *r, const struct tc_rate *s)
{
	int64_t a = (int64_t)r->num * s->den, b = (int64_t)s->num * r->den;

	return a < b ? -1 : a > b;
}

static void
check_frames(int64_t n)
{
	char buf[TC_FORMAT_SIZE], err[320];
	int64_t back, w, there;
	size_t i, j;
	int rc;

	for (i = 0; i < TC_NRATES; i++) {
		const struct tc_rate *a = &tc_rates[i];

		w = tc_wrap(n, a);
		CHECK(w >= 0 && w < tc_frames_per_day(a), "wrap outside the "
		    "day");
		tc_format(n, a, buf, sizeof buf);
		CHECK(tc_parse(buf, a, &back, err, sizeof err) == TC_OK &&
		    back == w, "a frame count does not round-trip");
		CHECK(tc_add(n, n, a) == tc_wrap(2 * w, a), "add");
		CHECK(tc_sub(tc_add(n, w, a), n, a) == w, "sub undoes add");
		for (j = 0; j < TC_NRATES; j++) {
			const struct tc_rate *b = &tc_rates[j];

			there = tc_convert(n, a, b);
			/* To a rate at least as fast and back is exact while
			 * nothing saturates. */
			if (rate_cmp(b, a) >= 0 && n > -(INT64_C(1) << 40) &&
			    n < INT64_C(1) << 40)
				CHECK(tc_convert(there, b, a) == n,
				    "conversion and back");
			err[0] = '\0';
			rc = tc_convert_label(n, a, b, &back, err, sizeof err);
			if (a->fps != b->fps)
				CHECK(rc == TC_ERATE, "label across fps");
			else if (rc == TC_OK)
				CHECK(back >= 0 && back <
				    tc_frames_per_day(b), "label conversion");
			else
				CHECK(rc == TC_EDROPPED && a->drop == 0 &&
				    b->drop != 0, "a label lost");
			if (rc != TC_OK)
				check_message(err, sizeof err);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	int64_t n = 0;
	size_t i;

	if (size > 4096)
		return 0;
	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	check_text(s);
	free(s);
	for (i = 0; i < size && i < 8; i++)
		n = (int64_t)((uint64_t)n << 8 | data[i]);
	check_frames(n);
	return 0;
}
