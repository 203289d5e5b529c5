/* What the province's server answers, read defensively: the caller has
 * already cut the body at UPSTREAM_REPLY_MAX, jansson parses it (no
 * parser of our own, duplicate keys refused), and only three things are
 * taken from it: TrangThaiGui, MoTa and NoiDung.Token, each checked for
 * its type and size. A token goes into an HTTP header, so it must be
 * visible ASCII only: a line break in it would be a header of the
 * server's choosing. Nothing else in a reply is ever used. */
#include "upstream/upstream.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "util/xmalloc.h"

/* jansson's json_string() and json_null() share their names with
 * util/json's writer, which is linked into the same binary and wins:
 * a call to either from loa's code reaches util/json. jansson's own
 * calls are bound inside the library, so only loa's side must keep
 * off those two names. */
static json_t *jstr(const char *s)
{
	return json_stringn(s, strlen(s));
}

static bool blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

/* TrangThaiGui: a number, or a number in quotes (provinces differ). */
static bool status_of(json_t *v, long long *out)
{
	const char *s, *p;
	char *end;

	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return true;
	}
	if (!json_is_string(v))
		return false;
	s = json_string_value(v);
	p = s + (*s == '-');
	if (!*p || strlen(s) > 18 || strspn(p, "0123456789") != strlen(p))
		return false;
	*out = strtoll(s, &end, 10);
	return true;
}

static bool token_ok(const char *t, size_t n)
{
	if (n == 0 || n > UPSTREAM_TOKEN_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] < 0x21 || (unsigned char)t[i] > 0x7e)
			return false;
	return true;
}

/* The reply as a witness keeps it: compact, the token masked (a copy of
 * the database must not carry a live credential), cut to a summary when
 * it is long. */
static char *keep(json_t *root, const struct upstream_reply *r)
{
	json_t *copy = json_deep_copy(root), *nd;
	char *s, *out;

	if (!copy)
		abort();
	nd = json_object_get(copy, "NoiDung");
	if (json_is_object(nd) && json_object_get(nd, "Token"))
		json_object_set_new(nd, "Token", jstr("***"));
	s = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(copy);
	if (s && strlen(s) <= UPSTREAM_KEEP_MAX) {
		out = xstrdup(s);
		free(s);
		return out;
	}
	free(s);
	copy = json_object();
	if (r->has_status)
		json_object_set_new(copy, "TrangThaiGui", json_integer(r->status));
	json_object_set_new(copy, "MoTa", jstr(r->mota));
	json_object_set_new(copy, "loa", jstr("reply longer than kept; cut"));
	s = json_dumps(copy, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(copy);
	if (!s)
		abort();
	out = xstrdup(s);
	free(s);
	return out;
}

int upstream_reply_parse(const char *body, size_t len, struct upstream_reply *r, char *why, size_t whylen)
{
	json_t *root, *again = NULL, *v, *nd;
	json_error_t err;
	size_t used;

	memset(r, 0, sizeof(*r));
	if (len > UPSTREAM_REPLY_MAX) {
		text_set(why, whylen, "the reply is longer than %d bytes", UPSTREAM_REPLY_MAX);
		return -EBADMSG;
	}
	if (blank(body, len)) {
		text_set(why, whylen, "the reply is empty");
		return -EBADMSG;
	}
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DISABLE_EOF_CHECK, &err);
	if (!root) {
		text_set(why, whylen, "the reply is not JSON (%s at byte %d)", err.text, err.position);
		return -EBADMSG;
	}
	/* After the value: nothing, or the same value again (a server
	 * that acknowledges twice); anything else is not one answer. */
	used = (size_t)err.position;
	if (used < len && !blank(body + used, len - used)) {
		again = json_loadb(body + used, len - used, JSON_REJECT_DUPLICATES, &err);
		if (!again || !json_equal(root, again)) {
			text_set(why, whylen, "the reply holds more than one JSON value, and they differ");
			json_decref(again);
			json_decref(root);
			return -EBADMSG;
		}
		json_decref(again);
	}
	if (!json_is_object(root)) {
		text_set(why, whylen, "the reply is JSON but not an object");
		json_decref(root);
		return -EBADMSG;
	}
	r->has_status = status_of(json_object_get(root, "TrangThaiGui"), &r->status);
	v = json_object_get(root, "MoTa");
	if (json_is_string(v))
		upstream_clip(r->mota, sizeof(r->mota), json_string_value(v));
	nd = json_object_get(root, "NoiDung");
	v = json_is_object(nd) ? json_object_get(nd, "Token") : NULL;
	if (json_is_string(v) && token_ok(json_string_value(v), json_string_length(v)))
		r->token = xstrdup(json_string_value(v));
	else if (v)
		r->token_bad = true;
	r->kept = keep(root, r);
	json_decref(root);
	return 0;
}

void upstream_reply_done(struct upstream_reply *r)
{
	if (r->token) {
		/* A token is a credential: not left behind in freed memory. */
		explicit_bzero(r->token, strlen(r->token));
		free(r->token);
	}
	free(r->kept);
	memset(r, 0, sizeof(*r));
}

/* The daemon's status is read the same way as a server's reply: by jansson. */
int upstream_station_parse(const char *text, size_t len, struct upstream_station *s)
{
	json_t *root, *np, *v;
	json_error_t err;

	memset(s, 0, sizeof(*s));
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &err);
	if (!root)
		return -EBADMSG;
	if (!json_is_object(root)) {
		json_decref(root);
		return -EBADMSG;
	}
	s->daemon = true;
	v = json_object_get(root, "state");
	np = json_object_get(root, "now_playing");
	s->on_air = json_is_string(v) && !strcmp(json_string_value(v), "playing") && json_is_object(np);
	if (s->on_air) {
		v = json_object_get(np, "title");
		if (json_is_string(v))
			upstream_clip(s->title, sizeof(s->title), json_string_value(v));
		v = json_object_get(np, "position_ms");
		if (json_is_integer(v) && json_integer_value(v) >= 0)
			s->position_ms = json_integer_value(v);
	}
	json_decref(root);
	return 0;
}
