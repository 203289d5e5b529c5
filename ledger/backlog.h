/* The ledger writes that could not be made when they happened (a full
 * disk, an I/O error, a database locked for too long), kept in memory in
 * the order of the events and written in that order once the database
 * takes writes again, so the hash chain follows the events however late
 * the rows reach it. The engine sends every ledger write through here;
 * airing never waits for it. */
#ifndef LOA_BACKLOG_H
#define LOA_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"

struct db;
struct backlog;

/* How many writes wait at most (a few MB; months of a busy station's
 * rows). Past it a final row is not kept: it is logged as not written. */
#define BACKLOG_MAX 4096

/* Uses DB, which must outlive it. */
struct backlog *backlog_new(struct db *db);
/* Logs each row still waiting as not written (backlog_abandon) and frees
 * B. NULL is a no-op. */
void backlog_free(struct backlog *b);

/* Each write below first writes what waits, then its own; when either
 * cannot be written now, the write is copied into the backlog behind
 * what waits. Each returns 0 when written, 1 when kept for later, or a
 * negative errno when it is lost (the database refuses the row, or the
 * backlog is full), which is logged with the row. */

/* ledger_append, or with FINISH ledger_inflight_finish: the final row of
 * the item on air, which clears its in-flight record. */
int backlog_append(struct backlog *b, struct ledger_row *row, bool finish);
/* ledger_inflight_begin: the item's first frame went out. */
int backlog_begin(struct backlog *b, const struct ledger_row *row, int sample_rate);
/* ledger_inflight_hold and ledger_inflight_resume: a relay preempted by
 * an alert, and resumed. */
int backlog_hold(struct backlog *b);
int backlog_resume(struct backlog *b);
/* ledger_recover_inflight, at start. */
int backlog_recover(struct backlog *b);
/* ledger_inflight_checkpoint, only when nothing waits (the in-flight
 * record in the database may then be an earlier item's); never kept, the
 * final row supersedes it. Returns 0, 1 when not written, -ENOENT. */
int backlog_checkpoint(struct backlog *b, int64_t frames, int64_t now_ms);

/* Tries again to write what waits, in order. Returns how many writes
 * still wait (backlog_waiting). */
size_t backlog_flush(struct backlog *b);
/* Final rows waiting: what `loa status` reports as ledger_pending. */
size_t backlog_pending(const struct backlog *b);
/* Writes waiting, an in-flight record included: the retry timer's business. */
size_t backlog_waiting(const struct backlog *b);
/* Why the last write failed, or false when the database takes writes: in
 * the source language (LOCAL false, for JSON) or the locale's, e.g. "the
 * disk holding /var/lib/loa/loa.db is full". */
bool backlog_error(const struct backlog *b, bool local, char *buf, size_t len);
/* True if a row waiting is for this item of this occurrence. */
bool backlog_has_item(const struct backlog *b, const char *slot, int64_t occurrence_at, int64_t bulletin_id);
/* The last word: logs each final row still waiting as not written (due
 * time, slot, bulletin, outcome) and forgets them. Returns how many. */
size_t backlog_abandon(struct backlog *b);

#endif
