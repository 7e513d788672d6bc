#!/bin/sh
# tests/bench/transcode.sh: `make bench-transcode` (and `make bench`).
# A 2-minute 1080p25 source (made once with the ffmpeg program and kept in
# $BENCH_WORK) goes to the H.264 review proxy and to ProRes 422 HQ, by
# mcr-worker running transcode.run (the job's own process, as mcrd starts
# it) and by the ffmpeg program with the equivalent command line: the same
# filter graph (taken from the job's log), the same encoders and options,
# the same muxer options. The graph's apad is left out and -shortest
# added (ffmpeg 5.1 never ends a graph with apad; the source's sound is
# as long as its picture, so nothing needs padding). Runs alternate, mcr first then ffmpeg, so both
# see the same machine; the summary gives medians of wall time, the
# ratio mcr/ffmpeg (the issue's target: within 5 %), CPU time (user +
# system, steadier than wall time on a shared machine) and peak RSS.
# The machine's load (uptime) is printed before each pair of runs and at
# the end: on a shared machine wall time follows it, CPU time much less.
# BENCH_SECONDS shortens the source for a trial run; BENCH_RUNS sets the
# runs per side (default 3). The exit status is 0 unless a command failed.

set -u
: "${BENCH_WORKER:?set BENCH_WORKER to mcr-worker}"
: "${BENCH_PLUGIN:?set BENCH_PLUGIN to transcode.so}"
: "${BENCH_PROFILES:?set BENCH_PROFILES to etc/profiles}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
SECONDS_LONG=${BENCH_SECONDS:-120}
RUNS=${BENCH_RUNS:-3}
PROFILES=${BENCH_TRANSCODE_PROFILES:-proxy-h264 prores-hq}

for p in ffmpeg ffprobe; do
    command -v $p >/dev/null || {
        echo "transcode.sh: the $p program is the baseline; install the" \
            "Debian package ffmpeg" >&2
        exit 2
    }
done
[ -x /usr/bin/time ] || {
    echo "transcode.sh: /usr/bin/time (Debian package time) measures peak RSS" >&2
    exit 2
}

mkdir -p "$BENCH_WORK" || exit 1
T=$(mktemp -d "$BENCH_WORK/transcode-XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$T/plugins" "$T/out"
cp "$BENCH_PLUGIN" "$T/plugins/" && chmod 755 "$T/plugins" || exit 1

src=$BENCH_WORK/transcode-src-$SECONDS_LONG.mov
if [ ! -f "$src" ]; then
    echo "making a $SECONDS_LONG s 1080p25 source (once): $src"
    ffmpeg -hide_banner -v error -y -f lavfi \
        -i "testsrc2=s=1920x1080:r=25:d=$SECONDS_LONG" -f lavfi \
        -i "sine=f=1000:r=48000:d=$SECONDS_LONG" -ac 2 \
        -c:v mpeg2video -pix_fmt yuv420p -b:v 25M -g 12 \
        -c:a pcm_s16le -timecode 01:00:00:00 "$src.tmp.mov" &&
        mv "$src.tmp.mov" "$src" || exit 1
fi

# job NAME PROFILE OUT: the worker's job document.
job() {
    printf '{"protocol":1,"job":{"id":1,"kind":"transcode.run","params":{"file":"%s","profile":"%s","output":"%s"},"attempt":1},"plugin_dir":"%s","volumes":[{"name":"bench","path":"%s","role":"production","warn":0.99,"crit":0.999}],"config":[["profiles","%s"]],"state":{}}' \
        "$src" "$1" "$2" "$T/plugins" "$T" "$BENCH_PROFILES"
}

# median FILE
median() {
    sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2];
        else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ffmpeg_args PROFILE LOG: the ffmpeg command line equivalent to the job,
# from the graph the job logged (into $T/graph: it holds spaces) and the
# profile's encoder settings.
ffmpeg_args() {
    sed -n 's/.*programme graph: //p' "$2" | sed \
        -e 's/\[vin\]/[0:v:0]/' -e 's/\[a0\]/[0:a:0]/' \
        -e 's/;\[vout\]buffersink@vout//' \
        -e 's/;\[aout\]abuffersink@aout//' -e 's/,apad,/,/' >"$T/graph"
    case $1 in
    proxy-h264)
        echo "-filter_complex_script $T/graph -map [vout] -map [aout] -shortest" \
            "-c:v libx264 -preset veryfast -crf 23 -g 50" \
            "-c:a aac -b:a 128k -movflags +faststart -write_tmcd 1" \
            "-timecode 01:00:00:00 -f mp4" ;;
    prores-hq)
        echo "-filter_complex_script $T/graph -map [vout] -map [aout] -shortest" \
            "-c:v prores_ks -profile:v 3 -vendor apl0 -c:a pcm_s24le" \
            "-timecode 01:00:00:00 -f mov" ;;
    esac
}

summary=""
for prof in $PROFILES; do
    : >"$T/mcr.t"; : >"$T/ff.t"; : >"$T/mcr.m"; : >"$T/ff.m"
    : >"$T/mcr.c"; : >"$T/ff.c"
    r=1
    while [ "$r" -le "$RUNS" ]; do
        echo "$prof run $r: load $(uptime | sed 's/.*load average: //')"
        out=$T/out/mcr-$prof-$r.out
        job "$prof" "$out" >"$T/job.json"
        /usr/bin/time -f '%e %M %U %S' -o "$T/time" "$BENCH_WORKER" \
            <"$T/job.json" >"$T/proto" 2>"$T/log" || {
            echo "transcode.sh: mcr-worker failed for $prof:" >&2
            tail -n 5 "$T/log" "$T/proto" >&2
            exit 1
        }
        grep -q '"status":"done"' "$T/proto" || {
            echo "transcode.sh: the $prof job did not finish:" >&2
            tail -n 3 "$T/proto" >&2
            exit 1
        }
        read -r e m u s <"$T/time"
        echo "$e" >>"$T/mcr.t"; echo "$m" >>"$T/mcr.m"
        echo "$u $s" | awk '{ print $1 + $2 }' >>"$T/mcr.c"
        frames_mcr=$(ffprobe -v error -select_streams v:0 -show_entries \
            stream=nb_frames -of csv=p=0 "$out")
        size_mcr=$(stat -c %s "$out")
        rm -f "$out"
        # shellcheck disable=SC2046
        /usr/bin/time -f '%e %M %U %S' -o "$T/time" ffmpeg -hide_banner -v error \
            -nostats -y -i "$src" $(ffmpeg_args "$prof" "$T/log") \
            "$T/out/ff-$prof-$r.out" || {
            echo "transcode.sh: ffmpeg failed for $prof" >&2
            exit 1
        }
        read -r e m u s <"$T/time"
        echo "$e" >>"$T/ff.t"; echo "$m" >>"$T/ff.m"
        echo "$u $s" | awk '{ print $1 + $2 }' >>"$T/ff.c"
        frames_ff=$(ffprobe -v error -select_streams v:0 -show_entries \
            stream=nb_frames -of csv=p=0 "$T/out/ff-$prof-$r.out")
        size_ff=$(stat -c %s "$T/out/ff-$prof-$r.out")
        rm -f "$T/out/ff-$prof-$r.out"
        printf '%s run %d: mcr %ss (CPU %ss, peak RSS %s KiB) %s frames %s bytes; ffmpeg %ss (CPU %ss, peak RSS %s KiB) %s frames %s bytes\n' \
            "$prof" "$r" "$(sed -n "${r}p" "$T/mcr.t")" \
            "$(sed -n "${r}p" "$T/mcr.c")" "$(sed -n "${r}p" "$T/mcr.m")" \
            "$frames_mcr" "$size_mcr" \
            "$(sed -n "${r}p" "$T/ff.t")" "$(sed -n "${r}p" "$T/ff.c")" \
            "$(sed -n "${r}p" "$T/ff.m")" "$frames_ff" "$size_ff"
        r=$((r + 1))
    done
    mt=$(median "$T/mcr.t"); ft=$(median "$T/ff.t")
    mm=$(median "$T/mcr.m"); fm=$(median "$T/ff.m")
    mc=$(median "$T/mcr.c"); fc=$(median "$T/ff.c")
    line=$(awk -v mt="$mt" -v ft="$ft" -v mm="$mm" -v fm="$fm" -v p="$prof" \
        -v mc="$mc" -v fc="$fc" -v s="$SECONDS_LONG" -v n="$RUNS" 'BEGIN {
        printf "%-11s %ss 1080p25, median of %d: wall mcr %.2f s, ffmpeg %.2f s, ratio %.3f (%s); CPU mcr %.2f s, ffmpeg %.2f s, ratio %.3f; peak RSS mcr %.0f MiB, ffmpeg %.0f MiB",
            p, s, n, mt, ft, mt / ft, (mt / ft <= 1.05 ? "within 5 %" : "MISSED the 5 % target"),
            mc, fc, mc / fc, mm / 1024, fm / 1024 }')
    summary="$summary$line
"
done
echo
echo "transcode benchmark (same run, alternating; $(nproc) CPUs, load at the end $(uptime | sed 's/.*load average: //')):"
printf '%s' "$summary"
