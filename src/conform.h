/*
 * conform: an EDL checked against the media catalogue before an online or
 * a grade. Every clip line of every event is resolved to catalogued media
 * (by its * SOURCE FILE, then its clip name, then its reel or tape name,
 * in the order the caller sets), its source range is checked against the
 * media's timecode range, its record and source durations are compared
 * (M2 speed changes aside), and each track is walked for gaps and
 * overlaps. Media that moved is offered a relink (same name, duration and
 * start timecode). The pull list is the union of what the events use,
 * per file, with handles.
 *
 * The catalogue reaches this module through a callback, so it needs no
 * SQLite; the caller (mcr conform) reads the shift log's media table.
 */
#ifndef MCR_CONFORM_H
#define MCR_CONFORM_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "edl.h"

/* One catalogued file, as conform reads it. Strings may be NULL; they
 * all point into storage, one allocation per row that conform frees. */
struct conform_media {
	char *storage;
	int64_t id;
	char *path, *name, *clip, *reel;
	char *rate;		/* "25/1", "30000/1001" */
	char *tc_start;		/* "10:00:00:00" */
	char *hashes;		/* JSON {"xxh128": ...}: copies or not */
	char *state;		/* online, missing, quarantined, deleted */
	int64_t size, frames;	/* -1 when unknown */
	double duration;	/* seconds; < 0 when unknown */
	int drop_frame;		/* 1, 0, or -1 when unknown */
};

enum conform_key {
	CONFORM_BY_SOURCE_FILE,	/* * SOURCE FILE: its file name */
	CONFORM_BY_CLIP_NAME,	/* * FROM/TO CLIP NAME: clip or file stem */
	CONFORM_BY_REEL,	/* the reel column: reel, clip or file stem */
	CONFORM_NKEYS
};

/* The source frames a lookup is for, [first, end) at rate: the catalogue
 * may leave out media at that rate that cannot hold them. */
struct conform_at {
	const struct tc_rate *rate;
	int64_t first, end;
};

/* Finds the catalogue rows matching key by the kind of name `by`, and
 * appends copies to *v (grown with xrealloc; conform frees them). Returns
 * 0, or -1 with a sentence in err. conform_media_pack() fills a row. */
typedef int (*conform_find_fn)(void *arg, enum conform_key by,
    const char *key, const struct conform_at *at, struct conform_media **v,
    size_t *n, char *err, size_t errlen);

struct conform_opts {
	enum conform_key order[CONFORM_NKEYS];	/* tried in this order */
	size_t norder;				/* 0: all three, as above */
	const char *media_root;	/* only media under it; relinks found here */
	int64_t handles;	/* frames added to each end in the pull list */
	conform_find_fn find;
	void *find_arg;
};

enum conform_status {
	CONFORM_RESOLVED,
	CONFORM_MISSING,	/* nothing catalogued, or offline */
	CONFORM_OUT_OF_RANGE,	/* catalogued, but not these frames */
	CONFORM_AMBIGUOUS,	/* several different files fit */
	CONFORM_BLACK,		/* BL: no media needed */
	CONFORM_AUX,		/* AX: an auxiliary source, not checked */
	CONFORM_NSTATUS
};

/* One clip line's outcome. The media pointer (or NULL) is the file it
 * resolved to, or the nearest candidate when out of range. */
struct conform_clip {
	const struct edl_event *event;
	const struct edl_clip *clip;
	int which;			/* 0 from, 1 to */
	const char *key;		/* the name that matched, or NULL */
	enum conform_key matched_by;
	enum conform_status status;
	struct conform_media *media;
	size_t candidates;
	int64_t media_in, media_out;	/* the frames used, at media rate */
	int64_t media_first, media_frames;	/* what the media holds */
	const struct tc_rate *media_rate;	/* NULL when unknown */
	char **problems;		/* sentences */
	size_t nproblems;
	bool error;			/* a problem that fails the check */
	char *relink;			/* where the media is now, or NULL */
	char *note;			/* why the status, one sentence */
	size_t media_ix;		/* internal: 1 + index into media */
};

enum conform_issue_kind { CONFORM_GAP, CONFORM_OVERLAP };

/* A gap or overlap on one track, in record frames at the EDL's rate. */
struct conform_issue {
	enum conform_issue_kind kind;
	unsigned channel;		/* one EDL_CH_* bit */
	int64_t rec_in, rec_out;
	const struct edl_event *before, *after;
};

/* One file of the pull list: the range the events need, with handles. */
struct conform_pull {
	const struct conform_media *media;
	const struct tc_rate *rate;
	int64_t in, out;		/* media frames, out exclusive */
	char *events;			/* "001,004,012" */
};

struct conform_result {
	const struct edl *edl;
	const char *edl_name;
	struct conform_clip *clips;
	size_t nclips;
	struct conform_issue *issues;
	size_t nissues;
	struct conform_media *media;	/* every row the lookups returned */
	size_t nmedia;
	size_t count[CONFORM_NSTATUS];
	size_t problems, errors;	/* clips with problems, that fail */
	bool failed;		/* not every event resolved and clean */
	struct conform_cache *cache;	/* internal: lookups done */
};

/* Checks e against the catalogue. Returns 0 with *out (free with
 * conform_free()), or -1 with a sentence in err when the catalogue could
 * not be read. */
int conform_run(const struct edl *e, const char *edl_name,
    const struct conform_opts *o, struct conform_result **out, char *err,
    size_t errlen);
void conform_free(struct conform_result *r);

/* Copies the strings of a row into m->storage, one allocation. */
void conform_media_pack(struct conform_media *m, const char *path,
    const char *name, const char *clip, const char *reel, const char *rate,
    const char *tc_start, const char *hashes, const char *state);

const char *conform_status_name(enum conform_status s);
const char *conform_key_name(enum conform_key k);
/* "V", "A", "A2", ... for one EDL_CH_* bit. */
const char *conform_channel_name(unsigned channel);

/* The report as JSON (mcr(1) documents the keys), as text for the
 * terminal, and as one self-contained HTML page. */
json_t *conform_json(const struct conform_result *r);
void conform_text(FILE *f, const struct conform_result *r);
int conform_html(FILE *f, const struct conform_result *r);

/* The pull list: one entry per file and continuous range, handles added
 * and clipped to the media. Free with conform_pull_free(). */
int conform_pull_list(const struct conform_result *r, int64_t handles,
    struct conform_pull **v, size_t *n);
void conform_pull_free(struct conform_pull *v, size_t n);
void conform_pull_csv(FILE *f, const struct conform_pull *v, size_t n);
json_t *conform_pull_json(const struct conform_pull *v, size_t n,
    int64_t handles);

#endif
