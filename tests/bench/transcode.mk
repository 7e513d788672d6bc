# tests/bench/transcode.mk: `make bench-transcode`, part of `make bench`:
# the transcode engine (mcr-worker running transcode.run) against the
# ffmpeg program with the equivalent command line, on a 2-minute 1080p
# source; see tests/bench/transcode.sh.

EXTRA_DIST += %D%/transcode.sh

.PHONY: bench-transcode

bench: bench-transcode

bench-transcode: src/mcr-worker$(EXEEXT) plugins/transcode.la
	BENCH_WORKER='$(abs_top_builddir)/src/mcr-worker$(EXEEXT)' \
	BENCH_PLUGIN='$(abs_top_builddir)/plugins/.libs/transcode.so' \
	BENCH_PROFILES='$(abs_top_srcdir)/etc/profiles' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/transcode.sh'
