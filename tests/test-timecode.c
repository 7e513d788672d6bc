/*
 * test-timecode: SMPTE labels against frame counts at every rate, table-
 * driven from STANDARDS.md and the drop-frame rules (minute boundaries,
 * tenth minutes, the last frame of the day, the labels drop-frame skips),
 * then every frame of a whole day at every rate through tc_format() and
 * tc_parse() and back, arithmetic across midnight and rate conversion.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "timecode.h"

#define R(id) (&tc_rates[id])

/* Labels both ways: text at rate -> frames, and frames -> the canonical
 * text (want_text, or text when NULL). */
static const struct {
	enum tc_rate_id rate;
	const char *text;
	int64_t frames;
	const char *want_text;
} labels[] = {
	/* STANDARDS.md */
	{ TC_2997DF, "00:01:00;02", 1800, NULL },
	{ TC_2997DF, "00:10:00;00", 17982, NULL },
	{ TC_25, "10:00:00:00", 900000, NULL },
	/* 29.97 DF: a minute boundary skips ;00 and ;01 ... */
	{ TC_2997DF, "00:00:00;00", 0, NULL },
	{ TC_2997DF, "00:00:59;29", 1799, NULL },
	{ TC_2997DF, "00:01:59;29", 3597, NULL },
	{ TC_2997DF, "00:02:00;02", 3598, NULL },
	{ TC_2997DF, "00:09:59;29", 17981, NULL },
	/* ... but not at tenth minutes */
	{ TC_2997DF, "00:10:00;01", 17983, NULL },
	{ TC_2997DF, "00:10:59;29", 17982 + 1799, NULL },
	{ TC_2997DF, "00:11:00;02", 17982 + 1800, NULL },
	{ TC_2997DF, "01:00:00;00", 107892, NULL },
	{ TC_2997DF, "10:00:00;00", 1078920, NULL },
	{ TC_2997DF, "23:59:59;29", 2589407, NULL },
	/* the separator is a hint; the rate decides */
	{ TC_2997DF, "00:01:00:02", 1800, "00:01:00;02" },
	{ TC_2997DF, "00:01:00.02", 1800, "00:01:00;02" },
	{ TC_2997DF, "00;01;00;02", 1800, "00:01:00;02" },
	{ TC_2997DF, "0:1:0;2", 1800, "00:01:00;02" },
	/* 59.94 DF: ;00 to ;03 skipped, its own constants */
	{ TC_5994DF, "00:00:59;59", 3599, NULL },
	{ TC_5994DF, "00:01:00;04", 3600, NULL },
	{ TC_5994DF, "00:01:59;59", 7195, NULL },
	{ TC_5994DF, "00:02:00;04", 7196, NULL },
	{ TC_5994DF, "00:09:59;59", 35963, NULL },
	{ TC_5994DF, "00:10:00;00", 35964, NULL },
	{ TC_5994DF, "00:10:00;03", 35967, NULL },
	{ TC_5994DF, "01:00:00;00", 215784, NULL },
	{ TC_5994DF, "23:59:59;59", 5178815, NULL },
	/* non-drop at the same label rates */
	{ TC_2997, "00:01:00:00", 1800, NULL },
	{ TC_2997, "00:10:00:00", 18000, NULL },
	{ TC_2997, "01:00:00;00", 108000, "01:00:00:00" },
	{ TC_2997, "23:59:59:29", 2591999, NULL },
	{ TC_5994, "00:01:00:00", 3600, NULL },
	{ TC_5994, "23:59:59:59", 5183999, NULL },
	{ TC_30, "01:00:00:00", 108000, NULL },
	{ TC_60, "00:00:01:59", 119, NULL },
	{ TC_60, "23:59:59:59", 5183999, NULL },
	{ TC_23976, "01:00:00:00", 86400, NULL },
	{ TC_23976, "00:00:00:23", 23, NULL },
	{ TC_24, "23:59:59:23", 2073599, NULL },
	{ TC_25, "00:00:01:00", 25, NULL },
	{ TC_25, "23:59:59:24", 2159999, NULL },
	{ TC_50, "00:00:00:49", 49, NULL },
	{ TC_50, "12:00:00:00", 2160000, NULL },
};

/* Refused input, and what kind of error. */
static const struct {
	enum tc_rate_id rate;
	const char *text;
	int rc;
	const char *says;
} bad[] = {
	{ TC_2997DF, "00:01:00;00", TC_EDROPPED, "00:01:00;00" },
	{ TC_2997DF, "00:01:00;01", TC_EDROPPED, "00:01:00;01" },
	{ TC_2997DF, "00:01:00:01", TC_EDROPPED, "00:01:00:01" },
	{ TC_2997DF, "23:59:00;00", TC_EDROPPED, "skips ;00 to ;01" },
	{ TC_5994DF, "00:01:00;00", TC_EDROPPED, "00:01:00;00" },
	{ TC_5994DF, "00:01:00;02", TC_EDROPPED, "00:01:00;02" },
	{ TC_5994DF, "00:01:00;03", TC_EDROPPED, "skips ;00 to ;03" },
	{ TC_5994DF, "00:09:00;03", TC_EDROPPED, "00:09:00;03" },
	{ TC_25, "24:00:00:00", TC_ERANGE, "hours run 00 to 23" },
	{ TC_25, "00:60:00:00", TC_ERANGE, "minutes run 00 to 59" },
	{ TC_25, "00:00:60:00", TC_ERANGE, "seconds run 00 to 59" },
	{ TC_25, "00:00:00:25", TC_ERANGE, "frames run 00 to 24" },
	{ TC_23976, "00:00:00:24", TC_ERANGE, "frames run 00 to 23" },
	{ TC_2997DF, "00:00:00;30", TC_ERANGE, "frames run 00 to 29" },
	{ TC_5994DF, "00:00:00;60", TC_ERANGE, "frames run 00 to 59" },
	{ TC_25, "", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "banana", TC_ESYNTAX, "'banana' is not a timecode" },
	{ TC_25, "10:00:00", TC_ESYNTAX, "HH:MM:SS:FF" },
	{ TC_25, "10:00:00:00:00", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "100:00:00:00", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "10:00:00:00 ", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "10.00.00.00", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "10:00:00:-1", TC_ESYNTAX, "is not a timecode" },
	{ TC_25, "\x1b[2J", TC_ESYNTAX, "'?[2J'" },
};

static const struct {
	const char *name;
	enum tc_rate_id id;
} rate_names[] = {
	{ "23.976", TC_23976 }, { "23.98", TC_23976 }, { "24", TC_24 },
	{ "25", TC_25 }, { "29.97df", TC_2997DF }, { "29.97DF", TC_2997DF },
	{ "29.97", TC_2997 }, { "29.97ndf", TC_2997 }, { "30", TC_30 },
	{ "50", TC_50 }, { "59.94df", TC_5994DF }, { "59.94", TC_5994 },
	{ "59.94NDF", TC_5994 }, { "60", TC_60 },
};

static void
test_rates(void)
{
	static const int64_t per_day[TC_NRATES] = {
		[TC_23976] = 2073600, [TC_24] = 2073600, [TC_25] = 2160000,
		[TC_2997DF] = 2589408, [TC_2997] = 2592000,
		[TC_30] = 2592000, [TC_50] = 4320000,
		[TC_5994DF] = 5178816, [TC_5994] = 5184000,
		[TC_60] = 5184000,
	};
	const struct tc_rate *r;
	char err[320];
	size_t i;

	for (i = 0; i < sizeof rate_names / sizeof rate_names[0]; i++) {
		r = NULL;
		tc_rate_parse(rate_names[i].name, &r, err, sizeof err);
		tap_ok(r == R(rate_names[i].id), "rate '%s' is %s",
		    rate_names[i].name, R(rate_names[i].id)->name);
	}
	tap_is_int(tc_rate_parse("29.9", &r, err, sizeof err), TC_ERATE,
	    "rate '29.9' is refused");
	tap_contains(err, "'29.9' is not a timecode rate", "the error names "
	    "the input");
	tap_contains(err, "29.97df, 29.97 (non-drop)", "the error lists the "
	    "rates");
	for (i = 0; i < TC_NRATES; i++)
		tap_is_int(tc_frames_per_day(R(i)), per_day[i], "%s: frames "
		    "per day", R(i)->name);
	tap_ok(tc_rate_find(30000, 1001, true) == R(TC_2997DF), "30000/1001 "
	    "drop is 29.97df");
	tap_ok(tc_rate_find(2997, 100, false) == R(TC_2997), "2997/100 is "
	    "29.97");
	tap_ok(tc_rate_find(24000, 1001, false) == R(TC_23976), "24000/1001 "
	    "is 23.976");
	tap_ok(tc_rate_find(50, 2, false) == R(TC_25), "50/2 is 25");
	tap_ok(tc_rate_find(25, 1, true) == NULL, "25 has no drop-frame");
	tap_ok(tc_rate_of("30000/1001", true) == R(TC_2997DF),
	    "\"30000/1001\" with drop-frame is 29.97df");
	tap_ok(tc_rate_of("25", false) == R(TC_25), "\"25\" is 25");
	tap_ok(tc_rate_of("25/0", false) == NULL && tc_rate_of("25/1x",
	    false) == NULL && tc_rate_of(NULL, false) == NULL &&
	    tc_rate_of("17/1", false) == NULL,
	    "a bad fraction or an unknown rate is NULL");
	tap_ok(tc_rate_find(15, 1, false) == NULL, "15 is not a rate");
	tap_ok(tc_rate_find(1, 0, false) == NULL, "1/0 is not a rate");
}

static void
test_labels(void)
{
	char err[320], buf[TC_FORMAT_SIZE];
	const struct tc_rate *r;
	int64_t got;
	size_t i;
	int rc;

	for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
		r = R(labels[i].rate);
		got = -1;
		rc = tc_parse(labels[i].text, r, &got, err, sizeof err);
		if (!tap_is_int(rc, TC_OK, "%s: '%s' parses", r->name,
		    labels[i].text))
			tap_diag("%s", err);
		tap_is_int(got, labels[i].frames, "%s: '%s' is frame %lld",
		    r->name, labels[i].text, (long long)labels[i].frames);
		tap_is_str(tc_format(labels[i].frames, r, buf, sizeof buf),
		    labels[i].want_text != NULL ? labels[i].want_text :
		    labels[i].text, "%s: frame %lld formats", r->name,
		    (long long)labels[i].frames);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = R(bad[i].rate);
		err[0] = '\0';
		rc = tc_parse(bad[i].text, r, &got, err, sizeof err);
		tap_is_int(rc, bad[i].rc, "%s: '%s' is refused", r->name,
		    bad[i].text);
		tap_contains(err, bad[i].says, "%s: the error says '%s'",
		    r->name, bad[i].says);
	}
	tap_ok(strchr(err, '\x1b') == NULL, "no control character reaches "
	    "the message");
	/* tc_from_label() checks like tc_parse(). */
	tap_is_int(tc_from_label(&(struct tc_label){ 0, 21, 0, 1 },
	    R(TC_2997DF), &got, err, sizeof err), TC_EDROPPED,
	    "tc_from_label refuses 00:21:00;01");
	tap_contains(err, "00:21:00;01", "and names it");
	tap_is_int(tc_from_label(&(struct tc_label){ 0, 20, 0, 1 },
	    R(TC_2997DF), &got, err, sizeof err), TC_OK,
	    "tc_from_label takes 00:20:00;01");
	tap_is_int(got, 2 * 17982 + 1, "which is frame 35965");
	/* A short buffer gets a terminated prefix. */
	tap_is_str(tc_format(900000, R(TC_25), buf, 6), "10:00",
	    "a short buffer is truncated and terminated");
}

/* Every frame of a day through text and back, and each label the one
 * after the last: the drop rules leave no gap and no repeat. */
static void
test_whole_day(void)
{
	char buf[TC_FORMAT_SIZE], err[320];
	struct tc_label l, prev;
	clock_t t0 = clock();
	int64_t day, f, back;
	size_t i;

	for (i = 0; i < TC_NRATES; i++) {
		const struct tc_rate *r = R(i);
		int64_t bad_trip = -1, bad_next = -1, labels_seen = 0;

		day = tc_frames_per_day(r);
		tc_to_label(0, r, &prev);
		for (f = 0; f < day; f++) {
			tc_format(f, r, buf, sizeof buf);
			if (bad_trip < 0 && (tc_parse(buf, r, &back, err,
			    sizeof err) != TC_OK || back != f))
				bad_trip = f;
			if (f == 0)
				continue;
			/* The label from the text just checked, not another
			 * tc_to_label(): this loop runs 30 million times. */
			l.hours = (buf[0] - '0') * 10 + buf[1] - '0';
			l.minutes = (buf[3] - '0') * 10 + buf[4] - '0';
			l.seconds = (buf[6] - '0') * 10 + buf[7] - '0';
			l.frames = (buf[9] - '0') * 10 + buf[10] - '0';
			/* The next label: one frame on, or past the ones
			 * drop-frame skips. */
			prev.frames++;
			if (prev.frames == r->fps) {
				prev.frames = 0;
				if (++prev.seconds == 60) {
					prev.seconds = 0;
					if (++prev.minutes == 60) {
						prev.minutes = 0;
						prev.hours++;
					}
					if (prev.minutes % 10 != 0)
						prev.frames = r->drop;
				}
			}
			if (bad_next < 0 && memcmp(&l, &prev, sizeof l) != 0)
				bad_next = f;
			if (l.seconds == 0 && l.frames == 0)
				labels_seen++;
			prev = l;
		}
		if (!tap_is_int(bad_trip, -1, "%s: all %lld frames of a day "
		    "round-trip through text", r->name, (long long)day))
			tap_diag("frame %lld: '%s'", (long long)bad_trip, buf);
		tap_is_int(bad_next, -1, "%s: each label follows the last",
		    r->name);
		tap_is_int(labels_seen, r->drop != 0 ? 24 * 6 - 1 :
		    24 * 60 - 1, "%s: minutes that start on frame 00",
		    r->name);
		tc_to_label(day - 1, r, &l);
		tap_ok(l.hours == 23 && l.minutes == 59 && l.seconds == 59 &&
		    l.frames == r->fps - 1, "%s: the last frame of the day is "
		    "23:59:59:%02d", r->name, r->fps - 1);
	}
	tap_diag("whole days at every rate: %.2f s",
	    (double)(clock() - t0) / CLOCKS_PER_SEC);
}

static void
test_arithmetic(void)
{
	const struct tc_rate *r25 = R(TC_25), *df = R(TC_2997DF);
	char buf[TC_FORMAT_SIZE];
	int64_t a, b;

	tc_parse("10:00:00:00", r25, &a, NULL, 0);
	tc_parse("00:00:30:00", r25, &b, NULL, 0);
	tap_is_str(tc_format(tc_add(a, b, r25), r25, buf, sizeof buf),
	    "10:00:30:00", "25: 10:00:00:00 + 00:00:30:00");
	tap_is_str(tc_format(tc_sub(a, b, r25), r25, buf, sizeof buf),
	    "09:59:30:00", "25: 10:00:00:00 - 00:00:30:00");
	tap_is_int(tc_add(2159999, 1, r25), 0, "25: 23:59:59:24 + 1 wraps "
	    "to midnight");
	tap_is_int(tc_sub(0, 1, r25), 2159999, "25: midnight - 1 wraps back");
	tap_is_int(tc_wrap(-1, df), 2589407, "29.97df: frame -1 is the last "
	    "of the day");
	tap_is_int(tc_wrap(-2589408 * 3 - 5, df), 2589408 - 5, "29.97df: "
	    "three days and 5 frames back");
	tap_is_str(tc_format(-1, df, buf, sizeof buf), "23:59:59;29",
	    "29.97df: -1 formats as 23:59:59;29");
	tap_is_str(tc_format(2589408 + 1800, df, buf, sizeof buf),
	    "00:01:00;02", "29.97df: a day and 1800 frames");
	/* out - in across midnight is the duration */
	tc_parse("23:59:50;00", df, &a, NULL, 0);
	tc_parse("00:00:10;00", df, &b, NULL, 0);
	tap_is_int(tc_sub(b, a, df), 600, "29.97df: 23:59:50;00 to "
	    "00:00:10;00 is 600 frames");
	tc_parse("00:00:59;29", df, &a, NULL, 0);
	tap_is_str(tc_format(tc_add(a, 1, df), df, buf, sizeof buf),
	    "00:01:00;02", "29.97df: one frame past 00:00:59;29");
	tap_is_int(tc_add(INT64_MAX, INT64_MAX, r25), tc_wrap(
	    tc_wrap(INT64_MAX, r25) * 2, r25), "huge operands do not "
	    "overflow");
}

static void
test_convert(void)
{
	char buf[TC_FORMAT_SIZE], err[320];
	int64_t f, out;

	/* One real hour: 90,000 frames at 25, 107,892 at 29.97 DF (DF
	 * tracks the clock to 3.6 ms an hour), 86,314 at 23.976. */
	tap_is_int(tc_convert(90000, R(TC_25), R(TC_2997DF)), 107892,
	    "25 -> 29.97df: an hour is 107892 frames");
	tap_is_int(tc_convert(107892, R(TC_2997DF), R(TC_25)), 90000,
	    "29.97df -> 25: and back");
	tap_is_int(tc_convert(90000, R(TC_25), R(TC_23976)), 86314,
	    "25 -> 23.976: 86313.69 rounds to 86314");
	tap_is_int(tc_convert(1000, R(TC_2997), R(TC_30)), 1001,
	    "29.97 -> 30: 1000 frames last as long as 1001");
	tap_is_int(tc_convert(1001, R(TC_30), R(TC_2997)), 1000,
	    "30 -> 29.97: 1001 frames last as long as 1000");
	tap_is_int(tc_convert(1, R(TC_24), R(TC_60)), 3, "24 -> 60: 2.5 "
	    "rounds half up to 3");
	tap_is_int(tc_convert(-1, R(TC_24), R(TC_60)), -2, "24 -> 60: -2.5 "
	    "rounds half up to -2");
	tap_is_int(tc_convert(1000, R(TC_5994DF), R(TC_5994)), 1000,
	    "drop and non-drop share the real rate");
	tap_is_int(tc_convert(INT64_MAX, R(TC_24), R(TC_60)), INT64_MAX,
	    "an overflow saturates up");
	tap_is_int(tc_convert(INT64_MIN, R(TC_24), R(TC_60)), INT64_MIN,
	    "and down");
	tap_is_int(tc_convert(INT64_MAX, R(TC_60), R(TC_24)),
	    INT64_MAX / 5 * 2 + 1, "shrinking a huge count is exact");
	tc_parse("10:00:00:00", R(TC_25), &f, NULL, 0);
	tap_is_str(tc_format(tc_convert(f, R(TC_25), R(TC_2997DF)),
	    R(TC_2997DF), buf, sizeof buf), "10:00:00;01",
	    "25 10:00:00:00 is 10:00:00;01 at 29.97df by time");
	tap_is_str(tc_format(tc_convert(f, R(TC_25), R(TC_2997)),
	    R(TC_2997), buf, sizeof buf), "09:59:24:01",
	    "and 09:59:24:01 at non-drop 29.97");

	/* Same label: DF and non-drop count the same 30 labels. */
	tc_parse("01:00:00;00", R(TC_2997DF), &f, NULL, 0);
	tap_is_int(tc_convert_label(f, R(TC_2997DF), R(TC_2997), &out, err,
	    sizeof err), TC_OK, "29.97df -> 29.97 by label");
	tap_is_int(out, 108000, "01:00:00;00 is 01:00:00:00, frame 108000");
	tap_is_int(tc_convert_label(1800, R(TC_2997), R(TC_2997DF), &out,
	    err, sizeof err), TC_EDROPPED, "29.97 00:01:00:00 has no DF "
	    "label");
	tap_contains(err, "00:01:00;00", "and the error names it");
	tap_is_int(tc_convert_label(86400, R(TC_23976), R(TC_24), &out, err,
	    sizeof err), TC_OK, "23.976 -> 24 by label");
	tap_is_int(out, 86400, "keeps the count");
	tap_is_int(tc_convert_label(25, R(TC_25), R(TC_24), &out, err,
	    sizeof err), TC_ERATE, "25 -> 24 by label is refused");
	tap_contains(err, "convert by time", "and the error says what to "
	    "do");
}

int
main(void)
{
	clock_t t0 = clock();

	test_rates();
	test_labels();
	test_whole_day();
	test_arithmetic();
	test_convert();
	tap_diag("total: %.2f s", (double)(clock() - t0) / CLOCKS_PER_SEC);
	return tap_done();
}
