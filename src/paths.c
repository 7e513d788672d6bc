/*
 * paths: XDG base directories with the fallbacks the specification gives
 * ($HOME/.local/state, $HOME/.config, $HOME/.local/share).
 */
#include "autoconfig.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "paths.h"
#include "xmalloc.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif
#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/mcr"
#endif
#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/local/libexec/mcr"
#endif

static const char *
home(void)
{
	const char *h = getenv("HOME");
	struct passwd *pw;

	if (h != NULL && *h == '/')
		return h;
	pw = getpwuid(getuid());
	if (pw != NULL && pw->pw_dir != NULL)
		return pw->pw_dir;
	return "/";
}

/* $VAR if it is an absolute path (the specification ignores relative
 * ones), otherwise $HOME/fallback; then "/mcr" and the rest. */
static char *
xdg(const char *var, const char *fallback, const char *rest)
{
	const char *v = getenv(var);

	if (v != NULL && *v == '/')
		return xasprintf("%s/mcr%s", v, rest);
	return xasprintf("%s/%s/mcr%s", home(), fallback, rest);
}

char *
paths_state_dir(void)
{
	return xdg("XDG_STATE_HOME", ".local/state", "");
}

char *
paths_data_dir(void)
{
	return xdg("XDG_DATA_HOME", ".local/share", "");
}

char *
paths_user_config(void)
{
	return xdg("XDG_CONFIG_HOME", ".config", "/mcr.ini");
}

char *
paths_system_config(void)
{
	return xstrdup(SYSCONFDIR "/mcr/mcr.ini");
}

char *
paths_default_shiftlog(void)
{
	return xdg("XDG_STATE_HOME", ".local/state", "/shiftlog.db");
}

char *
paths_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *d;

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	d = xmalloc((size_t)(slash - path) + 1);
	memcpy(d, path, (size_t)(slash - path));
	d[slash - path] = '\0';
	return d;
}

int
paths_mkdir_p(const char *dir)
{
	char *copy = xstrdup(dir);
	char *p;
	int rc = 0;

	for (p = copy + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;

		*p = '\0';
		if (mkdir(copy, 0700) != 0 && errno != EEXIST) {
			rc = -errno;
			goto out;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	struct stat st;

	if (stat(dir, &st) != 0)
		rc = -errno;
	else if (!S_ISDIR(st.st_mode))
		rc = -ENOTDIR;
out:
	free(copy);
	return rc;
}

char *
paths_self(void)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

/* <folder of this executable>/rel, when it exists; else NULL. */
static char *
beside_self(const char *rel)
{
	char *self = paths_self(), *dir, *p = NULL;

	if (self == NULL)
		return NULL;
	dir = paths_dirname(self);
	p = xasprintf("%s/%s", dir, rel);
	if (access(p, F_OK) != 0) {
		free(p);
		p = NULL;
	}
	free(dir);
	free(self);
	return p;
}

char *
paths_plugin_dir(void)
{
	const char *env = getenv("MCR_PLUGIN_DIR");
	char *p;

	if (env != NULL && *env == '/')
		return xstrdup(env);
	/* An uninstalled build: src/mcr beside plugins/.libs. */
	if ((p = beside_self("../plugins/.libs")) != NULL)
		return p;
	return xstrdup(PKGLIBDIR);
}

char *
paths_worker(void)
{
	const char *env = getenv("MCR_WORKER");
	char *p;

	if (env != NULL && *env == '/')
		return xstrdup(env);
	if ((p = beside_self("mcr-worker")) != NULL)
		return p;
	return xstrdup(PKGLIBEXECDIR "/mcr-worker");
}
