/* The console's style sheet and its one small script, compiled into the
 * binary: a station's console fetches nothing from the internet, and a
 * page never waits for a file that an upgrade moved. */
#ifndef LOA_WEB_ASSETS_H
#define LOA_WEB_ASSETS_H

#include "web/web.h"

void assets_css(struct web_req *r);
void assets_js(struct web_req *r);

#endif
