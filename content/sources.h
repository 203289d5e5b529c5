/* Relay sources (nguồn tiếp âm): the live stations a slot can air instead
 * of bulletins, kept in the database by name. A source is either internet
 * stream URLs (HLS, Icecast/Shoutcast MP3 or AAC), tried in the order
 * given, the first being the one preferred, or an ALSA capture device (a
 * radio receiver on the box's line-in). Every door validates and stores
 * through here, and every change is an audit entry in the same
 * transaction. */
#ifndef LOA_SOURCES_H
#define LOA_SOURCES_H

#include <stdbool.h>
#include <stddef.h>

struct db;
struct json;

/* The longest source name, URL and device name the database takes. */
#define SOURCES_NAME_MAX 64
#define SOURCES_URL_MAX 1024
#define SOURCES_DEVICE_MAX 128
/* Fallbacks beyond a few are addresses nobody keeps up to date. */
#define SOURCES_URLS_MAX 8
#define SOURCES_TITLE_MAX 200

struct source {
	char *name;
	char *title;    /* what its ledger rows are titled; NULL = the name */
	char *topic;    /* the ledger rows' topic; NULL = none */
	char *capture;  /* an ALSA capture device, or NULL for URLs */
	char **urls;    /* n_urls of them, in the order they are tried */
	size_t n_urls;
};

void source_done(struct source *s);
/* A deep copy of SRC into DST; source_done frees it. */
void source_copy(struct source *dst, const struct source *src);
void sources_free(struct source *v, size_t n);
/* The title its ledger rows carry: the title, or else the name. */
const char *source_title(const struct source *s);
/* How many ways it has to air: its URLs, or 1 for a capture device. */
size_t source_n_inputs(const struct source *s);
/* Input I (0 <= I < source_n_inputs): a URL or the capture device. */
const char *source_input(const struct source *s, size_t i);

/* Every source, by name. Free with sources_free. Returns 0 or -EIO. */
int sources_load(struct db *db, struct source **out, size_t *n);
/* The source NAME into OUT. Returns 0, -ENOENT or -EIO. */
int sources_get(struct db *db, const char *name, struct source *out);
/* Checks S (name, title, topic, URLs or device, not both). ADDING refuses
 * a name taken. Returns 0, or -EINVAL with a message in MSG that names the
 * option (--url, --capture, ...) and what is allowed. */
int sources_check(struct db *db, const struct source *s, bool adding, char *msg, size_t msglen);
/* Adds S (checked) to DB, recording "source-add" by ACTOR. Returns 0,
 * -EINVAL (MSG says why) or -EIO. */
int sources_add(struct db *db, const struct source *s, const char *actor, char *msg, size_t msglen);
/* Removes source NAME, recording "source-remove" by ACTOR; the ledger
 * keeps the name in its rows. Returns 0, -ENOENT, -EBUSY (a slot relays
 * it: MSG names the slot) or -EIO. */
int sources_remove(struct db *db, const char *name, const char *actor, char *msg, size_t msglen);
/* Writes S as the JSON object `loa source list --json` prints. */
void sources_json(struct json *j, const struct source *s);

#endif
