# Shared set-up for end-to-end tests: a private station (config, state
# folder, ALSA devices) in a temporary folder, and small assertions.
# Each test sources this, then builds what it needs.
set -euo pipefail

T=$(mktemp -d)
DAEMON_PID="" PROVINCE_PID="" LINK_PID=""
cleanup() {
	local p
	for p in "$DAEMON_PID" "$LINK_PID" "$PROVINCE_PID"; do
		if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$T"
}
trap cleanup EXIT

export TZ_STATION=Asia/Ho_Chi_Minh
# Tests read loa's English (the source language) unless they ask for
# another: a developer's Vietnamese session must not change what they see.
export LANG=C.UTF-8 LANGUAGE=
unset LC_ALL LC_MESSAGES
export LOA_CONFIG="$T/loa.conf"

# Real ALSA devices made of alsa-lib plugins: "capture" writes exactly the
# frames played to a WAV file and discards them, at full speed.
cat >"$T/asound.conf" <<ALSA
pcm.capture { type file; slave.pcm "null"; file "$T/capture.wav"; format "wav"; }
pcm.nowhere { type hw; card 99; }
ALSA
export ALSA_CONFIG_PATH="/usr/share/alsa/alsa.conf:$T/asound.conf"

fail() { echo "FAIL: $*" >&2; exit 1; }
assert_eq() { [ "$1" == "$2" ] || fail "$3: expected '$2', got '$1'"; }

# Station-local clock time SECONDS from now, as HH:MM:SS.
local_hms_in() { TZ=$TZ_STATION date -d "+$1 sec" +%H:%M:%S; }

# slot_in SECONDS: moves the config's first slot start to SECONDS from now
# (and sets START to it). An occurrence takes only what was imported before
# its instant, so a test that imports and then starts the daemon aims the
# slot after the imports: under ASan on a busy machine, or in an emulated
# arm system, imports outlast any fixed lead. E2E_LEAD adds seconds for a
# slow machine (tests/arm/guest.sh sets it); wait_rows waits as much longer.
E2E_LEAD=${E2E_LEAD:-0}
slot_in() {
	START=$(local_hms_in "$(($1 + E2E_LEAD))")
	sed -i -E "0,/start = \"[0-9:]+\"/s//start = \"$START\"/" "$LOA_CONFIG"
}

# write_config SLOT_START [DEVICE] [EXTRA SLOT KEYS]
write_config() {
	cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "${2:-capture}"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "$1"; days = ["mon","tue","wed","thu","fri","sat","sun"]; ${3:-} }
);
CONF
}

# Runs loa, expecting exit status WANT; keeps stdout in $OUT, stderr in $ERR.
expect_exit() {
	local want=$1 rc=0
	shift
	"$LOA" "$@" >"$T/out" 2>"$T/err" || rc=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	[ "$rc" -eq "$want" ] || fail "loa $*: exit $rc, expected $want; stderr: $ERR"
}

# Starts the daemon and returns once it answers on its control socket (or
# has exited), so no test talks to or signals a daemon still starting up.
start_daemon() {
	"$LOA" daemon >"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || return 0
		"$LOA" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "the daemon did not answer 'loa status' within 10 s; log: $(cat "$T/daemon.log")"
}

stop_daemon() {
	kill -TERM "$DAEMON_PID"
	local rc=0
	wait "$DAEMON_PID" || rc=$?
	DAEMON_PID=""
	[ "$rc" -eq 0 ] || fail "daemon exited $rc on SIGTERM; log: $(cat "$T/daemon.log")"
}

# wait_rows N SECONDS: waits until the ledger holds N rows.
wait_rows() {
	# A deadline, not a count of tries: where one loa command takes
	# seconds (an emulated arm), tries would stretch the wait tenfold.
	local until=$((SECONDS + $2 + E2E_LEAD))
	while [ "$SECONDS" -lt "$until" ]; do
		if [ "$("$LOA" log --json | jq length)" -ge "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "the ledger did not reach $1 row(s) in $(($2 + E2E_LEAD)) s; daemon log: $(cat "$T/daemon.log")"
}

# Frames in a WAV written by the file plugin (S16, CHANNELS): data bytes / frame size.
wav_frames() {
	local bytes
	bytes=$(stat -c %s "$1")
	echo $(((bytes - 44) / ($2 * 2)))
}

# write_config_audio SLOT_START AUDIO_KEYS [EXTRA SLOT KEYS]: like
# write_config on the capture device, with more keys in the audio group.
write_config_audio() {
	cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "capture"; $2 };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "$1"; days = ["mon","tue","wed","thu","fri","sat","sun"]; ${3:-} }
);
CONF
}

# check_capture NAME DURATION_MS RATE CHANNELS [TARGET_LUFS]: what the
# capture device received at RATE and CHANNELS ($T/cap-RATE-CHANNELS.wav)
# is the whole item (within 1 %), at the target loudness (within 1 LU) with
# its true peak at or under -1 dBTP (a little margin for the measurement).
check_capture() {
	local name=$1 dur=$2 rate=$3 ch=$4 target=${5:--16} cap lufs tp frames want
	cap="$T/cap-$rate-$ch.wav"
	[ -f "$cap" ] || fail "$name: nothing captured at $rate Hz, $ch channel(s)"
	read -r lufs tp frames _ <<<"$("$MKAUDIO" measure "$cap")"
	want=$((dur * rate / 1000))
	[ $((frames * 100)) -ge $((want * 99)) ] && [ $((frames * 100)) -le $((want * 101)) ] ||
		fail "$name: captured $frames frames, decoded $want"
	awk -v l="$lufs" -v t="$target" 'BEGIN { exit !(l >= t - 1 && l <= t + 1) }' ||
		fail "$name: aired at $lufs LUFS, target $target"
	awk -v p="$tp" 'BEGIN { exit !(p <= -0.9) }' || fail "$name: aired with a true peak of $tp dBTP"
	echo "$name: $dur ms, $rate Hz $ch ch, $frames frames, $lufs LUFS, $tp dBTP"
}

# Milliseconds since the epoch of an ISO 8601 time from the ledger.
ms_of() { date -d "$1" +%s%3N; }

# Real-time pacing (DESIGN.md, "Test without a sound card"): a private jackd
# on JACK's dummy backend, and the device "paced", the file plugin over the
# ALSA jack plugin, so a 6 s file takes 6 s and is captured in
# $T/paced.wav. Each test gets its own server name (JACK_DEFAULT_SERVER,
# read by libjack in every client, the daemon included), so parallel runs
# do not meet; the server is killed when the test exits.
JACKD_PID=""
jack_stop() {
	if [ -n "$JACKD_PID" ] && kill -0 "$JACKD_PID" 2>/dev/null; then
		kill -TERM "$JACKD_PID" 2>/dev/null || true
		wait "$JACKD_PID" 2>/dev/null || true
	fi
	JACKD_PID=""
}

jack_start() {
	local i
	command -v jackd >/dev/null && [ -e /usr/share/alsa/alsa.conf.d/50-jack.conf ] ||
		fail "the paced device needs jackd2 and libasound2-plugins; run ./deps.sh (as root)"
	# No client may start a server of its own: one that ignored the name
	# would then fail instead of playing somewhere unpaced.
	export JACK_DEFAULT_SERVER="loa-$$" JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1
	jackd --no-realtime -d dummy -r 48000 -p 1024 >"$T/jackd.log" 2>&1 &
	JACKD_PID=$!
	trap 'jack_stop; cleanup' EXIT
	# The jack PCM connects to system:playback_1/2: wait until they exist.
	for ((i = 0; i < 100; i++)); do
		jack_lsp 2>/dev/null | grep -q '^system:playback_2$' && break
		kill -0 "$JACKD_PID" 2>/dev/null || fail "jackd did not start: $(cat "$T/jackd.log")"
		sleep 0.1
	done
	jack_lsp 2>/dev/null | grep -q '^system:playback_2$' ||
		fail "jackd has no playback ports after 10 s: $(cat "$T/jackd.log")"
	cat >>"$T/asound.conf" <<ALSA
pcm.paced { type file; slave.pcm "plug:jack"; file "$T/paced.wav"; format "wav"; }
ALSA
}

# wait_on_air ID SECONDS: waits until `loa status --json` shows bulletin ID on air.
wait_on_air() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		if [ "$("$LOA" status --json 2>/dev/null | jq -r '.now_playing.id // empty')" == "$1" ]; then
			return 0
		fi
		sleep 0.1
	done
	fail "bulletin #$1 was not on air within $2 s; daemon log: $(cat "$T/daemon.log")"
}

# Relays (tiếp âm): local stand-ins for the stations a relay airs. No
# test reaches the internet: streamserver.py serves on 127.0.0.1.
STREAM_PIDS=""
stream_stop_all() {
	local p
	for p in $STREAM_PIDS; do
		kill "$p" 2>/dev/null || true
	done
	STREAM_PIDS=""
}

# make_mp3 FILE SECONDS FREQ [VOLUME]: a stereo MP3 (128 kbit/s) of a tone,
# or of digital silence with VOLUME 0.
make_mp3() {
	command -v ffmpeg >/dev/null || fail "the relay tests make their streams with ffmpeg; run ./deps.sh (as root)"
	ffmpeg -hide_banner -loglevel error -y -f lavfi -i "sine=frequency=$3:sample_rate=44100:duration=$2" \
		-af "volume=${4:-1}" -ac 2 -c:a libmp3lame -b:a 128k "$1" || fail "ffmpeg could not make $1"
}

# stream_start NAME ARGS...: a stream server (streamserver.py ARGS) whose
# port is then in $T/NAME.port and its pid in $T/NAME.pid.
stream_start() {
	local name=$1 i
	shift
	/usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/streamserver.py" "$T/$name.port" "$@" \
		>"$T/$name.log" 2>&1 &
	echo $! >"$T/$name.pid"
	STREAM_PIDS="$STREAM_PIDS $!"
	trap 'stream_stop_all; jack_stop; cleanup' EXIT
	for ((i = 0; i < 100; i++)); do
		[ -s "$T/$name.port" ] && return 0
		sleep 0.05
	done
	fail "the stream server $name did not start: $(cat "$T/$name.log")"
}

# now_ms: the wall clock in ms.
now_ms() { date +%s%3N; }

# wait_relay_url URL SECONDS: waits until `loa status --json` shows the
# relay on air from URL; prints nothing, fails with the log otherwise.
wait_relay_url() {
	local i
	for ((i = 0; i < $2 * 20; i++)); do
		if [ "$("$LOA" status --json 2>/dev/null | jq -r '.now_playing.relay_url // empty')" == "$1" ]; then
			return 0
		fi
		sleep 0.05
	done
	fail "the relay was not on air from $1 within $2 s; daemon log: $(cat "$T/daemon.log")"
}

# wait_idle SECONDS: waits until nothing is on air.
wait_idle() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		[ "$("$LOA" status --json 2>/dev/null | jq -r '.now_playing')" == null ] && return 0
		sleep 0.05
	done
	fail "still on air after $1 s; daemon log: $(cat "$T/daemon.log")"
}

# write_config_relay SILENCE_SECONDS: the paced device, no config slots
# (relays are database slots), relay.silence_seconds.
write_config_relay() {
	cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "state"; };
audio = { device = "paced"; };
clock = { require_sync = false; };
relay = { silence_seconds = $1; };
CONF
}

# The province's information-source system (tests/upstream/province.py)
# in $T/province: HTTPS on 127.0.0.1 with a certificate made here, which
# the upstream group trusts as its ca_file. province_start [PORT] starts
# it (on PORT again after an outage) and sets $PROVINCE_PORT;
# province_control JSON changes how it behaves (see the script).
PROVINCE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../upstream" && pwd)/province.py
PROVINCE_PORT=""
province_start() {
	local i
	mkdir -p "$T/province"
	if [ ! -f "$T/province.pem" ]; then
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
			-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
			-keyout "$T/province.key" -out "$T/province.pem" 2>"$T/openssl.log" ||
			fail "openssl cannot make the test certificate: $(cat "$T/openssl.log")"
	fi
	rm -f "$T/province/port"
	/usr/bin/python3 "$PROVINCE" "$T/province" "$T/province.pem" "$T/province.key" xa-thu "mật khẩu 1" \
		${1:-} >>"$T/province/stderr" 2>&1 &
	PROVINCE_PID=$!
	for ((i = 0; i < 100; i++)); do
		[ -f "$T/province/port" ] && break
		kill -0 "$PROVINCE_PID" 2>/dev/null || fail "province.py did not start: $(cat "$T/province/stderr")"
		sleep 0.05
	done
	[ -f "$T/province/port" ] || fail "province.py did not listen within 5 s"
	PROVINCE_PORT=$(cat "$T/province/port")
}
province_stop() {
	[ -n "$PROVINCE_PID" ] || return 0
	kill -TERM "$PROVINCE_PID" 2>/dev/null || true
	wait "$PROVINCE_PID" 2>/dev/null || true
	PROVINCE_PID=""
}
# province_emergency TITLE FILE SECONDS: publishes schedule LP-K of one
# emergency bulletin BT-K (TITLE, the province's media/FILE) at this
# second, SECONDS long; sets $PUBLISHED (epoch ms).
province_emergency() {
	PUBLISHED=$(date +%s%3N)
	local at=$((PUBLISHED / 1000))
	cat >"$T/province/schedules.json.tmp" <<JSON
[{"LichPhatID":"LP-K","TenLichPhat":"Khẩn cấp","DanhSachBanTin":[{"BanTinID":"BT-K","TieuDe":"$1",
 "LoaiLinhVuc":1,"MucDoUuTien":1,"NoiDung":"https://127.0.0.1:$PROVINCE_PORT/media/$2"}],
 "DanhSachNgayPhat":[{"NgayPhat":"$(date -u -d "@$at" +%d-%m-%Y)","ThoiDiemPhat":[{"ThoiGianBatDau":$at,"ThoiGianKetThuc":$((at + $3))}]}]}]
JSON
	mv "$T/province/schedules.json.tmp" "$T/province/schedules.json"
}
province_control() { printf '%s\n' "$1" >"$T/province/control.json"; }
# Lines of one of its files (records.jsonl, raw.jsonl, pings.jsonl, logins.jsonl).
province_count() { if [ -f "$T/province/$1" ]; then wc -l <"$T/province/$1"; else echo 0; fi; }

# upstream_config [EXTRA KEYS]: an upstream group for the test province
# (started first), its password in $T/upstream.secret (0600).
upstream_config() {
	printf '%s\n' "mật khẩu 1" >"$T/upstream.secret"
	chmod 600 "$T/upstream.secret"
	cat >>"$LOA_CONFIG" <<CONF
upstream = {
  url = "https://127.0.0.1:$PROVINCE_PORT/api";
  username = "xa-thu"; password_file = "$T/upstream.secret";
  source_id = "NG-HT"; source_name = "HTTT nguồn tỉnh Thử";
  device_id = "CL-0042"; device_name = "Cụm loa thôn 3";
  destination_id = "X-12345"; destination_name = "Xã Thử Nghiệm";
  provider_code = "NCC-LOA"; provider_name = "loa";
  ca_file = "$T/province.pem";
  ${1:-}
};
CONF
}

# The link (loa upstream run), its log in $T/link.log.
link_start() {
	"$LOA" upstream run >>"$T/link.log" 2>&1 &
	LINK_PID=$!
}
link_stop() {
	kill -TERM "$LINK_PID"
	local rc=0
	wait "$LINK_PID" || rc=$?
	LINK_PID=""
	[ "$rc" -eq 0 ] || fail "loa upstream run exited $rc on SIGTERM; log: $(cat "$T/link.log")"
}

# wait_province FILE N SECONDS: waits until the province holds N lines of FILE.
wait_province() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(province_count "$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "the province did not get $2 line(s) of $1 in $3 s (it has $(province_count "$1")); link log: $(cat "$T/link.log" 2>/dev/null)"
}
