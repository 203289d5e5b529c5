# A relay from a capture device, as from a radio receiver on the line-in:
# alsa-lib's file plugin reads a recording (made here) in place of what
# the capture would bring, paced by JACK's dummy backend. The window airs
# it from its instant to its second, and its row names the device.
. "$(dirname "$0")/lib.sh"
jack_start

ffmpeg -hide_banner -loglevel error -f lavfi -i "sine=frequency=330:sample_rate=48000:duration=75" -ac 2 \
	-f s16le "$T/receiver.raw" || fail "ffmpeg could not make the receiver's sound"
cat >>"$T/asound.conf" <<ALSA
pcm.receiver { type file; slave.pcm "plug:jack"; file "/dev/null"; infile "$T/receiver.raw"; format "raw"; }
ALSA

write_config_relay 10
expect_exit 0 source add dai-tinh --capture receiver --title "Đài tỉnh (máy thu)" --topic 1
expect_exit 0 source list --json
assert_eq "$(jq -r '.[0] | "\(.kind) \(.capture) \(.urls | length)"' <<<"$OUT")" "capture receiver 0" "source list"
start=$(local_hms_in 9)
expect_exit 0 slot add tiep-am --start "$start" --days daily --max-minutes 1 --relay dai-tinh
start_daemon
wait_relay_url receiver 15
wait_idle 80
wait_rows 1 10
stop_daemon

expect_exit 0 log --json
row=$(jq '.[0]' <<<"$OUT")
assert_eq "$(jq -r .outcome <<<"$row")" completed "outcome ($(jq -r .reason <<<"$row"); $(cat "$T/daemon.log"))"
assert_eq "$(jq -r .relay_source <<<"$row")" dai-tinh relay_source
assert_eq "$(jq -r .relay_url <<<"$row")" receiver "relay_url (the capture device)"
assert_eq "$(jq -r .title <<<"$row")" "Đài tỉnh (máy thu)" title
sched=$(ms_of "$(jq -r .scheduled_at <<<"$row")")
started=$(ms_of "$(jq -r .started_at <<<"$row")")
played=$(jq .played_ms <<<"$row")
echo "  first frame $((started - sched)) ms after the instant; $played ms of 60 s carried the receiver"
[ $((started - sched)) -le 50 ] || fail "the relay started $((started - sched)) ms late"
[ "$played" -ge 59000 ] || fail "played_ms $played of 60000"
