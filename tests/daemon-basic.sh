#!/bin/sh
# daemon-basic: a job's whole life through the real mcrd, mcr-worker and
# the test plugin: success with every kind of report, failure, a crash on
# SIGSEGV, a hung worker cancelled, a timeout, pause and resume, retry,
# a retry-safe crash retried with back-off, bad parameters refused at
# submit, and the job's life readable in `mcr log`.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 4"

run mcr plugins
expect_rc 0 "mcr plugins"
has "$T/out" "testplug.sleep" "lists the test plugin's kinds"
has "$T/out" "name=" "with their parameters"

# Success, with progress, meters, findings, events, samples and state.
run mcr submit testplug.ok steps=4 delay_ms=100 --subject "A001C003.mov" --wait
expect_rc 0 "submit --wait on a job that succeeds"
has "$T/out" "job 1 queued: testplug.ok" "says which job it queued"
pid=$(daemon_pid)
[ -n "$pid" ] && kill -0 "$pid"
ok $? "submit started mcrd in the background (pid $pid)"
is "$(job_state 1)" done "the job is done"
is "$(sql "SELECT progress FROM jobs WHERE id = 1")" 1.0 "at 100%"
is "$(sql "SELECT count(*) > 0 FROM meters WHERE job_id = 1")" 1 "its meter was recorded"
is "$(sql "SELECT count(*) > 0 FROM findings WHERE job_id = 1")" 1 "its finding was recorded"
is "$(sql "SELECT count(*) > 0 FROM samples WHERE job_id = 1")" 1 "its sample was recorded"
is "$(sql "SELECT json_extract(data, '\$.steps') FROM records WHERE job_id = 1 AND type = 'testplug.row'")" 4 \
    "its structured row was filed in the records table"
run mcr job show 1 --json
is "$(json result.steps)" 4 "its result"
is "$(json requested_by)" "$(id -un)" "who queued it"
is "$(json subject)" "A001C003.mov" "its subject"
run mcr job log 1
expect_rc 0 "mcr job log"
has "$T/out" "mcr-worker: job 1, testplug.ok" "shows the worker's log"
run mcr log --kind job --json
for k in job.queued job.started job.done; do
    grep -q "\"kind\":\"$k\"" "$T/out"
    ok $? "the job's life in mcr log: $k"
done
run mcr log --grep "A001C003" --kind job
has "$T/out" "$(id -un)@" "queued by a named user"

# The plugin's persistent state carries to the next job.
run mcr submit testplug.ok steps=1 delay_ms=0 --wait
expect_rc 0 "a second job"
is "$(sql "SELECT value FROM plugin_state WHERE plugin = 'testplug' AND key = 'runs'")" 2 \
    "the plugin's state carried over"

# Bad parameters never reach the queue.
before=$(sql "SELECT count(*) FROM jobs")
run mcr submit testplug.params
expect_rc 2 "a missing required parameter"
has "$T/err" "testplug.params needs the parameter name=" "is named"
run mcr submit testplug.params name=x colour=red
expect_rc 2 "an unknown parameter"
has "$T/err" "takes no parameter 'colour'" "is named"
run mcr submit testplug.nosuch
expect_rc 2 "an unknown kind"
has "$T/err" "no plugin runs kind testplug.nosuch" "is named"
run mcr submit testplug.ok steps
expect_rc 2 "a parameter without '='"
is "$(sql "SELECT count(*) FROM jobs")" "$before" "nothing was queued"
printf '[testplug]\ngreeting = Evening\n' >>"$CFG"
run mcr submit testplug.params name=Sam --wait
is "$(sql "SELECT json_extract(result, '\$.greeting') FROM jobs WHERE kind = 'testplug.params'")" \
    hello "a config edit reaches no job before mcrd reloads"
kill -HUP "$(daemon_pid)"
n=50
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM events WHERE kind = 'daemon.reload'")" -lt 1 ]; do
    sleep 0.1; n=$((n - 1))
done
run mcr submit testplug.params name=Kim --wait
is "$(sql "SELECT json_extract(result, '\$.greeting') FROM jobs WHERE kind = 'testplug.params' ORDER BY id DESC LIMIT 1")" \
    Evening "after SIGHUP, a plugin's own config section reaches it"

# Failure.
run mcr submit testplug.fail --wait
expect_rc 1 "a failing job makes --wait exit 1"
has "$T/err" "the test plugin was asked to fail" "with the plugin's sentence"
id=$(sql "SELECT max(id) FROM jobs")
is "$(job_state "$id")" failed "the job failed"

# A crash costs one job, not the daemon.
run mcr submit testplug.crash --wait
expect_rc 1 "a worker that crashes"
id=$(sql "SELECT max(id) FROM jobs")
is "$(job_state "$id")" failed "fails its job"
has "$T/err" "SIGSEGV" "naming the signal"
kill -0 "$pid"
ok $? "and the daemon keeps running"
run mcr job log "$id"
has "$T/out" "testplug" "the crashed job's log is kept"

# Cancel of a hung worker: SIGTERM is ignored, SIGKILL follows the grace.
id=$(submit testplug.hang)
wait_state "$id" running
ok $? "a hung job runs"
wpid=$(sql "SELECT pid FROM jobs WHERE id = $id")
start=$(date +%s%N)
run mcr job cancel "$id" --wait
took=$((($(date +%s%N) - start) / 1000000))
expect_rc 1 "cancel --wait of a hung job"
is "$(job_state "$id")" cancelled "the hung job is cancelled"
[ "$took" -ge 900 ]
ok $? "after the grace period (${took} ms)"
alive "$wpid"
[ $? -ne 0 ]
ok $? "its worker is gone"
has "$T/err" "cancelled by $(id -un)" "the outcome names who cancelled"
run mcr job cancel "$id"
expect_rc 2 "cancelling an ended job"
has "$T/err" "it has already ended" "says why"

# A timeout.
run mcr submit testplug.hang --timeout 1s --wait
expect_rc 1 "a job past its timeout"
has "$T/err" "timed out after 1 s" "says so"

# Pause and resume.
id=$(submit testplug.sleep seconds=2)
wait_state "$id" running
wpid=$(sql "SELECT pid FROM jobs WHERE id = $id")
run mcr job pause "$id"
expect_rc 0 "pause"
wait_state "$id" paused
ok $? "the job is paused"
sleep 0.3
is "$(sed 's/.*) \(.\).*/\1/' "/proc/$wpid/stat")" T "its worker is stopped"
run mcr job pause "$id"
expect_rc 2 "pausing a paused job is refused"
run mcr job resume "$id"
expect_rc 0 "resume"
wait_state "$id" running 5
ok $? "the job runs again"
wait_state "$id" done 10
ok $? "and finishes"

# Retry by hand, and automatic retry of a retry-safe kind.
fid=$(sql "SELECT id FROM jobs WHERE kind = 'testplug.fail' LIMIT 1")
run mcr job retry "$fid" --wait
expect_rc 1 "a retried failing job fails again"
is "$(sql "SELECT attempts FROM jobs WHERE id = $fid")" 2 "on its second attempt"
run mcr submit testplug.flaky marker="$T/flaky.marker" --wait
expect_rc 0 "a retry-safe job that crashed once succeeds on retry"
id=$(sql "SELECT max(id) FROM jobs")
is "$(sql "SELECT attempts FROM jobs WHERE id = $id")" 2 "after two attempts"
is "$(sql "SELECT count(*) FROM events WHERE job_id = $id AND kind = 'job.attempt'")" 1 \
    "the failed attempt is in the log"
run mcr submit testplug.flaky marker="$T/refused.marker" refuse=1 --wait
expect_rc 1 "a retry-safe job refused for good fails"
has "$T/err" "refused the job for good" "with the plugin's sentence"
rid=$(sql "SELECT max(id) FROM jobs")
is "$(sql "SELECT attempts FROM jobs WHERE id = $rid")" 1 \
    "and is not retried (MCR_JOB_REFUSED)"

# Priority change is recorded.
id=$(submit testplug.sleep seconds=1 --after "$id")
run mcr job priority "$id" 7
expect_rc 0 "priority"
wait_state "$id" done 10
is "$(sql "SELECT priority FROM jobs WHERE id = $id")" 7 "the new priority is stored"

run mcr log verify
expect_rc 0 "the chain verifies after all that"
run mcr status --json
is "$(json jobs.running)" 0 "nothing is left running"
is "$(json daemon.running)" true "status says mcrd runs"
is "$(json daemon.pid)" "$pid" "and its pid"

finish
