/* limiter_null: today's limiter against the one before issue #20
 * (bench/limiter_ref.c) on the same file, as it airs at the default
 * station settings (-16 LUFS, -1 dBTP, the make-up import finds).
 *
 *   limiter_null FILE            prints: NULL_RMS_DBFS TP_NEW_DBTP TP_REF_DBTP LUFS_NEW LUFS_REF
 *   limiter_null --only new FILE runs today's limiter alone (for callgrind)
 *   limiter_null --only ref FILE runs the old one alone
 *
 * The null is the RMS of the difference of the two outputs over all
 * samples, in dBFS. */
#include <ebur128.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/decode.h"
#include "audio/limiter.h"
#include "audio/loudness.h"
#include "audio/player.h"
#include "util/xmalloc.h"

#define TARGET_LUFS -16.0
#define CEILING_DBTP -1.0
#define BLOCK 4096

struct limiter_ref;
struct limiter_ref *limiter_ref_new(int rate, int channels, double ceiling_dbtp);
void limiter_ref_free(struct limiter_ref *l);
int64_t limiter_ref_process(struct limiter_ref *l, float *buf, int64_t n);
int64_t limiter_ref_flush(struct limiter_ref *l, float *buf, int64_t max);
void limiter_ref_set_gain(struct limiter_ref *l, float g);

static float *decode(const char *path, int64_t *frames, int *ch, int *rate)
{
	char msg[256];
	struct decoder *d;
	int64_t n = 0, cap = 1 << 20, r;
	float *buf;

	if (decoder_open(path, &d, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "limiter_null: %s\n", msg);
		exit(1);
	}
	*ch = decoder_info(d)->channels;
	*rate = decoder_info(d)->sample_rate;
	buf = xmalloc(sizeof(float) * (size_t)cap * (size_t)*ch);
	while ((r = decoder_read(d, buf + n * *ch, cap - n)) > 0) {
		n += r;
		if (n == cap) {
			cap *= 2;
			buf = xrealloc(buf, sizeof(float) * (size_t)cap * (size_t)*ch);
		}
	}
	decoder_close(d);
	*frames = n;
	return buf;
}

/* Runs X (N frames) through a limiter, NEW or the old one, at gain G; the
 * output has N frames (look-ahead flushed). */
static float *run(bool new, const float *x, int64_t n, int ch, int rate, float g)
{
	float *y = xmalloc(sizeof(float) * (size_t)(n + BLOCK) * (size_t)ch);
	struct limiter *l = new ? limiter_new(rate, ch, CEILING_DBTP) : NULL;
	struct limiter_ref *o = new ? NULL : limiter_ref_new(rate, ch, CEILING_DBTP);
	int64_t in = 0, out = 0, k;

	if (l)
		limiter_set_gain(l, g);
	else
		limiter_ref_set_gain(o, g);
	while (in < n) {
		k = n - in < BLOCK ? n - in : BLOCK;
		memcpy(y + out * ch, x + in * ch, sizeof(float) * (size_t)(k * ch));
		in += k;
		out += l ? limiter_process(l, y + out * ch, k) : limiter_ref_process(o, y + out * ch, k);
	}
	while ((k = l ? limiter_flush(l, y + out * ch, BLOCK) : limiter_ref_flush(o, y + out * ch, BLOCK)) > 0)
		out += k;
	limiter_free(l);
	limiter_ref_free(o);
	return y;
}

static void measure(const float *y, int64_t n, int ch, int rate, double *lufs, double *tp)
{
	ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	double t;

	ebur128_add_frames_float(m, y, (size_t)n);
	ebur128_loudness_global(m, lufs);
	*tp = 0;
	for (int c = 0; c < ch; c++)
		if (ebur128_true_peak(m, (unsigned)c, &t) == EBUR128_SUCCESS && t > *tp)
			*tp = t;
	*tp = 20 * log10(*tp);
	ebur128_destroy(&m);
}

int main(int argc, char **argv)
{
	const char *only = NULL, *path;
	struct player_opts o = { .ceiling_dbtp = CEILING_DBTP, .makeup = true };
	double lufs, makeup, tn, tr, ln, lr, d2 = 0;
	int64_t n;
	int ch, rate;
	float *x, *yn = NULL, *yr = NULL, g;
	char msg[256];

	if (argc == 4 && strcmp(argv[1], "--only") == 0)
		only = argv[2];
	else if (argc != 2) {
		fputs("usage: limiter_null [--only new|ref] FILE\n", stderr);
		return 2;
	}
	path = argv[argc - 1];
	x = decode(path, &n, &ch, &rate);
	{
		ebur128_state *m = ebur128_init((unsigned)ch, (unsigned long)rate, EBUR128_MODE_I);

		ebur128_add_frames_float(m, x, (size_t)n);
		ebur128_loudness_global(m, &lufs);
		ebur128_destroy(&m);
	}
	o.gain_db = loudness_gain_db(lufs, TARGET_LUFS, 0);
	if (player_find_makeup(path, &o, &makeup, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "limiter_null: %s\n", msg);
		return 1;
	}
	g = (float)loudness_db_to_amp(o.gain_db + makeup);
	if (!only || strcmp(only, "new") == 0)
		yn = run(true, x, n, ch, rate, g);
	if (!only || strcmp(only, "ref") == 0)
		yr = run(false, x, n, ch, rate, g);
	if (only)
		return 0;
	for (int64_t i = 0; i < n * ch; i++)
		d2 += ((double)yn[i] - yr[i]) * ((double)yn[i] - yr[i]);
	measure(yn, n, ch, rate, &ln, &tn);
	measure(yr, n, ch, rate, &lr, &tr);
	printf("%.2f %.4f %.4f %.4f %.4f\n", d2 > 0 ? 10 * log10(d2 / (double)(n * ch)) : -INFINITY, tn, tr, ln, lr);
	free(x);
	free(yn);
	free(yr);
	return 0;
}
