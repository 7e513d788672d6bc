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

#define JOBS_MAX 10000

enum sort { SORT_NEWEST, SORT_PRIORITY, SORT_STATE, SORT_KIND, SORTS };
static const char *const sort_names[SORTS] = { "newest", "priority",
    "state", "kind" };

struct jobs {
	struct model_job *all;
	size_t nall;
	size_t *shown;		/* indexes into all, filtered and sorted */
	size_t nshown;
	size_t sel, top;
	int rows;
	char filter[128];
	enum sort sort;
	bool detail;
	int64_t detail_id;
	char *log;		/* the tail of the selected job's log */
};

static void *
jobs_open(struct console *c)
{
	return xcalloc(1, sizeof(struct jobs));
}

static void
jobs_close(void *state)
{
	struct jobs *j = state;

	free(j->all);
	free(j->shown);
	free(j->log);
	free(j);
}

static const struct model_job *
selected(const struct jobs *j)
{
	return j->nshown > 0 ? &j->all[j->shown[j->sel]] : NULL;
}

static bool
matches(const struct model_job *m, const char *f)
{
	char id[24];

	if (*f == '\0')
		return true;
	strutil_format(id, sizeof id, "%lld", (long long)m->id);
	return strcasestr(m->kind, f) != NULL || strcasestr(m->state, f) !=
	    NULL || strcasestr(m->subject, f) != NULL || strcasestr(m->by, f)
	    != NULL || strcasestr(m->error, f) != NULL || strcmp(id, f) == 0;
}

static const struct model_job *sort_base;
static enum sort sort_mode;

static int
compare(const void *a, const void *b)
{
	const struct model_job *x = &sort_base[*(const size_t *)a];
	const struct model_job *y = &sort_base[*(const size_t *)b];
	int r = 0;

	switch (sort_mode) {
	case SORT_PRIORITY:
		r = (y->priority > x->priority) - (y->priority < x->priority);
		break;
	case SORT_STATE:
		r = strcmp(x->state, y->state);
		break;
	case SORT_KIND:
		r = strcmp(x->kind, y->kind);
		break;
	default:
		break;
	}
	return r != 0 ? r : (y->id > x->id) - (y->id < x->id);
}

static void
rebuild(struct jobs *j)
{
	int64_t keep = selected(j) != NULL ? selected(j)->id : 0;
	size_t i;

	free(j->shown);
	j->shown = xcalloc(j->nall + 1, sizeof *j->shown);
	j->nshown = 0;
	for (i = 0; i < j->nall; i++) {
		if (matches(&j->all[i], j->filter))
			j->shown[j->nshown++] = i;
	}
	sort_base = j->all;
	sort_mode = j->sort;
	qsort(j->shown, j->nshown, sizeof *j->shown, compare);
	j->sel = 0;
	for (i = 0; i < j->nshown; i++) {
		if (j->all[j->shown[i]].id == keep)
			j->sel = i;
	}
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
	struct shiftlog_job_filter f = { .limit = JOBS_MAX };

	if (model_jobs(console_shiftlog(c), &f, &j->all, &j->nall) < 0)
		return -1;
	rebuild(j);
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
	j->rows = rows - 2;
	strutil_format(head, sizeof head, "%zu of %zu jobs, sorted by %s%s%s%s",
	    j->nshown, j->nall, sort_names[j->sort], j->filter[0] ?
	    ", filter '" : "", j->filter, j->filter[0] ? "'" : "");
	wattron(win, draw_attr(DRAW_TITLE));
	draw_text(win, 0, 1, cols - 2, head, true);
	draw_textf(win, 1, 0, cols, "%6s %-10s %-18s %4s %-12s %4s %-11s %-7s "
	    "%-8s %s", "ID", "STATE", "KIND", "PRIO", "PROGRESS", "", "RATE",
	    "ETA", "BY", "SUBJECT");
	wattroff(win, draw_attr(DRAW_TITLE));
	if (j->nshown == 0) {
		draw_text(win, 3, 2, cols - 4, j->filter[0] ? "no job matches "
		    "the filter; '/' changes it" : "no jobs yet", false);
		return;
	}
	if (j->sel < j->top)
		j->top = j->sel;
	if (j->rows > 0 && j->sel >= j->top + (size_t)j->rows)
		j->top = j->sel - (size_t)j->rows + 1;
	for (i = 0; i < j->rows && j->top + (size_t)i < j->nshown; i++) {
		const struct model_job *m = &j->all[j->shown[j->top + i]];
		bool sel = j->top + (size_t)i == j->sel;
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
	rebuild(j);
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
	size_t page = j->rows > 1 ? (size_t)j->rows - 1 : 1;

	switch (ch) {
	case 'j':
	case SCREEN_KEY(KEY_DOWN):
		if (j->sel + 1 < j->nshown)
			j->sel++;
		break;
	case 'k':
	case SCREEN_KEY(KEY_UP):
		if (j->sel > 0)
			j->sel--;
		break;
	case SCREEN_KEY(KEY_NPAGE):
		j->sel = j->sel + page < j->nshown ? j->sel + page :
		    j->nshown > 0 ? j->nshown - 1 : 0;
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
		j->sel = j->nshown > 0 ? j->nshown - 1 : 0;
		break;
	case '/':
		console_prompt(c, "Filter jobs", j->filter, filter_done, j);
		return SCREEN_KEY_HANDLED;
	case 's':
		j->sort = (j->sort + 1) % SORTS;
		rebuild(j);
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
