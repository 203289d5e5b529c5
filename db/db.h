/* The station database, STATE_DIR/loa.db: SQLite in WAL mode with durable
 * commits (synchronous=FULL), foreign keys on, schema versioned by
 * PRAGMA user_version and migrated in place on open. */
#ifndef LOA_DB_H
#define LOA_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

/* "loa!" as a big-endian integer, stamped into the header (PRAGMA
 * application_id) so `file` and loa itself can tell a loa database from
 * any other SQLite file. */
#define DB_APPLICATION_ID 0x6c6f6121

enum db_mode {
	DB_READ_WRITE, /* creates state_dir and the database when missing */
	DB_READ_ONLY,  /* fails with -ENOENT when there is no database */
	/* The daemon's: DB_READ_WRITE, but the check of every page (seconds
	 * on a large ledger) runs in a thread after the open, so the station
	 * is ready to air at once; writes wait until it passes (db_check_fd). */
	DB_DAEMON,
};

/* Opens (and migrates) STATE_DIR/loa.db. Returns 0, or negative errno with
 * a message for people in msg. */
int db_open(const char *state_dir, enum db_mode mode, struct db **out, char *msg, size_t msglen);
void db_close(struct db *db);
sqlite3 *db_sqlite(struct db *db);
/* The schema version this build writes. */
int db_schema_version(void);
/* The SQL that takes the schema from VERSION - 1 to VERSION, or NULL:
 * how a test builds a database as an older loa left it. */
const char *db_migration_sql(int version);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. Return 0 or -EIO (logged). They
 * nest: inside a transaction, begin and commit only count, and a rollback
 * makes every commit after it fail (-EIO) and the outermost one roll
 * back. When db_commit fails, call db_rollback: that closes its level. */
int db_begin(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
/* Logs the connection's last SQLite error with WHAT as context ("appending
 * to the ledger"), and keeps it for db_last_error(); returns -EIO, for
 * `return db_fail(db, "...")`. */
int db_fail(struct db *db, const char *what);
/* While QUIET, db_fail keeps the error but does not log it: for writes
 * tried again whose failure has been reported once already. */
void db_set_quiet(struct db *db, bool quiet);
/* The extended SQLite code of the last db_fail (SQLITE_FULL,
 * SQLITE_IOERR_WRITE, ...), and in *sys_errno (may be NULL) the errno of
 * the system call behind it, 0 when none. */
int db_last_error(const struct db *db, int *sys_errno);
/* For a DB_DAEMON open: a descriptor that becomes readable when the page
 * check is done (call db_check_finish then), or -1 when none runs. */
int db_check_fd(const struct db *db);
/* Ends the page check, waiting for it if it still runs: 0 when the file is
 * sound, and writes are allowed from then on; -EBADMSG when it is damaged,
 * or -EIO when it could not be checked, with the refusal in MSG, and
 * writes stay held. TOOK_MS (may be NULL) gets how long the check ran.
 * 0 at once when no check runs. */
int db_check_finish(struct db *db, int64_t *took_ms, char *msg, size_t msglen);
/* False while the page check has not passed: the ledger must wait. */
bool db_writable(const struct db *db);
/* STATE_DIR/loa.db, as opened. */
const char *db_path(const struct db *db);

/* What a backup's copy must pass before it gets its name: 0, or a negative
 * errno with the reason in MSG. COPY is the finished file. */
typedef int db_backup_check(const char *copy, void *ctx, char *msg, size_t msglen);
/* Copies DB online into FILE, which must not exist: written beside it
 * under a temporary name, synced, passed through CHECK (may be NULL), then
 * named, never over a file that appeared meanwhile (-EEXIST). Returns 0,
 * or negative errno with a message for people in MSG; nothing is left
 * behind on failure. */
int db_backup(struct db *db, const char *file, db_backup_check *check, void *ctx, char *msg, size_t msglen);

/* One integer from a statement without parameters (PRAGMA, count) into
 * *OUT. Returns SQLite's code: SQLITE_OK when a row was read. */
int db_query_int(sqlite3 *h, const char *sql, int64_t *out);

/* The read-only evidence mode: opens the loa database file PATH so that
 * nothing in or next to it is ever written (immutable where the folder may
 * not be written and no WAL holds newer rows). Returns 0, -ENOENT (no such
 * file), -EBADMSG (not a loa database), -EPROTO (schema too new), -EACCES
 * or -EIO, with a message for people in msg. */
int db_open_evidence(const char *path, sqlite3 **out, char *msg, size_t msglen);

#endif
