#!/bin/sh
# cli-tamper: someone edits the shift log with the sqlite3 shell. The
# triggers stop a plain UPDATE or DELETE; once they are dropped, the hash
# chain still shows what changed, and `mcr log verify` names the first bad
# event and exits 1.
. "$TESTS_SRCDIR/lib.sh"

[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"

DB="$T/shiftlog.db"
for i in 1 2 3 4 5; do
    "$MCR" --db "$DB" note "night shift note $i" || exit 99
done
run "$MCR" --db "$DB" log verify
expect_rc 0 "the untouched log verifies"

run "$SQLITE3" "$DB" "UPDATE events SET message = 'nothing happened' WHERE id = 4"
[ "$rc" -ne 0 ]
ok $? "the sqlite3 shell cannot UPDATE an event"
has "$T/err" "append-only" "the trigger says why"
run "$SQLITE3" "$DB" "DELETE FROM events WHERE id = 4"
[ "$rc" -ne 0 ]
ok $? "nor DELETE one"

cp "$DB" "$T/clean.db"
"$SQLITE3" "$DB" "DROP TRIGGER events_no_update;
    UPDATE events SET message = 'nothing happened' WHERE id = 4"
run "$MCR" --db "$DB" log verify
expect_rc 1 "an altered event fails verify"
has "$T/out" "event 4 does not match its hash" "naming the altered event"
has "$T/out" "the append-only triggers on events were removed" \
    "and the dropped trigger"
run "$MCR" --db "$DB" log verify --json
expect_rc 1 "verify --json fails too"
is "$(json intact)" false "intact is false"
is "$(json first_bad)" 4 "first_bad is 4"
is "$(json triggers_present)" false "triggers_present is false"
run "$MCR" --db "$DB" --read-only log verify
expect_rc 1 "a read-only review finds it as well"

cp "$T/clean.db" "$DB"
"$SQLITE3" "$DB" "DROP TRIGGER events_no_delete;
    DELETE FROM events WHERE id = 3;
    CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN
      SELECT RAISE(ABORT, 'shift log events are append-only'); END;"
run "$MCR" --db "$DB" log verify
expect_rc 1 "a removed event fails verify even with the trigger restored"
has "$T/out" "event 3 was removed" "naming the removed event"

cp "$T/clean.db" "$DB"
"$SQLITE3" "$DB" "INSERT INTO events (time, user, host, kind, severity,
    message, hash) VALUES (0, 'x', 'y', 'note', 'info', 'forged', zeroblob(32))"
run "$MCR" --db "$DB" log verify
expect_rc 1 "an event inserted out of chain fails verify"
has "$T/out" "event 7 does not match its hash" "naming the forged event"

run "$MCR" --db "$T/clean.db" log verify
expect_rc 0 "the untouched copy still verifies"

finish
