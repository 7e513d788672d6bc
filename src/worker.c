/*
 * mcr-worker: runs one job through one plugin, then exits. mcrd execs it
 * (never a bare fork of a process that holds the shift log), writes the job
 * to its stdin as one JSON document (proto.h), reads its reports from its
 * stdout, and sends its stderr to the job's log file. SIGTERM asks the job
 * to stop: the plugin sees host->cancelled() turn true; mcrd follows with
 * SIGKILL when the grace period runs out. The same binary is what a
 * cluster scheduler would run on another node.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "host.h"
#include "plugin.h"
#include "proto.h"
#include "strutil.h"
#include "xmalloc.h"

static volatile sig_atomic_t cancel_requested;

static void
on_term(int sig)
{
	cancel_requested = 1;
}

/* Reports a failure that happened before the plugin ran, as the job's
 * result, and exits. */
static int __attribute__((noreturn, format(printf, 1, 2)))
refuse(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "mcr-worker: %s\n", msg);
	/* permanent: the same job would be refused again; no retry. */
	proto_write(stdout, PROTO_RESULT, json_pack("{s:s, s:s, s:n, s:b}",
	    "status", "failed", "message", msg, "data", "permanent", 1));
	free(msg);
	exit(0);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	json_error_t jerr;
	json_t *doc, *job, *params, *state, *volumes, *config, *value;
	const char *kind, *dir, *name;
	const struct mcr_kind *k;
	struct plugin *plugin;
	struct config *cfg;
	struct mcr_job *ctx;
	const char **names;
	char err[640], *path, *pname;
	size_t i, n;
	json_int_t id;
	int rc;

	setlocale(LC_ALL, "");
	/* Records leave in bursts (host.c); every other report is flushed
	 * as it is written. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		printf("Usage: mcr-worker < JOB.json\n"
		    "Runs one mcr job through its plugin and reports on stdout "
		    "in the worker\nprotocol. mcrd starts it; operators use "
		    "'mcr submit' instead.\n");
		return 0;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	doc = json_loadf(stdin, 0, &jerr);
	if (doc == NULL)
		refuse("the job on stdin is not JSON: %s (line %d)", jerr.text,
		    jerr.line);
	if (json_integer_value(json_object_get(doc, "protocol")) !=
	    PROTO_VERSION)
		refuse("the job speaks another worker protocol; this worker "
		    "speaks %d", PROTO_VERSION);
	job = json_object_get(doc, "job");
	kind = json_string_value(json_object_get(job, "kind"));
	id = json_integer_value(json_object_get(job, "id"));
	params = json_object_get(job, "params");
	dir = json_string_value(json_object_get(doc, "plugin_dir"));
	volumes = json_object_get(doc, "volumes");
	config = json_object_get(doc, "config");
	state = json_object_get(doc, "state");
	if (kind == NULL || strchr(kind, '.') == NULL || id <= 0 ||
	    !json_is_object(params) || dir == NULL)
		refuse("the job on stdin lacks its id, kind, params or "
		    "plugin_dir");
	state = json_is_object(state) ? json_deep_copy(state) : json_object();

	pname = xstrdup(kind);
	pname[strcspn(pname, ".")] = '\0';
	path = xasprintf("%s/%s.so", dir, pname);
	if (plugin_load(path, &plugin, err, sizeof err) < 0)
		refuse("%s", err);
	free(path);

	/* The config mcrd runs on, not the files as they are now. */
	cfg = config_new();
	json_array_foreach(volumes, i, value) {
		const char *vname = json_string_value(json_object_get(value,
		    "name"));
		const char *vpath = json_string_value(json_object_get(value,
		    "path"));
		const char *role = json_string_value(json_object_get(value,
		    "role"));

		if (vname == NULL || vpath == NULL || role == NULL)
			refuse("a volume in the job lacks its name, path or "
			    "role");
		config_add_volume(cfg, vname, vpath, role,
		    json_number_value(json_object_get(value, "warn")),
		    json_number_value(json_object_get(value, "crit")));
	}
	json_array_foreach(config, i, value) {
		const char *key = json_string_value(json_array_get(value, 0));
		const char *val = json_string_value(json_array_get(value, 1));

		if (key == NULL || val == NULL || plugin->desc.config == NULL)
			refuse("the job carries config for plugin %s that it "
			    "cannot take", plugin->desc.name);
		if (plugin->desc.config(key, val, err, sizeof err) < 0)
			refuse("[%s] %s", plugin->desc.name, err);
	}

	k = plugin_find_kind(&(struct plugin_set){ .v = &plugin, .n = 1 },
	    kind, NULL);
	if (k == NULL)
		refuse("plugin %s has no job kind %s", plugin->desc.name, kind);
	n = json_object_size(params);
	names = xcalloc(n + 1, sizeof *names);
	i = 0;
	json_object_foreach(params, name, value) {
		if (!json_is_string(value))
			refuse("parameter %s of job %lld is not a string", name,
			    (long long)id);
		names[i++] = name;
	}
	if (plugin_check_params(k, names, n, err, sizeof err) < 0)
		refuse("%s", err);
	free(names);

	ctx = host_job_new(id, kind, params, state, cfg, stdout,
	    &cancel_requested);
	fprintf(stderr, "mcr-worker: job %lld, %s, plugin %s %s\n",
	    (long long)id, kind, plugin->desc.name,
	    plugin->desc.version != NULL ? plugin->desc.version : "");
	fflush(stderr);
	rc = k->run(ctx, host_table());
	if (rc == MCR_JOB_DONE && cancel_requested)
		fprintf(stderr, "mcr-worker: cancelled, but the plugin "
		    "finished the job first\n");
	rc = host_job_finish(ctx, rc) < 0 ? 1 : 0;
	host_job_free(ctx);
	json_decref(state);
	json_decref(doc);
	config_free(cfg);
	free(pname);
	plugin_unload(plugin);
	return rc;
}
