/*
 * analyse: the one decode pass (see analyse.h). The calling thread demuxes
 * and decodes; each decoded video frame (a reference, not a copy) and each
 * run of 100 ms blocks of audio (all channels of all audio streams, float
 * planar, resampled to the first stream's rate) is queued as tasks on a
 * lane. A lane is a thread with a bounded queue that runs its tasks in
 * the order they were queued: with a picture, lane 0 measures the video
 * and lane 1 the sound; without, mapped channel m (its libebur128 state
 * and true peak) goes to lane m % 2 and the per-channel checks to one of
 * them. The last task done on a chunk of blocks hands it to the
 * combiner, which takes chunks in the order they were cut.
 *
 * The display model for flashes (documented in mcr(1)): Y'CbCr is turned
 * into R'G'B' with the stream's matrix (BT.709 for HD, BT.601 below 720
 * lines, unless flagged), each component through a BT.1886 display of
 * peak display_peak cd/m^2, exponent display_gamma and zero black level,
 * and luminance is 0.2126 R + 0.7152 G + 0.0722 B. The picture is judged
 * in QC_GRID_W x QC_GRID_H regions of equal area; a region's luminance is
 * its mean. A transition is a swing of flash_delta cd/m^2 or more whose
 * darker end is below flash_dark, opposite to the region's previous
 * transition; a flash is a pair of transitions; a region flashes too often
 * when more than flash_limit flashes fall in the last second of frames.
 * The area that flashes is the share of regions doing so. A red
 * transition is a swing of 20 or more in (R - G - B) * 320 (linear light)
 * with the redder end saturated (R / (R + G + B) >= red_ratio).
 */
#include "autoconfig.h"

/* The per-pixel loops (field order, sums) are meant to be vectorised
 * whatever the -O level. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ebur128.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/timecode.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
#include <xxhash.h>

#include "analyse.h"
#include "loud.h"
#include "timecode.h"

#define LANES 2
#define LANE_CAP 24
#define RING 128		/* > chunks in flight (LANES * LANE_CAP) */
#define BLOCK_HZ 10		/* audio blocks a second */
#define FLASH_RING 32		/* transitions remembered per region */
#define NCELLS (QC_GRID_W * QC_GRID_H)
/* The picture is measured on a grid of 2x2-pixel averages (the light
 * filtering EBU R103 asks for) taken every step pixels across and down:
 * 4 up to 960 pixels wide, 8 up to 1920 (32,400 samples of a 1080-line
 * frame), and so on: at least 240 samples across. */
#define STEP_OF(w) ((w) > 960 ? 4 * (((w) + 959) / 960) : 4)
#define IDET_HIST 4

/* --- a lane: a thread that runs its tasks in order --- */

struct an;
struct task {
	void (*fn)(struct an *an, void *data);
	void *data;
};

struct lane {
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct task q[LANE_CAP];
	size_t head, n, cap;
	int quit;
	struct an *an;
};

/* A run of 100 ms blocks of audio (one block when paced to real time,
 * up to a second otherwise, so a lane wakes up less often), shared by
 * the tasks that read it. Each task writes its own fields; the last one
 * done hands the chunk to the combiner. */
#define CHUNK_MAX 10		/* blocks */
struct chunk {
	atomic_int refs;
	size_t seq;		/* chunk number */
	size_t index;		/* first block number */
	int nblk;		/* blocks */
	int n;			/* samples per channel */
	int len[CHUNK_MAX];	/* samples in each block */
	int nch;
	float *data;		/* nch planes of n */
	size_t cap;		/* floats data holds */
	/* per mapped channel and block: weighted energy, true peak */
	double e[QC_MAX_CHANNELS][CHUNK_MAX];
	float tp[QC_MAX_CHANNELS][CHUNK_MAX];
	float corr[CHUNK_MAX];	/* L/R correlation (NAN: quiet) */
	uint8_t speech[CHUNK_MAX];	/* the speech gate's verdict */
	struct chunk *next;
};

/* One region's flash tracker (luminance or red). */
struct tracker {
	float lo, hi;
	int dir;		/* of the last transition: 1 up, -1 down */
	int started;
	int64_t ring[FLASH_RING];
	int nring, pos;
};

/* The speech gate (mcr's own, documented in mcr(1)): the mapped
 * channels but LFE are summed; two biquads keep 300-3400 Hz (the
 * telephone band, where speech carries its energy); a block of 100 ms
 * is speech when, over the last 400 ms, that band holds at least
 * SP_SHARE of the energy, and the band's envelope (10 ms frames) over
 * the last second swings at 2-8 Hz, the syllable rate, by a modulation
 * index of at least SP_MOD, and more than at 1 Hz, with no step of
 * 9 dB in that second (a cut between speech and music swings too).
 * Steady tones and chords fail the second
 * test, noise and full-range music mostly the first. */
#define SP_SHARE 0.4
#define SP_MOD 0.25
#define SP_ENV 100		/* envelope frames kept: 1 s of 10 ms */
struct biquad {
	double b0, b1, b2, a1, a2, z1, z2;
};
struct speech {
	struct biquad hp, lp;
	int frame;		/* samples per 10 ms envelope frame */
	int fill;		/* samples in the current frame */
	double facc;		/* their band energy */
	float env[SP_ENV];	/* envelope ring (RMS of the band) */
	size_t nenv;
	double tot[4], band[4];	/* energies of the last 4 blocks */
	size_t nblk;
	float wcos[9][SP_ENV], wsin[9][SP_ENV];	/* Hann x DFT bins 1-8 */
};

struct an {
	const struct qc_aconf *conf;
	struct qc_result *res;
	struct lane lanes[LANES];
	pthread_mutex_t live_mu;
	struct qc_live live;

	/* video (lane 0) */
	size_t nframes_cap;
	int fps_frames;		/* frames in one second, rounded */
	uint16_t *grid[2];	/* this and the last frame's samples */
	int have_prev;
	float *plum;		/* samples in cd/m^2, for patterns */
	uint8_t *pmask;		/* samples inside a pattern */
	int *ppos;		/* transitions along a line */
	/* field order: the last three frames */
	AVFrame *fld[3];
	int idet_w, idet_h, idet_period, idet_bands;
	int64_t idet_frames;	/* frames banded since the size was set */
	uint8_t idet_hist[IDET_HIST], idet_last;
	int *row_max, *col_max;
	struct tracker lum[NCELLS], red[NCELLS];
	float lut[1024];	/* R'G'B' code / 1023 -> linear 0..1 */
	int bt601;
	double black_run, frozen_run;
	struct SwsContext *sws;

	/* audio: mapped channel m (loudness, true peak) on lane alane[m],
	 * the per-channel checks on lane clane */
	ebur128_state *loud[QC_MAX_CHANNELS];
	struct qc_tpeak tp[QC_MAX_CHANNELS];
	int alane[QC_MAX_CHANNELS], clane;
	int *map, *roles, nmap;
	double sum[QC_MAX_CHANNELS], sumsq[QC_MAX_CHANNELS];
	float peak[QC_MAX_CHANNELS];
	int64_t run[QC_MAX_CHANNELS];	/* clipping run */
	int64_t silent_from[QC_MAX_CHANNELS];	/* -1: not silent */
	int64_t samples;	/* per channel so far (checks lane) */
	double c_lr, c_ll, c_rr, d_ll;	/* correlation and dual mono */
	float silence_amp;
	struct speech sp;	/* the speech gate (checks lane) */
	float *mixbuf;		/* one block of its input */
	uint8_t *speech;	/* per block (combiner) */

	/* the combiner (under live_mu): chunks done, put back in order */
	struct chunk *done[RING];
	size_t next_seq;	/* first chunk not combined yet */
	struct chunk *pool;	/* combined chunks, for reuse */
	double *energy;		/* 100 ms energies of the mapped channels */
	size_t nblocks_cap, full_blocks;
	int bsize;		/* samples in a whole block */
	float tpeak_max[QC_MAX_CHANNELS];	/* linear */
};

static void *
xmalloc_or_die(size_t n)
{
	void *p = malloc(n != 0 ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "qc: out of memory\n");
		abort();
	}
	return p;
}

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap != 0 ? *cap * 2 : 256;
	p = realloc(p, *cap * size);
	if (p == NULL) {
		fprintf(stderr, "qc: out of memory\n");
		abort();
	}
	return p;
}

static void *
lane_main(void *arg)
{
	struct lane *l = arg;
	struct task t;

	for (;;) {
		pthread_mutex_lock(&l->mu);
		while (l->n == 0 && !l->quit)
			pthread_cond_wait(&l->cv, &l->mu);
		if (l->n == 0) {
			pthread_mutex_unlock(&l->mu);
			break;
		}
		t = l->q[l->head];
		l->head = (l->head + 1) % LANE_CAP;
		l->n--;
		pthread_cond_broadcast(&l->cv);
		pthread_mutex_unlock(&l->mu);
		t.fn(l->an, t.data);
	}
	return NULL;
}

static void
lane_push(struct lane *l, void (*fn)(struct an *, void *), void *data)
{
	pthread_mutex_lock(&l->mu);
	while (l->n >= l->cap)
		pthread_cond_wait(&l->cv, &l->mu);
	l->q[(l->head + l->n) % LANE_CAP] = (struct task){ fn, data };
	l->n++;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
}

static void
lane_join(struct lane *l)
{
	pthread_mutex_lock(&l->mu);
	l->quit = 1;
	pthread_cond_broadcast(&l->cv);
	pthread_mutex_unlock(&l->mu);
	pthread_join(l->th, NULL);
	pthread_mutex_destroy(&l->mu);
	pthread_cond_destroy(&l->cv);
}

/* --- FFmpeg's log: errors are kept for the decode-error report --- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned log_errors;
static char log_last[256];

static void
log_cb(void *avcl, int level, const char *fmt, va_list ap)
{
	char buf[256];
	size_t n;

	if (level > AV_LOG_ERROR)
		return;
	vsnprintf(buf, sizeof buf, fmt, ap);
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	pthread_mutex_lock(&log_mu);
	log_errors++;
	snprintf(log_last, sizeof log_last, "%s%s%s", avcl != NULL ?
	    av_default_item_name(avcl) : "", avcl != NULL ? ": " : "", buf);
	pthread_mutex_unlock(&log_mu);
}

static unsigned
log_count(char *last, size_t size)
{
	unsigned n;

	pthread_mutex_lock(&log_mu);
	n = log_errors;
	if (last != NULL)
		snprintf(last, size, "%s", log_last);
	pthread_mutex_unlock(&log_mu);
	return n;
}

static void
add_error(struct qc_result *res, double t, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	/* One entry for a burst of errors on the same packet time. */
	if (res->nerrors > 0 && fabs(res->errors[res->nerrors - 1].time - t) <
	    1e-9)
		return;
	res->errors = realloc(res->errors, (res->nerrors + 1) *
	    sizeof *res->errors);
	if (res->errors == NULL)
		abort();
	res->errors[res->nerrors].time = t;
	res->errors[res->nerrors].message = strdup(buf);
	res->nerrors++;
}

/* --- spans --- */

static void
span_add(struct qc_spans *s, double in, double out, double value)
{
	s->v = grow(s->v, &s->cap, s->n + 1, sizeof *s->v);
	s->v[s->n++] = (struct qc_span){ in, out, value };
}

/* --- video (lane 0) --- */

static int
tracker_step(struct tracker *t, float v, int64_t frame, int64_t window,
    float delta, float dark)
{
	int hit = 0, i, count = 0;

	if (!t->started) {
		t->lo = t->hi = v;
		t->started = 1;
	}
	if (v < t->lo)
		t->lo = v;
	if (v > t->hi)
		t->hi = v;
	if (t->dir != 1 && v - t->lo >= delta && t->lo < dark) {
		t->dir = 1;
		hit = 1;
	} else if (t->dir != -1 && t->hi - v >= delta && v < dark) {
		t->dir = -1;
		hit = 1;
	}
	if (hit) {
		t->lo = t->hi = v;
		t->ring[t->pos] = frame;
		t->pos = (t->pos + 1) % FLASH_RING;
		if (t->nring < FLASH_RING)
			t->nring++;
	}
	for (i = 0; i < t->nring; i++) {
		if (t->ring[i] > frame - window)
			count++;
	}
	return count;
}

#define SAMPLE_LOOP(T)							\
	for (j = 0; j < gh; j++) {					\
		const T *y0 = (const T *)(f->data[0] +			\
		    (size_t)(step * j) * f->linesize[0]);		\
		const T *y1 = (const T *)(f->data[0] +			\
		    (size_t)(step * j + 1) * f->linesize[0]);		\
		const T *cb = (const T *)(f->data[1] +			\
		    (size_t)((step * j) >> csh) * f->linesize[1]);	\
		const T *cr = (const T *)(f->data[2] +			\
		    (size_t)((step * j) >> csh) * f->linesize[2]);	\
		int rmax = 0, cyrow = j * QC_GRID_H / gh;		\
		for (i = 0; i < gw; i++) {				\
			int x = step * i, yv, u, v, cell;		\
			float yn, pb, pr, r, g, b;			\
			yv = (y0[x] + y0[x + 1] + y1[x] + y1[x + 1] + 2) >> 2;	\
			u = cb[x >> csw];				\
			v = cr[x >> csw];				\
			hist[yv >> sh]++;				\
			if (yv < ylo || yv > yhi)			\
				yout++;					\
			if (u < clo || u > chi || v < clo || v > chi)	\
				cout++;					\
			if (yv <= blk)					\
				black++;				\
			if (an->have_prev)				\
				diff += abs(yv - prev[k]);		\
			cur[k++] = (uint16_t)yv;			\
			if (yv > rmax)					\
				rmax = yv;				\
			if (yv > colmax[i])				\
				colmax[i] = yv;				\
			if ((i | j) & 1)				\
				continue;				\
			yn = (float)(yv - y16) * yscale;		\
			pb = (float)(u - c128) * cscale;		\
			pr = (float)(v - c128) * cscale;		\
			r = yn + kr * pr;				\
			g = yn - kgb * pb - kgr * pr;			\
			b = yn + kb * pb;				\
			r = lin[lut_idx(r)];				\
			g = lin[lut_idx(g)];				\
			b = lin[lut_idx(b)];				\
			cell = cyrow * QC_GRID_W + cellx[i];		\
			cl[cell] += 0.2126f * r + 0.7152f * g + 0.0722f * b; \
			cR[cell] += r;					\
			cG[cell] += g;					\
			cB[cell] += b;					\
			cn[cell]++;					\
		}							\
		rowmax[j] = rmax;					\
	}

static inline int
lut_idx(float v)
{
	if (!(v > 0))
		return 0;
	if (v >= 1)
		return 1023;
	return (int)(v * 1023.0f + 0.5f);
}

static void
video_buffers(struct an *an, int gw, int gh, int w, int h)
{
	size_t n = (size_t)gw * (size_t)gh;
	int i;

	for (i = 0; i < 2; i++) {
		free(an->grid[i]);
		an->grid[i] = xmalloc_or_die(n * sizeof *an->grid[i]);
	}
	free(an->plum);
	free(an->pmask);
	free(an->ppos);
	free(an->row_max);
	free(an->col_max);
	an->plum = xmalloc_or_die(n * sizeof *an->plum);
	an->pmask = xmalloc_or_die(n);
	an->ppos = xmalloc_or_die((size_t)(gw > gh ? gw : gh) * sizeof(int));
	an->row_max = xmalloc_or_die((size_t)gh * sizeof(int));
	an->col_max = xmalloc_or_die((size_t)gw * sizeof(int));
	/* Field order: 4 lines in every 8 (below 720 lines) or 16. */
	an->idet_w = w;
	an->idet_h = h;
	an->idet_period = h >= 720 ? 16 : 8;
	an->idet_bands = (h - 4) / an->idet_period + 1;
	if (h < 8)
		an->idet_bands = 0;
	for (i = 0; i < 3; i++)
		av_frame_free(&an->fld[i]);
	an->idet_frames = 0;
	memset(an->idet_hist, 0, sizeof an->idet_hist);
	an->idet_last = QC_SCAN_UNKNOWN;
}

/* --- regular patterns --- */

/* Marks the samples of one line (n samples stride apart) that lie in a
 * run of regular light/dark alternations of more than limit pairs; a
 * transition is a swing of delta cd/m^2 whose darker end is below dark,
 * as for flashes, and a run stays regular while each gap between
 * transitions is within half to twice the one before. Returns the most
 * pairs seen in a run. */
static int
pattern_line(const float *L, uint8_t *mask, int n, int stride, float delta,
    float dark, int limit, int *pos)
{
	float lo = L[0], hi = L[0];
	int dir = 0, nt = 0, i, k, start = 0, best = 0;

	for (i = 1; i < n; i++) {
		float v = L[(size_t)i * (size_t)stride];
		int hit = 0;

		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
		if (dir != 1 && v - lo >= delta && lo < dark) {
			dir = 1;
			hit = 1;
		} else if (dir != -1 && hi - v >= delta && v < dark) {
			dir = -1;
			hit = 1;
		}
		if (hit) {
			pos[nt++] = i;
			lo = hi = v;
		}
	}
	for (k = 1; k <= nt; k++) {
		int brk = k == nt;

		if (!brk && k - start >= 2) {
			int d1 = pos[k] - pos[k - 1], d0 = pos[k - 1] -
			    pos[k - 2];

			brk = d1 > 2 * d0 || d0 > 2 * d1;
		}
		if (!brk)
			continue;
		/* transitions start..k-1: stripes between and around them */
		{
			int ntr = k - start, pairs = (ntr + 1) / 2, a, b, half;

			if (pairs > best)
				best = pairs;
			if (pairs > limit) {
				half = (pos[k - 1] - pos[start]) / (ntr > 1 ?
				    2 * (ntr - 1) : 2);
				a = pos[start] - half;
				b = pos[k - 1] + half;
				for (i = a < 0 ? 0 : a; i <= b && i < n; i++)
					mask[(size_t)i * (size_t)stride] = 1;
			}
		}
		/* the transition that broke the rhythm may start the next */
		start = k - 1 > start ? k - 1 : k;
		if (k == nt)
			break;
	}
	return best;
}

/* The share of the picture covered by stripes (rows and columns of the
 * sample grid), whether they moved since the last frame, and the most
 * stripe pairs in a run. */
static void
pattern_frame(struct an *an, struct qc_vframe *vf, const uint16_t *cur,
    const uint16_t *prev, int gw, int gh, int depth)
{
	const struct qc_aconf *cf = an->conf;
	double s = (double)(1 << (depth - 8));
	float y16 = (float)(16 * s), ysc = (float)(1.0 / (219 * s));
	float peak = (float)cf->display_peak, delta = (float)cf->flash_delta;
	float dark = (float)cf->flash_dark;
	size_t n = (size_t)gw * (size_t)gh, k, marked = 0;
	int64_t dsum = 0;
	int i, j, best = 0, p;

	for (k = 0; k < n; k++)
		an->plum[k] = peak * an->lut[lut_idx(((float)cur[k] - y16) *
		    ysc)];
	memset(an->pmask, 0, n);
	for (j = 0; j < gh; j++) {
		p = pattern_line(an->plum + (size_t)j * gw, an->pmask +
		    (size_t)j * gw, gw, 1, delta, dark, cf->pattern_pairs,
		    an->ppos);
		best = p > best ? p : best;
	}
	for (i = 0; i < gw; i++) {
		p = pattern_line(an->plum + i, an->pmask + i, gh, gw, delta,
		    dark, cf->pattern_pairs, an->ppos);
		best = p > best ? p : best;
	}
	for (k = 0; k < n; k++) {
		if (an->pmask[k]) {
			marked++;
			if (an->have_prev)
				dsum += abs((int)cur[k] - (int)prev[k]);
		}
	}
	vf->pattern_area = (float)marked / (float)n;
	vf->pattern_pairs = (uint8_t)(best > 255 ? 255 : best);
	vf->pattern_moving = marked > 0 && an->have_prev && (double)dsum /
	    (double)marked / (219 * s) >= cf->pattern_still;
}

/* --- field order, as FFmpeg's idet judges it --- */

/* sum |a + c - 2b| over a line */
#define IDET_LINE(NAME, T)						\
static int32_t								\
NAME(const T *restrict a, const T *restrict b, const T *restrict c,	\
    int w)								\
{									\
	int32_t r = 0;		/* < 2 * 65535 * 4096 */		\
	int x;								\
									\
	for (x = 0; x < w; x++) {					\
		int32_t v = (int32_t)a[x] + (int32_t)c[x] -		\
		    2 * (int32_t)b[x];					\
									\
		r += v < 0 ? -v : v;					\
	}								\
	return r;							\
}
IDET_LINE(idet_line8, uint8_t)
IDET_LINE(idet_line16, uint16_t)

static int64_t
idet_line(const AVFrame *fa, const AVFrame *fb, const AVFrame *fc, int ya,
    int yb, int yc, int wide)
{
	const uint8_t *a = fa->data[0] + (size_t)ya * (size_t)fa->linesize[0];
	const uint8_t *b = fb->data[0] + (size_t)yb * (size_t)fb->linesize[0];
	const uint8_t *c = fc->data[0] + (size_t)yc * (size_t)fc->linesize[0];

	if (wide)
		return idet_line16((const uint16_t *)a, (const uint16_t *)b,
		    (const uint16_t *)c, fa->width);
	return idet_line8(a, b, c, fa->width);
}

/* Keeps a reference to this frame; once three frames are in, judges the
 * middle one (prev, cur, next) on 2 lines of every band of
 * idet_period lines and stores its single and multi-frame verdicts in
 * its record. Thresholds are idet's defaults (1.04 and 1.5). */
static void
idet_frame(struct an *an, const AVFrame *f, int depth)
{
	struct qc_result *res = an->res;
	int P = an->idet_period, nb = an->idet_bands, wide = depth > 8;
	const AVFrame *pv, *cu, *nx;
	int64_t alpha[2] = { 0, 0 }, delta = 0;
	int b, r, i, match = 0;
	uint8_t type, best;

	av_frame_free(&an->fld[an->idet_frames % 3]);
	an->fld[an->idet_frames % 3] = av_frame_clone(f);
	if (an->fld[an->idet_frames % 3] == NULL) {
		fprintf(stderr, "qc: out of memory\n");
		abort();
	}
	an->idet_frames++;
	if (an->idet_frames < 3 || res->nframes == 0)
		return;
	pv = an->fld[(an->idet_frames - 3) % 3];
	cu = an->fld[(an->idet_frames - 2) % 3];
	nx = an->fld[(an->idet_frames - 1) % 3];
	for (b = 0; b < nb; b++) {
		for (r = 1; r <= 2; r++) {
			int y = b * P + r;

			alpha[y & 1] += idet_line(cu, pv, cu, y - 1, y, y + 1,
			    wide);
			alpha[(y ^ 1) & 1] += idet_line(cu, nx, cu, y - 1, y,
			    y + 1, wide);
			delta += idet_line(cu, cu, cu, y - 1, y, y + 1, wide);
		}
	}
	if ((double)alpha[0] > 1.04 * (double)alpha[1])
		type = QC_SCAN_TFF;
	else if ((double)alpha[1] > 1.04 * (double)alpha[0])
		type = QC_SCAN_BFF;
	else if ((double)alpha[1] > 1.5 * (double)delta)
		type = QC_SCAN_PROGRESSIVE;
	else
		type = QC_SCAN_UNKNOWN;
	memmove(an->idet_hist + 1, an->idet_hist, IDET_HIST - 1);
	an->idet_hist[0] = type;
	best = QC_SCAN_UNKNOWN;
	for (i = 0; i < IDET_HIST; i++) {
		if (an->idet_hist[i] == QC_SCAN_UNKNOWN)
			continue;
		if (best == QC_SCAN_UNKNOWN)
			best = an->idet_hist[i];
		if (an->idet_hist[i] == best) {
			match++;
		} else {
			match = 0;
			break;
		}
	}
	if (an->idet_last == QC_SCAN_UNKNOWN) {
		if (match > 0)
			an->idet_last = best;
	} else if (match > 1) {
		an->idet_last = best;
	}
	/* the frame judged is the one before this */
	res->frames[res->nframes - 1].scan = type;
	res->frames[res->nframes - 1].scan_multi = an->idet_last;
}

static void
video_task(struct an *an, void *data)
{
	AVFrame *f = data;
	const struct qc_aconf *cf = an->conf;
	struct qc_result *res = an->res;
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	int depth = d->comp[0].depth, sh = depth - 8, csw = d->log2_chroma_w;
	int csh = d->log2_chroma_h, step = STEP_OF(f->width);
	int gw = f->width / step, gh = f->height / step;
	int64_t hist[256] = { 0 }, yout = 0, cout = 0, black = 0, diff = 0;
	int64_t fno = (int64_t)res->nframes, nsamp, acc;
	double s = (double)(1 << sh);
	int ylo = (int)ceil(cf->luma_min * s), yhi = (int)floor(cf->luma_max * s
	    + (s - 1));
	int clo = (int)ceil(cf->chroma_min * s), chi = (int)floor(cf->chroma_max *
	    s + (s - 1));
	int blk = (int)(16 * s + cf->black_pixel * 219 * s);
	int y16 = (int)(16 * s), c128 = (int)(128 * s);
	float yscale = (float)(1.0 / (219 * s)), cscale = (float)(1.0 /
	    (224 * s));
	float kr, kgb, kgr, kb;
	float cl[NCELLS] = { 0 }, cR[NCELLS] = { 0 }, cG[NCELLS] = { 0 };
	float cB[NCELLS] = { 0 };
	int cn[NCELLS] = { 0 }, cellx[4096];
	const float *lin = an->lut;
	uint16_t *prev, *cur;
	int *rowmax, *colmax, i, j, k = 0, c, flashing = 0, warn = 0, reds = 0;
	int maxfl = 0;
	struct qc_vframe *vf;
	double fps = res->rate_den > 0 ? (double)res->rate_num /
	    res->rate_den : 25;

	if (gw > 4096)
		gw = 4096;
	if (an->grid[0] == NULL || gw != res->grid_w || gh != res->grid_h ||
	    f->width != an->idet_w || f->height != an->idet_h) {
		/* The first frame, or the picture size changed mid-stream:
		 * start over the comparisons with earlier frames. */
		video_buffers(an, gw, gh, f->width, f->height);
		res->grid_w = gw;
		res->grid_h = gh;
		res->grid_step = step;
		an->have_prev = 0;
	}
	cur = an->grid[fno & 1];
	prev = an->grid[(fno & 1) ^ 1];
	rowmax = an->row_max;
	colmax = an->col_max;
	memset(colmax, 0, (size_t)gw * sizeof(int));
	for (i = 0; i < gw; i++)
		cellx[i] = i * QC_GRID_W / gw;
	if (an->bt601) {
		kr = 1.402f;
		kgb = 0.344136f;
		kgr = 0.714136f;
		kb = 1.772f;
	} else {
		kr = 1.5748f;
		kgb = 0.1873f;
		kgr = 0.4681f;
		kb = 1.8556f;
	}
	/* Pb, Pr span -0.5..0.5 over 224 codes; yscale and cscale make
	 * Y' 0..1 and Pb, Pr -0.5..0.5. */
	if (depth > 8) {
		SAMPLE_LOOP(uint16_t)
	} else {
		SAMPLE_LOOP(uint8_t)
	}
	nsamp = (int64_t)gw * gh;
	res->frames = grow(res->frames, &an->nframes_cap,
	    res->nframes + 1, sizeof *res->frames);
	vf = &res->frames[res->nframes];
	memset(vf, 0, sizeof *vf);
	vf->yout = (float)yout / (float)nsamp;
	vf->cout = (float)cout / (float)nsamp;
	vf->diff = an->have_prev ? (float)((double)diff / (double)nsamp /
	    (219 * s)) : 1.0f;
	vf->black = black >= (int64_t)(cf->black_ratio * (double)nsamp);
	vf->interlaced = (uint8_t)f->interlaced_frame;
	vf->tff = (uint8_t)f->top_field_first;
	vf->corrupt = (f->flags & AV_FRAME_FLAG_CORRUPT) != 0 ||
	    f->decode_error_flags != 0;
	vf->tc = -1;
	{
		AVFrameSideData *sd = av_frame_get_side_data(f,
		    AV_FRAME_DATA_S12M_TIMECODE);
		AVFrameSideData *gop = av_frame_get_side_data(f,
		    AV_FRAME_DATA_GOP_TIMECODE);
		char label[AV_TIMECODE_STR_SIZE] = "", e[200];
		const struct tc_rate *tr;
		int64_t frames;

		if (sd != NULL && sd->size >= 8 &&
		    ((const uint32_t *)sd->data)[0] >= 1)
			av_timecode_make_smpte_tc_string2(label, (AVRational){
			    res->rate_num, res->rate_den },
			    ((const uint32_t *)sd->data)[1], 0, 0);
		else if (gop != NULL && gop->size >= 8) {
			av_timecode_make_mpeg_tc_string(label,
			    (uint32_t)*(const int64_t *)gop->data);
			vf->tc_gop = 1;
		}
		tr = tc_rate_find(res->rate_num, res->rate_den,
		    strchr(label, ';') != NULL);
		if (*label != '\0' && tr != NULL && tc_parse(label, tr,
		    &frames, e, sizeof e) == 0)
			vf->tc = (int32_t)frames;
	}
	for (acc = 0, i = 0; i < 256; i++) {
		acc += hist[i];
		if (acc * 200 >= nsamp) {
			vf->ylow = (float)i;
			break;
		}
	}
	for (acc = 0, i = 255; i >= 0; i--) {
		acc += hist[i];
		if (acc * 200 >= nsamp) {
			vf->yhigh = (float)i;
			break;
		}
	}
	/* Letterbox and pillarbox: black rows and columns at the edges. */
	vf->bar_top = vf->bar_bottom = vf->bar_left = vf->bar_right = -1;
	if (!vf->black) {
		for (j = 0; j < gh && rowmax[j] <= blk; j++)
			;
		vf->bar_top = (int16_t)j;
		for (j = gh - 1; j >= 0 && rowmax[j] <= blk; j--)
			;
		vf->bar_bottom = (int16_t)(gh - 1 - j);
		for (i = 0; i < gw && colmax[i] <= blk; i++)
			;
		vf->bar_left = (int16_t)i;
		for (i = gw - 1; i >= 0 && colmax[i] <= blk; i--)
			;
		vf->bar_right = (int16_t)(gw - 1 - i);
	}
	/* Flashes, region by region. */
	an->fps_frames = (int)lrint(fps);
	for (c = 0; c < NCELLS; c++) {
		float L, R, G, B, sum, redv;
		int nl, nr, fl;

		if (cn[c] == 0)
			continue;
		L = (float)cf->display_peak * cl[c] / (float)cn[c];
		R = cR[c] / (float)cn[c];
		G = cG[c] / (float)cn[c];
		B = cB[c] / (float)cn[c];
		sum = R + G + B;
		/* Only saturated red counts: any other state reads 0, so
		 * every swing into or out of saturated red is seen. */
		redv = sum > 0 && R / sum >= cf->red_ratio ?
		    (R - G - B) * 320.0f : 0;
		if (redv < 0)
			redv = 0;
		nl = tracker_step(&an->lum[c], L, fno, an->fps_frames,
		    (float)cf->flash_delta, (float)cf->flash_dark);
		nr = tracker_step(&an->red[c], redv, fno, an->fps_frames,
		    20.0f, 1e30f);
		fl = nl / 2;
		if (fl > maxfl)
			maxfl = fl;
		if (fl > cf->flash_limit)
			flashing++;
		if (fl >= cf->flash_warn)
			warn++;
		if (nr / 2 > cf->flash_limit)
			reds++;
	}
	vf->flash_area = (float)flashing / NCELLS;
	vf->flash_warn_area = (float)warn / NCELLS;
	vf->red_area = (float)reds / NCELLS;
	vf->max_flashes = (uint8_t)(maxfl > 255 ? 255 : maxfl);
	pattern_frame(an, vf, cur, prev, gw, gh, depth);
	if (an->idet_bands > 0)
		idet_frame(an, f, depth);
	an->have_prev = 1;
	res->nframes++;

	pthread_mutex_lock(&an->live_mu);
	an->black_run = vf->black ? an->black_run + 1 / fps : 0;
	an->frozen_run = !vf->black && vf->diff < cf->freeze_noise ?
	    an->frozen_run + 1 / fps : 0;
	an->live.black = vf->black;
	an->live.black_s = an->black_run;
	an->live.frozen = an->frozen_run > 0;
	an->live.frozen_s = an->frozen_run;
	an->live.luma_out = vf->yout;
	an->live.have_video = 1;
	pthread_mutex_unlock(&an->live_mu);
	av_frame_free(&f);
}

/* --- audio: loudness and true peak per mapped channel, checks per chunk,
 * and the combiner that puts the blocks back in order --- */

static float
db(double v)
{
	return v > 0 ? (float)(20 * log10(v)) : -INFINITY;
}

/* Makes room for block index i in every series (under live_mu). */
static void
series_grow(struct an *an, size_t i)
{
	struct qc_result *res = an->res;
	size_t cap = an->nblocks_cap;

	if (i < cap)
		return;
	while (cap <= i)
		cap = cap != 0 ? cap * 2 : 1024;
	res->momentary = realloc(res->momentary, cap * sizeof(float));
	res->short_term = realloc(res->short_term, cap * sizeof(float));
	res->corr = realloc(res->corr, cap * sizeof(float));
	res->tpeak = realloc(res->tpeak, cap * sizeof(float));
	an->energy = realloc(an->energy, cap * sizeof(double));
	an->speech = realloc(an->speech, cap);
	if (res->momentary == NULL || res->short_term == NULL ||
	    res->corr == NULL || res->tpeak == NULL || an->energy == NULL ||
	    an->speech == NULL) {
		fprintf(stderr, "qc: out of memory\n");
		abort();
	}
	an->nblocks_cap = cap;
}

/* One chunk's blocks into the series, in block order (under live_mu). */
static void
combine(struct an *an, struct chunk *c)
{
	struct qc_result *res = an->res;
	const struct qc_aconf *cf = an->conf;
	int b, m, k;

	for (b = 0; b < c->nblk; b++) {
		size_t i = c->index + (size_t)b;
		double e = 0, em = 0, es = 0, mo, st;
		float tp = 0;

		series_grow(an, i);
		for (m = 0; m < an->nmap; m++) {
			e += c->e[m][b];
			if (c->tp[m][b] > tp)
				tp = c->tp[m][b];
			if (c->tp[m][b] > an->tpeak_max[m])
				an->tpeak_max[m] = c->tp[m][b];
		}
		an->energy[i] = e;
		an->speech[i] = c->speech[b];
		if (c->len[b] == an->bsize && i == an->full_blocks)
			an->full_blocks = i + 1;
		/* Momentary and short-term: the last 4 and 30 blocks. */
		for (k = 0; k < 30 && (size_t)k <= i; k++) {
			if (k < 4)
				em += an->energy[i - (size_t)k];
			es += an->energy[i - (size_t)k];
		}
		mo = qc_loud_lufs(em / 4);
		st = qc_loud_lufs(es / 30);
		res->momentary[i] = (float)mo;
		res->short_term[i] = (float)st;
		res->tpeak[i] = db(tp);
		res->corr[i] = c->corr[b];
		res->nblocks = i + 1;
		/* Momentary needs 400 ms, short-term 3 s of signal. */
		if ((double)(i + 1) / BLOCK_HZ >= 0.4 && mo >
		    res->max_momentary)
			res->max_momentary = mo;
		if ((double)(i + 1) / BLOCK_HZ >= 3 && st >
		    res->max_short_term)
			res->max_short_term = st;
		an->live.momentary = mo;
		an->live.short_term = st;
		an->live.tp_index = i;
		an->live.tp_block = tp > 0 ? db(tp) : -200;
		if (tp > 0 && db(tp) > an->live.true_peak)
			an->live.true_peak = db(tp);
		if (cf->live != NULL && i % BLOCK_HZ == 0) {
			an->live.integrated = qc_loud_integrated(an->energy,
			    an->full_blocks, NULL, NULL);
			if (i % (10 * BLOCK_HZ) == 0)
				an->live.lra = qc_loud_range(an->energy,
				    an->full_blocks);
		}
		an->live.have_audio = 1;
	}
}

/* The last task done on a chunk passes it here; chunks are combined in
 * the order they were cut, whichever lane finishes first. */
static void
chunk_release(struct an *an, struct chunk *c)
{
	struct chunk *d;

	if (atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	pthread_mutex_lock(&an->live_mu);
	if (an->done[c->seq % RING] != NULL) {
		/* more chunks in flight than lanes can hold: a bug */
		fprintf(stderr, "qc: audio chunk %zu overtook %zu\n", c->seq,
		    an->done[c->seq % RING]->seq);
		abort();
	}
	an->done[c->seq % RING] = c;
	while ((d = an->done[an->next_seq % RING]) != NULL &&
	    d->seq == an->next_seq) {
		an->done[an->next_seq % RING] = NULL;
		combine(an, d);
		an->next_seq++;
		/* Kept for the next chunk: a fresh 400 kB buffer each
		 * second would cost a page fault per 4 kB. */
		d->next = an->pool;
		an->pool = d;
	}
	pthread_mutex_unlock(&an->live_mu);
}

struct ltask {
	struct chunk *c;
	int m;			/* index into the map */
};

/* Loudness (libebur128, this channel's own state) and true peak of one
 * mapped channel, block by block. */
static void
loud_task(struct an *an, void *data)
{
	struct ltask *t = data;
	struct chunk *c = t->c;
	int m = t->m, b, off = 0;
	const float *x = c->data + (size_t)an->map[m] * (size_t)c->n;

	for (b = 0; b < c->nblk; b++) {
		double v = -HUGE_VAL;

		ebur128_add_frames_float(an->loud[m], x + off,
		    (size_t)c->len[b]);
		ebur128_loudness_window(an->loud[m], (unsigned long)
		    ((long)c->len[b] * 1000 / an->res->sample_rate), &v);
		c->e[m][b] = isfinite(v) ? qc_loud_energy(v) : 0;
		c->tp[m][b] = qc_tpeak_run(&an->tp[m], x + off, c->len[b]);
		off += c->len[b];
	}
	free(t);
	chunk_release(an, c);
}

/* RBJ cookbook second-order high-pass (hp) or low-pass at f Hz, Q 0.707. */
static void
biquad_init(struct biquad *q, int hp, double f, double rate)
{
	double w = 2 * M_PI * f / rate, c = cos(w), al = sin(w) / (2 *
	    0.7071067811865476), a0 = 1 + al;

	memset(q, 0, sizeof *q);
	q->b0 = (hp ? (1 + c) / 2 : (1 - c) / 2) / a0;
	q->b1 = (hp ? -(1 + c) : 1 - c) / a0;
	q->b2 = q->b0;
	q->a1 = -2 * c / a0;
	q->a2 = (1 - al) / a0;
}

static inline double
biquad_run(struct biquad *q, double x)
{
	double y = q->b0 * x + q->z1;

	q->z1 = q->b1 * x - q->a1 * y + q->z2;
	q->z2 = q->b2 * x - q->a2 * y;
	return y;
}

static void
speech_init(struct speech *sp, int rate)
{
	int m, i;

	memset(sp, 0, sizeof *sp);
	biquad_init(&sp->hp, 1, 300, rate);
	biquad_init(&sp->lp, 0, rate > 8000 ? 3400 : rate * 0.42, rate);
	sp->frame = rate / 100 > 0 ? rate / 100 : 1;
	for (m = 1; m <= 8; m++) {
		for (i = 0; i < SP_ENV; i++) {
			double w = 0.5 - 0.5 * cos(2 * M_PI * i / (SP_ENV - 1));

			sp->wcos[m][i] = (float)(w * cos(2 * M_PI * m * i /
			    SP_ENV));
			sp->wsin[m][i] = (float)(w * sin(2 * M_PI * m * i /
			    SP_ENV));
		}
	}
}

/* One block of the mix (n samples): is it speech? */
static int
speech_block(struct speech *sp, const float *x, int n)
{
	double tot = 0, band = 0, t4 = 0, b4 = 0, mean = 0, mod = 0, slow = 0;
	double before = 0, recent = 0;
	int i, k, m;

	for (i = 0; i < n; i++) {
		double y = biquad_run(&sp->lp, biquad_run(&sp->hp, x[i]));

		tot += (double)x[i] * x[i];
		band += y * y;
		sp->facc += y * y;
		if (++sp->fill == sp->frame) {
			sp->env[sp->nenv++ % SP_ENV] = (float)sqrt(sp->facc /
			    sp->frame);
			sp->fill = 0;
			sp->facc = 0;
		}
	}
	sp->tot[sp->nblk % 4] = tot;
	sp->band[sp->nblk % 4] = band;
	sp->nblk++;
	for (k = 0; k < 4; k++) {
		t4 += sp->tot[k];
		b4 += sp->band[k];
	}
	/* below -70 dBFS RMS: nothing to judge */
	if (sp->nblk < 4 || sp->nenv < SP_ENV || t4 <= 4.0 * n * 1e-7 ||
	    b4 < SP_SHARE * t4)
		return 0;
	/* A cut (a step in level of 9 dB or more between the last 400 ms
	 * and the 600 ms before) is no syllable: no verdict until it has
	 * left the window. */
	for (i = 0; i < SP_ENV; i++) {
		double e = sp->env[(sp->nenv + (size_t)i) % SP_ENV];

		if (i < SP_ENV * 6 / 10)
			before += e * e;
		else
			recent += e * e;
	}
	before /= SP_ENV * 6 / 10;
	recent /= SP_ENV - SP_ENV * 6 / 10;
	if (recent > 8 * before || before > 8 * recent)
		return 0;
	/* The envelope's 2-8 Hz content over the last second (Hann
	 * window, DFT bins of 1 Hz) against its mean. */
	for (i = 0; i < SP_ENV; i++)
		mean += sp->env[(sp->nenv + (size_t)i) % SP_ENV];
	mean /= SP_ENV;
	if (mean <= 0)
		return 0;
	for (m = 1; m <= 8; m++) {
		double re = 0, im = 0;

		for (i = 0; i < SP_ENV; i++) {
			double e = sp->env[(sp->nenv + (size_t)i) % SP_ENV] -
			    mean;

			re += e * sp->wcos[m][i];
			im -= e * sp->wsin[m][i];
		}
		if (m == 1)
			slow = re * re + im * im;
		else
			mod += re * re + im * im;
	}
	/* A step in level (a cut from speech to music, or back) also
	 * swings at 2-8 Hz, but more at 1 Hz (its spectrum falls as 1/f);
	 * syllables do the opposite. */
	if (mod < slow)
		return 0;
	/* a sine of depth d at one bin gives (d * mean * N / 4)^2 through
	 * the Hann window */
	mod = sqrt(mod) * 4 / SP_ENV / mean;
	return mod >= SP_MOD;
}

/* Sample peak, DC, RMS, clipping and silence of every channel, and the
 * correlation of the first two mapped ones. */
static void
check_task(struct an *an, void *data)
{
	struct chunk *c = data;
	struct qc_result *res = an->res;
	const struct qc_aconf *cf = an->conf;
	double rate = res->sample_rate;
	int ch, i, b, off;

	for (ch = 0; ch < c->nch; ch++) {
		const float *x = c->data + (size_t)ch * (size_t)c->n;
		float s8[8] = { 0 }, q8[8] = { 0 }, p8[8] = { 0 }, pk, top;
		float amp = an->silence_amp;
		int64_t pos, from;

		/* Sums and peak in eight float lanes over at most a second,
		 * added up in double: a loop the compiler vectorises. */
		for (i = 0; i + 8 <= c->n; i += 8) {
			int j;

			for (j = 0; j < 8; j++) {
				float v = x[i + j], a = fabsf(v);

				s8[j] += v;
				q8[j] += v * v;
				p8[j] = a > p8[j] ? a : p8[j];
			}
		}
		for (; i < c->n; i++) {
			float a = fabsf(x[i]);

			s8[0] += x[i];
			q8[0] += x[i] * x[i];
			p8[0] = a > p8[0] ? a : p8[0];
		}
		pk = an->peak[ch];
		for (i = 0; i < 8; i++) {
			an->sum[ch] += s8[i];
			an->sumsq[ch] += q8[i];
			pk = p8[i] > pk ? p8[i] : pk;
		}
		/* Clipping: only a chunk that reaches the level is read
		 * sample by sample. */
		top = 0;
		for (i = 0; i < 8; i++)
			top = p8[i] > top ? p8[i] : top;
		if (top < cf->clip_level) {
			an->run[ch] = 0;
		} else {
			for (i = 0; i < c->n; i++) {
				if (fabsf(x[i]) < cf->clip_level) {
					an->run[ch] = 0;
					continue;
				}
				pos = an->samples + i;
				if (++an->run[ch] == cf->clip_run &&
				    res->clip_runs[ch]++ == 0)
					res->first_clip[ch] = (double)(pos + 1 -
					    cf->clip_run) / rate;
			}
		}
		an->peak[ch] = pk;
		/* Silence: runs of samples below the level. */
		from = an->silent_from[ch];
		for (i = 0; i < c->n; i++) {
			if (fabsf(x[i]) < amp) {
				if (from < 0)
					from = an->samples + i;
			} else if (from >= 0) {
				pos = an->samples + i;
				if ((double)(pos - from) / rate >= cf->silence_min)
					span_add(&res->silence[ch], (double)from /
					    rate, (double)pos / rate, 0);
				from = -1;
			}
		}
		an->silent_from[ch] = from;
	}
	for (b = 0, off = 0; b < c->nblk; off += c->len[b], b++) {
		const float *l, *r;
		double lr = 0, ll = 0, rr = 0, d = 0;

		c->corr[b] = NAN;
		if (an->nmap < 2)
			continue;
		l = c->data + (size_t)an->map[0] * (size_t)c->n + off;
		r = c->data + (size_t)an->map[1] * (size_t)c->n + off;
		{
			float a8[4][8] = { { 0 } };
			int j;

			for (i = 0; i + 8 <= c->len[b]; i += 8) {
				for (j = 0; j < 8; j++) {
					float u = l[i + j], v = r[i + j];

					a8[0][j] += u * v;
					a8[1][j] += u * u;
					a8[2][j] += v * v;
					a8[3][j] += (u - v) * (u - v);
				}
			}
			for (; i < c->len[b]; i++) {
				a8[0][0] += l[i] * r[i];
				a8[1][0] += l[i] * l[i];
				a8[2][0] += r[i] * r[i];
				a8[3][0] += (l[i] - r[i]) * (l[i] - r[i]);
			}
			for (j = 0; j < 8; j++) {
				lr += a8[0][j];
				ll += a8[1][j];
				rr += a8[2][j];
				d += a8[3][j];
			}
		}
		an->c_lr += lr;
		an->c_ll += ll;
		an->c_rr += rr;
		an->d_ll += d;
		/* Only where both sides carry signal (-50 dBFS RMS). */
		if (ll > c->len[b] * 1e-5 && rr > c->len[b] * 1e-5)
			c->corr[b] = (float)(lr / sqrt(ll * rr));
	}
	/* The speech gate on the mix of the mapped channels but LFE. */
	{
		float *mix = an->mixbuf;

		for (b = 0, off = 0; b < c->nblk; off += c->len[b], b++) {
			int m;

			memset(mix, 0, (size_t)c->len[b] * sizeof *mix);
			for (m = 0; m < an->nmap; m++) {
				const float *x = c->data + (size_t)an->map[m] *
				    (size_t)c->n + off;

				if (an->roles[m] == EBUR128_UNUSED)
					continue;
				for (i = 0; i < c->len[b]; i++)
					mix[i] += x[i];
			}
			c->speech[b] = (uint8_t)speech_block(&an->sp, mix,
			    c->len[b]);
		}
	}
	an->samples += c->n;

	pthread_mutex_lock(&an->live_mu);
	{
		double sil = 1e30;

		for (ch = 0; ch < an->nmap; ch++) {
			int64_t from = an->silent_from[an->map[ch]];
			double s = from < 0 ? 0 : (double)(an->samples - from) /
			    rate;

			if (s < sil)
				sil = s;
		}
		an->live.silence_s = an->nmap > 0 ? sil : 0;
	}
	pthread_mutex_unlock(&an->live_mu);
	chunk_release(an, c);
}

/* --- the decode loop --- */

struct astream {
	AVStream *st;
	AVCodecContext *dec;
	SwrContext *swr;
	AVAudioFifo *fifo;
	int first;		/* its first channel, across streams */
	int nch;
	int eof;
};

struct pass {
	struct an *an;
	AVFormatContext *fmt;
	int vidx;
	AVCodecContext *vdec;
	struct astream *as;
	int nas;
	int nch;
	size_t block;		/* next block number */
	size_t seq;		/* next chunk number */
	int bsize;		/* samples per block */
	int chunk_blocks;	/* blocks per chunk */
	AVFrame *frame, *conv;
	XXH3_state_t *xxh;
	double next_live;
	double media_time;
	struct timespec t0;
};

static int
role_of(enum AVChannel c)
{
	switch (c) {
	case AV_CHAN_FRONT_LEFT:
		return EBUR128_LEFT;
	case AV_CHAN_FRONT_RIGHT:
		return EBUR128_RIGHT;
	case AV_CHAN_FRONT_CENTER:
		return EBUR128_CENTER;
	case AV_CHAN_LOW_FREQUENCY:
	case AV_CHAN_LOW_FREQUENCY_2:
		return EBUR128_UNUSED;
	case AV_CHAN_BACK_LEFT:
	case AV_CHAN_SIDE_LEFT:
		return EBUR128_LEFT_SURROUND;
	case AV_CHAN_BACK_RIGHT:
	case AV_CHAN_SIDE_RIGHT:
		return EBUR128_RIGHT_SURROUND;
	default:
		return EBUR128_LEFT;
	}
}

static void
dispatch_chunk(struct pass *p, int n)
{
	struct an *an = p->an;
	struct chunk *c;
	size_t need = (size_t)n * (size_t)p->nch;
	float *data = NULL;
	size_t cap = need;
	int s, ch, b;

	pthread_mutex_lock(&an->live_mu);
	c = an->pool;
	if (c != NULL)
		an->pool = c->next;
	pthread_mutex_unlock(&an->live_mu);
	if (c == NULL)
		c = xmalloc_or_die(sizeof *c);
	else if (c->cap >= need) {
		data = c->data;
		cap = c->cap;
	} else
		free(c->data);
	memset(c, 0, offsetof(struct chunk, e));
	c->data = data != NULL ? data : xmalloc_or_die(need * sizeof(float));
	c->cap = cap;
	c->seq = p->seq++;
	c->index = p->block;
	c->n = n;
	for (b = 0; b * p->bsize < n && b < CHUNK_MAX; b++)
		c->len[b] = n - b * p->bsize < p->bsize ? n - b * p->bsize :
		    p->bsize;
	c->nblk = b;
	p->block += (size_t)b;
	c->nch = p->nch;
	for (s = 0; s < p->nas; s++) {
		void *planes[QC_MAX_CHANNELS];
		int got;

		for (ch = 0; ch < p->as[s].nch; ch++)
			planes[ch] = c->data + (size_t)(p->as[s].first + ch) *
			    (size_t)n;
		got = av_audio_fifo_read(p->as[s].fifo, planes, n);
		if (got < 0)
			got = 0;
		for (ch = 0; ch < p->as[s].nch && got < n; ch++)
			memset((float *)planes[ch] + got, 0, (size_t)(n - got) *
			    sizeof(float));
	}
	atomic_init(&c->refs, 1 + an->nmap);
	for (ch = 0; ch < an->nmap; ch++) {
		struct ltask *t = xmalloc_or_die(sizeof *t);

		t->c = c;
		t->m = ch;
		lane_push(&an->lanes[an->alane[ch]], loud_task, t);
	}
	lane_push(&an->lanes[an->clane], check_task, c);
}

/* Queues every whole chunk all streams have; at the end, what is left. */
static void
pump_audio(struct pass *p, int final)
{
	int want = p->chunk_blocks * p->bsize;

	for (;;) {
		int s, least = INT32_MAX, most = 0;

		for (s = 0; s < p->nas; s++) {
			int sz = av_audio_fifo_size(p->as[s].fifo);

			if (sz < least)
				least = sz;
			if (sz > most)
				most = sz;
		}
		if (p->nas == 0)
			return;
		if (least >= want) {
			dispatch_chunk(p, want);
			continue;
		}
		if (final && most > 0) {
			dispatch_chunk(p, most < want ? most : want);
			continue;
		}
		return;
	}
}

static void
live_update(struct pass *p, int force)
{
	struct an *an = p->an;
	const struct qc_aconf *cf = an->conf;
	struct qc_live l;
	double frac = -1;

	if (cf->live == NULL || (!force && p->media_time < p->next_live))
		return;
	p->next_live = p->media_time + 0.1;
	pthread_mutex_lock(&an->live_mu);
	l = an->live;
	pthread_mutex_unlock(&an->live_mu);
	if (p->fmt->duration > 0)
		frac = p->media_time / ((double)p->fmt->duration /
		    AV_TIME_BASE);
	if (frac > 1)
		frac = 1;
	cf->live(cf->cb_arg, frac, p->media_time, &l);
}

static double
pkt_time(const AVStream *st, int64_t ts, int64_t start)
{
	if (ts == AV_NOPTS_VALUE)
		return -1;
	if (start != AV_NOPTS_VALUE)
		ts -= start;
	return (double)ts * av_q2d(st->time_base);
}

static int
video_frame(struct pass *p, AVFrame *f)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);
	AVFrame *out;

	if (d == NULL)
		return 0;
	if ((d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL)) ||
	    !(d->flags & AV_PIX_FMT_FLAG_PLANAR) || d->nb_components < 3 ||
	    d->comp[0].depth > 16 || (d->flags & AV_PIX_FMT_FLAG_BE) ||
	    (d->comp[0].depth > 8 && d->comp[0].step != 2) ||
	    (d->comp[0].depth == 8 && d->comp[0].step != 1) ||
	    f->width < 8 || f->height < 8) {
		/* Anything else is measured as 4:4:4 in 8 or 16 bits. */
		enum AVPixelFormat to = d->comp[0].depth > 8 ?
		    AV_PIX_FMT_YUV444P16LE : AV_PIX_FMT_YUV444P;

		p->an->sws = sws_getCachedContext(p->an->sws, f->width,
		    f->height, f->format, f->width, f->height, to,
		    SWS_POINT, NULL, NULL, NULL);
		out = av_frame_alloc();
		out->format = to;
		out->width = f->width;
		out->height = f->height;
		if (p->an->sws == NULL || av_frame_get_buffer(out, 0) < 0) {
			av_frame_free(&out);
			return -1;
		}
		sws_scale(p->an->sws, (const uint8_t *const *)f->data,
		    f->linesize, 0, f->height, out->data, out->linesize);
		av_frame_copy_props(out, f);
	} else {
		out = av_frame_clone(f);
		if (out == NULL)
			return -1;
	}
	lane_push(&p->an->lanes[0], video_task, out);
	return 0;
}

static void
audio_frame(struct pass *p, struct astream *a, AVFrame *f)
{
	uint8_t *planes[QC_MAX_CHANNELS];
	int n, ch, out;

	n = swr_get_out_samples(a->swr, f->nb_samples);
	if (n <= 0)
		return;
	for (ch = 0; ch < a->nch; ch++)
		planes[ch] = xmalloc_or_die((size_t)n * sizeof(float));
	out = swr_convert(a->swr, planes, n, (const uint8_t **)f->extended_data,
	    f->nb_samples);
	if (out > 0)
		av_audio_fifo_write(a->fifo, (void **)planes, out);
	for (ch = 0; ch < a->nch; ch++)
		free(planes[ch]);
}

static void
audio_flush(struct pass *p, struct astream *a)
{
	uint8_t *planes[QC_MAX_CHANNELS];
	int ch, out, n = 4096;

	for (ch = 0; ch < a->nch; ch++)
		planes[ch] = xmalloc_or_die((size_t)n * sizeof(float));
	while ((out = swr_convert(a->swr, planes, n, NULL, 0)) > 0)
		av_audio_fifo_write(a->fifo, (void **)planes, out);
	for (ch = 0; ch < a->nch; ch++)
		free(planes[ch]);
}

/* Sends pkt (NULL: flush) to dec and takes every frame out. */
static int
decode(struct pass *p, AVCodecContext *dec, struct astream *a,
    const AVPacket *pkt, double t)
{
	char msg[256] = "";
	unsigned before = log_count(NULL, 0);
	int rc;

	rc = avcodec_send_packet(dec, pkt);
	if (rc < 0 && rc != AVERROR_EOF && rc != AVERROR(EAGAIN)) {
		char e[128];

		log_count(msg, sizeof msg);
		av_strerror(rc, e, sizeof e);
		add_error(p->an->res, t, "%s stream %d: %s%s%s%s",
		    a != NULL ? "audio" : "video", pkt != NULL ?
		    pkt->stream_index : -1, e, *msg ? " (" : "", msg,
		    *msg ? ")" : "");
		before = log_count(NULL, 0);
	}
	for (;;) {
		rc = avcodec_receive_frame(dec, p->frame);
		if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF)
			break;
		if (rc < 0) {
			char e[128];

			av_strerror(rc, e, sizeof e);
			add_error(p->an->res, t, "decoding failed: %s", e);
			break;
		}
		if (a != NULL)
			audio_frame(p, a, p->frame);
		else if (video_frame(p, p->frame) < 0)
			add_error(p->an->res, t, "a video frame could not be "
			    "converted for measuring");
		av_frame_unref(p->frame);
	}
	if (log_count(msg, sizeof msg) != before)
		add_error(p->an->res, t, "%s", msg);
	return 0;
}

static void
pace(struct pass *p, double t)
{
	struct timespec now, ts;
	double el, wait;

	clock_gettime(CLOCK_MONOTONIC, &now);
	el = (double)(now.tv_sec - p->t0.tv_sec) + (double)(now.tv_nsec -
	    p->t0.tv_nsec) / 1e9;
	wait = t - el;
	if (wait > 0.002) {
		if (wait > 1)
			wait = 1;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
}

static json_t *
probe_json(AVFormatContext *fmt, int vidx)
{
	json_t *o = json_object(), *streams = json_array(), *tags = json_object();
	const AVDictionaryEntry *e = NULL;
	unsigned i;

	json_object_set_new(o, "container", json_string(fmt->iformat->name));
	json_object_set_new(o, "duration", fmt->duration > 0 ?
	    json_real((double)fmt->duration / AV_TIME_BASE) : json_null());
	json_object_set_new(o, "bit_rate", json_integer(fmt->bit_rate));
	while ((e = av_dict_get(fmt->metadata, "", e, AV_DICT_IGNORE_SUFFIX)))
		json_object_set_new(tags, e->key, json_string(e->value));
	for (i = 0; i < fmt->nb_streams; i++) {
		AVStream *st = fmt->streams[i];
		AVCodecParameters *cp = st->codecpar;
		const AVCodecDescriptor *cd = avcodec_descriptor_get(cp->codec_id);
		json_t *s = json_object();
		const char *prof;

		json_object_set_new(s, "index", json_integer(i));
		json_object_set_new(s, "type", json_string(
		    av_get_media_type_string(cp->codec_type) ?
		    av_get_media_type_string(cp->codec_type) : "unknown"));
		json_object_set_new(s, "codec", json_string(cd != NULL ?
		    cd->name : "unknown"));
		prof = avcodec_profile_name(cp->codec_id, cp->profile);
		if (prof != NULL)
			json_object_set_new(s, "profile", json_string(prof));
		if (cp->codec_type == AVMEDIA_TYPE_VIDEO) {
			const AVPixFmtDescriptor *pd =
			    av_pix_fmt_desc_get(cp->format);
			AVRational r = st->avg_frame_rate.num > 0 ?
			    st->avg_frame_rate : st->r_frame_rate;
			static const char *const orders[] = { "unknown",
			    "progressive", "tff", "bff", "tb", "bt" };

			json_object_set_new(s, "width", json_integer(cp->width));
			json_object_set_new(s, "height",
			    json_integer(cp->height));
			json_object_set_new(s, "rate_num", json_integer(r.num));
			json_object_set_new(s, "rate_den", json_integer(r.den));
			json_object_set_new(s, "frame_rate", json_real(r.den >
			    0 ? av_q2d(r) : 0));
			json_object_set_new(s, "field_order", json_string(
			    cp->field_order < 6 ? orders[cp->field_order] :
			    "unknown"));
			json_object_set_new(s, "pix_fmt", json_string(pd != NULL
			    ? pd->name : "unknown"));
			json_object_set_new(s, "bit_depth", json_integer(pd !=
			    NULL ? pd->comp[0].depth : 0));
			json_object_set_new(s, "primaries", json_string(
			    av_color_primaries_name(cp->color_primaries)));
			json_object_set_new(s, "transfer", json_string(
			    av_color_transfer_name(cp->color_trc)));
			json_object_set_new(s, "matrix", json_string(
			    av_color_space_name(cp->color_space)));
			json_object_set_new(s, "main", json_boolean((int)i ==
			    vidx));
		} else if (cp->codec_type == AVMEDIA_TYPE_AUDIO) {
			char lay[128] = "";

			av_channel_layout_describe(&cp->ch_layout, lay,
			    sizeof lay);
			json_object_set_new(s, "sample_rate",
			    json_integer(cp->sample_rate));
			json_object_set_new(s, "bit_depth", json_integer(
			    cp->bits_per_raw_sample > 0 ?
			    cp->bits_per_raw_sample :
			    cp->bits_per_coded_sample));
			json_object_set_new(s, "channels",
			    json_integer(cp->ch_layout.nb_channels));
			json_object_set_new(s, "layout", json_string(lay));
		}
		e = av_dict_get(st->metadata, "timecode", NULL, 0);
		if (e != NULL) {
			json_object_set_new(s, "timecode", json_string(e->value));
			if (json_object_get(tags, "timecode") == NULL)
				json_object_set_new(tags, "timecode",
				    json_string(e->value));
		}
		json_array_append_new(streams, s);
	}
	json_object_set_new(o, "streams", streams);
	json_object_set_new(o, "tags", tags);
	return o;
}

static int
interrupt_cb(void *arg)
{
	const struct qc_aconf *conf = arg;

	return conf->cancelled != NULL && conf->cancelled(conf->cb_arg);
}

static int
open_decoder(AVStream *st, AVCodecContext **out, int threads, char *err,
    size_t errlen)
{
	const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
	AVCodecContext *c;
	int rc;

	if (codec == NULL) {
		snprintf(err, errlen, "stream %d uses codec %s, which this "
		    "FFmpeg cannot decode", st->index,
		    avcodec_get_name(st->codecpar->codec_id));
		return -1;
	}
	c = avcodec_alloc_context3(codec);
	if (c == NULL || avcodec_parameters_to_context(c, st->codecpar) < 0) {
		avcodec_free_context(&c);
		snprintf(err, errlen, "stream %d: no decoder context", st->index);
		return -1;
	}
	c->thread_count = threads;
	c->pkt_timebase = st->time_base;
	if ((rc = avcodec_open2(c, codec, NULL)) < 0) {
		char e[128];

		av_strerror(rc, e, sizeof e);
		avcodec_free_context(&c);
		snprintf(err, errlen, "stream %d (%s) cannot be decoded: %s",
		    st->index, codec->name, e);
		return -1;
	}
	*out = c;
	return 0;
}

static void
setup_lut(struct an *an)
{
	int i;

	for (i = 0; i < 1024; i++)
		an->lut[i] = (float)pow(i / 1023.0, an->conf->display_gamma);
}

static int
setup_audio(struct pass *p, char *err, size_t errlen)
{
	struct an *an = p->an;
	const struct qc_aconf *cf = an->conf;
	struct qc_result *res = an->res;
	int s, ch, rate = p->as[0].dec->sample_rate;

	res->sample_rate = rate;
	for (s = 0; s < p->nas; s++) {
		struct astream *a = &p->as[s];
		AVChannelLayout out;

		av_channel_layout_default(&out, a->nch);
		if (swr_alloc_set_opts2(&a->swr, &out, AV_SAMPLE_FMT_FLTP, rate,
		    &a->dec->ch_layout, a->dec->sample_fmt,
		    a->dec->sample_rate, 0, NULL) < 0 || swr_init(a->swr) < 0) {
			snprintf(err, errlen, "audio stream %d cannot be "
			    "converted for measuring", a->st->index);
			return -1;
		}
		/* Keep channels as they are: no remix. */
		a->fifo = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, a->nch, rate);
		av_channel_layout_uninit(&out);
	}
	an->map = xmalloc_or_die(QC_MAX_CHANNELS * sizeof(int));
	an->roles = xmalloc_or_die(QC_MAX_CHANNELS * sizeof(int));
	if (cf->nmap > 0) {
		for (ch = 0; ch < cf->nmap; ch++) {
			if (cf->map[ch] >= p->nch) {
				snprintf(err, errlen, "the spec measures "
				    "loudness on channel %d, but the file has "
				    "%d audio channel%s", cf->map[ch] + 1,
				    p->nch, p->nch == 1 ? "" : "s");
				return -1;
			}
			an->map[ch] = cf->map[ch];
			an->roles[ch] = cf->roles[ch];
		}
		an->nmap = cf->nmap;
	} else {
		AVChannelLayout *l = &p->as[0].dec->ch_layout;

		an->nmap = p->as[0].nch;
		for (ch = 0; ch < an->nmap; ch++) {
			an->map[ch] = ch;
			an->roles[ch] = l->order == AV_CHANNEL_ORDER_NATIVE ||
			    l->order == AV_CHANNEL_ORDER_CUSTOM ?
			    role_of(av_channel_layout_channel_from_index(l,
			    (unsigned)ch)) : ch == 0 ? EBUR128_LEFT : ch == 1 ?
			    EBUR128_RIGHT : EBUR128_LEFT;
		}
		/* A mono programme is heard on both loudspeakers. */
		if (an->nmap == 1)
			an->roles[0] = EBUR128_DUAL_MONO;
	}
	res->nmap = an->nmap;
	for (ch = 0; ch < an->nmap; ch++) {
		/* One state per channel, momentary mode only: the gating is
		 * loud.c's, from the 100 ms energies. */
		an->loud[ch] = ebur128_init(1, (unsigned long)rate,
		    EBUR128_MODE_M);
		if (an->loud[ch] == NULL) {
			snprintf(err, errlen, "libebur128 refused %d Hz audio",
			    rate);
			return -1;
		}
		ebur128_set_channel(an->loud[ch], 0, an->roles[ch]);
		qc_tpeak_init(&an->tp[ch], rate);
		/* With a picture, lane 0 measures it and lane 1 all the
		 * sound; without, the channels share both lanes. */
		an->alane[ch] = p->vidx >= 0 ? 1 : ch % LANES;
	}
	an->clane = p->vidx >= 0 ? 1 : an->nmap % LANES;
	/* A lane wakes once a second of sound, or every block when the
	 * meters follow the media in real time; at most ~20 channel-
	 * seconds in a chunk. */
	p->chunk_blocks = cf->realtime ? 1 : p->nch > 0 && 20 / p->nch <
	    CHUNK_MAX ? (20 / p->nch > 0 ? 20 / p->nch : 1) : CHUNK_MAX;
	for (ch = 0; ch < p->nch; ch++) {
		an->silent_from[ch] = -1;
		res->sample_peak[ch] = -INFINITY;
	}
	an->silence_amp = (float)pow(10, cf->silence_db / 20);
	speech_init(&an->sp, rate);
	an->mixbuf = xmalloc_or_die((size_t)(rate / BLOCK_HZ + 1) *
	    sizeof(float));
	p->bsize = an->bsize = rate / BLOCK_HZ;
	res->block = 1.0 / BLOCK_HZ;
	res->max_momentary = res->max_short_term = -HUGE_VAL;
	return 0;
}

static void
finish_audio(struct pass *p)
{
	struct an *an = p->an;
	struct qc_result *res = an->res;
	int ch;

	res->integrated = qc_loud_integrated(an->energy, an->full_blocks, NULL,
	    NULL);
	res->lra = qc_loud_range(an->energy, an->full_blocks);
	/* Dialogue gating: the 400 ms blocks with speech in at least two of
	 * their four 100 ms blocks, through the usual gates. */
	{
		unsigned char *keep = xmalloc_or_die(an->full_blocks + 1);
		size_t i, loud = 0, talk = 0;
		double gate = qc_loud_energy(-70);

		for (i = 0; i < an->full_blocks; i++) {
			keep[i] = i >= 3 && an->speech[i] + an->speech[i - 1] +
			    an->speech[i - 2] + an->speech[i - 3] >= 2;
			if (an->energy[i] >= gate) {
				loud++;
				talk += an->speech[i];
			}
		}
		res->dialogue = qc_loud_integrated(an->energy, an->full_blocks,
		    keep, &res->dialogue_blocks);
		res->speech_share = loud > 0 ? (double)talk / (double)loud : 0;
		free(keep);
	}
	for (ch = 0; ch < p->nch; ch++) {
		double n = (double)an->samples;

		if (an->silent_from[ch] >= 0 && (double)(an->samples -
		    an->silent_from[ch]) / res->sample_rate >=
		    an->conf->silence_min)
			span_add(&res->silence[ch], (double)an->silent_from[ch] /
			    res->sample_rate, (double)an->samples /
			    res->sample_rate, 0);
		res->sample_peak[ch] = db(an->peak[ch]);
		res->dc[ch] = n > 0 ? db(fabs(an->sum[ch] / n)) : -INFINITY;
		res->rms[ch] = n > 0 ? db(sqrt(an->sumsq[ch] / n)) : -INFINITY;
	}
	for (ch = 0; ch < an->nmap; ch++) {
		/* the interpolator's tail after the last sample */
		float v = qc_tpeak_run(&an->tp[ch], NULL, QC_TP_TAPS);

		if (v > an->tpeak_max[ch])
			an->tpeak_max[ch] = v;
		res->true_peak[ch] = db(an->tpeak_max[ch]);
	}
	res->correlation = an->c_ll > 0 && an->c_rr > 0 ? an->c_lr /
	    sqrt(an->c_ll * an->c_rr) : NAN;
	res->dual_mono = an->nmap >= 2 && an->c_ll > 0 &&
	    an->d_ll < an->c_ll * 1e-6;
}

static void
pass_free(struct pass *p)
{
	int s;

	for (s = 0; s < p->nas; s++) {
		avcodec_free_context(&p->as[s].dec);
		swr_free(&p->as[s].swr);
		if (p->as[s].fifo != NULL)
			av_audio_fifo_free(p->as[s].fifo);
	}
	free(p->as);
	avcodec_free_context(&p->vdec);
	av_frame_free(&p->frame);
	avformat_close_input(&p->fmt);
	if (p->xxh != NULL)
		XXH3_freeState(p->xxh);
}

int
qc_analyse(const char *path, const struct qc_aconf *conf,
    struct qc_result *res, char *err, size_t errlen)
{
	struct an *an = calloc(1, sizeof *an);
	struct pass p;
	AVPacket *pkt = NULL;
	int rc, i, lanes_up = 0, ret = -1, vthreads = 0;
	unsigned s;
	double stated;

	memset(res, 0, sizeof *res);
	memset(&p, 0, sizeof p);
	if (an == NULL)
		abort();
	an->conf = conf;
	an->res = res;
	p.an = an;
	p.vidx = -1;
	pthread_mutex_init(&an->live_mu, NULL);
	an->live.momentary = an->live.short_term = -HUGE_VAL;
	an->live.integrated = an->live.true_peak = -HUGE_VAL;
	an->live.tp_block = -HUGE_VAL;
	av_log_set_callback(log_cb);

	/* A stalled stream must not outlive a cancel: libavformat asks this
	 * while it waits. */
	p.fmt = avformat_alloc_context();
	if (p.fmt == NULL)
		abort();
	p.fmt->interrupt_callback.callback = interrupt_cb;
	p.fmt->interrupt_callback.opaque = (void *)conf;
	if ((rc = avformat_open_input(&p.fmt, path, NULL, NULL)) < 0) {
		char e[128], last[256];

		av_strerror(rc, e, sizeof e);
		log_count(last, sizeof last);
		snprintf(err, errlen, "cannot open %s: %s%s%s%s; check that it "
		    "is a complete media file", path, e, *last ? " (" : "",
		    last, *last ? ")" : "");
		goto out;
	}
	if ((rc = avformat_find_stream_info(p.fmt, NULL)) < 0) {
		char e[128];

		av_strerror(rc, e, sizeof e);
		snprintf(err, errlen, "cannot read the streams of %s: %s; it "
		    "may be truncated or not media", path, e);
		goto out;
	}
	p.vidx = av_find_best_stream(p.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL,
	    0);
	if (p.vidx >= 0 && (p.fmt->streams[p.vidx]->disposition &
	    AV_DISPOSITION_ATTACHED_PIC))
		p.vidx = -1;
	p.as = calloc(p.fmt->nb_streams + 1, sizeof *p.as);
	for (s = 0; s < p.fmt->nb_streams; s++) {
		AVStream *st = p.fmt->streams[s];

		if (st->codecpar->codec_type != AVMEDIA_TYPE_AUDIO ||
		    st->codecpar->ch_layout.nb_channels <= 0)
			continue;
		if (p.nch + st->codecpar->ch_layout.nb_channels >
		    QC_MAX_CHANNELS)
			break;
		p.as[p.nas].st = st;
		p.as[p.nas].first = p.nch;
		p.as[p.nas].nch = st->codecpar->ch_layout.nb_channels;
		if (open_decoder(st, &p.as[p.nas].dec, 1, err, errlen) < 0)
			goto out;
		p.nch += p.as[p.nas].nch;
		p.nas++;
	}
	if (p.vidx < 0 && p.nas == 0) {
		snprintf(err, errlen, "%s has neither video nor audio that QC "
		    "can measure", path);
		goto out;
	}
	res->probe = probe_json(p.fmt, p.vidx);
	if (p.vidx >= 0) {
		AVStream *st = p.fmt->streams[p.vidx];
		AVRational r = st->avg_frame_rate.num > 0 ? st->avg_frame_rate :
		    st->r_frame_rate;
		const AVPixFmtDescriptor *pd;

		if (open_decoder(st, &p.vdec, vthreads, err, errlen) < 0)
			goto out;
		res->has_video = 1;
		res->width = st->codecpar->width;
		res->height = st->codecpar->height;
		pd = av_pix_fmt_desc_get(st->codecpar->format);
		res->depth = pd != NULL ? pd->comp[0].depth : 8;
		res->rate_num = r.num > 0 ? r.num : 25;
		res->rate_den = r.num > 0 ? r.den : 1;
		an->bt601 = st->codecpar->color_space == AVCOL_SPC_BT470BG ||
		    st->codecpar->color_space == AVCOL_SPC_SMPTE170M ||
		    (st->codecpar->color_space == AVCOL_SPC_UNSPECIFIED &&
		    res->height < 720);
		setup_lut(an);
	}
	if (p.nas > 0) {
		res->has_audio = 1;
		res->channels = p.nch;
		if (setup_audio(&p, err, errlen) < 0)
			goto out;
	}
	for (i = 0; i < LANES; i++) {
		an->lanes[i].an = an;
		/* Decoded pictures waiting are 3 MB each at 1080 lines:
		 * a short queue for the picture lane. */
		an->lanes[i].cap = i == 0 && p.vidx >= 0 ? 3 : LANE_CAP;
		pthread_mutex_init(&an->lanes[i].mu, NULL);
		pthread_cond_init(&an->lanes[i].cv, NULL);
		if (pthread_create(&an->lanes[i].th, NULL, lane_main,
		    &an->lanes[i]) != 0) {
			snprintf(err, errlen, "cannot start an analysis "
			    "thread: %s", strerror(errno));
			for (i--; i >= 0; i--)
				lane_join(&an->lanes[i]);
			goto out;
		}
	}
	lanes_up = 1;
	p.frame = av_frame_alloc();
	pkt = av_packet_alloc();
	p.xxh = XXH3_createState();
	XXH3_64bits_reset(p.xxh);
	clock_gettime(CLOCK_MONOTONIC, &p.t0);

	for (;;) {
		AVStream *st;
		struct astream *a = NULL;
		double t;

		if (conf->cancelled != NULL && conf->cancelled(conf->cb_arg)) {
			res->stopped_early = 1;
			break;
		}
		rc = av_read_frame(p.fmt, pkt);
		if (rc == AVERROR_EOF)
			break;
		if (rc < 0) {
			char e[128];

			av_strerror(rc, e, sizeof e);
			if (rc == AVERROR(EAGAIN))
				continue;
			add_error(res, p.media_time, "reading stopped: %s", e);
			break;
		}
		st = p.fmt->streams[pkt->stream_index];
		for (i = 0; i < p.nas; i++) {
			if (p.as[i].st == st)
				a = &p.as[i];
		}
		if (a == NULL && pkt->stream_index != p.vidx) {
			av_packet_unref(pkt);
			continue;
		}
		XXH3_64bits_update(p.xxh, pkt->data, (size_t)pkt->size);
		t = pkt_time(st, pkt->pts != AV_NOPTS_VALUE ? pkt->pts :
		    pkt->dts, st->start_time);
		if (t < 0)
			t = p.media_time;
		if (pkt->flags & AV_PKT_FLAG_CORRUPT)
			add_error(res, t, "stream %d: the container marks a "
			    "packet corrupt", pkt->stream_index);
		if (conf->realtime)
			pace(&p, t);
		if (t > p.media_time)
			p.media_time = t;
		decode(&p, a != NULL ? a->dec : p.vdec, a, pkt, t);
		av_packet_unref(pkt);
		if (a != NULL)
			pump_audio(&p, 0);
		live_update(&p, 0);
	}
	if (p.vdec != NULL)
		decode(&p, p.vdec, NULL, NULL, p.media_time);
	for (i = 0; i < p.nas; i++) {
		decode(&p, p.as[i].dec, &p.as[i], NULL, p.media_time);
		audio_flush(&p, &p.as[i]);
		p.as[i].eof = 1;
	}
	pump_audio(&p, 1);
	for (i = 0; i < LANES; i++)
		lane_join(&an->lanes[i]);
	lanes_up = 0;
	if (p.nas > 0)
		finish_audio(&p);
	live_update(&p, 1);
	snprintf(res->content_id, sizeof res->content_id, "%016llx",
	    (unsigned long long)XXH3_64bits_digest(p.xxh));
	res->duration = res->has_video && res->rate_num > 0 ?
	    (double)res->nframes * res->rate_den / res->rate_num : 0;
	if (res->has_audio && res->sample_rate > 0 &&
	    (double)an->samples / res->sample_rate > res->duration)
		res->duration = (double)an->samples / res->sample_rate;
	stated = p.fmt->duration > 0 ? (double)p.fmt->duration /
	    AV_TIME_BASE : 0;
	if (!res->stopped_early && !conf->realtime && stated > 1 &&
	    res->duration < stated * 0.95 - 0.5)
		add_error(res, res->duration, "the file ends after %.2f s of "
		    "its stated %.2f s: it is truncated", res->duration,
		    stated);
	if (res->nframes == 0 && res->has_video)
		add_error(res, 0, "no video frame could be decoded");
	ret = 0;
out:
	if (lanes_up) {
		for (i = 0; i < LANES; i++)
			lane_join(&an->lanes[i]);
	}
	av_packet_free(&pkt);
	pass_free(&p);
	for (i = 0; i < QC_MAX_CHANNELS; i++) {
		if (an->loud[i] != NULL)
			ebur128_destroy(&an->loud[i]);
		qc_tpeak_free(&an->tp[i]);
	}
	for (i = 0; i < RING; i++) {
		if (an->done[i] != NULL) {
			free(an->done[i]->data);
			free(an->done[i]);
		}
	}
	while (an->pool != NULL) {
		struct chunk *c = an->pool;

		an->pool = c->next;
		free(c->data);
		free(c);
	}
	free(an->energy);
	free(an->speech);
	free(an->mixbuf);
	free(an->map);
	free(an->roles);
	for (i = 0; i < 2; i++)
		free(an->grid[i]);
	for (i = 0; i < 3; i++)
		av_frame_free(&an->fld[i]);
	free(an->plum);
	free(an->pmask);
	free(an->ppos);
	free(an->row_max);
	free(an->col_max);
	sws_freeContext(an->sws);
	pthread_mutex_destroy(&an->live_mu);
	free(an);
	av_log_set_callback(av_log_default_callback);
	if (ret < 0)
		qc_result_free(res);
	return ret;
}

void
qc_result_free(struct qc_result *res)
{
	size_t i;

	json_decref(res->probe);
	free(res->frames);
	for (i = 0; i < QC_MAX_CHANNELS; i++)
		free(res->silence[i].v);
	free(res->momentary);
	free(res->short_term);
	free(res->tpeak);
	free(res->corr);
	for (i = 0; i < res->nerrors; i++)
		free(res->errors[i].message);
	free(res->errors);
	memset(res, 0, sizeof *res);
}
