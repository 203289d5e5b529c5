/* `loa import` finds a bulletin's make-up once and stores it with the gain
 * and ceiling it was found for (content/import.c), and what it stores is
 * what the daemon's pre-roll search finds for the same file and gain. The
 * command runs in-process on recordings that mkaudio (LOA_MKAUDIO, set by
 * `make unit`) writes with peaks the limiter must hold down. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixture.h"
#include "audio/player.h"
#include "cli/cli.h"
#include "content/library.h"
#include "db/db.h"
#include "content/import.h"
#include "ledger/audit.h"
#include "util/xmalloc.h"

static char tmpdir[256];

static int setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "%s/loa-test-import-XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	fixture_rmtree(tmpdir);
	return 0;
}

/* A station at TARGET LUFS with its state under tmpdir/NAME; returns the
 * config's path. */
static char *write_config(const char *name, double target)
{
	char *path = xasprintf("%s/%s.conf", tmpdir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "station = { name = \"x\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		   "paths = { state_dir = \"%s/%s\"; };\n"
		   "audio = { device = \"null\"; target_lufs = %.1f; };\n"
		   "clock = { require_sync = false; };\n"
		   "slots = ( { name = \"c\"; start = \"06:00\"; days = [\"mon\"]; } );\n",
		tmpdir, name, target);
	fclose(f);
	return path;
}

/* mkaudio ARGS into tmpdir/FILE; returns its path, or skips without mkaudio. */
static char *make_audio(const char *args, const char *file)
{
	const char *mk = getenv("LOA_MKAUDIO");
	char *path = xasprintf("%s/%s", tmpdir, file), *cmd;

	if (!mk || !*mk)
		skip();
	cmd = xasprintf("'%s' %s '%s'", mk, args, path);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return path;
}

/* `loa --config CONF import --slot c FILE` for the station in tmpdir/NAME,
 * then the bulletin it stored. */
static void import(const char *name, const char *conf, const char *file, struct bulletin *b)
{
	char *argv[] = { (char *)"loa", (char *)"--config", (char *)conf, (char *)"import",
			 (char *)"--slot", (char *)"c", (char *)file, NULL };
	char *state_dir = xasprintf("%s/%s", tmpdir, name), msg[512];
	struct cli cli = { 0 };
	struct bulletin *all;
	struct db *db;
	size_t n;

	optind = 0; /* getopt starts afresh for each run in this process */
	assert_int_equal(cli_run(&cli, 7, argv), EXIT_OK);
	assert_int_equal(db_open(state_dir, DB_READ_ONLY, &db, msg, sizeof(msg)), 0);
	assert_int_equal(library_list(db, false, &all, &n), 0);
	assert_true(n >= 1);
	assert_int_equal(library_get(db, all[n - 1].id, b), 0);
	bulletins_free(all, n);
	db_close(db);
	free(state_dir);
}

/* What pre-roll finds with no make-up given: the daemon's fallback. */
static double search(const struct bulletin *b, const struct player_opts *o)
{
	struct player *p;
	char msg[256];
	double m;

	assert_false(o->makeup_known);
	if (player_open("null", b->path, o, &p, msg, sizeof(msg)) < 0)
		fail_msg("player_open %s: %s", b->path, msg);
	m = player_makeup_db(p);
	player_close(p);
	return m;
}

static void test_import_stores_the_search(void **state)
{
	static const struct { const char *args, *file; } cases[] = {
		{ "--seconds 12 quiet", "quiet.wav" },
		{ "--seconds 12 --level 0 speech", "speech.flac" },
	};
	char *conf = write_config("a", -16);
	struct config *cfg;
	struct strlist errs = { 0 };

	(void)state;
	assert_int_equal(config_load(conf, &cfg, &errs), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *file = make_audio(cases[i].args, cases[i].file);
		struct bulletin b;
		struct player_opts o;
		double found;

		import("a", conf, file, &b);
		o = import_item_opts(cfg, b.audio.loudness_lufs, b.audio.peak_dbfs);
		assert_true(b.makeup.known);
		assert_true(bulletin_makeup_fits(&b.makeup, o.gain_db, o.ceiling_dbtp, PLAYER_MAKEUP_VERSION));
		found = search(&b, &o);
		print_message("%s: gain %+.2f dB, make-up stored %+.3f dB, searched %+.3f dB\n", cases[i].file,
			      o.gain_db, b.makeup.db, found);
		/* A fixture the limiter leaves alone would prove nothing. */
		assert_true(found > 0.1);
		assert_true(fabs(b.makeup.db - found) < 0.05);
		bulletin_done(&b);
		free(file);
	}
	config_free(cfg);
	strlist_done(&errs);
	free(conf);
}

/* A station that changed its target since the import airs at another
 * gain: the stored make-up does not fit, and pre-roll searches, finding
 * what that gain needs rather than what was stored. */
static void test_other_gain_searches(void **state)
{
	char *conf = write_config("b", -16), *louder = write_config("b2", -12);
	char *file = make_audio("--seconds 12 quiet", "quiet.wav");
	struct config *cfg;
	struct strlist errs = { 0 };
	struct bulletin b;
	struct player_opts o;
	double found;

	(void)state;
	import("b", conf, file, &b);
	assert_int_equal(config_load(louder, &cfg, &errs), 0);
	o = import_item_opts(cfg, b.audio.loudness_lufs, b.audio.peak_dbfs);
	assert_true(b.makeup.known);
	assert_false(bulletin_makeup_fits(&b.makeup, o.gain_db, o.ceiling_dbtp, PLAYER_MAKEUP_VERSION));
	assert_false(bulletin_makeup_fits(&b.makeup, b.makeup.gain_db, o.ceiling_dbtp - 0.5, PLAYER_MAKEUP_VERSION));
	assert_false(bulletin_makeup_fits(&b.makeup, b.makeup.gain_db + 0.01, b.makeup.ceiling_dbtp, PLAYER_MAKEUP_VERSION));
	assert_true(bulletin_makeup_fits(&b.makeup, b.makeup.gain_db + 0.001, b.makeup.ceiling_dbtp,
					 PLAYER_MAKEUP_VERSION));
	/* Found by an older search (or limiter): searched for again. */
	assert_int_equal(b.makeup.version, PLAYER_MAKEUP_VERSION);
	assert_false(bulletin_makeup_fits(&b.makeup, b.makeup.gain_db, b.makeup.ceiling_dbtp,
					  PLAYER_MAKEUP_VERSION + 1));
	found = search(&b, &o);
	print_message("stored %+.3f dB at gain %+.2f; searched %+.3f dB at gain %+.2f\n", b.makeup.db,
		      b.makeup.gain_db, found, o.gain_db);
	/* Four more dB into the limiter take more loudness away. */
	assert_true(found > b.makeup.db + 0.5);
	bulletin_done(&b);
	config_free(cfg);
	strlist_done(&errs);
	free(conf);
	free(louder);
	free(file);
}

/* An import is recorded as the user who ran it, with the bulletin's id,
 * what it says and the audio's hash. */
static void test_import_recorded(void **state)
{
	char *conf = write_config("r", -16), *file = make_audio("--seconds 2 quiet", "tin.wav");
	char *state_dir = xasprintf("%s/r", tmpdir), msg[512], me[AUDIT_ACTOR_MAX + 1], *want;
	struct audit_entry *v;
	struct bulletin b;
	struct db *db;
	size_t n;

	(void)state;
	import("r", conf, file, &b);
	assert_int_equal(db_open(state_dir, DB_READ_ONLY, &db, msg, sizeof(msg)), 0);
	assert_int_equal(audit_query(db, INT64_MIN, INT64_MAX, &v, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].actor, audit_actor_self(me));
	assert_string_equal(v[0].action, "import");
	assert_string_equal(v[0].target, "#1");
	want = xasprintf("title: 'tin.wav'; slots: c; file: 'tin.wav'; sha256: %s", b.sha256);
	assert_string_equal(v[0].detail, want);
	free(want);
	audit_entries_free(v, n);
	db_close(db);
	bulletin_done(&b);
	free(state_dir);
	free(conf);
	free(file);
}

/* When the trail cannot take the entry, nothing is imported: no bulletin,
 * and no copy left in the content store. */
static void test_import_not_recorded_not_made(void **state)
{
	char *conf = write_config("n", -16), *file = make_audio("--seconds 2 quiet", "tin.wav");
	char *state_dir = xasprintf("%s/n", tmpdir), *content = xasprintf("%s/n/content", tmpdir), msg[512];
	char *argv[] = { (char *)"loa", (char *)"--config", conf, (char *)"import", file, NULL };
	struct cli cli = { 0 };
	struct db *db;
	DIR *d;
	struct dirent *de;
	int64_t n = -1;
	int files = 0;

	(void)state;
	assert_int_equal(db_open(state_dir, DB_READ_WRITE, &db, msg, sizeof(msg)), 0);
	assert_int_equal(sqlite3_exec(db_sqlite(db), "CREATE TRIGGER refuse BEFORE INSERT ON audit BEGIN"
				      " SELECT RAISE(ABORT, 'full'); END", NULL, NULL, NULL), SQLITE_OK);
	db_close(db);
	optind = 0;
	assert_int_equal(cli_run(&cli, 5, argv), EXIT_RUNTIME);
	assert_int_equal(db_open(state_dir, DB_READ_ONLY, &db, msg, sizeof(msg)), 0);
	assert_int_equal(db_query_int(db_sqlite(db), "SELECT count(*) FROM bulletins", &n), SQLITE_OK);
	assert_int_equal(n, 0);
	db_close(db);
	d = opendir(content);
	while (d && (de = readdir(d)))
		files += de->d_name[0] != '.';
	if (d)
		closedir(d);
	assert_int_equal(files, 0);
	free(state_dir);
	free(content);
	free(conf);
	free(file);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_import_stores_the_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_gain_searches, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_not_recorded_not_made, setup, teardown),
	};

	return cmocka_run_group_tests_name("import", tests, NULL, NULL);
}
