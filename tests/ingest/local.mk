# tests/ingest: the verified copy, ASC MHL and naming (test-vcopy, C),
# and the ingest job end to end through mcrd (ingest.sh, ingest-more.sh).

check_PROGRAMS += %D%/test-vcopy
%C%_test_vcopy_SOURCES = %D%/test-vcopy.c plugins/ingest/naming.c \
	plugins/ingest/naming.h
%C%_test_vcopy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/ingest \
	-I$(top_srcdir)/tests
%C%_test_vcopy_LDADD = tests/libtap.la src/libmcrcopy.la
TESTS += %D%/test-vcopy %D%/ingest.sh %D%/ingest-more.sh %D%/mhl-interop.sh
EXTRA_DIST += %D%/ingest.sh %D%/ingest-more.sh %D%/mhl-interop.sh
