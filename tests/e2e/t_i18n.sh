# Messages speak the operator's language: with LANG=vi_VN.UTF-8 a broken
# config is explained in Vietnamese, still as FILE:LINE: message with exit 2;
# in English otherwise. The Vietnamese locale is compiled into the test's
# own folder (LOCPATH), so the machine's locale set-up does not matter.
. "$(dirname "$0")/lib.sh"

[ -n "${LOA_LOCALEDIR:-}" ] && [ -f "$LOA_LOCALEDIR/vi/LC_MESSAGES/loa.mo" ] ||
	fail "LOA_LOCALEDIR must hold vi/LC_MESSAGES/loa.mo (run through make e2e)"
mkdir "$T/locales"
localedef -i vi_VN -f UTF-8 "$T/locales/vi_VN.UTF-8" 2>"$T/localedef.err" ||
	fail "localedef could not build vi_VN.UTF-8: $(cat "$T/localedef.err")"

cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { state_dir = "state"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "25:30"; days = ["mon", "thu2"]; }
);
CONF

LANG=C.UTF-8 expect_exit 2 check
grep -qF "$LOA_CONFIG:5: slot 'sang': start '25:30' is not a time of day" "$T/err" ||
	fail "English message missing: $ERR"

vi() { LOCPATH="$T/locales" LANG=vi_VN.UTF-8 LC_ALL= LANGUAGE= "$@"; }
rc=0
vi "$LOA" check >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -eq 2 ] || fail "loa check with a broken config exited $rc in Vietnamese, expected 2"
grep -qF "$LOA_CONFIG:5: khung giờ 'sang': start '25:30' không phải là một giờ trong ngày; viết theo dạng HH:MM" "$T/err" ||
	fail "the start time is not explained in Vietnamese: $(cat "$T/err")"
grep -qF "$LOA_CONFIG:5: khung giờ 'sang': days: 'thu2' không phải là thứ trong tuần" "$T/err" ||
	fail "the weekday is not explained in Vietnamese: $(cat "$T/err")"
# Nothing in English slipped through untranslated on these lines.
if grep -q "is not\|must be" "$T/err"; then fail "English left in: $(cat "$T/err")"; fi
