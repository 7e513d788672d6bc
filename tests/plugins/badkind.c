/*
 * badkind: a refusal fixture. Its kind "wrong.thing" does not carry the
 * plugin's name as its prefix, so the loader must refuse it and name the
 * kind.
 */
#include "autoconfig.h"

#include <stddef.h>

#include "mcr-plugin.h"

static int
badkind_run(struct mcr_job *job, const struct mcr_host *host)
{
	return MCR_JOB_DONE;
}

static const struct mcr_kind badkind_kinds[] = {
	{ .name = "wrong.thing", .summary = "never runs", .run = badkind_run },
	{ NULL }
};

static const struct mcr_plugin badkind_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "badkind",
	.version = PACKAGE_VERSION,
	.kinds = badkind_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &badkind_plugin;
}
