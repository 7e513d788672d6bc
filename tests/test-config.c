/*
 * test-config: the embedded defaults, every key, the layering of the user
 * file and --config, and a table of bad files whose errors must name
 * file:line and say what was wrong.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"
#include "xmalloc.h"

static const struct {
	const char *text;
	const char *want;	/* substring of the error */
} bad[] = {
	{ "[nosuch]\nkey = 1\n", "t.ini:2: unknown section [nosuch]" },
	{ "[site]\ncolour = red\n", "t.ini:2: unknown key 'colour' in [site]" },
	{ "name = x\n", "t.ini:1: key 'name' is outside any [section]" },
	{ "[site]\n\n; c\nname =\n", "t.ini:4: name is empty" },
	{ "[site]\nname = caf\xe9\n", "t.ini:2: name is not valid UTF-8" },
	{ "[shiftlog]\npath = relative/log.db\n",
	    "t.ini:2: path 'relative/log.db' is not absolute" },
	{ "[shiftlog]\nbusy_timeout = soon\n",
	    "t.ini:2: busy_timeout 'soon' is not a duration" },
	{ "[shiftlog]\nbusy_timeout = 25h\n", "t.ini:2: busy_timeout '25h'" },
	{ "[mcrd]\nworkers = 0\n", "t.ini:2: workers '0' is not a whole "
	    "number from 1 to 256" },
	{ "[mcrd]\ngrace = soon\n", "t.ini:2: grace 'soon' is not a duration" },
	{ "[mcrd]\npoll = 1ms\n", "t.ini:2: poll '1ms' is outside" },
	{ "[volume]\npath = /srv\n", "t.ini:2: section [volume] needs a name" },
	{ "[volume prod]\npath = srv\n", "t.ini:2: path 'srv' is not absolute" },
	{ "[volume prod]\nrole = scratch\n", "t.ini:2: role 'scratch' is not "
	    "one of" },
	{ "[volume prod]\nwarn = 120\n", "t.ini:2: warn '120' is not a "
	    "percentage" },
	{ "[volume prod]\nsize = 3\n", "t.ini:2: unknown key 'size' in "
	    "[volume prod]" },
	{ "[kind storage]\nlimit = 1\n", "t.ini:2: [kind storage] is not a job "
	    "kind" },
	{ "[kind storage.sample]\nlimit = x\n", "t.ini:2: limit 'x'" },
	{ "[shiftlog]\nbusy_timeout = -1\n", "t.ini:2: busy_timeout '-1'" },
	{ "[site]\nthis line has no equals sign\n",
	    "t.ini:2: not a '[section]' or 'key = value' line" },
	{ "[site\nname = x\n", "t.ini:1: not a '[section]'" },
	{ "[site main]\nname = x\n", "t.ini:2: section [site main] takes no "
	    "name" },
	{ "[site]\nname = ok\n[shiftlog]\nbogus = 1\n",
	    "t.ini:4: unknown key 'bogus' in [shiftlog]" },
};

static char *
write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", path);
		exit(99);
	}
	return path;
}

int
main(void)
{
	const char *tmp = tap_tmpdir();
	struct config *cfg;
	char err[640], *path, *user, *explicit, *xdg;
	size_t i;

	xdg = xasprintf("%s/xdg", tmp);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("XDG_STATE_HOME", tmp, 1);

	cfg = config_new();
	tap_is_str(cfg->site_name, "mcr", "default site name");
	tap_is_int(cfg->busy_timeout_ms, 5000, "default busy timeout");
	path = config_shiftlog_path(cfg);
	{
		char *want = xasprintf("%s/mcr/shiftlog.db", tmp);

		tap_is_str(path, want, "default shift log under "
		    "$XDG_STATE_HOME/mcr");
		free(want);
	}
	free(path);
	tap_is_int(config_load(cfg, NULL, err, sizeof err), 0,
	    "no config file at all is fine");
	tap_is_int((int64_t)cfg->nfiles, 0, "and reads nothing");
	config_free(cfg);

	cfg = config_new();
	tap_is_int(config_load_string(cfg, "# a comment\n[site]\n"
	    "name = Soho MCR ; inline\n[shiftlog]\npath = /srv/mcr/log.db\n"
	    "busy_timeout = 750ms\n", "t.ini", err, sizeof err), 0,
	    "a full config loads");
	tap_is_str(cfg->site_name, "Soho MCR", "site name, inline comment cut");
	tap_is_str(cfg->shiftlog_path, "/srv/mcr/log.db", "shift log path");
	tap_is_int(cfg->busy_timeout_ms, 750, "busy_timeout in ms");
	config_load_string(cfg, "[shiftlog]\nbusy_timeout = 2s\n", "t.ini",
	    err, sizeof err);
	tap_is_int(cfg->busy_timeout_ms, 2000, "busy_timeout in s");
	config_load_string(cfg, "[shiftlog]\nbusy_timeout = 1m\n", "t.ini",
	    err, sizeof err);
	tap_is_int(cfg->busy_timeout_ms, 60000, "busy_timeout in m");
	config_load_string(cfg, "[shiftlog]\nbusy_timeout = 300\n", "t.ini",
	    err, sizeof err);
	tap_is_int(cfg->busy_timeout_ms, 300, "busy_timeout bare ms");
	setenv("HOME", "/home/op", 1);
	config_load_string(cfg, "[shiftlog]\npath = ~/mcr/log.db\n", "t.ini",
	    err, sizeof err);
	tap_is_str(cfg->shiftlog_path, "/home/op/mcr/log.db", "~/ expands");
	config_free(cfg);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg = config_new();
		err[0] = '\0';
		tap_ok(config_load_string(cfg, bad[i].text, "t.ini", err,
		    sizeof err) < 0, "bad config %zu is refused", i);
		tap_contains(err, bad[i].want, "bad config %zu: error names "
		    "file:line and the fault", i);
		config_free(cfg);
	}

	cfg = config_new();
	tap_is_int(config_load_string(cfg, "[mcrd]\nworkers = 4\ngrace = 2s\n"
	    "retries = 1\nretry_backoff = 1s\nstorage_sample = 0\npoll = 100ms\n"
	    "[volume prod]\npath = /srv/prod\nrole = nearline\nwarn = 70%\n"
	    "crit = 90\n[kind storage.sample]\nlimit = 1\ntimeout = 10m\n",
	    "t.ini", err, sizeof err), 0, "[mcrd], [volume] and [kind] load");
	tap_is_int(cfg->workers, 4, "workers");
	tap_is_int(cfg->grace_ms, 2000, "grace");
	tap_is_int(cfg->retries, 1, "retries");
	tap_is_int(cfg->retry_backoff_ms, 1000, "retry_backoff");
	tap_is_int(cfg->storage_sample_ms, 0, "storage_sample 0 turns it off");
	tap_is_int(cfg->poll_ms, 100, "poll");
	tap_is_int((int64_t)cfg->nvolumes, 1, "one volume");
	tap_is_str(cfg->volumes[0].path, "/srv/prod", "its path");
	tap_is_str(cfg->volumes[0].role, "nearline", "its role");
	tap_is_int((int64_t)(cfg->volumes[0].warn * 100 + 0.5), 70, "warn %%");
	tap_is_int((int64_t)(cfg->volumes[0].crit * 100 + 0.5), 90, "crit");
	tap_is_str(cfg->volumes[0].where, "t.ini:9", "where it was defined");
	tap_ok(config_kind(cfg, "storage.sample") != NULL &&
	    config_kind(cfg, "storage.sample")->limit == 1 &&
	    config_kind(cfg, "storage.sample")->timeout_ms == 600000,
	    "[kind] limit and timeout");
	tap_ok(config_kind(cfg, "qc.run") == NULL, "an unconfigured kind");
	config_free(cfg);

	/* Layering: the user file, then --config overriding one key. */
	if (system("mkdir -p \"$XDG_CONFIG_HOME/mcr\"") != 0)
		tap_diag("mkdir failed");
	{
		char *dir = xasprintf("%s/mcr", xdg);

		user = write_file(dir, "mcr.ini", "[site]\nname = User MCR\n"
		    "[shiftlog]\nbusy_timeout = 1s\n");
		free(dir);
	}
	explicit = write_file(tmp, "explicit.ini", "[site]\nname = Night\n");
	cfg = config_new();
	tap_is_int(config_load(cfg, explicit, err, sizeof err), 0,
	    "user file and --config load");
	tap_is_str(cfg->site_name, "Night", "--config overrides the user file");
	tap_is_int(cfg->busy_timeout_ms, 1000, "the user file's other keys "
	    "stand");
	tap_is_int((int64_t)cfg->nfiles, 2, "two files were read");
	tap_is_str(cfg->files[0], user, "the user file first");
	tap_is_str(cfg->files[1], explicit, "--config last");
	config_free(cfg);

	cfg = config_new();
	free(explicit);
	explicit = xasprintf("%s/missing.ini", tmp);
	tap_ok(config_load(cfg, explicit, err, sizeof err) < 0,
	    "a missing --config file is an error");
	tap_contains(err, "missing.ini: cannot read the config file", "and "
	    "says which file");
	config_free(cfg);

	cfg = config_new();
	free(explicit);
	explicit = write_file(tmp, "bad.ini", "[site]\nname = ok\n\n"
	    "[shiftlog]\npath = nope\n");
	tap_ok(config_load(cfg, explicit, err, sizeof err) < 0,
	    "a bad --config file is an error");
	{
		char *want = xasprintf("%s:5: path 'nope'", explicit);

		tap_contains(err, want, "naming its full path and line");
		free(want);
	}
	config_free(cfg);
	free(explicit);
	free(user);
	free(xdg);
	return tap_done();
}
