#!/bin/sh
# delivery/manifests: mcr receive against each kind of manifest a client
# sends: an ASC MHL v2 history (written here by a local delivery with
# --manifest), an MHL v1.1 file (md5, xxhash64be, xxhash64 and xxhash
# entries, values from md5sum and xxhsum) and sum files. For each, one
# corrupted file is flagged and no other, and a missing and an extra file
# are reported as such. Then a verified receipt is handed to ingest under
# mcrd (the media rows appear with the client) and a failed one is not.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
command -v xxhsum >/dev/null || skip_all "xxhsum is not installed"
daemon_setup "workers = 2" "retries = 0"
cp "$MCR_BUILDDIR/plugins/.libs/transfer.so" "$MCR_BUILDDIR/plugins/.libs/ingest.so" "$PLUGDIR/" || exit 99
chmod 644 "$PLUGDIR"/*.so
mkdir -p "$T/nas/out" "$T/prod"
cat >>"$CFG" <<EOT
[volume nas]
path = $T/nas
role = delivery
[volume prod]
path = $T/prod
role = production
[destination nas]
type = local
path = $T/nas/out
[ingest]
scan = off
EOT

# make_delivery DIR: two reels of clips and a loose file.
make_delivery() {
    mkdir -p "$1/A001/CLIPS" "$1/A002"
    for n in 1 2 3; do head -c $((n * 40000 + 7)) /dev/urandom >"$1/A001/CLIPS/C00$n.mov"; done
    head -c 90000 /dev/urandom >"$1/A002/C004.mxf"
    printf 'camera report\n' >"$1/report.txt"
}

# flip FILE: one byte changed in the middle.
flip() {
    off=$(( $(stat -c %s "$1") / 2 ))
    b=$(od -An -tx1 -j "$off" -N1 "$1" | tr -d ' ')
    [ "$b" = 41 ] && c=B || c=A
    printf '%s' "$c" | dd of="$1" bs=1 seek="$off" conv=notrunc 2>/dev/null
}

# failed_files: the files the newest receipt flags, one a line.
failed_files() {
    sql "SELECT f.rel FROM delivery_files f WHERE f.delivery_id = (SELECT max(id) FROM deliveries) AND f.status = 'failed' ORDER BY f.rel"
}

# check_kind NAME DIR: the corrupt, missing and extra cases on DIR.
check_kind() {
    name=$1 dir=$2
    run mcr receive "$dir" --from Acme
    expect_rc 0 "$name: an intact delivery is verified"
    has "$T/out" "$name" "$name: the receipt names the manifest it was checked against"
    flip "$dir/A001/CLIPS/C002.mov"
    run mcr receive "$dir" --from Acme
    expect_rc 1 "$name: one corrupted file fails the receipt"
    is "$(failed_files)" "A001/CLIPS/C002.mov" "$name: exactly that file is flagged"
    has "$T/err" "1 corrupt, 0 missing, 0 not listed" "$name: and counted once"
    cp "$T/keep/C002.mov" "$dir/A001/CLIPS/C002.mov"
    touch -r "$T/keep/C002.mov" "$dir/A001/CLIPS/C002.mov"
    rm "$dir/A002/C004.mxf"
    printf 'stray\n' >"$dir/A001/CLIPS/stray.txt"
    run mcr receive "$dir" --from Acme --json
    expect_rc 1 "$name: a missing and an extra file fail the receipt"
    has "$T/err" "0 corrupt, 1 missing, 1 not listed" "$name: each counted as what it is"
    is "$(sql "SELECT group_concat(f.rel || ': ' || f.problem, '; ') FROM delivery_files f WHERE f.delivery_id = (SELECT max(id) FROM deliveries) AND f.status = 'failed'")" \
        "A001/CLIPS/stray.txt: not listed in the $3; A002/C004.mxf: missing" "$name: the missing file and the extra file are named"
    rm "$dir/A001/CLIPS/stray.txt"
}

# ASC MHL v2: a local delivery with --manifest writes the history.
make_delivery "$T/src"
mkdir -p "$T/keep" && cp -p "$T/src/A001/CLIPS/C002.mov" "$T/keep/"
run mcr deliver "$T/src/A001" "$T/src/A002" "$T/src/report.txt" --to nas --manifest --wait
expect_rc 0 "a local delivery with an ASC MHL manifest"
# A sum file beside the history is a manifest, not an unlisted file.
(cd "$T/nas/out" && md5sum report.txt >report.md5)
check_kind "ASC MHL v2" "$T/nas/out" "ASC MHL history"

# MHL v1.1, written as the older tools wrote it.
make_delivery "$T/v1"
cp -p "$T/v1/A001/CLIPS/C002.mov" "$T/keep/"
xx64() { xxhsum -H1 "$1" | cut -d' ' -f1; }
rev64() { echo "$1" | sed 's/../& /g' | awk '{for (i = NF; i > 0; i--) printf "%s", $i; print ""}'; }
{
    echo '<?xml version="1.0" encoding="UTF-8"?>'
    echo '<hashlist version="1.1">'
    echo '  <creatorinfo><name>DIT</name><tool>test</tool></creatorinfo>'
    for f in A001/CLIPS/C001.mov A001/CLIPS/C002.mov; do
        echo "  <hash><file>$f</file><size>$(stat -c %s "$T/v1/$f")</size><md5>$(md5sum <"$T/v1/$f" | cut -d' ' -f1)</md5><hashdate>2024-05-01T10:00:00Z</hashdate></hash>"
    done
    f=A001/CLIPS/C003.mov
    echo "  <hash><file>$f</file><size>$(stat -c %s "$T/v1/$f")</size><xxhash64be>$(xx64 "$T/v1/$f")</xxhash64be></hash>"
    f=A002/C004.mxf
    echo "  <hash><file>$f</file><size>$(stat -c %s "$T/v1/$f")</size><xxhash64>$(rev64 "$(xx64 "$T/v1/$f")")</xxhash64></hash>"
    f=report.txt
    echo "  <hash><file>$f</file><size>$(stat -c %s "$T/v1/$f")</size><xxhash>$(printf '%u' "0x$(xxhsum -H0 "$T/v1/$f" | cut -d' ' -f1)")</xxhash></hash>"
    echo '</hashlist>'
} >"$T/v1/delivery.mhl"
check_kind "MHL v1.1" "$T/v1" "manifests"
# A value that is not what the file holds is caught for each hash kind.
for tag in xxhash64be xxhash64 xxhash; do
    cp "$T/v1/delivery.mhl" "$T/v1.mhl.keep"
    case $tag in
        xxhash) sed -i 's|<xxhash>[0-9]*</xxhash>|<xxhash>12345</xxhash>|' "$T/v1/delivery.mhl" ;;
        *) sed -i "s|<$tag>[0-9a-f]*</$tag>|<$tag>0123456789abcdef</$tag>|" "$T/v1/delivery.mhl" ;;
    esac
    run mcr receive "$T/v1" --from Acme
    expect_rc 1 "MHL v1.1: a wrong <$tag> value fails the receipt"
    mv "$T/v1.mhl.keep" "$T/v1/delivery.mhl"
done
printf '<hashlist version="1.1"><hash><file>../etc/passwd</file><md5>00</md5></hash></hashlist>\n' >"$T/bad.mhl"
run mcr receive "$T/v1" --from Acme --sums "$T/bad.mhl"
expect_rc 2 "an MHL file naming a path outside the folder is refused"
one_line "$T/err" "in one sentence"

# Sum files in the reel folders, names relative to each.
make_delivery "$T/sums"
cp -p "$T/sums/A001/CLIPS/C002.mov" "$T/keep/"
(cd "$T/sums/A001" && md5sum CLIPS/*.mov >A001.md5)
(cd "$T/sums/A002" && xxhsum -H2 C004.mxf >A002.xxh128 2>/dev/null)
(cd "$T/sums" && xxhsum -H1 report.txt >top.xxh64 2>/dev/null)
check_kind "sum files" "$T/sums" "manifests"

# Handed to ingest: verified, then filed and catalogued for the client.
make_delivery "$T/in/Day1"
(cd "$T/in/Day1" && md5sum A001/CLIPS/*.mov A002/C004.mxf report.txt >Day1.md5)
run mcr receive "$T/in/Day1" --from Acme --production "Night Train" --to prod
expect_rc 0 "a verified delivery is received"
has "$T/out" "queued: ingest of the 5 verified files for Acme / Night Train" "and queued for ingest"
rjob=$(sql "SELECT job_id FROM deliveries WHERE id = (SELECT max(id) FROM deliveries)")
ijob=$(sql "SELECT max(id) FROM jobs WHERE kind = 'ingest.copy'")
is "$(sql "SELECT after_id FROM job_deps WHERE job_id = $ijob")" "$rjob" "the ingest runs after the receipt's job"
wait_state "$ijob" done 60
ok $? "the ingest job completes"
is "$(sql "SELECT count(*) FROM media WHERE client = 'Acme' AND production = 'Night Train'")" 5 \
    "the five verified files are in the catalogue with the client"
is "$(sql "SELECT count(*) FROM media WHERE name LIKE '%.md5'")" 0 "the sum file is not catalogued as media"
p=$(sql "SELECT path FROM media WHERE name = 'C002.mov' AND client = 'Acme'")
cmp -s "$T/in/Day1/A001/CLIPS/C002.mov" "$p"
ok $? "the filed copy holds the received bytes"
case "$p" in "$T/prod/Acme/Night Train/"*"/A001/CLIPS/C002.mov") ok 0 "filed by reel, folders kept";;
    *) ok 1 "filed by reel, folders kept ($p)";; esac

make_delivery "$T/in/Day2"
(cd "$T/in/Day2" && md5sum A001/CLIPS/*.mov A002/C004.mxf report.txt >Day2.md5)
flip "$T/in/Day2/A002/C004.mxf"
before=$(sql "SELECT count(*) FROM jobs WHERE kind = 'ingest.copy'")
run mcr receive "$T/in/Day2" --from Acme --production "Night Train" --to prod
expect_rc 1 "a corrupted delivery fails its receipt"
is "$(sql "SELECT count(*) FROM jobs WHERE kind = 'ingest.copy'")" "$before" "and nothing is queued for ingest"
grep -q 'ingest' "$T/out"
ok $((!$?)) "nor said to be"
finish
