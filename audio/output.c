/* ALSA output, following aplay's write-loop triage: -EAGAIN means full,
 * -EPIPE an underrun (recover and count it), -ESTRPIPE a suspend (resume,
 * else prepare); anything else, -ENODEV above all, means the device is gone
 * and the caller decides (log, fail the item, retry later). */
#include "audio/output.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

int output_open(const char *device, int rate, int channels, struct output **out,
		char *msg, size_t msglen)
{
	struct output *o;
	int err;

	snd_lib_error_set_handler(alsa_quiet);
	if (channels < 1 || channels > 8) {
		snprintf(msg, msglen, "%d channels cannot be played", channels);
		return -EINVAL;
	}
	o = xcalloc(1, sizeof(*o));
	o->rate = rate;
	o->channels = channels;
	err = snd_pcm_open(&o->pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK);
	if (err < 0) {
		snprintf(msg, msglen, "cannot open audio device '%s': %s; check audio.device "
			 "and that the sound card is plugged in (aplay -L lists devices)",
			 device, snd_strerror(err));
		free(o);
		return err;
	}
	err = snd_pcm_set_params(o->pcm, SND_PCM_FORMAT_S16, SND_PCM_ACCESS_RW_INTERLEAVED,
				 (unsigned)channels, (unsigned)rate, 1, OUTPUT_LATENCY_US);
	if (err < 0) {
		snprintf(msg, msglen, "audio device '%s' does not accept %d Hz, %d channel(s): %s; "
			 "use a device with conversion, e.g. \"default\" or \"plughw:1\"",
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

static void to_s16(int16_t *dst, const float *src, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		float v = src[i] * 32768.0f;

		if (v > 32767.0f)
			v = 32767.0f;
		else if (v < -32768.0f)
			v = -32768.0f;
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
		to_s16(o->conv, buf + done * o->channels, (size_t)(chunk * o->channels));
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
