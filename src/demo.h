/*
 * demo: the demo facility mcr runs on when it has no config. Under one
 * root folder it lays out four volumes as folders (production, nearline,
 * archive, delivery), a watch folder, and a client's production with a
 * few short clips made by mediagen, so that jobs have real media to work
 * on. The tables say what is where; the caller turns them into volumes
 * and jobs. Part of the shared media helper: no shift log, no UI.
 */
#ifndef MCR_DEMO_H
#define MCR_DEMO_H

#include <stddef.h>

#include "mediagen.h"

/* Under the root: the watch folder, and where the clips are. */
#define DEMO_WATCH_DIR "production/watch"
#define DEMO_MEDIA_DIR "production/clients/DemoClient/DemoProduction"

/* A volume of the demo facility, as [volume NAME] would configure it. */
struct demo_volume {
	const char *name;
	const char *role;	/* production, nearline, archive, delivery */
	const char *dir;	/* under the root */
	double warn;		/* used fraction that warns */
	double crit;		/* used fraction that is critical */
};

/* A clip of the demo facility. */
struct demo_clip {
	const char *file;	/* under the root */
	enum mediagen_kind kind;
	double duration;	/* seconds */
	const char *timecode;	/* start timecode */
};

/* The volumes and the clips, in order; *n gets how many. Static tables. */
const struct demo_volume *demo_volumes(size_t *n);
const struct demo_clip *demo_clips(size_t *n);

/* Returns root/rel as a new string the caller frees. */
char *demo_path(const char *root, const char *rel);

/* Makes the folders and the clips under root that are not there yet; a
 * second call finds everything in place and changes nothing. Concurrent
 * callers take turns. Returns 0, or -1 with one sentence in err. */
int demo_create(const char *root, char *err, size_t errlen);

#endif
