/*
 * report: a QC report (the JSON document judge.h makes) as plain text for
 * the terminal, as the JSON itself, or as one self-contained HTML page:
 * verdict first, then failures, warnings and exceptions, then the
 * measurements and inline SVG plots (loudness against the target band,
 * true peak, luma range, flash activity). No external assets, no script.
 * Compiled into the qc plugin and into mcr (to render stored reports).
 */
#ifndef MCR_QC_REPORT_H
#define MCR_QC_REPORT_H

#include <jansson.h>
#include <stdio.h>

/* Writes the report as text to f. */
void qc_report_text(FILE *f, const json_t *report);
/* Writes the report to path, as HTML, JSON or text by its extension
 * (.html/.htm, .json, .txt); through path.part, renamed when complete.
 * Returns 0, or -1 with one sentence in err. */
int qc_report_write(const json_t *report, const char *path, char *err,
    size_t errlen);
/* The format path's extension names, or NULL when it names none. */
const char *qc_report_format(const char *path);

#endif
