/* The true peak of a stream as ITU-R BS.1770-4 (Annex 2) defines it and
 * libebur128 measures it, at a fraction of the cost (see truepeak.c). */
#ifndef LOA_TRUEPEAK_H
#define LOA_TRUEPEAK_H

#include <stdint.h>

struct truepeak;

/* A meter for RATE Hz and CHANNELS interleaved channels. */
struct truepeak *truepeak_new(int rate, int channels);
void truepeak_free(struct truepeak *t);
/* Takes the next N frames of X. */
void truepeak_add(struct truepeak *t, const float *x, int64_t n);
/* The largest magnitude so far over every channel, sample or
 * interpolated, linear: what the largest of libebur128's
 * ebur128_true_peak over the channels reads for the same frames. */
double truepeak_get(const struct truepeak *t);
/* The largest sample magnitude so far: the sample peak. */
double truepeak_sample(const struct truepeak *t);

#endif
