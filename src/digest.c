/*
 * digest: mcrd's night digests. The slots are the configured local times
 * of today and yesterday; one is due from its time for an hour, and the
 * digests table (shiftlog_digest_done) keeps it from being written twice,
 * even across a restart of mcrd. A digest covers the time since the slot
 * before it (or the 24 hours before, with a single time). Where it went
 * (file, mail) is part of what the shift log records, failures included.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "digest.h"
#include "handover.h"
#include "shiftlog.h"
#include "strutil.h"
#include "when.h"
#include "xmalloc.h"

extern char **environ;

#define SLOT_GRACE_US (3600 * WHEN_US_PER_SEC)
#define MAIL_TIMEOUT_MS 30000
#define MAX_SLOTS (2 * 2 * CONFIG_MAX_TIMES)

struct slot {
	int64_t at;
	char name[32];
};

/* The instant of minutes-after-midnight m, days_ago days before now's
 * local date. */
static int64_t
local_instant(int64_t now, int days_ago, int m, char *name, size_t size)
{
	time_t t = (time_t)(now / WHEN_US_PER_SEC), c;
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_mday -= days_ago;
	tm.tm_hour = m / 60;
	tm.tm_min = m % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	c = mktime(&tm);
	if (c == (time_t)-1)
		return 0;
	localtime_r(&c, &tm);
	strftime(name, size, "%Y-%m-%dT%H:%M", &tm);
	return (int64_t)c * WHEN_US_PER_SEC;
}

static int
by_time(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

/* The configured slots of today and yesterday (and the day before, for
 * the previous slot of the earliest), oldest first. */
static size_t
slots(const struct config *cfg, int64_t now, struct slot *out)
{
	size_t n = 0, i;
	int day;

	for (day = 2; day >= 0; day--) {
		for (i = 0; i < cfg->ndigest_times && n < MAX_SLOTS * 2; i++) {
			out[n].at = local_instant(now, day, cfg->digest_times[i],
			    out[n].name, sizeof out[n].name);
			if (out[n].at != 0)
				n++;
		}
		for (i = 0; cfg->digest_at_shift_change &&
		    i < cfg->nshift_times && n < MAX_SLOTS * 2; i++) {
			out[n].at = local_instant(now, day, cfg->shift_times[i],
			    out[n].name, sizeof out[n].name);
			if (out[n].at != 0)
				n++;
		}
	}
	qsort(out, n, sizeof *out, by_time);
	return n;
}

/* Writes text to path atomically: a temporary file beside it, renamed
 * over it only once complete. */
static int
write_file(const char *path, const char *text, char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.tmp%ld", path, (long)getpid());
	size_t len = strlen(text);
	FILE *f;
	int rc = 0;

	if ((f = fopen(tmp, "w")) == NULL) {
		strutil_format(err, errlen, "cannot write the digest file %s: %s",
		    tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		strutil_format(err, errlen, "cannot write the digest file %s: %s",
		    tmp, strerror(errno));
		rc = -1;
	}
	if (fclose(f) != 0 && rc == 0) {
		strutil_format(err, errlen, "cannot write the digest file %s: %s",
		    tmp, strerror(errno));
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) != 0) {
		strutil_format(err, errlen, "cannot put the digest file in place "
		    "at %s: %s", path, strerror(errno));
		rc = -1;
	}
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Runs the mail command with the message on its standard input and waits
 * for it (at most MAIL_TIMEOUT_MS; then it is killed). */
static int
send_mail(const char *cmd, const char *msg, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = { (char *)"sh", (char *)"-c", (char *)cmd, NULL };
	size_t len = strlen(msg), off = 0;
	int in[2], status = 0, waited = 0, rc;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) != 0) {
		strutil_format(err, errlen, "cannot run the mail command: %s",
		    strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	if (rc != 0) {
		close(in[1]);
		strutil_format(err, errlen, "cannot run the mail command '%s': %s",
		    cmd, strerror(rc));
		return -1;
	}
	while (off < len) {
		ssize_t w = write(in[1], msg + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(in[1]);
	while ((rc = waitpid(pid, &status, WNOHANG)) == 0 &&
	    waited < MAIL_TIMEOUT_MS) {
		poll(NULL, 0, 20);
		waited += 20;
	}
	if (rc == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		strutil_format(err, errlen, "the mail command '%s' did not finish "
		    "in %d s; it was killed", cmd, MAIL_TIMEOUT_MS / 1000);
		return -1;
	}
	if (off < len) {
		strutil_format(err, errlen, "the mail command '%s' did not read "
		    "the whole digest", cmd);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		strutil_format(err, errlen, "the mail command '%s' failed (%s %d)",
		    cmd, WIFEXITED(status) ? "exit status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

static char *
render_text(const char *report)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		fatal("cannot render the digest: %s", strerror(errno));
	handover_render(report, HANDOVER_TEXT, f);
	if (fclose(f) != 0)
		fatal("cannot render the digest: %s", strerror(errno));
	return text;
}

int
digest_write(struct shiftlog *sl, const struct config *cfg, const char *slot,
    int64_t since, int64_t until, char *err, size_t errlen)
{
	char summary[512], sentence[700], outcome[1024] = "", why[512];
	char *report = NULL, *text = NULL, *msg = NULL, *data = NULL;
	char a[40], b[40];
	json_t *j;
	int rc;

	if ((rc = shiftlog_digest_done(sl, slot)) != 0) {
		if (rc < 0)
			strutil_copy(err, shiftlog_errmsg(sl), errlen);
		return rc < 0 ? -1 : 1;
	}
	if (shiftlog_handover_report(sl, since, until, cfg->site_name,
	    &report) < 0) {
		strutil_copy(err, shiftlog_errmsg(sl), errlen);
		return -1;
	}
	text = render_text(report);
	handover_summary(report, summary, sizeof summary);
	when_format(since, false, a, sizeof a);
	when_format(until, false, b, sizeof b);
	strutil_format(sentence, sizeof sentence, "digest for %s to %s: %s",
	    a, b, summary);
	if (cfg->digest_file != NULL) {
		time_t t = (time_t)(until / WHEN_US_PER_SEC);
		struct tm tm;
		char path[1024];
		size_t len;

		localtime_r(&t, &tm);
		/* The pattern is the operator's, as strftime(3) takes it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		len = strftime(path, sizeof path, cfg->digest_file, &tm);
#pragma GCC diagnostic pop
		if (len == 0)
			strutil_format(outcome, sizeof outcome, "file: the "
			    "pattern %s gives no path; ", cfg->digest_file);
		else if (write_file(path, text, why, sizeof why) < 0)
			strutil_format(outcome, sizeof outcome, "file: %s; ", why);
		else
			strutil_format(outcome, sizeof outcome, "written to %s; ",
			    path);
	}
	if (cfg->digest_mail != NULL && cfg->digest_to != NULL) {
		size_t off = strlen(outcome);

		msg = xasprintf("To: %s\nSubject: [mcr %s] %s\n"
		    "MIME-Version: 1.0\nContent-Type: text/plain; "
		    "charset=utf-8\nContent-Transfer-Encoding: 8bit\n"
		    "Auto-Submitted: auto-generated\n\n%s", cfg->digest_to,
		    cfg->site_name, sentence, text);
		if (send_mail(cfg->digest_mail, msg, why, sizeof why) < 0)
			strutil_format(outcome + off, sizeof outcome - off,
			    "mail: %s; ", why);
		else
			strutil_format(outcome + off, sizeof outcome - off,
			    "mailed to %s; ", cfg->digest_to);
	}
	strutil_rtrim(outcome);
	if (outcome[0] != '\0' && outcome[strlen(outcome) - 1] == ';')
		outcome[strlen(outcome) - 1] = '\0';
	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "slot", slot,
	    "since", when_format(since, true, a, sizeof a), "until",
	    when_format(until, true, b, sizeof b), "summary", summary,
	    "outcome", outcome[0] ? outcome : "kept in the shift log only",
	    "text", text);
	data = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (shiftlog_digest_record(sl, slot, since, until, sentence, data,
	    outcome[0] ? outcome : NULL) < 0) {
		strutil_copy(err, shiftlog_errmsg(sl), errlen);
		rc = -1;
	} else if (strstr(outcome, "file: ") != NULL ||
	    strstr(outcome, "mail: ") != NULL) {
		strutil_format(err, errlen, "digest %s: %s", slot, outcome);
		rc = -1;
	} else
		rc = 0;
	free(data);
	free(msg);
	free(text);
	free(report);
	return rc;
}

int
digest_run_due(struct shiftlog *sl, const struct config *cfg, int64_t now,
    char *err, size_t errlen)
{
	static int64_t last_minute;
	struct slot s[MAX_SLOTS * 2];
	size_t n, i, j;
	int written = 0, failed = 0, rc;
	char why[640];

	/* Slots are whole minutes: look once a minute. */
	if (now / (60 * WHEN_US_PER_SEC) == last_minute)
		return 0;
	last_minute = now / (60 * WHEN_US_PER_SEC);
	if (cfg->ndigest_times == 0 && !cfg->digest_at_shift_change)
		return 0;
	n = slots(cfg, now, s);
	for (i = 1; i < n; i++) {
		int64_t since;

		if (s[i].at > now || now >= s[i].at + SLOT_GRACE_US ||
		    (i + 1 < n && s[i + 1].at == s[i].at))
			continue;
		for (j = i - 1; j > 0 && s[j].at == s[i].at; j--)
			;
		since = s[j].at < s[i].at ? s[j].at :
		    s[i].at - 24 * 3600 * WHEN_US_PER_SEC;
		rc = digest_write(sl, cfg, s[i].name, since, s[i].at, why,
		    sizeof why);
		if (rc == 0)
			written++;
		else if (rc < 0 && failed++ == 0)
			strutil_copy(err, why, errlen);
	}
	return failed > 0 ? -1 : written;
}
