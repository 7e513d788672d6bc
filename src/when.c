/*
 * when: parsing and formatting of instants. Everything stored is UTC in
 * microseconds; local time appears only at the edges, when an operator
 * types a time without a zone or reads one in text output.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "strutil.h"
#include "when.h"

int64_t
when_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * WHEN_US_PER_SEC + ts.tv_nsec / 1000;
}

int
when_parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		int64_t unit;
		char *end;
		long long n;

		if (!isdigit((unsigned char)*p))
			return -1;
		errno = 0;
		n = strtoll(p, &end, 10);
		if (errno != 0 || n > 1000000)
			return -1;
		switch (*end) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		total += n * unit * WHEN_US_PER_SEC;
		p = end + 1;
	}
	*out = total;
	return 0;
}

/* Reads exactly n digits at *p into *v and advances *p. */
static int
digits(const char **p, int n, int *v)
{
	int i, x = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		x = x * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*v = x;
	return 0;
}

static int
days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : days[month - 1];
}

static int
parse_iso(const char *s, int64_t *out)
{
	struct tm tm;
	const char *p = s;
	int year, mon, day, hour = 0, min = 0, sec = 0, us = 0;
	int zone_sign = 0, zone_h = 0, zone_m = 0;
	bool has_zone = false;
	time_t t;

	if (digits(&p, 4, &year) < 0 || *p++ != '-' ||
	    digits(&p, 2, &mon) < 0 || *p++ != '-' || digits(&p, 2, &day) < 0)
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon))
		return -1;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (digits(&p, 2, &hour) < 0 || *p++ != ':' ||
		    digits(&p, 2, &min) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
			if (*p == '.' || *p == ',') {
				int scale = 100000;

				p++;
				if (!isdigit((unsigned char)*p))
					return -1;
				for (; isdigit((unsigned char)*p); p++) {
					us += (*p - '0') * scale;
					scale /= 10;
				}
			}
		}
		if (hour > 23 || min > 59 || sec > 60)
			return -1;
		if (*p == 'Z') {
			has_zone = true;
			p++;
		} else if (*p == '+' || *p == '-') {
			has_zone = true;
			zone_sign = *p++ == '+' ? 1 : -1;
			if (digits(&p, 2, &zone_h) < 0)
				return -1;
			if (*p == ':')
				p++;
			if (*p != '\0' && digits(&p, 2, &zone_m) < 0)
				return -1;
			if (zone_h > 14 || zone_m > 59)
				return -1;
		}
	}
	if (*p != '\0')
		return -1;

	memset(&tm, 0, sizeof tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	if (has_zone) {
		t = timegm(&tm);
		t -= zone_sign * (zone_h * 3600 + zone_m * 60);
	} else {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	}
	if (t == (time_t)-1 && year != 1969)
		return -1;
	*out = (int64_t)t * WHEN_US_PER_SEC + us;
	return 0;
}

int
when_parse(const char *s, int64_t now, int64_t *out, char *err, size_t errlen)
{
	int64_t d;

	if (strcmp(s, "now") == 0) {
		*out = now;
		return 0;
	}
	if (when_parse_duration(s, &d) == 0) {
		*out = now - d;
		return 0;
	}
	if (parse_iso(s, out) == 0)
		return 0;
	strutil_format(err, errlen,
	    "'%s' is not a time: give a duration ago such as 8h, 30m or 1h30m, "
	    "or an ISO-8601 time such as 2026-11-29T06:00 (local) or "
	    "2026-11-29T06:00:00Z", s);
	return -1;
}

const char *
when_format(int64_t t, bool utc, char *buf, size_t size)
{
	time_t secs = (time_t)(t / WHEN_US_PER_SEC);
	int ms = (int)((t % WHEN_US_PER_SEC) / 1000);
	struct tm tm;
	char base[32];

	if (t < 0 && t % WHEN_US_PER_SEC != 0) {
		secs--;
		ms = (int)((t % WHEN_US_PER_SEC + WHEN_US_PER_SEC) / 1000);
	}
	if (utc) {
		gmtime_r(&secs, &tm);
		strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
		strutil_format(buf, size, "%s.%03dZ", base, ms);
	} else {
		localtime_r(&secs, &tm);
		strftime(base, sizeof base, "%Y-%m-%d %H:%M:%S", &tm);
		strutil_copy(buf, base, size);
	}
	return buf;
}
