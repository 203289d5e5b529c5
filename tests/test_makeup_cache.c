/* Tests of audio/makeup_cache.c: a makeup put is got back for the same
 * content, gain and ceiling only, and past its capacity the cache forgets
 * the entry used least recently. */
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "audio/makeup_cache.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void test_keyed_by_content_gain_and_ceiling(void **state)
{
	struct makeup_cache *c = makeup_cache_new(MAKEUP_CACHE_ENTRIES);
	double m = -1;

	(void)state;
	assert_false(makeup_cache_get(c, SHA_A, 3.5, -1.0, &m));
	makeup_cache_put(c, SHA_A, 3.5, -1.0, 2.25);
	assert_true(makeup_cache_get(c, SHA_A, 3.5, -1.0, &m));
	assert_true(m == 2.25);
	assert_false(makeup_cache_get(c, SHA_B, 3.5, -1.0, &m));
	assert_false(makeup_cache_get(c, SHA_A, 3.0, -1.0, &m));
	assert_false(makeup_cache_get(c, SHA_A, 3.5, -2.0, &m));
	/* Put again, the new value replaces the old rather than sitting beside it. */
	makeup_cache_put(c, SHA_A, 3.5, -1.0, 4.0);
	assert_true(makeup_cache_get(c, SHA_A, 3.5, -1.0, &m));
	assert_true(m == 4.0);
	makeup_cache_free(c);
	makeup_cache_free(NULL);
}

static void test_bounded_least_recent_goes(void **state)
{
	struct makeup_cache *c = makeup_cache_new(3);
	char sha[8][70];
	double m;
	int held = 0;

	(void)state;
	for (int i = 0; i < 8; i++)
		snprintf(sha[i], sizeof(sha[i]), "%064d", i);
	makeup_cache_put(c, sha[0], 0, -1, 0.5);
	makeup_cache_put(c, sha[1], 0, -1, 1.5);
	makeup_cache_put(c, sha[2], 0, -1, 2.5);
	assert_true(makeup_cache_get(c, sha[0], 0, -1, &m)); /* 1 is now the least recent */
	makeup_cache_put(c, sha[3], 0, -1, 3.5);
	assert_false(makeup_cache_get(c, sha[1], 0, -1, &m));
	assert_true(makeup_cache_get(c, sha[0], 0, -1, &m) && m == 0.5);
	assert_true(makeup_cache_get(c, sha[2], 0, -1, &m) && m == 2.5);
	assert_true(makeup_cache_get(c, sha[3], 0, -1, &m) && m == 3.5);
	/* However many are put, it holds its capacity and no more. */
	for (int i = 4; i < 8; i++)
		makeup_cache_put(c, sha[i], 0, -1, i);
	for (int i = 0; i < 8; i++)
		held += makeup_cache_get(c, sha[i], 0, -1, &m);
	assert_int_equal(held, 3);
	makeup_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyed_by_content_gain_and_ceiling),
		cmocka_unit_test(test_bounded_least_recent_goes),
	};

	return cmocka_run_group_tests_name("makeup_cache", tests, NULL, NULL);
}
