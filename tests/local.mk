# tests/: unit tests (C, TAP) and integration tests that drive the real
# mcr binary (shell, TAP), all run by `make check` through automake's TAP
# driver. Benchmarks are under tests/bench and run only by `make bench`.

LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) \
	$(top_srcdir)/build-aux/tap-driver.sh
TEST_EXTENSIONS = .sh
SH_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	MCR='$(abs_top_builddir)/src/mcr'; export MCR; \
	MCR_BUILDDIR='$(abs_top_builddir)'; export MCR_BUILDDIR; \
	JSONGET='$(abs_top_builddir)/tests/jsonget'; export JSONGET; \
	SQLITE3='$(SQLITE3_SHELL)'; export SQLITE3; \
	TESTS_SRCDIR='$(abs_top_srcdir)/tests'; export TESTS_SRCDIR; \
	MCR_SAMPLE_CONFIG='$(abs_top_srcdir)/etc/mcr.ini'; \
	export MCR_SAMPLE_CONFIG; \
	TZ=UTC; export TZ; \
	ASAN_OPTIONS="handle_segv=0:$${ASAN_OPTIONS:-}"; export ASAN_OPTIONS;

noinst_LTLIBRARIES += %D%/libtap.la
%C%_libtap_la_SOURCES = %D%/tap.c %D%/tap.h

unit_ldadd = %D%/libtap.la src/libmcrcore.la

check_PROGRAMS += \
	%D%/test-strutil \
	%D%/test-when \
	%D%/test-config \
	%D%/test-shiftlog \
	%D%/test-migrate \
	%D%/jsonget
%C%_test_strutil_LDADD = $(unit_ldadd)
%C%_test_when_LDADD = $(unit_ldadd)
%C%_test_config_LDADD = $(unit_ldadd)
%C%_test_shiftlog_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
%C%_test_shiftlog_LDADD = $(unit_ldadd) $(SQLITE_LIBS)
%C%_test_migrate_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
%C%_test_migrate_LDADD = $(unit_ldadd) $(SQLITE_LIBS)
%C%_jsonget_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_jsonget_LDADD = $(JANSSON_LIBS)

TESTS += \
	%D%/test-strutil \
	%D%/test-when \
	%D%/test-config \
	%D%/test-shiftlog \
	%D%/test-migrate \
	%D%/cli-basic.sh \
	%D%/cli-errors.sh \
	%D%/cli-tamper.sh \
	%D%/daemon-basic.sh \
	%D%/daemon-order.sh \
	%D%/daemon-recovery.sh \
	%D%/daemon-plugins.sh \
	%D%/daemon-records.sh \
	%D%/daemon-storage.sh \
	%D%/daemon-wake.sh

EXTRA_DIST += %D%/lib.sh \
	%D%/daemon-basic.sh \
	%D%/daemon-order.sh \
	%D%/daemon-recovery.sh \
	%D%/daemon-plugins.sh \
	%D%/daemon-records.sh \
	%D%/daemon-storage.sh \
	%D%/daemon-wake.sh \
	%D%/cli-basic.sh \
	%D%/cli-errors.sh \
	%D%/cli-tamper.sh

include %D%/plugins/local.mk
include %D%/console/local.mk
include %D%/delivery/local.mk
include %D%/bench/local.mk
include %D%/ingest/local.mk
include %D%/handover/local.mk
include %D%/qc/local.mk

# The shared media helper (FFmpeg): clips made and decoded again.
check_PROGRAMS += %D%/test-mediagen
%C%_test_mediagen_CFLAGS = $(AM_CFLAGS) $(AVFORMAT_CFLAGS) \
	$(AVCODEC_CFLAGS) $(AVUTIL_CFLAGS)
%C%_test_mediagen_LDADD = %D%/libtap.la src/libmcrmedia.la \
	src/libmcrcore.la $(AVFORMAT_LIBS) $(AVCODEC_LIBS) $(AVUTIL_LIBS) -lm
TESTS += %D%/test-mediagen

# Timecode (issue 10): the module's unit test, `mcr tc`, and the fuzz
# target replayed by a plain main() (tests/fuzz/fuzz-timecode.c says how
# to run the real fuzzer). The fuzz target links timecode.c alone.
check_PROGRAMS += %D%/test-timecode %D%/fuzz/fuzz-timecode
%C%_test_timecode_LDADD = $(unit_ldadd)
%C%_fuzz_fuzz_timecode_SOURCES = %D%/fuzz/fuzz-timecode.c \
	%D%/fuzz/fuzz-main.c src/timecode.c src/timecode.h
TESTS += %D%/test-timecode %D%/cli-tc.sh %D%/fuzz/fuzz-timecode \
	%D%/cli-conform.sh
EXTRA_DIST += %D%/cli-tc.sh %D%/cli-conform.sh %D%/fuzz/corpus

# EDL (issue 10): the CMX3600 parser's unit test, and its fuzz target
# replayed by fuzz-main.c over tests/fuzz/corpus-edl (tests/fuzz/fuzz-edl.c
# says how to run the real fuzzer). The fuzz target links edl.c and
# timecode.c alone.
check_PROGRAMS += %D%/test-edl %D%/fuzz/fuzz-edl
%C%_test_edl_LDADD = $(unit_ldadd)
%C%_fuzz_fuzz_edl_SOURCES = %D%/fuzz/fuzz-edl.c %D%/fuzz/fuzz-main.c \
	src/edl.c src/edl.h src/timecode.c src/timecode.h
%C%_fuzz_fuzz_edl_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFUZZ_CORPUS='"corpus-edl"' -DFUZZ_MUTATE_MAX=1024 \
	-DFUZZ_ALPHABET='"0123456789::;; \n*CDVABLMW"'
TESTS += %D%/test-edl %D%/fuzz/fuzz-edl
EXTRA_DIST += %D%/fuzz/corpus-edl %D%/fuzz/edl.dict
include %D%/storage/local.mk
include %D%/transcode/local.mk
