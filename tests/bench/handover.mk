# --- the handover (issue 11), run by `make bench` or alone with
# `make bench-handover`: `mcr handover` for a 12-hour shift and full-text
# searches with `mcr log --grep`, in a shift log of 1,000,000 events and
# 100,000 jobs that bench-handover fills (kept in tests/bench/work/ while
# it is current), each against a bare sqlite3 baseline in the same run.

EXTRA_PROGRAMS += %D%/bench-handover
%C%_bench_handover_SOURCES = %D%/bench-handover.c
%C%_bench_handover_CFLAGS = $(AM_CFLAGS) $(SQLITE_CFLAGS)
%C%_bench_handover_LDADD = src/libmcrcore.la $(SQLITE_LIBS)

EXTRA_DIST += %D%/handover.sh

.PHONY: bench-handover

bench: bench-handover

bench-handover: src/mcr$(EXEEXT) %D%/bench-handover$(EXEEXT)
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_HANDOVER='$(abs_top_builddir)/%D%/bench-handover$(EXEEXT)' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/handover.sh'
