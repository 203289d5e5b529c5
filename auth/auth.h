/* Accounts, roles and sessions of the web console: who may do what. The
 * accounts live in the station database (schema 4), passwords as Argon2id
 * hashes (libsodium crypto_pwhash_str), sessions as 256 random bits of
 * which the database keeps only a hash, so a copy of loa.db opens no
 * session. Every door asks auth_allows() before it acts: the rule is
 * here, in the core, not in which buttons a page shows.
 *
 * Floor: beside content/ (it uses db/ and ledger/'s audit trail). */
#ifndef LOA_AUTH_H
#define LOA_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* Ordered: each role may do all that the one before it may. */
enum auth_role {
	AUTH_OFFICER,  /* cán bộ theo dõi: sees and downloads */
	AUTH_OPERATOR, /* phát thanh viên: + upload, edit, retire, slots, play, stop, alert */
	AUTH_ADMIN,    /* quản trị: + accounts */
};

enum auth_action {
	AUTH_VIEW,     /* status, library, schedule, log, reports, audit, and their downloads */
	AUTH_CONTENT,  /* upload, edit, retire bulletins */
	AUTH_SLOTS,    /* add, edit, remove slots */
	AUTH_AIR,      /* play, stop, alert */
	AUTH_ACCOUNTS, /* add, change, remove accounts */
};

/* "officer", "operator", "admin". */
const char *auth_role_name(enum auth_role r);
/* Returns 0 or -EINVAL. */
int auth_role_parse(const char *s, enum auth_role *out);
/* Whether ROLE may do ACTION. */
bool auth_allows(enum auth_role role, enum auth_action action);

/* Account names: 1..32 bytes of [a-z0-9._-], starting with a letter or
 * digit (they appear in the audit trail, URLs and file names). */
#define AUTH_NAME_MAX 32
/* Passwords: 8..256 bytes of UTF-8 text. */
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 256

/* Check NAME or PASSWORD against those rules, as the functions below do
 * first, so that a door can refuse before it asks for more: 0, or -EINVAL
 * with MSG (may be NULL) naming what is wrong and what is allowed. A
 * password is never echoed. */
int auth_name_check(const char *name, char *msg, size_t msglen);
int auth_password_check(const char *password, char *msg, size_t msglen);

struct auth_account {
	char name[AUTH_NAME_MAX + 1];
	enum auth_role role;
	int64_t created_at;    /* ms */
	int64_t last_login_at; /* ms, 0 = never */
};

/* Initialises libsodium once. Returns 0, or -EIO when it cannot run. */
int auth_init(void);

/* Each of these checks its input first and returns 0, -EINVAL (MSG names
 * what is wrong and what is allowed), -EEXIST (add: the name is taken),
 * -ENOENT (no such account), -EPERM (remove: the last admin), or -EIO; and
 * records the change ("user-add", "user-passwd", "user-remove") by ACTOR
 * in the audit trail, in the same transaction. The password is never
 * recorded, logged or echoed. A new password (passwd) ends every session
 * the account has: whoever knew the old one is logged out. A door that
 * changes the password of the person using it opens them a new session
 * (auth_session_open) to stay logged in. */
int auth_account_add(struct db *db, const char *name, enum auth_role role, const char *password,
		     const char *actor, char *msg, size_t msglen);
int auth_account_passwd(struct db *db, const char *name, const char *password, const char *actor, char *msg,
			size_t msglen);
int auth_account_remove(struct db *db, const char *name, const char *actor, char *msg, size_t msglen);
/* Every account by name. Free *out with free(). Returns 0 or -EIO. */
int auth_account_list(struct db *db, struct auth_account **out, size_t *n);
/* How many accounts there are (the console asks for the first admin
 * when none), or -EIO. */
int64_t auth_account_count(struct db *db);

/* Checks NAME's PASSWORD. On success fills *OUT, sets last_login_at and
 * returns 0; a wrong name and a wrong password both return -EACCES, after
 * the same work, so the answer does not tell which was wrong. -EIO when
 * the database cannot be read. Records nothing: the door records the
 * login with the address it came from. */
int auth_login(struct db *db, const char *name, const char *password, struct auth_account *out);

/* A session: the token goes to the browser (a cookie), the CSRF token into
 * pages and X-CSRF-Token; both are 256 random bits as 64 hex digits. */
#define AUTH_TOKEN_HEX 65
struct auth_session {
	char token[AUTH_TOKEN_HEX]; /* only when just created */
	char csrf[AUTH_TOKEN_HEX];
	struct auth_account account;
	int64_t expires_at; /* ms */
};

/* Opens a session for ACCOUNT lasting HOURS (at least 1), deleting the
 * sessions that have expired. Returns 0, -EINVAL (HOURS), -ENOENT (the
 * account was removed meanwhile) or -EIO. */
int auth_session_open(struct db *db, const struct auth_account *account, int hours, struct auth_session *out);
/* The live session of TOKEN at NOW (ms), with its account as it is now (a
 * removed account's sessions are dead; a changed role applies at once).
 * Returns 0, -ENOENT (no such session, expired, or malformed token), or -EIO. */
int auth_session_get(struct db *db, const char *token, int64_t now, struct auth_session *out);
/* Ends the session of TOKEN (logout). Returns 0 (also when there was none) or -EIO. */
int auth_session_close(struct db *db, const char *token);
/* Whether CSRF matches the session's, in constant time. */
bool auth_csrf_ok(const struct auth_session *s, const char *csrf);

#endif
