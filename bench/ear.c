/* ear: a JACK client that hears what loa plays, for `make bench` (#20).
 * Its input ports ear:in_1 and ear:in_2 take the place of the speakers
 * (bench/heard.sh points an ALSA jack device at them). In the server's
 * cycle it finds the first sample that is not silence after at least
 * GAP_S of silence, and takes that sample's time on the server's clock:
 * the frame time at which the cycle starts, plus the sample's place in
 * it (jack_last_frame_time, jack_frames_to_time), which is when the
 * sample enters the server's cycle whatever moment the cycle's code runs.
 * JACK's clock is CLOCK_MONOTONIC in µs (jack_get_time); each onset is
 * printed as CLOCK_REALTIME µs, the clock of a slot's instant, through the
 * offset between the two read side by side.
 *
 *   ear LOG     appends one line "REALTIME_US" per onset to LOG; runs
 *               until SIGTERM or SIGINT. */
#include <jack/jack.h>
#include <jack/ringbuffer.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define GAP_S 0.5

static jack_client_t *client;
static jack_port_t *in[2];
static jack_ringbuffer_t *onsets; /* jack_time_t, from the process callback */
static uint64_t silent_run;      /* frames of silence up to the cycle */
static uint64_t gap_frames;
static volatile sig_atomic_t quit;

static int process(jack_nframes_t n, void *arg)
{
	const float *a = jack_port_get_buffer(in[0], n), *b = jack_port_get_buffer(in[1], n);

	(void)arg;
	for (jack_nframes_t i = 0; i < n; i++) {
		if (a[i] == 0.0f && b[i] == 0.0f) {
			silent_run++;
			continue;
		}
		if (silent_run >= gap_frames) {
			jack_time_t t = jack_frames_to_time(client, jack_last_frame_time(client) + i);

			if (jack_ringbuffer_write_space(onsets) >= sizeof(t))
				jack_ringbuffer_write(onsets, (const char *)&t, sizeof(t));
		}
		silent_run = 0;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

/* CLOCK_REALTIME − JACK's clock (µs): the narrowest of a few readings. */
static int64_t offset_us(void)
{
	int64_t best = 0, width = INT64_MAX;

	for (int k = 0; k < 16; k++) {
		struct timespec r1, r2;
		jack_time_t j;
		int64_t a, c;

		clock_gettime(CLOCK_REALTIME, &r1);
		j = jack_get_time();
		clock_gettime(CLOCK_REALTIME, &r2);
		a = (int64_t)r1.tv_sec * 1000000 + r1.tv_nsec / 1000;
		c = (int64_t)r2.tv_sec * 1000000 + r2.tv_nsec / 1000;
		if (c - a < width) {
			width = c - a;
			best = (a + c) / 2 - (int64_t)j;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	FILE *log;

	if (argc != 2) {
		fprintf(stderr, "usage: ear LOG\n");
		return 2;
	}
	log = fopen(argv[1], "a");
	client = jack_client_open("ear", JackNoStartServer, NULL);
	if (!log || !client) {
		fprintf(stderr, "ear: cannot open %s or the JACK server\n", argv[1]);
		return 1;
	}
	gap_frames = (uint64_t)(GAP_S * jack_get_sample_rate(client));
	silent_run = gap_frames;
	onsets = jack_ringbuffer_create(4096);
	in[0] = jack_port_register(client, "in_1", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	in[1] = jack_port_register(client, "in_2", JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
	if (!in[0] || !in[1] || jack_set_process_callback(client, process, NULL) || jack_activate(client)) {
		fprintf(stderr, "ear: cannot register its ports\n");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!quit) {
		jack_time_t t;

		while (jack_ringbuffer_read_space(onsets) >= sizeof(t)) {
			jack_ringbuffer_read(onsets, (char *)&t, sizeof(t));
			fprintf(log, "%lld\n", (long long)((int64_t)t + offset_us()));
			fflush(log);
		}
		usleep(20000);
	}
	jack_client_close(client);
	fclose(log);
	return 0;
}
