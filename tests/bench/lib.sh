# tests/bench/lib.sh: what the benchmark scripts share, sourced by them
# (`. "$(dirname "$0")/lib.sh"`) after they set BENCH_NAME, the name their
# messages begin with. The timing helpers write under $T, the script's
# scratch folder, and skip the warm-up run ($run = 0).

# bench_scratch PREFIX: a scratch folder $T under $BENCH_WORK, removed on
# exit, and an environment in which no user's config or shift log is read
# and times print as UTC.
bench_scratch() {
    mkdir -p "$BENCH_WORK" || exit 1
    T=$(mktemp -d "$BENCH_WORK/$1-XXXXXX") || exit 1
    trap 'rm -rf "$T"' EXIT
    trap 'exit 130' INT TERM
    export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
    export XDG_DATA_HOME="$T/data" XDG_CACHE_HOME="$T/cache" HOME="$T/home"
    export TZ=UTC LC_ALL=C.UTF-8 TMPDIR="$T"
    unset SSH_CONNECTION MCR_CONFIG
    mkdir -p "$HOME"
}

# fail TEXT: one sentence on stderr, exit 1.
fail() {
    echo "${BENCH_NAME:-bench}: $*" >&2
    exit 1
}

# The clock: bash's $EPOCHREALTIME when the shell has it, since starting
# date(1) around each command adds its own startup, several ms on a slow
# VM, to every figure; date +%s%N otherwise.
if [ -n "${EPOCHREALTIME:-}" ]; then
    bench_clock=epochrealtime
else
    bench_clock=date
fi

# now_us VAR: the wall clock in microseconds, into VAR.
now_us() {
    if [ "$bench_clock" = date ]; then
        _t=$(date +%s%N)
        _t=$((_t / 1000))
    else
        _t=$EPOCHREALTIME
        _t=${_t%[.,]*}${_t#*[.,]}
    fi
    eval "$1=\$_t"
}

# time_once NAME CMD...: runs CMD, stdout to /dev/null; unless this is the
# warm-up run ($run = 0), appends its wall time in microseconds to
# $T/NAME. A failing CMD is reported with its stderr and returns 1.
time_once() {
    _name=$1
    shift
    now_us _t0
    "$@" >/dev/null 2>"$T/err"
    _rc=$?
    now_us _t1
    if [ "$_rc" -ne 0 ]; then
        echo "${BENCH_NAME:-bench}: '$*' failed with exit status $_rc:" >&2
        sed 's/^/    /' "$T/err" >&2
        return 1
    fi
    [ "$run" -gt 0 ] && echo $((_t1 - _t0)) >>"$T/$_name"
    return 0
}

# median FILE: the median of the numbers in FILE, one a line (the mean of
# the middle two when their count is even); false when FILE has none.
median() {
    sort -n "$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0)
                exit 1
            print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        }'
}

# stats NAME: "median min max" in ms of the microseconds in $T/NAME.
stats() {
    sort -n "$T/$1" | awk '{ v[NR] = $1 }
        END {
            if (NR == 0)
                exit 1
            m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%.1f %.1f %.1f\n", m / 1000, v[1] / 1000, v[NR] / 1000
        }'
}

# daemon_pid DB: the pid of the mcrd holding DB's lock; false if none.
daemon_pid() {
    [ -f "$1.mcrd.lock" ] || return 1
    flock -n "$1.mcrd.lock" true 2>/dev/null && return 1
    _p=$(cat "$1.mcrd.lock" 2>/dev/null) && [ -n "$_p" ] && echo "$_p"
}

# stop_daemon DB: SIGTERM to the mcrd of DB, SIGKILL after 10 s.
stop_daemon() {
    _pid=$(daemon_pid "$1") || return 0
    kill -TERM "$_pid" 2>/dev/null
    _n=100
    while [ $_n -gt 0 ]; do
        daemon_pid "$1" >/dev/null || return 0
        sleep 0.1
        _n=$((_n - 1))
    done
    _pid=$(daemon_pid "$1") && kill -KILL "$_pid" 2>/dev/null
    return 0
}
