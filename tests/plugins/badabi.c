/*
 * badabi: a refusal fixture. It claims plugin ABI 99, which no mcr
 * speaks, so the loader must refuse it and say to rebuild it.
 */
#include "autoconfig.h"

#include <stddef.h>

#include "mcr-plugin.h"

static int
badabi_run(struct mcr_job *job, const struct mcr_host *host)
{
	return MCR_JOB_DONE;
}

static const struct mcr_kind badabi_kinds[] = {
	{ .name = "badabi.run", .summary = "never runs", .run = badabi_run },
	{ NULL }
};

static const struct mcr_plugin badabi_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = 99,
	.name = "badabi",
	.version = PACKAGE_VERSION,
	.kinds = badabi_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &badabi_plugin;
}
