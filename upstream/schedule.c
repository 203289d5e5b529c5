/* The province's schedules (lịch phát, UPSTREAM.md), read strictly.
 *
 * What the server sends is parsed by jansson (duplicate keys refused) and
 * every field loa uses is checked for its type, size and range before it
 * is taken: a schedule with one field wrong is refused whole, with a
 * message naming the field (DanhSachBanTin[2].NoiDung ...), since airing
 * half of what the province meant is worse than airing none of it and
 * saying so. Keys loa does not use are ignored: provinces add their own.
 *
 * Nothing in a schedule names a path on the box: NoiDung must be an
 * http(s) address, ids are short visible ASCII that become neither file
 * names nor commands (the download's file is named by loa), and text is
 * kept as text, its control characters replaced. */
#include "upstream/upstream.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* A day before 2000 or after 2200 is a province's bug, not a plan. */
#define YEAR_MIN 2000
#define YEAR_MAX 2200
/* An instant may sit up to a day and a half off its NgayPhat's UTC
 * midnight: every zone's local day lies within that. */
#define DAY_SLACK_S (36 * 3600)

struct where {
	char *why;
	size_t whylen;
};

static bool fail(struct where *w, const char *field, const char *problem)
{
	text_set(w->why, w->whylen, "%s: %s", field, problem);
	return false;
}

/* An id: a string of 1..PROVINCE_ID_MAX visible ASCII bytes, or a
 * non-negative integer (provinces differ), kept as text. */
static bool get_id(struct where *w, json_t *o, const char *key, const char *field, char *out)
{
	json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	if (!v)
		return fail(w, field, "missing");
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0)
			return fail(w, field, "a negative number is not an id");
		snprintf(out, PROVINCE_ID_MAX + 1, "%lld", (long long)json_integer_value(v));
		return true;
	}
	if (!json_is_string(v))
		return fail(w, field, "not a string or a number");
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n > PROVINCE_ID_MAX)
		return fail(w, field, "empty or longer than 64 bytes");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == '/' || s[i] == '\\')
			return fail(w, field, "holds a byte that is not visible ASCII, or a slash");
	memcpy(out, s, n + 1);
	return true;
}

/* Text for people: a string of at most MAX bytes (NUL inside refused),
 * its control characters made spaces. REQUIRED: not empty. */
static bool get_text(struct where *w, json_t *o, const char *key, const char *field, size_t max, bool required,
		     char **out)
{
	json_t *v = json_object_get(o, key);
	size_t n;

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(w, field, "missing");
		return true;
	}
	if (!json_is_string(v))
		return fail(w, field, "not a string");
	n = json_string_length(v);
	if (n != strlen(json_string_value(v)))
		return fail(w, field, "holds a NUL byte");
	if (n > max)
		return fail(w, field, "too long");
	if (required && n == 0)
		return fail(w, field, "empty");
	*out = xmalloc(n + 1);
	upstream_clip(*out, n + 1, json_string_value(v));
	return true;
}

static bool get_int(struct where *w, json_t *o, const char *key, const char *field, long long lo, long long hi,
		    long long *out)
{
	json_t *v = json_object_get(o, key);

	if (!v)
		return fail(w, field, "missing");
	if (!json_is_integer(v))
		return fail(w, field, "not a whole number");
	*out = json_integer_value(v);
	if (*out < lo || *out > hi) {
		text_set(w->why, w->whylen, "%s: %lld is not between %lld and %lld", field, *out, lo, hi);
		return false;
	}
	return true;
}

bool upstream_url_ok(const char *s)
{
	const char *host;
	size_t n = strlen(s), hl;

	if (n > PROVINCE_URL_MAX)
		return false;
	if (!strncmp(s, "https://", 8))
		host = s + 8;
	else if (!strncmp(s, "http://", 7))
		host = s + 7;
	else
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '\\')
			return false;
	hl = strcspn(host, "/?#");
	/* A host, and no user:password@ before it (a credential in a
	 * schedule would end up in logs). */
	return hl > 0 && !memchr(host, '@', hl) && host[0] != ':';
}

/* "HH:MM:SS" into ms; hours may pass 24. */
static bool duration_of(const char *s, int64_t *ms)
{
	unsigned h, m, sec;
	int used = 0;

	if (sscanf(s, "%3u:%2u:%2u%n", &h, &m, &sec, &used) != 3 || (size_t)used != strlen(s) || m > 59 ||
	    sec > 59 || strspn(s, "0123456789:") != strlen(s))
		return false;
	*ms = ((int64_t)h * 3600 + m * 60 + sec) * 1000;
	return true;
}

/* "dd-mm-yyyy" into a day number (days since 1970-01-01). */
static bool day_of(const char *s, int32_t *day)
{
	struct civil c;

	if (strlen(s) != 10 || s[2] != '-' || s[5] != '-' || strspn(s, "0123456789-") != 10)
		return false;
	c.day = (s[0] - '0') * 10 + (s[1] - '0');
	c.month = (s[3] - '0') * 10 + (s[4] - '0');
	c.year = atoi(s + 6);
	if (c.year < YEAR_MIN || c.year > YEAR_MAX || !civil_valid(c))
		return false;
	*day = civil_to_days(c);
	return true;
}

static bool parse_author(struct where *w, json_t *b, const char *at, struct province_bulletin *sb)
{
	json_t *a = json_object_get(b, "TacGia");
	char field[96];
	char *name = NULL, *pen = NULL, *email = NULL;
	bool ok;

	if (!a || json_is_null(a))
		return true;
	if (json_is_string(a)) {
		snprintf(field, sizeof(field), "%s.TacGia", at);
		return get_text(w, b, "TacGia", field, PROVINCE_TEXT_MAX, false, &sb->author);
	}
	if (!json_is_object(a)) {
		snprintf(field, sizeof(field), "%s.TacGia", at);
		return fail(w, field, "not an object {TenDayDu, ButDanh, Email}");
	}
	snprintf(field, sizeof(field), "%s.TacGia.TenDayDu", at);
	ok = get_text(w, a, "TenDayDu", field, PROVINCE_TEXT_MAX, false, &name);
	snprintf(field, sizeof(field), "%s.TacGia.ButDanh", at);
	ok = ok && get_text(w, a, "ButDanh", field, PROVINCE_TEXT_MAX, false, &pen);
	snprintf(field, sizeof(field), "%s.TacGia.Email", at);
	ok = ok && get_text(w, a, "Email", field, PROVINCE_TEXT_MAX, false, &email);
	if (ok) {
		/* One line for people: the full name, else the pen name. */
		if (name && *name)
			sb->author = name, name = NULL;
		else if (pen && *pen)
			sb->author = pen, pen = NULL;
	}
	free(name);
	free(pen);
	free(email);
	return ok;
}

static bool parse_bulletin(struct where *w, json_t *b, size_t i, struct province_bulletin *sb)
{
	char at[48], field[96];
	char *dur = NULL;
	long long v;

	snprintf(at, sizeof(at), "DanhSachBanTin[%zu]", i);
	if (!json_is_object(b))
		return fail(w, at, "not an object");
	snprintf(field, sizeof(field), "%s.BanTinID", at);
	if (!get_id(w, b, "BanTinID", field, sb->id))
		return false;
	snprintf(field, sizeof(field), "%s.TieuDe", at);
	if (!get_text(w, b, "TieuDe", field, PROVINCE_TEXT_MAX, true, &sb->title))
		return false;
	snprintf(field, sizeof(field), "%s.ThoiLuong", at);
	if (!get_text(w, b, "ThoiLuong", field, 16, false, &dur))
		return false;
	if (dur && !duration_of(dur, &sb->duration_ms)) {
		free(dur);
		return fail(w, field, "not \"HH:MM:SS\"");
	}
	free(dur);
	snprintf(field, sizeof(field), "%s.LoaiLinhVuc", at);
	if (!get_int(w, b, "LoaiLinhVuc", field, 1, 6, &v))
		return false;
	sb->topic = (int)v;
	snprintf(field, sizeof(field), "%s.MucDoUuTien", at);
	if (!get_int(w, b, "MucDoUuTien", field, 1, 3, &v))
		return false;
	sb->priority = 3 - (int)v; /* 1 emergency → 2, 2 priority → 1, 3 normal → 0 */
	snprintf(field, sizeof(field), "%s.NoiDung", at);
	if (!get_text(w, b, "NoiDung", field, PROVINCE_URL_MAX, true, &sb->url))
		return false;
	if (!upstream_url_ok(sb->url))
		return fail(w, field, "not an http:// or https:// address with a host (no spaces, no user@)");
	return parse_author(w, b, at, sb);
}

static bool parse_day(struct where *w, json_t *d, size_t i, struct province_schedule *s)
{
	char at[48], field[112];
	json_t *list, *t;
	const char *ngay;
	int32_t day;
	long long a, b;
	size_t j;

	snprintf(at, sizeof(at), "DanhSachNgayPhat[%zu]", i);
	if (!json_is_object(d))
		return fail(w, at, "not an object");
	snprintf(field, sizeof(field), "%s.NgayPhat", at);
	t = json_object_get(d, "NgayPhat");
	if (!t)
		return fail(w, field, "missing");
	ngay = json_is_string(t) ? json_string_value(t) : NULL;
	if (!ngay || !day_of(ngay, &day))
		return fail(w, field, "not a day \"dd-mm-yyyy\" between 2000 and 2200");
	snprintf(field, sizeof(field), "%s.ThoiDiemPhat", at);
	list = json_object_get(d, "ThoiDiemPhat");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return fail(w, field, "missing, empty or not a list");
	json_array_foreach(list, j, t) {
		struct province_instant *in;
		int64_t midnight = (int64_t)day * 86400;

		snprintf(field, sizeof(field), "%s.ThoiDiemPhat[%zu]", at, j);
		if (!json_is_object(t))
			return fail(w, field, "not an object");
		if (s->n_instants >= PROVINCE_INSTANTS_MAX)
			return fail(w, field, "more than 1000 instants in one schedule");
		snprintf(field, sizeof(field), "%s.ThoiDiemPhat[%zu].ThoiGianBatDau", at, j);
		if (!get_int(w, t, "ThoiGianBatDau", field, midnight - DAY_SLACK_S, midnight + 86400 + DAY_SLACK_S, &a))
			return false;
		snprintf(field, sizeof(field), "%s.ThoiDiemPhat[%zu].ThoiGianKetThuc", at, j);
		if (!get_int(w, t, "ThoiGianKetThuc", field, a, a + 86400, &b))
			return false;
		s->instants = xrealloc(s->instants, (s->n_instants + 1) * sizeof(*s->instants));
		in = &s->instants[s->n_instants++];
		in->start_ms = a * 1000;
		in->end_ms = b * 1000;
	}
	return true;
}

static bool parse_one(struct where *w, json_t *o, struct province_schedule *s)
{
	json_t *list, *v, *c;
	size_t i;

	if (!json_is_object(o))
		return fail(w, "schedule", "not an object");
	if (!get_id(w, o, "LichPhatID", "LichPhatID", s->id))
		return false;
	if (!get_text(w, o, "TenLichPhat", "TenLichPhat", PROVINCE_TEXT_MAX, false, &s->name))
		return false;
	/* A cancellation names the schedule and nothing else is read. */
	c = json_object_get(o, "Huy");
	if (c && !json_is_boolean(c) && !(json_is_integer(c) && (json_integer_value(c) == 0 ||
								 json_integer_value(c) == 1)))
		return fail(w, "Huy", "not true/false (or 1/0)");
	s->cancelled = c && (json_is_true(c) || (json_is_integer(c) && json_integer_value(c) == 1));
	if (s->cancelled)
		return true;
	list = json_object_get(o, "DanhSachBanTin");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return fail(w, "DanhSachBanTin", "missing, empty or not a list");
	if (json_array_size(list) > PROVINCE_BULLETINS_MAX)
		return fail(w, "DanhSachBanTin", "more than 100 bulletins in one schedule");
	s->bulletins = xcalloc(json_array_size(list), sizeof(*s->bulletins));
	json_array_foreach(list, i, v) {
		s->n_bulletins = i + 1;
		if (!parse_bulletin(w, v, i, &s->bulletins[i]))
			return false;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(s->bulletins[k].id, s->bulletins[i].id)) {
				char field[48];

				snprintf(field, sizeof(field), "DanhSachBanTin[%zu].BanTinID", i);
				return fail(w, field, "the same BanTinID twice in one schedule");
			}
	}
	list = json_object_get(o, "DanhSachNgayPhat");
	if (!json_is_array(list) || json_array_size(list) == 0)
		return fail(w, "DanhSachNgayPhat", "missing, empty or not a list");
	json_array_foreach(list, i, v)
		if (!parse_day(w, v, i, s))
			return false;
	return true;
}

void upstream_schedules_done(struct upstream_schedules *l)
{
	for (size_t i = 0; i < l->n; i++)
		province_schedule_done(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

int upstream_schedules_parse(const char *body, size_t len, struct upstream_schedules *out, char *why, size_t whylen)
{
	json_t *root, *list, *v;
	json_error_t err;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (len > UPSTREAM_SCHEDULE_REPLY_MAX) {
		text_set(why, whylen, "the reply is longer than %d bytes", UPSTREAM_SCHEDULE_REPLY_MAX);
		return -EBADMSG;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
	if (!root) {
		text_set(why, whylen, "the reply is not JSON (%s at byte %d)", err.text, err.position);
		return -EBADMSG;
	}
	/* A bare list, or the usual envelope {TrangThaiGui: 0, NoiDung: [...]}. */
	list = root;
	if (json_is_object(root)) {
		long long st;

		v = json_object_get(root, "TrangThaiGui");
		if (v && (!json_is_integer(v) || (st = json_integer_value(v)) != 0)) {
			text_set(why, whylen, "TrangThaiGui: the server says no");
			json_decref(root);
			return -EBADMSG;
		}
		list = json_object_get(root, "NoiDung");
	}
	if (!json_is_array(list)) {
		text_set(why, whylen, "the reply is neither a list of schedules nor {\"NoiDung\": [...]}");
		json_decref(root);
		return -EBADMSG;
	}
	if (json_array_size(list) > UPSTREAM_SCHEDULES_MAX) {
		text_set(why, whylen, "the reply holds more than %d schedules", UPSTREAM_SCHEDULES_MAX);
		json_decref(root);
		return -EBADMSG;
	}
	out->items = xcalloc(json_array_size(list) + 1, sizeof(*out->items));
	json_array_foreach(list, i, v) {
		struct province_schedule *s = &out->items[out->n++];
		char msg[512];
		struct where w = { msg, sizeof(msg) };

		msg[0] = '\0';
		if (parse_one(&w, v, s)) {
			for (size_t k = 0; k + 1 < out->n; k++)
				if (!strcmp(out->items[k].id, s->id)) {
					text_set(msg, sizeof(msg), "LichPhatID: the same schedule twice in one reply");
					goto refused;
				}
			continue;
		}
refused:
		/* Refused whole: only its id (when it has one) and why stay,
		 * so the link neither stores it nor reads it as gone. */
		{
			char id[PROVINCE_ID_MAX + 1];

			memcpy(id, s->id, sizeof(id));
			province_schedule_done(s);
			memcpy(s->id, id, sizeof(id));
			s->refused = true;
			s->why = xstrdup(msg);
		}
	}
	json_decref(root);
	return 0;
}
