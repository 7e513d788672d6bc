/*
 * model: shift-log rows copied into fixed-size records, so a screen can
 * keep them across loop turns without holding SQLite statements open.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "model.h"
#include "shiftlog.h"
#include "strutil.h"
#include "xmalloc.h"

struct grow {
	void **v;
	size_t *n;
	size_t size;
};

static void *
append(struct grow *g)
{
	char *p;

	/* Grow by doubling: thousands of rows, not thousands of reallocs. */
	if ((*g->n & (*g->n - 1)) == 0)
		*g->v = xrealloc(*g->v, (*g->n ? *g->n * 2 : 16) * g->size);
	p = (char *)*g->v + *g->n * g->size;
	memset(p, 0, g->size);
	(*g->n)++;
	return p;
}

static void
copy(char *dst, const char *src, size_t size)
{
	strutil_copy(dst, src != NULL ? src : "", size);
}

static int
take_job(const struct shiftlog_job *j, void *arg)
{
	struct model_job *m = append(arg);
	json_t *params;

	m->id = j->id;
	m->priority = j->priority;
	m->eta = j->eta;
	m->created = j->created;
	m->started = j->started;
	m->finished = j->finished;
	m->attempts = j->attempts;
	m->progress = j->progress;
	m->rate = j->rate;
	copy(m->kind, j->kind, sizeof m->kind);
	copy(m->state, j->state, sizeof m->state);
	copy(m->subject, j->subject, sizeof m->subject);
	copy(m->by, j->requested_by, sizeof m->by);
	copy(m->error, j->error, sizeof m->error);
	copy(m->progress_subject, j->progress_subject,
	    sizeof m->progress_subject);
	copy(m->rate_unit, j->rate_unit, sizeof m->rate_unit);
	params = json_loads(j->params, 0, NULL);
	copy(m->to, json_string_value(json_object_get(params, "to")),
	    sizeof m->to);
	json_decref(params);
	return 0;
}

int
model_jobs(struct shiftlog *sl, const struct shiftlog_job_filter *f,
    struct model_job **v, size_t *n)
{
	struct grow g = { (void **)v, n, sizeof **v };

	free(*v);
	*v = NULL;
	*n = 0;
	return shiftlog_jobs(sl, f, take_job, &g) < 0 ? -1 : 0;
}

int
model_jobs_by_id(struct shiftlog *sl, const int64_t *ids, size_t nids,
    struct model_job **v, size_t *n)
{
	struct grow g = { (void **)v, n, sizeof **v };

	free(*v);
	*v = NULL;
	*n = 0;
	return shiftlog_jobs_by_id(sl, ids, nids, take_job, &g) < 0 ? -1 : 0;
}

struct vol_ctx {
	struct model_volume *v;
	size_t n;
};

static int
take_sample(const char *key, int64_t time, const char *data, void *arg)
{
	struct vol_ctx *vc = arg;
	json_t *d;
	size_t i;

	for (i = 0; i < vc->n; i++) {
		struct model_volume *m = &vc->v[i];

		if (strcmp(m->name, key) != 0)
			continue;
		d = json_loads(data, 0, NULL);
		m->sampled = true;
		m->time = time;
		m->total = (uint64_t)json_integer_value(json_object_get(d,
		    "total"));
		m->used = (uint64_t)json_integer_value(json_object_get(d,
		    "used"));
		m->avail = (uint64_t)json_integer_value(json_object_get(d,
		    "avail"));
		m->inodes_total = (uint64_t)json_integer_value(
		    json_object_get(d, "inodes_total"));
		m->inodes_free = (uint64_t)json_integer_value(
		    json_object_get(d, "inodes_free"));
		m->used_fraction = json_number_value(json_object_get(d,
		    "used_fraction"));
		copy(m->level, json_string_value(json_object_get(d, "level")),
		    sizeof m->level);
		json_decref(d);
	}
	return 0;
}

int
model_volumes(struct shiftlog *sl, const struct config *cfg,
    struct model_volume **v, size_t *n)
{
	struct vol_ctx vc;
	size_t i;

	free(*v);
	*v = xcalloc(cfg->nvolumes + 1, sizeof **v);
	*n = cfg->nvolumes;
	for (i = 0; i < cfg->nvolumes; i++) {
		copy((*v)[i].name, cfg->volumes[i].name, sizeof (*v)[i].name);
		copy((*v)[i].path, cfg->volumes[i].path, sizeof (*v)[i].path);
		copy((*v)[i].role, cfg->volumes[i].role, sizeof (*v)[i].role);
		(*v)[i].warn = cfg->volumes[i].warn;
		(*v)[i].crit = cfg->volumes[i].crit;
	}
	vc.v = *v;
	vc.n = *n;
	return shiftlog_samples_latest(sl, "storage.volume", take_sample,
	    &vc) < 0 ? -1 : 0;
}

static int
take_meter(const struct shiftlog_meter *mt, void *arg)
{
	struct model_meter *m = append(arg);

	m->job_id = mt->job_id;
	copy(m->job_kind, mt->kind, sizeof m->job_kind);
	copy(m->subject, mt->subject, sizeof m->subject);
	copy(m->name, mt->name, sizeof m->name);
	copy(m->unit, mt->unit, sizeof m->unit);
	m->value = mt->value;
	m->time = mt->time;
	return 0;
}

int
model_meters(struct shiftlog *sl, struct model_meter **v, size_t *n)
{
	struct grow g = { (void **)v, n, sizeof **v };

	free(*v);
	*v = NULL;
	*n = 0;
	return shiftlog_meters(sl, take_meter, &g) < 0 ? -1 : 0;
}

static int
take_event(const struct shiftlog_event *ev, void *arg)
{
	struct model_event *m = append(arg);

	m->id = ev->id;
	m->time = ev->time;
	m->job = ev->job_id;
	copy(m->severity, ev->severity, sizeof m->severity);
	copy(m->kind, ev->kind, sizeof m->kind);
	strutil_format(m->who, sizeof m->who, "%s@%s", ev->user, ev->host);
	copy(m->subject, ev->subject, sizeof m->subject);
	copy(m->message, ev->message, sizeof m->message);
	return 0;
}

int
model_events(struct shiftlog *sl, const struct shiftlog_filter *f,
    struct model_event **v, size_t *n)
{
	struct grow g = { (void **)v, n, sizeof **v };

	free(*v);
	*v = NULL;
	*n = 0;
	return shiftlog_events(sl, f, take_event, &g) < 0 ? -1 : 0;
}

bool
model_is_transfer(const char *kind)
{
	static const char *const prefixes[] = { "ingest.", "transfer.",
	    "deliver.", "receive.", "archive.", "restore.", "storage.archive",
	    "storage.restore", NULL };
	size_t i;

	for (i = 0; prefixes[i] != NULL; i++) {
		if (strncmp(kind, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	}
	return false;
}
