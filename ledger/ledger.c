/* The ledger: appending hash-chained rows, reading them back, and the
 * inflight record that lets a power cut mid-item end up as a `partial` row
 * instead of a hole. Every write is one BEGIN IMMEDIATE transaction, so the
 * chain is extended by one writer at a time, and commits are durable
 * (synchronous=FULL, see db.c). */
#include "ledger/ledger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "ledger/outbox.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* Names with their lengths: the row hash and the verify walk meet these
 * a million times in a year's ledger, and a strlen or strcmp each time
 * showed in the profile. */
struct name {
	const char *s;
	size_t n;
};
#define NAME(s) { s, sizeof(s) - 1 }

static const struct name outcome_names[OUTCOME_COUNT] = {
	[OUTCOME_COMPLETED] = NAME("completed"),
	[OUTCOME_PARTIAL] = NAME("partial"),
	[OUTCOME_PREEMPTED] = NAME("preempted"),
	[OUTCOME_CANCELLED] = NAME("cancelled"),
	[OUTCOME_FAILED] = NAME("failed"),
	[OUTCOME_MISSED] = NAME("missed"),
	[OUTCOME_SKIPPED] = NAME("skipped"),
};

static const struct name kind_names[] = {
	[KIND_SLOT] = NAME("slot"),
	[KIND_PLAY] = NAME("play"),
	[KIND_ALERT] = NAME("alert"),
};
#define KIND_COUNT (sizeof(kind_names) / sizeof(kind_names[0]))

/* The index of the N bytes at S in NAMES, or -1. */
static int name_index(const struct name *names, unsigned count, const char *s, size_t n)
{
	for (unsigned i = 0; s && i < count; i++)
		if (names[i].n == n && memcmp(s, names[i].s, n) == 0)
			return (int)i;
	return -1;
}

const char *outcome_name(enum outcome o)
{
	return (unsigned)o < OUTCOME_COUNT ? outcome_names[o].s : NULL;
}

int outcome_parse(const char *s, enum outcome *out)
{
	return outcome_parse_len(s, s ? strlen(s) : 0, out);
}

int outcome_parse_len(const char *s, size_t n, enum outcome *out)
{
	int i = name_index(outcome_names, OUTCOME_COUNT, s, n);

	if (i < 0)
		return -EINVAL;
	*out = (enum outcome)i;
	return 0;
}

const char *air_kind_name(enum air_kind k)
{
	return (unsigned)k < KIND_COUNT ? kind_names[k].s : NULL;
}

int air_kind_parse_len(const char *s, size_t n, enum air_kind *out)
{
	int i = name_index(kind_names, KIND_COUNT, s, n);

	if (i < 0)
		return -EINVAL;
	*out = (enum air_kind)i;
	return 0;
}

static int air_kind_parse(const char *s, enum air_kind *out)
{
	return air_kind_parse_len(s, s ? strlen(s) : 0, out);
}

/*
 * The canonical encoding that row_hash is the SHA-256 of. `loa verify`
 * recomputes it from the stored columns, so it is frozen: a change needs a
 * new tag and verify must keep understanding the old one.
 *
 *   "loa-ledger-v1\n"
 *   then one line per field, in exactly this order:
 *     id, kind, occurrence_at, scheduled_at, started_at, ended_at, frames,
 *     played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,
 *     content_sha256, xruns, [by,] prev_hash
 *   each line being  NAME "=" VALUE "\n"  where VALUE is either
 *     "null"                  for an SQL NULL, or
 *     LEN ":" BYTES           LEN the decimal byte count of BYTES.
 *
 * Integers are written as decimal text ("-" for negatives, no leading zeros)
 * and then length-prefixed like strings; kind and outcome as their names
 * ("slot", "completed"). NULL is the stored form of a NULL string and of the
 * integers that use 0 for "none": occurrence_at, started_at, ended_at and
 * bulletin_id. The length prefix makes any byte (newline, '=', "null") safe
 * inside a value, so two different rows never share an encoding. The id is
 * included so that moving a row to another position breaks the chain, and
 * prev_hash is the previous row's row_hash (LEDGER_GENESIS_HASH for row 1).
 * The digest is written as 64 lowercase hex digits.
 *
 * by (the actor column, added with schema 3: who asked for a manual play
 * or alert, or stopped the item) is a line of its own only when it is not
 * NULL, and then always LEN ":" BYTES. A row without one, which is every
 * row written before schema 3 and every row the schedule writes, keeps
 * exactly the encoding above, so its hash is unchanged; a row with one
 * cannot share an encoding with a row without, since no other field is
 * named "by".
 *
 * relay_source and relay_url (schema 6: a relay window, tiếp âm) follow
 * by in the same way: two lines, relay_source LEN ":" BYTES and then
 * relay_url as any string field ("null" when no URL answered), only when
 * relay_source is not NULL. Every other row keeps the encoding above.
 *
 * origin, province_schedule and province_bulletin (schema 7: an item the
 * province scheduled) follow in that order, each a line only when it is
 * not NULL. Rows of the station's own keep their encoding.
 */
/* The encoding is gathered in a buffer and hashed a buffer at a time:
 * SHA-256 costs the same per byte either way, but `loa verify` and every
 * report hash each row ever written, and eighteen fields of a few bytes
 * each cost more in calls (and in snprintf for the numbers) than in
 * hashing. */
struct enc {
	struct sha256_ctx c;
	size_t n;
	char buf[512];
};

/* Makes room for N more bytes in E's buffer, hashing what it holds if
 * need be; false when N is more than the buffer takes at all. */
static bool room(struct enc *e, size_t n)
{
	if (e->n + n <= sizeof(e->buf))
		return true;
	sha256_update(&e->c, e->n, (const uint8_t *)e->buf);
	e->n = 0;
	return n <= sizeof(e->buf);
}

/* The number of decimal digits of V. */
static unsigned n_digits(uint64_t v)
{
	unsigned n = 1;

	for (uint64_t t = 10; n < 20 && v >= t; t *= 10)
		n++;
	return n;
}

/* V in decimal, N_DIGITS(V) digits, written backwards from END; two
 * digits a step, since the four millisecond times of a row have thirteen
 * each and a division per digit showed in the profile. */
static void decimal(uint64_t v, char *end)
{
	static const char pairs[] =
		"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
		"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
		"8081828384858687888990919293949596979899";

	while (v >= 100) {
		unsigned i = (unsigned)(v % 100) * 2;

		v /= 100;
		*--end = pairs[i + 1];
		*--end = pairs[i];
	}
	if (v >= 10) {
		*--end = pairs[v * 2 + 1];
		*--end = pairs[v * 2];
	} else {
		*--end = (char)('0' + v);
	}
}

/* NAME as the two arguments the put_ functions take: the field's name with
 * its "=", and the length of that, known at compile time (sizeof counts
 * the NUL where the text has the "="). */
#define FIELD(name) name "=", sizeof(name)
/* The longest "LEN:" or decimal integer: 20 digits and a sign or colon. */
#define NUM_MAX 21

/*
 * The put_ functions write the fields straight into the buffer, each with
 * one check for room: a field is a few bytes, and with the bytes copied
 * piece by piece (name, "=", length, ":", value, newline) the calls and
 * their bounds checks cost more than the hashing. always_inline makes the
 * name's length a constant at each call, so its copy is a move or two.
 */
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Writes NAME_EQ and LEN ":" at O; returns the end. */
static ALWAYS_INLINE char *put_head(char *o, const char *name_eq, size_t name_n, size_t len)
{
	unsigned d = n_digits(len);

	memcpy(o, name_eq, name_n);
	o += name_n;
	decimal(len, o + d);
	o += d;
	*o++ = ':';
	return o;
}

static ALWAYS_INLINE void put_value(struct enc *e, const char *name_eq, size_t name_n, const char *val, size_t n)
{
	char *o;

	if (!room(e, name_n + NUM_MAX + n + 1)) {
		/* Longer than the buffer (a long reason, say): room() has
		 * hashed and emptied it, and the value is hashed where it is. */
		o = put_head(e->buf, name_eq, name_n, n);
		sha256_update(&e->c, (size_t)(o - e->buf), (const uint8_t *)e->buf);
		sha256_update(&e->c, n, (const uint8_t *)val);
		e->buf[0] = '\n';
		e->n = 1;
		return;
	}
	o = put_head(e->buf + e->n, name_eq, name_n, n);
	memcpy(o, val, n);
	o += n;
	*o++ = '\n';
	e->n = (size_t)(o - e->buf);
}

/* A string of N bytes, or SQL NULL when VAL is NULL. */
static ALWAYS_INLINE void put_str(struct enc *e, const char *name_eq, size_t name_n, const char *val, size_t n)
{
	if (val) {
		put_value(e, name_eq, name_n, val, n);
		return;
	}
	room(e, name_n + 5);
	memcpy(e->buf + e->n, name_eq, name_n);
	memcpy(e->buf + e->n + name_n, "null\n", 5);
	e->n += name_n + 5;
}

static ALWAYS_INLINE void put_int(struct enc *e, const char *name_eq, size_t name_n, int64_t v)
{
	/* The magnitude of INT64_MIN does not fit an int64_t; it does a uint64_t. */
	uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
	unsigned d = n_digits(mag);
	char *o;

	room(e, name_n + 2 * NUM_MAX + 1);
	o = put_head(e->buf + e->n, name_eq, name_n, d + (v < 0));
	if (v < 0)
		*o++ = '-';
	decimal(mag, o + d);
	o += d;
	*o++ = '\n';
	e->n = (size_t)(o - e->buf);
}

/* For the integers whose 0 is stored as NULL. */
static ALWAYS_INLINE void put_opt_int(struct enc *e, const char *name_eq, size_t name_n, int64_t v)
{
	if (v)
		put_int(e, name_eq, name_n, v);
	else
		put_str(e, name_eq, name_n, NULL, 0);
}

static size_t strlen_or_0(const char *s)
{
	return s ? strlen(s) : 0;
}

/* The fixed-size hex fields, even if a caller forgot the terminator. */
static size_t hex_len(const char hex[SHA256_HEX])
{
	const char *nul = memchr(hex, '\0', SHA256_HEX - 1);

	return nul ? (size_t)(nul - hex) : SHA256_HEX - 1;
}

int ledger_row_hash(const struct ledger_row *row, char out[SHA256_HEX])
{
	struct ledger_row_lens lens = {
		.reason = strlen_or_0(row->reason), .title = strlen_or_0(row->title),
		.topic = strlen_or_0(row->topic), .plan = strlen_or_0(row->plan),
		.slot = strlen_or_0(row->slot), .content_sha256 = hex_len(row->content_sha256),
		.by = strlen_or_0(row->by), .relay_source = strlen_or_0(row->relay_source),
		.relay_url = strlen_or_0(row->relay_url), .origin = strlen_or_0(row->origin),
		.province_schedule = strlen_or_0(row->province_schedule),
		.province_bulletin = strlen_or_0(row->province_bulletin), .prev_hash = hex_len(row->prev_hash),
	};

	return ledger_row_hash_lens(row, &lens, out);
}

int ledger_row_hash_lens(const struct ledger_row *row, const struct ledger_row_lens *lens, char out[SHA256_HEX])
{
	struct enc e;

	if ((unsigned)row->kind >= KIND_COUNT || (unsigned)row->outcome >= OUTCOME_COUNT)
		return -EINVAL;
	sha256_init(&e.c);
	memcpy(e.buf, "loa-ledger-v1\n", 14);
	e.n = 14;
	put_int(&e, FIELD("id"), row->id);
	put_value(&e, FIELD("kind"), kind_names[row->kind].s, kind_names[row->kind].n);
	put_opt_int(&e, FIELD("occurrence_at"), row->occurrence_at);
	put_int(&e, FIELD("scheduled_at"), row->scheduled_at);
	put_opt_int(&e, FIELD("started_at"), row->started_at);
	put_opt_int(&e, FIELD("ended_at"), row->ended_at);
	put_int(&e, FIELD("frames"), row->frames);
	put_int(&e, FIELD("played_ms"), row->played_ms);
	put_value(&e, FIELD("outcome"), outcome_names[row->outcome].s, outcome_names[row->outcome].n);
	put_str(&e, FIELD("reason"), row->reason, lens->reason);
	put_opt_int(&e, FIELD("bulletin_id"), row->bulletin_id);
	put_str(&e, FIELD("title"), row->title, lens->title);
	put_str(&e, FIELD("topic"), row->topic, lens->topic);
	put_str(&e, FIELD("plan"), row->plan, lens->plan);
	put_str(&e, FIELD("slot"), row->slot, lens->slot);
	put_value(&e, FIELD("content_sha256"), row->content_sha256, lens->content_sha256);
	put_int(&e, FIELD("xruns"), row->xruns);
	if (row->by) /* absent rather than null: see the encoding above */
		put_value(&e, FIELD("by"), row->by, lens->by);
	if (row->relay_source) { /* absent rather than null, as by */
		put_value(&e, FIELD("relay_source"), row->relay_source, lens->relay_source);
		put_str(&e, FIELD("relay_url"), row->relay_url, lens->relay_url);
	}
	if (row->origin)
		put_value(&e, FIELD("origin"), row->origin, lens->origin);
	if (row->province_schedule)
		put_value(&e, FIELD("province_schedule"), row->province_schedule, lens->province_schedule);
	if (row->province_bulletin)
		put_value(&e, FIELD("province_bulletin"), row->province_bulletin, lens->province_bulletin);
	put_value(&e, FIELD("prev_hash"), row->prev_hash, lens->prev_hash);
	sha256_update(&e.c, e.n, (const uint8_t *)e.buf);
	sha256_finish_hex(&e.c, out);
	return 0;
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int bind_opt_int(sqlite3_stmt *st, int i, int64_t v)
{
	return v ? sqlite3_bind_int64(st, i, v) : sqlite3_bind_null(st, i);
}

static char *col_strdup(sqlite3_stmt *st, int i)
{
	return xstrdup_or_null((const char *)sqlite3_column_text(st, i));
}

static void col_hex(sqlite3_stmt *st, int i, char out[SHA256_HEX])
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	snprintf(out, SHA256_HEX, "%s", s ? s : "");
}

static bool row_valid(const struct ledger_row *row)
{
	/* A URL without its source would be left out of the row hash. */
	if (air_kind_name(row->kind) && outcome_name(row->outcome) && row->title &&
	    (row->relay_source || !row->relay_url))
		return true;
	log_err(_("ledger: refusing a row with kind %d, outcome %d, title %s (a bug in loa)"),
		(int)row->kind, (int)row->outcome, row->title ? "set" : "missing");
	return false;
}

/* Where a new row goes in the chain: its id and hashes. */
struct link {
	int64_t id;
	char prev_hash[SHA256_HEX];
	char row_hash[SHA256_HEX];
};

/* Appends ROW inside the caller's BEGIN IMMEDIATE transaction; the write
 * lock is what makes "read the last row, then insert after it" safe. The
 * outbox entry of a row that aired goes in the same transaction: the row
 * and the province's copy of it to come are one write, never one without
 * the other. */
static int append_locked(struct db *db, const struct ledger_row *row, struct link *link)
{
	static const char insert[] =
		"INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, started_at, ended_at,"
		" frames, played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
		" content_sha256, xruns, prev_hash, row_hash, actor, relay_source, relay_url, origin,"
		" province_schedule, province_bulletin)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
		" ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)";
	sqlite3 *h = db_sqlite(db);
	struct ledger_row r = *row;
	char content[SHA256_HEX];
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(h, "SELECT id, row_hash FROM ledger ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the end of the ledger"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		r.id = sqlite3_column_int64(st, 0) + 1;
		col_hex(st, 1, r.prev_hash);
	} else if (rc == SQLITE_DONE) {
		r.id = 1;
		snprintf(r.prev_hash, sizeof(r.prev_hash), "%s", LEDGER_GENESIS_HASH);
	} else {
		rc = db_fail(db, N_("reading the end of the ledger"));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (ledger_row_hash(&r, r.row_hash) < 0)
		return -EINVAL;

	memcpy(content, r.content_sha256, SHA256_HEX - 1);
	content[SHA256_HEX - 1] = '\0';
	if (sqlite3_prepare_v2(h, insert, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("appending to the ledger"));
	rc = sqlite3_bind_int64(st, 1, r.id) |
	     bind_text(st, 2, air_kind_name(r.kind)) |
	     bind_opt_int(st, 3, r.occurrence_at) |
	     sqlite3_bind_int64(st, 4, r.scheduled_at) |
	     bind_opt_int(st, 5, r.started_at) |
	     bind_opt_int(st, 6, r.ended_at) |
	     sqlite3_bind_int64(st, 7, r.frames) |
	     sqlite3_bind_int64(st, 8, r.played_ms) |
	     bind_text(st, 9, outcome_name(r.outcome)) |
	     bind_text(st, 10, r.reason) |
	     bind_opt_int(st, 11, r.bulletin_id) |
	     bind_text(st, 12, r.title) |
	     bind_text(st, 13, r.topic) |
	     bind_text(st, 14, r.plan) |
	     bind_text(st, 15, r.slot) |
	     bind_text(st, 16, content) |
	     sqlite3_bind_int(st, 17, r.xruns) |
	     bind_text(st, 18, r.prev_hash) |
	     bind_text(st, 19, r.row_hash) |
	     bind_text(st, 20, r.by) |
	     bind_text(st, 21, r.relay_source) |
	     bind_text(st, 22, r.relay_url) |
	     bind_text(st, 23, r.origin) |
	     bind_text(st, 24, r.province_schedule) |
	     bind_text(st, 25, r.province_bulletin);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		rc = db_fail(db, N_("appending to the ledger"));
		sqlite3_finalize(st);
		return rc;
	}
	sqlite3_finalize(st);
	if (outbox_wants(&r) && (rc = outbox_enqueue_locked(db, &r, time_now_ms())) < 0)
		return rc;
	link->id = r.id;
	memcpy(link->prev_hash, r.prev_hash, SHA256_HEX);
	memcpy(link->row_hash, r.row_hash, SHA256_HEX);
	return 0;
}

/* Only after the commit: a rolled-back row must not look appended. */
static void apply_link(struct ledger_row *row, const struct link *link)
{
	row->id = link->id;
	memcpy(row->prev_hash, link->prev_hash, SHA256_HEX);
	memcpy(row->row_hash, link->row_hash, SHA256_HEX);
}

/* Commits, or rolls back when R (the result so far) or the commit failed. */
static int finish_tx(struct db *db, int r)
{
	if (r >= 0 && db_commit(db) < 0)
		r = -EIO;
	if (r < 0)
		db_rollback(db);
	return r;
}

int ledger_append(struct db *db, struct ledger_row *row)
{
	struct link link;
	int r;

	if (!row_valid(row))
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = finish_tx(db, append_locked(db, row, &link));
	if (r < 0)
		return r;
	apply_link(row, &link);
	return 0;
}

#define LEDGER_COLS \
	"id, kind, occurrence_at, scheduled_at, started_at, ended_at, frames, played_ms," \
	" outcome, reason, bulletin_id, title, topic, plan, slot, content_sha256, xruns," \
	" prev_hash, row_hash, actor, relay_source, relay_url, origin, province_schedule, province_bulletin"

/* One row of a SELECT LEDGER_COLS. */
static int read_row(sqlite3_stmt *st, struct ledger_row *r)
{
	const char *kind = (const char *)sqlite3_column_text(st, 1);
	const char *outcome = (const char *)sqlite3_column_text(st, 8);

	memset(r, 0, sizeof(*r));
	r->id = sqlite3_column_int64(st, 0);
	/* The CHECK constraints make this impossible short of editing the
	 * file by hand; say which row, since that is then the question. */
	if (air_kind_parse(kind, &r->kind) < 0 || outcome_parse(outcome, &r->outcome) < 0) {
		log_err(_("ledger row %" PRId64 ": unknown kind '%s' or outcome '%s'; run loa verify"),
			r->id, kind ? kind : "", outcome ? outcome : "");
		return -EIO;
	}
	r->occurrence_at = sqlite3_column_int64(st, 2);
	r->scheduled_at = sqlite3_column_int64(st, 3);
	r->started_at = sqlite3_column_int64(st, 4);
	r->ended_at = sqlite3_column_int64(st, 5);
	r->frames = sqlite3_column_int64(st, 6);
	r->played_ms = sqlite3_column_int64(st, 7);
	r->reason = col_strdup(st, 9);
	r->bulletin_id = sqlite3_column_int64(st, 10);
	r->title = col_strdup(st, 11);
	r->topic = col_strdup(st, 12);
	r->plan = col_strdup(st, 13);
	r->slot = col_strdup(st, 14);
	col_hex(st, 15, r->content_sha256);
	r->xruns = sqlite3_column_int(st, 16);
	col_hex(st, 17, r->prev_hash);
	col_hex(st, 18, r->row_hash);
	r->by = col_strdup(st, 19);
	r->relay_source = col_strdup(st, 20);
	r->relay_url = col_strdup(st, 21);
	r->origin = col_strdup(st, 22);
	r->province_schedule = col_strdup(st, 23);
	r->province_bulletin = col_strdup(st, 24);
	return 0;
}

int ledger_get(struct db *db, int64_t id, struct ledger_row *out)
{
	sqlite3_stmt *st;
	int rc, r;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT " LEDGER_COLS " FROM ledger WHERE id = ?1", -1, &st,
			       NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the ledger"));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		r = read_row(st, out);
	else if (rc == SQLITE_DONE)
		r = -ENOENT;
	else
		r = db_fail(db, N_("reading the ledger"));
	sqlite3_finalize(st);
	return r;
}

int ledger_query(struct db *db, int64_t from_ms, int64_t to_ms, struct ledger_row **out, size_t *n)
{
	struct ledger_row *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT " LEDGER_COLS " FROM ledger"
			       " WHERE scheduled_at >= ?1 AND scheduled_at < ?2 ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the ledger"));
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&v, &cap, len + 1, sizeof(*v));
		r = read_row(st, &v[len]);
		if (r < 0)
			break;
		len++;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = db_fail(db, N_("reading the ledger"));
	sqlite3_finalize(st);
	if (r < 0) {
		ledger_rows_free(v, len);
		return r;
	}
	*out = v;
	*n = len;
	return 0;
}

int ledger_occurrence_items(struct db *db, const char *slot, int64_t occurrence_at, int64_t **ids, size_t *n)
{
	int64_t *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*ids = NULL;
	*n = 0;
	/* The ledger_item index finds them; the in-flight table holds one row at most. */
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "SELECT coalesce(bulletin_id, 0) FROM ledger WHERE slot = ?1 AND occurrence_at = ?2"
			       " UNION SELECT coalesce(bulletin_id, 0) FROM inflight WHERE slot = ?1 AND occurrence_at = ?2"
			       " UNION SELECT coalesce(bulletin_id, 0) FROM inflight_held"
			       " WHERE slot = ?1 AND occurrence_at = ?2"
			       " ORDER BY 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("looking up an item in the ledger"));
	bind_text(st, 1, slot);
	sqlite3_bind_int64(st, 2, occurrence_at);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&v, &cap, len + 1, sizeof(*v));
		v[len++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		return db_fail(db, N_("looking up an item in the ledger"));
	}
	*ids = v;
	*n = len;
	return 0;
}

int64_t ledger_last_occurrence(struct db *db)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	/* The daemon asks this at every start, so it must not read the
	 * whole ledger (a year at a busy station is a million rows, 80 % of
	 * start-up in bench/). A plain max() over occurrence_at has no index
	 * to use; ledger_item (slot, occurrence_at, ...) gives each slot's
	 * latest in one index probe, and the recursive part walks the
	 * distinct slots through the same index (a loose index scan), so the
	 * cost grows with the number of slots, not of rows. */
	if (sqlite3_prepare_v2(db_sqlite(db),
			       "WITH RECURSIVE s(slot) AS ("
			       " SELECT min(slot) FROM ledger"
			       " UNION ALL SELECT (SELECT min(slot) FROM ledger WHERE slot > s.slot)"
			       " FROM s WHERE s.slot IS NOT NULL)"
			       " SELECT max((SELECT max(occurrence_at) FROM ledger"
			       " WHERE slot = s.slot AND kind = 'slot')) FROM s",
			       -1, &st, NULL) != SQLITE_OK) {
		db_fail(db, N_("reading the last occurrence in the ledger"));
		return 0;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0); /* NULL (empty ledger) reads as 0 */
	else
		db_fail(db, N_("reading the last occurrence in the ledger"));
	sqlite3_finalize(st);
	return v;
}

int ledger_head(struct db *db, char out[SHA256_HEX], int64_t *id)
{
	sqlite3_stmt *st;
	int rc;

	snprintf(out, SHA256_HEX, "%s", LEDGER_GENESIS_HASH);
	if (id)
		*id = 0;
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT id, row_hash FROM ledger ORDER BY id DESC LIMIT 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the end of the ledger"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		if (id)
			*id = sqlite3_column_int64(st, 0);
		col_hex(st, 1, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = 0;
	} else {
		rc = db_fail(db, N_("reading the end of the ledger"));
	}
	sqlite3_finalize(st);
	return rc;
}

void ledger_row_done(struct ledger_row *row)
{
	if (!row)
		return;
	free(row->reason);
	free(row->title);
	free(row->topic);
	free(row->plan);
	free(row->slot);
	free(row->by);
	free(row->relay_source);
	free(row->relay_url);
	free(row->origin);
	free(row->province_schedule);
	free(row->province_bulletin);
	memset(row, 0, sizeof(*row));
}

void ledger_rows_free(struct ledger_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		ledger_row_done(&v[i]);
	free(v);
}

/* The in-flight record's columns, in both of its tables. */
#define INFLIGHT_COLS \
	"id, kind, occurrence_at, scheduled_at, started_at, bulletin_id, title, topic, plan, slot," \
	" content_sha256, sample_rate, frames, checkpoint_at, actor, relay_source, relay_url, priority, origin," \
	" province_schedule, province_bulletin"

/* Turns the record in TABLE (inflight or inflight_held), if any, into a
 * `partial` row, inside the caller's transaction. Returns 1, 0 (none) or
 * -EIO. */
static int recover_table(struct db *db, const char *table)
{
	struct ledger_row row = { .kind = KIND_SLOT, .outcome = OUTCOME_PARTIAL };
	int64_t sample_rate, checkpoint_at;
	struct link link;
	sqlite3_stmt *st;
	int rc, r;

	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT kind, occurrence_at, scheduled_at, started_at, bulletin_id,"
		 " title, topic, plan, slot, content_sha256, sample_rate, frames,"
		 " checkpoint_at, actor, relay_source, relay_url, origin, province_schedule, province_bulletin,"
		 /* An item put on air by a loa before schema 5 has no
		  * priority of its own: its bulletin's now. */
		 " coalesce(priority, (SELECT priority FROM bulletins b WHERE b.id = bulletin_id), 0)"
		 " FROM %s WHERE id = 1", table);
	if (sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the item that was on air"));
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		return 0;
	}
	if (rc != SQLITE_ROW) {
		r = db_fail(db, N_("reading the item that was on air"));
		sqlite3_finalize(st);
		return r;
	}
	if (air_kind_parse((const char *)sqlite3_column_text(st, 0), &row.kind) < 0) {
		log_err(_("the item that was on air has an unknown kind; run loa verify"));
		sqlite3_finalize(st);
		return -EIO;
	}
	row.occurrence_at = sqlite3_column_int64(st, 1);
	row.scheduled_at = sqlite3_column_int64(st, 2);
	row.started_at = sqlite3_column_int64(st, 3);
	row.bulletin_id = sqlite3_column_int64(st, 4);
	row.title = col_strdup(st, 5);
	row.topic = col_strdup(st, 6);
	row.plan = col_strdup(st, 7);
	row.slot = col_strdup(st, 8);
	col_hex(st, 9, row.content_sha256);
	sample_rate = sqlite3_column_int64(st, 10);
	row.frames = sqlite3_column_int64(st, 11);
	checkpoint_at = sqlite3_column_int64(st, 12);
	row.by = col_strdup(st, 13);
	row.relay_source = col_strdup(st, 14);
	row.relay_url = col_strdup(st, 15);
	row.origin = col_strdup(st, 16);
	row.province_schedule = col_strdup(st, 17);
	row.province_bulletin = col_strdup(st, 18);
	row.priority = sqlite3_column_int(st, 19);
	sqlite3_finalize(st);

	row.played_ms = sample_rate > 0 ? row.frames * 1000 / sample_rate : 0;
	/* The last checkpoint is the last moment it is known to have been
	 * playing; without one, assume it played exactly what was counted. */
	if (checkpoint_at)
		row.ended_at = checkpoint_at;
	else if (row.started_at)
		row.ended_at = row.started_at + row.played_ms;
	row.reason = xasprintf("interrupted: loa stopped while this item was on air (power cut "
			       "or crash); %" PRId64 " ms known to have played", row.played_ms);

	r = append_locked(db, &row, &link);
	snprintf(sql, sizeof(sql), "DELETE FROM %s", table);
	if (r == 0 && sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		r = db_fail(db, N_("clearing the item that was on air"));
	if (r == 0) {
		log_notice(_("ledger: \"%s\" was on air when loa stopped; recorded as partial, "
			   "%" PRId64 " ms played (row %" PRId64 ")"), row.title ? row.title : "",
			   row.played_ms, link.id);
		r = 1;
	}
	ledger_row_done(&row);
	return r;
}

static int recover_locked(struct db *db)
{
	return recover_table(db, "inflight");
}

int ledger_recover_inflight(struct db *db)
{
	int r = db_begin(db), h;

	if (r < 0)
		return r;
	r = recover_locked(db);
	/* The relay an alert preempted, after the alert. */
	h = r < 0 ? r : recover_table(db, "inflight_held");
	r = finish_tx(db, h < 0 ? h : r + h);
	return r;
}

/* Moves the record of FROM into TO, inside the caller's transaction:
 * whatever TO holds is recorded as partial first (nothing is ever
 * overwritten). */
static int move_locked(struct db *db, const char *from, const char *to)
{
	char sql[1024];
	int r = recover_table(db, to);

	if (r < 0)
		return r;
	if (r == 1)
		log_warn(_("ledger: an earlier item was still marked as on air; recorded it as partial"));
	snprintf(sql, sizeof(sql), "INSERT INTO %s (" INFLIGHT_COLS ") SELECT " INFLIGHT_COLS " FROM %s;"
		 " DELETE FROM %s", to, from, from);
	if (sqlite3_exec(db_sqlite(db), sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, N_("recording the item on air"));
	return 0;
}

int ledger_inflight_hold(struct db *db)
{
	int r = db_begin(db);

	if (r < 0)
		return r;
	return finish_tx(db, move_locked(db, "inflight", "inflight_held"));
}

int ledger_inflight_resume(struct db *db)
{
	int64_t n = 0;
	int r = db_begin(db);

	if (r < 0)
		return r;
	/* Nothing held (its relay's begin never reached the disk, say): the
	 * in-flight record, whatever it is, stays where it is. */
	if (db_query_int(db_sqlite(db), "SELECT count(*) FROM inflight_held", &n) != SQLITE_OK)
		return finish_tx(db, db_fail(db, N_("recording the item on air")));
	if (n == 0)
		return finish_tx(db, 0);
	return finish_tx(db, move_locked(db, "inflight_held", "inflight"));
}

int ledger_inflight_begin(struct db *db, const struct ledger_row *row, int sample_rate)
{
	char content[SHA256_HEX];
	sqlite3_stmt *st;
	int r;

	if (!row_valid(row))
		return -EINVAL;
	if (sample_rate <= 0) {
		log_err(_("ledger: refusing an item on air with sample rate %d (a bug in loa)"), sample_rate);
		return -EINVAL;
	}
	r = db_begin(db);
	if (r < 0)
		return r;
	/* A record still here means an earlier item was never finished (its
	 * finish failed); replacing it would lose that item's row. */
	r = recover_locked(db);
	if (r == 1)
		log_warn(_("ledger: an earlier item was still marked as on air; recorded it as partial"));
	if (r < 0)
		return finish_tx(db, r);

	if (sqlite3_prepare_v2(db_sqlite(db),
			       "INSERT INTO inflight (id, kind, occurrence_at, scheduled_at, started_at,"
			       " bulletin_id, title, topic, plan, slot, content_sha256, sample_rate,"
			       " frames, checkpoint_at, actor, relay_source, relay_url, priority, origin,"
			       " province_schedule, province_bulletin)"
			       " VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13, ?14, ?15,"
			       " ?16, ?17, ?18, ?19)",
			       -1, &st, NULL) != SQLITE_OK)
		return finish_tx(db, db_fail(db, N_("recording the item on air")));
	memcpy(content, row->content_sha256, SHA256_HEX - 1);
	content[SHA256_HEX - 1] = '\0';
	r = bind_text(st, 1, air_kind_name(row->kind)) |
	    bind_opt_int(st, 2, row->occurrence_at) |
	    sqlite3_bind_int64(st, 3, row->scheduled_at) |
	    bind_opt_int(st, 4, row->started_at) |
	    bind_opt_int(st, 5, row->bulletin_id) |
	    bind_text(st, 6, row->title) |
	    bind_text(st, 7, row->topic) |
	    bind_text(st, 8, row->plan) |
	    bind_text(st, 9, row->slot) |
	    bind_text(st, 10, content) |
	    sqlite3_bind_int(st, 11, sample_rate) |
	    sqlite3_bind_int64(st, 12, row->frames) |
	    bind_text(st, 13, row->by) |
	    bind_text(st, 14, row->relay_source) |
	    bind_text(st, 15, row->relay_url) |
	    sqlite3_bind_int(st, 16, row->priority) |
	    bind_text(st, 17, row->origin) |
	    bind_text(st, 18, row->province_schedule) |
	    bind_text(st, 19, row->province_bulletin);
	if (r != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(db, N_("recording the item on air"));
	else
		r = 0;
	sqlite3_finalize(st);
	return finish_tx(db, r);
}

int ledger_inflight_checkpoint(struct db *db, int64_t frames, int64_t now_ms)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	int r = 0;

	/* Autocommit: one statement is its own durable transaction. */
	if (sqlite3_prepare_v2(h, "UPDATE inflight SET frames = ?1, checkpoint_at = ?2 WHERE id = 1",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("checkpointing the item on air"));
	sqlite3_bind_int64(st, 1, frames);
	sqlite3_bind_int64(st, 2, now_ms);
	if (sqlite3_step(st) != SQLITE_DONE)
		r = db_fail(db, N_("checkpointing the item on air"));
	else if (sqlite3_changes(h) == 0)
		r = -ENOENT;
	sqlite3_finalize(st);
	return r;
}

int ledger_inflight_finish(struct db *db, struct ledger_row *row)
{
	struct link link;
	int r;

	if (!row_valid(row))
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = append_locked(db, row, &link);
	if (r == 0 && sqlite3_exec(db_sqlite(db), "DELETE FROM inflight", NULL, NULL, NULL) != SQLITE_OK)
		r = db_fail(db, N_("clearing the item on air"));
	r = finish_tx(db, r);
	if (r < 0)
		return r;
	apply_link(row, &link);
	return 0;
}

void ledger_row_json(struct json *j, const struct ledger_row *r)
{
	json_object_begin(j);
	json_kv_int(j, "id", r->id);
	json_kv_string(j, "kind", air_kind_name(r->kind));
	json_kv_int(j, "bulletin_id", r->bulletin_id);
	json_kv_string(j, "title", r->title);
	json_kv_string(j, "topic", r->topic);
	json_kv_string(j, "plan", r->plan);
	json_kv_string(j, "slot", r->slot);
	json_kv_time(j, "occurrence_at", r->occurrence_at);
	json_kv_time(j, "scheduled_at", r->scheduled_at);
	json_kv_time(j, "started_at", r->started_at);
	json_kv_time(j, "ended_at", r->ended_at);
	json_kv_int(j, "played_ms", r->played_ms);
	json_kv_int(j, "frames", r->frames);
	json_kv_string(j, "outcome", outcome_name(r->outcome));
	json_kv_string(j, "reason", r->reason);
	json_kv_int(j, "xruns", r->xruns);
	json_kv_string(j, "content_sha256", r->content_sha256);
	json_kv_string(j, "row_hash", r->row_hash);
	json_kv_string(j, "by", r->by);
	json_kv_string(j, "relay_source", r->relay_source);
	json_kv_string(j, "relay_url", r->relay_url);
	json_kv_string(j, "origin", r->origin ? r->origin : "local");
	json_kv_string(j, "province_schedule", r->province_schedule);
	json_kv_string(j, "province_bulletin", r->province_bulletin);
	json_object_end(j);
}
