/*
 * strutil: bounded string helpers. mcr uses no sprintf, strcpy, strcat or
 * strtok; these are what it uses instead.
 */
#ifndef MCR_STRUTIL_H
#define MCR_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Copies at most size-1 bytes and always terminates; returns strlen(src). */
size_t strutil_copy(char *dst, const char *src, size_t size);
/* Formats into dst (always terminated); returns what snprintf returns. */
int strutil_format(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True when the len bytes at s are well-formed UTF-8 (no overlongs,
 * no surrogates, nothing above U+10FFFF, no NUL). */
bool strutil_utf8_valid(const char *s, size_t len);
/* Makes s well-formed UTF-8 in place: each byte that does not begin a
 * well-formed character (a Latin-1 file name, a character cut in two by
 * a bounded copy) becomes '?'. */
void strutil_utf8_fix(char *s);
/* Writes s (NULL writes nothing) as HTML text or attribute value: < > &
 * and " as entities, other control characters but tab and newline as
 * their visible Control Pictures (U+2400 + c), so nothing from a file
 * name or log line can break the markup. */
void strutil_html(FILE *f, const char *s);
/* True when s holds only spaces, tabs and newlines (or nothing). */
bool strutil_blank(const char *s);
/* Removes trailing whitespace in place. */
void strutil_rtrim(char *s);

/* Human forms: "1.8 TiB" (binary units); "150 MiB/s" for unit "B/s",
 * else "12.5 UNIT"; "1h05m" or "3m07s". A negative rate or duration is
 * unknown and gives the unknown string. */
void strutil_bytes(uint64_t bytes, char *buf, size_t size);
/* Parses a byte count as mcr writes one: "750M", "1.5T", "2TiB", "500GB"
 * or plain bytes, in binary units (K M G T P E). Returns 0 with the count
 * in out, or -1 when s is not one. */
int strutil_parse_bytes(const char *s, double *out);

void strutil_rate(double rate, const char *unit, const char *unknown,
    char *buf, size_t size);
void strutil_duration(int64_t seconds, const char *unknown, char *buf,
    size_t size);

#endif
