/*
 * jobs: every job, newest first, with a filter ('/'), a sort ('s'), a
 * detail view with the job's own log (Enter), and the actions an operator
 * takes on a job: cancel and retry (confirmed), pause and resume, priority
 * up and down. Actions are requests that mcrd carries out; in read-only
 * mode they are refused on the status line.
 */
#include "autoconfig.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "console.h"
#include "draw.h"
#include "model.h"
#include "screen.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

/*
 * The list keeps only the ids of the jobs that match, in order (100,000
 * jobs are 800 KB), re-read when a job was queued or changed state; the
 * rows themselves are read a screenful at a time, so scrolling costs one
 * indexed lookup per visible row and a live meter costs no re-sort.
 */
static const char *const sort_names[] = {
	[SHIFTLOG_JOBS_NEWEST] = "newest",
	[SHIFTLOG_JOBS_PRIORITY] = "priority",
	[SHIFTLOG_JOBS_STATE] = "state",
	[SHIFTLOG_JOBS_KIND] = "kind",
};
#define SORTS (sizeof sort_names / sizeof sort_names[0])

struct jobs {
	int64_t *ids;		/* every matching job, in order */
	size_t nids;
	int64_t total;		/* jobs in the log, matching or not */
	int64_t mark;		/* shiftlog_jobs_mark() when ids were read */
	struct model_job *rows;	/* ids[top .. top + nrows) */
	size_t nrows, rows_top;
	bool rows_stale;
	size_t sel, top;
	int rows_shown;
	char filter[128];
	enum shiftlog_job_order sort;
	bool detail;
	char *log;		/* the tail of the selected job's log */
};

static void *
jobs_open(struct console *c)
{
	struct jobs *j = xcalloc(1, sizeof(struct jobs));

	j->mark = -1;
	return j;
}

static void
jobs_close(void *state)
{
	struct jobs *j = state;

	free(j->ids);
	free(j->rows);
	free(j->log);
	free(j);
}

/* Keeps the selection on screen. */
static void
keep_in_view(struct jobs *j)
{
	if (j->sel < j->top)
		j->top = j->sel;
	if (j->rows_shown > 0 && j->sel >= j->top + (size_t)j->rows_shown)
		j->top = j->sel - (size_t)j->rows_shown + 1;
	if (j->top >= j->nids)
		j->top = 0;
}

/* Reads the visible rows when the window moved or the log changed. */
static int
load_rows(struct jobs *j, struct console *c)
{
	size_t want = j->rows_shown > 0 ? (size_t)j->rows_shown : 1;

	keep_in_view(j);
	if (!j->rows_stale && j->rows_top == j->top && j->nrows ==
	    (j->top + want < j->nids ? want : j->nids - j->top))
		return 0;
	if (j->top + want > j->nids)
		want = j->nids - j->top;
	j->rows_top = j->top;
	j->rows_stale = false;
	return model_jobs_by_id(console_shiftlog(c), j->ids + j->top, want,
	    &j->rows, &j->nrows);
}

static const struct model_job *
selected(const struct jobs *j)
{
	if (j->sel < j->rows_top || j->sel - j->rows_top >= j->nrows)
		return NULL;
	return &j->rows[j->sel - j->rows_top];
}

/* Re-reads the matching ids, keeping the selected job selected. */
static int
load_ids(struct jobs *j, struct console *c)
{
	int64_t keep = j->sel < j->nids ? j->ids[j->sel] : 0;
	struct shiftlog_status st;
	size_t i;

	free(j->ids);
	if (shiftlog_job_ids(console_shiftlog(c), j->filter, j->sort, &j->ids,
	    &j->nids) < 0)
		return -1;
	if (shiftlog_status(console_shiftlog(c), &st) == 0) {
		j->total = 0;
		for (i = 0; i < SHIFTLOG_JOB_STATES; i++)
			j->total += st.jobs[i];
	}
	j->sel = 0;
	for (i = 0; keep != 0 && i < j->nids; i++) {
		if (j->ids[i] == keep) {
			j->sel = i;
			break;
		}
	}
	j->rows_stale = true;
	return 0;
}

static void
load_log(struct jobs *j, struct console *c)
{
	const struct model_job *m = selected(j);
	char *path, buf[8192];
	ssize_t n;
	off_t size;
	int fd;

	free(j->log);
	j->log = NULL;
	if (m == NULL)
		return;
	path = xasprintf("%s.jobs/%lld.log", console_shiftlog_path(c),
	    (long long)m->id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return;
	size = lseek(fd, 0, SEEK_END);
	lseek(fd, size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 :
	    0, SEEK_SET);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		j->log = xstrdup(buf);
	}
}

static int
jobs_fetch(void *state, struct console *c)
{
	struct jobs *j = state;
	int64_t mark;

	if (shiftlog_jobs_mark(console_shiftlog(c), &mark) < 0)
		return -1;
	if (mark != j->mark) {
		if (load_ids(j, c) < 0)
			return -1;
		j->mark = mark;
	}
	/* Progress, rate and ETA move without an event: the visible rows
	 * are read again on every change of the log. */
	j->rows_stale = true;
	if (load_rows(j, c) < 0)
		return -1;
	if (j->detail)
		load_log(j, c);
	return 0;
}

static void
draw_detail(struct jobs *j, struct console *c, WINDOW *win, int rows,
    int cols)
{
	const struct model_job *m = selected(j);
	char created[40], started[40], finished[40], rate[32], eta[16];
	int y = 0;
	const char *p;

	if (m == NULL)
		return;
	when_format(m->created, false, created, sizeof created);
	if (m->started != 0)
		when_format(m->started, false, started, sizeof started);
	else
		strutil_copy(started, "-", sizeof started);
	if (m->finished != 0)
		when_format(m->finished, false, finished, sizeof finished);
	else
		strutil_copy(finished, "-", sizeof finished);
	draw_rate(m->rate, m->rate_unit, rate, sizeof rate);
	draw_duration(m->eta, eta, sizeof eta);
	wattron(win, draw_attr(DRAW_TITLE));
	draw_textf(win, y++, 1, cols - 2, "Job %lld  %s  %s", (long long)m->id,
	    m->kind, m->state);
	wattroff(win, draw_attr(DRAW_TITLE));
	draw_textf(win, y++, 1, cols - 2, "subject    %s", m->subject);
	draw_textf(win, y++, 1, cols - 2, "queued     %s by %s, priority %lld",
	    created, m->by, (long long)m->priority);
	draw_textf(win, y++, 1, cols - 2, "started    %s  (attempt %lld)",
	    started, (long long)m->attempts);
	draw_textf(win, y++, 1, cols - 2, "finished   %s", finished);
	draw_text(win, y, 1, 11, "progress", false);
	draw_bar(win, y, 12, cols > 60 ? 30 : 12, m->progress, DRAW_BAR);
	draw_textf(win, y++, cols > 60 ? 43 : 25, cols - 45, "%s  %s  %s",
	    rate, eta, m->progress_subject);
	if (m->error[0] != '\0') {
		wattron(win, draw_attr(DRAW_CRIT));
		draw_textf(win, y++, 1, cols - 2, "error      %s", m->error);
		wattroff(win, draw_attr(DRAW_CRIT));
	}
	y++;
	wattron(win, draw_attr(DRAW_TITLE));
	draw_text(win, y++, 1, cols - 2, "Its log (mcr job log):", false);
	wattroff(win, draw_attr(DRAW_TITLE));
	if (j->log == NULL) {
		draw_text(win, y, 3, cols - 4, "no log yet: the job has not run",
		    false);
		return;
	}
	/* The last lines that fit. */
	{
		int lines = 0, skip;
		const char *q;

		for (q = j->log; *q != '\0'; q++)
			lines += *q == '\n';
		skip = lines - (rows - y);
		for (p = j->log; skip > 0 && *p != '\0'; p++)
			skip -= *p == '\n';
		while (*p != '\0' && y < rows) {
			char line[512];
			size_t n = strcspn(p, "\n");

			strutil_format(line, sizeof line, "%.*s", (int)(n < 511 ?
			    n : 511), p);
			draw_text(win, y++, 3, cols - 4, line, false);
			p += n + (p[n] == '\n');
		}
	}
}

static void
jobs_draw(void *state, struct console *c, WINDOW *win)
{
	struct jobs *j = state;
	int rows, cols, i;
	char head[256];

	getmaxyx(win, rows, cols);
	if (j->detail) {
		draw_detail(j, c, win, rows, cols);
		return;
	}
	j->rows_shown = rows - 2;
	if (load_rows(j, c) < 0)
		console_status(c, "cannot read jobs: %s",
		    shiftlog_errmsg(console_shiftlog(c)));
	strutil_format(head, sizeof head, "%zu of %lld jobs, sorted by %s%s%s%s",
	    j->nids, (long long)j->total, sort_names[j->sort], j->filter[0] ?
	    ", filter '" : "", j->filter, j->filter[0] ? "'" : "");
	wattron(win, draw_attr(DRAW_TITLE));
	draw_text(win, 0, 1, cols - 2, head, true);
	draw_textf(win, 1, 0, cols, "%6s %-10s %-18s %4s %-12s %4s %-11s %-7s "
	    "%-8s %s", "ID", "STATE", "KIND", "PRIO", "PROGRESS", "", "RATE",
	    "ETA", "BY", "SUBJECT");
	wattroff(win, draw_attr(DRAW_TITLE));
	if (j->nids == 0) {
		draw_text(win, 3, 2, cols - 4, j->filter[0] ? "no job matches "
		    "the filter; '/' changes it" : "no jobs yet", false);
		return;
	}
	for (i = 0; i < j->rows_shown && (size_t)i < j->nrows; i++) {
		const struct model_job *m = &j->rows[i];
		bool sel = j->rows_top + (size_t)i == j->sel;
		char rate[32], eta[16], pct[8] = "";
		int y = 2 + i;

		if (sel)
			wattron(win, draw_attr(DRAW_SELECTED));
		draw_text(win, y, 0, cols, "", true);
		draw_textf(win, y, 0, 7, "%6lld", (long long)m->id);
		draw_text(win, y, 7, 10, m->state, true);
		draw_text(win, y, 18, 18, m->kind, true);
		draw_textf(win, y, 37, 4, "%4lld", (long long)m->priority);
		if (m->progress >= 0) {
			draw_bar(win, y, 42, 12, m->progress, DRAW_BAR);
			strutil_format(pct, sizeof pct, "%3.0f%%",
			    m->progress * 100);
			if (sel)
				wattron(win, draw_attr(DRAW_SELECTED));
		}
		draw_text(win, y, 55, 4, pct, true);
		draw_rate(m->rate, m->rate_unit, rate, sizeof rate);
		draw_duration(m->eta, eta, sizeof eta);
		if (cols > 80) {
			draw_text(win, y, 60, 11, rate, true);
			draw_text(win, y, 72, 7, eta, true);
			draw_text(win, y, 80, 8, m->by, true);
		}
		if (cols > 90)
			draw_text(win, y, 89, cols - 89, m->error[0] ? m->error :
			    m->subject, false);
		if (sel)
			wattroff(win, draw_attr(DRAW_SELECTED));
	}
}

static void
filter_done(struct console *c, const char *text, void *arg)
{
	struct jobs *j = arg;

	strutil_copy(j->filter, text, sizeof j->filter);
	if (load_ids(j, c) < 0)
		console_status(c, "cannot filter jobs: %s",
		    shiftlog_errmsg(console_shiftlog(c)));
	console_dirty(c);
}

struct action {
	int64_t id;
	char what[16];
};

static struct action pending;

static void
confirmed(struct console *c, void *arg)
{
	console_request(c, pending.id, pending.what, 0);
}

static enum screen_key
act(struct jobs *j, struct console *c, const char *what)
{
	const struct model_job *m = selected(j);
	char q[160];

	if (m == NULL)
		return SCREEN_KEY_HANDLED;
	if (console_read_only(c)) {
		console_status(c, "read-only: cannot %s job %lld; actions are "
		    "disabled", what, (long long)m->id);
		return SCREEN_KEY_REDRAW;
	}
	pending.id = m->id;
	strutil_copy(pending.what, what, sizeof pending.what);
	if (strcmp(what, "cancel") == 0 || strcmp(what, "retry") == 0) {
		strutil_format(q, sizeof q, "%s job %lld (%s, %s)?",
		    strcmp(what, "cancel") == 0 ? "Cancel" : "Retry",
		    (long long)m->id, m->kind, m->state);
		console_confirm(c, q, confirmed, NULL);
	} else
		console_request(c, m->id, what, 0);
	return SCREEN_KEY_REDRAW;
}

static enum screen_key
jobs_key(void *state, struct console *c, int ch)
{
	struct jobs *j = state;
	const struct model_job *m = selected(j);
	size_t page = j->rows_shown > 1 ? (size_t)j->rows_shown - 1 : 1;

	switch (ch) {
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (j->sel + 1 < j->nids)
			j->sel++;
		break;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (j->sel > 0)
			j->sel--;
		break;
	case SCREEN_KEY(KEY_NPAGE):
		j->sel = j->sel + page < j->nids ? j->sel + page :
		    j->nids > 0 ? j->nids - 1 : 0;
		break;
	case SCREEN_KEY(KEY_PPAGE):
		j->sel = j->sel > page ? j->sel - page : 0;
		break;
	case SCREEN_KEY(KEY_HOME):
	case 'g':
		j->sel = 0;
		break;
	case SCREEN_KEY(KEY_END):
	case 'G':
		j->sel = j->nids > 0 ? j->nids - 1 : 0;
		break;
	case '/':
		console_prompt(c, "Filter jobs", j->filter, filter_done, j);
		return SCREEN_KEY_HANDLED;
	case 's':
		j->sort = (j->sort + 1) % SORTS;
		if (load_ids(j, c) < 0)
			console_status(c, "cannot sort jobs: %s",
			    shiftlog_errmsg(console_shiftlog(c)));
		else
			console_status(c, "sorted by %s", sort_names[j->sort]);
		break;
	case '\r':
	case '\n':
	case SCREEN_KEY(KEY_ENTER):
		j->detail = !j->detail;
		if (j->detail)
			load_log(j, c);
		break;
	case 27:
		if (j->detail) {
			j->detail = false;
			break;
		}
		return SCREEN_KEY_POP;
	case 'c':
		return act(j, c, "cancel");
	case 'r':
		return act(j, c, "retry");
	case 'p':
		if (m == NULL)
			break;
		return act(j, c, strcmp(m->state, "paused") == 0 ? "resume" :
		    "pause");
	case '+':
	case '-':
		if (m == NULL)
			break;
		if (console_read_only(c)) {
			console_status(c, "read-only: actions are disabled");
			break;
		}
		console_request(c, m->id, "priority", m->priority +
		    (ch == '+' ? 1 : -1));
		break;
	default:
		return SCREEN_KEY_UNHANDLED;
	}
	/* The rows under a moved selection, before the next key uses them. */
	if (load_rows(j, c) < 0)
		console_status(c, "cannot read jobs: %s",
		    shiftlog_errmsg(console_shiftlog(c)));
	return SCREEN_KEY_REDRAW;
}

static const struct screen_keyhelp jobs_keys[] = {
	{ "Up/Down, j/k", "select a job" },
	{ "PgUp/PgDn, Home/End", "move a page, to the first or last" },
	{ "/", "filter by kind, state, subject, user or job number" },
	{ "s", "sort: newest, priority, state, kind" },
	{ "Enter", "details and the job's log; again to go back" },
	{ "c", "cancel the job (asks first)" },
	{ "p", "pause or resume the job" },
	{ "r", "retry a failed, cancelled or interrupted job (asks first)" },
	{ "+ / -", "raise or lower its priority" },
	{ "Esc", "back to the dashboard" },
	{ NULL, NULL },
};

const struct screen_class screen_jobs = {
	.name = "jobs",
	.title = "Jobs",
	.open = jobs_open,
	.close = jobs_close,
	.fetch = jobs_fetch,
	.draw = jobs_draw,
	.key = jobs_key,
	.keys = jobs_keys,
};
