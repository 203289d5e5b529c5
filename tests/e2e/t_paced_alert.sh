# On a device paced in real time: `loa alert` preempts the bulletin on air
# at once (its first frame within 1 s of the command returning), the
# preempted item is recorded with the part it played, and airs again
# whole after the alert because its slot has room.
. "$(dirname "$0")/lib.sh"
jack_start

"$MKAUDIO" --seconds 8 --rate 48000 --channels 1 tone "$T/ban-tin.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/bao.wav"
write_config "$(local_hms_in 4)" paced "max_minutes = 5;"
expect_exit 0 import --title "Bản tin" --slot sang "$T/ban-tin.wav"
item=$OUT
expect_exit 0 import --title "Bão khẩn cấp" --priority emergency "$T/bao.wav"
alert=$OUT

start_daemon
wait_on_air "$item" 15
sleep 2
before=$(date +%s%3N)
expect_exit 0 alert "$alert"
returned=$(date +%s%3N)
wait_rows 3 30
stop_daemon

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.kind):\(.bulletin_id):\(.outcome)"] | join(",")' <<<"$OUT")" \
	"slot:$item:preempted,alert:$alert:completed,slot:$item:completed" "rows"
started=$(ms_of "$(jq -r '.[1].started_at' <<<"$OUT")")
[ "$started" -ge "$before" ] || fail "the alert started at $started, before the command ($before)"
lag=$((started - returned))
[ "$lag" -le 1000 ] || fail "the alert started $lag ms after the command returned; at most 1000 allowed"
echo "alert on air $lag ms after the command returned"

# The preempted row holds what played: some, not all (about 2 s of 8).
played=$(jq '.[0].played_ms' <<<"$OUT")
[ "$played" -gt 0 ] && [ "$played" -lt 8000 ] || fail "preempted played_ms $played, expected between 0 and 8000"
[ "$(jq -r '.[0].reason' <<<"$OUT")" != null ] || fail "the preempted row gives no reason"
preempted_end=$(ms_of "$(jq -r '.[0].ended_at' <<<"$OUT")")
[ "$preempted_end" -le "$started" ] || fail "the preempted item ended at $preempted_end, after the alert started"
# Paced: the alert took its real length, and the item aired again whole after it.
alert_end=$(ms_of "$(jq -r '.[1].ended_at' <<<"$OUT")")
[ $((alert_end - started)) -ge 1900 ] || fail "the 2 s alert was over after $((alert_end - started)) ms: not paced"
again=$(ms_of "$(jq -r '.[2].started_at' <<<"$OUT")")
[ "$again" -ge "$alert_end" ] || fail "the item aired again at $again, before the alert ended at $alert_end"
full=$(jq '.[2].played_ms' <<<"$OUT")
[ "$full" -ge 7900 ] && [ "$full" -le 8100 ] || fail "the item's second airing played $full ms of 8000"
