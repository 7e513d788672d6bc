/*
 * qc: the live meters of every running job, large: momentary, short-term
 * and integrated loudness on a -60..0 LUFS scale with the job's target and
 * tolerance marked when it reports them, LRA, true peak, any other meter
 * by name, and a short-term history drawn from the values read at each
 * refresh (10 times a second while a meter is live).
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "draw.h"
#include "model.h"
#include "screen.h"
#include "strutil.h"
#include "xmalloc.h"

#define HISTORY 600

struct qc {
	struct model_meter *m;
	size_t n;
	double history[HISTORY];
	size_t nhistory;
	int64_t hjob, htime;
};

static void *
qc_open(struct console *c)
{
	return xcalloc(1, sizeof(struct qc));
}

static void
qc_close(void *state)
{
	struct qc *q = state;

	free(q->m);
	free(q);
}

static const struct model_meter *
find(const struct qc *q, int64_t job, const char *name)
{
	size_t i;

	for (i = 0; i < q->n; i++) {
		if (q->m[i].job_id == job && strcmp(q->m[i].name, name) == 0)
			return &q->m[i];
	}
	return NULL;
}

static int
qc_fetch(void *state, struct console *c)
{
	struct qc *q = state;
	const struct model_meter *st;

	if (model_meters(console_shiftlog(c), &q->m, &q->n) < 0)
		return -1;
	st = q->n > 0 ? find(q, q->m[0].job_id, "short_term") : NULL;
	if (st != NULL && (st->job_id != q->hjob || st->time != q->htime)) {
		if (st->job_id != q->hjob)
			q->nhistory = 0;
		if (q->nhistory == HISTORY) {
			memmove(q->history, q->history + 1,
			    (HISTORY - 1) * sizeof *q->history);
			q->nhistory--;
		}
		q->history[q->nhistory++] = st->value;
		q->hjob = st->job_id;
		q->htime = st->time;
	}
	console_live(c, q->n > 0);
	return 0;
}

static void
big_meter(WINDOW *win, int y, int cols, const char *label,
    const struct model_meter *m, const struct model_meter *target,
    const struct model_meter *tol)
{
	const double lo = -60, hi = 0;
	int barw = cols - 30, pos;

	draw_text(win, y, 1, 14, label, true);
	if (m == NULL) {
		draw_text(win, y, 16, 10, "-", false);
		return;
	}
	draw_bar(win, y, 16, barw, (m->value - lo) / (hi - lo), DRAW_BAR);
	if (target != NULL) {
		double t = target->value, d = tol != NULL ? tol->value : 0;

		pos = (int)((t - lo) / (hi - lo) * barw);
		if (pos >= 0 && pos < barw)
			mvwaddch(win, y, 16 + pos, '|' | draw_attr(DRAW_MARK));
		pos = (int)((t - d - lo) / (hi - lo) * barw);
		if (d > 0 && pos >= 0 && pos < barw)
			mvwaddch(win, y, 16 + pos, '[' | draw_attr(DRAW_MARK));
		pos = (int)((t + d - lo) / (hi - lo) * barw);
		if (d > 0 && pos >= 0 && pos < barw)
			mvwaddch(win, y, 16 + pos, ']' | draw_attr(DRAW_MARK));
	}
	draw_textf(win, y, 17 + barw, 13, "%6.1f %s", m->value, m->unit);
}

static void
qc_draw(void *state, struct console *c, WINDOW *win)
{
	struct qc *q = state;
	const struct model_meter *tgt, *tol;
	int rows, cols, y = 0;
	int64_t job;
	size_t i;

	getmaxyx(win, rows, cols);
	if (q->n == 0) {
		draw_text(win, 1, 2, cols - 4, "no live meters: a running QC "
		    "or loudness-monitor job reports them here", false);
		return;
	}
	job = q->m[0].job_id;
	tgt = find(q, job, "target");
	tol = find(q, job, "tolerance");
	wattron(win, draw_attr(DRAW_TITLE));
	draw_textf(win, y++, 1, cols - 2, "job %lld  %s  %s", (long long)job,
	    q->m[0].job_kind, q->m[0].subject);
	wattroff(win, draw_attr(DRAW_TITLE));
	if (tgt != NULL)
		draw_textf(win, y++, 1, cols - 2, "target %.1f LUFS%s%.1f LU",
		    tgt->value, tol ? " +/- " : "", tol ? tol->value : 0.0);
	y++;
	big_meter(win, y, cols, "momentary", find(q, job, "momentary"), tgt,
	    tol);
	y += 2;
	big_meter(win, y, cols, "short-term", find(q, job, "short_term"), tgt,
	    tol);
	y += 2;
	big_meter(win, y, cols, "integrated", find(q, job, "integrated"), tgt,
	    tol);
	y += 2;
	for (i = 0; i < q->n && y < rows - 3; i++) {
		const struct model_meter *m = &q->m[i];

		if (m->job_id != job || strcmp(m->name, "momentary") == 0 ||
		    strcmp(m->name, "short_term") == 0 ||
		    strcmp(m->name, "integrated") == 0 ||
		    strcmp(m->name, "target") == 0 ||
		    strcmp(m->name, "tolerance") == 0)
			continue;
		draw_textf(win, y++, 1, cols - 2, "%-14s %8.1f %s", m->name,
		    m->value, m->unit);
	}
	if (q->nhistory > 1 && y < rows - 1) {
		y++;
		draw_text(win, y, 1, 14, "short-term", false);
		draw_sparkline(win, y, 16, cols - 17, q->history, q->nhistory,
		    -60, 0);
	}
}

static enum screen_key
qc_key(void *state, struct console *c, int ch)
{
	return ch == 27 ? SCREEN_KEY_POP : SCREEN_KEY_UNHANDLED;
}

static void
qc_close_live(void *state)
{
	qc_close(state);
}

static const struct screen_keyhelp qc_keys[] = {
	{ "Esc", "back" },
	{ NULL, NULL },
};

const struct screen_class screen_qc = {
	.name = "qc",
	.title = "QC meters",
	.open = qc_open,
	.close = qc_close_live,
	.fetch = qc_fetch,
	.draw = qc_draw,
	.key = qc_key,
	.keys = qc_keys,
};
