#!/bin/sh
# storage/usage: what an operator reads. mcr storage (text and JSON) with
# each volume's growth and "full in N days" fitted over its samples, usage
# by client and production against quotas; mcr storage du; a volume
# crossing its levels opens one incident and closes it when cleared; the
# console's Storage screen drills down into the usage tree like ncdu.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
P="$T/prod"
mkdir -p "$P/.mcr" "$P/ACME/Film1/day1" "$P/ACME/Promo" "$P/BETA/Show"
cat >>"$CFG" <<EOT
[volume prod]
path = $P
warn = 0
crit = 100
[storage]
scan_rate = 0
[client ACME]
quota = 1M
EOT
head -c 3000000 /dev/urandom >"$P/ACME/Film1/day1/a.mov"
head -c 500000 /dev/urandom >"$P/ACME/Promo/p.mov"
head -c 200000 /dev/urandom >"$P/BETA/Show/s.mxf"

run mcr submit storage.sample --wait
run mcr submit storage.scan --wait
expect_rc 0 "a sample and a scan"

# Alarms: the sample found prod over its warn level (0 %).
is "$(sql "SELECT count(*) FROM incidents WHERE key = 'storage.volume.prod' AND state = 'open'")" 1 \
    "a volume over its warn level opens an incident"
run mcr submit storage.sample --wait
is "$(sql "SELECT count(*) FROM incidents WHERE key = 'storage.volume.prod'")" 1 \
    "once, not on every sample"
sed -i 's/^warn = 0$/warn = 100/' "$CFG"
kill -HUP "$(daemon_pid)"
sleep 0.5
run mcr submit storage.sample --wait
is "$(sql "SELECT state FROM incidents WHERE key = 'storage.volume.prod' ORDER BY id DESC LIMIT 1")" resolved \
    "and closes it when the volume is back under"

# Growth: samples over the last three days, 1 GiB more each day, with
# 10 GiB still free at the newest.
now=$(date +%s)
sql "DELETE FROM samples WHERE key = 'prod'"
for d in 3 2 1 0; do
    t=$(( (now - d * 86400) * 1000000 ))
    used=$(( (100 - d) * 1073741824 ))
    sql "INSERT INTO samples (time, series, key, data) VALUES ($t, 'storage.volume', 'prod',
        json_object('used', $used, 'total', 1099511627776, 'avail', 10737418240, 'used_fraction', 0.1,
        'level', 'ok', 'inodes_total', 1, 'inodes_free', 1))"
done
run mcr storage --json
expect_rc 0 "mcr storage --json"
g=$(json volumes.0.growth_per_day)
awk -v g="$g" 'BEGIN { exit !(g > 1073741823 && g < 1073741825) }'
ok $? "growth fitted over the samples: 1 GiB a day ($g)"
d=$(json volumes.0.full_in_days)
awk -v d="$d" 'BEGIN { exit !(d > 9.99 && d < 10.01) }'
ok $? "full in 10 days at that rate ($d)"
is "$(json volumes.0.scan.files)" 3 "with the last scan"
is "$(json clients.0.name)" ACME "clients by name"
is "$(json clients.0.bytes)" 3500000 "with their usage"
is "$(json clients.0.over_quota)" true "and whether they are over quota"
is "$(json clients.0.volumes.0.productions.0.name)" Film1 "productions largest first"
run mcr storage
expect_rc 0 "mcr storage as text"
has "$T/out" "/day, full in 10" "says the growth and when the volume will be full"
has "$T/out" "OVER QUOTA" "and who is over quota"

run mcr storage du "$P/ACME" --json
expect_rc 0 "mcr storage du"
is "$(json bytes)" 3500000 "the folder's size"
is "$(json children.0.name)" Film1 "its largest subfolder first"
is "$(json children.1.bytes)" 500000 "then the next"
run mcr storage du "$P/ACME"
has "$T/out" "Promo" "as text too"
run mcr storage du "$T"
expect_rc 2 "du outside every volume"
has "$T/err" "outside every configured volume" "says so"
mkdir -p "$P/ACME/new"
run mcr storage du "$P/ACME/new"
expect_rc 2 "du of a folder not scanned yet"
has "$T/err" "has not been scanned" "says what to run"

# The console's Storage screen: Enter on the volume, then on its largest
# folder (ACME, selected first), then Film1; Left goes back up. A frame
# reaches the terminal line by line, so what follows the title is waited
# for, not expected at once (CI once read a new title over old rows).
PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
if "$PTYTERM" -- true </dev/null >/dev/null 2>&1; then
    "$PTYTERM" --size 24x80 --env TERM=xterm-256color -- \
        "$MCR" --db "$DB" --config "$CFG" >"$T/out" 2>"$T/err" <<'SCRIPT'
wait Storage
keys :storage\r
wait "(production)"
keys \r
wait "prod:/"
wait "/ACME"
wait "/BETA"
keys \r
wait "prod:/ACME"
wait "/Film1"
wait "/Promo"
wait "85.7%"
keys \r
wait "prod:/ACME/Film1"
wait "/day1"
keys <Left>
wait " prod:/ACME "
wait "85.7%"
keys <Left>
wait " prod:/ "
expectnot "prod:/ACME"
keys \e
wait "(production)"
keys q
exit 0
SCRIPT
    rc=$?
    ok $rc "the Storage screen drills down into the usage tree and back"
fi
finish
