/* The planner: a pure function of the config, the bulletin library and a
 * time range that answers "what airs when". `loa next`, the daemon, the
 * reports and the tests all call it, so what is previewed is what airs.
 * Station-local calendar rules (weekdays, date windows, skip dates) are
 * evaluated on local day numbers; instants are UTC ms. */
#ifndef LOA_PLAN_H
#define LOA_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "content/library.h"
#include "content/province.h"

/* PART_RELAY: a relay slot's whole window (slot->relay names the source). */
enum plan_part { PART_INTRO, PART_ITEM, PART_OUTRO, PART_RELAY };

struct plan_item {
	enum plan_part part;
	int64_t occurrence_at;           /* the slot's start */
	int64_t at;                      /* this element's expected start */
	int64_t expected_ms;             /* its expected length */
	const struct slot *slot;         /* points into the config */
	const struct bulletin *bulletin; /* points into the caller's array; NULL for intro/outro/relay */
	bool skipped;                    /* planned but will not air (see reason) */
	char reason[128];
};

struct plan {
	struct plan_item *v;
	size_t n, cap;
};

/* Does SLOT air on local day DAY (weekday, from/until, skip dates)? */
bool plan_slot_airs_on(const struct slot *s, int32_t day);
/* The start (UTC ms) of SLOT's first occurrence at or after AFTER_MS, or -1
 * when it never airs again (its until date has passed). */
int64_t plan_slot_next(const struct slot *s, int64_t after_ms);
/* Is bulletin B eligible for SLOT on local day DAY (assigned to the slot,
 * active, valid that day, topic allowed)? */
bool plan_eligible(const struct slot *s, const struct bulletin *b, int32_t day);
/* Appends the elements of SLOT's occurrence on local DAY to OUT: intro,
 * items in priority then import order, outro; items that do not fit
 * max_minutes (first fit, gaps and intro/outro counted) are appended with
 * skipped = true. Nothing is appended when no bulletin is eligible. A
 * relay slot has one element, PART_RELAY, its whole window, whatever the
 * library holds. */
void plan_occurrence(const struct config *cfg, const struct slot *s, int32_t day,
		     const struct bulletin *b, size_t nb, struct plan *out);
/* Every occurrence starting in [from_ms, to_ms), in time order (ties in
 * config order). */
void plan_range(const struct config *cfg, const struct bulletin *b, size_t nb,
		int64_t from_ms, int64_t to_ms, struct plan *out);
void plan_done(struct plan *p);

/* Walks P's items and relay windows (no jingles) and the province's
 * timed items PROV (by instant, as province_items gives them) together
 * by instant, for listings: sets *ITEM or *PITEM (the other NULL) to the
 * next one after cursors *I and *K, which start at 0, and advances that
 * cursor. False at the end. */
bool plan_walk(const struct plan *p, const struct province_item *prov, size_t n_prov, size_t *i, size_t *k,
	       const struct plan_item **item, const struct province_item **pitem);

#endif
