# Crashes on either side of the outbox. The link is killed (SIGKILL) while
# its request is at the province, which has kept the record but not yet
# answered: nothing was settled, so the next run sends it again, and the
# province, which de-duplicates, holds each row exactly once. The daemon
# is killed (SIGKILL) right after a row, and again mid-item after its
# checkpoint: every row that aired has its outbox entry (written in the
# row's own transaction), the partial row the restart records included,
# with the emergency priority the item aired with.
. "$(dirname "$0")/lib.sh"
jack_start

"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 1.5 --rate 48000 --channels 1 tone "$T/b.wav"
"$MKAUDIO" --seconds 8 --rate 48000 --channels 1 tone "$T/long.wav"
write_config "$(local_hms_in 6)" paced
province_start
upstream_config
expect_exit 0 import --title "Bản tin A" --slot sang "$T/a.wav"
expect_exit 0 import --title "Bản tin B" --slot sang "$T/b.wav"
expect_exit 0 import --title "Bão số 3" --priority emergency "$T/long.wav"
long=$OUT

# unsent: aired rows without an outbox entry.
unsent() {
	sqlite3 "$T/state/loa.db" "SELECT count(*) FROM ledger l WHERE l.played_ms > 0 AND NOT EXISTS
		(SELECT 1 FROM upstream_outbox o WHERE o.row_id = l.id)"
}

# The province keeps each record, then takes 4 s to answer.
province_control '{"delay": 4}'
link_start
start_daemon
wait_province raw.jsonl 1 20
kill -KILL "$LINK_PID"
wait "$LINK_PID" 2>/dev/null || true
LINK_PID=""
wait_rows 2 20
# The power cut: right after the second row, nothing of the daemon runs on.
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
assert_eq "$(unsent)" 0 "aired rows without an outbox entry after the power cut"
expect_exit 0 upstream status --json
assert_eq "$(jq -r '[.queued, .accepted] | map(tostring) | join(" ")' <<<"$OUT")" "2 0" \
	"after the kill: the first record was kept by the province but not settled"

province_control '{}'
link_start
wait_province records.jsonl 2 20
for ((i = 0; i < 100; i++)); do
	[ "$("$LOA" upstream status --json | jq .queued)" == 0 ] && break
	sleep 0.1
done
assert_eq "$(jq -s '[.[] | select(._dup)] | length' "$T/province/raw.jsonl")" 1 "records the province got twice"
assert_eq "$(province_count records.jsonl)" 2 "records the province holds"

# Mid-item, after its first checkpoint (5 s): the restart records it as
# partial, and that row goes to the province too, as an emergency.
start_daemon
expect_exit 0 play "$long"
wait_on_air "$long" 10
sleep 6
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
start_daemon
wait_rows 3 20
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[2].outcome' <<<"$OUT")" partial "the item the power cut interrupted"
played=$(jq -r '.[2].played_ms' <<<"$OUT")
[ "$played" -ge 4000 ] || fail "the partial row claims $played ms"
assert_eq "$(unsent)" 0 "aired rows without an outbox entry after the restart"
assert_eq "$(sqlite3 "$T/state/loa.db" "SELECT priority FROM upstream_outbox WHERE row_id = 3")" 2 \
	"the partial row's priority"
wait_province records.jsonl 3 20
rec=$(jq -c -s '.[2]' "$T/province/records.jsonl")
assert_eq "$(jq -r '[.BanTinID, .MucDoUuTien] | map(tostring) | join(" ")' <<<"$rec")" "$long 1" "the partial row's record"
assert_eq "$(jq -r '.ThongTinChiTietBanTin[] | select(.Ten == "KetQua") | .GiaTri' <<<"$rec")" partial "its outcome"
link_stop
expect_exit 0 verify
[[ "$OUT" == *"witnessed by the province up to row 3"* ]] || fail "verify: $OUT"
echo "  link killed mid-request: sent again, held once; daemon killed twice: every aired row queued ($played ms partial)"
