# A relay (tiếp âm) of a local Icecast-style MP3 stream on the paced
# device: it is on air within 50 ms of its instant, an alert preempts it
# at once and it resumes for the rest of its window, killing the stream
# server moves it to the fallback URL within relay.silence_seconds + 1 s,
# and the window ends on its second. One ledger row says all of it, and
# the report counts its minutes apart from the bulletins'; the record the
# province gets marks it as a relay (TiepAm) of the source's title.
. "$(dirname "$0")/lib.sh"
jack_start

make_mp3 "$T/a.mp3" 20 440
make_mp3 "$T/b.mp3" 20 660
stream_start a --mp3 vov1.mp3="$T/a.mp3"
stream_start b --mp3 vov1.mp3="$T/b.mp3"
url_a="http://127.0.0.1:$(cat "$T/a.port")/vov1.mp3"
url_b="http://127.0.0.1:$(cat "$T/b.port")/vov1.mp3"
"$MKAUDIO" --seconds 3 --rate 48000 --channels 1 tone "$T/bao.wav"

write_config_relay 10
expect_exit 0 import --title "Bão khẩn cấp" --priority emergency "$T/bao.wav"
alert=$OUT
expect_exit 0 source add vov1 --url "$url_a" --url "$url_b" --title "Thời sự VOV1" --topic 1
start=$(local_hms_in 9)
expect_exit 0 slot add thoi-su --start "$start" --days daily --max-minutes 2 --relay vov1
expect_exit 0 next --days 1 --json
assert_eq "$(jq -r '.[0] | "\(.slot) \(.relay) \(.title) \(.expected_ms)"' <<<"$OUT")" \
	"thoi-su vov1 Thời sự VOV1 120000" "loa next shows the relay"

start_daemon
wait_relay_url "$url_a" 15
sched=$(ms_of "$(jq -r '.[0].at' <<<"$OUT")")
end=$((sched + 120000))

# An alert ten seconds in: at once, then the relay again.
while [ "$(now_ms)" -lt $((sched + 10000)) ]; do sleep 0.1; done
expect_exit 0 alert "$alert"
wait_on_air "$alert" 5
wait_relay_url "$url_a" 15
resumed=$(now_ms)

# The server of the first URL goes away 40 s in.
while [ "$(now_ms)" -lt $((sched + 40000)) ]; do sleep 0.1; done
kill "$(cat "$T/a.pid")"
killed=$(now_ms)
wait_relay_url "$url_b" 12
switched=$(now_ms)
echo "  fallback on air $((switched - killed)) ms after the server of the first URL was killed"
[ $((switched - killed)) -le 11000 ] || fail "the fallback took $((switched - killed)) ms; at most 11000 allowed"

# The window ends on its second: off air within it, as loa status sees it
# (polled, so a little after; the paced device drains its buffer first).
wait_idle 90
"$LOA" log --json >"$T/log.json" 2>/dev/null || true
idle=$(now_ms)
echo "  the window ended $((idle - end)) ms after its second (as seen by loa status)"
[ "$idle" -ge $((end - 100)) ] && [ "$idle" -le $((end + 1000)) ] ||
	fail "the relay went off air at $idle, its window ends at $end; $(cat "$T/log.json"); $(cat "$T/daemon.log")"
wait_rows 2 10
stop_daemon

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.kind):\(.outcome)"] | join(",")' <<<"$OUT")" "alert:completed,slot:completed" "rows"
row=$(jq '.[1]' <<<"$OUT")
assert_eq "$(jq -r .relay_source <<<"$row")" vov1 relay_source
assert_eq "$(jq -r .relay_url <<<"$row")" "$url_b" "relay_url (the fallback carried most of it)"
assert_eq "$(jq -r .title <<<"$row")" "Thời sự VOV1" title
assert_eq "$(jq -r .slot <<<"$row")" thoi-su slot
assert_eq "$(jq -r .bulletin_id <<<"$row")" 0 bulletin_id
started=$(ms_of "$(jq -r .started_at <<<"$row")")
assert_eq "$(ms_of "$(jq -r .scheduled_at <<<"$row")")" "$sched" scheduled_at
echo "  first frame of the relay $((started - sched)) ms after its instant"
[ $((started - sched)) -ge 0 ] && [ $((started - sched)) -le 50 ] ||
	fail "the relay started $((started - sched)) ms after its instant; within 50 ms expected"
assert_eq "$(ms_of "$(jq -r .ended_at <<<"$row")")" "$end" ended_at
played=$(jq .played_ms <<<"$row")
echo "  $played ms of the 120 s window carried the source"
# The alert (3 s, and a second of gap and the reconnection) and the
# switch are not counted; everything else is.
[ "$played" -ge 110000 ] && [ "$played" -le 117000 ] || fail "played_ms $played"
reason=$(jq -r .reason <<<"$row")
[[ "$reason" == *"preempted by an emergency alert"* ]] || fail "the reason does not name the alert: $reason"
[[ "$reason" == *"$url_a stopped"* ]] || fail "the reason does not name the dropout: $reason"
[[ "$reason" == *"$url_b on air"* ]] || fail "the reason does not name the switch: $reason"
alert_row=$(jq '.[0]' <<<"$OUT")
[ "$(ms_of "$(jq -r .started_at <<<"$alert_row")")" -le "$resumed" ] || fail "the relay resumed before the alert"

# The report: relay minutes apart from the bulletins'.
today=$(TZ=$TZ_STATION date +%F)
expect_exit 0 report --from "$today" --to "$today" --by slot --format json
assert_eq "$(jq -r '.groups[] | select(.key == "thoi-su") | "\(.planned) \(.completed) \(.aired_ms) \(.relay_ms)"' <<<"$OUT")" \
	"1 1 0 $played" "report group of the relay slot"
assert_eq "$(jq -r '.total | "\(.planned) \(.relay_ms)"' <<<"$OUT")" "2 $played" "report total"
[ "$(jq -r '.total.aired_ms' <<<"$OUT")" -ge 2900 ] || fail "the alert's minutes are not bulletin minutes: $OUT"
expect_exit 0 verify

# The province's copy: the relay goes as tiếp âm, named by the source's
# title, with the source and the URL that served it in the details.
province_start
upstream_config
link_start
wait_province records.jsonl 2 20
link_stop
rec=$(jq -c -s '.[1]' "$T/province/records.jsonl")
assert_eq "$(jq -r '"\(.TiepAm)|\(.NguonTiepAm)|\(.TieuDe)|\(.BanTinID)"' <<<"$rec")" "1|Thời sự VOV1|Thời sự VOV1|0" \
	"the relay's record"
assert_eq "$(jq -r '[.ThongTinChiTietBanTin[] | select(.Ten | startswith("TiepAm.")) | .GiaTri] | join(" ")' <<<"$rec")" \
	"vov1 $url_b" "the relay's source and URL"
assert_eq "$(jq -r '.ThongTinChiTietBanTin[] | select(.Ten == "SoGhi.MaKiemTra") | .GiaTri' <<<"$rec")" \
	"$(jq -r .row_hash <<<"$row")" "the relay record's row hash"
assert_eq "$(jq -r -s '.[0] | "\(.TiepAm)|\(.NguonTiepAm)"' "$T/province/records.jsonl")" "0|" "the alert's record"
