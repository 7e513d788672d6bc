/*
 * timecode: SMPTE ST 12-1 timecode at the broadcast rates. A position is a
 * frame count from 00:00:00:00 (an int64_t); labels are text at the edges:
 * tc_parse() turns "01:00:00;00" into frames, tc_format() turns frames back
 * into a label, wrapping at 24 hours. Arithmetic and rate conversion work
 * on frame counts. Only libc: QC findings, the transcode line-up, the
 * ingest catalogue and the EDL conform all count frames through here.
 */
#ifndef MCR_TIMECODE_H
#define MCR_TIMECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tc_rate {
	const char *name;	/* "29.97df": what tc_rate_parse() takes */
	int num, den;		/* real frames per second: 30000/1001 */
	int fps;		/* label frames per second: 30 */
	int drop;		/* labels skipped per minute: 0, 2 or 4 */
};

/* The rates, in tc_rates[] order. 29.97 and 59.94 are non-drop; DF skips
 * 2 (29.97) or 4 (59.94) labels at each minute not divisible by 10. */
enum tc_rate_id {
	TC_23976, TC_24, TC_25, TC_2997DF, TC_2997, TC_30, TC_50, TC_5994DF,
	TC_5994, TC_60, TC_NRATES
};
extern const struct tc_rate tc_rates[TC_NRATES];

/* What went wrong; the err buffer says it in a sentence. */
enum tc_error {
	TC_OK = 0,
	TC_ESYNTAX = -1,	/* not HH:MM:SS:FF */
	TC_ERANGE = -2,		/* a field out of range (hour 24, frame
				 * 25 at 25 fps) */
	TC_EDROPPED = -3,	/* a label drop-frame never uses */
	TC_ERATE = -4,		/* an unknown rate, or no label conversion
				 * between these rates */
};

/* A label split into its fields. */
struct tc_label {
	int hours, minutes, seconds, frames;
};

/* "HH:MM:SS;FF" and its terminator. */
#define TC_FORMAT_SIZE 12

/* Finds a rate by name: 23.976 (or 23.98), 24, 25, 29.97df, 29.97 (or
 * 29.97ndf), 30, 50, 59.94df, 59.94 (or 59.94ndf), 60; any case. Returns 0,
 * or TC_ERATE with a sentence listing the rates in err. */
int tc_rate_parse(const char *s, const struct tc_rate **rate, char *err,
    size_t errlen);
/* The rate whose real frame rate is num/den (30000/1001, 25/1, 2997/100)
 * with or without drop-frame, or NULL: for rates read from media. */
const struct tc_rate *tc_rate_find(int num, int den, bool drop);

/* The same for a rate as catalogues store it, "30000/1001" or "25"; NULL
 * when the text is not such a fraction or names no broadcast rate. */
const struct tc_rate *tc_rate_of(const char *fraction, bool drop);

/* Frames in 24 hours of labels: 2,160,000 at 25; 2,589,408 at 29.97 DF. */
int64_t tc_frames_per_day(const struct tc_rate *r);
/* frames modulo a day, in [0, tc_frames_per_day()): -1 is the last frame
 * of the day. */
int64_t tc_wrap(int64_t frames, const struct tc_rate *r);

/* The label of frames (wrapped at 24 hours). */
void tc_to_label(int64_t frames, const struct tc_rate *r, struct tc_label *l);
/* The frame count of a label; checks every field and refuses the labels
 * drop-frame skips. Returns 0 or a tc_error with a sentence in err. */
int tc_from_label(const struct tc_label *l, const struct tc_rate *r,
    int64_t *frames, char *err, size_t errlen);

/* Parses HH:MM:SS:FF (one or two digits a field). The last separator may
 * be ':', ';', '.' or ',', the others ':' or ';'. The rate alone decides
 * how labels count: ';' at a non-drop rate or ':' at a drop-frame rate is
 * accepted, since EDLs and operators mix them. Returns 0 or a tc_error with
 * a sentence naming the input in err; *frames is in [0, frames per day). */
int tc_parse(const char *s, const struct tc_rate *r, int64_t *frames,
    char *err, size_t errlen);
/* Writes the label of frames (wrapped at 24 hours) into buf: ';' before
 * the frames at drop-frame rates, ':' otherwise. Returns buf; a buf
 * smaller than TC_FORMAT_SIZE gets a truncated label. */
char *tc_format(int64_t frames, const struct tc_rate *r, char *buf,
    size_t size);

/* a + b and a - b, wrapped at 24 hours: 23:59:59:24 + 1 is 00:00:00:00,
 * and out - in across midnight is the duration. */
int64_t tc_add(int64_t a, int64_t b, const struct tc_rate *r);
int64_t tc_sub(int64_t a, int64_t b, const struct tc_rate *r);

/* Frames at rate from to frames at rate to at the same real time, rounded
 * to the nearest frame (halves up); not wrapped, so it converts durations
 * as well as positions, saturating at the ends of int64_t. */
int64_t tc_convert(int64_t frames, const struct tc_rate *from,
    const struct tc_rate *to);
/* The frame at rate to with the same label as frames at rate from. Only
 * between rates with the same label frames per second (29.97 DF and
 * non-drop, 23.976 and 24, 59.94 and 60): otherwise TC_ERATE. A label that
 * drop-frame skips is TC_EDROPPED. Returns 0 or a tc_error, err says it. */
int tc_convert_label(int64_t frames, const struct tc_rate *from,
    const struct tc_rate *to, int64_t *out, char *err, size_t errlen);

#endif
