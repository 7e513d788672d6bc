# tests/transcode: the transcode plugin (issue 7). test-profile reads .cube
# files, profiles and line-up specs without FFmpeg; transcode.sh runs real
# transcodes through mcrd on clips the ffmpeg program generates, and
# probes the outputs with ffprobe.

check_PROGRAMS += %D%/test-profile
%C%_test_profile_SOURCES = %D%/test-profile.c \
	plugins/transcode/cube.c plugins/transcode/cube.h \
	plugins/transcode/profile.c plugins/transcode/profile.h
%C%_test_profile_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS)
%C%_test_profile_LDADD = tests/libtap.la $(INIH_LIBS)

TESTS += %D%/test-profile %D%/transcode.sh %D%/legacy.sh %D%/qc.sh
EXTRA_DIST += %D%/transcode.sh %D%/legacy.sh %D%/qc.sh %D%/common.sh
