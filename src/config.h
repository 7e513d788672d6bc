/*
 * config: mcr.ini, read with inih. Files are layered: the system file
 * (SYSCONFDIR/mcr/mcr.ini), then $XDG_CONFIG_HOME/mcr/mcr.ini, then the one
 * named by --config; a later file overrides a key an earlier one set. With
 * no file at all the embedded defaults stand, with the demo facility's four
 * volumes under $XDG_DATA_HOME/mcr/demo. Every section has an owner in
 * the table in config.c; an unknown section or key, or a bad value, is an
 * error that names file:line.
 */
#ifndef MCR_CONFIG_H
#define MCR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_FILES 3
#define CONFIG_MAX_TIMES 12

/* [volume NAME]: a storage volume mcr watches and may write to. */
struct config_volume {
	char *name;
	char *path;
	char *role;		/* production, nearline, archive, delivery */
	double warn;		/* used fraction that warns, 0..1 */
	double crit;		/* used fraction that is critical */
	char *where;		/* "file:line" of its first key, for errors */
	/* Storage (plugins/storage, mcr delete): where deleted content
	 * waits, how long, and which folders name clients. */
	char *quarantine;	/* NULL: PATH/.mcr/quarantine */
	long long retention_s;	/* quarantine before the purge */
	char *layout;		/* "{client}/{production}" */
};

/* [client NAME]: a client of the facility. */
struct config_client {
	char *name;
	char *group;		/* its Unix group (mcr access); NULL: NAME */
	unsigned long long quota;	/* bytes over all volumes; 0: none */
};

/* [storage]: the storage duty's rules. */
struct config_storage {
	int scan_rate;		/* files and folders a second; 0: no limit */
	int hot_window_ms;	/* files this recent are re-read each scan */
	long long full_scan_s;	/* a scan reads every folder this often */
	int copies;		/* verified copies elsewhere before delete */
	bool two_person;	/* the authoriser is not the requester */
	bool forbid_override;	/* refuse mcr delete --fewer-copies */
	int scan_every_ms;	/* mcrd queues storage.scan; 0: never */
	int purge_every_ms;	/* mcrd queues storage.purge; 0: never */
	char *backup_dir;	/* mcrd backs the shift log up here */
	int backup_every_ms;	/* 0: never */
	int backup_keep;	/* backups kept in backup_dir */
};

/* [destination NAME]: where mcr deliver sends (the transfer plugin). The
 * file holds no secret: key and known_hosts are paths, and a key file
 * that others may read is refused when the destination is used. */
struct config_destination {
	char *name;
	char *type;		/* local, rsync, sftp, rclone */
	char *path;		/* the folder there */
	char *host;
	int port;		/* 0: 22 */
	char *user;
	char *key;		/* SSH private key file */
	char *known_hosts;	/* the file holding the far side's host key */
	long bwlimit;		/* KiB/s; 0: no limit */
	char *window;		/* "20:00-06:00" local time; NULL: always */
	char *verify;		/* checksum, size, none */
	char *hash;		/* "xxh128,md5": what each file is hashed
				 * with as it is read; NULL: xxh128 */
	char *rclone_config;	/* rclone.conf for type rclone */
	char *where;		/* "file:line" of its first key */
};

/* [kind NAME]: limits for one job kind ("storage.sample"). */
struct config_kind {
	char *name;
	int limit;		/* at most this many running; 0: no limit */
	int timeout_ms;		/* 0: none */
};

/* [watch NAME]: a folder mcrd ingests from once an arrival has settled. */
struct config_watch {
	char *name;
	char *path;
	char *client;
	char *production;
	char *to;		/* destinations as for mcr ingest --to */
	char *template;		/* naming template's name, or NULL */
	int settle_ms;		/* unchanged this long before ingest */
};

/* The owner of a section that a plugin brings ([NAME]). */
typedef int (*config_owner_fn)(const char *key, const char *value,
    char *err, size_t errlen);

struct config {
	char *site_name;	/* [site] name */
	char *shiftlog_path;	/* [shiftlog] path; NULL = per-user default */
	int busy_timeout_ms;	/* [shiftlog] busy_timeout */

	/* [mcrd] */
	int workers;		/* worker processes at once */
	int grace_ms;		/* cancel and shutdown: SIGTERM, then SIGKILL */
	int retries;		/* further attempts for retry-safe kinds */
	int retry_backoff_ms;	/* first back-off; doubles each attempt */
	int storage_sample_ms;	/* storage.sample every ...; 0: never */
	int poll_ms;		/* how often the daemon checks for requests */

	/* [shift] times and [digest]: minutes after local midnight. */
	int shift_times[CONFIG_MAX_TIMES];
	size_t nshift_times;
	int digest_times[CONFIG_MAX_TIMES];
	size_t ndigest_times;
	bool digest_at_shift_change;	/* "shift" in [digest] times */
	char *digest_file;	/* strftime(3) pattern; NULL: no file */
	char *digest_mail;	/* a command that reads a mail on stdin */
	char *digest_to;	/* its To: */

	struct config_volume *volumes;
	size_t nvolumes;
	struct config_kind *kinds;
	size_t nkinds;
	struct config_watch *watches;
	size_t nwatches;
	struct config_client *clients;
	size_t nclients;
	struct config_storage storage;
	struct config_destination *destinations;
	size_t ndestinations;

	struct {
		char *name;
		config_owner_fn set;
	} *owners;
	size_t nowners;
	/* What the owners' sections held, to hand to a worker. */
	struct config_entry {
		char *section;
		char *key;
		char *value;
	} *entries;
	size_t nentries;

	char *files[CONFIG_MAX_FILES];	/* the files read, in order */
	size_t nfiles;
};

/* Returns a config holding the embedded defaults; free with config_free. */
struct config *config_new(void);
void config_free(struct config *cfg);

/* Reads the system file and the user file when they exist, then explicit
 * (which must exist) when it is not NULL. On error returns -1 with one
 * sentence in err naming file:line; cfg then holds what was read before. */
int config_load(struct config *cfg, const char *explicit_path, char *err,
    size_t errlen);
/* Reads one file into cfg; returns 0, or -1 with err set. */
int config_load_file(struct config *cfg, const char *path, char *err,
    size_t errlen);
/* Reads INI text (for tests and the embedded default); name labels errors. */
int config_load_string(struct config *cfg, const char *text, const char *name,
    char *err, size_t errlen);

/* Hands section [name] to a plugin's handler; call before loading. A
 * NULL handler accepts the section's keys unchecked (a plugin that this
 * process does not load). */
void config_add_owner(struct config *cfg, const char *name,
    config_owner_fn set);
/* Adds a volume as [volume NAME] would (for a config passed to a worker
 * rather than read from files). */
void config_add_volume(struct config *cfg, const char *name, const char *path,
    const char *role, double warn, double crit);
/* The limits of kind, or NULL when the config sets none. */
const struct config_kind *config_kind(const struct config *cfg,
    const char *kind);

/* The [client NAME] section, or NULL. */
const struct config_client *config_client(const struct config *cfg,
    const char *name);
/* The quarantine folder of a volume; a new string. */
char *config_quarantine(const struct config_volume *v);
/* [destination NAME], or NULL. */
const struct config_destination *config_destination(const struct config *cfg,
    const char *name);

/* The shift log path the config selects: [shiftlog] path or the default.
 * Returns a new string. */
char *config_shiftlog_path(const struct config *cfg);

#endif
