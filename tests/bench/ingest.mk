# --- ingest (tests/bench/ingest.sh), run by `make bench` or alone with
# `make bench-ingest`: mcr ingest of one large file and of a folder of
# 10,000 small files, with xxh128 and destination verify, against cp,
# cp + md5sum on both sides, and rsync --checksum, in the same run.

EXTRA_DIST += %D%/ingest.sh

.PHONY: bench-ingest

bench: bench-ingest

bench-ingest: src/mcr$(EXEEXT) src/mcr-worker$(EXEEXT) plugins/ingest.la
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_PLUGINS='$(abs_top_builddir)/plugins/.libs/ingest.so' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	SQLITE3='$(SQLITE3_SHELL)' \
	$(SHELL) '$(abs_top_srcdir)/%D%/ingest.sh'
