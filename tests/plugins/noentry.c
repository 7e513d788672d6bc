/*
 * noentry: a refusal fixture. A well-formed shared object that exports a
 * function of its own but no mcr_plugin_entry(), so the loader must
 * refuse it and name the missing symbol.
 */
#include "autoconfig.h"

int noentry_hello(void);

int
noentry_hello(void)
{
	return 42;
}
