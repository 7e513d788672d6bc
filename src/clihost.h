/*
 * clihost: struct mcr_host for running a plugin's job inside the mcr
 * process, without mcrd (mcr qc FILE). Progress goes to stderr (one
 * rewritten line on a terminal, a line per tenth otherwise); findings,
 * records, the result and the failure are kept in memory for the verb to
 * read; events, and records of the types the verb does not keep for
 * itself, go to the shift log when one is given. Generic: any verb that
 * runs a plugin in-process uses it.
 */
#ifndef MCR_CLIHOST_H
#define MCR_CLIHOST_H

#include <jansson.h>
#include <stdint.h>

#include "mcr-plugin.h"

struct config;
struct shiftlog;

enum {
	CLIHOST_QUIET = 1,	/* no progress on stderr */
	CLIHOST_VERBOSE = 2,	/* the job's log lines on stderr */
};

/* A job of kind with params (a JSON object; a reference is taken), the
 * volumes of cfg, and sl (may be NULL) for events and records; job_id is
 * the shift log's job when there is one, else 0. */
struct mcr_job *clihost_new(const char *kind, json_t *params,
    const struct config *cfg, struct shiftlog *sl, int64_t job_id,
    int flags);
void clihost_free(struct mcr_job *job);
/* Records of type are kept in memory only: the verb files them itself. */
void clihost_keep(struct mcr_job *job, const char *type);
/* Runs kind's run() with SIGINT and SIGTERM turned into host->cancelled();
 * returns what run() returned. */
int clihost_run(struct mcr_job *job, const struct mcr_kind *kind);
/* What the job reported, valid until clihost_free: records of type (an
 * array of objects), findings (an array of {severity, code, position,
 * message}), the result (an object or NULL), the failure (or NULL). */
json_t *clihost_records(struct mcr_job *job, const char *type);
json_t *clihost_findings(struct mcr_job *job);
json_t *clihost_result(struct mcr_job *job);
const char *clihost_error(struct mcr_job *job);

#endif
