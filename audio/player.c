/* The decode → output pump for one element. Decoding happens a block at a
 * time, only when the device has room, so memory stays at one block however
 * long the bulletin is. */
#include "audio/player.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "audio/decode.h"
#include "audio/output.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define BLOCK_FRAMES 4096

struct player {
	struct decoder *dec;
	struct output *out;
	int channels;
	float *block;
	int64_t block_len, block_pos; /* frames decoded into block, frames of it written */
	bool eof;
	bool started;
};

static int refill(struct player *p)
{
	int64_t r = decoder_read(p->dec, p->block, BLOCK_FRAMES);

	if (r < 0)
		return (int)r;
	p->block_len = r;
	p->block_pos = 0;
	if (r == 0)
		p->eof = true;
	return 0;
}

int player_open(const char *device, const char *path, const struct player_opts *opts,
		struct player **out, char *msg, size_t msglen)
{
	struct player *p = xcalloc(1, sizeof(*p));
	const struct decoder_info *info;
	int err;

	(void)opts; /* gain, limiter and fades: see player_opts */
	err = decoder_open(path, &p->dec, msg, msglen);
	if (err < 0) {
		free(p);
		return err;
	}
	info = decoder_info(p->dec);
	p->channels = info->channels;
	err = output_open(device, info->sample_rate, info->channels, &p->out, msg, msglen);
	if (err < 0) {
		decoder_close(p->dec);
		free(p);
		return err;
	}
	p->block = xmalloc(sizeof(float) * BLOCK_FRAMES * (size_t)p->channels);
	err = refill(p);
	if (err < 0) {
		snprintf(msg, msglen, "cannot decode %s", path);
		player_close(p);
		return err;
	}
	*out = p;
	return 0;
}

/* Writes decoded audio until the device is full or the file ends. */
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
			if (p->eof)
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

int64_t player_start(struct player *p)
{
	int64_t t = time_now_ms();
	int err;

	p->started = true;
	err = feed(p);
	return err < 0 ? err : t;
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

int64_t player_frames_played(struct player *p)
{
	return output_written(p->out) - output_queued(p->out);
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
	free(p->block);
	free(p);
}

void player_fade_out(struct player *p)
{
	/* Until fades exist, stopping drops what is queued at once. */
	p->eof = true;
	p->block_pos = p->block_len;
}
