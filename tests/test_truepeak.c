/* Tests of audio/truepeak.c: it reads what libebur128's true-peak mode
 * reads (the largest of ebur128_true_peak over the channels) on signals
 * that put their peaks between samples, at every rate class libebur128
 * treats apart (4x, 2x, none), in chunks of awkward sizes, including the
 * signals whose loud moments come late, after quiet ones (the runs it
 * skips must never hide a peak). */
#include <ebur128.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "audio/truepeak.h"
#include "util/xmalloc.h"

/* Exact on the machine libebur128 was built for; elsewhere (arm64 fuses
 * multiply-adds where its compiler may choose) a float's last bit. */
#define TOLERANCE 1e-6

static double reference(const float *x, int64_t n, int rate, int ch)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_TRUE_PEAK);
	double tp, max = 0;

	ebur128_add_frames_float(m, x, (size_t)n);
	for (int c = 0; c < ch; c++) {
		assert_int_equal(ebur128_true_peak(m, (unsigned)c, &tp), EBUR128_SUCCESS);
		max = fmax(max, tp);
	}
	ebur128_destroy(&m);
	return max;
}

/* Signal KIND of N frames: 0 a sine at a quarter of the rate phased to
 * miss its peaks; 1 noise rising from -60 dB to full scale; 2 quiet noise
 * with lone clicks of alternating sign, the loudest last; 3 a chirp. */
static float *make(int kind, int rate, int ch, int64_t n)
{
	float *x = xmalloc(sizeof(float) * (size_t)(n * ch));
	uint32_t seed = 99;

	for (int64_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++) {
			double t = (double)i / rate, v;

			seed = seed * 1664525u + 1013904223u;
			double r = (double)seed / 4294967296.0 * 2 - 1;

			switch (kind) {
			case 0:
				v = 0.7 * sin(2 * M_PI * rate / 4 * t + M_PI / 4 + c);
				break;
			case 1:
				v = r * pow(10, -3 * (1 - (double)i / n));
				break;
			case 2:
				v = 0.01 * r;
				if (i % 4001 == 2000)
					v = (i / 4001 % 2 ? -1 : 1) * (0.3 + 0.6 * (double)i / n);
				break;
			default:
				v = 0.9 * sin(2 * M_PI * (100 + 0.45 * rate * t / ((double)n / rate)) * t) *
				    (c ? 0.5 : 1.0);
				break;
			}
			x[i * ch + c] = (float)v;
		}
	return x;
}

static void test_same_as_libebur128(void **state)
{
	static const int rates[] = { 8000, 22050, 44100, 48000, 96000, 192000 };
	static const int64_t chunks[] = { 1, 5, 63, 64, 65, 4096 };

	(void)state;
	for (size_t ri = 0; ri < sizeof(rates) / sizeof(rates[0]); ri++)
		for (int ch = 1; ch <= 2; ch++)
			for (int kind = 0; kind < 4; kind++) {
				int rate = rates[ri];
				int64_t n = rate / 2;
				float *x = make(kind, rate, ch, n);
				double want = reference(x, n, rate, ch);

				for (size_t ci = 0; ci < sizeof(chunks) / sizeof(chunks[0]); ci++) {
					struct truepeak *t = truepeak_new(rate, ch);
					double got;

					for (int64_t i = 0; i < n; i += chunks[ci])
						truepeak_add(t, x + i * ch, n - i < chunks[ci] ? n - i : chunks[ci]);
					got = truepeak_get(t);
					if (fabs(got - want) > TOLERANCE * want)
						fail_msg("%d Hz, %d ch, signal %d, chunks of %lld: %.9g, libebur128 %.9g",
							 rate, ch, kind, (long long)chunks[ci], got, want);
					truepeak_free(t);
				}
				free(x);
			}
}

/* The quarter-rate sine's samples are 3 dB under its peaks: the meter
 * finds what lies between them. */
static void test_finds_the_peak_between_samples(void **state)
{
	int64_t n = 48000;
	float *x = make(0, 48000, 1, n);
	struct truepeak *t = truepeak_new(48000, 1);
	float spk = 0;

	(void)state;
	for (int64_t i = 0; i < n; i++)
		spk = fabsf(x[i]) > spk ? fabsf(x[i]) : spk;
	truepeak_add(t, x, n);
	assert_true(20 * log10(truepeak_get(t) / spk) > 2.5);
	truepeak_free(t);
	free(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_libebur128),
		cmocka_unit_test(test_finds_the_peak_between_samples),
	};

	return cmocka_run_group_tests_name("truepeak", tests, NULL, NULL);
}
