/* web/: the parts of the console that decide without a network: which
 * route a request meets (and that ids are never paths), the words table
 * (every word in both languages, formats taking only strings), the login
 * throttle's waits, HTML escaping and form decoding. The console as a
 * whole is driven by tests/e2e/t_web.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "web/html.h"
#include "web/progress.h"
#include "web/router.h"
#include "web/throttle.h"
#include "web/web.h"
#include "web/words.h"

static const struct web_route *match(const char *method, const char *path, char **arg, int64_t *id, bool *wrong)
{
	free(*arg);
	*arg = NULL;
	*id = 0;
	return router_match(method, path, arg, id, wrong);
}

static void test_routes_find_ids_and_names(void **state)
{
	const struct web_route *r;
	char *arg = NULL;
	int64_t id;
	bool wrong;

	(void)state;
	r = match("GET", "/api/v1/bulletins/12/audio", &arg, &id, &wrong);
	assert_non_null(r);
	assert_int_equal(id, 12);
	assert_int_equal(r->action, AUTH_VIEW);
	r = match("POST", "/api/v1/bulletins", &arg, &id, &wrong);
	assert_non_null(r);
	assert_int_equal(r->action, AUTH_CONTENT);
	assert_int_equal(r->body, WEB_BODY_MULTIPART);
	r = match("PATCH", "/api/v1/slots/chieu-cn", &arg, &id, &wrong);
	assert_non_null(r);
	assert_string_equal(arg, "chieu-cn");
	assert_int_equal(r->action, AUTH_SLOTS);
	r = match("POST", "/api/v1/stop", &arg, &id, &wrong);
	assert_non_null(r);
	assert_int_equal(r->action, AUTH_AIR);
	r = match("GET", "/accounts", &arg, &id, &wrong);
	assert_non_null(r);
	assert_int_equal(r->action, AUTH_ACCOUNTS);
	/* HEAD is GET without the body. */
	assert_non_null(match("HEAD", "/login", &arg, &id, &wrong));
	/* Only login needs no session among the changes. */
	r = match("POST", "/api/v1/login", &arg, &id, &wrong);
	assert_true(r->flags & ROUTE_PUBLIC);
	assert_true(r->flags & ROUTE_NO_CSRF);
	r = match("POST", "/api/v1/logout", &arg, &id, &wrong);
	assert_false(r->flags & (ROUTE_PUBLIC | ROUTE_NO_CSRF));
	free(arg);
}

static void test_routes_refuse_paths_for_ids(void **state)
{
	static const char *const bad[] = {
		"/api/v1/bulletins/0/audio", "/api/v1/bulletins/01/audio", "/api/v1/bulletins/-1/audio",
		"/api/v1/bulletins/+1/audio", "/api/v1/bulletins/1a/audio", "/api/v1/bulletins/../audio",
		"/api/v1/bulletins/1/../2/audio", "/api/v1/bulletins//audio", "/api/v1/bulletins/1/audio/",
		"/api/v1/bulletins/99999999999999999999/audio", "/library/..", "/library/1/", "/static/../loa.db",
		"/api/v1/slots/", "/", "//", "/api/v1/bulletins/1/audio?x",
	};
	char *arg = NULL;
	int64_t id;
	bool wrong;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const struct web_route *r = match("GET", bad[i], &arg, &id, &wrong);

		if (r && strcmp(bad[i], "/") == 0)
			continue; /* the status page */
		if (r)
			fail_msg("%s matched %s %s", bad[i], r->method, r->pattern);
		assert_false(wrong);
	}
	/* The path exists, the method does not: 405, not 404. */
	assert_null(match("GET", "/library/upload", &arg, &id, &wrong));
	assert_true(wrong);
	assert_null(match("DELETE", "/api/v1/bulletins", &arg, &id, &wrong));
	assert_true(wrong);
	free(arg);
}

static void test_ids_are_plain_decimals(void **state)
{
	int64_t id;

	(void)state;
	assert_int_equal(router_parse_id("1", &id), 0);
	assert_int_equal(id, 1);
	assert_int_equal(router_parse_id("9223372036854775807", &id), 0);
	assert_int_equal(id, INT64_MAX);
	assert_int_equal(router_parse_id("9223372036854775808", &id), -EINVAL);
	assert_int_equal(router_parse_id("", &id), -EINVAL);
	assert_int_equal(router_parse_id(" 1", &id), -EINVAL);
	assert_int_equal(router_parse_id("1 ", &id), -EINVAL);
	assert_int_equal(router_parse_id("0x1", &id), -EINVAL);
	assert_int_equal(router_parse_id(NULL, &id), -EINVAL);
	assert_true(router_changes("POST"));
	assert_true(router_changes("PATCH"));
	assert_true(router_changes("DELETE"));
	assert_false(router_changes("GET"));
	assert_false(router_changes("HEAD"));
}

/* Every word has both languages, and a format takes only strings (web_say
 * is called with strings, the compiler cannot check a table). */
static void test_every_word_in_both_languages(void **state)
{
	char buf[64];

	(void)state;
	for (int w = 0; w < W_COUNT; w++) {
		for (int l = WEB_VI; l <= WEB_EN; l++) {
			const char *s = web_word((enum web_lang)l, (enum web_word)w);

			if (!s || !*s || strcmp(s, "?") == 0)
				fail_msg("word %d has no %s text", w, l == WEB_VI ? "Vietnamese" : "English");
			for (const char *p = strchr(s, '%'); p; p = strchr(p + 2, '%'))
				if (p[1] != 's' && p[1] != '%')
					fail_msg("word %d (%s) has a format other than %%s: %s", w, l ? "en" : "vi", s);
		}
		/* Both languages take the same number of arguments. */
		int nv = 0, ne = 0;

		for (const char *p = web_word(WEB_VI, (enum web_word)w); (p = strstr(p, "%s")); p += 2)
			nv++;
		for (const char *p = web_word(WEB_EN, (enum web_word)w); (p = strstr(p, "%s")); p += 2)
			ne++;
		if (nv != ne)
			fail_msg("word %d takes %d argument(s) in Vietnamese, %d in English", w, nv, ne);
	}
	assert_string_equal(web_word(WEB_VI, W_STOP), "Dừng phát");
	assert_string_equal(web_word(WEB_VI, W_EMERGENCY), "Phát khẩn cấp");
	assert_string_equal(web_word(WEB_VI, W_ROLE_OPERATOR), "phát thanh viên");
	assert_string_equal(web_say(buf, sizeof(buf), WEB_EN, W_E_LOGIN_WAIT, "4"),
			    "Too many failed logins; try again in 4 seconds.");
}

static void test_throttle_waits_after_five_failures(void **state)
{
	struct throttle *t = throttle_new();
	int64_t now = 1000000;

	(void)state;
	for (int i = 0; i < THROTTLE_FREE - 1; i++)
		throttle_fail(t, "quantri", "10.0.0.2", now);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), 0);
	throttle_fail(t, "quantri", "10.0.0.2", now);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), 1);
	/* The name waits from any address, the address for any name. */
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.9", now), 1);
	assert_int_equal(throttle_wait(t, "khac", "10.0.0.2", now), 1);
	assert_int_equal(throttle_wait(t, "khac", "10.0.0.9", now), 0);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now + 1000), 0);
	/* Doubling, to the cap. */
	throttle_fail(t, "quantri", "10.0.0.2", now);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), 2);
	throttle_fail(t, "quantri", "10.0.0.2", now);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), 4);
	for (int i = 0; i < 40; i++)
		throttle_fail(t, "quantri", "10.0.0.2", now);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), THROTTLE_MAX_WAIT_S);
	/* A success forgets both. */
	throttle_ok(t, "quantri", "10.0.0.2");
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.2", now), 0);
	throttle_free(t);
}

static void test_throttle_table_stays_bounded(void **state)
{
	struct throttle *t = throttle_new();
	char name[32];

	(void)state;
	for (int i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "quantri", "10.0.0.2", 0);
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.9", 0), 1);
	/* Made-up names by the thousand fill the table and push out the
	 * oldest entries: memory does not grow. */
	for (int i = 1; i <= 2 * THROTTLE_SLOTS; i++) {
		snprintf(name, sizeof(name), "x%d", i);
		throttle_fail(t, name, "10.0.0.3", i);
	}
	assert_int_equal(throttle_wait(t, "quantri", "10.0.0.9", 0), 0);
	/* And a full table still counts a newcomer's failures. */
	for (int i = 0; i < THROTTLE_FREE; i++)
		throttle_fail(t, "moi", "10.0.0.3", 3 * THROTTLE_SLOTS);
	assert_int_equal(throttle_wait(t, "moi", "10.0.0.9", 3 * THROTTLE_SLOTS), 1);
	throttle_free(t);
}

static char *escaped(const char *s)
{
	struct web_buf b;

	web_buf_open(&b);
	html_text(b.f, s);
	web_buf_close(&b);
	return b.p;
}

static void test_text_is_escaped(void **state)
{
	struct web_buf b;
	char *s;

	(void)state;
	s = escaped("<img src=x onerror=alert(1)> & \"'");
	assert_string_equal(s, "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;&#39;");
	free(s);
	s = escaped("Bản tin số 12");
	assert_string_equal(s, "Bản tin số 12");
	free(s);
	web_buf_open(&b);
	html_url(b.f, "/library?q=a b&x=ủ");
	web_buf_close(&b);
	assert_string_equal(b.p, "%2Flibrary%3Fq%3Da%20b%26x%3D%E1%BB%A7");
	free(b.p);
}

static void test_forms_decode(void **state)
{
	struct web_fields f = { 0 };

	const char *body = "title=B%E1%BA%A3n+tin&slot=sang&slot=chieu&empty=&bare&bad=%zz%4";

	(void)state;
	web_fields_parse(&f, body, strlen(body));
	assert_int_equal(f.n, 6);
	assert_string_equal(f.v[0].name, "title");
	assert_string_equal(f.v[0].value, "Bản tin");
	assert_string_equal(f.v[1].value, "sang");
	assert_string_equal(f.v[2].value, "chieu");
	assert_string_equal(f.v[3].value, "");
	assert_string_equal(f.v[4].name, "bare");
	assert_string_equal(f.v[5].value, "%zz%4");
	web_fields_done(&f);
}

/* The upload progress table (#20): keys are long and plain, a report is
 * read back by its own account only, the end is told, and a full table
 * reuses its oldest slot rather than growing. */
static void test_upload_progress(void **state)
{
	struct web_progress_hook a = { "0123456789abcdef", "quantri" }, b = { "fedcba9876543210", "khac" };
	enum progress_stage st;
	double done;
	bool ended;
	bool wrong;
	char *arg = NULL;
	int64_t id;

	(void)state;
	assert_false(web_progress_key_ok(NULL));
	assert_false(web_progress_key_ok("short"));
	assert_false(web_progress_key_ok("0123456789abcdef/"));
	assert_false(web_progress_key_ok("../../0123456789abcdef"));
	assert_false(web_progress_key_ok("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"));
	assert_true(web_progress_key_ok("0123456789abcdef"));
	assert_false(web_progress_get(a.key, "quantri", &st, &done, &ended));

	web_progress_report(&a, PROGRESS_ANALYSING, 0.25);
	web_progress_report(&b, PROGRESS_ANALYSING, 0.75);
	assert_true(web_progress_get(a.key, "quantri", &st, &done, &ended));
	assert_int_equal(st, PROGRESS_ANALYSING);
	assert_true(done == 0.25 && !ended);
	assert_false(web_progress_get(a.key, "khac", &st, &done, &ended)); /* another account's */
	web_progress_report(&a, PROGRESS_STORING, 1.0);
	web_progress_end(&a);
	assert_true(web_progress_get(a.key, "quantri", &st, &done, &ended));
	assert_true(st == PROGRESS_STORING && done == 1.0 && ended);
	assert_true(web_progress_get(b.key, "khac", &st, &done, &ended));
	assert_true(done == 0.75 && !ended);

	/* A hundred more imports: the table stays bounded, the newest is there. */
	for (int i = 0; i < 100; i++) {
		struct web_progress_hook h = { "", "quantri" };

		snprintf(h.key, sizeof(h.key), "key%016d", i);
		web_progress_report(&h, PROGRESS_ANALYSING, i / 100.0);
	}
	assert_true(web_progress_get("key0000000000000099", "quantri", &st, &done, &ended));
	assert_false(web_progress_get("key0000000000000000", "quantri", &st, &done, &ended));

	assert_non_null(match("GET", "/api/v1/uploads/progress", &arg, &id, &wrong));
	free(arg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_routes_find_ids_and_names),
		cmocka_unit_test(test_routes_refuse_paths_for_ids),
		cmocka_unit_test(test_ids_are_plain_decimals),
		cmocka_unit_test(test_every_word_in_both_languages),
		cmocka_unit_test(test_throttle_waits_after_five_failures),
		cmocka_unit_test(test_throttle_table_stays_bounded),
		cmocka_unit_test(test_text_is_escaped),
		cmocka_unit_test(test_forms_decode),
		cmocka_unit_test(test_upload_progress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
