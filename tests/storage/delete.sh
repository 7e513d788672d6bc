#!/bin/sh
# storage/delete: safe deletion. Each refusal (outside a volume, the
# volume's root, the same person under the two-person rule, in use by a
# job, uncatalogued, too few verified copies, an override the config
# forbids) leaves everything in place; a deletion moves the content to the
# volume's quarantine with its record and event; undelete brings it back;
# storage.purge removes it only once its retention has passed by a clock
# the test sets (now= and $MCR_NOW).
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
P="$T/prod" N="$T/near" O="$T/outside"
mkdir -p "$P/ACME/Film1" "$N/ACME/Film1" "$O"
cat >>"$CFG" <<EOT
[volume prod]
path = $P
retention = 7d
[volume near]
path = $N
role = nearline
[storage]
copies = 1
two_person = yes
forbid_override = no
EOT
echo one >"$P/ACME/Film1/a.mov"
echo two >"$P/ACME/Film1/b.mov"
cp "$P/ACME/Film1/a.mov" "$P/ACME/Film1/b.mov" "$N/ACME/Film1/"
echo out >"$O/x.mov"
me=$(id -un)
# The catalogue: a.mov has a verified copy on nearline; b.mov's copy there
# is not verified.
run mcr note "deletion tests start"
cat_row() { # path volume hash verified
    sql "INSERT INTO media (path, volume, name, size, catalogued, verified, hashes)
         VALUES ('$1', '$2', 'f', 4, 1, $4, json_object('xxh128', '$3'))"
}
cat_row "$P/ACME/Film1/a.mov" prod aaaa NULL
cat_row "$N/ACME/Film1/a.mov" near aaaa 1700000000000000
cat_row "$P/ACME/Film1/b.mov" prod bbbb NULL
cat_row "$N/ACME/Film1/b.mov" near bbbb NULL

del() { mcr delete --reason "client asked" "$@"; }

run del --authorised-by boss "$O/x.mov"
expect_rc 2 "a path outside every volume is refused"
has "$T/err" "outside every configured volume" "saying so"
one_line "$T/err" "in one line"
[ -f "$O/x.mov" ]; ok $? "and left alone"

run del --authorised-by boss "$P"
expect_rc 2 "a volume's root is refused"

run del --authorised-by "$me" "$P/ACME/Film1/a.mov"
expect_rc 2 "the requester cannot authorise under the two-person rule"
has "$T/err" "two-person rule" "saying so"
[ -f "$P/ACME/Film1/a.mov" ]; ok $? "and nothing moved"

run del --authorised-by boss "$P/ACME/Film1/b.mov"
expect_rc 2 "a file with no verified copy elsewhere is refused"
has "$T/err" "0 verified copies on other volumes, fewer than the 1 required" "saying how many"

echo new >"$P/ACME/Film1/c.mov"
run del --authorised-by boss "$P/ACME/Film1/c.mov"
expect_rc 2 "an uncatalogued file is refused"
has "$T/err" "not in the media catalogue" "saying so"

run del --authorised-by boss "$P/ACME/Film1"
expect_rc 2 "a folder is refused when one file in it has too few copies"
[ -f "$P/ACME/Film1/a.mov" ]; ok $? "and none of it moved"

# In use: a running job names the folder above the file.
id=$(submit testplug.sleep seconds=30 --subject "$P/ACME")
wait_state "$id" running
run del --authorised-by boss "$P/ACME/Film1/a.mov"
expect_rc 2 "a path a running job uses is refused"
has "$T/err" "job $id (testplug.sleep) is using" "naming the job"
run mcr job cancel "$id"
wait_state "$id" cancelled

sed -i 's/^forbid_override = no$/forbid_override = yes/' "$CFG"
run del --authorised-by boss --fewer-copies "$P/ACME/Film1/b.mov"
expect_rc 2 "--fewer-copies is refused when the config forbids it"
has "$T/err" "forbids --fewer-copies" "saying so"
sed -i 's/^forbid_override = yes$/forbid_override = no/' "$CFG"

# The deletion itself, at a clock the test sets.
export MCR_NOW=1800000000
run del --authorised-by boss --json "$P/ACME/Film1/a.mov"
expect_rc 0 "a file with a verified copy elsewhere is deleted"
did=$(json deleted.0.id)
[ ! -e "$P/ACME/Film1/a.mov" ]; ok $? "it is gone from its folder"
[ -f "$P/.mcr/quarantine/$did/data" ]; ok $? "into the volume's quarantine"
is "$(json deleted.0.expires)" $((1800000000 + 7 * 86400)) "for the volume's retention"
is "$(sql "SELECT state || ' ' || requested_by || ' ' || authorised_by || ' ' || copies FROM storage_deletions WHERE id = $did")" \
    "quarantined $me boss 1" "recorded with who asked, who authorised and the copies"
is "$(sql "SELECT state FROM media WHERE path = '$P/ACME/Film1/a.mov'")" quarantined "the catalogue says quarantined"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.delete' AND subject = '$P/ACME/Film1/a.mov'")" 1 "with an event"

run del --authorised-by boss --fewer-copies "$P/ACME/Film1/b.mov"
expect_rc 0 "--fewer-copies deletes when the config allows it"
bid=$(sql "SELECT id FROM storage_deletions WHERE path = '$P/ACME/Film1/b.mov'")
is "$(sql "SELECT override FROM storage_deletions WHERE id = $bid")" 1 "and records the override"

# Undelete within the window.
export MCR_NOW=$((1800000000 + 86400))
run mcr undelete
has "$T/out" "$P/ACME/Film1/b.mov" "undelete lists what is in quarantine"
run mcr undelete "$P/ACME/Film1/b.mov"
expect_rc 0 "undelete by path within the window"
[ -f "$P/ACME/Film1/b.mov" ] && [ "$(cat "$P/ACME/Film1/b.mov")" = two ]
ok $? "brings the content back"
[ ! -e "$P/.mcr/quarantine/$bid" ]; ok $? "and leaves nothing in quarantine"
is "$(sql "SELECT state FROM storage_deletions WHERE id = $bid")" restored "recorded as restored"
is "$(sql "SELECT state FROM media WHERE path = '$P/ACME/Film1/b.mov'")" online "back online in the catalogue"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.undelete'")" 1 "with an event"
run mcr undelete "$bid"
expect_rc 2 "a deletion cannot be undone twice"

# Purge: not before the retention ends, then once.
run mcr submit storage.purge now=$((1800000000 + 6 * 86400)) --wait
expect_rc 0 "a purge before the retention ends"
[ -f "$P/.mcr/quarantine/$did/data" ]; ok $? "leaves the deletion in quarantine"
run mcr submit storage.purge now=$((1800000000 + 7 * 86400)) --wait
expect_rc 0 "a purge once it has ended"
[ ! -e "$P/.mcr/quarantine/$did" ]; ok $? "removes it"
is "$(sql "SELECT state FROM storage_deletions WHERE id = $did")" purged "recorded as purged"
is "$(sql "SELECT state FROM media WHERE path = '$P/ACME/Film1/a.mov'")" deleted "deleted in the catalogue"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.purge'")" 1 "with one event"
run mcr undelete "$did"
expect_rc 2 "a purged deletion cannot be undone"
has "$T/err" "was purged" "saying so"

# Past the window, undelete refuses (the purge may be at work).
run del --authorised-by boss "$N/ACME/Film1/b.mov" --fewer-copies
nid=$(sql "SELECT id FROM storage_deletions WHERE path = '$N/ACME/Film1/b.mov'")
export MCR_NOW=$((1800000000 + 86400 + 31 * 86400))
run mcr undelete "$nid"
expect_rc 2 "undelete after the retention is refused"
has "$T/err" "retention of deletion $nid" "saying so"

# mcrd queues storage.purge itself every [storage] purge_every; its
# workers inherit the test's clock.
daemon_kill
sed -i 's/^two_person = yes$/two_person = yes\npurge_every = 1s/' "$CFG"
run mcr daemon
for _ in $(seq 50); do
    [ "$(sql "SELECT state FROM storage_deletions WHERE id = $nid")" = purged ] && break
    sleep 0.1
done
is "$(sql "SELECT state FROM storage_deletions WHERE id = $nid")" purged \
    "mcrd's scheduled storage.purge removes an expired deletion"
[ ! -e "$N/.mcr/quarantine/$nid" ]; ok $? "from its quarantine"
unset MCR_NOW

mcr log verify >/dev/null 2>&1
ok $? "the shift log's chain holds"
finish
