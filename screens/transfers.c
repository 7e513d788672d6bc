/*
 * transfers: the jobs that move media (ingest, transfer, delivery,
 * receipt, archive, restore), running ones first with progress, rate, ETA
 * and destination, then the ones that ended most recently.
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
#include "xmalloc.h"

struct transfers {
	struct model_job *all;
	size_t nall;
};

static void *
xfer_open(struct console *c)
{
	return xcalloc(1, sizeof(struct transfers));
}

static void
xfer_close(void *state)
{
	struct transfers *t = state;

	free(t->all);
	free(t);
}

static int
xfer_fetch(void *state, struct console *c)
{
	struct transfers *t = state;
	struct shiftlog_job_filter f = { .limit = 2000 };
	size_t i, n = 0;

	if (model_jobs(console_shiftlog(c), &f, &t->all, &t->nall) < 0)
		return -1;
	for (i = 0; i < t->nall; i++) {
		if (model_is_transfer(t->all[i].kind))
			t->all[n++] = t->all[i];
	}
	t->nall = n;
	return 0;
}

static void
xfer_draw(void *state, struct console *c, WINDOW *win)
{
	struct transfers *t = state;
	int rows, cols, y = 1, pass;
	size_t i;

	getmaxyx(win, rows, cols);
	wattron(win, draw_attr(DRAW_TITLE));
	draw_textf(win, 0, 0, cols, "%6s %-10s %-18s %-14s %4s %-11s %-7s %s",
	    "ID", "STATE", "KIND", "PROGRESS", "", "RATE", "ETA",
	    "DESTINATION / SUBJECT");
	wattroff(win, draw_attr(DRAW_TITLE));
	if (t->nall == 0) {
		draw_text(win, 2, 2, cols - 4, "no transfers yet: ingest, "
		    "delivery and archive jobs show here", false);
		return;
	}
	/* Running and paused first, then the rest, newest first. */
	for (pass = 0; pass < 2; pass++) {
		for (i = t->nall; i > 0 && y < rows; i--) {
			const struct model_job *m = &t->all[i - 1];
			bool active = strcmp(m->state, "running") == 0 ||
			    strcmp(m->state, "paused") == 0;
			char rate[32], eta[16];

			if (active != (pass == 0))
				continue;
			draw_textf(win, y, 0, 7, "%6lld", (long long)m->id);
			draw_text(win, y, 7, 10, m->state, true);
			draw_text(win, y, 18, 18, m->kind, true);
			draw_bar(win, y, 37, 14, m->progress, DRAW_BAR);
			if (m->progress >= 0)
				draw_textf(win, y, 52, 4, "%3.0f%%",
				    m->progress * 100);
			draw_rate(m->rate, m->rate_unit, rate, sizeof rate);
			draw_duration(m->eta, eta, sizeof eta);
			draw_text(win, y, 57, 11, rate, true);
			draw_text(win, y, 69, 7, eta, true);
			if (cols > 77)
				draw_textf(win, y, 77, cols - 77, "%s%s%s%s",
				    m->to[0] ? "-> " : "", m->to,
				    m->to[0] ? "  " : "", m->error[0] ?
				    m->error : m->progress_subject[0] ?
				    m->progress_subject : m->subject);
			y++;
		}
	}
}

static enum screen_key
xfer_key(void *state, struct console *c, int ch)
{
	return ch == 27 ? SCREEN_KEY_POP : SCREEN_KEY_UNHANDLED;
}

static const struct screen_keyhelp xfer_keys[] = {
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_transfers = {
	.name = "transfers",
	.title = "Transfers",
	.open = xfer_open,
	.close = xfer_close,
	.fetch = xfer_fetch,
	.draw = xfer_draw,
	.key = xfer_key,
	.keys = xfer_keys,
};
