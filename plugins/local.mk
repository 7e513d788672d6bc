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

pkglib_LTLIBRARIES += %D%/transfer.la
%C%_transfer_la_SOURCES = %D%/transfer/transfer.c %D%/transfer/seam.c \
	%D%/transfer/seam.h
%C%_transfer_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(XXHASH_CFLAGS) \
	$(CRYPTO_CFLAGS)
%C%_transfer_la_LDFLAGS = $(plugin_ldflags)
%C%_transfer_la_LIBADD = $(JANSSON_LIBS) $(XXHASH_LIBS) $(CRYPTO_LIBS)
