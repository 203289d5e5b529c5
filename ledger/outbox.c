/* See outbox.h.
 *
 * The queue is the entries after the last settled one: the link settles
 * strictly in order (accepted, or rejected and left behind), so "what is
 * left" is one index probe, max(outbox_id), however long the station has
 * been sending, and no entry is ever updated to say it went. */
#include "ledger/outbox.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* How many refused entries status lists. */
#define RECENT_REJECTED 10

/* The first entry not yet settled has an id above this. */
#define SETTLED_MAX "(SELECT coalesce(max(outbox_id), 0) FROM upstream_sent)"

bool outbox_wants(const struct ledger_row *row)
{
	switch (row->outcome) {
	case OUTCOME_COMPLETED:
	case OUTCOME_PARTIAL:
	case OUTCOME_PREEMPTED:
	case OUTCOME_CANCELLED:
		return row->played_ms > 0;
	default:
		return false;
	}
}

/* The priority an entry carries: an alert is an emergency whatever its
 * bulletin says; anything out of range (a bug) airs as normal rather than
 * fail the row's transaction on the table's CHECK. */
static int entry_priority(const struct ledger_row *row)
{
	if (row->kind == KIND_ALERT)
		return 2;
	return row->priority >= 0 && row->priority <= 2 ? row->priority : 0;
}

int outbox_enqueue_locked(struct db *db, const struct ledger_row *row, int64_t now_ms)
{
	sqlite3_stmt *st;
	int r = 0;

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "INSERT INTO upstream_outbox (row_id, priority, queued_at) VALUES (?1, ?2, ?3)", -1,
			       &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("queueing the row for the province"));
	sqlite3_bind_int64(st, 1, row->id);
	sqlite3_bind_int(st, 2, entry_priority(row));
	sqlite3_bind_int64(st, 3, now_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(db, N_("queueing the row for the province"));
	sqlite3_finalize(st);
	return r;
}

void outbox_entry_done(struct outbox_entry *e)
{
	ledger_row_done(&e->row);
	memset(e, 0, sizeof(*e));
}

int outbox_next(struct db *db, struct outbox_entry *e)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	int64_t row_id;
	int rc, r;

	memset(e, 0, sizeof(*e));
	/* One snapshot: the entry, its row and its bulletin agree. */
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the outbox"));
	if (sqlite3_prepare_v2(h,
			       "SELECT o.id, o.row_id, o.priority, coalesce(b.imported_at, 0)"
			       " FROM upstream_outbox o JOIN ledger l ON l.id = o.row_id"
			       " LEFT JOIN bulletins b ON b.id = l.bulletin_id"
			       " WHERE o.id > " SETTLED_MAX " ORDER BY o.id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(db, N_("reading the outbox"));
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		r = 0;
		goto out;
	}
	if (rc != SQLITE_ROW) {
		r = db_fail(db, N_("reading the outbox"));
		sqlite3_finalize(st);
		goto out;
	}
	e->id = sqlite3_column_int64(st, 0);
	row_id = sqlite3_column_int64(st, 1);
	e->priority = sqlite3_column_int(st, 2);
	e->produced_at = sqlite3_column_int64(st, 3);
	sqlite3_finalize(st);
	r = ledger_get(db, row_id, &e->row);
	if (r == -ENOENT) {
		/* The foreign key and the ledger's triggers make this a
		 * ledger edited by hand: say so, and send nothing made up. */
		log_err(_("the outbox names ledger row %" PRId64 ", which is not in the ledger; run loa verify"),
			row_id);
		r = -EIO;
	}
	if (r == 0)
		r = 1;
	else
		outbox_entry_done(e);
out:
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	return r;
}

int outbox_settle(struct db *db, const struct outbox_entry *e, bool accepted, int http_status, const char *reply,
		  int64_t at_ms)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	int rc, r = 0;

	if (sqlite3_prepare_v2(h,
			       "INSERT INTO upstream_sent (outbox_id, row_id, row_hash, at, result, http_status, reply)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("recording the province's answer"));
	sqlite3_bind_int64(st, 1, e->id);
	sqlite3_bind_int64(st, 2, e->row.id);
	sqlite3_bind_text(st, 3, e->row.row_hash, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at_ms);
	sqlite3_bind_text(st, 5, accepted ? "accepted" : "rejected", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, http_status);
	if (reply)
		sqlite3_bind_text(st, 7, reply, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE) {
		/* Two links at once (a test run beside the service): the
		 * first answer stands. */
		if (sqlite3_extended_errcode(h) == SQLITE_CONSTRAINT_PRIMARYKEY)
			r = -EALREADY;
		else
			r = db_fail(db, N_("recording the province's answer"));
	}
	sqlite3_finalize(st);
	return r;
}

int outbox_note(struct db *db, const char *why, int64_t at_ms)
{
	sqlite3_stmt *st;
	int r = 0;

	/* Only what changed: a success keeps the last error's words out of
	 * status, an error keeps the last success's instant. */
	if (sqlite3_prepare_v2(db_sqlite(db),
			       why ? "INSERT INTO upstream_state (id, last_error, last_error_at) VALUES (1, ?1, ?2)"
				     " ON CONFLICT (id) DO UPDATE SET last_error = ?1, last_error_at = ?2"
				   : "INSERT INTO upstream_state (id, last_ok_at) VALUES (1, ?2)"
				     " ON CONFLICT (id) DO UPDATE SET last_ok_at = ?2, last_error = NULL",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("recording the link's state"));
	if (why)
		sqlite3_bind_text(st, 1, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, at_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(db, N_("recording the link's state"));
	sqlite3_finalize(st);
	return r;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? xstrdup((const char *)s) : NULL;
}

int outbox_witness(sqlite3 *h, struct outbox_witness *w)
{
	sqlite3_stmt *st;
	int64_t tables = 0;
	int rc;

	memset(w, 0, sizeof(*w));
	/* A file an older loa wrote (verify --db reads it as it is). */
	if (db_query_int(h, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'upstream_sent'",
			 &tables) != SQLITE_OK)
		return -EIO;
	if (!tables)
		return 0;
	if (sqlite3_prepare_v2(h,
			       "SELECT row_id, row_hash, at FROM upstream_sent WHERE result = 'accepted'"
			       " ORDER BY row_id DESC, outbox_id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 1);

		w->row = sqlite3_column_int64(st, 0);
		snprintf(w->hash, sizeof(w->hash), "%s", hash ? hash : "");
		w->at = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int outbox_status(struct db *db, struct outbox_status *out)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	size_t cap = 0;
	int r = 0;

	memset(out, 0, sizeof(*out));
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the outbox"));
	if (sqlite3_prepare_v2(h,
			       "SELECT (SELECT count(*) FROM upstream_outbox WHERE id > " SETTLED_MAX "),"
			       " (SELECT queued_at FROM upstream_outbox WHERE id > " SETTLED_MAX " ORDER BY id LIMIT 1),"
			       " (SELECT count(*) FROM upstream_sent WHERE result = 'rejected'),"
			       " (SELECT count(*) FROM upstream_sent WHERE result = 'accepted'),"
			       " s.last_ok_at, s.last_error, s.last_error_at"
			       " FROM (SELECT 1) LEFT JOIN upstream_state s ON s.id = 1",
			       -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		r = db_fail(db, N_("reading the outbox"));
		sqlite3_finalize(st);
		goto out;
	}
	out->queued = sqlite3_column_int64(st, 0);
	out->oldest_queued_at = sqlite3_column_int64(st, 1);
	out->rejected = sqlite3_column_int64(st, 2);
	out->accepted = sqlite3_column_int64(st, 3);
	out->last_ok_at = sqlite3_column_int64(st, 4);
	out->last_error = col_dup(st, 5);
	out->last_error_at = sqlite3_column_int64(st, 6);
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(h,
			       "SELECT row_id, at, http_status, reply FROM upstream_sent WHERE result = 'rejected'"
			       " ORDER BY outbox_id DESC LIMIT ?1",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(db, N_("reading the outbox"));
		goto out;
	}
	sqlite3_bind_int(st, 1, RECENT_REJECTED);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct outbox_rejected *x;

		xgrow(&out->recent, &cap, out->n_recent + 1, sizeof(*out->recent));
		x = &out->recent[out->n_recent++];
		x->row = sqlite3_column_int64(st, 0);
		x->at = sqlite3_column_int64(st, 1);
		x->http_status = sqlite3_column_int(st, 2);
		x->reply = col_dup(st, 3);
	}
	sqlite3_finalize(st);
	if (outbox_witness(h, &out->witness) < 0)
		r = db_fail(db, N_("reading the outbox"));
out:
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	if (r < 0)
		outbox_status_done(out);
	return r;
}

void outbox_status_done(struct outbox_status *st)
{
	for (size_t i = 0; i < st->n_recent; i++)
		free(st->recent[i].reply);
	free(st->recent);
	free(st->last_error);
	memset(st, 0, sizeof(*st));
}

int outbox_requeue(struct db *db, int64_t from_ms, int64_t to_ms, const char *by, const char *period, int64_t *n)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	char *detail;
	int r;

	*n = 0;
	r = db_begin(db);
	if (r < 0)
		return r;
	/* The priority the row first went with; for a row older than the
	 * outbox, its bulletin's now (an alert is an emergency). */
	if (sqlite3_prepare_v2(h,
			       "INSERT INTO upstream_outbox (row_id, priority, queued_at, queued_by)"
			       " SELECT l.id, coalesce((SELECT o.priority FROM upstream_outbox o WHERE o.row_id = l.id"
			       " ORDER BY o.id LIMIT 1), CASE WHEN l.kind = 'alert' THEN 2 ELSE"
			       " (SELECT b.priority FROM bulletins b WHERE b.id = l.bulletin_id) END, 0),"
			       " ?3, ?4 FROM ledger l"
			       " WHERE l.scheduled_at >= ?1 AND l.scheduled_at < ?2 AND l.played_ms > 0"
			       " AND l.outcome IN ('completed', 'partial', 'preempted', 'cancelled') ORDER BY l.id",
			       -1, &st, NULL) != SQLITE_OK) {
		r = db_fail(db, N_("queueing rows for the province again"));
		db_rollback(db);
		return r;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	sqlite3_bind_int64(st, 3, time_now_ms());
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(db, N_("queueing rows for the province again"));
	sqlite3_finalize(st);
	if (r == 0) {
		*n = sqlite3_changes(h);
		detail = xasprintf("%" PRId64 " rows queued again", *n);
		r = audit_append(db, by, "upstream-resend", period, detail);
		free(detail);
	}
	if (r == 0)
		return db_commit(db) < 0 ? -EIO : 0;
	db_rollback(db);
	*n = 0;
	return r < 0 ? r : -EIO;
}

int outbox_last_id(struct db *db, int64_t *id)
{
	*id = 0;
	if (db_query_int(db_sqlite(db), "SELECT coalesce(max(id), 0) FROM upstream_outbox", id) != SQLITE_OK)
		return db_fail(db, N_("reading the outbox"));
	return 0;
}
