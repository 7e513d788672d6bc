/*
 * host: struct mcr_host over the worker protocol. Progress is passed on at
 * most five times a second (and always at the end), so a plugin may report
 * as often as it likes; everything else goes out as it comes. The path
 * guard resolves symlinks and ".." before it compares a path with the
 * configured volumes.
 */
#include "autoconfig.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "host.h"
#include "paths.h"
#include "proto.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define PROGRESS_INTERVAL_US (WHEN_US_PER_SEC / 5)

struct mcr_job {
	int64_t id;
	char *kind;
	json_t *params;
	json_t *state;
	FILE *out;
	volatile sig_atomic_t *cancel;
	struct mcr_volume *volumes;
	char **volume_real;	/* realpath of each volume, or NULL */
	size_t nvolumes;
	int64_t last_progress;
	/* the last progress held back by the rate limit: kept as values, so
	 * a plugin may report at every file for the price of a copy */
	struct {
		bool held;
		double fraction, rate, eta;
		bool has_unit, has_subject;
		char unit[32];
		char subject[PATH_MAX + 256];
	} progress;
	char *fail;
	json_t *result;
	int64_t record_since;	/* the oldest record not sent yet; 0: none */
};

/* mcrd is gone; nobody can hear this job any more. */
static void
report_lost(void)
{
	fprintf(stderr, "mcr-worker: cannot report to mcrd: %s\n",
	    strerror(errno));
}

/* The rate limits' clock (µs), which no change of the date moves. */
static int64_t
mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void
emit(struct mcr_job *job, enum proto_type type, json_t *body)
{
	if (body == NULL)
		fatal("building a %s message failed", proto_type_name(type));
	job->record_since = 0;	/* the records held go out first */
	if (proto_write(job->out, type, body) < 0)
		report_lost();
}

static json_t *
text(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
number(double v)
{
	return v >= 0 ? json_real(v) : json_null();
}

static const char *
h_param(struct mcr_job *job, const char *name)
{
	return json_string_value(json_object_get(job->params, name));
}

static int64_t
h_job_id(struct mcr_job *job)
{
	return job->id;
}

static void
flush_progress(struct mcr_job *job)
{
	if (!job->progress.held)
		return;
	job->progress.held = false;
	/* A file name in another encoding must not cost the report. */
	strutil_utf8_fix(job->progress.unit);
	strutil_utf8_fix(job->progress.subject);
	emit(job, PROTO_PROGRESS, json_pack("{s:o, s:o, s:o, s:o, s:o}",
	    "fraction", number(job->progress.fraction),
	    "rate", number(job->progress.rate),
	    "unit", text(job->progress.has_unit ? job->progress.unit : NULL),
	    "eta", number(job->progress.eta),
	    "subject", text(job->progress.has_subject ?
	    job->progress.subject : NULL)));
	job->last_progress = mono_us();
}

static void
h_progress(struct mcr_job *job, double fraction, double rate,
    const char *unit, double eta, const char *subject)
{
	job->progress.held = true;
	job->progress.fraction = fraction;
	job->progress.rate = rate;
	job->progress.eta = eta;
	if ((job->progress.has_unit = unit != NULL))
		strutil_format(job->progress.unit, sizeof job->progress.unit,
		    "%s", unit);
	if ((job->progress.has_subject = subject != NULL))
		strutil_format(job->progress.subject,
		    sizeof job->progress.subject, "%s", subject);
	if (mono_us() - job->last_progress >= PROGRESS_INTERVAL_US ||
	    fraction >= 1)
		flush_progress(job);
}

static void
h_meter(struct mcr_job *job, const char *name, double value,
    const char *unit)
{
	emit(job, PROTO_METER, json_pack("{s:s, s:f, s:o}", "name", name,
	    "value", value, "unit", text(unit)));
}

static void
h_finding(struct mcr_job *job, const char *severity, const char *code,
    const char *position, const char *message)
{
	emit(job, PROTO_FINDING, json_pack("{s:s, s:s, s:o, s:s}",
	    "severity", severity, "code", code, "position", text(position),
	    "message", message));
}

static void
h_event(struct mcr_job *job, const char *severity, const char *kind,
    const char *subject, const char *message)
{
	emit(job, PROTO_EVENT, json_pack("{s:s, s:s, s:o, s:s}",
	    "severity", severity, "kind", kind, "subject", text(subject),
	    "message", message));
}

static void
h_sample(struct mcr_job *job, const char *series, const char *key,
    const char *data)
{
	json_t *d = json_loads(data, 0, NULL);

	if (d == NULL || !json_is_object(d)) {
		fprintf(stderr, "mcr-worker: plugin sample %s/%s is not a JSON "
		    "object; dropped\n", series, key);
		json_decref(d);
		return;
	}
	emit(job, PROTO_SAMPLE, json_pack("{s:s, s:s, s:o}", "series", series,
	    "key", key, "data", d));
}

/* Records go out in bursts: with the next other message, or once the
 * oldest has waited this long (checked at every record and every
 * cancelled() the plugin asks). A burst of catalogue rows then costs the
 * copy one write, not one per row. */
#define RECORD_FLUSH_US 20000

/* Sends the records held once the oldest is due, or now (force). */
static void
records_flush(struct mcr_job *job, bool force)
{
	if (job->record_since == 0 || (!force &&
	    mono_us() - job->record_since < RECORD_FLUSH_US))
		return;
	job->record_since = 0;
	if (proto_flush(job->out) < 0)
		report_lost();
}

static void
h_record(struct mcr_job *job, const char *type, const char *data)
{
	int rc = proto_write_record(job->out, type, data);

	if (rc == -2) {
		fprintf(stderr, "mcr-worker: plugin record %s is not one line "
		    "of a JSON object; dropped\n", type);
		return;
	}
	if (rc < 0) {
		report_lost();
		return;
	}
	if (job->record_since == 0)
		job->record_since = mono_us();
	else
		records_flush(job, false);
}

static const char *
h_state_get(struct mcr_job *job, const char *key)
{
	return json_string_value(json_object_get(job->state, key));
}

static void
h_state_set(struct mcr_job *job, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new(job->state, key, json_string(value));
	else
		json_object_del(job->state, key);
	emit(job, PROTO_STATE, json_pack("{s:s, s:o}", "key", key, "value",
	    text(value)));
}

static int
h_cancelled(struct mcr_job *job)
{
	records_flush(job, false);
	return *job->cancel != 0;
}

/* Resolves path, or for a file not yet written its folder plus name. */
static char *
resolve(const char *path)
{
	char buf[PATH_MAX], *dir, *r;
	const char *base;

	if (realpath(path, buf) != NULL)
		return xstrdup(buf);
	if (errno != ENOENT)
		return NULL;
	dir = paths_dirname(path);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	r = NULL;
	if (strcmp(base, "..") != 0 && strcmp(base, ".") != 0 &&
	    realpath(dir, buf) != NULL)
		r = xasprintf("%s/%s", buf, base);
	free(dir);
	return r;
}

static int
h_path_allowed(struct mcr_job *job, const char *path, int for_write)
{
	char *r = resolve(path);
	size_t i, n;
	int ok = 0;

	if (r == NULL)
		return 0;
	for (i = 0; i < job->nvolumes && !ok; i++) {
		if (job->volume_real[i] == NULL)
			continue;
		n = strlen(job->volume_real[i]);
		ok = strncmp(r, job->volume_real[i], n) == 0 &&
		    (r[n] == '/' || r[n] == '\0' ||
		    strcmp(job->volume_real[i], "/") == 0);
	}
	free(r);
	return ok;
}

static size_t
h_volumes(struct mcr_job *job, const struct mcr_volume **out)
{
	*out = job->volumes;
	return job->nvolumes;
}

static void
h_fail(struct mcr_job *job, const char *message)
{
	free(job->fail);
	job->fail = xstrdup(message);
}

static void
h_result(struct mcr_job *job, const char *json)
{
	json_t *r = json_loads(json, 0, NULL);

	if (r == NULL || !json_is_object(r)) {
		fprintf(stderr, "mcr-worker: plugin result is not a JSON "
		    "object; dropped\n");
		json_decref(r);
		return;
	}
	json_decref(job->result);
	job->result = r;
}

static void
h_log(struct mcr_job *job, const char *message)
{
	char when[40];

	fprintf(stderr, "%s %s\n", when_format(when_now(), true, when,
	    sizeof when), message);
	fflush(stderr);
}

static const struct mcr_host table = {
	.size = sizeof(struct mcr_host),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.param = h_param,
	.job_id = h_job_id,
	.progress = h_progress,
	.meter = h_meter,
	.finding = h_finding,
	.event = h_event,
	.sample = h_sample,
	.state_get = h_state_get,
	.state_set = h_state_set,
	.cancelled = h_cancelled,
	.path_allowed = h_path_allowed,
	.volumes = h_volumes,
	.fail = h_fail,
	.result = h_result,
	.log = h_log,
	.record = h_record,
};

const struct mcr_host *
host_table(void)
{
	return &table;
}

struct mcr_job *
host_job_new(int64_t id, const char *kind, json_t *params, json_t *state,
    const struct config *cfg, FILE *out, volatile sig_atomic_t *cancel)
{
	struct mcr_job *job = xcalloc(1, sizeof *job);
	char buf[PATH_MAX];
	size_t i;

	job->id = id;
	job->kind = xstrdup(kind);
	job->params = json_incref(params);
	job->state = json_incref(state);
	job->out = out;
	job->cancel = cancel;
	job->nvolumes = cfg->nvolumes;
	job->volumes = xcalloc(cfg->nvolumes + 1, sizeof *job->volumes);
	job->volume_real = xcalloc(cfg->nvolumes + 1, sizeof (char *));
	for (i = 0; i < cfg->nvolumes; i++) {
		job->volumes[i].name = cfg->volumes[i].name;
		job->volumes[i].path = cfg->volumes[i].path;
		job->volumes[i].role = cfg->volumes[i].role;
		job->volumes[i].warn = cfg->volumes[i].warn;
		job->volumes[i].crit = cfg->volumes[i].crit;
		if (realpath(cfg->volumes[i].path, buf) != NULL)
			job->volume_real[i] = xstrdup(buf);
	}
	return job;
}

void
host_job_free(struct mcr_job *job)
{
	size_t i;

	if (job == NULL)
		return;
	records_flush(job, true);
	for (i = 0; i < job->nvolumes; i++)
		free(job->volume_real[i]);
	free(job->volume_real);
	free(job->volumes);
	json_decref(job->params);
	json_decref(job->state);
	json_decref(job->result);
	free(job->fail);
	free(job->kind);
	free(job);
}

int
host_job_finish(struct mcr_job *job, int run_result)
{
	const char *status, *message = job->fail;
	bool permanent = false;
	json_t *body;

	flush_progress(job);
	switch (run_result) {
	case MCR_JOB_DONE:
		status = "done";
		message = NULL;
		break;
	case MCR_JOB_CANCELLED:
		status = "cancelled";
		if (message == NULL)
			message = "cancelled by the operator";
		break;
	case MCR_JOB_REFUSED:
		status = "failed";
		permanent = true;
		if (message == NULL)
			message = "the plugin refused the job without saying why";
		break;
	default:
		status = "failed";
		if (message == NULL)
			message = run_result == MCR_JOB_FAILED ?
			    "the plugin reported a failure without saying why" :
			    "the plugin returned an unknown result";
		break;
	}
	body = json_pack("{s:s, s:o, s:O, s:b}", "status", status, "message",
	    text(message), "data", job->result != NULL ? job->result :
	    json_null(), "permanent", permanent);
	if (body == NULL)
		fatal("building the result message failed");
	return proto_write(job->out, PROTO_RESULT, body);
}
