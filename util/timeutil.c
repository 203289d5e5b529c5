/* Calendar arithmetic is done on day numbers (Howard Hinnant's civil
 * algorithms) so that month ends, leap days and weekdays never depend on
 * struct tm normalisation; only the local↔UTC step goes through libc. */
#include "util/timeutil.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int32_t civil_to_days(struct civil c)
{
	int y = c.year - (c.month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153u * (unsigned)(c.month + (c.month > 2 ? -3 : 9)) + 2) / 5 + (unsigned)c.day - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int32_t)doe - 719468;
}

struct civil days_to_civil(int32_t days)
{
	int32_t z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	struct civil c;

	c.day = (int)(doy - (153 * mp + 2) / 5 + 1);
	c.month = (int)(mp < 10 ? mp + 3 : mp - 9);
	c.year = (int)yoe + era * 400 + (c.month <= 2);
	return c;
}

int days_weekday(int32_t days)
{
	/* 1970-01-01 was a Thursday (3 with Monday = 0). */
	int w = (int)((days % 7 + 7) % 7);
	return (w + 3) % 7;
}

static int month_length(int year, int month)
{
	static const int len[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return month == 2 && leap ? 29 : len[month - 1];
}

bool civil_valid(struct civil c)
{
	return c.year >= 1970 && c.year <= 9999 && c.month >= 1 && c.month <= 12 &&
	       c.day >= 1 && c.day <= month_length(c.year, c.month);
}

int time_set_zone(const char *iana)
{
	const char *dir = getenv("TZDIR");
	char path[4096];
	struct stat st;

	if (!iana || !*iana || iana[0] == '/' || strstr(iana, ".."))
		return -EINVAL;
	for (const char *p = iana; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("/_-+", *p))
			return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", iana);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return -ENOENT;
	if (setenv("TZ", iana, 1) < 0)
		return -errno;
	tzset();
	return 0;
}

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_now_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t time_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

/* UTC offset in seconds of local time at instant T. */
static long utc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	return localtime_r(&tt, &tm) ? tm.tm_gmtoff : 0;
}

/* Not mktime(): fed seconds after midnight it adds them as elapsed time, so
 * on a DST change day 05:30 came out as 06:30 or 04:30; and with tm_isdst =
 * -1 glibc resolves an hour that happens twice by the offset of whatever it
 * converted last, so one slot could get two instants (and air twice).
 * Here the answer depends on the inputs only: the wall time is tried with
 * the offsets in force a day before and a day after; of those that give it
 * back, the earliest wins (the first 02:30 of a fall-back night); a wall
 * time in a spring-forward gap takes the offset from before the gap, so
 * 02:30 becomes 03:30 local, as mktime would normalise it. */
int64_t time_local_ms(int32_t day, int sec)
{
	int64_t wall = (int64_t)day * 86400 + sec;
	long before = utc_offset(wall - 86400), after = utc_offset(wall + 86400);
	int64_t t = wall - before;

	if (utc_offset(t) != before) {
		int64_t t2 = wall - after;

		if (utc_offset(t2) == after)
			t = t2;
	} else if (after != before && utc_offset(wall - after) == after && wall - after < t) {
		t = wall - after;
	}
	return t * 1000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

int32_t time_local_day(int64_t ms, int *sec)
{
	time_t t = (time_t)floor_div(ms, 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	if (sec)
		*sec = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return civil_to_days((struct civil){ tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday });
}

const char *time_format_iso(int64_t ms, char buf[ISO_LEN])
{
	time_t t = (time_t)floor_div(ms, 1000);
	int frac = (int)(ms - (int64_t)t * 1000);
	struct tm tm;
	long off;

	char wide[128]; /* what gcc cannot prove fits, formatted roomily, then copied */

	localtime_r(&t, &tm);
	off = tm.tm_gmtoff;
	snprintf(wide, sizeof(wide), "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02ld:%02ld",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, frac, off < 0 ? '-' : '+', labs(off) / 3600, labs(off) % 3600 / 60);
	snprintf(buf, ISO_LEN, "%.39s", wide);
	return buf;
}

const char *time_format_day(int32_t day, char *buf)
{
	struct civil c = days_to_civil(day);

	snprintf(buf, 11, "%04d-%02d-%02d", c.year, c.month, c.day);
	return buf;
}

/* Reads exactly n decimal digits. */
static bool digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

int time_parse_day(const char *s, int32_t *day)
{
	struct civil c;

	if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-' ||
	    !digits(s, 4, &c.year) || !digits(s + 5, 2, &c.month) || !digits(s + 8, 2, &c.day))
		return -EINVAL;
	if (!civil_valid(c))
		return -EINVAL;
	*day = civil_to_days(c);
	return 0;
}

int time_parse_hms(const char *s, int *sec)
{
	int h, m, x = 0;
	size_t len = s ? strlen(s) : 0;

	if ((len != 5 && len != 8) || s[2] != ':' || !digits(s, 2, &h) || !digits(s + 3, 2, &m))
		return -EINVAL;
	if (len == 8 && (s[5] != ':' || !digits(s + 6, 2, &x)))
		return -EINVAL;
	if (h > 23 || m > 59 || x > 59)
		return -EINVAL;
	*sec = h * 3600 + m * 60 + x;
	return 0;
}
