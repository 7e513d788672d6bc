/*
 * conform-report: a conform result as JSON, as text for the terminal and
 * as one self-contained HTML page, and the pull list (CSV and JSON).
 * Timecodes are written at the EDL's rate for record and source, at the
 * media's own rate for media positions.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "conform.h"
#include "strutil.h"
#include "xmalloc.h"

/* The status as a person reads it: "out of range". */
static const char *
status_words(enum conform_status s)
{
	return s == CONFORM_OUT_OF_RANGE ? "out of range" :
	    conform_status_name(s);
}

static const char *
fcm_name(enum edl_fcm f)
{
	return f == EDL_DROP ? "DROP FRAME" : "NON-DROP FRAME";
}

static json_t *
tc(int64_t frames, const struct tc_rate *r)
{
	char buf[TC_FORMAT_SIZE];

	if (r == NULL)
		return json_null();
	return json_string(tc_format(frames, r, buf, sizeof buf));
}

static json_t *
text(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static void
channels(unsigned ch, char *buf, size_t size)
{
	size_t len = 0;
	int t;

	*buf = '\0';
	for (t = 0; t <= 8; t++) {
		unsigned bit = t == 0 ? EDL_CH_V : EDL_CH_A(t);

		if ((ch & bit) && len < size)
			len += (size_t)strutil_format(buf + len, size - len,
			    "%s%s", len ? " " : "", conform_channel_name(bit));
	}
	if (*buf == '\0')
		strutil_copy(buf, "none", size);
}

static const char *
trans_name(enum edl_trans t)
{
	static const char *const names[] = { "C", "D", "W", "K", "KB",
	    "KO" };

	return (size_t)t < sizeof names / sizeof names[0] ? names[t] : "?";
}

static json_t *
clip_json(const struct conform_clip *cc)
{
	const struct edl_event *ev = cc->event;
	const struct edl_clip *cl = cc->clip;
	json_t *o, *probs = json_array(), *media = json_null();
	char ch[64];
	size_t i;

	for (i = 0; i < cc->nproblems; i++)
		json_array_append_new(probs, json_string(cc->problems[i]));
	if (cc->media != NULL) {
		const struct conform_media *m = cc->media;

		media = json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		    "id", (json_int_t)m->id, "path", text(m->path),
		    "name", text(m->name), "reel", text(m->reel),
		    "tc_start", text(m->tc_start), "rate", text(m->rate),
		    "in", tc(cc->media_in, cc->media_rate),
		    "out", tc(cc->media_out, cc->media_rate));
	}
	channels(cl->channels, ch, sizeof ch);
	o = json_pack("{s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
	    "s:I, s:f, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:o}",
	    "event", ev->number, "line", cl->line,
	    "which", cc->which == 0 ? "from" : "to",
	    "reel", cl->reel != NULL ? cl->reel : "",
	    "channels", ch, "transition", trans_name(cl->trans),
	    "src_in", tc(cl->src_in, ev->rate),
	    "src_out", tc(cl->src_out, ev->rate),
	    "rec_in", tc(cl->rec_in, ev->rate),
	    "rec_out", tc(cl->rec_out, ev->rate),
	    "rec_frames", (json_int_t)cl->rec_duration,
	    "speed", cl->speed,
	    "status", conform_status_name(cc->status),
	    "matched_by", cc->key != NULL ?
	    json_string(conform_key_name(cc->matched_by)) : json_null(),
	    "key", text(cc->key),
	    "candidates", (json_int_t)cc->candidates,
	    "media", media, "problems", probs,
	    "relink", text(cc->relink), "note", text(cc->note));
	return o;
}

json_t *
conform_json(const struct conform_result *r)
{
	const struct edl *e = r->edl;
	json_t *clips = json_array(), *tracks = json_array();
	size_t i, gaps = 0, overlaps = 0;

	for (i = 0; i < r->nclips; i++)
		json_array_append_new(clips, clip_json(&r->clips[i]));
	for (i = 0; i < r->nissues; i++) {
		const struct conform_issue *is = &r->issues[i];

		if (is->kind == CONFORM_GAP)
			gaps++;
		else
			overlaps++;
		json_array_append_new(tracks, json_pack("{s:s, s:s, s:o, s:o, "
		    "s:I, s:s, s:s}", "track",
		    conform_channel_name(is->channel), "kind",
		    is->kind == CONFORM_GAP ? "gap" : "overlap",
		    "rec_in", tc(is->rec_in, e->rate),
		    "rec_out", tc(is->rec_out, e->rate),
		    "frames", (json_int_t)(is->rec_out - is->rec_in),
		    "after", is->before->number, "before", is->after->number));
	}
	return json_pack("{s:s, s:o, s:s, s:s, s:s, s:{s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:o, s:o}",
	    "edl", r->edl_name, "title", text(e->title),
	    "rate", e->rate->name, "fcm", fcm_name(e->fcm),
	    "verdict", r->failed ? "fail" : "pass",
	    "summary",
	    "events", (json_int_t)e->nevents,
	    "clips", (json_int_t)r->nclips,
	    "resolved", (json_int_t)r->count[CONFORM_RESOLVED],
	    "missing", (json_int_t)r->count[CONFORM_MISSING],
	    "out_of_range", (json_int_t)r->count[CONFORM_OUT_OF_RANGE],
	    "ambiguous", (json_int_t)r->count[CONFORM_AMBIGUOUS],
	    "black", (json_int_t)r->count[CONFORM_BLACK],
	    "aux", (json_int_t)r->count[CONFORM_AUX],
	    "with_problems", (json_int_t)r->problems,
	    "gaps", (json_int_t)gaps, "overlaps", (json_int_t)overlaps,
	    "clips", clips, "tracks", tracks);
}

static void
summary_line(FILE *f, const struct conform_result *r)
{
	fprintf(f, "%zu events, %zu clip lines: %zu resolved, %zu missing, "
	    "%zu out of range, %zu ambiguous, %zu black; %zu with problems, "
	    "%zu track gaps or overlaps\n", r->edl->nevents, r->nclips,
	    r->count[CONFORM_RESOLVED], r->count[CONFORM_MISSING],
	    r->count[CONFORM_OUT_OF_RANGE], r->count[CONFORM_AMBIGUOUS],
	    r->count[CONFORM_BLACK], r->problems, r->nissues);
}

void
conform_text(FILE *f, const struct conform_result *r)
{
	const struct edl *e = r->edl;
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE], ch[64];
	size_t i, k;

	fprintf(f, "EDL %s%s%s%s, %s fps, %s\n", r->edl_name,
	    e->title ? " \"" : "", e->title ? e->title : "",
	    e->title ? "\"" : "", e->rate->name, fcm_name(e->fcm));
	summary_line(f, r);
	fprintf(f, "\n%-5s %-5s %-16s %-23s %-12s %s\n", "EVENT", "TRACK",
	    "REEL", "SOURCE", "STATUS", "MEDIA");
	for (i = 0; i < r->nclips; i++) {
		const struct conform_clip *cc = &r->clips[i];
		const struct edl_clip *cl = cc->clip;

		channels(cl->channels, ch, sizeof ch);
		tc_format(cl->src_in, cc->event->rate, a, sizeof a);
		tc_format(cl->src_out, cc->event->rate, b, sizeof b);
		fprintf(f, "%-5s %-5s %-16.16s %s-%s %-12s ", cc->event->number,
		    ch, cl->reel != NULL ? cl->reel : "", a, b,
		    status_words(cc->status));
		if (cc->status == CONFORM_RESOLVED)
			fprintf(f, "%s (by %s)\n", cc->media->path,
			    conform_key_name(cc->matched_by));
		else
			fprintf(f, "%s\n", cc->note != NULL ? cc->note : "");
		if (cc->status == CONFORM_RESOLVED && cc->note != NULL)
			fprintf(f, "%36s note: %s\n", "", cc->note);
		for (k = 0; k < cc->nproblems; k++)
			fprintf(f, "%36s %s: %s\n", "", cc->error ? "error" :
			    "warning", cc->problems[k]);
	}
	if (r->nissues > 0)
		fprintf(f, "\nTracks:\n");
	for (i = 0; i < r->nissues; i++) {
		const struct conform_issue *is = &r->issues[i];

		tc_format(is->rec_in, e->rate, a, sizeof a);
		tc_format(is->rec_out, e->rate, b, sizeof b);
		fprintf(f, "  %-3s %-7s record %s-%s (%lld frames) between "
		    "events %s and %s\n", conform_channel_name(is->channel),
		    is->kind == CONFORM_GAP ? "gap" : "overlap", a, b,
		    (long long)(is->rec_out - is->rec_in), is->before->number,
		    is->after->number);
	}
	fprintf(f, "\nverdict: %s\n", r->failed ? "FAIL" : "pass");
}

int
conform_html(FILE *f, const struct conform_result *r)
{
	const struct edl *e = r->edl;
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE], c[TC_FORMAT_SIZE],
	    d[TC_FORMAT_SIZE], ch[64];
	size_t i, k;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	    "<title>Conform: ", f);
	strutil_html(f, r->edl_name);
	fputs("</title><style>\n"
	    "body{font:14px/1.4 sans-serif;margin:24px;color:#222}\n"
	    "h1{font-size:20px;margin:0 0 4px}\n"
	    ".verdict{display:inline-block;padding:4px 12px;border-radius:4px;"
	    "font-weight:bold;color:#fff}\n"
	    ".pass{background:#2e7d32}.fail{background:#c62828}\n"
	    "table{border-collapse:collapse;margin-top:12px;width:100%}\n"
	    "th,td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;"
	    "vertical-align:top}\n"
	    "th{background:#f0f0f0}td.tc{font-family:monospace;white-space:"
	    "nowrap}\n"
	    "tr.resolved td.st{color:#2e7d32}tr.missing td.st,"
	    "tr.out_of_range td.st,tr.ambiguous td.st{color:#c62828;"
	    "font-weight:bold}\n"
	    "tr.black td.st,tr.aux td.st{color:#777}\n"
	    ".prob{color:#b26a00}.err{color:#c62828}\n"
	    "</style></head><body>\n<h1>Conform: ", f);
	strutil_html(f, r->edl_name);
	fputs("</h1>\n<p><span class=\"verdict ", f);
	fputs(r->failed ? "fail\">FAIL" : "pass\">PASS", f);
	fputs("</span> ", f);
	if (e->title != NULL) {
		fputs("<b>", f);
		strutil_html(f, e->title);
		fputs("</b>, ", f);
	}
	fprintf(f, "%s fps, %s</p>\n<p>", e->rate->name, fcm_name(e->fcm));
	summary_line(f, r);
	fputs("</p>\n<table><tr><th>Event</th><th>Track</th><th>Reel</th>"
	    "<th>Source in–out</th><th>Record in–out</th><th>Status</th>"
	    "<th>Media</th><th>Notes</th></tr>\n", f);
	for (i = 0; i < r->nclips; i++) {
		const struct conform_clip *cc = &r->clips[i];
		const struct edl_clip *cl = cc->clip;

		channels(cl->channels, ch, sizeof ch);
		tc_format(cl->src_in, cc->event->rate, a, sizeof a);
		tc_format(cl->src_out, cc->event->rate, b, sizeof b);
		tc_format(cl->rec_in, cc->event->rate, c, sizeof c);
		tc_format(cl->rec_out, cc->event->rate, d, sizeof d);
		fprintf(f, "<tr class=\"%s\"><td>", conform_status_name(
		    cc->status));
		strutil_html(f, cc->event->number);
		fprintf(f, "</td><td>%s</td><td>", ch);
		strutil_html(f, cl->reel);
		fprintf(f, "</td><td class=\"tc\">%s–%s</td><td class=\"tc\">"
		    "%s–%s</td><td class=\"st\">%s</td><td>", a, b, c, d,
		    status_words(cc->status));
		if (cc->media != NULL)
			strutil_html(f, cc->media->path);
		fputs("</td><td>", f);
		if (cc->note != NULL)
			strutil_html(f, cc->note);
		for (k = 0; k < cc->nproblems; k++) {
			fprintf(f, "<div class=\"%s\">", cc->error ? "err" :
			    "prob");
			strutil_html(f, cc->problems[k]);
			fputs("</div>", f);
		}
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	if (r->nissues > 0) {
		fputs("<h2>Tracks</h2>\n<table><tr><th>Track</th><th>What</th>"
		    "<th>Record</th><th>Frames</th><th>Between events</th>"
		    "</tr>\n", f);
		for (i = 0; i < r->nissues; i++) {
			const struct conform_issue *is = &r->issues[i];

			tc_format(is->rec_in, e->rate, a, sizeof a);
			tc_format(is->rec_out, e->rate, b, sizeof b);
			fprintf(f, "<tr><td>%s</td><td>%s</td><td class=\"tc\">"
			    "%s–%s</td><td>%lld</td><td>",
			    conform_channel_name(is->channel),
			    is->kind == CONFORM_GAP ? "gap" : "overlap", a, b,
			    (long long)(is->rec_out - is->rec_in));
			strutil_html(f, is->before->number);
			fputs(" and ", f);
			strutil_html(f, is->after->number);
			fputs("</td></tr>\n", f);
		}
		fputs("</table>\n", f);
	}
	fputs("</body></html>\n", f);
	return ferror(f) ? -1 : 0;
}

/* --- the pull list --- */

static int
pull_cmp(const void *a, const void *b)
{
	const struct conform_pull *x = a, *y = b;

	/* By catalogue row: two lookups may return copies of one row. */
	if (x->media->id != y->media->id)
		return x->media->id < y->media->id ? -1 : 1;
	return x->in < y->in ? -1 : x->in > y->in;
}

int
conform_pull_list(const struct conform_result *r, int64_t handles,
    struct conform_pull **out, size_t *nout)
{
	struct conform_pull *v = xcalloc(r->nclips + 1, sizeof *v);
	size_t i, n = 0, m = 0;

	for (i = 0; i < r->nclips; i++) {
		const struct conform_clip *cc = &r->clips[i];
		int64_t start = cc->media_first, end, in, outf;

		if (cc->status != CONFORM_RESOLVED || cc->media_rate == NULL)
			continue;
		/* Handles, but not beyond the media's first or last frame
		 * (a resolved clip lies inside them). */
		end = start + cc->media_frames;
		in = cc->media_in - handles < start ? start :
		    cc->media_in - handles;
		outf = cc->media_out + handles > end ? end :
		    cc->media_out + handles;
		v[n].media = cc->media;
		v[n].rate = cc->media_rate;
		v[n].in = in;
		v[n].out = outf;
		v[n++].events = xstrdup(cc->event->number);
	}
	qsort(v, n, sizeof *v, pull_cmp);
	/* One entry per file and continuous range. */
	for (i = 0; i < n; i++) {
		if (m > 0 && v[m - 1].media->id == v[i].media->id && v[i].in <=
		    v[m - 1].out) {
			char *ev;

			if (v[i].out > v[m - 1].out)
				v[m - 1].out = v[i].out;
			if (strstr(v[m - 1].events, v[i].events) == NULL) {
				ev = xasprintf("%s,%s", v[m - 1].events,
				    v[i].events);
				free(v[m - 1].events);
				v[m - 1].events = ev;
			}
			free(v[i].events);
			continue;
		}
		v[m++] = v[i];
	}
	*out = v;
	*nout = m;
	return 0;
}

void
conform_pull_free(struct conform_pull *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].events);
	free(v);
}

/* A CSV field, quoted when it must be (RFC 4180). */
static void
csv_field(FILE *f, const char *s)
{
	if (s == NULL)
		s = "";
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void
conform_pull_csv(FILE *f, const struct conform_pull *v, size_t n)
{
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE];
	size_t i;

	fputs("path,name,reel,tc_in,tc_out,frames,rate,events\r\n", f);
	for (i = 0; i < n; i++) {
		tc_format(v[i].in, v[i].rate, a, sizeof a);
		tc_format(v[i].out, v[i].rate, b, sizeof b);
		csv_field(f, v[i].media->path);
		fputc(',', f);
		csv_field(f, v[i].media->name);
		fputc(',', f);
		csv_field(f, v[i].media->reel);
		fprintf(f, ",%s,%s,%lld,%s,", a, b,
		    (long long)(v[i].out - v[i].in), v[i].rate->name);
		csv_field(f, v[i].events);
		fputs("\r\n", f);
	}
}

json_t *
conform_pull_json(const struct conform_pull *v, size_t n, int64_t handles)
{
	json_t *files = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(files, json_pack("{s:o, s:o, s:o, s:o, "
		    "s:o, s:I, s:s, s:s}", "path", text(v[i].media->path),
		    "name", text(v[i].media->name),
		    "reel", text(v[i].media->reel),
		    "tc_in", tc(v[i].in, v[i].rate),
		    "tc_out", tc(v[i].out, v[i].rate),
		    "frames", (json_int_t)(v[i].out - v[i].in),
		    "rate", v[i].rate->name, "events", v[i].events));
	return json_pack("{s:I, s:o}", "handles", (json_int_t)handles,
	    "files", files);
}
