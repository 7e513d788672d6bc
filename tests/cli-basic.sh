#!/bin/sh
# cli-basic: the real mcr binary on a fresh per-user shift log: help and
# version, notes from arguments and stdin, log filters and JSON, status,
# verify, --db before or after the verb, review of a copy with --read-only,
# and the sample config.
. "$TESTS_SRCDIR/lib.sh"

run "$MCR" --version
expect_rc 0 "--version"
has "$T/out" "mcr " "--version names mcr"

run "$MCR" --help
expect_rc 0 "--help"
for verb in log note status; do
    has "$T/out" "  $verb " "--help lists $verb"
done
for verb in log note status; do
    run "$MCR" $verb --help
    expect_rc 0 "mcr $verb --help"
    has "$T/out" "Usage: mcr $verb" "mcr $verb --help shows its usage"
done

run "$MCR" status
expect_rc 0 "status on a new machine"
has "$T/out" "$XDG_STATE_HOME/mcr/shiftlog.db" "creates the per-user shift log"
[ -f "$XDG_STATE_HOME/mcr/shiftlog.db" ]
ok $? "the shift log file exists"
has "$T/out" "embedded default" "runs on the embedded default config"

run "$MCR"
expect_rc 0 "bare mcr prints the status"
has "$T/out" "jobs" "with jobs by state"

run "$MCR" note "VTR 3" head clog, cleaned
expect_rc 0 "note from arguments"
printf 'Client B drive returned\n\n' | "$MCR" note >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "note from stdin"
printf 'Grade suite 2 \342\234\223 ok' >"$T/note.txt"
"$MCR" note - <"$T/note.txt" >"$T/out" 2>"$T/err"
rc=$?
expect_rc 0 "note from stdin with -"
run "$MCR" note --job 5 "about a job that does not exist"
expect_rc 2 "a note about a missing job is refused"

run "$MCR" log
expect_rc 0 "log"
has "$T/out" "VTR 3 head clog, cleaned" "log shows the note, words joined"
has "$T/out" "$(id -un)@$(hostname)" "log shows user@host"

run "$MCR" log --json
expect_rc 0 "log --json"
is "$(json length:events)" 4 "four events: creation and three notes"
is "$(json events.2.message)" "Client B drive returned" \
    "stdin note without its trailing newlines"
is "$(json events.3.message)" "Grade suite 2 ✓ ok" "UTF-8 kept"
is "$(json events.1.user)" "$(id -un)" "the Unix user is recorded"
is "$(json events.1.host)" "$(hostname)" "the host is recorded"
is "$(json events.1.ssh_client)" "null" "no SSH client when local"
is "$(json events.1.kind)" "note" "kind note"
is "$(json shift_log)" "$XDG_STATE_HOME/mcr/shiftlog.db" "the shift log path"
case "$(json events.1.time)" in
20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9].[0-9][0-9][0-9]Z)
    ok 0 "time is ISO-8601 UTC" ;;
*) ok 1 "time is ISO-8601 UTC: $(json events.1.time)" ;;
esac

SSH_CONNECTION="203.0.113.7 52114 192.0.2.10 22" "$MCR" note over ssh \
    >"$T/out" 2>"$T/err"
run "$MCR" log --json --limit 1
is "$(json events.0.ssh_client)" "203.0.113.7" "the SSH client is recorded"

run "$MCR" log --kind note --json
is "$(json length:events)" 4 "--kind note"
run "$MCR" log --kind shiftlog --json
is "$(json length:events)" 1 "--kind shiftlog matches shiftlog.schema"
run "$MCR" log --grep 'DRIVE ret' --json
is "$(json length:events)" 1 "--grep ignores case"
run "$MCR" log --user nosuchuser --json
is "$(json length:events)" 0 "--user filters"
run "$MCR" log --since 1h --json
is "$(json length:events)" 5 "--since 1h"
run "$MCR" log --since 2020-01-01 --until 2020-01-02 --json
is "$(json length:events)" 0 "--since/--until in the past"
run "$MCR" log --until 2020-01-01T00:00:00Z
expect_rc 0 "an empty result is not an error"
[ ! -s "$T/out" ]
ok $? "and prints nothing"

run "$MCR" status --json
expect_rc 0 "status --json"
is "$(DB="$XDG_STATE_HOME/mcr/shiftlog.db" sql "PRAGMA user_version")" "$(json shift_log.schema_version)" "schema version: the one on disk"
is "$(json jobs.queued)" 0 "jobs by state"
is "$(json last_event.message)" "over ssh" "the last event"

run "$MCR" log verify
expect_rc 0 "verify an untouched log"
has "$T/out" "chain intact, 5 events verified" "verify says intact"
run "$MCR" log verify --json
is "$(json intact)" true "verify --json intact"

# --db before and after the verb; a copy reviewed read-only.
mkdir -p "$T/copy"
cp "$XDG_STATE_HOME/mcr/shiftlog.db" "$T/copy/night.db"
run "$MCR" --db "$T/copy/night.db" --read-only log --json
expect_rc 0 "--db and --read-only before the verb"
is "$(json length:events)" 5 "the copy has every event"
run "$MCR" log --db "$T/copy/night.db" --read-only verify
expect_rc 0 "options after the verb"
run "$MCR" note --db "$T/copy/night.db" --read-only "should not land"
expect_rc 2 "a note into a read-only log is refused"
has "$T/err" "read-only" "saying it is read-only"
one_line "$T/err" "in one line"
run "$MCR" --db "$T/copy/night.db" --read-only status
has "$T/out" "read-only" "status says read-only"

# The sample config, with every key uncommented, is a valid config.
sed -E -e 's/^# (\[[a-z]+\])$/\1/' -e 's/^# (\[[a-z]+ [a-z0-9._-]+\])$/\1/' \
    -e 's/^# ([a-z_]+ = )/\1/' \
    -e "s|^path = /srv/mcr/shiftlog\.db\$|path = $T/sample/shiftlog.db|" \
    "$MCR_SAMPLE_CONFIG" >"$T/sample.ini"
mkdir -p "$T/sample"
"$MCR" --config "$T/sample.ini" note "a shift log for the sample config" \
    >/dev/null 2>&1
grep -q '^\[shiftlog\]' "$T/sample.ini"
ok $? "the sample config documents [shiftlog]"
run "$MCR" --config "$T/sample.ini" status --json
expect_rc 0 "the sample config with every key set is valid"
is "$(json shift_log.path)" "$T/sample/shiftlog.db" "its path is used"
is "$(json config_files.0)" "$T/sample.ini" "status lists the config file"

# The user's own config file.
mkdir -p "$XDG_CONFIG_HOME/mcr"
printf '[site]\nname = Night MCR\n' >"$XDG_CONFIG_HOME/mcr/mcr.ini"
run "$MCR" status --json
is "$(json site)" "Night MCR" "\$XDG_CONFIG_HOME/mcr/mcr.ini is read"

run "$MCR" frobnicate
expect_rc 2 "an unknown verb"
has "$T/err" "'frobnicate' is not a verb" "is named"
run "$MCR" log --frob
expect_rc 2 "an unknown option"
has "$T/err" "--frob" "is named"
run "$MCR" log --limit
expect_rc 2 "an option without its value"

finish
