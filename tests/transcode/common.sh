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

# probed FILE: ffprobe's streams and format of FILE (flat), run once per
# file and kept while the file's time and size stay the same: the checks
# ask many questions of few files, and each ffprobe costs a start-up.
probed() {
    [ -e "$1" ] || { echo "$1: No such file or directory" >&2; return 0; }
    _c="$T/probe/$(printf '%s' "$1" | tr '/' '_').$(stat -c %Y.%s "$1")"
    if [ ! -f "$_c" ]; then
        mkdir -p "$T/probe"
        ffprobe -v error -show_streams -show_format -of flat "$1" >"$_c.tmp"
        mv "$_c.tmp" "$_c"
    fi
    cat "$_c"
}

# probe FILE STREAM ENTRIES: values from ffprobe ("v:0", "a:1", or
# "format" for a format tag), in ffprobe's order, comma-separated.
probe() {
    probed "$1" | awk -v sel="$2" -v want="$3" '
    BEGIN {
        n = split(want, w, ",")
        for (i = 1; i <= n; i++) ok[w[i]] = 1
        split(sel, s, ":")
        type = s[1] == "v" ? "video" : "audio"
    }
    {
        eq = index($0, "=")
        key = substr($0, 1, eq - 1)
        v = substr($0, eq + 1)
        gsub(/^"|"$/, "", v)
        m = split(key, k, ".")
        if (m == 3 && k[1] == "format" && k[2] == "tags" && ok[k[3]])
            fmt = fmt (fmt == "" ? "" : ",") v
        if (m != 4 || k[1] != "streams") next
        st = k[3] + 0
        if (st > last) last = st
        names[st, ++cnt[st]] = k[4]
        val[st, k[4]] = v
    }
    END {
        if (sel == "format") { print fmt; exit }
        seen = -1
        for (st = 0; st <= last; st++)
            if (val[st, "codec_type"] == type && ++seen == s[2] + 0) break
        if (seen != s[2] + 0) exit
        out = ""
        for (j = 1; j <= cnt[st]; j++)
            if (ok[names[st, j]])
                out = out (out == "" ? "" : ",") val[st, names[st, j]]
        print out
    }'
}

# tc FILE: the start timecode, from a stream's tags or the format's.
tc() {
    probed "$1" | sed -n 's/^[a-z.0-9]*\.tags\.timecode="\(.*\)"$/\1/p' |
        head -n 1
}

# frames FILE: video frames counted by decoding.
frames() {
    ffprobe -v error -select_streams v:0 -count_frames -show_entries \
        stream=nb_read_frames -of csv=p=0 "$1" | sed 's/,*$//'
}

# nstreams FILE TYPE: how many streams of a type (audio, video).
nstreams() {
    probed "$1" | grep -c "^streams\.stream\.[0-9]*\.codec_type=\"$2\"$"
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
