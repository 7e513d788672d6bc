# --- QC (tests/bench/qc.sh), run by `make bench` or alone with
# `make bench-qc`: mcr qc against FFmpeg decode only and against the
# separate ffmpeg runs an operator would make, on a 1080p25 H.264 file with
# stereo PCM and on a long stereo WAV. The media are made once and kept in
# $(BENCH_WORK).

EXTRA_DIST += %D%/qc.sh

.PHONY: bench-qc

bench-qc: src/mcr$(EXEEXT) plugins/qc.la
	MCR='$(abs_top_builddir)/src/mcr$(EXEEXT)' \
	BENCH_QC_PLUGIN='$(abs_top_builddir)/plugins/.libs/qc.so' \
	BENCH_QC_SPECS='$(abs_top_srcdir)/etc/specs' \
	BENCH_WORK='$(abs_top_builddir)/%D%/work' \
	$(SHELL) '$(abs_top_srcdir)/%D%/qc.sh'

bench: bench-qc
