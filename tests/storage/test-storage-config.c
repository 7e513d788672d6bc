/*
 * test-storage-config: the storage duty's config keys ([storage],
 * [client NAME], and quarantine, retention and layout in [volume NAME]):
 * their values and defaults, that they are handed to the storage plugin
 * as entries of its section, and a table of bad values whose errors name
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
	{ "[storage]\ncopies = many\n", "s.ini:2: copies 'many' is not a whole "
	    "number from 0 to 100" },
	{ "[storage]\ntwo_person = maybe\n", "s.ini:2: two_person 'maybe' is "
	    "neither yes nor no" },
	{ "[storage]\nscan_rate = -5\n", "s.ini:2: scan_rate '-5'" },
	{ "[storage]\nbackup_dir = backups\n", "s.ini:2: backup_dir 'backups' "
	    "is not absolute" },
	{ "[storage]\nfull_scan = 3w\n", "s.ini:2: full_scan '3w' is not a "
	    "period" },
	{ "[storage]\nquota = 1T\n", "s.ini:2: unknown key 'quota' in "
	    "[storage]" },
	{ "[storage x]\ncopies = 1\n", "s.ini:2: section [storage x] takes no "
	    "name" },
	{ "[client]\nquota = 1T\n", "s.ini:2: section [client] needs a name" },
	{ "[client ACME]\nquota = lots\n", "s.ini:2: quota 'lots' is not a "
	    "size" },
	{ "[client ACME]\ncolour = red\n", "s.ini:2: unknown key 'colour' in "
	    "[client ACME]" },
	{ "[volume p]\npath = /p\nretention = 4000d\n", "s.ini:3: retention "
	    "'4000d' is not a period" },
	{ "[volume p]\npath = /p\nquarantine = q\n", "s.ini:3: quarantine 'q' "
	    "is not absolute" },
	{ "[volume p]\npath = /p\nlayout = {production}\n", "s.ini:3: layout "
	    "'{production}' is not a layout" },
	{ "[volume p]\npath = /p\nlayout = /{client}\n", "s.ini:3: layout" },
};

static const char *
entry(const struct config *cfg, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < cfg->nentries; i++) {
		if (strcmp(cfg->entries[i].section, "storage") == 0 &&
		    strcmp(cfg->entries[i].key, key) == 0)
			v = cfg->entries[i].value;
	}
	return v;
}

int
main(void)
{
	struct config *cfg = config_new();
	const struct config_client *c;
	char err[640], *q;
	size_t i;
	int rc;

	tap_ok(cfg->storage.copies == 2 && cfg->storage.two_person &&
	    !cfg->storage.forbid_override, "defaults: 2 copies, two people, "
	    "override allowed");
	tap_ok(cfg->storage.scan_rate == 20000, "default scan rate 20000/s");
	tap_ok(cfg->storage.backup_dir == NULL, "no scheduled backup by default");
	rc = config_load_string(cfg,
	    "[volume prod]\npath = /srv/prod\nretention = 14d\n"
	    "quarantine = /srv/prod/.q\nlayout = jobs/{client}/*/{production}\n"
	    "[volume near]\npath = /srv/near\n"
	    "[storage]\ncopies = 3\ntwo_person = no\nforbid_override = yes\n"
	    "scan_rate = 0\nscan_every = 30m\nhot_window = 2h\nfull_scan = 1d\n"
	    "purge_every = 10m\nbackup_dir = /srv/bk\nbackup_every = 15m\n"
	    "backup_keep = 5\n"
	    "[client ACME]\ngroup = acme-rw\nquota = 1.5T\n"
	    "[client Beta]\nquota = 750M\n", "s.ini", err, sizeof err);
	tap_ok(rc == 0, "every storage key loads (%s)", rc == 0 ? "ok" : err);
	tap_ok(cfg->volumes[0].retention_s == 14 * 86400, "retention 14d");
	tap_ok(cfg->volumes[1].retention_s == 30 * 86400, "default retention "
	    "30d");
	q = config_quarantine(&cfg->volumes[0]);
	tap_ok(strcmp(q, "/srv/prod/.q") == 0, "quarantine as set");
	free(q);
	q = config_quarantine(&cfg->volumes[1]);
	tap_ok(strcmp(q, "/srv/near/.mcr/quarantine") == 0, "default "
	    "quarantine under .mcr (%s)", q);
	free(q);
	tap_ok(strcmp(cfg->volumes[0].layout, "jobs/{client}/*/{production}")
	    == 0, "layout");
	tap_ok(cfg->storage.copies == 3 && !cfg->storage.two_person &&
	    cfg->storage.forbid_override, "copies, two_person, "
	    "forbid_override");
	tap_ok(cfg->storage.scan_rate == 0 && cfg->storage.scan_every_ms ==
	    1800000, "scan_rate, scan_every");
	tap_ok(cfg->storage.hot_window_ms == 7200000 &&
	    cfg->storage.full_scan_s == 86400, "hot_window, full_scan");
	tap_ok(cfg->storage.purge_every_ms == 600000, "purge_every");
	tap_ok(strcmp(cfg->storage.backup_dir, "/srv/bk") == 0 &&
	    cfg->storage.backup_every_ms == 900000 &&
	    cfg->storage.backup_keep == 5, "backup_dir, backup_every, "
	    "backup_keep");
	c = config_client(cfg, "ACME");
	tap_ok(c != NULL && strcmp(c->group, "acme-rw") == 0, "client group");
	tap_ok(c != NULL && c->quota == 1649267441664ULL, "quota 1.5T in "
	    "binary units");
	c = config_client(cfg, "Beta");
	tap_ok(c != NULL && c->group == NULL && c->quota == 786432000ULL,
	    "quota 750M; group defaults to the name");
	tap_ok(config_client(cfg, "Gamma") == NULL, "an unknown client");
	/* What the storage plugin receives. */
	tap_ok(entry(cfg, "copies") != NULL && strcmp(entry(cfg, "copies"),
	    "3") == 0, "[storage] keys reach the plugin");
	tap_ok(entry(cfg, "client.ACME.quota") != NULL &&
	    strcmp(entry(cfg, "client.ACME.quota"), "1.5T") == 0,
	    "client keys reach it as client.NAME.key");
	tap_ok(entry(cfg, "volume.prod.layout") != NULL,
	    "volume keys reach it as volume.NAME.key");
	tap_ok(entry(cfg, "volume.prod.path") == NULL, "but not path, which "
	    "the worker has already");
	rc = config_load_string(cfg, "[storage]\ncopies = 0\n", "t2.ini", err,
	    sizeof err);
	tap_ok(rc == 0 && cfg->storage.copies == 0, "a later file overrides "
	    "a key");
	tap_ok(strcmp(entry(cfg, "copies"), "0") == 0, "and the plugin sees "
	    "the later value");
	config_free(cfg);

	cfg = config_new();
	rc = config_load_string(cfg, "[client ACME]\nquota = 2048\n", "b.ini",
	    err, sizeof err);
	tap_ok(rc == 0 && config_client(cfg, "ACME")->quota == 2048, "a quota "
	    "in bytes");
	config_free(cfg);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cfg = config_new();
		rc = config_load_string(cfg, bad[i].text, "s.ini", err,
		    sizeof err);
		tap_ok(rc < 0 && strstr(err, bad[i].want) != NULL,
		    "refused: %s", bad[i].want);
		if (rc == 0 || strstr(err, bad[i].want) == NULL)
			tap_diag("got: %s", rc < 0 ? err : "(accepted)");
		config_free(cfg);
	}
	return tap_done();
}
