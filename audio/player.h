/* One element on air: a decoder feeding an output, pumped from the
 * daemon's poll() loop. Opening does the slow work (file, device, first
 * block decoded) ahead of time, so player_start() at the scheduled instant
 * only hands frames to ALSA. */
#ifndef LOA_PLAYER_H
#define LOA_PLAYER_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct player;

/* A ceiling_dbtp that turns the limiter off: gain only. 0 dBTP (full
 * scale) is a ceiling like any other, as audio.true_peak_dbtp allows it. */
#define PLAYER_NO_LIMITER 1.0

/* How an element is to sound. */
struct player_opts {
	double gain_db;      /* applied before the limiter (loudness normalisation + station trim) */
	double ceiling_dbtp; /* the limiter keeps the true peak at or below this; above 0 disables it */
	int fade_ms;         /* length of the fade-out on player_fade_out() */
	bool makeup;         /* add back the loudness the limiter takes (see player_open) */
	/* The whole file's sample peak as measured at import, when known:
	 * makeup then need not decode the opening to learn that the limiter
	 * will not act on it. */
	bool peak_known;
	double peak_dbfs;
	/* The content's SHA-256 (hex), when known: what a cache of makeups
	 * keys by. NULL otherwise. */
	const char *sha256;
	/* The makeup a search found before at this gain and ceiling: opening
	 * then adds it without searching again. */
	bool makeup_known;
	double makeup_db;
	/* The instant (CLOCK_REALTIME ms) the first frame is to be heard at,
	 * 0 for as soon as player_start is called. With one, the device runs
	 * with silence from the open (player_preroll_pump) and the first frame
	 * is queued where the device plays it at that instant. */
	int64_t at_ms;
};

/* Pre-roll: opens PATH and DEVICE and decodes the first block. OPTS may be
 * NULL (unity gain, no limiter). With opts->makeup, the opening seconds are
 * first run through gain and limiter to learn how much loudness limiting
 * takes from this recording, and that much is added to the gain, so a
 * quiet recording with loud peaks still airs at its target. Returns 0, or
 * negative errno with a message for people in msg: -ENODEV or -EBUSY when
 * the device cannot be opened, other codes for the file. */
int player_open(const char *device, const char *path, const struct player_opts *opts,
		struct player **out, char *msg, size_t msglen);
/* True if OPTS asks for a make-up: a limiter (ceiling at or below 0 dBTP) and
 * opts->makeup. */
bool player_wants_makeup(const struct player_opts *opts);
/* The version of what player_find_makeup finds: the search and the
 * limiter it listens through. Import stores it with the make-up; raise it
 * whenever either changes what they find, so that make-ups stored by an
 * older loa are searched for again rather than trusted. */
#define PLAYER_MAKEUP_VERSION 2 /* 2: the limiter's gain path at block rate (#20) */
/* The make-up player_open would add for PATH with OPTS (gain, ceiling,
 * peak), found without a device: what import stores so that pre-roll need
 * not search. Sets *makeup_db (0 when OPTS wants none) and returns 0, or a
 * negative errno with a message for people in msg. */
int player_find_makeup(const char *path, const struct player_opts *opts, double *makeup_db, char *msg,
		       size_t msglen);
/* Starts a short fade-out (opts->fade_ms, half-cosine) from the first frame
 * not yet handed to the device, after which player_pump reports the element
 * finished: stop and preemption without a click. */
void player_fade_out(struct player *p);
/* The element is on air from now: hands it to the device unless
 * player_preroll_pump placed it already. Returns the CLOCK_REALTIME
 * instant (ms) its first frame is played at (on a device without a clock,
 * audio/output.h, the instant it was handed over), or negative errno. */
int64_t player_start(struct player *p);
/* Before player_start, with opts->at_ms: keeps the device running with
 * silence, observes when it plays what (audio/playout.h), and queues the
 * first frame where it is played at the instant, then more of the item as
 * the device takes it. Call after poll() on player_pollfds, and when
 * player_preroll_timeout passes. Returns 0 or negative errno. */
int player_preroll_pump(struct player *p, struct pollfd *fds, int n);
/* The descriptors player_preroll_pump waits on (none when it waits for
 * nothing), and the poll() timeout (ms) it wants, or -1. */
int player_preroll_pollfds(struct player *p, struct pollfd *fds, int max);
int player_preroll_timeout(const struct player *p);
int player_pollfds(struct player *p, struct pollfd *fds, int max);
/* Moves audio along after poll(). Returns 0 while playing, 1 once every
 * frame has been played, or negative errno (device lost, decode error). */
int player_pump(struct player *p, struct pollfd *fds, int n);
/* The gain in dB added by opts->makeup (0 without it). */
double player_makeup_db(const struct player *p);
/* The element's frames known to have left the device (written minus still
 * queued, less the silence ahead of it). */
int64_t player_frames_played(struct player *p);
int player_rate(const struct player *p);
int player_xruns(const struct player *p);
/* Stops at once, dropping what is queued. NULL is a no-op. */
void player_close(struct player *p);

#endif
