/*
 * paths: where mcr keeps things by default, following the XDG base
 * directory rules: the shift log under $XDG_STATE_HOME/mcr, the user's
 * config at $XDG_CONFIG_HOME/mcr/mcr.ini, the demo facility under
 * $XDG_DATA_HOME/mcr.
 */
#ifndef MCR_PATHS_H
#define MCR_PATHS_H

/* Each returns a new string the caller frees. */
char *paths_state_dir(void);
char *paths_data_dir(void);
char *paths_user_config(void);
char *paths_system_config(void);
char *paths_default_shiftlog(void);

/* Where plugins and mcr-worker are: $MCR_PLUGIN_DIR / $MCR_WORKER when
 * set; else, for a binary run from its build tree, the build tree's; else
 * the installed ones. New strings. */
char *paths_plugin_dir(void);
char *paths_worker(void);
/* The running executable (/proc/self/exe); a new string. */
char *paths_self(void);

/* Creates dir and its parents with mode 0700 for the new ones; returns 0
 * or -errno. */
int paths_mkdir_p(const char *dir);
/* Returns a new string holding the folder part of path ("." if none). */
char *paths_dirname(const char *path);

#endif
