/* The station database: opening STATE_DIR/loa.db safely, and the schema with
 * its migrations. The database holds the ledger, which is evidence, so this
 * module never overwrites, truncates or "repairs" a file it does not
 * recognise: a damaged file, a foreign SQLite file or one from a newer loa is
 * refused with a message, and the people at the station decide. */
#include "db/db.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/text.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* The page check of a DB_DAEMON open, on a read-only connection of its
 * own in a thread of its own (see db_check_fd). The thread writes only
 * rc, result and errmsg, and the main thread reads them only after the
 * eventfd says it is done and pthread_join has returned. */
struct page_check {
	pthread_t thread;
	sqlite3 *h;
	int fd;             /* eventfd, readable once the thread is done */
	int rc;             /* of quick_check's statement */
	char *result;       /* its first line, when it ran: "ok" or the first problem */
	char *errmsg;       /* SQLite's message, when it did not run */
	int64_t started_ms; /* monotonic */
};

struct db {
	sqlite3 *h;
	char *path;
	bool quiet;
	int last_rc, last_errno; /* of the last db_fail */
	bool writes_held;        /* the page check has not passed yet */
	int depth;               /* of nested db_begin calls */
	bool doomed;             /* an inner db_rollback: the outermost commit rolls back */
	struct page_check *check;
};

/*
 * migrations[i] takes the schema from version i to i + 1. Each runs in one
 * transaction that also sets PRAGMA user_version, so a power cut leaves
 * either the old schema or the new one. Append only: a released entry is
 * never edited, since stations already carry databases it made. The SQL keeps
 * its comments and line breaks because SQLite stores the CREATE text, and
 * `sqlite3 loa.db .schema` is what the next person will read.
 */
static const char *const migrations[] = {
	/* 1: bulletins, their slots, the hash-chained ledger, the item on air. */
	"PRAGMA application_id = 1819238689;\n" /* DB_APPLICATION_ID */
	"CREATE TABLE bulletins (\n"
	"	id             INTEGER PRIMARY KEY,\n"
	"	title          TEXT NOT NULL,\n"
	"	topic          TEXT,\n"
	"	plan           TEXT,\n"
	"	priority       INTEGER NOT NULL DEFAULT 0 CHECK (priority IN (0, 1, 2)),\n"
	"	valid_from     INTEGER,  -- station-local day number; NULL = open\n"
	"	valid_until    INTEGER,  -- inclusive; NULL = open\n"
	"	sha256         TEXT NOT NULL,  -- of the stored file's bytes, lowercase hex\n"
	"	path           TEXT NOT NULL,  -- absolute, in the content store\n"
	"	source_name    TEXT NOT NULL,  -- the file name it was imported from\n"
	"	format         TEXT NOT NULL,\n"
	"	frames         INTEGER NOT NULL CHECK (frames >= 0),\n"
	"	duration_ms    INTEGER NOT NULL CHECK (duration_ms >= 0),\n"
	"	sample_rate    INTEGER NOT NULL CHECK (sample_rate > 0),\n"
	"	channels       INTEGER NOT NULL CHECK (channels > 0),\n"
	"	peak_dbfs      REAL,     -- NULL = -infinity (digital silence)\n"
	"	loudness_lufs  REAL,     -- NULL = -infinity (unmeasurable)\n"
	"	true_peak_dbtp REAL,     -- NULL = -infinity\n"
	"	imported_at    INTEGER NOT NULL,  -- ms since the epoch, UTC\n"
	"	retired_at     INTEGER,           -- ms; NULL while active\n"
	"	CHECK (valid_from IS NULL OR valid_until IS NULL OR valid_from <= valid_until)\n"
	");\n"
	"CREATE INDEX bulletins_sha256 ON bulletins (sha256);\n"
	/* The ledger's foreign keys protect aired bulletins already; this also
	 * keeps the ids of never-aired ones from being reused. */
	"CREATE TRIGGER bulletins_no_delete BEFORE DELETE ON bulletins BEGIN\n"
	"	SELECT RAISE(ABORT, 'bulletins are retired, never deleted');\n"
	"END;\n"
	"CREATE TABLE bulletin_slots (\n"
	"	bulletin_id INTEGER NOT NULL REFERENCES bulletins (id),\n"
	"	slot        TEXT NOT NULL,\n"
	"	PRIMARY KEY (bulletin_id, slot)\n"
	");\n"
	"CREATE TABLE ledger (\n"
	"	id             INTEGER PRIMARY KEY,  -- assigned as max + 1, part of row_hash\n"
	"	kind           TEXT NOT NULL CHECK (kind IN ('slot', 'play', 'alert')),\n"
	"	occurrence_at  INTEGER,              -- the slot's start (ms); NULL for play/alert\n"
	"	scheduled_at   INTEGER NOT NULL,\n"
	"	started_at     INTEGER,              -- NULL if it never started\n"
	"	ended_at       INTEGER,\n"
	"	frames         INTEGER NOT NULL,\n"
	"	played_ms      INTEGER NOT NULL,\n"
	"	outcome        TEXT NOT NULL CHECK (outcome IN ('completed', 'partial', 'preempted',\n"
	"	                   'cancelled', 'failed', 'missed', 'skipped')),\n"
	"	reason         TEXT,\n"
	"	bulletin_id    INTEGER REFERENCES bulletins (id),\n"
	"	title          TEXT NOT NULL,        -- snapshots of the bulletin when it aired\n"
	"	topic          TEXT,\n"
	"	plan           TEXT,\n"
	"	slot           TEXT,\n"
	"	content_sha256 TEXT NOT NULL,\n"
	"	xruns          INTEGER NOT NULL DEFAULT 0,\n"
	"	prev_hash      TEXT NOT NULL CHECK (length(prev_hash) = 64),\n"
	"	row_hash       TEXT NOT NULL UNIQUE CHECK (length(row_hash) = 64)\n"
	");\n"
	"CREATE INDEX ledger_scheduled ON ledger (scheduled_at);\n"
	"CREATE INDEX ledger_item ON ledger (slot, occurrence_at, bulletin_id);\n"
	/* New rows only go after the last one: no INSERT OR REPLACE over an
	 * existing id, no filling in of a gap. */
	"CREATE TRIGGER ledger_append_at_end BEFORE INSERT ON ledger\n"
	"	WHEN NEW.id <= (SELECT max(id) FROM ledger) BEGIN\n"
	"	SELECT RAISE(ABORT, 'the ledger is append-only');\n"
	"END;\n"
	"CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN\n"
	"	SELECT RAISE(ABORT, 'the ledger is append-only');\n"
	"END;\n"
	"CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN\n"
	"	SELECT RAISE(ABORT, 'the ledger is append-only');\n"
	"END;\n"
	/* At most one item is on air; its row outlives a power cut so the
	 * next start can record it as interrupted. */
	"CREATE TABLE inflight (\n"
	"	id             INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	kind           TEXT NOT NULL CHECK (kind IN ('slot', 'play', 'alert')),\n"
	"	occurrence_at  INTEGER,\n"
	"	scheduled_at   INTEGER NOT NULL,\n"
	"	started_at     INTEGER,\n"
	"	bulletin_id    INTEGER REFERENCES bulletins (id),\n"
	"	title          TEXT NOT NULL,\n"
	"	topic          TEXT,\n"
	"	plan           TEXT,\n"
	"	slot           TEXT,\n"
	"	content_sha256 TEXT NOT NULL,\n"
	"	sample_rate    INTEGER NOT NULL CHECK (sample_rate > 0),\n"
	"	frames         INTEGER NOT NULL DEFAULT 0,  -- known played at checkpoint_at\n"
	"	checkpoint_at  INTEGER                      -- ms; NULL before the first checkpoint\n"
	");\n",
	/* 2: the make-up import found for a bulletin, and the gain, ceiling
	 * and version of the search (the limiter's) it was found with, so that
	 * pre-roll need not search; NULL = not found (a bulletin imported
	 * before), and pre-roll searches. SQLite puts an
	 * added column's text after the last column, without the line breaks
	 * and up to the semicolon, so the comments are block comments. */
	"ALTER TABLE bulletins ADD COLUMN makeup_db REAL\n"
	"	/* dB the limiter's loss is made up with; NULL = not found at import */;\n"
	"ALTER TABLE bulletins ADD COLUMN makeup_gain_db REAL /* the gain it was found at */;\n"
	"ALTER TABLE bulletins ADD COLUMN makeup_ceiling_dbtp REAL /* the ceiling it was found at */;\n"
	"ALTER TABLE bulletins ADD COLUMN makeup_version INTEGER /* PLAYER_MAKEUP_VERSION it was found by */;\n",
	/* 3: the programme as data (slots the console and the command line
	 * change while the daemon runs), who did what (the audit trail), and
	 * who asked for a manual play, an alert or a stop (the ledger's
	 * actor; NULL for what the schedule aired). */
	"CREATE TABLE slots (\n"
	"	name        TEXT PRIMARY KEY,\n"
	"	start_sec   INTEGER NOT NULL CHECK (start_sec BETWEEN 0 AND 86399),  -- after local midnight\n"
	"	days        INTEGER NOT NULL CHECK (days BETWEEN 1 AND 127),  -- bit 0 = Monday .. bit 6 = Sunday\n"
	"	from_day    INTEGER,  -- station-local day number; NULL = open\n"
	"	until_day   INTEGER,  -- inclusive; NULL = open\n"
	"	max_minutes INTEGER NOT NULL DEFAULT 0 CHECK (max_minutes BETWEEN 0 AND 1440),  -- 0 = no limit\n"
	"	intro_id    INTEGER REFERENCES bulletins (id),  -- played first, from the content store\n"
	"	outro_id    INTEGER REFERENCES bulletins (id),\n"
	"	created_at  INTEGER NOT NULL,  -- ms\n"
	"	updated_at  INTEGER NOT NULL,\n"
	"	CHECK (from_day IS NULL OR until_day IS NULL OR from_day <= until_day)\n"
	");\n"
	"CREATE TABLE slot_skip_days (\n"
	"	slot TEXT NOT NULL REFERENCES slots (name) ON DELETE CASCADE,\n"
	"	day  INTEGER NOT NULL,\n"
	"	PRIMARY KEY (slot, day)\n"
	");\n"
	"CREATE TABLE slot_topics (\n"
	"	slot  TEXT NOT NULL REFERENCES slots (name) ON DELETE CASCADE,\n"
	"	topic TEXT NOT NULL,\n"
	"	PRIMARY KEY (slot, topic)\n"
	");\n"
	"CREATE TABLE audit (\n"
	"	id        INTEGER PRIMARY KEY,  -- assigned as max + 1, part of row_hash\n"
	"	at        INTEGER NOT NULL,     -- ms since the epoch, UTC\n"
	"	actor     TEXT NOT NULL,        -- a Unix user, or a console account\n"
	"	action    TEXT NOT NULL,        -- import, edit, slot-add, stop, ...\n"
	"	target    TEXT,                 -- what it acted on: a bulletin id, a slot name, a file\n"
	"	detail    TEXT,                 -- a short before/after\n"
	"	prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),\n"
	"	row_hash  TEXT NOT NULL UNIQUE CHECK (length(row_hash) = 64)\n"
	");\n"
	"CREATE INDEX audit_at ON audit (at);\n"
	"CREATE TRIGGER audit_append_at_end BEFORE INSERT ON audit\n"
	"	WHEN NEW.id <= (SELECT max(id) FROM audit) BEGIN\n"
	"	SELECT RAISE(ABORT, 'the audit trail is append-only');\n"
	"END;\n"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN\n"
	"	SELECT RAISE(ABORT, 'the audit trail is append-only');\n"
	"END;\n"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN\n"
	"	SELECT RAISE(ABORT, 'the audit trail is append-only');\n"
	"END;\n"
	"ALTER TABLE ledger ADD COLUMN actor TEXT /* who asked for a play, alert or stop; NULL = the schedule */;\n"
	"ALTER TABLE inflight ADD COLUMN actor TEXT;\n",
	/* 4: the web console's accounts and their sessions (auth/auth.h). A
	 * password is kept only as libsodium's Argon2id string (salt and
	 * limits inside), a session only as the SHA-256 of its token, so a
	 * copy of loa.db (a backup on a USB stick) logs nobody in. Removing an
	 * account ends its sessions with it. */
	"CREATE TABLE accounts (\n"
	"	name          TEXT PRIMARY KEY,  -- 1..32 bytes of [a-z0-9._-]\n"
	"	role          TEXT NOT NULL CHECK (role IN ('officer', 'operator', 'admin')),\n"
	"	password_hash TEXT NOT NULL,     -- crypto_pwhash_str: $argon2id$v=19$m=...,t=...,p=1$salt$hash\n"
	"	created_at    INTEGER NOT NULL,  -- ms since the epoch, UTC\n"
	"	last_login_at INTEGER            -- ms; NULL = never\n"
	");\n"
	"CREATE TABLE sessions (\n"
	"	token_sha256 TEXT PRIMARY KEY CHECK (length(token_sha256) = 64),  -- of the browser's token, never the token\n"
	"	account      TEXT NOT NULL REFERENCES accounts (name) ON DELETE CASCADE,\n"
	"	csrf         TEXT NOT NULL CHECK (length(csrf) = 64),  -- what pages send back in X-CSRF-Token\n"
	"	created_at   INTEGER NOT NULL,  -- ms\n"
	"	expires_at   INTEGER NOT NULL   -- ms; dead from then on, deleted when a later session opens\n"
	");\n"
	"CREATE INDEX sessions_account ON sessions (account);\n"
	"CREATE INDEX sessions_expires ON sessions (expires_at);\n",
	/* 5: the link to the province (issue #17, ledger/outbox.h). Every
	 * ledger row that aired audio gets an outbox entry in the row's own
	 * transaction; what became of each entry (the province accepted it,
	 * which makes it a witness of the row's hash, or refused it) goes in
	 * a table of its own, so neither the ledger nor the outbox is ever
	 * updated. The priority an item aired with is snapshotted with it,
	 * since the ledger row does not hold it; the item on air keeps it
	 * for the row a power cut leaves. */
	"CREATE TABLE upstream_outbox (\n"
	"	id        INTEGER PRIMARY KEY,  -- the order of sending\n"
	"	row_id    INTEGER NOT NULL REFERENCES ledger (id),\n"
	"	priority  INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),  -- 0 normal, 1 priority, 2 emergency, as aired\n"
	"	queued_at INTEGER NOT NULL,  -- ms since the epoch, UTC\n"
	"	queued_by TEXT               -- NULL: the row's own entry; else who queued it again (loa upstream resend)\n"
	");\n"
	"CREATE INDEX upstream_outbox_row ON upstream_outbox (row_id);\n"
	"CREATE TRIGGER upstream_outbox_no_update BEFORE UPDATE ON upstream_outbox BEGIN\n"
	"	SELECT RAISE(ABORT, 'the outbox is insert-only');\n"
	"END;\n"
	"CREATE TRIGGER upstream_outbox_no_delete BEFORE DELETE ON upstream_outbox BEGIN\n"
	"	SELECT RAISE(ABORT, 'the outbox is insert-only');\n"
	"END;\n"
	"CREATE TABLE upstream_sent (\n"
	"	outbox_id   INTEGER PRIMARY KEY REFERENCES upstream_outbox (id),  -- settled once\n"
	"	row_id      INTEGER NOT NULL,  -- the ledger row the record was built from\n"
	"	row_hash    TEXT NOT NULL CHECK (length(row_hash) = 64),  -- its hash, as the record carried it\n"
	"	at          INTEGER NOT NULL,  -- ms: when the answer came\n"
	"	result      TEXT NOT NULL CHECK (result IN ('accepted', 'rejected')),\n"
	"	http_status INTEGER NOT NULL,\n"
	"	reply       TEXT               -- what the server answered, size-limited\n"
	");\n"
	"CREATE INDEX upstream_sent_witness ON upstream_sent (result, row_id);\n"
	"CREATE TRIGGER upstream_sent_no_update BEFORE UPDATE ON upstream_sent BEGIN\n"
	"	SELECT RAISE(ABORT, 'what the province answered is insert-only');\n"
	"END;\n"
	"CREATE TRIGGER upstream_sent_no_delete BEFORE DELETE ON upstream_sent BEGIN\n"
	"	SELECT RAISE(ABORT, 'what the province answered is insert-only');\n"
	"END;\n"
	/* The link's health for `loa upstream status`: one row, overwritten. */
	"CREATE TABLE upstream_state (\n"
	"	id            INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	last_ok_at    INTEGER,  -- ms: the last request the server answered as asked\n"
	"	last_error    TEXT,     -- why the last request failed; NULL once one succeeds\n"
	"	last_error_at INTEGER\n"
	");\n"
	"ALTER TABLE inflight ADD COLUMN priority INTEGER /* as the item aired: 0 normal, 1 priority, 2 emergency */;\n",
	/* 6: relays (tiếp âm). A source is a live station to air: internet
	 * stream URLs tried in order, or an ALSA capture input; a slot with a
	 * relay airs it for its whole window. The ledger keeps kind 'slot'
	 * for a relay window, since SQLite cannot change the kind's CHECK
	 * and an insert-only, chained table cannot be rebuilt; a relay row
	 * is one whose relay_source is set, and the row hash covers the two
	 * new columns only then (ledger.c), so every older row keeps its
	 * hash. An alert that preempts a relay parks the relay's in-flight
	 * record in inflight_held until the relay resumes, so a power cut
	 * during the alert still leaves one partial row for each. */
	"CREATE TABLE sources (\n"
	"	name       TEXT PRIMARY KEY,  -- what slots name it by, e.g. vov1\n"
	"	title      TEXT,              -- the ledger rows' title, e.g. Thời sự VOV1; NULL = the name\n"
	"	topic      TEXT,              -- the ledger rows' topic; NULL = none\n"
	"	capture    TEXT,              -- an ALSA capture device (a receiver on line-in); NULL = the URLs\n"
	"	created_at INTEGER NOT NULL,  -- ms\n"
	"	updated_at INTEGER NOT NULL\n"
	");\n"
	"CREATE TABLE source_urls (\n"
	"	source TEXT NOT NULL REFERENCES sources (name) ON DELETE CASCADE,\n"
	"	pos    INTEGER NOT NULL CHECK (pos >= 0),  -- tried in this order\n"
	"	url    TEXT NOT NULL,\n"
	"	PRIMARY KEY (source, pos)\n"
	");\n"
	"ALTER TABLE slots ADD COLUMN relay TEXT REFERENCES sources (name)\n"
	"	/* the source the slot airs instead of bulletins; NULL = bulletins */;\n"
	"ALTER TABLE ledger ADD COLUMN relay_source TEXT /* the source a relay row aired; NULL = not a relay */;\n"
	"ALTER TABLE ledger ADD COLUMN relay_url TEXT /* the URL or device that served it; NULL = none did */;\n"
	"ALTER TABLE inflight ADD COLUMN relay_source TEXT;\n"
	"ALTER TABLE inflight ADD COLUMN relay_url TEXT;\n"
	"CREATE TABLE inflight_held (\n"
	"	id             INTEGER PRIMARY KEY CHECK (id = 1),\n"
	"	kind           TEXT NOT NULL CHECK (kind IN ('slot', 'play', 'alert')),\n"
	"	occurrence_at  INTEGER,\n"
	"	scheduled_at   INTEGER NOT NULL,\n"
	"	started_at     INTEGER,\n"
	"	bulletin_id    INTEGER REFERENCES bulletins (id),\n"
	"	title          TEXT NOT NULL,\n"
	"	topic          TEXT,\n"
	"	plan           TEXT,\n"
	"	slot           TEXT,\n"
	"	content_sha256 TEXT NOT NULL,\n"
	"	sample_rate    INTEGER NOT NULL CHECK (sample_rate > 0),\n"
	"	frames         INTEGER NOT NULL DEFAULT 0,\n"
	"	checkpoint_at  INTEGER,\n"
	"	actor          TEXT,\n"
	"	priority       INTEGER,\n"
	"	relay_source   TEXT,\n"
	"	relay_url      TEXT\n"
	");\n",
	/* 7 (issue #18):
	 * schedules and bulletins from the province. A province bulletin is
	 * a bulletin like any other once its audio is imported (origin
	 * 'province', its BanTinID and author kept); until then it is a row of
	 * province_bulletins, which also says why its audio was refused or
	 * could not be had. Each instant of a schedule is a timed item per
	 * bulletin; the planner airs them beside the slots. Ledger rows of
	 * province items carry the origin and the province's ids, which the
	 * row hash includes only when set (see ledger.c), so older rows keep
	 * their hashes. */
	"ALTER TABLE bulletins ADD COLUMN origin TEXT /* NULL: made here; 'province': came from the province */;\n"
	"ALTER TABLE bulletins ADD COLUMN province_id TEXT /* the province's BanTinID */;\n"
	"ALTER TABLE bulletins ADD COLUMN author TEXT /* TacGia, as the province named it */;\n"
	"CREATE UNIQUE INDEX bulletins_province ON bulletins (province_id) WHERE province_id IS NOT NULL;\n"
	"CREATE TABLE province_schedules (\n"
	"	id           TEXT PRIMARY KEY,   -- LichPhatID\n"
	"	name         TEXT,               -- TenLichPhat\n"
	"	digest       TEXT NOT NULL,      -- SHA-256 of what loa took from it: a re-send unchanged is a no-op\n"
	"	received_at  INTEGER NOT NULL,   -- ms: first stored\n"
	"	updated_at   INTEGER NOT NULL,   -- ms: last changed\n"
	"	cancelled_at INTEGER,            -- ms; NULL while it stands\n"
	"	acked_at     INTEGER             -- ms: the province was told (stored, or cancelled once cancelled_at is set); NULL = to tell\n"
	");\n"
	"CREATE TABLE province_bulletins (\n"
	"	id           TEXT PRIMARY KEY,   -- BanTinID\n"
	"	title        TEXT NOT NULL,\n"
	"	topic        INTEGER NOT NULL CHECK (topic BETWEEN 1 AND 6),  -- LoaiLinhVuc\n"
	"	priority     INTEGER NOT NULL CHECK (priority IN (0, 1, 2)),  -- loa's, from MucDoUuTien 3/2/1\n"
	"	author       TEXT,\n"
	"	url          TEXT NOT NULL,      -- NoiDung, http(s)\n"
	"	duration_ms  INTEGER NOT NULL DEFAULT 0,  -- ThoiLuong as announced; 0 = not said\n"
	"	state        TEXT NOT NULL CHECK (state IN ('pending', 'stored', 'rejected', 'failed')),\n"
	"	reason       TEXT,               -- why rejected or failed\n"
	"	bulletin_id  INTEGER REFERENCES bulletins (id),  -- once stored\n"
	"	updated_at   INTEGER NOT NULL,\n"
	"	reported_at  INTEGER             -- ms: its refusal told to the province; NULL = not yet\n"
	");\n"
	"CREATE TABLE province_items (\n"
	"	id          INTEGER PRIMARY KEY,\n"
	"	schedule_id TEXT NOT NULL REFERENCES province_schedules (id),\n"
	"	bulletin    TEXT NOT NULL REFERENCES province_bulletins (id),  -- BanTinID\n"
	"	at          INTEGER NOT NULL,   -- ms: ThoiGianBatDau\n"
	"	end_at      INTEGER NOT NULL,   -- ms: ThoiGianKetThuc\n"
	"	seq         INTEGER NOT NULL,   -- its place among the schedule's bulletins at that instant\n"
	"	UNIQUE (schedule_id, at, seq)\n"
	");\n"
	"CREATE INDEX province_items_at ON province_items (at);\n"
	"ALTER TABLE ledger ADD COLUMN origin TEXT /* NULL: local; 'province' */;\n"
	"ALTER TABLE ledger ADD COLUMN province_schedule TEXT /* LichPhatID */;\n"
	"ALTER TABLE ledger ADD COLUMN province_bulletin TEXT /* BanTinID */;\n"
	"ALTER TABLE inflight ADD COLUMN origin TEXT;\n"
	"ALTER TABLE inflight ADD COLUMN province_schedule TEXT;\n"
	"ALTER TABLE inflight ADD COLUMN province_bulletin TEXT;\n"
	"ALTER TABLE inflight_held ADD COLUMN origin TEXT;\n"
	"ALTER TABLE inflight_held ADD COLUMN province_schedule TEXT;\n"
	"ALTER TABLE inflight_held ADD COLUMN province_bulletin TEXT;\n"
	"ALTER TABLE upstream_state ADD COLUMN last_poll_at INTEGER /* ms: the province's schedules last read */;\n",
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int db_schema_version(void)
{
	return N_MIGRATIONS;
}

const char *db_migration_sql(int version)
{
	return version >= 1 && version <= N_MIGRATIONS ? migrations[version - 1] : NULL;
}

sqlite3 *db_sqlite(struct db *db)
{
	return db->h;
}

static int refuse_damaged(const char *path, const char *why, char *msg, size_t msglen);
static void end_page_check(struct page_check *c);

int db_fail(struct db *db, const char *what)
{
	int code = sqlite3_errcode(db->h);

	db->last_rc = sqlite3_extended_errcode(db->h);
	db->last_errno = sqlite3_system_errno(db->h);
	/* Damage the open did not see (it reads only what it needs) shows
	 * when a command reaches it: say what to do, not just SQLite's words. */
	if (code == SQLITE_CORRUPT || code == SQLITE_NOTADB) {
		char msg[1024], why[512];

		snprintf(why, sizeof(why), "%s: %s", _(what), sqlite3_errmsg(db->h));
		refuse_damaged(db->path, why, msg, sizeof(msg));
		log_err("%s", msg);
		return -EIO;
	}
	if (!db->quiet)
		log_err(_("database %s: %s: %s"), db->path, _(what), sqlite3_errmsg(db->h));
	return -EIO;
}

void db_set_quiet(struct db *db, bool quiet)
{
	db->quiet = quiet;
}

int db_last_error(const struct db *db, int *sys_errno)
{
	if (sys_errno)
		*sys_errno = db->last_errno;
	return db->last_rc;
}

const char *db_path(const struct db *db)
{
	return db->path;
}

static int exec_logged(struct db *db, const char *sql, const char *what)
{
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, what);
	return 0;
}

/*
 * Transactions nest: a change and its audit entry, or an import and its
 * library row, commit together although each of their functions begins
 * and commits on its own. Only the outermost pair talks to SQLite; a
 * rollback anywhere inside makes the outermost commit a rollback.
 */
int db_begin(struct db *db)
{
	int r;

	if (db->depth > 0) {
		db->depth++;
		return 0;
	}
	r = exec_logged(db, "BEGIN IMMEDIATE", N_("starting a transaction"));
	if (r == 0) {
		db->depth = 1;
		db->doomed = false;
	}
	return r;
}

int db_commit(struct db *db)
{
	/* A doomed inner commit fails and leaves its level open, as a failed
	 * COMMIT leaves SQLite's transaction open: the caller's db_rollback
	 * closes it. Closing it here as well would make that rollback close
	 * the level around it, and the outer caller's statements would then
	 * run, and commit, outside any transaction. */
	if (db->depth > 1) {
		if (db->doomed)
			return -EIO;
		db->depth--;
		return 0;
	}
	db->depth = 0;
	if (db->doomed) {
		db_rollback(db);
		return -EIO;
	}
	return exec_logged(db, "COMMIT", N_("committing"));
}

int db_rollback(struct db *db)
{
	if (db->depth > 1) {
		db->depth--;
		db->doomed = true;
		return 0;
	}
	db->depth = 0;
	db->doomed = false;
	/* SQLite rolls back by itself after some errors (disk full, I/O);
	 * a second ROLLBACK would only log a confusing "no transaction". */
	if (sqlite3_get_autocommit(db->h))
		return 0;
	return exec_logged(db, "ROLLBACK", N_("rolling back"));
}

void db_close(struct db *db)
{
	if (!db)
		return;
	if (db->check) {
		/* Nobody waits for the verdict: stop the check where it is. */
		sqlite3_interrupt(db->check->h);
		end_page_check(db->check);
		free(db->check->result);
		free(db->check->errmsg);
		free(db->check);
	}
	if (db->h && sqlite3_close(db->h) != SQLITE_OK)
		log_err(_("database %s: closing: %s"), db->path, sqlite3_errmsg(db->h));
	free(db->path);
	free(db);
}

/* mkdir -p; only the folders it creates get MODE. */
static int mkdir_p(const char *dir, mode_t mode)
{
	char *p = xstrdup(dir);
	struct stat st;
	int r = 0;

	for (char *s = p + 1; ; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	if (!r && stat(dir, &st) < 0)
		r = -errno;
	else if (!r && !S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	free(p);
	return r;
}

static bool errno_is_access(int e)
{
	return e == EACCES || e == EPERM || e == EROFS;
}

static int refuse_access(const char *path, bool writing, char *msg, size_t msglen)
{
	if (writing)
		text_set(msg, msglen, _("permission denied writing %s; ask to be added to group loa"), path);
	else
		text_set(msg, msglen, _("permission denied reading %s; ask to be added to group loa"), path);
	return -EACCES;
}

/* The file is evidence even damaged: the officer may need what can still
 * be read from it, so the way out never destroys it. */
static int refuse_damaged(const char *path, const char *why, char *msg, size_t msglen)
{
	text_set(msg, msglen,
		_("the database %s is damaged (%s); loa will not touch it. Keep the file for the "
		"officer, it is evidence: move it aside (e.g. mv %s %s.damaged, with its -wal and -shm "
		"files), then put back the latest copy made with loa backup (check it first with loa "
		"verify --db COPY), or start without one and loa begins a new, empty ledger"),
		path, why, path, path);
	return -EBADMSG;
}

/*
 * Looks at the first bytes before SQLite does. SQLite refuses most garbage by
 * itself, but checking the magic string first makes sure no PRAGMA that
 * writes (journal_mode) ever reaches a file that is not a database. An empty
 * file is what a crash right after creation leaves; SQLite treats it as new.
 */
static int check_header(const char *path, char *msg, size_t msglen)
{
	static const char magic[16] = "SQLite format 3";
	char buf[sizeof(magic)];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno_is_access(errno))
			return refuse_access(path, false, msg, msglen);
		text_set(msg, msglen, _("cannot open %s: %s"), path, strerror(errno));
		return -errno;
	}
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		int e = errno;
		close(fd);
		text_set(msg, msglen, _("cannot read %s: %s"), path, strerror(e));
		return -e;
	}
	close(fd);
	if (n > 0 && (n < (ssize_t)sizeof(buf) || memcmp(buf, magic, sizeof(magic)) != 0))
		return refuse_damaged(path, _("it does not start like an SQLite database"), msg, msglen);
	return 0;
}

/* Does STATE_DIR/content hold a file? Import stores bulletins there only
 * after the database exists, so an empty database beside them was cut to
 * nothing, not created a moment before a crash. */
static bool has_content(const char *state_dir)
{
	char *dir = xasprintf("%s/content", state_dir);
	DIR *d = opendir(dir);
	struct dirent *de;
	bool found = false;

	free(dir);
	if (!d)
		return false;
	while (!found && (de = readdir(d)))
		found = de->d_name[0] != '.';
	closedir(d);
	return found;
}

/* Maps the failure of the first read of the file to an errno and a message. */
static int first_read_failed(struct db *db, int rc, bool writing, char *msg, size_t msglen)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return refuse_damaged(db->path, sqlite3_errmsg(db->h), msg, msglen);
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		if (errno_is_access(sqlite3_system_errno(db->h)) || (rc & 0xff) != SQLITE_CANTOPEN)
			return refuse_access(db->path, writing, msg, msglen);
		break;
	}
	text_set(msg, msglen, _("cannot read the database %s: %s"), db->path, sqlite3_errmsg(db->h));
	return -EIO;
}

int db_query_int(sqlite3 *h, const char *sql, int64_t *out)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(st, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* PRAGMA quick_check: every page's structure, every record's format (not
 * the index contents, which integrity_check compares at several times the
 * cost). Returns SQLite's code for the statement, with *RESULT (malloc'd)
 * its first line when it ran: "ok" when SQLite finds the file sound. */
static int run_quick_check(sqlite3 *h, char **result)
{
	sqlite3_stmt *st;
	int rc;

	*result = NULL;
	rc = sqlite3_prepare_v2(h, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(st, 0);

		*result = xstrdup(res ? res : "");
		rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return rc;
}

/* Turns what quick_check found into 0 (sound) or the refusal. */
static int judge_pages(struct db *db, const char *result, char *msg, size_t msglen)
{
	char why[512];

	if (strcmp(result, "ok") == 0)
		return 0;
	/* One line: "*** in database main ***\nPage 155: ..." */
	if (strncmp(result, "*** in database main ***\n", 25) == 0)
		result += 25;
	snprintf(why, sizeof(why), "%s", result);
	for (char *nl = why; (nl = strchr(nl, '\n')); )
		*nl = ' ';
	return refuse_damaged(db->path, why, msg, msglen);
}

/* The page check, here and now. Returns 0 when SQLite finds the file sound. */
static int check_pages(struct db *db, char *msg, size_t msglen)
{
	char *result;
	int rc = run_quick_check(db->h, &result), r;

	if (rc != SQLITE_OK)
		return first_read_failed(db, rc, true, msg, msglen);
	r = judge_pages(db, result, msg, msglen);
	free(result);
	return r;
}

static void *page_check_main(void *arg)
{
	struct page_check *c = arg;
	uint64_t one = 1;

	c->rc = run_quick_check(c->h, &c->result);
	if (c->rc != SQLITE_OK)
		c->errmsg = xstrdup(sqlite3_errmsg(c->h));
	/* An eventfd write of 1 cannot fail short of a bad descriptor. */
	if (write(c->fd, &one, sizeof(one)) < 0)
		abort();
	return NULL;
}

/* Starts the page check of DB in a thread, on a read-only connection of
 * its own: writes wait for it (db_writable), reads and airing do not.
 * Returns 0 or -errno with a message. */
static int start_page_check(struct db *db, char *msg, size_t msglen)
{
	struct page_check *c = xcalloc(1, sizeof(*c));
	sigset_t all, old;
	int rc, e;

	c->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->fd < 0) {
		e = errno;
		free(c);
		text_set(msg, msglen, _("cannot check the database %s: %s"), db->path, strerror(e));
		return -e;
	}
	rc = sqlite3_open_v2(db->path, &c->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (c->h) {
		/* Read-only, but say it anyway: this file is not known sound. */
		sqlite3_db_config(c->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
		sqlite3_busy_timeout(c->h, 5000);
	}
	if (rc != SQLITE_OK) {
		text_set(msg, msglen, _("cannot check the database %s: %s"), db->path,
			c->h ? sqlite3_errmsg(c->h) : sqlite3_errstr(rc));
		sqlite3_close(c->h);
		close(c->fd);
		free(c);
		return -EIO;
	}
	c->started_ms = time_mono_ms();
	/* The thread takes no signals: a SIGTERM it took would kill the
	 * daemon outright, past the signalfd that stops it in good order. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	e = pthread_create(&c->thread, NULL, page_check_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e) {
		text_set(msg, msglen, _("cannot check the database %s: %s"), db->path, strerror(e));
		sqlite3_close(c->h);
		close(c->fd);
		free(c);
		return -e;
	}
	db->check = c;
	db->writes_held = true;
	return 0;
}

int db_check_fd(const struct db *db)
{
	return db->check ? db->check->fd : -1;
}

bool db_writable(const struct db *db)
{
	return !db->writes_held;
}

/* Joins the check's thread and frees it; its findings stay with the caller. */
static void end_page_check(struct page_check *c)
{
	pthread_join(c->thread, NULL);
	sqlite3_close(c->h);
	close(c->fd);
}

int db_check_finish(struct db *db, int64_t *took_ms, char *msg, size_t msglen)
{
	struct page_check *c = db->check;
	int r;

	text_set(msg, msglen, "%s", "");
	if (!c)
		return 0;
	end_page_check(c);
	db->check = NULL;
	if (took_ms)
		*took_ms = time_mono_ms() - c->started_ms;
	if (c->rc == SQLITE_OK) {
		r = judge_pages(db, c->result, msg, msglen);
	} else if ((c->rc & 0xff) == SQLITE_CORRUPT || (c->rc & 0xff) == SQLITE_NOTADB) {
		r = refuse_damaged(db->path, c->errmsg, msg, msglen);
	} else {
		text_set(msg, msglen, _("cannot check the database %s: %s"), db->path, c->errmsg);
		r = -EIO;
	}
	if (r == 0) {
		db->writes_held = false;
		/* Sound: the last close may fold the WAL into it again. */
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	}
	free(c->result);
	free(c->errmsg);
	free(c);
	return r;
}

/* Runs SQL, a PRAGMA journal_mode, and tells whether the mode it reports
 * is WAL: without a value the pragma only reads the mode, with "= WAL" it
 * switches to it. */
static bool journal_is_wal(struct db *db, const char *sql)
{
	sqlite3_stmt *st;
	bool wal = false;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK)
		return false;
	if (sqlite3_step(st) == SQLITE_ROW) {
		const char *m = (const char *)sqlite3_column_text(st, 0);

		wal = m && strcmp(m, "wal") == 0;
	}
	sqlite3_finalize(st);
	return wal;
}

/* Applies the one migration after the current version, in one transaction.
 * The version is read again under the write lock, so two processes opening
 * a new database at once (daemon and CLI) do not both migrate it. Sets *done
 * when the schema is the newest. NEW: the database was empty when opened. */
static int migrate_step(struct db *db, bool is_new, bool *done, char *msg, size_t msglen)
{
	int64_t v = -1;
	char sql[64];

	if (db_begin(db) < 0)
		goto fail;
	if (db_query_int(db->h, "PRAGMA user_version", &v) != SQLITE_OK)
		goto fail;
	if (v >= N_MIGRATIONS) {
		*done = true;
		if (db_commit(db) < 0)
			goto fail;
		return 0;
	}
	if (sqlite3_exec(db->h, migrations[v], NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	/* PRAGMA takes no parameters; the number is our own. */
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", (int)v + 1);
	if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	if (db_commit(db) < 0)
		goto fail;
	if (!is_new) /* a new database needs no news */
		log_info(_("database %s: schema upgraded to version %d"), db->path, (int)v + 1);
	return 0;
fail:
	if (v >= 0 && v < N_MIGRATIONS)
		text_set(msg, msglen, _("cannot upgrade the database %s to schema version %d: %s"),
			db->path, (int)v + 1, sqlite3_errmsg(db->h));
	else
		text_set(msg, msglen, _("cannot upgrade the database %s: %s"), db->path,
			sqlite3_errmsg(db->h));
	db_rollback(db);
	return -EIO;
}

static int migrate(struct db *db, bool is_new, char *msg, size_t msglen)
{
	bool done = false;
	int r = 0;

	while (!done && r == 0)
		r = migrate_step(db, is_new, &done, msg, msglen);
	return r;
}

/* Checks what the file is and which schema it carries, then configures the
 * connection and migrates. */
static int db_setup(struct db *db, enum db_mode mode, char *msg, size_t msglen)
{
	bool rw = mode != DB_READ_ONLY;
	int64_t n_objects, version, app_id;
	int rc, r;

	sqlite3_busy_timeout(db->h, 5000);
	/* The first statement to read the file: garbage and damage show here. */
	rc = db_query_int(db->h, "SELECT count(*) FROM sqlite_schema", &n_objects);
	if (rc != SQLITE_OK)
		return first_read_failed(db, rc, rw, msg, msglen);
	if (rw && sqlite3_db_readonly(db->h, "main") == 1)
		return refuse_access(db->path, true, msg, msglen);
	rc = db_query_int(db->h, "PRAGMA user_version", &version);
	if (rc == SQLITE_OK)
		rc = db_query_int(db->h, "PRAGMA application_id", &app_id);
	if (rc != SQLITE_OK)
		return first_read_failed(db, rc, rw, msg, msglen);
	if ((version == 0 && n_objects > 0) || (version > 0 && app_id != DB_APPLICATION_ID)) {
		text_set(msg, msglen, _("%s is an SQLite database, but not one of loa's; loa will not "
			"touch it: move it aside, or point state_dir at another folder"), db->path);
		return -EBADMSG;
	}
	if (version > N_MIGRATIONS) {
		text_set(msg, msglen, _("the database %s was made by a newer loa (schema version %lld, "
			"this loa knows up to %d); upgrade loa"), db->path, (long long)version,
			N_MIGRATIONS);
		return -EPROTO;
	}
	if (!rw && version == 0) {
		text_set(msg, msglen, _("no database at %s yet; import a bulletin or start the daemon "
			"first"), db->path);
		return -ENOENT;
	}
	if (!rw && version < N_MIGRATIONS) {
		text_set(msg, msglen, _("the database %s was made by an older loa (schema version %lld, "
			"this loa needs %d); start the daemon once, and it will upgrade it"),
			db->path, (long long)version, N_MIGRATIONS);
		return -EPROTO;
	}

	/* A writer must not add to a damaged file: the open reads only the
	 * first page, so look at every page before the first write. Readers
	 * meet damage where they read it (db_fail), and change nothing. The
	 * daemon's check runs in a thread meanwhile, its writes held
	 * (db_check_fd), unless the open itself must write: a migration, or
	 * the switch to WAL of a file not in it (a copy made elsewhere). */
	if (rw && n_objects > 0) {
		if (mode == DB_DAEMON && version == N_MIGRATIONS && journal_is_wal(db, "PRAGMA journal_mode"))
			r = start_page_check(db, msg, msglen);
		else
			r = check_pages(db, msg, msglen);
		if (r < 0)
			return r;
	}
	if (rw) {
		int persist = 1;

		if (!journal_is_wal(db, "PRAGMA journal_mode = WAL")) {
			text_set(msg, msglen, _("cannot switch the database %s to WAL mode: %s"), db->path,
				sqlite3_errmsg(db->h));
			return -EIO;
		}
		/* Keep loa.db-wal and -shm after the last close: otherwise the first
		 * reader to come along (an operator's `loa list`) recreates them as
		 * its own files, which the daemon then may not be able to write. */
		sqlite3_file_control(db->h, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
		/* ...but not at its high-water mark: a kept WAL is otherwise never
		 * shrunk, and a Pi's SD card is small. */
		if (sqlite3_exec(db->h, "PRAGMA journal_size_limit = 1048576", NULL, NULL, NULL) != SQLITE_OK) {
			text_set(msg, msglen, _("cannot configure the database %s: %s"), db->path,
				sqlite3_errmsg(db->h));
			return -EIO;
		}
	}
	/* FULL: with WAL, every commit is synced before it returns, so a
	 * ledger row that was reported written survives a power cut.
	 * recursive_triggers: without it, the rows that INSERT OR REPLACE
	 * deletes to resolve a conflict skip the no-delete triggers. */
	if (sqlite3_exec(db->h, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
			 " PRAGMA recursive_triggers = ON",
			 NULL, NULL, NULL) != SQLITE_OK) {
		text_set(msg, msglen, _("cannot configure the database %s: %s"), db->path,
			sqlite3_errmsg(db->h));
		return -EIO;
	}
	if (rw && version < N_MIGRATIONS)
		return migrate(db, version == 0, msg, msglen);
	return 0;
}

/* By default each connection takes its first 20 cache pages (some 85 KiB)
 * in one allocation that stays until the connection closes, so the
 * daemon's idle trim (sqlite3_db_release_memory) cannot hand it back; the
 * start-up page check fills it. One allocation a page instead costs a
 * malloc per page read, beside the read itself. sqlite3_config only works
 * before SQLite initialises, so an open after the first leaves it as set
 * (SQLITE_MISUSE, ignored). */
static void no_bulk_page_cache(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
}

int db_open(const char *state_dir, enum db_mode mode, struct db **out, char *msg, size_t msglen)
{
	bool rw = mode != DB_READ_ONLY;
	struct db *db;
	struct stat st;
	int flags, rc, r;

	*out = NULL;
	text_set(msg, msglen, "%s", "");
	if (!state_dir || !*state_dir) {
		text_set(msg, msglen, _("no state folder given"));
		return -EINVAL;
	}
	if (rw) {
		r = mkdir_p(state_dir, 0750);
		if (r < 0) {
			if (errno_is_access(-r))
				text_set(msg, msglen, _("permission denied creating the state folder %s; "
					"ask to be added to group loa"), state_dir);
			else
				text_set(msg, msglen, _("cannot create the state folder %s: %s"),
					state_dir, strerror(-r));
			return r;
		}
	}

	db = xcalloc(1, sizeof(*db));
	db->path = xasprintf("%s/loa.db", state_dir);
	if (stat(db->path, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			text_set(msg, msglen, _("%s is not a regular file; move it aside"), db->path);
			r = -EINVAL;
			goto fail;
		}
		r = check_header(db->path, msg, msglen);
		if (r < 0)
			goto fail;
		if (st.st_size == 0 && has_content(state_dir)) {
			r = refuse_damaged(db->path, _("it is empty, but the content store beside it holds "
				"bulletins, so it held a ledger once"), msg, msglen);
			goto fail;
		}
	} else if (errno_is_access(errno)) {
		r = refuse_access(db->path, false, msg, msglen);
		goto fail;
	} else if (errno != ENOENT && errno != ENOTDIR) {
		text_set(msg, msglen, _("cannot look at %s: %s"), db->path, strerror(errno));
		r = -errno;
		goto fail;
	} else if (!rw) {
		text_set(msg, msglen, _("no database at %s yet; import a bulletin or start the "
			"daemon first"), db->path);
		r = -ENOENT;
		goto fail;
	}

	flags = (rw ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) |
		SQLITE_OPEN_NOMUTEX;
	no_bulk_page_cache();
	rc = sqlite3_open_v2(db->path, &db->h, flags, NULL);
	if (rc != SQLITE_OK) {
		if (!db->h)
			abort(); /* SQLite could not even allocate its handle */
		r = first_read_failed(db, rc, rw, msg, msglen);
		goto fail;
	}
	/* The last connection to close folds the WAL into the file: not into
	 * one this open refuses, which must stay byte for byte as it was. */
	sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
	r = db_setup(db, mode, msg, msglen);
	if (r < 0)
		goto fail;
	if (db_writable(db))
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
	*out = db;
	return 0;
fail:
	db_close(db);
	return r;
}
