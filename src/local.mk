# src/: the core library (shift log, config, time, paths) and the mcr CLI.

noinst_LTLIBRARIES += %D%/libmcrcore.la
%C%_libmcrcore_la_SOURCES = \
	%D%/config.c %D%/config.h \
	%D%/daemon.c %D%/daemon.h \
	%D%/host.c %D%/host.h \
	%D%/loop.c %D%/loop.h \
	%D%/identity.c %D%/identity.h \
	%D%/paths.c %D%/paths.h \
	%D%/plugin.c %D%/plugin.h %D%/mcr-plugin.h \
	%D%/proto.c %D%/proto.h \
	%D%/shiftlog.c %D%/shiftlog.h %D%/shiftlog-private.h \
	%D%/shiftlog-jobs.c \
	%D%/shiftlog-records.c \
	%D%/shiftlog-delivery.c \
	%D%/shiftlog-media-match.c \
	%D%/strutil.c %D%/strutil.h \
	%D%/edl.c %D%/edl.h \
	%D%/conform.c %D%/conform-report.c %D%/conform.h \
	%D%/timecode.c %D%/timecode.h \
	%D%/when.c %D%/when.h \
	%D%/xmalloc.c %D%/xmalloc.h
%C%_libmcrcore_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(INIH_CFLAGS) \
	$(CRYPTO_CFLAGS) $(JANSSON_CFLAGS)
%C%_libmcrcore_la_LIBADD = $(SQLITE_LIBS) $(INIH_LIBS) $(CRYPTO_LIBS) \
	$(JANSSON_LIBS) -ldl -lm

# The shared media helper: FFmpeg lives here and in plugins, nowhere else.
noinst_LTLIBRARIES += %D%/libmcrmedia.la
%C%_libmcrmedia_la_SOURCES = \
	%D%/mediagen.c %D%/mediagen.h \
	%D%/demo.c %D%/demo.h
%C%_libmcrmedia_la_CFLAGS = $(AM_CFLAGS) $(AVFORMAT_CFLAGS) $(AVCODEC_CFLAGS) \
	$(AVFILTER_CFLAGS) $(AVUTIL_CFLAGS) $(SWRESAMPLE_CFLAGS) \
	$(SWSCALE_CFLAGS)
%C%_libmcrmedia_la_LIBADD = $(AVFORMAT_LIBS) $(AVCODEC_LIBS) $(AVFILTER_LIBS) \
	$(AVUTIL_LIBS) $(SWRESAMPLE_LIBS) $(SWSCALE_LIBS) -lm

bin_PROGRAMS += %D%/mcr
%C%_mcr_SOURCES = \
	%D%/mcr.c \
	%D%/cmd.c %D%/cmd.h \
	%D%/cmd-conform.c \
	%D%/cmd-deliver.c \
	%D%/cmd-asset.c \
	%D%/cmd-jobs.c \
	%D%/cmd-log.c \
	%D%/cmd-note.c \
	%D%/cmd-status.c \
	%D%/cmd-tc.c
%C%_mcr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/screens
%C%_mcr_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_mcr_LDADD = screens/libmcrscreens.la %D%/libmcrcore.la $(JANSSON_LIBS)

pkglibexec_PROGRAMS = %D%/mcr-worker
%C%_mcr_worker_SOURCES = %D%/worker.c
%C%_mcr_worker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_mcr_worker_LDADD = %D%/libmcrcore.la $(JANSSON_LIBS)

dist_man_MANS += %D%/mcr.1
