/*
 * spec: delivery specs, INI files read with inih (etc/specs/NAME.ini). A
 * section is a check ([loudness], [black], [video], ...) with its limits
 * and its severity (fail, warn, info or off); a spec may name another with
 * extends= and then overrides it key by key. Every section and key is
 * known here with its type and range, so a bad value is refused with
 * file:line. Compiled into the qc plugin and into mcr (for qc specs).
 */
#ifndef MCR_QC_SPEC_H
#define MCR_QC_SPEC_H

#include <stddef.h>

struct qc_spec_entry {
	char *section;
	char *key;
	char *value;
	char *where;		/* "file:line" */
};

struct qc_spec {
	char *name;		/* [spec] name, or the file's base name */
	char *title;
	char *path;
	char *extends;		/* the parent's name, or NULL */
	struct qc_spec_entry *e;
	size_t n;
};

/* Loads spec which (a name looked up as DIR/NAME.ini, or a path to an
 * .ini file) with everything it extends. Returns 0, or -1 with one
 * sentence in err ("FILE:LINE: ..." for a bad line). */
int qc_spec_load(const char *dir, const char *which, struct qc_spec **out,
    char *err, size_t errlen);
void qc_spec_free(struct qc_spec *spec);

/* A key's value, or NULL when the spec (and its parents) leave it out. */
const char *qc_spec_get(const struct qc_spec *spec, const char *section,
    const char *key);
double qc_spec_num(const struct qc_spec *spec, const char *section,
    const char *key, double def);
/* The section's severity: "fail", "warn" or "info"; NULL when the check
 * is off or absent. */
const char *qc_spec_severity(const struct qc_spec *spec,
    const char *section);

/* Calls cb for each *.ini in dir, in name order, with the loaded spec or,
 * when it does not load, NULL and the error. Returns the number of specs
 * that failed to load, or -1 (err set) when dir cannot be read. */
int qc_spec_list(const char *dir, void (*cb)(const char *file,
    const struct qc_spec *spec, const char *error, void *arg), void *arg,
    char *err, size_t errlen);

#endif
