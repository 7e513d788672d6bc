# screens/: the ncurses console, one file per screen. ncurses and libvterm
# are used here and nowhere else. The console issue fills this folder; until
# then the bare `mcr` command prints `mcr status`.
