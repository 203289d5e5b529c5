# Clock steps on the real binary, forward and back while an item airs on
# a paced device: nothing airs twice, nothing is lost.
#
# The host's clock is never touched. Linux time namespaces offset only the
# monotonic and boot clocks, not CLOCK_REALTIME, which is the clock loa
# schedules by (a timerfd with TFD_TIMER_CANCEL_ON_SET), so the steps
# happen inside User-Mode Linux: a Linux kernel that runs as an ordinary
# process with a clock of its own, its root the host's file system mounted
# read-only (hostfs), with tmpfs for everything written. This script boots
# it with itself (--inside) as init, reads the verdict from its console.
#
# Inside, with clock.grace_minutes = 2: slot s1 airs A (6 s) then B; while
# A airs the clock steps 190 s forward, over s2 (158 s past: missed) and
# s3 (98 s: late, within grace): A plays to its end, B follows, s3's D airs
# late. While D airs the clock steps back 210 s, to before s1: D plays to
# its end, and as the clock passes s1 again and across a restart nothing
# airs. A last step forward to just before s4: s4 airs on its second.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" != --inside ]; then
	. "$here/lib.sh"
	command -v linux >/dev/null ||
		fail "the clock test needs User-Mode Linux (Debian package user-mode-linux); run ./deps.sh faults (as root)"
	mkdir "$T/w"
	cat >"$T/init.sh" <<INIT
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs w "$T/w"
mkdir -p /dev/shm
mount -t tmpfs shm /dev/shm
mount -t tmpfs run /run
export TMPDIR="$T/w" HOME="$T/w" PATH=/usr/sbin:/usr/bin:/sbin:/bin
export LOA="$LOA" MKAUDIO="$MKAUDIO" LOA_LOCALEDIR="${LOA_LOCALEDIR:-}"
cd "$here"
timeout 300 bash "$here/t_clock_steps.sh" --inside 2>&1
echo "clock-steps: exit \$?"
exec /sbin/halt -f -p
INIT
	chmod +x "$T/init.sh"
	# mem for the kernel, jackd and loa; the console is this process's
	# stdout, nothing else of the guest reaches out.
	timeout 400 linux mem=512M rootfstype=hostfs rootflags=/ ro init="$T/init.sh" \
		con=null con0=fd:0,fd:1 </dev/null 2>&1 | tr -d '\r' >"$T/uml.log" || true
	! grep -qE 'AddressSanitizer|ASan cannot proceed' "$T/uml.log" ||
		fail "an ASan build cannot run inside User-Mode Linux (the sanitizer's shadow memory does not fit the guest's address space); run this test on a plain build"
	grep -q '^clock-steps: exit 0' "$T/uml.log" ||
		fail "inside User-Mode Linux: $(sed -n '/Run .* as init process/,$p' "$T/uml.log" | tail -40)"
	sed -n '/as init process/,$p' "$T/uml.log" | grep '^  ' || true
	exit 0
fi

# ---- inside User-Mode Linux, with a clock that may be stepped ----
. "$here/lib.sh"
jack_start

# step SECONDS: sets this kernel's clock SECONDS (may be negative) away.
step() {
	now_ms
	date -u -s "@$(((NOW + $1 * 1000) / 1000)).$(printf %03d $(((NOW + $1 * 1000) % 1000)))" >/dev/null
}
hms() { TZ=$TZ_STATION date -d "@$(($1 / 1000))" +%H:%M:%S; }
# The rows by slot (a missed row is written at the step, ahead of the
# item on air): slot:title:outcome,...
rows() { "$LOA" log --json | jq -r 'sort_by(.slot) | [.[] | "\(.slot):\(.title):\(.outcome)"] | join(",")'; }
played() { "$LOA" log --json | jq -r ".[] | select(.title == \"$1\") | .played_ms"; }
# wait_log TEXT N SECONDS: until the daemon's log holds TEXT N times.
wait_log() {
	local i
	for ((i = 0; i < $3 * 10; i++)); do
		[ "$(grep -c "$1" "$T/daemon.log")" -ge "$2" ] && return 0
		sleep 0.1
	done
	fail "the daemon's log does not say '$1' $2 times: $(cat "$T/daemon.log")"
}

"$MKAUDIO" --seconds 6 --rate 48000 --channels 1 tone "$T/6s.wav"
"$MKAUDIO" --seconds 2 --rate 48000 --channels 1 tone "$T/2s.wav"
now_ms
t0=$(((NOW / 1000 + 1) * 1000))
{
	echo "station = { name = \"Xã Thử Nghiệm\"; timezone = \"$TZ_STATION\"; };"
	echo "paths = { state_dir = \"state\"; };"
	echo "audio = { device = \"paced\"; gap_ms = 300; };"
	echo "clock = { require_sync = false; grace_minutes = 2; };"
	echo "slots = ("
	sep=""
	for s in "s1 6" "s2 40" "s3 100" "s4 400"; do
		set -- $s
		printf '%s  { name = "%s"; start = "%s"; days = ["mon","tue","wed","thu","fri","sat","sun"]; }' \
			"$sep" "$1" "$(hms $((t0 + $2 * 1000)))"
		sep=",
"
	done
	echo ");"
} >"$LOA_CONFIG"
expect_exit 0 import --title A --slot s1 "$T/6s.wav"
a=$OUT
expect_exit 0 import --title B --slot s1 "$T/2s.wav"
# The same recordings under other titles: --force, as for another campaign.
expect_exit 0 import --force --title C --slot s2 --slot s4 "$T/2s.wav"
expect_exit 0 import --force --title D --slot s3 "$T/6s.wav"
d=$OUT

start_daemon
wait_on_air "$a" 15
sleep 2
step 190
wait_log "the system clock was changed" 1 5
wait_on_air "$d" 20
assert_eq "$(rows)" "s1:A:completed,s1:B:completed,s2:C:missed" "rows after the step forward (daemon log: $(cat "$T/daemon.log"))"
played=$(played A)
[ "$played" -ge 5900 ] || fail "A played $played ms of 6000 across the step forward"
note "step forward 190 s while A aired: A played to its end ($played ms), B followed, s2 (158 s past) missed, s3 (98 s past) airs late"

sleep 2
step -210
wait_log "the system clock was changed" 2 5
wait_rows 4 15
assert_eq "$(rows)" "s1:A:completed,s1:B:completed,s2:C:missed,s3:D:completed" "rows after the step back"
played=$(played D)
[ "$played" -ge 5900 ] || fail "D played $played ms of 6000 across the step back"
# The clock passes s1's instant again: nothing airs, and a restart does
# not air it either.
sleep_until $((t0 + 9000))
stop_daemon
start_daemon
sleep 4
expect_exit 0 status --json
assert_eq "$(jq -r '.now_playing' <<<"$OUT")" null "on air after passing s1 again"
assert_eq "$(rows)" "s1:A:completed,s1:B:completed,s2:C:missed,s3:D:completed" "rows after passing s1 again"
note "step back 210 s while D aired: D played to its end ($played ms); s1 came round again, and a restart: nothing aired twice"

now_ms
step $(((t0 + 395000 - NOW) / 1000))
wait_log "the system clock was changed" 1 5 # the log began again with the restart
wait_rows 5 20
stop_daemon
assert_eq "$(rows)" "s1:A:completed,s1:B:completed,s2:C:missed,s3:D:completed,s4:C:completed" "rows at the end"
s4=$("$LOA" log --json | jq -r '.[] | select(.slot == "s4") | .started_at')
[[ "$s4" == *"T$(hms $((t0 + 400000)))."* ]] || fail "s4 started at $s4, not on its second $(hms $((t0 + 400000)))"
expect_exit 0 verify
note "step forward to just before s4: it aired on its second; 5 rows, one per item, loa verify ok"
