/*
 * test-edl: EDLs written here as strings go through edl_parse() and the
 * parsed events are checked field by field: cuts at 25 fps, a 29.97 DF
 * list with FCM changes mid-list, a dissolve, a wipe and a key over two
 * lines, audio-only and A/V channel forms, black and aux reels, M2 speed
 * changes, the comments an exporter writes, 32-character reels and CRLF.
 * Then a table of malformed lists, each with the "NAME:LINE:" its error
 * must start with and a phrase it must contain.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "edl.h"
#include "tap.h"

#define R(id) (&tc_rates[id])

/* Frames of a label that the test knows is valid. */
static int64_t
F(enum tc_rate_id id, const char *label)
{
	char err[256];
	int64_t f = -1;

	if (tc_parse(label, R(id), &f, err, sizeof err) != TC_OK)
		tap_diag("test label %s: %s", label, err);
	return f;
}

static struct edl *
parse(const char *text, const char *name, enum tc_rate_id rate)
{
	struct edl *e = NULL;
	char err[512];
	int rc;

	rc = edl_parse(text, strlen(text), name, R(rate), &e, err,
	    sizeof err);
	if (!tap_is_int(rc, EDL_OK, "%s parses", name))
		tap_diag("%s", err);
	return e;
}

static void
test_cuts(void)
{
	static const char text[] =
	    "TITLE: REEL 1 CUTS\n"
	    "FCM: NON-DROP FRAME\n"
	    "* exported by hand\n"
	    "\n"
	    "001  A001C003 V     C        01:00:10:00 01:00:15:00 "
	    "10:00:00:00 10:00:05:00\n"
	    "* FROM CLIP NAME: A001C003_220101.MOV\n"
	    "* SOURCE FILE: /media/day1/A001C003_220101.MOV\n"
	    "* LOC: 10:00:02:10 RED     flash frame   here\n"
	    "002  A001C004 V     C        01:02:00:00 01:02:02:12 "
	    "10:00:05:00 10:00:07:12\n"
	    "003  BL       V     C        00:00:00:00 00:00:01:00 "
	    "10:00:07:12 10:00:08:12\n";
	struct edl *e = parse(text, "cut.edl", TC_25);
	const struct edl_event *ev;

	if (e == NULL)
		return;
	tap_is_str(e->title, "REEL 1 CUTS", "title");
	tap_is_int(e->fcm, EDL_NON_DROP, "FCM at the start");
	tap_ok(e->rate == R(TC_25), "25 fps stays 25 fps");
	tap_is_int(e->ncomments, 1, "header comment kept");
	tap_is_str(e->comments[0].raw, "* exported by hand", "raw header "
	    "comment");
	tap_is_int(e->nevents, 3, "three events");
	ev = &e->events[0];
	tap_is_str(ev->number, "001", "number as written");
	tap_is_int(ev->num, 1, "number");
	tap_is_int(ev->line, 5, "event line");
	tap_is_int(ev->nclips, 1, "a cut is one line");
	tap_is_str(ev->clip[0].reel, "A001C003", "reel");
	tap_is_int(ev->clip[0].channels, EDL_CH_V, "video");
	tap_is_int(ev->trans, EDL_CUT, "cut");
	tap_is_int(ev->clip[0].src_in, 90250, "source in 01:00:10:00");
	tap_is_int(ev->clip[0].src_out, 90375, "source out");
	tap_is_int(ev->clip[0].rec_in, 900000, "record in 10:00:00:00");
	tap_is_int(ev->clip[0].rec_out, 900125, "record out");
	tap_is_int(ev->rec_duration, 125, "record duration");
	tap_is_int(ev->src_duration, 125, "source duration");
	tap_ok(ev->speed == 1.0, "normal speed");
	tap_is_str(ev->from_clip_name, "A001C003_220101.MOV", "FROM CLIP "
	    "NAME");
	tap_is_str(ev->source_file[0], "/media/day1/A001C003_220101.MOV",
	    "SOURCE FILE");
	tap_is_int(ev->ncomments, 3, "three comments on event 1");
	tap_is_str(ev->comments[2].raw, "* LOC: 10:00:02:10 RED     flash "
	    "frame   here", "raw LOC kept");
	tap_is_int(ev->nlocs, 1, "one LOC");
	tap_is_int(ev->locs[0].at, F(TC_25, "10:00:02:10"), "LOC timecode");
	tap_is_str(ev->locs[0].colour, "RED", "LOC colour");
	tap_is_str(ev->locs[0].text, "flash frame   here", "LOC text");
	tap_is_int(e->events[1].rec_duration, 62, "2 s 12 f");
	tap_is_int(e->events[1].ncomments, 0, "no comments on event 2");
	tap_is_int(e->events[2].clip[0].reel_kind, EDL_REEL_BLACK, "BL is "
	    "black");
	tap_is_int(e->events[0].clip[0].reel_kind, EDL_REEL_SOURCE, "a "
	    "source reel");
	edl_free(e);
}

static void
test_drop_frame(void)
{
	static const char text[] =
	    "TITLE: DF\n"
	    "FCM: DROP FRAME\n"
	    "001  R1 V C 00:59:59;28 01:00:05;00 01:00:00;00 01:00:05;02\n"
	    "FCM: NON-DROP FRAME\n"
	    "002  R2 V C 00:01:00:00 00:01:02:00 01:00:05:02 01:00:07:02\n"
	    "fcm: drop frame\n"
	    "003  R3 V C 00:01:00;02 00:01:01;02 01:00:07;02 01:00:08;02\n";
	struct edl *e = parse(text, "df.edl", TC_2997);
	char buf[TC_FORMAT_SIZE];

	if (e == NULL)
		return;
	tap_is_int(e->fcm, EDL_DROP, "DF at the start");
	tap_ok(e->rate == R(TC_2997DF), "FCM DROP makes 29.97 DF");
	tap_is_int(e->nevents, 3, "three events");
	tap_ok(e->events[0].rate == R(TC_2997DF), "event 1 is DF");
	tap_is_int(e->events[0].fcm, EDL_DROP, "event 1 FCM");
	tap_is_int(e->events[0].clip[0].rec_in, 107892, "01:00:00;00 DF");
	tap_is_str(tc_format(e->events[0].clip[0].rec_out,
	    e->events[0].rate, buf, sizeof buf), "01:00:05;02", "DF label "
	    "back");
	tap_ok(e->events[1].rate == R(TC_2997), "event 2 is non-drop");
	tap_is_int(e->events[1].fcm, EDL_NON_DROP, "event 2 FCM");
	tap_is_int(e->events[1].clip[0].src_in, 1800, "00:01:00:00 NDF");
	tap_ok(e->events[2].rate == R(TC_2997DF), "event 3 DF again (lower "
	    "case FCM)");
	tap_is_int(e->events[2].clip[0].src_in, 1800, "00:01:00;02 DF");
	tap_is_int(e->events[2].rec_duration, 30, "one second of labels");
	edl_free(e);
}

static void
test_transitions(void)
{
	static const char text[] =
	    "TITLE: TRANSITIONS\n"
	    "FCM: NON-DROP FRAME\n"
	    "001  BL       V     C        00:00:00:00 00:00:00:00 "
	    "01:00:00:00 01:00:00:00\n"
	    "001  A001     V     D    025 01:00:00:00 01:00:05:00 "
	    "01:00:00:00 01:00:05:00\n"
	    "* FROM CLIP NAME: BLACK\n"
	    "* TO CLIP NAME: A001_take2.mov\n"
	    "002  A001     V     C        01:00:05:00 01:00:05:00 "
	    "01:00:05:00 01:00:05:00\n"
	    "002  A002     V     W001 030 02:00:00:00 02:00:04:00 "
	    "01:00:05:00 01:00:09:00\n"
	    "003  A002     V     C        02:00:04:00 02:00:04:00 "
	    "01:00:09:00 01:00:09:00\n"
	    "003  GFX1     V     K    000 00:00:00:00 00:00:02:00 "
	    "01:00:09:00 01:00:11:00\n"
	    "004  GFX2     V     KB       00:00:00:00 00:00:01:00 "
	    "01:00:11:00 01:00:12:00\n"
	    "005  GFX2     V     KO       00:00:00:00 00:00:01:00 "
	    "01:00:12:00 01:00:13:00\n";
	struct edl *e = parse(text, "fx.edl", TC_25);
	const struct edl_event *ev;

	if (e == NULL)
		return;
	tap_is_int(e->nevents, 5, "five events");
	ev = &e->events[0];
	tap_is_int(ev->nclips, 2, "a dissolve is two lines");
	tap_is_int(ev->clip[0].reel_kind, EDL_REEL_BLACK, "from black");
	tap_is_int(ev->clip[0].trans, EDL_CUT, "from line is C");
	tap_is_str(ev->clip[1].reel, "A001", "to reel");
	tap_is_int(ev->trans, EDL_DISSOLVE, "dissolve");
	tap_is_int(ev->trans_frames, 25, "D 025");
	tap_is_int(ev->clip[1].line, 4, "to line");
	tap_is_int(ev->rec_duration, 125, "incoming record duration");
	tap_is_str(ev->from_clip_name, "BLACK", "FROM CLIP NAME");
	tap_is_str(ev->to_clip_name, "A001_take2.mov", "TO CLIP NAME");
	ev = &e->events[1];
	tap_is_int(ev->trans, EDL_WIPE, "wipe");
	tap_is_int(ev->clip[1].wipe, 1, "W001");
	tap_is_int(ev->trans_frames, 30, "wipe 030");
	ev = &e->events[2];
	tap_is_int(ev->trans, EDL_KEY, "key");
	tap_is_int(ev->trans_frames, 0, "K 000");
	tap_is_int(e->events[3].trans, EDL_KEY_BACKGROUND, "KB");
	tap_is_int(e->events[4].trans, EDL_KEY_OUT, "KO");
	edl_free(e);
}

static void
test_channels(void)
{
	static const struct {
		const char *channels;
		unsigned mask;
	} t[] = {
		{ "V", EDL_CH_V },
		{ "A", EDL_CH_A(1) },
		{ "A2", EDL_CH_A(2) },
		{ "AA", EDL_CH_A(1) | EDL_CH_A(2) },
		{ "AA/V", EDL_CH_V | EDL_CH_A(1) | EDL_CH_A(2) },
		{ "A/V", EDL_CH_V | EDL_CH_A(1) },
		{ "B", EDL_CH_V | EDL_CH_A(1) },
		{ "A3/A4", EDL_CH_A(3) | EDL_CH_A(4) },
		{ "a8", EDL_CH_A(8) },
		{ "NONE", 0 },
	};
	char text[256];
	struct edl *e;
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(text, sizeof text, "001  AUDIO1 %s C 01:00:00:00 "
		    "01:00:01:00 01:00:00:00 01:00:01:00\n", t[i].channels);
		e = parse(text, "ch.edl", TC_25);
		if (e != NULL)
			tap_is_int(e->events[0].clip[0].channels, t[i].mask,
			    "channels %s", t[i].channels);
		edl_free(e);
	}
	e = parse("001  AX V C 01:00:00:00 01:00:01:00 01:00:00:00 "
	    "01:00:01:00\nAUD  3    4\n", "aud.edl", TC_25);
	if (e != NULL) {
		tap_is_int(e->events[0].clip[0].channels, EDL_CH_V |
		    EDL_CH_A(3) | EDL_CH_A(4), "AUD 3 4 adds tracks");
		tap_is_int(e->events[0].clip[0].reel_kind, EDL_REEL_AUX,
		    "AX is aux");
	}
	edl_free(e);
}

static void
test_speed(void)
{
	static const char text[] =
	    "TITLE: SPEED\n"
	    "FCM: NON-DROP FRAME\n"
	    "001  TAPE1    V     C        01:00:00:00 01:00:02:00 "
	    "10:00:00:00 10:00:02:00\n"
	    "M2   TAPE1       025.0                01:00:00:00\n"
	    "002  TAPE1    V     C        01:00:10:00 01:00:20:00 "
	    "10:00:02:00 10:00:07:00\n"
	    "M2   TAPE1       050.0                01:00:10:00\n"
	    "003  TAPE2    V     C        01:00:30:00 01:00:25:00 "
	    "10:00:07:00 10:00:12:00\n"
	    "M2   TAPE2       -025.0               01:00:30:00\n"
	    "004  TAPE3    V     C        01:00:00:00 01:00:00:01 "
	    "10:00:12:00 10:00:14:00\n"
	    "* FROM CLIP NAME: frozen\n"
	    "M2   TAPE3       000.0                01:00:00:00\n"
	    "005  TAPE4    V     C        01:00:00:00 01:00:02:00 "
	    "10:00:14:00 10:00:16:00\n"
	    "004  M2   TAPE3  000.0  01:00:00:00\n";
	struct edl *e = parse(text, "speed.edl", TC_25);

	if (e == NULL)
		return;
	tap_is_int(e->nevents, 5, "five events");
	tap_is_int(e->events[0].nspeeds, 1, "M2 on event 1");
	tap_ok(e->events[0].speed == 1.0, "025.0 is normal speed");
	tap_ok(e->events[1].speed == 2.0, "050.0 is twice");
	tap_is_int(e->events[1].src_duration, 250, "10 s of source");
	tap_is_int(e->events[1].rec_duration, 125, "in 5 s of record");
	tap_ok(e->events[1].clip[0].speed_fps == 50.0, "speed in fps");
	tap_is_int(e->events[1].speeds[0].at, F(TC_25, "01:00:10:00"),
	    "M2 timecode");
	tap_ok(e->events[2].speed == -1.0, "-025.0 is reverse");
	tap_is_int(e->events[2].src_duration, 125, "reverse source "
	    "duration");
	tap_ok(e->events[3].speed == 0.0, "000.0 is a freeze");
	tap_is_int(e->events[3].ncomments, 1, "comment before the M2 kept");
	tap_is_int(e->events[3].nspeeds, 2, "M2 by event number attaches "
	    "to event 004");
	tap_is_int(e->events[4].nspeeds, 0, "event 5 has no M2");
	tap_ok(e->events[4].speed == 1.0, "event 5 is normal speed");
	edl_free(e);
}

static void
test_wide_crlf(void)
{
	static const char text[] =
	    "TITLE: Resolve export\r\n"
	    "FCM: NON-DROP FRAME\r\n"
	    "\r\n"
	    "001  A001_C003_0101XY_001_ABCDEFGHIJKL V     C        "
	    "01:00:00:00 01:00:02:00 00:00:00:00 00:00:02:00  \r\n"
	    "* FROM CLIP NAME: A001_C003_0101XY_001.mov\r\n"
	    "*SOURCE FILE:\t/Volumes/RAID/A001_C003_0101XY_001.mov\r\n"
	    "* ASC_SOP (1.1 1.0 0.9)(0.0 0.0 0.0)(1.0 1.0 1.0)\r\n"
	    "* ASC_SAT 0.9\r\n"
	    "0002\tb002_c010_0202ab_001_longreelname\taa/v\tc\t"
	    "01:00:00:00\t01:00:01:00\t00:00:02:00\t00:00:03:00\r\n"
	    "0003  black    v     c        00:00:00:00 00:00:01:00 "
	    "00:00:03:00 00:00:04:00\r\n";
	struct edl *e = parse(text, "wide.edl", TC_24);
	const struct edl_event *ev;

	if (e == NULL)
		return;
	tap_is_str(e->title, "Resolve export", "title without CR");
	tap_is_int(e->nevents, 3, "three events");
	ev = &e->events[0];
	tap_is_str(ev->clip[0].reel, "A001_C003_0101XY_001_ABCDEFGHIJKL",
	    "a 33-character reel");
	tap_is_int(ev->clip[0].rec_out, 48, "2 s at 24");
	tap_is_str(ev->from_clip_name, "A001_C003_0101XY_001.mov", "clip "
	    "name without CR");
	tap_is_str(ev->source_file[0],
	    "/Volumes/RAID/A001_C003_0101XY_001.mov", "SOURCE FILE, no "
	    "space after '*', a tab after ':'");
	tap_is_str(ev->asc_sop, "(1.1 1.0 0.9)(0.0 0.0 0.0)(1.0 1.0 1.0)",
	    "ASC_SOP raw");
	tap_is_str(ev->asc_sat, "0.9", "ASC_SAT raw");
	ev = &e->events[1];
	tap_is_str(ev->number, "0002", "four-digit number as written");
	tap_is_str(ev->clip[0].reel, "b002_c010_0202ab_001_longreelname",
	    "tabs and lower case");
	tap_is_int(ev->clip[0].channels, EDL_CH_V | EDL_CH_A(1) |
	    EDL_CH_A(2), "aa/v");
	tap_is_int(e->events[2].clip[0].reel_kind, EDL_REEL_BLACK, "black "
	    "in lower case");
	edl_free(e);
}

/* Malformed lists: the error starts with prefix and contains phrase. */
static const struct {
	const char *what;
	enum tc_rate_id rate;
	const char *text;
	const char *prefix;
	const char *phrase;
} bad[] = {
	{ "bad timecode", TC_25,
	    "TITLE: X\nFCM: NON-DROP FRAME\n"
	    "001  A V C 01:00:00:00 01:00:0x:00 01:00:00:00 01:00:01:00\n",
	    "bad.edl:3: ", "source out: '01:00:0x:00' is not a timecode" },
	{ "frame 25 at 25 fps", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:25 01:00:01:00\n",
	    "bad.edl:1: ", "record in: timecode 01:00:00:25 has frame 25" },
	{ "a label drop-frame skips", TC_2997DF,
	    "TITLE: X\nFCM: DROP FRAME\n\n"
	    "001  A V C 00:00:00;00 00:00:01;00 00:01:00;00 00:01:01;00\n",
	    "bad.edl:4: ", "does not exist at 29.97df" },
	{ "source out before in", TC_25,
	    "TITLE: X\nFCM: NON-DROP FRAME\n"
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
	    "002  A V C 01:00:10:00 01:00:05:00 01:00:01:00 01:00:06:00\n"
	    "* FROM CLIP NAME: x\n",
	    "bad.edl:4: ", "source out 01:00:05:00 is before source in "
	    "01:00:10:00" },
	{ "record out before in", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:05:00 01:00:01:00\n",
	    "bad.edl:1: ", "record out 01:00:01:00 is before record in "
	    "01:00:05:00" },
	{ "too few fields", TC_25,
	    "TITLE: X\n001  A V C 01:00:00:00 01:00:01:00 01:00:00:00\n",
	    "bad.edl:2: ", "event 001 has 7 fields; expected number, reel" },
	{ "too many fields", TC_25,
	    "001  A V D 10 X 01:00:00:00 01:00:01:00 01:00:00:00 "
	    "01:00:01:00\n",
	    "bad.edl:1: ", "has 10 fields" },
	{ "unknown transition", TC_25,
	    "001  A V X 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
	    "bad.edl:1: ", "transition 'X' is not understood; expected C, D" },
	{ "dissolve without a duration", TC_25,
	    "001  A V D 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
	    "bad.edl:1: ", "D without a duration" },
	{ "unknown channels", TC_25,
	    "001  A VV C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
	    "bad.edl:1: ", "channels 'VV' are not understood" },
	{ "garbage line", TC_25,
	    "TITLE: X\n\nhello world\n",
	    "bad.edl:3: ", "'hello world' is not an EDL line; expected" },
	{ "short event number", TC_25,
	    "01  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n",
	    "bad.edl:1: ", "event number '01' is not one" },
	{ "drop frame at 25 fps", TC_25,
	    "TITLE: X\r\nFCM: DROP FRAME\r\n",
	    "bad.edl:2: ", "drop frame is only defined at 29.97 and 59.94" },
	{ "unknown FCM", TC_2997,
	    "FCM: SOMETIMES\n", "bad.edl:1: ", "expected DROP FRAME or "
	    "NON-DROP FRAME" },
	{ "third line of an event", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
	    "001  B V D 010 01:00:00:00 01:00:01:00 01:00:00:00 "
	    "01:00:01:00\n"
	    "001  C V D 010 01:00:00:00 01:00:01:00 01:00:00:00 "
	    "01:00:01:00\n",
	    "bad.edl:3: ", "event 001 has a third line" },
	{ "M2 for no reel", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
	    "M2   Z 050.0 01:00:00:00\n",
	    "bad.edl:2: ", "M2 line names reel Z" },
	{ "M2 with a bad speed", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
	    "M2   A fast 01:00:00:00\n",
	    "bad.edl:2: ", "M2 speed 'fast' is not a number" },
	{ "LOC with a bad timecode", TC_25,
	    "001  A V C 01:00:00:00 01:00:01:00 01:00:00:00 01:00:01:00\n"
	    "* LOC: 1:00 RED x\n",
	    "bad.edl:2: ", "LOC timecode: '1:00' is not a timecode" },
	{ "M2 undoing a reverse", TC_25,
	    "001  A V C 01:00:10:00 01:00:05:00 01:00:00:00 01:00:05:00\n"
	    "M2   A -025.0 01:00:10:00\n"
	    "002  B V C 01:00:00:00 01:00:01:00 01:00:05:00 01:00:06:00\n"
	    "M2   A 050.0 01:00:10:00\n",
	    "bad.edl:4: ", "event 001 plays its source out before in" },
	{ "a NUL byte", TC_25, NULL, "bad.edl:2: ", "a NUL byte" },
};

static void
test_errors(void)
{
	static const char nul[] = "TITLE: X\nFCM\0: NON-DROP FRAME\n";
	struct edl *e;
	char err[512];
	size_t i;
	int rc;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		e = (struct edl *)1;
		err[0] = '\0';
		if (bad[i].text != NULL)
			rc = edl_parse(bad[i].text, strlen(bad[i].text),
			    "bad.edl", R(bad[i].rate), &e, err, sizeof err);
		else
			rc = edl_parse(nul, sizeof nul - 1, "bad.edl",
			    R(bad[i].rate), &e, err, sizeof err);
		tap_ok(rc < 0 && e == NULL, "%s: refused", bad[i].what);
		tap_ok(strncmp(err, bad[i].prefix, strlen(bad[i].prefix)) ==
		    0, "%s: starts %s (%s)", bad[i].what, bad[i].prefix, err);
		tap_contains(err, bad[i].phrase, "%s: says what", bad[i].what);
	}
	rc = edl_parse("", 0, "x.edl", NULL, &e, err, sizeof err);
	tap_is_int(rc, EDL_ERATE, "no rate is refused");
	e = parse("", "empty.edl", TC_25);
	tap_ok(e != NULL && e->nevents == 0 && e->title == NULL, "an empty "
	    "list is no events");
	edl_free(e);
}

int
main(void)
{
	test_cuts();
	test_drop_frame();
	test_transitions();
	test_channels();
	test_speed();
	test_wide_crlf();
	test_errors();
	return tap_done();
}
