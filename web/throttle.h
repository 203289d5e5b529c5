/* Failed logins, counted per account name and per client address in the
 * web process (a restart forgets them; the audit trail keeps every
 * failure). After THROTTLE_FREE failures of either, each further attempt
 * must wait: 1 s, then twice as long after each failure, up to
 * THROTTLE_MAX_WAIT_S. A success clears the name and the address. */
#ifndef LOA_WEB_THROTTLE_H
#define LOA_WEB_THROTTLE_H

#include <stdint.h>

#define THROTTLE_FREE 5
#define THROTTLE_MAX_WAIT_S 300
/* How many names and addresses are remembered; the oldest go first. */
#define THROTTLE_SLOTS 1024

struct throttle;

struct throttle *throttle_new(void);
void throttle_free(struct throttle *t);
/* Seconds NAME or ADDR must still wait at NOW (monotonic ms), 0 when
 * either may try. */
int throttle_wait(struct throttle *t, const char *name, const char *addr, int64_t now);
/* Counts a failure of NAME from ADDR at NOW. */
void throttle_fail(struct throttle *t, const char *name, const char *addr, int64_t now);
/* Forgets NAME's and ADDR's failures. */
void throttle_ok(struct throttle *t, const char *name, const char *addr);

#endif
