#!/usr/bin/env bash
# bench/web.sh OUT.tsv: the console's figures (issue #16), as lines
# KEY<TAB>VALUE<TAB>COMMAND in OUT.tsv. bench/run.sh runs it and puts them
# in bench/results.json; `make bench-web` runs it alone and merges them into
# the results.json of the last `make bench` (the web figures say when and at
# which commit they were measured). Scratch goes to $BUILD/bench/web.
#
# A station with a busy year (1,000 bulletins, 9,000 ledger rows), its daemon
# on ALSA's null device, and `loa web` on loopback:
#   - idle RSS and Pss of loa web, after its start and after the load;
#   - server time per page (p50, p95; request to last byte, one kept-alive
#     connection as a browser keeps it): the year's log, the reports page,
#     the year's printable report, the status page, the library;
#   - 20 clients at once, 200 requests each, each from its own loopback
#     address (a PC or phone each), and the same from one address;
#   - RSS of a fresh loa web while a 200 MB WAV uploads and is imported.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?BUILD must name the build folder}
OUT=${1:?usage: bench/web.sh OUT.tsv}
LOA=$BUILD/loa MKAUDIO=$BUILD/mkaudio B=$BUILD/bench
W=$B/web
ZONE=Asia/Ho_Chi_Minh
PY=/usr/bin/python3
ROWS=${BENCH_WEB_ROWS:-9000}          # ledger rows: a busy year
PAGE_N=${BENCH_WEB_PAGE_N:-50}        # requests per page for its p95
CLIENTS=${BENCH_WEB_CLIENTS:-20}
REQS=${BENCH_WEB_REQUESTS:-200}      # per client
UPLOAD_MB=${BENCH_WEB_UPLOAD_MB:-200}
USER_NAME=bench PASSWORD=mat-khau-bench
started=$(date +%s)

rm -rf "$W" && mkdir -p "$W"
PIDS=()
. "$(dirname "$0")/stop.sh"
trap stop_pids EXIT
say() { printf '%s [%3ds] %s\n' "bench web" $(($(date +%s) - started)) "$*" >&2; }
: >"$OUT"
put() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$OUT"; }
kib() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$1/smaps_rollup"; }

say "a busy year: 1,000 bulletins, $ROWS ledger rows"
"$MKAUDIO" --seconds 20 --rate 48000 --channels 2 tone "$W/item20s.mp3"
cat >"$W/loa.conf" <<CONF
station = { name = "Bench"; timezone = "$ZONE"; };
paths = { state_dir = "state"; };
audio = { device = "null"; };
clock = { require_sync = false; };
web = { max_upload_mb = $((UPLOAD_MB + 50)); };
slots = (
  { name = "s0"; start = "05:30:00"; days = ["mon","tue","wed","thu","fri","sat","sun"]; },
  { name = "s1"; start = "17:00:00"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }
);
CONF
export LOA_CONFIG=$W/loa.conf
"$B/gen" --state "$W/state" --audio "$W/item20s.mp3" --bulletins 1000 --rows "$ROWS" --days 365 \
	--slot s0=05:30 --slot s1=17:00
printf '%s\n' "$PASSWORD" | "$LOA" user add "$USER_NAME" --role operator >/dev/null
rows=$(sqlite3 "$W/state/loa.db" "SELECT count(*) FROM ledger")

"$LOA" daemon 2>"$W/daemon.log" &
PIDS+=($!)
for _ in $(seq 100); do "$LOA" status >/dev/null 2>&1 && break; sleep 0.1; done

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$port
start_web() {
	"$LOA" web --listen "127.0.0.1:$port" 2>>"$W/web.log" &
	WEB=$!
	PIDS+=("$WEB")
	for _ in $(seq 100); do curl -s -o /dev/null "$URL/login" && return 0; sleep 0.05; done
	echo "loa web did not start: $(cat "$W/web.log")" >&2
	exit 1
}

# ---- idle ----
start_web
sleep 2
put web_idle_rss_kib "$(kib "$WEB" VmRSS)" "VmRSS in /proc/PID/status of loa web, 2 s after its start (one request, the login page, answered)"
put web_idle_pss_kib "$(pss "$WEB")" "Pss in /proc/PID/smaps_rollup of the same (shared pages divided among the processes mapping them, the daemon among them)"
put web_idle_rss_anon_kib "$(kib "$WEB" RssAnon)" "RssAnon in /proc/PID/status of the same"
put web_idle_private_kib "$(awk '/^Private_(Clean|Dirty):/ { n += $2 } END { print n }' "/proc/$WEB/smaps_rollup")" \
	"Private_Clean + Private_Dirty in /proc/PID/smaps_rollup of the same: pages no other process maps"

# ---- server time per page ----
say "server time per page: $PAGE_N requests each"
from=$(TZ=$ZONE date -d "-365 days" +%F) to=$(TZ=$ZONE date +%F)
"$PY" "$here/webload.py" pages "$URL" "$USER_NAME" "$PASSWORD" "$PAGE_N" \
	"/log?from=$from&to=$to" /reports "/api/v1/report?from=$from&to=$to&format=html" / /library >"$W/pages.tsv"
page() { # KEY PATH WHAT
	local p50 p95 max bytes
	read -r _ p50 p95 max bytes < <(awk -F'\t' -v p="$2" '$1 == p' "$W/pages.tsv")
	put "web_page_ms_p95_$1" "$p95" "bench/webload.py pages: GET $2 $PAGE_N times on one kept-alive connection, request to last byte, p95 ($3; p50 $p50, max $max ms, $bytes bytes)"
	put "web_page_ms_p50_$1" "$p50" "the same, p50"
}
page log "/log?from=$from&to=$to" "the log of a year, $rows rows, its first page of 50"
page reports /reports "the reports page"
page report_html "/api/v1/report?from=$from&to=$to&format=html" "the printable report of the year, chain checked"
page status / "the status page, the daemon asked over its socket"
page library /library "the library, 1,000 bulletins"

# ---- concurrent clients ----
say "$CLIENTS clients x $REQS requests, each from its own address, then from one"
paths=(/ /library "/log?from=$from&to=$to" /api/v1/status /schedule /reports)
"$PY" "$here/webload.py" clients "$URL" "$USER_NAME" "$PASSWORD" "$CLIENTS" "$REQS" "${paths[@]}" \
	>"$W/clients.tsv" 2>"$W/clients.err"
read -r n errors secs p50 p95 p99 <"$W/clients.tsv"
what="bench/webload.py clients: $CLIENTS threads from 127.0.0.10-$((10 + CLIENTS - 1)), each its own login and kept-alive connection, $REQS GETs each over ${paths[*]}"
put web_clients_requests "$n" "$what"
put web_clients_errors "$errors" "$what: answers other than 200 and failed connections"
put web_clients_req_per_s "$(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f\n", n / s }')" "$what: requests / wall seconds ($secs s)"
put web_clients_ms_p95 "$p95" "$what: time per request, p95 (p50 $p50, p99 $p99)"
"$PY" "$here/webload.py" clients "$URL" "$USER_NAME" "$PASSWORD" "$CLIENTS" "$REQS" --one-address "${paths[@]}" \
	>"$W/clients1.tsv" 2>"$W/clients1.err"
read -r n errors secs _ p95 _ <"$W/clients1.tsv"
put web_clients_one_address_errors "$errors" "the same, all $CLIENTS from 127.0.0.1 (libmicrohttpd's per-address limit is 16 connections: web/server.c CONN_PER_IP); first errors: $(head -n 2 "$W/clients1.err" | tr '\n' ' ')"
sleep 2
put web_after_load_rss_kib "$(kib "$WEB" VmRSS)" "VmRSS of the same loa web 2 s after the clients (peak VmHWM $(kib "$WEB" VmHWM) KiB, the logins' Argon2id, 64 MiB each, included)"
kill -TERM "$WEB" && wait "$WEB" || true

# ---- a 200 MB upload ----
secs=$((UPLOAD_MB * 1000000 / 192000))
say "a ${UPLOAD_MB} MB WAV ($secs s of 48 kHz stereo) uploaded to a fresh loa web"
"$MKAUDIO" --seconds "$secs" --rate 48000 --channels 2 tone "$W/big.wav"
size=$(stat -c %s "$W/big.wav")
start_web
login=$(curl -s -c "$W/jar" -H 'Content-Type: application/json' \
	-d "{\"username\":\"$USER_NAME\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/login")
csrf=$(jq -r .csrf <<<"$login")
curl -s -o /dev/null -b "$W/jar" "$URL/library"
sleep 1
# The login's Argon2id took 64 MiB and gave it back: the peak starts here.
echo 5 >"/proc/$WEB/clear_refs"
base=$(kib "$WEB" VmRSS)
t0=$EPOCHREALTIME
curl -s -o "$W/upload.json" -w '%{http_code}' -b "$W/jar" -H "X-CSRF-Token: $csrf" \
	-F "file=@$W/big.wav" "$URL/api/v1/bulletins" >"$W/upload.code" &
up=$!
peak=$base
while kill -0 "$up" 2>/dev/null; do
	r=$(kib "$WEB" VmRSS)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.05
done
wait "$up"
up_s=$(awk -v a="$EPOCHREALTIME" -v b="$t0" 'BEGIN { printf "%.1f\n", a - b }')
[ "$(cat "$W/upload.code")" = 201 ] || { echo "the upload was refused: $(cat "$W/upload.code") $(cat "$W/upload.json")" >&2; exit 1; }
hwm=$(kib "$WEB" VmHWM)
[ "$hwm" -gt "$peak" ] && peak=$hwm
put web_upload_rss_growth_kib "$((peak - base))" "peak VmRSS (sampled every 50 ms, and VmHWM, reset after the login) of a fresh loa web while curl -F file=@big.wav uploads $size bytes and it is imported, less VmRSS before ($base KiB); upload to answer: $up_s s"
put web_upload_bytes "$size" "mkaudio --seconds $secs --rate 48000 --channels 2 tone big.wav"
put web_upload_s "$up_s" "curl -F file=@big.wav .../api/v1/bulletins: start to the 201 (transfer, decoding and storing)"
kill -TERM "$WEB" && wait "$WEB" || true
put web_bench_seconds "$(($(date +%s) - started))" "bench/web.sh"

# Alone (make bench-web): into the figures of the last make bench, which
# say when and at which commit these were measured.
if [ -n "${BENCH_WEB_MERGE:-}" ]; then
	jq --rawfile tsv "$OUT" --arg when "$(date -u +%FT%TZ)" \
		--arg commit "$(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		'.web = { measured_at: $when, commit: $commit } | .figures += ($tsv | split("\n")
		 | map(select(length > 0) | split("\t") | { key: .[0], value: { value: (.[1] | tonumber? // .[1]), command: .[2] } })
		 | from_entries)' "$BENCH_WEB_MERGE" >"$W/results.json"
	mv "$W/results.json" "$BENCH_WEB_MERGE"
	"$here/report.sh" "$BENCH_WEB_MERGE" >"${BENCH_WEB_MERGE%.json}.md"
fi
say "done"
