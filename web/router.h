/* The console's one route table: method, path, what the request needs
 * (a session, and which auth_action), how its body comes, and the
 * handler. The server asks auth_allows() for the route before any
 * handler runs, so who may do what is decided in one place and not by
 * which buttons a page shows. */
#ifndef LOA_WEB_ROUTER_H
#define LOA_WEB_ROUTER_H

#include <stdbool.h>

#include "auth/auth.h"
#include "web/web.h"

enum route_flags {
	ROUTE_PUBLIC = 1 << 0, /* no session needed (login, assets) */
	ROUTE_API = 1 << 1,    /* answers JSON, errors as {"error", "message"} */
	ROUTE_ID = 1 << 2,     /* the variable segment is a bulletin id: anything else is 404 */
	ROUTE_REST = 1 << 3,   /* the variable segment is the rest of the path (a slot's name) */
	ROUTE_NO_CSRF = 1 << 4, /* a state change without a session yet (login) */
};

struct web_route {
	const char *method;
	/* A path; "*" stands for one segment (or, with ROUTE_REST, the rest). */
	const char *pattern;
	enum auth_action action;
	unsigned flags;
	enum web_body body;
	void (*handler)(struct web_req *r);
};

/* The route for METHOD and PATH; the variable segment in *ARG (caller
 * frees) and, for ROUTE_ID, the id in *ID. NULL when none matches:
 * *WRONG_METHOD tells 405 (the path exists) from 404. */
const struct web_route *router_match(const char *method, const char *path, char **arg, int64_t *id,
				     bool *wrong_method);
/* True for a method that changes something (POST, PATCH, PUT, DELETE). */
bool router_changes(const char *method);
/* Parses a bulletin id as URLs carry it: 1 to 2^63-1 in decimal, no sign,
 * no leading zero, nothing else. Returns 0 or -EINVAL. */
int router_parse_id(const char *s, int64_t *id);

#endif
