/* The decode → shape → output pump for one element. Decoding happens a
 * block at a time, only when the device has room, so memory stays at one
 * block however long the bulletin is.
 *
 * Each decoded block is shaped once, before any of it is written: the
 * element's gain, then the true-peak limiter (which holds back its
 * look-ahead and gives it back at the end of the file, so every decoded
 * frame is written exactly once), then the fade-out when one was asked for.
 * The device then gets the shaped block in as many writes as it needs. */
#include "audio/player.h"

#include <ebur128.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audio/decode.h"
#include "audio/limiter.h"
#include "audio/loudness.h"
#include "audio/output.h"
#include "util/i18n.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define BLOCK_FRAMES 4096
/* What opts->makeup listens to: enough speech to be representative,
 * little enough to decode and limit during pre-roll (a few ms per second
 * of audio on a Raspberry Pi 4). */
#define MAKEUP_WINDOW_S 10
/* Beyond this the limiter would be crushing the recording, not lifting it. */
#define MAKEUP_MAX_DB 10.0
#define MAKEUP_TOLERANCE_DB 0.2
#define MAKEUP_ROUNDS 3
/* Sample peaks this far under the ceiling leave no inter-sample peak over it. */
#define MAKEUP_CLEAR_DB 1.0

struct player {
	struct decoder *dec;
	struct output *out;
	struct limiter *lim;  /* NULL when the ceiling is above 0 dBTP */
	int channels, rate;
	float gain;           /* linear */
	double makeup_db;
	float *block;
	int64_t block_len, block_pos; /* frames shaped into block, frames of it written */
	bool decoded;         /* the decoder has given its last frame */
	bool eof;             /* nothing more comes into block */
	bool started;
	/* The fade-out: fade_len frames from when it was asked for. */
	bool fading;
	int64_t fade_len, fade_pos;
	/* Placing the first frame on the instant (player_preroll_pump). */
	int64_t at_ms;        /* CLOCK_REALTIME; 0 when there is none to place by */
	bool placing;         /* the device runs with silence until the item's first frame */
	bool placed;          /* the first frame is queued where it plays at at_ms */
	int64_t lead;         /* frames of silence ahead of the item */
	struct playout clock;
};

/* Observations are taken this often while the instant is near: their
 * phases against a JACK cycle of 128 to 4096 frames then spread, and the
 * one nearest a cycle's start sets the origin (audio/playout.h). */
#define OBSERVE_MS 3
#define OBSERVE_WINDOW_MS 600
/* Placing needs the frame queued before the device reaches it. */
#define PLACE_MARGIN_MS 10

/* CLOCK_REALTIME − CLOCK_MONOTONIC, ns: the instant of a slot is wall
 * time, the device is observed on the monotonic clock. */
static int64_t real_minus_mono_ns(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + (r.tv_nsec - m.tv_nsec);
}

/* Multiplies frames [from, len) of the block by the fade's falling
 * half-cosine and cuts the block where the fade reaches silence. */
static void fade(struct player *p, int64_t from)
{
	for (int64_t i = from; i < p->block_len; i++, p->fade_pos++) {
		float g;

		if (p->fade_pos >= p->fade_len) {
			p->block_len = i;
			p->eof = true;
			return;
		}
		g = (float)(0.5 * (1.0 + cos(M_PI * (double)p->fade_pos / (double)p->fade_len)));
		for (int c = 0; c < p->channels; c++)
			p->block[i * p->channels + c] *= g;
	}
}

/* Multiplies N samples by G, in runs of a fixed length the compiler
 * vectorises at -O2. */
static void scale(float *x, int64_t n, float g)
{
	int64_t i = 0;

	for (; i + 16 <= n; i += 16)
		for (int k = 0; k < 16; k++)
			x[i + k] *= g;
	for (; i < n; i++)
		x[i] *= g;
}

/* Fills the block with the next shaped frames. Loops because the limiter
 * gives nothing back while its look-ahead fills. */
static int refill(struct player *p)
{
	p->block_len = 0;
	p->block_pos = 0;
	while (p->block_len == 0 && !p->eof) {
		int64_t r = 0;

		if (!p->decoded) {
			r = decoder_read(p->dec, p->block, BLOCK_FRAMES);
			if (r < 0)
				return (int)r;
			p->decoded = r == 0;
		}
		if (r > 0) {
			if (p->lim)
				r = limiter_process(p->lim, p->block, r); /* its gain is p->gain */
			else if (p->gain != 1.0f)
				scale(p->block, r * p->channels, p->gain);
		} else if (p->lim) {
			r = limiter_flush(p->lim, p->block, BLOCK_FRAMES);
		}
		p->block_len = r;
		if (r == 0 && p->decoded)
			p->eof = true;
	}
	if (p->fading)
		fade(p, 0);
	return 0;
}

/* Integrated loudness of N frames of BUF after GAIN_DB and, given the
 * detector's TRACK of them (a limiter's at CEILING), the limiter: what the
 * air would carry. -INFINITY when the frames are too short or too quiet
 * to gate. */
static double aired_loudness(const float *buf, int64_t n, int ch, int rate, double gain_db, double ceiling,
			     const struct limiter_track *track)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I);
	struct limiter *lim = track ? limiter_new(rate, ch, ceiling) : NULL;
	float *tmp = xmalloc(sizeof(float) * BLOCK_FRAMES * (size_t)ch);
	float g = (float)loudness_db_to_amp(gain_db);
	double lufs = -INFINITY;

	if (lim) {
		limiter_use_track(lim, track);
		limiter_set_gain(lim, g);
	}
	for (int64_t done = 0; done < n || lim;) {
		int64_t k = n - done < BLOCK_FRAMES ? n - done : BLOCK_FRAMES;

		if (k > 0) {
			memcpy(tmp, buf + done * ch, sizeof(float) * (size_t)(k * ch));
			done += k;
			if (lim)
				k = limiter_process(lim, tmp, k);
			else
				scale(tmp, k * ch, g);
		} else {
			k = limiter_flush(lim, tmp, BLOCK_FRAMES);
			if (k == 0)
				break;
		}
		ebur128_add_frames_float(m, tmp, (size_t)k);
	}
	if (ebur128_loudness_global(m, &lufs) != EBUR128_SUCCESS || !isfinite(lufs))
		lufs = -INFINITY;
	ebur128_destroy(&m);
	limiter_free(lim);
	free(tmp);
	return lufs;
}

/* The gain to add so the limited opening of DEC's file is as loud as the
 * unlimited one would be with OPTS' gain. Limiting takes more the more it
 * is given, so the guess follows the secant through the last two tries.
 * Leaves the decoder at frame 0. A file whose whole peak, known from the
 * import, clears the ceiling has an opening that clears it too, and is not
 * decoded twice to find that out. */
static int find_makeup(struct decoder *dec, const struct player_opts *opts, double *makeup_db)
{
	const struct decoder_info *info = decoder_info(dec);
	int ch = info->channels, rate = info->sample_rate;
	double gain_db = opts->gain_db, ceiling = opts->ceiling_dbtp;
	int64_t want = (int64_t)rate * MAKEUP_WINDOW_S, n = 0, r;
	double goal, m = 0, l, pm = 0, pl = 0;
	float peak = 0, *buf;
	struct limiter *probe;
	struct limiter_track *track;

	*makeup_db = 0;
	if (opts->peak_known && opts->peak_dbfs + gain_db < ceiling - MAKEUP_CLEAR_DB)
		return 0;
	buf = xmalloc(sizeof(float) * (size_t)want * (size_t)ch);
	while (n < want && (r = decoder_read(dec, buf + n * ch, want - n)) > 0)
		n += r;
	for (int64_t i = 0; i < n * ch; i++)
		peak = fabsf(buf[i]) > peak ? fabsf(buf[i]) : peak;
	if (20 * log10(peak) + gain_db < ceiling - MAKEUP_CLEAR_DB) {
		free(buf); /* the limiter will not act on the opening */
		return decoder_seek(dec, 0);
	}
	/* The detector's readings of the opening, once for every try. */
	probe = limiter_new(rate, ch, ceiling);
	track = limiter_track_new(probe, buf, n);
	limiter_free(probe);
	goal = aired_loudness(buf, n, ch, rate, gain_db, 0, NULL);
	l = aired_loudness(buf, n, ch, rate, gain_db, ceiling, track);
	for (int round = 0; round < MAKEUP_ROUNDS && isfinite(goal) && isfinite(l); round++) {
		double next, slope = 1, tried;

		if (fabs(goal - l) < MAKEUP_TOLERANCE_DB)
			break;
		if (round > 0 && m != pm)
			slope = fmax((l - pl) / (m - pm), 0.1);
		next = fmin(fmax(m + (goal - l) / slope, 0), MAKEUP_MAX_DB);
		if (next == m)
			break;
		tried = aired_loudness(buf, n, ch, rate, gain_db + next, ceiling, track);
		if (!isfinite(tried))
			break;
		pm = m;
		pl = l;
		m = next;
		l = tried;
	}
	limiter_track_free(track);
	free(buf);
	*makeup_db = m;
	return decoder_seek(dec, 0);
}

bool player_wants_makeup(const struct player_opts *opts)
{
	return opts && opts->makeup && opts->ceiling_dbtp <= 0;
}

int player_find_makeup(const char *path, const struct player_opts *opts, double *makeup_db, char *msg,
		       size_t msglen)
{
	struct decoder *dec;
	int err;

	*makeup_db = 0;
	if (!player_wants_makeup(opts))
		return 0;
	err = decoder_open(path, &dec, msg, msglen);
	if (err < 0)
		return err;
	err = find_makeup(dec, opts, makeup_db);
	if (err < 0)
		snprintf(msg, msglen, _("cannot decode %s"), path);
	decoder_close(dec);
	return err;
}

int player_open(const char *device, const char *path, const struct player_opts *opts,
		struct player **out, char *msg, size_t msglen)
{
	struct player *p = xcalloc(1, sizeof(*p));
	const struct decoder_info *info;
	int err;

	err = decoder_open(path, &p->dec, msg, msglen);
	if (err < 0) {
		free(p);
		return err;
	}
	info = decoder_info(p->dec);
	p->channels = info->channels;
	p->rate = info->sample_rate;
	p->gain = 1.0f;
	if (opts) {
		if (player_wants_makeup(opts) && opts->makeup_known) {
			p->makeup_db = opts->makeup_db;
		} else if (player_wants_makeup(opts)) {
			err = find_makeup(p->dec, opts, &p->makeup_db);
			if (err < 0) {
				snprintf(msg, msglen, _("cannot decode %s"), path);
				decoder_close(p->dec);
				free(p);
				return err;
			}
		}
		p->gain = (float)loudness_db_to_amp(opts->gain_db + p->makeup_db);
		if (opts->ceiling_dbtp <= 0) {
			p->lim = limiter_new(p->rate, p->channels, opts->ceiling_dbtp);
			limiter_set_gain(p->lim, p->gain);
		}
		p->fade_len = (int64_t)opts->fade_ms * p->rate / 1000;
		p->at_ms = opts->at_ms;
	}
	err = output_open(device, info->sample_rate, info->channels, &p->out, msg, msglen);
	if (err < 0) {
		decoder_close(p->dec);
		limiter_free(p->lim);
		free(p);
		/* ALSA says -ENOENT, -EINVAL or -ENXIO for a card that is not
		 * there; the caller must tell that from a file that is not. */
		return err == -EBUSY ? err : -ENODEV;
	}
	p->placing = p->at_ms > 0 && output_has_clock(p->out);
	playout_init(&p->clock, p->rate);
	p->block = xmalloc(sizeof(float) * BLOCK_FRAMES * (size_t)p->channels);
	err = refill(p);
	if (err < 0) {
		snprintf(msg, msglen, _("cannot decode %s"), path);
		player_close(p);
		return err;
	}
	*out = p;
	return 0;
}

/* Writes shaped audio until the device is full or the element ends. */
static int feed(struct player *p)
{
	for (;;) {
		int64_t w;
		int err;

		if (p->block_pos == p->block_len) {
			if (p->eof)
				return 0;
			err = refill(p);
			if (err < 0)
				return err;
			if (p->block_len == 0)
				return 0;
		}
		w = output_write(p->out, p->block + p->block_pos * p->channels, p->block_len - p->block_pos);
		if (w < 0)
			return (int)w;
		p->block_pos += w;
		if (p->block_pos < p->block_len)
			return 0;
	}
}

/* The CLOCK_REALTIME ms at which frame F is played, or NOW_MS when the
 * device has not been observed. */
static int64_t heard_ms(struct player *p, int64_t f, int64_t now_ms)
{
	if (!p->clock.known)
		return now_ms;
	return (playout_time_of(&p->clock, f) + real_minus_mono_ns() + 500000) / 1000000;
}

int64_t player_start(struct player *p)
{
	int64_t t = time_now_ms();
	int err;

	p->started = true;
	if (p->placed)
		return heard_ms(p, p->lead, t);
	/* Too late to place (or nothing to place by): the item follows the
	 * silence already queued, if any. */
	p->placing = false;
	p->lead = output_written(p->out);
	err = feed(p);
	if (err < 0)
		return err;
	return p->lead ? heard_ms(p, p->lead, t) : t;
}

int player_preroll_pump(struct player *p, struct pollfd *fds, int n)
{
	int64_t now_ms = time_now_ms(), written, k;
	unsigned short rev = 0;
	int err;

	if (n > 0 && (err = output_revents(p->out, fds, n, &rev)) < 0)
		return err;
	if (p->placed)
		return feed(p);
	if (!p->placing || p->started)
		return 0;
	if ((err = output_observe(p->out, &p->clock)) < 0)
		return err;
	written = output_written(p->out);
	if (p->clock.known) {
		/* An instant already past, or one a later observation moved
		 * behind what is queued: as soon as the device allows. */
		k = playout_frame_at(&p->clock, p->at_ms * 1000000 - real_minus_mono_ns());
		k = k > written ? k : written;
	} else {
		/* Not running yet: silence up to a little short of the instant,
		 * which starts the device once its buffer is full, or at once
		 * when the instant comes before that. */
		k = written + (p->at_ms - now_ms - PLACE_MARGIN_MS) * p->rate / 1000;
		if (k <= written && written == 0) {
			p->placing = false; /* no time to run it first: player_start starts it */
			return 0;
		}
	}
	if (k > written) {
		int64_t w = output_write(p->out, NULL, k - written);

		if (w < 0)
			return (int)w;
		written += w;
	}
	if (written == k && !p->clock.known)
		return output_start(p->out);
	if (written == k) {
		p->placed = true;
		p->lead = k;
		return feed(p);
	}
	return 0;
}

int player_preroll_pollfds(struct player *p, struct pollfd *fds, int max)
{
	/* All of a short item queued: nothing to wait for until it starts. */
	if (!p->placing || (p->placed && p->eof && p->block_pos == p->block_len))
		return 0;
	return output_pollfds(p->out, fds, max);
}

int player_preroll_timeout(const struct player *p)
{
	int64_t left;

	if (!p->placing || p->placed || p->started)
		return -1;
	left = p->at_ms - time_now_ms();
	return left < OBSERVE_WINDOW_MS ? OBSERVE_MS : -1;
}

int player_pollfds(struct player *p, struct pollfd *fds, int max)
{
	return output_pollfds(p->out, fds, max);
}

int player_pump(struct player *p, struct pollfd *fds, int n)
{
	unsigned short rev = 0;
	int err;

	if (n > 0) {
		err = output_revents(p->out, fds, n, &rev);
		/* POLLERR also means an xrun, which the write recovers; a
		 * vanished device shows as a write or drain error instead. */
		if (err < 0)
			return err;
	}
	if (!p->eof || p->block_pos < p->block_len) {
		err = feed(p);
		if (err < 0)
			return err;
		if (!p->eof || p->block_pos < p->block_len)
			return 0;
	}
	return output_drain(p->out);
}

double player_makeup_db(const struct player *p)
{
	return p->makeup_db;
}

int64_t player_frames_played(struct player *p)
{
	int64_t n = output_written(p->out) - output_queued(p->out) - p->lead;

	return n > 0 ? n : 0;
}

int player_rate(const struct player *p)
{
	return output_rate(p->out);
}

int player_xruns(const struct player *p)
{
	return output_xruns(p->out);
}

void player_close(struct player *p)
{
	if (!p)
		return;
	output_close(p->out);
	decoder_close(p->dec);
	limiter_free(p->lim);
	free(p->block);
	free(p);
}

/* What the device already holds (at most its 200 ms buffer) plays as it
 * is; the fade starts with the first frame not yet written, so the end is
 * heard within that buffer plus fade_ms, and always as a fade. */
void player_fade_out(struct player *p)
{
	if (p->fading)
		return;
	p->fading = true;
	p->fade_pos = 0;
	fade(p, p->block_pos);
}
