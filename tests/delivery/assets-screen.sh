#!/bin/sh
# delivery/assets-screen: the console's Assets screen (:assets) lists the
# physical asset register from the shift log, in the real console on a pty.
. "$TESTS_SRCDIR/lib.sh"
[ -n "$SQLITE3" ] || skip_all "the sqlite3 shell is not installed"
PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
"$PTYTERM" -- true </dev/null >/dev/null 2>&1 ||
    skip_all "ptyterm cannot run a command on a pty here"
daemon_setup
run mcr asset in LTO8-0007 --format LTO-8 --client Acme --production "Night Train" --at "Vault A1" --signed "J. Doe"
expect_rc 0 "an LTO-8 tape booked in"
run mcr asset in SSD-12 --format SSD --client Bravo
run mcr asset out SSD-12 --to "Bravo reception" --courier DHL --signed "K. Client"
expect_rc 0 "an SSD sent out"

"$PTYTERM" --size 24x100 --env TERM=xterm-256color -- \
    "$MCR" --db "$DB" --config "$CFG" >"$T/out" 2>"$T/err" <<'SCRIPT'
wait "Jobs ("
keys ":assets\r"
wait "LTO8-0007"
wait "Vault A1"
wait "Acme / Night Train"
wait "Bravo reception"
wait "K. Client"
keys "?"
wait "Keys of the Assets screen"
keys "\e"
keys "\e"
wait "Jobs ("
keys q
exit 0
SCRIPT
rc=$?
expect_rc 0 "the Assets screen lists both assets, where they are and who signed"
finish
