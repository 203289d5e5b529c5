/* The backlog of ledger writes (see backlog.h).
 *
 * A write is tried at once only when nothing waits; otherwise it goes
 * behind what waits, so rows reach the chain in the order of the events.
 * What fails for a reason that may pass (SQLite's full disk, I/O error,
 * busy, read-only) is kept; what the database refuses for the row itself
 * (a constraint) can never be written, so it is logged with the row and
 * dropped rather than block every row after it.
 *
 * The journal hears of it once when writes start failing (SQLite's own
 * message and ours), once more if the reason changes, and once when the
 * rows are written again; the retries in between are quiet.
 */
#include "ledger/backlog.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

enum op_kind { OP_RECOVER, OP_BEGIN, OP_APPEND, OP_FINISH, OP_HOLD, OP_RESUME };

struct op {
	enum op_kind kind;
	struct ledger_row row; /* kept: owns its strings */
	int sample_rate;       /* OP_BEGIN */
};

struct backlog {
	struct db *db;
	struct op *v;
	size_t n, cap;
	size_t rows;         /* OP_APPEND and OP_FINISH among v */
	bool failing;        /* the last write failed: retries are quiet */
	int rc, sys_errno;   /* why */
	size_t written;      /* rows written from the backlog since it began failing */
	bool full_logged;    /* BACKLOG_MAX was reached and said so */
};

static bool is_row(const struct op *op)
{
	return op->kind == OP_APPEND || op->kind == OP_FINISH;
}

struct backlog *backlog_new(struct db *db)
{
	struct backlog *b = xcalloc(1, sizeof(*b));

	b->db = db;
	return b;
}

static void say(char *buf, size_t len, bool local, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void say(char *buf, size_t len, bool local, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, local ? _(fmt) : fmt, ap);
	va_end(ap);
}

bool backlog_error(const struct backlog *b, bool local, char *buf, size_t len)
{
	const char *path = db_path(b->db);
	int e = b->sys_errno;

	if (!b->failing)
		return false;
	/* A full disk reaches SQLite as ENOSPC from write(), or from a
	 * ftruncate or fallocate that SQLite reports as an I/O error. */
	if ((b->rc & 0xff) == SQLITE_FULL || e == ENOSPC)
		say(buf, len, local, N_("the disk holding %s is full"), path);
	else if (e == EDQUOT)
		say(buf, len, local, N_("the disk quota of %s is used up"), path);
	else if ((b->rc & 0xff) == SQLITE_READONLY || e == EROFS)
		say(buf, len, local, N_("%s cannot be written: it is read-only"), path);
	else if ((b->rc & 0xff) == SQLITE_BUSY || (b->rc & 0xff) == SQLITE_LOCKED)
		say(buf, len, local, N_("%s is locked by another program"), path);
	else if ((b->rc & 0xff) == SQLITE_IOERR && e)
		say(buf, len, local, N_("input/output error writing %s: %s"), path, strerror(e));
	else
		say(buf, len, local, N_("cannot write %s: %s"), path, sqlite3_errstr(b->rc));
	return true;
}

/* One line per row that will never reach the ledger: the journal is then
 * its only record, so it says everything a row would. */
static void log_lost(const struct ledger_row *r)
{
	char when[ISO_LEN];
	const char *title = r->title ? r->title : "";

	time_format_iso(r->scheduled_at, when);
	if (r->slot)
		log_err(_("ledger row not written: due %s, slot '%s', bulletin #%lld '%s': %s, %lld ms played"),
			when, r->slot, (long long)r->bulletin_id, title, outcome_name(r->outcome),
			(long long)r->played_ms);
	else
		log_err(_("ledger row not written: due %s, loa %s, bulletin #%lld '%s': %s, %lld ms played"),
			when, air_kind_name(r->kind), (long long)r->bulletin_id, title,
			outcome_name(r->outcome), (long long)r->played_ms);
}

static void failed(struct backlog *b, int rc, int sys_errno)
{
	bool was = b->failing;
	int old = b->rc & 0xff;
	char why[512];

	b->failing = true;
	b->rc = rc;
	b->sys_errno = sys_errno;
	backlog_error(b, true, why, sizeof(why));
	if (!was)
		log_err(_("ledger: %s; airing goes on, and the ledger rows are kept in memory (at most %d) and "
			  "written in order as soon as it can be written again: free space there or mend it, "
			  "no restart is needed"), why, BACKLOG_MAX);
	else if ((rc & 0xff) != old)
		log_warn(_("ledger: still cannot write, now because %s"), why);
}

static void recovered(struct backlog *b)
{
	if (!b->failing)
		return;
	if (b->written)
		log_notice(ngettext("ledger: wrote %zu pending ledger row to %s",
				    "ledger: wrote %zu pending ledger rows to %s", b->written),
			   b->written, db_path(b->db));
	else
		log_notice(_("ledger: %s takes writes again"), db_path(b->db));
	b->failing = false;
	b->written = 0;
	b->full_logged = false;
}

/* SQLite refuses this row, not the disk: trying again cannot help. */
static bool refused(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CONSTRAINT:
	case SQLITE_MISMATCH:
	case SQLITE_TOOBIG:
	case SQLITE_RANGE:
		return true;
	default:
		return false;
	}
}

/* Returns 0 written, 1 not now (kept or to keep), -EIO lost (logged). */
static int try_write(struct backlog *b, struct op *op)
{
	int r, rc, e;

	/* Not a failure: the page check of the start has not passed yet. */
	if (!db_writable(b->db))
		return 1;
	db_set_quiet(b->db, b->failing);
	switch (op->kind) {
	case OP_RECOVER:
		r = ledger_recover_inflight(b->db);
		if (r > 0)
			log_warn(_("the previous run stopped while an item was on air; it is recorded as partial"));
		break;
	case OP_BEGIN:
		r = ledger_inflight_begin(b->db, &op->row, op->sample_rate);
		break;
	case OP_APPEND:
		r = ledger_append(b->db, &op->row);
		break;
	case OP_HOLD:
		r = ledger_inflight_hold(b->db);
		break;
	case OP_RESUME:
		r = ledger_inflight_resume(b->db);
		break;
	default:
		r = ledger_inflight_finish(b->db, &op->row);
		break;
	}
	db_set_quiet(b->db, false);
	if (r >= 0)
		return 0;
	rc = db_last_error(b->db, &e);
	if (r == -EINVAL || (r == -EIO && refused(rc))) {
		/* ledger.c or db_fail said why (unless quiet: say it now). */
		if (b->failing && r == -EIO)
			log_err(_("database %s: the row is refused: %s"), db_path(b->db), sqlite3_errstr(rc));
		if (is_row(op))
			log_lost(&op->row);
		return -EIO;
	}
	failed(b, rc, e);
	return 1;
}

static void row_copy(struct ledger_row *dst, const struct ledger_row *src)
{
	*dst = *src;
	dst->reason = xstrdup_or_null(src->reason);
	dst->title = xstrdup_or_null(src->title);
	dst->topic = xstrdup_or_null(src->topic);
	dst->plan = xstrdup_or_null(src->plan);
	dst->slot = xstrdup_or_null(src->slot);
	dst->by = xstrdup_or_null(src->by);
	dst->relay_source = xstrdup_or_null(src->relay_source);
	dst->relay_url = xstrdup_or_null(src->relay_url);
	dst->origin = xstrdup_or_null(src->origin);
	dst->province_schedule = xstrdup_or_null(src->province_schedule);
	dst->province_bulletin = xstrdup_or_null(src->province_bulletin);
}

static void drop_head(struct backlog *b)
{
	if (is_row(&b->v[0]))
		b->rows--;
	ledger_row_done(&b->v[0].row);
	b->n--;
	memmove(b->v, b->v + 1, b->n * sizeof(*b->v));
}

size_t backlog_flush(struct backlog *b)
{
	bool tried = b->n > 0;

	while (b->n > 0) {
		int r = try_write(b, &b->v[0]);

		if (r > 0)
			return b->n;
		if (r == 0 && is_row(&b->v[0]))
			b->written++;
		drop_head(b);
	}
	if (tried)
		recovered(b);
	return 0;
}

/* Puts OP (whose row the caller owns) at the end. */
static int keep(struct backlog *b, const struct op *op)
{
	if (b->n >= BACKLOG_MAX) {
		if (!is_row(op))
			return -ENOSPC;
		if (!b->full_logged)
			log_err(_("ledger: %d writes wait already; the rows that follow are not kept, and each is "
				  "logged here instead"), BACKLOG_MAX);
		b->full_logged = true;
		log_lost(&op->row);
		return -ENOSPC;
	}
	xgrow(&b->v, &b->cap, b->n + 1, sizeof(*b->v));
	b->v[b->n] = *op;
	row_copy(&b->v[b->n].row, &op->row);
	b->n++;
	b->rows += is_row(op);
	return 1;
}

/* Writes OP behind what waits; OP's row stays the caller's. */
static int submit(struct backlog *b, struct op *op)
{
	int r;

	if (backlog_flush(b) == 0) {
		r = try_write(b, op);
		if (r == 0)
			recovered(b);
		if (r <= 0)
			return r;
	}
	return keep(b, op);
}

int backlog_append(struct backlog *b, struct ledger_row *row, bool finish)
{
	struct op op = { .kind = finish ? OP_FINISH : OP_APPEND, .row = *row };
	int r;

	/* The item's in-flight record, if it still waits, is superseded by
	 * its final row: there is nothing left for a power cut to lose. */
	if (finish) {
		for (size_t i = b->n; i-- > 0;) {
			/* Not across a relay's parking: the record moved there
			 * may be another item's. */
			if (b->v[i].kind == OP_HOLD || b->v[i].kind == OP_RESUME)
				break;
			if (b->v[i].kind == OP_BEGIN) {
				ledger_row_done(&b->v[i].row);
				memmove(b->v + i, b->v + i + 1, (b->n - i - 1) * sizeof(*b->v));
				b->n--;
				break;
			}
		}
	}
	r = submit(b, &op);
	if (r == 0) {
		row->id = op.row.id;
		memcpy(row->prev_hash, op.row.prev_hash, SHA256_HEX);
		memcpy(row->row_hash, op.row.row_hash, SHA256_HEX);
	}
	return r;
}

int backlog_begin(struct backlog *b, const struct ledger_row *row, int sample_rate)
{
	struct op op = { .kind = OP_BEGIN, .row = *row, .sample_rate = sample_rate };

	return submit(b, &op);
}

int backlog_hold(struct backlog *b)
{
	struct op op = { .kind = OP_HOLD };

	return submit(b, &op);
}

int backlog_resume(struct backlog *b)
{
	struct op op = { .kind = OP_RESUME };

	return submit(b, &op);
}

int backlog_recover(struct backlog *b)
{
	struct op op = { .kind = OP_RECOVER };

	return submit(b, &op);
}

int backlog_checkpoint(struct backlog *b, int64_t frames, int64_t now_ms)
{
	int r;

	if (b->n > 0 || !db_writable(b->db))
		return 1;
	db_set_quiet(b->db, b->failing);
	r = ledger_inflight_checkpoint(b->db, frames, now_ms);
	db_set_quiet(b->db, false);
	if (r == -EIO) {
		int e, rc = db_last_error(b->db, &e);

		failed(b, rc, e);
		return 1;
	}
	if (r == 0)
		recovered(b);
	return r;
}

size_t backlog_pending(const struct backlog *b)
{
	return b->rows;
}

size_t backlog_waiting(const struct backlog *b)
{
	return b->n;
}

bool backlog_has_item(const struct backlog *b, const char *slot, int64_t occurrence_at, int64_t bulletin_id)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct ledger_row *r = &b->v[i].row;

		if (is_row(&b->v[i]) && r->slot && slot && !strcmp(r->slot, slot) &&
		    r->occurrence_at == occurrence_at && r->bulletin_id == bulletin_id)
			return true;
	}
	return false;
}

size_t backlog_abandon(struct backlog *b)
{
	size_t lost = b->rows;
	char why[512];

	if (lost) {
		if (!backlog_error(b, true, why, sizeof(why)))
			snprintf(why, sizeof(why), "%s", db_path(b->db));
		log_err(ngettext("ledger: %zu row could not be written (%s); it follows, for the record",
				 "ledger: %zu rows could not be written (%s); they follow, for the record", lost),
			lost, why);
	}
	for (size_t i = 0; i < b->n; i++) {
		if (is_row(&b->v[i]))
			log_lost(&b->v[i].row);
		ledger_row_done(&b->v[i].row);
	}
	b->n = 0;
	b->rows = 0;
	return lost;
}

void backlog_free(struct backlog *b)
{
	if (!b)
		return;
	backlog_abandon(b);
	free(b->v);
	free(b);
}
