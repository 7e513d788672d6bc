/*
 * transcode: the encode/transcode duty. Three kinds:
 *
 *   transcode.run       one transcode to a named profile (engine.c), with
 *                       progress as frames, frames a second, speed as
 *                       times real time and ETA; the output is catalogued
 *                       as media and described in the job's result;
 *   transcode.check     what transcode.run would refuse, found without
 *                       decoding, and the output's name: `mcr transcode`
 *                       runs it in-process before it queues anything;
 *   transcode.profiles  the profiles, and whether this FFmpeg can encode
 *                       each: `mcr profiles` runs it in-process.
 *
 * The [transcode] section of mcr.ini gives the profile folder and the font
 * for burnt-in text.
 */
#include "autoconfig.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "engine.h"
#include "mcr-plugin.h"
#include "profile.h"

#define DEFAULT_PROFILES SYSCONFDIR "/mcr/profiles"
#define DEFAULT_FONT "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"

static char *cfg_profiles;
static char *cfg_font;

/* [transcode] profiles, else $MCR_PROFILES (./quickstart points it at
 * the source tree, which is not installed), else the installed folder. */
static const char *
profiles_dir(void)
{
	const char *env = getenv("MCR_PROFILES");

	if (cfg_profiles != NULL)
		return cfg_profiles;
	return env != NULL && *env != '\0' ? env : DEFAULT_PROFILES;
}

static int
transcode_config(const char *key, const char *value, char *err, size_t errlen)
{
	char **slot;

	if (strcmp(key, "profiles") == 0)
		slot = &cfg_profiles;
	else if (strcmp(key, "font") == 0)
		slot = &cfg_font;
	else {
		snprintf(err, errlen, "unknown key '%s' in [transcode] (it has "
		    "profiles and font)", key);
		return -1;
	}
	if (value[0] != '/') {
		snprintf(err, errlen, "[transcode] %s wants an absolute path, "
		    "not '%s'", key, value);
		return -1;
	}
	free(*slot);
	if ((*slot = strdup(value)) == NULL)
		abort();
	return 0;
}

struct ctx {
	struct mcr_job *job;
	const struct mcr_host *host;
	char subject[PATH_MAX];
};

static int
cb_cancelled(void *arg)
{
	struct ctx *c = arg;

	return c->host->cancelled(c->job);
}

static void
cb_progress(void *arg, int64_t done, int64_t total, double fps,
    double speed, double eta)
{
	struct ctx *c = arg;
	char subject[PATH_MAX + 128];
	double fraction = -1;

	if (total > 0) {
		fraction = (double)done / (double)total;
		if (fraction > 1)
			fraction = 1;
		snprintf(subject, sizeof subject, "frame %lld of %lld, %.1f "
		    "fps, %.2fx real time: %s", (long long)done,
		    (long long)total, fps, speed, c->subject);
	} else
		snprintf(subject, sizeof subject, "frame %lld, %.1f fps, "
		    "%.2fx real time: %s", (long long)done, fps, speed,
		    c->subject);
	c->host->progress(c->job, fraction, fps > 0 ? fps : -1, "fps", eta,
	    subject);
	c->host->meter(c->job, "frames", (double)done, "frames");
	c->host->meter(c->job, "fps", fps, "fps");
	c->host->meter(c->job, "speed", speed, "x");
}

static void
cb_log(void *arg, const char *message)
{
	struct ctx *c = arg;

	c->host->log(c->job, message);
}

static void
cb_finding(void *arg, const char *severity, const char *code,
    const char *position, const char *message)
{
	struct ctx *c = arg;
	char kind[64];

	c->host->finding(c->job, severity, code, position, message);
	/* The shift log's reader sees it too: a field order that the
	 * analysis contradicts is a warning for whoever takes the file. */
	snprintf(kind, sizeof kind, "transcode.%s", code);
	c->host->event(c->job, strcmp(severity, "info") == 0 ? "info" :
	    severity, kind, position, message);
}

/* FFmpeg's own messages go to the job's log (stderr), errors only. */
static void
quiet_ffmpeg(void)
{
	av_log_set_level(AV_LOG_ERROR);
}

/* The engine options from the job's parameters; the profile and line-up
 * are loaded into *pp and *lp. Returns 0 or -1 with err. */
static int
load_opts(struct mcr_job *job, const struct mcr_host *host,
    struct engine_opts *o, struct profile **pp, struct lineup **lp,
    char *out, size_t outlen, char *err, size_t errlen)
{
	const char *spec = host->param(job, "lineup");
	const char *output = host->param(job, "output");
	struct stat sb;

	memset(o, 0, sizeof *o);
	*pp = NULL;
	*lp = NULL;
	o->input = host->param(job, "file");
	o->lut = host->param(job, "lut");
	o->audio_map = host->param(job, "audio_map");
	o->audio_file = host->param(job, "audio");
	o->audio_offset = host->param(job, "audio_offset");
	o->tc_start = host->param(job, "tc_start");
	o->font = cfg_font != NULL ? cfg_font : DEFAULT_FONT;
	if ((*pp = profile_find(profiles_dir(), host->param(job, "profile"),
	    err, errlen)) == NULL)
		return -1;
	o->profile = *pp;
	if (spec != NULL &&
	    (*lp = lineup_find(profiles_dir(), spec, err, errlen)) == NULL)
		return -1;
	o->lineup = *lp;
	if (stat(o->input, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "the source %s %s", o->input,
		    stat(o->input, &sb) != 0 ? "does not exist" :
		    "is not a file");
		return -1;
	}
	if (o->audio_file != NULL && access(o->audio_file, R_OK) != 0) {
		snprintf(err, errlen, "cannot read the layback audio %s: %s",
		    o->audio_file, strerror(errno));
		return -1;
	}
	if (o->lut != NULL && access(o->lut, R_OK) != 0) {
		snprintf(err, errlen, "cannot read the LUT %s: %s", o->lut,
		    strerror(errno));
		return -1;
	}
	if (output != NULL)
		snprintf(out, outlen, "%s", output);
	else
		engine_output_name(*pp, o->input, NULL, out, outlen);
	o->output = out;
	if (!host->path_allowed(job, out, 1)) {
		snprintf(err, errlen, "%s is outside every configured volume; "
		    "mcr writes only inside a [volume] of mcr.ini", out);
		return -1;
	}
	if (access(out, F_OK) == 0) {
		snprintf(err, errlen, "%s exists already; remove it or give "
		    "another name with -o", out);
		return -1;
	}
	return 0;
}

static int
transcode_check(struct mcr_job *job, const struct mcr_host *host)
{
	struct engine_opts o;
	struct profile *p = NULL;
	struct lineup *l = NULL;
	char err[1024], out[PATH_MAX], why[512];
	json_t *r;
	char *s;
	int rc = MCR_JOB_FAILED;

	quiet_ffmpeg();
	if (load_opts(job, host, &o, &p, &l, out, sizeof out, err,
	    sizeof err) < 0 || engine_check_options(&o, err, sizeof err) < 0) {
		host->fail(job, err);
		goto out;
	}
	if (!engine_profile_available(p, why, sizeof why)) {
		snprintf(err, sizeof err, "profile %s cannot be encoded here: "
		    "%s", p->name, why);
		host->fail(job, err);
		goto out;
	}
	r = json_pack("{s:s, s:s, s:b}", "output", out, "profile", p->name,
	    "split", p->split);
	s = json_dumps(r, JSON_COMPACT);
	host->result(job, s);
	free(s);
	json_decref(r);
	rc = MCR_JOB_DONE;
out:
	profile_free(p);
	lineup_free(l);
	return rc;
}

/* A catalogue row for an output the engine wrote. */
static void
catalogue(struct mcr_job *job, const struct mcr_host *host, json_t *res,
    const char *path, const struct profile *p)
{
	struct stat sb;
	json_t *m;
	char *s;

	if (host->size < offsetof(struct mcr_host, record) +
	    sizeof host->record || host->record == NULL ||
	    stat(path, &sb) != 0)
		return;
	m = json_pack("{s:s, s:I, s:I, s:s, s:s?, s:i, s:i, s:s, s:s, s:O, "
	    "s:O, s:s, s:s?, s:i, s:s, s:{s:s, s:s}}",
	    "path", path, "size", (json_int_t)sb.st_size,
	    "mtime", (json_int_t)sb.st_mtime, "container", p->container,
	    "video_codec", p->video ? p->vcodec : NULL,
	    "width", (int)json_integer_value(json_object_get(res, "width")),
	    "height", (int)json_integer_value(json_object_get(res, "height")),
	    "rate", json_string_value(json_object_get(res, "rate")),
	    "scan", json_string_value(json_object_get(res, "scan")),
	    "duration", json_object_get(res, "duration"),
	    "frames", json_object_get(res, "frames"),
	    "tc_start", json_string_value(json_object_get(res, "tc_start")),
	    "audio_codec", p->audio != AUDIO_NONE ? p->acodec : NULL,
	    "audio_channels", p->split ? 1 : p->tracks,
	    "audio_layout", p->audio == AUDIO_MONO ? "mono" : p->audio ==
	    AUDIO_STEREO ? "stereo" : "none",
	    "meta", "profile", p->name, "source", host->param(job, "file"));
	if (m == NULL)
		return;
	s = json_dumps(m, JSON_COMPACT);
	host->record(job, "media", s);
	free(s);
	json_decref(m);
}

static int
transcode_run(struct mcr_job *job, const struct mcr_host *host)
{
	struct engine_opts o;
	struct profile *p = NULL;
	struct lineup *l = NULL;
	struct ctx c = { .job = job, .host = host };
	char err[1024], out[PATH_MAX], msg[PATH_MAX * 2 + 256];
	json_t *res = NULL, *v;
	const char *base;
	size_t i;
	char *s;
	int rc = MCR_JOB_FAILED, ret;

	quiet_ffmpeg();
	if (load_opts(job, host, &o, &p, &l, out, sizeof out, err,
	    sizeof err) < 0) {
		host->fail(job, err);
		goto out;
	}
	base = strrchr(o.input, '/');
	snprintf(c.subject, sizeof c.subject, "%s to %s",
	    base != NULL ? base + 1 : o.input, p->name);
	o.arg = &c;
	o.cancelled = cb_cancelled;
	o.progress = cb_progress;
	o.log = cb_log;
	o.finding = cb_finding;
	snprintf(msg, sizeof msg, "transcoding %s to profile %s as %s",
	    o.input, p->name, out);
	host->log(job, msg);
	host->progress(job, 0, -1, NULL, -1, c.subject);
	ret = engine_run(&o, &res, err, sizeof err);
	if (ret == ENGINE_CANCELLED) {
		host->log(job, "cancelled; the partial output was removed");
		rc = MCR_JOB_CANCELLED;
		goto out;
	}
	if (ret != ENGINE_DONE) {
		host->fail(job, err);
		goto out;
	}
	json_array_foreach(json_object_get(res, "outputs"), i, v)
		catalogue(job, host, res, json_string_value(v), p);
	snprintf(msg, sizeof msg, "%s transcoded to %s: %s, %lld frames from "
	    "%s", o.input, p->name, out,
	    (long long)json_integer_value(json_object_get(res, "frames")),
	    json_string_value(json_object_get(res, "tc_start")));
	host->event(job, "notice", "transcode.done", out, msg);
	s = json_dumps(res, JSON_COMPACT);
	host->result(job, s);
	free(s);
	rc = MCR_JOB_DONE;
out:
	json_decref(res);
	profile_free(p);
	lineup_free(l);
	return rc;
}

static int
transcode_profiles(struct mcr_job *job, const struct mcr_host *host)
{
	const char *only = host->param(job, "name");
	char **names = NULL, err[1024], why[512];
	json_t *list = json_array(), *r;
	int n, i;
	char *s;

	quiet_ffmpeg();
	if ((n = profile_list(profiles_dir(), &names, err, sizeof err)) < 0) {
		host->fail(job, err);
		json_decref(list);
		return MCR_JOB_FAILED;
	}
	for (i = 0; i < n; i++) {
		struct profile *p;
		json_t *o;
		char size[32], rate[32];
		int ok;

		if (only != NULL && strcmp(only, names[i]) != 0)
			continue;
		p = profile_find(profiles_dir(), names[i], err, sizeof err);
		if (p == NULL) {
			json_array_append_new(list, json_pack("{s:s, s:b, s:s}",
			    "name", names[i], "available", 0, "why", err));
			continue;
		}
		ok = engine_profile_available(p, why, sizeof why);
		if (p->width != 0)
			snprintf(size, sizeof size, "%dx%d", p->width,
			    p->height);
		else
			snprintf(size, sizeof size, "source");
		if (p->rate_num == 0)
			snprintf(rate, sizeof rate, "source");
		else if (p->rate_den == 1)
			snprintf(rate, sizeof rate, "%d", p->rate_num);
		else
			snprintf(rate, sizeof rate, "%.3f",
			    (double)p->rate_num / p->rate_den);
		o = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s, s:s, s:s, "
		    "s:s?, s:s, s:i, s:b}",
		    "name", p->name, "description", p->description != NULL ?
		    p->description : "", "container", p->container,
		    "video_codec", p->video ? p->vcodec : NULL,
		    "pix_fmt", p->video ? p->pix_fmt : NULL,
		    "size", p->video ? size : "none", "rate", rate,
		    "scan", !p->video ? "none" : !p->interlaced ?
		    "progressive" : p->tff ? "tff" : "bff",
		    "audio_codec", p->audio != AUDIO_NONE ? p->acodec : NULL,
		    "audio", p->audio == AUDIO_NONE ? "none" :
		    p->audio == AUDIO_STEREO ? "stereo" : p->split ?
		    "mono stems" : "mono tracks",
		    "tracks", p->tracks, "available", ok);
		if (p->loudness_set)
			json_object_set_new(o, "loudness", json_pack("{s:f, s:s}",
			    "target", p->loudness, "mode", p->loudness_dynamic ?
			    "dynamic" : "linear"));
		if (!ok)
			json_object_set_new(o, "why", json_string(why));
		json_array_append_new(list, o);
		profile_free(p);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (only != NULL && json_array_size(list) == 0) {
		snprintf(err, sizeof err, "there is no profile '%s' in %s; "
		    "'mcr profiles' lists them", only, profiles_dir());
		host->fail(job, err);
		json_decref(list);
		return MCR_JOB_FAILED;
	}
	r = json_pack("{s:s, s:o}", "folder", profiles_dir(), "profiles",
	    list);
	s = json_dumps(r, JSON_COMPACT);
	host->result(job, s);
	free(s);
	json_decref(r);
	return MCR_JOB_DONE;
}

#define RUN_PARAMS \
	{ .name = "file", .help = "the source media file", .required = 1 }, \
	{ .name = "profile", .help = "the profile's name ('mcr profiles')", \
	    .required = 1 }, \
	{ .name = "output", .help = "the output file (default: the " \
	    "profile's naming template beside the source)" }, \
	{ .name = "lut", .help = "a 3D LUT (.cube) applied to the picture" }, \
	{ .name = "audio_map", .help = "source channel to output channel, " \
	    "such as 1:1,2:2" }, \
	{ .name = "audio", .help = "a WAV laid back in place of the " \
	    "source's sound" }, \
	{ .name = "audio_offset", .help = "move the sound later (or earlier " \
	    "when negative): milliseconds, or frames as 2f" }, \
	{ .name = "tc_start", .help = "the output's start timecode" }, \
	{ .name = "lineup", .help = "a line-up spec: bars and tone, ident, " \
	    "black before the programme" }, \
	{ NULL }

static const struct mcr_param run_params[] = { RUN_PARAMS };
static const struct mcr_param check_params[] = { RUN_PARAMS };
static const struct mcr_param profile_params[] = {
	{ .name = "name", .help = "only this profile" },
	{ NULL }
};

static const struct mcr_kind transcode_kinds[] = {
	{
		.name = "transcode.run",
		.summary = "transcode a file to a named profile",
		.params = run_params,
		/* A failure here is the source's or the options' and would
		 * recur; after a crash, `mcr job retry` runs it again. */
		.retry_safe = 0,
		.run = transcode_run,
	},
	{
		.name = "transcode.check",
		.summary = "check a transcode's options without running it",
		.params = check_params,
		.retry_safe = 1,
		.run = transcode_check,
	},
	{
		.name = "transcode.profiles",
		.summary = "list the transcode profiles and whether they can "
		    "be encoded here",
		.params = profile_params,
		.retry_safe = 1,
		.run = transcode_profiles,
	},
	{ NULL }
};

static const struct mcr_plugin transcode_plugin = {
	.size = sizeof(struct mcr_plugin),
	.abi_version = MCR_PLUGIN_ABI_VERSION,
	.name = "transcode",
	.version = PACKAGE_VERSION,
	.summary = "transcodes to named profiles through the FFmpeg libraries",
	.config = transcode_config,
	.kinds = transcode_kinds,
};

const struct mcr_plugin *
mcr_plugin_entry(void)
{
	return &transcode_plugin;
}
