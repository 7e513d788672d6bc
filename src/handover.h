/*
 * handover: renders the handover report that shiftlog_handover_report()
 * builds (a JSON document) as text for a terminal, Markdown, a
 * self-contained HTML page, or lines for the console, and sums it up in
 * one sentence for the digest's event. It reads only the JSON, so the
 * CLI, the digest and the console show the same report.
 */
#ifndef MCR_HANDOVER_H
#define MCR_HANDOVER_H

#include <stddef.h>
#include <stdio.h>

enum handover_format {
	HANDOVER_TEXT,
	HANDOVER_MD,
	HANDOVER_HTML,
	HANDOVER_JSON,
};

/* "text", "md", "html" or "json"; returns 0, or -1 when s is none. */
int handover_format_parse(const char *s, enum handover_format *f);
/* Writes report (JSON text) to f in fmt. Returns 0, or -1 when the report
 * is not one or f failed (errno set for the latter). */
int handover_render(const char *report, enum handover_format fmt, FILE *f);
/* One sentence: what finished, what failed, what is open. */
void handover_summary(const char *report, char *buf, size_t size);
/* How many items are open (incidents not resolved, failed jobs, flagged
 * notes), for messages; -1 when the report is not one. */
long handover_open_items(const char *report);

#endif
