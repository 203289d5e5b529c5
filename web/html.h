/* HTML for the console's pages: text escaped in one place, and the frame
 * every page shares (head, navigation for the session's role, language
 * link, logout, the clear-text warning). */
#ifndef LOA_WEB_HTML_H
#define LOA_WEB_HTML_H

#include <stdio.h>

#include "web/web.h"

/* S as HTML text or attribute value: & < > " ' escaped; NULL writes nothing. */
void html_text(FILE *f, const char *s);
/* S percent-encoded for a URL's query. */
void html_url(FILE *f, const char *s);

/* The menu entries; a page marks its own. */
enum html_nav { NAV_NONE, NAV_STATUS, NAV_LIBRARY, NAV_SCHEDULE, NAV_LOG, NAV_REPORTS, NAV_AUDIT, NAV_ACCOUNTS };

/* Starts page TITLE into B (opened here). */
void html_begin(struct web_req *r, struct web_buf *b, const char *title, enum html_nav nav);
/* Ends the page and sends it with STATUS. */
void html_end(struct web_req *r, struct web_buf *b, unsigned status);
/* The hidden CSRF field every form that changes something carries. */
void html_csrf(struct web_req *r, FILE *f);
/* A message box: class "ok" or "error", with id "flash". */
void html_flash(FILE *f, const char *cls, const char *msg);

#endif
