/*
 * test-when: the time syntax of --since and --until, table-driven against a
 * fixed "now" and a fixed zone, and the formats mcr prints.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <time.h>

#include "tap.h"
#include "when.h"

#define S WHEN_US_PER_SEC
/* 2026-11-29T12:00:00Z */
#define NOW (INT64_C(1795953600) * S)

static const struct {
	const char *text;
	bool ok;
	int64_t want;
} cases[] = {
	{ "now", true, NOW },
	{ "30s", true, NOW - 30 * S },
	{ "5m", true, NOW - 300 * S },
	{ "8h", true, NOW - 8 * 3600 * S },
	{ "1h30m", true, NOW - 5400 * S },
	{ "2d", true, NOW - 2 * 86400 * S },
	{ "1w", true, NOW - 7 * 86400 * S },
	{ "2026-11-29T06:00:00Z", true, NOW - 6 * 3600 * S },
	{ "2026-11-29T06:00:00.250Z", true, NOW - 6 * 3600 * S + S / 4 },
	{ "2026-11-29T07:00:00+01:00", true, NOW - 6 * 3600 * S },
	{ "2026-11-29T01:00-05:00", true, NOW - 6 * 3600 * S },
	/* No zone: local time, which this test sets to Europe/Paris
	 * (UTC+1 in November). */
	{ "2026-11-29T07:00", true, NOW - 6 * 3600 * S },
	{ "2026-11-29 07:00:00", true, NOW - 6 * 3600 * S },
	{ "2026-11-29", true, NOW - 13 * 3600 * S },
	{ "2024-02-29T00:00:00Z", true, INT64_C(1709164800) * S },
	{ "", false, 0 },
	{ "yesterday", false, 0 },
	{ "8", false, 0 },
	{ "8x", false, 0 },
	{ "h", false, 0 },
	{ "-8h", false, 0 },
	{ "2026-13-01", false, 0 },
	{ "2026-02-29", false, 0 },
	{ "2026-11-31", false, 0 },
	{ "2026-11-29T24:00", false, 0 },
	{ "2026-11-29T12:60", false, 0 },
	{ "2026-11-29T12:00Zjunk", false, 0 },
	{ "2026-11-29T12", false, 0 },
	{ "26-11-29", false, 0 },
};

int
main(void)
{
	char err[320], buf[40];
	int64_t got;
	size_t i;

	setenv("TZ", "Europe/Paris", 1);
	tzset();
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = when_parse(cases[i].text, NOW, &got, err, sizeof err);

		if (!cases[i].ok) {
			tap_ok(rc < 0, "'%s' is refused", cases[i].text);
			continue;
		}
		if (tap_is_int(rc, 0, "'%s' parses", cases[i].text))
			tap_is_int(got, cases[i].want, "'%s' is the right "
			    "instant", cases[i].text);
	}
	when_parse("yesterday", NOW, &got, err, sizeof err);
	tap_contains(err, "'yesterday' is not a time", "the error names the "
	    "input");
	tap_contains(err, "8h", "the error shows what is accepted");

	tap_is_str(when_format(NOW + 5 * S / 1000, true, buf, sizeof buf),
	    "2026-11-29T12:00:00.005Z", "UTC format with milliseconds");
	tap_is_str(when_format(NOW, false, buf, sizeof buf),
	    "2026-11-29 13:00:00", "local format");
	tap_is_str(when_format(-S / 2, true, buf, sizeof buf),
	    "1969-12-31T23:59:59.500Z", "before the epoch");
	tap_ok(when_now() > NOW - 365 * 86400 * S, "the clock is sane");
	return tap_done();
}
