# `loa next` over a year lists exactly what a careful reader of the config
# expects. The expectation is worked out here, in the shell, from the
# rules the operator reads (weekdays, from/until, skip dates, topics,
# validity windows, priority then import order, max_minutes first fit with
# the intro and the 1 s gaps counted), not by asking the planner.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 3 --rate 8000 --channels 1 tone "$T/intro.wav"
cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "capture"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "05:30"; days = ["mon","tue","wed","thu","fri"]; max_minutes = 2;
    intro = "intro.wav"; skip_dates = ["2027-04-30", "2027-05-03", "2027-09-02"]; },
  { name = "trua"; start = "11:15"; days = ["sat","sun"]; from = "2027-03-01"; until = "2027-10-31";
    topics = ["1", "3"]; },
  { name = "chieu"; start = "17:00"; days = ["mon","tue","wed","thu","fri","sat","sun"]; max_minutes = 1;
    skip_dates = ["2027-02-06", "2027-02-07", "2027-02-08", "2027-02-09", "2027-02-10"]; }
);
CONF
expect_exit 0 check

# The library: id, seconds, priority, topic, from, until, slots.
# Ids follow import order; "-" is an open end.
LIB="1 40 normal 1 - - sang,chieu
2 30 priority 3 2027-01-10 2027-03-31 sang
3 20 emergency 2 2027-05-15 2027-05-31 chieu
4 50 normal 3 2027-02-01 2027-06-30 sang,trua
5 25 normal 1 2027-04-01 - chieu
6 35 priority 6 - - trua
7 15 normal 1 2027-06-01 2027-08-31 trua,chieu
8 45 priority 4 2027-09-01 - sang
9 10 emergency 2 - - -
10 20 normal 3 - 2027-03-15 trua"
while read -r id sec prio topic from until slots; do
	# Each its own tone: the library refuses the same audio twice.
	"$MKAUDIO" --seconds "$sec" --rate 8000 --channels 1 --freq $((300 + 20 * id)) tone "$T/b$id.wav"
	args=(--title "Bản tin $id" --topic "$topic" --priority "$prio")
	[ "$from" != - ] && args+=(--from "$from")
	[ "$until" != - ] && args+=(--until "$until")
	if [ "$slots" != - ]; then
		for s in ${slots//,/ }; do args+=(--slot "$s"); done
	fi
	expect_exit 0 import "${args[@]}" "$T/b$id.wav"
	assert_eq "$OUT" "$id" "id of bulletin $id"
done <<<"$LIB"
expect_exit 0 retire 10

# ---- the expectation, by hand ----
day_of() { echo $(($(date -u -d "$1" +%s) / 86400)); }
iso() { # local day, ms after local midnight
	local TZ=UTC0 s=$(($1 * 86400 + $2 / 1000))
	printf '%(%Y-%m-%dT%H:%M:%S)T.%03d+07:00' "$s" $(($2 % 1000))
}
first=$(day_of 2027-01-01)
last=$(day_of 2027-12-31)
# Slots: name start_ms weekdays(Mon=0) from until max_ms intro_ms topics skip_days
declare -A S_START S_DAYS S_FROM S_UNTIL S_MAX S_INTRO S_TOPICS S_SKIP
S_START[sang]=$(((5 * 60 + 30) * 60000)); S_DAYS[sang]="0 1 2 3 4"; S_FROM[sang]=$first; S_UNTIL[sang]=$last
S_MAX[sang]=120000; S_INTRO[sang]=3000; S_TOPICS[sang]=""
S_SKIP[sang]=" $(day_of 2027-04-30) $(day_of 2027-05-03) $(day_of 2027-09-02) "
S_START[trua]=$(((11 * 60 + 15) * 60000)); S_DAYS[trua]="5 6"; S_FROM[trua]=$(day_of 2027-03-01)
S_UNTIL[trua]=$(day_of 2027-10-31); S_MAX[trua]=0; S_INTRO[trua]=0; S_TOPICS[trua]=" 1 3 "; S_SKIP[trua]=" "
S_START[chieu]=$((17 * 3600000)); S_DAYS[chieu]="0 1 2 3 4 5 6"; S_FROM[chieu]=$first; S_UNTIL[chieu]=$last
S_MAX[chieu]=60000; S_INTRO[chieu]=0; S_TOPICS[chieu]=""
S_SKIP[chieu]=" $(for d in 06 07 08 09 10; do day_of 2027-02-$d; done | tr '\n' ' ') "
# Bulletins in air order: emergency, priority, normal, then id; retired 10 left out.
declare -A B_MS B_PRIO B_TOPIC B_FROM B_UNTIL B_SLOTS
order=""
for p in emergency priority normal; do
	while read -r id sec prio topic from until slots; do
		[ "$prio" == "$p" ] && [ "$id" != 10 ] || continue
		order="$order $id"
		B_MS[$id]=$((sec * 1000)); B_PRIO[$id]=$prio; B_TOPIC[$id]=$topic; B_SLOTS[$id]=",$slots,"
		B_FROM[$id]=$([ "$from" == - ] && echo -999999 || day_of "$from")
		B_UNTIL[$id]=$([ "$until" == - ] && echo 999999 || day_of "$until")
	done <<<"$LIB"
done
gap=1000
: >"$T/expected"
for ((d = first; d <= last; d++)); do
	wd=$(((d + 3) % 7))
	# Slots in start order, as the listing is in time order.
	for s in sang trua chieu; do
		[[ " ${S_DAYS[$s]} " == *" $wd "* ]] || continue
		((d >= S_FROM[$s] && d <= S_UNTIL[$s])) || continue
		[[ "${S_SKIP[$s]}" == *" $d "* ]] && continue
		occ=$(iso "$d" "${S_START[$s]}")
		used=${S_INTRO[$s]}; n=0; [ "${S_INTRO[$s]}" -gt 0 ] && n=1
		pos=$((S_START[$s] + S_INTRO[$s] + (n ? gap : 0)))
		for id in $order; do
			[[ "${B_SLOTS[$id]}" == *",$s,"* ]] || continue
			[ -z "${S_TOPICS[$s]}" ] || [[ "${S_TOPICS[$s]}" == *" ${B_TOPIC[$id]} "* ]] || continue
			((d >= B_FROM[$id] && d <= B_UNTIL[$id])) || continue
			need=$((B_MS[$id] + (n ? gap : 0)))
			if [ "${S_MAX[$s]}" -eq 0 ] || ((used + need <= S_MAX[$s])); then
				printf '%s\t%s\t%s\t%s\t%s\t%s\tfalse\n' "$occ" "$(iso "$d" "$pos")" "$s" "$id" \
					"${B_PRIO[$id]}" "${B_MS[$id]}" >>"$T/expected"
				used=$((used + need)); n=$((n + 1)); pos=$((pos + B_MS[$id] + gap))
			else
				printf '%s\t%s\t%s\t%s\t%s\t%s\ttrue\n' "$occ" "$(iso "$d" "$pos")" "$s" "$id" \
					"${B_PRIO[$id]}" "${B_MS[$id]}" >>"$T/expected"
			fi
		done
	done
done

# ---- what loa says ----
expect_exit 0 next --from 2027-01-01 --to 2027-12-31 --all --json
jq -r '.[] | [.occurrence_at, .at, .slot, .bulletin_id, .priority, .expected_ms, (.skipped // false)] | @tsv' \
	<<<"$OUT" >"$T/got"
diff -u "$T/expected" "$T/got" >"$T/diff" || fail "loa next differs from the hand-made schedule:
$(head -40 "$T/diff")"
# Every object names its bulletin's title; a skipped one says why.
[ "$(jq '[.[] | select(.title != "Bản tin \(.bulletin_id)")] | length' <<<"$OUT")" == 0 ] ||
	fail "titles do not match the bulletins"
[ "$(jq '[.[] | select(.skipped == true and (.reason | test("does not fit") | not))] | length' <<<"$OUT")" == 0 ] ||
	fail "a skipped item does not say it did not fit: $(jq -c '[.[] | select(.skipped)][0]' <<<"$OUT")"
all=$(wc -l <"$T/expected")
skipped=$(grep -c 'true$' "$T/expected")
# The schedule is not trivial: cuts in both limited slots, every slot airs.
[ "$skipped" -ge 100 ] && [ "$all" -ge 900 ] || fail "expected a year with cuts: $all items, $skipped skipped"
for s in sang trua chieu; do grep -q "	$s	" "$T/expected" || fail "slot $s never airs in the expectation"; done
echo "$all items in 2027, $skipped skipped"

# Without --all, exactly the items that air.
expect_exit 0 next --from 2027-01-01 --to 2027-12-31 --json
assert_eq "$(jq length <<<"$OUT")" $((all - skipped)) "items without --all"
[ "$(jq '[.[] | select(has("skipped"))] | length' <<<"$OUT")" == 0 ] || fail "skipped items listed without --all"
