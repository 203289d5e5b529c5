#!/usr/bin/env bash
# make bench-relay: relays (tiếp âm, issue #19), apart from make bench
# because they run in real time: N relay windows of a minute each, of a
# local Icecast-style MP3 stream (tests/e2e/streamserver.py, 127.0.0.1),
# on the paced device (JACK's dummy backend). Measured: the start error
# (the relay's first frame to ALSA, by bench/firstframe.so, and
# started_at − scheduled_at from the ledger) and the CPU per hour of
# relay (utime + stime of the daemon over each window) against decoding
# the same stream with FFmpeg alone (bench/stream_floor). Writes
# bench/results-relay.json and prints its table. No test reaches the
# internet.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?BUILD must name the build folder}
LOA=$BUILD/loa B=$BUILD/bench
W=$B/relay
ZONE=Asia/Ho_Chi_Minh
N=${BENCH_RELAYS:-5}
started=$(date +%s)

for t in jackd jack_lsp jq sqlite3 ffmpeg; do
	command -v $t >/dev/null || { echo "make bench-relay needs $t: run ./deps.sh bench (as root)" >&2; exit 1; }
done
rm -rf "$W" && mkdir -p "$W"
PIDS=()
. "$(dirname "$0")/stop.sh"
trap stop_pids EXIT
say() { printf '%s [%3ds] %s\n' "bench-relay" $(($(date +%s) - started)) "$*" >&2; }
declare -A R C
put() { R[$1]=$2; C[$1]=$3; }
pctl() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { if (!NR) { print "null"; exit }
	i = p / 100 * NR; k = int(i); if (k < i) k++; if (k < 1) k = 1; printf "%.3f\n", a[k] }'; }
hz=$(getconf CLK_TCK)
cpu_ms() { awk -v hz="$hz" '{ sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1000 / hz }' /proc/"$1"/stat; }

cat >"$W/asound.conf" <<ALSA
pcm.paced { type plug; slave.pcm "jack"; }
ALSA
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$W/asound.conf"
export JACK_DEFAULT_SERVER="loa-bench-relay-$$" JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1
jackd --no-realtime -d dummy -r 48000 -p 1024 >"$W/jackd.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do jack_lsp 2>/dev/null | grep -q '^system:playback_2$' && break; sleep 0.1; done

say "a stream: MP3 44.1 kHz stereo 128 kbit/s, served in real time on 127.0.0.1"
ffmpeg -hide_banner -loglevel error -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=60" \
	-af volume=0.5 -ac 2 -c:a libmp3lame -b:a 128k "$W/vov1.mp3"
/usr/bin/python3 "$here/../tests/e2e/streamserver.py" "$W/port" --mp3 vov1.mp3="$W/vov1.mp3" 2>"$W/server.log" &
PIDS+=($!)
for _ in $(seq 100); do [ -s "$W/port" ] && break; sleep 0.05; done
url="http://127.0.0.1:$(cat "$W/port")/vov1.mp3"

say "$N relay windows of a minute, 70 s apart, on the paced device (about $((N * 70 + 20)) s)"
mkdir -p "$W/station" && cd "$W/station"
cat >loa.conf <<CONF
station = { name = "Bench"; timezone = "$ZONE"; };
paths = { state_dir = "state"; };
audio = { device = "paced"; };
clock = { require_sync = false; };
CONF
export LOA_CONFIG=$W/station/loa.conf
"$LOA" source add vov1 --url "$url" --title "Thời sự VOV1" >/dev/null
base=$(($(date +%s) + 15))
for ((k = 0; k < N; k++)); do
	"$LOA" slot add "r$k" --start "$(TZ=$ZONE date -d "@$((base + 70 * k))" +%H:%M:%S)" --days daily \
		--max-minutes 1 --relay vov1 >/dev/null
done
BENCH_FIRSTFRAME_LOG="$W/firstframe.log" LD_PRELOAD="$B/firstframe.so" "$LOA" daemon 2>daemon.log &
PD=$!
PIDS+=("$PD")
: >"$W/cpu.txt"
for ((k = 0; k < N; k++)); do
	t0=$((base + 70 * k))
	while [ "$(date +%s)" -lt "$t0" ]; do sleep 0.2; done
	c0=$(cpu_ms $PD)
	while [ "$(date +%s)" -lt $((t0 + 60)) ]; do sleep 0.2; done
	echo $(($(cpu_ms $PD) - c0)) >>"$W/cpu.txt"
done
sleep 3
rows=$(sqlite3 state/loa.db "SELECT count(*) FROM ledger")
[ "$rows" -eq "$N" ] || { echo "only $rows of $N relay rows; see $W/station" >&2; exit 1; }
kill -TERM $PD && wait $PD || true

sqlite3 state/loa.db "SELECT started_at - scheduled_at FROM ledger ORDER BY id" >"$W/ledger-err.txt"
sqlite3 state/loa.db "SELECT scheduled_at FROM ledger ORDER BY id" >"$W/sched.txt"
awk 'NR == FNR { s[NR] = $1 * 1000; n = NR; next } { t[++m] = $3 }
     END { for (i = 1; i <= n; i++) { best = ""
		for (j = 1; j <= m; j++) if (t[j] >= s[i] - 1000000 && (best == "" || t[j] < best)) best = t[j]
		printf "%.3f\n", (best - s[i]) / 1000 } }' "$W/sched.txt" "$W/firstframe.log" >"$W/frame-err.txt"
for p in 50 100; do
	put relay_start_error_ms_p$p "$(pctl $p <"$W/frame-err.txt")" \
		"LD_PRELOAD=bench/firstframe.so loa daemon: first snd_pcm_writei of each relay − its instant ($N windows)"
	put relay_start_error_ms_ledger_p$p "$(pctl $p <"$W/ledger-err.txt")" \
		"sqlite3 loa.db 'SELECT started_at - scheduled_at FROM ledger'  ($N relay windows)"
done
outcomes=$(sqlite3 state/loa.db "SELECT group_concat(outcome, ',') FROM ledger")
put relay_outcomes "$outcomes" "the outcomes of the $N relay rows"
loa_cpu=$(pctl 50 <"$W/cpu.txt")
put relay_cpu_ms_per_hour "$(awk -v c="$loa_cpu" 'BEGIN { printf "%.0f\n", c * 60 }')" \
	"utime + stime of loa daemon (/proc/PID/stat) over each 60 s relay window, median of $N, × 60"

say "the floor: FFmpeg alone decoding the same stream for 60 s"
"$B/stream_floor" "$url" 60 >"$W/floor.txt"
read -r _ floor_cpu <"$W/floor.txt"
put relay_floor_cpu_ms_per_hour "$(awk -v c="$floor_cpu" 'BEGIN { printf "%.0f\n", c * 60 }')" \
	"bench/stream_floor URL 60: getrusage user + system, × 60"
put relay_cpu_ratio_vs_floor "$(awk -v a="$loa_cpu" -v b="$floor_cpu" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }')" \
	"loa's relay CPU ÷ the floor's, same stream, same 60 s"
put bench_relay_seconds "$(($(date +%s) - started))" "make bench-relay"

{
	for k in "${!R[@]}"; do printf '%s\t%s\t%s\n' "$k" "${R[$k]}" "${C[$k]}"; done
} | sort | jq -R -s --arg host "$(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
	--arg when "$(date -u +%FT%TZ)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
	--arg commit "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	'{ measured_at: $when, host: $host, load_average: $load, commit: $commit,
	   figures: (split("\n") | map(select(length > 0) | split("\t") | .[1] as $v |
	     { key: .[0], value: { value: ($v | tonumber? // $v), command: .[2] } }) | from_entries) }' \
	>"$here/results-relay.json"
jq -r '.figures | to_entries[] | "\(.key)\t\(.value.value)"' "$here/results-relay.json" | column -t -s $'\t'
