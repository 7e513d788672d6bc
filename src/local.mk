# src/: the core library (shift log, config, time, paths) and the mcr CLI.

noinst_LTLIBRARIES += %D%/libmcrcore.la
%C%_libmcrcore_la_SOURCES = \
	%D%/config.c %D%/config.h \
	%D%/daemon.c %D%/daemon.h \
	%D%/digest.c %D%/digest.h \
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
	%D%/shiftlog-media.c \
	%D%/watch.c %D%/watch.h \
	%D%/shiftlog-handover.c \
	%D%/shiftlog-storage.c \
	%D%/storage-sched.c %D%/storage-sched.h \
	%D%/shiftlog-qc.c \
	%D%/strutil.c %D%/strutil.h \
	%D%/handover.c %D%/handover.h \
	%D%/edl.c %D%/edl.h \
	%D%/conform.c %D%/conform-report.c %D%/conform.h \
	%D%/timecode.c %D%/timecode.h \
	%D%/when.c %D%/when.h \
	%D%/xmalloc.c %D%/xmalloc.h
%C%_libmcrcore_la_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS) $(INIH_CFLAGS) \
	$(CRYPTO_CFLAGS) $(JANSSON_CFLAGS) -pthread
%C%_libmcrcore_la_LIBADD = $(SQLITE_LIBS) $(INIH_LIBS) $(CRYPTO_LIBS) \
	$(JANSSON_LIBS) -ldl -lm
%C%_libmcrcore_la_LDFLAGS = -pthread

# The shared media helper: FFmpeg lives here and in plugins, nowhere else.
noinst_LTLIBRARIES += %D%/libmcrmedia.la
%C%_libmcrmedia_la_SOURCES = \
	%D%/mediagen.c %D%/mediagen.h \
	%D%/probe.c %D%/probe.h \
	%D%/demo.c %D%/demo.h
%C%_libmcrmedia_la_CFLAGS = $(AM_CFLAGS) $(AVFORMAT_CFLAGS) $(AVCODEC_CFLAGS) \
	$(AVFILTER_CFLAGS) $(AVUTIL_CFLAGS) $(SWRESAMPLE_CFLAGS) \
	$(SWSCALE_CFLAGS)
%C%_libmcrmedia_la_LIBADD = $(AVFORMAT_LIBS) $(AVCODEC_LIBS) $(AVFILTER_LIBS) \
	$(AVUTIL_LIBS) $(SWRESAMPLE_LIBS) $(SWSCALE_LIBS) -lm

# The verified copy and ASC MHL (ingest, delivery, archive share them):
# libxxhash, libcrypto and libxml2, never the shift log or the UI.
noinst_LTLIBRARIES += %D%/libmcrcopy.la
%C%_libmcrcopy_la_SOURCES = \
	%D%/vcopy.c %D%/vcopy-batch.c %D%/vcopy.h \
	%D%/mhl.c %D%/mhl.h
%C%_libmcrcopy_la_CFLAGS = $(AM_CFLAGS) $(XXHASH_CFLAGS) $(CRYPTO_CFLAGS) \
	$(XML_CFLAGS)
%C%_libmcrcopy_la_LIBADD = $(XXHASH_LIBS) $(CRYPTO_LIBS) $(XML_LIBS)

bin_PROGRAMS += %D%/mcr
%C%_mcr_SOURCES = \
	%D%/mcr.c \
	%D%/cmd.c %D%/cmd.h \
	%D%/cmd-access.c \
	%D%/cmd-archive.c \
	%D%/cmd-backup.c \
	%D%/cmd-conform.c \
	%D%/cmd-delete.c \
	%D%/cmd-handover.c \
	%D%/cmd-incident.c \
	%D%/cmd-ingest.c \
	%D%/cmd-deliver.c \
	%D%/cmd-asset.c \
	%D%/cmd-jobs.c \
	%D%/cmd-log.c \
	%D%/cmd-media.c \
	%D%/cmd-note.c \
	%D%/cmd-shift.c \
	%D%/cmd-status.c \
	%D%/cmd-storage.c \
	%D%/cmd-tc.c \
	%D%/cmd-transcode.c \
	%D%/cmd-verify.c \
	%D%/cmd-qc.c \
	%D%/clihost.c %D%/clihost.h \
	plugins/qc/spec.c plugins/qc/spec.h \
	plugins/qc/report.c plugins/qc/report.h
%C%_mcr_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/screens
%C%_mcr_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(ACL_CFLAGS) $(INIH_CFLAGS)
%C%_mcr_LDADD = screens/libmcrscreens.la %D%/libmcrcore.la \
	%D%/libmcrcopy.la $(JANSSON_LIBS) $(ACL_LIBS) $(INIH_LIBS) -lm

pkglibexec_PROGRAMS = %D%/mcr-worker
%C%_mcr_worker_SOURCES = %D%/worker.c
%C%_mcr_worker_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_mcr_worker_LDADD = %D%/libmcrcore.la $(JANSSON_LIBS)

dist_man_MANS += %D%/mcr.1
