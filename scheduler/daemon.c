/* The daemon's event loop.
 *
 * Between broadcasts it sleeps in poll() on a CLOCK_REALTIME timerfd armed
 * (absolute, TFD_TIMER_CANCEL_ON_SET) for the next occurrence's pre-roll
 * instant, so a clock step wakes it to re-plan instead of firing at the
 * wrong time. At pre-roll the library is re-read, the occurrence planned
 * with the same planner `loa next` uses, and the first element's file and
 * device opened; the timer is then re-armed for the exact start, where the
 * only work left is handing frames to ALSA.
 *
 * Every planned item ends in exactly one ledger row. While an item plays it
 * is kept in the ledger's in-flight record, so a power cut leaves a trace
 * that the next start turns into a `partial` row.
 */
#include "scheduler/daemon.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "audio/player.h"
#include "content/jingle.h"
#include "content/library.h"
#include "ledger/db.h"
#include "ledger/ledger.h"
#include "scheduler/plan.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* Opening a file and a USB card takes tens of ms; two seconds of lead
 * leaves room for a slow SD card without holding the device long. */
#define PREROLL_MS 2000
/* The in-flight record is rewritten at most this often: bounded SD wear,
 * bounded loss on a power cut. */
#define CHECKPOINT_MS 5000
#define MAX_PLAYER_FDS 8

enum dstate {
	D_IDLE,    /* waiting for the next occurrence's pre-roll */
	D_PREROLL, /* an element is opened and primed, waiting for its instant */
	D_PLAYING, /* an element is on air */
};

struct daemon {
	const char *config_path;
	struct config *cfg;
	struct config *pending_cfg; /* a reload that waits for the occurrence to end */
	struct db *db;
	int sigfd, timerfd;
	bool quit;

	enum dstate state;
	/* Occurrences are taken in (start, slot index) order; the cursor is the
	 * last one taken, so several slots at one instant all air. */
	int64_t cursor_at;
	long cursor_slot;
	/* The occurrence that is next or in progress. */
	const struct slot *occ_slot;
	int64_t occ_at;
	bool occ_planned;
	struct bulletin *lib;
	size_t n_lib;
	struct plan occ;
	size_t pos;        /* element of occ being pre-rolled or played */
	int64_t due;       /* the instant the timer is armed for */

	struct player *player;
	struct ledger_row row;  /* the item on air, for the ledger */
	int64_t last_checkpoint;
};

static void arm(struct daemon *d, int64_t at_ms)
{
	struct itimerspec its = { 0 };

	d->due = at_ms;
	if (at_ms < 1)
		at_ms = 1; /* 0 would disarm */
	its.it_value.tv_sec = at_ms / 1000;
	its.it_value.tv_nsec = (at_ms % 1000) * 1000000;
	if (timerfd_settime(d->timerfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL) < 0)
		log_err("cannot arm the timer: %s", strerror(errno));
}

static void disarm(struct daemon *d)
{
	struct itimerspec its = { 0 };

	d->due = 0;
	timerfd_settime(d->timerfd, 0, &its, NULL);
}

/* The next occurrence after the cursor, in (start, slot index) order. */
static bool find_next(struct daemon *d, const struct slot **slot, int64_t *at)
{
	bool found = false;

	for (size_t i = 0; i < d->cfg->n_slots; i++) {
		const struct slot *s = &d->cfg->slots[i];
		int64_t t = plan_slot_next(s, (long)i > d->cursor_slot ? d->cursor_at : d->cursor_at + 1);

		if (t < 0)
			continue;
		if (!found || t < *at) {
			*slot = s;
			*at = t;
			found = true;
		}
	}
	return found;
}

static void schedule_next(struct daemon *d)
{
	char when[ISO_LEN];

	d->state = D_IDLE;
	d->occ_planned = false;
	if (!find_next(d, &d->occ_slot, &d->occ_at)) {
		d->occ_slot = NULL;
		disarm(d);
		log_notice("no slot airs again under this config; waiting for a reload");
		return;
	}
	log_info("next: slot '%s' at %s", d->occ_slot->name, time_format_iso(d->occ_at, when));
	arm(d, d->occ_at - PREROLL_MS);
}

static void row_from_element(struct ledger_row *row, const struct plan_item *it)
{
	const struct bulletin *b = it->bulletin;

	memset(row, 0, sizeof(*row));
	row->kind = KIND_SLOT;
	row->occurrence_at = it->occurrence_at;
	row->scheduled_at = it->at;
	row->bulletin_id = b->id;
	row->title = b->title;
	row->topic = b->topic;
	row->plan = b->plan;
	row->slot = it->slot->name;
	memcpy(row->content_sha256, b->sha256, SHA256_HEX);
}

/* A row for an item that did not air at all. */
static void append_unaired(struct daemon *d, const struct plan_item *it, enum outcome oc, const char *reason)
{
	struct ledger_row row;

	row_from_element(&row, it);
	row.outcome = oc;
	row.reason = (char *)reason;
	if (ledger_append(d->db, &row) < 0)
		log_err("could not record '%s' as %s in the ledger", it->bulletin->title, outcome_name(oc));
}

static void end_occurrence(struct daemon *d)
{
	plan_done(&d->occ);
	bulletins_free(d->lib, d->n_lib);
	d->lib = NULL;
	d->n_lib = 0;
	d->cursor_at = d->occ_at;
	d->cursor_slot = d->occ_slot - d->cfg->slots;
	if (d->pending_cfg) {
		/* Slot indices change with the config; the ledger check in
		 * plan_items() keeps a re-found occurrence from airing twice. */
		config_free(d->cfg);
		d->cfg = d->pending_cfg;
		d->pending_cfg = NULL;
		d->cursor_slot = -1;
		log_notice("new config in force: %s", d->config_path);
	}
	schedule_next(d);
}

/* Pre-rolls the first element at or after d->pos that is to air, due at
 * DUE; ends the occurrence when none is left. */
static void preroll_from(struct daemon *d, int64_t due)
{
	for (; d->pos < d->occ.n; d->pos++) {
		const struct plan_item *it = &d->occ.v[d->pos];
		const char *path = it->part == PART_INTRO ? it->slot->intro :
				   it->part == PART_OUTRO ? it->slot->outro : it->bulletin->path;
		char msg[512];
		int err;

		if (it->skipped)
			continue;
		err = player_open(d->cfg->audio_device, path, &d->player, msg, sizeof(msg));
		if (err < 0) {
			log_err("cannot air %s: %s", path, msg);
			if (it->part == PART_ITEM)
				append_unaired(d, it, OUTCOME_FAILED, msg);
			continue;
		}
		d->state = D_PREROLL;
		arm(d, due > time_now_ms() ? due : time_now_ms());
		return;
	}
	end_occurrence(d);
}

/* Plans the occurrence at its pre-roll instant: the library is read now so
 * every import and edit made until then counts. */
static void begin_occurrence(struct daemon *d)
{
	int32_t day = time_local_day(d->occ_at, NULL);
	int64_t now = time_now_ms();
	int64_t late = now - d->occ_at;
	char when[ISO_LEN];

	d->occ_planned = true;
	if (library_list(d->db, false, &d->lib, &d->n_lib) < 0) {
		log_err("cannot read the bulletin library; slot '%s' at %s does not air",
			d->occ_slot->name, time_format_iso(d->occ_at, when));
		end_occurrence(d);
		return;
	}
	plan_occurrence(d->cfg, d->occ_slot, day, d->lib, d->n_lib, &d->occ);
	for (size_t i = 0; i < d->occ.n; i++) {
		struct plan_item *it = &d->occ.v[i];

		if (it->part != PART_ITEM)
			continue;
		/* Exactly once: a restart inside an occurrence, or a re-plan
		 * after a reload, finds what the ledger already holds. */
		if (ledger_has_item(d->db, it->slot->name, it->occurrence_at, it->bulletin->id)) {
			it->skipped = true;
			continue;
		}
		if (it->skipped)
			append_unaired(d, it, OUTCOME_SKIPPED, it->reason);
		else if (late > (int64_t)d->cfg->grace_minutes * 60000) {
			char reason[160];

			snprintf(reason, sizeof(reason), "the slot started %s and loa could not air it "
				 "within the %d-minute grace period", time_format_iso(d->occ_at, when),
				 d->cfg->grace_minutes);
			append_unaired(d, it, OUTCOME_MISSED, reason);
			it->skipped = true;
		}
	}
	d->pos = 0;
	preroll_from(d, d->occ_at);
}

static void start_element(struct daemon *d)
{
	const struct plan_item *it = &d->occ.v[d->pos];
	int64_t started = player_start(d->player);
	char when[ISO_LEN];

	if (it->part != PART_ITEM) {
		d->state = D_PLAYING;
		return;
	}
	row_from_element(&d->row, it);
	if (started < 0) {
		d->row.outcome = OUTCOME_FAILED;
		d->row.reason = xasprintf("the audio device failed at the start: %s", strerror((int)-started));
		log_err("'%s': %s", it->bulletin->title, d->row.reason);
		if (ledger_append(d->db, &d->row) < 0)
			log_err("could not record the failure in the ledger");
		free(d->row.reason);
		player_close(d->player);
		d->player = NULL;
		d->pos++;
		preroll_from(d, time_now_ms() + d->cfg->gap_ms);
		return;
	}
	d->row.started_at = started;
	d->last_checkpoint = time_mono_ms();
	if (ledger_inflight_begin(d->db, &d->row, player_rate(d->player)) < 0)
		log_err("could not record '%s' as on air; a power cut now would leave no trace of it",
			it->bulletin->title);
	log_info("on air: #%lld '%s' (slot '%s', started %s)", (long long)it->bulletin->id,
		 it->bulletin->title, it->slot->name, time_format_iso(started, when));
	d->state = D_PLAYING;
}

/* Ends the element on air with OUTCOME; a NULL reason means none. */
static void finish_element(struct daemon *d, enum outcome oc, const char *reason)
{
	const struct plan_item *it = &d->occ.v[d->pos];
	int64_t frames = player_frames_played(d->player);

	if (it->part == PART_ITEM) {
		struct ledger_row *row = &d->row;

		row->ended_at = time_now_ms();
		row->frames = frames;
		row->played_ms = frames * 1000 / player_rate(d->player);
		row->xruns = player_xruns(d->player);
		row->outcome = oc;
		row->reason = reason ? xstrdup(reason) : NULL;
		if (ledger_inflight_finish(d->db, row) < 0)
			log_err("could not record '%s' (%s) in the ledger", row->title, outcome_name(oc));
		log_info("%s: #%lld '%s', %lld ms", outcome_name(oc), (long long)row->bulletin_id,
			 row->title, (long long)row->played_ms);
		free(row->reason);
		memset(row, 0, sizeof(*row));
	}
	player_close(d->player);
	d->player = NULL;
	d->pos++;
}

static void on_player(struct daemon *d, struct pollfd *fds, int n)
{
	int r = player_pump(d->player, fds, n);

	if (r == 0) {
		int64_t mono = time_mono_ms();

		if (d->occ.v[d->pos].part == PART_ITEM && mono - d->last_checkpoint >= CHECKPOINT_MS) {
			d->last_checkpoint = mono;
			ledger_inflight_checkpoint(d->db, player_frames_played(d->player), time_now_ms());
		}
		return;
	}
	if (r == 1) {
		finish_element(d, OUTCOME_COMPLETED, NULL);
	} else {
		char reason[256];

		snprintf(reason, sizeof(reason), "the audio device failed while airing: %s", strerror(-r));
		log_err("%s", reason);
		finish_element(d, OUTCOME_PARTIAL, reason);
	}
	preroll_from(d, time_now_ms() + d->cfg->gap_ms);
}

static void on_timer(struct daemon *d)
{
	uint64_t ticks;

	if (read(d->timerfd, &ticks, sizeof(ticks)) < 0) {
		if (errno == ECANCELED) {
			/* The wall clock was stepped: the armed instant is still
			 * the right one, but re-arming makes the kernel measure
			 * it against the new clock. */
			log_notice("the system clock was changed; re-planning");
			if (d->state == D_IDLE && !d->occ_planned) {
				d->cursor_at = time_now_ms() - 1;
				d->cursor_slot = LONG_MAX;
				schedule_next(d);
			} else {
				arm(d, d->due);
			}
		}
		return;
	}
	if (d->state == D_IDLE && d->occ_slot)
		begin_occurrence(d);
	else if (d->state == D_PREROLL)
		start_element(d);
}

static void reload(struct daemon *d)
{
	struct strlist errs = { 0 };
	struct config *cfg = NULL;

	if (config_load(d->config_path, &cfg, &errs) < 0 || jingle_probe_config(cfg, &errs) < 0 ||
	    time_set_zone(cfg->timezone) < 0) {
		log_err("config reload rejected; the schedule in force stays as it was:");
		for (size_t i = 0; i < errs.n; i++)
			log_err("%s", errs.v[i]);
		config_free(cfg);
		strlist_done(&errs);
		return;
	}
	strlist_done(&errs);
	if (d->state == D_IDLE && !d->occ_planned) {
		config_free(d->cfg);
		d->cfg = cfg;
		log_notice("config reloaded: %s", d->config_path);
		d->cursor_slot = -1;
		schedule_next(d);
		return;
	}
	config_free(d->pending_cfg);
	d->pending_cfg = cfg;
	log_notice("config accepted; it takes over when the current slot ends");
}

static void on_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP)
			reload(d);
		else
			d->quit = true;
	}
}

static void shutdown_playing(struct daemon *d)
{
	if (d->state == D_PLAYING && d->occ.v[d->pos].part == PART_ITEM)
		finish_element(d, OUTCOME_PARTIAL, "loa was stopped while this item was on air");
	player_close(d->player);
	d->player = NULL;
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
	struct daemon d = { .config_path = config_path, .cfg = cfg, .db = db, .sigfd = -1, .timerfd = -1 };
	int err, rec;

	err = setup_fds(&d);
	if (err < 0) {
		log_err("cannot set up signals and timers: %s", strerror(-err));
		config_free(cfg);
		return 1;
	}
	rec = ledger_recover_inflight(db);
	if (rec > 0)
		log_warn("the previous run stopped while an item was on air; it is recorded as partial");
	log_notice("daemon started: station '%s', %zu slot(s), audio device '%s'",
		   cfg->station_name, cfg->n_slots, cfg->audio_device);
	d.cursor_at = time_now_ms();
	d.cursor_slot = -1;
	schedule_next(&d);

	while (!d.quit) {
		struct pollfd fds[2 + MAX_PLAYER_FDS];
		int n = 2, np = 0;

		fds[0] = (struct pollfd){ .fd = d.sigfd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = d.timerfd, .events = POLLIN };
		if (d.state == D_PLAYING) {
			np = player_pollfds(d.player, fds + 2, MAX_PLAYER_FDS);
			n += np;
		}
		if (poll(fds, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("poll failed: %s", strerror(errno));
			break;
		}
		if (fds[0].revents & POLLIN)
			on_signal(&d);
		if (d.quit)
			break;
		if (fds[1].revents & POLLIN)
			on_timer(&d);
		if (d.state == D_PLAYING)
			on_player(&d, fds + 2, np);
	}

	shutdown_playing(&d);
	plan_done(&d.occ);
	bulletins_free(d.lib, d.n_lib);
	config_free(d.pending_cfg);
	config_free(d.cfg);
	close(d.sigfd);
	close(d.timerfd);
	log_notice("daemon stopped");
	return 0;
}
