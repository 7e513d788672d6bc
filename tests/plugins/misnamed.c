/*
 * misnamed: a refusal fixture. It calls itself "other" but is built as
 * misnamed.so, so the loader must refuse it and say what the file should
 * be called.
 */
#include "autoconfig.h"

#include <stddef.h>

#include "mcr-plugin.h"

static int
misnamed_run(struct mcr_job *job, const struct mcr_host *host)
{
	return MCR_JOB_DONE;
}

static const struct mcr_kind misnamed_kinds[] = {
	{ .name = "other.run", .summary = "never runs", .run = misnamed_run },
	{ NULL }
};

static const struct mcr_plugin misnamed_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "other",
	.version = PACKAGE_VERSION,
	.kinds = misnamed_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &misnamed_plugin;
}
