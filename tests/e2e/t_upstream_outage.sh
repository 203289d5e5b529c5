# The province's server goes away and comes back: rows aired meanwhile
# wait in the outbox (status says why) and arrive in ledger order once it
# answers, without anyone touching the link. Then a server that is up but
# broken: it answers 500, then JSON cut off, then closes connections
# without a word; each is a failure that is retried, none settles a row,
# and once it behaves everything arrives, once, in order. (Between the
# broken phases the link is nudged with SIGUSR1, as an operator who mended
# something would, so the test need not wait out the backoff.)
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4 5; do
	"$MKAUDIO" --seconds "1.$i" --rate 44100 --channels 1 tone "$T/$i.wav"
done
write_config "$(local_hms_in 6)" capture
# A port for the config; then the server is down (nothing listens there).
province_start
port=$PROVINCE_PORT
province_stop
upstream_config "timeout_seconds = 3;"
for i in 1 2 3 4 5; do
	expect_exit 0 import --title "Bản tin $i" --topic "$i" --slot sang "$T/$i.wav"
done
a=$OUT

# status_is FIELD PATTERN SECONDS: waits until `loa upstream status --json` says so.
status_is() {
	local i v
	for ((i = 0; i < $3 * 10; i++)); do
		v=$("$LOA" upstream status --json | jq -r "$1")
		[[ "$v" == $2 ]] && return 0
		sleep 0.1
	done
	fail "upstream status $1 is '$v', not $2, after $3 s; link log: $(cat "$T/link.log")"
}

link_start
start_daemon
wait_rows 5 20
status_is .last_error '*connection refused by 127.0.0.1*' 10
status_is .queued 5 5
assert_eq "$(province_count raw.jsonl)" 0 "records while the server is down"

# It comes back; the link finds it on its own at its next try (the backoff
# doubles from 1 s, so that is at most as long again as the outage has
# lasted), and sends all five in order.
province_start "$port"
wait_province records.jsonl 5 45
status_is .queued 0 5
status_is .last_error null 5

# Up but broken: nothing a broken server says settles a row.
province_control '{"mode": "500"}'
expect_exit 0 play "$a"
wait_rows 6 20
status_is .last_error '*HTTP 500*' 10
province_control '{"mode": "malformed"}'
kill -USR1 "$LINK_PID"
status_is .last_error "*reply cannot be read*" 10
province_control '{"mode": "down"}'
kill -USR1 "$LINK_PID"
status_is .last_error "*connection to 127.0.0.1:$port failed*" 10
expect_exit 0 play "$a"
wait_rows 7 20
assert_eq "$(province_count records.jsonl)" 5 "records taken by a broken server"
status_is .queued 2 5
[[ "$(cat "$T/link.log")" == *"trying again in 1 s"* ]] || fail "the link did not say it would retry: $(cat "$T/link.log")"

province_control '{"mode": "ok"}'
kill -USR1 "$LINK_PID"
wait_province records.jsonl 7 20
status_is .queued 0 5
stop_daemon
link_stop

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | select(.played_ms > 0) | .id] | join(",")' <<<"$OUT")" \
	"$(jq -r -s '[.[].ThongTinChiTietBanTin[] | select(.Ten == "SoGhi.Dong") | .GiaTri] | join(",")' "$T/province/records.jsonl")" \
	"the rows at the province, in order"
assert_eq "$(province_count raw.jsonl)" 7 "requests the province kept (each row once)"
expect_exit 0 verify
[[ "$OUT" == *"witnessed by the province up to row 7"* ]] || fail "verify: $OUT"
echo "  7 rows through an outage and a broken server: all arrived, in order, once"
