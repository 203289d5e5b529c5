/* See notify.h. A thin layer over libsystemd's sd_notify so the daemon
 * loop speaks in verbs, and so a STATUS built from a bulletin title (which
 * is operator text) cannot break the KEY=VALUE lines of the protocol.
 * Errors are returned, never logged: a lost status line must not fill the
 * journal, and the caller knows whether it matters. */
#include "util/notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>

static int send_state(const char *state)
{
	int r = sd_notify(0, state);

	return r < 0 ? r : 0;
}

int notify_ready(void)
{
	return send_state("READY=1");
}

int notify_status(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "STATUS=");
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	for (char *p = line; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	return send_state(line);
}

int notify_watchdog(void)
{
	return send_state("WATCHDOG=1");
}

int notify_reloading(void)
{
	return send_state("RELOADING=1");
}

int notify_stopping(void)
{
	return send_state("STOPPING=1");
}

int64_t notify_watchdog_interval_ms(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0;
	/* Half the timeout, as sd_watchdog_enabled(3) advises, and at least
	 * 1 ms so a tiny WatchdogSec= never turns into "disabled". */
	return usec / 2000 > 0 ? (int64_t)(usec / 2000) : 1;
}
