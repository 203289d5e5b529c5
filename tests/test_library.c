/* Tests of the bulletin library (content/library.c): every field survives
 * the database, open ends are stored as NULL and come back as open, slots
 * keep their order, and retired bulletins are listed only when asked. Each
 * test gets a fresh state folder and database. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tests/fixture.h"
#include "content/library.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define HASH_A "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define HASH_B "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define T0 INT64_C(1763848800000)

struct fx {
	char dir[64];
	struct db *db;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	*state = f;
	snprintf(f->dir, sizeof(f->dir), "/tmp/loa-test-library-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	return db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	fixture_rmtree(f->dir);
	free(f);
	return 0;
}

static void exec_sql(struct db *db, const char *sql)
{
	fixture_exec(db_sqlite(db), sql);
}

static int64_t sql_int(struct db *db, const char *sql)
{
	return fixture_int(db_sqlite(db), sql);
}

static char *slots_sc[] = { (char *)"sang", (char *)"chieu" };
static char *slots_t[] = { (char *)"toi" };

/* A bulletin with every field set to something distinctive. */
static struct bulletin full_bulletin(void)
{
	return (struct bulletin){
		.title = (char *)"Tuyên truyền Luật Đất đai 2024, \"phần 2\"\nbản đọc lại",
		.topic = (char *)"3",
		.plan = (char *)"KH số 12/KH-UBND, 28/8–31/12/2025",
		.priority = PRIO_PRIORITY,
		.valid_from = civil_to_days((struct civil){ 2025, 8, 28 }),
		.valid_until = civil_to_days((struct civil){ 2025, 12, 31 }),
		.slots = slots_sc,
		.n_slots = 2,
		.sha256 = HASH_A,
		.path = (char *)"/var/lib/loa/content/" HASH_A ".mp3",
		.source_name = (char *)"luat dat dai (phan 2).mp3",
		.audio = { .frames = 14112000, .duration_ms = 320000, .sample_rate = 44100,
			   .channels = 2, .format = "MP3", .peak_dbfs = -0.73125,
			   .loudness_lufs = -16.25, .true_peak_dbtp = -0.1 },
		.makeup = { .known = true, .db = 1.625, .gain_db = 0.25, .ceiling_dbtp = -1, .version = 7 },
		.imported_at = T0,
		.retired_at = 0,
	};
}

/* A different one: open validity, nothing optional, silence. */
static struct bulletin sparse_bulletin(void)
{
	return (struct bulletin){
		.title = (char *)"Im lặng",
		.priority = PRIO_EMERGENCY,
		.valid_from = DAY_NONE_BEFORE,
		.valid_until = DAY_NONE_AFTER,
		.sha256 = HASH_B,
		.path = (char *)"/var/lib/loa/content/" HASH_B ".wav",
		.source_name = (char *)"silence.wav",
		.audio = { .frames = 48000, .duration_ms = 1000, .sample_rate = 48000,
			   .channels = 1, .format = "WAV", .peak_dbfs = -INFINITY,
			   .loudness_lufs = -INFINITY, .true_peak_dbtp = -INFINITY },
		.imported_at = T0 + 1,
	};
}

static void assert_str_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_level(double got, double want)
{
	if (isinf(want))
		assert_true(isinf(got) && got < 0);
	else
		assert_true(got == want);
}

static void assert_bulletin(const struct bulletin *got, const struct bulletin *want)
{
	assert_int_equal(got->id, want->id);
	assert_str_or_null(got->title, want->title);
	assert_str_or_null(got->topic, want->topic);
	assert_str_or_null(got->plan, want->plan);
	assert_int_equal(got->priority, want->priority);
	assert_int_equal(got->valid_from, want->valid_from);
	assert_int_equal(got->valid_until, want->valid_until);
	assert_int_equal(got->n_slots, want->n_slots);
	for (size_t i = 0; i < want->n_slots; i++)
		assert_string_equal(got->slots[i], want->slots[i]);
	assert_string_equal(got->sha256, want->sha256);
	assert_str_or_null(got->path, want->path);
	assert_str_or_null(got->source_name, want->source_name);
	assert_int_equal(got->audio.frames, want->audio.frames);
	assert_int_equal(got->audio.duration_ms, want->audio.duration_ms);
	assert_int_equal(got->audio.sample_rate, want->audio.sample_rate);
	assert_int_equal(got->audio.channels, want->audio.channels);
	assert_string_equal(got->audio.format, want->audio.format);
	assert_level(got->audio.peak_dbfs, want->audio.peak_dbfs);
	assert_level(got->audio.loudness_lufs, want->audio.loudness_lufs);
	assert_level(got->audio.true_peak_dbtp, want->audio.true_peak_dbtp);
	assert_int_equal(got->makeup.known, want->makeup.known);
	if (want->makeup.known) {
		assert_true(got->makeup.db == want->makeup.db);
		assert_true(got->makeup.gain_db == want->makeup.gain_db);
		assert_true(got->makeup.ceiling_dbtp == want->makeup.ceiling_dbtp);
		assert_int_equal(got->makeup.version, want->makeup.version);
	}
	assert_int_equal(got->imported_at, want->imported_at);
	assert_int_equal(got->retired_at, want->retired_at);
}

static void test_add_get_roundtrip(void **state)
{
	struct fx *f = *state;
	struct bulletin b = full_bulletin(), got;

	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(b.id, 1);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_bulletin(&got, &b);
	/* Slots come back in the order given, not sorted. */
	assert_string_equal(got.slots[0], "sang");
	assert_string_equal(got.slots[1], "chieu");
	bulletin_done(&got);
	/* Days are stored as day numbers, closed ends as values. */
	assert_int_equal(sql_int(f->db, "SELECT valid_from FROM bulletins WHERE id = 1"),
			 civil_to_days((struct civil){ 2025, 8, 28 }));
	assert_int_equal(sql_int(f->db, "SELECT retired_at IS NULL FROM bulletins WHERE id = 1"), 1);
}

static void test_open_window_and_silence(void **state)
{
	struct fx *f = *state;
	struct bulletin b = sparse_bulletin(), got;

	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM bulletins WHERE valid_from IS NULL"
				 " AND valid_until IS NULL AND peak_dbfs IS NULL AND loudness_lufs IS NULL"
				 " AND true_peak_dbtp IS NULL AND topic IS NULL AND plan IS NULL AND makeup_db IS NULL"
				 " AND makeup_gain_db IS NULL AND makeup_ceiling_dbtp IS NULL AND makeup_version IS NULL"), 1);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_bulletin(&got, &b);
	assert_int_equal(got.valid_from, DAY_NONE_BEFORE);
	assert_int_equal(got.valid_until, DAY_NONE_AFTER);
	assert_true(isinf(got.audio.loudness_lufs) && got.audio.loudness_lufs < 0);
	assert_null(got.slots);
	bulletin_done(&got);

	/* One end open, the other closed. */
	b = sparse_bulletin();
	b.valid_until = civil_to_days((struct civil){ 2026, 1, 31 });
	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_int_equal(got.valid_from, DAY_NONE_BEFORE);
	assert_int_equal(got.valid_until, b.valid_until);
	bulletin_done(&got);
}

/* A database as loa left it before bulletins kept their make-up: schema
 * version 1, one bulletin in a slot. Readers send the operator to the
 * daemon; a writer upgrades it, the bulletin whole and its make-up not
 * known, so that the daemon searches as it did. */
static void test_migration_from_version_1(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/loa.db", f->dir), msg[512];
	struct bulletin got;
	sqlite3 *h;

	db_close(f->db);
	f->db = NULL;
	fixture_rmtree(f->dir); /* the WAL too, kept after close */
	assert_int_equal(mkdir(f->dir, 0700), 0);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, db_migration_sql(1), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h,
				      "PRAGMA user_version = 1;"
				      "INSERT INTO bulletins (title, priority, sha256, path, source_name, format,"
				      " frames, duration_ms, sample_rate, channels, peak_dbfs, loudness_lufs,"
				      " true_peak_dbtp, imported_at)"
				      " VALUES ('Bản tin cũ', 0, '" HASH_A "', '/c/" HASH_A ".mp3', 'cu.mp3', 'MP3',"
				      " 441000, 10000, 44100, 2, -0.5, -18.25, 0.1, 1763848800000);"
				      "INSERT INTO bulletin_slots VALUES (1, 'sang');",
				      NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);

	assert_int_equal(db_open(f->dir, DB_READ_ONLY, &f->db, msg, sizeof(msg)), -EPROTO);
	assert_non_null(strstr(msg, "older loa"));
	assert_int_equal(db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)), 0);
	assert_int_equal(sql_int(f->db, "PRAGMA user_version"), db_schema_version());
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM bulletins WHERE makeup_db IS NULL"
				 " AND makeup_gain_db IS NULL AND makeup_ceiling_dbtp IS NULL AND makeup_version IS NULL"), 1);
	assert_int_equal(library_get(f->db, 1, &got), 0);
	assert_string_equal(got.title, "Bản tin cũ");
	assert_string_equal(got.sha256, HASH_A);
	assert_true(got.audio.loudness_lufs == -18.25);
	assert_int_equal(got.audio.frames, 441000);
	assert_int_equal(got.n_slots, 1);
	assert_string_equal(got.slots[0], "sang");
	assert_false(got.makeup.known);
	bulletin_done(&got);
	free(path);
}

/* Half a key is no key: a make-up is used only with the gain and ceiling
 * it was found for. */
static void test_makeup_needs_its_key(void **state)
{
	struct fx *f = *state;
	struct bulletin b = full_bulletin(), got;

	assert_int_equal(library_add(f->db, &b), 0);
	exec_sql(f->db, "UPDATE bulletins SET makeup_ceiling_dbtp = NULL");
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_false(got.makeup.known);
	bulletin_done(&got);
}

static void test_list_and_retired(void **state)
{
	struct fx *f = *state;
	struct bulletin b[4] = { full_bulletin(), sparse_bulletin(), full_bulletin(), sparse_bulletin() };
	struct bulletin *v;
	size_t n;

	b[1].slots = slots_t; /* retired below, with slots of its own */
	b[1].n_slots = 1;
	b[2].title = (char *)"Gương người tốt việc tốt";
	b[2].slots = slots_t;
	b[2].n_slots = 1;
	for (int i = 0; i < 4; i++)
		assert_int_equal(library_add(f->db, &b[i]), 0);
	exec_sql(f->db, "UPDATE bulletins SET retired_at = 1763900000000 WHERE id = 2");
	b[1].retired_at = INT64_C(1763900000000);

	assert_int_equal(library_list(f->db, false, &v, &n), 0);
	assert_int_equal(n, 3);
	assert_bulletin(&v[0], &b[0]);
	assert_bulletin(&v[1], &b[2]);
	assert_bulletin(&v[2], &b[3]);
	assert_true(bulletin_in_slot(&v[1], "toi"));
	bulletins_free(v, n);

	assert_int_equal(library_list(f->db, true, &v, &n), 0);
	assert_int_equal(n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(v[i].id, i + 1);
		assert_bulletin(&v[i], &b[i]);
	}
	bulletins_free(v, n);
}

/* library_for_slot keeps exactly what the planner would keep of the whole
 * library for one slot, day and instant: bulletins imported by the instant,
 * not retired by it (shown active), assigned to the slot, valid on the day
 * (both ends included), with all their slots. */
static void test_for_slot(void **state)
{
	struct fx *f = *state;
	int32_t day = civil_to_days((struct civil){ 2025, 9, 1 });
	struct bulletin b[6];
	struct bulletin *v;
	size_t n;

	for (int i = 0; i < 6; i++)
		b[i] = full_bulletin(); /* sang and chieu, 28/8 to 31/12 */
	b[1].imported_at = T0 + 10;              /* imported after the instant */
	b[2].slots = slots_t;                    /* another slot */
	b[2].n_slots = 1;
	b[3].valid_from = day + 1;               /* not yet valid */
	b[4].valid_from = day;                   /* valid from that very day */
	b[4].valid_until = day;
	b[5].valid_from = DAY_NONE_BEFORE;       /* open, and retired after the instant */
	b[5].valid_until = DAY_NONE_AFTER;
	for (int i = 0; i < 6; i++)
		assert_int_equal(library_add(f->db, &b[i]), 0);
	exec_sql(f->db, "UPDATE bulletins SET retired_at = 1763848800005 WHERE id = 6");
	exec_sql(f->db, "UPDATE bulletins SET retired_at = 1763848800000 WHERE id = 1");

	/* At T0 + 5: bulletin 1 retired at T0 (gone), 6 retired at T0 + 5 (gone too). */
	assert_int_equal(library_for_slot(f->db, "chieu", day, T0 + 5, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_bulletin(&v[0], &b[4]);
	bulletins_free(v, n);

	/* A moment earlier, 6 is there and shown active. */
	assert_int_equal(library_for_slot(f->db, "sang", day, T0 + 4, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_bulletin(&v[0], &b[4]);
	assert_bulletin(&v[1], &b[5]);
	assert_int_equal(v[1].n_slots, 2);
	bulletins_free(v, n);

	assert_int_equal(library_for_slot(f->db, "toi", day, T0 + 20, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_bulletin(&v[0], &b[2]);
	bulletins_free(v, n);

	assert_int_equal(library_for_slot(f->db, "khong-co", day, T0 + 20, &v, &n), 0);
	assert_int_equal(n, 0);
	bulletins_free(v, n);
}

static void test_list_empty(void **state)
{
	struct fx *f = *state;
	struct bulletin *v = (struct bulletin *)1;
	size_t n = 99;

	assert_int_equal(library_list(f->db, true, &v, &n), 0);
	assert_null(v);
	assert_int_equal(n, 0);
	bulletins_free(v, n);
}

static void test_get_missing(void **state)
{
	struct fx *f = *state;
	struct bulletin b = full_bulletin(), got;

	assert_int_equal(library_get(f->db, 1, &got), -ENOENT);
	assert_null(got.title);
	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(library_get(f->db, 2, &got), -ENOENT);
	assert_int_equal(library_get(f->db, 0, &got), -ENOENT);
	assert_int_equal(library_get(f->db, -1, &got), -ENOENT);
	bulletin_done(&got);
}

static void test_slots(void **state)
{
	struct fx *f = *state;
	char *twice[] = { (char *)"sang", (char *)"toi", (char *)"sang" };
	struct bulletin b = full_bulletin(), got;

	b.slots = twice;
	b.n_slots = 3;
	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_int_equal(got.n_slots, 2);
	assert_true(bulletin_in_slot(&got, "sang"));
	assert_true(bulletin_in_slot(&got, "toi"));
	assert_false(bulletin_in_slot(&got, "chieu"));
	assert_false(bulletin_in_slot(&got, "Sang"));
	assert_false(bulletin_in_slot(&got, NULL));
	bulletin_done(&got);
}

static void test_refusals(void **state)
{
	struct fx *f = *state;
	struct bulletin b = full_bulletin();
	char *err = NULL;

	b.priority = (enum priority)3;
	assert_int_equal(library_add(f->db, &b), -EINVAL);
	b = full_bulletin();
	b.title = NULL;
	assert_int_equal(library_add(f->db, &b), -EINVAL);
	/* Rejected by the schema: the window ends before it starts. Nothing
	 * of it may stay behind (one transaction). */
	b = full_bulletin();
	b.valid_until = b.valid_from - 1;
	assert_int_equal(library_add(f->db, &b), -EIO);
	assert_int_equal(b.id, 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM bulletins"), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM bulletin_slots"), 0);
	/* Bulletins are retired, never deleted. */
	b = full_bulletin();
	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_not_equal(sqlite3_exec(db_sqlite(f->db), "DELETE FROM bulletins", NULL, NULL, &err),
			     SQLITE_OK);
	assert_non_null(strstr(err, "never deleted"));
	sqlite3_free(err);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM bulletins"), 1);
}

/* The audit trail's entries, all of them; asserts there are N. */
static struct audit_entry *trail(struct db *db, size_t n)
{
	struct audit_entry *v;
	size_t got;

	assert_int_equal(audit_query(db, INT64_MIN, INT64_MAX, &v, &got), 0);
	assert_int_equal(got, n);
	return v;
}

/* An edit is recorded with who made it and what it changed, from what
 * the bulletin was to what it is: the fields not changed, and slots named
 * again in another order, are not listed. */
static void test_edit_recorded(void **state)
{
	struct fx *f = *state;
	char *slots_st[] = { (char *)"sang", (char *)"toi", (char *)"sang" };
	char *slots_ts[] = { (char *)"toi", (char *)"sang" };
	struct bulletin b = full_bulletin(), got;
	struct audit_entry *v;

	assert_int_equal(library_add(f->db, &b), 0);
	b.title = (char *)"Luật Đất đai, phần 3";
	b.topic = NULL;
	b.priority = PRIO_EMERGENCY;
	b.valid_until = DAY_NONE_AFTER;
	b.slots = slots_st;
	b.n_slots = 3;
	assert_int_equal(library_update(f->db, &b, "hoang"), 0);
	v = trail(f->db, 1);
	assert_string_equal(v[0].actor, "hoang");
	assert_string_equal(v[0].action, "edit");
	assert_string_equal(v[0].target, "#1");
	assert_string_equal(v[0].detail, "title: 'Tuyên truyền Luật Đất đai 2024, \"phần 2\"\nbản đọc lại' -> "
			    "'Luật Đất đai, phần 3'; topic: 3 -> -; priority: priority -> emergency; "
			    "until: 2025-12-31 -> -; slots: sang,chieu -> sang,toi");
	assert_true(v[0].at > 0);
	audit_entries_free(v, 1);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_string_equal(got.title, "Luật Đất đai, phần 3");
	bulletin_done(&got);

	b.slots = slots_ts; /* the same two, in another order */
	b.n_slots = 2;
	b.plan = (char *)"KH 13";
	assert_int_equal(library_update(f->db, &b, "uid 1001"), 0);
	v = trail(f->db, 2);
	assert_string_equal(v[1].actor, "uid 1001");
	assert_string_equal(v[1].detail, "plan: 'KH số 12/KH-UBND, 28/8–31/12/2025' -> 'KH 13'");
	audit_entries_free(v, 2);
	assert_int_equal(library_update(f->db, &b, "hoang"), 0);
	v = trail(f->db, 3);
	assert_string_equal(v[2].detail, "no change");
	audit_entries_free(v, 3);
}

/* A change nobody is recorded to have made does not happen: without an
 * actor, or when the trail refuses the entry, the bulletin stays as it
 * was (one transaction). */
static void test_edit_not_recorded_not_made(void **state)
{
	struct fx *f = *state;
	struct bulletin b = full_bulletin(), got;

	assert_int_equal(library_add(f->db, &b), 0);
	b.title = (char *)"Khác";
	assert_int_equal(library_update(f->db, &b, NULL), -EINVAL);
	exec_sql(f->db, "CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'full'); END");
	assert_int_equal(library_update(f->db, &b, "hoang"), -EIO);
	assert_int_equal(library_retire(f->db, b.id, T0, "hoang"), -EIO);
	assert_int_equal(library_get(f->db, b.id, &got), 0);
	assert_string_equal(got.title, full_bulletin().title);
	assert_int_equal(got.retired_at, 0);
	assert_int_equal(got.n_slots, 2);
	bulletin_done(&got);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 0);
	/* Nothing is left open: the next change goes through. */
	exec_sql(f->db, "DROP TRIGGER refuse");
	assert_int_equal(library_update(f->db, &b, "hoang"), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 1);
}

static void test_retire_recorded(void **state)
{
	struct fx *f = *state;
	struct bulletin b = sparse_bulletin();
	struct audit_entry *v;

	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(library_retire(f->db, b.id, T0 + 5, "hoang"), 0);
	v = trail(f->db, 1);
	assert_string_equal(v[0].actor, "hoang");
	assert_string_equal(v[0].action, "retire");
	assert_string_equal(v[0].target, "#1");
	assert_string_equal(v[0].detail, "'Im lặng': active -> retired");
	audit_entries_free(v, 1);
	/* Retired already, or no such bulletin: nothing happens, nothing is recorded. */
	assert_int_equal(library_retire(f->db, b.id, T0 + 6, "hoang"), -ENOENT);
	assert_int_equal(library_retire(f->db, 99, T0 + 6, "hoang"), -ENOENT);
	assert_int_equal(library_update(f->db, &(struct bulletin){ .id = 99, .title = (char *)"x",
				.path = (char *)"/x", .source_name = (char *)"x",
				.audio = { .sample_rate = 8000, .channels = 1 } }, "hoang"), -ENOENT);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 1);
	assert_int_equal(sql_int(f->db, "SELECT retired_at FROM bulletins WHERE id = 1"), T0 + 5);
}

/* What an import says of the bulletin: the fields it sets. */
static void test_import_detail(void **state)
{
	struct bulletin full = full_bulletin(), sparse = sparse_bulletin();
	char *d;

	(void)state;
	d = bulletin_audit_detail(NULL, &full);
	assert_string_equal(d, "title: 'Tuyên truyền Luật Đất đai 2024, \"phần 2\"\nbản đọc lại'; topic: 3; "
			    "plan: 'KH số 12/KH-UBND, 28/8–31/12/2025'; priority: priority; from: 2025-08-28; "
			    "until: 2025-12-31; slots: sang,chieu");
	free(d);
	d = bulletin_audit_detail(NULL, &sparse);
	assert_string_equal(d, "title: 'Im lặng'; priority: emergency");
	free(d);
}

static void test_priority_names(void **state)
{
	(void)state;
	const char *names[] = { "normal", "priority", "emergency" };
	enum priority p;

	for (int i = 0; i < 3; i++) {
		assert_string_equal(priority_name((enum priority)i), names[i]);
		assert_int_equal(priority_parse(names[i], &p), 0);
		assert_int_equal(p, i);
	}
	assert_int_equal(PRIO_NORMAL, 0);
	assert_int_equal(PRIO_EMERGENCY, 2);
	assert_null(priority_name((enum priority)3));
	assert_int_equal(priority_parse("urgent", &p), -EINVAL);
	assert_int_equal(priority_parse("Normal", &p), -EINVAL);
	assert_int_equal(priority_parse("", &p), -EINVAL);
	assert_int_equal(priority_parse(NULL, &p), -EINVAL);
}

static void test_done_is_safe(void **state)
{
	(void)state;
	struct bulletin b;

	memset(&b, 0, sizeof(b));
	bulletin_done(&b);
	bulletin_done(&b);
	bulletin_done(NULL);
	bulletins_free(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_get_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_window_and_silence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_version_1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_makeup_needs_its_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_and_retired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_for_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slots, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_not_recorded_not_made, setup, teardown),
		cmocka_unit_test_setup_teardown(test_retire_recorded, setup, teardown),
		cmocka_unit_test(test_import_detail),
		cmocka_unit_test(test_priority_names),
		cmocka_unit_test(test_done_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
