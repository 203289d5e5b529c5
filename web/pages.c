/* See pages.h. Every element a person or a browser test acts on has a
 * stable id or name (login-user, upload-input, btn-stop, ...), listed in
 * doc/web.md. A form's error is shown on the page it came from, with the
 * core's own words; a success goes back to the page (POST, then GET). */
#include "web/pages.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "content/slots.h"
#include "content/topic.h"
#include "ledger/ledger.h"
#include "report/report.h"
#include "scheduler/control.h"
#include "util/timeutil.h"
#include "web/act.h"
#include "web/html.h"
#include "web/listing.h"
#include "web/router.h"
#include "web/upload.h"

/* Rows per page of the log and the audit trail. */
#define PAGE_ROWS 50

static enum topic_lang topic_lang_of(const struct web_req *r)
{
	return r->lang == WEB_EN ? TOPIC_LANG_EN : TOPIC_LANG_VI;
}

static bool may(const struct web_req *r, enum auth_action a)
{
	return r->have_session && auth_allows(r->sess.account.role, a);
}

/* "06:00:05" of instant MS, station time. */
static const char *clock_of(int64_t ms, char buf[ISO_LEN])
{
	if (!ms) {
		buf[0] = '\0';
		return buf;
	}
	time_format_iso(ms, buf);
	memmove(buf, buf + 11, 8);
	buf[8] = '\0';
	return buf;
}

/* A day as people there write it: 23/11/2026, or 2026-11-23 in English. */
static const char *day_text(const struct web_req *r, int32_t day, char buf[16])
{
	struct civil c = days_to_civil(day);

	if (r->lang == WEB_EN)
		return time_format_day(day, buf);
	snprintf(buf, 16, "%02d/%02d/%04d", c.day, c.month, c.year);
	return buf;
}

/* "23/11/2026 06:00:05" of instant MS. */
static const char *when_text(const struct web_req *r, int64_t ms, char buf[48])
{
	char d[16], t[ISO_LEN];

	if (!ms) {
		buf[0] = '\0';
		return buf;
	}
	snprintf(buf, 48, "%s %s", day_text(r, time_local_day(ms, NULL), d), clock_of(ms, t));
	return buf;
}

/* "4:05" of MS. */
static const char *length_text(int64_t ms, char buf[32])
{
	if (ms < 0)
		ms = 0;
	snprintf(buf, 32, "%lld:%02lld", (long long)(ms / 60000), (long long)(ms / 1000 % 60));
	return buf;
}

static const char *outcome_text(const struct web_req *r, enum outcome o)
{
	return report_labels(topic_lang_of(r))->outcome[o];
}

/* A topic in a table: a built-in's short name, a station's slug as it is. */
static const char *topic_short(const struct web_req *r, const char *topic)
{
	int code = topic ? topic_builtin_code(topic) : 0;

	return code ? topic_builtin_short(code, topic_lang_of(r)) : topic ? topic : "";
}

static const char *priority_text(const struct web_req *r, enum priority p)
{
	return T(r, (enum web_word)(W_PRIO_NORMAL + p));
}

static void text(FILE *f, const char *s)
{
	html_text(f, s);
}

static void word(struct web_req *r, FILE *f, enum web_word w)
{
	html_text(f, T(r, w));
}

/* <label for=ID>WORD</label> */
static void label(struct web_req *r, FILE *f, const char *id, enum web_word w)
{
	fprintf(f, "<label for=\"%s\">", id);
	word(r, f, w);
	fputs("</label>", f);
}

/* A filter's label and control side by side with the others: the caller
 * writes the control between field_open and field_close. */
static void field_open(struct web_req *r, FILE *f, const char *id, enum web_word w)
{
	fputs("<div class=\"field\">", f);
	label(r, f, id, w);
}

static void field_close(FILE *f)
{
	fputs("</div>", f);
}

/* An <option>, selected when VALUE is CURRENT. */
static void option(FILE *f, const char *value, const char *shown, const char *current)
{
	fputs("<option value=\"", f);
	text(f, value);
	fputs("\"", f);
	if (current && strcmp(value, current) == 0)
		fputs(" selected", f);
	fputs(">", f);
	text(f, shown);
	fputs("</option>", f);
}

/* A text input ID named NAME holding VALUE. */
static void input(FILE *f, const char *type, const char *id, const char *name, const char *value, const char *extra)
{
	fprintf(f, "<input type=\"%s\" id=\"%s\" name=\"%s\" value=\"", type, id, name);
	text(f, value);
	fprintf(f, "\"%s%s>", extra ? " " : "", extra ? extra : "");
}

static const char *day_value(int32_t day, int32_t none, char buf[16])
{
	if (day == none) {
		buf[0] = '\0';
		return buf;
	}
	return time_format_day(day, buf);
}

/* A page that only says what happened, with a way back. */
static void result_page(struct web_req *r, const struct act_result *res, enum web_word title, const char *back)
{
	struct web_buf b;
	bool ok = res->status < 300;

	html_begin(r, &b, T(r, title), NAV_NONE);
	html_flash(b.f, ok ? "ok" : "error", res->msg[0] ? res->msg : T(r, ok ? W_DONE : W_E_INTERNAL));
	fprintf(b.f, "<p><a id=\"back\" href=\"%s\">", back);
	word(r, b.f, W_BACK);
	fputs("</a></p>\n", b.f);
	html_end(r, &b, ok ? 200 : res->status);
}

void page_error(struct web_req *r, unsigned status, const char *msg)
{
	struct web_buf b;

	html_begin(r, &b, T(r, W_ERROR), NAV_NONE);
	html_flash(b.f, "error", msg);
	fputs("<p><a id=\"back\" href=\"/\">", b.f);
	word(r, b.f, W_HOME);
	fputs("</a></p>\n", b.f);
	html_end(r, &b, status);
}

/* Where to go after logging in or switching language: a path on this
 * site only, never another site's address. Browsers drop tabs and line
 * breaks from a URL ("/<TAB>/evil.example" is "//evil.example") and read
 * a backslash as a slash, so only printable ASCII without them passes. */
static const char *local_path(const char *s)
{
	if (!s || s[0] != '/' || s[1] == '/' || s[1] == '\\')
		return "/";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '\\')
			return "/";
	return s;
}

/* Login. */

static void login_form(struct web_req *r, const char *error, unsigned status)
{
	struct db *db = web_rdb(r);
	int64_t accounts = db ? auth_account_count(db) : 0;
	const char *next = web_query(r, "next");
	struct web_buf b;
	FILE *f;

	if (!next)
		next = web_form(r, "next");
	html_begin(r, &b, T(r, W_LOGIN), NAV_NONE);
	f = b.f;
	if (error)
		html_flash(f, "error", error);
	if (accounts == 0) {
		/* A new station: say the one command that makes the first admin,
		 * with this console's config when it is not the default. */
		fputs("<div id=\"first-admin-hint\" class=\"note\"><p>", f);
		word(r, f, W_FIRST_ADMIN);
		fputs("</p><pre><code>sudo -u loa loa ", f);
		if (strcmp(r->conf->path, CONFIG_DEFAULT_PATH) != 0) {
			fputs("--config ", f);
			text(f, r->conf->path);
			fputc(' ', f);
		}
		fputs("user add NAME --role admin</code></pre><p>", f);
		word(r, f, W_FIRST_ADMIN_AFTER);
		fputs("</p></div>\n", f);
	}
	fputs("<form method=\"post\" action=\"/login\" id=\"login-form\" class=\"stack\">", f);
	fputs("<input type=\"hidden\" name=\"next\" value=\"", f);
	text(f, local_path(next));
	fputs("\">", f);
	label(r, f, "login-user", W_ACCOUNT);
	input(f, "text", "login-user", "username", web_form(r, "username"),
	      "autocomplete=\"username\" autocapitalize=\"none\" required maxlength=\"32\"");
	label(r, f, "login-password", W_PASSWORD);
	input(f, "password", "login-password", "password", "", "autocomplete=\"current-password\" required");
	fputs("<button type=\"submit\" id=\"login-submit\">", f);
	word(r, f, W_LOGIN);
	fputs("</button></form>\n", f);
	html_end(r, &b, status);
}

void page_login(struct web_req *r)
{
	if (r->have_session) {
		web_redirect(r, "/", NULL);
		return;
	}
	login_form(r, NULL, 200);
}

void page_login_post(struct web_req *r)
{
	struct act_result res = { 0 };

	if (act_login(r, web_form(r, "username"), web_form(r, "password"), &res) < 0) {
		login_form(r, res.msg, res.status);
		return;
	}
	web_redirect(r, local_path(web_form(r, "next")), NULL);
}

void page_logout(struct web_req *r)
{
	act_logout(r);
	web_redirect(r, "/login", NULL);
}

void page_lang(struct web_req *r)
{
	const char *to = web_query(r, "to");
	char *cookie = xasprintf("lang=%s; Path=/; Max-Age=31536000; SameSite=Lax",
				 to && strcmp(to, "en") == 0 ? "en" : "vi");

	web_redirect(r, local_path(web_query(r, "back")), cookie);
	free(cookie);
}

/* Status. */

static const char *jstr(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* "06:00:05" of an ISO time the daemon wrote. */
static const char *iso_clock(const char *iso, char buf[16])
{
	buf[0] = '\0';
	if (iso && strlen(iso) >= 19)
		snprintf(buf, 16, "%.8s", iso + 11);
	return buf;
}

static void status_warnings(struct web_req *r, FILE *f, json_t *st)
{
	char n[32];
	const char *err;

	fputs("<ul id=\"status-warnings\" class=\"warnings\">", f);
	if (json_is_false(json_object_get(st, "clock_trusted"))) {
		fputs("<li id=\"warn-clock\">", f);
		word(r, f, W_WARN_CLOCK);
		fputs("</li>", f);
	}
	if (json_is_false(json_object_get(st, "device_ok"))) {
		fputs("<li id=\"warn-device\">", f);
		word(r, f, W_WARN_DEVICE);
		fputs(" (", f);
		text(f, jstr(st, "device"));
		fputs(")</li>", f);
	}
	if (jint(st, "ledger_pending") > 0) {
		snprintf(n, sizeof(n), "%lld", (long long)jint(st, "ledger_pending"));
		fputs("<li id=\"warn-ledger\">", f);
		word(r, f, W_WARN_LEDGER);
		fputs(": ", f);
		text(f, n);
		if ((err = jstr(st, "ledger_error"))) {
			fputs(" — ", f);
			text(f, err);
		}
		fputs("</li>", f);
	}
	if ((err = jstr(st, "last_error"))) {
		fputs("<li id=\"warn-error\">", f);
		word(r, f, W_WARN_LAST_ERROR);
		fputs(": ", f);
		text(f, err);
		fputs("</li>", f);
	}
	fputs("</ul>\n", f);
}

static void status_daemon(struct web_req *r, FILE *f)
{
	struct act_result res = { 0 };
	char *body = NULL, a[16], b[32];
	json_t *st = NULL, *np = NULL, *next = NULL, *alert = NULL;

	fputs("<section id=\"status-live\" class=\"card\">\n", f);
	/* The same parts whether the daemon answers or not, so the live
	 * script can fill them when it comes back. */
	if (act_daemon(r, "status", &body, &res) < 0 || !(st = json_loads(body, 0, NULL))) {
		fputs("<p id=\"daemon-down\" class=\"warn\">", f);
		text(f, res.msg[0] ? res.msg : T(r, W_E_INTERNAL));
		fputs("</p>\n", f);
	} else {
		fputs("<p id=\"daemon-down\" class=\"warn\" hidden></p>\n", f);
		np = json_object_get(st, "now_playing");
		next = json_object_get(st, "next");
		alert = json_object_get(st, "alert");
	}
	free(body);
	fputs("<h2>", f);
	word(r, f, W_ON_AIR);
	fputs("</h2>\n<p id=\"onair\"><span id=\"onair-title\">", f);
	if (json_is_object(np))
		text(f, jstr(np, "title"));
	else if (st)
		word(r, f, W_NOTHING_ON_AIR);
	fputs("</span> <span class=\"muted\" id=\"onair-slot\">", f);
	if (json_is_object(np))
		text(f, jstr(np, "slot"));
	fprintf(f, "</span><br><span id=\"onair-times\"%s>", json_is_object(np) ? "" : " hidden");
	word(r, f, W_ELAPSED);
	fprintf(f, " <span id=\"onair-elapsed\">%s</span> · ",
		json_is_object(np) ? length_text(jint(np, "position_ms"), b) : "");
	word(r, f, W_REMAINING);
	fprintf(f, " <span id=\"onair-remaining\">%s</span></span></p>\n<h2>",
		json_is_object(np) ? length_text(jint(np, "duration_ms") - jint(np, "position_ms"), b) : "");
	word(r, f, W_NEXT);
	fputs("</h2>\n<p id=\"next\"><span id=\"next-slot\">", f);
	if (json_is_object(next))
		text(f, jstr(next, "slot"));
	else if (st)
		word(r, f, W_NOTHING_NEXT);
	fputs("</span> <span id=\"next-at\">", f);
	if (json_is_object(next))
		text(f, iso_clock(jstr(next, "at"), a));
	fputs("</span> <span class=\"muted\" id=\"next-day\">", f);
	if (json_is_object(next) && jstr(next, "at") && strlen(jstr(next, "at")) >= 10)
		fprintf(f, "%.10s", jstr(next, "at"));
	fputs("</span></p>\n", f);
	if (json_is_object(alert)) {
		char left[32];

		snprintf(left, sizeof(left), "%lld", (long long)jint(alert, "remaining"));
		fputs("<p id=\"alert-pending\" class=\"warn\">", f);
		word(r, f, W_ALERT_PENDING);
		fprintf(f, " #%lld: ", (long long)jint(alert, "bulletin_id"));
		text(f, left);
		fputs(" · ", f);
		text(f, iso_clock(jstr(alert, "next_at"), a));
		fputs("</p>\n", f);
		if (may(r, AUTH_AIR)) {
			fputs("<form method=\"post\" action=\"/alert/cancel\">", f);
			html_csrf(r, f);
			fputs("<button id=\"btn-alert-cancel\" type=\"submit\">", f);
			word(r, f, W_ALERT_CANCEL);
			fputs("</button></form>\n", f);
		}
	}
	fputs("<p class=\"muted\">", f);
	word(r, f, W_STATE);
	fputs(": <span id=\"status-state\">", f);
	if (st)
		text(f, jstr(st, "state"));
	fputs("</span></p>\n", f);
	if (st)
		status_warnings(r, f, st);
	else
		fputs("<ul id=\"status-warnings\" class=\"warnings\"></ul>\n", f);
	json_decref(st);
	fputs("</section>\n", f);
}

/* The slot and bulletin cells of a province's item (doc/province.md):
 * marked as the province's, with its ids, and what stands in the way
 * when its audio is not in the library. */
static void province_cells(struct web_req *r, FILE *f, const struct province_item *pi)
{
	fputs("<td class=\"province\">", f);
	word(r, f, W_FROM_PROVINCE);
	fputs("</td><td>", f);
	if (pi->bulletin_id)
		fprintf(f, "<a href=\"/library/%lld\">", (long long)pi->bulletin_id);
	text(f, pi->title ? pi->title : pi->bulletin);
	if (pi->bulletin_id)
		fputs("</a>", f);
	fputs(" <span class=\"muted\">", f);
	text(f, pi->schedule_id);
	fputs(" / ", f);
	text(f, pi->bulletin);
	if (!strcmp(pi->state, "pending")) {
		fputs(" · ", f);
		word(r, f, W_AUDIO_WAITING);
	} else if (pi->reason) {
		fputs(" · ", f);
		text(f, pi->reason);
	}
	fputs("</span></td>", f);
}

static void status_today(struct web_req *r, FILE *f)
{
	struct act_result res = { 0 };
	int32_t today = time_local_day(time_now_ms(), NULL);
	int64_t now = time_now_ms(), from = time_local_ms(today, 0), to = time_local_ms(today + 1, 0);
	struct ledger_row *v = NULL;
	struct listing_plan lp;
	struct db *db = web_rdb(r);
	char t[ISO_LEN], len[32];
	size_t n = 0, shown = 0;

	fputs("<section class=\"card\"><h2>", f);
	word(r, f, W_TODAY);
	fputs("</h2>\n<div class=\"scroll\"><table id=\"today-table\"><thead><tr><th>", f);
	word(r, f, W_TIME);
	fputs("</th><th>", f);
	word(r, f, W_SLOT);
	fputs("</th><th>", f);
	word(r, f, W_BULLETIN);
	fputs("</th><th>", f);
	word(r, f, W_OUTCOME);
	fputs("</th></tr></thead><tbody>\n", f);
	if (db && ledger_query(db, from, to, &v, &n) == 0) {
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "<tr class=\"o-%s\"><td>%s</td><td>", outcome_name(v[i].outcome),
				clock_of(v[i].scheduled_at, t));
			text(f, v[i].slot ? v[i].slot : air_kind_name(v[i].kind));
			fputs("</td><td>", f);
			text(f, v[i].title);
			fputs("</td><td>", f);
			text(f, outcome_text(r, v[i].outcome));
			if (v[i].reason) {
				fputs(" <span class=\"muted\">", f);
				text(f, v[i].reason);
				fputs("</span>", f);
			}
			fputs("</td></tr>\n", f);
			shown++;
		}
		ledger_rows_free(v, n);
	}
	/* What is still to come today, from the same planner as the daemon. */
	if (listing_plan_range(r, now, to, &lp, &res) == 0) {
		const struct plan_item *it;
		const struct province_item *pi;
		size_t i = 0, k = 0;

		while (plan_walk(&lp.plan, lp.prov, lp.n_prov, &i, &k, &it, &pi)) {
			if (pi) {
				fprintf(f, "<tr class=\"planned\"><td>%s</td>", clock_of(pi->at, t));
				province_cells(r, f, pi);
				fputs("<td>", f);
				/* Refused or undownloadable audio gets a failed row at its
				 * instant, not an airing (province_cells says why). */
				word(r, f, province_item_airs(pi) ? W_PLANNED : W_WONT_AIR);
				fputs("</td></tr>\n", f);
				shown++;
				continue;
			}
			if (it->part != PART_ITEM || it->skipped)
				continue;
			fprintf(f, "<tr class=\"planned\"><td>%s</td><td>", clock_of(it->at, t));
			text(f, it->slot->name);
			fputs("</td><td>", f);
			text(f, it->bulletin->title);
			fprintf(f, " <span class=\"muted\">%s</span></td><td>", length_text(it->expected_ms, len));
			word(r, f, W_PLANNED);
			fputs("</td></tr>\n", f);
			shown++;
		}
		listing_plan_done(&lp);
	}
	if (!shown) {
		fputs("<tr><td colspan=\"4\">", f);
		word(r, f, W_NOTHING_TODAY);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
}

void page_status(struct web_req *r)
{
	struct web_buf b;
	FILE *f;

	html_begin(r, &b, T(r, W_NAV_STATUS), NAV_STATUS);
	f = b.f;
	/* The words the live script shows, in this page's language. */
	fputs("<div id=\"status-words\" hidden data-nothing=\"", f);
	word(r, f, W_NOTHING_ON_AIR);
	fputs("\" data-nonext=\"", f);
	word(r, f, W_NOTHING_NEXT);
	fputs("\" data-clock=\"", f);
	word(r, f, W_WARN_CLOCK);
	fputs("\" data-device=\"", f);
	word(r, f, W_WARN_DEVICE);
	fputs("\" data-ledger=\"", f);
	word(r, f, W_WARN_LEDGER);
	fputs("\" data-error=\"", f);
	word(r, f, W_WARN_LAST_ERROR);
	fputs("\" data-down=\"", f);
	word(r, f, W_DAEMON_DOWN_SHORT);
	fputs("\"></div>\n", f);
	if (web_query(r, "done"))
		html_flash(f, "ok", T(r, W_DONE));
	status_daemon(r, f);
	if (may(r, AUTH_AIR)) {
		fputs("<p class=\"actions\"><a class=\"button danger\" id=\"btn-stop\" href=\"/stop\">", f);
		word(r, f, W_STOP);
		fputs("</a> <a class=\"button danger\" id=\"btn-alert\" href=\"/alert\">", f);
		word(r, f, W_EMERGENCY);
		fputs("</a></p>\n", f);
	}
	status_today(r, f);
	html_end(r, &b, 200);
}

/* Stop, alert, play. */

void page_stop_confirm(struct web_req *r)
{
	struct web_buf b;
	FILE *f;

	html_begin(r, &b, T(r, W_STOP), NAV_STATUS);
	f = b.f;
	fputs("<p>", f);
	word(r, f, W_STOP_QUESTION);
	fputs("</p><form method=\"post\" action=\"/stop\" class=\"actions\">", f);
	html_csrf(r, f);
	fputs("<button type=\"submit\" class=\"danger\" id=\"stop-confirm\">", f);
	word(r, f, W_STOP);
	fputs("</button> <a href=\"/\" id=\"stop-cancel\">", f);
	word(r, f, W_CANCEL);
	fputs("</a></form>\n", f);
	html_end(r, &b, 200);
}

void page_stop(struct web_req *r)
{
	struct act_result res = { 0 };

	act_stop(r, &res);
	result_page(r, &res, W_STOP, "/");
}

static void bulletin_options(struct web_req *r, FILE *f, const char *current, bool emergency_first)
{
	struct listing_filter lf = { .active = true };
	struct bulletin *v = NULL;
	size_t n = 0;
	char id[32], *shown;

	if (listing_library(r, &lf, &v, &n) < 0)
		return;
	for (int pass = emergency_first ? 0 : 1; pass < 2; pass++)
		for (size_t i = 0; i < n; i++) {
			if (emergency_first && (pass == 0) != (v[i].priority == PRIO_EMERGENCY))
				continue;
			snprintf(id, sizeof(id), "%lld", (long long)v[i].id);
			shown = xasprintf("#%s %s (%s)", id, v[i].title, priority_text(r, v[i].priority));
			option(f, id, shown, current);
			free(shown);
		}
	bulletins_free(v, n);
}

void page_alert_choose(struct web_req *r)
{
	struct web_buf b;
	FILE *f;

	html_begin(r, &b, T(r, W_EMERGENCY), NAV_STATUS);
	f = b.f;
	fputs("<form method=\"post\" action=\"/alert/confirm\" class=\"stack\" id=\"alert-form\">", f);
	html_csrf(r, f);
	label(r, f, "alert-bulletin", W_BULLETIN);
	fputs("<select id=\"alert-bulletin\" name=\"id\" required>", f);
	bulletin_options(r, f, web_query(r, "id"), true);
	fputs("</select>", f);
	label(r, f, "alert-repeat", W_REPEAT);
	input(f, "number", "alert-repeat", "repeat", "1", "min=\"1\" max=\"1000\"");
	label(r, f, "alert-every", W_EVERY);
	input(f, "number", "alert-every", "every", "60", "min=\"1\" max=\"1440\"");
	fputs("<button type=\"submit\" id=\"alert-next\">", f);
	word(r, f, W_CONTINUE);
	fputs("</button> <a href=\"/\">", f);
	word(r, f, W_CANCEL);
	fputs("</a></form>\n", f);
	html_end(r, &b, 200);
}

void page_alert_confirm(struct web_req *r)
{
	const char *id = web_form(r, "id"), *repeat = web_form(r, "repeat"), *every = web_form(r, "every");
	struct bulletin bl = { 0 };
	struct db *db = web_rdb(r);
	struct web_buf b;
	int64_t n;
	FILE *f;

	if (!id || router_parse_id(id, &n) < 0 || !db || library_get(db, n, &bl) < 0) {
		web_error(r, 404, "not-found", "%s", T(r, W_E_NOT_FOUND));
		bulletin_done(&bl);
		return;
	}
	html_begin(r, &b, T(r, W_EMERGENCY), NAV_STATUS);
	f = b.f;
	fputs("<p class=\"warn\">", f);
	word(r, f, W_ALERT_QUESTION);
	fputs("</p><p id=\"alert-summary\"><strong>", f);
	fprintf(f, "#%lld ", (long long)bl.id);
	text(f, bl.title);
	fputs("</strong><br>", f);
	word(r, f, W_REPEAT);
	fputs(": ", f);
	text(f, repeat && *repeat ? repeat : "1");
	fputs(" · ", f);
	word(r, f, W_EVERY);
	fputs(": ", f);
	text(f, every && *every ? every : "60");
	fputs("</p><form method=\"post\" action=\"/alert\" class=\"actions\">", f);
	html_csrf(r, f);
	input(f, "hidden", "alert-id", "id", id, NULL);
	input(f, "hidden", "alert-repeat-confirmed", "repeat", repeat && *repeat ? repeat : "1", NULL);
	input(f, "hidden", "alert-every-confirmed", "every", every && *every ? every : "60", NULL);
	fputs("<button type=\"submit\" class=\"danger\" id=\"alert-confirm\">", f);
	word(r, f, W_EMERGENCY);
	fputs("</button> <a href=\"/\" id=\"alert-cancel-link\">", f);
	word(r, f, W_CANCEL);
	fputs("</a></form>\n", f);
	bulletin_done(&bl);
	html_end(r, &b, 200);
}

void page_alert(struct web_req *r)
{
	struct act_result res = { 0 };

	act_alert(r, &res);
	result_page(r, &res, W_EMERGENCY, "/");
}

void page_alert_cancel(struct web_req *r)
{
	struct act_result res = { 0 };

	act_alert_cancel(r, &res);
	result_page(r, &res, W_ALERT_CANCEL, "/");
}

void page_play(struct web_req *r)
{
	struct act_result res = { 0 };

	act_play(r, &res);
	result_page(r, &res, W_PLAY, "/library");
}

/* The library. */

static void topic_options(struct web_req *r, FILE *f, const char *current, const struct bulletin *v, size_t n)
{
	char code[4];
	struct strlist seen = { 0 };

	for (int c = 1; c <= TOPIC_BUILTIN_COUNT; c++) {
		char *shown;

		snprintf(code, sizeof(code), "%d", c);
		shown = xasprintf("%d. %s", c, topic_builtin_short(c, topic_lang_of(r)));
		option(f, code, shown, current);
		free(shown);
	}
	/* The station's own topics, as the library holds them. */
	for (size_t i = 0; i < n; i++) {
		bool dup = false;

		if (!v[i].topic || topic_builtin_code(v[i].topic))
			continue;
		for (size_t k = 0; k < seen.n && !dup; k++)
			dup = strcmp(seen.v[k], v[i].topic) == 0;
		if (!dup) {
			strlist_add(&seen, v[i].topic);
			option(f, v[i].topic, v[i].topic, current);
		}
	}
	strlist_done(&seen);
}

static void slot_checkboxes(struct web_req *r, FILE *f, const char *prefix, const struct bulletin *b)
{
	const struct config *cfg = web_station(r);

	fputs("<fieldset id=\"", f);
	fputs(prefix, f);
	fputs("-slots\"><legend>", f);
	word(r, f, W_SLOTS);
	fputs("</legend>", f);
	for (size_t i = 0; cfg && i < cfg->n_slots; i++) {
		const char *name = cfg->slots[i].name;

		fprintf(f, "<label class=\"check\"><input type=\"checkbox\" name=\"slot\" value=\"");
		text(f, name);
		fputs("\"", f);
		if (b && bulletin_in_slot(b, name))
			fputs(" checked", f);
		fputs("> ", f);
		text(f, name);
		fputs("</label>", f);
	}
	if (!cfg || !cfg->n_slots) {
		fputs("<span class=\"muted\">", f);
		word(r, f, W_NO_SLOTS);
		fputs("</span>", f);
	}
	fputs("</fieldset>", f);
}

static void priority_select(struct web_req *r, FILE *f, const char *id, enum priority current)
{
	fprintf(f, "<select id=\"%s\" name=\"priority\">", id);
	for (int p = PRIO_NORMAL; p <= PRIO_EMERGENCY; p++)
		option(f, priority_name((enum priority)p), priority_text(r, (enum priority)p),
		       priority_name(current));
	fputs("</select>", f);
}

/* The fields of a bulletin, for the upload form (B NULL) and the edit form. */
static void bulletin_form_fields(struct web_req *r, FILE *f, const char *prefix, const struct bulletin *b,
				 const struct bulletin *lib, size_t n_lib)
{
	char id[48], d[16];

	snprintf(id, sizeof(id), "%s-title", prefix);
	label(r, f, id, W_TITLE);
	input(f, "text", id, "title", b ? b->title : "", b ? "required maxlength=\"500\"" : "maxlength=\"500\"");
	snprintf(id, sizeof(id), "%s-topic", prefix);
	label(r, f, id, W_TOPIC);
	fprintf(f, "<select id=\"%s\" name=\"topic\"><option value=\"\">—</option>", id);
	topic_options(r, f, b ? b->topic : NULL, lib, n_lib);
	fputs("</select>", f);
	snprintf(id, sizeof(id), "%s-plan", prefix);
	label(r, f, id, W_PLAN);
	input(f, "text", id, "plan", b ? b->plan : "", "maxlength=\"500\"");
	slot_checkboxes(r, f, prefix, b);
	snprintf(id, sizeof(id), "%s-from", prefix);
	label(r, f, id, W_VALID_FROM);
	input(f, "date", id, "from", b ? day_value(b->valid_from, DAY_NONE_BEFORE, d) : "", NULL);
	snprintf(id, sizeof(id), "%s-until", prefix);
	label(r, f, id, W_VALID_UNTIL);
	input(f, "date", id, "until", b ? day_value(b->valid_until, DAY_NONE_AFTER, d) : "", NULL);
	snprintf(id, sizeof(id), "%s-priority", prefix);
	label(r, f, id, W_PRIORITY);
	priority_select(r, f, id, b ? b->priority : PRIO_NORMAL);
}

static void upload_form(struct web_req *r, FILE *f, const struct bulletin *lib, size_t n_lib)
{
	fputs("<section class=\"card\"><h2>", f);
	word(r, f, W_UPLOAD);
	fputs("</h2>\n<form method=\"post\" action=\"/library/upload\" enctype=\"multipart/form-data\" "
	      "id=\"upload-form\" class=\"stack\" data-ok=\"", f);
	word(r, f, W_UPLOAD_OK);
	fputs("\" data-failed=\"", f);
	word(r, f, W_UPLOAD_FAILED);
	fputs("\">", f);
	html_csrf(r, f);
	bulletin_form_fields(r, f, "upload", NULL, lib, n_lib);
	fputs("<label class=\"check\"><input type=\"checkbox\" id=\"upload-force\" name=\"force\" value=\"1\"> ", f);
	word(r, f, W_FORCE);
	fputs("</label>", f);
	fputs("<div id=\"drop-zone\" class=\"drop\">", f);
	label(r, f, "upload-input", W_FILES);
	fputs("<input type=\"file\" id=\"upload-input\" name=\"file\" multiple "
	      "accept=\"audio/*,.mp3,.wav,.flac,.ogg,.opus\" required><p class=\"muted\">", f);
	word(r, f, W_DROP_HINT);
	fputs("</p></div><button type=\"submit\" id=\"upload-submit\">", f);
	word(r, f, W_UPLOAD);
	fputs("</button></form>\n<ul id=\"upload-list\" class=\"uploads\"></ul></section>\n", f);
}

static void library_filters(struct web_req *r, FILE *f, const struct listing_filter *lf, const struct bulletin *all,
			    size_t n_all)
{
	const struct config *cfg = web_station(r);
	const char *state = lf->retired ? (lf->active ? "all" : "retired") : "active";
	struct strlist plans = { 0 };

	fputs("<form method=\"get\" action=\"/library\" id=\"library-filter\" class=\"filters\">", f);
	field_open(r, f, "search-q", W_SEARCH);
	input(f, "search", "search-q", "q", lf->q, NULL);
	field_close(f);
	field_open(r, f, "filter-topic", W_TOPIC);
	fputs("<select id=\"filter-topic\" name=\"topic\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	topic_options(r, f, lf->topic, all, n_all);
	fputs("</select>", f);
	field_close(f);
	field_open(r, f, "filter-plan", W_PLAN);
	fputs("<select id=\"filter-plan\" name=\"plan\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	for (size_t i = 0; i < n_all; i++) {
		bool dup = false;

		if (!all[i].plan)
			continue;
		for (size_t k = 0; k < plans.n && !dup; k++)
			dup = strcmp(plans.v[k], all[i].plan) == 0;
		if (!dup) {
			strlist_add(&plans, all[i].plan);
			option(f, all[i].plan, all[i].plan, lf->plan);
		}
	}
	strlist_done(&plans);
	fputs("</select>", f);
	field_close(f);
	field_open(r, f, "filter-slot", W_SLOT);
	fputs("<select id=\"filter-slot\" name=\"slot\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	for (size_t i = 0; cfg && i < cfg->n_slots; i++)
		option(f, cfg->slots[i].name, cfg->slots[i].name, lf->slot);
	fputs("</select>", f);
	field_close(f);
	field_open(r, f, "filter-state", W_STATE);
	fputs("<select id=\"filter-state\" name=\"state\">", f);
	option(f, "active", T(r, W_ACTIVE), state);
	option(f, "retired", T(r, W_RETIRED), state);
	option(f, "all", T(r, W_ALL), state);
	fputs("</select>", f);
	field_close(f);
	fputs("<button type=\"submit\" id=\"filter-submit\">", f);
	word(r, f, W_FILTER);
	fputs("</button></form>\n", f);
}

static void bulletin_row(struct web_req *r, FILE *f, const struct bulletin *b)
{
	char len[32], d1[16], d2[16];

	fprintf(f, "<tr id=\"bulletin-%lld\"%s><td>%lld</td><td><a id=\"edit-%lld\" href=\"/library/%lld\">",
		(long long)b->id, b->retired_at ? " class=\"retired\"" : "", (long long)b->id, (long long)b->id,
		(long long)b->id);
	text(f, b->title);
	fputs("</a>", f);
	if (b->retired_at) {
		fputs(" <span class=\"tag\">", f);
		word(r, f, W_RETIRED);
		fputs("</span>", f);
	}
	if (bulletin_from_province(b)) {
		fputs(" <span class=\"tag province\">", f);
		word(r, f, W_FROM_PROVINCE);
		fputs(" ", f);
		text(f, b->province_id ? b->province_id : "");
		fputs("</span>", f);
	}
	fputs("<br><span class=\"muted\">", f);
	text(f, b->source_name);
	fputs("</span></td><td class=\"wide\">", f);
	text(f, topic_short(r, b->topic));
	fputs("</td><td class=\"wide\">", f);
	text(f, b->plan);
	fputs("</td><td>", f);
	for (size_t k = 0; k < b->n_slots; k++) {
		if (k)
			fputs(", ", f);
		text(f, b->slots[k]);
	}
	fprintf(f, "</td><td>%s</td><td>", length_text(b->audio.duration_ms, len));
	text(f, priority_text(r, b->priority));
	fputs("</td><td class=\"wide\">", f);
	if (b->valid_from != DAY_NONE_BEFORE || b->valid_until != DAY_NONE_AFTER)
		fprintf(f, "%s – %s", b->valid_from != DAY_NONE_BEFORE ? day_text(r, b->valid_from, d1) : "",
			b->valid_until != DAY_NONE_AFTER ? day_text(r, b->valid_until, d2) : "");
	fprintf(f, "</td><td><audio id=\"audio-%lld\" controls preload=\"none\" "
		   "src=\"/api/v1/bulletins/%lld/audio\"></audio>",
		(long long)b->id, (long long)b->id);
	if (!b->retired_at && may(r, AUTH_AIR)) {
		fputs("<form method=\"post\" action=\"/play\" class=\"inline\">", f);
		html_csrf(r, f);
		fprintf(f, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><button type=\"submit\" id=\"play-%lld\">",
			(long long)b->id, (long long)b->id);
		word(r, f, W_PLAY);
		fputs("</button></form>", f);
	}
	fputs("</td></tr>\n", f);
}

void page_library(struct web_req *r)
{
	struct listing_filter lf, everything = { .active = true, .retired = true };
	struct bulletin *v = NULL, *all = NULL;
	size_t n = 0, n_all = 0;
	struct web_buf b;
	FILE *f;

	listing_library_filter(r, &lf);
	if (listing_library(r, &lf, &v, &n) < 0 || listing_library(r, &everything, &all, &n_all) < 0) {
		bulletins_free(v, n);
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	html_begin(r, &b, T(r, W_NAV_LIBRARY), NAV_LIBRARY);
	f = b.f;
	if (may(r, AUTH_CONTENT))
		upload_form(r, f, all, n_all);
	library_filters(r, f, &lf, all, n_all);
	fputs("<div class=\"scroll\"><table id=\"library-table\"><thead><tr><th>#</th><th>", f);
	word(r, f, W_TITLE);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_TOPIC);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_PLAN);
	fputs("</th><th>", f);
	word(r, f, W_SLOTS);
	fputs("</th><th>", f);
	word(r, f, W_LENGTH);
	fputs("</th><th>", f);
	word(r, f, W_PRIORITY);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_VALIDITY);
	fputs("</th><th>", f);
	word(r, f, W_LISTEN);
	fputs("</th></tr></thead><tbody>\n", f);
	for (size_t i = n; i-- > 0;)
		bulletin_row(r, f, &v[i]);
	if (!n) {
		fputs("<tr><td colspan=\"9\" id=\"library-empty\">", f);
		word(r, f, W_NO_BULLETINS);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	bulletins_free(v, n);
	bulletins_free(all, n_all);
	html_end(r, &b, 200);
}

static void bulletin_page(struct web_req *r, const char *flash_cls, const char *flash, unsigned status)
{
	struct listing_filter everything = { .active = true, .retired = true };
	struct bulletin bl = { 0 }, *all = NULL;
	struct db *db = web_rdb(r);
	size_t n_all = 0;
	struct web_buf b;
	char len[32], when[48];
	bool edit, air;
	FILE *f;

	if (!db || library_get(db, r->id, &bl) < 0) {
		bulletin_done(&bl);
		web_error(r, 404, "not-found", "%s", T(r, W_E_NOT_FOUND));
		return;
	}
	listing_library(r, &everything, &all, &n_all);
	edit = may(r, AUTH_CONTENT) && !bl.retired_at;
	air = may(r, AUTH_AIR) && !bl.retired_at;
	html_begin(r, &b, bl.title, NAV_LIBRARY);
	f = b.f;
	if (flash)
		html_flash(f, flash_cls, flash);
	fprintf(f, "<dl class=\"facts\" id=\"bulletin-facts\"><dt>#</dt><dd id=\"bulletin-id\">%lld</dd><dt>",
		(long long)bl.id);
	word(r, f, W_FILE);
	fputs("</dt><dd>", f);
	text(f, bl.source_name);
	fputs("</dd><dt>", f);
	word(r, f, W_LENGTH);
	fprintf(f, "</dt><dd>%s</dd><dt>", length_text(bl.audio.duration_ms, len));
	word(r, f, W_IMPORTED);
	fprintf(f, "</dt><dd>%s</dd><dt>", when_text(r, bl.imported_at, when));
	word(r, f, W_STATE);
	fputs("</dt><dd id=\"bulletin-state\">", f);
	word(r, f, bl.retired_at ? W_RETIRED : W_ACTIVE);
	fputs("</dd><dt>SHA-256</dt><dd class=\"hash\">", f);
	text(f, bl.sha256);
	fprintf(f, "</dd></dl>\n<audio id=\"audio-%lld\" controls preload=\"metadata\" "
		   "src=\"/api/v1/bulletins/%lld/audio\"></audio>\n",
		(long long)bl.id, (long long)bl.id);
	if (edit) {
		fprintf(f, "<section class=\"card\"><h2>");
		word(r, f, W_EDIT);
		fprintf(f, "</h2><form method=\"post\" action=\"/library/%lld/edit\" id=\"edit-form\" class=\"stack\">",
			(long long)bl.id);
		html_csrf(r, f);
		bulletin_form_fields(r, f, "edit", &bl, all, n_all);
		fputs("<button type=\"submit\" id=\"edit-submit\">", f);
		word(r, f, W_SAVE);
		fputs("</button></form></section>\n", f);
	}
	/* Play and retire side by side, play first: on a phone the red button
	 * no longer sits right above the one an operator taps most. */
	if (air || edit)
		fputs("<div class=\"actions\">", f);
	if (air) {
		fputs("<form method=\"post\" action=\"/play\">", f);
		html_csrf(r, f);
		fprintf(f, "<input type=\"hidden\" name=\"id\" value=\"%lld\"><button type=\"submit\" id=\"play-%lld\">",
			(long long)bl.id, (long long)bl.id);
		word(r, f, W_PLAY);
		fputs("</button></form>", f);
	}
	if (edit) {
		fprintf(f, "<form method=\"post\" action=\"/library/%lld/retire\" data-confirm=\"", (long long)bl.id);
		word(r, f, W_RETIRE_QUESTION);
		fputs("\">", f);
		html_csrf(r, f);
		fputs("<button type=\"submit\" class=\"danger\" id=\"retire-submit\">", f);
		word(r, f, W_RETIRE);
		fputs("</button></form>", f);
	}
	if (air || edit)
		fputs("</div>\n", f);
	fputs("<p><a href=\"/library\" id=\"back\">", f);
	word(r, f, W_NAV_LIBRARY);
	fputs("</a></p>\n", f);
	bulletin_done(&bl);
	bulletins_free(all, n_all);
	html_end(r, &b, status);
}

void page_bulletin(struct web_req *r)
{
	if (web_query(r, "saved"))
		bulletin_page(r, "ok", T(r, W_SAVED), 200);
	else if (web_query(r, "retired"))
		bulletin_page(r, "ok", T(r, W_RETIRED_DONE), 200);
	else
		bulletin_page(r, NULL, NULL, 200);
}

void page_bulletin_edit(struct web_req *r)
{
	struct act_result res = { 0 };
	char *to;

	if (act_edit(r, r->id, &res) < 0) {
		if (res.status == 404)
			web_error(r, 404, "not-found", "%s", res.msg);
		else
			bulletin_page(r, "error", res.msg, res.status);
		return;
	}
	to = xasprintf("/library/%lld?saved=1", (long long)r->id);
	web_redirect(r, to, NULL);
	free(to);
}

void page_bulletin_retire(struct web_req *r)
{
	struct act_result res = { 0 };
	char *to;

	if (act_retire(r, r->id, &res) < 0) {
		web_error(r, res.status, res.code, "%s", res.msg);
		return;
	}
	to = xasprintf("/library/%lld?retired=1", (long long)r->id);
	web_redirect(r, to, NULL);
	free(to);
}

void page_upload(struct web_req *r)
{
	struct web_buf b;
	size_t ok = 0;
	unsigned status = 201;
	FILE *f;

	if (!r->upload->n) {
		web_error(r, 422, "invalid", "%s", T(r, W_E_NO_FILE));
		return;
	}
	html_begin(r, &b, T(r, W_UPLOAD), NAV_LIBRARY);
	f = b.f;
	fputs("<ul id=\"upload-results\" class=\"uploads\">\n", f);
	for (size_t i = 0; i < r->upload->n; i++) {
		struct act_result res = { 0 };
		int64_t id;

		fputs("<li>", f);
		text(f, r->upload->v[i].name);
		fputs(": ", f);
		if (act_upload(r, i, &id, &res) == 0) {
			fprintf(f, "<a class=\"ok\" href=\"/library/%lld\">", (long long)id);
			word(r, f, W_BULLETIN_NO);
			fprintf(f, " %lld</a>", (long long)id);
			ok++;
		} else {
			fputs("<span class=\"error\">", f);
			text(f, res.msg);
			fputs("</span>", f);
			status = res.status;
		}
		fputs("</li>\n", f);
	}
	fputs("</ul>\n<p><a href=\"/library\" id=\"back\">", f);
	word(r, f, W_NAV_LIBRARY);
	fputs("</a></p>\n", f);
	html_end(r, &b, ok == r->upload->n ? 201 : ok ? 200 : status);
}

/* The schedule. */

static void week_table(struct web_req *r, FILE *f)
{
	struct act_result res = { 0 };
	struct listing_plan lp;
	const struct plan_item *it;
	const struct province_item *pi;
	int32_t day = DAY_NONE_BEFORE;
	char t[ISO_LEN], d[16], len[32];
	size_t shown = 0, i = 0, k = 0;

	fputs("<section class=\"card\"><h2>", f);
	word(r, f, W_WEEK_AHEAD);
	fputs("</h2>\n", f);
	if (listing_plan(r, &lp, &res) < 0) {
		html_flash(f, "error", res.msg);
		fputs("</section>\n", f);
		return;
	}
	fputs("<div class=\"scroll\"><table id=\"week-table\"><thead><tr><th>", f);
	word(r, f, W_TIME);
	fputs("</th><th>", f);
	word(r, f, W_SLOT);
	fputs("</th><th>", f);
	word(r, f, W_BULLETIN);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_LENGTH);
	fputs("</th></tr></thead><tbody>\n", f);
	while (plan_walk(&lp.plan, lp.prov, lp.n_prov, &i, &k, &it, &pi)) {
		int32_t dd;

		if (it && it->part != PART_ITEM)
			continue;
		dd = time_local_day(pi ? pi->at : it->at, NULL);
		if (dd != day) {
			day = dd;
			fprintf(f, "<tr class=\"day\"><th colspan=\"4\">%s %s</th></tr>\n",
				T(r, (enum web_word)(W_MON + days_weekday(dd))), day_text(r, dd, d));
		}
		if (pi) {
			fprintf(f, "<tr%s><td>%s</td>", province_item_airs(pi) ? "" : " class=\"skipped\"",
				clock_of(pi->at, t));
			province_cells(r, f, pi);
			fputs("<td class=\"wide\"></td></tr>\n", f);
			shown++;
			continue;
		}
		fprintf(f, "<tr%s><td>%s</td><td>", it->skipped ? " class=\"skipped\"" : "", clock_of(it->at, t));
		text(f, it->slot->name);
		fprintf(f, "</td><td><a href=\"/library/%lld\">", (long long)it->bulletin->id);
		text(f, it->bulletin->title);
		fputs("</a>", f);
		if (it->skipped) {
			fputs(" <span class=\"muted\">(", f);
			word(r, f, W_SKIPPED);
			fputs(": ", f);
			text(f, it->reason);
			fputs(")</span>", f);
		}
		fprintf(f, "</td><td class=\"wide\">%s</td></tr>\n", length_text(it->expected_ms, len));
		shown++;
	}
	if (!shown) {
		fputs("<tr><td colspan=\"4\">", f);
		word(r, f, W_NOTHING_WEEK);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div></section>\n", f);
	listing_plan_done(&lp);
}

static const char *const weekday_names[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

static void slot_form(struct web_req *r, FILE *f, const struct slot *s)
{
	const char *prefix = s ? "slot-edit" : "slot-add";
	char id[48], v[64], d[16];

	fprintf(f, "<form method=\"post\" action=\"/schedule/%s\" id=\"%s-form\" class=\"stack\">", s ? "edit" : "add",
		prefix);
	html_csrf(r, f);
	snprintf(id, sizeof(id), "%s-name", prefix);
	label(r, f, id, W_NAME);
	input(f, s ? "hidden" : "text", id, "name", s ? s->name : "", s ? NULL : "required maxlength=\"64\"");
	if (s) {
		fputs("<strong>", f);
		text(f, s->name);
		fputs("</strong>", f);
	}
	snprintf(id, sizeof(id), "%s-start", prefix);
	label(r, f, id, W_START);
	if (s)
		snprintf(v, sizeof(v), "%02d:%02d:%02d", s->start_sec / 3600, s->start_sec / 60 % 60, s->start_sec % 60);
	input(f, "time", id, "start", s ? v : "", "step=\"1\" required");
	fprintf(f, "<fieldset id=\"%s-days\"><legend>", prefix);
	word(r, f, W_DAYS);
	fputs("</legend>", f);
	for (int k = 0; k < 7; k++) {
		fprintf(f, "<label class=\"check\"><input type=\"checkbox\" id=\"%s-day-%s\" name=\"days\" value=\"%s\"%s> ",
			prefix, weekday_names[k], weekday_names[k], s && (s->days & (1u << k)) ? " checked" : "");
		word(r, f, (enum web_word)(W_MON + k));
		fputs("</label>", f);
	}
	fputs("</fieldset>", f);
	snprintf(id, sizeof(id), "%s-from", prefix);
	label(r, f, id, W_VALID_FROM);
	input(f, "date", id, "from", s ? day_value(s->from_day, DAY_NONE_BEFORE, d) : "", NULL);
	snprintf(id, sizeof(id), "%s-until", prefix);
	label(r, f, id, W_VALID_UNTIL);
	input(f, "date", id, "until", s ? day_value(s->until_day, DAY_NONE_AFTER, d) : "", NULL);
	snprintf(id, sizeof(id), "%s-max", prefix);
	label(r, f, id, W_MAX_MINUTES);
	v[0] = '\0';
	if (s && s->max_minutes)
		snprintf(v, sizeof(v), "%d", s->max_minutes);
	input(f, "number", id, "max_minutes", v, "min=\"1\" max=\"1440\"");
	snprintf(id, sizeof(id), "%s-skip", prefix);
	label(r, f, id, W_SKIP_DATES);
	fprintf(f, "<input type=\"text\" id=\"%s\" name=\"skip_dates\" placeholder=\"2026-09-02, 2026-12-31\" value=\"", id);
	for (size_t i = 0; s && i < s->n_skip; i++)
		fprintf(f, "%s%s", i ? ", " : "", time_format_day(s->skip_days[i], d));
	fputs("\">", f);
	snprintf(id, sizeof(id), "%s-intro", prefix);
	label(r, f, id, W_INTRO);
	v[0] = '\0';
	if (s && s->intro_id)
		snprintf(v, sizeof(v), "%lld", (long long)s->intro_id);
	fprintf(f, "<select id=\"%s\" name=\"intro\"><option value=\"\">—</option>", id);
	bulletin_options(r, f, v, false);
	fputs("</select>", f);
	snprintf(id, sizeof(id), "%s-outro", prefix);
	label(r, f, id, W_OUTRO);
	v[0] = '\0';
	if (s && s->outro_id)
		snprintf(v, sizeof(v), "%lld", (long long)s->outro_id);
	fprintf(f, "<select id=\"%s\" name=\"outro\"><option value=\"\">—</option>", id);
	bulletin_options(r, f, v, false);
	fputs("</select>", f);
	snprintf(id, sizeof(id), "%s-topics", prefix);
	label(r, f, id, W_SLOT_TOPICS);
	fprintf(f, "<input type=\"text\" id=\"%s\" name=\"topics\" placeholder=\"1, 3\" value=\"", id);
	for (size_t i = 0; s && i < s->n_topics; i++) {
		fputs(i ? ", " : "", f);
		text(f, s->topics[i]);
	}
	fprintf(f, "\"><button type=\"submit\" id=\"%s-submit\">", prefix);
	word(r, f, s ? W_SAVE : W_ADD_SLOT);
	fputs("</button>", f);
	if (s) {
		fputs(" <a href=\"/schedule\">", f);
		word(r, f, W_CANCEL);
		fputs("</a>", f);
	}
	fputs("</form>\n", f);
}

static void slots_table(struct web_req *r, FILE *f, const struct config *cfg)
{
	char days[64], d1[16], d2[16];

	fputs("<div class=\"scroll\"><table id=\"slots-table\"><thead><tr><th>", f);
	word(r, f, W_NAME);
	fputs("</th><th>", f);
	word(r, f, W_START);
	fputs("</th><th>", f);
	word(r, f, W_DAYS);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_VALIDITY);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_MAX_MINUTES);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_SOURCE);
	fputs("</th><th></th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < cfg->n_slots; i++) {
		const struct slot *s = &cfg->slots[i];

		fputs("<tr data-slot=\"", f);
		text(f, s->name);
		fputs("\"><td>", f);
		text(f, s->name);
		fprintf(f, "</td><td>%02d:%02d:%02d</td><td>", s->start_sec / 3600, s->start_sec / 60 % 60,
			s->start_sec % 60);
		text(f, slots_days_text(s->days, days, sizeof(days)));
		fputs("</td><td class=\"wide\">", f);
		if (s->from_day != DAY_NONE_BEFORE || s->until_day != DAY_NONE_AFTER)
			fprintf(f, "%s – %s", s->from_day != DAY_NONE_BEFORE ? day_text(r, s->from_day, d1) : "",
				s->until_day != DAY_NONE_AFTER ? day_text(r, s->until_day, d2) : "");
		fputs("</td><td class=\"wide\">", f);
		if (s->max_minutes)
			fprintf(f, "%d", s->max_minutes);
		fputs("</td><td class=\"wide\">", f);
		word(r, f, s->source == SLOT_FROM_CONFIG ? W_FROM_CONFIG : W_FROM_DATABASE);
		fputs("</td><td>", f);
		if (s->source == SLOT_FROM_DATABASE && may(r, AUTH_SLOTS)) {
			fputs("<a class=\"slot-edit\" href=\"/schedule?edit=", f);
			html_url(f, s->name);
			fputs("#slot-edit-form\">", f);
			word(r, f, W_EDIT);
			fputs("</a> <form method=\"post\" action=\"/schedule/remove\" class=\"inline\" data-confirm=\"", f);
			word(r, f, W_REMOVE_QUESTION);
			fputs("\">", f);
			html_csrf(r, f);
			input(f, "hidden", "slot-remove-name", "name", s->name, NULL);
			fputs("<button type=\"submit\" class=\"slot-remove danger\">", f);
			word(r, f, W_REMOVE);
			fputs("</button></form>", f);
		}
		fputs("</td></tr>\n", f);
	}
	if (!cfg->n_slots) {
		fputs("<tr><td colspan=\"7\">", f);
		word(r, f, W_NO_SLOTS);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
}

static void schedule_page(struct web_req *r, const char *flash_cls, const char *flash, unsigned status)
{
	const struct config *cfg = web_station(r);
	const char *edit = web_query(r, "edit");
	const struct slot *s;
	struct web_buf b;
	FILE *f;

	if (!cfg) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	html_begin(r, &b, T(r, W_NAV_SCHEDULE), NAV_SCHEDULE);
	f = b.f;
	if (flash)
		html_flash(f, flash_cls, flash);
	week_table(r, f);
	fputs("<section class=\"card\"><h2>", f);
	word(r, f, W_SLOTS);
	fputs("</h2>\n", f);
	slots_table(r, f, cfg);
	if (may(r, AUTH_SLOTS)) {
		/* The edit form: asked for by a link, or shown again after a refusal. */
		edit = strcmp(r->method, "GET") == 0 ? edit :
		       strcmp(r->path, "/schedule/edit") == 0 ? web_form(r, "name") : NULL;
		s = edit ? config_slot(cfg, edit) : NULL;
		if (s && s->source == SLOT_FROM_DATABASE) {
			fputs("<h3>", f);
			word(r, f, W_EDIT);
			fputs("</h3>\n", f);
			slot_form(r, f, s);
		}
		fputs("<h3>", f);
		word(r, f, W_ADD_SLOT);
		fputs("</h3>\n", f);
		slot_form(r, f, NULL);
	}
	fputs("</section>\n", f);
	html_end(r, &b, status);
}

void page_schedule(struct web_req *r)
{
	if (web_query(r, "saved"))
		schedule_page(r, "ok", T(r, W_SAVED), 200);
	else
		schedule_page(r, NULL, NULL, 200);
}

static void slot_done_page(struct web_req *r, int e, const struct act_result *res)
{
	if (e < 0)
		schedule_page(r, "error", res->msg, res->status);
	else
		web_redirect(r, "/schedule?saved=1", NULL);
}

void page_slot_add(struct web_req *r)
{
	struct act_result res = { 0 };

	slot_done_page(r, act_slot_add(r, &res), &res);
}

void page_slot_edit(struct web_req *r)
{
	struct act_result res = { 0 };
	const char *name = web_form(r, "name");

	slot_done_page(r, act_slot_edit(r, name ? name : "", &res), &res);
}

void page_slot_remove(struct web_req *r)
{
	struct act_result res = { 0 };
	const char *name = web_form(r, "name");

	slot_done_page(r, act_slot_remove(r, name ? name : "", &res), &res);
}

/* Listings with paging. */

/* The page number of the query, from 1. */
static size_t page_of(struct web_req *r)
{
	const char *p = web_query(r, "page");
	long v = p ? strtol(p, NULL, 10) : 1;

	return v > 0 && v < 1000000 ? (size_t)v : 1;
}

/* Links to the pages before and after, keeping the query's filters. */
static void pager(struct web_req *r, FILE *f, const char *path, const char *const *keys, size_t page, size_t total)
{
	size_t pages = total ? (total + PAGE_ROWS - 1) / PAGE_ROWS : 1;

	fputs("<p class=\"pager\">", f);
	for (int dir = -1; dir <= 1; dir += 2) {
		size_t to = dir < 0 ? page - 1 : page + 1;

		if (to < 1 || to > pages)
			continue;
		fprintf(f, "<a id=\"%s\" href=\"%s?page=%zu", dir < 0 ? "page-prev" : "page-next", path, to);
		for (size_t k = 0; keys[k]; k++) {
			const char *v = web_query(r, keys[k]);

			if (v && *v) {
				fprintf(f, "&amp;%s=", keys[k]);
				html_url(f, v);
			}
		}
		fputs("\">", f);
		word(r, f, dir < 0 ? W_NEWER : W_OLDER);
		fputs("</a> ", f);
	}
	fprintf(f, "<span class=\"muted\" id=\"page-of\">%zu / %zu</span></p>\n", page, pages);
}

/* The period the query asks for, or the last week when it asks none;
 * the form shows it as text. Returns 0 or -1 with RES set. */
static int page_period(struct web_req *r, int32_t *from, int32_t *to, char from_text[16], char to_text[16],
		       struct act_result *res)
{
	int32_t today = time_local_day(time_now_ms(), NULL);
	const char *f = web_query(r, "from"), *t = web_query(r, "to");
	int e = act_period(r, false, from, to, res);

	if (!f || !*f)
		*from = e < 0 ? today - 6 : *to != DAY_NONE_AFTER && *to < today - 6 ? *to : today - 6;
	if (!t || !*t)
		*to = e < 0 ? today : *from > today ? *from : today;
	time_format_day(*from, from_text);
	time_format_day(*to, to_text);
	if (e == 0 && *from > *to)
		e = -1;
	return e;
}

void page_log(struct web_req *r)
{
	static const char *const keys[] = { "from", "to", "outcome", "slot", "topic", NULL };
	struct act_result res = { 0 };
	const struct config *cfg = web_station(r);
	struct ledger_row *v = NULL;
	size_t n = 0, page = page_of(r);
	char from[16], to[16], when[48], len[32];
	int32_t df, dt;
	struct web_buf b;
	FILE *f;
	int e = page_period(r, &df, &dt, from, to, &res);

	html_begin(r, &b, T(r, W_NAV_LOG), NAV_LOG);
	f = b.f;
	fputs("<form method=\"get\" action=\"/log\" id=\"log-filter\" class=\"filters\">", f);
	field_open(r, f, "log-from", W_FROM);
	input(f, "date", "log-from", "from", from, NULL);
	field_close(f);
	field_open(r, f, "log-to", W_TO);
	input(f, "date", "log-to", "to", to, NULL);
	field_close(f);
	field_open(r, f, "log-outcome", W_OUTCOME);
	fputs("<select id=\"log-outcome\" name=\"outcome\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	for (int o = 0; o < OUTCOME_COUNT; o++)
		option(f, outcome_name((enum outcome)o), outcome_text(r, (enum outcome)o), web_query(r, "outcome"));
	fputs("</select>", f);
	field_close(f);
	field_open(r, f, "log-slot", W_SLOT);
	fputs("<select id=\"log-slot\" name=\"slot\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	for (size_t i = 0; cfg && i < cfg->n_slots; i++)
		option(f, cfg->slots[i].name, cfg->slots[i].name, web_query(r, "slot"));
	option(f, "-", T(r, W_NO_SLOT), web_query(r, "slot"));
	fputs("</select>", f);
	field_close(f);
	field_open(r, f, "log-topic", W_TOPIC);
	fputs("<select id=\"log-topic\" name=\"topic\"><option value=\"\">", f);
	word(r, f, W_ALL);
	fputs("</option>", f);
	topic_options(r, f, web_query(r, "topic"), NULL, 0);
	option(f, "-", T(r, W_NO_TOPIC), web_query(r, "topic"));
	fputs("</select>", f);
	field_close(f);
	fputs("<button type=\"submit\" id=\"log-submit\">", f);
	word(r, f, W_FILTER);
	fputs("</button></form>\n", f);
	if (e < 0 || listing_ledger(r, df, dt, &v, &n, &res) < 0) {
		html_flash(f, "error", res.msg);
		html_end(r, &b, res.status);
		return;
	}
	fputs("<div class=\"scroll\"><table id=\"log-table\"><thead><tr><th class=\"wide\">#</th><th>", f);
	word(r, f, W_SCHEDULED);
	fputs("</th><th>", f);
	word(r, f, W_SLOT);
	fputs("</th><th>", f);
	word(r, f, W_BULLETIN);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_TOPIC);
	fputs("</th><th>", f);
	word(r, f, W_OUTCOME);
	fputs("</th><th>", f);
	word(r, f, W_PLAYED);
	fputs("</th></tr></thead><tbody>\n", f);
	/* Newest first. */
	for (size_t k = (page - 1) * PAGE_ROWS; k < n && k < page * PAGE_ROWS; k++) {
		const struct ledger_row *w = &v[n - 1 - k];

		fprintf(f, "<tr class=\"o-%s\"><td class=\"wide\">%lld</td><td>%s</td><td>", outcome_name(w->outcome),
			(long long)w->id, when_text(r, w->scheduled_at, when));
		text(f, w->slot ? w->slot : air_kind_name(w->kind));
		fputs("</td><td>", f);
		text(f, w->title);
		fputs("</td><td class=\"wide\">", f);
		text(f, topic_short(r, w->topic));
		fputs("</td><td>", f);
		text(f, outcome_text(r, w->outcome));
		if (w->reason) {
			fputs("<br><span class=\"muted\">", f);
			text(f, w->reason);
			fputs("</span>", f);
		}
		fprintf(f, "</td><td>%s</td></tr>\n", length_text(w->played_ms, len));
	}
	if (!n) {
		fputs("<tr><td colspan=\"7\" id=\"log-empty\">", f);
		word(r, f, W_NOTHING_LOGGED);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	pager(r, f, "/log", keys, page, n);
	ledger_rows_free(v, n);
	html_end(r, &b, 200);
}

void page_audit(struct web_req *r)
{
	static const char *const keys[] = { "from", "to", "actor", "action", NULL };
	struct act_result res = { 0 };
	struct audit_entry *v = NULL;
	size_t n = 0, page = page_of(r);
	char from[16], to[16], when[48];
	int32_t df, dt;
	struct web_buf b;
	FILE *f;
	int e = page_period(r, &df, &dt, from, to, &res);

	html_begin(r, &b, T(r, W_NAV_AUDIT), NAV_AUDIT);
	f = b.f;
	fputs("<form method=\"get\" action=\"/audit\" id=\"audit-filter\" class=\"filters\">", f);
	field_open(r, f, "audit-from", W_FROM);
	input(f, "date", "audit-from", "from", from, NULL);
	field_close(f);
	field_open(r, f, "audit-to", W_TO);
	input(f, "date", "audit-to", "to", to, NULL);
	field_close(f);
	field_open(r, f, "audit-actor", W_WHO);
	input(f, "text", "audit-actor", "actor", web_query(r, "actor"), NULL);
	field_close(f);
	field_open(r, f, "audit-action", W_ACTION);
	input(f, "text", "audit-action", "action", web_query(r, "action"), NULL);
	field_close(f);
	fputs("<button type=\"submit\" id=\"audit-submit\">", f);
	word(r, f, W_FILTER);
	fputs("</button></form>\n", f);
	if (e < 0 || listing_audit(r, df, dt, &v, &n, &res) < 0) {
		html_flash(f, "error", res.msg);
		html_end(r, &b, res.status);
		return;
	}
	fputs("<div class=\"scroll\"><table id=\"audit-table\"><thead><tr><th class=\"wide\">#</th><th>", f);
	word(r, f, W_TIME);
	fputs("</th><th>", f);
	word(r, f, W_WHO);
	fputs("</th><th>", f);
	word(r, f, W_ACTION);
	fputs("</th><th>", f);
	word(r, f, W_TARGET);
	fputs("</th><th>", f);
	word(r, f, W_DETAIL);
	fputs("</th></tr></thead><tbody>\n", f);
	for (size_t k = (page - 1) * PAGE_ROWS; k < n && k < page * PAGE_ROWS; k++) {
		const struct audit_entry *a = &v[n - 1 - k];

		fprintf(f, "<tr><td class=\"wide\">%lld</td><td>%s</td><td>", (long long)a->id, when_text(r, a->at, when));
		text(f, a->actor);
		fputs("</td><td>", f);
		text(f, a->action);
		fputs("</td><td>", f);
		text(f, a->target);
		fputs("</td><td>", f);
		text(f, a->detail);
		fputs("</td></tr>\n", f);
	}
	if (!n) {
		fputs("<tr><td colspan=\"6\" id=\"audit-empty\">", f);
		word(r, f, W_NOTHING_AUDITED);
		fputs("</td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n", f);
	pager(r, f, "/audit", keys, page, n);
	audit_entries_free(v, n);
	html_end(r, &b, 200);
}

/* Reports. */

static void preset(struct web_req *r, FILE *f, const char *id, const char *shown, int32_t from, int32_t to)
{
	char a[16], b[16];

	fprintf(f, "<li><a id=\"%s\" href=\"/reports?from=%s&amp;to=%s\">", id, time_format_day(from, a),
		time_format_day(to, b));
	text(f, shown);
	fputs("</a></li>", f);
	(void)r;
}

void page_reports(struct web_req *r)
{
	int32_t today = time_local_day(time_now_ms(), NULL), qf, qt;
	struct civil c = days_to_civil(today), q;
	struct listing_filter everything = { .active = true, .retired = true };
	struct bulletin *all = NULL;
	struct strlist plans = { 0 };
	size_t n_all = 0;
	char from[16], to[16], head[SHA256_HEX], shown[160], d[16];
	const char *by = web_query(r, "by"), *fmt = web_query(r, "format");
	struct db *db = web_rdb(r);
	int64_t head_row = 0;
	struct web_buf b;
	FILE *f;
	int quarter;

	html_begin(r, &b, T(r, W_NAV_REPORTS), NAV_REPORTS);
	f = b.f;
	/* Presets: this month, last quarter, the year up to the days reports
	 * fall due, and each plan's window as its bulletins give it. */
	fputs("<section class=\"card\"><h2>", f);
	word(r, f, W_PRESETS);
	fputs("</h2><ul class=\"presets\" id=\"report-presets\">", f);
	preset(r, f, "preset-month", T(r, W_THIS_MONTH), civil_to_days((struct civil){ c.year, c.month, 1 }), today);
	quarter = (c.month - 1) / 3;
	q = quarter ? (struct civil){ c.year, quarter * 3 - 2, 1 } : (struct civil){ c.year - 1, 10, 1 };
	qf = civil_to_days(q);
	qt = civil_to_days(quarter ? (struct civil){ c.year, quarter * 3 + 1, 1 } : (struct civil){ c.year, 1, 1 }) - 1;
	preset(r, f, "preset-quarter", T(r, W_LAST_QUARTER), qf, qt);
	{
		static const struct {
			int day, month;
			const char *id;
		} due[] = { { 11, 11, "preset-year-1111" }, { 25, 11, "preset-year-2511" },
			    { 30, 11, "preset-year-3011" }, { 31, 12, "preset-year-3112" } };

		for (size_t i = 0; i < sizeof(due) / sizeof(due[0]); i++) {
			char ds[16];

			snprintf(ds, sizeof(ds), "%02d/%02d/%04d", due[i].day, due[i].month, c.year);
			web_say(shown, sizeof(shown), r->lang, W_YEAR_TO, ds);
			preset(r, f, due[i].id, shown, civil_to_days((struct civil){ c.year, 1, 1 }),
			       civil_to_days((struct civil){ c.year, due[i].month, due[i].day }));
		}
	}
	if (listing_library(r, &everything, &all, &n_all) == 0) {
		for (size_t i = 0; i < n_all; i++) {
			int32_t pf = DAY_NONE_AFTER, pt = DAY_NONE_BEFORE;
			bool dup = false, open = false;

			if (!all[i].plan)
				continue;
			for (size_t k = 0; k < plans.n && !dup; k++)
				dup = strcmp(plans.v[k], all[i].plan) == 0;
			if (dup)
				continue;
			strlist_add(&plans, all[i].plan);
			for (size_t k = 0; k < n_all; k++) {
				if (!all[k].plan || strcmp(all[k].plan, all[i].plan) != 0)
					continue;
				open |= all[k].valid_from == DAY_NONE_BEFORE || all[k].valid_until == DAY_NONE_AFTER;
				if (all[k].valid_from < pf)
					pf = all[k].valid_from;
				if (all[k].valid_until > pt)
					pt = all[k].valid_until;
			}
			/* A window is known only when every bulletin of the plan has one. */
			if (open || pf > pt)
				continue;
			snprintf(shown, sizeof(shown), "%s: %s", T(r, W_PLAN), all[i].plan);
			fprintf(f, "<li><a class=\"preset-plan\" href=\"/reports?by=plan&amp;from=%s&amp;to=%s\">",
				time_format_day(pf, from), time_format_day(pt, to));
			text(f, shown);
			fprintf(f, " (%s – ", day_text(r, pf, d));
			fprintf(f, "%s)</a></li>", day_text(r, pt, d));
		}
		bulletins_free(all, n_all);
		strlist_done(&plans);
	}
	fputs("</ul></section>\n", f);

	snprintf(from, sizeof(from), "%s", web_query(r, "from") ? web_query(r, "from") :
		 time_format_day(civil_to_days((struct civil){ c.year, c.month, 1 }), d));
	snprintf(to, sizeof(to), "%s", web_query(r, "to") ? web_query(r, "to") : time_format_day(today, d));
	fputs("<section class=\"card\"><form method=\"get\" action=\"/api/v1/report\" id=\"report-form\" "
	      "class=\"stack\">", f);
	label(r, f, "report-from", W_FROM);
	input(f, "date", "report-from", "from", from, "required");
	label(r, f, "report-to", W_TO);
	input(f, "date", "report-to", "to", to, "required");
	label(r, f, "report-by", W_GROUP_BY);
	fputs("<select id=\"report-by\" name=\"by\">", f);
	option(f, "topic", T(r, W_TOPIC), by);
	option(f, "plan", T(r, W_PLAN), by);
	option(f, "bulletin", T(r, W_BULLETIN), by);
	option(f, "slot", T(r, W_SLOT), by);
	option(f, "day", T(r, W_DAY), by);
	fputs("</select>", f);
	label(r, f, "report-format", W_FORMAT);
	fputs("<select id=\"report-format\" name=\"format\">", f);
	option(f, "html", T(r, W_FORMAT_HTML), fmt);
	option(f, "csv", T(r, W_FORMAT_CSV), fmt);
	option(f, "json", "JSON", fmt);
	fputs("</select>", f);
	label(r, f, "report-lang", W_LANGUAGE);
	fputs("<select id=\"report-lang\" name=\"lang\">", f);
	option(f, "vi", "Tiếng Việt", r->lang == WEB_EN ? "en" : "vi");
	option(f, "en", "English", r->lang == WEB_EN ? "en" : "vi");
	fputs("</select><button type=\"submit\" id=\"report-submit\">", f);
	word(r, f, W_MAKE_REPORT);
	fputs("</button></form></section>\n", f);

	if (db && ledger_head(db, head, &head_row) == 0) {
		fputs("<p>", f);
		word(r, f, W_LEDGER_HEAD);
		fprintf(f, ": <code id=\"ledger-head\" class=\"hash\">%s</code> <span class=\"muted\">(#%lld)</span></p>\n",
			head, (long long)head_row);
	}
	html_end(r, &b, 200);
}

/* Accounts. */

static void accounts_page(struct web_req *r, const char *flash_cls, const char *flash, unsigned status)
{
	static const char *const roles[] = { "officer", "operator", "admin" };
	struct auth_account *v = NULL;
	struct db *db = web_rdb(r);
	size_t n = 0;
	char when[48];
	struct web_buf b;
	FILE *f;

	if (!db || auth_account_list(db, &v, &n) < 0) {
		web_error(r, 500, "internal", "%s", T(r, W_E_DB_READ));
		return;
	}
	html_begin(r, &b, T(r, W_NAV_ACCOUNTS), NAV_ACCOUNTS);
	f = b.f;
	if (flash)
		html_flash(f, flash_cls, flash);
	fputs("<div class=\"scroll\"><table id=\"accounts-table\"><thead><tr><th>", f);
	word(r, f, W_ACCOUNT);
	fputs("</th><th>", f);
	word(r, f, W_ROLE);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_CREATED);
	fputs("</th><th class=\"wide\">", f);
	word(r, f, W_LAST_LOGIN);
	fputs("</th><th></th></tr></thead><tbody>\n", f);
	for (size_t i = 0; i < n; i++) {
		fputs("<tr data-account=\"", f);
		text(f, v[i].name);
		fputs("\"><td>", f);
		text(f, v[i].name);
		fputs("</td><td>", f);
		word(r, f, (enum web_word)(W_ROLE_OFFICER + v[i].role));
		fprintf(f, "</td><td class=\"wide\">%s</td><td class=\"wide\">", when_text(r, v[i].created_at, when));
		fprintf(f, "%s</td><td>", when_text(r, v[i].last_login_at, when));
		/* A new password, and removal (the core keeps the last admin). */
		fputs("<form method=\"post\" action=\"/accounts/passwd\" class=\"inline\">", f);
		html_csrf(r, f);
		input(f, "hidden", "passwd-name", "name", v[i].name, NULL);
		fputs("<input type=\"password\" name=\"password\" class=\"passwd-new\" autocomplete=\"new-password\" "
		      "minlength=\"8\" required aria-label=\"", f);
		word(r, f, W_NEW_PASSWORD);
		fputs("\" placeholder=\"", f);
		word(r, f, W_NEW_PASSWORD);
		fputs("\"><button type=\"submit\" class=\"passwd-submit\">", f);
		word(r, f, W_CHANGE_PASSWORD);
		fputs("</button></form> <form method=\"post\" action=\"/accounts/remove\" class=\"inline\" data-confirm=\"", f);
		word(r, f, W_REMOVE_ACCOUNT_QUESTION);
		fputs("\">", f);
		html_csrf(r, f);
		input(f, "hidden", "remove-name", "name", v[i].name, NULL);
		fputs("<button type=\"submit\" class=\"account-remove danger\">", f);
		word(r, f, W_REMOVE);
		fputs("</button></form></td></tr>\n", f);
	}
	fputs("</tbody></table></div>\n<section class=\"card\"><h2>", f);
	word(r, f, W_ADD_ACCOUNT);
	fputs("</h2><form method=\"post\" action=\"/accounts/add\" id=\"account-add-form\" class=\"stack\">", f);
	html_csrf(r, f);
	label(r, f, "account-name", W_ACCOUNT);
	input(f, "text", "account-name", "name", "", "required maxlength=\"32\" autocapitalize=\"none\" "
	      "pattern=\"[a-z0-9][a-z0-9._\\-]*\"");
	label(r, f, "account-role", W_ROLE);
	fputs("<select id=\"account-role\" name=\"role\">", f);
	for (int k = 0; k < 3; k++)
		option(f, roles[k], T(r, (enum web_word)(W_ROLE_OFFICER + k)), "officer");
	fputs("</select>", f);
	label(r, f, "account-password", W_PASSWORD);
	input(f, "password", "account-password", "password", "", "required minlength=\"8\" autocomplete=\"new-password\"");
	fputs("<button type=\"submit\" id=\"account-add-submit\">", f);
	word(r, f, W_ADD_ACCOUNT);
	fputs("</button></form></section>\n<p class=\"note\" id=\"accounts-note\">", f);
	word(r, f, W_ACCOUNTS_NOTE);
	fputs("</p>\n", f);
	free(v);
	html_end(r, &b, status);
}

void page_accounts(struct web_req *r)
{
	if (web_query(r, "saved"))
		accounts_page(r, "ok", T(r, W_SAVED), 200);
	else
		accounts_page(r, NULL, NULL, 200);
}

static void account_done_page(struct web_req *r, int e, const struct act_result *res)
{
	if (e < 0)
		accounts_page(r, "error", res->msg, res->status);
	else if (!r->have_session)
		web_redirect(r, "/login", NULL);
	else
		web_redirect(r, "/accounts?saved=1", NULL);
}

void page_account_add(struct web_req *r)
{
	struct act_result res = { 0 };

	account_done_page(r, act_account_add(r, &res), &res);
}

void page_account_passwd(struct web_req *r)
{
	struct act_result res = { 0 };
	const char *name = web_form(r, "name");

	account_done_page(r, act_account_passwd(r, name ? name : "", &res), &res);
}

void page_account_remove(struct web_req *r)
{
	struct act_result res = { 0 };
	const char *name = web_form(r, "name");
	int e = act_account_remove(r, name ? name : "", &res);

	/* Whoever removed their own account has no session left. */
	if (e == 0 && name && web_actor(r) && strcmp(name, web_actor(r)) == 0) {
		web_redirect(r, "/login", NULL);
		return;
	}
	account_done_page(r, e, &res);
}
