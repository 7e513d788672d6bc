/*
 * cmd: what every `mcr VERB` shares: the verb table entry, the options all
 * verbs take (--db, --config, --read-only, --help), opening the config and
 * the shift log once, and printing events as text or JSON.
 */
#ifndef MCR_CMD_H
#define MCR_CMD_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config;
struct plugin_set;
struct shiftlog;
struct shiftlog_event;

/* Exit codes, as mcr(1) documents them. */
enum {
	CMD_EXIT_OK = 0,
	CMD_EXIT_CHECK_FAILED = 1,	/* the check ran and found a problem */
	CMD_EXIT_ERROR = 2,		/* it could not be done */
};

struct cmd_ctx {
	const char *verb;		/* "log", for messages */
	const char *db_path;		/* --db */
	const char *config_path;	/* --config */
	bool read_only;			/* --read-only */
	bool only_existing;		/* a reading verb: never create a
					 * shift log at a path someone typed */
	bool no_daemon;			/* --no-daemon */
	bool need_plugins;		/* load them (submit, plugins, the
					 * console); others only note their
					 * names, to accept their sections */
	struct config *cfg;		/* after cmd_config() */
	struct shiftlog *sl;		/* after cmd_shiftlog() */
	char *sl_path;			/* the shift log's path */
	bool sl_default;		/* it is the per-user default */
	struct plugin_set *plugins;	/* after cmd_config() */
};

struct cmd_entry {
	const char *name;
	const char *summary;	/* one line for `mcr --help` */
	int (*exec)(struct cmd_ctx *ctx, int argc, char **argv);
};

/* Long options every verb takes; end a verb's table with these. */
enum { CMD_OPT_DB = 0x100, CMD_OPT_CONFIG, CMD_OPT_READ_ONLY, CMD_OPT_JSON,
	CMD_OPT_NO_DAEMON, CMD_OPT_VERB };
#define CMD_COMMON_OPTIONS \
	{ "db", required_argument, NULL, CMD_OPT_DB }, \
	{ "config", required_argument, NULL, CMD_OPT_CONFIG }, \
	{ "read-only", no_argument, NULL, CMD_OPT_READ_ONLY }, \
	{ "help", no_argument, NULL, 'h' }, \
	{ NULL, 0, NULL, 0 }

/* The common options' help lines; cmd_common_help is the same under a
 * heading of its own, for the end of a verb's --help. */
extern const char cmd_common_options[];
extern const char cmd_common_help[];

/* Runs getopt_long over a verb's argv, handling the common options itself;
 * returns the next verb-specific option, -1 at the end, or '?' after
 * printing a usage error. */
int cmd_getopt(struct cmd_ctx *ctx, int argc, char **argv,
    const char *shortopts, const struct option *longopts);
/* Prints "mcr VERB: message; see 'mcr VERB --help'" and returns
 * CMD_EXIT_ERROR. */
int cmd_usage_error(const struct cmd_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prints "mcr: message" and returns CMD_EXIT_ERROR. */
int cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the config layers once; returns 0 or prints the error and returns
 * CMD_EXIT_ERROR. */
int cmd_config(struct cmd_ctx *ctx);
/* Opens the shift log the options and config select (loading the config
 * first); returns 0 or prints the error and returns CMD_EXIT_ERROR. */
int cmd_shiftlog(struct cmd_ctx *ctx);
void cmd_ctx_free(struct cmd_ctx *ctx);

/* One event as a JSON object with the keys mcr(1) documents. */
json_t *cmd_event_json(const struct shiftlog_event *ev);
/* Writes s with control characters shown as \n, \t or \xNN, so text that
 * came from anywhere cannot drive the terminal. */
void cmd_print_safe(FILE *f, const char *s);
/* One event as one line of text, local time. */
void cmd_event_print(FILE *f, const struct shiftlog_event *ev);
/* Prints a JSON document to stdout followed by a newline; takes ownership
 * of doc. Returns 0, or CMD_EXIT_ERROR when stdout failed. */
int cmd_json_print(json_t *doc);

/* Starts mcrd for the shift log unless one runs or --no-daemon; returns 0
 * or prints why not and returns CMD_EXIT_ERROR. Call after cmd_shiftlog. */
int cmd_daemon_ensure(struct cmd_ctx *ctx);

int cmd_asset(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_conform(struct cmd_ctx *ctx, int argc, char **argv);
/* Follows job id until it ends (after mcrd handled request, when not 0);
 * returns the exit status for its outcome (quiet: no state lines). */
int cmd_wait_job(struct cmd_ctx *ctx, int64_t id, int64_t request,
    bool quiet);

int cmd_deliver(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_destinations(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_receive(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_daemon(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_job(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_jobs(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_plugins(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_profiles(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_submit(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_tc(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_ingest(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_media(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_verify(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_transcode(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_log(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_note(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_status(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_shift(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_incident(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_handover(struct cmd_ctx *ctx, int argc, char **argv);

/* --- storage (cmd-storage.c, cmd-delete.c, cmd-access.c, cmd-backup.c) */
struct config_volume;
/* The configured volume that holds path (resolved with realpath): 0 with
 * *vol, *abs (the real path) and *rel (relative to the volume, "" for its
 * root) set; 1 when it lies in no volume (*abs set); -errno when path
 * cannot be resolved. Free *abs and *rel. */
int cmd_storage_locate(const struct config *cfg, const char *path,
    const struct config_volume **vol, char **abs, char **rel);
int cmd_storage(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_delete(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_undelete(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_access(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_backup_shiftlog(struct cmd_ctx *ctx, int argc, char **argv);
/* cmd-archive.c */
int cmd_archive(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_restore(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_qc(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_monitor(struct cmd_ctx *ctx, int argc, char **argv);

#endif
