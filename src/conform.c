/*
 * conform: see conform.h. One pass over the events resolves and checks
 * each clip line; a second pass per track finds gaps and overlaps. All
 * positions are frame counts through timecode.c: the EDL's at the event's
 * rate, the media's at the media's own rate.
 */
#include "autoconfig.h"

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conform.h"
#include "strutil.h"
#include "xmalloc.h"

static const char *const status_names[CONFORM_NSTATUS] = {
	[CONFORM_RESOLVED] = "resolved",
	[CONFORM_MISSING] = "missing",
	[CONFORM_OUT_OF_RANGE] = "out_of_range",
	[CONFORM_AMBIGUOUS] = "ambiguous",
	[CONFORM_BLACK] = "black",
	[CONFORM_AUX] = "aux",
};

static const char *const key_names[CONFORM_NKEYS] = {
	[CONFORM_BY_SOURCE_FILE] = "source file",
	[CONFORM_BY_CLIP_NAME] = "clip name",
	[CONFORM_BY_REEL] = "reel",
};

const char *
conform_status_name(enum conform_status s)
{
	return s < CONFORM_NSTATUS ? status_names[s] : "?";
}

const char *
conform_key_name(enum conform_key k)
{
	return k < CONFORM_NKEYS ? key_names[k] : "?";
}

const char *
conform_channel_name(unsigned channel)
{
	static const char *const audio[] = { "A", "A2", "A3", "A4", "A5",
	    "A6", "A7", "A8" };
	int i;

	if (channel == EDL_CH_V)
		return "V";
	for (i = 1; i <= 8; i++) {
		if (channel == EDL_CH_A(i))
			return audio[i - 1];
	}
	return "?";
}

/* --- the media's timecode range --- */

/* The media's rate, first frame and length in frames; false when the
 * catalogue does not say enough to know them. */
static bool
media_range(const struct conform_media *m, const struct tc_rate **rate,
    int64_t *start, int64_t *len)
{
	char err[128];

	if ((*rate = tc_rate_of(m->rate, m->drop_frame == 1)) == NULL)
		return false;
	*start = 0;
	if (m->tc_start != NULL && tc_parse(m->tc_start, *rate, start, err,
	    sizeof err) != TC_OK)
		return false;
	if (m->frames > 0)
		*len = m->frames;
	else if (m->duration > 0)
		*len = llround(m->duration * (*rate)->num / (*rate)->den);
	else
		return false;
	return true;
}

/* A frame of the EDL at the media's rate: the same label when both count
 * the same frames a second (EDL source timecode is the media's own),
 * otherwise the same real time. */
static int64_t
to_media(int64_t f, const struct tc_rate *er, const struct tc_rate *mr)
{
	int64_t out;
	char err[128];

	if (er == mr)
		return f;
	if (er->fps == mr->fps && tc_convert_label(f, er, mr, &out, err,
	    sizeof err) == TC_OK)
		return out;
	return tc_wrap(tc_convert(f, er, mr), mr);
}

/* --- building the result --- */

static void
problem(struct conform_clip *cc, bool error, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cc->problems = xrealloc(cc->problems, (cc->nproblems + 1) *
	    sizeof *cc->problems);
	cc->problems[cc->nproblems++] = xvasprintf(fmt, ap);
	va_end(ap);
	cc->error = cc->error || error;
}

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static bool
under_root(const char *path, const char *root)
{
	size_t n;

	if (root == NULL || *root == '\0')
		return true;
	n = strlen(root);
	while (n > 1 && root[n - 1] == '/')
		n--;
	return path != NULL && strncmp(path, root, n) == 0 &&
	    (path[n] == '/' || path[n] == '\0');
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return path != NULL && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The name each key kind looks up for clip line `which` of ev. */
static const char *
key_for(const struct edl_event *ev, int which, enum conform_key by)
{
	const char *s = NULL;

	switch (by) {
	case CONFORM_BY_SOURCE_FILE:
		s = ev->source_file[which];
		if (s != NULL)
			s = base_name(s);
		break;
	case CONFORM_BY_CLIP_NAME:
		s = which == 0 ? ev->from_clip_name : ev->to_clip_name;
		break;
	case CONFORM_BY_REEL:
		s = ev->clip[which].reel;
		break;
	default:
		break;
	}
	return s != NULL && *s != '\0' ? s : NULL;
}

/* --- lookups already done: an EDL names the same reel many times --- */

struct cache_entry {
	char *key;		/* NULL: empty slot */
	enum conform_key by;
	size_t first, end;	/* rows in r->media */
};

struct conform_cache {
	struct cache_entry *v;
	size_t cap, n;		/* cap is a power of two */
};

static size_t
cache_hash(enum conform_key by, const char *key)
{
	size_t h = 14695981039346656037ULL ^ (size_t)by;

	for (; *key != '\0'; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211ULL;
	return h;
}

static int
cached(struct conform_result *r, enum conform_key by, const char *key,
    size_t *first, size_t *end)
{
	struct conform_cache *c = r->cache;
	size_t i;

	if (c == NULL || c->cap == 0)
		return -1;
	for (i = cache_hash(by, key) & (c->cap - 1); c->v[i].key != NULL;
	    i = (i + 1) & (c->cap - 1)) {
		if (c->v[i].by == by && strcmp(c->v[i].key, key) == 0) {
			*first = c->v[i].first;
			*end = c->v[i].end;
			return 0;
		}
	}
	return -1;
}

static void
cache_put(struct conform_cache *c, struct cache_entry e)
{
	size_t i;

	for (i = cache_hash(e.by, e.key) & (c->cap - 1); c->v[i].key != NULL;
	    i = (i + 1) & (c->cap - 1))
		;
	c->v[i] = e;
	c->n++;
}

static void
remember(struct conform_result *r, enum conform_key by, const char *key,
    size_t first, size_t end)
{
	struct conform_cache *c = r->cache;
	struct cache_entry e = { xstrdup(key), by, first, end };
	size_t i, old;

	if (c == NULL)
		c = r->cache = xcalloc(1, sizeof *c);
	if (2 * (c->n + 1) > c->cap) {
		struct cache_entry *v = c->v;

		old = c->cap;
		c->cap = old ? old * 2 : 256;
		c->v = xcalloc(c->cap, sizeof *c->v);
		c->n = 0;
		for (i = 0; i < old; i++) {
			if (v[i].key != NULL)
				cache_put(c, v[i]);
		}
		free(v);
	}
	cache_put(c, e);
}

static void
cache_free(struct conform_cache *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->cap; i++)
		free(c->v[i].key);
	free(c->v);
	free(c);
}

struct fit {
	struct conform_media *m;
	const struct tc_rate *rate;
	int64_t in, out;	/* at the media's rate */
	int64_t start, len;	/* the media's first frame and length */
	int64_t outside;	/* frames outside the media; 0 when inside */
	bool known;		/* its range could be worked out */
};

static void
fit_media(struct fit *f, const struct edl_event *ev, int64_t lo, int64_t hi)
{
	int64_t start = 0, len = 0, rel, day;

	f->known = media_range(f->m, &f->rate, &start, &len);
	f->start = start;
	f->len = len;
	if (!f->known) {
		f->outside = 0;
		return;
	}
	f->in = to_media(lo, ev->rate, f->rate);
	f->out = f->in + (f->rate == ev->rate ? hi - lo :
	    tc_convert(hi - lo, ev->rate, f->rate));
	day = tc_frames_per_day(f->rate);
	rel = tc_sub(f->in, start, f->rate);
	if (rel >= len)
		/* Before the first frame (wrapped) or after the last. */
		f->outside = rel - len + 1 < day - rel ? rel - len + 1 + (f->out -
		    f->in) : day - rel;
	else
		f->outside = rel + (f->out - f->in) > len ? rel + (f->out -
		    f->in) - len : 0;
}

struct walk_ctx {
	const char *name;
	int64_t size;
	char *found;
};

static struct walk_ctx *walk_target;

static int
walk_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)ftw;
	if (type == FTW_F && strcmp(base_name(path), walk_target->name) == 0 &&
	    (walk_target->size < 0 || st->st_size == walk_target->size)) {
		walk_target->found = xstrdup(path);
		return 1;
	}
	return 0;
}

/* Where offline media might be now: another catalogued copy with the same
 * name, duration and start timecode that is on disk, or a file of the same
 * name and size under the media root. */
static char *
find_relink(const struct conform_media *m, struct fit *fits, size_t nfits,
    const char *root)
{
	struct walk_ctx w = { .name = m->name, .size = m->size };
	size_t i;

	for (i = 0; i < nfits; i++) {
		const struct conform_media *o = fits[i].m;

		if (o == m || o->name == NULL || m->name == NULL ||
		    strcmp(o->name, m->name) != 0)
			continue;
		if ((o->tc_start == NULL) != (m->tc_start == NULL) ||
		    (o->tc_start != NULL && strcmp(o->tc_start, m->tc_start)))
			continue;
		if (fabs(o->duration - m->duration) > 0.05)
			continue;
		if (file_exists(o->path))
			return xstrdup(o->path);
	}
	if (root == NULL || m->name == NULL)
		return NULL;
	walk_target = &w;
	nftw(root, walk_one, 16, FTW_PHYS);
	walk_target = NULL;
	return w.found;
}

/* Rows of the last lookup (from index first) that lie outside the media
 * root: is one of them under it now, by name and size? */
static char *
relink_outside(struct conform_result *r, size_t first, size_t end,
    const char *root)
{
	size_t i;
	char *found;

	for (i = first; i < end; i++) {
		if (r->media[i].state != NULL && strcmp(r->media[i].state,
		    "deleted") == 0)
			continue;
		if ((found = find_relink(&r->media[i], NULL, 0, root)) != NULL)
			return found;
	}
	return NULL;
}

/* The row's xxh128, or NULL: read from its hashes only when two files
 * fit and copies must be told from different media. */
static bool
same_hash(const struct conform_media *a, const struct conform_media *b)
{
	json_t *x = json_loads(a->hashes ? a->hashes : "{}", 0, NULL);
	json_t *y = json_loads(b->hashes ? b->hashes : "{}", 0, NULL);
	const char *hx = json_string_value(json_object_get(x, "xxh128"));
	const char *hy = json_string_value(json_object_get(y, "xxh128"));
	bool same = hx != NULL && hy != NULL && strcmp(hx, hy) == 0;

	json_decref(x);
	json_decref(y);
	return same;
}

static bool
same_content(const struct fit *fits, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (!same_hash(fits[0].m, fits[i].m))
			return false;
	}
	return true;
}

/* Notes the media by index: r->media may move as later lookups grow it,
 * so conform_run() turns indexes into pointers at the end. */
static void
take(struct conform_result *r, struct conform_clip *cc, const struct fit *f)
{
	cc->media_ix = (size_t)(f->m - r->media) + 1;
	cc->media_rate = f->rate;
	cc->media_in = f->in;
	cc->media_out = f->out;
	cc->media_first = f->start;
	cc->media_frames = f->len;
}

static void
label(int64_t f, const struct tc_rate *r, char *buf, size_t size)
{
	if (r == NULL)
		strutil_copy(buf, "?", size);
	else
		tc_format(f, r, buf, size);
}

/* Resolves one clip line against the candidates the lookups give. */
static int
resolve(struct conform_result *r, struct conform_clip *cc,
    const struct conform_opts *o, char *err, size_t errlen)
{
	const struct edl_event *ev = cc->event;
	const struct edl_clip *clip = cc->clip;
	size_t first = 0, i, k, n = 0, nfits = 0, nin = 0;
	size_t tried_first = 0, tried_end = 0;
	struct fit *fits = NULL;
	int64_t lo, hi, used;
	char a[TC_FORMAT_SIZE], b[TC_FORMAT_SIZE], c[TC_FORMAT_SIZE],
	    d[TC_FORMAT_SIZE];
	const char *tried[CONFORM_NKEYS] = { NULL };
	struct conform_at at;

	/* The source frames this clip plays: as written, or as many as
	 * its speed consumes over its record duration. */
	lo = clip->src_in < clip->src_out ? clip->src_in : clip->src_out;
	hi = clip->src_in < clip->src_out ? clip->src_out : clip->src_in;
	if (clip->has_speed) {
		used = llround(fabs(clip->speed) * (double)clip->rec_duration);
		if (lo + used > hi)
			hi = lo + used;
	}
	/* The outgoing clip of a dissolve or wipe plays on under it. */
	if (cc->which == 0 && ev->nclips == 2 && lo + ev->trans_frames > hi)
		hi = lo + ev->trans_frames;
	at.rate = ev->rate;
	at.first = lo;
	at.end = hi;
	for (k = 0; k < o->norder; k++) {
		enum conform_key by = o->order[k];
		const char *key = key_for(ev, cc->which, by);

		if (key == NULL)
			continue;
		tried[by] = key;
		/* A reel lookup is narrowed to these frames, so it is not
		 * one to remember for other events. */
		if (by == CONFORM_BY_REEL || cached(r, by, key, &first,
		    &n) < 0) {
			first = r->nmedia;
			n = r->nmedia;
			if (o->find(o->find_arg, by, key, &at, &r->media, &n,
			    err, errlen) < 0)
				return -1;
			r->nmedia = n;
			if (by != CONFORM_BY_REEL)
				remember(r, by, key, first, n);
		}
		if (tried_end == tried_first) {
			tried_first = first;
			tried_end = n;
		}
		for (i = first; i < n; i++) {
			struct conform_media *m = &r->media[i];

			if ((m->state != NULL && strcmp(m->state, "deleted") ==
			    0) || !under_root(m->path, o->media_root))
				continue;
			fits = xrealloc(fits, (nfits + 1) * sizeof *fits);
			memset(&fits[nfits], 0, sizeof *fits);
			fits[nfits++].m = m;
		}
		if (nfits > 0) {
			cc->key = key;
			cc->matched_by = by;
			break;
		}
	}
	cc->candidates = nfits;
	if (nfits == 0 && o->media_root != NULL && (cc->relink =
	    relink_outside(r, tried_first, tried_end, o->media_root)) != NULL) {
		cc->status = CONFORM_MISSING;
		cc->note = xasprintf("offline: catalogued outside %s, but the "
		    "same file (name and size) is at %s: relink to it",
		    o->media_root, cc->relink);
		return 0;
	}
	if (nfits == 0) {
		char names[512] = "";
		size_t len = 0;

		for (k = 0; k < CONFORM_NKEYS; k++) {
			if (tried[k] != NULL)
				len += (size_t)strutil_format(names + len,
				    sizeof names - len, "%s%s '%s'", len ? ", " :
				    "", key_names[k], tried[k]);
			if (len >= sizeof names)
				break;
		}
		cc->status = CONFORM_MISSING;
		cc->note = *names == '\0' ? xstrdup("offline: the event names "
		    "no source file, clip or reel") : xasprintf("offline: "
		    "nothing in the catalogue%s%s matches %s",
		    o->media_root ? " under " : "", o->media_root ?
		    o->media_root : "", names);
		return 0;
	}

	for (i = 0; i < nfits; i++)
		fit_media(&fits[i], ev, lo, hi);
	/* Those that hold the frames go first. */
	for (i = 0; i < nfits; i++) {
		if (fits[i].known && fits[i].outside == 0) {
			struct fit t = fits[nin];

			fits[nin++] = fits[i];
			fits[i] = t;
		}
	}
	if (nin == 0) {
		size_t best = 0;
		const struct fit *bf;

		for (i = 0; i < nfits; i++) {
			if (!fits[best].known || (fits[i].known &&
			    fits[i].outside < fits[best].outside))
				best = i;
		}
		take(r, cc, &fits[best]);
		if (!fits[best].known) {
			cc->status = CONFORM_OUT_OF_RANGE;
			cc->note = xasprintf("%s is catalogued without a frame "
			    "rate, start timecode or length, so its range "
			    "cannot be checked; probe it again (mcr ingest "
			    "or mcr verify)", fits[best].m->path);
			free(fits);
			return 0;
		}
		bf = &fits[best];
		cc->status = CONFORM_OUT_OF_RANGE;
		label(lo, ev->rate, a, sizeof a);
		label(hi, ev->rate, b, sizeof b);
		label(bf->start, bf->rate, c, sizeof c);
		label(bf->start + bf->len, bf->rate, d, sizeof d);
		cc->note = xasprintf("source %s-%s is not all in %s, which "
		    "holds %s-%s (%lld frames short)", a, b,
		    fits[best].m->path, c, d, (long long)fits[best].outside);
		free(fits);
		return 0;
	}
	if (nin > 1 && !same_content(fits, nin)) {
		take(r, cc, &fits[0]);
		cc->status = CONFORM_AMBIGUOUS;
		cc->note = xasprintf("%zu different files named by %s '%s' hold "
		    "these frames: %s, %s%s; name the source file in the EDL "
		    "(* SOURCE FILE) or narrow --media-root", nin,
		    key_names[cc->matched_by], cc->key, fits[0].m->path,
		    fits[1].m->path, nin > 2 ? ", ..." : "");
		free(fits);
		return 0;
	}
	/* One file, or copies of one: the first that is on disk. */
	for (i = 0; i < nin; i++) {
		if (file_exists(fits[i].m->path))
			break;
	}
	if (i == nin) {
		take(r, cc, &fits[0]);
		cc->status = CONFORM_MISSING;
		cc->relink = find_relink(fits[0].m, fits, nfits,
		    o->media_root);
		cc->note = cc->relink != NULL ? xasprintf("offline: %s is not "
		    "there; the same media (name, duration, start timecode) "
		    "is at %s: relink to it", fits[0].m->path, cc->relink) :
		    xasprintf("offline: %s is catalogued but not on disk, and "
		    "no copy with its name, duration and start timecode was "
		    "found%s%s", fits[0].m->path, o->media_root ? " under " :
		    "", o->media_root ? o->media_root : "");
		free(fits);
		return 0;
	}
	take(r, cc, &fits[i]);
	cc->status = CONFORM_RESOLVED;
	if (nin > 1)
		cc->note = xasprintf("%zu copies of the same content are "
		    "catalogued; using %s", nin, fits[i].m->path);
	free(fits);
	return 0;
}

/* What else is wrong with a clip line, resolved or not. */
static void
check_clip(struct conform_clip *cc)
{
	const struct edl_event *ev = cc->event;
	const struct edl_clip *clip = cc->clip;
	const struct conform_media *m = cc->media;
	const struct tc_rate *mr = cc->media_rate;

	if (clip->reel_kind != EDL_REEL_SOURCE)
		return;
	if (!clip->has_speed && clip->src_duration != clip->rec_duration)
		problem(cc, true, "record duration %lld frames but source "
		    "duration %lld frames, with no M2 speed change",
		    (long long)clip->rec_duration,
		    (long long)clip->src_duration);
	else if (clip->has_speed) {
		int64_t want = llround(fabs(clip->speed) *
		    (double)clip->rec_duration);
		int64_t got = clip->src_duration < 0 ? -clip->src_duration :
		    clip->src_duration;

		if (got > want + 1 || got + 1 < want)
			problem(cc, false, "at M2 %.3g fps the record duration "
			    "of %lld frames plays %lld source frames, but the "
			    "source range is %lld frames", clip->speed_fps,
			    (long long)clip->rec_duration, (long long)want,
			    (long long)got);
	}
	if (m == NULL || mr == NULL)
		return;
	if ((int64_t)mr->num * ev->rate->den != (int64_t)ev->rate->num *
	    mr->den)
		problem(cc, false, "the media runs at %s fps and the EDL at %s; "
		    "the source timecode was read as the media's own",
		    mr->name, ev->rate->name);
	if (m->drop_frame >= 0 && (mr->fps == 30 || mr->fps == 60) &&
	    (ev->fcm == EDL_DROP) != (m->drop_frame == 1))
		problem(cc, false, "FCM says %s but %s has %s timecode",
		    ev->fcm == EDL_DROP ? "DROP FRAME" : "NON-DROP FRAME",
		    m->name != NULL ? m->name : m->path, m->drop_frame ?
		    "drop-frame" : "non-drop");
}

struct span {
	int64_t in, out;
	const struct conform_clip *cc;
};

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	if (x->in != y->in)
		return x->in < y->in ? -1 : 1;
	return x->out < y->out ? -1 : x->out > y->out;
}

static void
issue(struct conform_result *r, enum conform_issue_kind kind, unsigned ch,
    int64_t in, int64_t out, const struct edl_event *before,
    const struct edl_event *after)
{
	struct conform_issue *is;

	r->issues = xrealloc(r->issues, (r->nissues + 1) * sizeof *r->issues);
	is = &r->issues[r->nissues++];
	is->kind = kind;
	is->channel = ch;
	is->rec_in = in;
	is->rec_out = out;
	is->before = before;
	is->after = after;
}

/* Gaps and overlaps, track by track, in record order. */
static void
walk_tracks(struct conform_result *r)
{
	struct span *v = xcalloc(r->nclips + 1, sizeof *v);
	unsigned ch;
	size_t i, n;
	int t;

	for (t = 0; t <= 8; t++) {
		ch = t == 0 ? EDL_CH_V : EDL_CH_A(t);
		n = 0;
		for (i = 0; i < r->nclips; i++) {
			const struct edl_clip *cl = r->clips[i].clip;

			if ((cl->channels & ch) && cl->rec_out > cl->rec_in) {
				v[n].in = cl->rec_in;
				v[n].out = cl->rec_out;
				v[n++].cc = &r->clips[i];
			}
		}
		if (n < 2)
			continue;
		qsort(v, n, sizeof *v, span_cmp);
		{
			int64_t end = v[0].out;
			const struct conform_clip *last = v[0].cc;

			for (i = 1; i < n; i++) {
				const struct edl_clip *cl = v[i].cc->clip;

				if (v[i].in > end)
					issue(r, CONFORM_GAP, ch, end, v[i].in,
					    last->event, v[i].cc->event);
				else if (v[i].in < end && !(cl->trans !=
				    EDL_CUT && end - v[i].in <=
				    cl->trans_frames))
					issue(r, CONFORM_OVERLAP, ch, v[i].in,
					    v[i].out < end ? v[i].out : end,
					    last->event, v[i].cc->event);
				if (v[i].out >= end) {
					end = v[i].out;
					last = v[i].cc;
				}
			}
		}
	}
	free(v);
}

int
conform_run(const struct edl *e, const char *edl_name,
    const struct conform_opts *opts, struct conform_result **out, char *err,
    size_t errlen)
{
	struct conform_opts o = *opts;
	struct conform_result *r = xcalloc(1, sizeof *r);
	size_t i, k, n = 0;

	if (o.norder == 0) {
		for (k = 0; k < CONFORM_NKEYS; k++)
			o.order[k] = (enum conform_key)k;
		o.norder = CONFORM_NKEYS;
	}
	r->edl = e;
	r->edl_name = edl_name;
	for (i = 0; i < e->nevents; i++)
		n += e->events[i].nclips;
	r->clips = xcalloc(n + 1, sizeof *r->clips);
	for (i = 0; i < e->nevents; i++) {
		const struct edl_event *ev = &e->events[i];

		for (k = 0; k < ev->nclips; k++) {
			struct conform_clip *cc = &r->clips[r->nclips++];

			cc->event = ev;
			cc->clip = &ev->clip[k];
			cc->which = (int)k;
			if (cc->clip->reel_kind == EDL_REEL_BLACK)
				cc->status = CONFORM_BLACK;
			else if (cc->clip->reel_kind == EDL_REEL_AUX)
				cc->status = CONFORM_AUX;
			else if (resolve(r, cc, &o, err, errlen) < 0) {
				conform_free(r);
				return -1;
			}
		}
	}
	/* resolve() grew r->media, so media pointers are set only now. */
	for (i = 0; i < r->nclips; i++) {
		struct conform_clip *cc = &r->clips[i];

		if (cc->media_ix > 0)
			cc->media = &r->media[cc->media_ix - 1];
		check_clip(cc);
		r->count[cc->status]++;
		if (cc->nproblems > 0)
			r->problems++;
		if (cc->error)
			r->errors++;
	}
	walk_tracks(r);
	r->failed = r->count[CONFORM_MISSING] + r->count[CONFORM_OUT_OF_RANGE] +
	    r->count[CONFORM_AMBIGUOUS] + r->errors > 0;
	*out = r;
	return 0;
}

void
conform_media_pack(struct conform_media *m, const char *path,
    const char *name, const char *clip, const char *reel, const char *rate,
    const char *tc_start, const char *hashes, const char *state)
{
	const char *in[] = { path, name, clip, reel, rate, tc_start, hashes,
	    state };
	char **out[] = { &m->path, &m->name, &m->clip, &m->reel, &m->rate,
	    &m->tc_start, &m->hashes, &m->state };
	size_t i, len = 0, n;
	char *p;

	for (i = 0; i < sizeof in / sizeof in[0]; i++)
		len += in[i] != NULL ? strlen(in[i]) + 1 : 0;
	p = m->storage = xmalloc(len + 1);
	for (i = 0; i < sizeof in / sizeof in[0]; i++) {
		if (in[i] == NULL) {
			*out[i] = NULL;
			continue;
		}
		n = strlen(in[i]) + 1;
		memcpy(p, in[i], n);
		*out[i] = p;
		p += n;
	}
}

static void
media_free(struct conform_media *m)
{
	free(m->storage);
}

void
conform_free(struct conform_result *r)
{
	size_t i, k;

	if (r == NULL)
		return;
	for (i = 0; i < r->nclips; i++) {
		for (k = 0; k < r->clips[i].nproblems; k++)
			free(r->clips[i].problems[k]);
		free(r->clips[i].problems);
		free(r->clips[i].relink);
		free(r->clips[i].note);
	}
	for (i = 0; i < r->nmedia; i++)
		media_free(&r->media[i]);
	free(r->media);
	cache_free(r->cache);
	free(r->clips);
	free(r->issues);
	free(r);
}
