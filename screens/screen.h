/*
 * screen: one console screen is a const table of callbacks (tmux struct
 * window_mode, htop PanelClass). The console calls fetch() when the shift
 * log changed (or on request), draw() once per loop turn when something is
 * dirty, and key() for each key; key() returns what should happen next and
 * the console acts on it (htop ScreenManager_run).
 */
#ifndef MCR_SCREEN_H
#define MCR_SCREEN_H

#include <curses.h>
#include <stdbool.h>

struct console;

/* Keys reach screens as ints: a character as its Unicode code point, a
 * function key (KEY_UP, KEY_F(1), KEY_MOUSE, ...) as SCREEN_KEY(code),
 * above every code point, so that typing U+0101 is never KEY_BREAK. */
#define SCREEN_KEY(code) (0x110000 + (code))
#define SCREEN_CTRL(c) ((c) & 0x1f)

enum screen_key {
	SCREEN_KEY_UNHANDLED,	/* the console tries its global keys */
	SCREEN_KEY_HANDLED,	/* nothing to redraw */
	SCREEN_KEY_REDRAW,	/* redraw this screen */
	SCREEN_KEY_POP,		/* close this screen */
	SCREEN_KEY_QUIT,	/* quit the console (it may ask first) */
};

/* One line of the help screen: the key as written, and what it does. */
struct screen_keyhelp {
	const char *key;
	const char *what;
};

struct screen_class {
	const char *name;	/* ":name" opens it */
	const char *title;	/* shown in the top line */
	/* Makes the screen's state; the console frees it with close(). */
	void *(*open)(struct console *c);
	void (*close)(void *state);
	/* Reads what the screen shows from the shift log; 0 or -1. */
	int (*fetch)(void *state, struct console *c);
	/* Draws into win, which spans the screen's area. */
	void (*draw)(void *state, struct console *c, WINDOW *win);
	enum screen_key (*key)(void *state, struct console *c, int ch);
	/* Optional: a mouse click at (y, x) inside win. */
	enum screen_key (*click)(void *state, struct console *c, int y, int x);
	/* Optional: the window changed size. */
	void (*resize)(void *state, struct console *c, int rows, int cols);
	/* Optional: true while the screen takes every key itself (the
	 * terminal pane); only F12 reaches the console then. */
	bool (*grabs_keys)(void *state);
	const struct screen_keyhelp *keys;	/* ends with { NULL } */
};

extern const struct screen_class screen_dashboard;
extern const struct screen_class screen_jobs;
extern const struct screen_class screen_storage;
extern const struct screen_class screen_transfers;
extern const struct screen_class screen_qc;
extern const struct screen_class screen_log;
extern const struct screen_class screen_terminal;
extern const struct screen_class screen_help;
extern const struct screen_class screen_handover;
extern const struct screen_class screen_assets;

/* True while the terminal pane's shell (its state) still runs. */
bool terminal_shell_running(void *state);

#endif
