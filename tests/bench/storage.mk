# --- storage (tests/bench/storage.sh), run by `make bench` or alone with
# `make bench-storage`: a generated tree of 1,000,000 files, the first
# storage.scan against `du -s` on the same tree, a re-scan after 1 % of the
# files changed against the first scan, and `mcr storage --json`.
# storage-gen makes the tree (sparse files) under tests/bench/work.

EXTRA_PROGRAMS += %D%/storage-gen
%C%_storage_gen_SOURCES = %D%/storage-gen.c

EXTRA_DIST += %D%/storage.sh

.PHONY: bench-storage

bench: bench-storage

bench-storage: src/mcr$(EXEEXT) src/mcr-worker$(EXEEXT) plugins/storage.la \
    %D%/storage-gen$(EXEEXT)
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_PLUGINS='$(abs_top_builddir)/plugins/.libs/storage.so' \
	BENCH_STORAGE_GEN='$(abs_top_builddir)/%D%/storage-gen$(EXEEXT)' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/storage.sh'
