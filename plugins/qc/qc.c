/*
 * qc: the QC duty (D2, D8). qc.check runs the one decode pass
 * (analyse.c) over a file, judges it against a delivery spec (judge.c),
 * hands the report to the host as a "qc.report" record, each open finding
 * as a finding, and writes the report files asked for (report.c); while it
 * runs it keeps the loudness meters live (at most ten updates a second)
 * and its progress. qc.monitor plays a file in real time, or follows a
 * stream, keeping the meters live and raising alarms: each opens an
 * incident once (a record of type "incident") and closes it when the
 * condition has been clear for a while, so a flapping input does not
 * flood the shift log.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "analyse.h"
#include "judge.h"
#include "mcr-plugin.h"
#include "report.h"
#include "spec.h"

#define METER_INTERVAL 0.1	/* seconds: 10 Hz at most */

static char *specs_dir;
static char *default_spec;

static int
qc_config(const char *key, const char *value, char *err, size_t errlen)
{
	char **slot;

	if (strcmp(key, "specs") == 0)
		slot = &specs_dir;
	else if (strcmp(key, "spec") == 0)
		slot = &default_spec;
	else {
		snprintf(err, errlen, "unknown key '%s' (qc takes specs and "
		    "spec)", key);
		return -1;
	}
	if (*value == '\0') {
		snprintf(err, errlen, "%s is empty", key);
		return -1;
	}
	free(*slot);
	*slot = strdup(value);
	return *slot != NULL ? 0 : -1;
}

/* [qc] specs, else $MCR_SPECS (./quickstart points it at the source
 * tree, which is not installed), else the installed folder. */
static const char *
dir(void)
{
	const char *env = getenv("MCR_SPECS");

	if (specs_dir != NULL)
		return specs_dir;
	return env != NULL && *env != '\0' ? env : SYSCONFDIR "/mcr/specs";
}

static double
mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct run {
	struct mcr_job *job;
	const struct mcr_host *host;
	const struct qc_spec *spec;
	const char *subject;
	double last_meter;
	double stop_after;	/* media seconds; 0: to the end */
	double media_time;
	double started;

	/* monitor */
	int monitor;
	double target, tolerance;
	float window[36000];	/* momentary energies, one per 100 ms */
	size_t nwin, win_len, win_pos;
	double last_win;
	struct alarm {
		const char *name;
		const char *severity;
		int open;
		double clear_since;	/* media time the condition cleared */
		char message[256];
	} alarms[5];
	double clear_after;
	int raised;
};

static void
meter(struct run *r, const char *name, double v, const char *unit)
{
	if (isfinite(v))
		r->host->meter(r->job, name, v, unit);
}

static void
alarm_set(struct run *r, struct alarm *a, int on, const char *message)
{
	char data[1024], key[160], title[160];
	json_t *d;

	if (on) {
		a->clear_since = -1;
		if (a->open)
			return;
		a->open = 1;
		r->raised++;
		snprintf(a->message, sizeof a->message, "%s on %s", message,
		    r->subject);
	} else {
		if (!a->open)
			return;
		if (a->clear_since < 0) {
			a->clear_since = r->media_time;
			return;
		}
		if (r->media_time - a->clear_since < r->clear_after)
			return;
		a->open = 0;
	}
	snprintf(key, sizeof key, "qc.monitor.%lld.%s",
	    (long long)r->host->job_id(r->job), a->name);
	snprintf(title, sizeof title, "%s on %s", a->name, r->subject);
	d = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", key, "state",
	    a->open ? "open" : "clear", "severity", a->severity, "title",
	    title, "message", a->open ? a->message : "cleared");
	if (d != NULL) {
		char *txt = json_dumps(d, JSON_COMPACT);

		snprintf(data, sizeof data, "%s", txt != NULL ? txt : "{}");
		free(txt);
		json_decref(d);
		if (r->host->size >= offsetof(struct mcr_host, record) +
		    sizeof r->host->record && r->host->record != NULL)
			r->host->record(r->job, "incident", data);
	}
	if (a->open)
		r->host->event(r->job, a->severity, "qc.alarm", r->subject,
		    a->message);
	else {
		char msg[400];

		snprintf(msg, sizeof msg, "%s cleared: %s", a->name,
		    a->message);
		r->host->event(r->job, "info", "qc.alarm.clear", r->subject,
		    msg);
	}
}

static void
monitor_step(struct run *r, const struct qc_live *l)
{
	const struct qc_spec *s = r->spec;
	double lw = -HUGE_VAL;
	char m[200];

	/* The loudness over the window: the mean of momentary energies. */
	if (isfinite(l->momentary) && r->media_time - r->last_win >= 0.1 -
	    1e-9) {
		r->last_win = r->media_time;
		r->window[r->win_pos] = (float)pow(10, l->momentary / 10);
		r->win_pos = (r->win_pos + 1) % r->win_len;
		if (r->nwin < r->win_len)
			r->nwin++;
	}
	if (r->nwin == r->win_len) {
		double e = 0;
		size_t i;

		for (i = 0; i < r->nwin; i++)
			e += r->window[i];
		lw = 10 * log10(e / (double)r->nwin + 1e-30);
	}
	if (l->have_audio) {
		double sil = qc_spec_num(s, "monitor", "silence", 5);
		double tpm = qc_spec_num(s, "monitor", "true_peak", -1);

		snprintf(m, sizeof m, "silence for %.0f s or more", sil);
		alarm_set(r, &r->alarms[0], l->silence_s >= sil, m);
		if (r->nwin == r->win_len) {
			snprintf(m, sizeof m, "loudness %.1f LUFS over %.0f s, "
			    "outside %.1f +/- %.1f", lw, (double)r->win_len /
			    10, r->target, r->tolerance);
			alarm_set(r, &r->alarms[1], fabs(lw - r->target) >
			    r->tolerance, m);
		}
		snprintf(m, sizeof m, "true peak %.1f dBTP, over %.1f",
		    l->tp_block, tpm);
		alarm_set(r, &r->alarms[2], l->tp_block > tpm, m);
	}
	if (l->have_video) {
		double bl = qc_spec_num(s, "monitor", "black", 2);
		double fr = qc_spec_num(s, "monitor", "freeze", 5);

		snprintf(m, sizeof m, "black for %.0f s or more", bl);
		alarm_set(r, &r->alarms[3], l->black_s >= bl, m);
		snprintf(m, sizeof m, "picture frozen for %.0f s or more", fr);
		alarm_set(r, &r->alarms[4], l->frozen_s >= fr, m);
	}
}

static void
live_cb(void *arg, double progress, double media_time,
    const struct qc_live *l)
{
	struct run *r = arg;
	double now = mono_now();

	r->media_time = media_time;
	if (r->monitor)
		monitor_step(r, l);
	if (now - r->last_meter < METER_INTERVAL && progress < 1)
		return;
	r->last_meter = now;
	if (l->have_audio) {
		meter(r, "momentary", l->momentary, "LUFS");
		meter(r, "short_term", l->short_term, "LUFS");
		meter(r, "integrated", l->integrated, "LUFS");
		meter(r, "lra", l->lra, "LU");
		meter(r, "true_peak", l->true_peak, "dBTP");
	}
	if (l->have_video && r->monitor) {
		meter(r, "black", l->black_s, "s");
		meter(r, "frozen", l->frozen_s, "s");
	}
	if (!r->monitor)
		r->host->progress(r->job, progress, now > r->started ?
		    media_time / (now - r->started) : -1, "x", progress > 0 &&
		    now > r->started ? (now - r->started) * (1 - progress) /
		    progress : -1, r->subject);
	else
		r->host->progress(r->job, r->stop_after > 0 ? media_time /
		    r->stop_after : -1, -1, NULL, -1, r->subject);
}

static int
cancel_cb(void *arg)
{
	struct run *r = arg;

	if (r->stop_after > 0 && r->media_time >= r->stop_after)
		return 1;
	return r->host->cancelled(r->job);
}

static int
failf(struct mcr_job *job, const struct mcr_host *host, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

static int
failf(struct mcr_job *job, const struct mcr_host *host, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	host->fail(job, buf);
	return MCR_JOB_FAILED;
}

static const char *
base(const char *path)
{
	const char *b = strrchr(path, '/');

	return b != NULL && b[1] != '\0' ? b + 1 : path;
}

static int
setup(struct run *r, struct mcr_job *job, const struct mcr_host *host,
    const char *input, struct qc_spec **spec, struct qc_aconf *conf)
{
	const char *which = host->param(job, "spec");
	char err[1024];

	memset(r, 0, sizeof *r);
	r->job = job;
	r->host = host;
	r->subject = base(input);
	r->started = mono_now();
	r->last_meter = -1;
	if (which == NULL)
		which = default_spec != NULL ? default_spec : "ebu-r128-hd";
	if (qc_spec_load(dir(), which, spec, err, sizeof err) < 0)
		return failf(job, host, "%s", err);
	r->spec = *spec;
	memset(conf, 0, sizeof *conf);
	if (qc_judge_conf(*spec, conf, err, sizeof err) < 0) {
		qc_spec_free(*spec);
		return failf(job, host, "%s", err);
	}
	conf->cb_arg = r;
	conf->live = live_cb;
	conf->cancelled = cancel_cb;
	r->target = qc_spec_num(*spec, "loudness", "target", -23);
	r->tolerance = qc_spec_num(*spec, "loudness", "tolerance", 0.5);
	if (qc_spec_severity(*spec, "loudness") != NULL) {
		host->meter(job, "target", r->target, "LUFS");
		host->meter(job, "tolerance", r->tolerance, "LU");
	}
	return MCR_JOB_DONE;
}

static const char *
host_severity(const char *s)
{
	return strcmp(s, "fail") == 0 ? "error" : strcmp(s, "warn") == 0 ?
	    "warning" : "info";
}

static int
qc_check(struct mcr_job *job, const struct mcr_host *host)
{
	const char *file = host->param(job, "file");
	const char *reports = host->param(job, "report");
	const char *exc = host->param(job, "exceptions");
	struct qc_spec *spec = NULL;
	struct qc_aconf conf;
	struct qc_result res;
	struct run *r = calloc(1, sizeof *r);
	json_t *ex = NULL, *rep, *f, *written = json_array();
	char err[1024], *txt;
	const char *verdict;
	size_t i;
	int rc;

	if (r == NULL)
		abort();
	if ((rc = setup(r, job, host, file, &spec, &conf)) != MCR_JOB_DONE)
		goto out_free;
	if (exc != NULL) {
		ex = json_loads(exc, 0, NULL);
		if (!json_is_array(ex)) {
			rc = failf(job, host, "parameter exceptions is not a "
			    "JSON array of approved exceptions");
			goto out_free;
		}
	}
	/* Check the report paths before the pass, not after an hour. */
	if (reports != NULL) {
		char buf[4096], *p, *save = NULL;

		snprintf(buf, sizeof buf, "%s", reports);
		for (p = strtok_r(buf, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save)) {
			if (qc_report_format(p) == NULL) {
				rc = failf(job, host, "report %s: name it "
				    ".html, .json or .txt", p);
				goto out_free;
			}
			if (!host->path_allowed(job, p, 1)) {
				rc = failf(job, host, "report %s is outside "
				    "the configured volumes; write it inside "
				    "one", p);
				goto out_free;
			}
		}
	}
	if (qc_analyse(file, &conf, &res, err, sizeof err) < 0) {
		rc = failf(job, host, "%s", err);
		goto out_free;
	}
	rep = qc_judge(file, spec, &res, ex);
	if (res.stopped_early && host->cancelled(job)) {
		qc_result_free(&res);
		json_decref(rep);
		rc = MCR_JOB_CANCELLED;
		goto out_free;
	}
	qc_result_free(&res);
	json_array_foreach(json_object_get(rep, "findings"), i, f) {
		char pos[64];

		if (strcmp(json_string_value(json_object_get(f, "status")),
		    "open") != 0)
			continue;
		snprintf(pos, sizeof pos, "%s", json_string_value(
		    json_object_get(f, "tc_in")));
		host->finding(job, host_severity(json_string_value(
		    json_object_get(f, "severity"))), json_string_value(
		    json_object_get(f, "check")), pos, json_string_value(
		    json_object_get(f, "message")));
	}
	if (reports != NULL) {
		char buf[4096], *p, *save = NULL;

		snprintf(buf, sizeof buf, "%s", reports);
		for (p = strtok_r(buf, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save)) {
			if (qc_report_write(rep, p, err, sizeof err) < 0) {
				json_decref(rep);
				rc = failf(job, host, "%s", err);
				goto out_free;
			}
			json_array_append_new(written, json_string(p));
		}
	}
	json_object_set(rep, "reports", written);
	txt = json_dumps(rep, JSON_COMPACT | JSON_REAL_PRECISION(7));
	if (host->size >= offsetof(struct mcr_host, record) +
	    sizeof host->record && host->record != NULL)
		host->record(job, "qc.report", txt);
	free(txt);
	verdict = json_string_value(json_object_get(rep, "verdict"));
	{
		json_t *c = json_object_get(rep, "counts");
		json_t *l = json_object_get(json_object_get(rep,
		    "measurements"), "loudness");
		json_t *result = json_pack("{s:s, s:s, s:s, s:O, s:O, s:o, "
		    "s:o, s:s}", "verdict", verdict, "file", file, "spec",
		    spec->name, "counts", c, "reports", written,
		    "integrated", json_deep_copy(json_object_get(l,
		    "integrated")) != NULL ? json_deep_copy(json_object_get(l,
		    "integrated")) : json_null(), "true_peak",
		    json_object_get(l, "true_peak") != NULL ? json_deep_copy(
		    json_object_get(l, "true_peak")) : json_null(),
		    "content_id", json_string_value(json_object_get(rep,
		    "content_id")));
		char msg[600];

		txt = json_dumps(result, JSON_COMPACT);
		host->result(job, txt);
		free(txt);
		json_decref(result);
		snprintf(msg, sizeof msg, "QC %s against %s: %lld failures, "
		    "%lld warnings, %lld excepted", verdict, spec->name,
		    (long long)json_integer_value(json_object_get(c, "fail")),
		    (long long)json_integer_value(json_object_get(c, "warn")),
		    (long long)json_integer_value(json_object_get(c,
		    "excepted")));
		host->event(job, strcmp(verdict, "fail") == 0 ? "warning" :
		    "info", strcmp(verdict, "fail") == 0 ? "qc.fail" :
		    "qc.pass", file, msg);
	}
	json_decref(rep);
	rc = MCR_JOB_DONE;
out_free:
	json_decref(written);
	json_decref(ex);
	qc_spec_free(spec);
	free(r);
	return rc;
}

static int
qc_monitor(struct mcr_job *job, const struct mcr_host *host)
{
	const char *input = host->param(job, "input");
	const char *dur = host->param(job, "duration");
	const char *rt = host->param(job, "realtime");
	struct qc_spec *spec = NULL;
	struct qc_aconf conf;
	struct qc_result res;
	struct run *r = calloc(1, sizeof *r);
	struct stat sb;
	char err[1024], *end;
	int rc, i;

	if (r == NULL)
		abort();
	if ((rc = setup(r, job, host, input, &spec, &conf)) != MCR_JOB_DONE)
		goto out;
	r->monitor = 1;
	r->win_len = (size_t)(qc_spec_num(spec, "monitor", "loudness_window",
	    10) * 10);
	if (r->win_len > sizeof r->window / sizeof r->window[0])
		r->win_len = sizeof r->window / sizeof r->window[0];
	r->tolerance = qc_spec_num(spec, "monitor", "loudness_tolerance", 3);
	r->clear_after = qc_spec_num(spec, "monitor", "clear_after", 2);
	r->last_win = -1;
	r->alarms[0] = (struct alarm){ "silence", "warning", 0, -1, "" };
	r->alarms[1] = (struct alarm){ "loudness", "warning", 0, -1, "" };
	r->alarms[2] = (struct alarm){ "true_peak", "warning", 0, -1, "" };
	r->alarms[3] = (struct alarm){ "black", "error", 0, -1, "" };
	r->alarms[4] = (struct alarm){ "freeze", "error", 0, -1, "" };
	if (dur != NULL) {
		r->stop_after = strtod(dur, &end);
		if (*dur == '\0' || *end != '\0' || !(r->stop_after > 0)) {
			rc = failf(job, host, "duration '%s' is not a number of "
			    "seconds", dur);
			goto out;
		}
	}
	/* A file plays at its own speed unless told otherwise; a stream
	 * paces itself. */
	conf.realtime = rt != NULL ? strcmp(rt, "yes") == 0 :
	    stat(input, &sb) == 0 && S_ISREG(sb.st_mode);
	conf.silence_min = 0.1;
	if (qc_analyse(input, &conf, &res, err, sizeof err) < 0) {
		rc = failf(job, host, "%s", err);
		goto out;
	}
	for (i = 0; i < 5; i++) {
		if (r->alarms[i].open) {
			r->clear_after = 0;
			r->alarms[i].clear_since = r->media_time;
			alarm_set(r, &r->alarms[i], 0, "");
		}
	}
	{
		json_t *o = json_pack("{s:s, s:f, s:i, s:I}", "input", input,
		    "seconds", res.duration, "alarms", r->raised, "errors",
		    (json_int_t)res.nerrors);
		char *t = json_dumps(o, JSON_COMPACT);

		host->result(job, t);
		free(t);
		json_decref(o);
	}
	qc_result_free(&res);
	rc = host->cancelled(job) ? MCR_JOB_CANCELLED : MCR_JOB_DONE;
out:
	qc_spec_free(spec);
	free(r);
	return rc;
}

static const struct mcr_param check_params[] = {
	{ .name = "file", .help = "the media file to check", .required = 1 },
	{ .name = "spec", .help = "delivery spec name or .ini path (default: "
	    "[qc] spec, else ebu-r128-hd)" },
	{ .name = "report", .help = "report files to write, comma-separated: "
	    ".html, .json, .txt" },
	{ .name = "exceptions", .help = "approved exceptions (JSON array; "
	    "mcr qc passes them)" },
	{ NULL }
};

static const struct mcr_param monitor_params[] = {
	{ .name = "input", .help = "a file (played in real time) or a stream "
	    "URL (udp://, srt://, rtp://)", .required = 1 },
	{ .name = "spec", .help = "spec whose [loudness] and [monitor] set "
	    "the alarms" },
	{ .name = "duration", .help = "stop after this many seconds" },
	{ .name = "realtime", .help = "yes or no: pace a file to its clock "
	    "(default yes for files)" },
	{ NULL }
};

static const struct mcr_kind qc_kinds[] = {
	{
		.name = "qc.check",
		.summary = "one-pass QC of a file against a delivery spec",
		.params = check_params,
		.retry_safe = 1,
		.run = qc_check,
	},
	{
		.name = "qc.monitor",
		.summary = "live loudness, silence, black and freeze alarms "
		    "on a file or stream",
		.params = monitor_params,
		.retry_safe = 1,
		.run = qc_monitor,
	},
	{ NULL }
};

static const struct mcr_plugin qc_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "qc",
	.version = PACKAGE_VERSION,
	.summary = "quality control: loudness, picture and sound checks "
	    "against delivery specs; live monitoring",
	.config = qc_config,
	.kinds = qc_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &qc_plugin;
}
