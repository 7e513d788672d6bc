# tests/bench: `make bench`, never part of `make check`. bench-append is an
# EXTRA_PROGRAMS entry, built only when `make bench` asks for it; run.sh
# times the mcr binary against a bare SQLite baseline in the same run and
# keeps its 1,000,000-event shift log in tests/bench/work/ between runs,
# then hands over to daemon.sh, which runs mcrd with the built plugins and
# the check-only test plugin (hence tests/plugins/testplug.la below).

EXTRA_PROGRAMS += %D%/bench-append
%C%_bench_append_SOURCES = %D%/bench-append.c
%C%_bench_append_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
%C%_bench_append_LDADD = src/libmcrcore.la $(SQLITE_LIBS)

EXTRA_DIST += %D%/run.sh %D%/daemon.sh %D%/lib.sh

.PHONY: bench clean-bench

bench: src/mcr$(EXEEXT) src/mcr-worker$(EXEEXT) plugins/storage.la \
    tests/plugins/testplug.la %D%/bench-append$(EXEEXT)
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_WORKER='$(abs_top_builddir)/src/mcr-worker$(EXEEXT)' \
	BENCH_PLUGINS='$(abs_top_builddir)/plugins/.libs/storage.so $(abs_top_builddir)/tests/plugins/.libs/testplug.so' \
	BENCH_APPEND='$(abs_top_builddir)/%D%/bench-append$(EXEEXT)' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/run.sh'
	$(MAKE) $(AM_MAKEFLAGS) bench-console

clean-bench:
	-rm -rf %D%/work

clean-local: clean-bench

# --- the console (tests/bench/console.sh), run by `make bench` after
# run.sh, or alone with `make bench-console`: the console's CPU idle and
# with a live meter, its bytes per second to the terminal, its first frame
# with 100,000 jobs and 1,000,000 events, and the Jobs screen's frame time
# while scrolling. bench-console fills that shift log and times the console
# on a pty rendered by libvterm, like tests/console/ptyterm.

EXTRA_PROGRAMS += %D%/bench-console
%C%_bench_console_SOURCES = %D%/bench-console.c
%C%_bench_console_CFLAGS = $(AM_CFLAGS) $(VTERM_CFLAGS)
%C%_bench_console_LDADD = src/libmcrcore.la $(VTERM_LIBS) -lutil

EXTRA_DIST += %D%/console.sh

.PHONY: bench-console

bench-console: src/mcr$(EXEEXT) src/mcr-worker$(EXEEXT) plugins/storage.la \
    tests/plugins/testplug.la %D%/bench-console$(EXEEXT)
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_WORKER='$(abs_top_builddir)/src/mcr-worker$(EXEEXT)' \
	BENCH_PLUGINS='$(abs_top_builddir)/plugins/.libs/storage.so $(abs_top_builddir)/tests/plugins/.libs/testplug.so' \
	BENCH_CONSOLE='$(abs_top_builddir)/%D%/bench-console$(EXEEXT)' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/console.sh'

# --- the EDL conform (tests/bench/conform.sh): a 3,000-event EDL against
# 100,000 catalogue rows, against the same lookups in bare sqlite3.

EXTRA_DIST += %D%/conform.sh

.PHONY: bench-conform
bench: bench-conform

bench-conform: src/mcr$(EXEEXT)
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/conform.sh'
include %D%/ingest.mk
include %D%/handover.mk
include %D%/storage.mk
include %D%/qc.mk
include %D%/transcode.mk
include %D%/delivery.mk
