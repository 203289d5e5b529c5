/* ALSA playback. The device is driven non-blocking from the daemon's poll()
 * loop: output_write() takes what the device accepts now and never waits.
 * Format conversion and resampling are left to ALSA's plug layer (the
 * default device, or a "plug:" name), so any file plays on any card. */
#ifndef LOA_OUTPUT_H
#define LOA_OUTPUT_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/playout.h"

struct output;

/* Opens DEVICE for RATE Hz, CHANNELS interleaved S16 frames, non-blocking,
 * prepared but not started. Returns 0, or negative errno with a message for
 * people in msg. */
int output_open(const char *device, int rate, int channels, struct output **out,
		char *msg, size_t msglen);
/* Closes without waiting; what is still queued is dropped. NULL is a no-op. */
void output_close(struct output *o);
/* Poll descriptors: returns how many were written to fds (at most max). */
int output_pollfds(struct output *o, struct pollfd *fds, int max);
/* Decodes revents of the descriptors from output_pollfds. Returns the
 * POLLOUT/POLLERR mask for the device, or negative errno. */
int output_revents(struct output *o, struct pollfd *fds, int n, unsigned short *revents);
/* Converts N float frames to S16 (clipping) and writes what the device takes
 * now; BUF NULL writes N frames of silence. Returns frames accepted (0 when full), or a negative errno when the
 * device is gone or failed; xruns and suspends are recovered here and counted. */
int64_t output_write(struct output *o, const float *buf, int64_t n);
/* Starts a device that holds frames but not yet its start threshold
 * (a full buffer). Returns 0 or negative errno. */
int output_start(struct output *o);
/* Starts draining what is queued. Returns 1 when the device is empty, 0 when
 * draining goes on (poll and call again), or negative errno. */
int output_drain(struct output *o);
/* Frames handed to the device that it has not played yet. */
int64_t output_queued(struct output *o);
/* True when the device keeps time, so that a frame can be placed by it
 * (audio/playout.h): not the null or file plugins. */
bool output_has_clock(struct output *o);
/* Reads CLOCK_MONOTONIC and the device's delay into C (playout_observe).
 * Returns 1, 0 when the device is not running (nothing to observe), or
 * negative errno. */
int output_observe(struct output *o, struct playout *c);
/* Frames accepted by output_write since open. */
int64_t output_written(const struct output *o);
/* xruns recovered since open. */
int output_xruns(const struct output *o);
int output_rate(const struct output *o);

#endif
