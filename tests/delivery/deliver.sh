#!/bin/sh
# delivery/deliver: mcr deliver over real engines against a real sshd on
# loopback: rsync over SSH and SFTP deliveries with hashes in the receipt,
# a local/NAS delivery, and the failures that must be one clear sentence
# with nothing marked delivered: a wrong host key, a refused login, a
# missing destination, a closed transfer window, a key others can read.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/delivery/sshd.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2" "retries = 2"
cp "$MCR_BUILDDIR/plugins/.libs/transfer.so" "$PLUGDIR/" || exit 99
trap 'daemon_kill; sshd_stop' EXIT
sshd_start

# What to send: a folder of three files and one loose file.
mkdir -p "$T/src/reel1/sub" "$T/far" "$T/nas"
head -c 3000000 /dev/urandom >"$T/src/reel1/A001.mov"
printf 'hello\n' >"$T/src/reel1/sub/notes.txt"
head -c 70000 /dev/urandom >"$T/src/reel1/sub/B002.wav"
head -c 12345 /dev/urandom >"$T/src/loose.bin"
dest_section client-rsync rsync "path = $T/far/rsync/in" "hash = xxh128,md5"
dest_section client-sftp sftp "path = $T/far/sftp"
dest_section badhost rsync "path = $T/far/bad" "known_hosts = $S/wrong_known_hosts"
dest_section badkey sftp "path = $T/far/bad" "key = $S/other_key"
dest_section shut rsync "path = $T/far/shut" \
    "window = $(date -d '+2 hours' +%H):00-$(date -d '+3 hours' +%H):00"
cat >>"$CFG" <<EOT
[volume nas]
path = $T/nas
role = delivery
[destination nas]
type = local
path = $T/nas/out
[destination unplugged]
type = local
path = $T/nas/gone
EOT
mkdir -p "$T/nas/out"

run mcr destinations
expect_rc 0 "mcr destinations lists them"
has "$T/out" "client-sftp" "by name"
has "$T/out" "hash xxh128,md5" "with the hashes a destination asks for"
run mcr destinations test client-rsync
expect_rc 0 "the rsync destination answers and takes the key"
has "$T/out" "host key is the one in" "saying the host key was checked"

# rsync over SSH.
run mcr deliver "$T/src/reel1" "$T/src/loose.bin" --to client-rsync --manifest --note "day 1" --wait
expect_rc 0 "a delivery by rsync over SSH"
cmp -s "$T/src/reel1/A001.mov" "$T/far/rsync/in/reel1/A001.mov" &&
    cmp -s "$T/src/reel1/sub/B002.wav" "$T/far/rsync/in/reel1/sub/B002.wav" &&
    cmp -s "$T/src/loose.bin" "$T/far/rsync/in/loose.bin"
ok $? "every file arrived intact, folders kept"
has "$T/out" "rsync --checksum pass" "the receipt says how the far side was checked"
want=$(xxhsum -H2 "$T/src/reel1/A001.mov" | cut -d' ' -f1)
has "$T/out" "$want" "the receipt lists the file's xxh128 (as xxhsum computes it)"
want=$(md5sum "$T/src/loose.bin" | cut -d' ' -f1)
has "$T/out" "$want" "and its md5"
id=$(sql "SELECT id FROM deliveries WHERE destination = 'client-rsync'")
is "$(sql "SELECT count(*) FROM delivery_files WHERE delivery_id = $id AND status = 'delivered' AND verified = 1")" 4 \
    "four files recorded delivered and verified"
is "$(sql "SELECT who FROM deliveries WHERE id = $id")" "$(id -un)" "with who dispatched them"
is "$(sql "SELECT count(*) FROM delivery_files WHERE delivery_id = $id AND start IS NOT NULL AND end >= start")" 4 \
    "each with start and end"
gen=$(ls "$T/far/rsync/in/ascmhl/" | grep '^0001_in_.*Z\.mhl$')
[ -n "$gen" ] && [ -f "$T/far/rsync/in/ascmhl/ascmhl_chain.xml" ]
ok $? "an ASC MHL v2 generation and its chain went along ($gen)"
has "$T/out" "ascmhl/$gen" "the receipt names the manifest"
if command -v xmllint >/dev/null; then
    xmllint --noout "$T/far/rsync/in/ascmhl/$gen" "$T/far/rsync/in/ascmhl/ascmhl_chain.xml"
    ok $? "both are well-formed XML"
fi
grep -c '<hash>' "$T/far/rsync/in/ascmhl/$gen" >"$T/n"
is "$(cat "$T/n")" 4 "the generation lists the four files sent"
run mcr receive "$T/far/rsync/in" --from "ourselves"
expect_rc 0 "the far side checks out against the manifest sent along (mcr receive, ASC MHL v2)"
has "$T/out" "ASC MHL v2" "the receipt says which manifest it used"
printf 'second\n' >"$T/src/second.txt"
run mcr deliver "$T/src/second.txt" --to client-rsync --manifest --wait
expect_rc 0 "a second delivery into the same folder"
is "$(ls "$T/far/rsync/in/ascmhl" | grep -c '\.mhl$')" 2 "continues the far side's history (a second generation)"
run mcr receive "$T/far/rsync/in" --from "ourselves"
expect_rc 0 "and the far side checks out against both deliveries"
run mcr deliver --receipt "$id" --format json
is "$(json file_list.0.status)" delivered "the JSON receipt"
run mcr deliver --receipt "$id" --format html -o "$T/receipt.html"
expect_rc 0 "an HTML receipt"
has "$T/receipt.html" "rsync --checksum pass compared every file" "that says how it was verified"
has "$T/receipt.html" "reel1/sub/B002.wav" "and lists every file"

# SFTP.
run mcr deliver "$T/src/reel1" --to client-sftp --manifest --wait
expect_rc 0 "a delivery by SFTP"
cmp -s "$T/src/reel1/A001.mov" "$T/far/sftp/reel1/A001.mov" &&
    cmp -s "$T/src/reel1/sub/notes.txt" "$T/far/sftp/reel1/sub/notes.txt"
ok $? "arrives intact"
[ -z "$(find "$T/far/sftp" -name '*.part')" ]
ok $? "with no .part left behind"
has "$T/out" "size listing" "verified by a size listing"
id=$(sql "SELECT max(id) FROM deliveries WHERE destination = 'client-sftp'")
is "$(sql "SELECT count(*) FROM delivery_files WHERE delivery_id = $id AND length(xxh128) = 32 AND md5 IS NULL")" 3 \
    "hashed with xxh128 alone when nobody asks for md5"
run mcr deliver "$T/src/loose.bin" --to client-sftp --manifest --wait
expect_rc 0 "a second SFTP delivery into the same folder"
run mcr receive "$T/far/sftp" --from "ourselves"
expect_rc 0 "the far side checks out against the history both left"
has "$T/out" "ASC MHL v2 (2 generations)" "two generations, one chain"

# Local / NAS.
run mcr deliver "$T/src/loose.bin" --to nas --hash sha1 --wait
expect_rc 2 "a hash the receipt has no room for is refused at once"
has "$T/err" "xxh128 (always), md5, xxh64" "saying which it can list"
run mcr deliver "$T/src/loose.bin" "$T/src/reel1" --to nas --manifest --hash md5 --wait
expect_rc 0 "a local delivery to a NAS volume"
cmp -s "$T/src/loose.bin" "$T/nas/out/loose.bin" &&
    cmp -s "$T/src/reel1/A001.mov" "$T/nas/out/reel1/A001.mov"
ok $? "arrives intact"
has "$T/out" "read back" "verified by reading it back"
want=$(md5sum "$T/src/reel1/A001.mov" | cut -d' ' -f1)
has "$T/out" "$want" "the verified copy's md5 is in the receipt"
is "$(find "$T/nas/out" -name '*.part' | wc -l)" 0 "no .part file is left"
[ -f "$T/nas/out/ascmhl/ascmhl_chain.xml" ]
ok $? "the ASC MHL generation is written in place"
run mcr deliver "$T/src/loose.bin" --to nas --manifest --wait
expect_rc 0 "delivering the same file again finds it there already"
is "$(ls "$T/nas/out/ascmhl" | grep -c '\.mhl$')" 2 "and the history gains a second generation"
run mcr receive "$T/nas/out" --from "ourselves"
expect_rc 0 "the NAS copy checks out against its history"
head -c 12345 /dev/zero >"$T/other.bin"
mkdir -p "$T/o2" && cp "$T/other.bin" "$T/o2/loose.bin"
run mcr deliver "$T/o2/loose.bin" --to nas --wait
expect_rc 1 "another file of the same name at the NAS is not overwritten"
has "$T/err" "left untouched" "saying so"
cmp -s "$T/src/loose.bin" "$T/nas/out/loose.bin"
ok $? "the file there is unchanged"

# Many small files go in batches (one sync, read-backs together): 600
# files across three folders cross two batch boundaries. A file in the
# way in the middle of a batch refuses the delivery with nothing of the
# batch left half done and nothing recorded as delivered.
mkdir -p "$T/many/a" "$T/many/b" "$T/many/c"
for i in $(seq 1 600); do
    d=$(echo a b c | cut -d' ' -f$((i % 3 + 1)))
    printf 'small file %d\n' "$i" >"$T/many/$d/s$i.txt"
done
mkdir -p "$T/nas/out/many/b"
printf 'not the same\n' >"$T/nas/out/many/b/s301.txt"
run mcr deliver "$T/many" --to nas --wait
expect_rc 1 "a file in the way in the middle of a batch refuses the delivery"
has "$T/err" "s301.txt" "naming it"
is "$(cat "$T/nas/out/many/b/s301.txt")" "not the same" "the file in the way is untouched"
is "$(find "$T/nas/out/many" -name '*.part' | wc -l)" 0 "no .part of the batch is left"
id=$(sql "SELECT max(id) FROM deliveries WHERE destination = 'nas'")
is "$(sql "SELECT status FROM deliveries WHERE id = $id")" failed "the delivery is recorded failed"
is "$(sql "SELECT count(*) FROM delivery_files WHERE delivery_id = $id AND status = 'delivered'")" \
    "$(find "$T/nas/out/many" -type f ! -path '*/b/s301.txt' | wc -l)" \
    "only the files verified in place before it stopped are recorded as delivered"
is "$(sql "SELECT status FROM delivery_files WHERE delivery_id = $id AND rel LIKE '%b/s301.txt'")" "not sent" \
    "the file in the way is not"
rm "$T/nas/out/many/b/s301.txt"
run mcr deliver "$T/many" --to nas --wait
expect_rc 0 "once it is moved away, the same delivery goes through"
diff -r "$T/many" "$T/nas/out/many" >/dev/null
ok $? "all 600 files arrive intact in their folders"
id=$(sql "SELECT max(id) FROM deliveries WHERE destination = 'nas'")
is "$(sql "SELECT count(*) FROM delivery_files WHERE delivery_id = $id AND status = 'delivered' AND verified = 1")" 600 \
    "each recorded delivered and verified"
is "$(sql "SELECT DISTINCT rate_unit FROM jobs WHERE kind = 'transfer.deliver' AND rate_unit IS NOT NULL")" "B/s" \
    "its rate reaches the console in bytes a second (shown as MiB/s)"

# rclone, to an alias of a local remote in the test's own rclone.conf.
if command -v rclone >/dev/null; then
    printf '[far]\ntype = local\n\n[client]\ntype = alias\nremote = far:%s\n' "$T/far/rclone" >"$T/rclone.conf"
    chmod 600 "$T/rclone.conf"
    printf '[destination bucket]\ntype = rclone\npath = client:in\nrclone_config = %s\n' "$T/rclone.conf" >>"$CFG"
    run mcr deliver "$T/src/reel1" "$T/src/loose.bin" --to bucket --wait
    expect_rc 0 "a delivery through rclone"
    cmp -s "$T/src/reel1/sub/B002.wav" "$T/far/rclone/in/reel1/sub/B002.wav" &&
        cmp -s "$T/src/loose.bin" "$T/far/rclone/in/loose.bin"
    ok $? "arrives intact"
    has "$T/out" "rclone check (hashes)" "verified by rclone check"
    is "$(sql "SELECT count(*) FROM delivery_files f JOIN deliveries d ON d.id = f.delivery_id WHERE d.destination = 'bucket' AND f.status = 'delivered' AND f.verified = 1")" 4 \
        "every file recorded delivered and verified"
    chmod 644 "$T/rclone.conf"
    run mcr deliver "$T/src/loose.bin" --to bucket
    expect_rc 2 "an rclone.conf others can read is refused"
    has "$T/err" "rclone config $T/rclone.conf of destination bucket can be read by group or others" "saying so"
    chmod 600 "$T/rclone.conf"
fi

# Failures: one sentence each, nothing marked delivered.
before=$(sql "SELECT count(*) FROM delivery_files WHERE status = 'delivered'")
run mcr deliver "$T/src/loose.bin" --to badhost --retries 3 --wait
expect_rc 1 "a wrong host key fails the delivery"
has "$T/err" "is not the one in $S/wrong_known_hosts" "saying the host key does not match"
has "$T/err" "never accepts a host key blindly" "and that mcr will not accept it"
[ ! -e "$T/far/bad/loose.bin" ]
ok $? "nothing reached the far side"

job=$(sql "SELECT max(id) FROM jobs")
is "$(sql "SELECT state || ' ' || attempts FROM jobs WHERE id = $job")" "failed 1" \
    "under mcrd, which would retry a failure, a wrong host key is tried once"
mcr job log "$job" >"$T/log" 2>&1
is "$(grep -c 'rsync started' "$T/log")" 1 "and rsync ran once, though the job allowed 3 retries"
has "$T/log" "refused, not retried" "the job log says it was refused, not retried"

run mcr deliver "$T/src/loose.bin" --to badkey --retries 0 --wait
expect_rc 1 "a refused login fails the delivery"
has "$T/err" "refused the login of user $SSH_USER" "saying the login was refused"
is "$(sql "SELECT state || ' ' || attempts FROM jobs WHERE id = (SELECT max(id) FROM jobs)")" "failed 1" \
    "a refused login is not retried"
run mcr destinations test badkey
expect_rc 2 "destinations test says the same"
one_line "$T/err" "in one line"

run mcr deliver "$T/src/loose.bin" --to unplugged --wait
expect_rc 1 "a destination folder that is not there fails the delivery"
has "$T/err" "is not there (is the NAS mounted?)" "saying so"
is "$(sql "SELECT state || ' ' || attempts FROM jobs WHERE id = (SELECT max(id) FROM jobs)")" "failed 1" \
    "and is not retried"

run mcr deliver "$T/src/loose.bin" --to nosuch --wait
expect_rc 2 "a missing destination is refused before anything is queued"
has "$T/err" "there is no destination 'nosuch'" "naming it"
one_line "$T/err" "in one line"

run mcr deliver "$T/src/loose.bin" --to shut --wait
expect_rc 1 "a closed transfer window refuses the delivery"
has "$T/err" "transfer window" "saying the window is closed"
is "$(sql "SELECT status FROM deliveries WHERE destination = 'shut'")" refused "recorded as refused"
[ ! -e "$T/far/shut" ]
ok $? "and nothing was sent"
is "$(sql "SELECT count(*) FROM delivery_files WHERE status = 'delivered'")" "$before" \
    "no failed delivery marked a file delivered"
is "$(sql "SELECT count(*) FROM deliveries WHERE status = 'delivered' AND destination IN ('badhost','badkey','shut')")" 0 \
    "nor itself delivered"

chmod 644 "$S/user_key"
run mcr deliver "$T/src/loose.bin" --to client-rsync
expect_rc 2 "a key others can read is refused"
has "$T/err" "can be read by group or others" "saying so"
chmod 600 "$S/user_key"

# No key content ever reaches the shift log or a job log.
keyline=$(sed -n 2p "$S/user_key")
! grep -rqF "$keyline" "$DB" "$T/state" 2>/dev/null
ok $? "no key material in the shift log or job logs"

sshd_stop
finish
