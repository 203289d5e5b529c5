/* The console's pages: server-rendered HTML, Vietnamese unless the lang
 * cookie says English, phone-first, every text escaped, forms that work
 * without JavaScript. Each handler reads through the core and prints;
 * what changes the station goes through web/act.c, as the API's do. */
#ifndef LOA_WEB_PAGES_H
#define LOA_WEB_PAGES_H

#include "web/web.h"

void page_login(struct web_req *r);
void page_login_post(struct web_req *r);
void page_logout(struct web_req *r);
void page_lang(struct web_req *r);
void page_status(struct web_req *r);
void page_stop_confirm(struct web_req *r);
void page_stop(struct web_req *r);
void page_alert_choose(struct web_req *r);
void page_alert_confirm(struct web_req *r);
void page_alert(struct web_req *r);
void page_alert_cancel(struct web_req *r);
void page_play(struct web_req *r);
void page_library(struct web_req *r);
void page_bulletin(struct web_req *r);
void page_upload(struct web_req *r);
void page_bulletin_edit(struct web_req *r);
void page_bulletin_retire(struct web_req *r);
void page_schedule(struct web_req *r);
void page_slot_add(struct web_req *r);
void page_slot_edit(struct web_req *r);
void page_slot_remove(struct web_req *r);
void page_log(struct web_req *r);
void page_reports(struct web_req *r);
void page_audit(struct web_req *r);
void page_accounts(struct web_req *r);
void page_account_add(struct web_req *r);
void page_account_passwd(struct web_req *r);
void page_account_remove(struct web_req *r);
/* A page that says MSG, with STATUS. */
void page_error(struct web_req *r, unsigned status, const char *msg);

#endif
