/* Import-time analysis: decode a whole file to learn the truth about it
 * (duration, format, peak, loudness) and to refuse what cannot air. */
#ifndef LOA_PROBE_H
#define LOA_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct audio_info {
	int64_t frames;          /* frames actually decoded */
	int64_t duration_ms;     /* frames * 1000 / sample_rate */
	int sample_rate;
	int channels;
	char format[16];         /* "WAV", "MP3", "FLAC", "OGG", ... */
	double peak_dbfs;        /* sample peak; -INFINITY for digital silence */
	double loudness_lufs;    /* EBU R128 integrated; -INFINITY when unmeasurable */
	double true_peak_dbtp;   /* EBU R128 true peak */
};

enum probe_flags {
	PROBE_ALLOW_SILENCE = 1 << 0, /* `import --force` */
};

/* Decodes PATH completely. Returns 0 and fills *out; or -EINVAL (not
 * playable audio) / other negative errno, with a message for people in msg
 * naming the problem and what to do (not the file name: callers add it). */
int probe_file(const char *path, unsigned flags, struct audio_info *out, char *msg, size_t msglen);
/* The same for the open file FD (left open, its offset moved): what
 * `loa import` checked is then exactly what it decodes. */
int probe_fd(int fd, unsigned flags, struct audio_info *out, char *msg, size_t msglen);
/* probe_fd, telling PROGRESS (when not NULL) how much of the file is
 * decoded, as PROGRESS_ANALYSING. */
struct progress;
int probe_fd_progress(int fd, unsigned flags, const struct progress *progress, struct audio_info *out, char *msg,
		      size_t msglen);

#endif
