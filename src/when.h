/*
 * when: instants as microseconds since the Unix epoch (UTC), which is how
 * the shift log stores them, and the operator's ways of writing them:
 * "8h" or "1h30m" ago, "now", or ISO-8601 (local time unless it carries Z
 * or an offset).
 */
#ifndef MCR_WHEN_H
#define MCR_WHEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WHEN_US_PER_SEC INT64_C(1000000)

/* The current time, microseconds since the epoch. */
int64_t when_now(void);
/* Parses s relative to now into *out. Returns 0, or -1 with one sentence
 * in err that says what was wrong and what is accepted. */
int when_parse(const char *s, int64_t now, int64_t *out, char *err,
    size_t errlen);
/* Parses a duration such as "30s", "5m", "8h", "1h30m", "2d" or "1w"
 * into microseconds; returns 0, or -1 when s is not one. */
int when_parse_duration(const char *s, int64_t *out);
/* Formats t: "2026-11-29T05:45:49.123Z" when utc, otherwise local
 * "2026-11-29 06:45:49". Returns buf. */
const char *when_format(int64_t t, bool utc, char *buf, size_t size);

#endif
