/* See html.h. */
#include "web/html.h"

#include <string.h>

#include "web/assets.h"
#include "web/router.h"

void html_text(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*s, f);
		}
	}
}

void html_url(FILE *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	if (!s)
		return;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p))
			fputc(*p, f);
		else
			fprintf(f, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
	}
}

void html_csrf(struct web_req *r, FILE *f)
{
	if (!r->have_session)
		return;
	fputs("<input type=\"hidden\" name=\"csrf\" value=\"", f);
	html_text(f, r->sess.csrf);
	fputs("\">", f);
}

void html_flash(FILE *f, const char *cls, const char *msg)
{
	fprintf(f, "<p id=\"flash\" class=\"flash %s\" role=\"%s\">", cls, strcmp(cls, "error") ? "status" : "alert");
	html_text(f, msg);
	fputs("</p>\n", f);
}

static void nav_item(struct web_req *r, FILE *f, enum html_nav nav, enum html_nav item, const char *href,
		     const char *id, enum web_word w)
{
	fprintf(f, "<a id=\"%s\" href=\"%s\"%s>", id, href, nav == item ? " aria-current=\"page\"" : "");
	html_text(f, T(r, w));
	fputs("</a>", f);
}

void html_begin(struct web_req *r, struct web_buf *b, const char *title, enum html_nav nav)
{
	FILE *f;

	web_buf_open(b);
	f = b->f;
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		r->lang == WEB_EN ? "en" : "vi");
	html_text(f, title);
	fputs(" — ", f);
	html_text(f, r->conf->station_name);
	fprintf(f, "</title>\n<link rel=\"stylesheet\" href=\"/static/loa.css?v=%s\">\n"
		   "<script src=\"/static/loa.js?v=%s\" defer></script>\n</head>\n<body",
		assets_version(), assets_version());
	if (r->have_session) {
		fputs(" data-csrf=\"", f);
		html_text(f, r->sess.csrf);
		fputs("\"", f);
	}
	fputs(">\n<header>\n<div class=\"bar\"><span class=\"station\">", f);
	html_text(f, r->conf->station_name);
	fputs("</span>", f);
	/* The other language, one click away, back to this page. */
	fprintf(f, "<a id=\"lang-%s\" class=\"lang\" href=\"/lang?to=%s&amp;back=", r->lang == WEB_EN ? "vi" : "en",
		r->lang == WEB_EN ? "vi" : "en");
	html_url(f, r->path);
	fputs("\">", f);
	html_text(f, T(r, W_OTHER_LANGUAGE));
	fputs("</a>", f);
	if (r->have_session) {
		fputs("<span class=\"who\" id=\"who\">", f);
		html_text(f, r->sess.account.name);
		fputs(" (", f);
		html_text(f, T(r, (enum web_word)(W_ROLE_OFFICER + r->sess.account.role)));
		fputs(")</span><form method=\"post\" action=\"/logout\" class=\"inline\">", f);
		html_csrf(r, f);
		fputs("<button id=\"logout-button\" type=\"submit\">", f);
		html_text(f, T(r, W_LOGOUT));
		fputs("</button></form>", f);
	}
	fputs("</div>\n", f);
	if (r->have_session) {
		fputs("<nav>", f);
		nav_item(r, f, nav, NAV_STATUS, "/", "nav-status", W_NAV_STATUS);
		nav_item(r, f, nav, NAV_LIBRARY, "/library", "nav-library", W_NAV_LIBRARY);
		nav_item(r, f, nav, NAV_SCHEDULE, "/schedule", "nav-schedule", W_NAV_SCHEDULE);
		nav_item(r, f, nav, NAV_LOG, "/log", "nav-log", W_NAV_LOG);
		nav_item(r, f, nav, NAV_REPORTS, "/reports", "nav-reports", W_NAV_REPORTS);
		nav_item(r, f, nav, NAV_AUDIT, "/audit", "nav-audit", W_NAV_AUDIT);
		if (auth_allows(r->sess.account.role, AUTH_ACCOUNTS))
			nav_item(r, f, nav, NAV_ACCOUNTS, "/accounts", "nav-accounts", W_NAV_ACCOUNTS);
		fputs("</nav>\n", f);
	}
	fputs("</header>\n", f);
	/* Without a certificate the password crosses the network as it was
	 * typed; only a console on this box's loopback is spared the note. */
	if (!r->srv->tls && !r->srv->loopback) {
		fputs("<p id=\"cleartext-warning\" class=\"warn\">", f);
		html_text(f, T(r, W_CLEARTEXT));
		fputs("</p>\n", f);
	}
	fputs("<main>\n<h1>", f);
	html_text(f, title);
	fputs("</h1>\n", f);
}

void html_end(struct web_req *r, struct web_buf *b, unsigned status)
{
	fputs("</main>\n</body>\n</html>\n", b->f);
	web_buf_close(b);
	web_send(r, status, "text/html; charset=utf-8", b->p, b->n);
}
