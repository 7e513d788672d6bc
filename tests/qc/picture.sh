#!/bin/sh
# QC accuracy, regular patterns and field order (issue 5), in the same
# decode pass as the rest. Patterns: 8 light/dark stripe pairs over 40 %
# of the screen moving for 2 s fail; 4 pairs pass; 8 pairs over 15 %
# pass; 8 pairs standing still for 0.3 s pass, for 1 s fail. Field order
# judged from the pictures (as FFmpeg's idet): interlaced content made
# top and bottom field first (tinterlace), progressive content, and a
# bottom-field-first picture flagged top field first is caught.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

PSPEC="$T/picture.ini"
cat >"$PSPEC" <<'INI'
[spec]
name = picture-test
[flash]
severity = fail
limit = 3
area = 25
[pattern]
severity = fail
pairs = 5
area = 25
stationary = 0.5
[field_order]
severity = fail
min_frames = 10
INI

# stripes CLIP PAIRS WIDTH HEIGHT FROM TO SPEED: vertical stripes, PAIRS
# pairs across the top-left WIDTH x HEIGHT share of a grey picture, shown
# from FROM to TO s, drifting SPEED pixels a second.
stripes() {
    gen "$T/$1.mkv" -f lavfi -i "color=c=gray:s=640x360:r=25:d=4,format=yuv420p,geq=lum='if(between(T,$5,$6-0.001)*lt(X,W*$3)*lt(Y,H*$4),if(lt(mod(X+T*$7,W*$3/$2),W*$3/$2/2),235,16),128)':cb=128:cr=128" \
        -c:v ffv1
    report "$T/$1.mkv" "$PSPEC"
}
stripes m8 8 0.8 0.5 1 3 32
expect_rc 1 "8 stripe pairs over 40 % of the screen, moving for 2 s, fail"
set -- $(findings pattern)
within "${1:-}" 1 0.04 "the pattern is found from 1 s"
within "${2:-}" 3 0.04 "to 3 s"
is "${3:-}" fail "as a failure"
has "$T/out" "moves or flickers" "the finding says it moves"
is "$(findings flash | wc -l)" 0 "and it is not taken for flashes"
stripes m4 4 0.8 0.5 1 3 32
expect_rc 0 "4 pairs over 40 % pass"
is "$(findings pattern | wc -l)" 0 "with no pattern finding"
stripes s15 8 0.6 0.25 1 3 32
expect_rc 0 "8 pairs over 15 % pass"
between "$(json measurements.video.max_pattern_area)" 12 20 \
    "the pattern's area is measured (about 15 %)"
stripes still03 8 0.8 0.5 1 1.3 0
expect_rc 0 "8 pairs over 40 % standing still for 0.3 s pass"
stripes still1 8 0.8 0.5 1 2 0
expect_rc 1 "standing still for 1 s they fail"
set -- $(findings pattern)
within "${1:-}" 1 0.04 "from 1 s"
has "$T/out" "stationary regular pattern" "as a stationary pattern"

# interlaced CLIP MODE TOP: 50p pictures woven into 25i fields (top first
# with interleave_top, bottom first with interleave_bottom), encoded as
# interlaced MPEG-2 flagged top field first when TOP is 1.
interlaced() {
    gen "$T/$1.mpg" -f lavfi -i "testsrc2=s=640x360:r=50:d=3,tinterlace=mode=$2" \
        -c:v mpeg2video -q:v 4 -flags +ildct+ilme -top "$3"
    report "$T/$1.mpg" "$PSPEC"
}
interlaced tff interleave_top 1
is "$(json measurements.video.scan.content)" tff "TFF content is seen as tff"
is "$(json measurements.video.scan.flags)" tff "beside its flags"
is "$(findings field_order.content | wc -l)" 0 "and they agree"
interlaced bff interleave_bottom 0
is "$(json measurements.video.scan.content)" bff "BFF content is seen as bff"
is "$(findings field_order.content | wc -l)" 0 "flagged bff, it agrees"
interlaced swapped interleave_bottom 1
expect_rc 1 "BFF content flagged TFF fails"
is "$(json measurements.video.scan.content)" bff "its content reads bff"
is "$(json measurements.video.scan.flags)" tff "its flags tff"
set -- $(findings field_order.content)
is "${3:-}" fail "a field_order.content failure"
gen "$T/prog.mpg" -f lavfi \
    -i "smptehdbars=s=640x360:r=25,scroll=h=0.01,trim=duration=3" \
    -c:v mpeg2video -q:v 4
report "$T/prog.mpg" "$PSPEC"
is "$(json measurements.video.scan.content)" progressive \
    "moving progressive pictures read progressive"
expect_rc 0 "and pass"

finish
