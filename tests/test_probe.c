/* Tests of content/probe.c and audio/decode.c. Every fixture is written here,
 * in a temporary directory, with libsndfile: each format loa takes at several
 * rates and channel counts must decode to its true length, and every kind of
 * broken file that reaches stations must be refused with a sentence that says
 * what is wrong. LOA_MKAUDIO (set by `make unit`) adds a run over mkaudio's
 * kinds; ../shared/media (or LOA_MEDIA), when present, adds the shared media. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <sndfile.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "tests/fixture.h"
#include "audio/decode.h"
#include "content/probe.h"
#include "util/xmalloc.h"

static char tmpdir[256];

static char *fx(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static int group_setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/loa-test-probe-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	return fixture_rmtree(tmpdir);
}

struct gen {
	int format, rate, channels;
	double seconds, freq, level_dbfs;
	bool silent;
};

/* A steady sine (or digital silence) in any format libsndfile writes. */
static void write_audio(const char *path, const struct gen *g)
{
	SF_INFO info = { .samplerate = g->rate, .channels = g->channels, .format = g->format };
	int64_t total = llround(g->seconds * g->rate);
	double a = pow(10, g->level_dbfs / 20);
	float buf[1024 * 16];
	int64_t chunk = (int64_t)(sizeof(buf) / sizeof(buf[0])) / g->channels;
	SNDFILE *sf;

	assert_true(sf_format_check(&info));
	sf = sf_open(path, SFM_WRITE, &info);
	if (!sf)
		fail_msg("cannot write %s: %s", path, sf_strerror(NULL));
	if ((g->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
		int mode = SF_BITRATE_MODE_CONSTANT;
		double level = 0.5;

		/* As mkaudio does: a bitrate whose first frame holds LAME's
		 * Info header, which carries the frame count and the gapless
		 * trim (at libsndfile's default, MPEG-2 mono goes without). */
		sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
	}
	for (int64_t done = 0; done < total;) {
		int64_t n = total - done < chunk ? total - done : chunk;

		for (int64_t i = 0; i < n; i++) {
			double t = (double)(done + i) / g->rate;
			float s = g->silent ? 0 : (float)(a * sin(2 * M_PI * g->freq * t));

			for (int c = 0; c < g->channels; c++)
				buf[i * g->channels + c] = s;
		}
		assert_int_equal(sf_writef_float(sf, buf, n), n);
		done += n;
	}
	assert_int_equal(sf_close(sf), 0);
}

static void write_bytes(const char *path, const void *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(close(fd), 0);
}

/* Keeps the first 40% of a file, as a dropped download does. */
static void cut(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size * 40 / 100), 0);
}

static void put_le(unsigned char *p, uint32_t v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A 44-byte PCM16 WAV header whose data chunk claims data_bytes. */
static void wav_header(unsigned char h[44], int rate, int channels, uint32_t data_bytes)
{
	memcpy(h, "RIFF", 4);
	put_le(h + 4, data_bytes + 36, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le(h + 16, 16, 4);
	put_le(h + 20, 1, 2);
	put_le(h + 22, (uint32_t)channels, 2);
	put_le(h + 24, (uint32_t)rate, 4);
	put_le(h + 28, (uint32_t)(rate * channels * 2), 4);
	put_le(h + 32, (uint32_t)(channels * 2), 2);
	put_le(h + 34, 16, 2);
	memcpy(h + 36, "data", 4);
	put_le(h + 40, data_bytes, 4);
}

/* ---- every format, several rates and channel counts ---- */

struct fmt_case {
	const char *name; /* also the fixture's file name */
	int format, rate, channels;
	bool lossy;
	const char *format_name;
};

static const struct fmt_case fmt_cases[] = {
	{ "u8-8000-mono.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_U8, 8000, 1, false, "WAV" },
	{ "pcm16-8000-stereo.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 2, false, "WAV" },
	{ "pcm16-22050-stereo.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 2, false, "WAV" },
	{ "pcm24-44100-mono.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_24, 44100, 1, false, "WAV" },
	{ "pcm32-48000-stereo.wav", SF_FORMAT_WAV | SF_FORMAT_PCM_32, 48000, 2, false, "WAV" },
	{ "float-96000-stereo.wav", SF_FORMAT_WAV | SF_FORMAT_FLOAT, 96000, 2, false, "WAV" },
	{ "pcm16-8000-mono.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 8000, 1, false, "FLAC" },
	{ "pcm16-44100-stereo.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, false, "FLAC" },
	{ "pcm24-96000-mono.flac", SF_FORMAT_FLAC | SF_FORMAT_PCM_24, 96000, 1, false, "FLAC" },
	{ "vorbis-8000-mono.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 8000, 1, true, "OGG" },
	{ "vorbis-22050-mono.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 22050, 1, true, "OGG" },
	{ "vorbis-44100-stereo.ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 44100, 2, true, "OGG" },
	{ "opus-8000-mono.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 8000, 1, true, "OPUS" },
	{ "opus-16000-mono.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 16000, 1, true, "OPUS" },
	{ "opus-48000-stereo.opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 2, true, "OPUS" },
	{ "mp3-8000-mono.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 8000, 1, true, "MP3" },
	{ "mp3-22050-mono.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 22050, 1, true, "MP3" },
	{ "mp3-44100-stereo.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2, true, "MP3" },
	{ "mp3-48000-stereo.mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 48000, 2, true, "MP3" },
};

#define N_FMT (sizeof(fmt_cases) / sizeof(fmt_cases[0]))
#define FMT_SECONDS 2.5

static void test_format(void **state)
{
	const struct fmt_case *c = *state;
	struct gen g = { c->format, c->rate, c->channels, FMT_SECONDS, 440, -12, false };
	int64_t want = llround(FMT_SECONDS * c->rate);
	struct audio_info a;
	char msg[512] = "";
	char *path = fx(c->name);
	double lufs;
	bool ok;
	int err;

	write_audio(path, &g);
	err = probe_file(path, 0, &a, msg, sizeof(msg));
	if (err)
		fail_msg("%s: probe_file = %d: %s", c->name, err, msg);
	assert_int_equal(a.sample_rate, c->rate);
	assert_int_equal(a.channels, c->channels);
	assert_string_equal(a.format, c->format_name);
	assert_int_equal(a.duration_ms, a.frames * 1000 / c->rate);
	/* A 440 Hz sine at -12 dBFS: K-weighting takes 0.69 dB off, and one
	 * channel reads 3.01 dB below two. */
	lufs = c->channels == 2 ? -12.69 : -15.70;
	if (c->lossy) {
		/* Codecs pad to whole packets; gapless decoding trims most of
		 * it. A lossy codec reshapes a pure tone's waveform (Opus moves
		 * its peak by up to 4 dB) but keeps its energy. */
		assert_in_range(a.frames, want - want / 100, want + want / 100);
		ok = fabs(a.loudness_lufs - lufs) < 1.0 && fabs(a.peak_dbfs + 12) < 5;
	} else {
		assert_int_equal(a.frames, want);
		assert_int_equal(a.duration_ms, 2500);
		/* libebur128's K filter, re-derived for 8000 Hz, reads a 440 Hz
		 * tone 0.2 dB louder than at 48 kHz. */
		ok = fabs(a.loudness_lufs - lufs) < 0.3 && fabs(a.peak_dbfs + 12) < 0.2;
	}
	if (!ok)
		fail_msg("%s: %.2f LUFS (want %.2f), peak %.2f dBFS (want -12)", c->name, a.loudness_lufs, lufs,
			 a.peak_dbfs);
	assert_true(a.true_peak_dbtp >= a.peak_dbfs - 0.01);
	free(path);
}

/* ---- what must be refused ---- */

static void make_empty(const char *path)
{
	write_bytes(path, "", 0);
}

static void make_text(const char *path)
{
	static const char t[] = "Ủy ban nhân dân xã thông báo: đây là văn bản, không phải âm thanh.\n";

	write_bytes(path, t, sizeof(t) - 1);
}

static void make_header_only(const char *path)
{
	unsigned char h[44];

	wav_header(h, 22050, 1, 0);
	write_bytes(path, h, sizeof(h));
}

/* A header that promises 2 s, and nothing after it. */
static void make_header_promise(const char *path)
{
	unsigned char h[44];

	wav_header(h, 22050, 1, 2 * 22050 * 2);
	write_bytes(path, h, sizeof(h));
}

static void make_huge_claim(const char *path)
{
	unsigned char b[44 + 1024];

	wav_header(b, 22050, 1, 0xffffff00u);
	for (int i = 0; i < 512; i++)
		put_le(b + 44 + 2 * i, (uint32_t)(int16_t)(8000 * sin(i * 0.1)) & 0xffff, 2);
	write_bytes(path, b, sizeof(b));
}

static void make_truncated(const char *path, int format)
{
	struct gen g = { format, 44100, 2, 10, 440, -12, false };

	write_audio(path, &g);
	cut(path);
}

static void make_truncated_wav(const char *path)
{
	make_truncated(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
}

static void make_truncated_mp3(const char *path)
{
	make_truncated(path, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
}

static void make_truncated_flac(const char *path)
{
	make_truncated(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16);
}

static void make_truncated_ogg(const char *path)
{
	make_truncated(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
}

static void make_truncated_opus(const char *path)
{
	struct gen g = { SF_FORMAT_OGG | SF_FORMAT_OPUS, 48000, 2, 10, 440, -12, false };

	write_audio(path, &g);
	cut(path);
}

static void make_silence_wav(const char *path)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_16, 22050, 1, 3, 0, 0, true };

	write_audio(path, &g);
}

static void make_silence_mp3(const char *path)
{
	struct gen g = { SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2, 3, 0, 0, true };

	write_audio(path, &g);
}

static void make_near_silence(const char *path)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 2, 3, 440, -70, false };

	write_audio(path, &g);
}

/* Zeroed stretches through the stream: mpg123 resyncs, complains on
 * stderr, and gives up long before the end. */
static void make_damaged_mp3(const char *path)
{
	struct gen g = { SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 1, 5, 440, -12, false };
	struct stat st;
	static const unsigned char zeros[50];
	int fd;

	write_audio(path, &g);
	assert_int_equal(stat(path, &st), 0);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	for (off_t off = 2000; off + (off_t)sizeof(zeros) < st.st_size; off += 1500)
		assert_int_equal(pwrite(fd, zeros, sizeof(zeros), off), (ssize_t)sizeof(zeros));
	assert_int_equal(close(fd), 0);
}

static void make_low_rate(const char *path)
{
	unsigned char b[44 + 8000];

	memset(b, 0x40, sizeof(b));
	wav_header(b, 4000, 1, 8000);
	write_bytes(path, b, sizeof(b));
}

static void make_many_channels(const char *path)
{
	struct gen g = { SF_FORMAT_WAVEX | SF_FORMAT_PCM_16, 48000, 10, 1, 440, -12, false };

	write_audio(path, &g);
}

struct bad_case {
	const char *file;
	void (*make)(const char *path);
	const char *keyword;
};

static const struct bad_case bad_cases[] = {
	{ "empty.mp3", make_empty, "empty" },
	{ "text.mp3", make_text, "not an audio file" },
	{ "header-only.wav", make_header_only, "no audio frames" },
	{ "header-promise.wav", make_header_promise, "no audio frames" },
	{ "huge-claim.wav", make_huge_claim, "ends after" },
	{ "truncated.wav", make_truncated_wav, "ends after" },
	{ "truncated.mp3", make_truncated_mp3, "ends after" },
	{ "truncated.flac", make_truncated_flac, "cut off" },
	{ "truncated.ogg", make_truncated_ogg, "cut off" },
	{ "truncated.opus", make_truncated_opus, "cut off" },
	{ "silence.wav", make_silence_wav, "silent" },
	{ "silence.mp3", make_silence_mp3, "silent" },
	{ "near-silence.wav", make_near_silence, "silent" },
	{ "damaged.mp3", make_damaged_mp3, "damaged" },
	{ "low-rate.wav", make_low_rate, "sample rate" },
	{ "many-channels.wav", make_many_channels, "channels" },
};

#define N_BAD (sizeof(bad_cases) / sizeof(bad_cases[0]))

static void test_refused(void **state)
{
	const struct bad_case *c = *state;
	char *path = fx(c->file);
	struct audio_info a;
	char msg[512] = "";
	int err;

	c->make(path);
	err = probe_file(path, 0, &a, msg, sizeof(msg));
	if (err != -EINVAL || !strstr(msg, c->keyword))
		fail_msg("%s: probe_file = %d, message '%s'; wanted -EINVAL and '%s'", c->file, err, msg, c->keyword);
	/* Callers put the file name in front; the sentence must not repeat it. */
	assert_null(strstr(msg, tmpdir));
	/* Every refusal says what to do, after a ';' or a '—'. */
	assert_true(strstr(msg, "; ") || strstr(msg, " — "));
	free(path);
}

static void test_force_lets_silence_through(void **state)
{
	char *path = fx("forced-silence.wav");
	struct audio_info a;
	char msg[512] = "";

	(void)state;
	make_silence_wav(path);
	assert_int_equal(probe_file(path, PROBE_ALLOW_SILENCE, &a, msg, sizeof(msg)), 0);
	assert_int_equal(a.frames, 3 * 22050);
	assert_int_equal(a.duration_ms, 3000);
	assert_true(isinf(a.peak_dbfs) && a.peak_dbfs < 0);
	assert_true(isinf(a.loudness_lufs) && a.loudness_lufs < 0);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "peak -inf dBFS"));
	assert_non_null(strstr(msg, "--force"));
	free(path);
}

/* Quiet is not silent: a recording peaking at -50 dBFS is kept. */
static void test_quiet_is_not_silent(void **state)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_24, 48000, 1, 2, 440, -50, false };
	char *path = fx("quiet.wav");
	struct audio_info a;
	char msg[512] = "";

	(void)state;
	write_audio(path, &g);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), 0);
	assert_true(fabs(a.peak_dbfs + 50) < 0.05);
	free(path);
}

static void test_missing_and_folder(void **state)
{
	char *path = fx("does-not-exist.mp3");
	struct audio_info a;
	char msg[512] = "";

	(void)state;
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), -ENOENT);
	assert_true(strlen(msg) > 0);
	assert_int_equal(probe_file(tmpdir, 0, &a, msg, sizeof(msg)), -EISDIR);
	assert_non_null(strstr(msg, "folder"));
	free(path);
}

/* A FIFO with no writer: opening it for reading would wait for one, and
 * a daemon or an import would hang there. It is refused at once. */
static void test_fifo_refused_without_waiting(void **state)
{
	char *path = fx("pipe.wav");
	struct decoder *d;
	struct audio_info a;
	char msg[512] = "";

	(void)state;
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a regular file"));
	assert_int_equal(decoder_open(path, &d, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(probe_file("/dev/zero", 0, &a, msg, sizeof(msg)), -EINVAL);
	unlink(path);
	free(path);
}

/* probe_fd reads the file through the descriptor it is given, from the
 * start, wherever its offset was, and leaves it open. */
static void test_probe_fd(void **state)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 2, 440, -6, false };
	char *path = fx("by-fd.wav");
	struct audio_info a, b;
	char msg[512] = "";
	int fd;

	(void)state;
	write_audio(path, &g);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 1000, SEEK_SET), 1000);
	/* The name no longer matters: what was opened is what is judged. */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(probe_fd(fd, 0, &b, msg, sizeof(msg)), 0);
	assert_int_equal(b.frames, a.frames);
	assert_int_equal(b.frames, 2 * 48000);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);
	free(path);
}

/* ---- measurement ---- */

/* BS.1770: a full-scale 997 Hz sine in one channel reads -3.01 LUFS, in
 * both channels of a stereo file 0 LUFS; K-weighting is ~0 dB there. */
static void test_loudness(void **state)
{
	static const struct {
		int channels;
		double level, lufs;
	} cases[] = {
		{ 2, -20, -20.0 },
		{ 1, -20, -23.01 },
		{ 2, -6, -6.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gen g = { SF_FORMAT_WAV | SF_FORMAT_FLOAT, 48000, cases[i].channels, 5, 997, cases[i].level, false };
		char *path = fx("loudness.wav");
		struct audio_info a;
		char msg[512] = "";

		write_audio(path, &g);
		assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), 0);
		if (fabs(a.loudness_lufs - cases[i].lufs) > 0.1 || fabs(a.peak_dbfs - cases[i].level) > 0.01 ||
		    fabs(a.true_peak_dbtp - cases[i].level) > 0.1)
			fail_msg("%d ch at %.0f dBFS: %.2f LUFS (want %.2f), peak %.2f dBFS, true peak %.2f dBTP",
				 cases[i].channels, cases[i].level, a.loudness_lufs, cases[i].lufs, a.peak_dbfs,
				 a.true_peak_dbtp);
		/* True peak never reads below the sample peak. */
		assert_true(a.true_peak_dbtp >= a.peak_dbfs - 0.01);
		free(path);
	}
}

/* Under one 400 ms gating block there is no integrated loudness. */
static void test_too_short_for_loudness(void **state)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 2, 0.2, 997, -20, false };
	char *path = fx("short.wav");
	struct audio_info a;
	char msg[512] = "";

	(void)state;
	write_audio(path, &g);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), 0);
	assert_int_equal(a.duration_ms, 200);
	assert_true(isinf(a.loudness_lufs) && a.loudness_lufs < 0);
	assert_true(fabs(a.peak_dbfs + 20) < 0.01);
	free(path);
}

/* mpg123 writes notes on fd 2 when it meets damage; none may reach the
 * operator's terminal or the journal, and fd 2 must work afterwards. */
static void test_stderr_stays_clean(void **state)
{
	char *path = fx("noisy.mp3");
	char *log = fx("stderr.txt");
	struct audio_info a;
	char msg[512] = "", got[64] = "";
	int saved, fd;
	ssize_t n;

	(void)state;
	make_damaged_mp3(path);

	fflush(stderr);
	saved = dup(STDERR_FILENO);
	fd = open(log, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, STDERR_FILENO);

	/* Unmuted, the same file does make noise: the test can fail. */
	{
		SF_INFO info = { 0 };
		SNDFILE *sf = sf_open(path, SFM_READ, &info);
		float buf[4096];

		while (sf && sf_readf_float(sf, buf, 4096 / info.channels) > 0)
			;
		sf_close(sf);
	}
	fflush(stderr);
	n = lseek(fd, 0, SEEK_END);
	assert_true(n > 0);
	assert_int_equal(ftruncate(fd, 0), 0);
	lseek(fd, 0, SEEK_SET);

	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), -EINVAL);
	fputs("after\n", stderr);
	fflush(stderr);

	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, got, sizeof(got) - 1, 0);
	close(fd);
	assert_true(n >= 0);
	assert_string_equal(got, "after\n");
	free(path);
	free(log);
}

/* A daemon may run with fd 2 closed: muting must not leave /dev/null
 * there, or the next file opened would land on fd 2. */
static void test_without_stderr(void **state)
{
	char *path = fx("noisy-closed.mp3");
	struct audio_info a;
	char msg[512] = "";
	int saved;

	(void)state;
	make_damaged_mp3(path);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(saved >= 0);
	close(STDERR_FILENO);
	assert_int_equal(probe_file(path, 0, &a, msg, sizeof(msg)), -EINVAL);
	errno = 0;
	assert_int_equal(fcntl(STDERR_FILENO, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	dup2(saved, STDERR_FILENO);
	close(saved);
	free(path);
}

/* ---- the decoder as playback uses it ---- */

static void test_decoder_chunks_and_seek(void **state)
{
	struct gen g = { SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 2, 1, 440, -6, false };
	char *path = fx("decoder.wav");
	struct decoder *d;
	const struct decoder_info *di;
	float all[8000 * 2], buf[700 * 2], one[2];
	int64_t total = 0, r;
	char msg[256] = "";

	(void)state;
	write_audio(path, &g);
	assert_int_equal(decoder_open(path, &d, msg, sizeof(msg)), 0);
	di = decoder_info(d);
	assert_int_equal(di->header_frames, 8000);
	assert_int_equal(di->sample_rate, 8000);
	assert_int_equal(di->channels, 2);
	assert_int_equal(di->format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
	assert_string_equal(di->format_name, "WAV");
	while ((r = decoder_read(d, buf, 700)) > 0) {
		assert_true(total + r <= 8000);
		memcpy(all + total * 2, buf, sizeof(float) * (size_t)r * 2);
		total += r;
	}
	assert_int_equal(r, 0);
	assert_int_equal(total, 8000);
	assert_int_equal(decoder_read(d, buf, 700), 0);

	assert_int_equal(decoder_seek(d, 4321), 0);
	assert_int_equal(decoder_read(d, one, 1), 1);
	assert_true(one[0] == all[4321 * 2] && one[1] == all[4321 * 2 + 1]);
	assert_int_equal(decoder_seek(d, 0), 0);
	assert_int_equal(decoder_read(d, one, 1), 1);
	assert_true(one[0] == all[0]);
	assert_int_equal(decoder_seek(d, -1), -EINVAL);
	decoder_close(d);
	decoder_close(NULL);
	free(path);
}

static void test_decoder_refuses_text(void **state)
{
	char *path = fx("notes.wav");
	static int sentinel;
	struct decoder *d = (struct decoder *)&sentinel;
	char msg[256] = "";

	(void)state;
	make_text(path);
	assert_int_equal(decoder_open(path, &d, msg, sizeof(msg)), -EINVAL);
	assert_null(d);
	assert_non_null(strstr(msg, "libsndfile: "));
	assert_non_null(strstr(msg, "convert it"));
	free(path);
}

static void test_decoder_refuses_devices(void **state)
{
	struct decoder *d;
	char msg[256] = "";

	(void)state;
	assert_int_equal(decoder_open("/dev/null", &d, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "not a regular file"));
}

/* ---- mkaudio, the generator the end-to-end tests use ---- */

static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int run(const char *fmt, ...)
{
	va_list ap;
	char *cmd;
	int st;

	va_start(ap, fmt);
	assert_true(vasprintf(&cmd, fmt, ap) >= 0);
	va_end(ap);
	st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static off_t file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_mkaudio(void **state)
{
	static const struct {
		const char *args, *file;
		int probe;
		const char *keyword;
		int64_t ms;
	} cases[] = {
		{ "tone", "tone.wav", 0, NULL, 3000 },
		{ "--seconds 2 --rate 44100 --channels 1 tone", "tone.mp3", 0, NULL, 2000 },
		{ "--seconds 1.5 --rate 22050 --subtype pcm24 tone", "tone.flac", 0, NULL, 1500 },
		{ "--seconds 2 --rate 44100 tone", "tone.ogg", 0, NULL, 2000 },
		{ "--seconds 2 --channels 1 tone", "tone.opus", 0, NULL, 2000 },
		{ "--seconds 1 --subtype float sine", "sine.wav", 0, NULL, 1000 },
		{ "--seconds 1 --subtype u8 --rate 8000 tone", "u8.wav", 0, NULL, 1000 },
		{ "silence", "silence.wav", -EINVAL, "silent", 0 },
		{ "empty", "empty.mp3", -EINVAL, "empty", 0 },
		{ "text", "text.mp3", -EINVAL, "not an audio file", 0 },
		{ "header-only", "header-only.wav", -EINVAL, "no audio frames", 0 },
		{ "truncated", "truncated.wav", -EINVAL, "ends after", 0 },
		{ "--seconds 10 truncated", "truncated.mp3", -EINVAL, "ends after", 0 },
		{ "--seconds 10 truncated", "truncated.flac", -EINVAL, "cut off", 0 },
		{ "--seconds 10 truncated", "truncated.ogg", -EINVAL, "cut off", 0 },
		{ "huge-claim", "huge-claim.wav", -EINVAL, "ends after", 0 },
	};
	const char *mk = getenv("LOA_MKAUDIO");
	char *out = fx("mkaudio.out");

	(void)state;
	if (!mk || !*mk)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = fx(cases[i].file);
		struct audio_info a;
		char msg[512] = "";
		int err;

		if (run("'%s' %s '%s' >'%s' 2>&1", mk, cases[i].args, path, out) != 0)
			fail_msg("mkaudio %s %s failed", cases[i].args, cases[i].file);
		/* Success is silent. */
		assert_int_equal(file_size(out), 0);
		err = probe_file(path, 0, &a, msg, sizeof(msg));
		if (err != cases[i].probe || (cases[i].keyword && !strstr(msg, cases[i].keyword)))
			fail_msg("mkaudio %s %s: probe_file = %d: %s", cases[i].args, cases[i].file, err, msg);
		if (err == 0)
			assert_in_range(a.duration_ms, cases[i].ms - cases[i].ms / 100, cases[i].ms + cases[i].ms / 100);
		unlink(path);
		free(path);
	}
	/* The huge claim is about 4 GiB; the file holds 1 KiB of samples. */
	{
		char *path = fx("huge-claim.wav");

		assert_int_equal(run("'%s' huge-claim '%s'", mk, path), 0);
		assert_int_equal(file_size(path), 44 + 1024);
		free(path);
	}
	/* Bad usage: exit 2 with a message. */
	assert_int_equal(run("'%s' >/dev/null 2>'%s'", mk, out), 2);
	assert_true(file_size(out) > 0);
	assert_int_equal(run("'%s' bogus '%s/x.wav' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' tone '%s/x.aiff' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --rate abc tone '%s/x.wav' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --seconds 0 tone '%s/x.wav' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --subtype pcm12 tone '%s/x.wav' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --subtype float tone '%s/x.flac' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --frobnicate tone '%s/x.wav' 2>/dev/null", mk, tmpdir), 2);
	/* A rate the codec does not take: refused, and no file left behind. */
	assert_int_equal(run("'%s' --rate 44100 tone '%s/x.opus' 2>/dev/null", mk, tmpdir), 2);
	assert_int_equal(run("'%s' --rate 96000 tone '%s/x.mp3' 2>/dev/null", mk, tmpdir), 2);
	{
		char *x = fx("x.opus");

		assert_int_equal(file_size(x), -1);
		free(x);
	}
	free(out);
}

/* ---- the shared test media, when this checkout sits beside it ---- */

static void test_shared_media(void **state)
{
	static const struct {
		const char *file;
		int64_t ms;        /* 0: must be refused */
		const char *keyword;
	} cases[] = {
		{ "chuyen-doi-so.mp3", 20891, NULL },
		{ "chuyen-doi-so.flac", 20891, NULL },
		{ "chuyen-doi-so.ogg", 20891, NULL },
		{ "phong-chong-thien-tai.mp3", 16392, NULL },
		{ "phong-chong-thien-tai.opus", 16392, NULL },
		{ "loi-chao-48k-stereo.wav", 6000, NULL },
		{ "chime.wav", 2000, NULL },
		{ "bad/empty.mp3", 0, "empty" },
		{ "bad/not-audio.mp3", 0, "not an audio file" },
		{ "bad/header-only.wav", 0, "no audio frames" },
		{ "bad/huge-claim.wav", 0, "ends after" },
		{ "bad/truncated.wav", 0, "ends after" },
		{ "bad/truncated.mp3", 0, "ends after" },
		{ "bad/silence.wav", 0, "silent" },
		{ "bad/corrupt-frames.mp3", 0, "damaged" },
	};
	const char *dir = getenv("LOA_MEDIA");
	char *readme;
	bool present;

	(void)state;
	if (!dir || !*dir)
		dir = "../shared/media";
	readme = xasprintf("%s/README.md", dir);
	present = access(readme, R_OK) == 0;
	free(readme);
	if (!present)
		skip();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = xasprintf("%s/%s", dir, cases[i].file);
		struct audio_info a;
		char msg[512] = "";
		int err = probe_file(path, 0, &a, msg, sizeof(msg));

		if (cases[i].ms) {
			if (err)
				fail_msg("%s: %d: %s", cases[i].file, err, msg);
			assert_in_range(a.duration_ms, cases[i].ms - 10, cases[i].ms + 10);
		} else if (err != -EINVAL || !strstr(msg, cases[i].keyword)) {
			fail_msg("%s: probe_file = %d: '%s'; wanted '%s'", cases[i].file, err, msg, cases[i].keyword);
		}
		free(path);
	}
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_force_lets_silence_through),
		cmocka_unit_test(test_quiet_is_not_silent),
		cmocka_unit_test(test_missing_and_folder),
		cmocka_unit_test(test_fifo_refused_without_waiting),
		cmocka_unit_test(test_probe_fd),
		cmocka_unit_test(test_loudness),
		cmocka_unit_test(test_too_short_for_loudness),
		cmocka_unit_test(test_stderr_stays_clean),
		cmocka_unit_test(test_decoder_chunks_and_seek),
		cmocka_unit_test(test_without_stderr),
		cmocka_unit_test(test_decoder_refuses_text),
		cmocka_unit_test(test_decoder_refuses_devices),
		cmocka_unit_test(test_mkaudio),
		cmocka_unit_test(test_shared_media),
	};
	struct CMUnitTest tests[N_FMT + N_BAD + sizeof(fixed) / sizeof(fixed[0])];
	size_t n = 0;

	/* One named test per format and per kind of broken file, so a failure
	 * names the fixture. */
	for (size_t i = 0; i < N_FMT; i++)
		tests[n++] = (struct CMUnitTest){ .name = fmt_cases[i].name, .test_func = test_format,
						  .initial_state = (void *)&fmt_cases[i] };
	for (size_t i = 0; i < N_BAD; i++)
		tests[n++] = (struct CMUnitTest){ .name = bad_cases[i].file, .test_func = test_refused,
						  .initial_state = (void *)&bad_cases[i] };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	return cmocka_run_group_tests_name("probe", tests, group_setup, group_teardown);
}
