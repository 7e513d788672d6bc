#!/bin/sh
# daemon-plugins: the loader refuses, each with a sentence saying why, a
# plugin built for another ABI, one without a run callback, one without the
# entry symbol, one whose name does not match its file, one whose kinds
# are misnamed, and a plugin file or folder that others may write; mcrd
# records each refusal and runs the plugins it accepted.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
daemon_setup "workers = 2"
LIBS="$MCR_BUILDDIR/tests/plugins/.libs"
for p in badabi norun noentry badkind; do
    cp "$LIBS/$p.so" "$PLUGDIR/"
done
cp "$LIBS/misnamed.so" "$PLUGDIR/misnamed.so"
chmod 644 "$PLUGDIR"/*.so
# A refused plugin's section stays in the config: it must not make the
# whole config an error.
printf '[badabi]\nsetting = 1\n' >>"$CFG"

run mcr plugins
expect_rc 0 "mcr plugins with bad plugins beside good ones"
has "$T/out" "testplug.ok" "the good plugins load"
has "$T/out" "badabi.so: it was built for plugin ABI 99 and this mcr speaks 1" \
    "another ABI version is refused"
has "$T/out" "norun.so: kind norun.thing has no run callback" \
    "a missing run callback is refused"
has "$T/out" "noentry.so: it does not export mcr_plugin_entry()" \
    "a missing entry symbol is refused"
has "$T/out" "misnamed.so: it calls itself 'other'; the file must be named other.so" \
    "a name that does not match the file is refused"
has "$T/out" "badkind.so: its kind 'wrong.thing' is not named badkind.VERB" \
    "a misnamed kind is refused"
run mcr plugins --json
is "$(json length:refused)" 5 "--json lists five refusals"
is "$(json plugins.1.kinds.0.name)" testplug.ok "and the loaded kinds"

chmod g+w "$PLUGDIR/testplug.so"
run mcr plugins
has "$T/out" "testplug.so: it is writable by its group; run chmod go-w on it" \
    "a group-writable plugin is refused"
run mcr submit testplug.ok
expect_rc 2 "its kinds cannot be submitted"
chmod 644 "$PLUGDIR/testplug.so"

run mcr submit testplug.ok steps=1 delay_ms=0 --wait
expect_rc 0 "mcrd runs the good plugins beside the bad, the bad one's config section kept"
is "$(sql "SELECT count(*) FROM events WHERE kind = 'daemon.plugin' AND severity = 'warning'")" 5 \
    "and records each refusal in the shift log"
daemon_kill

# A job whose plugin went away fails with a reason, not a crash.
id=$(submit --no-daemon testplug.ok steps=1)
rm "$PLUGDIR/testplug.so"
run mcr jobs
wait_state "$id" failed 10
ok $? "a job whose plugin is gone fails"
is "$(sql "SELECT error FROM jobs WHERE id = $id")" \
    "no plugin runs kind testplug.ok; 'mcr plugins' lists the kinds" "saying why"
daemon_kill

chmod 777 "$PLUGDIR"
run mcr plugins
expect_rc 0 "a world-writable plugin folder"
has "$T/out" "it is writable by everyone; run chmod go-w on it" "is refused as a whole"
has "$T/out" "no plugins loaded" "and nothing is loaded from it"
chmod 755 "$PLUGDIR"

finish
