/*
 * loud: gating, loudness range and true peak (see loud.h). The gating
 * follows libebur128 1.2 line for line (block energies at or above the
 * -70 LUFS energy, a relative gate at a tenth of their mean energy; short-
 * term blocks of 3 s every second for the range, a relative gate at a
 * hundredth, percentiles at index (n - 1) * p + 0.5 of the sorted list),
 * so the figures are libebur128's own. The true-peak interpolator runs
 * one phase at a time over a whole block, a loop the compiler vectorises
 * (an AVX build of it is picked at run time where the CPU has AVX).
 */
#include "autoconfig.h"

/* The interpolator is most of the cost of a long sound file: let GCC
 * vectorise its loops whatever the -O level. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loud.h"

/* ITU-R BS.1770-4 Annex 2: y[4n + p] = sum_k h[p][k] x[n - k]. */
static const float tp_h[4][QC_TP_TAPS] = {
	{ 0.0017089843750f, 0.0109863281250f, -0.0196533203125f,
	  0.0332031250000f, -0.0594482421875f, 0.1373291015625f,
	  0.9721679687500f, -0.1022949218750f, 0.0476074218750f,
	  -0.0266113281250f, 0.0148925781250f, -0.0083007812500f },
	{ -0.0291748046875f, 0.0292968750000f, -0.0517578125000f,
	  0.0891113281250f, -0.1665039062500f, 0.4650878906250f,
	  0.7797851562500f, -0.2003173828125f, 0.1015625000000f,
	  -0.0582275390625f, 0.0330810546875f, -0.0189208984375f },
	{ -0.0189208984375f, 0.0330810546875f, -0.0582275390625f,
	  0.1015625000000f, -0.2003173828125f, 0.7797851562500f,
	  0.4650878906250f, -0.1665039062500f, 0.0891113281250f,
	  -0.0517578125000f, 0.0292968750000f, -0.0291748046875f },
	{ -0.0083007812500f, 0.0148925781250f, -0.0266113281250f,
	  0.0476074218750f, -0.1022949218750f, 0.9721679687500f,
	  0.1373291015625f, -0.0594482421875f, 0.0332031250000f,
	  -0.0196533203125f, 0.0109863281250f, 0.0017089843750f },
};

#if defined(__GNUC__) && defined(__x86_64__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define TP_CLONES __attribute__((target_clones("avx", "default")))
#endif
#endif
#ifndef TP_CLONES
#define TP_CLONES
#endif

/* The largest |y| of one phase over n outputs; buf holds the
 * QC_TP_TAPS - 1 samples before the block, then the block. */
TP_CLONES static float
tp_phase(const float *restrict buf, int n, const float *restrict h,
    float *restrict acc)
{
	float m[8] = { 0 }, best = 0;
	int i, j, k;

	/* Each output in registers: 12 loads, no partial sums in memory. */
	for (i = 0; i < n; i++) {
		float y = 0;

		for (k = 0; k < QC_TP_TAPS; k++)
			y += h[k] * buf[i + QC_TP_TAPS - 1 - k];
		acc[i] = y;
	}
	for (i = 0; i + 8 <= n; i += 8) {
		for (j = 0; j < 8; j++) {
			float a = fabsf(acc[i + j]);

			m[j] = a > m[j] ? a : m[j];
		}
	}
	for (; i < n; i++) {
		float a = fabsf(acc[i]);

		best = a > best ? a : best;
	}
	for (j = 0; j < 8; j++)
		best = m[j] > best ? m[j] : best;
	return best;
}

void
qc_tpeak_init(struct qc_tpeak *t, int rate)
{
	memset(t, 0, sizeof *t);
	t->up = rate < 96000 ? 4 : rate < 192000 ? 2 : 1;
}

float
qc_tpeak_run(struct qc_tpeak *t, const float *x, int n)
{
	const int H = QC_TP_TAPS - 1;
	float m = 0, v;
	int i;

	if (n <= 0)
		return 0;
	if (n > t->cap) {
		free(t->buf);
		free(t->acc);
		t->cap = n;
		t->buf = malloc((size_t)(n + H) * sizeof *t->buf);
		t->acc = malloc((size_t)n * sizeof *t->acc);
		if (t->buf == NULL || t->acc == NULL) {
			fprintf(stderr, "qc: out of memory\n");
			abort();
		}
	}
	memcpy(t->buf, t->hist, (size_t)H * sizeof *t->buf);
	if (x != NULL)
		memcpy(t->buf + H, x, (size_t)n * sizeof *t->buf);
	else
		memset(t->buf + H, 0, (size_t)n * sizeof *t->buf);
	if (t->up == 1) {
		for (i = 0; i < n; i++) {
			float a = fabsf(t->buf[H + i]);

			m = a > m ? a : m;
		}
	} else {
		for (i = 0; i < 4; i += 4 / t->up) {
			v = tp_phase(t->buf, n, tp_h[i], t->acc);
			m = v > m ? v : m;
		}
	}
	/* The history for the next block: its last H samples. */
	memcpy(t->hist, t->buf + n, (size_t)H * sizeof *t->buf);
	return m;
}

void
qc_tpeak_free(struct qc_tpeak *t)
{
	free(t->buf);
	free(t->acc);
	t->buf = t->acc = NULL;
	t->cap = 0;
}

double
qc_loud_energy(double lufs)
{
	return pow(10, (lufs + 0.691) / 10);
}

double
qc_loud_lufs(double energy)
{
	return energy > 0 ? -0.691 + 10 * log10(energy) : -HUGE_VAL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
qc_loud_integrated(const double *e, size_t n, const unsigned char *keep,
    size_t *nblocks)
{
	double gate = qc_loud_energy(-70), sum = 0, rel, total = 0;
	size_t i, above = 0, passed = 0;

	if (nblocks != NULL)
		*nblocks = 0;
	for (i = 3; i < n; i++) {
		double b = (e[i - 3] + e[i - 2] + e[i - 1] + e[i]) / 4;

		if ((keep == NULL || keep[i]) && b >= gate) {
			sum += b;
			above++;
		}
	}
	if (above == 0)
		return -HUGE_VAL;
	rel = sum / (double)above * 0.1;
	for (i = 3; i < n; i++) {
		double b = (e[i - 3] + e[i - 2] + e[i - 1] + e[i]) / 4;

		if ((keep == NULL || keep[i]) && b >= gate && b >= rel) {
			total += b;
			passed++;
		}
	}
	if (nblocks != NULL)
		*nblocks = passed;
	return passed > 0 ? qc_loud_lufs(total / (double)passed) : -HUGE_VAL;
}

double
qc_loud_range(const double *e, size_t n)
{
	double gate = qc_loud_energy(-70), power = 0, *v, *rel, lra = 0;
	size_t i, k, nv = 0, nrel;

	if (n < 30)
		return 0;
	v = malloc((n / 10 + 1) * sizeof *v);
	if (v == NULL) {
		fprintf(stderr, "qc: out of memory\n");
		abort();
	}
	/* A 3 s block after the first 3 s and then every second. */
	for (i = 29; i < n; i += 10) {
		double s = 0;

		for (k = i - 29; k <= i; k++)
			s += e[k];
		s /= 30;
		if (s >= gate)
			v[nv++] = s;
	}
	if (nv == 0) {
		free(v);
		return 0;
	}
	qsort(v, nv, sizeof *v, cmp_double);
	for (i = 0; i < nv; i++)
		power += v[i];
	power = power / (double)nv * 0.01;
	rel = v;
	nrel = nv;
	while (nrel > 0 && *rel < power) {
		rel++;
		nrel--;
	}
	if (nrel > 0)
		lra = qc_loud_lufs(rel[(size_t)((double)(nrel - 1) * 0.95 +
		    0.5)]) - qc_loud_lufs(rel[(size_t)((double)(nrel - 1) *
		    0.1 + 0.5)]);
	free(v);
	return lra;
}
