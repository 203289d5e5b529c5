/* mkaudio: writes the audio files loa's tests and demos need, good and bad,
 * so no fixture is ever committed. The container follows OUT's extension
 * (.wav .flac .ogg .opus .mp3); the broken kinds reproduce what arrives at
 * stations: empty copies, text files with an audio name, cut-off downloads,
 * headers that promise what the file does not hold. */
#include <ebur128.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sndfile.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 4096
#define FADE_S 0.005
#define MOD_HZ 3.0

struct opts {
	double seconds;
	int rate;
	int channels;
	double level_dbfs;
	double freq;
	const char *subtype;
	bool vbr;            /* MP3: variable bitrate instead of constant */
};

static const char usage_text[] =
	"usage: mkaudio [--seconds S] [--rate HZ] [--channels N] [--level DBFS] [--freq HZ]\n"
	"               [--subtype pcm16|pcm24|pcm32|float|u8] [--vbr] KIND OUT\n"
	"       mkaudio measure FILE   prints: LUFS TRUE_PEAK_DBTP FRAMES RATE CHANNELS\n"
	"KIND: tone (a sine at --freq, amplitude-modulated at 3 Hz like speech),\n"
	"      sine (a steady sine), silence (digital zeros), empty (0 bytes),\n"
	"      quiet (speech-like, about -28 LUFS, with 2 ms bursts at 0 dBFS),\n"
	"      speech (formants on a pulse train, peaks ~13 dB over RMS),\n"
	"      text (a text file), header-only (a WAV header, no frames),\n"
	"      truncated (a whole file cut to its first 40%),\n"
	"      huge-claim (a WAV whose header claims ~4 GiB, 1 KiB present)\n"
	"OUT's extension picks the format: .wav .flac .ogg .opus .mp3 (--vbr: variable bitrate)\n"
	"defaults: 3 s, 48000 Hz, 2 channels, -12 dBFS peak, 440 Hz, pcm16\n";

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
	va_list ap;

	fputs("mkaudio: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; mkaudio --help shows the usage\n", stderr);
	return 2;
}

static int fail(const char *what, const char *path, const char *why)
{
	fprintf(stderr, "mkaudio: %s %s: %s\n", what, path, why);
	return 1;
}

static const char *extension(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(path, '.');

	if (!dot || (slash && dot < slash))
		return "";
	return dot;
}

/* The libsndfile format for OUT's extension and --subtype; 0 if there is none. */
static int pick_format(const char *ext, const char *subtype, const char **why)
{
	int pcm = 0;

	*why = NULL;
	if (strcmp(subtype, "pcm16") == 0)
		pcm = SF_FORMAT_PCM_16;
	else if (strcmp(subtype, "pcm24") == 0)
		pcm = SF_FORMAT_PCM_24;
	else if (strcmp(subtype, "pcm32") == 0)
		pcm = SF_FORMAT_PCM_32;
	else if (strcmp(subtype, "float") == 0)
		pcm = SF_FORMAT_FLOAT;
	else if (strcmp(subtype, "u8") == 0)
		pcm = SF_FORMAT_PCM_U8;

	if (strcasecmp(ext, ".wav") == 0)
		return SF_FORMAT_WAV | pcm;
	if (strcasecmp(ext, ".flac") == 0) {
		if (pcm == SF_FORMAT_PCM_U8)
			return SF_FORMAT_FLAC | SF_FORMAT_PCM_S8;
		if (pcm == SF_FORMAT_PCM_16 || pcm == SF_FORMAT_PCM_24)
			return SF_FORMAT_FLAC | pcm;
		*why = "FLAC holds pcm16, pcm24 or u8 samples only";
		return 0;
	}
	if (strcasecmp(ext, ".ogg") == 0)
		return SF_FORMAT_OGG | SF_FORMAT_VORBIS;
	if (strcasecmp(ext, ".opus") == 0)
		return SF_FORMAT_OGG | SF_FORMAT_OPUS;
	if (strcasecmp(ext, ".mp3") == 0)
		return SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III;
	*why = "OUT must end in .wav, .flac, .ogg, .opus or .mp3";
	return 0;
}

static bool rate_in(int rate, const int *list)
{
	for (; *list; list++)
		if (*list == rate)
			return true;
	return false;
}

/* The codecs take a fixed set of rates; say so before libsndfile fails. */
static const char *rate_problem(int format, int rate)
{
	static const int opus[] = { 8000, 12000, 16000, 24000, 48000, 0 };
	static const int mp3[] = { 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000, 0 };

	if ((format & SF_FORMAT_SUBMASK) == SF_FORMAT_OPUS && !rate_in(rate, opus))
		return "Opus takes --rate 8000, 12000, 16000, 24000 or 48000";
	if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG && !rate_in(rate, mp3))
		return "MP3 takes --rate 8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100 or 48000";
	return NULL;
}

/* Sample i of channel c. The envelope fades in and out over 5 ms so the
 * file starts and ends without a click; "tone" also swells and fades three
 * times a second, which gives the loudness gate something speech-like. */
static float sample(const struct opts *o, bool modulate, int64_t i, int64_t total)
{
	double t = (double)i / o->rate;
	double a = pow(10, o->level_dbfs / 20);
	double fade = FADE_S * o->rate;
	double env = 1;

	if (i < fade)
		env = (double)i / fade;
	else if (total - 1 - i < fade)
		env = (double)(total - 1 - i) / fade;
	if (modulate)
		env *= 0.6 + 0.4 * sin(2 * M_PI * MOD_HZ * t);
	return (float)(a * env * sin(2 * M_PI * o->freq * t));
}

/* A quiet recording whose peaks leave a peak normaliser no room: harmonics
 * of 140 Hz in syllables with pauses, and a 2 ms burst near full scale
 * every 1.5 s (a plosive into the microphone). */
static float quiet_sample(const struct opts *o, int64_t i)
{
	double t = (double)i / o->rate, syl = fmax(0, sin(2 * M_PI * 3.7 * t)), h = 0;

	if (fmod(t, 1.5) < 0.002)
		return (float)(0.99 * sin(2 * M_PI * 700 * t));
	for (int k = 1; k <= 8 && 140.0 * k < o->rate / 2.0; k++)
		h += sin(2 * M_PI * 140 * k * t + k) / k;
	return (float)(0.035 * h * syl * syl * (fmod(t, 4.0) < 3.2 ? 1 : 0));
}

/* Speech-like audio with speech's crest factor (peaks some 13 dB over
 * its RMS), so a bulletin normalised to its target needs limiting: a
 * glottal pulse train near 120 Hz, with breath noise, through three
 * formant resonators that move from syllable to syllable, under a
 * syllabic envelope of about 4 Hz with pauses between phrases. */
struct speech {
	double phase, y[3][2];
	uint32_t seed;
};

static float speech_sample(const struct opts *o, struct speech *s, int64_t i)
{
	static const double formants[4][3] = {
		{ 700, 1220, 2600 }, { 300, 2300, 3000 }, { 500, 900, 2400 }, { 400, 1700, 2500 } };
	double t = (double)i / o->rate, syl = fmax(0, sin(2 * M_PI * 4.1 * t)), f0, x, v = 0;
	int which = (int)(t * 4.1 * 2) % 4;

	f0 = 120 * (1 + 0.08 * sin(2 * M_PI * 0.7 * t));
	s->phase += f0 / o->rate;
	x = 0;
	if (s->phase >= 1) { /* a glottal closure: one sharp pulse per period */
		s->phase -= 1;
		x = 1;
	}
	s->seed = s->seed * 1664525u + 1013904223u;
	x += 0.02 * ((s->seed >> 8) / (double)(1 << 24) * 2 - 1);
	for (int k = 0; k < 3; k++) {
		double f = formants[which][k], bw = 80 + 40 * k, r, y;

		if (f >= o->rate / 2.0)
			continue;
		r = exp(-M_PI * bw / o->rate);
		y = 2 * r * cos(2 * M_PI * f / o->rate) * s->y[k][0] - r * r * s->y[k][1] + (1 - r) * x;
		s->y[k][1] = s->y[k][0];
		s->y[k][0] = y;
		v += y / (k + 1);
	}
	return (float)(pow(10, o->level_dbfs / 20) * 3.0 * v * syl * syl * (fmod(t, 3.0) < 2.4 ? 1 : 0));
}

static int write_audio(const struct opts *o, int format, const char *kind, const char *path)
{
	SF_INFO info = { .samplerate = o->rate, .channels = o->channels, .format = format };
	int64_t total = llround(o->seconds * o->rate);
	bool silent = strcmp(kind, "silence") == 0, quiet = strcmp(kind, "quiet") == 0;
	bool speech = strcmp(kind, "speech") == 0;
	struct speech sp = { .seed = 1 };
	bool modulate = strcmp(kind, "sine") != 0;
	float *buf;
	SNDFILE *sf;
	int err = 0;

	if (!sf_format_check(&info))
		return usage("libsndfile cannot write %s with %d Hz and %d channels", path, o->rate, o->channels);
	sf = sf_open(path, SFM_WRITE, &info);
	if (!sf) {
		err = fail("cannot write", path, sf_strerror(NULL));
		unlink(path); /* libsndfile may have created it already */
		return err;
	}
	if ((format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG) {
		int mode = o->vbr ? SF_BITRATE_MODE_VARIABLE : SF_BITRATE_MODE_CONSTANT;
		double level = 0.5;

		/* At libsndfile's default bitrate, MPEG-2 mono frames are too
		 * small for LAME's Info header, which "truncated" needs. */
		sf_command(sf, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
		sf_command(sf, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
	}
	buf = calloc((size_t)CHUNK * (size_t)o->channels, sizeof(float));
	if (!buf) {
		sf_close(sf);
		return fail("cannot write", path, "out of memory");
	}
	for (int64_t done = 0; done < total;) {
		int64_t n = total - done < CHUNK ? total - done : CHUNK;

		for (int64_t i = 0; i < n; i++) {
			float s = silent ? 0 : quiet ? quiet_sample(o, done + i)
				: speech ? speech_sample(o, &sp, done + i) : sample(o, modulate, done + i, total);

			for (int c = 0; c < o->channels; c++)
				buf[i * o->channels + c] = s;
		}
		if (sf_writef_float(sf, buf, n) != n) {
			err = fail("cannot write", path, sf_strerror(sf));
			break;
		}
		done += n;
	}
	free(buf);
	if (sf_close(sf) != 0 && !err)
		err = fail("cannot write", path, "closing the file failed");
	if (err)
		unlink(path);
	return err;
}

static int write_bytes(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return fail("cannot write", path, strerror(errno));
	if (fwrite(p, 1, n, f) != n || fclose(f) != 0)
		return fail("cannot write", path, strerror(errno));
	return 0;
}

static void put_le16(unsigned char *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	put_le16(p, v);
	put_le16(p + 2, v >> 16);
}

/* A canonical 44-byte PCM16 WAV header whose sizes say data_bytes. */
static void wav_header(unsigned char h[44], const struct opts *o, uint32_t data_bytes)
{
	memcpy(h, "RIFF", 4);
	put_le32(h + 4, data_bytes + 36);
	memcpy(h + 8, "WAVEfmt ", 8);
	put_le32(h + 16, 16);
	put_le16(h + 20, 1); /* PCM */
	put_le16(h + 22, (uint32_t)o->channels);
	put_le32(h + 24, (uint32_t)o->rate);
	put_le32(h + 28, (uint32_t)(o->rate * o->channels * 2));
	put_le16(h + 32, (uint32_t)(o->channels * 2));
	put_le16(h + 34, 16);
	memcpy(h + 36, "data", 4);
	put_le32(h + 40, data_bytes);
}

/* 1 KiB of tone after a header that claims 0xffffff00 bytes (not
 * 0xffffffff, which streaming writers use for "unknown"). */
static int write_huge_claim(const struct opts *o, const char *path)
{
	unsigned char b[44 + 1024];
	int frames = 1024 / (2 * o->channels);

	memset(b, 0, sizeof(b));
	wav_header(b, o, 0xffffff00u - 36);
	put_le32(b + 40, 0xffffff00u);
	for (int i = 0; i < frames; i++)
		for (int c = 0; c < o->channels; c++) {
			long v = lrintf(sample(o, false, i, frames) * 32767);

			put_le16(b + 44 + (i * o->channels + c) * 2, (uint32_t)(v & 0xffff));
		}
	return write_bytes(path, b, sizeof(b));
}

static int write_truncated(const struct opts *o, int format, const char *path)
{
	struct stat st;
	int err = write_audio(o, format, "tone", path);

	if (err)
		return err;
	/* Cut at 40%: what a download that dropped out leaves behind. The
	 * header still promises the whole file (for MP3 through the Xing/Info
	 * header the encoder writes). */
	if (stat(path, &st) < 0 || truncate(path, st.st_size * 40 / 100) < 0)
		return fail("cannot cut", path, strerror(errno));
	return 0;
}

/* Integrated loudness, true peak and length of PATH, as loa's tests check
 * what a capture device received. */
static int measure(const char *path)
{
	SF_INFO info = { 0 };
	SNDFILE *sf = sf_open(path, SFM_READ, &info);
	ebur128_state *m;
	float *buf;
	double lufs, tp, max = 0;
	int64_t frames = 0;
	sf_count_t r;

	if (!sf)
		return fail("cannot read", path, sf_strerror(NULL));
	m = ebur128_init((unsigned)info.channels, (unsigned long)info.samplerate,
			 EBUR128_MODE_I | EBUR128_MODE_TRUE_PEAK);
	buf = malloc(sizeof(float) * CHUNK * (size_t)info.channels);
	if (!m || !buf) {
		sf_close(sf);
		return fail("cannot measure", path, "out of memory");
	}
	while ((r = sf_readf_float(sf, buf, CHUNK)) > 0) {
		ebur128_add_frames_float(m, buf, (size_t)r);
		frames += r;
	}
	if (ebur128_loudness_global(m, &lufs) != EBUR128_SUCCESS)
		lufs = -HUGE_VAL;
	for (int c = 0; c < info.channels; c++)
		if (ebur128_true_peak(m, (unsigned)c, &tp) == EBUR128_SUCCESS && tp > max)
			max = tp;
	printf("%.2f %.2f %lld %d %d\n", lufs, max > 0 ? 20 * log10(max) : -HUGE_VAL, (long long)frames,
	       info.samplerate, info.channels);
	ebur128_destroy(&m);
	free(buf);
	sf_close(sf);
	return 0;
}

static int parse_double(const char *s, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(s, &end);
	return errno || end == s || *end || !isfinite(*out) ? -1 : 0;
}

static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT32_MIN || v > INT32_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "rate", required_argument, NULL, 'r' },
		{ "channels", required_argument, NULL, 'c' },
		{ "level", required_argument, NULL, 'l' },
		{ "freq", required_argument, NULL, 'f' },
		{ "subtype", required_argument, NULL, 't' },
		{ "vbr", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .seconds = 3, .rate = 48000, .channels = 2, .level_dbfs = -12, .freq = 440, .subtype = "pcm16" };
	const char *kind, *out, *why;
	int opt, format;

	while ((opt = getopt_long(argc, argv, "s:r:c:l:f:t:vh", longopts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (parse_double(optarg, &o.seconds) < 0 || o.seconds <= 0 || o.seconds > 86400)
				return usage("--seconds wants a length in seconds, above 0 and at most 86400, not '%s'", optarg);
			break;
		case 'r':
			if (parse_int(optarg, &o.rate) < 0 || o.rate < 1000 || o.rate > 384000)
				return usage("--rate wants a sample rate in Hz between 1000 and 384000, not '%s'", optarg);
			break;
		case 'c':
			if (parse_int(optarg, &o.channels) < 0 || o.channels < 1 || o.channels > 16)
				return usage("--channels wants 1 to 16, not '%s'", optarg);
			break;
		case 'l':
			if (parse_double(optarg, &o.level_dbfs) < 0 || o.level_dbfs > 0)
				return usage("--level wants a peak level in dBFS, 0 or below, not '%s'", optarg);
			break;
		case 'f':
			if (parse_double(optarg, &o.freq) < 0 || o.freq <= 0)
				return usage("--freq wants a frequency in Hz above 0, not '%s'", optarg);
			break;
		case 'v':
			o.vbr = true;
			break;
		case 't':
			if (strcmp(optarg, "pcm16") && strcmp(optarg, "pcm24") && strcmp(optarg, "pcm32") &&
			    strcmp(optarg, "float") && strcmp(optarg, "u8"))
				return usage("--subtype wants pcm16, pcm24, pcm32, float or u8, not '%s'", optarg);
			o.subtype = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (argc - optind != 2) {
		fputs(usage_text, stderr);
		return 2;
	}
	kind = argv[optind];
	out = argv[optind + 1];
	if (strcmp(kind, "measure") == 0)
		return measure(out);
	if (o.freq >= o.rate / 2.0)
		return usage("--freq must be below half the sample rate");

	if (strcmp(kind, "empty") == 0)
		return write_bytes(out, "", 0);
	if (strcmp(kind, "text") == 0) {
		static const char text[] = "Ủy ban nhân dân xã thông báo: đây là văn bản, không phải âm thanh.\n";

		return write_bytes(out, text, sizeof(text) - 1);
	}
	if (strcmp(kind, "header-only") == 0) {
		unsigned char h[44];

		wav_header(h, &o, 0);
		return write_bytes(out, h, sizeof(h));
	}
	if (strcmp(kind, "huge-claim") == 0)
		return write_huge_claim(&o, out);

	format = pick_format(extension(out), o.subtype, &why);
	if (!format)
		return usage("%s", why);
	why = rate_problem(format, o.rate);
	if (why)
		return usage("%s", why);
	if (strcmp(kind, "tone") == 0 || strcmp(kind, "sine") == 0 || strcmp(kind, "silence") == 0 ||
	    strcmp(kind, "quiet") == 0 || strcmp(kind, "speech") == 0)
		return write_audio(&o, format, kind, out);
	if (strcmp(kind, "truncated") == 0)
		return write_truncated(&o, format, out);
	return usage("unknown KIND '%s'", kind);
}
