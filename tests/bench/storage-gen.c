/*
 * storage-gen: makes the storage benchmark's tree quickly. A media-like
 * layout, ROOT/clientNN/prodNN/dayNN/rollNN/clipNNN.mov, of FANOUT^4
 * folders with PER files each; the files are sparse (ftruncate to a size
 * between 1 KiB and 1 GiB), so a million of them cost inodes, not space,
 * and they are dated AGE_DAYS back, as a volume's settled media would be.
 *
 *   storage-gen ROOT FANOUT PER AGE_DAYS
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void
need(int ok, const char *what, const char *path)
{
	if (!ok) {
		fprintf(stderr, "storage-gen: %s %s: %s\n", what, path,
		    strerror(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	static const char *const level[] = { "client", "prod", "day", "roll" };
	char path[4096];
	struct timespec ts[2];
	unsigned long long seed = 88172645463325252ULL, n = 0;
	int fanout, per, age, idx[4], d, f;

	if (argc != 5) {
		fprintf(stderr, "usage: storage-gen ROOT FANOUT PER AGE_DAYS\n");
		return 2;
	}
	fanout = atoi(argv[2]);
	per = atoi(argv[3]);
	age = atoi(argv[4]);
	ts[0].tv_sec = ts[1].tv_sec = time(NULL) - (time_t)age * 86400;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	need(mkdir(argv[1], 0755) == 0 || errno == EEXIST, "cannot create",
	    argv[1]);
	for (idx[0] = 0; idx[0] < fanout; idx[0]++)
	for (idx[1] = 0; idx[1] < fanout; idx[1]++)
	for (idx[2] = 0; idx[2] < fanout; idx[2]++)
	for (idx[3] = 0; idx[3] < fanout; idx[3]++) {
		size_t off = (size_t)snprintf(path, sizeof path, "%s", argv[1]);

		for (d = 0; d < 4; d++) {
			off += (size_t)snprintf(path + off, sizeof path - off,
			    "/%s%02d", level[d], idx[d]);
			need(mkdir(path, 0755) == 0 || errno == EEXIST,
			    "cannot create", path);
		}
		for (f = 0; f < per; f++) {
			int fd;

			snprintf(path + off, sizeof path - off, "/clip%03d.mov",
			    f);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			need(fd >= 0, "cannot create", path);
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			need(ftruncate(fd, (off_t)(1024 + seed % (1ULL << 30)))
			    == 0, "cannot size", path);
			need(futimens(fd, ts) == 0, "cannot date", path);
			close(fd);
			n++;
		}
		path[off] = '\0';
		utimensat(AT_FDCWD, path, ts, 0);
	}
	printf("%llu\n", n);
	return 0;
}
