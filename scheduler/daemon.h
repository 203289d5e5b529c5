/* `loa daemon`: the unattended service. One poll() loop over a signalfd, a
 * CLOCK_REALTIME timerfd that is told about clock steps, and the audio
 * device; it sleeps until the next event and never polls on a period. */
#ifndef LOA_DAEMON_H
#define LOA_DAEMON_H

#include "config/config.h"

struct db;

/* Runs until SIGTERM or SIGINT. Takes ownership of CFG (a validated config,
 * zone already set) and uses DB. Returns a process exit status. */
int daemon_run(const char *config_path, struct config *cfg, struct db *db);

#endif
