#!/usr/bin/env bash
# The demo station: a slot a minute and a half from now, demo audio made
# here, embedded SQLite in ./demo/state, the default ALSA device (or
# $LOA_DEVICE, e.g. LOA_DEVICE=plughw:1 or LOA_DEVICE=null), and the web
# console on 127.0.0.1:8080 (or $LOA_DEMO_WEB) with a demo admin account.
# Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")"
LOA=$PWD/build/loa MKAUDIO=$PWD/build/mkaudio
dir=$PWD/demo
zone=Asia/Ho_Chi_Minh
start=$(TZ=$zone date -d '+90 sec' +%H:%M:%S)

mkdir -p "$dir"
rm -rf "$dir/state"
"$MKAUDIO" --seconds 2 --freq 880 tone "$dir/chime.wav"
"$MKAUDIO" --seconds 8 --rate 44100 --channels 1 tone "$dir/ban-tin-1.mp3"
"$MKAUDIO" --seconds 5 --rate 48000 --channels 2 tone "$dir/ban-tin-2.wav"
cat >"$dir/loa.conf" <<CONF
# A demo station. Edit, then 'build/loa --config demo/loa.conf check'.
station = { name = "Đài truyền thanh xã Demo"; timezone = "$zone"; };
paths = { state_dir = "state"; };
audio = { device = "${LOA_DEVICE:-default}"; gap_ms = 1000; };
# A build machine or a demo box rarely has a synchronised clock.
clock = { require_sync = false; grace_minutes = 10; };
web = { listen = "${LOA_DEMO_WEB:-127.0.0.1:8080}"; };
slots = (
  { name = "demo"; start = "$start"; days = ["mon","tue","wed","thu","fri","sat","sun"];
    max_minutes = 15; intro = "chime.wav"; }
);
CONF
export LOA_CONFIG=$dir/loa.conf
"$LOA" check
"$LOA" import --title "Bản tin chuyển đổi số" --topic 3 --slot demo "$dir/ban-tin-1.mp3" >/dev/null
"$LOA" import --title "Thông báo lịch tiêm chủng, tháng 11" --topic 1 --slot demo "$dir/ban-tin-2.wav" >/dev/null
echo "== the demo station airs at $start ($zone), on ALSA device '${LOA_DEVICE:-default}':"
"$LOA" next --days 1 | head -5

# The console beside the daemon, as on a station: its own process.
password=demo-loa-2026
if "$LOA" user --help >/dev/null 2>&1; then
	printf '%s\n' "$password" | "$LOA" user add demo --role admin >/dev/null
	login="account demo, password $password"
else
	login="no account yet: this build has no 'loa user' command (the accounts core is not merged)"
fi
"$LOA" web >"$dir/web.log" 2>&1 &
web=$!
trap 'kill "$web" 2>/dev/null || true' EXIT
echo "== the web console: http://${LOA_DEMO_WEB:-127.0.0.1:8080}/ ($login); its log: demo/web.log"
echo "== running the daemon; Ctrl-C stops it. Then: build/loa --config demo/loa.conf log"
"$LOA" daemon
