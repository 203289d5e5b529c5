/* Tests of relay sources (content/sources.c) and of relay slots: a source
 * keeps its URLs in the order given, refuses what FFmpeg should never be
 * pointed at, cannot be removed while a slot relays it, and every change
 * is one audit entry in the same transaction; a relay slot needs a
 * window and takes no bulletin options; the planner gives its window as
 * one element. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "content/slots.h"
#include "content/sources.h"
#include "db/db.h"
#include "scheduler/plan.h"
#include "tests/fixture.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

struct fx {
	char dir[96];
	struct db *db;
	struct config *cfg;
	char msg[1024];
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct strlist errs = { 0 };
	char msg[512], *path, *text;
	FILE *fp;

	*state = f;
	if (!fixture_tmpdir(f->dir, sizeof(f->dir), "sources"))
		return -1;
	path = xasprintf("%s/loa.conf", f->dir);
	text = xasprintf("station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
			 "paths = { state_dir = \"%s/state\"; };\n", f->dir);
	fp = fopen(path, "w");
	fputs(text, fp);
	fclose(fp);
	free(text);
	if (config_load(path, &f->cfg, &errs) < 0)
		return -1;
	free(path);
	strlist_done(&errs);
	time_set_zone("Asia/Ho_Chi_Minh");
	return db_open(f->cfg->state_dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	config_free(f->cfg);
	fixture_rmtree(f->dir);
	free(f);
	return 0;
}

static int64_t sql_int(struct fx *f, const char *sql)
{
	return fixture_int(db_sqlite(f->db), sql);
}

static char *urls_vov[] = { (char *)"https://str.example.vn/vov1/playlist.m3u8",
			    (char *)"http://127.0.0.1:8000/vov1.mp3" };

static struct source vov1(void)
{
	return (struct source){ .name = (char *)"vov1", .title = (char *)"Thời sự VOV1", .topic = (char *)"1",
				.urls = urls_vov, .n_urls = 2 };
}

static void test_stream_source_round_trip(void **state)
{
	struct fx *f = *state;
	struct source s = vov1(), got;

	assert_int_equal(sources_add(f->db, &s, "hoang", f->msg, sizeof(f->msg)), 0);
	assert_int_equal(sources_get(f->db, "vov1", &got), 0);
	assert_string_equal(got.title, "Thời sự VOV1");
	assert_string_equal(got.topic, "1");
	assert_null(got.capture);
	assert_int_equal(got.n_urls, 2);
	/* In the order given: the first is the one preferred. */
	assert_string_equal(got.urls[0], urls_vov[0]);
	assert_string_equal(got.urls[1], urls_vov[1]);
	assert_int_equal(source_n_inputs(&got), 2);
	assert_string_equal(source_input(&got, 1), urls_vov[1]);
	source_done(&got);
	assert_int_equal(sources_get(f->db, "vov2", &got), -ENOENT);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'source-add' AND actor = 'hoang'"
				    " AND target = 'vov1'"), 1);
	/* A name is taken once. */
	assert_int_equal(sources_add(f->db, &s, "hoang", f->msg, sizeof(f->msg)), -EINVAL);
	assert_non_null(strstr(f->msg, "there is a source 'vov1' already"));
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit"), 1);
}

static void test_capture_source_titled_by_its_name(void **state)
{
	struct fx *f = *state;
	struct source s = { .name = (char *)"radio", .capture = (char *)"plughw:1,0" }, got;

	assert_int_equal(sources_add(f->db, &s, "hoang", f->msg, sizeof(f->msg)), 0);
	assert_int_equal(sources_get(f->db, "radio", &got), 0);
	assert_string_equal(got.capture, "plughw:1,0");
	assert_int_equal(got.n_urls, 0);
	assert_string_equal(source_title(&got), "radio");
	assert_int_equal(source_n_inputs(&got), 1);
	assert_string_equal(source_input(&got, 0), "plughw:1,0");
	source_done(&got);
}

static void expect_refused(struct fx *f, const struct source *s, const char *frag)
{
	assert_int_equal(sources_check(f->db, s, true, f->msg, sizeof(f->msg)), -EINVAL);
	if (!strstr(f->msg, frag))
		fail_msg("\"%s\" does not say \"%s\"", f->msg, frag);
}

static void test_what_a_source_refuses(void **state)
{
	struct fx *f = *state;
	char *file[] = { (char *)"file:///etc/passwd" }, *pipe[] = { (char *)"pipe:0" },
	     *bare[] = { (char *)"127.0.0.1:8000/x.mp3" }, *nohost[] = { (char *)"http:///x.mp3" },
	     *twice[] = { (char *)"http://a/x", (char *)"http://a/x" }, *space[] = { (char *)"http://a/x y" },
	     *many[SOURCES_URLS_MAX + 1];
	struct source s = { .name = (char *)"a", .urls = file, .n_urls = 1 };

	expect_refused(f, &s, "--url 'file:///etc/passwd' is not a stream address");
	s.urls = pipe;
	expect_refused(f, &s, "is not a stream address");
	s.urls = bare;
	expect_refused(f, &s, "is not a stream address");
	s.urls = nohost;
	expect_refused(f, &s, "is not a stream address");
	s.urls = space;
	expect_refused(f, &s, "is not a stream address");
	s.urls = twice;
	s.n_urls = 2;
	expect_refused(f, &s, "is given twice");
	for (size_t i = 0; i <= SOURCES_URLS_MAX; i++)
		many[i] = xasprintf("http://h/%zu", i);
	s.urls = many;
	s.n_urls = SOURCES_URLS_MAX + 1;
	expect_refused(f, &s, "at most 8 are tried");
	for (size_t i = 0; i <= SOURCES_URLS_MAX; i++)
		free(many[i]);
	s.urls = NULL;
	s.n_urls = 0;
	expect_refused(f, &s, "needs --url URL");
	s.capture = (char *)"hw:1";
	s.urls = bare;
	s.n_urls = 1;
	expect_refused(f, &s, "not both");
	s.urls = NULL;
	s.n_urls = 0;
	s.capture = (char *)"hw 1";
	expect_refused(f, &s, "not an ALSA device name");
	s.capture = (char *)"hw:1";
	s.name = (char *)"vov 1";
	expect_refused(f, &s, "is not a name loa takes");
	s.name = (char *)"a";
	s.topic = (char *)"Thời sự";
	expect_refused(f, &s, "is not a topic");
	s.topic = NULL;
	s.title = (char *)"line\nbreak";
	expect_refused(f, &s, "is not a title loa takes");
	s.title = NULL;
	assert_int_equal(sources_check(f->db, &s, true, f->msg, sizeof(f->msg)), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sources"), 0);
}

static struct slot relay_slot(const char *relay, int max_minutes)
{
	return (struct slot){ .name = (char *)"thoi-su", .start_sec = 6 * 3600, .days = DAYS_ALL,
			      .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER,
			      .max_minutes = max_minutes, .relay = (char *)relay,
			      .source = SLOT_FROM_DATABASE };
}

static void test_relay_slot_needs_a_source_and_a_window(void **state)
{
	struct fx *f = *state;
	struct source s = vov1();
	struct slot sl = relay_slot("vov1", 30), *v;
	char *topics[] = { (char *)"1", NULL };
	size_t n;

	assert_int_equal(slots_add(f->db, f->cfg, &sl, "hoang", f->msg, sizeof(f->msg)), -EINVAL);
	assert_non_null(strstr(f->msg, "--relay 'vov1': there is no such source"));
	assert_int_equal(sources_add(f->db, &s, "hoang", f->msg, sizeof(f->msg)), 0);
	sl.max_minutes = 0;
	assert_int_equal(slots_add(f->db, f->cfg, &sl, "hoang", f->msg, sizeof(f->msg)), -EINVAL);
	assert_non_null(strstr(f->msg, "--relay needs --max-minutes"));
	sl.max_minutes = 30;
	sl.topics = topics;
	sl.n_topics = 1;
	assert_int_equal(slots_add(f->db, f->cfg, &sl, "hoang", f->msg, sizeof(f->msg)), -EINVAL);
	assert_non_null(strstr(f->msg, "takes no --intro, --outro or --topic"));
	sl.topics = NULL;
	sl.n_topics = 0;
	assert_int_equal(slots_add(f->db, f->cfg, &sl, "hoang", f->msg, sizeof(f->msg)), 0);
	assert_int_equal(slots_load(f->db, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].relay, "vov1");
	assert_true(slot_same(&v[0], &sl));
	slots_free(v, n);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'slot-add' AND detail LIKE"
				    " '%; relay vov1'"), 1);

	/* The source cannot go while the slot relays it; once the slot
	 * relays nothing, it can. */
	assert_int_equal(sources_remove(f->db, "vov1", "hoang", f->msg, sizeof(f->msg)), -EBUSY);
	assert_non_null(strstr(f->msg, "slot 'thoi-su' relays source 'vov1'"));
	sl.relay = NULL;
	assert_int_equal(slots_update(f->db, f->cfg, &sl, "hoang", f->msg, sizeof(f->msg)), 0);
	assert_int_equal(sources_remove(f->db, "vov1", "lan", f->msg, sizeof(f->msg)), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM sources"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM source_urls"), 0);
	assert_int_equal(sql_int(f, "SELECT count(*) FROM audit WHERE action = 'source-remove' AND actor = 'lan'"),
			 1);
	assert_int_equal(sources_remove(f->db, "vov1", "lan", f->msg, sizeof(f->msg)), -ENOENT);
}

/* The planner gives a relay slot's window as one element of its length,
 * whatever bulletins the library holds; `loa next` and the daemon see it. */
static void test_plan_relay_window(void **state)
{
	struct fx *f = *state;
	struct slot sl = relay_slot("vov1", 30);
	struct plan p = { 0 };
	int32_t day = civil_to_days((struct civil){ 2027, 1, 4 });

	plan_occurrence(f->cfg, &sl, day, NULL, 0, &p);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].part, PART_RELAY);
	assert_null(p.v[0].bulletin);
	assert_int_equal(p.v[0].at, time_local_ms(day, 6 * 3600));
	assert_int_equal(p.v[0].expected_ms, 30 * 60000);
	assert_false(p.v[0].skipped);
	plan_done(&p);
}

static void test_json(void **state)
{
	struct fx *f = *state;
	struct source s = vov1();
	char *buf = NULL;
	size_t len = 0;
	FILE *mf = open_memstream(&buf, &len);
	struct json j;

	(void)f;
	json_init(&j, mf);
	sources_json(&j, &s);
	fclose(mf);
	assert_string_equal(buf, "{\"name\":\"vov1\",\"title\":\"Thời sự VOV1\",\"topic\":\"1\",\"kind\":\"stream\","
				 "\"urls\":[\"https://str.example.vn/vov1/playlist.m3u8\","
				 "\"http://127.0.0.1:8000/vov1.mp3\"],\"capture\":null}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stream_source_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_source_titled_by_its_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_what_a_source_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_slot_needs_a_source_and_a_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plan_relay_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
