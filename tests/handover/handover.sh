#!/bin/sh
# handover: a scripted shift through the real mcrd, mcr-worker and plugins
# (testplug, storage, and tests/handover/hoplug for alarms, QC findings and
# a delivery record): jobs done, failed, running and queued; a failure
# that opens its incident once; an alarm raised twice and cleared; notes
# flagged and linked; a delivery; a storage volume at its warning level and
# filling. The handover's contents are asserted in JSON, text, Markdown
# and HTML (rendered by headless Chromium to PNG); the shift ends, the next
# operator acknowledges, and open items carry over until then; full-text
# search finds notes by their words; the audit export says whether the
# chain verified; mcrd writes the digest at its time to a file and a mail
# command; the console's Handover screen shows the report.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 3"
cp "$MCR_BUILDDIR/tests/handover/.libs/hoplug.so" "$PLUGDIR/" || exit 99
chmod 644 "$PLUGDIR/hoplug.so"
mkdir -p "$T/prod"
printf '[site]\nname = MCR Test\n[volume prod]\npath = %s\nwarn = 0\ncrit = 100\n' \
    "$T/prod" >>"$CFG"
me=$(id -un)

# --- the shift ---

run mcr shift start --operator amira
expect_rc 0 "shift start"
has "$T/out" "shift 1 of amira started" "names the operator"
run mcr shift --json
is "$(json shift.operator)" amira "mcr shift shows who is on"
is "$(json open)" true "and that the shift is open"

# last_job KIND: the newest job of KIND (mcrd queues a storage sample of
# its own when it starts, so numbers are not assumed).
last_job() {
    sql "SELECT max(id) FROM jobs WHERE kind = '$1'"
}
run mcr submit testplug.ok steps=1 delay_ms=0 --subject A001C003.mov --wait
expect_rc 0 "a job done"
run mcr submit hoplug.qc severity=error --subject PROMO_SPRING.mxf --wait
expect_rc 0 "a QC run with a failure"
qc_id=$(last_job hoplug.qc)
run mcr submit hoplug.deliver to=playout-b path=PROMO_SPRING.mxf --wait
expect_rc 0 "a delivery"
dl_id=$(last_job hoplug.deliver)
run mcr submit testplug.fail --subject EP104_CONFORM.mxf --wait
expect_rc 1 "a job fails"
fail_id=$(last_job testplug.fail)
run mcr submit storage.sample --wait
expect_rc 0 "a storage sample"
for i in 2 3 4 5; do mcr submit storage.sample --wait >/dev/null 2>&1; done
run mcr submit hoplug.alarm key=genlock.b state=open severity=error \
    "title=playout B lost genlock" --wait
expect_rc 0 "an alarm"
run mcr submit hoplug.alarm key=genlock.b state=open severity=error \
    "title=playout B lost genlock" --wait
expect_rc 0 "the alarm again"
done_n=$(sql "SELECT count(*) FROM jobs WHERE state = 'done'")
sleep_id=$(submit testplug.sleep seconds=120 --subject "LTO restore")
queued_id=$(submit testplug.ok --after "$sleep_id" --subject "after the restore")
wait_state "$sleep_id" running
ok $? "job $sleep_id runs"

is "$(sql "SELECT count(*) FROM incidents WHERE key = 'job.failed.$fail_id'")" 1 \
    "the failed job opened one incident"
is "$(sql "SELECT count(*) FROM incidents WHERE key = 'genlock.b'")" 1 \
    "the alarm raised twice opened one incident"
is "$(sql "SELECT seen FROM incidents WHERE key = 'genlock.b'")" 2 \
    "counted twice"
is "$(sql "SELECT count(*) > 0 FROM incident_events e JOIN events v ON v.id = e.event_id
    WHERE v.kind = 'hoplug.alarm' AND e.incident_id = (SELECT id FROM incidents WHERE key = 'genlock.b')")" 1 \
    "the alarm's own event is linked to its incident"

# A storage history: two days ago the volume held a quarter of today's free
# space less, so at that rate it fills in 8 days.
sql "INSERT INTO samples (time, series, key, data)
    SELECT time - 2 * 86400000000, series, key, json_set(data, '\$.used',
    (data ->> '\$.used') - (data ->> '\$.avail') / 4)
    FROM samples WHERE series = 'storage.volume' AND key = 'prod'
    ORDER BY time DESC LIMIT 1"

run mcr note --handover --job "$fail_id" --asset LTO-0042 \
    "VTR 3 head clog, cleaned; watch its RF level"
expect_rc 0 "a note flagged for the handover, linked to a job and an asset"
run mcr note "coffee machine fixed"
expect_rc 0 "a note not flagged"
run mcr note --media 999 "no such file"
expect_rc 2 "a note linked to media that is not catalogued is refused"
has "$T/err" "there is no media 999" "and says why"
run mcr incident open edit bay 3 monitor flickers --severity warning
expect_rc 0 "an operator opens an incident"
has "$T/out" "incident 4 opened" "incident 4 (after the failed job's and the storage alarm's)"
run mcr incident ack 4 --owner dpatel
expect_rc 0 "acknowledged with an owner"
run mcr incident ack 4
expect_rc 2 "acknowledging twice is refused"
one_line "$T/err" "in one sentence"
run mcr incident update 4 vendor engineer booked for 07:00
expect_rc 0 "an update"
run mcr incident show 4 --json
is "$(json owner)" dpatel "the owner"
is "$(json state)" acknowledged "the state"
is "$(json length:history)" 3 "open, ack and update in its history"
is "$(json history.2.message)" "vendor engineer booked for 07:00" "the update's words"

# --- the handover ---

run mcr handover --json
expect_rc 0 "mcr handover --json"
cp "$T/out" "$T/h1.json"
is "$(json site)" "MCR Test" "the site"
is "$(json shift.operator)" amira "the shift"
is "$(json jobs.finished.done)" "$done_n" "$done_n jobs done"
is "$(json jobs.finished.failed)" 1 "one failed"
is "$(json jobs.failed.0.id)" "$fail_id" "job $fail_id is the failure"
is "$(json jobs.failed.0.error)" "the test plugin was asked to fail" "with its reason"
is "$(json jobs.running.0.id)" "$sleep_id" "the running job"
is "$(json jobs.now.queued)" 1 "one queued"
is "$(json jobs.queued.0.id)" "$queued_id" "the queued job"
case $(json jobs.done_by_kind) in *'"hoplug.alarm":2'*) ok 0 "done by kind" ;; *) ok 1 "done by kind" ;; esac
is "$(json length:incidents)" 4 "four open incidents (the storage alarm's among them)"
is "$(json incidents.0.severity)" error "most severe first"
is "$(json incidents.3.owner)" dpatel "with owners"
is "$(json incidents.3.last_message)" "vendor engineer booked for 07:00" "and their last update"
qcfail=$("$JSONGET" qc.runs <"$T/h1.json" | grep -c "\"job\":$qc_id,.*\"verdict\":\"fail\"")
is "$qcfail" 1 "the QC run with an error finding failed"
is "$(json qc.verdicts.fail)" 1 "one QC failure"
is "$(json deliveries.recorded.0.data.destination)" playout-b "the delivery"
is "$(json deliveries.recorded.0.job)" "$dl_id" "linked to its job"
is "$(json length:assets.recorded)" 0 "no asset movements"
is "$(json storage.0.volume)" prod "the volume"
is "$(json storage.0.level)" warn "at its warning level"
is "$(json storage.0.alarm)" true "an alarm"
days=$(json storage.0.full_in_days)
case $days in 8.0*|7.9*) ok 0 "full in 8 days ($days)" ;; *) ok 1 "full in 8 days, not $days" ;; esac
is "$(json length:notes)" 1 "one note flagged"
is "$(json notes.0.text)" "VTR 3 head clog, cleaned; watch its RF level" "its text"
links=$(json notes.0.links)
case $links in *'"type":"asset","ref":"LTO-0042"'*) ok 0 "its asset link" ;; *) ok 1 "its asset link: $links" ;; esac
is "$(json notes.0.job)" "$fail_id" "its job"
is "$(json previous_handover)" null "no handover before"

run mcr handover
expect_rc 0 "mcr handover as text"
has "$T/out" "HANDOVER — MCR Test" "titled"
has "$T/out" "Shift 1: amira" "the shift"
has "$T/out" "job $fail_id testplug.fail EP104_CONFORM.mxf — failed" "the failed job"
has "$T/out" "#4 [warning] edit bay 3 monitor flickers — acknowledged, owner dpatel" \
    "the incident with its owner"
has "$T/out" "#3 [error] playout B lost genlock — open, NO OWNER" "an incident nobody owns"
has "$T/out" "raised 2 times" "the alarm's count"
has "$T/out" "job $qc_id hoplug.qc PROMO_SPRING.mxf: fail (1 error, 0 warnings): loudness at 00:00:10:00" \
    "the QC verdict with its failure"
has "$T/out" "playout-b" "the delivery"
grep -Eq '\(the newest of [5-9] runs of storage.sample\)' "$T/out"
ok $? "a routine kind run five times (and by mcrd) is one line"
is "$(grep -c '^  - job [0-9]* storage.sample' "$T/out")" 1 "only one"
has "$T/out" "verdict fail, integrated -19.4" "a result reads as words, not JSON"
has "$T/out" "No asset movements recorded." "assets, honestly"
has "$T/out" "level warn — ALARM, sampled" "the storage alarm"
has "$T/out" "; full in 8.0 days at" "and its forecast"
has "$T/out" "VTR 3 head clog" "the flagged note"
if grep -q "coffee machine" "$T/out"; then ok 1 "an unflagged note stays off"; else ok 0 "an unflagged note stays off"; fi
has "$T/out" "running" "running jobs"
run mcr handover --format md
has "$T/out" "## Open incidents (4)" "Markdown headings"
has "$T/out" "- \\#3 \\[error\\] playout B lost genlock" "Markdown items, escaped"

run mcr handover --format html
expect_rc 0 "HTML"
cp "$T/out" "$T/handover.html"
has "$T/handover.html" "<h2>Open incidents (4)</h2>" "HTML sections"
has "$T/handover.html" "<li class=\"bad\">job $fail_id testplug.fail" "failures marked"
has "$T/handover.html" "<li class=\"bad\">job $qc_id hoplug.qc" \
    "a job done with a failing verdict is marked too"
grep -Eqi '(src|href)=|https?:|@import|<script' "$T/handover.html"
[ $? -ne 0 ]
ok $? "the HTML page is self-contained (no links, scripts or fetches)"
CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -n "$CHROMIUM" ]; then
    timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
        --user-data-dir="$T/chromium" --window-size=1000,1400 \
        --screenshot="$T/handover.png" "file://$T/handover.html" \
        >"$T/chromium.log" 2>&1
    [ -s "$T/handover.png" ] &&
        [ "$(head -c 8 "$T/handover.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] &&
        [ "$(wc -c <"$T/handover.png")" -gt 20000 ]
    ok $? "headless Chromium renders the HTML handover to a PNG"
else
    echo "ok $((tap_n + 1)) # SKIP chromium is not installed (quickstart installs it)"
    tap_n=$((tap_n + 1))
fi

# --- search ---

# Appends do not index; mcrd's tick brings the index up to the newest
# event, so searches seldom read an unindexed tail.
last=$(sql "SELECT max(id) FROM events")
i=0
while [ "$(sql "SELECT last_id FROM fts_marks")" -lt "$last" ] && [ $i -lt 50 ]; do
    sleep 0.1; i=$((i + 1))
done
is "$(sql "SELECT last_id >= $last FROM fts_marks")" 1 \
    "mcrd indexed every event for search within 5 s"

run mcr log --grep "head clog" --json
is "$(json length:events)" 1 "--grep finds the note by its words"
is "$(json events.0.kind)" note "a note"
is "$(json events.0.job)" "$fail_id" "linked to its job"
run mcr log --grep "GENL" --kind incident --json
is "$(json length:events)" 1 "a word's beginning, any case, finds the incident"
run mcr log --match '"lost genlock" NOT coffee' --kind incident --json
is "$(json events.0.subject)" "playout B lost genlock" "--match takes an FTS5 query"
run mcr log --grep "asked to fail" --kind job --json
is "$(json events.0.job)" "$fail_id" "a failure's event leads to its job"
run mcr log --match '"unbalanced'
expect_rc 2 "a bad FTS5 query is an error"

# --- the end of the shift, the acknowledgement, carry-over ---

run mcr shift end
expect_rc 0 "shift end"
has "$T/out" "handover 1 recorded" "records the handover"
run mcr shift start --operator bkoch
expect_rc 0 "the next shift"
run mcr handover --json
is "$(json shift.operator)" bkoch "the new shift"
is "$(json previous_handover.acknowledged)" false "the last handover is not acknowledged"
is "$(json length:notes)" 1 "the flagged note carries over"
is "$(json notes.0.carried_over)" true "marked as carried over"
is "$(json jobs.failed.0.id)" "$fail_id" "the failed job carries over"
run mcr handover
has "$T/out" "is NOT acknowledged: its open items carry over" "the text says so"
run mcr handover ack --json
expect_rc 0 "handover ack"
is "$(json handover)" 1 "acknowledges handover 1"
is "$(json acknowledged_by)" "$me" "by the Unix user"
is "$(sql "SELECT acked_by FROM handovers WHERE id = 1")" "$me" "on record"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'handover.acknowledged'")" 1 \
    "as an event in the chain"
run mcr handover --json
is "$(json previous_handover.acknowledged_by)" "$me" "the next report names who acknowledged"
is "$(json length:notes)" 0 "acknowledged notes no longer carry"
is "$(json length:jobs.failed)" 0 "nor the acknowledged failure"
is "$(json length:incidents)" 4 "open incidents stay until resolved"

run mcr submit hoplug.alarm key=genlock.b state=clear --wait
expect_rc 0 "the alarm clears"
is "$(sql "SELECT state FROM incidents WHERE key = 'genlock.b'")" resolved \
    "its incident is resolved"
run mcr job retry "$fail_id" --wait
is "$(sql "SELECT count(*) || ' ' || max(seen) FROM incidents WHERE key = 'job.failed.$fail_id'")" "1 2" \
    "failing again counts the same incident"
run mcr incident resolve 4 monitor replaced
expect_rc 0 "an operator resolves an incident"
run mcr handover --json
is "$(json length:incidents)" 2 "two incidents left open (the failed job's, the storage alarm's)"
is "$(json length:incidents_resolved)" 2 "two resolved this shift"
run mcr incident list
has "$T/out" "job $fail_id (testplug.fail) failed" "incident list"
run mcr incident list --all --json
is "$(json length:incidents)" 4 "--all lists resolved ones too"

# --- audit export ---

run mcr log export --format csv
expect_rc 0 "CSV export"
is "$(sed -n 2p "$T/out" | cut -c1-23)" "# hash chain VERIFIED: " "CSV states the chain verified at the top"
has "$T/out" 'id,time,user,host,ssh_client,kind,severity,job,subject,message,data' "a CSV header"
has "$T/out" '"VTR 3 head clog, cleaned; watch its RF level"' "fields quoted"
run mcr log export --since 1h --format json
expect_rc 0 "JSON export"
is "$(json chain.verified)" true "JSON states it"
is "$(json events.0.kind)" shiftlog.schema "with the events"
run mcr log export --format html
has "$T/out" "hash chain VERIFIED" "HTML states it"
cp "$DB" "$T/copy.db"
"$SQLITE3" "$T/copy.db" "DROP TRIGGER events_no_update; UPDATE events SET message = 'nothing happened' WHERE kind = 'job.failed'"
run "$MCR" --db "$T/copy.db" --config "$CFG" log export --format csv
expect_rc 1 "an export of a tampered log exits 1"
is "$(sed -n 2p "$T/out" | cut -c1-27)" "# hash chain NOT VERIFIED: " "and says so at the top"

# --- the digest, from mcrd at its time ---

daemon_kill
now=$(date +%H:%M)
printf '[digest]\ntimes = %s\nfile = %s/digest-%%Y%%m%%d-%%H%%M.txt\nmail = cat >%s/mail.txt\nto = ops@example.com\n' \
    "$now" "$T" "$T" >>"$CFG"
run mcr submit testplug.ok steps=1 delay_ms=0 --wait
expect_rc 0 "mcrd runs with a digest time of this minute"
n=0
while [ "$n" -lt 50 ] && [ "$(sql "SELECT count(*) FROM digests")" != 1 ]; do
    sleep 0.1
    n=$((n + 1))
done
is "$(sql "SELECT count(*) FROM events WHERE kind = 'digest'")" 1 "the digest is in the shift log"
has "$T/mail.txt" "To: ops@example.com" "mailed through the mail command"
has "$T/mail.txt" "Subject: [mcr MCR Test] digest for" "with a subject"
has "$T/mail.txt" "HANDOVER — MCR Test" "and the report"
ls "$T"/digest-*.txt >/dev/null 2>&1
ok $? "written to the file"
has "$(ls "$T"/digest-*.txt | head -n 1)" "Open incidents" "the file holds the report"
is "$(sql "SELECT outcome FROM digests")" "written to $(ls "$T"/digest-*.txt | head -n 1); mailed to ops@example.com" \
    "where it went is on record"
run mcr log --kind digest
has "$T/out" "jobs done" "mcr log shows its summary"

# --- the console's Handover screen ---

PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
if "$PTYTERM" -- true </dev/null >/dev/null 2>&1; then
    "$PTYTERM" --size 30x100 --env TERM=xterm-256color -- \
        "$MCR" --db "$DB" --config "$CFG" >"$T/out" 2>"$T/err" <<'SCRIPT'
wait "Jobs ("
keys :handover\r
wait "HANDOVER — MCR Test"
wait "Open incidents (2)"
wait "Previous handover 1"
keys G
wait "Notes for the handover"
keys s
wait "start your shift"
keys y
wait "started"
keys a
wait "acknowledge this handover"
keys y
wait "acknowledged"
keys \e
wait "Jobs ("
keys q
exit 0
SCRIPT
    rc=$?
    expect_rc 0 "the console's Handover screen shows the report"
    is "$(sql "SELECT operator FROM shifts ORDER BY id DESC LIMIT 1")" "$me" \
        "'s' on the screen started a shift for the Unix user"
    is "$(sql "SELECT count(*) FROM handovers WHERE acked IS NOT NULL")" 2 \
        "'a' on the screen recorded and acknowledged a handover"
else
    echo "ok $((tap_n + 1)) # SKIP ptyterm cannot run a command on a pty here"
    tap_n=$((tap_n + 1))
fi

run mcr log verify
expect_rc 0 "the chain still verifies after all of it"
run sql "INSERT INTO events_fts (events_fts, rank) VALUES ('integrity-check', 1)"
expect_rc 0 "the full-text index holds every event as it is (FTS5 integrity-check)"
is "$(sql "SELECT count(*) FROM events_fts WHERE events_fts MATCH 'genlock'")" \
    "$(sql "SELECT count(*) FROM events WHERE message LIKE '%genlock%' OR subject LIKE '%genlock%'")" \
    "the index finds what a scan finds"
finish
