/* The date and time parsers (util/timeutil.c) on arbitrary text, and what
 * the station does with what they accept: --from/--to days become local
 * midnights, slot starts become instants. The input is tried as
 * YYYY-MM-DD, as HH:MM[:SS], and split at its first space as both; each
 * accepted value must print back as written and survive the trip to an
 * instant and back, in Vietnam's zone and in one with summer time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "util/timeutil.h"

static const char *const zones[] = { "Asia/Ho_Chi_Minh", "Europe/Berlin" };

static void check_day(const char *s, int32_t day)
{
	char buf[16], iso[ISO_LEN];

	FUZZ_ASSERT(civil_valid(days_to_civil(day)), "an accepted date is not a calendar day");
	FUZZ_ASSERT(strcmp(time_format_day(day, buf), s) == 0, "a date does not print back as written");
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		int64_t ms;
		int sec;

		FUZZ_ASSERT(time_set_zone(zones[z]) == 0, "the test zones are missing (tzdata)");
		/* As `loa log --from D --to D` turns the days into a period. */
		ms = time_local_ms(day, 0);
		FUZZ_ASSERT(time_local_day(ms, &sec) == day, "local midnight falls on another day");
		FUZZ_ASSERT(sec <= 3600, "local midnight is more than an hour late");
		FUZZ_ASSERT(time_local_ms(day + 1, 0) > ms, "the next day does not start later");
		FUZZ_ASSERT(strncmp(time_format_iso(ms, iso), s, 10) == 0, "the instant prints another date");
	}
}

static void check_hms(const char *s, int sec)
{
	char buf[16];

	FUZZ_ASSERT(sec >= 0 && sec < 86400, "a time of day outside the day");
	if (strlen(s) == 5)
		snprintf(buf, sizeof(buf), "%02d:%02d", sec / 3600, sec / 60 % 60);
	else
		snprintf(buf, sizeof(buf), "%02d:%02d:%02d", sec / 3600, sec / 60 % 60, sec % 60);
	FUZZ_ASSERT(strcmp(buf, s) == 0, "a time of day does not print back as written");
}

/* A slot at SEC on DAY airs at that wall time, or just after a summer-time gap. */
static void check_instant(int32_t day, int sec)
{
	int64_t wall = (int64_t)day * 86400 + sec;

	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		int64_t ms, got;
		int s2;
		int32_t d2;

		FUZZ_ASSERT(time_set_zone(zones[z]) == 0, "the test zones are missing (tzdata)");
		ms = time_local_ms(day, sec);
		d2 = time_local_day(ms, &s2);
		got = (int64_t)d2 * 86400 + s2;
		FUZZ_ASSERT(got == wall || (got > wall && got - wall <= 3600), "a slot start moves in time");
		FUZZ_ASSERT(time_local_ms(day, sec) == ms, "the same wall time gives two instants");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_string(data, size), *space;
	int32_t day;
	int sec;

	if (time_parse_day(s, &day) == 0)
		check_day(s, day);
	if (time_parse_hms(s, &sec) == 0)
		check_hms(s, sec);
	space = strchr(s, ' ');
	if (space) {
		*space = '\0';
		if (time_parse_day(s, &day) == 0 && time_parse_hms(space + 1, &sec) == 0)
			check_instant(day, sec);
	}
	free(s);
	return 0;
}
