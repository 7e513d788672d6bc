#!/bin/sh
# tests/bench/console.sh: the console part of `make bench`, run after
# run.sh (or alone with `make bench-console`); tests/bench/local.mk passes
# MCR, BENCH_CONSOLE, BENCH_WORKER, BENCH_PLUGINS, SQLITE3 and BENCH_WORK.
# bench-console runs the real console on a pty rendered by libvterm, at
# 80x24, and times it from inside:
#   - CPU (utime + stime from /proc) over a window with mcrd idle, and with
#     one testplug.meters job reporting loudness ten times a second, and
#     the bytes the console wrote to the terminal over that window;
#   - start to the first full dashboard (the hint line, a job row and the
#     shift log pane drawn) on a shift log of 100,000 jobs and 1,000,000
#     events, median of 7, against `mcr status` and a bare sqlite3 read of
#     what the frame shows, both run on the same pty, interleaved;
#   - the Jobs screen on that log: Down and PgDn one key at a time, each
#     timed from the key's write to the screen showing the selection moved
#     (median), with the console's CPU time per key;
#   - extra: the same Jobs screen while one meter is live.
# The 100,000-job log is kept in $BENCH_WORK/console.db between runs.
# A missed target is reported, not failed: the exit status is 0 unless a
# command failed. It takes about twice the window plus 60 s.

set -u

: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_CONSOLE:?set BENCH_CONSOLE to the bench-console binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
SQLITE3=${SQLITE3:-}
[ -n "$SQLITE3" ] || SQLITE3=$(command -v sqlite3) || {
    echo "console.sh: no sqlite3 shell; install the Debian package sqlite3" \
        "and re-run configure" >&2
    exit 2
}
bin_dir=$(cd "$(dirname "$MCR")" && pwd) || exit 2
top=$(cd "$bin_dir/.." && pwd) || exit 2
PLUGINS=${BENCH_PLUGINS:-"$top/plugins/.libs/storage.so $top/tests/plugins/.libs/testplug.so"}

# Smaller values make a quick trial run; the issue's figures need these.
SECS=${BENCH_CONSOLE_SECONDS:-60}
EXTRA_SECS=${BENCH_CONSOLE_EXTRA_SECONDS:-15}
JOBS=${BENCH_CONSOLE_JOBS:-100000}
EVENTS=${BENCH_CONSOLE_EVENTS:-1000000}
SPAN_HOURS=720
RUNS=${BENCH_CONSOLE_RUNS:-7}
KEYS=${BENCH_CONSOLE_KEYS:-200}
PAGES=${BENCH_CONSOLE_PAGES:-50}
SIZE=24x80
# The issue's targets.
IDLE_TARGET=0.5		# % of one core
LIVE_TARGET=3		# % of one core
BYTES_TARGET=4000	# bytes per second ("4 KB/s", read as 4,000)
FRAME_TARGET=300	# ms, start to the first full frame
SCROLL_TARGET=16	# ms per frame while scrolling

[ -r /proc/self/stat ] || {
    echo "console.sh: no /proc; the console benchmark needs Linux" >&2
    exit 2
}
for so in $PLUGINS; do
    [ -r "$so" ] || {
        echo "console.sh: no plugin $so; \`make bench\` builds it" >&2
        exit 2
    }
done
[ "$JOBS" -ge 20 ] || {
    echo "console.sh: BENCH_CONSOLE_JOBS must be at least 20" >&2
    exit 2
}

mkdir -p "$BENCH_WORK" || exit 1
T=$(mktemp -d "$BENCH_WORK/console-XXXXXX") || exit 1
: >"$T/daemons"

# No user's config, shift log or daemon is touched; times print as UTC.
export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
export XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache" HOME="$T/home"
export TZ=UTC LC_ALL=C.UTF-8 TMPDIR="$T"
unset SSH_CONNECTION MCR_CONFIG NO_COLOR
mkdir -p "$HOME" "$T/plugins" "$T/prod" || exit 1
# shellcheck disable=SC2086
cp $PLUGINS "$T/plugins/" || exit 1
chmod 755 "$T/plugins" && chmod 644 "$T/plugins"/*.so || exit 1
export MCR_PLUGIN_DIR="$T/plugins"
[ -n "${BENCH_WORKER:-}" ] && export MCR_WORKER="$BENCH_WORKER"

CFG=$T/mcr.ini
{
    echo "[mcrd]"
    echo "grace = 1s"
    echo "retries = 0"
    echo "[volume prod]"
    echo "path = $T/prod"
} >"$CFG"

BENCH_NAME=console.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
    while read -r _db; do
        stop_daemon "$_db"
    done <"$T/daemons"
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# kv KEY LINE: the value of KEY=VALUE in LINE.
kv() {
    for _w in $2; do
        case $_w in
        "$1"=*)
            echo "${_w#*=}"
            return 0
            ;;
        esac
    done
    return 1
}

# bench MODE ARGS...: bench-console at 80x24; its result line on stdout.
bench() {
    _mode=$1
    shift
    "$BENCH_CONSOLE" "$_mode" --size $SIZE "$@" 2>"$T/err" || {
        sed 's/^/    /' "$T/err" >&2
        fail "bench-console $_mode failed; the screen is above"
    }
}

# mcr_on DB ARGS...: mcr on DB with the bench config, quiet.
mcr_on() {
    _db=$1
    shift
    "$MCR" --db "$_db" --config "$CFG" "$@" </dev/null 2>"$T/err" || {
        sed 's/^/    /' "$T/err" >&2
        fail "mcr $* failed"
    }
}

# submit_meters DB SECONDS: queues a testplug.meters job (starting mcrd);
# prints its id.
submit_meters() {
    echo "$1" >>"$T/daemons"
    _out=$(mcr_on "$1" submit testplug.meters "seconds=$2") || exit 1
    _id=$(echo "$_out" | sed -n 's/^job \([0-9]*\).*/\1/p' | head -n 1)
    [ -n "$_id" ] || _id=$("$SQLITE3" "$1" "SELECT max(id) FROM jobs")
    echo "$_id"
}

# calc EXPR: EXPR worked out by awk.
calc() {
    awk "BEGIN { print $1 }"
}

# --- 1. CPU idle, and with one live meter: a small shift log, mcrd ---

small=$T/small.db
echo "$small" >>"$T/daemons"
mcr_on "$small" submit testplug.ok steps=3 delay_ms=50 --wait >/dev/null
pid=$(daemon_pid "$small") || fail "mcr submit did not start mcrd"
echo "console idle: mcrd $pid running, no jobs; $SECS s window at $SIZE"
idle=$(bench window --want "Jobs (" --want "testplug.ok" \
    --want "no live QC meters" --want "q quit" --seconds "$SECS" -- \
    "$MCR" --db "$small" --config "$CFG") || exit 1
echo "  $idle"

id=$(submit_meters "$small" $((SECS + 15))) || exit 1
echo "console, one live meter (job $id, testplug.meters at 10 Hz):" \
    "$SECS s window"
live=$(bench window --want "LUFS" --want "testplug.meters" \
    --seconds "$SECS" -- "$MCR" --db "$small" --config "$CFG") || exit 1
echo "  $live"
"$MCR" --db "$small" --config "$CFG" job cancel "$id" </dev/null \
    >/dev/null 2>&1
stop_daemon "$small"

# --- 2. the shift log of 100,000 jobs and 1,000,000 events ---

db=$BENCH_WORK/console.db
stamp=$BENCH_WORK/console.stamp
current=no
if [ -f "$db" ] && [ -f "$stamp" ] && [ "$stamp" -nt "$BENCH_CONSOLE" ] &&
    [ "$stamp" -nt "$MCR" ] && [ "$(cat "$stamp")" = "$JOBS $EVENTS" ]; then
    n=$("$SQLITE3" "$db" "SELECT (SELECT count(*) FROM jobs) || ' ' ||
        (SELECT count(*) FROM events)") || n=
    # One more event: the shift log's own first one.
    [ "$n" = "$JOBS $((EVENTS + 1))" ] &&
        "$MCR" --db "$db" --config "$CFG" status >/dev/null 2>&1 &&
        current=yes
fi
if [ "$current" = yes ]; then
    echo "reusing $db ($JOBS jobs, $EVENTS events)"
else
    rm -f "$db" "$db-wal" "$db-shm" "$stamp"
    echo "filling $db: $JOBS jobs, $EVENTS events"
    "$BENCH_CONSOLE" fill "$db" "$JOBS" "$EVENTS" "$SPAN_HOURS" ||
        fail "cannot fill $db; see the message above"
    # All but the newest 10 have run; those 10 wait in the queue.
    "$SQLITE3" "$db" "UPDATE jobs SET state = 'done', started = created,
        finished = created + 1000000, progress = 1
        WHERE id <= $((JOBS - 10)); PRAGMA wal_checkpoint(TRUNCATE);" \
        >/dev/null || fail "cannot mark the jobs done in $db"
    echo "$JOBS $EVENTS" >"$stamp"
fi
first_queued=$((JOBS - 9))

# --- 3. start to the first full frame ---

# The frame is full when the hint line, the oldest queued job's row and a
# job.queued event in the shift log pane are on the screen. The baselines
# run on the same pty: `mcr status`, and sqlite3 reading what the frame
# shows (the active and the 30 newest jobs, the 40 newest events).
query="SELECT id, kind, state, priority, progress, subject FROM jobs
    WHERE state IN ('queued', 'running', 'paused')
    UNION ALL SELECT * FROM (SELECT id, kind, state, priority, progress,
    subject FROM jobs ORDER BY id DESC LIMIT 30);
    SELECT time, kind, severity, subject, message FROM events
    ORDER BY time DESC, id DESC LIMIT 40;"
: >"$T/frame" && : >"$T/byte" && : >"$T/status" && : >"$T/sqlite"
run=0
while [ "$run" -le "$RUNS" ]; do
    r=$(bench frame --want "q quit" --want "$first_queued queued" \
        --want " job.queued " -- "$MCR" --no-daemon --db "$db" \
        --config "$CFG") || exit 1
    s=$(bench exit -- "$MCR" --db "$db" --config "$CFG" status) || exit 1
    q=$(bench exit -- "$SQLITE3" "$db" "$query") || exit 1
    if [ "$run" -gt 0 ]; then	# run 0 warms the page cache
        kv frame_us "$r" >>"$T/frame"
        kv first_byte_us "$r" >>"$T/byte"
        kv exit_us "$s" >>"$T/status"
        kv exit_us "$q" >>"$T/sqlite"
    fi
    run=$((run + 1))
done
frame_ms=$(calc "$(median "$T/frame") / 1000")
byte_ms=$(calc "$(median "$T/byte") / 1000")
status_ms=$(calc "$(median "$T/status") / 1000")
sqlite_ms=$(calc "$(median "$T/sqlite") / 1000")
printf 'first frame: median %.1f ms (first byte %.1f ms); mcr status %.1f' \
    "$frame_ms" "$byte_ms" "$status_ms"
printf ' ms; sqlite3 %.1f ms (%d runs)\n' "$sqlite_ms" "$RUNS"

# --- 4. scrolling the Jobs screen ---

echo "Jobs screen: $KEYS Down, $PAGES PgDn, one at a time, then 200 Down" \
    "in one write"
scroll=$(bench scroll --want "q quit" --want "$first_queued queued" \
    --keys "$KEYS" --pages "$PAGES" --burst 200 -- \
    "$MCR" --no-daemon --db "$db" --config "$CFG") || exit 1
echo "  $scroll"

# --- 5. extra: the Jobs screen of that log while one meter is live ---

echo "extra: the Jobs screen of $JOBS jobs while a meter is live:" \
    "$EXTRA_SECS s window, then 20 Down"
big=$T/big-live.db
"$SQLITE3" "$db" ".backup '$big'" ||
    fail "cannot copy $db"
"$SQLITE3" "$big" "UPDATE jobs SET state = 'done', started = created,
    finished = created + 1000000, progress = 1
    WHERE state = 'queued'" || fail "cannot update $big"
id=$(submit_meters "$big" $((EXTRA_SECS * 2 + 40))) || exit 1
jobs_keys=$(printf ':jobs\r')
jlive=$(bench window --want "LUFS" --then "$jobs_keys" \
    --want2 "jobs, sorted by" --seconds "$EXTRA_SECS" -- \
    "$MCR" --db "$big" --config "$CFG") || exit 1
echo "  $jlive"
jscroll=$(bench scroll --want "LUFS" --keys 20 --pages 1 --burst 0 -- \
    "$MCR" --db "$big" --config "$CFG") || exit 1
echo "  $jscroll"
"$MCR" --db "$big" --config "$CFG" job cancel "$id" </dev/null \
    >/dev/null 2>&1
stop_daemon "$big"
rm -f "$big" "$big-wal" "$big-shm"

# --- the summary ---

ms() {
    calc "$(kv "$1" "$2") / 1000"
}
idle_cpu=$(kv cpu_pct "$idle")
live_cpu=$(kv cpu_pct "$live")
live_bps=$(kv bytes_per_s "$live")
live_bursts=$(kv bursts "$live")
live_secs=$(kv seconds "$live")
down_ms=$(ms down_med_us "$scroll")
pgdn_ms=$(ms pgdn_med_us "$scroll")
down_cpu=$(ms down_cpu_us "$scroll")
pgdn_cpu=$(ms pgdn_cpu_us "$scroll")
open_ms=$(ms open_us "$scroll")
burst_ms=$(ms burst_us "$scroll")
jlive_cpu=$(kv cpu_pct "$jlive")
jdown_ms=$(ms down_med_us "$jscroll")
jdown_cpu=$(ms down_cpu_us "$jscroll")

# line LABEL VALUE BASELINE TARGET UNIT: one row; BASELINE "-" for none.
line() {
    awk -v label="$1" -v v="$2" -v b="$3" -v t="$4" -v unit="$5" 'BEGIN {
        ratio = b != "-" && b + 0 > 0 ? sprintf("%6.2f", v / b) : "     -"
        base = b != "-" ? sprintf("%11.1f", b) : sprintf("%11s", "-")
        printf "%-46s %9.2f %s %s  < %-6s %-4s %s\n", label, v, base, ratio,
            t, unit, v + 0 < t + 0 ? "PASS" : "MISS"
    }'
}

echo
echo "mcr console bench at $SIZE: ${SECS} s windows; $JOBS jobs and" \
    "$EVENTS events; medians"
printf '%-46s %9s %11s %6s  %-11s %s\n' measurement value baseline ratio \
    target result
line "console CPU idle, % of a core" "$idle_cpu" - $IDLE_TARGET %
line "console CPU, one live meter at 10 Hz, %" "$live_cpu" - $LIVE_TARGET %
line "bytes/s to the terminal, one live meter" "$live_bps" - \
    $BYTES_TARGET B/s
line "start to first full frame, ms (vs mcr status)" "$frame_ms" \
    "$status_ms" $FRAME_TARGET ms
line "Jobs screen: Down, key to frame, ms" "$down_ms" - $SCROLL_TARGET ms
line "Jobs screen: PgDn, key to frame, ms" "$pgdn_ms" - $SCROLL_TARGET ms
line "Jobs screen: CPU per Down (frame cost), ms" "$down_cpu" - \
    $SCROLL_TARGET ms
echo "extra, not in the issue's list:"
line "Jobs screen CPU, one live meter, %" "$jlive_cpu" - $LIVE_TARGET %
line "Jobs screen: Down with a live meter, ms" "$jdown_ms" - \
    $SCROLL_TARGET ms
printf 'info: first frame: first byte after %.1f ms; sqlite3 reading the' \
    "$byte_ms"
printf ' same rows %.1f ms (ratio %.2f)\n' "$sqlite_ms" \
    "$(calc "$frame_ms / $sqlite_ms")"
printf 'info: live meter: %.1f frames/s, %.0f bytes a frame\n' \
    "$(calc "$live_bursts / $live_secs")" \
    "$(calc "$live_bps * $live_secs / ($live_bursts + ($live_bursts == 0))")"
printf 'info: Jobs screen: opening it took %.1f ms; CPU %.2f ms a PgDn;' \
    "$open_ms" "$pgdn_cpu"
printf ' 200 Down in one write: %.1f ms to the (one) frame\n' "$burst_ms"
printf 'info: Jobs screen with a live meter: CPU %.2f ms a Down,' "$jdown_cpu"
printf ' refetches included\n'
echo "info: the Jobs screen's header: $(kv header "$scroll" | tr _ ' ')"
echo "info: key to frame is timed from the key's write to the screen showing" \
    "the selection moved"
exit 0
