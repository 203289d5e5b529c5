/* Tests of util/notify.c against a real notification socket: what systemd
 * would receive for each verb, a status with newlines kept on one line, a
 * status longer than the buffer cut rather than overflowed, silence outside
 * systemd, and the watchdog interval read from WATCHDOG_USEC/WATCHDOG_PID. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "util/notify.h"
#include "util/xmalloc.h"

struct fixture {
	char dir[256];
	char *path;
	int fd;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	const char *t = getenv("TMPDIR");
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(f->dir, sizeof(f->dir), "%s/loa-test-notify-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	f->path = xasprintf("%s/notify", f->dir);
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", f->path);
	f->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		if (f->fd >= 0)
			close(f->fd);
		rmdir(f->dir);
		free(f->path);
		free(f);
		return -1;
	}
	setenv("NOTIFY_SOCKET", f->path, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	close(f->fd);
	unlink(f->path);
	rmdir(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* The next datagram, or "" when none is waiting (the socket is
 * non-blocking and sd_notify has returned, so a sent one is there). */
static void next_message(struct fixture *f, char *buf, size_t len)
{
	ssize_t n = recv(f->fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
}

static void test_verbs(void **state)
{
	struct fixture *f = *state;
	char msg[1024];

	assert_int_equal(notify_ready(), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "READY=1");

	assert_int_equal(notify_watchdog(), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "WATCHDOG=1");

	assert_int_equal(notify_reloading(), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "RELOADING=1");

	assert_int_equal(notify_stopping(), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "STOPPING=1");

	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "");
}

static void test_status(void **state)
{
	struct fixture *f = *state;
	char msg[1024], big[2000];

	assert_int_equal(notify_status("playing #%d \"%s\"", 7, "Tin thời sự"), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "STATUS=playing #7 \"Tin thời sự\"");

	/* A title is operator text: a newline in it must not start a new
	 * KEY=VALUE line (e.g. a forged READY=1). */
	assert_int_equal(notify_status("next: %s", "a\nREADY=1\rb"), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "STATUS=next: a READY=1 b");
	assert_null(strchr(msg, '\n'));

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(notify_status("%s", big), 0);
	next_message(f, msg, sizeof(msg));
	assert_true(strncmp(msg, "STATUS=xxx", 10) == 0);
	assert_true(strlen(msg) < sizeof(big));
	assert_true(strlen(msg) > 100);
}

static void test_outside_systemd(void **state)
{
	struct fixture *f = *state;
	char msg[64];

	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(notify_ready(), 0);
	assert_int_equal(notify_status("idle"), 0);
	assert_int_equal(notify_watchdog(), 0);
	next_message(f, msg, sizeof(msg));
	assert_string_equal(msg, "");
	assert_int_equal(notify_watchdog_interval_ms(), 0);
}

static void test_socket_gone(void **state)
{
	struct fixture *f = *state;

	/* systemd went away under us: the caller gets an error, not a crash. */
	unlink(f->path);
	assert_true(notify_ready() < 0);
}

static void test_watchdog_interval(void **state)
{
	char pid[32];

	(void)state;
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval_ms(), 15000);

	setenv("WATCHDOG_USEC", "1000", 1);
	assert_int_equal(notify_watchdog_interval_ms(), 1);

	/* The watchdog is another process's (a parent's) business. */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid() + 1);
	setenv("WATCHDOG_USEC", "30000000", 1);
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_interval_ms(), 0);

	unsetenv("WATCHDOG_PID");
	assert_int_equal(notify_watchdog_interval_ms(), 15000);

	setenv("WATCHDOG_USEC", "not-a-number", 1);
	assert_int_equal(notify_watchdog_interval_ms(), 0);
	unsetenv("WATCHDOG_USEC");
	assert_int_equal(notify_watchdog_interval_ms(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_verbs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_systemd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_watchdog_interval, setup, teardown),
	};

	return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
