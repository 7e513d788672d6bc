/*
 * terminal: the operator's own shell in a pane (":term"). The shell runs on
 * a pty (pty.c) whose master the console's loop watches; what it prints
 * goes into the pane (termpane.c), and the first output after a quiet
 * spell starts a 10 ms timer that asks the console for one redraw, so a
 * burst of output costs one draw per 10 ms (neovim terminal.c). Keys go
 * the other way through the pane to the pty. When the shell exits the pane
 * says so, and the next key closes the screen; closing it earlier hangs
 * the shell up.
 */
#include "autoconfig.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"
#include "pty.h"
#include "screen.h"
#include "strutil.h"
#include "termpane.h"
#include "xmalloc.h"

#define TERM_SCROLLBACK 2000	/* lines kept above the screen */
#define TERM_REDRAW_MS 10	/* coalesce output for this long */
#define TERM_READ_MAX 65536	/* bytes read per wakeup: others get a turn */
#define TERM_PENDING_MAX (1 << 20)	/* keys queued while the pty is full */

struct term {
	struct console *c;
	struct termpane *tp;
	pid_t pid;		/* -1 once reaped */
	int fd;			/* the pty master; -1 once closed */
	uint64_t redraw_timer, reap_timer, write_timer;
	bool exited;		/* the "press any key" message is shown */

	/* Bytes for the shell that the pty did not take yet. */
	char *pending;
	size_t npending;
};

static void term_reap(void *arg);

bool
terminal_shell_running(void *state)
{
	const struct term *t = state;

	return t != NULL && t->pid != -1 && !t->exited;
}

static void
term_cancel(struct term *t, uint64_t *timer)
{
	if (*timer != 0) {
		console_cancel_timer(t->c, *timer);
		*timer = 0;
	}
}

/* Writes what is pending; what the pty does not take waits for a timer,
 * as the console watches fds for reading only. */
static void
term_flush(struct term *t)
{
	ssize_t n;

	while (t->npending > 0 && t->fd != -1) {
		n = write(t->fd, t->pending, t->npending);
		if (n > 0) {
			memmove(t->pending, t->pending + n,
			    t->npending - (size_t)n);
			t->npending -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno != EAGAIN)
			t->npending = 0;	/* the shell is gone */
		break;
	}
}

static void
term_write_later(void *arg)
{
	struct term *t = arg;

	t->write_timer = 0;
	term_flush(t);
	if (t->npending > 0)
		t->write_timer = console_timer(t->c, TERM_REDRAW_MS,
		    term_write_later, t);
}

/* termpane callbacks. */

static void
term_cb_write(const char *buf, size_t n, void *arg)
{
	struct term *t = arg;

	if (t->fd == -1 || t->exited)
		return;
	if (t->npending + n > TERM_PENDING_MAX)
		return;		/* the shell stopped reading: drop keys */
	t->pending = xrealloc(t->pending, t->npending + n);
	memcpy(t->pending + t->npending, buf, n);
	t->npending += n;
	term_flush(t);
	if (t->npending > 0 && t->write_timer == 0)
		t->write_timer = console_timer(t->c, TERM_REDRAW_MS,
		    term_write_later, t);
}

static void
term_cb_resize(int rows, int cols, void *arg)
{
	struct term *t = arg;

	if (t->fd != -1)
		pty_resize(t->fd, rows, cols);
}

/* The pane is going: hang the shell up and reap it. A shell exits on
 * SIGHUP at once; one that does not gets 100 ms, then SIGKILL. */
static void
term_cb_close(void *arg)
{
	struct term *t = arg;
	struct timespec ts = { 0, 10 * 1000 * 1000 };
	int i;

	if (t->fd != -1) {
		console_unwatch_fd(t->c, t->fd);
		close(t->fd);
		t->fd = -1;
	}
	if (t->pid == -1)
		return;
	kill(-t->pid, SIGHUP);
	kill(t->pid, SIGHUP);
	for (i = 0; i < 10; i++) {
		if (waitpid(t->pid, NULL, WNOHANG) != 0)
			goto out;
		nanosleep(&ts, NULL);
	}
	kill(-t->pid, SIGKILL);
	kill(t->pid, SIGKILL);
	while (waitpid(t->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
out:
	t->pid = -1;
}

/* The shell is gone: say so in the pane, which then waits for a key. */
static void
term_exited(struct term *t, int status, bool known)
{
	char msg[128];
	const char *dash = console_ascii(t->c) ? "-" : "\xe2\x80\x94";

	/* On a line of its own, with the child's cursor hidden. */
	if (!known)
		strutil_format(msg, sizeof msg,
		    "\r\n\033[?25l[shell exited %s press any key]", dash);
	else
		strutil_format(msg, sizeof msg, "\r\n\033[?25l"
		    "[shell exited with status %d %s press any key]",
		    status, dash);
	t->exited = true;
	termpane_scroll(t->tp, -termpane_scrolled(t->tp));
	termpane_input(t->tp, msg, strlen(msg));
	console_dirty(t->c);
}

/* Reaps the shell if it exited. While it runs this checks once a second
 * (a child it left in the background may keep the pty open); after the
 * pty hung up, every 20 ms until the exit status is there. */
static void
term_reap(void *arg)
{
	struct term *t = arg;
	int status;
	pid_t r;

	t->reap_timer = 0;
	if (t->pid == -1)
		return;
	r = waitpid(t->pid, &status, WNOHANG);
	if (r == t->pid || (r == -1 && errno == ECHILD)) {
		t->pid = -1;
		if (r == -1)
			term_exited(t, 0, false);
		else if (WIFEXITED(status))
			term_exited(t, WEXITSTATUS(status), true);
		else
			term_exited(t, 128 + WTERMSIG(status), true);
		return;
	}
	t->reap_timer = console_timer(t->c, t->fd == -1 ? 20 : 1000,
	    term_reap, t);
}

static void
term_redraw(void *arg)
{
	struct term *t = arg;

	t->redraw_timer = 0;
	if (termpane_dirty(t->tp))
		console_dirty(t->c);
}

static void
term_read(int fd, short revents, void *arg)
{
	struct term *t = arg;
	char buf[4096];
	size_t total = 0;
	ssize_t n;

	while (total < TERM_READ_MAX) {
		n = read(fd, buf, sizeof buf);
		if (n > 0) {
			termpane_input(t->tp, buf, (size_t)n);
			total += (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			break;
		/* 0 or EIO: every copy of the slave side is closed. */
		console_unwatch_fd(t->c, fd);
		close(fd);
		t->fd = -1;
		t->npending = 0;
		term_cancel(t, &t->write_timer);
		term_cancel(t, &t->reap_timer);
		term_reap(t);
		break;
	}
	if (total > 0 && t->redraw_timer == 0)
		t->redraw_timer = console_timer(t->c, TERM_REDRAW_MS,
		    term_redraw, t);
}

/* The screen. */

static void *
term_open(struct console *c)
{
	struct term *t;
	struct termpane_cb cb;
	int rows, cols, rc;
	char msg[512];

	t = xcalloc(1, sizeof *t);
	t->c = c;
	t->pid = -1;
	t->fd = -1;
	/* The console gives a screen the lines between its top and bottom
	 * lines; draw() corrects this if the window differs. */
	getmaxyx(stdscr, rows, cols);
	rows -= 2;
	memset(&cb, 0, sizeof cb);
	cb.write = term_cb_write;
	cb.resize = term_cb_resize;
	cb.close = term_cb_close;
	cb.arg = t;
	t->tp = termpane_new(rows, cols, TERM_SCROLLBACK, &cb);
	termpane_size(t->tp, &rows, &cols);

	rc = pty_spawn(NULL, rows, cols, &t->pid, &t->fd);
	if (rc != 0) {
		t->pid = -1;
		t->fd = -1;
		console_status(c, "cannot start the shell %s: %s; set SHELL to "
		    "a shell that exists", pty_shell(), strerror(-rc));
		strutil_format(msg, sizeof msg, "cannot start %s: %s\r\n",
		    pty_shell(), strerror(-rc));
		termpane_input(t->tp, msg, strlen(msg));
		term_exited(t, 0, false);
		return t;
	}
	console_watch_fd(c, t->fd, term_read, t);
	t->reap_timer = console_timer(c, 1000, term_reap, t);
	return t;
}

static void
term_close(void *state)
{
	struct term *t = state;

	if (t == NULL)
		return;
	term_cancel(t, &t->redraw_timer);
	term_cancel(t, &t->reap_timer);
	term_cancel(t, &t->write_timer);
	termpane_free(t->tp);	/* hangs up through term_cb_close */
	free(t->pending);
	free(t);
}

static int
term_fetch(void *state, struct console *c)
{
	return 0;		/* nothing here comes from the shift log */
}

static void
term_draw(void *state, struct console *c, WINDOW *win)
{
	struct term *t = state;
	int rows, cols, prow, pcols, crow, ccol;

	getmaxyx(win, rows, cols);
	termpane_size(t->tp, &prow, &pcols);
	if (rows != prow || cols != pcols)
		termpane_resize(t->tp, rows, cols);
	termpane_draw(t->tp, win, console_color(c), console_ascii(c));
	curs_set(termpane_cursor(t->tp, &crow, &ccol) && !t->exited ? 1 : 0);
}

/* Keys come as screen.h has them: a character as its code point, a curses
 * key as SCREEN_KEY(code). */
static enum screen_key
term_key(void *state, struct console *c, int ch)
{
	struct term *t = state;
	int rows, cols;

	if (ch == SCREEN_KEY(KEY_F(12)))
		return SCREEN_KEY_POP;
	if (ch == SCREEN_KEY(KEY_RESIZE) || ch == SCREEN_KEY(KEY_MOUSE))
		return SCREEN_KEY_HANDLED;
	if (t->exited)
		return SCREEN_KEY_POP;
	if (ch == SCREEN_KEY(KEY_SPREVIOUS) || ch == SCREEN_KEY(KEY_SNEXT)) {
		termpane_size(t->tp, &rows, &cols);
		rows = rows > 2 ? rows / 2 : 1;
		termpane_scroll(t->tp,
		    ch == SCREEN_KEY(KEY_SPREVIOUS) ? rows : -rows);
		return SCREEN_KEY_REDRAW;
	}
	/* Any key returns a scrolled view to the live screen. */
	rows = termpane_scrolled(t->tp);
	if (ch >= SCREEN_KEY(0))
		termpane_key(t->tp, ch - SCREEN_KEY(0));
	else if (ch >= 0)
		termpane_wchar(t->tp, (wint_t)ch);
	/* Else the echo brings the redraw. */
	return rows > 0 ? SCREEN_KEY_REDRAW : SCREEN_KEY_HANDLED;
}

static void
term_resize(void *state, struct console *c, int rows, int cols)
{
	struct term *t = state;

	termpane_resize(t->tp, rows, cols);
}

static bool
term_grabs_keys(void *state)
{
	return true;
}

static const struct screen_keyhelp term_keys[] = {
	{ "F12", "back to the console" },
	{ "Shift-PgUp/PgDn", "scroll back" },
	{ "any other key", "goes to the shell" },
	{ NULL, NULL },
};

const struct screen_class screen_terminal = {
	.name = "term",
	.title = "Terminal",
	.open = term_open,
	.close = term_close,
	.fetch = term_fetch,
	.draw = term_draw,
	.key = term_key,
	.resize = term_resize,
	.grabs_keys = term_grabs_keys,
	.keys = term_keys,
};
