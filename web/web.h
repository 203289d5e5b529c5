/* The web console's server: one request as every handler sees it, the
 * answers it may give (each with the same security headers), the
 * session and the database connections. `loa web` runs it as a process of
 * its own that reaches the daemon only over the control socket, so
 * nothing here can stop a broadcast.
 *
 * Threads: libmicrohttpd runs one thread per connection, so a slow client
 * (or an upload being decoded) holds only its own thread. SQLite
 * connections are opened with SQLITE_OPEN_NOMUTEX, so none is shared
 * unguarded: every request that reads opens its own read-only connection
 * (cheap, and under WAL it reads beside the daemon and the other requests
 * without waiting), and everything that writes goes through the one
 * read-write connection opened at start, under a mutex. One writer
 * because SQLite takes one writer at a time anyway, and because a
 * read-write open checks every page of the file first (seconds on a
 * large ledger), which must not happen per request. */
#ifndef LOA_WEB_H
#define LOA_WEB_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "auth/auth.h"
#include "config/config.h"
#include "web/words.h"

struct db;
struct json_t; /* jansson's; its names clash with util/json.h's writer */
struct web_route;
struct web_upload;
struct throttle;

/* The largest JSON or form body taken into memory; uploads stream to disk. */
#define WEB_BODY_MAX (64 * 1024)

/* A config as loaded (loa.conf's slots only), shared by the requests that
 * began under it: SIGHUP loads a new one, and the old one goes when its
 * last request ends. */
struct web_conf {
	struct config *cfg;
	int refs;                  /* requests, and the server while it is the current one */
	bool owned;                /* loaded here (the first is the caller's) */
};

struct web_srv {
	struct web_conf *conf;     /* the current config, under conf_lock */
	pthread_mutex_t conf_lock;
	struct db *wdb;            /* the one read-write connection */
	pthread_mutex_t wlock;     /* guards wdb */
	bool tls;                  /* serving HTTPS */
	bool loopback;             /* listening on 127.0.0.0/8 or ::1 only */
	struct throttle *throttle; /* failed logins */
};

/* A form field or a query parameter. */
struct web_field {
	char *name, *value;
};

struct web_fields {
	struct web_field *v;
	size_t n, cap;
};

enum web_body { WEB_BODY_NONE, WEB_BODY_JSON, WEB_BODY_FORM, WEB_BODY_MULTIPART };

struct web_req {
	struct web_srv *srv;
	const struct config *conf; /* the config in force when the request began */
	struct web_conf *conf_ref;
	struct MHD_Connection *conn;
	const struct web_route *route;
	const char *method, *path;
	char *arg;                 /* the route's variable segment ({id}, {name}), or NULL */
	int64_t id;                /* {id} as a number */
	enum web_lang lang;
	char addr[64];             /* the client's address, for the audit trail and the throttle */
	bool have_session;
	struct auth_session sess;
	char token[AUTH_TOKEN_HEX]; /* the session cookie as sent */
	bool csrf_checked;         /* the header's token matched already */
	struct db *rdb;            /* this request's read-only connection (web_rdb) */
	bool rdb_tried;
	struct config *cfg;        /* the config with the database's slots (web_station) */
	/* The body. */
	enum web_body body_kind;
	char *body;
	size_t body_len;
	bool too_big;
	struct web_fields form;    /* a form's or multipart's fields */
	struct json_t *json;       /* a JSON body, parsed (jansson) */
	struct web_upload *upload; /* multipart files */
	struct MHD_PostProcessor *pp;
	char *set_cookie;          /* a Set-Cookie for the answer, or NULL */
	const char *csp;           /* the answer's Content-Security-Policy, when not the console's */
	bool answered;             /* a response was queued (or refused: see queued) */
	bool queued;               /* libmicrohttpd took it: false while a body is half read */
};

/* Serves the console for CFG until SIGTERM or SIGINT; SIGHUP reads CFG's
 * file again (what needs a restart is said, and kept). Returns 0, or a
 * negative errno after saying why on stderr. */
int web_run(const struct config *cfg);

/* Answers. Each adds the security headers; web_send takes BODY (malloc'd). */
void web_send(struct web_req *r, unsigned status, const char *type, char *body, size_t len);
/* An error as the route expects it: {"error": CODE, "message": TEXT} for
 * the API, a page for people otherwise. */
void web_error(struct web_req *r, unsigned status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* 303 See Other to LOCATION (a local path), with SET_COOKIE when not NULL. */
void web_redirect(struct web_req *r, const char *location, const char *set_cookie);
/* A response object with the security headers on, for handlers that build
 * their own (files, ranges); queue it with web_queue. */
void web_headers(struct web_req *r, struct MHD_Response *resp);
void web_queue(struct web_req *r, unsigned status, struct MHD_Response *resp);

/* A growing text buffer that a FILE * writes into (open_memstream). */
struct web_buf {
	char *p;
	size_t n;
	FILE *f;
};
void web_buf_open(struct web_buf *b);
/* Closes the stream; b->p and b->n hold the text (caller frees b->p). */
void web_buf_close(struct web_buf *b);

/* This request's read-only connection, opened on first use; NULL when
 * the database cannot be read (logged). */
struct db *web_rdb(struct web_req *r);
/* The read-write connection, locked; every call pairs with web_wdb_unlock. */
struct db *web_wdb_lock(struct web_srv *s);
void web_wdb_unlock(struct web_srv *s);
/* The station's config with the database's slots merged (what the daemon
 * airs), for this request; NULL when the database cannot be read. */
const struct config *web_station(struct web_req *r);

/* A query parameter (decoded), or NULL. */
const char *web_query(struct web_req *r, const char *name);
/* A form field of the body, or NULL; web_form_next walks repeated ones
 * from index *I. */
const char *web_form(const struct web_req *r, const char *name);
const char *web_form_next(const struct web_req *r, const char *name, size_t *i);
/* A field from the JSON body or, for a form, the form. */
const char *web_param(const struct web_req *r, const char *name);
void web_fields_add(struct web_fields *f, const char *name, size_t nlen, const char *value, size_t vlen);
void web_fields_done(struct web_fields *f);
/* Parses an application/x-www-form-urlencoded text into F. */
void web_fields_parse(struct web_fields *f, const char *s, size_t len);

/* The session's account name (the actor), or NULL. */
const char *web_actor(const struct web_req *r);
/* True when the route is part of the JSON API. */
bool web_is_api(const struct web_req *r);
/* This request's word W in its language. */
#define T(r, w) web_word((r)->lang, (w))

#endif
