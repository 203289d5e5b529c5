/* Schedules and bulletins from the province (issue #18, UPSTREAM.md
 * "Schedules from the province"): what the link received, kept in the
 * database, and the timed items the planner airs beside the slots.
 *
 * The link (upstream/) parses what the server sends into these structs
 * and hands them here; the daemon's planner reads the items. A province
 * bulletin becomes a bulletin of the library (origin "province") once its
 * audio is downloaded and passes the import core; until then it is
 * pending, and an item whose instant comes first fails with a row that
 * names the address. Only the province changes or retires these: the
 * operator can stop one on air, nothing more. */
#ifndef LOA_PROVINCE_H
#define LOA_PROVINCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "content/library.h"

struct json;

struct db;
struct json;

/* An id (LichPhatID, BanTinID): visible ASCII, no slash. */
#define PROVINCE_ID_MAX 64
/* A title, a schedule's name, an author. */
#define PROVINCE_TEXT_MAX 1000
/* An audio address (NoiDung). */
#define PROVINCE_URL_MAX 2048
/* The most bulletins and instants one schedule holds. */
#define PROVINCE_BULLETINS_MAX 100
#define PROVINCE_INSTANTS_MAX 1000
/* The reason of the rows of items a cancellation takes away. */
#define PROVINCE_CANCELLED_REASON "cancelled by the province"

/* One bulletin a schedule names. */
struct province_bulletin {
	char id[PROVINCE_ID_MAX + 1]; /* BanTinID */
	char *title;                  /* TieuDe, control characters made spaces */
	int64_t duration_ms;          /* ThoiLuong; 0 when not given */
	int topic;                    /* LoaiLinhVuc 1..6 */
	int priority;                 /* loa's: 2 emergency, 1 priority, 0 normal (MucDoUuTien 1/2/3) */
	char *url;                    /* NoiDung: http(s) only */
	char *author;                 /* TacGia.TenDayDu, else ButDanh; NULL when neither */
};
/* One ThoiDiemPhat: the schedule's bulletins air in their order from start. */
struct province_instant {
	int64_t start_ms, end_ms;
};
struct province_schedule {
	char id[PROVINCE_ID_MAX + 1]; /* LichPhatID; may be empty when refused */
	char *name;                   /* TenLichPhat, or NULL */
	bool cancelled;               /* "Huy": true: the province takes it back */
	bool refused;                 /* a field is wrong: nothing but id and why is set */
	char *why;                    /* when refused: the field and the problem */
	struct province_bulletin *bulletins;
	size_t n_bulletins;
	struct province_instant *instants; /* over every NgayPhat, in the order sent */
	size_t n_instants;
};
void province_schedule_done(struct province_schedule *s);

/* What storing a schedule did. */
enum province_change { PROVINCE_SAME, PROVINCE_NEW, PROVINCE_CHANGED, PROVINCE_CANCELLED };

/*
 * Stores schedule S (not refused, not a cancellation) as received at NOW,
 * in one transaction. The same schedule sent again changes nothing
 * (PROVINCE_SAME). A new or changed one (PROVINCE_NEW, PROVINCE_CHANGED)
 * has its items that have not aired replaced by those it names now, so a
 * changed instant moves its item; an instant already older than GRACE_MS
 * gets a `missed` row and no item: it is never aired late. Its bulletins
 * are kept, new ones pending download; a changed address makes one not yet
 * stored pending again. It is to be acknowledged (province_to_ack).
 * Returns the change, or -EIO.
 */
int province_store(struct db *db, const struct province_schedule *s, int64_t now_ms, int64_t grace_ms);
/*
 * Cancels schedule ID at NOW_MS: every item of it that has not aired gets
 * a `skipped` row "cancelled by the province" and is removed, in one
 * transaction; the cancellation is to be acknowledged. Returns
 * PROVINCE_CANCELLED, PROVINCE_SAME (unknown, or cancelled already) or
 * -EIO.
 */
int province_cancel(struct db *db, const char *id, int64_t now_ms);
/* Cancels every standing schedule whose id is not among the N of IDS (a
 * schedule the province no longer lists is gone). Returns how many, or -EIO. */
int province_sweep(struct db *db, char *const *ids, size_t n, int64_t now_ms);

/* A schedule the province is yet to be told about. */
struct province_ack {
	char id[PROVINCE_ID_MAX + 1];
	char *name;
	bool cancelled;
	char **bulletins;  /* its BanTinIDs (none for a cancellation) */
	size_t n_bulletins;
};
/* The oldest schedule to acknowledge into OUT. Returns 1, 0 (none) or -EIO. */
int province_to_ack(struct db *db, struct province_ack *out);
/* The province took the acknowledgement of ID (as stored, or as cancelled). */
int province_acked(struct db *db, const char *id, bool cancelled, int64_t now_ms);
void province_ack_done(struct province_ack *a);

/* A province bulletin whose audio the import core refused, to be told to
 * the province (paths.schedule_reject). */
struct province_refusal {
	char id[PROVINCE_ID_MAX + 1]; /* BanTinID */
	char *url, *reason;
	int64_t at;                   /* ms: when it was refused */
};
/* The oldest refusal not yet told. Returns 1, 0 (none) or -EIO. */
int province_to_report(struct db *db, struct province_refusal *out);
/* The province took (or refused for good) the report of R. */
int province_reported(struct db *db, const struct province_refusal *r, int64_t now_ms);
void province_refusal_done(struct province_refusal *r);

/* A province bulletin whose audio is to be fetched. */
struct province_download {
	char id[PROVINCE_ID_MAX + 1];
	char *url;
	int64_t first_at; /* ms: its earliest item that has not aired */
};
/* The pending bulletin whose item comes first (items of cancelled
 * schedules are gone, so their bulletins wait for nothing). One the
 * library holds already (an import the link committed just before it
 * died) is marked stored first, never fetched twice. Returns 1, 0 (none)
 * or -EIO. */
int province_next_download(struct db *db, struct province_download *out);
void province_download_done(struct province_download *d);
/* Fills B's metadata (title, topic, priority, origin, province_id, author;
 * no slots) from province bulletin ID, for the import core. Returns 0,
 * -ENOENT or -EIO. */
int province_bulletin_meta(struct db *db, const char *id, struct bulletin *b);
/* Bulletin ID's audio is in the library as BULLETIN_ID. */
int province_bulletin_stored(struct db *db, const char *id, int64_t bulletin_id, int64_t now_ms);
/* Bulletin ID's audio was refused by the import core (REJECTED) or could
 * not be had (!REJECTED, e.g. the address answers 404), with REASON. */
int province_bulletin_failed(struct db *db, const char *id, bool rejected, const char *reason, int64_t now_ms);

/* A timed item for the planner. */
struct province_item {
	int64_t id;
	char schedule_id[PROVINCE_ID_MAX + 1];
	char bulletin[PROVINCE_ID_MAX + 1]; /* BanTinID */
	int64_t at, end_at;                 /* ms */
	int seq;
	int priority;                       /* 0 normal, 1 priority, 2 emergency */
	char *title, *url;
	char state[16];                     /* of its bulletin: pending, stored, rejected, failed */
	char *reason;                       /* why rejected or failed */
	int64_t bulletin_id;                /* in the library once stored, else 0 */
};
/* The items whose instant is in [FROM_MS, TO_MS) and that have no row
 * yet (nor are on air), by instant then seq.
 * Caller frees with province_items_free. Returns 0 or -EIO. */
int province_items(struct db *db, int64_t from_ms, int64_t to_ms, struct province_item **out, size_t *n);
void province_items_free(struct province_item *v, size_t n);
/* False when IT's audio was refused or could not be had: it will get a
 * failed row at its instant, not an airing. */
bool province_item_airs(const struct province_item *it);
/* Removes item ID: it will never air (its row is written). */
int province_item_done(struct db *db, int64_t id);

/* IT as `loa next --json` and the console's /api/v1/next list it: beside
 * a slot's item's fields (no slot, a null bulletin_id while its audio is
 * not in the library), origin "province", the ids, and "audio": its
 * audio's state (pending, stored, rejected, failed). */
void province_item_json(struct json *j, const struct province_item *it);

/* The figures of `loa upstream status`: standing schedules, province
 * bulletins in the library, bulletins waiting for their audio, and the
 * refused ones (BanTinID, reason) as a JSON array under "rejected". */
struct province_counts {
	int64_t schedules, bulletins, pending, rejected, failed;
	int64_t last_poll_at; /* ms; 0 = never */
};
/* The schedules were read at AT_MS. */
int province_note_poll(struct db *db, int64_t at_ms);
int province_counts(struct db *db, struct province_counts *out);
/* Writes "rejected_bulletins": [{"BanTinID", "url", "reason", "at"}...]
 * into J; the same as lines "  ID URL: REASON" to F. */
int province_rejected_json(struct db *db, struct json *j);
int province_rejected_text(struct db *db, FILE *f);

#endif
