/* config: every field of a full config, the defaults of a minimal one, and
 * one test per kind of mistake an operator makes, each checking the exact
 * line reported and the words that tell them what to do. Fixtures are
 * written into a fresh temporary folder per test. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "config/config.h"
#include "util/timeutil.h"

/* Day numbers of the dates used below, computed outside this code base
 * (Python's datetime), so the parser is not checked against itself. */
#define D_2026_01_01 20454
#define D_2026_04_30 20573
#define D_2026_09_01 20697
#define D_2026_09_02 20698
#define D_2026_09_03 20699
#define D_2026_12_31 20818

/* The three groups every valid config needs, three lines long. */
#define HEAD                                                                   \
	"station = { name = \"Xã Thử\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n" \
	"paths = { state_dir = \"state\"; };\n"                                \
	"clock = { require_sync = false; };\n"

struct fx {
	char dir[64];
	char *path;
	struct strlist errs;
	struct config *cfg;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *chime;
	char *p;

	if (!f)
		return -1;
	strcpy(f->dir, "/tmp/loa-test-config-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/loa.conf", f->dir);
	/* Intro/outro only have to exist for config; decoding is jingle's test. */
	p = xasprintf("%s/chime.wav", f->dir);
	chime = fopen(p, "w");
	free(p);
	if (!chime)
		return -1;
	fputs("RIFF", chime);
	fclose(chime);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	config_free(f->cfg);
	strlist_done(&f->errs);
	fixture_rmtree(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static int load(struct fx *f, const char *text)
{
	write_file(f->path, text);
	return config_load(f->path, &f->cfg, &f->errs);
}

static void print_errs(const struct fx *f)
{
	for (size_t i = 0; i < f->errs.n; i++)
		print_message("  %s\n", f->errs.v[i]);
}

/* How many messages are "PATH:LINE: ..." (or "PATH: ..." for line 0) and
 * contain FRAG. */
static int count_err(const struct fx *f, int line, const char *frag)
{
	char *prefix = line ? xasprintf("%s:%d: ", f->path, line) : xasprintf("%s: ", f->path);
	int n = 0;

	for (size_t i = 0; i < f->errs.n; i++)
		if (strncmp(f->errs.v[i], prefix, strlen(prefix)) == 0 && strstr(f->errs.v[i], frag))
			n++;
	free(prefix);
	return n;
}

static void expect_err(const struct fx *f, int line, const char *frag)
{
	if (count_err(f, line, frag) == 0) {
		print_errs(f);
		fail_msg("no message at line %d containing \"%s\"", line, frag);
	}
}

/* A load that must fail: -EINVAL, no config, exactly N messages. */
static void expect_fail(struct fx *f, const char *text, size_t n)
{
	assert_int_equal(load(f, text), -EINVAL);
	assert_null(f->cfg);
	if (f->errs.n != n) {
		print_errs(f);
		fail_msg("expected %zu message(s), got %zu", n, f->errs.n);
	}
}

static void test_full(void **state)
{
	struct fx *f = *state;
	const struct slot *s;
	char *want;

	if (load(f, "# a station with everything set\n"
		    "station = { name = \"Xã Thanh Thủy\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		    "paths = { state_dir = \"./state/../var//loa/\"; };\n"
		    "audio = { device = \"plughw:1\"; gap_ms = 1500; target_lufs = -18.5; gain_db = 3;\n"
		    "  power_on = [\"/bin/sh\", \"-c\", \"true\"]; power_off = (\"/bin/sh\", \"off\");\n"
		    "  warmup_ms = 2500; };\n"
		    "clock = { require_sync = false; grace_minutes = 20L; };\n"
		    "limits = { earliest = \"05:00\"; latest = \"21:00:30\"; };\n"
		    "slots = (\n"
		    "  { name = \"sang\"; start = \"05:30\"; days = [\"mon\", \"wed\", \"fri\"]; max_minutes = 30;\n"
		    "    from = \"2026-01-01\"; until = \"2026-12-31\";\n"
		    "    skip_dates = [\"2026-09-02\", \"2026-01-01\", \"2026-09-02\", \"2026-04-30\"];\n"
		    "    intro = \"chime.wav\"; outro = \"sub/../chime.wav\"; topics = [\"1\", \"3\", \"an-ninh\"]; },\n"
		    "  { name = \"chiều\"; start = \"21:00:30\"; days = [\"sat\", \"sun\"]; }\n"
		    ");\n") < 0)
		print_errs(f);
	assert_int_equal(f->errs.n, 0);
	assert_non_null(f->cfg);

	assert_string_equal(f->cfg->path, f->path);
	assert_string_equal(f->cfg->station_name, "Xã Thanh Thủy");
	assert_string_equal(f->cfg->timezone, "Asia/Ho_Chi_Minh");
	want = xasprintf("%s/var/loa", f->dir);
	assert_string_equal(f->cfg->state_dir, want);
	free(want);
	assert_string_equal(f->cfg->audio_device, "plughw:1");
	assert_int_equal(f->cfg->gap_ms, 1500);
	assert_true(f->cfg->target_lufs == -18.5);
	assert_true(f->cfg->gain_db == 3.0);
	assert_non_null(f->cfg->power_on);
	assert_string_equal(f->cfg->power_on[0], "/bin/sh");
	assert_string_equal(f->cfg->power_on[1], "-c");
	assert_string_equal(f->cfg->power_on[2], "true");
	assert_null(f->cfg->power_on[3]);
	assert_string_equal(f->cfg->power_off[1], "off");
	assert_null(f->cfg->power_off[2]);
	assert_int_equal(f->cfg->warmup_ms, 2500);
	assert_false(f->cfg->require_sync);
	assert_int_equal(f->cfg->grace_minutes, 20);
	assert_int_equal(f->cfg->limit_earliest, 5 * 3600);
	assert_int_equal(f->cfg->limit_latest, 21 * 3600 + 30);

	assert_int_equal(f->cfg->n_slots, 2);
	s = &f->cfg->slots[0];
	assert_string_equal(s->name, "sang");
	assert_int_equal(s->line, 10);
	assert_int_equal(s->start_sec, 5 * 3600 + 30 * 60);
	assert_int_equal(s->days, (1u << 0) | (1u << 2) | (1u << 4));
	assert_int_equal(s->max_minutes, 30);
	assert_int_equal(s->from_day, D_2026_01_01);
	assert_int_equal(s->until_day, D_2026_12_31);
	assert_int_equal(s->n_skip, 3);
	assert_int_equal(s->skip_days[0], D_2026_01_01);
	assert_int_equal(s->skip_days[1], D_2026_04_30);
	assert_int_equal(s->skip_days[2], D_2026_09_02);
	want = xasprintf("%s/chime.wav", f->dir);
	assert_string_equal(s->intro, want);
	assert_string_equal(s->outro, want);
	free(want);
	assert_int_equal(s->intro_ms, 0);
	assert_int_equal(s->outro_ms, 0);
	assert_int_equal(s->n_topics, 3);
	assert_string_equal(s->topics[0], "1");
	assert_string_equal(s->topics[1], "3");
	assert_string_equal(s->topics[2], "an-ninh");

	s = &f->cfg->slots[1];
	assert_string_equal(s->name, "chiều");
	assert_int_equal(s->line, 14);
	assert_int_equal(s->start_sec, 21 * 3600 + 30);
	assert_int_equal(s->days, (1u << 5) | (1u << 6));
	assert_int_equal(s->max_minutes, 0);
	assert_int_equal(s->from_day, DAY_NONE_BEFORE);
	assert_int_equal(s->until_day, DAY_NONE_AFTER);
	assert_int_equal(s->n_skip, 0);
	assert_null(s->skip_days);
	assert_null(s->intro);
	assert_null(s->outro);
	assert_int_equal(s->n_topics, 0);
}

static void test_minimal_defaults(void **state)
{
	struct fx *f = *state;
	char *want;

	assert_int_equal(load(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
				 "paths = { state_dir = \"/var/lib/loa\"; };\n"), 0);
	assert_int_equal(f->errs.n, 0);
	assert_string_equal(f->cfg->state_dir, "/var/lib/loa");
	assert_string_equal(f->cfg->audio_device, "default");
	assert_int_equal(f->cfg->gap_ms, 1000);
	assert_true(f->cfg->target_lufs == -16.0);
	assert_true(f->cfg->gain_db == 0.0);
	assert_true(f->cfg->true_peak_dbtp == -1.0);
	assert_null(f->cfg->power_on);
	assert_null(f->cfg->power_off);
	assert_int_equal(f->cfg->warmup_ms, 0);
	assert_true(f->cfg->require_sync);
	assert_int_equal(f->cfg->grace_minutes, 10);
	assert_int_equal(f->cfg->limit_earliest, -1);
	assert_int_equal(f->cfg->limit_latest, -1);
	assert_int_equal(f->cfg->n_slots, 0);
	assert_null(config_slot(f->cfg, "sang"));
	assert_string_equal(f->cfg->web.host, "0.0.0.0");
	assert_int_equal(f->cfg->web.port, 8080);
	assert_null(f->cfg->web.tls_cert);
	assert_null(f->cfg->web.tls_key);
	assert_int_equal(f->cfg->web.max_upload_mb, 500);
	assert_int_equal(f->cfg->web.session_hours, 12);
	config_free(f->cfg);
	f->cfg = NULL;

	/* An empty schedule may also be written out; state_dir "." is the folder. */
	assert_int_equal(load(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
				 "paths = { state_dir = \".\"; };\nslots = ();\n"), 0);
	want = xasprintf("%s", f->dir);
	assert_string_equal(f->cfg->state_dir, want);
	free(want);
	assert_int_equal(f->cfg->n_slots, 0);
	config_free(f->cfg);
	f->cfg = NULL;
	assert_int_equal(load(f, HEAD "slots = [];\n"), 0);
	assert_int_equal(f->cfg->n_slots, 0);
}

/* A config given by a relative path resolves against the current folder. */
static void test_relative_config_path(void **state)
{
	struct fx *f = *state;
	char *cwd = getcwd(NULL, 0), *want;

	assert_non_null(cwd);
	write_file(f->path, HEAD);
	assert_int_equal(chdir(f->dir), 0);
	assert_int_equal(config_load("./loa.conf", &f->cfg, &f->errs), 0);
	assert_int_equal(chdir(cwd), 0);
	free(cwd);
	assert_string_equal(f->cfg->path, "./loa.conf");
	want = xasprintf("%s/state", f->dir);
	assert_string_equal(f->cfg->state_dir, want);
	free(want);
}

static void test_syntax_error(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "audio = { device = \"default\"; gap_ms = ; };\nslots = ();\n", 1);
	expect_err(f, 4, "syntax error; check the quotes");

}

static void test_unknown_top_key(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "\nschedule = { };\n", 1);
	expect_err(f, 5, "unknown key 'schedule' at the top level; allowed keys are: station, paths, audio");
}

static void test_unknown_group_key(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "clock = { grace_minuts = 5; };\n", 1);
	/* HEAD already has a clock group: libconfig calls that a duplicate. */
	expect_err(f, 4, "duplicate setting name");
	strlist_done(&f->errs);

	expect_fail(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n"
		       "clock = { require_sync = false;\n"
		       "  grace_minuts = 5; };\n"
		       "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"]; strat = 1; } );\n", 2);
	expect_err(f, 4, "unknown key 'grace_minuts' in group 'clock'; allowed keys are: "
			 "require_sync, grace_minutes (did you mean 'grace_minutes'?)");
	expect_err(f, 5, "unknown key 'strat' in slot 'a'");
}

static void test_wrong_types(void **state)
{
	struct fx *f = *state;

	expect_fail(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n"
		       "clock = { grace_minutes = \"ten\";\n"
		       "  require_sync = 1; };\n"
		       "audio = { gap_ms = 10.5;\n"
		       "  device = 3;\n"
		       "  gain_db = \"loud\";\n"
		       "  power_on = \"/bin/sh\"; };\n"
		       "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"];\n"
		       "    topics = (\"1\", 3); } );\n", 7);
	expect_err(f, 3, "clock.grace_minutes must be an integer from 0 to 1440, not a string (\"ten\")");
	expect_err(f, 4, "clock.require_sync must be true or false (without quotes), not an integer (1)");
	expect_err(f, 5, "audio.gap_ms");
	expect_err(f, 5, "must be an integer from 0 to 60000, not a decimal number (10.5)");
	expect_err(f, 6, "audio.device must be the name of an ALSA device");
	expect_err(f, 7, "must be a number from -30 to 20, not a string (\"loud\")");
	expect_err(f, 8, "audio.power_on must be a list of strings");
	expect_err(f, 10, "slot 'a': topics: item 2 must be a string in quotes, not an integer (3)");

	/* A top-level group given as something else. */
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = \"default\";\nslots = { name = \"a\"; };\n", 2);
	expect_err(f, 4, "audio must be a group in braces");
	expect_err(f, 5, "slots must be a list of slot groups in parentheses");
}

/* True when S is well-formed UTF-8 throughout: no sequence cut short. */
static bool utf8_whole(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		int k = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : (*p & 0xf8) == 0xf0 ? 3 : -1;

		if (k < 0)
			return false;
		for (p++; k > 0; k--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

/* A long value quoted in a message is cut where a letter begins, never
 * inside one, and "..." says it was cut. Each value below has a
 * Vietnamese letter across the byte where a cut by bytes falls (40 for a
 * value, 100 for a slot's name); the three runs of "ệ" (three bytes
 * each) put the limit at each of its bytes in turn. */
static void test_long_values_cut_on_letters(void **state)
{
	static const struct {
		const char *value, *quoted;
	} cases[] = {
		{ "Mười lăm phút, tính từ giờ phát của khung giờ", "a string (\"Mười lăm phút, tính từ giờ ph...\")" },
		{ "ệệệệệệệệệệệệệệệệệệệệ", "a string (\"ệệệệệệệệệệệệệ...\")" },
		{ "xệệệệệệệệệệệệệệệệệệệệ", "a string (\"xệệệệệệệệệệệệệ...\")" },
		{ "xxệệệệệệệệệệệệệệệệệệệệ", "a string (\"xxệệệệệệệệệệệệ...\")" },
		/* 40 bytes exactly: quoted whole. */
		{ "Mười lăm phút sau giờ phát sóng", "a string (\"Mười lăm phút sau giờ phát sóng\")" },
	};
	struct fx *f = *state;
	char *text;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = xasprintf("station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
				 "paths = { state_dir = \"s\"; };\n"
				 "clock = { grace_minutes = \"%s\"; };\n", cases[i].value);
		expect_fail(f, text, 1);
		free(text);
		expect_err(f, 3, cases[i].quoted);
		assert_true(utf8_whole(f->errs.v[0]));
		strlist_done(&f->errs);
	}

	expect_fail(f, HEAD "slots = ( { name = \"bản-tin-thời-sự-buổi-sáng-của-đài-truyền-thanh-xã-thanh-thủy-"
		       "huyện-tân-lạc-tỉnh-hòa-bình-việt-nam\";\n"
		       "  start = \"05:00\"; days = [\"mon\"]; strat = 1; } );\n", 1);
	expect_err(f, 5, "unknown key 'strat' in slot 'bản-tin-thời-sự-buổi-sáng-của-đài-truyền-thanh-xã-thanh-"
			 "thủy-huyện-tân-lạc-t...'");
	assert_true(utf8_whole(f->errs.v[0]));
}

/* Decimal settings take integers; integer settings take 64-bit literals. */
static void test_number_leniency(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, HEAD "audio = { target_lufs = -14; gain_db = -2L; gap_ms = 0x10; "
				      "warmup_ms = 3000L; };\n"), 0);
	assert_true(f->cfg->target_lufs == -14.0);
	assert_true(f->cfg->gain_db == -2.0);
	assert_int_equal(f->cfg->gap_ms, 16);
	assert_int_equal(f->cfg->warmup_ms, 3000);
}

static void test_out_of_range(void **state)
{
	struct fx *f = *state;

	expect_fail(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n"
		       "clock = { grace_minutes = 1441; };\n"
		       "audio = { gap_ms = -1;\n"
		       "  target_lufs = 0.5;\n"
		       "  gain_db = -30.5;\n"
		       "  warmup_ms = 60001L; };\n"
		       "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"]; max_minutes = 0; },\n"
		       "  { name = \"b\"; start = \"06:00\"; days = [\"mon\"]; max_minutes = -5; } );\n", 7);
	expect_err(f, 3, "clock.grace_minutes must be an integer from 0 to 1440, not 1441");
	expect_err(f, 4, "from 0 to 60000, not -1");
	expect_err(f, 5, "audio.target_lufs (loudness in LUFS) must be a number from -70 to 0, not 0.5");
	expect_err(f, 6, "from -30 to 20, not -30.5");
	expect_err(f, 7, "not 60001");
	expect_err(f, 8, "slot 'a': max_minutes");
	expect_err(f, 8, "from 1 to 1440, not 0");
	expect_err(f, 9, "slot 'b': max_minutes");

	/* The bounds themselves are allowed. */
	config_free(f->cfg);
	f->cfg = NULL;
	strlist_done(&f->errs);
	assert_int_equal(load(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
				 "paths = { state_dir = \"s\"; };\n"
				 "clock = { grace_minutes = 1440; };\n"
				 "audio = { gap_ms = 60000; target_lufs = -70; gain_db = 20.0; };\n"
				 "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"]; "
				 "max_minutes = 1440; } );\n"), 0);
	assert_int_equal(f->cfg->slots[0].max_minutes, 1440);
	assert_true(f->cfg->gain_db == 20.0);
}

/* audio.true_peak_dbtp: the limiter's ceiling, -9 to 0 dBTP, -1 unless
 * set; a number (integers pass, as for every decimal setting), nothing
 * else. */
static void test_true_peak_setting(void **state)
{
	static const struct {
		const char *value;
		double want;
	} good[] = { { "-6.0", -6 }, { "-9.0", -9 }, { "0.0", 0 }, { "-1.5", -1.5 }, { "-3", -3 }, { "-2L", -2 } };
	struct fx *f = *state;
	char *text;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		text = xasprintf(HEAD "audio = { true_peak_dbtp = %s; };\n", good[i].value);
		if (load(f, text) < 0)
			print_errs(f);
		free(text);
		assert_non_null(f->cfg);
		assert_true(f->cfg->true_peak_dbtp == good[i].want);
		config_free(f->cfg);
		f->cfg = NULL;
	}

	expect_fail(f, HEAD "audio = { true_peak_dbtp = -9.5; };\n", 1);
	expect_err(f, 4, "audio.true_peak_dbtp (the highest true peak on air, in dBTP) must be a number "
			 "from -9 to 0, not -9.5");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = { true_peak_dbtp = 0.5; };\n", 1);
	expect_err(f, 4, "must be a number from -9 to 0, not 0.5");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = { true_peak_dbtp = -20; };\n", 1);
	expect_err(f, 4, "must be a number from -9 to 0, not -20");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = {\n  true_peak_dbtp = \"-1 dBTP\"; };\n", 1);
	expect_err(f, 5, "audio.true_peak_dbtp (the highest true peak on air, in dBTP) must be a number "
			 "from -9 to 0, not a string (\"-1 dBTP\")");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = { true_peak_dbtp = false; };\n", 1);
	expect_err(f, 4, "must be a number from -9 to 0, not a true/false value (false)");
	strlist_done(&f->errs);
	/* A misspelling points at the key. */
	expect_fail(f, HEAD "audio = { true_peak_dtbp = -2.0; };\n", 1);
	expect_err(f, 4, "unknown key 'true_peak_dtbp' in group 'audio'");
	expect_err(f, 4, "(did you mean 'true_peak_dbtp'?)");
}

/* relay.silence_seconds: the dead air after which a relay tries its next
 * URL, 10 unless set, 3 to 300, an integer, nothing else in the group. */
static void test_relay_group(void **state)
{
	struct fx *f = *state;

	assert_int_equal(load(f, HEAD), 0);
	assert_int_equal(f->cfg->relay_silence_s, 10);
	config_free(f->cfg);
	f->cfg = NULL;
	assert_int_equal(load(f, HEAD "relay = { silence_seconds = 30; };\n"), 0);
	assert_int_equal(f->cfg->relay_silence_s, 30);
	config_free(f->cfg);
	f->cfg = NULL;
	expect_fail(f, HEAD "relay = { silence_seconds = 2; };\n", 1);
	expect_err(f, 4, "relay.silence_seconds (seconds of silence after which a relay tries its next URL) "
			 "must be an integer from 3 to 300, not 2");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "relay = { silence_seconds = 10.5; };\n", 1);
	expect_err(f, 4, "must be an integer from 3 to 300, not a decimal number");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "relay = { silence_second = 10; };\n", 1);
	expect_err(f, 4, "unknown key 'silence_second' in group 'relay'");
	expect_err(f, 4, "(did you mean 'silence_seconds'?)");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "relay = 10;\n", 1);
	expect_err(f, 4, "relay must be a group in braces, e.g. relay = { silence_seconds = 10; };");
}

static void test_duplicate_slot_names(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = (\n"
			    "  { name = \"sang\"; start = \"05:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"chieu\"; start = \"17:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"sang\"; start = \"06:00\"; days = [\"tue\"]; }\n"
			    ");\n", 1);
	expect_err(f, 7, "slot name 'sang' is used twice, at lines 5 and 7");
}

static void test_impossible_times(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = (\n"
			    "  { name = \"a\"; start = \"24:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"b\"; start = \"12:60\"; days = [\"mon\"]; },\n"
			    "  { name = \"c\"; start = \"7:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"d\"; start = \"06:00:60\"; days = [\"mon\"]; },\n"
			    "  { name = \"e\"; start = 600; days = [\"mon\"]; },\n"
			    "  { name = \"f\"; start = \"23:59:59\"; days = [\"mon\"]; }\n"
			    ");\n", 5);
	expect_err(f, 5, "slot 'a': start '24:00' is not a time of day; write it as HH:MM or HH:MM:SS");
	expect_err(f, 6, "slot 'b': start '12:60' is not a time of day");
	expect_err(f, 7, "slot 'c': start '7:00' is not a time of day");
	expect_err(f, 8, "slot 'd': start '06:00:60'");
	expect_err(f, 9, "slot 'e': start must be a time of day in quotes, e.g. \"05:30\", not an integer (600)");
}

static void test_bad_weekday(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = ( { name = \"a\"; start = \"05:00\";\n"
			    "  days = [\"monday\",\n"
			    "          \"Tue\", \"wed\", \"wed\"]; } );\n", 3);
	expect_err(f, 5, "slot 'a': days: 'monday' is not a weekday; use mon, tue, wed, thu, fri, sat or sun");
	expect_err(f, 6, "'Tue' is not a weekday");
	expect_err(f, 6, "'wed' is listed twice");
}

static void test_empty_days(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = ( { name = \"a\"; start = \"05:00\"; days = []; },\n"
			    "  { name = \"b\"; start = \"05:00\"; days = \"mon\"; } );\n", 2);
	expect_err(f, 4, "slot 'a': days is empty; it must be a list of strings in square brackets, e.g. [\"mon\"");
	expect_err(f, 5, "slot 'b': days must be a list of strings");
}

static void test_bad_date(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"];\n"
			    "  from = \"2026-02-30\";\n"
			    "  until = \"2026-1-5\";\n"
			    "  skip_dates = [\"2026-09-02\",\n"
			    "    \"2026-13-01\"]; } );\n", 3);
	expect_err(f, 5, "slot 'a': from '2026-02-30' is not a date; write it as YYYY-MM-DD");
	expect_err(f, 6, "slot 'a': until '2026-1-5' is not a date");
	expect_err(f, 8, "slot 'a': skip_dates: '2026-13-01' is not a date");
}

static void test_from_after_until(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"];\n"
			    "  from = \"2026-12-31\";\n"
			    "  until = \"2026-01-01\"; } );\n", 1);
	expect_err(f, 6, "slot 'a': from 2026-12-31 is after until 2026-01-01; the slot would never air");

	/* One day is a valid range. */
	strlist_done(&f->errs);
	assert_int_equal(load(f, HEAD "slots = ( { name = \"a\"; start = \"05:00\"; days = [\"mon\"];\n"
				      "  from = \"2026-09-02\"; until = \"2026-09-02\"; } );\n"), 0);
	assert_int_equal(f->cfg->slots[0].from_day, D_2026_09_02);
	assert_int_equal(f->cfg->slots[0].until_day, D_2026_09_02);
}

static void test_missing_required(void **state)
{
	struct fx *f = *state;

	expect_fail(f, "station = {\n"
		       "  name = \"X\"; };\n"
		       "slots = ( { name = \"a\"; },\n"
		       "  { start = \"05:00\"; days = [\"mon\"]; } );\n", 5);
	expect_err(f, 1, "station.timezone is missing; add e.g. timezone = \"Asia/Ho_Chi_Minh\"; to the "
			 "station group");
	expect_err(f, 0, "the paths group is missing; add e.g. paths = { state_dir = ");
	expect_err(f, 3, "slot 'a': start is missing; add e.g. start = \"05:30\";");
	expect_err(f, 3, "slot 'a': days is missing");
	expect_err(f, 4, "slot #2: name is missing");

	strlist_done(&f->errs);
	expect_fail(f, "paths = { };\n", 2);
	expect_err(f, 0, "the station group is missing; add e.g. station = { name = ");
	expect_err(f, 1, "paths.state_dir is missing");
}

static void test_bad_slot_name(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "slots = ( { name = \"buổi sáng\"; start = \"05:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"\"; start = \"05:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"tab\\there\"; start = \"05:00\"; days = [\"mon\"]; } );\n", 3);
	expect_err(f, 4, "slot name 'buổi sáng' has spaces or control characters");
	expect_err(f, 5, "slot name is empty");
	expect_err(f, 6, "has spaces or control characters");
}

static void test_unknown_timezone(void **state)
{
	struct fx *f = *state;
	char *zdir, *zfile;

	expect_fail(f, "station = { name = \"X\";\n"
		       "  timezone = \"Asia/Hanoi\"; };\n"
		       "paths = { state_dir = \"s\"; };\n", 1);
	expect_err(f, 2, "station.timezone 'Asia/Hanoi' is not a time zone known to this system; "
			 "Vietnam is \"Asia/Ho_Chi_Minh\"");

	/* Files in the zoneinfo folder that are not zones, and escapes from it. */
	strlist_done(&f->errs);
	expect_fail(f, "station = { name = \"X\"; timezone = \"zone.tab\"; };\n"
		       "paths = { state_dir = \"s\"; };\n", 1);
	expect_err(f, 1, "'zone.tab' is not a time zone");
	strlist_done(&f->errs);
	expect_fail(f, "station = { name = \"X\"; timezone = \"../zoneinfo/Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n", 1);
	strlist_done(&f->errs);
	expect_fail(f, "station = { name = \"X\"; timezone = \"/usr/share/zoneinfo/Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n", 1);

	/* $TZDIR is honoured: a zone exists only if its TZif file does. */
	strlist_done(&f->errs);
	zdir = xasprintf("%s/zi", f->dir);
	assert_int_equal(mkdir(zdir, 0700), 0);
	zfile = xasprintf("%s/Test_Zone", zdir);
	write_file(zfile, "TZif2 and the rest");
	setenv("TZDIR", zdir, 1);
	assert_int_equal(load(f, "station = { name = \"X\"; timezone = \"Test_Zone\"; };\n"
				 "paths = { state_dir = \"s\"; };\n"), 0);
	assert_string_equal(f->cfg->timezone, "Test_Zone");
	config_free(f->cfg);
	f->cfg = NULL;
	expect_fail(f, "station = { name = \"X\"; timezone = \"Asia/Ho_Chi_Minh\"; };\n"
		       "paths = { state_dir = \"s\"; };\n", 1);
	unsetenv("TZDIR");
	free(zfile);
	free(zdir);
}

static void test_missing_intro(void **state)
{
	struct fx *f = *state;
	char *want;

	expect_fail(f, HEAD "slots = ( { name = \"sang\"; start = \"05:00\"; days = [\"mon\"];\n"
			    "  intro = \"chim.wav\";\n"
			    "  outro = \".\"; } );\n", 2);
	want = xasprintf("slot 'sang': intro 'chim.wav' (%s/chim.wav): no such file; give a path to an audio "
			 "file, relative to %s's folder or absolute", f->dir, f->path);
	expect_err(f, 5, want);
	free(want);
	expect_err(f, 6, "slot 'sang': outro '.'");
	expect_err(f, 6, "it is a folder, not a file");

	if (geteuid() != 0) {
		char *p = xasprintf("%s/chime.wav", f->dir);

		assert_int_equal(chmod(p, 0), 0);
		free(p);
		strlist_done(&f->errs);
		expect_fail(f, HEAD "slots = ( { name = \"sang\"; start = \"05:00\"; days = [\"mon\"];\n"
				    "  intro = \"chime.wav\"; } );\n", 1);
		expect_err(f, 5, "permission denied");
	}
}

static void test_outside_limits(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "limits = { earliest = \"05:00\"; latest = \"21:00\"; };\n"
			    "slots = ( { name = \"som\"; start = \"04:59:59\"; days = [\"mon\"]; },\n"
			    "  { name = \"ok1\"; start = \"05:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"ok2\"; start = \"21:00\"; days = [\"mon\"]; },\n"
			    "  { name = \"muon\"; start = \"21:00:01\"; days = [\"mon\"]; } );\n", 2);
	expect_err(f, 5, "slot 'som': start '04:59:59' is before the station's broadcast hours "
			 "(limits: 05:00:00 to 21:00:00)");
	expect_err(f, 8, "slot 'muon': start '21:00:01' is after");

	/* Only one bound set. */
	strlist_done(&f->errs);
	expect_fail(f, HEAD "limits = { earliest = \"05:00\"; };\n"
			    "slots = ( { name = \"som\"; start = \"04:30\"; days = [\"mon\"]; },\n"
			    "  { name = \"dem\"; start = \"23:30\"; days = [\"mon\"]; } );\n", 1);
	expect_err(f, 5, "(limits: 05:00:00 to 23:59:59)");
}

static void test_limits_order(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "limits = { earliest = \"21:00\";\n"
			    "  latest = \"05:00\"; };\n", 1);
	expect_err(f, 5, "limits.latest (05:00) must be later than limits.earliest (21:00)");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "limits = { earliest = \"5:00\"; latest = \"21:00\"; };\n", 1);
	expect_err(f, 4, "limits.earliest '5:00' is not a time of day");
}

static void test_power_commands(void **state)
{
	struct fx *f = *state;

	expect_fail(f, HEAD "audio = {\n"
			    "  power_on = [\"relay\", \"on\"];\n"
			    "  power_off = [\"/nonexistent/relay\", \"off\"]; };\n", 2);
	expect_err(f, 5, "audio.power_on: the program 'relay' must be given as an absolute path");
	expect_err(f, 6, "audio.power_off: the program '/nonexistent/relay' cannot be run");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "audio = { power_on = [];\n power_off = [\"/bin/sh\", \"\"]; };\n", 2);
	expect_err(f, 4, "audio.power_on is empty");
	expect_err(f, 5, "audio.power_off: item 2 is empty");
}

/* Every problem in the file at once, each once, in one load. */
static void test_many_errors(void **state)
{
	struct fx *f = *state;

	expect_fail(f, "station = { name = \"X\"; timezone = \"Asia/Hanoi\"; };\n"  /* 1 */
		       "paths = { state_dir = \"s\"; };\n"
		       "clock = { require_sync = \"yes\"; grace_minuts = 5; };\n"  /* 2 */
		       "audio = { gap_ms = 1.5; };\n"                               /* 1 */
		       "slots = ( { name = \"a\"; start = \"25:00\"; days = [\"mon\"]; },\n" /* 1 */
		       "  { name = \"a\"; start = \"06:00\"; days = [\"funday\"]; } );\n"    /* 2 */
		       "extra = 1;\n",                                               /* 1 */
		    8);
	assert_int_equal(count_err(f, 1, "Asia/Hanoi"), 1);
	assert_int_equal(count_err(f, 3, "clock.require_sync"), 1);
	assert_int_equal(count_err(f, 3, "grace_minuts"), 1);
	assert_int_equal(count_err(f, 4, "audio.gap_ms"), 1);
	assert_int_equal(count_err(f, 5, "'25:00'"), 1);
	assert_int_equal(count_err(f, 6, "used twice"), 1);
	assert_int_equal(count_err(f, 6, "'funday'"), 1);
	assert_int_equal(count_err(f, 7, "'extra'"), 1);
}

static void test_unreadable(void **state)
{
	struct fx *f = *state;
	struct config *sentinel = (struct config *)&sentinel;
	struct config *cfg = sentinel;
	char *p = xasprintf("%s/none.conf", f->dir);

	assert_int_equal(config_load(p, &cfg, &f->errs), -EINVAL);
	assert_ptr_equal(cfg, sentinel);
	assert_int_equal(f->errs.n, 1);
	free(p);
	p = xasprintf("%s/none.conf: cannot read the config file: No such file or directory", f->dir);
	assert_int_equal(strncmp(f->errs.v[0], p, strlen(p)), 0);
	free(p);
	strlist_done(&f->errs);

	assert_int_equal(config_load(f->dir, &cfg, &f->errs), -EINVAL);
	assert_ptr_equal(cfg, sentinel);
	assert_int_equal(f->errs.n, 1);
	assert_non_null(strstr(f->errs.v[0], "is a folder, not a config file"));
	strlist_done(&f->errs);

	/* A FIFO is refused at once rather than waited on for a writer, and a
	 * device is not read (a test that hangs here has found the bug). */
	p = xasprintf("%s/pipe.conf", f->dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	assert_int_equal(config_load(p, &cfg, &f->errs), -EINVAL);
	assert_ptr_equal(cfg, sentinel);
	assert_int_equal(f->errs.n, 1);
	assert_non_null(strstr(f->errs.v[0], "is not a regular file"));
	free(p);
	strlist_done(&f->errs);
	assert_int_equal(config_load("/dev/zero", &cfg, &f->errs), -EINVAL);
	assert_int_equal(f->errs.n, 1);
	assert_non_null(strstr(f->errs.v[0], "/dev/zero: this is not a regular file"));
	strlist_done(&f->errs);

	/* Empty is valid syntax, but misses both required groups. */
	assert_int_equal(load(f, ""), -EINVAL);
	assert_int_equal(f->errs.n, 2);
	strlist_done(&f->errs);

	if (geteuid() != 0) {
		write_file(f->path, HEAD);
		assert_int_equal(chmod(f->path, 0), 0);
		assert_int_equal(config_load(f->path, &cfg, &f->errs), -EINVAL);
		assert_ptr_equal(cfg, sentinel);
		expect_err(f, 0, "Permission denied");
	}
	config_free(NULL);
}

/* libconfig's scanner exit()s when an @include names a folder: loa refuses
 * it first, at its line, in the including file; a file still includes. */
static void test_include(void **state)
{
	struct fx *f = *state;
	char *part = xasprintf("%s/slots.conf", f->dir), *sub = xasprintf("%s/sub", f->dir), *want;

	write_file(part, "slots = ( { name = \"sang\"; start = \"05:30\"; days = [\"mon\"]; } );\n");
	assert_int_equal(load(f, HEAD "@include \"slots.conf\"\n"), 0);
	assert_int_equal(f->cfg->n_slots, 1);
	config_free(f->cfg);
	f->cfg = NULL;

	expect_fail(f, HEAD " \t@include \".\"\n", 1);
	expect_err(f, 4, "@include \".\" (");
	expect_err(f, 4, ") is a folder; name a config file in it");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "@include \"\"\n", 1);
	expect_err(f, 4, "@include \"\": the name is empty");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "@include \"/dev/null\\\"\"\n", 1);
	expect_err(f, 4, "holds a backslash");
	strlist_done(&f->errs);

	/* The folder is found inside the included file, and named there. */
	assert_int_equal(mkdir(sub, 0755), 0);
	write_file(part, "\n@include \"sub\"\n");
	expect_fail(f, HEAD "@include \"slots.conf\"\n", 1);
	want = xasprintf("%s:2: @include \"sub\" (%s) is a folder", part, sub);
	assert_int_equal(strncmp(f->errs.v[0], want, strlen(want)), 0);
	strlist_done(&f->errs);
	free(want);

	/* A file that includes itself is read once by the check; libconfig
	 * then stops at its nesting limit. */
	assert_int_equal(load(f, HEAD "@include \"loa.conf\"\n@include \"loa.conf\"\n"), -EINVAL);
	assert_null(f->cfg);
	free(part);
	free(sub);
}

static void test_slot_lookup(void **state)
{
	struct fx *f = *state;
	const struct slot *s;

	assert_int_equal(load(f, HEAD "slots = (\n"
				      "  { name = \"sang\"; start = \"05:30\"; days = [\"mon\"];\n"
				      "    skip_dates = [\"2026-09-02\", \"2026-01-01\", \"2026-12-31\"]; },\n"
				      "  { name = \"chieu\"; start = \"17:00\"; days = [\"mon\"]; } );\n"), 0);
	s = config_slot(f->cfg, "sang");
	assert_ptr_equal(s, &f->cfg->slots[0]);
	assert_ptr_equal(config_slot(f->cfg, "chieu"), &f->cfg->slots[1]);
	assert_null(config_slot(f->cfg, "Sang"));
	assert_null(config_slot(f->cfg, "toi"));
	assert_null(config_slot(f->cfg, ""));

	assert_true(slot_skips(s, D_2026_01_01));
	assert_true(slot_skips(s, D_2026_09_02));
	assert_true(slot_skips(s, D_2026_12_31));
	assert_false(slot_skips(s, D_2026_09_01));
	assert_false(slot_skips(s, D_2026_09_03));
	assert_false(slot_skips(s, D_2026_04_30));
	assert_false(slot_skips(&f->cfg->slots[1], D_2026_09_02));
}

/* The console's group: every key read, the certificate and key resolved
 * like every path (relative to the config's folder) but not opened, and
 * each mistake at its line with what is allowed. */
static void test_web_group(void **state)
{
	struct fx *f = *state;
	struct config *copy;
	char *want;

	if (load(f, HEAD "web = { listen = \"127.0.0.1:8443\"; tls_cert = \"web.crt\";\n"
		    "  tls_key = \"/etc/loa/web.key\"; max_upload_mb = 200; session_hours = 8; };\n") < 0)
		print_errs(f);
	assert_non_null(f->cfg);
	assert_string_equal(f->cfg->web.host, "127.0.0.1");
	assert_int_equal(f->cfg->web.port, 8443);
	want = xasprintf("%s/web.crt", f->dir);
	assert_string_equal(f->cfg->web.tls_cert, want);
	free(want);
	assert_string_equal(f->cfg->web.tls_key, "/etc/loa/web.key");
	assert_int_equal(f->cfg->web.max_upload_mb, 200);
	assert_int_equal(f->cfg->web.session_hours, 8);
	copy = config_dup(f->cfg);
	assert_string_equal(copy->web.tls_key, "/etc/loa/web.key");
	assert_ptr_not_equal(copy->web.host, f->cfg->web.host);
	config_free(copy);
	config_free(f->cfg);
	f->cfg = NULL;

	assert_int_equal(load(f, HEAD "web = { listen = \"[::1]:80\"; };\n"), 0);
	assert_string_equal(f->cfg->web.host, "::1");
	assert_int_equal(f->cfg->web.port, 80);
	config_free(f->cfg);
	f->cfg = NULL;

	expect_fail(f, HEAD "web = { listen = \"localhost:8080\"; };\n", 1);
	expect_err(f, 4, "web.listen 'localhost:8080' is not an address and port; write an IP address and a "
			 "port from 1 to 65535, e.g. \"0.0.0.0:8080\"");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = {\n listen = \"0.0.0.0:0\"; };\n", 1);
	expect_err(f, 5, "web.listen '0.0.0.0:0' is not an address and port");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { listen = \"::1:8080\"; };\n", 1);
	expect_err(f, 4, "is not an address and port");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { listen = 8080; };\n", 1);
	expect_err(f, 4, "web.listen must be an address and port in quotes, e.g. \"0.0.0.0:8080\"");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { tls_cert = \"web.crt\"; };\n", 1);
	expect_err(f, 4, "web.tls_cert is given without web.tls_key; HTTPS needs both");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { tls_key = \"web.key\"; };\n", 1);
	expect_err(f, 4, "web.tls_key is given without web.tls_cert");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { max_upload_mb = 0; };\n", 1);
	expect_err(f, 4, "web.max_upload_mb (the largest upload, in MB) must be an integer from 1 to 4096, not 0");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = { session_hours = 1000; };\n", 1);
	expect_err(f, 4, "web.session_hours (how long a login lasts, in hours) must be an integer from 1 to 720");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = {\n\n  session_hour = 2; };\n", 1);
	expect_err(f, 6, "unknown key 'session_hour' in group 'web'; allowed keys are: listen, tls_cert, "
			 "tls_key, max_upload_mb, session_hours (did you mean 'session_hours'?)");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "web = \"on\";\n", 1);
	expect_err(f, 4, "web must be a group in braces, e.g. web = { listen = \"0.0.0.0:8080\"; };");
}

/* The province link: every key, the defaults, and what is refused. */
static void test_upstream(void **state)
{
	struct fx *f = *state;
	const struct upstream_config *u;
	char *text, *secret;

	/* Without the group, no link. */
	assert_int_equal(load(f, HEAD), 0);
	assert_null(f->cfg->upstream);
	config_free(f->cfg);
	f->cfg = NULL;

	text = xasprintf(HEAD "upstream = {\n"
			 "  url = \"https://nguon.example.gov.vn/api//\";\n"
			 "  username = \"xa-thu\";\n"
			 "  password_file = \"upstream.secret\";\n"
			 "  source_id = \"NG-01\"; source_name = \"HTTT nguồn tỉnh\";\n"
			 "  device_id = \"CL-0042\"; device_name = \"Cụm loa thôn 3\";\n"
			 "  destination_id = \"X-123\"; destination_name = \"Xã Thử\";\n"
			 "  provider_code = \"NCC\"; provider_name = \"Nhà cung cấp\";\n"
			 "  ping_seconds = 120; timeout_seconds = 5;\n"
			 "  paths = { login = \"/auth/login\"; log = \"/nhatky\"; };\n"
			 "  ca_file = \"chime.wav\";\n"
			 "};\n");
	assert_int_equal(load(f, text), 0);
	free(text);
	u = f->cfg->upstream;
	assert_non_null(u);
	assert_string_equal(u->url, "https://nguon.example.gov.vn/api");
	assert_string_equal(u->username, "xa-thu");
	secret = xasprintf("%s/upstream.secret", f->dir);
	assert_string_equal(u->password_file, secret);
	assert_int_equal(u->password_file_line, 7);
	assert_string_equal(u->source_name, "HTTT nguồn tỉnh");
	assert_string_equal(u->device_id, "CL-0042");
	assert_string_equal(u->provider_name, "Nhà cung cấp");
	assert_int_equal(u->ping_seconds, 120);
	assert_int_equal(u->timeout_seconds, 5);
	assert_string_equal(u->path_login, "/auth/login");
	assert_string_equal(u->path_log, "/nhatky");
	assert_string_equal(u->path_ping, "/ping");
	assert_non_null(u->ca_file);

	/* The password file: missing, then readable by others, then right. */
	strlist_done(&f->errs);
	assert_int_equal(config_upstream_secret_check(f->cfg, &f->errs), -EINVAL);
	expect_err(f, 7, "chmod 600");
	strlist_done(&f->errs);
	write_file(secret, "mat-khau\n");
	chmod(secret, 0644);
	assert_int_equal(config_upstream_secret_check(f->cfg, &f->errs), -EINVAL);
	expect_err(f, 7, "mode 0644");
	strlist_done(&f->errs);
	chmod(secret, 0600);
	if (config_upstream_uid() == geteuid()) {
		assert_int_equal(config_upstream_secret_check(f->cfg, &f->errs), 0);
		assert_int_equal(f->errs.n, 0);
	}
	free(secret);
	config_free(f->cfg);
	f->cfg = NULL;

	/* The minimum, with the defaults. */
	assert_int_equal(load(f, HEAD "upstream = { url = \"https://h\"; username = \"u\"; password_file = \"/s\";"
			      " source_id = \"n\"; device_id = \"d\"; };\n"), 0);
	u = f->cfg->upstream;
	assert_int_equal(u->ping_seconds, 60);
	assert_string_equal(u->path_log, "/log");
	assert_string_equal(u->destination_id, "");
	assert_null(u->ca_file);
}

static void test_upstream_mistakes(void **state)
{
	struct fx *f = *state;

	/* http, a password in the url, a missing device, an unknown key,
	 * an unknown path, a path without its slash, a ping too often. */
	expect_fail(f, HEAD "upstream = {\n"
		    "  url = \"http://nguon.example.gov.vn\";\n"
		    "  username = \"u\"; password_file = \"/s\"; source_id = \"n\";\n"
		    "  pasword = \"x\";\n"
		    "  paths = { logn = \"/l\"; ping = \"ping\"; };\n"
		    "  ping_seconds = 1;\n"
		    "};\n", 6);
	expect_err(f, 5, "does not start with https://");
	expect_err(f, 4, "upstream.device_id is missing");
	expect_err(f, 7, "unknown key 'pasword'");
	expect_err(f, 8, "unknown key 'logn'");
	expect_err(f, 8, "must start with /");
	expect_err(f, 9, "upstream.ping_seconds");
	strlist_done(&f->errs);
	expect_fail(f, HEAD "upstream = { url = \"https://user:pw@h/\"; username = \"u\"; password_file = \"/s\";"
		    " source_id = \"n\"; device_id = \"d\"; ca_file = \"nowhere.pem\"; };\n", 2);
	expect_err(f, 4, "user:password@");
	expect_err(f, 4, "upstream.ca_file 'nowhere.pem'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_minimal_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relative_config_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_top_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_group_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_values_cut_on_letters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_number_leniency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_true_peak_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_slot_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impossible_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_weekday, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_days, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_after_until, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_slot_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_timezone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_intro, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outside_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_power_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slot_lookup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_web_group, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upstream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upstream_mistakes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
