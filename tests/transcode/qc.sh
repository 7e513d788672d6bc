#!/bin/sh
# Transcode then QC through mcrd (issue 7): `mcr transcode --qc SPEC
# --wait` queues a qc.check job that depends on the transcode job, runs on
# its output with the real QC plugin, and files its report in the shift
# log; a QC failure is exit status 1. Then the issue's "done when": a
# camera-original-like clip (1080i25, timecode 14:23:10:05, sound at
# -23 LUFS) goes to a line-up'd XDCAM HD422 broadcast master and to a
# review proxy in two commands, each verified by probing and by QC; the
# master's line-up read back (bars, 1 kHz at -18 dBFS, a silent ident,
# black, the programme at 10:00:00:00 on the timecode track).
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/transcode/common.sh"

[ -f "$PLUGDIR/qc.so" ] || skip_all "the QC plugin (plugins/qc) is not built"
mkdir -p "$T/specs"
cp "$TESTS_SRCDIR/../etc/specs/"*.ini "$T/specs/"
{
    echo "[qc]"
    echo "specs = $T/specs"
} >>"$CFG"

# qc_of ID COLUMNS: a column of the QC report filed by job ID.
qc_of() {
    sql "SELECT $2 FROM qc_reports WHERE job_id = $1"
}
# qc_checks ID: the checks that failed, from the report's findings.
qc_checks() {
    sql "SELECT DISTINCT f.check_id FROM qc_findings f JOIN qc_reports r
        ON r.id = f.report_id WHERE r.job_id = $1 AND f.severity = 'fail'
        AND f.status = 'open' ORDER BY 1" | tr '\n' ' ' | sed 's/ $//'
}
# qcid: the QC job the last transcode queued.
qcid() {
    sed -n 's/^job \([0-9]*\) queued: qc.check.*/\1/p' "$T/out"
}
# ordered TRANSCODE QC: the QC job waited for the transcode job.
ordered() {
    is "$(sql "SELECT after_id FROM job_deps WHERE job_id = $2")" "$1" \
        "$3: the QC job depends on the transcode job"
    is "$(sql "SELECT (SELECT started FROM jobs WHERE id = $2) >=
        (SELECT finished FROM jobs WHERE id = $1)")" 1 \
        "$3: and started only once the transcode had finished"
    is "$(sql "SELECT json_extract(params, '$.file') FROM jobs WHERE id = $2")" \
        "$out" "$3: on the transcode's output"
}

# --- --qc on the web profile: -14 LUFS passes web, fails EBU R128 ---
# testsrc, not testsrc2: FFmpeg's idet (and the QC's field-order analysis
# like it) reads testsrc2's fast synthetic motion as top field first.
gen web.mov -f lavfi -i testsrc=s=1280x720:r=25:d=1 -f lavfi \
    -i "sine=f=1000:r=48000:d=1" -ac 2 -c:v mpeg2video -q:v 2 \
    -c:a pcm_s16le
transcode "$W/web.mov" --profile web-h264 -o "$W/web-pass.mp4" --qc web
expect_rc 0 "--qc web on the web profile's output: passes"
q=$(qcid)
has "$T/out" "job $q queued: qc.check against web, after job $id" \
    "the QC job is announced with its dependency"
ordered "$id" "$q" "--qc web"
is "$(job_state "$q")" done "--qc web: the QC job is done"
is "$(qc_of "$q" "verdict || ' ' || spec || ' ' || file")" \
    "pass web $out" "--qc web: its report is in the shift log, verdict pass"
lufs=$(qc_of "$q" "round(json_extract(report, '$.measurements.loudness.integrated'), 1)")
awk -v l="$lufs" 'BEGIN { exit !(l >= -14.5 && l <= -13.5) }'
ok $? "--qc web: the QC measured the -14 LUFS the profile asked for ($lufs)"

transcode "$W/web.mov" --profile web-h264 -o "$W/web-fail.mp4" --qc ebu-r128-hd
expect_rc 1 "--qc ebu-r128-hd on the web profile's output: the check fails"
q=$(qcid)
ordered "$id" "$q" "--qc ebu-r128-hd"
has "$T/err" "$out fails QC against ebu-r128-hd" "the failure is said in one line"
is "$(job_state "$id") $(job_state "$q")" "done done" \
    "the transcode and the QC job both ran to the end"
is "$(qc_of "$q" verdict)" fail "its report is in the shift log, verdict fail"
case " $(qc_checks "$q") " in *" loudness "*) r=0 ;; *) r=1 ;; esac
ok $r "it fails on loudness, -14 against -23 LUFS ($(qc_checks "$q"))"
[ -f "$out" ]
ok $? "a QC failure leaves the transcode's output for the operator"

# --- done when: camera original to master and proxy, two commands ---
# A camera-original-like clip: 1080i25 top field first, timecode
# 14:23:10:05, 1 kHz at -23 dBFS in stereo (-23 LUFS), 24-bit PCM.
gen A001C003.mov -f lavfi -i testsrc2=s=1920x1080:r=50:d=1 -f lavfi \
    -i "sine=f=1000:r=48000:d=1,volume=-5dB,pan=stereo|c0=c0|c1=c0" \
    -vf interlace=scan=tff -c:v mpeg2video -flags +ildct+ilme -top 1 \
    -q:v 2 -c:a pcm_s24le -timecode 14:23:10:05
cat >"$W/lineup.ini" <<'INI'
[lineup]
programme = 10:00:00:00
bars = ebu100
bars_start = 09:59:59:00
ident_start = 09:59:59:10
title = A001C003
black_start = 09:59:59:20
INI
# The master's spec: the ebu-r128-hd checks for an XDCAM HD422 master
# (8-bit MPEG-2) whose timecode starts with its line-up. The file's
# integrated loudness includes the -18 dBFS line-up tone, so it is
# measured here and the programme's loudness is checked below.
cat >"$T/specs/xdcam-master.ini" <<'INI'
[spec]
name = xdcam-master
title = XDCAM HD422 1080i25 master with line-up
extends = ebu-r128-hd
[loudness]
severity = info
[timecode]
severity = fail
required = yes
start = 09:59:59:00
[interlace]
severity = fail
expect = tff
[video]
severity = fail
bit_depth = 8
codec = mpeg2video
INI
cat >"$T/specs/review-proxy.ini" <<'INI'
[spec]
name = review-proxy
title = H.264 review proxy at the camera's timecode
extends = ebu-r128-hd
[timecode]
severity = fail
required = yes
start = 14:23:10:05
[interlace]
severity = fail
expect = progressive
[container]
severity = fail
format = mp4
[video]
severity = fail
width = 960
height = 540
scan = progressive
field_order = progressive
bit_depth = 8
codec = h264
[audio]
severity = fail
codec = aac
# what the AAC decoder reports, as the web spec has it
bit_depth = 0, 16
INI

transcode "$W/A001C003.mov" --profile xdcam-hd422 -o "$W/A001C003_master.mxf" \
    --lineup "$W/lineup.ini" --qc xdcam-master
expect_rc 0 "master: one command transcodes, lines up and passes QC"
q=$(qcid)
master=$out
ordered "$id" "$q" "master"
is "$(qc_of "$q" verdict)" pass "master: QC passes (report in the shift log)"
is "$(probe "$out" v:0 codec_name,width,height,pix_fmt)" \
    "mpeg2video,1920,1080,yuv422p" "master: MPEG-2 4:2:2 1920x1080"
is "$(probe "$out" v:0 field_order,r_frame_rate)" "tt,25/1" \
    "master: 25 frames a second, top field first"
is "$(nstreams "$out" audio)" 8 "master: eight tracks"
is "$(probe "$out" a:0 codec_name,sample_rate,channels)" \
    "pcm_s24le,48000,1" "master: mono 24-bit 48 kHz PCM"
is "$(probe "$out" format timecode)" "09:59:59:00" \
    "master: the timecode track starts with the line-up"
is "$(frames "$out")" 50 "master: 25 line-up frames and the 25 of the clip"
is "$(probe "$out" a:0 duration)" "2.000000" \
    "master: the sound lasts as long as the picture, to the sample"
is "$(res programme_tc)" "10:00:00:00" "master: the programme starts at 10:00:00:00"
# 09:59:59:00 plus 25 frames at 25 a second is 10:00:00:00: frame 25 is
# the clip's first frame, frame 24 the line-up's black.
near "$(pixel "$out" 960 540 24)" "0 0 0" 6
ok $? "master: frame 24 (09:59:59:24) is black"
cam=$(pixel "$W/A001C003.mov" 1500 300 0)
near "$(pixel "$out" 1500 300 25)" "$cam" 12
ok $? "master: frame 25 (10:00:00:00) is the clip's first frame ($cam)"
near "$(pixel "$out" 60 540 0)" "255 255 255" 6
ok $? "line-up: frame 0 is bars (white bar at the left)"
near "$(pixel "$out" 1860 540 0)" "0 0 0" 6
ok $? "line-up: frame 0 is bars (black bar at the right)"
# Bars and tone are frames 0-9 (0-0.4 s), the ident 10-19 (0.4-0.8 s).
stats=$(ffmpeg -hide_banner -nostats -i "$out" -map 0:a:0 -af atrim=0:0.4,astats=measure_overall=Peak_level:measure_perchannel=Zero_crossings_rate -f null - 2>&1)
peak=$(echo "$stats" | sed -n 's/.*Peak level dB: *//p' | tail -n 1)
zcr=$(echo "$stats" | sed -n 's/.*Zero crossings rate: *//p' | head -n 1)
awk -v p="$peak" 'BEGIN { exit !(p >= -18.1 && p <= -17.9) }'
ok $? "line-up: the tone is at -18 dBFS +/-0.1 dB ($peak)"
awk -v z="$zcr" 'BEGIN { f = z * 48000 / 2; exit !(f > 995 && f < 1005) }'
ok $? "line-up: the tone is 1 kHz (zero crossings rate $zcr)"
silent=$(ffmpeg -hide_banner -nostats -i "$out" -map 0:a:0 -af atrim=0.44:0.76,astats=measure_overall=Peak_level:measure_perchannel=none -f null - 2>&1 | sed -n 's/.*Peak level dB: *//p' | tail -n 1)
is "$silent" "-inf" "line-up: the ident is silent"
is "$(res lineup_frames)" 25 "line-up: 25 frames before the programme"
prog=$(ffmpeg -hide_banner -nostats -i "$out" -filter_complex \
    "[0:a:0][0:a:1]join=inputs=2:channel_layout=stereo,atrim=start=1,ebur128" \
    -f null - 2>&1 | sed -n 's/^ *I: *\(-*[0-9.]*\) LUFS/\1/p' | tail -n 1)
awk -v l="$prog" 'BEGIN { exit !(l >= -23.5 && l <= -22.5) }'
ok $? "master: the programme reads -23 LUFS from 10:00:00:00 ($prog)"

transcode "$W/A001C003.mov" --profile proxy-h264 --qc review-proxy
expect_rc 0 "proxy: one command transcodes and passes QC"
q=$(qcid)
ordered "$id" "$q" "proxy"
is "$(qc_of "$q" verdict)" pass "proxy: QC passes (report in the shift log)"
is "$(probe "$out" v:0 codec_name,width,height,pix_fmt)" "h264,960,540,yuv420p" \
    "proxy: H.264 960x540"
is "$(probe "$out" v:0 field_order)" "progressive" \
    "proxy: progressive (deinterlaced)"
is "$(probe "$out" a:0 codec_name,channels)" "aac,2" "proxy: AAC stereo"
is "$(tc "$out")" "14:23:10:05" "proxy: the camera's timecode"
is "$(frames "$out")" 25 "proxy: the clip's 25 frames"
is "$(sql "SELECT count(*) FROM qc_reports WHERE verdict = 'pass' AND
    file IN ('$master', '$out')")" 2 "both deliverables have a passing QC report"
no_leftovers "no .part file is left behind"
finish
