/*
 * edl: see edl.h. The text is cut into lines (LF or CRLF), each copied
 * into a buffer, trailing space removed and split into fields on spaces
 * and tabs. The first field decides the kind: TITLE:, FCM:, an event
 * number, M2, AUD, '*' for a comment; anything else is an error naming the
 * line. An event stays open while its comments, M2 and AUD lines follow;
 * it is checked (source out before in, unless an M2 plays it in reverse)
 * when the next event starts or the text ends. Out of memory aborts, as
 * xmalloc does, without linking it.
 */
#ifdef HAVE_CONFIG_H
#include "autoconfig.h"
#endif

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "edl.h"

#define EDL_LINE_MAX	4096
#define EDL_FIELDS_MAX	12

struct edl_parser {
	const char *name;
	const struct tc_rate *base;	/* the caller's project rate */
	const struct tc_rate *rate;	/* after the FCM lines so far */
	struct edl *edl;
	struct edl_event *cur;		/* the open event, or NULL */
	int line;
	char *err;
	size_t errlen;
};

static void *
edl_alloc(size_t n)
{
	void *p = calloc(1, n == 0 ? 1 : n);

	if (p == NULL)
		abort();
	return p;
}

/* Grows *array of *n elements of size by one zeroed element. */
static void *
edl_grow(void *array, size_t *n, size_t size)
{
	char *p;

	p = realloc(array, (*n + 1) * size);
	if (p == NULL)
		abort();
	memset(p + *n * size, 0, size);
	(*n)++;
	return p;
}

static char *
edl_strdup(const char *s)
{
	size_t n = strlen(s);
	char *d = edl_alloc(n + 1);

	memcpy(d, s, n + 1);
	return d;
}

/* s for a message: non-printable bytes as '?', long text cut. */
static const char *
edl_quote(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < size; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[i] = '\0';
	if (s[i] != '\0' && size > 4)
		memcpy(buf + size - 4, "...", 4);
	return buf;
}

static int
edl_fail(struct edl_parser *p, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
edl_fail(struct edl_parser *p, int rc, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (p->errlen > 0)
		snprintf(p->err, p->errlen, "%s:%d: %s", p->name, p->line,
		    what);
	return rc;
}

/* Splits s in place on spaces and tabs; returns how many fields there
 * are, storing at most max. */
static size_t
edl_split(char *s, char **field, size_t max)
{
	size_t n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s == '\0')
			return n;
		if (n < max)
			field[n] = s;
		n++;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
	}
}

static bool
edl_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return false;
	}
	return true;
}

/* If s starts with key (any case) followed by ':', space or the end,
 * returns what follows, spaces skipped; else NULL. */
static const char *
edl_key(const char *s, const char *key)
{
	size_t n = strlen(key);

	if (strncasecmp(s, key, n) != 0)
		return NULL;
	s += n;
	if (*s != ':' && *s != ' ' && *s != '\t' && *s != '\0')
		return NULL;
	if (*s == ':')
		s++;
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* The drop or non-drop variant of the project rate, or NULL when there
 * is no drop-frame at that rate. */
static const struct tc_rate *
edl_rate_for(const struct tc_rate *base, bool drop)
{
	if (base->num == 30000 && base->den == 1001)
		return &tc_rates[drop ? TC_2997DF : TC_2997];
	if (base->num == 60000 && base->den == 1001)
		return &tc_rates[drop ? TC_5994DF : TC_5994];
	return drop ? NULL : base;
}

static int
edl_fcm_line(struct edl_parser *p, const char *value)
{
	char norm[64], q[48];
	const char *s;
	size_t n = 0;
	bool drop;

	/* Case, runs of space and '-' do not matter. */
	for (s = value; *s != '\0' && n + 2 < sizeof norm; s++) {
		if (*s == ' ' || *s == '\t' || *s == '-') {
			if (n > 0 && norm[n - 1] != ' ')
				norm[n++] = ' ';
		} else
			norm[n++] = (char)toupper((unsigned char)*s);
	}
	while (n > 0 && norm[n - 1] == ' ')
		n--;
	norm[n] = '\0';
	if (strcmp(norm, "DROP FRAME") == 0 || strcmp(norm, "DROP") == 0 ||
	    strcmp(norm, "DF") == 0)
		drop = true;
	else if (strcmp(norm, "NON DROP FRAME") == 0 ||
	    strcmp(norm, "NON DROP") == 0 || strcmp(norm, "NDF") == 0)
		drop = false;
	else
		return edl_fail(p, EDL_ESYNTAX, "FCM '%s' is not understood; "
		    "expected DROP FRAME or NON-DROP FRAME",
		    edl_quote(value, q, sizeof q));
	if (edl_rate_for(p->base, drop) == NULL)
		return edl_fail(p, EDL_ERATE, "FCM DROP FRAME at %s fps: drop "
		    "frame is only defined at 29.97 and 59.94",
		    p->base->name);
	p->rate = edl_rate_for(p->base, drop);
	if (p->edl->nevents == 0) {
		p->edl->rate = p->rate;
		p->edl->fcm = drop ? EDL_DROP : EDL_NON_DROP;
	}
	return EDL_OK;
}

/* V, A, A2..A8, AA, B, NONE, joined with '/': AA/V, A/V, A3/A4. */
static int
edl_channels(struct edl_parser *p, const char *s, unsigned *mask)
{
	char q[48];
	const char *part = s, *end;
	size_t n;

	*mask = 0;
	if (strcasecmp(s, "NONE") == 0)
		return EDL_OK;
	for (;;) {
		end = strchr(part, '/');
		n = end != NULL ? (size_t)(end - part) : strlen(part);
		if (n == 1 && (*part == 'V' || *part == 'v'))
			*mask |= EDL_CH_V;
		else if (n == 1 && (*part == 'A' || *part == 'a'))
			*mask |= EDL_CH_A(1);
		else if (n == 1 && (*part == 'B' || *part == 'b'))
			*mask |= EDL_CH_V | EDL_CH_A(1);
		else if (n == 2 && strncasecmp(part, "AA", 2) == 0)
			*mask |= EDL_CH_A(1) | EDL_CH_A(2);
		else if (n == 2 && (*part == 'A' || *part == 'a') &&
		    part[1] >= '1' && part[1] <= '8')
			*mask |= EDL_CH_A(part[1] - '0');
		else
			return edl_fail(p, EDL_ESYNTAX, "channels '%s' are not "
			    "understood; expected V, A, A2 to A8, AA, B or "
			    "NONE, joined with '/' as in AA/V",
			    edl_quote(s, q, sizeof q));
		if (end == NULL)
			return EDL_OK;
		part = end + 1;
	}
}

static int
edl_transition(struct edl_parser *p, const char *s, struct edl_clip *c)
{
	char q[48];

	if (strcasecmp(s, "C") == 0)
		c->trans = EDL_CUT;
	else if (strcasecmp(s, "D") == 0)
		c->trans = EDL_DISSOLVE;
	else if (strcasecmp(s, "K") == 0)
		c->trans = EDL_KEY;
	else if (strcasecmp(s, "KB") == 0)
		c->trans = EDL_KEY_BACKGROUND;
	else if (strcasecmp(s, "KO") == 0)
		c->trans = EDL_KEY_OUT;
	else if ((s[0] == 'W' || s[0] == 'w') && edl_digits(s + 1) &&
	    strlen(s + 1) <= 4) {
		c->trans = EDL_WIPE;
		c->wipe = atoi(s + 1);
	} else
		return edl_fail(p, EDL_ESYNTAX, "transition '%s' is not "
		    "understood; expected C, D, W### (a wipe code), K, KB "
		    "or KO", edl_quote(s, q, sizeof q));
	return EDL_OK;
}

/* A timecode field; what names it in the message. */
static int
edl_tc(struct edl_parser *p, const char *s, const char *what,
    int64_t *frames)
{
	char err[256];
	int rc;

	rc = tc_parse(s, p->rate, frames, err, sizeof err);
	if (rc == TC_OK)
		return EDL_OK;
	return edl_fail(p, EDL_ETIMECODE, "%s: %s", what, err);
}

/* [+-]digits[.digits]: not strtod, which follows the locale. */
static bool
edl_number(const char *s, double *v)
{
	double x = 0, scale = 1;
	bool neg = false, any = false;
	int digits = 0;

	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9'; s++, any = true) {
		if (++digits > 6)
			return false;
		x = x * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, any = true) {
			scale /= 10;
			x += (*s - '0') * scale;
		}
	}
	if (!any || *s != '\0')
		return false;
	*v = neg ? -x : x;
	return true;
}

/* Checks the open event and works out its durations and speed. */
static int
edl_close_event(struct edl_parser *p)
{
	struct edl_event *ev = p->cur;
	struct edl_clip *c, *last;
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE];
	int saved = p->line;
	size_t i;

	if (ev == NULL)
		return EDL_OK;
	p->cur = NULL;
	for (i = 0; i < ev->nclips; i++) {
		c = &ev->clip[i];
		if (c->src_out < c->src_in &&
		    !(c->has_speed && c->speed_fps < 0)) {
			p->line = c->line;
			edl_fail(p, EDL_ERANGE, "source out %s is before "
			    "source in %s; expected out at or after in",
			    tc_format(c->src_out, ev->rate, a, sizeof a),
			    tc_format(c->src_in, ev->rate, b, sizeof b));
			p->line = saved;
			return EDL_ERANGE;
		}
		c->src_duration = c->src_out >= c->src_in ?
		    c->src_out - c->src_in : c->src_in - c->src_out;
		c->rec_duration = c->rec_out - c->rec_in;
		c->speed = c->has_speed ? c->speed_fps / ev->rate->fps : 1.0;
	}
	last = &ev->clip[ev->nclips - 1];
	ev->trans = last->trans;
	ev->trans_frames = last->trans_frames;
	ev->rec_duration = last->rec_duration;
	ev->src_duration = last->src_duration;
	ev->speed = last->speed;
	return EDL_OK;
}

static int
edl_event_line(struct edl_parser *p, char **f, size_t n)
{
	struct edl *e = p->edl;
	struct edl_event *ev;
	struct edl_clip *c;
	char q[48], a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE];
	char **tc;
	int rc;

	if (!edl_digits(f[0]) || strlen(f[0]) < 3 || strlen(f[0]) > 9)
		return edl_fail(p, EDL_ESYNTAX, "event number '%s' is not "
		    "one; expected three to nine digits, as in 001",
		    edl_quote(f[0], q, sizeof q));
	if (n < 8 || n > 9)
		return edl_fail(p, EDL_ESYNTAX, "event %s has %zu fields; "
		    "expected number, reel, channels, transition, [duration,] "
		    "source in, source out, record in, record out", f[0], n);

	if (p->cur != NULL && strcmp(p->cur->number, f[0]) == 0) {
		/* The "to" line of a transition. */
		ev = p->cur;
		if (ev->nclips == 2)
			return edl_fail(p, EDL_ESYNTAX, "event %s has a third "
			    "line; expected a new event number (a transition "
			    "takes two lines: from and to)", f[0]);
		if (ev->rate != p->rate)
			return edl_fail(p, EDL_ESYNTAX, "an FCM line between "
			    "the two lines of event %s; expected it before "
			    "the event", f[0]);
	} else {
		if ((rc = edl_close_event(p)) != EDL_OK)
			return rc;
		e->events = edl_grow(e->events, &e->nevents, sizeof *ev);
		ev = &e->events[e->nevents - 1];
		ev->number = edl_strdup(f[0]);
		ev->num = atol(f[0]);
		ev->line = p->line;
		ev->rate = p->rate;
		ev->fcm = p->rate->drop != 0 ? EDL_DROP : EDL_NON_DROP;
		p->cur = ev;
	}
	c = &ev->clip[ev->nclips++];
	c->line = p->line;
	c->reel = edl_strdup(f[1]);
	if (strcasecmp(f[1], "BL") == 0 || strcasecmp(f[1], "BLACK") == 0)
		c->reel_kind = EDL_REEL_BLACK;
	else if (strcasecmp(f[1], "AX") == 0)
		c->reel_kind = EDL_REEL_AUX;
	if ((rc = edl_channels(p, f[2], &c->channels)) != EDL_OK)
		return rc;
	if ((rc = edl_transition(p, f[3], c)) != EDL_OK)
		return rc;
	if (n == 9) {
		if (!edl_digits(f[4]) || strlen(f[4]) > 5)
			return edl_fail(p, EDL_ESYNTAX, "transition duration "
			    "'%s' is not a frame count; expected digits, as "
			    "in 025", edl_quote(f[4], q, sizeof q));
		c->trans_frames = atol(f[4]);
		tc = f + 5;
	} else {
		if (c->trans == EDL_DISSOLVE || c->trans == EDL_WIPE)
			return edl_fail(p, EDL_ESYNTAX, "%s without a "
			    "duration; expected frames after it, as in %s 025",
			    f[3], f[3]);
		tc = f + 4;
	}
	if ((rc = edl_tc(p, tc[0], "source in", &c->src_in)) != EDL_OK ||
	    (rc = edl_tc(p, tc[1], "source out", &c->src_out)) != EDL_OK ||
	    (rc = edl_tc(p, tc[2], "record in", &c->rec_in)) != EDL_OK ||
	    (rc = edl_tc(p, tc[3], "record out", &c->rec_out)) != EDL_OK)
		return rc;
	if (c->rec_out < c->rec_in)
		return edl_fail(p, EDL_ERANGE, "record out %s is before "
		    "record in %s; expected out at or after in",
		    tc_format(c->rec_out, p->rate, a, sizeof a),
		    tc_format(c->rec_in, p->rate, b, sizeof b));
	return EDL_OK;
}

/* [NNN] M2 reel speed timecode: the event by number, else by reel. */
static int
edl_m2_line(struct edl_parser *p, char **f, size_t n)
{
	struct edl *e = p->edl;
	struct edl_event *ev = NULL;
	struct edl_speed *sp;
	struct edl_clip *c;
	char q[48], err[256];
	const char *number = NULL;
	double fps;
	int64_t at;
	size_t i, k;

	if (edl_digits(f[0])) {
		number = f[0];
		f++;
		n--;
	}
	if (n != 4)
		return edl_fail(p, EDL_ESYNTAX, "M2 line has %zu fields; "
		    "expected M2, reel, speed in fps and source timecode", n);
	if (!edl_number(f[2], &fps))
		return edl_fail(p, EDL_ESYNTAX, "M2 speed '%s' is not a "
		    "number; expected frames a second, as in 050.0 or -025.0",
		    edl_quote(f[2], q, sizeof q));
	for (i = e->nevents; i > 0 && ev == NULL; i--) {
		struct edl_event *cand = &e->events[i - 1];

		if (number != NULL) {
			if (strcmp(cand->number, number) == 0)
				ev = cand;
			continue;
		}
		for (k = 0; k < cand->nclips; k++) {
			if (strcasecmp(cand->clip[k].reel, f[1]) == 0)
				ev = cand;
		}
	}
	if (ev == NULL && number != NULL)
		return edl_fail(p, EDL_ESYNTAX, "M2 line names event %s, which "
		    "is not above it; expected the number of an event before "
		    "it", edl_quote(number, q, sizeof q));
	if (ev == NULL)
		return edl_fail(p, EDL_ESYNTAX, "M2 line names reel %s, which "
		    "no event above it uses; expected the reel of the event "
		    "it follows", edl_quote(f[1], q, sizeof q));
	if (tc_parse(f[3], ev->rate, &at, err, sizeof err) != TC_OK)
		return edl_fail(p, EDL_ETIMECODE, "M2 source timecode: %s",
		    err);
	ev->speeds = edl_grow(ev->speeds, &ev->nspeeds, sizeof *sp);
	sp = &ev->speeds[ev->nspeeds - 1];
	sp->line = p->line;
	sp->reel = edl_strdup(f[1]);
	sp->fps = fps;
	sp->at = at;
	for (k = 0; k < ev->nclips; k++) {
		c = &ev->clip[k];
		if (strcasecmp(c->reel, f[1]) != 0)
			continue;
		/* A closed event was checked already: check it again. */
		if (ev != p->cur && c->src_out < c->src_in && fps >= 0)
			return edl_fail(p, EDL_ERANGE, "M2 speed %s for reel "
			    "%s: event %s plays its source out before in; "
			    "expected a negative (reverse) speed", f[2],
			    edl_quote(f[1], q, sizeof q), ev->number);
		c->has_speed = true;
		c->speed_fps = fps;
		c->speed_at = at;
		if (ev != p->cur)
			c->speed = fps / ev->rate->fps;
	}
	if (ev != p->cur) {
		/* Recompute what edl_close_event() set. */
		c = &ev->clip[ev->nclips - 1];
		ev->speed = c->speed;
	}
	return EDL_OK;
}

/* AUD 3 [4]: audio tracks 3 and 4 on the open event's last line. */
static int
edl_aud_line(struct edl_parser *p, char **f, size_t n)
{
	char q[48];
	size_t i;

	if (p->cur == NULL)
		return edl_fail(p, EDL_ESYNTAX, "AUD line before any event; "
		    "expected it after an event line");
	if (n < 2 || n > 3)
		return edl_fail(p, EDL_ESYNTAX, "AUD line has %zu fields; "
		    "expected AUD and one or two track numbers", n);
	for (i = 1; i < n; i++) {
		if (strlen(f[i]) != 1 || f[i][0] < '1' || f[i][0] > '8')
			return edl_fail(p, EDL_ESYNTAX, "AUD track '%s' is not "
			    "one; expected a number from 1 to 8",
			    edl_quote(f[i], q, sizeof q));
		p->cur->clip[p->cur->nclips - 1].channels |=
		    EDL_CH_A(f[i][0] - '0');
	}
	return EDL_OK;
}

static struct edl_comment *
edl_add_comment(struct edl_comment **list, size_t *n, int line,
    const char *raw)
{
	struct edl_comment *c;

	*list = edl_grow(*list, n, sizeof **list);
	c = &(*list)[*n - 1];
	c->line = line;
	c->raw = edl_strdup(raw);
	return c;
}

/* A '*' line: kept raw; FROM/TO CLIP NAME, SOURCE FILE, LOC and ASC_*
 * parsed too when they follow an event. */
static int
edl_comment_line(struct edl_parser *p, const char *line)
{
	struct edl_event *ev = p->cur;
	struct edl_loc *loc;
	const char *s, *v;
	char buf[EDL_LINE_MAX], *f[3];
	size_t n, len;
	int rc;

	if (ev == NULL) {
		edl_add_comment(&p->edl->comments, &p->edl->ncomments,
		    p->line, line);
		return EDL_OK;
	}
	edl_add_comment(&ev->comments, &ev->ncomments, p->line, line);
	for (s = line; *s == '*' || *s == ' ' || *s == '\t'; s++)
		continue;
	if ((v = edl_key(s, "FROM CLIP NAME")) != NULL) {
		if (ev->from_clip_name == NULL)
			ev->from_clip_name = edl_strdup(v);
	} else if ((v = edl_key(s, "TO CLIP NAME")) != NULL) {
		if (ev->to_clip_name == NULL)
			ev->to_clip_name = edl_strdup(v);
	} else if ((v = edl_key(s, "SOURCE FILE")) != NULL) {
		if (ev->source_file[0] == NULL)
			ev->source_file[0] = edl_strdup(v);
		else if (ev->source_file[1] == NULL)
			ev->source_file[1] = edl_strdup(v);
	} else if ((v = edl_key(s, "ASC_SOP")) != NULL) {
		if (ev->asc_sop == NULL)
			ev->asc_sop = edl_strdup(v);
	} else if ((v = edl_key(s, "ASC_SAT")) != NULL) {
		if (ev->asc_sat == NULL)
			ev->asc_sat = edl_strdup(v);
	} else if ((v = edl_key(s, "LOC")) != NULL) {
		len = strlen(v);
		memcpy(buf, v, len + 1);
		n = edl_split(buf, f, 2);
		if (n == 0)
			return edl_fail(p, EDL_ESYNTAX, "LOC without a "
			    "timecode; expected * LOC: HH:MM:SS:FF COLOUR "
			    "text");
		ev->locs = edl_grow(ev->locs, &ev->nlocs, sizeof *loc);
		loc = &ev->locs[ev->nlocs - 1];
		loc->line = p->line;
		loc->colour = edl_strdup(n > 1 ? f[1] : "");
		/* The text is the rest of the original line. */
		s = n > 2 ? v + (f[1] - buf) + strlen(f[1]) : "";
		while (*s == ' ' || *s == '\t')
			s++;
		loc->text = edl_strdup(s);
		if ((rc = edl_tc(p, f[0], "LOC timecode", &loc->at)) !=
		    EDL_OK)
			return rc;
	}
	return EDL_OK;
}

static int
edl_line(struct edl_parser *p, char *line)
{
	char copy[EDL_LINE_MAX], *f[EDL_FIELDS_MAX], q[48];
	const char *v;
	size_t n;

	if (line[0] == '*')
		return edl_comment_line(p, line);
	if ((v = edl_key(line, "TITLE")) != NULL) {
		if (p->edl->title == NULL)
			p->edl->title = edl_strdup(v);
		return EDL_OK;
	}
	if ((v = edl_key(line, "FCM")) != NULL)
		return edl_fcm_line(p, v);
	/* Lines some systems write that carry nothing we use: kept. */
	if (strncmp(line, ">>>", 3) == 0 || edl_key(line, "SPLIT") != NULL ||
	    edl_key(line, "EFFECTS NAME IS") != NULL) {
		if (p->cur != NULL)
			edl_add_comment(&p->cur->comments,
			    &p->cur->ncomments, p->line, line);
		else
			edl_add_comment(&p->edl->comments,
			    &p->edl->ncomments, p->line, line);
		return EDL_OK;
	}
	memcpy(copy, line, strlen(line) + 1);
	n = edl_split(copy, f, EDL_FIELDS_MAX);
	if (n == 0)
		return EDL_OK;
	if (strcasecmp(f[0], "M2") == 0 ||
	    (n > 1 && edl_digits(f[0]) && strcasecmp(f[1], "M2") == 0))
		return edl_m2_line(p, f, n < EDL_FIELDS_MAX ? n :
		    EDL_FIELDS_MAX);
	if (strcasecmp(f[0], "AUD") == 0)
		return edl_aud_line(p, f, n < EDL_FIELDS_MAX ? n :
		    EDL_FIELDS_MAX);
	if (f[0][0] >= '0' && f[0][0] <= '9')
		return edl_event_line(p, f, n);
	return edl_fail(p, EDL_ESYNTAX, "'%s' is not an EDL line; expected "
	    "TITLE:, FCM:, an event line, M2, AUD or a '*' comment",
	    edl_quote(line, q, sizeof q));
}

int
edl_parse(const char *text, size_t len, const char *name,
    const struct tc_rate *default_rate, struct edl **out, char *err,
    size_t errlen)
{
	struct edl_parser p;
	char line[EDL_LINE_MAX];
	const char *at = text, *end = text + len, *nl;
	size_t n;
	int rc = EDL_OK;

	memset(&p, 0, sizeof p);
	p.name = name != NULL ? name : "EDL";
	p.err = err;
	p.errlen = errlen;
	if (errlen > 0)
		err[0] = '\0';
	*out = NULL;
	if (default_rate == NULL)
		return edl_fail(&p, EDL_ERATE, "no rate given; expected the "
		    "project rate");
	p.base = p.rate = default_rate;
	p.edl = edl_alloc(sizeof *p.edl);
	p.edl->rate = default_rate;
	p.edl->fcm = default_rate->drop != 0 ? EDL_DROP : EDL_NON_DROP;

	while (at < end) {
		p.line++;
		nl = memchr(at, '\n', (size_t)(end - at));
		n = (size_t)((nl != NULL ? nl : end) - at);
		if (n >= sizeof line) {
			rc = edl_fail(&p, EDL_ESYNTAX, "a line of %zu bytes; "
			    "expected at most %zu", n, sizeof line - 1);
			goto out;
		}
		memcpy(line, at, n);
		line[n] = '\0';
		at += n + (nl != NULL);
		if (strlen(line) != n) {
			rc = edl_fail(&p, EDL_ESYNTAX, "a NUL byte; expected "
			    "text");
			goto out;
		}
		while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == ' ' ||
		    line[n - 1] == '\t'))
			line[--n] = '\0';
		/* Leading space is not meaningful either. */
		if ((n = strspn(line, " \t")) > 0)
			memmove(line, line + n, strlen(line + n) + 1);
		if (line[0] == '\0')
			continue;
		if ((rc = edl_line(&p, line)) != EDL_OK)
			goto out;
	}
	rc = edl_close_event(&p);
out:
	if (rc != EDL_OK) {
		edl_free(p.edl);
		return rc;
	}
	*out = p.edl;
	return EDL_OK;
}

static void
edl_free_comments(struct edl_comment *c, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(c[i].raw);
	free(c);
}

void
edl_free(struct edl *e)
{
	struct edl_event *ev;
	size_t i, k;

	if (e == NULL)
		return;
	for (i = 0; i < e->nevents; i++) {
		ev = &e->events[i];
		free(ev->number);
		for (k = 0; k < ev->nclips; k++)
			free(ev->clip[k].reel);
		free(ev->from_clip_name);
		free(ev->to_clip_name);
		free(ev->source_file[0]);
		free(ev->source_file[1]);
		free(ev->asc_sop);
		free(ev->asc_sat);
		for (k = 0; k < ev->nlocs; k++) {
			free(ev->locs[k].colour);
			free(ev->locs[k].text);
		}
		free(ev->locs);
		for (k = 0; k < ev->nspeeds; k++)
			free(ev->speeds[k].reel);
		free(ev->speeds);
		edl_free_comments(ev->comments, ev->ncomments);
	}
	free(e->events);
	edl_free_comments(e->comments, e->ncomments);
	free(e->title);
	free(e);
}
