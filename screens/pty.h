/*
 * pty: a child process on a pseudo-terminal, for the terminal pane. The
 * console's loop reads the master side; the child gets the slave as its
 * controlling terminal in a session of its own.
 */
#ifndef MCR_PTY_H
#define MCR_PTY_H

#include <sys/types.h>

/* Runs argv (NULL: $SHELL, else /bin/sh) on a new rows x cols pty with
 * TERM=xterm-256color. On success *pid is the child, *master the pty's
 * master side (non-blocking, close-on-exec; the caller closes it) and 0
 * is returned; else -errno, also when argv[0] could not be run. */
int pty_spawn(const char *const argv[], int rows, int cols, pid_t *pid,
    int *master);
/* Sets the pty's size; the kernel sends SIGWINCH to the child's
 * foreground process group. 0 or -errno. */
int pty_resize(int fd, int rows, int cols);
/* The shell pty_spawn() runs when argv is NULL. */
const char *pty_shell(void);

#endif
