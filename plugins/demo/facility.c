/*
 * demo: the plugin that lays out the demo facility mcr runs on when it has
 * no config: four volumes as folders, a watch folder, and short clips made
 * with the FFmpeg libraries (src/demo.c and src/mediagen.c). The console
 * queues demo.facility on its first start, so that the clips are made by
 * a real job that shows in the Jobs pane, and storage.sample after it.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "demo.h"
#include "mcr-plugin.h"

static int
demo_facility(struct mcr_job *job, const struct mcr_host *host)
{
	const char *root = host->param(job, "root");
	const struct demo_clip *clips;
	char err[512], msg[640];
	size_t n;

	clips = demo_clips(&n);
	host->progress(job, 0, -1, NULL, -1, "making the demo clips");
	host->log(job, "making the demo facility");
	if (demo_create(root, err, sizeof err) < 0) {
		snprintf(msg, sizeof msg, "cannot make the demo facility under "
		    "%s: %s", root, err);
		host->fail(job, msg);
		return MCR_JOB_FAILED;
	}
	host->progress(job, 1, -1, NULL, 0, "demo facility ready");
	snprintf(msg, sizeof msg, "the demo facility is ready under %s: four "
	    "volumes and %zu clips", root, n);
	host->event(job, "notice", "demo.ready", root, msg);
	snprintf(msg, sizeof msg, "{\"clips\": %zu}", n);
	host->result(job, msg);
	(void)clips;
	return MCR_JOB_DONE;
}

static const struct mcr_param demo_params[] = {
	{ .name = "root", .help = "the folder to lay the facility out in",
	    .required = 1 },
	{ NULL }
};

static const struct mcr_kind demo_kinds[] = {
	{
		.name = "demo.facility",
		.summary = "make the demo facility's folders and clips",
		.params = demo_params,
		.retry_safe = 1,
		.run = demo_facility,
	},
	{ NULL }
};

static const struct mcr_plugin demo_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "demo",
	.version = PACKAGE_VERSION,
	.summary = "the demo facility of the embedded default config",
	.kinds = demo_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &demo_plugin;
}
