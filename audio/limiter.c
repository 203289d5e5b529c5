/* See limiter.h. Per input frame m the gain path is
 *
 *   r[m]  = ceiling / true peak of the interval m..m+1 (all channels), at most 1
 *   mn[m] = min r[m-L .. m]          sliding minimum over the look-ahead
 *   s[m]  = mean mn[m-L+1 .. m]      boxcar: turns steps into L-frame ramps
 *   g     = s when s is lower, else a release towards s (below)
 *
 * and g multiplies frame m-L+1. Each mn in that boxcar window has seen
 * both intervals touching the frame, so s never exceeds what the coming
 * peak allows: the gain is down when the peak arrives, reached by a ramp
 * over the look-ahead rather than a step (a step is a click). The release
 * only ever rises towards s, so it keeps that guarantee.
 *
 * The true peak is estimated as ITU-R BS.1770 does: 4x oversampling with a
 * windowed-sinc interpolator (12 taps per phase), the same kind of filter
 * libebur128 measures with, so what the limiter holds is what the meter
 * reads. */
#include "audio/limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

#define TP_PHASES 3 /* points between two samples at 4x */
#define TP_TAPS 12
#define TP_HALF (TP_TAPS / 2)

struct limiter {
	int channels;
	int look;          /* L, frames */
	int delay;         /* frames held back: L - 1 + TP_HALF */
	double ceiling;    /* linear */
	float coef[TP_PHASES][TP_TAPS];
	float *hist;       /* per channel 2 * TP_TAPS: each sample stored twice,
			    * so the last TP_TAPS are always contiguous */
	int hpos;
	float *dline;      /* delay + 1 frames */
	int dpos;          /* where the next frame goes */
	int64_t *dq_idx;   /* sliding minimum: indices with increasing values */
	double *dq_val;
	int dq_cap, dq_head, dq_len;
	double *box;       /* the last L minima */
	int bpos;
	double box_sum;
	double env;        /* the gain applied to the last frame out */
	double slow, fast; /* the two stages of the envelope, dB */
	double slow_att, slow_rel, fast_rel; /* per-frame coefficients */
	float *zero;       /* one silent frame, pushed by flush */
	int64_t pushed;    /* frames through the pipeline, flush's silence included */
	int64_t taken, given;
};

static double sinc(double x)
{
	return fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
}

/* hist[k] holds x[m - TP_HALF + 1 + k]; phase f interpolates x[m + (f+1)/4]. */
static void design(struct limiter *l)
{
	for (int f = 0; f < TP_PHASES; f++) {
		double phi = (f + 1) / 4.0, sum = 0;

		for (int k = 0; k < TP_TAPS; k++) {
			double t = phi + TP_HALF - 1 - k;
			double c = sinc(t) * 0.5 * (1 + cos(M_PI * t / TP_HALF));

			l->coef[f][k] = (float)c;
			sum += c;
		}
		/* Unity gain at DC: a constant stays the constant. */
		for (int k = 0; k < TP_TAPS; k++)
			l->coef[f][k] = (float)(l->coef[f][k] / sum);
	}
}

/* The per-frame coefficient of a first-order smoother with time constant MS. */
static double coefficient(int rate, double ms)
{
	return 1.0 - exp(-1.0 / (rate * ms / 1000.0));
}

struct limiter *limiter_new(int rate, int channels, double ceiling_dbtp)
{
	struct limiter *l = xcalloc(1, sizeof(*l));

	l->channels = channels;
	l->look = (int)lround(rate * LIMITER_LOOKAHEAD_MS / 1000.0);
	if (l->look < TP_TAPS)
		l->look = TP_TAPS;
	l->delay = l->look - 1 + TP_HALF;
	l->ceiling = pow(10.0, ceiling_dbtp / 20.0);
	l->fast_rel = coefficient(rate, LIMITER_RELEASE_MS);
	l->slow_att = coefficient(rate, LIMITER_SLOW_MS);
	l->slow_rel = l->slow_att;
	design(l);
	l->hist = xcalloc((size_t)channels * 2 * TP_TAPS, sizeof(float));
	l->dline = xcalloc((size_t)(l->delay + 1) * (size_t)channels, sizeof(float));
	l->dq_cap = l->look + 2;
	l->dq_idx = xcalloc((size_t)l->dq_cap, sizeof(*l->dq_idx));
	l->dq_val = xcalloc((size_t)l->dq_cap, sizeof(*l->dq_val));
	l->box = xcalloc((size_t)l->look, sizeof(*l->box));
	for (int i = 0; i < l->look; i++)
		l->box[i] = 1.0;
	l->box_sum = l->look;
	l->env = 1.0;
	l->zero = xcalloc((size_t)channels, sizeof(float));
	return l;
}

void limiter_free(struct limiter *l)
{
	if (!l)
		return;
	free(l->hist);
	free(l->dline);
	free(l->dq_idx);
	free(l->dq_val);
	free(l->box);
	free(l->zero);
	free(l);
}

int limiter_latency(const struct limiter *l)
{
	return l->delay;
}

/* The largest magnitude, sample or interpolated, between the two middle
 * samples of the history, over all channels. */
static double true_peak(const struct limiter *l)
{
	double pk = 0;

	for (int c = 0; c < l->channels; c++) {
		const float *w = l->hist + (size_t)c * 2 * TP_TAPS + l->hpos;
		double a = fmax(fabsf(w[TP_HALF - 1]), fabsf(w[TP_HALF]));

		for (int f = 0; f < TP_PHASES; f++) {
			float v = 0;

			for (int k = 0; k < TP_TAPS; k++)
				v += l->coef[f][k] * w[k];
			a = fmax(a, fabsf(v));
		}
		pk = fmax(pk, a);
	}
	return pk;
}

/* Sliding minimum of r over the last L + 1 values (index m). */
static double window_min(struct limiter *l, int64_t m, double r)
{
	while (l->dq_len > 0) {
		int back = (l->dq_head + l->dq_len - 1) % l->dq_cap;

		if (l->dq_val[back] < r)
			break;
		l->dq_len--;
	}
	int at = (l->dq_head + l->dq_len) % l->dq_cap;

	l->dq_idx[at] = m;
	l->dq_val[at] = r;
	l->dq_len++;
	while (l->dq_idx[l->dq_head] < m - l->look) {
		l->dq_head = (l->dq_head + 1) % l->dq_cap;
		l->dq_len--;
	}
	return l->dq_val[l->dq_head];
}

/* The mean of the last L minima. The running sum is recomputed once per
 * lap so rounding cannot drift over hours of audio. */
static double boxcar(struct limiter *l, double mn)
{
	l->box_sum += mn - l->box[l->bpos];
	l->box[l->bpos] = mn;
	if (++l->bpos == l->look) {
		l->bpos = 0;
		l->box_sum = 0;
		for (int i = 0; i < l->look; i++)
			l->box_sum += l->box[i];
	}
	return l->box_sum / l->look;
}

/* Two stages in dB whose sum is the gain: a slow one that follows the
 * reduction a passage needs (LIMITER_SLOW_MS both ways), and a fast one
 * for what the slow one does not cover, which drops at once and recovers
 * over LIMITER_RELEASE_MS. An isolated peak is then taken by the fast stage
 * alone and forgotten quickly; a passage that needs reduction all along is
 * held by the slow stage, without the gain pumping back up between its
 * peaks. Either way the sum never exceeds S (the fast stage at once takes
 * whatever the slow one lacks), so the guarantee above holds. */
static double envelope(struct limiter *l, double s)
{
	double sdb = s < 1.0 ? 20.0 * log10(s) : 0.0, tgt;

	if (sdb < l->slow)
		l->slow += (sdb - l->slow) * l->slow_att;
	else
		l->slow += (sdb - l->slow) * l->slow_rel;
	tgt = sdb - l->slow;
	if (tgt > 0)
		tgt = 0;
	if (tgt < l->fast)
		l->fast = tgt;
	else
		l->fast += (tgt - l->fast) * l->fast_rel;
	return pow(10.0, (l->slow + l->fast) / 20.0);
}

/* Pushes frame IN; when a frame leaves the delay line, writes it limited
 * to OUT and returns 1. IN and OUT may be the same frame. */
static int step(struct limiter *l, const float *in, float *out)
{
	int ch = l->channels, n = l->delay + 1;
	double pk, r, s;

	for (int c = 0; c < ch; c++) {
		float *h = l->hist + (size_t)c * 2 * TP_TAPS;

		h[l->hpos] = h[l->hpos + TP_TAPS] = in[c];
	}
	l->hpos = (l->hpos + 1) % TP_TAPS;
	memcpy(l->dline + (size_t)l->dpos * (size_t)ch, in, sizeof(float) * (size_t)ch);

	pk = true_peak(l);
	r = pk > l->ceiling ? l->ceiling / pk : 1.0;
	s = boxcar(l, window_min(l, l->pushed - TP_HALF, r));
	l->env = envelope(l, s);

	l->dpos = (l->dpos + 1) % n;
	if (++l->pushed <= l->delay)
		return 0;
	/* The oldest frame in the line is the one the gain was computed for. */
	const float *x = l->dline + (size_t)l->dpos * (size_t)ch;

	for (int c = 0; c < ch; c++)
		out[c] = (float)(x[c] * l->env);
	return 1;
}

int64_t limiter_process(struct limiter *l, float *buf, int64_t n)
{
	int64_t k = 0;
	int ch = l->channels;

	for (int64_t i = 0; i < n; i++)
		k += step(l, buf + i * ch, buf + k * ch);
	l->taken += n;
	l->given += k;
	return k;
}

int64_t limiter_flush(struct limiter *l, float *buf, int64_t max)
{
	int64_t k = 0;

	while (k < max && l->given < l->taken) {
		if (step(l, l->zero, buf + k * l->channels)) {
			k++;
			l->given++;
		}
	}
	return k;
}

double limiter_gain_db(const struct limiter *l)
{
	return 20.0 * log10(l->env);
}
