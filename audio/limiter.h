/* A look-ahead true-peak limiter on interleaved float frames: it keeps the
 * inter-sample (true) peak at or below a ceiling, with gain changes smooth
 * enough to be inaudible as clicks, linked across channels. It holds back
 * limiter_latency() frames; limiter_flush() returns them at the end, so
 * exactly as many frames come out as went in. */
#ifndef LOA_LIMITER_H
#define LOA_LIMITER_H

#include <stdbool.h>
#include <stdint.h>

#define LIMITER_LOOKAHEAD_MS 5   /* attack: the gain is down when the peak arrives */
#define LIMITER_RELEASE_MS 50    /* recovery after an isolated peak */
#define LIMITER_SLOW_MS 300      /* the stage that holds a passage needing reduction */

struct limiter;

/* A limiter for CHANNELS interleaved frames at RATE Hz holding the true
 * peak at or below CEILING_DBTP. Free with limiter_free. */
struct limiter *limiter_new(int rate, int channels, double ceiling_dbtp);
void limiter_free(struct limiter *l);
/* Frames held back: the look-ahead plus the peak detector's half-length. */
int limiter_latency(const struct limiter *l);
/* Takes N frames from BUF and writes the limited, delayed frames back to
 * the start of BUF. Returns how many: N, less while the look-ahead fills. */
int64_t limiter_process(struct limiter *l, float *buf, int64_t n);
/* At the end of the stream: writes up to MAX of the frames still held into
 * BUF. Returns how many; 0 once every frame taken has come out. */
int64_t limiter_flush(struct limiter *l, float *buf, int64_t max);
/* The gain applied to the last frame that came out, in dB (0 or below). */
double limiter_gain_db(const struct limiter *l);
/* Multiplies every frame taken by G before limiting it (1 at first):
 * folded into the copy the limiter makes anyway, so it costs no pass of
 * its own over the audio. */
void limiter_set_gain(struct limiter *l, float g);
/* How far the detector's true peak can exceed the sample peak around it,
 * as a factor: the sum of the absolute coefficients of its worst phase. */
double limiter_peak_bound(const struct limiter *l);
/* Whether chunks whose sample peak, times the bound, stays at or under the
 * ceiling skip the interpolation (the default; the result is the same
 * either way). Off, every frame is interpolated: for tests and measuring. */
void limiter_set_skip(struct limiter *l, bool skip);

#endif
