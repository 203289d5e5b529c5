/* Station time. Broadcast instants are int64 milliseconds since the Unix
 * epoch (UTC); the station's calendar is a day number (days since
 * 1970-01-01 in station-local time) plus seconds after local midnight.
 * Local conversions go through libc with TZ set to the station's zone, so
 * one call to time_set_zone() at start-up governs every module. */
#ifndef LOA_TIMEUTIL_H
#define LOA_TIMEUTIL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define DAY_NONE_BEFORE INT32_MIN /* an open "from" */
#define DAY_NONE_AFTER  INT32_MAX /* an open "until" */
#define ISO_LEN 40

struct civil {
	int year, month, day; /* month 1..12, day 1..31 */
};

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int32_t civil_to_days(struct civil c);
/* Inverse of civil_to_days. */
struct civil days_to_civil(int32_t days);
/* 0 = Monday .. 6 = Sunday. */
int days_weekday(int32_t days);
/* True if year/month/day names a real calendar day. */
bool civil_valid(struct civil c);

/* Validates an IANA zone name against the zoneinfo database and makes it the
 * process's local zone. Returns 0 or -ENOENT / -EINVAL. */
int time_set_zone(const char *iana);
/* CLOCK_REALTIME now, in ms. */
int64_t time_now_ms(void);
/* CLOCK_MONOTONIC now, in ms. */
int64_t time_mono_ms(void);
/* UTC ms of local day DAY at SEC seconds after local midnight. */
int64_t time_local_ms(int32_t day, int sec);
/* Local day number of instant MS; *sec (may be NULL) gets seconds after local midnight. */
int32_t time_local_day(int64_t ms, int *sec);
/* "2026-11-23T06:00:00.000+07:00" into buf (ISO_LEN bytes). */
const char *time_format_iso(int64_t ms, char buf[ISO_LEN]);
/* "2026-11-23" into buf (at least 11 bytes). */
const char *time_format_day(int32_t day, char *buf);

/* Strict "YYYY-MM-DD" → day number. Returns 0 or -EINVAL. */
int time_parse_day(const char *s, int32_t *day);
/* Strict "HH:MM" or "HH:MM:SS" → seconds after midnight. Returns 0 or -EINVAL. */
int time_parse_hms(const char *s, int *sec);

#endif
