/* The bulletin library in the station database: adding bulletins with their
 * slots, and reading them back for the planner, `loa list` and reports.
 * Open ends are stored as NULL (validity windows, -infinity levels, not
 * retired), so the SQL and the reports read naturally. */
#include "content/library.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static const char *const priority_names[] = {
	[PRIO_NORMAL] = "normal",
	[PRIO_PRIORITY] = "priority",
	[PRIO_EMERGENCY] = "emergency",
};
#define PRIO_COUNT (sizeof(priority_names) / sizeof(priority_names[0]))

const char *priority_name(enum priority p)
{
	return (unsigned)p < PRIO_COUNT ? priority_names[p] : NULL;
}

int priority_parse(const char *s, enum priority *out)
{
	for (unsigned i = 0; s && i < PRIO_COUNT; i++) {
		if (strcmp(s, priority_names[i]) == 0) {
			*out = (enum priority)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool bulletin_in_slot(const struct bulletin *b, const char *name)
{
	for (size_t i = 0; name && i < b->n_slots; i++)
		if (strcmp(b->slots[i], name) == 0)
			return true;
	return false;
}

/* Hundredths: what a gain computed again from the same stored loudness
 * and config may differ by is far below them, and a real change of the
 * target or trim far above. */
bool bulletin_makeup_fits(const struct bulletin_makeup *m, double gain_db, double ceiling_dbtp, int version)
{
	return m->known && m->version == version && lround(m->gain_db * 100) == lround(gain_db * 100) &&
	       lround(m->ceiling_dbtp * 100) == lround(ceiling_dbtp * 100);
}

void bulletin_done(struct bulletin *b)
{
	if (!b)
		return;
	free(b->title);
	free(b->topic);
	free(b->plan);
	for (size_t i = 0; i < b->n_slots; i++)
		free(b->slots[i]);
	free(b->slots);
	free(b->path);
	free(b->source_name);
	free(b->origin);
	free(b->province_id);
	free(b->author);
	memset(b, 0, sizeof(*b));
}

void bulletins_free(struct bulletin *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bulletin_done(&v[i]);
	free(v);
}

static int bind_text(sqlite3_stmt *st, int i, const char *s)
{
	return s ? sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

/* -infinity (silence, unmeasurable) and NaN have no SQL value: NULL. */
static int bind_level(sqlite3_stmt *st, int i, double v)
{
	return isnan(v) || (isinf(v) && v < 0) ? sqlite3_bind_null(st, i) : sqlite3_bind_double(st, i, v);
}

static double col_level(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? -INFINITY : sqlite3_column_double(st, i);
}

/* The make-up and its key as four values from I on, all NULL when it is
 * not known. */
static int bind_makeup(sqlite3_stmt *st, int i, const struct bulletin_makeup *m)
{
	if (!m->known)
		return sqlite3_bind_null(st, i) | sqlite3_bind_null(st, i + 1) | sqlite3_bind_null(st, i + 2) |
		       sqlite3_bind_null(st, i + 3);
	return sqlite3_bind_double(st, i, m->db) | sqlite3_bind_double(st, i + 1, m->gain_db) |
	       sqlite3_bind_double(st, i + 2, m->ceiling_dbtp) | sqlite3_bind_int(st, i + 3, m->version);
}

/* A make-up is known only with the whole of its key. */
static void col_makeup(sqlite3_stmt *st, int i, struct bulletin_makeup *m)
{
	m->known = true;
	for (int k = i; k < i + 4; k++)
		m->known &= sqlite3_column_type(st, k) != SQLITE_NULL;
	if (!m->known)
		return;
	m->db = sqlite3_column_double(st, i);
	m->gain_db = sqlite3_column_double(st, i + 1);
	m->ceiling_dbtp = sqlite3_column_double(st, i + 2);
	m->version = sqlite3_column_int(st, i + 3);
}

static int bind_day(sqlite3_stmt *st, int i, int32_t day, int32_t open)
{
	return day == open ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, day);
}

static int32_t col_day(sqlite3_stmt *st, int i, int32_t open)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? open : sqlite3_column_int(st, i);
}

static bool bulletin_valid(const struct bulletin *b)
{
	if (b->title && b->path && b->source_name && priority_name(b->priority) &&
	    b->audio.sample_rate > 0 && b->audio.channels > 0)
		return true;
	log_err(_("library: refusing bulletin \"%s\": title, path, source name, priority and audio "
		"format must all be set (a bug in loa)"), b->title ? b->title : "");
	return false;
}

/* Inside a transaction: B's slots for bulletin ID. OR IGNORE: naming a
 * slot twice means it once. */
static int insert_slots(sqlite3 *h, int64_t id, const struct bulletin *b)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h, "INSERT OR IGNORE INTO bulletin_slots (bulletin_id, slot) VALUES (?1, ?2)",
				    -1, &st, NULL);

	for (size_t i = 0; rc == SQLITE_OK && i < b->n_slots; i++) {
		sqlite3_reset(st);
		rc = sqlite3_bind_int64(st, 1, id) | bind_text(st, 2, b->slots[i]);
		if (rc == SQLITE_OK && sqlite3_step(st) != SQLITE_DONE)
			rc = SQLITE_ERROR;
	}
	sqlite3_finalize(st);
	return rc;
}

int library_add(struct db *db, struct bulletin *b)
{
	sqlite3 *h = db_sqlite(db);
	char sha[SHA256_HEX], format[sizeof(b->audio.format)];
	sqlite3_stmt *st = NULL;
	int64_t id = 0;
	int r, rc;

	if (!bulletin_valid(b))
		return -EINVAL;
	memcpy(sha, b->sha256, sizeof(sha) - 1);
	sha[sizeof(sha) - 1] = '\0';
	memcpy(format, b->audio.format, sizeof(format) - 1);
	format[sizeof(format) - 1] = '\0';

	r = db_begin(db);
	if (r < 0)
		return r;
	if (sqlite3_prepare_v2(h,
			       "INSERT INTO bulletins (title, topic, plan, priority, valid_from,"
			       " valid_until, sha256, path, source_name, format, frames, duration_ms,"
			       " sample_rate, channels, peak_dbfs, loudness_lufs, true_peak_dbtp,"
			       " imported_at, retired_at, makeup_db, makeup_gain_db, makeup_ceiling_dbtp,"
			       " makeup_version, origin, province_id, author)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
			       " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	rc = bind_text(st, 1, b->title) |
	     bind_text(st, 2, b->topic) |
	     bind_text(st, 3, b->plan) |
	     sqlite3_bind_int(st, 4, (int)b->priority) |
	     bind_day(st, 5, b->valid_from, DAY_NONE_BEFORE) |
	     bind_day(st, 6, b->valid_until, DAY_NONE_AFTER) |
	     bind_text(st, 7, sha) |
	     bind_text(st, 8, b->path) |
	     bind_text(st, 9, b->source_name) |
	     bind_text(st, 10, format) |
	     sqlite3_bind_int64(st, 11, b->audio.frames) |
	     sqlite3_bind_int64(st, 12, b->audio.duration_ms) |
	     sqlite3_bind_int(st, 13, b->audio.sample_rate) |
	     sqlite3_bind_int(st, 14, b->audio.channels) |
	     bind_level(st, 15, b->audio.peak_dbfs) |
	     bind_level(st, 16, b->audio.loudness_lufs) |
	     bind_level(st, 17, b->audio.true_peak_dbtp) |
	     sqlite3_bind_int64(st, 18, b->imported_at);
	rc |= b->retired_at ? sqlite3_bind_int64(st, 19, b->retired_at) : sqlite3_bind_null(st, 19);
	rc |= bind_makeup(st, 20, &b->makeup);
	rc |= bind_text(st, 24, b->origin) | bind_text(st, 25, b->province_id) | bind_text(st, 26, b->author);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	id = sqlite3_last_insert_rowid(h);
	sqlite3_finalize(st);

	st = NULL;
	if (insert_slots(h, id, b) != SQLITE_OK)
		goto fail;
	if (db_commit(db) < 0) {
		db_rollback(db);
		return -EIO;
	}
	b->id = id;
	return 0;
fail:
	r = db_fail(db, N_("adding a bulletin to the library"));
	sqlite3_finalize(st);
	db_rollback(db);
	return r;
}

#define BULLETIN_COLS \
	"id, title, topic, plan, priority, valid_from, valid_until, sha256, path, source_name," \
	" format, frames, duration_ms, sample_rate, channels, peak_dbfs, loudness_lufs," \
	" true_peak_dbtp, imported_at, retired_at, makeup_db, makeup_gain_db, makeup_ceiling_dbtp," \
	" makeup_version, origin, province_id, author"

/* One row of a SELECT BULLETIN_COLS, slots not included. */
static void read_bulletin(sqlite3_stmt *st, struct bulletin *b)
{
	const char *s;

	memset(b, 0, sizeof(*b));
	b->id = sqlite3_column_int64(st, 0);
	b->title = xstrdup_or_null((const char *)sqlite3_column_text(st, 1));
	b->topic = xstrdup_or_null((const char *)sqlite3_column_text(st, 2));
	b->plan = xstrdup_or_null((const char *)sqlite3_column_text(st, 3));
	b->priority = (enum priority)sqlite3_column_int(st, 4);
	b->valid_from = col_day(st, 5, DAY_NONE_BEFORE);
	b->valid_until = col_day(st, 6, DAY_NONE_AFTER);
	s = (const char *)sqlite3_column_text(st, 7);
	snprintf(b->sha256, sizeof(b->sha256), "%s", s ? s : "");
	b->path = xstrdup_or_null((const char *)sqlite3_column_text(st, 8));
	b->source_name = xstrdup_or_null((const char *)sqlite3_column_text(st, 9));
	s = (const char *)sqlite3_column_text(st, 10);
	snprintf(b->audio.format, sizeof(b->audio.format), "%s", s ? s : "");
	b->audio.frames = sqlite3_column_int64(st, 11);
	b->audio.duration_ms = sqlite3_column_int64(st, 12);
	b->audio.sample_rate = sqlite3_column_int(st, 13);
	b->audio.channels = sqlite3_column_int(st, 14);
	b->audio.peak_dbfs = col_level(st, 15);
	b->audio.loudness_lufs = col_level(st, 16);
	b->audio.true_peak_dbtp = col_level(st, 17);
	b->imported_at = sqlite3_column_int64(st, 18);
	b->retired_at = sqlite3_column_int64(st, 19);
	col_makeup(st, 20, &b->makeup);
	b->origin = xstrdup_or_null((const char *)sqlite3_column_text(st, 24));
	b->province_id = xstrdup_or_null((const char *)sqlite3_column_text(st, 25));
	b->author = xstrdup_or_null((const char *)sqlite3_column_text(st, 26));
}

bool bulletin_from_province(const struct bulletin *b)
{
	return b->origin && !strcmp(b->origin, "province");
}

static void add_slot(struct bulletin *b, const char *name, size_t *cap)
{
	xgrow(&b->slots, cap, b->n_slots + 1, sizeof(*b->slots));
	b->slots[b->n_slots++] = xstrdup(name ? name : "");
}

/* The bulletins and their slots come from two SELECTs; one read transaction
 * makes them see the same snapshot, so an import in between cannot give a
 * bulletin without its slots. Inside a caller's transaction they already do. */
static bool read_begin(struct db *db)
{
	sqlite3 *h = db_sqlite(db);

	return sqlite3_get_autocommit(h) && sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
}

static void read_end(struct db *db, bool began)
{
	if (began)
		sqlite3_exec(db_sqlite(db), "COMMIT", NULL, NULL, NULL);
}

/* What a list reads: the bulletins (as b) matching WHERE, whose named
 * parameters are bound from ARGS where they appear. */
struct list_args {
	int include_retired;
	const char *slot;
	int32_t day;
	int64_t t;
	const char *sha256;
};

static void bind_args(sqlite3_stmt *st, const struct list_args *a)
{
	int i;

	if ((i = sqlite3_bind_parameter_index(st, ":retired")) > 0)
		sqlite3_bind_int(st, i, a->include_retired);
	if ((i = sqlite3_bind_parameter_index(st, ":slot")) > 0)
		sqlite3_bind_text(st, i, a->slot, -1, SQLITE_STATIC);
	if ((i = sqlite3_bind_parameter_index(st, ":day")) > 0)
		sqlite3_bind_int(st, i, a->day);
	if ((i = sqlite3_bind_parameter_index(st, ":t")) > 0)
		sqlite3_bind_int64(st, i, a->t);
	if ((i = sqlite3_bind_parameter_index(st, ":sha")) > 0)
		sqlite3_bind_text(st, i, a->sha256, -1, SQLITE_STATIC);
}

/* FEW says the WHERE keeps a handful of the library: their slots are then
 * looked up bulletin by bulletin rather than matched over all of them. */
static int list_where(struct db *db, const char *where, bool few, const struct list_args *args,
		      struct bulletin **out, size_t *n)
{
	sqlite3 *h = db_sqlite(db);
	struct bulletin *v = NULL;
	size_t len = 0, cap = 0, *slot_cap = NULL, j = 0;
	sqlite3_stmt *st = NULL;
	char *sql;
	bool began;
	int rc, r = 0;

	*out = NULL;
	*n = 0;
	began = read_begin(db);
	sql = sqlite3_mprintf("SELECT " BULLETIN_COLS " FROM bulletins AS b WHERE %s ORDER BY id", where);
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		goto fail;
	bind_args(st, args);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		xgrow(&v, &cap, len + 1, sizeof(*v));
		read_bulletin(st, &v[len++]);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);

	/* All slots in one go, in the same order as the bulletins, merged in
	 * one pass; rowid keeps each bulletin's slots in the order given. */
	if (few)
		sql = sqlite3_mprintf("SELECT bulletin_id, slot FROM bulletin_slots WHERE bulletin_id = ?1"
				      " ORDER BY rowid");
	else
		sql = sqlite3_mprintf("SELECT s.bulletin_id, s.slot FROM bulletin_slots AS s"
				      " JOIN bulletins AS b ON b.id = s.bulletin_id"
				      " WHERE %s ORDER BY s.bulletin_id, s.rowid", where);
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK)
		goto fail;
	if (!few)
		bind_args(st, args);
	slot_cap = xcalloc(len ? len : 1, sizeof(*slot_cap));
	for (size_t k = 0; few && k < len; k++) {
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, v[k].id);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			add_slot(&v[k], (const char *)sqlite3_column_text(st, 1), &slot_cap[k]);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	while (!few && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);

		while (j < len && v[j].id < id)
			j++;
		if (j < len && v[j].id == id)
			add_slot(&v[j], (const char *)sqlite3_column_text(st, 1), &slot_cap[j]);
	}
	if (!few && rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	free(slot_cap);
	read_end(db, began);
	*out = v;
	*n = len;
	return 0;
fail:
	r = db_fail(db, N_("reading the library"));
	sqlite3_finalize(st);
	free(slot_cap);
	read_end(db, began);
	bulletins_free(v, len);
	return r;
}

int library_list(struct db *db, bool include_retired, struct bulletin **out, size_t *n)
{
	struct list_args a = { .include_retired = include_retired };

	return list_where(db, ":retired OR b.retired_at IS NULL", false, &a, out, n);
}

int library_for_slot(struct db *db, const char *slot, int32_t day, int64_t t, struct bulletin **out, size_t *n)
{
	struct list_args a = { .slot = slot, .day = day, .t = t };
	int r = list_where(db,
			   "b.imported_at <= :t AND (b.retired_at IS NULL OR b.retired_at > :t)"
			   " AND (b.valid_from IS NULL OR b.valid_from <= :day)"
			   " AND (b.valid_until IS NULL OR b.valid_until >= :day)"
			   " AND EXISTS (SELECT 1 FROM bulletin_slots AS a WHERE a.bulletin_id = b.id AND a.slot = :slot)",
			   true, &a, out, n);

	for (size_t i = 0; r == 0 && i < *n; i++)
		(*out)[i].retired_at = 0;
	return r;
}

int library_with_content(struct db *db, const char *sha256, struct bulletin **out, size_t *n)
{
	struct list_args a = { .sha256 = sha256 };

	return list_where(db, "b.sha256 = :sha AND b.retired_at IS NULL", true, &a, out, n);
}

int library_get(struct db *db, int64_t id, struct bulletin *out)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	size_t slot_cap = 0;
	bool began;
	int rc, r;

	memset(out, 0, sizeof(*out));
	began = read_begin(db);
	if (sqlite3_prepare_v2(h, "SELECT " BULLETIN_COLS " FROM bulletins WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		sqlite3_finalize(st);
		read_end(db, began);
		return -ENOENT;
	}
	if (rc != SQLITE_ROW)
		goto fail;
	read_bulletin(st, out);
	sqlite3_finalize(st);

	if (sqlite3_prepare_v2(h, "SELECT slot FROM bulletin_slots WHERE bulletin_id = ?1 ORDER BY rowid",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		add_slot(out, (const char *)sqlite3_column_text(st, 0), &slot_cap);
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	read_end(db, began);
	return 0;
fail:
	r = db_fail(db, N_("reading a bulletin"));
	sqlite3_finalize(st);
	read_end(db, began);
	bulletin_done(out);
	return r;
}

/* ---- what the audit trail says of a change ---- */

static void put_text(FILE *f, const char *s, bool quoted)
{
	if (!s)
		fputs("-", f);
	else if (quoted)
		fprintf(f, "'%s'", s);
	else
		fputs(s, f);
}

static void put_day(FILE *f, int32_t day, int32_t open)
{
	char buf[16];

	fputs(day == open ? "-" : time_format_day(day, buf), f);
}

/* True if slot I of B was named before in B (a slot named twice is one). */
static bool named_before(const struct bulletin *b, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (!strcmp(b->slots[k], b->slots[i]))
			return true;
	return false;
}

static void put_slots(FILE *f, const struct bulletin *b)
{
	bool any = false;

	for (size_t i = 0; i < b->n_slots; i++) {
		if (named_before(b, i))
			continue;
		fprintf(f, "%s%s", any ? "," : "", b->slots[i]);
		any = true;
	}
	if (!any)
		fputs("-", f);
}

/* The same slots, whatever their order: what bulletin_slots stores. */
static bool same_slots(const struct bulletin *a, const struct bulletin *b)
{
	for (size_t i = 0; i < a->n_slots; i++)
		if (!bulletin_in_slot(b, a->slots[i]))
			return false;
	for (size_t i = 0; i < b->n_slots; i++)
		if (!bulletin_in_slot(a, b->slots[i]))
			return false;
	return true;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Starts field NAME of a detail: "; " between fields. */
static void field(FILE *f, bool *first, const char *name)
{
	fprintf(f, "%s%s: ", *first ? "" : "; ", name);
	*first = false;
}

#define ARROW " -> "

char *bulletin_audit_detail(const struct bulletin *was, const struct bulletin *now)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	bool first = true;

	if (!f)
		abort(); /* out of memory, as xmalloc would */
	if (!was || !same_text(was->title, now->title)) {
		field(f, &first, "title");
		if (was) {
			put_text(f, was->title, true);
			fputs(ARROW, f);
		}
		put_text(f, now->title, true);
	}
	if (was ? !same_text(was->topic, now->topic) : now->topic != NULL) {
		field(f, &first, "topic");
		if (was) {
			put_text(f, was->topic, false);
			fputs(ARROW, f);
		}
		put_text(f, now->topic, false);
	}
	if (was ? !same_text(was->plan, now->plan) : now->plan != NULL) {
		field(f, &first, "plan");
		if (was) {
			put_text(f, was->plan, true);
			fputs(ARROW, f);
		}
		put_text(f, now->plan, true);
	}
	if (was ? was->priority != now->priority : now->priority != PRIO_NORMAL) {
		field(f, &first, "priority");
		if (was)
			fprintf(f, "%s" ARROW, priority_name(was->priority));
		fputs(priority_name(now->priority), f);
	}
	if (was ? was->valid_from != now->valid_from : now->valid_from != DAY_NONE_BEFORE) {
		field(f, &first, "from");
		if (was) {
			put_day(f, was->valid_from, DAY_NONE_BEFORE);
			fputs(ARROW, f);
		}
		put_day(f, now->valid_from, DAY_NONE_BEFORE);
	}
	if (was ? was->valid_until != now->valid_until : now->valid_until != DAY_NONE_AFTER) {
		field(f, &first, "until");
		if (was) {
			put_day(f, was->valid_until, DAY_NONE_AFTER);
			fputs(ARROW, f);
		}
		put_day(f, now->valid_until, DAY_NONE_AFTER);
	}
	if (was ? !same_slots(was, now) : now->n_slots > 0) {
		field(f, &first, "slots");
		if (was) {
			put_slots(f, was);
			fputs(ARROW, f);
		}
		put_slots(f, now);
	}
	if (first)
		fputs("no change", f);
	fclose(f);
	return out;
}

static char *bulletin_target(int64_t id)
{
	return xasprintf("#%lld", (long long)id);
}

int library_update(struct db *db, const struct bulletin *b, const char *actor)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct bulletin was;
	char *detail = NULL, *target = NULL;
	int r, rc;

	if (!bulletin_valid(b))
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	/* What it was, read under the write lock: the trail's "before" is
	 * what this change replaced, whatever another writer did just before. */
	r = library_get(db, b->id, &was);
	if (r == 0 && bulletin_from_province(&was))
		r = -EPERM;
	if (r < 0) {
		bulletin_done(&was);
		db_rollback(db);
		return r;
	}
	if (sqlite3_prepare_v2(h,
			       "UPDATE bulletins SET title = ?2, topic = ?3, plan = ?4, priority = ?5,"
			       " valid_from = ?6, valid_until = ?7 WHERE id = ?1",
			       -1, &st, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_bind_int64(st, 1, b->id) |
	     bind_text(st, 2, b->title) |
	     bind_text(st, 3, b->topic) |
	     bind_text(st, 4, b->plan) |
	     sqlite3_bind_int(st, 5, (int)b->priority) |
	     bind_day(st, 6, b->valid_from, DAY_NONE_BEFORE) |
	     bind_day(st, 7, b->valid_until, DAY_NONE_AFTER);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (sqlite3_prepare_v2(h, "DELETE FROM bulletin_slots WHERE bulletin_id = ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_int64(st, 1, b->id) != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	st = NULL;
	if (insert_slots(h, b->id, b) != SQLITE_OK)
		goto fail;
	detail = bulletin_audit_detail(&was, b);
	target = bulletin_target(b->id);
	r = audit_append(db, actor, "edit", target, detail);
	if (r == 0 && db_commit(db) < 0)
		r = -EIO;
	if (r < 0)
		db_rollback(db);
	free(detail);
	free(target);
	bulletin_done(&was);
	return r;
fail:
	r = db_fail(db, N_("changing a bulletin"));
	sqlite3_finalize(st);
	db_rollback(db);
	bulletin_done(&was);
	return r;
}

int library_retire(struct db *db, int64_t id, int64_t when, const char *actor)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct bulletin was;
	char *detail, *target;
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = library_get(db, id, &was);
	if (r == 0 && was.retired_at)
		r = -ENOENT;
	if (r == 0 && bulletin_from_province(&was))
		r = -EPERM;
	if (r < 0) {
		bulletin_done(&was); /* library_get leaves it empty on failure */
		db_rollback(db);
		return r;
	}
	if (sqlite3_prepare_v2(h, "UPDATE bulletins SET retired_at = ?2 WHERE id = ?1 AND retired_at IS NULL",
			       -1, &st, NULL) != SQLITE_OK ||
	    (sqlite3_bind_int64(st, 1, id) | sqlite3_bind_int64(st, 2, when)) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		r = db_fail(db, N_("retiring a bulletin"));
		sqlite3_finalize(st);
		db_rollback(db);
		bulletin_done(&was);
		return r;
	}
	sqlite3_finalize(st);
	detail = xasprintf("'%s': active -> retired", was.title ? was.title : "");
	target = bulletin_target(id);
	r = audit_append(db, actor, "retire", target, detail);
	if (r == 0 && db_commit(db) < 0)
		r = -EIO;
	if (r < 0)
		db_rollback(db);
	free(detail);
	free(target);
	bulletin_done(&was);
	return r;
}

static void json_day(struct json *j, const char *key, int32_t day)
{
	char buf[16];

	json_key(j, key);
	if (day == DAY_NONE_BEFORE || day == DAY_NONE_AFTER)
		json_null(j);
	else
		json_string(j, time_format_day(day, buf));
}

void bulletin_json(struct json *j, const struct bulletin *b)
{
	json_object_begin(j);
	json_kv_int(j, "id", b->id);
	json_kv_string(j, "title", b->title);
	json_kv_string(j, "topic", b->topic);
	json_kv_string(j, "plan", b->plan);
	json_kv_string(j, "priority", priority_name(b->priority));
	json_key(j, "slots");
	json_array_begin(j);
	for (size_t k = 0; k < b->n_slots; k++)
		json_string(j, b->slots[k]);
	json_array_end(j);
	json_day(j, "from", b->valid_from);
	json_day(j, "until", b->valid_until);
	json_kv_int(j, "duration_ms", b->audio.duration_ms);
	json_kv_int(j, "sample_rate", b->audio.sample_rate);
	json_kv_int(j, "channels", b->audio.channels);
	json_kv_string(j, "format", b->audio.format);
	json_kv_double(j, "peak_dbfs", b->audio.peak_dbfs, 2);
	json_kv_double(j, "loudness_lufs", b->audio.loudness_lufs, 2);
	json_kv_double(j, "true_peak_dbtp", b->audio.true_peak_dbtp, 2);
	json_kv_string(j, "sha256", b->sha256);
	json_kv_string(j, "source_name", b->source_name);
	json_kv_time(j, "imported_at", b->imported_at);
	json_kv_bool(j, "retired", b->retired_at != 0);
	json_kv_string(j, "origin", b->origin ? b->origin : "local");
	json_kv_string(j, "province_id", b->province_id);
	json_kv_string(j, "author", b->author);
	json_object_end(j);
}
