/* See act.h. */
#include "web/act.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "content/import.h"
#include "content/slots.h"
#include "content/topic.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "scheduler/control.h"
#include "util/log.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "web/progress.h"
#include "web/throttle.h"
#include "web/upload.h"

/* The longest title or plan reference, as `loa import` takes them. */
#define TEXT_MAX 500

static int fail(struct act_result *res, unsigned status, const char *code)
{
	res->status = status;
	res->code = code;
	return -1;
}

static int say(struct web_req *r, struct act_result *res, unsigned status, const char *code,
	       enum web_word w, ...)
{
	va_list ap;

	va_start(ap, w);
	web_vsay(res->msg, sizeof(res->msg), r->lang, w, ap);
	va_end(ap);
	return fail(res, status, code);
}

int act_field(const struct web_req *r, const char *name, char *buf, size_t len, const char **s)
{
	if (r->json) {
		json_t *v = json_object_get(r->json, name);

		if (!v)
			return 0;
		if (json_is_null(v)) {
			*s = "";
			return 1;
		}
		if (json_is_integer(v)) {
			snprintf(buf, len, "%lld", (long long)json_integer_value(v));
			*s = buf;
			return 2;
		}
		if (json_is_true(v) || json_is_false(v)) {
			*s = json_is_true(v) ? "true" : "false";
			return 2;
		}
		if (!json_is_string(v)) {
			/* An array or an object where text belongs: shown as such. */
			*s = json_is_array(v) ? "[...]" : "{...}";
			return 2;
		}
		*s = json_string_value(v);
		return **s ? 2 : 1;
	}
	*s = web_form(r, name);
	if (!*s)
		return 0;
	return **s ? 2 : 1;
}

/* Each item of list NAME into L: a JSON array of strings or integers, or
 * text (JSON or form fields, which may repeat) cut at commas and blanks.
 * Returns as act_field; a list given empty is 1. */
static int field_list(const struct web_req *r, const char *name, struct strlist *l)
{
	const char *s;
	char buf[32];
	size_t i = 0;
	bool any = false;

	if (r->json) {
		json_t *v = json_object_get(r->json, name), *e;
		size_t k;

		if (json_is_array(v)) {
			json_array_foreach(v, k, e) {
				if (json_is_string(e))
					strlist_add(l, json_string_value(e));
				else if (json_is_integer(e))
					strlist_addf(l, "%lld", (long long)json_integer_value(e));
				else
					strlist_add(l, "?");
			}
			return l->n ? 2 : 1;
		}
		switch (act_field(r, name, buf, sizeof(buf), &s)) {
		case 0:
			return 0;
		case 1:
			return 1;
		}
		any = true;
		goto split;
	}
	while ((s = web_form_next(r, name, &i))) {
		any = true;
	split:
		for (const char *p = s; *p;) {
			size_t n;

			p += strspn(p, ", \t");
			n = strcspn(p, ", \t");
			if (n) {
				char *item = xmalloc(n + 1);

				memcpy(item, p, n);
				item[n] = '\0';
				strlist_add(l, item);
				free(item);
			}
			p += n;
		}
		if (r->json)
			break;
	}
	return !any ? 0 : l->n ? 2 : 1;
}

static bool truthy(const struct web_req *r, const char *name)
{
	char buf[32];
	const char *s;

	if (act_field(r, name, buf, sizeof(buf), &s) < 2)
		return false;
	return !strcmp(s, "true") || !strcmp(s, "1") || !strcmp(s, "on") || !strcmp(s, "yes");
}

static int check_text(struct web_req *r, const char *field, const char *s, struct act_result *res)
{
	size_t at;

	if (text_check(s, TEXT_MAX, &at) == TEXT_OK)
		return 0;
	return say(r, res, 422, "invalid", W_E_TEXT, field);
}

/* A local day in field NAME: 0 absent, 1 cleared (*DAY = NONE), 2 set,
 * -1 with RES set. */
static int field_day(struct web_req *r, const char *name, int32_t none, int32_t *day, struct act_result *res)
{
	char buf[32];
	const char *s;
	int k = act_field(r, name, buf, sizeof(buf), &s);

	if (k == 1)
		*day = none;
	if (k < 2)
		return k;
	if (time_parse_day(s, day) < 0)
		return say(r, res, 422, "invalid", W_E_DATE, name, s);
	return 2;
}

/* A whole number LO..HI in field NAME; as field_day, cleared is *V = 0. */
static int field_int(struct web_req *r, const char *name, int lo, int hi, int *v, struct act_result *res)
{
	char buf[32], los[16], his[16], *end;
	const char *s;
	int k = act_field(r, name, buf, sizeof(buf), &s);
	long x;

	if (k == 1)
		*v = 0;
	if (k < 2)
		return k;
	errno = 0;
	x = strtol(s, &end, 10);
	if (errno || end == s || *end || x < lo || x > hi) {
		snprintf(los, sizeof(los), "%d", lo);
		snprintf(his, sizeof(his), "%d", hi);
		return say(r, res, 422, "invalid", W_E_NUMBER, name, s, los, his);
	}
	*v = (int)x;
	return 2;
}

/* A bulletin id in field NAME: 0 absent, 1 cleared (*ID = 0), 2 set. */
static int field_id(struct web_req *r, const char *name, int64_t *id, struct act_result *res)
{
	char buf[32], *end;
	const char *s;
	int k = act_field(r, name, buf, sizeof(buf), &s);
	long long x;

	if (k == 1)
		*id = 0;
	if (k < 2)
		return k;
	errno = 0;
	x = strtoll(s, &end, 10);
	if (errno || end == s || *end || x < 1)
		return say(r, res, 422, "invalid", W_E_ID, name, s);
	*id = x;
	return 2;
}

/* What a request says of a bulletin (title, topic, plan, slot, from,
 * until, priority) onto B; slots collect in SLOTS. *GIVEN gets a bit per
 * field given. */
enum { F_TITLE = 1, F_TOPIC = 2, F_PLAN = 4, F_SLOT = 8, F_FROM = 16, F_UNTIL = 32, F_PRIORITY = 64 };

static int bulletin_fields(struct web_req *r, struct bulletin *b, struct strlist *slots, bool uploading,
			   unsigned *given, struct act_result *res)
{
	char buf[32];
	const char *s;
	int k;

	*given = 0;
	/* An upload's empty title is the file's name, as for loa import. */
	if ((k = act_field(r, "title", buf, sizeof(buf), &s)) > (uploading ? 1 : 0)) {
		if (check_text(r, "title", s, res) < 0)
			return -1;
		free(b->title);
		b->title = xstrdup(s);
		*given |= F_TITLE;
	}
	if ((k = act_field(r, "topic", buf, sizeof(buf), &s)) > 0) {
		if (k == 2 && !topic_valid(s))
			return say(r, res, 422, "invalid", W_E_TOPIC, s);
		free(b->topic);
		b->topic = k == 2 ? xstrdup(s) : NULL;
		*given |= F_TOPIC;
	}
	if ((k = act_field(r, "plan", buf, sizeof(buf), &s)) > 0) {
		if (k == 2 && check_text(r, "plan", s, res) < 0)
			return -1;
		free(b->plan);
		b->plan = k == 2 ? xstrdup(s) : NULL;
		*given |= F_PLAN;
	}
	if (field_list(r, "slot", slots) > 0)
		*given |= F_SLOT;
	if ((k = field_day(r, "from", DAY_NONE_BEFORE, &b->valid_from, res)) < 0)
		return -1;
	if (k)
		*given |= F_FROM;
	if ((k = field_day(r, "until", DAY_NONE_AFTER, &b->valid_until, res)) < 0)
		return -1;
	if (k)
		*given |= F_UNTIL;
	if ((k = act_field(r, "priority", buf, sizeof(buf), &s)) > 0) {
		if (k == 1)
			b->priority = PRIO_NORMAL;
		else if (priority_parse(s, &b->priority) < 0)
			return say(r, res, 422, "invalid", W_E_PRIORITY, s);
		*given |= F_PRIORITY;
	}
	return 0;
}

static void take_slots(struct bulletin *b, struct strlist *slots)
{
	for (size_t i = 0; i < b->n_slots; i++)
		free(b->slots[i]);
	free(b->slots);
	b->slots = slots->v;
	b->n_slots = slots->n;
	*slots = (struct strlist){ 0 };
}

/* Tells a running daemon the library or the programme changed, as `loa`
 * does after each change; silent when none runs. */
static void notify_daemon(struct web_req *r)
{
	char *reply = NULL;

	if (control_request(r->conf->socket_path, "changed", &reply) == 0)
		free(reply);
}

int act_upload(struct web_req *r, size_t i, int64_t *id, struct act_result *res)
{
	struct web_upload_file *uf = &r->upload->v[i];
	struct bulletin b = { .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER };
	struct import_file f = { .fd = -1 };
	struct strlist slots = { 0 };
	const struct config *cfg = web_station(r);
	unsigned given, flags = truthy(r, "force") ? IMPORT_FORCE : 0;
	/* The page's key for this upload: its bar then follows the analysis. */
	const char *key = web_param(r, "progress");
	struct web_progress_hook hook;
	struct progress tracked = { web_progress_report, &hook };
	bool track = r->have_session && web_progress_key_ok(key);
	struct db *db;
	int ret = -1, e;

	if (!cfg)
		return fail(res, 500, "internal");
	if (bulletin_fields(r, &b, &slots, true, &given, res) < 0)
		goto out;
	if (import_check_bulletin(cfg, &b, slots.v, slots.n, res->msg, sizeof(res->msg)) < 0) {
		fail(res, 422, "invalid");
		goto out;
	}
	if (import_open(uf->tmp, &f, res->msg, sizeof(res->msg)) < 0) {
		fail(res, 500, "internal");
		goto out;
	}
	/* What the operator sees in messages, the default title and the
	 * source name: the file's own name, never the temporary path. */
	f.name = uf->name;
	if (track) {
		snprintf(hook.key, sizeof(hook.key), "%s", key);
		snprintf(hook.user, sizeof(hook.user), "%s", r->sess.account.name);
		f.progress = &tracked;
	}
	if (import_check(&f, flags, &b, res->msg, sizeof(res->msg)) < 0) {
		fail(res, 422, "refused");
		goto out;
	}
	take_slots(&b, &slots);
	db = web_wdb_lock(r->srv);
	e = import_store(db, cfg, &f, flags, web_actor(r), &b, res->msg, sizeof(res->msg));
	web_wdb_unlock(r->srv);
	if (e < 0) {
		fail(res, e == -EINVAL ? 422 : 500, e == -EINVAL ? "refused" : "internal");
		goto out;
	}
	*id = b.id;
	notify_daemon(r);
	res->status = 201;
	res->code = NULL;
	ret = 0;
out:
	if (f.progress)
		web_progress_end(&hook);
	import_close(&f);
	strlist_done(&slots);
	bulletin_done(&b);
	return ret;
}

int act_edit(struct web_req *r, int64_t id, struct act_result *res)
{
	struct bulletin b = { 0 };
	struct strlist slots = { 0 };
	const struct config *cfg = web_station(r);
	char idtext[32];
	unsigned given;
	struct db *db;
	int ret = -1, e;

	if (!cfg)
		return fail(res, 500, "internal");
	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	db = web_rdb(r);
	e = db ? library_get(db, id, &b) : -EIO;
	if (e == -ENOENT)
		return say(r, res, 404, "not-found", W_E_NO_BULLETIN, idtext);
	if (e < 0)
		return say(r, res, 500, "internal", W_E_DB_READ);
	if (bulletin_fields(r, &b, &slots, false, &given, res) < 0)
		goto out;
	if (!given) {
		say(r, res, 400, "invalid", W_E_NOTHING);
		goto out;
	}
	if (!(given & F_SLOT))
		for (size_t k = 0; k < b.n_slots; k++)
			strlist_add(&slots, b.slots[k]);
	if (import_check_bulletin(cfg, &b, slots.v, slots.n, res->msg, sizeof(res->msg)) < 0) {
		fail(res, 422, "invalid");
		goto out;
	}
	take_slots(&b, &slots);
	db = web_wdb_lock(r->srv);
	e = library_update(db, &b, web_actor(r));
	web_wdb_unlock(r->srv);
	if (e == -ENOENT) {
		say(r, res, 404, "not-found", W_E_NO_BULLETIN, idtext);
		goto out;
	}
	if (e == -EPERM) {
		say(r, res, 403, "province", W_E_PROVINCE_OWNS, idtext);
		goto out;
	}
	if (e < 0) {
		say(r, res, e == -EINVAL ? 422 : 500, e == -EINVAL ? "invalid" : "internal", W_E_DB_WRITE);
		goto out;
	}
	notify_daemon(r);
	res->status = 200;
	ret = 0;
out:
	strlist_done(&slots);
	bulletin_done(&b);
	return ret;
}

int act_retire(struct web_req *r, int64_t id, struct act_result *res)
{
	struct bulletin b = { 0 };
	char idtext[32];
	struct db *db = web_wdb_lock(r->srv);
	int e = library_get(db, id, &b);

	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	if (e == 0 && b.retired_at)
		e = -ENOENT;
	if (e == 0)
		e = library_retire(db, id, time_now_ms(), web_actor(r));
	web_wdb_unlock(r->srv);
	bulletin_done(&b);
	if (e == -ENOENT)
		return say(r, res, 404, "not-found", W_E_NO_ACTIVE_BULLETIN, idtext);
	if (e == -EPERM)
		return say(r, res, 403, "province", W_E_PROVINCE_OWNS, idtext);
	if (e < 0)
		return say(r, res, 500, "internal", W_E_DB_WRITE);
	notify_daemon(r);
	res->status = 200;
	return 0;
}

/* The fields of a slot onto S; *GIVEN counts those given. */
static int slot_fields(struct web_req *r, struct slot *s, int *given, struct act_result *res)
{
	struct strlist l = { 0 };
	char buf[32];
	const char *v;
	int k;

	*given = 0;
	if ((k = act_field(r, "start", buf, sizeof(buf), &v)) > 0) {
		if (k == 1 || time_parse_hms(v, &s->start_sec) < 0)
			return say(r, res, 422, "invalid", W_E_TIME, v);
		(*given)++;
	}
	if ((k = field_list(r, "days", &l)) > 0) {
		char *joined = NULL;
		unsigned days = 0;
		int bad = k == 1;

		for (size_t i = 0; i < l.n && !bad; i++) {
			unsigned d;

			if (slots_days_parse(l.v[i], &d) < 0 || (days & d))
				bad = 1;
			days |= d;
		}
		if (bad) {
			for (size_t i = 0; i < l.n; i++) {
				char *j = xasprintf("%s%s%s", joined ? joined : "", i ? "," : "", l.v[i]);

				free(joined);
				joined = j;
			}
			say(r, res, 422, "invalid", W_E_DAYS, joined ? joined : "");
			free(joined);
			strlist_done(&l);
			return -1;
		}
		s->days = days;
		(*given)++;
	}
	strlist_done(&l);
	if ((k = field_day(r, "from", DAY_NONE_BEFORE, &s->from_day, res)) < 0)
		return -1;
	*given += k > 0;
	if ((k = field_day(r, "until", DAY_NONE_AFTER, &s->until_day, res)) < 0)
		return -1;
	*given += k > 0;
	if ((k = field_int(r, "max_minutes", 1, 1440, &s->max_minutes, res)) < 0)
		return -1;
	*given += k > 0;
	if ((k = field_list(r, "skip_dates", &l)) > 0) {
		int32_t *days = l.n ? xcalloc(l.n, sizeof(*days)) : NULL;
		size_t n = 0;

		for (size_t i = 0; i < l.n; i++) {
			int32_t d;

			if (time_parse_day(l.v[i], &d) < 0) {
				say(r, res, 422, "invalid", W_E_DATE, "skip_dates", l.v[i]);
				free(days);
				strlist_done(&l);
				return -1;
			}
			/* Sorted and once each, as slot_skips() searches them. */
			size_t at = 0;

			while (at < n && days[at] < d)
				at++;
			if (at < n && days[at] == d)
				continue;
			memmove(days + at + 1, days + at, (n - at) * sizeof(*days));
			days[at] = d;
			n++;
		}
		free(s->skip_days);
		s->skip_days = days;
		s->n_skip = n;
		(*given)++;
	}
	strlist_done(&l);
	if ((k = field_id(r, "intro", &s->intro_id, res)) < 0)
		return -1;
	*given += k > 0;
	if ((k = field_id(r, "outro", &s->outro_id, res)) < 0)
		return -1;
	*given += k > 0;
	if ((k = field_list(r, "topics", &l)) > 0) {
		for (size_t i = 0; s->topics && s->topics[i]; i++)
			free(s->topics[i]);
		free(s->topics);
		s->topics = NULL;
		s->n_topics = 0;
		if (l.n) {
			s->topics = xcalloc(l.n + 1, sizeof(*s->topics));
			for (size_t i = 0; i < l.n; i++)
				s->topics[s->n_topics++] = xstrdup(l.v[i]);
		}
		(*given)++;
	}
	strlist_done(&l);
	return 0;
}

/* A refusal of content/slots.c as a status. */
static int slot_refused(struct act_result *res, int e)
{
	switch (e) {
	case -ENOENT:
		return fail(res, 404, "not-found");
	case -EPERM:
		return fail(res, 409, "read-only");
	case -EINVAL:
		return fail(res, 422, "invalid");
	default:
		return fail(res, 500, "internal");
	}
}

int act_slot_add(struct web_req *r, struct act_result *res)
{
	struct slot s = { .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER, .source = SLOT_FROM_DATABASE,
			  .start_sec = -1 };
	const struct config *cfg = web_station(r);
	char buf[SLOTS_NAME_MAX + 8];
	const char *name;
	struct db *db;
	int given, e, ret = -1;

	if (!cfg)
		return fail(res, 500, "internal");
	if (act_field(r, "name", buf, sizeof(buf), &name) < 2)
		return say(r, res, 422, "invalid", W_E_SLOT_NAME);
	s.name = xstrdup(name);
	if (slot_fields(r, &s, &given, res) < 0)
		goto out;
	if (s.start_sec < 0 || !s.days) {
		say(r, res, 422, "invalid", W_E_SLOT_NEEDS);
		goto out;
	}
	db = web_wdb_lock(r->srv);
	e = slots_add(db, cfg, &s, web_actor(r), res->msg, sizeof(res->msg));
	web_wdb_unlock(r->srv);
	if (e < 0) {
		slot_refused(res, e);
		goto out;
	}
	notify_daemon(r);
	res->status = 201;
	ret = 0;
out:
	slot_done(&s);
	return ret;
}

int act_slot_edit(struct web_req *r, const char *name, struct act_result *res)
{
	const struct config *cfg = web_station(r);
	const struct slot *was;
	struct slot s;
	struct db *db;
	int given, e, ret = -1;

	if (!cfg)
		return fail(res, 500, "internal");
	was = config_slot(cfg, name);
	if (!was || was->source != SLOT_FROM_DATABASE) {
		/* The core says why: no such slot, or one of loa.conf's. */
		struct slot probe = { .name = (char *)name };

		db = web_wdb_lock(r->srv);
		e = slots_update(db, cfg, &probe, web_actor(r), res->msg, sizeof(res->msg));
		web_wdb_unlock(r->srv);
		return slot_refused(res, e < 0 ? e : -ENOENT);
	}
	slot_copy(&s, was);
	if (slot_fields(r, &s, &given, res) < 0)
		goto out;
	if (!given) {
		say(r, res, 400, "invalid", W_E_NOTHING);
		goto out;
	}
	db = web_wdb_lock(r->srv);
	e = slots_update(db, cfg, &s, web_actor(r), res->msg, sizeof(res->msg));
	web_wdb_unlock(r->srv);
	if (e < 0) {
		slot_refused(res, e);
		goto out;
	}
	notify_daemon(r);
	res->status = 200;
	ret = 0;
out:
	slot_done(&s);
	return ret;
}

int act_slot_remove(struct web_req *r, const char *name, struct act_result *res)
{
	const struct config *cfg = web_station(r);
	struct db *db;
	int e;

	if (!cfg)
		return fail(res, 500, "internal");
	db = web_wdb_lock(r->srv);
	e = slots_remove(db, cfg, name, web_actor(r), res->msg, sizeof(res->msg));
	web_wdb_unlock(r->srv);
	if (e < 0)
		return slot_refused(res, e);
	notify_daemon(r);
	res->status = 200;
	return 0;
}

int act_daemon(struct web_req *r, const char *line, char **body, struct act_result *res)
{
	const char *sock = r->conf->socket_path;
	char *reply = NULL, *nl;
	int e = control_request(sock, line, &reply);
	long code;

	*body = NULL;
	if (e == -ENOENT || e == -ECONNREFUSED)
		return say(r, res, 503, "daemon-not-running", W_E_DAEMON_DOWN, sock);
	if (e < 0)
		return say(r, res, 503, "daemon-unreachable", W_E_DAEMON, sock, strerror(-e));
	nl = strchr(reply, '\n');
	*body = xstrdup(nl ? nl + 1 : "");
	if ((*body)[0] != '{')
		(*body)[strcspn(*body, "\n")] = '\0';
	if (!strncmp(reply, "ok", 2)) {
		free(reply);
		snprintf(res->msg, sizeof(res->msg), "%s", (*body)[0] != '{' ? *body : "");
		res->status = 200;
		return 0;
	}
	code = strtol(reply + strlen("error "), NULL, 10);
	snprintf(res->msg, sizeof(res->msg), "%s", (*body)[0] ? *body : "the daemon refused the request");
	free(reply);
	free(*body);
	*body = NULL;
	/* No such bulletin; nothing on air or outside the station's hours;
	 * a request the daemon does not take. */
	if (code == ENOENT)
		return fail(res, 404, "not-found");
	if (code == EAGAIN || code == EPERM || code == EBUSY)
		return fail(res, 409, "refused");
	if (code == EINVAL || code == EMSGSIZE)
		return fail(res, 422, "invalid");
	return fail(res, 500, "internal");
}

/* The one place where a request to the daemon gets its actor: the
 * daemon records play, alert, alert-cancel and stop as the account that
 * asked ("... by NAME"; account names are [a-z0-9._-], one word). */
static int act_control(struct web_req *r, const char *line, struct act_result *res)
{
	char full[CONTROL_LINE_MAX], *body = NULL;
	int e;

	snprintf(full, sizeof(full), "%s by %s", line, web_actor(r));
	e = act_daemon(r, full, &body, res);
	free(body);
	return e;
}

int act_play(struct web_req *r, struct act_result *res)
{
	char line[64];
	int64_t id = 0;

	if (field_id(r, "id", &id, res) < 0)
		return -1;
	if (!id)
		return say(r, res, 422, "invalid", W_E_ID, "id", "");
	snprintf(line, sizeof(line), "play %lld", (long long)id);
	return act_control(r, line, res);
}

int act_alert(struct web_req *r, struct act_result *res)
{
	char line[96];
	int64_t id = 0;
	int repeat = 1, every = 60;

	if (field_id(r, "id", &id, res) < 0)
		return -1;
	if (!id)
		return say(r, res, 422, "invalid", W_E_ID, "id", "");
	if (field_int(r, "repeat", 1, CONTROL_REPEAT_MAX, &repeat, res) < 0 ||
	    field_int(r, "every", 1, CONTROL_EVERY_MAX, &every, res) < 0)
		return -1;
	if (!repeat)
		repeat = 1;
	if (!every)
		every = 60;
	snprintf(line, sizeof(line), "alert %lld %d %d", (long long)id, repeat, every);
	return act_control(r, line, res);
}

int act_alert_cancel(struct web_req *r, struct act_result *res)
{
	return act_control(r, "alert-cancel", res);
}

int act_stop(struct web_req *r, struct act_result *res)
{
	return act_control(r, "stop", res);
}

/* A refusal of auth/auth.c as a status. */
static int account_refused(struct act_result *res, int e)
{
	switch (e) {
	case -EINVAL:
		return fail(res, 422, "invalid");
	case -EEXIST:
		return fail(res, 409, "exists");
	case -ENOENT:
		return fail(res, 404, "not-found");
	case -EPERM:
		return fail(res, 409, "last-admin");
	default:
		return fail(res, 500, "internal");
	}
}

int act_account_add(struct web_req *r, struct act_result *res)
{
	const char *name = web_param(r, "name"), *role_text = web_param(r, "role");
	const char *password = web_param(r, "password");
	enum auth_role role;
	struct db *db;
	int e;

	if (!name || !*name)
		return say(r, res, 422, "invalid", W_E_ACCOUNT_NAME);
	if (!role_text || auth_role_parse(role_text, &role) < 0)
		return say(r, res, 422, "invalid", W_E_ROLE, role_text ? role_text : "");
	db = web_wdb_lock(r->srv);
	e = auth_account_add(db, name, role, password ? password : "", web_actor(r), res->msg, sizeof(res->msg));
	web_wdb_unlock(r->srv);
	if (e < 0)
		return account_refused(res, e);
	res->status = 201;
	return 0;
}

/* The session cookie: HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page sends it), Secure when served over TLS. */
static char *session_cookie(const struct web_req *r, const char *token, int max_age)
{
	return xasprintf("loa_session=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d%s", token, max_age,
			 r->srv->tls ? "; Secure" : "");
}

int act_login(struct web_req *r, const char *name, const char *password, struct act_result *res)
{
	struct auth_account acct;
	char wait_text[16], *tried;
	struct db *db;
	int wait, e;

	if (!name || !password || !*name || !*password)
		return say(r, res, 400, "invalid", W_E_LOGIN_EMPTY);
	wait = throttle_wait(r->srv->throttle, name, r->addr, time_mono_ms());
	if (wait > 0) {
		snprintf(wait_text, sizeof(wait_text), "%d", wait);
		return say(r, res, 401, "wait", W_E_LOGIN_WAIT, wait_text);
	}
	/* What was typed, as text and cut: it goes into the trail only. */
	tried = text_clean(name);
	if (strlen(tried) > AUTH_NAME_MAX)
		tried[AUTH_NAME_MAX] = '\0';
	db = web_wdb_lock(r->srv);
	e = auth_login(db, name, password, &acct);
	if (e == 0)
		e = auth_session_open(db, &acct, r->conf->web.session_hours, &r->sess);
	if (audit_append(db, e == 0 ? acct.name : "-", e == 0 ? "login" : "login-failed", e == 0 ? acct.name : tried,
			 r->addr) < 0)
		log_err("web: the audit trail could not record a login of '%s' from %s", tried, r->addr);
	web_wdb_unlock(r->srv);
	free(tried);
	if (e == -EACCES) {
		throttle_fail(r->srv->throttle, name, r->addr, time_mono_ms());
		return say(r, res, 401, "login-failed", W_E_LOGIN_BAD);
	}
	if (e < 0)
		return say(r, res, 500, "internal", W_E_DB_WRITE);
	throttle_ok(r->srv->throttle, name, r->addr);
	r->have_session = true;
	free(r->set_cookie);
	r->set_cookie = session_cookie(r, r->sess.token, r->conf->web.session_hours * 3600);
	res->status = 200;
	return 0;
}

void act_logout(struct web_req *r)
{
	struct db *db = web_wdb_lock(r->srv);

	if (auth_session_close(db, r->token) < 0)
		log_err("web: cannot end the session of %s in the database", web_actor(r));
	if (audit_append(db, web_actor(r), "logout", web_actor(r), r->addr) < 0)
		log_err("web: the audit trail could not record a logout of %s", web_actor(r));
	web_wdb_unlock(r->srv);
	r->have_session = false;
	free(r->set_cookie);
	r->set_cookie = session_cookie(r, "", 0);
}

int act_period(struct web_req *r, bool required, int32_t *from, int32_t *to, struct act_result *res)
{
	const char *f = web_query(r, "from"), *t = web_query(r, "to");

	*from = DAY_NONE_BEFORE;
	*to = DAY_NONE_AFTER;
	if (f && *f && time_parse_day(f, from) < 0)
		return say(r, res, 400, "invalid", W_E_DATE, "from", f);
	if (t && *t && time_parse_day(t, to) < 0)
		return say(r, res, 400, "invalid", W_E_DATE, "to", t);
	if (required && (*from == DAY_NONE_BEFORE || *to == DAY_NONE_AFTER))
		return say(r, res, 400, "invalid", W_E_PERIOD_NEEDED);
	if (*from != DAY_NONE_BEFORE && *to != DAY_NONE_AFTER && *from > *to)
		return say(r, res, 400, "invalid", W_E_PERIOD_ORDER);
	return 0;
}

int act_account_passwd(struct web_req *r, const char *name, struct act_result *res)
{
	const char *password = web_param(r, "password");
	bool self = web_actor(r) && strcmp(name, web_actor(r)) == 0;
	struct auth_session fresh;
	struct db *db = web_wdb_lock(r->srv);
	int e = auth_account_passwd(db, name, password ? password : "", web_actor(r), res->msg, sizeof(res->msg));

	/* A new password ends every session of the account, this one too:
	 * whoever changed their own stays logged in with a new one. */
	if (e == 0 && self && auth_session_open(db, &r->sess.account, r->conf->web.session_hours, &fresh) == 0) {
		r->sess = fresh;
		free(r->set_cookie);
		r->set_cookie = session_cookie(r, fresh.token, r->conf->web.session_hours * 3600);
	}
	web_wdb_unlock(r->srv);
	if (e < 0)
		return account_refused(res, e);
	res->status = 200;
	return 0;
}

int act_account_remove(struct web_req *r, const char *name, struct act_result *res)
{
	struct db *db = web_wdb_lock(r->srv);
	int e = auth_account_remove(db, name, web_actor(r), res->msg, sizeof(res->msg));

	web_wdb_unlock(r->srv);
	if (e < 0)
		return account_refused(res, e);
	res->status = 200;
	return 0;
}
