/* util/timeutil: the calendar arithmetic, the strict parsers and the
 * station-local conversions everything else trusts. Expected values are
 * computed here independently (own month lengths, fixed UTC offsets), not
 * with the functions under test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

#define H (3600 * 1000LL)
#define DAY_MS (86400 * 1000LL)

static int32_t D(int y, int m, int d)
{
	return civil_to_days((struct civil){ y, m, d });
}

static int setup_vn(void **state)
{
	(void)state;
	return time_set_zone("Asia/Ho_Chi_Minh");
}

static int own_month_length(int y, int m)
{
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return len[m - 1];
}

/* Walks every day 1970..2100 with its own calendar and checks both
 * directions, so an off-by-one at any month or century end shows. */
static void test_civil_roundtrip(void **state)
{
	struct civil want = { 1970, 1, 1 };
	int32_t d;

	(void)state;
	for (d = 0; want.year <= 2100; d++) {
		struct civil got = days_to_civil(d);

		assert_int_equal(got.year, want.year);
		assert_int_equal(got.month, want.month);
		assert_int_equal(got.day, want.day);
		assert_int_equal(civil_to_days(want), d);
		assert_true(civil_valid(got));
		if (++want.day > own_month_length(want.year, want.month)) {
			want.day = 1;
			if (++want.month > 12) {
				want.month = 1;
				want.year++;
			}
		}
	}
	/* 1970..2100 is 131 years with 32 leap days (2000 is, 2100 is not). */
	assert_int_equal(d, 131 * 365 + 32);
	assert_int_equal(D(2101, 1, 1), d);
}

static void test_weekdays(void **state)
{
	(void)state;
	assert_int_equal(D(1970, 1, 1), 0);
	assert_int_equal(days_weekday(0), 3);               /* Thursday */
	assert_int_equal(days_weekday(D(2000, 1, 1)), 5);   /* Saturday */
	assert_int_equal(days_weekday(D(2028, 2, 29)), 1);  /* Tuesday */
	assert_int_equal(days_weekday(D(2026, 11, 23)), 0); /* Monday */
	assert_int_equal(days_weekday(D(2026, 11, 29)), 6); /* Sunday */
	assert_int_equal(days_weekday(-1), 2);              /* 1969-12-31, Wednesday */
	assert_int_equal(days_weekday(-7), 3);
	for (int32_t d = D(2026, 1, 1); d < D(2027, 1, 1); d++)
		assert_int_equal(days_weekday(d + 1), (days_weekday(d) + 1) % 7);
}

static void test_civil_valid(void **state)
{
	(void)state;
	assert_true(civil_valid((struct civil){ 2028, 2, 29 }));
	assert_false(civil_valid((struct civil){ 2027, 2, 29 }));
	assert_false(civil_valid((struct civil){ 2100, 2, 29 }));
	assert_true(civil_valid((struct civil){ 2000, 2, 29 }));
	assert_false(civil_valid((struct civil){ 2026, 13, 1 }));
	assert_false(civil_valid((struct civil){ 2026, 0, 1 }));
	assert_false(civil_valid((struct civil){ 2026, 4, 31 }));
	assert_true(civil_valid((struct civil){ 2026, 12, 31 }));
	assert_false(civil_valid((struct civil){ 2026, 12, 32 }));
	assert_false(civil_valid((struct civil){ 2026, 1, 0 }));
}

static void test_parse_day(void **state)
{
	static const char *bad[] = {
		"2026-2-3", "2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10",
		"", "abc", "2026-11-23 ", " 2026-11-23", "2026/11/23", "26-11-23",
		"2026-11-2x", "+026-11-23", "2026-11-230",
	};
	int32_t day = 42;

	(void)state;
	assert_int_equal(time_parse_day("2026-11-23", &day), 0);
	assert_int_equal(day, 20780);
	assert_int_equal(time_parse_day("2028-02-29", &day), 0);
	assert_int_equal(day, D(2028, 2, 29));
	assert_int_equal(time_parse_day("1970-01-01", &day), 0);
	assert_int_equal(day, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		day = 42;
		if (time_parse_day(bad[i], &day) != -EINVAL)
			fail_msg("time_parse_day accepted \"%s\"", bad[i]);
		assert_int_equal(day, 42);
	}
	assert_int_equal(time_parse_day(NULL, &day), -EINVAL);
}

static void test_parse_hms(void **state)
{
	static const char *bad[] = {
		"24:00", "5:30", "05:60", "05:30:60", "", "05:30 ", "abc", "05-30",
		"05:30:1", "05:3", " 05:30", "05:30:", "-5:30", "05:30:15:00", "99:99",
	};
	int sec = 42;

	(void)state;
	assert_int_equal(time_parse_hms("05:30", &sec), 0);
	assert_int_equal(sec, 5 * 3600 + 30 * 60);
	assert_int_equal(time_parse_hms("05:30:15", &sec), 0);
	assert_int_equal(sec, 5 * 3600 + 30 * 60 + 15);
	assert_int_equal(time_parse_hms("00:00", &sec), 0);
	assert_int_equal(sec, 0);
	assert_int_equal(time_parse_hms("23:59:59", &sec), 0);
	assert_int_equal(sec, 86399);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		sec = 42;
		if (time_parse_hms(bad[i], &sec) != -EINVAL)
			fail_msg("time_parse_hms accepted \"%s\"", bad[i]);
		assert_int_equal(sec, 42);
	}
	assert_int_equal(time_parse_hms(NULL, &sec), -EINVAL);
}

static void test_set_zone(void **state)
{
	int64_t vn6 = (int64_t)D(2026, 11, 22) * DAY_MS + 23 * H;

	(void)state;
	assert_int_equal(time_set_zone("Asia/Ho_Chi_Minh"), 0);
	assert_int_equal(time_set_zone("Europe/Berlin"), 0);
	assert_int_equal(time_set_zone("UTC"), 0);
	assert_int_equal(time_set_zone("Asia/Ho_Chi_Minh"), 0);
	assert_int_equal(time_set_zone("Mars/Olympus_Mons"), -ENOENT);
	assert_int_equal(time_set_zone("Asia"), -ENOENT); /* a folder, not a zone */
	assert_int_equal(time_set_zone("../etc/passwd"), -EINVAL);
	assert_int_equal(time_set_zone("Asia/../../etc/passwd"), -EINVAL);
	assert_int_equal(time_set_zone("/etc/localtime"), -EINVAL);
	assert_int_equal(time_set_zone("Asia/Ho Chi Minh"), -EINVAL);
	assert_int_equal(time_set_zone(""), -EINVAL);
	assert_int_equal(time_set_zone(NULL), -EINVAL);
	/* A refused name leaves the zone in force as it was. */
	assert_int_equal(time_local_ms(D(2026, 11, 23), 6 * 3600), vn6);
	assert_string_equal(getenv("TZ"), "Asia/Ho_Chi_Minh");
}

static void test_local_vn(void **state)
{
	int32_t day = D(2026, 11, 23);
	int64_t six = (int64_t)(day - 1) * DAY_MS + 23 * H; /* 06:00 +07 = 23:00 UTC the day before */
	int64_t midnight = (int64_t)(day - 1) * DAY_MS + 17 * H;
	int sec = -1;

	(void)state;
	assert_int_equal(time_local_ms(day, 6 * 3600), six);
	assert_int_equal(time_local_ms(day, 0), midnight);
	assert_int_equal(time_local_ms(day, 86399), midnight + 86399 * 1000LL);
	assert_int_equal(time_local_day(six, &sec), day);
	assert_int_equal(sec, 6 * 3600);
	assert_int_equal(time_local_day(six + 999, &sec), day);
	assert_int_equal(sec, 6 * 3600);
	assert_int_equal(time_local_day(midnight, &sec), day);
	assert_int_equal(sec, 0);
	assert_int_equal(time_local_day(midnight - 1, &sec), day - 1);
	assert_int_equal(sec, 86399);
	assert_int_equal(time_local_day(six, NULL), day);
	/* Before the epoch in UTC is already 1970-01-01 locally (the zone
	 * was UTC+8 until 1975: the database, not a fixed +7, decides). */
	assert_int_equal(time_local_day(-1, &sec), 0);
	assert_int_equal(sec, 8 * 3600 - 1);
	for (int32_t d = D(2026, 1, 1); d <= D(2026, 12, 31); d++) {
		assert_int_equal(time_local_ms(d, 5 * 3600 + 30 * 60), (int64_t)d * DAY_MS - 7 * H + 5 * H + 30 * 60000);
		assert_int_equal(time_local_day(time_local_ms(d, 1800), NULL), d);
	}
}

/* Floor, not truncation, for instants before 1970. */
static void test_local_utc_negative(void **state)
{
	int sec = -1;

	(void)state;
	assert_int_equal(time_set_zone("UTC"), 0);
	assert_int_equal(time_local_day(-1, &sec), -1);
	assert_int_equal(sec, 86399);
	assert_int_equal(time_local_day(-DAY_MS, &sec), -1);
	assert_int_equal(sec, 0);
	assert_int_equal(time_local_ms(-1, 0), -DAY_MS);
}

static void test_format(void **state)
{
	int64_t six = time_local_ms(D(2026, 11, 23), 6 * 3600);
	char buf[ISO_LEN], day[11];

	(void)state;
	assert_string_equal(time_format_iso(six, buf), "2026-11-23T06:00:00.000+07:00");
	assert_string_equal(time_format_iso(six + 123, buf), "2026-11-23T06:00:00.123+07:00");
	assert_string_equal(time_format_iso(six + 5, buf), "2026-11-23T06:00:00.005+07:00");
	assert_string_equal(time_format_iso(six + 59 * 60000 + 59999, buf), "2026-11-23T06:59:59.999+07:00");
	assert_string_equal(time_format_iso(0, buf), "1970-01-01T08:00:00.000+08:00");
	assert_string_equal(time_format_day(D(2026, 11, 23), day), "2026-11-23");
	assert_string_equal(time_format_day(D(2028, 2, 29), day), "2028-02-29");
	assert_string_equal(time_format_day(0, day), "1970-01-01");

	assert_int_equal(time_set_zone("Europe/Berlin"), 0);
	assert_string_equal(time_format_iso((int64_t)D(2026, 7, 1) * DAY_MS + 10 * H, buf),
			    "2026-07-01T12:00:00.000+02:00");
	assert_string_equal(time_format_iso((int64_t)D(2026, 1, 1) * DAY_MS + 10 * H, buf),
			    "2026-01-01T11:00:00.000+01:00");
	assert_int_equal(time_set_zone("America/St_Johns"), 0); /* a half-hour offset */
	assert_string_equal(time_format_iso((int64_t)D(2026, 1, 1) * DAY_MS + 12 * H, buf),
			    "2026-01-01T08:30:00.000-03:30");
}

/* Europe/Berlin 2026: CET (+1) until 03-29 01:00 UTC, CEST (+2) until
 * 10-25 01:00 UTC. */
static void test_local_dst(void **state)
{
	int32_t spring = D(2026, 3, 29), fall = D(2026, 10, 25);
	int64_t first_0230 = (int64_t)fall * DAY_MS + 30 * 60000;     /* 00:30 UTC, CEST */
	int64_t winter_noon = (int64_t)D(2026, 12, 1) * DAY_MS + 11 * H;
	int sec;

	(void)state;
	assert_int_equal(time_set_zone("Europe/Berlin"), 0);
	/* Around the spring gap. */
	assert_int_equal(time_local_ms(spring, 1 * 3600 + 59 * 60), (int64_t)spring * DAY_MS + 59 * 60000);
	assert_int_equal(time_local_ms(spring, 3 * 3600), (int64_t)spring * DAY_MS + 1 * H);
	assert_int_equal(time_local_ms(spring, 5 * 3600 + 30 * 60), (int64_t)spring * DAY_MS + 3 * H + 30 * 60000);
	/* 02:30 does not exist that day: it becomes 03:30 CEST. */
	assert_int_equal(time_local_ms(spring, 2 * 3600 + 30 * 60), (int64_t)spring * DAY_MS + 1 * H + 30 * 60000);
	assert_int_equal(time_local_day(time_local_ms(spring, 2 * 3600 + 30 * 60), &sec), spring);
	assert_int_equal(sec, 3 * 3600 + 30 * 60);
	assert_int_equal(time_local_ms(spring, 0), (int64_t)(spring - 1) * DAY_MS + 23 * H);

	/* 02:30 happens twice on the fall-back night: always the first one,
	 * whatever was converted before (mktime's answer depended on that). */
	assert_int_equal(time_local_ms(fall, 2 * 3600 + 30 * 60), first_0230);
	assert_int_equal(time_local_ms(D(2026, 12, 1), 12 * 3600), winter_noon);
	assert_int_equal(time_local_ms(fall, 2 * 3600 + 30 * 60), first_0230);
	assert_int_equal(time_local_ms(D(2026, 7, 1), 12 * 3600), (int64_t)D(2026, 7, 1) * DAY_MS + 10 * H);
	assert_int_equal(time_local_ms(fall, 2 * 3600 + 30 * 60), first_0230);
	assert_int_equal(time_local_ms(fall, 3 * 3600), (int64_t)fall * DAY_MS + 2 * H);
	assert_int_equal(time_local_ms(fall, 1 * 3600 + 59 * 60), (int64_t)(fall - 1) * DAY_MS + 23 * H + 59 * 60000);
	assert_int_equal(time_local_day(first_0230 + 1 * H, &sec), fall); /* the second 02:30 */
	assert_int_equal(sec, 2 * 3600 + 30 * 60);

	/* Every day of the year and every half hour: the day comes back. */
	for (int32_t d = D(2026, 1, 1); d <= D(2026, 12, 31); d++)
		for (int s = 0; s < 86400; s += 1800) {
			int64_t t = time_local_ms(d, s);
			int back;

			assert_int_equal(time_local_day(t, &back), d);
			if (!(d == spring && s >= 2 * 3600 && s < 3 * 3600))
				assert_int_equal(back, s);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_civil_roundtrip),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_civil_valid),
		cmocka_unit_test(test_parse_day),
		cmocka_unit_test(test_parse_hms),
		cmocka_unit_test_setup(test_set_zone, setup_vn),
		cmocka_unit_test_setup(test_local_vn, setup_vn),
		cmocka_unit_test_setup(test_local_utc_negative, setup_vn),
		cmocka_unit_test_setup(test_format, setup_vn),
		cmocka_unit_test_setup(test_local_dst, setup_vn),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
