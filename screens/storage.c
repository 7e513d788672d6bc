/*
 * storage: each configured volume with its newest sample: used, free and
 * total space and inodes, its warn and crit levels, and when it was
 * measured. 'u' asks mcrd for a fresh sample now.
 */
#include "autoconfig.h"

#include <math.h>
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

struct storage {
	struct model_volume *v;
	size_t n;
};

static void *
storage_open(struct console *c)
{
	return xcalloc(1, sizeof(struct storage));
}

static void
storage_close(void *state)
{
	struct storage *s = state;

	free(s->v);
	free(s);
}

static int
storage_fetch(void *state, struct console *c)
{
	struct storage *s = state;

	return model_volumes(console_shiftlog(c), console_config(c), &s->v,
	    &s->n);
}

static void
storage_draw(void *state, struct console *c, WINDOW *win)
{
	struct storage *s = state;
	char used[16], total[16], avail[16], when[40];
	int rows, cols, y = 0, barw;
	size_t i;

	getmaxyx(win, rows, cols);
	if (s->n == 0) {
		draw_text(win, 1, 2, cols - 4, "no volumes are configured: add "
		    "[volume NAME] with path = to mcr.ini (see mcr.ini(5))",
		    false);
		return;
	}
	barw = cols - 50 > 10 ? cols - 50 : 10;
	for (i = 0; i < s->n && y + 3 < rows; i++) {
		const struct model_volume *v = &s->v[i];
		enum draw_style st = strcmp(v->level, "crit") == 0 ? DRAW_CRIT :
		    strcmp(v->level, "warn") == 0 ? DRAW_WARN : DRAW_BAR;

		wattron(win, draw_attr(DRAW_TITLE));
		draw_textf(win, y++, 1, cols - 2, "%s  (%s)  %s", v->name,
		    v->role, v->path);
		wattroff(win, draw_attr(DRAW_TITLE));
		if (!v->sampled) {
			draw_text(win, y++, 3, cols - 4, "not sampled yet: mcrd "
			    "samples volumes every [mcrd] storage_sample; "
			    "'u' asks now", false);
			y++;
			continue;
		}
		draw_bar(win, y, 3, barw, v->used_fraction, st);
		draw_bytes(v->used, used, sizeof used);
		draw_bytes(v->total, total, sizeof total);
		draw_bytes(v->avail, avail, sizeof avail);
		wattron(win, st == DRAW_BAR ? 0 : draw_attr(st));
		draw_textf(win, y++, barw + 4, cols - barw - 5, "%3.0f%%  %s of "
		    "%s, %s free", floor(v->used_fraction * 100), used, total,
		    avail);
		wattroff(win, st == DRAW_BAR ? 0 : draw_attr(st));
		when_format(v->time, false, when, sizeof when);
		draw_textf(win, y++, 3, cols - 4, "inodes %llu free of %llu;  "
		    "warn at %.0f%%, crit at %.0f%%;  level %s;  sampled %s",
		    (unsigned long long)v->inodes_free,
		    (unsigned long long)v->inodes_total, v->warn * 100,
		    v->crit * 100, v->level[0] ? v->level : "-", when);
		y++;
	}
}

static enum screen_key
storage_key(void *state, struct console *c, int ch)
{
	if (ch == 27)
		return SCREEN_KEY_POP;
	if (ch == 'u') {
		console_command(c, "submit storage.sample");
		return SCREEN_KEY_REDRAW;
	}
	return SCREEN_KEY_UNHANDLED;
}

static const struct screen_keyhelp storage_keys[] = {
	{ "u", "sample every volume now (queues storage.sample)" },
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_storage = {
	.name = "storage",
	.title = "Storage",
	.open = storage_open,
	.close = storage_close,
	.fetch = storage_fetch,
	.draw = storage_draw,
	.key = storage_key,
	.keys = storage_keys,
};
