/*
 * assets: the physical asset register (mcr asset): each drive, tape or
 * card with its format, whether it is in or out, where it is, whose it
 * is, who signed for its last move and how many catalogued media came
 * from it; the most recently moved first. Read from the shift log on
 * every change of it; Up/Down move the selection.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "screen.h"
#include "shiftlog.h"
#include "when.h"
#include "xmalloc.h"

struct asset_row {
	char *label, *format, *owner, *state, *location, *last_by;
	int64_t updated;
	int64_t media;
};

struct assets {
	struct asset_row *rows;
	size_t n, cap;
	size_t sel, top;
};

static void *
assets_open(struct console *c)
{
	return xcalloc(1, sizeof(struct assets));
}

static void
assets_clear(struct assets *a)
{
	size_t i;

	for (i = 0; i < a->n; i++) {
		free(a->rows[i].label);
		free(a->rows[i].format);
		free(a->rows[i].owner);
		free(a->rows[i].state);
		free(a->rows[i].location);
		free(a->rows[i].last_by);
	}
	a->n = 0;
}

static void
assets_close(void *state)
{
	struct assets *a = state;

	assets_clear(a);
	free(a->rows);
	free(a);
}

static char *
dup_or_dash(const char *s)
{
	return xstrdup(s != NULL && *s != '\0' ? s : "-");
}

static int
take(const struct shiftlog_asset_row *r, void *arg)
{
	struct assets *a = arg;
	struct asset_row *o;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->rows = xrealloc(a->rows, a->cap * sizeof *a->rows);
	}
	o = &a->rows[a->n++];
	o->label = dup_or_dash(r->label);
	o->format = dup_or_dash(r->format);
	o->owner = r->production != NULL ? xasprintf("%s / %s",
	    r->client ? r->client : "-", r->production) :
	    dup_or_dash(r->client);
	o->state = dup_or_dash(r->state);
	o->location = dup_or_dash(r->location);
	o->last_by = dup_or_dash(r->last_by);
	o->updated = r->updated;
	o->media = r->media;
	return 0;
}

static int
assets_fetch(void *state, struct console *c)
{
	struct assets *a = state;

	assets_clear(a);
	if (shiftlog_assets(console_shiftlog(c), take, a) < 0)
		return -1;
	if (a->sel >= a->n)
		a->sel = a->n ? a->n - 1 : 0;
	return 0;
}

static void
assets_draw(void *state, struct console *c, WINDOW *win)
{
	struct assets *a = state;
	char when[40];
	int rows, cols, y;
	size_t i;

	getmaxyx(win, rows, cols);
	if (a->n == 0) {
		draw_text(win, 1, 2, cols - 4, "no physical assets registered: "
		    "mcr asset in LABEL --format F --client C books one in",
		    false);
		return;
	}
	if (a->sel < a->top)
		a->top = a->sel;
	if (rows > 2 && a->sel >= a->top + (size_t)(rows - 2))
		a->top = a->sel - (size_t)(rows - 2) + 1;
	wattron(win, draw_attr(DRAW_TITLE));
	draw_textf(win, 0, 1, cols - 2, "%-14s %-10s %-4s %-18s %-20s %-12s "
	    "%5s  %s", "LABEL", "FORMAT", "", "WHERE", "CLIENT / PRODUCTION",
	    "SIGNED", "MEDIA", "CHANGED");
	wattroff(win, draw_attr(DRAW_TITLE));
	for (i = a->top, y = 1; i < a->n && y < rows; i++, y++) {
		const struct asset_row *r = &a->rows[i];
		attr_t at = i == a->sel ? draw_attr(DRAW_SELECTED) :
		    strcmp(r->state, "out") == 0 ? draw_attr(DRAW_DIM) : 0;

		when_format(r->updated, false, when, sizeof when);
		wattron(win, at);
		draw_textf(win, y, 1, cols - 2, "%-14.14s %-10.10s %-4s "
		    "%-18.18s %-20.20s %-12.12s %5lld  %s", r->label, r->format,
		    r->state, r->location, r->owner, r->last_by,
		    (long long)r->media, when);
		wattroff(win, at);
	}
}

static enum screen_key
assets_key(void *state, struct console *c, int ch)
{
	struct assets *a = state;

	switch (ch) {
	case 27:
		return SCREEN_KEY_POP;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (a->sel + 1 < a->n)
			a->sel++;
		return SCREEN_KEY_REDRAW;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (a->sel > 0)
			a->sel--;
		return SCREEN_KEY_REDRAW;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
}

static const struct screen_keyhelp assets_keys[] = {
	{ "Up/Down or k/j", "move the selection" },
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_assets = {
	.name = "assets",
	.title = "Assets",
	.open = assets_open,
	.close = assets_close,
	.fetch = assets_fetch,
	.draw = assets_draw,
	.key = assets_key,
	.keys = assets_keys,
};
