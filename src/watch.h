/*
 * watch: watch folders ([watch NAME] in mcr.ini). mcrd calls watch_tick()
 * from its timer; each top-level entry of a watch folder (a file, or a
 * folder such as a card upload) is ingested once its size, file count and
 * newest mtime have not changed for the folder's settle time. What was
 * handed on is remembered in the shift log (watch_seen), so a restarted
 * mcrd never queues the same arrival twice.
 */
#ifndef MCR_WATCH_H
#define MCR_WATCH_H

#include <stdint.h>

struct config;
struct shiftlog;
struct watch;

/* Scans the configured watch folders at most once a second (now in
 * monotonic ms); *w is created on first use. Returns how many ingest jobs
 * it queued, or -1 when the shift log refused (logged by the caller). */
int watch_tick(struct watch **w, const struct config *cfg,
    struct shiftlog *sl, int64_t now);
void watch_free(struct watch *w);

#endif
