#!/bin/sh
# daemon-storage: the first duty plugin through the ABI. storage.sample
# records each volume's space and inodes (statvfs) in the shift log and
# raises an event once when a threshold is crossed and once when it clears,
# never on every sample; mcrd queues it on a timer.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
mkdir -p "$T/prod" "$T/near"
cat >>"$CFG" <<EOT
[volume prod]
path = $T/prod
warn = 0
crit = 100
[volume near]
path = $T/near
role = nearline
[volume gone]
path = $T/not-mounted
EOT

run mcr submit storage.sample --wait
expect_rc 0 "storage.sample runs (one volume is unavailable)"
is "$(sql "SELECT count(DISTINCT key) FROM samples WHERE series = 'storage.volume'")" 2 \
    "a sample for each readable volume"
want=$(df -B1 --output=size "$T/prod" | tail -n 1 | tr -d ' ')
is "$(sql "SELECT json_extract(data, '\$.total') FROM samples WHERE key = 'prod'")" "$want" \
    "total bytes as statvfs and df see them"
is "$(sql "SELECT json_extract(data, '\$.role') FROM samples WHERE key = 'near'")" nearline "with the role"
[ "$(sql "SELECT json_extract(data, '\$.inodes_total') FROM samples WHERE key = 'near'")" -gt 0 ]
ok $? "and inodes"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.threshold' AND subject = 'prod'")" 1 \
    "crossing warn raises one event"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.unavailable' AND subject = 'gone'")" 1 \
    "an unreadable volume raises one event"

run mcr submit storage.sample --wait
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.threshold'")" 1 \
    "a second sample at the same level raises none"
is "$(sql "SELECT count(*) FROM samples WHERE key = 'prod'")" 2 "but records the sample"

sed -i 's/^warn = 0$/warn = 100/' "$CFG"
kill -HUP "$(daemon_pid)"
sleep 0.5
run mcr submit storage.sample volume=prod --wait
expect_rc 0 "sampling one volume"
sql "SELECT message FROM events WHERE kind = 'storage.threshold' ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "back under" "clearing the level raises one event"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.threshold'")" 2 "and only one"

run mcr submit storage.sample volume=nosuch --wait
expect_rc 1 "sampling a volume that is not configured fails"
has "$T/err" "there is no volume 'nosuch'" "saying so"

# The timer: mcrd queues storage.sample itself.
daemon_kill
sed -i 's/^storage_sample = 0$/storage_sample = 1s/' "$CFG"
before=$(sql "SELECT count(*) FROM jobs WHERE kind = 'storage.sample'")
run mcr daemon
sleep 2.5
after=$(sql "SELECT count(*) FROM jobs WHERE kind = 'storage.sample' AND requested_by = '$(id -un)'")
[ "$after" -ge $((before + 2)) ]
ok $? "mcrd queues storage.sample on its timer ($before before, $after after)"

finish
