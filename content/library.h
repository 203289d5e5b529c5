/* The bulletin library: one row per imported item, with the slots it airs
 * in. Rows are never deleted (retire marks them), so the ledger's foreign
 * keys and the evidence stay whole. */
#ifndef LOA_LIBRARY_H
#define LOA_LIBRARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content/probe.h"
#include "content/store.h"

struct db;
struct json;

enum priority { PRIO_NORMAL = 0, PRIO_PRIORITY = 1, PRIO_EMERGENCY = 2 };

struct bulletin {
	int64_t id;
	char *title;
	char *topic;          /* code "1".."6" or a station slug; NULL when none */
	char *plan;           /* plan reference; NULL when none */
	enum priority priority;
	int32_t valid_from;   /* local day, DAY_NONE_BEFORE when open */
	int32_t valid_until;  /* inclusive, DAY_NONE_AFTER when open */
	char **slots;         /* slot names */
	size_t n_slots;
	char sha256[SHA256_HEX];
	char *path;           /* absolute path in the content store */
	char *source_name;    /* the file name it was imported from */
	struct audio_info audio;
	/* The make-up import found (see player_find_makeup) and the gain and
	 * ceiling it was found for; known false when it was not. */
	struct bulletin_makeup {
		bool known;
		double db, gain_db, ceiling_dbtp;
		int version; /* of the search that found it (PLAYER_MAKEUP_VERSION) */
	} makeup;
	/* NULL for the station's own; "province" for one the province sent,
	 * with its BanTinID and author: only the province changes it. */
	char *origin, *province_id, *author;
	int64_t imported_at;  /* ms */
	int64_t retired_at;   /* ms, 0 while active */
};

/* True if M was found for GAIN_DB and CEILING_DBTP, to the hundredth of a
 * dB, by the search of VERSION: whether an airing with those may add
 * M->db without searching. */
bool bulletin_makeup_fits(const struct bulletin_makeup *m, double gain_db, double ceiling_dbtp, int version);
/* Inserts B (slots included) in one transaction and sets b->id. Returns 0 or -EIO. */
int library_add(struct db *db, struct bulletin *b);
/* True when B came from the province (origin "province"). */
bool bulletin_from_province(const struct bulletin *b);
/* Rewrites B's title, topic, plan, priority, validity and slots (by b->id),
 * and records the change as ACTOR's "edit" in the audit trail with what
 * changed, in one transaction (the caller's, if it holds one). Returns 0,
 * -ENOENT, -EINVAL (also without an actor), -EPERM (a bulletin from the
 * province: only the province changes it) or -EIO. */
int library_update(struct db *db, const struct bulletin *b, const char *actor);
/* Marks bulletin ID retired at WHEN (ms): it never airs again, its history
 * stays. Recorded as ACTOR's "retire" in the audit trail, in the same
 * transaction. Returns 0, -ENOENT (no such active bulletin), -EINVAL
 * (no actor), -EPERM (a bulletin from the province) or -EIO. */
int library_retire(struct db *db, int64_t id, int64_t when, const char *actor);
/* What the audit trail says of a bulletin changed from WAS to NOW: each
 * field that differs as "title: 'A' -> 'B'", joined by "; " ("no change"
 * when none does); with WAS NULL (an import), the fields NOW sets, as
 * "title: 'A'; slots: sang". Caller frees. */
char *bulletin_audit_detail(const struct bulletin *was, const struct bulletin *now);
/* All bulletins ordered by id; retired ones only when include_retired. Caller frees with bulletins_free. */
int library_list(struct db *db, bool include_retired, struct bulletin **out, size_t *n);
/* The bulletins that could air in slot SLOT on local day DAY as the library
 * stood at instant T: imported by then, not retired by then (shown active:
 * retired_at 0), assigned to SLOT and valid on DAY; by id, slots included.
 * What the planner would keep of library_list, in one query, for a start
 * that re-plans an occurrence. Caller frees with bulletins_free. */
int library_for_slot(struct db *db, const char *slot, int32_t day, int64_t t, struct bulletin **out, size_t *n);
/* The active bulletins whose audio is SHA256 (lowercase hex), by id.
 * Caller frees with bulletins_free. Returns 0 or -EIO. */
int library_with_content(struct db *db, const char *sha256, struct bulletin **out, size_t *n);
/* One bulletin. Returns 0, -ENOENT, or -EIO. Caller frees with bulletin_done. */
int library_get(struct db *db, int64_t id, struct bulletin *out);
/* True if B airs in slot NAME. */
bool bulletin_in_slot(const struct bulletin *b, const char *name);
/* B as one JSON object, the fields `loa list --json` and the console's
 * /api/v1/bulletins share. */
void bulletin_json(struct json *j, const struct bulletin *b);
void bulletin_done(struct bulletin *b);
void bulletins_free(struct bulletin *v, size_t n);

const char *priority_name(enum priority p);
/* Returns 0 or -EINVAL. */
int priority_parse(const char *s, enum priority *out);

#endif
