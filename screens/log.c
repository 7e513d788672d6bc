/*
 * log: the shift log, newest at the bottom, as `mcr log` shows it: search
 * ('/'), filter by kind ('k'), user ('u') and time ('t', e.g. 8h or an
 * ISO-8601 time), add a note ('n'). Scrolling up leaves the live tail;
 * End returns to it.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "model.h"
#include "screen.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define LOG_MAX 5000

struct logscr {
	struct model_event *ev;
	size_t n;
	size_t back;		/* lines scrolled up from the newest */
	int rows;
	char grep[128], kind[64], user[64], since[64];
	int64_t since_t;
};

static void *
log_open(struct console *c)
{
	return xcalloc(1, sizeof(struct logscr));
}

static void
log_close(void *state)
{
	struct logscr *l = state;

	free(l->ev);
	free(l);
}

static int
log_fetch(void *state, struct console *c)
{
	struct logscr *l = state;
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX,
	    .limit = LOG_MAX };

	if (l->grep[0])
		f.grep = l->grep;
	if (l->kind[0])
		f.kind = l->kind;
	if (l->user[0])
		f.user = l->user;
	if (l->since[0])
		f.since = l->since_t;
	return model_events(console_shiftlog(c), &f, &l->ev, &l->n);
}

static void
log_draw(void *state, struct console *c, WINDOW *win)
{
	struct logscr *l = state;
	int rows, cols, i, first;
	char when[40], head[512];

	getmaxyx(win, rows, cols);
	l->rows = rows - 1;
	strutil_format(head, sizeof head, "%zu events%s%s%s%s%s%s%s%s%s%s%s%s",
	    l->n, l->grep[0] ? "  search '" : "", l->grep,
	    l->grep[0] ? "'" : "", l->kind[0] ? "  kind " : "", l->kind,
	    l->user[0] ? "  user " : "", l->user, l->since[0] ? "  since " : "",
	    l->since, l->back ? "  (scrolled; End for the newest)" : "",
	    l->n == LOG_MAX ? "  (the newest only)" : "", "");
	wattron(win, draw_attr(DRAW_TITLE));
	draw_text(win, 0, 1, cols - 2, head, true);
	wattroff(win, draw_attr(DRAW_TITLE));
	if (l->n == 0) {
		draw_text(win, 2, 2, cols - 4, "no event matches", false);
		return;
	}
	if (l->back > l->n - 1)
		l->back = l->n - 1;
	first = (int)l->n - (int)l->back - l->rows;
	if (first < 0)
		first = 0;
	for (i = 0; i < l->rows && first + i < (int)l->n - (int)l->back; i++) {
		const struct model_event *e = &l->ev[first + i];
		enum draw_style st = strcmp(e->severity, "error") == 0 ||
		    strcmp(e->severity, "critical") == 0 ? DRAW_CRIT :
		    strcmp(e->severity, "warning") == 0 ? DRAW_WARN :
		    DRAW_NORMAL;
		int y = 1 + i, x;

		when_format(e->time, false, when, sizeof when);
		x = draw_text(win, y, 0, 20, when, false) + 1;
		wattron(win, draw_attr(st));
		x += draw_textf(win, y, x, 9, "%-8s", e->severity) + 1;
		x += draw_textf(win, y, x, 19, "%-18s", e->kind) + 1;
		wattroff(win, draw_attr(st));
		if (cols > 110)
			x += draw_textf(win, y, x, 20, "%-19s", e->who) + 1;
		if (e->job != 0)
			x += draw_textf(win, y, x, 10, "job %lld ",
			    (long long)e->job);
		if (e->subject[0] != '\0')
			x += draw_textf(win, y, x, cols - x, "%s: ", e->subject);
		draw_text(win, y, x, cols - x, e->message, false);
	}
}

static void
set_grep(struct console *c, const char *text, void *arg)
{
	struct logscr *l = arg;

	strutil_copy(l->grep, text, sizeof l->grep);
	l->back = 0;
	console_refetch(c);
}

static void
set_kind(struct console *c, const char *text, void *arg)
{
	struct logscr *l = arg;

	strutil_copy(l->kind, text, sizeof l->kind);
	l->back = 0;
	console_refetch(c);
}

static void
set_user(struct console *c, const char *text, void *arg)
{
	struct logscr *l = arg;

	strutil_copy(l->user, text, sizeof l->user);
	l->back = 0;
	console_refetch(c);
}

static void
set_since(struct console *c, const char *text, void *arg)
{
	struct logscr *l = arg;
	char err[320];

	if (*text == '\0') {
		l->since[0] = '\0';
	} else if (when_parse(text, when_now(), &l->since_t, err,
	    sizeof err) < 0) {
		console_status(c, "%s", err);
		return;
	} else
		strutil_copy(l->since, text, sizeof l->since);
	l->back = 0;
	console_refetch(c);
}

static void
add_note(struct console *c, const char *text, void *arg)
{
	char cmd[600];

	if (strutil_blank(text)) {
		console_status(c, "the note is empty; nothing was added");
		return;
	}
	strutil_format(cmd, sizeof cmd, "note %s", text);
	console_command(c, cmd);
}

static enum screen_key
log_key(void *state, struct console *c, int ch)
{
	struct logscr *l = state;
	size_t page = l->rows > 1 ? (size_t)l->rows - 1 : 1;

	switch (ch) {
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (l->back + 1 < l->n)
			l->back++;
		break;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (l->back > 0)
			l->back--;
		break;
	case SCREEN_KEY(KEY_PPAGE):
		l->back = l->back + page < l->n ? l->back + page :
		    l->n > 0 ? l->n - 1 : 0;
		break;
	case SCREEN_KEY(KEY_NPAGE):
		l->back = l->back > page ? l->back - page : 0;
		break;
	case SCREEN_KEY(KEY_END):
	case 'G':
		l->back = 0;
		break;
	case SCREEN_KEY(KEY_HOME):
	case 'g':
		l->back = l->n > 0 ? l->n - 1 : 0;
		break;
	case '/':
		console_prompt(c, "Search the log", l->grep, set_grep, l);
		return SCREEN_KEY_HANDLED;
	case 'K':
	case 'f':
		console_prompt(c, "Kind (job, note, storage...; empty for all)",
		    l->kind, set_kind, l);
		return SCREEN_KEY_HANDLED;
	case 'u':
		console_prompt(c, "User (empty for all)", l->user, set_user, l);
		return SCREEN_KEY_HANDLED;
	case 't':
		console_prompt(c, "Since (8h, 30m, 2026-11-29T06:00; empty for "
		    "all)", l->since, set_since, l);
		return SCREEN_KEY_HANDLED;
	case 'n':
		if (console_read_only(c)) {
			console_status(c, "read-only: notes cannot be added");
			break;
		}
		console_prompt(c, "Note", "", add_note, l);
		return SCREEN_KEY_HANDLED;
	case 27:
		return SCREEN_KEY_POP;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
	return SCREEN_KEY_REDRAW;
}

static const struct screen_keyhelp log_keys[] = {
	{ "Up/Down, j/k, PgUp/PgDn", "scroll" },
	{ "Home/End, g/G", "the oldest shown, the newest" },
	{ "/", "search subject and message" },
	{ "f or K", "filter by kind (job matches job.*)" },
	{ "u", "filter by user" },
	{ "t", "since a time: 8h, 30m, or ISO-8601" },
	{ "n", "add a note to the shift log" },
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_log = {
	.name = "log",
	.title = "Shift log",
	.open = log_open,
	.close = log_close,
	.fetch = log_fetch,
	.draw = log_draw,
	.key = log_key,
	.keys = log_keys,
};
