/* scheduler/plan: the station's programme. Slots, configs and bulletins are
 * built here as plain structs (no files, no database); expected instants
 * are computed from fixed UTC offsets and expected counts by naive loops,
 * never by the code under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "scheduler/plan.h"
#include "util/timeutil.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define H (60 * MIN)
#define DAY_MS (24 * H)
#define HM(h, m) ((h) * 3600 + (m) * 60)
#define WEEKDAYS 0x1f
#define TUESDAY (1u << 1)
#define SATSUN 0x60

static int32_t D(int y, int m, int d)
{
	return civil_to_days((struct civil){ y, m, d });
}

/* Local time in Vietnam (UTC+7 since 1975, no DST) as UTC ms. */
static int64_t vn(int32_t day, int sec)
{
	return (int64_t)day * DAY_MS + sec * SEC - 7 * H;
}

static char *str(const char *s)
{
	return (char *)s;
}

static struct slot mkslot(const char *name, int start_sec, unsigned days)
{
	struct slot s;

	memset(&s, 0, sizeof(s));
	s.name = str(name);
	s.start_sec = start_sec;
	s.days = days;
	s.from_day = DAY_NONE_BEFORE;
	s.until_day = DAY_NONE_AFTER;
	return s;
}

/* Bulletins with up to four slot names each, in one block the test owns. */
struct lib {
	struct bulletin *b;
	char *(*slots)[4];
	size_t n, cap;
};

static struct lib *lib_new(size_t cap)
{
	struct lib *l = calloc(1, sizeof(*l));

	l->b = calloc(cap, sizeof(*l->b));
	l->slots = calloc(cap, sizeof(*l->slots));
	l->cap = cap;
	return l;
}

static void lib_free(struct lib *l)
{
	free(l->b);
	free(l->slots);
	free(l);
}

static struct bulletin *add(struct lib *l, int64_t id, enum priority prio, int64_t ms, const char *slot)
{
	struct bulletin *b;

	assert_true(l->n < l->cap);
	b = &l->b[l->n];
	b->id = id;
	b->title = str("bản tin");
	b->priority = prio;
	b->valid_from = DAY_NONE_BEFORE;
	b->valid_until = DAY_NONE_AFTER;
	b->slots = l->slots[l->n];
	if (slot)
		b->slots[b->n_slots++] = str(slot);
	b->audio.duration_ms = ms;
	l->n++;
	return b;
}

static void also_in(struct bulletin *b, const char *slot)
{
	assert_true(b->n_slots < 4);
	b->slots[b->n_slots++] = str(slot);
}

static struct config mkconfig(struct slot *slots, size_t n, int gap_ms)
{
	struct config c;

	memset(&c, 0, sizeof(c));
	c.timezone = str("Asia/Ho_Chi_Minh");
	c.gap_ms = gap_ms;
	c.slots = slots;
	c.n_slots = n;
	return c;
}

static int setup_vn(void **state)
{
	(void)state;
	return time_set_zone("Asia/Ho_Chi_Minh");
}

/* ---- plan_slot_next ---- */

static void test_next_across_midnight(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct slot late = mkslot("khuya", 86399, DAYS_ALL);
	int32_t d = D(2026, 11, 23);

	(void)state;
	assert_int_equal(plan_slot_next(&s, vn(d, 86399)), vn(d + 1, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, 86399) + 999), vn(d + 1, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d + 1, 0)), vn(d + 1, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 29))), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&late, vn(d, 86399)), vn(d, 86399));
	assert_int_equal(plan_slot_next(&late, vn(d, 86399) + 1), vn(d + 1, 86399));
}

static void test_next_exact_instant(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	int32_t d = D(2026, 11, 23);

	(void)state;
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 30))), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 30)) - 1), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 30)) + 1), vn(d + 1, HM(5, 30)));
}

static void test_next_weekdays(void **state)
{
	struct slot s = mkslot("chieu", HM(17, 0), WEEKDAYS);
	int32_t fri = D(2026, 11, 27), mon = D(2026, 11, 30);

	(void)state;
	assert_int_equal(days_weekday(fri), 4);
	assert_int_equal(plan_slot_next(&s, vn(fri, HM(16, 0))), vn(fri, HM(17, 0)));
	assert_int_equal(plan_slot_next(&s, vn(fri, HM(18, 30))), vn(mon, HM(17, 0)));
	assert_int_equal(plan_slot_next(&s, vn(fri + 1, HM(9, 0))), vn(mon, HM(17, 0)));

	s = mkslot("cuoi-tuan", HM(7, 0), SATSUN);
	assert_int_equal(plan_slot_next(&s, vn(mon, 0)), vn(mon + 5, HM(7, 0)));
	assert_int_equal(plan_slot_next(&s, vn(mon + 5, HM(7, 0)) + 1), vn(mon + 6, HM(7, 0)));
	assert_int_equal(plan_slot_next(&s, vn(mon + 6, HM(7, 0)) + 1), vn(mon + 12, HM(7, 0)));
}

static void test_next_month_and_year_ends(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	int after = HM(18, 0);

	(void)state;
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 1, 31), after)), vn(D(2026, 2, 1), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 4, 30), after)), vn(D(2026, 5, 1), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2027, 2, 28), after)), vn(D(2027, 3, 1), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2028, 2, 28), after)), vn(D(2028, 2, 29), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2028, 2, 29), after)), vn(D(2028, 3, 1), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 12, 31), after)), vn(D(2027, 1, 1), HM(5, 30)));
	/* Arithmetic check of the helper itself: 2027-01-01 05:30 +07. */
	assert_int_equal(vn(D(2027, 1, 1), HM(5, 30)), 1798756200000LL);
}

static void test_next_leap_day(void **state)
{
	int32_t leap = D(2028, 2, 29);
	struct slot once = mkslot("nhuan", HM(5, 30), DAYS_ALL);
	struct slot tue = mkslot("thu-ba", HM(6, 0), TUESDAY);

	(void)state;
	once.from_day = once.until_day = leap;
	assert_int_equal(plan_slot_next(&once, vn(D(2026, 1, 1), 0)), vn(leap, HM(5, 30)));
	assert_int_equal(plan_slot_next(&once, vn(leap, HM(5, 30))), vn(leap, HM(5, 30)));
	assert_int_equal(plan_slot_next(&once, vn(leap, HM(5, 30)) + 1), -1);
	assert_true(plan_slot_airs_on(&once, leap));
	assert_false(plan_slot_airs_on(&once, leap - 1));
	assert_false(plan_slot_airs_on(&once, leap + 1));

	/* From Wednesday 2028-02-23 the next Tuesday is the leap day. */
	assert_int_equal(plan_slot_next(&tue, vn(D(2028, 2, 23), 0)), vn(leap, HM(6, 0)));
	assert_int_equal(plan_slot_next(&tue, vn(leap, HM(6, 0)) + 1), vn(D(2028, 3, 7), HM(6, 0)));
}

static void test_next_until_and_from(void **state)
{
	struct slot s = mkslot("ke-hoach", HM(5, 30), DAYS_ALL);
	int32_t d = D(2026, 12, 31);

	(void)state;
	s.from_day = D(2026, 8, 28);
	s.until_day = d;
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 1, 1), 0)), vn(D(2026, 8, 28), HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 0))), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 30))), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 30)) + 1), -1);
	assert_int_equal(plan_slot_next(&s, vn(d + 400, 0)), -1);
	assert_false(plan_slot_airs_on(&s, d + 1));
	assert_false(plan_slot_airs_on(&s, D(2026, 8, 27)));
	assert_true(plan_slot_airs_on(&s, D(2026, 8, 28)));
}

static void test_next_skip_dates(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	int32_t d = D(2026, 11, 23);
	int32_t skip[] = { D(2026, 9, 2), d + 1, d + 2, D(2027, 1, 1) };

	(void)state;
	s.skip_days = skip;
	s.n_skip = 4;
	assert_int_equal(plan_slot_next(&s, vn(d, HM(6, 0))), vn(d + 3, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(d, HM(5, 0))), vn(d, HM(5, 30)));
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 12, 31), HM(6, 0))), vn(D(2027, 1, 2), HM(5, 30)));
	assert_false(plan_slot_airs_on(&s, D(2026, 9, 2)));
	assert_true(plan_slot_airs_on(&s, D(2026, 9, 3)));
	assert_true(plan_slot_airs_on(&s, D(2026, 9, 1)));
}

/* Slots whose only airing days are all excluded end the search (-1) instead
 * of looping; an eight-year horizon counts as "never". */
static void test_next_never(void **state)
{
	struct slot s = mkslot("khong", HM(5, 30), TUESDAY);
	int32_t wed = D(2026, 11, 25), tue = D(2026, 11, 24);
	int32_t skip[600];
	size_t n = 0;

	(void)state;
	s.from_day = s.until_day = wed;
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 1, 1), 0)), -1);

	s = mkslot("khong", HM(5, 30), 0);
	assert_int_equal(plan_slot_next(&s, vn(D(2026, 1, 1), 0)), -1);

	/* Every Tuesday of ten years skipped, open until. */
	s = mkslot("khong", HM(5, 30), TUESDAY);
	for (int32_t d = tue; d < tue + 10 * 366 && n < 600; d += 7)
		skip[n++] = d;
	s.skip_days = skip;
	s.n_skip = n;
	assert_int_equal(plan_slot_next(&s, vn(tue, 0)), -1);
	/* Within the horizon it is still found. */
	s.n_skip = 52 * 5;
	assert_int_equal(plan_slot_next(&s, vn(tue, 0)), vn(tue + 52 * 5 * 7, HM(5, 30)));
}

/* ---- plan_eligible ---- */

static void test_eligible(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct lib *l = lib_new(4);
	struct bulletin *b = add(l, 1, PRIO_NORMAL, 60 * SEC, "sang");
	int32_t d = D(2026, 11, 23);

	(void)state;
	assert_true(plan_eligible(&s, b, d));
	b->valid_from = d;
	b->valid_until = d;
	assert_true(plan_eligible(&s, b, d));
	assert_false(plan_eligible(&s, b, d - 1));
	assert_false(plan_eligible(&s, b, d + 1));
	b->valid_from = DAY_NONE_BEFORE;
	assert_true(plan_eligible(&s, b, D(1970, 1, 1)));
	assert_false(plan_eligible(&s, b, d + 1));
	b->valid_from = d;
	b->valid_until = DAY_NONE_AFTER;
	assert_true(plan_eligible(&s, b, D(2100, 1, 1)));
	assert_false(plan_eligible(&s, b, d - 1));

	b->retired_at = vn(d, 0);
	assert_false(plan_eligible(&s, b, d));
	b->retired_at = 0;

	s.name = str("chieu");
	assert_false(plan_eligible(&s, b, d));
	also_in(b, "chieu");
	assert_true(plan_eligible(&s, b, d));
	lib_free(l);
}

static void test_eligible_topics(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	char *topics[] = { str("3"), str("5") };
	struct lib *l = lib_new(4);
	struct bulletin *b = add(l, 1, PRIO_NORMAL, 60 * SEC, "sang");
	int32_t d = D(2026, 11, 23);

	(void)state;
	assert_true(plan_eligible(&s, b, d)); /* no topic, no filter */
	s.topics = topics;
	s.n_topics = 2;
	assert_false(plan_eligible(&s, b, d));
	b->topic = str("3");
	assert_true(plan_eligible(&s, b, d));
	b->topic = str("5");
	assert_true(plan_eligible(&s, b, d));
	b->topic = str("4");
	assert_false(plan_eligible(&s, b, d));
	b->topic = str("35");
	assert_false(plan_eligible(&s, b, d));
	lib_free(l);
}

/* ---- plan_occurrence ---- */

static void test_occurrence_order(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct config cfg = mkconfig(&s, 1, 1000);
	struct lib *l = lib_new(8);
	struct plan p = { 0 };
	int32_t d = D(2026, 11, 23);
	int64_t occ = vn(d, HM(5, 30)), at;
	static const int64_t want[] = { 3, 2, 5, 7, 1, 4 };

	(void)state;
	/* The caller's array is not in id order. */
	add(l, 4, PRIO_NORMAL, 40 * SEC, "sang");
	add(l, 1, PRIO_NORMAL, 10 * SEC, "sang");
	add(l, 5, PRIO_PRIORITY, 50 * SEC, "sang");
	add(l, 3, PRIO_EMERGENCY, 30 * SEC, "sang");
	add(l, 6, PRIO_EMERGENCY, 60 * SEC, "chieu"); /* another slot */
	add(l, 2, PRIO_PRIORITY, 20 * SEC, "sang");
	add(l, 7, PRIO_PRIORITY, 70 * SEC, "sang");
	l->b[l->n - 1].valid_from = d; /* opens on the day: in */
	add(l, 8, PRIO_EMERGENCY, 80 * SEC, "sang");
	l->b[l->n - 1].valid_until = d - 1; /* closed the day before: out */

	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 6);
	at = occ;
	for (size_t i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.v[i];

		assert_int_equal(it->part, PART_ITEM);
		assert_int_equal(it->bulletin->id, want[i]);
		assert_false(it->skipped);
		assert_int_equal(it->occurrence_at, occ);
		assert_int_equal(it->at, at);
		assert_int_equal(it->expected_ms, it->bulletin->id * 10 * SEC);
		assert_ptr_equal(it->slot, &s);
		at += it->expected_ms + 1000;
	}
	/* Appends: a second call adds after what is there. */
	plan_occurrence(&cfg, &s, d + 1, l->b, l->n, &p);
	assert_int_equal(p.n, 12);
	assert_int_equal(p.v[6].occurrence_at, occ + DAY_MS);
	plan_done(&p);
	assert_null(p.v);
	assert_int_equal(p.n, 0);
	lib_free(l);
}

static void test_occurrence_none_eligible(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct config cfg = mkconfig(&s, 1, 1000);
	struct lib *l = lib_new(4);
	struct plan p = { 0 };
	int32_t d = D(2026, 11, 23);

	(void)state;
	s.intro = str("/var/lib/loa/intro.wav");
	s.intro_ms = 10 * SEC;
	s.outro = str("/var/lib/loa/outro.wav");
	s.outro_ms = 10 * SEC;
	plan_occurrence(&cfg, &s, d, l->b, 0, &p);
	assert_int_equal(p.n, 0);
	add(l, 1, PRIO_NORMAL, 60 * SEC, "chieu");
	add(l, 2, PRIO_NORMAL, 60 * SEC, "sang")->retired_at = 1;
	add(l, 3, PRIO_NORMAL, 60 * SEC, "sang")->valid_until = d - 1;
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 0);
	plan_done(&p);
	lib_free(l);
}

/* 15 minutes = 900 s. Intro 10 s + outro 10 s + one gap = 21 s booked.
 *   6:00 → room 900-21-1 = 878 s: taken, 382 s used
 *   5:00 → room 900-382-1 = 517 s: taken, 683 s used
 *   5:00 → room 900-683-1 = 216 s = 3:36: skipped
 *   3:00 → room 216 s: taken, 864 s used
 *   3:36 → room 900-864-1 = 35 s: skipped
 * Starts: intro 0, 11, 372, (skipped 673), 673, (skipped 854), outro 854;
 * the outro ends at 864 s, within 900. */
static void test_occurrence_first_fit(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct config cfg = mkconfig(&s, 1, 1000);
	struct lib *l = lib_new(8);
	struct plan p = { 0 };
	int32_t d = D(2026, 11, 23);
	int64_t occ = vn(d, HM(5, 30));
	static const struct {
		enum plan_part part;
		int64_t id, at, ms;
		bool skipped;
		const char *reason;
	} want[] = {
		{ PART_INTRO, 0, 0, 10 * SEC, false, "" },
		{ PART_ITEM, 1, 11 * SEC, 6 * MIN, false, "" },
		{ PART_ITEM, 2, 372 * SEC, 5 * MIN, false, "" },
		{ PART_ITEM, 3, 673 * SEC, 5 * MIN, true,
		  "does not fit the slot's 15 minutes: 3:36 left, the item is 5:00" },
		{ PART_ITEM, 4, 673 * SEC, 3 * MIN, false, "" },
		{ PART_ITEM, 5, 854 * SEC, 216 * SEC, true,
		  "does not fit the slot's 15 minutes: 0:35 left, the item is 3:36" },
		{ PART_OUTRO, 0, 854 * SEC, 10 * SEC, false, "" },
	};

	(void)state;
	s.max_minutes = 15;
	s.intro = str("/var/lib/loa/intro.wav");
	s.intro_ms = 10 * SEC;
	s.outro = str("/var/lib/loa/outro.wav");
	s.outro_ms = 10 * SEC;
	add(l, 1, PRIO_NORMAL, 6 * MIN, "sang");
	add(l, 2, PRIO_NORMAL, 5 * MIN, "sang");
	add(l, 3, PRIO_NORMAL, 5 * MIN, "sang");
	add(l, 4, PRIO_NORMAL, 3 * MIN, "sang");
	add(l, 5, PRIO_NORMAL, 216 * SEC, "sang");

	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 7);
	for (size_t i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.v[i];

		assert_int_equal(it->part, want[i].part);
		if (want[i].part == PART_ITEM)
			assert_int_equal(it->bulletin->id, want[i].id);
		else
			assert_null(it->bulletin);
		assert_int_equal(it->occurrence_at, occ);
		assert_int_equal(it->at, occ + want[i].at);
		assert_int_equal(it->expected_ms, want[i].ms);
		assert_int_equal(it->skipped, want[i].skipped);
		assert_string_equal(it->reason, want[i].reason);
	}
	plan_done(&p);

	/* Exactly full is full, not over: the 3:36 item alone in place of the
	 * 3:00 one ends the outro at 900 s; one ms more does not fit, and the
	 * part second shows (3:37, not 3:36). */
	l->b[3].audio.duration_ms = 216 * SEC;
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 7);
	assert_false(p.v[4].skipped);
	assert_true(p.v[5].skipped);
	assert_int_equal(p.v[6].at + p.v[6].expected_ms, occ + 900 * SEC);
	plan_done(&p);
	l->b[3].audio.duration_ms = 216 * SEC + 1;
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_true(p.v[4].skipped);
	assert_string_equal(p.v[4].reason, "does not fit the slot's 15 minutes: 3:36 left, the item is 3:37");
	plan_done(&p);
	lib_free(l);
}

/* Nothing fits: only the skipped items, no intro or outro; their `at` is
 * where they would have started (after the intro that would have aired). */
static void test_occurrence_nothing_fits(void **state)
{
	struct slot s = mkslot("ngan", HM(5, 30), DAYS_ALL);
	struct config cfg = mkconfig(&s, 1, 1000);
	struct lib *l = lib_new(4);
	struct plan p = { 0 };
	int32_t d = D(2026, 11, 23);
	int64_t occ = vn(d, HM(5, 30));

	(void)state;
	s.max_minutes = 1;
	s.intro = str("/i.wav");
	s.intro_ms = 10 * SEC;
	s.outro = str("/o.wav");
	s.outro_ms = 10 * SEC;
	add(l, 1, PRIO_NORMAL, 2 * MIN, "ngan");
	add(l, 2, PRIO_EMERGENCY, 3 * MIN + 1, "ngan");
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 2);
	assert_int_equal(p.v[0].bulletin->id, 2);
	assert_int_equal(p.v[1].bulletin->id, 1);
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(p.v[i].part, PART_ITEM);
		assert_true(p.v[i].skipped);
		assert_int_equal(p.v[i].at, occ + 11 * SEC);
	}
	/* 60 - 10 - 10 - 1 (intro/outro gap) - 1 (gap before the item) = 38 s. */
	assert_string_equal(p.v[0].reason, "does not fit the slot's 1 minute: 0:38 left, the item is 3:01");
	assert_string_equal(p.v[1].reason, "does not fit the slot's 1 minute: 0:38 left, the item is 2:00");
	plan_done(&p);
	lib_free(l);
}

static void test_occurrence_intro_outro_alone(void **state)
{
	struct slot s = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct config cfg = mkconfig(&s, 1, 2000);
	struct lib *l = lib_new(4);
	struct plan p = { 0 };
	int32_t d = D(2026, 11, 23);
	int64_t occ = vn(d, HM(5, 30));

	(void)state;
	add(l, 1, PRIO_NORMAL, 30 * SEC, "sang");
	add(l, 2, PRIO_NORMAL, 29 * SEC, "sang");

	/* An intro not probed yet still airs, with no length. */
	s.intro = str("/i.wav");
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].part, PART_INTRO);
	assert_int_equal(p.v[0].expected_ms, 0);
	assert_int_equal(p.v[0].at, occ);
	assert_int_equal(p.v[1].at, occ + 2 * SEC);
	assert_int_equal(p.v[2].at, occ + 34 * SEC);
	plan_done(&p);

	/* Outro only, 1-minute slot: 5 s outro + gap + 30 s = 37 s; then 23 s
	 * minus a gap = 21 s left for the 29 s item. */
	s.intro = NULL;
	s.outro = str("/o.wav");
	s.outro_ms = 5 * SEC;
	s.max_minutes = 1;
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].part, PART_ITEM);
	assert_int_equal(p.v[0].at, occ);
	assert_false(p.v[0].skipped);
	assert_true(p.v[1].skipped);
	assert_int_equal(p.v[1].at, occ + 32 * SEC);
	assert_string_equal(p.v[1].reason, "does not fit the slot's 1 minute: 0:21 left, the item is 0:29");
	assert_int_equal(p.v[2].part, PART_OUTRO);
	assert_int_equal(p.v[2].at, occ + 32 * SEC);
	assert_int_equal(p.v[2].expected_ms, 5 * SEC);
	plan_done(&p);

	/* No intro, no outro, no limit: everything, nothing skipped. */
	s.outro = NULL;
	s.max_minutes = 0;
	l->b[0].audio.duration_ms = 5 * H;
	plan_occurrence(&cfg, &s, d, l->b, l->n, &p);
	assert_int_equal(p.n, 2);
	assert_false(p.v[0].skipped || p.v[1].skipped);
	assert_int_equal(p.v[1].at, occ + 5 * H + 2 * SEC);
	plan_done(&p);
	lib_free(l);
}

/* ---- plan_range ---- */

static bool naive_airs(const struct slot *s, int32_t day)
{
	/* 1970-01-01 was a Thursday; Monday = 0. */
	int wd = (int)(((int64_t)day + 3) % 7);

	if (!(s->days & (1u << wd)) || day < s->from_day || day > s->until_day)
		return false;
	for (size_t i = 0; i < s->n_skip; i++)
		if (s->skip_days[i] == day)
			return false;
	return true;
}

/* Time order, ties in config order, each occurrence's elements together
 * and in order. */
static void check_order(const struct config *cfg, const struct plan *p)
{
	for (size_t i = 1; i < p->n; i++) {
		const struct plan_item *a = &p->v[i - 1], *b = &p->v[i];

		assert_true(a->occurrence_at <= b->occurrence_at);
		if (a->occurrence_at == b->occurrence_at && a->slot != b->slot)
			assert_true(a->slot < b->slot);
		if (a->occurrence_at == b->occurrence_at && a->slot == b->slot)
			assert_true(a->at <= b->at);
		assert_true(a->slot >= cfg->slots && a->slot < cfg->slots + cfg->n_slots);
	}
}

static void test_range_year(void **state)
{
	int32_t skip[] = { D(2026, 4, 30), D(2026, 5, 1), D(2026, 9, 2) };
	struct slot slots[3];
	struct config cfg;
	struct lib *l = lib_new(4);
	struct plan p = { 0 };
	int32_t first = D(2026, 1, 1), last = D(2026, 12, 31);
	size_t want[3] = { 0 }, got[3] = { 0 };
	int64_t from = vn(first, 0), to = vn(last + 1, 0);

	(void)state;
	/* Config order is not time order; two slots share 05:30 at weekends. */
	slots[0] = mkslot("chieu", HM(17, 0), WEEKDAYS);
	slots[0].skip_days = skip;
	slots[0].n_skip = 3;
	slots[1] = mkslot("sang", HM(5, 30), DAYS_ALL);
	slots[2] = mkslot("cuoi-tuan", HM(5, 30), SATSUN);
	slots[2].from_day = D(2026, 3, 1);
	slots[2].until_day = D(2026, 10, 31);
	cfg = mkconfig(slots, 3, 1000);
	add(l, 1, PRIO_NORMAL, 60 * SEC, "chieu");
	also_in(&l->b[0], "sang");
	also_in(&l->b[0], "cuoi-tuan");

	for (int32_t d = first - 3; d <= last + 3; d++)
		for (size_t i = 0; i < 3; i++) {
			int64_t at = vn(d, slots[i].start_sec);

			if (naive_airs(&slots[i], d) && at >= from && at < to)
				want[i]++;
		}
	/* Independent sanity: 365 mornings, 261 weekdays less 3 holidays,
	 * 70 weekend days March..October (35 whole weeks). */
	assert_int_equal(want[1], 365);
	assert_int_equal(want[0], 261 - 3);
	assert_int_equal(want[2], 70);

	plan_range(&cfg, l->b, l->n, from, to, &p);
	assert_int_equal(p.n, want[0] + want[1] + want[2]);
	check_order(&cfg, &p);
	for (size_t i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.v[i];
		int sec;
		int32_t d = time_local_day(it->occurrence_at, &sec);

		got[it->slot - slots]++;
		assert_int_equal(it->part, PART_ITEM);
		assert_int_equal(it->at, it->occurrence_at);
		assert_int_equal(sec, it->slot->start_sec);
		assert_int_equal(it->occurrence_at, vn(d, it->slot->start_sec));
		assert_true(naive_airs(it->slot, d));
	}
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(got[i], want[i]);
	plan_done(&p);

	/* A year of single-slot plans from plan_slot_next agrees. */
	for (size_t i = 0; i < 3; i++) {
		size_t n = 0;

		for (int64_t t = plan_slot_next(&slots[i], from); t >= 0 && t < to;
		     t = plan_slot_next(&slots[i], t + 1))
			n++;
		assert_int_equal(n, want[i]);
	}
	lib_free(l);
}

/* [from, to) is half-open and crosses month ends in local time. */
static void test_range_month_ends(void **state)
{
	struct slot slots[2];
	struct config cfg;
	struct lib *l = lib_new(4);
	struct plan p = { 0 };
	int32_t jan31 = D(2026, 1, 31);

	(void)state;
	slots[0] = mkslot("chieu", HM(17, 0), DAYS_ALL);
	slots[1] = mkslot("sang", HM(5, 30), DAYS_ALL);
	cfg = mkconfig(slots, 2, 1000);
	add(l, 1, PRIO_NORMAL, 60 * SEC, "sang");
	also_in(&l->b[0], "chieu");
	add(l, 2, PRIO_NORMAL, 30 * SEC, "sang");

	plan_range(&cfg, l->b, l->n, vn(jan31, HM(5, 30)), vn(jan31 + 1, HM(5, 30)), &p);
	assert_int_equal(p.n, 3);
	assert_ptr_equal(p.v[0].slot, &slots[1]);
	assert_int_equal(p.v[0].occurrence_at, vn(jan31, HM(5, 30)));
	assert_int_equal(p.v[0].bulletin->id, 1);
	assert_ptr_equal(p.v[1].slot, &slots[1]);
	assert_int_equal(p.v[1].bulletin->id, 2);
	assert_int_equal(p.v[1].at, vn(jan31, HM(5, 30)) + 61 * SEC);
	assert_ptr_equal(p.v[2].slot, &slots[0]);
	assert_int_equal(p.v[2].occurrence_at, vn(jan31, HM(17, 0)));
	plan_done(&p);

	/* 2026-04-30 18:00 to 2026-05-01 17:00 (inclusive end by one ms). */
	plan_range(&cfg, l->b, l->n, vn(D(2026, 4, 30), HM(18, 0)), vn(D(2026, 5, 1), HM(17, 0)) + 1, &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].occurrence_at, vn(D(2026, 5, 1), HM(5, 30)));
	assert_int_equal(p.v[2].occurrence_at, vn(D(2026, 5, 1), HM(17, 0)));
	plan_done(&p);

	/* Year end, one day whose local midnight is 17:00 UTC the day before. */
	plan_range(&cfg, l->b, l->n, vn(D(2026, 12, 31), HM(12, 0)), vn(D(2027, 1, 1), HM(12, 0)), &p);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].occurrence_at, vn(D(2026, 12, 31), HM(17, 0)));
	assert_int_equal(p.v[1].occurrence_at, vn(D(2027, 1, 1), HM(5, 30)));
	plan_done(&p);

	/* Empty and reversed ranges. */
	plan_range(&cfg, l->b, l->n, vn(jan31, 0), vn(jan31, 0), &p);
	assert_int_equal(p.n, 0);
	plan_range(&cfg, l->b, l->n, vn(jan31 + 1, 0), vn(jan31, 0), &p);
	assert_int_equal(p.n, 0);
	/* A window between two instants: no occurrence at all, which the
	 * console's "next" asks for all day long (UBSan caught a qsort of
	 * nothing here). */
	plan_range(&cfg, l->b, l->n, vn(jan31, HM(6, 0)), vn(jan31, HM(16, 0)), &p);
	assert_int_equal(p.n, 0);
	plan_done(&p);
	lib_free(l);
}

static void test_range_empty_library(void **state)
{
	struct slot slots[2] = { mkslot("sang", HM(5, 30), DAYS_ALL), mkslot("chieu", HM(17, 0), DAYS_ALL) };
	struct config cfg = mkconfig(slots, 2, 1000);
	struct config none = mkconfig(NULL, 0, 1000);
	struct lib *l = lib_new(1);
	struct plan p = { 0 };

	(void)state;
	plan_range(&cfg, l->b, 0, vn(D(2026, 1, 1), 0), vn(D(2027, 1, 1), 0), &p);
	assert_int_equal(p.n, 0);
	add(l, 1, PRIO_NORMAL, 60 * SEC, "sang");
	plan_range(&none, l->b, l->n, vn(D(2026, 1, 1), 0), vn(D(2027, 1, 1), 0), &p);
	assert_int_equal(p.n, 0);
	plan_done(&p);
	plan_done(&p); /* twice is harmless */
	lib_free(l);
}

/* A year, three slots, 1000 bulletins each valid for three weeks: the same
 * as planning each occurrence on its own. (How fast is bench/'s business:
 * a timed assertion would fail on a busy machine.) */
static void test_range_big(void **state)
{
	struct slot slots[3];
	struct config cfg;
	struct lib *l = lib_new(1000);
	struct plan p = { 0 }, one = { 0 };
	int32_t first = D(2026, 1, 1);
	static const char *topics[] = { "1", "2", "3", "4", "5", "6" };
	char *slot_topics[] = { str("3"), str("4"), str("5") };
	size_t i, occurrences = 0;

	(void)state;
	slots[0] = mkslot("sang", HM(5, 30), DAYS_ALL);
	slots[0].max_minutes = 30;
	slots[1] = mkslot("chieu", HM(17, 0), WEEKDAYS);
	slots[1].max_minutes = 15;
	slots[1].intro = str("/i.wav");
	slots[1].intro_ms = 8 * SEC;
	slots[2] = mkslot("toi", HM(19, 0), DAYS_ALL);
	slots[2].topics = slot_topics;
	slots[2].n_topics = 3;
	cfg = mkconfig(slots, 3, 1000);
	for (i = 0; i < 1000; i++) {
		struct bulletin *b = add(l, (int64_t)i + 1, (enum priority)(i % 17 == 0 ? 2 : i % 5 == 0),
					 (int64_t)(45 + (i * 37) % 240) * SEC, i % 3 ? "sang" : "chieu");

		if (i % 2)
			also_in(b, "toi");
		b->topic = str(topics[i % 6]);
		b->valid_from = first + (int32_t)(i * 365 / 1000);
		b->valid_until = b->valid_from + 20;
		b->retired_at = i % 50 == 49;
	}

	plan_range(&cfg, l->b, l->n, vn(first, 0), vn(first + 365, 0), &p);
	check_order(&cfg, &p);

	/* Re-plan every occurrence with plan_occurrence: identical. */
	for (i = 0; i < p.n;) {
		const struct plan_item *it = &p.v[i];
		int32_t d = time_local_day(it->occurrence_at, NULL);

		plan_occurrence(&cfg, it->slot, d, l->b, l->n, &one);
		assert_true(one.n > 0);
		assert_true(i + one.n <= p.n);
		for (size_t k = 0; k < one.n; k++) {
			assert_int_equal(one.v[k].part, p.v[i + k].part);
			assert_ptr_equal(one.v[k].bulletin, p.v[i + k].bulletin);
			assert_int_equal(one.v[k].at, p.v[i + k].at);
			assert_int_equal(one.v[k].skipped, p.v[i + k].skipped);
			assert_string_equal(one.v[k].reason, p.v[i + k].reason);
			if (one.v[k].bulletin) {
				assert_true(plan_eligible(it->slot, one.v[k].bulletin, d));
				assert_int_equal(one.v[k].bulletin->retired_at, 0);
			}
		}
		i += one.n;
		occurrences++;
		plan_done(&one);
	}
	assert_true(occurrences > 365);
	plan_done(&p);
	lib_free(l);
}

/* ---- a zone with DST: nothing may assume a fixed offset ---- */

/* Europe/Berlin 2026: CET (+1) until 03-29 01:00 UTC, then CEST (+2) until
 * 10-25 01:00 UTC. A 02:30 slot on the spring-forward day airs at 03:30
 * CEST (the wall clock never shows 02:30); on the fall-back day it airs
 * once, at the first 02:30. */
static void test_dst_berlin(void **state)
{
	struct slot s = mkslot("dem", HM(2, 30), DAYS_ALL);
	struct slot m = mkslot("sang", HM(5, 30), DAYS_ALL);
	struct slot slots[2];
	struct config cfg;
	struct lib *l = lib_new(2);
	struct plan p = { 0 };
	int32_t spring = D(2026, 3, 29), fall = D(2026, 10, 25);
	int64_t t, prev = -1;
	size_t n = 0;

	(void)state;
	assert_int_equal(time_set_zone("Europe/Berlin"), 0);
	assert_int_equal(plan_slot_next(&s, (int64_t)(spring - 1) * DAY_MS + 3 * H),
			 (int64_t)spring * DAY_MS + 1 * H + 30 * MIN);
	assert_int_equal(plan_slot_next(&s, (int64_t)spring * DAY_MS + 1 * H + 30 * MIN + 1),
			 (int64_t)(spring + 1) * DAY_MS + 30 * MIN);
	assert_int_equal(plan_slot_next(&m, (int64_t)spring * DAY_MS),
			 (int64_t)spring * DAY_MS + 3 * H + 30 * MIN);
	assert_int_equal(plan_slot_next(&s, (int64_t)(fall - 1) * DAY_MS + 3 * H),
			 (int64_t)fall * DAY_MS + 30 * MIN);
	/* Not again at the second 02:30 (01:30 UTC). */
	assert_int_equal(plan_slot_next(&s, (int64_t)fall * DAY_MS + 30 * MIN + 1),
			 (int64_t)(fall + 1) * DAY_MS + 1 * H + 30 * MIN);
	assert_int_equal(plan_slot_next(&m, (int64_t)fall * DAY_MS),
			 (int64_t)fall * DAY_MS + 4 * H + 30 * MIN);

	/* Walking the year with plan_slot_next: once a day, every day. */
	for (t = plan_slot_next(&s, (int64_t)D(2026, 1, 1) * DAY_MS); t < (int64_t)D(2027, 1, 1) * DAY_MS;
	     t = plan_slot_next(&s, t + 1)) {
		assert_true(t > prev);
		prev = t;
		n++;
	}
	assert_int_equal(n, 365);

	slots[0] = s;
	slots[1] = m;
	cfg = mkconfig(slots, 2, 1000);
	add(l, 1, PRIO_NORMAL, 60 * SEC, "dem");
	also_in(&l->b[0], "sang");
	plan_range(&cfg, l->b, l->n, (int64_t)D(2026, 1, 1) * DAY_MS - H,
		   (int64_t)D(2027, 1, 1) * DAY_MS - H, &p);
	assert_int_equal(p.n, 2 * 365);
	check_order(&cfg, &p);
	for (size_t i = 0; i < p.n; i += 2) {
		int32_t d = D(2026, 1, 1) + (int32_t)(i / 2);

		assert_int_equal(time_local_day(p.v[i].occurrence_at, NULL), d);
		assert_int_equal(time_local_day(p.v[i + 1].occurrence_at, NULL), d);
		assert_ptr_equal(p.v[i].slot, &slots[0]);
	}
	plan_done(&p);
	lib_free(l);
}

/* Listings walk slot items and province items by instant: jingles are
 * not listed, an emergency or priority item at a slot item's instant
 * goes first and a normal one after it. */
static void test_walk_with_province(void **state)
{
	struct plan_item v[] = {
		{ .part = PART_INTRO, .at = 1000 },
		{ .part = PART_ITEM, .at = 2000 },
		{ .part = PART_ITEM, .at = 5000 },
		{ .part = PART_OUTRO, .at = 6000 },
		{ .part = PART_RELAY, .at = 9000 },
	};
	struct plan p = { .v = v, .n = sizeof(v) / sizeof(v[0]) };
	struct province_item prov[] = {
		{ .at = 500, .priority = 0 },
		{ .at = 2000, .priority = 0 },
		{ .at = 5000, .priority = 2 },
		{ .at = 9500, .priority = 1 },
	};
	/* Which: 'p' a province item with its index, 's' a plan element with its index. */
	const char *want[] = { "p0", "s1", "p1", "p2", "s2", "s4", "p3" };
	const struct plan_item *it;
	const struct province_item *pi;
	size_t i = 0, k = 0, n = 0;
	char got[24];

	(void)state;
	while (plan_walk(&p, prov, 4, &i, &k, &it, &pi)) {
		assert_true(n < sizeof(want) / sizeof(want[0]));
		assert_true((it == NULL) != (pi == NULL));
		snprintf(got, sizeof(got), "%c%td", pi ? 'p' : 's', pi ? pi - prov : it - v);
		assert_string_equal(got, want[n]);
		n++;
	}
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	/* Nothing at all. */
	i = k = 0;
	p.n = 0;
	assert_false(plan_walk(&p, NULL, 0, &i, &k, &it, &pi));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_next_across_midnight, setup_vn),
		cmocka_unit_test_setup(test_next_exact_instant, setup_vn),
		cmocka_unit_test_setup(test_next_weekdays, setup_vn),
		cmocka_unit_test_setup(test_next_month_and_year_ends, setup_vn),
		cmocka_unit_test_setup(test_next_leap_day, setup_vn),
		cmocka_unit_test_setup(test_next_until_and_from, setup_vn),
		cmocka_unit_test_setup(test_next_skip_dates, setup_vn),
		cmocka_unit_test_setup(test_next_never, setup_vn),
		cmocka_unit_test_setup(test_eligible, setup_vn),
		cmocka_unit_test_setup(test_eligible_topics, setup_vn),
		cmocka_unit_test_setup(test_occurrence_order, setup_vn),
		cmocka_unit_test_setup(test_occurrence_none_eligible, setup_vn),
		cmocka_unit_test_setup(test_occurrence_first_fit, setup_vn),
		cmocka_unit_test_setup(test_occurrence_nothing_fits, setup_vn),
		cmocka_unit_test_setup(test_occurrence_intro_outro_alone, setup_vn),
		cmocka_unit_test_setup(test_range_year, setup_vn),
		cmocka_unit_test_setup(test_range_month_ends, setup_vn),
		cmocka_unit_test_setup(test_range_empty_library, setup_vn),
		cmocka_unit_test_setup(test_range_big, setup_vn),
		cmocka_unit_test_setup(test_dst_berlin, setup_vn),
		cmocka_unit_test(test_walk_with_province),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
