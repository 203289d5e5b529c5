# The link to the province, end to end: a station airs a slot (two
# bulletins of different topics and priorities) and a manual play, and
# misses two occurrences; every row that aired reaches the test province
# once, with the fields of UPSTREAM.md mapped from its ledger row, in
# ledger order, and nothing that did not air goes. The status ping says
# what is on air, and `loa upstream status` what was sent. `loa upstream
# test` says clearly when it works and when the password is wrong.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 2 --rate 44100 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/b.wav"
start=$(local_hms_in 6)
write_config "$start" capture
province_start
upstream_config "ping_seconds = 10;"

expect_exit 0 check
[[ "$OUT" == *"upstream: https://127.0.0.1:$PROVINCE_PORT/api as xa-thu (device CL-0042)"* ]] ||
	fail "check does not name the link: $OUT"
expect_exit 0 import --title "Lịch tiêm chủng" --topic 3 --plan "KH 12/KH-UBND" --priority priority --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "Tin an ninh" --topic an-ninh --priority emergency --slot sang "$T/b.wav"
b=$OUT
# As if imported two days ago: the two occurrences since are missed rows.
sqlite3 "$T/state/loa.db" "UPDATE bulletins SET imported_at = imported_at - 2 * 86400000"

# The test, before anything runs: a clear yes, and a clear no.
expect_exit 0 upstream test
[[ "$OUT" == *"ok: the province's server"*"accepts"* ]] || fail "upstream test does not say ok: $OUT"
printf 'sai\n' >"$T/wrong.secret"
chmod 600 "$T/wrong.secret"
sed "s|$T/upstream.secret|$T/wrong.secret|" "$LOA_CONFIG" >"$T/wrong.conf"
expect_exit 1 --config "$T/wrong.conf" upstream test
[[ "$ERR" == *"login as xa-thu refused"*"Sai tên đăng nhập hoặc mật khẩu"*"wrong.secret"* ]] ||
	fail "a wrong password is not explained: $ERR"
[[ "$OUT$ERR" != *"sai"* && "$OUT$ERR" != *"mật khẩu 1"* ]] || fail "a password was echoed: $OUT $ERR"

link_start
start_daemon
wait_rows 6 20
expect_exit 0 play "$a"
wait_rows 7 20
wait_province records.jsonl 3 20

expect_exit 0 log --json
log=$OUT
aired=$(jq -c '[.[] | select(.played_ms > 0)]' <<<"$log")
assert_eq "$(jq length <<<"$aired")" 3 "rows that aired"
assert_eq "$(jq '[.[] | select(.played_ms == 0)] | length' <<<"$log")" 4 "rows that did not air (missed)"
assert_eq "$(province_count records.jsonl)" 3 "records at the province"
assert_eq "$(jq -s '[.[] | select(._dup)] | length' "$T/province/raw.jsonl")" 0 "records sent twice"

# Each record against its row, in ledger order.
for i in 0 1 2; do
	row=$(jq -c ".[$i]" <<<"$aired")
	rec=$(jq -c -s ".[$i]" "$T/province/records.jsonl")
	id=$(jq -r .id <<<"$row")
	detail() { jq -r --arg k "$1" '.ThongTinChiTietBanTin[] | select(.Ten == $k) | .GiaTri' <<<"$rec"; }
	assert_eq "$(detail SoGhi.Dong)" "$id" "record $i: the ledger row"
	assert_eq "$(detail SoGhi.MaKiemTra)" "$(jq -r .row_hash <<<"$row")" "record $i: the row's hash"
	assert_eq "$(detail KetQua)" "$(jq -r .outcome <<<"$row")" "record $i: the outcome"
	assert_eq "$(jq -r .BanTinID <<<"$rec")" "$(jq -r .bulletin_id <<<"$row")" "record $i: BanTinID"
	assert_eq "$(jq -r .TieuDe <<<"$rec")" "$(jq -r .title <<<"$row")" "record $i: TieuDe"
	started_ms=$(ms_of "$(jq -r .started_at <<<"$row")")
	assert_eq "$(jq -r .ThoiDiemBatDau <<<"$rec")" "$((started_ms / 1000))" "record $i: ThoiDiemBatDau"
	s=$((($(jq -r .played_ms <<<"$row") + 500) / 1000))
	assert_eq "$(jq -r .ThoiLuong <<<"$rec")" "$(printf '%02d:%02d:%02d' $((s / 3600)) $((s / 60 % 60)) $((s % 60)))" \
		"record $i: ThoiLuong"
	assert_eq "$(jq -r '[.LoaiBanTin, .TiepAm, .NguonTiepAm, .CumLoaID, .NguonID, .TenThietBi, .DichID, .MaNhaCungCap] | join("|")' <<<"$rec")" \
		"3|0||CL-0042|NG-HT|Cụm loa thôn 3|X-12345|NCC-LOA" "record $i: the constants and identities"
done
# Topic 3 is code 3, a station's own topic is 1; priority is 2, emergency 1.
of() { jq -r -s --arg b "$1" "[.[] | select(.BanTinID == \$b)][0] | $2" "$T/province/records.jsonl"; }
assert_eq "$(of "$a" '"\(.LoaiLinhVuc) \(.MucDoUuTien)"')" "3 2" "bulletin A: topic and priority"
assert_eq "$(of "$b" '"\(.LoaiLinhVuc) \(.MucDoUuTien)"')" "1 1" "bulletin B: topic and priority"
assert_eq "$(jq -r -s '.[2] | "\(.BanTinID) \(.MucDoUuTien)"' "$T/province/records.jsonl")" "$a 2" "the manual play of A"
assert_eq "$(of "$a" '.ThongTinChiTietBanTin[] | select(.Ten == "KeHoach") | .GiaTri')" "KH 12/KH-UBND" "the plan"

# The pings: the version, and idle or on air.
wait_province pings.jsonl 1 10
assert_eq "$(jq -r -s '.[0].PhienBanUngDung' "$T/province/pings.jsonl")" "$("$LOA" --version | cut -d' ' -f2)" "ping: version"
jq -e -s 'all(.[]; .TrangThaiHoatDong == 0 or .TrangThaiHoatDong == 2)' "$T/province/pings.jsonl" >/dev/null ||
	fail "a ping with another state: $(cat "$T/province/pings.jsonl")"

# What status says, and that it holds no secret.
expect_exit 0 upstream status --json
st=$OUT
assert_eq "$(jq -r '[.configured, .queued, .rejected, .accepted] | map(tostring) | join(" ")' <<<"$st")" \
	"true 0 0 3" "upstream status"
assert_eq "$(jq -r .witnessed_row <<<"$st")" "$(jq -r '.[-1].id' <<<"$aired")" "the row witnessed"
assert_eq "$(jq -r .witnessed_hash <<<"$st")" "$(jq -r '.[-1].row_hash' <<<"$aired")" "the hash witnessed"
[[ "$st" != *"mật khẩu"* ]] || fail "status shows the password"
expect_exit 0 upstream status
[[ "$OUT" == *"queued: none"*"witnessed by the province up to row"* ]] || fail "upstream status: $OUT"

stop_daemon
link_stop
grep -q "mật khẩu" "$T/link.log" "$T/daemon.log" && fail "a password in a log"
# The token is not kept where a copy of the database would carry it.
sqlite3 "$T/state/loa.db" "SELECT reply FROM upstream_sent" | grep '"Token"' >/dev/null && fail "a token in the database"
echo "  3 aired rows of 7 reached the province once each, $(province_count pings.jsonl) ping(s)"
