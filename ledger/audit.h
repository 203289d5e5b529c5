/* The audit trail (nhật ký thao tác): who did what. Every change to the
 * library, the programme and the config, and every command to the daemon,
 * is an entry with its actor, instant, action, target and a short
 * before/after. Entries are insert-only and hash-chained the way ledger
 * rows are (triggers refuse UPDATE and DELETE; row_hash covers the entry
 * and the previous row_hash), so `loa verify` finds an edited, removed or
 * reordered entry. An entry is appended in the same transaction as the
 * change it records when the caller holds one (db_begin nests). */
#ifndef LOA_AUDIT_H
#define LOA_AUDIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/sha256.h"

struct db;
struct json;

struct audit_entry {
	int64_t id;
	int64_t at;         /* ms */
	char *actor;        /* a Unix user name ("uid 1001" without one), or a console account */
	char *action;       /* "import", "edit", "retire", "slot-add", "slot-edit", "slot-remove",
			       "play", "alert", "alert-cancel", "stop", "config-reload", "backup", ... */
	char *target;       /* may be NULL */
	char *detail;       /* may be NULL */
	char prev_hash[SHA256_HEX];
	char row_hash[SHA256_HEX];
};

/* The longest actor name kept; longer ones are cut on a UTF-8 boundary. */
#define AUDIT_ACTOR_MAX 64

/* Appends an entry at the current time durably (its own transaction, or
 * the caller's). TARGET and DETAIL may be NULL. Returns 0, -EIO, or
 * -EINVAL without an actor or an action. */
int audit_append(struct db *db, const char *actor, const char *action, const char *target, const char *detail);
/* Entries whose instant is in [from_ms, to_ms), by id. Free with
 * audit_entries_free. Returns 0 or -EIO. */
int audit_query(struct db *db, int64_t from_ms, int64_t to_ms, struct audit_entry **out, size_t *n);
void audit_entries_free(struct audit_entry *v, size_t n);
/* E as one JSON object: id, at, actor, action, target, detail, the fields
 * `loa audit --json` and the console's /api/v1/audit share. */
void audit_entry_json(struct json *j, const struct audit_entry *e);
/* row_hash of E as stored (id and prev_hash included): SHA-256 over
 * "loa-audit-v1\n" and one line NAME "=" VALUE "\n" per field in the order
 * id, at, actor, action, target, detail, prev_hash, VALUE being "null"
 * or LEN ":" BYTES, as the ledger's rows are encoded (ledger.c). */
void audit_row_hash(const struct audit_entry *e, char out[SHA256_HEX]);
/* The name of user UID for the trail: the account's name, or "uid N". */
const char *audit_actor_of_uid(uid_t uid, char buf[AUDIT_ACTOR_MAX + 1]);
/* The actor of this process: the user who runs it (its real uid). */
const char *audit_actor_self(char buf[AUDIT_ACTOR_MAX + 1]);

#endif
