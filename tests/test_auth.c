/* Tests of the console's accounts core (auth/auth.c): who may do what,
 * accounts that keep their rules, logins that do not tell a wrong name
 * from a wrong password, sessions the database knows only by a hash, and
 * an audit entry for every change that never holds the password.
 *
 * Each Argon2id hash takes 64 MiB and a good part of a second (far more
 * under valgrind), so only the tests about passwords make real ones; the
 * rest seed accounts with SQL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "db/db.h"
#include "tests/fixture.h"
#include "util/sha256.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define PASSWORD "mật khẩu đài xã"
#define ACTOR "tester"

struct fx {
	char dir[96];
	char *state;
	struct db *db;
	sqlite3 *h;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	*state = f;
	if (!fixture_tmpdir(f->dir, sizeof(f->dir), "auth") || auth_init() < 0)
		return -1;
	f->state = xasprintf("%s/state", f->dir);
	if (db_open(f->state, DB_READ_WRITE, &f->db, msg, sizeof(msg)) < 0)
		return -1;
	f->h = db_sqlite(f->db);
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	fixture_rmtree(f->dir);
	free(f->state);
	free(f);
	return 0;
}

/* An account without a real hash, for tests that never log it in. */
static void seed(struct fx *f, const char *name, const char *role)
{
	char *sql = xasprintf("INSERT INTO accounts (name, role, password_hash, created_at)"
			      " VALUES ('%s', '%s', 'not-a-hash', 1000)", name, role);

	fixture_exec(f->h, sql);
	free(sql);
}

static int64_t count(struct fx *f, const char *sql)
{
	return fixture_int(f->h, sql);
}

/* Every column of every row of TABLE as one text, for looking for what
 * must not be there. Caller frees. */
static char *table_text(struct fx *f, const char *table)
{
	char *sql = xasprintf("SELECT * FROM %s", table), *out = xstrdup("");
	sqlite3_stmt *st;

	assert_int_equal(sqlite3_prepare_v2(f->h, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			char *more = xasprintf("%s|%s", out, v ? v : "NULL");

			free(out);
			out = more;
		}
	sqlite3_finalize(st);
	free(sql);
	return out;
}

/* Whether the file PATH holds the bytes of NEEDLE anywhere. */
static bool file_holds(const char *path, const char *needle)
{
	FILE *fp = fopen(path, "rb");
	size_t n = strlen(needle), len = 0, cap = 0, got;
	char *buf = NULL, chunk[65536];
	bool found;

	if (!fp)
		return false;
	while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		xgrow(&buf, &cap, len + got, 1);
		memcpy(buf + len, chunk, got);
		len += got;
	}
	fclose(fp);
	found = buf && memmem(buf, len, needle, n) != NULL;
	free(buf);
	return found;
}

/* Neither loa.db nor its WAL holds PASSWORD, and no audit entry does. */
static void assert_password_nowhere(struct fx *f, const char *password)
{
	char *path = xasprintf("%s/loa.db", f->state), *wal = xasprintf("%s/loa.db-wal", f->state);
	char *audit = table_text(f, "audit");

	assert_null(strstr(audit, password));
	assert_false(file_holds(path, password));
	assert_false(file_holds(wal, password));
	free(audit);
	free(wal);
	free(path);
}

static void roles_have_names_that_parse_back(void **state)
{
	enum auth_role r;

	(void)state;
	assert_string_equal(auth_role_name(AUTH_OFFICER), "officer");
	assert_string_equal(auth_role_name(AUTH_OPERATOR), "operator");
	assert_string_equal(auth_role_name(AUTH_ADMIN), "admin");
	for (int i = AUTH_OFFICER; i <= AUTH_ADMIN; i++) {
		assert_int_equal(auth_role_parse(auth_role_name((enum auth_role)i), &r), 0);
		assert_int_equal(r, i);
	}
	assert_int_equal(auth_role_parse("Admin", &r), -EINVAL);
	assert_int_equal(auth_role_parse("root", &r), -EINVAL);
	assert_int_equal(auth_role_parse("", &r), -EINVAL);
	assert_int_equal(auth_role_parse(NULL, &r), -EINVAL);
}

static void officers_only_view_operators_all_but_accounts_admins_all(void **state)
{
	static const struct {
		enum auth_action action;
		bool officer, operator, admin;
	} table[] = {
		{ AUTH_VIEW, true, true, true },
		{ AUTH_CONTENT, false, true, true },
		{ AUTH_SLOTS, false, true, true },
		{ AUTH_AIR, false, true, true },
		{ AUTH_ACCOUNTS, false, false, true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		assert_int_equal(auth_allows(AUTH_OFFICER, table[i].action), table[i].officer);
		assert_int_equal(auth_allows(AUTH_OPERATOR, table[i].action), table[i].operator);
		assert_int_equal(auth_allows(AUTH_ADMIN, table[i].action), table[i].admin);
	}
	/* What is outside the tables may do nothing. */
	assert_false(auth_allows((enum auth_role)7, AUTH_VIEW));
	assert_false(auth_allows(AUTH_ADMIN, (enum auth_action)7));
}

static void an_added_account_is_listed_stored_as_argon2id_and_audited(void **state)
{
	struct fx *f = *state;
	struct auth_account *v;
	char msg[512], *accounts;
	int64_t before = time_now_ms(), after;
	size_t n;

	assert_int_equal(auth_account_count(f->db), 0);
	assert_int_equal(auth_account_add(f->db, "lan", AUTH_OPERATOR, PASSWORD, ACTOR, msg, sizeof(msg)), 0);
	after = time_now_ms();
	assert_int_equal(auth_account_count(f->db), 1);
	assert_int_equal(auth_account_list(f->db, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "lan");
	assert_int_equal(v[0].role, AUTH_OPERATOR);
	assert_in_range(v[0].created_at, before, after);
	assert_int_equal(v[0].last_login_at, 0);
	free(v);
	/* libsodium's Argon2id string at the interactive limits. */
	assert_int_equal(count(f, "SELECT count(*) FROM accounts WHERE password_hash LIKE '$argon2id$v=19$m=65536,t=2,p=1$%'"),
			 1);
	assert_int_equal(count(f, "SELECT count(*) FROM accounts WHERE last_login_at IS NULL"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'tester' AND action = 'user-add'"
			       " AND target = 'lan' AND detail = 'role operator'"), 1);
	accounts = table_text(f, "accounts");
	assert_null(strstr(accounts, PASSWORD));
	free(accounts);
	assert_password_nowhere(f, PASSWORD);
}

static void a_taken_name_is_refused_and_nothing_is_stored(void **state)
{
	struct fx *f = *state;
	char msg[512];

	seed(f, "lan", "officer");
	assert_int_equal(auth_account_add(f->db, "lan", AUTH_ADMIN, PASSWORD, ACTOR, msg, sizeof(msg)), -EEXIST);
	assert_non_null(strstr(msg, "'lan'"));
	assert_int_equal(auth_account_count(f->db), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM accounts WHERE role = 'officer'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
}

static void bad_names_are_refused_with_what_is_allowed(void **state)
{
	static const char *const bad[] = {
		"", "Lan", "a b", ".lan", "-lan", "_lan", "lân", "a/b", "lan\n", "abcdefghijklmnopqrstuvwxyz0123456",
	};
	static const char *const good[] = {
		"a", "0", "nguyen.van.a", "x_y-z", "abcdefghijklmnopqrstuvwxyz012345",
	};
	struct fx *f = *state;
	char msg[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(auth_account_add(f->db, bad[i], AUTH_OFFICER, PASSWORD, ACTOR, msg, sizeof(msg)),
				 -EINVAL);
		assert_non_null(strstr(msg, "account name"));
	}
	assert_int_equal(auth_account_add(f->db, NULL, AUTH_OFFICER, PASSWORD, ACTOR, msg, sizeof(msg)), -EINVAL);
	/* Capitals alone: the message gives the name in lowercase. */
	assert_int_equal(auth_name_check("Lan", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, ": lan"));
	assert_int_equal(auth_name_check("a b", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "a-z, 0-9"));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(auth_name_check(good[i], msg, sizeof(msg)), 0);
	assert_int_equal(auth_name_check("Lan", NULL, 0), -EINVAL);
	assert_int_equal(auth_account_count(f->db), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
}

static void bad_passwords_and_roles_are_refused_without_echo(void **state)
{
	char long_pw[AUTH_PASSWORD_MAX + 2], max_pw[AUTH_PASSWORD_MAX + 1];
	const char *bad[] = { "", "short12", long_pw, "tab\there123", "line\nbreak12", "bad \xff\xfe utf-8",
			      "cr at the end\r" };
	struct fx *f = *state;
	char msg[512];

	memset(long_pw, 'x', sizeof(long_pw) - 1);
	long_pw[sizeof(long_pw) - 1] = '\0';
	memset(max_pw, 'y', sizeof(max_pw) - 1);
	max_pw[sizeof(max_pw) - 1] = '\0';
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		msg[0] = '\0';
		assert_int_equal(auth_account_add(f->db, "lan", AUTH_OFFICER, bad[i], ACTOR, msg, sizeof(msg)), -EINVAL);
		assert_non_null(strstr(msg, "password"));
		if (*bad[i])
			assert_null(strstr(msg, bad[i]));
	}
	assert_int_equal(auth_account_add(f->db, "lan", AUTH_OFFICER, NULL, ACTOR, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(auth_account_add(f->db, "lan", (enum auth_role)7, PASSWORD, ACTOR, msg, sizeof(msg)),
			 -EINVAL);
	assert_non_null(strstr(msg, "admin, operator or officer"));
	/* The bounds are bytes: 8 and 256 pass, and eight Vietnamese letters
	 * are more than eight bytes. */
	assert_int_equal(auth_password_check("12345678", msg, sizeof(msg)), 0);
	assert_int_equal(auth_password_check(max_pw, msg, sizeof(msg)), 0);
	assert_int_equal(auth_password_check("mậtkhẩu", msg, sizeof(msg)), 0);
	assert_int_equal(auth_password_check("1234567", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "at least 8"));
	assert_int_equal(auth_account_count(f->db), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
}

static void the_last_admin_cannot_be_removed(void **state)
{
	struct fx *f = *state;
	char msg[512];

	seed(f, "root1", "admin");
	seed(f, "op", "operator");
	assert_int_equal(auth_account_remove(f->db, "root1", ACTOR, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "last admin"));
	assert_non_null(strstr(msg, "loa user add NAME --role admin"));
	assert_int_equal(auth_account_count(f->db), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);

	seed(f, "root2", "admin");
	assert_int_equal(auth_account_remove(f->db, "root1", ACTOR, msg, sizeof(msg)), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'tester' AND action = 'user-remove'"
			       " AND target = 'root1' AND detail = 'role admin'"), 1);
	assert_int_equal(auth_account_remove(f->db, "root2", ACTOR, msg, sizeof(msg)), -EPERM);
	/* Other roles go whatever is left. */
	assert_int_equal(auth_account_remove(f->db, "op", ACTOR, msg, sizeof(msg)), 0);
	assert_int_equal(auth_account_remove(f->db, "op", ACTOR, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no account 'op'"));
	assert_int_equal(auth_account_remove(f->db, "Op", ACTOR, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(auth_account_count(f->db), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 2);
}

/* The change and its audit entry commit together: when the entry cannot
 * be written, the change is not made either. */
static void a_change_whose_audit_entry_fails_is_not_made(void **state)
{
	struct fx *f = *state;
	char msg[512];

	seed(f, "root1", "admin");
	seed(f, "root2", "admin");
	fixture_exec(f->h, "CREATE TEMP TRIGGER audit_refuses BEFORE INSERT ON audit BEGIN"
			   " SELECT RAISE(ABORT, 'the test refuses'); END");
	assert_int_equal(auth_account_remove(f->db, "root1", ACTOR, msg, sizeof(msg)), -EIO);
	assert_non_null(strstr(msg, "nothing was changed"));
	assert_int_equal(auth_account_count(f->db), 2);
	assert_int_equal(auth_account_add(f->db, "lan", AUTH_OFFICER, PASSWORD, ACTOR, msg, sizeof(msg)), -EIO);
	assert_int_equal(auth_account_count(f->db), 2);
	fixture_exec(f->h, "DROP TRIGGER temp.audit_refuses");

	/* Nested in the caller's transaction, which rolls back. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(auth_account_remove(f->db, "root1", ACTOR, msg, sizeof(msg)), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(auth_account_count(f->db), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
}

/* How many passwords Argon2id has checked: libsodium's verify is wrapped
 * (-Wl,--wrap, see the Makefile), so the test counts the work instead of
 * timing it on a shared machine. */
static int verifies;
int __real_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long len);
int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long len);
int __wrap_crypto_pwhash_str_verify(const char *str, const char *passwd, unsigned long long len)
{
	verifies++;
	return __real_crypto_pwhash_str_verify(str, passwd, len);
}

static void a_wrong_password_and_an_unknown_name_look_the_same(void **state)
{
	struct fx *f = *state;
	struct auth_account a, *v;
	int64_t before;
	size_t n;
	char msg[512];

	assert_int_equal(auth_account_add(f->db, "lan", AUTH_ADMIN, PASSWORD, ACTOR, msg, sizeof(msg)), 0);
	before = time_now_ms();
	assert_int_equal(auth_login(f->db, "lan", PASSWORD, &a), 0);
	assert_string_equal(a.name, "lan");
	assert_int_equal(a.role, AUTH_ADMIN);
	assert_in_range(a.last_login_at, before, time_now_ms());
	assert_int_equal(auth_account_list(f->db, &v, &n), 0);
	assert_int_equal(v[0].last_login_at, a.last_login_at);
	free(v);

	verifies = 0;
	assert_int_equal(auth_login(f->db, "lan", "mật khẩu sai rồi", &a), -EACCES);
	assert_string_equal(a.name, "");
	assert_int_equal(verifies, 1);
	/* The unknown name runs Argon2id too (against a dummy hash): without
	 * it the answer would come after one SQLite lookup, thousands of
	 * times sooner, and tell which names exist. */
	assert_int_equal(auth_login(f->db, "mai", PASSWORD, &a), -EACCES);
	assert_string_equal(a.name, "");
	assert_int_equal(verifies, 2);
	/* A name no account can have, and no password at all. */
	assert_int_equal(auth_login(f->db, "Bad Name", PASSWORD, &a), -EACCES);
	assert_int_equal(auth_login(f->db, NULL, NULL, &a), -EACCES);
	assert_int_equal(verifies, 4);
	/* The door records logins, with the address: not the core. */
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 1);
}

static void a_session_is_found_by_its_token_which_is_stored_only_as_a_hash(void **state)
{
	struct fx *f = *state;
	struct auth_account a = { .name = "lan", .role = AUTH_OPERATOR, .created_at = 1000 };
	struct auth_session s, got;
	char key[SHA256_HEX], *sessions, *sql;
	int64_t before = time_now_ms();

	seed(f, "lan", "operator");
	assert_int_equal(auth_session_open(f->db, &a, 8, &s), 0);
	assert_true(sha256_hex_valid(s.token));
	assert_true(sha256_hex_valid(s.csrf));
	assert_string_not_equal(s.token, s.csrf);
	assert_string_equal(s.account.name, "lan");
	assert_in_range(s.expires_at, before + 8 * 3600000, time_now_ms() + 8 * 3600000);

	assert_int_equal(auth_session_get(f->db, s.token, time_now_ms(), &got), 0);
	assert_string_equal(got.token, "");
	assert_string_equal(got.csrf, s.csrf);
	assert_string_equal(got.account.name, "lan");
	assert_int_equal(got.account.role, AUTH_OPERATOR);
	assert_int_equal(got.expires_at, s.expires_at);

	/* The database knows the token only by its SHA-256. */
	sessions = table_text(f, "sessions");
	assert_null(strstr(sessions, s.token));
	free(sessions);
	sha256_hex(s.token, strlen(s.token), key);
	sql = xasprintf("SELECT count(*) FROM sessions WHERE token_sha256 = '%s'", key);
	assert_int_equal(count(f, sql), 1);
	free(sql);

	/* Alive until its last millisecond, dead from expires_at on. */
	assert_int_equal(auth_session_get(f->db, s.token, s.expires_at - 1, &got), 0);
	assert_int_equal(auth_session_get(f->db, s.token, s.expires_at, &got), -ENOENT);
	assert_string_equal(got.account.name, "");

	/* What is not a token of ours finds nothing. */
	{
		char upper[AUTH_TOKEN_HEX], longer[AUTH_TOKEN_HEX + 1];

		for (size_t i = 0; i < sizeof(upper); i++)
			upper[i] = (char)(s.token[i] >= 'a' && s.token[i] <= 'f' ? s.token[i] - 32 : s.token[i]);
		snprintf(longer, sizeof(longer), "%s0", s.token);
		assert_int_equal(auth_session_get(f->db, upper, time_now_ms(), &got), -ENOENT);
		assert_int_equal(auth_session_get(f->db, longer, time_now_ms(), &got), -ENOENT);
		assert_int_equal(auth_session_get(f->db, key, time_now_ms(), &got), -ENOENT);
		assert_int_equal(auth_session_get(f->db, "", time_now_ms(), &got), -ENOENT);
		assert_int_equal(auth_session_get(f->db, NULL, time_now_ms(), &got), -ENOENT);
	}

	/* Logout ends it; ending it again, or nonsense, is no error. */
	assert_int_equal(auth_session_close(f->db, s.token), 0);
	assert_int_equal(auth_session_get(f->db, s.token, time_now_ms(), &got), -ENOENT);
	assert_int_equal(auth_session_close(f->db, s.token), 0);
	assert_int_equal(auth_session_close(f->db, "nonsense"), 0);
	assert_int_equal(auth_session_close(f->db, NULL), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 0);
}

static void expired_sessions_are_deleted_when_a_new_one_opens(void **state)
{
	struct fx *f = *state;
	struct auth_account a = { .name = "lan", .role = AUTH_OFFICER };
	struct auth_session s1, s2;

	seed(f, "lan", "officer");
	assert_int_equal(auth_session_open(f->db, &a, 1, &s1), 0);
	assert_int_equal(auth_session_open(f->db, &a, 1, &s2), 0);
	assert_string_not_equal(s1.token, s2.token);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 2);
	fixture_exec(f->h, "UPDATE sessions SET expires_at = 1");
	assert_int_equal(auth_session_open(f->db, &a, 1, &s1), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 1);
	assert_int_equal(auth_session_open(f->db, &a, 0, &s1), -EINVAL);
}

static void a_removed_accounts_sessions_are_dead_and_a_new_role_applies_at_once(void **state)
{
	struct fx *f = *state;
	struct auth_account op = { .name = "op", .role = AUTH_OPERATOR }, gone = { .name = "gone" };
	struct auth_session s, got;
	char msg[512];

	seed(f, "root", "admin");
	seed(f, "op", "operator");
	assert_int_equal(auth_session_open(f->db, &op, 8, &s), 0);
	fixture_exec(f->h, "UPDATE accounts SET role = 'officer' WHERE name = 'op'");
	assert_int_equal(auth_session_get(f->db, s.token, time_now_ms(), &got), 0);
	assert_int_equal(got.account.role, AUTH_OFFICER);
	assert_false(auth_allows(got.account.role, AUTH_AIR));

	assert_int_equal(auth_account_remove(f->db, "op", ACTOR, msg, sizeof(msg)), 0);
	assert_int_equal(auth_session_get(f->db, s.token, time_now_ms(), &got), -ENOENT);
	assert_int_equal(count(f, "SELECT count(*) FROM sessions"), 0);
	/* No session for an account that is not there. */
	assert_int_equal(auth_session_open(f->db, &gone, 8, &s), -ENOENT);
	assert_string_equal(s.token, "");
}

static void a_new_password_ends_the_accounts_sessions(void **state)
{
	struct fx *f = *state;
	struct auth_account lan = { .name = "lan" }, mai = { .name = "mai" }, a;
	struct auth_session s1, s2, s3, got;
	const char *fresh = "một mật khẩu mới";
	char msg[512];

	seed(f, "lan", "operator");
	seed(f, "mai", "admin");
	assert_int_equal(auth_session_open(f->db, &lan, 8, &s1), 0);
	assert_int_equal(auth_session_open(f->db, &lan, 8, &s2), 0);
	assert_int_equal(auth_session_open(f->db, &mai, 8, &s3), 0);

	assert_int_equal(auth_account_passwd(f->db, "lan", fresh, ACTOR, msg, sizeof(msg)), 0);
	assert_int_equal(auth_session_get(f->db, s1.token, time_now_ms(), &got), -ENOENT);
	assert_int_equal(auth_session_get(f->db, s2.token, time_now_ms(), &got), -ENOENT);
	assert_int_equal(auth_session_get(f->db, s3.token, time_now_ms(), &got), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE actor = 'tester' AND action = 'user-passwd'"
			       " AND target = 'lan' AND detail = 'sessions ended: 2'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM accounts WHERE name = 'lan'"
			       " AND password_hash LIKE '$argon2id$%'"), 1);
	assert_int_equal(auth_login(f->db, "lan", fresh, &a), 0);
	assert_password_nowhere(f, fresh);

	/* Checked before any hashing: no such account, a bad password. */
	assert_int_equal(auth_account_passwd(f->db, "nobody", fresh, ACTOR, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "loa user list"));
	assert_int_equal(auth_account_passwd(f->db, "mai", "short", ACTOR, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(count(f, "SELECT count(*) FROM audit"), 1);
}

static void csrf_tokens_compare_whole(void **state)
{
	struct fx *f = *state;
	struct auth_account a = { .name = "lan" };
	struct auth_session s;
	char other[AUTH_TOKEN_HEX], longer[AUTH_TOKEN_HEX + 1];

	seed(f, "lan", "officer");
	assert_int_equal(auth_session_open(f->db, &a, 1, &s), 0);
	assert_true(auth_csrf_ok(&s, s.csrf));
	memcpy(other, s.csrf, sizeof(other));
	other[63] = other[63] == '0' ? '1' : '0';
	assert_false(auth_csrf_ok(&s, other));
	other[63] = '\0';
	assert_false(auth_csrf_ok(&s, other)); /* a prefix */
	snprintf(longer, sizeof(longer), "%s0", s.csrf);
	assert_false(auth_csrf_ok(&s, longer));
	assert_false(auth_csrf_ok(&s, ""));
	assert_false(auth_csrf_ok(&s, NULL));
	assert_false(auth_csrf_ok(NULL, s.csrf));
	assert_false(auth_csrf_ok(&s, s.token));
	/* A session struct that holds no CSRF token matches nothing. */
	s.csrf[0] = '\0';
	assert_false(auth_csrf_ok(&s, ""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(roles_have_names_that_parse_back),
		cmocka_unit_test(officers_only_view_operators_all_but_accounts_admins_all),
		cmocka_unit_test_setup_teardown(an_added_account_is_listed_stored_as_argon2id_and_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(a_taken_name_is_refused_and_nothing_is_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_names_are_refused_with_what_is_allowed, setup, teardown),
		cmocka_unit_test_setup_teardown(bad_passwords_and_roles_are_refused_without_echo, setup, teardown),
		cmocka_unit_test_setup_teardown(the_last_admin_cannot_be_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(a_change_whose_audit_entry_fails_is_not_made, setup, teardown),
		cmocka_unit_test_setup_teardown(a_wrong_password_and_an_unknown_name_look_the_same, setup, teardown),
		cmocka_unit_test_setup_teardown(a_session_is_found_by_its_token_which_is_stored_only_as_a_hash, setup,
						teardown),
		cmocka_unit_test_setup_teardown(expired_sessions_are_deleted_when_a_new_one_opens, setup, teardown),
		cmocka_unit_test_setup_teardown(a_removed_accounts_sessions_are_dead_and_a_new_role_applies_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(a_new_password_ends_the_accounts_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(csrf_tokens_compare_whole, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
