# Amplifier power: audio.power_on runs warmup_ms before the slot's first
# frame (which still airs on the second), audio.power_off after the last
# item; both run without a shell. A power command that cannot run or fails
# is logged, and the bulletins air anyway.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 1 --rate 22050 --channels 1 tone "$T/b.mp3"
# The relay: notes which way it was switched and when (ms).
cat >"$T/relay" <<SH
#!/bin/sh
echo "\$1 \$(date +%s%3N)" >>"$T/power.log"
SH
chmod +x "$T/relay"

write_config_audio "00:00:00" "warmup_ms = 2500; gap_ms = 200;
  power_on = [\"$T/relay\", \"on\"]; power_off = [\"$T/relay\", \"off\"];"
expect_exit 0 import --slot sang "$T/a.wav"
expect_exit 0 import --slot sang "$T/b.mp3"
slot_in 5
start=$START
start_daemon
wait_rows 2 20
# power_off follows the last item's row.
for ((i = 0; i < 50; i++)); do
	grep -q '^off ' "$T/power.log" 2>/dev/null && break
	sleep 0.1
done
stop_daemon

expect_exit 0 log --json
assert_eq "$(jq -r '[.[].outcome] | join(",")' <<<"$OUT")" completed,completed outcomes
started=$(jq -r '.[0].started_at' <<<"$OUT")
[[ "$started" == *"T${start}."* ]] || fail "the first item started at $started, not within the second $start"
ended=$(ms_of "$(jq -r '.[1].ended_at' <<<"$OUT")")
started=$(ms_of "$started")
assert_eq "$(cut -d' ' -f1 "$T/power.log" | paste -sd,)" on,off "relay switched"
on=$(sed -n 's/^on //p' "$T/power.log")
off=$(sed -n 's/^off //p' "$T/power.log")
# On at least the warm-up before the first frame (less the relay's own
# start-up: a shell and date(1), 100 ms here, longer on a slow machine),
# and not absurdly early.
lead=$((started - on)) slack=$((E2E_LEAD > 0 ? 600 : 100))
[ "$lead" -ge $((2500 - slack)) ] && [ "$lead" -le 4000 ] || fail "power_on ran $lead ms before the first frame; warmup_ms is 2500"
[ "$off" -ge "$ended" ] || fail "power_off ran at $off, before the last item ended at $ended"
grep -q "audio.power_on" "$T/daemon.log" || fail "the journal does not mention power_on: $(cat "$T/daemon.log")"

# A power_on that cannot run (the config checks the program exists, so it
# goes after the daemon has started), a power_off that fails: logged, and
# the bulletin airs all the same.
rm -rf "$T/state" "$T/capture.wav"
cp "$T/relay" "$T/no-such-relay"
write_config_audio "00:00:00" "warmup_ms = 1000;
  power_on = [\"$T/no-such-relay\", \"on\"]; power_off = [\"/bin/false\"];"
expect_exit 0 import --slot sang "$T/a.wav"
slot_in 4
start=$START
start_daemon
for ((i = 0; i < 50; i++)); do
	grep -q "daemon started" "$T/daemon.log" && break
	sleep 0.1
done
rm "$T/no-such-relay"
# The running daemon keeps its config; the commands below need one that
# passes the check, on the same state folder.
write_config_audio "$start" ""
wait_rows 1 15
for ((i = 0; i < 50; i++)); do
	grep -q "audio.power_off.*exit status 1" "$T/daemon.log" && break
	sleep 0.1
done
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '.[0].outcome' <<<"$OUT")" completed "outcome with a broken power_on"
grep -q "audio.power_on: cannot run '$T/no-such-relay'" "$T/daemon.log" ||
	fail "the missing power_on command is not logged: $(cat "$T/daemon.log")"
grep -q "audio.power_off: '/bin/false' failed (exit status 1)" "$T/daemon.log" ||
	fail "the failing power_off is not logged: $(cat "$T/daemon.log")"
