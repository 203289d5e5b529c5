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
 * reads.
 *
 * Most audio never comes near the ceiling, so the interpolation is skipped
 * where it cannot matter: an interpolated point is a weighted sum of 12
 * samples, so it exceeds the largest of them by at most the sum of the
 * absolute weights of the worst phase (about 1.86, +5.4 dB). A frame whose
 * window's sample peak, times the gain and that bound, is at or under the
 * ceiling has no true peak over it: r is 1, exactly what the interpolation
 * would have given. The work is done a chunk of frames at a time; when a
 * whole chunk is so and the gain is also at rest (1, with nothing pending
 * in the look-ahead or the release), it passes through as a copy.
 *
 * At block rate. The path above costs some 200 instructions a frame (a
 * sliding minimum, a moving average, a logarithm and an exponential),
 * three times what decoding the MP3 does, and recorded speech brought to
 * the target needs it nearly all along. So it runs once per block of BLK
 * frames instead, on each block's least r, and the gain of the frames
 * between two points is interpolated linearly. That keeps the guarantee
 * if each point's gain allows every frame of the two segments it ends,
 * and the intervals touching them: the point at frame P takes r over
 * P - BLK - 1 .. P + BLK, the blocks k - 2 .. k + 1 around it, so the
 * sliding minimum spans lb + 3 blocks where it spanned L + 1 frames, and
 * the line holds 2 BLK frames more. A line between two gains each under
 * a bound stays under it. The gain reduction starts at most a block or two
 * earlier and ends as much later than the per-frame path's; on the
 * shared speech the two outputs differ by under -50 dBFS RMS
 * (bench/limiter_null, which runs the per-frame limiter kept as
 * bench/limiter_ref.c beside this one). */
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
/* The gain path runs once per block of this many frames, and the gain is
 * interpolated in between (see "At block rate" above). */
#define BLK 8

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
	float *gain;       /* ring of gain_mask + 1: the gain of frame f at slot(f) */
	int gain_mask;
	int lb;            /* the boxcar's length in blocks: L / BLK, rounded */
	int64_t *dq_idx;   /* sliding minimum over blocks: indices with increasing values */
	double *dq_val;
	int dq_mask, dq_head, dq_len; /* capacity: a power of two, so a mask wraps */
	double *box;       /* the last lb minima */
	int bpos;
	double box_sum;
	double blk_min;    /* the least r of the block being read */
	int64_t blocks;    /* blocks completed */
	int64_t ones;      /* consecutive frames (whole blocks) whose interval needed no reduction */
	int64_t calm;      /* consecutive frames, up to the last point, given a gain of exactly 1 */
	double env;        /* the gain at the last point computed */
	float out_gain;    /* the gain of the last frame out */
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
	l->lb = (l->look + BLK / 2) / BLK;
	if (l->lb < 1)
		l->lb = 1;
	/* What the block path needs ahead of a frame (see "At block rate"). */
	l->delay = (l->lb + 2) * BLK - 1 + TP_HALF;
	l->ceiling = pow(10.0, ceiling_dbtp / 20.0);
	l->skip = true;
	l->in_gain = 1.0f;
	l->fast_rel = coefficient(rate, LIMITER_RELEASE_MS);
	l->slow_att = coefficient(rate, LIMITER_SLOW_MS);
	/* Per block: BLK frames' worth of each smoother. */
	l->fast_rel = 1 - pow(1 - l->fast_rel, BLK);
	l->slow_att = 1 - pow(1 - l->slow_att, BLK);
	l->slow_rel = l->slow_att;
	design(l);
	l->line = xcalloc((size_t)(l->delay + CHUNK) * (size_t)channels, sizeof(float));
	for (cap = 1; cap < l->delay + CHUNK + BLK; cap *= 2)
		;
	l->gain_mask = cap - 1;
	l->gain = xcalloc((size_t)cap, sizeof(*l->gain));
	for (int i = 0; i < cap; i++)
		l->gain[i] = 1.0;
	for (cap = 1; cap < l->lb + 5; cap *= 2)
		;
	l->dq_mask = cap - 1;
	l->dq_idx = xcalloc((size_t)cap, sizeof(*l->dq_idx));
	l->dq_val = xcalloc((size_t)cap, sizeof(*l->dq_val));
	l->hot = INT64_MIN / 2;
	l->box = xcalloc((size_t)l->lb, sizeof(*l->box));
	for (int i = 0; i < l->lb; i++)
		l->box[i] = 1.0;
	l->box_sum = l->lb;
	l->blk_min = 1.0;
	l->env = 1.0;
	l->out_gain = 1.0f;
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

/* Sliding minimum over the last lb + 3 block minima (block M). */
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
	while (l->dq_idx[l->dq_head] < m - (l->lb + 2)) {
		l->dq_head = (l->dq_head + 1) & l->dq_mask;
		l->dq_len--;
	}
	return l->dq_val[l->dq_head];
}

/* The mean of the last lb minima. The running sum is recomputed once per
 * lap so rounding cannot drift over hours of audio. */
static double boxcar(struct limiter *l, double mn)
{
	l->box_sum += mn - l->box[l->bpos];
	l->box[l->bpos] = mn;
	if (++l->bpos == l->lb) {
		l->bpos = 0;
		l->box_sum = 0;
		for (int i = 0; i < l->lb; i++)
			l->box_sum += l->box[i];
	}
	return l->box_sum / l->lb;
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

/* Where frame F's gain is in the ring: offset so that each block's
 * segment (below) starts at a multiple of BLK and never wraps. */
static int64_t slot(const struct limiter *l, int64_t f)
{
	return (f + TP_HALF) & l->gain_mask;
}

/* Frame P_k = k BLK - TP_HALF: the point block k starts at, in frames as
 * pushed less TP_HALF (the index of the interval the push reads). */
static int64_t point(int64_t k)
{
	return k * BLK - TP_HALF;
}

/* Block B's reading done (its least r in blk_min): the gain at point
 * K = B - lb, and the gains of the frames from the point before to it,
 * interpolated. */
static void block_done(struct limiter *l)
{
	int64_t b = l->blocks++, k = b - l->lb, p0 = point(k - 1);
	double s = boxcar(l, window_min(l, b, l->blk_min)), prev = l->env;

	l->ones = l->blk_min == 1.0 ? l->ones + BLK : 0;
	l->blk_min = 1.0;
	l->env = envelope(l, s);
	float *g = l->gain + slot(l, p0);

	if (l->env == prev) {
		l->calm = prev == 1.0 ? l->calm + BLK : 0;
		for (int i = 0; i < BLK; i++)
			g[i] = (float)prev;
	} else {
		/* Between two gains each under what the frames allow; the
		 * clamp keeps rounding from lifting one over both. */
		double step = (l->env - prev) / BLK, hi = prev > l->env ? prev : l->env;

		l->calm = 0;
		for (int i = 0; i < BLK; i++) {
			double v = prev + step * i;

			g[i] = (float)(v < hi ? v : hi);
		}
	}
}

/* At rest: the minima and the boxcar hold only 1, the release is over and
 * every gain still to be read is 1: the last lb + 3 blocks, and the frames
 * of the line, needed nothing. */
static bool at_rest(const struct limiter *l)
{
	return l->ones >= (l->lb + 4) * BLK && l->blk_min == 1.0 && l->slow == 0 && l->fast == 0 &&
	       l->calm >= l->delay + BLK;
}

/* What M frames needing nothing do to a limiter at rest. */
static void pass(struct limiter *l, int64_t m)
{
	int64_t from = point(l->blocks - l->lb - 1);

	l->pushed += m;
	l->ones += m;
	/* The blocks that completed: the gains of their segments are 1,
	 * which the ring holds already once a whole lap of it was. */
	l->blocks = l->pushed / BLK;
	if (l->calm <= l->gain_mask)
		for (int64_t f = from; f < point(l->blocks - l->lb - 1); f++)
			l->gain[slot(l, f)] = 1.0f;
	l->calm += point(l->blocks - l->lb - 1) - from;
	l->box_sum = l->lb;
	for (int i = 0; i < l->lb; i++)
		l->box[i] = 1.0;
	l->bpos = 0;
	l->dq_head = 0;
	l->dq_len = 1;
	l->dq_idx[0] = l->blocks - 1;
	l->dq_val[0] = 1.0;
}

/* OUT = IN * IG * G over N frames of CH channels, G per frame: loops
 * with a constant channel count, which the compiler vectorises. */
static void apply(float *restrict out, const float *restrict in, const float *restrict g, int64_t n, int ch,
		  float ig)
{
	int64_t i = 0;

	if (ch == 1) {
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 8; k++)
				out[i + k] = in[i + k] * ig * g[i + k];
		for (; i < n; i++)
			out[i] = in[i] * ig * g[i];
	} else if (ch == 2) {
		for (; i + 8 <= n; i += 8)
			for (int k = 0; k < 16; k++)
				out[2 * i + k] = in[2 * i + k] * ig * g[i + k / 2];
		for (; i < n; i++) {
			out[2 * i] = in[2 * i] * ig * g[i];
			out[2 * i + 1] = in[2 * i + 1] * ig * g[i];
		}
	} else {
		for (; i < n; i++)
			for (int c = 0; c < ch; c++)
				out[i * ch + c] = in[i * ch + c] * ig * g[i];
	}
}

/* The largest magnitude among N samples. */
static float run_peak(const float *x, int64_t n)
{
	float pk = 0;

	for (int64_t i = 0; i < n; i++)
		pk = fabsf(x[i]) > pk ? fabsf(x[i]) : pk;
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
		l->out_gain = 1.0f;
		if (l->in_gain == 1.0f)
			memcpy(out, l->line + silent * ch, fsize * (size_t)(m - silent));
		else
			scaled_copy(out, l->line + silent * ch, (m - silent) * ch, l->in_gain);
	} else {
		int64_t first = l->pushed - l->delay; /* the frame at the line's start */

		/* A block (or what of it this chunk holds) at a time: its
		 * sample peak says whether any of its frames is hot, and the
		 * interpolation runs only on frames within reach of one. */
		for (int64_t i = 0; i < m;) {
			int64_t k = BLK - (l->pushed & (BLK - 1));

			if (k > m - i)
				k = m - i;
			if (!clear) {
				if (!l->skip || g * run_peak(x + i * ch, k * ch) > l->clear)
					l->hot = l->pushed + k - 1;
				for (int64_t j = 0; j < k && l->pushed + j - l->hot < TP_TAPS; j++) {
					double tp = g * reading(l, l->pushed + j, x + (i + j) * ch);

					if (tp > l->ceiling && l->ceiling / tp < l->blk_min)
						l->blk_min = l->ceiling / tp;
				}
			}
			l->pushed += k;
			i += k;
			if ((l->pushed & (BLK - 1)) == 0)
				block_done(l);
		}
		/* Frame i of the line has its gain in the ring: in at most two
		 * runs, where the ring wraps. */
		for (int64_t i = silent; i < m;) {
			int64_t at = slot(l, first + i), k = l->gain_mask + 1 - at;

			if (k > m - i)
				k = m - i;
			apply(out + (i - silent) * ch, l->line + i * ch, l->gain + at, k, ch, l->in_gain);
			i += k;
		}
		if (m > silent)
			l->out_gain = l->gain[slot(l, first + m - 1)];
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
	return 20.0 * log10(l->out_gain);
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
