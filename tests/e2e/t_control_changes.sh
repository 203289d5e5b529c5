# Library changes reach the running daemon without a restart: a bulletin
# imported and another edited seconds before the slot air in it (the edit's
# title in the row), and one retired while it waits behind the item on air
# does not air (a skipped row says why). Each command returns only once the
# daemon has taken the change in.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 3 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/b.wav"
"$MKAUDIO" --seconds 2 --rate 44100 --channels 1 tone "$T/c.wav"
"$MKAUDIO" --seconds 1 --rate 44100 --channels 1 tone "$T/d.wav"
write_config "$(local_hms_in 8)" paced
jack_start
expect_exit 0 import --title "A" --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "D" "$T/d.wav"
d=$OUT
start_daemon
for ((i = 0; i < 50; i++)); do
	"$LOA" status --json >/dev/null 2>&1 && break
	sleep 0.1
done
# Well before the slot's pre-roll (2 s ahead of it).
expect_exit 0 import --title "B" --slot sang "$T/b.wav"
b=$OUT
expect_exit 0 import --title "C" --slot sang "$T/c.wav"
c=$OUT
expect_exit 0 edit "$d" --slot sang --title "D mới"
wait_on_air "$a" 15
expect_exit 0 retire "$c"
wait_rows 4 20
stop_daemon

expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.bulletin_id):\(.outcome)"] | sort | join(",")' <<<"$OUT")" \
	"$(printf '%s\n' "$a:completed" "$b:completed" "$c:skipped" "$d:completed" | sort | paste -sd,)" "rows"
assert_eq "$(jq -r ".[] | select(.bulletin_id == $d) | .title" <<<"$OUT")" "D mới" "the edited title"
[[ "$(jq -r ".[] | select(.bulletin_id == $c) | .reason" <<<"$OUT")" == *retired* ]] ||
	fail "the retired item's row does not say it was retired"
# C never went on air.
! grep -q "on air: #$c " "$T/daemon.log" || fail "C went on air after it was retired: $(cat "$T/daemon.log")"
grep -q "on air: #$d " "$T/daemon.log" || fail "the daemon log does not show D on air: $(cat "$T/daemon.log")"
