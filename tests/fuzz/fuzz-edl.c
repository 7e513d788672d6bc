/*
 * fuzz-edl: arbitrary bytes as an EDL at 25, 29.97 DF, 23.976 and 59.94;
 * a parse must not crash or leak, a list that parses must hold events
 * whose positions lie inside the day with record in <= out and source in
 * <= out (unless an M2 plays the clip in reverse), and an error must be
 * one printable sentence that starts "fuzz.edl:LINE: ". A broken invariant
 * aborts, which both libFuzzer and the replay driver report. The EDL
 * parser calls tc_parse() on every timecode field, so this fuzzes the
 * timecode parser through EDL text as well.
 *
 * `make check` builds this with tests/fuzz/fuzz-main.c (-DFUZZ_CORPUS=
 * "corpus-edl"), which replays tests/fuzz/corpus-edl and a few thousand
 * deterministic mutations (a short run). The long run, with clang's
 * libFuzzer, from the top of the source tree (no autoconfig.h needed):
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Isrc \
 *       tests/fuzz/fuzz-edl.c src/edl.c src/timecode.c -o fuzz-edl
 *   mkdir -p /tmp/edl-corpus
 *   ./fuzz-edl -max_total_time=600 -dict=tests/fuzz/edl.dict \
 *       /tmp/edl-corpus tests/fuzz/corpus-edl
 *
 * AFL++: build with afl-clang-fast and -fsanitize=fuzzer, then
 * `afl-fuzz -i tests/fuzz/corpus-edl -o /tmp/edl-afl -- ./fuzz-edl`.
 * A crash file replays with `./fuzz-edl CRASH` under either build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond, what) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "fuzz-edl: %s: %s (%s:%d)\n",		\
		    (what), #cond, __FILE__, __LINE__);			\
		abort();						\
	}								\
} while (0)

static void
check_error(const char *err, size_t size, int rc)
{
	const char *s = err;
	size_t n = strnlen(err, size);

	CHECK(rc == EDL_ESYNTAX || rc == EDL_ETIMECODE || rc == EDL_ERANGE ||
	    rc == EDL_ERATE, "an unknown error");
	CHECK(n > 0 && n < size, "an error without a message");
	CHECK(strncmp(err, "fuzz.edl:", 9) == 0, "an error without the name");
	s += 9;
	CHECK(*s >= '1' && *s <= '9', "an error without a line number");
	while (*s >= '0' && *s <= '9')
		s++;
	CHECK(s[0] == ':' && s[1] == ' ' && s[2] != '\0', "an error without "
	    "a sentence after the line");
	for (s = err; *s != '\0'; s++)
		CHECK(*s >= 0x20 && *s < 0x7f, "a control byte in a message");
}

static void
check_clip(const struct edl_event *ev, const struct edl_clip *c)
{
	int64_t day = tc_frames_per_day(ev->rate);

	CHECK(c->reel != NULL && c->reel[0] != '\0', "a clip without a reel");
	CHECK((c->channels & ~(EDL_CH_V | EDL_CH_AUDIO)) == 0, "channels");
	CHECK(c->src_in >= 0 && c->src_in < day && c->src_out >= 0 &&
	    c->src_out < day, "source outside the day");
	CHECK(c->rec_in >= 0 && c->rec_in < day && c->rec_out >= 0 &&
	    c->rec_out < day, "record outside the day");
	CHECK(c->rec_in <= c->rec_out, "record out before in");
	CHECK(c->src_in <= c->src_out || (c->has_speed && c->speed_fps < 0),
	    "source out before in");
	CHECK(c->src_duration >= 0 && c->rec_duration == c->rec_out -
	    c->rec_in, "durations");
	CHECK(c->trans_frames >= 0, "a negative transition");
}

static void
check_list(const struct edl *e)
{
	const struct edl_event *ev;
	size_t i, k;

	CHECK(e->rate != NULL, "no rate");
	CHECK(e->nevents == 0 || e->events != NULL, "events lost");
	for (i = 0; i < e->nevents; i++) {
		ev = &e->events[i];
		CHECK(ev->nclips == 1 || ev->nclips == 2, "clips per event");
		CHECK(ev->number != NULL && strlen(ev->number) >= 3, "number");
		CHECK(ev->rate >= tc_rates && ev->rate < tc_rates + TC_NRATES,
		    "a rate outside the table");
		CHECK((ev->fcm == EDL_DROP) == (ev->rate->drop != 0), "FCM");
		for (k = 0; k < ev->nclips; k++)
			check_clip(ev, &ev->clip[k]);
		for (k = 0; k < ev->nlocs; k++)
			CHECK(ev->locs[k].at >= 0 && ev->locs[k].at <
			    tc_frames_per_day(ev->rate), "LOC outside the day");
		CHECK(ev->rec_duration == ev->clip[ev->nclips - 1].rec_duration,
		    "event duration");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum tc_rate_id rates[] = { TC_25, TC_2997DF, TC_23976,
	    TC_5994 };
	struct edl *e;
	char err[512];
	size_t i;
	int rc;

	if (size > 65536)
		return 0;
	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		e = NULL;
		memset(err, 'x', sizeof err);
		rc = edl_parse((const char *)data, size, "fuzz.edl",
		    &tc_rates[rates[i]], &e, err, sizeof err);
		if (rc == EDL_OK) {
			CHECK(e != NULL, "success without a list");
			check_list(e);
			edl_free(e);
		} else {
			CHECK(e == NULL, "a list on failure");
			check_error(err, sizeof err, rc);
		}
	}
	return 0;
}
