/*
 * probe: the technical metadata of a media file, read with libavformat
 * (headers and a short look at the streams; nothing is decoded beyond
 * what avformat_find_stream_info needs). Part of the shared media helper:
 * it never touches the shift log or the UI.
 */
#ifndef MCR_PROBE_H
#define MCR_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct probe_info {
	char container[64];	/* "mov,mp4,m4a,3gp,3g2,mj2", "mxf" */
	char video_codec[32];	/* "" when there is no video */
	int width, height;
	int rate_num, rate_den;	/* frames a second; 0/0 unknown */
	char scan[16];		/* progressive, tff, bff, unknown */
	double duration;	/* seconds; < 0 unknown */
	int64_t frames;		/* < 0 unknown */
	char tc_start[16];	/* "10:00:00:00", "01:00:00;00"; "" none */
	int drop_frame;		/* the start timecode is drop-frame */
	char audio_codec[32];	/* the first audio stream's; "" none */
	int audio_channels;	/* summed over every audio stream */
	int audio_streams;
	char audio_layout[64];	/* the first audio stream's ("stereo") */
};

/* True when path's extension is one that media files carry (mov, mxf,
 * mp4, wav, ...): what is worth a probe. Sidecars and camera metadata
 * are not probed. */
int probe_is_media_name(const char *path);

/* Probes path. Returns 0 when libavformat recognised it as media with at
 * least one audio or video stream, 1 when it is not media (a sidecar, a
 * text file), or -1 with one sentence in err when it could not be read. */
int probe_file(const char *path, struct probe_info *info, char *err,
    size_t errlen);

#endif
