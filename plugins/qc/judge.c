/*
 * judge: the spec's verdict on one pass (see judge.h). Each check reads
 * its limits from the spec, walks the measurements and adds findings; a
 * finding's times are seconds from the start of the file and labels in
 * the file's own timecode (or from 00:00:00:00 at 25 fps for a file with
 * no video and no timecode). Runs of frames or blocks become spans; a
 * check lists at most MAX_SPANS of them and says how many more there are.
 */
#include "autoconfig.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ebur128.h>

#include "judge.h"
#include "timecode.h"

#define MAX_SPANS 50
#define MAX_POINTS 1500

struct judge {
	const struct qc_spec *spec;
	const struct qc_result *res;
	const json_t *exceptions;
	const char *content_id;
	json_t *findings;
	const struct tc_rate *rate;
	int64_t tc_start;
	const char *tc_label;	/* the start as the file states it */
	char tc_buf[TC_FORMAT_SIZE];
	double fps;
};

static json_t *
num(double v)
{
	return isfinite(v) ? json_real(round(v * 1000) / 1000) : json_null();
}

static void
tc_label(const struct judge *j, double t, char *buf, size_t size)
{
	int64_t f = (int64_t)floor(t * j->fps + 1e-6);

	tc_format(tc_add(j->tc_start, f, j->rate), j->rate, buf, size);
}

static const char *
sev(const struct judge *j, const char *section, const char *def)
{
	const char *s = qc_spec_severity(j->spec, section);

	if (qc_spec_get(j->spec, section, "severity") == NULL && def != NULL)
		return def;
	return s;
}

/* Adds a finding; t_out < 0 means a point in time. */
static void __attribute__((format(printf, 9, 10)))
finding(struct judge *j, const char *check, const char *severity, double t_in,
    double t_out, double value, const char *unit, const char *limit,
    const char *fmt, ...)
{
	char msg[600], a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE];
	va_list ap;
	json_t *f;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	f = json_object();
	json_object_set_new(f, "check", json_string(check));
	json_object_set_new(f, "severity", json_string(severity));
	json_object_set_new(f, "status", json_string("open"));
	json_object_set_new(f, "t_in", num(t_in));
	json_object_set_new(f, "t_out", t_out >= 0 ? num(t_out) : json_null());
	tc_label(j, t_in, a, sizeof a);
	json_object_set_new(f, "tc_in", json_string(a));
	if (t_out >= 0) {
		tc_label(j, t_out, b, sizeof b);
		json_object_set_new(f, "tc_out", json_string(b));
	} else {
		json_object_set_new(f, "tc_out", json_null());
	}
	json_object_set_new(f, "value", num(value));
	json_object_set_new(f, "unit", unit != NULL ? json_string(unit) :
	    json_null());
	json_object_set_new(f, "limit", limit != NULL ? json_string(limit) :
	    json_null());
	json_object_set_new(f, "message", json_string(msg));
	json_object_set_new(f, "remedy", json_null());
	json_array_append_new(j->findings, f);
}

static void __attribute__((format(printf, 2, 3)))
remedy(struct judge *j, const char *fmt, ...)
{
	char buf[400];
	va_list ap;
	json_t *f = json_array_get(j->findings, json_array_size(j->findings) -
	    1);

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	json_object_set_new(f, "remedy", json_string(buf));
}

static void
more(struct judge *j, const char *check, const char *severity, size_t extra,
    const char *what)
{
	if (extra > 0)
		finding(j, check, severity, 0, -1, (double)extra, NULL, NULL,
		    "%zu more %s not listed one by one.", extra, what);
}

/* --- loudness --- */

static size_t
worst_block(const float *v, size_t n)
{
	size_t i, w = 0;

	for (i = 1; i < n; i++) {
		if (v[i] > v[w])
			w = i;
	}
	return w;
}

/* Whether the spec gates loudness on dialogue: 1 yes, with enough
 * speech; -1 it asks, but the gate found too little speech (the whole
 * programme is measured instead); 0 it does not ask. */
static int
dialogue_gated(const struct judge *j)
{
	const char *g = qc_spec_get(j->spec, "loudness", "gating");

	if (g == NULL || strcmp(g, "dialogue") != 0)
		return 0;
	if (100 * j->res->speech_share < qc_spec_num(j->spec, "dialogue",
	    "min_share", 10) || !isfinite(j->res->dialogue))
		return -1;
	return 1;
}

static void
check_loudness(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s;
	char lim[80];
	double tp = -INFINITY, v;
	int ch;

	if (!r->has_audio)
		return;
	if ((s = sev(j, "loudness", NULL)) != NULL) {
		double target = qc_spec_num(j->spec, "loudness", "target", -23);
		double tol = qc_spec_num(j->spec, "loudness", "tolerance", 0.5);
		double I = r->integrated;
		int gated = dialogue_gated(j);

		snprintf(lim, sizeof lim, "%.1f ±%.1f LUFS%s", target, tol,
		    gated ? " dialogue-gated" : "");
		if (gated > 0)
			I = r->dialogue;
		if (gated < 0) {
			finding(j, "loudness.dialogue", "info", 0, r->duration,
			    100 * r->speech_share, "%", NULL, "The speech gate "
			    "found speech in %.0f %% of the programme, under the "
			    "%g %% it needs: the loudness is measured over the "
			    "whole programme instead.", 100 * r->speech_share,
			    qc_spec_num(j->spec, "dialogue", "min_share", 10));
			remedy(j, "Check by ear whether the programme has "
			    "dialogue; if it does, measure it with a dialogue "
			    "meter.");
		}
		if (!isfinite(I)) {
			finding(j, "loudness", s, 0, r->duration, r->integrated,
			    "LUFS", lim, "No loudness could be measured: the "
			    "programme stays below the -70 LUFS gate.");
			remedy(j, "Check that the programme's audio is on the "
			    "channels the spec measures.");
		} else if (fabs(I - target) > tol + 1e-9) {
			finding(j, "loudness", s, 0, r->duration, I, "LUFS",
			    lim, "%s loudness is %.1f LUFS; the spec asks %.1f "
			    "±%.1f LUFS.", gated > 0 ? "Dialogue-gated" :
			    "Integrated", I, target, tol);
			remedy(j, "Normalise to %.1f LUFS: gain %+.1f dB.",
			    target, target - I);
		}
	}
	for (ch = 0; ch < r->nmap; ch++) {
		if (r->true_peak[ch] > tp)
			tp = r->true_peak[ch];
	}
	if ((s = sev(j, "true_peak", NULL)) != NULL &&
	    tp > (v = qc_spec_num(j->spec, "true_peak", "max", -1)) + 1e-9) {
		size_t b = worst_block(r->tpeak, r->nblocks);

		snprintf(lim, sizeof lim, "max %.1f dBTP", v);
		finding(j, "true_peak", s, (double)b * r->block, -1, tp, "dBTP",
		    lim, "True peak reaches %.1f dBTP, over the %.1f dBTP "
		    "limit.", tp, v);
		remedy(j, "Limit the true peak to %.1f dBTP (a true-peak "
		    "limiter): it is %.1f dB too high.", v, tp - v);
	}
	if ((s = sev(j, "short_term", NULL)) != NULL && r->max_short_term >
	    (v = qc_spec_num(j->spec, "short_term", "max", -18)) + 1e-9) {
		size_t b = worst_block(r->short_term, r->nblocks);

		snprintf(lim, sizeof lim, "max %.1f LUFS", v);
		finding(j, "short_term", s, (double)b * r->block - 3 > 0 ?
		    (double)b * r->block - 3 : 0, (double)(b + 1) * r->block,
		    r->max_short_term, "LUFS", lim, "Short-term loudness "
		    "reaches %.1f LUFS, over the %.1f LUFS maximum.",
		    r->max_short_term, v);
		remedy(j, "Bring the loudest 3 s down by %.1f dB.",
		    r->max_short_term - v);
	}
	if ((s = sev(j, "momentary", NULL)) != NULL && r->max_momentary >
	    (v = qc_spec_num(j->spec, "momentary", "max", -15)) + 1e-9) {
		size_t b = worst_block(r->momentary, r->nblocks);

		snprintf(lim, sizeof lim, "max %.1f LUFS", v);
		finding(j, "momentary", s, (double)b * r->block, -1,
		    r->max_momentary, "LUFS", lim, "Momentary loudness "
		    "reaches %.1f LUFS, over the %.1f LUFS maximum.",
		    r->max_momentary, v);
		remedy(j, "Bring the loudest moment down by %.1f dB.",
		    r->max_momentary - v);
	}
	if ((s = sev(j, "lra", NULL)) != NULL) {
		double mx = qc_spec_num(j->spec, "lra", "max", 1e9);
		double mn = qc_spec_num(j->spec, "lra", "min", 0);

		if (r->lra > mx + 1e-9) {
			snprintf(lim, sizeof lim, "max %.1f LU", mx);
			finding(j, "lra", s, 0, r->duration, r->lra, "LU", lim,
			    "Loudness range is %.1f LU, wider than %.1f LU.",
			    r->lra, mx);
			remedy(j, "Compress the dynamics by about %.1f LU.",
			    r->lra - mx);
		} else if (r->lra < mn - 1e-9) {
			snprintf(lim, sizeof lim, "min %.1f LU", mn);
			finding(j, "lra", s, 0, r->duration, r->lra, "LU", lim,
			    "Loudness range is %.1f LU, narrower than %.1f LU.",
			    r->lra, mn);
			remedy(j, "Check for over-compression.");
		}
	}
}

/* --- runs over frames --- */

typedef int (*frame_pred)(const struct qc_vframe *f, const struct judge *j,
    double *value);

/* Finds runs of frames where pred holds, at least min_s long, outside
 * the first and last edge seconds; adds a finding per run through cb. */
static size_t
frame_runs(struct judge *j, frame_pred pred, double min_s, double edge,
    void (*cb)(struct judge *j, double in, double out, double worst,
    void *arg), void *arg)
{
	const struct qc_result *r = j->res;
	size_t i = 0, start, count = 0, listed = 0;
	double v, worst, in, out, total = (double)r->nframes / j->fps;

	while (i < r->nframes) {
		if (!pred(&r->frames[i], j, &v)) {
			i++;
			continue;
		}
		start = i;
		worst = v;
		while (i < r->nframes && pred(&r->frames[i], j, &v)) {
			if (v > worst)
				worst = v;
			i++;
		}
		in = (double)start / j->fps;
		out = (double)i / j->fps;
		if (out - in + 1e-9 < min_s)
			continue;
		if (edge > 0 && (out <= edge + 1e-9 || in >= total - edge -
		    1e-9))
			continue;
		count++;
		if (listed < MAX_SPANS) {
			cb(j, in, out, worst, arg);
			listed++;
		}
	}
	return count - listed;
}

static int
is_black(const struct qc_vframe *f, const struct judge *j, double *v)
{
	*v = 1;
	return f->black;
}

static double freeze_noise;

static int
is_frozen(const struct qc_vframe *f, const struct judge *j, double *v)
{
	/* The first frame of a freeze differs from the one before it; the
	 * run is shifted back one frame below. */
	*v = f->diff;
	return !f->black && f->diff < freeze_noise;
}

static void
black_cb(struct judge *j, double in, double out, double worst, void *arg)
{
	finding(j, "black", arg, in, out, out - in, "s", NULL, "Black for "
	    "%.2f s.", out - in);
	remedy(j, "Check the edit for a gap or a missing shot here.");
}

static void
freeze_cb(struct judge *j, double in, double out, double worst, void *arg)
{
	in -= 1 / j->fps;
	if (in < 0)
		in = 0;
	finding(j, "freeze", arg, in, out, out - in, "s", NULL, "The picture "
	    "is frozen for %.2f s.", out - in);
	remedy(j, "Check for a held frame or a stalled source here.");
}

struct levels_arg {
	const char *sev;
	double area;
	int chroma;
	double lo, hi;
};

static struct levels_arg *levels_cur;

static int
out_of_range(const struct qc_vframe *f, const struct judge *j, double *v)
{
	*v = 100.0 * (levels_cur->chroma ? f->cout : f->yout);
	return *v >= levels_cur->area;
}

static void
levels_cb(struct judge *j, double in, double out, double worst, void *arg)
{
	struct levels_arg *a = arg;
	char lim[80];

	snprintf(lim, sizeof lim, "%s %g-%g on < %g %% of the picture",
	    a->chroma ? "Cb/Cr" : "Y'", a->lo, a->hi, a->area);
	finding(j, a->chroma ? "levels.chroma" : "levels.luma", a->sev, in,
	    out, worst, "%", lim, "%s is outside %g-%g (8-bit) on up to %.1f %% "
	    "of the picture (EBU R103 allows %g %%).", a->chroma ?
	    "Chroma" : "Luma", a->lo, a->hi, worst, a->area);
	remedy(j, "Legalise the %s (a broadcast-safe limiter) before "
	    "delivery.", a->chroma ? "chroma" : "video levels");
}

struct flash_arg {
	const char *sev;
	double area;
	int kind;		/* 0 fail, 1 warn, 2 red */
	int limit, warn;
};

static struct flash_arg *flash_cur;

static int
flashing(const struct qc_vframe *f, const struct judge *j, double *v)
{
	double a = flash_cur->kind == 0 ? f->flash_area : flash_cur->kind == 1 ?
	    f->flash_warn_area : f->red_area;

	*v = 100.0 * a;
	if (flash_cur->kind == 1 && f->flash_area * 100.0 > flash_cur->area)
		return 0;	/* already a failure */
	return *v > flash_cur->area;
}

static void
flash_cb(struct judge *j, double in, double out, double worst, void *arg)
{
	struct flash_arg *a = arg;
	char lim[80];

	/* The window looks back one second: the flashing began up to a
	 * second before the first frame that tripped it. */
	in = in - 1 + 1 / j->fps > 0 ? in - 1 + 1 / j->fps : 0;
	snprintf(lim, sizeof lim, "<= %d flashes/s over <= %g %% of the "
	    "screen", a->limit, a->area);
	if (a->kind == 2)
		finding(j, "flash.red", a->sev, in, out, worst, "%", lim,
		    "Saturated red flashes more than %d times a second over "
		    "%.0f %% of the screen.", a->limit, worst);
	else if (a->kind == 1)
		finding(j, "flash", a->sev, in, out, worst, "%", lim,
		    "Flashes %d or more times a second over %.0f %% of the "
		    "screen: close to the limit.", a->warn, worst);
	else
		finding(j, "flash", a->sev, in, out, worst, "%", lim,
		    "Flashes more than %d times a second over %.0f %% of the "
		    "screen (photosensitive epilepsy risk).", a->limit, worst);
	remedy(j, "Reduce the flash rate or the flashing area, or the "
	    "contrast of the flashes, and check again.");
}

static void
check_video(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s;
	size_t extra;

	if (!r->has_video)
		return;
	if ((s = sev(j, "black", NULL)) != NULL) {
		extra = frame_runs(j, is_black, qc_spec_num(j->spec, "black",
		    "min_duration", 0.5), qc_spec_num(j->spec, "black",
		    "ignore_edges", 0), black_cb, (void *)s);
		more(j, "black", s, extra, "black spans");
	}
	if ((s = sev(j, "freeze", NULL)) != NULL) {
		freeze_noise = qc_spec_num(j->spec, "freeze", "noise", 0.001);
		extra = frame_runs(j, is_frozen, qc_spec_num(j->spec, "freeze",
		    "min_duration", 2) - 1 / j->fps, qc_spec_num(j->spec,
		    "freeze", "ignore_edges", 0), freeze_cb, (void *)s);
		more(j, "freeze", s, extra, "frozen spans");
	}
	if ((s = sev(j, "levels", NULL)) != NULL) {
		struct levels_arg a = { s, qc_spec_num(j->spec, "levels",
		    "area", 1), 0, qc_spec_num(j->spec, "levels", "luma_min",
		    5), qc_spec_num(j->spec, "levels", "luma_max", 246) };
		double md = qc_spec_num(j->spec, "levels", "min_duration", 0);

		levels_cur = &a;
		extra = frame_runs(j, out_of_range, md, 0, levels_cb, &a);
		more(j, "levels.luma", s, extra, "out-of-range spans");
		a.chroma = 1;
		a.lo = qc_spec_num(j->spec, "levels", "chroma_min", 5);
		a.hi = qc_spec_num(j->spec, "levels", "chroma_max", 251);
		extra = frame_runs(j, out_of_range, md, 0, levels_cb, &a);
		more(j, "levels.chroma", s, extra, "out-of-range spans");
	}
	if ((s = sev(j, "flash", NULL)) != NULL) {
		struct flash_arg a = { s, qc_spec_num(j->spec, "flash", "area",
		    25), 0, (int)qc_spec_num(j->spec, "flash", "limit", 3),
		    (int)qc_spec_num(j->spec, "flash", "warn", 3) };

		flash_cur = &a;
		extra = frame_runs(j, flashing, 0, 0, flash_cb, &a);
		more(j, "flash", s, extra, "flashing spans");
		a.kind = 2;
		extra = frame_runs(j, flashing, 0, 0, flash_cb, &a);
		more(j, "flash.red", s, extra, "red flashing spans");
		if (strcmp(s, "fail") == 0) {
			a.kind = 1;
			a.sev = "warn";
			extra = frame_runs(j, flashing, 0, 0, flash_cb, &a);
			more(j, "flash", "warn", extra, "flash warnings");
		}
	}
	if ((s = sev(j, "letterbox", NULL)) != NULL) {
		int top = 1 << 30, bot = 1 << 30, lef = 1 << 30, rig = 1 << 30;
		size_t i, seen = 0;
		double mx = qc_spec_num(j->spec, "letterbox", "max", 0);

		for (i = 0; i < r->nframes; i++) {
			const struct qc_vframe *f = &r->frames[i];

			if (f->bar_top < 0)
				continue;
			seen++;
			top = f->bar_top < top ? f->bar_top : top;
			bot = f->bar_bottom < bot ? f->bar_bottom : bot;
			lef = f->bar_left < lef ? f->bar_left : lef;
			rig = f->bar_right < rig ? f->bar_right : rig;
		}
		if (seen > 0 && r->grid_h > 0) {
			double v = 100.0 * (top + bot) / r->grid_h;
			double h = 100.0 * (lef + rig) / r->grid_w;

			if (v > mx + 0.5 && top > 0 && bot > 0)
				finding(j, "letterbox", s, 0, r->duration, v,
				    "%", NULL, "Letterboxed throughout: the "
				    "active picture is %dx%d of %dx%d.",
				    r->width, r->height - r->grid_step * (top + bot),
				    r->width, r->height);
			if (h > mx + 0.5 && lef > 0 && rig > 0)
				finding(j, "pillarbox", s, 0, r->duration, h,
				    "%", NULL, "Pillarboxed throughout: the "
				    "active picture is %dx%d of %dx%d.",
				    r->width - r->grid_step * (lef + rig), r->height,
				    r->width, r->height);
		}
	}
}

/* --- audio checks --- */

static void
check_audio(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s;
	int ch, c2;
	size_t i, listed = 0, extra = 0;
	double edge, total = r->duration;

	if (!r->has_audio)
		return;
	if ((s = sev(j, "silence", NULL)) != NULL) {
		edge = qc_spec_num(j->spec, "silence", "ignore_edges", 0);
		for (ch = 0; ch < r->channels; ch++) {
			for (i = 0; i < r->silence[ch].n; i++) {
				const struct qc_span *sp = &r->silence[ch].v[i];
				char who[64];
				int last = ch, dup = 0;

				if (edge > 0 && (sp->out <= edge + 1e-9 ||
				    sp->in >= total - edge - 1e-9))
					continue;
				/* One finding for a span every channel after
				 * this one shares; skip it on those. */
				for (c2 = 0; c2 < ch && !dup; c2++) {
					size_t k;

					for (k = 0; k < r->silence[c2].n; k++)
						if (fabs(r->silence[c2].v[k].in -
						    sp->in) < 0.001 &&
						    fabs(r->silence[c2].v[k].out
						    - sp->out) < 0.001)
							dup = 1;
				}
				if (dup)
					continue;
				for (c2 = ch + 1; c2 < r->channels; c2++) {
					size_t k;
					int hit = 0;

					for (k = 0; k < r->silence[c2].n; k++)
						if (fabs(r->silence[c2].v[k].in -
						    sp->in) < 0.001 &&
						    fabs(r->silence[c2].v[k].out
						    - sp->out) < 0.001)
							hit = 1;
					if (!hit)
						break;
					last = c2;
				}
				if (last > ch)
					snprintf(who, sizeof who, "Channels %d-%d "
					    "are", ch + 1, last + 1);
				else
					snprintf(who, sizeof who, "Channel %d is",
					    ch + 1);
				if (listed++ >= MAX_SPANS) {
					extra++;
					continue;
				}
				finding(j, "silence", s, sp->in, sp->out,
				    sp->out - sp->in, "s", NULL, "%s silent for "
				    "%.2f s.", who, sp->out - sp->in);
				remedy(j, "Check for a missing audio track, a "
				    "mute or a gap in the mix here.");
			}
		}
		more(j, "silence", s, extra, "silent spans");
	}
	if ((s = sev(j, "clipping", NULL)) != NULL) {
		for (ch = 0; ch < r->channels; ch++) {
			if (r->clip_runs[ch] == 0)
				continue;
			finding(j, "clipping", s, r->first_clip[ch], -1,
			    (double)r->clip_runs[ch], "runs", NULL, "Channel "
			    "%d clips %lld times (runs of full-scale samples), "
			    "first here.", ch + 1, (long long)r->clip_runs[ch]);
			remedy(j, "Go back to an unclipped mix; clipping cannot "
			    "be undone by gain.");
		}
	}
	if ((s = sev(j, "phase", NULL)) != NULL && r->nmap >= 2 && r->corr !=
	    NULL) {
		double mn = qc_spec_num(j->spec, "phase", "min", -0.3);
		double md = qc_spec_num(j->spec, "phase", "min_duration", 2);
		size_t b = 0, start;

		listed = extra = 0;
		while (b < r->nblocks) {
			double worst;

			if (!(r->corr[b] < mn)) {
				b++;
				continue;
			}
			start = b;
			worst = r->corr[b];
			while (b < r->nblocks && r->corr[b] < mn) {
				if (r->corr[b] < worst)
					worst = r->corr[b];
				b++;
			}
			if ((double)(b - start) * r->block + 1e-9 < md)
				continue;
			if (listed++ >= MAX_SPANS) {
				extra++;
				continue;
			}
			finding(j, "phase", s, (double)start * r->block,
			    (double)b * r->block, worst, NULL, NULL, "Channels "
			    "%d and %d are out of phase (correlation down to "
			    "%.2f).", r->nmap > 0 ? 1 : 1, 2, worst);
			remedy(j, "Check for a polarity-inverted channel or a "
			    "wide stereo effect that folds down badly.");
		}
		more(j, "phase", s, extra, "out-of-phase spans");
	}
	if ((s = sev(j, "dual_mono", NULL)) != NULL && r->dual_mono) {
		finding(j, "dual_mono", s, 0, r->duration, r->correlation, NULL,
		    NULL, "The two measured channels carry the same signal "
		    "(dual mono).");
		remedy(j, "Deliver the stereo mix if one was expected.");
	}
	if ((s = sev(j, "dc_offset", NULL)) != NULL) {
		double mx = qc_spec_num(j->spec, "dc_offset", "max", -50);

		for (ch = 0; ch < r->channels; ch++) {
			char lim[40];

			if (!(r->dc[ch] > mx))
				continue;
			snprintf(lim, sizeof lim, "max %.0f dBFS", mx);
			finding(j, "dc_offset", s, 0, r->duration, r->dc[ch],
			    "dBFS", lim, "Channel %d has a DC offset of %.1f "
			    "dBFS.", ch + 1, r->dc[ch]);
			remedy(j, "Remove it with a high-pass filter (a few "
			    "Hz).");
		}
	}
}

/* --- probe checks --- */

static int
in_list(const char *list, const char *value)
{
	const char *p = list;
	size_t n = strlen(value);

	if (value == NULL || *value == '\0')
		return 0;
	while (*p != '\0') {
		size_t len;

		while (*p == ' ' || *p == ',')
			p++;
		len = strcspn(p, ", ");
		if (len == n && strncmp(p, value, n) == 0)
			return 1;
		p += len;
	}
	return 0;
}

/* Any of the comma-separated names in value (FFmpeg's "mov,mp4,...") is
 * in list. */
static int
any_in_list(const char *list, const char *value)
{
	char buf[256], *p, *save = NULL;

	snprintf(buf, sizeof buf, "%s", value);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save)) {
		if (in_list(list, p))
			return 1;
	}
	return 0;
}

static void
want_str(struct judge *j, const char *section, const char *key,
    const char *sev_, const char *have, const char *what)
{
	const char *want = qc_spec_get(j->spec, section, key);
	char lim[300], chk[64];

	if (want == NULL || sev_ == NULL)
		return;
	if (have != NULL && in_list(want, have))
		return;
	snprintf(lim, sizeof lim, "%s", want);
	snprintf(chk, sizeof chk, "%s.%s", section, key);
	finding(j, chk, sev_, 0, -1, NAN, NULL, lim, "The %s is %s; the spec "
	    "asks %s.", what, have != NULL ? have : "not known", want);
	remedy(j, "Re-export with %s %s.", what, want);
}

static void
want_int(struct judge *j, const char *section, const char *key,
    const char *sev_, json_int_t have, const char *what)
{
	char buf[32];

	snprintf(buf, sizeof buf, "%lld", (long long)have);
	want_str(j, section, key, sev_, buf, what);
}

static void
check_probe(struct judge *j)
{
	const struct qc_result *r = j->res;
	json_t *streams = json_object_get(r->probe, "streams"), *st;
	json_t *tags = json_object_get(r->probe, "tags");
	const char *s, *want;
	size_t i;
	json_t *v = NULL;

	if ((s = sev(j, "container", NULL)) != NULL) {
		const char *fmt = json_string_value(json_object_get(r->probe,
		    "container"));
		double mn = qc_spec_num(j->spec, "container", "duration_min",
		    -1), mx = qc_spec_num(j->spec, "container",
		    "duration_max", -1);
		char lim[64];

		want = qc_spec_get(j->spec, "container", "format");
		if (want != NULL && !any_in_list(want, fmt)) {
			finding(j, "container.format", s, 0, -1, NAN, NULL,
			    want, "The container is %s; the spec asks %s.",
			    fmt, want);
			remedy(j, "Re-wrap the essence in %s.", want);
		}
		if (mn >= 0 && r->duration < mn) {
			snprintf(lim, sizeof lim, "min %.2f s", mn);
			finding(j, "container.duration", s, 0, r->duration,
			    r->duration, "s", lim, "The programme lasts %.2f s, "
			    "shorter than %.2f s.", r->duration, mn);
		}
		if (mx >= 0 && r->duration > mx) {
			snprintf(lim, sizeof lim, "max %.2f s", mx);
			finding(j, "container.duration", s, 0, r->duration,
			    r->duration, "s", lim, "The programme lasts %.2f s, "
			    "longer than %.2f s.", r->duration, mx);
		}
	}
	json_array_foreach(streams, i, v) {
		if (json_is_true(json_object_get(v, "main")))
			break;
		v = NULL;
	}
	if ((s = sev(j, "video", NULL)) != NULL) {
		const char *req = qc_spec_get(j->spec, "video", "required");

		if (v == NULL) {
			if (req != NULL && (strcmp(req, "yes") == 0 ||
			    strcmp(req, "true") == 0)) {
				finding(j, "video.missing", s, 0, -1, NAN, NULL,
				    NULL, "The file has no video stream.");
				remedy(j, "Deliver the file with its picture.");
			}
		} else {
			char rate[64], field[32];
			const char *fo = json_string_value(json_object_get(v,
			    "field_order"));

			want_str(j, "video", "codec", s, json_string_value(
			    json_object_get(v, "codec")), "video codec");
			want_str(j, "video", "profile", s, json_string_value(
			    json_object_get(v, "profile")), "video profile");
			want_int(j, "video", "width", s, json_integer_value(
			    json_object_get(v, "width")), "width");
			want_int(j, "video", "height", s, json_integer_value(
			    json_object_get(v, "height")), "height");
			snprintf(rate, sizeof rate, "%lld/%lld", (long long)
			    json_integer_value(json_object_get(v, "rate_num")),
			    (long long)json_integer_value(json_object_get(v,
			    "rate_den")));
			if (json_integer_value(json_object_get(v, "rate_den"))
			    == 1)
				snprintf(rate, sizeof rate, "%lld", (long long)
				    json_integer_value(json_object_get(v,
				    "rate_num")));
			want_str(j, "video", "frame_rate", s, rate,
			    "frame rate");
			snprintf(field, sizeof field, "%s", fo != NULL &&
			    (strcmp(fo, "tt") == 0 || strcmp(fo, "tff") == 0) ?
			    "tff" : fo != NULL && (strcmp(fo, "bb") == 0 ||
			    strcmp(fo, "bff") == 0) ? "bff" : fo != NULL &&
			    strcmp(fo, "progressive") == 0 ? "progressive" :
			    "unknown");
			want_str(j, "video", "scan", s, strcmp(field,
			    "progressive") == 0 ? "progressive" : strcmp(field,
			    "unknown") == 0 ? "unknown" : "interlaced",
			    "scan type");
			want_str(j, "video", "field_order", s, field,
			    "field order");
			want_str(j, "video", "pix_fmt", s, json_string_value(
			    json_object_get(v, "pix_fmt")), "pixel format");
			want_int(j, "video", "bit_depth", s, json_integer_value(
			    json_object_get(v, "bit_depth")), "video bit depth");
			want_str(j, "video", "primaries", s, json_string_value(
			    json_object_get(v, "primaries")),
			    "colour primaries");
			want_str(j, "video", "transfer", s, json_string_value(
			    json_object_get(v, "transfer")),
			    "transfer characteristic");
			want_str(j, "video", "matrix", s, json_string_value(
			    json_object_get(v, "matrix")), "colour matrix");
		}
	}
	if ((s = sev(j, "audio", NULL)) != NULL) {
		const char *req = qc_spec_get(j->spec, "audio", "required");
		json_t *a = NULL;
		int first = 1;

		if (!r->has_audio) {
			if (req != NULL && (strcmp(req, "yes") == 0 ||
			    strcmp(req, "true") == 0)) {
				finding(j, "audio.missing", s, 0, -1, NAN, NULL,
				    NULL, "The file has no audio stream.");
				remedy(j, "Deliver the file with its sound.");
			}
		} else {
			json_array_foreach(streams, i, a) {
				if (strcmp(json_string_value(json_object_get(a,
				    "type")), "audio") != 0)
					continue;
				if (!first)
					continue;
				first = 0;
				want_str(j, "audio", "codec", s,
				    json_string_value(json_object_get(a,
				    "codec")), "audio codec");
				want_int(j, "audio", "sample_rate", s,
				    json_integer_value(json_object_get(a,
				    "sample_rate")), "sample rate");
				want_int(j, "audio", "bit_depth", s,
				    json_integer_value(json_object_get(a,
				    "bit_depth")), "audio bit depth");
				want_str(j, "audio", "layout", s,
				    json_string_value(json_object_get(a,
				    "layout")), "channel layout");
			}
			want_int(j, "audio", "channels", s, r->channels,
			    "number of audio channels");
		}
	}
	if ((s = sev(j, "timecode", NULL)) != NULL) {
		const char *tc = j->tc_label;
		const char *req = qc_spec_get(j->spec, "timecode", "required");

		want = qc_spec_get(j->spec, "timecode", "start");
		if (tc == NULL && req != NULL && (strcmp(req, "yes") == 0 ||
		    strcmp(req, "true") == 0)) {
			finding(j, "timecode.missing", s, 0, -1, NAN, NULL,
			    want, "The file carries no timecode.");
			remedy(j, "Add a timecode track%s%s.", want != NULL ?
			    " starting at " : "", want != NULL ? want : "");
		} else if (tc != NULL && want != NULL) {
			int64_t a, b;
			char e[200];

			if (tc_parse(tc, j->rate, &a, e, sizeof e) != 0 ||
			    tc_parse(want, j->rate, &b, e, sizeof e) != 0 ||
			    a != b) {
				finding(j, "timecode.start", s, 0, -1, NAN, NULL,
				    want, "The timecode starts at %s; the "
				    "spec asks %s.", tc, want);
				remedy(j, "Restripe the timecode to start at "
				    "%s.", want);
			}
		}
	}
	/* Continuity: each timecode the stream carries (in GOP headers or
	 * SMPTE 12M side data) follows the one before by the frames between
	 * them. FFmpeg hands an MPEG GOP header's timecode to the picture it
	 * outputs when it reads the header, which with reordering can be
	 * the one before, so those are allowed one frame either way. */
	if ((s = sev(j, "timecode", NULL)) != NULL && r->has_video) {
		int64_t last = -1;
		size_t at = 0, k, jumps = 0;

		for (k = 0; k < r->nframes; k++) {
			int64_t exp, d;

			if (r->frames[k].tc < 0)
				continue;
			exp = last < 0 ? r->frames[k].tc : tc_add(last,
			    (int64_t)(k - at), j->rate);
			d = tc_sub(r->frames[k].tc, exp, j->rate);
			if (d > tc_frames_per_day(j->rate) / 2)
				d -= tc_frames_per_day(j->rate);
			if (d != 0 && !(r->frames[k].tc_gop && (d == 1 ||
			    d == -1))) {
				char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE];

				tc_format(exp, j->rate, a, sizeof a);
				tc_format(r->frames[k].tc, j->rate, b, sizeof b);
				if (jumps++ < MAX_SPANS) {
					finding(j, "timecode.continuity", s,
					    (double)k / j->fps, -1, NAN, NULL,
					    NULL, "The stream's timecode jumps "
					    "from %s (expected) to %s.", a, b);
					remedy(j, "Check the edit or capture for "
					    "a break here; restripe if the "
					    "timecode must be continuous.");
				}
			}
			last = r->frames[k].tc;
			at = k;
		}
		more(j, "timecode.continuity", s, jumps > MAX_SPANS ? jumps -
		    MAX_SPANS : 0, "timecode breaks");
	}
	if ((s = sev(j, "metadata", NULL)) != NULL &&
	    (want = qc_spec_get(j->spec, "metadata", "required")) != NULL) {
		char buf[512], *p, *save = NULL;

		snprintf(buf, sizeof buf, "%s", want);
		for (p = strtok_r(buf, ", ", &save); p != NULL;
		    p = strtok_r(NULL, ", ", &save)) {
			if (json_object_get(tags, p) != NULL)
				continue;
			finding(j, "metadata", s, 0, -1, NAN, NULL, p,
			    "The required metadata field '%s' is missing.", p);
			remedy(j, "Add '%s' to the file's metadata.", p);
		}
	}
	(void)st;
}

static void
check_errors(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s = sev(j, "decode", "fail");
	size_t i, corrupt = 0;

	if (s == NULL)
		return;
	for (i = 0; i < r->nerrors && i < MAX_SPANS; i++) {
		finding(j, "decode", s, r->errors[i].time, -1, NAN, NULL, NULL,
		    "Decoding error: %s.", r->errors[i].message);
		remedy(j, "Re-export or re-transfer the file; check the "
		    "picture and sound around this point.");
	}
	more(j, "decode", s, r->nerrors > MAX_SPANS ? r->nerrors - MAX_SPANS :
	    0, "decoding errors");
	for (i = 0; i < r->nframes; i++)
		corrupt += r->frames[i].corrupt;
	if (corrupt > 0 && r->nerrors == 0) {
		finding(j, "decode", s, 0, r->duration, (double)corrupt,
		    "frames", NULL, "%zu frames decoded with errors "
		    "concealed.", corrupt);
		remedy(j, "Re-export or re-transfer the file.");
	}
}

static int content_scan(const struct qc_result *r, size_t count[4],
    size_t min);

static void
check_interlace(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s = sev(j, "interlace", NULL);
	const char *want = qc_spec_get(j->spec, "interlace", "expect");
	size_t i, inter = 0, tff = 0, count[4];
	const char *have;
	int c;

	if (s == NULL || want == NULL || strcmp(want, "any") == 0 ||
	    !r->has_video || r->nframes == 0)
		return;
	for (i = 0; i < r->nframes; i++) {
		inter += r->frames[i].interlaced;
		tff += r->frames[i].interlaced && r->frames[i].tff;
	}
	have = inter * 2 < r->nframes ? "progressive" : tff * 2 >= inter ?
	    "tff" : "bff";
	if (strcmp(have, want) != 0) {
		finding(j, "interlace", s, 0, r->duration, (double)inter /
		    (double)r->nframes * 100, "%", want, "The frames are "
		    "flagged %s; the spec asks %s.", have, want);
		remedy(j, "Re-encode with the spec's scan and field order.");
	}
	c = content_scan(r, count, (size_t)qc_spec_num(j->spec,
	    "field_order", "min_frames", 10));
	if (strcmp(want, "progressive") == 0 && (c == QC_SCAN_TFF ||
	    c == QC_SCAN_BFF)) {
		double share = (double)(count[QC_SCAN_TFF] +
		    count[QC_SCAN_BFF]) / (double)r->nframes * 100;

		finding(j, "interlace.combing", s, 0, r->duration, share, "%",
		    want, "%.0f %% of the frames show interlaced motion "
		    "although the spec asks progressive.", share);
		remedy(j, "Deinterlace (bwdif) before the progressive "
		    "encode.");
	}
}

/* --- regular patterns --- */

/* Runs of frames with stripes over more than area % of the screen; a run
 * fails when its stripes move or flicker (any frame after the first
 * differs) or when it stands still for longer than stationary s. */
static void
check_pattern(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s = sev(j, "pattern", NULL);
	double area = qc_spec_num(j->spec, "pattern", "area", 25);
	double still = qc_spec_num(j->spec, "pattern", "stationary", 0.5);
	int pairs = (int)qc_spec_num(j->spec, "pattern", "pairs", 5);
	size_t i = 0, start, listed = 0, extra = 0;

	if (s == NULL || !r->has_video)
		return;
	while (i < r->nframes) {
		int moving = 0, most = 0;
		float worst = 0;
		double in, out;
		char lim[96];

		if (r->frames[i].pattern_area * 100.0 <= area) {
			i++;
			continue;
		}
		start = i;
		while (i < r->nframes && r->frames[i].pattern_area * 100.0 >
		    area) {
			const struct qc_vframe *f = &r->frames[i];

			if (i > start && f->pattern_moving)
				moving = 1;
			worst = f->pattern_area > worst ? f->pattern_area :
			    worst;
			most = f->pattern_pairs > most ? f->pattern_pairs :
			    most;
			i++;
		}
		in = (double)start / j->fps;
		out = (double)i / j->fps;
		if (!moving && out - in <= still + 1e-9)
			continue;
		if (listed >= MAX_SPANS) {
			extra++;
			continue;
		}
		listed++;
		snprintf(lim, sizeof lim, "<= %d pairs over <= %g %%, still "
		    "<= %g s", pairs, area, still);
		if (moving)
			finding(j, "pattern", s, in, out, 100.0 * worst, "%",
			    lim, "A regular pattern of %d light/dark stripe "
			    "pairs over %.0f %% of the screen moves or flickers "
			    "(photosensitive epilepsy risk).", most,
			    100.0 * worst);
		else
			finding(j, "pattern", s, in, out, 100.0 * worst, "%",
			    lim, "A stationary regular pattern of %d light/dark "
			    "stripe pairs over %.0f %% of the screen stays "
			    "%.2f s (over %g s).", most, 100.0 * worst,
			    out - in, still);
		remedy(j, "Shorten the pattern, shrink it below %g %% of the "
		    "screen, or lower its stripe count or contrast.", area);
	}
	more(j, "pattern", s, extra, "pattern spans");
}

/* --- field order from the pictures --- */

static const char *const scan_names[] = { "undetermined", "tff", "bff",
    "progressive" };

/* The content's scan from the multi-frame verdicts: the one held by
 * three quarters of the decided frames; undetermined when fewer than
 * min frames were decided, or none holds that many. */
static int
content_scan(const struct qc_result *r, size_t count[4], size_t min)
{
	size_t i, decided;

	memset(count, 0, 4 * sizeof *count);
	for (i = 0; i < r->nframes; i++)
		count[r->frames[i].scan_multi < 4 ? r->frames[i].scan_multi :
		    0]++;
	decided = count[QC_SCAN_TFF] + count[QC_SCAN_BFF] +
	    count[QC_SCAN_PROGRESSIVE];
	if (decided < min || decided == 0)
		return QC_SCAN_UNKNOWN;
	/* A verdict needs three quarters of the decided frames: busy
	 * synthetic pictures (testsrc2) split between tff and bff. */
	for (i = QC_SCAN_TFF; i <= QC_SCAN_PROGRESSIVE; i++) {
		if (count[i] * 4 >= decided * 3)
			return (int)i;
	}
	return QC_SCAN_UNKNOWN;
}

/* The scan the stream says: its frames' flags, else its field_order. */
static int
flagged_scan(const struct qc_result *r)
{
	size_t i, inter = 0, tff = 0;

	for (i = 0; i < r->nframes; i++) {
		inter += r->frames[i].interlaced;
		tff += r->frames[i].interlaced && r->frames[i].tff;
	}
	if (inter == 0) {
		/* No frame says: the stream's field order (its displayed
		 * order: tb shows the bottom field first). */
		json_t *st;

		json_array_foreach(json_object_get(r->probe, "streams"), i,
		    st) {
			const char *fo = json_string_value(json_object_get(st,
			    "field_order"));

			if (!json_is_true(json_object_get(st, "main")) ||
			    fo == NULL)
				continue;
			if (strcmp(fo, "tff") == 0 || strcmp(fo, "bt") == 0)
				return QC_SCAN_TFF;
			if (strcmp(fo, "bff") == 0 || strcmp(fo, "tb") == 0)
				return QC_SCAN_BFF;
		}
	}
	if (inter * 2 < r->nframes)
		return QC_SCAN_PROGRESSIVE;
	return tff * 2 >= inter ? QC_SCAN_TFF : QC_SCAN_BFF;
}

static void
check_field_order(struct judge *j)
{
	const struct qc_result *r = j->res;
	const char *s = sev(j, "field_order", NULL);
	size_t count[4];
	int content, flags;

	if (s == NULL || !r->has_video || r->nframes == 0)
		return;
	content = content_scan(r, count, (size_t)qc_spec_num(j->spec,
	    "field_order", "min_frames", 10));
	flags = flagged_scan(r);
	if (content == QC_SCAN_UNKNOWN || content == flags)
		return;
	if (content == QC_SCAN_PROGRESSIVE) {
		/* Progressive pictures in an interlaced wrapper (PsF) play
		 * correctly: advisory only. */
		finding(j, "field_order.content", "warn", 0, r->duration,
		    (double)count[QC_SCAN_PROGRESSIVE], "frames", "matches "
		    "the flags", "The pictures are progressive but flagged "
		    "%s.", scan_names[flags]);
		remedy(j, "Flag the stream progressive (or PsF) if that is "
		    "what the spec asks.");
		return;
	}
	finding(j, "field_order.content", s, 0, r->duration,
	    (double)count[content], "frames", "matches the flags",
	    "The motion between fields is %s (%zu frames %s, %zu %s, %zu "
	    "progressive) but the stream is flagged %s.",
	    content == QC_SCAN_TFF ? "top field first" : "bottom field first",
	    count[QC_SCAN_TFF], "tff", count[QC_SCAN_BFF], "bff",
	    count[QC_SCAN_PROGRESSIVE], scan_names[flags]);
	remedy(j, flags == QC_SCAN_PROGRESSIVE ? "Flag the stream "
	    "interlaced %s, or deinterlace before a progressive encode." :
	    "Set the field order flag to %s (e.g. setfield) or re-encode; "
	    "if the fields were swapped in an edit, fix it there.",
	    content == QC_SCAN_TFF ? "tff" : "bff");
}

/* --- exceptions, verdict, series --- */

static void
apply_exceptions(struct judge *j)
{
	size_t i, k;
	json_t *f, *e;

	if (j->exceptions == NULL)
		return;
	json_array_foreach(j->findings, i, f) {
		const char *check = json_string_value(json_object_get(f,
		    "check"));
		double t = json_number_value(json_object_get(f, "t_in"));

		json_array_foreach(j->exceptions, k, e) {
			const char *cid = json_string_value(json_object_get(e,
			    "content_id"));
			const char *sp = json_string_value(json_object_get(e,
			    "spec"));
			const char *ec = json_string_value(json_object_get(e,
			    "check"));
			double et = json_number_value(json_object_get(e,
			    "t_in"));

			if (cid == NULL || sp == NULL || ec == NULL ||
			    strcmp(cid, j->content_id) != 0 || strcmp(sp,
			    j->spec->name) != 0 || strcmp(ec, check) != 0 ||
			    fabs(et - t) > 0.5 / j->fps)
				continue;
			json_object_set_new(f, "status", json_string(
			    "excepted"));
			json_object_set(f, "exception", e);
			break;
		}
	}
}

static json_t *
series(const float *v, size_t n, size_t step, int use_max)
{
	json_t *a = json_array();
	size_t i, k;

	for (i = 0; i < n; i += step) {
		double m = use_max ? -INFINITY : 0;
		size_t c = 0;

		for (k = i; k < i + step && k < n; k++) {
			if (!isfinite(v[k]))
				continue;
			if (use_max ? v[k] > m : 1)
				m = use_max ? v[k] : m + v[k];
			c++;
		}
		if (!use_max && c > 0)
			m /= (double)c;
		json_array_append_new(a, c > 0 ? json_real(round(m * 100) / 100)
		    : json_null());
	}
	return a;
}

static json_t *
measurements(struct judge *j)
{
	const struct qc_result *r = j->res;
	json_t *m = json_object(), *l, *a, *v, *arr;
	int ch;
	size_t i, black = 0, frozen = 0, yo = 0;
	float ylo = 255, yhi = 0, maxfl = 0, pat = 0;

	if (r->has_audio) {
		double tp = -INFINITY;

		l = json_object();
		json_object_set_new(l, "integrated", num(r->integrated));
		json_object_set_new(l, "lra", num(r->lra));
		{
			int g = dialogue_gated(j);

			json_object_set_new(l, "gating", json_string(g > 0 ?
			    "dialogue" : "programme"));
			json_object_set_new(l, "dialogue", num(r->dialogue));
			json_object_set_new(l, "speech_share",
			    num(100 * r->speech_share));
			json_object_set_new(l, "speech_gate", json_string(
			    "mcr's own detector: 300-3400 Hz energy share and "
			    "2-8 Hz syllabic modulation (not Dolby Dialogue "
			    "Intelligence)"));
			if (g < 0)
				json_object_set_new(l, "gating_note",
				    json_string("no speech found: programme "
				    "loudness used"));
		}
		json_object_set_new(l, "max_momentary", num(r->max_momentary));
		json_object_set_new(l, "max_short_term",
		    num(r->max_short_term));
		arr = json_array();
		for (ch = 0; ch < r->nmap; ch++) {
			json_array_append_new(arr, num(r->true_peak[ch]));
			if (r->true_peak[ch] > tp)
				tp = r->true_peak[ch];
		}
		json_object_set_new(l, "true_peak", num(tp));
		json_object_set_new(l, "true_peak_channels", arr);
		json_object_set_new(l, "channels_measured",
		    json_integer(r->nmap));
		json_object_set_new(m, "loudness", l);
		a = json_object();
		json_object_set_new(a, "sample_rate",
		    json_integer(r->sample_rate));
		json_object_set_new(a, "channels", json_integer(r->channels));
		arr = json_array();
		for (ch = 0; ch < r->channels; ch++)
			json_array_append_new(arr, num(r->sample_peak[ch]));
		json_object_set_new(a, "sample_peak", arr);
		arr = json_array();
		for (ch = 0; ch < r->channels; ch++)
			json_array_append_new(arr, num(r->rms[ch]));
		json_object_set_new(a, "rms", arr);
		arr = json_array();
		for (ch = 0; ch < r->channels; ch++)
			json_array_append_new(arr, num(r->dc[ch]));
		json_object_set_new(a, "dc", arr);
		json_object_set_new(a, "correlation", num(r->correlation));
		json_object_set_new(a, "dual_mono",
		    json_boolean(r->dual_mono));
		json_object_set_new(m, "audio", a);
	}
	if (r->has_video) {
		for (i = 0; i < r->nframes; i++) {
			const struct qc_vframe *f = &r->frames[i];

			black += f->black;
			frozen += !f->black && f->diff < 0.001;
			yo += f->yout > 0.01;
			ylo = f->ylow < ylo ? f->ylow : ylo;
			yhi = f->yhigh > yhi ? f->yhigh : yhi;
			maxfl = f->max_flashes > maxfl ? f->max_flashes : maxfl;
			pat = f->pattern_area > pat ? f->pattern_area : pat;
		}
		v = json_object();
		json_object_set_new(v, "frames", json_integer(
		    (json_int_t)r->nframes));
		json_object_set_new(v, "width", json_integer(r->width));
		json_object_set_new(v, "height", json_integer(r->height));
		json_object_set_new(v, "bit_depth", json_integer(r->depth));
		json_object_set_new(v, "black_frames", json_integer(
		    (json_int_t)black));
		json_object_set_new(v, "frozen_frames", json_integer(
		    (json_int_t)frozen));
		json_object_set_new(v, "luma_low", num(ylo));
		json_object_set_new(v, "luma_high", num(yhi));
		json_object_set_new(v, "max_flashes_per_second", num(maxfl));
		json_object_set_new(v, "max_pattern_area", num(100.0 * pat));
		{
			size_t count[4];
			int c = content_scan(r, count, (size_t)qc_spec_num(
			    j->spec, "field_order", "min_frames", 10));
			json_t *sc = json_object();

			json_object_set_new(sc, "flags", json_string(
			    scan_names[flagged_scan(r)]));
			json_object_set_new(sc, "content",
			    json_string(scan_names[c]));
			json_object_set_new(sc, "tff_frames", json_integer(
			    (json_int_t)count[QC_SCAN_TFF]));
			json_object_set_new(sc, "bff_frames", json_integer(
			    (json_int_t)count[QC_SCAN_BFF]));
			json_object_set_new(sc, "progressive_frames",
			    json_integer((json_int_t)
			    count[QC_SCAN_PROGRESSIVE]));
			json_object_set_new(sc, "undetermined_frames",
			    json_integer((json_int_t)
			    count[QC_SCAN_UNKNOWN]));
			json_object_set_new(v, "scan", sc);
		}
		json_object_set_new(m, "video", v);
	}
	json_object_set_new(m, "duration", num(r->duration));
	return m;
}

static json_t *
all_series(struct judge *j)
{
	const struct qc_result *r = j->res;
	json_t *s = json_object();

	if (r->has_audio && r->nblocks > 0) {
		size_t step = (r->nblocks + MAX_POINTS - 1) / MAX_POINTS;

		json_object_set_new(s, "audio_step", num(step * r->block));
		json_object_set_new(s, "momentary", series(r->momentary,
		    r->nblocks, step, 1));
		json_object_set_new(s, "short_term", series(r->short_term,
		    r->nblocks, step, 1));
		json_object_set_new(s, "true_peak", series(r->tpeak, r->nblocks,
		    step, 1));
	}
	if (r->has_video && r->nframes > 0) {
		size_t step = (r->nframes + MAX_POINTS - 1) / MAX_POINTS, i;
		float *lo = malloc(r->nframes * sizeof *lo);
		float *hi = malloc(r->nframes * sizeof *hi);
		float *fl = malloc(r->nframes * sizeof *fl);
		float *ar = malloc(r->nframes * sizeof *ar);

		if (lo == NULL || hi == NULL || fl == NULL || ar == NULL)
			abort();
		for (i = 0; i < r->nframes; i++) {
			lo[i] = -r->frames[i].ylow;
			hi[i] = r->frames[i].yhigh;
			fl[i] = r->frames[i].max_flashes;
			ar[i] = 100 * r->frames[i].flash_area;
		}
		json_object_set_new(s, "video_step", num((double)step /
		    j->fps));
		/* ylow is stored negated so the bucket keeps the lowest. */
		json_object_set_new(s, "luma_low", series(lo, r->nframes, step,
		    1));
		json_object_set_new(s, "luma_high", series(hi, r->nframes, step,
		    1));
		json_object_set_new(s, "flashes", series(fl, r->nframes, step,
		    1));
		json_object_set_new(s, "flash_area", series(ar, r->nframes,
		    step, 1));
		{
			json_t *a = json_object_get(s, "luma_low"), *x;
			size_t k;

			json_array_foreach(a, k, x) {
				if (json_is_real(x))
					json_real_set(x, -json_real_value(x));
			}
		}
		free(lo);
		free(hi);
		free(fl);
		free(ar);
	}
	return s;
}

int
qc_judge_conf(const struct qc_spec *spec, struct qc_aconf *c, char *err,
    size_t errlen)
{
	const char *map = qc_spec_get(spec, "loudness", "channels");
	const char *layout = qc_spec_get(spec, "loudness", "layout");

	c->black_pixel = qc_spec_num(spec, "black", "pixel", 0.1);
	c->black_ratio = qc_spec_num(spec, "black", "ratio", 0.98);
	c->freeze_noise = qc_spec_num(spec, "freeze", "noise", 0.001);
	c->silence_db = qc_spec_num(spec, "silence", "level", -60);
	c->silence_min = qc_spec_num(spec, "silence", "min_duration", 2);
	if (qc_spec_num(spec, "monitor", "silence", 1e9) < c->silence_min)
		c->silence_min = qc_spec_num(spec, "monitor", "silence", 1);
	c->clip_level = pow(10, qc_spec_num(spec, "clipping", "level", -0.01) /
	    20);
	c->clip_run = (int)qc_spec_num(spec, "clipping", "run", 3);
	c->luma_min = qc_spec_num(spec, "levels", "luma_min", 5);
	c->luma_max = qc_spec_num(spec, "levels", "luma_max", 246);
	c->chroma_min = qc_spec_num(spec, "levels", "chroma_min", 5);
	c->chroma_max = qc_spec_num(spec, "levels", "chroma_max", 251);
	c->display_peak = qc_spec_num(spec, "flash", "display", 200);
	c->display_gamma = qc_spec_num(spec, "flash", "gamma", 2.4);
	c->flash_delta = qc_spec_num(spec, "flash", "delta", 20);
	c->flash_dark = qc_spec_num(spec, "flash", "dark", 160);
	c->red_ratio = qc_spec_num(spec, "flash", "red_ratio", 0.8);
	c->flash_limit = (int)qc_spec_num(spec, "flash", "limit", 3);
	c->flash_warn = (int)qc_spec_num(spec, "flash", "warn", 3);
	c->pattern_pairs = (int)qc_spec_num(spec, "pattern", "pairs", 5);
	c->pattern_still = qc_spec_num(spec, "pattern", "still", 0.01);
	c->nmap = 0;
	if (map != NULL) {
		const char *p = map;
		char *end;

		while (*p != '\0' && c->nmap < QC_MAX_CHANNELS) {
			c->map[c->nmap++] = (int)strtol(p, &end, 10) - 1;
			p = end;
			while (*p == ' ' || *p == ',')
				p++;
		}
	}
	if (c->nmap > 0) {
		static const int st[] = { EBUR128_LEFT, EBUR128_RIGHT };
		static const int s50[] = { EBUR128_LEFT, EBUR128_RIGHT,
		    EBUR128_CENTER, EBUR128_LEFT_SURROUND,
		    EBUR128_RIGHT_SURROUND };
		static const int s51[] = { EBUR128_LEFT, EBUR128_RIGHT,
		    EBUR128_CENTER, EBUR128_UNUSED, EBUR128_LEFT_SURROUND,
		    EBUR128_RIGHT_SURROUND };
		const int *roles = NULL;
		int want = 0, i;

		if (layout == NULL || strcmp(layout, "auto") == 0)
			layout = c->nmap == 1 ? "mono" : c->nmap == 2 ?
			    "stereo" : c->nmap == 5 ? "5.0" : c->nmap == 6 ?
			    "5.1" : NULL;
		if (layout == NULL) {
			snprintf(err, errlen, "spec %s: [loudness] channels "
			    "lists %d channels; give layout = stereo, 5.0, 5.1 "
			    "or mono", spec->path, c->nmap);
			return -1;
		}
		if (strcmp(layout, "stereo") == 0)
			roles = st, want = 2;
		else if (strcmp(layout, "5.0") == 0)
			roles = s50, want = 5;
		else if (strcmp(layout, "5.1") == 0)
			roles = s51, want = 6;
		else if (strcmp(layout, "dual-mono") == 0)
			want = 1;
		else
			want = 1;
		if (c->nmap != want) {
			snprintf(err, errlen, "spec %s: [loudness] layout %s "
			    "needs %d channels, but channels lists %d",
			    spec->path, layout, want, c->nmap);
			return -1;
		}
		for (i = 0; i < c->nmap; i++)
			c->roles[i] = roles != NULL ? roles[i] :
			    strcmp(layout, "dual-mono") == 0 ?
			    EBUR128_DUAL_MONO : EBUR128_CENTER;
	}
	return 0;
}

json_t *
qc_judge(const char *file, const struct qc_spec *spec,
    const struct qc_result *res, const json_t *exceptions)
{
	struct judge j = { 0 };
	json_t *rep = json_object(), *errs = json_array(), *f, *counts;
	const char *tc;
	char when[32], e[200];
	size_t i, nf = 0, nw = 0, ni = 0, nx = 0;
	time_t now = time(NULL);
	struct tm tm;
	bool drop;

	j.spec = spec;
	j.res = res;
	j.exceptions = exceptions;
	j.content_id = res->content_id;
	j.findings = json_array();
	j.fps = res->has_video && res->rate_den > 0 ? (double)res->rate_num /
	    res->rate_den : 25;
	tc = json_string_value(json_object_get(json_object_get(res->probe,
	    "tags"), "timecode"));
	drop = tc != NULL && strchr(tc, ';') != NULL;
	j.rate = res->has_video ? tc_rate_find(res->rate_num, res->rate_den,
	    drop) : NULL;
	if (j.rate == NULL)
		j.rate = &tc_rates[TC_25];
	j.fps = (double)j.rate->num / j.rate->den;
	if (tc == NULL || tc_parse(tc, j.rate, &j.tc_start, e, sizeof e) != 0)
		j.tc_start = 0;
	j.tc_label = tc;
	/* No container timecode: the stream's own (GOP headers, SEI). */
	for (i = 0; tc == NULL && i < res->nframes && i < 50; i++) {
		if (res->frames[i].tc >= 0) {
			j.tc_start = tc_sub(res->frames[i].tc, (int64_t)i,
			    j.rate);
			tc_format(j.tc_start, j.rate, j.tc_buf, sizeof j.tc_buf);
			j.tc_label = j.tc_buf;
			break;
		}
	}

	check_errors(&j);
	check_probe(&j);
	check_loudness(&j);
	check_audio(&j);
	check_video(&j);
	check_pattern(&j);
	check_interlace(&j);
	check_field_order(&j);
	apply_exceptions(&j);

	json_array_foreach(j.findings, i, f) {
		const char *s = json_string_value(json_object_get(f,
		    "severity"));

		json_object_set_new(f, "n", json_integer((json_int_t)i + 1));
		if (strcmp(json_string_value(json_object_get(f, "status")),
		    "excepted") == 0)
			nx++;
		else if (strcmp(s, "fail") == 0)
			nf++;
		else if (strcmp(s, "warn") == 0)
			nw++;
		else
			ni++;
	}
	for (i = 0; i < res->nerrors; i++)
		json_array_append_new(errs, json_pack("{s:o, s:s}", "t",
		    num(res->errors[i].time), "message",
		    res->errors[i].message));
	counts = json_pack("{s:I, s:I, s:I, s:I}", "fail", (json_int_t)nf,
	    "warn", (json_int_t)nw, "info", (json_int_t)ni, "excepted",
	    (json_int_t)nx);
	gmtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(rep, "schema", json_string("mcr.qc.report/1"));
	json_object_set_new(rep, "file", json_string(file));
	json_object_set_new(rep, "content_id", json_string(res->content_id));
	json_object_set_new(rep, "spec", json_pack("{s:s, s:s, s:s}", "name",
	    spec->name, "title", spec->title, "path", spec->path));
	json_object_set_new(rep, "verdict", json_string(nf > 0 ? "fail" :
	    nw > 0 ? "warn" : "pass"));
	json_object_set_new(rep, "counts", counts);
	json_object_set_new(rep, "analysed", json_string(when));
	json_object_set_new(rep, "complete", json_boolean(!res->stopped_early));
	json_object_set_new(rep, "timecode", json_pack("{s:s, s:s, s:s}",
	    "start", j.tc_label != NULL ? j.tc_label : "00:00:00:00", "rate",
	    j.rate->name, "source", tc != NULL ? "file" : j.tc_label != NULL ?
	    "stream" : "none"));
	json_object_set_new(rep, "probe", json_incref(res->probe));
	json_object_set_new(rep, "measurements", measurements(&j));
	json_object_set_new(rep, "findings", j.findings);
	json_object_set_new(rep, "errors", errs);
	json_object_set_new(rep, "series", all_series(&j));
	{
		json_t *t = json_object();

		if (qc_spec_severity(spec, "loudness") != NULL) {
			json_object_set_new(t, "loudness", num(qc_spec_num(spec,
			    "loudness", "target", -23)));
			json_object_set_new(t, "tolerance", num(qc_spec_num(
			    spec, "loudness", "tolerance", 0.5)));
		}
		if (qc_spec_severity(spec, "true_peak") != NULL)
			json_object_set_new(t, "true_peak", num(qc_spec_num(
			    spec, "true_peak", "max", -1)));
		if (qc_spec_severity(spec, "levels") != NULL) {
			json_object_set_new(t, "luma_min", num(qc_spec_num(spec,
			    "levels", "luma_min", 5)));
			json_object_set_new(t, "luma_max", num(qc_spec_num(spec,
			    "levels", "luma_max", 246)));
		}
		if (qc_spec_severity(spec, "flash") != NULL)
			json_object_set_new(t, "flash_limit", num(qc_spec_num(
			    spec, "flash", "limit", 3)));
		json_object_set_new(rep, "targets", t);
	}
	json_object_set_new(rep, "grade", json_null());
	return rep;
}
