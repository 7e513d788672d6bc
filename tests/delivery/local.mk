# tests/delivery: mcr deliver, receive and asset against a real sshd on
# loopback (started by the test from a temp folder) and real rsync/sftp.

TESTS += \
	%D%/deliver.sh \
	%D%/resume.sh \
	%D%/receive.sh \
	%D%/manifests.sh \
	%D%/assets-screen.sh

EXTRA_DIST += %D%/sshd.sh %D%/deliver.sh %D%/resume.sh %D%/receive.sh \
	%D%/manifests.sh %D%/assets-screen.sh
