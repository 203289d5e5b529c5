/* See probe.h. A file is judged by decoding every frame of it: headers lie
 * (a cut-off download keeps the header of the whole file, and libsndfile
 * itself trims a WAV header's claim to the bytes present), so the count of
 * frames that actually decode is the duration, and what the header promised
 * is only used to notice that something is missing. Refusals are sentences
 * for the station operator: the problem and what to do about it. */
#include "content/probe.h"

#include <ebur128.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio/decode.h"
#include "audio/truepeak.h"
#include "util/i18n.h"
#include "util/progress.h"
#include "util/xmalloc.h"

#define CHUNK_FRAMES 4096
#define MIN_RATE 8000
#define MAX_RATE 192000
#define MAX_CHANNELS 8
#define SILENCE_DBFS -60.0

/* "0.02 s", "18.1 s", "4 min 05 s", "27 h 03 min": whatever reads best at that size. */
static const char *fmt_dur(double s, char *buf, size_t len)
{
	if (s < 1)
		snprintf(buf, len, _("%.2f s"), s);
	else if (s < 60)
		snprintf(buf, len, _("%.1f s"), s);
	else if (s < 3600)
		snprintf(buf, len, _("%d min %02d s"), (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(buf, len, _("%lld h %02d min"), (long long)(s / 3600), (int)fmod(s / 60, 60));
	return buf;
}

static double to_db(double linear)
{
	return linear > 0 ? 20 * log10(linear) : -INFINITY;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static bool read_at(int fd, void *buf, size_t n, off_t off)
{
	return pread(fd, buf, n, off) == (ssize_t)n;
}

/* What a RIFF/WAVE file's data chunk claims, against what the file holds. */
struct wav_claim {
	uint64_t claimed, present; /* bytes */
	unsigned block_align;
};

/* libsndfile clamps a WAV's frame count to the bytes present, so a cut-off
 * WAV looks whole through it; the chunk headers still tell. Returns true
 * when a data chunk with a definite size was found. */
static bool wav_data_claim(int fd, off_t file_size, struct wav_claim *w)
{
	unsigned char h[12], ch[8], fmt[16], ds64[28];
	uint64_t ds64_data = 0;
	off_t off = 12;
	bool rf64;

	*w = (struct wav_claim){ 0 };
	if (!read_at(fd, h, sizeof(h), 0) || memcmp(h + 8, "WAVE", 4) != 0)
		return false;
	if (memcmp(h, "RIFF", 4) != 0 && memcmp(h, "RF64", 4) != 0)
		return false;
	rf64 = memcmp(h, "RF64", 4) == 0;
	while (off + 8 <= file_size && read_at(fd, ch, sizeof(ch), off)) {
		uint64_t size = le32(ch + 4);

		off += 8;
		if (memcmp(ch, "fmt ", 4) == 0 && size >= 16 && read_at(fd, fmt, sizeof(fmt), off)) {
			w->block_align = fmt[12] | fmt[13] << 8;
		} else if (memcmp(ch, "ds64", 4) == 0 && size >= 28 && read_at(fd, ds64, sizeof(ds64), off)) {
			ds64_data = le32(ds64 + 8) | (uint64_t)le32(ds64 + 12) << 32;
		} else if (memcmp(ch, "data", 4) == 0) {
			if (rf64 && size == 0xffffffff)
				size = ds64_data;
			/* 0 and 0xffffffff are what streaming writers put when they
			 * cannot know the length: no claim, not a false one. */
			else if (size == 0 || size == 0xffffffff)
				return false;
			w->claimed = size;
			w->present = (uint64_t)(file_size - off);
			return w->block_align > 0;
		}
		off += (off_t)(size + (size & 1));
	}
	return false;
}

/* The byte count an MP3's Xing/Info or VBRI header gives for the whole
 * stream. It tells a cut-off download (fewer bytes than promised) from a
 * damaged one (all bytes there, yet decoding stops early). Encoders differ
 * on whether it counts a leading ID3 tag; the file size is compared with it
 * either way, which holds for a whole file under both readings. */
static bool mp3_claimed_bytes(int fd, uint64_t *bytes)
{
	unsigned char b[4096];
	ssize_t n;
	off_t start = 0;
	size_t i;

	if (!read_at(fd, b, 10, 0))
		return false;
	if (memcmp(b, "ID3", 3) == 0) {
		start = 10 + ((b[6] & 0x7f) << 21 | (b[7] & 0x7f) << 14 | (b[8] & 0x7f) << 7 | (b[9] & 0x7f));
		if (b[5] & 0x10)
			start += 10; /* footer */
	}
	n = pread(fd, b, sizeof(b), start);
	if (n < 4)
		return false;
	for (i = 0; i + 4 <= (size_t)n; i++) {
		int version, mono, side;
		size_t tag;

		/* Frame sync, Layer III. */
		if (b[i] != 0xff || (b[i + 1] & 0xe6) != 0xe2)
			continue;
		version = (b[i + 1] >> 3) & 3; /* 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5 */
		if (version == 1)
			continue;
		mono = (b[i + 3] >> 6) == 3;
		side = version == 3 ? (mono ? 17 : 32) : (mono ? 9 : 17);
		tag = i + 4 + (size_t)side;
		if (tag + 16 <= (size_t)n &&
		    (memcmp(b + tag, "Xing", 4) == 0 || memcmp(b + tag, "Info", 4) == 0)) {
			uint32_t flags = be32(b + tag + 4);
			size_t at = tag + 8 + (flags & 1 ? 4 : 0);

			if (!(flags & 2) || at + 4 > (size_t)n)
				return false;
			*bytes = be32(b + at);
			return true;
		}
		tag = i + 4 + 32; /* VBRI sits at a fixed place */
		if (tag + 14 <= (size_t)n && memcmp(b + tag, "VBRI", 4) == 0) {
			*bytes = be32(b + tag + 10);
			return true;
		}
		return false;
	}
	return false;
}

/* Ogg headers promise no length, but a finished stream closes with a page
 * marked end-of-stream; a cut-off one ends without it, or mid-page. */
static bool ogg_cut_off(int fd, off_t file_size)
{
	enum { TAIL = 70000 }; /* more than the largest Ogg page (65307 bytes) */
	unsigned char *b;
	off_t start = file_size > TAIL ? file_size - TAIL : 0;
	ssize_t n, i;
	bool cut = false;

	b = xmalloc(TAIL);
	n = pread(fd, b, TAIL, start);
	for (i = n - 27; i >= 0; i--) {
		size_t segs, len = 0;

		if (memcmp(b + i, "OggS", 4) != 0 || b[i + 4] != 0)
			continue;
		segs = b[i + 26];
		if (i + 27 + (ssize_t)segs > n) {
			cut = true;
			break;
		}
		for (size_t k = 0; k < segs; k++)
			len += b[i + 27 + k];
		cut = i + 27 + (ssize_t)(segs + len) > n || !(b[i + 5] & 0x04);
		break;
	}
	free(b);
	return cut;
}

/* Decoding ended before the header's promise: say whether the file was cut
 * off or is damaged inside, when the file's own headers can tell. */
static void explain_short(int fd, off_t file_size, const struct decoder_info *di, int64_t frames,
			  int64_t promised, char *msg, size_t msglen)
{
	char got[32], want[32];
	uint64_t bytes;

	fmt_dur((double)frames / di->sample_rate, got, sizeof(got));
	fmt_dur((double)promised / di->sample_rate, want, sizeof(want));
	if ((di->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_MPEG && mp3_claimed_bytes(fd, &bytes) &&
	    (uint64_t)file_size >= bytes - bytes / 100) {
		snprintf(msg, msglen,
			 _("the audio is damaged: decoding stops after %s although the file is complete "
			 "and its header promises %s (only the first %s decoded cleanly); "
			 "fetch it again or export it again from the original recording"),
			 got, want, got);
		return;
	}
	snprintf(msg, msglen,
		 _("the file ends after %s but its header promises %s; "
		 "the download was probably cut off — fetch it again"),
		 got, want);
}
/* Frames promised but missing that still count as whole: encoders round,
 * and a tenth of a second lost at the end is not a broken bulletin. */
static int64_t slack(int64_t promised, int rate)
{
	int64_t s = promised / 200;

	return s > rate / 10 ? s : rate / 10;
}

struct measure {
	ebur128_state *r128;
	struct truepeak *tp;
	float peak;
	int64_t frames;
};

/* Returns 0 at a clean end, -EIO when the decoder reports an error.
 * Tells PROGRESS how far into the file (of SIZE bytes) the decoder has
 * read, through FD's offset (shared with the decoder's duplicate), about every CHUNK_FRAMES * 16 frames. */
static int decode_all(struct decoder *dec, int channels, struct measure *m, int fd, off_t size,
		      const struct progress *progress)
{
	int64_t told = 0;

	float *buf = xmalloc(sizeof(float) * CHUNK_FRAMES * (size_t)channels);
	int ret = 0;

	for (;;) {
		int64_t r = decoder_read(dec, buf, CHUNK_FRAMES);

		if (r <= 0) {
			ret = r < 0 ? -EIO : 0;
			break;
		}
		if (m->r128)
			ebur128_add_frames_float(m->r128, buf, (size_t)r);
		if (m->tp)
			truepeak_add(m->tp, buf, r);
		m->frames += r;
		if (progress && m->frames - told >= CHUNK_FRAMES * 16 && size > 0) {
			off_t at = lseek(fd, 0, SEEK_CUR);

			told = m->frames;
			if (at >= 0)
				progress_report(progress, PROGRESS_ANALYSING, at >= size ? 1.0 : (double)at / (double)size);
		}
	}
	free(buf);
	m->peak = (float)truepeak_sample(m->tp);
	return ret;
}

static void loudness(struct measure *m, struct audio_info *out)
{
	double lufs;

	out->loudness_lufs = -INFINITY;
	out->true_peak_dbtp = out->peak_dbfs;
	if (!m->r128)
		return;
	/* Under 400 ms, or all below the gate, there is no integrated value:
	 * libebur128 says -HUGE_VAL, which reads -inf everywhere downstream. */
	if (ebur128_loudness_global(m->r128, &lufs) == EBUR128_SUCCESS && isfinite(lufs))
		out->loudness_lufs = lufs;
	out->true_peak_dbtp = to_db(truepeak_get(m->tp));
}

/* What the file promises, in frames: libsndfile's count, or more when a
 * WAV's data chunk claims bytes the file does not hold. 0 if unknown. */
static int64_t promised_frames(int fd, off_t file_size, const struct decoder_info *di)
{
	int64_t promised = 0;
	struct wav_claim wc;

	if (di->header_frames > 0 && di->header_frames != SF_COUNT_MAX)
		promised = di->header_frames;
	if (strcmp(di->format_name, "WAV") == 0 && wav_data_claim(fd, file_size, &wc) &&
	    wc.claimed > wc.present) {
		uint64_t f = wc.claimed / wc.block_align;

		if (f > (uint64_t)promised)
			promised = f > INT64_MAX / 2 ? INT64_MAX / 2 : (int64_t)f;
	}
	return promised;
}

/* Everything that makes a decoded file unfit to air, as a sentence; 0 if fit. */
static int judge(int fd, off_t file_size, const struct decoder_info *di, const struct measure *m,
		 int decode_err, char *msg, size_t msglen)
{
	int64_t promised = promised_frames(fd, file_size, di);
	bool is_ogg = (di->format & SF_FORMAT_TYPEMASK) == SF_FORMAT_OGG;
	char got[32], want[32] = "";

	fmt_dur((double)m->frames / di->sample_rate, got, sizeof(got));
	if (promised > 0)
		fmt_dur((double)promised / di->sample_rate, want, sizeof(want));

	if (decode_err < 0) {
		if (promised > 0)
			snprintf(msg, msglen,
				 _("decoding fails after %s of the %s its header promises: the file was cut "
				   "off or is damaged (only the first %s decoded cleanly) — fetch it again or "
				   "export it again from the original recording"),
				 got, want, got);
		else
			snprintf(msg, msglen,
				 _("decoding fails after %s: the file was cut off or is damaged (only the "
				   "first %s decoded cleanly) — fetch it again or export it again from the "
				   "original recording"),
				 got, got);
		return -EINVAL;
	}
	if (m->frames == 0) {
		if (promised > 0)
			snprintf(msg, msglen,
				 _("the file holds no audio frames although its header promises %s; the "
				   "copy or download was cut off — fetch it again"),
				 want);
		else if (is_ogg && ogg_cut_off(fd, file_size))
			snprintf(msg, msglen,
				 _("the file holds no audio frames; the copy or download was cut off "
				   "— fetch it again"));
		else
			snprintf(msg, msglen,
				 _("the file holds no audio frames (only a header); the recording or the "
				 "export failed — record or export it again"));
		return -EINVAL;
	}
	if (m->frames < promised - slack(promised, di->sample_rate)) {
		explain_short(fd, file_size, di, m->frames, promised, msg, msglen);
		return -EINVAL;
	}
	if (is_ogg && ogg_cut_off(fd, file_size)) {
		snprintf(msg, msglen,
			 _("the file ends after %s without the end-of-stream mark a complete Ogg file "
			 "carries; the download was probably cut off — fetch it again"),
			 got);
		return -EINVAL;
	}
	return 0;
}

int probe_file(const char *path, unsigned flags, struct audio_info *out, char *msg, size_t msglen)
{
	int fd, err;

	memset(out, 0, sizeof(*out));
	/* As the daemon opens it: what `loa check` accepts is what airs. */
	fd = decoder_open_file(path, msg, msglen);
	if (fd < 0)
		return fd;
	err = probe_fd(fd, flags, out, msg, msglen);
	close(fd);
	return err;
}

int probe_fd(int fd, unsigned flags, struct audio_info *out, char *msg, size_t msglen)
{
	return probe_fd_progress(fd, flags, NULL, out, msg, msglen);
}

int probe_fd_progress(int fd, unsigned flags, const struct progress *progress, struct audio_info *out, char *msg,
		      size_t msglen)
{
	struct decoder *dec = NULL;
	const struct decoder_info *di;
	struct measure m = { 0 };
	struct stat st;
	int dfd, err, decode_err;

	memset(out, 0, sizeof(*out));
	/* The decoder reads through its own descriptor of the same open file,
	 * from the start; the headers are read here with pread. */
	dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0) {
		err = -errno;
		snprintf(msg, msglen, _("cannot read it (%s)"), strerror(-err));
		return err;
	}
	/* Pipes cannot seek; decoder_open_fd refuses them anyway. */
	(void)lseek(dfd, 0, SEEK_SET);
	err = decoder_open_fd(dfd, &dec, msg, msglen);
	if (err < 0)
		return err;
	di = decoder_info(dec);
	if (di->channels < 1 || di->channels > MAX_CHANNELS) {
		snprintf(msg, msglen,
			 _("the file has %d audio channels and loa plays 1 to %d; "
			 "convert it to mono or stereo and import it again"),
			 di->channels, MAX_CHANNELS);
		err = -EINVAL;
		goto out;
	}
	if (di->sample_rate < MIN_RATE || di->sample_rate > MAX_RATE) {
		snprintf(msg, msglen,
			 _("its sample rate is %d Hz and loa plays %d to %d Hz; "
			 "convert it (48000 Hz is a good choice) and import it again"),
			 di->sample_rate, MIN_RATE, MAX_RATE);
		err = -EINVAL;
		goto out;
	}

	/* Loudness from libebur128; the true peak from audio/truepeak.c,
	 * the same measurement without oversampling what cannot count. */
	m.r128 = ebur128_init((unsigned)di->channels, (unsigned long)di->sample_rate, EBUR128_MODE_I);
	m.tp = truepeak_new(di->sample_rate, di->channels);
	/* The file's own headers, for what libsndfile does not say; its
	 * size, for the progress. */
	if (fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(msg, msglen, _("cannot read it (%s)"), strerror(-err));
		goto out;
	}
	decode_err = decode_all(dec, di->channels, &m, fd, st.st_size, progress);
	progress_report(progress, PROGRESS_ANALYSING, 1.0);
	err = judge(fd, st.st_size, di, &m, decode_err, msg, msglen);
	if (err < 0)
		goto out;

	out->frames = m.frames;
	out->sample_rate = di->sample_rate;
	out->channels = di->channels;
	out->duration_ms = m.frames * 1000 / di->sample_rate;
	snprintf(out->format, sizeof(out->format), "%s", di->format_name);
	out->peak_dbfs = to_db(m.peak);
	loudness(&m, out);

	if (out->peak_dbfs < SILENCE_DBFS && !(flags & PROBE_ALLOW_SILENCE)) {
		char pk[32];

		/* Codecs leave denormal dust in silence; -674 dBFS helps nobody. */
		if (out->peak_dbfs < -120)
			snprintf(pk, sizeof(pk), "%s", isinf(out->peak_dbfs) ? _("peak -inf dBFS") : _("peak below -120 dBFS"));
		else
			snprintf(pk, sizeof(pk), _("peak %.1f dBFS"), out->peak_dbfs);
		snprintf(msg, msglen,
			 _("the recording is silent (%s); check the recording, "
			 "or import it anyway with --force"),
			 pk);
		err = -EINVAL;
	}
out:
	if (m.r128)
		ebur128_destroy(&m.r128);
	truepeak_free(m.tp);
	decoder_close(dec);
	return err;
}
