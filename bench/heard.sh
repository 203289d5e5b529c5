#!/usr/bin/env bash
# heard.sh PERIOD: when listeners hear the first sample of each item (#20).
# A private JACK server (dummy backend, 48 kHz, PERIOD frames a cycle)
# with bench/ear in the speakers' place: the ALSA device "heard" is the
# jack plugin with its ports wired to the ear's. A station airs
# $BENCH_ITEMS (50) slots of one 1 s WAV item, 3 s apart; the ear
# timestamps the first sample of each as it enters the server's cycle,
# and heard_error_ms is that instant − the slot's scheduled instant, in
# size (p50, p95, p99, max) and signed (the earliest and the latest).
# (WAV, so that no decoder's priming samples stand between the instant
# and the first sample; the tone rises from its first sample.)
# Prints KEY, VALUE and COMMAND a line, as bench/upstream.sh.
# Needs BUILD and W (a scratch folder); LOA may name another loa binary.
set -euo pipefail

PERIOD=$1
BUILD=${BUILD:?} W=${W:?}
LOA=${LOA:-$BUILD/loa}
ITEMS=${BENCH_ITEMS:-50}
ZONE=Asia/Ho_Chi_Minh
D=$W/heard-$PERIOD
rm -rf "$D" && mkdir -p "$D/state"

cat >"$D/asound.conf" <<ALSA
pcm.heard { type plug; slave.pcm { type jack; playback_ports { 0 "ear:in_1"; 1 "ear:in_2"; } } }
ALSA
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$D/asound.conf"
export JACK_DEFAULT_SERVER="loa-heard-$PERIOD-$$" JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1

PIDS=()
. "$(dirname "$0")/stop.sh"
trap stop_pids EXIT
# Up to 30 s each for the server and the ear: on a loaded machine they are slow to come up.
jackd --no-realtime -d dummy -r 48000 -p "$PERIOD" >"$D/jackd.log" 2>&1 &
JACKD=$!
PIDS+=("$JACKD")
for _ in $(seq 300); do
	jack_lsp 2>/dev/null | grep -q '^system:playback_2$' && break
	sleep 0.1
done
"$BUILD/bench/ear" "$D/ear.log" 2>"$D/ear.err" &
EAR=$!
PIDS+=("$EAR")
for _ in $(seq 300); do
	jack_lsp 2>/dev/null | grep -q '^ear:in_2$' && break
	sleep 0.1
done
jack_lsp 2>/dev/null | grep -q '^ear:in_2$' || { echo "the ear did not start: $(cat "$D/ear.err")" >&2; exit 1; }

"$BUILD/mkaudio" --seconds 1 --rate 48000 --channels 2 tone "$D/item1s.wav"
base=$(($(date +%s) + 12))
{
	echo "station = { name = \"Bench\"; timezone = \"$ZONE\"; };"
	echo "paths = { state_dir = \"state\"; };"
	echo "audio = { device = \"heard\"; };"
	echo "clock = { require_sync = false; };"
	echo "slots = ("
	for ((k = 0; k < ITEMS; k++)); do
		echo "  { name = \"$(printf 'h%02d' $k)\"; start = \"$(TZ=$ZONE date -d "@$((base + 3 * k))" +%H:%M:%S)\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; },"
	done | sed '$ s/,$//'
	echo ");"
} >"$D/loa.conf"
cd "$D"
args=()
for ((k = 0; k < ITEMS; k++)); do args+=(--slot "$(printf 'h%02d' $k)"); done
LOA_CONFIG=loa.conf "$LOA" import --title "Một giây" "${args[@]}" item1s.wav >/dev/null
LOA_CONFIG=loa.conf "$LOA" daemon 2>daemon.log &
PD=$!
PIDS+=("$PD")
rows() { sqlite3 state/loa.db "SELECT count(*) FROM ledger" 2>/dev/null || echo 0; }
deadline=$((base + 3 * ITEMS + 30))
while [ "$(rows)" -lt "$ITEMS" ] && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.5; done
kill -TERM "$PD" && wait "$PD" || true
kill -TERM "$EAR" && wait "$EAR" || true
kill -TERM "$JACKD" && wait "$JACKD" 2>/dev/null || true

sqlite3 state/loa.db "SELECT scheduled_at FROM ledger WHERE outcome = 'completed' ORDER BY id" >sched.txt
[ "$(wc -l <sched.txt)" -eq "$ITEMS" ] || { echo "only $(wc -l <sched.txt) of $ITEMS items completed; see $D" >&2; exit 1; }
# Each instant with the first onset the ear heard from 1 s before it.
awk 'NR == FNR { s[NR] = $1 * 1000; n = NR; next }
     { t[++m] = $1 }
     END { for (i = 1; i <= n; i++) { best = ""
		for (j = 1; j <= m; j++) if (t[j] >= s[i] - 1000000 && (best == "" || t[j] < best)) best = t[j]
		if (best == "") { print "no onset heard for the item due at " s[i] > "/dev/stderr"; exit 1 }
		printf "%.3f\n", (best - s[i]) / 1000 } }' sched.txt ear.log >heard-err.txt
pctl() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { if (!NR) { print "null"; exit }
	i = p / 100 * NR; k = int(i); if (k < i) k++; if (k < 1) k = 1; printf "%.3f\n", a[k] }'; }
# Early is as wrong as late: the percentiles are of the error's size; the
# signed extremes go beside them.
for p in 50 95 99 100; do
	printf 'heard_error_ms_p%s_%s\t%s\t%s\n' "$p" "$PERIOD" "$(tr -d - <heard-err.txt | pctl $p)" \
		"bench/heard.sh $PERIOD: |bench/ear's first sample of each item in the JACK cycle (jack_frames_to_time, as CLOCK_REALTIME) − its scheduled instant| ($ITEMS items, period $PERIOD frames at 48 kHz)"
done
printf 'heard_error_ms_min_%s\t%s\t%s\n' "$PERIOD" "$(sort -g heard-err.txt | head -1)" \
	"bench/heard.sh $PERIOD: the earliest (signed: negative is before the instant)"
printf 'heard_error_ms_max_%s\t%s\t%s\n' "$PERIOD" "$(sort -g heard-err.txt | tail -1)" \
	"bench/heard.sh $PERIOD: the latest (signed)"
