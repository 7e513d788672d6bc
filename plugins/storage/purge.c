/*
 * purge: storage.purge, the end of a deletion's retention. `mcr delete`
 * moves what it deletes into the volume's quarantine folder as
 * QUARANTINE/<deletion id>/ holding deletion.json (the id, the original
 * path, when it was deleted and when it expires, in µs since the epoch)
 * and data, the content itself. This job reads each deletion.json, and
 * removes the whole <id> folder of those that expired by the job's clock
 * (now= or $MCR_NOW in tests), then reports a "storage.purged" record and
 * an event, so the shift log marks the deletion purged and its media
 * deleted. Anything else in the quarantine folder is left alone.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage.h"

/* Removes everything under the folder open as fd (not the folder). */
static int
remove_contents(int fd, char *err, size_t errlen)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd, cfd, rc = 0;

	if ((dfd = dup(fd)) < 0 || (d = fdopendir(dfd)) == NULL) {
		if (dfd >= 0)
			close(dfd);
		storage_fmt(err, errlen, "cannot read a folder: %s",
		    strerror(errno));
		return -1;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			cfd = openat(fd, de->d_name, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
			if (cfd < 0) {
				storage_fmt(err, errlen, "cannot open %s: %s",
				    de->d_name, strerror(errno));
				rc = -1;
				break;
			}
			/* Owners may have taken write permission away. */
			fchmod(cfd, (st.st_mode & 07777) | S_IWUSR | S_IXUSR);
			rc = remove_contents(cfd, err, errlen);
			close(cfd);
			if (rc == 0 && unlinkat(fd, de->d_name, AT_REMOVEDIR) != 0) {
				storage_fmt(err, errlen, "cannot remove %s: %s",
				    de->d_name, strerror(errno));
				rc = -1;
			}
		} else if (unlinkat(fd, de->d_name, 0) != 0) {
			storage_fmt(err, errlen, "cannot remove %s: %s", de->d_name,
			    strerror(errno));
			rc = -1;
		}
	}
	closedir(d);
	return rc;
}

/* Purges QUARANTINE/name when its deletion.json says it expired. 1 when
 * purged, 0 when not yet due (or not a deletion), -1 on failure. */
static int
purge_one(struct mcr_job *job, const struct mcr_host *host, const char *vol,
    const char *qdir, const char *name, int64_t now, char *why,
    size_t whylen)
{
	char path[4096], meta[4200], msg[600], *s;
	json_t *doc, *rec;
	json_error_t jerr;
	json_int_t id, expires;
	const char *orig;
	int fd, rc;

	storage_fmt(path, sizeof path, "%s/%s", qdir, name);
	storage_fmt(meta, sizeof meta, "%s/deletion.json", path);
	if ((doc = json_load_file(meta, 0, &jerr)) == NULL)
		return 0;
	if (json_unpack(doc, "{s:I, s:s, s:I}", "id", &id, "path", &orig,
	    "expires", &expires) != 0) {
		storage_fmt(why, whylen, "%s is not a deletion record mcr wrote; "
		    "left alone", meta);
		host->log(job, why);
		json_decref(doc);
		return 0;
	}
	if (expires > now) {
		json_decref(doc);
		return 0;
	}
	if (!host->path_allowed(job, path, 1)) {
		storage_fmt(why, whylen, "deletion %lld at %s lies outside every "
		    "volume; not purged", (long long)id, path);
		json_decref(doc);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		storage_fmt(why, whylen, "cannot open %s: %s", path, strerror(errno));
		json_decref(doc);
		return -1;
	}
	rc = remove_contents(fd, msg, sizeof msg);
	close(fd);
	if (rc == 0 && rmdir(path) != 0) {
		storage_fmt(msg, sizeof msg, "cannot remove %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		storage_fmt(why, whylen, "deletion %lld (%s) could not be purged: %s",
		    (long long)id, orig, msg);
		host->event(job, "error", "storage.purge", orig, why);
		json_decref(doc);
		return -1;
	}
	rec = json_pack("{s:I, s:s, s:s, s:s}", "id", id, "path", orig,
	    "volume", vol, "quarantine", path);
	if (rec != NULL && (s = json_dumps(rec, JSON_COMPACT)) != NULL) {
		host->record(job, "storage.purged", s);
		free(s);
	}
	json_decref(rec);
	storage_fmt(msg, sizeof msg, "deletion %lld purged from the quarantine of "
	    "volume %s: %s is gone for good", (long long)id, vol, orig);
	host->event(job, "notice", "storage.purge", orig, msg);
	json_decref(doc);
	return 1;
}

int
storage_purge(struct mcr_job *job, const struct mcr_host *host)
{
	const struct mcr_volume *vols;
	size_t n = host->volumes(job, &vols), i;
	int64_t now = storage_now(job, host);
	long purged = 0, failed = 0, waiting = 0;
	char why[800] = "", first[800] = "", qdir[4096], *s;
	json_t *r;

	if (now < 0) {
		host->fail(job, "now= is not a time in seconds since the epoch");
		return MCR_JOB_FAILED;
	}
	for (i = 0; i < n; i++) {
		const struct storage_volume_opts *vo =
		    storage_volume_opts(vols[i].name);
		struct dirent *de;
		DIR *d;

		if (vo != NULL && vo->quarantine != NULL)
			storage_fmt(qdir, sizeof qdir, "%s", vo->quarantine);
		else
			storage_fmt(qdir, sizeof qdir, "%s/%s/quarantine",
			    vols[i].path, STORAGE_DOTDIR);
		if ((d = opendir(qdir)) == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			int rc;

			if (de->d_name[0] == '.')
				continue;
			if (host->cancelled(job)) {
				closedir(d);
				return MCR_JOB_CANCELLED;
			}
			rc = purge_one(job, host, vols[i].name, qdir, de->d_name,
			    now, why, sizeof why);
			if (rc > 0)
				purged++;
			else if (rc < 0) {
				failed++;
				host->log(job, why);
				if (first[0] == '\0')
					storage_fmt(first, sizeof first, "%s", why);
			} else
				waiting++;
		}
		closedir(d);
	}
	r = json_pack("{s:i, s:i, s:i}", "purged", (int)purged, "failed",
	    (int)failed, "waiting", (int)waiting);
	if (r == NULL || (s = json_dumps(r, JSON_COMPACT)) == NULL)
		abort();
	host->result(job, s);
	free(s);
	json_decref(r);
	if (failed > 0) {
		host->fail(job, first);
		return MCR_JOB_FAILED;
	}
	return MCR_JOB_DONE;
}
