/*
 * testplug: a plugin for the daemon's tests, with one kind per path a job
 * can take. testplug.ok reports through every host service and finishes;
 * testplug.fail fails with a reason; testplug.crash dies on SIGSEGV;
 * testplug.hang ignores SIGTERM and never returns, so only SIGKILL ends
 * it; testplug.sleep sleeps until done or cancelled; testplug.flaky
 * crashes on its first attempt and finishes on the next (a retry-safe
 * crash); testplug.params echoes its parameters and the [testplug]
 * greeting from mcr.ini; testplug.rows files rows (and, asked, rows no
 * host should pass on), then keeps silent for a while. Nothing here touches anything but the host table,
 * and the marker file of testplug.flaky.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mcr-plugin.h"

#define TESTPLUG_TEXT 512

/* [testplug] greeting; empty when mcr.ini sets none. */
static char testplug_greeting[256];

static void
testplug_sleep_ms(long ms)
{
	struct timespec ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Reads the whole-number parameter name into *out, dflt when absent.
 * Returns 0, or -1 after host->fail() said what is wrong. */
static int
testplug_number(struct mcr_job *job, const struct mcr_host *host,
    const char *name, long dflt, long min, long max, long *out)
{
	const char *s = host->param(job, name);
	char msg[TESTPLUG_TEXT], *end;
	long v;

	*out = dflt;
	if (s == NULL)
		return 0;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < min || v > max) {
		snprintf(msg, sizeof msg, "%s '%s' is not a whole number from "
		    "%ld to %ld", name, s, min, max);
		host->fail(job, msg);
		return -1;
	}
	*out = v;
	return 0;
}

/* Hands the JSON object o to host->result and drops it. */
static void
testplug_result(struct mcr_job *job, const struct mcr_host *host, json_t *o)
{
	char *s;

	if (o == NULL || (s = json_dumps(o, JSON_COMPACT)) == NULL)
		abort();
	host->result(job, s);
	free(s);
	json_decref(o);
}

static int
testplug_ok(struct mcr_job *job, const struct mcr_host *host)
{
	const char *runs;
	char msg[TESTPLUG_TEXT], count[32], pos[32];
	long steps, delay, i;

	if (testplug_number(job, host, "steps", 5, 1, 1000000, &steps) < 0 ||
	    testplug_number(job, host, "delay_ms", 100, 0, 3600000,
	    &delay) < 0)
		return MCR_JOB_FAILED;
	host->log(job, "testplug.ok starts");
	for (i = 1; i <= steps; i++) {
		if (host->cancelled(job))
			return MCR_JOB_CANCELLED;
		testplug_sleep_ms(delay);
		snprintf(pos, sizeof pos, "step %ld", i);
		host->progress(job, (double)i / steps,
		    delay > 0 ? 1000.0 / delay : -1, "steps/s",
		    (double)(steps - i) * delay / 1000, pos);
		host->meter(job, "level", -20.0 - i, "dB");
	}
	host->finding(job, "info", "test", "step 1", "the test plugin found "
	    "what it always finds");
	snprintf(msg, sizeof msg, "the test plugin ran %ld steps", steps);
	host->event(job, "info", "testplug.ran", "testplug", msg);
	snprintf(msg, sizeof msg, "{\"steps\":%ld,\"delay_ms\":%ld}", steps,
	    delay);
	host->sample(job, "testplug.run", "ok", msg);
	if (host->size >= offsetof(struct mcr_host, record) +
	    sizeof host->record)
		host->record(job, "testplug.row", msg);
	runs = host->state_get(job, "runs");
	snprintf(count, sizeof count, "%ld",
	    (runs != NULL ? strtol(runs, NULL, 10) : 0) + 1);
	host->state_set(job, "runs", count);
	testplug_result(job, host, json_pack("{s:I}", "steps",
	    (json_int_t)steps));
	return MCR_JOB_DONE;
}

static int
testplug_fail(struct mcr_job *job, const struct mcr_host *host)
{
	host->fail(job, "the test plugin was asked to fail");
	return MCR_JOB_FAILED;
}

static int
testplug_crash(struct mcr_job *job, const struct mcr_host *host)
{
	host->log(job, "testplug.crash raises SIGSEGV");
	raise(SIGSEGV);
	abort();
}

static int
testplug_hang(struct mcr_job *job, const struct mcr_host *host)
{
	signal(SIGTERM, SIG_IGN);
	host->log(job, "testplug.hang ignores SIGTERM and sleeps for ever");
	for (;;)
		sleep(60);
	/* NOTREACHED */
	return MCR_JOB_FAILED;
}

static int
testplug_sleep(struct mcr_job *job, const struct mcr_host *host)
{
	long seconds, i;

	if (testplug_number(job, host, "seconds", 10, 0, 86400,
	    &seconds) < 0)
		return MCR_JOB_FAILED;
	for (i = 0; i < seconds * 10; i++) {
		if (host->cancelled(job))
			return MCR_JOB_CANCELLED;
		host->progress(job, (double)i / (seconds * 10), -1, NULL,
		    (double)(seconds * 10 - i) / 10, NULL);
		testplug_sleep_ms(100);
	}
	if (host->cancelled(job))
		return MCR_JOB_CANCELLED;
	testplug_result(job, host, json_pack("{s:I}", "seconds",
	    (json_int_t)seconds));
	return MCR_JOB_DONE;
}

/* The marker file tells a later attempt that an earlier one ran. */
static int
testplug_flaky(struct mcr_job *job, const struct mcr_host *host)
{
	const char *marker = host->param(job, "marker");
	const char *refuse = host->param(job, "refuse");
	char msg[TESTPLUG_TEXT];
	int fd;

	fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd >= 0) {
		close(fd);
		if (refuse != NULL && strcmp(refuse, "1") == 0) {
			host->fail(job, "the test plugin refused the job for "
			    "good");
			return MCR_JOB_REFUSED;
		}
		host->log(job, "testplug.flaky: first attempt, crashing");
		raise(SIGSEGV);
		abort();
	}
	if (errno != EEXIST) {
		snprintf(msg, sizeof msg, "cannot create the marker %s: %s",
		    marker, strerror(errno));
		host->fail(job, msg);
		return MCR_JOB_FAILED;
	}
	testplug_result(job, host, json_pack("{s:b}", "retried", 1));
	return MCR_JOB_DONE;
}

static int
testplug_params(struct mcr_job *job, const struct mcr_host *host)
{
	const char *name = host->param(job, "name");
	const char *greeting = host->param(job, "greeting");

	if (name == NULL) {
		host->fail(job, "testplug.params needs name=");
		return MCR_JOB_FAILED;
	}
	if (greeting == NULL)
		greeting = testplug_greeting[0] != '\0' ? testplug_greeting :
		    "hello";
	testplug_result(job, host, json_pack("{s:s, s:s}", "name", name,
	    "greeting", greeting));
	return MCR_JOB_DONE;
}

static int
testplug_config(const char *key, const char *value, char *err,
    size_t errlen)
{
	if (strcmp(key, "greeting") != 0) {
		snprintf(err, errlen, "unknown key '%s' in [testplug]; the "
		    "keys are: greeting", key);
		return -1;
	}
	if (strlen(value) >= sizeof testplug_greeting) {
		snprintf(err, errlen, "the greeting in [testplug] is longer "
		    "than %zu bytes", sizeof testplug_greeting - 1);
		return -1;
	}
	snprintf(testplug_greeting, sizeof testplug_greeting, "%s", value);
	return 0;
}

/* rows= rows of type testplug.row ({"n": 1..rows}); with bad=1 first the
 * rows a worker must not pass on (not an object, two lines, a type that
 * is no name) and one only mcrd can tell is broken; then hold= seconds of
 * silence but for cancelled(), as a plugin busy on one large file. */
static int
testplug_rows(struct mcr_job *job, const struct mcr_host *host)
{
	char row[64];
	long rows, bad, hold, i;

	if (testplug_number(job, host, "rows", 3, 0, 1000000, &rows) < 0 ||
	    testplug_number(job, host, "bad", 0, 0, 1, &bad) < 0 ||
	    testplug_number(job, host, "hold", 0, 0, 3600, &hold) < 0)
		return MCR_JOB_FAILED;
	if (bad) {
		host->record(job, "testplug.row", "not json at all");
		host->record(job, "testplug.row", "[1, 2]");
		host->record(job, "testplug.row", "{\"n\": 0}\n{\"n\": -1}");
		host->record(job, "testplug row", "{\"n\": 0}");
		host->record(job, "testplug.row", "{\"n\": broken}");
	}
	for (i = 1; i <= rows; i++) {
		snprintf(row, sizeof row, "{\"n\":%ld}", i);
		host->record(job, "testplug.row", row);
	}
	for (i = 0; i < hold * 100; i++) {
		if (host->cancelled(job))
			return MCR_JOB_CANCELLED;
		testplug_sleep_ms(10);
	}
	testplug_result(job, host, json_pack("{s:I}", "rows",
	    (json_int_t)rows));
	return MCR_JOB_DONE;
}

static const struct mcr_param testplug_rows_params[] = {
	{ .name = "rows", .help = "how many rows (3)" },
	{ .name = "bad", .help = "1: rows no host should pass on first" },
	{ .name = "hold", .help = "seconds of silence after the rows (0)" },
	{ NULL }
};

/* Loudness meters as a QC job reports them, on a fixed, repeatable
 * course, ten times a second: the console's QC pane is tested on these. */
static int
testplug_meters(struct mcr_job *job, const struct mcr_host *host)
{
	long seconds, i, n;

	if (testplug_number(job, host, "seconds", 5, 1, 3600, &seconds) < 0)
		return MCR_JOB_FAILED;
	n = seconds * 10;
	host->meter(job, "target", -23.0, "LUFS");
	host->meter(job, "tolerance", 0.5, "LU");
	for (i = 1; i <= n; i++) {
		if (host->cancelled(job))
			return MCR_JOB_CANCELLED;
		testplug_sleep_ms(100);
		host->meter(job, "momentary", -30.0 + (double)(i % 30) / 2,
		    "LUFS");
		host->meter(job, "short_term", -25.0 + (double)(i % 20) / 5,
		    "LUFS");
		host->meter(job, "integrated", -23.4, "LUFS");
		host->meter(job, "lra", 6.5, "LU");
		host->meter(job, "true_peak", -2.1, "dBTP");
		host->progress(job, (double)i / n, 1.0, "x", (double)(n - i) /
		    10, "loudness");
	}
	return MCR_JOB_DONE;
}

static const struct mcr_param testplug_meters_params[] = {
	{ .name = "seconds", .help = "how long to report (5)" },
	{ NULL }
};

static const struct mcr_param testplug_ok_params[] = {
	{ .name = "steps", .help = "how many progress steps (5)" },
	{ .name = "delay_ms", .help = "milliseconds per step (100)" },
	{ NULL }
};

static const struct mcr_param testplug_sleep_params[] = {
	{ .name = "seconds", .help = "how long to sleep (10)" },
	{ NULL }
};

static const struct mcr_param testplug_flaky_params[] = {
	{ .name = "marker", .help = "a file that must not exist yet",
	    .required = 1 },
	{ .name = "refuse", .help = "1: refuse the first attempt for good "
	    "instead of crashing" },
	{ NULL }
};

static const struct mcr_param testplug_params_params[] = {
	{ .name = "name", .help = "who to greet", .required = 1 },
	{ .name = "greeting", .help = "how to greet (else [testplug] "
	    "greeting)" },
	{ NULL }
};

static const struct mcr_kind testplug_kinds[] = {
	{
		.name = "testplug.ok",
		.summary = "report through every host service, then finish",
		.params = testplug_ok_params,
		.run = testplug_ok,
	},
	{
		.name = "testplug.meters",
		.summary = "report loudness meters ten times a second",
		.params = testplug_meters_params,
		.run = testplug_meters,
	},
	{
		.name = "testplug.rows",
		.summary = "file rows, then keep silent for a while",
		.params = testplug_rows_params,
		.run = testplug_rows,
	},
	{
		.name = "testplug.fail",
		.summary = "fail, saying so",
		.run = testplug_fail,
	},
	{
		.name = "testplug.crash",
		.summary = "die on SIGSEGV",
		.run = testplug_crash,
	},
	{
		.name = "testplug.hang",
		.summary = "ignore SIGTERM and never return",
		.run = testplug_hang,
	},
	{
		.name = "testplug.sleep",
		.summary = "sleep, stopping when cancelled",
		.params = testplug_sleep_params,
		.retry_safe = 1,
		.run = testplug_sleep,
	},
	{
		.name = "testplug.flaky",
		.summary = "crash on the first attempt, finish on a retry",
		.params = testplug_flaky_params,
		.retry_safe = 1,
		.run = testplug_flaky,
	},
	{
		.name = "testplug.params",
		.summary = "echo its parameters",
		.params = testplug_params_params,
		.run = testplug_params,
	},
	{ NULL }
};

static const struct mcr_plugin testplug_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "testplug",
	.version = PACKAGE_VERSION,
	.summary = "the daemon's test plugin",
	.config = testplug_config,
	.kinds = testplug_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &testplug_plugin;
}
