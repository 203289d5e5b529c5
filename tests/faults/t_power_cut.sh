# Power cuts: the daemon airs on a device paced in real time and is killed
# with SIGKILL (nothing of it runs after: no handler, no last write) at
# FAULTS_KILLS (50) instants, restarted after each. The instants are random
# (seeded: FAULTS_SEED=N repeats a run) and aimed at the dangerous moments:
# the start-up itself, the pre-roll, the first 100 ms of an item, its
# checkpoint, its end, the gap between items, and anywhere at all.
#
# After every restart: SQLite finds the file sound, `loa verify` the chain
# whole, the item that was on air (the inflight record the kill left) has
# exactly one row and it is `partial`, claiming no more than had time to
# play, and no item has two rows. At the end every item of every slot up to
# the last one aired has its row, each once.
. "$(dirname "$0")/lib.sh"
jack_start

KILLS=${FAULTS_KILLS:-50}
SEED=${FAULTS_SEED:-$(((RANDOM << 15) | RANDOM))}
RANDOM=$SEED
note "seed $SEED (FAULTS_SEED=$SEED repeats these instants)"
# rand LO HI: a whole number in [LO, HI], into $R.
rand() { R=$(($1 + ((RANDOM << 15) | RANDOM) % ($2 - $1 + 1))); }

# A slot every P ms, each with a long item (it crosses the 5 s checkpoint)
# and a short one after the gap.
P=7000 LONG=5300 SHORT=600 GAP=300 N_SLOTS=$((KILLS * 3 / 2 + 10))
"$MKAUDIO" --seconds "$(printf '%d.%03d' $((LONG / 1000)) $((LONG % 1000)))" --rate 48000 --channels 1 tone "$T/long.wav"
"$MKAUDIO" --seconds "$(printf '%d.%03d' $((SHORT / 1000)) $((SHORT % 1000)))" --rate 48000 --channels 1 tone "$T/short.wav"
now_ms
BASE=$(((NOW / 1000 + 5) * 1000))
slot_at() { echo $((BASE + $1 * P)); }
{
	echo "station = { name = \"Xã Thử Nghiệm\"; timezone = \"$TZ_STATION\"; };"
	echo "paths = { state_dir = \"state\"; };"
	echo "audio = { device = \"paced\"; gap_ms = $GAP; };"
	echo "clock = { require_sync = false; };"
	echo "slots = ("
	for ((i = 0; i < N_SLOTS; i++)); do
		hms=$(TZ=$TZ_STATION date -d "@$(($(slot_at $i) / 1000))" +%H:%M:%S)
		printf '  { name = "s%03d"; start = "%s"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }%s\n' \
			"$i" "$hms" "$([ $i -lt $((N_SLOTS - 1)) ] && echo ,)"
	done
	echo ");"
} >"$LOA_CONFIG"
slot_args=()
for ((i = 0; i < N_SLOTS; i++)); do slot_args+=(--slot "$(printf s%03d $i)"); done
expect_exit 0 import --title "Dài" "${slot_args[@]}" "$T/long.wav"
LONG_ID=$OUT
expect_exit 0 import --title "Ngắn" "${slot_args[@]}" "$T/short.wav"
SHORT_ID=$OUT

# The first slot airs untouched: it shows where, on this machine, the
# items really end (the device's buffer drains after the last write).
daemon_launch
daemon_answers 10
first_occ=$(slot_at 0)
for ((i = 0; i < 200; i++)); do
	[ "$(DB "SELECT count(*) FROM ledger WHERE occurrence_at = $first_occ")" -ge 2 ] && break
	sleep 0.1
done
row0() { DB "SELECT $1 FROM ledger WHERE occurrence_at = $first_occ AND bulletin_id = $2"; }
[ "$(row0 outcome "$LONG_ID")" == completed ] && [ "$(row0 outcome "$SHORT_ID")" == completed ] ||
	fail "the first slot did not air whole: $(DB "SELECT * FROM ledger"); $(tail "$T/daemon.log")"
long_start=$(($(row0 started_at "$LONG_ID") - first_occ))
long_end=$(($(row0 ended_at "$LONG_ID") - first_occ))
short_start=$(($(row0 started_at "$SHORT_ID") - first_occ))
short_end=$(($(row0 ended_at "$SHORT_ID") - first_occ))
note "slot 0: long item $long_start..$long_end ms, short $short_start..$short_end ms after the slot's instant"
[ "$long_start" -le 20 ] || fail "the first slot started $long_start ms late; the timing below needs it on time"

declare -A kinds=() interrupted=()
kills=0 target=1

# kill_now: the power cut, and a note of what it left on air (the inflight
# record, as the next start finds it): slot|occurrence|bulletin|started_at.
kill_now() {
	local onair
	now_ms
	killed_at=$NOW
	daemon_kill
	kills=$((kills + 1))
	onair=$(DB "SELECT slot || '|' || occurrence_at || '|' || bulletin_id || '|' || started_at FROM inflight")
	echo "kill $kills: $kind, slot $target $((killed_at - S)) ms; on air: ${onair:-nothing}"
	if [ -n "$onair" ] && [ -z "${interrupted[$onair]:-}" ]; then
		interrupted[$onair]=$killed_at
		kinds_on_air[$kind]=$((${kinds_on_air[$kind]:-0} + 1))
	fi
}
declare -A kinds_on_air=()

while [ "$kills" -lt "$KILLS" ]; do
	kinds_all=(startup preroll first100 checkpoint end-long between end-short anywhere)
	rand 0 $((${#kinds_all[@]} - 1))
	kind=${kinds_all[$R]}
	# AT: the kill's instant, in ms after the slot's.
	case $kind in
	startup) rand -2000 $((P - 2500)); at=$R ;;
	preroll) rand 100 1500; at=$((-R)) ;;
	first100) rand 0 100; at=$((long_start + R)) ;;
	checkpoint) rand -5 25; at=$((long_start + 5000 + R)) ;;
	end-long) rand -40 40; at=$((long_end + R)) ;;
	between) rand 20 $((short_start - long_end - 20)); at=$((long_end + R)) ;;
	end-short) rand -40 40; at=$((short_end + R)) ;;
	anywhere) rand -2000 $((P - 2500)); at=$R ;;
	esac
	# The next slot whose timing still holds: the daemon (up again by
	# now) has its item ready before both the instant and the kill.
	now_ms
	first=$((at < 0 ? at : 0))
	while [ $(($(slot_at $target) + first - 300)) -lt "$NOW" ]; do target=$((target + 1)); done
	[ "$target" -lt $((N_SLOTS - 2)) ] || fail "ran out of slots after $kills kills"
	S=$(slot_at $target)
	kinds[$kind]=$((${kinds[$kind]:-0} + 1))
	sleep_until $((S + at))
	kill_now
	daemon_launch
	if [ "$kind" == startup ]; then
		# Cut again while it starts up (and recovers what the first cut
		# left), then started for good.
		rand 0 400
		sleep "0.$(printf %03d "$R")"
		kill_now
		daemon_launch
	fi
	daemon_answers 10
	check_ledger "after kill $kills ($kind)"
	[ -z "$(DB "SELECT 1 FROM inflight WHERE started_at <= $killed_at")" ] ||
		fail "after kill $kills: the item on air at the kill is still marked as on air"
	for key in "${!interrupted[@]}"; do
		IFS='|' read -r slot occ bid started <<<"$key"
		rows=$(DB "SELECT outcome || '|' || played_ms || '|' || coalesce(ended_at, 0) FROM ledger
			   WHERE slot = '$slot' AND occurrence_at = $occ AND bulletin_id = $bid")
		IFS='|' read -r outcome played ended <<<"$rows"
		[ "$outcome" == partial ] && [ "$(wc -l <<<"$rows")" -eq 1 ] ||
			fail "after kill $kills ($kind): the interrupted item $slot #$bid has rows '$rows', expected one partial"
		# It claims no more than the time it had, give or take what ALSA
		# knows of the device's delay (through the jack plugin: to a
		# 1024-frame period, 21 ms).
		cut=${interrupted[$key]}
		[ "$played" -le $((cut - started + 25)) ] && [ "$ended" -le "$cut" ] ||
			fail "after kill $kills: $slot #$bid's partial row says $played ms played, ended at $ended; it was cut $((cut - started)) ms after it started, at $cut"
	done
	target=$((target + 1))
done

# Every partial row is one of the interruptions seen, no more.
n_partial=$(DB "SELECT count(*) FROM ledger WHERE outcome = 'partial'")
assert_eq "$n_partial" "${#interrupted[@]}" "partial rows"
other=$(DB "SELECT group_concat(id || ':' || outcome || ':' || coalesce(reason, ''), '; ') FROM ledger
	    WHERE outcome NOT IN ('completed', 'partial')")
[ -z "$other" ] || fail "rows that are neither completed nor partial: $other"

# The last restart runs on until the slot after the last target has aired;
# then every item of every slot up to it has exactly one row.
last=$target
last_occ=$(slot_at $last)
for ((i = 0; i < 300; i++)); do
	[ "$(DB "SELECT count(*) FROM ledger WHERE occurrence_at = $last_occ")" -ge 2 ] && break
	sleep 0.1
done
stop_daemon
check_ledger "at the end"
for ((i = 0; i <= last; i++)); do
	for id in "$LONG_ID" "$SHORT_ID"; do
		n=$(DB "SELECT count(*) FROM ledger WHERE slot = '$(printf s%03d $i)' AND occurrence_at = $(slot_at $i) AND bulletin_id = $id")
		[ "$n" -eq 1 ] || fail "slot s$(printf %03d $i), bulletin #$id: $n rows, expected 1"
	done
done
summary=""
for kind in "${!kinds[@]}"; do summary="$summary $kind ${kinds[$kind]} (${kinds_on_air[$kind]:-0} cut an item),"; done
summary="$summary (a startup instant is two kills: in the slot, then while starting again)"
note "$kills kills by SIGKILL; instants:${summary%,}"
note "$((2 * (last + 1))) items over $((last + 1)) slots, each with exactly one row; ${#interrupted[@]} partial rows, one per item on air at a kill"
