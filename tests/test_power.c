/* Tests of audio/power.c: commands run without a shell and without
 * blocking, one at a time in the order asked (power_off never overtakes
 * power_on), and every way of failing is counted, never fatal. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "audio/power.h"
#include "util/xmalloc.h"

/* A NULL-terminated argv of up to three words (NULL ends it early); free with args_free. */
static char **args(const char *a, const char *b, const char *c)
{
	char **v = xcalloc(4, sizeof(*v));

	v[0] = xstrdup(a);
	v[1] = xstrdup_or_null(b);
	v[2] = b ? xstrdup_or_null(c) : NULL;
	return v;
}

static void args_free(char **v)
{
	for (int i = 0; v[i]; i++)
		free(v[i]);
	free(v);
}

/* Runs the loop the daemon runs until no command is left. */
static void settle(struct power *pw)
{
	while (power_running(pw) > 0) {
		struct pollfd fds[4];
		int n = power_pollfds(pw, fds, 4);

		assert_true(poll(fds, (nfds_t)n, power_timeout_ms(pw)) >= 0);
		power_handle(pw);
	}
}

static void test_success_and_failures(void **state)
{
	struct power *pw = power_new(POWER_TIMEOUT_MS);
	char **ok = args("true", NULL, NULL), **bad = args("false", NULL, NULL);
	char **missing = args("/nonexistent/relay", "on", NULL);
	int err;

	(void)state;
	assert_int_equal(power_run(pw, "audio.power_on", ok), 0);
	assert_int_equal(power_running(pw), 1);
	settle(pw);
	assert_int_equal(power_failures(pw), 0);
	assert_int_equal(power_run(pw, "audio.power_off", bad), 0);
	settle(pw);
	assert_int_equal(power_failures(pw), 1);
	/* posix_spawnp says ENOENT, or (under valgrind, which cannot vfork)
	 * the child exits 127: a failure either way. */
	err = power_run(pw, "audio.power_on", missing);
	assert_true(err == -ENOENT || err == 0);
	settle(pw);
	assert_int_equal(power_failures(pw), 2);
	/* Nothing configured: nothing runs, nothing fails. */
	assert_int_equal(power_run(pw, "audio.power_on", NULL), 0);
	assert_int_equal(power_running(pw), 0);
	assert_int_equal(power_timeout_ms(pw), -1);
	power_free(pw);
	args_free(ok);
	args_free(bad);
	args_free(missing);
}

/* A command that hangs is killed at its deadline, and the loop was never
 * blocked by it: power_run returned at once. */
static void test_overrun_is_killed(void **state)
{
	struct power *pw = power_new(100);
	char **hang = args("sleep", "30", NULL);

	(void)state;
	assert_int_equal(power_run(pw, "audio.power_on", hang), 0);
	assert_int_equal(power_running(pw), 1);
	settle(pw);
	assert_int_equal(power_failures(pw), 1);
	power_free(pw);
	args_free(hang);
}

/* on, off, on asked while the first runs: "on" runs, then only the last
 * one asked for, so the amplifiers end as the engine last wanted. The
 * argv (no shell: the ';' and '>' are plain arguments) is copied. */
static void test_one_at_a_time_last_wins(void **state)
{
	char dir[] = "/tmp/loa-test-power-XXXXXX", *log, *script;
	struct power *pw = power_new(POWER_TIMEOUT_MS);
	char buf[256] = "";
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	log = xasprintf("%s/log", dir);
	script = xasprintf("%s/relay", dir);
	f = fopen(script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\nsleep 0.2\necho \"$1 $2\" >>'%s'\n", log);
	fclose(f);
	chmod(script, 0755);
	{
		char **on = args(script, "on", "; >x"), **off = args(script, "off", NULL);
		char **on2 = args(script, "on2", NULL);

		assert_int_equal(power_run(pw, "audio.power_on", on), 0);
		assert_int_equal(power_run(pw, "audio.power_off", off), 0);
		assert_int_equal(power_run(pw, "audio.power_on", on2), 0);
		on2[1][0] = 'X'; /* the waiting command is a copy */
		args_free(on);
		args_free(off);
		args_free(on2);
	}
	settle(pw);
	assert_int_equal(power_failures(pw), 0);
	f = fopen(log, "r");
	assert_non_null(f);
	assert_true(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	assert_string_equal(buf, "on ; >x\non2 \n");
	power_free(pw);
	unlink(log);
	unlink(script);
	rmdir(dir);
	free(log);
	free(script);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_and_failures),
		cmocka_unit_test(test_overrun_is_killed),
		cmocka_unit_test(test_one_at_a_time_last_wins),
	};

	return cmocka_run_group_tests_name("power", tests, NULL, NULL);
}
