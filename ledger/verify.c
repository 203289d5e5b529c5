/* `loa verify`: recomputes the ledger's hash chain from the stored columns.
 *
 * Each row's row_hash covers its id, its content and the previous row's
 * row_hash (ledger.c documents the encoding). Walking the rows in id order,
 * a row is intact when its hash matches its columns, its id follows the one
 * before, and its prev_hash is the row_hash of the row before. The first row
 * that is not is diagnosed with a few targeted look-ups: a row whose columns
 * hash correctly under another id was moved (or the rows around it were
 * removed or inserted and the rest renumbered); a gap in the ids is a removed
 * row; a row that hashes under no id near its own was edited.
 *
 * What a chain alone cannot show: rows removed from the very end, or rows
 * appended by someone who has the database and loa's code. The head hash a
 * report prints is the defence: `loa verify --head HASH` checks that the row
 * it names is still in the intact chain.
 *
 * The file is opened read-only and never written: verifying evidence must
 * not change it. */
#include "ledger/verify.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "util/text.h"
#include "util/i18n.h"
#include "util/timeutil.h"

/* How far from its position a moved row's original id is looked for. */
#define MOVE_WINDOW 10000

const char *verify_problem_name(enum verify_problem p)
{
	switch (p) {
	case VERIFY_INTACT: return "intact";
	case VERIFY_EDITED: return "edited";
	case VERIFY_REMOVED: return "removed";
	case VERIFY_INSERTED: return "inserted";
	case VERIFY_REORDERED: return "reordered";
	}
	return "unknown";
}

void verify_result_done(struct verify_result *res)
{
	strlist_done(&res->warnings);
}

/* Then the actor, which schema 3 added: see select_rows. */
#define VERIFY_COLS \
	"id, kind, occurrence_at, scheduled_at, started_at, ended_at, frames, played_ms," \
	" outcome, reason, bulletin_id, title, topic, plan, slot, content_sha256, xruns," \
	" prev_hash, row_hash"

/* True if the ledger of H has COLUMN. */
static bool has_column(sqlite3 *h, const char *column)
{
	char *sql = sqlite3_mprintf("SELECT count(*) FROM pragma_table_info('ledger') WHERE name = %Q", column);
	int64_t n = 0;

	if (!sql || db_query_int(h, sql, &n) != SQLITE_OK)
		n = 0;
	sqlite3_free(sql);
	return n > 0;
}

/* "SELECT VERIFY_COLS, actor, relay_source, relay_url FROM ledger " TAIL,
 * for sqlite3_free. A file an older loa left (verify --db reads it as it
 * is) lacks the columns schemas 3 and 5 added: NULL stands in, which the
 * row hash leaves out just as it did then. */
static char *select_rows(sqlite3 *h, const char *tail)
{
	bool relay = has_column(h, "relay_source");

	bool province = has_column(h, "origin"); /* schema 7 */

	return sqlite3_mprintf("SELECT " VERIFY_COLS ", %s, %s, %s FROM ledger %s",
			       has_column(h, "actor") ? "actor" : "NULL", relay ? "relay_source, relay_url" : "NULL, NULL",
			       province ? "origin, province_schedule, province_bulletin" : "NULL, NULL, NULL", tail);
}

/* How loa stores each column; anything else was written by someone else. */
enum form {
	F_INT,      /* INTEGER */
	F_OPT_INT,  /* NULL or a non-zero INTEGER (0 means "none" and is stored as NULL) */
	F_TEXT,     /* TEXT */
	F_OPT_TEXT, /* NULL or TEXT */
	F_HASH,     /* TEXT of at most 64 characters (exactly 64 for the chain's own hashes) */
};

static const struct {
	const char *name;
	enum form form;
} columns[] = {
	{ "id", F_INT }, { "kind", F_TEXT }, { "occurrence_at", F_OPT_INT },
	{ "scheduled_at", F_INT }, { "started_at", F_OPT_INT }, { "ended_at", F_OPT_INT },
	{ "frames", F_INT }, { "played_ms", F_INT }, { "outcome", F_TEXT },
	{ "reason", F_OPT_TEXT }, { "bulletin_id", F_OPT_INT }, { "title", F_TEXT },
	{ "topic", F_OPT_TEXT }, { "plan", F_OPT_TEXT }, { "slot", F_OPT_TEXT },
	{ "content_sha256", F_HASH }, { "xruns", F_INT }, { "prev_hash", F_HASH },
	{ "row_hash", F_HASH }, { "actor", F_OPT_TEXT }, { "relay_source", F_OPT_TEXT },
	{ "relay_url", F_OPT_TEXT }, { "origin", F_OPT_TEXT }, { "province_schedule", F_OPT_TEXT },
	{ "province_bulletin", F_OPT_TEXT },
};
#define N_COLUMNS (sizeof(columns) / sizeof(columns[0]))

/* A row of a SELECT VERIFY_COLS as the walk holds it: the strings point
 * into the statement and live until it steps again, and their lengths are
 * SQLite's, so hashing needs no strlen. */
struct loaded {
	struct ledger_row row;
	struct ledger_row_lens lens;
};

/* One column, read once: the walk reads a million rows of nineteen, and
 * every sqlite3_column_* call costs. */
struct column {
	int64_t i;     /* F_INT, F_OPT_INT: the value, 0 for NULL */
	const char *s; /* the text forms: NULL for NULL */
	size_t n;      /* its length in bytes */
};

/*
 * Reads column I into C; false when it is not stored as loa stores it.
 * Through the column's sqlite3_value: each sqlite3_column_* call checks
 * the statement and enters and leaves its mutex, and with three or four of
 * them per column that was a quarter of a report. SQLite calls the value
 * "unprotected", which means no other thread may use the connection
 * meanwhile; the walk is the connection's only user, on one thread.
 */
static inline __attribute__((always_inline)) bool read_column(sqlite3_stmt *st, int i, struct column *c)
{
	sqlite3_value *v = sqlite3_column_value(st, i);
	int type = sqlite3_value_type(v);

	c->i = 0;
	c->s = NULL;
	c->n = 0;
	switch (columns[i].form) {
	case F_INT:
		if (type != SQLITE_INTEGER)
			return false;
		c->i = sqlite3_value_int64(v);
		return true;
	case F_OPT_INT:
		if (type == SQLITE_NULL)
			return true;
		if (type != SQLITE_INTEGER)
			return false;
		c->i = sqlite3_value_int64(v);
		return c->i != 0;
	case F_OPT_TEXT:
		if (type == SQLITE_NULL)
			return true;
		/* fall through */
	case F_TEXT:
	case F_HASH:
		if (type != SQLITE_TEXT)
			return false;
		c->s = (const char *)sqlite3_value_text(v);
		c->n = (size_t)sqlite3_value_bytes(v);
		/* loa binds C strings, so it never writes a NUL; one inside
		 * would hide the rest of the value from whatever reads it as
		 * a C string (a report, a message). */
		if (!c->s || memchr(c->s, '\0', c->n))
			return false;
		if (columns[i].form != F_HASH)
			return true;
		return c->n == SHA256_HEX - 1 || (i == 15 && c->n < SHA256_HEX - 1);
	}
	return false;
}

/* DST (SHA256_HEX bytes) from a hash column checked by read_column. */
static size_t copy_hex(char *dst, const struct column *c)
{
	memcpy(dst, c->s, c->n);
	dst[c->n] = '\0';
	return c->n;
}

/*
 * Fills L from the current row of a SELECT VERIFY_COLS. Returns NULL when
 * every column is stored as loa stores it, else the first column that is
 * not.
 */
static const char *load_row(sqlite3_stmt *st, struct loaded *l)
{
	struct ledger_row *r = &l->row;
	struct column c[N_COLUMNS];

	memset(l, 0, sizeof(*l));
	/* The id first, so that a row with a column in the wrong form is
	 * named by it (it is the rowid, always an integer). */
	if (!read_column(st, 0, &c[0]))
		return columns[0].name;
	r->id = c[0].i;
	/* Unrolled, with read_column inlined, each column's form is a
	 * constant: no jump through the switch's table, which a row's
	 * alternating forms kept mispredicting (~5 % of loa verify here). */
#pragma GCC unroll 22
	for (size_t i = 1; i < N_COLUMNS; i++)
		if (!read_column(st, (int)i, &c[i]))
			return columns[i].name;
	if (air_kind_parse_len(c[1].s, c[1].n, &r->kind) < 0)
		return "kind";
	r->occurrence_at = c[2].i;
	r->scheduled_at = c[3].i;
	r->started_at = c[4].i;
	r->ended_at = c[5].i;
	r->frames = c[6].i;
	r->played_ms = c[7].i;
	if (outcome_parse_len(c[8].s, c[8].n, &r->outcome) < 0)
		return "outcome";
	r->reason = (char *)c[9].s;
	l->lens.reason = c[9].n;
	r->bulletin_id = c[10].i;
	r->title = (char *)c[11].s;
	l->lens.title = c[11].n;
	r->topic = (char *)c[12].s;
	l->lens.topic = c[12].n;
	r->plan = (char *)c[13].s;
	l->lens.plan = c[13].n;
	r->slot = (char *)c[14].s;
	l->lens.slot = c[14].n;
	l->lens.content_sha256 = copy_hex(r->content_sha256, &c[15]);
	if (c[16].i < INT_MIN || c[16].i > INT_MAX)
		return "xruns";
	r->xruns = (int)c[16].i;
	l->lens.prev_hash = copy_hex(r->prev_hash, &c[17]);
	copy_hex(r->row_hash, &c[18]);
	r->by = (char *)c[19].s;
	l->lens.by = c[19].n;
	r->relay_source = (char *)c[20].s;
	l->lens.relay_source = c[20].n;
	r->relay_url = (char *)c[21].s;
	l->lens.relay_url = c[21].n;
	/* A URL without its source would be left out of the row hash: loa
	 * never writes one. */
	if (r->relay_url && !r->relay_source)
		return "relay_url";
	r->origin = (char *)c[22].s;
	l->lens.origin = c[22].n;
	r->province_schedule = (char *)c[23].s;
	l->lens.province_schedule = c[23].n;
	r->province_bulletin = (char *)c[24].s;
	l->lens.province_bulletin = c[24].n;
	return NULL;
}

/* True if L's columns, with id ID, hash to its stored row_hash. */
static bool hashes_as(struct loaded *l, int64_t id)
{
	struct ledger_row *r = &l->row;
	char calc[SHA256_HEX];
	int64_t own = r->id;
	bool ok;

	r->id = id;
	/* read_column made row_hash exactly 64 hex digits long. */
	ok = ledger_row_hash_lens(r, &l->lens, calc) == 0 && memcmp(calc, r->row_hash, SHA256_HEX - 1) == 0;
	r->id = own;
	return ok;
}

/* The id of the row whose stored row_hash is HASH; 0 when none, -1 on error. */
static int64_t hash_position(sqlite3 *h, const char *hash)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(h, "SELECT id FROM ledger WHERE row_hash = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		id = 0;
	sqlite3_finalize(st);
	return id;
}

/* The id R was written with, if not its own: first right after the row that
 * holds its predecessor's hash, then ever further from where it is. 0 when
 * none is found. */
static int64_t find_written_as(sqlite3 *h, struct loaded *l)
{
	const struct ledger_row *r = &l->row;
	int64_t q = hash_position(h, r->prev_hash);

	if (strcmp(r->prev_hash, LEDGER_GENESIS_HASH) == 0 && r->id != 1 && hashes_as(l, 1))
		return 1;
	if (q > 0 && q + 1 != r->id && hashes_as(l, q + 1))
		return q + 1;
	for (int64_t d = 1; d <= MOVE_WINDOW; d++) {
		if (r->id - d >= 1 && hashes_as(l, r->id - d))
			return r->id - d;
		if (hashes_as(l, r->id + d))
			return r->id + d;
	}
	return 0;
}

/* True if the row after AFTER (by id) is intact when given id AS: it was
 * written as row AS, so whatever is at AS now was put in front of it. */
static bool next_written_as(sqlite3 *h, int64_t after, int64_t as)
{
	char *sql = select_rows(h, "WHERE id > ?1 ORDER BY id LIMIT 1");
	struct loaded s;
	sqlite3_stmt *st;
	bool r = false;
	int rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);

	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, after);
	if (sqlite3_step(st) == SQLITE_ROW && !load_row(st, &s))
		r = hashes_as(&s, as);
	sqlite3_finalize(st);
	return r;
}

static void found(struct verify_result *res, enum verify_problem p, int64_t row, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void found(struct verify_result *res, enum verify_problem p, int64_t row, const char *fmt, ...)
{
	va_list ap;

	res->ok = false;
	res->problem = p;
	res->bad_row = row;
	va_start(ap, fmt);
	vsnprintf(res->message, sizeof(res->message), fmt, ap);
	va_end(ap);
}

/*
 * R is the first row that is not intact; EXPECTED_ID and PREV are what the
 * intact rows before it say should come next. BAD_COL names a column stored
 * in a form loa never writes, SELF_OK says whether R's hash matches its
 * columns and its own id.
 */
static void diagnose(sqlite3 *h, struct loaded *l, const char *bad_col, bool self_ok,
		     int64_t expected_id, const char *prev, struct verify_result *res)
{
	const struct ledger_row *r = &l->row;
	int64_t o, q;

	if (bad_col) {
		found(res, VERIFY_EDITED, r->id, _("row %" PRId64 ": its %s is not stored the way loa "
		      "writes it: the row was edited after it was written"), r->id, bad_col);
		return;
	}
	if (r->id < expected_id) {
		found(res, VERIFY_INSERTED, r->id, _("row %" PRId64 ": loa never writes a row with this "
		      "id: it was inserted"), r->id);
		return;
	}
	if (self_ok) {
		if (r->id > expected_id) {
			/* Name the first row that is gone, as for renumbered removals below. */
			if (expected_id == 1 && r->id - 1 == expected_id)
				found(res, VERIFY_REMOVED, expected_id, _("row %" PRId64 " was removed: the "
				      "ledger starts at row %" PRId64), expected_id, r->id);
			else if (expected_id == 1)
				found(res, VERIFY_REMOVED, expected_id, _("rows %" PRId64 "–%" PRId64 " were "
				      "removed: the ledger starts at row %" PRId64), expected_id, r->id - 1, r->id);
			else if (r->id - 1 == expected_id)
				found(res, VERIFY_REMOVED, expected_id, _("row %" PRId64 " was removed: the "
				      "ledger goes from row %" PRId64 " straight to row %" PRId64), expected_id,
				      expected_id - 1, r->id);
			else
				found(res, VERIFY_REMOVED, expected_id, _("rows %" PRId64 "–%" PRId64 " were "
				      "removed: the ledger goes from row %" PRId64 " straight to row %" PRId64),
				      expected_id, r->id - 1, expected_id - 1, r->id);
			return;
		}
		/* In its place and whole, but not linked to the row before it. */
		q = hash_position(h, r->prev_hash);
		if (q > 0) {
			found(res, VERIFY_REORDERED, r->id, _("row %" PRId64 ": it was written after what is "
			      "now row %" PRId64 ": rows were moved"), r->id, q);
		} else if (strcmp(prev, LEDGER_GENESIS_HASH) == 0) {
			found(res, VERIFY_EDITED, r->id, _("row %" PRId64 ": it does not start the chain as "
			      "written: it was edited and its hash recomputed"), r->id);
		} else {
			found(res, VERIFY_EDITED, expected_id - 1, _("row %" PRId64 ": its content was "
			      "changed and its hash recomputed: row %" PRId64 ", written after it, no longer "
			      "links to it"), expected_id - 1, r->id);
		}
		return;
	}
	o = find_written_as(h, l);
	if (o > r->id) {
		res->written_as = o;
		if (hash_position(h, r->prev_hash) == 0 && o - 1 == r->id)
			found(res, VERIFY_REMOVED, r->id, _("row %" PRId64 " holds what was written as row "
			      "%" PRId64 ": the row %" PRId64 " written before it was removed and the rest "
			      "renumbered"), r->id, o, r->id);
		else if (hash_position(h, r->prev_hash) == 0)
			found(res, VERIFY_REMOVED, r->id, _("row %" PRId64 " holds what was written as row "
			      "%" PRId64 ": the rows %" PRId64 "–%" PRId64 " written before it were removed "
			      "and the rest renumbered"), r->id, o, r->id, o - 1);
		else
			found(res, VERIFY_REORDERED, r->id, _("row %" PRId64 " holds what was written as row "
			      "%" PRId64 ": rows were swapped or moved"), r->id, o);
	} else if (o > 0) {
		res->written_as = o;
		if (o == r->id - 1)
			found(res, VERIFY_INSERTED, o, _("row %" PRId64 " is not part of the chain as written: "
			      "inserted; what was written as row %" PRId64 " is now row %" PRId64), o, o, r->id);
		else
			found(res, VERIFY_INSERTED, o, _("rows %" PRId64 "–%" PRId64 " are not part of the chain "
			      "as written: inserted; what was written as row %" PRId64 " is now row %" PRId64),
			      o, r->id - 1, o, r->id);
	} else if (next_written_as(h, r->id, r->id)) {
		found(res, VERIFY_INSERTED, r->id, _("row %" PRId64 " is not part of the chain as "
		      "written: inserted in front of what was written as row %" PRId64), r->id, r->id);
	} else {
		found(res, VERIFY_EDITED, r->id, _("row %" PRId64 ": its content does not match its hash: "
		      "it was edited after it was written"), r->id);
	}
}

static void check_schema(sqlite3 *h, struct verify_result *res)
{
	static const char *const triggers[] = { "ledger_append_at_end", "ledger_no_update", "ledger_no_delete" };
	int64_t n;

	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		char *sql = sqlite3_mprintf("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
					    " AND tbl_name = 'ledger' AND name = %Q", triggers[i]);

		if (db_query_int(h, sql, &n) == SQLITE_OK && n == 0)
			strlist_addf(&res->warnings, _("the trigger %s that keeps the ledger append-only is "
				     "missing (someone removed it by hand): rows can be changed without an "
				     "error until it is back; restore the database from a backup"), triggers[i]);
		sqlite3_free(sql);
	}
	if (db_query_int(h, "SELECT count(*) FROM inflight", &n) == SQLITE_OK && n > 0)
		strlist_addf(&res->warnings, _("an item is recorded as on air; when the daemon is not "
			     "running, its next start records it as partial"));
}

int verify_chain(sqlite3 *h, const char *expect_head, struct verify_result *res)
{
	return verify_chain_rows(h, expect_head, NULL, NULL, res);
}

/* ---- the walk, in two threads ----
 *
 * Stepping SQLite and hashing each row cost about the same (bench/walk_floor:
 * reading a million rows ~0.8 s, their SHA-256 ~0.4 s on top of building
 * the encodings), and a station box has at least two cores. So a reader
 * thread steps the statement and copies each row out of it into a batch,
 * and the calling thread hashes the batches, follows the links and hands
 * the rows on, while the next batches are read: the walk costs about the
 * slower of the two instead of their sum. (A process allowed one CPU only,
 * on a single-core board or under CPUAffinity=, reads and hashes in turn
 * in the calling thread: two threads would only take turns there.) The
 * queue is bounded (QUEUE
 * batches of BATCH rows), so memory stays at a few hundred kilobytes
 * however long the ledger is. Every row is still read and hashed: the
 * threads change when, never whether.
 *
 * The connection is the reader's alone while it runs (the unprotected
 * sqlite3_values of read_column need that); the diagnosis of a broken row,
 * which queries the connection again, waits until the reader has stopped. */

#define BATCH 256
#define QUEUE 4

struct batch {
	size_t n;
	struct loaded rows[BATCH];
	const char *bad[BATCH]; /* load_row's verdict on each */
	char *arena;            /* the rows' strings, copied out of the statement */
	size_t used, cap;
	bool last;              /* no rows come after this batch */
	int rc;                 /* with last: the final sqlite3_step's code */
};

struct walk {
	sqlite3_stmt *st;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch b[QUEUE];
	uint64_t filled, done; /* batches handed over by the reader, given back by the hasher */
	bool stop;             /* the hasher wants no more */
};

/* S, N bytes, copied to the arena with the terminator SQLite gave it (what
 * the rows are handed to may read them as C strings); NULL stays NULL. */
static char *keep(struct batch *b, const char *s, size_t n)
{
	char *d;

	if (!s)
		return NULL;
	d = b->arena + b->used;
	memcpy(d, s, n);
	d[n] = '\0';
	b->used += n + 1;
	return d;
}

/* The current row of the statement into B. False, with B unchanged, when
 * its strings do not fit B's arena and B has rows already; an empty batch
 * grows its arena instead, as no row points into it yet. */
static bool take_row(struct walk *w, struct batch *b)
{
	struct loaded *l = &b->rows[b->n];
	struct ledger_row *r = &l->row;
	const char *bad = load_row(w->st, l);
	/* Every text field a row has, in one list, so that a column added
	 * later cannot be left pointing into the statement (relay's were). */
	struct {
		char **s;
		size_t n;
	} f[] = {
		{ &r->reason, l->lens.reason },
		{ &r->title, l->lens.title },
		{ &r->topic, l->lens.topic },
		{ &r->plan, l->lens.plan },
		{ &r->slot, l->lens.slot },
		{ &r->by, l->lens.by },
		{ &r->relay_source, l->lens.relay_source },
		{ &r->relay_url, l->lens.relay_url },
		{ &r->origin, l->lens.origin },
		{ &r->province_schedule, l->lens.province_schedule },
		{ &r->province_bulletin, l->lens.province_bulletin },
	};
	size_t need = 0, i;

	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		need += f[i].n + 1;
	if (b->used + need > b->cap) {
		if (b->n > 0)
			return false;
		b->cap = need > 2 * b->cap ? need : 2 * b->cap;
		b->arena = xrealloc(b->arena, b->cap);
	}
	b->bad[b->n] = bad;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		*f[i].s = keep(b, *f[i].s, f[i].n);
	b->n++;
	return true;
}

/* Hands the batch being filled (if any: FILLED) to the hasher and returns
 * an empty one, waiting while the queue is full; NULL when the hasher
 * wants no more. */
static struct batch *hand_over(struct walk *w, bool filled)
{
	struct batch *b;

	pthread_mutex_lock(&w->lock);
	if (filled) {
		w->filled++;
		pthread_cond_broadcast(&w->changed);
	}
	while (!w->stop && w->filled - w->done == QUEUE)
		pthread_cond_wait(&w->changed, &w->lock);
	b = w->stop ? NULL : &w->b[w->filled % QUEUE];
	pthread_mutex_unlock(&w->lock);
	if (b) {
		b->n = 0;
		b->used = 0;
		b->last = false;
	}
	return b;
}

/* Fills B from the statement: up to BATCH rows, fewer when their strings
 * fill its arena, or the last ones (B->last, B->rc). *PENDING: the
 * statement's current row was stepped to but did not fit the batch
 * before; it goes first (an empty batch takes any row). */
static void read_batch(struct walk *w, struct batch *b, bool *pending)
{
	int rc;

	b->n = 0;
	b->used = 0;
	b->last = false;
	if (*pending) {
		take_row(w, b);
		*pending = false;
	}
	while (b->n < BATCH) {
		rc = sqlite3_step(w->st);
		if (rc != SQLITE_ROW) {
			b->last = true;
			b->rc = rc;
			return;
		}
		if (!take_row(w, b)) {
			*pending = true;
			return;
		}
	}
}

static void *reader(void *arg)
{
	struct walk *w = arg;
	struct batch *b = hand_over(w, false);
	bool pending = false;

	while (b) {
		read_batch(w, b, &pending);
		if (b->last) {
			pthread_mutex_lock(&w->lock);
			w->filled++;
			pthread_cond_broadcast(&w->changed);
			pthread_mutex_unlock(&w->lock);
			return NULL;
		}
		b = hand_over(w, true);
	}
	return NULL;
}

/* May this process run on more than one CPU? */
static bool cpus_to_share(void)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) != 0 || CPU_COUNT(&set) > 1;
}

/* The next batch from the reader. */
static struct batch *next_batch(struct walk *w)
{
	struct batch *b;

	pthread_mutex_lock(&w->lock);
	while (w->filled == w->done)
		pthread_cond_wait(&w->changed, &w->lock);
	b = &w->b[w->done % QUEUE];
	pthread_mutex_unlock(&w->lock);
	return b;
}

/* The hasher is done with the batch next_batch gave it. */
static void give_back(struct walk *w)
{
	pthread_mutex_lock(&w->lock);
	w->done++;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
}

/* Tells the reader to stop and waits for it: the connection is the
 * caller's again. */
static void stop_reader(struct walk *w, pthread_t t)
{
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->changed);
	pthread_mutex_unlock(&w->lock);
	pthread_join(t, NULL);
}

int verify_chain_rows(sqlite3 *h, const char *expect_head, void (*fn)(const struct ledger_row *row, void *ctx),
		      void *ctx, struct verify_result *res)
{
	char prev[SHA256_HEX] = LEDGER_GENESIS_HASH;
	int64_t expected_id = 1;
	struct walk *w;
	pthread_t t;
	char *sql;
	int rc, ret = 0;
	bool more = true, threaded = cpus_to_share(), pending = false;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	snprintf(res->head, sizeof(res->head), "%s", LEDGER_GENESIS_HASH);
	w = xcalloc(1, sizeof(*w));
	/* One snapshot for the walk and the look-ups, even while the daemon appends. */
	rc = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK) {
		sql = select_rows(h, "ORDER BY id");
		rc = sqlite3_prepare_v2(h, sql, -1, &w->st, NULL);
		sqlite3_free(sql);
	}
	if (rc != SQLITE_OK) {
		text_set(res->message, sizeof(res->message), _("cannot read the ledger: %s"), sqlite3_errmsg(h));
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		res->ok = false;
		free(w);
		return -EIO;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->changed, NULL);
	for (int i = 0; i < QUEUE; i++) {
		w->b[i].cap = BATCH * 256;
		w->b[i].arena = xmalloc(w->b[i].cap);
	}
	if (threaded && pthread_create(&t, NULL, reader, w) != 0) {
		/* Only when the box is out of threads or memory. */
		text_set(res->message, sizeof(res->message), _("cannot read the ledger: %s"), strerror(EAGAIN));
		ret = -EIO;
		res->ok = false;
		more = false;
	}
	while (more) {
		struct batch *b = threaded ? next_batch(w) : &w->b[0];
		size_t i;

		if (!threaded)
			read_batch(w, b, &pending);

		for (i = 0; i < b->n; i++) {
			struct loaded *l = &b->rows[i];
			const struct ledger_row *r = &l->row;
			bool self_ok = !b->bad[i] && hashes_as(l, r->id);

			/* load_row made prev_hash exactly 64 hex digits long. */
			if (self_ok && r->id == expected_id && memcmp(r->prev_hash, prev, SHA256_HEX - 1) == 0) {
				res->rows++;
				res->head_id = r->id;
				memcpy(res->head, r->row_hash, SHA256_HEX);
				memcpy(prev, r->row_hash, SHA256_HEX);
				expected_id = r->id + 1;
				if (expect_head && strcasecmp(expect_head, r->row_hash) == 0)
					res->expect_row = r->id;
				if (fn)
					fn(r, ctx);
				continue;
			}
			if (threaded)
				stop_reader(w, t);
			diagnose(h, l, b->bad[i], self_ok, expected_id, prev, res);
			more = false;
			break;
		}
		if (!more)
			break;
		if (b->last) {
			rc = b->rc;
			if (threaded)
				pthread_join(t, NULL);
			more = false;
			if (rc != SQLITE_DONE) {
				if (sqlite3_errcode(h) == SQLITE_CORRUPT)
					text_set(res->message, sizeof(res->message), _("cannot read the ledger after row %"
						PRId64 ": %s; the file is damaged there: keep it as it is for the officer, "
						"and check the latest copy made with loa backup (loa verify --db COPY)"),
						res->head_id, sqlite3_errmsg(h));
				else
					text_set(res->message, sizeof(res->message), _("cannot read the ledger after row %"
						PRId64 ": %s"), res->head_id, sqlite3_errmsg(h));
				res->ok = false;
				ret = -EIO;
			}
			break;
		}
		if (threaded)
			give_back(w);
	}
	sqlite3_finalize(w->st);
	if (ret == 0)
		check_schema(h, res);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	for (int i = 0; i < QUEUE; i++)
		free(w->b[i].arena);
	pthread_cond_destroy(&w->changed);
	pthread_mutex_destroy(&w->lock);
	free(w);
	return ret;
}

/* ---- the audit trail ----
 *
 * The same walk and the same diagnoses over the audit trail's chain
 * (audit.h documents its encoding). The trail grows by a few entries a
 * day, so it is read plainly, through audit_row_hash. */

#define AUDIT_COLS "id, at, actor, action, target, detail, prev_hash, row_hash"

/* Fills E from the current row of a SELECT AUDIT_COLS, its strings
 * pointing into the statement. Returns NULL when every column is stored
 * as loa stores it, else the name of the first that is not. */
static const char *load_entry(sqlite3_stmt *st, struct audit_entry *e)
{
	static const struct {
		const char *name;
		enum form form;
	} cols[] = {
		{ "id", F_INT }, { "at", F_INT }, { "actor", F_TEXT }, { "action", F_TEXT },
		{ "target", F_OPT_TEXT }, { "detail", F_OPT_TEXT }, { "prev_hash", F_HASH }, { "row_hash", F_HASH },
	};
	struct column c[8];

	memset(e, 0, sizeof(*e));
	for (int i = 0; i < 8; i++) {
		sqlite3_value *v = sqlite3_column_value(st, i);
		int type = sqlite3_value_type(v);

		memset(&c[i], 0, sizeof(c[i]));
		if (cols[i].form == F_INT) {
			if (type != SQLITE_INTEGER)
				return cols[i].name;
			c[i].i = sqlite3_value_int64(v);
			/* The id (the rowid, an integer) first: a bad column is
			 * named with the entry it is in. */
			if (i == 0)
				e->id = c[i].i;
			continue;
		}
		if (cols[i].form == F_OPT_TEXT && type == SQLITE_NULL)
			continue;
		if (type != SQLITE_TEXT)
			return cols[i].name;
		c[i].s = (const char *)sqlite3_value_text(v);
		c[i].n = (size_t)sqlite3_value_bytes(v);
		if (!c[i].s || memchr(c[i].s, '\0', c[i].n) ||
		    (cols[i].form == F_HASH && c[i].n != SHA256_HEX - 1))
			return cols[i].name;
	}
	e->at = c[1].i;
	e->actor = (char *)c[2].s;
	e->action = (char *)c[3].s;
	e->target = (char *)c[4].s;
	e->detail = (char *)c[5].s;
	copy_hex(e->prev_hash, &c[6]);
	copy_hex(e->row_hash, &c[7]);
	return NULL;
}

static bool entry_hashes_as(struct audit_entry *e, int64_t id)
{
	char calc[SHA256_HEX];
	int64_t own = e->id;

	e->id = id;
	audit_row_hash(e, calc);
	e->id = own;
	return memcmp(calc, e->row_hash, SHA256_HEX - 1) == 0;
}

/* The id of the entry whose stored row_hash is HASH; 0 when none, -1 on error. */
static int64_t entry_position(sqlite3 *h, const char *hash)
{
	sqlite3_stmt *st;
	int64_t id = -1;
	int rc;

	if (sqlite3_prepare_v2(h, "SELECT id FROM audit WHERE row_hash = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	else if (rc == SQLITE_DONE)
		id = 0;
	sqlite3_finalize(st);
	return id;
}

/* The id E was written with, if not its own, as find_written_as. */
static int64_t entry_written_as(sqlite3 *h, struct audit_entry *e)
{
	int64_t q = entry_position(h, e->prev_hash);

	if (strcmp(e->prev_hash, LEDGER_GENESIS_HASH) == 0 && e->id != 1 && entry_hashes_as(e, 1))
		return 1;
	if (q > 0 && q + 1 != e->id && entry_hashes_as(e, q + 1))
		return q + 1;
	for (int64_t d = 1; d <= MOVE_WINDOW; d++) {
		if (e->id - d >= 1 && entry_hashes_as(e, e->id - d))
			return e->id - d;
		if (entry_hashes_as(e, e->id + d))
			return e->id + d;
	}
	return 0;
}

/* True if the entry after AFTER (by id) is intact when given id AS. */
static bool next_entry_written_as(sqlite3 *h, int64_t after, int64_t as)
{
	struct audit_entry e;
	sqlite3_stmt *st;
	bool r = false;

	if (sqlite3_prepare_v2(h, "SELECT " AUDIT_COLS " FROM audit WHERE id > ?1 ORDER BY id LIMIT 1", -1, &st,
			       NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_int64(st, 1, after);
	if (sqlite3_step(st) == SQLITE_ROW && !load_entry(st, &e))
		r = entry_hashes_as(&e, as);
	sqlite3_finalize(st);
	return r;
}

/* As diagnose(), for the first entry E of the trail that is not intact. */
static void diagnose_entry(sqlite3 *h, struct audit_entry *e, const char *bad_col, bool self_ok,
			   int64_t expected_id, const char *prev, struct verify_result *res)
{
	int64_t o, q;

	if (bad_col) {
		found(res, VERIFY_EDITED, e->id, _("audit entry %" PRId64 ": its %s is not stored the way loa "
		      "writes it: the entry was edited after it was written"), e->id, bad_col);
		return;
	}
	if (self_ok && e->id > expected_id) {
		if (expected_id == 1 && e->id == 2)
			found(res, VERIFY_REMOVED, 1, _("audit entry 1 was removed: the trail starts at entry 2"));
		else if (expected_id == 1)
			found(res, VERIFY_REMOVED, 1, _("audit entries 1–%" PRId64 " were removed: the trail starts "
			      "at entry %" PRId64), e->id - 1, e->id);
		else if (e->id - 1 == expected_id)
			found(res, VERIFY_REMOVED, expected_id, _("audit entry %" PRId64 " was removed: the trail "
			      "goes from entry %" PRId64 " straight to entry %" PRId64), expected_id,
			      expected_id - 1, e->id);
		else
			found(res, VERIFY_REMOVED, expected_id, _("audit entries %" PRId64 "–%" PRId64 " were "
			      "removed: the trail goes from entry %" PRId64 " straight to entry %" PRId64),
			      expected_id, e->id - 1, expected_id - 1, e->id);
		return;
	}
	if (self_ok) {
		/* In its place and whole, but not linked to the entry before it. */
		q = entry_position(h, e->prev_hash);
		if (q > 0)
			found(res, VERIFY_REORDERED, e->id, _("audit entry %" PRId64 ": it was written after what "
			      "is now entry %" PRId64 ": entries were moved"), e->id, q);
		else if (strcmp(prev, LEDGER_GENESIS_HASH) == 0)
			found(res, VERIFY_EDITED, e->id, _("audit entry %" PRId64 ": it does not start the trail as "
			      "written: it was edited and its hash recomputed"), e->id);
		else
			found(res, VERIFY_EDITED, expected_id - 1, _("audit entry %" PRId64 ": its content was "
			      "changed and its hash recomputed: entry %" PRId64 ", written after it, no longer "
			      "links to it"), expected_id - 1, e->id);
		return;
	}
	o = entry_written_as(h, e);
	if (o > e->id) {
		res->written_as = o;
		if (entry_position(h, e->prev_hash) == 0)
			found(res, VERIFY_REMOVED, e->id, _("audit entry %" PRId64 " holds what was written as entry "
			      "%" PRId64 ": what was written before it was removed and the rest renumbered"),
			      e->id, o);
		else
			found(res, VERIFY_REORDERED, e->id, _("audit entry %" PRId64 " holds what was written as "
			      "entry %" PRId64 ": entries were swapped or moved"), e->id, o);
	} else if (o > 0) {
		res->written_as = o;
		found(res, VERIFY_INSERTED, o, _("audit entry %" PRId64 " is not part of the trail as written: "
		      "inserted; what was written as entry %" PRId64 " is now entry %" PRId64), o, o, e->id);
	} else if (next_entry_written_as(h, e->id, e->id)) {
		found(res, VERIFY_INSERTED, e->id, _("audit entry %" PRId64 " is not part of the trail as "
		      "written: inserted in front of what was written as entry %" PRId64), e->id, e->id);
	} else {
		found(res, VERIFY_EDITED, e->id, _("audit entry %" PRId64 ": its content does not match its "
		      "hash: it was edited after it was written"), e->id);
	}
}

static void check_audit_schema(sqlite3 *h, struct verify_result *res)
{
	static const char *const triggers[] = { "audit_append_at_end", "audit_no_update", "audit_no_delete" };
	int64_t n;

	for (size_t i = 0; i < sizeof(triggers) / sizeof(triggers[0]); i++) {
		char *sql = sqlite3_mprintf("SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'"
					    " AND tbl_name = 'audit' AND name = %Q", triggers[i]);

		if (db_query_int(h, sql, &n) == SQLITE_OK && n == 0)
			strlist_addf(&res->warnings, _("the trigger %s that keeps the audit trail append-only is "
				     "missing (someone removed it by hand): entries can be changed without an "
				     "error until it is back; restore the database from a backup"), triggers[i]);
		sqlite3_free(sql);
	}
}

int verify_audit(sqlite3 *h, struct verify_result *res)
{
	char prev[SHA256_HEX] = LEDGER_GENESIS_HASH;
	int64_t expected_id = 1, tables = 0;
	struct audit_entry e;
	sqlite3_stmt *st = NULL;
	int rc, ret = 0;

	memset(res, 0, sizeof(*res));
	res->ok = true;
	snprintf(res->head, sizeof(res->head), "%s", LEDGER_GENESIS_HASH);
	rc = sqlite3_exec(h, "BEGIN", NULL, NULL, NULL);
	/* A file an older loa wrote has no trail: nothing in it to check. */
	if (rc == SQLITE_OK)
		rc = db_query_int(h, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'audit'",
				  &tables);
	if (rc == SQLITE_OK && tables == 0) {
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
		return 0;
	}
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h, "SELECT " AUDIT_COLS " FROM audit ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		text_set(res->message, sizeof(res->message), _("cannot read the audit trail: %s"), sqlite3_errmsg(h));
		sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
		res->ok = false;
		return -EIO;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *bad = load_entry(st, &e);
		bool self_ok = !bad && entry_hashes_as(&e, e.id);

		if (self_ok && e.id == expected_id && memcmp(e.prev_hash, prev, SHA256_HEX - 1) == 0) {
			res->rows++;
			res->head_id = e.id;
			memcpy(res->head, e.row_hash, SHA256_HEX);
			memcpy(prev, e.row_hash, SHA256_HEX);
			expected_id = e.id + 1;
			continue;
		}
		diagnose_entry(h, &e, bad, self_ok, expected_id, prev, res);
		break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		text_set(res->message, sizeof(res->message), _("cannot read the audit trail after entry %" PRId64
			": %s"), res->head_id, sqlite3_errmsg(h));
		res->ok = false;
		ret = -EIO;
	}
	sqlite3_finalize(st);
	if (ret == 0)
		check_audit_schema(h, res);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	return ret;
}

/* ---- the province's witnesses ---- */

int verify_witness(sqlite3 *h, struct verify_witness *w)
{
	sqlite3_stmt *st;
	int rc, ret = 0;

	memset(w, 0, sizeof(*w));
	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return -EIO;
	if (outbox_witness(h, &w->head) < 0) {
		ret = -EIO;
		goto out;
	}
	if (!w->head.row)
		goto out;
	/* A row edited, or gone, since the province acknowledged it: the
	 * first by row, so the message names where the rewriting begins. */
	if (sqlite3_prepare_v2(h,
			       "SELECT s.row_id, s.row_hash, s.at FROM upstream_sent s"
			       " LEFT JOIN ledger l ON l.id = s.row_id"
			       " WHERE s.result = 'accepted' AND (l.row_hash IS NULL OR l.row_hash <> s.row_hash)"
			       " ORDER BY s.row_id LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK) {
		ret = -EIO;
		goto out;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *hash = (const char *)sqlite3_column_text(st, 1);

		w->bad_row = sqlite3_column_int64(st, 0);
		snprintf(w->bad_hash, sizeof(w->bad_hash), "%s", hash ? hash : "");
		w->bad_at = sqlite3_column_int64(st, 2);
	} else if (rc != SQLITE_DONE) {
		ret = -EIO;
	}
	sqlite3_finalize(st);
out:
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	return ret;
}

bool verify_witness_text(const struct verify_result *res, const struct verify_witness *w, char *buf, size_t len)
{
	char at[ISO_LEN], bad_at[ISO_LEN];
	bool before = !res->ok && res->bad_row <= w->head.row;
	size_t n;

	buf[0] = '\0';
	if (!w->head.row)
		return true;
	time_format_iso(w->head.at, at);
	if (!before && !w->bad_row) {
		snprintf(buf, len, _("witnessed by the province up to row %" PRId64 " (hash %s) at %s"), w->head.row,
			 w->head.hash, at);
		return true;
	}
	if (before)
		snprintf(buf, len, _("the chain fails at row %" PRId64 ", before row %" PRId64 ", which the province "
			 "witnessed (hash %s at %s): the province holds that hash, so the tampering is provable"),
			 res->bad_row, w->head.row, w->head.hash, at);
	n = strlen(buf);
	if (w->bad_row)
		snprintf(buf + n, len - n, _("%srow %" PRId64 " is not what the province witnessed: it acknowledged "
			 "the row with hash %s at %s, and the ledger no longer holds the row as it was: it was "
			 "changed after the province received it, and the province's copy proves it"), n ? "; " : "",
			 w->bad_row, w->bad_hash, time_format_iso(w->bad_at, bad_at));
	return false;
}

/* The copy is checked as `loa verify --db` will check it later. */
static int check_copy(const char *copy, void *ctx, char *msg, size_t msglen)
{
	struct verify_result *res = ctx;
	sqlite3 *h;
	int r;

	if (db_open_evidence(copy, &h, msg, msglen) < 0) {
		char why[512];

		snprintf(why, sizeof(why), "%s", msg);
		text_set(msg, msglen, _("the copy cannot be read back: %s"), why);
		return -EIO;
	}
	r = verify_chain(h, NULL, res);
	sqlite3_close(h);
	if (r < 0) {
		text_set(msg, msglen, _("the copy cannot be read back: %s"), res->message);
		return -EIO;
	}
	return 0;
}

/*
 * The backup is recorded in the station's audit trail once the copy has
 * its name, with the ledger head it holds, and so is not in the copy
 * itself: an entry written before the copy would be in it, but would
 * record a backup that may then fail, and could not say what the copy
 * holds. The next backup, or the station's own file, has the entry.
 */
int verify_backup(struct db *db, const char *file, const char *actor, struct verify_result *res, char *msg,
		  size_t msglen)
{
	char *where, *detail;
	int r = db_backup(db, file, check_copy, res, msg, msglen);

	if (r < 0)
		return r;
	/* Where it went, as a path that still means something later. */
	where = realpath(file, NULL);
	detail = xasprintf("%" PRId64 " ledger rows, head %s (row %" PRId64 ")%s", res->rows, res->head,
			   res->head_id, res->ok ? "" : "; the ledger copied is not intact");
	r = audit_append(db, actor, "backup", where ? where : file, detail);
	if (r < 0)
		text_set(msg, msglen, _("the copy %s is complete and checked, but the audit trail cannot record "
			"the backup (the database refused the entry; see the message above): keep the copy, and "
			"free space or fix the station's database before the next backup"), file);
	free(where);
	free(detail);
	return r < 0 ? -EIO : 0;
}
