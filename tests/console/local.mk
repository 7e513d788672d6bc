# tests/console: black-box tests of the console. ptyterm runs a program on
# a real pty, renders its output with libvterm and follows a script of
# keys and checks (see the comment at the top of ptyterm.c); termhost runs
# the terminal screen (screens/terminal.c) under a small stand-in for the
# console, so the pane, the pty and the screen are tested without it.

check_PROGRAMS += %D%/ptyterm %D%/termhost
%C%_ptyterm_SOURCES = %D%/ptyterm.c
%C%_ptyterm_CFLAGS = $(AM_CFLAGS) $(VTERM_CFLAGS)
%C%_ptyterm_LDADD = $(VTERM_LIBS) -lutil

%C%_termhost_SOURCES = %D%/termhost.c \
	screens/console.h screens/screen.h \
	screens/terminal.c \
	screens/termpane.c screens/termpane.h \
	screens/pty.c screens/pty.h
%C%_termhost_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/screens
%C%_termhost_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) $(VTERM_CFLAGS)
%C%_termhost_LDADD = src/libmcrcore.la $(NCURSES_LIBS) $(VTERM_LIBS)

TESTS += \
	%D%/ptyterm-selftest.sh \
	%D%/terminal-screen.sh \
	%D%/console.sh \
	%D%/demo.sh
EXTRA_DIST += \
	%D%/ptyterm-selftest.sh \
	%D%/terminal-screen.sh \
	%D%/console.sh \
	%D%/demo.sh
