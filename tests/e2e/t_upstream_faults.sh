# A province's server that misbehaves record by record: it answers more
# slowly than upstream.timeout_seconds (the record is sent again, and the
# province, which de-duplicates, holds it once), lets tokens expire (loa
# logs in again), refuses one record with 400 (it stays in the outbox as
# rejected, status shows it with the server's words, and the records after
# it go on), and acknowledges twice in one reply (one witness). Then
# `loa upstream resend` queues the day again for a province that lost it.
. "$(dirname "$0")/lib.sh"

for i in 1 2 3 4; do
	"$MKAUDIO" --seconds "0.$((i + 4))" --rate 44100 --channels 1 tone "$T/$i.wav"
done
write_config "$(local_hms_in 6)" capture
province_start
upstream_config "timeout_seconds = 2;"
expect_exit 0 import --title "Bản tin A" --topic 1 --slot sang "$T/1.wav"
a=$OUT
expect_exit 0 import --title "Bản tin B" --topic 2 --slot sang "$T/2.wav"
b=$OUT
expect_exit 0 import --title "Bản tin C" --topic 3 "$T/3.wav"
c=$OUT
expect_exit 0 import --title "Bản tin D" --topic 4 "$T/4.wav"
d=$OUT
link_start
start_daemon
wait_rows 2 20
wait_province records.jsonl 2 20

# Slow: the server keeps the record, then answers after the link gave up.
province_control '{"delay": 3}'
expect_exit 0 play "$a"
wait_rows 3 20
for ((i = 0; i < 150; i++)); do
	[ "$(jq -s '[.[] | select(._dup)] | length' "$T/province/raw.jsonl")" -ge 1 ] && break
	sleep 0.1
done
[ "$(jq -s '[.[] | select(._dup)] | length' "$T/province/raw.jsonl")" -ge 1 ] ||
	fail "the record that timed out was not sent again: $(cat "$T/link.log")"
grep -q "no answer from 127.0.0.1:$PROVINCE_PORT within 2 s" "$T/link.log" || fail "the timeout is not logged: $(cat "$T/link.log")"
province_control '{}'
wait_province records.jsonl 3 20
for ((i = 0; i < 100; i++)); do
	[ "$("$LOA" upstream status --json | jq .queued)" == 0 ] && break
	sleep 0.1
done
assert_eq "$(province_count records.jsonl)" 3 "records held after the slow answers"

# Tokens that live a second: the next record meets a 401 and logs in again.
logins=$(province_count logins.jsonl)
province_control '{"token_ttl": 1}'
sleep 1.5
expect_exit 0 play "$b"
wait_province records.jsonl 4 20
[ "$(province_count logins.jsonl)" -gt "$logins" ] || fail "no new login after the token expired"

# One record refused; the next goes on.
province_control '{"refuse": "Bản tin C"}'
expect_exit 0 play "$c"
wait_rows 5 20
expect_exit 0 play "$d"
wait_rows 6 20
wait_province records.jsonl 5 20
for ((i = 0; i < 100; i++)); do
	[ "$("$LOA" upstream status --json | jq .queued)" == 0 ] && break
	sleep 0.1
done
expect_exit 0 upstream status --json
assert_eq "$(jq -r '[.rejected, .rejected_recent[0].row, .rejected_recent[0].http_status] | map(tostring) | join(" ")' <<<"$OUT")" \
	"1 5 400" "the refused record in status"
[[ "$(jq -r '.rejected_recent[0].reply' <<<"$OUT")" == *"Bản tin không thuộc lĩnh vực được phép"* ]] ||
	fail "status does not show the server's words: $OUT"
grep -q "ledger row 5 (\"Bản tin C\", completed) is refused: the server refused it with HTTP 400: Bản tin không thuộc" \
	"$T/link.log" || fail "the refusal is not logged: $(cat "$T/link.log")"
assert_eq "$(jq -r -s '[.[].ThongTinChiTietBanTin[] | select(.Ten == "SoGhi.Dong") | .GiaTri] | join(",")' \
	"$T/province/records.jsonl")" "1,2,3,4,6" "the rows the province holds"
jq -e -s 'all(.[]; .TieuDe != "Bản tin C")' "$T/province/records.jsonl" >/dev/null || fail "the refused record is held"

# Acknowledged twice in one reply: one acknowledgement.
province_control '{"mode": "ack_twice"}'
expect_exit 0 play "$a"
wait_province records.jsonl 6 20
for ((i = 0; i < 100; i++)); do
	[ "$("$LOA" upstream status --json | jq .witnessed_row)" == 7 ] && break
	sleep 0.1
done
assert_eq "$(sqlite3 "$T/state/loa.db" "SELECT count(*) FROM upstream_sent WHERE row_id = 7")" 1 "answers kept for row 7"

# The province lost the day: queued again, each row sent again, the
# refused one accepted this time, and the province still holds each once.
province_control '{}'
today=$(TZ=$TZ_STATION date +%F)
expect_exit 0 upstream resend --from "$today" --to "$today"
[[ "$OUT" == "7 rows of $today..$today queued again for the province" ]] || fail "resend: $OUT"
for ((i = 0; i < 100; i++)); do
	[ "$("$LOA" upstream status --json | jq .queued)" == 0 ] && break
	sleep 0.1
done
assert_eq "$(province_count records.jsonl)" 7 "records held after the resend"
assert_eq "$("$LOA" upstream status --json | jq -r '[.accepted, .rejected] | map(tostring) | join(" ")')" "13 1" "answers"
expect_exit 0 audit --json
assert_eq "$(jq -r '[.[] | select(.action == "upstream-resend")][0].target' <<<"$OUT")" "$today..$today" "resend in the audit trail"
stop_daemon
link_stop
echo "  slow answers, expired tokens, a 400 and a double ack: 7 rows, each held once; $(province_count logins.jsonl) logins"
