/*
 * storage.h: what the files of the storage plugin share: its settings,
 * which reach it as the keys of its [storage] section (mcr's config hands
 * it the storage keys of [volume NAME] and [client NAME] too, as
 * "volume.NAME.key" and "client.NAME.key"), and its job kinds.
 */
#ifndef MCR_STORAGE_PLUGIN_H
#define MCR_STORAGE_PLUGIN_H

#include <stdint.h>

#include "mcr-plugin.h"

struct storage_volume_opts {
	char *name;
	char *quarantine;	/* NULL: PATH/.mcr/quarantine */
	char *layout;		/* NULL: {client}/{production} */
};

struct storage_client_opts {
	char *name;
	uint64_t quota;		/* 0: none */
};

struct storage_settings {
	long scan_rate;		/* entries a second; 0: no limit */
	int64_t hot_window_us;	/* files this recent are re-read */
	int64_t full_scan_us;	/* read every folder at least this often */
	struct storage_volume_opts *volumes;
	size_t nvolumes;
	struct storage_client_opts *clients;
	size_t nclients;
};

extern struct storage_settings storage_settings;

/* The [storage] section's keys (the plugin's config callback). */
int storage_config(const char *key, const char *value, char *err,
    size_t errlen);
const struct storage_volume_opts *storage_volume_opts(const char *name);

/* The clock: the job's now= parameter, else $MCR_NOW (both seconds since
 * the epoch, for tests only), else the real time; in µs. */
int64_t storage_now(struct mcr_job *job, const struct mcr_host *host);

/* snprintf for messages, where a long path may cut the sentence short. */
void storage_fmt(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "1.8 TiB": binary units. */
void storage_format_size(uint64_t bytes, char *buf, size_t len);

/* The job kinds beyond storage.sample. */
int storage_scan(struct mcr_job *job, const struct mcr_host *host);
int storage_purge(struct mcr_job *job, const struct mcr_host *host);
int storage_archive(struct mcr_job *job, const struct mcr_host *host);
int storage_restore(struct mcr_job *job, const struct mcr_host *host);

/* The root of the plugin's own files on a volume (the scan cache, the
 * default quarantine): PATH/.mcr. */
#define STORAGE_DOTDIR ".mcr"

#endif
