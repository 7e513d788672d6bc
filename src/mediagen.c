/*
 * mediagen: see mediagen.h. One clip is one struct gen: a filter graph of
 * lavfi sources whose two open outputs, [v] and [a], end in buffersinks;
 * an MPEG-2 encoder and a PCM encoder; one muxer writing NAME.part. The
 * loop pulls a frame from whichever sink is behind in time, so the muxer
 * interleaves without queueing, and flushes each encoder at its sink's end
 * of stream. The file is synced, then renamed into place.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavfilter/avfilter.h>
#include <libavfilter/buffersink.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>

#include "mediagen.h"

/* MPEG-2 4:2:2 at up to 50 Mbit/s with XDCAM HD422's VBV buffer, but
 * variable so that bars stay small, in GOPs of 12 without B-frames, so
 * each GOP is closed and frames are stored in display order (B-frames
 * cost a third more time). Every libavcodec has it, and it encodes 10 s
 * of 720p25 in under a second of CPU, where ProRes took 2 to 5 s. */
#define VIDEO_CODEC "mpeg2video"
#define VIDEO_PIXFMT "yuv422p"
#define VIDEO_RATE 40000000
#define VIDEO_MAX_RATE 50000000
#define VIDEO_VBV_BITS 17825792
#define VIDEO_GOP 12
#define AUDIO_CODEC "pcm_s24le"
#define CONTAINERS "mov,mxf,mkv"

/* FFmpeg's sine source peaks at 4095/32768 of full scale. */
#define SINE_SOURCE_DBFS (-18.0639)
/* Pink noise from anoisesrc at this amplitude reads about -23 LUFS: a
 * programme bed at about the R128 target before the loud passage. */
#define QUIET_NOISE_AMPLITUDE 0.27
#define NOISE_SEED 1887

struct gen {
	AVFilterGraph *graph;
	AVFilterContext *vsink;
	AVFilterContext *asink;
	AVFormatContext *oc;
	AVCodecContext *venc;
	AVCodecContext *aenc;
	AVStream *vst;
	AVStream *ast;
	AVFrame *frame;
	AVPacket *pkt;
};

/* The video source of each kind, its options still open for size and
 * rate. A still that needs converting is converted once and looped:
 * pal100bars draws in RGB with BT.601 sums, so its one frame goes through
 * the BT.709 matrix instead of all of them. */
static const struct {
	const char *source;
	const char *still;
} video_sources[] = {
	[MEDIAGEN_BARS_TONE] = { "smptehdbars=", NULL },
	[MEDIAGEN_EBU_BARS_TONE] = { "pal100bars=",
	    "format=rgb24,scale=out_color_matrix=bt709:out_range=tv" },
	[MEDIAGEN_BLACK_SILENCE] = { "color=c=black:", NULL },
	[MEDIAGEN_LOUD] = { "testsrc2=", NULL },
};

static const char *const kind_names[] = {
	[MEDIAGEN_BARS_TONE] = "bars_tone",
	[MEDIAGEN_EBU_BARS_TONE] = "ebu_bars_tone",
	[MEDIAGEN_BLACK_SILENCE] = "black_silence",
	[MEDIAGEN_LOUD] = "loud_passage",
};

#define NKINDS (sizeof kind_names / sizeof kind_names[0])

const char *
mediagen_kind_name(enum mediagen_kind kind)
{
	if ((unsigned)kind >= NKINDS)
		return NULL;
	return kind_names[kind];
}

/* One sentence into err: what failed, then FFmpeg's reason for averr
 * when it is an error code. */
static void
seterr(char *err, size_t errlen, int averr, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
seterr(char *err, size_t errlen, int averr, const char *fmt, ...)
{
	char what[PATH_MAX + 256], why[AV_ERROR_MAX_STRING_SIZE];
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (averr < 0) {
		if (av_strerror(averr, why, sizeof why) < 0)
			snprintf(why, sizeof why, "error %d", averr);
		snprintf(err, errlen, "%s: %s.", what, why);
	} else
		snprintf(err, errlen, "%s.", what);
}

/* The frame rates MPEG-2 can carry. */
static const struct {
	int num;
	int den;
} rates[] = {
	{ 24000, 1001 }, { 24, 1 }, { 25, 1 }, { 30000, 1001 }, { 30, 1 },
	{ 50, 1 }, { 60000, 1001 }, { 60, 1 },
};

static int
rate_valid(const struct mediagen_spec *s)
{
	size_t i;

	if (s->rate_num <= 0 || s->rate_den <= 0)
		return 0;
	for (i = 0; i < sizeof rates / sizeof rates[0]; i++) {
		if ((int64_t)s->rate_num * rates[i].den ==
		    (int64_t)rates[i].num * s->rate_den)
			return 1;
	}
	return 0;
}

/* True when n channels have a standard layout to name them by. */
static int
channels_valid(int n)
{
	AVChannelLayout layout;
	int native;

	if (n < 1 || n > 16)
		return 0;
	av_channel_layout_default(&layout, n);
	native = layout.order == AV_CHANNEL_ORDER_NATIVE;
	av_channel_layout_uninit(&layout);
	return native;
}

/* True when tc is HH:MM:SS:FF (";" before FF for drop frame, at 29.97
 * and 59.94 only) with each field in range at s's frame rate. Checked
 * here because FFmpeg's own parser complains on stderr. */
static int
timecode_valid(const char *tc, const struct mediagen_spec *s)
{
	int f[4], i, fps = (s->rate_num + s->rate_den - 1) / s->rate_den;
	int drop = strlen(tc) == 11 && tc[8] == ';';

	if (strlen(tc) != 11)
		return 0;
	for (i = 0; i < 4; i++) {
		const char *p = tc + i * 3;

		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
			return 0;
		if (i < 3 && p[2] != ':' && !(i == 2 && drop))
			return 0;
		f[i] = (p[0] - '0') * 10 + (p[1] - '0');
	}
	if (drop && !(s->rate_den == 1001 &&
	    (s->rate_num == 30000 || s->rate_num == 60000)))
		return 0;
	/* Drop frame never labels the first frames of a minute, except
	 * every tenth minute. */
	if (drop && f[2] == 0 && f[1] % 10 != 0 &&
	    f[3] < (s->rate_num == 30000 ? 2 : 4))
		return 0;
	return f[0] < 24 && f[1] < 60 && f[2] < 60 && f[3] < fps;
}

/* Copies in to s with the defaults filled in, and checks it. */
static int
spec_fill(struct mediagen_spec *s, const struct mediagen_spec *in,
    char *err, size_t errlen)
{
	*s = *in;
	if (s->width == 0 && s->height == 0) {
		s->width = 1280;
		s->height = 720;
	}
	if (s->rate_num == 0 && s->rate_den == 0) {
		s->rate_num = 25;
		s->rate_den = 1;
	}
	if (s->sample_rate == 0)
		s->sample_rate = 48000;
	if (s->channels == 0)
		s->channels = 2;

	if (mediagen_kind_name(s->kind) == NULL) {
		seterr(err, errlen, 0, "mediagen: %d is not a kind of clip "
		    "it makes", (int)s->kind);
		return -1;
	}
	if (!(s->duration > 0 && s->duration <= 86400)) {
		seterr(err, errlen, 0, "mediagen: a clip lasts more than 0 s "
		    "and at most 24 h, not %g s", s->duration);
		return -1;
	}
	/* MPEG-2 refuses sizes that are multiples of 4096. */
	if (s->width < 16 || s->width > 4094 || s->width % 2 != 0 ||
	    s->height < 16 || s->height > 4094 || s->height % 2 != 0) {
		seterr(err, errlen, 0, "mediagen: %dx%d is not a picture size "
		    "it makes (even sizes from 16 to 4094)", s->width,
		    s->height);
		return -1;
	}
	if (!rate_valid(s)) {
		seterr(err, errlen, 0, "mediagen: %d/%d is not a frame rate "
		    "MPEG-2 has (23.976, 24, 25, 29.97, 30, 50, 59.94 or 60)",
		    s->rate_num, s->rate_den);
		return -1;
	}
	if (llrint(s->duration * s->rate_num / s->rate_den) < 1) {
		seterr(err, errlen, 0, "mediagen: %g s is shorter than one "
		    "frame at %d/%d frames a second", s->duration,
		    s->rate_num, s->rate_den);
		return -1;
	}
	if (s->sample_rate < 8000 || s->sample_rate > 192000) {
		seterr(err, errlen, 0, "mediagen: %d Hz is not a sample rate "
		    "from 8000 to 192000", s->sample_rate);
		return -1;
	}
	if (!channels_valid(s->channels)) {
		seterr(err, errlen, 0, "mediagen: a clip has 1 to 8 or 16 "
		    "audio channels (those have a standard layout), not %d",
		    s->channels);
		return -1;
	}
	if (s->timecode != NULL && !timecode_valid(s->timecode, s)) {
		seterr(err, errlen, 0, "mediagen: '%s' is not a timecode "
		    "HH:MM:SS:FF at %d/%d frames a second", s->timecode,
		    s->rate_num, s->rate_den);
		return -1;
	}
	return 0;
}

/* Appends to the string of len bytes at buf, *used of them taken;
 * returns -1 when it does not fit. */
static int
append(char *buf, size_t len, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
append(char *buf, size_t len, size_t *used, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*used >= len)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(buf + *used, len - *used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *used)
		return -1;
	*used += (size_t)n;
	return 0;
}

/* A mono chain onto every channel of layout at unity gain (the default
 * upmix would put it 3 dB down, and pan chatters on stderr). */
static int
upmix(char *buf, size_t len, size_t *used, const AVChannelLayout *layout,
    const char *lname)
{
	char name[32];
	int n = layout->nb_channels, i, ret = 0;

	if (n == 1)
		return 0;
	ret |= append(buf, len, used, ",asplit=%d", n);
	for (i = 0; i < n; i++)
		ret |= append(buf, len, used, "[u%d]", i);
	ret |= append(buf, len, used, ";");
	for (i = 0; i < n; i++)
		ret |= append(buf, len, used, "[u%d]", i);
	ret |= append(buf, len, used, "join=inputs=%d:channel_layout=%s:map=",
	    n, lname);
	for (i = 0; i < n; i++) {
		if (av_channel_name(name, sizeof name,
		    av_channel_layout_channel_from_index(layout, i)) < 0)
			return -1;
		ret |= append(buf, len, used, "%s%d.0-%s", i == 0 ? "" : "|",
		    i, name);
	}
	return ret;
}

/* The filter graph for s: a video chain ending in [v], an audio chain
 * ending in [a]. Trims cut both to the same whole number of frames. */
static int
describe(const struct mediagen_spec *s, char *buf, size_t len)
{
	AVChannelLayout layout;
	char lname[64];
	long long frames, samples, quiet;
	size_t used = 0;
	int ret = 0;

	frames = llrint(s->duration * s->rate_num / s->rate_den);
	if (frames < 1)
		return -1;
	samples = av_rescale(frames, (int64_t)s->sample_rate * s->rate_den,
	    s->rate_num);
	quiet = llrint(samples * MEDIAGEN_LOUD_QUIET);
	av_channel_layout_default(&layout, s->channels);
	if (av_channel_layout_describe(&layout, lname, sizeof lname) < 0) {
		ret = -1;
		goto out;
	}

	ret |= append(buf, len, &used, "%ss=%dx%d:r=%d/%d",
	    video_sources[s->kind].source, s->width, s->height, s->rate_num,
	    s->rate_den);
	if (video_sources[s->kind].still != NULL)
		ret |= append(buf, len, &used, ",trim=end_frame=1,%s,format="
		    VIDEO_PIXFMT ",loop=loop=-1:size=1",
		    video_sources[s->kind].still);
	ret |= append(buf, len, &used, ",format=" VIDEO_PIXFMT ",trim="
	    "end_frame=%lld,setsar=1[v];", frames);

	switch (s->kind) {
	case MEDIAGEN_BARS_TONE:
	case MEDIAGEN_EBU_BARS_TONE:
		ret |= append(buf, len, &used, "sine=f=1000:r=%d,volume="
		    "%.4fdB,atrim=end_sample=%lld", s->sample_rate,
		    MEDIAGEN_TONE_DBFS - SINE_SOURCE_DBFS, samples);
		ret |= upmix(buf, len, &used, &layout, lname);
		break;
	case MEDIAGEN_BLACK_SILENCE:
		ret |= append(buf, len, &used, "anullsrc=cl=%s:r=%d,atrim="
		    "end_sample=%lld", lname, s->sample_rate, samples);
		break;
	case MEDIAGEN_LOUD:
		ret |= append(buf, len, &used, "anoisesrc=c=pink:r=%d:a=%g:"
		    "s=%d,atrim=end_sample=%lld[q];sine=f=1000:r=%d,volume="
		    "%.4fdB,atrim=end_sample=%lld[l];[q][l]concat=n=2:v=0:a=1",
		    s->sample_rate, QUIET_NOISE_AMPLITUDE, NOISE_SEED, quiet,
		    s->sample_rate, MEDIAGEN_LOUD_DBFS - SINE_SOURCE_DBFS,
		    samples - quiet);
		ret |= upmix(buf, len, &used, &layout, lname);
		break;
	}
	ret |= append(buf, len, &used, ",aformat=sample_fmts=s32:"
	    "sample_rates=%d:channel_layouts=%s[a]", s->sample_rate, lname);
out:
	av_channel_layout_uninit(&layout);
	return ret;
}

/* Parses desc into g->graph, its [v] and [a] ending in new sinks. */
static int
gen_graph(struct gen *g, const char *desc, int frame_samples)
{
	AVFilterInOut *vin = NULL, *ain = NULL;
	int ret;

	if ((g->graph = avfilter_graph_alloc()) == NULL)
		return AVERROR(ENOMEM);
	ret = avfilter_graph_create_filter(&g->vsink,
	    avfilter_get_by_name("buffersink"), "v", NULL, NULL, g->graph);
	if (ret < 0)
		goto out;
	ret = avfilter_graph_create_filter(&g->asink,
	    avfilter_get_by_name("abuffersink"), "a", NULL, NULL, g->graph);
	if (ret < 0)
		goto out;

	vin = avfilter_inout_alloc();
	ain = avfilter_inout_alloc();
	if (vin == NULL || ain == NULL) {
		ret = AVERROR(ENOMEM);
		goto out;
	}
	vin->name = av_strdup("v");
	vin->filter_ctx = g->vsink;
	vin->next = ain;
	ain->name = av_strdup("a");
	ain->filter_ctx = g->asink;
	/* The list now hangs off vin; parsing replaces it with what is
	 * still open, which is nothing when desc is right. */
	ain = NULL;
	if (vin->name == NULL || vin->next->name == NULL) {
		ret = AVERROR(ENOMEM);
		goto out;
	}
	ret = avfilter_graph_parse_ptr(g->graph, desc, &vin, NULL, NULL);
	if (ret < 0)
		goto out;
	if ((ret = avfilter_graph_config(g->graph, NULL)) < 0)
		goto out;
	av_buffersink_set_frame_size(g->asink, (unsigned)frame_samples);
	ret = 0;
out:
	avfilter_inout_free(&vin);
	avfilter_inout_free(&ain);
	return ret;
}

/* Opens the encoder for sink's stream and adds the stream to the muxer. */
static int
gen_stream(struct gen *g, const struct mediagen_spec *s,
    AVFilterContext *sink, AVCodecContext **encp, AVStream **stp)
{
	enum AVMediaType type = av_buffersink_get_type(sink);
	const char *name = type == AVMEDIA_TYPE_VIDEO ? VIDEO_CODEC
	    : AUDIO_CODEC;
	const AVCodec *codec;
	AVCodecContext *c;
	AVStream *st;
	int ret;

	if ((codec = avcodec_find_encoder_by_name(name)) == NULL)
		return AVERROR_ENCODER_NOT_FOUND;
	if ((c = *encp = avcodec_alloc_context3(codec)) == NULL)
		return AVERROR(ENOMEM);
	c->time_base = av_buffersink_get_time_base(sink);
	if (type == AVMEDIA_TYPE_VIDEO) {
		c->width = av_buffersink_get_w(sink);
		c->height = av_buffersink_get_h(sink);
		c->pix_fmt = av_buffersink_get_format(sink);
		c->framerate = (AVRational){ s->rate_num, s->rate_den };
		c->sample_aspect_ratio = (AVRational){ 1, 1 };
		c->field_order = AV_FIELD_PROGRESSIVE;
		c->color_range = AVCOL_RANGE_MPEG;
		c->color_primaries = AVCOL_PRI_BT709;
		c->color_trc = AVCOL_TRC_BT709;
		c->colorspace = AVCOL_SPC_BT709;
		c->bit_rate = VIDEO_RATE;
		c->rc_max_rate = VIDEO_MAX_RATE;
		c->rc_buffer_size = VIDEO_VBV_BITS;
		c->gop_size = VIDEO_GOP;
		c->max_b_frames = 0;
		/* Slices on every core: most of the time goes here. */
		c->thread_count = 0;
	} else {
		c->sample_fmt = av_buffersink_get_format(sink);
		c->sample_rate = av_buffersink_get_sample_rate(sink);
		ret = av_buffersink_get_ch_layout(sink, &c->ch_layout);
		if (ret < 0)
			return ret;
	}
	if (g->oc->oformat->flags & AVFMT_GLOBALHEADER)
		c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
	if ((ret = avcodec_open2(c, codec, NULL)) < 0)
		return ret;

	if ((st = *stp = avformat_new_stream(g->oc, NULL)) == NULL)
		return AVERROR(ENOMEM);
	if ((ret = avcodec_parameters_from_context(st->codecpar, c)) < 0)
		return ret;
	st->time_base = c->time_base;
	if (type == AVMEDIA_TYPE_VIDEO) {
		/* The mov muxer needs the rate to write a timecode track. */
		st->avg_frame_rate = c->framerate;
		st->r_frame_rate = c->framerate;
		if (s->timecode != NULL)
			av_dict_set(&st->metadata, "timecode", s->timecode, 0);
	}
	return 0;
}

/* Sends frame (NULL at the end) to enc and muxes what comes out. */
static int
gen_encode(struct gen *g, AVCodecContext *enc, AVStream *st, AVFrame *frame)
{
	int ret;

	if ((ret = avcodec_send_frame(enc, frame)) < 0)
		return ret;
	for (;;) {
		ret = avcodec_receive_packet(enc, g->pkt);
		if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF)
			return 0;
		if (ret < 0)
			return ret;
		av_packet_rescale_ts(g->pkt, enc->time_base, st->time_base);
		g->pkt->stream_index = st->index;
		/* Takes the packet's reference, even on failure. */
		if ((ret = av_interleaved_write_frame(g->oc, g->pkt)) < 0)
			return ret;
	}
}

/* Pulls both sinks dry, the one behind in time first. */
static int
gen_run(struct gen *g)
{
	AVRational vtb = g->venc->time_base, atb = g->aenc->time_base;
	int64_t vnext = 0, anext = 0;
	int vdone = 0, adone = 0, video, ret;

	while (!vdone || !adone) {
		video = adone || (!vdone &&
		    av_compare_ts(vnext, vtb, anext, atb) <= 0);
		ret = av_buffersink_get_frame(video ? g->vsink : g->asink,
		    g->frame);
		if (ret == AVERROR_EOF) {
			ret = gen_encode(g, video ? g->venc : g->aenc,
			    video ? g->vst : g->ast, NULL);
			if (ret < 0)
				return ret;
			if (video)
				vdone = 1;
			else
				adone = 1;
			continue;
		}
		if (ret < 0)
			return ret;
		if (video) {
			vnext = g->frame->pts + av_rescale_q(1,
			    av_inv_q(g->venc->framerate), vtb);
			g->frame->pict_type = AV_PICTURE_TYPE_NONE;
			ret = gen_encode(g, g->venc, g->vst, g->frame);
		} else {
			anext = g->frame->pts + av_rescale_q(
			    g->frame->nb_samples,
			    (AVRational){ 1, g->aenc->sample_rate }, atb);
			ret = gen_encode(g, g->aenc, g->ast, g->frame);
		}
		av_frame_unref(g->frame);
		if (ret < 0)
			return ret;
	}
	return 0;
}

static void
gen_free(struct gen *g)
{
	avfilter_graph_free(&g->graph);
	avcodec_free_context(&g->venc);
	avcodec_free_context(&g->aenc);
	if (g->oc != NULL) {
		avio_closep(&g->oc->pb);
		avformat_free_context(g->oc);
		g->oc = NULL;
	}
	av_frame_free(&g->frame);
	av_packet_free(&g->pkt);
}

/* Flushes path to the disk, so a crash after the rename cannot leave a
 * complete-looking name over missing data. */
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

int
mediagen_clip(const char *path, const struct mediagen_spec *spec,
    char *err, size_t errlen)
{
	struct mediagen_spec s;
	struct gen g;
	char desc[2048], part[PATH_MAX], url[PATH_MAX + 8];
	const char *what = "make";
	int ret, frame_samples, made_part = 0;

	if (spec_fill(&s, spec, err, errlen) != 0)
		return -1;
	if (!av_match_ext(path, CONTAINERS)) {
		seterr(err, errlen, 0, "mediagen: cannot tell the container "
		    "from the name %s; end it in .mov, .mxf or .mkv", path);
		return -1;
	}
	if ((size_t)snprintf(part, sizeof part, "%s.part", path) >=
	    sizeof part ||
	    (size_t)snprintf(url, sizeof url, "file:%s", part) >= sizeof url) {
		seterr(err, errlen, 0, "mediagen: the path %s is too long",
		    path);
		return -1;
	}
	if (describe(&s, desc, sizeof desc) != 0) {
		seterr(err, errlen, 0, "mediagen: the filter graph for %s "
		    "does not fit in %zu bytes", path, sizeof desc);
		return -1;
	}
	/* Whole frames of audio per video frame when the rates allow. */
	if ((int64_t)s.sample_rate * s.rate_den % s.rate_num == 0)
		frame_samples = (int)((int64_t)s.sample_rate * s.rate_den /
		    s.rate_num);
	else
		frame_samples = 1024;

	memset(&g, 0, sizeof g);
	what = "allocate frames for";
	g.frame = av_frame_alloc();
	g.pkt = av_packet_alloc();
	if (g.frame == NULL || g.pkt == NULL) {
		ret = AVERROR(ENOMEM);
		goto out;
	}
	what = "build the filter graph for";
	if ((ret = gen_graph(&g, desc, frame_samples)) < 0)
		goto out;
	what = "set up the muxer for";
	ret = avformat_alloc_output_context2(&g.oc, NULL, NULL, path);
	if (ret < 0)
		goto out;
	if (s.timecode != NULL)
		av_dict_set(&g.oc->metadata, "timecode", s.timecode, 0);
	what = "open the " VIDEO_CODEC " encoder for";
	if ((ret = gen_stream(&g, &s, g.vsink, &g.venc, &g.vst)) < 0)
		goto out;
	what = "open the " AUDIO_CODEC " encoder for";
	if ((ret = gen_stream(&g, &s, g.asink, &g.aenc, &g.ast)) < 0)
		goto out;
	what = "create";
	if ((ret = avio_open(&g.oc->pb, url, AVIO_FLAG_WRITE)) < 0)
		goto out;
	made_part = 1;
	what = "write the header of";
	if ((ret = avformat_write_header(g.oc, NULL)) < 0)
		goto out;
	what = "generate";
	if ((ret = gen_run(&g)) < 0)
		goto out;
	what = "finish";
	if ((ret = av_write_trailer(g.oc)) < 0)
		goto out;
	if ((ret = avio_closep(&g.oc->pb)) < 0)
		goto out;
	if ((ret = sync_file(part)) < 0)
		goto out;
	what = "rename";
	if (rename(part, path) != 0) {
		ret = AVERROR(errno);
		goto out;
	}
	ret = 0;
out:
	gen_free(&g);
	if (ret < 0) {
		seterr(err, errlen, ret, "mediagen: cannot %s %s", what,
		    made_part ? part : path);
		if (made_part)
			unlink(part);
		return -1;
	}
	return 0;
}
