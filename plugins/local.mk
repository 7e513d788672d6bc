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
%C%_storage_la_SOURCES = %D%/storage/storage.c
%C%_storage_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_storage_la_LDFLAGS = $(plugin_ldflags)
%C%_storage_la_LIBADD = $(JANSSON_LIBS)

pkglib_LTLIBRARIES += %D%/demo.la
%C%_demo_la_SOURCES = %D%/demo/facility.c
%C%_demo_la_CFLAGS = $(AM_CFLAGS)
%C%_demo_la_LDFLAGS = $(plugin_ldflags)
%C%_demo_la_LIBADD = src/libmcrmedia.la

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
