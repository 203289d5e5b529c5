/* Tests of the report aggregation (report/report.c): the numbers of a
 * hand-built ledger counted by hand, every grouping, group names in both
 * languages, station-local days, compliance, and the chart's time steps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "content/topic.h"
#include "report/report.h"
#include "util/timeutil.h"

#define SANG (5 * 3600 + 1800)
#define CHIEU (17 * 3600)

static int32_t D; /* Monday 2025-11-24, station-local */

struct spec {
	enum air_kind kind;
	const char *topic, *plan, *slot, *title;
	int64_t bid;
	enum outcome outcome;
	int64_t played_ms;
	int day_offset, sec;
};

/* Ten rows; the expected numbers below are counted from this table. */
static const struct spec specs[] = {
	{ KIND_SLOT, "3", "KH 12", "sang", "Luật đất đai", 1, OUTCOME_COMPLETED, 60000, 0, SANG },
	{ KIND_SLOT, "1", NULL, "chieu", "Lịch tiêm chủng", 2, OUTCOME_PARTIAL, 30000, 0, CHIEU },
	{ KIND_SLOT, "3", "KH 12", "sang", "Luật đất đai", 1, OUTCOME_COMPLETED, 60000, 1, SANG },
	{ KIND_SLOT, "1", NULL, "chieu", "Lịch tiêm chủng", 2, OUTCOME_PREEMPTED, 12000, 1, CHIEU },
	{ KIND_ALERT, "2", NULL, NULL, "Cảnh báo bão", 3, OUTCOME_COMPLETED, 45000, 1, 12 * 3600 },
	{ KIND_SLOT, "3", "KH 12", "sang", "Luật đất đai", 1, OUTCOME_MISSED, 0, 2, SANG },
	{ KIND_SLOT, "an-ninh", "KH 12", "sang", "An ninh trật tự", 4, OUTCOME_SKIPPED, 0, 7, SANG },
	{ KIND_PLAY, NULL, NULL, NULL, "Phát thủ công", 5, OUTCOME_FAILED, 0, 7, 9 * 3600 },
	{ KIND_SLOT, "3", "KH 12", "sang", "Luật đất đai (sửa)", 1, OUTCOME_CANCELLED, 5000, 8, SANG },
	/* 00:10 local is the evening before in UTC: days must be local. */
	{ KIND_SLOT, "5", NULL, "chieu", "Kiến thức nông nghiệp", 10, OUTCOME_COMPLETED, 90000, 8, 600 },
};
#define N_ROWS (sizeof(specs) / sizeof(specs[0]))

static struct ledger_row rows[N_ROWS];

static int setup(void **state)
{
	(void)state;
	if (time_set_zone("Asia/Ho_Chi_Minh") < 0 || time_parse_day("2025-11-24", &D) < 0)
		return -1;
	for (size_t i = 0; i < N_ROWS; i++) {
		const struct spec *s = &specs[i];

		rows[i] = (struct ledger_row){
			.id = (int64_t)i + 1, .kind = s->kind, .scheduled_at = time_local_ms(D + s->day_offset, s->sec),
			.outcome = s->outcome, .played_ms = s->played_ms, .bulletin_id = s->bid,
			.title = (char *)s->title, .topic = (char *)s->topic, .plan = (char *)s->plan,
			.slot = (char *)s->slot,
		};
	}
	return 0;
}

/* planned, completed, partial, preempted, cancelled, failed, missed, skipped, aired_ms */
static void assert_counts(const struct report_counts *c, int64_t planned, int64_t completed,
			  int64_t partial, int64_t preempted, int64_t cancelled, int64_t failed,
			  int64_t missed, int64_t skipped, int64_t aired_ms)
{
	assert_int_equal(c->planned, planned);
	assert_int_equal(c->outcome[OUTCOME_COMPLETED], completed);
	assert_int_equal(c->outcome[OUTCOME_PARTIAL], partial);
	assert_int_equal(c->outcome[OUTCOME_PREEMPTED], preempted);
	assert_int_equal(c->outcome[OUTCOME_CANCELLED], cancelled);
	assert_int_equal(c->outcome[OUTCOME_FAILED], failed);
	assert_int_equal(c->outcome[OUTCOME_MISSED], missed);
	assert_int_equal(c->outcome[OUTCOME_SKIPPED], skipped);
	assert_int_equal(c->aired_ms, aired_ms);
}

static void assert_keys(const struct report *r, const char *const *keys, size_t n)
{
	assert_int_equal(r->n_groups, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(r->groups[i].key, keys[i]);
}

static void test_by_topic(void **state)
{
	static const char *const keys[] = { "1", "2", "3", "5", "an-ninh", "" };
	struct report r;

	(void)state;
	report_build(rows, N_ROWS, REPORT_BY_TOPIC, TOPIC_LANG_VI, &r);
	assert_int_equal(r.by, REPORT_BY_TOPIC);
	assert_keys(&r, keys, 6);
	assert_counts(&r.groups[0].c, 2, 0, 1, 1, 0, 0, 0, 0, 42000);
	assert_counts(&r.groups[1].c, 1, 1, 0, 0, 0, 0, 0, 0, 45000);
	assert_counts(&r.groups[2].c, 4, 2, 0, 0, 1, 0, 1, 0, 125000);
	assert_counts(&r.groups[3].c, 1, 1, 0, 0, 0, 0, 0, 0, 90000);
	assert_counts(&r.groups[4].c, 1, 0, 0, 0, 0, 0, 0, 1, 0);
	assert_counts(&r.groups[5].c, 1, 0, 0, 0, 0, 1, 0, 0, 0);
	assert_counts(&r.total, 10, 4, 1, 1, 1, 1, 1, 1, 302000);
	assert_string_equal(r.groups[0].name, "Thông tin chung");
	assert_string_equal(r.groups[2].name,
			    "Chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước");
	assert_string_equal(r.groups[4].name, "an-ninh");
	assert_string_equal(r.groups[5].name, "(không có lĩnh vực)");
	assert_true(fabs(report_compliance(&r.groups[2].c) - 0.5) < 1e-9);
	assert_true(fabs(report_compliance(&r.groups[1].c) - 1.0) < 1e-9);
	assert_true(report_compliance(&r.groups[0].c) == 0.0);
	assert_true(fabs(report_compliance(&r.total) - 0.4) < 1e-9);
	report_done(&r);

	report_build(rows, N_ROWS, REPORT_BY_TOPIC, TOPIC_LANG_EN, &r);
	assert_string_equal(r.groups[0].name, "General information");
	assert_string_equal(r.groups[1].name, "Unscheduled and urgent information");
	assert_string_equal(r.groups[5].name, "(no topic)");
	report_done(&r);
}

/* A relay window (tiếp âm) is a planned row with an outcome like any
 * other, but its minutes are relay minutes, apart from the bulletins',
 * and stay out of the chart of bulletin minutes. */
static void test_relay_minutes_apart(void **state)
{
	int32_t day = civil_to_days((struct civil){ 2026, 3, 2 });
	struct ledger_row v[3] = {
		{ .id = 1, .kind = KIND_SLOT, .scheduled_at = time_local_ms(day, 6 * 3600), .outcome = OUTCOME_COMPLETED,
		  .played_ms = 60000, .bulletin_id = 1, .title = (char *)"Tin", .topic = (char *)"1",
		  .slot = (char *)"sang" },
		{ .id = 2, .kind = KIND_SLOT, .scheduled_at = time_local_ms(day, 6 * 3600 + 300),
		  .outcome = OUTCOME_COMPLETED, .played_ms = 895000, .title = (char *)"Thời sự VOV1",
		  .topic = (char *)"1", .slot = (char *)"thoi-su", .relay_source = (char *)"vov1",
		  .relay_url = (char *)"http://127.0.0.1/a.mp3" },
		{ .id = 3, .kind = KIND_SLOT, .scheduled_at = time_local_ms(day + 1, 6 * 3600 + 300),
		  .outcome = OUTCOME_FAILED, .title = (char *)"Thời sự VOV1", .topic = (char *)"1",
		  .slot = (char *)"thoi-su", .relay_source = (char *)"vov1" },
	};
	struct report_series ser;
	struct report r;

	(void)state;
	report_build(v, 3, REPORT_BY_SLOT, TOPIC_LANG_VI, &r);
	assert_int_equal(r.n_groups, 2);
	assert_string_equal(r.groups[1].key, "thoi-su");
	assert_counts(&r.groups[1].c, 2, 1, 0, 0, 0, 1, 0, 0, 0);
	assert_int_equal(r.groups[1].c.relay_ms, 895000);
	assert_counts(&r.groups[0].c, 1, 1, 0, 0, 0, 0, 0, 0, 60000);
	assert_int_equal(r.groups[0].c.relay_ms, 0);
	assert_int_equal(r.total.aired_ms, 60000);
	assert_int_equal(r.total.relay_ms, 895000);
	report_done(&r);
	report_series_build(v, 3, day, day + 1, &ser);
	assert_int_equal(ser.n_topics, 1);
	assert_int_equal(ser.aired_ms[0], 60000);
	assert_int_equal(ser.aired_ms[1], 0);
	report_series_done(&ser);
}

static void test_by_plan(void **state)
{
	static const char *const keys[] = { "KH 12", "" };
	struct report r;

	(void)state;
	report_build(rows, N_ROWS, REPORT_BY_PLAN, TOPIC_LANG_VI, &r);
	assert_keys(&r, keys, 2);
	assert_counts(&r.groups[0].c, 5, 2, 0, 0, 1, 0, 1, 1, 125000);
	assert_counts(&r.groups[1].c, 5, 2, 1, 1, 0, 1, 0, 0, 177000);
	assert_string_equal(r.groups[0].name, "KH 12");
	assert_string_equal(r.groups[1].name, "(không thuộc kế hoạch)");
	report_done(&r);
}

static void test_by_bulletin(void **state)
{
	/* Numeric order: 10 after 5, not after 1. */
	static const char *const keys[] = { "1", "2", "3", "4", "5", "10" };
	struct report r;

	(void)state;
	report_build(rows, N_ROWS, REPORT_BY_BULLETIN, TOPIC_LANG_VI, &r);
	assert_keys(&r, keys, 6);
	assert_counts(&r.groups[0].c, 4, 2, 0, 0, 1, 0, 1, 0, 125000);
	/* The newest title snapshot names the bulletin. */
	assert_string_equal(r.groups[0].name, "Luật đất đai (sửa)");
	assert_string_equal(r.groups[5].name, "Kiến thức nông nghiệp");
	report_done(&r);
}

static void test_by_slot(void **state)
{
	static const char *const keys[] = { "chieu", "sang", "" };
	struct report r;

	(void)state;
	report_build(rows, N_ROWS, REPORT_BY_SLOT, TOPIC_LANG_EN, &r);
	assert_keys(&r, keys, 3);
	assert_counts(&r.groups[0].c, 3, 1, 1, 1, 0, 0, 0, 0, 132000);
	assert_counts(&r.groups[1].c, 5, 2, 0, 0, 1, 0, 1, 1, 125000);
	assert_counts(&r.groups[2].c, 2, 1, 0, 0, 0, 1, 0, 0, 45000);
	assert_string_equal(r.groups[0].name, "chieu");
	assert_string_equal(r.groups[2].name, "(outside slots: manual plays and alerts)");
	assert_counts(&r.total, 10, 4, 1, 1, 1, 1, 1, 1, 302000);
	report_done(&r);
}

static void test_by_day(void **state)
{
	static const char *const keys[] = { "2025-11-24", "2025-11-25", "2025-11-26", "2025-12-01",
					    "2025-12-02" };
	struct report r;

	(void)state;
	report_build(rows, N_ROWS, REPORT_BY_DAY, TOPIC_LANG_VI, &r);
	assert_keys(&r, keys, 5);
	assert_counts(&r.groups[0].c, 2, 1, 1, 0, 0, 0, 0, 0, 90000);
	assert_counts(&r.groups[1].c, 3, 2, 0, 1, 0, 0, 0, 0, 117000);
	assert_counts(&r.groups[4].c, 2, 1, 0, 0, 1, 0, 0, 0, 95000);
	assert_string_equal(r.groups[0].name, "24/11/2025");
	report_done(&r);
	report_build(rows, N_ROWS, REPORT_BY_DAY, TOPIC_LANG_EN, &r);
	assert_string_equal(r.groups[4].name, "2025-12-02");
	report_done(&r);
}

static void test_empty(void **state)
{
	struct report r;

	(void)state;
	report_build(NULL, 0, REPORT_BY_TOPIC, TOPIC_LANG_VI, &r);
	assert_int_equal(r.n_groups, 0);
	assert_counts(&r.total, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	assert_true(isnan(report_compliance(&r.total)));
	report_done(&r);
}

static void test_by_names(void **state)
{
	enum report_by by;

	(void)state;
	for (enum report_by b = REPORT_BY_TOPIC; b <= REPORT_BY_DAY; b++) {
		assert_int_equal(report_by_parse(report_by_name(b), &by), 0);
		assert_int_equal(by, b);
	}
	assert_int_equal(report_by_parse("week", &by), -EINVAL);
	assert_int_equal(report_by_parse("Topic", &by), -EINVAL);
	assert_int_equal(report_by_parse(NULL, &by), -EINVAL);
	assert_null(report_by_name((enum report_by)99));
}

static int64_t series_at(const struct report_series *s, const char *topic, int32_t day)
{
	for (size_t t = 0; t < s->n_topics; t++) {
		if ((!topic && s->topics[t]) || (topic && (!s->topics[t] || strcmp(topic, s->topics[t]))))
			continue;
		for (size_t b = s->n_buckets; b-- > 0;)
			if (s->bucket_day[b] <= day)
				return s->aired_ms[t * s->n_buckets + b];
	}
	return -1;
}

static void test_series_days(void **state)
{
	static const char *const topics[] = { "1", "2", "3", "5", "an-ninh" };
	struct report_series s;

	(void)state;
	report_series_build(rows, N_ROWS, D, D + 8, &s);
	assert_int_equal(s.step, REPORT_STEP_DAY);
	assert_int_equal(s.n_buckets, 9);
	assert_int_equal(s.bucket_day[0], D);
	assert_int_equal(s.bucket_day[8], D + 8);
	assert_int_equal(s.n_topics, 6);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(s.topics[i], topics[i]);
	assert_null(s.topics[5]);
	assert_int_equal(series_at(&s, "3", D), 60000);
	assert_int_equal(series_at(&s, "3", D + 1), 60000);
	assert_int_equal(series_at(&s, "3", D + 2), 0);
	assert_int_equal(series_at(&s, "3", D + 8), 5000);
	assert_int_equal(series_at(&s, "5", D + 8), 90000);
	assert_int_equal(series_at(&s, "5", D + 7), 0);
	report_series_done(&s);

	/* Only what falls in the period counts, and only its topics show. */
	report_series_build(rows, N_ROWS, D + 1, D + 2, &s);
	assert_int_equal(s.n_buckets, 2);
	assert_int_equal(s.n_topics, 3);
	assert_string_equal(s.topics[0], "1");
	assert_string_equal(s.topics[2], "3");
	assert_int_equal(series_at(&s, "1", D + 1), 12000);
	report_series_done(&s);
}

static void test_series_weeks_months(void **state)
{
	struct report_series s;
	int32_t from, to;

	(void)state;
	/* 61 days from a Saturday: weeks, the first one cut to the period. */
	report_series_build(rows, N_ROWS, D - 30, D + 30, &s);
	assert_int_equal(s.step, REPORT_STEP_WEEK);
	assert_int_equal(s.bucket_day[0], D - 30);
	assert_int_equal(s.bucket_day[1], D - 28);
	assert_int_equal(s.bucket_day[5], D);
	assert_int_equal(s.n_buckets, 10);
	assert_int_equal(series_at(&s, "3", D), 125000 - 5000);
	assert_int_equal(series_at(&s, "3", D + 7), 5000);
	assert_int_equal(series_at(&s, "1", D + 7), 0);
	report_series_done(&s);

	/* Two years: months. */
	assert_int_equal(time_parse_day("2024-01-15", &from), 0);
	assert_int_equal(time_parse_day("2025-12-31", &to), 0);
	report_series_build(rows, N_ROWS, from, to, &s);
	assert_int_equal(s.step, REPORT_STEP_MONTH);
	assert_int_equal(s.n_buckets, 24);
	assert_int_equal(s.bucket_day[0], from);
	assert_int_equal(series_at(&s, "3", D), 120000);
	assert_int_equal(series_at(&s, NULL, D), 0);
	report_series_done(&s);

	/* An empty ledger still has its buckets. */
	report_series_build(NULL, 0, D, D + 6, &s);
	assert_int_equal(s.n_buckets, 7);
	assert_int_equal(s.n_topics, 0);
	report_series_done(&s);
}

/* Days by the station's clock where the clock changes: every 20 minutes
 * over Europe/Berlin's spring and autumn changes of 2025 (days of 23 and 25
 * hours, a local hour repeated), the report's day groups and the chart's
 * buckets hold exactly the rows time_local_day puts on each day, though
 * report_add keeps the last day's bounds rather than converting each row. */
static void test_days_across_clock_changes(void **state)
{
	static const char *const starts[] = { "2025-03-29", "2025-10-25" };

	(void)state;
	assert_int_equal(time_set_zone("Europe/Berlin"), 0);
	for (size_t k = 0; k < 2; k++) {
		struct ledger_row v[3 * 72];
		int64_t expect[3] = { 0 };
		struct report_series s;
		struct report r;
		int32_t d0;

		assert_int_equal(time_parse_day(starts[k], &d0), 0);
		for (size_t i = 0; i < 3 * 72; i++) {
			v[i] = (struct ledger_row){ .id = (int64_t)i + 1, .kind = KIND_PLAY, .title = (char *)"x",
				.outcome = OUTCOME_COMPLETED, .played_ms = 1,
				.scheduled_at = time_local_ms(d0, 0) + (int64_t)i * 20 * 60000 };
			int32_t day = time_local_day(v[i].scheduled_at, NULL);

			if (day >= d0 && day <= d0 + 2)
				expect[day - d0]++;
		}
		assert_true(expect[1] == 69 || expect[1] == 75); /* 23 or 25 hours */
		report_build(v, 3 * 72, REPORT_BY_DAY, TOPIC_LANG_EN, &r);
		assert_true(r.n_groups >= 3);
		for (int i = 0; i < 3; i++)
			assert_int_equal(r.groups[i].c.planned, expect[i]);
		report_series_build(v, 3 * 72, d0, d0 + 2, &s);
		assert_int_equal(s.n_buckets, 3);
		for (int i = 0; i < 3; i++)
			assert_int_equal(s.aired_ms[i], expect[i]);
		report_series_done(&s);
		report_done(&r);
	}
	assert_int_equal(time_set_zone("Asia/Ho_Chi_Minh"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_by_topic),
		cmocka_unit_test(test_relay_minutes_apart),
		cmocka_unit_test(test_by_plan),
		cmocka_unit_test(test_by_bulletin),
		cmocka_unit_test(test_by_slot),
		cmocka_unit_test(test_by_day),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_by_names),
		cmocka_unit_test(test_series_days),
		cmocka_unit_test(test_series_weeks_months),
		cmocka_unit_test(test_days_across_clock_changes),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
