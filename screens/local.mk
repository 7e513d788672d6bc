# screens/: the ncurses console, one file per screen, in a convenience
# library that the mcr binary links. ncurses and libvterm are used here and
# nowhere else.

noinst_LTLIBRARIES += %D%/libmcrscreens.la
%C%_libmcrscreens_la_SOURCES = \
	%D%/console.c %D%/console.h \
	%D%/screen.h \
	%D%/draw.c %D%/draw.h \
	%D%/model.c %D%/model.h \
	%D%/dashboard.c \
	%D%/jobs.c \
	%D%/storage.c \
	%D%/transfers.c \
	%D%/qc.c \
	%D%/log.c \
	%D%/help.c \
	%D%/handover.c \
	%D%/assets.c \
	%D%/terminal.c \
	%D%/termpane.c %D%/termpane.h \
	%D%/pty.c %D%/pty.h
%C%_libmcrscreens_la_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/screens \
	-DNCURSES_WIDECHAR=1
%C%_libmcrscreens_la_CFLAGS = $(AM_CFLAGS) $(NCURSES_CFLAGS) $(VTERM_CFLAGS) \
	$(JANSSON_CFLAGS)
%C%_libmcrscreens_la_LIBADD = $(NCURSES_LIBS) $(VTERM_LIBS) -lutil -lm
