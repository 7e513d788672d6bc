/*
 * strutil: bounded copies and formatting, and the UTF-8 check that guards
 * every text an operator puts into the shift log.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"

size_t
strutil_copy(char *dst, const char *src, size_t size)
{
	size_t len = strlen(src);

	if (size > 0) {
		size_t n = len < size - 1 ? len : size - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

int
strutil_format(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 && size > 0)
		dst[0] = '\0';
	return n;
}

bool
strutil_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		unsigned int cp;
		size_t n, k;

		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else
			return false;
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

void
strutil_utf8_fix(char *s)
{
	unsigned char *u = (unsigned char *)s;
	size_t i = 0, len = strlen(s), n;

	while (i < len) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		n = u[i] >= 0xf0 ? 4 : u[i] >= 0xe0 ? 3 : 2;
		if (n <= len - i && strutil_utf8_valid(s + i, n)) {
			i += n;
			continue;
		}
		u[i++] = '?';
	}
}

bool
strutil_blank(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	}
	return true;
}

void
strutil_rtrim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

void
strutil_bytes(uint64_t bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB" };
	double v = (double)bytes;
	int i = 0;

	while (v >= 1024 && i < 5) {
		v /= 1024;
		i++;
	}
	if (i == 0)
		strutil_format(buf, size, "%llu B", (unsigned long long)bytes);
	else
		strutil_format(buf, size, v < 10 ? "%.1f %s" : "%.0f %s", v,
		    units[i]);
}

int
strutil_parse_bytes(const char *s, double *out)
{
	static const char units[] = "KMGTPE";
	const char *u;
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno != 0 || end == s || d < 0)
		return -1;
	if (*end != '\0' && (u = strchr(units, *end)) != NULL) {
		size_t i;

		for (i = 0; i <= (size_t)(u - units); i++)
			d *= 1024;
		end++;
		if (strcmp(end, "iB") == 0)
			end += 2;
	}
	if (strcmp(end, "B") == 0)
		end++;
	if (*end != '\0' || d >= 9.2e18)
		return -1;
	*out = d;
	return 0;
}

void
strutil_rate(double rate, const char *unit, const char *unknown, char *buf,
    size_t size)
{
	size_t n;

	if (rate < 0) {
		strutil_copy(buf, unknown, size);
		return;
	}
	if (unit != NULL && strcmp(unit, "B/s") == 0) {
		strutil_bytes((uint64_t)rate, buf, size);
		n = strlen(buf);
		strutil_copy(buf + n, "/s", size - n);
		return;
	}
	strutil_format(buf, size, "%.1f %s", rate, unit != NULL ? unit : "/s");
}

void
strutil_duration(int64_t s, const char *unknown, char *buf, size_t size)
{
	if (s < 0)
		strutil_copy(buf, unknown, size);
	else if (s >= 3600)
		strutil_format(buf, size, "%lldh%02lldm", (long long)s / 3600,
		    (long long)(s % 3600) / 60);
	else
		strutil_format(buf, size, "%lldm%02llds", (long long)s / 60,
		    (long long)s % 60);
}

void
strutil_html(FILE *f, const char *s)
{
	unsigned char c;

	for (; s != NULL && *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '<')
			fputs("&lt;", f);
		else if (c == '>')
			fputs("&gt;", f);
		else if (c == '&')
			fputs("&amp;", f);
		else if (c == '"')
			fputs("&quot;", f);
		else if (c < 0x20 && c != '\n' && c != '\t')
			fprintf(f, "&#%u;", 0x2400u + c);
		else
			fputc(c, f);
	}
}
