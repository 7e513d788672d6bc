#!/bin/sh
# tests/bench/qc.sh: the QC part of `make bench` (or `make bench-qc`);
# tests/bench/qc.mk passes MCR, BENCH_QC_PLUGIN, BENCH_QC_SPECS and
# BENCH_WORK. Times, median of $RUNS, interleaved:
#   - on a 1080p25 H.264 file with stereo PCM ($VIDEO_MIN minutes, 10 by
#     default): mcr qc against (a) decode only, ffmpeg -f null, the limit,
#     and (b) the separate ffmpeg runs an operator makes without mcr:
#     ebur128=peak=true, blackdetect, freezedetect, silencedetect and
#     signalstats, one after the other;
#   - on a stereo WAV ($WAV_MIN minutes, 60 by default): mcr qc against
#     ffmpeg's ebur128=peak=true.
# and mcr qc's peak RSS, with the CPU seconds (user + system) of each
# median run and the machine's load before and after (a shared machine
# slows the wall times of all alike, but not always fairly). Targets (issue 5): >= 0.8x the speed of decode
# only and >= 3x faster than the separate runs on the video; >= 1.5x
# faster than ebur128=peak=true on the WAV; peak RSS < 300 MB. A missed
# target is reported, not failed. Smaller files for a trial run:
# BENCH_QC_VIDEO_MINUTES=1 BENCH_QC_WAV_MINUTES=10 make bench-qc.

set -u
: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_QC_PLUGIN:?set BENCH_QC_PLUGIN to qc.so}"
: "${BENCH_QC_SPECS:?set BENCH_QC_SPECS to etc/specs}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
VIDEO_MIN=${BENCH_QC_VIDEO_MINUTES:-10}
WAV_MIN=${BENCH_QC_WAV_MINUTES:-60}
RUNS=${BENCH_QC_RUNS:-3}

command -v ffmpeg >/dev/null || {
    echo "qc.sh: the ffmpeg program is needed for the baselines" >&2
    exit 2
}
[ -x /usr/bin/time ] || {
    echo "qc.sh: GNU time (/usr/bin/time, Debian package time) is needed" \
        "for peak RSS" >&2
    exit 2
}
mkdir -p "$BENCH_WORK/qc/plugins" || exit 2
W="$BENCH_WORK/qc"
cp "$BENCH_QC_PLUGIN" "$W/plugins/" && chmod 755 "$W/plugins" &&
    chmod 644 "$W/plugins/qc.so" || exit 2
export MCR_PLUGIN_DIR="$W/plugins"
printf '[qc]\nspecs = %s\n' "$BENCH_QC_SPECS" >"$W/mcr.ini"
export XDG_STATE_HOME="$W/state" XDG_CONFIG_HOME="$W/config"

VIDEO="$W/video-${VIDEO_MIN}m.mov"
WAV="$W/stereo2-${WAV_MIN}m.wav"
if [ ! -s "$VIDEO" ]; then
    echo "making $VIDEO ($VIDEO_MIN min of 1080p25 H.264, stereo PCM)..."
    ffmpeg -nostdin -v error -y -f lavfi \
        -i "testsrc2=s=1920x1080:r=25:d=$((VIDEO_MIN * 60))" -f lavfi \
        -i "anoisesrc=color=pink:sample_rate=48000:d=$((VIDEO_MIN * 60)):a=0.2,aformat=channel_layouts=stereo" \
        -c:v libx264 -preset ultrafast -crf 23 -pix_fmt yuv420p \
        -c:a pcm_s24le -shortest -f mov "$VIDEO.part" && mv "$VIDEO.part" "$VIDEO" ||
        exit 2
fi
if [ ! -s "$WAV" ]; then
    echo "making $WAV ($WAV_MIN min of stereo 48 kHz 24-bit)..."
    # two independent pink noises (a real stereo pair, not dual mono)
    # whose level swells and falls over seconds, as programme does
    ffmpeg -nostdin -v error -y -f lavfi \
        -i "anoisesrc=color=pink:sample_rate=48000:d=$((WAV_MIN * 60)):a=0.2:seed=1[l];anoisesrc=color=pink:sample_rate=48000:d=$((WAV_MIN * 60)):a=0.2:seed=2[r];[l][r]amerge=inputs=2,volume='0.3+0.7*abs(sin(t/7))':eval=frame" \
        -c:a pcm_s24le -f wav "$WAV.part" && mv "$WAV.part" "$WAV" || exit 2
fi

# secs SCRIPT FILE: wall seconds of one run of sh -c SCRIPT with $F set
# to FILE (the peak RSS of its biggest process, KB, and the CPU seconds
# stay in $W/time: "wall rss user sys").
secs() {
    F=$2 /usr/bin/time -f '%e %M %U %S' -o "$W/time" sh -c "$1" >/dev/null \
        2>"$W/stderr"
    _rc=$?
    if [ $_rc -gt 1 ]; then
        echo "qc.sh: '$*' failed:" >&2
        tail -3 "$W/stderr" >&2
        exit 2
    fi
    tail -1 "$W/time" | awk '{ print $1 }'
    tail -1 "$W/time" | awk '{ print $3 + $4 }' >>"$W/cpu.$3"
}
# cpu NAME: the median CPU seconds of the runs recorded under NAME.
cpu() { median <"$W/cpu.$1"; }
median() { tr ' ' '\n' | grep . | sort -n | awk '{ v[NR] = $1 }
    END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

export MCR W
qc_run='"$MCR" --config "$W/mcr.ini" qc "$F" --spec web --no-log --quiet'
decode_only='ffmpeg -nostdin -v error -i "$F" -f null -'
separate='ffmpeg -nostdin -v error -i "$F" -af ebur128=peak=true -f null - &&
    ffmpeg -nostdin -v error -i "$F" -vf blackdetect -an -f null - &&
    ffmpeg -nostdin -v error -i "$F" -vf freezedetect -an -f null - &&
    ffmpeg -nostdin -v error -i "$F" -af silencedetect -vn -f null - &&
    ffmpeg -nostdin -v error -i "$F" -vf signalstats -an -f null -'
ebur='ffmpeg -nostdin -v error -i "$F" -af ebur128=peak=true -f null -'

echo "nproc $(nproc); $(uptime)"
rm -f "$W"/cpu.*
q="" d="" s="" rss=0
i=0
while [ "$i" -lt "$RUNS" ]; do
    q="$q $(secs "$qc_run" "$VIDEO" vq)"
    rss=$(tail -1 "$W/time" | awk -v a="$rss" '{ print ($2 > a) ? $2 : a }')
    d="$d $(secs "$decode_only" "$VIDEO" vd)"
    s="$s $(secs "$separate" "$VIDEO" vs)"
    i=$((i + 1))
done
mq=$(echo "$q" | median)
md=$(echo "$d" | median)
ms=$(echo "$s" | median)
echo "video ($VIDEO_MIN min 1080p25 H.264 + stereo PCM), median of $RUNS:"
echo "  mcr qc              $mq s   (runs:$q; CPU $(cpu vq) s)"
echo "  decode only         $md s   (runs:$d; CPU $(cpu vd) s)"
echo "  separate ffmpeg x5  $ms s   (runs:$s; CPU $(cpu vs) s)"
awk -v q="$mq" -v d="$md" -v s="$ms" 'BEGIN {
    r1 = d / q; r2 = s / q
    printf "  speed vs decode only: %.2fx (target >= 0.8x): %s\n", r1,
        (r1 >= 0.8) ? "met" : "MISSED"
    printf "  faster than separate runs: %.2fx (target >= 3x): %s\n", r2,
        (r2 >= 3) ? "met" : "MISSED" }'

q="" e=""
i=0
while [ "$i" -lt "$RUNS" ]; do
    q="$q $(secs "$qc_run" "$WAV" wq)"
    rss=$(tail -1 "$W/time" | awk -v a="$rss" '{ print ($2 > a) ? $2 : a }')
    e="$e $(secs "$ebur" "$WAV" we)"
    i=$((i + 1))
done
mq=$(echo "$q" | median)
me=$(echo "$e" | median)
echo "wav ($WAV_MIN min stereo 48 kHz), median of $RUNS:"
echo "  mcr qc              $mq s   (runs:$q; CPU $(cpu wq) s)"
echo "  ebur128=peak=true   $me s   (runs:$e; CPU $(cpu we) s)"
awk -v q="$mq" -v e="$me" -v rss="$rss" 'BEGIN {
    r = e / q
    printf "  faster than ebur128=peak=true: %.2fx (target >= 1.5x): %s\n",
        r, (r >= 1.5) ? "met" : "MISSED"
    printf "mcr qc peak RSS %.0f MB (target < 300 MB): %s\n", rss / 1024,
        (rss / 1024 < 300) ? "met" : "MISSED" }'
echo "after: $(uptime)"
