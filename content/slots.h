/* The programme as data: slots kept in the database, which `loa slot` and
 * the web console change while the daemon runs, beside the read-only
 * slots of loa.conf. Every door validates and stores through here, and
 * every change is recorded in the audit trail in the same transaction.
 *
 * A database slot's intro and outro are bulletins of the library, named
 * by id; the daemon plays them from the content store
 * (STATE_DIR/content/<sha256><ext>), never from a path stored as text. */
#ifndef LOA_SLOTS_H
#define LOA_SLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct db;
struct json;

/* The longest slot name the database takes, in bytes. */
#define SLOTS_NAME_MAX 64

/* The database's slots (source SLOT_FROM_DATABASE), by name, with their
 * intro_id and outro_id but no paths. Free with slots_free. Returns 0 or
 * -EIO. */
int slots_load(struct db *db, struct slot **out, size_t *n);
void slots_free(struct slot *v, size_t n);

/* Makes CFG's slots those of loa.conf followed by the database's: any
 * database slots CFG held are dropped, DB's (none when DB is NULL) are
 * appended, their intros and outros resolved to store paths with their
 * durations. Returns 0 or -EIO (CFG keeps only its config slots). */
int slots_merge(struct config *cfg, struct db *db);
/* True if A and B would air the same way (every field but line). */
bool slot_same(const struct slot *a, const struct slot *b);
/* True if CFG and OTHER have the same slots, in the same order. */
bool slots_same(const struct config *cfg, const struct config *other);

/* Checks S as a database slot of CFG (name, start within the station's
 * limits, days, dates, max_minutes, topics, intro and outro bulletins
 * active in DB, which may be NULL when S names none; a relay source that
 * DB holds, with a window and no bulletin options). ADDING refuses a
 * name taken by any slot. Returns 0, or -EINVAL with a message in MSG that
 * names the option (--start, --intro, ...) and what is allowed. */
int slots_check(const struct config *cfg, struct db *db, const struct slot *s, bool adding, char *msg,
		size_t msglen);
/* Adds S (checked) to DB, recording "slot-add" by ACTOR. Returns 0,
 * -EINVAL (MSG says why) or -EIO. */
int slots_add(struct db *db, const struct config *cfg, const struct slot *s, const char *actor, char *msg,
	      size_t msglen);
/* Replaces the database slot S->name with S, recording "slot-edit" by
 * ACTOR with what changed. Returns 0, -ENOENT (no such database slot),
 * -EPERM (it is one of loa.conf's), -EINVAL or -EIO; MSG says why. */
int slots_update(struct db *db, const struct config *cfg, const struct slot *s, const char *actor, char *msg,
		 size_t msglen);
/* Removes the database slot NAME, recording "slot-remove" by ACTOR; the
 * ledger keeps the name in its rows. Returns as slots_update. */
int slots_remove(struct db *db, const struct config *cfg, const char *name, const char *actor, char *msg,
		 size_t msglen);

/* "mon,tue,..." or "daily" for DAYS. */
const char *slots_days_text(unsigned days, char *buf, size_t len);
/* Parses "mon,tue,..." or "daily". Returns 0 or -EINVAL. */
int slots_days_parse(const char *s, unsigned *days);
/* Writes S as the JSON object `loa slot list --json` prints. */
void slots_json(struct json *j, const struct slot *s);

#endif
