/* Decibels and gains, cheaply: what the limiter's envelope converts on
 * every frame it shapes. Header-only, so the compiler inlines it there. */
#ifndef LOA_DECIBEL_H
#define LOA_DECIBEL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

/* 20 * log10(X) for 0 < X <= 1 (decibel_of), and 10^(DB / 20) for DB <= 0
 * (decibel_gain), without a libm call: the limiter needs both for every
 * frame while it works. Both split off the binary exponent through the
 * bits of the double (IEEE 754 binary64) and approximate the rest by a
 * series that converges fast there: the atanh series of the logarithm for
 * a mantissa within [sqrt(1/2), sqrt(2)), the exponential's Taylor series
 * within ln 2 / 2 of 0. decibel_of is within 2e-10 dB of the exact value,
 * decibel_gain within 1e-12 of it, relative: far under what float audio
 * carries (6e-8). */
static inline double decibel_of(double x)
{
	uint64_t bits;
	int e;
	double m, u, u2, sum;

	memcpy(&bits, &x, sizeof(bits));
	e = (int)((bits >> 52) & 0x7ff) - 1023;
	bits = (bits & ~(UINT64_C(0x7ff) << 52)) | (UINT64_C(1023) << 52);
	memcpy(&m, &bits, sizeof(m)); /* x = m * 2^e, m in [1, 2) */
	if (e < -1022)
		return -6000.0; /* zero or subnormal: silence, as far as gain goes */
	if (m > M_SQRT2) {
		m /= 2;
		e++;
	}
	u = (m - 1) / (m + 1);
	u2 = u * u;
	sum = ((((u2 / 11 + 1.0 / 9) * u2 + 1.0 / 7) * u2 + 1.0 / 5) * u2 + 1.0 / 3) * u2 + 1;
	/* ln x = e ln 2 + 2 atanh(u); 20 log10 x = ln x * 20 / ln 10 */
	return (e * M_LN2 + 2 * u * sum) * (20.0 / M_LN10);
}

static inline double decibel_gain(double db)
{
	double y = db * (M_LN10 / 20.0) / M_LN2, z, p;
	int64_t n;
	uint64_t bits;

	if (y < -1000)
		return 0;
	n = (int64_t)(y - 0.5); /* y <= 0: the nearest whole number */
	if (y - (double)n > 0.5)
		n++;
	z = (y - (double)n) * M_LN2; /* |z| <= ln 2 / 2 */
	p = 1 + z * (1 + z * (1.0 / 2 + z * (1.0 / 6 + z * (1.0 / 24 + z * (1.0 / 120 + z * (1.0 / 720 +
	    z * (1.0 / 5040 + z * (1.0 / 40320 + z * (1.0 / 362880 + z * (1.0 / 3628800))))))))));
	bits = (uint64_t)(n + 1023) << 52;
	memcpy(&y, &bits, sizeof(y));
	return p * y;
}

#endif
