/* Tests of audio/limiter.c and audio/loudness.c: the true peak that comes
 * out (measured independently, with libebur128) stays at the ceiling, every
 * frame that goes in comes out, the gain moves without clicks, audio under
 * the ceiling passes bit for bit, and the normalisation maths holds. */
#include <ebur128.h>
#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "audio/decibel.h"
#include "audio/limiter.h"
#include "audio/loudness.h"
#include "util/xmalloc.h"

/* libebur128 and the limiter interpolate with different filters; their
 * true-peak readings of the same audio differ by hundredths of a dB. */
#define TP_TOLERANCE_DB 0.02

enum signal { SINE, QUARTER, CLICKS, NOISE, SPEECH };

/* A test signal of N frames: a 997 Hz sine; a sine at a quarter of the
 * rate whose samples miss its peaks by 3 dB (an inter-sample peak); a quiet
 * tone with a full-scale click every 2 s; white noise; or speech-like bursts
 * of harmonics. Peak AMP. */
static float *make(enum signal kind, int rate, int ch, int64_t n, double amp)
{
	float *x = xcalloc((size_t)(n * ch), sizeof(float));
	uint32_t seed = 12345;

	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, v = 0;

		switch (kind) {
		case SINE:
			v = sin(2 * M_PI * 997 * t);
			break;
		case QUARTER:
			v = sin(2 * M_PI * i / 4.0 + M_PI / 4);
			v /= sin(M_PI / 4); /* samples at +-1, the wave between them at 1.41 */
			break;
		case CLICKS:
			v = 0.03 * sin(2 * M_PI * 300 * t);
			if (i % (rate * 2) == rate / 4)
				v = 1.0;
			break;
		case NOISE:
			seed = seed * 1664525u + 1013904223u;
			v = (seed >> 8) / (double)(1 << 24) * 2 - 1;
			break;
		case SPEECH: {
			double syl = fmax(0, sin(2 * M_PI * 3.7 * t)), h = 0;

			for (int k = 1; k <= 8; k++)
				h += sin(2 * M_PI * 140 * k * t + k) / k;
			v = 0.45 * h * syl * syl * (fmod(t, 4.0) < 3.2 ? 1 : 0);
			break;
		}
		}
		for (int c = 0; c < ch; c++)
			x[i * ch + c] = (float)(amp * v * (c == 1 ? 0.8 : 1.0));
	}
	return x;
}

/* Runs X (N frames) through a limiter in chunks of CHUNK frames, then
 * flushes it; returns the frames that came out (*out_n of them). */
static float *run(struct limiter *l, const float *x, int64_t n, int ch, int64_t chunk, int64_t *out_n)
{
	float *y = xcalloc((size_t)((n + limiter_latency(l) + chunk) * ch), sizeof(float));
	int64_t k = 0, r;

	for (int64_t i = 0; i < n; i += chunk) {
		int64_t m = n - i < chunk ? n - i : chunk;

		memcpy(y + k * ch, x + i * ch, sizeof(float) * (size_t)(m * ch));
		k += limiter_process(l, y + k * ch, m);
	}
	while ((r = limiter_flush(l, y + k * ch, chunk)) > 0)
		k += r;
	*out_n = k;
	return y;
}

static double true_peak_db(const float *y, int64_t n, int ch, int rate)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
	double tp, max = 0;

	ebur128_add_frames_float(m, y, (size_t)n);
	for (int c = 0; c < ch; c++) {
		assert_int_equal(ebur128_true_peak(m, (unsigned)c, &tp), EBUR128_SUCCESS);
		max = fmax(max, tp);
	}
	ebur128_destroy(&m);
	return 20 * log10(max);
}

static double lufs(const float *y, int64_t n, int ch, int rate)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I);
	double l;

	ebur128_add_frames_float(m, y, (size_t)n);
	assert_int_equal(ebur128_loudness_global(m, &l), EBUR128_SUCCESS);
	ebur128_destroy(&m);
	return l;
}

static void test_true_peak_held(void **state)
{
	static const struct {
		enum signal kind;
		int rate, ch;
		double amp, ceiling;
	} cases[] = {
		{ SINE, 48000, 2, 4.0, -1.0 },   /* +12 dB over full scale */
		{ QUARTER, 48000, 1, 1.0, -1.0 }, /* samples at 0 dBFS, true peak +3 dBTP */
		{ QUARTER, 44100, 2, 0.5, -3.0 },
		{ CLICKS, 44100, 1, 5.0, -1.0 },
		{ NOISE, 22050, 2, 3.0, -1.0 },
		{ SPEECH, 16000, 1, 6.0, -2.0 },
		{ SPEECH, 96000, 2, 3.0, -1.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rate = cases[i].rate, ch = cases[i].ch;
		int64_t n = rate * 2, got;
		float *x = make(cases[i].kind, rate, ch, n, cases[i].amp);
		struct limiter *l = limiter_new(rate, ch, cases[i].ceiling);
		float *y = run(l, x, n, ch, 1000, &got);
		double in_tp = true_peak_db(x, n, ch, rate), out_tp = true_peak_db(y, got, ch, rate);

		if (in_tp <= cases[i].ceiling)
			fail_msg("case %zu: the input (%.2f dBTP) does not test the ceiling", i, in_tp);
		if (out_tp > cases[i].ceiling + TP_TOLERANCE_DB)
			fail_msg("case %zu: true peak %.3f dBTP, ceiling %.1f", i, out_tp, cases[i].ceiling);
		/* Limited, not muted: the loudest moments sit near the ceiling. */
		if (out_tp < cases[i].ceiling - 1.0)
			fail_msg("case %zu: true peak %.3f dBTP, far under the ceiling %.1f", i, out_tp,
				 cases[i].ceiling);
		assert_int_equal(got, n);
		limiter_free(l);
		free(x);
		free(y);
	}
}

/* The gain path runs on blocks of frames and interpolates between them
 * (audio/limiter.c): no placement of a peak against those blocks, the
 * chunks or a limiter at rest lets one through. Each signal is a lone
 * impulse of +12 dBFS, or a pair a few frames apart, after a silence long
 * enough for the limiter to come to rest, at every offset within 16
 * frames, fed in chunks of awkward sizes; no sample may pass the ceiling
 * (exactly), nor the true peak it (within the meters' difference). */
static void test_ceiling_holds_wherever_the_peak_falls(void **state)
{
	static const int64_t chunks[] = { 1, 3, 7, 500, 4096 };
	static const int gaps[] = { 0, 1, 5, 13 };
	int rate = 48000, ch = 2;
	double ceiling = -1.0, lin = pow(10, ceiling / 20);

	(void)state;
	for (size_t c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++)
		for (size_t gi = 0; gi < sizeof(gaps) / sizeof(gaps[0]); gi++)
			for (int off = 0; off < 16; off++) {
				int64_t n = rate / 2, got, at = rate / 4 + off;
				float *x = xcalloc((size_t)(n * ch), sizeof(float));
				struct limiter *l = limiter_new(rate, ch, ceiling);
				float *y;

				for (int k = 0; k < ch; k++) {
					x[at * ch + k] = k ? -4.0f : 4.0f;
					x[(at + gaps[gi]) * ch + k] = 4.0f;
				}
				y = run(l, x, n, ch, chunks[c], &got);
				assert_int_equal(got, n);
				for (int64_t i = 0; i < n * ch; i++)
					if (fabsf(y[i]) > lin)
						fail_msg("chunk %lld, gap %d, offset %d: sample %lld is %.4f over the "
							 "ceiling %.4f", (long long)chunks[c], gaps[gi], off,
							 (long long)i, fabsf(y[i]), lin);
				if (true_peak_db(y, n, ch, rate) > ceiling + TP_TOLERANCE_DB)
					fail_msg("chunk %lld, gap %d, offset %d: true peak %.3f dBTP",
						 (long long)chunks[c], gaps[gi], off, true_peak_db(y, n, ch, rate));
				limiter_free(l);
				free(x);
				free(y);
			}
}

/* Every frame taken comes out, whatever the chunking, even for a stream
 * shorter than the look-ahead. */
static void test_frames_out_equal_frames_in(void **state)
{
	static const int64_t lengths[] = { 1, 7, 100, 240, 241, 4096, 48000 + 17 };
	static const int64_t chunks[] = { 1, 13, 512, 100000 };

	(void)state;
	for (size_t a = 0; a < sizeof(lengths) / sizeof(lengths[0]); a++)
		for (size_t b = 0; b < sizeof(chunks) / sizeof(chunks[0]); b++) {
			int64_t n = lengths[a], got;
			float *x = make(SINE, 48000, 2, n, 3.0);
			struct limiter *l = limiter_new(48000, 2, -1.0);
			float *y = run(l, x, n, 2, chunks[b], &got);

			if (got != n)
				fail_msg("%lld frames in chunks of %lld: %lld came out", (long long)n,
					 (long long)chunks[b], (long long)got);
			assert_int_equal(limiter_flush(l, y, 10), 0);
			limiter_free(l);
			free(x);
			free(y);
		}
}

/* The gain, frame by frame, never steps: a step is a click. A brick-wall
 * limiter would go from 1 to 0.2 between two frames on each click here. */
static void test_gain_moves_smoothly(void **state)
{
	static const enum signal kinds[] = { CLICKS, SPEECH, NOISE };

	(void)state;
	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		int rate = 48000;
		int64_t n = rate * 2;
		float *x = make(kinds[k], rate, 1, n, 5.0);
		struct limiter *l = limiter_new(rate, 1, -1.0);
		/* The look-ahead's ramp: at most the whole range over L frames. */
		double bound = 1.0 / (rate * LIMITER_LOOKAHEAD_MS / 1000.0), prev = NAN, worst = 0, lowest = 1;

		for (int64_t i = 0; i < n; i++) {
			float f = x[i];
			double g;

			if (limiter_process(l, &f, 1) == 0)
				continue;
			g = pow(10, limiter_gain_db(l) / 20);
			if (!isnan(prev)) /* the first frame out has no neighbour to click against */
				worst = fmax(worst, fabs(g - prev));
			lowest = fmin(lowest, g);
			prev = g;
		}
		if (worst > bound)
			fail_msg("signal %zu: the gain stepped by %.5f between two frames (bound %.5f)", k,
				 worst, bound);
		if (lowest > 0.5)
			fail_msg("signal %zu: the limiter never acted (lowest gain %.2f)", k, lowest);
		limiter_free(l);
		free(x);
	}
}

/* Under the ceiling, the output is the input delayed, bit for bit. */
static void test_quiet_passes_unchanged(void **state)
{
	int64_t n = 20000, got;
	float *x = make(SINE, 44100, 2, n, 0.5);
	struct limiter *l = limiter_new(44100, 2, -1.0);
	float *y = run(l, x, n, 2, 777, &got);

	(void)state;
	assert_int_equal(got, n);
	assert_memory_equal(x, y, sizeof(float) * (size_t)(n * 2));
	assert_true(limiter_gain_db(l) == 0.0);
	assert_true(limiter_latency(l) >= 44100 * LIMITER_LOOKAHEAD_MS / 1000);
	limiter_free(l);
	free(x);
	free(y);
}

/* A quiet recording whose clicks reach full scale: the gain alone would
 * push the clicks 14 dB over; gain then limiter lands on the target. */
static void test_quiet_recording_reaches_target(void **state)
{
	int rate = 48000, ch = 2;
	int64_t n = rate * 12, got;
	float *x = make(CLICKS, rate, ch, n, 1.0), *y;
	double in = lufs(x, n, ch, rate), g, out, tp;
	struct limiter *l = limiter_new(rate, ch, -1.0);

	(void)state;
	if (in > -27 || in < -33 || true_peak_db(x, n, ch, rate) < -0.5)
		fail_msg("the fixture is not a quiet recording with full-scale peaks (%.1f LUFS)", in);
	g = loudness_gain_db(in, -16, 0);
	for (int64_t i = 0; i < n * ch; i++)
		x[i] *= (float)loudness_db_to_amp(g);
	y = run(l, x, n, ch, 4096, &got);
	out = lufs(y, got, ch, rate);
	tp = true_peak_db(y, got, ch, rate);
	if (fabs(out + 16) > 1.0 || tp > -1.0 + TP_TOLERANCE_DB)
		fail_msg("a %.1f LUFS recording came out at %.2f LUFS, %.2f dBTP (target -16, -1)", in, out, tp);
	limiter_free(l);
	free(x);
	free(y);
}

/* Random frames: noise whose level jumps every few milliseconds, with
 * an occasional spike, so chunks fall on both sides of the skip's bound. */
static float *random_signal(uint32_t *seed, int64_t n, int ch, double amp)
{
	float *x = xcalloc((size_t)(n * ch), sizeof(float));
	double level = amp;

	for (int64_t i = 0; i < n; i++) {
		*seed = *seed * 1664525u + 1013904223u;
		if (i % 97 == 0)
			level = amp * ((*seed >> 8) / (double)(1 << 24)) * 1.5;
		for (int c = 0; c < ch; c++) {
			*seed = *seed * 1664525u + 1013904223u;
			x[i * ch + c] = (float)(level * ((*seed >> 8) / (double)(1 << 24) * 2 - 1));
		}
		if (*seed % 5003 == 0)
			x[i * ch] = (float)(amp * 2);
	}
	return x;
}

/* The skip never misses a peak: with it and without it (every frame
 * interpolated), the same audio comes out bit for bit, around the bound
 * and far on either side of it, however the stream is chunked. */
static void test_skip_changes_nothing(void **state)
{
	static const int64_t chunks[] = { 1, 100, 4096 };
	uint32_t seed = 777;

	(void)state;
	for (int ch = 1; ch <= 2; ch++)
		for (size_t b = 0; b < sizeof(chunks) / sizeof(chunks[0]); b++)
			for (double amp = 0.1; amp < 1.0; amp += 0.11) {
				int64_t n = 30000, got_a, got_b;
				float *x = random_signal(&seed, n, ch, amp);
				struct limiter *a = limiter_new(44100, ch, -1.0), *e = limiter_new(44100, ch, -1.0);
				float *ya, *ye;

				limiter_set_skip(e, false);
				ya = run(a, x, n, ch, chunks[b], &got_a);
				ye = run(e, x, n, ch, chunks[b], &got_b);
				assert_int_equal(got_a, n);
				assert_int_equal(got_b, n);
				if (memcmp(ya, ye, sizeof(float) * (size_t)(n * ch)) != 0)
					fail_msg("%d channel(s), amplitude %.2f, chunks of %lld: the skip changed the output",
						 ch, amp, (long long)chunks[b]);
				limiter_free(a);
				limiter_free(e);
				free(x);
				free(ya);
				free(ye);
			}
}

/* Runs X through a limiter at gain G, reading the detector from TRACK
 * when one is given; returns what came out (N frames). */
static float *run_at(const float *x, int64_t n, int ch, float g, const struct limiter_track *track,
		     int64_t chunk)
{
	struct limiter *l = limiter_new(44100, ch, -1.0);
	int64_t got;
	float *y;

	limiter_set_gain(l, g);
	if (track)
		limiter_use_track(l, track);
	y = run(l, x, n, ch, chunk, &got);
	assert_int_equal(got, n);
	limiter_free(l);
	return y;
}

/* One track of the detector's readings serves every gain: with it, the
 * limiter gives out what it does interpolating, bit for bit, quiet or
 * crushed, and however the stream is chunked. */
static void test_track_changes_nothing(void **state)
{
	static const float gains[] = { 0.25f, 1.0f, 1.7f, 3.16f };
	static const int64_t chunks[] = { 1, 333, 4096 };
	uint32_t seed = 4242;

	(void)state;
	for (int ch = 1; ch <= 2; ch++) {
		int64_t n = 30000;
		float *x = random_signal(&seed, n, ch, 0.6), *sp = make(SPEECH, 44100, ch, n, 0.5);
		const float *signals[] = { x, sp };
		struct limiter *probe = limiter_new(44100, ch, -1.0);

		for (size_t s = 0; s < 2; s++) {
			struct limiter_track *t = limiter_track_new(probe, signals[s], n);

			for (size_t a = 0; a < sizeof(gains) / sizeof(gains[0]); a++)
				for (size_t b = 0; b < sizeof(chunks) / sizeof(chunks[0]); b++) {
					float *ya = run_at(signals[s], n, ch, gains[a], NULL, chunks[b]);
					float *yt = run_at(signals[s], n, ch, gains[a], t, chunks[b]);

					if (memcmp(ya, yt, sizeof(float) * (size_t)(n * ch)) != 0)
						fail_msg("%d channel(s), signal %zu, gain %.2f, chunks of %lld: the track changed the output",
							 ch, s, gains[a], (long long)chunks[b]);
					free(ya);
					free(yt);
				}
			limiter_track_free(t);
		}
		limiter_free(probe);
		free(x);
		free(sp);
	}
	/* Shorter than the detector's window: every reading reaches past an end. */
	{
		float *x = make(QUARTER, 44100, 2, 5, 2.0);
		struct limiter *probe = limiter_new(44100, 2, -1.0);
		struct limiter_track *t = limiter_track_new(probe, x, 5);
		float *ya = run_at(x, 5, 2, 1.0f, NULL, 2), *yt = run_at(x, 5, 2, 1.0f, t, 2);

		assert_memory_equal(ya, yt, sizeof(float) * 10);
		limiter_track_free(t);
		limiter_free(probe);
		free(x);
		free(ya);
		free(yt);
	}
}

/* The bound is the detector's own worst case, not a guess: samples with
 * the signs of the worst phase's coefficients (+ at the two frames around
 * the half-way point, alternating outwards) make it read the sample peak
 * times the bound. A hair under the ceiling's share, they pass unchanged;
 * a hair over, the limiter acts. */
static void test_skip_bound_is_reached(void **state)
{
	static const double by[] = { 0.999, 1.001 };
	int64_t n = 4000, got;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct limiter *l = limiter_new(48000, 1, -1.0);
		double amp = pow(10, -1.0 / 20) / limiter_peak_bound(l) * by[i];
		int64_t changed = 0;
		float *x = xcalloc((size_t)n, sizeof(float)), *y;

		assert_true(limiter_peak_bound(l) > 1.5 && limiter_peak_bound(l) < 2.5);
		for (int k = 0; k < 12; k++) /* frames 1995..2006: the half-way point is 2000.5 */
			x[1995 + k] = (float)(amp * ((k < 6 ? 5 - k : k - 6) % 2 ? -1 : 1));
		y = run(l, x, n, 1, n, &got);
		assert_int_equal(got, n);
		/* A count, not an fmin() reduction: aarch64 GCC 12's vectoriser
		 * fails with an internal error on that one. */
		for (int64_t k = 0; k < n; k++)
			changed += y[k] != x[k];
		if (i == 0 && changed > 0)
			fail_msg("under the bound, the limiter changed the audio");
		if (i == 1 && changed == 0)
			fail_msg("over the bound, the limiter let a true peak over the ceiling pass");
		limiter_free(l);
		free(x);
		free(y);
	}
}

/* The envelope's decibel maths against libm, over every gain a limiter
 * can reach (0 to -120 dB) and far beyond, and exact at 0 dB. */
static void test_decibels(void **state)
{
	double worst_db = 0, worst_gain = 0, worst_tiny = 0;

	(void)state;
	assert_true(decibel_of(1.0) == 0.0);
	assert_true(decibel_gain(0.0) == 1.0);
	assert_true(decibel_gain(-1e6) == 0.0);
	for (int i = 1; i <= 400000; i++) {
		double db = -i * 3e-4, x = pow(10, db / 20);

		worst_db = fmax(worst_db, fabs(decibel_of(x) - 20 * log10(x)));
		worst_gain = fmax(worst_gain, fabs(decibel_gain(db) / x - 1));
	}
	for (double x = 1e-300; x < 1e-6; x *= 7.3) /* a peak millions of times the ceiling */
		worst_tiny = fmax(worst_tiny, fabs(decibel_of(x) - 20 * log10(x)));
	if (worst_db > 2e-10 || worst_gain > 1e-12 || worst_tiny > 1e-9)
		fail_msg("decibel_of is off by %g dB (%g dB far down), decibel_gain by %g of the gain", worst_db,
			 worst_tiny, worst_gain);
}

static void test_loudness_gain(void **state)
{
	(void)state;
	assert_float_equal(loudness_gain_db(-30, -16, 0), 14, 1e-9);
	assert_float_equal(loudness_gain_db(-10, -16, 0), -6, 1e-9);
	assert_float_equal(loudness_gain_db(-16, -16, 1.5), 1.5, 1e-9);
	/* The boost is capped; the trim comes on top of the cap. */
	assert_float_equal(loudness_gain_db(-60, -16, 0), LOUDNESS_MAX_BOOST_DB, 1e-9);
	assert_float_equal(loudness_gain_db(-60, -16, 3), LOUDNESS_MAX_BOOST_DB + 3, 1e-9);
	/* Unmeasurable loudness: the trim alone. */
	assert_float_equal(loudness_gain_db(-INFINITY, -16, -2), -2, 1e-9);
	assert_float_equal(loudness_gain_db(NAN, -16, 0), 0, 1e-9);
	assert_float_equal(loudness_db_to_amp(0), 1, 1e-12);
	assert_float_equal(loudness_db_to_amp(20), 10, 1e-9);
	assert_float_equal(loudness_db_to_amp(-6.0206), 0.5, 1e-4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_true_peak_held),
		cmocka_unit_test(test_frames_out_equal_frames_in),
		cmocka_unit_test(test_ceiling_holds_wherever_the_peak_falls),
		cmocka_unit_test(test_gain_moves_smoothly),
		cmocka_unit_test(test_quiet_passes_unchanged),
		cmocka_unit_test(test_quiet_recording_reaches_target),
		cmocka_unit_test(test_skip_changes_nothing),
		cmocka_unit_test(test_skip_bound_is_reached),
		cmocka_unit_test(test_track_changes_nothing),
		cmocka_unit_test(test_decibels),
		cmocka_unit_test(test_loudness_gain),
	};

	return cmocka_run_group_tests_name("limiter", tests, NULL, NULL);
}
