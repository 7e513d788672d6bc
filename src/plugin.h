/*
 * plugin: finding, checking and loading plugins. The only module that calls
 * dlopen. A plugin is refused, with one sentence saying why, when its file
 * or folder is group- or world-writable, it lacks the entry symbol, it
 * speaks another ABI version, or a required callback or name is missing.
 */
#ifndef MCR_PLUGIN_LOADER_H
#define MCR_PLUGIN_LOADER_H

#include <stddef.h>

#include "mcr-plugin.h"

struct plugin {
	char *path;
	void *handle;
	struct mcr_plugin desc;	/* the plugin's, zero-filled past its size */
};

struct plugin_set {
	struct plugin **v;
	size_t n;
	char **errors;		/* one sentence per refused plugin */
	size_t nerrors;
};

/* Loads the plugin at path. Returns 0, or -1 with one sentence in err. */
int plugin_load(const char *path, struct plugin **out, char *err,
    size_t errlen);
void plugin_unload(struct plugin *p);

/* Loads every *.so in dir. A refused plugin is noted in set->errors and
 * the others still load. Returns -1 (with err, also noted in set->errors)
 * only when dir itself cannot be used. */
int plugin_load_dir(const char *dir, struct plugin_set *set, char *err,
    size_t errlen);
void plugin_set_free(struct plugin_set *set);
/* The names of the plugins in dir (from their file names), without
 * loading them; new strings in a new array. */
void plugin_names(const char *dir, char ***names, size_t *n);

struct config;
/* Gives each loaded plugin its config section, and each plugin file in
 * dir that was refused (or not loaded) its section unchecked. */
void plugin_config_owners(const struct plugin_set *set, const char *dir,
    struct config *cfg);

/* The kind named name and its plugin, or NULL. */
const struct mcr_kind *plugin_find_kind(const struct plugin_set *set,
    const char *name, const struct plugin **owner);

/* Checks the n parameter names given for kind: every required one is
 * there and none is unknown. Returns 0, or -1 with one sentence in err. */
int plugin_check_params(const struct mcr_kind *kind, const char *const *names,
    size_t n, char *err, size_t errlen);

#endif
