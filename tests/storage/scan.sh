#!/bin/sh
# storage/scan: storage.scan on a real folder tree. Folder sums match du;
# a re-scan reads only the folders whose entries changed, yet sees new,
# removed and renamed entries, in-place growth of recently written files,
# and a tool that put a folder's mtime back; usage by client and
# production follows the volume's layout; the rate limit holds; a quota
# opens an incident once and closes it when cleared.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
V="$T/prod"
mkdir -p "$V/.mcr" "$V/ACME/Film1/day1" "$V/ACME/Film1/day2" "$V/ACME/Promo" "$V/BETA/Show/ep1"
cat >>"$CFG" <<EOT
[volume prod]
path = $V
[storage]
scan_rate = 0
[client ACME]
quota = 3M
EOT
# Files dated two days back are cold; the hot window is 24 h.
mk() { head -c "$2" /dev/urandom >"$V/$1"; touch -d '2 days ago' "$V/$1"; }
mk ACME/Film1/day1/a.mov 1000000
mk ACME/Film1/day1/b.mov 500000
mk ACME/Film1/day2/c.mov 250000
mk ACME/Promo/p.mov 100000
mk BETA/Show/ep1/x.mxf 300000
mk top.txt 10
ln "$V/ACME/Film1/day1/a.mov" "$V/ACME/Film1/day2/a-link.mov"

dirsum() { sql "SELECT bytes || ' ' || files || ' ' || dirs FROM storage_dirs WHERE volume = 'prod' AND path = '$1'"; }

run mcr submit storage.scan --wait
expect_rc 0 "the first scan runs"
is "$(dirsum '')" "2150010 6 9" "the root sums every file once (a hard link counts once)"
is "$(dirsum 'ACME/Film1')" "1750000 3 2" "a folder sums its subtree"
is "$(sql "SELECT disk FROM storage_dirs WHERE volume = 'prod' AND path = ''")" \
    "$(du -s -B1 --exclude=scan-cache "$V" | cut -f1)" "allocated bytes agree with du -s"
is "$(sql "SELECT full || reset FROM (SELECT full, 1 AS reset FROM storage_scans ORDER BY id DESC LIMIT 1)")" 11 "the first scan is full"
is "$(sql "SELECT bytes FROM storage_owners WHERE client = 'ACME' AND production = 'Film1'")" 1750000 \
    "usage by client and production"
is "$(sql "SELECT bytes FROM storage_owners WHERE client = 'BETA' AND production = 'Show'")" 300000 \
    "every client folder is attributed"
is "$(sql "SELECT count(*) FROM incidents WHERE key LIKE 'storage.%'")" 0 "under quota: no incident"

# An unchanged tree: the re-scan reads no folder and writes no row.
run mcr submit storage.scan --wait
# (.mcr, which holds the scan's cache, changes with every scan.)
is "$(sql "SELECT dirs_read || ' ' || full FROM storage_scans ORDER BY id DESC LIMIT 1")" \
    "1 0" "an unchanged re-scan reads no folder but .mcr"
is "$(dirsum '')" "2150010 6 9" "and keeps the sums"

# New, removed and renamed entries; a hot file growing in place.
head -c 2000000 /dev/urandom >"$V/ACME/Film1/day2/new.mov"
rm "$V/BETA/Show/ep1/x.mxf"
mv "$V/ACME/Promo" "$V/ACME/Promo2"
run mcr submit storage.scan --wait
expect_rc 0 "the re-scan runs"
is "$(dirsum 'ACME/Film1/day2')" "2250000 2 0" "a new file is counted"
is "$(dirsum 'BETA')" "0 0 2" "a removed file is no longer counted"
is "$(sql "SELECT count(*) FROM storage_dirs WHERE path = 'ACME/Promo'")" 0 "a renamed folder leaves its old name"
is "$(dirsum 'ACME/Promo2')" "100000 1 0" "and appears under its new one"
is "$(dirsum '')" "3850010 6 9" "the root follows"
is "$(sql "SELECT dirs_read FROM storage_scans ORDER BY id DESC LIMIT 1")" 5 \
    "only the changed folders were read (day2, ep1, ACME, Promo2, .mcr)"
# ACME is now 3.85 MB, over its 3 MiB quota.
is "$(sql "SELECT count(*) FROM incidents WHERE state = 'open' AND key = 'storage.quota.ACME'")" 1 \
    "going over quota opens an incident"
run mcr submit storage.scan --wait
is "$(sql "SELECT count(*) FROM incidents WHERE key LIKE 'storage.%'")" 1 "only once"

# In-place growth: new.mov is hot (written just now), so it is re-stat'ed.
head -c 1000000 /dev/urandom >>"$V/ACME/Film1/day2/new.mov"
run mcr submit storage.scan --wait
is "$(dirsum 'ACME/Film1/day2')" "3250000 2 0" "a hot file growing in place is seen"
is "$(sql "SELECT dirs_read FROM storage_scans ORDER BY id DESC LIMIT 1")" 1 "without reading its folder"

# A folder whose mtime was put back: its ctime still changed.
m=$(stat -c %Y "$V/ACME/Film1/day1")
head -c 123 /dev/urandom >"$V/ACME/Film1/day1/late.wav"
touch -d "@$m" "$V/ACME/Film1/day1"
run mcr submit storage.scan --wait
is "$(dirsum 'ACME/Film1/day1')" "1500123 3 0" "a folder whose mtime was put back is read again"

# A cold file growing in place is seen by a full scan.
head -c 7 /dev/urandom >>"$V/ACME/Film1/day1/b.mov"
touch -d '2 days ago' "$V/ACME/Film1/day1/b.mov"
touch -d "@$m" "$V/ACME/Film1/day1"
run mcr submit storage.scan full=1 --wait
is "$(dirsum 'ACME/Film1/day1')" "1500130 3 0" "full=1 sees a cold file grown in place"

# Back under quota: the incident closes, once.
rm "$V/ACME/Film1/day2/new.mov"
run mcr submit storage.scan --wait
is "$(sql "SELECT state FROM incidents WHERE key = 'storage.quota.ACME' ORDER BY id DESC LIMIT 1")" resolved \
    "coming back under quota closes the incident"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'storage.quota'")" 2 "with one event each way"

# The shift log was replaced: the cache's token no longer matches, so the
# scan reports every folder again.
sql "DELETE FROM storage_dirs; DELETE FROM plugin_state WHERE key LIKE 'scan.%'"
run mcr submit storage.scan --wait
is "$(dirsum '')" "1850140 6 9" "a scan whose cache the shift log does not know writes every folder"

# The rate limit: 600 entries at 300 a second take at least 1.5 s.
mkdir -p "$V/many"
for i in $(seq 600); do : >"$V/many/f$i"; done
start=$(date +%s.%N)
run mcr submit storage.scan full=1 rate=300 --wait
end=$(date +%s.%N)
awk -v a="$start" -v b="$end" 'BEGIN { exit !(b - a >= 1.5) }'
ok $? "scan_rate bounds the walk ($(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }') s for 600 entries at 300/s)"

# mcrd queues storage.scan itself every [storage] scan_every.
daemon_kill
sed -i 's/^scan_rate = 0$/scan_rate = 0\nscan_every = 1s/' "$CFG"
before=$(sql "SELECT count(*) FROM jobs WHERE kind = 'storage.scan'")
run mcr daemon
sleep 2.5
after=$(sql "SELECT count(*) FROM jobs WHERE kind = 'storage.scan' AND state = 'done'")
[ "$after" -gt "$before" ]; ok $? "mcrd queues storage.scan on its schedule ($before, then $after)"
daemon_kill
sed -i '/^scan_every = 1s$/d' "$CFG"

run mcr submit storage.scan volume=nosuch --wait
expect_rc 1 "scanning a volume that is not configured fails"
has "$T/err" "no volume 'nosuch'" "saying so"
finish
