/* How far the console's imports have come, for the page's progress bar:
 * the upload's analysis and storing happen after the last byte arrives,
 * while the browser can only see the upload. The page names each upload
 * with a random key (the form field "progress"); the import reports under
 * it, and GET /api/v1/uploads/progress?key=KEY tells its owner. */
#ifndef LOA_WEB_PROGRESS_H
#define LOA_WEB_PROGRESS_H

#include <stdbool.h>

#include "util/progress.h"

/* Keys are 16 to 64 letters and digits. */
bool web_progress_key_ok(const char *key);

/* A report of the import keyed KEY, by account USER: what the import core
 * calls (struct progress's fn, with a struct web_progress_hook as arg). */
struct web_progress_hook {
	char key[65];
	char user[65];
};
void web_progress_report(void *arg, enum progress_stage stage, double done);
/* The import keyed KEY ended (either way). */
void web_progress_end(const struct web_progress_hook *h);

/* What USER's import KEY has done: false when none is known (or it is
 * another account's). *STAGE and *DONE as reported; *ENDED once it ended. */
bool web_progress_get(const char *key, const char *user, enum progress_stage *stage, double *done, bool *ended);

#endif
