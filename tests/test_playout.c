/* Tests of audio/playout.c, the arithmetic that puts an item's first frame
 * where the device plays it at the scheduled instant, with made-up device
 * readings (no device, no clock): a card whose position moves smoothly,
 * and a JACK server through the ALSA jack plugin, whose buffer gives up a
 * whole period at the start of each cycle. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include "audio/playout.h"

#define RATE 48000
#define MS 1000000LL
#define ORIGIN (5000 * MS) /* CLOCK_MONOTONIC when frame 0 is played */

/* What a smooth card says at T: it has played (T − ORIGIN) × RATE of the
 * WRITTEN frames, the rest are queued. */
static int64_t smooth_delay(int64_t t, int64_t written)
{
	return written - (t - ORIGIN) * RATE / 1000000000;
}

/* What the jack plugin says at T with a period of N frames: the block of
 * the cycle under way left the buffer when the cycle started. From
 * SKIP_AT on, the client has missed a cycle: everything plays a period
 * later. */
static int64_t skip_at = INT64_MAX;
/* Every LATE_EVERY-th cycle's code runs LATE ns after the cycle starts. */
static int64_t late_every, late_ns;

static int64_t jack_delay(int64_t t, int64_t written, int64_t n)
{
	int64_t j = (t - ORIGIN) * RATE / 1000000000 / n; /* the cycle under way */
	int64_t start = ORIGIN + j * n * 1000000000 / RATE;

	if (late_every && j % late_every == 0 && t < start + late_ns)
		j--; /* its code has not run yet */
	if (t >= skip_at)
		j--;
	return written - (j + 1) * n;
}

static void test_smooth_card(void **state)
{
	struct playout c;
	int64_t written = 24000;

	(void)state;
	playout_init(&c, RATE);
	assert_false(c.known);
	for (int64_t t = ORIGIN + 300 * MS; t < ORIGIN + 900 * MS; t += 3 * MS)
		playout_observe(&c, t, t + 20000, written, smooth_delay(t, written));
	assert_true(c.known);
	/* The frame played 2 s after frame 0 is frame 96,000, and back. */
	assert_int_equal(playout_frame_at(&c, ORIGIN + 2000 * MS), 2 * RATE);
	assert_int_equal(playout_time_of(&c, 2 * RATE), ORIGIN + 2000 * MS);
	/* Half a frame rounds to the nearest. */
	assert_int_equal(playout_frame_at(&c, ORIGIN + 2000 * MS + 10000), 2 * RATE);
	assert_int_equal(playout_frame_at(&c, ORIGIN + 2000 * MS + 11000), 2 * RATE + 1);
	/* An instant before frame 0 is a frame below 0: it is past. */
	assert_true(playout_frame_at(&c, ORIGIN - 10 * MS) < 0);
}

/* Readings every 3 ms for 600 ms, at every phase of the cycle that falls
 * there, place the frame of an instant 1 s on to within 0.5 ms and never
 * early (by more than the 2 frames the made-up cycles' whole ns round). Readings taken only as each cycle has started (as a wake-up by
 * the device gives them), 50 µs after it, place it up to a period late,
 * never early: the reason the player spreads its readings (OBSERVE_MS). */
static void jack_period(int64_t n)
{
	int64_t at = ORIGIN + 1000 * MS, truth = RATE, written = RATE / 5, k;
	struct playout c;

	playout_init(&c, RATE);
	for (int64_t t = ORIGIN + 100 * MS; t < ORIGIN + 700 * MS; t += 3 * MS)
		playout_observe(&c, t, t + 20000, written, jack_delay(t, written, n));
	k = playout_frame_at(&c, at);
	if (k < truth - 2 || k - truth > RATE / 2000)
		fail_msg("period %lld: frame %lld placed for %lld", (long long)n, (long long)k, (long long)truth);

	playout_init(&c, RATE);
	for (int64_t j = 10; j < 30; j++) {
		int64_t t = ORIGIN + j * n * 1000000000 / RATE + 50000;

		playout_observe(&c, t, t + 20000, written, jack_delay(t, written, n));
	}
	k = playout_frame_at(&c, at);
	if (k < truth - 2 || k - truth > n)
		fail_msg("period %lld, at wake-ups: frame %lld placed for %lld", (long long)n, (long long)k,
			 (long long)truth);
}

/* Every fifth cycle 3 ms late: the bounds taken in those 3 ms are above
 * the origin, and the bounds from above keep the estimate where it is. */
static void test_jack_late_cycles(void **state)
{
	(void)state;
	late_every = 5;
	late_ns = 3 * MS;
	jack_period(1024);
	jack_period(128);
	late_every = 0;
}

static void test_jack_1024(void **state)
{
	(void)state;
	jack_period(1024);
}

static void test_jack_128(void **state)
{
	(void)state;
	jack_period(128);
}

/* A client that missed a cycle 300 ms before the instant plays it a
 * period later, and the frame placed is the one it plays then: what it
 * did before the miss no longer counts. */
static void test_jack_falls_behind(void **state)
{
	int64_t at = ORIGIN + 1000 * MS, written = RATE / 5, truth = RATE - 1024, k;
	struct playout c;

	(void)state;
	skip_at = ORIGIN + 700 * MS;
	playout_init(&c, RATE);
	for (int64_t t = ORIGIN + 100 * MS; t < ORIGIN + 900 * MS; t += 3 * MS)
		playout_observe(&c, t, t + 20000, written, jack_delay(t, written, 1024));
	k = playout_frame_at(&c, at);
	skip_at = INT64_MAX;
	if (k < truth - 2 || k - truth > RATE / 2000)
		fail_msg("behind by a period: frame %lld placed for %lld", (long long)k, (long long)truth);
}

/* A reading whose clock was read long before the device answered (the
 * thread was preempted in between) bounds the origin loosely, never
 * wrongly: the estimate keeps the best bound. */
static void test_late_answer_is_harmless(void **state)
{
	struct playout c;
	int64_t written = 9600, t = ORIGIN + 500 * MS;

	(void)state;
	playout_init(&c, RATE);
	playout_observe(&c, t, t + 20000, written, smooth_delay(t, written));
	playout_observe(&c, t - 30 * MS, t + 20000, written, smooth_delay(t, written));
	assert_int_equal(c.origin_ns, ORIGIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smooth_card),
		cmocka_unit_test(test_jack_1024),
		cmocka_unit_test(test_jack_128),
		cmocka_unit_test(test_jack_late_cycles),
		cmocka_unit_test(test_jack_falls_behind),
		cmocka_unit_test(test_late_answer_is_harmless),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
