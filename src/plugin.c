/*
 * plugin: dlopen, checked the way nbdkit checks its plugins. The folder and
 * the file must not be writable by group or others (a writable plugin is
 * code anyone could run as the daemon's user). The descriptor the plugin
 * returns is copied up to the size it declares and zero-filled beyond, so
 * an older plugin of the same ABI version still loads into a newer host.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "paths.h"
#include "config.h"
#include "plugin.h"
#include "strutil.h"
#include "xmalloc.h"

static int
check_mode(const char *path, const char *what, bool want_dir, char *err,
    size_t errlen)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		strutil_format(err, errlen, "cannot use %s %s: %s", what, path,
		    strerror(errno));
		return -1;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		strutil_format(err, errlen, "refusing %s %s: it is not a %s",
		    what, path, want_dir ? "folder" : "regular file");
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		strutil_format(err, errlen, "refusing %s %s: it is writable by "
		    "%s; run chmod go-w on it", what, path,
		    st.st_mode & S_IWOTH ? "everyone" : "its group");
		return -1;
	}
	return 0;
}

/* "/x/storage.so" -> "storage" */
static char *
base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;
	char *s;

	b = b != NULL ? b + 1 : path;
	n = strcspn(b, ".");
	s = xmalloc(n + 1);
	memcpy(s, b, n);
	s[n] = '\0';
	return s;
}

static int
check_desc(const char *path, const struct mcr_plugin *d, char *err,
    size_t errlen)
{
	const struct mcr_kind *k;
	char *base = base_name(path);
	size_t n;
	int rc = -1;

	if (d->name == NULL || d->name[0] == '\0') {
		strutil_format(err, errlen, "refusing plugin %s: it has no name",
		    path);
		goto out;
	}
	if (strcmp(d->name, base) != 0) {
		strutil_format(err, errlen, "refusing plugin %s: it calls itself "
		    "'%s'; the file must be named %s.so", path, d->name, d->name);
		goto out;
	}
	if (d->kinds == NULL || d->kinds[0].name == NULL) {
		strutil_format(err, errlen, "refusing plugin %s: it declares no "
		    "job kinds", path);
		goto out;
	}
	n = strlen(d->name);
	for (k = d->kinds; k->name != NULL; k++) {
		if (strncmp(k->name, d->name, n) != 0 || k->name[n] != '.' ||
		    k->name[n + 1] == '\0') {
			strutil_format(err, errlen, "refusing plugin %s: its "
			    "kind '%s' is not named %s.VERB", path, k->name,
			    d->name);
			goto out;
		}
		if (k->run == NULL) {
			strutil_format(err, errlen, "refusing plugin %s: kind "
			    "%s has no run callback", path, k->name);
			goto out;
		}
	}
	rc = 0;
out:
	free(base);
	return rc;
}

int
plugin_load(const char *path, struct plugin **out, char *err, size_t errlen)
{
	const struct mcr_plugin *(*entry)(void);
	const struct mcr_plugin *d;
	struct plugin *p;
	char *dir = paths_dirname(path);
	void *handle;
	size_t n;
	int rc;

	*out = NULL;
	rc = check_mode(dir, "plugin folder", true, err, errlen);
	free(dir);
	if (rc < 0 || check_mode(path, "plugin", false, err, errlen) < 0)
		return -1;
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (handle == NULL) {
		strutil_format(err, errlen, "cannot load plugin %s: %s", path,
		    dlerror());
		return -1;
	}
	*(void **)&entry = dlsym(handle, MCR_PLUGIN_ENTRY_SYMBOL);
	if (entry == NULL) {
		strutil_format(err, errlen, "refusing plugin %s: it does not "
		    "export %s()", path, MCR_PLUGIN_ENTRY_SYMBOL);
		goto fail;
	}
	d = entry();
	if (d == NULL) {
		strutil_format(err, errlen, "refusing plugin %s: %s() returned "
		    "nothing", path, MCR_PLUGIN_ENTRY_SYMBOL);
		goto fail;
	}
	if (d->abi_version != MCR_PLUGIN_ABI_VERSION) {
		strutil_format(err, errlen, "refusing plugin %s: it was built "
		    "for plugin ABI %u and this mcr speaks %d; rebuild it "
		    "against this mcr's mcr-plugin.h", path, d->abi_version,
		    MCR_PLUGIN_ABI_VERSION);
		goto fail;
	}
	if (d->size < offsetof(struct mcr_plugin, kinds) + sizeof d->kinds) {
		strutil_format(err, errlen, "refusing plugin %s: its descriptor "
		    "is %u bytes, too small for ABI %d", path, d->size,
		    MCR_PLUGIN_ABI_VERSION);
		goto fail;
	}
	p = xcalloc(1, sizeof *p);
	n = d->size < sizeof p->desc ? d->size : sizeof p->desc;
	memcpy(&p->desc, d, n);
	if (check_desc(path, &p->desc, err, errlen) < 0) {
		free(p);
		goto fail;
	}
	p->path = xstrdup(path);
	p->handle = handle;
	*out = p;
	return 0;
fail:
	dlclose(handle);
	return -1;
}

void
plugin_unload(struct plugin *p)
{
	if (p == NULL)
		return;
	dlclose(p->handle);
	free(p->path);
	free(p);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int
is_plugin_file(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 3 && d->d_name[0] != '.' &&
	    strcmp(d->d_name + n - 3, ".so") == 0;
}

int
plugin_load_dir(const char *dir, struct plugin_set *set, char *err,
    size_t errlen)
{
	struct dirent **names;
	struct plugin *p;
	char perr[512];
	int i, n;

	memset(set, 0, sizeof *set);
	if (check_mode(dir, "plugin folder", true, err, errlen) < 0) {
		set->errors = xmalloc(sizeof *set->errors);
		set->errors[set->nerrors++] = xstrdup(err);
		return -1;
	}
	n = scandir(dir, &names, is_plugin_file, by_name);
	if (n < 0) {
		strutil_format(err, errlen, "cannot read plugin folder %s: %s",
		    dir, strerror(errno));
		return -1;
	}
	for (i = 0; i < n; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]->d_name);

		if (plugin_load(path, &p, perr, sizeof perr) == 0 &&
		    plugin_find_kind(set, p->desc.kinds[0].name, NULL) != NULL) {
			strutil_format(perr, sizeof perr, "refusing plugin %s: "
			    "another plugin already runs its kinds", path);
			plugin_unload(p);
			p = NULL;
		}
		if (p != NULL) {
			set->v = xrealloc(set->v, (set->n + 1) * sizeof *set->v);
			set->v[set->n++] = p;
		} else {
			set->errors = xrealloc(set->errors,
			    (set->nerrors + 1) * sizeof *set->errors);
			set->errors[set->nerrors++] = xstrdup(perr);
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return 0;
}

void
plugin_names(const char *dir, char ***names, size_t *n)
{
	struct dirent **ents;
	int i, k;

	*names = NULL;
	*n = 0;
	k = scandir(dir, &ents, is_plugin_file, by_name);
	for (i = 0; i < k; i++) {
		*names = xrealloc(*names, (*n + 1) * sizeof **names);
		(*names)[(*n)++] = base_name(ents[i]->d_name);
		free(ents[i]);
	}
	if (k > 0)
		free(ents);
}

void
plugin_set_free(struct plugin_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		plugin_unload(set->v[i]);
	for (i = 0; i < set->nerrors; i++)
		free(set->errors[i]);
	free(set->v);
	free(set->errors);
	memset(set, 0, sizeof *set);
}

const struct mcr_kind *
plugin_find_kind(const struct plugin_set *set, const char *name,
    const struct plugin **owner)
{
	const struct mcr_kind *k;
	size_t i;

	for (i = 0; i < set->n; i++) {
		for (k = set->v[i]->desc.kinds; k->name != NULL; k++) {
			if (strcmp(k->name, name) == 0) {
				if (owner != NULL)
					*owner = set->v[i];
				return k;
			}
		}
	}
	return NULL;
}

int
plugin_check_params(const struct mcr_kind *kind, const char *const *names,
    size_t n, char *err, size_t errlen)
{
	const struct mcr_param *p;
	size_t i;

	for (i = 0; i < n; i++) {
		bool known = false;

		for (p = kind->params; p != NULL && p->name != NULL; p++)
			known = known || strcmp(p->name, names[i]) == 0;
		if (!known) {
			strutil_format(err, errlen, "%s takes no parameter '%s'; "
			    "'mcr plugins' lists its parameters", kind->name,
			    names[i]);
			return -1;
		}
	}
	for (p = kind->params; p != NULL && p->name != NULL; p++) {
		bool given = false;

		if (!p->required)
			continue;
		for (i = 0; i < n; i++)
			given = given || strcmp(p->name, names[i]) == 0;
		if (!given) {
			strutil_format(err, errlen, "%s needs the parameter "
			    "%s= (%s)", kind->name, p->name, p->help);
			return -1;
		}
	}
	return 0;
}

void
plugin_config_owners(const struct plugin_set *set, const char *dir,
    struct config *cfg)
{
	char **names = NULL;
	size_t i, k, n = 0;

	for (i = 0; i < set->n; i++) {
		if (set->v[i]->desc.config != NULL)
			config_add_owner(cfg, set->v[i]->desc.name,
			    set->v[i]->desc.config);
	}
	/* A plugin that was refused keeps its section: taken unchecked, so
	 * one bad plugin file does not make the whole config an error. */
	if (dir != NULL)
		plugin_names(dir, &names, &n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < set->n; k++) {
			if (strcmp(set->v[k]->desc.name, names[i]) == 0)
				break;
		}
		if (k == set->n)
			config_add_owner(cfg, names[i], NULL);
		free(names[i]);
	}
	free(names);
}
