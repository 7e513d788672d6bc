/*
 * console: the operator's screen. One poll loop (loop.c) takes keys from
 * the terminal, a timer that polls PRAGMA data_version (10 Hz while a live
 * meter is on screen, 2 Hz otherwise), the terminal pane's pty and
 * signals. Key handlers and fetches only mark the console dirty; drawing
 * happens once per loop turn, before it sleeps, with one doupdate(). The
 * terminal is restored on every way out: quit, SIGHUP, SIGTERM and fatal
 * signals.
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "console.h"
#include "daemon.h"
#include "draw.h"
#include "loop.h"
#include "plugin.h"
#include "screen.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

#define POLL_IDLE_MS 500
#define POLL_LIVE_MS 100
#define MAX_DEPTH 16

struct layer {
	const struct screen_class *cls;
	void *state;
};

struct console {
	const struct console_opts *o;
	struct config *cfg;
	struct shiftlog *sl;		/* read-only: everything shown */
	struct shiftlog *wsl;		/* read-write: requests and notes */
	struct loop *loop;
	struct layer stack[MAX_DEPTH];
	int depth;
	struct layer parked;	/* the terminal pane while F12 hides it */
	WINDOW *body;
	bool dirty, refetch, live, ascii, color;
	int64_t data_version;
	uint64_t poll_timer;
	int64_t poll_ms;
	int64_t last_daemon_check;
	pid_t daemon_pid;
	char status[512];
	/* a question waiting for y/n */
	char question[256];
	void (*yes)(struct console *, void *);
	void *yes_arg;
	/* a line being read on the status line */
	bool prompting;
	char prompt_label[64];
	char line[512];
	size_t linelen;
	void (*prompt_done)(struct console *, const char *, void *);
	void *prompt_arg;
	int exit_code;
};

static volatile sig_atomic_t curses_on;

static void
restore_terminal(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/* A crash must not leave the operator's terminal in raw mode. */
static void
on_fatal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

struct shiftlog *
console_shiftlog(struct console *c)
{
	return c->sl;
}

const struct config *
console_config(struct console *c)
{
	return c->cfg;
}

const char *
console_shiftlog_path(struct console *c)
{
	return c->o->db_path;
}

bool
console_read_only(struct console *c)
{
	return c->o->read_only;
}

bool
console_ascii(struct console *c)
{
	return c->ascii;
}

bool
console_color(struct console *c)
{
	return c->color;
}

void
console_status(struct console *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->status, sizeof c->status, fmt, ap);
	va_end(ap);
	c->dirty = true;
}

void
console_confirm(struct console *c, const char *question,
    void (*yes)(struct console *, void *), void *arg)
{
	strutil_format(c->question, sizeof c->question, "%s (y/n)", question);
	c->yes = yes;
	c->yes_arg = arg;
	c->dirty = true;
}

void
console_prompt(struct console *c, const char *label, const char *initial,
    void (*done)(struct console *, const char *, void *), void *arg)
{
	c->prompting = true;
	strutil_copy(c->prompt_label, label, sizeof c->prompt_label);
	c->linelen = strutil_copy(c->line, initial ? initial : "",
	    sizeof c->line);
	if (c->linelen >= sizeof c->line)
		c->linelen = sizeof c->line - 1;
	c->prompt_done = done;
	c->prompt_arg = arg;
	c->dirty = true;
}

void
console_dirty(struct console *c)
{
	c->dirty = true;
}

void
console_refetch(struct console *c)
{
	c->refetch = true;
}

static void arm_poll(struct console *c);

void
console_live(struct console *c, bool live)
{
	if (c->live != live) {
		c->live = live;
		arm_poll(c);
	}
}

static void
body_window(struct console *c)
{
	int rows = LINES - 2 > 1 ? LINES - 2 : 1;

	if (c->body != NULL)
		delwin(c->body);
	c->body = newwin(rows, COLS, 1, 0);
	keypad(c->body, TRUE);
}

void
console_push(struct console *c, const struct screen_class *cls)
{
	struct layer *l;
	void *state;
	int rows, cols;

	if (c->depth > 0 && c->stack[c->depth - 1].cls == cls)
		return;
	if (c->depth == MAX_DEPTH) {
		console_status(c, "too many screens open; press Esc to close "
		    "some");
		return;
	}
	/* open() may ask console_below() what it sits on. */
	state = cls->open != NULL ? cls->open(c) : NULL;
	l = &c->stack[c->depth++];
	l->cls = cls;
	l->state = state;
	getmaxyx(c->body, rows, cols);
	if (cls->resize != NULL)
		cls->resize(l->state, c, rows, cols);
	/* The new top screen says on its fetch whether it shows a live
	 * meter; one underneath no longer counts. */
	console_live(c, false);
	c->refetch = true;
	c->dirty = true;
}

const struct screen_class *
console_below(struct console *c)
{
	return c->depth > 0 ? c->stack[c->depth - 1].cls : NULL;
}

void
console_pop(struct console *c)
{
	struct layer *l;

	if (c->depth <= 1)
		return;
	l = &c->stack[--c->depth];
	if (l->cls->close != NULL)
		l->cls->close(l->state);
	console_live(c, false);
	c->refetch = true;
	c->dirty = true;
}

void
console_watch_fd(struct console *c, int fd,
    void (*cb)(int fd, short revents, void *arg), void *arg)
{
	loop_add_fd(c->loop, fd, POLLIN, cb, arg);
}

void
console_unwatch_fd(struct console *c, int fd)
{
	loop_del_fd(c->loop, fd);
}

uint64_t
console_timer(struct console *c, int64_t ms, void (*cb)(void *), void *arg)
{
	return loop_add_timer(c->loop, ms, false, cb, arg);
}

void
console_cancel_timer(struct console *c, uint64_t id)
{
	loop_del_timer(c->loop, id);
}

/* The read-write handle, opened when first needed. */
static struct shiftlog *
writer(struct console *c)
{
	struct shiftlog_opts o = { .busy_timeout_ms = c->cfg->busy_timeout_ms };
	char err[640];

	if (c->o->read_only) {
		console_status(c, "read-only: actions are disabled (the console "
		    "was started with --read-only)");
		return NULL;
	}
	if (c->wsl == NULL &&
	    shiftlog_open(c->o->db_path, &o, &c->wsl, err, sizeof err) < 0) {
		console_status(c, "%s", err);
		return NULL;
	}
	return c->wsl;
}

static void
ensure_daemon(struct console *c)
{
	char err[640];

	if (c->o->read_only || c->o->no_daemon)
		return;
	if (daemon_ensure(c->o->db_path, c->o->config_path, false, err,
	    sizeof err) < 0)
		console_status(c, "%s", err);
	c->daemon_pid = daemon_running(c->o->db_path);
}

int
console_request(struct console *c, int64_t job, const char *action,
    int64_t value)
{
	struct shiftlog *w = writer(c);

	if (w == NULL)
		return -1;
	if (shiftlog_job_request(w, job, action, value, NULL) < 0) {
		console_status(c, "%s", shiftlog_errmsg(w));
		return -1;
	}
	ensure_daemon(c);
	console_status(c, "%s requested for job %lld", action,
	    (long long)job);
	c->refetch = true;
	return 0;
}

static void quit(struct console *c);
static void toggle_terminal(struct console *c);

static const struct screen_class *const screens[] = {
	&screen_dashboard, &screen_jobs, &screen_storage, &screen_transfers,
	&screen_qc, &screen_log, &screen_terminal, &screen_help,
	&screen_handover, &screen_assets,
};

static void
submit_command(struct console *c, char *args)
{
	struct shiftlog_submit sub = { 0 };
	const struct mcr_kind *k = NULL;
	struct shiftlog *w;
	json_t *params = json_object();
	const char *names[32];
	char *rest = args, *word, *text, err[512];
	size_t n = 0;
	int64_t id;

	while ((word = strsep(&rest, " ")) != NULL) {
		char *eq = strchr(word, '=');

		if (*word == '\0')
			continue;
		if (sub.kind == NULL)
			sub.kind = word;
		else if (eq != NULL && eq != word && n < 32) {
			*eq = '\0';
			json_object_set_new(params, word, json_string(eq + 1));
			names[n++] = word;
		} else {
			console_status(c, "'%s' is not NAME=VALUE; write :submit "
			    "KIND NAME=VALUE...", word);
			json_decref(params);
			return;
		}
	}
	if (sub.kind == NULL) {
		console_status(c, "write :submit KIND NAME=VALUE..., as in "
		    ":submit storage.sample");
		json_decref(params);
		return;
	}
	if (c->o->plugins != NULL)
		k = plugin_find_kind(c->o->plugins, sub.kind, NULL);
	if (k == NULL) {
		console_status(c, "no plugin runs kind %s; 'mcr plugins' lists "
		    "the kinds", sub.kind);
		json_decref(params);
		return;
	}
	if (plugin_check_params(k, names, n, err, sizeof err) < 0) {
		console_status(c, "%s", err);
		json_decref(params);
		return;
	}
	if ((w = writer(c)) == NULL) {
		json_decref(params);
		return;
	}
	text = json_dumps(params, JSON_COMPACT);
	sub.params = text;
	if (shiftlog_job_submit(w, &sub, &id) < 0)
		console_status(c, "%s", shiftlog_errmsg(w));
	else {
		ensure_daemon(c);
		console_status(c, "job %lld queued: %s", (long long)id,
		    sub.kind);
	}
	free(text);
	json_decref(params);
	c->refetch = true;
}

void
console_command(struct console *c, const char *line)
{
	char buf[512], *cmd, *args;
	size_t i;

	strutil_copy(buf, line, sizeof buf);
	cmd = buf + strspn(buf, " :");
	args = cmd + strcspn(cmd, " ");
	if (*args != '\0')
		*args++ = '\0';
	args += strspn(args, " ");
	if (*cmd == '\0')
		return;
	if (strcmp(cmd, "q") == 0 || strcmp(cmd, "quit") == 0) {
		quit(c);
		return;
	}
	if (strcmp(cmd, "note") == 0) {
		struct shiftlog *w;

		if (*args == '\0') {
			console_status(c, "write :note TEXT");
			return;
		}
		if ((w = writer(c)) == NULL)
			return;
		if (shiftlog_note(w, args, 0, NULL) < 0)
			console_status(c, "%s", shiftlog_errmsg(w));
		else
			console_status(c, "note added to the shift log");
		c->refetch = true;
		return;
	}
	if (strcmp(cmd, "submit") == 0) {
		submit_command(c, args);
		return;
	}
	for (i = 0; i < sizeof screens / sizeof screens[0]; i++) {
		if (strcmp(cmd, screens[i]->name) == 0) {
			if (screens[i] == &screen_dashboard)
				while (c->depth > 1)
					console_pop(c);
			else if (screens[i] == &screen_terminal) {
				if (c->stack[c->depth - 1].cls !=
				    &screen_terminal)
					toggle_terminal(c);
			} else
				console_push(c, screens[i]);
			return;
		}
	}
	console_status(c, "':%s' is not a command; try :jobs, :log, :storage, "
	    ":transfers, :qc, :handover, :term, :help, :note TEXT, :submit KIND "
	    "or :q",
	    cmd);
}

/* --- drawing --- */

static void
draw_top(struct console *c)
{
	const struct layer *l = &c->stack[c->depth - 1];
	const char *path = c->o->db_path, *tail;
	char when[16], left[768], daemon[40];
	time_t now = time(NULL);
	struct tm tm;
	int room;

	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%H:%M", &tm);
	if (c->daemon_pid > 0)
		strutil_format(daemon, sizeof daemon, "mcrd %ld",
		    (long)c->daemon_pid);
	else
		strutil_copy(daemon, "mcrd not running", sizeof daemon);
	/* The shift log's path goes last and loses its head first: the
	 * file name and whether mcrd runs matter more than the folders. */
	room = COLS - (int)strlen(c->cfg->site_name) -
	    (int)strlen(l->cls->title) - (int)strlen(daemon) - 11 -
	    (COLS > 20 ? 6 : 0) - (c->o->read_only && COLS > 40 ? 11 : 0);
	tail = path;
	if (room < 4)
		tail = NULL;
	else if ((int)strlen(path) > room) {
		tail = path + strlen(path) - (size_t)(room - 3);
		while ((*tail & 0xc0) == 0x80)
			tail++;
	}
	strutil_format(left, sizeof left, " %s | %s | %s%s%s%s",
	    c->cfg->site_name, l->cls->title, daemon, tail != NULL ? " | " :
	    "", tail != NULL && tail != path ? "..." : "", tail != NULL ?
	    tail : "");
	wattron(stdscr, draw_attr(DRAW_STATUS));
	draw_text(stdscr, 0, 0, COLS, left, true);
	if (c->o->read_only && COLS > 40)
		draw_text(stdscr, 0, COLS - 18, 10, "READ-ONLY", false);
	if (COLS > 20)
		draw_text(stdscr, 0, COLS - 6, 6, when, true);
	wattroff(stdscr, draw_attr(DRAW_STATUS));
}

/* True while the top screen takes every key (the terminal pane), which
 * also owns the cursor. */
static bool
grabbing(struct console *c)
{
	const struct layer *l = &c->stack[c->depth - 1];

	return l->cls->grabs_keys != NULL && l->cls->grabs_keys(l->state);
}

static void
draw_bottom(struct console *c)
{
	int y = LINES - 1;

	wmove(stdscr, y, 0);
	wclrtoeol(stdscr);
	if (c->prompting) {
		int n = draw_textf(stdscr, y, 0, COLS - 1, "%s: %s",
		    c->prompt_label, c->line);

		curs_set(1);
		wmove(stdscr, y, n < COLS ? n : COLS - 1);
		return;
	}
	if (!grabbing(c))
		curs_set(0);
	if (c->question[0] != '\0') {
		wattron(stdscr, draw_attr(DRAW_WARN));
		draw_text(stdscr, y, 0, COLS, c->question, true);
		wattroff(stdscr, draw_attr(DRAW_WARN));
	} else if (c->status[0] != '\0')
		draw_text(stdscr, y, 0, COLS, c->status, true);
	else {
		wattron(stdscr, draw_attr(DRAW_DIM));
		draw_text(stdscr, y, 0, COLS, c->o->read_only ?
		    " read-only  F1/? help  Tab pane  Enter open  : command  "
		    "F12 terminal  q quit" :
		    " F1/? help  Tab pane  Enter open  Esc back  : command  "
		    "F12 terminal  q quit", true);
		wattroff(stdscr, draw_attr(DRAW_DIM));
	}
}

static void
draw_all(struct console *c)
{
	const struct layer *l = &c->stack[c->depth - 1];

	werase(c->body);
	l->cls->draw(l->state, c, c->body);
	draw_top(c);
	draw_bottom(c);
	wnoutrefresh(stdscr);
	wnoutrefresh(c->body);
	if (c->prompting) {
		/* The cursor belongs to the prompt. */
		wnoutrefresh(stdscr);
	}
	doupdate();
	c->dirty = false;
}

static void
fetch(struct console *c)
{
	struct layer *l = &c->stack[c->depth - 1];

	c->refetch = false;
	if (l->cls->fetch != NULL && l->cls->fetch(l->state, c) < 0)
		console_status(c, "%s", shiftlog_errmsg(c->sl));
	c->dirty = true;
}

static void
before_sleep(void *arg)
{
	struct console *c = arg;

	if (c->refetch)
		fetch(c);
	if (c->dirty && curses_on)
		draw_all(c);
}

static void
on_poll(void *arg)
{
	struct console *c = arg;
	int64_t v, now = loop_now_ms();
	static int last_min = -1;
	time_t t = time(NULL);
	struct tm tm;

	if (shiftlog_data_version(c->sl, &v) == 0 && v != c->data_version) {
		c->data_version = v;
		c->refetch = true;
	}
	if (now - c->last_daemon_check >= 2000) {
		pid_t pid = daemon_running(c->o->db_path);

		c->last_daemon_check = now;
		if (pid != c->daemon_pid) {
			c->daemon_pid = pid;
			c->dirty = true;
		}
	}
	localtime_r(&t, &tm);
	if (tm.tm_min != last_min) {
		last_min = tm.tm_min;
		c->dirty = true;
	}
}

static void
arm_poll(struct console *c)
{
	int64_t ms = c->live ? POLL_LIVE_MS : POLL_IDLE_MS;

	if (c->poll_timer != 0 && ms == c->poll_ms)
		return;
	if (c->poll_timer != 0)
		loop_del_timer(c->loop, c->poll_timer);
	c->poll_ms = ms;
	c->poll_timer = loop_add_timer(c->loop, ms, true, on_poll, c);
}

/* --- keys --- */

static void
prompt_key(struct console *c, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == SCREEN_KEY(KEY_ENTER)) {
		char line[512];
		void (*done)(struct console *, const char *, void *) =
		    c->prompt_done;

		strutil_copy(line, c->line, sizeof line);
		c->prompting = false;
		c->status[0] = '\0';
		if (done != NULL)
			done(c, line, c->prompt_arg);
	} else if (ch == 27 || ch == SCREEN_CTRL('g')) {
		c->prompting = false;
	} else if (ch == SCREEN_KEY(KEY_BACKSPACE) || ch == 127 || ch == 8) {
		/* Remove one UTF-8 character. */
		while (c->linelen > 0 &&
		    (c->line[--c->linelen] & 0xc0) == 0x80)
			;
		c->line[c->linelen] = '\0';
	} else if (ch == SCREEN_CTRL('u')) {
		c->linelen = 0;
		c->line[0] = '\0';
	} else if (ch >= 0x20 && ch < 0x110000 && ch != 0x7f) {
		char u[8];
		mbstate_t st;
		size_t n;

		memset(&st, 0, sizeof st);
		n = wcrtomb(u, (wchar_t)ch, &st);
		if (n != (size_t)-1 && c->linelen + n < sizeof c->line) {
			memcpy(c->line + c->linelen, u, n);
			c->linelen += n;
			c->line[c->linelen] = '\0';
		}
	}
	c->dirty = true;
}

static void
command_done(struct console *c, const char *line, void *arg)
{
	console_command(c, line);
}

/* True while a terminal pane's shell runs, shown or parked: quitting
 * would stop it. */
static bool
terminal_open(struct console *c)
{
	int i;

	if (c->parked.cls != NULL && terminal_shell_running(c->parked.state))
		return true;
	for (i = 0; i < c->depth; i++) {
		if (c->stack[i].cls == &screen_terminal &&
		    terminal_shell_running(c->stack[i].state))
			return true;
	}
	return false;
}

/* F12: show the terminal pane, or hide it. Hidden, its shell goes on
 * (parked); shown again, it is the same shell. */
static void
toggle_terminal(struct console *c)
{
	struct layer *top = &c->stack[c->depth - 1];
	int rows, cols;

	if (top->cls == &screen_terminal) {
		c->parked = *top;
		c->depth--;
		c->refetch = true;
		c->dirty = true;
		return;
	}
	if (c->parked.cls == NULL) {
		console_push(c, &screen_terminal);
		return;
	}
	if (c->depth == MAX_DEPTH)
		return;
	c->stack[c->depth++] = c->parked;
	memset(&c->parked, 0, sizeof c->parked);
	getmaxyx(c->body, rows, cols);
	if (screen_terminal.resize != NULL)
		screen_terminal.resize(c->stack[c->depth - 1].state, c, rows,
		    cols);
	c->dirty = true;
}

static void
quit_yes(struct console *c, void *arg)
{
	loop_stop(c->loop);
}

static void
quit(struct console *c)
{
	/* Jobs belong to mcrd and go on; only the terminal pane's shell
	 * would stop with the console. */
	if (terminal_open(c))
		console_confirm(c, "Quit? The terminal pane's shell will be "
		    "closed; jobs go on under mcrd", quit_yes, NULL);
	else
		loop_stop(c->loop);
}

static void
handle_key(struct console *c, int ch)
{
	struct layer *l = &c->stack[c->depth - 1];
	enum screen_key r;

	if (c->prompting) {
		prompt_key(c, ch);
		return;
	}
	if (c->question[0] != '\0') {
		void (*yes)(struct console *, void *) = c->yes;

		c->question[0] = '\0';
		c->dirty = true;
		if ((ch == 'y' || ch == 'Y') && yes != NULL)
			yes(c, c->yes_arg);
		else
			console_status(c, "cancelled");
		return;
	}
	c->status[0] = '\0';
	if (ch == SCREEN_KEY(KEY_F(12))) {
		toggle_terminal(c);
		return;
	}
	if (ch == SCREEN_KEY(KEY_MOUSE)) {
		MEVENT ev;
		int by, bx;

		if (getmouse(&ev) == OK && l->cls->click != NULL) {
			getbegyx(c->body, by, bx);
			if (wenclose(c->body, ev.y, ev.x)) {
				r = l->cls->click(l->state, c, ev.y - by,
				    ev.x - bx);
				if (r != SCREEN_KEY_UNHANDLED)
					c->dirty = true;
			}
		}
		return;
	}
	r = l->cls->key(l->state, c, ch);
	switch (r) {
	case SCREEN_KEY_HANDLED:
		return;
	case SCREEN_KEY_REDRAW:
		c->dirty = true;
		return;
	case SCREEN_KEY_POP:
		console_pop(c);
		return;
	case SCREEN_KEY_QUIT:
		quit(c);
		return;
	case SCREEN_KEY_UNHANDLED:
		break;
	}
	if (l->cls->grabs_keys != NULL && l->cls->grabs_keys(l->state))
		return;
	switch (ch) {
	case 'q':
	case SCREEN_KEY(KEY_F(10)):
		quit(c);
		break;
	case '?':
	case SCREEN_KEY(KEY_F(1)):
		if (l->cls != &screen_help)
			console_push(c, &screen_help);
		break;
	case ':':
		console_prompt(c, "", "", command_done, NULL);
		strutil_copy(c->prompt_label, ":", sizeof c->prompt_label);
		c->prompting = true;
		break;
	case 27:
		if (c->depth > 1)
			console_pop(c);
		break;
	case SCREEN_CTRL('l'):
		clearok(curscr, TRUE);
		c->dirty = true;
		break;
	case SCREEN_CTRL('c'):
		quit(c);
		break;
	default:
		break;
	}
}

static void
on_input(int fd, short revents, void *arg)
{
	struct console *c = arg;
	wint_t wch;
	int r;

	while ((r = wget_wch(stdscr, &wch)) != ERR) {
		if (r == KEY_CODE_YES) {
			if (wch == KEY_RESIZE)
				continue;
			handle_key(c, SCREEN_KEY((int)wch));
		} else
			handle_key(c, (int)wch);
		if (c->depth == 0)
			break;
	}
	if (revents & (POLLHUP | POLLERR))
		loop_stop(c->loop);
}

/* --- signals --- */

static void
on_winch(int sig, void *arg)
{
	struct console *c = arg;
	struct winsize ws;
	struct layer *l;
	int i, rows, cols;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	body_window(c);
	getmaxyx(c->body, rows, cols);
	for (i = 0; i < c->depth; i++) {
		l = &c->stack[i];
		if (l->cls->resize != NULL)
			l->cls->resize(l->state, c, rows, cols);
	}
	clearok(curscr, TRUE);
	c->dirty = true;
}

static void
on_hangup(int sig, void *arg)
{
	struct console *c = arg;

	/* The terminal is gone (an SSH drop): leave quietly. mcrd and its
	 * jobs are another process and go on. */
	c->exit_code = 0;
	curses_on = 0;
	loop_stop(c->loop);
}

static void
on_term(int sig, void *arg)
{
	struct console *c = arg;

	loop_stop(c->loop);
}

int
console_main(const struct console_opts *o)
{
	struct console c = { .o = o, .cfg = o->cfg };
	struct shiftlog_opts ro = { .read_only = true,
	    .busy_timeout_ms = o->cfg->busy_timeout_ms };
	char err[640];
	const char *nc = getenv("NO_COLOR");
	int i;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "mcr: the console needs a terminal; for scripts "
		    "use a verb, such as 'mcr status' or 'mcr jobs'\n");
		return 2;
	}
	if (shiftlog_open(o->db_path, &ro, &c.sl, err, sizeof err) < 0) {
		fprintf(stderr, "mcr: %s\n", err);
		return 2;
	}
	c.ascii = strcmp(nl_langinfo(CODESET), "UTF-8") != 0;
	c.color = !o->mono && (nc == NULL || *nc == '\0');
	ensure_daemon(&c);
	shiftlog_data_version(c.sl, &c.data_version);

	signal(SIGSEGV, on_fatal);
	signal(SIGBUS, on_fatal);
	signal(SIGABRT, on_fatal);
	signal(SIGFPE, on_fatal);
	atexit(restore_terminal);
	/* newterm, not initscr: an unknown TERM is our error to report. */
	if (newterm(NULL, stdout, stdin) == NULL) {
		fprintf(stderr, "mcr: cannot start the console: the terminal "
		    "type TERM=%s is unknown here; try TERM=xterm-256color or "
		    "TERM=vt100\n", getenv("TERM") ? getenv("TERM") : "(unset)");
		shiftlog_close(c.sl);
		return 2;
	}
	curses_on = 1;
	/* raw: ^C, ^Z and ^S are keys (for the terminal pane's shell), not
	 * signals to the console. */
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	/* nodelay: on_input runs when poll says a key is there, and reads
	 * until there is none, so the frame follows the last key at once.
	 * A key's bytes (a UTF-8 character, an escape sequence) come in one
	 * write from the terminal and one SSH packet; ncurses waits
	 * ESCDELAY for the rest of an escape sequence in any case. */
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	if (!o->no_mouse)
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED, NULL);
	draw_init(c.color, c.ascii);
	body_window(&c);

	c.loop = loop_new();
	loop_add_fd(c.loop, STDIN_FILENO, POLLIN, on_input, &c);
	loop_add_signal(c.loop, SIGWINCH, on_winch, &c);
	loop_add_signal(c.loop, SIGHUP, on_hangup, &c);
	loop_add_signal(c.loop, SIGTERM, on_term, &c);
	loop_add_signal(c.loop, SIGINT, on_term, &c);
	signal(SIGPIPE, SIG_IGN);
	loop_before_sleep(c.loop, before_sleep, &c);
	arm_poll(&c);
	console_push(&c, &screen_dashboard);
	if (o->read_only)
		console_status(&c, "read-only: reviewing %s; actions are "
		    "disabled", o->db_path);

	loop_run(c.loop);

	for (i = c.depth - 1; i >= 0; i--) {
		if (c.stack[i].cls->close != NULL)
			c.stack[i].cls->close(c.stack[i].state);
	}
	c.depth = 0;
	if (curses_on) {
		delwin(c.body);
		restore_terminal();
	}
	loop_free(c.loop);
	shiftlog_close(c.sl);
	shiftlog_close(c.wsl);
	return c.exit_code;
}
