#!/bin/sh
# tests/bench/storage.sh: the storage part of `make bench` (or alone with
# `make bench-storage`); tests/bench/storage.mk passes MCR,
# BENCH_STORAGE_GEN, BENCH_PLUGINS, SQLITE3 and BENCH_WORK.
#
# storage-gen makes 1,000,000 sparse files in 10,000 folders
# (client/prod/day/roll, 100 clips each, dated two days back) under
# $BENCH_WORK, after checking that the filesystem has the inodes. Then, on
# the same tree with the page cache warm (one untimed du first), median of
# $RUNS each, interleaved:
#   - `du -s` (the baseline) against the first storage.scan: the wall time
#     of `mcr submit storage.scan full=1 rate=0 --wait` with no scan cache,
#     so it reads every folder and writes every folder's row to the shift
#     log; the walk's own time (storage_scans.seconds) is shown too.
#   - a re-scan after 1 % of the files changed (5,000 clips added in 50 new
#     roll folders, 5,000 removed with 50 roll folders): wall time again,
#     against the first scan. The changes land together, as ingests and
#     clean-ups do; folders untouched are stat'ed but not read.
#   - `mcr storage --json` against the 50 ms target (median of 11, wall
#     and CPU time), on a shift log that also holds a year of the volume's
#     storage.volume samples every 5 minutes (105,120 rows, what mcrd's
#     default storage_sample leaves), with two floors beside it, the same
#     run: `mcr status --json` (a process that opens the same shift log)
#     and `mcr --help` (a process that only starts: the dynamic loading of
#     mcr's libraries).
# BENCH_STORAGE_PARTS="json" measures only the last part, on a tree of
# 1,000 files. The tree is removed at the end. A missed target is
# reported, not failed.
set -u

: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_STORAGE_GEN:?set BENCH_STORAGE_GEN to the storage-gen binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
SQLITE3=${SQLITE3:-}
[ -n "$SQLITE3" ] || SQLITE3=$(command -v sqlite3) || {
    echo "storage.sh: no sqlite3 shell; install sqlite3 and re-run configure" >&2
    exit 2
}
bin_dir=$(cd "$(dirname "$MCR")" && pwd) || exit 2
top=$(cd "$bin_dir/.." && pwd) || exit 2
PLUGINS=${BENCH_PLUGINS:-"$top/plugins/.libs/storage.so"}
FANOUT=${BENCH_STORAGE_FANOUT:-10}	# 10^4 folders
PER=${BENCH_STORAGE_PER:-100}		# clips a folder
RUNS=${BENCH_STORAGE_RUNS:-5}
PARTS=${BENCH_STORAGE_PARTS:-"scan json"}
case " $PARTS " in *" scan "*) ;; *) FANOUT=${BENCH_STORAGE_FANOUT:-5}; PER=${BENCH_STORAGE_PER:-2} ;; esac

mkdir -p "$BENCH_WORK" || exit 1
T=$(mktemp -d "$BENCH_WORK/storage-XXXXXX") || exit 1
cleanup() {
    if [ -f "$T/db.mcrd.lock" ]; then
        pid=$(cat "$T/db.mcrd.lock" 2>/dev/null)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null
        sleep 1
    fi
    if [ -n "${BENCH_STORAGE_KEEP:-}" ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export TZ=UTC LC_ALL=C XDG_STATE_HOME="$T/state" XDG_CONFIG_HOME="$T/config" \
    XDG_DATA_HOME="$T/data"

files=$((FANOUT * FANOUT * FANOUT * FANOUT * PER))
need_inodes=$((files + files / 50 + 20000))
free_inodes=$(df -P -i "$BENCH_WORK" | awk 'NR == 2 { print $4 }')
free_kb=$(df -P -k "$BENCH_WORK" | awk 'NR == 2 { print $4 }')
echo "storage bench: $files files; $free_inodes inodes and $((free_kb / 1024)) MiB free on $(df -P "$BENCH_WORK" | awk 'NR == 2 { print $6 }')"
if [ "$free_inodes" != "-" ] && [ "$free_inodes" -lt "$need_inodes" ]; then
    echo "storage.sh: $BENCH_WORK has $free_inodes free inodes, the tree needs $need_inodes" >&2
    exit 2
fi
if [ "$free_kb" -lt 2000000 ]; then
    echo "storage.sh: $BENCH_WORK needs 2 GB free for the tree's folders and the shift log" >&2
    exit 2
fi

mkdir -p "$T/plugins"
cp $PLUGINS "$T/plugins/" && chmod 755 "$T/plugins" && chmod 644 "$T/plugins"/*.so || exit 1
export MCR_PLUGIN_DIR="$T/plugins" MCR_WORKER="$bin_dir/mcr-worker"
V="$T/vol"
cat >"$T/mcr.ini" <<EOT
[mcrd]
storage_sample = 0
poll = 50ms
[volume bench]
path = $V
[storage]
scan_rate = 0
scan_every = 0
purge_every = 0
EOT
mcr() { "$MCR" --db "$T/db" --config "$T/mcr.ini" "$@"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

start=$(ms)
made=$("$BENCH_STORAGE_GEN" "$V" "$FANOUT" "$PER" 2) || exit 1
echo "generated $made files in $(( ($(ms) - start) / 1000 )) s"
mkdir -p "$V/.mcr"
mcr note "storage bench" >/dev/null || exit 1
mcr daemon >/dev/null || exit 1
du -s "$V" >/dev/null

scan_part() {
# first scan vs du -s, interleaved
: >"$T/du" ; : >"$T/scan" ; : >"$T/walk"
i=0
while [ $i -lt "$RUNS" ]; do
    a=$(ms); du -s "$V" >/dev/null; b=$(ms)
    echo $((b - a)) >>"$T/du"
    rm -f "$V/.mcr/scan-cache"
    "$SQLITE3" "$T/db" "DELETE FROM plugin_state WHERE key LIKE 'scan.%'" || exit 1
    a=$(ms); mcr submit storage.scan full=1 --wait >/dev/null 2>&1 || { echo "the scan failed" >&2; exit 1; }; b=$(ms)
    echo $((b - a)) >>"$T/scan"
    "$SQLITE3" "$T/db" "SELECT CAST(seconds * 1000 AS INTEGER) FROM storage_scans ORDER BY id DESC LIMIT 1" >>"$T/walk"
    i=$((i + 1))
done
du_ms=$(median <"$T/du"); scan_ms=$(median <"$T/scan"); walk_ms=$(median <"$T/walk")
rows=$("$SQLITE3" "$T/db" "SELECT count(*) || ' folders, ' || (SELECT files FROM storage_dirs WHERE path = '') || ' files' FROM storage_dirs")

# 1 % changed: 50 new roll folders of 100 clips, 50 roll folders removed.
change() {
    k=$1
    c=0
    for d in $(seq 0 49); do
        cl=$(printf %02d $(( (d + k) % FANOUT )))
        newd="$V/client$cl/prod00/day00/new$k-$d"
        mkdir -p "$newd"
        (cd "$newd" && for f in $(seq 0 $((PER - 1))); do : >"clip$f.mov"; done)
        old="$V/client$cl/prod01/day0$((k % FANOUT))/roll$(printf %02d $(( d / 5 )))"
        [ -d "$old" ] && rm -rf "$old" && c=$((c + PER))
    done
}
: >"$T/rescan" ; : >"$T/rewalk" ; : >"$T/read"
i=0
while [ $i -lt "$RUNS" ]; do
    change $i
    a=$(ms); mcr submit storage.scan --wait >/dev/null 2>&1 || { echo "the re-scan failed" >&2; exit 1; }; b=$(ms)
    echo $((b - a)) >>"$T/rescan"
    "$SQLITE3" "$T/db" "SELECT CAST(seconds * 1000 AS INTEGER) FROM storage_scans ORDER BY id DESC LIMIT 1" >>"$T/rewalk"
    "$SQLITE3" "$T/db" "SELECT dirs_read || ' of ' || dirs || ' folders read, ' || stats || ' entries stat''ed, ' || changed || ' rows written' FROM storage_scans ORDER BY id DESC LIMIT 1" >"$T/read"
    i=$((i + 1))
done
rescan_ms=$(median <"$T/rescan"); rewalk_ms=$(median <"$T/rewalk")
}
case " $PARTS " in
*" scan "*) scan_part ;;
*) mcr submit storage.scan full=1 --wait >/dev/null 2>&1 || { echo "the scan failed" >&2; exit 1; } ;;
esac

# A year of the volume's samples, every 5 minutes, growing 1 GiB a day.
now_s=$(date +%s)
"$SQLITE3" "$T/db" "WITH RECURSIVE t(i) AS (SELECT 0 UNION ALL SELECT i + 1
    FROM t WHERE i < 105119) INSERT INTO samples (time, series, key, data)
    SELECT ($now_s - (105120 - i) * 300) * 1000000, 'storage.volume', 'bench',
    json_object('path', '$V', 'role', 'production', 'total', 1099511627776,
    'used', 412316860416 + i * 3728270, 'free', 687194767360 - i * 3728270,
    'avail', 687194767360 - i * 3728270, 'inodes_total', 67108864,
    'inodes_free', 33554432, 'used_fraction', (412316860416 + i * 3728270)
    / 1099511627776.0, 'warn', 0.85, 'crit', 0.95, 'level', 'ok') FROM t" ||
    exit 1

# mcr storage --json, and mcr status --json (a process that opens the
# same shift log and prints a little JSON) as the floor, interleaved.
: >"$T/json" ; : >"$T/status" ; : >"$T/help"
load=$(cut -d' ' -f1-3 /proc/loadavg)
i=0
while [ $i -lt 11 ]; do
    a=$(ms); mcr storage --json >/dev/null || exit 1; b=$(ms)
    echo $((b - a)) >>"$T/json"
    a=$(ms); mcr status --json >/dev/null || exit 1; b=$(ms)
    echo $((b - a)) >>"$T/status"
    a=$(ms); "$MCR" --help >/dev/null || exit 1; b=$(ms)
    echo $((b - a)) >>"$T/help"
    i=$((i + 1))
done
json_ms=$(median <"$T/json"); status_ms=$(median <"$T/status"); help_ms=$(median <"$T/help")
# The same, as CPU time (user + system) rather than wall time: what the
# verb costs, whatever else the machine runs.
cpu_ms() {
    python3 - "$@" <<'PY' 2>/dev/null || echo "-"
import resource, subprocess, sys
runs = []
for _ in range(11):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    runs.append((after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000)
runs.sort()
print("%.1f" % runs[len(runs) // 2])
PY
}
json_cpu=$(cpu_ms "$MCR" --db "$T/db" --config "$T/mcr.ini" storage --json)
status_cpu=$(cpu_ms "$MCR" --db "$T/db" --config "$T/mcr.ini" status --json)
help_cpu=$(cpu_ms "$MCR" --help)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
verdict() { awk -v r="$1" -v t="$2" -v op="$3" 'BEGIN { ok = op == "le" ? r <= t : r < t; print ok ? "meets" : "MISSES" }'; }
echo
case " $PARTS " in *" scan "*)
r1=$(ratio "$scan_ms" "$du_ms"); r2=$(ratio "$rescan_ms" "$scan_ms")
echo "storage bench ($made files, medians of $RUNS, page cache warm; $rows in the shift log)"
printf '  %-44s %8s ms\n' "du -s (baseline)" "$du_ms"
printf '  %-44s %8s ms  %sx du  (target <= 1.5x: %s)\n' "first storage.scan, submit to done" "$scan_ms" "$r1" "$(verdict "$r1" 1.5 le)"
printf '  %-44s %8s ms  %sx du\n' "  of which the walk" "$walk_ms" "$(ratio "$walk_ms" "$du_ms")"
printf '  %-44s %8s ms  %sx first scan  (target < 0.2x: %s)\n' "re-scan after 1 % changed, submit to done" "$rescan_ms" "$r2" "$(verdict "$r2" 0.2 lt)"
printf '  %-44s %8s ms\n' "  of which the walk" "$rewalk_ms"
printf '  %-44s %s\n' "  last re-scan" "$(cat "$T/read")"
;; esac
echo "storage bench: mcr storage --json with a year of samples (105,120 rows), medians of 11"
printf '  %-44s %8s ms  (target < 50 ms: %s); CPU %s ms\n' "mcr storage --json (median of 11)" "$json_ms" "$(verdict "$json_ms" 50 lt)" "$json_cpu"
printf '  %-44s %8s ms;  CPU %s ms\n' "  mcr status --json, the same run (floor)" "$status_ms" "$status_cpu"
printf '  %-44s %8s ms;  CPU %s ms\n' "  mcr --help, the same run (process start)" "$help_ms" "$help_cpu"
echo "  load average: $load at the start of the runs, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
