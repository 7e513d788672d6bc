# etc/: the sample config (every key, commented) and its man page.

examplesdir = $(docdir)/examples
dist_examples_DATA = %D%/mcr.ini
dist_man_MANS += %D%/mcr.ini.5
