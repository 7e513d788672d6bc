# tests/storage: the storage duty: scans and usage, alarms and quotas, safe
# deletion with its quarantine, client access with POSIX ACLs, and the
# shift-log backup, on real folders and real shift logs.

TESTS += \
	%D%/scan.sh
EXTRA_DIST += \
	%D%/scan.sh
