/*
 * test-mediagen: makes each kind of clip (2 s, to stay quick), then opens
 * it again with libavformat and decodes every frame with libavcodec to
 * check what a QC operator would: the streams, duration, picture size,
 * frame rate, audio format, and what the picture and sound hold (bars
 * have colours, black is black, silence is zero, the tone is at -18 dBFS,
 * the loud passage is loud). Then the errors, and the demo facility made
 * twice.
 */
#include "autoconfig.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "demo.h"
#include "mediagen.h"
#include "tap.h"
#include "xmalloc.h"

#define SECONDS 2
#define FRAMES (SECONDS * 25)
#define SAMPLES (SECONDS * 48000)
#define FRAME_US (AV_TIME_BASE / 25)
/* Samples a channel before the loud passage. */
#define QUIET ((int64_t)(SAMPLES * MEDIAGEN_LOUD_QUIET + 0.5))

static const struct {
	enum mediagen_kind kind;
	const char *file;
	const char *timecode;
} cases[] = {
	{ MEDIAGEN_BARS_TONE, "bars_tone.mov", "10:00:00:00" },
	{ MEDIAGEN_EBU_BARS_TONE, "ebu_bars_tone.mov", NULL },
	{ MEDIAGEN_BLACK_SILENCE, "black_silence.mov", NULL },
	{ MEDIAGEN_LOUD, "loud_passage.mov", NULL },
	{ MEDIAGEN_BLACK_SILENCE, "black_silence.mxf", "09:59:30:00" },
	{ MEDIAGEN_BARS_TONE, "bars_tone.mkv", NULL },
};

/* What a clip holds, as decoded. Levels are AES17 RMS, where a
 * full-scale sine reads 0 dBFS. */
struct probe {
	int nvideo;
	int naudio;
	int64_t duration;	/* AV_TIME_BASE units */
	int width;
	int height;
	AVRational rate;
	const char *pixfmt;
	const char *vcodec;
	const char *acodec;
	int sample_rate;
	int channels;
	char timecode[32];

	int frames;		/* decoded */
	int colours;		/* distinct, across a line of the first */
	int luma_min;		/* over the first frame */
	int luma_max;
	int chroma_off;		/* largest |C - 128| over the first frame */
	int moved;		/* a later frame differs from the first */
	int64_t luma_sum;	/* of the first frame */

	int64_t samples;	/* per channel */
	int64_t nonzero;
	int channels_equal;
	double sum;		/* of squares, all channels */
	double sum_quiet;	/* before the loud passage */
	double sum_loud;
	double peak;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The AES17 RMS level of n samples a channel over the 2 channels whose
 * squares add up to sum: the mean square, 3.01 dB up. */
static double
level_db(double sum, int64_t n)
{
	double ms = n > 0 ? sum / (double)(n * 2) : 0;

	if (ms <= 0)
		return -INFINITY;
	return 10 * log10(2 * ms);
}

static void
probe_video(struct probe *p, const AVFrame *f)
{
	int64_t sum = 0;
	int x, y, i;

	for (y = 0; y < f->height; y++) {
		const uint8_t *row = f->data[0] + y * f->linesize[0];

		for (x = 0; x < f->width; x++)
			sum += row[x];
	}
	if (p->frames++ > 0) {
		if (sum != p->luma_sum)
			p->moved = 1;
		return;
	}
	p->luma_sum = sum;
	p->luma_min = 255;
	for (y = 0; y < f->height; y++) {
		const uint8_t *row = f->data[0] + y * f->linesize[0];
		const uint8_t *cb = f->data[1] + y * f->linesize[1];
		const uint8_t *cr = f->data[2] + y * f->linesize[2];

		for (x = 0; x < f->width; x++) {
			if (row[x] < p->luma_min)
				p->luma_min = row[x];
			if (row[x] > p->luma_max)
				p->luma_max = row[x];
		}
		for (x = 0; x < f->width / 2; x++) {
			if (abs(cb[x] - 128) > p->chroma_off)
				p->chroma_off = abs(cb[x] - 128);
			if (abs(cr[x] - 128) > p->chroma_off)
				p->chroma_off = abs(cr[x] - 128);
		}
	}

	/* Colours across a quarter of the way down, in coarse steps so
	 * that the codec's ringing at bar edges adds few. */
	{
		int seen[64], n = 0;

		y = f->height / 4;
		for (x = 0; x < f->width; x += 8) {
			int c = (f->data[0][y * f->linesize[0] + x] >> 4) << 8 |
			    (f->data[1][y * f->linesize[1] + x / 2] >> 4) << 4 |
			    (f->data[2][y * f->linesize[2] + x / 2] >> 4);

			for (i = 0; i < n && seen[i] != c; i++)
				continue;
			if (i == n && n < 64)
				seen[n++] = c;
		}
		p->colours = n;
	}
}

static void
probe_audio(struct probe *p, const AVFrame *f)
{
	const int32_t *s = (const int32_t *)f->data[0];
	int ch = f->ch_layout.nb_channels, i, c;

	for (i = 0; i < f->nb_samples; i++, p->samples++) {
		for (c = 0; c < ch; c++) {
			double v = s[i * ch + c] / 2147483648.0;

			if (s[i * ch + c] != 0)
				p->nonzero++;
			if (fabs(v) > p->peak)
				p->peak = fabs(v);
			p->sum += v * v;
			if (p->samples < QUIET)
				p->sum_quiet += v * v;
			else
				p->sum_loud += v * v;
		}
		if (ch >= 2 && s[i * ch] != s[i * ch + 1])
			p->channels_equal = 0;
	}
}

/* Opens path, reads its streams, and decodes everything when decode is
 * set. Returns 0, or -1 when it does not open. */
static int
probe_file(const char *path, int decode, struct probe *p)
{
	AVFormatContext *fc = NULL;
	AVCodecContext *dec[2] = { NULL, NULL };
	AVPacket *pkt = av_packet_alloc();
	AVFrame *frame = av_frame_alloc();
	AVDictionaryEntry *tc;
	int idx[2] = { -1, -1 }, i, k, rc = -1;

	memset(p, 0, sizeof *p);
	p->channels_equal = 1;
	if (avformat_open_input(&fc, path, NULL, NULL) < 0)
		goto out;
	if (avformat_find_stream_info(fc, NULL) < 0)
		goto out;
	p->duration = fc->duration;
	if ((tc = av_dict_get(fc->metadata, "timecode", NULL, 0)) != NULL)
		snprintf(p->timecode, sizeof p->timecode, "%s", tc->value);
	for (i = 0; i < (int)fc->nb_streams; i++) {
		AVStream *st = fc->streams[i];
		AVCodecParameters *par = st->codecpar;

		tc = av_dict_get(st->metadata, "timecode", NULL, 0);
		if (tc != NULL && p->timecode[0] == '\0')
			snprintf(p->timecode, sizeof p->timecode, "%s",
			    tc->value);
		if (par->codec_type == AVMEDIA_TYPE_VIDEO) {
			p->nvideo++;
			idx[0] = i;
			p->width = par->width;
			p->height = par->height;
			p->rate = st->avg_frame_rate;
			p->pixfmt = av_get_pix_fmt_name(par->format);
			p->vcodec = avcodec_get_name(par->codec_id);
		} else if (par->codec_type == AVMEDIA_TYPE_AUDIO) {
			p->naudio++;
			idx[1] = i;
			p->sample_rate = par->sample_rate;
			p->channels = par->ch_layout.nb_channels;
			p->acodec = avcodec_get_name(par->codec_id);
		}
	}
	rc = 0;
	if (!decode || idx[0] < 0 || idx[1] < 0)
		goto out;

	for (k = 0; k < 2; k++) {
		AVCodecParameters *par = fc->streams[idx[k]]->codecpar;
		const AVCodec *codec = avcodec_find_decoder(par->codec_id);

		if (codec == NULL ||
		    (dec[k] = avcodec_alloc_context3(codec)) == NULL ||
		    avcodec_parameters_to_context(dec[k], par) < 0 ||
		    avcodec_open2(dec[k], codec, NULL) < 0) {
			rc = -1;
			goto out;
		}
	}
	for (;;) {
		int eof = av_read_frame(fc, pkt) < 0;

		for (k = 0; k < 2; k++) {
			if (!eof && pkt->stream_index != idx[k])
				continue;
			if (avcodec_send_packet(dec[k], eof ? NULL : pkt) < 0)
				continue;
			while (avcodec_receive_frame(dec[k], frame) == 0) {
				if (k == 0)
					probe_video(p, frame);
				else if (frame->format == AV_SAMPLE_FMT_S32)
					probe_audio(p, frame);
				av_frame_unref(frame);
			}
		}
		av_packet_unref(pkt);
		if (eof)
			break;
	}
out:
	avcodec_free_context(&dec[0]);
	avcodec_free_context(&dec[1]);
	avformat_close_input(&fc);
	av_packet_free(&pkt);
	av_frame_free(&frame);
	return rc;
}

static int
exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static void
test_kind(const char *tmp, size_t i)
{
	struct mediagen_spec spec = {
		.kind = cases[i].kind,
		.duration = SECONDS,
		.timecode = cases[i].timecode,
	};
	const char *f = cases[i].file;
	char err[512], *path, *part;
	struct probe p;
	double t;
	int rc;

	path = xasprintf("%s/%s", tmp, f);
	part = xasprintf("%s.part", path);
	err[0] = '\0';
	t = now();
	rc = mediagen_clip(path, &spec, err, sizeof err);
	t = now() - t;
	if (!tap_is_int(rc, 0, "%s: made", f))
		tap_diag("%s", err);
	tap_diag("%s: %.2f s to make %d s", f, t, SECONDS);
	tap_ok(!exists(part), "%s: no .part left behind", f);
	if (!tap_is_int(probe_file(path, 1, &p), 0, "%s: opens", f))
		goto out;

	tap_is_int(p.nvideo, 1, "%s: one video stream", f);
	tap_is_int(p.naudio, 1, "%s: one audio stream", f);
	if (!tap_ok(llabs(p.duration - SECONDS * AV_TIME_BASE) <= FRAME_US,
	    "%s: lasts %d s", f, SECONDS))
		tap_diag("duration %lld us", (long long)p.duration);
	tap_is_int(p.width, 1280, "%s: 1280 wide", f);
	tap_is_int(p.height, 720, "%s: 720 high", f);
	if (!tap_ok(p.rate.num == 25 * p.rate.den && p.rate.den > 0,
	    "%s: 25 frames a second", f))
		tap_diag("rate %d/%d", p.rate.num, p.rate.den);
	tap_is_str(p.vcodec, "mpeg2video", "%s: MPEG-2 video", f);
	tap_is_str(p.pixfmt, "yuv422p", "%s: 4:2:2", f);
	tap_is_str(p.acodec, "pcm_s24le", "%s: 24-bit PCM", f);
	tap_is_int(p.sample_rate, 48000, "%s: 48 kHz", f);
	tap_is_int(p.channels, 2, "%s: stereo", f);
	tap_is_int(p.frames, FRAMES, "%s: %d frames decode", f, FRAMES);
	tap_is_int(p.samples, SAMPLES, "%s: %d samples a channel decode", f,
	    SAMPLES);
	if (cases[i].timecode != NULL)
		tap_is_str(p.timecode, cases[i].timecode,
		    "%s: starts at timecode %s", f, cases[i].timecode);

	switch (cases[i].kind) {
	case MEDIAGEN_BARS_TONE:
	case MEDIAGEN_EBU_BARS_TONE:
		if (!tap_ok(p.colours >= 6, "%s: the first frame has bars of "
		    "several colours", f))
			tap_diag("%d colours", p.colours);
		if (!tap_ok(fabs(level_db(p.sum, p.samples) - -18) <= 0.5,
		    "%s: the tone is at -18 dBFS RMS", f))
			tap_diag("%.2f dBFS", level_db(p.sum, p.samples));
		tap_ok(p.channels_equal, "%s: the tone is on both channels",
		    f);
		tap_diag("%s: tone %.3f dBFS RMS, peak %.3f dBFS", f,
		    level_db(p.sum, p.samples), 20 * log10(p.peak));
		break;
	case MEDIAGEN_BLACK_SILENCE:
		if (!tap_ok(p.luma_min >= 15 && p.luma_max <= 17,
		    "%s: the first frame's luma is all 16 (black)", f))
			tap_diag("luma %d to %d", p.luma_min, p.luma_max);
		if (!tap_ok(p.chroma_off <= 1, "%s: and it has no colour", f))
			tap_diag("chroma off 128 by %d", p.chroma_off);
		tap_is_int(p.nonzero, 0, "%s: every audio sample is 0", f);
		break;
	case MEDIAGEN_LOUD:
		tap_ok(p.moved, "%s: the pattern moves", f);
		if (!tap_ok(level_db(p.sum, p.samples) > -14,
		    "%s: well above -18 dBFS RMS overall", f))
			tap_diag("%.2f dBFS", level_db(p.sum, p.samples));
		if (!tap_ok(fabs(level_db(p.sum_loud, SAMPLES - QUIET) -
		    MEDIAGEN_LOUD_DBFS) <= 0.5, "%s: the loud passage is at "
		    "%.0f dBFS RMS", f, MEDIAGEN_LOUD_DBFS))
			tap_diag("%.2f dBFS", level_db(p.sum_loud,
			    SAMPLES - QUIET));
		if (!tap_ok(level_db(p.sum_quiet, QUIET) <
		    level_db(p.sum_loud, SAMPLES - QUIET) - 10,
		    "%s: after a start at least 10 dB quieter", f))
			tap_diag("%.2f dBFS", level_db(p.sum_quiet, QUIET));
		/* A 1 kHz sine at 48 kHz has no overshoot between samples,
		 * so this margin keeps the true peak far under 0 dBTP. */
		if (!tap_ok(20 * log10(p.peak) <= -8.5, "%s: peaks stay "
		    "under -8.5 dBFS", f))
			tap_diag("peak %.2f dBFS", 20 * log10(p.peak));
		tap_diag("%s: %.2f dBFS RMS overall, quiet %.2f, loud %.2f, "
		    "peak %.2f dBFS", f, level_db(p.sum, p.samples),
		    level_db(p.sum_quiet, QUIET),
		    level_db(p.sum_loud, SAMPLES - QUIET), 20 * log10(p.peak));
		break;
	}
out:
	free(part);
	free(path);
}

static void
test_errors(const char *tmp)
{
	struct mediagen_spec spec = { .kind = MEDIAGEN_BLACK_SILENCE,
	    .duration = 1 };
	char err[512], *path, *part;
	FILE *fp;

	path = xasprintf("%s/clip.mp4", tmp);
	err[0] = '\0';
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "a .mp4 is refused");
	tap_contains(err, ".mov", "and the error says what to use");
	tap_ok(!exists(path), "and leaves no file");
	free(path);

	path = xasprintf("%s/no/such/folder/clip.mov", tmp);
	err[0] = '\0';
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "a missing folder is an error");
	tap_contains(err, "no/such/folder/clip.mov:", "that names the file");
	free(path);

	path = xasprintf("%s/clip.mov", tmp);
	spec.duration = 0;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "a clip of 0 s is refused");
	tap_contains(err, "0 s", "with the duration in the error");
	spec.duration = 0.01;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "so is one shorter than a frame");
	spec.duration = 1;
	spec.timecode = "25:99";
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "a bad timecode is refused");
	spec.timecode = "10:00:00:25";
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "and so is frame 25 at 25 frames a second");
	spec.timecode = "10:00:00;00";
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "and drop frame at 25");
	spec.timecode = NULL;
	spec.width = 1279;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "an odd width is refused");
	spec.width = 0;
	spec.rate_num = 13;
	spec.rate_den = 1;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "a frame rate MPEG-2 lacks is refused");
	tap_contains(err, "13/1", "with the rate in the error");
	spec.rate_num = spec.rate_den = 0;
	spec.channels = 9;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "9 channels, which have no standard layout, are refused");
	spec.channels = 0;
	spec.kind = (enum mediagen_kind)99;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), -1,
	    "an unknown kind is refused");
	tap_ok(!exists(path), "no refused clip was written");
	free(path);

	/* What a crash in the middle leaves behind is written over. */
	path = xasprintf("%s/stale.mkv", tmp);
	part = xasprintf("%s.part", path);
	if ((fp = fopen(part, "w")) != NULL) {
		fputs("half a clip", fp);
		fclose(fp);
	}
	spec.kind = MEDIAGEN_BLACK_SILENCE;
	tap_is_int(mediagen_clip(path, &spec, err, sizeof err), 0,
	    "a stale .part does not stop a clip");
	tap_ok(exists(path) && !exists(part), "and is gone after it");
	free(part);
	free(path);
}

static void
test_demo(const char *tmp)
{
	const struct demo_volume *v;
	const struct demo_clip *c;
	struct stat before[8], st;
	struct probe p;
	char err[512], *root, *path;
	size_t nv, nc, i;
	double t;

	tap_is_int(demo_create("", err, sizeof err), -1,
	    "demo_create needs a folder");
	root = xasprintf("%s/demo", tmp);
	v = demo_volumes(&nv);
	c = demo_clips(&nc);
	tap_is_int((int64_t)nv, 4, "the demo has four volumes");
	tap_ok(nc >= 3 && nc <= 8, "and a few clips");

	t = now();
	if (!tap_is_int(demo_create(root, err, sizeof err), 0,
	    "demo_create makes the facility"))
		tap_diag("%s", err);
	tap_diag("demo_create: %.2f s the first time", now() - t);
	for (i = 0; i < nv; i++) {
		path = demo_path(root, v[i].dir);
		tap_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode),
		    "volume %s (%s) is a folder", v[i].name, v[i].role);
		free(path);
	}
	path = demo_path(root, DEMO_WATCH_DIR);
	tap_ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode),
	    "the watch folder is there");
	free(path);
	for (i = 0; i < nc && i < 8; i++) {
		path = demo_path(root, c[i].file);
		memset(&before[i], 0, sizeof before[i]);
		tap_ok(stat(path, &before[i]) == 0 &&
		    S_ISREG(before[i].st_mode), "clip %s is there",
		    c[i].file);
		if (probe_file(path, 0, &p) == 0)
			tap_ok(llabs(p.duration - (int64_t)(c[i].duration *
			    AV_TIME_BASE)) <= FRAME_US, "and lasts %g s",
			    c[i].duration);
		else
			tap_ok(0, "and opens");
		free(path);
	}

	t = now();
	tap_is_int(demo_create(root, err, sizeof err), 0,
	    "demo_create a second time");
	tap_diag("demo_create: %.3f s the second time", now() - t);
	for (i = 0; i < nc && i < 8; i++) {
		path = demo_path(root, c[i].file);
		tap_ok(stat(path, &st) == 0 && st.st_ino == before[i].st_ino &&
		    st.st_mtim.tv_sec == before[i].st_mtim.tv_sec &&
		    st.st_mtim.tv_nsec == before[i].st_mtim.tv_nsec,
		    "left %s as it was", c[i].file);
		free(path);
		path = xasprintf("%s/%s.part", root, c[i].file);
		tap_ok(!exists(path), "and no %s.part", c[i].file);
		free(path);
	}
	free(root);
}

int
main(void)
{
	const char *tmp = tap_tmpdir();
	size_t i;

	tap_is_str(mediagen_kind_name(MEDIAGEN_LOUD), "loud_passage",
	    "kinds have names");
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
		test_kind(tmp, i);
	test_errors(tmp);
	test_demo(tmp);
	return tap_done();
}
