/*
 * xmalloc: allocation that cannot fail. Running out of memory is not an
 * error mcr can report usefully, so these abort with a message instead of
 * returning NULL; callers never check.
 */
#ifndef MCR_XMALLOC_H
#define MCR_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Returns a copy of s (NULL stays NULL); the caller frees it. */
char *xstrdup(const char *s);
/* Formats into a new string; the caller frees it. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A broken invariant: print "mcr: fatal: ..." and abort. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
