/* The words of every report form, Vietnamese and English, in one table,
 * and the one order of the outcome columns: the HTML page, the CSV and the
 * JSON (and the web console later) say the same thing the same way. */
#include "report/report.h"

static const struct report_labels vi = {
	.lang = "vi",
	.title = "Báo cáo kết quả phát thanh",
	.period = "Kỳ báo cáo", .from_to_sep = "đến",
	.station = "Đài", .by = "Thống kê theo", .generated = "Lập lúc",
	.head = "Mã kiểm tra sổ ghi", .head_row = "dòng",
	.not_intact = "Cảnh báo: sổ ghi phát thanh không còn nguyên vẹn (loa verify báo lỗi); số liệu "
		      "dưới đây là những gì cơ sở dữ liệu đang chứa, không thể dùng làm bằng chứng.",
	.planned = "Dự kiến",
	.outcome = {
		[OUTCOME_COMPLETED] = "Phát trọn vẹn", [OUTCOME_PARTIAL] = "Phát một phần",
		[OUTCOME_PREEMPTED] = "Bị ngắt (khẩn cấp)", [OUTCOME_CANCELLED] = "Bị dừng",
		[OUTCOME_FAILED] = "Lỗi", [OUTCOME_MISSED] = "Bị lỡ", [OUTCOME_SKIPPED] = "Bỏ qua",
	},
	.aired = "Thời lượng (phút)", .relay = "Tiếp âm (phút)", .compliance = "Tỷ lệ hoàn thành", .total = "Tổng cộng",
	.by_name = { "Lĩnh vực", "Kế hoạch", "Bản tin", "Khung giờ", "Ngày" },
	.chart_title = { "Số phút phát theo lĩnh vực, theo ngày", "Số phút phát theo lĩnh vực, theo tuần",
			 "Số phút phát theo lĩnh vực, theo tháng" },
	.chart_unit = "phút", .no_data = "Không có lượt phát nào trong kỳ",
	.notes_title = "Ghi chú",
	.note_planned = "Dự kiến: số lượt phát có trong sổ ghi của kỳ — mỗi lượt theo lịch, phát thủ công "
			"hoặc phát khẩn cấp có đúng một dòng, dù đã phát hay không.",
	.note_compliance = "Tỷ lệ hoàn thành = số lượt phát trọn vẹn ÷ số lượt dự kiến. Thời lượng gồm cả "
			   "phần đã phát của các lượt bị ngắt hoặc phát một phần. Tiếp âm: số phút tiếp âm có "
			   "tín hiệu của nguồn, tính riêng, không gộp vào thời lượng bản tin.",
	.note_verify = "Đối chiếu báo cáo này với sổ ghi trên máy phát: loa verify --head",
	.prepared = "Người lập báo cáo", .sign = "(Ký, ghi rõ họ tên)",
	.witness = "Tỉnh đã xác nhận", .witness_row = "đến dòng", .witness_at = "lúc",
};

static const struct report_labels en = {
	.lang = "en",
	.title = "Broadcast report",
	.period = "Period", .from_to_sep = "to",
	.station = "Station", .by = "Grouped by", .generated = "Generated",
	.head = "Ledger head", .head_row = "row",
	.not_intact = "Warning: the playback ledger is not intact (loa verify fails); the figures below "
		      "are what the database holds now and cannot serve as evidence.",
	.planned = "Plan\u00adned",
	.outcome = {
		[OUTCOME_COMPLETED] = "Com\u00adple\u00adted", [OUTCOME_PARTIAL] = "Par\u00adtial",
		[OUTCOME_PREEMPTED] = "Pre\u00ademp\u00adted", [OUTCOME_CANCELLED] = "Can\u00adcel\u00adled",
		[OUTCOME_FAILED] = "Failed", [OUTCOME_MISSED] = "Missed", [OUTCOME_SKIPPED] = "Skip\u00adped",
	},
	.aired = "Aired (min)", .relay = "Relay (min)", .compliance = "Com\u00adpli\u00adance", .total = "Total",
	.by_name = { "Topic", "Plan", "Bulletin", "Slot", "Day" },
	.chart_title = { "Minutes aired per topic, per day", "Minutes aired per topic, per week",
			 "Minutes aired per topic, per month" },
	.chart_unit = "min", .no_data = "Nothing aired in this period",
	.notes_title = "Notes",
	.note_planned = "Planned: the items in the ledger for the period — every scheduled item, manual "
			"play and alert has exactly one row, whether it aired or not.",
	.note_compliance = "Compliance = completed ÷ planned. Aired minutes include what partial and "
			   "preempted items played. Relay: the minutes of relays (tiếp âm) that carried their "
			   "source, counted apart from the bulletins' minutes.",
	.note_verify = "Check this report against the ledger on the station box: loa verify --head",
	.prepared = "Prepared by", .sign = "(signature and full name)",
	.witness = "Witnessed by the province", .witness_row = "up to row", .witness_at = "at",
};

const enum outcome report_outcome_order[REPORT_N_OUTCOMES] = {
	OUTCOME_COMPLETED, OUTCOME_PARTIAL, OUTCOME_PREEMPTED, OUTCOME_CANCELLED,
	OUTCOME_MISSED, OUTCOME_SKIPPED, OUTCOME_FAILED,
};

const struct report_labels *report_labels(enum topic_lang lang)
{
	return lang == TOPIC_LANG_EN ? &en : &vi;
}
