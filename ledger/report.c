/* Report aggregation (see report.h): the counting behind `loa report`, kept
 * apart from the database and from CSV/JSON/HTML so the numbers are tested
 * on their own. */
#include "ledger/report.h"

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
	c->aired_ms += r->played_ms;
}

/* The group key of R: "" when R has none (no topic, plan, slot, bulletin). */
static char *row_key(const struct ledger_row *r, enum report_by by)
{
	char day[16];

	switch (by) {
	case REPORT_BY_TOPIC:
		return xstrdup(r->topic ? r->topic : "");
	case REPORT_BY_PLAN:
		return xstrdup(r->plan ? r->plan : "");
	case REPORT_BY_BULLETIN:
		return r->bulletin_id ? xasprintf("%" PRId64, r->bulletin_id) : xstrdup("");
	case REPORT_BY_SLOT:
		return xstrdup(r->slot ? r->slot : "");
	case REPORT_BY_DAY:
		return xstrdup(time_format_day(time_local_day(r->scheduled_at, NULL), day));
	}
	return xstrdup("");
}

static char *group_name(const struct ledger_row *r, const char *key, enum report_by by, enum topic_lang lang)
{
	bool en = lang == TOPIC_LANG_EN;
	struct civil c;

	switch (by) {
	case REPORT_BY_TOPIC:
		return xstrdup(topic_name(*key ? key : NULL, lang));
	case REPORT_BY_PLAN:
		return xstrdup(*key ? key : en ? "(no plan)" : "(không thuộc kế hoạch)");
	case REPORT_BY_BULLETIN:
		/* The newest snapshot: rows come by id, so the last one wins. */
		return xstrdup(r->title ? r->title : "");
	case REPORT_BY_SLOT:
		return xstrdup(*key ? key : en ? "(outside slots: manual plays and alerts)"
					       : "(ngoài khung giờ: phát thủ công, khẩn cấp)");
	case REPORT_BY_DAY:
		c = days_to_civil(time_local_day(r->scheduled_at, NULL));
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

void report_build(const struct ledger_row *rows, size_t n, enum report_by by, enum topic_lang lang,
		  struct report *out)
{
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->by = by;
	for (size_t i = 0; i < n; i++) {
		const struct ledger_row *r = &rows[i];
		char *key = row_key(r, by);
		struct report_group *g = NULL;

		/* Linear: a report has tens of groups, a year of days at most. */
		for (size_t k = 0; k < out->n_groups && !g; k++)
			if (strcmp(out->groups[k].key, key) == 0)
				g = &out->groups[k];
		if (!g) {
			xgrow(&out->groups, &cap, out->n_groups + 1, sizeof(*out->groups));
			g = &out->groups[out->n_groups++];
			memset(g, 0, sizeof(*g));
			g->key = key;
			key = NULL;
		}
		free(g->name);
		g->name = group_name(r, g->key, by, lang);
		free(key);
		count(&g->c, r);
		count(&out->total, r);
	}
	if (out->n_groups > 1)
		qsort(out->groups, out->n_groups, sizeof(*out->groups),
		      by == REPORT_BY_TOPIC ? cmp_topic : by == REPORT_BY_BULLETIN ? cmp_id : cmp_text);
}

void report_done(struct report *r)
{
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

static size_t topic_index(struct report_series *s, const char *topic, size_t *cap)
{
	size_t i;

	for (i = 0; i < s->n_topics; i++) {
		const char *t = s->topics[i];

		if ((!t && !topic) || (t && topic && strcmp(t, topic) == 0))
			return i;
	}
	xgrow(&s->topics, cap, s->n_topics + 1, sizeof(*s->topics));
	s->topics[s->n_topics] = xstrdup_or_null(topic);
	return s->n_topics++;
}

static int cmp_topic_name(const void *a, const void *b)
{
	return topic_compare(*(char *const *)a, *(char *const *)b);
}

void report_series_build(const struct ledger_row *rows, size_t n, int32_t from, int32_t to,
			 struct report_series *out)
{
	size_t cap = 0;
	int64_t *sums;
	char **sorted;

	memset(out, 0, sizeof(*out));
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

	/* First the topics, so the sums array has its final shape. */
	for (size_t i = 0; i < n; i++) {
		int32_t day = time_local_day(rows[i].scheduled_at, NULL);

		if (day >= from && day <= to)
			topic_index(out, rows[i].topic, &cap);
	}
	if (!out->n_topics)
		return;
	sorted = xmalloc(out->n_topics * sizeof(*sorted));
	memcpy(sorted, out->topics, out->n_topics * sizeof(*sorted));
	qsort(sorted, out->n_topics, sizeof(*sorted), cmp_topic_name);
	free(out->topics);
	out->topics = sorted;
	cap = out->n_topics;

	sums = xcalloc(out->n_topics * out->n_buckets, sizeof(*sums));
	for (size_t i = 0; i < n; i++) {
		int32_t day = time_local_day(rows[i].scheduled_at, NULL);

		if (day < from || day > to)
			continue;
		sums[topic_index(out, rows[i].topic, &cap) * out->n_buckets +
		     bucket_of(out->step, from, day)] += rows[i].played_ms;
	}
	out->aired_ms = sums;
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
