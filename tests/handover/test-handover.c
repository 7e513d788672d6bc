/*
 * test-handover: the handover's core on real SQLite files. Full-text search
 * through shiftlog_events() (words, word beginnings, any case, accents,
 * text with no word); the "incident" record filer (refusals, open once,
 * seen again, cleared, opened anew); a failed job's incident and its
 * resolution when the job is done; the report's carry-over window; the
 * [shift] and [digest] config keys; the default start of a report.
 */
#include "autoconfig.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "shiftlog.h"
#include "tap.h"
#include "when.h"
#include "xmalloc.h"

static const struct shiftlog_opts rw = { .busy_timeout_ms = 300 };

static int
count_cb(const struct shiftlog_event *ev, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static int
grep_count(struct shiftlog *sl, const char *grep, const char *match)
{
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX,
	    .grep = grep, .match = match };
	int n = 0;

	if (shiftlog_events(sl, &f, count_cb, &n) < 0)
		return -1;
	return n;
}

static void
test_search(struct shiftlog *sl)
{
	static const char *const messages[] = {
		"VTR 3 head clog, cleaned",
		"playout B lost genlock",
		"50%_off promo delivered to Müller",
		"headroom fine on the conform",
	};
	static const struct {
		const char *grep;
		int want;
	} cases[] = {
		{ "head clog", 1 },
		{ "HEAD", 1 },		/* a whole word: not headroom */
		{ "head*", 2 },		/* head, headroom */
		{ "VTR-3 HEAD", 1 },	/* a phrase and a word */
		{ "3 VTR", 1 },		/* words in any order */
		{ "3-VTR", 0 },		/* a phrase in its order */
		{ "genl", 1 },		/* no whole word: the last one begins one */
		{ "b genl", 1 },
		{ "clog head", 1 },	/* words in any order */
		{ "lost clog", 0 },	/* every word must be there */
		{ "muller", 1 },	/* accents folded */
		{ "50%_off", 1 },
		{ "\"quoted\" OR *", 0 },	/* never FTS5 syntax */
		{ "\"lost\" OR NOT", 0 },
		{ "a b c d e f g h i j k l m n o p q r s t u v w x y z 1 2 3 "
		  "4 5 6 7 8 9", 0 },
		{ "%_", 1 },		/* no word: a substring */
	};
	struct shiftlog_event ev[4];
	int64_t n = -1;
	size_t i;
	int pass;

	memset(ev, 0, sizeof ev);
	for (i = 0; i < 4; i++) {
		ev[i].kind = "test";
		ev[i].message = messages[i];
	}
	tap_is_int(shiftlog_append(sl, ev, 4), 0, "append four events");
	/* First with the events not indexed yet (appends do not index),
	 * then after mcrd's catch-up: the same answers. */
	for (pass = 0; pass < 2; pass++) {
		const char *from = pass == 0 ? "not indexed yet" : "indexed";

		for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
			tap_is_int(grep_count(sl, cases[i].grep, NULL),
			    cases[i].want, "--grep '%s', %s", cases[i].grep,
			    from);
		tap_is_int(grep_count(sl, NULL, "\"lost genlock\""), 1,
		    "an FTS5 phrase, %s", from);
		tap_is_int(grep_count(sl, NULL, "head* NOT clog"), 1,
		    "FTS5 NOT, %s", from);
		tap_ok(grep_count(sl, NULL, "\"open") < 0,
		    "a bad FTS5 query fails, %s", from);
		if (pass == 0) {
			tap_is_int(shiftlog_fts_catch_up(sl, 0, &n), 0,
			    "the catch-up indexes");
			tap_ok(n >= 4, "every event appended so far (%lld)",
			    (long long)n);
		}
	}
	tap_is_int(shiftlog_fts_catch_up(sl, 0, &n), 0, "a second catch-up");
	tap_is_int(n, 0, "has nothing left to index");
}

static int
collect_ids(const struct shiftlog_event *ev, void *arg)
{
	int64_t *ids = arg;

	ids[++ids[0]] = ev->id;
	return ids[0] >= 15;
}

/* A search with a limit over events partly indexed, partly not: the
 * newest matches of both, oldest first, each once; the same from a
 * read-only connection, which cannot write the index. */
static void
test_search_tail(struct shiftlog *sl, const char *path)
{
	static const struct shiftlog_opts ro = { .read_only = true,
	    .busy_timeout_ms = 300 };
	struct shiftlog_filter f = { .since = INT64_MIN, .until = INT64_MAX,
	    .grep = "router salvo", .limit = 3 };
	struct shiftlog_event ev[5];
	struct shiftlog *rosl;
	int64_t ids[16], n;
	char text[5][32], err[640];
	int i;

	memset(ev, 0, sizeof ev);
	for (i = 0; i < 5; i++) {
		snprintf(text[i], sizeof text[i], "router salvo %d", i + 1);
		ev[i].kind = "test";
		ev[i].message = text[i];
	}
	tap_is_int(shiftlog_append(sl, ev, 3), 0, "append three salvos");
	tap_is_int(shiftlog_fts_catch_up(sl, 2, &n), 0,
	    "a catch-up in batches");
	tap_is_int(n, 2, "indexes at most the batch");
	tap_is_int(shiftlog_append(sl, ev + 3, 2), 0, "two more salvos");
	ids[0] = 0;
	tap_is_int(shiftlog_events(sl, &f, collect_ids, ids), 0,
	    "search the newest three salvos");
	tap_is_int(ids[0], 3, "three found");
	tap_ok(ids[0] == 3 && ids[1] == ev[2].id && ids[2] == ev[3].id &&
	    ids[3] == ev[4].id, "the newest, oldest first, one not indexed "
	    "and two appended after the catch-up");
	f.limit = 0;
	ids[0] = 0;
	shiftlog_events(sl, &f, collect_ids, ids);
	tap_is_int(ids[0], 5, "without a limit: all five, each once");
	f.limit = 1;
	ids[0] = 0;
	shiftlog_events(sl, &f, collect_ids, ids);
	tap_ok(ids[0] == 1 && ids[1] == ev[4].id, "limit 1: the newest");

	if (shiftlog_open(path, &ro, &rosl, err, sizeof err) < 0) {
		tap_ok(false, "open read-only: %s", err);
		return;
	}
	f.limit = 0;
	ids[0] = 0;
	tap_is_int(shiftlog_events(rosl, &f, collect_ids, ids), 0,
	    "a read-only search");
	tap_is_int(ids[0], 5, "finds them all, indexed or not");
	tap_ok(shiftlog_fts_catch_up(rosl, 0, &n) < 0,
	    "a read-only log refuses to index");
	shiftlog_close(rosl);
	tap_is_int(shiftlog_fts_catch_up(sl, 0, &n), 0, "mcrd catches up");
	tap_is_int(n, 3, "with the three left");
	ids[0] = 0;
	f.limit = 3;
	shiftlog_events(sl, &f, collect_ids, ids);
	tap_ok(ids[0] == 3 && ids[3] == ev[4].id,
	    "and the search finds the same from the index alone");
}

struct inc {
	int n;
	char state[32];
	int64_t seen;
	int64_t id;
};

static int
inc_cb(const struct shiftlog_incident *x, void *arg)
{
	struct inc *s = arg;

	/* Newest first: keep the newest. */
	if (s->n++ > 0)
		return 0;
	s->id = x->id;
	snprintf(s->state, sizeof s->state, "%s", x->state);
	s->seen = x->seen;
	return 0;
}

static struct inc
incidents(struct shiftlog *sl, int64_t id, bool all)
{
	struct inc s = { 0 };

	shiftlog_incidents(sl, id, all, inc_cb, &s);
	return s;
}

static void
test_filer(struct shiftlog *sl)
{
	static const char *const bad[] = {
		"not json",
		"[1, 2]",
		"{\"state\": \"open\"}",
		"{\"key\": \"k\"}",
		"{\"key\": \"k\", \"state\": \"maybe\"}",
		"{\"key\": \"k\", \"state\": \"open\", \"severity\": \"dire\"}",
	};
	struct inc s;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		tap_is_int(shiftlog_record(sl, 0, "incident", bad[i]),
		    SHIFTLOG_INVALID, "refused: %s", bad[i]);
	tap_is_int(incidents(sl, 0, true).n, 0, "none was opened");
	tap_is_int(shiftlog_record(sl, 0, "incident", "{\"key\": "
	    "\"storage.crit.prod\", \"state\": \"open\", \"severity\": "
	    "\"critical\", \"title\": \"prod 97% full\", \"message\": "
	    "\"3 GiB free\"}"), 0, "an alarm opens an incident");
	tap_is_int(shiftlog_record(sl, 0, "incident", "{\"key\": "
	    "\"storage.crit.prod\", \"state\": \"open\", \"severity\": "
	    "\"critical\", \"title\": \"prod 98% full\"}"), 0,
	    "raised again");
	s = incidents(sl, 0, false);
	tap_is_int(s.n, 1, "one incident");
	tap_is_int(s.seen, 2, "seen twice");
	tap_is_str(s.state, "open", "open");
	tap_is_int(shiftlog_record(sl, 0, "incident", "{\"key\": "
	    "\"storage.crit.prod\", \"state\": \"clear\"}"), 0, "cleared");
	tap_is_str(incidents(sl, s.id, false).state, "resolved", "resolved");
	tap_is_int(shiftlog_record(sl, 0, "incident", "{\"key\": "
	    "\"storage.crit.prod\", \"state\": \"clear\"}"), 0,
	    "clearing what is not open does nothing");
	tap_is_int(shiftlog_record(sl, 0, "incident", "{\"key\": "
	    "\"storage.crit.prod\", \"state\": \"open\"}"), 0, "raised anew");
	tap_is_int(incidents(sl, 0, true).n, 2, "a second incident");
	tap_is_int(shiftlog_incident_act(sl, s.id, "ack", NULL, NULL, NULL),
	    SHIFTLOG_INVALID, "a resolved incident cannot be acknowledged");
	tap_is_int(shiftlog_incident_act(sl, s.id + 1, "update", NULL, NULL,
	    NULL), SHIFTLOG_INVALID, "an update needs words");
	tap_is_int(shiftlog_incident_act(sl, s.id + 1, "ack", NULL, "eva",
	    NULL), 0, "acknowledged");
	tap_is_str(incidents(sl, s.id + 1, false).state, "acknowledged",
	    "acknowledged state");
	tap_is_int(shiftlog_incident_act(sl, 999, "ack", NULL, NULL, NULL),
	    SHIFTLOG_INVALID, "no such incident");
	tap_contains(shiftlog_errmsg(sl), "there is no incident 999",
	    "says which");
}

static void
test_job_incident(struct shiftlog *sl)
{
	struct shiftlog_submit sub = { .kind = "test.job", .subject = "X.mxf" };
	int64_t id;
	struct inc before = incidents(sl, 0, true), s;

	tap_is_int(shiftlog_job_submit(sl, &sub, &id), 0, "a job");
	shiftlog_job_started(sl, id, 1, 1, 1);
	tap_is_int(shiftlog_job_finished(sl, id, "failed", "disk full", NULL), 0,
	    "it fails");
	s = incidents(sl, 0, true);
	tap_is_int(s.n, before.n + 1, "its failure opened an incident");
	tap_is_str(s.state, "open", "open");
	shiftlog_job_transition(sl, id, "queued", "retry", 0);
	shiftlog_job_started(sl, id, 2, 1, 1);
	shiftlog_job_finished(sl, id, "failed", "disk full", NULL);
	tap_is_int(incidents(sl, 0, true).n, before.n + 1,
	    "failing again opens no second incident");
	tap_is_int(incidents(sl, s.id, true).seen, 2, "it is counted");
	shiftlog_job_transition(sl, id, "queued", "retry", 0);
	shiftlog_job_started(sl, id, 3, 1, 1);
	tap_is_int(shiftlog_job_finished(sl, id, "done", NULL, NULL), 0,
	    "done at last");
	tap_is_str(incidents(sl, s.id, true).state, "resolved",
	    "its incident is resolved");
}

static json_t *
report(struct shiftlog *sl, int64_t since, int64_t until)
{
	char *s = NULL;
	json_t *j;

	if (shiftlog_handover_report(sl, since, until, "t", &s) < 0) {
		tap_diag("report: %s", shiftlog_errmsg(sl));
		return json_object();
	}
	j = json_loads(s, 0, NULL);
	free(s);
	return j;
}

static void
test_carry(struct shiftlog *sl)
{
	struct shiftlog_note_link link = { "incident", "1" };
	struct shiftlog_handover_ack ack;
	int64_t note, t0, t1, h;
	char *rep = NULL;
	json_t *j;

	tap_is_int(shiftlog_note_add(sl, "watch VTR 3", true, &link, 1, &note),
	    0, "a flagged note linked to an incident");
	t0 = when_now();
	j = report(sl, t0 + 1, t0 + 2);
	tap_is_int((int64_t)json_array_size(json_object_get(j, "notes")), 0,
	    "with no handover given, nothing carries from before the start");
	json_decref(j);
	shiftlog_handover_report(sl, t0 - 3600 * WHEN_US_PER_SEC, t0 + 1, "t",
	    &rep);
	tap_is_int(shiftlog_handover_record(sl, t0 - 3600 * WHEN_US_PER_SEC,
	    t0 + 1, rep, &h), 0, "a handover given");
	t1 = when_now() + 10;
	j = report(sl, t1, t1 + 1);
	tap_is_int((int64_t)json_array_size(json_object_get(j, "notes")), 1,
	    "its note carries into a later report");
	tap_ok(json_is_true(json_object_get(json_array_get(json_object_get(j,
	    "notes"), 0), "carried_over")), "marked carried over");
	json_decref(j);
	tap_is_int(shiftlog_handover_ack(sl, t1, t1 + 1, rep, &ack), 0,
	    "acknowledged");
	tap_is_int(ack.id, h, "the handover given, not a new one");
	j = report(sl, t1, t1 + 1);
	tap_is_int((int64_t)json_array_size(json_object_get(j, "notes")), 0,
	    "after the acknowledgement it no longer carries");
	json_decref(j);
	free(rep);
	tap_is_int(shiftlog_note_add(sl, "x", false, &(struct shiftlog_note_link)
	    { "tape", "1" }, 1, &note), SHIFTLOG_INVALID,
	    "a link to an unknown kind of thing is refused");
	tap_is_int(shiftlog_note_add(sl, "x", false, &(struct shiftlog_note_link)
	    { "job", "77" }, 1, &note), SHIFTLOG_INVALID,
	    "a link to a missing job is refused");
}

static void
test_config(void)
{
	static const struct {
		const char *ini;
		bool good;
	} cases[] = {
		{ "[shift]\ntimes = 06:00, 18:00\n", true },
		{ "[shift]\ntimes = 6:00\n", false },
		{ "[shift]\ntimes = 24:00\n", false },
		{ "[shift]\ntimes = shift\n", false },
		{ "[shift]\nlength = 12h\n", false },
		{ "[digest]\ntimes = 03:00, shift\n", true },
		{ "[digest]\nfile = digest.txt\n", false },
		{ "[digest]\nto = nobody\n", false },
	};
	struct config *cfg;
	char err[640];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cfg = config_new();
		tap_is_int(config_load_string(cfg, cases[i].ini, "t.ini", err,
		    sizeof err) == 0, cases[i].good, "%s: %s", cases[i].ini,
		    cases[i].good ? "taken" : "refused");
		config_free(cfg);
	}
	cfg = config_new();
	config_load_string(cfg, "[shift]\ntimes = 06:00,18:30\n[digest]\n"
	    "times = shift 03:00\n", "t.ini", err, sizeof err);
	tap_is_int((int64_t)cfg->nshift_times, 2, "two shift times");
	tap_is_int(cfg->shift_times[1], 18 * 60 + 30, "18:30");
	tap_ok(cfg->digest_at_shift_change, "digest at shift change");
	tap_is_int(cfg->digest_times[0], 180, "and at 03:00");
	config_free(cfg);
}

static void
test_default_since(struct shiftlog *sl)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 29,
	    .tm_hour = 7, .tm_min = 30, .tm_isdst = -1 };
	int64_t until = (int64_t)mktime(&tm) * WHEN_US_PER_SEC, want;
	int times[2] = { 6 * 60, 18 * 60 };

	tm.tm_hour = 6;
	tm.tm_min = 0;
	tm.tm_isdst = -1;
	want = (int64_t)mktime(&tm) * WHEN_US_PER_SEC;
	tap_is_int(shiftlog_handover_default_since(sl, times, 2, until), want,
	    "07:30 with shifts at 06:00 and 18:00 starts at 06:00");
	tm.tm_mday = 28;
	tm.tm_hour = 18;
	tm.tm_isdst = -1;
	want = (int64_t)mktime(&tm) * WHEN_US_PER_SEC;
	tap_is_int(shiftlog_handover_default_since(sl, times, 2, until - 2 *
	    3600 * WHEN_US_PER_SEC), want, "05:30 starts at 18:00 the day "
	    "before");
	tap_is_int(shiftlog_handover_default_since(sl, NULL, 0, until),
	    until - 12 * 3600 * WHEN_US_PER_SEC, "no times: 12 hours");
}

int
main(void)
{
	struct shiftlog *sl;
	char *path = xasprintf("%s/h.db", tap_tmpdir()), err[640];

	setenv("TZ", "UTC", 1);
	tzset();
	if (shiftlog_open(path, &rw, &sl, err, sizeof err) < 0) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	test_search(sl);
	test_search_tail(sl, path);
	test_filer(sl);
	test_job_incident(sl);
	test_default_since(sl);
	test_carry(sl);
	test_config();
	{
		struct shiftlog_verify v;

		tap_is_int(shiftlog_verify(sl, &v), 0, "the chain verifies");
	}
	shiftlog_close(sl);
	free(path);
	return tap_done();
}
