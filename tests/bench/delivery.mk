# --- delivery (tests/bench/delivery.sh): mcr deliver over loopback
# rsync/SSH against plain rsync -a, and a local delivery against cp.

EXTRA_DIST += %D%/delivery.sh

.PHONY: bench-delivery
bench: bench-delivery

bench-delivery: src/mcr$(EXEEXT) src/mcr-worker$(EXEEXT) plugins/transfer.la
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_PLUGINS='$(abs_top_builddir)/plugins/.libs/transfer.so' \
	SQLITE3='$(SQLITE3_SHELL)' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/delivery.sh'
