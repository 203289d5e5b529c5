/* ALSA output, following aplay's write-loop triage: -EAGAIN means full,
 * -EPIPE an underrun (recover and count it), -ESTRPIPE a suspend (resume,
 * else prepare); anything else, -ENODEV above all, means the device is gone
 * and the caller decides (log, fail the item, retry later). */
#include "audio/output.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/i18n.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* 200 ms of buffer: enough to ride out a slow SD-card write in the same
 * loop, short enough that stop and preemption are heard at once. */
#define OUTPUT_LATENCY_US 200000
#define CONV_FRAMES 2048

struct output {
	snd_pcm_t *pcm;
	int rate, channels;
	int64_t written;
	int xruns;
	bool draining;
	float lo, hi; /* the clip, in 16-bit steps (see to_s16) */
	int16_t conv[CONV_FRAMES * 8];
};

/* ALSA logs its own errors to stderr through this hook; loa reports device
 * problems itself, with the device's name and what to do. */
static void alsa_quiet(const char *file, int line, const char *func, int err, const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)func;
	(void)err;
	(void)fmt;
}

/* A period that is a whole number of frames at every common rate, on both
 * sides of a rate conversion: alsa-lib's rate plugin converts period by
 * period, so with 1102 frames at 22050 Hz against 2400 at 48000 Hz the
 * whole stream would play 0.045 % slow and slip at every period. 50 ms
 * suits 8000, 16000, 32000, 44100, 48000, 88200, 96000 Hz; 100 ms 22050;
 * 200 ms 11025. */
static snd_pcm_uframes_t exact_period(int rate)
{
	if (rate % 20 == 0)
		return (snd_pcm_uframes_t)rate / 20;
	if (rate % 10 == 0)
		return (snd_pcm_uframes_t)rate / 10;
	return (snd_pcm_uframes_t)rate / 5;
}

/* S16 interleaved at RATE and CHANNELS, resampled by ALSA if need be, with
 * that period and about OUTPUT_LATENCY_US of buffer (at least 2 periods). */
static int set_params(snd_pcm_t *pcm, int rate, int channels)
{
	snd_pcm_hw_params_t *hw;
	snd_pcm_sw_params_t *sw;
	snd_pcm_uframes_t period = exact_period(rate), buffer;
	unsigned periods = (unsigned)((int64_t)rate * OUTPUT_LATENCY_US / 1000000 / (int64_t)period);
	int err;

	if (periods < 2)
		periods = 2;
	buffer = period * periods;
	snd_pcm_hw_params_alloca(&hw);
	snd_pcm_sw_params_alloca(&sw);
	if ((err = snd_pcm_hw_params_any(pcm, hw)) < 0 ||
	    (err = snd_pcm_hw_params_set_access(pcm, hw, SND_PCM_ACCESS_RW_INTERLEAVED)) < 0 ||
	    (err = snd_pcm_hw_params_set_format(pcm, hw, SND_PCM_FORMAT_S16)) < 0 ||
	    (err = snd_pcm_hw_params_set_channels(pcm, hw, (unsigned)channels)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate_resample(pcm, hw, 1)) < 0 ||
	    (err = snd_pcm_hw_params_set_rate(pcm, hw, (unsigned)rate, 0)) < 0)
		return err;
	/* Near, not exact: a card may insist on its own sizes, and then it
	 * still plays, only with the slip this tries to avoid. */
	if ((err = snd_pcm_hw_params_set_period_size_near(pcm, hw, &period, NULL)) < 0 ||
	    (err = snd_pcm_hw_params_set_buffer_size_near(pcm, hw, &buffer)) < 0 ||
	    (err = snd_pcm_hw_params(pcm, hw)) < 0)
		return err;
	if ((err = snd_pcm_sw_params_current(pcm, sw)) < 0 ||
	    (err = snd_pcm_sw_params_set_start_threshold(pcm, sw, buffer - buffer % period)) < 0 ||
	    (err = snd_pcm_sw_params_set_avail_min(pcm, sw, period)) < 0)
		return err;
	return snd_pcm_sw_params(pcm, sw);
}

int output_open(const char *device, int rate, int channels, struct output **out,
		char *msg, size_t msglen)
{
	struct output *o;
	int err;

	snd_lib_error_set_handler(alsa_quiet);
	if (channels < 1 || channels > 8) {
		snprintf(msg, msglen, _("%d channels cannot be played"), channels);
		return -EINVAL;
	}
	o = xcalloc(1, sizeof(*o));
	o->rate = rate;
	o->channels = channels;
	o->lo = -32768.0f;
	o->hi = 32767.0f;
	err = snd_pcm_open(&o->pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (err < 0) {
		snprintf(msg, msglen, _("cannot open audio device '%s': %s; check audio.device "
			 "and that the sound card is plugged in (aplay -L lists devices)"),
			 device, snd_strerror(err));
		free(o);
		return err;
	}
	err = set_params(o->pcm, rate, channels);
	if (err < 0) {
		snprintf(msg, msglen, _("audio device '%s' does not accept %d Hz, %d channel(s): %s; "
			 "use a device with conversion, e.g. \"default\" or \"plughw:1\""),
			 device, rate, channels, snd_strerror(err));
		snd_pcm_close(o->pcm);
		free(o);
		return err;
	}
	*out = o;
	return 0;
}

void output_close(struct output *o)
{
	if (!o)
		return;
	snd_pcm_drop(o->pcm);
	snd_pcm_close(o->pcm);
	free(o);
}

int output_pollfds(struct output *o, struct pollfd *fds, int max)
{
	int n = snd_pcm_poll_descriptors(o->pcm, fds, (unsigned)max);

	return n < 0 ? 0 : n;
}

int output_revents(struct output *o, struct pollfd *fds, int n, unsigned short *revents)
{
	return snd_pcm_poll_descriptors_revents(o->pcm, fds, (unsigned)n, revents);
}

/* Full scale to 16 bits, clipped to [LO, HI], rounded to nearest (even on
 * a tie, as lrintf does in the default rounding mode): adding and removing
 * 1.5 * 2^23 rounds a float under 2^22 to a whole number in float
 * arithmetic, with no libm call per sample. Runs of S16_RUN samples let
 * the compiler vectorise the loop at -O2. The bounds are parameters, from
 * struct output, because GCC 12 turns a clip between two constants into
 * branches it cannot vectorise. Where float arithmetic runs in wider
 * registers (x87) the trick would not round, so lrintf does it there. */
#define S16_RUN 64

static void to_s16(int16_t *dst, const float *src, size_t n, float lo, float hi)
{
	size_t i = 0;

#if FLT_EVAL_METHOD == 0
	for (; i + S16_RUN <= n; i += S16_RUN)
		for (int k = 0; k < S16_RUN; k++) {
			float v = src[i + k] * 32768.0f;

			v = v < hi ? v : hi;
			v = v > lo ? v : lo;
			dst[i + k] = (int16_t)(int32_t)((v + 12582912.0f) - 12582912.0f);
		}
#endif
	for (; i < n; i++) {
		float v = src[i] * 32768.0f;

		v = v < hi ? v : hi;
		v = v > lo ? v : lo;
		dst[i] = (int16_t)lrintf(v);
	}
}

/* Returns 0 when the error was recovered, else the error. */
static int recover(struct output *o, int err)
{
	if (err == -EPIPE) {
		o->xruns++;
		return snd_pcm_prepare(o->pcm);
	}
	if (err == -ESTRPIPE) {
		while ((err = snd_pcm_resume(o->pcm)) == -EAGAIN)
			;
		return err < 0 ? snd_pcm_prepare(o->pcm) : 0;
	}
	return err;
}

int64_t output_write(struct output *o, const float *buf, int64_t n)
{
	int64_t done = 0;

	while (done < n) {
		int64_t chunk = n - done;
		snd_pcm_sframes_t r;

		if (chunk > CONV_FRAMES)
			chunk = CONV_FRAMES;
		if (buf)
			to_s16(o->conv, buf + done * o->channels, (size_t)(chunk * o->channels), o->lo, o->hi);
		else
			memset(o->conv, 0, sizeof(int16_t) * (size_t)(chunk * o->channels));
		r = snd_pcm_writei(o->pcm, o->conv, (snd_pcm_uframes_t)chunk);
		if (r == -EAGAIN)
			break;
		if (r < 0) {
			int err = recover(o, (int)r);

			if (err < 0)
				return err;
			continue;
		}
		done += r;
		o->written += r;
		if (r < chunk)
			break;
	}
	return done;
}

int output_start(struct output *o)
{
	snd_pcm_state_t st = snd_pcm_state(o->pcm);

	return st == SND_PCM_STATE_PREPARED && o->written > 0 ? snd_pcm_start(o->pcm) : 0;
}

int output_drain(struct output *o)
{
	snd_pcm_state_t st = snd_pcm_state(o->pcm);
	int err;

	if (st == SND_PCM_STATE_DISCONNECTED)
		return -ENODEV;
	if (o->draining)
		return st == SND_PCM_STATE_DRAINING ? 0 : 1;
	/* A stream that never reached its start threshold (a very short item)
	 * must be started, or drain would wait for nothing. */
	if (st == SND_PCM_STATE_PREPARED && o->written > 0)
		snd_pcm_start(o->pcm);
	o->draining = true;
	err = snd_pcm_drain(o->pcm);
	if (err == -EAGAIN)
		return 0;
	if (err < 0 && err != -EPIPE)
		return err;
	return snd_pcm_state(o->pcm) == SND_PCM_STATE_DRAINING ? 0 : 1;
}

int64_t output_queued(struct output *o)
{
	snd_pcm_sframes_t d;

	if (snd_pcm_delay(o->pcm, &d) < 0 || d < 0)
		return 0;
	return d > o->written ? o->written : d;
}

/* The null plugin plays nothing and the file plugin records what it is
 * given: silence ahead of the item would be recorded with it, and neither
 * keeps time of its own worth placing a frame by. */
bool output_has_clock(struct output *o)
{
	snd_pcm_type_t t = snd_pcm_type(o->pcm);

	return t != SND_PCM_TYPE_NULL && t != SND_PCM_TYPE_FILE;
}

int output_observe(struct output *o, struct playout *c)
{
	snd_pcm_sframes_t d;
	struct timespec t0, t1;
	int err;

	if (snd_pcm_state(o->pcm) != SND_PCM_STATE_RUNNING)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = snd_pcm_delay(o->pcm, &d);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err < 0)
		return err;
	playout_observe(c, (int64_t)t0.tv_sec * 1000000000 + t0.tv_nsec, (int64_t)t1.tv_sec * 1000000000 + t1.tv_nsec,
			o->written, d);
	return 1;
}

int64_t output_written(const struct output *o)
{
	return o->written;
}

int output_xruns(const struct output *o)
{
	return o->xruns;
}

int output_rate(const struct output *o)
{
	return o->rate;
}
