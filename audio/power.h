/* The horn amplifiers' power: audio.power_on and audio.power_off are argv
 * lists run without a shell. The daemon's loop never waits for them: each
 * command is watched through a pidfd in poll(), reaped when it exits and
 * killed when it overruns its time; whatever goes wrong is logged and the
 * broadcast goes on. */
#ifndef LOA_POWER_H
#define LOA_POWER_H

#include <poll.h>
#include <stdint.h>

/* What the daemon allows a command before killing it. */
#define POWER_TIMEOUT_MS 30000

struct power;

/* Commands that have not finished after TIMEOUT_MS are killed. */
struct power *power_new(int timeout_ms);
/* Waits for commands still running (killing any that overrun), then
 * frees. For shutdown only: it blocks. NULL is a no-op. */
void power_free(struct power *pw);
/* Starts ARGV (NULL-terminated; NULL or empty does nothing) without a
 * shell and returns at once; while another command runs, ARGV (copied)
 * waits for it, replacing any command already waiting. WHAT names it in
 * messages ("audio.power_on"). Returns 0, or negative errno after logging
 * why it could not start. */
int power_run(struct power *pw, const char *what, char *const argv[]);
/* Commands still running. */
int power_running(const struct power *pw);
/* Commands that could not start, failed or overran since power_new. */
int power_failures(const struct power *pw);
/* Poll descriptors (one per running command); returns how many. */
int power_pollfds(struct power *pw, struct pollfd *fds, int max);
/* After poll(): reaps what ended (logging a failure) and kills what
 * overran. Safe to call at any time, with or without descriptors. */
void power_handle(struct power *pw);
/* Milliseconds until power_handle() must run again to enforce a timeout
 * (-1 when nothing runs). */
int power_timeout_ms(const struct power *pw);

#endif
