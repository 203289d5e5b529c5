/* One live input of a relay: an internet stream (HLS, Icecast/Shoutcast
 * MP3 or AAC, read by FFmpeg's libavformat and libavcodec) or an ALSA
 * capture device, decoded and resampled (libswresample) to interleaved
 * float frames at the station's rate, and handed to the daemon's poll()
 * loop through a pipe.
 *
 * Why a thread: opening a stream blocks (the name lookup, getaddrinfo,
 * has no non-blocking form in FFmpeg; HLS fetches its playlist and
 * segments with blocking HTTP requests, and its demuxer does not honour
 * AVIO_FLAG_NONBLOCK), and a read blocks until the network delivers.
 * None of that may hold up the loop that feeds ALSA and writes the
 * ledger. So each input runs in a small thread of its own that does only
 * that blocking work and writes PCM into a pipe; the loop reads the pipe
 * without blocking, as the device asks for frames, so no lock is shared
 * and the pipe is the buffer (a second or two of audio). The thread is
 * told to stop through FFmpeg's interrupt callback and by the pipe
 * closing; it frees itself, so closing never waits on the network. */
#ifndef LOA_STREAM_H
#define LOA_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct stream;

/* Starts reading INPUT (a URL, or with CAPTURE an ALSA capture device)
 * as RATE Hz, CHANNELS interleaved float frames. Returns 0, or a negative
 * errno when the thread or the pipe cannot be made. */
int stream_open(const char *input, bool capture, int rate, int channels, struct stream **out);
/* Reads up to N frames of what has arrived, without waiting. Returns the
 * frames read (0 when none has arrived yet), or -EPIPE once the input has
 * ended and everything it sent was read: stream_error says why. */
int64_t stream_read(struct stream *s, float *buf, int64_t n);
/* Without reading: 1 when frames wait, 0 when none has arrived yet, or
 * -EPIPE once the input has ended and everything it sent was read. */
int stream_poll(struct stream *s);
/* Frames waiting to be read. */
int64_t stream_pending(struct stream *s);
/* True once the input has sent its first frame. */
bool stream_delivered(struct stream *s);
/* Why the input ended, for people: "Connection refused", "end of
 * stream", ...; "" while it has not. */
const char *stream_error(struct stream *s);
/* Stops the input without waiting for it and frees S. NULL is a no-op. */
void stream_close(struct stream *s);

#endif
