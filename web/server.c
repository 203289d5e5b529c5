/* See web.h. The life of a request: on its headers the route is found,
 * the session read, auth_allows() asked for the route's action and the
 * CSRF header checked, so a refused request is answered before its body
 * is taken; the body is then read (a JSON or form body into memory up to
 * WEB_BODY_MAX, an upload to disk); at its end a form's CSRF field is
 * checked and the handler runs. */
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "content/jingle.h"
#include "content/slots.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/notify.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"
#include "web/html.h"
#include "web/libmhd.h"
#include "web/pages.h"
#include "web/router.h"
#include "web/throttle.h"
#include "web/upload.h"

/* Script only from the console's own file, no inline script or style,
 * media and pictures only from here, never framed. */
#define CSP "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	    "media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

/* Limits that keep one client, slow or flooding, from taking the console
 * away from the others: threads are per connection, so these bound them. */
#define CONN_LIMIT 64
#define CONN_PER_IP 16
#define CONN_TIMEOUT_S 60
/* Per connection: the request line and headers must fit here (a larger
 * head is answered 431), and the body is read through it. */
#define CONN_MEMORY (64 * 1024)

void web_buf_open(struct web_buf *b)
{
	b->p = NULL;
	b->n = 0;
	b->f = open_memstream(&b->p, &b->n);
	if (!b->f)
		abort(); /* only out of memory */
}

void web_buf_close(struct web_buf *b)
{
	fclose(b->f);
	b->f = NULL;
}

bool web_is_api(const struct web_req *r)
{
	return r->route ? (r->route->flags & ROUTE_API) != 0 : strncmp(r->path, "/api/", 5) == 0;
}

const char *web_actor(const struct web_req *r)
{
	return r->have_session ? r->sess.account.name : NULL;
}

void web_headers(struct web_req *r, struct MHD_Response *resp)
{
	LIBMHD(MHD_add_response_header)(resp, "Content-Security-Policy", r->csp ? r->csp : CSP);
	LIBMHD(MHD_add_response_header)(resp, "X-Content-Type-Options", "nosniff");
	LIBMHD(MHD_add_response_header)(resp, "Referrer-Policy", "no-referrer");
	LIBMHD(MHD_add_response_header)(resp, "X-Frame-Options", "DENY");
	if (!LIBMHD(MHD_get_response_header)(resp, "Cache-Control"))
		LIBMHD(MHD_add_response_header)(resp, "Cache-Control", "no-store");
	if (r->set_cookie)
		LIBMHD(MHD_add_response_header)(resp, "Set-Cookie", r->set_cookie);
}

void web_queue(struct web_req *r, unsigned status, struct MHD_Response *resp)
{
	if (r->answered) {
		LIBMHD(MHD_destroy_response)(resp);
		return;
	}
	web_headers(r, resp);
	r->queued = LIBMHD(MHD_queue_response)(r->conn, status, resp) == MHD_YES;
	LIBMHD(MHD_destroy_response)(resp);
	r->answered = true;
}

void web_send(struct web_req *r, unsigned status, const char *type, char *body, size_t len)
{
	struct MHD_Response *resp = LIBMHD(MHD_create_response_from_buffer)(len, body, MHD_RESPMEM_MUST_FREE);

	LIBMHD(MHD_add_response_header)(resp, "Content-Type", type);
	web_queue(r, status, resp);
}

void web_error(struct web_req *r, unsigned status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (web_is_api(r)) {
		json_t *o = json_pack("{s:s, s:s}", "error", code, "message", msg);
		char *text = json_dumps(o, JSON_COMPACT);

		json_decref(o);
		web_send(r, status, "application/json", text, strlen(text));
		return;
	}
	page_error(r, status, msg);
}

void web_redirect(struct web_req *r, const char *location, const char *set_cookie)
{
	struct MHD_Response *resp = LIBMHD(MHD_create_response_from_buffer)(0, (void *)"", MHD_RESPMEM_PERSISTENT);

	LIBMHD(MHD_add_response_header)(resp, "Location", location);
	if (set_cookie)
		LIBMHD(MHD_add_response_header)(resp, "Set-Cookie", set_cookie);
	web_queue(r, MHD_HTTP_SEE_OTHER, resp);
}

struct db *web_rdb(struct web_req *r)
{
	char msg[1024];

	if (r->rdb || r->rdb_tried)
		return r->rdb;
	r->rdb_tried = true;
	if (db_open(r->conf->state_dir, DB_READ_ONLY, &r->rdb, msg, sizeof(msg)) < 0) {
		log_err("web: %s", msg);
		r->rdb = NULL;
	}
	return r->rdb;
}

struct db *web_wdb_lock(struct web_srv *s)
{
	pthread_mutex_lock(&s->wlock);
	return s->wdb;
}

void web_wdb_unlock(struct web_srv *s)
{
	pthread_mutex_unlock(&s->wlock);
}

const struct config *web_station(struct web_req *r)
{
	struct db *db;

	if (r->cfg)
		return r->cfg;
	db = web_rdb(r);
	if (!db)
		return NULL;
	r->cfg = config_dup(r->conf);
	if (slots_merge(r->cfg, db) < 0) {
		log_err("web: cannot read the slots from %s/loa.db", r->conf->state_dir);
		config_free(r->cfg);
		r->cfg = NULL;
	}
	return r->cfg;
}

const char *web_query(struct web_req *r, const char *name)
{
	return LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void web_fields_add(struct web_fields *f, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct web_field *e;

	xgrow(&f->v, &f->cap, f->n + 1, sizeof(*f->v));
	e = &f->v[f->n++];
	e->name = xmalloc(nlen + 1);
	memcpy(e->name, name, nlen);
	e->name[nlen] = '\0';
	e->value = xmalloc(vlen + 1);
	memcpy(e->value, value, vlen);
	e->value[vlen] = '\0';
}

void web_fields_done(struct web_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].name);
		free(f->v[i].value);
	}
	free(f->v);
	*f = (struct web_fields){ 0 };
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decoding in place, '+' as a space; returns the new length. */
static size_t form_decode(char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			s[o++] = ' ';
		} else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			s[o++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			s[o++] = s[i];
		}
	}
	return o;
}

void web_fields_parse(struct web_fields *f, const char *s, size_t len)
{
	const char *p = s, *end = s + len;

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
		size_t n = amp ? (size_t)(amp - p) : (size_t)(end - p), kn, vn;
		char *pair;

		if (n) {
			pair = xmalloc(n + 1);
			memcpy(pair, p, n);
			pair[n] = '\0';
			eq = memchr(pair, '=', n);
			kn = eq ? (size_t)(eq - pair) : n;
			vn = eq ? n - kn - 1 : 0;
			kn = form_decode(pair, kn);
			vn = eq ? form_decode(pair + (eq - pair) + 1, vn) : 0;
			web_fields_add(f, pair, kn, eq ? pair + (eq - pair) + 1 : "", vn);
			free(pair);
		}
		p += n + 1;
	}
}

const char *web_form_next(const struct web_req *r, const char *name, size_t *i)
{
	for (; *i < r->form.n; (*i)++)
		if (strcmp(r->form.v[*i].name, name) == 0)
			return r->form.v[(*i)++].value;
	return NULL;
}

const char *web_form(const struct web_req *r, const char *name)
{
	size_t i = 0;

	return web_form_next(r, name, &i);
}

const char *web_param(const struct web_req *r, const char *name)
{
	if (r->json) {
		json_t *v = json_object_get(r->json, name);

		return json_is_string(v) ? json_string_value(v) : NULL;
	}
	return web_form(r, name);
}

static void client_address(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci = LIBMHD(MHD_get_connection_info)(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(r->addr, sizeof(r->addr), "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->addr, sizeof(r->addr));
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, r->addr,
			  sizeof(r->addr));
}

/* The session of the request's cookie, if it is a live one. */
static void read_session(struct web_req *r)
{
	const char *c = LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_COOKIE_KIND, "loa_session");
	struct db *db;

	if (!c || strlen(c) != AUTH_TOKEN_HEX - 1)
		return;
	memcpy(r->token, c, AUTH_TOKEN_HEX);
	db = web_rdb(r);
	if (db && auth_session_get(db, r->token, time_now_ms(), &r->sess) == 0)
		r->have_session = true;
}

static bool content_type_is(struct web_req *r, const char *want)
{
	const char *ct = LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* 413, naming the limit; whatever was stored of the body is gone. */
static void upload_too_big(struct web_req *r)
{
	char m[512], mb[16];

	snprintf(mb, sizeof(mb), "%d", r->conf->web.max_upload_mb);
	web_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large", "%s", web_say(m, sizeof(m), r->lang, W_E_TOO_BIG, mb));
}

/* On the request's headers: route, session, permission, CSRF header,
 * and how the body will be read. Answers when the request ends here. */
static void begin(struct web_req *r)
{
	const char *lang = LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_COOKIE_KIND, "lang");
	const char *len_text = LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_HEADER_KIND,
							   MHD_HTTP_HEADER_CONTENT_LENGTH);
	uint64_t len = len_text ? strtoull(len_text, NULL, 10) : 0;
	bool wrong_method = false;
	const char *csrf;

	r->lang = lang && strcmp(lang, "en") == 0 ? WEB_EN : WEB_VI;
	client_address(r);
	r->route = router_match(r->method, r->path, &r->arg, &r->id, &wrong_method);
	if (!r->route) {
		if (wrong_method)
			web_error(r, MHD_HTTP_METHOD_NOT_ALLOWED, "method-not-allowed", "%s", T(r, W_E_METHOD));
		else
			web_error(r, MHD_HTTP_NOT_FOUND, "not-found", "%s", T(r, W_E_NOT_FOUND));
		return;
	}
	read_session(r);
	if (!(r->route->flags & ROUTE_PUBLIC)) {
		if (!r->have_session) {
			if (web_is_api(r)) {
				web_error(r, MHD_HTTP_UNAUTHORIZED, "not-logged-in", "%s", T(r, W_E_LOGIN_FIRST));
			} else {
				/* Back here after the login; the path encoded, so that
				 * no byte of it can end the header. */
				struct web_buf to;

				web_buf_open(&to);
				fputs("/login?next=", to.f);
				html_url(to.f, r->path);
				web_buf_close(&to);
				web_redirect(r, strcmp(r->method, "GET") == 0 ? to.p : "/login", NULL);
				free(to.p);
			}
			return;
		}
		if (!auth_allows(r->sess.account.role, r->route->action)) {
			web_error(r, MHD_HTTP_FORBIDDEN, "forbidden", "%s", T(r, W_E_FORBIDDEN));
			return;
		}
	}
	if (router_changes(r->method) && !(r->route->flags & ROUTE_NO_CSRF)) {
		csrf = LIBMHD(MHD_lookup_connection_value)(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (csrf) {
			if (!r->have_session || !auth_csrf_ok(&r->sess, csrf)) {
				web_error(r, MHD_HTTP_FORBIDDEN, "csrf", "%s", T(r, W_E_CSRF));
				return;
			}
			r->csrf_checked = true;
		} else if (r->route->body != WEB_BODY_FORM && r->route->body != WEB_BODY_MULTIPART) {
			web_error(r, MHD_HTTP_FORBIDDEN, "csrf", "%s", T(r, W_E_CSRF));
			return;
		}
	}
	switch (r->route->body) {
	case WEB_BODY_MULTIPART:
		/* What a form adds around the files is small: the limit is the files'. */
		if (len > (uint64_t)r->conf->web.max_upload_mb * 1024 * 1024 + WEB_BODY_MAX) {
			upload_too_big(r);
			return;
		}
		if (!content_type_is(r, "multipart/form-data") || upload_begin(r) < 0) {
			web_error(r, MHD_HTTP_BAD_REQUEST, "invalid", "%s", T(r, W_E_MULTIPART));
			return;
		}
		r->body_kind = WEB_BODY_MULTIPART;
		break;
	case WEB_BODY_JSON:
	case WEB_BODY_FORM:
		if (len > WEB_BODY_MAX) {
			web_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large", "%s", T(r, W_E_BODY_TOO_BIG));
			return;
		}
		if (content_type_is(r, "application/x-www-form-urlencoded"))
			r->body_kind = WEB_BODY_FORM;
		else if (r->route->body == WEB_BODY_JSON)
			r->body_kind = WEB_BODY_JSON;
		else
			r->body_kind = WEB_BODY_FORM;
		break;
	case WEB_BODY_NONE:
		break;
	}
}

static void feed(struct web_req *r, const char *data, size_t n)
{
	if (r->body_kind == WEB_BODY_MULTIPART) {
		upload_feed(r, data, n);
		if (r->upload->too_big)
			upload_too_big(r);
		return;
	}
	if (r->body_kind == WEB_BODY_NONE || r->too_big)
		return;
	if (r->body_len + n > WEB_BODY_MAX) {
		r->too_big = true;
		free(r->body);
		r->body = NULL;
		web_error(r, MHD_HTTP_CONTENT_TOO_LARGE, "too-large", "%s", T(r, W_E_BODY_TOO_BIG));
		return;
	}
	r->body = xrealloc(r->body, r->body_len + n + 1);
	memcpy(r->body + r->body_len, data, n);
	r->body_len += n;
	r->body[r->body_len] = '\0';
}

/* The body is in: parse it, check a form's CSRF field, run the handler. */
static void finish(struct web_req *r)
{
	const char *csrf;

	if (r->body_kind == WEB_BODY_MULTIPART) {
		upload_end(r);
		if (r->upload->err) {
			web_error(r, r->upload->err == -EINVAL || r->upload->err == -E2BIG ? MHD_HTTP_BAD_REQUEST :
				  MHD_HTTP_INTERNAL_SERVER_ERROR, "invalid", "%s", T(r, W_E_UPLOAD_FAILED));
			return;
		}
	} else if (r->body_kind == WEB_BODY_JSON && r->body_len) {
		json_error_t err;

		r->json = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
		if (!json_is_object(r->json)) {
			char m[512];

			web_error(r, MHD_HTTP_BAD_REQUEST, "invalid", "%s",
				  web_say(m, sizeof(m), r->lang, W_E_JSON, err.text));
			return;
		}
	} else if (r->body_kind == WEB_BODY_FORM && r->body_len) {
		web_fields_parse(&r->form, r->body, r->body_len);
	}
	if (router_changes(r->method) && !(r->route->flags & ROUTE_NO_CSRF) && !r->csrf_checked) {
		csrf = web_form(r, "csrf");
		if (!csrf || !r->have_session || !auth_csrf_ok(&r->sess, csrf)) {
			web_error(r, MHD_HTTP_FORBIDDEN, "csrf", "%s", T(r, W_E_CSRF));
			return;
		}
	}
	r->route->handler(r);
	if (!r->answered)
		web_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "internal", "%s", T(r, W_E_INTERNAL));
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct web_req *r = *con_cls;

	(void)version;
	if (!r) {
		struct web_srv *s = cls;

		r = xcalloc(1, sizeof(*r));
		r->srv = s;
		pthread_mutex_lock(&s->conf_lock);
		r->conf_ref = s->conf;
		r->conf_ref->refs++;
		pthread_mutex_unlock(&s->conf_lock);
		r->conf = r->conf_ref->cfg;
		r->conn = conn;
		r->method = method;
		r->path = url;
		*con_cls = r;
		begin(r);
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (!r->answered)
			feed(r, upload_data, *upload_data_size);
		*upload_data_size = 0;
		/* libmicrohttpd takes an answer only before the body or after all
		 * of it. A body found too large half-way (one sent without its
		 * length) is cut off here instead of being read to its end. */
		return r->answered && !r->queued ? MHD_NO : MHD_YES;
	}
	if (!r->answered)
		finish(r);
	return MHD_YES;
}

/* Drops a reference to C; the last one frees a config loaded here. */
static void conf_release(struct web_srv *s, struct web_conf *c)
{
	bool last;

	pthread_mutex_lock(&s->conf_lock);
	last = --c->refs == 0;
	pthread_mutex_unlock(&s->conf_lock);
	if (last) {
		if (c->owned)
			config_free(c->cfg);
		free(c);
	}
}

/* URLs and query values decoded as libmicrohttpd decodes them, except
 * %00: a NUL would end the C string early, so "/api/v1/bulletins/1%00/x"
 * would reach the routes as "/api/v1/bulletins/1" and a value would be
 * cut short unseen. Left as it came, it matches no route (404) and is no
 * valid id or value. */
static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20; /* A-F as a-f */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *w = s;

	(void)cls;
	(void)conn;
	for (const char *p = s; *p; p++) {
		int hi = p[0] == '%' ? hex_digit(p[1]) : -1, lo = hi >= 0 ? hex_digit(p[2]) : -1;

		if (lo >= 0 && (hi | lo)) {
			*w++ = (char)(hi << 4 | lo);
			p += 2;
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct web_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)why;
	if (!r)
		return;
	if (r->pp)
		LIBMHD(MHD_destroy_post_processor)(r->pp);
	upload_free(r->upload);
	web_fields_done(&r->form);
	json_decref(r->json);
	free(r->body);
	free(r->arg);
	free(r->set_cookie);
	if (r->rdb)
		db_close(r->rdb);
	config_free(r->cfg);
	conf_release(r->srv, r->conf_ref);
	free(r);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	(void)cls;
	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	log_warn("web: %s", line);
}

/* A PEM file, whole, for libmicrohttpd (which takes them in memory). */
static char *read_pem(const char *path, const char *what)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0) {
		fprintf(stderr, _("loa web: cannot read the %s %s: %s%s\n"), what, path, strerror(errno),
			errno == EACCES ? _("; it must be readable by the user loa runs as (e.g. chgrp loa, "
					    "chmod 0640)") : "");
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || st.st_size > 1024 * 1024) {
		fprintf(stderr, _("loa web: the %s %s is not a PEM file (empty, too large or not a regular "
				  "file); make one as loa.conf(5) shows\n"), what, path);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		fprintf(stderr, _("loa web: cannot read the %s %s\n"), what, path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* SIGHUP: loa.conf read again, as the daemon does on `systemctl reload
 * loa` (loa-web's unit follows its reloads). A config with a problem is
 * refused and the one in force stays. What the console opened at start
 * (the state folder, the time zone, the address, the certificate) needs
 * a restart: a config changing the first two is refused, the others are
 * noted and take effect at the next start. */
static void reload(struct web_srv *s)
{
	const struct config *now = s->conf->cfg;
	struct strlist errs = { 0 };
	struct web_conf *c, *old;
	struct config *cfg;

	notify_reloading();
	if (config_load(now->path, &cfg, &errs) < 0 || jingle_probe_config(cfg, &errs) < 0) {
		for (size_t i = 0; i < errs.n; i++)
			log_err("web: %s", errs.v[i]);
		log_err("web: %s has problems; the console keeps the config it had", now->path);
		strlist_done(&errs);
		notify_ready();
		return;
	}
	strlist_done(&errs);
	if (strcmp(cfg->state_dir, now->state_dir) != 0 || strcmp(cfg->timezone, now->timezone) != 0) {
		log_err("web: %s changes paths.state_dir or station.timezone; restart the console to use it "
			"(systemctl restart loa-web); it keeps the config it had", now->path);
		config_free(cfg);
		notify_ready();
		return;
	}
	if (!same_text(cfg->web.host, now->web.host) || cfg->web.port != now->web.port ||
	    !same_text(cfg->web.tls_cert, now->web.tls_cert) || !same_text(cfg->web.tls_key, now->web.tls_key))
		log_notice("web: web.listen, web.tls_cert and web.tls_key take effect at the next start "
			   "(systemctl restart loa-web)");
	c = xcalloc(1, sizeof(*c));
	c->cfg = cfg;
	c->owned = true;
	c->refs = 1;
	pthread_mutex_lock(&s->conf_lock);
	old = s->conf;
	s->conf = c;
	pthread_mutex_unlock(&s->conf_lock);
	/* The old one keeps serving the requests that began under it. */
	conf_release(s, old);
	log_notice("web: %s read again", cfg->path);
	notify_ready();
}

int web_run(const struct config *cfg)
{
	struct web_srv srv = { 0 };
	struct sockaddr_storage ss = { 0 };
	struct MHD_OptionItem opts[16];
	struct MHD_Daemon *d;
	char msg[1024], *cert = NULL, *key = NULL;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
			 MHD_USE_ERROR_LOG;
	sigset_t set;
	int n = 0, sig, err;
	bool v6 = strchr(cfg->web.host, ':') != NULL;

	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)cfg->web.port);
		inet_pton(AF_INET6, cfg->web.host, &a->sin6_addr);
		srv.loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)cfg->web.port);
		inet_pton(AF_INET, cfg->web.host, &a->sin_addr);
		srv.loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	if (cfg->web.tls_cert) {
		cert = read_pem(cfg->web.tls_cert, _("certificate"));
		key = cert ? read_pem(cfg->web.tls_key, _("private key")) : NULL;
		if (!key) {
			free(cert);
			return -EINVAL;
		}
		srv.tls = true;
		flags |= MHD_USE_TLS;
	}
	if (libmhd_load(msg, sizeof(msg)) < 0) {
		fprintf(stderr, "loa web: %s\n", msg);
		err = -EIO;
		goto out;
	}
	if (auth_init() < 0) {
		fprintf(stderr, _("loa web: the password library (libsodium) cannot start\n"));
		err = -EIO;
		goto out;
	}
	/* The console writes through one connection; opening it creates and
	 * upgrades the database, as `loa import` would. */
	if ((err = db_open(cfg->state_dir, DB_READ_WRITE, &srv.wdb, msg, sizeof(msg))) < 0) {
		fprintf(stderr, "loa web: %s\n", msg);
		goto out;
	}
	upload_sweep(cfg->state_dir);
	pthread_mutex_init(&srv.wlock, NULL);
	pthread_mutex_init(&srv.conf_lock, NULL);
	/* The caller's config, not freed here. */
	srv.conf = xcalloc(1, sizeof(*srv.conf));
	srv.conf->cfg = (struct config *)cfg;
	srv.conf->refs = 1;
	srv.throttle = throttle_new();

	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_SOCK_ADDR, 0, &ss };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, CONN_LIMIT, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, CONN_PER_IP, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, CONN_TIMEOUT_S, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_MEMORY_LIMIT, CONN_MEMORY, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL };
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)on_unescape, NULL };
	if (srv.tls) {
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, cert };
		opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, key };
	}
	opts[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

	/* The signals are taken here, by sigwait, never by libmicrohttpd's
	 * threads, which inherit this mask. A client that goes away while its
	 * answer is written must not end the console. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = LIBMHD(MHD_start_daemon)(flags, (uint16_t)cfg->web.port, NULL, NULL, on_request, &srv, MHD_OPTION_ARRAY, opts,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, _("loa web: cannot listen on %s%s%s:%d (web.listen): the port is taken by another "
				  "program, needs privileges (under 1024), or the address is not this box's\n"),
			v6 ? "[" : "", cfg->web.host, v6 ? "]" : "", cfg->web.port);
		err = -EADDRINUSE;
		goto out;
	}
	log_notice("web: the console is at %s://%s%s%s:%d/%s", srv.tls ? "https" : "http", v6 ? "[" : "",
		   cfg->web.host, v6 ? "]" : "", cfg->web.port,
		   srv.tls || srv.loopback ? "" : " (plain HTTP: passwords cross the network in clear)");
	notify_ready();
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			sig = SIGTERM;
		if (sig != SIGHUP)
			break;
		reload(&srv);
	}
	notify_stopping();
	LIBMHD(MHD_stop_daemon)(d);
	err = 0;
out:
	if (srv.wdb) {
		db_close(srv.wdb);
		pthread_mutex_destroy(&srv.wlock);
	}
	if (srv.conf) {
		conf_release(&srv, srv.conf);
		pthread_mutex_destroy(&srv.conf_lock);
	}
	throttle_free(srv.throttle);
	free(cert);
	free(key);
	return err;
}
