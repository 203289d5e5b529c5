# A card pulled out mid-item, on a device paced in real time: the sound
# server behind the ALSA device (jackd, the "card") is killed while the
# first item airs, and started again a few seconds later. The item on air
# gets its `partial` row saying the output failed; the daemon stays up and
# answers `loa status` (device_ok false) while the card is gone, retrying
# (each attempt logged); the rest of the slot airs, late, once the card is
# back, and the next slot airs on time. (t_device_missing.sh and
# t_device_recovers.sh cover a card missing before the item starts.)
. "$(dirname "$0")/lib.sh"
jack_start

# jackd again under the same name, as the card coming back.
jack_again() {
	jackd --no-realtime -d dummy -r 48000 -p 1024 >>"$T/jackd.log" 2>&1 &
	JACKD_PID=$!
	for ((i = 0; i < 100; i++)); do
		jack_lsp 2>/dev/null | grep -q '^system:playback_2$' && return 0
		sleep 0.1
	done
	fail "jackd did not come back: $(cat "$T/jackd.log")"
}

"$MKAUDIO" --seconds 8 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/b.wav"
first=$(local_hms_in 4)
second=$(local_hms_in 40)
cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "paced"; gap_ms = 300; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "$first"; days = ["mon","tue","wed","thu","fri","sat","sun"]; },
  { name = "chieu"; start = "$second"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }
);
CONF
expect_exit 0 import --title "Dài" --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "Ngắn" --slot sang --slot chieu "$T/b.wav"
b=$OUT

start_daemon
wait_on_air "$a" 15
sleep 2
# The card is pulled out.
now_ms
pulled=$NOW
kill -KILL "$JACKD_PID"
wait "$JACKD_PID" 2>/dev/null || true
JACKD_PID=""
wait_rows 1 15
now_ms
note "the item on air ended $((NOW - pulled)) ms (at most) after the card was pulled"
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" partial "the outcome of the item on air"
reason=$(jq -r '.[0].reason' <<<"$OUT")
[[ "$reason" == *"audio output failed"*"stopped taking audio"* ]] || fail "the partial row does not say why: $reason"
played=$(jq '.[0].played_ms' <<<"$OUT")
[ "$played" -ge 1500 ] && [ "$played" -le 5000 ] || fail "partial played_ms $played, expected about 2000"
note "row: partial, $played ms played, \"$reason\""

# The card stays out a few seconds: the daemon answers, says the device
# is not ok, and tries again, each attempt logged.
for ((i = 0; i < 60; i++)); do
	grep -q "trying again in 2 s" "$T/daemon.log" && break
	sleep 0.1
done
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" false "device_ok while the card is out"
[ "$(jq -r .last_error <<<"$OUT")" != null ] || fail "status names no error while the card is out"
grep -q "cannot air Ngắn: .*trying again in 1 s" "$T/daemon.log" ||
	fail "the failed opens are not logged: $(cat "$T/daemon.log")"
assert_eq "$("$LOA" log --json | jq length)" 1 "rows while the card is out"

# Plugged in again: the rest of the slot airs, late, without a restart.
now_ms
back=$NOW
jack_again
wait_rows 2 40
expect_exit 0 log --json
assert_eq "$(jq -r '.[1].outcome' <<<"$OUT")" completed "the item after the card came back"
late=$(($(ms_of "$(jq -r '.[1].started_at' <<<"$OUT")") - back))
note "the next item aired $late ms after the card was back (the retry backoff)"
expect_exit 0 status --json
assert_eq "$(jq -r .device_ok <<<"$OUT")" true "device_ok once the card is back"

# The next slot airs on its second.
wait_rows 3 50
kill -0 "$DAEMON_PID" || fail "the daemon died"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.slot):\(.bulletin_id):\(.outcome)"] | join(",")' <<<"$OUT")" \
	"sang:$a:partial,sang:$b:completed,chieu:$b:completed" "rows"
[[ "$(jq -r '.[2].started_at' <<<"$OUT")" == *"T${second}."* ]] ||
	fail "the next slot started at $(jq -r '.[2].started_at' <<<"$OUT"), not within the second $second"
expect_exit 0 verify
