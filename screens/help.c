/*
 * help: every key of the screen it was opened from, then the keys that
 * work everywhere and the ':' commands.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>

#include "console.h"
#include "draw.h"
#include "screen.h"
#include "xmalloc.h"

struct help {
	const struct screen_class *below;
	int top;
};

static const struct screen_keyhelp global_keys[] = {
	{ "? or F1", "this help" },
	{ "Esc", "back to the previous screen" },
	{ "q, F10 or Ctrl-C", "quit the console (jobs go on under mcrd)" },
	{ ":", "command line: :dashboard :jobs :log :storage :transfers :qc" },
	{ "", ":handover :assets :term :help :q" },
	{ "", ":note TEXT adds a note; :submit KIND NAME=VALUE... queues a job" },
	{ "F12", "the terminal pane (a shell); F12 again comes back" },
	{ "Ctrl-L", "redraw the screen" },
	{ NULL, NULL },
};

static void *
help_open(struct console *c)
{
	struct help *h = xcalloc(1, sizeof *h);

	h->below = console_below(c);
	return h;
}

static void
help_close(void *state)
{
	free(state);
}

static int
section(WINDOW *win, int y, int rows, int cols, const char *title,
    const struct screen_keyhelp *k)
{
	if (y >= 0 && y < rows) {
		wattron(win, draw_attr(DRAW_TITLE));
		draw_text(win, y, 1, cols - 2, title, false);
		wattroff(win, draw_attr(DRAW_TITLE));
	}
	y++;
	for (; k != NULL && k->key != NULL; k++, y++) {
		if (y < 0 || y >= rows)
			continue;
		wattron(win, A_BOLD);
		draw_text(win, y, 3, 24, k->key, true);
		wattroff(win, A_BOLD);
		draw_text(win, y, 28, cols - 29, k->what, false);
	}
	return y + 1;
}

static void
help_draw(void *state, struct console *c, WINDOW *win)
{
	struct help *h = state;
	char title[128];
	int rows, cols, y = -h->top;

	getmaxyx(win, rows, cols);
	if (h->below != NULL && h->below->keys != NULL) {
		snprintf(title, sizeof title, "Keys of the %s screen",
		    h->below->title);
		y = section(win, y, rows, cols, title, h->below->keys);
	}
	y = section(win, y, rows, cols, "Keys everywhere", global_keys);
	if (console_read_only(c) && y < rows)
		draw_text(win, y, 1, cols - 2, "Read-only: actions (cancel, "
		    "pause, retry, priority, notes, submit) are disabled.",
		    false);
}

static enum screen_key
help_key(void *state, struct console *c, int ch)
{
	struct help *h = state;

	switch (ch) {
	case 27:
	case '?':
	case 'q':
	case SCREEN_KEY(KEY_F(1)):
		return SCREEN_KEY_POP;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		h->top++;
		return SCREEN_KEY_REDRAW;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (h->top > 0)
			h->top--;
		return SCREEN_KEY_REDRAW;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
}

static const struct screen_keyhelp help_keys[] = {
	{ "Up/Down", "scroll" },
	{ "Esc, ? or q", "close the help" },
	{ NULL, NULL },
};

const struct screen_class screen_help = {
	.name = "help",
	.title = "Help",
	.open = help_open,
	.close = help_close,
	.draw = help_draw,
	.key = help_key,
	.keys = help_keys,
};
