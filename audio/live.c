/* The relay player (see live.h).
 *
 * Output frames are counted from the start: the window's end is a frame
 * index, (end_at - start) * rate, and the fade takes the last fade_ms of
 * them, so the window ends on its second whatever the inputs did (and
 * whatever the device's clock does: keep_to_the_clock). Each
 * block of output is: what the input on air has sent (silence for the
 * rest when it sent less), the slow gain, the limiter, the fade.
 *
 * The slow gain: the short-term loudness (EBU R128, 3 s) of what the
 * input sends, measured as it airs, pulls the gain toward the station's
 * target with a time constant of 8 s (1.5 s over the first seconds, to
 * settle), and only while the input carries sound (above -45 LUFS short
 * term), so a pause does not pump the gain up. The limiter then holds
 * the true peak at the station's ceiling, as for bulletins. A relay thus
 * airs as loud as the bulletins around it without pumping. */
#include "audio/live.h"

#include <ebur128.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/airtime.h"
#include "audio/limiter.h"
#include "audio/loudness.h"
#include "audio/output.h"
#include "audio/stream.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define BLOCK_FRAMES 1024
/* An input that ran dry airs again once this much has arrived, rather
 * than stutter a packet at a time. */
#define REBUFFER_FRAMES (LIVE_RATE / 2)
/* A candidate that has sent nothing for this long fails. */
#define CAND_STARVED_MS 5000
#define AGC_STEP_FRAMES (LIVE_RATE / 10)
#define AGC_GATE_LUFS -45.0
#define AGC_TAU_S 8.0
#define AGC_SETTLE_TAU_S 1.5
#define AGC_SETTLE_S 6.0
#define AGC_MAX_CUT_DB 20.0

struct live {
	struct output *out;
	char **inputs;
	size_t n;
	struct relay_opts o;
	int rate, ch;
	float silence;            /* LIVE_SILENCE_DBFS as a sample value */

	struct stream *air;       /* on air, or NULL */
	int air_i;
	bool buffering;           /* air ran dry: waiting for REBUFFER_FRAMES */
	struct stream *cand;      /* being tuned, or NULL */
	int cand_i;
	int64_t cand_silent;      /* frames of silence it sent while standing by */
	int64_t cand_data_mono;   /* when it last sent something (or was opened) */

	int failed, lost;
	char why[256];
	struct airtime at;
	int64_t first_audio_at;

	bool started, eof;
	int64_t start_at;         /* CLOCK_REALTIME of output frame 0 */
	int64_t total;            /* output frames of the window */
	int64_t fade_start, fade_len;
	int64_t made;             /* output frames produced */
	float *block, *tmp;
	int64_t block_len, block_pos, block_base;

	ebur128_state *meter;
	double agc_db, trim_db, adapted_s;
	float amp;                /* the gain applied at the end of the last block */
	int64_t agc_count;
	struct limiter *lim;
};

int live_open(const char *device, const char *const *inputs, size_t n, const struct relay_opts *opts,
	      struct live **out, char *msg, size_t msglen)
{
	struct live *l = xcalloc(1, sizeof(*l));
	int err;

	l->rate = LIVE_RATE;
	l->ch = LIVE_CHANNELS;
	err = output_open(device, l->rate, l->ch, &l->out, msg, msglen);
	if (err < 0) {
		free(l);
		/* As player_open: the caller must tell a card that is not there. */
		return err == -EBUSY ? err : -ENODEV;
	}
	l->o = *opts;
	l->n = n;
	l->inputs = xcalloc(n, sizeof(*l->inputs));
	for (size_t i = 0; i < n; i++)
		l->inputs[i] = xstrdup(inputs[i]);
	l->silence = (float)loudness_db_to_amp(LIVE_SILENCE_DBFS);
	l->air_i = l->cand_i = l->failed = l->lost = -1;
	airtime_init(&l->at, (int64_t)opts->silence_ms * l->rate / 1000);
	l->block = xmalloc(sizeof(float) * BLOCK_FRAMES * (size_t)l->ch);
	l->tmp = xmalloc(sizeof(float) * BLOCK_FRAMES * (size_t)l->ch);
	l->meter = ebur128_init((unsigned)l->ch, (unsigned long)l->rate, EBUR128_MODE_S);
	l->trim_db = opts->shape.gain_db;
	l->amp = (float)loudness_db_to_amp(l->trim_db);
	if (opts->shape.ceiling_dbtp <= 0)
		l->lim = limiter_new(l->rate, l->ch, opts->shape.ceiling_dbtp);
	l->fade_len = (int64_t)opts->shape.fade_ms * l->rate / 1000;
	*out = l;
	return 0;
}

static void fail(struct live *l, int *which, int i, const char *why)
{
	*which = i;
	text_set(l->why, sizeof(l->why), "%s", why);
}

void live_tune(struct live *l, size_t i)
{
	int err;

	if (i >= l->n)
		return;
	stream_close(l->cand);
	l->cand = NULL;
	/* A capture device opens once: the one on air makes way. */
	if (l->o.capture && l->air && (size_t)l->air_i == i) {
		stream_close(l->air);
		l->air = NULL;
		l->air_i = -1;
	}
	err = stream_open(l->inputs[i], l->o.capture, l->rate, l->ch, &l->cand);
	if (err < 0) {
		fail(l, &l->failed, (int)i, strerror(-err));
		return;
	}
	l->cand_i = (int)i;
	l->cand_silent = 0;
	l->cand_data_mono = time_mono_ms();
}

static float peak_of(const float *x, int64_t n)
{
	float p = 0;

	for (int64_t i = 0; i < n; i++)
		p = fabsf(x[i]) > p ? fabsf(x[i]) : p;
	return p;
}

/* The candidate takes over: the input on air, if any, is let go. */
static void take_candidate(struct live *l)
{
	stream_close(l->air);
	l->air = l->cand;
	l->air_i = l->cand_i;
	l->cand = NULL;
	l->cand_i = -1;
	l->buffering = true;
	airtime_switch(&l->at);
}

static void cand_failed(struct live *l, const char *why)
{
	fail(l, &l->failed, l->cand_i, why);
	stream_close(l->cand);
	l->cand = NULL;
	l->cand_i = -1;
}

/* With nothing on air, a candidate is taken as soon as it delivers;
 * while another airs, only once it brings sound (N frames of it are read
 * and judged now, and dropped). */
static void check_candidate(struct live *l, int64_t n)
{
	int64_t r;
	char why[300];

	if (!l->cand)
		return;
	if (!l->air) {
		r = stream_poll(l->cand);
		if (r > 0)
			take_candidate(l);
		else if (r < 0)
			cand_failed(l, stream_error(l->cand));
		return;
	}
	r = stream_read(l->cand, l->tmp, n);
	if (r < 0) {
		cand_failed(l, stream_error(l->cand));
		return;
	}
	if (r > 0) {
		l->cand_data_mono = time_mono_ms();
		if (peak_of(l->tmp, r * l->ch) >= l->silence) {
			take_candidate(l);
			return;
		}
		l->cand_silent += r;
		if (l->cand_silent * 1000 >= (int64_t)l->o.silence_ms * l->rate) {
			snprintf(why, sizeof(why), "only silence for %d s", l->o.silence_ms / 1000);
			cand_failed(l, why);
		}
	} else if (time_mono_ms() - l->cand_data_mono > CAND_STARVED_MS) {
		snprintf(why, sizeof(why), "no data for %d s", CAND_STARVED_MS / 1000);
		cand_failed(l, why);
	}
}

/* The input on air ran out: the loop hears of it as `lost`. */
static void air_lost(struct live *l)
{
	fail(l, &l->lost, l->air_i, stream_error(l->air));
	stream_close(l->air);
	l->air = NULL;
	l->air_i = -1;
}

/* Reads up to N frames of the input on air into BUF; the rest is
 * silence, counted as no data. Returns the frames that came from it. */
static int64_t from_air(struct live *l, float *buf, int64_t n)
{
	int64_t got = 0;

	/* Buffering ends with enough waiting, or with the input's end. */
	if (l->air && l->buffering && (stream_pending(l->air) >= REBUFFER_FRAMES || stream_poll(l->air) < 0))
		l->buffering = false;
	if (l->air && !l->buffering) {
		got = stream_read(l->air, buf, n);
		if (got < 0) {
			air_lost(l);
			got = 0;
		} else if (got < n) {
			l->buffering = true;
		}
	}
	memset(buf + got * l->ch, 0, sizeof(float) * (size_t)((n - got) * l->ch));
	if (got > 0) {
		enum airtime_kind k = peak_of(buf, got * l->ch) >= l->silence ? AIRTIME_SOUND : AIRTIME_SILENCE;

		if (!l->first_audio_at)
			l->first_audio_at = l->start_at + l->made * 1000 / l->rate;
		airtime_add(&l->at, k, got);
		ebur128_add_frames_float(l->meter, buf, (size_t)got);
		l->agc_count += got;
	}
	if (n > got)
		airtime_add(&l->at, AIRTIME_NODATA, n - got);
	return got;
}

/* Every 100 ms of sound: the gain moves toward the target. */
static void agc_step(struct live *l)
{
	double st, want, tau;

	if (l->agc_count < AGC_STEP_FRAMES)
		return;
	l->agc_count = 0;
	if (ebur128_loudness_shortterm(l->meter, &st) != EBUR128_SUCCESS || !isfinite(st) || st < AGC_GATE_LUFS)
		return;
	want = l->o.target_lufs - st;
	want = fmax(fmin(want, LOUDNESS_MAX_BOOST_DB), -AGC_MAX_CUT_DB);
	tau = l->adapted_s < AGC_SETTLE_S ? AGC_SETTLE_TAU_S : AGC_TAU_S;
	l->agc_db += (want - l->agc_db) * (0.1 / tau);
	l->adapted_s += 0.1;
}

/* Applies the fade to frames [from, block_len) of the block, and cuts the
 * block at the window's end. */
static void fade(struct live *l, int64_t from)
{
	for (int64_t k = from; k < l->block_len; k++) {
		int64_t i = l->block_base + k;
		float g;

		if (i >= l->total) {
			l->block_len = k;
			l->eof = true;
			return;
		}
		if (i < l->fade_start || l->fade_len <= 0)
			continue;
		g = (float)(0.5 * (1.0 + cos(M_PI * (double)(i - l->fade_start) / (double)l->fade_len)));
		for (int c = 0; c < l->ch; c++)
			l->block[k * l->ch + c] *= g;
	}
}

/* The window ends on the wall clock's second, not the device's: a card
 * whose clock runs slow (or a sound server that falls behind) would end
 * it late by what it lost. Before each block the frames left are
 * counted again from what the device has played and the time left, and
 * the end only ever comes closer. */
static void keep_to_the_clock(struct live *l)
{
	int64_t played = output_written(l->out) - output_queued(l->out);
	int64_t total = played + (l->o.end_at - time_now_ms()) * l->rate / 1000;

	if (total >= l->total || l->made >= l->fade_start)
		return;
	if (total < l->made)
		total = l->made;
	l->total = total;
	l->fade_start = total - l->fade_len > l->made ? total - l->fade_len : l->made;
}

/* The next block of output. Loops while the limiter's look-ahead fills. */
static void produce(struct live *l)
{
	keep_to_the_clock(l);
	l->block_len = l->block_pos = 0;
	l->block_base = l->made;
	while (l->block_len == 0 && !l->eof) {
		int64_t n = BLOCK_FRAMES, m;
		float a0 = l->amp, a1;

		if (l->made >= l->total) {
			l->eof = true;
			break;
		}
		from_air(l, l->block, n);
		check_candidate(l, n);
		agc_step(l);
		a1 = (float)loudness_db_to_amp(l->agc_db + l->trim_db);
		/* A ramp over the block: no step in the gain is heard. */
		for (int64_t k = 0; k < n; k++) {
			float g = a0 + (a1 - a0) * (float)k / (float)n;

			for (int c = 0; c < l->ch; c++)
				l->block[k * l->ch + c] *= g;
		}
		l->amp = a1;
		m = l->lim ? limiter_process(l->lim, l->block, n) : n;
		l->block_len = m;
		fade(l, 0);
		l->made += l->block_len;
	}
}

static int feed(struct live *l)
{
	for (;;) {
		int64_t w;

		if (l->block_pos == l->block_len) {
			if (l->eof)
				return 0;
			produce(l);
			if (l->block_len == 0)
				return 0;
		}
		w = output_write(l->out, l->block + l->block_pos * l->ch, l->block_len - l->block_pos);
		if (w < 0)
			return (int)w;
		l->block_pos += w;
		if (l->block_pos < l->block_len)
			return 0;
	}
}

void live_status(struct live *l, struct relay_status *st)
{
	/* Before the start nothing is pumped: the tuning is seen to here. */
	if (!l->started) {
		check_candidate(l, 0);
		if (l->air && stream_poll(l->air) < 0)
			air_lost(l);
	}
	memset(st, 0, sizeof(*st));
	st->on_air = l->air ? l->air_i : -1;
	st->tuning = l->cand ? l->cand_i : -1;
	st->failed = l->failed;
	st->lost = l->lost;
	memcpy(st->why, l->why, sizeof(st->why));
	l->failed = l->lost = -1;
	l->why[0] = '\0';
	st->first_audio_at = l->first_audio_at;
	st->audio_frames = airtime_audio(&l->at);
	st->silent_ms = l->air ? l->at.silent * 1000 / l->rate : 0;
	st->starved_ms = l->air ? l->at.starved * 1000 / l->rate : 0;
}

int64_t live_start(struct live *l)
{
	int64_t t = time_now_ms();
	int err;

	l->started = true;
	l->start_at = t;
	l->total = (l->o.end_at - t) * l->rate / 1000;
	if (l->total < 0)
		l->total = 0;
	l->fade_start = l->total - l->fade_len;
	err = feed(l);
	return err < 0 ? err : t;
}

int live_pollfds(struct live *l, struct pollfd *fds, int max)
{
	return output_pollfds(l->out, fds, max);
}

int live_pump(struct live *l, struct pollfd *fds, int n)
{
	unsigned short rev = 0;
	int err;

	if (n > 0) {
		err = output_revents(l->out, fds, n, &rev);
		if (err < 0)
			return err;
	}
	if (!l->eof || l->block_pos < l->block_len) {
		err = feed(l);
		if (err < 0)
			return err;
		if (!l->eof || l->block_pos < l->block_len)
			return 0;
	}
	return output_drain(l->out);
}

void live_fade_out(struct live *l)
{
	int64_t at = l->block_base + l->block_pos;

	if (at >= l->fade_start)
		return; /* fading already */
	l->fade_start = at;
	l->total = at + l->fade_len;
	fade(l, l->block_pos);
}

int64_t live_frames_played(struct live *l)
{
	return output_written(l->out) - output_queued(l->out);
}

int live_rate(const struct live *l)
{
	return l->rate;
}

int live_xruns(const struct live *l)
{
	return output_xruns(l->out);
}

double live_gain_db(const struct live *l)
{
	return l->agc_db + l->trim_db;
}

void live_close(struct live *l)
{
	if (!l)
		return;
	output_close(l->out);
	stream_close(l->air);
	stream_close(l->cand);
	for (size_t i = 0; i < l->n; i++)
		free(l->inputs[i]);
	free(l->inputs);
	ebur128_destroy(&l->meter);
	limiter_free(l->lim);
	free(l->block);
	free(l->tmp);
	free(l);
}
