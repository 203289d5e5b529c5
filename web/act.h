/* What the console does to the station, for the API and the pages alike:
 * reads a request's fields (a JSON body or a form, the same names), calls
 * the one core the command line calls (content/import.c, library_*,
 * content/slots.c, the control socket), with the session's account as
 * the actor, and says what happened in a status and a message for
 * people. Nothing here decides what the core decides; the pages and the
 * API only print what these return.
 *
 * The calls that carry an actor are each in one function here
 * (act_import_store, act_library_update, act_library_retire,
 * act_control), so a core that takes the actor itself is adopted by
 * changing those few lines. */
#ifndef LOA_WEB_ACT_H
#define LOA_WEB_ACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content/library.h"
#include "web/web.h"

/* A message for people, and the HTTP status that goes with it. */
struct act_result {
	unsigned status; /* 200, 201, 400, 404, 409, 413, 422, 500, 503 */
	const char *code; /* for the API: "invalid", "not-found", "refused", ... */
	char msg[1024];
};

/* Imports upload file I of R with the metadata of R's fields; *ID gets
 * the new bulletin. Returns 0 or -1 with RES set. */
int act_upload(struct web_req *r, size_t i, int64_t *id, struct act_result *res);
/* Changes bulletin ID as R's fields say (those given; PATCH). */
int act_edit(struct web_req *r, int64_t id, struct act_result *res);
int act_retire(struct web_req *r, int64_t id, struct act_result *res);
/* Adds the slot R's fields describe; edits slot NAME with the fields
 * given; removes slot NAME. */
int act_slot_add(struct web_req *r, struct act_result *res);
int act_slot_edit(struct web_req *r, const char *name, struct act_result *res);
int act_slot_remove(struct web_req *r, const char *name, struct act_result *res);
/* Accounts (admins): add NAME with ROLE and PASSWORD; a new PASSWORD for
 * NAME (for R's own account R gets a new session, the old ones end);
 * remove NAME. auth/auth.c checks and records; the messages are its. */
int act_account_add(struct web_req *r, struct act_result *res);
int act_account_passwd(struct web_req *r, const char *name, struct act_result *res);
int act_account_remove(struct web_req *r, const char *name, struct act_result *res);
/* play ID, alert ID REPEAT EVERY, alert-cancel, stop: sent to the daemon
 * as R's account. The message is the daemon's. */
int act_play(struct web_req *r, struct act_result *res);
int act_alert(struct web_req *r, struct act_result *res);
int act_alert_cancel(struct web_req *r, struct act_result *res);
int act_stop(struct web_req *r, struct act_result *res);

/* Logs NAME in with PASSWORD from R's address: the throttle first, then
 * auth_login, the audit trail ("login" or "login-failed"), a new session
 * in R (r->sess, r->have_session) and its cookie (r->set_cookie). The
 * refusal never says whether the name or the password was wrong. */
int act_login(struct web_req *r, const char *name, const char *password, struct act_result *res);
/* Ends R's session on the server and in the browser, recording "logout". */
void act_logout(struct web_req *r);

/* The period of R's query (from, to: YYYY-MM-DD, both included) into
 * *FROM and *TO; open ends DAY_NONE_BEFORE / DAY_NONE_AFTER unless
 * REQUIRED. Returns 0 or -1 with RES set (400). */
int act_period(struct web_req *r, bool required, int32_t *from, int32_t *to, struct act_result *res);

/* Sends LINE to the daemon (no actor: status). Returns 0 with the body in
 * *BODY (caller frees), or -1 with RES set (503 when no daemon runs). */
int act_daemon(struct web_req *r, const char *line, char **body, struct act_result *res);

/* A request field as text: a JSON string or integer, or a form field.
 * Returns 0 when absent, 1 when given empty or null (*S = ""), 2 with *S
 * set. BUF holds a number's text. */
int act_field(const struct web_req *r, const char *name, char *buf, size_t len, const char **s);

#endif
