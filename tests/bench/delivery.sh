#!/bin/sh
# tests/bench/delivery.sh: `make bench-delivery` (also run by `make bench`).
# mcr deliver over loopback rsync/SSH (a throw-away sshd on 127.0.0.1)
# against plain `rsync -a -e ssh` of the same data in the same run, for
# one big file (BENCH_DELIVERY_MB, default 2048 MiB) and BENCH_DELIVERY_FILES
# small files (default 2,000 of 64 KiB); mcr with verify=none (the cost of
# hashing and bookkeeping alone) and verify=checksum (plus the far-side
# rsync --checksum pass). The share of mcr's time spent hashing comes from
# the hash_seconds mcr records per delivery. Then a local/NAS delivery
# (the shared verified copy: one read with xxh128 inline, fsync, read
# back) against cp + sync and against cp + sync + md5sum of the copy,
# for the big file and the small files. Median of BENCH_DELIVERY_RUNS
# (default 3); the machine's load (uptime) is printed before and after, as
# the figures mean little without it;
# every destination is emptied before each run; data stays in the page
# cache (23 GB RAM), so this measures CPU and protocol cost, not disks.

set -u
: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
: "${BENCH_PLUGINS:?set BENCH_PLUGINS to the plugin .so files}"
SQLITE3=${SQLITE3:-$(command -v sqlite3)}
MB=${BENCH_DELIVERY_MB:-2048}
NFILES=${BENCH_DELIVERY_FILES:-2000}
RUNS=${BENCH_DELIVERY_RUNS:-3}
W="$BENCH_WORK/delivery"
T="$W/run"
rm -rf "$T"
mkdir -p "$T/plugins" "$W/data/big" "$W/data/small" || exit 2
cp $BENCH_PLUGINS "$T/plugins/" && chmod 755 "$T/plugins" && chmod 644 "$T/plugins"/*.so
export MCR_PLUGIN_DIR="$T/plugins"
DB="$T/shiftlog.db"
CFG="$T/mcr.ini"
export XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data" HOME="$T/home"
mkdir -p "$HOME"
skip_all() { echo "bench-delivery skipped: $1"; exit 0; }

# The data, kept between runs.
if [ "$(stat -c %s "$W/data/big/big.mxf" 2>/dev/null)" != $((MB * 1048576)) ]; then
    echo "making $MB MiB of test data"
    head -c $((MB * 1048576)) /dev/urandom >"$W/data/big/big.mxf" || exit 2
fi
if [ "$(find "$W/data/small" -type f | wc -l)" != "$NFILES" ]; then
    rm -rf "$W/data/small" && mkdir -p "$W/data/small/cards"
    i=0
    while [ $i -lt "$NFILES" ]; do
        head -c 65536 /dev/urandom >"$W/data/small/cards/f$i.dpx"
        i=$((i + 1))
    done
fi

. "$(dirname "$0")/../delivery/sshd.sh"
sshd_start
trap 'mcr_kill; sshd_stop' EXIT INT TERM

{
    printf '[mcrd]\nworkers = 1\npoll = 50ms\nstorage_sample = 0\nretries = 0\n'
} >"$CFG"
dest_section loop-none rsync "path = $T/far/none" "verify = none"
dest_section loop-sum rsync "path = $T/far/sum" "verify = checksum"
mkdir -p "$T/nas/out"
printf '[volume nas]\npath = %s\nrole = delivery\n[destination nas]\ntype = local\npath = %s\n' \
    "$T/nas" "$T/nas/out" >>"$CFG"

mcr() { "$MCR" --db "$DB" --config "$CFG" "$@"; }
mcr_kill() {
    [ -f "$DB.mcrd.lock" ] && pid=$(cat "$DB.mcrd.lock" 2>/dev/null) && [ -n "$pid" ] &&
        kill "$pid" 2>/dev/null
    return 0
}
ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
SSHCMD="ssh -p $SSH_PORT -i $S/user_key -F /dev/null -o UserKnownHostsFile=$S/known_hosts -o StrictHostKeyChecking=yes -o BatchMode=yes"
mcr note "delivery benchmark" >/dev/null || exit 2

# one SET SRC: prints "plain none sum hashshare" medians in ms.
one() {
    set_name=$1 src=$2
    : >"$T/plain" ; : >"$T/none" ; : >"$T/sum" ; : >"$T/hash"
    r=0
    while [ $r -lt "$RUNS" ]; do
        rm -rf "$T/far"; mkdir -p "$T/far/plain"
        # Each case starts with no dirty pages of the one before it
        # still being written out (rsync -a does not sync; neither side
        # should pay for the other's writeback).
        sync
        t0=$(ns)
        rsync -a -e "$SSHCMD" "$src" "$SSH_USER@127.0.0.1:$T/far/plain/" || exit 2
        echo $(( ($(ns) - t0) / 1000000 )) >>"$T/plain"
        for v in none sum; do
            sync
            t0=$(ns)
            mcr deliver "$src" --to "loop-$v" --wait --json >"$T/o" 2>"$T/e" ||
                { cat "$T/e"; exit 2; }
            echo $(( ($(ns) - t0) / 1000000 )) >>"$T/$v"
            job=$(sed -n 's/.*"id": *\([0-9]*\).*/\1/p' "$T/o")
            [ "$v" = none ] && "$SQLITE3" "$DB" "SELECT hash_seconds / seconds FROM deliveries WHERE job_id = $job" >>"$T/hash"
        done
        r=$((r + 1))
    done
    p=$(median <"$T/plain") n=$(median <"$T/none") s=$(median <"$T/sum") h=$(median <"$T/hash")
    printf '%-22s plain rsync -a %7d ms | mcr verify=none %7d ms (x%.2f) | mcr verify=checksum %7d ms (x%.2f) | hashing %.0f%% of mcr verify=none\n' \
        "$set_name" "$p" "$n" "$(echo "$n / $p" | bc -l)" "$s" "$(echo "$s / $p" | bc -l)" "$(echo "$h * 100" | bc -l)"
}

echo "delivery benchmark: median of $RUNS runs, loopback sshd, $(nproc) cores"
echo "load before: $(uptime)"
# BENCH_DELIVERY_ONLY=local skips the rsync sets.
if [ "${BENCH_DELIVERY_ONLY:-}" != local ]; then
    one "1 x $MB MiB" "$W/data/big/big.mxf"
    one "$NFILES x 64 KiB" "$W/data/small/cards"
fi

# Local / NAS: mcr's verified copy (read once with xxh128, fsync, read
# back) against cp + sync, and cp + sync + md5sum of the copy.
# local SET SRC
local_one() {
    set_name=$1 src=$2
    : >"$T/cp" ; : >"$T/cpmd5" ; : >"$T/loc"
    r=0
    while [ $r -lt "$RUNS" ]; do
        rm -rf "$T/nas/out" "$T/cpdst"; mkdir -p "$T/nas/out" "$T/cpdst"
        sync; t0=$(ns); cp -r "$src" "$T/cpdst/" && sync -f "$T/cpdst"; echo $(( ($(ns) - t0) / 1000000 )) >>"$T/cp"
        rm -rf "$T/cpdst"; mkdir -p "$T/cpdst"
        sync; t0=$(ns); cp -r "$src" "$T/cpdst/" && sync -f "$T/cpdst" &&
            find "$T/cpdst" -type f -print0 | xargs -0 md5sum >/dev/null
        echo $(( ($(ns) - t0) / 1000000 )) >>"$T/cpmd5"
        rm -rf "$T/cpdst"
        sync; t0=$(ns); mcr deliver "$src" --to nas --wait --json >/dev/null 2>"$T/e" || { cat "$T/e"; exit 2; }
        echo $(( ($(ns) - t0) / 1000000 )) >>"$T/loc"
        r=$((r + 1))
    done
    c=$(median <"$T/cp") m=$(median <"$T/cpmd5") l=$(median <"$T/loc")
    printf '%-22s cp + sync %7d ms | cp + sync + md5sum %7d ms | mcr deliver (local: xxh128 inline, fsync, read back) %7d ms (x%.2f of cp, x%.2f of cp + md5sum)\n' \
        "local $set_name" "$c" "$m" "$l" "$(echo "$l / $c" | bc -l)" "$(echo "$l / $m" | bc -l)"
}
local_one "1 x $MB MiB" "$W/data/big/big.mxf"
local_one "$NFILES x 64 KiB" "$W/data/small/cards"
echo "load after: $(uptime)"
rm -rf "$T/far" "$T/nas/out" "$T/cpdst"
