/*
 * loud: the arithmetic of ITU-R BS.1770 around libebur128. libebur128
 * K-weights each channel in its own single-channel state (so channels can
 * be measured on different threads) and gives the weighted energy of
 * every 100 ms block; the 400 ms gating blocks (75 % overlap), the
 * integrated loudness with its -70 LUFS and -10 LU gates and the loudness
 * range (short-term blocks every second, -70 LUFS and -20 LU gates, 10th
 * to 95th percentile) are formed here from those energies exactly as
 * libebur128 forms them from the samples. The true peak is the largest
 * magnitude of the signal oversampled by the 48-tap interpolator of
 * BS.1770-4 Annex 2 (4x below 96 kHz, 2x below 192 kHz, none above).
 */
#ifndef MCR_QC_LOUD_H
#define MCR_QC_LOUD_H

#include <stddef.h>

#define QC_TP_TAPS 12

/* One channel's true-peak interpolator. */
struct qc_tpeak {
	int up;			/* oversampling factor: 4, 2 or 1 */
	float hist[QC_TP_TAPS - 1];	/* the last samples seen */
	float *buf, *acc;
	int cap;
};

void qc_tpeak_init(struct qc_tpeak *t, int rate);
/* Feeds n samples (NULL: n zeros, the filter's tail) and returns the
 * largest magnitude of the oversampled signal they produce (linear). */
float qc_tpeak_run(struct qc_tpeak *t, const float *x, int n);
void qc_tpeak_free(struct qc_tpeak *t);

double qc_loud_energy(double lufs);	/* LUFS -> mean square */
double qc_loud_lufs(double energy);	/* mean square -> LUFS; -inf at 0 */

/* Integrated loudness over the 400 ms blocks ending at each of the first
 * n 100 ms blocks e[] (blocks 0..n-1 all complete); keep[i], when not
 * NULL, admits only the 400 ms blocks ending at i where keep[i] != 0.
 * Returns -HUGE_VAL when no block passes the gates; *nblocks (if not
 * NULL) the number of 400 ms blocks that passed both gates. */
double qc_loud_integrated(const double *e, size_t n,
    const unsigned char *keep, size_t *nblocks);
/* Loudness range (LU) of the same series; 0 when too short. */
double qc_loud_range(const double *e, size_t n);

#endif
