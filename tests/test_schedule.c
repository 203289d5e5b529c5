/* The province's schedules as upstream/schedule.c reads them: a good
 * schedule in every field, the envelope and the bare list, cancellations,
 * and each kind of garbage refusing its schedule whole, with a message
 * that names the field, while the other schedules of the reply stand.
 * Then as content/province.c keeps them: a re-send changes nothing, a
 * changed instant moves its item, an instant long gone is `missed`, a
 * cancelled or vanished schedule leaves `skipped` rows "cancelled by the
 * province", and a province bulletin cannot be edited or retired here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdbool.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fixture.h"
#include "content/library.h"
#include "content/province.h"
#include "db/db.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "upstream/upstream.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

/* 02-12-2026 00:00 UTC, and 07:00 +07:00 that day. */
#define DAY0 INT64_C(1796169600)
#define AT0 (DAY0)

/* A schedule with bulletin fields B (inside the bulletin's braces) and day D. */
static char *sched(const char *id, const char *b, const char *d)
{
	return xasprintf("{\"LichPhatID\":%s,\"TenLichPhat\":\"Sáng\",\"DanhSachBanTin\":[{%s}],"
			 "\"DanhSachNgayPhat\":[%s]}", id, b, d);
}

#define GOOD_B "\"BanTinID\":\"BT-1\",\"TieuDe\":\"Tin\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3," \
	"\"NoiDung\":\"https://n.example/1.mp3\""
#define GOOD_D "{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796169600," \
	"\"ThoiGianKetThuc\":1796169700}]}"

static int parse(const char *body, struct upstream_schedules *l, char *why, size_t whylen)
{
	return upstream_schedules_parse(body, strlen(body), l, why, whylen);
}

static void test_good(void **state)
{
	static const char body[] =
		"{\"TrangThaiGui\":0,\"NoiDung\":[{\"LichPhatID\":\"LP-1\",\"TenLichPhat\":\"Bản tin\\nsáng\","
		"\"Khac\":{\"unknown\":[1,2]},"
		"\"DanhSachBanTin\":[{\"BanTinID\":\"BT-1\",\"TieuDe\":\"Tin huyện\",\"ThoiLuong\":\"01:03:20\","
		"\"LoaiLinhVuc\":3,\"MucDoUuTien\":1,\"NoiDung\":\"https://nguon.example/a/1.mp3?x=1\","
		"\"TacGia\":{\"TenDayDu\":\"Nguyễn Văn A\",\"ButDanh\":\"A\",\"Email\":\"a@x.vn\"}},"
		"{\"BanTinID\":7,\"TieuDe\":\"Hai\",\"LoaiLinhVuc\":6,\"MucDoUuTien\":2,"
		"\"NoiDung\":\"http://10.0.0.1:8080/2.wav\",\"TacGia\":{\"ButDanh\":\"B\"}},"
		"{\"BanTinID\":\"BT-3\",\"TieuDe\":\"Ba\",\"LoaiLinhVuc\":1,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n.example/3.mp3\",\"TacGia\":null}],"
		"\"DanhSachNgayPhat\":[{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":["
		"{\"ThoiGianBatDau\":1796169600,\"ThoiGianKetThuc\":1796169800},"
		"{\"ThoiGianBatDau\":1796180400,\"ThoiGianKetThuc\":1796180400}]},"
		"{\"NgayPhat\":\"03-12-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796230800,"
		"\"ThoiGianKetThuc\":1796231000}]}]}]}";
	struct upstream_schedules l;
	const struct province_schedule *s;
	char why[256] = "";

	(void)state;
	assert_int_equal(parse(body, &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 1);
	s = &l.items[0];
	assert_false(s->refused);
	assert_false(s->cancelled);
	assert_string_equal(s->id, "LP-1");
	assert_string_equal(s->name, "Bản tin sáng"); /* the line break made a space */
	assert_int_equal(s->n_bulletins, 3);
	assert_string_equal(s->bulletins[0].id, "BT-1");
	assert_string_equal(s->bulletins[0].title, "Tin huyện");
	assert_int_equal(s->bulletins[0].duration_ms, (3600 + 200) * 1000);
	assert_int_equal(s->bulletins[0].topic, 3);
	assert_int_equal(s->bulletins[0].priority, 2); /* MucDoUuTien 1: emergency */
	assert_string_equal(s->bulletins[0].url, "https://nguon.example/a/1.mp3?x=1");
	assert_string_equal(s->bulletins[0].author, "Nguyễn Văn A");
	assert_string_equal(s->bulletins[1].id, "7");
	assert_int_equal(s->bulletins[1].priority, 1);
	assert_int_equal(s->bulletins[1].duration_ms, 0);
	assert_string_equal(s->bulletins[1].author, "B");
	assert_int_equal(s->bulletins[2].priority, 0);
	assert_null(s->bulletins[2].author);
	assert_int_equal(s->n_instants, 3);
	assert_int_equal(s->instants[0].start_ms, DAY0 * 1000);
	assert_int_equal(s->instants[0].end_ms, (DAY0 + 200) * 1000);
	assert_int_equal(s->instants[2].start_ms, INT64_C(1796230800) * 1000);
	upstream_schedules_done(&l);
}

static void test_envelopes(void **state)
{
	struct upstream_schedules l;
	char why[256];
	char *one = sched("\"A\"", GOOD_B, GOOD_D), *body;

	(void)state;
	body = xasprintf("[%s]", one);
	assert_int_equal(parse(body, &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 1);
	assert_false(l.items[0].refused);
	upstream_schedules_done(&l);
	free(body);
	assert_int_equal(parse("[]", &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 0);
	upstream_schedules_done(&l);
	assert_int_equal(parse("{\"TrangThaiGui\":0,\"NoiDung\":[]}", &l, why, sizeof(why)), 0);
	upstream_schedules_done(&l);

	static const char *const bad[] = {
		"", "[", "null", "{}", "{\"NoiDung\":{}}", "{\"TrangThaiGui\":1,\"NoiDung\":[]}",
		"{\"TrangThaiGui\":\"0\",\"NoiDung\":[]}", "{\"NoiDung\":[],\"NoiDung\":[]}", "\"[]\"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		if (parse(bad[i], &l, why, sizeof(why)) != -EBADMSG)
			fail_msg("accepted: %s", bad[i]);
		assert_null(l.items);
		assert_true(why[0]);
	}
	free(one);
}

static void test_cancel(void **state)
{
	struct upstream_schedules l;
	char why[256];

	(void)state;
	assert_int_equal(parse("[{\"LichPhatID\":\"A\",\"TenLichPhat\":\"x\",\"Huy\":true},"
			       "{\"LichPhatID\":\"B\",\"Huy\":1},{\"LichPhatID\":\"C\",\"Huy\":\"yes\"}]",
			       &l, why, sizeof(why)), 0);
	assert_int_equal(l.n, 3);
	assert_true(l.items[0].cancelled);
	assert_int_equal(l.items[0].n_bulletins, 0);
	assert_true(l.items[1].cancelled);
	assert_true(l.items[2].refused);
	assert_string_equal(l.items[2].id, "C");
	assert_non_null(strstr(l.items[2].why, "Huy"));
	upstream_schedules_done(&l);
}

/* Each garbage field refuses the one schedule, naming FIELD; the good
 * schedule beside it stands. */
static void refuses(const char *id, const char *b, const char *d, const char *field)
{
	struct upstream_schedules l;
	char why[256];
	char *bad = sched(id, b, d), *good = sched("\"G\"", GOOD_B, GOOD_D), *body;

	body = xasprintf("[%s,%s]", bad, good);
	if (parse(body, &l, why, sizeof(why)) != 0)
		fail_msg("the reply was refused as a whole (%s): %s", why, body);
	assert_int_equal(l.n, 2);
	if (!l.items[0].refused)
		fail_msg("accepted: %s", bad);
	if (!strstr(l.items[0].why, field))
		fail_msg("'%s' does not name %s", l.items[0].why, field);
	assert_null(l.items[0].bulletins);
	assert_null(l.items[0].instants);
	assert_false(l.items[1].refused);
	assert_string_equal(l.items[1].id, "G");
	upstream_schedules_done(&l);
	free(body);
	free(bad);
	free(good);
}

static void test_garbage(void **state)
{
	const char *B = GOOD_B, *D = GOOD_D;

	(void)state;
	refuses("\"../../etc\"", B, D, "LichPhatID");
	refuses("\"a b\"", B, D, "LichPhatID");
	refuses("\"\"", B, D, "LichPhatID");
	refuses("-1", B, D, "LichPhatID");
	refuses("1.5", B, D, "LichPhatID");
	refuses("\"A\"", "\"BanTinID\":\"x/y\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].BanTinID");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].TieuDe");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":7,\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].TieuDe");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":7,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].LoaiLinhVuc");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":\"3\",\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].LoaiLinhVuc");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":0,"
		"\"NoiDung\":\"https://n/1\"", D, "DanhSachBanTin[0].MucDoUuTien");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"NoiDung\":\"https://n/1\"", D,
		"DanhSachBanTin[0].MucDoUuTien");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"file:///etc/passwd\"", D, "DanhSachBanTin[0].NoiDung");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"/var/lib/loa/x.wav\"", D, "DanhSachBanTin[0].NoiDung");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://user:pw@n/1\"", D, "DanhSachBanTin[0].NoiDung");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https://n/a b\"", D, "DanhSachBanTin[0].NoiDung");
	refuses("\"A\"", "\"BanTinID\":\"x\",\"TieuDe\":\"T\",\"LoaiLinhVuc\":3,\"MucDoUuTien\":3,"
		"\"NoiDung\":\"https:///nohost\"", D, "DanhSachBanTin[0].NoiDung");
	refuses("\"A\"", GOOD_B ",\"ThoiLuong\":\"3 min\"", D, "DanhSachBanTin[0].ThoiLuong");
	refuses("\"A\"", GOOD_B ",\"ThoiLuong\":\"00:61:00\"", D, "DanhSachBanTin[0].ThoiLuong");
	refuses("\"A\"", GOOD_B ",\"TacGia\":[1]", D, "DanhSachBanTin[0].TacGia");
	refuses("\"A\"", GOOD_B ",\"TacGia\":{\"TenDayDu\":5}", D, "DanhSachBanTin[0].TacGia.TenDayDu");
	refuses("\"A\"", GOOD_B "},{" GOOD_B, D, "DanhSachBanTin[1].BanTinID");
	refuses("\"A\"", B, "{\"NgayPhat\":\"31-02-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796169600,"
		"\"ThoiGianKetThuc\":1796169700}]}", "DanhSachNgayPhat[0].NgayPhat");
	refuses("\"A\"", B, "{\"NgayPhat\":\"2026-12-02\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796169600,"
		"\"ThoiGianKetThuc\":1796169700}]}", "DanhSachNgayPhat[0].NgayPhat");
	refuses("\"A\"", B, "{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":[]}", "DanhSachNgayPhat[0].ThoiDiemPhat");
	refuses("\"A\"", B, "{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":\"07:00\","
		"\"ThoiGianKetThuc\":1796169700}]}", "DanhSachNgayPhat[0].ThoiDiemPhat[0].ThoiGianBatDau");
	/* An instant a week away from its day, or ending before it starts. */
	refuses("\"A\"", B, "{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796774400,"
		"\"ThoiGianKetThuc\":1796774500}]}", "DanhSachNgayPhat[0].ThoiDiemPhat[0].ThoiGianBatDau");
	refuses("\"A\"", B, "{\"NgayPhat\":\"02-12-2026\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":1796169600,"
		"\"ThoiGianKetThuc\":1796169500}]}", "DanhSachNgayPhat[0].ThoiDiemPhat[0].ThoiGianKetThuc");
	refuses("\"A\"", B, "7", "DanhSachNgayPhat[0]");
}

static void test_whole(void **state)
{
	struct upstream_schedules l;
	char why[256];
	char *good = sched("\"A\"", GOOD_B, GOOD_D), *body;

	(void)state;
	/* No bulletins, or no days: nothing to air is not a schedule. */
	assert_int_equal(parse("[{\"LichPhatID\":\"A\",\"DanhSachBanTin\":[],\"DanhSachNgayPhat\":[]}]", &l, why,
			       sizeof(why)), 0);
	assert_true(l.items[0].refused);
	assert_non_null(strstr(l.items[0].why, "DanhSachBanTin"));
	upstream_schedules_done(&l);
	/* The same schedule twice in one reply: the second is refused. */
	body = xasprintf("[%s,%s]", good, good);
	assert_int_equal(parse(body, &l, why, sizeof(why)), 0);
	assert_false(l.items[0].refused);
	assert_true(l.items[1].refused);
	assert_non_null(strstr(l.items[1].why, "LichPhatID"));
	upstream_schedules_done(&l);
	free(body);
	free(good);
}


/* ---- the store ---- */

struct fx {
	char dir[256];
	struct db *db;
};

static int setup_db(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	char msg[512];

	if (!fixture_tmpdir(f->dir, sizeof(f->dir), "province") ||
	    db_open(f->dir, DB_READ_WRITE, &f->db, msg, sizeof(msg)) < 0)
		return -1;
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

#define NOW (INT64_C(1796169600) * 1000) /* 02-12-2026 00:00 UTC */
#define GRACE (10 * 60000)

/* A parsed schedule ID of bulletins B1.. at instants (seconds after NOW). */
static struct province_schedule make(const char *id, size_t nb, const int64_t *secs, size_t ni)
{
	struct province_schedule s = { 0 };

	snprintf(s.id, sizeof(s.id), "%s", id);
	s.name = xstrdup("Lịch");
	s.bulletins = xcalloc(nb, sizeof(*s.bulletins));
	s.n_bulletins = nb;
	for (size_t i = 0; i < nb; i++) {
		snprintf(s.bulletins[i].id, sizeof(s.bulletins[i].id), "%s-B%zu", id, i + 1);
		s.bulletins[i].title = xasprintf("Tin %zu", i + 1);
		s.bulletins[i].topic = 3;
		s.bulletins[i].priority = 0;
		s.bulletins[i].url = xasprintf("https://n.example/%s/%zu.wav", id, i + 1);
	}
	s.instants = xcalloc(ni, sizeof(*s.instants));
	s.n_instants = ni;
	for (size_t i = 0; i < ni; i++) {
		s.instants[i].start_ms = NOW + secs[i] * 1000;
		s.instants[i].end_ms = s.instants[i].start_ms + 60000;
	}
	return s;
}

static int64_t count(struct fx *f, const char *sql)
{
	return fixture_int(db_sqlite(f->db), sql);
}

static void test_store_idempotent(void **state)
{
	struct fx *f = *state;
	int64_t secs[] = { 60, 3600 };
	struct province_schedule s = make("LP1", 2, secs, 2);
	struct province_item *v;
	size_t n;

	assert_int_equal(province_store(f->db, &s, NOW, GRACE), PROVINCE_NEW);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM province_bulletins WHERE state = 'pending'"), 2);
	/* The same again: nothing changes, nothing to acknowledge anew. */
	assert_int_equal(province_acked(f->db, "LP1", false, NOW), 0);
	assert_int_equal(province_store(f->db, &s, NOW + 1000, GRACE), PROVINCE_SAME);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM province_schedules WHERE acked_at IS NULL"), 0);
	assert_int_equal(province_items(f->db, NOW, NOW + 86400000, &v, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(v[0].at, NOW + 60000);
	assert_string_equal(v[0].bulletin, "LP1-B1");
	assert_int_equal(v[1].at, NOW + 60000);
	assert_string_equal(v[1].bulletin, "LP1-B2");
	assert_int_equal(v[1].seq, 1);
	assert_string_equal(v[0].state, "pending");
	assert_string_equal(v[0].url, "https://n.example/LP1/1.wav");
	province_items_free(v, n);

	/* A changed instant moves its items. */
	s.instants[1].start_ms += 600000;
	assert_int_equal(province_store(f->db, &s, NOW + 2000, GRACE), PROVINCE_CHANGED);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items"), 4);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE at = 1796169600000 + 4200000"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE at = 1796169600000 + 3600000"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM province_schedules WHERE acked_at IS NULL"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM ledger"), 0);
	province_schedule_done(&s);
}

static void test_store_past(void **state)
{
	struct fx *f = *state;
	int64_t secs[] = { -3600, -60, 60 };
	struct province_schedule s = make("LP2", 1, secs, 3);
	struct ledger_row row;

	assert_int_equal(province_store(f->db, &s, NOW, GRACE), PROVINCE_NEW);
	/* An hour ago is past the grace: missed, no item; a minute ago is within it. */
	assert_int_equal(count(f, "SELECT count(*) FROM province_items"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM ledger"), 1);
	assert_int_equal(ledger_get(f->db, 1, &row), 0);
	assert_int_equal(row.outcome, OUTCOME_MISSED);
	assert_int_equal(row.scheduled_at, NOW - 3600000);
	assert_string_equal(row.origin, "province");
	assert_string_equal(row.province_schedule, "LP2");
	assert_string_equal(row.province_bulletin, "LP2-B1");
	assert_string_equal(row.title, "Tin 1");
	ledger_row_done(&row);
	/* Sent again later: the missed one is not missed twice. */
	s.name[0] = 'X';
	assert_int_equal(province_store(f->db, &s, NOW + 1000, GRACE), PROVINCE_CHANGED);
	assert_int_equal(count(f, "SELECT count(*) FROM ledger"), 1);
	province_schedule_done(&s);
}

static void test_cancel_and_sweep(void **state)
{
	struct fx *f = *state;
	int64_t secs[] = { 60, 120 };
	struct province_schedule a = make("A", 2, secs, 2), b = make("B", 1, secs, 1);
	char *listed[] = { (char *)"B" };
	struct province_ack ack;
	struct ledger_row row;
	struct verify_result res = { 0 };

	assert_int_equal(province_store(f->db, &a, NOW, GRACE), PROVINCE_NEW);
	assert_int_equal(province_store(f->db, &b, NOW, GRACE), PROVINCE_NEW);
	assert_int_equal(province_to_ack(f->db, &ack), 1);
	assert_string_equal(ack.id, "A");
	assert_false(ack.cancelled);
	assert_int_equal(ack.n_bulletins, 2);
	assert_string_equal(ack.bulletins[0], "A-B1");
	assert_string_equal(ack.bulletins[1], "A-B2");
	assert_int_equal(province_acked(f->db, ack.id, false, NOW), 0);
	province_ack_done(&ack);
	assert_int_equal(province_to_ack(f->db, &ack), 1);
	assert_string_equal(ack.id, "B");
	assert_int_equal(province_acked(f->db, ack.id, false, NOW), 0);
	province_ack_done(&ack);
	assert_int_equal(province_to_ack(f->db, &ack), 0);

	/* A vanishes from the list: its four items are skipped, with the reason. */
	assert_int_equal(province_sweep(f->db, listed, 1, NOW + 1000), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE schedule_id = 'A'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE schedule_id = 'B'"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM ledger WHERE outcome = 'skipped'"
			 " AND reason = 'cancelled by the province' AND province_schedule = 'A'"), 4);
	assert_int_equal(ledger_get(f->db, 1, &row), 0);
	assert_int_equal(row.scheduled_at, NOW + 60000);
	assert_string_equal(row.province_bulletin, "A-B1");
	ledger_row_done(&row);
	assert_int_equal(province_to_ack(f->db, &ack), 1);
	assert_string_equal(ack.id, "A");
	assert_true(ack.cancelled);
	assert_int_equal(province_acked(f->db, ack.id, true, NOW), 0);
	province_ack_done(&ack);
	/* Cancelling again, or sweeping again, does nothing. */
	assert_int_equal(province_cancel(f->db, "A", NOW + 2000), PROVINCE_SAME);
	assert_int_equal(province_sweep(f->db, listed, 1, NOW + 3000), 0);
	assert_int_equal(province_cancel(f->db, "B", NOW + 4000), PROVINCE_CANCELLED);
	assert_int_equal(count(f, "SELECT count(*) FROM ledger"), 5);
	/* The chain with the province's columns verifies. */
	assert_int_equal(verify_chain(db_sqlite(f->db), NULL, &res), 0);
	assert_true(res.ok);
	assert_int_equal(res.rows, 5);
	verify_result_done(&res);
	/* Sent again after its cancellation: it stands again, but an item
	 * the ledger closed (skipped) keeps its one row and does not come
	 * back; at new instants its items do. */
	assert_int_equal(province_store(f->db, &a, NOW + 5000, GRACE), PROVINCE_NEW);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE schedule_id = 'A'"), 0);
	a.instants[0].start_ms += 3600000;
	assert_int_equal(province_store(f->db, &a, NOW + 6000, GRACE), PROVINCE_CHANGED);
	assert_int_equal(count(f, "SELECT count(*) FROM province_items WHERE schedule_id = 'A'"), 2);
	province_schedule_done(&a);
	province_schedule_done(&b);
}

static void test_downloads_and_owner(void **state)
{
	struct fx *f = *state;
	int64_t secs[] = { 600, 60 };
	struct province_schedule s = make("D", 2, secs, 1), t = make("E", 1, secs + 1, 1);
	struct province_download d;
	struct province_counts c;
	struct bulletin b = {
		.valid_from = DAY_NONE_BEFORE, .valid_until = DAY_NONE_AFTER,
		.sha256 = "a3f1c2d4e5b60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90",
		.path = (char *)"/x.wav", .source_name = (char *)"1.wav",
		.audio = { .frames = 48000, .duration_ms = 1000, .sample_rate = 48000, .channels = 1, .format = "WAV" },
		.imported_at = NOW,
	};

	assert_int_equal(province_store(f->db, &s, NOW, GRACE), PROVINCE_NEW);
	assert_int_equal(province_store(f->db, &t, NOW, GRACE), PROVINCE_NEW);
	/* The one needed first goes first. */
	assert_int_equal(province_next_download(f->db, &d), 1);
	assert_string_equal(d.id, "E-B1");
	assert_int_equal(d.first_at, NOW + 60000);
	province_download_done(&d);
	assert_int_equal(province_bulletin_failed(f->db, "E-B1", true, "not audio", NOW), 0);
	assert_int_equal(province_next_download(f->db, &d), 1);
	assert_string_equal(d.id, "D-B1");
	assert_string_equal(d.url, "https://n.example/D/1.wav");
	province_download_done(&d);

	assert_int_equal(province_bulletin_meta(f->db, "D-B1", &b), 0);
	assert_string_equal(b.title, "Tin 1");
	assert_string_equal(b.topic, "3");
	assert_string_equal(b.origin, "province");
	assert_int_equal(library_add(f->db, &b), 0);
	assert_int_equal(province_bulletin_stored(f->db, "D-B1", b.id, NOW), 0);
	assert_int_equal(province_counts(f->db, &c), 0);
	assert_int_equal(c.schedules, 2);
	assert_int_equal(c.bulletins, 1);
	assert_int_equal(c.pending, 1);
	assert_int_equal(c.rejected, 1);

	/* Killed between the import and its state: found in the library, not fetched again. */
	fixture_exec(db_sqlite(f->db), "UPDATE province_bulletins SET state = 'pending', bulletin_id = NULL WHERE id = 'D-B1'");
	assert_int_equal(province_next_download(f->db, &d), 1);
	assert_string_equal(d.id, "D-B2");
	province_download_done(&d);
	assert_int_equal(count(f, "SELECT bulletin_id FROM province_bulletins WHERE id = 'D-B1'"), b.id);
	/* Only the province changes it. */
	assert_int_equal(library_update(f->db, &b, "tester"), -EPERM);
	assert_int_equal(library_retire(f->db, b.id, NOW, "tester"), -EPERM);
	/* A re-send does not fetch a stored bulletin again, even at a new address. */
	free(s.bulletins[0].url);
	s.bulletins[0].url = xstrdup("https://n.example/moved.wav");
	assert_int_equal(province_store(f->db, &s, NOW + 1000, GRACE), PROVINCE_CHANGED);
	assert_int_equal(count(f, "SELECT count(*) FROM province_bulletins WHERE state = 'stored'"), 1);
	free(b.title);
	free(b.topic);
	free(b.origin);
	free(b.province_id);
	free(b.author);
	province_schedule_done(&s);
	province_schedule_done(&t);
}

/* A refusal is told to the province once; a new refusal of the same
 * bulletin (say the province sent another file) is told again. */
static void test_refusal_reported(void **state)
{
	struct fx *f = *state;
	int64_t secs[] = { 600 };
	struct province_schedule s = make("R", 2, secs, 1);
	struct province_refusal r;

	assert_int_equal(province_store(f->db, &s, NOW, GRACE), PROVINCE_NEW);
	assert_int_equal(province_to_report(f->db, &r), 0);
	assert_int_equal(province_bulletin_failed(f->db, "R-B2", false, "HTTP 404", NOW), 0);
	assert_int_equal(province_to_report(f->db, &r), 0); /* a failed fetch is not a refusal */
	assert_int_equal(province_bulletin_failed(f->db, "R-B1", true, "not audio", NOW + 1), 0);
	assert_int_equal(province_to_report(f->db, &r), 1);
	assert_string_equal(r.id, "R-B1");
	assert_string_equal(r.url, "https://n.example/R/1.wav");
	assert_string_equal(r.reason, "not audio");
	assert_int_equal(r.at, NOW + 1);
	/* Refused again while the report was in flight: that one is told too. */
	assert_int_equal(province_bulletin_failed(f->db, "R-B1", true, "too long", NOW + 2), 0);
	assert_int_equal(province_reported(f->db, &r, NOW + 3), 0);
	province_refusal_done(&r);
	assert_int_equal(province_to_report(f->db, &r), 1);
	assert_string_equal(r.reason, "too long");
	assert_int_equal(province_reported(f->db, &r, NOW + 4), 0);
	province_refusal_done(&r);
	assert_int_equal(province_to_report(f->db, &r), 0);
	assert_null(r.url);
	province_schedule_done(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_envelopes),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_whole),
		cmocka_unit_test_setup_teardown(test_store_idempotent, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_store_past, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_cancel_and_sweep, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_downloads_and_owner, setup_db, teardown_db),
		cmocka_unit_test_setup_teardown(test_refusal_reported, setup_db, teardown_db),
	};

	time_set_zone("Asia/Ho_Chi_Minh");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
