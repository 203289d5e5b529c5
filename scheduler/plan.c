/* The planner: slots × local days × eligible bulletins → an ordered list of
 * elements with their expected instants. It reads no clock, no file and no
 * database, so the daemon, `loa next`, the reports and the tests get the
 * same answer from the same inputs.
 *
 * Calendar rules are decided on local day numbers; only the step from
 * (day, seconds after midnight) to an instant goes through time_local_ms().
 * In a zone with DST a slot time that does not exist that day (02:30 on the
 * spring-forward Sunday in Europe/Berlin) airs at the instant the wall
 * clock jumps past it (03:30 local), and a time that happens twice airs
 * once, the first time; see time_local_ms().
 */
#include "scheduler/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"
#include "util/xmalloc.h"

/* A slot that cannot air for eight years (every weekday it has is outside
 * its dates or skipped) is treated as never airing, so the search ends. */
#define SEARCH_DAYS (366 * 8)

/* Own copies of slot_skips() and bulletin_in_slot(): the planner then
 * needs nothing from config.c or library.c, which do I/O. */
static bool skips_day(const struct slot *s, int32_t day)
{
	size_t lo = 0, hi = s->n_skip;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->skip_days[mid] == day)
			return true;
		if (s->skip_days[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static bool assigned_to(const struct bulletin *b, const char *name)
{
	for (size_t i = 0; i < b->n_slots; i++)
		if (b->slots[i] && strcmp(b->slots[i], name) == 0)
			return true;
	return false;
}

static bool topic_allowed(const struct slot *s, const struct bulletin *b)
{
	if (s->n_topics == 0)
		return true;
	if (!b->topic)
		return false;
	for (size_t i = 0; i < s->n_topics; i++)
		if (strcmp(s->topics[i], b->topic) == 0)
			return true;
	return false;
}

/* The part of eligibility that does not depend on the day. */
static bool fits_slot(const struct slot *s, const struct bulletin *b)
{
	return b->retired_at == 0 && assigned_to(b, s->name) && topic_allowed(s, b);
}

static bool valid_on(const struct bulletin *b, int32_t day)
{
	return b->valid_from <= day && day <= b->valid_until;
}

bool plan_slot_airs_on(const struct slot *s, int32_t day)
{
	if (!(s->days >> days_weekday(day) & 1u))
		return false;
	if (day < s->from_day || day > s->until_day)
		return false;
	return !skips_day(s, day);
}

int64_t plan_slot_next(const struct slot *s, int64_t after_ms)
{
	/* int64 so that stepping past an open until (INT32_MAX) cannot wrap. */
	int64_t d = time_local_day(after_ms, NULL);
	int64_t end;

	if (!(s->days & DAYS_ALL))
		return -1;
	if (d < s->from_day)
		d = s->from_day;
	for (end = d + SEARCH_DAYS; d <= end; d++) {
		int64_t t;

		if (d > s->until_day)
			return -1;
		if (!plan_slot_airs_on(s, (int32_t)d))
			continue;
		/* Today's time may already be behind AFTER_MS; then tomorrow's. */
		t = time_local_ms((int32_t)d, s->start_sec);
		if (t >= after_ms)
			return t;
	}
	return -1;
}

bool plan_eligible(const struct slot *s, const struct bulletin *b, int32_t day)
{
	return fits_slot(s, b) && valid_on(b, day);
}

/* Priority first (emergency, priority, normal), then import order; the
 * position in the caller's array breaks a tie so the order is total. */
static int cmp_air_order(const void *pa, const void *pb)
{
	const struct bulletin *a = *(const struct bulletin *const *)pa;
	const struct bulletin *b = *(const struct bulletin *const *)pb;

	if (a->priority != b->priority)
		return a->priority > b->priority ? -1 : 1;
	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* The bulletins that may air in S on some day, in air order; caller frees. */
static const struct bulletin **slot_candidates(const struct slot *s, const struct bulletin *b,
					       size_t nb, size_t *n)
{
	const struct bulletin **v = xmalloc(nb * sizeof(*v));

	*n = 0;
	for (size_t i = 0; i < nb; i++)
		if (fits_slot(s, &b[i]))
			v[(*n)++] = &b[i];
	if (*n > 1)
		qsort(v, *n, sizeof(*v), cmp_air_order);
	return v;
}

static struct plan_item *push(struct plan *p, enum plan_part part, const struct slot *s,
			      int64_t occ_at, int64_t at, int64_t ms)
{
	struct plan_item *it;

	xgrow(&p->v, &p->cap, p->n + 1, sizeof(*p->v));
	it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	it->part = part;
	it->occurrence_at = occ_at;
	it->at = at;
	it->expected_ms = ms;
	it->slot = s;
	return it;
}

/* m:ss; UP rounds a part second up, so an item never looks shorter than it is. */
static void format_mss(int64_t ms, bool up, char *buf, size_t len)
{
	long long sec;

	if (ms < 0)
		ms = 0;
	sec = (long long)(up ? (ms + 999) / 1000 : ms / 1000);
	snprintf(buf, len, "%lld:%02lld", sec / 60, sec % 60);
}

/* plan_occurrence() on candidates already filtered and sorted for S. */
static void occurrence_from(const struct config *cfg, const struct slot *s, int32_t day,
			    int64_t occ_at, const struct bulletin *const *cand, size_t ncand,
			    struct plan *out)
{
	bool limited = s->max_minutes > 0;
	int64_t budget = (int64_t)s->max_minutes * 60000;
	int64_t gap = cfg->gap_ms;
	int64_t used = 0;   /* length of what airs, outro reserved, gaps between */
	size_t n_el = 0;    /* elements counted in used */
	int64_t pos = occ_at; /* where the next element would start */
	size_t first = out->n, n_taken = 0, n_elig = 0;

	if (s->relay) {
		/* A relay window with no length is refused when the slot is made. */
		push(out, PART_RELAY, s, occ_at, occ_at, budget);
		return;
	}
	for (size_t i = 0; i < ncand; i++)
		n_elig += valid_on(cand[i], day);
	if (n_elig == 0)
		return;

	/* Intro and outro are part of the slot's length, so they are booked
	 * before any item competes for what is left. */
	if (s->intro) {
		used += s->intro_ms;
		n_el++;
	}
	if (s->outro) {
		used += s->outro_ms + (n_el ? gap : 0);
		n_el++;
	}
	if (s->intro) {
		push(out, PART_INTRO, s, occ_at, pos, s->intro_ms);
		pos += s->intro_ms + gap;
	}

	for (size_t i = 0; i < ncand; i++) {
		const struct bulletin *b = cand[i];
		int64_t len = b->audio.duration_ms;
		int64_t need = len + (n_el ? gap : 0);
		struct plan_item *it;

		if (!valid_on(b, day))
			continue;
		it = push(out, PART_ITEM, s, occ_at, pos, len);
		it->bulletin = b;
		if (!limited || used + need <= budget) {
			used += need;
			n_el++;
			n_taken++;
			pos += len + gap;
		} else {
			/* A skipped item keeps the start it would have had if
			 * taken here, i.e. where the next aired element starts. */
			char left[24], item[24];

			format_mss(budget - used - (n_el ? gap : 0), false, left, sizeof(left));
			format_mss(len, true, item, sizeof(item));
			it->skipped = true;
			snprintf(it->reason, sizeof(it->reason),
				 "does not fit the slot's %d minute%s: %s left, the item is %s",
				 s->max_minutes, s->max_minutes == 1 ? "" : "s", left, item);
		}
	}

	if (n_taken == 0) {
		/* Nothing airs, so no intro either; the skipped items stay, so
		 * the ledger can say why they did not air. */
		if (s->intro) {
			memmove(&out->v[first], &out->v[first + 1], (out->n - first - 1) * sizeof(*out->v));
			out->n--;
		}
		return;
	}
	if (s->outro)
		push(out, PART_OUTRO, s, occ_at, pos, s->outro_ms);
}

void plan_occurrence(const struct config *cfg, const struct slot *s, int32_t day,
		     const struct bulletin *b, size_t nb, struct plan *out)
{
	size_t n;
	const struct bulletin **cand = slot_candidates(s, b, nb, &n);

	occurrence_from(cfg, s, day, time_local_ms(day, s->start_sec), cand, n, out);
	free(cand);
}

struct occ {
	int64_t at;
	int32_t day;
	size_t slot;
};

static int cmp_occ(const void *pa, const void *pb)
{
	const struct occ *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	if (a->slot != b->slot)
		return a->slot < b->slot ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}

void plan_range(const struct config *cfg, const struct bulletin *b, size_t nb,
		int64_t from_ms, int64_t to_ms, struct plan *out)
{
	struct occ *occ = NULL;
	size_t n_occ = 0, cap = 0;
	int32_t first, last;
	const struct bulletin ***cand;
	size_t *ncand;

	if (to_ms <= from_ms || cfg->n_slots == 0)
		return;
	first = time_local_day(from_ms, NULL);
	last = time_local_day(to_ms - 1, NULL);

	for (size_t i = 0; i < cfg->n_slots; i++) {
		const struct slot *s = &cfg->slots[i];
		int32_t lo = first > s->from_day ? first : s->from_day;
		int32_t hi = last < s->until_day ? last : s->until_day;

		for (int64_t d = lo; d <= hi; d++) {
			int64_t at;

			if (!plan_slot_airs_on(s, (int32_t)d))
				continue;
			at = time_local_ms((int32_t)d, s->start_sec);
			if (at < from_ms || at >= to_ms)
				continue;
			xgrow(&occ, &cap, n_occ + 1, sizeof(*occ));
			occ[n_occ++] = (struct occ){ at, (int32_t)d, i };
		}
	}
	/* A window with no occurrence leaves OCC null, and qsort's pointer
	 * must never be null even for zero elements. */
	if (n_occ > 1)
		qsort(occ, n_occ, sizeof(*occ), cmp_occ);

	/* Which bulletins a slot takes is decided once per slot, not per day:
	 * a year of a big library stays a fraction of a second. */
	cand = xcalloc(cfg->n_slots, sizeof(*cand));
	ncand = xcalloc(cfg->n_slots, sizeof(*ncand));
	for (size_t i = 0; i < n_occ; i++) {
		size_t k = occ[i].slot;

		if (!cand[k])
			cand[k] = slot_candidates(&cfg->slots[k], b, nb, &ncand[k]);
		occurrence_from(cfg, &cfg->slots[k], occ[i].day, occ[i].at, cand[k], ncand[k], out);
	}
	for (size_t i = 0; i < cfg->n_slots; i++)
		free(cand[i]);
	free(cand);
	free(ncand);
	free(occ);
}

void plan_done(struct plan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

bool plan_walk(const struct plan *p, const struct province_item *prov, size_t n_prov, size_t *i, size_t *k,
	       const struct plan_item **item, const struct province_item **pitem)
{
	*item = NULL;
	*pitem = NULL;
	while (*i < p->n && p->v[*i].part != PART_ITEM && p->v[*i].part != PART_RELAY)
		(*i)++;
	/* At the same instant an emergency or priority item goes first and a
	 * normal one behind the slot's, as the daemon airs them
	 * (doc/province.md, the priority rule). */
	if (*k < n_prov && (*i >= p->n || prov[*k].at < p->v[*i].at ||
			    (prov[*k].at == p->v[*i].at && prov[*k].priority > 0)))
		*pitem = &prov[(*k)++];
	else if (*i < p->n)
		*item = &p->v[(*i)++];
	return *item || *pitem;
}
