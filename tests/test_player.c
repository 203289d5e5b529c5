/* Tests of audio/player.c on a real ALSA device: alsa-lib's file plugin
 * over null, defined in a private asound.conf, captures exactly the frames
 * the player writes. Every decoded frame must arrive once, shaped by gain
 * and limiter; a quiet recording with loud peaks must reach its target;
 * a fade must end in silence without a step. */
#include <ebur128.h>
#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <alsa/asoundlib.h>
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "tests/fixture.h"
#include "audio/loudness.h"
#include "audio/player.h"
#include "content/probe.h"
#include "util/xmalloc.h"

static char tmpdir[256];
static char *capture;

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");
	char *conf, *env;
	FILE *f;

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/loa-test-player-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmpdir))
		return -1;
	capture = xasprintf("%s/capture.wav", tmpdir);
	conf = xasprintf("%s/asound.conf", tmpdir);
	f = fopen(conf, "w");
	if (!f)
		return -1;
	fprintf(f, "pcm.capture { type file; slave.pcm \"null\"; file \"%s\"; format \"wav\"; }\n", capture);
	/* A card that takes 48 kHz stereo only, behind ALSA's plug layer. */
	fprintf(f, "pcm.card48 { type file; slave.pcm \"null\"; file \"%s.48k\"; format \"wav\"; }\n"
		   "pcm.conv48 { type plug; slave { pcm \"card48\"; rate 48000; channels 2; format S16_LE; } }\n",
		capture);
	fclose(f);
	env = xasprintf("/usr/share/alsa/alsa.conf:%s", conf);
	setenv("ALSA_CONFIG_PATH", env, 1);
	free(env);
	free(conf);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	free(capture);
	snd_config_update_free_global();
	return fixture_rmtree(tmpdir);
}

/* SECONDS of a quiet, speech-like recording (harmonics of 140 Hz in
 * syllables, pauses) at about -30 LUFS, with a 2 ms burst reaching 0 dBFS
 * every 1.5 s: the recording whose peaks leave a peak normaliser no room. */
static void write_quiet(const char *path, int rate, int ch, double seconds)
{
	SF_INFO info = { .samplerate = rate, .channels = ch, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT };
	int64_t n = llround(seconds * rate);
	float *x = xcalloc((size_t)(n * ch), sizeof(float));
	SNDFILE *sf;

	for (int64_t i = 0; i < n; i++) {
		double t = (double)i / rate, syl = fmax(0, sin(2 * M_PI * 3.7 * t)), h = 0, v;

		for (int k = 1; k <= 8; k++)
			h += sin(2 * M_PI * 140 * k * t + k) / k;
		v = 0.035 * h * syl * syl * (fmod(t, 4.0) < 3.2 ? 1 : 0);
		if (fmod(t, 1.5) < 0.002)
			v = 0.99 * sin(2 * M_PI * 700 * t);
		for (int c = 0; c < ch; c++)
			x[i * ch + c] = (float)v;
	}
	sf = sf_open(path, SFM_WRITE, &info);
	assert_non_null(sf);
	assert_int_equal(sf_writef_float(sf, x, n), n);
	sf_close(sf);
	free(x);
}

static void write_sine(const char *path, int rate, int ch, double seconds, double amp)
{
	SF_INFO info = { .samplerate = rate, .channels = ch, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	int64_t n = llround(seconds * rate);
	float *x = xcalloc((size_t)(n * ch), sizeof(float));
	SNDFILE *sf;

	for (int64_t i = 0; i < n; i++)
		for (int c = 0; c < ch; c++)
			x[i * ch + c] = (float)(amp * sin(2 * M_PI * 440 * i / rate));
	sf = sf_open(path, SFM_WRITE, &info);
	assert_non_null(sf);
	assert_int_equal(sf_writef_float(sf, x, n), n);
	sf_close(sf);
	free(x);
}

struct wav {
	float *x;
	int64_t n;
	int rate, ch;
};

static void read_wav(const char *path, struct wav *w)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);

	if (!sf)
		fail_msg("cannot read %s: %s", path, sf_strerror(NULL));
	w->rate = info.samplerate;
	w->ch = info.channels;
	w->x = xcalloc((size_t)(info.frames * info.channels) + 1, sizeof(float));
	w->n = sf_readf_float(sf, w->x, info.frames);
	sf_close(sf);
}

/* Plays PATH to the capture device, fading out before the first frame
 * when FADE_FIRST; returns the player's makeup gain. */
static double play(const char *path, const struct player_opts *o, bool fade_first, int64_t *frames)
{
	struct player *p;
	char msg[256];
	double makeup;
	int r;

	unlink(capture);
	if (player_open("capture", path, o, &p, msg, sizeof(msg)) < 0)
		fail_msg("player_open %s: %s", path, msg);
	if (fade_first)
		player_fade_out(p);
	assert_true(player_start(p) > 0);
	while ((r = player_pump(p, NULL, 0)) == 0)
		;
	assert_int_equal(r, 1);
	*frames = player_frames_played(p);
	makeup = player_makeup_db(p);
	player_close(p);
	return makeup;
}

static void measure(const struct wav *w, double *lufs, double *tp_db)
{
	ebur128_state *m = ebur128_init((unsigned)w->ch, (unsigned long)w->rate, EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	double tp, max = 0;

	ebur128_add_frames_float(m, w->x, (size_t)w->n);
	ebur128_loudness_global(m, lufs);
	for (int c = 0; c < w->ch; c++) {
		ebur128_true_peak(m, (unsigned)c, &tp);
		max = fmax(max, tp);
	}
	*tp_db = 20 * log10(max);
	ebur128_destroy(&m);
}

/* The chain the engine builds for a bulletin: gain to the target, limiter
 * at -1 dBTP, makeup. Measured at the device, not inside loa. */
static void test_quiet_recording_airs_at_target(void **state)
{
	char *path = xasprintf("%s/quiet.wav", tmpdir);
	struct wav src, out;
	double in_lufs, in_tp, lufs, tp, makeup;
	struct player_opts o = { .ceiling_dbtp = -1, .fade_ms = 30, .makeup = true };
	int64_t frames;

	(void)state;
	write_quiet(path, 44100, 2, 12);
	read_wav(path, &src);
	measure(&src, &in_lufs, &in_tp);
	if (fabs(in_lufs + 30) > 2 || in_tp < -0.5)
		fail_msg("the fixture is %.1f LUFS, %.1f dBTP; it should be quiet with full-scale peaks", in_lufs, in_tp);
	o.gain_db = loudness_gain_db(in_lufs, -16, 0);
	makeup = play(path, &o, false, &frames);
	read_wav(capture, &out);
	measure(&out, &lufs, &tp);
	print_message("quiet recording: %.2f LUFS %.2f dBTP -> gain %+.2f dB, makeup %+.2f dB -> %.2f LUFS %.2f dBTP\n",
		      in_lufs, in_tp, o.gain_db, makeup, lufs, tp);
	assert_int_equal(out.n, src.n);
	assert_int_equal(frames, src.n);
	if (fabs(lufs + 16) > 1.0)
		fail_msg("aired at %.2f LUFS, target -16 (makeup %.2f dB)", lufs, makeup);
	/* The device gets S16: rounding may add a hundredth of a dB. */
	if (tp > -1.0 + 0.05)
		fail_msg("aired with a true peak of %.2f dBTP, ceiling -1", tp);
	/* The file's peak from the import (here: measured from the file) does
	 * not clear the ceiling, so makeup decodes the opening as before and
	 * finds the same gain; a peak said to be far lower takes the shortcut
	 * and adds nothing, which shows the shortcut is the one taken. */
	{
		float pk = 0;

		for (int64_t i = 0; i < src.n * src.ch; i++)
			pk = fmaxf(pk, fabsf(src.x[i]));
		o.peak_known = true;
		o.peak_dbfs = 20 * log10(pk);
		if (play(path, &o, false, &frames) != makeup)
			fail_msg("with the import's peak the makeup differs");
		o.peak_dbfs = -60;
		if (play(path, &o, false, &frames) != 0)
			fail_msg("a peak far under the ceiling still decoded the opening");
		o.peak_known = false;
	}
	/* A makeup known from an earlier airing is the one added, with no
	 * search: one the search would never find shows which was taken. */
	o.makeup_known = true;
	o.makeup_db = 7.25;
	if (play(path, &o, false, &frames) != 7.25)
		fail_msg("a known makeup was not the one added");
	o.makeup_known = false;
	/* Without makeup the limiter takes more than 1 LU from this recording,
	 * so the test above proves the makeup works. */
	o.makeup = false;
	play(path, &o, false, &frames);
	free(out.x);
	read_wav(capture, &out);
	measure(&out, &lufs, &tp);
	if (lufs > -17.0)
		fail_msg("without makeup it aired at %.2f LUFS: the fixture does not test the makeup", lufs);
	free(out.x);
	free(src.x);
	free(path);
}

/* Gain only (no limiter): every sample scaled, exactly as many frames out
 * as in. */
static void test_gain_without_limiter(void **state)
{
	char *path = xasprintf("%s/sine.wav", tmpdir);
	struct player_opts o = { .gain_db = -6.0206, .ceiling_dbtp = PLAYER_NO_LIMITER, .fade_ms = 30 };
	struct wav src, out;
	int64_t frames;

	(void)state;
	write_sine(path, 22050, 1, 1.5, 0.5);
	read_wav(path, &src);
	assert_true(play(path, &o, false, &frames) == 0.0); /* no limiter, no makeup */
	read_wav(capture, &out);
	assert_int_equal(out.n, src.n);
	assert_int_equal(out.ch, 1);
	assert_int_equal(out.rate, 22050);
	for (int64_t i = 0; i < src.n; i++)
		if (fabsf(out.x[i] - src.x[i] / 2) > 1.5f / 32768)
			fail_msg("frame %lld: %f, expected %f", (long long)i, out.x[i], src.x[i] / 2);
	free(src.x);
	free(out.x);
	free(path);
}

/* Any ceiling audio.true_peak_dbtp allows holds, the lowest and 0 dBTP
 * (full scale) included: a sine pushed 6 dB over full scale airs with
 * its true peak at the ceiling, not over it and not far under it. */
static void test_ceilings_hold(void **state)
{
	static const double ceilings[] = { -9, -6, -1, 0 };
	char *path = xasprintf("%s/hot.wav", tmpdir);
	struct wav out;
	int64_t frames;

	(void)state;
	write_sine(path, 48000, 2, 2, 0.9);
	for (size_t i = 0; i < sizeof(ceilings) / sizeof(ceilings[0]); i++) {
		struct player_opts o = { .gain_db = 6, .ceiling_dbtp = ceilings[i], .fade_ms = 30 };
		double lufs, tp;
		int64_t railed = 0;

		play(path, &o, false, &frames);
		read_wav(capture, &out);
		measure(&out, &lufs, &tp);
		/* Unlimited, the sine would sit on the S16 rails (clipped) for
		 * a good part of each cycle. */
		for (int64_t k = 0; k < out.n * out.ch; k++)
			railed += fabsf(out.x[k]) >= 32767.0f / 32768;
		print_message("ceiling %+.1f dBTP: aired at %.2f dBTP, %lld samples at full scale\n", ceilings[i], tp,
			      (long long)railed);
		/* The device gets S16: rounding may add a hundredth of a dB. */
		if (tp > ceilings[i] + 0.05 || tp < ceilings[i] - 1)
			fail_msg("ceiling %.1f dBTP: aired with a true peak of %.2f dBTP", ceilings[i], tp);
		if (railed > out.n * out.ch / 1000)
			fail_msg("ceiling %.1f dBTP: %lld of %lld samples clipped", ceilings[i], (long long)railed,
				 (long long)(out.n * out.ch));
		free(out.x);
	}
	free(path);
}

/* A fade: fade_ms of audio falling smoothly to silence, then the end. */
static void test_fade_out(void **state)
{
	char *path = xasprintf("%s/loud.wav", tmpdir);
	struct player_opts o = { .gain_db = 0, .ceiling_dbtp = -1, .fade_ms = 40 };
	struct wav out;
	int64_t frames, want = 48000 * 40 / 1000;
	float peak = 0;

	(void)state;
	write_sine(path, 48000, 2, 3, 0.5);
	play(path, &o, true, &frames);
	read_wav(capture, &out);
	assert_int_equal(out.n, want);
	assert_int_equal(frames, want);
	for (int64_t i = 0; i < out.n * 2; i++) {
		/* Each frame under the falling envelope of a 0.5 sine. */
		double env = 0.5 * 0.5 * (1 + cos(M_PI * (double)(i / 2) / (double)want));

		if (fabsf(out.x[i]) > env + 2.0 / 32768)
			fail_msg("sample %lld: %f above the fade's envelope %f", (long long)i, out.x[i], env);
		peak = fmaxf(peak, fabsf(out.x[i]));
	}
	assert_true(peak > 0.4f); /* it faded from the audio, not from silence */
	assert_true(fabsf(out.x[out.n * 2 - 1]) < 0.001f);
	free(out.x);
	free(path);
}

/* Every frame of a file, limited or not, arrives once at the device. */
static void test_every_frame_arrives(void **state)
{
	static const struct {
		int rate, ch;
		double seconds, amp, gain;
	} cases[] = {
		{ 8000, 1, 0.01, 0.5, 0 },   /* shorter than the limiter's look-ahead */
		{ 16000, 1, 0.7, 0.9, 12 },  /* limited hard */
		{ 96000, 2, 1.1, 0.5, 3 },
	};
	char *path = xasprintf("%s/frames.wav", tmpdir);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct player_opts o = { .gain_db = cases[i].gain, .ceiling_dbtp = -1, .fade_ms = 30, .makeup = true };
		struct wav out;
		int64_t frames, n = llround(cases[i].seconds * cases[i].rate);

		write_sine(path, cases[i].rate, cases[i].ch, cases[i].seconds, cases[i].amp);
		play(path, &o, false, &frames);
		read_wav(capture, &out);
		if (out.n != n || frames != n)
			fail_msg("case %zu: %lld frames in, %lld captured, %lld counted", i, (long long)n,
				 (long long)out.n, (long long)frames);
		free(out.x);
	}
	free(path);
}

/* Through the plug layer to a 48 kHz stereo card, a file at any common
 * rate comes out exactly as long as it is: alsa-lib converts period by
 * period, and a period that is not a whole number of frames on both sides
 * (1102 at 22050 Hz against 2400) made 22050 Hz files run 0.045 % slow. */
static void test_conversion_keeps_length(void **state)
{
	static const int rates[] = { 8000, 11025, 16000, 22050, 32000, 44100, 88200, 96000 };
	char *path = xasprintf("%s/rate.wav", tmpdir), *card = xasprintf("%s.48k", capture);

	(void)state;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct player_opts o = { .ceiling_dbtp = PLAYER_NO_LIMITER, .fade_ms = 30 };
		struct player *p;
		struct wav out;
		char msg[256];

		write_sine(path, rates[i], 1, 2, 0.5);
		unlink(card);
		if (player_open("conv48", path, &o, &p, msg, sizeof(msg)) < 0)
			fail_msg("player_open: %s", msg);
		assert_true(player_start(p) > 0);
		while (player_pump(p, NULL, 0) == 0)
			;
		player_close(p);
		read_wav(card, &out);
		assert_int_equal(out.rate, 48000);
		assert_int_equal(out.ch, 2);
		if (out.n != 2 * 48000)
			fail_msg("%d Hz: %lld frames at 48000 Hz for 2 s", rates[i], (long long)out.n);
		free(out.x);
	}
	free(card);
	free(path);
}

/* The shared media (../shared/media or LOA_MEDIA, when present): each good
 * file, normalised as the engine asks, airs whole within 1 LU of -16 LUFS
 * and under -1 dBTP. */
static void test_shared_media_air_at_target(void **state)
{
	static const char *const files[] = {
		"chuyen-doi-so.mp3", "chuyen-doi-so.flac", "chuyen-doi-so.ogg", "phong-chong-thien-tai.mp3",
		"phong-chong-thien-tai.opus", "loi-chao-48k-stereo.wav",
	};
	const char *dir = getenv("LOA_MEDIA");
	char *readme;

	(void)state;
	if (!dir || !*dir)
		dir = "../shared/media";
	readme = xasprintf("%s/README.md", dir);
	if (access(readme, R_OK) != 0) {
		free(readme);
		skip();
	}
	free(readme);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *path = xasprintf("%s/%s", dir, files[i]);
		struct player_opts o = { .ceiling_dbtp = -1, .fade_ms = 30, .makeup = true };
		struct audio_info a;
		struct wav out;
		char msg[512];
		double lufs, tp, makeup;
		int64_t frames;

		if (probe_file(path, 0, &a, msg, sizeof(msg)) < 0)
			fail_msg("%s: %s", files[i], msg);
		o.gain_db = loudness_gain_db(a.loudness_lufs, -16, 0);
		makeup = play(path, &o, false, &frames);
		read_wav(capture, &out);
		measure(&out, &lufs, &tp);
		print_message("%s: %.2f LUFS %.2f dBTP, gain %+.2f makeup %+.2f -> %.2f LUFS %.2f dBTP, %lld/%lld frames\n",
			      files[i], a.loudness_lufs, a.true_peak_dbtp, o.gain_db, makeup, lufs, tp,
			      (long long)out.n, (long long)a.frames);
		if (out.n != a.frames || fabs(lufs + 16) > 1.0 || tp > -0.95)
			fail_msg("%s aired %lld of %lld frames at %.2f LUFS, %.2f dBTP", files[i], (long long)out.n,
				 (long long)a.frames, lufs, tp);
		free(out.x);
		free(path);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quiet_recording_airs_at_target),
		cmocka_unit_test(test_gain_without_limiter),
		cmocka_unit_test(test_ceilings_hold),
		cmocka_unit_test(test_fade_out),
		cmocka_unit_test(test_every_frame_arrives),
		cmocka_unit_test(test_conversion_keeps_length),
		cmocka_unit_test(test_shared_media_air_at_target),
	};

	return cmocka_run_group_tests_name("player", tests, group_setup, group_teardown);
}
