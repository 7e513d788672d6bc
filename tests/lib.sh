# tests/lib.sh: TAP for the shell tests, sourced by tests/*.sh. Each test
# runs in its own temporary folder with its own XDG directories, so no
# user's shift log or config is ever touched. $MCR, $JSONGET and $SQLITE3
# come from `make check` (tests/local.mk).

set -u
tap_n=0
tap_failed=0
T=$(mktemp -d "${TMPDIR:-/tmp}/mcr-cli-XXXXXX") || exit 99
export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config"
export XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"
unset SSH_CONNECTION MCR_CONFIG
export LC_ALL=C.UTF-8

# ok STATUS DESCRIPTION: one TAP line; STATUS 0 is a pass.
ok() {
    tap_n=$((tap_n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $tap_n - $2"
    else
        echo "not ok $tap_n - $2"
        tap_failed=$((tap_failed + 1))
        if [ -s "$T/err" ]; then sed 's/^/#   stderr: /' "$T/err"; fi
    fi
}

# run CMD...: stdout to $T/out, stderr to $T/err, exit status to $rc.
run() {
    "$@" >"$T/out" 2>"$T/err" </dev/null
    rc=$?
}

# expect_rc WANT DESCRIPTION
expect_rc() {
    [ "$rc" -eq "$1" ]
    ok $? "$2 (exit $rc, want $1)"
}

# has FILE TEXT DESCRIPTION: FILE contains TEXT (fixed string).
has() {
    grep -qF -- "$2" "$1"
    _s=$?
    [ $_s -ne 0 ] && echo "#   $1 lacks: $2" && sed 's/^/#   | /' "$1" | head -n 8
    ok $_s "$3"
}

# json PATH: the value at PATH in $T/out.
# json PATH [FILE]: a value of the JSON in FILE (default: the last output).
json() {
    "$JSONGET" "$1" <"${2:-$T/out}"
}

# is GOT WANT DESCRIPTION
is() {
    [ "$1" = "$2" ]
    _s=$?
    [ $_s -ne 0 ] && echo "#   got '$1', want '$2'"
    ok $_s "$3"
}

# one_line FILE DESCRIPTION: an error is exactly one sentence on one line.
one_line() {
    [ "$(wc -l <"$1")" -eq 1 ]
    ok $? "$2"
}

skip_all() {
    echo "1..0 # SKIP $1"
    rm -rf "$T"
    exit 0
}

finish() {
    # Stop this test's mcrd while its lock file still names it.
    if [ -n "${DB:-}" ]; then daemon_kill; fi
    echo "1..$tap_n"
    if [ $tap_failed -eq 0 ]; then
        rm -rf "$T"
    else
        echo "# kept $T for inspection"
    fi
    # Failures are in the TAP lines; a non-zero exit would count them twice.
    return 0
}

# --- helpers for the daemon tests ---

# daemon_setup [KEY=VALUE...]: a plugin folder with the built storage and
# test plugins, a config whose [mcrd] section takes the given keys, and a
# shift log path $DB. Exports MCR_PLUGIN_DIR and $CFG; the daemon started
# by mcr verbs is stopped when the test exits.
daemon_setup() {
    PLUGDIR="$T/plugins"
    mkdir -p "$PLUGDIR"
    cp "$MCR_BUILDDIR/plugins/.libs/storage.so" \
        "$MCR_BUILDDIR/tests/plugins/.libs/testplug.so" "$PLUGDIR/" || exit 99
    chmod 755 "$PLUGDIR"
    chmod 644 "$PLUGDIR"/*.so
    export MCR_PLUGIN_DIR="$PLUGDIR"
    DB="$T/shiftlog.db"
    CFG="$T/mcr.ini"
    {
        echo "[mcrd]"
        echo "grace = 1s"
        echo "retries = 1"
        echo "retry_backoff = 1s"
        echo "storage_sample = 0"
        echo "poll = 50ms"
        for kv in "$@"; do echo "$kv"; done
    } >"$CFG"
    trap 'daemon_kill' EXIT
}

mcr() {
    "$MCR" --db "$DB" --config "$CFG" "$@"
}

daemon_pid() {
    [ -f "$DB.mcrd.lock" ] && flock -n "$DB.mcrd.lock" true 2>/dev/null &&
        return 1
    [ -f "$DB.mcrd.lock" ] && cat "$DB.mcrd.lock"
}

daemon_kill() {
    pid=$(daemon_pid) && kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do
        daemon_pid >/dev/null || return 0
        sleep 0.1
    done
    pid=$(daemon_pid) && kill -KILL "$pid" 2>/dev/null
    return 0
}

# sql QUERY: run a query on the shift log with the sqlite3 shell.
sql() {
    "$SQLITE3" -cmd ".timeout 5000" "$DB" "$1"
}

# job_state ID
job_state() {
    sql "SELECT state FROM jobs WHERE id = $1"
}

# wait_state ID STATE [SECONDS]: true once job ID is in STATE.
wait_state() {
    n=$(( ${3:-20} * 10 ))
    while [ "$n" -gt 0 ]; do
        [ "$(job_state "$1")" = "$2" ] && return 0
        sleep 0.1
        n=$((n - 1))
    done
    echo "#   job $1 is $(job_state "$1"), not $2"
    return 1
}

# submit ARGS...: queue a job without waiting; prints its id.
submit() {
    mcr submit --json "$@" | "$JSONGET" id
}

# alive PID: the process exists and is not a zombie waiting for a parent
# that does not reap it.
alive() {
    [ -r "/proc/$1/stat" ] && [ "$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null)" != Z ]
}

# flip_byte FILE OFFSET: changes the byte at OFFSET to another one (never
# to itself, which a fixed byte over random content does one time in 256).
flip_byte() {
    _was=$(dd if="$1" bs=1 skip="$2" count=1 2>/dev/null)
    [ "$_was" = X ] && _b=Y || _b=X
    printf '%s' "$_b" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
