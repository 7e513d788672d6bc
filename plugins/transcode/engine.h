/*
 * engine: one transcode through the FFmpeg libraries. The source is
 * demuxed and decoded (libavformat, libavcodec); each part of the output
 * (the line-up's bars, ident and black, then the programme) is a
 * libavfilter graph whose sinks feed the same encoders, so the parts join
 * without a seam and the timecode track runs through them; libavformat
 * muxes into NAME.part files that are renamed into place only when the
 * output is complete, and removed on failure or cancel. A linear loudness
 * target measures the programme's audio first (libebur128), then applies
 * one gain. After an interlaced output or a scan conversion the output's
 * field order is checked by analysis (libavfilter's idet).
 */
#ifndef MCR_TRANSCODE_ENGINE_H
#define MCR_TRANSCODE_ENGINE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "profile.h"

struct engine_opts {
	const char *input;
	const char *output;		/* for a split profile, track 1's
					 * name: "{track}" or _A1 is replaced */
	const struct profile *profile;
	const char *lut;		/* a .cube, or NULL */
	const char *audio_map;		/* "1:1,2:2", or NULL */
	const char *audio_file;		/* a layback WAV, or NULL */
	const char *audio_offset;	/* "40", "-40", "2f", or NULL */
	const char *tc_start;		/* "10:00:00:00", or NULL */
	const struct lineup *lineup;	/* NULL: none */
	const char *font;		/* for burnt-in text */

	void *arg;
	int (*cancelled)(void *arg);
	/* frames done, frames expected (0 unknown), frames a second, speed
	 * in times real time, seconds left (< 0 unknown). */
	void (*progress)(void *arg, int64_t done, int64_t total, double fps,
	    double speed, double eta);
	void (*log)(void *arg, const char *message);
	void (*finding)(void *arg, const char *severity, const char *code,
	    const char *position, const char *message);
};

enum { ENGINE_DONE = 0, ENGINE_FAILED = -1, ENGINE_CANCELLED = 1 };

/* Runs the transcode o describes. Returns ENGINE_DONE with a new JSON
 * object in *result (outputs, frames, timecodes, loudness, field order),
 * ENGINE_CANCELLED, or ENGINE_FAILED with one sentence in err. Nothing is
 * left at the output names unless it returns ENGINE_DONE. */
int engine_run(const struct engine_opts *o, json_t **result, char *err,
    size_t errlen);

/* Checks what engine_run() can check without decoding: the options'
 * syntax, the LUT, and that the profile's encoders and muxer exist here
 * and open with its settings. Returns 0, or -1 with one sentence. */
int engine_check_options(const struct engine_opts *o, char *err,
    size_t errlen);

/* Whether profile p can be encoded with this FFmpeg: 1, or 0 with the
 * reason in why. */
int engine_profile_available(const struct profile *p, char *why,
    size_t whylen);

/* The output name for input under profile p's naming template, in dir
 * (NULL: the input's folder). */
void engine_output_name(const struct profile *p, const char *input,
    const char *dir, char *out, size_t outlen);

#endif
