/*
 * The delivery verbs: mcr deliver, receive and destinations. deliver
 * resolves [destination NAME] into the parameters of a transfer.deliver
 * job (so a retried job goes where the first went), refuses a key file
 * others can read, queues the job for mcrd and, with --wait, follows it.
 * receive finds the manifest of a received folder (its ascmhl history,
 * else its MHL v1.1 and sum files), queues a transfer.receive job, waits,
 * says which files did not match and, with --production, queues ingest of
 * what was verified to run after it. Both
 * print receipts from the shift log as text, JSON or a self-contained
 * HTML page. destinations lists the configured destinations, and
 * 'destinations test NAME' logs in (or looks at the folder) without
 * sending anything.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "vcopy.h"
#include "when.h"
#include "xmalloc.h"

/* The hashes a delivery's receipt has room for (delivery_files). */
#define DELIVERY_ALGOS (VCOPY_ALGO_BIT(VCOPY_XXH128) | \
	VCOPY_ALGO_BIT(VCOPY_MD5) | VCOPY_ALGO_BIT(VCOPY_XXH64))

extern char **environ;

/* --- receipts --- */

static const char *
jstr(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s != NULL ? s : "";
}

static void
human_bytes(double v, char *buf, size_t len)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t i = 0;

	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, i == 0 ? "%.0f %s" : "%.1f %s", v, u[i]);
}

static const char *
utc(json_t *o, const char *k, char *buf, size_t len)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_integer(v))
		return "-";
	return when_format(json_integer_value(v), true, buf, len);
}

static const char *
verified_sentence(json_t *d)
{
	const char *v = jstr(d, "verified_by");

	if (strcmp(jstr(d, "direction"), "in") == 0)
		return "each file hashed here and compared with the sender's "
		    "manifest";
	if (strcmp(v, "rsync --checksum pass") == 0)
		return "after the transfer, an rsync --checksum pass compared "
		    "every file's content on both sides";
	if (strcmp(v, "size listing") == 0)
		return "after the transfer, the far side's listing was checked "
		    "for every file's size (content not re-read there)";
	if (strncmp(v, "rclone check", 12) == 0)
		return strstr(v, "hashes") ? "after the transfer, rclone check "
		    "compared every file's hash on both sides" : "after the "
		    "transfer, rclone check compared every file's size";
	if (strcmp(v, "read-back") == 0)
		return "every copy was read back from the destination and its "
		    "xxh128 compared";
	return "the far side was not checked";
}

static void
receipt_text(FILE *f, json_t *d)
{
	char a[64], b[64], sz[32];
	json_t *files = json_object_get(d, "file_list"), *x;
	size_t i;
	bool in = strcmp(jstr(d, "direction"), "in") == 0;

	fprintf(f, "%s %lld (job %lld): %s\n", in ? "Receipt" : "Delivery",
	    (long long)json_integer_value(json_object_get(d, "id")),
	    (long long)json_integer_value(json_object_get(d, "job")),
	    jstr(d, "status"));
	if (in)
		fprintf(f, "  from      %s, into %s\n", jstr(d, "destination"),
		    jstr(d, "path"));
	else
		fprintf(f, "  to        %s (%s, %s%s%s)\n", jstr(d, "destination"),
		    jstr(d, "engine"), jstr(d, "target"),
		    *jstr(d, "path") && strcmp(jstr(d, "target"),
		    jstr(d, "path")) ? ":" : "", strcmp(jstr(d, "target"),
		    jstr(d, "path")) ? jstr(d, "path") : "");
	fprintf(f, "  by        %s\n", jstr(d, "who"));
	fprintf(f, "  started   %s\n", utc(d, "started", a, sizeof a));
	fprintf(f, "  finished  %s\n", utc(d, "finished", b, sizeof b));
	human_bytes((double)json_integer_value(json_object_get(d, "bytes")),
	    sz, sizeof sz);
	fprintf(f, "  files     %lld, %s\n",
	    (long long)json_integer_value(json_object_get(d, "files")), sz);
	fprintf(f, "  verified  %s: %s\n", *jstr(d, "verified_by") ?
	    jstr(d, "verified_by") : "none", verified_sentence(d));
	if (*jstr(d, "manifest"))
		fprintf(f, "  manifest  %s\n", jstr(d, "manifest"));
	if (*jstr(d, "note"))
		fprintf(f, "  note      %s\n", jstr(d, "note"));
	if (*jstr(d, "message")) {
		fprintf(f, "  outcome   ");
		cmd_print_safe(f, jstr(d, "message"));
		fputc('\n', f);
	}
	fprintf(f, "\n%-10s %12s  %-32s  %-32s  %s\n", "STATUS", "BYTES",
	    "XXH128", "MD5", "FILE");
	json_array_foreach(files, i, x) {
		const char *h = *jstr(x, "xxh128") ? jstr(x, "xxh128") :
		    *jstr(x, "xxh64") ? jstr(x, "xxh64") : "-";

		fprintf(f, "%-10s %12lld  %-32s  %-32s  ", jstr(x, "status"),
		    (long long)json_integer_value(json_object_get(x, "size")),
		    h, *jstr(x, "md5") ? jstr(x, "md5") : "-");
		cmd_print_safe(f, jstr(x, "rel"));
		if (*jstr(x, "problem")) {
			fputs(": ", f);
			cmd_print_safe(f, jstr(x, "problem"));
		}
		fputc('\n', f);
	}
}

static void
html_row(FILE *f, const char *k, const char *v)
{
	fputs("<tr><th>", f);
	strutil_html(f, k);
	fputs("</th><td>", f);
	strutil_html(f, v);
	fputs("</td></tr>\n", f);
}

static void
receipt_html(FILE *f, json_t *d)
{
	char a[64], b[64], sz[32], buf[256];
	json_t *files = json_object_get(d, "file_list"), *x;
	size_t i;
	bool in = strcmp(jstr(d, "direction"), "in") == 0;

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>%s %lld</title>\n<style>body{font-family:"
	    "sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:"
	    "1px solid #999;padding:.2em .5em;text-align:left}code{font-size:"
	    ".85em}.failed{background:#fdd}.delivered,.verified{background:"
	    "#dfd}</style></head><body>\n", in ? "Receipt" : "Delivery",
	    (long long)json_integer_value(json_object_get(d, "id")));
	fprintf(f, "<h1>%s %lld: ", in ? "Receipt" : "Delivery",
	    (long long)json_integer_value(json_object_get(d, "id")));
	strutil_html(f, jstr(d, "status"));
	fputs("</h1>\n<table>\n", f);
	html_row(f, in ? "From" : "To", jstr(d, "destination"));
	if (!in) {
		snprintf(buf, sizeof buf, "%s %s", jstr(d, "engine"),
		    jstr(d, "target"));
		html_row(f, "Engine", buf);
	}
	html_row(f, "Folder", jstr(d, "path"));
	html_row(f, "By", jstr(d, "who"));
	html_row(f, "Started (UTC)", utc(d, "started", a, sizeof a));
	html_row(f, "Finished (UTC)", utc(d, "finished", b, sizeof b));
	human_bytes((double)json_integer_value(json_object_get(d, "bytes")),
	    sz, sizeof sz);
	snprintf(buf, sizeof buf, "%lld files, %s",
	    (long long)json_integer_value(json_object_get(d, "files")), sz);
	html_row(f, "Content", buf);
	html_row(f, "Verified", verified_sentence(d));
	if (*jstr(d, "manifest"))
		html_row(f, "Manifest", jstr(d, "manifest"));
	if (*jstr(d, "note"))
		html_row(f, "Note", jstr(d, "note"));
	html_row(f, "Outcome", jstr(d, "message"));
	fputs("</table>\n<h2>Files</h2>\n<table>\n<tr><th>File</th><th>Bytes"
	    "</th><th>xxh128</th><th>md5</th><th>Status</th><th>Problem</th>"
	    "</tr>\n", f);
	json_array_foreach(files, i, x) {
		fprintf(f, "<tr class=\"%s\"><td>", strcmp(jstr(x, "status"),
		    "failed") == 0 ? "failed" : "delivered");
		strutil_html(f, jstr(x, "rel"));
		fprintf(f, "</td><td>%lld</td><td><code>",
		    (long long)json_integer_value(json_object_get(x, "size")));
		strutil_html(f, *jstr(x, "xxh128") ? jstr(x, "xxh128") :
		    jstr(x, "xxh64"));
		fputs("</code></td><td><code>", f);
		strutil_html(f, jstr(x, "md5"));
		fputs("</code></td><td>", f);
		strutil_html(f, jstr(x, "status"));
		fputs("</td><td>", f);
		strutil_html(f, jstr(x, "problem"));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n<p>Written by mcr from its shift log.</p>\n"
	    "</body></html>\n", f);
}

/* Prints the receipt of delivery id (or of job's delivery when id is 0)
 * in format text, json or html, to path or stdout. */
static int
print_receipt(struct cmd_ctx *ctx, int64_t id, int64_t job,
    const char *format, const char *path)
{
	char *text = NULL;
	json_t *d;
	FILE *f = stdout;
	int rc;

	if (shiftlog_delivery_json(ctx->sl, id, job, &text) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	d = json_loads(text, 0, NULL);
	free(text);
	if (d == NULL)
		return cmd_error("the delivery's record in the shift log is not "
		    "valid JSON; run 'mcr log verify'");
	if (path != NULL && (f = fopen(path, "w")) == NULL) {
		json_decref(d);
		return cmd_error("cannot write the receipt %s: %s", path,
		    strerror(errno));
	}
	if (strcmp(format, "json") == 0) {
		char *s = json_dumps(d, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		fprintf(f, "%s\n", s);
		free(s);
	} else if (strcmp(format, "html") == 0)
		receipt_html(f, d);
	else
		receipt_text(f, d);
	json_decref(d);
	rc = ferror(f) ? CMD_EXIT_ERROR : 0;
	if (f != stdout && fclose(f) != 0)
		rc = CMD_EXIT_ERROR;
	if (rc != 0)
		return cmd_error("cannot write the receipt%s%s", path ? " " : "",
		    path ? path : "");
	return 0;
}

static int
check_format(struct cmd_ctx *ctx, const char *fmt)
{
	if (strcmp(fmt, "text") != 0 && strcmp(fmt, "json") != 0 &&
	    strcmp(fmt, "html") != 0)
		return cmd_usage_error(ctx, "--format '%s' is not text, json or "
		    "html", fmt);
	return 0;
}

static int
list_deliveries(struct cmd_ctx *ctx, const char *direction, bool json)
{
	char *text = NULL, a[64], sz[32];
	json_t *arr, *d;
	size_t i;

	if (shiftlog_deliveries_json(ctx->sl, direction, 50, &text) < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	arr = json_loads(text, 0, NULL);
	free(text);
	if (json)
		return cmd_json_print(arr);
	json_array_foreach(arr, i, d) {
		human_bytes((double)json_integer_value(json_object_get(d,
		    "bytes")), sz, sizeof sz);
		printf("%4lld  %-19s  %-3s  %-12s  %-10s  %5lld files  %10s  ",
		    (long long)json_integer_value(json_object_get(d, "id")),
		    utc(d, "started", a, sizeof a), jstr(d, "direction"),
		    jstr(d, "destination"), jstr(d, "status"),
		    (long long)json_integer_value(json_object_get(d, "files")),
		    sz);
		cmd_print_safe(stdout, jstr(d, "verified_by"));
		putchar('\n');
	}
	json_decref(arr);
	return 0;
}

/* --- destinations --- */

/* A file holding a secret that group or others may read is refused. */
static int
check_secret(const char *what, const char *path, const char *dest)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return cmd_error("cannot read the %s %s of destination %s: %s",
		    what, path, dest, strerror(errno));
	if (st.st_mode & 077)
		return cmd_error("the %s %s of destination %s can be read by "
		    "group or others (mode %04o); chmod 600 it", what, path,
		    dest, (unsigned)(st.st_mode & 07777));
	return 0;
}

static const struct config_destination *
find_destination(struct cmd_ctx *ctx, const char *name)
{
	const struct config_destination *d = config_destination(ctx->cfg,
	    name);

	if (d == NULL)
		cmd_error("there is no destination '%s' in the config; 'mcr "
		    "destinations' lists them", name);
	return d;
}

/* Runs argv with stdin from /dev/null, keeping the last line of stderr. */
static int
run_quiet(char *const argv[], const char *input, char *last, size_t len)
{
	posix_spawn_file_actions_t fa;
	int er[2], in[2], status = -1;
	char buf[4096];
	size_t have = 0;
	ssize_t r;
	pid_t pid;

	last[0] = '\0';
	if (pipe2(er, O_CLOEXEC) < 0 || pipe2(in, O_CLOEXEC) < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, er[1], 2);
	if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(er[0]);
		close(er[1]);
		close(in[0]);
		close(in[1]);
		snprintf(last, len, "cannot run %s", argv[0]);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(er[1]);
	close(in[0]);
	if (input != NULL && write(in[1], input, strlen(input)) < 0)
		(void)0;
	close(in[1]);
	while ((r = read(er[0], buf + have, sizeof buf - 1 - have)) > 0) {
		have += (size_t)r;
		if (have == sizeof buf - 1) {
			memmove(buf, buf + have / 2, have - have / 2);
			have -= have / 2;
		}
	}
	close(er[0]);
	buf[have] = '\0';
	while (have > 0 && (buf[have - 1] == '\n' || buf[have - 1] == '\r'))
		buf[--have] = '\0';
	{
		char *nl = strrchr(buf, '\n');

		strutil_copy(last, nl ? nl + 1 : buf, len);
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static int
test_destination(struct cmd_ctx *ctx, const struct config_destination *d)
{
	char port[16], kh[PATH_MAX + 32], target[512], last[1024];
	int status;

	if (strcmp(d->type, "rclone") == 0) {
		char *argv[] = { "rclone", "lsf", "--max-depth", "1",
			d->rclone_config ? "--config" : (char *)d->path,
			d->rclone_config ? d->rclone_config : NULL, d->path,
			NULL };

		if (d->rclone_config != NULL && check_secret("rclone config",
		    d->rclone_config, d->name) != 0)
			return CMD_EXIT_ERROR;
		if (d->rclone_config == NULL)
			argv[5] = NULL;
		status = run_quiet(argv, NULL, last, sizeof last);
		if (status != 0)
			return cmd_error("destination %s: rclone cannot list %s: "
			    "%s", d->name, d->path, last[0] ? last : "no "
			    "detail");
		printf("destination %s: rclone lists %s\n", d->name, d->path);
		return 0;
	}
	if (strcmp(d->type, "local") == 0) {
		struct stat st;

		if (stat(d->path, &st) < 0 || !S_ISDIR(st.st_mode))
			return cmd_error("destination %s: the folder %s is not "
			    "there (is the NAS mounted?)", d->name, d->path);
		if (access(d->path, W_OK) < 0)
			return cmd_error("destination %s: the folder %s is not "
			    "writable by %s", d->name, d->path, "this user");
		printf("destination %s: folder %s is there and writable\n",
		    d->name, d->path);
		return 0;
	}
	if (check_secret("SSH key", d->key, d->name) != 0 ||
	    access(d->known_hosts, R_OK) < 0)
		return access(d->known_hosts, R_OK) < 0 ? cmd_error("cannot "
		    "read the known_hosts file %s of destination %s: %s",
		    d->known_hosts, d->name, strerror(errno)) : CMD_EXIT_ERROR;
	snprintf(port, sizeof port, "%d", d->port ? d->port : 22);
	snprintf(kh, sizeof kh, "UserKnownHostsFile=%s", d->known_hosts);
	snprintf(target, sizeof target, "%s%s%s", d->user ? d->user : "",
	    d->user ? "@" : "", d->host);
	{
		char *argv[] = { strcmp(d->type, "sftp") == 0 ? "sftp" : "ssh",
			strcmp(d->type, "sftp") == 0 ? "-P" : "-p", port,
			"-i", d->key, "-F", "/dev/null", "-o", kh,
			"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes",
			"-o", "IdentitiesOnly=yes", "-o", "ConnectTimeout=15",
			strcmp(d->type, "sftp") == 0 ? "-b" : "-T",
			strcmp(d->type, "sftp") == 0 ? "-" : "--", target,
			strcmp(d->type, "sftp") == 0 ? NULL : "rsync",
			"--version", NULL };

		status = run_quiet(argv, strcmp(d->type, "sftp") == 0 ?
		    "pwd\n" : NULL, last, sizeof last);
	}
	if (status == 0) {
		printf("destination %s: %s port %s answered, its host key is the "
		    "one in %s, and user %s logged in%s\n", d->name, d->host,
		    port, d->known_hosts, d->user ? d->user : "(default)",
		    strcmp(d->type, "rsync") == 0 ? " and found rsync" : "");
		return 0;
	}
	if (strstr(last, "Host key verification failed") ||
	    strstr(last, "host key"))
		return cmd_error("destination %s: the host key of %s is not the "
		    "one in %s; confirm its fingerprint with the far side",
		    d->name, d->host, d->known_hosts);
	if (strstr(last, "Permission denied"))
		return cmd_error("destination %s: %s refused the login of user "
		    "%s with the configured key", d->name, d->host,
		    d->user ? d->user : "(default)");
	if (strstr(last, "Connection refused"))
		return cmd_error("destination %s: nothing accepts SSH on %s port "
		    "%s", d->name, d->host, port);
	return cmd_error("destination %s: the login test failed: %s", d->name,
	    last[0] ? last : "no detail");
}

int
cmd_destinations(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	const struct config_destination *d;
	bool json = false;
	json_t *arr;
	size_t i;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case CMD_OPT_JSON:
			json = true;
			break;
		case 'h':
			printf("Usage: mcr destinations [--json]\n"
			    "       mcr destinations test NAME\n"
			    "List the [destination NAME] sections of the config; "
			    "'test' checks one:\nthe folder of a local one, the "
			    "host key and login of a remote one.\n\n"
			    "      --json          print one JSON document\n%s",
			    cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	if (optind < argc && strcmp(argv[optind], "test") == 0) {
		if (optind + 2 != argc)
			return cmd_usage_error(ctx, "give one destination to "
			    "test, as in 'mcr destinations test client-sftp'");
		if ((d = find_destination(ctx, argv[optind + 1])) == NULL)
			return CMD_EXIT_ERROR;
		return test_destination(ctx, d);
	}
	if (optind < argc)
		return cmd_usage_error(ctx, "'%s' is not 'test NAME'",
		    argv[optind]);
	arr = json_array();
	for (i = 0; i < ctx->cfg->ndestinations; i++) {
		d = &ctx->cfg->destinations[i];
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s?, s:s?, "
		    "s:i, s:s?, s:s?, s:s?, s:I, s:s?, s:s}", "name", d->name,
		    "type", d->type, "path", d->path, "host", d->host,
		    "port", d->port ? d->port : 22, "user", d->user,
		    "key", d->key, "known_hosts", d->known_hosts,
		    "bwlimit", (json_int_t)d->bwlimit, "window", d->window,
		    "verify", d->verify ? d->verify :
		    strcmp(d->type, "sftp") == 0 ? "size" :
		    strcmp(d->type, "local") == 0 ? "read-back" : "checksum"));
		json_object_set_new(json_array_get(arr, i), "hash",
		    json_string(d->hash != NULL ? d->hash : "xxh128"));
		if (d->rclone_config != NULL)
			json_object_set_new(json_array_get(arr, i),
			    "rclone_config", json_string(d->rclone_config));
		if (!json)
			printf("%-16s %-6s %s%s%s%s%s%s%s%s\n", d->name,
			    d->type, d->host ? d->host : "", d->host ? ":" : "",
			    d->path ? d->path : "", d->window ? "  window " :
			    "", d->window ? d->window : "", d->bwlimit ?
			    "  bwlimit" : "", d->hash ? "  hash " : "",
			    d->hash ? d->hash : "");
	}
	if (json)
		return cmd_json_print(arr);
	if (i == 0)
		printf("no destinations; add [destination NAME] sections to "
		    "mcr.ini (see mcr.ini(5))\n");
	json_decref(arr);
	return 0;
}

/* --- deliver --- */

static void
set_opt(json_t *p, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(p, k, json_string(v));
}

static int
queue(struct cmd_ctx *ctx, const char *kind, json_t *params,
    const char *subject, int64_t *id)
{
	struct shiftlog_submit sub = { .kind = kind, .subject = subject };
	char *ptext = json_dumps(params, JSON_COMPACT);
	int rc;

	sub.params = ptext;
	rc = shiftlog_job_submit(ctx->sl, &sub, id);
	free(ptext);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	return cmd_daemon_ensure(ctx);
}

int
cmd_deliver(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_TO = CMD_OPT_VERB, OPT_MANIFEST, OPT_NOTE, OPT_WAIT,
		OPT_LIST, OPT_RECEIPT, OPT_FORMAT, OPT_OUTPUT, OPT_CLIENT,
		OPT_RETRIES, OPT_BACKOFF, OPT_HASH };
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, OPT_TO },
		{ "manifest", no_argument, NULL, OPT_MANIFEST },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "client", required_argument, NULL, OPT_CLIENT },
		{ "wait", no_argument, NULL, OPT_WAIT },
		{ "retries", required_argument, NULL, OPT_RETRIES },
		{ "backoff", required_argument, NULL, OPT_BACKOFF },
		{ "hash", required_argument, NULL, OPT_HASH },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "receipt", required_argument, NULL, OPT_RECEIPT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const char *to = NULL, *note = NULL, *format = "text", *output = NULL;
	const char *client = NULL, *retries = NULL, *backoff = NULL;
	const char *hash = NULL;
	const struct config_destination *d;
	bool manifest = false, wait = false, list = false, json = false;
	int64_t receipt = 0, id;
	json_t *params = NULL, *paths = NULL;
	char *end, buf[32], *subject = NULL;
	int c, rc, i;

	while ((c = cmd_getopt(ctx, argc, argv, "ho:", longopts)) != -1) {
		switch (c) {
		case OPT_TO: to = optarg; break;
		case OPT_MANIFEST: manifest = true; break;
		case OPT_NOTE: note = optarg; break;
		case OPT_CLIENT: client = optarg; break;
		case OPT_WAIT: wait = true; break;
		case OPT_LIST: list = true; break;
		case OPT_RETRIES: retries = optarg; break;
		case OPT_BACKOFF: backoff = optarg; break;
		case OPT_HASH: hash = optarg; break;
		case OPT_FORMAT:
			format = optarg;
			if (check_format(ctx, format) != 0)
				return CMD_EXIT_ERROR;
			break;
		case 'o':
		case OPT_OUTPUT: output = optarg; break;
		case OPT_RECEIPT:
			receipt = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || receipt <= 0)
				return cmd_usage_error(ctx, "--receipt '%s' is "
				    "not a delivery number", optarg);
			break;
		case CMD_OPT_JSON: json = true; break;
		case 'h':
			printf("Usage: mcr deliver PATH... --to NAME [OPTION...]\n"
			    "       mcr deliver --list [--json]\n"
			    "       mcr deliver --receipt ID [--format text|json|"
			    "html] [-o FILE]\n"
			    "Send files and folders to a configured destination "
			    "(mcr destinations):\nhashed as they are read, "
			    "resumed after a cut, checked on the far side,\n"
			    "and recorded file by file for the receipt.\n\n"
			    "      --to NAME       the [destination NAME]\n"
			    "      --manifest      send a manifest of what was "
			    "sent with it\n"
			    "      --note TEXT     a note for the receipt\n"
			    "      --client NAME   who it is for\n"
			    "      --hash LIST     what each file is hashed with as "
			    "it is read, for the\n"
			    "                      receipt: xxh128 (always), md5, "
			    "xxh64; default: the\n"
			    "                      destination's hash setting, "
			    "else xxh128\n"
			    "      --retries N     further attempts after a cut "
			    "(default 3)\n"
			    "      --backoff S     seconds before the first retry, "
			    "doubling (default 5)\n"
			    "      --wait          follow the job; exit 0 when "
			    "delivered, 1 when not\n"
			    "      --list          the newest 50 deliveries and "
			    "receipts\n"
			    "      --receipt ID    print delivery ID's receipt\n"
			    "      --format F      text, json or html\n"
			    "  -o, --output FILE   write the receipt to FILE\n"
			    "      --json          print {\"id\": N} or JSON "
			    "lists\n%s", cmd_common_help);
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (list || receipt) {
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			return rc;
		return list ? list_deliveries(ctx, NULL, json) :
		    print_receipt(ctx, receipt, 0, format, output);
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "give the files or folders to send");
	if (to == NULL)
		return cmd_usage_error(ctx, "say where with --to NAME; 'mcr "
		    "destinations' lists them");
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	if ((d = find_destination(ctx, to)) == NULL)
		return CMD_EXIT_ERROR;
	if (hash == NULL)
		hash = d->hash;
	if (hash != NULL) {
		char err[256] = "";
		unsigned set = 0;

		if (vcopy_algos_parse(hash, &set, err, sizeof err) < 0 ||
		    (set & ~DELIVERY_ALGOS) != 0) {
			snprintf(err, sizeof err, "'%s' is not a list of the "
			    "hashes a receipt holds: xxh128 (always), md5, "
			    "xxh64", hash);
			return d->hash == hash ? cmd_error("%s (hash = %s of "
			    "[destination %s]); nothing was queued", err, hash,
			    d->name) : cmd_usage_error(ctx, "--hash: %s", err);
		}
	}
	if (d->key != NULL && check_secret("SSH key", d->key, d->name) != 0)
		return CMD_EXIT_ERROR;
	if (d->rclone_config != NULL && check_secret("rclone config",
	    d->rclone_config, d->name) != 0)
		return CMD_EXIT_ERROR;
	params = json_object();
	paths = json_array();
	for (i = optind; i < argc; i++) {
		char *abs = realpath(argv[i], NULL);

		if (abs == NULL) {
			rc = cmd_error("cannot read %s: %s; nothing was queued",
			    argv[i], strerror(errno));
			goto out;
		}
		if (!strutil_utf8_valid(abs, strlen(abs))) {
			rc = cmd_error("the path %s is not valid UTF-8", abs);
			free(abs);
			goto out;
		}
		json_array_append_new(paths, json_string(abs));
		free(abs);
	}
	{
		char *p = json_dumps(paths, JSON_COMPACT);

		set_opt(params, "paths", p);
		free(p);
	}
	set_opt(params, "destination", d->name);
	set_opt(params, "type", d->type);
	set_opt(params, "path", d->path);
	set_opt(params, "host", d->host);
	if (d->port) {
		snprintf(buf, sizeof buf, "%d", d->port);
		set_opt(params, "port", buf);
	}
	set_opt(params, "user", d->user);
	set_opt(params, "key", d->key);
	set_opt(params, "known_hosts", d->known_hosts);
	if (d->bwlimit) {
		snprintf(buf, sizeof buf, "%ld", d->bwlimit);
		set_opt(params, "bwlimit", buf);
	}
	set_opt(params, "window", d->window);
	set_opt(params, "verify", d->verify);
	set_opt(params, "hash", hash);
	set_opt(params, "rclone_config", d->rclone_config);
	if (manifest)
		set_opt(params, "manifest", "1");
	set_opt(params, "note", note);
	set_opt(params, "client", client);
	set_opt(params, "retries", retries);
	set_opt(params, "backoff", backoff);
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	subject = xasprintf("to %s", d->name);
	if ((rc = queue(ctx, "transfer.deliver", params, subject, &id)) != 0)
		goto out;
	if (json)
		cmd_json_print(json_pack("{s:I}", "id", (json_int_t)id));
	else
		printf("job %lld queued: delivery to %s\n", (long long)id,
		    d->name);
	fflush(stdout);
	rc = wait ? cmd_wait_job(ctx, id, 0, json) : CMD_EXIT_OK;
	if (wait && !json && rc == 0)
		rc = print_receipt(ctx, 0, id, "text", NULL);
out:
	free(subject);
	json_decref(paths);
	json_decref(params);
	return rc;
}

/* --- receive --- */

static int
take_error(const struct shiftlog_job *j, void *arg)
{
	strutil_copy(arg, j->error != NULL ? j->error : "", 1024);
	return 1;
}

static bool
manifest_name(const char *n)
{
	static const char *const ext[] = { ".mhl", ".md5", ".xxh128", ".xxh3",
	    ".xxh64", ".xxh", NULL };
	size_t i, l = strlen(n);

	for (i = 0; ext[i] != NULL; i++) {
		size_t e = strlen(ext[i]);

		if (l > e && strcasecmp(n + l - e, ext[i]) == 0)
			return true;
	}
	return false;
}

static json_t *found_manifests;

static int
find_manifest(const char *path, const struct stat *st, int type,
    struct FTW *ftw)
{
	if (type == FTW_D && ftw->level == 1 &&
	    strcmp(path + ftw->base, "ascmhl") == 0)
		return FTW_SKIP_SUBTREE;
	if (type == FTW_F && S_ISREG(st->st_mode) &&
	    path[ftw->base] != '.' && manifest_name(path + ftw->base))
		json_array_append_new(found_manifests, json_string(path));
	return FTW_CONTINUE;
}

/* The largest parts of dir (rel under the received root) whose every file
 * the receipt verified: dir itself when all of it was (returns true), else
 * its covered subfolders and verified files, appended to parts. Manifest
 * files, links and anything unverified stay out. */
static bool
cover(const char *dir, const char *rel, json_t *verified, json_t *parts)
{
	json_t *mine = json_array();
	struct dirent *e;
	bool all = true, any = false;
	DIR *d = opendir(dir);

	if (d == NULL) {
		json_decref(mine);
		return false;
	}
	while ((e = readdir(d)) != NULL) {
		char *path, *r;
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (*rel == '\0' && strcmp(e->d_name, "ascmhl") == 0)
			continue;	/* ingest skips it too */
		path = xasprintf("%s/%s", dir, e->d_name);
		r = *rel ? xasprintf("%s/%s", rel, e->d_name) :
		    xstrdup(e->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (cover(path, r, verified, parts))
				json_array_append_new(mine, json_string(path));
			else
				all = false;
		} else if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    json_object_get(verified, r) != NULL) {
			json_array_append_new(mine, json_string(path));
		} else
			all = false;
		any = true;
		free(path);
		free(r);
	}
	closedir(d);
	if (all && any) {
		json_decref(mine);
		return true;
	}
	json_array_extend(parts, mine);
	json_decref(mine);
	return false;
}

/* Queues ingest.copy of what the receipt of job rid verified, to run after
 * that job. */
static int
queue_ingest(struct cmd_ctx *ctx, const char *root, json_t *receipt,
    int64_t rid, const char *client, const char *production, const char *to,
    int64_t *id, size_t *nfiles)
{
	struct shiftlog_submit sub = { .kind = "ingest.copy",
		.subject = production, .after = &rid, .nafter = 1 };
	json_t *verified = json_object(), *parts = json_array(), *x, *params;
	char *src = NULL, *ptext;
	size_t i, n = 0;
	int rc;

	json_array_foreach(json_object_get(receipt, "file_list"), i, x) {
		if (strcmp(jstr(x, "status"), "verified") == 0) {
			json_object_set_new(verified, jstr(x, "rel"),
			    json_true());
			n++;
		}
	}
	if (cover(root, "", verified, parts))
		json_array_append_new(parts, json_string(root));
	json_array_foreach(parts, i, x) {
		char *s = xasprintf("%s%s%s", src ? src : "", src ? "\n" : "",
		    json_string_value(x));

		free(src);
		src = s;
	}
	json_decref(verified);
	json_decref(parts);
	if (src == NULL)
		return cmd_error("the receipt verified no file that is still in "
		    "%s; nothing was handed to ingest", root);
	params = json_pack("{s:s, s:s, s:s}", "src", src, "client", client,
	    "production", production);
	if (to != NULL)
		json_object_set_new(params, "to", json_string(to));
	ptext = json_dumps(params, JSON_COMPACT);
	sub.params = ptext;
	rc = shiftlog_job_submit(ctx->sl, &sub, id);
	free(ptext);
	json_decref(params);
	free(src);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	*nfiles = n;
	return cmd_daemon_ensure(ctx);
}

int
cmd_receive(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_FROM = CMD_OPT_VERB, OPT_SUMS, OPT_NOTE, OPT_RECEIPT,
		OPT_FORMAT, OPT_OUTPUT, OPT_LIST, OPT_PRODUCTION, OPT_TO };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "production", required_argument, NULL, OPT_PRODUCTION },
		{ "to", required_argument, NULL, OPT_TO },
		{ "sums", required_argument, NULL, OPT_SUMS },
		{ "note", required_argument, NULL, OPT_NOTE },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "receipt", required_argument, NULL, OPT_RECEIPT },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		{ "no-daemon", no_argument, NULL, CMD_OPT_NO_DAEMON },
		CMD_COMMON_OPTIONS
	};
	const char *from = NULL, *note = NULL, *format = "text", *output = NULL;
	const char *production = NULL, *to = NULL;
	json_t *params = NULL, *sums = json_array(), *res = NULL;
	bool json = false, list = false;
	int64_t receipt = 0, id, ingest_id = 0;
	size_t ningest = 0;
	char *root = NULL, *end, *text = NULL;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "ho:", longopts)) != -1) {
		switch (c) {
		case OPT_FROM: from = optarg; break;
		case OPT_PRODUCTION: production = optarg; break;
		case OPT_TO: to = optarg; break;
		case OPT_NOTE: note = optarg; break;
		case OPT_LIST: list = true; break;
		case OPT_SUMS: {
			char *abs = realpath(optarg, NULL);

			if (abs == NULL) {
				rc = cmd_error("cannot read the sum file %s: %s",
				    optarg, strerror(errno));
				goto out;
			}
			json_array_append_new(sums, json_string(abs));
			free(abs);
			break;
		}
		case OPT_FORMAT:
			format = optarg;
			if ((rc = check_format(ctx, format)) != 0)
				goto out;
			break;
		case 'o':
		case OPT_OUTPUT: output = optarg; break;
		case OPT_RECEIPT:
			receipt = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || receipt <= 0) {
				rc = cmd_usage_error(ctx, "--receipt '%s' is "
				    "not a receipt number", optarg);
				goto out;
			}
			break;
		case CMD_OPT_JSON: json = true; break;
		case 'h':
			printf("Usage: mcr receive PATH --from CLIENT [--production "
			    "P [--to VOLUME]] [OPTION...]\n"
			    "       mcr receive --list | --receipt ID [--format "
			    "text|json|html] [-o FILE]\n"
			    "Check a received folder against its manifest: its "
			    "ascmhl history (ASC MHL v2),\nelse the MHL v1.1 "
			    ".mhl and md5sum/xxhsum files found in it (or named "
			    "with\n--sums); record the receipt and print it. With "
			    "--production, a verified\ndelivery is then queued for "
			    "ingest (after the receipt's job). Exit 0 when\nevery "
			    "file matches, 1 when a file is corrupt, missing or "
			    "not listed.\n\n"
			    "      --from CLIENT   who sent it\n"
			    "      --production P  ingest what was verified for "
			    "this production\n"
			    "      --to VOLUME     where ingest files it (volumes "
			    "or paths, comma-separated)\n"
			    "      --sums FILE     a manifest (.mhl, .md5, "
			    ".xxh128, .xxh64); may repeat\n"
			    "      --note TEXT     a note for the receipt\n"
			    "      --list          the newest 50 receipts\n"
			    "      --receipt ID    print receipt ID\n"
			    "      --format F      text, json or html\n"
			    "  -o, --output FILE   write the receipt to FILE\n"
			    "      --json          print the receipt as JSON\n%s",
			    cmd_common_help);
			rc = CMD_EXIT_OK;
			goto out;
		default:
			rc = CMD_EXIT_ERROR;
			goto out;
		}
	}
	if (list || receipt) {
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			goto out;
		rc = list ? list_deliveries(ctx, "in", json) :
		    print_receipt(ctx, receipt, 0, format, output);
		goto out;
	}
	if (optind + 1 != argc) {
		rc = cmd_usage_error(ctx, "give the one received folder");
		goto out;
	}
	if (from == NULL) {
		rc = cmd_usage_error(ctx, "say who sent it with --from CLIENT");
		goto out;
	}
	if ((root = realpath(argv[optind], NULL)) == NULL) {
		rc = cmd_error("cannot read %s: %s", argv[optind],
		    strerror(errno));
		goto out;
	}
	if (to != NULL && production == NULL) {
		rc = cmd_usage_error(ctx, "--to says where ingest files the "
		    "delivery; give --production too");
		goto out;
	}
	if (json_array_size(sums) == 0) {
		/* ASC MHL v2 when the folder has its history; else every
		 * MHL v1.1 and sum file in it. */
		char *hist = xasprintf("%s/ascmhl", root);
		struct stat st;
		bool has_history = stat(hist, &st) == 0 && S_ISDIR(st.st_mode);

		free(hist);
		if (!has_history) {
			found_manifests = sums;
			nftw(root, find_manifest, 32, FTW_PHYS |
			    FTW_ACTIONRETVAL);
			found_manifests = NULL;
			if (json_array_size(sums) == 0) {
				rc = cmd_error("no ascmhl folder, .mhl, .md5, "
				    ".xxh128 or .xxh64 file in %s; name the "
				    "manifest with --sums", root);
				goto out;
			}
		}
	}
	params = json_object();
	set_opt(params, "path", root);
	set_opt(params, "client", from);
	set_opt(params, "note", note);
	if (json_array_size(sums) > 0) {
		text = json_dumps(sums, JSON_COMPACT);
		set_opt(params, "sums", text);
	}
	ctx->need_plugins = production != NULL;
	if ((rc = cmd_config(ctx)) != 0)
		goto out;
	if (production != NULL && plugin_find_kind(ctx->plugins,
	    "ingest.copy", NULL) == NULL) {
		rc = cmd_error("the ingest plugin is not installed (no plugin "
		    "runs ingest.copy), so the delivery cannot be ingested; "
		    "leave out --production or install it");
		goto out;
	}
	if ((rc = cmd_shiftlog(ctx)) != 0)
		goto out;
	if ((rc = queue(ctx, "transfer.receive", params, from, &id)) != 0)
		goto out;
	rc = cmd_wait_job(ctx, id, 0, true);
	if (rc != 0 && rc != CMD_EXIT_CHECK_FAILED)
		goto out;
	free(text);
	text = NULL;
	if (shiftlog_delivery_json(ctx->sl, 0, id, &text) < 0) {
		struct shiftlog_job_filter f = { .id = id };
		char why[1024] = "";

		shiftlog_jobs(ctx->sl, &f, take_error, why);
		rc = cmd_error("nothing was checked: %s", why[0] ? why :
		    "the job failed before it recorded a receipt");
		goto out;
	}
	res = json_loads(text, 0, NULL);
	rc = strcmp(jstr(res, "status"), "verified") == 0 ? CMD_EXIT_OK :
	    CMD_EXIT_CHECK_FAILED;
	if (rc != 0)
		fprintf(stderr, "mcr receive: %s\n", jstr(res, "message"));
	/* Only a delivery that checked out is handed on; the ingest job
	 * runs after the receipt's, so nothing unverified is filed. */
	if (rc == 0 && production != NULL &&
	    (rc = queue_ingest(ctx, root, res, id, from, production, to,
	    &ingest_id, &ningest)) != 0)
		goto out;
	if (print_receipt(ctx, 0, id, json ? "json" : format, output) != 0)
		rc = CMD_EXIT_ERROR;
	else if (ingest_id != 0)
		fprintf(json ? stderr : stdout, "%sjob %lld queued: ingest "
		    "of the %zu verified files for %s / %s, after receipt job "
		    "%lld\n", json ? "mcr receive: " : "\n",
		    (long long)ingest_id, ningest, from, production,
		    (long long)id);
out:
	json_decref(res);
	free(text);
	free(root);
	json_decref(sums);
	json_decref(params);
	return rc;
}
