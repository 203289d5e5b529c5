/* The station engine (see engine.h).
 *
 * Work is a queue of elements to air. An occurrence puts its elements on
 * the queue at its pre-roll instant (intro, items, outro, each a snapshot
 * that owns its strings, so reloads and library edits never leave a
 * dangling pointer); `loa play` puts one at the head; an alert goes to the
 * head and preempts what is on air, which is put back behind it if its slot
 * still has room. One element at a time is "current": opened ahead of its
 * instant (pre-roll), then on air, then possibly fading out.
 *
 * Occurrences are taken in (start, slot index) order after a cursor, the
 * last one taken. Whatever the clock does, an occurrence before the cursor
 * is never taken again, and each item is checked against the ledger before
 * it is queued, so nothing airs twice.
 *
 * Every ledger write goes through ledger/backlog.c: when the disk is full
 * the rows wait there, in order, and nothing that airs waits for them.
 */
#include "scheduler/engine.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio/loudness.h"
#include "content/import.h"
#include "content/library.h"
#include "content/province.h"
#include "content/slots.h"
#include "content/sources.h"
#include "content/store.h"
#include "ledger/backlog.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "scheduler/plan.h"
#include "util/json.h"
#include "util/i18n.h"
#include "util/text.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define PREROLL_MS 2000
#define CHECKPOINT_MS 5000
#define CLOCK_RECHECK_MS 5000
/* How far back a start reconciles at most: a year of missed rows is the
 * evidence of a year off air; more is a clock that is wildly wrong. */
#define RECONCILE_MAX_MS (366LL * 86400000)
#define DAY_MS 86400000LL
/* Ledger writes that failed are tried again after 1, 2, 4 ... 60 s (and
 * at every ledger write): a minute is soon enough once space is back, and
 * a full disk costs a few wake-ups an hour. */
#define LEDGER_RETRY_MIN_MS 1000
#define LEDGER_RETRY_MAX_MS 60000
/* Relays connect ahead of their instant by this much: a stream needs a
 * name lookup, a connection and its first seconds buffered, more than a
 * file's pre-roll. */
#define RELAY_PREROLL_MS 6000
/* How often a relay on air is looked at: dead air is noticed within it. */
#define RELAY_TICK_MS 250
/* An input that sends nothing for this long is given up (issue #19). */
#define RELAY_STARVED_MS 5000
/* An input that fails is tried this often in a row before the next. */
#define RELAY_TRIES 2
/* After every input failed in a row: wait, doubling, before the next round. */
#define RELAY_RETRY_MIN_MS 1000
#define RELAY_RETRY_MAX_MS 10000
/* On a fallback, the first input is tried again after this, doubling
 * while it stays unreachable. */
#define RELAY_BACK_MIN_MS 60000
#define RELAY_BACK_MAX_MS 600000
/* A relay window is completed when this share of it carried the source. */
#define RELAY_COMPLETE_PERMILLE 950
/* What the reason of a relay row lists at most, in bytes. */
#define RELAY_EVENTS_MAX 900

/* A relay window's state across its sessions (an alert, a device lost,
 * ends one; the relay resumes in a new one for the rest of its window):
 * what its single ledger row will say, and which input to try. */
struct relay_run {
	int64_t window_ms;       /* the slot's whole window */
	int64_t audio_frames;    /* carried the source, in the sessions before this one */
	int64_t session_frames;  /* in this one, at the last look */
	int64_t off_air_ms;      /* what alerts and a lost device took from the window */
	int64_t off_air_at;      /* when the relay last went off air for them, 0 while on */
	int64_t started_at;      /* the first frame of the source on air, 0 none yet */
	bool begun;              /* its in-flight record is written */
	bool held;               /* and parked while something else airs */
	bool session_begun;      /* this session has handed it its first frame */
	int rate;
	size_t n;                /* inputs */
	int64_t *served;         /* audio frames each input carried */
	int on_air;              /* the input on air, -1 none */
	int dead;                /* the input on air given up for dead air, -1 none */
	int cand;                /* the next input to tune */
	int tries;               /* how often cand failed in a row */
	int failed_in_row;       /* inputs failed since one last delivered */
	int tuning;              /* the input being tuned, -1 none */
	bool tuning_back;        /* that tune is the return to the first input */
	int64_t retry_at, retry_ms;
	int64_t back_at, back_ms;
	char *events;            /* dropouts and switches, for the reason */
	size_t events_len;
	int events_left_out;
	int dropouts, switches;
	char last_why[160];      /* of the last failure, for a window nothing answered */
	unsigned warned;         /* inputs whose failure the journal has had as a warning */
};

struct element {
	enum air_kind kind;
	enum plan_part part;
	char *slot;            /* NULL for play and alert */
	int64_t occurrence_at; /* 0 for play and alert */
	int64_t due;           /* not before this instant; 0 = as soon as possible */
	int64_t scheduled_at;  /* for the ledger */
	int64_t slot_end;      /* occurrence_at + max_minutes; 0 = no limit */
	int64_t expected_ms;
	char *path;
	/* The bulletin as it was when queued (items only). */
	int64_t bulletin_id;
	char *title, *topic, *plan;
	char sha256[SHA256_HEX];
	int priority;          /* enum priority, for the province's copy of its row */
	double loudness_lufs, peak_dbfs;
	struct bulletin_makeup makeup;
	/* A planned item that does not fit: its `skipped` row is written
	 * when the queue reaches it, so rows follow the order of the queue. */
	char *skip_reason;
	/* Who asked for it (play, alert) or stopped it: its row's `by`;
	 * NULL for what the schedule airs. */
	char *actor;
	/* A relay window (PART_RELAY): its source as it was when taken, and
	 * its state once it has aired. */
	struct source *src;
	struct relay_run *run;
	/* A timed item of a province schedule: "province" and its ids,
	 * for its row; NULL for the station's own. */
	char *origin, *province_schedule, *province_bulletin;
};

enum cur_state { CUR_NONE, CUR_PREROLL, CUR_PLAYING, CUR_STOPPING };

struct engine {
	struct config *cfg;
	struct db *db;
	struct backlog *ledger;  /* every ledger write goes through it */
	int64_t ledger_retry_at;
	int64_t ledger_retry_ms; /* the backoff; 0 while nothing waits */
	const struct engine_env *env;

	struct element *q;
	size_t nq, capq;

	enum cur_state state;
	struct element cur;
	void *h;
	struct ledger_row row;   /* the item on air */
	int64_t started_mono;    /* the monotonic clock when it started */
	enum outcome stop_outcome;
	char *stop_reason;
	int64_t gap_until;
	int64_t last_checkpoint;

	int64_t cursor_at;
	long cursor_slot;
	bool have_next;
	size_t next_slot;
	int64_t next_at;

	bool trusted;
	bool reconciled;
	int64_t clock_checked_at;

	/* Province items are looked at again from this instant (ms): the
	 * next item's pre-roll, an item waiting for its audio, or 0 = now. */
	int64_t province_wake;

	int64_t alert_id;
	char *alert_actor;       /* who asked for the alert: each repetition's `by` */
	int alert_left;
	int64_t alert_every_ms;
	int64_t alert_next_at;

	int64_t relay_tick_at;   /* when a relay in pre-roll or on air is looked at next */

	bool device_ok;
	bool powered;            /* audio.power_on has run, power_off not since */
	int64_t device_retry_at; /* the head waits for a missing device until then */
	int64_t device_retry_ms; /* the backoff: doubles from 1 s to 30 s */
	char last_error[256];
};

static int64_t now(const struct engine *e)
{
	return e->env->now(e->env->ctx);
}

/* The instant on the item's own time line: its start plus what the
 * monotonic clock has counted since. The wall clock may be stepped while
 * it airs, an hour back when NTP first answers; the ledger's ended_at
 * and checkpoints must still come after started_at, by what played. */
static int64_t item_now(const struct engine *e)
{
	return e->row.started_at + (e->env->mono(e->env->ctx) - e->started_mono);
}

static void set_error(struct engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* FMT is marked with N_(): the last error stays in the source language,
 * as it goes into `loa status --json` and, for an item that fails to
 * start, into the ledger; the log line speaks the locale's language. */
static void set_error(struct engine *e, const char *fmt, ...)
{
	char line[512];
	va_list ap, aq;

	va_start(ap, fmt);
	va_copy(aq, ap);
	vsnprintf(e->last_error, sizeof(e->last_error), fmt, ap);
	vsnprintf(line, sizeof(line), _(fmt), aq);
	va_end(aq);
	va_end(ap);
	log_err("%s", line);
}

/* ---- amplifier power ---- */

/* How long before its instant an occurrence is taken: the pre-roll, or the
 * amplifiers' warm-up when that is longer, so the first frame is on time. */
static int64_t lead_ms(const struct engine *e)
{
	return e->cfg->warmup_ms > PREROLL_MS ? e->cfg->warmup_ms : PREROLL_MS;
}

/* The lead of the next occurrence: a relay's is longer. */
static int64_t next_lead_ms(const struct engine *e)
{
	int64_t l = lead_ms(e);

	if (e->have_next && e->cfg->slots[e->next_slot].relay && l < RELAY_PREROLL_MS)
		l = RELAY_PREROLL_MS;
	return l;
}

/* Switching on holds the next start back until the warm-up is over. */
static void power(struct engine *e, bool on)
{
	int64_t ready = now(e) + e->cfg->warmup_ms;

	if (e->powered == on)
		return;
	e->powered = on;
	if (e->env->power)
		e->env->power(e->env->ctx, on);
	if (on && e->cfg->power_on && ready > e->gap_until)
		e->gap_until = ready;
}

/* ---- elements and the queue ---- */

static void relay_run_free(struct relay_run *r)
{
	if (!r)
		return;
	free(r->served);
	free(r->events);
	free(r);
}

static struct relay_run *relay_run_copy(const struct relay_run *r)
{
	struct relay_run *c;

	if (!r)
		return NULL;
	c = xmalloc(sizeof(*c));
	*c = *r;
	c->served = xcalloc(r->n ? r->n : 1, sizeof(*c->served));
	memcpy(c->served, r->served, r->n * sizeof(*c->served));
	c->events = r->events ? xstrdup(r->events) : NULL;
	return c;
}

static void element_done(struct element *el)
{
	free(el->slot);
	free(el->path);
	free(el->title);
	free(el->topic);
	free(el->plan);
	free(el->skip_reason);
	free(el->actor);
	if (el->src)
		source_done(el->src);
	free(el->src);
	relay_run_free(el->run);
	free(el->origin);
	free(el->province_schedule);
	free(el->province_bulletin);
	memset(el, 0, sizeof(*el));
}

/* The file is the content store's, named by the bulletin's hash: never
 * the path column as stored, which anyone who can write the database
 * could point elsewhere. */
static void element_from_bulletin(struct element *el, const struct bulletin *b, const char *state_dir)
{
	el->part = PART_ITEM;
	el->path = store_path_of(state_dir, b->sha256, b->path);
	el->bulletin_id = b->id;
	el->title = xstrdup(b->title);
	el->topic = xstrdup_or_null(b->topic);
	el->plan = xstrdup_or_null(b->plan);
	memcpy(el->sha256, b->sha256, SHA256_HEX);
	el->priority = (int)b->priority;
	el->loudness_lufs = b->audio.loudness_lufs;
	el->peak_dbfs = b->audio.peak_dbfs;
	el->makeup = b->makeup;
	el->expected_ms = b->audio.duration_ms;
}

static void element_copy(struct element *dst, const struct element *src)
{
	*dst = *src;
	dst->slot = xstrdup_or_null(src->slot);
	dst->path = xstrdup_or_null(src->path);
	dst->title = xstrdup_or_null(src->title);
	dst->topic = xstrdup_or_null(src->topic);
	dst->plan = xstrdup_or_null(src->plan);
	dst->skip_reason = xstrdup_or_null(src->skip_reason);
	dst->actor = xstrdup_or_null(src->actor);
	if (src->src) {
		dst->src = xmalloc(sizeof(*dst->src));
		source_copy(dst->src, src->src);
	}
	dst->run = relay_run_copy(src->run);
	dst->origin = xstrdup_or_null(src->origin);
	dst->province_schedule = xstrdup_or_null(src->province_schedule);
	dst->province_bulletin = xstrdup_or_null(src->province_bulletin);
}

/* Inserts EL (taken over) at index AT of the queue. */
static void queue_insert(struct engine *e, size_t at, struct element *el)
{
	xgrow(&e->q, &e->capq, e->nq + 1, sizeof(*e->q));
	if (at > e->nq)
		at = e->nq;
	memmove(e->q + at + 1, e->q + at, (e->nq - at) * sizeof(*e->q));
	e->q[at] = *el;
	e->nq++;
	memset(el, 0, sizeof(*el));
}

static void queue_pop(struct engine *e, struct element *out)
{
	*out = e->q[0];
	e->nq--;
	memmove(e->q, e->q + 1, e->nq * sizeof(*e->q));
}

/* ---- the ledger ---- */

static void row_from_element(struct ledger_row *row, const struct element *el)
{
	memset(row, 0, sizeof(*row));
	row->kind = el->kind;
	row->occurrence_at = el->occurrence_at;
	/* A province item airs like a play (no slot, no occurrence to keep
	 * whole) but is ledgered as what it is: a scheduled item, at its
	 * instant, without a slot. */
	if (el->origin) {
		row->kind = KIND_SLOT;
		row->occurrence_at = el->scheduled_at;
	}
	row->scheduled_at = el->scheduled_at;
	row->bulletin_id = el->bulletin_id;
	row->title = el->title;
	row->topic = el->topic;
	row->plan = el->plan;
	row->slot = el->slot;
	row->by = el->actor;
	row->origin = el->origin;
	row->province_schedule = el->province_schedule;
	row->province_bulletin = el->province_bulletin;
	row->priority = el->priority;
	memcpy(row->content_sha256, el->sha256, SHA256_HEX);
	if (el->src)
		row->relay_source = el->src->name;
}

/* Does EL get a ledger row? Items and relay windows do; intros and
 * outros, which the row of what they frame covers, do not. */
static bool has_row(const struct element *el)
{
	return el->part == PART_ITEM || el->part == PART_RELAY;
}

/* After a ledger write: whatever still waits is tried again on the
 * backoff's timer; with nothing waiting there is no timer, nor while the
 * page check of the start holds writes (engine_ledger_writable ends that). */
static void ledger_wrote(struct engine *e)
{
	if (!backlog_waiting(e->ledger) || !db_writable(e->db)) {
		e->ledger_retry_ms = 0;
	} else if (!e->ledger_retry_ms) {
		e->ledger_retry_ms = LEDGER_RETRY_MIN_MS;
		e->ledger_retry_at = now(e) + e->ledger_retry_ms;
	}
}

static void ledger_retry(struct engine *e, int64_t t_now)
{
	if (!backlog_flush(e->ledger)) {
		e->ledger_retry_ms = 0;
		return;
	}
	e->ledger_retry_ms *= 2;
	if (e->ledger_retry_ms > LEDGER_RETRY_MAX_MS)
		e->ledger_retry_ms = LEDGER_RETRY_MAX_MS;
	e->ledger_retry_at = t_now + e->ledger_retry_ms;
}


/* Writes a final row (FINISH: of the item on air) through the backlog. */
static void record(struct engine *e, struct ledger_row *row, bool finish)
{
	/* A lost row is logged in full by backlog.c. */
	if (backlog_append(e->ledger, row, finish) < 0)
		snprintf(e->last_error, sizeof(e->last_error), "could not record '%s' as %s in the ledger",
			 row->title ? row->title : "", outcome_name(row->outcome));
	ledger_wrote(e);
}

/* A row for an item that never started. */
static void record_unaired(struct engine *e, const struct element *el, enum outcome oc, const char *reason)
{
	struct ledger_row row;

	row_from_element(&row, el);
	row.outcome = oc;
	row.reason = (char *)reason;
	record(e, &row, false);
}

/* ---- occurrences ---- */

/* The next occurrence after the cursor, in (start, slot index) order. */
static void find_next(struct engine *e)
{
	bool had = e->have_next;
	int64_t was = e->next_at;
	size_t was_slot = e->next_slot;
	char when[ISO_LEN];

	e->have_next = false;
	for (size_t i = 0; i < e->cfg->n_slots; i++) {
		const struct slot *s = &e->cfg->slots[i];
		int64_t t = plan_slot_next(s, (long)i > e->cursor_slot ? e->cursor_at : e->cursor_at + 1);

		if (t < 0)
			continue;
		if (!e->have_next || t < e->next_at) {
			e->have_next = true;
			e->next_slot = i;
			e->next_at = t;
		}
	}
	if (e->have_next && (!had || was != e->next_at || was_slot != e->next_slot))
		log_info(_("next: slot '%s' at %s"), e->cfg->slots[e->next_slot].name,
			 time_format_iso(e->next_at, when));
	else if (!e->have_next && had)
		log_notice(_("no slot airs again under this config"));
}

static int cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* True if ID is among the N ascending IDS (ledger_occurrence_items). */
static bool recorded(const int64_t *ids, size_t n, int64_t id)
{
	return n > 0 && bsearch(&id, ids, n, sizeof(*ids), cmp_id) != NULL;
}

/* Does the ledger hold, or will it, a row for this item? DONE: what
 * ledger_occurrence_items found for its occurrence. */
static bool has_item(const struct engine *e, const char *slot, int64_t occurrence_at, int64_t bulletin_id,
		     const int64_t *done, size_t n_done)
{
	return recorded(done, n_done, bulletin_id) ||
	       backlog_has_item(e->ledger, slot, occurrence_at, bulletin_id);
}

static void element_from_plan(struct element *el, const struct plan_item *it, const struct slot *s,
			      const char *state_dir)
{
	memset(el, 0, sizeof(*el));
	if (it->bulletin)
		element_from_bulletin(el, it->bulletin, state_dir);
	el->kind = KIND_SLOT;
	el->part = it->part;
	el->slot = xstrdup(s->name);
	el->occurrence_at = it->occurrence_at;
	el->scheduled_at = it->at;
	el->expected_ms = it->expected_ms;
	el->slot_end = s->max_minutes ? it->occurrence_at + (int64_t)s->max_minutes * 60000 : 0;
	if (it->part == PART_INTRO)
		el->path = xstrdup(s->intro);
	else if (it->part == PART_OUTRO)
		el->path = xstrdup(s->outro);
}

/* A relay slot's occurrence: its window as one element, with its source
 * as the database holds it now; queued (ON_AIR) or recorded as missed with
 * REASON, unless the ledger holds its row already. */
static void take_relay(struct engine *e, const struct slot *s, int64_t at, bool on_air, const char *reason)
{
	struct element el = { 0 };
	int64_t *done = NULL;
	size_t n_done = 0;
	int r;

	ledger_occurrence_items(e->db, s->name, at, &done, &n_done);
	if (has_item(e, s->name, at, 0, done, n_done)) {
		free(done);
		return;
	}
	free(done);
	el.kind = KIND_SLOT;
	el.part = PART_RELAY;
	el.slot = xstrdup(s->name);
	el.occurrence_at = el.scheduled_at = at;
	el.expected_ms = (int64_t)s->max_minutes * 60000;
	el.slot_end = at + el.expected_ms;
	el.src = xcalloc(1, sizeof(*el.src));
	r = sources_get(e->db, s->relay, el.src);
	if (r < 0) {
		/* Removed since (a slot cannot name a source that is gone, but
		 * the database may be read between the two commands). */
		el.src->name = xstrdup(s->relay);
		el.title = xasprintf("%s", s->relay);
		set_error(e, N_("slot '%s' relays source '%s', which the database does not hold; the window "
			  "does not air"), s->name, s->relay);
		record_unaired(e, &el, OUTCOME_FAILED, "the relay source is not in the database");
		element_done(&el);
		return;
	}
	el.title = xstrdup(source_title(el.src));
	el.topic = xstrdup_or_null(el.src->topic);
	if (!on_air) {
		record_unaired(e, &el, OUTCOME_MISSED, reason);
	} else {
		el.due = at;
		queue_insert(e, e->nq, &el);
	}
	element_done(&el);
}

/* Plans slot S on the day of AT with the library as it stands, and either
 * queues it (ON_AIR) or records every item as missed with REASON. Items the
 * ledger already holds are left alone. */
static void take_occurrence(struct engine *e, const struct slot *s, int64_t at, bool on_air, const char *reason)
{
	struct bulletin *then = NULL;
	struct plan plan = { 0 };
	int32_t day = time_local_day(at, NULL);
	size_t n_then = 0, n_done = 0;
	bool first = true, any_item = false;
	int64_t *done = NULL;

	if (s->relay) {
		take_relay(e, s, at, on_air, reason);
		return;
	}
	/* Only the bulletins that can air in this slot that day, as the
	 * library stood at its instant: a start re-plans the last occurrence,
	 * and reading a library of thousands for it was most of a start. */
	if (library_for_slot(e->db, s->name, day, at, &then, &n_then) < 0) {
		set_error(e, N_("cannot read the bulletin library; slot '%s' does not air"), s->name);
		return;
	}
	plan_occurrence(e->cfg, s, day, then, n_then, &plan);
	/* An error reads as nothing recorded. */
	ledger_occurrence_items(e->db, s->name, at, &done, &n_done);
	/* An intro or outro never airs alone, e.g. after a restart within
	 * grace of an occurrence whose items the ledger already holds. */
	for (size_t i = 0; i < plan.n && !any_item; i++)
		any_item = plan.v[i].part == PART_ITEM && !plan.v[i].skipped &&
			   !has_item(e, s->name, at, plan.v[i].bulletin->id, done, n_done);
	for (size_t i = 0; i < plan.n; i++) {
		const struct plan_item *it = &plan.v[i];
		struct element el;

		if (it->part == PART_ITEM && has_item(e, s->name, at, it->bulletin->id, done, n_done))
			continue;
		if (it->part != PART_ITEM && !any_item)
			continue;
		element_from_plan(&el, it, s, e->cfg->state_dir);
		if (it->skipped && on_air) {
			/* Recorded in queue order: were it recorded now, ahead of
			 * an earlier occurrence still queued, a power cut would
			 * leave the ledger's last occurrence past that one's
			 * unrecorded items, and the next start would skip them. */
			el.skip_reason = xstrdup(it->reason);
			queue_insert(e, e->nq, &el);
		} else if (it->skipped) {
			record_unaired(e, &el, OUTCOME_SKIPPED, it->reason);
		} else if (!on_air) {
			if (it->part == PART_ITEM)
				record_unaired(e, &el, OUTCOME_MISSED, reason);
		} else {
			/* The occurrence's first element waits for the slot's
			 * instant; the rest follow, gap by gap. */
			el.due = first ? at : 0;
			first = false;
			queue_insert(e, e->nq, &el);
		}
		element_done(&el);
	}
	plan_done(&plan);
	free(done);
	bulletins_free(then, n_then);
}

static void missed_reason(const struct engine *e, int64_t at, char *buf, size_t len)
{
	char when[ISO_LEN];

	snprintf(buf, len, "the slot was due at %s while loa was not running or the clock was not "
		 "trusted, and more than the %d-minute grace period has passed",
		 time_format_iso(at, when), e->cfg->grace_minutes);
}

/* Takes every occurrence from the cursor whose pre-roll instant has come. */
static void take_due_occurrences(struct engine *e, int64_t t_now)
{
	int64_t grace = (int64_t)e->cfg->grace_minutes * 60000;

	while (e->have_next && t_now >= e->next_at - next_lead_ms(e)) {
		const struct slot *s = &e->cfg->slots[e->next_slot];
		int64_t at = e->next_at;

		if (t_now - at > grace) {
			char reason[256];

			missed_reason(e, at, reason, sizeof(reason));
			take_occurrence(e, s, at, false, reason);
		} else {
			take_occurrence(e, s, at, true, NULL);
		}
		e->cursor_at = at;
		e->cursor_slot = (long)e->next_slot;
		find_next(e);
	}
}

/* Accounts for every occurrence after FROM whose grace period is over by
 * T_NOW as missed, then leaves the cursor so that those still within grace
 * air late. */
static void reconcile(struct engine *e, int64_t from, int64_t t_now)
{
	int64_t cutoff = t_now - (int64_t)e->cfg->grace_minutes * 60000;

	if (from < t_now - RECONCILE_MAX_MS)
		from = t_now - RECONCILE_MAX_MS;
	for (;;) {
		const struct slot *best = NULL;
		int64_t best_at = 0;

		for (size_t i = 0; i < e->cfg->n_slots; i++) {
			int64_t t = plan_slot_next(&e->cfg->slots[i], from);

			if (t >= 0 && t < cutoff && (!best || t < best_at)) {
				best = &e->cfg->slots[i];
				best_at = t;
			}
		}
		if (!best)
			break;
		/* Every slot starting at best_at is accounted for together. */
		for (size_t i = 0; i < e->cfg->n_slots; i++) {
			if (plan_slot_next(&e->cfg->slots[i], best_at) == best_at) {
				char reason[256];

				missed_reason(e, best_at, reason, sizeof(reason));
				take_occurrence(e, &e->cfg->slots[i], best_at, false, reason);
			}
		}
		from = best_at + 1;
	}
	if (cutoff > e->cursor_at || e->cursor_slot == LONG_MIN) {
		e->cursor_at = cutoff;
		e->cursor_slot = -1;
	}
	e->reconciled = true;
	find_next(e);
}

/* The earliest instant from which a start must account for missed slots:
 * the last occurrence the ledger knows (its unrecorded items included), or,
 * on a new station, the first import. */
static int64_t reconcile_from(struct engine *e)
{
	int64_t last = ledger_last_occurrence(e->db);
	struct bulletin *lib = NULL;
	size_t n = 0;
	int64_t first = INT64_MAX;

	if (last > 0)
		return last;
	if (library_list(e->db, true, &lib, &n) == 0)
		for (size_t i = 0; i < n; i++)
			if (lib[i].imported_at < first)
				first = lib[i].imported_at;
	bulletins_free(lib, n);
	return first == INT64_MAX ? now(e) : first;
}

/* ---- the element on air ---- */

/* A bulletin's make-up found at import is used when this airing's gain
 * and ceiling are the ones it was found for; otherwise the sink finds one. */
static struct player_opts element_opts(const struct engine *e, const struct element *el)
{
	struct player_opts o = { .gain_db = e->cfg->gain_db, .ceiling_dbtp = e->cfg->true_peak_dbtp,
				 .fade_ms = IMPORT_FADE_MS };

	if (el->part == PART_ITEM) {
		o = import_item_opts(e->cfg, el->loudness_lufs, el->peak_dbfs);
		o.sha256 = el->sha256[0] ? el->sha256 : NULL;
		if (bulletin_makeup_fits(&el->makeup, o.gain_db, o.ceiling_dbtp, PLAYER_MAKEUP_VERSION)) {
			o.makeup_known = true;
			o.makeup_db = el->makeup.db;
		}
	}
	return o;
}

static void close_current(struct engine *e)
{
	if (e->h)
		e->env->sink->close(e->env->ctx, e->h);
	e->h = NULL;
	element_done(&e->cur);
	free(e->stop_reason);
	e->stop_reason = NULL;
	memset(&e->row, 0, sizeof(e->row));
	e->state = CUR_NONE;
}

/* The current element is passed over: the occurrence's next element still
 * waits for its instant, rather than start at the pre-roll, ahead of the
 * slot. */
static void pass_due_on(struct engine *e)
{
	if (e->cur.due && e->nq > 0 && !e->q[0].due && e->q[0].kind == KIND_SLOT &&
	    e->q[0].occurrence_at == e->cur.occurrence_at)
		e->q[0].due = e->cur.due;
}

/* ---- relays (tiếp âm) ----
 *
 * A relay window is one element (PART_RELAY) with one ledger row. The
 * sink connects, decodes and airs; every decision is here: which input
 * to try, when an input is dead air, when to go back to the first, and
 * what the row says. The element keeps its state (struct relay_run)
 * across the sessions an alert or a lost device splits its window into. */

static void stop_current(struct engine *e, enum outcome oc, const char *reason);

static int64_t relay_frames(const struct relay_run *r)
{
	return r->audio_frames + r->session_frames;
}

/* Input I of EL's source: a URL or a capture device. */
static const char *relay_input(const struct element *el, int i)
{
	return i >= 0 && (size_t)i < source_n_inputs(el->src) ? source_input(el->src, (size_t)i) : "";
}

static void relay_note(struct relay_run *r, int64_t t, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds "HH:MM:SS what" to what the row's reason will list. */
static void relay_note(struct relay_run *r, int64_t t, const char *fmt, ...)
{
	char when[ISO_LEN], what[512];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	time_format_iso(t, when);
	when[19] = '\0';
	n = strlen(what) + 12;
	if (r->events_len + n > RELAY_EVENTS_MAX) {
		r->events_left_out++;
		return;
	}
	r->events = xrealloc(r->events, r->events_len + n + 1);
	r->events_len += (size_t)sprintf(r->events + r->events_len, "%s%s %s", r->events_len ? "; " : "",
					 when + 11, what);
}

static bool relay_window_over(const struct engine *e)
{
	return now(e) >= e->cur.slot_end - 1000;
}

/* Asks the sink for input I; BACK: the return to the first input, with
 * another on air. */
static void relay_tune(struct engine *e, int i, bool back)
{
	struct relay_run *r = e->cur.run;

	r->tuning = i;
	r->tuning_back = back;
	log_info(_("relay '%s': connecting to %s"), e->cur.src->name, relay_input(&e->cur, i));
	e->env->sink->relay_tune(e->env->ctx, e->h, (size_t)i);
}

/* Pre-roll of the current relay element: the device, and the state of
 * its window on its first session. */
static void *relay_open(struct engine *e, int *err, char *msg, size_t len)
{
	struct element *el = &e->cur;
	struct relay_opts o = {
		.shape = { .gain_db = e->cfg->gain_db, .ceiling_dbtp = e->cfg->true_peak_dbtp, .fade_ms = IMPORT_FADE_MS },
		.target_lufs = e->cfg->target_lufs,
		.end_at = el->slot_end,
		.silence_ms = e->cfg->relay_silence_s * 1000,
		.capture = el->src->capture != NULL,
	};
	size_t n = source_n_inputs(el->src);
	const char **inputs;
	struct relay_run *r;
	void *h;

	if (!e->env->sink->relay_open || n == 0) {
		*err = -ENOTSUP;
		snprintf(msg, len, "source '%s' has nothing to relay", el->src->name);
		return NULL;
	}
	inputs = xcalloc(n, sizeof(*inputs));
	for (size_t i = 0; i < n; i++)
		inputs[i] = source_input(el->src, i);
	h = e->env->sink->relay_open(e->env->ctx, inputs, n, &o, err, msg, len);
	free(inputs);
	if (!h)
		return NULL;
	if (!el->run) {
		el->run = xcalloc(1, sizeof(*el->run));
		el->run->window_ms = el->slot_end - el->occurrence_at;
		el->run->n = n;
		el->run->served = xcalloc(n, sizeof(*el->run->served));
	}
	r = el->run;
	r->rate = e->env->sink->rate(e->env->ctx, h);
	r->session_frames = 0;
	r->session_begun = false;
	r->on_air = r->dead = r->tuning = -1;
	r->tries = r->failed_in_row = 0;
	r->retry_at = r->retry_ms = 0;
	r->back_at = r->back_ms = 0;
	return h;
}

/* The source's first frame of this session is on air: its in-flight
 * record is written (or taken back from where an alert parked it). */
static void relay_begin(struct engine *e, int64_t first_at, int64_t t_now)
{
	struct relay_run *r = e->cur.run;
	char when[ISO_LEN];

	r->session_begun = true;
	if (!r->begun) {
		r->started_at = first_at;
		row_from_element(&e->row, &e->cur);
		e->row.started_at = first_at;
		e->row.relay_url = (char *)relay_input(&e->cur, r->on_air);
		backlog_begin(e->ledger, &e->row, r->rate);
		r->begun = true;
		ledger_wrote(e);
		log_info(_("on air: relay '%s' (%s, slot '%s', first frame at %s, %lld ms after its instant)"),
			 e->cur.src->name, e->row.relay_url, e->cur.slot, time_format_iso(first_at, when),
			 (long long)(first_at - e->cur.occurrence_at));
	} else if (r->held) {
		backlog_resume(e->ledger);
		r->held = false;
		ledger_wrote(e);
		log_info(_("on air again: relay '%s' of slot '%s'"), e->cur.src->name, e->cur.slot);
	}
	/* item_now() counts from the row's start on the monotonic clock. */
	row_from_element(&e->row, &e->cur);
	e->row.started_at = r->started_at;
	e->started_mono = e->env->mono(e->env->ctx) - (t_now - r->started_at);
	e->last_checkpoint = t_now;
}

/* Input I could not be tuned (WHY). */
static void relay_failed(struct engine *e, int i, const char *why, int64_t t_now)
{
	struct relay_run *r = e->cur.run;
	const char *name = e->cur.src->name;

	r->tuning = -1;
	if (r->tuning_back && r->on_air >= 0) {
		/* The fallback on air stays; the first is asked again later. */
		r->back_ms = r->back_ms ? r->back_ms * 2 : RELAY_BACK_MIN_MS;
		if (r->back_ms > RELAY_BACK_MAX_MS)
			r->back_ms = RELAY_BACK_MAX_MS;
		r->back_at = t_now + r->back_ms;
		log_info(_("relay '%s': %s is still no use (%s); staying on %s, asking again in %lld s"), name,
			 relay_input(&e->cur, i), why, relay_input(&e->cur, r->on_air), (long long)(r->back_ms / 1000));
		return;
	}
	text_set(r->last_why, sizeof(r->last_why), "%s: %s", relay_input(&e->cur, i), why);
	/* Retried every few seconds while nothing answers: a warning the
	 * first time, until an input is on air again. */
	if (!(r->warned & 1u << (i % 32))) {
		log_warn(_("relay '%s': %s failed: %s"), name, relay_input(&e->cur, i), why);
		relay_note(r, t_now, "%s failed: %s", relay_input(&e->cur, i), why);
		r->warned |= 1u << (i % 32);
	} else {
		log_info(_("relay '%s': %s failed: %s"), name, relay_input(&e->cur, i), why);
	}
	if (++r->tries < RELAY_TRIES) {
		r->retry_at = t_now + RELAY_TICK_MS;
		return;
	}
	r->tries = 0;
	r->cand = (i + 1) % (int)r->n;
	if (++r->failed_in_row < (int)r->n) {
		r->retry_at = t_now;
		return;
	}
	/* Every input failed in a row: the window airs silence, rather than
	 * anything else, until one answers. */
	r->failed_in_row = 0;
	r->retry_ms = r->retry_ms ? r->retry_ms * 2 : RELAY_RETRY_MIN_MS;
	if (r->retry_ms > RELAY_RETRY_MAX_MS)
		r->retry_ms = RELAY_RETRY_MAX_MS;
	r->retry_at = t_now + r->retry_ms;
	set_error(e, N_("relay '%s': none of its %zu inputs can be aired; it airs silence and tries them again "
		  "in %lld s (check the receiver or the addresses: loa source list)"), name, r->n,
		  (long long)(r->retry_ms / 1000));
}

/* Reads the sink's state into the run: what carried the source, and by
 * which input. */
static void relay_account(struct engine *e, struct relay_status *st)
{
	struct relay_run *r = e->cur.run;

	e->env->sink->relay_status(e->env->ctx, e->h, st);
	if (r->on_air >= 0 && st->audio_frames > r->session_frames)
		r->served[r->on_air] += st->audio_frames - r->session_frames;
	r->session_frames = st->audio_frames;
}

/* The decisions, at every tick of a relay in pre-roll or on air. */
static void relay_watch(struct engine *e, int64_t t_now)
{
	struct relay_run *r = e->cur.run;
	const char *name = e->cur.src->name;
	struct relay_status st;
	bool starved, silent;

	/* At a fixed pace, not at every event: the loop wakes for the device
	 * every period, and a tick pushed back each time would never come. */
	e->relay_tick_at = t_now + RELAY_TICK_MS;
	relay_account(e, &st);
	if (st.failed >= 0)
		relay_failed(e, st.failed, st.why, t_now);
	if (st.lost >= 0) {
		r->dropouts++;
		log_warn(_("relay '%s': %s stopped: %s; connecting again"), name, relay_input(&e->cur, st.lost), st.why);
		relay_note(r, t_now, "%s stopped: %s", relay_input(&e->cur, st.lost), st.why);
		r->on_air = r->dead = -1;
		r->cand = st.lost;
		r->tries = 0;
		r->retry_at = t_now;
	}
	if (st.on_air >= 0 && st.on_air != r->on_air) {
		if (r->on_air >= 0 || r->dropouts) {
			r->switches++;
			relay_note(r, t_now, "%s on air", relay_input(&e->cur, st.on_air));
		}
		log_notice(_("relay '%s': on air from %s"), name, relay_input(&e->cur, st.on_air));
		r->on_air = st.on_air;
		r->dead = -1;
		r->warned = 0;
		r->tries = r->failed_in_row = 0;
		r->retry_ms = 0;
		r->cand = st.on_air;
		if (st.on_air == 0) {
			r->back_at = r->back_ms = 0;
		} else if (!r->back_at) {
			r->back_ms = RELAY_BACK_MIN_MS;
			r->back_at = t_now + r->back_ms;
		}
	}
	r->on_air = st.on_air;
	r->tuning = st.tuning;
	if (e->state == CUR_PLAYING && st.first_audio_at && !r->session_begun)
		relay_begin(e, st.first_audio_at, t_now);
	if (st.tuning >= 0)
		return;
	if (st.on_air >= 0) {
		starved = st.starved_ms >= RELAY_STARVED_MS;
		silent = st.silent_ms >= (int64_t)e->cfg->relay_silence_s * 1000;
		if (!starved && !silent) {
			r->dead = -1;
			if (st.on_air != 0 && r->back_at && t_now >= r->back_at)
				relay_tune(e, 0, true);
			return;
		}
		if (r->dead != st.on_air) {
			/* Dead air: the next input, while this one stays on air
			 * in case it comes back first. */
			r->dead = st.on_air;
			r->dropouts++;
			if (starved) {
				log_warn(_("relay '%s': no data from %s for %d s; trying the next input"), name,
					 relay_input(&e->cur, st.on_air), RELAY_STARVED_MS / 1000);
				relay_note(r, t_now, "no data from %s for %d s", relay_input(&e->cur, st.on_air),
					   RELAY_STARVED_MS / 1000);
			} else {
				log_warn(_("relay '%s': %s has been silent for %d s (dead air); trying the next input"),
					 name, relay_input(&e->cur, st.on_air), e->cfg->relay_silence_s);
				relay_note(r, t_now, "%s silent for %d s", relay_input(&e->cur, st.on_air),
					   e->cfg->relay_silence_s);
			}
			r->cand = (st.on_air + 1) % (int)r->n;
			r->tries = 0;
			r->failed_in_row = 0;
			r->retry_at = t_now;
		}
	}
	if (t_now >= r->retry_at)
		relay_tune(e, r->cand, false);
}

/* The device started at STARTED: the relay is on air (silence until an
 * input delivers). */
static void relay_started(struct engine *e, int64_t started)
{
	struct relay_run *r = e->cur.run;

	if (r->off_air_at) {
		r->off_air_ms += started - r->off_air_at;
		r->off_air_at = 0;
	}
	log_info(_("on air: relay '%s' of slot '%s', until %lld s from now"), e->cur.src->name, e->cur.slot,
		 (long long)((e->cur.slot_end - started) / 1000));
	relay_watch(e, now(e));
}

/* The input that carried most of the window, or -1. */
static int relay_best_input(const struct relay_run *r)
{
	int best = -1;

	for (size_t i = 0; r && i < r->n; i++)
		if (r->served[i] > 0 && (best < 0 || r->served[i] > r->served[best]))
			best = (int)i;
	return best;
}

/* Writes the single row of EL's window, ended at ENDED (0 when it never
 * aired): completed when 95 % of the time it was due on air carried the
 * source, partial below, failed with nothing; FORCED (a stop, a
 * shutdown) overrides that with WHY. */
static void relay_row(struct engine *e, struct element *el, int64_t ended, bool forced, enum outcome oc,
		      const char *why)
{
	struct relay_run *r = el->run;
	struct ledger_row row;
	int64_t audio_ms = r && r->rate > 0 ? relay_frames(r) * 1000 / r->rate : 0;
	int64_t due = r ? r->window_ms - r->off_air_ms : el->slot_end - el->occurrence_at;
	int best = relay_best_input(r);
	char *reason = NULL, *p;
	size_t len = 0;
	FILE *f = open_memstream(&reason, &len);

	if (r && r->off_air_at && ended) {
		due -= ended - r->off_air_at;
		r->off_air_at = 0;
	}
	if (!forced)
		oc = audio_ms == 0 ? OUTCOME_FAILED :
		     audio_ms * 1000 >= due * RELAY_COMPLETE_PERMILLE ? OUTCOME_COMPLETED : OUTCOME_PARTIAL;
	if (why)
		fprintf(f, "%s", why);
	if (!forced && oc != OUTCOME_COMPLETED)
		fprintf(f, "%s%lld of %lld s carried the source", ftell(f) ? "; " : "", (long long)(audio_ms / 1000),
			(long long)(due / 1000));
	if (audio_ms == 0 && r && r->last_why[0])
		fprintf(f, "%snothing could be aired; last: %s", ftell(f) ? "; " : "", r->last_why);
	if (r && r->started_at && r->started_at - el->occurrence_at >= 1000)
		fprintf(f, "%sthe first frame went out %.1f s after the instant", ftell(f) ? "; " : "",
			(double)(r->started_at - el->occurrence_at) / 1000);
	if (r && r->off_air_ms > 0)
		fprintf(f, "%soff air %lld s for emergency alerts or a lost device", ftell(f) ? "; " : "",
			(long long)(r->off_air_ms / 1000));
	if (r && r->dropouts)
		fprintf(f, "%s%d dropout(s), %d switch(es)%s", ftell(f) ? "; " : "", r->dropouts, r->switches,
			r->events ? ":" : "");
	if (r && r->events)
		fprintf(f, "%s%s%s", !ftell(f) ? "" : r->dropouts ? " " : "; ", r->events,
			r->events_left_out ? "; and more (see the journal)" : "");
	fclose(f);
	p = *reason ? reason : NULL;

	row_from_element(&row, el);
	row.outcome = oc;
	row.reason = p;
	row.relay_url = best >= 0 ? (char *)relay_input(el, best) : NULL;
	if (r && r->begun) {
		if (r->held) {
			backlog_resume(e->ledger);
			r->held = false;
		}
		row.started_at = r->started_at;
		row.ended_at = ended > r->started_at ? ended : r->started_at;
		row.frames = relay_frames(r);
		row.played_ms = audio_ms;
		record(e, &row, true);
	} else {
		record(e, &row, false);
	}
	log_info(_("%s: relay '%s' of slot '%s', %lld ms carried the source"), outcome_name(oc), el->src->name,
		 el->slot, (long long)audio_ms);
	free(reason);
}

/* The current relay element did not air this session (the device, or the
 * window is over): its row, if nothing of it is to air any more. */
static void relay_finish_unaired(struct engine *e)
{
	struct element *el = &e->cur;

	if (el->run && el->run->begun)
		relay_row(e, el, now(e), false, OUTCOME_PARTIAL, NULL);
	else
		relay_row(e, el, 0, true, OUTCOME_FAILED, e->last_error[0] ? e->last_error : "the relay did not start");
}

/* A queued relay whose window is cut short (the daemon stops). */
static void relay_finish_queued(struct engine *e, struct element *el, const char *why)
{
	relay_row(e, el, now(e), true, OUTCOME_PARTIAL, why);
	relay_run_free(el->run);
	el->run = NULL;
}

static void relay_record_missed(struct engine *e, struct element *el, const char *reason)
{
	if (el->run && el->run->begun)
		relay_row(e, el, now(e), false, OUTCOME_PARTIAL, NULL);
	else
		relay_row(e, el, 0, true, OUTCOME_MISSED, reason);
}

/* The relay on air ended: its window is over (RESULT 1), it was stopped
 * or preempted, or the device failed. Preempted, or with the device lost
 * inside its window, it goes back to the queue, behind any alert, to
 * resume for the rest of the window; otherwise its row is written. */
static void relay_ended(struct engine *e, int result, int64_t t_now)
{
	struct relay_run *r = e->cur.run;
	bool stopping = e->state == CUR_STOPPING;
	struct relay_status st;
	size_t at = 0;

	relay_account(e, &st);
	r->audio_frames += r->session_frames;
	r->session_frames = 0;
	if ((stopping && e->stop_outcome == OUTCOME_PREEMPTED) ||
	    (!stopping && result < 0 && t_now < e->cur.slot_end - 1000)) {
		if (result < 0 && !stopping) {
			e->device_ok = false;
			set_error(e, N_("relay '%s': the audio output failed (%s); airing it again as soon as the "
				  "device is back"), e->cur.src->name, strerror(-result));
			r->dropouts++;
			relay_note(r, t_now, "the audio output failed: %s", strerror(-result));
		} else {
			relay_note(r, t_now, "preempted by an emergency alert");
		}
		r->off_air_at = t_now;
		if (r->begun && !r->held) {
			backlog_hold(e->ledger);
			r->held = true;
			ledger_wrote(e);
		}
		while (at < e->nq && e->q[at].kind == KIND_ALERT)
			at++;
		e->cur.due = 0;
		queue_insert(e, at, &e->cur);
		e->gap_until = t_now;
		close_current(e);
		return;
	}
	if (stopping)
		relay_row(e, &e->cur, item_now(e), true, e->stop_outcome, e->stop_reason);
	else if (result < 0)
		relay_row(e, &e->cur, item_now(e), false, OUTCOME_PARTIAL, "the audio output failed at the end");
	else
		/* The sink played the window's frames to its last: that is
		 * when it ended, a poll period or so before this was heard. */
		relay_row(e, &e->cur, item_now(e) - e->cur.slot_end < 1000 ? e->cur.slot_end : item_now(e), false,
			  OUTCOME_COMPLETED, NULL);
	e->gap_until = t_now + e->cfg->gap_ms;
	close_current(e);
}

/* ---- a missing device ---- */

#define DEVICE_RETRY_MIN_MS 1000
#define DEVICE_RETRY_MAX_MS 30000

/* Until when EL may wait for the device: while it still fits in its slot,
 * or, with no slot end, for the grace period after it was due. */
static int64_t device_wait_until(const struct engine *e, const struct element *el)
{
	int64_t from = el->occurrence_at ? el->occurrence_at : el->scheduled_at;

	/* A relay airs what is left of its window, however little. */
	if (el->part == PART_RELAY)
		return el->slot_end - 1000;
	if (el->slot_end)
		return el->slot_end - el->expected_ms;
	return from + (int64_t)e->cfg->grace_minutes * 60000;
}

/* The device could not be opened for the current element: it goes back to
 * the head of the queue and is tried again after the backoff, unless its
 * time is over. Returns false when it is to be recorded as failed. */
static bool wait_for_device(struct engine *e, const char *msg)
{
	int64_t t_now = now(e);

	if (t_now >= device_wait_until(e, &e->cur)) {
		e->device_retry_ms = 0;
		return false;
	}
	e->device_retry_ms = e->device_retry_ms ? e->device_retry_ms * 2 : DEVICE_RETRY_MIN_MS;
	if (e->device_retry_ms > DEVICE_RETRY_MAX_MS)
		e->device_retry_ms = DEVICE_RETRY_MAX_MS;
	e->device_retry_at = t_now + e->device_retry_ms;
	set_error(e, N_("cannot air %s: %s; trying again in %lld s"), e->cur.title ? e->cur.title : e->cur.path,
		  msg, (long long)(e->device_retry_ms / 1000));
	queue_insert(e, 0, &e->cur);
	return true;
}

/* Opens the queue's head ahead of its instant. Elements whose file cannot
 * be opened are recorded as failed and passed over; while the device
 * cannot be opened, the head waits for it (wait_for_device). */
static void preroll_next(struct engine *e)
{
	while (e->state == CUR_NONE && e->nq > 0) {
		struct player_opts opts;
		char msg[512];
		int err = 0;

		queue_pop(e, &e->cur);
		/* A normal province item that waited behind the station's own
		 * past its grace period found no room. */
		if (e->cur.origin && e->cur.priority == PRIO_NORMAL &&
		    now(e) - e->cur.scheduled_at > (int64_t)e->cfg->grace_minutes * 60000 && !e->cur.skip_reason)
			e->cur.skip_reason = xasprintf("no room: what aired before it ran past its instant by more "
						       "than the %d-minute grace period", e->cfg->grace_minutes);
		if (e->cur.skip_reason) {
			record_unaired(e, &e->cur, OUTCOME_SKIPPED, e->cur.skip_reason);
			pass_due_on(e);
			element_done(&e->cur);
			continue;
		}
		if (e->cur.part == PART_RELAY && relay_window_over(e)) {
			relay_finish_unaired(e);
			element_done(&e->cur);
			continue;
		}
		power(e, true);
		if (e->cur.part == PART_RELAY) {
			e->h = relay_open(e, &err, msg, sizeof(msg));
		} else {
			opts = element_opts(e, &e->cur);
			/* An element due at an instant is heard from that instant, not
			 * from whenever the device plays what it is handed then. */
			if (e->cur.due)
				opts.at_ms = e->cur.due > e->gap_until ? e->cur.due : e->gap_until;
			e->h = e->env->sink->open(e->env->ctx, e->cur.path, &opts, &err, msg, sizeof(msg));
		}
		if (e->h) {
			e->state = CUR_PREROLL;
			e->device_retry_ms = 0;
			if (e->cur.part == PART_RELAY)
				relay_watch(e, now(e));
			return;
		}
		e->device_ok = err == -ENODEV || err == -EBUSY ? false : e->device_ok;
		if ((err == -ENODEV || err == -EBUSY) && wait_for_device(e, msg))
			return;
		set_error(e, N_("cannot air %s: %s"), e->cur.title ? e->cur.title : e->cur.path, msg);
		if (e->cur.part == PART_RELAY)
			relay_finish_unaired(e);
		else if (e->cur.part == PART_ITEM)
			record_unaired(e, &e->cur, OUTCOME_FAILED, msg);
		pass_due_on(e);
		element_done(&e->cur);
	}
}

static void start_current(struct engine *e, int64_t t_now)
{
	int64_t mono = e->env->mono(e->env->ctx);
	int64_t started = e->env->sink->start(e->env->ctx, e->h);
	char when[ISO_LEN];

	if (started < 0) {
		e->device_ok = false;
		set_error(e, N_("the audio device failed at the start of '%s': %s"),
			  e->cur.title ? e->cur.title : e->cur.path, strerror((int)-started));
		if (e->cur.part == PART_RELAY)
			relay_finish_unaired(e);
		else if (e->cur.part == PART_ITEM)
			record_unaired(e, &e->cur, OUTCOME_FAILED, e->last_error);
		close_current(e);
		e->gap_until = t_now;
		return;
	}
	e->device_ok = true;
	e->state = CUR_PLAYING;
	if (e->cur.part == PART_RELAY) {
		relay_started(e, started);
		return;
	}
	if (e->cur.part != PART_ITEM) {
		log_info(_("on air: %s of slot '%s' (%s)"), e->cur.part == PART_INTRO ? "intro" : "outro",
			 e->cur.slot, e->cur.path);
		return;
	}
	if (e->cur.kind != KIND_SLOT)
		e->cur.scheduled_at = e->cur.scheduled_at ? e->cur.scheduled_at : started;
	row_from_element(&e->row, &e->cur);
	e->row.started_at = started;
	e->started_mono = mono;
	e->last_checkpoint = t_now;
	/* Airs whether or not this is written: a record that waits in the
	 * backlog is only what a power cut would lose (doc/faults.md). */
	backlog_begin(e->ledger, &e->row, e->env->sink->rate(e->env->ctx, e->h));
	ledger_wrote(e);
	log_info(_("on air: #%lld '%s' (%s, started %s)"), (long long)e->cur.bulletin_id, e->cur.title,
		 e->cur.slot ? e->cur.slot : air_kind_name(e->cur.kind), time_format_iso(started, when));
}

/* Fades the element on air out; it ends with OUTCOME and REASON. */
static void stop_current(struct engine *e, enum outcome oc, const char *reason)
{
	e->stop_outcome = oc;
	free(e->stop_reason);
	e->stop_reason = xstrdup(reason);
	e->state = CUR_STOPPING;
	e->env->sink->fade_out(e->env->ctx, e->h);
}

/* Records how the element on air ended and lets it go; false when
 * nothing was on air. */
static bool end_current(struct engine *e, int result)
{
	const struct sink_ops *sink = e->env->sink;
	int64_t t_now = now(e);
	enum outcome oc;
	const char *reason = NULL;
	char buf[256];

	if (e->state != CUR_PLAYING && e->state != CUR_STOPPING)
		return false;
	if (e->cur.part == PART_RELAY) {
		relay_ended(e, result, t_now);
		return true;
	}
	if (e->state == CUR_STOPPING) {
		oc = e->stop_outcome;
		reason = e->stop_reason;
	} else if (result == 1) {
		oc = OUTCOME_COMPLETED;
	} else {
		e->device_ok = false;
		/* The daemon's stall watchdog ends an item with -ETIMEDOUT:
		 * "Connection timed out" would tell the officer nothing. */
		if (result == -ETIMEDOUT)
			snprintf(buf, sizeof(buf), "the audio output failed while airing: the device stopped "
				 "taking audio (unplugged, or its driver or sound server hung)");
		else
			snprintf(buf, sizeof(buf), "the audio output failed while airing: %s", strerror(-result));
		set_error(e, "'%s': %s", e->cur.title ? e->cur.title : e->cur.path, buf);
		oc = OUTCOME_PARTIAL;
		reason = buf;
	}
	if (e->cur.part == PART_ITEM) {
		int64_t frames = sink->frames(e->env->ctx, e->h);
		int rate = sink->rate(e->env->ctx, e->h);

		e->row.ended_at = item_now(e);
		e->row.frames = frames;
		e->row.played_ms = rate > 0 ? frames * 1000 / rate : 0;
		e->row.xruns = sink->xruns(e->env->ctx, e->h);
		e->row.outcome = oc;
		e->row.reason = (char *)reason;
		record(e, &e->row, true);
		log_info(_("%s: #%lld '%s', %lld ms"), outcome_name(oc), (long long)e->row.bulletin_id,
			 e->row.title, (long long)e->row.played_ms);
	}
	/* A stop or preemption moves straight on; a finished element leaves
	 * the station's gap of silence. */
	e->gap_until = oc == OUTCOME_COMPLETED ? t_now + e->cfg->gap_ms : t_now;
	close_current(e);
	return true;
}

void engine_ended(struct engine *e, int result)
{
	if (end_current(e, result))
		engine_run(e);
}

/* ---- alerts ---- */

/* What the queue still holds of CUR's occurrence, gaps included (ms). */
static int64_t occurrence_rest_ms(const struct engine *e, const struct element *cur)
{
	int64_t ms = 0;

	for (size_t i = 0; i < e->nq; i++) {
		const struct element *el = &e->q[i];

		if (el->kind == KIND_SLOT && !el->skip_reason && el->occurrence_at == cur->occurrence_at &&
		    !strcmp(el->slot, cur->slot))
			ms += e->cfg->gap_ms + el->expected_ms;
	}
	return ms;
}

/* Puts the alert at the head and preempts a non-alert on air; the
 * preempted item goes back behind the alert if its slot has room. */
static void preempt(struct engine *e, struct element *in, int64_t t_now);

static void fire_alert(struct engine *e, int64_t t_now)
{
	struct bulletin b;
	struct element el = { 0 };

	if (library_get(e->db, e->alert_id, &b) < 0) {
		set_error(e, N_("alert: bulletin #%lld is gone; the alert is cancelled"), (long long)e->alert_id);
		e->alert_left = 0;
		return;
	}
	if (b.retired_at) {
		set_error(e, N_("alert: bulletin #%lld '%s' was retired; its repetitions are cancelled"),
			  (long long)e->alert_id, b.title);
		bulletin_done(&b);
		e->alert_left = 0;
		return;
	}
	element_from_bulletin(&el, &b, e->cfg->state_dir);
	bulletin_done(&b);
	el.kind = KIND_ALERT;
	el.actor = xstrdup_or_null(e->alert_actor);
	el.scheduled_at = t_now;
	if (--e->alert_left > 0)
		e->alert_next_at += e->alert_every_ms;
	preempt(e, &el, t_now);
}

/* Puts EL (taken over), an alert or a province emergency, at the head,
 * ahead of what is pre-rolled, and preempts a non-emergency on air. */
static bool emergency(const struct element *el)
{
	return el->kind == KIND_ALERT || (el->origin && el->priority == PRIO_EMERGENCY);
}

static void preempt(struct engine *e, struct element *in, int64_t t_now)
{
	struct element el = { 0 };

	queue_insert(e, 0, in);
	if (e->state == CUR_PREROLL && !emergency(&e->cur)) {
		/* Not started yet: it simply waits behind the alert. */
		element_copy(&el, &e->cur);
		queue_insert(e, 1, &el);
		close_current(e);
	} else if (e->state == CUR_PLAYING && e->cur.part == PART_RELAY) {
		/* The relay goes back to the queue when its fade is done
		 * (relay_ended), to resume for the rest of its window. */
		stop_current(e, OUTCOME_PREEMPTED, "preempted by an emergency alert");
	} else if ((e->state == CUR_PLAYING) && !emergency(&e->cur)) {
		if (e->cur.part == PART_ITEM) {
			int64_t left = e->cur.slot_end ? e->cur.slot_end - t_now : INT64_MAX;

			/* Airs again whole after the alert if the slot can hold it
			 * with the alert and the rest of its occurrence; else the
			 * preempted row is all. */
			if (e->cur.kind != KIND_SLOT || left >= e->q[0].expected_ms + e->cfg->gap_ms +
				    e->cur.expected_ms + occurrence_rest_ms(e, &e->cur)) {
				element_copy(&el, &e->cur);
				el.due = 0;
				queue_insert(e, 1, &el);
			}
		}
		stop_current(e, OUTCOME_PREEMPTED, e->q[0].origin ? "preempted by an emergency from the province" :
			     "preempted by an emergency alert");
	}
	e->gap_until = t_now;
}

/* ---- the province's timed items ---- */

/* Is the province item (schedule S, bulletin B, instant AT) on air or queued? */
static bool province_taken(const struct engine *e, const char *s, const char *b, int64_t at)
{
	const struct element *el = e->state != CUR_NONE ? &e->cur : NULL;

	for (size_t i = 0; ; i++) {
		if (el && el->origin && el->scheduled_at == at && !strcmp(el->province_schedule, s) &&
		    !strcmp(el->province_bulletin, b))
			return true;
		if (i >= e->nq)
			return false;
		el = &e->q[i];
	}
}

static void element_from_province(struct element *el, const struct province_item *it, const struct bulletin *b,
				  const char *state_dir)
{
	memset(el, 0, sizeof(*el));
	if (b)
		element_from_bulletin(el, b, state_dir);
	else
		el->title = xstrdup(it->title ? it->title : it->bulletin);
	el->kind = KIND_PLAY; /* see row_from_element */
	el->part = PART_ITEM;
	el->scheduled_at = it->at;
	el->priority = it->priority;
	el->origin = xstrdup("province");
	el->province_schedule = xstrdup(it->schedule_id);
	el->province_bulletin = xstrdup(it->bulletin);
	if (!b)
		el->topic = NULL;
}

/* An item of the province that does not air, with its row now. */
static void province_unaired(struct engine *e, const struct province_item *it, const struct bulletin *b,
			     enum outcome oc, const char *reason)
{
	struct element el;

	element_from_province(&el, it, b, e->cfg->state_dir);
	record_unaired(e, &el, oc, reason);
	element_done(&el);
	province_item_done(e->db, it->id);
}

/* Where a province item goes in the queue. An emergency preempts what is
 * on air, as `loa alert` does; a priority item goes ahead of everything
 * queued but emergencies; a normal one goes last, and airs if it can
 * start within clock.grace_minutes of its instant (preroll_next skips it
 * otherwise). Each waits for its instant. */
static void queue_province(struct engine *e, struct element *el, int64_t t_now)
{
	size_t at = 0;

	el->due = el->scheduled_at;
	if (el->priority == PRIO_EMERGENCY) {
		el->due = 0; /* now: it is within its grace, or its instant has come */
		preempt(e, el, t_now);
		return;
	}
	if (el->priority == PRIO_PRIORITY) {
		while (at < e->nq && (emergency(&e->q[at]) || (e->q[at].origin && e->q[at].priority == PRIO_PRIORITY &&
								  e->q[at].scheduled_at <= el->scheduled_at)))
			at++;
		queue_insert(e, at, el);
		return;
	}
	queue_insert(e, e->nq, el);
}

/* Takes the province's items whose pre-roll has come: queues those whose
 * audio is in the library, records as failed those whose audio is not
 * there at their instant (naming its address), as missed those past the
 * grace period (loa was not running, or the clock not trusted). */
static void take_province(struct engine *e, int64_t t_now)
{
	int64_t grace = (int64_t)e->cfg->grace_minutes * 60000, lead = lead_ms(e), next = 0;
	struct province_item *v;
	size_t n;

	if (e->province_wake && t_now < e->province_wake)
		return;
	e->province_wake = 0;
	if (province_items(e->db, INT64_MIN, t_now + lead + 1, &v, &n) < 0) {
		set_error(e, N_("cannot read the province's items; they do not air"));
		e->province_wake = t_now + 5000;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct province_item *it = &v[i];
		struct bulletin b;
		struct element el;
		char reason[PROVINCE_URL_MAX + 256];

		if (province_taken(e, it->schedule_id, it->bulletin, it->at))
			continue;
		if (t_now - it->at > grace) {
			snprintf(reason, sizeof(reason), "the province's item was due at its instant while loa was not "
				 "running or the clock was not trusted, and more than the %d-minute grace period has "
				 "passed; not aired late", e->cfg->grace_minutes);
			province_unaired(e, it, NULL, OUTCOME_MISSED, reason);
			continue;
		}
		/* An emergency preempts at its instant, not at its pre-roll. */
		if (it->priority == PRIO_EMERGENCY && t_now < it->at && !strcmp(it->state, "stored")) {
			next = next && next < it->at ? next : it->at;
			continue;
		}
		if (strcmp(it->state, "stored") || !it->bulletin_id || library_get(e->db, it->bulletin_id, &b) < 0) {
			/* Its audio may still come until its instant; an
			 * emergency's, sent at its instant, until its grace ends. */
			int64_t until = it->at + (it->priority == PRIO_EMERGENCY ? grace : 0);

			if (t_now < until && !strcmp(it->state, "pending")) {
				next = next && next < until ? next : until;
				continue;
			}
			if (!strcmp(it->state, "rejected"))
				snprintf(reason, sizeof(reason), "the audio from %s was refused: %s", it->url,
					 it->reason ? it->reason : "");
			else
				snprintf(reason, sizeof(reason), "the audio from %s was not downloaded before its "
					 "instant%s%s", it->url, it->reason ? ": " : "", it->reason ? it->reason : "");
			province_unaired(e, it, NULL, OUTCOME_FAILED, reason);
			continue;
		}
		element_from_province(&el, it, &b, e->cfg->state_dir);
		bulletin_done(&b);
		log_info(_("province: '%s' (schedule %s, bulletin %s) queued for its instant"), el.title,
			 it->schedule_id, it->bulletin);
		queue_province(e, &el, t_now);
		element_done(&el);
	}
	province_items_free(v, n);
	/* The next item's pre-roll, or an item's instant still waiting for its audio. */
	if (province_items(e->db, t_now + lead + 1, INT64_MAX, &v, &n) == 0) {
		if (n > 0 && (!next || v[0].at - lead < next))
			next = v[0].at - lead;
		province_items_free(v, n);
	}
	e->province_wake = next ? next : INT64_MAX;
}

/* Queued province items whose item is gone (cancelled: its row is
 * written; moved: it comes again at its new instant) do not air. */
static bool province_item_exists(struct engine *e, const struct element *el)
{
	struct province_item *v;
	size_t n;
	bool found = false;

	if (province_items(e->db, el->scheduled_at, el->scheduled_at + 1, &v, &n) < 0)
		return true;
	for (size_t i = 0; i < n && !found; i++)
		found = !strcmp(v[i].schedule_id, el->province_schedule) && !strcmp(v[i].bulletin, el->province_bulletin);
	province_items_free(v, n);
	return found;
}

static void drop_province_gone(struct engine *e)
{
	size_t k = 0;

	if (e->state == CUR_PREROLL && e->cur.origin && !province_item_exists(e, &e->cur))
		close_current(e);
	for (size_t i = 0; i < e->nq; i++) {
		if (e->q[i].origin && !province_item_exists(e, &e->q[i]))
			element_done(&e->q[i]);
		else
			e->q[k++] = e->q[i];
	}
	e->nq = k;
	e->province_wake = 0;
}

/* ---- the library changed ---- */

static bool retired(struct engine *e, int64_t id)
{
	struct bulletin b;
	bool gone;

	if (library_get(e->db, id, &b) < 0)
		return true;
	gone = b.retired_at != 0;
	bulletin_done(&b);
	return gone;
}

#define RETIRED_REASON "the bulletin was retired (loa retire) before it aired"

/* Items queued or pre-rolled whose bulletin has been retired since do not
 * air: each gets its skipped row now. What is on air plays to its end. */
static void drop_retired(struct engine *e)
{
	size_t k = 0;
	int64_t due = 0, due_occ = 0;

	if (e->state == CUR_PREROLL && e->cur.part == PART_ITEM && retired(e, e->cur.bulletin_id)) {
		record_unaired(e, &e->cur, OUTCOME_SKIPPED, RETIRED_REASON);
		pass_due_on(e);
		close_current(e);
	}
	for (size_t i = 0; i < e->nq; i++) {
		struct element *el = &e->q[i];

		if (el->part != PART_ITEM || el->skip_reason || !retired(e, el->bulletin_id)) {
			/* The occurrence's first element keeps its instant. */
			if (due && !el->due && el->kind == KIND_SLOT && el->occurrence_at == due_occ)
				el->due = due;
			due = 0;
			e->q[k++] = *el;
			continue;
		}
		record_unaired(e, el, OUTCOME_SKIPPED, RETIRED_REASON);
		if (el->due) {
			due = el->due;
			due_occ = el->occurrence_at;
		}
		element_done(el);
	}
	e->nq = k;
}

static bool same_occurrence(const struct element *a, const struct element *b)
{
	return a->kind == KIND_SLOT && b->kind == KIND_SLOT && a->occurrence_at == b->occurrence_at &&
	       !strcmp(a->slot, b->slot);
}

/* Does anything of EL's occurrence that is an item still air? */
static bool items_left(const struct engine *e, const struct element *el)
{
	if (e->state != CUR_NONE && e->cur.part == PART_ITEM && same_occurrence(&e->cur, el))
		return true;
	for (size_t i = 0; i < e->nq; i++)
		if (e->q[i].part == PART_ITEM && !e->q[i].skip_reason && same_occurrence(&e->q[i], el))
			return true;
	return false;
}

/* An intro or outro whose occurrence has no item left does not air alone. */
static void drop_lone_jingles(struct engine *e)
{
	size_t k = 0;

	if (e->state == CUR_PREROLL && !has_row(&e->cur) && e->cur.kind == KIND_SLOT && !items_left(e, &e->cur))
		close_current(e);
	for (size_t i = 0; i < e->nq; i++) {
		if (has_row(&e->q[i]) || e->q[i].kind != KIND_SLOT || items_left(e, &e->q[i]))
			e->q[k++] = e->q[i];
		else
			element_done(&e->q[i]);
	}
	e->nq = k;
}

/* The programme changed in the database (`loa slot`, the console), or a
 * bulletin a slot plays as its intro did: take the slots as they are now,
 * through the same swap as a reloaded config. Nothing changes when they
 * are the same, so an import does not disturb the cursor. */
static void swap_config(struct engine *e, struct config *cfg, bool from_now);

static void refresh_slots(struct engine *e)
{
	struct config *n = config_dup(e->cfg);

	if (slots_merge(n, e->db) < 0) {
		log_err(_("cannot read the slots from the database; the programme stays as it was"));
		config_free(n);
		return;
	}
	if (slots_same(e->cfg, n)) {
		config_free(n);
		return;
	}
	log_notice(_("the programme changed: %zu slots"), n->n_slots);
	swap_config(e, n, true);
}

void engine_library_changed(struct engine *e)
{
	refresh_slots(e);
	drop_retired(e);
	drop_province_gone(e);
	drop_lone_jingles(e);
	engine_run(e);
}

/* ---- the loop's entry points ---- */

void engine_ledger_writable(struct engine *e)
{
	e->ledger_retry_ms = LEDGER_RETRY_MIN_MS;
	ledger_retry(e, now(e));
	engine_run(e); /* what came due meanwhile */
}

void engine_run(struct engine *e)
{
	int64_t t_now;

	/* Nothing is planned, reconciled or aired before the page check of
	 * the start passes (engine_ledger_writable): an item's first frame
	 * would have no record a power cut could not take, and the missed
	 * rows of a long outage would crowd the backlog. */
	if (!db_writable(e->db))
		return;
	t_now = now(e);
	if (e->ledger_retry_ms && t_now >= e->ledger_retry_at)
		ledger_retry(e, t_now);
	if (!e->trusted) {
		if (!e->cfg->require_sync || e->env->clock_trusted(e->env->ctx)) {
			e->trusted = true;
			e->reconciled = false;
			if (e->cfg->require_sync)
				log_notice(_("the kernel reports a synchronised clock; airing and accounting for missed slots from now on"));
		} else {
			e->clock_checked_at = t_now;
			return;
		}
	}
	if (!e->reconciled)
		reconcile(e, reconcile_from(e), t_now);
	if (e->alert_left > 0 && t_now >= e->alert_next_at)
		fire_alert(e, t_now);
	take_due_occurrences(e, t_now);
	take_province(e, t_now);
	if (e->state == CUR_NONE && t_now >= e->device_retry_at)
		preroll_next(e);
	if (e->state == CUR_PREROLL) {
		int64_t due = e->cur.due > e->gap_until ? e->cur.due : e->gap_until;

		if (t_now >= due)
			start_current(e, t_now);
		if (e->state == CUR_NONE && e->nq > 0) {
			engine_run(e);
			return;
		}
	}
	if ((e->state == CUR_PREROLL || e->state == CUR_PLAYING) && e->cur.part == PART_RELAY)
		relay_watch(e, t_now);
	if (e->state == CUR_PLAYING && e->cur.part == PART_ITEM && t_now - e->last_checkpoint >= CHECKPOINT_MS) {
		e->last_checkpoint = t_now;
		backlog_checkpoint(e->ledger, e->env->sink->frames(e->env->ctx, e->h), item_now(e));
	}
	if (e->state == CUR_PLAYING && e->cur.part == PART_RELAY && e->cur.run->session_begun &&
	    !e->cur.run->held && t_now - e->last_checkpoint >= CHECKPOINT_MS) {
		e->last_checkpoint = t_now;
		backlog_checkpoint(e->ledger, relay_frames(e->cur.run), item_now(e));
	}
	/* After the last element: the amplifiers go off until the next one. */
	if (e->state == CUR_NONE && e->nq == 0)
		power(e, false);
}

static int64_t earliest(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

int64_t engine_wake_at(const struct engine *e)
{
	int64_t w = e->ledger_retry_ms ? e->ledger_retry_at : 0;

	if (!db_writable(e->db))
		return 0; /* engine_ledger_writable is the next thing to happen */

	if (!e->trusted)
		return earliest(w, e->clock_checked_at + CLOCK_RECHECK_MS);
	if (e->have_next)
		w = earliest(w, e->next_at - next_lead_ms(e));
	if (e->state == CUR_PREROLL)
		w = earliest(w, e->cur.due > e->gap_until ? e->cur.due : e->gap_until);
	if (e->state == CUR_NONE && e->nq > 0 && e->device_retry_ms)
		w = earliest(w, e->device_retry_at);
	if (e->state == CUR_PLAYING && e->cur.part == PART_ITEM)
		w = earliest(w, e->last_checkpoint + CHECKPOINT_MS);
	/* A relay is looked at often (dead air), and ended by the engine if
	 * the sink has not ended it shortly after its window. */
	if ((e->state == CUR_PREROLL || e->state == CUR_PLAYING) && e->cur.part == PART_RELAY)
		w = earliest(w, e->relay_tick_at);
	if (e->alert_left > 0)
		w = earliest(w, e->alert_next_at);
	if (e->province_wake != INT64_MAX)
		w = earliest(w, e->province_wake ? e->province_wake : 1);
	return w;
}

void *engine_prerolled(const struct engine *e)
{
	return e->state == CUR_PREROLL ? e->h : NULL;
}

void *engine_on_air(const struct engine *e)
{
	return e->state == CUR_PLAYING || e->state == CUR_STOPPING ? e->h : NULL;
}

bool engine_on_air_is_relay(const struct engine *e)
{
	return engine_on_air(e) && e->cur.part == PART_RELAY;
}

/* After a forward step: an occurrence queued but not begun (its first
 * element still waits for its instant) whose grace period the step jumped
 * past is missed, as if it had never been taken. */
static void drop_overdue(struct engine *e, int64_t t_now)
{
	int64_t grace = (int64_t)e->cfg->grace_minutes * 60000;

	if (e->state == CUR_PREROLL && e->cur.kind == KIND_SLOT && e->cur.due &&
	    t_now - e->cur.occurrence_at > grace) {
		struct element el;

		element_copy(&el, &e->cur);
		close_current(e);
		queue_insert(e, 0, &el);
	}
	for (size_t i = 0; i < e->nq;) {
		int64_t at = e->q[i].occurrence_at;
		char *slot, reason[256];
		size_t k = i;

		if (e->q[i].kind != KIND_SLOT || !e->q[i].due || t_now - at <= grace) {
			i++;
			continue;
		}
		slot = xstrdup(e->q[i].slot);
		missed_reason(e, at, reason, sizeof(reason));
		for (size_t j = i; j < e->nq; j++) {
			struct element *el = &e->q[j];

			if (el->kind != KIND_SLOT || el->occurrence_at != at || strcmp(el->slot, slot)) {
				e->q[k++] = *el;
				continue;
			}
			if (el->part == PART_RELAY)
				relay_record_missed(e, el, reason);
			else if (el->part == PART_ITEM)
				record_unaired(e, el, el->skip_reason ? OUTCOME_SKIPPED : OUTCOME_MISSED,
					       el->skip_reason ? el->skip_reason : reason);
			element_done(el);
		}
		e->nq = k;
		free(slot);
	}
}

void engine_clock_stepped(struct engine *e)
{
	int64_t t_now = now(e);

	/* Waits counted on the old clock must not grow by a backward step:
	 * the gap between items, the checkpoint, the clock check, the next
	 * alert repetition. */
	e->province_wake = 0;
	if (e->gap_until > t_now + e->cfg->gap_ms)
		e->gap_until = t_now + e->cfg->gap_ms;
	if (e->last_checkpoint > t_now)
		e->last_checkpoint = t_now;
	if (e->clock_checked_at > t_now)
		e->clock_checked_at = t_now;
	if (e->alert_left > 0 && e->alert_next_at > t_now + e->alert_every_ms)
		e->alert_next_at = t_now + e->alert_every_ms;
	if (e->ledger_retry_ms && e->ledger_retry_at > t_now + e->ledger_retry_ms)
		e->ledger_retry_at = t_now + e->ledger_retry_ms;
	if (!e->trusted)
		return;
	/* Forward: what was jumped over is late within grace, else missed.
	 * Backward: the cursor stays, so nothing already taken comes back. */
	drop_overdue(e, t_now);
	if (t_now > e->cursor_at)
		reconcile(e, e->cursor_at + 1, t_now);
	else
		find_next(e);
	engine_run(e);
}

struct engine *engine_new(struct config *cfg, struct db *db, const struct engine_env *env)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->cfg = cfg;
	e->db = db;
	e->env = env;
	e->device_ok = true;
	if (slots_merge(cfg, db) < 0)
		log_err(_("cannot read the slots from the database; airing only the slots of %s"), cfg->path);
	e->cursor_slot = LONG_MIN;
	e->ledger = backlog_new(db);
	backlog_recover(e->ledger);
	ledger_wrote(e);
	return e;
}

size_t engine_shutdown(struct engine *e)
{
	if ((e->state == CUR_PLAYING || e->state == CUR_STOPPING) && has_row(&e->cur)) {
		e->state = CUR_STOPPING;
		e->stop_outcome = OUTCOME_PARTIAL;
		free(e->stop_reason);
		e->stop_reason = xstrdup(e->cur.part == PART_RELAY ? "loa was stopped while this relay was on air" :
					 "loa was stopped while this item was on air");
		/* Not engine_ended(): that would start the next element, whose
		 * in-flight record the next start would take for a partial. */
		end_current(e, 0);
	}
	/* A relay resuming after an alert, not yet on air again: its row
	 * with the queued ones below (its handle is closed, its state kept). */
	if (e->state == CUR_PREROLL && e->cur.part == PART_RELAY && e->cur.run && e->cur.run->begun)
		queue_insert(e, 0, &e->cur);
	close_current(e);
	/* A relay an alert preempted, waiting to resume: its row now. */
	for (size_t i = 0; i < e->nq; i++)
		if (e->q[i].part == PART_RELAY && e->q[i].run && e->q[i].run->begun)
			relay_finish_queued(e, &e->q[i], "loa was stopped while this relay was off air for an alert");
	power(e, false);
	/* The last try; what it cannot write, the journal lists. */
	backlog_flush(e->ledger);
	e->ledger_retry_ms = 0;
	return backlog_abandon(e->ledger);
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	engine_shutdown(e);
	backlog_free(e->ledger);
	for (size_t i = 0; i < e->nq; i++)
		element_done(&e->q[i]);
	free(e->q);
	free(e->alert_actor);
	config_free(e->cfg);
	free(e);
}

/* Puts CFG (slots merged) in force. FROM_NOW: the programme was changed
 * by a command, and a slot made or moved now has no past: what it would
 * have aired before this instant was never planned, so it is neither
 * aired late nor recorded as missed. */
static void swap_config(struct engine *e, struct config *cfg, bool from_now)
{
	int64_t t = now(e);

	config_free(e->cfg);
	e->cfg = cfg;
	/* Slot indices change with the config; every occurrence at the
	 * cursor's instant was taken together, so step past it. */
	if (e->cursor_slot != LONG_MIN) {
		e->cursor_at += 1;
		e->cursor_slot = -1;
		if (from_now && e->cursor_at < t)
			e->cursor_at = t;
	}
	if (e->reconciled)
		find_next(e);
	engine_run(e);
}

void engine_set_config(struct engine *e, struct config *cfg)
{
	/* A config read from the file has only its own slots. */
	if (slots_merge(cfg, e->db) < 0)
		log_err(_("cannot read the slots from the database; airing only the slots of %s"), cfg->path);
	swap_config(e, cfg, false);
}

const struct config *engine_config(const struct engine *e)
{
	return e->cfg;
}

/* ---- commands ---- */

static int get_active(struct engine *e, int64_t id, struct bulletin *b, char *msg, size_t len)
{
	if (library_get(e->db, id, b) < 0) {
		snprintf(msg, len, _("there is no bulletin #%lld; 'loa list' shows them"), (long long)id);
		return -ENOENT;
	}
	if (b->retired_at) {
		snprintf(msg, len, _("bulletin #%lld '%s' is retired and does not air again"), (long long)id, b->title);
		bulletin_done(b);
		return -ENOENT;
	}
	return 0;
}

/* Commands air nothing while the clock is not trusted: refused at once,
 * rather than accepted and aired whenever the clock is synchronised. */
static int refuse_untrusted(struct engine *e, char *msg, size_t len)
{
	engine_run(e); /* the clock may have become trusted since the last check */
	if (e->trusted)
		return 0;
	snprintf(msg, len, _("the daemon is waiting for a synchronised clock (clock.require_sync) and airs "
		 "nothing until then; check the time service (timedatectl), or set clock.require_sync = "
		 "false if this station has none"));
	return -EAGAIN;
}

/* Records ACTOR's command in the audit trail. The station does not wait
 * for the trail: an alert airs even on a full disk, and the journal then
 * holds the entry's only record. */
static void record_command(struct engine *e, const char *actor, const char *action, const char *target,
			   const char *detail)
{
	if (audit_append(e->db, actor, action, target, detail) < 0)
		set_error(e, N_("the audit trail cannot record %s %s by %s (%s); the command is carried out "
			  "all the same, and this line is its only record"), action, target, actor ? actor : "?",
			  detail);
}

/* A bulletin as the trail's target: "#12". */
static const char *bulletin_target(int64_t id, char buf[24])
{
	snprintf(buf, 24, "#%lld", (long long)id);
	return buf;
}

int engine_play(struct engine *e, int64_t id, bool force, const char *actor, char *msg, size_t len)
{
	const struct config *c = e->cfg;
	struct element el = { 0 };
	struct bulletin b;
	char *detail, target[24];
	int sec, err;

	err = refuse_untrusted(e, msg, len);
	if (!err)
		err = get_active(e, id, &b, msg, len);
	if (err < 0)
		return err;
	time_local_day(now(e), &sec);
	if (!force && b.priority != PRIO_EMERGENCY &&
	    ((c->limit_earliest >= 0 && sec < c->limit_earliest) || (c->limit_latest >= 0 && sec > c->limit_latest))) {
		snprintf(msg, len, _("it is outside the station's hours (limits.earliest / limits.latest); "
			 "add --force to air it anyway"));
		bulletin_done(&b);
		return -EPERM;
	}
	detail = xasprintf("title: '%s'%s", b.title, force ? "; force" : "");
	record_command(e, actor, "play", bulletin_target(id, target), detail);
	free(detail);
	element_from_bulletin(&el, &b, e->cfg->state_dir);
	bulletin_done(&b);
	el.kind = KIND_PLAY;
	el.actor = xstrdup_or_null(actor);
	el.scheduled_at = now(e);
	/* After the current item: the head of the queue. */
	queue_insert(e, 0, &el);
	if (e->state == CUR_NONE)
		snprintf(msg, len, _("bulletin #%lld airs now"), (long long)id);
	else
		snprintf(msg, len, _("bulletin #%lld airs after the current item"), (long long)id);
	engine_run(e);
	return 0;
}

int engine_alert(struct engine *e, int64_t id, int repeat, int every, const char *actor, char *msg, size_t len)
{
	struct bulletin b;
	char *detail, target[24];
	int err;

	err = refuse_untrusted(e, msg, len);
	if (!err)
		err = get_active(e, id, &b, msg, len);
	if (err < 0)
		return err;
	e->alert_id = id;
	e->alert_left = repeat < 1 ? 1 : repeat;
	e->alert_every_ms = (int64_t)(every < 1 ? 60 : every) * 60000;
	e->alert_next_at = now(e);
	free(e->alert_actor);
	e->alert_actor = xstrdup_or_null(actor);
	/* What the engine does, after its own corrections of the request. */
	if (e->alert_left > 1)
		detail = xasprintf("title: '%s'; repeat: %d; every: %lld min", b.title, e->alert_left,
				   (long long)(e->alert_every_ms / 60000));
	else
		detail = xasprintf("title: '%s'", b.title);
	bulletin_done(&b);
	record_command(e, actor, "alert", bulletin_target(id, target), detail);
	free(detail);
	if (repeat > 1)
		snprintf(msg, len, _("alert #%lld on air now, repeating"), (long long)id);
	else
		snprintf(msg, len, _("alert #%lld on air now"), (long long)id);
	engine_run(e);
	return 0;
}

int engine_alert_cancel(struct engine *e, const char *actor, char *msg, size_t len)
{
	char detail[64], target[24];

	if (e->alert_left <= 0) {
		snprintf(msg, len, _("no alert repetitions are pending"));
		return -EAGAIN;
	}
	snprintf(detail, sizeof(detail), "repetitions left: %d -> 0", e->alert_left);
	record_command(e, actor, "alert-cancel", bulletin_target(e->alert_id, target), detail);
	e->alert_left = 0;
	snprintf(msg, len, _("the alert's repetitions are cancelled"));
	return 0;
}

int engine_stop(struct engine *e, const char *actor, char *msg, size_t len)
{
	char *detail, target[24];

	if (e->state != CUR_PLAYING) {
		snprintf(msg, len, _("nothing is on air"));
		return -EAGAIN;
	}
	if (e->cur.part == PART_ITEM) {
		detail = xasprintf("title: '%s'; on air -> cancelled", e->cur.title ? e->cur.title : "");
		record_command(e, actor, "stop", bulletin_target(e->cur.bulletin_id, target), detail);
	} else if (e->cur.part == PART_RELAY) {
		detail = xasprintf("relay '%s' of slot '%s'; on air -> cancelled", e->cur.src->name, e->cur.slot);
		record_command(e, actor, "stop", e->cur.slot, detail);
	} else {
		/* An intro or outro has no bulletin and no row: its file names it. */
		detail = xasprintf("%s of slot '%s'; on air -> stopped", e->cur.part == PART_INTRO ? "intro" : "outro",
				   e->cur.slot ? e->cur.slot : "");
		record_command(e, actor, "stop", e->cur.path, detail);
	}
	free(detail);
	/* The row of what was stopped names who stopped it. */
	free(e->cur.actor);
	e->cur.actor = xstrdup_or_null(actor);
	e->row.by = e->cur.actor;
	snprintf(msg, len, _("stopping '%s'"), e->cur.title ? e->cur.title : e->cur.path);
	stop_current(e, OUTCOME_CANCELLED, "stopped by the operator (loa stop)");
	return 0;
}

/* ---- status ---- */

static const char *state_name(const struct engine *e)
{
	if (!e->trusted)
		return "waiting-for-clock";
	switch (e->state) {
	case CUR_PREROLL:
		return "preroll";
	case CUR_PLAYING:
	case CUR_STOPPING:
		return "playing";
	default:
		return "idle";
	}
}

void engine_status(const struct engine *e, struct json *j)
{
	char why[512];

	json_object_begin(j);
	json_kv_string(j, "state", state_name(e));
	json_kv_string(j, "station", e->cfg->station_name);
	json_kv_bool(j, "clock_trusted", e->trusted);
	json_kv_bool(j, "device_ok", e->device_ok);
	json_kv_string(j, "device", e->cfg->audio_device);
	json_key(j, "now_playing");
	if (e->state == CUR_PLAYING || e->state == CUR_STOPPING) {
		int rate = e->env->sink->rate(e->env->ctx, e->h);
		int64_t frames = e->env->sink->frames(e->env->ctx, e->h);

		json_object_begin(j);
		json_kv_string(j, "kind", air_kind_name(e->cur.kind));
		if (e->cur.part == PART_ITEM)
			json_kv_int(j, "id", e->cur.bulletin_id);
		if (e->cur.part == PART_RELAY) {
			json_kv_string(j, "relay", e->cur.src->name);
			json_kv_string(j, "relay_url", e->cur.run && e->cur.run->on_air >= 0 ?
					  relay_input(&e->cur, e->cur.run->on_air) : NULL);
			json_kv_int(j, "relay_audio_ms", e->cur.run && e->cur.run->rate > 0 ?
				    relay_frames(e->cur.run) * 1000 / e->cur.run->rate : 0);
		}
		json_kv_string(j, "title", e->cur.title ? e->cur.title : e->cur.path);
		json_kv_string(j, "slot", e->cur.slot);
		json_kv_time(j, "started_at", e->row.started_at);
		json_kv_int(j, "position_ms", rate > 0 ? frames * 1000 / rate : 0);
		json_kv_int(j, "duration_ms", e->cur.expected_ms);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "next");
	if (e->have_next) {
		json_object_begin(j);
		json_kv_string(j, "slot", e->cfg->slots[e->next_slot].name);
		json_kv_time(j, "at", e->next_at);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_kv_int(j, "queued", (int64_t)e->nq);
	json_key(j, "alert");
	if (e->alert_left > 0) {
		json_object_begin(j);
		json_kv_int(j, "bulletin_id", e->alert_id);
		json_kv_int(j, "remaining", e->alert_left);
		json_kv_time(j, "next_at", e->alert_next_at);
		json_object_end(j);
	} else {
		json_null(j);
	}
	json_kv_string(j, "last_error", e->last_error[0] ? e->last_error : NULL);
	json_kv_int(j, "ledger_pending", (int64_t)backlog_pending(e->ledger));
	json_kv_string(j, "ledger_error", backlog_error(e->ledger, false, why, sizeof(why)) ? why : NULL);
	json_object_end(j);
}

void engine_status_line(const struct engine *e, char *buf, size_t len)
{
	char when[ISO_LEN], why[512];

	if (!e->trusted)
		snprintf(buf, len, _("waiting for a synchronised clock"));
	else if (e->state == CUR_PLAYING)
		snprintf(buf, len, _("on air: %s"), e->cur.title ? e->cur.title : e->cur.path);
	else if (e->have_next)
		snprintf(buf, len, _("next: %s at %s"), e->cfg->slots[e->next_slot].name,
			 time_format_iso(e->next_at, when));
	else
		snprintf(buf, len, _("idle: no slot airs again under this config"));
	if (backlog_error(e->ledger, true, why, sizeof(why))) {
		size_t n = backlog_pending(e->ledger), k = strlen(buf);

		if (n)
			snprintf(buf + k, len - k, ngettext("; %zu ledger row waits to be written: %s",
							    "; %zu ledger rows wait to be written: %s", n), n, why);
		else
			snprintf(buf + k, len - k, _("; the ledger cannot be written: %s"), why);
	}
}
