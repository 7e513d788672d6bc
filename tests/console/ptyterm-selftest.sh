#!/bin/sh
# ptyterm-selftest: the pty harness itself, on small shell commands: waits
# and checks on the rendered text, attributes and colours, keys encoded as
# xterm sends them, resize with SIGWINCH, signals, exit statuses, --env,
# --size, UTF-8, and that every failure exits 1 with the screen on stderr.
. "$TESTS_SRCDIR/lib.sh"

PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"

# pt ARGS... <SCRIPT: runs ptyterm; stdout to $T/out, stderr to $T/err,
# exit status to $rc.
pt() {
    "$PTYTERM" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

"$PTYTERM" -- true </dev/null >/dev/null 2>&1 ||
    skip_all "ptyterm cannot run a command on a pty here"

cd "$T" || exit 99

pt -- sh -c 'printf "hello\n"; sleep 5' <<'SCRIPT'
# comments and blank lines are skipped

wait hello
expect hello
expectnot bye
cursor 1 0
dump dump.txt
bytes
SCRIPT
expect_rc 0 "wait, expect, expectnot, cursor, dump, bytes"
is "$(cat "$T/out")" 7 "bytes counts what the command printed (hello CR LF)"
is "$(head -n 1 "$T/dump.txt")" hello "dump writes the screen's text"
is "$(wc -l <"$T/dump.txt" | tr -d ' ')" 24 "dump writes every row of 24x80"
is "$(sed -n 2p "$T/dump.txt")" "" "dump trims trailing spaces"

pt -- sh -c 'printf "\033[1;31mRED\033[0m \033[7mREV\033[0m \033[4mUL\033[0m "; tput setaf 2; printf GREEN; tput sgr0; printf "\033[38;2;1;2;3mT\033[0m"; sleep 5' <<'SCRIPT'
wait GREEN
wait T
attr 0 0 bold
attr 0 0 fg=1
attr 0 2 fg=1
attr 0 4 reverse
attr 0 4 !bold
attr 0 4 fg=default
attr 0 8 underline
attr 0 11 fg=2
attr 0 11 bg=default
attr 0 16 fg=#010203
SCRIPT
expect_rc 0 "attr: bold, reverse, underline, fg=N, fg=#rrggbb, !ATTR"

pt -- sh -c 'printf "\033[1mB\033[0m"; sleep 5' <<'SCRIPT'
wait B
attr 0 0 reverse
SCRIPT
expect_rc 1 "a wrong attribute fails"
has "$T/err" "cell 0,0 is not reverse" "and says which cell"
has "$T/err" "--- screen 24x80 ---" "and shows the screen"

pt -- sh -c 'stty -icanon -isig -ixon -echo; echo ready; dd bs=1 count=21 2>/dev/null | od -An -c; sleep 5' <<'SCRIPT'
wait ready
keys <Up><C-c>a<M-x><F5><S-PgUp>\x41\e<lt>
wait "033   [   A 003   a 033   x 033   [   1   5   ~"
wait "2   ~   A 033   <"
SCRIPT
expect_rc 0 "keys: names, Ctrl, Alt, F-keys, Shift-PgUp, hex and Esc escapes"

pt -- sh -c 'stty -echo; echo ready; read a; read b; echo "[$a][$b]"; sleep 5' <<'SCRIPT'
wait ready
keys one two\rthree\t<Tab>\n
wait "[one two][three"
SCRIPT
expect_rc 0 "keys: text with spaces, and CR, tab and LF escapes"

pt --log "$T/log" -- sh -c 'stty -echo; echo ready; read -r l; echo "[$l]"; sleep 5' <<'SCRIPT'
wait ready
keys "a b \"q\" "
keys x\r
wait "[a b \"q\" x]"
SCRIPT
expect_rc 0 "keys: a quoted STRING keeps its spaces, a backslash-quote types a quote"
grep -q 'ready' "$T/log"
ok $? "--log keeps what the command printed"

pt -- sh -c 'trap "stty size" WINCH; stty size; echo ready; while :; do sleep 0.1; done' <<'SCRIPT'
wait ready
expect "24 80"
resize 30x100
wait "30 100"
SCRIPT
expect_rc 0 "resize sets the pty size and sends SIGWINCH"

pt -- sh -c 'trap "echo got-hup; exit 7" HUP; echo ready; while :; do sleep 0.1; done' <<'SCRIPT'
wait ready
signal HUP
wait got-hup
exit 7
SCRIPT
expect_rc 0 "signal HUP reaches the command; exit checks its status"

pt -- sh -c 'exit 3' <<'SCRIPT'
exit 4
SCRIPT
expect_rc 1 "exit with the wrong status fails"
has "$T/err" "exited with status 3, not 4" "and says both statuses"

pt -- sh -c 'kill -TERM $$' <<'SCRIPT'
exit 143
SCRIPT
expect_rc 0 "a command killed by signal N exits with 128 + N"

pt -- sh -c 'echo hello; sleep 5' <<'SCRIPT'
wait nothere 0.5
SCRIPT
expect_rc 1 "wait times out"
has "$T/err" '"nothere" did not appear within 0.5 s' "and says what it waited for"
has "$T/err" " 0|hello" "and shows the screen by row"

pt -- sh -c 'echo bye' <<'SCRIPT'
wait nothere
SCRIPT
expect_rc 1 "wait fails when the command exits first"
has "$T/err" "exited (status 0)" "without waiting for the timeout"

pt -- sh -c 'echo gone-soon; sleep 0.3; printf "\033[2J\033[H"; echo "Jobs 3"; sleep 5' <<'SCRIPT'
wait gone-soon
waitnot gone-soon 5
wait "Jobs 3" 5
expectnot gone-soon
SCRIPT
expect_rc 0 "waitnot, and a quoted TEXT that ends in a number"

pt --size 5x20 --env FOO=bar -- sh -c 'printf "caf\303\251\n"; echo "$FOO/$TERM"; stty size; sleep 5' <<'SCRIPT'
wait café
wait bar/xterm-256color
wait "5 20"
dump small.txt
SCRIPT
expect_rc 0 "--size, --env, TERM=xterm-256color and UTF-8"
is "$(wc -l <"$T/small.txt" | tr -d ' ')" 5 "dump of 5x20 has 5 rows"

printf 'wait from-file\n' >"$T/script"
pt --script "$T/script" -- sh -c 'echo from-file; sleep 5' </dev/null
expect_rc 0 "--script reads the script from a file"

pt -- sh -c 'sleep 5' <<'SCRIPT'
frobnicate
SCRIPT
expect_rc 2 "an unknown script command is a usage error"
has "$T/err" 'unknown command "frobnicate"' "that names the command"

pt --size 24 -- true </dev/null
expect_rc 2 "a bad --size is a usage error"

finish
