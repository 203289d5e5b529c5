# Schedules from the province, end to end (issue #18), on the paced device:
# the test province publishes three bulletins at instants a few seconds
# ahead; the link polls them, fetches their audio over HTTPS (the first
# answer for one is cut off, so it resumes with a Range request), imports
# it through the import core, and each airs on its second. Their ledger
# rows carry the province's ids, and the records go back with the same
# BanTinID; the schedules are acknowledged. A second schedule is then
# cancelled (skipped rows "cancelled by the province"), one names an
# address that answers 404 (a failed row naming it), and one a file
# import refuses (never aired, listed as rejected in `loa upstream status`
# and reported at paths.schedule_reject).
# A schedule with a garbage field is refused whole, naming the field.
. "$(dirname "$0")/lib.sh"
jack_start

mkdir -p "$T/province/media"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 --freq 440 tone "$T/province/media/b1.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 --freq 550 tone "$T/province/media/b2.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 --freq 660 tone "$T/province/media/b3.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 --freq 770 tone "$T/province/media/c1.wav"
"$MKAUDIO" text "$T/province/media/bad.wav"
# A slot far away: only the province's items air.
write_config "$(local_hms_in 7200)" paced
province_start
upstream_config "poll_seconds = 5; paths = { schedule_reject = \"/schedule/reject\"; };"
base="https://127.0.0.1:$PROVINCE_PORT"

# schedule ID NAME BULLETINS_JSON INSTANTS_EPOCH...: one schedule as JSON.
schedule() {
	local id=$1 name=$2 bl=$3 days="" t
	shift 3
	for t in "$@"; do
		days="$days${days:+,}{\"NgayPhat\":\"$(date -u -d "@$t" +%d-%m-%Y)\",\"ThoiDiemPhat\":[{\"ThoiGianBatDau\":$t,\"ThoiGianKetThuc\":$((t + 2))}]}"
	done
	printf '{"LichPhatID":"%s","TenLichPhat":"%s","DanhSachBanTin":%s,"DanhSachNgayPhat":[%s]}' \
		"$id" "$name" "$bl" "$days"
}
bulletin() { # ID TITLE PRIORITY FILE
	printf '{"BanTinID":"%s","TieuDe":"%s","ThoiLuong":"00:00:02","LoaiLinhVuc":3,"MucDoUuTien":%s,"NoiDung":"%s/media/%s","TacGia":{"TenDayDu":"Phòng VH-TT"}}' \
		"$1" "$2" "$3" "$base" "$4"
}
publish() { printf '[%s]\n' "$(IFS=,; echo "$*")" >"$T/province/schedules.json.tmp"; mv "$T/province/schedules.json.tmp" "$T/province/schedules.json"; }

now=$(date +%s)
t1=$((now + 20)) t2=$((now + 25)) t3=$((now + 30))
s1=$(schedule LP-1 "Sáng" "[$(bulletin BT-1 "Tin một" 3 b1.wav)]" "$t1")
s2=$(schedule LP-2 "Trưa" "[$(bulletin BT-2 "Tin hai" 3 b2.wav)]" "$t2")
s3=$(schedule LP-3 "Chiều" "[$(bulletin BT-3 "Tin ba" 2 b3.wav)]" "$t3")
garbage=$(schedule LP-X "Hỏng" "[$(bulletin BT-X "x" 9 b1.wav)]" "$t3")
publish "$s1" "$s2" "$s3" "$garbage"
province_control '{"cut_after": 30000}'

start_daemon
link_start
wait_rows 3 60
province_control '{}'
assert_eq "$(grep -c 'LP-X is refused whole and not stored: DanhSachBanTin\[0\].MucDoUuTien: 9 is not between 1 and 3' "$T/link.log")" \
	1 "the garbage schedule refused once, naming its field" ||
	fail "the garbage schedule is not refused naming its field: $(cat "$T/link.log")"

expect_exit 0 log --json
log=$OUT
assert_eq "$(jq -r '[.[] | "\(.origin):\(.province_schedule):\(.province_bulletin):\(.outcome)"] | join(",")' <<<"$log")" \
	"province:LP-1:BT-1:completed,province:LP-2:BT-2:completed,province:LP-3:BT-3:completed" "rows"
i=0
for t in "$t1" "$t2" "$t3"; do
	started=$(ms_of "$(jq -r ".[$i].started_at" <<<"$log")")
	lag=$((started - t * 1000))
	[ "$lag" -ge 0 ] && [ "$lag" -le 1000 ] || fail "bulletin $((i + 1)) started $lag ms after its instant"
	echo "  province bulletin $((i + 1)) on air $lag ms after its instant"
	played=$(jq ".[$i].played_ms" <<<"$log")
	[ "$played" -ge 1900 ] || fail "bulletin $((i + 1)) played $played ms of 2000 (not paced?)"
	i=$((i + 1))
done
# The first audio file's first answer was cut: it resumed with a Range request.
jq -s -e '[.[] | select(.range != null)] | length >= 1' "$T/province/media.jsonl" >/dev/null ||
	fail "no Range request after a broken transfer: $(cat "$T/province/media.jsonl")"
ls "$T/state/downloads/"*.part 2>/dev/null && fail "partial files left behind"
# One bulletin each in the library, marked as the province's, untouchable here.
expect_exit 0 list --json
assert_eq "$(jq -r '[.[] | "\(.origin):\(.province_id)"] | join(",")' <<<"$OUT")" \
	"province:BT-1,province:BT-2,province:BT-3" "the library"
b1=$(jq -r '.[0].id' <<<"$OUT")
expect_exit 2 edit "$b1" --title "Sửa"
[[ "$ERR" == *"came from the province"*"only the province changes it"* ]] || fail "edit: $ERR"
expect_exit 2 retire "$b1"
[[ "$ERR" == *"only the province retires it"* ]] || fail "retire: $ERR"

# The records go back under the province's BanTinID, and the schedules are acknowledged.
wait_province records.jsonl 3 30
assert_eq "$(jq -r -s '[.[].BanTinID] | join(",")' "$T/province/records.jsonl")" "BT-1,BT-2,BT-3" "BanTinID of the records"
assert_eq "$(jq -r -s '[.[] | .ThongTinChiTietBanTin[] | select(.Ten == "LichPhatID") | .GiaTri] | join(",")' "$T/province/records.jsonl")" \
	"LP-1,LP-2,LP-3" "LichPhatID of the records"
wait_province acks.jsonl 3 20
assert_eq "$(jq -r -s '[.[] | "\(.LichPhatID):\([.DanhSachBanTin[].BanTinID] | join("+")):\(.DanhSachDiaBan[0])"] | sort | join(",")' "$T/province/acks.jsonl")" \
	"LP-1:BT-1:X-12345,LP-2:BT-2:X-12345,LP-3:BT-3:X-12345" "acknowledgements"

# Cancellation, a broken address, a refused file.
now=$(date +%s)
c=$(schedule LP-C "Huỷ" "[$(bulletin BT-C "Sẽ huỷ" 3 c1.wav)]" "$((now + 40))")
broken=$(schedule LP-B "Hỏng" "[$(bulletin BT-B "Không tải được" 3 nowhere.wav)]" "$((now + 12))")
refused=$(schedule LP-R "Tệp hỏng" "[$(bulletin BT-R "Không phải âm thanh" 3 bad.wav)]" "$((now + 14))")
publish "$s1" "$s2" "$s3" "$c" "$broken" "$refused"

# Before it airs, the coming item is listed, marked as the province's, by
# loa next and by the console (its API and its schedule page).
for ((i = 0; i < 200; i++)); do
	"$LOA" next --json --days 1 2>/dev/null | jq -e '.[] | select(.province_schedule == "LP-C")' >/dev/null && break
	sleep 0.1
done
expect_exit 0 next --json --days 1
assert_eq "$(jq -r '[.[] | select(.province_schedule == "LP-C") | "\(.origin):\(.province_bulletin):\(.title):\(.slot)"] | join(",")' <<<"$OUT")" \
	"province:BT-C:Sẽ huỷ:null" "loa next lists LP-C"
expect_exit 0 next --days 1
[[ "$OUT" == *"Sẽ huỷ"*"LP-C/BT-C"* ]] || fail "loa next does not show LP-C: $OUT"
# The refused file's item stays listed, with no bulletin to name, and the
# console's today table says it will not air.
for ((i = 0; i < 100; i++)); do
	"$LOA" next --json --days 1 2>/dev/null |
		jq -e '.[] | select(.province_schedule == "LP-R" and .audio == "rejected")' >/dev/null && break
	sleep 0.1
done
expect_exit 0 next --days 1
line=$(grep "LP-R/BT-R" <<<"$OUT") || fail "loa next does not list LP-R once refused: $OUT"
[[ "$line" =~ ^[0-9-]+\ [0-9:]+\ +\(.*\)\ +-\ +Kh ]] || fail "loa next gives LP-R, which has no bulletin, an ID: $line"
printf '%s\n' 'mat-khau-theo-doi' | "$LOA" user add theodoi --role officer >/dev/null || fail "loa user add"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$LOA" web --listen "127.0.0.1:$port" >"$T/web.log" 2>&1 &
WEB_PID=$!
for ((i = 0; i < 100; i++)); do
	curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
	sleep 0.05
done
curl -s -c "$T/jar" -H 'Content-Type: application/json' -d '{"username":"theodoi","password":"mat-khau-theo-doi"}' \
	"http://127.0.0.1:$port/api/v1/login" >/dev/null
next=$(curl -s -b "$T/jar" "http://127.0.0.1:$port/api/v1/next?days=1")
assert_eq "$(jq -r '[.[] | select(.province_schedule == "LP-C") | "\(.origin):\(.province_bulletin)"] | join(",")' <<<"$next")" \
	"province:BT-C" "the console's API lists LP-C: $next"
page=$(curl -s -b "$T/jar" "http://127.0.0.1:$port/schedule")
[[ "$page" == *'<td class="province">'*"Sẽ huỷ"*"LP-C / BT-C"* ]] || fail "the schedule page does not show LP-C as the province's: $page"
if [ "$(TZ=$TZ_STATION date -d "@$((now + 14))" +%F)" = "$(TZ=$TZ_STATION date +%F)" ]; then
	row=$(curl -s -b "$T/jar" "http://127.0.0.1:$port/" | grep "LP-R / BT-R") || fail "today's table does not list LP-R"
	[[ "$row" == *"Sẽ không phát"* ]] || fail "today's table does not say LP-R will not air: $row"
fi
kill -TERM "$WEB_PID"
wait "$WEB_PID" || true

wait_rows 5 40
publish "$s1" "$s2" "$s3" "$broken" "$refused"   # LP-C vanishes: cancelled
wait_rows 6 30
wait_province cancels.jsonl 1 20
assert_eq "$(jq -r -s '.[0] | "\(.LichPhatID):\(.DanhSachThietBi[0])"' "$T/province/cancels.jsonl")" "LP-C:CL-0042" "the cancellation's acknowledgement"
expect_exit 0 log --json
log=$OUT
of() { jq -r --arg b "$1" "[.[] | select(.province_bulletin == \$b)] | map(\"\(.outcome): \(.reason)\") | join(\"; \")" <<<"$log"; }
[[ "$(of BT-B)" == "failed: "*"$base/media/nowhere.wav"* ]] || fail "the broken address: $(of BT-B)"
[[ "$(of BT-R)" == "failed: the audio from $base/media/bad.wav was refused"* ]] || fail "the refused file: $(of BT-R)"
assert_eq "$(of BT-C)" "skipped: cancelled by the province" "the cancelled item"
assert_eq "$(jq '[.[] | select(.played_ms > 0)] | length' <<<"$log")" 3 "what aired"
expect_exit 0 upstream status --json
st=$OUT
assert_eq "$(jq -r '[.schedules, .province_bulletins, .downloads_pending] | join(" ")' <<<"$st")" "5 4 0" "status counts (BT-C was fetched before LP-C went)"
assert_eq "$(jq -r '.rejected_bulletins | map(.BanTinID) | join(",")' <<<"$st")" "BT-R" "rejected bulletins"
[ "$(jq -r .last_poll_at <<<"$st")" != null ] || fail "no last_poll_at: $st"
wait_province rejects.jsonl 1 20
assert_eq "$(jq -r -s '.[] | "\(.BanTinID) \(.CumLoaID) \(.NoiDung)"' "$T/province/rejects.jsonl")" \
	"BT-R CL-0042 $base/media/bad.wav" "the refusal reported once, naming the bulletin and its address"
[ -n "$(jq -r -s '.[0].MoTa // empty' "$T/province/rejects.jsonl")" ] || fail "the refusal's report gives no reason"
link_stop
stop_daemon
