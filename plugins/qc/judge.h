/*
 * judge: turns the measurements of one pass (analyse.h) into a QC report
 * against a delivery spec (spec.h): findings with timecodes, measured
 * value, limit, message and remedy; approved exceptions carried over; the
 * verdict. The report is a JSON document (schema "mcr.qc.report/1",
 * documented in mcr(1)); report.h renders it.
 */
#ifndef MCR_QC_JUDGE_H
#define MCR_QC_JUDGE_H

#include <jansson.h>

#include "analyse.h"
#include "spec.h"

/* Fills conf's thresholds from spec (defaults where it is silent).
 * Returns 0, or -1 with one sentence in err. */
int qc_judge_conf(const struct qc_spec *spec, struct qc_aconf *conf,
    char *err, size_t errlen);

/* The report of res on file against spec; exceptions is a JSON array of
 * approved exceptions ({content_id, spec, check, t_in, approved_by,
 * reason, id}) or NULL. Returns a new reference. */
json_t *qc_judge(const char *file, const struct qc_spec *spec,
    const struct qc_result *res, const json_t *exceptions);

#endif
