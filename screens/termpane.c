/*
 * termpane: libvterm keeps the screen grid; its callbacks here only record
 * what happened (a damaged row range, the cursor's visibility, a line
 * pushed into the scrollback ring) and never draw. termpane_draw() paints
 * the view, scrollback lines above live rows when scrolled, into a curses
 * window; ncurses then sends only the cells that changed. Colours map to
 * the nearest the terminal has (256, 16 or 8) and to colour pairs that
 * this module allocates from TERMPANE_PAIR_BASE up, shared by every pane
 * because pairs belong to the terminal. Keys are encoded by libvterm, which
 * knows the modes the child set (application cursor keys, newline mode).
 */
#include "autoconfig.h"

#include <curses.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <vterm.h>
#include <wchar.h>

#include "strutil.h"
#include "termpane.h"
#include "xmalloc.h"

/* A line that scrolled off the top; trailing blank cells are dropped. */
struct sbline {
	int ncells;
	VTermScreenCell *cells;
};

struct termpane {
	VTerm *vt;
	VTermScreen *vs;
	struct termpane_cb cb;
	int rows, cols;

	/* Rows changed since the last draw: [dirty_start, dirty_end). */
	int dirty_start, dirty_end;
	bool cursor_visible;
	bool reverse;		/* DECSCNM: the whole screen reversed */

	/* The scrollback: a ring of sb_max lines, sb_count of them used,
	 * the oldest at sb_first. offset is how far the view is above the
	 * live screen. */
	struct sbline *sb;
	int sb_max, sb_count, sb_first;
	int offset;
};

/*
 * Colour pairs, shared by all panes: pair_table maps (fg + 1, bg + 1),
 * colours -1 (default) to 255, to a pair number or 0 when not allocated.
 */
#define NCOLOR 257
static short pair_table[NCOLOR][NCOLOR];
static int pair_base, pair_next, pair_max;
static bool pair_nodefault;	/* use_default_colors() was not called */

static void
dirty_rows(struct termpane *tp, int start, int end)
{
	if (start < 0)
		start = 0;
	if (end > tp->rows)
		end = tp->rows;
	if (start >= end)
		return;
	if (tp->dirty_start >= tp->dirty_end) {
		tp->dirty_start = start;
		tp->dirty_end = end;
		return;
	}
	if (start < tp->dirty_start)
		tp->dirty_start = start;
	if (end > tp->dirty_end)
		tp->dirty_end = end;
}

static void
dirty_all(struct termpane *tp)
{
	dirty_rows(tp, 0, tp->rows);
}

static void
blank_cell(VTermScreenCell *cell)
{
	memset(cell, 0, sizeof *cell);
	cell->width = 1;
	vterm_color_indexed(&cell->fg, 7);
	cell->fg.type |= VTERM_COLOR_DEFAULT_FG;
	vterm_color_indexed(&cell->bg, 0);
	cell->bg.type |= VTERM_COLOR_DEFAULT_BG;
}

static bool
cell_blank(const VTermScreenCell *cell)
{
	return (cell->chars[0] == 0 || cell->chars[0] == ' ') &&
	    VTERM_COLOR_IS_DEFAULT_BG(&cell->bg) && !cell->attrs.reverse &&
	    !cell->attrs.underline && !cell->attrs.strike;
}

static struct sbline *
sb_line(struct termpane *tp, int i)
{
	return &tp->sb[(tp->sb_first + i) % tp->sb_max];
}

/* libvterm callbacks: record, never draw. */

static int
cb_damage(VTermRect rect, void *arg)
{
	dirty_rows(arg, rect.start_row, rect.end_row);
	return 1;
}

static int
cb_movecursor(VTermPos pos, VTermPos oldpos, int visible, void *arg)
{
	struct termpane *tp = arg;

	dirty_rows(tp, oldpos.row, oldpos.row + 1);
	dirty_rows(tp, pos.row, pos.row + 1);
	return 1;
}

static int
cb_settermprop(VTermProp prop, VTermValue *val, void *arg)
{
	struct termpane *tp = arg;

	switch (prop) {
	case VTERM_PROP_CURSORVISIBLE:
		tp->cursor_visible = val->boolean;
		dirty_all(tp);
		break;
	case VTERM_PROP_REVERSE:
		tp->reverse = val->boolean;
		dirty_all(tp);
		break;
	case VTERM_PROP_ALTSCREEN:
		dirty_all(tp);
		break;
	default:
		break;
	}
	return 1;
}

static int
cb_sb_pushline(int cols, const VTermScreenCell *cells, void *arg)
{
	struct termpane *tp = arg;
	struct sbline *l;
	int n = cols;

	if (tp->sb_max == 0)
		return 0;
	while (n > 0 && cell_blank(&cells[n - 1]))
		n--;
	if (tp->sb_count == tp->sb_max) {
		/* Full: the oldest line makes room. */
		l = sb_line(tp, 0);
		tp->sb_first = (tp->sb_first + 1) % tp->sb_max;
		tp->sb_count--;
	} else
		l = sb_line(tp, tp->sb_count);
	free(l->cells);
	l->ncells = n;
	l->cells = n > 0 ? xcalloc((size_t)n, sizeof *l->cells) : NULL;
	if (n > 0)
		memcpy(l->cells, cells, (size_t)n * sizeof *l->cells);
	tp->sb_count++;
	/* A scrolled view stays on the lines it shows. */
	if (tp->offset > 0 && tp->offset < tp->sb_count)
		tp->offset++;
	return 1;
}

static int
cb_sb_popline(int cols, VTermScreenCell *cells, void *arg)
{
	struct termpane *tp = arg;
	struct sbline *l;
	int i;

	if (tp->sb_count == 0)
		return 0;
	l = sb_line(tp, tp->sb_count - 1);
	for (i = 0; i < cols; i++) {
		if (i < l->ncells)
			cells[i] = l->cells[i];
		else
			blank_cell(&cells[i]);
	}
	free(l->cells);
	l->cells = NULL;
	l->ncells = 0;
	tp->sb_count--;
	if (tp->offset > tp->sb_count)
		tp->offset = tp->sb_count;
	return 1;
}

static void
cb_output(const char *s, size_t len, void *arg)
{
	struct termpane *tp = arg;

	if (tp->cb.write != NULL)
		tp->cb.write(s, len, tp->cb.arg);
}

static const VTermScreenCallbacks screen_callbacks = {
	.damage = cb_damage,
	.movecursor = cb_movecursor,
	.settermprop = cb_settermprop,
	.sb_pushline = cb_sb_pushline,
	.sb_popline = cb_sb_popline,
};

struct termpane *
termpane_new(int rows, int cols, int scrollback, const struct termpane_cb *cb)
{
	struct termpane *tp;

	tp = xcalloc(1, sizeof *tp);
	tp->rows = rows < 1 ? 1 : rows;
	tp->cols = cols < 1 ? 1 : cols;
	if (cb != NULL)
		tp->cb = *cb;
	tp->sb_max = scrollback < 0 ? 0 : scrollback;
	if (tp->sb_max > 0)
		tp->sb = xcalloc((size_t)tp->sb_max, sizeof *tp->sb);
	tp->cursor_visible = true;

	tp->vt = vterm_new(tp->rows, tp->cols);
	if (tp->vt == NULL)
		fatal("cannot make a %dx%d terminal", tp->rows, tp->cols);
	vterm_set_utf8(tp->vt, 1);
	vterm_output_set_callback(tp->vt, cb_output, tp);
	tp->vs = vterm_obtain_screen(tp->vt);
	vterm_screen_set_callbacks(tp->vs, &screen_callbacks, tp);
	vterm_screen_enable_altscreen(tp->vs, 1);
	/* Merge damage until termpane_input() flushes it (neovim). */
	vterm_screen_set_damage_merge(tp->vs, VTERM_DAMAGE_SCROLL);
	vterm_screen_reset(tp->vs, 1);
	dirty_all(tp);
	return tp;
}

void
termpane_free(struct termpane *tp)
{
	int i;

	if (tp == NULL)
		return;
	if (tp->cb.close != NULL)
		tp->cb.close(tp->cb.arg);
	vterm_free(tp->vt);
	for (i = 0; i < tp->sb_max; i++)
		free(tp->sb[i].cells);
	free(tp->sb);
	free(tp);
}

void
termpane_input(struct termpane *tp, const char *buf, size_t n)
{
	vterm_input_write(tp->vt, buf, n);
	vterm_screen_flush_damage(tp->vs);
}

bool
termpane_dirty(const struct termpane *tp)
{
	return tp->dirty_start < tp->dirty_end;
}

void
termpane_size(const struct termpane *tp, int *rows, int *cols)
{
	*rows = tp->rows;
	*cols = tp->cols;
}

void
termpane_resize(struct termpane *tp, int rows, int cols)
{
	if (rows < 1)
		rows = 1;
	if (cols < 1)
		cols = 1;
	if (rows == tp->rows && cols == tp->cols)
		return;
	tp->rows = rows;
	tp->cols = cols;
	vterm_set_size(tp->vt, rows, cols);
	vterm_screen_flush_damage(tp->vs);
	dirty_all(tp);
	if (tp->cb.resize != NULL)
		tp->cb.resize(rows, cols, tp->cb.arg);
}

int
termpane_scrolled(const struct termpane *tp)
{
	return tp->offset;
}

void
termpane_scroll(struct termpane *tp, int lines)
{
	int offset = tp->offset + lines;

	if (offset > tp->sb_count)
		offset = tp->sb_count;
	if (offset < 0)
		offset = 0;
	if (offset != tp->offset) {
		tp->offset = offset;
		dirty_all(tp);
	}
}

bool
termpane_cursor(const struct termpane *tp, int *row, int *col)
{
	VTermPos pos;

	vterm_state_get_cursorpos(vterm_obtain_state(tp->vt), &pos);
	*row = pos.row;
	*col = pos.col;
	return tp->cursor_visible && tp->offset == 0;
}

/* Colours. */

/* xterm's first 16 colours, used to find the nearest of 8 or 16. */
static const uint8_t basic_rgb[16][3] = {
	{ 0x00, 0x00, 0x00 }, { 0xcd, 0x00, 0x00 }, { 0x00, 0xcd, 0x00 },
	{ 0xcd, 0xcd, 0x00 }, { 0x00, 0x00, 0xee }, { 0xcd, 0x00, 0xcd },
	{ 0x00, 0xcd, 0xcd }, { 0xe5, 0xe5, 0xe5 }, { 0x7f, 0x7f, 0x7f },
	{ 0xff, 0x00, 0x00 }, { 0x00, 0xff, 0x00 }, { 0xff, 0xff, 0x00 },
	{ 0x5c, 0x5c, 0xff }, { 0xff, 0x00, 0xff }, { 0x00, 0xff, 0xff },
	{ 0xff, 0xff, 0xff },
};

static const uint8_t cube_level[6] = { 0, 95, 135, 175, 215, 255 };

static int
rgb_dist(int r1, int g1, int b1, int r2, int g2, int b2)
{
	return (r1 - r2) * (r1 - r2) + (g1 - g2) * (g1 - g2) +
	    (b1 - b2) * (b1 - b2);
}

static int
nearest_basic(int r, int g, int b)
{
	int i, best = 0, d, bestd = -1;

	for (i = 0; i < 16; i++) {
		d = rgb_dist(r, g, b, basic_rgb[i][0], basic_rgb[i][1],
		    basic_rgb[i][2]);
		if (bestd < 0 || d < bestd) {
			best = i;
			bestd = d;
		}
	}
	return best;
}

static int
nearest_cube(int v)
{
	int i, best = 0;

	for (i = 1; i < 6; i++) {
		if (abs(v - cube_level[i]) < abs(v - cube_level[best]))
			best = i;
	}
	return best;
}

/* The nearest of xterm's 6x6x6 cube (16-231) and grey ramp (232-255). */
static int
nearest_256(int r, int g, int b)
{
	int cr = nearest_cube(r), cg = nearest_cube(g), cb = nearest_cube(b);
	int grey, gi, dcube, dgrey;

	dcube = rgb_dist(r, g, b, cube_level[cr], cube_level[cg],
	    cube_level[cb]);
	gi = ((r + g + b) / 3 - 8 + 5) / 10;
	if (gi < 0)
		gi = 0;
	if (gi > 23)
		gi = 23;
	grey = 8 + 10 * gi;
	dgrey = rgb_dist(r, g, b, grey, grey, grey);
	if (dgrey < dcube)
		return 232 + gi;
	return 16 + 36 * cr + 6 * cg + cb;
}

/*
 * The curses colour for a vterm colour: -1 for the default, else an index
 * into a palette of 256, 16 or 8 colours. On 8 a bright foreground becomes
 * bold. A direct-colour terminal (COLORS above 256, colours numbered by
 * their RGB value) gets the 8 colours that every terminal numbers alike.
 */
static int
curses_color(const struct termpane *tp, const VTermColor *vc, bool fg,
    attr_t *attr)
{
	VTermColor c = *vc;
	int idx, ncolors = COLORS > 256 ? 8 : COLORS;

	if (fg ? VTERM_COLOR_IS_DEFAULT_FG(&c) : VTERM_COLOR_IS_DEFAULT_BG(&c))
		return -1;
	if (VTERM_COLOR_IS_INDEXED(&c)) {
		idx = c.indexed.idx;
		if (idx < 16 && ncolors >= 16)
			return idx;
		if (idx < 16) {
			if (fg && idx >= 8)
				*attr |= A_BOLD;
			return idx & 7;
		}
		if (ncolors >= 256)
			return idx;
		vterm_screen_convert_color_to_rgb(tp->vs, &c);
	}
	if (ncolors >= 256)
		return nearest_256(c.rgb.red, c.rgb.green, c.rgb.blue);
	idx = nearest_basic(c.rgb.red, c.rgb.green, c.rgb.blue);
	if (ncolors < 16 && idx >= 8) {
		if (fg)
			*attr |= A_BOLD;
		idx &= 7;
	}
	return idx;
}

static void
pairs_reset(void)
{
	int top = COLOR_PAIRS < 32767 ? COLOR_PAIRS : 32767;

	memset(pair_table, 0, sizeof pair_table);
	pair_base = top > TERMPANE_PAIR_BASE ? TERMPANE_PAIR_BASE : 17;
	pair_next = pair_base;
	pair_max = top - 1;
}

/* The pair for fg on bg (-1: default), allocated on first use; 0 when the
 * pairs ran out until the next draw starts afresh. */
static short
pair_for(int fg, int bg)
{
	short *slot;
	int f = fg, b = bg;

	if (fg < 0 && bg < 0)
		return 0;
	slot = &pair_table[fg + 1][bg + 1];
	if (*slot != 0)
		return *slot;
	if (pair_next > pair_max)
		return 0;
	if (pair_nodefault) {
		f = f < 0 ? COLOR_WHITE : f;
		b = b < 0 ? COLOR_BLACK : b;
	}
	if (init_pair((short)pair_next, (short)f, (short)b) == ERR) {
		if (pair_nodefault || (fg >= 0 && bg >= 0))
			return 0;
		/* No default colours on this terminal: white on black. */
		pair_nodefault = true;
		return pair_for(fg, bg);
	}
	*slot = (short)pair_next++;
	return *slot;
}

/* Drawing. */

static wchar_t
ascii_for(uint32_t ch)
{
	if (ch >= 0x20 && ch < 0x7f)
		return (wchar_t)ch;
	/* Box drawing: horizontal, vertical, and everything else a corner. */
	if (ch == 0x2500 || ch == 0x2501 || ch == 0x2550)
		return L'-';
	if (ch == 0x2502 || ch == 0x2503 || ch == 0x2551)
		return L'|';
	if (ch >= 0x2500 && ch < 0x2580)
		return L'+';
	return L'?';
}


static void
put_cell(struct termpane *tp, WINDOW *win, int y, int x, int room,
    const VTermScreenCell *cell, bool color, bool ascii)
{
	wchar_t wch[CCHARW_MAX + 1];
	attr_t attr = A_NORMAL;
	short pair = 0;
	cchar_t cc;
	int i, fg, bg, width = cell->width > 1 ? 2 : 1;
	bool narrow = true;

	if (cell->attrs.bold)
		attr |= A_BOLD;
	if (cell->attrs.underline)
		attr |= A_UNDERLINE;
	if (cell->attrs.italic)
		attr |= A_ITALIC;
	if (cell->attrs.blink)
		attr |= A_BLINK;
	if ((bool)cell->attrs.reverse != tp->reverse)
		attr |= A_REVERSE;
	if (color) {
		fg = curses_color(tp, &cell->fg, true, &attr);
		bg = curses_color(tp, &cell->bg, false, &attr);
		pair = pair_for(fg, bg);
	}

	memset(wch, 0, sizeof wch);
	if (cell->chars[0] == 0)
		wch[0] = L' ';
	else if (ascii)
		wch[0] = ascii_for(cell->chars[0]);
	else if (width > room)
		wch[0] = L' ';
	else if (wcwidth((wchar_t)cell->chars[0]) != width) {
		/* curses would lay it out otherwise than the child thinks
		 * (or cannot print it in this locale): keep columns. */
		wch[0] = L'?';
	} else {
		for (i = 0; i < CCHARW_MAX - 1 &&
		    i < VTERM_MAX_CHARS_PER_CELL && cell->chars[i] != 0; i++)
			wch[i] = (wchar_t)cell->chars[i];
		narrow = width == 1;
	}
	setcchar(&cc, wch, attr, pair, NULL);
	mvwadd_wch(win, y, x, &cc);
	/* A wide character drawn narrow leaves its second column blank. */
	if (width == 2 && narrow && room > 1) {
		wch[0] = L' ';
		wch[1] = 0;
		setcchar(&cc, wch, attr, pair, NULL);
		mvwadd_wch(win, y, x + 1, &cc);
	}
}

/* Cell x of view row y: a scrollback line when the view is scrolled. */
static void
get_cell(struct termpane *tp, int y, int x, VTermScreenCell *cell)
{
	struct sbline *l;
	VTermPos pos;
	int line = y - tp->offset;

	if (line < 0) {
		l = sb_line(tp, tp->sb_count + line);
		if (x < l->ncells)
			*cell = l->cells[x];
		else
			blank_cell(cell);
		return;
	}
	pos.row = line;
	pos.col = x;
	if (!vterm_screen_get_cell(tp->vs, pos, cell))
		blank_cell(cell);
}

void
termpane_draw(struct termpane *tp, WINDOW *win, bool color, bool ascii)
{
	VTermScreenCell cell;
	char mark[32];
	int wrows, wcols, y, x, w, row, col, len;

	getmaxyx(win, wrows, wcols);
	color = color && has_colors();
	/* Start afresh before the pairs run out: this draw repaints every
	 * cell, so no cell keeps a pair that is being reused. */
	if (color && (pair_max == 0 ||
	    pair_next - pair_base > (pair_max - pair_base) * 3 / 4))
		pairs_reset();

	/* Every row is painted, not just the damaged ones: the console may
	 * have erased or covered the window since the last draw. */
	for (y = 0; y < wrows; y++) {
		wmove(win, y, 0);
		wclrtoeol(win);
		if (y >= tp->rows)
			continue;
		for (x = 0; x < wcols && x < tp->cols; x += w) {
			get_cell(tp, y, x, &cell);
			w = 1;
			if (cell.chars[0] == (uint32_t)-1)
				continue;	/* half of a wide character */
			if (cell.width == 2)
				w = 2;
			put_cell(tp, win, y, x, wcols - x, &cell, color, ascii);
		}
	}

	if (tp->offset > 0) {
		len = strutil_format(mark, sizeof mark, "[%d/%d]", tp->offset,
		    tp->sb_count);
		if (len > 0 && len < wcols) {
			wattr_on(win, A_REVERSE, NULL);
			mvwaddnstr(win, 0, wcols - len, mark, len);
			wattr_off(win, A_REVERSE, NULL);
		}
	}
	if (termpane_cursor(tp, &row, &col) && row < wrows && col < wcols)
		wmove(win, row, col);
	else
		wmove(win, 0, 0);
	tp->dirty_start = tp->dirty_end = 0;
}

/* Keys. */

static void
live(struct termpane *tp)
{
	if (tp->offset != 0) {
		tp->offset = 0;
		dirty_all(tp);
	}
}

static void
send_key(struct termpane *tp, VTermKey key, VTermModifier mod)
{
	vterm_keyboard_key(tp->vt, key, mod);
}

/* xterm's modified keys that ncurses reports under extended names,
 * "kUP5" for Ctrl-Up: the digit is 1 + the modifier bits, which are
 * libvterm's (shift 1, alt 2, ctrl 4). */
static bool
extended_key(struct termpane *tp, int ch)
{
	static const struct {
		const char *name;
		VTermKey key;
	} names[] = {
		{ "kUP", VTERM_KEY_UP }, { "kDN", VTERM_KEY_DOWN },
		{ "kLFT", VTERM_KEY_LEFT }, { "kRIT", VTERM_KEY_RIGHT },
		{ "kHOM", VTERM_KEY_HOME }, { "kEND", VTERM_KEY_END },
		{ "kIC", VTERM_KEY_INS }, { "kDC", VTERM_KEY_DEL },
		{ "kPRV", VTERM_KEY_PAGEUP }, { "kNXT", VTERM_KEY_PAGEDOWN },
	};
	const char *name = keyname(ch), *rest;
	size_t i, n;
	int mod;

	if (name == NULL)
		return false;
	for (i = 0; i < sizeof names / sizeof names[0]; i++) {
		n = strlen(names[i].name);
		if (strncmp(name, names[i].name, n) != 0)
			continue;
		rest = name + n;
		if (*rest == '\0')
			mod = VTERM_MOD_SHIFT;
		else if (rest[0] >= '2' && rest[0] <= '8' && rest[1] == '\0')
			mod = rest[0] - '1';
		else
			continue;
		send_key(tp, names[i].key, (VTermModifier)mod);
		return true;
	}
	return false;
}

static void
function_key(struct termpane *tp, int n)
{
	/* xterm's F13-F63 are F1-F12 with shift, ctrl, ctrl-shift, alt and
	 * alt-shift, in that order. */
	static const int mods[] = { VTERM_MOD_NONE, VTERM_MOD_SHIFT,
		VTERM_MOD_CTRL, VTERM_MOD_CTRL | VTERM_MOD_SHIFT,
		VTERM_MOD_ALT, VTERM_MOD_ALT | VTERM_MOD_SHIFT };
	int group = (n - 1) / 12;

	if (n < 1 || group >= (int)(sizeof mods / sizeof mods[0]))
		return;
	send_key(tp, VTERM_KEY_FUNCTION((n - 1) % 12 + 1),
	    (VTermModifier)mods[group]);
}

void
termpane_key(struct termpane *tp, int ch)
{
	char b;

	if (ch == KEY_RESIZE || ch == KEY_MOUSE || ch == ERR)
		return;
	live(tp);
	switch (ch) {
	case '\r':
	case '\n':
	case KEY_ENTER:
		send_key(tp, VTERM_KEY_ENTER, VTERM_MOD_NONE);
		return;
	case '\t':
		send_key(tp, VTERM_KEY_TAB, VTERM_MOD_NONE);
		return;
	case KEY_BTAB:
		send_key(tp, VTERM_KEY_TAB, VTERM_MOD_SHIFT);
		return;
	case 0x1b:
		send_key(tp, VTERM_KEY_ESCAPE, VTERM_MOD_NONE);
		return;
	case 0x7f:
	case KEY_BACKSPACE:
		send_key(tp, VTERM_KEY_BACKSPACE, VTERM_MOD_NONE);
		return;
	case KEY_UP:
		send_key(tp, VTERM_KEY_UP, VTERM_MOD_NONE);
		return;
	case KEY_DOWN:
		send_key(tp, VTERM_KEY_DOWN, VTERM_MOD_NONE);
		return;
	case KEY_LEFT:
		send_key(tp, VTERM_KEY_LEFT, VTERM_MOD_NONE);
		return;
	case KEY_RIGHT:
		send_key(tp, VTERM_KEY_RIGHT, VTERM_MOD_NONE);
		return;
	case KEY_SR:
		send_key(tp, VTERM_KEY_UP, VTERM_MOD_SHIFT);
		return;
	case KEY_SF:
		send_key(tp, VTERM_KEY_DOWN, VTERM_MOD_SHIFT);
		return;
	case KEY_SLEFT:
		send_key(tp, VTERM_KEY_LEFT, VTERM_MOD_SHIFT);
		return;
	case KEY_SRIGHT:
		send_key(tp, VTERM_KEY_RIGHT, VTERM_MOD_SHIFT);
		return;
	case KEY_HOME:
		send_key(tp, VTERM_KEY_HOME, VTERM_MOD_NONE);
		return;
	case KEY_END:
		send_key(tp, VTERM_KEY_END, VTERM_MOD_NONE);
		return;
	case KEY_SHOME:
		send_key(tp, VTERM_KEY_HOME, VTERM_MOD_SHIFT);
		return;
	case KEY_SEND:
		send_key(tp, VTERM_KEY_END, VTERM_MOD_SHIFT);
		return;
	case KEY_IC:
		send_key(tp, VTERM_KEY_INS, VTERM_MOD_NONE);
		return;
	case KEY_DC:
		send_key(tp, VTERM_KEY_DEL, VTERM_MOD_NONE);
		return;
	case KEY_SIC:
		send_key(tp, VTERM_KEY_INS, VTERM_MOD_SHIFT);
		return;
	case KEY_SDC:
		send_key(tp, VTERM_KEY_DEL, VTERM_MOD_SHIFT);
		return;
	case KEY_PPAGE:
		send_key(tp, VTERM_KEY_PAGEUP, VTERM_MOD_NONE);
		return;
	case KEY_NPAGE:
		send_key(tp, VTERM_KEY_PAGEDOWN, VTERM_MOD_NONE);
		return;
	case KEY_SPREVIOUS:
		send_key(tp, VTERM_KEY_PAGEUP, VTERM_MOD_SHIFT);
		return;
	case KEY_SNEXT:
		send_key(tp, VTERM_KEY_PAGEDOWN, VTERM_MOD_SHIFT);
		return;
	}
	if (ch >= KEY_F(1) && ch <= KEY_F(63)) {
		function_key(tp, ch - KEY_F(0));
		return;
	}
	if (ch > KEY_MAX) {
		extended_key(tp, ch);
		return;
	}
	if (ch < 0 || ch > 0xff)
		return;		/* a curses key a shell has no use for */
	/* A byte: a control character, ASCII, or part of UTF-8. */
	b = (char)ch;
	if (tp->cb.write != NULL)
		tp->cb.write(&b, 1, tp->cb.arg);
}

void
termpane_wchar(struct termpane *tp, wint_t wc)
{
	if (wc < 0x80) {
		termpane_key(tp, (int)wc);
		return;
	}
	live(tp);
	vterm_keyboard_unichar(tp->vt, (uint32_t)wc, VTERM_MOD_NONE);
}
