/*
 * profile: see profile.h. inih calls handler() once a key; each key is
 * parsed into the struct at once, and the first bad key stops the parse
 * with its sentence kept in the parse state, so that the caller can put
 * the file and the line (inih's return value) in front of it.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "profile.h"

struct parse {
	struct profile *p;
	struct lineup *l;
	char msg[256];
};

static void *
xcalloc1(size_t size)
{
	void *v = calloc(1, size);

	if (v == NULL)
		abort();
	return v;
}

static char *
xstrdup1(const char *s)
{
	char *d = strdup(s);

	if (d == NULL)
		abort();
	return d;
}

static void
set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup1(v);
}

static int
fail(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
fail(struct parse *ps, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ps->msg, sizeof ps->msg, fmt, ap);
	va_end(ap);
	return 0;
}

static int
parse_int(const char *v, int lo, int hi, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || n < lo || n > hi)
		return -1;
	*out = (int)n;
	return 0;
}

static int
parse_double(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !(d >= lo && d <= hi))
		return -1;
	*out = d;
	return 0;
}

static int
parse_bool(const char *v, int *out)
{
	if (strcasecmp(v, "yes") == 0 || strcasecmp(v, "true") == 0 ||
	    strcmp(v, "1") == 0 || strcasecmp(v, "on") == 0)
		*out = 1;
	else if (strcasecmp(v, "no") == 0 || strcasecmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0 || strcasecmp(v, "off") == 0)
		*out = 0;
	else
		return -1;
	return 0;
}

/* "25", "25/1", "30000/1001", "29.97" (as 30000/1001), "source" (0/0). */
static int
parse_rate(const char *v, int *num, int *den)
{
	static const struct { const char *name; int num, den; } named[] = {
		{ "23.976", 24000, 1001 }, { "23.98", 24000, 1001 },
		{ "29.97", 30000, 1001 }, { "59.94", 60000, 1001 },
	};
	size_t i;
	const char *slash;

	if (strcmp(v, "source") == 0) {
		*num = *den = 0;
		return 0;
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++) {
		if (strcmp(v, named[i].name) == 0) {
			*num = named[i].num;
			*den = named[i].den;
			return 0;
		}
	}
	if ((slash = strchr(v, '/')) != NULL) {
		char a[32];
		size_t n = (size_t)(slash - v);

		if (n == 0 || n >= sizeof a)
			return -1;
		memcpy(a, v, n);
		a[n] = '\0';
		return parse_int(a, 1, 240000, num) < 0 ||
		    parse_int(slash + 1, 1, 1001, den) < 0 ? -1 : 0;
	}
	*den = 1;
	return parse_int(v, 1, 240, num);
}

static int
parse_size(const char *v, int *out)
{
	if (strcmp(v, "source") == 0) {
		*out = 0;
		return 0;
	}
	if (parse_int(v, 16, 8192, out) < 0 || *out % 2 != 0)
		return -1;
	return 0;
}

static void
add_opt(struct profile_opt **v, size_t *n, const char *key, const char *value)
{
	struct profile_opt *nv = realloc(*v, (*n + 1) * sizeof **v);

	if (nv == NULL)
		abort();
	*v = nv;
	nv[*n].key = xstrdup1(key);
	nv[*n].value = xstrdup1(value);
	(*n)++;
}

static int
profile_key(struct parse *ps, const char *section, const char *key,
    const char *v)
{
	struct profile *p = ps->p;

	if (strcmp(section, "profile") == 0) {
		if (strcmp(key, "description") == 0)
			set_str(&p->description, v);
		else if (strcmp(key, "container") == 0)
			set_str(&p->container, v);
		else if (strcmp(key, "extension") == 0)
			set_str(&p->extension, v);
		else if (strcmp(key, "naming") == 0) {
			if (strchr(v, '/') != NULL)
				return fail(ps, "naming '%s' names a file, not "
				    "a folder: leave out the '/'", v);
			set_str(&p->naming, v);
		} else
			return fail(ps, "unknown key '%s' in [profile]", key);
		return 1;
	}
	if (strcmp(section, "video") == 0) {
		p->video = 1;
		if (strcmp(key, "codec") == 0) {
			if (strcmp(v, "none") == 0)
				p->video = 0;
			else
				set_str(&p->vcodec, v);
		} else if (strcmp(key, "pix_fmt") == 0)
			set_str(&p->pix_fmt, v);
		else if (strcmp(key, "width") == 0) {
			if (parse_size(v, &p->width) < 0)
				return fail(ps, "width '%s' is not an even "
				    "number from 16 to 8192 or 'source'", v);
		} else if (strcmp(key, "height") == 0) {
			if (parse_size(v, &p->height) < 0)
				return fail(ps, "height '%s' is not an even "
				    "number from 16 to 8192 or 'source'", v);
		} else if (strcmp(key, "rate") == 0) {
			if (parse_rate(v, &p->rate_num, &p->rate_den) < 0)
				return fail(ps, "rate '%s' is not a frame rate "
				    "such as 25, 29.97, 30000/1001 or 'source'",
				    v);
		} else if (strcmp(key, "scan") == 0) {
			if (strcmp(v, "progressive") == 0)
				p->interlaced = 0;
			else if (strcmp(v, "interlaced") == 0)
				p->interlaced = 1;
			else
				return fail(ps, "scan '%s' is not progressive "
				    "or interlaced", v);
		} else if (strcmp(key, "field_order") == 0) {
			if (strcmp(v, "tff") == 0)
				p->tff = 1;
			else if (strcmp(v, "bff") == 0)
				p->tff = 0;
			else
				return fail(ps, "field_order '%s' is not tff or "
				    "bff", v);
		} else if (strcmp(key, "colour") == 0) {
			if (strcmp(v, "bt709") != 0 &&
			    strcmp(v, "bt601-625") != 0 &&
			    strcmp(v, "bt601-525") != 0)
				return fail(ps, "colour '%s' is not bt709, "
				    "bt601-625 or bt601-525", v);
			set_str(&p->colour, v);
		} else if (strcmp(key, "aspect") == 0) {
			if (sscanf(v, "%d:%d", &p->dar_num, &p->dar_den) != 2 ||
			    p->dar_num <= 0 || p->dar_den <= 0 ||
			    p->dar_num > 100 || p->dar_den > 100)
				return fail(ps, "aspect '%s' is not a display "
				    "aspect such as 16:9 or 4:3", v);
		} else if (strcmp(key, "fit") == 0) {
			if (strcmp(v, "pillarbox") == 0 ||
			    strcmp(v, "letterbox") == 0)
				p->fit = FIT_PILLARBOX;
			else if (strcmp(v, "anamorphic") == 0)
				p->fit = FIT_ANAMORPHIC;
			else if (strcmp(v, "stretch") == 0)
				p->fit = FIT_STRETCH;
			else
				return fail(ps, "fit '%s' is not pillarbox, "
				    "letterbox, anamorphic or stretch", v);
		} else if (strcmp(key, "burn_timecode") == 0) {
			if (parse_bool(v, &p->burn_timecode) < 0)
				return fail(ps, "burn_timecode '%s' is not yes "
				    "or no", v);
		} else if (strcmp(key, "watermark") == 0)
			set_str(&p->watermark, v);
		else
			return fail(ps, "unknown key '%s' in [video]", key);
		return 1;
	}
	if (strcmp(section, "audio") == 0) {
		if (strcmp(key, "codec") == 0)
			set_str(&p->acodec, v);
		else if (strcmp(key, "layout") == 0) {
			if (strcmp(v, "none") == 0)
				p->audio = AUDIO_NONE;
			else if (strcmp(v, "mono") == 0)
				p->audio = AUDIO_MONO;
			else if (strcmp(v, "stereo") == 0) {
				p->audio = AUDIO_STEREO;
				p->tracks = 2;
			} else
				return fail(ps, "layout '%s' is not none, mono "
				    "or stereo", v);
		} else if (strcmp(key, "tracks") == 0) {
			if (parse_int(v, 1, 16, &p->tracks) < 0)
				return fail(ps, "tracks '%s' is not a number "
				    "from 1 to 16", v);
		} else if (strcmp(key, "split") == 0) {
			if (parse_bool(v, &p->split) < 0)
				return fail(ps, "split '%s' is not yes or no",
				    v);
		} else if (strcmp(key, "sample_rate") == 0) {
			if (parse_int(v, 8000, 192000, &p->sample_rate) < 0)
				return fail(ps, "sample_rate '%s' is not a rate "
				    "from 8000 to 192000", v);
		} else if (strcmp(key, "loudness") == 0) {
			if (parse_double(v, -70, 0, &p->loudness) < 0)
				return fail(ps, "loudness '%s' is not a target "
				    "in LUFS from -70 to 0", v);
			p->loudness_set = 1;
		} else if (strcmp(key, "loudness_mode") == 0) {
			if (strcmp(v, "linear") == 0)
				p->loudness_dynamic = 0;
			else if (strcmp(v, "dynamic") == 0)
				p->loudness_dynamic = 1;
			else
				return fail(ps, "loudness_mode '%s' is not "
				    "linear or dynamic", v);
		} else if (strcmp(key, "true_peak") == 0) {
			if (parse_double(v, -9, 0, &p->true_peak) < 0)
				return fail(ps, "true_peak '%s' is not a level "
				    "in dBTP from -9 to 0", v);
		} else if (strcmp(key, "lra") == 0) {
			if (parse_double(v, 1, 50, &p->lra) < 0)
				return fail(ps, "lra '%s' is not a range in LU "
				    "from 1 to 50", v);
		} else
			return fail(ps, "unknown key '%s' in [audio]", key);
		return 1;
	}
	if (strcmp(section, "video-options") == 0) {
		add_opt(&p->vopts, &p->nvopts, key, v);
		return 1;
	}
	if (strcmp(section, "audio-options") == 0) {
		add_opt(&p->aopts, &p->naopts, key, v);
		return 1;
	}
	if (strcmp(section, "mux-options") == 0) {
		add_opt(&p->mopts, &p->nmopts, key, v);
		return 1;
	}
	return fail(ps, "unknown section [%s]; a profile has [profile], "
	    "[video], [audio], [video-options], [audio-options] and "
	    "[mux-options]", section);
}

static int
profile_handler(void *user, const char *section, const char *key,
    const char *value)
{
	struct parse *ps = user;

	if (key == NULL)	/* a section header alone */
		return 1;
	return profile_key(ps, section, key, value);
}

/* The stem of path: "/a/prores-hq.ini" is "prores-hq". */
static char *
stem(const char *path)
{
	const char *b = strrchr(path, '/');
	char *s, *dot;

	s = xstrdup1(b != NULL ? b + 1 : path);
	if ((dot = strrchr(s, '.')) != NULL && dot != s)
		*dot = '\0';
	return s;
}

/* What a parse returned, as one sentence naming file and line. */
static int
report(int rc, const struct parse *ps, const char *path, char *err,
    size_t errlen)
{
	if (rc == 0)
		return 0;
	if (rc == -1)
		snprintf(err, errlen, "cannot read %s: %s", path,
		    strerror(errno));
	else if (rc == -2)
		snprintf(err, errlen, "cannot read %s: out of memory", path);
	else if (ps->msg[0] != '\0')
		snprintf(err, errlen, "%s:%d: %s", path, rc, ps->msg);
	else
		snprintf(err, errlen, "%s:%d: not a line of an INI file "
		    "(want key = value or [section])", path, rc);
	return -1;
}

struct profile *
profile_load(const char *path, char *err, size_t errlen)
{
	struct parse ps = { 0 };
	struct profile *p = xcalloc1(sizeof *p);
	int rc;

	p->name = stem(path);
	p->path = xstrdup1(path);
	p->tff = 1;
	p->fit = FIT_PILLARBOX;
	p->sample_rate = 48000;
	p->true_peak = -1;
	p->lra = 11;
	p->audio = AUDIO_NONE;
	ps.p = p;
	errno = 0;
	rc = ini_parse(path, profile_handler, &ps);
	if (report(rc, &ps, path, err, errlen) < 0)
		goto bad;
	/* What every profile needs, checked once it is all read. */
	if (p->container == NULL) {
		snprintf(err, errlen, "%s: [profile] has no container (mov, "
		    "mp4, mxf, wav, dv)", path);
		goto bad;
	}
	if (p->extension == NULL)
		p->extension = xstrdup1(p->container);
	if (p->naming == NULL)
		p->naming = xstrdup1(p->split ? "{name}_{profile}_A{track}.{ext}"
		    : "{name}_{profile}.{ext}");
	if (p->video && (p->vcodec == NULL || p->pix_fmt == NULL)) {
		snprintf(err, errlen, "%s: [video] needs codec and pix_fmt, "
		    "or codec = none", path);
		goto bad;
	}
	if (p->audio != AUDIO_NONE && p->acodec == NULL) {
		snprintf(err, errlen, "%s: [audio] needs a codec for layout "
		    "%s", path, p->audio == AUDIO_MONO ? "mono" : "stereo");
		goto bad;
	}
	if (p->audio == AUDIO_STEREO && p->tracks != 2)
		p->tracks = 2;
	if (p->audio == AUDIO_MONO && p->tracks == 0)
		p->tracks = 1;
	if (!p->video && p->audio == AUDIO_NONE) {
		snprintf(err, errlen, "%s: the profile makes neither video nor "
		    "audio", path);
		goto bad;
	}
	if (p->split && (p->video || p->audio != AUDIO_MONO)) {
		snprintf(err, errlen, "%s: split = yes makes one file a mono "
		    "track: only for audio-only profiles with layout = mono",
		    path);
		goto bad;
	}
	if ((p->width == 0) != (p->height == 0)) {
		snprintf(err, errlen, "%s: give both width and height, or "
		    "neither", path);
		goto bad;
	}
	if (p->video && p->colour == NULL)
		p->colour = xstrdup1("bt709");
	return p;
bad:
	profile_free(p);
	return NULL;
}

/* A name is a file stem: no slash, no dot at the start. */
static int
name_valid(const char *name)
{
	return name[0] != '\0' && name[0] != '.' && strchr(name, '/') == NULL &&
	    strlen(name) < 128;
}

struct profile *
profile_find(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	FILE *f;

	if (!name_valid(name)) {
		snprintf(err, errlen, "'%s' is not a profile name; 'mcr "
		    "profiles' lists them", name);
		return NULL;
	}
	snprintf(path, sizeof path, "%s/%s.ini", dir, name);
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "there is no profile '%s' in %s; 'mcr "
		    "profiles' lists them", name, dir);
		return NULL;
	}
	fclose(f);
	return profile_load(path, err, errlen);
}

void
profile_free(struct profile *p)
{
	size_t i;

	if (p == NULL)
		return;
	free(p->name);
	free(p->path);
	free(p->description);
	free(p->container);
	free(p->extension);
	free(p->naming);
	free(p->vcodec);
	free(p->pix_fmt);
	free(p->colour);
	free(p->watermark);
	free(p->acodec);
	for (i = 0; i < p->nvopts; i++) {
		free(p->vopts[i].key);
		free(p->vopts[i].value);
	}
	for (i = 0; i < p->naopts; i++) {
		free(p->aopts[i].key);
		free(p->aopts[i].value);
	}
	for (i = 0; i < p->nmopts; i++) {
		free(p->mopts[i].key);
		free(p->mopts[i].value);
	}
	free(p->vopts);
	free(p->aopts);
	free(p->mopts);
	free(p);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
profile_list(const char *dir, char ***names, char *err, size_t errlen)
{
	DIR *d;
	struct dirent *e;
	char **v = NULL;
	int n = 0;

	*names = NULL;
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot read the profile folder %s: %s; "
		    "set [transcode] profiles in mcr.ini", dir,
		    strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		size_t len = strlen(e->d_name);
		char **nv;

		if (len < 5 || e->d_name[0] == '.' ||
		    strcmp(e->d_name + len - 4, ".ini") != 0)
			continue;
		if ((nv = realloc(v, (size_t)(n + 1) * sizeof *v)) == NULL)
			abort();
		v = nv;
		v[n++] = stem(e->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*names = v;
	return n;
}

/* --- line-up specs --- */

static int
lineup_handler(void *user, const char *section, const char *key,
    const char *v)
{
	struct parse *ps = user;
	struct lineup *l = ps->l;

	if (key == NULL)
		return 1;
	if (strcmp(section, "lineup") != 0)
		return fail(ps, "unknown section [%s]; a line-up spec has "
		    "[lineup]", section);
	if (strcmp(key, "programme") == 0)
		set_str(&l->programme, v);
	else if (strcmp(key, "bars_start") == 0)
		set_str(&l->bars_start, v);
	else if (strcmp(key, "ident_start") == 0)
		set_str(&l->ident_start, v);
	else if (strcmp(key, "black_start") == 0)
		set_str(&l->black_start, v);
	else if (strcmp(key, "title") == 0)
		set_str(&l->title, v);
	else if (strcmp(key, "bars") == 0) {
		if (strcmp(v, "ebu100") == 0)
			l->bars = BARS_EBU100;
		else if (strcmp(v, "smptehd") == 0)
			l->bars = BARS_SMPTEHD;
		else
			return fail(ps, "bars '%s' is not ebu100 or smptehd",
			    v);
	} else if (strcmp(key, "tone_dbfs") == 0) {
		if (parse_double(v, -60, 0, &l->tone_dbfs) < 0)
			return fail(ps, "tone_dbfs '%s' is not a level from "
			    "-60 to 0 dBFS", v);
	} else if (strcmp(key, "ident_tone") == 0) {
		if (strcmp(v, "ebu") == 0)
			l->ident_tone = 1;
		else if (strcmp(v, "none") == 0)
			l->ident_tone = 0;
		else
			return fail(ps, "ident_tone '%s' is not ebu or none",
			    v);
	} else
		return fail(ps, "unknown key '%s' in [lineup]", key);
	return 1;
}

struct lineup *
lineup_find(const char *dir, const char *spec, char *err, size_t errlen)
{
	struct parse ps = { 0 };
	struct lineup *l;
	char path[PATH_MAX];
	FILE *f;
	int rc;

	if (strchr(spec, '/') != NULL)
		snprintf(path, sizeof path, "%s", spec);
	else if (name_valid(spec))
		snprintf(path, sizeof path, "%s/lineup/%s.ini", dir, spec);
	else {
		snprintf(err, errlen, "'%s' is not a line-up spec name or "
		    "path", spec);
		return NULL;
	}
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "there is no line-up spec '%s' (%s: %s); "
		    "give a name from %s/lineup or a path to a .ini", spec,
		    path, strerror(errno), dir);
		return NULL;
	}
	fclose(f);
	l = xcalloc1(sizeof *l);
	l->name = stem(path);
	l->path = xstrdup1(path);
	l->tone_dbfs = -18;
	l->bars = BARS_EBU100;
	ps.l = l;
	errno = 0;
	rc = ini_parse(path, lineup_handler, &ps);
	if (report(rc, &ps, path, err, errlen) < 0) {
		lineup_free(l);
		return NULL;
	}
	if (l->programme == NULL) {
		snprintf(err, errlen, "%s: [lineup] has no programme "
		    "timecode (programme = 10:00:00:00)", path);
		lineup_free(l);
		return NULL;
	}
	return l;
}

void
lineup_free(struct lineup *l)
{
	if (l == NULL)
		return;
	free(l->name);
	free(l->path);
	free(l->programme);
	free(l->bars_start);
	free(l->ident_start);
	free(l->black_start);
	free(l->title);
	free(l);
}
