#!/bin/sh
# tests/bench/ingest.sh: the ingest part of `make bench` (or `make
# bench-ingest`); tests/bench/ingest.mk passes MCR, BENCH_PLUGINS and
# BENCH_WORK. Every case starts with the page cache dropped (when this
# runs as root; otherwise it says so and the figures flatter the tools
# that re-read), ends with its data on disk (sync for the tools; mcr
# makes its copies durable itself), and runs BENCH_INGEST_RUNS times
# (default 3), interleaved; medians are reported with ratios against
# cp + sync (the limit), cp + md5sum and rsync --checksum, with every run's
# time and the machine's load (uptime) before and after.
#   big:   one file of BENCH_INGEST_MB MiB (default 4096)
#   small: BENCH_INGEST_FILES files (default 10000) of 16 KiB
# BENCH_INGEST_SETS="big" or "small" runs one of them.
# Cases: cp; cp then md5sum of source and copy (as operators do it, from
# whatever is cached); rsync --checksum; mcr ingest with xxh128 and
# verify=source (the inline hash alone), and with verify=destination (each
# copy read back from the disk); mcr ingest to two destinations, with the
# block device's read counter showing how often the source was read.
# A missed target is reported, not failed.

set -u
: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
MB=${BENCH_INGEST_MB:-4096}
FILES=${BENCH_INGEST_FILES:-10000}
RUNS=${BENCH_INGEST_RUNS:-3}
SETS=${BENCH_INGEST_SETS:-"big small"}	# either, or both
W="$BENCH_WORK/ingest"
bin_dir=$(cd "$(dirname "$MCR")" && pwd) || exit 2
PLUGINS=${BENCH_PLUGINS:-"$bin_dir/../plugins/.libs/ingest.so"}

rm -rf "$W"
mkdir -p "$W/src/big" "$W/src/small" "$W/dst" "$W/plugins" "$W/vol1" "$W/vol2"
cp $PLUGINS "$W/plugins/" && chmod 755 "$W/plugins" && chmod 644 "$W/plugins/"*
export MCR_PLUGIN_DIR="$W/plugins"
DB="$W/shiftlog.db"
CFG="$W/mcr.ini"
cat >"$CFG" <<EOT
[mcrd]
poll = 20ms
storage_sample = 0
[volume vol1]
path = $W/vol1
[volume vol2]
path = $W/vol2
[ingest]
scan = off
template = plain
template.plain = {reel}/{path}
EOT
mcr() { "$MCR" --db "$DB" --config "$CFG" "$@"; }

need=$((MB * 4 + FILES * 16 * 4 / 1024 + 1024))
avail=$(df -m --output=avail "$W" | tail -n 1 | tr -d ' ')
if [ "$avail" -lt "$need" ]; then
    echo "bench-ingest: $avail MiB free at $W, $need MiB needed; set BENCH_INGEST_MB smaller" >&2
    exit 2
fi

SQLITE3=${SQLITE3:-$(command -v sqlite3)}

can_drop=0
if [ "$(id -u)" = 0 ] && echo 3 >/proc/sys/vm/drop_caches 2>/dev/null; then
    can_drop=1
else
    echo "# not root: the page cache cannot be dropped between cases"
fi
drop() { sync; [ $can_drop = 1 ] && echo 3 >/proc/sys/vm/drop_caches; }
now() { date +%s.%N; }

echo "# making the sources:$(case $SETS in *big*) echo " one file of $MB MiB";; esac)$(case $SETS in *small*) echo " $FILES files of 16 KiB";; esac)"
case $SETS in *big*) head -c $((MB * 1024 * 1024)) /dev/urandom >"$W/src/big/big.bin";; esac
make_small() {
    i=0
    while [ $i -lt "$FILES" ]; do
        d=$((i / 500))
        [ $((i % 500)) = 0 ] && mkdir -p "$W/src/small/d$d"
        i=$((i + 1))
    done
    python3 - "$W/src/small" "$FILES" <<'PY' 2>/dev/null && return 0
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    with open(os.path.join(root, "d%d" % (i // 500), "f%05d.bin" % i), "wb") as f:
        f.write(os.urandom(16384))
PY
    i=0
    while [ $i -lt "$FILES" ]; do
        head -c 16384 /dev/urandom >"$W/src/small/d$((i / 500))/f$i.bin"
        i=$((i + 1))
    done
}
case $SETS in *small*) make_small;; esac
mcr daemon >/dev/null || exit 2

clean() { rm -rf "$W/dst" "$W/vol1/"* "$W/vol2/"*; mkdir -p "$W/dst"; }

# case NAME SET: runs one case on SET (big or small), prints seconds.
# Each mcr run files its copies under a reel of its own, so that the
# catalogue gets new rows as from a new card, not updates of the rows
# of the run before.
runs_done=0
run_case() {
    name=$1 set=$2 src="$W/src/$2"
    runs_done=$((runs_done + 1))
    reel="run$runs_done"
    clean
    drop
    t0=$(now)
    case $name in
    cp) cp -r "$src" "$W/dst/" && sync ;;
    cp_md5)
        cp -r "$src" "$W/dst/" && sync &&
            (cd "$src" && find . -type f -exec md5sum {} + >"$W/md5.src") &&
            (cd "$W/dst/$set" && md5sum --quiet -c "$W/md5.src") ;;
    rsync) rsync -r --checksum "$src" "$W/dst/" && sync ;;
    mcr_src) mcr ingest "$src" --client B --production B --reel "$reel" --to vol1 --hash xxh128 --verify source --wait >/dev/null 2>&1 ;;
    mcr_dst) mcr ingest "$src" --client B --production B --reel "$reel" --to vol1 --hash xxh128 --verify destination --wait >/dev/null 2>&1 ;;
    mcr_2dst) mcr ingest "$src" --client B --production B --reel "$reel" --to vol1,vol2 --hash xxh128 --verify destination --wait >/dev/null 2>&1 ;;
    mcr_2src)
        mcr ingest "$src" --client B --production B --reel "$reel" --to vol1,vol2 --hash xxh128 --verify source --wait >/dev/null 2>&1 &&
        "$SQLITE3" "$DB" "SELECT result->>'io_read_bytes' FROM jobs ORDER BY id DESC LIMIT 1" >"$W/read_bytes" ;;
    esac
    rc=$?
    t1=$(now)
    [ $rc = 0 ] || { echo "bench-ingest: case $name on $set failed" >&2; exit 2; }
    echo "$t0 $t1" | awk '{printf "%.3f\n", $2 - $1}'
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

CASES="cp cp_md5 rsync mcr_src mcr_dst mcr_2dst mcr_2src"
for set in $SETS; do
    load0=$(uptime)
    for c in $CASES; do : >"$W/t.$set.$c"; done
    r=1
    while [ $r -le "$RUNS" ]; do
        for c in $CASES; do
            run_case "$c" "$set" >>"$W/t.$set.$c"
        done
        r=$((r + 1))
    done
    bytes=$(du -sb "$W/src/$set" | cut -f1)
    cp_t=$(median <"$W/t.$set.cp")
    md5_t=$(median <"$W/t.$set.cp_md5")
    rs_t=$(median <"$W/t.$set.rsync")
    echo "## $set: $(du -sh "$W/src/$set" | cut -f1) in $(find "$W/src/$set" -type f | wc -l) files, median of $RUNS runs"
    echo "# load before: $load0"
    echo "# load after:  $(uptime)"
    echo "# runs (s): $(for c in $CASES; do printf '%s=%s ' $c "$(tr '\n' ',' <"$W/t.$set.$c" | sed 's/,$//')"; done)"
    printf '%-34s %8s %8s %7s %11s %10s\n' case seconds MB/s "x cp" "cp+md5sum/" "rsync -c/"
    for c in $CASES; do
        t=$(median <"$W/t.$set.$c")
        label=$c
        case $c in
        cp) label="cp + sync (the limit)";;
        cp_md5) label="cp + md5sum both sides";;
        rsync) label="rsync --checksum";;
        mcr_src) label="mcr ingest, xxh128 inline";;
        mcr_dst) label="mcr ingest, xxh128 + read-back";;
        mcr_2dst) label="mcr ingest, 2 dest + read-back";;
        mcr_2src) label="mcr ingest, 2 dest, inline only";;
        esac
        echo "$label|$t|$bytes|$cp_t|$md5_t|$rs_t" | awk -F'|' '{printf "%-34s %8.2f %8.1f %7.2f %11.2f %10.2f\n", $1, $2, $3 / $2 / 1e6, $2 / $4, $5 / $2, $6 / $2}'
    done
    if [ $can_drop = 1 ]; then
        rb=$(cat "$W/read_bytes")
        echo "$rb $bytes" | awk '{printf "two destinations, inline only: the worker read %.2f x the source size from storage (/proc/PID/io read_bytes; 1.00: the source is read once)\n", $1 / $2}'
    fi
    echo "x cp: time against cp + sync (targets: inline <= 1.11, i.e. >= 0.9x cp's throughput; read-back <= 2.00)"
    echo "cp+md5sum/, rsync -c/: how many times faster than those (target: >= 2.00 against cp + md5sum)"
done
mcr daemon >/dev/null 2>&1
pid=$(cat "$DB.mcrd.lock" 2>/dev/null) && kill "$pid" 2>/dev/null
rm -rf "$W/src" "$W/dst" "$W/vol1" "$W/vol2"
exit 0
