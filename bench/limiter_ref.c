/* The limiter as it was before issue #20's speed-ups (audio/limiter.c at
 * commit 20918dc), kept under other names so that bench/limiter_null can
 * run it beside today's on the same audio: the null test of #20. Not
 * linked into loa. */
#define limiter limiter_ref
#define limiter_track limiter_ref_track
#define limiter_new limiter_ref_new
#define limiter_free limiter_ref_free
#define limiter_latency limiter_ref_latency
#define limiter_process limiter_ref_process
#define limiter_flush limiter_ref_flush
#define limiter_gain_db limiter_ref_gain_db
#define limiter_set_gain limiter_ref_set_gain
#define limiter_peak_bound limiter_ref_peak_bound
#define limiter_set_skip limiter_ref_set_skip
#define limiter_track_new limiter_ref_track_new
#define limiter_track_free limiter_ref_track_free
#define limiter_use_track limiter_ref_use_track
#include "audio/limiter.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audio/decibel.h"
#include "util/xmalloc.h"

#define TP_PHASES 3 /* points between two samples at 4x */
#define TP_LANES 4  /* the phases padded to a vector's width; the last is 0 */
#define TP_TAPS 12
#define TP_HALF (TP_TAPS / 2)
/* Frames shaped at a time: the grain of the skip, about 10 ms at 48 kHz. */
#define CHUNK 512
/* The detector sums 12 products in float: each product and each sum
 * rounds by at most 2^-24 of a partial sum itself under the bound, so its
 * reading exceeds the exact one by less than 24 * 2^-24 (1.4e-6) of it.
 * The skip allows ten times that. */
#define BOUND_SLACK 1e-5
/* A release this close to 0 dB is over: 1e-4 dB is a gain step of about
 * 1e-5, under half of the smallest step 16-bit audio can carry. */
#define REST_DB 1e-4

struct limiter {
	int channels;
	int look;          /* L, frames */
	int delay;         /* frames held back: L - 1 + TP_HALF */
	double ceiling;    /* linear */
	double bound;      /* the largest true peak over sample peak (see top) */
	float clear;       /* sample peaks at or under this cannot make a true peak over the ceiling */
	bool skip;
	float in_gain;     /* applied to what comes in, on its way out */
	const struct limiter_track *track; /* the detector's readings, when given */
	int64_t hot;       /* the last frame whose sample peak, times the gain, may make a true peak over the ceiling */
	float coef[TP_TAPS][TP_LANES]; /* tap k of phase f at [k][f] */
	float *line;       /* delay + CHUNK frames as taken (before in_gain): those held back, then the chunk */
	double *gain;      /* CHUNK: the gain for each frame of the line's start */
	int64_t *dq_idx;   /* sliding minimum: indices with increasing values */
	double *dq_val;
	int dq_mask, dq_head, dq_len; /* capacity: a power of two, so a mask wraps */
	double *box;       /* the last L minima */
	int bpos;
	double box_sum;
	int64_t ones;      /* consecutive frames whose interval needed no reduction */
	double env;        /* the gain applied to the last frame out */
	double slow, fast; /* the two stages of the envelope, dB */
	double slow_att, slow_rel, fast_rel; /* per-frame coefficients */
	float *zero;       /* CHUNK silent frames, pushed by flush */
	int64_t pushed;    /* frames through the pipeline, flush's silence included */
	int64_t taken, given;
};

struct limiter_track {
	int64_t n;   /* frames read: the stream's, and the windows reaching past its end */
	float *tp;   /* per frame, the true peak of its interval before any gain */
};

static double sinc(double x)
{
	return fabs(x) < 1e-12 ? 1.0 : sin(M_PI * x) / (M_PI * x);
}

/* Tap k of phase f weighs x[m - TP_HALF + 1 + k] to interpolate
 * x[m + (f+1)/4]. Also finds the bound: the worst phase's sum of absolute
 * weights, which a signal with the weights' signs reaches. */
static void design(struct limiter *l)
{
	l->bound = 1.0; /* the samples themselves */
	for (int f = 0; f < TP_PHASES; f++) {
		double phi = (f + 1) / 4.0, sum = 0, abs_sum = 0;

		for (int k = 0; k < TP_TAPS; k++) {
			double t = phi + TP_HALF - 1 - k;
			double c = sinc(t) * 0.5 * (1 + cos(M_PI * t / TP_HALF));

			l->coef[k][f] = (float)c;
			sum += c;
		}
		/* Unity gain at DC: a constant stays the constant. */
		for (int k = 0; k < TP_TAPS; k++) {
			l->coef[k][f] = (float)(l->coef[k][f] / sum);
			abs_sum += fabs(l->coef[k][f]);
		}
		l->bound = fmax(l->bound, abs_sum);
	}
	l->clear = (float)(l->ceiling / (l->bound * (1 + BOUND_SLACK)));
}

/* The per-frame coefficient of a first-order smoother with time constant MS. */
static double coefficient(int rate, double ms)
{
	return 1.0 - exp(-1.0 / (rate * ms / 1000.0));
}

struct limiter *limiter_new(int rate, int channels, double ceiling_dbtp)
{
	struct limiter *l = xcalloc(1, sizeof(*l));
	int cap;

	l->channels = channels;
	l->look = (int)lround(rate * LIMITER_LOOKAHEAD_MS / 1000.0);
	if (l->look < TP_TAPS)
		l->look = TP_TAPS;
	l->delay = l->look - 1 + TP_HALF;
	l->ceiling = pow(10.0, ceiling_dbtp / 20.0);
	l->skip = true;
	l->in_gain = 1.0f;
	l->fast_rel = coefficient(rate, LIMITER_RELEASE_MS);
	l->slow_att = coefficient(rate, LIMITER_SLOW_MS);
	l->slow_rel = l->slow_att;
	design(l);
	l->line = xcalloc((size_t)(l->delay + CHUNK) * (size_t)channels, sizeof(float));
	l->gain = xcalloc(CHUNK, sizeof(*l->gain));
	for (cap = 1; cap < l->look + 2; cap *= 2)
		;
	l->dq_mask = cap - 1;
	l->dq_idx = xcalloc((size_t)cap, sizeof(*l->dq_idx));
	l->dq_val = xcalloc((size_t)cap, sizeof(*l->dq_val));
	l->hot = INT64_MIN / 2;
	l->box = xcalloc((size_t)l->look, sizeof(*l->box));
	for (int i = 0; i < l->look; i++)
		l->box[i] = 1.0;
	l->box_sum = l->look;
	l->env = 1.0;
	l->zero = xcalloc((size_t)CHUNK * (size_t)channels, sizeof(float));
	return l;
}

void limiter_free(struct limiter *l)
{
	if (!l)
		return;
	free(l->line);
	free(l->gain);
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

double limiter_peak_bound(const struct limiter *l)
{
	return l->bound;
}

void limiter_set_gain(struct limiter *l, float g)
{
	l->in_gain = g;
}

void limiter_set_skip(struct limiter *l, bool skip)
{
	l->skip = skip;
}

/* DST = SRC * G over N floats; returns the largest magnitude written. In
 * runs, with eight running maxima rather than one, so the compiler
 * vectorises it at -O2 without reordering anything a result depends on. */
static float copy_scaled(float *restrict dst, const float *restrict src, int64_t n, float g)
{
	float acc[8] = { 0 }, pk = 0;
	int64_t i = 0;

	for (; i + 8 <= n; i += 8)
		for (int k = 0; k < 8; k++) {
			float v = src[i + k] * g, a = fabsf(v);

			dst[i + k] = v;
			acc[k] = a > acc[k] ? a : acc[k];
		}
	for (; i < n; i++) {
		float v = src[i] * g, a = fabsf(v);

		dst[i] = v;
		pk = a > pk ? a : pk;
	}
	for (int k = 0; k < 8; k++)
		pk = acc[k] > pk ? acc[k] : pk;
	return pk;
}

/* DST = SRC * G over N floats, in runs the compiler vectorises: the way
 * out of a chunk at rest, whose peak is known already. */
static void scaled_copy(float *restrict dst, const float *restrict src, int64_t n, float g)
{
	int64_t i = 0;

	for (; i + 16 <= n; i += 16)
		for (int k = 0; k < 16; k++)
			dst[i + k] = src[i + k] * g;
	for (; i < n; i++)
		dst[i] = src[i] * g;
}

/* The largest magnitude, sample or interpolated, over all CH channels, of
 * the interval between the two middle frames of the TP_TAPS frames ending
 * with frame X. The phases are computed side by side (each summed in the
 * same order as alone), which the compiler vectorises; always inlined, so
 * a constant CH (below) leaves no index arithmetic, and in a loop the
 * coefficients stay in registers. */
static inline __attribute__((always_inline)) double interval_peak(const float coef[TP_TAPS][TP_LANES],
								   const float *x, int ch)
{
	float pk = 0;

	for (int c = 0; c < ch; c++) {
		const float *w = x + c - (TP_TAPS - 1) * ch;
		float v[TP_LANES] = { 0 }, a;

		/* Unrolled: the loop's own count and branch cost as much as a tap. */
#pragma GCC unroll 12
		for (int k = 0; k < TP_TAPS; k++)
			for (int f = 0; f < TP_LANES; f++)
				v[f] += coef[k][f] * w[k * ch];
		a = fabsf(w[(TP_HALF - 1) * ch]);
		a = fabsf(w[TP_HALF * ch]) > a ? fabsf(w[TP_HALF * ch]) : a;
		for (int f = 0; f < TP_PHASES; f++)
			a = fabsf(v[f]) > a ? fabsf(v[f]) : a;
		pk = a > pk ? a : pk;
	}
	return pk;
}

/* interval_peak for the limiter's channels: mono and stereo, what
 * stations air, each with its own constant count. */
static double true_peak(const struct limiter *l, const float *x)
{
	switch (l->channels) {
	case 1:
		return interval_peak(l->coef, x, 1);
	case 2:
		return interval_peak(l->coef, x, 2);
	default:
		return interval_peak(l->coef, x, l->channels);
	}
}

/* Sliding minimum of r over the last L + 1 values (index m). */
static double window_min(struct limiter *l, int64_t m, double r)
{
	while (l->dq_len > 0) {
		int back = (l->dq_head + l->dq_len - 1) & l->dq_mask;

		if (l->dq_val[back] < r)
			break;
		l->dq_len--;
	}
	int at = (l->dq_head + l->dq_len) & l->dq_mask;

	l->dq_idx[at] = m;
	l->dq_val[at] = r;
	l->dq_len++;
	while (l->dq_idx[l->dq_head] < m - l->look) {
		l->dq_head = (l->dq_head + 1) & l->dq_mask;
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
 * whatever the slow one lacks), so the guarantee above holds. A release
 * within REST_DB of 0 dB with nothing to reduce ends there, so the gain
 * comes to rest at exactly 1 and the chunks after it can be copied. */
static double envelope(struct limiter *l, double s)
{
	double sdb = s < 1.0 ? decibel_of(s) : 0.0, tgt, g;

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
	if (sdb == 0 && l->slow > -REST_DB && l->fast > -REST_DB)
		l->slow = l->fast = 0;
	if (l->slow == 0 && l->fast == 0)
		return 1.0;
	g = decibel_gain(l->slow + l->fast);
	/* The sum is at most sdb; rounding in either conversion must not
	 * lift the gain over S, which the peak allows. */
	return g < s ? g : s;
}

/* The gain path of one frame whose interval needs R (1: no reduction). */
static double gain_for(struct limiter *l, double r)
{
	double s = boxcar(l, window_min(l, l->pushed - TP_HALF, r));

	l->pushed++;
	l->ones = r == 1.0 ? l->ones + 1 : 0;
	l->env = envelope(l, s);
	return l->env;
}

/* At rest: the last 2L intervals needed nothing, so every value in the
 * sliding minimum and the boxcar is 1, and the release is over. Each
 * further frame needing nothing leaves it so, with a gain of exactly 1. */
static bool at_rest(const struct limiter *l)
{
	return l->ones >= 2 * (int64_t)l->look && l->slow == 0 && l->fast == 0;
}

/* What M frames needing nothing do to a limiter at rest. */
static void pass(struct limiter *l, int64_t m)
{
	l->pushed += m;
	l->ones += m;
	l->bpos = (int)((l->bpos + m) % l->look);
	l->box_sum = l->look;
	l->dq_head = 0;
	l->dq_len = 1;
	l->dq_idx[0] = l->pushed - 1 - TP_HALF;
	l->dq_val[0] = 1.0;
}

/* The largest magnitude among the CH samples of frame F. */
static float frame_peak(const float *f, int ch)
{
	float pk = 0;

	for (int c = 0; c < ch; c++)
		pk = fabsf(f[c]) > pk ? fabsf(f[c]) : pk;
	return pk;
}

/* The detector's reading for the frame just pushed (index P, at F in the
 * line), before the gain: from the track while it lasts. */
static double reading(const struct limiter *l, int64_t p, const float *f)
{
	if (l->track && p < l->track->n)
		return l->track->tp[p];
	return true_peak(l, f);
}

/* Shapes M (at most CHUNK) frames from IN: the frames that leave the line
 * go to OUT, limited. Returns how many; fewer than M while the line fills.
 * OUT may be IN or lie before it.
 *
 * The detector reads the audio as taken and scales its reading by the
 * gain (the true peak of g x is g times that of x), so its readings do
 * not depend on the gain and a track of them serves any gain. Per frame,
 * the interpolation is skipped while no frame of its window has a sample
 * peak that, times the gain and the bound, exceeds the ceiling: HOT is
 * the last frame that had one, and its windows are those of the next
 * TP_TAPS frames. */
static int64_t shape(struct limiter *l, const float *in, int64_t m, float *out)
{
	int ch = l->channels;
	size_t fsize = sizeof(float) * (size_t)ch;
	float *x = l->line + (size_t)l->delay * (size_t)ch;
	int64_t silent = l->pushed < l->delay ? l->delay - l->pushed : 0; /* the line's initial zeros */
	double g = l->in_gain;
	float pk = copy_scaled(x, in, m * ch, 1.0f); /* times 1: a copy that finds the peak */
	bool clear;

	clear = l->skip && g * pk <= l->clear && l->pushed - l->hot >= TP_TAPS;
	if (silent > m)
		silent = m;
	if (clear && at_rest(l)) {
		pass(l, m);
		if (l->in_gain == 1.0f)
			memcpy(out, l->line + silent * ch, fsize * (size_t)(m - silent));
		else
			scaled_copy(out, l->line + silent * ch, (m - silent) * ch, l->in_gain);
	} else {
		for (int64_t i = 0; i < m; i++) {
			const float *f = x + i * ch;
			double r = 1.0;

			if (!clear) {
				if (!l->skip || g * frame_peak(f, ch) > l->clear)
					l->hot = l->pushed;
				if (l->pushed - l->hot < TP_TAPS) {
					double tp = g * reading(l, l->pushed, f);

					r = tp > l->ceiling ? l->ceiling / tp : 1.0;
				}
			}
			l->gain[i] = gain_for(l, r);
		}
		/* Frame i of the line is the one gain[i] was computed for; the
		 * gain rounds to float first, as if the frame came in scaled. */
		for (int64_t i = silent; i < m; i++)
			for (int c = 0; c < ch; c++) {
				float v = l->line[i * ch + c] * l->in_gain;

				out[(i - silent) * ch + c] = (float)(v * l->gain[i]);
			}
	}
	memmove(l->line, l->line + m * ch, fsize * (size_t)l->delay);
	return m - silent;
}

int64_t limiter_process(struct limiter *l, float *buf, int64_t n)
{
	int64_t k = 0;
	int ch = l->channels;

	for (int64_t i = 0; i < n; i += CHUNK)
		k += shape(l, buf + i * ch, n - i < CHUNK ? n - i : CHUNK, buf + k * ch);
	l->taken += n;
	l->given += k;
	return k;
}

int64_t limiter_flush(struct limiter *l, float *buf, int64_t max)
{
	int64_t k = 0;

	while (k < max && l->given < l->taken) {
		int64_t want = max - k < l->taken - l->given ? max - k : l->taken - l->given;
		int64_t z = want + (l->pushed < l->delay ? l->delay - l->pushed : 0), got;

		got = shape(l, l->zero, z < CHUNK ? z : CHUNK, buf + k * l->channels);
		k += got;
		l->given += got;
	}
	return k;
}

double limiter_gain_db(const struct limiter *l)
{
	return 20.0 * log10(l->env);
}

struct limiter_track *limiter_track_new(const struct limiter *l, const float *x, int64_t n)
{
	struct limiter_track *t = xcalloc(1, sizeof(*t));
	int ch = l->channels;
	float win[TP_TAPS * 8];
	float *w = ch <= 8 ? win : xmalloc(sizeof(float) * TP_TAPS * (size_t)ch);
	int64_t inner = n > TP_TAPS - 1 ? n : TP_TAPS - 1; /* the frames whose window lies within X */

	t->n = n + TP_TAPS - 1; /* windows after that hold only flush's zeros */
	t->tp = xmalloc(sizeof(float) * (size_t)t->n);

	/* The stream's own windows, with the loop specialised as true_peak is. */
	if (ch == 1)
		for (int64_t p = TP_TAPS - 1; p < inner; p++)
			t->tp[p] = (float)interval_peak(l->coef, x + p, 1);
	else if (ch == 2)
		for (int64_t p = TP_TAPS - 1; p < inner; p++)
			t->tp[p] = (float)interval_peak(l->coef, x + p * 2, 2);
	else
		for (int64_t p = TP_TAPS - 1; p < inner; p++)
			t->tp[p] = (float)true_peak(l, x + p * ch);
	for (int64_t p = 0; p < t->n; p++) {
		if (p >= TP_TAPS - 1 && p < inner)
			continue;
		/* The window reaches before the stream (the line's zeros) or
		 * after it (flush's). */
		for (int k = 0; k < TP_TAPS; k++) {
			int64_t q = p - (TP_TAPS - 1) + k;

			for (int c = 0; c < ch; c++)
				w[k * ch + c] = q >= 0 && q < n ? x[q * ch + c] : 0.0f;
		}
		t->tp[p] = (float)true_peak(l, w + (TP_TAPS - 1) * ch);
	}
	if (w != win)
		free(w);
	return t;
}

void limiter_track_free(struct limiter_track *t)
{
	if (!t)
		return;
	free(t->tp);
	free(t);
}

void limiter_use_track(struct limiter *l, const struct limiter_track *t)
{
	l->track = t;
}
