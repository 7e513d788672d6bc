#!/bin/sh
# daemon-recovery: one mcrd per shift log; kill -9 of mcrd while jobs run,
# then a restart: the jobs are interrupted with an event, orphaned workers
# are killed, the retry-safe job runs again and nothing is reported done
# that did not finish; SIGTERM stops gracefully; SIGHUP reloads the
# config, and a bad config is refused without stopping anything.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 4"

run mcr daemon
expect_rc 0 "mcr daemon starts mcrd in the background"
pid=$(daemon_pid)
[ -n "$pid" ] && kill -0 "$pid"
ok $? "it runs (pid $pid)"
is "$(cat "/proc/$pid/comm")" mcrd "as mcrd in ps"
run mcr daemon -f
expect_rc 2 "a second mcrd for the same shift log"
has "$T/err" "mcrd already runs for shift log $DB (pid $pid)" "is refused, naming the first"

# kill -9 with two jobs running: one safe to retry, one not.
s=$(submit testplug.sleep seconds=3)
h=$(submit testplug.hang)
wait_state "$s" running && wait_state "$h" running
ok $? "two jobs run"
spid=$(sql "SELECT pid FROM jobs WHERE id = $s")
hpid=$(sql "SELECT pid FROM jobs WHERE id = $h")
kill -9 "$pid"
sleep 0.3
alive "$hpid"
ok $? "the hung worker outlived mcrd (an orphan)"
is "$(job_state "$h")" running "the shift log still says running"
run mcr jobs
expect_rc 0 "the next mcr verb restarts mcrd"
newpid=$(daemon_pid)
[ -n "$newpid" ] && [ "$newpid" != "$pid" ]
ok $? "a new mcrd runs (pid $newpid)"
wait_state "$h" interrupted 5
ok $? "the job that is not safe to retry is interrupted"
sleep 0.3
alive "$hpid"
[ $? -ne 0 ]
ok $? "its orphaned worker was killed"
has_event() {
    [ "$(sql "SELECT count(*) FROM events WHERE job_id = $1 AND kind = '$2'")" -ge 1 ]
}
has_event "$h" job.interrupted
ok $? "the interruption is in the log"
is "$(sql "SELECT error FROM jobs WHERE id = $h")" \
    "mcrd stopped while it ran; its orphaned worker (pid $hpid) was killed" \
    "saying what happened"
has_event "$s" job.interrupted
ok $? "the retry-safe job was interrupted too"
wait_state "$s" done 15
ok $? "and ran again to the end"
is "$(sql "SELECT attempts FROM jobs WHERE id = $s")" 2 "on a second attempt"
is "$(sql "SELECT count(*) FROM jobs WHERE id = $h AND state = 'done'")" 0 \
    "nothing that did not finish is reported done"

# SIGTERM: no new work; a running job may finish within the grace (1 s
# here); one that needs longer is interrupted and queued again.
q=$(submit testplug.sleep seconds=5)
wait_state "$q" running
pid=$(daemon_pid)
start=$(date +%s%N)
kill -TERM "$pid"
n=50
while kill -0 "$pid" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
took=$((($(date +%s%N) - start) / 1000000))
kill -0 "$pid" 2>/dev/null
[ $? -ne 0 ]
ok $? "SIGTERM stops mcrd within the grace and the kill ($took ms)"
is "$(job_state "$q")" queued "the retry-safe job waits for the next mcrd"
has_event "$q" job.interrupted
ok $? "its interruption is in the log"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'daemon.stopped'")" 1 "mcrd logged its stop"

# SIGHUP reloads; a bad config is refused and the old one stays.
run mcr daemon
pid=$(daemon_pid)
sed -i 's/^workers.*/workers = 2/' "$CFG"
kill -HUP "$pid"
n=50
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM events WHERE kind = 'daemon.reload'")" -lt 1 ]; do
    sleep 0.1; n=$((n - 1))
done
is "$(sql "SELECT message FROM events WHERE kind = 'daemon.reload' ORDER BY id DESC LIMIT 1")" \
    "config reloaded: 2 workers, 0 volumes" "SIGHUP reloads the config"
echo "colour = red" >>"$CFG"
kill -HUP "$pid"
n=50
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM events WHERE kind = 'daemon.reload'")" -lt 2 ]; do
    sleep 0.1; n=$((n - 1))
done
sql "SELECT message FROM events WHERE kind = 'daemon.reload' ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "config reload refused, the old config stays: $CFG:" "a bad config is refused, naming file:line"
kill -0 "$pid"
ok $? "and mcrd keeps running"
sed -i '/^colour/d' "$CFG"
wait_state "$q" done 15
ok $? "the queued job runs under the reloaded daemon"

# Relative paths: mcrd works from "/", so they are made absolute first.
(cd "$T" && "$MCR" --db rel.db --config mcr.ini note "relative" >/dev/null &&
    "$MCR" --db rel.db --config mcr.ini daemon) >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "mcrd starts with a relative --db and --config"
relpid=$(cat "$T/rel.db.mcrd.lock" 2>/dev/null)
[ -n "$relpid" ] && kill -0 "$relpid"
ok $? "and keeps running"
[ -n "$relpid" ] && kill "$relpid"

run mcr log --kind daemon
has "$T/out" "mcrd 0" "daemon starts are in the log"
run mcr log verify
expect_rc 0 "the chain verifies after two crashes"

finish
