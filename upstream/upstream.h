/* The link to the province's information-source system (HTTT nguồn,
 * /work/shared/UPSTREAM.md), a front door and a process of its own
 * (`loa upstream run`, loa-upstream.service): it sends every playback the
 * outbox holds (ledger/outbox.h), in order, and a status ping every
 * ping_seconds, and keeps what the province acknowledged as witnesses of
 * the ledger. The daemon never waits for it: they share only the
 * database and the daemon's control socket.
 *
 * What the server sends is only ever data: a status, a description, a
 * token. Nothing in it runs a command or names a file, and every reply is
 * size-limited and parsed by jansson before anything is read from it. */
#ifndef LOA_UPSTREAM_H
#define LOA_UPSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/config.h"
#include "content/province.h"
#include "ledger/outbox.h"

/* The largest reply read; a longer one is an error (and not read further). */
#define UPSTREAM_REPLY_MAX 65536
/* The longest token kept, and how much of a reply a witness keeps. */
#define UPSTREAM_TOKEN_MAX 4096
#define UPSTREAM_KEEP_MAX 2048
/* The retry delays after a network error, a 5xx or a timeout. */
#define UPSTREAM_BACKOFF_MIN_MS 1000
#define UPSTREAM_BACKOFF_MAX_MS 600000

/* ---- the records (record.c): pure, for the tests ---- */

/* MucDoUuTien of loa's priority (0 normal, 1 priority, 2 emergency): 3, 2, 1. */
int upstream_priority_code(int priority);
/* LoaiLinhVuc of a topic: its code when it is one of the six, else 1. */
int upstream_topic_code(const char *topic);
/* ThoiLuong: MS as "HH:MM:SS", rounded to the nearest second (hours go
 * past 99 if they must). */
void upstream_duration(int64_t ms, char buf[24]);
/* The delay after PREV_MS (0: the first failure): 1 s, then doubled, at
 * most 10 min. */
int64_t upstream_backoff(int64_t prev_ms);

/* SRC into DST (LEN bytes), cut where a UTF-8 character begins, each
 * control character a space: a server's words or a title kept whole
 * enough to read and safe to log. */
void upstream_clip(char *dst, size_t len, const char *src);

/* The station as the daemon reports it, for the ping. */
struct upstream_station {
	bool daemon;          /* the daemon answered */
	bool on_air;
	char title[1024];     /* on air */
	int64_t position_ms;  /* into what is on air */
};
/* Reads the daemon's `status` JSON (scheduler/control.h) into S. Returns
 * 0, or -EBADMSG for anything else (S then says the daemon is unknown). */
int upstream_station_parse(const char *json, size_t len, struct upstream_station *s);

/* The bodies, as JSON text (caller frees). The playback log of entry E;
 * the status ping at NOW_MS; the login, which holds the password and is
 * never logged. */
char *upstream_record(const struct upstream_config *u, const struct outbox_entry *e);
char *upstream_ping(const struct upstream_config *u, const struct upstream_station *s, const char *version,
		    const char *state_dir, int64_t now_ms);
char *upstream_login(const struct upstream_config *u, const char *password);
/* The acknowledgement of schedule A, stored or cancelled. */
char *upstream_schedule_ack(const struct upstream_config *u, const struct province_ack *a);
/* The report of audio refused by the import core (paths.schedule_reject). */
char *upstream_schedule_reject(const struct upstream_config *u, const struct province_refusal *r);

/* ---- the province's schedules (schedule.c): pure, for the tests ---- */

/* The longest schedule list read, and the most schedules it holds. */
#define UPSTREAM_SCHEDULE_REPLY_MAX (4 * 1024 * 1024)
#define UPSTREAM_SCHEDULES_MAX 1000

struct upstream_schedules {
	struct province_schedule *items;
	size_t n;
};
/* Parses the LEN bytes of BODY, the answer to {url}{paths.schedule}: a
 * JSON list of schedules, bare or as {TrangThaiGui: 0, NoiDung: [...]}.
 * Returns 0 with OUT filled (free with upstream_schedules_done), each
 * schedule either good or refused whole with why naming the field; or
 * -EBADMSG with OUT empty and WHY saying why the reply as a whole cannot
 * be used. */
int upstream_schedules_parse(const char *body, size_t len, struct upstream_schedules *out, char *why,
			     size_t whylen);
void upstream_schedules_done(struct upstream_schedules *l);
/* True when S is an http:// or https:// address with a host, of visible
 * ASCII, without user@ (at most PROVINCE_URL_MAX bytes). */
bool upstream_url_ok(const char *s);

/* ---- the audio of the province's bulletins (download.c) ---- */

struct db;
struct download;
/* Starts fetching D's audio into its partial file (resuming it). Returns
 * the transfer, whose curl handle (upstream_download_handle) the caller
 * adds to its multi handle, or NULL with why in MSG (no space, a folder
 * that cannot be made). */
struct download *upstream_download_new(const struct config *cfg, const struct province_download *d, char *msg,
				       size_t msglen);
void *upstream_download_handle(struct download *dl);
const char *upstream_download_id(const struct download *dl);
/* The transfer ended with curl's RES: the file is imported (or refused,
 * or found unobtainable for good) and 0 returned; or -EAGAIN when it is
 * to be tried again later, from where it stopped. The caller then frees it. */
int upstream_download_done(struct download *dl, int res, struct db *db, const struct config *cfg);
void upstream_download_free(struct download *dl);

/* ---- the replies (reply.c) ---- */

struct upstream_reply {
	bool has_status;      /* TrangThaiGui is there, as a number */
	long long status;     /* TrangThaiGui: 0 is yes */
	char mota[256];       /* MoTa, control characters replaced, cut to fit */
	char *token;          /* NoiDung.Token when there is a usable one */
	bool token_bad;       /* a token is there but unusable (too long, bytes a header cannot carry) */
	char *kept;           /* the reply as a witness keeps it: compact JSON, the token masked,
				 at most UPSTREAM_KEEP_MAX bytes */
};
/* Parses the LEN bytes of BODY (at most UPSTREAM_REPLY_MAX). A JSON object
 * is a reply; one repeated (the same object twice, as a server that acks
 * twice sends) is the same reply. Returns 0 with R filled (free with
 * upstream_reply_done), or -EBADMSG with R empty and WHY (may be NULL)
 * saying what is wrong, for people. */
int upstream_reply_parse(const char *body, size_t len, struct upstream_reply *r, char *why, size_t whylen);
void upstream_reply_done(struct upstream_reply *r);

/* ---- the link (link.c) ---- */

/* Reads the password from CFG's password_file (its first line) into
 * *OUT (caller frees, after wiping). Returns 0, or -errno with a message. */
int upstream_password(const struct upstream_config *u, char **out, char *msg, size_t msglen);
/* `loa upstream run`: the service, until SIGTERM or SIGINT (exit 0).
 * Returns 0, or -errno after saying why it cannot run at all. */
int upstream_run(const struct config *cfg, const char *version);
/* `loa upstream test`: logs in once and sends one ping, printing to OUT
 * what the server answered. Returns 0 when both worked, else -errno with
 * the reason in MSG (DNS, TLS, refused, the password...). */
int upstream_test(const struct config *cfg, const char *version, FILE *out, char *msg, size_t msglen);

#endif
