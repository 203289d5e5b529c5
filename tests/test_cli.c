/* cli/args.c: what the command line accepts and how it says no. Each
 * refusal is checked for its return value and for the message on stderr,
 * which must name the argument (echoed safely: no raw control characters,
 * a long one cut) and say what is allowed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "content/topic.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

static const struct cmd_entry self = { .name = "test", .usage = "", .summary = "" };

/* stderr of the last call run through CAPTURE. */
static char err_text[4096];

static FILE *capture_begin(int *saved)
{
	FILE *f = tmpfile();

	assert_non_null(f);
	fflush(stderr);
	*saved = dup(STDERR_FILENO);
	dup2(fileno(f), STDERR_FILENO);
	return f;
}

static void capture_end(FILE *f, int saved)
{
	size_t n;

	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(f);
	n = fread(err_text, 1, sizeof(err_text) - 1, f);
	err_text[n] = '\0';
	fclose(f);
}

#define CAPTURE(expr)                                  \
	({                                             \
		int saved_, r_;                        \
		FILE *f_ = capture_begin(&saved_);     \
		r_ = (expr);                           \
		capture_end(f_, saved_);               \
		r_;                                    \
	})

static void assert_said(const char *part)
{
	if (!strstr(err_text, part))
		fail_msg("expected '%s' in: %s", part, err_text);
}

static void test_text_check(void **state)
{
	size_t at;

	(void)state;
	assert_int_equal(text_check("Bản tin số 1 — phòng chống bão", 500, &at), TEXT_OK);
	assert_int_equal(text_check("\xf0\x9f\x93\xa2 loa", 500, &at), TEXT_OK); /* an emoji */
	assert_int_equal(text_check("", 500, &at), TEXT_EMPTY);
	assert_int_equal(text_check("abcdef", 5, &at), TEXT_TOO_LONG);
	assert_int_equal(at, 6);
	/* "ả" is 3 bytes: the limit is in bytes, said so in the message. */
	assert_int_equal(text_check("ảảả", 8, &at), TEXT_TOO_LONG);
	assert_int_equal(text_check("ảảả", 9, &at), TEXT_OK);

	assert_int_equal(text_check("a\tb", 500, &at), TEXT_CONTROL);
	assert_int_equal(at, 1);
	assert_int_equal(text_check("a\nb", 500, &at), TEXT_CONTROL);
	assert_int_equal(text_check("\x1b[31mred", 500, &at), TEXT_CONTROL);
	assert_int_equal(text_check("x\x7f", 500, &at), TEXT_CONTROL);
	assert_int_equal(text_check("\xc2\x85x", 500, &at), TEXT_CONTROL);     /* NEL, C1 */
	assert_int_equal(text_check("a\xe2\x80\xae" "cba", 500, &at), TEXT_CONTROL); /* RLO */
	assert_int_equal(at, 1);
	assert_int_equal(text_check("a\xe2\x81\xa6x", 500, &at), TEXT_CONTROL); /* LRI */
	assert_int_equal(text_check("a\xe2\x80\xa8x", 500, &at), TEXT_CONTROL); /* LINE SEPARATOR */

	assert_int_equal(text_check("\xff\xfe", 500, &at), TEXT_NOT_UTF8);
	assert_int_equal(at, 0);
	assert_int_equal(text_check("ab\xc3", 500, &at), TEXT_NOT_UTF8); /* cut short */
	assert_int_equal(at, 2);
	assert_int_equal(text_check("\xc0\xaf", 500, &at), TEXT_NOT_UTF8);     /* overlong '/' */
	assert_int_equal(text_check("\xe0\x80\xaf", 500, &at), TEXT_NOT_UTF8); /* overlong '/' */
	assert_int_equal(text_check("\xf0\x80\x80\xaf", 500, &at), TEXT_NOT_UTF8);
	assert_int_equal(text_check("\xed\xa0\x80", 500, &at), TEXT_NOT_UTF8); /* a surrogate */
	assert_int_equal(text_check("\xf4\x90\x80\x80", 500, &at), TEXT_NOT_UTF8); /* > U+10FFFF */
	assert_int_equal(text_check("\xe1\xba", 500, &at), TEXT_NOT_UTF8);

}

static void test_text_clean(void **state)
{
	char *s;

	(void)state;
	s = text_clean("Bản tin.wav");
	assert_string_equal(s, "Bản tin.wav");
	free(s);
	s = text_clean("lat\xe9.wav");
	assert_string_equal(s, "lat\xef\xbf\xbd.wav");
	free(s);
	s = text_clean("a\x1b[2Jb\xe2\x80\xae");
	assert_string_equal(s, "a\xef\xbf\xbd[2Jb\xef\xbf\xbd");
	free(s);
}

static void test_quote(void **state)
{
	char q[TEXT_QUOTE_MAX], big[10241];
	size_t at;

	(void)state;
	assert_string_equal(text_quote("Bản tin số 1.mp3", q), "Bản tin số 1.mp3");
	assert_string_equal(text_quote("a\x1b[2Jb", q), "a\\x1b[2Jb");
	assert_string_equal(text_quote("a\nb\tc", q), "a\\nb\\tc");
	assert_string_equal(text_quote("lat\xe9", q), "lat\\xe9");
	assert_string_equal(text_quote("x\xe2\x80\xaey", q), "x\\xe2\\x80\\xaey");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big + sizeof(big) - 9, "/tin.wav", 8);
	text_quote(big, q);
	assert_true(strlen(q) < TEXT_QUOTE_MAX);
	assert_non_null(strstr(q, "10240 bytes"));
	/* The end of a long path is its file's name: it stays. */
	assert_non_null(strstr(q, "/tin.wav"));

	/* A cut never splits a Vietnamese letter. */
	for (size_t i = 0; i + 2 < sizeof(big); i += 2)
		memcpy(big + i, "\xc3\xa0", 2);
	big[sizeof(big) - 2] = '\0';
	text_quote(big, q);
	assert_int_equal(text_check(q, SIZE_MAX, &at), TEXT_OK);

	/* Control bytes all along (four bytes shown for each): the start,
	 * the marker and the end share the buffer, and nothing is written
	 * past it (the fuzzer's first find: tests/fuzz/regress/cli). */
	memset(big, 0x1f, 200);
	memcpy(big + 200, "/tin.wav", 9);
	text_quote(big, q);
	assert_true(strlen(q) < TEXT_QUOTE_MAX);
	assert_non_null(strstr(q, "208 bytes"));
	assert_int_equal(strncmp(q, "\\x1f", 4), 0);
}

static void test_parse_day(void **state)
{
	int32_t day = 0;

	(void)state;
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--from", "2026-11-23", &day)), 0);
	assert_int_equal(day, civil_to_days((struct civil){ 2026, 11, 23 }));
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--from", "2024-02-29", &day)), 0);
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "9999-12-31", &day)), 0);

	assert_int_equal(CAPTURE(cli_parse_day(&self, "--from", "2026-02-30", &day)), -EINVAL);
	assert_said("loa test: --from '2026-02-30': 2026-02 has days 01 to 28");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "2024-02-30", &day)), -EINVAL);
	assert_said("2024-02 has days 01 to 29");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "2026-04-31", &day)), -EINVAL);
	assert_said("2026-04 has days 01 to 30");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "2026-13-01", &day)), -EINVAL);
	assert_said("there is no month 13; months are 01 to 12");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "2026-00-10", &day)), -EINVAL);
	assert_said("there is no month 00");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "1969-12-31", &day)), -EINVAL);
	assert_said("from 1970-01-01 to 9999-12-31");
	assert_int_equal(CAPTURE(cli_parse_day(&self, "--to", "0000-01-01", &day)), -EINVAL);
	assert_said("from 1970-01-01 to 9999-12-31");

	static const char *const shapes[] = { "20261201", "", "2026-12-01x", " 2026-12-01", "2026-1-01",
		"+026-12-01", "2026/12/01", "99999-01-01", "2026-12-0\x1b", "2026-12-1 ", "２０２６-12-01" };
	for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		assert_int_equal(CAPTURE(cli_parse_day(&self, "--until", shapes[i], &day)), -EINVAL);
		assert_said("--until '");
		assert_said("is not a date; write it as YYYY-MM-DD");
		assert_null(strchr(err_text, '\x1b'));
	}
}

static void test_parse_numbers(void **state)
{
	int64_t id = 0;
	int n = 0;

	(void)state;
	assert_int_equal(CAPTURE(cli_parse_id(&self, "1", &id)), 0);
	assert_int_equal(id, 1);
	assert_int_equal(CAPTURE(cli_parse_id(&self, "9223372036854775807", &id)), 0);
	assert_int_equal(id, INT64_MAX);
	assert_int_equal(CAPTURE(cli_parse_id(&self, "007", &id)), 0);
	assert_int_equal(id, 7);

	static const char *const bad_ids[] = { "0", "-1", "1e3", "99999999999999999999", "9223372036854775808",
		"12abc", "", " 1", "1 ", "+1", "0x1", "1.0", "١" };
	for (size_t i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		assert_int_equal(CAPTURE(cli_parse_id(&self, bad_ids[i], &id)), -EINVAL);
		assert_said("is not a bulletin id: an id is a whole number from 1 up");
	}

	assert_int_equal(CAPTURE(cli_parse_count(&self, "--days", "7", 1, 3660, &n)), 0);
	assert_int_equal(n, 7);
	assert_int_equal(CAPTURE(cli_parse_count(&self, "--days", "3660", 1, 3660, &n)), 0);
	static const char *const bad_counts[] = { "0", "3661", "-1", "1e3", "99999999999999999999",
		"2147483648", "12abc", "", " 1", "+1" };
	for (size_t i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++) {
		assert_int_equal(CAPTURE(cli_parse_count(&self, "--days", bad_counts[i], 1, 3660, &n)), -EINVAL);
		assert_said("--days '");
		assert_said("must be a whole number from 1 to 3660");
	}
}

static void test_check_path(void **state)
{
	char *name = malloc(NAME_MAX + 2), *path = malloc(PATH_MAX + 1);

	(void)state;
	assert_int_equal(CAPTURE(cli_check_path(&self, "FILE", "Bản tin số 1.mp3")), 0);
	assert_int_equal(CAPTURE(cli_check_path(&self, "FILE", "-x.wav")), 0);
	assert_int_equal(CAPTURE(cli_check_path(&self, "-o", "")), -EINVAL);
	assert_said("loa test: -o is empty");

	memset(name, 'a', NAME_MAX);
	name[NAME_MAX] = '\0';
	assert_int_equal(CAPTURE(cli_check_path(&self, "FILE", name)), 0);
	name[NAME_MAX] = 'a';
	name[NAME_MAX + 1] = '\0';
	assert_int_equal(CAPTURE(cli_check_path(&self, "FILE", name)), -ENAMETOOLONG);
	assert_said("a name in it is 256 bytes long, and the system takes at most 255 per name");

	for (size_t i = 0; i < PATH_MAX; i += 2)
		memcpy(path + i, "a/", 2);
	path[PATH_MAX] = '\0';
	assert_int_equal(CAPTURE(cli_check_path(&self, "--db", path)), -ENAMETOOLONG);
	assert_said("the path is 4096 bytes long, and the system takes at most 4095");
	free(name);
	free(path);
}

static const struct option opts[] = {
	{ "from", required_argument, NULL, 'f' },
	{ "format", required_argument, NULL, 'F' },
	{ "slot", required_argument, NULL, 's' },
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 },
};

static void test_option_once(void **state)
{
	uint64_t seen = 0;

	(void)state;
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, 'f', &seen)), 0);
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, 'F', &seen)), 0);
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, 'j', &seen)), 0);
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, 'j', &seen)), 0); /* a flag may repeat */
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, 'f', &seen)), -EINVAL);
	assert_said("--from is given twice; give it once");
	assert_int_equal(CAPTURE(cli_option_once(&self, opts, '?', &seen)), 0);
}

/* Runs getopt_long over "test" and the ARGS (up to NULL) and
 * cli_bad_option on the first bad option. */
static int bad_option(const char *first, ...)
{
	char *argv[8] = { xstrdup("test") };
	int argc = 1, c, r = 0;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a && argc < 7; a = va_arg(ap, const char *))
		argv[argc++] = xstrdup(a);
	va_end(ap);
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			r = CAPTURE(cli_bad_option(&self, c, argv, opts));
			break;
		}
	}
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	return r;
}

static void test_bad_option(void **state)
{
	(void)state;
	assert_int_equal(bad_option("--bogus", NULL), EXIT_USAGE);
	assert_said("option '--bogus' is not known");
	assert_said("usage: loa test");
	assert_int_equal(bad_option("--from", NULL), EXIT_USAGE);
	assert_said("option '--from' needs a value");
	assert_int_equal(bad_option("--f", "x", NULL), EXIT_USAGE);
	assert_said("option '--f' is ambiguous: it could be --from, --format");
	assert_int_equal(bad_option("-1", NULL), EXIT_USAGE);
	assert_said("'-1' is not an option, and negative numbers are not allowed here");
	assert_int_equal(bad_option("-q", NULL), EXIT_USAGE);
	assert_said("option '-q' is not known");
	assert_int_equal(bad_option("--config", "x", NULL), EXIT_USAGE);
	assert_said("--config goes before the command");
	assert_int_equal(bad_option("--\x1b[2J", NULL), EXIT_USAGE);
	assert_said("option '--\\x1b[2J' is not known");
	assert_null(strchr(err_text, '\x1b'));
}

static void test_topic(void **state)
{
	(void)state;
	assert_true(topic_valid("1"));
	assert_true(topic_valid("6"));
	assert_true(topic_valid("an-ninh"));
	assert_true(topic_valid("phong-chong-bao-2026"));
	assert_false(topic_valid("0"));
	assert_false(topic_valid("7"));
	assert_false(topic_valid("01"));
	assert_false(topic_valid("12"));
	assert_false(topic_valid(""));
	assert_false(topic_valid("-x"));
	assert_false(topic_valid("An-ninh"));
	assert_false(topic_valid("an ninh"));
	assert_false(topic_valid("ăn"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_check), cmocka_unit_test(test_text_clean),
		cmocka_unit_test(test_quote), cmocka_unit_test(test_parse_day),
		cmocka_unit_test(test_parse_numbers), cmocka_unit_test(test_check_path),
		cmocka_unit_test(test_option_once), cmocka_unit_test(test_bad_option),
		cmocka_unit_test(test_topic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
