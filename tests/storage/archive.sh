#!/bin/sh
# storage/archive: archive and restore on real folders. A production
# folder is archived to a nearline volume (verified copies, ASC MHL that
# `mcr verify` reads, catalogue rows pointing at the archive); safe deletion
# is refused before and allowed after (copies = 1); a restore puts it back
# verified; a byte flipped in the archive copy makes the restore fail naming
# the file and leave nothing behind; a cancel mid-archive leaves no file;
# an archive outside the volumes, or onto the source's own volume, is
# refused.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
command -v xxh128sum >/dev/null || skip_all "xxh128sum (xxhash) is not installed"
daemon_setup "workers = 2"
P="$T/prod" N="$T/near" R="$T/spare" O="$T/outside"
F="$P/ACME/Film1"
mkdir -p "$F/A001" "$F/docs" "$N" "$R/in" "$O"
cat >>"$CFG" <<EOT
[volume prod]
path = $P
[volume near]
path = $N
role = nearline
[volume spare]
path = $R
[storage]
copies = 1
two_person = yes
EOT
head -c 300000 /dev/urandom >"$F/A001/clip1.mov"
head -c 200001 /dev/urandom >"$F/A001/clip2.mov"
echo "shot list" >"$F/docs/notes.txt"
h1=$(xxh128sum "$F/A001/clip1.mov" | cut -d' ' -f1)
h2=$(xxh128sum "$F/A001/clip2.mov" | cut -d' ' -f1)
# clip1 was ingested earlier: its catalogue row (with its probe's codec)
# stays the one the archive copy links to.
run mcr note "archive tests start"
sql "INSERT INTO media (path, volume, name, size, catalogued, hashes, client,
     video_codec) VALUES ('$F/A001/clip1.mov', 'prod', 'clip1.mov', 300000, 1,
     json_object('xxh128', '$h1'), 'ACME', 'prores')"
mid=$(sql "SELECT id FROM media WHERE path = '$F/A001/clip1.mov'")
del() { mcr delete --reason "archived" --authorised-by boss "$@"; }

run del "$F"
expect_rc 2 "before the archive, deleting the production is refused"
[ -f "$F/A001/clip1.mov" ]; ok $? "and nothing moved"

# Refusals: nothing is queued, nothing is written.
run mcr archive "$F" --to "$O"
expect_rc 2 "an archive to a folder outside every volume is refused"
has "$T/err" "outside every configured volume" "saying so"
one_line "$T/err" "in one line"
run mcr archive "$F" --to prod
expect_rc 2 "an archive onto the source's own volume is refused"
has "$T/err" "must be on another volume" "saying so"
run mcr archive "$O" --to near
expect_rc 2 "an archive of a folder outside the volumes is refused"
run mcr archive "$F" --to tape9
expect_rc 2 "an archive to a volume that does not exist is refused"
is "$(ls -A "$O")$(ls -A "$N")" "" "nothing was written anywhere"
is "$(sql "SELECT count(*) FROM jobs WHERE kind = 'storage.archive'")" 0 "and no job was queued"

# The archive.
run mcr archive "$F" --to near --wait
expect_rc 0 "the production archives to the nearline volume"
A="$N/ACME/Film1"
cmp -s "$F/A001/clip1.mov" "$A/A001/clip1.mov" &&
    cmp -s "$F/A001/clip2.mov" "$A/A001/clip2.mov" &&
    cmp -s "$F/docs/notes.txt" "$A/docs/notes.txt"
ok $? "every file is in the archive, byte for byte, at its path inside the volume"
ls "$A"/ascmhl/0001_Film1_*.mhl >/dev/null 2>&1 && [ -f "$A/ascmhl/ascmhl_chain.xml" ]
ok $? "an ASC MHL generation and its chain are written in the archive"
has "$(ls "$A"/ascmhl/0001_Film1_*.mhl)" "$h2" "listing the files' xxh128"
run mcr verify "$A"
expect_rc 0 "mcr verify reads the archive's ASC MHL and finds every file intact"
is "$(find "$N" -name '*.part' | wc -l)" 0 "no .part file is left"
is "$(sql "SELECT count(*) FROM media_archive WHERE volume = 'near' AND state = 'online'
     AND verified IS NOT NULL AND root = '$A' AND mhl LIKE '$A/ascmhl/0001_Film1_%'")" 3 \
    "three catalogue rows point at the archive, verified, with their ASC MHL"
is "$(sql "SELECT a.path || ' ' || a.xxh128 || ' ' || m.video_codec FROM media_archive AS a
     JOIN media AS m ON m.id = a.media_id WHERE m.id = $mid")" "$A/A001/clip1.mov $h1 prores" \
    "the ingested file's row links to its archive copy, with its hash"
is "$(sql "SELECT a.xxh128 FROM media_archive AS a JOIN media AS m ON m.id = a.media_id
     WHERE m.path = '$F/A001/clip2.mov' AND m.hashes->>'xxh128' = a.xxh128")" "$h2" \
    "a file the catalogue lacked is catalogued, and linked, with the hash the archive read"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.archive' AND subject = '$F'")" 1 \
    "the archive is in the shift log"

# Safe deletion now counts the archive copy.
run del "$F"
expect_rc 0 "after the archive, deleting the production is allowed"
[ ! -e "$F" ]; ok $? "it went to quarantine"
is "$(sql "SELECT copies FROM storage_deletions WHERE path = '$F'")" 1 "with its one verified copy counted"

# Restore to where it was, verified against the archived hashes.
run mcr restore "$F" --wait
expect_rc 0 "the production restores from the archive"
cmp -s "$A/A001/clip1.mov" "$F/A001/clip1.mov" && cmp -s "$A/docs/notes.txt" "$F/docs/notes.txt"
ok $? "its files are back, byte for byte"
is "$(sql "SELECT count(*) FROM media WHERE (path LIKE '$F/%') AND state = 'online' AND verified IS NOT NULL")" 3 \
    "the catalogue has them online and verified again"
is "$(sql "SELECT client FROM media WHERE path = '$F/A001/clip1.mov'")" ACME "keeping what it knew of them"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.restore'")" 1 "the restore is in the shift log"

# Restore by media id elsewhere, under a folder of another volume.
run mcr restore "$mid" --to "$R/in" --wait
expect_rc 0 "a media id restores to a folder on another volume"
cmp -s "$A/A001/clip1.mov" "$R/in/clip1.mov"; ok $? "under its own name"
is "$(sql "SELECT volume FROM media WHERE path = '$R/in/clip1.mov'")" spare "and is catalogued there"

# A damaged archive copy: one byte flipped.
rm "$F/A001/clip2.mov"
b=$(od -An -tu1 -j1000 -N1 "$A/A001/clip2.mov" | tr -d ' ')
printf "$(printf '\\%03o' $(( (b + 1) % 256 )))" |
    dd of="$A/A001/clip2.mov" bs=1 seek=1000 conv=notrunc 2>/dev/null
run mcr restore "$F/A001/clip2.mov" --wait
expect_rc 1 "restoring a damaged archive copy fails"
has "$T/err" "$A/A001/clip2.mov does not match its archived xxh128" "naming the file and the hash"
[ ! -e "$F/A001/clip2.mov" ]; ok $? "no file is left where it would have gone"
is "$(find "$F" "$N" -name '*.part' | wc -l)" 0 "nor any .part file"
is "$(sql "SELECT state FROM media_archive WHERE path = '$A/A001/clip2.mov'")" damaged \
    "the archive copy is marked damaged in the catalogue"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.damaged' AND subject = '$A/A001/clip2.mov'")" 1 \
    "with an error in the shift log"
run mcr restore "$F/A001/clip2.mov"
expect_rc 2 "it is not offered again"
has "$T/err" "damaged" "saying why"

# An archived folder's own history travels on: archiving the archive
# copy to a third volume carries its generation over and adds one.
run mcr archive "$A" --to spare --wait
expect_rc 0 "an archive copy archives onward with its ASC MHL history"
ls "$R"/ACME/Film1/ascmhl/0001_Film1_*.mhl "$R"/ACME/Film1/ascmhl/0002_Film1_*.mhl >/dev/null 2>&1
ok $? "as generation 1, with the new one as generation 2"
run mcr verify "$R/ACME/Film1"
expect_rc 0 "and that history verifies"

# Cancel mid-archive: a slow (rate-limited) archive of 8 MiB.
G="$P/ACME/Film2"
mkdir -p "$G/B001"
for i in 1 2 3 4 5 6 7 8; do head -c 1048576 /dev/urandom >"$G/B001/c$i.mov"; done
id=$(mcr archive "$G" --to near --rate 2M --json | "$JSONGET" id)
wait_state "$id" running
sleep 1.5
run mcr job cancel "$id"
wait_state "$id" cancelled
ok $? "a running archive can be cancelled"
[ ! -e "$N/ACME/Film2" ]; ok $? "and leaves nothing of itself in the archive"
is "$(find "$N" -name '*.part' | wc -l)" 0 "no .part file either"
is "$(sql "SELECT count(*) FROM media_archive WHERE source LIKE '$G/%'")" 0 "and no catalogue row"

mcr log verify >/dev/null 2>&1
ok $? "the shift log's chain holds"
finish
