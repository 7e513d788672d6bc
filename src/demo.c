/*
 * demo: see demo.h. demo_create makes the root, takes a lock file there
 * so that two first starts do not make the same clip at once, makes each
 * folder, then each clip that is missing. mediagen renames a clip into
 * place only when it is whole, so a clip that exists is complete and an
 * interrupted first start carries on where it stopped. Plugins link this
 * without the core library, so it uses libc and mediagen only.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "demo.h"
#include "mediagen.h"

#define DEMO_LOCK ".lock"

static const struct demo_volume volumes[] = {
	{ "production", "production", "production", 0.85, 0.95 },
	{ "nearline", "nearline", "nearline", 0.85, 0.95 },
	{ "archive", "archive", "archive", 0.85, 0.95 },
	{ "delivery", "delivery", "delivery", 0.85, 0.95 },
};

/* A line-up, the black before the programme, then the programme with
 * its loud passage, timecoded as a UK delivery lays them out. */
static const struct demo_clip clips[] = {
	{ DEMO_MEDIA_DIR "/bars_tone.mov", MEDIAGEN_BARS_TONE, 10,
	    "09:59:30:00" },
	{ DEMO_MEDIA_DIR "/black_silence.mov", MEDIAGEN_BLACK_SILENCE, 5,
	    "09:59:55:00" },
	{ DEMO_MEDIA_DIR "/loud_passage.mov", MEDIAGEN_LOUD, 10,
	    "10:00:00:00" },
};

/* Folders besides the volumes' own. */
static const char *const folders[] = {
	DEMO_WATCH_DIR,
	DEMO_MEDIA_DIR,
};

const struct demo_volume *
demo_volumes(size_t *n)
{
	*n = sizeof volumes / sizeof volumes[0];
	return volumes;
}

const struct demo_clip *
demo_clips(size_t *n)
{
	*n = sizeof clips / sizeof clips[0];
	return clips;
}

char *
demo_path(const char *root, const char *rel)
{
	size_t len = strlen(root) + 1 + strlen(rel) + 1;
	char *p = malloc(len);

	/* As xmalloc does: running out of memory is not reportable. */
	if (p == NULL)
		abort();
	snprintf(p, len, "%s/%s", root, rel);
	return p;
}

/* Creates dir and its parents (mode 0700 for new ones, as paths.c does);
 * returns 0 or -errno. */
static int
mkdir_p(char *dir)
{
	struct stat st;
	char *p, saved;

	for (p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		saved = *p;
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			*p = saved;
			return -errno;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if (stat(dir, &st) != 0)
		return -errno;
	return S_ISDIR(st.st_mode) ? 0 : -ENOTDIR;
}

/* Makes root/rel, or root itself when rel is NULL. */
static int
make_folder(const char *root, const char *rel, char *err, size_t errlen)
{
	char *dir = rel != NULL ? demo_path(root, rel) : strdup(root);
	int rc;

	if (dir == NULL)
		abort();
	if ((rc = mkdir_p(dir)) != 0)
		snprintf(err, errlen, "demo: cannot create the folder %s: %s.",
		    dir, strerror(-rc));
	free(dir);
	return rc == 0 ? 0 : -1;
}

/* Makes clip c under root unless a file is already there. */
static int
make_clip(const char *root, const struct demo_clip *c, char *err,
    size_t errlen)
{
	struct mediagen_spec spec = {
		.kind = c->kind,
		.duration = c->duration,
		.timecode = c->timecode,
	};
	struct stat st;
	char *path = demo_path(root, c->file);
	int rc = -1;

	if (stat(path, &st) == 0) {
		if (S_ISREG(st.st_mode))
			rc = 0;
		else
			snprintf(err, errlen, "demo: %s is in the way of a "
			    "demo clip; move it away.", path);
		goto out;
	}
	if (errno != ENOENT) {
		snprintf(err, errlen, "demo: cannot look at %s: %s.", path,
		    strerror(errno));
		goto out;
	}
	rc = mediagen_clip(path, &spec, err, errlen);
out:
	free(path);
	return rc;
}

int
demo_create(const char *root, char *err, size_t errlen)
{
	char *lock = NULL;
	size_t i;
	int fd = -1, rc = -1;

	if (root == NULL || *root == '\0') {
		snprintf(err, errlen, "demo: no folder was given to make the "
		    "demo facility in.");
		return -1;
	}
	if (make_folder(root, NULL, err, errlen) != 0)
		return -1;
	lock = demo_path(root, DEMO_LOCK);
	if ((fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(fd, LOCK_EX) != 0) {
		snprintf(err, errlen, "demo: cannot lock %s: %s.", lock,
		    strerror(errno));
		goto out;
	}
	for (i = 0; i < sizeof volumes / sizeof volumes[0]; i++) {
		if (make_folder(root, volumes[i].dir, err, errlen) != 0)
			goto out;
	}
	for (i = 0; i < sizeof folders / sizeof folders[0]; i++) {
		if (make_folder(root, folders[i], err, errlen) != 0)
			goto out;
	}
	for (i = 0; i < sizeof clips / sizeof clips[0]; i++) {
		if (make_clip(root, &clips[i], err, errlen) != 0)
			goto out;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(lock);
	return rc;
}
