/*
 * engine: see engine.h. A transcode is one struct eng. Its life:
 *
 *   open the source (and the layback WAV) and their decoders;
 *   work out the output's size, rate, scan, timecode and channel map,
 *   refusing what cannot be done before anything is written;
 *   measure the programme's loudness when the profile asks for a linear
 *   target (pass one, audio only);
 *   open the encoders and muxers on NAME.part;
 *   run each part: a line-up graph of lavfi sources, or the programme
 *   graph fed from the decoders; frames from its two sinks get running
 *   pts (frames and samples since the output's first frame) and go to the
 *   encoders, so the parts join seamlessly;
 *   trim or pad the audio to the video's exact length, flush, write the
 *   trailers, check the field order by analysis, sync and rename.
 *
 * The filter graphs are text (the FFmpeg filter syntax) with named
 * buffer/buffersink instances, so each graph reads as one line in the
 * job's log. Values that come from outside (paths, titles) are escaped
 * for both levels of that syntax.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <ebur128.h>
#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavfilter/buffersrc.h>
#include <libavformat/avformat.h>
#include <libavutil/avstring.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libavutil/timestamp.h>

#include "cube.h"
#include "engine.h"
#include "timecode.h"

#define MAX_TRACKS 16
#define MAX_IN_AUDIO 16
#define GRAPH_MAX 16384
#define ANALYSE_FRAMES 200
#define REPORT_INTERVAL_NS 250000000LL
/* FFmpeg's sine source peaks at 4095/32768 of full scale. */
#define SINE_SOURCE_DBFS (-18.0639)

struct out_file {
	char *path;
	char *part;
	AVFormatContext *oc;
	int created;
};

struct eng {
	const struct engine_opts *o;
	const struct profile *p;
	char *err;
	size_t errlen;

	/* the source */
	AVFormatContext *ic;
	int vidx;
	AVCodecContext *vdec;
	int naudio;			/* source audio streams used */
	int aidx[MAX_IN_AUDIO];
	AVCodecContext *adec[MAX_IN_AUDIO];
	AVFormatContext *wc;		/* the layback WAV */
	int64_t wav_pos;		/* µs of it read */
	int widx;
	AVCodecContext *wdec;
	int in_channels;		/* the pool the map picks from */
	int64_t origin;			/* source time of output frame 0, µs */
	AVRational src_rate;
	int src_interlaced, src_tff;
	int src_w, src_h;
	AVRational src_sar;

	/* the output */
	AVRational rate;
	int w, h;
	AVRational sar;
	int interlaced, tff;
	const struct tc_rate *tcr;
	int64_t start_tc;		/* label of the output's first frame */
	int64_t prog_tc;		/* label of the programme's first */
	int64_t lineup_frames;
	struct out_file files[MAX_TRACKS];
	int nfiles;
	AVCodecContext *venc;
	AVStream *vst;
	AVCodecContext *aenc[MAX_TRACKS];
	AVStream *ast[MAX_TRACKS];
	int naenc;
	int out_channels;
	int sample_rate;
	enum AVSampleFormat sink_fmt;
	int map[MAX_TRACKS];		/* output channel <- pool channel */
	int64_t offset_samples;		/* audio later (>0) or earlier */
	double gain_db;
	int gain_set;
	double measured_i, measured_tp;

	/* the part being run */
	AVFilterGraph *graph;
	AVFilterContext *vsrc;
	AVFilterContext *asrc[MAX_IN_AUDIO + 1];
	AVFilterContext *vsink, *asink;
	int64_t vframes;		/* video frames written */
	int64_t asamples;		/* audio samples written */
	int64_t atarget;		/* samples in all; -1 until known */
	int64_t prog_frames;		/* programme frames written */
	int64_t total_frames;		/* expected, 0 unknown */
	AVFrame *frame, *dframe, *mono;
	AVFrame *hold;			/* audio waiting for the video */
	int held;
	int64_t vend;			/* end of the last source frame */
	AVPacket *pkt;

	/* progress */
	int64_t t0, last_report;
	int64_t win_t, win_frames;
	double fps;
	char *scan_report;
};

static void
seterr(struct eng *e, int averr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(struct eng *e, int averr, const char *fmt, ...)
{
	char what[PATH_MAX + 512], why[AV_ERROR_MAX_STRING_SIZE];
	va_list ap;

	if (e->err[0] != '\0')
		return;		/* the first sentence is the cause */
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (averr < 0) {
		if (av_strerror(averr, why, sizeof why) < 0)
			snprintf(why, sizeof why, "error %d", averr);
		snprintf(e->err, e->errlen, "%s: %s", what, why);
	} else
		snprintf(e->err, e->errlen, "%s", what);
}

static void
elog(struct eng *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
elog(struct eng *e, const char *fmt, ...)
{
	char msg[GRAPH_MAX + 256];
	va_list ap;

	if (e->o->log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	e->o->log(e->o->arg, msg);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- text for filter graphs --- */

struct buf {
	char s[GRAPH_MAX];
	size_t n;
	int overflow;
};

static void
put(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->s + b->n, sizeof b->s - b->n, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof b->s - b->n) {
		b->overflow = 1;
		return;
	}
	b->n += (size_t)n;
}

/* v escaped for a filter option and then for the graph: a new string. */
static char *
esc(const char *v)
{
	char *a = NULL, *b = NULL;

	if (av_escape(&a, v, "':", AV_ESCAPE_MODE_BACKSLASH, 0) < 0)
		abort();
	if (av_escape(&b, a, "'[],;", AV_ESCAPE_MODE_BACKSLASH, 0) < 0)
		abort();
	av_free(a);
	return b;
}

/* --- options --- */

/* "1:1,2:2": pool channel SRC to output channel DST, 1-based. */
static int
parse_map(struct eng *e, const char *s)
{
	int used[MAX_TRACKS] = { 0 };
	const char *p = s;
	int i;

	for (i = 0; i < MAX_TRACKS; i++)
		e->map[i] = -1;
	while (*p != '\0') {
		char *end;
		long src, dst;

		src = strtol(p, &end, 10);
		if (end == p || *end != ':')
			goto bad;
		p = end + 1;
		dst = strtol(p, &end, 10);
		if (end == p || (*end != ',' && *end != '\0'))
			goto bad;
		p = *end == ',' ? end + 1 : end;
		if (src < 1 || src > 64 || dst < 1 || dst > MAX_TRACKS)
			goto bad;
		if (used[dst - 1]) {
			seterr(e, 0, "--audio-map '%s' feeds output channel "
			    "%ld twice; give each output channel one source",
			    s, dst);
			return -1;
		}
		used[dst - 1] = 1;
		e->map[dst - 1] = (int)src - 1;
	}
	return 0;
bad:
	seterr(e, 0, "--audio-map '%s' is not a list of SOURCE:OUTPUT "
	    "channel pairs such as 1:1,2:2 (channels 1 to 64 and 1 to %d)",
	    s, MAX_TRACKS);
	return -1;
}

/* "40" or "-40" ms, "2f" or "-2f" frames at the output's rate. */
static int
parse_offset(struct eng *e, const char *s, int64_t *samples)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) || fabs(v) > 3600000)
		goto bad;
	if (*end == 'f' && end[1] == '\0') {
		if (v != floor(v))
			goto bad;
		*samples = av_rescale((int64_t)v, (int64_t)e->sample_rate *
		    e->rate.den, e->rate.num);
	} else if (*end == '\0' || strcmp(end, "ms") == 0)
		*samples = llrint(v * e->sample_rate / 1000.0);
	else
		goto bad;
	return 0;
bad:
	seterr(e, 0, "--audio-offset '%s' is not an offset in milliseconds "
	    "(40, -40) or whole frames (2f, -2f)", s);
	return -1;
}

/* --- opening the source --- */

static int
open_decoder(struct eng *e, AVFormatContext *fc, int idx,
    AVCodecContext **out, const char *path)
{
	AVStream *st = fc->streams[idx];
	const AVCodec *dec = avcodec_find_decoder(st->codecpar->codec_id);
	AVCodecContext *c;
	int ret;

	if (dec == NULL) {
		seterr(e, 0, "%s: stream %d is %s, which this FFmpeg cannot "
		    "decode", path, idx,
		    avcodec_get_name(st->codecpar->codec_id));
		return -1;
	}
	if ((c = *out = avcodec_alloc_context3(dec)) == NULL)
		abort();
	if ((ret = avcodec_parameters_to_context(c, st->codecpar)) < 0) {
		seterr(e, ret, "%s: cannot set up the %s decoder", path,
		    dec->name);
		return -1;
	}
	c->pkt_timebase = st->time_base;
	c->thread_count = 0;
	if ((ret = avcodec_open2(c, dec, NULL)) < 0) {
		seterr(e, ret, "%s: cannot open the %s decoder", path,
		    dec->name);
		return -1;
	}
	return 0;
}

static int
open_file(struct eng *e, const char *path, AVFormatContext **fc)
{
	int ret;

	if ((ret = avformat_open_input(fc, path, NULL, NULL)) < 0) {
		seterr(e, ret, "cannot open %s as media", path);
		return -1;
	}
	if ((ret = avformat_find_stream_info(*fc, NULL)) < 0) {
		seterr(e, ret, "cannot read the streams of %s", path);
		return -1;
	}
	return 0;
}

/* The first timecode label in the file's or its streams' metadata. */
static const char *
source_timecode(AVFormatContext *fc)
{
	AVDictionaryEntry *t;
	unsigned i;

	if ((t = av_dict_get(fc->metadata, "timecode", NULL, 0)) != NULL)
		return t->value;
	for (i = 0; i < fc->nb_streams; i++) {
		t = av_dict_get(fc->streams[i]->metadata, "timecode", NULL, 0);
		if (t != NULL)
			return t->value;
	}
	return NULL;
}

static int
open_source(struct eng *e)
{
	const struct profile *p = e->p;
	unsigned i;

	if (open_file(e, e->o->input, &e->ic) < 0)
		return -1;
	e->vidx = -1;
	if (p->video) {
		e->vidx = av_find_best_stream(e->ic, AVMEDIA_TYPE_VIDEO, -1,
		    -1, NULL, 0);
		if (e->vidx < 0) {
			seterr(e, 0, "%s has no video stream, and profile %s "
			    "makes video; choose an audio profile such as "
			    "wav-stems", e->o->input, p->name);
			return -1;
		}
		if (open_decoder(e, e->ic, e->vidx, &e->vdec, e->o->input) < 0)
			return -1;
	}
	e->in_channels = 0;
	if (p->audio != AUDIO_NONE && e->o->audio_file == NULL) {
		for (i = 0; i < e->ic->nb_streams && e->naudio < MAX_IN_AUDIO;
		    i++) {
			AVCodecParameters *cp = e->ic->streams[i]->codecpar;

			if (cp->codec_type != AVMEDIA_TYPE_AUDIO ||
			    cp->ch_layout.nb_channels < 1)
				continue;
			if (e->in_channels + cp->ch_layout.nb_channels > 64)
				break;
			e->aidx[e->naudio] = (int)i;
			if (open_decoder(e, e->ic, (int)i,
			    &e->adec[e->naudio], e->o->input) < 0)
				return -1;
			e->in_channels += cp->ch_layout.nb_channels;
			e->naudio++;
		}
	}
	if (p->audio != AUDIO_NONE && e->o->audio_file != NULL) {
		if (open_file(e, e->o->audio_file, &e->wc) < 0)
			return -1;
		e->widx = av_find_best_stream(e->wc, AVMEDIA_TYPE_AUDIO, -1,
		    -1, NULL, 0);
		if (e->widx < 0) {
			seterr(e, 0, "%s has no audio to lay back",
			    e->o->audio_file);
			return -1;
		}
		if (open_decoder(e, e->wc, e->widx, &e->wdec,
		    e->o->audio_file) < 0)
			return -1;
		e->in_channels = e->wdec->ch_layout.nb_channels;
	}
	if (e->naudio > 1) {
		AVChannelLayout pool;
		int native;

		av_channel_layout_default(&pool, e->in_channels);
		native = pool.order == AV_CHANNEL_ORDER_NATIVE;
		av_channel_layout_uninit(&pool);
		if (!native) {
			seterr(e, 0, "%s has %d audio channels in %d streams; mcr "
			    "pools up to 8, or 16, channels from several "
			    "streams", e->o->input, e->in_channels, e->naudio);
			return -1;
		}
	}
	if (!p->video && e->in_channels == 0) {
		seterr(e, 0, "%s has no audio for profile %s", e->o->input,
		    p->name);
		return -1;
	}

	/* Output frame 0 is the video's first frame; audio keeps its
	 * place against it. */
	e->origin = 0;
	if (e->vidx >= 0) {
		AVStream *st = e->ic->streams[e->vidx];

		if (st->start_time != AV_NOPTS_VALUE)
			e->origin = av_rescale_q(st->start_time, st->time_base,
			    AV_TIME_BASE_Q);
		e->src_rate = st->avg_frame_rate.num > 0 ? st->avg_frame_rate
		    : st->r_frame_rate;
		if (e->src_rate.num <= 0 || e->src_rate.den <= 0) {
			seterr(e, 0, "%s does not say its frame rate", e->o->input);
			return -1;
		}
		switch (st->codecpar->field_order) {
		case AV_FIELD_TT:
		case AV_FIELD_TB:
			e->src_interlaced = 1;
			e->src_tff = 1;
			break;
		case AV_FIELD_BB:
		case AV_FIELD_BT:
			e->src_interlaced = 1;
			e->src_tff = 0;
			break;
		default:
			break;
		}
		e->src_w = st->codecpar->width;
		e->src_h = st->codecpar->height;
		e->src_sar = av_guess_sample_aspect_ratio(e->ic, st, NULL);
		if (e->src_sar.num <= 0 || e->src_sar.den <= 0)
			e->src_sar = (AVRational){ 1, 1 };
	} else if (e->ic->start_time != AV_NOPTS_VALUE)
		e->origin = e->ic->start_time;
	return 0;
}

/* --- what the output is --- */

static int
rate_eq(AVRational a, AVRational b)
{
	return (int64_t)a.num * b.den == (int64_t)b.num * a.den;
}

/* The picture chain's geometry: size, pixel shape, and the active area
 * the source fills inside it. */
static void
geometry(struct eng *e, int *aw, int *ah)
{
	const struct profile *p = e->p;
	AVRational src_dar, dar, tsar;

	e->w = p->width != 0 ? p->width : e->src_w;
	e->h = p->height != 0 ? p->height : e->src_h;
	av_reduce(&src_dar.num, &src_dar.den,
	    (int64_t)e->src_w * e->src_sar.num,
	    (int64_t)e->src_h * e->src_sar.den, 1 << 20);
	if (p->dar_num != 0)
		dar = (AVRational){ p->dar_num, p->dar_den };
	else if (p->width == 0)
		dar = src_dar;
	else
		av_reduce(&dar.num, &dar.den, e->w, e->h, 1 << 20);
	if (p->fit == FIT_ANAMORPHIC)
		dar = src_dar;
	/* The pixel shape that makes w x h show at dar. */
	av_reduce(&tsar.num, &tsar.den, (int64_t)dar.num * e->h,
	    (int64_t)dar.den * e->w, 1 << 20);
	if (p->fit == FIT_STRETCH)
		tsar = (AVRational){ 1, 1 };
	e->sar = tsar;
	*aw = e->w;
	*ah = e->h;
	if (p->fit != FIT_PILLARBOX || av_cmp_q(src_dar, dar) == 0)
		return;
	if (av_cmp_q(src_dar, dar) < 0)	/* narrower: pillarbox */
		*aw = (int)(av_rescale(e->h, (int64_t)src_dar.num * tsar.den,
		    (int64_t)src_dar.den * tsar.num) & ~1LL);
	else				/* wider: letterbox */
		*ah = (int)(av_rescale(e->w, (int64_t)src_dar.den * tsar.num,
		    (int64_t)src_dar.num * tsar.den) & ~1LL);
	if (*aw > e->w)
		*aw = e->w;
	if (*ah > e->h)
		*ah = e->h;
	/* 4:2:0 and interlace want the active height in steps of 4. */
	*ah &= ~3;
}

static const char *
colour_matrix(const char *colour)
{
	return strcmp(colour, "bt709") == 0 ? "bt709" : "bt601";
}

static const char *
colour_tags(const char *colour)
{
	if (strcmp(colour, "bt709") == 0)
		return "color_primaries=bt709:color_trc=bt709:"
		    "colorspace=bt709:range=tv";
	if (strcmp(colour, "bt601-625") == 0)
		return "color_primaries=bt470bg:color_trc=bt709:"
		    "colorspace=bt470bg:range=tv";
	return "color_primaries=smpte170m:color_trc=bt709:"
	    "colorspace=smpte170m:range=tv";
}

static void
set_colour(AVCodecContext *c, const char *colour)
{
	c->color_range = AVCOL_RANGE_MPEG;
	c->color_trc = AVCOL_TRC_BT709;
	if (strcmp(colour, "bt709") == 0) {
		c->color_primaries = AVCOL_PRI_BT709;
		c->colorspace = AVCOL_SPC_BT709;
	} else if (strcmp(colour, "bt601-625") == 0) {
		c->color_primaries = AVCOL_PRI_BT470BG;
		c->colorspace = AVCOL_SPC_BT470BG;
	} else {
		c->color_primaries = AVCOL_PRI_SMPTE170M;
		c->colorspace = AVCOL_SPC_SMPTE170M;
	}
}

static int
plan_video(struct eng *e)
{
	const struct profile *p = e->p;
	char a[32], b[32];

	e->rate = p->rate_num != 0 ? (AVRational){ p->rate_num, p->rate_den }
	    : e->src_rate;
	av_reduce(&e->rate.num, &e->rate.den, e->rate.num, e->rate.den,
	    1 << 20);
	e->interlaced = p->interlaced;
	e->tff = p->tff;
	if (rate_eq(e->rate, e->src_rate))
		return 0;
	/* 50p to 25i (fields from frames), 25i to 50p (bwdif field by
	 * field): the only rate changes without a standards converter. */
	if (e->interlaced && !e->src_interlaced &&
	    rate_eq(av_mul_q(e->rate, (AVRational){ 2, 1 }), e->src_rate))
		return 0;
	if (!e->interlaced && e->src_interlaced &&
	    rate_eq(e->rate, av_mul_q(e->src_rate, (AVRational){ 2, 1 })))
		return 0;
	snprintf(a, sizeof a, "%.3f", av_q2d(e->src_rate));
	snprintf(b, sizeof b, "%.3f", av_q2d(e->rate));
	seterr(e, 0, "profile %s wants %s frames a second from a %s%s source: "
	    "that frame-rate conversion needs a standards converter, which "
	    "mcr does not do; choose a profile at the source's rate",
	    p->name, b, a, e->src_interlaced ? " interlaced" : "");
	return -1;
}

/* The video chain of the programme, from [vin] to the output's format. */
static void
video_chain(struct eng *e, struct buf *b)
{
	const struct profile *p = e->p;
	AVRational in_rate = e->src_rate;
	int aw, ah, deint = 0, to_fields = 0, resize;
	char *lut = NULL;

	geometry(e, &aw, &ah);
	resize = aw != e->src_w || ah != e->src_h;
	put(b, "[vin]");
	if (e->src_interlaced) {
		if (!e->interlaced && !rate_eq(e->rate, e->src_rate))
			deint = 2;	/* a frame per field */
		else if (!e->interlaced || resize || e->o->lut != NULL)
			deint = e->interlaced ? 2 : 1;
	}
	if (deint != 0) {
		put(b, "bwdif=mode=%s:parity=%s:deint=all,",
		    deint == 2 ? "send_field" : "send_frame",
		    e->src_tff ? "tff" : "bff");
		if (deint == 2)
			in_rate = av_mul_q(in_rate, (AVRational){ 2, 1 });
	}
	if (e->o->lut != NULL) {
		lut = esc(e->o->lut);
		put(b, "scale=in_color_matrix=auto:out_color_matrix=bt709:"
		    "in_range=auto:out_range=full,format=rgb48le,"
		    "lut3d=file=%s:interp=tetrahedral,", lut);
		av_free(lut);
	}
	put(b, "scale=w=%d:h=%d:in_color_matrix=%s:out_color_matrix=%s:"
	    "in_range=%s:out_range=tv:flags=bicubic,", aw, ah,
	    e->o->lut != NULL ? "bt709" : "auto", colour_matrix(p->colour),
	    e->o->lut != NULL ? "full" : "auto");
	if (aw != e->w || ah != e->h)
		put(b, "pad=w=%d:h=%d:x=%d:y=%d:color=black,", e->w, e->h,
		    (e->w - aw) / 2, ((e->h - ah) / 2) & ~1);
	put(b, "setsar=%d/%d,", e->sar.num, e->sar.den);
	if (e->interlaced && rate_eq(in_rate, av_mul_q(e->rate,
	    (AVRational){ 2, 1 })))
		to_fields = 1;
	if (to_fields)
		put(b, "interlace=scan=%s:lowpass=linear,",
		    e->tff ? "tff" : "bff");
	else if (e->interlaced && e->src_interlaced && deint == 0 &&
	    e->src_tff != e->tff)
		put(b, "fieldorder=%s,", e->tff ? "tff" : "bff");
	put(b, "fps=%d/%d,", e->rate.num, e->rate.den);
}

/* setfield, colour tags, burnt-in text and the format: what every part
 * of the output ends in. tc is the part's first label. */
static void
video_tail(struct eng *e, struct buf *b, int64_t tc)
{
	const struct profile *p = e->p;
	char label[TC_FORMAT_SIZE], *font = esc(e->o->font), *t;
	int size = e->h / 18 > 12 ? e->h / 18 : 12;

	put(b, "setfield=%s,setparams=%s,",
	    e->interlaced ? (e->tff ? "tff" : "bff") : "prog",
	    colour_tags(p->colour));
	if (p->burn_timecode) {
		tc_format(tc, e->tcr, label, sizeof label);
		t = esc(label);
		put(b, "drawtext=fontfile=%s:timecode=%s:rate=%d/%d:"
		    "fontsize=%d:fontcolor=white:box=1:boxcolor=black@0.6:"
		    "boxborderw=%d:x=(w-tw)/2:y=h-th-h/20,", font, t,
		    e->rate.num, e->rate.den, size, size / 5);
		av_free(t);
	}
	if (p->watermark != NULL) {
		t = esc(p->watermark);
		put(b, "drawtext=fontfile=%s:expansion=none:text=%s:"
		    "fontsize=%d:fontcolor=white@0.35:x=(w-tw)/2:y=h/10,",
		    font, t, size * 3 / 2);
		av_free(t);
	}
	put(b, "format=%s[vout];[vout]buffersink@vout", p->pix_fmt);
	av_free(font);
}

static void
layout_name(int channels, char *buf, size_t len)
{
	AVChannelLayout l;

	av_channel_layout_default(&l, channels);
	if (av_channel_layout_describe(&l, buf, len) < 0)
		snprintf(buf, len, "%dc", channels);
	av_channel_layout_uninit(&l);
}

/* The source's audio streams joined into one pool of channels, in
 * stream order (join, not amerge, which cannot negotiate two mono
 * inputs in this libavfilter). */
static void
pool_join(struct eng *e, struct buf *b, int n)
{
	AVChannelLayout pool;
	char lname[64], cname[32];
	int i, j, k = 0;

	av_channel_layout_default(&pool, e->in_channels);
	if (av_channel_layout_describe(&pool, lname, sizeof lname) < 0)
		lname[0] = '\0';
	put(b, "join=inputs=%d:channel_layout=%s:map=", n, lname);
	for (i = 0; i < n; i++) {
		int nc = e->adec[i]->ch_layout.nb_channels;

		for (j = 0; j < nc; j++, k++) {
			if (av_channel_name(cname, sizeof cname,
			    av_channel_layout_channel_from_index(&pool, k)) < 0)
				cname[0] = '\0';
			put(b, "%s%d.%d-%s", k == 0 ? "" : "|", i, j, cname);
		}
	}
	put(b, ",");
	av_channel_layout_uninit(&pool);
}

/* The audio chain of the programme, from the decoders' [a0].. to the
 * sink; measure: end in float for libebur128, without gain or padding. */
static void
audio_chain(struct eng *e, struct buf *b, int measure)
{
	const struct profile *p = e->p;
	char lname[64];
	int i, n = e->wc != NULL ? 1 : e->naudio;

	layout_name(e->out_channels, lname, sizeof lname);
	if (e->in_channels == 0) {
		put(b, "anullsrc=r=%d:cl=%s", e->sample_rate, lname);
	} else {
		for (i = 0; i < n; i++)
			put(b, "[a%d]aresample=osr=%d:async=1:first_pts=0[r%d];",
			    i, e->sample_rate, i);
		for (i = 0; i < n; i++)
			put(b, "[r%d]", i);
		if (n > 1)
			pool_join(e, b, n);
		else
			put(b, "anull,");
		put(b, "pan=%s", lname);
		for (i = 0; i < e->out_channels; i++) {
			if (e->map[i] >= 0 && e->map[i] < e->in_channels)
				put(b, "|c%d=c%d", i, e->map[i]);
			else
				put(b, "|c%d=0*c0", i);
		}
	}
	if (e->offset_samples > 0)
		put(b, ",adelay=delays=%lldS:all=1",
		    (long long)e->offset_samples);
	else if (e->offset_samples < 0)
		put(b, ",atrim=start_sample=%lld,asetpts=PTS-STARTPTS",
		    (long long)-e->offset_samples);
	if (measure) {
		put(b, ",aformat=sample_fmts=flt:channel_layouts=%s"
		    "[aout];[aout]abuffersink@aout", lname);
		return;
	}
	if (e->gain_set)
		put(b, ",volume=%.4fdB", e->gain_db);
	else if (p->loudness_set && p->loudness_dynamic)
		put(b, ",loudnorm=I=%.1f:TP=%.1f:LRA=%.1f,aresample=%d",
		    p->loudness, p->true_peak, p->lra, e->sample_rate);
	if (p->video)
		put(b, ",apad");
	put(b, ",aformat=sample_fmts=%s:sample_rates=%d:channel_layouts=%s"
	    "[aout];[aout]abuffersink@aout", av_get_sample_fmt_name(e->sink_fmt),
	    e->sample_rate, lname);
}

/* --- graphs --- */

static void
graph_free(struct eng *e)
{
	avfilter_graph_free(&e->graph);
	e->vsrc = e->vsink = e->asink = NULL;
	memset(e->asrc, 0, sizeof e->asrc);
}

enum { IN_VIDEO = 1, IN_AUDIO = 2 };

/* Parses desc (whose buffer sources are created here first, named
 * buffer@vin and abuffer@aN, as inputs says) and finds its sinks. */
static int
graph_build(struct eng *e, const char *desc, int inputs,
    const char *what)
{
	const AVFilter *buffer = avfilter_get_by_name("buffer");
	const AVFilter *abuffer = avfilter_get_by_name("abuffer");
	AVFilterInOut *outs = NULL, **tail = &outs;
	char args[512], name[32];
	int ret, i, n;

	graph_free(e);
	if ((e->graph = avfilter_graph_alloc()) == NULL)
		abort();
	e->graph->nb_threads = 0;
	if ((inputs & IN_VIDEO) && e->vdec != NULL) {
		AVStream *st = e->ic->streams[e->vidx];

		snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:"
		    "time_base=%d/%d:pixel_aspect=%d/%d:frame_rate=%d/%d",
		    e->vdec->width, e->vdec->height, e->vdec->pix_fmt,
		    st->time_base.num, st->time_base.den, e->src_sar.num,
		    e->src_sar.den, e->src_rate.num, e->src_rate.den);
		ret = avfilter_graph_create_filter(&e->vsrc, buffer,
		    "buffer@vin", args, NULL, e->graph);
		if (ret < 0)
			goto bad;
		*tail = avfilter_inout_alloc();
		(*tail)->name = av_strdup("vin");
		(*tail)->filter_ctx = e->vsrc;
		tail = &(*tail)->next;
	}
	n = e->wc != NULL ? 1 : e->naudio;
	for (i = 0; (inputs & IN_AUDIO) && e->in_channels > 0 && i < n; i++) {
		AVCodecContext *d = e->wc != NULL ? e->wdec : e->adec[i];
		char lname[64];

		layout_name(d->ch_layout.nb_channels, lname, sizeof lname);
		snprintf(args, sizeof args, "time_base=1/%d:sample_rate=%d:"
		    "sample_fmt=%s:channel_layout=%s", d->sample_rate,
		    d->sample_rate, av_get_sample_fmt_name(d->sample_fmt),
		    lname);
		snprintf(name, sizeof name, "abuffer@a%d", i);
		ret = avfilter_graph_create_filter(&e->asrc[i], abuffer,
		    name, args, NULL, e->graph);
		if (ret < 0)
			goto bad;
		*tail = avfilter_inout_alloc();
		snprintf(name, sizeof name, "a%d", i);
		(*tail)->name = av_strdup(name);
		(*tail)->filter_ctx = e->asrc[i];
		tail = &(*tail)->next;
	}
	ret = avfilter_graph_parse_ptr(e->graph, desc, NULL, &outs, NULL);
	if (ret < 0)
		goto bad;
	if (outs != NULL) {
		ret = AVERROR(EINVAL);
		goto bad;
	}
	if ((ret = avfilter_graph_config(e->graph, NULL)) < 0)
		goto bad;
	e->vsink = avfilter_graph_get_filter(e->graph, "buffersink@vout");
	e->asink = avfilter_graph_get_filter(e->graph, "abuffersink@aout");
	if (e->asink != NULL && e->aenc[0] != NULL &&
	    e->aenc[0]->frame_size > 0 &&
	    !(e->aenc[0]->codec->capabilities &
	    AV_CODEC_CAP_VARIABLE_FRAME_SIZE))
		av_buffersink_set_frame_size(e->asink,
		    (unsigned)e->aenc[0]->frame_size);
	elog(e, "%s graph: %s", what, desc);
	return 0;
bad:
	avfilter_inout_free(&outs);
	elog(e, "%s graph that failed: %s", what, desc);
	seterr(e, ret, "cannot build the filter graph for the %s", what);
	return -1;
}

/* --- the output files --- */

static int
sync_file(const char *path)
{
	int fd, ret = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return AVERROR(errno);
	if (fsync(fd) != 0)
		ret = AVERROR(errno);
	close(fd);
	return ret;
}

static char *
xstrdup2(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

/* Track n's name for a split profile: "{track}" replaced, or _A<n>
 * before the extension. */
static char *
track_path(const char *path, int n)
{
	char buf[PATH_MAX], num[16];
	const char *t = strstr(path, "{track}"), *dot, *slash;

	snprintf(num, sizeof num, "%d", n);
	if (t != NULL) {
		snprintf(buf, sizeof buf, "%.*s%s%s", (int)(t - path), path,
		    num, t + 7);
		return xstrdup2(buf);
	}
	dot = strrchr(path, '.');
	slash = strrchr(path, '/');
	if (dot == NULL || (slash != NULL && dot < slash))
		dot = path + strlen(path);
	/* A name already ending in _A1 is track 1's. */
	if (dot - path >= 3 && strncmp(dot - 3, "_A1", 3) == 0)
		snprintf(buf, sizeof buf, "%.*s_A%s%s", (int)(dot - path - 3),
		    path, num, dot);
	else
		snprintf(buf, sizeof buf, "%.*s_A%s%s", (int)(dot - path), path,
		    num, dot);
	return xstrdup2(buf);
}

static int
file_open(struct eng *e, struct out_file *f, const char *path)
{
	char part[PATH_MAX + 8];
	int ret;

	f->path = xstrdup2(path);
	snprintf(part, sizeof part, "%s.part", path);
	f->part = xstrdup2(part);
	if (access(path, F_OK) == 0) {
		seterr(e, 0, "%s exists already; remove it or give another "
		    "name with -o", path);
		return -1;
	}
	ret = avformat_alloc_output_context2(&f->oc, NULL, e->p->container,
	    part);
	if (ret < 0 || f->oc == NULL) {
		seterr(e, ret, "profile %s: this FFmpeg has no %s muxer",
		    e->p->name, e->p->container);
		return -1;
	}
	return 0;
}

static int
dict_from(struct eng *e, AVDictionary **d, const struct profile_opt *v,
    size_t n)
{
	size_t i;

	(void)e;
	for (i = 0; i < n; i++)
		av_dict_set(d, v[i].key, v[i].value, 0);
	return 0;
}

/* Leftover keys in d are options the component does not have. */
static int
dict_left(struct eng *e, AVDictionary *d, const char *what)
{
	AVDictionaryEntry *t = av_dict_get(d, "", NULL, AV_DICT_IGNORE_SUFFIX);

	if (t == NULL)
		return 0;
	seterr(e, 0, "profile %s (%s): %s has no option '%s'", e->p->name,
	    e->p->path, what, t->key);
	return -1;
}

static int
open_video_encoder(struct eng *e, AVFormatContext *oc, int probe_only)
{
	const struct profile *p = e->p;
	const AVCodec *codec = avcodec_find_encoder_by_name(p->vcodec);
	AVDictionary *d = NULL;
	AVCodecContext *c;
	int ret;

	if (codec == NULL || codec->type != AVMEDIA_TYPE_VIDEO) {
		seterr(e, 0, "profile %s: this FFmpeg has no %s video encoder",
		    p->name, p->vcodec);
		return -1;
	}
	if ((c = e->venc = avcodec_alloc_context3(codec)) == NULL)
		abort();
	c->width = e->w;
	c->height = e->h;
	c->pix_fmt = av_get_pix_fmt(p->pix_fmt);
	if (c->pix_fmt == AV_PIX_FMT_NONE) {
		seterr(e, 0, "profile %s: '%s' is not a pixel format", p->name,
		    p->pix_fmt);
		return -1;
	}
	c->time_base = av_inv_q(e->rate);
	c->framerate = e->rate;
	c->sample_aspect_ratio = e->sar;
	c->field_order = !e->interlaced ? AV_FIELD_PROGRESSIVE :
	    e->tff ? AV_FIELD_TT : AV_FIELD_BB;
	set_colour(c, p->colour);
	c->thread_count = 0;
	if (oc != NULL && (oc->oformat->flags & AVFMT_GLOBALHEADER))
		c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	dict_from(e, &d, p->vopts, p->nvopts);
	ret = avcodec_open2(c, codec, &d);
	if (ret < 0) {
		av_dict_free(&d);
		seterr(e, ret, "profile %s: the %s encoder does not open at "
		    "%dx%d %s %d/%d", p->name, p->vcodec, e->w, e->h,
		    p->pix_fmt, e->rate.num, e->rate.den);
		return -1;
	}
	ret = dict_left(e, d, p->vcodec);
	av_dict_free(&d);
	if (ret < 0 || probe_only)
		return ret;
	if ((e->vst = avformat_new_stream(oc, NULL)) == NULL)
		abort();
	if ((ret = avcodec_parameters_from_context(e->vst->codecpar, c)) < 0)
		return ret;
	e->vst->time_base = c->time_base;
	e->vst->avg_frame_rate = e->rate;
	e->vst->r_frame_rate = e->rate;
	e->vst->sample_aspect_ratio = e->sar;
	return 0;
}

static enum AVSampleFormat
pick_sample_fmt(const AVCodec *codec)
{
	const enum AVSampleFormat *f = codec->sample_fmts;

	return f != NULL ? f[0] : AV_SAMPLE_FMT_S16;
}

static int
open_audio_encoder(struct eng *e, int i, AVFormatContext *oc, int probe_only)
{
	const struct profile *p = e->p;
	const AVCodec *codec = avcodec_find_encoder_by_name(p->acodec);
	AVDictionary *d = NULL;
	AVCodecContext *c;
	int ret;

	if (codec == NULL || codec->type != AVMEDIA_TYPE_AUDIO) {
		seterr(e, 0, "profile %s: this FFmpeg has no %s audio encoder",
		    p->name, p->acodec);
		return -1;
	}
	if ((c = e->aenc[i] = avcodec_alloc_context3(codec)) == NULL)
		abort();
	c->sample_fmt = pick_sample_fmt(codec);
	c->sample_rate = e->sample_rate;
	av_channel_layout_default(&c->ch_layout,
	    p->audio == AUDIO_MONO ? 1 : 2);
	c->time_base = (AVRational){ 1, e->sample_rate };
	if (oc != NULL && (oc->oformat->flags & AVFMT_GLOBALHEADER))
		c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	dict_from(e, &d, p->aopts, p->naopts);
	ret = avcodec_open2(c, codec, &d);
	if (ret < 0) {
		av_dict_free(&d);
		seterr(e, ret, "profile %s: the %s encoder does not open at "
		    "%d Hz", p->name, p->acodec, e->sample_rate);
		return -1;
	}
	ret = dict_left(e, d, p->acodec);
	av_dict_free(&d);
	if (ret < 0 || probe_only)
		return ret;
	if ((e->ast[i] = avformat_new_stream(oc, NULL)) == NULL)
		abort();
	if ((ret = avcodec_parameters_from_context(e->ast[i]->codecpar,
	    c)) < 0)
		return ret;
	e->ast[i]->time_base = c->time_base;
	return 0;
}

static int
open_outputs(struct eng *e)
{
	const struct profile *p = e->p;
	char label[TC_FORMAT_SIZE];
	int i, ret, nf;

	nf = p->split ? e->naenc : 1;
	for (i = 0; i < nf; i++) {
		char *path = p->split ? track_path(e->o->output, i + 1)
		    : xstrdup2(e->o->output);

		ret = file_open(e, &e->files[i], path);
		free(path);
		e->nfiles = i + 1;
		if (ret < 0)
			return -1;
	}
	if (p->video && open_video_encoder(e, e->files[0].oc, 0) < 0)
		return -1;
	for (i = 0; i < e->naenc; i++) {
		if (open_audio_encoder(e, i, e->files[p->split ? i : 0].oc,
		    0) < 0)
			return -1;
	}
	tc_format(e->start_tc, e->tcr, label, sizeof label);
	for (i = 0; i < e->nfiles; i++) {
		struct out_file *f = &e->files[i];
		AVDictionary *d = NULL;
		char url[PATH_MAX + 16];

		av_dict_set(&f->oc->metadata, "timecode", label, 0);
		if (e->vst != NULL && i == 0)
			av_dict_set(&e->vst->metadata, "timecode", label, 0);
		if (!p->video) {
			/* BWF: the first sample's place since midnight. */
			char ref[32];

			snprintf(ref, sizeof ref, "%lld", (long long)av_rescale(
			    e->start_tc, (int64_t)e->sample_rate * e->rate.den,
			    e->rate.num));
			av_dict_set(&f->oc->metadata, "time_reference", ref, 0);
		}
		av_dict_set(&f->oc->metadata, "encoding_tool", "mcr "
		    PACKAGE_VERSION, 0);
		snprintf(url, sizeof url, "file:%s", f->part);
		if ((ret = avio_open(&f->oc->pb, url, AVIO_FLAG_WRITE)) < 0) {
			seterr(e, ret, "cannot create %s", f->part);
			return -1;
		}
		f->created = 1;
		dict_from(e, &d, p->mopts, p->nmopts);
		ret = avformat_write_header(f->oc, &d);
		if (ret >= 0)
			ret = dict_left(e, d, p->container) < 0 ? -1 : 0;
		av_dict_free(&d);
		if (ret < 0) {
			seterr(e, ret, "profile %s: the %s muxer refuses these "
			    "streams for %s", p->name, p->container, f->path);
			return -1;
		}
	}
	return 0;
}

/* --- encoding --- */

static int
encode(struct eng *e, AVCodecContext *enc, AVStream *st, AVFormatContext *oc,
    AVFrame *frame)
{
	int ret;

	if ((ret = avcodec_send_frame(enc, frame)) < 0) {
		seterr(e, ret, "the %s encoder refused a frame", enc->codec->name);
		return -1;
	}
	for (;;) {
		ret = avcodec_receive_packet(enc, e->pkt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0) {
			seterr(e, ret, "the %s encoder failed",
			    enc->codec->name);
			return -1;
		}
		av_packet_rescale_ts(e->pkt, enc->time_base, st->time_base);
		e->pkt->stream_index = st->index;
		if ((ret = av_interleaved_write_frame(oc, e->pkt)) < 0) {
			seterr(e, ret, "cannot write to %s", oc->url);
			return -1;
		}
	}
}

static void
report(struct eng *e, int force)
{
	int64_t t = now_ns(), done = e->vframes;
	double speed, eta = -1;

	if (e->o->progress == NULL)
		return;
	if (!force && t - e->last_report < REPORT_INTERVAL_NS)
		return;
	if (e->p->video == 0)
		done = av_rescale(e->asamples, e->rate.num,
		    (int64_t)e->sample_rate * e->rate.den);
	/* The last report (force) comes after the files are finished:
	 * the count is then known, not estimated from the source's header
	 * (which a damaged or edited source may get wrong), so the job
	 * ends on "frame N of N" and a fraction of 1. */
	if (force)
		e->total_frames = done;
	/* Frames a second over the last few seconds: a pause (SIGSTOP)
	 * drops out of the window instead of dragging the mean down. */
	if (t - e->win_t >= 2000000000LL || e->win_t == 0) {
		if (e->win_t != 0)
			e->fps = (done - e->win_frames) * 1e9 / (t - e->win_t);
		e->win_t = t;
		e->win_frames = done;
	}
	if (e->fps <= 0 && t > e->t0)
		e->fps = done * 1e9 / (double)(t - e->t0);
	speed = e->fps / av_q2d(e->rate);
	if (e->total_frames > 0 && e->fps > 0)
		eta = (e->total_frames - done) / e->fps;
	if (eta < 0 && e->total_frames > 0 && done >= e->total_frames)
		eta = 0;
	e->last_report = t;
	e->o->progress(e->o->arg, done, e->total_frames, e->fps, speed, eta);
}

static int
put_video(struct eng *e, AVFrame *f)
{
	f->pts = e->vframes++;
	f->pict_type = AV_PICTURE_TYPE_NONE;
	f->interlaced_frame = e->interlaced;
	f->top_field_first = e->interlaced && e->tff;
	return encode(e, e->venc, e->vst, e->files[0].oc, f);
}

static int
put_audio(struct eng *e, AVFrame *f)
{
	int i, ret, bps;

	if (e->atarget >= 0 && e->asamples + f->nb_samples > e->atarget)
		f->nb_samples = (int)(e->atarget - e->asamples);
	if (f->nb_samples <= 0)
		return 0;
	f->pts = e->asamples;
	if (e->p->audio == AUDIO_STEREO) {
		e->asamples += f->nb_samples;
		return encode(e, e->aenc[0], e->ast[0], e->files[0].oc, f);
	}
	/* Mono tracks: plane i of the planar sink frame is track i. */
	bps = av_get_bytes_per_sample(e->aenc[0]->sample_fmt);
	for (i = 0; i < e->naenc; i++) {
		AVFrame *m = e->mono;

		av_frame_unref(m);
		m->format = e->aenc[i]->sample_fmt;
		m->nb_samples = f->nb_samples;
		m->sample_rate = e->sample_rate;
		av_channel_layout_default(&m->ch_layout, 1);
		if (av_frame_get_buffer(m, 0) < 0)
			abort();
		memcpy(m->data[0], f->extended_data[i],
		    (size_t)f->nb_samples * (size_t)bps);
		m->pts = e->asamples;
		ret = encode(e, e->aenc[i], e->ast[i],
		    e->files[e->p->split ? i : 0].oc, m);
		if (ret < 0)
			return ret;
	}
	e->asamples += f->nb_samples;
	return 0;
}

/* Whether audio frame f may be written now: never past the video
 * written so far while the video runs, so that when the video ends the
 * audio can still be cut to its length exactly. */
static int
audio_fits(struct eng *e, const AVFrame *f, int vdone)
{
	if (e->vsink == NULL || vdone)
		return 1;
	return e->asamples + f->nb_samples <= av_rescale(e->vframes,
	    (int64_t)e->sample_rate * e->rate.den, e->rate.num);
}

/* Pulls what the sinks have, the one behind in time first. Returns 0
 * when both need input (or ended, or the audio waits for the video), -1
 * on error. */
static int
drain(struct eng *e, int *vdone, int *adone)
{
	int vhungry = 0, ahungry = 0, video, ret;

	for (;;) {
		int vok, aok;

		if (e->held && !*adone) {
			if (!audio_fits(e, e->hold, *vdone))
				ahungry = 1;
			else {
				e->held = 0;
				ret = put_audio(e, e->hold);
				av_frame_unref(e->hold);
				if (ret < 0)
					return -1;
			}
		}
		vok = e->vsink != NULL && !*vdone && !vhungry;
		aok = e->asink != NULL && !*adone && !ahungry;
		if (e->atarget >= 0 && e->asamples >= e->atarget && aok) {
			*adone = 1;
			continue;
		}
		if (!vok && !aok)
			return 0;
		if (vok && aok)
			video = av_compare_ts(e->vframes, av_inv_q(e->rate),
			    e->asamples, (AVRational){ 1, e->sample_rate }) <= 0;
		else
			video = vok;
		ret = av_buffersink_get_frame(video ? e->vsink : e->asink,
		    e->frame);
		if (ret == AVERROR(EAGAIN)) {
			if (video)
				vhungry = 1;
			else
				ahungry = 1;
			continue;
		}
		if (ret == AVERROR_EOF) {
			if (video)
				*vdone = 1;
			else
				*adone = 1;
			continue;
		}
		if (ret < 0) {
			seterr(e, ret, "the filter graph failed");
			return -1;
		}
		if (!video && !audio_fits(e, e->frame, *vdone)) {
			av_frame_move_ref(e->hold, e->frame);
			e->held = 1;
			continue;
		}
		ret = video ? put_video(e, e->frame) : put_audio(e, e->frame);
		av_frame_unref(e->frame);
		if (ret < 0)
			return -1;
		report(e, 0);
		if (e->o->cancelled != NULL && e->o->cancelled(e->o->arg))
			return 0;
	}
}

/* Sends a packet's frames (NULL: the decoder's end) to src. */
static int
decode_to(struct eng *e, AVCodecContext *dec, AVStream *st, AVPacket *pkt,
    AVFilterContext *src, int64_t origin, const char *path)
{
	int ret;

	ret = avcodec_send_packet(dec, pkt);
	if (ret < 0 && ret != AVERROR_EOF) {
		seterr(e, ret, "%s: a %s packet at %s s does not decode; the "
		    "source is damaged", path, dec->codec->name,
		    pkt != NULL ? av_ts2timestr(pkt->pts, &st->time_base)
		    : "the end");
		return -1;
	}
	for (;;) {
		ret = avcodec_receive_frame(dec, e->dframe);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0) {
			seterr(e, ret, "%s: a %s frame does not decode; the "
			    "source is damaged", path, dec->codec->name);
			return -1;
		}
		if (e->dframe->decode_error_flags != 0 ||
		    (e->dframe->flags & AV_FRAME_FLAG_CORRUPT)) {
			seterr(e, 0, "%s: the %s frame at %s s is damaged",
			    path, dec->codec->name,
			    av_ts2timestr(e->dframe->best_effort_timestamp,
			    &st->time_base));
			return -1;
		}
		if (src != NULL) {
			int64_t ts = e->dframe->best_effort_timestamp;

			if (ts == AV_NOPTS_VALUE)
				ts = 0;
			if (dec->codec_type == AVMEDIA_TYPE_AUDIO) {
				ts = av_rescale_q(ts, st->time_base,
				    (AVRational){ 1, dec->sample_rate }) -
				    av_rescale(origin, dec->sample_rate,
				    AV_TIME_BASE);
				av_channel_layout_uninit(&e->dframe->ch_layout);
				av_channel_layout_default(&e->dframe->ch_layout,
				    dec->ch_layout.nb_channels);
			} else {
				int64_t d = e->dframe->pkt_duration > 0 ?
				    e->dframe->pkt_duration : av_rescale_q(1,
				    av_inv_q(e->src_rate), st->time_base);

				ts -= av_rescale_q(origin, AV_TIME_BASE_Q,
				    st->time_base);
				if (ts + d > e->vend)
					e->vend = ts + d;
			}
			e->dframe->pts = ts;
			ret = av_buffersrc_add_frame_flags(src, e->dframe,
			    AV_BUFFERSRC_FLAG_KEEP_REF);
			if (ret < 0) {
				av_frame_unref(e->dframe);
				seterr(e, ret, "the filter graph refused a "
				    "frame of %s", path);
				return -1;
			}
		}
		av_frame_unref(e->dframe);
	}
}

/* Which source audio input is stream idx, or -1. */
static int
audio_input(struct eng *e, int idx)
{
	int i;

	for (i = 0; i < e->naudio; i++)
		if (e->aidx[i] == idx)
			return i;
	return -1;
}

/* Reads one packet of the layback WAV into the graph; 1 at its end. */
static int
feed_wav(struct eng *e, int *wav_eof)
{
	int ret = av_read_frame(e->wc, e->pkt);

	if (ret == AVERROR_EOF) {
		*wav_eof = 1;
		if (decode_to(e, e->wdec, e->wc->streams[e->widx], NULL,
		    e->asrc[0], 0, e->o->audio_file) < 0)
			return -1;
		return av_buffersrc_add_frame(e->asrc[0], NULL) < 0 ? -1 : 1;
	}
	if (ret < 0) {
		seterr(e, ret, "cannot read %s", e->o->audio_file);
		return -1;
	}
	if (e->pkt->stream_index == e->widx) {
		AVStream *ws = e->wc->streams[e->widx];

		if (e->pkt->pts != AV_NOPTS_VALUE)
			e->wav_pos = av_rescale_q(e->pkt->pts +
			    e->pkt->duration, ws->time_base, AV_TIME_BASE_Q);
		ret = decode_to(e, e->wdec, e->wc->streams[e->widx], e->pkt,
		    e->asrc[0], 0, e->o->audio_file);
	} else
		ret = 0;
	av_packet_unref(e->pkt);
	return ret;
}

/* Runs the programme graph: demux, decode, filter, encode. measure:
 * only the audio, into st for libebur128. */
static int
run_programme(struct eng *e, ebur128_state *st)
{
	int vdone = 0, adone = e->asink == NULL, eof = 0, wav_eof = 0, ret, i;
	AVStream *vs = e->vidx >= 0 ? e->ic->streams[e->vidx] : NULL;

	if (e->vsink == NULL)
		vdone = 1;
	while (!eof) {
		if (e->o->cancelled != NULL && e->o->cancelled(e->o->arg))
			return ENGINE_CANCELLED;
		ret = av_read_frame(e->ic, e->pkt);
		if (ret == AVERROR_EOF) {
			eof = 1;
			break;
		}
		if (ret < 0) {
			seterr(e, ret, "cannot read %s; the source is damaged "
			    "or cut short", e->o->input);
			return ENGINE_FAILED;
		}
		if (vs != NULL && e->pkt->stream_index == e->vidx &&
		    e->vsrc != NULL) {
			ret = decode_to(e, e->vdec, vs, e->pkt, e->vsrc,
			    e->origin, e->o->input);
			/* The layback keeps pace with the picture. */
			if (ret == 0 && e->wc != NULL && e->pkt->pts !=
			    AV_NOPTS_VALUE) {
				int64_t want = av_rescale_q(e->pkt->pts -
				    (vs->start_time != AV_NOPTS_VALUE ?
				    vs->start_time : 0), vs->time_base,
				    AV_TIME_BASE_Q) + AV_TIME_BASE / 2;

				while (ret == 0 && !wav_eof &&
				    e->wav_pos < want) {
					ret = feed_wav(e, &wav_eof);
					if (ret > 0)
						ret = 0;
				}
			}
		} else if ((i = audio_input(e, e->pkt->stream_index)) >= 0 &&
		    e->asrc[i] != NULL)
			ret = decode_to(e, e->adec[i],
			    e->ic->streams[e->pkt->stream_index], e->pkt,
			    e->asrc[i], e->origin, e->o->input);
		else
			ret = 0;
		av_packet_unref(e->pkt);
		if (ret < 0)
			return ENGINE_FAILED;
		if (e->wc != NULL && e->vsrc == NULL && !wav_eof) {
			if ((ret = feed_wav(e, &wav_eof)) < 0)
				return ENGINE_FAILED;
		}
		if (st == NULL && drain(e, &vdone, &adone) < 0)
			return ENGINE_FAILED;
		if (st != NULL) {
			while ((ret = av_buffersink_get_frame(e->asink,
			    e->frame)) >= 0) {
				ebur128_add_frames_float(st,
				    (const float *)e->frame->data[0],
				    (size_t)e->frame->nb_samples);
				av_frame_unref(e->frame);
			}
		}
	}
	/* The ends: flush the decoders, close the sources. */
	if (vs != NULL && e->vsrc != NULL) {
		if (decode_to(e, e->vdec, vs, NULL, e->vsrc, e->origin,
		    e->o->input) < 0)
			return ENGINE_FAILED;
		/* Closed at the end of the last frame, not its start, so
		 * that fps keeps it. */
		if (av_buffersrc_close(e->vsrc, e->vend,
		    AV_BUFFERSRC_FLAG_PUSH) < 0)
			return ENGINE_FAILED;
	}
	for (i = 0; e->wc == NULL && i < e->naudio; i++) {
		if (e->asrc[i] == NULL)
			continue;
		if (decode_to(e, e->adec[i], e->ic->streams[e->aidx[i]], NULL,
		    e->asrc[i], e->origin, e->o->input) < 0)
			return ENGINE_FAILED;
		if (av_buffersrc_add_frame(e->asrc[i], NULL) < 0)
			return ENGINE_FAILED;
	}
	while (e->wc != NULL && !wav_eof) {
		if (feed_wav(e, &wav_eof) < 0)
			return ENGINE_FAILED;
		if (st == NULL && drain(e, &vdone, &adone) < 0)
			return ENGINE_FAILED;
	}
	if (st != NULL) {
		while ((ret = av_buffersink_get_frame(e->asink, e->frame)) >= 0) {
			ebur128_add_frames_float(st,
			    (const float *)e->frame->data[0],
			    (size_t)e->frame->nb_samples);
			av_frame_unref(e->frame);
		}
		return ENGINE_DONE;
	}
	/* Video to its end first, which fixes the audio's length. */
	while (!vdone) {
		int ahold = 1;

		if (drain(e, &vdone, &ahold) < 0)
			return ENGINE_FAILED;
		if (e->o->cancelled != NULL && e->o->cancelled(e->o->arg))
			return ENGINE_CANCELLED;
	}
	if (e->vsink != NULL)
		e->atarget = av_rescale(e->vframes, (int64_t)e->sample_rate *
		    e->rate.den, e->rate.num);
	while (!adone) {
		if (drain(e, &vdone, &adone) < 0)
			return ENGINE_FAILED;
		if (e->o->cancelled != NULL && e->o->cancelled(e->o->arg))
			return ENGINE_CANCELLED;
	}
	return ENGINE_DONE;
}

/* --- the line-up --- */

static void
tone(struct eng *e, struct buf *b, int64_t samples, const char *lname)
{
	const struct lineup *l = e->o->lineup;
	double gain = l->tone_dbfs - SINE_SOURCE_DBFS;
	int i;

	/* amerge takes packed samples only: say so after each volume. */
	put(b, "sine=f=1000:r=%d,volume=%.4fdB,aformat=sample_fmts=flt:"
	    "channel_layouts=mono,atrim=end_sample=%lld[tr];",
	    e->sample_rate, gain, (long long)samples);
	put(b, "sine=f=1000:r=%d,volume=%.4fdB", e->sample_rate, gain);
	if (l->ident_tone)	/* EBU: left cut for 250 ms every 3 s */
		put(b, ",volume=volume=0:enable='lt(mod(t\\,3)\\,0.25)'");
	put(b, ",aformat=sample_fmts=flt:channel_layouts=mono,"
	    "atrim=end_sample=%lld[tl];[tl][tr]amerge=inputs=2,pan=%s",
	    (long long)samples, lname);
	for (i = 0; i < e->out_channels; i++)
		put(b, "|c%d=c%d", i, i == 0 ? 0 : 1);
}

/* One part of the line-up: kind 0 bars and tone, 1 ident, 2 black;
 * frames long, starting at label tc. */
static int
run_part(struct eng *e, int kind, int64_t frames, int64_t tc)
{
	static const char *const what[] = { "bars and tone", "ident",
	    "black" };
	const struct profile *p = e->p;
	struct buf *b = calloc(1, sizeof *b);
	char lname[64], label[TC_FORMAT_SIZE], *t, *font;
	int64_t s0, s1;
	int vdone = 0, adone = 0, ret = -1;

	if (b == NULL)
		abort();
	s0 = av_rescale(e->vframes, (int64_t)e->sample_rate * e->rate.den,
	    e->rate.num);
	s1 = av_rescale(e->vframes + frames, (int64_t)e->sample_rate *
	    e->rate.den, e->rate.num);
	layout_name(e->out_channels, lname, sizeof lname);
	font = esc(e->o->font);
	if (p->video) {
		if (kind == 0 && e->o->lineup->bars == BARS_EBU100)
			/* pal100bars draws RGB: convert one frame, loop it */
			put(b, "pal100bars=s=%dx%d:r=%d/%d,trim=end_frame=1,"
			    "format=rgb24,scale=out_color_matrix=%s:out_range=tv,"
			    "format=yuv444p,loop=loop=-1:size=1,", e->w, e->h,
			    e->rate.num, e->rate.den, colour_matrix(p->colour));
		else if (kind == 0)
			put(b, "smptehdbars=s=%dx%d:r=%d/%d,", e->w, e->h,
			    e->rate.num, e->rate.den);
		else
			put(b, "color=c=%s:s=%dx%d:r=%d/%d,", kind == 1 ?
			    "0x202020" : "black", e->w, e->h, e->rate.num,
			    e->rate.den);
		put(b, "trim=end_frame=%lld,setpts=N/FRAME_RATE/TB,",
		    (long long)frames);
		if (kind == 1) {
			const char *title = e->o->lineup->title;
			const char *base = strrchr(e->o->input, '/');
			char cd[96];
			int fs = e->h / 12;

			if (title == NULL)
				title = base != NULL ? base + 1 : e->o->input;
			t = esc(title);
			put(b, "drawtext=fontfile=%s:expansion=none:text=%s:"
			    "fontsize=%d:fontcolor=white:x=(w-tw)/2:y=h/4,",
			    font, t, fs);
			av_free(t);
			tc_format(e->prog_tc, e->tcr, label, sizeof label);
			snprintf(cd, sizeof cd, "programme at %s", label);
			t = esc(cd);
			put(b, "drawtext=fontfile=%s:expansion=none:text=%s:"
			    "fontsize=%d:fontcolor=white:x=(w-tw)/2:y=h/4+%d,",
			    font, t, fs / 2, fs * 3 / 2);
			av_free(t);
			/* The countdown: whole seconds to the programme. */
			snprintf(cd, sizeof cd, "%%{eif:ceil(%.6f-t):d}",
			    (double)(e->lineup_frames - e->vframes) /
			    av_q2d(e->rate));
			t = esc(cd);
			put(b, "drawtext=fontfile=%s:text=%s:fontsize=%d:"
			    "fontcolor=white:x=(w-tw)/2:y=h/2,", font, t,
			    fs * 2);
			av_free(t);
		}
		put(b, "format=%s,setsar=%d/%d,", p->pix_fmt, e->sar.num,
		    e->sar.den);
		video_tail(e, b, tc);
		put(b, ";");
	}
	if (kind == 0)
		tone(e, b, s1 - s0, lname);
	else
		put(b, "anullsrc=r=%d:cl=%s,atrim=end_sample=%lld",
		    e->sample_rate, lname, (long long)(s1 - s0));
	put(b, ",aformat=sample_fmts=%s:sample_rates=%d:channel_layouts=%s"
	    "[aout];[aout]abuffersink@aout", av_get_sample_fmt_name(e->sink_fmt),
	    e->sample_rate, lname);
	av_free(font);
	if (b->overflow) {
		seterr(e, 0, "the line-up's filter graph is too long");
		goto out;
	}
	if (graph_build(e, b->s, 0, what[kind]) < 0)
		goto out;
	if (!p->video)
		vdone = 1;
	while (!vdone || !adone) {
		if (drain(e, &vdone, &adone) < 0)
			goto out;
		if (e->o->cancelled != NULL && e->o->cancelled(e->o->arg)) {
			ret = ENGINE_CANCELLED;
			goto out;
		}
	}
	ret = 0;
out:
	free(b);
	return ret;
}

/* Frames of the line-up, and its parts, from the spec's labels. */
static int
plan_lineup(struct eng *e, int64_t starts[3])
{
	const struct lineup *l = e->o->lineup;
	const char *names[3] = { l->bars_start, l->ident_start, l->black_start };
	const char *keys[3] = { "bars_start", "ident_start", "black_start" };
	char msg[256];
	int64_t last;
	int i;

	if (tc_parse(l->programme, e->tcr, &e->prog_tc, msg, sizeof msg) < 0) {
		seterr(e, 0, "%s: programme: %s", l->path, msg);
		return -1;
	}
	last = -1;
	e->start_tc = e->prog_tc;
	for (i = 0; i < 3; i++) {
		starts[i] = -1;
		if (names[i] == NULL)
			continue;
		if (tc_parse(names[i], e->tcr, &starts[i], msg, sizeof msg) < 0) {
			seterr(e, 0, "%s: %s: %s", l->path, keys[i], msg);
			return -1;
		}
		if (starts[i] >= e->prog_tc || starts[i] <= last) {
			seterr(e, 0, "%s: %s %s is not between the part before "
			    "it and the programme at %s", l->path, keys[i],
			    names[i], l->programme);
			return -1;
		}
		last = starts[i];
		if (starts[i] < e->start_tc)
			e->start_tc = starts[i];
	}
	e->lineup_frames = e->prog_tc - e->start_tc;
	return 0;
}

/* --- loudness, pass one --- */

static int
measure(struct eng *e)
{
	struct buf *b = calloc(1, sizeof *b);
	ebur128_state *st = NULL;
	double tp = -HUGE_VAL, v;
	unsigned c;
	int ret = -1;

	if (b == NULL)
		abort();
	if (e->in_channels == 0) {
		seterr(e, 0, "profile %s normalises loudness, but %s has no "
		    "audio", e->p->name, e->o->input);
		goto out;
	}
	audio_chain(e, b, 1);
	if (graph_build(e, b->s, IN_AUDIO, "loudness measurement") < 0)
		goto out;
	/* Only the audio decoders feed this pass. */
	e->vsrc = NULL;
	st = ebur128_init((unsigned)e->out_channels, (unsigned long)
	    e->sample_rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	if (st == NULL)
		abort();
	for (c = 2; c < (unsigned)e->out_channels; c++)
		ebur128_set_channel(st, c, EBUR128_UNUSED);
	if (e->out_channels == 1)
		ebur128_set_channel(st, 0, EBUR128_DUAL_MONO);
	ret = run_programme(e, st);
	if (ret != ENGINE_DONE)
		goto out;
	if (ebur128_loudness_global(st, &e->measured_i) != EBUR128_SUCCESS ||
	    !isfinite(e->measured_i)) {
		seterr(e, 0, "the programme audio of %s is silent (below the "
		    "-70 LUFS gate), so it cannot be normalised to %.1f LUFS",
		    e->o->input, e->p->loudness);
		ret = ENGINE_FAILED;
		goto out;
	}
	for (c = 0; c < (unsigned)e->out_channels && c < 2; c++) {
		if (ebur128_true_peak(st, c, &v) == EBUR128_SUCCESS && v > 0 &&
		    20 * log10(v) > tp)
			tp = 20 * log10(v);
	}
	e->measured_tp = tp;
	e->gain_db = e->p->loudness - e->measured_i;
	e->gain_set = 1;
	elog(e, "loudness: %.2f LUFS, true peak %.2f dBTP; gain %+.2f dB "
	    "for %.1f LUFS", e->measured_i, tp, e->gain_db, e->p->loudness);
	/* Rewind for the real pass. */
	avformat_seek_file(e->ic, -1, INT64_MIN, e->ic->start_time !=
	    AV_NOPTS_VALUE ? e->ic->start_time : 0, INT64_MAX, 0);
	if (e->wc != NULL)
		avformat_seek_file(e->wc, -1, INT64_MIN, 0, INT64_MAX, 0);
	for (c = 0; c < (unsigned)e->naudio; c++)
		avcodec_flush_buffers(e->adec[c]);
	if (e->wdec != NULL)
		avcodec_flush_buffers(e->wdec);
	if (e->vdec != NULL)
		avcodec_flush_buffers(e->vdec);
	ret = ENGINE_DONE;
out:
	if (st != NULL)
		ebur128_destroy(&st);
	graph_free(e);
	free(b);
	return ret;
}

/* --- field order by analysis --- */

static int64_t
meta_int(AVDictionary *m, const char *key)
{
	AVDictionaryEntry *t = av_dict_get(m, key, NULL, 0);

	return t != NULL ? strtoll(t->value, NULL, 10) : 0;
}

/* Runs the written video through idet and says what it found. */
static void
analyse_fields(struct eng *e, json_t *res)
{
	AVFormatContext *fc = NULL;
	AVCodecContext *dec = NULL;
	AVFilterGraph *g = NULL;
	AVFilterContext *src = NULL, *sink = NULL;
	AVFilterInOut *in = NULL, *out = NULL;
	AVFrame *f = av_frame_alloc(), *last = av_frame_alloc();
	AVPacket *pkt = av_packet_alloc();
	AVStream *st;
	char args[256], verdict[256];
	const char *flag = !e->interlaced ? "progressive" :
	    e->tff ? "tff" : "bff", *found;
	int64_t tff, bff, prog, und;
	int idx, n = 0, ret, have = 0;

	if (f == NULL || last == NULL || pkt == NULL)
		abort();
	if (avformat_open_input(&fc, e->files[0].part, NULL, NULL) < 0 ||
	    avformat_find_stream_info(fc, NULL) < 0)
		goto fail;
	if ((idx = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL,
	    0)) < 0)
		goto fail;
	st = fc->streams[idx];
	{
		const AVCodec *c = avcodec_find_decoder(st->codecpar->codec_id);

		if (c == NULL || (dec = avcodec_alloc_context3(c)) == NULL ||
		    avcodec_parameters_to_context(dec, st->codecpar) < 0 ||
		    avcodec_open2(dec, c, NULL) < 0)
			goto fail;
	}
	g = avfilter_graph_alloc();
	snprintf(args, sizeof args, "video_size=%dx%d:pix_fmt=%d:time_base="
	    "%d/%d:pixel_aspect=1/1", dec->width, dec->height, dec->pix_fmt,
	    st->time_base.num, st->time_base.den);
	if (avfilter_graph_create_filter(&src, avfilter_get_by_name("buffer"),
	    "in", args, NULL, g) < 0 ||
	    avfilter_graph_create_filter(&sink,
	    avfilter_get_by_name("buffersink"), "out", NULL, NULL, g) < 0)
		goto fail;
	out = avfilter_inout_alloc();
	in = avfilter_inout_alloc();
	out->name = av_strdup("in");
	out->filter_ctx = src;
	in->name = av_strdup("out");
	in->filter_ctx = sink;
	/* Analyse the picture, not the flags: setfield=auto keeps idet
	 * from being told. */
	if (avfilter_graph_parse_ptr(g, "setfield=auto,idet", &in, &out,
	    NULL) < 0 || avfilter_graph_config(g, NULL) < 0)
		goto fail;
	while (n < ANALYSE_FRAMES && av_read_frame(fc, pkt) >= 0) {
		if (pkt->stream_index == idx &&
		    avcodec_send_packet(dec, pkt) >= 0) {
			while (avcodec_receive_frame(dec, f) >= 0) {
				f->interlaced_frame = 0;
				if (av_buffersrc_add_frame(src, f) < 0)
					goto fail;
				while (av_buffersink_get_frame(sink, f) >= 0) {
					av_frame_unref(last);
					av_frame_move_ref(last, f);
					have = 1;
					n++;
				}
			}
		}
		av_packet_unref(pkt);
	}
	if (!have)
		goto fail;
	tff = meta_int(last->metadata, "lavfi.idet.multiple.tff");
	bff = meta_int(last->metadata, "lavfi.idet.multiple.bff");
	prog = meta_int(last->metadata, "lavfi.idet.multiple.progressive");
	und = meta_int(last->metadata, "lavfi.idet.multiple.undetermined");
	if (tff > bff && tff > prog)
		found = "tff";
	else if (bff > tff && bff > prog)
		found = "bff";
	else if (prog > 0 && prog >= tff && prog >= bff)
		found = "progressive";
	else
		found = "undetermined";
	ret = strcmp(found, flag) == 0 || strcmp(found, "undetermined") == 0 ||
	    (e->interlaced && strcmp(found, "progressive") == 0);
	snprintf(verdict, sizeof verdict, "flagged %s; the picture analyses "
	    "as %s (%lld tff, %lld bff, %lld progressive, %lld undetermined "
	    "in %d frames)%s", flag, found, (long long)tff, (long long)bff,
	    (long long)prog, (long long)und, n,
	    e->interlaced && strcmp(found, "progressive") == 0 ?
	    ": progressive pictures in interlaced frames (PsF), which "
	    "either field order shows correctly" : ret ? "" :
	    ": the field order is WRONG");
	json_object_set_new(res, "field_order", json_pack("{s:s, s:s, s:I, "
	    "s:I, s:I, s:I, s:s}", "flagged", flag, "analysed", found,
	    "tff", (json_int_t)tff, "bff", (json_int_t)bff, "progressive",
	    (json_int_t)prog, "undetermined", (json_int_t)und, "report",
	    verdict));
	elog(e, "field order: %s", verdict);
	if (e->o->finding != NULL)
		e->o->finding(e->o->arg, ret ? "info" : "warning",
		    "field_order", e->files[0].path, verdict);
	goto out;
fail:
	elog(e, "field order: the output could not be analysed");
	json_object_set_new(res, "field_order", json_pack("{s:s, s:s}",
	    "flagged", flag, "report", "the output could not be analysed"));
out:
	avfilter_inout_free(&in);
	avfilter_inout_free(&out);
	avfilter_graph_free(&g);
	avcodec_free_context(&dec);
	avformat_close_input(&fc);
	av_frame_free(&f);
	av_frame_free(&last);
	av_packet_free(&pkt);
}

/* --- set-up shared by the check and the run --- */

static int
plan(struct eng *e)
{
	const struct profile *p = e->p;
	const char *label;
	char msg[256];
	int i, size;

	if (e->o->lut != NULL) {
		if (!p->video) {
			seterr(e, 0, "--lut is for video, and profile %s makes "
			    "only audio", p->name);
			return -1;
		}
		if (cube_check(e->o->lut, &size, msg, sizeof msg) < 0) {
			seterr(e, 0, "%s", msg);
			return -1;
		}
	}
	if ((p->burn_timecode || p->watermark != NULL ||
	    e->o->lineup != NULL) && access(e->o->font, R_OK) != 0) {
		seterr(e, 0, "the font %s for burnt-in text cannot be read "
		    "(%s); set [transcode] font in mcr.ini", e->o->font,
		    strerror(errno));
		return -1;
	}
	if (e->o->lineup != NULL && e->o->tc_start != NULL) {
		seterr(e, 0, "--tc-start and --lineup both say where the "
		    "programme starts; give one (the line-up spec's "
		    "programme is %s)", e->o->lineup->programme);
		return -1;
	}
	if (e->o->lineup != NULL && !p->video) {
		seterr(e, 0, "--lineup needs a profile with video, and %s "
		    "makes only audio", p->name);
		return -1;
	}
	if (e->o->audio_file != NULL && p->audio == AUDIO_NONE) {
		seterr(e, 0, "--audio lays back sound, and profile %s has "
		    "none", p->name);
		return -1;
	}
	e->sample_rate = p->sample_rate;
	e->out_channels = p->audio == AUDIO_NONE ? 0 : p->tracks;
	e->naenc = p->audio == AUDIO_MONO ? p->tracks :
	    p->audio == AUDIO_STEREO ? 1 : 0;
	for (i = 0; i < MAX_TRACKS; i++)
		e->map[i] = i;
	if (e->o->audio_map != NULL) {
		if (p->audio == AUDIO_NONE) {
			seterr(e, 0, "--audio-map maps sound, and profile %s "
			    "has none", p->name);
			return -1;
		}
		if (parse_map(e, e->o->audio_map) < 0)
			return -1;
		for (i = 0; i < MAX_TRACKS; i++) {
			if (e->map[i] >= 0 && i >= e->out_channels) {
				seterr(e, 0, "--audio-map '%s' names output "
				    "channel %d, and profile %s has %d",
				    e->o->audio_map, i + 1, p->name,
				    e->out_channels);
				return -1;
			}
		}
	}
	if (e->o->tc_start != NULL) {
		/* The syntax now; the rate once the source is open. */
		if (tc_parse(e->o->tc_start, &tc_rates[TC_25], &e->start_tc, msg,
		    sizeof msg) < 0 && tc_parse(e->o->tc_start,
		    &tc_rates[TC_2997DF], &e->start_tc, msg, sizeof msg) < 0 &&
		    tc_parse(e->o->tc_start, &tc_rates[TC_60], &e->start_tc,
		    msg, sizeof msg) < 0) {
			seterr(e, 0, "--tc-start: %s", msg);
			return -1;
		}
	}
	label = e->o->audio_offset;
	if (label != NULL) {
		e->rate = p->rate_num != 0 ? (AVRational){ p->rate_num,
		    p->rate_den } : (AVRational){ 25, 1 };
		if (parse_offset(e, label, &e->offset_samples) < 0)
			return -1;
	}
	return 0;
}

/* The rate of the timecode, and the labels, once the rate is known. */
static int
plan_timecode(struct eng *e, int64_t starts[3])
{
	const char *src_tc = source_timecode(e->ic), *label;
	char msg[256];
	bool drop;

	label = e->o->tc_start != NULL ? e->o->tc_start :
	    e->o->lineup != NULL ? e->o->lineup->programme : src_tc;
	drop = label != NULL && strchr(label, ';') != NULL;
	e->tcr = tc_rate_find(e->rate.num, e->rate.den, drop);
	if (e->tcr == NULL)
		e->tcr = tc_rate_find(e->rate.num, e->rate.den, false);
	if (e->tcr == NULL) {
		seterr(e, 0, "%d/%d frames a second has no SMPTE timecode; "
		    "choose a profile at a broadcast rate", e->rate.num,
		    e->rate.den);
		return -1;
	}
	e->start_tc = 0;
	if (e->o->lineup != NULL)
		return plan_lineup(e, starts);
	if (label != NULL && tc_parse(label, e->tcr, &e->start_tc, msg,
	    sizeof msg) < 0) {
		if (e->o->tc_start != NULL) {
			seterr(e, 0, "--tc-start: %s", msg);
			return -1;
		}
		elog(e, "the source's timecode %s does not fit %s; starting "
		    "at 00:00:00:00", label, e->tcr->name);
		e->start_tc = 0;
	}
	e->prog_tc = e->start_tc;
	return 0;
}

static void
eng_free(struct eng *e, int keep)
{
	int i;

	graph_free(e);
	for (i = 0; i < e->nfiles; i++) {
		struct out_file *f = &e->files[i];

		if (f->oc != NULL) {
			avio_closep(&f->oc->pb);
			avformat_free_context(f->oc);
		}
		if (!keep && f->created && f->part != NULL)
			unlink(f->part);
		free(f->path);
		free(f->part);
	}
	avcodec_free_context(&e->venc);
	for (i = 0; i < MAX_TRACKS; i++)
		avcodec_free_context(&e->aenc[i]);
	avcodec_free_context(&e->vdec);
	for (i = 0; i < MAX_IN_AUDIO; i++)
		avcodec_free_context(&e->adec[i]);
	avcodec_free_context(&e->wdec);
	avformat_close_input(&e->ic);
	avformat_close_input(&e->wc);
	av_frame_free(&e->frame);
	av_frame_free(&e->dframe);
	av_frame_free(&e->mono);
	av_frame_free(&e->hold);
	av_packet_free(&e->pkt);
	free(e->scan_report);
}

static json_t *
result_json(struct eng *e)
{
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE], c[TC_FORMAT_SIZE];
	json_t *outs = json_array(), *r;
	int64_t frames = e->p->video ? e->vframes : av_rescale(e->asamples,
	    e->rate.num, (int64_t)e->sample_rate * e->rate.den);
	int i;

	for (i = 0; i < e->nfiles; i++)
		json_array_append_new(outs, json_string(e->files[i].path));
	tc_format(e->start_tc, e->tcr, a, sizeof a);
	tc_format(e->prog_tc, e->tcr, b, sizeof b);
	tc_format(tc_add(e->start_tc, frames, e->tcr), e->tcr, c, sizeof c);
	r = json_pack("{s:s, s:o, s:s, s:I, s:I, s:I, s:f, s:s, s:s, s:s, "
	    "s:s, s:i, s:i, s:s, s:i, s:i}",
	    "profile", e->p->name, "outputs", outs, "container",
	    e->p->container, "frames", (json_int_t)frames, "lineup_frames",
	    (json_int_t)e->lineup_frames, "samples", (json_int_t)e->asamples,
	    "duration", (double)frames / av_q2d(e->rate), "tc_start", a,
	    "programme_tc", b, "tc_end", c, "rate", e->tcr->name,
	    "width", e->p->video ? e->w : 0, "height", e->p->video ? e->h : 0,
	    "scan", !e->p->video ? "none" : !e->interlaced ? "progressive" :
	    e->tff ? "tff" : "bff", "audio_tracks", e->naenc,
	    "audio_channels", e->out_channels);
	if (e->gain_set)
		json_object_set_new(r, "loudness", json_pack("{s:f, s:f, s:f, "
		    "s:f, s:s}", "measured", e->measured_i, "true_peak",
		    e->measured_tp, "gain", e->gain_db, "target",
		    e->p->loudness, "mode", "linear"));
	else if (e->p->loudness_set)
		json_object_set_new(r, "loudness", json_pack("{s:f, s:s}",
		    "target", e->p->loudness, "mode", "dynamic"));
	return r;
}

static int
eng_init(struct eng *e, const struct engine_opts *o, char *err,
    size_t errlen)
{
	memset(e, 0, sizeof *e);
	e->o = o;
	e->p = o->profile;
	e->err = err;
	e->errlen = errlen;
	e->err[0] = '\0';
	e->vidx = e->widx = -1;
	e->atarget = -1;
	e->frame = av_frame_alloc();
	e->dframe = av_frame_alloc();
	e->mono = av_frame_alloc();
	e->hold = av_frame_alloc();
	e->pkt = av_packet_alloc();
	if (e->frame == NULL || e->dframe == NULL || e->mono == NULL ||
	    e->pkt == NULL || e->hold == NULL)
		abort();
	return 0;
}

int
engine_check_options(const struct engine_opts *o, char *err, size_t errlen)
{
	struct eng e;
	int ret;

	eng_init(&e, o, err, errlen);
	ret = plan(&e);
	eng_free(&e, 0);
	return ret;
}

int
engine_run(const struct engine_opts *o, json_t **result, char *err,
    size_t errlen)
{
	struct eng e;
	struct buf *b = NULL;
	int64_t starts[3] = { -1, -1, -1 };
	int ret = ENGINE_FAILED, i, analyse;
	AVStream *vs;

	*result = NULL;
	eng_init(&e, o, err, errlen);
	e.t0 = now_ns();
	if (plan(&e) < 0 || open_source(&e) < 0)
		goto out;
	if (e.p->video) {
		if (plan_video(&e) < 0)
			goto out;
	} else
		e.rate = e.ic->nb_streams > 0 && e.vidx >= 0 ? e.src_rate :
		    (AVRational){ 25, 1 };
	if (!e.p->video) {
		/* Stems keep the timecode rate of the picture they go
		 * with, when there is one. */
		int v = av_find_best_stream(e.ic, AVMEDIA_TYPE_VIDEO, -1, -1,
		    NULL, 0);

		if (v >= 0 && e.ic->streams[v]->avg_frame_rate.num > 0)
			e.rate = e.ic->streams[v]->avg_frame_rate;
	}
	if (o->audio_offset != NULL &&
	    parse_offset(&e, o->audio_offset, &e.offset_samples) < 0)
		goto out;
	if (plan_timecode(&e, starts) < 0)
		goto out;
	if (e.p->video) {
		int aw, ah;

		geometry(&e, &aw, &ah);
	}
	/* Planar for mono tracks (a plane a track), else the encoder's. */
	if (e.naenc > 0) {
		const AVCodec *c = avcodec_find_encoder_by_name(e.p->acodec);

		if (c == NULL) {
			seterr(&e, 0, "profile %s: this FFmpeg has no %s audio "
			    "encoder", e.p->name, e.p->acodec);
			goto out;
		}
		e.sink_fmt = pick_sample_fmt(c);
		if (e.p->audio == AUDIO_MONO)
			e.sink_fmt = av_get_planar_sample_fmt(e.sink_fmt);
	}
	if (e.p->loudness_set && !e.p->loudness_dynamic) {
		if ((ret = measure(&e)) != ENGINE_DONE)
			goto out;
		ret = ENGINE_FAILED;
	}

	/* The programme graph first, so that a LUT or option the filters
	 * refuse stops the job before anything is written. */
	if ((b = calloc(1, sizeof *b)) == NULL)
		abort();
	if (e.p->video) {
		video_chain(&e, b);
		video_tail(&e, b, e.prog_tc);
		if (e.naenc > 0)
			put(b, ";");
	}
	if (e.naenc > 0)
		audio_chain(&e, b, 0);
	if (b->overflow) {
		seterr(&e, 0, "the programme's filter graph is too long");
		goto out;
	}
	if (open_outputs(&e) < 0)
		goto out;
	vs = e.vidx >= 0 ? e.ic->streams[e.vidx] : NULL;
	if (vs != NULL && vs->nb_frames > 0)
		e.total_frames = av_rescale_q(vs->nb_frames, e.rate,
		    e.src_rate);
	else if (e.ic->duration > 0)
		e.total_frames = av_rescale_q(e.ic->duration, AV_TIME_BASE_Q,
		    av_inv_q(e.rate));
	e.total_frames += e.lineup_frames;

	if (o->lineup != NULL) {
		for (i = 0; i < 3; i++) {
			int64_t end = e.prog_tc;
			int j;

			if (starts[i] < 0)
				continue;
			for (j = i + 1; j < 3; j++)
				if (starts[j] >= 0) {
					end = starts[j];
					break;
				}
			ret = run_part(&e, i, end - starts[i], starts[i]);
			if (ret != 0)
				goto out;
		}
		ret = ENGINE_FAILED;
	}
	if (graph_build(&e, b->s, (e.p->video ? IN_VIDEO : 0) |
	    (e.naenc > 0 ? IN_AUDIO : 0), "programme") < 0)
		goto out;
	ret = run_programme(&e, NULL);
	if (ret != ENGINE_DONE)
		goto out;
	ret = ENGINE_FAILED;
	e.prog_frames = e.vframes - e.lineup_frames;
	if (e.p->video && e.prog_frames <= 0) {
		seterr(&e, 0, "%s gave no picture to transcode", o->input);
		goto out;
	}
	if (!e.p->video && e.asamples == 0) {
		seterr(&e, 0, "%s gave no sound to transcode", o->input);
		goto out;
	}
	/* Flush the encoders and finish the files. */
	if (e.venc != NULL && encode(&e, e.venc, e.vst, e.files[0].oc, NULL) < 0)
		goto out;
	for (i = 0; i < e.naenc; i++)
		if (encode(&e, e.aenc[i], e.ast[i],
		    e.files[e.p->split ? i : 0].oc, NULL) < 0)
			goto out;
	for (i = 0; i < e.nfiles; i++) {
		int r;

		if ((r = av_write_trailer(e.files[i].oc)) < 0 ||
		    (r = avio_closep(&e.files[i].oc->pb)) < 0 ||
		    (r = sync_file(e.files[i].part)) < 0) {
			seterr(&e, r, "cannot finish %s", e.files[i].part);
			goto out;
		}
	}
	report(&e, 1);
	*result = result_json(&e);
	analyse = e.p->video && (e.interlaced || e.src_interlaced);
	if (analyse)
		analyse_fields(&e, *result);
	if (o->cancelled != NULL && o->cancelled(o->arg)) {
		ret = ENGINE_CANCELLED;
		goto out;
	}
	for (i = 0; i < e.nfiles; i++) {
		if (rename(e.files[i].part, e.files[i].path) != 0) {
			seterr(&e, AVERROR(errno), "cannot rename %s to %s",
			    e.files[i].part, e.files[i].path);
			for (i--; i >= 0; i--)
				unlink(e.files[i].path);
			goto out;
		}
	}
	ret = ENGINE_DONE;
out:
	if (ret != ENGINE_DONE && *result != NULL) {
		json_decref(*result);
		*result = NULL;
	}
	free(b);
	eng_free(&e, ret == ENGINE_DONE);
	return ret;
}

/* --- for `mcr profiles` --- */

int
engine_profile_available(const struct profile *p, char *why, size_t whylen)
{
	struct engine_opts o = { .profile = p, .font = "" };
	struct eng e;
	int ok = 0;

	eng_init(&e, &o, why, whylen);
	if (av_guess_format(p->container, NULL, NULL) == NULL) {
		seterr(&e, 0, "this FFmpeg has no %s muxer", p->container);
		goto out;
	}
	e.w = p->width != 0 ? p->width : 1920;
	e.h = p->height != 0 ? p->height : 1080;
	e.rate = p->rate_num != 0 ? (AVRational){ p->rate_num, p->rate_den }
	    : (AVRational){ 25, 1 };
	e.sar = (AVRational){ 1, 1 };
	e.interlaced = p->interlaced;
	e.tff = p->tff;
	e.sample_rate = p->sample_rate;
	if (p->video && open_video_encoder(&e, NULL, 1) < 0)
		goto out;
	if (p->audio != AUDIO_NONE && open_audio_encoder(&e, 0, NULL, 1) < 0)
		goto out;
	ok = 1;
out:
	eng_free(&e, 0);
	return ok;
}

void
engine_output_name(const struct profile *p, const char *input,
    const char *dir, char *out, size_t outlen)
{
	const char *base = strrchr(input, '/'), *t;
	char name[NAME_MAX + 1], folder[PATH_MAX];
	size_t n = 0;

	base = base != NULL ? base + 1 : input;
	snprintf(name, sizeof name, "%s", base);
	if (strrchr(name, '.') != NULL && strrchr(name, '.') != name)
		*strrchr(name, '.') = '\0';
	if (dir != NULL)
		snprintf(folder, sizeof folder, "%s", dir);
	else if (base != input)
		snprintf(folder, sizeof folder, "%.*s", (int)(base - input - 1),
		    input);
	else
		snprintf(folder, sizeof folder, ".");
	n = (size_t)snprintf(out, outlen, "%s/", folder);
	for (t = p->naming; *t != '\0' && n + 1 < outlen; t++) {
		const char *v = NULL;
		size_t k = 0;

		if (strncmp(t, "{name}", 6) == 0) {
			v = name;
			k = 6;
		} else if (strncmp(t, "{profile}", 9) == 0) {
			v = p->name;
			k = 9;
		} else if (strncmp(t, "{ext}", 5) == 0) {
			v = p->extension;
			k = 5;
		} else if (strncmp(t, "{track}", 7) == 0) {
			v = "{track}";
			k = 7;
		}
		if (v != NULL) {
			n += (size_t)snprintf(out + n, outlen - n, "%s", v);
			if (n >= outlen)
				n = outlen - 1;
			t += k - 1;
		} else
			out[n++] = *t;
	}
	out[n < outlen ? n : outlen - 1] = '\0';
}
