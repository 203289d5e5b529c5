/* See playout.h for the model. Nanoseconds in int64_t last 292 years. */
#include "audio/playout.h"

#define NS 1000000000LL

void playout_init(struct playout *c, int rate)
{
	c->rate = rate;
	c->known = false;
	c->origin_ns = 0;
	c->n = 0;
}

/* N frames in ns, rounded to nearest; exact for any N a station plays
 * (up to 2^63 / 10^9 frames, about six years at 48 kHz). */
static int64_t frames_ns(const struct playout *c, int64_t n)
{
	int64_t q = n / c->rate, r = n % c->rate;

	return q * NS + (r * NS + c->rate / 2) / c->rate;
}

void playout_observe(struct playout *c, int64_t t0_ns, int64_t t1_ns, int64_t written, int64_t delay)
{
	int64_t since = t0_ns - PLAYOUT_RECENT_MS * 1000000LL, taken = written - delay, low = 0, high = 0, block = 0;
	bool first = true;

	if (c->n == PLAYOUT_MAX) {
		for (int i = 1; i < PLAYOUT_MAX; i++) {
			c->t[i - 1] = c->t[i];
			c->low[i - 1] = c->low[i];
			c->high[i - 1] = c->high[i];
			c->taken[i - 1] = c->taken[i];
		}
		c->n--;
	}
	c->t[c->n] = t0_ns;
	c->low[c->n] = t0_ns - frames_ns(c, taken);
	c->high[c->n] = t1_ns - frames_ns(c, taken);
	c->taken[c->n] = taken;
	c->n++;
	c->known = true;
	for (int i = 0; i < c->n; i++) {
		if (c->t[i] < since)
			continue;
		if (first || c->low[i] > low)
			low = c->low[i];
		if (first || c->high[i] < high)
			high = c->high[i];
		if (!first && c->taken[i] > c->taken[i - 1] && (!block || c->taken[i] - c->taken[i - 1] < block))
			block = c->taken[i] - c->taken[i - 1];
		first = false;
	}
	c->origin_ns = block && high + frames_ns(c, block) < low ? high + frames_ns(c, block) : low;
}

int64_t playout_frame_at(const struct playout *c, int64_t at_ns)
{
	int64_t d = at_ns - c->origin_ns, q, r;

	/* floor division, so an instant before the origin gives a frame below 0 */
	q = d / NS;
	r = d % NS;
	if (r < 0) {
		r += NS;
		q--;
	}
	return q * c->rate + (r * c->rate + NS / 2) / NS;
}

int64_t playout_time_of(const struct playout *c, int64_t frame)
{
	return c->origin_ns + frames_ns(c, frame);
}
