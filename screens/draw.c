/*
 * draw: the console's drawing vocabulary. Widths are counted in columns
 * with wcwidth(), so a clip name in Japanese or an emoji in a note never
 * pushes a row past its pane.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "draw.h"
#include "strutil.h"

static bool use_color;
static bool use_ascii;

enum { PAIR_TITLE = 1, PAIR_FOCUS, PAIR_SELECTED, PAIR_OK, PAIR_WARN,
	PAIR_CRIT, PAIR_DIM, PAIR_BAR, PAIR_STATUS, PAIR_MARK };

void
draw_init(bool color, bool ascii)
{
	use_ascii = ascii;
	use_color = color && has_colors();
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_TITLE, COLOR_CYAN, -1);
	init_pair(PAIR_FOCUS, COLOR_YELLOW, -1);
	init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_CYAN);
	init_pair(PAIR_OK, COLOR_GREEN, -1);
	init_pair(PAIR_WARN, COLOR_YELLOW, -1);
	init_pair(PAIR_CRIT, COLOR_RED, -1);
	init_pair(PAIR_DIM, COLOR_BLUE, -1);
	init_pair(PAIR_BAR, COLOR_GREEN, -1);
	init_pair(PAIR_STATUS, COLOR_BLACK, COLOR_WHITE);
	init_pair(PAIR_MARK, COLOR_MAGENTA, -1);
}

bool
draw_is_ascii(void)
{
	return use_ascii;
}

attr_t
draw_attr(enum draw_style style)
{
	if (!use_color) {
		switch (style) {
		case DRAW_TITLE:
		case DRAW_FOCUS:
		case DRAW_CRIT:
			return A_BOLD;
		case DRAW_SELECTED:
		case DRAW_STATUS:
			return A_REVERSE;
		case DRAW_WARN:
		case DRAW_MARK:
			return A_UNDERLINE;
		case DRAW_DIM:
			return A_DIM;
		default:
			return A_NORMAL;
		}
	}
	switch (style) {
	case DRAW_TITLE: return COLOR_PAIR(PAIR_TITLE) | A_BOLD;
	case DRAW_FOCUS: return COLOR_PAIR(PAIR_FOCUS) | A_BOLD;
	case DRAW_SELECTED: return COLOR_PAIR(PAIR_SELECTED);
	case DRAW_OK: return COLOR_PAIR(PAIR_OK);
	case DRAW_WARN: return COLOR_PAIR(PAIR_WARN) | A_BOLD;
	case DRAW_CRIT: return COLOR_PAIR(PAIR_CRIT) | A_BOLD;
	case DRAW_DIM: return COLOR_PAIR(PAIR_DIM);
	case DRAW_BAR: return COLOR_PAIR(PAIR_BAR);
	case DRAW_STATUS: return COLOR_PAIR(PAIR_STATUS);
	case DRAW_MARK: return COLOR_PAIR(PAIR_MARK) | A_BOLD;
	default: return A_NORMAL;
	}
}

int
draw_text(WINDOW *w, int y, int x, int width, const char *s, bool pad)
{
	mbstate_t st;
	int used = 0;
	size_t n;
	wchar_t wc;

	memset(&st, 0, sizeof st);
	wmove(w, y, x);
	while (s != NULL && *s != '\0' && used < width) {
		int cw;

		n = mbrtowc(&wc, s, strlen(s), &st);
		if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
			/* Not valid in this locale: show a '?'. */
			memset(&st, 0, sizeof st);
			waddch(w, '?');
			used++;
			s++;
			continue;
		}
		cw = wc < 0x20 || wc == 0x7f ? -1 : wcwidth(wc);
		if (cw < 0) {
			waddch(w, '?');
			used++;
		} else if (used + cw <= width) {
			if (use_ascii && wc > 0x7e)
				waddch(w, '?');
			else
				waddnwstr(w, &wc, 1);
			used += use_ascii && wc > 0x7e ? 1 : cw;
		} else
			break;
		s += n;
	}
	while (pad && used < width) {
		waddch(w, ' ');
		used++;
	}
	return used;
}

int
draw_wrap(WINDOW *w, int y, int x, int width, int lines, const char *s)
{
	int used = 0;
	size_t n, cut;

	while (s != NULL && *s != '\0' && used < lines && width > 0) {
		n = strlen(s);
		/* Bytes never undercount columns, so a line cut at width
		 * bytes fits; break at the last space that keeps it so. */
		cut = n;
		if (n > (size_t)width && used < lines - 1) {
			cut = (size_t)width;
			while (cut > 0 && s[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = (size_t)width;
		}
		{
			char *line = strndup(s, cut);

			if (line == NULL)
				return used;
			draw_text(w, y + used, x, width, line, false);
			free(line);
		}
		used++;
		s += cut;
		while (*s == ' ')
			s++;
	}
	return used;
}

int
draw_textf(WINDOW *w, int y, int x, int width, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return draw_text(w, y, x, width, buf, false);
}

void
draw_box(WINDOW *w, int y, int x, int h, int width, const char *title,
    bool focused)
{
	attr_t a = focused ? draw_attr(DRAW_FOCUS) : draw_attr(DRAW_DIM);
	int i;

	if (h < 2 || width < 2)
		return;
	wattron(w, a);
	if (use_ascii) {
		mvwaddch(w, y, x, '+');
		mvwaddch(w, y, x + width - 1, '+');
		mvwaddch(w, y + h - 1, x, '+');
		mvwaddch(w, y + h - 1, x + width - 1, '+');
		for (i = 1; i < width - 1; i++) {
			mvwaddch(w, y, x + i, '-');
			mvwaddch(w, y + h - 1, x + i, '-');
		}
		for (i = 1; i < h - 1; i++) {
			mvwaddch(w, y + i, x, '|');
			mvwaddch(w, y + i, x + width - 1, '|');
		}
	} else {
		mvwaddch(w, y, x, ACS_ULCORNER);
		mvwaddch(w, y, x + width - 1, ACS_URCORNER);
		mvwaddch(w, y + h - 1, x, ACS_LLCORNER);
		mvwaddch(w, y + h - 1, x + width - 1, ACS_LRCORNER);
		mvwhline(w, y, x + 1, ACS_HLINE, width - 2);
		mvwhline(w, y + h - 1, x + 1, ACS_HLINE, width - 2);
		mvwvline(w, y + 1, x, ACS_VLINE, h - 2);
		mvwvline(w, y + 1, x + width - 1, ACS_VLINE, h - 2);
	}
	wattroff(w, a);
	if (title != NULL && width > 6) {
		wattron(w, draw_attr(focused ? DRAW_FOCUS : DRAW_TITLE));
		mvwaddch(w, y, x + 1, ' ');
		draw_text(w, y, x + 2, width - 5, title, false);
		waddch(w, ' ');
		wattroff(w, draw_attr(focused ? DRAW_FOCUS : DRAW_TITLE));
	}
}

void
draw_bar(WINDOW *w, int y, int x, int width, double fraction,
    enum draw_style style)
{
	static const char *const eighths[] = { "", "\u258f", "\u258e",
	    "\u258d", "\u258c", "\u258b", "\u258a", "\u2589" };
	int full, part, i;
	double cells;

	if (width <= 0)
		return;
	if (fraction > 1)
		fraction = 1;
	cells = fraction < 0 ? 0 : fraction * width;
	full = (int)cells;
	part = (int)((cells - full) * 8);
	wmove(w, y, x);
	wattron(w, draw_attr(style));
	for (i = 0; i < full; i++) {
		if (use_ascii)
			waddch(w, '#');
		else
			waddstr(w, "\u2588");
	}
	if (full < width && part > 0 && !use_ascii) {
		waddstr(w, eighths[part]);
		full++;
	}
	wattroff(w, draw_attr(style));
	/* A visible track under the empty part. */
	wattron(w, draw_attr(DRAW_DIM));
	for (i = full; i < width; i++) {
		if (use_ascii)
			waddch(w, '.');
		else
			waddstr(w, "\u00b7");
	}
	wattroff(w, draw_attr(DRAW_DIM));
}

void
draw_sparkline(WINDOW *w, int y, int x, int width, const double *v,
    size_t n, double lo, double hi)
{
	static const char *const blocks[] = { "\u2581", "\u2582", "\u2583",
	    "\u2584", "\u2585", "\u2586", "\u2587", "\u2588" };
	static const char ascii[] = "_.-~=+*#";
	size_t start = n > (size_t)width ? n - (size_t)width : 0, i;

	wmove(w, y, x);
	for (i = start; i < n; i++) {
		double f = hi > lo ? (v[i] - lo) / (hi - lo) : 0;
		int k = f < 0 ? 0 : f >= 1 ? 7 : (int)(f * 8);

		if (use_ascii)
			waddch(w, ascii[k]);
		else
			waddstr(w, blocks[k]);
	}
}
