/* util/json: the writer behind every --json and `loa status`. Each test
 * writes through the API into memory and compares the bytes with what
 * RFC 8259 says they must be, written out by hand: commas and nesting,
 * string escapes, UTF-8 passed through, numbers at their extremes, null,
 * booleans and station-local times. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/timeutil.h"

struct out {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static struct json *begin(struct out *o)
{
	o->buf = NULL;
	o->len = 0;
	o->f = open_memstream(&o->buf, &o->len);
	assert_non_null(o->f);
	json_init(&o->j, o->f);
	return &o->j;
}

/* What was written is exactly WANT. */
static void expect(struct out *o, const char *want)
{
	fclose(o->f);
	if (strcmp(o->buf, want))
		fail_msg("wrote  %s\nwanted %s", o->buf, want);
	free(o->buf);
}

static void test_empty_object_and_array(void **state)
{
	struct out o;
	struct json *j;

	(void)state;
	j = begin(&o);
	json_object_begin(j);
	json_object_end(j);
	expect(&o, "{}\n");
	j = begin(&o);
	json_array_begin(j);
	json_array_end(j);
	expect(&o, "[]\n");
}

static void test_object_of_every_kind_of_value(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_object_begin(j);
	json_kv_string(j, "s", "x");
	json_kv_int(j, "i", 7);
	json_kv_double(j, "d", 1.5, 2);
	json_kv_bool(j, "t", true);
	json_kv_bool(j, "f", false);
	json_key(j, "n");
	json_null(j);
	json_kv_string(j, "none", NULL);
	json_kv_time(j, "never", 0);
	json_object_end(j);
	expect(&o, "{\"s\":\"x\",\"i\":7,\"d\":1.50,\"t\":true,\"f\":false,\"n\":null,\"none\":null,\"never\":null}\n");
}

/* Commas go between siblings at every level, never after a key or
 * before the first member, whatever closed just before. */
static void test_nesting(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_object_begin(j);
	json_key(j, "a");
	json_array_begin(j);
	json_int(j, 1);
	json_array_begin(j);
	json_int(j, 2);
	json_int(j, 3);
	json_array_end(j);
	json_object_begin(j);
	json_key(j, "b");
	json_object_begin(j);
	json_object_end(j);
	json_object_end(j);
	json_array_begin(j);
	json_array_end(j);
	json_int(j, 4);
	json_array_end(j);
	json_key(j, "c");
	json_array_begin(j);
	json_object_begin(j);
	json_kv_int(j, "x", 1);
	json_object_end(j);
	json_object_begin(j);
	json_kv_int(j, "y", 2);
	json_object_end(j);
	json_array_end(j);
	json_kv_string(j, "d", "end");
	json_object_end(j);
	expect(&o, "{\"a\":[1,[2,3],{\"b\":{}},[],4],\"c\":[{\"x\":1},{\"y\":2}],\"d\":\"end\"}\n");
}

/* 31 levels, the deepest the writer keeps commas apart for:
 * [0,[1,[2, ... [30]]] ... ]. */
static void test_deep_nesting(void **state)
{
	char want[160];
	struct out o;
	struct json *j = begin(&o);
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 31; i++) {
		json_array_begin(j);
		json_int(j, i);
		n += (size_t)snprintf(want + n, sizeof(want) - n, i < 30 ? "[%d," : "[%d", i);
	}
	for (int i = 0; i < 31; i++) {
		json_array_end(j);
		want[n++] = ']';
	}
	want[n++] = '\n';
	want[n] = '\0';
	expect(&o, want);
}

static void test_string_escapes(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_array_begin(j);
	json_string(j, "say \"hi\"");
	json_string(j, "C:\\loa\\");
	json_string(j, "a\nb\rc\td");
	json_string(j, "\x01\x08\x0c\x1b\x1f");
	json_string(j, "/ and \x7f pass");
	json_string(j, "");
	json_array_end(j);
	expect(&o, "[\"say \\\"hi\\\"\",\"C:\\\\loa\\\\\",\"a\\nb\\rc\\td\","
		   "\"\\u0001\\u0008\\u000c\\u001b\\u001f\",\"/ and \x7f pass\",\"\"]\n");
}

/* A key is a string like any other. */
static void test_keys_are_escaped(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_object_begin(j);
	json_kv_int(j, "a\"b\\c\n", 1);
	json_kv_int(j, "tiêu đề", 2);
	json_object_end(j);
	expect(&o, "{\"a\\\"b\\\\c\\n\":1,\"tiêu đề\":2}\n");
}

/* UTF-8 goes out byte for byte, not as \u escapes: two-, three- and
 * four-byte sequences, Vietnamese with its stacked diacritics. */
static void test_utf8_passes_through(void **state)
{
	static const char *const texts[] = {
		"Xã Thanh Thủy", "Phòng chống lũ, bão", "Nguyễn Thị Ánh", "ỹ ậ ẵ ự", "€ 5", "🔊",
	};
	struct out o;
	struct json *j;

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char want[128];

		j = begin(&o);
		json_string(j, texts[i]);
		snprintf(want, sizeof(want), "\"%s\"", texts[i]);
		expect(&o, want);
	}
}

static void test_integers_at_their_extremes(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_array_begin(j);
	json_int(j, 0);
	json_int(j, -1);
	json_int(j, 1);
	json_int(j, INT64_MAX);
	json_int(j, INT64_MIN);
	json_int(j, (int64_t)INT32_MAX + 1);
	json_array_end(j);
	expect(&o, "[0,-1,1,9223372036854775807,-9223372036854775808,2147483648]\n");
}

/* Decimals as asked; what JSON cannot say (NaN, infinities) is null. */
static void test_doubles(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_array_begin(j);
	json_double(j, -16.04, 1);
	json_double(j, 2.5, 0);
	json_double(j, -0.25, 2);
	json_double(j, 1e15, 1);
	json_double(j, NAN, 2);
	json_double(j, INFINITY, 2);
	json_double(j, -INFINITY, 2);
	json_array_end(j);
	expect(&o, "[-16.0,2,-0.25,1000000000000000.0,null,null,null]\n");
}

static void test_null_and_booleans(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_array_begin(j);
	json_null(j);
	json_bool(j, true);
	json_bool(j, false);
	json_string(j, NULL);
	json_array_end(j);
	expect(&o, "[null,true,false,null]\n");
}

/* A scalar alone is a whole document, without the newline a closed
 * object or array ends with. */
static void test_scalar_at_the_top(void **state)
{
	struct out o;
	struct json *j;

	(void)state;
	j = begin(&o);
	json_int(j, -42);
	expect(&o, "-42");
	j = begin(&o);
	json_string(j, "x");
	expect(&o, "\"x\"");
	j = begin(&o);
	json_null(j);
	expect(&o, "null");
}

/* Times are station-local ISO 8601 with milliseconds and the offset. */
static void test_times(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	assert_int_equal(time_set_zone("Asia/Ho_Chi_Minh"), 0);
	json_object_begin(j);
	/* 2026-11-22T23:00:00.250Z */
	json_kv_time(j, "at", 1795388400250LL);
	json_kv_time(j, "unset", 0);
	json_key(j, "list");
	json_array_begin(j);
	json_time(j, 1795388400000LL - 1);
	json_array_end(j);
	json_object_end(j);
	expect(&o, "{\"at\":\"2026-11-23T06:00:00.250+07:00\",\"unset\":null,"
		   "\"list\":[\"2026-11-23T05:59:59.999+07:00\"]}\n");
}

/* json_init starts over: a writer can be reused for a second document. */
static void test_init_starts_over(void **state)
{
	struct out o;
	struct json *j = begin(&o);

	(void)state;
	json_array_begin(j);
	json_int(j, 1);
	json_array_end(j);
	json_init(j, o.f);
	json_array_begin(j);
	json_int(j, 2);
	json_array_end(j);
	expect(&o, "[1]\n[2]\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_object_and_array),
		cmocka_unit_test(test_object_of_every_kind_of_value),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_string_escapes),
		cmocka_unit_test(test_keys_are_escaped),
		cmocka_unit_test(test_utf8_passes_through),
		cmocka_unit_test(test_integers_at_their_extremes),
		cmocka_unit_test(test_doubles),
		cmocka_unit_test(test_null_and_booleans),
		cmocka_unit_test(test_scalar_at_the_top),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_init_starts_over),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
