/*
 * console: the ncurses console — `mcr` with no verb. It owns the terminal,
 * the event loop, the shift log (opened read-only for reading; requests go
 * through a separate short write), the stack of screens, the status line
 * and the ':' command line. Screens (screen.h) see the console only
 * through these functions. ncurses and libvterm are used under screens/
 * and nowhere else.
 */
#ifndef MCR_CONSOLE_H
#define MCR_CONSOLE_H

#include <stdbool.h>
#include <stdint.h>

struct console;
struct shiftlog;
struct config;
struct screen_class;
struct plugin_set;

struct console_opts {
	const char *db_path;
	const char *config_path;
	struct config *cfg;	/* loaded by the caller; the console keeps it */
	const struct plugin_set *plugins;	/* for checking :submit */
	bool read_only;		/* --read-only: no actions, no daemon */
	bool no_daemon;		/* --no-daemon */
	bool no_mouse;		/* --no-mouse */
	bool mono;		/* -C: no colour */
	bool demo;		/* the embedded default: make the demo */
};

/* Runs the console until the operator quits; returns an exit status. */
int console_main(const struct console_opts *o);

/* For screens. */
struct shiftlog *console_shiftlog(struct console *c);
const struct config *console_config(struct console *c);
const char *console_shiftlog_path(struct console *c);
bool console_read_only(struct console *c);
bool console_ascii(struct console *c);	/* no UTF-8 or line drawing */
bool console_color(struct console *c);	/* colour is allowed */
/* One sentence on the status line until the next key. */
void console_status(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Asks "question (y/n)" on the status line; calls yes(arg) on 'y'. */
void console_confirm(struct console *c, const char *question,
    void (*yes)(struct console *, void *), void *arg);
/* Redraw on the next loop turn. */
void console_dirty(struct console *c);
/* Re-fetch from the shift log on the next loop turn even if it did not
 * change (after an action). */
void console_refetch(struct console *c);
/* Live data wanted: poll at 10 Hz instead of 1-2 Hz while true. */
void console_live(struct console *c, bool live);
/* Opens the screen class on top; Esc pops it. */
void console_push(struct console *c, const struct screen_class *cls);
void console_pop(struct console *c);
/* The screen on top (help asks, before it is pushed, what it describes). */
const struct screen_class *console_below(struct console *c);
/* Watches fd in the console's loop (the terminal pane's pty). */
void console_watch_fd(struct console *c, int fd,
    void (*cb)(int fd, short revents, void *arg), void *arg);
void console_unwatch_fd(struct console *c, int fd);
/* A one-shot timer; returns its id. */
uint64_t console_timer(struct console *c, int64_t ms, void (*cb)(void *),
    void *arg);
void console_cancel_timer(struct console *c, uint64_t id);
/* Files a request (cancel, pause, resume, retry, priority) for mcrd;
 * returns 0 or -1 after saying why on the status line. */
int console_request(struct console *c, int64_t job, const char *action,
    int64_t value);
/* Reads a line on the status line ("Filter: ..."); calls done(text, arg)
 * on Enter, nothing on Esc. */
void console_prompt(struct console *c, const char *label, const char *initial,
    void (*done)(struct console *, const char *text, void *), void *arg);
/* Runs a ':' command as if typed ("jobs", "note TEXT", "submit ..."). */
void console_command(struct console *c, const char *line);

#endif
