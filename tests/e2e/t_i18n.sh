# Messages speak the operator's language: with LANG=vi_VN.UTF-8 a broken
# config, a refused import, a bad option, a daemon that is not running and
# the ledger check are explained in Vietnamese, with the same exit codes;
# in English otherwise. What scripts read stays as it is in either
# language: 'ok' from check, the id from import, JSON. The Vietnamese
# locale is compiled into the test's own folder (LOCPATH), so the
# machine's locale set-up does not matter.
. "$(dirname "$0")/lib.sh"

[ -n "${LOA_LOCALEDIR:-}" ] && [ -f "$LOA_LOCALEDIR/vi/LC_MESSAGES/loa.mo" ] ||
	fail "LOA_LOCALEDIR must hold vi/LC_MESSAGES/loa.mo (run through make e2e)"
mkdir "$T/locales"
localedef -i vi_VN -f UTF-8 "$T/locales/vi_VN.UTF-8" 2>"$T/localedef.err" ||
	fail "localedef could not build vi_VN.UTF-8: $(cat "$T/localedef.err")"

vi() { LOCPATH="$T/locales" LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= "$@"; }
# vi_exit WANT ARGS...: expect_exit in Vietnamese.
vi_exit() {
	local want=$1 rc=0
	shift
	vi "$LOA" "$@" >"$T/out" 2>"$T/err" || rc=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	[ "$rc" -eq "$want" ] || fail "LANG=vi_VN.UTF-8 loa $*: exit $rc, expected $want; stderr: $ERR"
}
has() { [[ "$2" == *"$3"* ]] || fail "$1: '$3' missing in: $2"; }
# No English sentence slipped through untranslated.
no_english() {
	if grep -qiE "\b(is not|must be|cannot|not running|give|which|the ledger|unknown|usage)\b" <<<"$2"; then
		fail "$1: English left in: $2"
	fi
}

cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { state_dir = "state"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "25:30"; days = ["mon", "thu2"]; }
);
CONF

# A broken config.
expect_exit 2 check
has "check in English" "$ERR" "$LOA_CONFIG:5: slot 'sang': start '25:30' is not a time of day"
vi_exit 2 check
has "check in Vietnamese" "$ERR" \
	"$LOA_CONFIG:5: khung giờ 'sang': start '25:30' không phải là một giờ trong ngày; viết theo dạng HH:MM"
has "check in Vietnamese" "$ERR" "$LOA_CONFIG:5: khung giờ 'sang': days: 'thu2' không phải là thứ trong tuần"
no_english "check" "$ERR"

# A box where LANG names a locale that was never generated (LOCPATH
# holds only C.utf8, as Debian ships it): still Vietnamese, as the
# operator asked.
mkdir "$T/no-locales"
ln -s /usr/lib/locale/C.utf8 "$T/no-locales/C.utf8"
rc=0
LOCPATH="$T/no-locales" LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= "$LOA" check 2>"$T/err" || rc=$?
assert_eq "$rc" 2 "check with an ungenerated vi_VN locale: exit status"
has "check with an ungenerated vi_VN locale" "$(cat "$T/err")" "không phải là một giờ trong ngày"
# ... and LANGUAGE, when the user set it, wins.
rc=0
LOCPATH="$T/no-locales" LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE=en "$LOA" check 2>"$T/err" || rc=$?
has "check with LANGUAGE=en" "$(cat "$T/err")" "is not a time of day"

write_config "05:30"
vi_exit 0 check
assert_eq "$(head -n 1 <<<"$OUT")" "ok" "loa check in Vietnamese prints ok for scripts"

# A bad option: the message and the usage line.
expect_exit 2 list --bogus
has "bad option in English" "$ERR" "loa list: option '--bogus' is not known"
has "bad option in English" "$ERR" "usage: loa list [--all] [--json]"
vi_exit 2 list --bogus
has "bad option in Vietnamese" "$ERR" "loa list: tùy chọn '--bogus' không tồn tại"
has "bad option in Vietnamese" "$ERR" "cách dùng: loa list [--all] [--json]"
no_english "bad option" "$ERR"
vi_exit 0 --help
has "help in Vietnamese" "$OUT" "các lệnh:"
has "help in Vietnamese" "$OUT" "kiểm tra tệp cấu hình"

# A refused import: the file is named, nothing is stored.
"$MKAUDIO" truncated "$T/cut.wav"
expect_exit 2 import --slot sang "$T/cut.wav"
has "refused import in English" "$ERR" "the download was probably cut off — fetch it again"
vi_exit 2 import --slot sang "$T/cut.wav"
has "refused import in Vietnamese" "$ERR" "loa import: $T/cut.wav: tệp kết thúc sau"
has "refused import in Vietnamese" "$ERR" "có lẽ việc tải về bị ngắt giữa chừng — hãy lấy lại tệp"
no_english "refused import" "$ERR"
vi_exit 2 import --slot nosuchslot "$T/cut.wav"
has "unknown slot in Vietnamese" "$ERR" "không có khung giờ nào tên 'nosuchslot'"

# A good import prints the bare id in either language.
"$MKAUDIO" tone "$T/good.wav"
vi_exit 0 import --slot sang "$T/good.wav"
assert_eq "$OUT" "1" "the id printed by import in Vietnamese"

# No daemon: status says how to start it.
expect_exit 1 status
has "status in English" "$ERR" "the loa daemon is not running"
vi_exit 1 status
has "status in Vietnamese" "$ERR" "loa status: dịch vụ loa đang không chạy"
has "status in Vietnamese" "$ERR" "'systemctl start loa' hoặc 'loa daemon'"
no_english "status" "$ERR"

# The ledger check, for people; its JSON stays as scripts know it.
expect_exit 0 verify
has "verify in English" "$OUT" "the ledger is intact: 0 rows"
vi_exit 0 verify
has "verify in Vietnamese" "$OUT" "sổ ghi phát thanh còn nguyên vẹn: 0 dòng"
has "verify in Vietnamese" "$OUT" "mã kiểm tra: "
no_english "verify" "$OUT"
vi_exit 0 verify --json
assert_eq "$(jq -r '.ok, .message' <<<"$OUT" | tr '\n' '|')" "true|the ledger is intact: 0 rows|" \
	"verify --json in Vietnamese keeps its values"
vi_exit 1 verify --head "$(printf '%064d' 7)"
has "verify --head in Vietnamese" "$ERR" "không có trong sổ ghi"

# Tables: Vietnamese heads, machine values (priority) as they are.
vi_exit 0 list
has "list in Vietnamese" "$OUT" "TIÊU ĐỀ"
has "list in Vietnamese" "$OUT" "normal"
vi_exit 0 list --json
assert_eq "$(jq -r '.[0].priority' <<<"$OUT")" "normal" "list --json in Vietnamese"
