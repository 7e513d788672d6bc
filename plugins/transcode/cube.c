/*
 * cube: see cube.h. One pass over the lines with a small state: keywords,
 * then rows. A row is counted as it comes, so the error for a short or
 * long table names the line where it went wrong.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cube.h"

#define CUBE_MAX_SIZE 256
#define CUBE_LINE 1024

static const char *
skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Reads n numbers from s; returns how many it found before anything else,
 * or -1 when something follows the n-th. */
static int
numbers(const char *s, double *v, int n)
{
	char *end;
	int i;

	for (i = 0; i < n; i++) {
		s = skip_space(s);
		if (*s == '\0')
			return i;
		errno = 0;
		v[i] = strtod(s, &end);
		if (end == s || errno == ERANGE || !isfinite(v[i]))
			return i;
		if (*end != '\0' && *end != ' ' && *end != '\t')
			return i;
		s = end;
	}
	s = skip_space(s);
	return *s == '\0' ? n : -1;
}

int
cube_check(const char *path, int *size, char *err, size_t errlen)
{
	char line[CUBE_LINE];
	double v[3], dmin[3] = { 0, 0, 0 }, dmax[3] = { 1, 1, 1 };
	long long rows = 0, want = 0;
	int lineno = 0, n = 0, k, ret = -1;
	FILE *f;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "cannot open the LUT %s: %s", path,
		    strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof line, f) != NULL) {
		size_t len = strlen(line);
		const char *s;

		lineno++;
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d: the line is longer than "
			    "%d bytes; is this a .cube file?", path, lineno,
			    CUBE_LINE - 2);
			goto out;
		}
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r' || line[len - 1] == ' ' ||
		    line[len - 1] == '\t'))
			line[--len] = '\0';
		s = skip_space(line);
		if (*s == '\0' || *s == '#')
			continue;
		if (isalpha((unsigned char)*s)) {
			if (rows > 0) {
				snprintf(err, errlen, "%s:%d: a keyword after "
				    "the table started; keywords come first",
				    path, lineno);
				goto out;
			}
			if (strncmp(s, "TITLE", 5) == 0 &&
			    (s[5] == ' ' || s[5] == '\t'))
				continue;
			if (strncmp(s, "LUT_1D_SIZE", 11) == 0) {
				snprintf(err, errlen, "%s:%d: a 1D LUT; mcr "
				    "applies 3D LUTs (LUT_3D_SIZE)", path,
				    lineno);
				goto out;
			}
			if (strncmp(s, "LUT_3D_SIZE", 11) == 0) {
				char *end;
				long z;

				errno = 0;
				z = strtol(s + 11, &end, 10);
				if (end == s + 11 || *skip_space(end) != '\0' ||
				    z < 2 || z > CUBE_MAX_SIZE) {
					snprintf(err, errlen, "%s:%d: LUT_3D_SIZE "
					    "wants a whole number from 2 to %d",
					    path, lineno, CUBE_MAX_SIZE);
					goto out;
				}
				if (n != 0) {
					snprintf(err, errlen, "%s:%d: a second "
					    "LUT_3D_SIZE", path, lineno);
					goto out;
				}
				n = (int)z;
				want = (long long)n * n * n;
				continue;
			}
			if (strncmp(s, "DOMAIN_MIN", 10) == 0 ||
			    strncmp(s, "DOMAIN_MAX", 10) == 0) {
				double *d = s[8] == 'I' ? dmin : dmax;

				if (numbers(s + 10, d, 3) != 3) {
					snprintf(err, errlen, "%s:%d: %.10s "
					    "wants three numbers", path, lineno,
					    s);
					goto out;
				}
				continue;
			}
			if (strncmp(s, "LUT_3D_INPUT_RANGE", 18) == 0) {
				if (numbers(s + 18, v, 2) != 2 || v[1] <= v[0]) {
					snprintf(err, errlen, "%s:%d: "
					    "LUT_3D_INPUT_RANGE wants two "
					    "numbers, the first the smaller",
					    path, lineno);
					goto out;
				}
				continue;
			}
			snprintf(err, errlen, "%s:%d: '%.40s' is not a .cube "
			    "keyword (TITLE, LUT_3D_SIZE, DOMAIN_MIN, "
			    "DOMAIN_MAX)", path, lineno, s);
			goto out;
		}
		if (n == 0) {
			snprintf(err, errlen, "%s:%d: a table row before "
			    "LUT_3D_SIZE", path, lineno);
			goto out;
		}
		if ((k = numbers(s, v, 3)) != 3) {
			snprintf(err, errlen, "%s:%d: a table row wants three "
			    "numbers (red green blue)%s", path, lineno,
			    k < 0 ? ", and nothing after them" : "");
			goto out;
		}
		if (++rows > want) {
			snprintf(err, errlen, "%s:%d: one row more than the "
			    "%lld that LUT_3D_SIZE %d makes", path, lineno,
			    want, n);
			goto out;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "cannot read the LUT %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s:%d: no LUT_3D_SIZE: not a 3D .cube "
		    "LUT", path, lineno);
		goto out;
	}
	if (rows < want) {
		snprintf(err, errlen, "%s:%d: the table ends after %lld rows; "
		    "LUT_3D_SIZE %d wants %lld", path, lineno, rows, n, want);
		goto out;
	}
	for (k = 0; k < 3; k++) {
		if (!(dmax[k] > dmin[k])) {
			snprintf(err, errlen, "%s: DOMAIN_MAX must be above "
			    "DOMAIN_MIN in each channel", path);
			goto out;
		}
	}
	*size = n;
	ret = 0;
out:
	fclose(f);
	return ret;
}
