#!/bin/sh
# storage/backup: mcr backup-shiftlog while mcrd writes (a job reporting
# meters ten times a second and operators adding notes), the copy reopened
# and its chain verified; a copy that does not verify leaves nothing;
# mcrd's scheduled backups, pruned to backup_keep.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
mkdir -p "$T/bk"
run mcr note "backup tests start"
for i in $(seq 20); do mcr note "note $i"; done

# A writer during the backup: a meters job and a loop of notes.
mid=$(submit testplug.meters seconds=6)
wait_state "$mid" running
( for i in $(seq 20); do mcr note "during $i"; done ) &
writer=$!
run mcr backup-shiftlog --to "$T/bk/one.db" --json
expect_rc 0 "a backup taken while mcrd and a writer write"
wait "$writer"
[ -f "$T/bk/one.db" ]; ok $? "is at the path given"
[ ! -e "$T/bk/one.db-wal" ]; ok $? "as one self-contained file"
head_id=$(json head_event)
[ "$head_id" -gt 20 ]; ok $? "holds the events up to the backup ($head_id)"
"$MCR" --db "$T/bk/one.db" --read-only log verify >"$T/out" 2>"$T/err"
ok $? "mcr log verify passes on the copy"
is "$("$SQLITE3" "$T/bk/one.db" "SELECT hex(hash) FROM events WHERE id = $head_id")" \
    "$(sql "SELECT hex(hash) FROM events WHERE id = $head_id")" "its last event is the live log's"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'shiftlog.backup'")" 1 "the backup is in the live log"
run mcr job cancel "$mid"

run mcr backup-shiftlog --to "$T/bk/one.db"
expect_rc 2 "an existing file is not overwritten"
has "$T/err" "already exists" "saying so"

run mcr backup-shiftlog --to "$T/bk"
expect_rc 0 "a folder gets a dated name"
ls "$T/bk" | grep -q '^shiftlog-[0-9]\{8\}T[0-9]\{6\}Z\.db$'
ok $? "shiftlog-YYYYmmddTHHMMSSZ.db"

run mcr backup-shiftlog --to "$T/no/such/dir/x.db"
expect_rc 2 "a backup into a missing folder fails"
one_line "$T/err" "with one line"
[ ! -e "$T/no/such/dir/x.db" ]; ok $? "leaving nothing"

# A log whose chain is broken gives a copy that does not verify: it is
# refused and nothing is left at the path.
cp "$DB" "$T/broken.db"
"$SQLITE3" "$T/broken.db" "DROP TRIGGER events_no_update; UPDATE events SET message = 'edited' WHERE id = 5"
"$MCR" --db "$T/broken.db" --config "$CFG" --no-daemon backup-shiftlog --to "$T/bk/bad.db" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 1 "a copy that does not verify is refused"
has "$T/err" "did not verify" "saying so"
[ ! -e "$T/bk/bad.db" ]; ok $? "and nothing is left"
ls "$T/bk" | grep -q tmp; [ $? -ne 0 ]; ok $? "not even a temporary file"

# mcrd on a schedule.
daemon_kill
rm -rf "$T/sched"
cat >>"$CFG" <<EOT
[storage]
backup_dir = $T/sched
backup_every = 1s
backup_keep = 2
EOT
run mcr daemon
sleep 3.6
n=$(ls "$T/sched" 2>/dev/null | grep -c '\.db$')
[ "$n" -eq 2 ]; ok $? "mcrd backs up on its schedule and keeps backup_keep ($n)"
last=$(ls "$T/sched" | grep '\.db$' | tail -n 1)
"$MCR" --db "$T/sched/$last" --read-only log verify >/dev/null 2>&1
ok $? "a scheduled backup verifies"
[ "$(sql "SELECT count(*) FROM events WHERE kind = 'shiftlog.backup' AND severity = 'info'")" -ge 4 ]
ok $? "each one is in the shift log"
finish
