/*
 * probe: technical metadata through libavformat (see probe.h). The start
 * timecode is the first "timecode" tag found on the container or on a
 * stream (QuickTime tmcd tracks and MXF material packages surface there);
 * a ';' or '.' before the frames marks drop-frame, as SMPTE ST 12-1
 * writes it.
 *
 * libavformat, libavcodec and libavutil are opened at the first probe
 * (dlopen, by the major versions this was built against), not when the
 * program or plugin using this starts: mapping and relocating them and
 * the hundred-odd libraries they pull in costs about 0.15 s, which a
 * folder of small files that are not media never needs.
 */
#include "autoconfig.h"

#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
#include <libavutil/macros.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "probe.h"

/* The functions used here, looked up in the libraries at the first probe. */
static struct {
	int ok;
	char why[256];
	AVFormatContext *(*alloc_context)(void);
	int (*open_input)(AVFormatContext **, const char *,
	    const AVInputFormat *, AVDictionary **);
	int (*find_stream_info)(AVFormatContext *, AVDictionary **);
	void (*close_input)(AVFormatContext **);
	AVDictionaryEntry *(*dict_get)(const AVDictionary *, const char *,
	    const AVDictionaryEntry *, int);
	void (*log_set_level)(int);
	int (*strerror)(int, char *, size_t);
	const char *(*codec_name)(enum AVCodecID);
	int (*layout_describe)(const AVChannelLayout *, char *, size_t);
} av;
static pthread_once_t av_once = PTHREAD_ONCE_INIT;

static void *
av_open(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL && av.why[0] == '\0')
		snprintf(av.why, sizeof av.why, "%s", dlerror());
	return h;
}

static void *
av_sym(void *h, const char *name)
{
	void *f = h != NULL ? dlsym(h, name) : NULL;

	if (h != NULL && f == NULL && av.why[0] == '\0')
		snprintf(av.why, sizeof av.why, "%s has no %s", "libav*", name);
	return f;
}

static void
av_load(void)
{
	void *fmt = av_open("libavformat.so."
	    AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR));
	void *util = av_open("libavutil.so."
	    AV_STRINGIFY(LIBAVUTIL_VERSION_MAJOR));
	void *codec = av_open("libavcodec.so."
	    AV_STRINGIFY(LIBAVCODEC_VERSION_MAJOR));

	*(void **)&av.alloc_context = av_sym(fmt, "avformat_alloc_context");
	*(void **)&av.open_input = av_sym(fmt, "avformat_open_input");
	*(void **)&av.find_stream_info = av_sym(fmt,
	    "avformat_find_stream_info");
	*(void **)&av.close_input = av_sym(fmt, "avformat_close_input");
	*(void **)&av.dict_get = av_sym(util, "av_dict_get");
	*(void **)&av.log_set_level = av_sym(util, "av_log_set_level");
	*(void **)&av.strerror = av_sym(util, "av_strerror");
	*(void **)&av.codec_name = av_sym(codec, "avcodec_get_name");
	*(void **)&av.layout_describe = av_sym(util,
	    "av_channel_layout_describe");
	av.ok = av.why[0] == '\0';
	if (av.ok)
		av.log_set_level(AV_LOG_QUIET);
}

int
probe_is_media_name(const char *path)
{
	static const char *const exts[] = { "mov", "mp4", "m4v", "mxf", "mkv",
	    "webm", "avi", "mts", "m2ts", "ts", "mpg", "mpeg", "m2v", "vob",
	    "dv", "dif", "wav", "w64", "bwf", "aif", "aiff", "aifc", "mp3",
	    "m4a", "aac", "ac3", "eac3", "flac", "ogg", "oga", "opus", "mj2",
	    "3gp", "y4m", "ivf", "h264", "264", "hevc", "265", "gxf", "lxf",
	    "nut", "caf", "j2k", "jp2", "exr", "dpx", "tif", "tiff", "png",
	    "jpg", "jpeg", NULL };
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash != NULL ? slash : path, '.');
	size_t i;

	if (dot == NULL)
		return 0;
	for (i = 0; exts[i] != NULL; i++) {
		if (strcasecmp(dot + 1, exts[i]) == 0)
			return 1;
	}
	return 0;
}

static const char *
find_timecode(const AVFormatContext *fc)
{
	const AVDictionaryEntry *e;
	unsigned i;

	if ((e = av.dict_get(fc->metadata, "timecode", NULL, 0)) != NULL)
		return e->value;
	for (i = 0; i < fc->nb_streams; i++) {
		e = av.dict_get(fc->streams[i]->metadata, "timecode", NULL, 0);
		if (e != NULL)
			return e->value;
	}
	return NULL;
}

/* A file that is not media can make a demuxer wander through all of it
 * (a .mov of random bytes reads as atoms of random sizes); a probe stops
 * after PROBE_MAX_READ bytes. */
#define PROBE_MAX_READ (32 << 20)

static int
probe_interrupt(void *arg)
{
	const AVFormatContext *fc = arg;

	return fc->pb != NULL && fc->pb->bytes_read > PROBE_MAX_READ;
}

int
probe_file(const char *path, struct probe_info *info, char *err,
    size_t errlen)
{
	AVFormatContext *fc;
	const char *tc;
	char why[AV_ERROR_MAX_STRING_SIZE];
	unsigned i;
	int rc, have_video = 0;

	memset(info, 0, sizeof *info);
	info->duration = -1;
	info->frames = -1;
	pthread_once(&av_once, av_load);
	if (!av.ok) {
		snprintf(err, errlen, "cannot probe %s: the FFmpeg libraries "
		    "did not load (%s); reinstall libavformat%d", path, av.why,
		    LIBAVFORMAT_VERSION_MAJOR);
		return -1;
	}
	if ((fc = av.alloc_context()) == NULL) {
		snprintf(err, errlen, "cannot probe %s: out of memory", path);
		return -1;
	}
	fc->interrupt_callback.callback = probe_interrupt;
	fc->interrupt_callback.opaque = fc;
	if ((rc = av.open_input(&fc, path, NULL, NULL)) < 0) {
		if (rc == AVERROR_EXIT)
			return 1;
		if (rc == AVERROR_INVALIDDATA)
			return 1;
		if (av.strerror(rc, why, sizeof why) < 0)
			snprintf(why, sizeof why, "error %d", rc);
		snprintf(err, errlen, "cannot probe %s: %s", path, why);
		return rc == AVERROR(ENOENT) || rc == AVERROR(EACCES) ||
		    rc == AVERROR(EIO) ? -1 : 1;
	}
	/* The tty demuxer takes any text for an ANSI art "video". */
	if (strcmp(fc->iformat->name, "tty") == 0 ||
	    av.find_stream_info(fc, NULL) < 0 || fc->nb_streams == 0) {
		av.close_input(&fc);
		return 1;
	}
	snprintf(info->container, sizeof info->container, "%s",
	    fc->iformat->name);
	if (fc->duration != AV_NOPTS_VALUE && fc->duration > 0)
		info->duration = (double)fc->duration / AV_TIME_BASE;
	for (i = 0; i < fc->nb_streams; i++) {
		const AVStream *s = fc->streams[i];
		const AVCodecParameters *p = s->codecpar;

		if (p->codec_type == AVMEDIA_TYPE_VIDEO && !have_video &&
		    !(s->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
			have_video = 1;
			snprintf(info->video_codec, sizeof info->video_codec,
			    "%s", av.codec_name(p->codec_id));
			info->width = p->width;
			info->height = p->height;
			if (s->avg_frame_rate.num > 0 &&
			    s->avg_frame_rate.den > 0) {
				info->rate_num = s->avg_frame_rate.num;
				info->rate_den = s->avg_frame_rate.den;
			} else if (s->r_frame_rate.num > 0) {
				info->rate_num = s->r_frame_rate.num;
				info->rate_den = s->r_frame_rate.den;
			}
			switch (p->field_order) {
			case AV_FIELD_PROGRESSIVE:
				snprintf(info->scan, sizeof info->scan,
				    "progressive");
				break;
			case AV_FIELD_TT:
			case AV_FIELD_TB:
				snprintf(info->scan, sizeof info->scan, "tff");
				break;
			case AV_FIELD_BB:
			case AV_FIELD_BT:
				snprintf(info->scan, sizeof info->scan, "bff");
				break;
			default:
				snprintf(info->scan, sizeof info->scan,
				    "unknown");
				break;
			}
			if (s->nb_frames > 0)
				info->frames = s->nb_frames;
			else if (s->duration != AV_NOPTS_VALUE &&
			    s->duration > 0 && info->rate_num > 0)
				info->frames = (int64_t)((double)s->duration *
				    av_q2d(s->time_base) * info->rate_num /
				    info->rate_den + 0.5);
			else if (info->duration > 0 && info->rate_num > 0)
				info->frames = (int64_t)(info->duration *
				    info->rate_num / info->rate_den + 0.5);
		} else if (p->codec_type == AVMEDIA_TYPE_AUDIO) {
			if (info->audio_streams == 0) {
				snprintf(info->audio_codec,
				    sizeof info->audio_codec, "%s",
				    av.codec_name(p->codec_id));
				av.layout_describe(&p->ch_layout,
				    info->audio_layout,
				    sizeof info->audio_layout);
			}
			info->audio_streams++;
			info->audio_channels += p->ch_layout.nb_channels;
		}
	}
	if (!have_video && info->audio_streams == 0) {
		av.close_input(&fc);
		return 1;
	}
	if ((tc = find_timecode(fc)) != NULL) {
		size_t n = strlen(tc);

		snprintf(info->tc_start, sizeof info->tc_start, "%s", tc);
		info->drop_frame = n >= 3 && (tc[n - 3] == ';' ||
		    tc[n - 3] == '.');
	}
	av.close_input(&fc);
	return 0;
}
