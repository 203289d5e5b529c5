/* Tests of libraries loaded at first use (util/dynlib.c): a library that
 * is there gives working functions; one that is missing, or lacks a
 * function, is refused with a sentence naming it, before anything calls
 * through a pointer left unset. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "util/dynlib.h"

static void test_loads_and_calls(void **state)
{
	__typeof__(&cos) my_cos = NULL;
	__typeof__(&sqrt) my_sqrt = NULL;
	struct dynlib_sym syms[] = { { "cos", &my_cos }, { "sqrt", &my_sqrt } };
	char err[256] = "";

	(void)state;
	assert_int_equal(dynlib_load("libm.so.6", syms, 2, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_non_null(my_cos);
	assert_true(my_cos(0.0) == 1.0);
	assert_true(my_sqrt(16.0) == 4.0);
}

static void test_missing_library(void **state)
{
	void (*f)(void) = NULL;
	struct dynlib_sym syms[] = { { "f", &f } };
	char err[256] = "";

	(void)state;
	assert_int_equal(dynlib_load("libloa-not-there.so.9", syms, 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot load libloa-not-there.so.9"));
	assert_null(f);
}

static void test_missing_function(void **state)
{
	__typeof__(&cos) my_cos = NULL;
	void (*none)(void) = NULL;
	struct dynlib_sym syms[] = { { "cos", &my_cos }, { "loa_no_such_function", &none } };
	char err[256] = "";

	(void)state;
	assert_int_equal(dynlib_load("libm.so.6", syms, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "libm.so.6 has no loa_no_such_function"));
	assert_null(none);
}

/* The first call decides: a missing library is reported, the same way,
 * to every caller after it, with what needs it and the way out. */
static void test_once(void **state)
{
	static struct dynlib_once missing = DYNLIB_ONCE_INIT, present = DYNLIB_ONCE_INIT;
	__typeof__(&cos) my_cos = NULL;
	void (*f)(void) = NULL;
	struct dynlib_sym good[] = { { "cos", &my_cos } }, bad[] = { { "f", &f } };
	char err[400] = "";

	(void)state;
	for (int i = 0; i < 2; i++) {
		err[0] = '\0';
		assert_int_equal(dynlib_load_once(&missing, "libloa-not-there.so.9", bad, 1,
						  "the test needs it (apt install nothing)", err, sizeof(err)), -1);
		assert_non_null(strstr(err, "cannot load libloa-not-there.so.9"));
		assert_non_null(strstr(err, "; the test needs it (apt install nothing)"));
	}
	assert_int_equal(dynlib_load_once(&present, "libm.so.6", good, 1, "x", err, sizeof(err)), 0);
	assert_int_equal(dynlib_load_once(&present, "libm.so.6", good, 1, "x", err, sizeof(err)), 0);
	assert_true(my_cos(0.0) == 1.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_and_calls),
		cmocka_unit_test(test_missing_library),
		cmocka_unit_test(test_missing_function),
		cmocka_unit_test(test_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
