# A province's download does not fill the disk (issue #18): state_dir on
# an 80 MB tmpfs, and the province sends a 42 MB bulletin without its
# length, so nothing can be checked before the first byte. The link stops
# the transfer while 64 MB are still free (the room the ledger and the
# library keep), says so, and keeps the partial file; given room (the
# tmpfs grown) and a server that now ignores Range (200, the whole file),
# it starts the partial file over and the bulletin reaches the library,
# whole.
#
# The test runs in a mount namespace of its own, as t_full_disk does; it
# is skipped, saying why, only where no namespace can mount a tmpfs.
#   LOA=build/loa MKAUDIO=build/mkaudio bash tests/faults/t_download_full_disk.sh
. "$(dirname "$0")/mountns.sh"
. "$(dirname "$0")/../e2e/lib.sh"

small="$T/small"
mkdir "$small"
if ! mount -t tmpfs -o size=80m,mode=0755 loa-download-disk "$small" 2>"$T/mount.err"; then
	echo "  SKIP t_download_full_disk: cannot mount a tmpfs even in a mount namespace of its own: $(cat "$T/mount.err")"
	exit 0
fi
free_mb() { df -Pm "$small" | awk 'NR == 2 { print $4 }'; }
# The link holds files on the tmpfs: it goes before the tmpfs does.
stop_all() {
	[ -n "${LINK_PID:-}" ] && kill -KILL "$LINK_PID" 2>/dev/null && wait "$LINK_PID" 2>/dev/null
	LINK_PID=""
	umount "$small" 2>/dev/null || true
	cleanup
}
trap stop_all EXIT

mkdir -p "$T/province/media"
"$MKAUDIO" --seconds 220 --rate 48000 --channels 2 tone "$T/province/media/big.wav"
size=$(stat -c %s "$T/province/media/big.wav")
write_config "$(local_hms_in 7200)" null
sed -i "s|state_dir = \"state\"|state_dir = \"$small/state\"|" "$LOA_CONFIG"
province_start
province_control '{"no_length": ["big.wav"]}'
upstream_config "poll_seconds = 5;"
expect_exit 0 check
at=$(($(date +%s) + 600))
cat >"$T/province/schedules.json" <<JSON
[{"LichPhatID":"LP-D","TenLichPhat":"Dài","DanhSachBanTin":[{"BanTinID":"BT-D","TieuDe":"Bản tin dài",
 "LoaiLinhVuc":2,"MucDoUuTien":3,"NoiDung":"https://127.0.0.1:$PROVINCE_PORT/media/big.wav"}],
 "DanhSachNgayPhat":[{"NgayPhat":"$(date -u -d "@$at" +%d-%m-%Y)","ThoiDiemPhat":[{"ThoiGianBatDau":$at,"ThoiGianKetThuc":$((at + 220))}]}]}]
JSON
link_start
for ((i = 0; i < 600; i++)); do
	grep -q 'MB free on the disk of' "$T/link.log" && break
	sleep 0.1
done
grep -q 'MB free on the disk of' "$T/link.log" || fail "the download did not stop for room: $(cat "$T/link.log")"
part=$(stat -c %s "$small"/state/downloads/*.part)
echo "  stopped with $(free_mb) MB free on the 80 MB disk, $part of $size bytes fetched"
[ "$(free_mb)" -ge 63 ] || fail "the download left only $(free_mb) MB free"
[ "$part" -gt 0 ] && [ "$part" -lt "$size" ] || fail "the partial file holds $part of $size bytes"
expect_exit 0 upstream status --json
assert_eq "$(jq -r .downloads_pending <<<"$OUT")" 1 "downloads pending while there is no room"

province_control '{"no_length": ["big.wav"], "no_ranges": true}'
mount -o remount,size=200m "$small" || fail "cannot grow the tmpfs"
for ((i = 0; i < 1200; i++)); do
	grep -q 'BT-D of the province is in the library' "$T/link.log" && break
	sleep 0.1
done
grep -q 'BT-D of the province is in the library' "$T/link.log" || fail "the download did not resume once there was room: $(cat "$T/link.log")"
jq -s -e '[.[] | select(.name == "big.wav" and .range != null)] | length >= 1' "$T/province/media.jsonl" >/dev/null ||
	fail "no Range request after the stop: $(cat "$T/province/media.jsonl")"
expect_exit 0 list --json
assert_eq "$(jq -r '.[] | "\(.province_id) \(.duration_ms) \(.sha256)"' <<<"$OUT")" \
	"BT-D 220000 $(sha256sum <"$T/province/media/big.wav" | cut -d' ' -f1)" "the bulletin in the library, byte for byte"
ls "$small"/state/downloads/*.part 2>/dev/null && fail "the partial file is left behind"
link_stop
