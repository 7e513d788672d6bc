#!/bin/sh
# tests/bench/daemon.sh: the mcrd part of `make bench`, run by run.sh after
# the shift-log part (it also runs alone with the same variables). It
# queues no-op testplug.ok jobs with bench-append (shiftlog_job_submit() in
# one transaction: rows and events exactly as `mcr submit` writes them),
# lets mcrd run them and reads the timings back from the jobs table; times
# `mcr submit` to a running start on an idle daemon; reads mcrd's CPU time
# while idle and its memory with 100,000 jobs in the table from /proc. The
# baselines come from this run: bench-append spawning mcr-worker --help as
# many at a time as mcrd has workers (the cost of the processes alone), and
# an mcrd on an empty shift log beside the full one. Linux only (/proc).
# A missed target is reported, not failed: the exit status is 0 unless a
# command failed or mcrd stalled. It takes about 100 s plus the idle
# seconds plus 10,000 jobs at mcrd's rate (about 200 s at 50 jobs/s).

set -u

: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_APPEND:?set BENCH_APPEND to the bench-append binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
SQLITE3=${SQLITE3:-}
[ -n "$SQLITE3" ] || SQLITE3=$(command -v sqlite3) || {
    echo "daemon.sh: no sqlite3 shell; install the Debian package sqlite3" \
        "and re-run configure" >&2
    exit 2
}
bin_dir=$(cd "$(dirname "$MCR")" && pwd) || exit 2
top=$(cd "$bin_dir/.." && pwd) || exit 2
WORKER=${BENCH_WORKER:-$bin_dir/mcr-worker}
PLUGINS=${BENCH_PLUGINS:-"$top/plugins/.libs/storage.so $top/tests/plugins/.libs/testplug.so"}

# Smaller values make a quick trial run; the issue's figures need these.
JOBS=${BENCH_JOBS:-10000}		# for the first workers count
WORKERS=${BENCH_WORKERS:-"2 4"}
JOBS_MORE=${BENCH_JOBS_MORE:-1000}	# for each further workers count
SUBMITS=${BENCH_SUBMITS:-50}
SUBMIT_GAP=${BENCH_SUBMIT_GAP:-0.2}
TABLE_JOBS=${BENCH_TABLE_JOBS:-100000}
IDLE_S=${BENCH_IDLE_SECONDS:-60}
SETTLE_S=${BENCH_SETTLE_SECONDS:-3}
SPAWN_N=${BENCH_SPAWN_N:-200}	# before and again after each batch
STALL_S=${BENCH_STALL_SECONDS:-60}	# no job ended for this long: stalled
POLL_MS=250
IDLE_TARGET=0.5				# % of one core, from the issue
KIND=testplug.ok
PARAMS='{"steps":"1","delay_ms":"0"}'

[ -r /proc/self/stat ] || {
    echo "daemon.sh: no /proc; the mcrd benchmark needs Linux" >&2
    exit 2
}
[ -x "$WORKER" ] || {
    echo "daemon.sh: no worker binary $WORKER; build it first" >&2
    exit 2
}
for so in $PLUGINS; do
    [ -r "$so" ] || {
        echo "daemon.sh: no plugin $so; \`make bench\` builds it" \
            "(tests/plugins/testplug.la is check-only)" >&2
        exit 2
    }
done

mkdir -p "$BENCH_WORK" || exit 1
D=$(mktemp -d "$BENCH_WORK/daemon-XXXXXX") || exit 1
: >"$D/daemons"

# No user's config, shift log or daemon is touched.
export XDG_STATE_HOME="$D/state" XDG_CONFIG_HOME="$D/config"
export XDG_DATA_HOME="$D/data" XDG_CACHE_HOME="$D/cache" HOME="$D/home"
export TZ=UTC LC_ALL=C.UTF-8 TMPDIR="$D"
unset SSH_CONNECTION MCR_CONFIG
mkdir -p "$HOME" "$D/plugins" || exit 1
# shellcheck disable=SC2086
cp $PLUGINS "$D/plugins/" || exit 1
chmod 755 "$D/plugins" && chmod 644 "$D/plugins"/*.so || exit 1
export MCR_PLUGIN_DIR="$D/plugins" MCR_WORKER="$WORKER"

BENCH_NAME=daemon.sh
. "$(dirname "$0")/lib.sh"

cleanup() {
    while read -r _db; do
        stop_daemon "$_db"
    done <"$D/daemons"
    rm -rf "$D"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP


# sql DB QUERY
sql() {
    "$SQLITE3" -cmd ".timeout 10000" "$1" "$2"
}

# calc EXPR: awk arithmetic, printed.
calc() {
    awk "BEGIN { print $1 }"
}

CLK_TCK=$(getconf CLK_TCK) || CLK_TCK=100

# proc_stat PID PREFIX: from /proc/PID/stat, PREFIX_minflt, PREFIX_cpu
# (utime + stime) and PREFIX_ccpu (cutime + cstime, the workers it
# reaped), in clock ticks; from /proc/PID/status, PREFIX_vcs (voluntary
# context switches, one a wake-up); from /proc/PID/schedstat, PREFIX_ns
# and PREFIX_rq (ns on a CPU, and runnable but waiting for one; 0 without
# schedstats).
proc_stat() {
    _pre=$2
    _st=$(cat "/proc/$1/stat") || fail "mcrd (pid $1) is gone"
    _ss=$(cat "/proc/$1/schedstat" 2>/dev/null) || _ss=
    _v=$(awk '/^voluntary_ctxt_switches:/ { print $2 }' \
        "/proc/$1/status" 2>/dev/null) || _v=
    eval "${_pre}_vcs=\${_v:-0}"
    # shellcheck disable=SC2086
    set -- $_ss
    eval "${_pre}_ns=\${1:-0} ${_pre}_rq=\${2:-0}"
    # After the ')' that ends the command name, field 3 is $1, so field N
    # is ${N-2}.
    # shellcheck disable=SC2086
    set -- ${_st##*) }
    eval "${_pre}_minflt=\$8 ${_pre}_cpu=\$((\${12} + \${13}))" \
        "${_pre}_ccpu=\$((\${14} + \${15}))"
}

# mem PID PREFIX: VmRSS and VmHWM of PID in KiB, into PREFIX_rss and
# PREFIX_hwm.
mem() {
    _r=$(awk '/^VmRSS:/ { r = $2 } /^VmHWM:/ { h = $2 }
        END { print r + 0, h + 0 }' "/proc/$1/status") ||
        fail "mcrd (pid $1) is gone"
    eval "$2_rss=\${_r% *} $2_hwm=\${_r#* }"
}

# config FILE WORKERS: an mcr.ini for the benchmark's mcrd.
config() {
    {
        echo "[mcrd]"
        echo "workers = $2"
        echo "poll = ${POLL_MS}ms"
        echo "storage_sample = 0"
        echo "grace = 1s"
    } >"$1"
}

# start_daemon DB CFG: mcrd in the background; its pid into $pid.
start_daemon() {
    echo "$1" >>"$D/daemons"
    "$MCR" --db "$1" --config "$2" daemon >"$D/err" 2>&1 || {
        sed 's/^/    /' "$D/err" >&2
        fail "mcrd did not start for $1"
    }
    pid=$(daemon_pid "$1") || fail "mcrd for $1 left no pid in its lock"
}

# wait_done DB PID: polls every 0.5 s until no job of DB is queued,
# running or paused; fails when mcrd PID is gone or no job ended for
# $STALL_S s.
wait_done() {
    _last=-1
    now_us _since
    while :; do
        _left=$(sql "$1" "SELECT count(*) FROM jobs WHERE state IN
            ('queued', 'running', 'paused')") || fail "cannot read $1"
        [ "$_left" -eq 0 ] && return 0
        kill -0 "$2" 2>/dev/null || {
            tail -n 3 "$1.mcrd.log" >&2 2>/dev/null
            fail "mcrd (pid $2) is gone with $_left jobs left; its log" \
                "ends as above"
        }
        now_us _now
        if [ "$_left" != "$_last" ]; then
            _last=$_left
            _since=$_now
        elif [ $((_now - _since)) -gt $((STALL_S * 1000000)) ]; then
            tail -n 5 "$1.mcrd.log" >&2 2>/dev/null
            fail "mcrd stalled: $_left jobs left and none ended in" \
                "$STALL_S s"
        fi
        sleep 0.5
    done
}

# pctl DB EXPR WHERE P: the P-th percentile (nearest rank) of EXPR over
# the jobs WHERE, computed in SQLite, in ms.
pctl() {
    _n=$(sql "$1" "SELECT count(*) FROM jobs WHERE $3") || return 1
    [ "$_n" -gt 0 ] || return 1
    _off=$(( (_n * $4 + 99) / 100 - 1 ))
    sql "$1" "SELECT printf('%.1f', ($2) / 1000.0) FROM jobs WHERE $3
        ORDER BY $2 LIMIT 1 OFFSET $_off"
}

# spawn_rate N PARALLEL INPUT PROG ARGS...: bench-append spawn's per-second
# figure.
spawn_rate() {
    "$BENCH_APPEND" spawn "$@" >"$D/spawn" 2>&1 || {
        sed 's/^/    /' "$D/spawn" >&2
        fail "bench-append spawn $* failed"
    }
    _r=$(grep '^result ' "$D/spawn") || fail "bench-append spawn printed" \
        "no result"
    _r=${_r#*per_s=}
    echo "${_r%% *}"
}

now_us bench_t0

# The job document mcrd hands a worker, for the worker-alone figure.
printf '{"protocol":1,"job":{"id":1,"kind":"%s","params":%s,"attempt":1},'\
'"plugin_dir":"%s","volumes":[],"config":[],"state":{}}\n' "$KIND" \
    "$PARAMS" "$D/plugins" >"$D/job.json"

# --- jobs per second ---

# batch WORKERS N: N no-op jobs through an mcrd with WORKERS workers,
# interleaved with its baselines. Sets the b_* figures for WORKERS.
batch() {
    w=$1
    n=$2
    db=$D/w$w.db
    cfg=$D/w$w.ini
    config "$cfg" "$w"
    "$BENCH_APPEND" jobs "$db" "$n" "$KIND" "$PARAMS" >"$D/out" 2>&1 || {
        cat "$D/out" >&2
        fail "cannot queue $n jobs in $db"
    }
    sed 's/^/  /' "$D/out"
    base1=$(spawn_rate "$SPAWN_N" "$w" - "$WORKER" --help) || exit 1
    alone1=$(spawn_rate "$SPAWN_N" "$w" "$D/job.json" "$WORKER") || exit 1
    now_us t0
    start_daemon "$db" "$cfg"
    proc_stat "$pid" r0
    wait_done "$db" "$pid"
    now_us t1
    proc_stat "$pid" r1
    # Again with mcrd idle: the mean of both brackets a change of load.
    alone2=$(spawn_rate "$SPAWN_N" "$w" "$D/job.json" "$WORKER") || exit 1
    base2=$(spawn_rate "$SPAWN_N" "$w" - "$WORKER" --help) || exit 1
    base=$(calc "sprintf(\"%.1f\", ($base1 + $base2) / 2)")
    alone=$(calc "sprintf(\"%.1f\", ($alone1 + $alone2) / 2)")
    states=$(sql "$db" "SELECT group_concat(state || ' ' || n, ', ') FROM
        (SELECT state, count(*) AS n FROM jobs GROUP BY state)")
    done_n=$(sql "$db" "SELECT count(*) FROM jobs WHERE state = 'done'")
    [ "$done_n" -eq "$n" ] ||
        echo "  warning: not every job is done: $states" >&2
    rate=$(sql "$db" "SELECT printf('%.1f', count(*) * 1e6 /
        (max(finished) - min(started))) FROM jobs")
    p50=$(pctl "$db" "started - created" "started IS NOT NULL" 50)
    p99=$(pctl "$db" "started - created" "started IS NOT NULL" 99)
    wall=$(calc "($t1 - $t0) / 1e6")
    cpu=$(calc "($r1_cpu - $r0_cpu) * 1000 / $CLK_TCK / $n")
    ccpu=$(calc "($r1_ccpu - $r0_ccpu) * 1000 / $CLK_TCK / $n")
    flt=$(calc "($r1_minflt - $r0_minflt) / $n")
    span=$(sql "$db" "SELECT (max(finished) - min(started)) / 1000.0 / count(*)
        FROM jobs")
    oncpu=$(calc "($r1_ns - $r0_ns) / 1e6 / $n")
    rq=$(calc "($r1_rq - $r0_rq) / 1e6 / $n")
    printf '  %d workers: %d jobs (%s) in %.1f s from the start of mcrd:' \
        "$w" "$n" "$states" "$wall"
    printf ' %s jobs/s\n' "$rate"
    printf '    queued->running p50 %s ms, p99 %s ms\n' "$p50" "$p99"
    printf '    per job: mcrd %.2f ms CPU and %.0f minor page faults,' \
        "$cpu" "$flt"
    printf ' its workers %.2f ms CPU\n' "$ccpu"
    printf '    mcrd per job of %.2f ms: on a CPU %.2f ms, waiting for one' \
        "$span" "$oncpu"
    printf ' %.2f ms, asleep (fsync, workers) %.2f ms\n' "$rq" \
        "$(calc "$span - $oncpu - $rq")"
    printf '    baseline: mcr-worker --help %s/s (%s before mcrd, %s after),' \
        "$base" "$base1" "$base2"
    printf ' running the job alone %s/s (%s, %s); %d at a time, %d spawns' \
        "$alone" "$alone1" "$alone2" "$w" "$SPAWN_N"
    printf ' each\n'
    eval "b_n_$w=$n b_rate_$w=$rate b_base_$w=$base b_alone_$w=$alone" \
        "b_p50_$w=$p50 b_p99_$w=$p99 b_cpu_$w=$cpu b_ccpu_$w=$ccpu" \
        "b_flt_$w=$flt b_span_$w=$span b_oncpu_$w=$oncpu b_rq_$w=$rq" \
        "b_wall_$w=$wall"
}

first_w=
for w in $WORKERS; do
    if [ -z "$first_w" ]; then
        first_w=$w
        echo "mcrd: $JOBS no-op jobs ($KIND steps=1 delay_ms=0) with $w" \
            "workers, poll ${POLL_MS}ms"
        batch "$w" "$JOBS"
        # --- latency on an idle daemon: mcr submit, one at a time ---
        echo "mcrd: $SUBMITS jobs by mcr submit, ${SUBMIT_GAP} s apart," \
            "to the idle daemon"
        last=$(sql "$db" "SELECT max(id) FROM jobs")
        i=0
        while [ "$i" -lt "$SUBMITS" ]; do
            "$MCR" --db "$db" --config "$cfg" submit "$KIND" steps=1 \
                delay_ms=0 >/dev/null 2>"$D/err" || {
                sed 's/^/    /' "$D/err" >&2
                fail "mcr submit failed"
            }
            sleep "$SUBMIT_GAP"
            i=$((i + 1))
        done
        wait_done "$db" "$pid"
        s50=$(pctl "$db" "started - created" "id > $last" 50)
        s99=$(pctl "$db" "started - created" "id > $last" 99)
        smax=$(sql "$db" "SELECT printf('%.1f', max(started - created) /
            1000.0) FROM jobs WHERE id > $last")
        printf '  submit->running p50 %s ms, p99 %s ms, max %s ms\n' \
            "$s50" "$s99" "$smax"
        stop_daemon "$db"
        full_db=$db
        full_cfg=$cfg
    else
        echo "mcrd: $JOBS_MORE no-op jobs with $w workers"
        batch "$w" "$JOBS_MORE"
        stop_daemon "$db"
    fi
done
[ -n "$first_w" ] || fail "BENCH_WORKERS is empty"

# --- $TABLE_JOBS jobs in the table: memory, and CPU while idle ---

have=$(sql "$full_db" "SELECT count(*) FROM jobs")
add=$((TABLE_JOBS - have))
echo "mcrd: $TABLE_JOBS jobs in the table ($add more queued by" \
    "bench-append, then marked done with sqlite3)"
if [ "$add" -gt 0 ]; then
    "$BENCH_APPEND" jobs "$full_db" "$add" "$KIND" "$PARAMS" >"$D/out" \
        2>&1 || {
        cat "$D/out" >&2
        fail "cannot queue $add jobs in $full_db"
    }
    sed 's/^/  /' "$D/out"
fi
sql "$full_db" "UPDATE jobs SET state = 'done', started = created,
    finished = created WHERE state = 'queued'" || fail "cannot mark the" \
    "jobs done"
total=$(sql "$full_db" "SELECT count(*) FROM jobs")
events=$(sql "$full_db" "SELECT count(*) FROM events")
size=$(($(stat -c %s "$full_db") / 1048576))
echo "  $total jobs, $events events, $size MiB"

# The same mcrd on an empty shift log is the baseline, measured side by
# side over the same seconds.
empty_db=$D/empty.db
start_daemon "$full_db" "$full_cfg"
pid_full=$pid
start_daemon "$empty_db" "$full_cfg"
pid_empty=$pid
sleep "$SETTLE_S"
mem "$pid_full" m0
mem "$pid_empty" e0
now_us t0
"$MCR" --db "$full_db" --config "$full_cfg" jobs >"$D/out" 2>"$D/err" || {
    sed 's/^/    /' "$D/err" >&2
    fail "mcr jobs failed"
}
now_us t1
jobs_ms=$(calc "($t1 - $t0) / 1000")
mem "$pid_full" m1
printf '  after %s s idle: VmRSS %d KiB (VmHWM %d), empty shift log %d' \
    "$SETTLE_S" "$m0_rss" "$m0_hwm" "$e0_rss"
printf ' KiB (VmHWM %d)\n' "$e0_hwm"
printf '  after mcr jobs (%.0f ms, %d lines): VmRSS %d KiB (VmHWM %d)\n' \
    "$jobs_ms" "$(wc -l <"$D/out")" "$m1_rss" "$m1_hwm"

echo "mcrd: CPU while idle over $IDLE_S s, both daemons"
now_us t0
proc_stat "$pid_full" f0
proc_stat "$pid_empty" e0
sleep "$IDLE_S"
proc_stat "$pid_full" f1
proc_stat "$pid_empty" e1
now_us t1
mem "$pid_full" m2
mem "$pid_empty" e2
secs=$(calc "($t1 - $t0) / 1e6")
idle=$(calc "($f1_cpu - $f0_cpu) / $CLK_TCK / $secs * 100")
idle_e=$(calc "($e1_cpu - $e0_cpu) / $CLK_TCK / $secs * 100")
idle_ns=$(calc "($f1_ns - $f0_ns) / 1e9 / $secs * 100")
idle_ns_e=$(calc "($e1_ns - $e0_ns) / 1e9 / $secs * 100")
wake=$(calc "($f1_vcs - $f0_vcs) / $secs")
wake_e=$(calc "($e1_vcs - $e0_vcs) / $secs")
printf '  %d jobs: %.3f %% of one core (%d ticks of 1/%d s in %.1f s),' \
    "$total" "$idle" $((f1_cpu - f0_cpu)) "$CLK_TCK" "$secs"
printf ' %.1f wake-ups/s; VmRSS after %d KiB\n' "$wake" "$m2_rss"
printf '  empty: %.3f %% of one core (%d ticks), %.1f wake-ups/s;' \
    "$idle_e" $((e1_cpu - e0_cpu)) "$wake_e"
printf ' VmRSS after %d KiB\n' "$e2_rss"
stop_daemon "$full_db"
stop_daemon "$empty_db"

# --- the summary ---

# row LABEL VALUE BASELINE RATIO TARGET VERDICT
row() {
    printf '%-44s %9s %9s %6s  %-10s %s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}
# ratio A B: A/B to two places, "-" without a baseline.
ratio() {
    case $1/$2 in
    -/* | */- | /* | */) echo - ;;
    *) awk -v a="$1" -v b="$2" 'BEGIN {
        if (b + 0 == 0) print "-"; else printf "%.2f\n", a / b }' ;;
    esac
}
mib() {
    calc "sprintf(\"%.1f\", $1 / 1024)"
}

echo
echo "mcrd bench: $KIND steps=1 delay_ms=0, poll ${POLL_MS}ms," \
    "storage_sample 0; $(nproc 2>/dev/null || echo ?) CPUs"
row measurement value baseline ratio target result
for w in $WORKERS; do
    eval "n=\$b_n_$w rate=\$b_rate_$w base=\$b_base_$w p50=\$b_p50_$w" \
        "p99=\$b_p99_$w"
    row "jobs/s, $n jobs, $w workers" "$rate" "$base" \
        "$(ratio "$rate" "$base")" - -
    row "  queued->running p50 ms (all queued at once)" "$p50" - - - -
    row "  queued->running p99 ms (all queued at once)" "$p99" - - - -
done
row "submit->running p50 ms, idle daemon" "$s50" "$POLL_MS" \
    "$(ratio "$s50" "$POLL_MS")" - -
row "submit->running p99 ms, idle daemon" "$s99" "$POLL_MS" \
    "$(ratio "$s99" "$POLL_MS")" - -
verdict=$(awk -v v="$idle" -v t="$IDLE_TARGET" \
    'BEGIN { print v + 0 < t + 0 ? "PASS" : "MISS" }')
row "idle CPU % of one core, $total jobs" \
    "$(calc "sprintf(\"%.3f\", $idle)")" \
    "$(calc "sprintf(\"%.3f\", $idle_e)")" \
    "$(ratio "$idle" "$idle_e")" "< $IDLE_TARGET %" "$verdict"
row "RSS MiB, $total jobs, idle ${SETTLE_S} s" "$(mib "$m0_rss")" \
    "$(mib "$e0_rss")" "$(ratio "$m0_rss" "$e0_rss")" - -
row "RSS MiB, $total jobs, after mcr jobs" "$(mib "$m1_rss")" \
    "$(mib "$e0_rss")" "$(ratio "$m1_rss" "$e0_rss")" - -
row "RSS MiB, $total jobs, after ${IDLE_S} s idle" "$(mib "$m2_rss")" \
    "$(mib "$e2_rss")" "$(ratio "$m2_rss" "$e2_rss")" - -
row "peak RSS (VmHWM) MiB, $total jobs" "$(mib "$m2_hwm")" \
    "$(mib "$e2_hwm")" "$(ratio "$m2_hwm" "$e2_hwm")" - -
echo "baseline for jobs/s: bench-append fork+exec+wait of mcr-worker" \
    "--help, as many at a time as workers, $SPAWN_N times before and after"
echo "baseline for submit->running: the poll interval; for idle CPU and" \
    "RSS: the same mcrd on an empty shift log, side by side"
for w in $WORKERS; do
    eval "alone=\$b_alone_$w cpu=\$b_cpu_$w ccpu=\$b_ccpu_$w flt=\$b_flt_$w" \
        "rate=\$b_rate_$w span=\$b_span_$w oncpu=\$b_oncpu_$w rq=\$b_rq_$w"
    printf 'info: %d workers: mcr-worker running the job without mcrd' "$w"
    printf ' %s/s (mcrd at %s of it); per job mcrd %.2f ms CPU, %.0f' \
        "$alone" "$(ratio "$rate" "$alone")" "$cpu" "$flt"
    printf ' page faults, workers %.2f ms CPU\n' "$ccpu"
    printf 'info: %d workers: each %.2f ms of mcrd: %.2f on a CPU, %.2f' \
        "$w" "$span" "$oncpu" "$rq"
    printf ' waiting for one, %.2f asleep\n' "$(calc "$span - $oncpu - $rq")"
done
printf 'info: idle: %.1f wake-ups/s (empty %.1f); by /proc/PID/schedstat' \
    "$wake" "$wake_e"
printf ' %.4f %% of one core (empty %.4f %%)\n' "$idle_ns" "$idle_ns_e"
printf 'info: mcr jobs on %d jobs took %.0f ms\n' "$total" "$jobs_ms"
now_us bench_t1
eval "wall=\$b_wall_$first_w"
printf 'info: the mcrd part took %.0f s, %.0f s of it the %d jobs with %d' \
    "$(calc "($bench_t1 - $bench_t0) / 1e6")" "$wall" "$JOBS" "$first_w"
printf ' workers\n'
exit 0
