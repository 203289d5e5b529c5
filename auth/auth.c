/* See auth.h. Everything cryptographic is libsodium's: Argon2id for
 * passwords, its system CSPRNG for tokens, its constant-time compare for
 * CSRF tokens. nettle's SHA-256 (util/sha256) only names a session in the
 * database: a token holds 256 random bits, so a fast hash is enough there,
 * as nothing about it can be guessed that a slow one would protect. */
#include "auth/auth.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/*
 * Argon2id at libsodium's interactive limits: 64 MiB and two passes, some
 * 0.4 s on the x86 build machine and, by the same measure, a fraction of a
 * second on a Pi 3 or 4. The moderate limits (256 MiB) would take a
 * quarter of a small Pi's memory from under the daemon for each login;
 * these are what a box that must keep airing can spare, and the console
 * has a handful of people logging in, not thousands. The parameters are
 * stored in each hash, so raising them later leaves old hashes working.
 * The algorithm is named rather than left to libsodium's default.
 */
#define PW_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE
#define PW_ALG      crypto_pwhash_ALG_ARGON2ID13

/* 256 random bits, for session and CSRF tokens. */
#define TOKEN_BYTES 32

static const char *const role_names[] = {
	[AUTH_OFFICER] = "officer",
	[AUTH_OPERATOR] = "operator",
	[AUTH_ADMIN] = "admin",
};
#define N_ROLES ((int)(sizeof(role_names) / sizeof(role_names[0])))

/* The least role each action needs; roles are ordered (auth.h). */
static const enum auth_role action_needs[] = {
	[AUTH_VIEW] = AUTH_OFFICER,
	[AUTH_CONTENT] = AUTH_OPERATOR,
	[AUTH_SLOTS] = AUTH_OPERATOR,
	[AUTH_AIR] = AUTH_OPERATOR,
	[AUTH_ACCOUNTS] = AUTH_ADMIN,
};
#define N_ACTIONS ((int)(sizeof(action_needs) / sizeof(action_needs[0])))

const char *auth_role_name(enum auth_role r)
{
	return (int)r >= 0 && (int)r < N_ROLES ? role_names[r] : "unknown";
}

int auth_role_parse(const char *s, enum auth_role *out)
{
	for (int i = 0; s && i < N_ROLES; i++)
		if (strcmp(s, role_names[i]) == 0) {
			*out = (enum auth_role)i;
			return 0;
		}
	return -EINVAL;
}

bool auth_allows(enum auth_role role, enum auth_action action)
{
	/* Anything outside the tables, a role read from a damaged row say,
	 * may do nothing. */
	if ((int)role < 0 || (int)role >= N_ROLES || (int)action < 0 || (int)action >= N_ACTIONS)
		return false;
	return role >= action_needs[action];
}

int auth_init(void)
{
	/* sodium_init is safe to call again and from several threads: 1 says
	 * it ran before. */
	if (sodium_init() < 0) {
		log_err(_("cannot start libsodium, which the console's accounts need; is /dev/urandom "
			"readable?"));
		return -EIO;
	}
	return 0;
}

static bool name_char(char c, bool first)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
		return true;
	return !first && (c == '.' || c == '_' || c == '-');
}

int auth_name_check(const char *name, char *msg, size_t msglen)
{
	char q[TEXT_QUOTE_MAX], lower[AUTH_NAME_MAX + 1];
	size_t n = name ? strnlen(name, AUTH_NAME_MAX + 1) : 0;
	bool ok = n > 0 && n <= AUTH_NAME_MAX, upper = false;

	for (size_t i = 0; ok && i < n; i++) {
		char c = name[i];

		if (c >= 'A' && c <= 'Z') {
			upper = true;
			c = (char)(c - 'A' + 'a');
		}
		ok = name_char(c, i == 0);
		lower[i] = c;
	}
	if (ok && !upper)
		return 0;
	if (n == 0) {
		text_set(msg, msglen, _("the account name is empty; give 1 to %d of the characters a-z, 0-9, "
			"'.', '_' and '-', e.g. lan or nguyen.van.a"), AUTH_NAME_MAX);
	} else if (n > AUTH_NAME_MAX) {
		text_set(msg, msglen, _("the account name '%s' is longer than %d bytes; give a shorter one, "
			"e.g. lan or nguyen.van.a"), text_quote(name, q), AUTH_NAME_MAX);
	} else if (ok) {
		/* Only capitals stand in the way: say what the name would be. */
		lower[n] = '\0';
		text_set(msg, msglen, _("the account name '%s' has capital letters; account names are "
			"written in lowercase: %s"), text_quote(name, q), lower);
	} else {
		text_set(msg, msglen, _("the account name '%s' is not one loa takes: use 1 to %d of the "
			"characters a-z, 0-9, '.', '_' and '-' (no spaces, no accents), starting with a letter "
			"or digit, e.g. lan or nguyen.van.a"), text_quote(name, q), AUTH_NAME_MAX);
	}
	return -EINVAL;
}

int auth_password_check(const char *password, char *msg, size_t msglen)
{
	size_t n = password ? strnlen(password, AUTH_PASSWORD_MAX + 1) : 0, at;

	/* Never echo it: each message says what is wrong, not what was given. */
	if (n == 0) {
		text_set(msg, msglen, _("the password is empty; give one of %d to %d bytes"), AUTH_PASSWORD_MIN,
			AUTH_PASSWORD_MAX);
		return -EINVAL;
	}
	if (n > AUTH_PASSWORD_MAX) {
		text_set(msg, msglen, _("the password is longer than %d bytes; give a shorter one"),
			AUTH_PASSWORD_MAX);
		return -EINVAL;
	}
	switch (text_check(password, AUTH_PASSWORD_MAX, &at)) {
	case TEXT_OK:
		break;
	case TEXT_NOT_UTF8:
		text_set(msg, msglen, _("the password is not UTF-8 text; type it in a terminal or browser "
			"that writes UTF-8"));
		return -EINVAL;
	default:
		text_set(msg, msglen, _("the password holds a control character (a tab, a carriage return, "
			"...); use letters, digits, spaces and punctuation"));
		return -EINVAL;
	}
	if (n < AUTH_PASSWORD_MIN) {
		text_set(msg, msglen, _("the password is too short (%zu bytes); give at least %d, e.g. a few "
			"words with spaces between them"), n, AUTH_PASSWORD_MIN);
		return -EINVAL;
	}
	return 0;
}

static int check_role(enum auth_role role, char *msg, size_t msglen)
{
	if ((int)role >= 0 && (int)role < N_ROLES)
		return 0;
	text_set(msg, msglen, _("no such role; give admin, operator or officer"));
	return -EINVAL;
}

/* crypto_pwhash_str of PASSWORD into OUT. Returns 0, or -EIO when
 * libsodium cannot get the memory (MSG says so). */
static int hash_password(const char *password, char out[crypto_pwhash_STRBYTES], char *msg, size_t msglen)
{
	if (crypto_pwhash_str_alg(out, password, strlen(password), PW_OPSLIMIT, PW_MEMLIMIT, PW_ALG) == 0)
		return 0;
	text_set(msg, msglen, _("cannot hash the password: hashing needs %zu MiB of free memory; try again "
		"when the box has it (free -m shows it)"), (size_t)(PW_MEMLIMIT >> 20));
	return -EIO;
}

/*
 * A hash of a random password nobody knows, made at the first login of the
 * process (not at auth_init: the command line never needs it). A login for
 * a name that does not exist verifies against it, so it costs what a wrong
 * password for a real name costs, and the time of the answer does not tell
 * which names exist. Made once, under a lock, as the console may run
 * logins in more than one thread. NULL when there was no memory to make it
 * (tried again at the next login).
 */
static pthread_mutex_t dummy_lock = PTHREAD_MUTEX_INITIALIZER;
static char dummy_hash[crypto_pwhash_STRBYTES];
static bool dummy_made;

static const char *dummy(void)
{
	const char *r;

	pthread_mutex_lock(&dummy_lock);
	if (!dummy_made) {
		unsigned char raw[TOKEN_BYTES];
		char pw[TOKEN_BYTES * 2 + 1];

		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
		dummy_made = crypto_pwhash_str_alg(dummy_hash, pw, strlen(pw), PW_OPSLIMIT, PW_MEMLIMIT, PW_ALG) == 0;
		sodium_memzero(raw, sizeof(raw));
		sodium_memzero(pw, sizeof(pw));
	}
	r = dummy_made ? dummy_hash : NULL;
	pthread_mutex_unlock(&dummy_lock);
	return r;
}

/* Fills ACC (may be NULL) and HASH (may be NULL) from the account NAME.
 * Returns 0, -ENOENT or -EIO (logged). */
static int find_account(struct db *db, const char *name, struct auth_account *acc,
			char hash[crypto_pwhash_STRBYTES])
{
	sqlite3_stmt *st;
	enum auth_role role;
	int rc, r = -ENOENT;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT name, role, created_at, last_login_at, password_hash"
			       " FROM accounts WHERE name = ?1", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the accounts"));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		const char *h = (const char *)sqlite3_column_text(st, 4);

		r = 0;
		/* The CHECK and the doors keep such a row out: one is damage.
		 * The hash is judged only when asked for, so that an account
		 * with a damaged one can still be removed. */
		if (auth_role_parse((const char *)sqlite3_column_text(st, 1), &role) < 0 || !n ||
		    strlen(n) > AUTH_NAME_MAX || (hash && (!h || strlen(h) >= crypto_pwhash_STRBYTES))) {
			log_err(_("database %s: the account '%s' is damaged (its role or password hash is "
				"not one loa writes); remove it and add it again"), db_path(db), name);
			r = -EIO;
		} else {
			if (acc) {
				snprintf(acc->name, sizeof(acc->name), "%s", n);
				acc->role = role;
				acc->created_at = sqlite3_column_int64(st, 2);
				acc->last_login_at = sqlite3_column_int64(st, 3); /* NULL reads as 0 */
			}
			if (hash)
				snprintf(hash, crypto_pwhash_STRBYTES, "%s", h);
		}
	} else if (rc != SQLITE_DONE) {
		r = db_fail(db, N_("reading the accounts"));
	}
	sqlite3_finalize(st);
	return r;
}

/* Runs SQL with ?1 = A and ?2 = B (each bound when not NULL). Returns
 * SQLite's code for the step, SQLITE_DONE when it ran. */
static int run(struct db *db, const char *sql, const char *a, const char *b)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db_sqlite(db), sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	if (a)
		sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	if (b)
		sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc;
}

static void no_such_account(const char *name, char *msg, size_t msglen)
{
	text_set(msg, msglen, _("there is no account '%s'; 'loa user list' shows them"), name);
}

static void name_taken(const char *name, char *msg, size_t msglen)
{
	text_set(msg, msglen, _("there is an account '%s' already; choose another name, or give it a new "
		"password with loa user passwd %s"), name, name);
}

int auth_account_add(struct db *db, const char *name, enum auth_role role, const char *password,
		     const char *actor, char *msg, size_t msglen)
{
	char hash[crypto_pwhash_STRBYTES], detail[32];
	sqlite3_stmt *st = NULL;
	int rc, r;

	text_set(msg, msglen, "%s", "");
	if ((r = auth_name_check(name, msg, msglen)) < 0 || (r = check_role(role, msg, msglen)) < 0 ||
	    (r = auth_password_check(password, msg, msglen)) < 0)
		return r;
	/* Asked before the hash, which takes a while: a taken name is the
	 * usual mistake. The insert below settles a race. */
	r = find_account(db, name, NULL, NULL);
	if (r == 0) {
		name_taken(name, msg, msglen);
		return -EEXIST;
	}
	if (r != -ENOENT) {
		text_set(msg, msglen, _("cannot read the accounts from the database; nothing was changed"));
		return -EIO;
	}
	if ((r = hash_password(password, hash, msg, msglen)) < 0)
		return r;
	snprintf(detail, sizeof(detail), "role %s", auth_role_name(role));
	if (db_begin(db) < 0)
		goto fail;
	rc = sqlite3_prepare_v2(db_sqlite(db), "INSERT INTO accounts (name, role, password_hash, created_at)"
				" VALUES (?1, ?2, ?3, ?4)", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, auth_role_name(role), -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, time_now_ms());
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		db_rollback(db);
		name_taken(name, msg, msglen);
		return -EEXIST;
	}
	if (rc != SQLITE_DONE) {
		db_fail(db, N_("adding an account"));
		db_rollback(db);
		goto fail;
	}
	if (audit_append(db, actor, "user-add", name, detail) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	text_set(msg, msglen, _("the database refused the account '%s'; nothing was changed"), name);
	return -EIO;
}

int auth_account_passwd(struct db *db, const char *name, const char *password, const char *actor, char *msg,
			size_t msglen)
{
	char hash[crypto_pwhash_STRBYTES], detail[48];
	sqlite3 *h = db_sqlite(db);
	int r;

	text_set(msg, msglen, "%s", "");
	if ((r = auth_name_check(name, msg, msglen)) < 0 || (r = auth_password_check(password, msg, msglen)) < 0)
		return r;
	r = find_account(db, name, NULL, NULL);
	if (r == -ENOENT)
		no_such_account(name, msg, msglen);
	else if (r < 0)
		text_set(msg, msglen, _("cannot read the accounts from the database; nothing was changed"));
	if (r < 0)
		return r;
	if ((r = hash_password(password, hash, msg, msglen)) < 0)
		return r;
	if (db_begin(db) < 0)
		goto fail;
	if (run(db, "UPDATE accounts SET password_hash = ?2 WHERE name = ?1", name, hash) != SQLITE_DONE) {
		db_fail(db, N_("changing a password"));
		db_rollback(db);
		goto fail;
	}
	if (sqlite3_changes(h) == 0) { /* removed since it was found */
		db_rollback(db);
		no_such_account(name, msg, msglen);
		return -ENOENT;
	}
	/* Whoever knew the old password may hold a session: it ends here. */
	if (run(db, "DELETE FROM sessions WHERE account = ?1", name, NULL) != SQLITE_DONE) {
		db_fail(db, N_("ending an account's sessions"));
		db_rollback(db);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "sessions ended: %d", sqlite3_changes(h));
	if (audit_append(db, actor, "user-passwd", name, detail) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	text_set(msg, msglen, _("the database refused the new password of '%s'; nothing was changed"), name);
	return -EIO;
}

int auth_account_remove(struct db *db, const char *name, const char *actor, char *msg, size_t msglen)
{
	struct auth_account acc;
	char detail[32];
	int64_t admins = 0;
	int r;

	text_set(msg, msglen, "%s", "");
	if ((r = auth_name_check(name, msg, msglen)) < 0)
		return r;
	/* The count of admins and the delete in one transaction: two admins
	 * removing each other at once cannot leave none. */
	if (db_begin(db) < 0)
		goto fail;
	r = find_account(db, name, &acc, NULL);
	if (r < 0) {
		db_rollback(db);
		if (r != -ENOENT)
			goto fail;
		no_such_account(name, msg, msglen);
		return r;
	}
	if (acc.role == AUTH_ADMIN &&
	    db_query_int(db_sqlite(db), "SELECT count(*) FROM accounts WHERE role = 'admin'", &admins) != SQLITE_OK) {
		db_fail(db, N_("reading the accounts"));
		db_rollback(db);
		goto fail;
	}
	if (acc.role == AUTH_ADMIN && admins <= 1) {
		db_rollback(db);
		text_set(msg, msglen, _("'%s' is the last admin account, and without one nobody can manage the "
			"accounts; add another admin first (loa user add NAME --role admin), then remove this "
			"one"), name);
		return -EPERM;
	}
	/* Its sessions go with it (ON DELETE CASCADE). */
	if (run(db, "DELETE FROM accounts WHERE name = ?1", name, NULL) != SQLITE_DONE) {
		db_fail(db, N_("removing an account"));
		db_rollback(db);
		goto fail;
	}
	snprintf(detail, sizeof(detail), "role %s", auth_role_name(acc.role));
	if (audit_append(db, actor, "user-remove", name, detail) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail:
	text_set(msg, msglen, _("the database refused to remove the account '%s'; nothing was changed"), name);
	return -EIO;
}

int auth_account_list(struct db *db, struct auth_account **out, size_t *n)
{
	struct auth_account *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT name, role, created_at, last_login_at FROM accounts"
			       " ORDER BY name", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the accounts"));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		struct auth_account *a;

		xgrow(&v, &cap, len + 1, sizeof(*v));
		a = &v[len++];
		memset(a, 0, sizeof(*a));
		snprintf(a->name, sizeof(a->name), "%s", name ? name : "");
		if (auth_role_parse((const char *)sqlite3_column_text(st, 1), &a->role) < 0)
			a->role = AUTH_OFFICER; /* the CHECK keeps this out; the least if not */
		a->created_at = sqlite3_column_int64(st, 2);
		a->last_login_at = sqlite3_column_int64(st, 3);
	}
	if (rc != SQLITE_DONE) {
		rc = db_fail(db, N_("reading the accounts"));
		sqlite3_finalize(st);
		free(v);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = len;
	return 0;
}

int64_t auth_account_count(struct db *db)
{
	int64_t n;

	if (db_query_int(db_sqlite(db), "SELECT count(*) FROM accounts", &n) != SQLITE_OK)
		return db_fail(db, N_("reading the accounts"));
	return n;
}

static int record_login(struct db *db, const char *name, int64_t at)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db_sqlite(db), "UPDATE accounts SET last_login_at = ?2 WHERE name = ?1", -1, &st,
				NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, at);
		rc = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : db_fail(db, N_("recording a login"));
}

int auth_login(struct db *db, const char *name, const char *password, struct auth_account *out)
{
	char hash[crypto_pwhash_STRBYTES];
	const char *against;
	bool found, ok;
	int r;

	memset(out, 0, sizeof(*out));
	if (!password)
		password = "";
	/* Made at the first login whatever its name, so that not even the
	 * first one for an unknown name takes longer. */
	if (!(against = dummy())) {
		log_err(_("cannot check a password: hashing needs %zu MiB of free memory"),
			(size_t)(PW_MEMLIMIT >> 20));
		return -EIO;
	}
	/* A name that breaks the rules cannot exist: it takes the dummy's way. */
	r = name && auth_name_check(name, NULL, 0) == 0 ? find_account(db, name, out, hash) : -ENOENT;
	if (r < 0 && r != -ENOENT)
		return r;
	found = r == 0;
	if (found)
		against = hash;
	/* The same Argon2id work either way; only then is FOUND looked at. */
	ok = crypto_pwhash_str_verify(against, password, strlen(password)) == 0;
	sodium_memzero(hash, sizeof(hash));
	if (!found || !ok) {
		memset(out, 0, sizeof(*out));
		return -EACCES;
	}
	out->last_login_at = time_now_ms();
	if ((r = record_login(db, out->name, out->last_login_at)) < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

/* 256 random bits as 64 lowercase hex digits. */
static void random_token(char out[AUTH_TOKEN_HEX])
{
	unsigned char raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(out, AUTH_TOKEN_HEX, raw, sizeof(raw));
	sodium_memzero(raw, sizeof(raw));
}

/* The name of TOKEN in the database, or false when TOKEN cannot be one of
 * ours: 64 lowercase hex digits, as random_token writes them. */
static bool token_key(const char *token, char key[SHA256_HEX])
{
	/* sha256_hex_valid checks exactly that shape. */
	if (!token || !sha256_hex_valid(token))
		return false;
	sha256_hex(token, AUTH_TOKEN_HEX - 1, key);
	return true;
}

int auth_session_open(struct db *db, const struct auth_account *account, int hours, struct auth_session *out)
{
	sqlite3_stmt *st = NULL;
	char key[SHA256_HEX];
	int64_t now = time_now_ms();
	int rc;

	memset(out, 0, sizeof(*out));
	if (!account || hours < 1)
		return -EINVAL;
	random_token(out->token);
	random_token(out->csrf);
	out->account = *account;
	out->expires_at = now + (int64_t)hours * 3600 * 1000;
	token_key(out->token, key);
	if (db_begin(db) < 0)
		goto fail;
	/* Dead sessions go here, lazily: nothing else needs to sweep. */
	if (sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM sessions WHERE expires_at <= ?1", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail_sql;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail_sql;
	if (sqlite3_prepare_v2(db_sqlite(db), "INSERT INTO sessions (token_sha256, account, csrf, created_at,"
			       " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &st, NULL) != SQLITE_OK)
		goto fail_sql;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, account->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, out->csrf, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, out->expires_at);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	st = NULL;
	if ((rc & 0xff) == SQLITE_CONSTRAINT) {
		/* The account was removed since the login (its foreign key). */
		db_rollback(db);
		sodium_memzero(out, sizeof(*out));
		return -ENOENT;
	}
	if (rc != SQLITE_DONE)
		goto fail_sql;
	if (db_commit(db) < 0)
		goto fail;
	return 0;
fail_sql:
	db_fail(db, N_("opening a session"));
	sqlite3_finalize(st);
	db_rollback(db);
fail:
	sodium_memzero(out, sizeof(*out));
	return -EIO;
}

int auth_session_get(struct db *db, const char *token, int64_t now, struct auth_session *out)
{
	sqlite3_stmt *st;
	char key[SHA256_HEX];
	int rc, r = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (!token_key(token, key))
		return -ENOENT;
	/* The account as it is now: a removed one has no row to join (and
	 * its sessions went with it), a changed role shows at once. */
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT s.csrf, s.expires_at, a.name, a.role, a.created_at,"
			       " a.last_login_at FROM sessions s JOIN accounts a ON a.name = s.account"
			       " WHERE s.token_sha256 = ?1 AND s.expires_at > ?2", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading a session"));
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *csrf = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 2);

		if (!csrf || strlen(csrf) != AUTH_TOKEN_HEX - 1 || !name || strlen(name) > AUTH_NAME_MAX ||
		    auth_role_parse((const char *)sqlite3_column_text(st, 3), &out->account.role) < 0) {
			log_err(_("database %s: a session of the account '%s' is damaged; it is refused"),
				db_path(db), name ? name : "?");
			r = -EIO;
		} else {
			memcpy(out->csrf, csrf, AUTH_TOKEN_HEX);
			out->expires_at = sqlite3_column_int64(st, 1);
			snprintf(out->account.name, sizeof(out->account.name), "%s", name);
			out->account.created_at = sqlite3_column_int64(st, 4);
			out->account.last_login_at = sqlite3_column_int64(st, 5);
			r = 0;
		}
	} else if (rc != SQLITE_DONE) {
		r = db_fail(db, N_("reading a session"));
	}
	sqlite3_finalize(st);
	if (r < 0)
		memset(out, 0, sizeof(*out));
	return r;
}

int auth_session_close(struct db *db, const char *token)
{
	char key[SHA256_HEX];

	if (!token_key(token, key))
		return 0;
	if (run(db, "DELETE FROM sessions WHERE token_sha256 = ?1", key, NULL) != SQLITE_DONE)
		return db_fail(db, N_("ending a session"));
	return 0;
}

bool auth_csrf_ok(const struct auth_session *s, const char *csrf)
{
	const size_t n = AUTH_TOKEN_HEX - 1;

	/* The length is no secret; the digits are compared in constant time. */
	if (!s || !csrf || strnlen(s->csrf, AUTH_TOKEN_HEX) != n || strnlen(csrf, n + 1) != n)
		return false;
	return sodium_memcmp(s->csrf, csrf, n) == 0;
}
