/* Report aggregation (see report.h): the counting behind `loa report`, kept
 * apart from the database and from CSV/JSON/HTML so the numbers are tested
 * on their own. */
#include "report/report.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"
#include "util/xmalloc.h"

#define DAY_STEP_MAX 31
#define WEEK_STEP_MAX 60

static const char *const by_names[] = {
	[REPORT_BY_TOPIC] = "topic",
	[REPORT_BY_PLAN] = "plan",
	[REPORT_BY_BULLETIN] = "bulletin",
	[REPORT_BY_SLOT] = "slot",
	[REPORT_BY_DAY] = "day",
};
#define BY_COUNT (sizeof(by_names) / sizeof(by_names[0]))

int report_by_parse(const char *s, enum report_by *out)
{
	for (size_t i = 0; s && i < BY_COUNT; i++) {
		if (strcmp(s, by_names[i]) == 0) {
			*out = (enum report_by)i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *report_by_name(enum report_by by)
{
	return (unsigned)by < BY_COUNT ? by_names[by] : NULL;
}

double report_compliance(const struct report_counts *c)
{
	if (c->planned <= 0)
		return NAN;
	return (double)c->outcome[OUTCOME_COMPLETED] / (double)c->planned;
}

static void count(struct report_counts *c, const struct ledger_row *r)
{
	c->planned++;
	if ((unsigned)r->outcome < OUTCOME_COUNT)
		c->outcome[r->outcome]++;
	if (r->relay_source)
		c->relay_ms += r->played_ms;
	else
		c->aired_ms += r->played_ms;
}

/* The station-local day of MS. Rows come in time order, mostly, so the
 * last day's bounds are kept and a row inside them needs no time zone
 * conversion. The bounds are kept only when both ends convert back to the
 * day, so a day that a clock change shortens or lengthens is right too. */
static int32_t local_day(struct report_day_cache *dc, int64_t ms)
{
	int32_t day;
	int64_t lo, hi;

	if (dc->to_ms > dc->from_ms && ms >= dc->from_ms && ms < dc->to_ms)
		return dc->day;
	day = time_local_day(ms, NULL);
	lo = time_local_ms(day, 0);
	hi = time_local_ms(day + 1, 0);
	if (lo <= ms && ms < hi && time_local_day(lo, NULL) == day && time_local_day(hi - 1, NULL) == day)
		*dc = (struct report_day_cache){ .from_ms = lo, .to_ms = hi, .day = day };
	return day;
}

/* The group key of R into BUF (at least 24 bytes): "" when R has none (no
 * topic, plan, slot, bulletin). */
static const char *row_key(struct report *rep, const struct ledger_row *r, char *buf)
{
	switch (rep->by) {
	case REPORT_BY_TOPIC:
		return r->topic ? r->topic : "";
	case REPORT_BY_PLAN:
		return r->plan ? r->plan : "";
	case REPORT_BY_BULLETIN:
		if (!r->bulletin_id)
			return "";
		snprintf(buf, 24, "%" PRId64, r->bulletin_id);
		return buf;
	case REPORT_BY_SLOT:
		return r->slot ? r->slot : "";
	case REPORT_BY_DAY:
		return time_format_day(local_day(&rep->days, r->scheduled_at), buf);
	}
	return "";
}

/* The name of the group KEY that R is the first row of; for bulletins it
 * is the newest title, which report_add keeps up to date. */
static char *group_name(struct report *rep, const struct ledger_row *r, const char *key)
{
	bool en = rep->lang == TOPIC_LANG_EN;
	struct civil c;

	switch (rep->by) {
	case REPORT_BY_TOPIC:
		return xstrdup(topic_name(*key ? key : NULL, rep->lang));
	case REPORT_BY_PLAN:
		return xstrdup(*key ? key : en ? "(no plan)" : "(không thuộc kế hoạch)");
	case REPORT_BY_BULLETIN:
		return xstrdup(r->title ? r->title : "");
	case REPORT_BY_SLOT:
		return xstrdup(*key ? key : en ? "(outside slots: manual plays and alerts)"
					       : "(ngoài khung giờ: phát thủ công, khẩn cấp)");
	case REPORT_BY_DAY:
		c = days_to_civil(local_day(&rep->days, r->scheduled_at));
		return en ? xstrdup(key) : xasprintf("%02d/%02d/%04d", c.day, c.month, c.year);
	}
	return xstrdup(key);
}

/* "" (none) sorts last; otherwise byte order, which is date order for days. */
static int cmp_text(const void *a, const void *b)
{
	const char *x = ((const struct report_group *)a)->key, *y = ((const struct report_group *)b)->key;

	if (!*x || !*y)
		return !*x - !*y;
	return strcmp(x, y);
}

static int cmp_topic(const void *a, const void *b)
{
	const char *x = ((const struct report_group *)a)->key, *y = ((const struct report_group *)b)->key;

	return topic_compare(*x ? x : NULL, *y ? y : NULL);
}

/* Bulletin ids in numeric order, none last. */
static int cmp_id(const void *a, const void *b)
{
	const char *x = ((const struct report_group *)a)->key, *y = ((const struct report_group *)b)->key;
	long long i = *x ? atoll(x) : LLONG_MAX, k = *y ? atoll(y) : LLONG_MAX;

	return (i > k) - (i < k);
}

void report_begin(struct report *out, enum report_by by, enum topic_lang lang)
{
	memset(out, 0, sizeof(*out));
	out->by = by;
	out->lang = lang;
}

/* FNV-1a: group keys are short, and a report of every bulletin has
 * thousands of them. */
static size_t key_hash(const char *key)
{
	uint64_t h = 14695981039346656037u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 1099511628211u;
	return (size_t)h;
}

/* The slot of KEY in the group table: the one holding it, or the empty
 * one where it goes. */
static size_t *key_slot(struct report *rep, const char *key)
{
	size_t mask = rep->n_slots - 1, i = key_hash(key) & mask;

	while (rep->slots[i] && strcmp(rep->groups[rep->slots[i] - 1].key, key) != 0)
		i = (i + 1) & mask;
	return &rep->slots[i];
}

/* Keeps the table at most half full. */
static void grow_slots(struct report *rep)
{
	if (2 * (rep->n_groups + 1) <= rep->n_slots)
		return;
	free(rep->slots);
	rep->n_slots = rep->n_slots ? 2 * rep->n_slots : 64;
	rep->slots = xcalloc(rep->n_slots, sizeof(*rep->slots));
	for (size_t k = 0; k < rep->n_groups; k++)
		*key_slot(rep, rep->groups[k].key) = k + 1;
}

void report_add(struct report *rep, const struct ledger_row *r)
{
	char buf[24];
	const char *key = row_key(rep, r, buf);
	struct report_group *g = NULL;
	size_t *slot;

	/* Rows of one group tend to come together: the last group first. */
	if (rep->last < rep->n_groups && strcmp(rep->groups[rep->last].key, key) == 0)
		g = &rep->groups[rep->last];
	if (!g) {
		grow_slots(rep);
		slot = key_slot(rep, key);
		if (*slot) {
			rep->last = *slot - 1;
			g = &rep->groups[rep->last];
		}
	}
	if (!g) {
		xgrow(&rep->groups, &rep->cap, rep->n_groups + 1, sizeof(*rep->groups));
		rep->last = rep->n_groups;
		g = &rep->groups[rep->n_groups++];
		memset(g, 0, sizeof(*g));
		g->key = xstrdup(key);
		g->name = group_name(rep, r, key);
		*slot = rep->n_groups;
	} else if (rep->by == REPORT_BY_BULLETIN && strcmp(g->name, r->title ? r->title : "") != 0) {
		/* The newest snapshot: rows come by id, so the last one wins. */
		free(g->name);
		g->name = xstrdup(r->title ? r->title : "");
	}
	count(&g->c, r);
	count(&rep->total, r);
}

void report_end(struct report *rep)
{
	enum report_by by = rep->by;

	free(rep->slots); /* sorting moves the groups */
	rep->slots = NULL;
	rep->n_slots = 0;
	if (rep->n_groups > 1)
		qsort(rep->groups, rep->n_groups, sizeof(*rep->groups),
		      by == REPORT_BY_TOPIC ? cmp_topic : by == REPORT_BY_BULLETIN ? cmp_id : cmp_text);
}

void report_build(const struct ledger_row *rows, size_t n, enum report_by by, enum topic_lang lang,
		  struct report *out)
{
	report_begin(out, by, lang);
	for (size_t i = 0; i < n; i++)
		report_add(out, &rows[i]);
	report_end(out);
}

void report_done(struct report *r)
{
	free(r->slots);
	for (size_t i = 0; i < r->n_groups; i++) {
		free(r->groups[i].key);
		free(r->groups[i].name);
	}
	free(r->groups);
	memset(r, 0, sizeof(*r));
}

static int32_t month_index(int32_t day)
{
	struct civil c = days_to_civil(day);

	return c.year * 12 + c.month - 1;
}

/* The bucket of local day DAY in a period starting on FROM. */
static size_t bucket_of(enum report_step step, int32_t from, int32_t day)
{
	switch (step) {
	case REPORT_STEP_DAY:
		return (size_t)(day - from);
	case REPORT_STEP_WEEK:
		return (size_t)((day - (from - days_weekday(from))) / 7);
	case REPORT_STEP_MONTH:
		return (size_t)(month_index(day) - month_index(from));
	}
	return 0;
}

/* The first bytes before strcmp: topic codes are a byte or two, and this
 * runs for every row of the period against each topic seen so far. */
static bool same_topic(const char *a, const char *b)
{
	return (!a && !b) || (a && b && *a == *b && strcmp(a, b) == 0);
}

/* The row of sums for TOPIC, added (zeroed) when new. */
static size_t topic_index(struct report_series *s, const char *topic)
{
	size_t i, old;

	for (i = 0; i < s->n_topics; i++)
		if (same_topic(s->topics[i], topic))
			return i;
	old = s->cap;
	xgrow(&s->topics, &s->cap, s->n_topics + 1, sizeof(*s->topics));
	if (s->cap != old)
		s->aired_ms = xrealloc(s->aired_ms, s->cap * s->n_buckets * sizeof(*s->aired_ms));
	memset(s->aired_ms + s->n_topics * s->n_buckets, 0, s->n_buckets * sizeof(*s->aired_ms));
	s->topics[s->n_topics] = xstrdup_or_null(topic);
	return s->n_topics++;
}

static int cmp_topic_name(const void *a, const void *b)
{
	return topic_compare(*(char *const *)a, *(char *const *)b);
}

void report_series_begin(struct report_series *out, int32_t from, int32_t to)
{
	memset(out, 0, sizeof(*out));
	out->from = from;
	out->to = to;
	if (to < from)
		return;
	if (to - from + 1 <= DAY_STEP_MAX)
		out->step = REPORT_STEP_DAY;
	else if (bucket_of(REPORT_STEP_WEEK, from, to) + 1 <= WEEK_STEP_MAX)
		out->step = REPORT_STEP_WEEK;
	else
		out->step = REPORT_STEP_MONTH;
	out->n_buckets = bucket_of(out->step, from, to) + 1;
	out->bucket_day = xcalloc(out->n_buckets, sizeof(*out->bucket_day));
	for (int32_t d = to; d >= from; d--)
		out->bucket_day[bucket_of(out->step, from, d)] = d;
}

void report_series_add(struct report_series *s, const struct ledger_row *row)
{
	int32_t day;
	size_t t;

	if (s->to < s->from || row->relay_source)
		return;
	day = local_day(&s->days, row->scheduled_at);
	if (day < s->from || day > s->to)
		return;
	/* A year's ledger has a million rows and a few hundred days: the
	 * bucket of the last row's day is kept rather than worked out again. */
	if (!s->have_last || day != s->last_day) {
		s->have_last = true;
		s->last_day = day;
		s->last_bucket = bucket_of(s->step, s->from, day);
	}
	t = topic_index(s, row->topic);
	s->aired_ms[t * s->n_buckets + s->last_bucket] += row->played_ms;
}

/* The topics into topic_compare order, their rows of sums with them. */
void report_series_end(struct report_series *s)
{
	size_t nb = s->n_buckets, *order;
	int64_t *sums;
	char **sorted;

	if (!s->n_topics) {
		free(s->aired_ms);
		free(s->topics);
		s->aired_ms = NULL;
		s->topics = NULL;
		return;
	}
	sorted = xmalloc(s->n_topics * sizeof(*sorted));
	memcpy(sorted, s->topics, s->n_topics * sizeof(*sorted));
	qsort(sorted, s->n_topics, sizeof(*sorted), cmp_topic_name);
	order = xmalloc(s->n_topics * sizeof(*order));
	for (size_t i = 0; i < s->n_topics; i++)
		for (size_t k = 0; k < s->n_topics; k++)
			if (sorted[i] == s->topics[k])
				order[i] = k;
	sums = xmalloc(s->n_topics * nb * sizeof(*sums));
	for (size_t i = 0; i < s->n_topics; i++)
		memcpy(sums + i * nb, s->aired_ms + order[i] * nb, nb * sizeof(*sums));
	free(s->aired_ms);
	free(s->topics);
	free(order);
	s->aired_ms = sums;
	s->topics = sorted;
	s->cap = s->n_topics;
}

void report_series_build(const struct ledger_row *rows, size_t n, int32_t from, int32_t to,
			 struct report_series *out)
{
	report_series_begin(out, from, to);
	for (size_t i = 0; i < n; i++)
		report_series_add(out, &rows[i]);
	report_series_end(out);
}

void report_series_done(struct report_series *s)
{
	for (size_t i = 0; i < s->n_topics; i++)
		free(s->topics[i]);
	free(s->topics);
	free(s->bucket_day);
	free(s->aired_ms);
	memset(s, 0, sizeof(*s));
}
