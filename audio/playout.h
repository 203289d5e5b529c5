/* When a device plays each frame: the arithmetic that puts an item's
 * first frame where the device plays it at the scheduled instant, apart
 * from ALSA so that it can be tested with made-up observations.
 *
 * A device that has run for a while plays frame P (counted from the first
 * frame written to it, silence included) at origin + P / rate. Every
 * observation, a CLOCK_MONOTONIC reading T taken just before asking the
 * device how many of the W frames written it still holds (snd_pcm_delay:
 * D), bounds the origin from below: the frame W − D is played at T or
 * later, so origin ≥ T − (W − D) / rate. A card whose position moves
 * smoothly gives the origin itself every time. A device that takes a
 * whole block at once (JACK through the ALSA jack plugin: a period leaves
 * the buffer at the start of the cycle that plays it) gives bounds that
 * rise through each cycle and fall back at its start; the highest, taken
 * just before a cycle starts, is the origin. So the origin is the highest
 * bound, and observations spread over the phases of a cycle find it to
 * within their spacing.
 *
 * A cycle whose code runs late (a loaded machine) lifts the bounds taken
 * just before it above the origin by as much. The readings also bound the
 * origin from above: reading T1 just after snd_pcm_delay, the block that
 * holds frame H − 1 (H = W − D) has begun to play by T1, so origin ≤ T1 −
 * H/rate + Q/rate, where Q, the block, is the smallest change of H seen
 * between two readings. Lateness only loosens that bound, so where it is
 * below the lower one it is taken instead.
 *
 * Only the observations of the last PLAYOUT_RECENT_MS count: a device
 * that falls behind (a JACK client that misses cycles on a loaded
 * machine plays every frame after that a period later) moves its origin,
 * and what it did before says nothing of where it is now.
 *
 * Only loa's own clock reading and snd_pcm_delay's frame count cross the
 * library boundary: no struct timespec from alsa-lib, whose size differs
 * from loa's where loa is built with 64-bit time_t on 32-bit arm and
 * alsa-lib is not (Debian 12 armhf). */
#ifndef LOA_PLAYOUT_H
#define LOA_PLAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#define PLAYOUT_RECENT_MS 100
#define PLAYOUT_MAX 64 /* observations kept, the newest: more than 100 ms of them every 3 ms */

struct playout {
	int rate;
	bool known;        /* at least one observation */
	int64_t origin_ns; /* CLOCK_MONOTONIC: when frame 0 is played */
	int n;             /* observations kept */
	int64_t t[PLAYOUT_MAX], low[PLAYOUT_MAX], high[PLAYOUT_MAX], taken[PLAYOUT_MAX];
};

void playout_init(struct playout *c, int rate);
/* An observation: the device said it held DELAY of the WRITTEN frames
 * between T0_NS and T1_NS. */
void playout_observe(struct playout *c, int64_t t0_ns, int64_t t1_ns, int64_t written, int64_t delay);
/* The frame played at AT_NS (CLOCK_MONOTONIC), rounded to the nearest. */
int64_t playout_frame_at(const struct playout *c, int64_t at_ns);
/* When FRAME is played (CLOCK_MONOTONIC, ns). */
int64_t playout_time_of(const struct playout *c, int64_t frame);

#endif
