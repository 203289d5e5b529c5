/* The station engine: every decision the daemon makes (which occurrence is
 * next, what airs now, preemption, stop, missed broadcasts, clock trust,
 * ledger rows), with the clock and the audio sink injected. The daemon
 * binds it to real fds and ALSA; tests bind it to a virtual clock and a
 * sink that plays instantly, and run a year in seconds. */
#ifndef LOA_ENGINE_H
#define LOA_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audio/player.h"
#include "audio/live.h"
#include "config/config.h"

struct db;
struct json;
struct engine;

/* The audio sink. A handle is one element, opened ahead of its instant. */
struct sink_ops {
	/* Pre-roll PATH. Returns a handle, or NULL with *err (negative errno) and msg set. */
	void *(*open)(void *ctx, const char *path, const struct player_opts *opts, int *err,
		      char *msg, size_t msglen);
	/* Hands the first frames over. Returns the instant (ms) or negative errno. */
	int64_t (*start)(void *ctx, void *h);
	int64_t (*frames)(void *ctx, void *h); /* frames played so far */
	int (*rate)(void *ctx, void *h);
	int (*xruns)(void *ctx, void *h);
	void (*fade_out)(void *ctx, void *h);  /* engine_ended() follows when the fade is done */
	void (*close)(void *ctx, void *h);
	/* Relays. Pre-roll: opens the device for a relay of the N INPUTS
	 * (URLs, or capture devices), connected to none yet; start() then
	 * airs silence until an input delivers, and the handle ends by itself
	 * at opts->end_at (engine_ended(1)). NULL with *err and msg set as
	 * for open. */
	void *(*relay_open)(void *ctx, const char *const *inputs, size_t n, const struct relay_opts *opts,
			    int *err, char *msg, size_t msglen);
	/* Connects input I in the background. With nothing on air, it airs
	 * as soon as it delivers; with an input on air, it takes over only
	 * once it delivers sound, and fails if it brings only silence or
	 * nothing: the input on air is never given up for a worse one. */
	void (*relay_tune)(void *ctx, void *h, size_t i);
	void (*relay_status)(void *ctx, void *h, struct relay_status *st);
};

struct engine_env {
	void *ctx;
	int64_t (*now)(void *ctx);            /* CLOCK_REALTIME, ms */
	/* CLOCK_MONOTONIC, ms: how long an item aired, which a step of the
	 * wall clock while it is on air must not change. */
	int64_t (*mono)(void *ctx);
	bool (*clock_trusted)(void *ctx);     /* the kernel says the clock is synchronised */
	const struct sink_ops *sink;
	/* Switches the amplifiers (audio.power_on / power_off) without
	 * waiting for them; NULL when there is nothing to switch. */
	void (*power)(void *ctx, bool on);
};

/* Takes ownership of CFG, to which it adds the database's slots; uses DB
 * and ENV (which must outlive it). */
struct engine *engine_new(struct config *cfg, struct db *db, const struct engine_env *env);
/* Records what is on air as partial, makes a last try at the ledger rows
 * still waiting for the disk, and logs each it could not write (due time,
 * slot, bulletin, outcome). Returns how many; 0 is all written. */
size_t engine_shutdown(struct engine *e);
/* engine_shutdown(), then frees everything. NULL is a no-op. */
void engine_free(struct engine *e);
/* Does everything that is due now: reconciling, starting occurrences,
 * pre-rolling and starting elements, alert repetitions, checkpoints. Call it
 * after every event and whenever engine_wake_at() is reached. Nothing while
 * the database's page check holds writes (db_writable). */
void engine_run(struct engine *e);
/* The next instant engine_run() must be called at (ms), or 0 when only an
 * event (a command, a reload, the element ending) can make work. */
int64_t engine_wake_at(const struct engine *e);
/* The sink handle opened ahead of its instant, not yet on air, or NULL:
 * the daemon keeps its device running until then (player_preroll_pump). */
void *engine_prerolled(const struct engine *e);
/* The sink handle that is on air and must be pumped, or NULL. */
void *engine_on_air(const struct engine *e);
/* True if that handle is a relay's (sink_ops.relay_open). */
bool engine_on_air_is_relay(const struct engine *e);
/* The element on air ended: RESULT 1 when every frame was played, else a
 * negative errno (device lost, decode error). */
void engine_ended(struct engine *e, int result);
/* The wall clock was stepped: re-plan (late within grace, else missed;
 * nothing the ledger holds airs again). */
void engine_clock_stepped(struct engine *e);
/* The database takes writes now (the page check of the start passed):
 * what waits is written at once, and the engine, idle until then, runs. */
void engine_ledger_writable(struct engine *e);
/* The bulletin library or the programme changed (import, edit, retire,
 * `loa slot`): the database's slots are read again, queued items of
 * bulletins retired since are recorded as skipped and do not air;
 * occurrences not yet taken read the library as it is now. */
void engine_library_changed(struct engine *e);
/* A new, validated config (ownership taken); the database's slots are
 * added to its own. */
void engine_set_config(struct engine *e, struct config *cfg);
const struct config *engine_config(const struct engine *e);

/* Operator commands. Each returns 0, or a negative errno with a message
 * for people in msg (-ENOENT no such bulletin, -EPERM outside limits, -EAGAIN
 * nothing to stop, ...). ACTOR is who gave it (audit_actor_of_uid of the
 * control socket's peer): a command carried out is recorded as theirs in
 * the audit trail, and names them in the `by` of the ledger rows it makes
 * (a play, each airing of an alert) or ends (a stop). One refused changes
 * nothing and is not recorded. */
int engine_play(struct engine *e, int64_t bulletin_id, bool force, const char *actor, char *msg, size_t msglen);
int engine_alert(struct engine *e, int64_t bulletin_id, int repeat, int every_minutes, const char *actor,
		 char *msg, size_t msglen);
int engine_alert_cancel(struct engine *e, const char *actor, char *msg, size_t msglen);
int engine_stop(struct engine *e, const char *actor, char *msg, size_t msglen);

/* Writes the state as a JSON object (for `loa status`). */
void engine_status(const struct engine *e, struct json *j);
/* One line for systemd's STATUS=. */
void engine_status_line(const struct engine *e, char *buf, size_t len);

#endif
