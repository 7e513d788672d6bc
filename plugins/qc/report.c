/*
 * report: renders a QC report (see report.h). The text and the HTML read
 * the same JSON fields, so a report rendered later from the shift log
 * matches the one written at the time, plus any grade added since.
 */
#include "autoconfig.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "strutil.h"

#define W 900
#define H 180
#define PAD 40

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

static double
dbl(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void
fmt_value(const json_t *f, char *buf, size_t size)
{
	double v = dbl(f, "value");
	const char *u = str(f, "unit");

	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.*f%s%s", fabs(v) >= 100 ||
		    v == floor(v) ? 0 : 1, v, *u ? " " : "", u);
}

static void
text_group(FILE *out, const json_t *rep, const char *title,
    const char *severity, int excepted)
{
	json_t *fs = json_object_get(rep, "findings"), *f;
	size_t i;
	int first = 1;

	json_array_foreach(fs, i, f) {
		int ex = strcmp(str(f, "status"), "excepted") == 0;
		char v[64];

		if (ex != excepted || (!excepted && strcmp(str(f, "severity"),
		    severity) != 0))
			continue;
		if (first)
			fprintf(out, "\n%s\n", title);
		first = 0;
		fmt_value(f, v, sizeof v);
		fprintf(out, "  #%-3lld %-11s %-16s %s%s%s  %s\n",
		    (long long)json_integer_value(json_object_get(f, "n")),
		    str(f, "tc_in"), str(f, "check"), json_is_string(
		    json_object_get(f, "tc_out")) ? "-> " : "",
		    str(f, "tc_out"), json_is_string(json_object_get(f,
		    "tc_out")) ? "" : "", v);
		fprintf(out, "       %s\n", str(f, "message"));
		if (json_is_string(json_object_get(f, "remedy")))
			fprintf(out, "       remedy: %s\n", str(f, "remedy"));
		if (ex) {
			json_t *e = json_object_get(f, "exception");

			fprintf(out, "       approved by %s: %s\n", str(e,
			    "approved_by"), str(e, "reason"));
		}
	}
}

void
qc_report_text(FILE *out, const json_t *rep)
{
	json_t *m = json_object_get(rep, "measurements");
	json_t *l = json_object_get(m, "loudness");
	json_t *v = json_object_get(m, "video");
	json_t *c = json_object_get(rep, "counts");
	json_t *g = json_object_get(rep, "grade");
	const char *verdict = str(rep, "verdict");
	char up[8];
	size_t i;

	for (i = 0; verdict[i] != '\0' && i < sizeof up - 1; i++)
		up[i] = (char)(verdict[i] >= 'a' && verdict[i] <= 'z' ?
		    verdict[i] - 32 : verdict[i]);
	up[i] = '\0';
	fprintf(out, "QC %s  %s\n", up, str(rep, "file"));
	fprintf(out, "spec %s (%s)\n", str(json_object_get(rep, "spec"),
	    "name"), str(json_object_get(rep, "spec"), "title"));
	fprintf(out, "%lld failures, %lld warnings, %lld notes, %lld "
	    "excepted; timecode from %s (%s)%s\n",
	    (long long)json_integer_value(json_object_get(c, "fail")),
	    (long long)json_integer_value(json_object_get(c, "warn")),
	    (long long)json_integer_value(json_object_get(c, "info")),
	    (long long)json_integer_value(json_object_get(c, "excepted")),
	    str(json_object_get(rep, "timecode"), "start"),
	    str(json_object_get(rep, "timecode"), "source"),
	    json_is_false(json_object_get(rep, "complete")) ?
	    "; INCOMPLETE: the pass was stopped" : "");
	if (l != NULL)
		fprintf(out, "loudness: I %.1f LUFS, LRA %.1f LU, max M %.1f, "
		    "max S %.1f LUFS, true peak %.1f dBTP\n",
		    dbl(l, "integrated"), dbl(l, "lra"), dbl(l,
		    "max_momentary"), dbl(l, "max_short_term"), dbl(l,
		    "true_peak"));
	if (v != NULL)
		fprintf(out, "video: %lld frames %lldx%lld, %lld black, %lld "
		    "frozen, Y' %.0f-%.0f, up to %.0f flashes/s\n",
		    (long long)json_integer_value(json_object_get(v, "frames")),
		    (long long)json_integer_value(json_object_get(v, "width")),
		    (long long)json_integer_value(json_object_get(v, "height")),
		    (long long)json_integer_value(json_object_get(v,
		    "black_frames")), (long long)json_integer_value(
		    json_object_get(v, "frozen_frames")), dbl(v, "luma_low"),
		    dbl(v, "luma_high"), dbl(v, "max_flashes_per_second"));
	if (l != NULL && strcmp(str(l, "gating"), "dialogue") == 0)
		fprintf(out, "dialogue-gated: %.1f LUFS (speech in %.0f %% of "
		    "the programme; %s)\n", dbl(l, "dialogue"), dbl(l,
		    "speech_share"), str(l, "speech_gate"));
	if (v != NULL && json_object_get(v, "scan") != NULL)
		fprintf(out, "scan: %s from the pictures, flagged %s; "
		    "patterns over up to %.0f %% of the screen\n",
		    str(json_object_get(v, "scan"), "content"),
		    str(json_object_get(v, "scan"), "flags"), dbl(v,
		    "max_pattern_area"));
	text_group(out, rep, "FAILURES", "fail", 0);
	text_group(out, rep, "WARNINGS", "warn", 0);
	text_group(out, rep, "NOTES", "info", 0);
	text_group(out, rep, "EXCEPTIONS (approved)", NULL, 1);
	if (json_is_object(g))
		fprintf(out, "\ngrade %lld/5 by %s: %s\n", (long long)
		    json_integer_value(json_object_get(g, "grade")), str(g,
		    "by"), str(g, "comment"));
}

/* --- HTML --- */

/* A line plot of one or two series against [lo, hi], with horizontal
 * guides; step is seconds per point. */
static void
plot(FILE *f, const char *title, const char *unit, double step, double lo,
    double hi, const json_t *a, const char *ca, const json_t *b,
    const char *cb, double band_lo, double band_hi, const double *guides,
    size_t nguides)
{
	const json_t *ser[2] = { a, b };
	const char *col[2] = { ca, cb };
	size_t n = json_array_size(a), i, s, k;
	double dur = (double)n * step, x, y;
	int pen;

	if (n == 0)
		return;
	fprintf(f, "<h3>");
	strutil_html(f, title);
	fprintf(f, "</h3>\n<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n"
	    "<rect x=\"%d\" y=\"0\" width=\"%d\" height=\"%d\" "
	    "fill=\"#fafafa\" stroke=\"#999\"/>\n", W + PAD, H + 20, W + PAD,
	    H + 20, PAD, W, H);
	if (!isnan(band_lo)) {
		double y1 = H - (band_hi - lo) / (hi - lo) * H;
		double y2 = H - (band_lo - lo) / (hi - lo) * H;

		fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" "
		    "height=\"%.1f\" fill=\"#cfe8cf\"/>\n", PAD, y1, W,
		    y2 - y1 > 1 ? y2 - y1 : 1);
	}
	for (k = 0; k < nguides; k++) {
		y = H - (guides[k] - lo) / (hi - lo) * H;
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" "
		    "stroke=\"#c33\" stroke-dasharray=\"4 3\"/>"
		    "<text x=\"2\" y=\"%.1f\" font-size=\"10\">%g</text>\n",
		    PAD, PAD + W, y, y, y + 3, guides[k]);
	}
	fprintf(f, "<text x=\"2\" y=\"10\" font-size=\"10\">%g %s</text>"
	    "<text x=\"2\" y=\"%d\" font-size=\"10\">%g</text>\n", hi, unit,
	    H, lo);
	for (k = 0; k <= 4; k++)
		fprintf(f, "<text x=\"%.0f\" y=\"%d\" font-size=\"10\">"
		    "%.0f s</text>\n", PAD + W * k / 4.0 - (k == 4 ? 30 : 0),
		    H + 14, dur * (double)k / 4);
	for (s = 0; s < 2; s++) {
		if (ser[s] == NULL)
			continue;
		fprintf(f, "<path fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"1.2\" d=\"", col[s]);
		pen = 0;
		n = json_array_size(ser[s]);
		for (i = 0; i < n; i++) {
			json_t *p = json_array_get(ser[s], i);

			if (!json_is_number(p)) {
				pen = 0;
				continue;
			}
			y = json_number_value(p);
			y = y < lo ? lo : y > hi ? hi : y;
			x = PAD + (double)i / (double)(n > 1 ? n - 1 : 1) * W;
			fprintf(f, "%c%.1f %.1f ", pen ? 'L' : 'M', x,
			    H - (y - lo) / (hi - lo) * H);
			pen = 1;
		}
		fprintf(f, "\"/>\n");
	}
	fprintf(f, "</svg>\n");
}

static void
html_group(FILE *f, const json_t *rep, const char *title, const char *cls,
    const char *severity, int excepted)
{
	json_t *fs = json_object_get(rep, "findings"), *x;
	size_t i;
	int first = 1;

	json_array_foreach(fs, i, x) {
		int ex = strcmp(str(x, "status"), "excepted") == 0;
		char v[64];

		if (ex != excepted || (!excepted && strcmp(str(x, "severity"),
		    severity) != 0))
			continue;
		if (first) {
			fprintf(f, "<h2 class=\"%s\">%s</h2>\n<table><tr>"
			    "<th>#</th><th>check</th><th>in</th><th>out</th>"
			    "<th>value</th><th>limit</th><th>finding</th>"
			    "</tr>\n", cls, title);
		}
		first = 0;
		fmt_value(x, v, sizeof v);
		fprintf(f, "<tr class=\"%s\"><td>%lld</td><td>", cls,
		    (long long)json_integer_value(json_object_get(x, "n")));
		strutil_html(f, str(x, "check"));
		fprintf(f, "</td><td class=\"tc\">");
		strutil_html(f, str(x, "tc_in"));
		fprintf(f, "</td><td class=\"tc\">");
		strutil_html(f, str(x, "tc_out"));
		fprintf(f, "</td><td>");
		strutil_html(f, v);
		fprintf(f, "</td><td>");
		strutil_html(f, str(x, "limit"));
		fprintf(f, "</td><td>");
		strutil_html(f, str(x, "message"));
		if (json_is_string(json_object_get(x, "remedy"))) {
			fprintf(f, "<br><i>");
			strutil_html(f, str(x, "remedy"));
			fprintf(f, "</i>");
		}
		if (ex) {
			json_t *e = json_object_get(x, "exception");

			fprintf(f, "<br><b>Approved by ");
			strutil_html(f, str(e, "approved_by"));
			fprintf(f, ":</b> ");
			strutil_html(f, str(e, "reason"));
		}
		fprintf(f, "</td></tr>\n");
	}
	if (!first)
		fprintf(f, "</table>\n");
}

static void
html(FILE *f, const json_t *rep)
{
	json_t *m = json_object_get(rep, "measurements");
	json_t *l = json_object_get(m, "loudness");
	json_t *v = json_object_get(m, "video");
	json_t *c = json_object_get(rep, "counts");
	json_t *s = json_object_get(rep, "series");
	json_t *sp = json_object_get(rep, "spec");
	json_t *g = json_object_get(rep, "grade");
	const char *verdict = str(rep, "verdict");
	double target = NAN, tol = NAN;
	size_t i;
	json_t *x;

	/* The target band: from the loudness finding's limit if there is
	 * one, else from the spec values kept in the report. */
	target = dbl(json_object_get(rep, "targets"), "loudness");
	tol = dbl(json_object_get(rep, "targets"), "tolerance");
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><title>QC %s: ", verdict);
	strutil_html(f, str(rep, "file"));
	fprintf(f, "</title>\n<style>\nbody{font-family:sans-serif;margin:"
	    "1.5em;color:#222}\n.verdict{font-size:2.4em;font-weight:bold;"
	    "padding:.3em .6em;color:#fff;display:inline-block}\n.pass{"
	    "background:#2a7d2a}.warn{background:#b8860b}.fail{background:"
	    "#b22222}.info{background:#456}.excepted{background:#557}\n"
	    "h2.fail,h2.warn,h2.info,h2.excepted{color:#fff;padding:.2em "
	    ".4em}\ntable{border-collapse:collapse;margin:.5em 0}td,th{"
	    "border:1px solid #ccc;padding:.25em .5em;text-align:left;"
	    "vertical-align:top}tr.fail td,tr.warn td,tr.info td,tr.excepted "
	    "td{background:#fff;color:#222}\n.tc{font-family:monospace;"
	    "white-space:nowrap}\n</style></head><body>\n");
	fprintf(f, "<div class=\"verdict %s\">%s</div>\n<p><b>", verdict,
	    strcmp(verdict, "pass") == 0 ? "PASS" : strcmp(verdict, "warn") ==
	    0 ? "PASS WITH WARNINGS" : "FAIL");
	strutil_html(f, str(rep, "file"));
	fprintf(f, "</b><br>spec <b>");
	strutil_html(f, str(sp, "name"));
	fprintf(f, "</b> (");
	strutil_html(f, str(sp, "title"));
	fprintf(f, ")<br>%lld failures, %lld warnings, %lld notes, %lld "
	    "approved exceptions; analysed ",
	    (long long)json_integer_value(json_object_get(c, "fail")),
	    (long long)json_integer_value(json_object_get(c, "warn")),
	    (long long)json_integer_value(json_object_get(c, "info")),
	    (long long)json_integer_value(json_object_get(c, "excepted")));
	strutil_html(f, str(rep, "analysed"));
	fprintf(f, "; timecode from ");
	strutil_html(f, str(json_object_get(rep, "timecode"), "start"));
	if (json_is_false(json_object_get(rep, "complete")))
		fprintf(f, "<br><b>INCOMPLETE: the pass was stopped before "
		    "the end.</b>");
	fprintf(f, "</p>\n");
	if (json_is_object(g)) {
		fprintf(f, "<p>Operator's grade (ITU-R BT.500): <b>%lld/5</b> "
		    "by ", (long long)json_integer_value(json_object_get(g,
		    "grade")));
		strutil_html(f, str(g, "by"));
		fprintf(f, ": ");
		strutil_html(f, str(g, "comment"));
		fprintf(f, "</p>\n");
	}
	html_group(f, rep, "Failures", "fail", "fail", 0);
	html_group(f, rep, "Warnings", "warn", "warn", 0);
	html_group(f, rep, "Approved exceptions", "excepted", NULL, 1);
	html_group(f, rep, "Notes", "info", "info", 0);
	fprintf(f, "<h2>Measurements</h2>\n<table>\n");
	if (l != NULL)
		fprintf(f, "<tr><th>integrated</th><td>%.1f LUFS</td></tr>"
		    "<tr><th>loudness range</th><td>%.1f LU</td></tr>"
		    "<tr><th>max momentary</th><td>%.1f LUFS</td></tr>"
		    "<tr><th>max short-term</th><td>%.1f LUFS</td></tr>"
		    "<tr><th>true peak</th><td>%.1f dBTP</td></tr>\n",
		    dbl(l, "integrated"), dbl(l, "lra"), dbl(l,
		    "max_momentary"), dbl(l, "max_short_term"), dbl(l,
		    "true_peak"));
	if (v != NULL)
		fprintf(f, "<tr><th>frames</th><td>%lld (%lldx%lld)</td></tr>"
		    "<tr><th>black / frozen frames</th><td>%lld / %lld</td>"
		    "</tr><tr><th>luma (0.5-99.5 %%)</th><td>%.0f-%.0f</td>"
		    "</tr><tr><th>most flashes a second</th><td>%.0f</td>"
		    "</tr>\n", (long long)json_integer_value(
		    json_object_get(v, "frames")), (long long)
		    json_integer_value(json_object_get(v, "width")),
		    (long long)json_integer_value(json_object_get(v,
		    "height")), (long long)json_integer_value(
		    json_object_get(v, "black_frames")), (long long)
		    json_integer_value(json_object_get(v, "frozen_frames")),
		    dbl(v, "luma_low"), dbl(v, "luma_high"), dbl(v,
		    "max_flashes_per_second"));
	if (l != NULL && strcmp(str(l, "gating"), "dialogue") == 0) {
		fprintf(f, "<tr><th>dialogue-gated</th><td>%.1f LUFS, speech "
		    "in %.0f %% of the programme (", dbl(l, "dialogue"),
		    dbl(l, "speech_share"));
		strutil_html(f, str(l, "speech_gate"));
		fprintf(f, ")</td></tr>\n");
	}
	if (v != NULL && json_object_get(v, "scan") != NULL) {
		fprintf(f, "<tr><th>scan</th><td>");
		strutil_html(f, str(json_object_get(v, "scan"), "content"));
		fprintf(f, " from the pictures, flagged ");
		strutil_html(f, str(json_object_get(v, "scan"), "flags"));
		fprintf(f, "</td></tr><tr><th>regular patterns</th><td>up to "
		    "%.0f %% of the screen</td></tr>\n", dbl(v,
		    "max_pattern_area"));
	}
	json_array_foreach(json_object_get(json_object_get(rep, "probe"),
	    "streams"), i, x) {
		fprintf(f, "<tr><th>stream %zu</th><td>", i);
		strutil_html(f, str(x, "type"));
		fprintf(f, " ");
		strutil_html(f, str(x, "codec"));
		if (json_object_get(x, "width") != NULL)
			fprintf(f, " %lldx%lld %.3f fps %s ", (long long)
			    json_integer_value(json_object_get(x, "width")),
			    (long long)json_integer_value(json_object_get(x,
			    "height")), dbl(x, "frame_rate"), str(x,
			    "field_order"));
		strutil_html(f, str(x, "pix_fmt"));
		if (json_object_get(x, "sample_rate") != NULL)
			fprintf(f, " %lld Hz %lld ch ", (long long)
			    json_integer_value(json_object_get(x,
			    "sample_rate")), (long long)json_integer_value(
			    json_object_get(x, "channels")));
		strutil_html(f, str(x, "layout"));
		fprintf(f, "</td></tr>\n");
	}
	fprintf(f, "</table>\n");
	if (json_object_get(s, "momentary") != NULL) {
		double tpl = dbl(json_object_get(rep, "targets"), "true_peak");

		plot(f, "Loudness: momentary (grey) and short-term (blue) "
		    "against the target band", "LUFS", dbl(s, "audio_step"),
		    -60, 0, json_object_get(s, "momentary"), "#999",
		    json_object_get(s, "short_term"), "#1f5fbf",
		    isnan(target) ? NAN : target - (isnan(tol) ? 0 : tol),
		    isnan(target) ? NAN : target + (isnan(tol) ? 0 : tol),
		    NULL, 0);
		plot(f, "True peak", "dBTP", dbl(s, "audio_step"), -40, 3,
		    json_object_get(s, "true_peak"), "#b22222", NULL, NULL,
		    NAN, NAN, isnan(tpl) ? NULL : &tpl, isnan(tpl) ? 0 : 1);
	}
	if (json_object_get(s, "luma_low") != NULL) {
		const double g2[] = { 16, 235,
		    dbl(json_object_get(rep, "targets"), "luma_min"),
		    dbl(json_object_get(rep, "targets"), "luma_max") };
		const double g3[] = { dbl(json_object_get(rep, "targets"),
		    "flash_limit") };

		plot(f, "Luma range: 0.5th (green) and 99.5th (black) "
		    "percentile, 8-bit codes", "Y'", dbl(s, "video_step"), 0,
		    255, json_object_get(s, "luma_low"), "#2a7d2a",
		    json_object_get(s, "luma_high"), "#222", NAN, NAN, g2,
		    isnan(g2[2]) ? 2 : 4);
		plot(f, "Flash activity: most flashes a second in any region",
		    "/s", dbl(s, "video_step"), 0, 12, json_object_get(s,
		    "flashes"), "#c60", NULL, NULL, NAN, NAN, g3,
		    isnan(g3[0]) ? 0 : 1);
	}
	if (json_array_size(json_object_get(rep, "errors")) > 0) {
		fprintf(f, "<h2>Decoding errors</h2><ul>\n");
		json_array_foreach(json_object_get(rep, "errors"), i, x) {
			fprintf(f, "<li>%.2f s: ", dbl(x, "t"));
			strutil_html(f, str(x, "message"));
			fprintf(f, "</li>\n");
		}
		fprintf(f, "</ul>\n");
	}
	fprintf(f, "<p style=\"color:#777;font-size:.8em\">mcr QC report, "
	    "schema %s, content %s. Flashes judged in 32x18 regions on a "
	    "%s cd/m&sup2; BT.1886 display model.</p>\n</body></html>\n",
	    str(rep, "schema"), str(rep, "content_id"), "200");
}

const char *
qc_report_format(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return NULL;
	if (strcmp(dot, ".html") == 0 || strcmp(dot, ".htm") == 0)
		return "html";
	if (strcmp(dot, ".json") == 0)
		return "json";
	if (strcmp(dot, ".txt") == 0)
		return "txt";
	return NULL;
}

int
qc_report_write(const json_t *rep, const char *path, char *err,
    size_t errlen)
{
	const char *fmt = qc_report_format(path);
	size_t n = strlen(path) + 6;
	char *tmp = malloc(n);
	FILE *f;
	int bad;

	if (fmt == NULL) {
		snprintf(err, errlen, "report %s: name it .html, .json or .txt",
		    path);
		free(tmp);
		return -1;
	}
	snprintf(tmp, n, "%s.part", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "cannot write report %s: %s", tmp,
		    strerror(errno));
		free(tmp);
		return -1;
	}
	if (strcmp(fmt, "html") == 0)
		html(f, rep);
	else if (strcmp(fmt, "json") == 0) {
		json_dumpf(rep, f, JSON_INDENT(1) | JSON_REAL_PRECISION(6));
		fputc('\n', f);
	} else {
		qc_report_text(f, rep);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		snprintf(err, errlen, "cannot write report %s: %s", tmp,
		    strerror(errno != 0 ? errno : EIO));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path,
		    strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}
