# tests/transcode/common.sh: what the transcode tests share, sourced after
# tests/lib.sh. A daemon set-up with the transcode plugin, a volume for
# the outputs, a copy of etc/profiles, and probing helpers over ffprobe.

if ! command -v ffmpeg >/dev/null || ! command -v ffprobe >/dev/null; then
    skip_all "the ffmpeg and ffprobe programs (Debian package ffmpeg) make and probe the test media"
fi

daemon_setup
cp "$MCR_BUILDDIR/plugins/.libs/transcode.so" "$PLUGDIR/" || exit 99
[ -f "$MCR_BUILDDIR/plugins/.libs/qc.so" ] &&
    cp "$MCR_BUILDDIR/plugins/.libs/qc.so" "$PLUGDIR/"
chmod 644 "$PLUGDIR"/*.so
W="$T/work"
mkdir -p "$W" "$T/profiles"
cp -R "$TESTS_SRCDIR/../etc/profiles/." "$T/profiles/"
{
    echo "[volume work]"
    echo "path = $W"
    echo "role = production"
    echo "[transcode]"
    echo "profiles = $T/profiles"
} >>"$CFG"

# gen NAME ARGS...: a source made by the ffmpeg program.
gen() {
    _n=$1; shift
    ffmpeg -hide_banner -v error -y "$@" "$W/$_n" || exit 99
}

# probe FILE STREAM ENTRIES: values from ffprobe ("v:0", "a:1", or
# "format" for a format tag), in ffprobe's order, comma-separated.
probe() {
    if [ "$2" = format ]; then
        ffprobe -v error -show_entries "format_tags=$3" -of csv=p=0 "$1"
    else
        ffprobe -v error -select_streams "$2" -show_entries \
            "stream=$3" -of csv=p=0 "$1" | head -n 1 | sed 's/,*$//'
    fi
}

# tc FILE: the start timecode, from the format's or a stream's tags.
tc() {
    ffprobe -v error -show_entries format_tags=timecode:stream_tags=timecode \
        -of csv=p=0 "$1" | tr -d , | grep -v '^$' | head -n 1
}

# frames FILE: video frames counted by decoding.
frames() {
    ffprobe -v error -select_streams v:0 -count_frames -show_entries \
        stream=nb_read_frames -of csv=p=0 "$1" | sed 's/,*$//'
}

# nstreams FILE TYPE: how many streams of a type (audio, video).
nstreams() {
    ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$1" |
        grep -c "^$2"
}

# pixel FILE X Y [FRAME]: "R G B" of one pixel of a frame.
pixel() {
    ffmpeg -v error -i "$1" -vf "select=eq(n\,${4:-0}),format=rgb24,crop=1:1:$2:$3" \
        -frames:v 1 -f rawvideo - | od -An -tu1 | tr -s ' ' | sed 's/^ //'
}

# near "A B C" "D E F" TOL: each pair within TOL.
near() {
    echo "$1 $2" | awk -v t="$3" '{ for (i = 1; i <= 3; i++) {
        d = $i - $(i + 3); if (d < 0) d = -d; if (d > t) exit 1 } }'
}

# transcode ARGS...: mcr transcode --wait; the job's result in
# $T/result (JSON), the output in $out, the exit status in $rc.
transcode() {
    "$MCR" --db "$DB" --config "$CFG" transcode --wait "$@" \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    out=$(sed -n 's/^job [0-9]* queued: transcode.run to //p' "$T/out")
    id=$(sed -n 's/^job \([0-9]*\) queued: transcode.run.*/\1/p' "$T/out")
    if [ -n "$id" ]; then
        sql "SELECT result FROM jobs WHERE id = $id" >"$T/result"
    else
        : >"$T/result"
    fi
}

# res PATH: a value of the last job's result.
res() {
    "$JSONGET" "$1" <"$T/result"
}

# no_leftovers DESCRIPTION: nothing named *.part in the work folder.
no_leftovers() {
    [ -z "$(find "$W" -name '*.part')" ]
    ok $? "$1"
}

# queue NAME ARGS...: mcr transcode without --wait, so that independent
# jobs run side by side; collect NAME then stands for the transcode call.
queue() {
    _q=$1; shift
    "$MCR" --db "$DB" --config "$CFG" transcode "$@" >"$T/q.$_q" \
        2>"$T/qerr.$_q" </dev/null
}

# collect NAME: waits (at most 120 s) until the job queued as NAME has
# ended, then sets what transcode sets: $rc (0 done, 2 refused or failed,
# as with --wait), $id, $out, $T/out (what mcr transcode printed),
# $T/err (its errors and the job's) and $T/result.
collect() {
    cp "$T/q.$1" "$T/out"
    cp "$T/qerr.$1" "$T/err"
    out=$(sed -n 's/^job [0-9]* queued: transcode.run to //p' "$T/out")
    id=$(sed -n 's/^job \([0-9]*\) queued: transcode.run.*/\1/p' "$T/out")
    rc=2
    : >"$T/result"
    [ -n "$id" ] || return 0
    _n=1200
    while [ "$_n" -gt 0 ]; do
        case $(job_state "$id") in
        done) rc=0; break ;;
        failed|cancelled) break ;;
        esac
        sleep 0.1
        _n=$((_n - 1))
    done
    [ "$_n" -gt 0 ] || echo "#   job $id did not end within 120 s"
    sql "SELECT result FROM jobs WHERE id = $id" >"$T/result"
    sql "SELECT error FROM jobs WHERE id = $id AND error IS NOT NULL" >>"$T/err"
}
