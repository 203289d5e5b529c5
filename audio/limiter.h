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
struct limiter_track;

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
 * folded into the multiply by the limiter's own gain, so it costs no pass
 * of its own over the audio. Set it before the first frame. */
void limiter_set_gain(struct limiter *l, float g);
/* How far the detector's true peak can exceed the sample peak around it,
 * as a factor: the sum of the absolute coefficients of its worst phase. */
double limiter_peak_bound(const struct limiter *l);
/* Whether frames whose window's sample peak, times the gain and the bound,
 * stays at or under the ceiling skip the interpolation (the default; the
 * result is the same either way). Off, every frame is interpolated: for
 * tests and measuring. */
void limiter_set_skip(struct limiter *l, bool skip);
/* The detector's readings over the N frames of X, which do not depend on
 * the gain: a limiter given the track (limiter_use_track) reads them
 * instead of interpolating, with the same output, so the same audio can
 * be limited at several gains for the price of one interpolation. L's
 * rate and channels are those of the limiters that will use it. One
 * float per frame; free with limiter_track_free. */
struct limiter_track *limiter_track_new(const struct limiter *l, const float *x, int64_t n);
void limiter_track_free(struct limiter_track *t);
/* From now on, the frames L takes must be those of T, from the first (or
 * L has taken none yet); T must outlive L's use of it. Past T's end, L
 * interpolates again. */
void limiter_use_track(struct limiter *l, const struct limiter_track *t);

#endif
