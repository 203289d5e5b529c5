# An emergency from the province (MucDoUuTien 1), published while a local
# bulletin is on air on the paced device, with its instant the moment it
# is published: the link finds it at its next poll (the default 30 s),
# fetches and imports its audio, and the daemon preempts the local item
# for it at once. The time from publishing to its first frame must be at
# most the poll interval + 3 s; the test prints it.
. "$(dirname "$0")/lib.sh"
jack_start

mkdir -p "$T/province/media"
"$MKAUDIO" --seconds 50 --rate 48000 --channels 1 tone "$T/local.wav"
"$MKAUDIO" --seconds 3 --rate 48000 --channels 1 --freq 880 tone "$T/province/media/khan.wav"
write_config "$(local_hms_in 4)" paced "max_minutes = 10;"
province_start
upstream_config
expect_exit 0 import --title "Bản tin xã" --slot sang "$T/local.wav"
item=$OUT
start_daemon
link_start
wait_on_air "$item" 15
sleep 1
province_emergency "Cảnh báo lũ" khan.wav 3
published=$PUBLISHED
wait_rows 2 45
expect_exit 0 log --json
log=$OUT
assert_eq "$(jq -r '[.[0:2][] | "\(.origin):\(.province_bulletin):\(.outcome)"] | join(",")' <<<"$log")" \
	"local:null:preempted,province:BT-K:completed" "rows"
[[ "$(jq -r '.[0].reason' <<<"$log")" == *"emergency from the province"* ]] || fail "the preempted row's reason: $(jq -r '.[0].reason' <<<"$log")"
started=$(ms_of "$(jq -r '.[1].started_at' <<<"$log")")
lag=$((started - published))
poll=$(jq -s --argjson s "$started" '[.[] | select(.at * 1000 <= $s) | .at] | max * 1000 | floor' "$T/province/polls.jsonl")
echo "  emergency: published -> first frame $lag ms (poll 30 s; target <= 33000 ms); the poll that found it -> first frame $((started - poll)) ms"
[ "$lag" -le 33000 ] || fail "the emergency aired $lag ms after it was published"
link_stop
stop_daemon
