/* firstframe.so, an LD_PRELOAD shim for the punctuality benchmark: logs
 * the CLOCK_REALTIME instant (µs) at which a process first hands frames to
 * each ALSA PCM it opens, measured the same way for loa, aplay and
 * Liquidsoap, independent of what each program says about itself. Frames
 * that are all silence do not count: loa runs the device with silence from
 * its pre-roll (#20), and what matters is when the item is handed over.
 * Lines "PID PROGRAM US" go to $BENCH_FIRSTFRAME_LOG (appended). */
#include <alsa/asoundlib.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The PCMs that have had their first frames; a few are enough, a player
 * holds one at a time. */
#define SEEN_MAX 64
static const void *seen[SEEN_MAX];
static unsigned n_seen;

static void note(const void *pcm)
{
	const char *path = getenv("BENCH_FIRSTFRAME_LOG");
	struct timespec ts;
	char line[128];
	int fd, len;

	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned i = 0; i < n_seen && i < SEEN_MAX; i++)
		if (seen[i] == pcm)
			return;
	seen[n_seen++ % SEEN_MAX] = pcm;
	if (!path)
		return;
	len = snprintf(line, sizeof(line), "%ld %s %lld\n", (long)getpid(), program_invocation_short_name,
		       (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, line, (size_t)len) < 0)
			perror("firstframe");
		close(fd);
	}
}

/* True when N frames at BUF are all zero bytes (silence in any linear
 * format loa and aplay write). */
static int silent(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t n)
{
	ssize_t bytes = snd_pcm_frames_to_bytes(pcm, (snd_pcm_sframes_t)n);
	const unsigned char *b = buf;

	for (ssize_t i = 0; i < bytes; i++)
		if (b[i])
			return 0;
	return bytes > 0;
}

/* A closed PCM's address may come back for the next one. */
int snd_pcm_close(snd_pcm_t *pcm)
{
	int (*real)(snd_pcm_t *) = (int (*)(snd_pcm_t *))dlsym(RTLD_NEXT, "snd_pcm_close");

	for (unsigned i = 0; i < n_seen && i < SEEN_MAX; i++)
		if (seen[i] == pcm)
			seen[i] = NULL;
	return real(pcm);
}

snd_pcm_sframes_t snd_pcm_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t n)
{
	snd_pcm_sframes_t (*real)(snd_pcm_t *, const void *, snd_pcm_uframes_t) =
		(snd_pcm_sframes_t (*)(snd_pcm_t *, const void *, snd_pcm_uframes_t))dlsym(RTLD_NEXT,
											   "snd_pcm_writei");

	if (!silent(pcm, buf, n))
		note(pcm);
	return real(pcm, buf, n);
}

snd_pcm_sframes_t snd_pcm_writen(snd_pcm_t *pcm, void **bufs, snd_pcm_uframes_t n)
{
	snd_pcm_sframes_t (*real)(snd_pcm_t *, void **, snd_pcm_uframes_t) =
		(snd_pcm_sframes_t (*)(snd_pcm_t *, void **, snd_pcm_uframes_t))dlsym(RTLD_NEXT, "snd_pcm_writen");

	note(pcm);
	return real(pcm, bufs, n);
}

snd_pcm_sframes_t snd_pcm_mmap_writei(snd_pcm_t *pcm, const void *buf, snd_pcm_uframes_t n)
{
	snd_pcm_sframes_t (*real)(snd_pcm_t *, const void *, snd_pcm_uframes_t) =
		(snd_pcm_sframes_t (*)(snd_pcm_t *, const void *, snd_pcm_uframes_t))dlsym(RTLD_NEXT,
											   "snd_pcm_mmap_writei");

	if (!silent(pcm, buf, n))
		note(pcm);
	return real(pcm, buf, n);
}
