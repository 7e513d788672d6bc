# tests/qc: the QC duty (issue 5). Signals and clips are made at test time
# with ffmpeg's lavfi sources; each script skips when ffmpeg is missing.
TESTS += \
	%D%/loudness.sh \
	%D%/video.sh \
	%D%/picture.sh \
	%D%/dialogue.sh \
	%D%/errors.sh \
	%D%/cli.sh
EXTRA_DIST += %D%/lib-qc.sh \
	%D%/loudness.sh \
	%D%/video.sh \
	%D%/picture.sh \
	%D%/dialogue.sh \
	%D%/errors.sh \
	%D%/cli.sh
