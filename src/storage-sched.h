/*
 * storage-sched: what mcrd does for the storage duty on its own clock:
 * queue storage.scan every [storage] scan_every and storage.purge every
 * purge_every (one of each at a time, the first one interval after mcrd
 * starts), and back the shift log up into backup_dir every backup_every,
 * keeping the newest backup_keep copies (in a thread of mcrd, with a
 * connection of its own, recorded on the tick after it ends). mcrd calls
 * it from its tick.
 */
#ifndef MCR_STORAGE_SCHED_H
#define MCR_STORAGE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct config;
struct shiftlog;

/* now_ms is mcrd's monotonic clock; have_plugin says whether the storage
 * plugin is loaded (no jobs are queued without it; backups are taken
 * anyway). Returns true when it queued a job. */
bool storage_sched_tick(struct shiftlog *sl, const struct config *cfg,
    int64_t now_ms, bool have_plugin);

/* The file name of a scheduled backup taken at t (µs): the shift log's
 * base name without ".db", then -YYYYmmddTHHMMSSZ.db. A new string. */
char *storage_backup_name(const char *shiftlog_path, int64_t t);

#endif
