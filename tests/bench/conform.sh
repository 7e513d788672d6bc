#!/bin/sh
# tests/bench/conform.sh: `make bench-conform` (also run by `make bench`).
# Parse and conform a 3,000-event EDL against a catalogue of 100,000 media
# rows (issue target: under 200 ms), median of 7 runs, against a bare
# sqlite3 run of the same 3,000 indexed lookups in the same run. The
# 3,000 files the EDL uses exist (empty) so that they resolve; the other
# 97,000 rows are catalogue only. tests/bench/local.mk passes MCR, SQLITE3
# and BENCH_WORK; the catalogue is kept in $BENCH_WORK/conform between
# runs. A missed target is reported, not failed.

set -u

: "${MCR:?set MCR to the mcr binary}"
: "${BENCH_WORK:?set BENCH_WORK to a folder for the benchmark files}"
SQLITE3=${SQLITE3:-$(command -v sqlite3)}
ROWS=${BENCH_CONFORM_ROWS:-100000}
EVENTS=${BENCH_CONFORM_EVENTS:-3000}
RUNS=7
W="$BENCH_WORK/conform"
DB="$W/shiftlog.db"
CFG="$W/mcr.ini"
mkdir -p "$W/media" || exit 2
: >"$CFG"

ms() { echo $(($(date +%s%N) / 1000000)); }

if [ ! -s "$DB" ] || [ "$("$SQLITE3" "$DB" "SELECT count(*) FROM media WHERE tc_first IS NOT NULL" 2>/dev/null)" != "$ROWS" ]; then
    echo "filling $DB: $ROWS catalogue rows"
    rm -f "$DB" "$DB"-*
    "$MCR" --db "$DB" --config "$CFG" note "conform benchmark catalogue" || exit 2
    # Clip n: reel Rnnnn (50 clips a reel), 60 s at 25 fps from a
    # time-of-day start, as a camera card would give; tc_first is what
    # the catalogue's filer stores for that start (mcr ingest does it).
    "$SQLITE3" "$DB" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1
        FROM n WHERE i < $ROWS - 1)
        INSERT INTO media (path, volume, name, size, catalogued, reel, clip,
            hashes, rate, duration, frames, tc_start, drop_frame, tc_first)
        SELECT '$W/media/' || printf('C%06d.mov', i), 'prod',
            printf('C%06d.mov', i), 1000000, 0, printf('R%04d', i / 50),
            printf('C%06d', i), json_object('xxh128', printf('%032x', i)),
            '25/1', 60.0, 1500,
            printf('%02d:%02d:00:00', (i % 1440) / 60, i % 60), 0,
            (((i % 1440) / 60) * 3600 + (i % 60) * 60) * 25
        FROM n" || exit 2
fi

# The EDL: event k uses clip k * (ROWS / EVENTS), 2 s from 10 s in, named
# by clip name on odd events and by reel on even ones (the reel holds 50
# clips: the timecode range picks one).
step=$((ROWS / EVENTS))
awk -v n="$EVENTS" -v step="$step" -v rows="$ROWS" 'BEGIN {
    print "TITLE: CONFORM BENCHMARK"; print "FCM: NON-DROP FRAME"; print ""
    for (k = 0; k < n; k++) {
        i = k * step; h = int((i % 1440) / 60); m = i % 60
        rec = 36000 * 25 + k * 50
        printf "%04d  %-8s V     C        %02d:%02d:10:00 %02d:%02d:12:00 ",
            k + 1, (k % 2 ? sprintf("C%06d", i) : sprintf("R%04d", int(i / 50))), h, m, h, m
        printf "%02d:%02d:%02d:%02d %02d:%02d:%02d:%02d\n",
            int(rec / 90000), int(rec / 1500) % 60, int(rec / 25) % 60, rec % 25,
            int((rec + 50) / 90000), int((rec + 50) / 1500) % 60, int((rec + 50) / 25) % 60, (rec + 50) % 25
        if (k % 2) printf "* FROM CLIP NAME: C%06d\n", i
    }
}' >"$W/bench.edl"
awk -v n="$EVENTS" -v step="$step" 'BEGIN {
    for (k = 0; k < n; k++) printf "C%06d.mov\n", k * step }' |
    (cd "$W/media" && xargs touch) || exit 2

"$MCR" --db "$DB" --config "$CFG" conform "$W/bench.edl" --rate 25 \
    --no-record --json >"$W/out.json"
rc=$?
resolved=$(grep -o '"resolved": [0-9]*' "$W/out.json" | head -1)
echo "conform: exit $rc, $resolved of $EVENTS events"

# The baseline: the same 3,000 lookups as bare indexed sqlite3 queries.
awk -v n="$EVENTS" -v step="$step" 'BEGIN {
    for (k = 0; k < n; k++) {
        i = k * step
        if (k % 2) printf "SELECT count(*) FROM media WHERE clip = \"C%06d\" OR name = \"C%06d\";\n", i, i
        else printf "SELECT count(*) FROM media WHERE reel = \"R%04d\";\n", int(i / 50)
    }
}' >"$W/lookups.sql"

t_mcr=""
t_json=""
t_sql=""
for _ in $(seq $RUNS); do
    a=$(ms)
    "$MCR" --db "$DB" --config "$CFG" conform "$W/bench.edl" --rate 25 \
        --no-record >/dev/null
    b=$(ms)
    "$SQLITE3" "$DB" <"$W/lookups.sql" >/dev/null
    c=$(ms)
    "$MCR" --db "$DB" --config "$CFG" conform "$W/bench.edl" --rate 25 \
        --no-record --json >/dev/null
    d=$(ms)
    t_mcr="$t_mcr $((b - a))"
    t_sql="$t_sql $((c - b))"
    t_json="$t_json $((d - c))"
done
median() { echo "$@" | tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
m_mcr=$(median $t_mcr)
m_sql=$(median $t_sql)
m_json=$(median $t_json)
echo
echo "mcr conform bench: $EVENTS events against $ROWS catalogue rows; median of $RUNS"
printf '%-52s %8s %9s %6s %8s %s\n' measurement value baseline ratio target result
printf '%-52s %8s %9s %6s %8s %s\n' "parse + conform, ms (vs bare sqlite3 lookups)" \
    "$m_mcr" "$m_sql" "$(awk -v a="$m_mcr" -v b="$m_sql" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
    "< 200" "$([ "$m_mcr" -lt 200 ] && echo PASS || echo MISS)"
printf '%-52s %8s %9s %6s %8s %s\n' "extra: the same with the --json report, ms" \
    "$m_json" "$m_sql" "$(awk -v a="$m_json" -v b="$m_sql" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" "-" "-"
echo "runs, ms: mcr$t_mcr; sqlite3$t_sql; mcr --json$t_json"
echo "load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg)"
