#!/bin/sh
# Legacy SD conversions through mcrd (issue 7): SD to HD (bwdif, BT.601 to
# BT.709, 4:3 pillarboxed), HD 50p to PAL 576i25 bottom field first
# (anamorphic 16:9) and 59.94p to NTSC 480i letterboxed, each output's
# field order checked by analysis and reported; and a job paused, resumed
# and cancelled, which leaves no output behind.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/transcode/common.sh"

gen sd.mov -f lavfi -i testsrc2=s=720x576:r=50 -f lavfi -i sine=r=48000 \
    -t 0.4 -vf "interlace=scan=tff,setsar=16/15" -c:v mpeg2video \
    -flags +ildct+ilme -top 1 -q:v 2 -aspect 4:3 -c:a pcm_s16le
gen hd50.mov -f lavfi -i testsrc2=s=1280x720:r=50 -f lavfi \
    -i sine=r=48000 -t 1 -c:v mpeg2video -q:v 2 -c:a pcm_s16le
gen hd5994.mov -f lavfi -i testsrc2=s=1280x720:r=60000/1001 -f lavfi \
    -i sine=r=48000 -t 1 -c:v mpeg2video -q:v 2 -c:a pcm_s16le

is "$(probe "$W/sd.mov" v:0 field_order)" "tt" "the SD source is interlaced, top field first"
transcode "$W/sd.mov" --profile hd-upconvert
expect_rc 0 "SD to HD: done"
is "$(probe "$out" v:0 width,height,field_order)" "1920,1080,progressive" "SD to HD: 1080 progressive"
is "$(probe "$out" v:0 color_space,color_primaries)" "bt709,bt709" "SD to HD: tagged BT.709"
is "$(frames "$out")" 10 "SD to HD: 10 frames from 0.4 s"
near "$(pixel "$out" 100 540)" "0 0 0" 6
ok $? "SD to HD: 4:3 is pillarboxed (black at the left)"
near "$(pixel "$out" 1820 540)" "0 0 0" 6
ok $? "SD to HD: and at the right"
is "$(res field_order.analysed)" "progressive" "SD to HD: analysis finds a progressive picture (deinterlaced)"
run "$MCR" --db "$DB" --config "$CFG" job log "$id"
has "$T/out" "[vin]bwdif=mode=send_frame" "SD to HD: the graph deinterlaces with bwdif first"

transcode "$W/hd50.mov" --profile pal-dv
expect_rc 0 "HD 50p to PAL: done"
is "$(probe "$out" v:0 codec_name,width,height)" "dvvideo,720,576" "HD to PAL: DV 720x576"
is "$(probe "$out" v:0 field_order,r_frame_rate)" "bb,25/1" "HD to PAL: 25 frames, bottom field first"
is "$(probe "$out" v:0 display_aspect_ratio)" "16:9" "HD to PAL: 16:9 anamorphic"
is "$(probe "$out" v:0 color_space)" "bt470bg" "HD to PAL: tagged BT.601 625"
is "$(frames "$out")" 25 "HD to PAL: 25 frames from 1 s of 50p"
is "$(res field_order.flagged)" "bff" "HD to PAL: flagged bottom field first"
is "$(res field_order.analysed)" "bff" "HD to PAL: and the analysis agrees"
has "$T/result" "the picture analyses as bff" "HD to PAL: the report says so"
run "$MCR" --db "$DB" --config "$CFG" log --json
has "$T/out" "field_order" "the field order report is in the shift log as a finding"

transcode "$W/hd5994.mov" --profile ntsc-dv
expect_rc 0 "HD 59.94p to NTSC: done"
is "$(probe "$out" v:0 width,height,field_order,r_frame_rate)" "720,480,bb,30000/1001" "HD to NTSC: 480i29.97 bottom field first"
is "$(probe "$out" v:0 display_aspect_ratio)" "4:3" "HD to NTSC: 4:3"
near "$(pixel "$out" 360 10)" "0 0 0" 6
ok $? "HD to NTSC: 16:9 is letterboxed (black at the top)"
is "$(res field_order.analysed)" "bff" "HD to NTSC: the analysis finds bottom field first"

# A slow job (SD to HD, 1080 ProRes) paused, resumed, then cancelled.
gen long.mov -f lavfi -i testsrc2=s=720x576:r=25 -t 8 -c:v mpeg2video -q:v 2
"$MCR" --db "$DB" --config "$CFG" transcode "$W/long.mov" --profile hd-upconvert \
    -o "$W/cancel.mov" >"$T/out" 2>"$T/err"
id=$(sed -n 's/^job \([0-9]*\) queued.*/\1/p' "$T/out")
wait_state "$id" running 30
ok $? "the long job runs"
n=0
while [ "$n" -lt 100 ] && [ ! -e "$W/cancel.mov.part" ]; do sleep 0.1; n=$((n + 1)); done
[ -e "$W/cancel.mov.part" ]
ok $? "it writes to a temporary name"
run "$MCR" --db "$DB" --config "$CFG" job pause "$id"
wait_state "$id" paused 10
ok $? "pause: the job is paused"
run "$MCR" --db "$DB" --config "$CFG" job resume "$id"
wait_state "$id" running 10
ok $? "resume: it runs again"
run "$MCR" --db "$DB" --config "$CFG" job cancel "$id"
wait_state "$id" cancelled 20
ok $? "cancel: the job is cancelled"
[ ! -e "$W/cancel.mov" ] && [ ! -e "$W/cancel.mov.part" ]
ok $? "cancel: nothing is left, neither the output nor its temporary"
finish
