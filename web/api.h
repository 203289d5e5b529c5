/* The console's JSON API (/api/v1/...): the CLI's field names, errors as
 * {"error": CODE, "message": TEXT}. Each handler parses, calls the one
 * core the command line calls, and prints. */
#ifndef LOA_WEB_API_H
#define LOA_WEB_API_H

#include "web/web.h"

void api_login(struct web_req *r);
void api_logout(struct web_req *r);
void api_session(struct web_req *r);
void api_status(struct web_req *r);
void api_bulletins(struct web_req *r);
void api_upload_progress(struct web_req *r);
void api_bulletin_add(struct web_req *r);
void api_bulletin_edit(struct web_req *r);
void api_bulletin_retire(struct web_req *r);
void api_bulletin_audio(struct web_req *r);
void api_slots(struct web_req *r);
void api_slot_add(struct web_req *r);
void api_slot_edit(struct web_req *r);
void api_slot_remove(struct web_req *r);
void api_next(struct web_req *r);
void api_log(struct web_req *r);
void api_audit(struct web_req *r);
void api_report(struct web_req *r);
void api_play(struct web_req *r);
void api_alert(struct web_req *r);
void api_stop(struct web_req *r);
void api_accounts(struct web_req *r);
void api_account_add(struct web_req *r);
void api_account_passwd(struct web_req *r);
void api_account_remove(struct web_req *r);

#endif
