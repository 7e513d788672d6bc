/*
 * model: what the screens show, read from the shift log into plain arrays
 * that a screen owns between fetches. Every number on screen comes from
 * here, and so from the shift log; nothing is made up when there is
 * nothing to show.
 */
#ifndef MCR_MODEL_H
#define MCR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct shiftlog;
struct shiftlog_job_filter;
struct shiftlog_filter;
struct config;

struct model_job {
	int64_t id, priority, eta, created, started, finished, attempts;
	double progress, rate;
	char kind[64], state[16], subject[256], by[64], error[256];
	char progress_subject[256], rate_unit[16], to[128];
};

struct model_volume {
	char name[64], path[512], role[16], level[16];
	bool sampled;
	double used_fraction, warn, crit;
	uint64_t total, used, avail, inodes_total, inodes_free;
	int64_t time;
};

struct model_meter {
	int64_t job_id;
	char job_kind[64], subject[256], name[32], unit[16];
	double value;
	int64_t time;
};

struct model_event {
	int64_t id, time, job;
	char severity[12], kind[40], who[128], subject[256], message[512];
};

/* Each replaces *v (freeing the old array) and sets *n; returns 0, or -1
 * with the shift log's message. */
int model_jobs(struct shiftlog *sl, const struct shiftlog_job_filter *f,
    struct model_job **v, size_t *n);
/* The jobs with these ids, in that order. */
int model_jobs_by_id(struct shiftlog *sl, const int64_t *ids, size_t nids,
    struct model_job **v, size_t *n);
/* Configured volumes with their newest storage.volume sample. */
int model_volumes(struct shiftlog *sl, const struct config *cfg,
    struct model_volume **v, size_t *n);
int model_meters(struct shiftlog *sl, struct model_meter **v, size_t *n);
int model_events(struct shiftlog *sl, const struct shiftlog_filter *f,
    struct model_event **v, size_t *n);

/* True for kinds that move media: ingest, transfer, delivery, archive. */
bool model_is_transfer(const char *kind);

#endif
