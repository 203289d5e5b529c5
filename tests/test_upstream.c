/* The province link's pieces that need no network: the record builder
 * (every field of UPSTREAM.md from a ledger row), the reply parser (what
 * a server may send, hostile included), the backoff, the password file,
 * and the outbox written in the ledger's own transaction (a row and its
 * entry are one write, never one without the other). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/fixture.h"
#include "content/library.h"
#include "db/db.h"
#include "ledger/ledger.h"
#include "ledger/outbox.h"
#include "ledger/verify.h"
#include "upstream/upstream.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define HASH_A "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
#define T0 INT64_C(1763848800000) /* 2025-11-23 05:00 +07:00 */

static struct upstream_config ucfg = {
	.url = (char *)"https://nguon.example.gov.vn/api", .username = (char *)"xa-thu",
	.password_file = (char *)"/nonexistent", .source_id = (char *)"NG-01", .source_name = (char *)"Nguồn",
	.device_id = (char *)"CL-42", .device_name = (char *)"Cụm loa 3", .destination_id = (char *)"X-1",
	.destination_name = (char *)"Xã Thử", .provider_code = (char *)"NCC", .provider_name = (char *)"Nhà CC",
	.ping_seconds = 60, .timeout_seconds = 30, .path_login = (char *)"/login", .path_log = (char *)"/log",
	.path_ping = (char *)"/ping",
};

/* ---- the record builder ---- */

static const char *detail(json_t *rec, const char *name)
{
	size_t i;
	json_t *d;

	json_array_foreach(json_object_get(rec, "ThongTinChiTietBanTin"), i, d)
		if (!strcmp(json_string_value(json_object_get(d, "Ten")), name))
			return json_string_value(json_object_get(d, "GiaTri"));
	return NULL;
}

static json_int_t int_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void test_record_fields(void **state)
{
	struct outbox_entry e = {
		.id = 9, .priority = 1, .produced_at = T0 - 86400000,
		.row = {
			.id = 17, .kind = KIND_SLOT, .occurrence_at = T0, .scheduled_at = T0 + 5000,
			.started_at = T0 + 5003, .ended_at = T0 + 65003, .frames = 2880000, .played_ms = 3725499,
			.outcome = OUTCOME_PARTIAL, .bulletin_id = 12,
			.title = (char *)"Thông báo \"khẩn\"\nxã Yên Bình", .topic = (char *)"3",
			.plan = (char *)"KH 12/KH-UBND", .slot = (char *)"sang", .content_sha256 = HASH_A,
			.row_hash = HASH_A,
		},
	};
	json_error_t err;
	json_t *rec, *author;
	char *text;

	(void)state;
	text = upstream_record(&ucfg, &e);
	rec = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(rec);
	assert_string_equal(str_of(rec, "NguonID"), "NG-01");
	assert_string_equal(str_of(rec, "TenNguon"), "Nguồn");
	assert_string_equal(str_of(rec, "DichID"), "X-1");
	assert_string_equal(str_of(rec, "TenDich"), "Xã Thử");
	assert_string_equal(str_of(rec, "CumLoaID"), "CL-42");
	assert_string_equal(str_of(rec, "TenThietBi"), "Cụm loa 3");
	assert_string_equal(str_of(rec, "MaNhaCungCap"), "NCC");
	assert_string_equal(str_of(rec, "TenNhaCungCap"), "Nhà CC");
	assert_string_equal(str_of(rec, "BanTinID"), "12");
	assert_int_equal(int_of(rec, "LoaiBanTin"), 3);
	assert_int_equal(int_of(rec, "MucDoUuTien"), 2);
	assert_string_equal(str_of(rec, "TieuDe"), "Thông báo \"khẩn\"\nxã Yên Bình");
	assert_int_equal(int_of(rec, "LoaiLinhVuc"), 3);
	assert_int_equal(int_of(rec, "ThoiGianSanXuat"), (T0 - 86400000) / 1000);
	/* What played, rounded to the second: 1 h 2 min 5.499 s. */
	assert_string_equal(str_of(rec, "ThoiLuong"), "01:02:05");
	assert_int_equal(int_of(rec, "ThoiDiemBatDau"), (T0 + 5003) / 1000);
	assert_int_equal(int_of(rec, "TiepAm"), 0);
	assert_string_equal(str_of(rec, "NguonTiepAm"), "");
	assert_string_equal(str_of(rec, "NoiDung"), "");
	author = json_object_get(rec, "TacGia");
	assert_true(json_is_object(author));
	assert_string_equal(str_of(author, "TenDayDu"), "");
	assert_int_equal(int_of(rec, "AmLuong"), 100);
	assert_int_equal(int_of(rec, "CongSuat"), 0);
	assert_string_equal(detail(rec, "SoGhi.Dong"), "17");
	assert_string_equal(detail(rec, "SoGhi.MaKiemTra"), HASH_A);
	assert_string_equal(detail(rec, "KetQua"), "partial");
	assert_string_equal(detail(rec, "KhungGio"), "sang");
	assert_string_equal(detail(rec, "KeHoach"), "KH 12/KH-UBND");
	json_decref(rec);
	free(text);

	/* A manual play of a station's own topic, without a plan. */
	e.row.kind = KIND_PLAY;
	e.row.slot = NULL;
	e.row.plan = NULL;
	e.row.topic = (char *)"an-ninh";
	e.priority = 0;
	text = upstream_record(&ucfg, &e);
	rec = json_loads(text, 0, &err);
	assert_non_null(rec);
	assert_int_equal(int_of(rec, "LoaiLinhVuc"), 1);
	assert_int_equal(int_of(rec, "MucDoUuTien"), 3);
	assert_null(detail(rec, "KhungGio"));
	assert_null(detail(rec, "KeHoach"));
	assert_null(detail(rec, "TiepAm.Nguon"));
	json_decref(rec);
	free(text);

	/* A relay window (tiếp âm): the station by the row's title, which is
	 * the source's; its name and the URL that served it in the details. */
	e.row.kind = KIND_SLOT;
	e.row.slot = (char *)"thoi-su";
	e.row.bulletin_id = 0;
	e.row.title = (char *)"Thời sự VOV1";
	e.row.relay_source = (char *)"vov1";
	e.row.relay_url = (char *)"http://127.0.0.1:8000/vov1.mp3";
	text = upstream_record(&ucfg, &e);
	rec = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(rec);
	assert_int_equal(int_of(rec, "TiepAm"), 1);
	assert_string_equal(str_of(rec, "NguonTiepAm"), "Thời sự VOV1");
	assert_string_equal(str_of(rec, "TieuDe"), "Thời sự VOV1");
	assert_string_equal(detail(rec, "TiepAm.Nguon"), "vov1");
	assert_string_equal(detail(rec, "TiepAm.DiaChi"), "http://127.0.0.1:8000/vov1.mp3");
	json_decref(rec);
	free(text);

	/* A relay no URL answered has no address to name. */
	e.row.relay_url = NULL;
	text = upstream_record(&ucfg, &e);
	rec = json_loads(text, 0, &err);
	assert_non_null(rec);
	assert_int_equal(int_of(rec, "TiepAm"), 1);
	assert_null(detail(rec, "TiepAm.DiaChi"));
	json_decref(rec);
	free(text);
}

static void test_mappings(void **state)
{
	char buf[24];

	(void)state;
	assert_int_equal(upstream_priority_code(0), 3);
	assert_int_equal(upstream_priority_code(1), 2);
	assert_int_equal(upstream_priority_code(2), 1);
	assert_int_equal(upstream_priority_code(7), 3);
	for (int i = 1; i <= 6; i++) {
		char t[2] = { (char)('0' + i), 0 };

		assert_int_equal(upstream_topic_code(t), i);
	}
	assert_int_equal(upstream_topic_code("7"), 1);
	assert_int_equal(upstream_topic_code("an-ninh"), 1);
	assert_int_equal(upstream_topic_code(NULL), 1);
	upstream_duration(0, buf);
	assert_string_equal(buf, "00:00:00");
	upstream_duration(499, buf);
	assert_string_equal(buf, "00:00:00");
	upstream_duration(500, buf);
	assert_string_equal(buf, "00:00:01");
	upstream_duration(59999, buf);
	assert_string_equal(buf, "00:01:00");
	upstream_duration(-5, buf);
	assert_string_equal(buf, "00:00:00");
	upstream_duration(INT64_C(100) * 3600000 + 61000, buf);
	assert_string_equal(buf, "100:01:01");
}

static void test_backoff(void **state)
{
	int64_t d = 0, want[] = { 1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 512000, 600000,
				  600000 };

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		d = upstream_backoff(d);
		assert_int_equal(d, want[i]);
	}
	assert_int_equal(upstream_backoff(-3), UPSTREAM_BACKOFF_MIN_MS);
	assert_int_equal(upstream_backoff(INT64_MAX), UPSTREAM_BACKOFF_MAX_MS);
}

static void test_ping(void **state)
{
	struct upstream_station s;
	json_error_t err;
	json_t *p;
	char *text;
	const char *status = "{\"state\":\"playing\",\"now_playing\":{\"kind\":\"slot\",\"id\":3,"
			     "\"title\":\"Bản tin\\nsáng\",\"position_ms\":61000},\"queued\":0}";

	(void)state;
	assert_int_equal(upstream_station_parse(status, strlen(status), &s), 0);
	assert_true(s.daemon && s.on_air);
	assert_string_equal(s.title, "Bản tin sáng");
	text = upstream_ping(&ucfg, &s, "9.9", "/", T0);
	p = json_loads(text, JSON_REJECT_DUPLICATES, &err);
	assert_non_null(p);
	assert_int_equal(int_of(p, "TrangThaiHoatDong"), 0);
	assert_string_equal(str_of(p, "NoiDungPhat"), "Bản tin sáng");
	assert_string_equal(str_of(p, "PhienBanUngDung"), "9.9");
	assert_int_equal(int_of(p, "ThoiDiemBatDau"), (T0 - 61000) / 1000);
	assert_string_equal(str_of(p, "CumLoaID"), "CL-42");
	assert_true(json_is_object(json_object_get(p, "ThongTinThietBi")));
	json_decref(p);
	free(text);

	status = "{\"state\":\"idle\",\"now_playing\":null}";
	assert_int_equal(upstream_station_parse(status, strlen(status), &s), 0);
	assert_false(s.on_air);
	text = upstream_ping(&ucfg, &s, "9.9", "/", T0);
	p = json_loads(text, 0, &err);
	assert_int_equal(int_of(p, "TrangThaiHoatDong"), 2);
	assert_string_equal(str_of(p, "NoiDungPhat"), "");
	json_decref(p);
	free(text);
	assert_int_equal(upstream_station_parse("error", 5, &s), -EBADMSG);
	assert_false(s.daemon);

	/* The login holds the password, as a JSON string whatever it holds. */
	text = upstream_login(&ucfg, "mật \"khẩu\"\\1");
	p = json_loads(text, 0, &err);
	assert_string_equal(str_of(p, "Username"), "xa-thu");
	assert_string_equal(str_of(p, "Password"), "mật \"khẩu\"\\1");
	json_decref(p);
	free(text);
}

/* ---- the reply parser ---- */

static int parse(const char *body, struct upstream_reply *r)
{
	char why[256];

	return upstream_reply_parse(body, strlen(body), r, why, sizeof(why));
}

static void test_reply_good(void **state)
{
	struct upstream_reply r;

	(void)state;
	assert_int_equal(parse("{\"TrangThaiGui\": 0, \"MoTa\": \"Thành công\"}", &r), 0);
	assert_true(r.has_status);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.mota, "Thành công");
	assert_null(r.token);
	assert_string_equal(r.kept, "{\"TrangThaiGui\":0,\"MoTa\":\"Thành công\"}");
	upstream_reply_done(&r);

	/* A login: the token is taken, and masked in what is kept. */
	assert_int_equal(parse(" {\"TrangThaiGui\":\"0\",\"NoiDung\":{\"Token\":\"eyJ.abc-123_x\"}}\r\n", &r), 0);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.token, "eyJ.abc-123_x");
	assert_null(strstr(r.kept, "eyJ"));
	assert_non_null(strstr(r.kept, "\"Token\":\"***\""));
	upstream_reply_done(&r);

	/* A refusal, its words cleaned of control characters. */
	assert_int_equal(parse("{\"TrangThaiGui\": -2, \"MoTa\": \"Sai\\nmật\\u001bkhẩu\"}", &r), 0);
	assert_int_equal(r.status, -2);
	assert_string_equal(r.mota, "Sai mật khẩu");
	upstream_reply_done(&r);

	/* The same ack twice in one body is one ack. */
	assert_int_equal(parse("{\"TrangThaiGui\":0}\n{\"TrangThaiGui\":0}\n", &r), 0);
	assert_int_equal(r.status, 0);
	upstream_reply_done(&r);

	/* No TrangThaiGui, or one of another type: parsed, without a status. */
	assert_int_equal(parse("{\"MoTa\": 5, \"TrangThaiGui\": \"không\"}", &r), 0);
	assert_false(r.has_status);
	assert_string_equal(r.mota, "");
	upstream_reply_done(&r);
	assert_int_equal(parse("{\"TrangThaiGui\": 1.5}", &r), 0);
	assert_false(r.has_status);
	upstream_reply_done(&r);
}

static void test_reply_hostile(void **state)
{
	static const char *const bad[] = {
		"", "   \r\n", "null", "[0]", "\"TrangThaiGui\"", "{\"TrangThaiGui\": 0",
		"{\"TrangThaiGui\": 0}garbage", "{\"TrangThaiGui\":0}{\"TrangThaiGui\":1}",
		"{\"TrangThaiGui\": 0, \"TrangThaiGui\": 1}", "{\"MoTa\": \"\xff\xfe\"}",
		"<html>502 Bad Gateway</html>", "{\"a\":\"\\u0000\"}",
	};
	struct upstream_reply r;
	char *big;
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &r) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_null(r.kept);
		assert_null(r.token);
	}
	/* Tokens a header cannot carry. */
	assert_int_equal(parse("{\"TrangThaiGui\":0,\"NoiDung\":{\"Token\":\"abc\\r\\nX-Evil: 1\"}}", &r), 0);
	assert_null(r.token);
	assert_true(r.token_bad);
	upstream_reply_done(&r);
	assert_int_equal(parse("{\"TrangThaiGui\":0,\"NoiDung\":{\"Token\":\"a b\"}}", &r), 0);
	assert_true(r.token_bad);
	upstream_reply_done(&r);
	assert_int_equal(parse("{\"TrangThaiGui\":0,\"NoiDung\":{\"Token\":7}}", &r), 0);
	assert_true(r.token_bad);
	upstream_reply_done(&r);
	n = UPSTREAM_TOKEN_MAX + 60;
	big = xmalloc(n + 1);
	n = (size_t)snprintf(big, n + 1, "{\"TrangThaiGui\":0,\"NoiDung\":{\"Token\":\"%0*d\"}}", UPSTREAM_TOKEN_MAX + 1, 7);
	assert_int_equal(upstream_reply_parse(big, n, &r, NULL, 0), 0);
	assert_true(r.token_bad);
	upstream_reply_done(&r);
	free(big);

	/* A long reply is kept as a summary; a long MoTa is cut where a
	 * character begins. */
	big = xmalloc(UPSTREAM_REPLY_MAX + 1);
	n = (size_t)snprintf(big, UPSTREAM_REPLY_MAX, "{\"TrangThaiGui\":0,\"MoTa\":\"");
	while (n + 8 < 5000)
		n += (size_t)sprintf(big + n, "ữ");
	n += (size_t)sprintf(big + n, "\"}");
	assert_int_equal(upstream_reply_parse(big, n, &r, NULL, 0), 0);
	assert_true(strlen(r.kept) <= UPSTREAM_KEEP_MAX);
	assert_non_null(strstr(r.kept, "cut"));
	assert_true(strlen(r.mota) < sizeof(r.mota));
	assert_int_equal(strlen(r.mota) % 3, 0); /* "ữ" is three bytes: none split */
	upstream_reply_done(&r);
	/* Past the limit: not parsed at all. */
	memset(big, ' ', UPSTREAM_REPLY_MAX);
	big[0] = '{';
	assert_int_equal(upstream_reply_parse(big, UPSTREAM_REPLY_MAX + 1, &r, NULL, 0), -EBADMSG);
	free(big);

	/* Deep nesting: refused by jansson's depth limit, not a crash. */
	big = xmalloc(200001);
	memset(big, '[', 100000);
	memset(big + 100000, ']', 100000);
	assert_int_equal(upstream_reply_parse(big, 200000, &r, NULL, 0), -EBADMSG);
	free(big);
}

/* ---- the password file ---- */

static void test_password(void **state)
{
	char dir[128], *file, *pw, msg[512];
	struct upstream_config u = ucfg;
	FILE *f;

	(void)state;
	assert_non_null(fixture_tmpdir(dir, sizeof(dir), "upstream"));
	file = xasprintf("%s/secret", dir);
	u.password_file = file;
	assert_int_equal(upstream_password(&u, &pw, msg, sizeof(msg)), -ENOENT);
	f = fopen(file, "w");
	fputs("mật khẩu 1\r\nsecond line\n", f);
	fclose(f);
	assert_int_equal(upstream_password(&u, &pw, msg, sizeof(msg)), 0);
	assert_string_equal(pw, "mật khẩu 1");
	free(pw);
	f = fopen(file, "w");
	fputs("\n", f);
	fclose(f);
	assert_int_equal(upstream_password(&u, &pw, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "is empty"));
	f = fopen(file, "w");
	fputs("a\tb\n", f);
	fclose(f);
	assert_int_equal(upstream_password(&u, &pw, msg, sizeof(msg)), -EINVAL);
	assert_null(strstr(msg, "a\tb"));
	free(file);
	fixture_rmtree(dir);
}

/* ---- the outbox in the ledger's transaction ---- */

struct fx {
	char dir[128];
	struct db *db;
	int64_t bid;
};

static int setup_db(void **state)
{
	char *slots[] = { (char *)"sang" };
	struct bulletin b = {
		.title = (char *)"Bản tin", .topic = (char *)"3", .priority = PRIO_PRIORITY,
		.valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER, .slots = slots, .n_slots = 1,
		.sha256 = HASH_A, .path = (char *)"/var/lib/loa/content/x.wav", .source_name = (char *)"x.wav",
		.audio = { .frames = 480000, .duration_ms = 10000, .sample_rate = 48000, .channels = 1,
			   .format = "WAV", .peak_dbfs = -1, .loudness_lufs = -16, .true_peak_dbtp = -1 },
		.imported_at = T0 - 86400000,
	};
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	if (!fixture_tmpdir(f->dir, sizeof(f->dir), "outbox") ||
	    db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) < 0 || library_add(f->db, &b) < 0)
		return -1;
	f->bid = b.id;
	*state = f;
	return 0;
}

static int teardown_db(void **state)
{
	struct fx *f = *state;

	db_close(f->db);
	fixture_rmtree(f->dir);
	free(f);
	return 0;
}

static struct ledger_row aired(const struct fx *f, enum outcome o, int64_t played_ms)
{
	return (struct ledger_row){
		.kind = KIND_SLOT, .occurrence_at = T0, .scheduled_at = T0, .started_at = played_ms ? T0 + 3 : 0,
		.ended_at = played_ms ? T0 + 3 + played_ms : 0, .frames = played_ms * 48, .played_ms = played_ms,
		.outcome = o, .bulletin_id = f->bid, .title = (char *)"Bản tin", .topic = (char *)"3",
		.slot = (char *)"sang", .content_sha256 = HASH_A, .priority = 1,
	};
}

static int64_t q(const struct fx *f, const char *sql)
{
	return fixture_int(db_sqlite(f->db), sql);
}

static void test_outbox_with_the_row(void **state)
{
	struct fx *f = *state;
	struct ledger_row r;

	/* Aired: an entry for the row, with its priority. Not aired: none. */
	r = aired(f, OUTCOME_COMPLETED, 10000);
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_MISSED, 0);
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_CANCELLED, 0);
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_CANCELLED, 1200);
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_PREEMPTED, 800);
	r.kind = KIND_ALERT;
	r.slot = NULL;
	r.occurrence_at = 0;
	r.priority = 0;
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_FAILED, 0);
	assert_int_equal(ledger_append(f->db, &r), 0);
	r = aired(f, OUTCOME_PARTIAL, 0);
	assert_int_equal(ledger_append(f->db, &r), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM ledger"), 7);
	{
		sqlite3_stmt *st;
		const char *got;

		assert_int_equal(sqlite3_prepare_v2(db_sqlite(f->db), "SELECT group_concat(row_id || ':' || priority, ',')"
						    " FROM (SELECT * FROM upstream_outbox ORDER BY id)", -1, &st, NULL),
				 SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		got = (const char *)sqlite3_column_text(st, 0);
		/* Row 1 completed, row 4 cancelled after 1.2 s, row 5 an alert (an emergency). */
		assert_string_equal(got, "1:1,4:1,5:2");
		sqlite3_finalize(st);
	}
}

static void test_outbox_fails_with_the_row(void **state)
{
	struct fx *f = *state;
	struct ledger_row r = aired(f, OUTCOME_COMPLETED, 10000);

	/* The entry cannot be written: the row is not written either. */
	fixture_exec(db_sqlite(f->db), "CREATE TRIGGER no_entry BEFORE INSERT ON upstream_outbox BEGIN"
				       " SELECT RAISE(ABORT, 'disk full, say'); END");
	db_set_quiet(f->db, true);
	assert_int_equal(ledger_append(f->db, &r), -EIO);
	db_set_quiet(f->db, false);
	assert_int_equal(q(f, "SELECT count(*) FROM ledger"), 0);
	fixture_exec(db_sqlite(f->db), "DROP TRIGGER no_entry");

	/* A row the caller's transaction rolls back takes its entry with it. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(ledger_append(f->db, &r), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM ledger"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM upstream_outbox"), 0);

	/* The outbox is insert-only, like the ledger. */
	r = aired(f, OUTCOME_COMPLETED, 10000);
	assert_int_equal(ledger_append(f->db, &r), 0);
	assert_int_not_equal(sqlite3_exec(db_sqlite(f->db), "DELETE FROM upstream_outbox", NULL, NULL, NULL), SQLITE_OK);
	assert_int_not_equal(sqlite3_exec(db_sqlite(f->db), "UPDATE upstream_outbox SET priority = 0", NULL, NULL, NULL),
			     SQLITE_OK);
}

static void test_outbox_power_cut(void **state)
{
	struct fx *f = *state;
	struct ledger_row r = aired(f, OUTCOME_PARTIAL, 0);

	/* On air with its priority; the "power cut" leaves the in-flight
	 * record after a checkpoint; the restart's partial row is queued
	 * with the priority it aired with. */
	r.outcome = OUTCOME_COMPLETED;
	r.started_at = T0 + 3;
	r.priority = 2;
	assert_int_equal(ledger_inflight_begin(f->db, &r, 48000), 0);
	assert_int_equal(ledger_inflight_checkpoint(f->db, 48000 * 5, T0 + 5003), 0);
	assert_int_equal(ledger_recover_inflight(f->db), 1);
	assert_int_equal(q(f, "SELECT played_ms FROM ledger WHERE id = 1"), 5000);
	assert_int_equal(q(f, "SELECT priority FROM upstream_outbox WHERE row_id = 1"), 2);
}

static void test_outbox_settle_and_witness(void **state)
{
	struct fx *f = *state;
	struct outbox_status st;
	struct outbox_entry e;
	struct verify_witness w;
	struct verify_result res;
	char text[1024];
	struct ledger_row r;
	int64_t n;

	for (int i = 0; i < 3; i++) {
		r = aired(f, OUTCOME_COMPLETED, 10000 + i);
		assert_int_equal(ledger_append(f->db, &r), 0);
	}
	/* In order; the row as stored, its bulletin's import time. */
	assert_int_equal(outbox_next(f->db, &e), 1);
	assert_int_equal(e.id, 1);
	assert_int_equal(e.row.id, 1);
	assert_int_equal(e.priority, 1);
	assert_int_equal(e.produced_at, T0 - 86400000);
	assert_int_equal(strlen(e.row.row_hash), 64);
	assert_int_equal(outbox_settle(f->db, &e, true, 200, "{\"TrangThaiGui\":0}", T0 + 60000), 0);
	assert_int_equal(outbox_settle(f->db, &e, true, 200, NULL, T0 + 60001), -EALREADY);
	outbox_entry_done(&e);
	assert_int_equal(outbox_next(f->db, &e), 1);
	assert_int_equal(e.row.id, 2);
	assert_int_equal(outbox_settle(f->db, &e, false, 400, "{\"MoTa\":\"không\"}", T0 + 61000), 0);
	outbox_entry_done(&e);
	assert_int_equal(outbox_note(f->db, "no answer", T0 + 62000), 0);

	assert_int_equal(outbox_status(f->db, &st), 0);
	assert_int_equal(st.queued, 1);
	assert_int_equal(st.rejected, 1);
	assert_int_equal(st.accepted, 1);
	assert_int_equal(st.n_recent, 1);
	assert_int_equal(st.recent[0].row, 2);
	assert_string_equal(st.recent[0].reply, "{\"MoTa\":\"không\"}");
	assert_string_equal(st.last_error, "no answer");
	assert_int_equal(st.witness.row, 1);
	assert_int_equal(st.witness.at, T0 + 60000);
	outbox_status_done(&st);

	/* The witness holds while the ledger is as it was... */
	assert_int_equal(verify_chain(db_sqlite(f->db), NULL, &res), 0);
	assert_int_equal(verify_witness(db_sqlite(f->db), &w), 0);
	assert_int_equal(w.head.row, 1);
	assert_int_equal(w.bad_row, 0);
	assert_true(verify_witness_text(&res, &w, text, sizeof(text)));
	assert_non_null(strstr(text, "witnessed by the province up to row 1"));
	verify_result_done(&res);
	/* ...and not once row 1's hash is another (the chain then breaks at 2). */
	fixture_exec(db_sqlite(f->db), "DROP TRIGGER ledger_no_update;"
				       " UPDATE ledger SET row_hash = replace(row_hash, substr(row_hash, 1, 1), 'x')"
				       " WHERE id = 1");
	assert_int_equal(verify_chain(db_sqlite(f->db), NULL, &res), 0);
	assert_int_equal(verify_witness(db_sqlite(f->db), &w), 0);
	assert_int_equal(w.bad_row, 1);
	assert_false(verify_witness_text(&res, &w, text, sizeof(text)));
	assert_non_null(strstr(text, "row 1 is not what the province witnessed"));
	verify_result_done(&res);

	/* resend: every aired row of the period again, the first priority kept. */
	assert_int_equal(outbox_requeue(f->db, T0, T0 + 1, "hoang", "2025-11-23..2025-11-23", &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(q(f, "SELECT count(*) FROM upstream_outbox WHERE queued_by = 'hoang' AND priority = 1"), 3);
	assert_int_equal(q(f, "SELECT count(*) FROM audit WHERE action = 'upstream-resend'"), 1);
	assert_int_equal(outbox_requeue(f->db, T0 + 1, T0 + 2, "hoang", "none", &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_fields),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_ping),
		cmocka_unit_test(test_reply_good),
		cmocka_unit_test(test_reply_hostile),
		cmocka_unit_test(test_password),
		cmocka_unit_test_setup_teardown(test_outbox_with_the_row, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_outbox_fails_with_the_row, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_outbox_power_cut, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_outbox_settle_and_witness, setup_db, teardown_db),
	};

	time_set_zone("Asia/Ho_Chi_Minh");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
