#!/bin/bash
# Runs inside the emulated arm system that tests/arm/arm-check.sh boots,
# as the oneshot loa-arm-check.service after multi-user.target: installs
# the package with apt from the local file (its dependencies are in the
# image already: there is no network), airs a slot through loa.service on
# an ALSA file device, stops the service, runs the e2e tests that need no
# JACK, then powers off. It judges nothing: it writes what it saw to
# /root/arm-check/out (facts as key=value, the ledger row, the capture,
# the logs), which the host reads from the image and judges. Every fact
# also goes to the serial console, marked ARM-CHECK.
set -u
D=/root/arm-check
O=$D/out
rm -rf "$O"
mkdir -p "$O"
cd "$D"

fact() {
	echo "$1=$2" >>"$O/facts"
	echo "ARM-CHECK $1=$2"
}
# The command line as the service's user: a root-owned WAL or content
# file in /var/lib/loa would lock the daemon out of its own evidence.
as_loa() { runuser -u loa -- loa --config /etc/loa/loa.conf "$@"; }
finish() {
	sync
	echo "ARM-CHECK done"
	systemctl poweroff --no-block
	exit 0
}

fact arch "$(dpkg --print-architecture)"
fact machine "$(uname -m)"
fact kernel "$(uname -r)"
fact boot_s "$(cut -d' ' -f1 /proc/uptime)"
fact guest_clock "$(date -u +%Y-%m-%dT%H:%M:%SZ)"

t=$SECONDS
rc=0
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -o Acquire::Retries=0 \
	"$D"/loa_*.deb >"$O/apt.log" 2>&1 || rc=$?
fact apt_rc "$rc"
fact apt_s "$((SECONDS - t))"
[ "$rc" -eq 0 ] || finish

# The station: the slot a little more than a minute ahead, on the ALSA file
# device (the file plugin over null: the frames played, at full speed, into
# a WAV in the state folder, the only place the unit lets loa write).
cat >/etc/asound.conf <<'ALSA'
pcm.capture { type file; slave.pcm "null"; file "/var/lib/loa/capture.wav"; format "wav"; }
ALSA
tz=Asia/Ho_Chi_Minh
slot_epoch=$(($(date +%s) + 80))
start=$(TZ=$tz date -d "@$slot_epoch" +%H:%M:%S)
cat >/etc/loa/loa.conf <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$tz"; };
paths = { state_dir = "/var/lib/loa"; socket = "/run/loa/loa.sock"; };
audio = { device = "capture"; };
clock = { require_sync = false; };
slots = (
  { name = "sang"; start = "$start"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }
);
CONF
fact slot_epoch "$slot_epoch"
fact slot_start "$start"

"$D/mkaudio" --seconds 20 tone /tmp/ban-tin.wav
chmod 0644 /tmp/ban-tin.wav
id=$(as_loa import --title "Bản tin thử" --slot sang /tmp/ban-tin.wav 2>"$O/import.err") || true
fact bulletin_id "$id"
as_loa list --json >"$O/list.json" 2>&1 || true

systemctl restart loa
fact active_before_slot "$(systemctl is-active loa)"
fact restarted_epoch "$(date +%s)"

# Until a row is in the ledger, or ten minutes past the slot.
rows=0
while [ "$(date +%s)" -lt $((slot_epoch + 600)) ]; do
	rows=$(as_loa log --json 2>/dev/null | jq length 2>/dev/null || echo 0)
	[ "${rows:-0}" -ge 1 ] && break
	sleep 1
done
fact rows "$rows"
fact row_seen_epoch "$(date +%s)"
as_loa log --json >"$O/log.json" 2>&1 || true
fact active_after_airing "$(systemctl is-active loa)"
rc=0
as_loa verify >"$O/verify.log" 2>&1 || rc=$?
fact verify_rc "$rc"
cp /var/lib/loa/capture.wav "$O/capture.wav" 2>/dev/null || true

rc=0
systemctl stop loa || rc=$?
fact stop_rc "$rc"
fact after_stop "$(systemctl show -p ActiveState -p Result -p ExecMainCode -p ExecMainStatus loa | tr '\n' ' ')"
journalctl -b -u loa --no-pager >"$O/journal-loa.log" 2>&1 || true

# The end-to-end tests that need neither JACK nor a browser nor Python,
# against the installed binary.
t=$SECONDS
rc=0
# The tests define their own devices; the station's capture device above
# would be merged into theirs (alsa.conf reads /etc/asound.conf), and its
# file is not theirs. LOA_LOCALEDIR: the package's catalogues, for t_i18n.
rm -f /etc/asound.conf
export LOA_LOCALEDIR=/usr/share/locale
# E2E_LEAD: an emulated arm imports and starts many times slower than the
# host the tests' few seconds of lead were chosen on (tests/e2e/lib.sh).
E2E_LEAD=15 LOA=/usr/bin/loa MKAUDIO=$D/mkaudio bash "$D/e2e/run.sh" >"$O/e2e.log" 2>&1 || rc=$?
fact e2e_rc "$rc"
fact e2e_s "$((SECONDS - t))"
fact e2e_summary "$(tail -n 1 "$O/e2e.log")"

# The planning test across 2038-01-19 from the unit tests, cross-built.
rc=0
LD_LIBRARY_PATH=$D/lib LOA_MKAUDIO=$D/mkaudio "$D/test_engine" >"$O/test_engine.log" 2>&1 || rc=$?
fact test_engine_rc "$rc"
finish
