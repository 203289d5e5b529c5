#!/usr/bin/env bash
# make bench: measures loa beside what a station would use instead (issue
# #8), prints the table and writes bench/results.md and bench/results.json.
# Scratch (databases, logs, callgrind files) goes to $BUILD/bench/run.
# Every figure is measured here; a comparison that is not installed says so.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?BUILD must name the build folder}
LOA=$BUILD/loa MKAUDIO=$BUILD/mkaudio B=$BUILD/bench
W=$B/run
ZONE=Asia/Ho_Chi_Minh
PUNCT_ITEMS=${BENCH_ITEMS:-50}      # scheduled items on the paced device
IDLE_S=${BENCH_IDLE_S:-60}           # the idle window
CPU_S=${BENCH_CPU_S:-60}                # seconds of audio per CPU run
BIG_ROWS=${BENCH_ROWS:-1000000}      # ledger rows for start-up and report
IMPORT_S=${BENCH_IMPORT_S:-3600}     # seconds of the long recording imported
started=$(date +%s)

for t in jackd jack_lsp pkg-config aplay valgrind sqlite3 jq curl openssl /usr/bin/python3; do
	command -v $t >/dev/null || { echo "make bench needs $t: run ./deps.sh bench (as root)" >&2; exit 1; }
done
[ -e /usr/share/alsa/alsa.conf.d/50-jack.conf ] ||
	{ echo "make bench needs libasound2-plugins: run ./deps.sh bench (as root)" >&2; exit 1; }
LIQ=$(command -v liquidsoap || true)

rm -rf "$W" && mkdir -p "$W"
PIDS=()
. "$(dirname "$0")/stop.sh"
trap stop_pids EXIT
say() { printf '%s [%3ds] %s\n' "bench" $(($(date +%s) - started)) "$*" >&2; }

# Results: R[key]=value, C[key]=the command that produced it.
declare -A R C
put() { R[$1]=$2; C[$1]=$3; }

# pctl P: the P-th percentile (nearest rank) of the numbers on stdin.
pctl() { sort -g | awk -v p="$1" '{ a[NR] = $1 } END { if (!NR) { print "null"; exit }
	i = p / 100 * NR; k = int(i); if (k < i) k++; if (k < 1) k = 1; printf "%.3f\n", a[k] }'; }
median() { pctl 50; }

# Private ALSA devices and a private JACK server (as tests/e2e/lib.sh):
# "paced" is the ALSA jack plugin, so a 1 s file takes 1 s. There is no
# capture file here, so the only files loa writes are its own state.
cat >"$W/asound.conf" <<ALSA
pcm.paced { type plug; slave.pcm "jack"; }
ALSA
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$W/asound.conf"
export JACK_DEFAULT_SERVER="loa-bench-$$" JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1

jack_start() {
	jackd --no-realtime -d dummy -r 48000 -p 1024 >"$W/jackd.log" 2>&1 &
	JACKD=$!
	PIDS+=("$JACKD")
	for _ in $(seq 100); do
		jack_lsp 2>/dev/null | grep -q '^system:playback_2$' && return 0
		sleep 0.1
	done
	echo "jackd did not start: $(cat "$W/jackd.log")" >&2
	exit 1
}

# station DIR SLOTS...: a config in DIR (state in DIR/state) with slots
# given as NAME=HH:MM:SS, every day, on DEVICE (default null).
station() {
	local dir=$1 dev=$2 s
	shift 2
	mkdir -p "$dir"
	{
		echo "station = { name = \"Bench\"; timezone = \"$ZONE\"; };"
		echo "paths = { state_dir = \"state\"; };"
		echo "audio = { device = \"$dev\"; };"
		echo "clock = { require_sync = false; };"
		echo "slots = ("
		for s in "$@"; do
			echo "  { name = \"${s%%=*}\"; start = \"${s#*=}\"; days = [\"mon\",\"tue\",\"wed\",\"thu\",\"fri\",\"sat\",\"sun\"]; },"
		done | sed '$ s/,$//'
		echo ");"
	} >"$dir/loa.conf"
}
hms_at() { TZ=$ZONE date -d "@$1" +%H:%M:%S; }
rows() { sqlite3 "$1/state/loa.db" "SELECT count(*) FROM ledger" 2>/dev/null || echo 0; }
wait_rows() { # DIR N SECONDS
	local i
	for ((i = 0; i < $3 * 5; i++)); do
		[ "$(rows "$1")" -ge "$2" ] && return 0
		sleep 0.2
	done
	echo "the ledger in $1 did not reach $2 rows in $3 s; see $1/daemon.log" >&2
	exit 1
}
# ctx PID: voluntary + involuntary context switches over all its threads.
ctx() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
rss_kib() { awk '/^VmRSS/ { print $2 }' /proc/"$1"/status; }

# ---- fixtures ----
say "audio and databases: 10,000 bulletins and 1,000,000 ledger rows; 1,000 and a year"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 2 tone "$W/item1s.mp3"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 2 tone "$W/item1s.wav"
"$MKAUDIO" --seconds 20 --rate 48000 --channels 2 tone "$W/item20s.mp3"
"$MKAUDIO" --seconds $CPU_S --rate 48000 --channels 2 tone "$W/cpu-48k-stereo.mp3"
"$MKAUDIO" --seconds $CPU_S --rate 22050 --channels 1 tone "$W/cpu-22k-mono.mp3"
# Speech's crest factor, which the tone lacks: lifted to the target, its
# peaks need the limiter and the make-up search.
"$MKAUDIO" --seconds $CPU_S --rate 22050 --channels 1 speech "$W/cpu-speech-22k-mono.mp3"
# The big and the idle station air at 05:30 and 17:00; their ledgers end
# with the last of those already past.
station "$W/big" null s0=05:30:00 s1=17:00:00
station "$W/idle" null s0=05:30:00 s1=17:00:00
"$B/gen" --state "$W/big/state" --audio "$W/item20s.mp3" --bulletins 10000 --rows "$BIG_ROWS" --days 365 \
	--slot s0=05:30 --slot s1=17:00 &
g1=$!
# A year at a busy station: two slots a day of a dozen items.
"$B/gen" --state "$W/idle/state" --audio "$W/item20s.mp3" --bulletins 1000 --rows 8760 --days 365 \
	--slot s0=05:30 --slot s1=17:00
wait $g1

# ---- startup_ms ----
# The first start reconciles what the generator could not know the
# planner would plan for the last occurrence (missed rows, as on a real
# station after a restart); the figure is the median of the starts after.
say "startup: exec to READY=1 over 10,000 bulletins and 1,000,000 rows"
cd "$W/big"
LOA_CONFIG=loa.conf "$B/ready" "$W/notify.sock" "$LOA" daemon 2>>daemon.log >"$W/startup-first.txt"
for _ in 1 2 3 4 5; do
	LOA_CONFIG=loa.conf "$B/ready" "$W/notify.sock" "$LOA" daemon 2>>daemon.log
done >"$W/startup.txt"
put startup_ms "$(median <"$W/startup.txt")" \
	"bench/ready SOCK loa daemon  (median of 5, after a first start: $(cat "$W/startup-first.txt") ms)"
# The check of every page (PRAGMA quick_check) runs after READY=1 in a
# thread of its own while the daemon airs; the ledger's writes wait for
# it. Each start logs how long it took (ready stops the daemon at once,
# and the daemon waits for the check before it exits).
grep -o 'every page checked in [0-9]* ms' daemon.log | tail -n 5 | awk '{ print $5 }' >"$W/pagecheck.txt"
put page_check_ms "$(median <"$W/pagecheck.txt")" \
	"the daemon's log line 'every page checked in N ms' after each of the same 5 starts  (median)"
put ledger_rows_big "$(rows "$W/big")" "sqlite3 loa.db 'SELECT count(*) FROM ledger'"

# ---- report_1m_rows_ms ----
say "report: a year by topic over the big ledger, loa and bare sqlite3"
from=$(TZ=$ZONE date -d "-365 days" +%F) to=$(TZ=$ZONE date +%F)
from_ms=$(($(TZ=$ZONE date -d "$from 00:00" +%s) * 1000))
to_ms=$(($(TZ=$ZONE date -d "$to 00:00 +1 day" +%s) * 1000))
time_ms() { local t0=$EPOCHREALTIME; "$@" >/dev/null; echo "$EPOCHREALTIME $t0" | awk '{ printf "%.1f\n", ($1 - $2) * 1000 }'; }
for _ in 1 2 3; do time_ms env LOA_CONFIG=loa.conf "$LOA" report --from "$from" --to "$to" --by topic; done >"$W/report.txt"
put report_1m_rows_ms "$(median <"$W/report.txt")" "loa report --from $from --to $to --by topic  (median of 3)"
SQL="SELECT topic, count(*), sum(outcome = 'completed'), sum(outcome = 'partial'), sum(outcome = 'preempted'),
 sum(outcome = 'cancelled'), sum(outcome = 'missed'), sum(outcome = 'skipped'), sum(outcome = 'failed'),
 sum(played_ms) FROM ledger WHERE scheduled_at >= $from_ms AND scheduled_at < $to_ms GROUP BY topic"
for _ in 1 2 3; do time_ms sqlite3 state/loa.db "$SQL"; done >"$W/report-sql.txt"
put report_1m_rows_sqlite3_ms "$(median <"$W/report-sql.txt")" "sqlite3 loa.db \"SELECT topic, count(*), sum(outcome = '...'), sum(played_ms) ... GROUP BY topic\"  (median of 3)"

# The report checks the whole hash chain in the walk that counts the rows
# (cli/cmd_report.c), so `loa verify` over the same ledger is the part of it
# that is hashing.
for _ in 1 2 3; do time_ms env LOA_CONFIG=loa.conf "$LOA" verify; done >"$W/verify.txt"
put verify_1m_rows_ms "$(median <"$W/verify.txt")" "loa verify  (median of 3)"
# What any walk over these rows costs at the least (bench/walk_floor.c):
# SQLite reading every column once, and nettle over each row's encoding.
"$B/walk_floor" state/loa.db >"$W/walk-floor.txt"
put walk_floor_read_ms "$(awk '$1 == "read" { print $2 }' "$W/walk-floor.txt")" \
	"bench/walk_floor loa.db: SQLite stepping the ledger in id order, every column read once"
put walk_floor_sha256_ms "$(awk '$1 == "sha256" { print $2 }' "$W/walk-floor.txt")" \
	"bench/walk_floor loa.db: nettle SHA-256 over as many bytes a row as its encoding has"

# ---- punctuality on the paced device, with the idle daemon alongside ----
say "punctuality: $PUNCT_ITEMS scheduled items on the paced device (about $((PUNCT_ITEMS * 3 + 40)) s); idle daemon measured meanwhile"
jack_start
base=$(($(date +%s) + 12))
slots=() sched=()
for ((k = 0; k < PUNCT_ITEMS; k++)); do
	slots+=("$(printf 'p%02d' $k)=$(hms_at $((base + 3 * k)))")
	sched+=($((base + 3 * k)))
done
long_at=$((base + 3 * PUNCT_ITEMS + 2))
station "$W/punct" paced "${slots[@]}" "long=$(hms_at $long_at)"
cd "$W/punct"
args=()
for s in "${slots[@]}"; do args+=(--slot "${s%%=*}"); done
LOA_CONFIG=loa.conf "$LOA" import --title "Một giây" "${args[@]}" "$W/item1s.mp3" >/dev/null
LOA_CONFIG=loa.conf "$LOA" import --title "Hai mươi giây" --slot long "$W/item20s.mp3" >/dev/null
LOA_CONFIG=loa.conf BENCH_FIRSTFRAME_LOG="$W/firstframe.log" LD_PRELOAD="$B/firstframe.so" \
	"$LOA" daemon 2> >(cat >daemon.log) &
PD=$!
PIDS+=("$PD")

# The idle daemon: 1,000 bulletins, a year of ledger, next slot hours away.
cd "$W/idle"
LOA_CONFIG=loa.conf "$LOA" daemon 2> >(cat >daemon.log) &
ID=$!
PIDS+=("$ID")
sleep 5
io_start=$(awk '/^write_bytes/ { print $2 }' /proc/$PD/io)
c0=$(ctx $ID)
sleep "$IDLE_S"
c1=$(ctx $ID)
put idle_rss_kib "$(rss_kib $ID)" "VmRSS in /proc/PID/status of loa daemon, 1,000 bulletins, $(rows "$W/idle") ledger rows"
put idle_wakeups_per_min "$(awk -v d=$((c1 - c0)) -v s="$IDLE_S" 'BEGIN { printf "%.1f\n", d * 60 / s }')" \
	"context switches (voluntary + involuntary, /proc/PID/task/*/status) over ${IDLE_S} s, per minute"
put idle_rss_anon_kib "$(awk '/^RssAnon/ { print $2 }' /proc/$ID/status)" \
	"RssAnon in /proc/PID/status: heap, stack, and the libraries' data pages written by relocation at load; the rest of VmRSS is library and locale files"
# VmRSS counts a page of libc once in every process that maps it; Pss
# divides it among them, and Private counts only the pages no other
# process maps. Both move with what else runs: here the punctuality
# daemon maps the same libraries and binary.
put idle_pss_kib "$(awk '/^Pss:/ { print $2 }' /proc/$ID/smaps_rollup)" \
	"Pss in /proc/PID/smaps_rollup of the idle daemon (shared pages divided among the processes mapping them, the punctuality daemon among them)"
put idle_private_kib "$(awk '/^Private_(Clean|Dirty):/ { n += $2 } END { print n }' /proc/$ID/smaps_rollup)" \
	"Private_Clean + Private_Dirty in /proc/PID/smaps_rollup of the idle daemon: pages no other process maps"
kill -TERM $ID && wait $ID || true

cd "$W/punct"
wait_rows . "$PUNCT_ITEMS" $((base + 3 * PUNCT_ITEMS - $(date +%s) + 30))
io0=$(awk '/^write_bytes/ { print $2 }' /proc/$PD/io)
wait_rows . $((PUNCT_ITEMS + 1)) $((long_at - $(date +%s) + 40))
io1=$(awk '/^write_bytes/ { print $2 }' /proc/$PD/io)
kill -TERM $PD && wait $PD || true
kill -TERM "$JACKD" && wait "$JACKD" 2>/dev/null || true

# From the ledger: started_at − scheduled_at, over the slots' items.
sqlite3 state/loa.db "SELECT started_at - scheduled_at FROM ledger WHERE slot != 'long' AND outcome = 'completed'" \
	>"$W/ledger-err.txt"
[ "$(wc -l <"$W/ledger-err.txt")" -eq "$PUNCT_ITEMS" ] ||
	{ echo "only $(wc -l <"$W/ledger-err.txt") of $PUNCT_ITEMS items completed; see $W/punct" >&2; exit 1; }
for p in 50 95 99 100; do
	put start_error_ms_ledger_p$p "$(pctl $p <"$W/ledger-err.txt")" \
		"sqlite3 loa.db 'SELECT started_at - scheduled_at FROM ledger'  ($PUNCT_ITEMS items)"
done
# From the shim: the first snd_pcm_writei of each item, in µs.
sqlite3 state/loa.db "SELECT scheduled_at FROM ledger WHERE slot != 'long' ORDER BY id" >"$W/sched.txt"
awk 'NR == FNR { s[NR] = $1 * 1000; n = NR; next }
     { t[++m] = $3 }
     END { for (i = 1; i <= n; i++) { best = ""
		for (j = 1; j <= m; j++) if (t[j] >= s[i] - 1000000 && (best == "" || t[j] < best)) best = t[j]
		printf "%.3f\n", (best - s[i]) / 1000 } }' "$W/sched.txt" "$W/firstframe.log" >"$W/frame-err.txt"
for p in 50 95 99 100; do
	put start_error_ms_p$p "$(pctl $p <"$W/frame-err.txt")" \
		"LD_PRELOAD=bench/firstframe.so loa daemon: first snd_pcm_writei − scheduled instant ($PUNCT_ITEMS items)"
done
put punct_items "$PUNCT_ITEMS" "slots of one 1 s MP3 item each, 3 s apart, on the paced device"
put bytes_written_per_item_1s "$(((io0 - io_start) / PUNCT_ITEMS))" \
	"write_bytes in /proc/PID/io of loa daemon over $PUNCT_ITEMS items of 1 s, per item"
put bytes_written_per_item "$((io1 - io0))" \
	"write_bytes in /proc/PID/io of loa daemon across one item of 20 s (in-flight checkpoints every 5 s)"

# ---- the first sample heard (issue #20) ----
# bench/heard.sh puts bench/ear, a JACK client, in the speakers' place and
# times the first sample of each item as it enters the server's cycle,
# at a period of 1024 frames and of 128.
for period in 1024 128; do
	say "heard: $PUNCT_ITEMS items, the ear on a JACK server of $period frames a period (about $((PUNCT_ITEMS * 3 + 45)) s)"
	while IFS=$'\t' read -r k v cmd; do
		put "$k" "$v" "$cmd"
	done < <(W="$W" BUILD="$BUILD" BENCH_ITEMS="$PUNCT_ITEMS" "$here/heard.sh" "$period")
done

# ---- cron + aplay ----
# cron runs a job at a whole minute, never between: an item due at
# HH:MM:SS airs at the next whole minute, (60 − SS) mod 60 s late, plus
# the time from cron's exec of the job to aplay's first frame, measured
# here on the same paced device (aplay reads WAV, not MP3).
say "cron + aplay: aplay's latency from exec to its first frame, 10 runs on the paced device"
jack_start
for _ in $(seq 10); do
	t0=$EPOCHREALTIME
	BENCH_FIRSTFRAME_LOG="$W/aplay-ff.log" LD_PRELOAD="$B/firstframe.so" \
		sh -c "exec aplay -q -D paced '$W/item1s.wav'"
	echo "$t0"
done >"$W/aplay-t0.txt"
kill -TERM "$JACKD" && wait "$JACKD" 2>/dev/null || true
awk 'NR == FNR { t0[NR] = $1 * 1e6; next } { printf "%.3f\n", ($3 - t0[FNR]) / 1000 }' \
	"$W/aplay-t0.txt" "$W/aplay-ff.log" >"$W/aplay-lat.txt"
for p in 50 99; do
	put aplay_latency_ms_p$p "$(pctl $p <"$W/aplay-lat.txt")" \
		"sh -c 'exec aplay -q -D paced item.wav': exec → first snd_pcm_writei (10 runs)"
done
# The same scheduled instants as loa's run, paired with the measured latencies.
i=0
for at in "${sched[@]}"; do
	ss=$((at % 60))
	lat=$(sed -n "$((i % 10 + 1))p" "$W/aplay-lat.txt")
	awk -v ss="$ss" -v lat="$lat" 'BEGIN { printf "%.3f\n", ((60 - ss) % 60) * 1000 + lat }'
	i=$((i + 1))
done >"$W/cron-err.txt"
for p in 50 95 99; do
	put cron_aplay_start_error_ms_p$p "$(pctl $p <"$W/cron-err.txt")" \
		"((60 − SS) mod 60) s + aplay latency, over the same $PUNCT_ITEMS instants"
done

# ---- Liquidsoap (optional) ----
LIQ_PID=""
if [ -n "$LIQ" ]; then
	say "Liquidsoap: idle with one file scheduled hours ahead (during the CPU runs)"
	mkdir -p "$W/liq" && cd "$W/liq"
	cat >idle.liq <<LIQ
settings.init.allow_root.set(true)
settings.log.file.set(false)
s = switch([({ $(TZ=$ZONE date -d "+3 hours" +%H)h00m }, once(single("$W/item20s.mp3")))])
output.alsa(device="null", fallible=true, s)
LIQ
	TZ=$ZONE liquidsoap idle.liq >liq.log 2>&1 &
	LIQ_PID=$!
	PIDS+=("$LIQ_PID")
	liq_t0=$(date +%s)
fi

# ---- CPU per hour of audio, in instructions (callgrind) ----
# loa airs one ${CPU_S} s MP3 to ALSA's null device (no resampling, no
# pacing); the same start and stop with nothing to air is subtracted, so
# what is left is what airing costs: pre-roll, decoding, loudness gain,
# limiter, conversion to S16, ALSA and the ledger rows. The floor decodes
# the same file with libsndfile to nothing (bench/decode_floor.c).
ir() { awk '/^(summary|totals):/ { print $2; exit }' "$1"; }
cg() { valgrind --tool=callgrind --callgrind-out-file="$1" "${@:2}"; }
# Recorded speech, when ../shared/media is beside the project (a fresh
# clone has none): the synthetic signals cannot stand for a real voice's
# crest factor, which is what brings the limiter in.
CPU_RUNS="cpu-48k-stereo cpu-22k-mono cpu-speech-22k-mono"
for rec in phong-chong-thien-tai chuyen-doi-so; do
	src="$here/../../shared/media/$rec.mp3"
	[ -f "$src" ] || continue
	cp "$src" "$W/cpu-recorded-$rec.mp3"
	CPU_RUNS="$CPU_RUNS cpu-recorded-$rec"
done
for f in $CPU_RUNS; do
	# measure prints LUFS TRUE_PEAK FRAMES RATE CHANNELS: the seconds to
	# scale to an hour by.
	secs=$("$MKAUDIO" measure "$W/$f.mp3" | awk '{ printf "%.3f\n", $3 / $4 }')
	say "CPU: $f under callgrind (loa airing, loa idle, decode floor)"
	cg "$W/$f.floor.cg" "$B/decode_floor" "$W/$f.mp3" >/dev/null 2>&1
	d="$W/$f" && at=$(($(date +%s) + 15))
	station "$d" null "c=$(hms_at $at)"
	cd "$d"
	LOA_CONFIG=loa.conf "$LOA" import --title cpu --slot c "$W/$f.mp3" >/dev/null
	LOA_CONFIG=loa.conf "$B/ready" "$W/notify.sock" valgrind --tool=callgrind \
		--callgrind-out-file="$W/$f.base.cg" "$LOA" daemon >/dev/null 2>&1
	LOA_CONFIG=loa.conf valgrind --tool=callgrind --callgrind-out-file="$W/$f.air.cg" "$LOA" daemon \
		2>daemon.log &
	vp=$!
	PIDS+=("$vp")
	wait_rows . 1 $((at - $(date +%s) + 180))
	kill -TERM $vp && wait $vp || true
	[ "$(sqlite3 state/loa.db "SELECT outcome FROM ledger")" = completed ] ||
		{ echo "the CPU run of $f did not complete; see $d" >&2; exit 1; }
	awk -v a="$(ir "$W/$f.air.cg")" -v b="$(ir "$W/$f.base.cg")" -v fl="$(ir "$W/$f.floor.cg")" -v s="$secs" \
		'BEGIN { printf "%.0f %.0f %.3f\n", (a - b) * 3600 / s, fl * 3600 / s, (a - b) / fl }' >"$W/$f.ir"
	read -r loa_ir floor_ir ratio <"$W/$f.ir"
	put "cpu_ratio_vs_decode_floor_${f#cpu-}" "$ratio" \
		"callgrind Ir: (loa daemon airing $f.mp3, $secs s − loa daemon start/stop) ÷ bench/decode_floor FILE"
	put "cpu_instructions_per_hour_${f#cpu-}" "$loa_ir" "the same, scaled to an hour of audio"
	put "decode_floor_instructions_per_hour_${f#cpu-}" "$floor_ir" "callgrind Ir of bench/decode_floor, scaled to an hour"
	# The null test of #20: today's limiter against the one before it
	# (bench/limiter_ref.c) on the same audio at the same input gain.
	case $f in cpu-speech-* | cpu-recorded-*)
		read -r nd tn tr ln lr < <("$B/limiter_null" "$W/$f.mp3")
		put "limiter_null_dbfs_${f#cpu-}" "$nd" \
			"bench/limiter_null $f.mp3: RMS of today's limiter's output less that of the one before #20 (bench/limiter_ref.c), both at -16 LUFS with the make-up import finds, -1 dBTP; dBFS"
		put "limiter_null_lu_${f#cpu-}" "$(awk -v a="$ln" -v b="$lr" 'BEGIN { printf "%.3f\n", a - b }')" \
			"the same: integrated loudness (libebur128) of today's output less the old one's, LU"
		put "limiter_null_tp_dbtp_${f#cpu-}" "$tn" "the same: true peak (libebur128) of today's output, dBTP (ceiling -1)"
		put "limiter_null_tp_ref_dbtp_${f#cpu-}" "$tr" "the same: true peak of the old limiter's output, dBTP"
		;;
	esac
done

# ---- import of an hour-long recording (issue #20) ----
# A meeting or a long programme: an hour of 48 kHz stereo MP3 with
# speech's crest factor. Import decodes it whole (probe: loudness, true
# peak, that every frame decodes), hashes and copies it, and finds the
# make-up; the floor is bench/decode_floor on the same file. Both are
# timed in CPU (user + sys, from bash's times for the children), which
# other processes on the machine disturb less than the wall clock, and
# in wall time.
say "import: an hour of 48 kHz stereo speech as MP3 (encoding it takes a minute or two)"
"$MKAUDIO" --seconds "$IMPORT_S" --rate 48000 --channels 2 speech "$W/long.mp3"
# cpu_wall CMD...: prints "CPU_MS WALL_MS" for CMD, its output discarded.
cpu_wall() {
	local t0=$EPOCHREALTIME c0 c1
	# times, not in a command substitution: a subshell starts with its
	# children's times at 0.
	times >"$W/times0"
	"$@" >/dev/null
	times >"$W/times1"
	c0=$(sed -n 2p "$W/times0") c1=$(sed -n 2p "$W/times1")
	awk -v a="$c0" -v b="$c1" -v t0="$t0" -v t1="$EPOCHREALTIME" 'function ms(s,   m) {
		m = s; sub(/m.*/, "", m); sub(/^[0-9]+m/, "", s); sub(/s$/, "", s); return (m * 60 + s) * 1000 }
		BEGIN { split(a, x, " "); split(b, y, " ")
		printf "%.0f %.0f\n", ms(y[1]) + ms(y[2]) - ms(x[1]) - ms(x[2]), (t1 - t0) * 1000 }'
}
for _ in 1 2 3; do cpu_wall "$B/decode_floor" "$W/long.mp3"; done >"$W/import-floor.txt"
station "$W/import" null s0=05:30:00
for k in 1 2 3; do
	rm -rf "$W/import/state"
	(cd "$W/import" && cpu_wall env LOA_CONFIG=loa.conf "$LOA" import --title "Một giờ $k" --slot s0 "$W/long.mp3")
done >"$W/import.txt"
hour() { awk -v s="$IMPORT_S" '{ printf "%.0f\n", $1 * 3600 / s }'; }
put decode_floor_cpu_ms_per_audio_hour "$(awk '{ print $1 }' "$W/import-floor.txt" | median | hour)" \
	"bench/decode_floor long.mp3 ($IMPORT_S s, 48 kHz stereo, mkaudio speech): user + sys CPU, median of 3, scaled to an hour"
put decode_floor_ms_per_audio_hour "$(awk '{ print $2 }' "$W/import-floor.txt" | median | hour)" "the same, wall time"
put import_cpu_ms_per_audio_hour "$(awk '{ print $1 }' "$W/import.txt" | median | hour)" \
	"loa import --slot s0 long.mp3 into an empty station: user + sys CPU, median of 3, scaled to an hour"
put import_ms_per_audio_hour "$(awk '{ print $2 }' "$W/import.txt" | median | hour)" "the same, wall time"
put import_ratio_vs_decode_floor "$(awk -v a="${R[import_cpu_ms_per_audio_hour]}" -v b="${R[decode_floor_cpu_ms_per_audio_hour]}" \
	'BEGIN { printf "%.2f\n", a / b }')" "import_cpu_ms_per_audio_hour ÷ decode_floor_cpu_ms_per_audio_hour"
put import_wall_ratio_vs_decode_floor "$(awk -v a="${R[import_ms_per_audio_hour]}" -v b="${R[decode_floor_ms_per_audio_hour]}" \
	'BEGIN { printf "%.2f\n", a / b }')" "import_ms_per_audio_hour ÷ decode_floor_ms_per_audio_hour (wall: what others on the machine do counts)"

if [ -n "$LIQ_PID" ]; then
	sleep $((liq_t0 + 20 - $(date +%s) > 0 ? liq_t0 + 20 - $(date +%s) : 0))
	if kill -0 "$LIQ_PID" 2>/dev/null; then
		c0=$(ctx $LIQ_PID)
		# utime + stime (fields 14, 15 of /proc/PID/stat, in clock ticks)
		# after 20 s, before the idle window: what its start cost, against
		# loa's startup_ms.
		liq_cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1000 / hz }' /proc/"$LIQ_PID"/stat)
		sleep "$IDLE_S"
		c1=$(ctx $LIQ_PID)
		put liquidsoap_idle_rss_kib "$(rss_kib $LIQ_PID)" "VmRSS of liquidsoap idle.liq ($W/liq/idle.liq)"
		put liquidsoap_start_cpu_ms "$liq_cpu" "utime + stime of liquidsoap idle.liq 20 s after its exec (/proc/PID/stat)"
		put liquidsoap_idle_wakeups_per_min "$(awk -v d=$((c1 - c0)) -v s="$IDLE_S" 'BEGIN { printf "%.1f\n", d * 60 / s }')" \
			"context switches of all its threads over ${IDLE_S} s, per minute"
		kill -TERM "$LIQ_PID"; wait "$LIQ_PID" 2>/dev/null || true
	else
		echo "liquidsoap exited: $(tail -3 "$W/liq/liq.log")" >&2
	fi
fi

# ---- the console (bench/web.sh) ----
say "the console: loa web's memory, time per page, 20 clients, a 200 MB upload (bench/web.sh)"
"$here/web.sh" "$W/web.tsv"
while IFS=$'\t' read -r k v c; do put "$k" "$v" "$c"; done <"$W/web.tsv"

# ---- the province link (issue #17) ----
# bench/upstream.sh prints KEY, VALUE and COMMAND a line: a 30-day backlog
# drained to the tests' province over TLS, the bytes of a record, the idle
# link's memory and wake-ups between pings, per ping and per schedule poll.
say "province link: a 30-day backlog to the test province, bytes a record, the idle link (about $((IDLE_S * 3 + 30)) s)"
while IFS=$'\t' read -r k v cmd; do
	put "$k" "$v" "$cmd"
done < <(W="$W" BUILD="$BUILD" BENCH_IDLE_S="$IDLE_S" "$here/upstream.sh")

say "writing bench/results.md and bench/results.json"
put bench_seconds "$(($(date +%s) - started))" "make bench"
LIQ_VERSION=$( [ -n "$LIQ" ] && liquidsoap --version 2>/dev/null | head -1 || echo "not installed")
{
	for k in "${!R[@]}"; do printf '%s\t%s\t%s\n' "$k" "${R[$k]}" "${C[$k]}"; done
} | sort | jq -R -s --arg host "$(uname -srm), $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)" \
	--arg when "$(date -u +%FT%TZ)" --arg liq "$LIQ_VERSION" --arg commit "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
	'{ measured_at: $when, host: $host, commit: $commit, liquidsoap: $liq, web: { measured_at: $when, commit: $commit },
	   figures: (split("\n") | map(select(length > 0) | split("\t") | { key: .[0], value: { value: (.[1] | tonumber? // .[1]), command: .[2] } }) | from_entries) }' \
	>"$here/results.json"
"$here/report.sh" "$here/results.json" >"$here/results.md"
cat "$here/results.md"
