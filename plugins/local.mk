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
	%D%/storage/scan.c %D%/storage/purge.c
%C%_storage_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_storage_la_LDFLAGS = $(plugin_ldflags)
%C%_storage_la_LIBADD = $(JANSSON_LIBS)

pkglib_LTLIBRARIES += %D%/demo.la
%C%_demo_la_SOURCES = %D%/demo/facility.c
%C%_demo_la_CFLAGS = $(AM_CFLAGS)
%C%_demo_la_LDFLAGS = $(plugin_ldflags)
%C%_demo_la_LIBADD = src/libmcrmedia.la

# ingest: the verified copy to several destinations, ASC MHL, ClamAV,
# naming templates and the catalogue (issue 6).
pkglib_LTLIBRARIES += %D%/ingest.la
%C%_ingest_la_SOURCES = %D%/ingest/ingest.c %D%/ingest/naming.c \
	%D%/ingest/naming.h
%C%_ingest_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/src
%C%_ingest_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(CLAMAV_CFLAGS)
%C%_ingest_la_LDFLAGS = $(plugin_ldflags)
%C%_ingest_la_LIBADD = src/libmcrcopy.la src/libmcrmedia.la $(JANSSON_LIBS) \
	$(CLAMAV_LIBS)
