/* The daemon: binds the engine to the real world. One poll() loop over a
 * signalfd, a CLOCK_REALTIME timerfd armed (absolute, with
 * TFD_TIMER_CANCEL_ON_SET) for the engine's next instant, the control
 * socket and its clients, and the ALSA device while something is on air.
 * Between broadcasts nothing wakes it but those events.
 */
#include "scheduler/daemon.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/timex.h>
#include <unistd.h>

#include "audio/live.h"
#include "audio/makeup_cache.h"
#include "audio/player.h"
#include "audio/power.h"
#include "content/jingle.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "scheduler/control.h"
#include "scheduler/engine.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define MAX_PLAYER_FDS 8
#define MAX_POWER_FDS 2
/* Output that stops consuming frames for this long, while the process is
 * alive, is a stalled device: the item is ended and the device reopened. */
#define STALL_MS 5000
/* Idle, the timer is still armed this far ahead so clock steps are seen. */
#define FAR_AHEAD_MS (7LL * 86400000)

struct daemon {
	const char *config_path;
	struct db *db;
	struct engine *engine;
	struct control *control;
	struct power *power;       /* the amplifiers' power commands */
	int sigfd, timerfd;
	bool quit;
	/* The stall watchdog. */
	int64_t progress_frames;
	int64_t progress_mono;
	/* systemd: the watchdog's period (0 = none) and the last STATUS= sent. */
	int64_t watchdog_ms;
	int64_t watchdog_sent;
	char status[256];
	bool trimmed;              /* memory given back since the last element aired */
	bool damaged;              /* the page check of the start failed */
	struct makeup_cache *makeups; /* what the make-up search found, by content */
	/* Reloads while the page check of the start holds writes: their
	 * audit entries (actor, detail), written once it passes. */
	struct strlist held_actors, held_details;
};

/* Between broadcasts the daemon may sleep for hours: what start-up and the
 * last pre-roll left in SQLite's page cache and in malloc's free lists goes
 * back to the system (reread from the page cache of the kernel when next
 * needed), once per idle spell. */
static void trim_idle(struct daemon *d, struct db *db)
{
	if (d->trimmed)
		return;
	sqlite3_db_release_memory(db_sqlite(db));
	malloc_trim(0);
	d->trimmed = true;
}

/* Tells systemd what is on air or next, when that changes. */
static void report_status(struct daemon *d)
{
	char line[256];

	engine_status_line(d->engine, line, sizeof(line));
	if (strcmp(line, d->status) != 0) {
		memcpy(d->status, line, sizeof(line));
		notify_status("%s", line);
	}
}

/* Proves the loop is alive to systemd's watchdog; returns the poll
 * timeout it needs (ms), or -1 when there is no watchdog. */
static int watchdog_tick(struct daemon *d)
{
	int64_t mono = time_mono_ms();

	if (!d->watchdog_ms)
		return -1;
	if (mono - d->watchdog_sent >= d->watchdog_ms) {
		notify_watchdog();
		d->watchdog_sent = mono;
	}
	return (int)(d->watchdog_sent + d->watchdog_ms - mono);
}

/* ---- the real sink: audio/player for files, audio/live for relays ---- */

/* A sink handle: one of the two. */
struct air {
	struct player *p;
	struct live *l;
};

static struct air *air_of_player(struct player *p)
{
	struct air *a = xcalloc(1, sizeof(*a));

	a->p = p;
	return a;
}

/* A bulletin aired before at the same gain and ceiling gets the makeup
 * found then, without the search in its pre-roll; one whose make-up came
 * with it from import (opts->makeup_known) needs neither. */
static void *sink_open(void *ctx, const char *path, const struct player_opts *opts, int *err,
		       char *msg, size_t len)
{
	const struct daemon *d = ctx;
	struct player *p = NULL;
	struct player_opts o = *opts;
	bool cacheable = player_wants_makeup(&o) && o.sha256 && !o.makeup_known;

	if (cacheable)
		o.makeup_known = makeup_cache_get(d->makeups, o.sha256, o.gain_db, o.ceiling_dbtp, &o.makeup_db);
	*err = player_open(engine_config(d->engine)->audio_device, path, &o, &p, msg, len);
	if (*err < 0)
		return NULL;
	if (cacheable && !o.makeup_known)
		makeup_cache_put(d->makeups, o.sha256, o.gain_db, o.ceiling_dbtp, player_makeup_db(p));
	return air_of_player(p);
}

static void *sink_relay_open(void *ctx, const char *const *inputs, size_t n, const struct relay_opts *opts,
			     int *err, char *msg, size_t len)
{
	const struct daemon *d = ctx;
	struct air *a;
	struct live *l;

	*err = live_open(engine_config(d->engine)->audio_device, inputs, n, opts, &l, msg, len);
	if (*err < 0)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->l = l;
	return a;
}

static void sink_relay_tune(void *ctx, void *h, size_t i)
{
	(void)ctx;
	live_tune(((struct air *)h)->l, i);
}

static void sink_relay_status(void *ctx, void *h, struct relay_status *st)
{
	(void)ctx;
	live_status(((struct air *)h)->l, st);
}

static int64_t sink_start(void *ctx, void *h)
{
	struct daemon *d = ctx;
	struct air *a = h;

	d->progress_frames = -1;
	d->progress_mono = time_mono_ms();
	return a->l ? live_start(a->l) : player_start(a->p);
}

static int64_t sink_frames(void *ctx, void *h)
{
	struct air *a = h;

	(void)ctx;
	return a->l ? live_frames_played(a->l) : player_frames_played(a->p);
}

static int sink_rate(void *ctx, void *h)
{
	struct air *a = h;

	(void)ctx;
	return a->l ? live_rate(a->l) : player_rate(a->p);
}

static int sink_xruns(void *ctx, void *h)
{
	struct air *a = h;

	(void)ctx;
	return a->l ? live_xruns(a->l) : player_xruns(a->p);
}

static void sink_fade_out(void *ctx, void *h)
{
	struct air *a = h;

	(void)ctx;
	if (a->l)
		live_fade_out(a->l);
	else
		player_fade_out(a->p);
}

static void sink_close(void *ctx, void *h)
{
	struct air *a = h;

	(void)ctx;
	live_close(a->l);
	player_close(a->p);
	free(a);
}

static const struct sink_ops alsa_sink = {
	.open = sink_open,
	.start = sink_start,
	.frames = sink_frames,
	.rate = sink_rate,
	.xruns = sink_xruns,
	.fade_out = sink_fade_out,
	.close = sink_close,
	.relay_open = sink_relay_open,
	.relay_tune = sink_relay_tune,
	.relay_status = sink_relay_status,
};

static void env_power(void *ctx, bool on)
{
	struct daemon *d = ctx;
	const struct config *cfg = engine_config(d->engine);

	if (on)
		power_run(d->power, "audio.power_on", cfg->power_on);
	else
		power_run(d->power, "audio.power_off", cfg->power_off);
}

static int64_t env_now(void *ctx)
{
	(void)ctx;
	return time_now_ms();
}

static int64_t env_mono(void *ctx)
{
	(void)ctx;
	return time_mono_ms();
}

/* The kernel's view: adjtimex() reports TIME_ERROR, or STA_UNSYNC, until
 * NTP (or systemd-timesyncd) has set the clock. LOA_TEST_CLOCK_SYNC_FILE
 * lets a test stand in for the kernel: synchronised while the file exists. */
static bool env_clock_trusted(void *ctx)
{
	const char *test = getenv("LOA_TEST_CLOCK_SYNC_FILE");
	struct timex tx = { 0 };
	int r;

	(void)ctx;
	if (test && *test)
		return access(test, F_OK) == 0;
	r = adjtimex(&tx);
	return r >= 0 && r != TIME_ERROR && !(tx.status & STA_UNSYNC);
}

/* ---- events ---- */

static void clock_changed(struct daemon *d)
{
	log_notice(_("the system clock was changed; re-planning"));
	engine_clock_stepped(d->engine);
}

/* Arms the timer for the engine's next wake. A clock set while it is being
 * armed fails the arming with ECANCELED (seen when NTP steps the clock at
 * boot, and in t_clock_steps): that is the clock change a read would have
 * told, and the timer is armed again on the new clock; a daemon left with
 * no timer would sleep through its next slot. */
static void arm(struct daemon *d)
{
	for (int tries = 0; tries < 4; tries++) {
		int64_t at = engine_wake_at(d->engine);
		struct itimerspec its = { 0 };

		if (!at)
			at = time_now_ms() + FAR_AHEAD_MS;
		if (at < 1)
			at = 1;
		its.it_value.tv_sec = at / 1000;
		its.it_value.tv_nsec = (at % 1000) * 1000000;
		if (timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) == 0)
			return;
		if (errno != ECANCELED)
			break;
		clock_changed(d);
	}
	log_err(_("cannot arm the timer: %s"), strerror(errno));
}

static void on_timer(struct daemon *d)
{
	uint64_t ticks;

	if (read(d->timerfd, &ticks, sizeof(ticks)) < 0) {
		if (errno == ECANCELED)
			clock_changed(d);
		return;
	}
	engine_run(d->engine);
}

static void write_reload_entry(struct daemon *d, const char *actor, const char *detail)
{
	if (audit_append(d->db, actor, "config-reload", d->config_path, detail) < 0)
		log_err(_("the audit trail cannot record the config reload by %s (%s); this line is its only "
			  "record"), actor, detail);
}

/* Records ACTOR's reload with DETAIL, or holds it while the page check of
 * the start holds every write (a damaged file is not written to). */
static void record_reload(struct daemon *d, const char *actor, const char *detail)
{
	if (db_writable(d->db)) {
		write_reload_entry(d, actor, detail);
		return;
	}
	strlist_add(&d->held_actors, actor);
	strlist_add(&d->held_details, detail);
}

/* The page check ended: WRITE what was held, or log it as never recorded. */
static void release_held(struct daemon *d, bool write)
{
	for (size_t i = 0; i < d->held_actors.n; i++) {
		if (write)
			write_reload_entry(d, d->held_actors.v[i], d->held_details.v[i]);
		else
			log_err(_("the audit trail cannot record the config reload by %s (%s); this line is its "
				  "only record"), d->held_actors.v[i], d->held_details.v[i]);
	}
	strlist_done(&d->held_actors);
	strlist_done(&d->held_details);
}

/* SIGHUP from user UID: the new config is taken whole or not at all, and
 * either way the audit trail says who asked and which it was. */
static void reload(struct daemon *d, uid_t uid)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	char actor[AUDIT_ACTOR_MAX + 1], *detail;

	audit_actor_of_uid(uid, actor);
	notify_reloading();
	if (config_load(d->config_path, &cfg, &errs) < 0 || jingle_probe_config(cfg, &errs) < 0 ||
	    time_set_zone(cfg->timezone) < 0) {
		log_err(_("config reload rejected; the schedule in force stays as it was:"));
		for (size_t i = 0; i < errs.n; i++)
			log_err("%s", errs.v[i]);
		/* The first problem says why; the journal has them all. */
		detail = errs.n ? xasprintf("refused: %s", errs.v[0]) : xstrdup("refused");
		record_reload(d, actor, detail);
		free(detail);
		config_free(cfg);
		strlist_done(&errs);
		notify_ready();
		return;
	}
	strlist_done(&errs);
	engine_set_config(d->engine, cfg);
	log_notice(_("config reloaded: %s"), d->config_path);
	record_reload(d, actor, "taken");
	notify_ready();
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d, si.ssi_uid);
		else
			d->quit = true;
	}
}

static void on_player(struct daemon *d, struct pollfd *fds, int n)
{
	struct air *a = engine_on_air(d->engine);
	int64_t frames, mono;
	int r;

	if (!a)
		return;
	r = a->l ? live_pump(a->l, fds, n) : player_pump(a->p, fds, n);
	if (r != 0) {
		engine_ended(d->engine, r);
		return;
	}
	frames = sink_frames(d, a);
	mono = time_mono_ms();
	if (frames != d->progress_frames) {
		d->progress_frames = frames;
		d->progress_mono = mono;
	} else if (mono - d->progress_mono > STALL_MS) {
		log_err(_("the audio device stopped taking audio for %d s; ending the item and reopening it"),
			STALL_MS / 1000);
		engine_ended(d->engine, -ETIMEDOUT);
	}
}

/* The page check of the start is done: the engine, idle until now, runs
 * (unless the daemon is stopping: then only what waits is written, by
 * engine_shutdown), or the file is damaged and the daemon stops as it
 * would have at the open, having written nothing to it. */
static void on_page_check(struct daemon *d, struct db *db)
{
	char msg[1024];
	int64_t took = 0;

	if (db_check_finish(db, &took, msg, sizeof(msg)) < 0) {
		log_err("%s", msg);
		release_held(d, false);
		d->damaged = true;
		d->quit = true;
		return;
	}
	log_info(_("database %s: every page checked in %lld ms; the ledger takes writes"), db_path(db),
		 (long long)took);
	d->trimmed = false; /* what the check read goes back at the next idle turn */
	release_held(d, true);
	if (!d->quit)
		engine_ledger_writable(d->engine);
}

static int setup_fds(struct daemon *d)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		return -errno;
	signal(SIGPIPE, SIG_IGN);
	d->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -errno;
	d->timerfd = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (d->timerfd < 0)
		return -errno;
	return 0;
}

int daemon_run(const char *config_path, struct config *cfg, struct db *db)
{
	struct daemon d = { .config_path = config_path, .db = db, .sigfd = -1, .timerfd = -1 };
	struct engine_env env = { .ctx = &d, .now = env_now, .mono = env_mono, .clock_trusted = env_clock_trusted,
				.sink = &alsa_sink, .power = env_power };
	char msg[512];
	size_t lost;
	int err;

	err = setup_fds(&d);
	if (err < 0) {
		log_err(_("cannot set up signals and timers: %s"), strerror(-err));
		config_free(cfg);
		return 1;
	}
	err = control_open(cfg->socket_path, &d.control, msg, sizeof(msg));
	if (err < 0) {
		log_err("%s", msg);
		config_free(cfg);
		close(d.sigfd);
		close(d.timerfd);
		return 1;
	}
	log_notice(_("daemon started: station '%s', %zu slot(s), audio device '%s', control socket %s"),
		   cfg->station_name, cfg->n_slots, cfg->audio_device, cfg->socket_path);
	d.power = power_new(POWER_TIMEOUT_MS);
	d.makeups = makeup_cache_new(MAKEUP_CACHE_ENTRIES);
	d.engine = engine_new(cfg, db, &env);
	engine_run(d.engine);
	arm(&d);
	d.watchdog_ms = notify_watchdog_interval_ms();
	notify_ready();

	while (!d.quit) {
		/* signals, timer, the page check, then the rest */
		struct pollfd fds[3 + CONTROL_MAX_FDS + MAX_PLAYER_FDS + MAX_POWER_FDS];
		int n = 2, nc, np = 0, npw, timeout = -1, tpw, nck = 0;
		void *h = engine_on_air(d.engine), *pre_air = h ? NULL : engine_prerolled(d.engine);
		/* The engine's handles are airs: a relay has no device to run
		 * with silence before its instant, only a player has. */
		struct player *pre = pre_air ? ((struct air *)pre_air)->p : NULL;

		fds[0] = (struct pollfd){ .fd = d.sigfd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = d.timerfd, .events = POLLIN };
		nc = control_pollfds(d.control, fds + n, CONTROL_MAX_FDS);
		n += nc;
		report_status(&d);
		timeout = watchdog_tick(&d);
		if (h) {
			struct air *a = h;

			np = a->l ? live_pollfds(a->l, fds + n, MAX_PLAYER_FDS) :
				    player_pollfds(a->p, fds + n, MAX_PLAYER_FDS);
			/* the stall watchdog's tick, only while on air */
			if (timeout < 0 || timeout > 1000)
				timeout = 1000;
		} else if (pre) {
			/* the device runs with silence until the element's instant */
			int tp = player_preroll_timeout(pre);

			np = player_preroll_pollfds(pre, fds + n, MAX_PLAYER_FDS);
			if (tp >= 0 && (timeout < 0 || tp < timeout))
				timeout = tp;
		}
		if (h)
			d.trimmed = false;
		else
			trim_idle(&d, db);
		npw = power_pollfds(d.power, fds + n + np, MAX_POWER_FDS);
		tpw = power_timeout_ms(d.power);
		if (tpw >= 0 && (timeout < 0 || tpw < timeout))
			timeout = tpw;
		if (db_check_fd(db) >= 0) {
			fds[n + np + npw] = (struct pollfd){ .fd = db_check_fd(db), .events = POLLIN };
			nck = 1;
		}
		if (poll(fds, (nfds_t)(n + np + npw + nck), timeout) < 0) {
			if (errno == EINTR)
				continue;
			log_err(_("poll failed: %s"), strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN)
			on_signal(&d);
		if (d.quit)
			break;
		if (fds[1].revents & POLLIN)
			on_timer(&d);
		control_handle(d.control, fds + 2, nc, d.engine);
		if (h && h == engine_on_air(d.engine))
			on_player(&d, fds + n, np);
		/* A device that fails here fails again at the start, which the
		 * engine records. */
		if (pre && pre_air == engine_prerolled(d.engine))
			(void)player_preroll_pump(pre, fds + n, np);
		power_handle(d.power);
		if (nck && (fds[n + np + npw].revents & POLLIN))
			on_page_check(&d, db);
		arm(&d);
	}

	notify_stopping();
	/* Rows held for the page check are written if it passes: wait for it,
	 * but start nothing now (on_page_check, quitting). */
	d.quit = true;
	if (db_check_fd(db) >= 0)
		on_page_check(&d, db);
	lost = engine_shutdown(d.engine);
	engine_free(d.engine);
	makeup_cache_free(d.makeups);
	power_free(d.power); /* after the engine, whose end switches the amplifiers off */
	control_close(d.control);
	close(d.sigfd);
	close(d.timerfd);
	/* Evidence lost is a failure, not a clean stop: systemd marks the
	 * unit failed, which `systemctl status` and monitoring show, while
	 * the journal lines above hold what the rows would have. */
	if (d.damaged)
		return 1;
	if (lost) {
		log_err(ngettext("daemon stopped; %zu ledger row could not be written (listed above)",
				 "daemon stopped; %zu ledger rows could not be written (listed above)", lost), lost);
		return 1;
	}
	log_notice(_("daemon stopped"));
	return 0;
}
