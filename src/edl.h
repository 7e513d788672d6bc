/*
 * edl: the CMX3600 edit decision list and its wider-reel variants (Avid,
 * Premiere, Resolve). edl_parse() reads the text once, line by line, into a
 * struct edl: the title, the FCM at the start, and the events, each with
 * its one or two clip lines (a dissolve, wipe or key is a "from" line and
 * a "to" line sharing the event number), its '*' comments kept raw and the
 * known ones parsed, and its M2 speed changes. Every timecode goes through
 * timecode.c; positions are frames at the event's rate. Only libc and
 * timecode.c, so a fuzz target can build it alone.
 */
#ifndef MCR_EDL_H
#define MCR_EDL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "timecode.h"

/* Channels as a bit mask: video, then audio tracks 1 to 8. B is A/V;
 * AA is A and A2; NONE is 0. */
#define EDL_CH_V	0x001u
#define EDL_CH_A(n)	(1u << (n))
#define EDL_CH_AUDIO	0x1feu

enum edl_fcm {
	EDL_NON_DROP,
	EDL_DROP
};

enum edl_reel_kind {
	EDL_REEL_SOURCE,
	EDL_REEL_BLACK,		/* BL or BLACK */
	EDL_REEL_AUX		/* AX */
};

enum edl_trans {
	EDL_CUT,		/* C */
	EDL_DISSOLVE,		/* D */
	EDL_WIPE,		/* W### */
	EDL_KEY,		/* K */
	EDL_KEY_BACKGROUND,	/* KB */
	EDL_KEY_OUT		/* KO */
};

/* What went wrong; the err buffer says it, naming the line. */
enum edl_error {
	EDL_OK = 0,
	EDL_ESYNTAX = -1,	/* a line that is not EDL, a bad field */
	EDL_ETIMECODE = -2,	/* a timecode that is not one at the rate */
	EDL_ERANGE = -3,	/* an out point before its in point */
	EDL_ERATE = -4		/* no rate, or drop frame where there is none */
};

/* One event line. Out points are exclusive. */
struct edl_clip {
	int line;
	char *reel;		/* as written, any width */
	enum edl_reel_kind reel_kind;
	unsigned channels;	/* EDL_CH_* */
	enum edl_trans trans;
	int wipe;		/* the ### of W###, else 0 */
	int64_t trans_frames;	/* the transition's duration */
	int64_t src_in, src_out, rec_in, rec_out;
	int64_t src_duration;	/* out - in; in - out when played reverse */
	int64_t rec_duration;
	bool has_speed;		/* an M2 line names this clip's reel */
	double speed_fps;	/* M2 speed: negative is reverse, 0 freeze */
	int64_t speed_at;	/* the M2 source timecode, in frames */
	double speed;		/* speed_fps / label fps: 1 unless M2 */
};

struct edl_comment {
	int line;
	char *raw;		/* the whole line, trailing space removed */
};

/* * LOC: 01:00:05:00 RED text */
struct edl_loc {
	int line;
	int64_t at;		/* frames at the event's rate */
	char *colour;		/* may be "" */
	char *text;		/* may be "" */
};

/* M2 reel speed timecode */
struct edl_speed {
	int line;
	char *reel;
	double fps;
	int64_t at;
};

struct edl_event {
	char *number;		/* as written: "001", "0001" */
	long num;
	int line;		/* the first event line */
	const struct tc_rate *rate;	/* the rate in force: its FCM */
	enum edl_fcm fcm;
	struct edl_clip clip[2];	/* from, then to for a transition */
	size_t nclips;
	/* The incoming clip's (the last line's), for a conform check. */
	enum edl_trans trans;
	int64_t trans_frames;
	int64_t rec_duration, src_duration;
	double speed;
	char *from_clip_name, *to_clip_name;	/* or NULL */
	char *source_file[2];	/* the first two SOURCE FILE, or NULL */
	char *asc_sop, *asc_sat;	/* raw text after the key, or NULL */
	struct edl_loc *locs;
	size_t nlocs;
	struct edl_comment *comments;	/* every line after the event */
	size_t ncomments;
	struct edl_speed *speeds;
	size_t nspeeds;
};

struct edl {
	char *title;		/* or NULL */
	enum edl_fcm fcm;	/* in force at the first event */
	const struct tc_rate *rate;
	struct edl_comment *comments;	/* comment lines before any event */
	size_t ncomments;
	struct edl_event *events;
	size_t nevents;
};

/* Parses len bytes of text as an EDL. default_rate is the project rate
 * (required); FCM lines switch 29.97 and 59.94 between drop and non-drop.
 * Returns 0 with *out the list (free with edl_free()), or an edl_error
 * with "name:LINE: what is wrong; what was expected" in err. */
int edl_parse(const char *text, size_t len, const char *name,
    const struct tc_rate *default_rate, struct edl **out, char *err,
    size_t errlen);
/* Frees e and everything it holds; NULL is fine. */
void edl_free(struct edl *e);

#endif
