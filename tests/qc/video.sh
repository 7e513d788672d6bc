#!/bin/sh
# QC accuracy, picture and silence: a clip with known black, freeze and
# silence segments found at the right timecodes (+/-1 frame); flashes (a
# full-screen 5 Hz flash fails, 2 Hz passes, 5 Hz on 20 % of the screen
# passes and on 30 % fails); superwhite over 2 % of the picture fails EBU
# R103, on 0.5 % it passes; the same file gives the same report twice.
# Clips are made here with ffmpeg's lavfi sources, lossless (FFV1).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

VSPEC="$T/video.ini"
cat >"$VSPEC" <<'INI'
[spec]
name = video-test
[black]
severity = warn
min_duration = 0.5
[freeze]
severity = warn
min_duration = 1
[silence]
severity = warn
level = -60
min_duration = 1
[levels]
severity = fail
luma_min = 5
luma_max = 246
chroma_min = 5
chroma_max = 251
area = 2
[flash]
severity = fail
limit = 3
warn = 3
area = 25
[decode]
severity = fail
[timecode]
severity = warn
INI

# 0-3 s moving, 3-5 s black, 5-8 s still bars (a freeze), 8-10 s moving;
# sound: tone 0-4 s, silence 4-7 s, tone 7-10 s; timecode 10:00:00:00.
gen "$T/seg.mov" -f lavfi -i "testsrc2=s=320x180:r=25:d=3[a];color=black:s=320x180:r=25:d=2[b];smptebars=s=320x180:r=25:d=3[c];testsrc2=s=320x180:r=25:d=2[d];[a][b][c][d]concat=n=4:v=1:a=0[out0];sine=f=1000:r=48000:d=4[e];anullsrc=r=48000:cl=mono,atrim=duration=3[f];sine=f=1000:r=48000:d=3[g];[e][f][g]concat=n=3:v=0:a=1,aformat=channel_layouts=stereo[out1]" \
    -c:v ffv1 -pix_fmt yuv420p -c:a pcm_s24le -timecode 10:00:00:00
report "$T/seg.mov" "$VSPEC"
expect_rc 0 "a clip with only warnings exits 0"
set -- $(findings black)
within "${1:-}" 3 0.04 "black starts at 3 s"
within "${2:-}" 5 0.04 "black ends at 5 s"
is "${5:-}" "10:00:03:00" "black in the file's timecode"
set -- $(findings freeze)
within "${1:-}" 5 0.04 "freeze starts at 5 s"
within "${2:-}" 8 0.04 "freeze ends at 8 s"
is "$(findings freeze | wc -l)" 1 "one freeze, and the black is not one"
set -- $(findings silence)
within "${1:-}" 4 0.04 "silence starts at 4 s"
within "${2:-}" 7 0.04 "silence ends at 7 s"
is "${5:-}" "10:00:04:00" "silence in the file's timecode"
is "$(findings silence | wc -l)" 1 "one finding for a silence on both channels"

# Determinism: the same file, the same measurements and findings.
"$JSONGET" findings <"$T/out" >"$T/f1"
"$JSONGET" measurements <"$T/out" >"$T/m1"
report "$T/seg.mov" "$VSPEC"
"$JSONGET" findings <"$T/out" >"$T/f2"
"$JSONGET" measurements <"$T/out" >"$T/m2"
cmp -s "$T/f1" "$T/f2" && cmp -s "$T/m1" "$T/m2"
ok $? "a second pass gives the same findings and measurements"

# Timecode continuity: two MPEG-2 streams whose GOP headers start at
# 10:00:00:00 and 11:00:00:00, joined.
gen "$T/tc1.ts" -f lavfi -i "testsrc2=s=320x180:r=25:d=3" -c:v mpeg2video \
    -g 12 -timecode 10:00:00:00
gen "$T/tc2.ts" -f lavfi -i "testsrc2=s=320x180:r=25:d=3" -c:v mpeg2video \
    -g 12 -timecode 11:00:00:00
report "$T/tc1.ts" "$VSPEC"
is "$(json timecode.start)" "10:00:00:00" "the stream's own timecode is read"
is "$(findings timecode.continuity | wc -l)" 0 "a continuous timecode passes"
cat "$T/tc1.ts" "$T/tc2.ts" >"$T/tc12.ts"
report "$T/tc12.ts" "$VSPEC"
set -- $(findings timecode.continuity)
within "${1:-}" 3 0.04 "the break in the timecode is found at 3 s"
is "$(findings timecode.continuity | wc -l)" 1 "once"

# flash CLIP HZ AREA: black/white at HZ over the left AREA of the width.
flash() {
    gen "$T/$1.mkv" -f lavfi -i "color=c=gray:s=640x360:r=25:d=4,format=yuv420p,geq=lum='if(lt(X,W*$3),if(lt(mod(T*2*$2,2),1),235,16),128)':cb=128:cr=128" \
        -c:v ffv1
    report "$T/$1.mkv" "$VSPEC"
}
flash f5 5 1
expect_rc 1 "a full-screen 5 Hz flash fails"
is "$(findings flash | awk '$3 == "fail"' | wc -l)" 1 "with one flash failure"
flash f2 2 1
expect_rc 0 "a full-screen 2 Hz flash passes"
is "$(findings flash | awk '$3 == "fail"' | wc -l)" 0 "with no flash failure"
flash a20 5 0.2
expect_rc 0 "a 5 Hz flash on 20 % of the screen passes"
flash a30 5 0.3
expect_rc 1 "a 5 Hz flash on 30 % of the screen fails"
set -- $(findings flash)
between "${1:-}" 0 0.5 "the flashing is found from the start"

# superwhite: Y' 255 on a box of 3 % (fails) and 0.5 % (passes).
sw() {
    gen "$T/$1.mkv" -f lavfi -i "color=c=gray:s=640x360:r=25:d=2,format=yuv420p,geq=lum='if(lt(X,W*$2)*lt(Y,H*0.5),255,128)':cb=128:cr=128" \
        -c:v ffv1
    report "$T/$1.mkv" "$VSPEC"
}
sw sw3 0.06
expect_rc 1 "superwhite on 3 % of the picture fails R103"
set -- $(findings levels.luma)
is "${3:-}" fail "as a levels.luma failure"
sw sw05 0.01
expect_rc 0 "superwhite on 0.5 % of the picture passes"

finish
