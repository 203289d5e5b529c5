/* Checking the ledger's hash chain, and the audit trail's: every row's hash
 * is recomputed from its stored columns and every link to the row before it
 * followed, so an edited, removed, inserted or reordered row (or entry) is
 * found and named. Works on any loa database file, opened read-only,
 * without a config. */
#ifndef LOA_VERIFY_H
#define LOA_VERIFY_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db;

#include "util/sha256.h"
#include "ledger/ledger.h"
#include "ledger/outbox.h"
#include "util/xmalloc.h"

enum verify_problem {
	VERIFY_INTACT,
	VERIFY_EDITED,    /* a row's content no longer matches its hash */
	VERIFY_REMOVED,   /* a row is missing before the one named */
	VERIFY_INSERTED,  /* the row named was not part of the chain as written */
	VERIFY_REORDERED, /* the row named holds what was written at another position */
};

struct verify_result {
	bool ok;
	int64_t rows;                /* rows found intact: all of them when ok, else those before the bad one */
	char head[SHA256_HEX];       /* row_hash of the last intact row; LEDGER_GENESIS_HASH when none */
	int64_t head_id;             /* its id; 0 when none */
	enum verify_problem problem; /* VERIFY_INTACT when ok */
	int64_t bad_row;             /* the row named, when !ok (for removed rows: the first one gone) */
	int64_t written_as;          /* for moved rows: the id it was written with; else 0 */
	char message[512];           /* for people, when !ok: "row 17: ..." */
	int64_t expect_row;          /* the id whose row_hash is the expected head; 0 if not found */
	struct strlist warnings;     /* what is not tampering but should not be so (missing triggers) */
};

/* Walks the whole ledger of H in id order in one read transaction. When
 * EXPECT_HEAD is not NULL, also looks for a row whose row_hash is it (a head
 * printed on an earlier report). Returns 0 with *res filled (res->ok says
 * whether the chain is intact) or -EIO (unreadable; message in res->message).
 * Free res->warnings with verify_result_done. */
int verify_chain(sqlite3 *h, const char *expect_head, struct verify_result *res);
/* verify_chain that also hands each intact row, in id order, to FN with
 * CTX, in the same walk: a report counts what it has just verified without
 * reading the ledger twice. The row's strings live until FN returns. Rows
 * handed over before a broken one are not taken back: look at res->ok. */
int verify_chain_rows(sqlite3 *h, const char *expect_head, void (*fn)(const struct ledger_row *row, void *ctx),
		      void *ctx, struct verify_result *res);
/* The audit trail's chain in H, checked as verify_chain checks the
 * ledger's, in a read transaction of its own: in RES, rows counts intact
 * entries, head and head_id are the last intact entry's, bad_row and
 * written_as name entries, and the message speaks of entries. A file an
 * older loa wrote has no trail, which is intact and empty. Returns 0 or
 * -EIO, as verify_chain. */
int verify_audit(sqlite3 *h, struct verify_result *res);
void verify_result_done(struct verify_result *res);
/* `loa backup`: db_backup of DB into FILE, the copy's chain verified before
 * it gets its name, then recorded as ACTOR's "backup" in DB's audit
 * trail; RES says what the copy holds (res->ok false is a ledger copied as
 * it was, damaged). Returns 0 or negative errno with a message in MSG
 * (-EIO with the copy made when only the entry could not be written).
 * Free RES with verify_result_done. */
int verify_backup(struct db *db, const char *file, const char *actor, struct verify_result *res, char *msg,
		  size_t msglen);
/* What the province's acknowledgements say of the ledger: every row the
 * province accepted a record of is held to the hash the record carried,
 * which the province keeps. An edit whose hashes were all recomputed
 * passes the chain's check; it does not pass this one. */
struct verify_witness {
	struct outbox_witness head;  /* the newest: head.row 0 when there is none */
	int64_t bad_row;             /* the first acknowledged row whose hash the ledger no
					longer holds (edited, or gone); 0 when all agree */
	char bad_hash[SHA256_HEX];   /* the hash the province holds for it */
	int64_t bad_at;              /* when it acknowledged it (ms) */
};
/* Compares every acknowledgement in H with the ledger's rows, in one read
 * transaction. A file without the tables (an older loa's) has none.
 * Returns 0 or -EIO. */
int verify_witness(sqlite3 *h, struct verify_witness *w);
/* For people, after the chain's verdict RES, into BUF: "witnessed by the
 * province up to row N (hash H) at T", or how the chain's break or a
 * row's hash stands against what the province holds; "" when there is no
 * witness. Returns true when the witnesses and the ledger agree (or there
 * are none), false when they prove tampering. */
bool verify_witness_text(const struct verify_result *res, const struct verify_witness *w, char *buf, size_t len);

/* "intact", "edited", "removed", "inserted", "reordered". */
const char *verify_problem_name(enum verify_problem p);

#endif
