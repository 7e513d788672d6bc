#!/bin/sh
# terminal-screen: the terminal screen (screens/terminal.c, termpane.c,
# pty.c) under termhost, a stand-in for the console, driven through
# ptyterm: the shell's output with attributes and colours, keys to the
# shell, scrollback, resize, the exit message, F12, ASCII and 8-colour
# terminals, a shell that cannot start or ignores SIGHUP, and coalesced
# redraws.
. "$TESTS_SRCDIR/lib.sh"

PTYTERM="$MCR_BUILDDIR/tests/console/ptyterm"
TERMHOST="$MCR_BUILDDIR/tests/console/termhost"

"$PTYTERM" -- true </dev/null >/dev/null 2>&1 ||
    skip_all "ptyterm cannot run a command on a pty here"
cd "$T" || exit 99

# The shell runs these short scripts, so what they print starts on row 2.
cat >attrs.sh <<'EOF2'
printf '\033[1;31m%s\033[0m \033[7m%s\033[0m \033[4m%s\033[0m\n' RED REV UL
EOF2
cat >colors.sh <<'EOF2'
printf '\033[32mG\033[0m \033[38;5;196mR\033[0m \033[38;2;0;0;255mB\033[0m '
printf '\033[91;44mX\033[0m \342\224\214\342\224\200 caf\303\251\n'
EOF2

# th [PTYTERM-OPTIONS] [-- TERMHOST-OPTIONS] <SCRIPT: termhost running
# /bin/sh with a plain prompt; stdout to $T/out, stderr to $T/err, exit
# status to $rc. Keys typed before the shell prints its prompt are echoed
# before it, so scripts wait for what a command prints, not for its echo.
th() {
    _opts=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        _opts="$_opts $1"
        shift
    done
    [ $# -gt 0 ] && shift
    # shellcheck disable=SC2086
    "$PTYTERM" --env SHELL=/bin/sh --env PS1='$ ' --env ENV= $_opts \
        -- "$TERMHOST" "$@" >"$T/out" 2>"$T/err"
    rc=$?
}

th <<'SCRIPT'
wait "$ "
expect "mcr: Terminal"
sleep 0.3
cursor 1 2
keys . ./attrs.sh\r
wait "RED REV UL"
attr 2 0 bold
attr 2 0 fg=1
attr 2 4 reverse
attr 2 8 underline
attr 2 8 fg=default
keys exit 3\r
wait "[shell exited with status 3 — press any key]"
keys x
exit 0
SCRIPT
expect_rc 0 "shell output with attributes; the exit message; a key closes"

th <<'SCRIPT'
wait "$ "
keys . ./colors.sh\r
wait "G R B X ┌─ café"
attr 2 0 fg=2
attr 2 2 fg=196
attr 2 4 fg=21
SCRIPT
expect_rc 0 "256 and RGB colours on a 256-colour terminal; UTF-8"

th --env TERM=xterm <<'SCRIPT'
wait "$ "
keys . ./colors.sh\r
wait "G R B X ┌─ café"
attr 2 0 fg=2
attr 2 2 fg=1
attr 2 2 bold
attr 2 4 fg=4
attr 2 6 fg=1
attr 2 6 bg=4
attr 2 6 bold
SCRIPT
expect_rc 0 "on 8 colours (64 pairs): the nearest colour, bright as bold"

th -- --ascii --mono <<'SCRIPT'
wait "$ "
keys echo $$ >shell.pid; . ./colors.sh\r
wait "G R B X +- caf?"
attr 2 0 fg=default
keys <F12>
exit 0
SCRIPT
expect_rc 0 "--ascii draws box lines as +-, other characters as ?; F12 closes"
sleep 0.2
pid=$(cat "$T/shell.pid" 2>/dev/null)
[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
ok $? "closing the screen hangs up and reaps the shell"

th <<'SCRIPT'
wait "$ "
keys seq 1 100\r
wait 99
wait "100"
expectnot 70
keys <S-PgUp>
wait 70
wait "[11/"
keys <S-PgDn>
waitnot 70
keys <S-PgUp><S-PgUp>
wait 59
keys echo li""ve\r
waitnot 59
wait live
keys od -c\r
keys <Up><F1>é\r<C-d>
wait "033   [   A 033   O   P 303 251  \n"
resize 30x100
keys until [ "$(stty size)" = "28 100" ]; do sleep 0.1; done; echo 28x""100\r
wait 28x100
keys sleep 30\r
sleep 0.2
keys <C-c>
keys kill -KILL $$\r
wait "[shell exited with status 137"
keys <Enter>
exit 0
SCRIPT
expect_rc 0 "scrollback, keys to the shell, resize, Ctrl-C, a killed shell"

th <<'SCRIPT'
wait "$ "
keys trap '' HUP TERM; echo $$ >stubborn.pid; echo rea""dy\r
wait ready
keys <F12>
exit 0
SCRIPT
expect_rc 0 "a shell that ignores SIGHUP"
sleep 0.2
pid=$(cat "$T/stubborn.pid" 2>/dev/null)
[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null
ok $? "is killed and reaped when the screen closes"

th --env SHELL=/nonexistent/shell <<'SCRIPT'
wait "cannot start the shell /nonexistent/shell: No such file or directory"
wait "[shell exited"
keys x
exit 0
SCRIPT
expect_rc 0 "a shell that does not exist: said on the status line and the pane"

th --env TERMHOST_STATS="$T/stats" <<'SCRIPT'
wait "$ "
keys seq 1 200000; echo do""ne\r
wait done 60
keys <F12>
exit 0
SCRIPT
expect_rc 0 "a burst of output"
read -r _ draws _ ms <"$T/stats"
echo "# $draws draws in $ms ms"
[ "$draws" -le $((ms / 10 + 20)) ]
ok $? "is drawn at most once per 10 ms ($draws draws in $ms ms)"

finish
