# clock.require_sync: until the kernel reports a synchronised clock the
# daemon airs nothing and judges nothing, and `loa status` says it is
# waiting; once synchronised, a slot that passed within grace airs late.
# LOA_TEST_CLOCK_SYNC_FILE stands in for the kernel (synchronised while
# the file exists).
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/a.wav"
write_config "00:00:00"
sed -i 's/require_sync = false;/require_sync = true;/' "$LOA_CONFIG"
expect_exit 0 import --title "A" --slot sang "$T/a.wav"
a=$OUT
slot_in 3
export LOA_TEST_CLOCK_SYNC_FILE="$T/synced"
start_daemon
for ((i = 0; i < 50; i++)); do
	"$LOA" status --json >/dev/null 2>&1 && break
	sleep 0.1
done
expect_exit 0 status --json
assert_eq "$(jq -r .state <<<"$OUT")" waiting-for-clock "state"
assert_eq "$(jq -r .clock_trusted <<<"$OUT")" false "clock_trusted"
expect_exit 0 status
[[ "$OUT" == *"waiting for a synchronised clock"* ]] || fail "status says '$OUT'"
# A command is refused at once, not aired whenever the clock is trusted.
expect_exit 1 play --force "$a"
[[ "$ERR" == *"synchronised clock"* ]] || fail "play while waiting says: $ERR"
sleep $((5 + E2E_LEAD)) # past the slot
expect_exit 0 log --json
assert_eq "$OUT" "[]" "the ledger while the clock is not trusted"
touch "$T/synced"
wait_rows 1 10
expect_exit 0 status --json
assert_eq "$(jq -r .clock_trusted <<<"$OUT")" true "clock_trusted once synchronised"
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" completed "the late airing"
sched=$(ms_of "$(jq -r '.[0].scheduled_at' <<<"$OUT")")
started=$(ms_of "$(jq -r '.[0].started_at' <<<"$OUT")")
[ $((started - sched)) -ge 4000 ] || fail "aired $((started - sched)) ms after its slot: it did not wait for the clock"
