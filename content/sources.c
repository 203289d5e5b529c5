/* See sources.h. */
#include "content/sources.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "content/topic.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/text.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

void source_done(struct source *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->title);
	free(s->topic);
	free(s->capture);
	for (size_t i = 0; i < s->n_urls; i++)
		free(s->urls[i]);
	free(s->urls);
	memset(s, 0, sizeof(*s));
}

void source_copy(struct source *dst, const struct source *src)
{
	*dst = *src;
	dst->name = xstrdup_or_null(src->name);
	dst->title = xstrdup_or_null(src->title);
	dst->topic = xstrdup_or_null(src->topic);
	dst->capture = xstrdup_or_null(src->capture);
	dst->urls = src->n_urls ? xcalloc(src->n_urls, sizeof(*dst->urls)) : NULL;
	for (size_t i = 0; i < src->n_urls; i++)
		dst->urls[i] = xstrdup(src->urls[i]);
}

void sources_free(struct source *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		source_done(&v[i]);
	free(v);
}

const char *source_title(const struct source *s)
{
	return s->title ? s->title : s->name;
}

size_t source_n_inputs(const struct source *s)
{
	return s->capture ? 1 : s->n_urls;
}

const char *source_input(const struct source *s, size_t i)
{
	return s->capture ? s->capture : s->urls[i];
}

static void add_url(struct source *s, const char *url)
{
	s->urls = xrealloc(s->urls, (s->n_urls + 1) * sizeof(*s->urls));
	s->urls[s->n_urls++] = xstrdup(url);
}

static char *col_text(sqlite3_stmt *st, int i)
{
	return xstrdup_or_null((const char *)sqlite3_column_text(st, i));
}

int sources_load(struct db *db, struct source **out, size_t *n)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st = NULL;
	struct source *v = NULL;
	size_t len = 0, cap = 0;
	bool began;
	int rc;

	*out = NULL;
	*n = 0;
	/* The sources and their URLs from one snapshot. */
	began = sqlite3_get_autocommit(h) && sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
	if (sqlite3_prepare_v2(h, "SELECT name, title, topic, capture FROM sources ORDER BY name", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct source *s;

		xgrow(&v, &cap, len + 1, sizeof(*v));
		s = &v[len++];
		memset(s, 0, sizeof(*s));
		s->name = col_text(st, 0);
		s->title = col_text(st, 1);
		s->topic = col_text(st, 2);
		s->capture = col_text(st, 3);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE ||
	    sqlite3_prepare_v2(h, "SELECT source, url FROM source_urls ORDER BY source, pos", -1, &st, NULL) !=
		    SQLITE_OK)
		goto fail;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *url = (const char *)sqlite3_column_text(st, 1);

		for (size_t i = 0; name && url && i < len; i++)
			if (strcmp(v[i].name, name) == 0)
				add_url(&v[i], url);
	}
	sqlite3_finalize(st);
	st = NULL;
	if (rc != SQLITE_DONE)
		goto fail;
	if (began)
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	*out = v;
	*n = len;
	return 0;
fail:
	rc = db_fail(db, N_("reading the relay sources"));
	sqlite3_finalize(st);
	if (began)
		sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sources_free(v, len);
	return rc;
}

int sources_get(struct db *db, const char *name, struct source *out)
{
	struct source *v;
	size_t n;
	int r = -ENOENT;

	memset(out, 0, sizeof(*out));
	if (sources_load(db, &v, &n) < 0)
		return -EIO;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0) {
			*out = v[i];
			memset(&v[i], 0, sizeof(v[i]));
			r = 0;
		}
	sources_free(v, n);
	return r;
}

static bool name_ok(const char *s)
{
	size_t at;

	if (text_check(s, SOURCES_NAME_MAX, &at) != TEXT_OK)
		return false;
	/* Names travel in URLs (/api/v1/sources/NAME) and in commands. */
	return !strpbrk(s, " /\\?#%");
}

/* The streams FFmpeg reads for a relay come over HTTP: Icecast and
 * Shoutcast, and HLS playlists. Anything else (file:, a bare path, a
 * protocol FFmpeg would run a program for) is refused. */
static bool url_ok(const char *u)
{
	size_t at;

	if (text_check(u, SOURCES_URL_MAX, &at) != TEXT_OK || strpbrk(u, " "))
		return false;
	if (strncasecmp(u, "http://", 7) == 0)
		return u[7] && u[7] != '/';
	if (strncasecmp(u, "https://", 8) == 0)
		return u[8] && u[8] != '/';
	return false;
}

int sources_check(struct db *db, const struct source *s, bool adding, char *msg, size_t msglen)
{
	char q[TEXT_QUOTE_MAX];
	size_t at;

	if (!s->name || !name_ok(s->name)) {
		text_set(msg, msglen, _("source name '%s' is not a name loa takes: at most %d bytes of text, "
			 "without spaces, '/', '\\\\', '?', '#' or '%%', e.g. vov1 or dai-tinh"),
			 text_quote(s->name ? s->name : "", q), SOURCES_NAME_MAX);
		return -EINVAL;
	}
	if (s->capture && s->n_urls) {
		text_set(msg, msglen, _("give either --url (internet streams) or --capture (a receiver on the "
			 "line-in), not both; make two sources if the station has both"));
		return -EINVAL;
	}
	if (!s->capture && !s->n_urls) {
		text_set(msg, msglen, _("source '%s' needs --url URL (tried in order, the first preferred) or "
			 "--capture DEVICE (an ALSA capture device, e.g. hw:1 or plughw:1,0)"), s->name);
		return -EINVAL;
	}
	if (s->n_urls > SOURCES_URLS_MAX) {
		text_set(msg, msglen, _("source '%s' has %zu URLs; at most %d are tried; keep the ones that "
			 "work"), s->name, s->n_urls, SOURCES_URLS_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < s->n_urls; i++) {
		if (!url_ok(s->urls[i])) {
			text_set(msg, msglen, _("--url '%s' is not a stream address loa takes: http:// or https:// "
				 "and a host, at most %d bytes without spaces, e.g. "
				 "https://str.vov.gov.vn/vovlive/vov1vov5Vietnamese.sdp_aac/playlist.m3u8"),
				 text_quote(s->urls[i], q), SOURCES_URL_MAX);
			return -EINVAL;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(s->urls[k], s->urls[i]) == 0) {
				text_set(msg, msglen, _("--url '%s' is given twice; give each address once"),
					 text_quote(s->urls[i], q));
				return -EINVAL;
			}
	}
	if (s->capture && (text_check(s->capture, SOURCES_DEVICE_MAX, &at) != TEXT_OK || strpbrk(s->capture, " "))) {
		text_set(msg, msglen, _("--capture '%s' is not an ALSA device name; give one as arecord -L "
			 "lists them, e.g. hw:1 or plughw:1,0"), text_quote(s->capture, q));
		return -EINVAL;
	}
	if (s->title && text_check(s->title, SOURCES_TITLE_MAX, &at) != TEXT_OK) {
		text_set(msg, msglen, _("--title '%s' is not a title loa takes: at most %d bytes of text on "
			 "one line, e.g. \"Thời sự VOV1\""), text_quote(s->title, q), SOURCES_TITLE_MAX);
		return -EINVAL;
	}
	if (s->topic && !topic_valid(s->topic)) {
		text_set(msg, msglen, _("--topic '%s' is not a topic; use a code 1-6 or a lowercase slug of "
			 "letters, digits and '-', e.g. an-ninh"), text_quote(s->topic, q));
		return -EINVAL;
	}
	if (adding && db) {
		struct source was;
		int r = sources_get(db, s->name, &was);

		if (r == 0) {
			source_done(&was);
			text_set(msg, msglen, _("there is a source '%s' already; remove it first (loa source "
				 "remove %s), or give this one another name"), s->name, s->name);
			return -EINVAL;
		}
		if (r == -EIO) {
			text_set(msg, msglen, _("cannot read the relay sources from the database"));
			return -EIO;
		}
	}
	return 0;
}

/* One line of what S is, for the audit trail. */
static char *describe(const struct source *s)
{
	size_t len = 1;
	char *urls, *out;

	for (size_t i = 0; i < s->n_urls; i++)
		len += strlen(s->urls[i]) + 1;
	urls = xcalloc(len, 1);
	for (size_t i = 0; i < s->n_urls; i++)
		strcat(strcat(urls, i ? " " : ""), s->urls[i]);
	if (s->capture)
		out = xasprintf("capture %s; title %s; topic %s", s->capture, s->title ? s->title : "-",
				s->topic ? s->topic : "-");
	else
		out = xasprintf("urls %s; title %s; topic %s", urls, s->title ? s->title : "-",
				s->topic ? s->topic : "-");
	free(urls);
	return out;
}

static int bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC) : sqlite3_bind_null(st, i);
}

static int write_source(struct db *db, const struct source *s)
{
	sqlite3 *h = db_sqlite(db);
	sqlite3_stmt *st;
	int64_t now = time_now_ms();
	int rc;

	if (sqlite3_prepare_v2(h, "INSERT INTO sources (name, title, topic, capture, created_at, updated_at)"
			       " VALUES (?1, ?2, ?3, ?4, ?5, ?5)", -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = bind_opt(st, 1, s->name) | bind_opt(st, 2, s->title) | bind_opt(st, 3, s->topic) |
	     bind_opt(st, 4, s->capture) | sqlite3_bind_int64(st, 5, now);
	if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < s->n_urls; i++) {
		if (sqlite3_prepare_v2(h, "INSERT INTO source_urls (source, pos, url) VALUES (?1, ?2, ?3)", -1, &st,
				       NULL) != SQLITE_OK)
			return -EIO;
		rc = bind_opt(st, 1, s->name) | sqlite3_bind_int(st, 2, (int)i) | bind_opt(st, 3, s->urls[i]);
		if (rc != SQLITE_OK || sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_finalize(st);
			return -EIO;
		}
		sqlite3_finalize(st);
	}
	return 0;
}

int sources_add(struct db *db, const struct source *s, const char *actor, char *msg, size_t msglen)
{
	char *detail;
	int r;

	if ((r = sources_check(db, s, true, msg, msglen)) < 0)
		return r;
	detail = describe(s);
	r = -EIO;
	if (db_begin(db) == 0) {
		if (write_source(db, s) < 0) {
			db_fail(db, N_("writing a relay source"));
			db_rollback(db);
		} else if (audit_append(db, actor, "source-add", s->name, detail) < 0) {
			db_rollback(db);
		} else {
			r = db_commit(db) < 0 ? -EIO : 0;
		}
	}
	free(detail);
	if (r < 0)
		text_set(msg, msglen, _("the database refused the source '%s'; nothing was changed"), s->name);
	return r;
}

/* The first slot that relays NAME, into BUF; false when none does. */
static bool relayed_by(struct db *db, const char *name, char *buf, size_t len)
{
	sqlite3_stmt *st;
	bool found = false;

	if (sqlite3_prepare_v2(db_sqlite(db), "SELECT name FROM slots WHERE relay = ?1 ORDER BY name LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(buf, len, "%s", (const char *)sqlite3_column_text(st, 0));
		found = true;
	}
	sqlite3_finalize(st);
	return found;
}

int sources_remove(struct db *db, const char *name, const char *actor, char *msg, size_t msglen)
{
	struct source was;
	char q[TEXT_QUOTE_MAX], slot[SOURCES_NAME_MAX + 1], *detail;
	sqlite3_stmt *st;
	int r = sources_get(db, name, &was);

	if (r == -ENOENT) {
		text_set(msg, msglen, _("there is no source '%s'; 'loa source list' shows them"), text_quote(name, q));
		return r;
	}
	if (r < 0) {
		text_set(msg, msglen, _("cannot read the relay sources from the database"));
		return -EIO;
	}
	if (relayed_by(db, name, slot, sizeof(slot))) {
		text_set(msg, msglen, _("slot '%s' relays source '%s'; give the slot another source or remove it "
			 "first (loa slot edit %s --relay none)"), slot, name, slot);
		source_done(&was);
		return -EBUSY;
	}
	detail = describe(&was);
	r = -EIO;
	if (db_begin(db) == 0) {
		if (sqlite3_prepare_v2(db_sqlite(db), "DELETE FROM sources WHERE name = ?1", -1, &st, NULL) != SQLITE_OK) {
			db_fail(db, N_("removing a relay source"));
			db_rollback(db);
		} else {
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			r = sqlite3_step(st) == SQLITE_DONE ? 0 : -EIO;
			sqlite3_finalize(st);
			if (r < 0) {
				db_fail(db, N_("removing a relay source"));
				db_rollback(db);
			} else if (audit_append(db, actor, "source-remove", name, detail) < 0) {
				db_rollback(db);
				r = -EIO;
			} else {
				r = db_commit(db) < 0 ? -EIO : 0;
			}
		}
	}
	if (r < 0)
		text_set(msg, msglen, _("the database refused to remove the source '%s'; nothing was changed"), name);
	free(detail);
	source_done(&was);
	return r;
}

void sources_json(struct json *j, const struct source *s)
{
	json_object_begin(j);
	json_kv_string(j, "name", s->name);
	json_kv_string(j, "title", source_title(s));
	json_kv_string(j, "topic", s->topic);
	json_kv_string(j, "kind", s->capture ? "capture" : "stream");
	json_key(j, "urls");
	json_array_begin(j);
	for (size_t i = 0; i < s->n_urls; i++)
		json_string(j, s->urls[i]);
	json_array_end(j);
	json_kv_string(j, "capture", s->capture);
	json_object_end(j);
}
