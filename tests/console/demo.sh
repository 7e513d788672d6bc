#!/bin/sh
# demo: the console's first start with no config at all, as ./quickstart
# opens it: it makes the demo facility under $XDG_DATA_HOME/mcr with a real
# demo.facility job (clips made with the FFmpeg libraries), samples the
# four volumes and ingests the demo card to nearline, verified and
# catalogued, so that the panes fill with real work within seconds. Every
# figure on screen is then checked against the shift log or the disk.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
"$PTYTERM" -- true </dev/null >/dev/null 2>&1 ||
    skip_all "ptyterm cannot run a command on a pty here"
[ -e /etc/mcr/mcr.ini ] &&
    skip_all "/etc/mcr/mcr.ini exists, so this machine has no embedded default"

PLUGDIR="$T/plugins"
mkdir -p "$PLUGDIR" "$T/home" "$T/data" "$T/state" "$T/config"
for p in demo storage ingest qc; do
    cp "$MCR_BUILDDIR/plugins/.libs/$p.so" "$PLUGDIR/" || exit 99
done
chmod 755 "$PLUGDIR"
chmod 644 "$PLUGDIR"/*.so
DB="$T/state/mcr/shiftlog.db"

"$PTYTERM" --size 30x120 --env TERM=xterm-256color --env HOME="$T/home" \
    --env XDG_DATA_HOME="$T/data" --env XDG_STATE_HOME="$T/state" \
    --env XDG_CONFIG_HOME="$T/config" --env MCR_PLUGIN_DIR="$PLUGDIR" \
    --env MCR_SPECS="$TESTS_SRCDIR/../etc/specs" \
    -- "$MCR" >"$T/out" 2>"$T/err" <<'SCRIPT'
wait "Jobs ("
wait "demo.facility" 10
wait "LUFS" 60
wait "ingest.copy" 60
wait "nearline" 60
wait "production" 10
wait "job.done" 60
keys "\t"
keys q
exit 0
SCRIPT
rc=$?
expect_rc 0 "the first start opens the console on the demo facility"
for _ in $(seq 300); do
    [ "$(sql "SELECT count(*) FROM jobs WHERE state IN ('queued', 'running')")" -eq 0 ] && break
    sleep 0.2
done
is "$(sql "SELECT group_concat(kind || ':' || state, ' ') FROM (SELECT kind, state FROM jobs WHERE kind <> 'storage.sample' ORDER BY id)")" \
    "demo.facility:done ingest.copy:done qc.monitor:done qc.check:done" \
    "it queued the facility, an ingest of its card, a live loudness monitor and a QC check, and mcrd ran them"
is "$(sql "SELECT json_extract(result, '\$.verdict') FROM jobs WHERE kind = 'qc.check'")" fail \
    "the loud passage fails QC against EBU R128"
is "$(sql "SELECT count(*) > 0 FROM jobs WHERE kind = 'storage.sample' AND state = 'done'")" 1 \
    "and a storage sample"
[ -s "$T/data/mcr/demo/production/clients/DemoClient/DemoProduction/loud_passage.mov" ]
ok $? "the demo clips were made"
is "$(sql "SELECT count(*) FROM media WHERE volume = 'nearline' AND client = 'DemoClient' AND verified IS NOT NULL")" 3 \
    "the ingest catalogued the three clips on nearline, verified"
is "$(sql "SELECT count(DISTINCT key) FROM samples WHERE series = 'storage.volume'")" 4 \
    "the four volumes were sampled"

finish
