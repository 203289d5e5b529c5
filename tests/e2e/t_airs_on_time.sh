# The walking skeleton end to end: an MP3 with a Vietnamese title holding a
# comma and quotes is imported, airs at the second its slot names on a real
# ALSA device (the file plugin), whole, and shows in the ledger as completed.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 3 --rate 44100 --channels 1 tone "$T/ban-tin.mp3"
write_config "00:00:00"
title='Thông báo "khẩn", phòng chống bão số 3'

expect_exit 0 import --title "$title" --topic 2 --slot sang "$T/ban-tin.mp3"
id=$OUT
[[ "$id" =~ ^[0-9]+$ ]] || fail "import printed '$id', not an id"
expect_exit 0 list --json
dur=$(jq ".[] | select(.id == $id) | .duration_ms" <<<"$OUT")
[ "$dur" -ge 2990 ] && [ "$dur" -le 3010 ] || fail "decoded duration $dur ms, expected 3000"

slot_in 4
start=$START
start_daemon
wait_rows 1 15
stop_daemon

expect_exit 0 log --json
row=$(jq '.[0]' <<<"$OUT")
assert_eq "$(jq -r .outcome <<<"$row")" completed outcome
assert_eq "$(jq -r .title <<<"$row")" "$title" title
assert_eq "$(jq -r .bulletin_id <<<"$row")" "$id" bulletin_id
assert_eq "$(jq -r .slot <<<"$row")" sang slot
assert_eq "$(jq -r .topic <<<"$row")" 2 topic
played=$(jq .played_ms <<<"$row")
# within 1 % of the decoded duration
[ $((played * 100)) -ge $((dur * 99)) ] && [ $((played * 100)) -le $((dur * 101)) ] ||
	fail "played_ms $played, decoded $dur"

sched=$(jq -r .scheduled_at <<<"$row")
started=$(jq -r .started_at <<<"$row")
[[ "$sched" == *"T${start}.000+07:00" ]] || fail "scheduled_at $sched does not name the slot's second $start"
# Airs at the second the slot names: the first frame within that second.
[[ "$started" == *"T${start}."*"+07:00" ]] || fail "started_at $started is not within the second $start"
[[ "$(jq -r .ended_at <<<"$row")" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}\+07:00$ ]] ||
	fail "ended_at is not ISO 8601 with offset and ms"

# The capture device received the whole file.
frames=$(wav_frames "$T/capture.wav" 1)
expected=$((dur * 44100 / 1000))
[ $((frames * 100)) -ge $((expected * 99)) ] && [ $((frames * 100)) -le $((expected * 101)) ] ||
	fail "captured $frames frames, expected about $expected"

# CSV: BOM, header, and the title quoted per RFC 4180.
expect_exit 0 log --csv
[[ "$OUT" == $'\xef\xbb\xbf'id,* ]] || fail "CSV does not start with a BOM and the header"
grep -qF '"Thông báo ""khẩn"", phòng chống bão số 3"' "$T/out" || fail "CSV title not quoted: $OUT"
