#!/bin/sh
# console: the real `mcr` console in a real pty, its output rendered by
# libvterm (ptyterm), driven by keys: the dashboard's five panes at 80x24
# and 200x60, a resize mid-run, UTF-8 and ASCII drawing, the help screen,
# a job's progress bar advancing while mcrd runs it, live QC meters, the
# terminal pane running a command in colour, read-only mode refusing an
# action, and SIGHUP (an SSH drop) leaving mcrd and its job running.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
"$PTYTERM" -- true </dev/null >/dev/null 2>&1 ||
    skip_all "ptyterm cannot run a command on a pty here"
daemon_setup "workers = 4"
mkdir -p "$T/prod"
printf '[volume prod]\npath = %s\nwarn = 0\ncrit = 100\n' "$T/prod" >>"$CFG"

# con SIZE [ENV...] <SCRIPT: the console under ptyterm.
con() {
    size=$1
    shift
    envs=""
    for e in "$@"; do envs="$envs --env $e"; done
    # shellcheck disable=SC2086
    "$PTYTERM" --size "$size" --env TERM=xterm-256color $envs -- \
        "$MCR" --db "$DB" --config "$CFG" >"$T/out" 2>"$T/err"
    rc=$?
}

run mcr submit storage.sample --wait
expect_rc 0 "a storage sample to show"

con 24x80 <<'SCRIPT'
wait "Jobs ("
wait Storage
wait Transfers
wait "QC meters"
wait "Shift log"
wait "no transfers running"
wait "no live QC meters"
wait prod
wait "storage.sample"
wait "F1/? help"
keys q
exit 0
SCRIPT
expect_rc 0 "the dashboard at 80x24 shows five panes and quits on q"

con 60x200 <<'SCRIPT'
wait "Jobs ("
wait "no live QC meters: a running QC or monitor job shows its loudness here"
wait "storage.sample queued with priority 0"
keys <F10>
exit 0
SCRIPT
expect_rc 0 "the dashboard at 200x60, F10 quits"

con 24x80 <<'SCRIPT'
wait "Jobs ("
resize 40x120
wait "no live QC meters: a running QC or"
wait "storage.threshold prod: volume prod is"
resize 20x60
sleep 0.3
wait "Jobs ("
keys q
exit 0
SCRIPT
expect_rc 0 "a resize mid-run re-lays the panes out"

con 24x80 <<'SCRIPT'
wait "Jobs ("
wait "█"
keys q
exit 0
SCRIPT
expect_rc 0 "UTF-8: bars are drawn with block characters"
con 24x80 LC_ALL=C LANG=C <<'SCRIPT'
wait "+ Jobs"
wait "###"
expectnot "█"
keys q
exit 0
SCRIPT
expect_rc 0 "ASCII: borders and bars fall back when the locale is not UTF-8"
for term in vt100 screen tmux-256color; do
    con 24x80 TERM=$term <<'SCRIPT'
wait "Jobs ("
wait "no transfers running"
wait "F1/? help"
keys q
exit 0
SCRIPT
    expect_rc 0 "TERM=$term works"
done
con 24x80 NO_COLOR=1 <<'SCRIPT'
wait "Jobs ("
attr 0 0 reverse
keys q
exit 0
SCRIPT
expect_rc 0 "NO_COLOR: the status line is drawn with attributes"

con 24x80 <<'SCRIPT'
wait "Jobs ("
keys ?
wait "Keys of the Dashboard screen"
wait "Tab / Shift-Tab"
wait "Keys everywhere"
wait "q, F10 or Ctrl-C"
wait ":note TEXT"
keys <Esc>
wait "Jobs ("
keys \r
wait "sorted by newest"
keys ?
wait "Keys of the Jobs screen"
wait "cancel the job (asks first)"
keys q
waitnot "Keys of the Jobs"
keys <Esc>
wait "Jobs ("
keys q
exit 0
SCRIPT
expect_rc 0 "the help screen lists the keys of the screen below it"

# A job's progress bar advances while mcrd runs it; live meters.
con 30x110 <<'SCRIPT'
wait "Jobs ("
keys ":submit testplug.ok steps=20 delay_ms=250\r"
wait "job 2 queued: testplug.ok"
wait " 20%" 10
wait " 60%" 10
wait done 15
keys ":submit testplug.nosuch\r"
wait "no plugin runs kind testplug.nosuch"
keys ":submit testplug.params colour=red\r"
wait "takes no parameter 'colour'"
keys ":submit testplug.meters seconds=4\r"
wait "-23.4 LUFS" 10
wait "LRA 6.5 LU  TP -2.1 dBTP"
wait "job 3 testplug.meters"
wait "no live QC meters" 15
keys q
exit 0
SCRIPT
expect_rc 0 "a job's progress bar advances and live meters show, from the shift log"

# The terminal pane: a shell in a pty, colours, back with F12.
con 24x80 <<'SCRIPT'
wait "Jobs ("
keys <F12>
sleep 0.5
keys "clear; printf '\\033[31mRED\\033[0m-ok'\r"
wait RED-ok
attr 1 0 fg=1
keys <F12>
wait "Jobs ("
keys <F12>
wait RED-ok
keys <F12>
wait "Jobs ("
keys q
wait "Quit? The terminal pane's shell will be closed"
keys y
exit 0
SCRIPT
expect_rc 0 "the terminal pane runs a shell with colours; quitting asks first"

# Once its shell has exited, nothing would stop: q quits without asking.
con 24x80 <<'SCRIPT'
wait "Jobs ("
keys <F12>
sleep 0.5
keys "exit\r"
wait "shell exited"
keys <F12>
wait "Jobs ("
keys q
exit 0
SCRIPT
expect_rc 0 "with the terminal's shell gone, q quits at once"

# Read-only review of a copy: actions are refused on the status line.
daemon_kill
id=$(submit --no-daemon testplug.sleep seconds=30)
# A long path: the top line drops its head, not the daemon's state.
long="$T/night-shift-review/copied-from-mcr-host-07/2026-11-29"
mkdir -p "$long"
"$SQLITE3" "$DB" ".backup '$long/copy.db'"
ln -s "$long/copy.db" "$T/copy.db"
"$PTYTERM" --size 24x100 -- "$MCR" --db "$long/copy.db" --config "$CFG" \
    --read-only >"$T/out" 2>"$T/err" <<SCRIPT
wait "READ-ONLY"
wait "mcrd not running | ..."
wait "2026-11-29/copy.db"
keys ":jobs\r"
wait "sorted by newest"
keys c
wait "read-only: cannot cancel job $id"
keys q
exit 0
SCRIPT
rc=$?
expect_rc 0 "read-only mode refuses an action and says so"
is "$(job_state "$id")" queued "and the job was left alone"
[ -z "$(daemon_pid)" ]
ok $? "and no daemon was started"
is "$("$SQLITE3" "$T/copy.db" "SELECT count(*) FROM requests")" 0 "the copy was not written"

# SIGHUP (an SSH drop) ends the console; mcrd and its job go on.
con 24x80 <<'SCRIPT'
wait "Jobs ("
wait "running" 10
signal HUP
exit
SCRIPT
expect_rc 0 "SIGHUP ends the console"
pid=$(daemon_pid)
[ -n "$pid" ] && kill -0 "$pid"
ok $? "mcrd is still running"
is "$(job_state "$id")" running "and so is the job"
stty sane 2>/dev/null
run mcr job cancel "$id" --wait
expect_rc 1 "the job can still be cancelled from the CLI"

finish
