# On a device paced in real time whose consumer freezes mid-item (jackd
# stopped with SIGSTOP: the process lives, the device takes no frames and
# reports no error), the stall watchdog ends the item as partial, saying
# why, and once the device moves again the next item airs without a restart.
. "$(dirname "$0")/lib.sh"
jack_start

"$MKAUDIO" --seconds 10 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/b.wav"
write_config "$(local_hms_in 4)" paced "max_minutes = 5;"
expect_exit 0 import --title "Dài" --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "Ngắn" --slot sang "$T/b.wav"
b=$OUT

start_daemon
wait_on_air "$a" 15
sleep 2
kill -STOP "$JACKD_PID"
frozen=$(date +%s%3N)
# The watchdog gives the device 5 s; the first row follows it.
wait_rows 1 12
kill -CONT "$JACKD_PID"
wait_rows 2 30
stop_daemon; cat $T/daemon.log; $LOA log --json | jq -c ".[]|{outcome,reason,played_ms}"

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.bulletin_id):\(.outcome)"] | join(",")' <<<"$OUT")" \
	"$a:partial,$b:completed" "rows"
ended=$(ms_of "$(jq -r '.[0].ended_at' <<<"$OUT")")
echo "the frozen item ended $((ended - frozen)) ms after the device froze"
[ $((ended - frozen)) -ge 4000 ] || fail "the item ended $((ended - frozen)) ms after the freeze, before the watchdog's 5 s"
played=$(jq '.[0].played_ms' <<<"$OUT")
[ "$played" -gt 1000 ] && [ "$played" -lt 10000 ] || fail "partial played_ms $played, expected part of 10000"
[[ "$(jq -r '.[0].reason' <<<"$OUT")" == *"stopped taking audio"* ]] || fail "the partial row does not say why: $(jq -r '.[0].reason' <<<"$OUT")"
grep -q "stopped taking audio" "$T/daemon.log" || fail "the journal does not say the device stalled: $(cat "$T/daemon.log")"
