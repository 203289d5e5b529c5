/* Tests of the programme as data (content/slots.c): a database slot keeps
 * every field, stands beside loa.conf's without taking their names, plays
 * its intro from the content store, and every change is one audit entry
 * in the same transaction; and of the nested transactions that make that
 * possible (db/db.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "content/library.h"
#include "content/slots.h"
#include "db/db.h"
#include "ledger/audit.h"
#include "tests/fixture.h"
#include "util/json.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define HASH_A "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"

struct fx {
	char dir[96];
	struct db *db;
	struct config *cfg;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct strlist errs = { 0 };
	char msg[512], *path, *text;
	FILE *fp;

	*state = f;
	if (!fixture_tmpdir(f->dir, sizeof(f->dir), "slots"))
		return -1;
	path = xasprintf("%s/loa.conf", f->dir);
	text = xasprintf("station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
			 "paths = { state_dir = \"%s/state\"; };\n"
			 "limits = { earliest = \"05:00\"; latest = \"21:00\"; };\n"
			 "slots = ( { name = \"sang\"; start = \"05:30\"; days = [\"mon\"]; } );\n", f->dir);
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

static int64_t add_bulletin(struct fx *f, const char *title)
{
	struct bulletin b = {
		.title = (char *)title, .valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER,
		.sha256 = HASH_A, .path = (char *)"/elsewhere/" HASH_A ".wav", .source_name = (char *)"c.wav",
		.audio = { .frames = 48000, .duration_ms = 1000, .sample_rate = 48000, .channels = 2,
			   .format = "WAV" },
		.imported_at = time_now_ms(),
	};

	assert_int_equal(library_add(f->db, &b), 0);
	return b.id;
}

static struct slot a_slot(const char *name)
{
	return (struct slot){ .name = (char *)name, .start_sec = 17 * 3600, .days = 0x1f, .max_minutes = 30,
			      .from_day = DAY_NONE_BEFORE, .until_day = DAY_NONE_AFTER,
			      .source = SLOT_FROM_DATABASE };
}

static void test_days_parse_and_print(void **state)
{
	unsigned d;
	char buf[64];

	(void)state;
	assert_int_equal(slots_days_parse("daily", &d), 0);
	assert_int_equal(d, DAYS_ALL);
	assert_int_equal(slots_days_parse("mon,wed,sun", &d), 0);
	assert_int_equal(d, 1u | 4u | 64u);
	assert_string_equal(slots_days_text(d, buf, sizeof(buf)), "mon,wed,sun");
	assert_string_equal(slots_days_text(DAYS_ALL, buf, sizeof(buf)), "daily");
	assert_int_equal(slots_days_parse("mon,mon", &d), -EINVAL);
	assert_int_equal(slots_days_parse("mon,", &d), -EINVAL);
	assert_int_equal(slots_days_parse("", &d), -EINVAL);
	assert_int_equal(slots_days_parse("monday", &d), -EINVAL);
	assert_int_equal(slots_days_parse("mon,,tue", &d), -EINVAL);
}

static void test_a_slot_keeps_every_field_and_is_audited(void **state)
{
	struct fx *f = *state;
	int32_t skips[] = { 20000, 20005 };
	char *topics[] = { (char *)"3", (char *)"an-ninh", NULL };
	int64_t chime = add_bulletin(f, "chime");
	struct slot s = a_slot("chieu"), *v;
	char msg[512];
	size_t n;

	s.from_day = 19000;
	s.until_day = 21000;
	s.skip_days = skips;
	s.n_skip = 2;
	s.topics = topics;
	s.n_topics = 2;
	s.intro_id = chime;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), 0);
	assert_int_equal(slots_load(f->db, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].name, "chieu");
	assert_int_equal(v[0].start_sec, 17 * 3600);
	assert_int_equal(v[0].days, 0x1f);
	assert_int_equal(v[0].from_day, 19000);
	assert_int_equal(v[0].until_day, 21000);
	assert_int_equal(v[0].max_minutes, 30);
	assert_int_equal(v[0].n_skip, 2);
	assert_int_equal(v[0].skip_days[1], 20005);
	assert_int_equal(v[0].n_topics, 2);
	assert_string_equal(v[0].topics[1], "an-ninh");
	assert_int_equal(v[0].intro_id, chime);
	assert_int_equal(v[0].source, SLOT_FROM_DATABASE);
	slots_free(v, n);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM audit WHERE actor = 'nam'"
				     " AND action = 'slot-add' AND target = 'chieu'"), 1);
}

static void test_merge_puts_the_intro_in_the_store(void **state)
{
	struct fx *f = *state;
	struct slot s = a_slot("chieu");
	char msg[512], *want;
	const struct slot *m;

	s.intro_id = add_bulletin(f, "chime");
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), 0);
	assert_int_equal(slots_merge(f->cfg, f->db), 0);
	assert_int_equal(f->cfg->n_slots, 2);
	assert_int_equal(f->cfg->slots[0].source, SLOT_FROM_CONFIG);
	m = config_slot(f->cfg, "chieu");
	assert_non_null(m);
	/* The store's file for the hash, whatever the path column says. */
	want = xasprintf("%s/content/%s.wav", f->cfg->state_dir, HASH_A);
	assert_string_equal(m->intro, want);
	assert_int_equal(m->intro_ms, 1000);
	free(want);
	/* Merging again replaces, it does not add. */
	assert_int_equal(slots_merge(f->cfg, f->db), 0);
	assert_int_equal(f->cfg->n_slots, 2);
	assert_int_equal(slots_merge(f->cfg, NULL), 0);
	assert_int_equal(f->cfg->n_slots, 1);
}

static void test_config_slots_are_read_only(void **state)
{
	struct fx *f = *state;
	struct slot s = a_slot("sang");
	char msg[512];

	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "loa.conf"));
	assert_int_equal(slots_update(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EPERM);
	assert_int_equal(slots_remove(f->db, f->cfg, "sang", "nam", msg, sizeof(msg)), -EPERM);
	assert_int_equal(slots_remove(f->db, f->cfg, "nope", "nam", msg, sizeof(msg)), -ENOENT);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM audit"), 0);
}

static void test_refusals_store_nothing(void **state)
{
	struct fx *f = *state;
	int64_t id = add_bulletin(f, "old");
	struct slot s;
	char msg[512];
	char *bad_topic[] = { (char *)"Bad Topic", NULL };

	s = a_slot("a b");
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	s = a_slot("x");
	s.start_sec = 4 * 3600; /* before limits.earliest */
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "--start"));
	s = a_slot("x");
	s.intro_id = 999;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "--intro"));
	assert_int_equal(library_retire(f->db, id, time_now_ms(), "nam"), 0);
	s.intro_id = id;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "retired"));
	s = a_slot("x");
	s.from_day = 21000;
	s.until_day = 20000;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	s = a_slot("x");
	s.topics = bad_topic;
	s.n_topics = 1;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	s = a_slot("x");
	s.days = 0;
	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), -EINVAL);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM slots"), 0);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM audit WHERE action LIKE 'slot-%'"), 0);
}

static void test_edit_and_remove_say_what_changed(void **state)
{
	struct fx *f = *state;
	struct slot s = a_slot("chieu");
	char msg[512];
	struct slot *v;
	size_t n;

	assert_int_equal(slots_add(f->db, f->cfg, &s, "nam", msg, sizeof(msg)), 0);
	assert_int_equal(slots_merge(f->cfg, f->db), 0);
	s.start_sec = 18 * 3600;
	assert_int_equal(slots_update(f->db, f->cfg, &s, "lan", msg, sizeof(msg)), 0);
	assert_int_equal(slots_load(f->db, &v, &n), 0);
	assert_int_equal(v[0].start_sec, 18 * 3600);
	slots_free(v, n);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM audit WHERE action = 'slot-edit'"
				     " AND actor = 'lan' AND detail LIKE 'start 17:00:00%-> start 18:00:00%'"), 1);
	assert_int_equal(slots_remove(f->db, f->cfg, "chieu", "lan", msg, sizeof(msg)), 0);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM slots"), 0);
	assert_int_equal(fixture_int(db_sqlite(f->db), "SELECT count(*) FROM audit"), 3);
}

static void test_same_slots_compare_equal(void **state)
{
	struct fx *f = *state;
	struct config *c = config_dup(f->cfg);

	assert_true(slots_same(f->cfg, c));
	c->slots[0].start_sec++;
	assert_false(slots_same(f->cfg, c));
	config_free(c);
}

static void test_nested_transactions_commit_together(void **state)
{
	struct fx *f = *state;
	sqlite3 *h = db_sqlite(f->db);

	/* An inner commit only counts; the outer one writes both. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, "nam", "test", "1", NULL), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, "nam", "test", "2", NULL), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_false(sqlite3_get_autocommit(h));
	assert_int_equal(db_commit(f->db), 0);
	assert_true(sqlite3_get_autocommit(h));
	assert_int_equal(fixture_int(h, "SELECT count(*) FROM audit"), 2);

	/* An inner rollback dooms the whole: nothing of it is written. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(audit_append(f->db, "nam", "test", "3", NULL), 0);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(db_commit(f->db), -EIO);
	assert_true(sqlite3_get_autocommit(h));
	assert_int_equal(fixture_int(h, "SELECT count(*) FROM audit"), 2);
}

static void test_json_of_a_database_slot(void **state)
{
	struct fx *f = *state;
	struct slot s = a_slot("chieu");
	char *buf = NULL;
	size_t len = 0;
	struct json j;
	FILE *m = open_memstream(&buf, &len);

	(void)f;
	s.intro_id = 7;
	json_init(&j, m);
	slots_json(&j, &s);
	fclose(m);
	assert_string_equal(buf, "{\"name\":\"chieu\",\"start\":\"17:00:00\",\"days\":[\"mon\",\"tue\",\"wed\",\"thu\","
			    "\"fri\"],\"from\":null,\"until\":null,\"max_minutes\":30,\"skip_dates\":[],\"intro\":7,"
			    "\"outro\":null,\"topics\":[],\"source\":\"database\",\"relay\":null}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_parse_and_print),
		cmocka_unit_test_setup_teardown(test_a_slot_keeps_every_field_and_is_audited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_merge_puts_the_intro_in_the_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_slots_are_read_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refusals_store_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_remove_say_what_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_slots_compare_equal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested_transactions_commit_together, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_of_a_database_slot, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
