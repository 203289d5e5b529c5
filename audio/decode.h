/* Decoding any file libsndfile reads (WAV, FLAC, Ogg Vorbis/Opus, MP3) into
 * interleaved float frames. libsndfile's MP3 decoder writes notes to stderr;
 * those are kept out of the operator's terminal here. */
#ifndef LOA_DECODE_H
#define LOA_DECODE_H

#include <stddef.h>
#include <stdint.h>

struct decoder;

struct decoder_info {
	int64_t header_frames; /* what the header claims; only a full decode tells the truth */
	int sample_rate;
	int channels;
	int format;            /* SF_FORMAT_* major|subtype */
	const char *format_name; /* "WAV", "MP3", "FLAC", "OGG", ... static */
};

/* Opens PATH for decoding, without following a symbolic link or waiting
 * on a FIFO. Returns the descriptor, or negative errno with a message for
 * people in msg. */
int decoder_open_file(const char *path, char *msg, size_t msglen);
/* Opens PATH (as decoder_open_file). Returns 0, or a negative errno with a
 * sentence for people in msg (the problem and the way out, without the
 * file name). */
int decoder_open(const char *path, struct decoder **out, char *msg, size_t msglen);
/* The same for an open file FD, which the decoder takes over (closed on
 * failure too); anything but a regular file is refused. */
int decoder_open_fd(int fd, struct decoder **out, char *msg, size_t msglen);
const struct decoder_info *decoder_info(const struct decoder *d);
/* Reads up to n frames into buf (n * channels floats). Returns frames read,
 * 0 at end, or negative errno on a decode error. */
int64_t decoder_read(struct decoder *d, float *buf, int64_t n);
/* Seeks to frame. Returns 0 or negative errno. */
int decoder_seek(struct decoder *d, int64_t frame);
void decoder_close(struct decoder *d);

#endif
