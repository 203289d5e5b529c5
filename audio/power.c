/* See power.h. posix_spawnp() rather than system(): the argv goes to the
 * program as the operator wrote it, no shell reinterprets it. The daemon
 * blocks its signals for signalfd and ignores SIGPIPE; a child must start
 * with neither, so the spawn resets both. */
#include "audio/power.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/i18n.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

extern char **environ;

struct child {
	pid_t pid;
	int pidfd;           /* -1 when the kernel has no pidfd: then polled by waitpid */
	int64_t deadline;    /* CLOCK_MONOTONIC ms */
	bool killed;
	char what[32];
	char *prog;
};

/* One command at a time, so power_off can never overtake the power_on
 * before it; of the commands asked for meanwhile only the last one
 * matters (it is the state the amplifiers should end in). */
struct power {
	struct child *v;
	size_t n, cap;
	char **pending;      /* argv copy, or NULL */
	int timeout_ms;
	int failures;
	char pending_what[32];
};

static char **strv_dup(char *const argv[])
{
	size_t n = 0;
	char **v;

	while (argv[n])
		n++;
	v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xstrdup(argv[i]);
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

struct power *power_new(int timeout_ms)
{
	struct power *pw = xcalloc(1, sizeof(*pw));

	pw->timeout_ms = timeout_ms;
	return pw;
}

static void child_done(struct child *c)
{
	if (c->pidfd >= 0)
		close(c->pidfd);
	free(c->prog);
}

/* At shutdown the last command is usually power_off itself: it is given
 * its time (the loop has ended, waiting blocks nothing), then killed. */
void power_free(struct power *pw)
{
	if (!pw)
		return;
	while (pw->n > 0 || pw->pending) {
		struct timespec tick = { 0, 10 * 1000000 };

		power_handle(pw);
		if (pw->n > 0)
			nanosleep(&tick, NULL);
	}
	free(pw->v);
	free(pw);
}

static int spawn(struct power *pw, const char *what, char *const argv[]);

int power_run(struct power *pw, const char *what, char *const argv[])
{
	if (!argv || !argv[0])
		return 0;
	if (pw->n > 0) {
		strv_free(pw->pending);
		pw->pending = strv_dup(argv);
		snprintf(pw->pending_what, sizeof(pw->pending_what), "%s", what);
		return 0;
	}
	return spawn(pw, what, argv);
}

static int spawn(struct power *pw, const char *what, char *const argv[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, dflt;
	struct child c = { .pidfd = -1 };
	int err;

	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &dflt);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	posix_spawn_file_actions_init(&fa);
	/* Nothing to read: a command that asks a question gets EOF, not the journal's socket. */
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	err = posix_spawnp(&c.pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (err) {
		log_err(_("%s: cannot run '%s': %s; check the command in the config "
			"(give its full path, e.g. /usr/bin/gpioset); airing goes on"),
			what, argv[0], strerror(err));
		pw->failures++;
		return -err;
	}
	c.pidfd = pidfd_open(c.pid, 0);
	c.deadline = time_mono_ms() + pw->timeout_ms;
	snprintf(c.what, sizeof(c.what), "%s", what);
	c.prog = xstrdup(argv[0]);
	xgrow(&pw->v, &pw->cap, pw->n + 1, sizeof(*pw->v));
	pw->v[pw->n++] = c;
	log_info(_("%s: started '%s' (pid %d)"), what, argv[0], (int)c.pid);
	return 0;
}

int power_running(const struct power *pw)
{
	return (int)pw->n;
}

int power_failures(const struct power *pw)
{
	return pw->failures;
}

int power_pollfds(struct power *pw, struct pollfd *fds, int max)
{
	int k = 0;

	for (size_t i = 0; i < pw->n && k < max; i++)
		if (pw->v[i].pidfd >= 0)
			fds[k++] = (struct pollfd){ .fd = pw->v[i].pidfd, .events = POLLIN };
	return k;
}

static void report(struct power *pw, const struct child *c, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !c->killed) {
		log_info(_("%s: '%s' done"), c->what, c->prog);
		return;
	}
	pw->failures++;
	if (c->killed)
		log_err(_("%s: '%s' did not finish within %.1f s and was killed; check the command "
			"and the relay it drives; airing goes on"), c->what, c->prog, pw->timeout_ms / 1000.0);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		log_err(_("%s: '%s' could not be run (not found or not executable); check the command "
			"in the config; airing goes on"), c->what, c->prog);
	else if (WIFEXITED(status))
		log_err(_("%s: '%s' failed (exit status %d); check the command and the relay it drives; "
			"airing goes on"), c->what, c->prog, WEXITSTATUS(status));
	else
		log_err(_("%s: '%s' was ended by signal %d; airing goes on"), c->what, c->prog,
			WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

void power_handle(struct power *pw)
{
	int64_t t = time_mono_ms();

	for (size_t i = 0; i < pw->n;) {
		struct child *c = &pw->v[i];
		int status = 0;
		pid_t r = waitpid(c->pid, &status, WNOHANG);

		if (r == 0) {
			if (!c->killed && t >= c->deadline) {
				kill(c->pid, SIGKILL);
				c->killed = true;
			}
			i++;
			continue;
		}
		if (r == c->pid)
			report(pw, c, status);
		child_done(c);
		pw->v[i] = pw->v[--pw->n];
	}
	if (pw->n == 0 && pw->pending) {
		char **argv = pw->pending;

		pw->pending = NULL;
		spawn(pw, pw->pending_what, argv);
		strv_free(argv);
	}
}

int power_timeout_ms(const struct power *pw)
{
	int64_t t = time_mono_ms(), soonest = -1;

	for (size_t i = 0; i < pw->n; i++) {
		/* Without a pidfd, nothing wakes poll() at the exit: look each second. */
		int64_t w = pw->v[i].pidfd < 0 ? 1000 : pw->v[i].deadline - t;

		if (pw->v[i].killed)
			w = 100; /* SIGKILL has been sent; the reap is due at once */
		if (w < 0)
			w = 0;
		if (soonest < 0 || w < soonest)
			soonest = w;
	}
	return (int)soonest;
}
