/*
 * hoplug: the handover tests' plugin. It does what duty plugins do at the
 * edges the handover reads: hoplug.alarm raises or clears an alarm as an
 * "incident" record (host->record), with its event, as the storage and
 * monitoring duties do; hoplug.qc reports a QC finding of the severity
 * asked for; hoplug.deliver files a "delivery" record as a delivery duty
 * would until it has a table of its own. Only the host table is used.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "mcr-plugin.h"

static const char *
param(struct mcr_job *job, const struct mcr_host *host, const char *name,
    const char *dflt)
{
	const char *s = host->param(job, name);

	return s != NULL ? s : dflt;
}

static int
emit(struct mcr_job *job, const struct mcr_host *host, const char *type,
    json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	if (s == NULL || host->size < offsetof(struct mcr_host, record) +
	    sizeof host->record) {
		free(s);
		host->fail(job, "this host cannot take records");
		return MCR_JOB_FAILED;
	}
	host->record(job, type, s);
	free(s);
	return MCR_JOB_DONE;
}

static int
hoplug_alarm(struct mcr_job *job, const struct mcr_host *host)
{
	const char *key = param(job, host, "key", "hoplug.alarm");
	const char *state = param(job, host, "state", "open");
	const char *sev = param(job, host, "severity", "warning");
	const char *title = param(job, host, "title", "test alarm");

	host->event(job, strcmp(state, "open") == 0 ? sev : "notice",
	    "hoplug.alarm", key, strcmp(state, "open") == 0 ? title :
	    "the test alarm cleared");
	return emit(job, host, "incident", json_pack("{s:s, s:s, s:s, s:s, "
	    "s:s}", "key", key, "state", state, "severity", sev, "title", title,
	    "message", strcmp(state, "open") == 0 ? "raised by hoplug" :
	    "cleared by hoplug"));
}

static int
hoplug_qc(struct mcr_job *job, const struct mcr_host *host)
{
	const char *sev = param(job, host, "severity", "error");

	host->finding(job, sev, "loudness", "00:00:10:00", "integrated "
	    "loudness -19.4 LUFS is above the spec's -23.0 +/- 0.5");
	/* As the QC plugin does: done, with the verdict in the result. */
	host->result(job, strcmp(sev, "error") == 0 ?
	    "{\"verdict\":\"fail\",\"integrated\":-19.4}" :
	    "{\"verdict\":\"pass\",\"integrated\":-19.4}");
	return MCR_JOB_DONE;
}

static int
hoplug_deliver(struct mcr_job *job, const struct mcr_host *host)
{
	return emit(job, host, "delivery", json_pack("{s:s, s:s, s:s, s:s, "
	    "s:I, s:I}", "direction", "out", "status", "delivered",
	    "destination", param(job, host, "to", "playout-b"), "path",
	    param(job, host, "path", "PROMO_01.mxf"), "files", (json_int_t)1,
	    "bytes", (json_int_t)1048576));
}

static const struct mcr_param alarm_params[] = {
	{ .name = "key", .help = "the alarm's key" },
	{ .name = "state", .help = "open or clear" },
	{ .name = "severity", .help = "warning, error or critical" },
	{ .name = "title", .help = "what is wrong" },
	{ NULL }
};

static const struct mcr_param qc_params[] = {
	{ .name = "severity", .help = "the finding's severity" },
	{ NULL }
};

static const struct mcr_param deliver_params[] = {
	{ .name = "to", .help = "the destination" },
	{ .name = "path", .help = "what was sent" },
	{ NULL }
};

static const struct mcr_kind hoplug_kinds[] = {
	{ .name = "hoplug.alarm", .summary = "raise or clear an alarm",
	    .params = alarm_params, .run = hoplug_alarm },
	{ .name = "hoplug.qc", .summary = "report a QC finding",
	    .params = qc_params, .run = hoplug_qc },
	{ .name = "hoplug.deliver", .summary = "record a delivery",
	    .params = deliver_params, .run = hoplug_deliver },
	{ NULL }
};

static const struct mcr_plugin hoplug_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "hoplug",
	.version = PACKAGE_VERSION,
	.summary = "the handover tests' plugin",
	.kinds = hoplug_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &hoplug_plugin;
}
