/*
 * dashboard: the default screen, five panes laid out to the terminal:
 * jobs and storage on top, transfers and QC meters in the middle, the tail
 * of the shift log below. At 80 columns the panes stack two by two; from
 * 160 columns the middle row gains width and the log more lines. An empty
 * pane says what would fill it.
 */
#include "autoconfig.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "console.h"
#include "draw.h"
#include "model.h"
#include "screen.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define HISTORY 120

enum pane { PANE_JOBS, PANE_STORAGE, PANE_TRANSFERS, PANE_QC, PANE_LOG,
	PANES };

static const char *const pane_titles[PANES] = {
	"Jobs", "Storage", "Transfers", "QC meters", "Shift log",
};

struct rect {
	int y, x, h, w;
};

struct dash {
	enum pane focus;
	struct rect r[PANES];
	struct model_job *jobs;
	size_t njobs;
	size_t sel;		/* selected job */
	struct model_volume *vols;
	size_t nvols;
	struct model_job *xfers;
	size_t nxfers;
	struct model_meter *meters;
	size_t nmeters;
	struct model_event *events;
	size_t nevents;
	/* short-term loudness as read at each fetch, for the sparkline */
	double history[HISTORY];
	size_t nhistory;
	int64_t history_job, history_time;
};

static void *
dash_open(struct console *c)
{
	return xcalloc(1, sizeof(struct dash));
}

static void
dash_close(void *state)
{
	struct dash *d = state;

	free(d->jobs);
	free(d->vols);
	free(d->xfers);
	free(d->meters);
	free(d->events);
	free(d);
}

static const struct model_meter *
meter(const struct dash *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->nmeters; i++) {
		if (d->meters[i].job_id == d->meters[0].job_id &&
		    strcmp(d->meters[i].name, name) == 0)
			return &d->meters[i];
	}
	return NULL;
}

static int
dash_fetch(void *state, struct console *c)
{
	struct dash *d = state;
	struct shiftlog *sl = console_shiftlog(c);
	struct shiftlog_job_filter active = { .active = true };
	struct shiftlog_job_filter recent = { .limit = 30 };
	struct shiftlog_filter tail = { .since = INT64_MIN,
	    .until = INT64_MAX, .limit = 40 };
	struct model_job *rec = NULL;
	const struct model_meter *st;
	size_t nrec = 0, i, k;

	if (model_jobs(sl, &active, &d->jobs, &d->njobs) < 0 ||
	    model_jobs(sl, &recent, &rec, &nrec) < 0 ||
	    model_volumes(sl, console_config(c), &d->vols, &d->nvols) < 0 ||
	    model_meters(sl, &d->meters, &d->nmeters) < 0 ||
	    model_events(sl, &tail, &d->events, &d->nevents) < 0) {
		free(rec);
		return -1;
	}
	/* Transfers: the running and paused jobs that move media. */
	free(d->xfers);
	d->xfers = xcalloc(d->njobs + 1, sizeof *d->xfers);
	d->nxfers = 0;
	for (i = 0; i < d->njobs; i++) {
		if (model_is_transfer(d->jobs[i].kind) &&
		    strcmp(d->jobs[i].state, "queued") != 0)
			d->xfers[d->nxfers++] = d->jobs[i];
	}
	/* Jobs: the active ones, then the most recent that ended. */
	for (k = nrec; k > 0; k--) {
		struct model_job *j = &rec[k - 1];

		if (strcmp(j->state, "queued") == 0 ||
		    strcmp(j->state, "running") == 0 ||
		    strcmp(j->state, "paused") == 0)
			continue;
		d->jobs = xrealloc(d->jobs, (d->njobs + 1) * sizeof *d->jobs);
		d->jobs[d->njobs++] = *j;
	}
	free(rec);
	if (d->sel >= d->njobs)
		d->sel = d->njobs > 0 ? d->njobs - 1 : 0;

	st = d->nmeters > 0 ? meter(d, "short_term") : NULL;
	if (st != NULL && (st->job_id != d->history_job ||
	    st->time != d->history_time)) {
		if (st->job_id != d->history_job)
			d->nhistory = 0;
		if (d->nhistory == HISTORY) {
			memmove(d->history, d->history + 1,
			    (HISTORY - 1) * sizeof *d->history);
			d->nhistory--;
		}
		d->history[d->nhistory++] = st->value;
		d->history_job = st->job_id;
		d->history_time = st->time;
	}
	console_live(c, d->nmeters > 0);
	return 0;
}

static void
layout(struct dash *d, int rows, int cols)
{
	int top, mid, left;

	top = rows * 2 / 5;
	mid = rows >= 40 ? rows / 4 : rows * 3 / 10;
	if (top < 5)
		top = 5;
	if (mid < 4)
		mid = 4;
	left = cols * 3 / 5;
	d->r[PANE_JOBS] = (struct rect){ 0, 0, top, left };
	d->r[PANE_STORAGE] = (struct rect){ 0, left, top, cols - left };
	left = cols >= 160 ? cols / 2 : cols * 3 / 5;
	d->r[PANE_TRANSFERS] = (struct rect){ top, 0, mid, left };
	d->r[PANE_QC] = (struct rect){ top, left, mid, cols - left };
	d->r[PANE_LOG] = (struct rect){ top + mid, 0, rows - top - mid, cols };
	if (d->r[PANE_LOG].h < 3) {
		/* Too small for the log: give its lines to the jobs. */
		d->r[PANE_LOG].h = 0;
	}
}

static enum draw_style
state_style(const char *state)
{
	if (strcmp(state, "failed") == 0 || strcmp(state, "interrupted") == 0)
		return DRAW_CRIT;
	if (strcmp(state, "running") == 0)
		return DRAW_OK;
	if (strcmp(state, "paused") == 0 || strcmp(state, "cancelled") == 0)
		return DRAW_WARN;
	if (strcmp(state, "done") == 0)
		return DRAW_DIM;
	return DRAW_NORMAL;
}

/* One job as a row of width w: id, state, kind, progress bar, rate, ETA,
 * who, subject. Used by the jobs and transfers panes. */
static void
job_row(WINDOW *win, int y, int x, int w, const struct model_job *j,
    bool selected, bool transfer)
{
	char rate[32], eta[16], pct[8] = "";
	const char *what = j->error[0] ? j->error : j->progress_subject[0] ?
	    j->progress_subject : j->subject;
	int col = x, barw = w >= 70 ? 12 : 8, rest;

	if (selected)
		wattron(win, draw_attr(DRAW_SELECTED));
	draw_text(win, y, x, w, "", true);
	draw_textf(win, y, col, 6, "%5lld", (long long)j->id);
	col += 6;
	wattron(win, selected ? 0 : draw_attr(state_style(j->state)));
	draw_text(win, y, col, 9, j->state, true);
	wattroff(win, selected ? 0 : draw_attr(state_style(j->state)));
	col += 10;
	draw_text(win, y, col, 16, j->kind, true);
	col += 17;
	if (j->progress >= 0) {
		draw_bar(win, y, col, barw, j->progress, DRAW_BAR);
		strutil_format(pct, sizeof pct, "%3.0f%%", j->progress * 100);
		if (selected)
			wattron(win, draw_attr(DRAW_SELECTED));
	}
	draw_text(win, y, col + barw + 1, 4, pct, true);
	col += barw + 6;
	rest = x + w - col;
	draw_rate(j->rate, j->rate_unit, rate, sizeof rate);
	draw_duration(j->eta, eta, sizeof eta);
	if (rest >= 40) {
		draw_text(win, y, col, 11, rate, true);
		draw_text(win, y, col + 12, 7, eta, true);
		draw_text(win, y, col + 20, 8, transfer ? "" : j->by, true);
		col += transfer ? 20 : 29;
		rest = x + w - col;
	}
	if (transfer && j->to[0] != '\0' && rest > 4) {
		col += draw_textf(win, y, col, rest, "-> %s ", j->to);
		rest = x + w - col;
	}
	if (rest > 0)
		draw_text(win, y, col, rest, what, false);
	if (selected)
		wattroff(win, draw_attr(DRAW_SELECTED));
}

static void
draw_jobs(struct dash *d, WINDOW *win, const struct rect *r, bool focus)
{
	int rows = r->h - 2, i, first;

	if (d->njobs == 0) {
		wattron(win, draw_attr(DRAW_DIM));
		draw_text(win, r->y + 1, r->x + 2, r->w - 4, "no jobs yet: "
		    "':submit KIND' or 'mcr submit' queues one", false);
		wattroff(win, draw_attr(DRAW_DIM));
		return;
	}
	first = (int)d->sel >= rows ? (int)d->sel - rows + 1 : 0;
	for (i = 0; i < rows && (size_t)(first + i) < d->njobs; i++)
		job_row(win, r->y + 1 + i, r->x + 1, r->w - 2,
		    &d->jobs[first + i], focus && (size_t)(first + i) == d->sel,
		    false);
}

static void
draw_storage(struct dash *d, WINDOW *win, const struct rect *r)
{
	int w = r->w - 2, i, namew, barw;
	char used[16], total[16];

	if (d->nvols == 0) {
		wattron(win, draw_attr(DRAW_DIM));
		draw_text(win, r->y + 1, r->x + 2, w - 2, "no volumes: add "
		    "[volume NAME] to mcr.ini", false);
		wattroff(win, draw_attr(DRAW_DIM));
		return;
	}
	namew = w >= 50 ? 12 : 10;
	/* The text after the bar needs 20 columns; the bar gets the rest,
	 * and none at all when the pane is too narrow for one. */
	barw = w - namew - 22;
	if (barw < 3)
		barw = 0;
	for (i = 0; i < r->h - 2 && (size_t)i < d->nvols; i++) {
		const struct model_volume *v = &d->vols[i];
		enum draw_style st = strcmp(v->level, "crit") == 0 ? DRAW_CRIT :
		    strcmp(v->level, "warn") == 0 ? DRAW_WARN : DRAW_BAR;
		int y = r->y + 1 + i, x = r->x + 1;

		draw_text(win, y, x, namew, v->name, true);
		if (!v->sampled) {
			wattron(win, draw_attr(DRAW_DIM));
			draw_text(win, y, x + namew + 1, w - namew - 1,
			    "not sampled yet", false);
			wattroff(win, draw_attr(DRAW_DIM));
			continue;
		}
		if (barw > 0)
			draw_bar(win, y, x + namew + 1, barw, v->used_fraction,
			    st);
		draw_bytes(v->used, used, sizeof used);
		draw_bytes(v->total, total, sizeof total);
		wattron(win, st == DRAW_BAR ? 0 : draw_attr(st));
		draw_textf(win, y, x + namew + barw + 2, w - namew - barw - 2,
		    "%3.0f%% %s/%s",
		    floor(v->used_fraction * 100), used, total);
		wattroff(win, st == DRAW_BAR ? 0 : draw_attr(st));
	}
}

static void
draw_transfers(struct dash *d, WINDOW *win, const struct rect *r)
{
	int i;

	if (d->nxfers == 0) {
		wattron(win, draw_attr(DRAW_DIM));
		draw_text(win, r->y + 1, r->x + 2, r->w - 4, "no transfers "
		    "running", false);
		wattroff(win, draw_attr(DRAW_DIM));
		return;
	}
	for (i = 0; i < r->h - 2 && (size_t)i < d->nxfers; i++)
		job_row(win, r->y + 1 + i, r->x + 1, r->w - 2, &d->xfers[i],
		    false, true);
}

/* A loudness bar on a -60..0 scale, with the target marked. */
static void
loudness_row(WINDOW *win, int y, int x, int w, const char *label,
    const struct model_meter *m, const struct model_meter *target,
    const struct model_meter *tol)
{
	const double lo = -60, hi = 0;
	int barw = w - 18, pos;
	char val[24];

	if (barw < 5)
		barw = 5;
	draw_text(win, y, x, 4, label, true);
	if (m == NULL) {
		wattron(win, draw_attr(DRAW_DIM));
		draw_text(win, y, x + 4, w - 4, "-", false);
		wattroff(win, draw_attr(DRAW_DIM));
		return;
	}
	draw_bar(win, y, x + 4, barw, (m->value - lo) / (hi - lo), DRAW_BAR);
	if (target != NULL) {
		double t = target->value, d = tol != NULL ? tol->value : 0;

		pos = (int)((t - d - lo) / (hi - lo) * barw);
		if (d > 0 && pos >= 0 && pos < barw)
			mvwaddch(win, y, x + 4 + pos, '[' | draw_attr(DRAW_MARK));
		pos = (int)((t + d - lo) / (hi - lo) * barw);
		if (d > 0 && pos >= 0 && pos < barw)
			mvwaddch(win, y, x + 4 + pos, ']' | draw_attr(DRAW_MARK));
		pos = (int)((t - lo) / (hi - lo) * barw);
		if (pos >= 0 && pos < barw)
			mvwaddch(win, y, x + 4 + pos, '|' | draw_attr(DRAW_MARK));
	}
	strutil_format(val, sizeof val, "%6.1f %s", m->value, m->unit);
	draw_text(win, y, x + 5 + barw, 13, val, false);
}

static void
draw_qc(struct dash *d, WINDOW *win, const struct rect *r)
{
	const struct model_meter *tgt, *tol, *lra, *tp;
	int y = r->y + 1, x = r->x + 1, w = r->w - 2, last = r->y + r->h - 1;
	char line[128];

	if (d->nmeters == 0) {
		wattron(win, draw_attr(DRAW_DIM));
		draw_wrap(win, y, x + 1, w - 2, last - y, "no live QC meters: "
		    "a running QC or monitor job shows its loudness here");
		wattroff(win, draw_attr(DRAW_DIM));
		return;
	}
	tgt = meter(d, "target");
	tol = meter(d, "tolerance");
	draw_textf(win, y++, x, w, "job %lld %s %s",
	    (long long)d->meters[0].job_id, d->meters[0].job_kind,
	    d->meters[0].subject);
	if (y < last)
		loudness_row(win, y++, x, w, "M", meter(d, "momentary"), tgt,
		    tol);
	if (y < last)
		loudness_row(win, y++, x, w, "S", meter(d, "short_term"), tgt,
		    tol);
	if (y < last)
		loudness_row(win, y++, x, w, "I", meter(d, "integrated"), tgt,
		    tol);
	lra = meter(d, "lra");
	tp = meter(d, "true_peak");
	if (y < last) {
		strutil_format(line, sizeof line, "LRA %s  TP %s",
		    lra ? "" : "-", tp ? "" : "-");
		if (lra != NULL && tp != NULL)
			strutil_format(line, sizeof line, "LRA %.1f LU  TP %.1f "
			    "dBTP", lra->value, tp->value);
		else if (lra != NULL)
			strutil_format(line, sizeof line, "LRA %.1f LU",
			    lra->value);
		else if (tp != NULL)
			strutil_format(line, sizeof line, "TP %.1f dBTP",
			    tp->value);
		draw_text(win, y++, x, w, line, false);
	}
	if (y < last && d->nhistory > 1) {
		draw_text(win, y, x, 4, "S~", false);
		draw_sparkline(win, y, x + 4, w - 4, d->history, d->nhistory,
		    -60, 0);
	}
}

static void
draw_log(struct dash *d, WINDOW *win, const struct rect *r)
{
	int rows = r->h - 2, i, first;
	char when[40];

	first = (int)d->nevents > rows ? (int)d->nevents - rows : 0;
	for (i = 0; first + i < (int)d->nevents && i < rows; i++) {
		const struct model_event *e = &d->events[first + i];
		enum draw_style st = strcmp(e->severity, "error") == 0 ||
		    strcmp(e->severity, "critical") == 0 ? DRAW_CRIT :
		    strcmp(e->severity, "warning") == 0 ? DRAW_WARN :
		    DRAW_NORMAL;
		int y = r->y + 1 + i, x = r->x + 1, w = r->w - 2, n;

		when_format(e->time, false, when, sizeof when);
		n = draw_text(win, y, x, 9, when + 11, false);
		wattron(win, draw_attr(st));
		n += draw_textf(win, y, x + n + 1, 18, "%-17s", e->kind) + 1;
		wattroff(win, draw_attr(st));
		if (e->subject[0] != '\0')
			n += draw_textf(win, y, x + n + 1, w - n - 1, "%s: ",
			    e->subject);
		draw_text(win, y, x + n + 1, w - n - 1, e->message, false);
	}
}

static void
dash_draw(void *state, struct console *c, WINDOW *win)
{
	struct dash *d = state;
	int rows, cols, i;

	getmaxyx(win, rows, cols);
	layout(d, rows, cols);
	for (i = 0; i < PANES; i++) {
		const struct rect *r = &d->r[i];
		char title[64];

		if (r->h < 2)
			continue;
		if (i == PANE_JOBS)
			strutil_format(title, sizeof title, "Jobs (%zu)",
			    d->njobs);
		else
			strutil_copy(title, pane_titles[i], sizeof title);
		draw_box(win, r->y, r->x, r->h, r->w, title,
		    (int)d->focus == i);
	}
	draw_jobs(d, win, &d->r[PANE_JOBS], d->focus == PANE_JOBS);
	draw_storage(d, win, &d->r[PANE_STORAGE]);
	draw_transfers(d, win, &d->r[PANE_TRANSFERS]);
	draw_qc(d, win, &d->r[PANE_QC]);
	if (d->r[PANE_LOG].h >= 3)
		draw_log(d, win, &d->r[PANE_LOG]);
}

static const struct screen_class *const pane_screens[PANES] = {
	&screen_jobs, &screen_storage, &screen_transfers, &screen_qc,
	&screen_log,
};

static enum screen_key
dash_key(void *state, struct console *c, int ch)
{
	struct dash *d = state;

	switch (ch) {
	case '\t':
		d->focus = (d->focus + 1) % PANES;
		if (d->r[d->focus].h < 3)
			d->focus = (d->focus + 1) % PANES;
		return SCREEN_KEY_REDRAW;
	case SCREEN_KEY(KEY_BTAB):
		d->focus = (d->focus + PANES - 1) % PANES;
		if (d->r[d->focus].h < 3)
			d->focus = (d->focus + PANES - 1) % PANES;
		return SCREEN_KEY_REDRAW;
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (d->focus == PANE_JOBS && d->sel + 1 < d->njobs)
			d->sel++;
		return SCREEN_KEY_REDRAW;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (d->focus == PANE_JOBS && d->sel > 0)
			d->sel--;
		return SCREEN_KEY_REDRAW;
	case '\r':
	case '\n':
	case SCREEN_KEY(KEY_ENTER):
		console_push(c, pane_screens[d->focus]);
		return SCREEN_KEY_HANDLED;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
}

static enum screen_key
dash_click(void *state, struct console *c, int y, int x)
{
	struct dash *d = state;
	int i;

	for (i = 0; i < PANES; i++) {
		const struct rect *r = &d->r[i];

		if (y >= r->y && y < r->y + r->h && x >= r->x &&
		    x < r->x + r->w) {
			d->focus = (enum pane)i;
			return SCREEN_KEY_REDRAW;
		}
	}
	return SCREEN_KEY_UNHANDLED;
}

static const struct screen_keyhelp dash_keys[] = {
	{ "Tab / Shift-Tab", "move between panes" },
	{ "Up/Down, j/k", "select a job in the Jobs pane" },
	{ "Enter", "open the focused pane as a full screen" },
	{ "click", "focus a pane" },
	{ NULL, NULL },
};

const struct screen_class screen_dashboard = {
	.name = "dashboard",
	.title = "Dashboard",
	.open = dash_open,
	.close = dash_close,
	.fetch = dash_fetch,
	.draw = dash_draw,
	.key = dash_key,
	.click = dash_click,
	.keys = dash_keys,
};
