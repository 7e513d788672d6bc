/*
 * loop: poll() over a small array of descriptors, a short list of timers
 * scanned linearly (a process here has a handful), and a self-pipe that
 * signal handlers write the signal number into. The poll timeout is the
 * time to the nearest timer, so an idle process sleeps until it has work.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "xmalloc.h"

struct watch {
	int fd;
	short events;
	loop_fd_cb cb;
	void *arg;
};

struct timer {
	uint64_t id;
	int64_t due, every;	/* ms; every 0: once */
	loop_cb cb;
	void *arg;
};

struct loop {
	struct watch *watches;
	size_t nwatches;
	struct timer *timers;
	size_t ntimers;
	uint64_t next_id;
	struct {
		loop_signal_cb cb;
		void *arg;
	} signals[65];
	loop_cb before;
	void *before_arg;
	bool stop;
};

static int sigpipe_fds[2] = { -1, -1 };

int64_t
loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char b = (unsigned char)sig;

	if (write(sigpipe_fds[1], &b, 1) < 0) {
		/* The pipe is full: the loop has signals to read already. */
	}
	errno = saved;
}

static void
read_signals(int fd, short revents, void *arg)
{
	struct loop *l = arg;
	unsigned char buf[64];
	ssize_t n, i;

	while ((n = read(fd, buf, sizeof buf)) > 0) {
		for (i = 0; i < n; i++) {
			if (buf[i] < 65 && l->signals[buf[i]].cb != NULL)
				l->signals[buf[i]].cb(buf[i],
				    l->signals[buf[i]].arg);
		}
	}
}

struct loop *
loop_new(void)
{
	return xcalloc(1, sizeof(struct loop));
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	free(l->watches);
	free(l->timers);
	free(l);
}

void
loop_add_fd(struct loop *l, int fd, short events, loop_fd_cb cb, void *arg)
{
	loop_del_fd(l, fd);
	l->watches = xrealloc(l->watches,
	    (l->nwatches + 1) * sizeof *l->watches);
	l->watches[l->nwatches++] = (struct watch){ fd, events, cb, arg };
}

void
loop_del_fd(struct loop *l, int fd)
{
	size_t i;

	for (i = 0; i < l->nwatches; i++) {
		if (l->watches[i].fd == fd) {
			l->watches[i] = l->watches[--l->nwatches];
			return;
		}
	}
}

uint64_t
loop_add_timer(struct loop *l, int64_t ms, bool repeat, loop_cb cb, void *arg)
{
	struct timer *t;

	l->timers = xrealloc(l->timers, (l->ntimers + 1) * sizeof *l->timers);
	t = &l->timers[l->ntimers++];
	t->id = ++l->next_id;
	t->due = loop_now_ms() + ms;
	t->every = repeat ? (ms > 0 ? ms : 1) : 0;
	t->cb = cb;
	t->arg = arg;
	return t->id;
}

void
loop_del_timer(struct loop *l, uint64_t id)
{
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		if (l->timers[i].id == id) {
			l->timers[i] = l->timers[--l->ntimers];
			return;
		}
	}
}

void
loop_add_signal(struct loop *l, int sig, loop_signal_cb cb, void *arg)
{
	struct sigaction sa;

	if (sigpipe_fds[0] < 0) {
		if (pipe2(sigpipe_fds, O_CLOEXEC | O_NONBLOCK) != 0)
			fatal("cannot make the signal pipe: %s",
			    strerror(errno));
	}
	loop_add_fd(l, sigpipe_fds[0], POLLIN, read_signals, l);
	l->signals[sig].cb = cb;
	l->signals[sig].arg = arg;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

void
loop_before_sleep(struct loop *l, loop_cb cb, void *arg)
{
	l->before = cb;
	l->before_arg = arg;
}

void
loop_stop(struct loop *l)
{
	l->stop = true;
}

/* Runs the timers that are due; returns ms to the next one, or -1. */
static int
run_timers(struct loop *l)
{
	int64_t now = loop_now_ms(), next = -1;
	size_t i;

	for (i = 0; i < l->ntimers; i++) {
		struct timer *t = &l->timers[i];

		if (t->due > now)
			continue;
		{
			loop_cb cb = t->cb;
			void *arg = t->arg;
			uint64_t id = t->id;

			if (t->every > 0)
				t->due = now + t->every;
			else {
				loop_del_timer(l, id);
				i--;
			}
			cb(arg);
			if (l->stop)
				return 0;
		}
		/* cb may have added or removed timers: rescan. */
		i = (size_t)-1;
		now = loop_now_ms();
	}
	for (i = 0; i < l->ntimers; i++) {
		int64_t d = l->timers[i].due - now;

		if (next < 0 || d < next)
			next = d < 0 ? 0 : d;
	}
	return next > 60000 ? 60000 : (int)next;
}

int
loop_run(struct loop *l)
{
	struct pollfd *pfd = NULL;
	size_t i, n;
	int timeout, rc;

	l->stop = false;
	while (!l->stop) {
		timeout = run_timers(l);
		if (l->stop)
			break;
		if (l->before != NULL)
			l->before(l->before_arg);
		n = l->nwatches;
		pfd = xrealloc(pfd, (n + 1) * sizeof *pfd);
		for (i = 0; i < n; i++) {
			pfd[i].fd = l->watches[i].fd;
			pfd[i].events = l->watches[i].events;
			pfd[i].revents = 0;
		}
		rc = poll(pfd, n, timeout);
		if (rc < 0 && errno != EINTR) {
			rc = -errno;
			free(pfd);
			return rc;
		}
		for (i = 0; rc > 0 && i < n && !l->stop; i++) {
			size_t j;

			if (pfd[i].revents == 0)
				continue;
			/* Look the watch up again: a callback may have
			 * removed it. */
			for (j = 0; j < l->nwatches; j++) {
				if (l->watches[j].fd == pfd[i].fd) {
					l->watches[j].cb(pfd[i].fd,
					    pfd[i].revents, l->watches[j].arg);
					break;
				}
			}
		}
	}
	free(pfd);
	return 0;
}
