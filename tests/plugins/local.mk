# tests/plugins: the test plugin testplug, which has a job kind for every
# path a job can take through mcrd and mcr-worker, and one tiny module per
# reason the loader refuses a plugin (badabi, norun, noentry, misnamed,
# badkind). All are check-only libtool modules: built by `make check`,
# never installed; tests find them in tests/plugins/.libs.

check_LTLIBRARIES =

testplug_ldflags = $(AM_LDFLAGS) -module -avoid-version -rpath /nowhere
testplug_entry = -export-symbols-regex '^mcr_plugin_entry$$'

check_LTLIBRARIES += %D%/testplug.la
%C%_testplug_la_SOURCES = %D%/testplug.c
%C%_testplug_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_testplug_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)
%C%_testplug_la_LIBADD = $(JANSSON_LIBS)

check_LTLIBRARIES += %D%/badabi.la
%C%_badabi_la_SOURCES = %D%/badabi.c
%C%_badabi_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)

check_LTLIBRARIES += %D%/norun.la
%C%_norun_la_SOURCES = %D%/norun.c
%C%_norun_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)

check_LTLIBRARIES += %D%/noentry.la
%C%_noentry_la_SOURCES = %D%/noentry.c
%C%_noentry_la_LDFLAGS = $(testplug_ldflags) \
	-export-symbols-regex '^noentry_hello$$'

check_LTLIBRARIES += %D%/misnamed.la
%C%_misnamed_la_SOURCES = %D%/misnamed.c
%C%_misnamed_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)

check_LTLIBRARIES += %D%/badkind.la
%C%_badkind_la_SOURCES = %D%/badkind.c
%C%_badkind_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)
