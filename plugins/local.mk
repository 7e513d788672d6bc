# plugins/: one libtool module per duty, loaded by mcr-worker through the
# versioned plugin ABI (src/mcr-plugin.h, installed for plugin authors).
# Each is a pkglib_LTLIBRARIES module that exports only mcr_plugin_entry()
# and links what it needs itself, never the daemon: storage watches the
# configured volumes.

pkglib_LTLIBRARIES =
pkginclude_HEADERS = src/mcr-plugin.h

plugin_ldflags = $(AM_LDFLAGS) -module -avoid-version \
	-export-symbols-regex '^mcr_plugin_entry$$'

pkglib_LTLIBRARIES += %D%/storage.la
%C%_storage_la_SOURCES = %D%/storage/storage.c %D%/storage/storage.h \
	%D%/storage/scan.c %D%/storage/purge.c %D%/storage/archive.c \
	src/strutil.c src/strutil.h
%C%_storage_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
%C%_storage_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_storage_la_LDFLAGS = $(plugin_ldflags)
%C%_storage_la_LIBADD = src/libmcrcopy.la $(JANSSON_LIBS)

pkglib_LTLIBRARIES += %D%/demo.la
%C%_demo_la_SOURCES = %D%/demo/facility.c
%C%_demo_la_CFLAGS = $(AM_CFLAGS)
%C%_demo_la_LDFLAGS = $(plugin_ldflags)
%C%_demo_la_LIBADD = src/libmcrmedia.la

# ingest: the verified copy to several destinations, ASC MHL, ClamAV,
# naming templates and the catalogue (issue 6).
pkglib_LTLIBRARIES += %D%/ingest.la
# The probe is built in, not linked from libmcrmedia: it opens the FFmpeg
# libraries at the first media file (see src/probe.c), so an ingest of
# small files that are not media does not pay for loading them.
%C%_ingest_la_SOURCES = %D%/ingest/ingest.c %D%/ingest/naming.c \
	%D%/ingest/clamd.c %D%/ingest/clamd.h \
	%D%/ingest/naming.h src/probe.c src/probe.h
%C%_ingest_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
%C%_ingest_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CLAMAV_CFLAGS) \
	$(AVFORMAT_CFLAGS) $(AVCODEC_CFLAGS) $(AVUTIL_CFLAGS) -pthread
%C%_ingest_la_LDFLAGS = $(plugin_ldflags)
%C%_ingest_la_LIBADD = src/libmcrcopy.la $(JANSSON_LIBS) $(CLAMAV_LIBS) \
	-lpthread
# qc: one-pass QC against delivery specs, and live monitoring (issue 5).
# spec.c and report.c are also built into mcr (qc specs, stored reports).
pkglib_LTLIBRARIES += %D%/qc.la
%C%_qc_la_SOURCES = %D%/qc/qc.c \
	%D%/qc/analyse.c %D%/qc/analyse.h \
	%D%/qc/loud.c %D%/qc/loud.h \
	%D%/qc/judge.c %D%/qc/judge.h \
	%D%/qc/spec.c %D%/qc/spec.h \
	%D%/qc/report.c %D%/qc/report.h \
	src/strutil.c src/strutil.h src/timecode.c src/timecode.h
%C%_qc_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) \
	$(EBUR128_CFLAGS) $(XXHASH_CFLAGS) $(AVFORMAT_CFLAGS) \
	$(AVCODEC_CFLAGS) $(AVUTIL_CFLAGS) $(SWRESAMPLE_CFLAGS) \
	$(SWSCALE_CFLAGS) -pthread
%C%_qc_la_LDFLAGS = $(plugin_ldflags)
%C%_qc_la_LIBADD = $(JANSSON_LIBS) $(INIH_LIBS) $(EBUR128_LIBS) \
	$(XXHASH_LIBS) $(AVFORMAT_LIBS) $(AVCODEC_LIBS) $(AVUTIL_LIBS) \
	$(SWRESAMPLE_LIBS) $(SWSCALE_LIBS) -lm -lpthread
# transcode: named profiles through the FFmpeg libraries (engine.c), LUTs,
# line-up, loudness (libebur128); profiles read with inih.
pkglib_LTLIBRARIES += %D%/transcode.la
%C%_transcode_la_SOURCES = %D%/transcode/transcode.c \
	%D%/transcode/engine.c %D%/transcode/engine.h \
	%D%/transcode/profile.c %D%/transcode/profile.h \
	%D%/transcode/cube.c %D%/transcode/cube.h \
	src/timecode.c src/timecode.h
%C%_transcode_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(INIH_CFLAGS) \
	$(EBUR128_CFLAGS) $(AVFORMAT_CFLAGS) $(AVCODEC_CFLAGS) \
	$(AVFILTER_CFLAGS) $(AVUTIL_CFLAGS) $(SWRESAMPLE_CFLAGS)
%C%_transcode_la_LDFLAGS = $(plugin_ldflags)
%C%_transcode_la_LIBADD = $(JANSSON_LIBS) $(INIH_LIBS) \
	$(EBUR128_LIBS) $(AVFORMAT_LIBS) $(AVCODEC_LIBS) $(AVFILTER_LIBS) \
	$(AVUTIL_LIBS) $(SWRESAMPLE_LIBS) -lm
pkglib_LTLIBRARIES += %D%/transfer.la
%C%_transfer_la_SOURCES = %D%/transfer/transfer.c \
	%D%/transfer/manifests.c %D%/transfer/manifests.h
%C%_transfer_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
%C%_transfer_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(XXHASH_CFLAGS) \
	$(XML_CFLAGS)
%C%_transfer_la_LDFLAGS = $(plugin_ldflags)
%C%_transfer_la_LIBADD = src/libmcrcopy.la $(JANSSON_LIBS) \
	$(XXHASH_LIBS) $(XML_LIBS)
