# tests/storage: the storage duty: scans and usage, alarms and quotas, safe
# deletion with its quarantine, client access with POSIX ACLs, and the
# shift-log backup, on real folders and real shift logs.

TESTS += \
	%D%/scan.sh \
	%D%/delete.sh \
	%D%/access.sh \
	%D%/backup.sh \
	%D%/usage.sh
EXTRA_DIST += \
	%D%/scan.sh \
	%D%/delete.sh \
	%D%/access.sh \
	%D%/backup.sh \
	%D%/usage.sh
