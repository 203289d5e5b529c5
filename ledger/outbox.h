/* The outbox of the link to the province's information-source system
 * (upstream/): what the station owes the province, and what the province
 * answered. Every ledger row that aired audio gets an entry in the same
 * transaction as the row (ledger_append calls outbox_enqueue_locked), so
 * a power cut never leaves a row that the province will not hear of.
 * Entries are settled strictly in order, once each, in a table of their
 * own (accepted or rejected), so neither the ledger nor the outbox is
 * ever updated: the entries after the last settled one are the queue. An
 * accepted entry is a witness: the row's id and hash as the province
 * received them, which `loa verify` and the reports hold the ledger to. */
#ifndef LOA_OUTBOX_H
#define LOA_OUTBOX_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ledger/ledger.h"
#include "util/sha256.h"

struct db;

/* An entry to send: the ledger row as stored and what goes with it. */
struct outbox_entry {
	int64_t id;            /* the entry's own: the order of sending */
	struct ledger_row row; /* the row as stored, its hash included */
	int priority;          /* as it aired: 0 normal, 1 priority, 2 emergency */
	int64_t produced_at;   /* the bulletin's import (ms); 0 when unknown */
};

/* The newest acknowledgement: the highest row the province accepted. */
struct outbox_witness {
	int64_t row;           /* 0 when the province acknowledged nothing yet */
	char hash[SHA256_HEX]; /* that row's row_hash as the record carried it */
	int64_t at;            /* when the answer came (ms) */
};

/* A refused entry, for `loa upstream status`. */
struct outbox_rejected {
	int64_t row;
	int64_t at;
	int http_status;
	char *reply;
};

/* What `loa upstream status` shows of the database's side. */
struct outbox_status {
	int64_t queued;            /* entries not settled */
	int64_t oldest_queued_at;  /* ms, the first of them; 0 when none */
	int64_t rejected;          /* entries the province refused */
	struct outbox_rejected *recent; /* the latest refused, newest first */
	size_t n_recent;
	int64_t accepted;          /* entries the province accepted */
	int64_t last_ok_at;        /* ms; 0 = never */
	char *last_error;          /* NULL when the last request succeeded */
	int64_t last_error_at;
	struct outbox_witness witness;
};

/* True if ROW aired audio: completed, partial, preempted or cancelled
 * with played_ms > 0. Only such rows go to the province. */
bool outbox_wants(const struct ledger_row *row);
/* Queues ROW, just inserted with its id, inside the caller's transaction
 * (ledger.c); ROW->priority is what it aired with, an alert being an
 * emergency whatever its bulletin says. Returns 0 or -EIO. */
int outbox_enqueue_locked(struct db *db, const struct ledger_row *row, int64_t now_ms);
/* The first entry not settled: 1 with *E filled (free with
 * outbox_entry_done), 0 when the queue is empty, -EIO. */
int outbox_next(struct db *db, struct outbox_entry *e);
void outbox_entry_done(struct outbox_entry *e);
/* Settles entry E once: ACCEPTED makes it a witness of its row's hash;
 * otherwise it is kept as rejected. REPLY (may be NULL) is what the
 * server answered, already size-limited. Returns 0, -EALREADY when E was
 * settled before (by another run of the link), or -EIO. */
int outbox_settle(struct db *db, const struct outbox_entry *e, bool accepted, int http_status, const char *reply,
		  int64_t at_ms);
/* The link's health: the last request that worked, or why the last one
 * did not (WHY NULL: it worked). Returns 0 or -EIO. */
int outbox_note(struct db *db, const char *why, int64_t at_ms);
/* Fills ST (free with outbox_status_done). Returns 0 or -EIO. */
int outbox_status(struct db *db, struct outbox_status *st);
void outbox_status_done(struct outbox_status *st);
/* `loa upstream resend`: queues again every row that aired with
 * scheduled_at in [FROM_MS, TO_MS), in ledger order, recorded as BY's
 * "upstream-resend" in the audit trail, all in one transaction. *N gets
 * how many. Returns 0 or -EIO. */
int outbox_requeue(struct db *db, int64_t from_ms, int64_t to_ms, const char *by, const char *period, int64_t *n);
/* The id of the newest entry (0 when none): it changes when there is
 * something new to send. Returns 0 or -EIO. */
int outbox_last_id(struct db *db, int64_t *id);
/* The newest acknowledgement in H (any loa database, read as it is; a
 * file without the tables has none). Returns 0 or -EIO. */
int outbox_witness(sqlite3 *h, struct outbox_witness *w);

#endif
