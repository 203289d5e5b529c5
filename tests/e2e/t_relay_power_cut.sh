# A power cut in the middle of a relay (the daemon killed with SIGKILL):
# the next start records the window as one partial row, with its source,
# its URL and what its last checkpoint knew to have carried the source,
# as for a bulletin; the rest of the window does not air again.
. "$(dirname "$0")/lib.sh"
jack_start

make_mp3 "$T/a.mp3" 20 440
stream_start a --mp3 vov1.mp3="$T/a.mp3"
url="http://127.0.0.1:$(cat "$T/a.port")/vov1.mp3"
write_config_relay 10
expect_exit 0 source add vov1 --url "$url" --title "Thời sự VOV1"
expect_exit 0 slot add thoi-su --start "$(local_hms_in 8)" --days daily --max-minutes 1 --relay vov1
start_daemon
wait_relay_url "$url" 15
sleep 12
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
expect_exit 0 log --json
assert_eq "$(jq length <<<"$OUT")" 0 "rows before the restart"

start_daemon
wait_rows 1 10
sleep 3
expect_exit 0 status --json
assert_eq "$(jq -r .now_playing <<<"$OUT")" null "on air after the restart"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq length <<<"$OUT")" 1 "rows"
row=$(jq '.[0]' <<<"$OUT")
assert_eq "$(jq -r .outcome <<<"$row")" partial outcome
assert_eq "$(jq -r .relay_source <<<"$row")" vov1 relay_source
assert_eq "$(jq -r .relay_url <<<"$row")" "$url" relay_url
played=$(jq .played_ms <<<"$row")
echo "  the partial row holds $played ms (checkpoints every 5 s; killed about 12 s in)"
[ "$played" -ge 5000 ] && [ "$played" -le 13000 ] || fail "played_ms $played"
[[ "$(jq -r .reason <<<"$row")" == interrupted* ]] || fail "reason: $(jq -r .reason <<<"$row")"
expect_exit 0 verify
