# The link is killed (kill -9) in the middle of fetching a province
# bulletin's audio: the partial file stays, the next run resumes it with a
# Range request from where it stopped, and the library gets the bulletin
# once, whole (its audio airs and matches the file the province serves).
# Files over upstream.max_download_mb are not kept, whether the server
# announces their size or only sends them.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/province/media"
"$MKAUDIO" --seconds 6 --rate 48000 --channels 1 --freq 500 tone "$T/province/media/r.wav"
write_config "$(local_hms_in 7200)" capture
province_start
upstream_config "poll_seconds = 5; max_download_mb = 1;"
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

# Two files over the cap of 1 MB: one announced, one only sent.
"$MKAUDIO" --seconds 12 --rate 48000 --channels 1 --freq 300 tone "$T/province/media/big.wav"
"$MKAUDIO" --seconds 12 --rate 48000 --channels 1 --freq 350 tone "$T/province/media/big2.wav"
big() { # ID FILE
	printf '{"LichPhatID":"LP-%s","DanhSachBanTin":[{"BanTinID":"%s","TieuDe":"Lớn","LoaiLinhVuc":2,"MucDoUuTien":3,"NoiDung":"https://127.0.0.1:%s/media/%s"}],"DanhSachNgayPhat":[{"NgayPhat":"%s","ThoiDiemPhat":[{"ThoiGianBatDau":%s,"ThoiGianKetThuc":%s}]}]}' \
		"$1" "$1" "$PROVINCE_PORT" "$2" "$(date -u -d "@$at" +%d-%m-%Y)" "$at" "$((at + 12))"
}
printf '[%s,%s,%s]\n' "$(jq -c '.[0]' "$T/province/schedules.json")" "$(big BIG big.wav)" "$(big BIG2 big2.wav)" \
	>"$T/province/schedules.json.tmp"
mv "$T/province/schedules.json.tmp" "$T/province/schedules.json"
province_control '{"no_length": ["big2.wav"]}'
link_start
for ((i = 0; i < 200; i++)); do
	# One reading of both: two could see the pending count before the
	# schedules were stored and the schedules after.
	"$LOA" upstream status --json | jq -e '.downloads_pending == 0 and .schedules == 3' >/dev/null && break
	sleep 0.1
done
link_stop
grep -q "bulletin BIG cannot be had from .*big.wav: the server announces [0-9]* bytes, more than upstream.max_download_mb (1 MB)" "$T/link.log" ||
	fail "the announced size over the cap: $(cat "$T/link.log")"
grep -q "bulletin BIG2 cannot be had from .*big2.wav: the file is larger than upstream.max_download_mb (1 MB)" "$T/link.log" ||
	fail "the size over the cap as sent: $(cat "$T/link.log")"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 1 "bulletins after the files over the cap"
[ -z "$(ls "$T/state/downloads/" 2>/dev/null)" ] || fail "files left in downloads: $(ls -l "$T/state/downloads")"
echo "  kill -9 mid-download resumed at byte 200000; files over the cap refused as announced and as counted"
