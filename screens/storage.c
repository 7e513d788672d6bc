/*
 * storage: two views. The volume list shows each configured volume with
 * its newest sample: used, free and total space and inodes, its warn and
 * crit levels, and when it was measured; 'u' asks mcrd for a fresh sample.
 * Enter on a volume opens its usage tree as the last storage.scan left it
 * in the shift log, and the screen then drills down like ncdu: the folder's
 * subfolders largest first, each with its size, a bar against the folder's
 * total and its file count; Enter (or Right) opens one, Left or Backspace
 * goes up, Esc returns to the volume list, 's' queues a scan of the
 * volume. The tree is read from the shift log, never from the disk, so
 * browsing a busy volume costs it nothing.
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

struct usage_row {
	char name[256];
	char path[1024];
	int64_t bytes, files, dirs;
};

struct storage {
	struct model_volume *v;
	size_t n;
	size_t sel;		/* the selected volume */
	/* The usage tree of one volume while browsing; volume[0] == 0 in
	 * the volume list. */
	char volume[64];
	char path[1024];	/* relative to the volume, "" at its root */
	struct usage_row self;
	bool scanned;		/* the folder has a row in the tree */
	struct usage_row *rows;
	size_t nrows, cap;
	size_t cur, top;	/* the selected row (0 is ".."), first shown */
	char back[1024];	/* select this folder after going up */
	bool first;		/* select the largest subfolder once read */
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
	free(s->rows);
	free(s);
}

static int
take_row(const struct shiftlog_dir *d, void *arg)
{
	struct storage *s = arg;
	struct usage_row *r;
	const char *slash = strrchr(d->path, '/');

	if (!s->scanned) {
		r = &s->self;
		s->scanned = true;
	} else {
		if (s->nrows == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 64;
			s->rows = xrealloc(s->rows, s->cap * sizeof *s->rows);
		}
		r = &s->rows[s->nrows++];
	}
	strutil_copy(r->name, slash != NULL ? slash + 1 : d->path,
	    sizeof r->name);
	strutil_copy(r->path, d->path, sizeof r->path);
	r->bytes = d->bytes;
	r->files = d->files;
	r->dirs = d->dirs;
	return 0;
}

static int
storage_fetch(void *state, struct console *c)
{
	struct storage *s = state;
	size_t i;

	if (model_volumes(console_shiftlog(c), console_config(c), &s->v,
	    &s->n) < 0)
		return -1;
	if (s->sel >= s->n)
		s->sel = s->n > 0 ? s->n - 1 : 0;
	if (s->volume[0] == '\0')
		return 0;
	s->nrows = 0;
	s->scanned = false;
	if (shiftlog_storage_dir(console_shiftlog(c), s->volume, s->path, true,
	    take_row, s) < 0)
		return -1;
	if (s->first) {
		s->cur = s->nrows > 0 ? 1 : 0;
		s->first = false;
	}
	if (s->back[0] != '\0') {
		for (i = 0; i < s->nrows; i++) {
			if (strcmp(s->rows[i].path, s->back) == 0)
				s->cur = i + 1;
		}
		s->back[0] = '\0';
	}
	if (s->cur > s->nrows)
		s->cur = s->nrows;
	return 0;
}

/* The usage tree of one volume, ncdu style. */
static void
draw_tree(struct storage *s, WINDOW *win, int rows, int cols)
{
	char sz[16], total[16];
	int y = 0, barw = cols >= 60 ? 20 : 10, list, namew;
	size_t i;

	wattron(win, draw_attr(DRAW_TITLE));
	draw_textf(win, y++, 1, cols - 2, "%s:/%s", s->volume, s->path);
	wattroff(win, draw_attr(DRAW_TITLE));
	if (!s->scanned) {
		draw_text(win, y + 1, 2, cols - 4, "not scanned yet: 's' queues "
		    "storage.scan for this volume (mcrd also scans every "
		    "[storage] scan_every)", false);
		return;
	}
	draw_bytes((uint64_t)s->self.bytes, total, sizeof total);
	draw_textf(win, y++, 1, cols - 2, "%s in %lld files and %lld folders;  "
	    "Enter opens, Left goes up, s scans", total,
	    (long long)s->self.files, (long long)s->self.dirs);
	y++;
	list = rows - y;
	if (list < 1)
		return;
	if (s->cur < s->top)
		s->top = s->cur;
	if (s->cur >= s->top + (size_t)list)
		s->top = s->cur - (size_t)list + 1;
	namew = cols - barw - 32;
	for (i = s->top; i <= s->nrows && y < rows; i++, y++) {
		bool sel = i == s->cur;

		if (sel)
			wattron(win, draw_attr(DRAW_SELECTED));
		if (i == 0) {
			draw_textf(win, y, 0, cols, "  %10s  %-*s  %9s  %s", "",
			    barw, "", "", "/..");
		} else {
			const struct usage_row *r = &s->rows[i - 1];
			double f = s->self.bytes > 0 ? (double)r->bytes /
			    (double)s->self.bytes : 0;

			draw_bytes((uint64_t)r->bytes, sz, sizeof sz);
			draw_textf(win, y, 0, cols, "  %10s  ", sz);
			draw_bar(win, y, 14, barw, f, DRAW_BAR);
			draw_textf(win, y, 14 + barw, cols - 14 - barw,
			    " %5.1f%% %9lld  /%.*s", f * 100,
			    (long long)r->files, namew > 8 ? namew : 8,
			    r->name);
		}
		if (sel)
			wattroff(win, draw_attr(DRAW_SELECTED));
	}
}

static void
storage_draw(void *state, struct console *c, WINDOW *win)
{
	struct storage *s = state;
	char used[16], total[16], avail[16], when[40];
	int rows, cols, y = 0, barw;
	size_t i;

	getmaxyx(win, rows, cols);
	if (s->volume[0] != '\0') {
		draw_tree(s, win, rows, cols);
		return;
	}
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

		wattron(win, draw_attr(i == s->sel ? DRAW_SELECTED : DRAW_TITLE));
		draw_textf(win, y++, 1, cols - 2, "%s  (%s)  %s", v->name,
		    v->role, v->path);
		wattroff(win, draw_attr(i == s->sel ? DRAW_SELECTED :
		    DRAW_TITLE));
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

/* Opens the folder path of the browsed volume. */
static enum screen_key
open_folder(struct storage *s, struct console *c, const char *path,
    const char *back)
{
	strutil_copy(s->path, path, sizeof s->path);
	strutil_copy(s->back, back, sizeof s->back);
	s->first = back[0] == '\0';
	s->cur = 0;
	s->top = 0;
	s->nrows = 0;
	console_refetch(c);
	return SCREEN_KEY_REDRAW;
}

static enum screen_key
tree_key(struct storage *s, struct console *c, int ch)
{
	char cmd[128], up[1024], *slash;

	switch (ch) {
	case 27:
		s->volume[0] = '\0';
		return SCREEN_KEY_REDRAW;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (s->cur < s->nrows)
			s->cur++;
		return SCREEN_KEY_REDRAW;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (s->cur > 0)
			s->cur--;
		return SCREEN_KEY_REDRAW;
	case SCREEN_KEY(KEY_NPAGE):
		s->cur = s->cur + 10 < s->nrows ? s->cur + 10 : s->nrows;
		return SCREEN_KEY_REDRAW;
	case SCREEN_KEY(KEY_PPAGE):
		s->cur = s->cur > 10 ? s->cur - 10 : 0;
		return SCREEN_KEY_REDRAW;
	case 's':
		strutil_format(cmd, sizeof cmd, "submit storage.scan volume=%s",
		    s->volume);
		console_command(c, cmd);
		return SCREEN_KEY_REDRAW;
	case '\r':
	case '\n':
	case 'l':
	case SCREEN_KEY(KEY_ENTER):
	case SCREEN_KEY(KEY_RIGHT):
		if (s->cur > 0 && s->cur <= s->nrows) {
			strutil_copy(up, s->rows[s->cur - 1].path, sizeof up);
			return open_folder(s, c, up, "");
		}
		if (ch == 'l' || ch == SCREEN_KEY(KEY_RIGHT))
			return SCREEN_KEY_HANDLED;
		/* Enter on "/..": up. */
		/* FALLTHROUGH */
	case 'h':
	case 127:
	case SCREEN_KEY(KEY_BACKSPACE):
	case SCREEN_KEY(KEY_LEFT):
		if (s->path[0] == '\0') {
			s->volume[0] = '\0';
			return SCREEN_KEY_REDRAW;
		}
		strutil_copy(up, s->path, sizeof up);
		slash = strrchr(up, '/');
		if (slash != NULL)
			*slash = '\0';
		else
			up[0] = '\0';
		{
			char back[1024];

			strutil_copy(back, s->path, sizeof back);
			return open_folder(s, c, up, back);
		}
	}
	return SCREEN_KEY_UNHANDLED;
}

static enum screen_key
storage_key(void *state, struct console *c, int ch)
{
	struct storage *s = state;

	if (s->volume[0] != '\0')
		return tree_key(s, c, ch);
	switch (ch) {
	case 27:
		return SCREEN_KEY_POP;
	case 'u':
		console_command(c, "submit storage.sample");
		return SCREEN_KEY_REDRAW;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (s->sel + 1 < s->n)
			s->sel++;
		return SCREEN_KEY_REDRAW;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (s->sel > 0)
			s->sel--;
		return SCREEN_KEY_REDRAW;
	case '\r':
	case '\n':
	case 'l':
	case SCREEN_KEY(KEY_ENTER):
	case SCREEN_KEY(KEY_RIGHT):
		if (s->sel >= s->n)
			return SCREEN_KEY_HANDLED;
		strutil_copy(s->volume, s->v[s->sel].name, sizeof s->volume);
		return open_folder(s, c, "", "");
	}
	return SCREEN_KEY_UNHANDLED;
}

static const struct screen_keyhelp storage_keys[] = {
	{ "u", "sample every volume now (queues storage.sample)" },
	{ "Up/Down", "choose a volume, or a folder in its usage tree" },
	{ "Enter", "open the volume's usage tree, or the folder" },
	{ "Left", "up one folder (at the top: back to the volumes)" },
	{ "s", "scan the volume now (queues storage.scan)" },
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
