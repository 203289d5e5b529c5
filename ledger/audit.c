/* See audit.h. The trail is written far less often than the ledger (a few
 * entries a day), so its encoding is built plainly rather than tuned. */
#include "ledger/audit.h"

#include <errno.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db/db.h"
#include "ledger/ledger.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static void put_field(struct sha256_ctx *c, const char *name, const char *v, bool null)
{
	char head[64];
	int n;

	if (null)
		n = snprintf(head, sizeof(head), "%s=null\n", name);
	else
		n = snprintf(head, sizeof(head), "%s=%zu:", name, strlen(v));
	sha256_update(c, (size_t)n, (const uint8_t *)head);
	if (!null) {
		sha256_update(c, strlen(v), (const uint8_t *)v);
		sha256_update(c, 1, (const uint8_t *)"\n");
	}
}

static void put_int(struct sha256_ctx *c, const char *name, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	put_field(c, name, num, false);
}

void audit_row_hash(const struct audit_entry *e, char out[SHA256_HEX])
{
	struct sha256_ctx c;

	sha256_init(&c);
	sha256_update(&c, 13, (const uint8_t *)"loa-audit-v1\n");
	put_int(&c, "id", e->id);
	put_int(&c, "at", e->at);
	put_field(&c, "actor", e->actor ? e->actor : "", false);
	put_field(&c, "action", e->action ? e->action : "", false);
	put_field(&c, "target", e->target, !e->target);
	put_field(&c, "detail", e->detail, !e->detail);
	put_field(&c, "prev_hash", e->prev_hash, false);
	sha256_finish_hex(&c, out);
}

/* The last entry's id and row_hash, or 0 and the genesis hash. */
static int head(sqlite3 *h, int64_t *id, char hash[SHA256_HEX])
{
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	snprintf(hash, SHA256_HEX, "%s", LEDGER_GENESIS_HASH);
	if (sqlite3_prepare_v2(h, "SELECT id, row_hash FROM audit ORDER BY id DESC LIMIT 1", -1, &st, NULL) !=
	    SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 1);

		*id = sqlite3_column_int64(st, 0);
		snprintf(hash, SHA256_HEX, "%s", s ? s : "");
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -EIO;
}

int audit_append(struct db *db, const char *actor, const char *action, const char *target, const char *detail)
{
	struct audit_entry e = {
		.at = time_now_ms(), .actor = (char *)actor, .action = (char *)action,
		.target = (char *)target, .detail = (char *)detail,
	};
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	int r;

	if (!actor || !*actor || !action || !*action)
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	if (head(h, &e.id, e.prev_hash) < 0)
		goto fail;
	e.id++;
	audit_row_hash(&e, e.row_hash);
	if (sqlite3_prepare_v2(h, "INSERT INTO audit (id, at, actor, action, target, detail, prev_hash, row_hash)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, e.id);
	sqlite3_bind_int64(st, 2, e.at);
	sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
	if (target)
		sqlite3_bind_text(st, 5, target, -1, SQLITE_STATIC);
	if (detail)
		sqlite3_bind_text(st, 6, detail, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, e.prev_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, e.row_hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	if (db_commit(db) < 0) {
		db_rollback(db);
		return -EIO;
	}
	return 0;
fail:
	r = db_fail(db, N_("writing the audit trail"));
	sqlite3_finalize(st);
	db_rollback(db);
	return r;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
	return xstrdup_or_null((const char *)sqlite3_column_text(st, i));
}

int audit_query(struct db *db, int64_t from_ms, int64_t to_ms, struct audit_entry **out, size_t *n)
{
	struct audit_entry *v = NULL;
	size_t len = 0, cap = 0;
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT id, at, actor, action, target, detail, prev_hash, row_hash"
			       " FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY id", -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, N_("reading the audit trail"));
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct audit_entry *e;
		const char *s;

		xgrow(&v, &cap, len + 1, sizeof(*v));
		e = &v[len++];
		memset(e, 0, sizeof(*e));
		e->id = sqlite3_column_int64(st, 0);
		e->at = sqlite3_column_int64(st, 1);
		e->actor = col_dup(st, 2);
		e->action = col_dup(st, 3);
		e->target = col_dup(st, 4);
		e->detail = col_dup(st, 5);
		s = (const char *)sqlite3_column_text(st, 6);
		snprintf(e->prev_hash, SHA256_HEX, "%s", s ? s : "");
		s = (const char *)sqlite3_column_text(st, 7);
		snprintf(e->row_hash, SHA256_HEX, "%s", s ? s : "");
	}
	if (rc != SQLITE_DONE) {
		rc = db_fail(db, N_("reading the audit trail"));
		sqlite3_finalize(st);
		audit_entries_free(v, len);
		return rc;
	}
	sqlite3_finalize(st);
	*out = v;
	*n = len;
	return 0;
}

void audit_entries_free(struct audit_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].actor);
		free(v[i].action);
		free(v[i].target);
		free(v[i].detail);
	}
	free(v);
}

/* Cuts BUF to at most AUDIT_ACTOR_MAX bytes, on a UTF-8 character boundary. */
static void cut_actor(char *buf, const char *name)
{
	size_t n = strlen(name);

	if (n > AUDIT_ACTOR_MAX) {
		n = AUDIT_ACTOR_MAX;
		while (n > 0 && ((unsigned char)name[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(buf, name, n);
	buf[n] = '\0';
}

const char *audit_actor_of_uid(uid_t uid, char buf[AUDIT_ACTOR_MAX + 1])
{
	struct passwd pw, *found = NULL;
	char pwbuf[4096];

	if (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &found) == 0 && found && found->pw_name[0])
		cut_actor(buf, found->pw_name);
	else
		snprintf(buf, AUDIT_ACTOR_MAX + 1, "uid %u", (unsigned)uid);
	return buf;
}

const char *audit_actor_self(char buf[AUDIT_ACTOR_MAX + 1])
{
	return audit_actor_of_uid(getuid(), buf);
}

void audit_entry_json(struct json *j, const struct audit_entry *e)
{
	json_object_begin(j);
	json_kv_int(j, "id", e->id);
	json_kv_time(j, "at", e->at);
	json_kv_string(j, "actor", e->actor);
	json_kv_string(j, "action", e->action);
	json_kv_string(j, "target", e->target);
	json_kv_string(j, "detail", e->detail);
	json_object_end(j);
}
