#!/bin/sh
# daemon-order: scheduling. Jobs queued with no daemon running start, once
# it runs, by priority and then in order; a job runs only after the jobs
# it depends on are done, and fails with a reason when one failed; 200
# jobs pass through 4 workers and never more than 4 run at once; a per-kind
# limit holds; two CLIs queueing at once lose nothing.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 1"

# Queue with --no-daemon, then start mcrd: one worker runs them in order.
a=$(submit --no-daemon testplug.ok steps=1 delay_ms=50)
b=$(submit --no-daemon testplug.ok steps=1 delay_ms=50 --priority 5)
c=$(submit --no-daemon testplug.ok steps=1 delay_ms=50 --after "$a")
d=$(submit --no-daemon testplug.ok steps=1 delay_ms=50 --priority 5)
e=$(submit --no-daemon testplug.fail)
f=$(submit --no-daemon testplug.ok steps=1 delay_ms=0 --after "$e","$a")
[ -z "$(daemon_pid)" ]
ok $? "--no-daemon queued without starting mcrd"
is "$(sql "SELECT count(*) FROM jobs WHERE state = 'queued'")" 6 "six jobs wait"
run mcr submit testplug.ok --after 999
expect_rc 2 "a dependency that does not exist"
has "$T/err" "there is no such job" "is refused"

run mcr jobs
expect_rc 0 "mcr jobs starts mcrd"
for j in $a $b $c $d $e $f; do
    n=100
    while [ $n -gt 0 ] && [ "$(job_state "$j")" = queued -o "$(job_state "$j")" = running ]; do
        sleep 0.1; n=$((n - 1))
    done
done
order=$(sql "SELECT group_concat(id, ' ') FROM (SELECT id FROM jobs WHERE started IS NOT NULL ORDER BY started)")
is "$order" "$b $d $a $c $e" "priority first, then first in first out, dependants after"
is "$(job_state "$c")" done "the dependant ran once its dependency was done"
is "$(job_state "$f")" failed "a job after a failed job fails"
is "$(sql "SELECT error FROM jobs WHERE id = $f")" "job $e, which it runs after, failed" \
    "saying which job failed"
run mcr jobs --json
is "$(json length:jobs)" 6 "mcr jobs --json lists them"
is "$(json jobs.2.after)" "[$a]" "with their dependencies"
daemon_kill

# 200 jobs through 4 workers.
sed -i 's/^workers.*/workers = 4/' "$CFG"
i=0
while [ $i -lt 200 ]; do
    echo "testplug.ok steps=1 delay_ms=20"
    i=$((i + 1))
done | while read -r kind p1 p2; do
    "$MCR" --db "$DB" --config "$CFG" submit --no-daemon "$kind" "$p1" "$p2" >/dev/null || echo fail
done >"$T/submits"
[ ! -s "$T/submits" ]
ok $? "200 jobs queued"
start=$(date +%s)
run mcr jobs --limit 1
n=600
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")" -gt 0 ]; do
    sleep 0.1; n=$((n - 1))
done
is "$(sql "SELECT count(*) FROM jobs WHERE id > $f AND state = 'done'")" 200 \
    "all 200 done in $(($(date +%s) - start)) s"
# The most jobs running at one instant, from their start and end times.
peak=$(sql "SELECT max(c) FROM (SELECT (SELECT count(*) FROM jobs b WHERE b.id > $f AND b.started <= a.started AND b.finished > a.started) AS c FROM jobs a WHERE a.id > $f)")
[ "$peak" -le 4 ] && [ "$peak" -ge 2 ]
ok $? "at most 4 ran at once, and more than one did (peak $peak)"

# A per-kind limit.
printf '[kind testplug.sleep]\nlimit = 1\n' >>"$CFG"
daemon_kill
for i in 1 2 3; do submit --no-daemon testplug.sleep seconds=1 >/dev/null; done
run mcr jobs --limit 1
n=100
while [ $n -gt 0 ] && [ "$(sql "SELECT count(*) FROM jobs WHERE kind = 'testplug.sleep' AND state <> 'done'")" -gt 0 ]; do
    sleep 0.1; n=$((n - 1))
done
peak=$(sql "SELECT max(c) FROM (SELECT (SELECT count(*) FROM jobs b WHERE b.kind = 'testplug.sleep' AND b.started <= a.started AND b.finished > a.started) AS c FROM jobs a WHERE a.kind = 'testplug.sleep')")
is "$peak" 1 "[kind] limit = 1 keeps them one at a time"

# Two CLIs queueing at once.
( for i in $(seq 40); do mcr submit testplug.ok steps=1 delay_ms=0 >/dev/null || echo fail; done ) >"$T/one" 2>&1 &
p1=$!
( for i in $(seq 40); do mcr submit testplug.ok steps=1 delay_ms=0 >/dev/null || echo fail; done ) >"$T/two" 2>&1 &
p2=$!
wait $p1 $p2
[ ! -s "$T/one" ] && [ ! -s "$T/two" ]
ok $? "two CLIs queueing at once both succeed"
is "$(sql "SELECT count(DISTINCT id) FROM jobs")" 289 "every job is recorded once"
run mcr log verify
expect_rc 0 "and the hash chain is one chain"

finish
