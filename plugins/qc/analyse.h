/*
 * analyse: the one decode pass of QC. libavformat demuxes the file once,
 * libavcodec decodes its video stream and every audio stream, and the
 * decoded frames go, in stream order, to two analysis lanes (threads):
 * with a picture, lane 0 takes the video frames (levels, black, freeze,
 * flashes, patterns, letterbox, field order) and lane 1 the audio; a
 * sound file's channels are shared between both lanes (each channel's
 * libebur128 state and true-peak interpolator on one lane), and the
 * per-channel checks (silence, clipping, phase, DC, the speech gate) run
 * as one task. Each state is touched by one lane in stream order only,
 * and the audio blocks are combined in order, so the results never
 * depend on
 * thread timing. The analyser knows no spec: it measures with the
 * detection thresholds it is given and qc.c judges.
 */
#ifndef MCR_QC_ANALYSE_H
#define MCR_QC_ANALYSE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define QC_MAX_CHANNELS 64
#define QC_GRID_W 32		/* flash regions across */
#define QC_GRID_H 18		/* and down */

/* The latest meters, for live display. */
struct qc_live {
	double momentary, short_term, integrated, lra, true_peak;
	double luma_out;	/* share of the last frame outside range */
	double silence_s;	/* how long the mapped channels are silent */
	int black, frozen;	/* the last frame */
	double black_s, frozen_s;	/* and for how long */
	int have_audio, have_video;
	double tp_block;	/* true peak of the latest block, dBTP */
	size_t tp_index;	/* that block's number */
};

/* Detection thresholds (the spec's), and what to call back. */
struct qc_aconf {
	/* Loudness channel map: 0-based channels counted across all audio
	 * streams in order, and their libebur128 roles; nmap 0 measures the
	 * first stream by its own layout. */
	int map[QC_MAX_CHANNELS];
	int roles[QC_MAX_CHANNELS];
	int nmap;
	double black_pixel;	/* Y' at or below this share of the nominal
				 * range above black is black (0.1) */
	double black_ratio;	/* a frame is black when this share is */
	double freeze_noise;	/* mean |dY'| per sample below this share of
				 * the nominal range is a frozen frame */
	double silence_db;	/* |x| below this (dBFS) is silent */
	double silence_min;	/* shorter silent runs are not kept (s) */
	double clip_level;	/* |x| at or above this (linear) clips */
	int clip_run;		/* this many samples in a row */
	double luma_min, luma_max;	/* permitted Y' (8-bit codes) */
	double chroma_min, chroma_max;	/* permitted Cb, Cr (8-bit codes) */
	double display_peak;	/* cd/m^2 of peak white (200) */
	double display_gamma;	/* BT.1886 exponent (2.4) */
	double flash_delta;	/* cd/m^2 swing of a transition (20) */
	double flash_dark;	/* the darker state is below this (160) */
	double red_ratio;	/* saturated red: R/(R+G+B) >= (0.8) */
	int flash_limit;	/* more flashes a second than this fail (3) */
	int flash_warn;		/* this many or more warn (3) */
	int pattern_pairs;	/* more stripe pairs than this in a run make
				 * a pattern (5) */
	double pattern_still;	/* mean |dY'| in the pattern below this share
				 * of the range: stationary (0.01) */
	int realtime;		/* pace reading to the media clock */

	void *cb_arg;
	/* Called from the decoding thread about ten times a second of
	 * media (progress 0..1 or < 0), with the latest loudness. */
	void (*live)(void *arg, double progress, double media_time,
	    const struct qc_live *live);
	int (*cancelled)(void *arg);
};

/* A span in seconds from the start of the file. */
struct qc_span {
	double in, out;
	double value;		/* the span's worst value */
};

struct qc_spans {
	struct qc_span *v;
	size_t n, cap;
};

/* Scan type judged from the pictures (idet-like). */
enum {
	QC_SCAN_UNKNOWN,
	QC_SCAN_TFF,
	QC_SCAN_BFF,
	QC_SCAN_PROGRESSIVE
};

/* One video frame's measurements. */
struct qc_vframe {
	float yout;		/* share of samples outside luma range */
	float cout;		/* share outside chroma range */
	float ylow, yhigh;	/* 0.5th and 99.5th percentile Y' (8-bit) */
	float diff;		/* mean |dY'| to the previous frame, share */
	float flash_area;	/* share of regions with > 3 flashes/s */
	float flash_warn_area;	/* share with 3 (or more) flashes/s */
	float red_area;		/* share with > 3 red flashes/s */
	uint8_t max_flashes;	/* most flashes in the last second */
	float pattern_area;	/* share of the picture in striped runs of
				 * more than pattern_pairs pairs */
	uint8_t pattern_pairs;	/* most stripe pairs in a run */
	uint8_t pattern_moving;	/* the striped area changed since the last
				 * frame */
	uint8_t scan;		/* QC_SCAN_*, this frame alone (the last
				 * frame: unknown) */
	uint8_t scan_multi;	/* with the frames before (idet's
				 * multi-frame verdict) */
	uint8_t black;
	uint8_t interlaced, tff;
	uint8_t tc_gop;		/* tc came from an MPEG GOP header */
	uint8_t corrupt;
	int32_t tc;		/* its timecode in the stream (GOP header or
				 * SMPTE 12M side data), frames from
				 * 00:00:00:00; -1: none */
	int16_t bar_top, bar_bottom, bar_left, bar_right;	/* samples */
};

struct qc_error {
	double time;
	char *message;
};

struct qc_result {
	json_t *probe;		/* container, streams, tags */
	char content_id[17];	/* xxh3-64 of every packet, hex */
	int stopped_early;	/* cancelled */
	double duration;	/* seconds decoded */

	/* video */
	int has_video;
	int width, height, depth;
	int rate_num, rate_den;
	struct qc_vframe *frames;
	size_t nframes;
	int grid_w, grid_h;	/* sample grid, for the bars */
	int grid_step;		/* pixels between samples */

	/* audio */
	int has_audio;
	int sample_rate;
	int channels;		/* across all streams */
	int nmap;
	double integrated, lra, max_momentary, max_short_term;
	double dialogue;	/* integrated over the blocks the speech gate
				 * passed (-inf: none) */
	size_t dialogue_blocks;	/* 400 ms blocks it integrated */
	double speech_share;	/* share of the 100 ms blocks above -70 LUFS
				 * judged speech */
	double true_peak[QC_MAX_CHANNELS];	/* dBTP */
	double sample_peak[QC_MAX_CHANNELS];	/* dBFS */
	double dc[QC_MAX_CHANNELS];		/* mean, dBFS */
	double rms[QC_MAX_CHANNELS];		/* dBFS */
	int64_t clip_runs[QC_MAX_CHANNELS];
	double first_clip[QC_MAX_CHANNELS];
	struct qc_spans silence[QC_MAX_CHANNELS];
	double correlation;	/* of the first two mapped channels */
	int dual_mono;		/* they are the same signal */
	double block;		/* seconds per series entry (0.1) */
	float *momentary;	/* series, one per block */
	float *short_term;
	float *tpeak;		/* max true peak of the mapped channels */
	float *corr;		/* per-block L/R correlation (NAN: quiet) */
	size_t nblocks;

	struct qc_error *errors;	/* decode errors, in order */
	size_t nerrors;
};

/* Runs the pass over path (a file or any URL libavformat opens). Returns
 * 0 with res filled (free with qc_result_free), or -1 with one sentence
 * in err when the input cannot be analysed at all. Decode errors in the
 * middle are kept in res->errors and the pass goes on. */
int qc_analyse(const char *path, const struct qc_aconf *conf,
    struct qc_result *res, char *err, size_t errlen);
void qc_result_free(struct qc_result *res);

#endif
