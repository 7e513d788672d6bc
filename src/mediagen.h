/*
 * mediagen: short test clips made with the FFmpeg libraries (bars and
 * tone, black and silence, a loud passage) for the demo facility and the
 * tests. A libavfilter graph of lavfi sources feeds an MPEG-2 4:2:2
 * encoder (XDCAM HD422 style) and a 24-bit PCM encoder; libavformat muxes
 * them into the container the file name asks for. The clip is written as
 * NAME.part and renamed to NAME only when it is complete. Part of the
 * shared media helper: it never touches the shift log or the UI.
 */
#ifndef MCR_MEDIAGEN_H
#define MCR_MEDIAGEN_H

#include <stddef.h>

enum mediagen_kind {
	MEDIAGEN_BARS_TONE,	/* SMPTE RP 219 HD bars, 1 kHz tone */
	MEDIAGEN_EBU_BARS_TONE,	/* EBU 100 % bars, 1 kHz tone */
	MEDIAGEN_BLACK_SILENCE,	/* black (Y' 16), digital silence */
	MEDIAGEN_LOUD,		/* moving pattern; pink noise, then loud */
};

/* The line-up tone's level, and the loud passage's: 1 kHz sines whose
 * peak is this many dB below full scale (their AES17 RMS level). */
#define MEDIAGEN_TONE_DBFS (-18.0)
#define MEDIAGEN_LOUD_DBFS (-9.0)
/* The loud clip starts with this share of pink noise at about -23 LUFS. */
#define MEDIAGEN_LOUD_QUIET 0.3

/* What to make. A zero field takes the default: 1280x720, 25/1 frames a
 * second, 48 kHz, 2 channels, no timecode. The frame rate is one MPEG-2
 * has: 24000/1001, 24, 25, 30000/1001, 30, 50, 60000/1001 or 60. */
struct mediagen_spec {
	enum mediagen_kind kind;
	double duration;	/* seconds, more than 0 */
	int width;		/* even, 16 to 4094 */
	int height;		/* even, 16 to 4094 */
	int rate_num;		/* frames a second: rate_num/rate_den */
	int rate_den;
	int sample_rate;
	int channels;		/* 1 to 8, or 16; the tone is on each */
	const char *timecode;	/* start "HH:MM:SS:FF", or NULL */
};

/* Writes the clip spec describes to path, whose extension (.mov, .mxf or
 * .mkv) picks the container; an existing file is replaced. Returns 0, or
 * -1 with one sentence in err and nothing left behind. */
int mediagen_clip(const char *path, const struct mediagen_spec *spec,
    char *err, size_t errlen);
/* A short name for kind ("bars_tone"), or NULL for an unknown one. */
const char *mediagen_kind_name(enum mediagen_kind kind);

#endif
