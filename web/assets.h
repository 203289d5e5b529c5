/* The console's style sheet and its one small script, compiled into the
 * binary: a station's console fetches nothing from the internet, and a
 * page never waits for a file that an upgrade moved. */
#ifndef LOA_WEB_ASSETS_H
#define LOA_WEB_ASSETS_H

#include "web/web.h"

void assets_css(struct web_req *r);
void assets_js(struct web_req *r);
/* A short digest of both, for their URLs (?v=...): a page of a new build
 * never gets the old files from a browser's cache. */
const char *assets_version(void);

#endif
