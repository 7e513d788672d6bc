/*
 * norun: a refusal fixture. Its one kind has no run callback, so the
 * loader must refuse it and name the kind.
 */
#include "autoconfig.h"

#include <stddef.h>

#include "mcr-plugin.h"

static const struct mcr_kind norun_kinds[] = {
	{ .name = "norun.thing", .summary = "cannot run", .run = NULL },
	{ NULL }
};

static const struct mcr_plugin norun_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "norun",
	.version = PACKAGE_VERSION,
	.kinds = norun_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &norun_plugin;
}
