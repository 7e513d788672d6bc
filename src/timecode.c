/*
 * timecode: see timecode.h. A label counts fps frames a second; drop-frame
 * skips the first `drop` labels of every minute whose number is not a
 * multiple of ten, so ten minutes hold fps * 600 - 9 * drop frames (17,982
 * at 29.97, 35,964 at 59.94). Frames become a label by adding back the
 * labels skipped before them, and a label becomes frames by taking them
 * away. Everything is integer arithmetic on the constants of struct
 * tc_rate, so 59.94 never borrows the 29.97 numbers. libc only, so the
 * fuzz target and any tool can build it alone.
 */
#ifdef HAVE_CONFIG_H
#include "autoconfig.h"
#endif

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timecode.h"

const struct tc_rate tc_rates[TC_NRATES] = {
	[TC_23976] = { "23.976", 24000, 1001, 24, 0 },
	[TC_24] = { "24", 24, 1, 24, 0 },
	[TC_25] = { "25", 25, 1, 25, 0 },
	[TC_2997DF] = { "29.97df", 30000, 1001, 30, 2 },
	[TC_2997] = { "29.97", 30000, 1001, 30, 0 },
	[TC_30] = { "30", 30, 1, 30, 0 },
	[TC_50] = { "50", 50, 1, 50, 0 },
	[TC_5994DF] = { "59.94df", 60000, 1001, 60, 4 },
	[TC_5994] = { "59.94", 60000, 1001, 60, 0 },
	[TC_60] = { "60", 60, 1, 60, 0 },
};

/* Other names operators and EDL tools use. */
static const struct {
	const char *name;
	enum tc_rate_id id;
} tc_aliases[] = {
	{ "23.98", TC_23976 },
	{ "23.976ndf", TC_23976 },
	{ "29.97ndf", TC_2997 },
	{ "59.94ndf", TC_5994 },
};

static void
tc_error(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
tc_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* A copy of what was typed that is safe to print: at most 40 bytes,
 * anything but printable ASCII shown as '?'. */
static const char *
tc_quote(const char *s, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; s[i] != '\0' && n + 4 < size; i++) {
		if (i == 40) {
			memcpy(buf + n, "...", 3);
			n += 3;
			break;
		}
		buf[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	}
	buf[n] = '\0';
	return buf;
}

static int
tc_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static bool
tc_name_is(const char *s, const char *name)
{
	while (*s != '\0' && tc_lower((unsigned char)*s) == *name) {
		s++;
		name++;
	}
	return *s == '\0' && *name == '\0';
}

int
tc_rate_parse(const char *s, const struct tc_rate **rate, char *err,
    size_t errlen)
{
	char q[48];
	size_t i;

	for (i = 0; i < TC_NRATES; i++) {
		if (tc_name_is(s, tc_rates[i].name)) {
			*rate = &tc_rates[i];
			return TC_OK;
		}
	}
	for (i = 0; i < sizeof tc_aliases / sizeof tc_aliases[0]; i++) {
		if (tc_name_is(s, tc_aliases[i].name)) {
			*rate = &tc_rates[tc_aliases[i].id];
			return TC_OK;
		}
	}
	tc_error(err, errlen, "'%s' is not a timecode rate; the rates are "
	    "23.976, 24, 25, 29.97df, 29.97 (non-drop), 30, 50, 59.94df, "
	    "59.94 (non-drop) and 60", tc_quote(s, q, sizeof q));
	return TC_ERATE;
}

const struct tc_rate *
tc_rate_of(const char *fraction, bool drop)
{
	char *end;
	long num, den = 1;

	if (fraction == NULL)
		return NULL;
	num = strtol(fraction, &end, 10);
	if (*end == '/')
		den = strtol(end + 1, &end, 10);
	if (*end != '\0' || num <= 0 || den <= 0 || num > 1000000 ||
	    den > 1000000)
		return NULL;
	return tc_rate_find((int)num, (int)den, drop);
}

const struct tc_rate *
tc_rate_find(int num, int den, bool drop)
{
	int64_t diff;
	size_t i;

	if (num <= 0 || den <= 0)
		return NULL;
	/* Within 0.005 frames a second: 2997/100 and 23.98 are what some
	 * files store for 30000/1001 and 24000/1001. */
	for (i = 0; i < TC_NRATES; i++) {
		const struct tc_rate *r = &tc_rates[i];

		diff = (int64_t)num * r->den - (int64_t)r->num * den;
		if (diff < 0)
			diff = -diff;
		if (diff * 200 <= (int64_t)den * r->den &&
		    (r->drop != 0) == drop)
			return r;
	}
	return NULL;
}

/* Frames in ten minutes of labels. */
static int64_t
tc_frames_per_10min(const struct tc_rate *r)
{
	return (int64_t)r->fps * 600 - 9 * r->drop;
}

int64_t
tc_frames_per_day(const struct tc_rate *r)
{
	return 144 * tc_frames_per_10min(r);
}

int64_t
tc_wrap(int64_t frames, const struct tc_rate *r)
{
	int64_t day = tc_frames_per_day(r), m;

	if (frames >= 0 && frames < day)
		return frames;
	m = frames % day;
	return m < 0 ? m + day : m;
}

void
tc_to_label(int64_t frames, const struct tc_rate *r, struct tc_label *l)
{
	/* Below a day, so 32 bits hold it, and 32-bit division is what
	 * makes a whole day of labels fast. */
	uint32_t n = (uint32_t)tc_wrap(frames, r), fps = (uint32_t)r->fps;
	uint32_t drop = (uint32_t)r->drop, f10, f1, m;

	if (drop != 0) {
		/* Add back the labels skipped before frame n: drop for each
		 * whole dropping minute, 9 * drop per ten minutes. */
		f10 = (uint32_t)tc_frames_per_10min(r);
		f1 = fps * 60 - drop;
		m = n % f10;
		n += 9 * drop * (n / f10);
		if (m >= drop)
			n += drop * ((m - drop) / f1);
	}
	l->frames = (int)(n % fps);
	n /= fps;
	l->seconds = (int)(n % 60);
	n /= 60;
	l->minutes = (int)(n % 60);
	l->hours = (int)(n / 60);
}

/* Checks every field of l; shown is the label for the message. */
static int
tc_label_check(const struct tc_label *l, const struct tc_rate *r,
    const char *shown, char *err, size_t errlen)
{
	if (l->hours < 0 || l->hours > 23) {
		tc_error(err, errlen, "timecode %s has hour %d; hours run 00 "
		    "to 23", shown, l->hours);
		return TC_ERANGE;
	}
	if (l->minutes < 0 || l->minutes > 59) {
		tc_error(err, errlen, "timecode %s has minute %d; minutes run "
		    "00 to 59", shown, l->minutes);
		return TC_ERANGE;
	}
	if (l->seconds < 0 || l->seconds > 59) {
		tc_error(err, errlen, "timecode %s has second %d; seconds run "
		    "00 to 59", shown, l->seconds);
		return TC_ERANGE;
	}
	if (l->frames < 0 || l->frames >= r->fps) {
		tc_error(err, errlen, "timecode %s has frame %d; at %s frames "
		    "run 00 to %02d", shown, l->frames, r->name, r->fps - 1);
		return TC_ERANGE;
	}
	if (r->drop != 0 && l->seconds == 0 && l->frames < r->drop &&
	    l->minutes % 10 != 0) {
		tc_error(err, errlen, "timecode %s does not exist at %s: "
		    "drop-frame skips ;00 to ;%02d at each minute not "
		    "divisible by 10", shown, r->name, r->drop - 1);
		return TC_EDROPPED;
	}
	return TC_OK;
}

/* The frames of a checked label: every label counted, less the drop
 * labels skipped in each minute that is not a tenth. */
static int64_t
tc_count(const struct tc_label *l, const struct tc_rate *r)
{
	int64_t minutes = (int64_t)l->hours * 60 + l->minutes;
	int64_t n = (minutes * 60 + l->seconds) * r->fps + l->frames;

	return n - (int64_t)r->drop * (minutes - minutes / 10);
}

int
tc_from_label(const struct tc_label *l, const struct tc_rate *r,
    int64_t *frames, char *err, size_t errlen)
{
	char shown[64];
	int rc;

	snprintf(shown, sizeof shown, "%02d:%02d:%02d%c%02d", l->hours,
	    l->minutes, l->seconds, r->drop != 0 ? ';' : ':', l->frames);
	if ((rc = tc_label_check(l, r, shown, err, errlen)) != TC_OK)
		return rc;
	*frames = tc_count(l, r);
	return TC_OK;
}

/* One or two digits; returns the next character or NULL. */
static const char *
tc_field(const char *s, int *v)
{
	if (*s < '0' || *s > '9')
		return NULL;
	*v = *s++ - '0';
	if (*s >= '0' && *s <= '9')
		*v = *v * 10 + (*s++ - '0');
	return s;
}

int
tc_parse(const char *s, const struct tc_rate *r, int64_t *frames, char *err,
    size_t errlen)
{
	struct tc_label l;
	int *fields[4] = { &l.hours, &l.minutes, &l.seconds, &l.frames };
	const char *p = s;
	char q[48];
	int i, rc;

	for (i = 0; i < 4; i++) {
		if (i > 0) {
			if (*p == ':' || *p == ';' ||
			    (i == 3 && (*p == '.' || *p == ',')))
				p++;
			else
				break;
		}
		if ((p = tc_field(p, fields[i])) == NULL)
			break;
	}
	if (i < 4 || *p != '\0') {
		tc_error(err, errlen, "'%s' is not a timecode; write "
		    "HH:MM:SS:FF, with ';' before the frames at drop-frame "
		    "rates", tc_quote(s, q, sizeof q));
		return TC_ESYNTAX;
	}
	if ((rc = tc_label_check(&l, r, tc_quote(s, q, sizeof q), err,
	    errlen)) != TC_OK)
		return rc;
	*frames = tc_count(&l, r);
	return TC_OK;
}

static char *
tc_two(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

char *
tc_format(int64_t frames, const struct tc_rate *r, char *buf, size_t size)
{
	char tmp[TC_FORMAT_SIZE], *p = tmp;
	struct tc_label l;

	if (size == 0)
		return buf;
	/* Digits by hand, not snprintf: a whole day of every rate is
	 * formatted by the tests and by conform checks. */
	tc_to_label(frames, r, &l);
	p = tc_two(p, l.hours);
	*p++ = ':';
	p = tc_two(p, l.minutes);
	*p++ = ':';
	p = tc_two(p, l.seconds);
	*p++ = r->drop != 0 ? ';' : ':';
	p = tc_two(p, l.frames);
	*p = '\0';
	if (size >= sizeof tmp)
		memcpy(buf, tmp, sizeof tmp);
	else {
		memcpy(buf, tmp, size - 1);
		buf[size - 1] = '\0';
	}
	return buf;
}

int64_t
tc_add(int64_t a, int64_t b, const struct tc_rate *r)
{
	/* Wrapped first: both below a day, so the sum cannot overflow. */
	return tc_wrap(tc_wrap(a, r) + tc_wrap(b, r), r);
}

int64_t
tc_sub(int64_t a, int64_t b, const struct tc_rate *r)
{
	return tc_wrap(tc_wrap(a, r) - tc_wrap(b, r), r);
}

static int64_t
tc_gcd(int64_t a, int64_t b)
{
	while (b != 0) {
		int64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int64_t
tc_convert(int64_t frames, const struct tc_rate *from,
    const struct tc_rate *to)
{
	int64_t n = (int64_t)from->den * to->num;
	int64_t d = (int64_t)from->num * to->den;
	int64_t g = tc_gcd(n, d), q, rem;

	/* frames * n / d, rounded half up, as q * n + rem * n / d with
	 * frames = q * d + rem and 0 <= rem < d, so nothing overflows before
	 * the result itself would. */
	n /= g;
	d /= g;
	q = frames / d;
	rem = frames % d;
	if (rem < 0) {
		rem += d;
		q--;
	}
	if (q > (INT64_MAX - n) / n)
		return INT64_MAX;
	if (q < INT64_MIN / n)
		return INT64_MIN;
	return q * n + (2 * rem * n + d) / (2 * d);
}

int
tc_convert_label(int64_t frames, const struct tc_rate *from,
    const struct tc_rate *to, int64_t *out, char *err, size_t errlen)
{
	struct tc_label l;

	if (from->fps != to->fps) {
		tc_error(err, errlen, "a label at %s cannot keep its meaning "
		    "at %s: they count %d and %d frames a second; convert by "
		    "time instead", from->name, to->name, from->fps, to->fps);
		return TC_ERATE;
	}
	tc_to_label(frames, from, &l);
	return tc_from_label(&l, to, out, err, errlen);
}
