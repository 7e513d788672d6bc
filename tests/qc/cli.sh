#!/bin/sh
# mcr qc with a shift log: the report filed and listed, an exception
# approved and carried over to a re-run on the same content and spec
# (shown apart from open failures), a BT.500 grade, a stored report
# rendered again; the HTML report rendered by headless chromium; mcr qc
# --queue run by mcrd with live meters and progress; mcr monitor raising
# one silence alarm that opens and closes once.
. "$TESTS_SRCDIR/lib.sh"
. "$TESTS_SRCDIR/qc/lib-qc.sh"

mkdir -p "$T/work"
cat >>"$CFG" <<EOF2
[mcrd]
grace = 1s
storage_sample = 0
poll = 50ms
[volume work]
path = $T/work
role = production
EOF2
trap 'daemon_kill' EXIT

# A loud clip: 1 kHz at -13 dBFS is -13 LUFS, 10 LU over R128.
gen "$T/work/loud.mov" -f lavfi -i "testsrc2=s=320x180:r=25:d=6" -f lavfi \
    -i "aevalsrc='0.2238*sin(2*PI*1000*t)|0.2238*sin(2*PI*1000*t)':s=48000:d=6" \
    -c:v ffv1 -c:a pcm_s24le -timecode 10:00:00:00 -shortest
run qc "$T/work/loud.mov" --spec web --quiet
expect_rc 1 "a clip 1 LU over the web spec fails"
has "$T/out" "report 1 in the shift log" "the report is filed"
has "$T/out" "gain -1.0 dB" "with its remedy"
run qc list --json
is "$(json 0.verdict)" fail "mcr qc list shows it"
run qc show 1 --json
n=$(json length:findings)
i=0
lf=""
while [ "$i" -lt "$n" ]; do
    [ "$(json "findings.$i.check")" = loudness ] && lf=$(json "findings.$i.n")
    i=$((i + 1))
done
[ -n "$lf" ]
ok $? "the loudness finding has a number ($lf)"
run qc except 1 "$lf" --approved-by "Jo Client (Acme)" \
    --reason "web master approved at -13 LUFS"
expect_rc 0 "mcr qc except records the exception"
run qc except 1 "$lf" --approved-by x --reason y
expect_rc 2 "the same finding cannot be excepted twice"
run qc except 1 999 --approved-by x --reason y
expect_rc 2 "an unknown finding is refused"
one_line "$T/err" "in one sentence"
run qc except 1 "$lf"
expect_rc 2 "an exception needs who approved it and why"
run qc "$T/work/loud.mov" --spec web --quiet --json
expect_rc 0 "a re-run on the same content carries the exception over"
is "$(json counts.excepted)" 1 "one finding excepted"
[ "$(json verdict)" != fail ]
ok $? "and the verdict is no longer fail"
run qc "$T/work/loud.mov" --spec ebu-r128-hd --quiet --json
is "$(json counts.excepted)" 0 "another spec does not carry it"
run qc grade 2 4 --comment "slight softness in the bars"
expect_rc 0 "mcr qc grade records a BT.500 grade"
run qc grade 2 6
expect_rc 2 "a grade off the five-point scale is refused"
run qc show 2 --report "$T/r2.txt"
has "$T/r2.txt" "grade 4/5" "the stored report shows the grade"
has "$T/r2.txt" "EXCEPTIONS (approved)" "and the exception apart"
has "$T/r2.txt" "Jo Client (Acme)" "with who approved it"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'qc.exception'")" 1 \
    "the exception is in the audit trail"
run "$MCR" --db "$DB" log verify
expect_rc 0 "and the hash chain still verifies"

# The HTML report: self-contained, rendered by headless chromium.
run qc "$T/work/loud.mov" --spec ebu-r128-hd --quiet --report "$T/r.html" \
    --report "$T/r.json"
[ "$(grep -c '<svg' "$T/r.html")" -ge 4 ]
ok $? "the HTML report has its four plots"
! grep -E '(src|href)=' "$T/r.html" >/dev/null
ok $? "and no external assets"
is "$("$JSONGET" schema <"$T/r.json")" "mcr.qc.report/1" "the JSON report"
if command -v chromium >/dev/null 2>&1; then
    timeout 90 chromium --headless --no-sandbox --disable-gpu \
        --hide-scrollbars --window-size=1000,1400 \
        --screenshot="$T/shot.png" "file://$T/r.html" >/dev/null 2>&1
    sz=$(wc -c <"$T/shot.png" 2>/dev/null || echo 0)
    [ "$sz" -gt 30000 ]
    ok $? "chromium renders it to a PNG that is not blank ($sz bytes)"
    [ "$(head -c 4 "$T/shot.png" | od -An -tx1 | tr -d ' ')" = 89504e47 ]
    ok $? "a real PNG"
else
    echo "ok $((tap_n + 1)) # SKIP chromium is not installed (./quickstart check installs it)"
    tap_n=$((tap_n + 1))
fi

# --queue: mcrd runs it; meters and progress reach the shift log.
gen "$T/work/long.wav" -f lavfi -i "aevalsrc='0.07*sin(2*PI*1000*t)|0.07*sin(2*PI*1000*t)':s=48000:d=300" -c:a pcm_s16le
run qc --queue "$T/work/long.wav" --spec web --report "$T/work/q.html" \
    --json
expect_rc 0 "mcr qc --queue submits a job"
id=$(json id)
wait_state "$id" running 20
ok $? "mcrd runs it"
n=0
while [ "$n" -lt 50 ] && [ "$(sql "SELECT count(*) FROM meters WHERE job_id = $id AND name = 'short_term'")" != 1 ]; do
    sleep 0.1
    n=$((n + 1))
done
is "$(sql "SELECT count(*) FROM meters WHERE job_id = $id AND name IN ('momentary', 'short_term', 'integrated', 'true_peak', 'target')")" 5 \
    "the console's QC meters are live while it runs"
wait_state "$id" done 60
ok $? "the job ends done"
is "$(sql "SELECT verdict FROM qc_reports WHERE job_id = $id")" fail \
    "its report is filed (-23 LUFS fails the web spec)"
[ -s "$T/work/q.html" ]
ok $? "and its HTML report written"

# mcr monitor: tone, 4 s of silence, tone; one alarm opened and closed.
gen "$T/work/gap.wav" -f lavfi -i "aevalsrc='if(between(t,2,6),0,0.07)*sin(2*PI*1000*t)|if(between(t,2,6),0,0.07)*sin(2*PI*1000*t)':s=48000:d=9" -c:a pcm_s24le
cat >"$T/mon.ini" <<EOF2
[spec]
name = mon
extends = $SPECS/ebu-r128-hd.ini
[monitor]
silence = 1
clear_after = 0.5
EOF2
run "$MCR" --db "$DB" --config "$CFG" monitor "$T/work/gap.wav" \
    --spec "$T/mon.ini" --no-realtime --wait
expect_rc 0 "mcr monitor runs to the end of a file"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'qc.alarm'")" 1 \
    "one silence alarm is raised"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'qc.alarm.clear'")" 1 \
    "and cleared once"
start=$(date +%s)
run "$MCR" --db "$DB" --config "$CFG" monitor "$T/work/gap.wav" \
    --spec "$T/mon.ini" --duration 2 --wait
el=$(( $(date +%s) - start ))
[ "$el" -ge 2 ]
ok $? "a file is played in real time ($el s for 2 s)"

# A live stream: MPEG-TS over UDP on loopback, paced by its sender.
port=$((20000 + $$ % 30000))
ffmpeg -nostdin -v error -re -f lavfi -i "sine=f=1000:r=48000:d=12" \
    -c:a mp2 -f mpegts "udp://127.0.0.1:$port?pkt_size=1316" &
sender=$!
run "$MCR" --db "$DB" --config "$CFG" monitor "udp://127.0.0.1:$port" \
    --spec "$T/mon.ini" --duration 3 --wait --json
expect_rc 0 "mcr monitor follows a UDP stream"
kill "$sender" 2>/dev/null
wait "$sender" 2>/dev/null
id=$(sql "SELECT max(id) FROM jobs WHERE kind = 'qc.monitor'")
between "$(sql "SELECT result ->> 'seconds' FROM jobs WHERE id = $id")" 2.5 6 \
    "for the seconds asked"
is "$(sql "SELECT count(*) FROM meters WHERE job_id = $id AND name = 'momentary'")" 1 \
    "with its loudness meters live"

finish
