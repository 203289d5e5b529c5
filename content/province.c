/* Schedules and bulletins from the province, in the database (see
 * province.h). Each change is one transaction: a schedule and its items,
 * or a cancellation and the rows of the items it takes away, are stored
 * whole or not at all. */
#include "content/province.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "ledger/ledger.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/xmalloc.h"

void province_schedule_done(struct province_schedule *s)
{
	for (size_t i = 0; i < s->n_bulletins; i++) {
		free(s->bulletins[i].title);
		free(s->bulletins[i].url);
		free(s->bulletins[i].author);
	}
	free(s->bulletins);
	free(s->instants);
	free(s->name);
	free(s->why);
	memset(s, 0, sizeof(*s));
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	return xstrdup_or_null((const char *)sqlite3_column_text(st, i));
}

static void col_id(sqlite3_stmt *st, int i, char out[PROVINCE_ID_MAX + 1])
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(out, PROVINCE_ID_MAX + 1, "%s", s ? s : "");
}

/* An item of province_items AS i that has no row yet, nor is on air. */
#define NOT_LEDGERED \
	"NOT EXISTS (SELECT 1 FROM ledger l WHERE l.scheduled_at = i.at AND l.province_schedule = i.schedule_id" \
	" AND l.province_bulletin = i.bulletin) AND NOT EXISTS (SELECT 1 FROM inflight f WHERE f.scheduled_at = i.at" \
	" AND f.province_schedule = i.schedule_id AND f.province_bulletin = i.bulletin)"

/* One statement run to its end; SQL binds ?1.. from the strings and
 * integers given in FMT order ('s' a string, 'i' an int64). */
static int exec(struct db *db, const char *what, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int rc = SQLITE_OK;

	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, what);
	va_start(ap, fmt);
	for (int i = 0; fmt[i]; i++)
		rc |= fmt[i] == 's' ? bind_text(st, i + 1, va_arg(ap, const char *))
				    : sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	va_end(ap);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		rc = db_fail(db, what);
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	return 0;
}

static int finish(struct db *db, int r)
{
	if (r >= 0 && db_commit(db) < 0)
		r = -EIO;
	if (r < 0)
		db_rollback(db);
	return r;
}

static void put(struct sha256_ctx *c, const char *s)
{
	if (!s)
		s = "";
	sha256_update(c, strlen(s) + 1, (const uint8_t *)s);
}

static void put_int(struct sha256_ctx *c, int64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), "%" PRId64, v);
	put(c, num);
}

/* What loa takes from a schedule, hashed: the same digest is the same
 * schedule, whatever the server's spacing, key order or extra keys. Each
 * field ends with a NUL, which no field holds. */
static void digest_of(const struct province_schedule *s, char out[SHA256_HEX])
{
	struct sha256_ctx c;

	sha256_init(&c);
	put(&c, "loa-province-v1");
	put(&c, s->id);
	put(&c, s->name);
	for (size_t i = 0; i < s->n_bulletins; i++) {
		const struct province_bulletin *b = &s->bulletins[i];

		put(&c, b->id);
		put(&c, b->title);
		put_int(&c, b->duration_ms);
		put_int(&c, b->topic);
		put_int(&c, b->priority);
		put(&c, b->url);
		put(&c, b->author);
	}
	put(&c, "instants");
	for (size_t i = 0; i < s->n_instants; i++) {
		put_int(&c, s->instants[i].start_ms);
		put_int(&c, s->instants[i].end_ms);
	}
	sha256_finish_hex(&c, out);
}

/* Has the ledger a row, or the item on air, for bulletin B of schedule S at AT? */
static int ledgered(struct db *db, const char *s, const char *b, int64_t at, bool *yes)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT EXISTS (SELECT 1 FROM ledger WHERE scheduled_at = ?3 AND province_schedule = ?1"
			       " AND province_bulletin = ?2)"
			       " OR EXISTS (SELECT 1 FROM inflight WHERE scheduled_at = ?3 AND province_schedule = ?1"
			       " AND province_bulletin = ?2)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the ledger"));
	rc = bind_text(st, 1, s) | bind_text(st, 2, b) | sqlite3_bind_int64(st, 3, at);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		rc = db_fail(db, N_("reading the ledger"));
		sqlite3_finalize(st);
		return rc;
	}
	*yes = sqlite3_column_int(st, 0) != 0;
	sqlite3_finalize(st);
	return 0;
}

/* A row for a province item that does not air: OUTCOME with REASON. */
static int item_row(struct db *db, const char *schedule, const char *bulletin, int64_t at, enum outcome outcome,
		    const char *reason)
{
	struct ledger_row row = { .kind = KIND_SLOT, .outcome = outcome, .scheduled_at = at, .occurrence_at = at };
	sqlite3_stmt *st;
	int r;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT p.title, p.topic, p.priority, p.bulletin_id, b.sha256 FROM province_bulletins p"
			       " LEFT JOIN bulletins b ON b.id = p.bulletin_id WHERE p.id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	bind_text(st, 1, bulletin);
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *sha = (const char *)sqlite3_column_text(st, 4);

		row.title = col_dup(st, 0);
		row.topic = xasprintf("%d", sqlite3_column_int(st, 1));
		row.priority = sqlite3_column_int(st, 2);
		row.bulletin_id = sqlite3_column_int64(st, 3);
		snprintf(row.content_sha256, sizeof(row.content_sha256), "%s", sha ? sha : "");
	}
	sqlite3_finalize(st);
	if (!row.title)
		row.title = xstrdup(bulletin);
	row.reason = xstrdup(reason);
	row.origin = xstrdup("province");
	row.province_schedule = xstrdup(schedule);
	row.province_bulletin = xstrdup(bulletin);
	r = ledger_append(db, &row);
	ledger_row_done(&row);
	return r;
}

/* Removes the items of schedule ID that have not aired; with REASON, each
 * gets a `skipped` row first. */
static int drop_items(struct db *db, const char *id, const char *reason)
{
	sqlite3_stmt *st;
	int r = 0, rc;

	if (reason) {
		if (sqlite3_prepare_v2(db_sqlite(db),
				       "SELECT bulletin, at FROM province_items WHERE schedule_id = ?1 ORDER BY at, seq",
				       -1, &st, NULL) != SQLITE_OK)
			return db_fail(db, N_("reading the province's items"));
		bind_text(st, 1, id);
		while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
			char b[PROVINCE_ID_MAX + 1];
			int64_t at = sqlite3_column_int64(st, 1);
			bool done;

			col_id(st, 0, b);
			r = ledgered(db, id, b, at, &done);
			if (r == 0 && !done)
				r = item_row(db, id, b, at, OUTCOME_SKIPPED, reason);
		}
		if (r == 0 && rc != SQLITE_DONE)
			r = db_fail(db, N_("reading the province's items"));
		sqlite3_finalize(st);
		if (r < 0)
			return r;
	}
	return exec(db, N_("removing the province's items"), "DELETE FROM province_items WHERE schedule_id = ?1", "s",
		    id);
}

static int store_bulletin(struct db *db, const struct province_bulletin *b, int64_t now)
{
	/* A new one waits for its audio. One known keeps its audio; an
	 * address changed before the audio was had is fetched anew. */
	return exec(db, N_("storing the province's bulletins"),
		    "INSERT INTO province_bulletins (id, title, topic, priority, author, url, duration_ms, state,"
		    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8)"
		    " ON CONFLICT (id) DO UPDATE SET title = ?2, topic = ?3, priority = ?4, author = ?5,"
		    " duration_ms = ?7, updated_at = ?8,"
		    " state = CASE WHEN state != 'stored' AND url != ?6 THEN 'pending' ELSE state END,"
		    " reason = CASE WHEN state != 'stored' AND url != ?6 THEN NULL ELSE reason END,"
		    " url = CASE WHEN state = 'stored' THEN url ELSE ?6 END",
		    "ssiissii", b->id, b->title, (int64_t)b->topic, (int64_t)b->priority, b->author, b->url,
		    b->duration_ms, now);
}

static int store_items(struct db *db, const struct province_schedule *s, int64_t now, int64_t grace_ms)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < s->n_instants; i++) {
		int64_t at = s->instants[i].start_ms;

		for (size_t k = 0; r == 0 && k < s->n_bulletins; k++) {
			const char *b = s->bulletins[k].id;
			bool done;

			r = ledgered(db, s->id, b, at, &done);
			if (r < 0 || done)
				continue;
			if (at < now - grace_ms) {
				r = item_row(db, s->id, b, at, OUTCOME_MISSED,
					     "the province sent it after its instant, later than clock.grace_minutes; "
					     "not aired late");
				continue;
			}
			r = exec(db, N_("storing the province's items"),
				 "INSERT OR IGNORE INTO province_items (schedule_id, bulletin, at, end_at, seq)"
				 " VALUES (?1, ?2, ?3, ?4, ?5)",
				 "ssiii", s->id, b, at, s->instants[i].end_ms, (int64_t)k);
		}
	}
	return r;
}

int province_store(struct db *db, const struct province_schedule *s, int64_t now_ms, int64_t grace_ms)
{
	char digest[SHA256_HEX], *was = NULL;
	int64_t cancelled = 0;
	sqlite3_stmt *st;
	bool known = false;
	int r;

	digest_of(s, digest);
	r = db_begin(db);
	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT digest, cancelled_at FROM province_schedules WHERE id = ?1", -1,
			       &st, NULL) != SQLITE_OK)
		return finish(db, db_fail(db, N_("reading the province's schedules")));
	bind_text(st, 1, s->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		known = true;
		was = col_dup(st, 0);
		cancelled = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (known && !cancelled && was && !strcmp(was, digest)) {
		free(was);
		db_rollback(db);
		return PROVINCE_SAME;
	}
	free(was);
	r = exec(db, N_("storing a province schedule"),
		 "INSERT INTO province_schedules (id, name, digest, received_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)"
		 " ON CONFLICT (id) DO UPDATE SET name = ?2, digest = ?3, updated_at = ?4, cancelled_at = NULL,"
		 " acked_at = NULL",
		 "sssi", s->id, s->name, digest, now_ms);
	for (size_t i = 0; r == 0 && i < s->n_bulletins; i++)
		r = store_bulletin(db, &s->bulletins[i], now_ms);
	/* What has not aired is replaced by what the schedule says now. */
	if (r == 0)
		r = drop_items(db, s->id, NULL);
	if (r == 0)
		r = store_items(db, s, now_ms, grace_ms);
	r = finish(db, r);
	if (r < 0)
		return r;
	return known && !cancelled ? PROVINCE_CHANGED : PROVINCE_NEW;
}

int province_cancel(struct db *db, const char *id, int64_t now_ms)
{
	sqlite3_stmt *st;
	bool standing = false;
	int r = db_begin(db);

	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT 1 FROM province_schedules WHERE id = ?1 AND cancelled_at IS NULL", -1, &st,
			       NULL) != SQLITE_OK)
		return finish(db, db_fail(db, N_("reading the province's schedules")));
	bind_text(st, 1, id);
	standing = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (!standing) {
		db_rollback(db);
		return PROVINCE_SAME;
	}
	r = drop_items(db, id, PROVINCE_CANCELLED_REASON);
	if (r == 0)
		r = exec(db, N_("cancelling a province schedule"),
			 "UPDATE province_schedules SET cancelled_at = ?2, acked_at = NULL WHERE id = ?1", "si", id,
			 now_ms);
	r = finish(db, r);
	return r < 0 ? r : PROVINCE_CANCELLED;
}

int province_sweep(struct db *db, char *const *ids, size_t n, int64_t now_ms)
{
	sqlite3_stmt *st;
	char **gone = NULL;
	size_t ngone = 0, cap = 0;
	int r = 0, count = 0;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT id FROM province_schedules WHERE cancelled_at IS NULL", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's schedules"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(st, 0);
		bool listed = false;

		for (size_t i = 0; !listed && i < n; i++)
			listed = !strcmp(ids[i], id ? id : "");
		if (!listed) {
			xgrow(&gone, &cap, ngone + 1, sizeof(*gone));
			gone[ngone++] = xstrdup(id ? id : "");
		}
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < ngone; i++) {
		if (r == 0) {
			int c = province_cancel(db, gone[i], now_ms);

			if (c < 0)
				r = c;
			else if (c == PROVINCE_CANCELLED)
				count++;
		}
		free(gone[i]);
	}
	free(gone);
	return r < 0 ? r : count;
}

void province_ack_done(struct province_ack *a)
{
	for (size_t i = 0; i < a->n_bulletins; i++)
		free(a->bulletins[i]);
	free(a->bulletins);
	free(a->name);
	memset(a, 0, sizeof(*a));
}

int province_to_ack(struct db *db, struct province_ack *out)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT id, name, cancelled_at IS NOT NULL FROM province_schedules WHERE acked_at IS NULL"
			       " ORDER BY updated_at, id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's schedules"));
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		return rc == SQLITE_DONE ? 0 : db_fail(db, N_("reading the province's schedules"));
	}
	col_id(st, 0, out->id);
	out->name = col_dup(st, 1);
	out->cancelled = sqlite3_column_int(st, 2) != 0;
	sqlite3_finalize(st);
	if (out->cancelled)
		return 1;
	/* The bulletins it names: those of its items, and (an instant
	 * gone by) any it was stored with, in the order they air. */
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT bulletin FROM province_items WHERE schedule_id = ?1 GROUP BY bulletin"
			       " ORDER BY min(seq)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's items"));
	bind_text(st, 1, out->id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		xgrow(&out->bulletins, &cap, out->n_bulletins + 1, sizeof(*out->bulletins));
		out->bulletins[out->n_bulletins++] = col_dup(st, 0);
	}
	sqlite3_finalize(st);
	return 1;
}

int province_acked(struct db *db, const char *id, bool cancelled, int64_t now_ms)
{
	/* Only the state it was told about: a schedule cancelled or changed
	 * since is to be told again. */
	return exec(db, N_("recording the province's acknowledgement"),
		    "UPDATE province_schedules SET acked_at = ?3 WHERE id = ?1 AND acked_at IS NULL"
		    " AND (cancelled_at IS NOT NULL) = ?2",
		    "sii", id, (int64_t)cancelled, now_ms);
}

void province_refusal_done(struct province_refusal *r)
{
	free(r->url);
	free(r->reason);
	memset(r, 0, sizeof(*r));
}

int province_to_report(struct db *db, struct province_refusal *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT id, url, reason, updated_at FROM province_bulletins"
			       " WHERE state = 'rejected' AND reported_at IS NULL ORDER BY updated_at, id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_id(st, 0, out->id);
		out->url = col_dup(st, 1);
		out->reason = col_dup(st, 2);
		out->at = sqlite3_column_int64(st, 3);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, N_("reading the province's bulletins"));
}

int province_reported(struct db *db, const struct province_refusal *r, int64_t now_ms)
{
	/* Only the refusal it was told about: one refused again since (a
	 * new address, a new file) is to be told again. */
	return exec(db, N_("recording the province's acknowledgement"),
		    "UPDATE province_bulletins SET reported_at = ?3 WHERE id = ?1 AND state = 'rejected'"
		    " AND updated_at = ?2",
		    "sii", r->id, r->at, now_ms);
}

void province_download_done(struct province_download *d)
{
	free(d->url);
	memset(d, 0, sizeof(*d));
}

int province_next_download(struct db *db, struct province_download *out)
{
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	/* A bulletin whose import was committed just before the link died
	 * (and its state with it not yet) is in the library already: it is
	 * not fetched again. */
	rc = exec(db, N_("recording a province bulletin's audio"),
		  "UPDATE province_bulletins SET state = 'stored', reason = NULL,"
		  " bulletin_id = (SELECT b.id FROM bulletins b WHERE b.province_id = province_bulletins.id)"
		  " WHERE state != 'stored' AND EXISTS (SELECT 1 FROM bulletins b WHERE b.province_id = province_bulletins.id)",
		  "");
	if (rc < 0)
		return rc;
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT p.id, p.url, min(i.at) AS first FROM province_bulletins p"
			       " JOIN province_items i ON i.bulletin = p.id"
			       " WHERE p.state = 'pending' AND " NOT_LEDGERED " GROUP BY p.id ORDER BY first, p.id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		col_id(st, 0, out->id);
		out->url = col_dup(st, 1);
		out->first_at = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	return rc == SQLITE_DONE ? 0 : db_fail(db, N_("reading the province's bulletins"));
}

int province_bulletin_meta(struct db *db, const char *id, struct bulletin *b)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT title, topic, priority, author FROM province_bulletins WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	bind_text(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		free(b->title);
		b->title = col_dup(st, 0);
		free(b->topic);
		b->topic = xasprintf("%d", sqlite3_column_int(st, 1));
		b->priority = (enum priority)sqlite3_column_int(st, 2);
		free(b->author);
		b->author = col_dup(st, 3);
		free(b->origin);
		b->origin = xstrdup("province");
		free(b->province_id);
		b->province_id = xstrdup(id);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 0;
	return rc == SQLITE_DONE ? -ENOENT : db_fail(db, N_("reading the province's bulletins"));
}

int province_bulletin_stored(struct db *db, const char *id, int64_t bulletin_id, int64_t now_ms)
{
	return exec(db, N_("recording a province bulletin's audio"),
		    "UPDATE province_bulletins SET state = 'stored', reason = NULL, bulletin_id = ?2, updated_at = ?3"
		    " WHERE id = ?1",
		    "sii", id, bulletin_id, now_ms);
}

int province_bulletin_failed(struct db *db, const char *id, bool rejected, const char *reason, int64_t now_ms)
{
	return exec(db, N_("recording a province bulletin's audio"),
		    "UPDATE province_bulletins SET state = ?2, reason = ?3, updated_at = ?4, reported_at = NULL"
		    " WHERE id = ?1 AND state != 'stored'",
		    "sssi", id, rejected ? "rejected" : "failed", reason, now_ms);
}

bool province_item_airs(const struct province_item *it)
{
	return strcmp(it->state, "rejected") && strcmp(it->state, "failed");
}

void province_item_json(struct json *j, const struct province_item *it)
{
	json_object_begin(j);
	json_kv_time(j, "occurrence_at", it->at);
	json_kv_time(j, "at", it->at);
	json_kv_string(j, "slot", NULL);
	json_key(j, "bulletin_id");
	if (it->bulletin_id)
		json_int(j, it->bulletin_id);
	else
		json_null(j);
	json_kv_string(j, "title", it->title);
	json_kv_string(j, "priority", priority_name((enum priority)it->priority));
	json_kv_string(j, "origin", "province");
	json_kv_string(j, "province_schedule", it->schedule_id);
	json_kv_string(j, "province_bulletin", it->bulletin);
	json_kv_string(j, "audio", it->state);
	if (it->reason)
		json_kv_string(j, "reason", it->reason);
	json_object_end(j);
}

void province_items_free(struct province_item *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].title);
		free(v[i].url);
		free(v[i].reason);
	}
	free(v);
}

int province_items(struct db *db, int64_t from_ms, int64_t to_ms, struct province_item **out, size_t *n)
{
	struct province_item *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT i.id, i.schedule_id, i.bulletin, i.at, i.end_at, i.seq, p.priority, p.title,"
			       " p.url, p.state, p.reason, coalesce(p.bulletin_id, 0)"
			       " FROM province_items i JOIN province_bulletins p ON p.id = i.bulletin"
			       " WHERE i.at >= ?1 AND i.at < ?2 AND " NOT_LEDGERED " ORDER BY i.at, i.seq, i.id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's items"));
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct province_item *it;
		const char *state = (const char *)sqlite3_column_text(st, 9);

		xgrow(&v, &cap, len + 1, sizeof(*v));
		it = &v[len++];
		memset(it, 0, sizeof(*it));
		it->id = sqlite3_column_int64(st, 0);
		col_id(st, 1, it->schedule_id);
		col_id(st, 2, it->bulletin);
		it->at = sqlite3_column_int64(st, 3);
		it->end_at = sqlite3_column_int64(st, 4);
		it->seq = sqlite3_column_int(st, 5);
		it->priority = sqlite3_column_int(st, 6);
		it->title = col_dup(st, 7);
		it->url = col_dup(st, 8);
		snprintf(it->state, sizeof(it->state), "%s", state ? state : "");
		it->reason = col_dup(st, 10);
		it->bulletin_id = sqlite3_column_int64(st, 11);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		province_items_free(v, len);
		return db_fail(db, N_("reading the province's items"));
	}
	*out = v;
	*n = len;
	return 0;
}

int province_item_done(struct db *db, int64_t id)
{
	return exec(db, N_("removing the province's items"), "DELETE FROM province_items WHERE id = ?1", "i", id);
}

int province_note_poll(struct db *db, int64_t at_ms)
{
	return exec(db, N_("recording the link's state"),
		    "INSERT INTO upstream_state (id, last_poll_at) VALUES (1, ?1)"
		    " ON CONFLICT (id) DO UPDATE SET last_poll_at = ?1", "i", at_ms);
}

int province_counts(struct db *db, struct province_counts *out)
{
	sqlite3 *h = db_sqlite(db);

	memset(out, 0, sizeof(*out));
	if (db_query_int(h, "SELECT count(*) FROM province_schedules WHERE cancelled_at IS NULL", &out->schedules) !=
	    SQLITE_OK ||
	    db_query_int(h, "SELECT count(*) FROM bulletins WHERE origin = 'province'", &out->bulletins) != SQLITE_OK ||
	    db_query_int(h, "SELECT count(*) FROM province_bulletins WHERE state = 'pending'", &out->pending) !=
	    SQLITE_OK ||
	    db_query_int(h, "SELECT count(*) FROM province_bulletins WHERE state = 'rejected'", &out->rejected) !=
	    SQLITE_OK ||
	    db_query_int(h, "SELECT count(*) FROM province_bulletins WHERE state = 'failed'", &out->failed) != SQLITE_OK ||
	    db_query_int(h, "SELECT coalesce((SELECT last_poll_at FROM upstream_state WHERE id = 1), 0)",
			 &out->last_poll_at) != SQLITE_OK)
		return db_fail(db, N_("reading the province's schedules"));
	return 0;
}

int province_rejected_text(struct db *db, FILE *f)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT id, url, reason FROM province_bulletins WHERE state = 'rejected' ORDER BY updated_at, id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fprintf(f, "  %s %s: %s\n", sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
			sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, N_("reading the province's bulletins"));
}

int province_rejected_json(struct db *db, struct json *j)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT id, url, reason, updated_at FROM province_bulletins WHERE state = 'rejected'"
			       " ORDER BY updated_at, id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the province's bulletins"));
	json_key(j, "rejected_bulletins");
	json_array_begin(j);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_object_begin(j);
		json_kv_string(j, "BanTinID", (const char *)sqlite3_column_text(st, 0));
		json_kv_string(j, "url", (const char *)sqlite3_column_text(st, 1));
		json_kv_string(j, "reason", (const char *)sqlite3_column_text(st, 2));
		json_kv_time(j, "at", sqlite3_column_int64(st, 3));
		json_object_end(j);
	}
	json_array_end(j);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, N_("reading the province's bulletins"));
}
