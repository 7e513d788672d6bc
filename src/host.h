/*
 * host: the services table a plugin's run() receives (struct mcr_host),
 * implemented by turning each call into a worker-protocol line on a FILE
 * (proto.h). mcr-worker points it at stdout; a CLI verb that runs a plugin
 * in-process can point it at a pipe of its own.
 */
#ifndef MCR_HOST_H
#define MCR_HOST_H

#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "mcr-plugin.h"

struct config;

/* Makes a job context. params and state are JSON objects; the context
 * takes a reference to each. cancel points to a flag a signal handler sets.
 * Reports go to out. */
struct mcr_job *host_job_new(int64_t id, const char *kind, json_t *params,
    json_t *state, const struct config *cfg, FILE *out,
    volatile sig_atomic_t *cancel);
void host_job_free(struct mcr_job *job);
const struct mcr_host *host_table(void);
/* Writes the result line for what run() returned; returns 0, or -1 when
 * the line could not be written. */
int host_job_finish(struct mcr_job *job, int run_result);

#endif
