/* See slots.h. */
#include "content/slots.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/library.h"
#include "content/store.h"
#include "content/sources.h"
#include "content/topic.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static const char *const weekdays[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

const char *slots_days_text(unsigned days, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if ((days & DAYS_ALL) == DAYS_ALL) {
		snprintf(buf, len, "daily");
		return buf;
	}
	for (int d = 0; d < 7; d++)
		if (days & (1u << d))
			used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s%s", used ? "," : "",
						 weekdays[d]);
	return buf;
}

int slots_days_parse(const char *s, unsigned *days)
{
	unsigned v = 0;
	const char *p = s;

	if (strcmp(s, "daily") == 0) {
		*days = DAYS_ALL;
		return 0;
	}
	while (*p) {
		size_t n = strcspn(p, ",");
		int d;

		for (d = 0; d < 7; d++)
			if (n == 3 && strncmp(p, weekdays[d], 3) == 0)
				break;
		if (d == 7 || (v & (1u << d)))
			return -EINVAL;
		v |= 1u << d;
		p += n;
		if (*p == ',' && !*++p)
			return -EINVAL; /* a trailing comma */
	}
	if (!v)
		return -EINVAL;
	*days = v;
	return 0;
}

void slots_free(struct slot *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		slot_done(&v[i]);
	free(v);
}

/* The day lists and topics of each slot, appended in one read. */
static int load_lists(sqlite3 *h, struct slot *v, size_t n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(h, "SELECT slot, day FROM slot_skip_days ORDER BY slot, day", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		for (size_t i = 0; i < n; i++)
			if (name && strcmp(v[i].name, name) == 0) {
				v[i].skip_days = xrealloc(v[i].skip_days, (v[i].n_skip + 1) * sizeof(*v[i].skip_days));
				v[i].skip_days[v[i].n_skip++] = sqlite3_column_int(st, 1);
			}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	if (sqlite3_prepare_v2(h, "SELECT slot, topic FROM slot_topics ORDER BY slot, rowid", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *topic = (const char *)sqlite3_column_text(st, 1);

		for (size_t i = 0; i < n; i++)
			if (name && topic && strcmp(v[i].name, name) == 0) {
				v[i].topics = xrealloc(v[i].topics, (v[i].n_topics + 2) * sizeof(*v[i].topics));
				v[i].topics[v[i].n_topics++] = xstrdup(topic);
				v[i].topics[v[i].n_topics] = NULL;
			}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

int slots_load(struct db *db, struct slot **out, size_t *n)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct slot *v = NULL;
	size_t len = 0, cap = 0;
	bool began;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	/* The slots and their lists from one snapshot. */
	began = sqlite3_get_autocommit(h) && sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	if (sqlite3_prepare_v2(h, "SELECT name, start_sec, days, from_day, until_day, max_minutes, intro_id,"
			       " outro_id, relay FROM slots ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct slot *s;

		xgrow(&v, &cap, len + 1, sizeof(*v));
		s = &v[len++];
		memset(s, 0, sizeof(*s));
		s->source = SLOT_FROM_DATABASE;
		s->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		s->start_sec = sqlite3_column_int(st, 1);
		s->days = (unsigned)sqlite3_column_int(st, 2);
		s->from_day = sqlite3_column_type(st, 3) == SQLITE_NULL ? DAY_NONE_BEFORE : sqlite3_column_int(st, 3);
		s->until_day = sqlite3_column_type(st, 4) == SQLITE_NULL ? DAY_NONE_AFTER : sqlite3_column_int(st, 4);
		s->max_minutes = sqlite3_column_int(st, 5);
		s->intro_id = sqlite3_column_int64(st, 6);
		s->outro_id = sqlite3_column_int64(st, 7);
		s->relay = xstrdup_or_null((const char *)sqlite3_column_text(st, 8));
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE || load_lists(h, v, len) < 0)
		goto fail;
	if (began)
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	*out = v;
	*n = len;
	return 0;
fail:
	r = db_fail(db, N_("reading the slots"));
	sqlite3_finalize(st);
	if (began)
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	slots_free(v, len);
	return r;
}

/* The store path and duration of bulletin ID, for an intro or outro. A
 * bulletin retired since leaves the slot without it. */
static void resolve_jingle(struct db *db, const char *state_dir, int64_t id, char **path, int64_t *ms)
{
	struct bulletin b;

	*path = NULL;
	*ms = 0;
	if (!id || library_get(db, id, &b) < 0)
		return;
	if (!b.retired_at) {
		*path = store_path_of(state_dir, b.sha256, b.path);
		*ms = b.audio.duration_ms;
	}
	bulletin_done(&b);
}

int slots_merge(struct config *cfg, struct db *db)
{
	struct slot *v;
	size_t n, k = 0;

	for (size_t i = 0; i < cfg->n_slots; i++) {
		if (cfg->slots[i].source == SLOT_FROM_DATABASE)
			slot_done(&cfg->slots[i]);
		else
			cfg->slots[k++] = cfg->slots[i];
	}
	cfg->n_slots = k;
	if (!db)
		return 0;
	if (slots_load(db, &v, &n) < 0)
		return -EIO;
	cfg->slots = xrealloc(cfg->slots, (cfg->n_slots + n + 1) * sizeof(*cfg->slots));
	for (size_t i = 0; i < n; i++) {
		struct slot *s = &cfg->slots[cfg->n_slots++];

		*s = v[i];
		resolve_jingle(db, cfg->state_dir, s->intro_id, &s->intro, &s->intro_ms);
		resolve_jingle(db, cfg->state_dir, s->outro_id, &s->outro, &s->outro_ms);
	}
	free(v);
	return 0;
}

static bool str_same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool slot_same(const struct slot *a, const struct slot *b)
{
	if (!str_same(a->name, b->name) || a->start_sec != b->start_sec || a->days != b->days ||
	    a->max_minutes != b->max_minutes || a->from_day != b->from_day || a->until_day != b->until_day ||
	    a->n_skip != b->n_skip || a->n_topics != b->n_topics || !str_same(a->intro, b->intro) ||
	    !str_same(a->outro, b->outro) || a->intro_ms != b->intro_ms || a->outro_ms != b->outro_ms ||
	    a->intro_id != b->intro_id || a->outro_id != b->outro_id || a->source != b->source ||
	    !str_same(a->relay, b->relay))
		return false;
	if (a->n_skip && memcmp(a->skip_days, b->skip_days, a->n_skip * sizeof(*a->skip_days)) != 0)
		return false;
	for (size_t i = 0; i < a->n_topics; i++)
		if (strcmp(a->topics[i], b->topics[i]) != 0)
			return false;
	return true;
}

bool slots_same(const struct config *cfg, const struct config *other)
{
	if (cfg->n_slots != other->n_slots)
		return false;
	for (size_t i = 0; i < cfg->n_slots; i++)
		if (!slot_same(&cfg->slots[i], &other->slots[i]))
			return false;
	return true;
}

static bool name_ok(const char *s)
{
	size_t at;

	if (text_check(s, SLOTS_NAME_MAX, &at) != TEXT_OK)
		return false;
	/* Names travel in URLs (/api/v1/slots/NAME) and in the config's
	 * words: no spaces, no path separators. */
	return !strpbrk(s, " /\\?#%");
}

static void hms_text(int sec, char buf[16])
{
	snprintf(buf, 16, "%02d:%02d:%02d", sec / 3600, sec / 60 % 60, sec % 60);
}

/* An intro or outro must be a bulletin that can air. */
static int check_jingle(struct db *db, const char *opt, int64_t id, char *msg, size_t msglen)
{
	struct bulletin b;
	char q[TEXT_QUOTE_MAX];
	int r;

	if (!id)
		return 0;
	r = db ? library_get(db, id, &b) : -ENOENT;
	if (r == -ENOENT) {
		text_set(msg, msglen, _("%s %lld: there is no bulletin #%lld; import the chime first, then give "
			"the id loa import printed ('loa list' shows them)"), opt, (long long)id, (long long)id);
		return -EINVAL;
	}
	if (r < 0) {
		text_set(msg, msglen, _("%s %lld: cannot read the library"), opt, (long long)id);
		return -EIO;
	}
	r = 0;
	if (b.retired_at) {
		text_set(msg, msglen, _("%s %lld: bulletin #%lld '%s' is retired and does not air; give an "
			"active bulletin"), opt, (long long)id, (long long)id, text_quote(b.title, q));
		r = -EINVAL;
	}
	bulletin_done(&b);
	return r;
}

/* A relay slot airs its source for its whole window: the window needs a
 * length, and intros, outros and topics, which are about bulletins, have
 * nothing to act on. */
static int check_relay(struct db *db, const struct slot *s, char *msg, size_t msglen)
{
	struct source src;
	char q[TEXT_QUOTE_MAX];
	int r = db ? sources_get(db, s->relay, &src) : -ENOENT;

	if (r == -ENOENT) {
		text_set(msg, msglen, _("--relay '%s': there is no such source; add it first (loa source add "
			"NAME --url URL), 'loa source list' shows them"), text_quote(s->relay, q));
		return -EINVAL;
	}
	if (r < 0) {
		text_set(msg, msglen, _("--relay '%s': cannot read the relay sources"), text_quote(s->relay, q));
		return -EIO;
	}
	source_done(&src);
	if (!s->max_minutes) {
		text_set(msg, msglen, _("--relay needs --max-minutes: the slot's window is how long the relay "
			"airs, e.g. --max-minutes 30"));
		return -EINVAL;
	}
	if (s->intro_id || s->outro_id || s->n_topics) {
		text_set(msg, msglen, _("a relay slot airs its source for the whole window, without bulletins: "
			"it takes no --intro, --outro or --topic (give none to clear them)"));
		return -EINVAL;
	}
	return 0;
}

int slots_check(const struct config *cfg, struct db *db, const struct slot *s, bool adding, char *msg,
		size_t msglen)
{
	const struct slot *other = config_slot(cfg, s->name);
	char q[TEXT_QUOTE_MAX], lo[16], hi[16];
	int r;

	if (!name_ok(s->name)) {
		text_set(msg, msglen, _("slot name '%s' is not a name loa takes: at most %d bytes of text, "
			"without spaces, '/', '\\\\', '?', '#' or '%%', e.g. sang or chieu-cn"),
			text_quote(s->name, q), SLOTS_NAME_MAX);
		return -EINVAL;
	}
	if (other && other->source == SLOT_FROM_CONFIG) {
		text_set(msg, msglen, _("slot '%s' is defined in %s (line %d); change it there, then reload "
			"the daemon (systemctl reload loa), or give this slot another name"), s->name, cfg->path,
			other->line);
		return adding ? -EINVAL : -EPERM;
	}
	if (adding && other) {
		text_set(msg, msglen, _("there is a slot '%s' already; change it with loa slot edit, or give "
			"this one another name"), s->name);
		return -EINVAL;
	}
	if (s->start_sec < 0 || s->start_sec > 86399) {
		text_set(msg, msglen, _("--start: write it as HH:MM or HH:MM:SS, from 00:00 to 23:59:59"));
		return -EINVAL;
	}
	if ((cfg->limit_earliest >= 0 && s->start_sec < cfg->limit_earliest) ||
	    (cfg->limit_latest >= 0 && s->start_sec > cfg->limit_latest)) {
		hms_text(cfg->limit_earliest >= 0 ? cfg->limit_earliest : 0, lo);
		hms_text(cfg->limit_latest >= 0 ? cfg->limit_latest : 86399, hi);
		hms_text(s->start_sec, q);
		text_set(msg, msglen, _("--start %s is outside the station's broadcast hours (limits: %s to %s "
			"in %s); choose another time, or change the limits group"), q, lo, hi, cfg->path);
		return -EINVAL;
	}
	if (!(s->days & DAYS_ALL) || (s->days & ~(unsigned)DAYS_ALL)) {
		text_set(msg, msglen, _("--days: name the weekdays, e.g. mon,tue,wed,thu,fri, or daily"));
		return -EINVAL;
	}
	if (s->from_day != DAY_NONE_BEFORE && s->until_day != DAY_NONE_AFTER && s->from_day > s->until_day) {
		text_set(msg, msglen, _("--from is after --until; the slot would never air; swap them"));
		return -EINVAL;
	}
	if (s->max_minutes < 0 || s->max_minutes > 1440) {
		text_set(msg, msglen, _("--max-minutes %d: give a whole number of minutes from 1 to 1440"),
			s->max_minutes);
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n_topics; i++)
		if (!topic_valid(s->topics[i])) {
			text_set(msg, msglen, _("--topic '%s' is not a topic; use a code 1-6 or a lowercase slug "
				"of letters, digits and '-', e.g. an-ninh"), text_quote(s->topics[i], q));
			return -EINVAL;
		}
	if ((r = check_jingle(db, "--intro", s->intro_id, msg, msglen)) < 0 ||
	    (r = check_jingle(db, "--outro", s->outro_id, msg, msglen)) < 0)
		return r;
	if (s->relay)
		return check_relay(db, s, msg, msglen);
	return 0;
}

/* One line of what S is, for the audit trail's before/after. */
static char *describe(const struct slot *s)
{
	char days[64], start[16], from[16] = "-", until[16] = "-", *topics, *skips, *out;
	size_t tl = 1, sl = 1;

	hms_text(s->start_sec, start);
	slots_days_text(s->days, days, sizeof(days));
	if (s->from_day != DAY_NONE_BEFORE)
		time_format_day(s->from_day, from);
	if (s->until_day != DAY_NONE_AFTER)
		time_format_day(s->until_day, until);
	for (size_t i = 0; i < s->n_topics; i++)
		tl += strlen(s->topics[i]) + 1;
	topics = xcalloc(tl, 1);
	for (size_t i = 0; i < s->n_topics; i++)
		strcat(strcat(topics, i ? "," : ""), s->topics[i]);
	sl += s->n_skip * 12;
	skips = xcalloc(sl, 1);
	for (size_t i = 0; i < s->n_skip; i++) {
		char d[16];

		strcat(strcat(skips, i ? "," : ""), time_format_day(s->skip_days[i], d));
	}
	out = xasprintf("start %s; days %s; from %s; until %s; max %d min; skip %s; intro %lld; outro %lld; "
			"topics %s%s%s", start, days, from, until, s->max_minutes, *skips ? skips : "-",
			(long long)s->intro_id, (long long)s->outro_id, *topics ? topics : "-",
			s->relay ? "; relay " : "", s->relay ? s->relay : "");
	free(topics);
	free(skips);
	return out;
}

static void bind_day(sqlite3_stmt *st, int i, int32_t day, int32_t none)
{
	if (day == none)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int(st, i, day);
}

static void bind_id(sqlite3_stmt *st, int i, int64_t id)
{
	if (id)
		sqlite3_bind_int64(st, i, id);
	else
		sqlite3_bind_null(st, i);
}

static int exec_bound(sqlite3 *h, const char *sql, const char *name, int64_t v, const char *text)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, v);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* Writes S's row (INSERT, or UPDATE of the existing one) and its lists. */
static int write_slot(struct db *db, const struct slot *s, bool adding)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	int64_t now = time_now_ms();
	int rc;

	rc = sqlite3_prepare_v2(h, adding ?
		"INSERT INTO slots (name, start_sec, days, from_day, until_day, max_minutes, intro_id, outro_id,"
		" created_at, updated_at, relay) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)" :
		"UPDATE slots SET start_sec = ?2, days = ?3, from_day = ?4, until_day = ?5, max_minutes = ?6,"
		" intro_id = ?7, outro_id = ?8, updated_at = ?9, relay = ?10 WHERE name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return -EIO;
	sqlite3_bind_text(st, 1, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, s->start_sec);
	sqlite3_bind_int(st, 3, (int)s->days);
	bind_day(st, 4, s->from_day, DAY_NONE_BEFORE);
	bind_day(st, 5, s->until_day, DAY_NONE_AFTER);
	sqlite3_bind_int(st, 6, s->max_minutes);
	bind_id(st, 7, s->intro_id);
	bind_id(st, 8, s->outro_id);
	sqlite3_bind_int64(st, 9, now);
	if (s->relay)
		sqlite3_bind_text(st, 10, s->relay, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 10);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return -EIO;
	if (exec_bound(h, "DELETE FROM slot_skip_days WHERE slot = ?1 AND ?2 = ?2", s->name, 0, NULL) < 0 ||
	    exec_bound(h, "DELETE FROM slot_topics WHERE slot = ?1 AND ?2 = ?2", s->name, 0, NULL) < 0)
		return -EIO;
	for (size_t i = 0; i < s->n_skip; i++)
		if (exec_bound(h, "INSERT OR IGNORE INTO slot_skip_days (slot, day) VALUES (?1, ?2)", s->name,
			       s->skip_days[i], NULL) < 0)
			return -EIO;
	for (size_t i = 0; i < s->n_topics; i++)
		if (exec_bound(h, "INSERT OR IGNORE INTO slot_topics (slot, topic) VALUES (?1, ?2)", s->name, 0,
			       s->topics[i]) < 0)
			return -EIO;
	return 0;
}

/* The database slot NAME as stored, or -ENOENT / -EPERM (loa.conf's). */
static int find_db_slot(struct db *db, const struct config *cfg, const char *name, struct slot *out, char *msg,
			size_t msglen)
{
	const struct slot *c = config_slot(cfg, name);
	struct slot *v;
	size_t n;
	int r = -ENOENT;

	if (c && c->source == SLOT_FROM_CONFIG) {
		text_set(msg, msglen, _("slot '%s' is defined in %s (line %d), which loa does not change; edit "
			"it there, then reload the daemon (systemctl reload loa)"), name, cfg->path, c->line);
		return -EPERM;
	}
	if (slots_load(db, &v, &n) < 0) {
		text_set(msg, msglen, _("cannot read the slots from the database"));
		return -EIO;
	}
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			slot_copy(out, &v[i]);
			r = 0;
		}
	slots_free(v, n);
	if (r == -ENOENT) {
		char q[TEXT_QUOTE_MAX];

		text_set(msg, msglen, _("there is no slot '%s'; 'loa slot list' shows them"), text_quote(name, q));
	}
	return r;
}

static int store(struct db *db, const struct slot *s, bool adding, const char *actor, const char *action,
		 const char *detail, char *msg, size_t msglen)
{
	if (db_begin(db) < 0)
		goto fail;
	if (write_slot(db, s, adding) < 0) {
		db_fail(db, N_("writing a slot"));
		db_rollback(db);
		goto fail;
	}
	if (audit_append(db, actor, action, s->name, detail) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	text_set(msg, msglen, _("the database refused the slot '%s'; nothing was changed"), s->name);
	return -EIO;
}

int slots_add(struct db *db, const struct config *cfg, const struct slot *s, const char *actor, char *msg,
	      size_t msglen)
{
	char *detail;
	int r;

	if ((r = slots_check(cfg, db, s, true, msg, msglen)) < 0)
		return r;
	detail = describe(s);
	r = store(db, s, true, actor, "slot-add", detail, msg, msglen);
	free(detail);
	return r;
}

int slots_update(struct db *db, const struct config *cfg, const struct slot *s, const char *actor, char *msg,
		 size_t msglen)
{
	struct slot was = { 0 };
	char *before, *after, *detail;
	int r;

	if ((r = find_db_slot(db, cfg, s->name, &was, msg, msglen)) < 0)
		return r;
	if ((r = slots_check(cfg, db, s, false, msg, msglen)) < 0) {
		slot_done(&was);
		return r;
	}
	before = describe(&was);
	after = describe(s);
	detail = xasprintf("%s -> %s", before, after);
	r = store(db, s, false, actor, "slot-edit", detail, msg, msglen);
	free(detail);
	free(after);
	free(before);
	slot_done(&was);
	return r;
}

int slots_remove(struct db *db, const struct config *cfg, const char *name, const char *actor, char *msg,
		 size_t msglen)
{
	struct slot was = { 0 };
	char *detail;
	int r;

	if ((r = find_db_slot(db, cfg, name, &was, msg, msglen)) < 0)
		return r;
	detail = describe(&was);
	r = -EIO;
	if (db_begin(db) == 0) {
		if (exec_bound(db_sqlite(db), "DELETE FROM slots WHERE name = ?1 AND ?2 = ?2", name, 0, NULL) < 0) {
			db_fail(db, N_("removing a slot"));
			db_rollback(db);
		} else if (audit_append(db, actor, "slot-remove", name, detail) < 0) {
			db_rollback(db);
		} else {
			r = db_commit(db);
		}
	}
	if (r < 0)
		text_set(msg, msglen, _("the database refused to remove the slot '%s'; nothing was changed"), name);
	free(detail);
	slot_done(&was);
	return r;
}

static void json_day_or_null(struct json *j, const char *key, int32_t day, int32_t none)
{
	char buf[16];

	json_kv_string(j, key, day == none ? NULL : time_format_day(day, buf));
}

static void json_jingle(struct json *j, const char *key, const struct slot *s, int64_t id, const char *path)
{
	json_key(j, key);
	if (s->source == SLOT_FROM_DATABASE) {
		if (id)
			json_int(j, id);
		else
			json_null(j);
	} else {
		json_string(j, path);
	}
}

void slots_json(struct json *j, const struct slot *s)
{
	char start[16], day[16];

	hms_text(s->start_sec, start);
	json_object_begin(j);
	json_kv_string(j, "name", s->name);
	json_kv_string(j, "start", start);
	json_key(j, "days");
	json_array_begin(j);
	for (int d = 0; d < 7; d++)
		if (s->days & (1u << d))
			json_string(j, weekdays[d]);
	json_array_end(j);
	json_day_or_null(j, "from", s->from_day, DAY_NONE_BEFORE);
	json_day_or_null(j, "until", s->until_day, DAY_NONE_AFTER);
	json_key(j, "max_minutes");
	if (s->max_minutes)
		json_int(j, s->max_minutes);
	else
		json_null(j);
	json_key(j, "skip_dates");
	json_array_begin(j);
	for (size_t i = 0; i < s->n_skip; i++)
		json_string(j, time_format_day(s->skip_days[i], day));
	json_array_end(j);
	json_jingle(j, "intro", s, s->intro_id, s->intro);
	json_jingle(j, "outro", s, s->outro_id, s->outro);
	json_key(j, "topics");
	json_array_begin(j);
	for (size_t i = 0; i < s->n_topics; i++)
		json_string(j, s->topics[i]);
	json_array_end(j);
	json_kv_string(j, "source", s->source == SLOT_FROM_DATABASE ? "database" : "config");
	json_kv_string(j, "relay", s->relay);
	json_object_end(j);
}
