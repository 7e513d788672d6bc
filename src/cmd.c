/*
 * cmd: the plumbing shared by the CLI verbs. A verb parses its own options
 * through cmd_getopt(), which takes care of the common ones, then asks for
 * the shift log with cmd_shiftlog(); config and shift log are opened at
 * most once per run and closed by cmd_ctx_free().
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"
#include "paths.h"
#include "plugin.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define COMMON_OPTIONS \
    "      --db PATH       use the shift log at PATH\n" \
    "      --config PATH   read PATH after the system and user config\n" \
    "      --read-only     open the shift log read-only (review a copy)\n" \
    "  -h, --help          show this help and exit\n"

const char cmd_common_options[] = COMMON_OPTIONS;
/* A group of its own below a verb's options, which line up at a column of
 * the verb's choosing. */
const char cmd_common_help[] = "\nOptions of every verb:\n" COMMON_OPTIONS;

int
cmd_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("mcr: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CMD_EXIT_ERROR;
}

int
cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "mcr %s: ", ctx->verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; see 'mcr %s --help'\n", ctx->verb);
	return CMD_EXIT_ERROR;
}

int
cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv, const char *shortopts,
    const struct option *longopts)
{
	int c;

	opterr = 0;
	for (;;) {
		c = getopt_long(argc, argv, shortopts, longopts, NULL);
		switch (c) {
		case CMD_OPT_DB:
			ctx->db_path = optarg;
			continue;
		case CMD_OPT_CONFIG:
			ctx->config_path = optarg;
			continue;
		case CMD_OPT_READ_ONLY:
			ctx->read_only = true;
			continue;
		case CMD_OPT_NO_DAEMON:
			ctx->no_daemon = true;
			continue;
		case '?':
			if (optopt != 0 && optopt < 0x100 &&
			    strchr(shortopts, optopt) != NULL)
				cmd_usage_error(ctx, "option -%c needs a value",
				    optopt);
			else if (optopt != 0 && optopt < 0x100)
				cmd_usage_error(ctx, "unknown option -%c",
				    optopt);
			else
				cmd_usage_error(ctx, "'%s' is not an option of "
				    "this verb, or it needs a value",
				    argv[optind - 1]);
			return '?';
		case ':':
			cmd_usage_error(ctx, "'%s' needs a value",
			    argv[optind - 1]);
			return '?';
		default:
			return c;
		}
	}
}

int
cmd_config(struct cmd_ctx *ctx)
{
	char err[640], *dir;

	if (ctx->cfg != NULL)
		return 0;
	ctx->cfg = config_new();
	/* Plugins own sections of the config, so they come first. A
	 * refused plugin is reported by 'mcr plugins' and mcrd, not here.
	 * Loading one can cost a hundred libraries (FFmpeg), so a verb that
	 * runs no plugin only notes which exist: their sections are taken
	 * as they are, and mcrd and 'mcr plugins' check them. */
	ctx->plugins = xcalloc(1, sizeof *ctx->plugins);
	dir = paths_plugin_dir();
	/* A folder that cannot be used is noted in ctx->plugins->errors. */
	if (ctx->need_plugins)
		plugin_load_dir(dir, ctx->plugins, err, sizeof err);
	plugin_config_owners(ctx->plugins, dir, ctx->cfg);
	free(dir);
	if (config_load(ctx->cfg, ctx->config_path, err, sizeof err) < 0)
		return cmd_error("%s", err);
	return 0;
}

int
cmd_shiftlog(struct cmd_ctx *ctx)
{
	struct shiftlog_opts opts = { .read_only = ctx->read_only };
	char err[640];
	char *path;
	int rc;

	if (ctx->sl != NULL)
		return 0;
	if ((rc = cmd_config(ctx)) != 0)
		return rc;
	opts.busy_timeout_ms = ctx->cfg->busy_timeout_ms;
	if (ctx->db_path != NULL)
		path = xstrdup(ctx->db_path);
	else {
		path = config_shiftlog_path(ctx->cfg);
		/* Only the per-user default gets its folder made for it; a
		 * path someone typed is taken as it is. */
		opts.create_dir = ctx->cfg->shiftlog_path == NULL;
	}
	opts.must_exist = ctx->only_existing && !opts.create_dir;
	ctx->sl_default = opts.create_dir;
	rc = shiftlog_open(path, &opts, &ctx->sl, err, sizeof err);
	if (rc < 0) {
		free(path);
		return cmd_error("%s", err);
	}
	ctx->sl_path = path;
	return 0;
}

int
cmd_daemon_ensure(struct cmd_ctx *ctx)
{
	char err[640];

	if (ctx->no_daemon || ctx->read_only)
		return 0;
	if (daemon_ensure(ctx->sl_path, ctx->config_path, ctx->sl_default,
	    err, sizeof err) < 0)
		return cmd_error("%s", err);
	return 0;
}

void
cmd_ctx_free(struct cmd_ctx *ctx)
{
	shiftlog_close(ctx->sl);
	config_free(ctx->cfg);
	if (ctx->plugins != NULL) {
		plugin_set_free(ctx->plugins);
		free(ctx->plugins);
	}
	free(ctx->sl_path);
	ctx->sl = NULL;
	ctx->cfg = NULL;
	ctx->plugins = NULL;
	ctx->sl_path = NULL;
}

static json_t *
json_text(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

json_t *
cmd_event_json(const struct shiftlog_event *ev)
{
	char when[40];
	json_t *data = NULL;

	if (ev->data != NULL) {
		data = json_loads(ev->data, JSON_DECODE_ANY, NULL);
		if (data == NULL)
			data = json_string(ev->data);
	}
	when_format(ev->time, true, when, sizeof when);
	return json_pack("{s:I, s:s, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:o, s:o}",
	    "id", (json_int_t)ev->id,
	    "time", when,
	    "time_us", (json_int_t)ev->time,
	    "user", json_text(ev->user),
	    "host", json_text(ev->host),
	    "ssh_client", json_text(ev->ssh_client),
	    "kind", json_text(ev->kind),
	    "severity", json_text(ev->severity),
	    "job", ev->job_id != 0 ? json_integer(ev->job_id) : json_null(),
	    "subject", json_text(ev->subject),
	    "message", json_text(ev->message),
	    "data", data != NULL ? data : json_null());
}

/* Writes s with control characters made visible: a note piped in from
 * anywhere must not send escape sequences to the next operator's terminal,
 * and one event stays one line. */
void
cmd_print_safe(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

void
cmd_event_print(FILE *f, const struct shiftlog_event *ev)
{
	char when[40], who[384], job[32] = "";

	when_format(ev->time, false, when, sizeof when);
	if (ev->ssh_client != NULL)
		strutil_format(who, sizeof who, "%s@%s(%s)", ev->user, ev->host,
		    ev->ssh_client);
	else
		strutil_format(who, sizeof who, "%s@%s", ev->user, ev->host);
	if (ev->job_id != 0)
		strutil_format(job, sizeof job, " job %lld",
		    (long long)ev->job_id);
	fprintf(f, "%s  %-8s ", when, ev->severity);
	cmd_print_safe(f, ev->kind);
	fprintf(f, "%*s", (int)(strlen(ev->kind) < 18 ? 19 - strlen(ev->kind) :
	    1), "");
	cmd_print_safe(f, who);
	fprintf(f, "%s  ", job);
	if (ev->subject != NULL) {
		cmd_print_safe(f, ev->subject);
		fputs(": ", f);
	}
	cmd_print_safe(f, ev->message);
	fputc('\n', f);
}

int
cmd_json_print(json_t *doc)
{
	char *text;
	int rc;

	if (doc == NULL)
		fatal("building a JSON document failed");
	/* Into memory, then one write: json_dumpf() goes through stdio a
	 * token at a time. */
	text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (text == NULL)
		fatal("building a JSON document failed");
	rc = fputs(text, stdout);
	free(text);
	if (rc == EOF || fputc('\n', stdout) == EOF || fflush(stdout) != 0)
		return cmd_error("cannot write to standard output");
	return 0;
}
