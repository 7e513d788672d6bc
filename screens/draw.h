/*
 * draw: what every screen draws with: colour pairs that fall back to
 * attributes under NO_COLOR or -C, bars and borders that fall back to
 * ASCII when the terminal cannot show UTF-8 or line drawing, text clipped
 * to a width in columns (not bytes).
 */
#ifndef MCR_DRAW_H
#define MCR_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strutil.h"

enum draw_style {
	DRAW_NORMAL,
	DRAW_TITLE,	/* pane titles, headers */
	DRAW_FOCUS,	/* the focused pane's border */
	DRAW_SELECTED,	/* the selected row */
	DRAW_OK,
	DRAW_WARN,
	DRAW_CRIT,
	DRAW_DIM,
	DRAW_BAR,	/* a bar's filled part */
	DRAW_STATUS,	/* the top and bottom lines */
	DRAW_MARK,	/* a target mark on a meter */
};

/* Sets up colour pairs; color false gives attributes only. */
void draw_init(bool color, bool ascii);
attr_t draw_attr(enum draw_style style);
bool draw_is_ascii(void);

/* Writes s at (y, x), at most width columns, padding with spaces to width
 * when pad. Returns the columns written. */
int draw_text(WINDOW *w, int y, int x, int width, const char *s, bool pad);
/* Draws s over at most lines rows from (y, x), broken at spaces to fit
 * width columns; the last row takes what is left, cut. Returns the rows
 * used. */
int draw_wrap(WINDOW *w, int y, int x, int width, int lines, const char *s);
/* Formats then draw_text(). */
int draw_textf(WINDOW *w, int y, int x, int width, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* A box with a title; focused boxes are highlighted. */
void draw_box(WINDOW *w, int y, int x, int h, int width, const char *title,
    bool focused);
/* A horizontal bar of width columns filled to fraction (0..1; < 0 draws
 * an empty track). */
void draw_bar(WINDOW *w, int y, int x, int width, double fraction,
    enum draw_style style);
/* A sparkline of n values scaled between lo and hi. */
void draw_sparkline(WINDOW *w, int y, int x, int width, const double *v,
    size_t n, double lo, double hi);

/* Sizes, rates and durations: strutil_bytes(), strutil_rate() and
 * strutil_duration(), shared with the CLI. */
#define draw_bytes(b, buf, size) strutil_bytes(b, buf, size)
#define draw_rate(r, unit, buf, size) strutil_rate(r, unit, "", buf, size)
#define draw_duration(s, buf, size) strutil_duration(s, "", buf, size)

#endif
