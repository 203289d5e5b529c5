/* See truepeak.h. libebur128's true-peak mode oversamples every frame of
 * every channel (4x below 96 kHz, with a 49-tap windowed-sinc
 * interpolator: some 40 multiply-adds a sample), which made it three
 * quarters of the time an import of an hour-long MP3 took. Yet only the
 * largest value counts, and an interpolated point is a weighted sum of
 * the 13 samples up to it, so it is at most the sum of the absolute
 * weights of its phase (BOUND) times their largest magnitude. Once a peak
 * M is known, a run of frames whose samples (and the 12 before them) are
 * all at or under M / BOUND cannot raise it: their points need not be
 * computed. Most of a recording is such runs.
 *
 * The points that are computed are computed exactly as libebur128 1.2
 * does (interp_create and interp_process in its ebur128.c): the same
 * filter, designed by the same formula, summed in the same order in
 * double and rounded to float; and the result is, as there, the larger of
 * that and the sample peak. So the measurement is the same BS.1770 true
 * peak, and on the same machine the same number (tests/test_truepeak.c
 * compares the two). */
#include "audio/truepeak.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define TAPS 49
#define MAX_FACTOR 4
#define HIST ((TAPS - 1) / 2) /* frames back a point reaches at most (2x: 24; 4x: 12) */
#define ALMOST_ZERO 0.000001 /* libebur128's: smaller coefficients are left out */
#define RUN 256              /* frames judged at a time */
/* The bound times this covers the rounding of a sum of 13 products in
 * double (relative error under 1e-15) many times over. */
#define BOUND_SLACK 1e-9

struct phase {
	int count;
	int index[HIST + 1]; /* how many frames back */
	double coeff[HIST + 1];
};

struct truepeak {
	int channels, factor;
	struct phase phase[MAX_FACTOR];
	double bound;  /* the largest sum of absolute weights of a phase, with slack */
	float *hist;   /* HIST frames before the next, then room for RUN */
	double peak;   /* the largest magnitude so far */
	float sample;  /* the largest sample magnitude so far */
};

struct truepeak *truepeak_new(int rate, int channels)
{
	struct truepeak *t = xcalloc(1, sizeof(*t));

	t->channels = channels;
	/* libebur128 oversamples 4x under 96 kHz, 2x under 192 kHz; above
	 * that the samples are dense enough and the true peak is the
	 * sample peak. */
	t->factor = rate < 96000 ? 4 : rate < 192000 ? 2 : 1;
	if (t->factor > 1) {
		for (int j = 0; j < TAPS; j++) {
			double m = (double)j - (double)(TAPS - 1) / 2.0, c = 1.0;

			if (fabs(m) > ALMOST_ZERO)
				c = sin(m * M_PI / t->factor) / (m * M_PI / t->factor);
			c *= 0.5 * (1 - cos(2 * M_PI * j / (TAPS - 1)));
			if (fabs(c) > ALMOST_ZERO) {
				struct phase *p = &t->phase[j % t->factor];

				p->coeff[p->count] = c;
				p->index[p->count++] = j / t->factor;
			}
		}
	}
	t->bound = 1.0;
	for (int f = 0; f < t->factor; f++) {
		double s = 0;

		for (int k = 0; k < t->phase[f].count; k++)
			s += fabs(t->phase[f].coeff[k]);
		t->bound = fmax(t->bound, s);
	}
	t->bound *= 1 + BOUND_SLACK;
	t->hist = xcalloc((size_t)(HIST + RUN) * (size_t)channels, sizeof(float));
	return t;
}

void truepeak_free(struct truepeak *t)
{
	if (!t)
		return;
	free(t->hist);
	free(t);
}

/* The interpolated points of the N frames at X (with HIST frames of
 * history before X), into T's peak. */
static void interpolate(struct truepeak *t, const float *x, int64_t n)
{
	int ch = t->channels;
	double pk = t->peak;

	for (int64_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++) {
			const float *z = x + i * ch + c;

			for (int f = 0; f < t->factor; f++) {
				const struct phase *p = &t->phase[f];
				double acc = 0.0;
				float v;

				for (int k = 0; k < p->count; k++)
					acc += z[-p->index[k] * ch] * p->coeff[k];
				v = (float)acc;
				v = fabsf(v);
				if (v > pk)
					pk = v;
			}
		}
	t->peak = pk;
}

/* The largest magnitude among N floats, with eight running maxima the
 * compiler vectorises. */
static float largest(const float *x, size_t n)
{
	float acc[8] = { 0 }, pk = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++)
			acc[k] = fabsf(x[i + k]) > acc[k] ? fabsf(x[i + k]) : acc[k];
	for (; i < n; i++)
		pk = fabsf(x[i]) > pk ? fabsf(x[i]) : pk;
	for (int k = 0; k < 8; k++)
		pk = acc[k] > pk ? acc[k] : pk;
	return pk;
}

/* The sample peak so far. */
double truepeak_sample(const struct truepeak *t)
{
	return t->sample;
}

void truepeak_add(struct truepeak *t, const float *x, int64_t n)
{
	int ch = t->channels;
	size_t hist = (size_t)HIST * (size_t)ch;

	while (n > 0) {
		int64_t k = n < RUN ? n : RUN;
		size_t len = (size_t)(k * ch);
		float *run = t->hist + hist, spk = 0, wpk;

		memcpy(run, x, sizeof(float) * len);
		spk = largest(run, len);
		wpk = largest(t->hist, hist);
		wpk = spk > wpk ? spk : wpk;
		if (spk > t->sample)
			t->sample = spk;
		if (spk > t->peak)
			t->peak = spk; /* the sample peak counts too, as in libebur128 */
		if (t->factor > 1 && wpk * t->bound > t->peak)
			interpolate(t, run, k);
		/* The last HIST frames are the next run's history. */
		memmove(t->hist, t->hist + len, sizeof(float) * hist);
		x += len;
		n -= k;
	}
}

double truepeak_get(const struct truepeak *t)
{
	return t->peak;
}
