# A sound card that is not there: the item waits for it (each attempt
# logged) until its time is over — here at once, with no grace period —
# then gets a `failed` row that says why, and the daemon keeps running.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 1 tone "$T/a.wav"
write_config "00:00:00" nowhere
sed -i 's/clock = { require_sync = false; };/clock = { require_sync = false; grace_minutes = 0; };/' "$LOA_CONFIG"
expect_exit 0 import --slot sang "$T/a.wav"
slot_in 3
start_daemon
wait_rows 1 15
kill -0 "$DAEMON_PID" || fail "the daemon died when the device was missing"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" failed outcome
[[ "$(jq -r '.[0].reason' <<<"$OUT")" == *"nowhere"* ]] || fail "the reason does not name the device"
grep -q "trying again in 1 s" "$T/daemon.log" || fail "no retry was logged: $(cat "$T/daemon.log")"
