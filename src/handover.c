/*
 * handover: the report's renderings. One walk over the JSON document emits
 * headings, lines and list items through a small writer that knows the
 * target format: plain text (control characters made visible), Markdown,
 * or HTML with every character escaped and its style inline, so the page
 * stands alone in a mail or on a USB stick. Times print in local time.
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handover.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

struct out {
	enum handover_format fmt;
	FILE *f;
	bool in_list;
};

int
handover_format_parse(const char *s, enum handover_format *f)
{
	if (strcmp(s, "text") == 0)
		*f = HANDOVER_TEXT;
	else if (strcmp(s, "md") == 0 || strcmp(s, "markdown") == 0)
		*f = HANDOVER_MD;
	else if (strcmp(s, "html") == 0)
		*f = HANDOVER_HTML;
	else if (strcmp(s, "json") == 0)
		*f = HANDOVER_JSON;
	else
		return -1;
	return 0;
}

/* Writes s escaped for the format. */
static void
put(struct out *o, const char *s)
{
	if (o->fmt == HANDOVER_HTML) {
		strutil_html(o->f, s);
		return;
	}
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' && o->fmt == HANDOVER_TEXT)
			fputs("\\n", o->f);
		else if (c < 0x20 && c != '\t' && c != '\n')
			fprintf(o->f, "\\x%02x", c);
		else if (c == 0x7f)
			fputs("\\x7f", o->f);
		else if (o->fmt == HANDOVER_MD && strchr("\\`*_[]<>#|", c) != NULL) {
			fputc('\\', o->f);
			fputc(c, o->f);
		} else if (c == '\n')
			fputs("  \n", o->f);
		else
			fputc(c, o->f);
	}
}

static void putf(struct out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
putf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	put(o, s);
	free(s);
}

static void
end_list(struct out *o)
{
	if (!o->in_list)
		return;
	if (o->fmt == HANDOVER_HTML)
		fputs("</ul>\n", o->f);
	else if (o->fmt == HANDOVER_MD)
		fputc('\n', o->f);
	o->in_list = false;
}

static void
heading(struct out *o, const char *title, long count)
{
	char buf[160];

	end_list(o);
	if (count >= 0)
		strutil_format(buf, sizeof buf, "%s (%ld)", title, count);
	else
		strutil_copy(buf, title, sizeof buf);
	switch (o->fmt) {
	case HANDOVER_HTML:
		fputs("<h2>", o->f);
		put(o, buf);
		fputs("</h2>\n", o->f);
		break;
	case HANDOVER_MD:
		fputs("## ", o->f);
		put(o, buf);
		fputs("\n\n", o->f);
		break;
	default:
		fputc('\n', o->f);
		put(o, buf);
		fputc('\n', o->f);
		for (size_t i = strlen(buf); i > 0; i--)
			fputc('-', o->f);
		fputc('\n', o->f);
	}
}

/* Starts a list item (or a plain line when item is false) with a class
 * for HTML: "bad", "warn", "good" or NULL. The caller puts its text,
 * then calls line_end. */
static void
line_start(struct out *o, bool item, const char *cls)
{
	if (item && !o->in_list) {
		if (o->fmt == HANDOVER_HTML)
			fputs("<ul>\n", o->f);
		o->in_list = true;
	} else if (!item)
		end_list(o);
	switch (o->fmt) {
	case HANDOVER_HTML:
		fprintf(o->f, "<%s%s%s%s>", item ? "li" : "p",
		    cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
		break;
	case HANDOVER_MD:
		if (item)
			fputs("- ", o->f);
		break;
	default:
		fputs(item ? "  - " : "", o->f);
	}
}

static void
line_end(struct out *o, bool item)
{
	if (o->fmt == HANDOVER_HTML)
		fputs(item ? "</li>\n" : "</p>\n", o->f);
	else if (o->fmt == HANDOVER_MD && !item)
		fputs("\n\n", o->f);
	else
		fputc('\n', o->f);
}

static void lineitem(struct out *o, bool item, const char *cls,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
lineitem(struct out *o, bool item, const char *cls, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	line_start(o, item, cls);
	put(o, s);
	line_end(o, item);
	free(s);
}

/* --- reading the document --- */

static const char *
str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static long long
num(json_t *o, const char *key)
{
	return (long long)json_number_value(json_object_get(o, key));
}

/* An ISO-8601 UTC time from the report, as local "2026-11-29 06:00". */
static const char *
local(json_t *o, const char *key, char *buf, size_t size)
{
	const char *s = json_string_value(json_object_get(o, key));
	int64_t t;
	char err[8];

	if (s == NULL || when_parse(s, 0, &t, err, sizeof err) < 0)
		return strutil_copy(buf, "-", size), buf;
	when_format(t, false, buf, size);
	/* Seconds say nothing to the next shift. */
	if (strlen(buf) == 19)
		buf[16] = '\0';
	return buf;
}

/* A JSON value as a person reads it, on one line cut at size bytes: an
 * object's members as "name value" joined by commas (a path by its last
 * part, a list by its length, a nested object left out), anything else
 * as compact JSON. */
static void
compact(json_t *v, char *buf, size_t size)
{
	const char *key, *slash;
	char item[128], num[32];
	json_t *m;
	size_t len = 0;

	buf[0] = '\0';
	if (!json_is_object(v)) {
		char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		strutil_copy(buf, s != NULL ? s : "", size);
		len = s != NULL ? strlen(s) : 0;
		free(s);
	} else {
		json_object_foreach(v, key, m) {
			const char *val = NULL;

			if (json_is_string(m)) {
				val = json_string_value(m);
				slash = strrchr(val, '/');
				if (slash != NULL && slash[1] != '\0')
					val = slash + 1;
			} else if (json_is_integer(m)) {
				snprintf(num, sizeof num, "%lld",
				    (long long)json_integer_value(m));
				val = num;
			} else if (json_is_real(m)) {
				snprintf(num, sizeof num, "%.4g",
				    json_real_value(m));
				val = num;
			} else if (json_is_boolean(m))
				val = json_is_true(m) ? "yes" : "no";
			else if (json_is_array(m)) {
				snprintf(num, sizeof num, "%zu item%s",
				    json_array_size(m),
				    json_array_size(m) == 1 ? "" : "s");
				val = num;
			}
			if (val == NULL)
				continue;
			snprintf(item, sizeof item, "%s%s %s",
			    len > 0 ? ", " : "", key, val);
			strutil_copy(buf + (len < size ? len : size - 1),
			    item, len < size ? size - len : 1);
			len += strlen(item);
		}
	}
	if (len >= size && size > 4)
		memcpy(buf + size - 4, "...", 4);
}

static void
head(struct out *o, json_t *doc)
{
	json_t *shift = json_object_get(doc, "shift");
	json_t *prev = json_object_get(doc, "previous_handover");
	char a[40], b[40], c[40];
	const char *site = str(doc, "site");

	if (o->fmt == HANDOVER_HTML) {
		fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
		    "charset=\"utf-8\">\n<title>", o->f);
		putf(o, "Handover %s", site);
		fputs("</title>\n<style>\n"
		    "body{font:15px/1.45 system-ui,sans-serif;margin:2em auto;"
		    "max-width:60em;padding:0 1em;color:#111;background:#fff}\n"
		    "h1{font-size:1.6em;margin-bottom:.2em}\n"
		    "h2{font-size:1.15em;border-bottom:2px solid #333;"
		    "margin-top:1.6em}\n"
		    "ul{padding-left:1.3em}li{margin:.2em 0}\n"
		    ".bad{color:#a00;font-weight:600}.warn{color:#8a5a00}"
		    ".good{color:#060}.meta{color:#444}\n"
		    "@media print{body{margin:0}}\n"
		    "</style></head><body>\n<h1>", o->f);
		putf(o, "Handover — %s", site);
		fputs("</h1>\n", o->f);
	} else if (o->fmt == HANDOVER_MD) {
		fputs("# ", o->f);
		putf(o, "Handover — %s", site);
		fputs("\n\n", o->f);
	} else {
		putf(o, "HANDOVER — %s", site);
		fputc('\n', o->f);
	}
	lineitem(o, false, "meta", "From %s to %s (generated %s by %s).",
	    local(doc, "since", a, sizeof a), local(doc, "until", b, sizeof b),
	    local(doc, "generated", c, sizeof c), str(doc, "generated_by"));
	if (json_is_object(shift)) {
		if (json_is_null(json_object_get(shift, "ended")))
			lineitem(o, false, "meta", "Shift %lld: %s on %s since %s.",
			    num(shift, "id"), str(shift, "operator"),
			    str(shift, "host"), local(shift, "started", a,
			    sizeof a));
		else
			lineitem(o, false, "meta", "Shift %lld: %s on %s, %s to %s.",
			    num(shift, "id"), str(shift, "operator"),
			    str(shift, "host"), local(shift, "started", a,
			    sizeof a), local(shift, "ended", b, sizeof b));
	} else
		lineitem(o, false, "meta", "No shift was started in this window "
		    "('mcr shift start' records who is on).");
	if (json_is_object(prev)) {
		if (json_is_true(json_object_get(prev, "acknowledged")))
			lineitem(o, false, "meta", "Previous handover %lld (given "
			    "by %s at %s) was acknowledged by %s at %s.",
			    num(prev, "id"), str(prev, "by"), local(prev, "time",
			    a, sizeof a), str(prev, "acknowledged_by"),
			    local(prev, "acknowledged_at", b, sizeof b));
		else
			lineitem(o, false, "warn", "Previous handover %lld (given "
			    "by %s at %s) is NOT acknowledged: its open items "
			    "carry over.", num(prev, "id"), str(prev, "by"),
			    local(prev, "time", a, sizeof a));
	}
	if (json_is_string(json_object_get(doc, "carried_from")))
		lineitem(o, false, "warn", "Open items carried over from %s.",
		    local(doc, "carried_from", a, sizeof a));
}

static void
incidents(struct out *o, json_t *doc)
{
	json_t *open = json_object_get(doc, "incidents");
	json_t *done = json_object_get(doc, "incidents_resolved"), *x;
	char a[40], b[40];
	size_t i;

	heading(o, "Open incidents", (long)json_array_size(open));
	if (json_array_size(open) == 0)
		lineitem(o, false, "good", "No open incidents.");
	json_array_foreach(open, i, x) {
		const char *sev = str(x, "severity");
		const char *owner = json_string_value(json_object_get(x, "owner"));

		line_start(o, true, strcmp(sev, "error") == 0 ||
		    strcmp(sev, "critical") == 0 ? "bad" : "warn");
		putf(o, "#%lld [%s] %s — %s, %s%s; opened %s by %s",
		    num(x, "id"), sev, str(x, "title"), str(x, "state"),
		    owner != NULL ? "owner " : "NO OWNER",
		    owner != NULL ? owner : "", local(x, "opened", a,
		    sizeof a), str(x, "opened_by"));
		if (!json_is_null(json_object_get(x, "job")))
			putf(o, "; job %lld", num(x, "job"));
		if (num(x, "seen") > 1)
			putf(o, "; raised %lld times", num(x, "seen"));
		if (json_is_string(json_object_get(x, "acknowledged")))
			putf(o, "; acknowledged by %s at %s",
			    str(x, "acknowledged_by"), local(x, "acknowledged",
			    b, sizeof b));
		if (json_is_string(json_object_get(x, "last_message")))
			putf(o, ". Last: %s", str(x, "last_message"));
		line_end(o, true);
	}
	if (json_array_size(done) > 0) {
		heading(o, "Incidents resolved", (long)json_array_size(done));
		json_array_foreach(done, i, x)
			lineitem(o, true, "good", "#%lld %s — resolved by %s at "
			    "%s%s%s", num(x, "id"), str(x, "title"),
			    str(x, "resolved_by"), local(x, "resolved", a,
			    sizeof a), json_is_string(json_object_get(x,
			    "resolution")) ? ": " : "", str(x, "resolution"));
	}
}

/* More runs than this of one kind in the Done list show as one line. */
#define ROUTINE_RUNS 3
/* How many finished jobs the report lists at most (shiftlog-handover.c). */
#define DONE_LISTED 50

/* Whether a finished job's result carries a verdict other than a pass (a
 * QC job is done when it has judged, whatever it found). */
static bool
verdict_failed(json_t *j)
{
	json_t *v = json_object_get(json_object_get(j, "result"), "verdict");

	return json_is_string(v) && strcmp(json_string_value(v), "pass") != 0;
}

/* One job; runs > 0 says it stands for that many runs of its kind. */
static void
job_line(struct out *o, json_t *j, const char *cls, const char *what,
    long long runs)
{
	char a[40], out[160];
	json_t *res = json_object_get(j, "result");

	line_start(o, true, cls);
	putf(o, "job %lld %s", num(j, "id"), str(j, "kind"));
	if (json_is_string(json_object_get(j, "subject")))
		putf(o, " %s", str(j, "subject"));
	if (strcmp(what, "failed") == 0) {
		putf(o, " — %s at %s after %lld attempt%s", str(j, "state"),
		    local(j, "finished", a, sizeof a), num(j, "attempts"),
		    num(j, "attempts") == 1 ? "" : "s");
		if (json_is_string(json_object_get(j, "error")))
			putf(o, ": %s", str(j, "error"));
		if (json_is_true(json_object_get(j, "carried_over")))
			put(o, " (carried over)");
	} else if (strcmp(what, "running") == 0) {
		double p = json_number_value(json_object_get(j, "progress"));

		if (json_is_number(json_object_get(j, "progress")))
			putf(o, " — %s %.0f%%", str(j, "state"), floor(p * 100));
		else
			putf(o, " — %s", str(j, "state"));
		putf(o, ", started %s", local(j, "started", a, sizeof a));
		if (json_is_integer(json_object_get(j, "eta_s"))) {
			char eta[32];

			strutil_duration(num(j, "eta_s"), "?", eta, sizeof eta);
			putf(o, ", %s to go", eta);
		}
		if (json_is_string(json_object_get(j, "progress_subject")))
			putf(o, " (%s)", str(j, "progress_subject"));
	} else if (strcmp(what, "queued") == 0) {
		putf(o, " — priority %lld, queued %s by %s", num(j, "priority"),
		    local(j, "created", a, sizeof a), str(j, "requested_by"));
	} else {
		putf(o, " — %s %s", str(j, "state"), local(j, "finished", a,
		    sizeof a));
		if (json_is_object(res) && json_object_size(res) > 0) {
			compact(res, out, 120);
			putf(o, ": %s", out);
		} else if (json_is_string(json_object_get(j, "error")))
			putf(o, ": %s", str(j, "error"));
		if (runs > 0)
			putf(o, " (the newest of %lld runs of %s)", runs,
			    str(j, "kind"));
	}
	line_end(o, true);
}

static void
jobs(struct out *o, json_t *doc)
{
	json_t *jobs = json_object_get(doc, "jobs");
	json_t *fin = json_object_get(jobs, "finished");
	json_t *now = json_object_get(jobs, "now"), *arr, *x, *kinds, *seen;
	const char *k;
	size_t i;
	long long queued = num(now, "queued");

	heading(o, "Jobs", -1);
	lineitem(o, false, NULL, "In this window: %lld done, %lld failed, %lld "
	    "cancelled, %lld interrupted. Now: %lld running, %lld paused, "
	    "%lld queued.", num(fin, "done"), num(fin, "failed"),
	    num(fin, "cancelled"), num(fin, "interrupted"), num(now, "running"),
	    num(now, "paused"), queued);
	arr = json_object_get(jobs, "failed");
	heading(o, "Failed jobs", (long)json_array_size(arr));
	if (json_array_size(arr) == 0)
		lineitem(o, false, "good", "No job failed.");
	json_array_foreach(arr, i, x)
		job_line(o, x, "bad", "failed", 0);
	arr = json_object_get(jobs, "running");
	heading(o, "Running", (long)json_array_size(arr));
	if (json_array_size(arr) == 0)
		lineitem(o, false, NULL, "Nothing is running.");
	json_array_foreach(arr, i, x)
		job_line(o, x, NULL, "running", 0);
	arr = json_object_get(jobs, "queued");
	heading(o, "Queued", (long)queued);
	if (json_array_size(arr) == 0)
		lineitem(o, false, NULL, "Nothing is queued.");
	json_array_foreach(arr, i, x)
		job_line(o, x, NULL, "queued", 0);
	if ((long long)json_array_size(arr) < queued)
		lineitem(o, false, "meta", "... and %lld more ('mcr jobs --state "
		    "queued').", queued - (long long)json_array_size(arr));
	heading(o, "Done", (long)num(fin, "done"));
	if (json_object_size(json_object_get(jobs, "done_by_kind")) > 0) {
		const char *sep = " ";

		line_start(o, false, NULL);
		put(o, "By kind:");
		json_object_foreach(json_object_get(jobs, "done_by_kind"), k, x) {
			putf(o, "%s%s %lld", sep, k,
			    (long long)json_integer_value(x));
			sep = "; ";
		}
		line_end(o, false);
	}
	arr = json_object_get(jobs, "done");
	if (json_array_size(arr) == 0)
		lineitem(o, false, NULL, "No job finished in this window.");
	/* A kind that ran many times (a sampler every five minutes) is one
	 * line, its newest run, so the night's real work stays in view; the
	 * list holds a few runs of each kind, done_by_kind counts them all. */
	kinds = json_object();
	json_array_foreach(arr, i, x)
		json_object_set_new(kinds, str(x, "kind"), json_integer(
		    num(kinds, str(x, "kind")) + 1));
	seen = json_object();
	json_array_foreach(arr, i, x) {
		long long listed = num(kinds, str(x, "kind"));
		long long all = num(json_object_get(jobs, "done_by_kind"),
		    str(x, "kind"));
		long long n = num(seen, str(x, "kind")) + 1;
		const char *cls = NULL;

		json_object_set_new(seen, str(x, "kind"), json_integer(n));
		if (listed > ROUTINE_RUNS && n < listed)
			continue;
		if (strcmp(str(x, "state"), "done") == 0)
			cls = verdict_failed(x) ? "bad" : "good";
		job_line(o, x, cls, "done", listed <= ROUTINE_RUNS ? 0 :
		    all > listed ? all : listed);
	}
	json_decref(seen);
	json_decref(kinds);
	if (json_array_size(arr) >= DONE_LISTED)
		lineitem(o, false, "meta", "(the latest %zu jobs, at most %d "
		    "runs of a kind; 'mcr jobs --state done' lists all)",
		    json_array_size(arr), ROUTINE_RUNS + 1);
}

static void
qc(struct out *o, json_t *doc)
{
	json_t *q = json_object_get(doc, "qc");
	json_t *runs = json_object_get(q, "runs"), *x;
	const char *k, *sep;
	size_t i;

	heading(o, "QC verdicts", (long)json_array_size(runs));
	if (json_array_size(runs) == 0) {
		lineitem(o, false, NULL, "No QC runs this shift.");
		return;
	}
	line_start(o, false, NULL);
	put(o, "Verdicts:");
	sep = " ";
	json_object_foreach(json_object_get(q, "verdicts"), k, x) {
		putf(o, "%s%s %lld", sep, k, (long long)json_integer_value(x));
		sep = "; ";
	}
	line_end(o, false);
	json_array_foreach(runs, i, x) {
		const char *v = str(x, "verdict");

		line_start(o, true, strcmp(v, "pass") == 0 ? "good" :
		    strcmp(v, "warning") == 0 ? "warn" : "bad");
		putf(o, "job %lld %s", num(x, "job"), str(x, "kind"));
		if (json_is_string(json_object_get(x, "subject")))
			putf(o, " %s", str(x, "subject"));
		putf(o, ": %s (%lld error%s, %lld warning%s)", v,
		    num(x, "errors"), num(x, "errors") == 1 ? "" : "s",
		    num(x, "warnings"), num(x, "warnings") == 1 ? "" : "s");
		if (json_is_string(json_object_get(x, "failures")))
			putf(o, ": %s", str(x, "failures"));
		line_end(o, true);
	}
}

static void
records(struct out *o, json_t *doc, const char *key, const char *title,
    const char *none)
{
	json_t *rows = json_object_get(json_object_get(doc, key), "recorded");
	json_t *x;
	char a[40], d[200];
	size_t i;

	heading(o, title, (long)json_array_size(rows));
	if (json_array_size(rows) == 0) {
		lineitem(o, false, NULL, "%s", none);
		return;
	}
	json_array_foreach(rows, i, x) {
		compact(json_object_get(x, "data"), d, sizeof d);
		if (json_is_integer(json_object_get(x, "job")))
			lineitem(o, true, NULL, "%s %s (job %lld): %s",
			    local(x, "time", a, sizeof a), str(x, "type"),
			    num(x, "job"), d);
		else
			lineitem(o, true, NULL, "%s %s: %s", local(x, "time", a,
			    sizeof a), str(x, "type"), d);
	}
}

static void
storage(struct out *o, json_t *doc)
{
	json_t *vols = json_object_get(doc, "storage");
	json_t *evs = json_object_get(doc, "storage_events"), *x;
	char a[40], avail[32], grow[32];
	size_t i;
	long alarms = 0;

	json_array_foreach(vols, i, x)
		alarms += json_is_true(json_object_get(x, "alarm"));
	heading(o, "Storage", -1);
	if (json_array_size(vols) == 0)
		lineitem(o, false, NULL, "No storage samples recorded.");
	else if (alarms == 0)
		lineitem(o, false, "good", "No storage alarms.");
	json_array_foreach(vols, i, x) {
		json_t *full = json_object_get(x, "full_in_days");
		const char *level = str(x, "level");
		bool alarm = json_is_true(json_object_get(x, "alarm"));

		strutil_bytes((uint64_t)json_number_value(json_object_get(x,
		    "avail")), avail, sizeof avail);
		line_start(o, true, strcmp(level, "crit") == 0 ||
		    strcmp(level, "unavailable") == 0 ? "bad" : alarm ? "warn" :
		    NULL);
		if (strcmp(level, "unavailable") == 0)
			putf(o, "%s: UNAVAILABLE at %s", str(x, "volume"),
			    local(x, "sampled", a, sizeof a));
		else
			putf(o, "%s: %.0f%% used, %s free (warn %.0f%%, crit "
			    "%.0f%%), level %s%s, sampled %s", str(x, "volume"),
			    floor(json_number_value(json_object_get(x,
			    "used_fraction")) * 100), avail,
			    json_number_value(json_object_get(x, "warn")) * 100,
			    json_number_value(json_object_get(x, "crit")) * 100,
			    level, strcmp(level, "ok") != 0 ? " — ALARM" : "",
			    local(x, "sampled", a, sizeof a));
		if (json_is_number(full)) {
			strutil_bytes((uint64_t)json_number_value(
			    json_object_get(x, "growth_per_day")), grow,
			    sizeof grow);
			putf(o, "; full in %.1f days at %s a day%s",
			    json_number_value(full), grow,
			    json_number_value(full) <= 14 ? " — WARNING" : "");
		}
		line_end(o, true);
	}
	json_array_foreach(evs, i, x)
		lineitem(o, true, strcmp(str(x, "severity"), "warning") == 0 ?
		    "warn" : "bad", "%s %s: %s", local(x, "time", a, sizeof a),
		    str(x, "kind"), str(x, "message"));
}

static void
notes(struct out *o, json_t *doc)
{
	json_t *arr = json_object_get(doc, "notes"), *x, *l;
	char a[40];
	size_t i, k;

	heading(o, "Notes for the handover", (long)json_array_size(arr));
	if (json_array_size(arr) == 0)
		lineitem(o, false, NULL, "No notes flagged for the handover "
		    "(%lld notes in the log in this window).",
		    num(doc, "notes_in_window"));
	json_array_foreach(arr, i, x) {
		line_start(o, true, NULL);
		putf(o, "%s %s: %s", local(x, "time", a, sizeof a),
		    str(x, "user"), str(x, "text"));
		if (json_array_size(json_object_get(x, "links")) > 0) {
			put(o, " [");
			json_array_foreach(json_object_get(x, "links"), k, l)
				putf(o, "%s%s %s", k ? ", " : "", str(l, "type"),
				    str(l, "ref"));
			put(o, "]");
		}
		if (json_is_true(json_object_get(x, "carried_over")))
			put(o, " (carried over)");
		line_end(o, true);
	}
}

static void
events(struct out *o, json_t *doc)
{
	json_t *ev = json_object_get(doc, "events");

	heading(o, "Shift log", -1);
	lineitem(o, false, "meta", "Events in this window: %lld critical, %lld "
	    "errors, %lld warnings, %lld notices, %lld info. Shift log %s.",
	    num(ev, "critical"), num(ev, "error"), num(ev, "warning"),
	    num(ev, "notice"), num(ev, "info"), str(doc, "shift_log"));
}

int
handover_render(const char *report, enum handover_format fmt, FILE *f)
{
	struct out o = { .fmt = fmt, .f = f };
	json_t *doc;

	if (fmt == HANDOVER_JSON) {
		fputs(report, f);
		fputc('\n', f);
		return ferror(f) ? -1 : 0;
	}
	if ((doc = json_loads(report, 0, NULL)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	head(&o, doc);
	incidents(&o, doc);
	jobs(&o, doc);
	qc(&o, doc);
	records(&o, doc, "deliveries", "Deliveries",
	    "No deliveries recorded.");
	records(&o, doc, "assets", "Assets in and out",
	    "No asset movements recorded.");
	storage(&o, doc);
	notes(&o, doc);
	events(&o, doc);
	end_list(&o);
	if (fmt == HANDOVER_HTML)
		fputs("</body></html>\n", f);
	json_decref(doc);
	return ferror(f) ? -1 : 0;
}

long
handover_open_items(const char *report)
{
	json_t *doc = json_loads(report, 0, NULL);
	long n;

	if (doc == NULL)
		return -1;
	n = (long)(json_array_size(json_object_get(doc, "incidents")) +
	    json_array_size(json_object_get(json_object_get(doc, "jobs"),
	    "failed")) + json_array_size(json_object_get(doc, "notes")));
	json_decref(doc);
	return n;
}

void
handover_summary(const char *report, char *buf, size_t size)
{
	json_t *doc = json_loads(report, 0, NULL), *jobs, *fin, *now, *x;
	long alarms = 0, fails = 0;
	size_t i;

	if (doc == NULL) {
		strutil_copy(buf, "the handover report could not be read", size);
		return;
	}
	jobs = json_object_get(doc, "jobs");
	fin = json_object_get(jobs, "finished");
	now = json_object_get(jobs, "now");
	json_array_foreach(json_object_get(doc, "storage"), i, x)
		alarms += json_is_true(json_object_get(x, "alarm"));
	json_array_foreach(json_object_get(json_object_get(doc, "qc"), "runs"),
	    i, x)
		fails += strcmp(str(x, "verdict"), "pass") != 0 &&
		    strcmp(str(x, "verdict"), "warning") != 0;
	strutil_format(buf, size, "%lld jobs done, %lld failed, %lld running, "
	    "%lld queued; %zu open incidents; %zu QC runs (%ld not passed); "
	    "%ld storage alarms; %zu handover notes",
	    num(fin, "done"), num(fin, "failed") + num(fin, "interrupted"),
	    num(now, "running") + num(now, "paused"), num(now, "queued"),
	    json_array_size(json_object_get(doc, "incidents")),
	    json_array_size(json_object_get(json_object_get(doc, "qc"), "runs")),
	    fails, alarms, json_array_size(json_object_get(doc, "notes")));
	json_decref(doc);
}
