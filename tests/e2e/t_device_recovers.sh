# A sound card that is missing when its slot comes, then comes back: the
# item waits for it, retried with a growing backoff and each attempt
# logged, and airs (late) as soon as the card is there, without a restart.
# The card is an ALSA definition the test rewrites; alsa-lib reads its
# config files again at the next open when they have changed.
. "$(dirname "$0")/lib.sh"

export ALSA_CONFIG_PATH="$ALSA_CONFIG_PATH:$T/card.conf"
echo 'pcm.card { type hw; card 99; }' >"$T/card.conf"
"$MKAUDIO" --seconds 1 tone "$T/a.wav"
write_config "00:00:00" card
expect_exit 0 import --slot sang "$T/a.wav"
slot_in 3
start_daemon
for ((i = 0; i < 150; i++)); do
	[ "$(grep -c "trying again" "$T/daemon.log")" -ge 3 ] && break
	sleep 0.1
done
grep -q "cannot open audio device 'card'.*trying again in 1 s" "$T/daemon.log" ||
	fail "the first attempt is not logged: $(cat "$T/daemon.log")"
grep -q "trying again in 4 s" "$T/daemon.log" || fail "no backoff: $(cat "$T/daemon.log")"
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" false "device_ok while the card is missing"
expect_exit 0 log --json
assert_eq "$(jq length <<<"$OUT")" 0 "rows while the item waits for the card"
# The card is plugged in.
echo "pcm.card { type file; slave.pcm \"null\"; file \"$T/capture.wav\"; format \"wav\"; }" >"$T/card.conf"
wait_rows 1 15
kill -0 "$DAEMON_PID" || fail "the daemon died"
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" true "device_ok once the card is back"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" completed outcome
[ "$(ms_of "$(jq -r '.[0].started_at' <<<"$OUT")")" -gt "$(ms_of "$(jq -r '.[0].scheduled_at' <<<"$OUT")")" ] ||
	fail "the item did not air late: $OUT"
[ "$(wav_frames "$T/capture.wav" 2)" -eq 48000 ] || fail "the card did not receive the whole item"
