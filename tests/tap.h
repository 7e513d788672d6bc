/*
 * tap: a small Test Anything Protocol helper for the unit tests. Each check
 * prints "ok N - name" or "not ok N - name" with a diagnostic; tap_done()
 * prints the plan and removes the temporary folder when all passed.
 */
#ifndef MCR_TAP_H
#define MCR_TAP_H

#include <stdbool.h>
#include <stdint.h>

bool tap_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool tap_is_str(const char *got, const char *want, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when needle occurs in haystack. */
bool tap_contains(const char *haystack, const char *needle, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Makes a fresh temporary folder for this test; returns a static path. */
const char *tap_tmpdir(void);
int tap_done(void);

#endif
