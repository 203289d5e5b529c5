/* Tests of the audit trail (ledger/audit.c) and of its check
 * (verify_audit in ledger/verify.c): entries are appended in order,
 * hash-chained in the documented encoding, refused by the triggers when
 * changed, and join a caller's transaction; then the trail is tampered
 * with through a raw SQLite connection with its triggers dropped, as
 * someone with the file and the sqlite3 tool would, and each edit,
 * removal, insertion and swap must be found and the right entry named.
 * Each test gets a fresh state folder. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define N_ENTRIES 6

struct fx {
	char dir[64];
	char path[128];
	struct db *db;
	char hash[N_ENTRIES + 1][SHA256_HEX]; /* row_hash of entry i as written */
	struct verify_result res;
};

static int setup_empty(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	snprintf(f->dir, sizeof(f->dir), "/tmp/loa-test-audit-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/loa.db", f->dir);
	*state = f;
	return db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) == 0 ? 0 : -1;
}

static int64_t sql_int(struct db *db, const char *sql)
{
	return fixture_int(db_sqlite(db), sql);
}

/* A trail of N_ENTRIES entries of every kind, with awkward text. */
static int setup(void **state)
{
	static const char *const actions[] = { "import", "edit", "play", "stop", "config-reload", "backup" };
	struct audit_entry *v;
	struct fx *f;
	size_t n;

	if (setup_empty(state) < 0)
		return -1;
	f = *state;
	for (int i = 1; i <= N_ENTRIES; i++) {
		char target[16];

		snprintf(target, sizeof(target), "#%d", i);
		if (audit_append(f->db, i % 2 ? "hoang" : "uid 1001", actions[i - 1], i == 5 ? NULL : target,
				 i == 6 ? NULL : "title: 'Luật đất đai, \"sửa đổi\"\nbản 2' -> 'B'") < 0)
			return -1;
	}
	if (audit_query(f->db, INT64_MIN, INT64_MAX, &v, &n) < 0 || n != N_ENTRIES)
		return -1;
	for (size_t i = 0; i < n; i++)
		memcpy(f->hash[i + 1], v[i].row_hash, SHA256_HEX);
	audit_entries_free(v, n);
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
 * triggers that keep the trail append-only dropped first. */
static void tamper(struct fx *f, const char *sql)
{
	sqlite3 *h;
	char *err = NULL;

	assert_int_equal(sqlite3_open(f->path, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "DROP TRIGGER IF EXISTS audit_no_update;"
				      " DROP TRIGGER IF EXISTS audit_no_delete;"
				      " DROP TRIGGER IF EXISTS audit_append_at_end;", NULL, NULL, NULL), SQLITE_OK);
	if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("tampering failed: %s", err);
	sqlite3_close(h);
}

/* Checks the trail of the file PATH into f->res. */
static void verify_file(struct fx *f, const char *path)
{
	char msg[512];
	sqlite3 *h;

	verify_result_done(&f->res);
	assert_int_equal(db_open_evidence(path, &h, msg, sizeof(msg)), 0);
	assert_int_equal(verify_audit(h, &f->res), 0);
	sqlite3_close(h);
}

static void verify(struct fx *f)
{
	verify_file(f, f->path);
}

static void assert_problem(struct fx *f, enum verify_problem p, int64_t entry, const char *in_message)
{
	if (f->res.ok || f->res.problem != p || f->res.bad_row != entry || !strstr(f->res.message, in_message))
		fail_msg("expected %s at entry %lld (\"%s\"), got ok=%d %s at entry %lld: %s",
			 verify_problem_name(p), (long long)entry, in_message, f->res.ok,
			 verify_problem_name(f->res.problem), (long long)f->res.bad_row, f->res.message);
	assert_true(f->res.rows < N_ENTRIES);
}

/* ---- appending and reading ---- */

static void test_append_and_query(void **state)
{
	struct fx *f = *state;
	int64_t before = time_now_ms(), after;
	struct audit_entry *v;
	char hex[SHA256_HEX];
	size_t n;

	assert_int_equal(audit_append(f->db, "hoang", "edit", "#3", "title: 'A' -> 'B'"), 0);
	assert_int_equal(audit_append(f->db, "root", "config-reload", NULL, NULL), 0);
	after = time_now_ms();
	assert_int_equal(audit_query(f->db, INT64_MIN, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].id, 1);
	assert_string_equal(v[0].actor, "hoang");
	assert_string_equal(v[0].action, "edit");
	assert_string_equal(v[0].target, "#3");
	assert_string_equal(v[0].detail, "title: 'A' -> 'B'");
	assert_true(v[0].at >= before && v[0].at <= after);
	assert_string_equal(v[0].prev_hash, LEDGER_GENESIS_HASH);
	assert_int_equal(v[1].id, 2);
	assert_null(v[1].target);
	assert_null(v[1].detail);
	/* Chained: each links to the one before, and its hash is its content's. */
	assert_string_equal(v[1].prev_hash, v[0].row_hash);
	for (size_t i = 0; i < n; i++) {
		audit_row_hash(&v[i], hex);
		assert_string_equal(hex, v[i].row_hash);
	}
	/* [from, to) on the instant. */
	audit_entries_free(v, n);
	assert_int_equal(audit_query(f->db, before, after + 1, &v, &n), 0);
	assert_int_equal(n, 2);
	audit_entries_free(v, n);
	assert_int_equal(audit_query(f->db, after + 1, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, 0);
	assert_null(v);
}

static void test_append_needs_actor_and_action(void **state)
{
	struct fx *f = *state;

	assert_int_equal(audit_append(f->db, NULL, "edit", NULL, NULL), -EINVAL);
	assert_int_equal(audit_append(f->db, "", "edit", NULL, NULL), -EINVAL);
	assert_int_equal(audit_append(f->db, "hoang", NULL, NULL, NULL), -EINVAL);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 0);
}

/* The encoding documented in audit.h, built by hand, and its digest from
 * sha256sum: a change to the code that would make old entries fail
 * `loa verify` fails here first. */
static void test_hash_encoding_frozen(void **state)
{
	struct audit_entry e = {
		.id = 1, .at = INT64_C(1763848800000), .actor = (char *)"hoang", .action = (char *)"edit",
		.target = (char *)"#3", .detail = (char *)"title: 'A' -> 'B'", .prev_hash = LEDGER_GENESIS_HASH,
	};
	const char *enc = "loa-audit-v1\n"
			  "id=1:1\n"
			  "at=13:1763848800000\n"
			  "actor=5:hoang\n"
			  "action=4:edit\n"
			  "target=2:#3\n"
			  "detail=17:title: 'A' -> 'B'\n"
			  "prev_hash=64:" LEDGER_GENESIS_HASH "\n";
	uint8_t d[SHA256_DIGEST_SIZE];
	char want[SHA256_HEX], got[SHA256_HEX];
	struct sha256_ctx c;

	(void)state;
	sha256_init(&c);
	sha256_update(&c, strlen(enc), (const uint8_t *)enc);
	sha256_digest(&c, sizeof(d), d);
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(want + 2 * i, 3, "%02x", d[i]);
	audit_row_hash(&e, got);
	assert_string_equal(got, want);
	assert_string_equal(got, "5d2e9c4bacb6c17c2890e9d92e59858bf3fd48d03920af0335290543681e3fbb");
	/* NULL target and detail are "null", not empty. */
	e = (struct audit_entry){ .id = 2, .at = INT64_C(1763848800001), .actor = (char *)"root",
				  .action = (char *)"config-reload", .prev_hash = LEDGER_GENESIS_HASH };
	audit_row_hash(&e, got);
	assert_string_equal(got, "8a1feef575a506eaa8dfb530bf4334fd5a0bafd857a647122e23c84544b5bb48");
	e.detail = (char *)"";
	audit_row_hash(&e, want);
	assert_string_not_equal(got, want);
}

/* The triggers refuse what loa never does: change or remove an entry, or
 * put one anywhere but at the end. */
static void test_append_only(void **state)
{
	struct fx *f = *state;
	sqlite3 *h = db_sqlite(f->db);

	assert_int_not_equal(sqlite3_exec(h, "UPDATE audit SET actor = 'lan' WHERE id = 2", NULL, NULL, NULL),
			     SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "DELETE FROM audit WHERE id = 6", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(h, "INSERT INTO audit (id, at, actor, action, prev_hash, row_hash)"
					  " SELECT 3, 0, 'x', 'y', prev_hash, row_hash FROM audit WHERE id = 1",
					  NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit WHERE actor = 'hoang'"), 3);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), N_ENTRIES);
}

/* An entry appended inside a caller's transaction goes with it: rolled
 * back, it was never there, and the next one takes its id. */
static void test_append_joins_the_transaction(void **state)
{
	struct fx *f = *state;

	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, "hoang", "edit", "#1", "x"), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 1);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(sql_int(f->db, "SELECT count(*) FROM audit"), 0);
	assert_int_equal(audit_append(f->db, "hoang", "edit", "#1", "y"), 0);
	assert_int_equal(sql_int(f->db, "SELECT id FROM audit WHERE detail = 'y'"), 1);
}

static void test_actor_names(void **state)
{
	char buf[AUDIT_ACTOR_MAX + 1];

	(void)state;
	assert_string_equal(audit_actor_of_uid(0, buf), "root");
	/* A uid without an account is still someone. */
	assert_string_equal(audit_actor_of_uid(3999999999u, buf), "uid 3999999999");
	assert_non_null(audit_actor_self(buf));
	assert_true(buf[0] != '\0');
}

/* ---- checking the trail ---- */

static void test_intact(void **state)
{
	struct fx *f = *state;

	verify(f);
	assert_true(f->res.ok);
	assert_int_equal(f->res.problem, VERIFY_INTACT);
	assert_int_equal(f->res.rows, N_ENTRIES);
	assert_string_equal(f->res.head, f->hash[N_ENTRIES]);
	assert_int_equal(f->res.head_id, N_ENTRIES);
	assert_int_equal(f->res.warnings.n, 0);
}

static void test_empty(void **state)
{
	struct fx *f = *state;

	verify(f);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 0);
	assert_int_equal(f->res.head_id, 0);
	assert_string_equal(f->res.head, LEDGER_GENESIS_HASH);
}

/* A copy an older loa made (schema 2) has no trail: intact and empty. */
static void test_no_trail_in_older_file(void **state)
{
	struct fx *f = *state;
	char *path = xasprintf("%s/old.db", f->dir);
	sqlite3 *h;

	assert_int_equal(sqlite3_open(path, &h), SQLITE_OK);
	for (int v = 1; v <= 2; v++)
		assert_int_equal(sqlite3_exec(h, db_migration_sql(v), NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	verify_file(f, path);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, 0);
	assert_int_equal(f->res.warnings.n, 0);
	free(path);
}

static void test_edit_detail(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE audit SET detail = 'title: ''A'' -> ''C''' WHERE id = 3");
	verify(f);
	assert_problem(f, VERIFY_EDITED, 3, "audit entry 3");
	assert_int_equal(f->res.rows, 2);
	assert_string_equal(f->res.head, f->hash[2]);
	/* Dropping the triggers is reported too. */
	assert_int_equal(f->res.warnings.n, 3);
	assert_non_null(strstr(f->res.warnings.v[0], "audit_append_at_end"));
}

/* Who did it is what a tamperer most wants to change. */
static void test_edit_actor(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE audit SET actor = 'lan' WHERE id = 1");
	verify(f);
	assert_problem(f, VERIFY_EDITED, 1, "audit entry 1: its content does not match");
	assert_int_equal(f->res.rows, 0);
}

static void test_edit_column_form(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE audit SET at = 1.5 WHERE id = 4");
	verify(f);
	assert_problem(f, VERIFY_EDITED, 4, "audit entry 4: its at is not stored");
	tamper(f, "UPDATE audit SET at = 1 WHERE id = 4; UPDATE audit SET target = NULL WHERE id = 2;"
		  " UPDATE audit SET actor = CAST('ho' || char(0) || 'ang' AS TEXT) WHERE id = 2");
	verify(f);
	assert_problem(f, VERIFY_EDITED, 2, "audit entry 2: its actor is not stored");
}

/* A tamperer who knows the encoding edits entry 3 and recomputes its
 * hash: entry 4 no longer links to it. */
static void test_edit_rehashed(void **state)
{
	struct fx *f = *state;
	struct audit_entry *v;
	char *sql;
	size_t n;

	assert_int_equal(audit_query(f->db, INT64_MIN, INT64_MAX, &v, &n), 0);
	free(v[2].actor);
	v[2].actor = xstrdup("lan");
	audit_row_hash(&v[2], v[2].row_hash);
	sql = sqlite3_mprintf("UPDATE audit SET actor = 'lan', row_hash = %Q WHERE id = 3", v[2].row_hash);
	audit_entries_free(v, n);
	tamper(f, sql);
	sqlite3_free(sql);
	verify(f);
	assert_problem(f, VERIFY_EDITED, 3, "audit entry 3: its content was changed and its hash recomputed");
	assert_int_equal(f->res.rows, 3);
}

static void test_delete_entry(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM audit WHERE id = 3");
	verify(f);
	assert_problem(f, VERIFY_REMOVED, 3, "audit entry 3 was removed");
	assert_int_equal(f->res.rows, 2);
}

static void test_delete_first_entries(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM audit WHERE id IN (1, 2)");
	verify(f);
	assert_problem(f, VERIFY_REMOVED, 1, "audit entries 1–2 were removed: the trail starts at entry 3");
}

static void test_delete_renumbered(void **state)
{
	struct fx *f = *state;

	tamper(f, "DELETE FROM audit WHERE id = 2;"
		  " UPDATE audit SET id = id - 1 + 100 WHERE id > 2;"
		  " UPDATE audit SET id = id - 100 WHERE id > 100");
	verify(f);
	assert_problem(f, VERIFY_REMOVED, 2, "audit entry 2 holds what was written as entry 3");
	assert_int_equal(f->res.written_as, 3);
}

static void test_insert_forged_entry(void **state)
{
	struct fx *f = *state;
	char *sql = sqlite3_mprintf("UPDATE audit SET id = id + 101 WHERE id >= 3;"
				    " UPDATE audit SET id = id - 100 WHERE id > 100;"
				    " INSERT INTO audit (id, at, actor, action, prev_hash, row_hash)"
				    " VALUES (3, 1, 'lan', 'retire', %Q, %Q)", f->hash[2],
				    "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90");

	tamper(f, sql);
	sqlite3_free(sql);
	verify(f);
	assert_problem(f, VERIFY_INSERTED, 3, "audit entry 3 is not part of the trail");
	assert_int_equal(f->res.rows, 2);
}

static void test_swap_entries(void **state)
{
	struct fx *f = *state;

	tamper(f, "UPDATE audit SET id = -2 WHERE id = 2;"
		  " UPDATE audit SET id = 2 WHERE id = 5;"
		  " UPDATE audit SET id = 5 WHERE id = -2");
	verify(f);
	assert_problem(f, VERIFY_REORDERED, 2, "audit entry 2 holds what was written as entry 5");
	assert_int_equal(f->res.written_as, 5);
	assert_int_equal(f->res.rows, 1);
}

/* ---- the backup is recorded ---- */

static void test_backup_recorded(void **state)
{
	struct fx *f = *state;
	char *file = xasprintf("%s/copy.db", f->dir), *real, msg[1024];
	struct audit_entry *v;
	size_t n;

	assert_int_equal(verify_backup(f->db, file, "hoang", &f->res, msg, sizeof(msg)), 0);
	assert_true(f->res.ok);
	assert_int_equal(audit_query(f->db, INT64_MIN, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, N_ENTRIES + 1);
	real = realpath(file, NULL);
	assert_non_null(real);
	assert_string_equal(v[n - 1].actor, "hoang");
	assert_string_equal(v[n - 1].action, "backup");
	assert_string_equal(v[n - 1].target, real);
	assert_string_equal(v[n - 1].detail, "0 ledger rows, head " LEDGER_GENESIS_HASH " (row 0)");
	audit_entries_free(v, n);
	/* The copy holds the trail up to the backup, not its own entry. */
	verify_file(f, file);
	assert_true(f->res.ok);
	assert_int_equal(f->res.rows, N_ENTRIES);
	assert_string_equal(f->res.head, f->hash[N_ENTRIES]);
	free(real);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_query, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_append_needs_actor_and_action, setup_empty, teardown),
		cmocka_unit_test(test_hash_encoding_frozen),
		cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_joins_the_transaction, setup_empty, teardown),
		cmocka_unit_test(test_actor_names),
		cmocka_unit_test_setup_teardown(test_intact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_no_trail_in_older_file, setup_empty, teardown),
		cmocka_unit_test_setup_teardown(test_edit_detail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_actor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_column_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_rehashed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_first_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_renumbered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_forged_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backup_recorded, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
