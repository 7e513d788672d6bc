# tests/handover: shifts, notes, incidents, the handover and its
# acknowledgement, full-text search, the digest and the audit export
# (issue 11). hoplug is a check-only plugin that raises alarms as incident
# records, reports QC findings and files a delivery record, as duty
# plugins do; handover.sh drives a whole shift through mcrd with it.

check_LTLIBRARIES += %D%/hoplug.la
%C%_hoplug_la_SOURCES = %D%/hoplug.c
%C%_hoplug_la_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_hoplug_la_LDFLAGS = $(testplug_ldflags) $(testplug_entry)
%C%_hoplug_la_LIBADD = $(JANSSON_LIBS)

check_PROGRAMS += %D%/test-handover
%C%_test_handover_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
%C%_test_handover_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
%C%_test_handover_LDADD = $(unit_ldadd) $(JANSSON_LIBS)

TESTS += %D%/test-handover %D%/handover.sh
EXTRA_DIST += %D%/handover.sh
