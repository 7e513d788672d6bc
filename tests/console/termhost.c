/*
 * termhost: a stand-in for the console that runs one screen, the terminal
 * (screens/terminal.c), full size between a title line and a status line,
 * on the real loop (src/loop.c), so tests drive the pane, the pty and the
 * screen through ptyterm without the console (collectd's plugin_mock.c).
 * It implements the console functions terminal.c calls and nothing else,
 * and reads keys as the console does (wget_wch, SCREEN_KEY).
 *
 *   termhost [--mono] [--ascii]
 *
 * With TERMHOST_STATS=FILE it writes "draws N ms M" there at the end: how
 * many times it drew and for how long it ran, to check the coalescing.
 */
#include "autoconfig.h"

#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "console.h"
#include "loop.h"
#include "screen.h"

struct console {
	struct loop *loop;
	const struct screen_class *cls;
	void *state;
	WINDOW *win;
	bool dirty, color, ascii;
	char status[256];
	unsigned long draws;
};

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
console_dirty(struct console *c)
{
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

static void
draw(void *arg)
{
	struct console *c = arg;

	if (!c->dirty)
		return;
	c->dirty = false;
	c->draws++;
	move(0, 0);
	clrtoeol();
	attron(A_REVERSE);
	mvaddstr(0, 0, " mcr: ");
	addstr(c->cls->title);
	attroff(A_REVERSE);
	move(LINES - 1, 0);
	clrtoeol();
	mvaddnstr(LINES - 1, 0, c->status, COLS);
	wnoutrefresh(stdscr);
	werase(c->win);
	c->cls->draw(c->state, c, c->win);
	/* The screen's window goes last: the cursor stays where it put it. */
	wnoutrefresh(c->win);
	doupdate();
}

static void
resized(struct console *c)
{
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0)
		resizeterm(ws.ws_row, ws.ws_col);
	wresize(c->win, LINES > 3 ? LINES - 2 : 1, COLS);
	erase();
	if (c->cls->resize != NULL)
		c->cls->resize(c->state, c, getmaxy(c->win), getmaxx(c->win));
	c->dirty = true;
}

static void
on_winch(int sig, void *arg)
{
	resized(arg);
}

/* Keys as the console reads them: wget_wch(), and SCREEN_KEY(code) for
 * function keys. */
static void
on_keys(int fd, short revents, void *arg)
{
	struct console *c = arg;
	wint_t wch;
	int r, ch;

	while ((r = wget_wch(c->win, &wch)) != ERR) {
		if (r == KEY_CODE_YES && wch == KEY_RESIZE) {
			/* resizeterm() in on_winch() queued it: done. */
			c->dirty = true;
			continue;
		}
		ch = r == KEY_CODE_YES ? SCREEN_KEY((int)wch) : (int)wch;
		if (c->status[0] != '\0') {
			c->status[0] = '\0';
			c->dirty = true;
		}
		switch (c->cls->key(c->state, c, ch)) {
		case SCREEN_KEY_POP:
		case SCREEN_KEY_QUIT:
			loop_stop(c->loop);
			return;
		case SCREEN_KEY_REDRAW:
			c->dirty = true;
			break;
		default:
			break;
		}
	}
}

int
main(int argc, char **argv)
{
	struct console con;
	const char *stats = getenv("TERMHOST_STATS");
	int64_t start = loop_now_ms();
	FILE *fp;
	int i;

	memset(&con, 0, sizeof con);
	con.color = true;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mono") == 0)
			con.color = false;
		else if (strcmp(argv[i], "--ascii") == 0)
			con.ascii = true;
		else {
			fprintf(stderr, "usage: termhost [--mono] [--ascii]\n");
			return 2;
		}
	}
	setlocale(LC_ALL, "");
	initscr();
	/* raw, not cbreak: Ctrl-C, Ctrl-Z and Ctrl-S are keys for the shell
	 * in the pane, not signals or flow control for this process. */
	raw();
	noecho();
	set_escdelay(25);
	if (con.color && has_colors()) {
		start_color();
		use_default_colors();
	} else
		con.color = false;
	con.win = newwin(LINES > 3 ? LINES - 2 : 1, COLS, 1, 0);
	keypad(con.win, TRUE);
	nodelay(con.win, TRUE);

	con.loop = loop_new();
	con.cls = &screen_terminal;
	con.state = con.cls->open(&con);
	con.dirty = true;
	loop_add_fd(con.loop, STDIN_FILENO, POLLIN, on_keys, &con);
	loop_add_signal(con.loop, SIGWINCH, on_winch, &con);
	loop_before_sleep(con.loop, draw, &con);
	loop_run(con.loop);

	con.cls->close(con.state);
	delwin(con.win);
	endwin();
	loop_free(con.loop);
	if (stats != NULL && (fp = fopen(stats, "w")) != NULL) {
		fprintf(fp, "draws %lu ms %lld\n", con.draws,
		    (long long)(loop_now_ms() - start));
		fclose(fp);
	}
	return 0;
}
