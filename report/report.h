/* Report aggregation: ledger rows in, groups of counters out. Pure (no
 * database, no output), so the numbers an officer signs are unit-tested
 * against a hand-built ledger; render.c and html.c write them out.
 *
 * planned is the number of ledger rows in a group: every planned item gets
 * exactly one row whatever its outcome, and manual plays and alerts get one
 * too. aired_ms sums played_ms over the bulletins' rows (partial and
 * preempted airings count for what they played), relay_ms over the relay
 * windows' (tiếp âm: the time that carried the source), apart: a relay is
 * counted in planned and its outcome like any row, but its minutes are not
 * bulletin minutes. compliance = completed / planned. */
#ifndef LOA_REPORT_H
#define LOA_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content/topic.h"
#include "ledger/ledger.h"

enum report_by { REPORT_BY_TOPIC, REPORT_BY_PLAN, REPORT_BY_BULLETIN, REPORT_BY_SLOT, REPORT_BY_DAY };

struct report_counts {
	int64_t planned;
	int64_t outcome[OUTCOME_COUNT]; /* indexed by enum outcome */
	int64_t aired_ms;               /* bulletins (items, plays, alerts) */
	int64_t relay_ms;               /* relay windows (tiếp âm): what carried the source */
};

struct report_group {
	char *key;  /* topic code or slug, plan, bulletin id, slot, YYYY-MM-DD; "" for none */
	char *name; /* for people, in the report's language */
	struct report_counts c;
};

struct report {
	enum report_by by;
	struct report_group *groups; /* in report order */
	size_t n_groups;
	struct report_counts total;
	/* report_add's own */
	enum topic_lang lang;
	size_t cap, last;
	size_t *slots, n_slots; /* groups by key hash: index + 1, 0 for none */
	struct report_day_cache {
		int64_t from_ms, to_ms; /* [from, to): instants of local day DAY */
		int32_t day;
	} days;
};

/* Labels for people, in one language. */
struct report_labels {
	const char *lang, *title, *period, *from_to_sep, *station, *by, *generated, *head, *head_row;
	const char *not_intact, *planned, *outcome[OUTCOME_COUNT], *aired, *relay, *compliance, *total;
	const char *by_name[5], *chart_title[3], *chart_unit, *no_data, *notes_title, *note_planned;
	const char *note_compliance, *note_verify, *prepared, *sign;
	const char *witness, *witness_row, *witness_at; /* the province's acknowledgement, under the head */
};
/* The labels of LANG (static storage). */
const struct report_labels *report_labels(enum topic_lang lang);
/* The outcome columns of every report form, in their one order. */
#define REPORT_N_OUTCOMES OUTCOME_COUNT
extern const enum outcome report_outcome_order[REPORT_N_OUTCOMES];

/* "topic", "plan", "bulletin", "slot", "day". Returns 0 or -EINVAL. */
int report_by_parse(const char *s, enum report_by *out);
const char *report_by_name(enum report_by by);
/* Groups ROWS (as ledger_query returns them, by id) by BY, names in LANG.
 * Days are station-local (time_set_zone). Free OUT with report_done. */
void report_build(const struct ledger_row *rows, size_t n, enum report_by by, enum topic_lang lang,
		  struct report *out);
/* report_build a row at a time, for rows read once and not kept: begin,
 * add each row in id order (ROW is copied from as needed), end. */
void report_begin(struct report *out, enum report_by by, enum topic_lang lang);
void report_add(struct report *r, const struct ledger_row *row);
void report_end(struct report *r);
void report_done(struct report *r);
/* completed / planned, or NAN when nothing was planned. */
double report_compliance(const struct report_counts *c);

/* The chart's time step: days for periods up to 31 days, else weeks
 * (Monday to Sunday), else months when that would be more than 60 weeks. */
enum report_step { REPORT_STEP_DAY, REPORT_STEP_WEEK, REPORT_STEP_MONTH };

/* Aired milliseconds of bulletins per topic per time step, for the chart
 * (relay windows are not bulletin time). */
struct report_series {
	enum report_step step;
	size_t n_buckets;
	int32_t *bucket_day;  /* first local day of each bucket inside the period */
	size_t n_topics;
	char **topics;        /* in topic_compare order; NULL for rows without a topic */
	int64_t *aired_ms;    /* [topic * n_buckets + bucket] */
	/* report_series_add's own */
	int32_t from, to;
	size_t cap;
	struct report_day_cache days;
	bool have_last;             /* last_day and last_bucket are the last row's */
	int32_t last_day;
	size_t last_bucket;
};

/* Buckets the rows scheduled on local days FROM..TO (inclusive). Free OUT
 * with report_series_done. */
void report_series_build(const struct ledger_row *rows, size_t n, int32_t from, int32_t to,
			 struct report_series *out);
/* report_series_build a row at a time, as report_begin/add/end. */
void report_series_begin(struct report_series *out, int32_t from, int32_t to);
void report_series_add(struct report_series *s, const struct ledger_row *row);
void report_series_end(struct report_series *s);
void report_series_done(struct report_series *s);

#endif
