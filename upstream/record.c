/* The bodies the link sends, in the field names of UPSTREAM.md, kept in
 * this one file so that a province whose names differ is one file's
 * change. Pure but for the ping's look at the box (temperature, disk),
 * so the tests check every field. Written with util/json (jansson, whose
 * names clash with it, reads what comes back: reply.c). */
#include "upstream/upstream.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "content/topic.h"
#include "util/json.h"
#include "util/xmalloc.h"

/* What a recorded bulletin is (LoaiBanTin): 3, audio. */
#define KIND_AUDIO 3
/* Station-wide figures loa does not have: a volume knob (levels are set
 * by loudness, so what airs is at full scale) and the amplifier's power. */
#define VOLUME 100
#define POWER_W 0

int upstream_priority_code(int priority)
{
	switch (priority) {
	case 2:
		return 1; /* khẩn cấp */
	case 1:
		return 2; /* ưu tiên */
	default:
		return 3; /* thông thường */
	}
}

int upstream_topic_code(const char *topic)
{
	int code = topic ? topic_builtin_code(topic) : 0;

	return code ? code : 1;
}

void upstream_duration(int64_t ms, char buf[24])
{
	int64_t s = ms > 0 ? (ms + 500) / 1000 : 0;

	snprintf(buf, 24, "%02" PRId64 ":%02d:%02d", s / 3600, (int)(s / 60 % 60), (int)(s % 60));
}

int64_t upstream_backoff(int64_t prev_ms)
{
	if (prev_ms < UPSTREAM_BACKOFF_MIN_MS)
		return UPSTREAM_BACKOFF_MIN_MS;
	return prev_ms >= UPSTREAM_BACKOFF_MAX_MS / 2 ? UPSTREAM_BACKOFF_MAX_MS : prev_ms * 2;
}

void upstream_clip(char *dst, size_t len, const char *src)
{
	size_t n = 0;

	if (!len)
		return;
	for (const unsigned char *p = (const unsigned char *)src; *p && n + 1 < len; p++)
		dst[n++] = *p < 0x20 || *p == 0x7f ? ' ' : (char)*p;
	/* Back over a character the cut split (continuation bytes 10xxxxxx
	 * and the lead byte before them). */
	if (src[n] && n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80) {
		while (n > 0 && ((unsigned char)dst[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0 && (unsigned char)dst[n - 1] >= 0xc0)
			n--;
	}
	dst[n] = '\0';
}

/* A JSON document written with util/json into a string. */
struct body {
	char *buf;
	size_t len;
	FILE *f;
	struct json j;
};

static void body_begin(struct body *b)
{
	b->buf = NULL;
	b->len = 0;
	b->f = open_memstream(&b->buf, &b->len);
	if (!b->f)
		abort(); /* only out of memory, as xmalloc */
	json_init(&b->j, b->f);
	json_object_begin(&b->j);
}

static char *body_end(struct body *b)
{
	json_object_end(&b->j);
	if (fclose(b->f) != 0)
		abort();
	return b->buf;
}

/* The identities every body starts with. */
static void identities(struct json *j, const struct upstream_config *u)
{
	json_kv_string(j, "NguonID", u->source_id);
	json_kv_string(j, "TenNguon", u->source_name);
	json_kv_string(j, "DichID", u->destination_id);
	json_kv_string(j, "TenDich", u->destination_name);
	json_kv_string(j, "CumLoaID", u->device_id);
	json_kv_string(j, "TenThietBi", u->device_name);
	json_kv_string(j, "MaNhaCungCap", u->provider_code);
	json_kv_string(j, "TenNhaCungCap", u->provider_name);
}

static void detail(struct json *j, const char *name, const char *value)
{
	json_object_begin(j);
	json_kv_string(j, "Ten", name);
	json_kv_string(j, "GiaTri", value ? value : "");
	json_object_end(j);
}

/*
 * One playback. ThoiLuong is what actually played (played_ms), not the
 * file's length; ThoiDiemBatDau the first frame. The province cannot
 * witness what it is not told, so the details carry the ledger row's id
 * and hash: with them its copy pins the chain up to that row (see
 * doc/evidence.md), and the outcome says whether it aired whole.
 */
char *upstream_record(const struct upstream_config *u, const struct outbox_entry *e)
{
	const struct ledger_row *r = &e->row;
	char dur[24], num[32];
	struct body b;

	body_begin(&b);
	identities(&b.j, u);
	/* A bulletin from the province goes back under the province's own id. */
	snprintf(num, sizeof(num), "%" PRId64, r->bulletin_id);
	json_kv_string(&b.j, "BanTinID", r->province_bulletin ? r->province_bulletin : num);
	json_kv_int(&b.j, "LoaiBanTin", KIND_AUDIO);
	json_kv_int(&b.j, "MucDoUuTien", upstream_priority_code(e->priority));
	json_kv_string(&b.j, "TieuDe", r->title ? r->title : "");
	json_kv_int(&b.j, "LoaiLinhVuc", upstream_topic_code(r->topic));
	json_kv_string(&b.j, "NoiDungTomTat", "");
	json_kv_int(&b.j, "ThoiGianSanXuat", e->produced_at / 1000);
	upstream_duration(r->played_ms, dur);
	json_kv_string(&b.j, "ThoiLuong", dur);
	json_key(&b.j, "TacGia");
	json_object_begin(&b.j);
	json_kv_string(&b.j, "TenDayDu", "");
	json_kv_string(&b.j, "ButDanh", "");
	json_kv_string(&b.j, "Email", "");
	json_object_end(&b.j);
	json_kv_int(&b.j, "ThoiDiemBatDau", r->started_at / 1000);
	/* A relay (tiếp âm) names the station it aired by its row's title,
	 * which is the source's title when it aired (ledger.h). */
	json_kv_int(&b.j, "TiepAm", r->relay_source ? 1 : 0);
	json_kv_string(&b.j, "NguonTiepAm", r->relay_source && r->title ? r->title : "");
	/* Nothing on the box is served to the network. */
	json_kv_string(&b.j, "NoiDung", "");
	json_key(&b.j, "ThongTinChiTietBanTin");
	json_array_begin(&b.j);
	snprintf(num, sizeof(num), "%" PRId64, r->id);
	detail(&b.j, "SoGhi.Dong", num);
	detail(&b.j, "SoGhi.MaKiemTra", r->row_hash);
	detail(&b.j, "KetQua", outcome_name(r->outcome));
	if (r->slot)
		detail(&b.j, "KhungGio", r->slot);
	if (r->plan)
		detail(&b.j, "KeHoach", r->plan);
	/* Which of the source's addresses served it: the station's own
	 * record of where the sound came from. */
	if (r->relay_source)
		detail(&b.j, "TiepAm.Nguon", r->relay_source);
	if (r->relay_url)
		detail(&b.j, "TiepAm.DiaChi", r->relay_url);
	if (r->province_schedule)
		detail(&b.j, "LichPhatID", r->province_schedule);
	json_array_end(&b.j);
	json_kv_string(&b.j, "NguonTin", "");
	json_kv_int(&b.j, "AmLuong", VOLUME);
	json_kv_int(&b.j, "CongSuat", POWER_W);
	return body_end(&b);
}

/* The SoC's temperature in °C from the kernel's first thermal zone, or
 * -1000 when the box has none to read. */
static long temperature(void)
{
	FILE *f = fopen("/sys/class/thermal/thermal_zone0/temp", "r");
	long mc;

	if (!f)
		return -1000;
	if (fscanf(f, "%ld", &mc) != 1)
		mc = -1000000;
	fclose(f);
	return mc / 1000;
}

/* How full (percent) the disk holding DIR is, or -1. */
static int disk_used(const char *dir)
{
	struct statvfs v;

	if (!dir || statvfs(dir, &v) < 0 || v.f_blocks == 0)
		return -1;
	return (int)((v.f_blocks - v.f_bfree) * 100 / v.f_blocks);
}

char *upstream_ping(const struct upstream_config *u, const struct upstream_station *s, const char *version,
		    const char *state_dir, int64_t now_ms)
{
	long t = temperature();
	int used = disk_used(state_dir);
	struct body b;

	body_begin(&b);
	identities(&b.j, u);
	json_kv_string(&b.j, "TenLoaiThietBi", "loa");
	json_kv_int(&b.j, "AmLuong", VOLUME);
	/* 0 on air, 2 idle (or the daemon not answering: nothing airs). */
	json_kv_int(&b.j, "TrangThaiHoatDong", s->on_air ? 0 : 2);
	/* The ping itself is the proof of the connection. */
	json_kv_int(&b.j, "TrangThaiKetNoi", 1);
	json_kv_string(&b.j, "ViDo", "");
	json_kv_string(&b.j, "KinhDo", "");
	json_key(&b.j, "ThongTinThietBi");
	json_object_begin(&b.j);
	json_kv_int(&b.j, "CongSuat", POWER_W);
	json_key(&b.j, "NhietDo");
	if (t > -1000)
		json_int(&b.j, t);
	else
		json_null(&b.j);
	json_key(&b.j, "DungLuongSuDung");
	if (used >= 0)
		json_int(&b.j, used);
	else
		json_null(&b.j);
	json_object_end(&b.j);
	json_kv_int(&b.j, "ThoiDiemBatDau", s->on_air ? (now_ms - s->position_ms) / 1000 : 0);
	json_kv_string(&b.j, "NoiDungPhat", s->on_air ? s->title : "");
	json_kv_string(&b.j, "PhienBanUngDung", version);
	return body_end(&b);
}

char *upstream_login(const struct upstream_config *u, const char *password)
{
	struct body b;

	body_begin(&b);
	json_kv_string(&b.j, "Username", u->username);
	json_kv_string(&b.j, "Password", password);
	return body_end(&b);
}

/* The acknowledgement of a schedule stored (UPSTREAM.md): its id, name,
 * the area served and its bulletins; or of one cancelled: the device
 * instead of the area and bulletins. */
char *upstream_schedule_ack(const struct upstream_config *u, const struct province_ack *a)
{
	struct body b;

	body_begin(&b);
	identities(&b.j, u);
	json_kv_string(&b.j, "LichPhatID", a->id);
	json_kv_string(&b.j, "TenLichPhat", a->name ? a->name : "");
	if (a->cancelled) {
		json_key(&b.j, "DanhSachThietBi");
		json_array_begin(&b.j);
		json_string(&b.j, u->device_id);
		json_array_end(&b.j);
		return body_end(&b);
	}
	json_key(&b.j, "DanhSachDiaBan");
	json_array_begin(&b.j);
	if (u->destination_id)
		json_string(&b.j, u->destination_id);
	json_array_end(&b.j);
	json_key(&b.j, "DanhSachBanTin");
	json_array_begin(&b.j);
	for (size_t i = 0; i < a->n_bulletins; i++) {
		json_object_begin(&b.j);
		json_kv_string(&b.j, "BanTinID", a->bulletins[i]);
		json_object_end(&b.j);
	}
	json_array_end(&b.j);
	return body_end(&b);
}

/* A bulletin whose audio loa will not air (UPSTREAM.md names no form for
 * it; this is the acknowledgement's, with the refusal in MoTa as the
 * server's own refusals carry it). */
char *upstream_schedule_reject(const struct upstream_config *u, const struct province_refusal *r)
{
	struct body b;

	body_begin(&b);
	identities(&b.j, u);
	json_kv_string(&b.j, "BanTinID", r->id);
	json_kv_string(&b.j, "NoiDung", r->url ? r->url : "");
	json_kv_string(&b.j, "MoTa", r->reason ? r->reason : "");
	json_kv_int(&b.j, "ThoiDiem", r->at / 1000);
	return body_end(&b);
}
