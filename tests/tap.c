/*
 * tap: see tap.h. The temporary folder lives under $TMPDIR and is removed
 * by tap_done() when every check passed, kept for inspection otherwise.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

static int tests, failures;
static char tmpdir[256];

static bool
report(bool cond, const char *fmt, va_list ap)
{
	tests++;
	if (!cond)
		failures++;
	printf("%sok %d - ", cond ? "" : "not ", tests);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	return cond;
}

bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(cond, fmt, ap);
	va_end(ap);
	return cond;
}

bool
tap_is_int(int64_t got, int64_t want, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(got == want, fmt, ap);
	va_end(ap);
	if (got != want)
		printf("#   got %lld, want %lld\n", (long long)got,
		    (long long)want);
	return got == want;
}

bool
tap_is_str(const char *got, const char *want, const char *fmt, ...)
{
	bool same = got != NULL && want != NULL ? strcmp(got, want) == 0
	    : got == want;
	va_list ap;

	va_start(ap, fmt);
	report(same, fmt, ap);
	va_end(ap);
	if (!same)
		printf("#   got '%s', want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

bool
tap_contains(const char *haystack, const char *needle, const char *fmt, ...)
{
	bool found = haystack != NULL && strstr(haystack, needle) != NULL;
	va_list ap;

	va_start(ap, fmt);
	report(found, fmt, ap);
	va_end(ap);
	if (!found)
		printf("#   '%s' does not contain '%s'\n",
		    haystack ? haystack : "(null)", needle);
	return found;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

const char *
tap_tmpdir(void)
{
	const char *base = getenv("TMPDIR");

	if (tmpdir[0] != '\0')
		return tmpdir;
	snprintf(tmpdir, sizeof tmpdir, "%s/mcr-test-XXXXXX",
	    base != NULL && *base != '\0' ? base : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! cannot create a temporary folder\n");
		exit(99);
	}
	return tmpdir;
}

int
tap_done(void)
{
	printf("1..%d\n", tests);
	if (failures == 0 && tmpdir[0] != '\0') {
		char cmd[320];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmpdir);
	} else if (tmpdir[0] != '\0')
		tap_diag("kept %s for inspection", tmpdir);
	/* Failures are in the TAP lines; a non-zero exit would count them
	 * a second time as an error. */
	return 0;
}
