/*
 * config: mcr.ini, read with inih. Files are layered: the system file
 * (SYSCONFDIR/mcr/mcr.ini), then $XDG_CONFIG_HOME/mcr/mcr.ini, then the one
 * named by --config; a later file overrides a key an earlier one set. With
 * no file at all the embedded defaults stand. Every section has an owner in
 * the table in config.c; an unknown section or key, or a bad value, is an
 * error that names file:line.
 */
#ifndef MCR_CONFIG_H
#define MCR_CONFIG_H

#include <stddef.h>

#define CONFIG_MAX_FILES 3

struct config {
	char *site_name;	/* [site] name */
	char *shiftlog_path;	/* [shiftlog] path; NULL = per-user default */
	int busy_timeout_ms;	/* [shiftlog] busy_timeout */

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

/* The shift log path the config selects: [shiftlog] path or the default.
 * Returns a new string. */
char *config_shiftlog_path(const struct config *cfg);

#endif
