# A relay whose first URL is a stream of silence (it answers, and carries
# nothing) and whose fallback is a live HLS stream with AAC segments, as
# VOV's are, which ffmpeg makes at test time: the silence is dead air
# after relay.silence_seconds and the relay moves to the HLS stream; the
# slow gain brings the HLS stream, 13 dB under the target, to the
# station's loudness; three minutes of relaying keep the daemon's memory
# flat (a few minutes stand in for the hours a station relays).
. "$(dirname "$0")/lib.sh"
jack_start

make_mp3 "$T/silent.mp3" 20 440 0
mkdir "$T/hls"
ffmpeg -hide_banner -loglevel error -re -f lavfi -i "sine=frequency=550:sample_rate=48000" -af volume=0.45 \
	-ac 2 -c:a aac -b:a 96k -f hls -hls_time 2 -hls_list_size 6 -hls_flags delete_segments \
	"$T/hls/live.m3u8" >"$T/hls.log" 2>&1 &
STREAM_PIDS="$STREAM_PIDS $!"
stream_start s --mp3 silent.mp3="$T/silent.mp3" --dir "$T/hls"
url_s="http://127.0.0.1:$(cat "$T/s.port")/silent.mp3"
url_h="http://127.0.0.1:$(cat "$T/s.port")/live.m3u8"
# A live playlist with a few segments, as a station's has.
segments() { grep -c '\.ts$' "$T/hls/live.m3u8" 2>/dev/null || true; }
for ((i = 0; i < 200; i++)); do
	[ "$(segments)" -ge 3 ] 2>/dev/null && break
	sleep 0.1
done
[ "$(segments)" -ge 3 ] 2>/dev/null || fail "ffmpeg made no HLS stream: $(cat "$T/hls.log")"

write_config_relay 3
expect_exit 0 source add vov1 --url "$url_s" --url "$url_h" --title "Thời sự VOV1"
start=$(local_hms_in 9)
expect_exit 0 slot add thoi-su --start "$start" --days daily --max-minutes 3 --relay vov1
start_daemon
wait_relay_url "$url_s" 15
silent_at=$(now_ms)
wait_relay_url "$url_h" 15
echo "  the HLS fallback on air $(($(now_ms) - silent_at)) ms after the silent stream went on air (silence_seconds 3)"

# Memory: the private memory of the daemon (RssAnon; JACK's shared
# buffers are the test's) every 15 s from the end of the first minute.
rss() { awk '/^RssAnon:/ { print $2 }' "/proc/$DAEMON_PID/status"; }
sleep 50
first=$(rss) max=$first
for ((i = 0; i < 8; i++)); do
	sleep 15
	r=$(rss)
	if [ "$r" -gt "$max" ]; then max=$r; fi
done
echo "  RssAnon ${first} kB after a minute of relaying, at most ${max} kB over the next two"
# Under ASan (make check SANITIZE=1) freed memory waits in the sanitizer's
# quarantine, so RssAnon grows by design: the figure is printed, not judged.
# grep reads all of ldd's output: with pipefail, grep -q leaving early would
# make ldd die of SIGPIPE and the test judge an ASan build.
if ldd "$LOA" | grep libasan >/dev/null; then
	echo "  (built with ASan: memory growth not judged)"
else
	[ $((max - first)) -le 1024 ] || fail "the daemon's memory grew from $first kB to $max kB while relaying"
fi
wait_idle 60
wait_rows 1 10
stop_daemon

expect_exit 0 log --json
row=$(jq '.[0]' <<<"$OUT")
assert_eq "$(jq -r .outcome <<<"$row")" completed outcome
assert_eq "$(jq -r .relay_url <<<"$row")" "$url_h" "relay_url (the HLS stream carried it)"
reason=$(jq -r .reason <<<"$row")
[[ "$reason" == *"$url_s silent for 3 s"* ]] || fail "the reason does not name the dead air: $reason"
[[ "$reason" == *"$url_h on air"* ]] || fail "the reason does not name the switch: $reason"
played=$(jq .played_ms <<<"$row")
# The dead air and the fallback's start are not counted.
[ "$played" -ge 172000 ] && [ "$played" -le 177500 ] || fail "played_ms $played of 180000"

# As loud as a bulletin: the last minute of what the device took, at the
# station's target (-16 LUFS) within 1.5 LU.
ffmpeg -hide_banner -loglevel error -ss 110 -t 60 -i "$T/paced.wav" -c copy "$T/last.wav" ||
	fail "cannot cut the last minute of what the device took"
read -r lufs tp _ <<<"$("$MKAUDIO" measure "$T/last.wav")"
echo "  the relay aired at $lufs LUFS, true peak $tp dBTP (its source about -29 LUFS, the target -16)"
awk -v l="$lufs" 'BEGIN { exit !(l >= -17.5 && l <= -14.5) }' || fail "the relay aired at $lufs LUFS"
