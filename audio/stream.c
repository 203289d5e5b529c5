/* See stream.h for why each input reads in a thread of its own. The
 * thread owns the FFmpeg (or ALSA capture) state and the pipe's write
 * end; the loop owns the read end. What they share (a stop flag, the
 * time of the last progress, the reason the input ended) sits in a small
 * reference-counted block, so either side may go first. */
#include "audio/stream.h"

#include <alsa/asoundlib.h>
#include <errno.h>
#include <fcntl.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/log.h>
#include <libswresample/swresample.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/dynlib.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* An input that makes no progress for this long (the connection, the
 * first packet, any packet) is given up by its thread: the engine has
 * moved on long before (5 s without data), and the thread must not stay
 * blocked on a dead connection for ever. */
#define STREAM_STALL_MS 15000
/* The pipe holds this much: enough to ride out a slow segment fetch or a
 * busy network, little enough that the relay stays close to live. */
#define STREAM_PIPE_BYTES (1 << 20)
#define CAPTURE_PERIOD_FRAMES 1024

/* FFmpeg is loaded by the first relay that reads a stream, not by every
 * loa process at its start (util/dynlib.h): the sonames are the ABI the
 * headers describe. Every call goes through this table. */
enum { FF_AVUTIL, FF_SWRESAMPLE, FF_AVCODEC, FF_AVFORMAT, FF_LIBS };
#define FF_STR_(x) #x
#define FF_STR(x) FF_STR_(x)
static const char *const ff_soname[FF_LIBS] = {
	[FF_AVUTIL] = "libavutil.so." FF_STR(LIBAVUTIL_VERSION_MAJOR),
	[FF_SWRESAMPLE] = "libswresample.so." FF_STR(LIBSWRESAMPLE_VERSION_MAJOR),
	[FF_AVCODEC] = "libavcodec.so." FF_STR(LIBAVCODEC_VERSION_MAJOR),
	[FF_AVFORMAT] = "libavformat.so." FF_STR(LIBAVFORMAT_VERSION_MAJOR),
};
#define FF_FUNCS(X) \
	X(FF_AVUTIL, av_dict_set) \
	X(FF_AVUTIL, av_dict_free) \
	X(FF_AVUTIL, av_frame_alloc) \
	X(FF_AVUTIL, av_frame_free) \
	X(FF_AVUTIL, av_frame_unref) \
	X(FF_AVUTIL, av_channel_layout_default) \
	X(FF_AVUTIL, av_channel_layout_compare) \
	X(FF_AVUTIL, av_channel_layout_uninit) \
	X(FF_AVUTIL, av_channel_layout_copy) \
	X(FF_AVUTIL, av_strerror) \
	X(FF_AVUTIL, av_log_set_level) \
	X(FF_SWRESAMPLE, swr_free) \
	X(FF_SWRESAMPLE, swr_alloc_set_opts2) \
	X(FF_SWRESAMPLE, swr_init) \
	X(FF_SWRESAMPLE, swr_get_out_samples) \
	X(FF_SWRESAMPLE, swr_convert) \
	X(FF_AVCODEC, av_packet_alloc) \
	X(FF_AVCODEC, av_packet_free) \
	X(FF_AVCODEC, av_packet_unref) \
	X(FF_AVCODEC, avcodec_alloc_context3) \
	X(FF_AVCODEC, avcodec_parameters_to_context) \
	X(FF_AVCODEC, avcodec_open2) \
	X(FF_AVCODEC, avcodec_send_packet) \
	X(FF_AVCODEC, avcodec_receive_frame) \
	X(FF_AVCODEC, avcodec_free_context) \
	X(FF_AVFORMAT, avformat_alloc_context) \
	X(FF_AVFORMAT, avformat_open_input) \
	X(FF_AVFORMAT, avformat_find_stream_info) \
	X(FF_AVFORMAT, av_find_best_stream) \
	X(FF_AVFORMAT, av_read_frame) \
	X(FF_AVFORMAT, avformat_close_input) \
	X(FF_AVFORMAT, avformat_network_init)

static struct {
#define FF_FIELD(lib, fn) __typeof__(&fn) fn;
	FF_FUNCS(FF_FIELD)
#undef FF_FIELD
} ff;

static char ff_error[256]; /* why FFmpeg could not be loaded; "" once it is */

/* Once per process, from the first stream's thread: loading FFmpeg maps
 * hundreds of libraries, blocking work that keeps off the daemon's loop.
 * FFmpeg's own messages would reach the journal unasked, from its
 * threads; what matters of them comes back as the input's error. */
static void ff_load(void)
{
	for (int lib = 0; lib < FF_LIBS; lib++) {
		struct dynlib_sym syms[64];
		size_t n = 0;

#define FF_SYM(l, fn) \
	if (l == lib) \
		syms[n++] = (struct dynlib_sym){ #fn, &ff.fn };
		FF_FUNCS(FF_SYM)
#undef FF_SYM
		if (dynlib_load(ff_soname[lib], syms, n, ff_error, sizeof(ff_error)) < 0)
			return;
	}
	ff.av_log_set_level(AV_LOG_QUIET);
	/* TLS and the network once, here, rather than lazily by whichever
	 * input opens first. */
	ff.avformat_network_init();
}

struct shared {
	atomic_int refs;
	atomic_bool stop;
	atomic_llong progress_ms; /* monotonic: the last time the input moved */
	pthread_mutex_t lock;
	char error[256];          /* why it ended; written before the pipe closes */
	char *input;
	bool capture;
	int rate, channels;
	int wfd;
};

struct stream {
	struct shared *sh;
	int rfd;
	int frame_bytes;
	bool ended, delivered;
	char error[256];
	unsigned char frag[64]; /* the start of a frame a read split */
	size_t n_frag;
};

static void shared_unref(struct shared *sh)
{
	if (atomic_fetch_sub(&sh->refs, 1) != 1)
		return;
	pthread_mutex_destroy(&sh->lock);
	free(sh->input);
	free(sh);
}

static void set_error(struct shared *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct shared *sh, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&sh->lock);
	if (!sh->error[0]) {
		va_start(ap, fmt);
		vsnprintf(sh->error, sizeof(sh->error), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&sh->lock);
}

static void progress(struct shared *sh)
{
	atomic_store(&sh->progress_ms, (long long)time_mono_ms());
}

/* Writes all of BUF; false when the loop has closed its end (or stops). */
static bool put(struct shared *sh, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(sh->wfd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0 || atomic_load(&sh->stop))
			return false;
		p += w;
		n -= (size_t)w;
	}
	/* Blocked on a full pipe is not a stalled input. */
	progress(sh);
	return true;
}

/* FFmpeg asks this while it waits for the network. */
static int interrupted(void *opaque)
{
	struct shared *sh = opaque;

	return atomic_load(&sh->stop) || time_mono_ms() - atomic_load(&sh->progress_ms) > STREAM_STALL_MS;
}

static void av_error(struct shared *sh, int err, const char *what)
{
	char buf[AV_ERROR_MAX_STRING_SIZE];

	if (atomic_load(&sh->stop))
		return;
	if (err == AVERROR_EXIT)
		set_error(sh, "%s: nothing for %d s", what, STREAM_STALL_MS / 1000);
	else if (err == AVERROR_EOF)
		set_error(sh, "the stream ended");
	else if (ff.av_strerror(err, buf, sizeof(buf)) == 0)
		set_error(sh, "%s: %s", what, buf);
	else
		set_error(sh, "%s: error %d", what, err);
}

/* Decodes what ctx holds into the pipe, resampling as each frame says. */
static bool drain_decoder(struct shared *sh, AVCodecContext *dec, AVFrame *fr, SwrContext **swr,
			  AVChannelLayout *in_layout, int *in_rate, int *in_fmt, uint8_t **out, int *out_cap)
{
	AVChannelLayout ol;
	int r;

	ff.av_channel_layout_default(&ol, sh->channels);
	while ((r = ff.avcodec_receive_frame(dec, fr)) == 0) {
		int n;

		if (!*swr || fr->sample_rate != *in_rate || fr->format != *in_fmt ||
		    ff.av_channel_layout_compare(&fr->ch_layout, in_layout) != 0) {
			/* An HLS discontinuity may change any of them. */
			ff.swr_free(swr);
			if (ff.swr_alloc_set_opts2(swr, &ol, AV_SAMPLE_FMT_FLT, sh->rate, &fr->ch_layout,
						(enum AVSampleFormat)fr->format, fr->sample_rate, 0, NULL) < 0 ||
			    ff.swr_init(*swr) < 0) {
				set_error(sh, "cannot convert %d Hz, %d channel(s) to %d Hz", fr->sample_rate,
					  fr->ch_layout.nb_channels, sh->rate);
				ff.av_frame_unref(fr);
				return false;
			}
			ff.av_channel_layout_uninit(in_layout);
			ff.av_channel_layout_copy(in_layout, &fr->ch_layout);
			*in_rate = fr->sample_rate;
			*in_fmt = fr->format;
		}
		n = ff.swr_get_out_samples(*swr, fr->nb_samples);
		if (n > *out_cap) {
			*out_cap = n;
			*out = xrealloc(*out, (size_t)n * (size_t)sh->channels * sizeof(float));
		}
		n = ff.swr_convert(*swr, out, *out_cap, (const uint8_t **)fr->extended_data, fr->nb_samples);
		ff.av_frame_unref(fr);
		if (n > 0 && !put(sh, *out, (size_t)n * (size_t)sh->channels * sizeof(float)))
			return false;
	}
	return r == AVERROR(EAGAIN) || r == AVERROR_EOF;
}

static void read_url(struct shared *sh)
{
	AVFormatContext *fmt = ff.avformat_alloc_context();
	AVDictionary *opts = NULL;
	AVCodecContext *dec = NULL;
	const AVCodec *codec = NULL;
	SwrContext *swr = NULL;
	AVPacket *pkt = ff.av_packet_alloc();
	AVFrame *fr = ff.av_frame_alloc();
	AVChannelLayout in_layout = { 0 };
	uint8_t *out = NULL;
	int out_cap = 0, in_rate = 0, in_fmt = -1, idx, r;

	fmt->interrupt_callback = (AVIOInterruptCB){ interrupted, sh };
	/* Streams over HTTP(S) only, HLS keys and segments included: never a
	 * file or a program a playlist might name. */
	ff.av_dict_set(&opts, "protocol_whitelist", "http,https,tcp,tls,crypto", 0);
	ff.av_dict_set(&opts, "user_agent", "loa (commune loudspeaker station)", 0);
	/* Enough to know the codec: a relay starts in a second, not five. */
	ff.av_dict_set(&opts, "analyzeduration", "1000000", 0);
	ff.av_dict_set(&opts, "probesize", "65536", 0);
	r = ff.avformat_open_input(&fmt, sh->input, NULL, &opts);
	ff.av_dict_free(&opts);
	if (r < 0) {
		av_error(sh, r, "cannot connect");
		goto out;
	}
	progress(sh);
	if ((r = ff.avformat_find_stream_info(fmt, NULL)) < 0) {
		av_error(sh, r, "cannot read the stream");
		goto out;
	}
	idx = ff.av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
	if (idx < 0 || !codec) {
		set_error(sh, "the stream has no audio loa can decode");
		goto out;
	}
	for (unsigned i = 0; i < fmt->nb_streams; i++)
		fmt->streams[i]->discard = (int)i == idx ? AVDISCARD_DEFAULT : AVDISCARD_ALL;
	dec = ff.avcodec_alloc_context3(codec);
	if (!dec || ff.avcodec_parameters_to_context(dec, fmt->streams[idx]->codecpar) < 0 ||
	    (r = ff.avcodec_open2(dec, codec, NULL)) < 0) {
		set_error(sh, "cannot decode its %s audio", codec->name);
		goto out;
	}
	while (!atomic_load(&sh->stop)) {
		r = ff.av_read_frame(fmt, pkt);
		if (r == AVERROR(EAGAIN))
			continue;
		if (r < 0) {
			av_error(sh, r, "reading the stream");
			break;
		}
		progress(sh);
		if (pkt->stream_index == idx) {
			/* A damaged packet is skipped, as a player would. */
			if (ff.avcodec_send_packet(dec, pkt) == 0 &&
			    !drain_decoder(sh, dec, fr, &swr, &in_layout, &in_rate, &in_fmt, &out, &out_cap)) {
				ff.av_packet_unref(pkt);
				break;
			}
		}
		ff.av_packet_unref(pkt);
	}
out:
	free(out);
	ff.av_channel_layout_uninit(&in_layout);
	ff.swr_free(&swr);
	ff.av_frame_free(&fr);
	ff.av_packet_free(&pkt);
	ff.avcodec_free_context(&dec);
	ff.avformat_close_input(&fmt);
}

static void alsa_quiet(const char *file, int line, const char *func, int err, const char *fmt, ...)
{
	(void)file;
	(void)line;
	(void)func;
	(void)err;
	(void)fmt;
}

/* A receiver on the line-in: S16 from the device, float into the pipe. */
static void read_capture(struct shared *sh)
{
	snd_pcm_t *pcm = NULL;
	int16_t *in = xmalloc(sizeof(*in) * CAPTURE_PERIOD_FRAMES * (size_t)sh->channels);
	float *out = xmalloc(sizeof(*out) * CAPTURE_PERIOD_FRAMES * (size_t)sh->channels);
	int r;

	snd_lib_error_set_handler(alsa_quiet);
	r = snd_pcm_open(&pcm, sh->input, SND_PCM_STREAM_CAPTURE, 0);
	if (r < 0) {
		set_error(sh, "cannot open the capture device: %s", snd_strerror(r));
		goto out;
	}
	r = snd_pcm_set_params(pcm, SND_PCM_FORMAT_S16, SND_PCM_ACCESS_RW_INTERLEAVED, (unsigned)sh->channels,
			       (unsigned)sh->rate, 1, 200000);
	if (r < 0) {
		set_error(sh, "the capture device does not take %d Hz, %d channels: %s (try plughw:)", sh->rate,
			  sh->channels, snd_strerror(r));
		goto out;
	}
	/* A capture starts at its first read; the wait below comes first. */
	snd_pcm_start(pcm);
	progress(sh);
	while (!atomic_load(&sh->stop)) {
		snd_pcm_sframes_t n;

		/* A second at most, so that a stop is seen. */
		if (snd_pcm_wait(pcm, 1000) == 0) {
			if (interrupted(sh))
				break;
			continue;
		}
		n = snd_pcm_readi(pcm, in, CAPTURE_PERIOD_FRAMES);
		if (n == -EAGAIN)
			continue;
		if (n < 0) {
			/* An overrun (the pipe was full: the relay has not
			 * started, or fell behind) loses what did not fit; a
			 * live source goes on from now. */
			r = snd_pcm_recover(pcm, (int)n, 1);
			if (r < 0) {
				set_error(sh, "the capture device failed: %s", snd_strerror(r));
				break;
			}
			snd_pcm_start(pcm);
			continue;
		}
		for (snd_pcm_sframes_t i = 0; i < n * sh->channels; i++)
			out[i] = (float)in[i] / 32768.0f;
		if (!put(sh, out, (size_t)n * (size_t)sh->channels * sizeof(float)))
			break;
	}
	if (!atomic_load(&sh->stop) && interrupted(sh))
		set_error(sh, "the capture device sent nothing for %d s", STREAM_STALL_MS / 1000);
out:
	if (pcm)
		snd_pcm_close(pcm);
	free(in);
	free(out);
}

static void *run(void *arg)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct shared *sh = arg;

	if (sh->capture) {
		read_capture(sh);
	} else {
		pthread_once(&once, ff_load);
		if (ff_error[0])
			set_error(sh, "%s; a relay from the internet needs FFmpeg (apt install libavformat%d)",
				  ff_error, LIBAVFORMAT_VERSION_MAJOR);
		else
			read_url(sh);
	}
	if (!atomic_load(&sh->stop))
		set_error(sh, "the stream ended");
	/* The loop sees the end as the pipe's end: after the error. */
	close(sh->wfd);
	shared_unref(sh);
	return NULL;
}

int stream_open(const char *input, bool capture, int rate, int channels, struct stream **out)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	struct shared *sh = xcalloc(1, sizeof(*sh));
	sigset_t all, old;
	pthread_t t;
	int fds[2], r;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		free(s);
		free(sh);
		return r;
	}
	/* The loop never waits on it; the thread does, on a full pipe. */
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	fcntl(fds[1], F_SETPIPE_SZ, STREAM_PIPE_BYTES);
	atomic_init(&sh->refs, 2);
	atomic_init(&sh->stop, false);
	atomic_init(&sh->progress_ms, (long long)time_mono_ms());
	pthread_mutex_init(&sh->lock, NULL);
	sh->input = xstrdup(input);
	sh->capture = capture;
	sh->rate = rate;
	sh->channels = channels;
	sh->wfd = fds[1];
	s->sh = sh;
	s->rfd = fds[0];
	s->frame_bytes = (int)sizeof(float) * channels;
	/* No signal for the thread: the daemon takes them through its
	 * signalfd, and a write to a pipe the loop closed is EPIPE, not
	 * SIGPIPE. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = pthread_create(&t, NULL, run, sh);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r != 0) {
		close(fds[0]);
		close(fds[1]);
		atomic_store(&sh->refs, 1);
		shared_unref(sh);
		free(s);
		return -r;
	}
	pthread_detach(t);
	*out = s;
	return 0;
}

/* The input has ended: why, as the thread left it. */
static void ended(struct stream *s)
{
	pthread_mutex_lock(&s->sh->lock);
	memcpy(s->error, s->sh->error, sizeof(s->error));
	pthread_mutex_unlock(&s->sh->lock);
	if (!s->error[0])
		snprintf(s->error, sizeof(s->error), "the stream ended");
	s->ended = true;
}

int stream_poll(struct stream *s)
{
	struct pollfd p = { .fd = s->rfd, .events = POLLIN };

	if (s->ended)
		return -EPIPE;
	if (stream_pending(s) > 0)
		return 1;
	/* Empty, and the thread has closed its end. */
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) && stream_pending(s) == 0) {
		ended(s);
		return -EPIPE;
	}
	return 0;
}

int64_t stream_read(struct stream *s, float *buf, int64_t n)
{
	size_t want = (size_t)n * (size_t)s->frame_bytes, got = s->n_frag;
	unsigned char *p = (unsigned char *)buf;
	ssize_t r;

	if (s->ended)
		return -EPIPE;
	if (n <= 0)
		return 0;
	memcpy(p, s->frag, s->n_frag);
	s->n_frag = 0;
	while (got < want) {
		r = read(s->rfd, p + got, want - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			/* Everything it sent is read; now why it ended. */
			if (got < (size_t)s->frame_bytes) {
				ended(s);
				return -EPIPE;
			}
			break;
		}
		if (r < 0)
			break; /* EAGAIN: nothing more now */
		got += (size_t)r;
	}
	s->n_frag = got % (size_t)s->frame_bytes;
	memcpy(s->frag, p + got - s->n_frag, s->n_frag);
	if (got >= (size_t)s->frame_bytes)
		s->delivered = true;
	return (int64_t)(got / (size_t)s->frame_bytes);
}

int64_t stream_pending(struct stream *s)
{
	int n = 0;

	if (s->ended || ioctl(s->rfd, FIONREAD, &n) < 0)
		return 0;
	return (int64_t)(((size_t)n + s->n_frag) / (size_t)s->frame_bytes);
}

bool stream_delivered(struct stream *s)
{
	if (!s->delivered && stream_pending(s) > 0)
		s->delivered = true;
	return s->delivered;
}

const char *stream_error(struct stream *s)
{
	return s->ended ? s->error : "";
}

void stream_close(struct stream *s)
{
	if (!s)
		return;
	atomic_store(&s->sh->stop, true);
	/* A thread blocked writing sees EPIPE; one waiting on the network,
	 * the interrupt callback. It frees what is left. */
	close(s->rfd);
	shared_unref(s->sh);
	free(s);
}
