/*
 * mcr log: read the shift log's events, filtered by time, kind, user and
 * text (full-text, through the events_fts index); `mcr log verify` walks
 * the hash chain; `mcr log export` writes an audit copy of a range as CSV,
 * JSON or HTML that says first whether the chain verified. Events stream from SQLite
 * straight to stdout, one at a time, so a log of millions of rows costs no
 * memory; --json streams one document of the same shape.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"

/* With no --since and no --limit, this many of the newest events. */
#define LOG_DEFAULT_LIMIT 50

struct log_out {
	bool json;
	int64_t n;
	char buf[8192];
};

static int
emit(const struct shiftlog_event *ev, void *arg)
{
	struct log_out *o = arg;

	if (o->json) {
		json_t *j = cmd_event_json(ev);
		size_t n;

		/* One fwrite per event: json_dumpf writes token by token. */
		n = json_dumpb(j, o->buf, sizeof o->buf, JSON_COMPACT);
		fputs(o->n > 0 ? ",\n    " : "\n    ", stdout);
		if (n <= sizeof o->buf)
			fwrite(o->buf, 1, n, stdout);
		else
			json_dumpf(j, stdout, JSON_COMPACT);
		json_decref(j);
	} else
		cmd_event_print(stdout, ev);
	o->n++;
	/* 1, not an rc: the caller reports stdout, not the shift log. */
	return ferror(stdout) ? 1 : 0;
}

static int
log_verify(struct cmd_ctx *ctx, bool json)
{
	struct shiftlog_verify v;
	char hex[65];
	int rc, i;

	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	rc = shiftlog_verify(ctx->sl, &v);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	for (i = 0; i < 32; i++)
		strutil_format(hex + 2 * i, 3, "%02x", v.head[i]);

	if (json) {
		json_t *doc = json_pack("{s:s, s:b, s:I, s:o, s:o, s:b, s:o}",
		    "shift_log", shiftlog_path(ctx->sl),
		    "intact", rc == 0,
		    "checked", (json_int_t)v.checked,
		    "first_bad", v.first_bad != 0 ?
		    json_integer(v.first_bad) : json_null(),
		    "problem", v.problem[0] != '\0' ?
		    json_string(v.problem) : json_null(),
		    "triggers_present", !v.triggers_missing,
		    "head", v.first_bad == 0 ? json_pack("{s:I, s:s}", "id",
		    (json_int_t)v.head_id, "hash", hex) : json_null());

		if (cmd_json_print(doc) != 0)
			return CMD_EXIT_ERROR;
		return rc == 0 ? CMD_EXIT_OK : CMD_EXIT_CHECK_FAILED;
	}
	if (v.first_bad != 0)
		printf("shift log %s: TAMPERED: %s.\n", shiftlog_path(ctx->sl),
		    v.problem);
	if (v.triggers_missing)
		printf("shift log %s: TAMPERED: the append-only triggers on "
		    "events were removed.\n", shiftlog_path(ctx->sl));
	if (v.first_bad == 0)
		printf("shift log %s: chain intact, %lld events verified; "
		    "head is event %lld, hash %s\n", shiftlog_path(ctx->sl),
		    (long long)v.checked, (long long)v.head_id, hex);
	fflush(stdout);
	return rc == 0 ? CMD_EXIT_OK : CMD_EXIT_CHECK_FAILED;
}

/* --- mcr log export: an audit copy of a range, with the chain's state
 * at the top --- */

enum export_format { EXPORT_CSV, EXPORT_JSON, EXPORT_HTML };

struct export {
	enum export_format fmt;
	int64_t n;
	char buf[8192];
};

/* RFC 4180: a field with a comma, quote or line break is quoted, its
 * quotes doubled. */
static void
csv_field(const char *s, bool last)
{
	if (s != NULL && strpbrk(s, ",\"\r\n") != NULL) {
		fputc('"', stdout);
		for (; *s != '\0'; s++) {
			if (*s == '"')
				fputc('"', stdout);
			fputc(*s, stdout);
		}
		fputc('"', stdout);
	} else if (s != NULL)
		fputs(s, stdout);
	fputc(last ? '\n' : ',', stdout);
}

static int
export_one(const struct shiftlog_event *ev, void *arg)
{
	struct export *x = arg;
	char when[40], num[2][24];

	when_format(ev->time, true, when, sizeof when);
	strutil_format(num[0], sizeof num[0], "%lld", (long long)ev->id);
	strutil_format(num[1], sizeof num[1], "%lld", (long long)ev->job_id);
	if (x->fmt == EXPORT_CSV) {
		csv_field(num[0], false);
		csv_field(when, false);
		csv_field(ev->user, false);
		csv_field(ev->host, false);
		csv_field(ev->ssh_client, false);
		csv_field(ev->kind, false);
		csv_field(ev->severity, false);
		csv_field(ev->job_id != 0 ? num[1] : NULL, false);
		csv_field(ev->subject, false);
		csv_field(ev->message, false);
		csv_field(ev->data, true);
	} else if (x->fmt == EXPORT_JSON) {
		json_t *j = cmd_event_json(ev);
		size_t n = json_dumpb(j, x->buf, sizeof x->buf, JSON_COMPACT);

		fputs(x->n > 0 ? ",\n    " : "\n    ", stdout);
		if (n <= sizeof x->buf)
			fwrite(x->buf, 1, n, stdout);
		else
			json_dumpf(j, stdout, JSON_COMPACT);
		json_decref(j);
	} else {
		const char *v[] = { num[0], when, ev->user, ev->host,
		    ev->kind, ev->severity, ev->job_id != 0 ? num[1] : "",
		    ev->subject, ev->message };
		size_t i;

		fprintf(stdout, "<tr class=\"%s\">", ev->severity);
		for (i = 0; i < sizeof v / sizeof v[0]; i++) {
			fputs("<td>", stdout);
			strutil_html(stdout, v[i]);
			fputs("</td>", stdout);
		}
		fputs("</tr>\n", stdout);
	}
	x->n++;
	return ferror(stdout) ? 1 : 0;
}

static int
log_export(struct cmd_ctx *ctx, const struct shiftlog_filter *f,
    enum export_format fmt)
{
	struct shiftlog_verify v;
	struct export x = { .fmt = fmt };
	char hex[65], a[40], b[40], state[512];
	int vrc, rc, i;

	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;
	/* The whole chain, not only the range: a range is only as
	 * trustworthy as every row before it. */
	vrc = shiftlog_verify(ctx->sl, &v);
	if (vrc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	for (i = 0; i < 32; i++)
		strutil_format(hex + 2 * i, 3, "%02x", v.head[i]);
	if (vrc == 0)
		strutil_format(state, sizeof state, "hash chain VERIFIED: %lld "
		    "events intact, head event %lld, hash %s",
		    (long long)v.checked, (long long)v.head_id, hex);
	else
		strutil_format(state, sizeof state, "hash chain NOT VERIFIED: %s",
		    v.first_bad != 0 ? v.problem : "the append-only triggers on "
		    "events were removed");
	if (f->since != INT64_MIN)
		when_format(f->since, true, a, sizeof a);
	else
		strutil_copy(a, "the beginning", sizeof a);
	if (f->until != INT64_MAX)
		when_format(f->until, true, b, sizeof b);
	else
		strutil_copy(b, "now", sizeof b);
	if (fmt == EXPORT_CSV) {
		printf("# mcr audit export of shift log %s\n", shiftlog_path(ctx->sl));
		printf("# %s\n# events from %s to %s\n", state, a, b);
		fputs("id,time,user,host,ssh_client,kind,severity,job,subject,"
		    "message,data\n", stdout);
	} else if (fmt == EXPORT_JSON) {
		json_t *head = json_pack("{s:s, s:{s:b, s:I, s:o, s:o, s:b, s:o},"
		    " s:s, s:s}", "shift_log", shiftlog_path(ctx->sl), "chain",
		    "verified", vrc == 0, "checked", (json_int_t)v.checked,
		    "first_bad", v.first_bad != 0 ? json_integer(v.first_bad) :
		    json_null(), "problem", v.problem[0] != '\0' ?
		    json_string(v.problem) : json_null(), "triggers_present",
		    !v.triggers_missing, "head", vrc == 0 ? json_pack("{s:I, s:s}",
		    "id", (json_int_t)v.head_id, "hash", hex) : json_null(),
		    "since", a, "until", b);
		char *h = json_dumps(head, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		size_t n = strlen(h);

		/* The header's closing brace gives way to the events. */
		while (n > 0 && h[n - 1] != '}')
			n--;
		fwrite(h, 1, n > 0 ? n - 1 : 0, stdout);
		fputs(",\n  \"events\": [", stdout);
		free(h);
		json_decref(head);
	} else {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		    "charset=\"utf-8\"><title>mcr audit export</title>\n<style>"
		    "body{font:14px system-ui,sans-serif;margin:1.5em}"
		    "table{border-collapse:collapse}td,th{border:1px solid #bbb;"
		    "padding:2px 6px;vertical-align:top;text-align:left}"
		    ".ok{color:#060;font-weight:600}.bad{color:#a00;"
		    "font-weight:600}tr.error td,tr.critical td{color:#a00}"
		    "tr.warning td{color:#8a5a00}</style></head><body>\n"
		    "<h1>Audit export</h1>\n<p>Shift log ", stdout);
		strutil_html(stdout, shiftlog_path(ctx->sl));
		printf("</p>\n<p class=\"%s\">", vrc == 0 ? "ok" : "bad");
		strutil_html(stdout, state);
		printf("</p>\n<p>Events from %s to %s.</p>\n<table>\n<tr><th>id"
		    "</th><th>time (UTC)</th><th>user</th><th>host</th><th>kind"
		    "</th><th>severity</th><th>job</th><th>subject</th>"
		    "<th>message</th></tr>\n", a, b);
	}
	rc = shiftlog_events(ctx->sl, f, export_one, &x);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (fmt == EXPORT_JSON)
		fputs(x.n > 0 ? "\n  ]\n}\n" : "]\n}\n", stdout);
	else if (fmt == EXPORT_HTML)
		printf("</table>\n<p>%lld events.</p>\n</body></html>\n",
		    (long long)x.n);
	if (rc > 0 || fflush(stdout) != 0 || ferror(stdout))
		return cmd_error("cannot write the export to standard output");
	if (vrc != 0)
		fprintf(stderr, "mcr: the export is written, but the shift log's "
		    "%s; see 'mcr log verify'\n", state + strlen("hash "));
	return vrc == 0 ? CMD_EXIT_OK : CMD_EXIT_CHECK_FAILED;
}

static void
log_help(void)
{
	printf("Usage: mcr log [OPTION...]\n"
	    "       mcr log verify [--json]\n"
	    "       mcr log export [--since WHEN] [--until WHEN] "
	    "[--format csv|json|html]\n"
	    "Show shift-log events, oldest first. Without --since or --limit, "
	    "the last %d.\n\n"
	    "      --since WHEN    from WHEN: a duration ago (30m, 8h, 1h30m, "
	    "2d)\n"
	    "                      or ISO-8601 (2026-11-29T06:00, local; "
	    "...Z for UTC)\n"
	    "      --until WHEN    up to, not including, WHEN\n"
	    "      --kind KIND     events of KIND; 'job' also matches job.*\n"
	    "      --user USER     events recorded by Unix user USER\n"
	    "      --grep TEXT     subject or message has every word of TEXT, "
	    "any case\n"
	    "                      (full-text; word* for words that begin "
	    "so)\n"
	    "      --match QUERY   an SQLite FTS5 query: \"a phrase\", OR, NOT, "
	    "NEAR(), x*\n"
	    "      --format F      for export: csv (default), json or html; "
	    "the first\n"
	    "                      lines say whether the hash chain verified\n"
	    "      --limit N       only the newest N matching events\n"
	    "      --json          print one JSON document (keys in mcr(1))\n"
	    "%s", LOG_DEFAULT_LIMIT, cmd_common_help);
}

int
cmd_log(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SINCE = CMD_OPT_VERB, OPT_UNTIL, OPT_KIND, OPT_USER,
		OPT_GREP, OPT_LIMIT, OPT_MATCH, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "user", required_argument, NULL, OPT_USER },
		{ "grep", required_argument, NULL, OPT_GREP },
		{ "limit", required_argument, NULL, OPT_LIMIT },
		{ "match", required_argument, NULL, OPT_MATCH },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX };
	struct log_out out = { .json = false };
	int64_t now = when_now();
	char err[320], *end;
	bool bounded = false, filtered = false, has_format = false;
	enum export_format xfmt = EXPORT_CSV;
	int c, rc;

	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL:
			if (when_parse(optarg, now, c == OPT_SINCE ? &f.since :
			    &f.until, err, sizeof err) < 0)
				return cmd_usage_error(ctx, "--%s %s",
				    c == OPT_SINCE ? "since" : "until", err);
			bounded = bounded || c == OPT_SINCE;
			filtered = true;
			break;
		case OPT_KIND:
			filtered = true;
			f.kind = optarg;
			break;
		case OPT_USER:
			filtered = true;
			f.user = optarg;
			break;
		case OPT_GREP:
			filtered = true;
			f.grep = optarg;
			break;
		case OPT_MATCH:
			filtered = true;
			f.match = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "csv") == 0)
				xfmt = EXPORT_CSV;
			else if (strcmp(optarg, "json") == 0)
				xfmt = EXPORT_JSON;
			else if (strcmp(optarg, "html") == 0)
				xfmt = EXPORT_HTML;
			else
				return cmd_usage_error(ctx, "--format '%s' is not "
				    "csv, json or html", optarg);
			has_format = true;
			break;
		case OPT_LIMIT:
			f.limit = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || f.limit <= 0)
				return cmd_usage_error(ctx, "--limit '%s' is not "
				    "a positive number", optarg);
			bounded = true;
			break;
		case CMD_OPT_JSON:
			out.json = true;
			break;
		case 'h':
			log_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind < argc && strcmp(argv[optind], "verify") == 0) {
		ctx->verb = "log verify";
		if (optind + 1 < argc)
			return cmd_usage_error(ctx, "unexpected argument '%s'",
			    argv[optind + 1]);
		if (bounded || filtered)
			return cmd_usage_error(ctx, "verify checks the whole "
			    "chain; it takes no filters");
		return log_verify(ctx, out.json);
	}
	if (optind < argc && strcmp(argv[optind], "export") == 0) {
		ctx->verb = "log export";
		if (optind + 1 < argc)
			return cmd_usage_error(ctx, "unexpected argument '%s'",
			    argv[optind + 1]);
		if (f.limit > 0)
			return cmd_usage_error(ctx, "an export has every event "
			    "of its range; narrow it with --since and --until");
		if (f.since >= f.until)
			return cmd_usage_error(ctx, "--since is not before "
			    "--until, so no event can match");
		if (out.json && has_format && xfmt != EXPORT_JSON)
			return cmd_usage_error(ctx, "--json and --format %s "
			    "disagree", xfmt == EXPORT_CSV ? "csv" : "html");
		return log_export(ctx, &f, out.json ? EXPORT_JSON : xfmt);
	}
	if (has_format)
		return cmd_usage_error(ctx, "--format goes with 'log export'");
	if (f.grep != NULL && f.match != NULL)
		return cmd_usage_error(ctx, "give --grep or --match, not both");
	if (optind < argc)
		return cmd_usage_error(ctx, "unexpected argument '%s'",
		    argv[optind]);
	if (f.since >= f.until)
		return cmd_usage_error(ctx, "--since is not before --until, so "
		    "no event can match");
	if (!bounded)
		f.limit = LOG_DEFAULT_LIMIT;
	ctx->only_existing = true;
	if ((rc = cmd_shiftlog(ctx)) != 0)
		return rc;

	if (out.json) {
		json_t *path = json_string(shiftlog_path(ctx->sl));

		fputs("{\n  \"shift_log\": ", stdout);
		json_dumpf(path, stdout, JSON_ENCODE_ANY);
		json_decref(path);
		fputs(",\n  \"events\": [", stdout);
	}
	rc = shiftlog_events(ctx->sl, &f, emit, &out);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (out.json)
		fputs(out.n > 0 ? "\n  ]\n}\n" : "]\n}\n", stdout);
	if (rc > 0 || fflush(stdout) != 0 || ferror(stdout))
		return cmd_error("cannot write to standard output");
	return CMD_EXIT_OK;
}
