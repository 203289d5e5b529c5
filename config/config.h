/* The station's configuration (libconfig syntax), parsed into a fresh struct
 * and validated whole: every problem is reported as "FILE:LINE: message"
 * naming what is wrong and what is allowed, and a config with any problem is
 * never used. Unknown keys are errors, so a typo cannot be silently ignored. */
#ifndef LOA_CONFIG_H
#define LOA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/xmalloc.h"

#define CONFIG_DEFAULT_PATH "/etc/loa/loa.conf"

/* Bit d of slot.days is weekday d, 0 = Monday .. 6 = Sunday (days_weekday()). */
#define DAYS_ALL 0x7f

/* Where a slot is defined: loa.conf (read-only to loa's commands) or the
 * database (`loa slot`, the console). */
enum slot_source { SLOT_FROM_CONFIG, SLOT_FROM_DATABASE };

struct slot {
	char *name;
	int start_sec;        /* seconds after local midnight */
	unsigned days;        /* weekday bitmask */
	int max_minutes;      /* 0 = no limit */
	int32_t from_day;     /* first local day it airs, DAY_NONE_BEFORE when open */
	int32_t until_day;    /* last local day it airs (inclusive), DAY_NONE_AFTER when open */
	int32_t *skip_days;   /* sorted local day numbers on which it does not air */
	size_t n_skip;
	char *intro, *outro;  /* absolute paths or NULL; in the content store for a database slot */
	int64_t intro_id, outro_id; /* a database slot's intro and outro bulletins, 0 when none */
	int64_t intro_ms, outro_ms; /* durations, filled by whoever probes the files; 0 until then */
	char **topics;        /* only bulletins of these topics air in it; n_topics 0 = any */
	char *relay;          /* a database slot's relay source (content/sources.h), or NULL */
	size_t n_topics;
	int line;             /* where it was defined, for messages (config slots) */
	enum slot_source source;
};

/* The web console (`loa web`): where it listens, its certificate, its
 * limits. */
struct web_config {
	char *host;           /* an IPv4 or IPv6 literal (without brackets), default "0.0.0.0" */
	int port;             /* default 8080 */
	char *tls_cert, *tls_key; /* PEM files, both or neither (absolute); NULL: plain HTTP */
	int max_upload_mb;    /* default 500 */
	int session_hours;    /* default 12 */
};

/* The link to the province's information-source system (`loa upstream`,
 * UPSTREAM.md): where, who, and the identities the province gave the
 * station. The password is never here: only the file that holds it. */
struct upstream_config {
	char *url;               /* https://host[:port][/base], without a trailing slash */
	char *username;
	char *password_file;     /* absolute */
	char *source_id, *source_name;           /* NguonID, TenNguon */
	char *device_id, *device_name;           /* CumLoaID, TenThietBi */
	char *destination_id, *destination_name; /* DichID, TenDich */
	char *provider_code, *provider_name;     /* MaNhaCungCap, TenNhaCungCap */
	int ping_seconds;        /* default 60 */
	int timeout_seconds;     /* one request at most; default 30 */
	char *path_login, *path_log, *path_ping; /* each starts with '/' */
	/* The province's schedules: where they are read (every poll_seconds,
	 * default 30, 5..3600) and acknowledged as stored or cancelled. */
	char *path_schedule, *path_schedule_ack, *path_schedule_cancel;
	char *path_schedule_reject; /* NULL: the province takes no reports of refused audio */
	int poll_seconds;
	int max_download_mb;     /* the largest audio file fetched; default 200 */
	char *ca_file;           /* absolute, or NULL for the system's CAs */
	char *file;              /* where password_file is set, for messages */
	int password_file_line;
};

struct config {
	char *path;           /* the file it came from */
	char *station_name;
	char *timezone;       /* IANA name */
	char *state_dir;      /* absolute; relative paths in the file are relative to the file's folder */
	char *socket_path;    /* the daemon's control socket, default STATE_DIR/loa.sock */
	char *audio_device;   /* ALSA PCM name, default "default" */
	int gap_ms;           /* silence between items, default 1000 */
	double target_lufs;   /* default -16 */
	double gain_db;       /* station-wide trim, default 0 */
	double true_peak_dbtp; /* the limiter's ceiling, -9 to 0, default -1 */
	char **power_on, **power_off; /* NULL-terminated argv lists, or NULL */
	int warmup_ms;        /* default 0 */
	bool require_sync;    /* default true */
	int grace_minutes;    /* default 10 */
	int limit_earliest;   /* seconds after midnight, -1 when unset */
	int limit_latest;     /* seconds after midnight, -1 when unset */
	int relay_silence_s;  /* relay.silence_seconds: dead air that moves a relay on, default 10 */
	struct slot *slots;
	size_t n_slots;
	struct web_config web;
	struct upstream_config *upstream; /* NULL without an upstream group: no link */
};

/* Parses and validates PATH. Returns 0 and a new *out (free with
 * config_free), or -EINVAL after appending one "FILE:LINE: message" per
 * problem to errs (or "FILE: message" when no line applies, e.g. unreadable). */
int config_load(const char *path, struct config **out, struct strlist *errs);
void config_free(struct config *cfg);
/* A deep copy of CFG, every slot included. */
struct config *config_dup(const struct config *cfg);
/* Parses "HOST:PORT" (an IPv4 literal, or an IPv6 literal in brackets,
 * and a port 1..65535) into *HOST (caller frees, without brackets) and
 * *PORT. Returns 0 or -EINVAL. `web.listen` and `loa web --listen` read it. */
int config_parse_listen(const char *s, char **host, int *port);
/* Deep copy of slot SRC into DST; slot_done frees what it holds. */
void slot_copy(struct slot *dst, const struct slot *src);
void slot_done(struct slot *s);
/* Checks that CFG's upstream.password_file can be read by the link's
 * user (loa when that user exists, else whoever runs this) and by no one
 * else; appends "FILE:LINE: message" to ERRS for each problem. Returns 0
 * (nothing to check without an upstream group) or -EINVAL. */
int config_upstream_secret_check(const struct config *cfg, struct strlist *errs);
/* The user the link runs as: loa when that user exists, else this
 * process's effective user. */
uid_t config_upstream_uid(void);
/* The slot called NAME, or NULL. */
const struct slot *config_slot(const struct config *cfg, const char *name);
/* True if DAY is in slot->skip_days. */
bool slot_skips(const struct slot *s, int32_t day);

#endif
