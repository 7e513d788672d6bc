#!/bin/sh
# daemon-records: the rows a plugin files (host->record) through the real
# mcr-worker and mcrd. The worker sends rows in bursts, not one write
# each: every row still reaches the shift log, in order, and soon, also
# while the plugin is silent on one long file; a row that is not one line
# of a JSON object is dropped with a line in the job's log, and one only
# mcrd can tell is broken becomes a job.protocol warning, never a lost job.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup

# Many rows in one burst: all filed, in order.
run mcr submit testplug.rows rows=5000 --wait
expect_rc 0 "a job that files 5000 rows"
is "$(sql "SELECT count(*), min(data->>'n'), max(data->>'n') FROM records WHERE job_id = 1 AND type = 'testplug.row'")" \
    "5000|1|5000" "every row is filed"
is "$(sql "SELECT count(*) FROM records a JOIN records b ON b.id = a.id + 1 WHERE a.job_id = 1 AND b.job_id = 1 AND b.data->>'n' != a.data->>'n' + 1")" \
    0 "in the order the plugin filed them"

# Rows, then silence: they reach the shift log while the job still runs.
id=$(submit testplug.rows rows=3 hold=30)
n=0 rows=0
while [ $n -lt 40 ]; do
    rows=$(sql "SELECT count(*) FROM records WHERE job_id = $id")
    [ "$rows" = 3 ] && break
    sleep 0.05
    n=$((n + 1))
done
is "$rows" 3 "rows held by the worker reach the shift log within 2 s though the plugin says nothing more"
is "$(job_state "$id")" running "while the job is still running"
run mcr job cancel "$id"
wait_state "$id" cancelled 10
ok $? "and the job is cancelled as usual"

# Rows no host should pass on.
run mcr submit testplug.rows rows=2 bad=1 --wait
expect_rc 0 "a job that files broken rows finishes"
is "$(sql "SELECT group_concat(data->>'n') FROM records WHERE job_id = 3 ORDER BY id")" "1,2" \
    "only its good rows are filed"
run mcr job log 3
is "$(grep -c "is not one line of a JSON object; dropped" "$T/out")" 4 \
    "each row that is not one line of an object, or whose type is no name, is dropped with a line in the job's log"
is "$(sql "SELECT count(*) FROM events WHERE job_id = 3 AND kind = 'job.protocol'")" 1 \
    "the row only mcrd can tell is broken is a job.protocol warning"
is "$(sql "SELECT message LIKE 'record message body is not a JSON object%' FROM events WHERE job_id = 3 AND kind = 'job.protocol'")" 1 \
    "which says what was wrong"
finish
