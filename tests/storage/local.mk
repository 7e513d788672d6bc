# tests/storage: the storage duty: scans and usage, alarms and quotas, safe
# deletion with its quarantine, client access with POSIX ACLs, and the
# shift-log backup, archive and restore, on real folders and real shift
# logs.

check_PROGRAMS += %D%/test-storage-config
%C%_test_storage_config_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests
%C%_test_storage_config_LDADD = tests/libtap.la src/libmcrcore.la

TESTS += \
	%D%/test-storage-config \
	%D%/scan.sh \
	%D%/delete.sh \
	%D%/access.sh \
	%D%/backup.sh \
	%D%/usage.sh \
	%D%/archive.sh
EXTRA_DIST += \
	%D%/scan.sh \
	%D%/delete.sh \
	%D%/access.sh \
	%D%/backup.sh \
	%D%/usage.sh \
	%D%/archive.sh
