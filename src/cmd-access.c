/*
 * mcr access: client access to their folders, with POSIX ACLs (libacl).
 * Each client has a Unix group ([client NAME] group, default NAME).
 * `grant CLIENT PATH` walks PATH (not following symbolic links, not
 * leaving its filesystem): every entry gets the client's group as owning
 * group and a named-group ACL entry (rwX, or r-X with --read-only), and
 * every folder the same entry in its default ACL, so what is written
 * there later inherits it; the mask is recomputed. `revoke CLIENT PATH`
 * removes the group's named entries, access and default, and takes the
 * group permission bits away where the client's group owns the entry.
 * Both record who did it, for which client, where, and how many entries
 * changed, as a storage.access event. `show PATH` prints the owner, the
 * group and both ACLs, and the configured clients that can reach it.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <jansson.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <acl/libacl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

struct change {
	gid_t gid;
	bool grant, read_only;
	dev_t dev;
	long entries;
	char err[600];
};

static struct change *change_ctx;	/* nftw passes no argument */

/* The named-group entry of gid in acl, or NULL. */
static acl_entry_t
find_group(acl_t acl, gid_t gid, bool *found)
{
	acl_entry_t e;
	acl_tag_t tag;
	int which = ACL_FIRST_ENTRY;

	*found = false;
	while (acl_get_entry(acl, which, &e) == 1) {
		which = ACL_NEXT_ENTRY;
		if (acl_get_tag_type(e, &tag) == 0 && tag == ACL_GROUP) {
			gid_t *q = acl_get_qualifier(e);
			bool match = q != NULL && *q == gid;

			acl_free(q);
			if (match) {
				*found = true;
				return e;
			}
		}
	}
	return NULL;
}

static int
set_perms(acl_entry_t e, bool r, bool w, bool x)
{
	acl_permset_t ps;

	if (acl_get_permset(e, &ps) != 0 || acl_clear_perms(ps) != 0)
		return -1;
	if ((r && acl_add_perm(ps, ACL_READ) != 0) ||
	    (w && acl_add_perm(ps, ACL_WRITE) != 0) ||
	    (x && acl_add_perm(ps, ACL_EXECUTE) != 0))
		return -1;
	return acl_set_permset(e, ps);
}

/* Grants or revokes gid in one ACL of path (type access or default). */
static int
edit_acl(const char *path, acl_type_t type, const struct change *c,
    bool dir, const struct stat *st)
{
	acl_t acl = acl_get_file(path, type);
	acl_entry_t e;
	bool found;
	int rc = -1;

	if (acl == NULL)
		return -1;
	/* An empty default ACL needs the three base entries first. */
	if (type == ACL_TYPE_DEFAULT && acl_entries(acl) == 0) {
		acl_free(acl);
		if ((acl = acl_from_mode(st->st_mode)) == NULL)
			return -1;
	}
	e = find_group(acl, c->gid, &found);
	if (c->grant) {
		if (!found && acl_create_entry(&acl, &e) != 0)
			goto out;
		if (acl_set_tag_type(e, ACL_GROUP) != 0 ||
		    acl_set_qualifier(e, &c->gid) != 0 ||
		    set_perms(e, true, !c->read_only, dir ||
		    (st->st_mode & 0111) != 0) != 0)
			goto out;
	} else {
		if (!found) {
			rc = 0;
			goto out;
		}
		if (acl_delete_entry(acl, e) != 0)
			goto out;
	}
	if (acl_calc_mask(&acl) != 0 || acl_valid(acl) != 0 ||
	    acl_set_file(path, type, acl) != 0)
		goto out;
	rc = 0;
out:
	acl_free(acl);
	return rc;
}

/* A revoke also takes the owning group's bits away where the client's
 * group owns the entry: the ACL's group-owner entry, through the mode. */
static int
strip_group_bits(const char *path, const struct stat *st)
{
	return chmod(path, st->st_mode & ~(mode_t)070 & 07777);
}

static int
change_one(const char *path, const struct stat *st, int type,
    struct FTW *f)
{
	struct change *c = change_ctx;
	bool dir = type == FTW_D;

	(void)f;
	if (type == FTW_SL || type == FTW_SLN)
		return 0;	/* links carry no ACL of their own */
	if (type == FTW_NS || type == FTW_DNR) {
		strutil_format(c->err, sizeof c->err, "cannot read %s", path);
		return 1;
	}
	if (st->st_dev != c->dev)
		return 0;
	if (c->grant && st->st_gid != c->gid && lchown(path, (uid_t)-1,
	    c->gid) != 0) {
		strutil_format(c->err, sizeof c->err, "cannot give %s to the "
		    "group: %s", path, strerror(errno));
		return 1;
	}
	if (edit_acl(path, ACL_TYPE_ACCESS, c, dir, st) != 0 ||
	    (dir && edit_acl(path, ACL_TYPE_DEFAULT, c, dir, st) != 0)) {
		strutil_format(c->err, sizeof c->err, "cannot set the ACL of "
		    "%s: %s", path, strerror(errno));
		return 1;
	}
	if (!c->grant && st->st_gid == c->gid) {
		struct stat now;

		if (lstat(path, &now) != 0 || strip_group_bits(path, &now) != 0) {
			strutil_format(c->err, sizeof c->err, "cannot take the "
			    "group's permissions from %s: %s", path,
			    strerror(errno));
			return 1;
		}
	}
	c->entries++;
	return 0;
}

static const char *
client_group(const struct config *cfg, const char *client)
{
	const struct config_client *cc = config_client(cfg, client);

	return cc != NULL && cc->group != NULL ? cc->group : client;
}

static int
access_change(struct cmd_ctx *ctx, bool grant, const char *client,
    const char *path, bool read_only, bool json)
{
	struct shiftlog_event ev = { .kind = "storage.access",
	    .severity = "notice" };
	const struct config_volume *v;
	struct change c = { .grant = grant, .read_only = read_only };
	const char *group = client_group(ctx->cfg, client);
	char *abs, *rel, msg[900], *data;
	struct group *gr;
	struct stat st;
	int rc;

	if ((gr = getgrnam(group)) == NULL)
		return cmd_error("access: client %s's group '%s' does not exist; "
		    "create it (groupadd %s) or set [client %s] group", client,
		    group, group, client);
	c.gid = gr->gr_gid;
	rc = cmd_storage_locate(ctx->cfg, path, &v, &abs, &rel);
	if (rc < 0)
		return cmd_error("access: cannot find %s: %s", path,
		    strerror(-rc));
	if (rc > 0) {
		rc = cmd_error("access: %s lies outside every configured volume; "
		    "mcr sets access only on its volumes", abs);
		free(abs);
		return rc;
	}
	if (lstat(abs, &st) != 0) {
		rc = cmd_error("access: cannot read %s: %s", abs, strerror(errno));
		goto out;
	}
	c.dev = st.st_dev;
	change_ctx = &c;
	if (nftw(abs, change_one, 32, FTW_PHYS) != 0) {
		rc = cmd_error("access: %s %s for client %s stopped after %ld "
		    "entries: %s", grant ? "granting" : "revoking", abs, client,
		    c.entries, c.err[0] ? c.err : strerror(errno));
		/* What did change is on record too. */
		strutil_format(msg, sizeof msg, "%s access for client %s "
		    "(group %s) on %s stopped after %ld entries: %s", grant ?
		    "granting" : "revoking", client, group, abs, c.entries,
		    c.err);
		ev.severity = "error";
	} else {
		strutil_format(msg, sizeof msg, "%s client %s (group %s) %s "
		    "access %s %s: %ld entries", grant ? "granted" : "revoked",
		    client, group, grant ? (read_only ? "read-only" :
		    "read-write") : "", grant ? "to" : "on", abs, c.entries);
		rc = CMD_EXIT_OK;
	}
	data = json_dumps(json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I}",
	    "action", grant ? "grant" : "revoke", "client", client, "group",
	    group, "path", abs, "volume", v->name, "read_only", read_only,
	    "entries", (json_int_t)c.entries), JSON_COMPACT);
	ev.subject = abs;
	ev.message = msg;
	ev.data = data;
	if (shiftlog_append(ctx->sl, &ev, 1) < 0) {
		fprintf(stderr, "mcr: the access change was made but could not "
		    "be recorded: %s\n", shiftlog_errmsg(ctx->sl));
		if (rc == CMD_EXIT_OK)
			rc = CMD_EXIT_ERROR;
	}
	free(data);
	if (rc == CMD_EXIT_OK) {
		if (json)
			rc = cmd_json_print(json_pack("{s:s, s:s, s:s, s:s, "
			    "s:b, s:I}", "action", grant ? "grant" : "revoke",
			    "client", client, "group", group, "path", abs,
			    "read_only", read_only, "entries",
			    (json_int_t)c.entries));
		else
			printf("%s\n", msg);
	}
out:
	free(abs);
	free(rel);
	return rc;
}

/* The ACL of path as text, entries joined by commas
 * ("user::rwx,group::r-x,group:acme:rwx,mask::rwx,other::r-x"). */
static char *
acl_text(const char *path, acl_type_t type)
{
	acl_t acl = acl_get_file(path, type);
	char *t, *copy = NULL;

	if (acl == NULL)
		return NULL;
	if ((t = acl_to_any_text(acl, NULL, ',', 0)) != NULL) {
		copy = xstrdup(t);
		acl_free(t);
	}
	acl_free(acl);
	return copy;
}

static int
access_show(struct cmd_ctx *ctx, const char *path, bool json)
{
	char *acc, *def, owner[64], group[64];
	struct passwd *pw;
	struct group *gr;
	struct stat st;
	json_t *clients = json_array();
	size_t i;
	int rc;

	if (lstat(path, &st) != 0) {
		json_decref(clients);
		return cmd_error("access: cannot read %s: %s", path,
		    strerror(errno));
	}
	pw = getpwuid(st.st_uid);
	strutil_format(owner, sizeof owner, "%s", pw != NULL ? pw->pw_name :
	    "?");
	gr = getgrgid(st.st_gid);
	strutil_format(group, sizeof group, "%s", gr != NULL ? gr->gr_name :
	    "?");
	if (pw == NULL)
		strutil_format(owner, sizeof owner, "%ld", (long)st.st_uid);
	if (gr == NULL)
		strutil_format(group, sizeof group, "%ld", (long)st.st_gid);
	acc = acl_text(path, ACL_TYPE_ACCESS);
	def = S_ISDIR(st.st_mode) ? acl_text(path, ACL_TYPE_DEFAULT) : NULL;
	/* The configured clients whose group the ACL or ownership names. */
	for (i = 0; i < ctx->cfg->nclients; i++) {
		const char *g = client_group(ctx->cfg, ctx->cfg->clients[i].name);
		struct group *cg = getgrnam(g);
		char needle[80];
		bool in;

		if (cg == NULL)
			continue;
		strutil_format(needle, sizeof needle, "group:%s:", g);
		in = (cg->gr_gid == st.st_gid && (st.st_mode & 070) != 0) ||
		    (acc != NULL &&
		    strstr(acc, needle) != NULL);
		if (in)
			json_array_append_new(clients,
			    json_string(ctx->cfg->clients[i].name));
	}
	if (json) {
		rc = cmd_json_print(json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?, "
		    "s:o}", "path", path, "owner", owner, "group", group, "mode",
		    (char[8]){ '0' + ((st.st_mode >> 9) & 7), '0' +
		    ((st.st_mode >> 6) & 7), '0' + ((st.st_mode >> 3) & 7),
		    '0' + (st.st_mode & 7), '\0' }, "acl", acc, "default_acl",
		    def, "clients", clients));
	} else {
		size_t k;
		json_t *c;

		printf("path     %s\nowner    %s\ngroup    %s\nacl      %s\n",
		    path, owner, group, acc != NULL ? acc : "(none)");
		if (S_ISDIR(st.st_mode))
			printf("default  %s\n", def != NULL && *def != '\0' ?
			    def : "(none)");
		printf("clients ");
		json_array_foreach(clients, k, c)
			printf(" %s", json_string_value(c));
		printf("%s\n", json_array_size(clients) == 0 ? " none" : "");
		json_decref(clients);
		rc = CMD_EXIT_OK;
	}
	free(acc);
	free(def);
	return rc;
}

int
cmd_access(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_RO = CMD_OPT_VERB };
	static const struct option longopts[] = {
		{ "read-only-access", no_argument, NULL, OPT_RO },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	bool json = false, ro = false;
	const char *action;
	int c, rc, n;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_RO:
			ro = true;
			break;
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr access grant CLIENT PATH "
			    "[--read-only-access] [--json]\n"
			    "       mcr access revoke CLIENT PATH [--json]\n"
			    "       mcr access show PATH [--json]\n"
			    "Give a client's Unix group ([client NAME] group, "
			    "default NAME) access to a\nfolder on a volume with "
			    "POSIX ACLs, inherited by what is written there\n"
			    "later, or take it away; every change goes to the "
			    "shift log. show prints the\nowner, group, ACLs and "
			    "the clients that can reach PATH.\n\n"
			    "      --read-only-access  grant read (r-X), not "
			    "read-write (rwX)\n"
			    "      --json              print the result as JSON\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	n = argc - optind;
	if (n < 1)
		return cmd_usage_error(ctx, "give grant, revoke or show");
	action = argv[optind];
	if (strcmp(action, "show") == 0) {
		if (n != 2)
			return cmd_usage_error(ctx, "give one path, as in 'mcr "
			    "access show /srv/prod/ACME'");
		if ((rc = cmd_config(ctx)) != 0)
			return rc;
		return access_show(ctx, argv[optind + 1], json);
	}
	if (strcmp(action, "grant") != 0 && strcmp(action, "revoke") != 0)
		return cmd_usage_error(ctx, "'%s' is not grant, revoke or show",
		    action);
	if (n != 3)
		return cmd_usage_error(ctx, "give the client and the path, as in "
		    "'mcr access %s ACME /srv/prod/ACME'", action);
	if (ro && action[0] == 'r')
		return cmd_usage_error(ctx, "--read-only-access goes with grant");
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	return access_change(ctx, action[0] == 'g', argv[optind + 1],
	    argv[optind + 2], ro, json);
}
