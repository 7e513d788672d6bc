/*
 * clihost: the in-process host (see clihost.h). The path guard allows
 * every path: the CLI acts for the operator who typed it, with their own
 * permissions, on the files they named. Meters are kept as the last value
 * of each name, and reach the shift log only for a job that has a row
 * there (the meters table belongs to jobs).
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clihost.h"
#include "config.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

struct mcr_job {
	char *kind;
	json_t *params;
	json_t *state;
	json_t *records;	/* type -> array */
	json_t *findings;
	json_t *meters;		/* name -> [value, unit] */
	json_t *result;
	json_t *keep;		/* types the verb files itself */
	char *fail;
	struct shiftlog *sl;
	int64_t job_id;
	int flags;
	struct mcr_volume *volumes;
	size_t nvolumes;
	int tty;
	int last_tenth;
	int64_t last_progress;
	int progress_shown;
};

static volatile sig_atomic_t cancel_flag;

static void
on_signal(int sig)
{
	(void)sig;
	cancel_flag = 1;
}

static const char *
h_param(struct mcr_job *job, const char *name)
{
	return json_string_value(json_object_get(job->params, name));
}

static int64_t
h_job_id(struct mcr_job *job)
{
	return job->job_id;
}

static void
h_progress(struct mcr_job *job, double fraction, double rate,
    const char *unit, double eta, const char *subject)
{
	char r[32] = "", e[32] = "";
	int64_t now = when_now();

	if (job->flags & CLIHOST_QUIET)
		return;
	if (rate >= 0)
		snprintf(r, sizeof r, "%.1f%s", rate, unit != NULL ? unit : "");
	if (eta >= 0)
		strutil_duration((int64_t)eta, "-", e, sizeof e);
	if (job->tty) {
		if (now - job->last_progress < WHEN_US_PER_SEC / 5 &&
		    fraction < 1)
			return;
		job->last_progress = now;
		fprintf(stderr, "\r%s %5.1f%% %8s eta %-8s ", job->kind,
		    fraction >= 0 ? fraction * 100 : 0.0, r, e);
		if (subject != NULL)
			fprintf(stderr, "%.40s", subject);
		fprintf(stderr, "\033[K");
		job->progress_shown = 1;
	} else if (fraction >= 0 && (int)(fraction * 10) > job->last_tenth) {
		job->last_tenth = (int)(fraction * 10);
		fprintf(stderr, "%s: %3.0f%% %s\n", job->kind, fraction * 100,
		    r);
	}
}

static void
h_meter(struct mcr_job *job, const char *name, double value,
    const char *unit)
{
	json_object_set_new(job->meters, name, json_pack("[f, s?]", value,
	    unit));
	if (job->sl != NULL && job->job_id > 0)
		shiftlog_meter(job->sl, job->job_id, name, value, unit);
}

static void
h_finding(struct mcr_job *job, const char *severity, const char *code,
    const char *position, const char *message)
{
	json_array_append_new(job->findings, json_pack("{s:s, s:s, s:s?, "
	    "s:s}", "severity", severity, "code", code, "position", position,
	    "message", message));
	if (job->sl != NULL && job->job_id > 0)
		shiftlog_finding(job->sl, job->job_id, severity, code, position,
		    message);
}

static void
h_event(struct mcr_job *job, const char *severity, const char *kind,
    const char *subject, const char *message)
{
	if (job->sl != NULL &&
	    shiftlog_job_event(job->sl, job->job_id, severity, kind, subject,
	    message) < 0)
		fprintf(stderr, "mcr: %s\n", shiftlog_errmsg(job->sl));
}

static void
h_sample(struct mcr_job *job, const char *series, const char *key,
    const char *data)
{
	if (job->sl != NULL &&
	    shiftlog_sample(job->sl, job->job_id, series, key, data) < 0)
		fprintf(stderr, "mcr: %s\n", shiftlog_errmsg(job->sl));
}

static void
h_record(struct mcr_job *job, const char *type, const char *data)
{
	json_t *d = json_loads(data, 0, NULL), *a;
	size_t i;
	json_t *k;

	if (!json_is_object(d)) {
		fprintf(stderr, "mcr: plugin record %s is not a JSON object; "
		    "dropped\n", type);
		json_decref(d);
		return;
	}
	json_array_foreach(job->keep, i, k) {
		if (strcmp(json_string_value(k), type) == 0) {
			a = json_object_get(job->records, type);
			if (a == NULL) {
				a = json_array();
				json_object_set_new(job->records, type, a);
			}
			json_array_append_new(a, d);
			return;
		}
	}
	json_decref(d);
	if (job->sl != NULL &&
	    shiftlog_record(job->sl, job->job_id, type, data) < 0)
		fprintf(stderr, "mcr: %s\n", shiftlog_errmsg(job->sl));
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
}

static int
h_cancelled(struct mcr_job *job)
{
	(void)job;
	return cancel_flag != 0;
}

static int
h_path_allowed(struct mcr_job *job, const char *path, int for_write)
{
	(void)job;
	(void)path;
	(void)for_write;
	return 1;
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

	if (!json_is_object(r)) {
		json_decref(r);
		return;
	}
	json_decref(job->result);
	job->result = r;
}

static void
h_log(struct mcr_job *job, const char *message)
{
	if (job->flags & CLIHOST_VERBOSE)
		fprintf(stderr, "%s: %s\n", job->kind, message);
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

struct mcr_job *
clihost_new(const char *kind, json_t *params, const struct config *cfg,
    struct shiftlog *sl, int64_t job_id, int flags)
{
	struct mcr_job *job = xcalloc(1, sizeof *job);
	size_t i;

	job->kind = xstrdup(kind);
	job->params = json_incref(params);
	job->state = json_object();
	job->records = json_object();
	job->findings = json_array();
	job->meters = json_object();
	job->keep = json_array();
	job->sl = sl;
	job->job_id = job_id;
	job->flags = flags;
	job->tty = isatty(STDERR_FILENO);
	job->last_tenth = -1;
	job->nvolumes = cfg != NULL ? cfg->nvolumes : 0;
	job->volumes = xcalloc(job->nvolumes + 1, sizeof *job->volumes);
	for (i = 0; i < job->nvolumes; i++) {
		job->volumes[i].name = cfg->volumes[i].name;
		job->volumes[i].path = cfg->volumes[i].path;
		job->volumes[i].role = cfg->volumes[i].role;
		job->volumes[i].warn = cfg->volumes[i].warn;
		job->volumes[i].crit = cfg->volumes[i].crit;
	}
	return job;
}

void
clihost_free(struct mcr_job *job)
{
	if (job == NULL)
		return;
	json_decref(job->params);
	json_decref(job->state);
	json_decref(job->records);
	json_decref(job->findings);
	json_decref(job->meters);
	json_decref(job->result);
	json_decref(job->keep);
	free(job->volumes);
	free(job->fail);
	free(job->kind);
	free(job);
}

void
clihost_keep(struct mcr_job *job, const char *type)
{
	json_array_append_new(job->keep, json_string(type));
}

int
clihost_run(struct mcr_job *job, const struct mcr_kind *kind)
{
	struct sigaction sa, old_int, old_term;
	int rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	cancel_flag = 0;
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	rc = kind->run(job, &table);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (job->progress_shown)
		fprintf(stderr, "\r\033[K");
	return rc;
}

json_t *
clihost_records(struct mcr_job *job, const char *type)
{
	return json_object_get(job->records, type);
}

json_t *
clihost_findings(struct mcr_job *job)
{
	return job->findings;
}

json_t *
clihost_result(struct mcr_job *job)
{
	return job->result;
}

const char *
clihost_error(struct mcr_job *job)
{
	return job->fail;
}
