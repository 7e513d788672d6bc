#!/bin/sh
# ingest: mcr ingest end to end through mcrd and the ingest plugin. A
# card-like folder goes to two volumes; the copies, the catalogue, the ASC
# MHL generations, mcr verify (a flipped byte is caught), naming and the
# rename map, a source's own ASC MHL history, the ClamAV quarantine (with
# a signature database made here for a harmless file; then through a
# clamd this test starts, and with that clamd down), a conflict, a
# symlink leaving the source and a destination outside the volumes.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
cp "$MCR_BUILDDIR/plugins/.libs/ingest.so" "$PLUGDIR/" || exit 99
chmod 644 "$PLUGDIR/ingest.so"
mkdir -p "$T/prod" "$T/near" "$T/elsewhere" "$T/card/A001/Clips" "$T/card/A001/Audio"
cat >>"$CFG" <<EOT
[volume prod]
path = $T/prod
role = production
[volume near]
path = $T/near
role = nearline
[ingest]
scan = off
template.flat = {client}/{production}/{reel}_{name}
EOT

# A card: a real clip with a start timecode, a sound file, a name with a
# colon, Unicode, a sidecar.
if command -v ffmpeg >/dev/null 2>&1; then
    ffmpeg -v error -f lavfi -i testsrc=d=1:s=320x240:r=25 -f lavfi \
        -i sine=d=1:sample_rate=48000 -ac 2 -c:v mpeg4 -c:a pcm_s16le \
        -timecode 10:00:00:00 "$T/card/A001/Clips/A001C001.mov" || exit 99
else
    head -c 300000 /dev/urandom >"$T/card/A001/Clips/A001C001.mov"
fi
head -c 2000000 /dev/urandom >"$T/card/A001/Clips/A001C002.mov"
head -c 1000 /dev/urandom >"$T/card/A001/Audio/take:1.wav"
echo "bonjour" >"$T/card/A001/Clips/Zoë 日本.txt"
touch -d '2024-05-01 12:00:00' "$T/card/A001/Clips/A001C002.mov"

run mcr ingest "$T/card/A001" --client ACME --production "Film One" --to prod,near --hash xxh128,md5 --wait
expect_rc 0 "a card is ingested to two volumes"
R=$(find "$T/prod" -type d -name A001 | head -n 1)
R2=$(find "$T/near" -type d -name A001 | head -n 1)
case "$R" in "$T/prod/ACME/Film One/"*/A001) ok 0 "filed under client/production/date/reel";;
    *) ok 1 "filed under client/production/date/reel ($R)";; esac
cmp -s "$T/card/A001/Clips/A001C002.mov" "$R/Clips/A001C002.mov" &&
    cmp -s "$T/card/A001/Clips/A001C002.mov" "$R2/Clips/A001C002.mov"
ok $? "both copies hold the source's bytes"
is "$(stat -c %Y "$R2/Clips/A001C002.mov")" "$(stat -c %Y "$T/card/A001/Clips/A001C002.mov")" "the mtime is kept"
[ -f "$R/Audio/take_1.wav" ] && [ -f "$R/Clips/Zoë 日本.txt" ]
ok $? "an illegal ':' is replaced, Unicode is kept"
is "$(find "$T/prod" "$T/near" -name '*.part' | wc -l)" 0 "no .part file is left"
is "$(sql "SELECT count(*) FROM records WHERE type = 'ingest.rename' AND data->>'filed' LIKE '%take_1.wav'")" 1 \
    "the rename is recorded"
is "$(sql "SELECT count(*) FROM media WHERE client = 'ACME' AND production = 'Film One'")" 8 \
    "one catalogue row per file per destination"
is "$(sql "SELECT hashes->>'md5' FROM media WHERE path = '$R/Clips/A001C002.mov'")" \
    "$(md5sum <"$T/card/A001/Clips/A001C002.mov" | cut -d' ' -f1)" "with md5sum's hash"
is "$(sql "SELECT count(*) FROM media WHERE verified IS NOT NULL AND volume IN ('prod','near')")" 8 \
    "each read back and verified"
if command -v ffmpeg >/dev/null 2>&1; then
    is "$(sql "SELECT video_codec || ' ' || width || 'x' || height || ' ' || rate || ' ' || tc_start || ' ' || audio_channels || ' ' || frames FROM media WHERE name = 'A001C001.mov' AND volume = 'prod'")" \
        "mpeg4 320x240 25/1 10:00:00:00 2 25" "the clip is probed: codec, size, rate, timecode, audio, frames"
fi
run mcr media --client ACME --json
is "$(json '0.client')" ACME "mcr media --json lists the catalogue"
run mcr media --client Nobody --json
is "$(cat "$T/out")" "[]" "and filters by client"
run mcr media --hash "$(sql "SELECT hashes->>'xxh128' FROM media WHERE path = '$R/Clips/A001C002.mov'")" --json
is "$(json '1.volume')" prod "and finds a file by its hash at every destination"

# ASC MHL: both roots have a generation; mcr verify agrees; a flipped
# byte is caught.
ls "$R/ascmhl/"0001_A001_*Z.mhl >/dev/null 2>&1 && [ -f "$R2/ascmhl/ascmhl_chain.xml" ]
ok $? "each destination has an ASC MHL generation and chain"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$R"/ascmhl/*.mhl "$R/ascmhl/ascmhl_chain.xml" 2>"$T/err"
    ok $? "well-formed XML"
    # Each file's entry carries every hash asked for, each its own.
    h="//*[local-name()='hash'][*[local-name()='path']='Clips/A001C002.mov']"
    is "$(xmllint --xpath "string($h/*[local-name()='md5'])" "$R"/ascmhl/0001_A001_*Z.mhl)" \
        "$(md5sum <"$T/card/A001/Clips/A001C002.mov" | cut -d' ' -f1)" "the generation holds md5sum's hash"
    is "$(xmllint --xpath "string($h/*[local-name()='xxh128'])" "$R"/ascmhl/0001_A001_*Z.mhl)" \
        "$(sql "SELECT hashes->>'xxh128' FROM media WHERE path = '$R/Clips/A001C002.mov'")" \
        "and the catalogue's xxh128"
fi
run mcr verify "$R2"
expect_rc 0 "mcr verify passes a fresh copy"
has "$T/out" "4 ok, 0 mismatched" "all four files"
flip_byte "$R2/Clips/A001C002.mov" 1000
touch -d '2024-05-01 12:00:00' "$R2/Clips/A001C002.mov"
run mcr verify "$R2" --json
expect_rc 1 "a flipped byte fails mcr verify"
is "$(json 'problems.0.outcome')" mismatch "as a mismatch"
is "$(json 'problems.0.path')" Clips/A001C002.mov "of that file"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'verify.file' AND severity = 'error' AND message LIKE '%A001C002.mov does not match%'")" 1 \
    "into the shift log"
mv "$R/Clips/Zoë 日本.txt" "$R/Clips/renamed.txt"
rm "$R/Audio/take_1.wav"
run mcr verify "$R" --json
expect_rc 1 "a missing file fails mcr verify"
is "$(json 'renamed')/$(json 'missing')" 1/1 "a rename and a missing file are told apart"
is "$(sql "SELECT state FROM media WHERE path = '$R/Audio/take_1.wav'")" missing "the catalogue marks it missing"

# Ingest again: the untouched copies are identical and skipped; the
# changed one is a conflict that stops the job and is left alone.
cp "$T/card/A001/Audio/take:1.wav" "$R/Audio/take_1.wav"
mv "$R/Clips/renamed.txt" "$R/Clips/Zoë 日本.txt"
run mcr ingest "$T/card/A001" --client ACME --production "Film One" --to prod,near --hash xxh128,md5 --wait
expect_rc 1 "a copy with other content stops the ingest"
run mcr jobs --json
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "conflict" "reporting a conflict"
has "$T/msg" "left untouched" "that leaves the copy alone"

# A flat template and a name collision.
mkdir -p "$T/up/B/x" "$T/up/B/y"
echo one >"$T/up/B/x/same.txt"
echo two >"$T/up/B/y/same.txt"
run mcr ingest "$T/up/B" --client ACME --production P2 --to near --template flat --wait
expect_rc 0 "a flat template"
[ -f "$T/near/ACME/P2/B_same.txt" ] && [ -f "$T/near/ACME/P2/B_same_1.txt" ]
ok $? "collisions get a numbered suffix"
[ -f "$T/near/ACME/P2/ascmhl/ascmhl_chain.xml" ]
ok $? "the MHL root is the template's folder part"

# A source with its own ASC MHL history is checked against it.
mkdir -p "$T/card2/C001"
head -c 50000 /dev/urandom >"$T/card2/C001/clip.mxf"
run mcr ingest "$T/card2/C001" --client ACME --production P3 --to near --wait
cp -r "$T/near/ACME/P3/"*/C001/ascmhl "$T/card2/C001/"
run mcr ingest "$T/card2/C001" --client ACME --production P4 --to near --wait
expect_rc 0 "a source that matches its own ASC MHL history"
mv "$T/card2/C001/clip.mxf" "$T/clip.mxf"
echo "a sidecar" >"$T/card2/C001/notes.txt"
run mcr ingest "$T/card2/C001" --client ACME --production P5 --to near --wait
expect_rc 1 "a source that lost a file its history lists fails"
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "lists clip.mxf, which is not in the source" "naming the file"
mv "$T/clip.mxf" "$T/card2/C001/clip.mxf"
rm "$T/card2/C001/notes.txt"
printf 'Y' | dd of="$T/card2/C001/clip.mxf" bs=1 seek=10 conv=notrunc 2>/dev/null
run mcr ingest "$T/card2/C001" --client ACME --production P5 --to near --wait
expect_rc 1 "a source that does not match its history fails"
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "does not match the ASC MHL history" "saying so"
is "$(find "$T/near/ACME/P5" -name 'clip.mxf*' 2>/dev/null | wc -l)" 0 "and the file is filed nowhere"

# Safety: a symlink out of the tree, a destination outside the volumes.
mkdir -p "$T/card3/D001"
echo x >"$T/card3/D001/a.txt"
ln -s /etc/passwd "$T/card3/D001/escape"
run mcr ingest "$T/card3/D001" --client ACME --production P6 --to near --wait
expect_rc 1 "a symlink out of the source fails the ingest"
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "outside the source" "naming the link"
rm "$T/card3/D001/escape"
run mcr ingest "$T/card3/D001" --client ACME --production P6 --to "$T/elsewhere" --wait
expect_rc 1 "a destination outside the volumes is refused"
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "outside the configured volumes" "saying so"
is "$(find "$T/elsewhere" -type f | wc -l)" 0 "and nothing is written there"

# ClamAV: a signature database made here for a harmless file.
mkdir -p "$T/clamdb" "$T/card4/E001"
echo "harmless test payload for mcr" >"$T/card4/E001/payload.bin"
echo "clean" >"$T/card4/E001/clean.txt"
printf '%s:%s:Mcr.Test.Harmless\n' "$(md5sum <"$T/card4/E001/payload.bin" | cut -d' ' -f1)" \
    "$(stat -c %s "$T/card4/E001/payload.bin")" >"$T/clamdb/mcrtest.hdb"
sed -i 's/^scan = off$/scan = required/' "$CFG"
echo "clamav_db = $T/clamdb" >>"$CFG"
echo "quarantine = $T/near/quarantine" >>"$CFG"
kill -HUP "$(daemon_pid)"
sleep 0.5
run mcr ingest "$T/card4/E001" --client ACME --production P7 --to prod,near --wait
expect_rc 1 "an infected file fails the ingest"
sql "SELECT error FROM jobs ORDER BY id DESC LIMIT 1" >"$T/msg"
has "$T/msg" "Mcr.Test.Harmless" "naming the signature"
ls "$T/near/quarantine/"job-*/payload.bin >/dev/null 2>&1
ok $? "the copy is moved to quarantine, not deleted"
is "$(find "$T/prod/ACME/P7" "$T/near/ACME/P7" -name 'payload.bin*' 2>/dev/null | wc -l)" 0 \
    "and filed nowhere"
[ -f "$T/card4/E001/payload.bin" ]
ok $? "the source is untouched"

# The same through clamd's socket (INSTREAM), with a clamd this test
# starts in the foreground on the signature database made above.
CLAMD=$(command -v clamd || { [ -x /usr/sbin/clamd ] && echo /usr/sbin/clamd; })
if [ -z "$CLAMD" ]; then
    skip_n=8 why="clamd is not installed (Debian package clamav-daemon)"
else
    S=$(mktemp -d /tmp/mcr-clamd.XXXXXX)	# a socket path must be short
    cat >"$T/clamd.conf" <<EOT
LocalSocket $S/clamd.sock
Foreground yes
DatabaseDirectory $T/clamdb
LogFile $T/clamd.log
EOT
    "$CLAMD" -c "$T/clamd.conf" >/dev/null 2>&1 &
    cpid=$!
    n=300
    while [ $n -gt 0 ] && [ ! -S "$S/clamd.sock" ] && kill -0 $cpid 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    if [ ! -S "$S/clamd.sock" ]; then
        kill $cpid 2>/dev/null
        skip_n=8 why="clamd did not open its socket within 30 s (see $T/clamd.log)"
    else
        skip_n=0
    fi
fi
if [ "$skip_n" -gt 0 ]; then
    i=0
    while [ $i -lt $skip_n ]; do
        tap_n=$((tap_n + 1))
        echo "ok $tap_n # SKIP $why"
        i=$((i + 1))
    done
else
    echo "clamd = $S/clamd.sock" >>"$CFG"
    kill -HUP "$(daemon_pid)"
    sleep 0.5
    run mcr ingest "$T/card4/E001" --client ACME --production P8 --to prod,near --wait
    expect_rc 1 "through clamd, an infected file fails the ingest"
    id=$(sql "SELECT max(id) FROM jobs WHERE kind = 'ingest.copy'")
    sql "SELECT error FROM jobs WHERE id = $id" >"$T/msg"
    grep -q 'signature Mcr\.Test\.Harmless[.A-Z]* (clamd)' "$T/msg"
    ok $? "naming the signature clamd found"
    [ -f "$T/near/quarantine/job-$id/payload.bin" ]
    ok $? "the copy is moved to quarantine"
    is "$(find "$T/prod/ACME/P8" "$T/near/ACME/P8" -name 'payload.bin*' 2>/dev/null | wc -l)" 0 \
        "and filed nowhere"
    mkdir -p "$T/card5/F001"
    echo "nothing to see" >"$T/card5/F001/notes.txt"
    run mcr ingest "$T/card5/F001" --client ACME --production P9 --to near --wait
    expect_rc 0 "a clean file passes clamd"
    is "$(sql "SELECT meta->>'scanned' FROM media WHERE path LIKE '%/P9/%notes.txt'")" clamd \
        "and its catalogue row says clamd scanned it"
    kill $cpid
    wait $cpid 2>/dev/null
    rm -rf "$S"
    run mcr ingest "$T/card5/F001" --client ACME --production P10 --to near --wait
    expect_rc 1 "with clamd down, an ingest that needs it fails"
    sql "SELECT error FROM jobs WHERE id = (SELECT max(id) FROM jobs WHERE kind = 'ingest.copy')" >"$T/msg"
    has "$T/msg" "cannot reach clamd at $S/clamd.sock" "saying clamd cannot be reached, and where"
fi
finish
