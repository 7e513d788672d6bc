/*
 * daemon: mcrd, the scheduler. One per shift log (a lock file beside it).
 * It runs queued jobs by priority and dependencies on a bounded number of
 * mcr-worker processes, acts on operators' requests, recovers after a
 * crash, queues storage samples on a timer, and is the only writer of job
 * state.
 */
#ifndef MCR_DAEMON_H
#define MCR_DAEMON_H

#include <stdbool.h>
#include <sys/types.h>

struct daemon_opts {
	const char *db_path;		/* the shift log */
	const char *config_path;	/* --config, or NULL */
	bool foreground;		/* -f: stay attached, log to stderr */
	bool create_dir;		/* the per-user default path */
};

/* Runs mcrd; returns an exit status. In the background it returns in the
 * parent once the daemon holds its lock (0) or failed to start (2). */
int daemon_main(const struct daemon_opts *o);

/* The lock file of the shift log at db_path (a new string). */
char *daemon_lock_path(const char *db_path);
/* The pid of the mcrd that holds db_path's lock, or 0 when none runs. */
pid_t daemon_running(const char *db_path);
/* Starts mcrd in the background for db_path unless one runs; returns 0,
 * or -1 with one sentence in err. */
int daemon_ensure(const char *db_path, const char *config_path,
    bool create_dir, char *err, size_t errlen);

#endif
