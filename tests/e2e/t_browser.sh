# The console in a real browser: tests/web/browser.py drives headless
# Chromium (Selenium) through the operator's and the officer's stories at
# 360 and 1280 px, then the security checks. Here: a station on the paced
# device (so an item stays on air for its length), `loa web` on loopback,
# and the accounts. Screenshots go to $LOA_SCREENSHOTS (make e2e: BUILD/screenshots).
. "$(dirname "$0")/lib.sh"

PY=/usr/bin/python3
[ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && "$PY" -c 'import selenium' 2>/dev/null ||
	fail "the browser tests need chromium, chromium-driver and python3-selenium; run ./deps.sh (as root)"
jack_start

# The slot two hours ahead: the week shows it, and nothing airs on its own.
write_config "$(local_hms_in 7200)" paced "max_minutes = 30;"
echo 'web = { max_upload_mb = 2; };' >>"$LOA_CONFIG"
accounts="operator:phatthanh:mat-khau-phat-thanh officer:theodoi:mat-khau-theo-doi throttle:thu-lan:mat-khau-thu-lan"
for a in $accounts; do
	IFS=: read -r role name password <<<"$a"
	[ "$role" = throttle ] && role=operator
	printf '%s\n' "$password" | "$LOA" user add "$name" --role "$role" >/dev/null || fail "loa user add $name"
done
start_daemon

port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$LOA" web --listen "127.0.0.1:$port" >"$T/web.log" 2>&1 &
WEB_PID=$!
trap 'kill -TERM "$WEB_PID" 2>/dev/null || true; jack_stop; cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	curl -s -o /dev/null "http://127.0.0.1:$port/login" && break
	kill -0 "$WEB_PID" 2>/dev/null || fail "loa web exited: $(cat "$T/web.log")"
	sleep 0.05
done

mkdir -p "$T/work"
LOA_WEB_URL="http://127.0.0.1:$port" LOA_STATE_DIR="$T/state" LOA_WORK="$T/work" LOA_ACCOUNTS="$accounts" \
	LOA_SCREENSHOTS="${LOA_SCREENSHOTS:-$(dirname "$LOA")/screenshots}" \
	"$PY" "$(dirname "$0")/../web/browser.py" ||
	fail "browser tests; console log: $(tail -n 20 "$T/web.log"); daemon log: $(tail -n 20 "$T/daemon.log")"
kill -0 "$WEB_PID" 2>/dev/null || fail "loa web is gone after the browser tests: $(cat "$T/web.log")"
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon is gone after the browser tests: $(cat "$T/daemon.log")"
stop_daemon
