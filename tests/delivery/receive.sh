#!/bin/sh
# delivery/receive: mcr receive checks an incoming delivery against the
# sender's md5sum and xxhsum files, flags exactly the corrupted, missing
# and unlisted files, and records the receipt; and the physical asset
# register keeps each asset's chain of custody and its links to media.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
command -v xxhsum >/dev/null || skip_all "xxhsum is not installed"
daemon_setup "workers = 2" "retries = 0"
cp "$MCR_BUILDDIR/plugins/.libs/transfer.so" "$PLUGDIR/" || exit 99

mkdir -p "$T/in/day1/sub"
for n in 1 2 3 4 5; do head -c $((n * 10000)) /dev/urandom >"$T/in/day1/sub/clip$n.mov"; done
printf 'readme\n' >"$T/in/day1/README.txt"
(cd "$T/in/day1" && md5sum README.txt sub/*.mov >delivery.md5 &&
    xxhsum -H2 README.txt sub/*.mov >delivery.xxh128 2>/dev/null)

run mcr receive "$T/in/day1" --from "Acme Post"
expect_rc 0 "an intact delivery is received"
has "$T/out" "verified" "and its receipt says so"
has "$T/out" "sub/clip3.mov" "listing every file"

# One flipped byte in one file.
flip_byte "$T/in/day1/sub/clip4.mov" 20000
run mcr receive "$T/in/day1" --from "Acme Post"
expect_rc 1 "a corrupted file fails the receipt"
has "$T/err" "1 corrupt, 0 missing, 0 not listed" "counting the corrupt file once, though two sum files list it"
grep '^failed' "$T/out" | grep -v 'sub/clip4.mov' >"$T/others"
[ ! -s "$T/others" ]
ok $? "and no other file is flagged"
has "$T/out" "sub/clip4.mov: xxh128 is" "naming the file and the hash that differs"
job=$(sql "SELECT max(job_id) FROM deliveries WHERE direction = 'in'")
is "$(sql "SELECT group_concat(DISTINCT f.rel) FROM delivery_files f JOIN deliveries d ON d.id = f.delivery_id WHERE d.job_id = $job AND f.status = 'failed'")" \
    "sub/clip4.mov" "the shift log records exactly that file as failed"
is "$(sql "SELECT client FROM deliveries WHERE job_id = $job")" "Acme Post" "and who sent it"

# Only the xxh128 file; a missing and an unlisted file.
rm "$T/in/day1/delivery.md5" "$T/in/day1/sub/clip2.mov"
head -c 100 /dev/urandom >"$T/in/day1/stray.bin"
run mcr receive "$T/in/day1" --from "Acme Post" --json
expect_rc 1 "a missing and an unlisted file fail the receipt"
has "$T/err" "1 corrupt, 1 missing, 1 not listed" "each counted"
is "$(json status)" failed "the JSON receipt"
run mcr receive --receipt "$(sql "SELECT max(id) FROM deliveries")" --format html -o "$T/r.html"
expect_rc 0 "an HTML receipt"
has "$T/r.html" "stray.bin" "naming the unlisted file"

mkdir -p "$T/bare" && echo x >"$T/bare/x.mov"
run mcr receive "$T/bare" --from "Acme Post"
expect_rc 2 "a folder without a manifest is an error"
has "$T/err" "no ascmhl folder, .mhl, .md5, .xxh128 or .xxh64 file" "saying what is missing"
one_line "$T/err" "in one line"
printf 'deadbeef  x\n' >"$T/bad.md5"
run mcr receive "$T/bare" --from "Acme Post" --sums "$T/bad.md5"
expect_rc 2 "a malformed sum file is an error"
has "$T/err" "bad.md5:1: not a line of an md5sum or xxhsum file" "naming file and line"

# The physical asset register.
run mcr asset in SR-0042 --format "HDCAM SR" --client Acme --production "Night Train" --at "Vault B3" --courier "CitySprint" --ref WB123 --signed "J. Doe"
expect_rc 0 "an HDCAM SR tape booked in"
run mcr asset in SR-0042 --format "HDCAM SR" --client Acme
expect_rc 2 "booking in what is in already is refused"
has "$T/err" "already in" "saying so"
run mcr asset move SR-0042 --to "Machine room VTR 2" --signed "A. Op"
expect_rc 0 "moved to the VTR"
run mcr asset out SR-0042 --to "Acme reception" --courier DHL --ref 9912 --signed "K. Client"
expect_rc 0 "sent back out"
run mcr asset move SR-0042 --to "Vault"
expect_rc 2 "an asset that is out cannot move"
run mcr asset out NOPE --to x
expect_rc 2 "an unknown asset cannot go out"
has "$T/err" "there is no asset NOPE" "naming it"
run mcr asset in SSD-7 --format SSD --client Acme
sql "INSERT INTO media (path, name, size, catalogued) VALUES ('/prod/A001.mov', 'A001.mov', 1, 0)"
run mcr asset link SSD-7 --media "$(sql "SELECT id FROM media WHERE name = 'A001.mov'")"
expect_rc 0 "media linked to the card it came from"
run mcr asset show SR-0042 --json
is "$(json custody.0.action) $(json custody.1.action) $(json custody.2.action)" "in move out" "the chain of custody in order"
is "$(json custody.2.signed_by)" "K. Client" "with who signed"
is "$(json state)" out "the asset is out"
run mcr asset show SSD-7 --json
is "$(json media.0.path)" /prod/A001.mov "the media ingested from it"
run mcr asset list --state in
has "$T/out" "SSD-7" "list --state in"
grep -q SR-0042 "$T/out"
ok $((!$?)) "leaves out what is out"
is "$(sql "SELECT count(*) FROM events WHERE kind LIKE 'asset.%'")" 4 "each change is an event"
run mcr log verify
expect_rc 0 "and the hash chain holds"
sql "DELETE FROM asset_custody" 2>"$T/err"
has "$T/err" "append-only" "custody rows cannot be deleted"
finish
