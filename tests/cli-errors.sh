#!/bin/sh
# cli-errors: bad input gets one clear sentence on stderr, exit status 2,
# and nothing is lost: a shift log in a missing or read-only folder, a file
# that is not SQLite, a newer schema, a writer holding the lock past the
# busy timeout, a malformed config, a --since that is not a time, an empty
# or non-UTF-8 note. The log stays verifiable through all of it.
. "$TESTS_SRCDIR/lib.sh"

# error DESCRIPTION TEXT: the last run failed with exit 2 and one line of
# stderr containing TEXT.
error() {
    expect_rc 2 "$1"
    has "$T/err" "$2" "$1: says what"
    one_line "$T/err" "$1: in one line"
}

DB="$T/logs/shiftlog.db"
mkdir -p "$T/logs"
run "$MCR" --db "$DB" note "first"
expect_rc 0 "a shift log to break things around"

run "$MCR" --db "$T/no/such/folder/log.db" note hello
error "a shift log in a missing folder" "the folder $T/no/such/folder does not exist"
[ ! -e "$T/no" ]
ok $? "no folder was created for a typed path"

echo "QC report: PASS" >"$T/report.txt"
run "$MCR" --db "$T/report.txt" status
error "a file that is not SQLite" "is not a shift log"
is "$(cat "$T/report.txt")" "QC report: PASS" "the file is left as it was"

if [ -n "$SQLITE3" ]; then
    # One past the newest schema this mcr knows.
    cp "$DB" "$T/newer.db"
    newer=$(( $("$SQLITE3" "$DB" "PRAGMA user_version") + 1 ))
    "$SQLITE3" "$T/newer.db" "PRAGMA user_version = $newer"
    run "$MCR" --db "$T/newer.db" status
    error "a newer schema" "schema version $newer, newer than this mcr"
    is "$("$SQLITE3" "$T/newer.db" "PRAGMA user_version")" "$newer" \
        "the newer log is not downgraded"

    # Another writer holds the write lock for 3 s; mcr waits its
    # busy_timeout (500 ms here), then gives up with a clear message.
    printf '[shiftlog]\nbusy_timeout = 500ms\n' >"$T/busy.ini"
    (printf 'BEGIN IMMEDIATE;\n'; sleep 3; printf 'COMMIT;\n') |
        "$SQLITE3" "$DB" &
    holder=$!
    sleep 1
    start=$(date +%s%N)
    run "$MCR" --db "$DB" --config "$T/busy.ini" note "while locked"
    took=$((($(date +%s%N) - start) / 1000000))
    error "a writer holding the lock" "stayed locked by another writer for more than 500 ms"
    [ "$took" -ge 450 ]
    ok $? "mcr retried for the busy timeout first (${took} ms)"
    wait $holder
    run "$MCR" --db "$DB" note "after the lock"
    expect_rc 0 "the note goes in once the lock is released"
else
    ok 0 "# SKIP no sqlite3 shell for the schema and lock tests"
fi

printf '[shiftlog]\nbusy_timeout = 5s\ncolour = red\n' >"$T/bad.ini"
run "$MCR" --db "$DB" --config "$T/bad.ini" status
error "an unknown key" "$T/bad.ini:3: unknown key 'colour' in [shiftlog]"
printf '[consoel]\nx = 1\n' >"$T/bad.ini"
run "$MCR" --db "$DB" --config "$T/bad.ini" status
error "an unknown section" "$T/bad.ini:2: unknown section [consoel]"
printf '[shiftlog]\nbusy_timeout = forever\n' >"$T/bad.ini"
run "$MCR" --db "$DB" --config "$T/bad.ini" status
error "a bad value" "$T/bad.ini:2: busy_timeout 'forever' is not a duration"
mkdir -p "$XDG_CONFIG_HOME/mcr"
printf '[site]\nname\n' >"$XDG_CONFIG_HOME/mcr/mcr.ini"
run "$MCR" --db "$DB" status
error "a malformed user config" "$XDG_CONFIG_HOME/mcr/mcr.ini:2: not a '[section]'"
rm "$XDG_CONFIG_HOME/mcr/mcr.ini"
run "$MCR" --db "$DB" --config "$T/absent.ini" status
error "a missing --config" "$T/absent.ini: cannot read the config file"

run "$MCR" --db "$DB" log --since yesterday
error "a --since that is not a time" "'yesterday' is not a time"
run "$MCR" --db "$DB" log --since 2026-02-30
error "a date that does not exist" "'2026-02-30' is not a time"
run "$MCR" --db "$DB" log --since 1h --until 2h
error "--since after --until" "--since is not before --until"
run "$MCR" --db "$DB" log --limit 0
error "a bad --limit" "--limit '0'"

run "$MCR" --db "$DB" note ""
error "an empty note" "the note is empty"
run "$MCR" --db "$DB" note "   "
error "a blank note" "the note is empty"
printf '' | "$MCR" --db "$DB" note >"$T/out" 2>"$T/err"
rc=$?
error "an empty note on stdin" "the note is empty"
printf 'caf\351 au lait\n' | "$MCR" --db "$DB" note >"$T/out" 2>"$T/err"
rc=$?
error "a note that is not UTF-8" "not valid UTF-8"
run "$MCR" --db "$DB" note "caf$(printf '\351')"
error "a non-UTF-8 note in the arguments" "not valid UTF-8"

# Permissions: as root every folder is writable, so these run as nobody.
as_nobody() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
    else
        "$@"
    fi
}
chmod 755 "$T" "$T/logs"
chmod 644 "$DB"
if [ "$(id -u)" -ne 0 ]; then chmod 555 "$T/logs"; fi
if as_nobody true 2>/dev/null && as_nobody test -x "$MCR"; then
    as_nobody env HOME=/nonexistent "$MCR" --db "$T/logs/other.db" note hi \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    error "a shift log in a read-only folder" "is not writable"
    as_nobody env HOME=/nonexistent "$MCR" --db "$DB" note hi \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    error "a shift log the user may not write" "add --read-only to review it"
    as_nobody env HOME=/nonexistent "$MCR" --db "$DB" --read-only log \
        >"$T/out" 2>"$T/err" </dev/null
    rc=$?
    expect_rc 0 "which --read-only can still review"
    has "$T/out" "first" "with its events"
else
    ok 0 "# SKIP cannot run as an unprivileged user here"
fi
chmod 755 "$T/logs"

# Nothing was lost and nothing half-done was recorded.
run "$MCR" --db "$DB" log verify
expect_rc 0 "the shift log verifies after every refusal"
run "$MCR" --db "$DB" log --kind note --json
if [ -n "$SQLITE3" ]; then want=2; else want=1; fi
is "$("$JSONGET" length:events <"$T/out")" "$want" "only the accepted notes are in it"

finish
