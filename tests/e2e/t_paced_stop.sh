# On a device paced in real time: `loa stop` ends the item on air within
# 1 s of the command returning (a cancelled row with what played), and the
# next item of the slot follows.
. "$(dirname "$0")/lib.sh"
jack_start

"$MKAUDIO" --seconds 8 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/b.wav"
write_config "$(local_hms_in 4)" paced
expect_exit 0 import --title "Dài" --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "Ngắn" --slot sang "$T/b.wav"
b=$OUT

start_daemon
wait_on_air "$a" 15
sleep 2
expect_exit 0 stop
returned=$(date +%s%3N)
wait_rows 2 20
stop_daemon

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.bulletin_id):\(.outcome)"] | join(",")' <<<"$OUT")" \
	"$a:cancelled,$b:completed" "rows"
ended=$(ms_of "$(jq -r '.[0].ended_at' <<<"$OUT")")
lag=$((ended - returned))
[ "$lag" -le 1000 ] || fail "the item ended $lag ms after 'loa stop' returned; at most 1000 allowed"
echo "stopped $lag ms after the command returned"
played=$(jq '.[0].played_ms' <<<"$OUT")
[ "$played" -gt 500 ] && [ "$played" -lt 8000 ] || fail "cancelled played_ms $played, expected part of 8000"
[[ "$(jq -r '.[0].reason' <<<"$OUT")" == *"loa stop"* ]] || fail "the cancelled row does not say why"
# Nothing is on air to stop now.
start_daemon
expect_exit 1 stop
[[ "$ERR" == *"nothing is on air"* ]] || fail "stop with nothing on air said: $ERR"
stop_daemon
