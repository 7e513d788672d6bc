#!/bin/sh
# The transcode plugin through mcrd (issue 7): each profile on generated
# sources, checked by probing the output (codec, size, rate, field order,
# channels, start timecode, duration to the frame); a LUT that inverts
# colour; an audio offset that moves a click to the expected frame; a
# layback; and bad input that leaves nothing behind. The XDCAM master
# with its line-up is in qc.sh.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/transcode/common.sh"

# Sources: 2 s of moving pattern at 320x180 25p with a 1 kHz tone and
# timecode 01:00:00:00; EBU bars; a click at 1.00 s; a layback WAV with a
# click at 0.60 s; a 0.2 s clip for the 1080 profile.
gen src.mov -f lavfi -i testsrc2=s=320x180:r=25:d=2 -f lavfi \
    -i "sine=f=1000:r=48000:d=2" -ac 2 -c:v mpeg2video -q:v 2 \
    -c:a pcm_s16le -timecode 01:00:00:00
gen bars.mov -f lavfi -i "pal100bars=s=320x180:r=25:d=1,format=rgb24,scale=out_color_matrix=bt709:out_range=tv,format=yuv422p" \
    -c:v mpeg2video -q:v 1 -colorspace bt709 -color_primaries bt709 \
    -color_trc bt709
gen click.mov -f lavfi -i testsrc2=s=320x180:r=25:d=2 -f lavfi \
    -i "aevalsrc=if(between(t\,1\,1.02)\,0.5*sin(2*PI*1000*t)\,0):s=48000:d=2" \
    -c:v mpeg2video -q:v 2 -c:a pcm_s16le
gen lay.wav -f lavfi \
    -i "aevalsrc=if(between(t\,0.6\,0.62)\,0.5*sin(2*PI*1000*t)\,0)|0:s=48000:d=2" \
    -c:a pcm_s24le
gen tiny.mov -f lavfi -i testsrc2=s=320x180:r=25:d=0.2 -f lavfi \
    -i "sine=f=1000:r=48000:d=0.2" -ac 2 -c:v mpeg2video -q:v 2 \
    -c:a pcm_s16le

# --- mcr profiles ---
cat >"$T/profiles/broken.ini" <<'INI'
[profile]
container = mov
[video]
codec = prores_ks
pix_fmt = yuv422p10le
sharpness = 3
INI
cat >"$T/profiles/noenc.ini" <<'INI'
[profile]
description = an encoder this FFmpeg lacks
container = mov
[video]
codec = mcr_no_such_encoder
pix_fmt = yuv420p
INI
run "$MCR" --db "$DB" --config "$CFG" profiles
expect_rc 0 "mcr profiles lists the profiles"
for p in prores-hq dnxhr-hq proxy-h264 xdcam-hd422 avc-intra-100 pal-dv \
    ntsc-dv web-h264 wav-stems hd-upconvert; do
    has "$T/out" "$p " "mcr profiles shows $p"
done
has "$T/out" "NOT AVAILABLE: this FFmpeg cannot encode it: profile noenc: this FFmpeg has no mcr_no_such_encoder video encoder" \
    "mcr profiles says which profile cannot be encoded here, and why"
has "$T/out" "broken.ini:6: unknown key 'sharpness' in [video]" \
    "a broken profile is shown with its file and line"
run "$MCR" --db "$DB" --config "$CFG" profiles --json
is "$("$JSONGET" length:profiles <"$T/out")" 12 "mcr profiles --json has all twelve"
avail=$(grep -Eo '"available": *true' "$T/out" | wc -l)
is "$avail" 10 "the ten shipped profiles can be encoded with this FFmpeg"
rm "$T/profiles/broken.ini" "$T/profiles/noenc.ini"

# --- every job that needs no other queued at once ---
# They run side by side on mcrd's workers, and no check waits on a daemon
# round trip of its own; each is collected and checked below, in the
# order of the sections. First an inverting LUT and a corrupt source.
printf 'TITLE "invert"\nLUT_3D_SIZE 2\n' >"$W/inv.cube"
for b in 1 0; do for g in 1 0; do for r in 1 0; do
    echo "$r $g $b"; done; done; done >>"$W/inv.cube"
# A recording cut short: the first 20,000 bytes of a QuickTime file whose
# index (moov) comes at the end. (Random bytes read as some format now and
# then, which made the error vary.)
head -c 20000 "$W/src.mov" >"$W/corrupt.mov"
queue prores "$W/src.mov" --profile prores-hq
queue dnxhr "$W/src.mov" --profile dnxhr-hq -o "$W/dnx.mxf" --tc-start 10:00:00:00
queue proxy "$W/src.mov" --profile proxy-h264
queue web "$W/src.mov" --profile web-h264
queue stems "$W/src.mov" --profile wav-stems --tc-start 10:00:00:00
queue avci "$W/tiny.mov" --profile avc-intra-100 -o "$W/avci.mxf"
queue lut "$W/bars.mov" --profile prores-hq -o "$W/lut.mov" --lut "$W/inv.cube"
queue late "$W/click.mov" --profile prores-hq -o "$W/late.mov" --audio-offset 3f
queue early "$W/click.mov" --profile prores-hq -o "$W/early.mov" --audio-offset -200
queue lay "$W/click.mov" --profile prores-hq -o "$W/lay.mov" --audio "$W/lay.wav"
queue swap "$W/click.mov" --profile dnxhr-hq -o "$W/swap.mxf" --audio-map 1:2
queue tc "$W/src.mov" --profile prores-hq -o "$W/tc.mov" --tc-start 10:00:00:25
queue corrupt "$W/corrupt.mov" --profile prores-hq -o "$W/corrupt-out.mov"
queue ntsc "$W/src.mov" --profile ntsc-dv -o "$W/ntsc.mov"

# --- each profile, probed ---
collect prores
expect_rc 0 "prores-hq: done"
is "$out" "$W/src_prores-hq.mov" "prores-hq: named by the profile's template"
is "$(probe "$out" v:0 codec_name,profile)" "prores,HQ" "prores-hq: ProRes 422 HQ"
is "$(probe "$out" v:0 width,height,pix_fmt)" "320,180,yuv422p10le" "prores-hq: source size, 10-bit 4:2:2"
is "$(probe "$out" v:0 r_frame_rate,field_order)" "progressive,25/1" "prores-hq: 25p"
is "$(frames "$out")" 50 "prores-hq: 50 frames, as the source"
is "$(probe "$out" a:0 codec_name,channels)" "pcm_s24le,2" "prores-hq: 24-bit PCM stereo"
is "$(probe "$out" a:0 duration)" "2.000000" "prores-hq: the sound lasts as long as the picture"
is "$(tc "$out")" "01:00:00:00" "prores-hq: the source's timecode"
is "$(res tc_end)" "01:00:02:00" "prores-hq: the result gives the end timecode"
is "$(sql "SELECT video_codec || ' ' || tc_start FROM media WHERE path = '$out'")" \
    "prores_ks 01:00:00:00" "prores-hq: the output is in the media catalogue"
has "$T/out" "job $id queued: transcode.run to $out" "the job's number and output are printed"
run "$MCR" --db "$DB" --config "$CFG" job show "$id"
has "$T/out" "fps" "the job's progress says frames a second"
has "$T/out" "x real time" "and speed as times real time"

collect dnxhr
expect_rc 0 "dnxhr-hq: done"
is "$(probe "$out" v:0 codec_name,profile)" "dnxhd,DNXHR HQ" "dnxhr-hq: DNxHR HQ"
is "$(probe "$out" v:0 width,height)" "320,180" "dnxhr-hq: source size"
is "$(nstreams "$out" audio)" 2 "dnxhr-hq: two mono tracks"
is "$(probe "$out" a:1 channels)" 1 "dnxhr-hq: each track mono"
is "$(probe "$out" format timecode)" "10:00:00:00" "dnxhr-hq: --tc-start sets the start timecode"
is "$(frames "$out")" 50 "dnxhr-hq: 50 frames"

collect proxy
expect_rc 0 "proxy-h264: done"
is "$(probe "$out" v:0 codec_name,width,height,pix_fmt)" "h264,960,540,yuv420p" "proxy-h264: 960x540 H.264"
is "$(probe "$out" a:0 codec_name,channels)" "aac,2" "proxy-h264: AAC stereo"
is "$(tc "$out")" "01:00:00:00" "proxy-h264: a timecode track"
is "$(frames "$out")" 50 "proxy-h264: 50 frames"
# The burnt-in timecode's box darkens the bottom centre; the watermark
# lightens the top; the picture without them is a prores of the same.
px=$(pixel "$out" 480 500)
src=$(ffmpeg -v error -i "$W/src.mov" -vf "scale=960:540,format=rgb24,crop=1:1:480:500" -frames:v 1 -f rawvideo - | od -An -tu1 | tr -s ' ' | sed 's/^ //')
near "$px" "$src" 20
[ $? -ne 0 ]
ok $? "proxy-h264: the timecode is burnt in (bottom centre $px, source $src)"

collect web
expect_rc 0 "web-h264: done"
is "$(probe "$out" v:0 codec_name,width,height)" "h264,320,180" "web-h264: H.264 at source size"
lufs=$(ffmpeg -hide_banner -nostats -i "$out" -af ebur128 -f null - 2>&1 |
    sed -n 's/^ *I: *\(-*[0-9.]*\) LUFS/\1/p' | tail -n 1)
awk -v l="$lufs" 'BEGIN { exit !(l >= -14.5 && l <= -13.5) }'
ok $? "web-h264: the output reads -14 LUFS ($lufs)"
has "$T/result" '"mode":"linear"' "web-h264: one linear gain"

collect stems
expect_rc 0 "wav-stems: done"
for n in 1 2 3 4; do
    f="$W/src_A$n.wav"
    is "$(probe "$f" a:0 codec_name,channels,sample_rate)" "pcm_s24le,48000,1" "wav-stems: track $n is mono 24-bit"
done
is "$(probe "$W/src_A1.wav" a:0 duration)" "2.000000" "wav-stems: the source's length"
is "$(probe "$W/src_A1.wav" format time_reference)" "1728000000" "wav-stems: BWF time reference at 10:00:00:00"
is "$(res length:outputs)" 4 "wav-stems: four files"

collect avci
expect_rc 0 "avc-intra-100: done"
is "$(probe "$out" v:0 codec_name,profile)" "h264,High 4:2:2 Intra" "avc-intra-100: AVC-Intra"
is "$(probe "$out" v:0 width,height,field_order)" "1920,1080,tt" "avc-intra-100: 1080 top field first"
is "$(nstreams "$out" audio)" 4 "avc-intra-100: four mono tracks"
is "$(frames "$out")" 5 "avc-intra-100: 5 frames"

# The XDCAM HD422 master and the line-up (bars, tone, ident, black, the
# programme at 10:00:00:00) are in qc.sh, on a 1080i camera-like clip.
cat >"$W/lineup.ini" <<'INI'
[lineup]
programme = 10:00:00:00
bars = ebu100
bars_start = 09:59:59:00
ident_start = 09:59:59:15
title = TEST PROGRAMME
black_start = 09:59:59:20
INI

# --- LUT: an inverting .cube turns the green bar magenta ---
collect lut
expect_rc 0 "LUT: done"
green=$(pixel "$W/lut.mov" 140 90)
magenta=$(pixel "$W/bars.mov" 180 90)
near "$green" "$magenta" 6
ok $? "LUT: the green bar comes out as the magenta bar ($green, $magenta)"
near "$(pixel "$W/lut.mov" 20 90)" "0 0 0" 6
ok $? "LUT: the white bar comes out black"

# --- sync: offsets and layback move a click ---
click_at() {
    ffmpeg -hide_banner -nostats -i "$1" -map 0:a:0 -af silencedetect=n=-40dB:d=0.1 -f null - 2>&1 |
        sed -n 's/.*silence_end: \([0-9.]*\).*/\1/p' | head -n 1 |
        awk '{ printf "%d", $1 * 25 + 0.5 }'
}
is "$(click_at "$W/click.mov")" 25 "the source's click is at frame 25"
collect late
expect_rc 0 "--audio-offset 3f: done"
is "$(click_at "$W/late.mov")" 28 "--audio-offset 3f moves the click to frame 28"
is "$(probe "$W/late.mov" a:0 duration)" "2.000000" "and the sound still lasts as long as the picture"
collect early
expect_rc 0 "--audio-offset -200: done"
is "$(click_at "$W/early.mov")" 20 "--audio-offset -200 (ms) moves the click to frame 20"
collect lay
expect_rc 0 "--audio layback: done"
is "$(click_at "$W/lay.mov")" 15 "--audio lays back the WAV: its click at frame 15"
# peaks FILE: the peak level of each channel of each audio stream.
peaks() {
    ffmpeg -hide_banner -nostats -i "$1" -filter_complex \
        "$(n=$(nstreams "$1" audio); i=0; while [ $i -lt "$n" ]; do
            printf '[0:a:%d]' $i; i=$((i + 1)); done
            [ "$n" -gt 1 ] && printf 'amerge=inputs=%d,' "$n" || printf 'anull,')astats=measure_perchannel=Peak_level:measure_overall=none" \
        -f null - 2>&1 | sed -n 's/.*Peak level dB: *//p' |
        awk '{ printf "%s%s", (NR > 1 ? " " : ""), ($1 == "-inf" ? "-inf" : int($1 - 0.5)) }'
}
collect swap
expect_rc 0 "--audio-map 1:2: done"
is "$(nstreams "$W/swap.mxf" audio)" 2 "--audio-map 1:2: two mono tracks"
is "$(peaks "$W/swap.mxf")" "-inf -6" "--audio-map 1:2: the mono source is on track 2 only"
transcode "$W/swap.mxf" --profile prores-hq -o "$W/back.mov" --audio-map 2:1
expect_rc 0 "--audio-map 2:1 from two mono streams: done"
is "$(peaks "$W/back.mov")" "-6 -inf" "--audio-map 2:1: the second stream's channel is on the left"

# --- bad input: a clear error, and nothing left behind ---
njobs=$(sql "SELECT count(*) FROM jobs")
transcode "$W/src.mov" --profile nope
expect_rc 2 "an unknown profile is refused"
has "$T/err" "there is no profile 'nope'" "and the error says so"
one_line "$T/err" "in one line"
printf 'LUT_3D_SIZE 2\n0 0 0\n1 0 0\n0 1\n' >"$W/bad.cube"
transcode "$W/src.mov" --profile prores-hq -o "$W/badlut.mov" --lut "$W/bad.cube"
expect_rc 2 "a malformed .cube is refused"
has "$T/err" "$W/bad.cube:4: a table row wants three numbers" "with its file and line"
transcode "$W/src.mov" --profile prores-hq -o "$W/nolut.mov" --lut "$W/missing.cube"
expect_rc 2 "a missing LUT is refused"
has "$T/err" "cannot find the LUT $W/missing.cube" "and the error says so"
transcode "$W/src.mov" --profile prores-hq -o "$W/both.mov" --tc-start 10:00:00:00 --lineup "$W/lineup.ini"
expect_rc 2 "--tc-start with --lineup is refused"
has "$T/err" "--tc-start and --lineup both say where the programme starts" "and the error says why"
transcode "$W/src.mov" --profile prores-hq -o "$W/map.mov" --audio-map 1:9
expect_rc 2 "--audio-map to a channel the profile lacks is refused"
has "$T/err" "names output channel 9, and profile prores-hq has 2" "and the error says why"
transcode "$W/src.mov" --profile prores-hq -o "$W/off.mov" --audio-offset 2s
expect_rc 2 "an offset that is neither ms nor frames is refused"
has "$T/err" "--audio-offset '2s' is not an offset" "and the error says why"
transcode "$W/src.mov" --profile prores-hq -o "/tmp/outside-$$.mov"
expect_rc 2 "an output outside every volume is refused"
has "$T/err" "outside every configured volume" "and the error says why"
transcode "$W/src.mov" --profile prores-hq
expect_rc 2 "an existing output is not overwritten"
has "$T/err" "exists already" "and the error says so"
is "$(sql "SELECT count(*) FROM jobs")" "$njobs" "none of these queued a job"
collect tc
expect_rc 2 "a timecode past the source's frame rate fails the job"
has "$T/err" "--tc-start: " "and the error says which option"
if [ -f "$PLUGDIR/qc.so" ]; then
    ok 0 "# SKIP --qc refusal: the QC plugin is installed"
else
    transcode "$W/src.mov" --profile prores-hq -o "$W/qc.mov" --qc ebu-r128
    expect_rc 2 "--qc without the QC plugin is refused"
    has "$T/err" "--qc needs the QC plugin" "and the error says so"
fi

collect corrupt
expect_rc 2 "a corrupt source fails the job"
has "$T/err" "cannot open $W/corrupt.mov as media" "and the error says what"
[ ! -e "$W/corrupt-out.mov" ]
ok $? "a corrupt source leaves no output"
collect ntsc
expect_rc 2 "25p to 29.97i is refused"
has "$T/err" "needs a standards converter, which mcr does not do" "unsupported rate conversions say so"
[ ! -e "$W/ntsc.mov" ]
ok $? "the refused conversion leaves no output"
no_leftovers "no .part file is left behind"
# Each finished job's last progress is the count it wrote: "frame N of N".
bad=$(sql "SELECT id || ': ' || progress_subject FROM jobs WHERE
    kind = 'transcode.run' AND state = 'done'" |
    grep -Ev '^[0-9]+: frame ([0-9]+) of \1,')
is "$bad" "" "every done job ends on its last frame (frame N of N)"
is "$(sql "SELECT count(*) FROM jobs WHERE kind = 'transcode.run' AND
    state = 'done' AND progress = 1")" \
    "$(sql "SELECT count(*) FROM jobs WHERE kind = 'transcode.run' AND
    state = 'done'")" "and at a progress of 1"
finish
