/* The province's schedules as upstream/schedule.c reads them: a good
 * schedule in every field, the envelope and the bare list, cancellations,
 * and each kind of garbage refusing its schedule whole, with a message
 * that names the field, while the other schedules of the reply stand. */
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

#include "upstream/upstream.h"
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
	const struct upstream_schedule *s;
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_envelopes),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
