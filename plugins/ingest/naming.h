/*
 * naming: where an ingested file goes. A template such as
 * "{client}/{production}/{date:%Y%m%d}/{reel}/{path}" is expanded for each
 * file; the folders before the first per-file variable ({path}, {name},
 * {stem}, {ext}) are the ASC MHL root of the copy. Each path component is
 * then cleaned of characters that storage or client systems refuse, and
 * names that two files would share get a numbered suffix, as configured.
 */
#ifndef MCR_INGEST_NAMING_H
#define MCR_INGEST_NAMING_H

#include <stddef.h>
#include <time.h>

#define NAMING_DEFAULT_TEMPLATE \
	"{client}/{production}/{date:%Y%m%d}/{reel}/{path}"

struct naming_vars {
	const char *client;
	const char *production;
	const char *reel;	/* the card or folder name */
	const char *path;	/* the file's path inside its source folder */
	const char *job;	/* the job number as text */
	time_t when;		/* the ingest's start, for {date:FMT} */
};

/* Expands tmpl into root (the MHL root, relative to the volume, may be
 * "") and rel (the file's path under root). Returns 0, or -1 with one
 * sentence in err (an unknown variable, an absolute or empty result). */
int naming_expand(const char *tmpl, const struct naming_vars *v, char *root,
    size_t rootlen, char *rel, size_t rellen, char *err, size_t errlen);

/* Checks a template once: its variables are known. */
int naming_check(const char *tmpl, char *err, size_t errlen);

enum naming_illegal { NAMING_REPLACE = 0, NAMING_FAIL };

/* Cleans every '/'-separated component of in into out: control
 * characters, \ : * ? " < > |, bytes that are not UTF-8, trailing dots
 * and spaces, and the names "." and ".." are replaced by replacement (or,
 * with NAMING_FAIL, refused). Returns 0 when nothing changed, 1 when
 * something did, -1 with one sentence in err. */
int naming_clean(const char *in, enum naming_illegal mode,
    const char *replacement, char *out, size_t outlen, char *err,
    size_t errlen);

/* A set of the destination paths a job has handed out. */
struct naming_set;
struct naming_set *naming_set_new(void);
/* Adds path; 0 when it was free, 1 when it was taken already. */
int naming_set_add(struct naming_set *s, const char *path);
void naming_set_free(struct naming_set *s);

/* path with "_N" before its extension ("A/clip_2.mov"). */
int naming_suffix(const char *path, unsigned n, char *out, size_t outlen);

#endif
