#!/bin/sh
# QC bad input: a truncated file, a file with no audio and one with no
# video, a stream corrupted in the middle (its errors reported with their
# timecode, the rest still analysed), an unknown spec, a spec with a bad
# value (file:line), a missing file. Never a crash: exit 1 or 2 with one
# sentence.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

gen "$T/good.mp4" -f lavfi -i "testsrc2=s=320x180:r=25:d=4" -f lavfi \
    -i "sine=f=1000:r=48000:d=4" -c:v libx264 -preset ultrafast -c:a aac \
    -shortest
size=$(wc -c <"$T/good.mp4")
head -c $((size / 2)) "$T/good.mp4" >"$T/trunc.mp4"
run "$MCR" --config "$CFG" qc "$T/trunc.mp4" --spec web --no-log --quiet
expect_rc 2 "a truncated MP4 is an error"
one_line "$T/err" "in one sentence"
has "$T/err" "trunc.mp4" "naming the file"

gen "$T/good.ts" -f lavfi -i "testsrc2=s=320x180:r=25:d=6" -f lavfi \
    -i "sine=f=1000:r=48000:d=6" -c:v mpeg2video -q:v 4 -c:a mp2 -shortest
# Matroska states its duration in its header: a cut file is seen short.
gen "$T/good.mkv" -f lavfi -i "testsrc2=s=320x180:r=25:d=6" -f lavfi \
    -i "sine=f=1000:r=48000:d=6" -c:v ffv1 -c:a pcm_s24le -shortest
msize=$(wc -c <"$T/good.mkv")
head -c $((msize * 2 / 3)) "$T/good.mkv" >"$T/trunc.mkv"
report "$T/trunc.mkv" web
expect_rc 1 "a truncated Matroska file fails QC"
has "$T/out" "truncated" "and says it is truncated"
size=$(wc -c <"$T/good.ts")

# Overwrite 40 KB in the middle with garbage.
cp "$T/good.ts" "$T/corrupt.ts"
dd if=/dev/urandom of="$T/corrupt.ts" bs=1 seek=$((size / 2)) count=40000 \
    conv=notrunc 2>/dev/null
report "$T/corrupt.ts" web
expect_rc 1 "a stream corrupted in the middle fails QC"
set -- $(findings decode)
between "${1:-}" 1 5 "the decoding error is reported at its time"
case "${5:-}" in 00:00:0[1-5]:*) s=0 ;; *) s=1 ;; esac
ok $s "with its timecode (${5:-none})"
between "$(val measurements.video.frames)" 100 160 \
    "and the frames after it are still analysed"

gen "$T/novideo.wav" -f lavfi -i "sine=f=1000:r=48000:d=3" -c:a pcm_s24le
report "$T/novideo.wav" ebu-r128-hd
expect_rc 1 "a file with no video fails a spec that needs video"
has "$T/out" "video.missing" "with a video.missing finding"
gen "$T/noaudio.mkv" -f lavfi -i "testsrc2=s=320x180:r=25:d=2" -c:v ffv1
report "$T/noaudio.mkv" ebu-r128-hd
expect_rc 1 "a file with no audio fails a spec that needs audio"
has "$T/out" "audio.missing" "with an audio.missing finding"

run "$MCR" --config "$CFG" qc "$T/novideo.wav" --spec no-such-spec --no-log
expect_rc 2 "an unknown spec is an error"
has "$T/err" "no spec named no-such-spec" "saying which"
one_line "$T/err" "in one sentence"

printf '[spec]\nname = bad\n[loudness]\nseverity = fail\ntarget = loud\n' \
    >"$T/bad.ini"
run "$MCR" --config "$CFG" qc "$T/novideo.wav" --spec "$T/bad.ini" --no-log
expect_rc 2 "a spec with a bad value is an error"
has "$T/err" "bad.ini:5:" "naming file:line"
printf '[spec]\nextends = bad2\n' >"$T/bad2.ini"
run "$MCR" --config "$CFG" qc "$T/novideo.wav" --spec "$T/bad2.ini" --no-log
expect_rc 2 "a spec that extends itself is an error"

run "$MCR" --config "$CFG" qc "$T/nothing.mov" --no-log
expect_rc 2 "a missing file is an error"
one_line "$T/err" "in one sentence"
printf 'not media at all\n' >"$T/text.mov"
run "$MCR" --config "$CFG" qc "$T/text.mov" --no-log
expect_rc 2 "a file that is not media is an error"
run "$MCR" --config "$CFG" qc "$T/novideo.wav" --report "$T/r.pdf" --no-log
expect_rc 2 "a report with an unknown extension is refused"

finish
