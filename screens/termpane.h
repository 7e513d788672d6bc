/*
 * termpane: a terminal emulator pane. Bytes from a child go in through
 * termpane_input() to libvterm, whose damage callbacks only widen a dirty
 * range; termpane_draw() paints the cells into an ncurses window. Keys go
 * the other way, through libvterm's keyboard encoder to the write callback.
 * The pane knows nothing of ptys or processes (neovim terminal.c): its owner
 * supplies write, resize and close callbacks.
 */
#ifndef MCR_TERMPANE_H
#define MCR_TERMPANE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

struct termpane;

struct termpane_cb {
	/* Bytes for the child: keys, and replies to its queries. */
	void (*write)(const char *buf, size_t n, void *arg);
	/* The pane changed size; tell the child. */
	void (*resize)(int rows, int cols, void *arg);
	/* The pane is being freed; hang up whatever feeds it. */
	void (*close)(void *arg);
	void *arg;
};

/* Colour pairs the pane allocates start here (or at 17 when the terminal
 * has 64 pairs or fewer); the console keeps to the pairs below. */
#define TERMPANE_PAIR_BASE 64

/* Makes a rows x cols pane that keeps up to scrollback lines that scroll
 * off its top. cb is copied; any callback may be NULL. */
struct termpane *termpane_new(int rows, int cols, int scrollback,
    const struct termpane_cb *cb);
/* Calls cb->close, then frees the pane. NULL is allowed. */
void termpane_free(struct termpane *tp);

/* Feeds n bytes the child printed to the emulator; marks damage. */
void termpane_input(struct termpane *tp, const char *buf, size_t n);
/* True when something changed since the last termpane_draw(). */
bool termpane_dirty(const struct termpane *tp);
/* Paints the pane into win from its top left corner, clipped to win and
 * with the rest of win cleared, and leaves win's cursor on the pane's
 * cursor. Without colour only attributes are drawn; with ascii every
 * character outside ASCII is drawn as '?' (box drawing as -, | and +). */
void termpane_draw(struct termpane *tp, WINDOW *win, bool color, bool ascii);
/* True when the child wants its cursor shown and the view is live;
 * *row and *col get its place. */
bool termpane_cursor(const struct termpane *tp, int *row, int *col);

/* Sets the size (at least 1 x 1), then calls cb->resize. Nothing happens
 * when the size is the same. */
void termpane_resize(struct termpane *tp, int rows, int cols);
void termpane_size(const struct termpane *tp, int *rows, int *cols);

/* One key from wgetch() in keypad mode: a KEY_* code (arrows, KEY_F(n),
 * KEY_BACKSPACE, xterm's modified keys such as kUP5), or one byte; UTF-8
 * characters arrive a byte per call and go to the child as they are.
 * Any key also returns the view to the live screen. */
void termpane_key(struct termpane *tp, int ch);
/* One character from wget_wch() when it returned OK (when it returned
 * KEY_CODE_YES, pass the code to termpane_key() instead). */
void termpane_wchar(struct termpane *tp, wint_t wc);
/* Moves the view lines into the scrollback (positive: older; negative:
 * newer); the view stops at the oldest line kept and at the live screen. */
void termpane_scroll(struct termpane *tp, int lines);
/* Lines the view is above the live screen: 0 when live. */
int termpane_scrolled(const struct termpane *tp);

#endif
