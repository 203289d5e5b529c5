/* The link to the province (see upstream.h): one request at a time over
 * libcurl's multi interface, in one poll loop (curl_multi_poll, with the
 * signals and the database's wake-ups as extra descriptors), so SIGTERM
 * ends it at once whatever is in flight, and nothing is marked sent
 * before the server said so: a request cut off is sent again later, and
 * the server's de-duplication (CumLoaID, BanTinID, ThoiDiemBatDau) keeps
 * it once.
 *
 * Order: the outbox is sent strictly in order. A network error, a
 * timeout, a 5xx (or a 408 or 429), or a reply that cannot be read stops
 * everything for a backoff of 1 s doubling to 10 min, and the same entry
 * goes again; nothing is skipped. A 401 logs in again. Any other 4xx, or
 * a 2xx whose TrangThaiGui is not 0, is the server refusing that record:
 * it is settled as rejected, logged with the server's words, and the
 * next goes.
 *
 * Waking up: the link does not poll the database. It watches the state
 * folder with inotify for writes to loa.db-wal (every commit of the
 * daemon's appends one there, and an append that aired writes its outbox
 * entry in the same commit), waits a quarter second for the commit to
 * be visible, and then asks for the newest outbox id, one index probe.
 * The ping's cadence asks too, in case a wake-up was missed (a WAL
 * replaced under it). Between pings an idle station costs no wake-up;
 * while an item is on air the daemon's checkpoints (every 5 s) cost one
 * query each. */
#include "upstream/upstream.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <malloc.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "scheduler/control.h"
#include "upstream/libcurl.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/sha256.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* How long after a write to the WAL the outbox is looked at: the
 * commit's wal-index update follows its last write. */
#define WAKE_DELAY_MS 250
/* The longest password file read. */
#define PASSWORD_MAX 1024

enum req_kind { REQ_LOGIN, REQ_LOG, REQ_PING, REQ_SCHEDULE, REQ_ACK, REQ_REJECT };

/* One request: its handle, what it sends and what came back. */
struct req {
	enum req_kind kind;
	CURL *h;
	struct curl_slist *headers;
	char *body;            /* wiped before it is freed: the login holds the password */
	char *url;
	char *reply;
	size_t len, max;       /* what came back, and the most that is read */
	bool too_big;
	char errbuf[CURL_ERROR_SIZE];
};

/* What a finished request means. */
enum verdict {
	V_OK,           /* done as asked */
	V_REFUSED,      /* the server refused this request for good */
	V_UNAUTHORIZED, /* 401: log in again */
	V_RETRY,        /* the network, the server's health, or a reply that cannot be read */
};

struct result {
	enum verdict v;
	long http;
	struct upstream_reply rep; /* when the reply could be read */
	bool have_rep;
	char why[512];             /* for people, when not V_OK */
};

static const char *host_of(const char *url, char *buf, size_t len)
{
	const char *h = strncmp(url, "https://", 8) ? url : url + 8;

	snprintf(buf, len, "%.*s", (int)strcspn(h, "/?#"), h);
	return buf;
}

int upstream_password(const struct upstream_config *u, char **out, char *msg, size_t msglen)
{
	char buf[PASSWORD_MAX + 2];
	struct stat st;
	ssize_t n;
	size_t len;
	int fd, e;

	*out = NULL;
	fd = open(u->password_file, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		text_set(msg, msglen, _("cannot read the password file %s: %s; it must exist, belong to loa and "
			 "be readable by no one else (loa check says what is wrong)"), u->password_file, strerror(e));
		return -e;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		text_set(msg, msglen, _("the password file %s is not a regular file"), u->password_file);
		return -EINVAL;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	e = errno;
	close(fd);
	if (n < 0) {
		text_set(msg, msglen, _("cannot read the password file %s: %s"), u->password_file, strerror(e));
		return -e;
	}
	buf[n] = '\0';
	len = strcspn(buf, "\r\n");
	if ((size_t)n > PASSWORD_MAX && len == (size_t)n) {
		explicit_bzero(buf, sizeof(buf));
		text_set(msg, msglen, _("the password file %s holds more than %d bytes on its first line; put the "
			 "password alone in it"), u->password_file, PASSWORD_MAX);
		return -EINVAL;
	}
	buf[len] = '\0';
	if (len == 0) {
		text_set(msg, msglen, _("the password file %s is empty; put the password the province gave in it, "
			 "on one line"), u->password_file);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f) {
			explicit_bzero(buf, sizeof(buf));
			text_set(msg, msglen, _("the password file %s holds a control character; put the password "
				 "alone on its first line"), u->password_file);
			return -EINVAL;
		}
	*out = xstrdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

static size_t on_data(char *p, size_t size, size_t n, void *ctx)
{
	struct req *q = ctx;
	size_t add = size * n;

	/* Past the limit the transfer ends here (CURLE_WRITE_ERROR). */
	if (q->len + add > q->max) {
		q->too_big = true;
		return 0;
	}
	q->reply = xrealloc(q->reply, q->len + add + 1);
	memcpy(q->reply + q->len, p, add);
	q->len += add;
	q->reply[q->len] = '\0';
	return add;
}

static void req_free(struct req *q)
{
	if (!q)
		return;
	if (q->h)
		LIBCURL(curl_easy_cleanup)(q->h);
	LIBCURL(curl_slist_free_all)(q->headers);
	if (q->body) {
		explicit_bzero(q->body, strlen(q->body));
		free(q->body);
	}
	free(q->url);
	free(q->reply);
	free(q);
}

/* A request of KIND with BODY (taken over) to PATH, with TOKEN when not
 * logging in; a GET without a body (NULL). TLS is verified (peer and
 * host name) against ca_file or the system's CAs; https only, no
 * redirects, nothing longer than UPSTREAM_REPLY_MAX read (the schedules:
 * UPSTREAM_SCHEDULE_REPLY_MAX). */
static struct req *req_new(const struct upstream_config *u, const char *version, enum req_kind kind,
			   const char *path, char *body, const char *token)
{
	struct req *q = xcalloc(1, sizeof(*q));
	char *ua, *auth;

	q->kind = kind;
	q->body = body;
	q->max = kind == REQ_SCHEDULE ? UPSTREAM_SCHEDULE_REPLY_MAX : UPSTREAM_REPLY_MAX;
	q->url = xasprintf("%s%s", u->url, path);
	q->h = LIBCURL(curl_easy_init)();
	if (!q->h)
		abort(); /* only out of memory */
	q->headers = LIBCURL(curl_slist_append)(q->headers, "Content-Type: application/json; charset=utf-8");
	q->headers = LIBCURL(curl_slist_append)(q->headers, "Accept: application/json");
	/* No "Expect: 100-continue" round trip for a body this small. */
	q->headers = LIBCURL(curl_slist_append)(q->headers, "Expect:");
	if (token) {
		auth = xasprintf("Authorization: Bearer %s", token);
		q->headers = LIBCURL(curl_slist_append)(q->headers, auth);
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	ua = xasprintf("loa/%s", version);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_USERAGENT, ua);
	free(ua); /* curl copies strings it is given */
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_URL, q->url);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_PROTOCOLS_STR, "https");
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_FOLLOWLOCATION, 0L);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_SSL_VERIFYPEER, 1L);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_SSL_VERIFYHOST, 2L);
	if (u->ca_file)
		LIBCURL(curl_easy_setopt)(q->h, CURLOPT_CAINFO, u->ca_file);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_HTTPHEADER, q->headers);
	if (q->body) {
		LIBCURL(curl_easy_setopt)(q->h, CURLOPT_POSTFIELDS, q->body);
		LIBCURL(curl_easy_setopt)(q->h, CURLOPT_POSTFIELDSIZE, (long)strlen(q->body));
	} else {
		LIBCURL(curl_easy_setopt)(q->h, CURLOPT_HTTPGET, 1L);
	}
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_WRITEFUNCTION, on_data);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_WRITEDATA, q);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_MAXFILESIZE, (long)q->max);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_ERRORBUFFER, q->errbuf);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_NOSIGNAL, 1L);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_TIMEOUT, (long)u->timeout_seconds);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_CONNECTTIMEOUT, (long)(u->timeout_seconds < 10 ? u->timeout_seconds : 10));
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_TCP_KEEPALIVE, 1L);
	LIBCURL(curl_easy_setopt)(q->h, CURLOPT_PRIVATE, q);
	return q;
}

/* Why a transfer failed, in the words an operator can act on. */
static void describe_curl(const struct upstream_config *u, const struct req *q, CURLcode res, char *why, size_t n)
{
	char host[256];
	const char *detail = q->errbuf[0] ? q->errbuf : LIBCURL(curl_easy_strerror)(res);

	host_of(u->url, host, sizeof(host));
	switch (res) {
	case CURLE_COULDNT_RESOLVE_HOST:
		text_set(why, n, _("DNS: the name %s cannot be resolved; check upstream.url and the station's "
			 "network and DNS"), host);
		break;
	case CURLE_COULDNT_CONNECT:
		text_set(why, n, _("connection refused by %s, or it cannot be reached: the server is down or a "
			 "firewall is in the way (%s)"), host, detail);
		break;
	case CURLE_OPERATION_TIMEDOUT:
		text_set(why, n, _("no answer from %s within %d s (upstream.timeout_seconds)"), host,
			 u->timeout_seconds);
		break;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
		text_set(why, n, _("TLS: the certificate of %s cannot be trusted (%s); if the province has a CA "
			 "of its own, name its PEM file in upstream.ca_file"), host, detail);
		break;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
		text_set(why, n, _("TLS: the handshake with %s failed (%s)"), host, detail);
		break;
	case CURLE_WRITE_ERROR:
	case CURLE_FILESIZE_EXCEEDED:
		text_set(why, n, _("the reply of %s is longer than %zu bytes; it was not read"), host, q->max);
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		text_set(why, n, _("%s: only https is allowed (%s)"), host, detail);
		break;
	default:
		text_set(why, n, _("the connection to %s failed: %s"), host, detail);
		break;
	}
}

/* What request Q's end (RES, and the HTTP status) means. */
static void judge(const struct upstream_config *u, struct req *q, CURLcode res, struct result *out)
{
	char why[256];
	long http = 0;

	memset(out, 0, sizeof(*out));
	if (q->too_big)
		res = CURLE_WRITE_ERROR;
	if (res != CURLE_OK) {
		out->v = V_RETRY;
		describe_curl(u, q, res, out->why, sizeof(out->why));
		return;
	}
	LIBCURL(curl_easy_getinfo)(q->h, CURLINFO_RESPONSE_CODE, &http);
	out->http = http;
	/* The schedules are a list, read by their own parser (schedule.c). */
	if (q->kind == REQ_SCHEDULE && http >= 200 && http < 300) {
		out->v = V_OK;
		return;
	}
	out->have_rep = upstream_reply_parse(q->reply ? q->reply : "", q->len, &out->rep, why, sizeof(why)) == 0;
	if (http == 401) {
		out->v = V_UNAUTHORIZED;
		text_set(out->why, sizeof(out->why), _("the server answered 401: not logged in or the token "
			 "expired%s%s"), out->rep.mota[0] ? ": " : "", out->rep.mota);
		return;
	}
	/* 408 and 429 are the server's state, not the record's. */
	if (http >= 500 || http < 200 || (http >= 300 && http < 400) || http == 408 || http == 429) {
		out->v = V_RETRY;
		text_set(out->why, sizeof(out->why), _("the server answered HTTP %ld%s%s"), http,
			 out->rep.mota[0] ? ": " : "", out->rep.mota);
		return;
	}
	if (http >= 400) {
		out->v = V_REFUSED;
		text_set(out->why, sizeof(out->why), _("the server refused it with HTTP %ld: %s"), http,
			 out->rep.mota[0] ? out->rep.mota : _("(no description)"));
		return;
	}
	if (!out->have_rep) {
		out->v = V_RETRY;
		text_set(out->why, sizeof(out->why), _("the server's reply cannot be read: %s"), why);
		return;
	}
	if (!out->rep.has_status) {
		out->v = V_RETRY;
		text_set(out->why, sizeof(out->why), _("the server's reply has no TrangThaiGui, so it says neither "
			 "yes nor no"));
		return;
	}
	if (out->rep.status != 0) {
		out->v = V_REFUSED;
		text_set(out->why, sizeof(out->why), _("the server refused it (TrangThaiGui %lld): %s"),
			 out->rep.status, out->rep.mota[0] ? out->rep.mota : _("(no description)"));
		return;
	}
	if (q->kind == REQ_LOGIN && !out->rep.token) {
		out->v = V_RETRY;
		text_set(out->why, sizeof(out->why), out->rep.token_bad ?
			 _("the login reply's token is not one loa can send back (too long, or bytes a header "
			   "cannot carry)") : _("the login reply has no token (NoiDung.Token)"));
		return;
	}
	out->v = V_OK;
}

static void result_done(struct result *r)
{
	if (r->have_rep)
		upstream_reply_done(&r->rep);
	r->have_rep = false;
}

/* The daemon's state for the ping; a daemon that does not answer is a
 * station that airs nothing. */
static void station_now(const struct config *cfg, struct upstream_station *s)
{
	char *reply = NULL;
	const char *body;

	memset(s, 0, sizeof(*s));
	if (control_request(cfg->socket_path, "status", &reply) < 0)
		return;
	body = strchr(reply, '\n');
	if (!strncmp(reply, "ok\n", 3) && body)
		upstream_station_parse(body + 1, strlen(body + 1), s);
	free(reply);
}

/* ---- the service ---- */

struct link {
	const struct config *cfg;
	const struct upstream_config *u;
	const char *version;
	struct db *db;
	CURLM *multi;
	struct req *req;          /* the request in flight, or NULL */
	bool trimmed;             /* memory given back since the last request */
	char *token;
	bool token_fresh;         /* no request has used it yet */
	int sfd, ifd;
	bool stop;

	struct outbox_entry cur;  /* the entry being sent */
	bool have_cur;
	bool queue_empty;         /* the last look found nothing */
	int64_t empty_at_id;      /* the newest outbox id then */
	int64_t wake_at;          /* mono ms: look at the outbox then; 0 = no */
	/* Accepted or rejected, but the database could not take the answer
	 * yet (a full disk): kept until it can, never sent again meanwhile. */
	bool settle_pending;
	bool settle_accepted;
	int settle_http;
	char *settle_reply;
	int64_t settle_at;

	int64_t next_ping;        /* mono ms */
	bool ping_due;
	int64_t next_poll;        /* mono ms: the next look for the province's schedules */
	bool poll_due;
	struct province_ack ack;  /* the acknowledgement being sent */
	bool have_ack;
	bool acks_maybe;          /* there may be schedules to acknowledge */
	struct province_refusal refusal; /* the refused audio being reported */
	bool have_refusal;
	bool refusals_maybe;      /* there may be refused audio to report */
	struct download *dl;      /* the audio being fetched, or NULL */
	bool dl_look;             /* there may be audio to fetch */
	int64_t dl_retry_at;      /* mono ms; 0 = now */
	int64_t dl_backoff_ms;
	unsigned char refused[SHA256_HEX]; /* the refusals last logged: each is said once */
	int64_t retry_at;         /* mono ms; 0 = not backing off */
	int64_t backoff_ms;
	char last_error[512];     /* as logged last, so a retry does not log it again */
	bool failing;
	int64_t noted_ok_at;      /* mono ms: last_ok_at last written */
	int64_t sent;             /* records accepted since the queue was last empty */
};

static void forget_token(struct link *l)
{
	if (l->token) {
		explicit_bzero(l->token, strlen(l->token));
		free(l->token);
	}
	l->token = NULL;
	l->token_fresh = false;
}

/* A request failed for a reason that may pass: back off, say it once. */
static void failed(struct link *l, const char *why)
{
	l->backoff_ms = upstream_backoff(l->backoff_ms);
	l->retry_at = time_mono_ms() + l->backoff_ms;
	if (!l->failing || strcmp(why, l->last_error)) {
		log_err(_("upstream: %s; trying again in %" PRId64 " s, then less and less often (at most every "
			  "%d min), nothing is skipped"), why, l->backoff_ms / 1000, UPSTREAM_BACKOFF_MAX_MS / 60000);
		snprintf(l->last_error, sizeof(l->last_error), "%s", why);
	}
	l->failing = true;
	if (db_writable(l->db))
		outbox_note(l->db, why, time_now_ms());
}

/* The server answered as asked. Its instant is written when the link
 * recovers and then at most once a minute: a backlog of a month drains
 * without a second commit per record. */
static void worked(struct link *l)
{
	int64_t now = time_mono_ms();
	bool was = l->failing;

	if (was)
		log_notice(_("upstream: the province's server answers again"));
	l->failing = false;
	l->backoff_ms = 0;
	l->retry_at = 0;
	l->last_error[0] = '\0';
	if (was || !l->noted_ok_at || now - l->noted_ok_at >= 60000) {
		outbox_note(l->db, NULL, time_now_ms());
		l->noted_ok_at = now;
	}
}

static void start(struct link *l, struct req *q)
{
	l->req = q;
	LIBCURL(curl_multi_add_handle)(l->multi, q->h);
}

static void start_login(struct link *l)
{
	char msg[512], *password = NULL;

	if (upstream_password(l->u, &password, msg, sizeof(msg)) < 0) {
		failed(l, msg);
		return;
	}
	start(l, req_new(l->u, l->version, REQ_LOGIN, l->u->path_login, upstream_login(l->u, password), NULL));
	explicit_bzero(password, strlen(password));
	free(password);
}

/* Records what the province said about the entry being sent. Returns
 * false when the database cannot take it now (kept, and tried again). */
static bool settle(struct link *l)
{
	int r = outbox_settle(l->db, &l->cur, l->settle_accepted, l->settle_http, l->settle_reply, l->settle_at);

	if (r < 0 && r != -EALREADY) {
		char why[512];

		text_set(why, sizeof(why), _("the province answered for ledger row %" PRId64 ", but the database "
			 "cannot record it yet (see above)"), l->cur.row.id);
		failed(l, why);
		return false;
	}
	l->settle_pending = false;
	free(l->settle_reply);
	l->settle_reply = NULL;
	if (l->settle_accepted)
		l->sent++;
	outbox_entry_done(&l->cur);
	l->have_cur = false;
	return true;
}

static void log_done(struct link *l, bool accepted, const struct result *res)
{
	l->settle_pending = true;
	l->settle_accepted = accepted;
	l->settle_http = (int)res->http;
	l->settle_reply = res->have_rep ? xstrdup(res->rep.kept) : NULL;
	l->settle_at = time_now_ms();
	if (!accepted)
		log_warn(_("upstream: ledger row %" PRId64 " (\"%s\", %s) is refused: %s; it stays in the outbox as "
			   "rejected (loa upstream status), and the rows after it go on"), l->cur.row.id,
			 l->cur.row.title ? l->cur.row.title : "", outcome_name(l->cur.row.outcome), res->why);
	settle(l);
}

/* The daemon re-reads the library and the province's items. */
static void tell_daemon(struct link *l)
{
	char *reply = NULL;

	if (control_request(l->cfg->socket_path, "changed", &reply) < 0)
		log_info(_("upstream: the daemon does not answer; it reads the province's items when it starts"));
	free(reply);
}

/* Logs the schedules LIST refuses, once: the same refusals at every
 * poll are said when they first come, not every poll_seconds. */
static void refusals(struct link *l, const struct upstream_schedules *list)
{
	struct sha256_ctx c;
	char hex[SHA256_HEX];

	sha256_init(&c);
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i].refused) {
			sha256_update(&c, strlen(list->items[i].id) + 1, (const uint8_t *)list->items[i].id);
			sha256_update(&c, strlen(list->items[i].why) + 1, (const uint8_t *)list->items[i].why);
		}
	sha256_finish_hex(&c, hex);
	if (!memcmp(hex, l->refused, SHA256_HEX))
		return;
	memcpy(l->refused, hex, SHA256_HEX);
	for (size_t i = 0; i < list->n; i++)
		if (list->items[i].refused)
			log_err(_("upstream: schedule %s is refused whole and not stored: %s"),
				list->items[i].id[0] ? list->items[i].id : "?", list->items[i].why);
}

/* What the province's schedules say, stored. */
static void schedules_read(struct link *l, const struct req *q)
{
	struct upstream_schedules list;
	char why[512], **ids;
	int64_t now = time_now_ms(), grace = (int64_t)l->cfg->grace_minutes * 60000;
	size_t n = 0;
	bool changed = false;
	int r;

	if (upstream_schedules_parse(q->reply ? q->reply : "", q->len, &list, why, sizeof(why)) < 0) {
		char msg[640];

		text_set(msg, sizeof(msg), _("the province's schedules cannot be read: %s"), why);
		failed(l, msg);
		return;
	}
	ids = xcalloc(list.n + 1, sizeof(*ids));
	refusals(l, &list);
	for (size_t i = 0; i < list.n; i++) {
		struct province_schedule *s = &list.items[i];

		/* A schedule refused (or cancelled) is still one the province
		 * lists: it is not gone. */
		if (s->id[0])
			ids[n++] = s->id;
		if (s->refused)
			continue;
		r = s->cancelled ? province_cancel(l->db, s->id, now) : province_store(l->db, s, now, grace);
		if (r < 0) {
			failed(l, _("the province's schedules cannot be stored (see above)"));
			break;
		}
		if (r == PROVINCE_SAME)
			continue;
		changed = true;
		if (r == PROVINCE_CANCELLED)
			log_notice(_("upstream: schedule %s was cancelled by the province; its items do not air"), s->id);
		else
			log_notice(_("upstream: schedule %s ('%s') %s: %zu bulletins, %zu instants"), s->id,
				   s->name ? s->name : "", r == PROVINCE_NEW ? _("stored") : _("changed"),
				   s->n_bulletins, s->n_instants);
	}
	r = province_sweep(l->db, ids, n, now);
	if (r > 0) {
		changed = true;
		log_notice(ngettext("upstream: %d schedule is no longer listed by the province; it is cancelled",
				    "upstream: %d schedules are no longer listed by the province; they are cancelled",
				    (unsigned long)r), r);
	}
	free(ids);
	upstream_schedules_done(&list);
	province_note_poll(l->db, now);
	if (changed) {
		l->acks_maybe = true;
		l->dl_look = true;
		l->dl_retry_at = 0;
		tell_daemon(l);
	}
}

/* The province took (or refused for good) the acknowledgement in hand. */
static void ack_done(struct link *l, bool accepted, const struct result *res)
{
	if (!accepted)
		log_warn(_("upstream: the acknowledgement of schedule %s is refused: %s; it is not sent again"),
			 l->ack.id, res->why);
	province_acked(l->db, l->ack.id, l->ack.cancelled, time_now_ms());
	province_ack_done(&l->ack);
	l->have_ack = false;
}

/* The province took (or refused for good) the report in hand. */
static void refusal_done(struct link *l, bool accepted, const struct result *res)
{
	if (!accepted)
		log_warn(_("upstream: the report of bulletin %s's refused audio is refused: %s; it is not sent again"),
			 l->refusal.id, res->why);
	province_reported(l->db, &l->refusal, time_now_ms());
	province_refusal_done(&l->refusal);
	l->have_refusal = false;
}

/* The request in flight ended with RES. */
static void finished(struct link *l, CURLcode res)
{
	struct req *q = l->req;
	struct result r;
	bool fresh = l->token_fresh;

	LIBCURL(curl_multi_remove_handle)(l->multi, q->h);
	l->req = NULL;
	judge(l->u, q, res, &r);
	if (q->kind != REQ_LOGIN)
		l->token_fresh = false;
	switch (r.v) {
	case V_OK:
		worked(l);
		if (q->kind == REQ_LOGIN) {
			forget_token(l);
			l->token = r.rep.token;
			r.rep.token = NULL;
			l->token_fresh = true;
		} else if (q->kind == REQ_LOG) {
			log_done(l, true, &r);
		} else if (q->kind == REQ_SCHEDULE) {
			schedules_read(l, q);
		} else if (q->kind == REQ_ACK) {
			ack_done(l, true, &r);
		} else if (q->kind == REQ_REJECT) {
			refusal_done(l, true, &r);
		}
		break;
	case V_UNAUTHORIZED:
		/* A token the server has just given and refuses at once would
		 * make a loop: that one waits like any failure. */
		forget_token(l);
		if (q->kind == REQ_LOGIN)
			goto refused;
		if (fresh)
			failed(l, r.why);
		break;
	case V_REFUSED:
	refused:
		if (q->kind == REQ_LOG) {
			worked(l);
			log_done(l, false, &r);
		} else if (q->kind == REQ_ACK) {
			worked(l);
			ack_done(l, false, &r);
		} else if (q->kind == REQ_REJECT) {
			worked(l);
			refusal_done(l, false, &r);
		} else if (q->kind == REQ_SCHEDULE) {
			failed(l, r.why);
		} else if (q->kind == REQ_LOGIN) {
			char why[640];

			text_set(why, sizeof(why), _("login as %s refused: %s; check upstream.username and the "
				 "password in %s"), l->u->username, r.why, l->u->password_file);
			failed(l, why);
		} else {
			log_warn(_("upstream: the status ping is refused: %s"), r.why);
		}
		break;
	case V_RETRY:
		failed(l, r.why);
		break;
	}
	result_done(&r);
	req_free(q);
}

/* Loads the next entry into l->cur; false when the queue is empty. */
static bool next_entry(struct link *l)
{
	int r;

	if (l->have_cur)
		return true;
	if (l->queue_empty)
		return false;
	r = outbox_next(l->db, &l->cur);
	if (r < 0) {
		failed(l, _("cannot read the outbox (see above)"));
		return false;
	}
	if (r == 0) {
		if (l->sent > 1)
			log_info(ngettext("upstream: %" PRId64 " record sent; the outbox is empty",
					  "upstream: %" PRId64 " records sent; the outbox is empty", (unsigned long)l->sent),
				 l->sent);
		l->sent = 0;
		l->queue_empty = true;
		outbox_last_id(l->db, &l->empty_at_id);
		return false;
	}
	l->have_cur = true;
	return true;
}

/* Starts whatever is next, if anything: nothing while backing off; a
 * login first when there is no token; a ping when due; else the next
 * record. */
static void work(struct link *l)
{
	struct upstream_station s;

	if (l->req || l->stop)
		return;
	/* The schedules keep their own interval through a backoff that
	 * failed records, pings or acknowledgements brought on: an emergency
	 * the province publishes is heard while its log path fails. Without
	 * a token the login's backoff holds. */
	if (l->poll_due && l->token && l->retry_at) {
		l->poll_due = false;
		start(l, req_new(l->u, l->version, REQ_SCHEDULE, l->u->path_schedule, NULL, l->token));
		return;
	}
	if (l->retry_at && time_mono_ms() < l->retry_at)
		return;
	l->retry_at = 0;
	if (l->settle_pending && !settle(l))
		return;
	if (!l->have_ack && l->acks_maybe) {
		int a = province_to_ack(l->db, &l->ack);

		l->have_ack = a > 0;
		l->acks_maybe = a != 0;
	}
	/* Only where the province takes such reports. */
	if (!l->have_refusal && l->refusals_maybe && l->u->path_schedule_reject) {
		int a = province_to_report(l->db, &l->refusal);

		l->have_refusal = a > 0;
		l->refusals_maybe = a != 0;
	}
	if (!l->ping_due && !l->poll_due && !l->have_ack && !l->have_refusal && !next_entry(l))
		return;
	if (!l->token) {
		start_login(l);
		return;
	}
	/* The schedules before the records: an emergency waits for no backlog. */
	if (l->poll_due) {
		l->poll_due = false;
		start(l, req_new(l->u, l->version, REQ_SCHEDULE, l->u->path_schedule, NULL, l->token));
		return;
	}
	if (l->have_ack) {
		start(l, req_new(l->u, l->version, REQ_ACK, l->ack.cancelled ? l->u->path_schedule_cancel :
				 l->u->path_schedule_ack, upstream_schedule_ack(l->u, &l->ack), l->token));
		return;
	}
	if (l->have_refusal) {
		start(l, req_new(l->u, l->version, REQ_REJECT, l->u->path_schedule_reject,
				 upstream_schedule_reject(l->u, &l->refusal), l->token));
		return;
	}
	if (l->ping_due) {
		l->ping_due = false;
		station_now(l->cfg, &s);
		start(l, req_new(l->u, l->version, REQ_PING, l->u->path_ping,
				 upstream_ping(l->u, &s, l->version, l->cfg->state_dir, time_now_ms()), l->token));
		return;
	}
	if (!next_entry(l))
		return;
	start(l, req_new(l->u, l->version, REQ_LOG, l->u->path_log, upstream_record(l->u, &l->cur), l->token));
}

/* Starts fetching the audio needed first, if any and none is being fetched. */
static void fetch(struct link *l)
{
	struct province_download d;
	char msg[512];
	int r;

	if (l->dl || !l->dl_look || l->stop || (l->dl_retry_at && time_mono_ms() < l->dl_retry_at))
		return;
	l->dl_retry_at = 0;
	r = province_next_download(l->db, &d);
	if (r <= 0) {
		l->dl_look = r < 0;
		if (r < 0)
			l->dl_retry_at = time_mono_ms() + 5000;
		return;
	}
	l->dl = upstream_download_new(l->cfg, &d, msg, sizeof(msg));
	if (!l->dl) {
		log_err(_("upstream: cannot fetch the audio of bulletin %s: %s"), d.id, msg);
		l->dl_retry_at = time_mono_ms() + 30000;
	} else {
		log_info(_("upstream: fetching the audio of bulletin %s from %s"), d.id, d.url);
		LIBCURL(curl_multi_add_handle)(l->multi, upstream_download_handle(l->dl));
	}
	province_download_done(&d);
}

static void fetched(struct link *l, CURLcode res)
{
	int r;

	LIBCURL(curl_multi_remove_handle)(l->multi, upstream_download_handle(l->dl));
	r = upstream_download_done(l->dl, (int)res, l->db, l->cfg);
	upstream_download_free(l->dl);
	l->dl = NULL;
	if (r == -EAGAIN) {
		l->dl_backoff_ms = upstream_backoff(l->dl_backoff_ms);
		if (l->dl_backoff_ms > 60000)
			l->dl_backoff_ms = 60000;
		l->dl_retry_at = time_mono_ms() + l->dl_backoff_ms;
	} else {
		l->dl_backoff_ms = 0;
		l->refusals_maybe = true;
		tell_daemon(l);
	}
	l->dl_look = true;
}

/* Something was written to the database: is there more to send? */
static void look(struct link *l)
{
	int64_t id;

	l->wake_at = 0;
	if (l->queue_empty && outbox_last_id(l->db, &id) == 0 && id != l->empty_at_id)
		l->queue_empty = false;
}

static void drain_inotify(struct link *l)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool wal = false;
	ssize_t n;

	while ((n = read(l->ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			if (ev->len && (!strcmp(ev->name, "loa.db-wal") || !strcmp(ev->name, "loa.db")))
				wal = true;
			p += sizeof(*ev) + ev->len;
		}
	}
	if (wal && !l->wake_at)
		l->wake_at = time_mono_ms() + WAKE_DELAY_MS;
}

static void drain_signals(struct link *l)
{
	struct signalfd_siginfo si;

	while (read(l->sfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			l->stop = true;
		/* An operator who has mended the network need not wait out
		 * a backoff of up to 10 min: try now, and look again. */
		if (si.ssi_signo == SIGUSR1) {
			log_info(_("upstream: SIGUSR1: trying again now"));
			l->retry_at = 0;
			l->queue_empty = false;
		}
	}
}

/* Milliseconds until the next thing to do, for curl_multi_poll. */
static int timeout_ms(const struct link *l, int64_t now)
{
	int64_t t = l->next_ping;

	if (l->wake_at && l->wake_at < t)
		t = l->wake_at;
	if (l->retry_at && l->retry_at < t)
		t = l->retry_at;
	if (l->next_poll < t)
		t = l->next_poll;
	if (l->dl_look && !l->dl && l->dl_retry_at < t)
		t = l->dl_retry_at;
	t -= now;
	if (t < 0)
		t = 0;
	return t > 24 * 3600 * 1000 ? 24 * 3600 * 1000 : (int)t;
}

static int link_init(struct link *l, char *msg, size_t msglen)
{
	sigset_t mask;
	int r;

	r = db_open(l->cfg->state_dir, DB_READ_WRITE, &l->db, msg, msglen);
	if (r < 0)
		return r;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	l->sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	l->ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (l->sfd < 0 || l->ifd < 0) {
		r = -errno;
		text_set(msg, msglen, _("cannot set up the link's loop: %s"), strerror(errno));
		return r;
	}
	/* The folder, not the file: the WAL may not exist yet, and is
	 * recreated when the last connection closes it. */
	if (inotify_add_watch(l->ifd, l->cfg->state_dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE) < 0) {
		r = -errno;
		text_set(msg, msglen, _("cannot watch %s for new rows: %s"), l->cfg->state_dir, strerror(errno));
		return r;
	}
	l->multi = LIBCURL(curl_multi_init)();
	if (!l->multi)
		abort();
	return 0;
}

static void link_done(struct link *l)
{
	if (l->req) {
		/* Cut off: not settled, so sent again by the next run. */
		LIBCURL(curl_multi_remove_handle)(l->multi, l->req->h);
		req_free(l->req);
	}
	if (l->dl) {
		/* Its partial file stays, for the next start to resume. */
		LIBCURL(curl_multi_remove_handle)(l->multi, upstream_download_handle(l->dl));
		upstream_download_free(l->dl);
	}
	if (l->multi)
		LIBCURL(curl_multi_cleanup)(l->multi);
	forget_token(l);
	if (l->have_cur)
		outbox_entry_done(&l->cur);
	province_ack_done(&l->ack);
	province_refusal_done(&l->refusal);
	free(l->settle_reply);
	if (l->sfd > 0)
		close(l->sfd);
	if (l->ifd > 0)
		close(l->ifd);
	db_close(l->db);
}

int upstream_run(const struct config *cfg, const char *version)
{
	struct link l = { .cfg = cfg, .u = cfg->upstream, .version = version, .sfd = -1, .ifd = -1 };
	char msg[1024], host[256];
	int r;

	if (libcurl_load(msg, sizeof(msg)) < 0) {
		log_err("upstream: %s", msg);
		return -EIO;
	}
	r = link_init(&l, msg, sizeof(msg));
	if (r < 0) {
		log_err("upstream: %s", msg);
		link_done(&l);
		return r;
	}
	log_notice(_("upstream: sending playbacks to %s as %s (device %s), a status ping every %d s"),
		   host_of(l.u->url, host, sizeof(host)), l.u->username, l.u->device_id, l.u->ping_seconds);
	l.ping_due = true;
	l.next_ping = time_mono_ms() + (int64_t)l.u->ping_seconds * 1000;
	l.poll_due = true;
	l.next_poll = time_mono_ms() + (int64_t)l.u->poll_seconds * 1000;
	l.acks_maybe = true;
	l.refusals_maybe = true;
	l.dl_look = true;
	while (!l.stop) {
		struct curl_waitfd extra[2] = {
			{ .fd = l.sfd, .events = CURL_WAIT_POLLIN },
			{ .fd = l.ifd, .events = CURL_WAIT_POLLIN },
		};
		int64_t now;
		int running, left, n;
		CURLMsg *m;

		work(&l);
		fetch(&l);
		if (l.stop)
			break;
		/* Nothing in flight, and the next ping maybe an hour away: what
		 * the drain left in SQLite's cache and malloc's free lists goes
		 * back to the system, once per idle spell, as the daemon does. */
		if (l.req)
			l.trimmed = false;
		else if (!l.trimmed) {
			sqlite3_db_release_memory(db_sqlite(l.db));
			malloc_trim(0);
			l.trimmed = true;
		}
		LIBCURL(curl_multi_poll)(l.multi, extra, 2, timeout_ms(&l, time_mono_ms()), &n);
		drain_signals(&l);
		if (l.stop)
			break;
		drain_inotify(&l);
		LIBCURL(curl_multi_perform)(l.multi, &running);
		while ((m = LIBCURL(curl_multi_info_read)(l.multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			if (l.req && m->easy_handle == l.req->h)
				finished(&l, m->data.result);
			else if (l.dl && m->easy_handle == upstream_download_handle(l.dl))
				fetched(&l, m->data.result);
		}
		now = time_mono_ms();
		if (l.wake_at && now >= l.wake_at)
			look(&l);
		if (now >= l.next_poll) {
			l.poll_due = true;
			l.next_poll = now + (int64_t)l.u->poll_seconds * 1000;
		}
		if (now >= l.next_ping) {
			l.ping_due = true;
			l.next_ping = now + (int64_t)l.u->ping_seconds * 1000;
			/* In case a wake-up was missed. */
			look(&l);
		}
	}
	if (l.req)
		log_info(_("upstream: stopping; the request in flight is sent again at the next start"));
	link_done(&l);
	return 0;
}

/* ---- loa upstream test ---- */

/* Sends Q and waits for its end; the verdict in OUT. */
static void perform(const struct upstream_config *u, struct req *q, struct result *out)
{
	judge(u, q, LIBCURL(curl_easy_perform)(q->h), out);
}

static void say_reply(FILE *f, const char *what, const char *url, const struct result *r)
{
	fprintf(f, _("%s: %s: HTTP %ld"), what, url, r->http);
	if (r->have_rep && r->rep.has_status)
		fprintf(f, ", TrangThaiGui %lld", r->rep.status);
	if (r->have_rep && r->rep.mota[0])
		fprintf(f, ", MoTa \"%s\"", r->rep.mota);
	fputc('\n', f);
}

int upstream_test(const struct config *cfg, const char *version, FILE *out, char *msg, size_t msglen)
{
	const struct upstream_config *u = cfg->upstream;
	struct upstream_station s;
	struct result r = { 0 };
	char *password = NULL, *token = NULL;
	struct req *q;
	int ret = -EIO;

	if (upstream_password(u, &password, msg, msglen) < 0)
		return -EINVAL;
	if (libcurl_load(msg, msglen) < 0) {
		explicit_bzero(password, strlen(password));
		free(password);
		return -EIO;
	}
	q = req_new(u, version, REQ_LOGIN, u->path_login, upstream_login(u, password), NULL);
	explicit_bzero(password, strlen(password));
	free(password);
	perform(u, q, &r);
	if (r.v == V_OK || r.http)
		say_reply(out, _("login"), q->url, &r);
	if (r.v != V_OK) {
		if (r.v == V_REFUSED || r.v == V_UNAUTHORIZED)
			text_set(msg, msglen, _("login as %s refused: %s; check upstream.username and the password in %s"),
				 u->username, r.why, u->password_file);
		else
			text_set(msg, msglen, _("login: %s"), r.why);
		goto out;
	}
	token = r.rep.token;
	r.rep.token = NULL;
	result_done(&r);
	req_free(q);

	station_now(cfg, &s);
	q = req_new(u, version, REQ_PING, u->path_ping,
		    upstream_ping(u, &s, version, cfg->state_dir, time_now_ms()), token);
	perform(u, q, &r);
	if (r.http)
		say_reply(out, _("ping"), q->url, &r);
	if (r.v != V_OK) {
		text_set(msg, msglen, _("ping: %s"), r.why);
		goto out;
	}
	ret = 0;
out:
	result_done(&r);
	req_free(q);
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	return ret;
}
