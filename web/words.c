/* See words.h. Vietnamese first: the words of DESIGN.md's table (bản tin,
 * khung giờ phát, lịch phát, sổ ghi phát thanh, nhật ký thao tác, lĩnh
 * vực, kế hoạch, phát khẩn cấp, dừng phát, the outcomes and the roles). */
#include "web/words.h"

#include <stdio.h>

static const char *const words[W_COUNT][2] = {
	[W_OTHER_LANGUAGE] = { "English", "Tiếng Việt" },
	[W_LOGIN] = { "Đăng nhập", "Log in" },
	[W_LOGOUT] = { "Đăng xuất", "Log out" },
	[W_ACCOUNT] = { "Tài khoản", "Account" },
	[W_PASSWORD] = { "Mật khẩu", "Password" },
	[W_FIRST_ADMIN] = { "Chưa có tài khoản nào. Tạo tài khoản quản trị đầu tiên trên máy phát bằng lệnh "
			    "(thay NAME bằng tên tài khoản, lệnh sẽ hỏi mật khẩu):",
			    "There are no accounts yet. Create the first admin account on the station box with "
			    "(NAME is the account's name; the command asks for its password):" },
	[W_FIRST_ADMIN_AFTER] = { "Sau đó đăng nhập ở đây bằng tài khoản đó.",
				  "Then log in here with that account." },
	[W_CLEARTEXT] = { "Cảnh báo: trang này không dùng HTTPS, mật khẩu đi qua mạng ở dạng không mã hoá. "
			  "Cài chứng chỉ (web.tls_cert, web.tls_key; xem man loa.conf).",
			  "Warning: this console is not served over HTTPS; passwords cross the network in clear. "
			  "Install a certificate (web.tls_cert, web.tls_key; see man loa.conf)." },
	[W_ROLE_OFFICER] = { "cán bộ theo dõi", "officer" },
	[W_ROLE_OPERATOR] = { "phát thanh viên", "operator" },
	[W_ROLE_ADMIN] = { "quản trị", "admin" },
	[W_ROLE] = { "Vai trò", "Role" },
	[W_NAV_STATUS] = { "Trạng thái", "Status" },
	[W_NAV_LIBRARY] = { "Bản tin", "Bulletins" },
	[W_NAV_SCHEDULE] = { "Lịch phát", "Schedule" },
	[W_NAV_LOG] = { "Sổ ghi phát thanh", "Ledger" },
	[W_NAV_REPORTS] = { "Báo cáo kết quả phát thanh", "Reports" },
	[W_NAV_AUDIT] = { "Nhật ký thao tác", "Audit trail" },
	[W_NAV_ACCOUNTS] = { "Tài khoản", "Accounts" },
	[W_ERROR] = { "Có lỗi", "Something went wrong" },
	[W_HOME] = { "Về trang trạng thái", "Back to the status page" },
	[W_BACK] = { "Quay lại", "Back" },
	[W_DONE] = { "Đã xong.", "Done." },
	[W_CANCEL] = { "Huỷ", "Cancel" },
	[W_CONTINUE] = { "Tiếp tục", "Continue" },
	[W_SAVE] = { "Lưu", "Save" },
	[W_SAVED] = { "Đã lưu.", "Saved." },
	[W_EDIT] = { "Sửa", "Edit" },
	[W_REMOVE] = { "Xoá", "Remove" },
	[W_FILTER] = { "Lọc", "Filter" },
	[W_ALL] = { "Tất cả", "All" },
	[W_SEARCH] = { "Tìm", "Search" },
	[W_ON_AIR] = { "Đang phát", "On air" },
	[W_NOTHING_ON_AIR] = { "Không phát gì", "Nothing on air" },
	[W_ELAPSED] = { "Đã phát", "Elapsed" },
	[W_REMAINING] = { "Còn lại", "Remaining" },
	[W_NEXT] = { "Tiếp theo", "Next" },
	[W_NOTHING_NEXT] = { "Không có khung giờ phát nào sắp tới", "No slot comes next" },
	[W_STATE] = { "Tình trạng", "State" },
	[W_ALERT_PENDING] = { "Phát khẩn cấp còn lặp lại", "Emergency broadcast still repeating" },
	[W_ALERT_CANCEL] = { "Huỷ các lần phát khẩn cấp còn lại", "Cancel the remaining emergency repeats" },
	[W_WARN_CLOCK] = { "Đồng hồ chưa đồng bộ: máy phát chờ, chưa phát theo lịch",
			   "The clock is not synchronised: the station waits and airs nothing on schedule" },
	[W_WARN_DEVICE] = { "Mất thiết bị âm thanh: máy phát đang thử lại",
			    "The sound device is lost: the station keeps retrying" },
	[W_WARN_LEDGER] = { "Dòng sổ ghi phát thanh đang chờ ghi xuống đĩa",
			    "Ledger rows waiting for the disk" },
	[W_WARN_LAST_ERROR] = { "Lỗi gần nhất", "Last error" },
	[W_DAEMON_DOWN_SHORT] = { "Máy phát (loa daemon) không chạy: không có gì được phát",
				  "The loa daemon is not running: nothing airs" },
	[W_TODAY] = { "Hôm nay", "Today" },
	[W_NOTHING_TODAY] = { "Hôm nay không có lượt phát nào", "Nothing airs today" },
	[W_PLANNED] = { "Sẽ phát", "Planned" },
	[W_TIME] = { "Giờ", "Time" },
	[W_STOP] = { "Dừng phát", "Stop" },
	[W_STOP_QUESTION] = { "Dừng phát bản tin đang phát? Lượt phát được ghi là bị dừng.",
			      "Stop the item on air? It is recorded as cancelled." },
	[W_EMERGENCY] = { "Phát khẩn cấp", "Emergency broadcast" },
	[W_ALERT_QUESTION] = { "Phát khẩn cấp ngay, ngắt bản tin đang phát?",
			       "Air this as an emergency now, preempting what plays?" },
	[W_REPEAT] = { "Số lần phát", "Times to air" },
	[W_EVERY] = { "Cách nhau (phút)", "Every (minutes)" },
	[W_PLAY] = { "Phát", "Play" },
	[W_BULLETIN] = { "Bản tin", "Bulletin" },
	[W_BULLETIN_NO] = { "Bản tin số", "Bulletin" },
	[W_TITLE] = { "Tiêu đề", "Title" },
	[W_TOPIC] = { "Lĩnh vực", "Topic" },
	[W_NO_TOPIC] = { "(không có lĩnh vực)", "(no topic)" },
	[W_PLAN] = { "Kế hoạch", "Plan" },
	[W_SLOT] = { "Khung giờ phát", "Slot" },
	[W_SLOTS] = { "Khung giờ phát", "Slots" },
	[W_NO_SLOT] = { "(không theo khung giờ)", "(no slot)" },
	[W_NO_SLOTS] = { "Chưa có khung giờ phát nào", "No slots yet" },
	[W_VALID_FROM] = { "Từ ngày", "From" },
	[W_VALID_UNTIL] = { "Đến ngày", "Until" },
	[W_VALIDITY] = { "Thời hạn", "Valid" },
	[W_PRIORITY] = { "Mức ưu tiên", "Priority" },
	[W_PRIO_NORMAL] = { "thông thường", "normal" },
	[W_PRIO_PRIORITY] = { "ưu tiên", "priority" },
	[W_PRIO_EMERGENCY] = { "khẩn cấp", "emergency" },
	[W_LENGTH] = { "Thời lượng", "Length" },
	[W_LISTEN] = { "Nghe", "Listen" },
	[W_FILE] = { "Tệp", "File" },
	[W_FILES] = { "Tệp âm thanh", "Audio files" },
	[W_IMPORTED] = { "Nạp lúc", "Imported" },
	[W_ACTIVE] = { "đang dùng", "active" },
	[W_RETIRED] = { "đã ngừng", "retired" },
	[W_RETIRE] = { "Ngừng phát bản tin này", "Retire this bulletin" },
	[W_RETIRE_QUESTION] = { "Ngừng phát bản tin này vĩnh viễn? Lịch sử phát vẫn được giữ.",
				"Take this bulletin off the schedule for good? Its history stays." },
	[W_RETIRED_DONE] = { "Bản tin đã ngừng phát; lịch sử vẫn được giữ.",
			     "The bulletin is retired; its history stays." },
	[W_UPLOAD] = { "Nạp bản tin", "Upload bulletins" },
	[W_UPLOAD_OK] = { "Đã nạp: bản tin số", "Stored as bulletin" },
	[W_UPLOAD_FAILED] = { "Không nạp được", "Not stored" },
	[W_FORCE] = { "Nạp cả khi là im lặng hoặc đã có trong thư viện", "Import even silence or audio the library "
		      "holds already" },
	[W_DROP_HINT] = { "Chọn một hay nhiều tệp, hoặc kéo thả vào đây.", "Choose one or more files, or drop "
			  "them here." },
	[W_NO_BULLETINS] = { "Không có bản tin nào", "No bulletins" },
	[W_WEEK_AHEAD] = { "Lịch phát 7 ngày tới", "The week ahead" },
	[W_NOTHING_WEEK] = { "Không có gì sẽ phát trong thời gian này", "Nothing will air in this period" },
	[W_SKIPPED] = { "bỏ qua", "skipped" },
	[W_FROM_PROVINCE] = { "Tỉnh gửi", "From the province" },
	[W_AUDIO_WAITING] = { "đang chờ tải âm thanh", "its audio is not here yet" },
	[W_WONT_AIR] = { "Sẽ không phát", "Will not air" },
	[W_NAME] = { "Tên", "Name" },
	[W_START] = { "Giờ bắt đầu", "Start" },
	[W_DAYS] = { "Các ngày", "Days" },
	[W_MON] = { "Thứ Hai", "Monday" },
	[W_TUE] = { "Thứ Ba", "Tuesday" },
	[W_WED] = { "Thứ Tư", "Wednesday" },
	[W_THU] = { "Thứ Năm", "Thursday" },
	[W_FRI] = { "Thứ Sáu", "Friday" },
	[W_SAT] = { "Thứ Bảy", "Saturday" },
	[W_SUN] = { "Chủ Nhật", "Sunday" },
	[W_MAX_MINUTES] = { "Tối đa (phút)", "At most (minutes)" },
	[W_SKIP_DATES] = { "Ngày nghỉ (YYYY-MM-DD, cách nhau dấu phẩy)", "Days off (YYYY-MM-DD, with commas)" },
	[W_INTRO] = { "Nhạc hiệu mở đầu", "Intro" },
	[W_OUTRO] = { "Nhạc hiệu kết thúc", "Outro" },
	[W_SLOT_TOPICS] = { "Chỉ các lĩnh vực (mã, cách nhau dấu phẩy)", "Only these topics (codes, with commas)" },
	[W_ADD_SLOT] = { "Thêm khung giờ phát", "Add a slot" },
	[W_SOURCE] = { "Nơi định nghĩa", "Defined in" },
	[W_FROM_CONFIG] = { "loa.conf (chỉ đọc)", "loa.conf (read-only)" },
	[W_FROM_DATABASE] = { "cơ sở dữ liệu", "database" },
	[W_REMOVE_QUESTION] = { "Xoá khung giờ phát này? Sổ ghi phát thanh vẫn giữ tên của nó.",
				"Remove this slot? The ledger keeps its name in its rows." },
	[W_FROM] = { "Từ ngày", "From" },
	[W_TO] = { "Đến ngày", "To" },
	[W_OUTCOME] = { "Kết quả", "Outcome" },
	[W_SCHEDULED] = { "Theo lịch lúc", "Scheduled" },
	[W_PLAYED] = { "Đã phát", "Played" },
	[W_NOTHING_LOGGED] = { "Sổ ghi phát thanh không có dòng nào trong thời gian này",
			       "Nothing in the ledger for this period" },
	[W_NEWER] = { "Mới hơn", "Newer" },
	[W_OLDER] = { "Cũ hơn", "Older" },
	[W_WHO] = { "Người thực hiện", "Who" },
	[W_ACTION] = { "Thao tác", "Action" },
	[W_TARGET] = { "Đối tượng", "Target" },
	[W_DETAIL] = { "Chi tiết", "Detail" },
	[W_NOTHING_AUDITED] = { "Nhật ký thao tác không có gì trong thời gian này",
				"Nothing in the audit trail for this period" },
	[W_PRESETS] = { "Chọn nhanh kỳ báo cáo", "Quick periods" },
	[W_THIS_MONTH] = { "Tháng này", "This month" },
	[W_LAST_QUARTER] = { "Quý trước", "Last quarter" },
	[W_YEAR_TO] = { "Từ đầu năm đến %s", "The year to %s" },
	[W_GROUP_BY] = { "Thống kê theo", "Grouped by" },
	[W_DAY] = { "Ngày", "Day" },
	[W_FORMAT] = { "Dạng", "Format" },
	[W_FORMAT_HTML] = { "Trang in (HTML)", "Printable page (HTML)" },
	[W_FORMAT_CSV] = { "Bảng tính (CSV, mở bằng Excel)", "Spreadsheet (CSV, opens in Excel)" },
	[W_LANGUAGE] = { "Ngôn ngữ", "Language" },
	[W_MAKE_REPORT] = { "Lập báo cáo", "Make the report" },
	[W_LEDGER_HEAD] = { "Mã kiểm tra sổ ghi", "Ledger head" },
	[W_ACCOUNTS_NOTE] = { "Trên máy phát, lệnh loa user làm được các việc này, và đổi được vai trò bằng cách "
			      "xoá rồi thêm lại tài khoản: sudo -u loa loa user list.",
			      "On the station box, loa user does the same, and a role is changed by removing and "
			      "adding the account again: sudo -u loa loa user list." },
	[W_ADD_ACCOUNT] = { "Thêm tài khoản", "Add an account" },
	[W_NEW_PASSWORD] = { "Mật khẩu mới", "New password" },
	[W_CHANGE_PASSWORD] = { "Đổi mật khẩu", "Change the password" },
	[W_REMOVE_ACCOUNT_QUESTION] = { "Xoá tài khoản này? Các phiên đăng nhập của nó kết thúc ngay; nhật ký thao "
					"tác vẫn giữ tên của nó.",
					"Remove this account? Its sessions end at once; the audit trail keeps its name." },
	[W_E_ACCOUNT_NAME] = { "Cần tên tài khoản: chữ thường, chữ số, '.', '_' hoặc '-', tối đa 32 ký tự.",
			       "Give the account's name: lowercase letters, digits, '.', '_' or '-', 32 at most." },
	[W_E_ROLE] = { "Vai trò '%s' không hợp lệ; dùng officer, operator hoặc admin.",
		       "'%s' is not a role; use officer, operator or admin." },
	[W_CREATED] = { "Tạo lúc", "Created" },
	[W_LAST_LOGIN] = { "Đăng nhập gần nhất", "Last login" },
	[W_E_METHOD] = { "Địa chỉ này không nhận cách gửi đó.", "This address does not take that method." },
	[W_E_NOT_FOUND] = { "Không có trang hay bản tin này; kiểm tra địa chỉ, hoặc tìm trong thư viện bản tin.",
			    "There is no such page or bulletin; check the address, or look in the library." },
	[W_E_LOGIN_FIRST] = { "Cần đăng nhập trước (phiên đăng nhập đã hết hạn hoặc đã đăng xuất).",
			      "Log in first (the session expired or was logged out)." },
	[W_E_FORBIDDEN] = { "Vai trò của tài khoản này không được làm việc đó; nhờ quản trị viên.",
			    "This account's role may not do that; ask an admin." },
	[W_E_CSRF] = { "Yêu cầu thiếu mã xác nhận của phiên (CSRF); tải lại trang rồi làm lại.",
		       "The request lacks the session's confirmation token (CSRF); reload the page and try again." },
	[W_E_TOO_BIG] = { "Tệp gửi lên lớn hơn %s MB (web.max_upload_mb); không có gì được lưu. Gửi tệp nhỏ hơn, "
			  "hoặc nhờ quản trị viên tăng giới hạn.",
			  "The upload is larger than %s MB (web.max_upload_mb); nothing was stored. Send a smaller "
			  "file, or ask an admin to raise the limit." },
	[W_E_BODY_TOO_BIG] = { "Yêu cầu quá lớn (tối đa 64 KB).", "The request is too large (64 KB at most)." },
	[W_E_MULTIPART] = { "Tệp phải được gửi dạng multipart/form-data.", "Files must be sent as "
			    "multipart/form-data." },
	[W_E_UPLOAD_FAILED] = { "Không nhận được tệp gửi lên (quá nhiều tệp, hoặc đĩa đầy); không có gì được lưu.",
				"The upload could not be taken (too many files, or the disk is full); nothing was "
				"stored." },
	[W_E_JSON] = { "Nội dung không phải một đối tượng JSON: %s", "The body is not a JSON object: %s" },
	[W_E_INTERNAL] = { "Máy phát gặp lỗi; xem nhật ký (journalctl -u loa-web).",
			   "The station box failed; see its log (journalctl -u loa-web)." },
	[W_E_DB_READ] = { "Không đọc được cơ sở dữ liệu của đài; xem nhật ký (journalctl -u loa-web).",
			  "Cannot read the station database; see the log (journalctl -u loa-web)." },
	[W_E_DB_WRITE] = { "Cơ sở dữ liệu không nhận thay đổi; không có gì bị thay đổi.",
			   "The database refused the change; nothing was changed." },
	[W_E_LOGIN_EMPTY] = { "Nhập tên tài khoản và mật khẩu.", "Give the account name and the password." },
	[W_E_LOGIN_WAIT] = { "Đăng nhập sai nhiều lần; thử lại sau %s giây.",
			     "Too many failed logins; try again in %s seconds." },
	[W_E_LOGIN_BAD] = { "Sai tên tài khoản hoặc mật khẩu.", "Wrong account name or password." },
	[W_E_TEXT] = { "%s: cần một dòng chữ UTF-8, từ 1 đến 500 byte, không có ký tự điều khiển.",
		       "%s: give one line of UTF-8 text, 1 to 500 bytes, without control characters." },
	[W_E_TOPIC] = { "Lĩnh vực '%s' không hợp lệ; dùng mã 1 đến 6, hoặc tên riêng chữ thường như an-ninh.",
			"'%s' is not a topic; use a code 1 to 6, or a lowercase slug such as an-ninh." },
	[W_E_PRIORITY] = { "Mức ưu tiên '%s' không hợp lệ; dùng normal, priority hoặc emergency.",
			   "'%s' is not a priority; use normal, priority or emergency." },
	[W_E_DATE] = { "%s '%s' không phải ngày; viết YYYY-MM-DD, ví dụ 2026-09-02.",
		       "%s '%s' is not a date; write YYYY-MM-DD, e.g. 2026-09-02." },
	[W_E_TIME] = { "Giờ bắt đầu '%s' không hợp lệ; viết HH:MM hoặc HH:MM:SS, ví dụ 05:30.",
		       "start '%s' is not a time of day; write HH:MM or HH:MM:SS, e.g. 05:30." },
	[W_E_DAYS] = { "Các ngày '%s' không hợp lệ; chọn các thứ (mon, tue, wed, thu, fri, sat, sun, mỗi thứ một "
		       "lần) hoặc daily.",
		       "days '%s' is not a list of weekdays; name them (mon, tue, wed, thu, fri, sat, sun, each "
		       "once) or daily." },
	[W_E_NUMBER] = { "%s '%s' phải là số nguyên từ %s đến %s.", "%s '%s' must be a whole number from %s to %s." },
	[W_E_ID] = { "%s '%s' không phải mã bản tin; thư viện bản tin liệt kê các mã.",
		     "%s '%s' is not a bulletin id; the library lists them." },
	[W_E_NO_FILE] = { "Chưa có tệp nào được gửi; chọn một tệp âm thanh.", "No file was sent; choose an audio "
			  "file." },
	[W_E_ONE_FILE] = { "Gửi từng tệp một (trường file).", "Send one file per request (the field file)." },
	[W_E_NOTHING] = { "Không có gì để thay đổi; điền ít nhất một trường.",
			  "Nothing to change; give at least one field." },
	[W_E_NO_BULLETIN] = { "Không có bản tin số %s; thư viện bản tin liệt kê các bản tin.",
			      "There is no bulletin #%s; the library lists them." },
	[W_E_NO_ACTIVE_BULLETIN] = { "Không có bản tin số %s đang dùng (có thể đã ngừng phát).",
				     "There is no active bulletin #%s (it may be retired already)." },
	[W_E_PROVINCE_OWNS] = { "Bản tin số %s do tỉnh gửi xuống: chỉ tỉnh mới thay đổi hoặc ngừng được; ở đài chỉ "
				"có thể dừng khi đang phát.", "Bulletin #%s came from the province: only the province "
				"changes or retires it; here it can only be stopped while on air." },
	[W_E_SLOT_NAME] = { "Cần tên khung giờ phát, ví dụ sang hoặc chieu.", "Give the slot's name, e.g. sang or "
			    "chieu." },
	[W_E_SLOT_NEEDS] = { "Khung giờ phát cần giờ bắt đầu và các ngày phát.", "A slot needs a start time and "
			     "its days." },
	[W_E_DAEMON_DOWN] = { "Máy phát (loa daemon) không chạy — không có gì nghe trên %s — nên không có gì được "
			      "phát; khởi động bằng 'systemctl start loa'.",
			      "The loa daemon is not running (nothing listens on %s), so nothing airs; start it with "
			      "'systemctl start loa'." },
	[W_E_DAEMON] = { "Không nói chuyện được với máy phát trên %s: %s.", "Cannot talk to the daemon on %s: %s." },
	[W_E_PERIOD_NEEDED] = { "Cần kỳ báo cáo: from và to (YYYY-MM-DD), tối đa 3660 ngày.",
				"Give the period: from and to (YYYY-MM-DD), 3660 days at most." },
	[W_E_PERIOD_ORDER] = { "Ngày bắt đầu sau ngày kết thúc; đổi chỗ hai ngày.", "from is after to; swap them." },
	[W_E_REPORT_BY] = { "by phải là topic, plan, bulletin, slot hoặc day.", "by must be topic, plan, bulletin, "
			    "slot or day." },
	[W_E_REPORT_FORMAT] = { "format phải là csv, json hoặc html.", "format must be csv, json or html." },
	[W_E_REPORT_LANG] = { "lang phải là vi hoặc en.", "lang must be vi or en." },
	[W_E_AUDIO_GONE] = { "Tệp âm thanh của bản tin này không còn trong kho; loa verify cho biết thêm.",
			     "This bulletin's audio is missing from the content store; loa verify says more." },
};

const char *web_word(enum web_lang lang, enum web_word w)
{
	const char *s = (unsigned)w < W_COUNT ? words[w][lang == WEB_EN] : NULL;

	return s ? s : "?";
}

const char *web_vsay(char *buf, size_t len, enum web_lang lang, enum web_word w, va_list ap)
{
	/* The table's formats take %s only (words.h), so the arguments of
	 * every caller are strings; the compiler cannot see a format that
	 * is not a literal. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, len, web_word(lang, w), ap);
#pragma GCC diagnostic pop
	return buf;
}

const char *web_say(char *buf, size_t len, enum web_lang lang, enum web_word w, ...)
{
	va_list ap;

	va_start(ap, w);
	web_vsay(buf, len, lang, w, ap);
	va_end(ap);
	return buf;
}
