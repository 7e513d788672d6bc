/*
 * loop: one poll() loop per process (redis ae.c, tmux proc.c): file
 * descriptors, monotonic timers, signals turned into loop events through a
 * self-pipe, and a hook that runs before each sleep. Callbacks never block.
 */
#ifndef MCR_LOOP_H
#define MCR_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

typedef void (*loop_fd_cb)(int fd, short revents, void *arg);
typedef void (*loop_cb)(void *arg);
typedef void (*loop_signal_cb)(int sig, void *arg);

struct loop *loop_new(void);
void loop_free(struct loop *l);

/* Watches fd for events (POLLIN, POLLOUT); one callback per fd. */
void loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb,
    void *arg);
void loop_del_fd(struct loop *l, int fd);
/* Calls cb after ms milliseconds, and every ms after that when repeat.
 * Returns an id for loop_del_timer(). */
uint64_t loop_add_timer(struct loop *l, int64_t ms, bool repeat, loop_cb cb,
    void *arg);
void loop_del_timer(struct loop *l, uint64_t id);
/* Delivers sig through the loop instead of in a signal handler. */
void loop_add_signal(struct loop *l, int sig, loop_signal_cb cb, void *arg);
void loop_before_sleep(struct loop *l, loop_cb cb, void *arg);

/* Runs until loop_stop(); returns 0, or -errno when poll() failed. */
int loop_run(struct loop *l);
void loop_stop(struct loop *l);
/* Milliseconds on the monotonic clock. */
int64_t loop_now_ms(void);

#endif
