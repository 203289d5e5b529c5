# Shared set-up for the fault tests: everything tests/e2e/lib.sh gives (a
# private station in $T, the capture and paced devices, expect_exit ...),
# and what breaking things needs on top: millisecond timing without a
# process per reading, a daemon that is restarted many times into one log,
# and the ledger's invariants checked straight from the file.
. "$(dirname "${BASH_SOURCE[0]}")/../e2e/lib.sh"

# Lines that start with two spaces are what the test found out; the runner
# shows them even when the test passes.
note() { echo "  $*"; }

# Milliseconds since the epoch, into $NOW (no subshell: the timing of a
# kill must not depend on fork).
now_ms() {
	local t=${EPOCHREALTIME/[.,]/}
	NOW=$((t / 1000))
}

# sleep_until MS: returns at MS since the epoch (or at once if that passed).
sleep_until() {
	local d
	now_ms
	d=$(($1 - NOW))
	[ "$d" -gt 0 ] || return 0
	sleep "$((d / 1000)).$(printf %03d $((d % 1000)))"
}

# The daemon, restarted many times: each run appends to $T/daemon.log.
daemon_launch() {
	echo "--- daemon launched at $(date +%T.%3N)" >>"$T/daemon.log"
	"$LOA" daemon >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
}

# daemon_answers SECONDS: waits until `loa status` answers.
daemon_answers() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited; log: $(tail -20 "$T/daemon.log")"
		"$LOA" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "the daemon did not answer 'loa status' within $1 s; log: $(tail -20 "$T/daemon.log")"
}

# The power cut: SIGKILL, and the process reaped, so nothing of it runs on.
daemon_kill() {
	kill -KILL "$DAEMON_PID" 2>/dev/null || true
	wait "$DAEMON_PID" 2>/dev/null || true
	DAEMON_PID=""
}

DB() { sqlite3 -bail "$T/state/loa.db" "$@"; }

# The invariants that must hold whatever happened, checked on the file:
# SQLite finds the file sound, loa verify finds the chain whole, and no
# planned item (slot, occurrence, bulletin) has more than one row.
check_ledger() {
	local what=$1 ic dup
	ic=$(DB 'PRAGMA integrity_check') || fail "$what: sqlite3 cannot read the database"
	[ "$ic" == ok ] || fail "$what: PRAGMA integrity_check says: $ic"
	"$LOA" verify >"$T/verify.out" 2>&1 || fail "$what: loa verify failed: $(cat "$T/verify.out")"
	dup=$(DB "SELECT slot || ' ' || occurrence_at || ' #' || bulletin_id || ': ' || group_concat(outcome)
		  FROM ledger WHERE kind = 'slot' GROUP BY slot, occurrence_at, bulletin_id HAVING count(*) > 1")
	[ -z "$dup" ] || fail "$what: items with more than one row (aired twice): $dup"
}
