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
    s=$?
    [ $s -ne 0 ] && echo "#   $1 lacks: $2" && sed 's/^/#   | /' "$1" | head -n 8
    ok $s "$3"
}

# json PATH: the value at PATH in $T/out.
json() {
    "$JSONGET" "$1" <"$T/out"
}

# is GOT WANT DESCRIPTION
is() {
    [ "$1" = "$2" ]
    s=$?
    [ $s -ne 0 ] && echo "#   got '$1', want '$2'"
    ok $s "$3"
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
    echo "1..$tap_n"
    if [ $tap_failed -eq 0 ]; then
        rm -rf "$T"
    else
        echo "# kept $T for inspection"
    fi
    # Failures are in the TAP lines; a non-zero exit would count them twice.
    return 0
}
