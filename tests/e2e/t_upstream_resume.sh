# The link is killed (kill -9) in the middle of fetching a province
# bulletin's audio: the partial file stays, the next run resumes it with a
# Range request from where it stopped, and the library gets the bulletin
# once, whole (its audio airs and matches the file the province serves).
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/province/media"
"$MKAUDIO" --seconds 6 --rate 48000 --channels 1 --freq 500 tone "$T/province/media/r.wav"
write_config "$(local_hms_in 7200)" capture
province_start
upstream_config "poll_seconds = 5;"
at=$(($(date +%s) + 3600))
cat >"$T/province/schedules.json" <<JSON
[{"LichPhatID":"LP-R","TenLichPhat":"Nối tiếp","DanhSachBanTin":[{"BanTinID":"BT-R","TieuDe":"Tải lại",
 "LoaiLinhVuc":2,"MucDoUuTien":3,"NoiDung":"https://127.0.0.1:$PROVINCE_PORT/media/r.wav"}],
 "DanhSachNgayPhat":[{"NgayPhat":"$(date -u -d "@$at" +%d-%m-%Y)","ThoiDiemPhat":[{"ThoiGianBatDau":$at,"ThoiGianKetThuc":$((at + 6))}]}]}]
JSON
province_control '{"stall_after": 200000}'
link_start
part=""
for ((i = 0; i < 100; i++)); do
	part=$(ls "$T/state/downloads/"*.part 2>/dev/null | head -n 1) || true
	[ -n "$part" ] && [ "$(stat -c %s "$part")" -ge 200000 ] && break
	sleep 0.1
done
[ -n "$part" ] && [ "$(stat -c %s "$part")" -eq 200000 ] || fail "no partial file of 200000 bytes: $(ls -l "$T/state/downloads" 2>&1)"
kill -KILL "$LINK_PID"
wait "$LINK_PID" 2>/dev/null || true
LINK_PID=""
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 0 "bulletins after the kill"

link_start
for ((i = 0; i < 200; i++)); do
	[ "$("$LOA" list --json | jq length)" -ge 1 ] && break
	sleep 0.1
done
expect_exit 0 list --json
assert_eq "$(jq -r '[.[] | .province_id] | join(",")' <<<"$OUT")" "BT-R" "one bulletin, the province's"
assert_eq "$(jq -r '.[0].sha256' <<<"$OUT")" "$(sha256sum "$T/province/media/r.wav" | cut -d' ' -f1)" "the audio, whole"
assert_eq "$(jq -r -s '[.[] | .range // "none"] | join(",")' "$T/province/media.jsonl")" "none,bytes=200000-" \
	"the requests: the first whole, the second from where it stopped"
[ -z "$(ls "$T/state/downloads/" 2>/dev/null)" ] || fail "files left in downloads: $(ls "$T/state/downloads")"
# loa next shows the province's item, marked, at its instant.
expect_exit 0 next --json
assert_eq "$(jq -r '[.[] | "\(.origin):\(.province_schedule):\(.province_bulletin):\(.audio)"] | join(",")' <<<"$OUT")" \
	"province:LP-R:BT-R:stored" "loa next"
assert_eq "$(ms_of "$(jq -r '.[0].at' <<<"$OUT")")" "$((at * 1000))" "the item's instant in loa next"
expect_exit 0 next
[[ "$OUT" == *"(province)"*"Tải lại [normal LP-R/BT-R]"* ]] || fail "loa next does not mark the province's item: $OUT"
expect_exit 0 list
[[ "$OUT" == *"province:BT-R"*"Tải lại"* ]] || fail "loa list does not mark the province's bulletin: $OUT"
# Restarted again: nothing is fetched twice.
link_stop
link_start
sleep 6
assert_eq "$(province_count media.jsonl)" 2 "audio requests after another restart"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 1 "bulletins after another restart"
link_stop
