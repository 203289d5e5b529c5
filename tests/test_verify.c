/* Tests of chain verification (ledger/verify.c): a real ledger written with
 * ledger_append, then tampered with through a raw SQLite connection with the
 * append-only triggers dropped, as someone with the file and the sqlite3
 * tool would. Each edit, removal, insertion and swap must be detected and
 * the right row named; an intact chain, an empty ledger and files that are
 * not loa databases are the controls. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "content/library.h"
#include "db/db.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/xmalloc.h"

#define HASH_A "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define T0 INT64_C(1763848800000) /* 2025-11-23 05:00 +07:00 */
#define N_ROWS 6

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	char hash[N_ROWS + 1][SHA256_HEX]; /* row_hash of row i as written */
	struct verify_result res;
};

static int setup_empty(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	snprintf(f->dir, sizeof(f->dir), "/tmp/loa-test-verify-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/loa.db", f->dir);
	*state = f;
	return db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) == 0 ? 0 : -1;
}

/* A ledger of N_ROWS rows of every kind, with awkward text. */
static int setup(void **state)
{
	static const enum outcome outcomes[] = { OUTCOME_COMPLETED, OUTCOME_MISSED, OUTCOME_PARTIAL,
						 OUTCOME_PREEMPTED, OUTCOME_FAILED, OUTCOME_COMPLETED };
	char *slots[] = { (char *)"sang" };
	struct bulletin b = {
		.title = (char *)"Luật đất đai", .topic = (char *)"3",
		.valid_from = INT32_MIN, .valid_until = INT32_MAX, .slots = slots, .n_slots = 1,
		.sha256 = HASH_A, .path = (char *)"/x.wav", .source_name = (char *)"x.wav",
		.audio = { .frames = 480000, .duration_ms = 10000, .sample_rate = 48000, .channels = 1,
			   .format = "WAV" },
		.imported_at = T0 - 86400000,
	};
	struct fx *f;

	if (setup_empty(state) < 0)
		return -1;
	f = *state;
	if (library_add(f->db, &b) < 0)
		return -1;
	for (int i = 1; i <= N_ROWS; i++) {
		struct ledger_row r = {
			.kind = i == 4 ? KIND_ALERT : KIND_SLOT,
			.occurrence_at = i == 4 ? 0 : T0 + i * 86400000LL,
			.scheduled_at = T0 + i * 86400000LL,
			.started_at = T0 + i * 86400000LL + 3, .ended_at = T0 + i * 86400000LL + 10003,
			.frames = 480000, .played_ms = 10000, .outcome = outcomes[i - 1],
			.reason = i == 2 ? (char *)"loa was not running" : NULL,
			.bulletin_id = b.id, .title = (char *)"Luật đất đai, \"sửa đổi\"\nbản 2",
			.topic = (char *)"3", .plan = (char *)"KH 12", .slot = i == 4 ? NULL : (char *)"sang",
			.content_sha256 = HASH_A,
		};

		if (ledger_append(f->db, &r) < 0 || r.id != i)
			return -1;
		memcpy(f->hash[i], r.row_hash, SHA256_HEX);
	}
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	verify_result_done(&f->res);
	db_close(f->db);
	fixture_rmtree(f->dir);
	free(f);
	return 0;
}

/* Runs SQL on the file the way a tamperer would: own connection, the
 * triggers that keep the ledger append-only dropped first. */
static void tamper(struct fx *f, const char *sql)
{
	sqlite3 *h;
	char *err = NULL;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER IF EXISTS ledger_no_update;"
				      " DROP TRIGGER IF EXISTS ledger_no_delete;"
				      " DROP TRIGGER IF EXISTS ledger_append_at_end;", NULL, NULL, NULL), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tampering failed: %s", err);
	sqlite3_close(h);
}

/* Verifies the file; returns the result in f->res. */
static void verify(struct fx *f, const char *expect_head)
{
	char msg[512];
	sqlite3 *h;

	verify_result_done(&f->res);
	assert_int_equal(db_open_evidence(f->path, &h, msg, sizeof(msg)), 0);
	assert_int_equal(verify_chain(h, expect_head, &f->res), 0);
	sqlite3_close(h);
}

static void assert_problem(struct fx *f, enum verify_problem p, int64_t row, const char *in_message)
{
	if (f->res.ok || f->res.problem != p || f->res.bad_row != row || !strstr(f->res.message, in_message))
		fail_msg("expected %s at row %lld (\"%s\"), got ok=%d %s at row %lld: %s",
			 verify_problem_name(p), (long long)row, in_message, f->res.ok,
			 verify_problem_name(f->res.problem), (long long)f->res.bad_row, f->res.message);
	/* The rows before the bad one are still vouched for. */
	assert_true(f->res.rows < N_ROWS);
}

static void test_intact(void **state)
{
	struct fx *f = *state;
	char head[SHA256_HEX];
	int64_t id;

	assert_int_equal(ledger_head(f->db, head, &id), 0);
	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_INTACT);
	assert_int_equal(f->res.rows, N_ROWS);
	assert_string_equal(f->res.head, head);
	assert_string_equal(f->res.head, f->hash[N_ROWS]);
	assert_int_equal(f->res.head_id, N_ROWS);
	assert_int_equal(f->res.warnings.n, 0);
	assert_int_equal(f->res.expect_row, 0);

	/* A head printed on an earlier report, in either case. */
	verify(f, f->hash[3]);
	assert_true(f->res.ok);
	assert_int_equal(f->res.expect_row, 3);
	for (char *p = f->hash[3]; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	verify(f, f->hash[3]);
	assert_int_equal(f->res.expect_row, 3);
	verify(f, HASH_A);
	assert_true(f->res.ok);
	assert_int_equal(f->res.expect_row, 0);
}

static void test_empty(void **state)
{
	struct fx *f = *state;

	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 0);
	assert_int_equal(f->res.head_id, 0);
	assert_string_equal(f->res.head, LEDGER_GENESIS_HASH);
}

/* The row of test_hash_encoding_frozen (test_ledger.c) as row 1, written
 * with plain SQL and a row_hash worked out outside loa (sha256sum over the
 * documented encoding): the walk hashes straight from SQLite's column
 * buffers, not through ledger_row_hash, so it needs its own golden vector. */
static void test_golden_row(void **state)
{
	struct fx *f = *state;

	tamper(f, "INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, started_at, ended_at,"
	       " frames, played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
	       " content_sha256, xruns, prev_hash, row_hash) VALUES (1, 'slot', 1000, 2000, NULL, NULL,"
	       " 0, 0, 'missed', 'power off', 3, 'Tin' || char(10) || 'xã', NULL, NULL, 'sang',"
	       " '" HASH_A "', -1, '" LEDGER_GENESIS_HASH "',"
	       " '15786a8e3685bf2ce77e344d10c4080b389c3bc77fe4f6fe462f7694f0c3e79c')");
	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 1);
	assert_string_equal(f->res.head, "15786a8e3685bf2ce77e344d10c4080b389c3bc77fe4f6fe462f7694f0c3e79c");

	/* One byte of the title off, and the same row is edited. */
	tamper(f, "UPDATE ledger SET title = 'Tin' || char(10) || 'xa' WHERE id = 1");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_EDITED);
	assert_int_equal(f->res.bad_row, 1);
}

/* A row with an actor (who asked: schema 3) through the walk, against a
 * digest worked out with sha256sum over the documented encoding. */
static void test_golden_row_by(void **state)
{
	struct fx *f = *state;

	tamper(f, "INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, started_at, ended_at,"
	       " frames, played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
	       " content_sha256, xruns, actor, prev_hash, row_hash) VALUES (1, 'play', NULL, 2000, 2001, 3001,"
	       " 48000, 1000, 'cancelled', 'stopped by the operator (loa stop)', NULL, 'Tin' || char(10) || 'xã',"
	       " NULL, NULL, NULL, '" HASH_A "', 0, 'hoang', '" LEDGER_GENESIS_HASH "',"
	       " '547707c000c7eebd96e027d40eef6d41d609b6402abe7c7d803f316993ada729')");
	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 1);

	/* Someone else named as having asked: the row was edited. */
	tamper(f, "UPDATE ledger SET actor = 'lan' WHERE id = 1");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_EDITED);
	assert_int_equal(f->res.bad_row, 1);
	/* Nobody named, as if the schedule had aired it: edited too. */
	tamper(f, "UPDATE ledger SET actor = NULL WHERE id = 1");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_EDITED);
}

/* A relay row (schema 6): its source and URL are part of its hash, so
 * naming another stream, or none, is an edit; a URL set on a row that is
 * not a relay (which the hash would not cover) is one too. */
static void test_relay_row_edited(void **state)
{
	struct fx *f = *state;
	struct ledger_row r = {
		.kind = KIND_SLOT, .occurrence_at = T0 + 7 * 86400000LL, .scheduled_at = T0 + 7 * 86400000LL,
		.started_at = T0 + 7 * 86400000LL + 20, .ended_at = T0 + 7 * 86400000LL + 900000,
		.frames = 43000000, .played_ms = 895833, .outcome = OUTCOME_COMPLETED,
		.title = (char *)"Thời sự VOV1", .slot = (char *)"thoi-su", .content_sha256 = "",
		.relay_source = (char *)"vov1", .relay_url = (char *)"http://127.0.0.1:8000/vov1.mp3",
	};

	assert_int_equal(ledger_append(f->db, &r), 0);
	assert_int_equal(r.id, N_ROWS + 1);
	verify(f, NULL);
	assert_true(f->res.ok);
	tamper(f, "UPDATE ledger SET relay_url = 'http://127.0.0.1:8000/other.mp3' WHERE id = 7");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_EDITED);
	assert_int_equal(f->res.bad_row, 7);
	tamper(f, "UPDATE ledger SET relay_url = 'http://127.0.0.1:8000/vov1.mp3', relay_source = NULL"
	       " WHERE id = 7");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.bad_row, 7);
	tamper(f, "UPDATE ledger SET relay_source = 'vov1' WHERE id = 7;"
	       " UPDATE ledger SET relay_url = 'x' WHERE id = 2");
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.bad_row, 2);
}

/* A copy an older loa made (schema 2: no actor column, no audit trail)
 * is checked as it is, never upgraded: the golden row of test_golden_row
 * is intact in it. */
static void test_schema_2_file(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/old.db", f->dir), msg[512];
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	for (int v = 1; v <= 2; v++)
		assert_int_equal(sqlite3_exec(h, db_migration_sql(v), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 2;"
		"INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, started_at, ended_at,"
		" frames, played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
		" content_sha256, xruns, prev_hash, row_hash) VALUES (1, 'slot', 1000, 2000, NULL, NULL,"
		" 0, 0, 'missed', 'power off', 3, 'Tin' || char(10) || 'xã', NULL, NULL, 'sang',"
		" '" HASH_A "', -1, '" LEDGER_GENESIS_HASH "',"
		" '15786a8e3685bf2ce77e344d10c4080b389c3bc77fe4f6fe462f7694f0c3e79c')", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_int_equal(db_open_evidence(path, &h, msg, sizeof(msg)), 0);
	verify_result_done(&f->res);
	assert_int_equal(verify_chain(h, NULL, &f->res), 0);
	sqlite3_close(h);
	free(path);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 1);
}

static void test_edit_field(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE ledger SET played_ms = 100000 WHERE id = 3");
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 3, "row 3");
	assert_int_equal(f->res.rows, 2);
	assert_string_equal(f->res.head, f->hash[2]);
	/* Dropping the triggers is reported too. */
	assert_int_equal(f->res.warnings.n, 3);
}

/* A value loa never stores (a REAL in an integer column, a NUL inside a
 * text) is an edit of that row, named by its id. */
static void test_edit_column_form(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE ledger SET played_ms = 10000.5 WHERE id = 3");
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 3, "row 3: its played_ms is not stored");
	assert_int_equal(f->res.rows, 2);

	tamper(f, "UPDATE ledger SET played_ms = 10000 WHERE id = 3;"
	       " UPDATE ledger SET title = CAST('ab' || char(0) || 'c' AS TEXT) WHERE id = 2");
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 2, "row 2: its title is not stored");
	assert_int_equal(f->res.rows, 1);
}

static void test_edit_outcome_and_title(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE ledger SET outcome = 'completed', reason = NULL WHERE id = 2");
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 2, "row 2");
	teardown(state);
	assert_int_equal(setup(state), 0);
	f = *state;
	tamper(f, "UPDATE ledger SET title = 'Luật đất đai' WHERE id = 1");
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 1, "row 1");
	assert_int_equal(f->res.rows, 0);
}

/* A tamperer who knows the encoding edits row 3 and recomputes its hash:
 * row 4 no longer links to it. */
static void test_edit_rehashed(void **state)
{
	struct fx *f = *state;
	struct ledger_row r;
	char *sql;
	struct ledger_row *v;
	size_t n;

	assert_int_equal(ledger_query(f->db, INT64_MIN, INT64_MAX, &v, &n), 0);
	r = v[2];
	r.played_ms = 999999;
	assert_int_equal(ledger_row_hash(&r, r.row_hash), 0);
	sql = sqlite3_mprintf("UPDATE ledger SET played_ms = 999999, row_hash = %Q WHERE id = 3", r.row_hash);
	ledger_rows_free(v, n);
	tamper(f, sql);
	sqlite3_free(sql);
	verify(f, NULL);
	assert_problem(f, VERIFY_EDITED, 3, "row 3");
	assert_int_equal(f->res.rows, 3);
}

static void test_delete_row(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM ledger WHERE id = 3");
	verify(f, NULL);
	assert_problem(f, VERIFY_REMOVED, 3, "row 3 was removed");
	assert_int_equal(f->res.rows, 2);
}

static void test_delete_rows_renumbered(void **state)
{
	struct fx *f = *state;

	/* Rows 2 and 3 gone, the rest moved up so the ids have no gap. */
	tamper(f, "DELETE FROM ledger WHERE id IN (2, 3);"
		  " UPDATE ledger SET id = id - 2 + 100 WHERE id > 3;"
		  " UPDATE ledger SET id = id - 100 WHERE id > 100");
	verify(f, NULL);
	assert_problem(f, VERIFY_REMOVED, 2, "rows 2–3");
	assert_int_equal(f->res.written_as, 4);
}

static void test_delete_first_row(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM ledger WHERE id = 1");
	verify(f, NULL);
	assert_problem(f, VERIFY_REMOVED, 1, "row 1 was removed: the ledger starts at row 2");
}

/* The chain cannot show rows cut from its end; the head on a report can. */
static void test_delete_last_row_head(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM ledger WHERE id = 6");
	verify(f, f->hash[6]);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 5);
	assert_int_equal(f->res.expect_row, 0);
}

/* Moves rows 3.. up by one and puts a forged row in as row 3, linked to
 * row 2, with ROW_HASH. */
static void insert_row_3(struct fx *f, const char *row_hash)
{
	char *sql = sqlite3_mprintf(
		"UPDATE ledger SET id = id + 101 WHERE id >= 3;"
		" UPDATE ledger SET id = id - 100 WHERE id > 100;"
		" INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, frames, played_ms, outcome,"
		"  title, content_sha256, prev_hash, row_hash)"
		" VALUES (3, 'slot', 1, 2, 480000, 10000, 'completed', 'Giả mạo', %Q, %Q, %Q)",
		HASH_A, f->hash[2], row_hash);

	tamper(f, sql);
	sqlite3_free(sql);
}

static void test_insert_forged_row(void **state)
{
	struct fx *f = *state;

	insert_row_3(f, HASH_A);
	verify(f, NULL);
	assert_problem(f, VERIFY_INSERTED, 3, "row 3");
	assert_int_equal(f->res.rows, 2);
}

/* The forger computes a correct hash for the row put in: it is intact in
 * itself, and the row after it shows the insertion. */
static void test_insert_rehashed_row(void **state)
{
	struct fx *f = *state;
	struct ledger_row r = {
		.id = 3, .kind = KIND_SLOT, .occurrence_at = 1, .scheduled_at = 2, .frames = 480000,
		.played_ms = 10000, .outcome = OUTCOME_COMPLETED, .title = (char *)"Giả mạo",
		.content_sha256 = HASH_A,
	};

	memcpy(r.prev_hash, f->hash[2], SHA256_HEX);
	assert_int_equal(ledger_row_hash(&r, r.row_hash), 0);
	insert_row_3(f, r.row_hash);
	verify(f, NULL);
	assert_problem(f, VERIFY_INSERTED, 3, "row 3 is not part of the chain");
	assert_int_equal(f->res.written_as, 3);
}

/* A row appended after the head with a wrong hash. */
static void test_append_forged_row(void **state)
{
	struct fx *f = *state;
	char *sql = sqlite3_mprintf(
		"INSERT INTO ledger (id, kind, scheduled_at, frames, played_ms, outcome, title,"
		" content_sha256, prev_hash, row_hash)"
		" VALUES (7, 'play', 2, 0, 0, 'completed', 'x', %Q, %Q, %Q)", HASH_A, f->hash[6], HASH_A);

	tamper(f, sql);
	sqlite3_free(sql);
	verify(f, NULL);
	assert_false(f->res.ok);
	assert_int_equal(f->res.bad_row, 7);
	assert_int_equal(f->res.rows, 6);
}

static void test_swap_rows(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE ledger SET id = -2 WHERE id = 2;"
		  " UPDATE ledger SET id = 2 WHERE id = 5;"
		  " UPDATE ledger SET id = 5 WHERE id = -2");
	verify(f, NULL);
	assert_problem(f, VERIFY_REORDERED, 2, "row 2 holds what was written as row 5");
	assert_int_equal(f->res.written_as, 5);
	assert_int_equal(f->res.rows, 1);
}

static void test_swap_adjacent_rows(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE ledger SET id = -3 WHERE id = 3;"
		  " UPDATE ledger SET id = 3 WHERE id = 4;"
		  " UPDATE ledger SET id = 4 WHERE id = -3");
	verify(f, NULL);
	assert_problem(f, VERIFY_REORDERED, 3, "row 3");
	assert_int_equal(f->res.rows, 2);
}

/* Only the triggers dropped: the chain is intact, and that is said. */
static void test_triggers_dropped(void **state)
{
	struct fx *f = *state;

	tamper(f, "SELECT 1");
	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.warnings.n, 3);
	assert_non_null(strstr(f->res.warnings.v[0], "ledger_append_at_end"));
}

static void test_not_a_loa_database(void **state)
{
	struct fx *f = *state;
	char msg[512], *path;
	sqlite3 *h = NULL;
	FILE *fp;

	path = xasprintf("%s/garbage.db", f->dir);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("station,title\nxã,bản tin\n", fp);
	fclose(fp);
	assert_int_equal(db_open_evidence(path, &h, msg, sizeof(msg)), -EBADMSG);
	assert_null(h);
	assert_non_null(strstr(msg, "not a loa database"));
	free(path);

	path = xasprintf("%s/other.db", f->dir);
	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "CREATE TABLE ledger (id INTEGER)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	h = NULL;
	assert_int_equal(db_open_evidence(path, &h, msg, sizeof(msg)), -EBADMSG);
	assert_non_null(strstr(msg, "not one of loa's"));
	free(path);

	path = xasprintf("%s/none.db", f->dir);
	assert_int_equal(db_open_evidence(path, &h, msg, sizeof(msg)), -ENOENT);
	free(path);
	assert_int_equal(db_open_evidence(f->dir, &h, msg, sizeof(msg)), -EINVAL);
	assert_null(h);
}

/* ---- a ledger longer than the walk's queue ----
 *
 * The walk reads in one thread and hashes in another, in batches of a few
 * hundred rows (verify.c). LONG_ROWS rows fill the queue several times
 * over, one row's title is longer than a batch's room for strings, and an
 * edit is looked for at the first and last row, either side of the batch
 * boundaries and of the long row. */
#define LONG_ROWS 3000
#define LONG_TITLE_ROW 700
#define LONG_TITLE_BYTES 200000

static int setup_long(void **state)
{
	char *big = xmalloc(LONG_TITLE_BYTES + 1);
	char prev[SHA256_HEX] = LEDGER_GENESIS_HASH;
	struct fx *f;
	sqlite3_stmt *st;
	sqlite3 *h;

	if (setup_empty(state) < 0)
		return -1;
	f = *state;
	memset(big, 'x', LONG_TITLE_BYTES);
	big[LONG_TITLE_BYTES] = '\0';
	if (sqlite3_open(f->path, &h) != SQLITE_OK || sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "INSERT INTO ledger (id, kind, occurrence_at, scheduled_at, started_at, ended_at,"
			       " frames, played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
			       " content_sha256, xruns, prev_hash, row_hash) VALUES (?1, 'slot', ?2, ?2, NULL, NULL,"
			       " 0, 0, 'missed', 'power off', NULL, ?3, '3', NULL, 'sang', ?4, 0, ?5, ?6)",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	for (int i = 1; i <= LONG_ROWS; i++) {
		struct ledger_row r = {
			.id = i, .kind = KIND_SLOT, .occurrence_at = T0 + i, .scheduled_at = T0 + i,
			.outcome = OUTCOME_MISSED, .reason = (char *)"power off",
			.title = i == LONG_TITLE_ROW ? big : (char *)"Tin xã", .topic = (char *)"3",
			.slot = (char *)"sang", .content_sha256 = HASH_A,
		};

		memcpy(r.prev_hash, prev, SHA256_HEX);
		if (ledger_row_hash(&r, r.row_hash) < 0)
			return -1;
		sqlite3_bind_int64(st, 1, i);
		sqlite3_bind_int64(st, 2, r.scheduled_at);
		sqlite3_bind_text(st, 3, r.title, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, HASH_A, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, r.prev_hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, r.row_hash, -1, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE)
			return -1;
		sqlite3_reset(st);
		memcpy(prev, r.row_hash, SHA256_HEX);
	}
	sqlite3_finalize(st);
	free(big);
	return sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) == SQLITE_OK && sqlite3_close(h) == SQLITE_OK ? 0 : -1;
}

/* Each row handed over must come in id order, once. */
static void count_row(const struct ledger_row *row, void *ctx)
{
	int64_t *n = ctx;

	assert_int_equal(row->id, *n + 1);
	if (row->id == LONG_TITLE_ROW)
		assert_int_equal(strlen(row->title), LONG_TITLE_BYTES);
	else
		assert_string_equal(row->title, "Tin xã");
	*n = row->id;
}

static void test_long_ledger(void **state)
{
	static const int64_t at[] = { 1, 255, 256, 257, 512, LONG_TITLE_ROW - 1, LONG_TITLE_ROW,
				      LONG_TITLE_ROW + 1, 1024, 1025, 2049, LONG_ROWS - 1, LONG_ROWS };
	struct fx *f = *state;
	char msg[512];
	int64_t n = 0;
	sqlite3 *h;

	assert_int_equal(db_open_evidence(f->path, &h, msg, sizeof(msg)), 0);
	assert_int_equal(verify_chain_rows(h, NULL, count_row, &n, &f->res), 0);
	sqlite3_close(h);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, LONG_ROWS);
	assert_int_equal(n, LONG_ROWS);

	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		char *sql = xasprintf("UPDATE ledger SET played_ms = 1 WHERE id = %lld", (long long)at[i]);
		char *where = xasprintf("row %lld", (long long)at[i]);

		tamper(f, sql);
		n = 0;
		verify_result_done(&f->res);
		assert_int_equal(db_open_evidence(f->path, &h, msg, sizeof(msg)), 0);
		assert_int_equal(verify_chain_rows(h, NULL, count_row, &n, &f->res), 0);
		sqlite3_close(h);
		if (f->res.ok || f->res.problem != VERIFY_EDITED || f->res.bad_row != at[i] ||
		    !strstr(f->res.message, where))
			fail_msg("an edit of row %lld: got ok=%d %s at row %lld: %s", (long long)at[i], f->res.ok,
				 verify_problem_name(f->res.problem), (long long)f->res.bad_row, f->res.message);
		assert_int_equal(f->res.rows, at[i] - 1);
		assert_int_equal(n, at[i] - 1);
		free(sql);
		sql = xasprintf("UPDATE ledger SET played_ms = 0 WHERE id = %lld", (long long)at[i]);
		tamper(f, sql);
		free(sql);
		free(where);
	}
	verify(f, NULL);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, LONG_ROWS);
}

/* The same walk, edits and all, in a process allowed one CPU: it reads
 * and hashes in turn in one thread (ledger/verify.c). */
static void test_long_ledger_one_cpu(void **state)
{
	cpu_set_t was, one;
	int cpu = 0;

	assert_int_equal(sched_getaffinity(0, sizeof(was), &was), 0);
	while (!CPU_ISSET(cpu, &was))
		cpu++;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	assert_int_equal(sched_setaffinity(0, sizeof(one), &one), 0);
	test_long_ledger(state);
	assert_int_equal(sched_setaffinity(0, sizeof(was), &was), 0);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(verify_problem_name(VERIFY_INTACT), "intact");
	assert_string_equal(verify_problem_name(VERIFY_EDITED), "edited");
	assert_string_equal(verify_problem_name(VERIFY_REMOVED), "removed");
	assert_string_equal(verify_problem_name(VERIFY_INSERTED), "inserted");
	assert_string_equal(verify_problem_name(VERIFY_REORDERED), "reordered");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_golden_row, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_golden_row_by, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_schema_2_file, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_relay_row_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_column_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_outcome_and_title, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_rehashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_rows_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_last_row_head, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_forged_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_rehashed_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_forged_row, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_adjacent_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_triggers_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_loa_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_ledger, setup_long, teardown),
		cmocka_unit_test_setup_teardown(test_long_ledger_one_cpu, setup_long, teardown),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
