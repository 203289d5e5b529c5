/* See router.h. The table is the console's whole surface: a request that
 * matches no row is 404, and each row names the action its caller's role
 * must allow. */
#include "web/router.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"
#include "web/api.h"
#include "web/assets.h"
#include "web/pages.h"

#define API ROUTE_API
#define ID ROUTE_ID
#define REST ROUTE_REST
#define PUB ROUTE_PUBLIC
#define NOCSRF ROUTE_NO_CSRF

static const struct web_route routes[] = {
	/* The JSON API. */
	{ "POST", "/api/v1/login", AUTH_VIEW, API | PUB | NOCSRF, WEB_BODY_JSON, api_login },
	{ "POST", "/api/v1/logout", AUTH_VIEW, API, WEB_BODY_JSON, api_logout },
	{ "GET", "/api/v1/session", AUTH_VIEW, API, WEB_BODY_NONE, api_session },
	{ "GET", "/api/v1/status", AUTH_VIEW, API, WEB_BODY_NONE, api_status },
	{ "GET", "/api/v1/bulletins", AUTH_VIEW, API, WEB_BODY_NONE, api_bulletins },
	{ "POST", "/api/v1/bulletins", AUTH_CONTENT, API, WEB_BODY_MULTIPART, api_bulletin_add },
	{ "GET", "/api/v1/uploads/progress", AUTH_VIEW, API, WEB_BODY_NONE, api_upload_progress },
	{ "PATCH", "/api/v1/bulletins/*", AUTH_CONTENT, API | ID, WEB_BODY_JSON, api_bulletin_edit },
	{ "POST", "/api/v1/bulletins/*/retire", AUTH_CONTENT, API | ID, WEB_BODY_JSON, api_bulletin_retire },
	{ "GET", "/api/v1/bulletins/*/audio", AUTH_VIEW, API | ID, WEB_BODY_NONE, api_bulletin_audio },
	{ "GET", "/api/v1/slots", AUTH_VIEW, API, WEB_BODY_NONE, api_slots },
	{ "POST", "/api/v1/slots", AUTH_SLOTS, API, WEB_BODY_JSON, api_slot_add },
	{ "PATCH", "/api/v1/slots/*", AUTH_SLOTS, API | REST, WEB_BODY_JSON, api_slot_edit },
	{ "DELETE", "/api/v1/slots/*", AUTH_SLOTS, API | REST, WEB_BODY_JSON, api_slot_remove },
	{ "GET", "/api/v1/next", AUTH_VIEW, API, WEB_BODY_NONE, api_next },
	{ "GET", "/api/v1/log", AUTH_VIEW, API, WEB_BODY_NONE, api_log },
	{ "GET", "/api/v1/audit", AUTH_VIEW, API, WEB_BODY_NONE, api_audit },
	{ "GET", "/api/v1/report", AUTH_VIEW, API, WEB_BODY_NONE, api_report },
	{ "POST", "/api/v1/play", AUTH_AIR, API, WEB_BODY_JSON, api_play },
	{ "POST", "/api/v1/alert", AUTH_AIR, API, WEB_BODY_JSON, api_alert },
	{ "POST", "/api/v1/stop", AUTH_AIR, API, WEB_BODY_JSON, api_stop },
	{ "GET", "/api/v1/accounts", AUTH_ACCOUNTS, API, WEB_BODY_NONE, api_accounts },
	{ "POST", "/api/v1/accounts", AUTH_ACCOUNTS, API, WEB_BODY_JSON, api_account_add },
	{ "PATCH", "/api/v1/accounts/*", AUTH_ACCOUNTS, API | REST, WEB_BODY_JSON, api_account_passwd },
	{ "DELETE", "/api/v1/accounts/*", AUTH_ACCOUNTS, API | REST, WEB_BODY_JSON, api_account_remove },

	/* Pages for people, with forms that work without JavaScript. */
	{ "GET", "/login", AUTH_VIEW, PUB, WEB_BODY_NONE, page_login },
	{ "POST", "/login", AUTH_VIEW, PUB | NOCSRF, WEB_BODY_FORM, page_login_post },
	{ "POST", "/logout", AUTH_VIEW, 0, WEB_BODY_FORM, page_logout },
	{ "GET", "/lang", AUTH_VIEW, PUB, WEB_BODY_NONE, page_lang },
	{ "GET", "/", AUTH_VIEW, 0, WEB_BODY_NONE, page_status },
	{ "GET", "/stop", AUTH_AIR, 0, WEB_BODY_NONE, page_stop_confirm },
	{ "POST", "/stop", AUTH_AIR, 0, WEB_BODY_FORM, page_stop },
	{ "GET", "/alert", AUTH_AIR, 0, WEB_BODY_NONE, page_alert_choose },
	{ "POST", "/alert/confirm", AUTH_AIR, 0, WEB_BODY_FORM, page_alert_confirm },
	{ "POST", "/alert", AUTH_AIR, 0, WEB_BODY_FORM, page_alert },
	{ "POST", "/alert/cancel", AUTH_AIR, 0, WEB_BODY_FORM, page_alert_cancel },
	{ "POST", "/play", AUTH_AIR, 0, WEB_BODY_FORM, page_play },
	{ "GET", "/library", AUTH_VIEW, 0, WEB_BODY_NONE, page_library },
	{ "POST", "/library/upload", AUTH_CONTENT, 0, WEB_BODY_MULTIPART, page_upload },
	{ "GET", "/library/*", AUTH_VIEW, ID, WEB_BODY_NONE, page_bulletin },
	{ "POST", "/library/*/edit", AUTH_CONTENT, ID, WEB_BODY_FORM, page_bulletin_edit },
	{ "POST", "/library/*/retire", AUTH_CONTENT, ID, WEB_BODY_FORM, page_bulletin_retire },
	{ "GET", "/schedule", AUTH_VIEW, 0, WEB_BODY_NONE, page_schedule },
	{ "POST", "/schedule/add", AUTH_SLOTS, 0, WEB_BODY_FORM, page_slot_add },
	{ "POST", "/schedule/edit", AUTH_SLOTS, 0, WEB_BODY_FORM, page_slot_edit },
	{ "POST", "/schedule/remove", AUTH_SLOTS, 0, WEB_BODY_FORM, page_slot_remove },
	{ "GET", "/log", AUTH_VIEW, 0, WEB_BODY_NONE, page_log },
	{ "GET", "/reports", AUTH_VIEW, 0, WEB_BODY_NONE, page_reports },
	{ "GET", "/audit", AUTH_VIEW, 0, WEB_BODY_NONE, page_audit },
	{ "GET", "/accounts", AUTH_ACCOUNTS, 0, WEB_BODY_NONE, page_accounts },
	{ "POST", "/accounts/add", AUTH_ACCOUNTS, 0, WEB_BODY_FORM, page_account_add },
	{ "POST", "/accounts/passwd", AUTH_ACCOUNTS, 0, WEB_BODY_FORM, page_account_passwd },
	{ "POST", "/accounts/remove", AUTH_ACCOUNTS, 0, WEB_BODY_FORM, page_account_remove },

	/* What every page loads: served from the binary. */
	{ "GET", "/static/loa.css", AUTH_VIEW, PUB, WEB_BODY_NONE, assets_css },
	{ "GET", "/static/loa.js", AUTH_VIEW, PUB, WEB_BODY_NONE, assets_js },
};

int router_parse_id(const char *s, int64_t *id)
{
	int64_t v = 0;

	if (!s || *s < '1' || *s > '9')
		return -EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (INT64_MAX - (*s - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (*s - '0');
	}
	*id = v;
	return 0;
}

bool router_changes(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Whether PATH fits PATTERN; the "*" segment goes to *VAR (malloc'd). */
static bool fits(const struct web_route *rt, const char *path, char **var)
{
	const char *p = rt->pattern, *q = path;

	*var = NULL;
	while (*p && *q) {
		if (*p == '*') {
			size_t n = rt->flags & ROUTE_REST ? strlen(q) : strcspn(q, "/");

			if (n == 0 || *var)
				goto no;
			*var = xmalloc(n + 1);
			memcpy(*var, q, n);
			(*var)[n] = '\0';
			p++;
			q += n;
			continue;
		}
		if (*p != *q)
			goto no;
		p++;
		q++;
	}
	if (!*p && !*q)
		return true;
no:
	free(*var);
	*var = NULL;
	return false;
}

const struct web_route *router_match(const char *method, const char *path, char **arg, int64_t *id,
				     bool *wrong_method)
{
	bool head = strcmp(method, "HEAD") == 0;

	*arg = NULL;
	*wrong_method = false;
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		const struct web_route *rt = &routes[i];
		char *var;

		if (!fits(rt, path, &var))
			continue;
		/* URLs carry ids, never paths: "..", "1/../2", "01", "-1" match nothing. */
		if ((rt->flags & ROUTE_ID) && router_parse_id(var, id) < 0) {
			free(var);
			continue;
		}
		if (strcmp(rt->method, method) != 0 && !(head && strcmp(rt->method, "GET") == 0)) {
			*wrong_method = true;
			free(var);
			continue;
		}
		*arg = var;
		*wrong_method = false;
		return rt;
	}
	return NULL;
}
