# SIGHUP re-reads the config: a broken one is rejected with its errors while
# the schedule in force stays; a good one takes over without a restart.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 2 tone "$T/a.wav"
write_config "$(local_hms_in 7200)"
expect_exit 0 import --slot sang "$T/a.wav"
start_daemon
sleep 0.5

cp "$LOA_CONFIG" "$T/good.conf"
echo 'audio = { gap_ms = "long"; };' >>"$LOA_CONFIG"
kill -HUP "$DAEMON_PID"
sleep 0.5
kill -0 "$DAEMON_PID" || fail "the daemon died on a bad config"
grep -q "reload rejected" "$T/daemon.log" || fail "no rejection in the log: $(cat "$T/daemon.log")"
grep -q "loa.conf:[0-9]*:" "$T/daemon.log" || fail "the rejection does not say FILE:LINE"

start=$(local_hms_in $((4 + E2E_LEAD)))
write_config "$start"
kill -HUP "$DAEMON_PID"
wait_rows 1 15
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" completed outcome
[[ "$(jq -r '.[0].started_at' <<<"$OUT")" == *"T${start}."* ]] || fail "did not air at $start"
