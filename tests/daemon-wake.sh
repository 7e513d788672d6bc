#!/bin/sh
# daemon-wake: a job queued while mcrd idles starts at once, not at mcrd's
# next look at the shift log (poll = 10s here): mcrd watches the log's WAL
# and looks again as the writer's commit lands; `--wait` watches it too and
# returns as soon as the job is done. Each job must take well under the
# poll interval, three times in a row, or the watch is not working.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "poll = 10s"

run mcr daemon
expect_rc 0 "mcrd starts"
# mcrd's first ticks come right after its start; let it settle into idle.
sleep 1
now_ms() { date +%s%3N; }
for i in 1 2 3; do
    t0=$(now_ms)
    run mcr submit testplug.ok steps=1 delay_ms=0 --wait
    t1=$(now_ms)
    expect_rc 0 "job $i, queued while mcrd idles, is done"
    [ $((t1 - t0)) -lt 3000 ]
    ok $? "within 3 s of being queued, with mcrd polling every 10 s (took $((t1 - t0)) ms)"
    # The queue empties and mcrd goes back to its idle poll.
    sleep 0.5
done
is "$(sql "SELECT count(*) FROM jobs WHERE state = 'done'")" 3 "all three are done"
grep -q "lost the watch" "$DB.mcrd.log"
ok $((! $?)) "mcrd kept its watch on the shift log"

finish
