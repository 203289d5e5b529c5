/* The ledger: the append-only record of what aired and what did not. One
 * final row per planned item or manual play, each a snapshot of the
 * bulletin (title, topic, plan, content hash) so later edits never rewrite
 * history. Rows are hash-chained: row_hash = SHA-256 over the row's canonical
 * encoding and prev_hash; triggers refuse UPDATE and DELETE. Every append is
 * a durable commit. */
#ifndef LOA_LEDGER_H
#define LOA_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/sha256.h"

struct db;
struct json;

enum outcome {
	OUTCOME_COMPLETED,
	OUTCOME_PARTIAL,
	OUTCOME_PREEMPTED,
	OUTCOME_CANCELLED,
	OUTCOME_FAILED,
	OUTCOME_MISSED,
	OUTCOME_SKIPPED,
};
#define OUTCOME_COUNT 7

/* Why an item aired: part of a slot occurrence, `loa play`, or `loa alert`. */
enum air_kind { KIND_SLOT, KIND_PLAY, KIND_ALERT };

struct ledger_row {
	int64_t id;
	enum air_kind kind;
	int64_t occurrence_at; /* the slot's start (ms), 0 for play/alert */
	int64_t scheduled_at;  /* when the item was due (ms) */
	int64_t started_at;    /* when its first frame is played (ms; on the null and file
				  devices, when it was handed to ALSA), 0 if it never started */
	int64_t ended_at;      /* ms, 0 if it never started */
	int64_t frames;        /* frames known to have been played */
	int64_t played_ms;     /* frames * 1000 / sample_rate */
	enum outcome outcome;
	char *reason;          /* for anything but completed; may be NULL */
	int64_t bulletin_id;
	char *title, *topic, *plan, *slot; /* snapshots; slot NULL for play/alert */
	char content_sha256[SHA256_HEX];
	int xruns;
	char *by;              /* who asked for the play or alert, or stopped it (an audit
				  actor); NULL for what the schedule aired */
	/* A relay window (tiếp âm): kind KIND_SLOT, no bulletin, and the
	 * source's name; NULL for every other row. relay_url is the URL (or
	 * capture device) that served most of it, NULL when none answered. */
	char *relay_source, *relay_url;
	/* Where the item came from: NULL for the station's own, "province"
	 * for a timed item of a province schedule, with its LichPhatID and
	 * BanTinID. Part of the hash only when set (see ledger.c). */
	char *origin, *province_schedule, *province_bulletin;
	int priority;          /* what the item aired with, snapshotted from its bulletin when
				  it was queued: 0 normal, 1 priority, 2 emergency (content's
				  enum priority). Not a column nor part of the hash: it goes
				  with the row to the province (ledger/outbox.h). Only
				  appending reads it; ledger_query leaves it 0. */
	char prev_hash[SHA256_HEX];
	char row_hash[SHA256_HEX];
};

/* The prev_hash of the first row: 64 zeros. */
#define LEDGER_GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* Appends ROW durably: fills id, prev_hash and row_hash. A row that
 * aired audio gets its outbox entry for the province in the same
 * transaction (ledger/outbox.h). Returns 0, -EIO, or -EINVAL for a row
 * loa should never build (bad kind/outcome, no title). */
int ledger_append(struct db *db, struct ledger_row *row);
/* Row ID into *OUT (free with ledger_row_done). Returns 0, -ENOENT, -EIO. */
int ledger_get(struct db *db, int64_t id, struct ledger_row *out);
/* Rows whose scheduled_at is in [from_ms, to_ms), by id. Caller frees with ledger_rows_free. */
int ledger_query(struct db *db, int64_t from_ms, int64_t to_ms, struct ledger_row **out, size_t *n);
/* The bulletin ids (0 for rows without one) the ledger holds rows for in
 * this occurrence of SLOT, ascending, in one query. An item on air, or left
 * on air by a power cut, counts: its in-flight record is its row to come
 * (the partial that recovering it writes). Free *ids. Returns 0, or -EIO
 * with none. */
int ledger_occurrence_items(struct db *db, const char *slot, int64_t occurrence_at, int64_t **ids, size_t *n);
/* The occurrence_at of the latest slot row, or 0 when there is none. */
int64_t ledger_last_occurrence(struct db *db);
/* The row_hash of the last row and its id (*id may be NULL): the ledger's
 * head, which reports print so they can be checked later with `loa verify
 * --head`; LEDGER_GENESIS_HASH and 0 when empty. Returns 0 or -EIO. */
int ledger_head(struct db *db, char out[SHA256_HEX], int64_t *id);
/* row_hash of ROW as stored (its id and prev_hash included), for `loa verify`;
 * the canonical encoding is documented in ledger.c. Returns 0, or -EINVAL for
 * an out-of-range kind or outcome. */
int ledger_row_hash(const struct ledger_row *row, char out[SHA256_HEX]);
/* The byte lengths of a row's strings (0 for NULL ones) and of its
 * content_sha256 and prev_hash, for a caller that knows them already. */
struct ledger_row_lens {
	size_t reason, title, topic, plan, slot, content_sha256, by, relay_source, relay_url, origin, province_schedule,
	       province_bulletin, prev_hash;
};
/* ledger_row_hash for a caller that has the lengths, as `loa verify` does
 * from SQLite: the same digest without a strlen per field. The strings need
 * no terminator, and may hold NUL bytes, which are hashed like any other. */
int ledger_row_hash_lens(const struct ledger_row *row, const struct ledger_row_lens *lens, char out[SHA256_HEX]);
void ledger_row_done(struct ledger_row *row);
void ledger_rows_free(struct ledger_row *v, size_t n);

/* The item on air, kept in the inflight table so a power cut leaves a trace:
 * begin when the first frame goes out, checkpoint its frame count now and
 * then, and finish (final row + inflight cleared, one transaction). */
/* Begin first records a left-over item, if any, as partial rather than overwrite it. */
int ledger_inflight_begin(struct db *db, const struct ledger_row *row, int sample_rate);
/* Returns 0, -ENOENT when nothing is on air, or -EIO. */
int ledger_inflight_checkpoint(struct db *db, int64_t frames, int64_t now_ms);
int ledger_inflight_finish(struct db *db, struct ledger_row *row);
/* Turns a left-over inflight record (the daemon died mid-item), and a
 * held one, into `partial` rows. Returns how many it recovered (0 if
 * none), or -EIO. */
int ledger_recover_inflight(struct db *db);
/* A relay preempted by an alert: its in-flight record is parked (one at
 * most) so the alert's can take its place, and put back when the relay
 * resumes. Both are no-ops when there is nothing to move; resuming over
 * an in-flight record left behind records that one as partial first.
 * Return 0 or -EIO. */
int ledger_inflight_hold(struct db *db);
int ledger_inflight_resume(struct db *db);

/* ROW as one JSON object, the fields `loa log --json` and the console's
 * /api/v1/log share. */
void ledger_row_json(struct json *j, const struct ledger_row *row);

const char *outcome_name(enum outcome o);
int outcome_parse(const char *s, enum outcome *out);
/* outcome_parse and the kind's parse for the N bytes at S (no terminator
 * needed). Return 0 or -EINVAL. */
int outcome_parse_len(const char *s, size_t n, enum outcome *out);
int air_kind_parse_len(const char *s, size_t n, enum air_kind *out);
const char *air_kind_name(enum air_kind k);

#endif
