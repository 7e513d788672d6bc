/*
 * vcopy-batch: staged copies of small files in batches (see vcopy.h).
 * Two batches take turns: while one is made durable by the syncer's
 * thread, the other is copied; then the synced one is read back (all of
 * its reads asked for at once) and each file put in place, in the order
 * added. Ingest and local delivery both copy this way.
 */
#include "autoconfig.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vcopy.h"

struct pending {
	size_t item;
	char *dest[VCOPY_MAX_DEST];
	struct vcopy_result *res;	/* in the batch's store */
};

struct batch {
	struct pending *p;
	char *store;		/* the results, vcopy_result_size(ndest) each */
	size_t n;
	uint64_t bytes;
};

struct vcopy_batches {
	struct vcopy_batch_calls calls;
	struct vcopy_syncer *syncer;
	size_t ndest, max_files;
	uint64_t max_bytes;
	struct batch b[2], *cur, *fly;	/* being written; being synced */
	double sync_seconds, commit_seconds;
};

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
batch_init(struct batch *b, size_t ndest, size_t max_files)
{
	size_t rsize = (vcopy_result_size(ndest) + 15) & ~(size_t)15, i;

	b->p = calloc(max_files, sizeof *b->p);
	b->store = malloc(max_files * rsize);
	if (b->p == NULL || b->store == NULL)
		abort();
	for (i = 0; i < max_files; i++)
		b->p[i].res = (struct vcopy_result *)(void *)(b->store +
		    i * rsize);
}

/* Empties b; discard: removes the .part files of what it still holds. */
static void
batch_clear(struct batch *b, int discard)
{
	size_t i, d;

	for (i = 0; i < b->n; i++) {
		if (discard)
			vcopy_discard(b->p[i].res);
		for (d = 0; d < VCOPY_MAX_DEST; d++) {
			free(b->p[i].dest[d]);
			b->p[i].dest[d] = NULL;
		}
	}
	b->n = 0;
	b->bytes = 0;
}

struct vcopy_batches *
vcopy_batches_new(const char *const *roots, size_t nroots, size_t ndest,
    size_t max_files, uint64_t max_bytes,
    const struct vcopy_batch_calls *calls, char *err, size_t errlen)
{
	struct vcopy_batches *bs = calloc(1, sizeof *bs);

	if (bs == NULL)
		abort();
	if ((bs->syncer = vcopy_syncer_new(roots, nroots, err, errlen)) ==
	    NULL) {
		free(bs);
		return NULL;
	}
	bs->calls = *calls;
	bs->ndest = ndest;
	bs->max_files = max_files > 0 ? max_files : 1;
	bs->max_bytes = max_bytes;
	batch_init(&bs->b[0], ndest, bs->max_files);
	batch_init(&bs->b[1], ndest, bs->max_files);
	bs->cur = &bs->b[0];
	bs->fly = &bs->b[1];
	return bs;
}

int
vcopy_batches_fits(const struct vcopy_batches *bs, uint64_t size)
{
	return bs->cur->n < bs->max_files &&
	    (bs->cur->n == 0 || bs->cur->bytes + size <= bs->max_bytes);
}

void
vcopy_batches_add(struct vcopy_batches *bs, size_t item,
    const char *const *dest, const struct vcopy_result *res)
{
	struct pending *p = &bs->cur->p[bs->cur->n++];
	size_t d;

	p->item = item;
	vcopy_result_copy(p->res, res);
	for (d = 0; d < bs->ndest; d++)
		if ((p->dest[d] = strdup(dest[d])) == NULL)
			abort();
	bs->cur->bytes += res->size;
}

/* The synced batch b: each copy read back and put in place, then handed
 * to done(). Returns 0 or the code to stop with; b is empty afterwards,
 * with no .part of it left behind. */
static int
batch_finish(struct vcopy_batches *bs, struct batch *b,
    const struct vcopy_opts *o)
{
	const struct vcopy_batch_calls *c = &bs->calls;
	size_t i;
	double t0;
	int rc = 0;

	for (i = 0; i < b->n && rc == 0; i++) {
		struct pending *p = &b->p[i];

		if (c->begin != NULL)
			c->begin(c->arg, p->item);
		t0 = mono();
		if (vcopy_commit(c->src(c->arg, p->item),
		    (const char *const *)p->dest, o, p->res) < 0)
			rc = c->failed(c->arg, p->item, p->res);
		bs->commit_seconds += mono() - t0;
		if (rc == 0)
			rc = c->done(c->arg, p->item,
			    (const char *const *)p->dest, p->res);
	}
	/* Committed ones are in place; vcopy_commit() tidied a failed one:
	 * what is left has only its .part files. */
	if (rc != 0) {
		size_t k;

		for (k = i; k < b->n; k++)
			vcopy_discard(b->p[k].res);
	}
	batch_clear(b, 0);
	return rc;
}

int
vcopy_batches_ship(struct vcopy_batches *bs, const struct vcopy_opts *o)
{
	struct batch *c = bs->cur, *f = bs->fly;
	char err[1024];
	double t0 = mono();
	size_t i;
	int rc = 0;

	if (f->n > 0) {
		if (vcopy_syncer_wait(bs->syncer, err, sizeof err) < 0) {
			size_t n = f->n + c->n;

			batch_clear(f, 1);
			batch_clear(c, 1);
			return bs->calls.sync_failed(bs->calls.arg, err, n);
		}
		bs->sync_seconds += mono() - t0;
		/* Clean now, so the drop takes every page: what is read back
		 * then comes from the storage, while the next sync runs. */
		if (o->verify == VCOPY_VERIFY_DEST)
			for (i = 0; i < f->n; i++)
				vcopy_prefetch(f->p[i].res);
	}
	if (c->n > 0)
		vcopy_syncer_start(bs->syncer);
	if (f->n > 0 && (rc = batch_finish(bs, f, o)) != 0)
		batch_clear(c, 1);	/* its sync runs on; the free waits */
	bs->cur = f;
	bs->fly = c;
	return rc;
}

int
vcopy_batches_drain(struct vcopy_batches *bs, const struct vcopy_opts *o)
{
	int rc = 0;

	while (rc == 0 && (bs->cur->n > 0 || bs->fly->n > 0))
		rc = vcopy_batches_ship(bs, o);
	return rc;
}

size_t
vcopy_batches_pending(const struct vcopy_batches *bs)
{
	return bs->cur->n + bs->fly->n;
}

double
vcopy_batches_sync_seconds(const struct vcopy_batches *bs)
{
	return bs->sync_seconds;
}

double
vcopy_batches_commit_seconds(const struct vcopy_batches *bs)
{
	return bs->commit_seconds;
}

void
vcopy_batches_free(struct vcopy_batches *bs)
{
	int i;

	if (bs == NULL)
		return;
	vcopy_syncer_free(bs->syncer);	/* after a sync still running */
	for (i = 0; i < 2; i++) {
		batch_clear(&bs->b[i], 1);
		free(bs->b[i].p);
		free(bs->b[i].store);
	}
	free(bs);
}
