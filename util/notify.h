/* Telling systemd how the service is doing (sd_notify): ready, what it is
 * airing, still alive, stopping. Outside systemd (no NOTIFY_SOCKET) every
 * call does nothing and returns 0, so `loa daemon` runs the same by hand. */
#ifndef LOA_NOTIFY_H
#define LOA_NOTIFY_H

#include <stdint.h>

/* READY=1: start-up is over (config, database, reconciliation done). */
int notify_ready(void);
/* STATUS=...: one line for `systemctl status`; newlines become spaces. */
int notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* WATCHDOG=1: the loop is alive; send it every notify_watchdog_interval_ms(). */
int notify_watchdog(void);
/* RELOADING=1 before re-reading the config on SIGHUP; notify_ready() after. */
int notify_reloading(void);
/* STOPPING=1: shutdown has begun. */
int notify_stopping(void);
/* How often to call notify_watchdog(): half of WatchdogSec= in ms, or 0
 * when this process is not under a systemd watchdog. */
int64_t notify_watchdog_interval_ms(void);

#endif
