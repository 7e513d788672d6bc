/*
 * mcr-plugin.h: the plugin ABI, installed for plugin authors.
 *
 * A plugin is a shared object in the plugin folder, one per duty, that
 * exports one symbol, mcr_plugin_entry(), returning a read-only struct
 * mcr_plugin. The struct begins with its own size and the ABI version it
 * was built for; the host copies the part it knows, zero-fills the rest,
 * refuses an ABI version it does not speak or a missing required callback,
 * and says which. Everything a plugin may ask of mcr reaches it through the
 * struct mcr_host table handed to run(): plugins never link against the
 * daemon and never open the shift log.
 *
 * A job kind is named "PLUGIN.verb" ("storage.sample"). run() is called in
 * an mcr-worker process of its own (or in the mcr CLI for verbs that need
 * no daemon) and returns MCR_JOB_DONE, MCR_JOB_FAILED (after host->fail()
 * said why), MCR_JOB_REFUSED (a failure that a retry would only repeat) or
 * MCR_JOB_CANCELLED (after host->cancelled() turned true).
 * A crash costs that one job, nothing else.
 */
#ifndef MCR_PLUGIN_H
#define MCR_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#define MCR_PLUGIN_ABI_VERSION 1
#define MCR_PLUGIN_ENTRY_SYMBOL "mcr_plugin_entry"

struct mcr_job;		/* one running job; opaque */
struct mcr_host;

enum mcr_job_result {
	MCR_JOB_DONE = 0,
	MCR_JOB_FAILED = 1,
	MCR_JOB_CANCELLED = 2,
	/* Failed, after host->fail() said why, in a way that running the
	 * same job again would only repeat (bad input, a wrong host key, a
	 * refused login): mcrd does not retry it. */
	MCR_JOB_REFUSED = 3,
};

/* A parameter of a job kind: `mcr submit KIND name=value`. */
struct mcr_param {
	const char *name;
	const char *help;	/* one line, shown by `mcr plugins` */
	int required;
};

struct mcr_kind {
	const char *name;		/* "PLUGIN.verb" */
	const char *summary;		/* one line */
	const struct mcr_param *params;	/* ends with { NULL }; may be NULL */
	int retry_safe;			/* may run again after a crash */
	int (*run)(struct mcr_job *job, const struct mcr_host *host);
};

/* A configured volume ([volume NAME] in mcr.ini). */
struct mcr_volume {
	const char *name;
	const char *path;
	const char *role;	/* production, nearline, archive, delivery */
	double warn;		/* used fraction that warns, 0..1 */
	double crit;		/* used fraction that is critical, 0..1 */
};

/* What the host offers a running job. Every function is safe to call from
 * run()'s thread; strings passed in are copied before the call returns. */
struct mcr_host {
	uint32_t size;
	uint32_t abi_version;

	/* A parameter's value, or NULL when it was not given. */
	const char *(*param)(struct mcr_job *job, const char *name);
	int64_t (*job_id)(struct mcr_job *job);
	/* fraction 0..1 (or < 0 when unknown), rate in rate_unit per second
	 * (< 0 unknown), eta in seconds (< 0 unknown), subject may be NULL.
	 * Cheap: the host passes on at most a few updates a second. */
	void (*progress)(struct mcr_job *job, double fraction, double rate,
	    const char *rate_unit, double eta, const char *subject);
	/* A live meter value, updated in place ("momentary", -23.1, "LUFS"). */
	void (*meter)(struct mcr_job *job, const char *name, double value,
	    const char *unit);
	/* A finding: severity info|warning|error, a short code ("black"),
	 * where (timecode, byte offset, path; may be NULL), one sentence. */
	void (*finding)(struct mcr_job *job, const char *severity,
	    const char *code, const char *position, const char *message);
	/* An event for the shift log; severity as in mcr(1). */
	void (*event)(struct mcr_job *job, const char *severity,
	    const char *kind, const char *subject, const char *message);
	/* A measurement kept as history: series "storage.volume", key the
	 * volume's name, data a JSON object. */
	void (*sample)(struct mcr_job *job, const char *series,
	    const char *key, const char *json);
	/* Small persistent state of this plugin, kept by the host between
	 * jobs (e.g. a volume's last alarm level). get returns NULL when
	 * unset; set with value NULL removes the key. */
	const char *(*state_get)(struct mcr_job *job, const char *key);
	void (*state_set)(struct mcr_job *job, const char *key,
	    const char *value);
	/* Nonzero once the operator cancelled the job: stop soon, tidy up,
	 * return MCR_JOB_CANCELLED. */
	int (*cancelled)(struct mcr_job *job);
	/* Nonzero when path lies inside a configured volume (the path
	 * guard); a plugin writes nowhere else. */
	int (*path_allowed)(struct mcr_job *job, const char *path,
	    int for_write);
	/* The configured volumes; returns how many. */
	size_t (*volumes)(struct mcr_job *job, const struct mcr_volume **out);
	/* The one sentence that says why the job failed. */
	void (*fail)(struct mcr_job *job, const char *message);
	/* The job's structured result, a JSON object. */
	void (*result)(struct mcr_job *job, const char *json);
	/* A line for the job's own log (`mcr job log ID`). */
	void (*log)(struct mcr_job *job, const char *message);
	/* A structured row for the shift log, data a JSON object. type names
	 * what it is ("media" for a catalogue entry, "qc.report", ...); the
	 * shift log files the types it knows into their own tables and keeps
	 * every other type in its generic records table. Check size before
	 * calling: hosts older than this member do not have it. */
	void (*record)(struct mcr_job *job, const char *type,
	    const char *data);
};

struct mcr_plugin {
	uint32_t size;		/* sizeof (struct mcr_plugin) as built */
	uint32_t abi_version;	/* MCR_PLUGIN_ABI_VERSION */
	const char *name;	/* the prefix of its kinds, and its file name */
	const char *version;
	const char *summary;
	/* Optional: the [NAME] section of mcr.ini; return 0, or -1 with one
	 * sentence in err. */
	int (*config)(const char *key, const char *value, char *err,
	    size_t errlen);
	const struct mcr_kind *kinds;	/* ends with { NULL }; required */
};

/* The one symbol a plugin exports. */
const struct mcr_plugin *mcr_plugin_entry(void);

#endif
