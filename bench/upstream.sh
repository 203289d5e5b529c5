#!/usr/bin/env bash
# The province link's figures (issue #17), for bench/run.sh, which puts
# each line it prints (KEY<TAB>VALUE<TAB>COMMAND) in the results; it also
# runs alone: BUILD=build bench/upstream.sh. Against the tests' province
# (tests/upstream/province.py) on 127.0.0.1 over TLS:
#   - the time `loa upstream run` takes to drain a 30-day backlog (bench/gen:
#     two slots a day, about 750 rows, 1 in 50 missed and not sent);
#   - the bytes of each record (JSON body, and the HTTP request around it;
#     TLS adds its own few dozen bytes a record);
#   - the idle link's RSS, and its wake-ups (context switches) between
#     pings, and per ping.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:?BUILD must name the build folder}
BUILD=$(cd "$BUILD" && pwd)
LOA=$BUILD/loa MKAUDIO=$BUILD/mkaudio GEN=$BUILD/bench/gen
W=${W:-$BUILD/bench/run}/upstream
IDLE_S=${BENCH_IDLE_S:-60}
ROWS=${BENCH_UPSTREAM_ROWS:-750}
ZONE=Asia/Ho_Chi_Minh

rm -rf "$W" && mkdir -p "$W/province"
PIDS=()
. "$(dirname "$0")/stop.sh"
trap stop_pids EXIT
out() { printf '%s\t%s\t%s\n' "$1" "$2" "$3"; }
ctx() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
sent() { sqlite3 "$W/state/loa.db" "SELECT count(*) FROM upstream_sent" 2>/dev/null || echo 0; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$W/key.pem" -out "$W/cert.pem" 2>/dev/null
/usr/bin/python3 "$here/../tests/upstream/province.py" "$W/province" "$W/cert.pem" "$W/key.pem" bench secret \
	>"$W/province.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do [ -f "$W/province/port" ] && break; sleep 0.05; done
printf 'secret\n' >"$W/secret" && chmod 600 "$W/secret"

# config PING_SECONDS POLL_SECONDS: the link wakes for a status ping and,
# since #18, for a look at the province's schedules; each is measured alone.
config() {
	cat >"$W/loa.conf" <<CONF
station = { name = "Bench"; timezone = "$ZONE"; };
paths = { state_dir = "state"; };
audio = { device = "null"; };
clock = { require_sync = false; };
slots = ( { name = "s0"; start = "05:30"; days = ["mon","tue","wed","thu","fri","sat","sun"]; },
          { name = "s1"; start = "17:00"; days = ["mon","tue","wed","thu","fri","sat","sun"]; } );
upstream = { url = "https://127.0.0.1:$(cat "$W/province/port")"; username = "bench"; password_file = "secret";
  source_id = "NG-BENCH"; device_id = "CL-BENCH"; device_name = "Cụm loa thôn 3"; destination_id = "X-12345";
  destination_name = "Xã Thanh Thủy"; provider_code = "NCC"; provider_name = "loa";
  ping_seconds = $1; poll_seconds = $2; ca_file = "cert.pem"; };
CONF
}

"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$W/item.mp3"
"$GEN" --state "$W/state" --audio "$W/item.mp3" --bulletins 60 --rows "$ROWS" --days 30 --slot s0=05:30 --slot s1=17:00
want=$(sqlite3 "$W/state/loa.db" "SELECT count(*) FROM upstream_outbox")
config 3600 3600
cd "$W"

# The drain: from the exec to the last acknowledgement recorded.
t0=$EPOCHREALTIME
LOA_CONFIG=loa.conf "$LOA" upstream run 2>"$W/link.log" &
LP=$!
PIDS+=("$LP")
while [ "$(sent)" -lt "$want" ]; do
	kill -0 "$LP" || { echo "loa upstream run ended: $(cat "$W/link.log")" >&2; exit 1; }
	sleep 0.05
done
t1=$EPOCHREALTIME
out upstream_drain_rows "$want" "bench/gen --rows $ROWS --days 30 (two slots a day; 1 in 50 missed, not sent): outbox entries"
out upstream_drain_s "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }')" \
	"loa upstream run from exec until upstream_sent holds every entry (tests/upstream/province.py, 127.0.0.1, TLS)"
out upstream_drain_records_per_s "$(awk -v a="$t0" -v b="$t1" -v n="$want" 'BEGIN { printf "%.0f\n", n / (b - a) }')" \
	"the same, records per second"
out upstream_record_body_bytes "$(jq -s 'map(._bytes) | add / length | floor' province/raw.jsonl)" \
	"mean JSON body of a playback log (province.py's _bytes)"
out upstream_record_http_bytes "$(jq -s 'map(._bytes + ._head_bytes) | add / length | floor' province/raw.jsonl)" \
	"mean HTTP request of a playback log, request line and headers included, before TLS"

# Idle: the outbox empty, the next ping and the next schedule poll an hour
# away.
sleep 2
c0=$(ctx "$LP")
sleep "$IDLE_S"
c1=$(ctx "$LP")
out upstream_idle_rss_kib "$(awk '/^VmRSS/ { print $2 }' /proc/$LP/status)" "VmRSS of loa upstream run, idle after the drain"
out upstream_idle_rss_anon_kib "$(awk '/^RssAnon/ { print $2 }' /proc/$LP/status)" \
	"RssAnon of the same: its own heap and stack, and the libraries' written data pages (OpenSSL's among them)"
out upstream_idle_pss_kib "$(awk '/^Pss:/ { print $2 }' /proc/$LP/smaps_rollup)" \
	"Pss in /proc/PID/smaps_rollup of loa upstream run, idle after the drain (shared pages divided among the processes mapping them)"
out upstream_idle_private_kib "$(awk '/^Private_(Clean|Dirty):/ { n += $2 } END { print n }' /proc/$LP/smaps_rollup)" \
	"Private_Clean + Private_Dirty in /proc/PID/smaps_rollup of the same: pages no other process maps"
out upstream_idle_wakeups_per_min "$(awk -v d=$((c1 - c0)) -v s="$IDLE_S" 'BEGIN { printf "%.1f\n", d * 60 / s }')" \
	"context switches of loa upstream run over ${IDLE_S} s with nothing to send and no ping or schedule poll due, per minute"
kill -TERM "$LP" && wait "$LP" || true

# Pings every 10 s, then schedule polls every 10 s: what each costs in
# wake-ups. The province's pings.jsonl and polls.jsonl count what was asked.
# per_event KEY WHAT PING POLL EVENTS-FILE
per_event() {
	config "$3" "$4"
	LOA_CONFIG=loa.conf "$LOA" upstream run 2>>"$W/link.log" &
	LP=$!
	PIDS+=("$LP")
	sleep 3
	local e0 e1 c0 c1
	e0=$(lines "$5") c0=$(ctx "$LP")
	sleep "$IDLE_S"
	e1=$(lines "$5") c1=$(ctx "$LP")
	out "$1" "$(awk -v d=$((c1 - c0)) -v p=$((e1 - e0)) 'BEGIN { printf "%.1f\n", p ? d / p : -1 }')" \
		"context switches of loa upstream run per $2 ($((e1 - e0)) in ${IDLE_S} s, ping_seconds = $3, poll_seconds = $4)"
	kill -TERM "$LP" && wait "$LP" || true
}
lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }
per_event upstream_wakeups_per_ping "status ping" 10 3600 province/pings.jsonl
per_event upstream_wakeups_per_poll "schedule poll (nothing new)" 3600 10 province/polls.jsonl
