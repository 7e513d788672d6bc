/*
 * mcr incident: incidents go open -> acknowledged -> resolved, each step
 * by a named user with a message, and each an event in the shift log.
 * mcrd opens them too: a failed job opens its incident once, and plugins'
 * alarms open and clear theirs (host->record "incident"). `list` shows
 * what is not resolved, `show` one incident's history.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

static json_t *
jtext(const char *s)
{
	return s != NULL ? json_string(s) : json_null();
}

static json_t *
jtime(int64_t t)
{
	char buf[40];

	return t != 0 ? json_string(when_format(t, true, buf, sizeof buf)) :
	    json_null();
}

static json_t *
incident_json(const struct shiftlog_incident *x)
{
	json_t *j = json_pack("{s:I, s:o, s:s, s:s, s:s, s:o, s:o, s:o, s:s}",
	    "id", (json_int_t)x->id, "key", jtext(x->key), "state", x->state,
	    "severity", x->severity, "title", x->title, "owner", jtext(x->owner),
	    "job", x->job_id != 0 ? json_integer(x->job_id) : json_null(),
	    "opened", jtime(x->opened), "opened_by", x->opened_by);

	json_object_set_new(j, "acknowledged", jtime(x->acked));
	json_object_set_new(j, "acknowledged_by", jtext(x->acked_by));
	json_object_set_new(j, "resolved", jtime(x->resolved));
	json_object_set_new(j, "resolved_by", jtext(x->resolved_by));
	json_object_set_new(j, "resolution", jtext(x->resolution));
	json_object_set_new(j, "seen", json_integer(x->seen));
	json_object_set_new(j, "updates", json_integer(x->updates));
	json_object_set_new(j, "last_message", jtext(x->last_message));
	return j;
}

struct listing {
	bool json;
	json_t *arr;
	size_t n;
};

static int
list_one(const struct shiftlog_incident *x, void *arg)
{
	struct listing *l = arg;
	char when[40];

	l->n++;
	if (l->json) {
		json_array_append_new(l->arr, incident_json(x));
		return 0;
	}
	when_format(x->opened, false, when, sizeof when);
	printf("%-5lld %-9s %-12s %-12s %s  ", (long long)x->id, x->severity,
	    x->state, x->owner != NULL ? x->owner : "-", when);
	cmd_print_safe(stdout, x->title);
	if (x->job_id != 0)
		printf("  (job %lld)", (long long)x->job_id);
	if (x->seen > 1)
		printf("  raised %lld times", (long long)x->seen);
	fputc('\n', stdout);
	return ferror(stdout) ? 1 : 0;
}

static int
history_one(int64_t time, const char *user, const char *action,
    const char *message, int64_t event_id, void *arg)
{
	json_t *arr = arg;
	char when[40];

	if (arr != NULL) {
		json_array_append_new(arr, json_pack("{s:o, s:s, s:s, s:o, s:o}",
		    "time", jtime(time), "user", user, "action", action,
		    "message", jtext(message), "event", event_id != 0 ?
		    json_integer(event_id) : json_null()));
		return 0;
	}
	printf("  %s  %-8s %-8s ", when_format(time, false, when, sizeof when),
	    action, user);
	if (message != NULL)
		cmd_print_safe(stdout, message);
	if (event_id != 0)
		printf("  (event %lld)", (long long)event_id);
	fputc('\n', stdout);
	return 0;
}

static char *
join(int argc, char **argv)
{
	size_t len = 1;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < argc; i++) {
		size_t off = strlen(s);

		strutil_format(s + off, len - off, "%s%s", i ? " " : "", argv[i]);
	}
	return s;
}

static void
incident_help(void)
{
	printf("Usage: mcr incident open TITLE... [--severity S] [--owner NAME] "
	    "[--job ID]\n"
	    "                         [--key KEY] [--message TEXT]\n"
	    "       mcr incident ack ID [--owner NAME] [--message TEXT]\n"
	    "       mcr incident update ID TEXT... [--owner NAME] "
	    "[--severity S]\n"
	    "       mcr incident resolve ID [TEXT...]\n"
	    "       mcr incident list [--all]\n"
	    "       mcr incident show ID\n"
	    "Incidents go open -> acknowledged -> resolved, each step recorded "
	    "with who\nand when. Severity is info, notice, warning (default), "
	    "error or critical.\nWith --key, an incident still open under the "
	    "same key is counted again\ninstead of opening a second one.\n\n"
	    "      --all           list resolved incidents too\n"
	    "      --json          print one JSON document\n%s",
	    cmd_common_help);
}

static int
parse_id(struct cmd_ctx *ctx, int argc, char **argv, int64_t *id)
{
	char *end;

	if (optind >= argc)
		return cmd_usage_error(ctx, "give the incident's number");
	*id = strtoll(argv[optind], &end, 10);
	if (*argv[optind] == '\0' || *end != '\0' || *id <= 0)
		return cmd_usage_error(ctx, "'%s' is not an incident number",
		    argv[optind]);
	optind++;
	return 0;
}

int
cmd_incident(struct cmd_ctx *ctx, int argc, char **argv)
{
	enum { OPT_SEVERITY = CMD_OPT_VERB, OPT_OWNER, OPT_JOB, OPT_KEY,
		OPT_MESSAGE, OPT_ALL };
	static const struct option longopts[] = {
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "job", required_argument, NULL, OPT_JOB },
		{ "key", required_argument, NULL, OPT_KEY },
		{ "message", required_argument, NULL, OPT_MESSAGE },
		{ "all", no_argument, NULL, OPT_ALL },
		{ "json", no_argument, NULL, CMD_OPT_JSON },
		CMD_COMMON_OPTIONS
	};
	struct shiftlog_incident_new n = { 0 };
	struct listing l = { 0 };
	const char *action, *message = NULL;
	static char verb[32];
	char *text = NULL, *end;
	int64_t id = 0;
	bool all = false, existed = false;
	int c, rc;

	/* Options may come anywhere: the action and its words are
	 * gathered first (GNU getopt permutes them to the end). */
	while ((c = cmd_getopt(ctx, argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case OPT_SEVERITY:
			n.severity = optarg;
			break;
		case OPT_OWNER:
			n.owner = optarg;
			break;
		case OPT_JOB:
			n.job_id = strtoll(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || n.job_id <= 0)
				return cmd_usage_error(ctx, "--job '%s' is not a "
				    "job number", optarg);
			break;
		case OPT_KEY:
			n.key = optarg;
			break;
		case OPT_MESSAGE:
			message = optarg;
			break;
		case OPT_ALL:
			all = true;
			break;
		case CMD_OPT_JSON:
			l.json = true;
			break;
		case 'h':
			incident_help();
			return CMD_EXIT_OK;
		default:
			return CMD_EXIT_ERROR;
		}
	}
	if (optind >= argc)
		return cmd_usage_error(ctx, "say what to do: open, ack, update, "
		    "resolve, list or show");
	action = argv[optind++];
	strutil_format(verb, sizeof verb, "incident %s", action);
	ctx->verb = verb;
	if (strcmp(action, "list") == 0 || strcmp(action, "show") == 0) {
		if (strcmp(action, "show") == 0 &&
		    (rc = parse_id(ctx, argc, argv, &id)) != 0)
			return rc;
		if (optind < argc)
			return cmd_usage_error(ctx, "unexpected argument '%s'",
			    argv[optind]);
		ctx->only_existing = true;
		if ((rc = cmd_shiftlog(ctx)) != 0)
			return rc;
		l.arr = json_array();
		rc = shiftlog_incidents(ctx->sl, id, all, list_one, &l);
		if (rc < 0) {
			json_decref(l.arr);
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		}
		if (id != 0 && l.n == 0) {
			json_decref(l.arr);
			return cmd_error("there is no incident %lld; 'mcr incident "
			    "list --all' lists them", (long long)id);
		}
		if (id != 0) {
			json_t *h = l.json ? json_array() : NULL;

			if (shiftlog_incident_history(ctx->sl, id, history_one,
			    h) < 0) {
				json_decref(h);
				json_decref(l.arr);
				return cmd_error("%s", shiftlog_errmsg(ctx->sl));
			}
			if (l.json) {
				json_t *one = json_incref(json_array_get(l.arr, 0));

				json_decref(l.arr);
				json_object_set_new(one, "history", h);
				return cmd_json_print(one) ? CMD_EXIT_ERROR :
				    CMD_EXIT_OK;
			}
		}
		if (l.json)
			return cmd_json_print(json_pack("{s:o}", "incidents",
			    l.arr)) ? CMD_EXIT_ERROR : CMD_EXIT_OK;
		json_decref(l.arr);
		if (l.n == 0 && id == 0)
			printf(all ? "no incidents recorded\n" :
			    "no open incidents\n");
		if (fflush(stdout) != 0)
			return cmd_error("cannot write to standard output");
		return CMD_EXIT_OK;
	}
	if (strcmp(action, "open") == 0) {
		if (optind >= argc)
			return cmd_usage_error(ctx, "give the incident's title, "
			    "as in mcr incident open 'playout B lost genlock'");
		text = join(argc - optind, argv + optind);
		n.title = text;
		n.message = message;
		if ((rc = cmd_shiftlog(ctx)) != 0) {
			free(text);
			return rc;
		}
		rc = shiftlog_incident_open(ctx->sl, &n, &id, &existed);
		free(text);
		if (rc < 0)
			return cmd_error("%s", shiftlog_errmsg(ctx->sl));
		if (l.json)
			return cmd_json_print(json_pack("{s:I, s:b}", "id",
			    (json_int_t)id, "existed", existed)) ?
			    CMD_EXIT_ERROR : CMD_EXIT_OK;
		if (existed)
			printf("incident %lld under key %s is still open; counted "
			    "it again\n", (long long)id, n.key);
		else
			printf("incident %lld opened\n", (long long)id);
		return CMD_EXIT_OK;
	}
	if (strcmp(action, "ack") != 0 && strcmp(action, "update") != 0 &&
	    strcmp(action, "resolve") != 0)
		return cmd_usage_error(ctx, "'%s' is not open, ack, update, "
		    "resolve, list or show", action);
	if ((rc = parse_id(ctx, argc, argv, &id)) != 0)
		return rc;
	if (n.job_id != 0 || n.key != NULL || all)
		return cmd_usage_error(ctx, "--job, --key and --all do not go "
		    "with %s", action);
	if (strcmp(action, "update") != 0 && n.severity != NULL)
		return cmd_usage_error(ctx, "--severity goes with update");
	if (strcmp(action, "resolve") == 0 && n.owner != NULL)
		return cmd_usage_error(ctx, "--owner does not go with resolve");
	if (optind < argc) {
		if (message != NULL)
			return cmd_usage_error(ctx, "give the text as words or "
			    "--message, not both");
		text = join(argc - optind, argv + optind);
		message = text;
	}
	if (strcmp(action, "update") == 0 && message == NULL)
		return cmd_usage_error(ctx, "say what changed, as in mcr incident "
		    "update %lld 'vendor engineer on site'", (long long)id);
	if ((rc = cmd_shiftlog(ctx)) != 0) {
		free(text);
		return rc;
	}
	rc = shiftlog_incident_act(ctx->sl, id, action, message, n.owner,
	    n.severity);
	free(text);
	if (rc < 0)
		return cmd_error("%s", shiftlog_errmsg(ctx->sl));
	if (l.json)
		return cmd_json_print(json_pack("{s:I, s:s}", "id",
		    (json_int_t)id, "action", action)) ? CMD_EXIT_ERROR :
		    CMD_EXIT_OK;
	printf("incident %lld %s\n", (long long)id,
	    strcmp(action, "ack") == 0 ? "acknowledged" :
	    strcmp(action, "update") == 0 ? "updated" : "resolved");
	return CMD_EXIT_OK;
}
