# A sound card that is missing, then comes back: the item due while it is
# missing gets a `failed` row naming the device, the daemon keeps running,
# and the next slot airs on the card without a restart. The card is an
# ALSA definition that the test rewrites; alsa-lib reads its config files
# again at the next open when they change.
. "$(dirname "$0")/lib.sh"

export ALSA_CONFIG_PATH="$ALSA_CONFIG_PATH:$T/card.conf"
echo 'pcm.card { type hw; card 99; }' >"$T/card.conf"
"$MKAUDIO" --seconds 1 tone "$T/a.wav"
first=$(local_hms_in 5)
second=$(local_hms_in 11)
cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "card"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "$first"; days = ["mon","tue","wed","thu","fri","sat","sun"]; },
  { name = "trua"; start = "$second"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }
);
CONF
expect_exit 0 import --slot sang --slot trua "$T/a.wav"
start_daemon
wait_rows 1 15
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" false "device_ok while the card is missing"
# The card is plugged in.
echo "pcm.card { type file; slave.pcm \"null\"; file \"$T/capture.wav\"; format \"wav\"; }" >"$T/card.conf"
wait_rows 2 15
kill -0 "$DAEMON_PID" || fail "the daemon died"
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" true "device_ok once the card is back"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '[.[].outcome] | join(",")' <<<"$OUT")" failed,completed outcomes
assert_eq "$(jq -r '.[0].slot' <<<"$OUT")" sang "failed slot"
[[ "$(jq -r '.[0].reason' <<<"$OUT")" == *"'card'"* ]] || fail "the reason does not name the device: $OUT"
[ "$(wav_frames "$T/capture.wav" 2)" -eq 48000 ] || fail "the card did not receive the whole item"
