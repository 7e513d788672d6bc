/*
 * handover: the console's Handover screen. fetch() builds the same report
 * as `mcr handover` (shiftlog_handover_report, from the open shift's start
 * or the last [shift] times boundary) and renders it as text into lines;
 * draw() shows them, section headings highlighted, items that need
 * attention in warning colours. 'a' acknowledges the handover as `mcr
 * handover ack` does, after asking; 's' and 'e' start and end a shift.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "draw.h"
#include "handover.h"
#include "screen.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

struct handover {
	char *text;		/* the rendered report */
	char **line;		/* into text */
	size_t n;
	int top;
	int rows;
	int64_t since, until;
	char *report;		/* the JSON, for acknowledging */
	int64_t built;		/* when the report was built */
	bool force;		/* build it again at the next fetch */
	int shift_key;		/* 's' or 'e' waiting for confirmation */
};

/* The shift log changes many times a second while jobs run; the report
 * reads the whole shift, so it is built again at most this often unless
 * asked ('r', or after an action here). */
#define HANDOVER_REBUILD_US (5 * WHEN_US_PER_SEC)

static void *
handover_open(struct console *c)
{
	return xcalloc(1, sizeof(struct handover));
}

static void
handover_clear(struct handover *h)
{
	free(h->text);
	free(h->line);
	free(h->report);
	h->text = h->report = NULL;
	h->line = NULL;
	h->n = 0;
}

static void
handover_close(void *state)
{
	handover_clear(state);
	free(state);
}

static int
handover_fetch(void *state, struct console *c)
{
	struct handover *h = state;
	const struct config *cfg = console_config(c);
	struct shiftlog *sl = console_shiftlog(c);
	size_t len = 0, cap = 0;
	char *p;
	FILE *f;

	if (h->text != NULL && !h->force &&
	    when_now() - h->built < HANDOVER_REBUILD_US)
		return 0;
	h->force = false;
	handover_clear(h);
	h->until = h->built = when_now();
	h->since = shiftlog_handover_default_since(sl, cfg->shift_times,
	    cfg->nshift_times, h->until);
	if (shiftlog_handover_report(sl, h->since, h->until, cfg->site_name,
	    &h->report) < 0) {
		console_status(c, "%s", shiftlog_errmsg(sl));
		return -1;
	}
	if ((f = open_memstream(&h->text, &len)) == NULL)
		fatal("cannot render the handover: %s", strerror(errno));
	handover_render(h->report, HANDOVER_TEXT, f);
	if (fclose(f) != 0)
		fatal("cannot render the handover: %s", strerror(errno));
	for (p = h->text; p != NULL && *p != '\0';) {
		char *nl = strchr(p, '\n');

		if (h->n == cap) {
			cap = cap ? cap * 2 : 128;
			h->line = xrealloc(h->line, cap * sizeof *h->line);
		}
		h->line[h->n++] = p;
		if (nl == NULL)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	if (h->top > (int)h->n - 1)
		h->top = h->n > 0 ? (int)h->n - 1 : 0;
	return 0;
}

/* A heading is the line above a row of dashes. */
static bool
is_heading(const struct handover *h, size_t i)
{
	return i + 1 < h->n && h->line[i + 1][0] == '-' &&
	    h->line[i + 1][1] == '-';
}

static enum draw_style
line_style(const char *s)
{
	if (strstr(s, "NOT acknowledged") != NULL || strstr(s, "[error]") ||
	    strstr(s, "[critical]") || strstr(s, "UNAVAILABLE") ||
	    strstr(s, " failed at ") || strstr(s, " interrupted at ") ||
	    strstr(s, ": fail (") || strstr(s, "level crit"))
		return DRAW_CRIT;
	if (strstr(s, "ALARM") || strstr(s, "WARNING") ||
	    strstr(s, "[warning]") || strstr(s, "carried over") ||
	    strstr(s, "NO OWNER") || strstr(s, ": warning ("))
		return DRAW_WARN;
	return DRAW_NORMAL;
}

static void
handover_draw(void *state, struct console *c, WINDOW *win)
{
	struct handover *h = state;
	int rows, cols, y;
	size_t i;

	getmaxyx(win, rows, cols);
	h->rows = rows;
	if (h->n == 0) {
		draw_text(win, 1, 2, cols - 4, "the handover could not be built; "
		    "see the status line", false);
		return;
	}
	for (y = 0, i = (size_t)h->top; y < rows && i < h->n; i++) {
		const char *s = h->line[i];
		enum draw_style st;

		/* The dashes under a heading are the text form's; here
		 * the heading's colour marks it. */
		if (s[0] == '-' && s[1] == '-' && i > 0 && is_heading(h, i - 1))
			continue;
		st = i == 0 || is_heading(h, i) ? DRAW_TITLE : line_style(s);
		if (st != DRAW_NORMAL)
			wattron(win, draw_attr(st));
		draw_text(win, y++, 1, cols - 2, s, false);
		if (st != DRAW_NORMAL)
			wattroff(win, draw_attr(st));
	}
}

static void
acknowledge(struct console *c, void *arg)
{
	struct handover *h = arg;
	struct shiftlog_opts o = { .must_exist = true };
	struct shiftlog_handover_ack ack;
	struct shiftlog *w;
	char err[640];

	if (h->report == NULL)
		return;
	o.busy_timeout_ms = console_config(c)->busy_timeout_ms;
	if (shiftlog_open(console_shiftlog_path(c), &o, &w, err,
	    sizeof err) < 0) {
		console_status(c, "%s", err);
		return;
	}
	if (shiftlog_handover_ack(w, h->since, h->until, h->report, &ack) < 0)
		console_status(c, "%s", shiftlog_errmsg(w));
	else
		console_status(c, "handover %lld (given by %s) acknowledged",
		    (long long)ack.id, ack.given_by);
	shiftlog_close(w);
	h->force = true;
	console_refetch(c);
}

/* 's' starts a shift for the Unix user (ending the open one); 'e' ends
 * it and records its handover, as `mcr shift start|end` do. */
static void
shift_change(struct console *c, void *arg)
{
	struct shiftlog_opts o = { .must_exist = true };
	struct shiftlog_shift s, ended;
	struct handover *h = arg;
	struct shiftlog *w;
	char err[640], *report = NULL;
	int64_t id;

	o.busy_timeout_ms = console_config(c)->busy_timeout_ms;
	if (shiftlog_open(console_shiftlog_path(c), &o, &w, err,
	    sizeof err) < 0) {
		console_status(c, "%s", err);
		return;
	}
	if (h->shift_key == 's') {
		if (shiftlog_shift_start(w, NULL, &s, &ended) < 0)
			console_status(c, "%s", shiftlog_errmsg(w));
		else
			console_status(c, "shift %lld of %s started",
			    (long long)s.id, s.operator);
	} else if (shiftlog_shift_end(w, &ended) < 0)
		console_status(c, "%s", shiftlog_errmsg(w));
	else if (shiftlog_handover_report(w, ended.started, ended.ended,
	    console_config(c)->site_name, &report) < 0 ||
	    shiftlog_handover_record(w, ended.started, ended.ended, report,
	    &id) < 0)
		console_status(c, "shift ended, but its handover could not be "
		    "recorded: %s", shiftlog_errmsg(w));
	else
		console_status(c, "shift %lld of %s ended; handover %lld recorded",
		    (long long)ended.id, ended.operator, (long long)id);
	free(report);
	shiftlog_close(w);
	h->force = true;
	console_refetch(c);
}

static enum screen_key
handover_key(void *state, struct console *c, int ch)
{
	struct handover *h = state;
	int page = h->rows > 2 ? h->rows - 1 : 1, last = (int)h->n - 1;

	switch (ch) {
	case 27:
		return SCREEN_KEY_POP;
	case 'a':
		if (console_read_only(c)) {
			console_status(c, "read-only: the handover cannot be "
			    "acknowledged here");
			return SCREEN_KEY_REDRAW;
		}
		console_confirm(c, "acknowledge this handover as read", acknowledge,
		    h);
		return SCREEN_KEY_REDRAW;
	case 's':
	case 'e':
		if (console_read_only(c)) {
			console_status(c, "read-only: shifts cannot change here");
			return SCREEN_KEY_REDRAW;
		}
		h->shift_key = ch;
		console_confirm(c, ch == 's' ? "start your shift (ending the open "
		    "one)" : "end the shift and record its handover",
		    shift_change, h);
		return SCREEN_KEY_REDRAW;
	case 'r':
		h->force = true;
		console_refetch(c);
		return SCREEN_KEY_HANDLED;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		h->top++;
		break;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		h->top--;
		break;
	case ' ':
	case SCREEN_KEY(KEY_NPAGE):
		h->top += page;
		break;
	case SCREEN_KEY(KEY_PPAGE):
		h->top -= page;
		break;
	case 'g':
	case SCREEN_KEY(KEY_HOME):
		h->top = 0;
		break;
	case 'G':
	case SCREEN_KEY(KEY_END):
		h->top = last - page + 1;
		break;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
	if (h->top > last)
		h->top = last;
	if (h->top < 0)
		h->top = 0;
	return SCREEN_KEY_REDRAW;
}

static const struct screen_keyhelp handover_keys[] = {
	{ "Up/Down, PgUp/PgDn", "scroll the report" },
	{ "Home/End", "top and bottom" },
	{ "a", "acknowledge the handover (as mcr handover ack)" },
	{ "s", "start your shift (as mcr shift start)" },
	{ "e", "end the shift, recording its handover (mcr shift end)" },
	{ "r", "build the report again" },
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_handover = {
	.name = "handover",
	.title = "Handover",
	.open = handover_open,
	.close = handover_close,
	.fetch = handover_fetch,
	.draw = handover_draw,
	.key = handover_key,
	.keys = handover_keys,
};
