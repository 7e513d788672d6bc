/*
 * profile: the transcode profiles (etc/profiles/NAME.ini) and line-up
 * specs (etc/profiles/lineup/NAME.ini), read with inih. A profile says
 * what a transcode makes: container, codecs and their options, picture
 * size, rate, scan and field order, colour, how a picture of another
 * shape fits, burnt-in timecode and watermark, audio layout and loudness,
 * and how the output is named. Only libc and inih: the engine turns a
 * profile into FFmpeg calls, and `mcr profiles` lists them.
 */
#ifndef MCR_TRANSCODE_PROFILE_H
#define MCR_TRANSCODE_PROFILE_H

#include <stddef.h>

struct profile_opt {
	char *key;
	char *value;
};

enum profile_fit {
	FIT_PILLARBOX,		/* letterbox or pillarbox: keep the shape */
	FIT_ANAMORPHIC,		/* fill the frame; the pixel shape carries it */
	FIT_STRETCH,		/* fill the frame, square pixels */
};

enum profile_audio {
	AUDIO_NONE,
	AUDIO_MONO,		/* tracks mono streams */
	AUDIO_STEREO,		/* one stereo stream */
};

struct profile {
	char *name;		/* the file's stem */
	char *path;
	char *description;
	char *container;	/* libavformat muxer: mov, mp4, mxf, wav, dv */
	char *extension;
	char *naming;		/* {name} {profile} {ext} {track} */

	int video;		/* 0: audio only */
	char *vcodec;
	char *pix_fmt;
	int width, height;	/* 0: the source's */
	int rate_num, rate_den;	/* 0: the source's */
	int interlaced;		/* 1: interlaced, 0: progressive */
	int tff;		/* top field first (when interlaced) */
	char *colour;		/* bt709, bt601-625, bt601-525 */
	int dar_num, dar_den;	/* display aspect; 0: width:height */
	enum profile_fit fit;
	int burn_timecode;
	char *watermark;	/* NULL: none */
	struct profile_opt *vopts;
	size_t nvopts;

	enum profile_audio audio;
	char *acodec;
	int sample_rate;
	int tracks;		/* mono streams, or 2 for stereo */
	int split;		/* one file per track (stems) */
	struct profile_opt *aopts;
	size_t naopts;
	int loudness_set;
	double loudness;	/* LUFS target */
	int loudness_dynamic;	/* loudnorm instead of one linear gain */
	double true_peak;	/* dBTP: the limit, reported or enforced */
	double lra;		/* for the dynamic mode */

	struct profile_opt *mopts;	/* muxer options */
	size_t nmopts;
};

/* Reads the profile at path. Returns a new profile, or NULL with one
 * sentence naming the file and line in err. */
struct profile *profile_load(const char *path, char *err, size_t errlen);
/* The profile NAME from dir (NAME.ini). NULL with err when there is none
 * or it does not parse. */
struct profile *profile_find(const char *dir, const char *name, char *err,
    size_t errlen);
void profile_free(struct profile *p);
/* The names of the profiles in dir, sorted; a new array of new strings.
 * Returns how many, or -1 with err when dir cannot be read. */
int profile_list(const char *dir, char ***names, char *err, size_t errlen);

enum lineup_bars { BARS_EBU100, BARS_SMPTEHD };

/* A line-up: bars and tone, then an ident clock, then black, then the
 * programme at its timecode. Times are labels, converted by the engine at
 * the output's rate; a part left out is NULL. */
struct lineup {
	char *name;
	char *path;
	char *programme;	/* "10:00:00:00" */
	char *bars_start;
	char *ident_start;
	char *black_start;
	enum lineup_bars bars;
	double tone_dbfs;	/* -18 */
	int ident_tone;		/* EBU stereo ident: left cut 250 ms in 3 s */
	char *title;		/* the ident's title; NULL: the source's name */
};

/* A line-up spec: NAME (from dir/lineup/NAME.ini) or a path to a .ini. */
struct lineup *lineup_find(const char *dir, const char *spec, char *err,
    size_t errlen);
void lineup_free(struct lineup *l);

#endif
