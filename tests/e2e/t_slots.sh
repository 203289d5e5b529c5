# The programme as data: a slot added with `loa slot add` while the daemon
# runs airs without a restart, with its intro from the content store; a
# removed slot no longer airs and its history stays; loa.conf's slots are
# read-only; every change is in the audit trail under its actor.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 2 tone "$T/a.wav"
"$MKAUDIO" --seconds 1 --freq 880 tone "$T/chime.wav"
# The config's own slot is far away: only database slots air here.
write_config "$(local_hms_in 7200)"
expect_exit 0 import --title chime "$T/chime.wav"
chime=$OUT
start_daemon

# Added while the daemon runs, a few seconds ahead, with the chime first.
start=$(local_hms_in $((5 + E2E_LEAD)))
expect_exit 0 slot add chieu --start "$start" --days daily --max-minutes 15 --intro "$chime"
expect_exit 0 import --slot chieu "$T/a.wav"
item=$OUT
wait_rows 1 20
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].slot' <<<"$OUT")" chieu "slot of the row"
assert_eq "$(jq -r '.[0].bulletin_id' <<<"$OUT")" "$item" "bulletin of the row"
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" completed "outcome"
# The occurrence is the slot's start; the chime (1 s) and the gap (1 s)
# come first, so the item is planned 2 s after.
after=$(TZ=$TZ_STATION date -d "$start 2 sec" +%H:%M:%S)
[[ "$(jq -r '.[0].occurrence_at' <<<"$OUT")" == *"T${start}."* ]] || fail "the occurrence is not at $start: $OUT"
[[ "$(jq -r '.[0].scheduled_at' <<<"$OUT")" == *"T${after}."* ]] || fail "the item is not planned after the intro: $OUT"
grep -q "intro of slot 'chieu'" "$T/daemon.log" || fail "the intro did not air: $(cat "$T/daemon.log")"

# Moved to a few seconds ahead again, then removed before it comes: it
# does not air, and the row it made stays.
later=$(local_hms_in 6)
expect_exit 0 slot edit chieu --start "$later"
expect_exit 0 slot list --json
assert_eq "$(jq -r '.[] | select(.name == "chieu") | .start' <<<"$OUT")" "$later" "edited start"
expect_exit 0 slot remove chieu
sleep 8
expect_exit 0 log --json
assert_eq "$(jq length <<<"$OUT")" 1 "rows after the removed slot's time"
assert_eq "$(jq -r '.[0].slot' <<<"$OUT")" chieu "the removed slot's history"
stop_daemon

# loa.conf's slot is read-only here, and its name cannot be taken.
expect_exit 2 slot edit sang --days mon
[[ "$ERR" == *"loa.conf"* ]] || fail "the refusal does not name loa.conf: $ERR"
expect_exit 2 slot remove sang
expect_exit 2 slot add sang --start 06:00 --days daily
expect_exit 0 slot list --json
assert_eq "$(jq -r '.[0].source' <<<"$OUT")" config "source of sang"
assert_eq "$(jq length <<<"$OUT")" 1 "slots after removal"

# Bad input names the option and stores nothing.
expect_exit 2 slot add x --start 25:00 --days daily
[[ "$ERR" == *"--start"* ]] || fail "bad --start not named: $ERR"
expect_exit 2 slot add x --start 06:00 --days mon,funday
[[ "$ERR" == *"--days"* ]] || fail "bad --days not named: $ERR"
expect_exit 2 slot add x --start 06:00 --days daily --intro 999
[[ "$ERR" == *"--intro"* ]] || fail "missing intro not named: $ERR"
expect_exit 2 slot add "a b" --start 06:00 --days daily
expect_exit 2 slot add x --start 06:00 --days daily --from 2026-12-31 --until 2026-01-01
expect_exit 2 slot add x --days daily
expect_exit 2 slot frobnicate
expect_exit 0 slot list --json
assert_eq "$(jq length <<<"$OUT")" 1 "slots after refusals"

# Each change is in the audit trail, under the Unix user who made it.
me=$(id -un)
for action in slot-add slot-edit slot-remove; do
	n=$(sqlite3 "$T/state/loa.db" "SELECT count(*) FROM audit WHERE action = '$action' AND actor = '$me' AND target = 'chieu'")
	assert_eq "$n" 1 "audit entries for $action by $me"
done
