/* A live source on air: the relay player (tiếp âm). It airs one input of
 * a relay at a time (audio/stream.h reads each), tunes another in the
 * background when asked, shapes the sound (a slow automatic gain toward
 * the station's target, then the true-peak limiter, as bulletins get),
 * keeps the device running with silence while no input delivers, and
 * ends at its window's last frame with a fade. It decides nothing about
 * which input to air: it reports, and the engine (scheduler/engine.c)
 * tells it what to tune. Pumped from the daemon's poll() loop like
 * audio/player. */
#ifndef LOA_LIVE_H
#define LOA_LIVE_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/player.h"

/* Silence is below this (dBFS, sample peak): a relay's dead air. */
#define LIVE_SILENCE_DBFS -50.0
/* What a relay airs at: every input is resampled to it. */
#define LIVE_RATE 48000
#define LIVE_CHANNELS 2

/* How a relay (tiếp âm) is to sound, and when it ends. */
struct relay_opts {
	struct player_opts shape; /* the station trim, the limiter's ceiling, the fade */
	double target_lufs;       /* the slow automatic gain brings the source here */
	int64_t end_at;           /* CLOCK_REALTIME ms at which the window ends, its fade done */
	int silence_ms;           /* silence (below -50 dBFS) that is dead air */
	bool capture;             /* the inputs are ALSA capture devices, not URLs */
};

/* What a relay handle says when asked (sink_ops.relay_status). An input is
 * an index into the list relay_open was given. */
struct relay_status {
	int on_air;             /* the input whose audio airs, -1 none */
	int tuning;             /* the input being connected, -1 none */
	int failed;             /* an input whose tuning failed since the last call, -1 none */
	int lost;               /* the input on air that stopped (closed, broke) since the last call, -1 none */
	char why[256];          /* what happened to the failed or lost input */
	int64_t first_audio_at; /* CLOCK_REALTIME ms of the source's first frame on air, 0 none yet */
	int64_t audio_frames;   /* frames on air that carried the source (audio/airtime.h) */
	int64_t silent_ms;      /* the input on air has been silent this long */
	int64_t starved_ms;     /* the input on air has sent nothing this long, while airing */
};

struct live;

/* Opens DEVICE for a relay of the N INPUTS (URLs, or with opts->capture
 * ALSA capture devices), tuned to none. Returns 0, or a negative errno
 * with a message for people in msg (-ENODEV, -EBUSY: the device). */
int live_open(const char *device, const char *const *inputs, size_t n, const struct relay_opts *opts,
	      struct live **out, char *msg, size_t msglen);
/* Connects input I in the background (see sink_ops.relay_tune). */
void live_tune(struct live *l, size_t i);
/* What it airs and what happened since the last call. */
void live_status(struct live *l, struct relay_status *st);
/* Starts the device with what has arrived (silence when nothing has).
 * Returns the CLOCK_REALTIME instant (ms) of the first frame, or a
 * negative errno. */
int64_t live_start(struct live *l);
int live_pollfds(struct live *l, struct pollfd *fds, int max);
/* Moves audio along after poll(). Returns 0 while on air, 1 once the
 * window (or a fade asked for) is over and played, or a negative errno
 * when the device failed. */
int live_pump(struct live *l, struct pollfd *fds, int n);
/* Fades out from the next frame (opts->shape.fade_ms), then ends. */
void live_fade_out(struct live *l);
int64_t live_frames_played(struct live *l);
int live_rate(const struct live *l);
int live_xruns(const struct live *l);
/* The slow gain applied now, in dB (for tests and the bench). */
double live_gain_db(const struct live *l);
/* Stops at once; the inputs' threads end on their own. NULL is a no-op. */
void live_close(struct live *l);

#endif
