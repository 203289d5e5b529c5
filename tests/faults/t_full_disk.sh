# Full disk: state_dir on a 1 MB tmpfs that a filler file fills up while
# the daemon airs bulletins (`loa play`) on the capture device, whose file
# is outside the small filesystem. The items air on (the capture grows),
# `loa status` says how many rows wait and why, in JSON and in a line in
# Vietnamese, and the journal says it once; once the filler is removed the
# retry timer writes every row, in the order they aired, the chain intact
# and SQLite's integrity check ok. On the way it notes what SQLite does:
# rows still fit into the WAL's pages after a checkpoint, then commits
# fail; a checkpoint by another connection fails once loa.db must grow,
# and leaves the file sound. Filled again and stopped (SIGTERM) with rows
# waiting, the daemon lists each row it could not write and exits 1; then
# it starts on the full disk, airs, and writes once there is space.
#
# The test runs in a mount namespace of its own (unshare -m, or a user
# namespace where root is not at hand), so the tmpfs goes when it ends; it
# is skipped, saying why, only where no namespace can mount one.
#   LOA=build/loa MKAUDIO=build/mkaudio bash tests/faults/t_full_disk.sh
. "$(dirname "$0")/mountns.sh"
. "$(dirname "$0")/../e2e/lib.sh"

note() { echo "  $*"; }

small="$T/small"
mkdir "$small"
if ! mount -t tmpfs -o size=1m,mode=0755 loa-full-disk "$small" 2>"$T/mount.err"; then
	echo "  SKIP t_full_disk: cannot mount a tmpfs even in a mount namespace of its own: $(cat "$T/mount.err")"
	exit 0
fi
unmount_small() {
	if [ -n "$DAEMON_PID" ]; then
		kill -KILL "$DAEMON_PID" 2>/dev/null || true
		wait "$DAEMON_PID" 2>/dev/null || true
		DAEMON_PID=""
	fi
	umount "$small" 2>/dev/null || true
	cleanup
}
trap unmount_small EXIT
db="$small/state/loa.db"
SQL() { sqlite3 -bail "$db" "$@"; }

# The capture appends (through a pipe: the file plugin would start the
# file again at each open): it grows by each item aired.
cat >>"$T/asound.conf" <<ALSA
pcm.growing { type file; slave.pcm "null"; file "|cat >>$T/capture.raw"; format "raw"; }
ALSA
captured() { stat -c %s "$T/capture.raw" 2>/dev/null || echo 0; }

# The daemon speaks Vietnamese (its log, the status line), compiled as
# t_i18n does; JSON stays as it is.
LOA_LOCALEDIR=${LOA_LOCALEDIR:-$(dirname "$LOA")/locale}
export LOA_LOCALEDIR
[ -f "$LOA_LOCALEDIR/vi/LC_MESSAGES/loa.mo" ] ||
	fail "no Vietnamese catalogue at $LOA_LOCALEDIR (make builds it, or set LOA_LOCALEDIR)"
mkdir "$T/locales"
localedef -i vi_VN -f UTF-8 "$T/locales/vi_VN.UTF-8" 2>"$T/localedef.err" ||
	fail "localedef could not build vi_VN.UTF-8: $(cat "$T/localedef.err")"
vi_daemon() {
	LOCPATH="$T/locales" LANG=vi_VN.UTF-8 LC_ALL='' LANGUAGE='' "$LOA" daemon >>"$T/daemon.log" 2>&1 &
	DAEMON_PID=$!
	local i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon exited: $(cat "$T/daemon.log")"
		"$LOA" status >/dev/null 2>&1 && return 0
		sleep 0.05
	done
	fail "the daemon did not answer within 10 s: $(cat "$T/daemon.log")"
}

cat >"$LOA_CONFIG" <<CONF
station = { name = "Xã Thử Nghiệm"; timezone = "$TZ_STATION"; };
paths = { state_dir = "$small/state"; socket = "$T/loa.sock"; };
audio = { device = "growing"; gap_ms = 0; };
clock = { require_sync = false; };
limits = { earliest = "00:00"; latest = "23:59"; };
slots = ( { name = "sang"; start = "$(local_hms_in 43200)"; days = ["mon","tue","wed","thu","fri","sat","sun"]; } );
CONF
ids=() TITLES=(A B C)
for t in "${TITLES[@]}"; do
	"$MKAUDIO" --seconds 0.5 --rate 8000 --channels 1 tone "$T/$t.wav"
	# The same tone each time: --force, as for another campaign.
	expect_exit 0 import --force --title "$t" "$T/$t.wav"
	ids+=("$OUT")
done

status_json() { "$LOA" status --json; }
pending() { status_json | jq -r .ledger_pending; }
rows() { SQL "SELECT count(*) FROM ledger"; }
# wait_idle SECONDS: until nothing is on air or queued.
wait_idle() {
	local i
	for ((i = 0; i < $1 * 20; i++)); do
		[ "$(status_json | jq -r '.state + " " + (.queued | tostring)')" == "idle 0" ] && return 0
		sleep 0.05
	done
	fail "the daemon did not go idle in $1 s: $(tail -5 "$T/daemon.log")"
}
aired=() # the titles in the order they were played
# play_one: airs the next of A, B, C and checks the capture grew.
play_one() {
	local before k=$((${#aired[@]} % 3))
	before=$(captured)
	expect_exit 0 play --force "${ids[$k]}"
	wait_idle 10
	[ "$(captured)" -gt "$before" ] || fail "($before -> $(captured) bytes; $(tail -3 "$T/daemon.log")) play #$((${#aired[@]} + 1)) did not reach the capture device"
	aired+=("${TITLES[$k]}")
}
# fill: the filler takes every free block of the small filesystem.
fill() {
	dd if=/dev/zero of="$small/filler" bs=4096 2>/dev/null || true
	[ "$(df --output=avail -B1 "$small" | tail -1)" -eq 0 ] || fail "the filler left space: $(df "$small")"
}
# play_until_pending N LIMIT: plays until N rows wait, at most LIMIT plays.
play_until_pending() {
	local n=0
	while [ "$(pending)" -lt "$1" ]; do
		[ "$n" -lt "$2" ] || fail "after $2 plays on a full disk, $(pending) rows wait; log: $(tail -5 "$T/daemon.log")"
		play_one
		n=$((n + 1))
	done
	PLAYS=$n
}

vi_daemon
for _ in 1 2 3; do play_one; done
[ "$(rows)" -eq 3 ] || fail "the first plays have no rows"
# A checkpoint copies the WAL into loa.db (which grows now, while it can),
# so the daemon's next write starts the WAL again from its beginning, over
# pages the file already has, as it does on a station every 1000 pages.
note "checkpoint before the fill (busy, log, checkpointed): $(SQL 'PRAGMA wal_checkpoint(PASSIVE)' | tr '|' ' ')"
wal_before=$(stat -c %s "$db-wal")

# --- The disk fills. ---
fill
written=$(rows)
play_until_pending 1 60
slack=$(($(rows) - written))
note "disk full: $slack row(s) still went into the $wal_before bytes the WAL had, then rows waited (after $PLAYS plays)"
for _ in 1 2 3; do play_one; done
want=$(($(rows) + $(pending)))
[ "$want" -eq "${#aired[@]}" ] || fail "$(rows) rows written + $(pending) waiting, but ${#aired[@]} items aired"
st=$(status_json)
[ "$(jq -r .ledger_pending <<<"$st")" -ge 4 ] || fail "status: $st"
[[ "$(jq -r .ledger_error <<<"$st")" == "the disk holding $db is full" ]] ||
	fail "status --json does not say the disk is full: $st"
expect_exit 0 status
[[ "$OUT" == *"dòng sổ ghi đang chờ được ghi: đĩa chứa $db đã đầy"* ]] ||
	fail "the status line does not say, in Vietnamese, that rows wait: $OUT"
note "status while full: $(jq -c '{ledger_pending, ledger_error}' <<<"$st")"
note "status line: $OUT"

# --- Space is back: the retry timer writes the rows, in order. ---
rm "$small/filler"
freed=${EPOCHREALTIME/[.,]/}
for ((i = 0; i < 700; i++)); do
	[ "$(pending)" -eq 0 ] && break
	sleep 0.1
done
[ "$(pending)" -eq 0 ] || fail "the rows still wait 70 s after the filler went: $(status_json)"
took=$(((${EPOCHREALTIME/[.,]/} - freed) / 1000))
note "rows written by the retry timer $took ms after space came back (backoff 1 s doubling to 60 s)"
[ "$(rows)" -eq "${#aired[@]}" ] || fail "$(rows) rows for ${#aired[@]} items aired"
order=$(SQL "SELECT group_concat(title, '') FROM (SELECT title FROM ledger ORDER BY id)")
assert_eq "$order" "$(printf %s "${aired[@]}")" "titles in ledger order"
SQL "SELECT a.id FROM ledger a JOIN ledger b ON b.id = a.id + 1 WHERE b.started_at < a.ended_at" >"$T/unordered"
[ ! -s "$T/unordered" ] || fail "rows out of the order they aired: $(cat "$T/unordered")"
assert_eq "$(SQL "SELECT count(*) FROM ledger WHERE outcome <> 'completed'")" 0 "rows not completed"
assert_eq "$(SQL 'PRAGMA integrity_check')" ok "integrity_check"
expect_exit 0 verify
assert_eq "$(status_json | jq -c '[.ledger_pending, .ledger_error]')" '[0,null]' "status after"
# The journal: once when it began, once when the rows were written.
began=$(grep -c "đĩa chứa $db đã đầy; vẫn tiếp tục phát" "$T/daemon.log" || true)
assert_eq "$began" 1 "journal lines saying the disk is full"
grep -q "đã ghi $(($(rows) - written - slack)) dòng sổ ghi đang chờ" "$T/daemon.log" ||
	fail "the journal does not say the waiting rows were written: $(tail -5 "$T/daemon.log")"
play_one # and the next write goes straight in
if [ "$(pending)" -ne 0 ] || [ "$(rows)" -ne "${#aired[@]}" ]; then
	fail "the write after the disk came back waits: $(status_json)"
fi

# --- Full again: checkpoints on a full disk, by another connection. ---
# Enough rows since the last checkpoint that the WAL holds pages past the
# end of loa.db: copying them back needs loa.db to grow.
pages=$(SQL 'PRAGMA page_count')
while [ "$(SQL 'PRAGMA page_count')" -le "$((pages + 1))" ]; do play_one; done
fill
for mode in PASSIVE TRUNCATE; do
	ck=$(SQL "PRAGMA wal_checkpoint($mode)" 2>&1) && ckrc=0 || ckrc=$?
	note "$mode checkpoint on the full disk: exit $ckrc, $ck; WAL now $(stat -c %s "$db-wal") bytes"
	assert_eq "$(SQL 'PRAGMA integrity_check')" ok "integrity_check after a $mode checkpoint on the full disk"
	expect_exit 0 verify
done
# (A TRUNCATE checkpoint that succeeds gives the WAL's space back.)
fill

# --- Stopped with rows waiting. ---
before=$(rows)
play_until_pending 2 60
lost=$(pending)
kill -TERM "$DAEMON_PID"
rc=0
wait "$DAEMON_PID" || rc=$?
DAEMON_PID=""
assert_eq "$rc" 1 "the daemon's exit status when it could not write every row"
grep "dòng sổ ghi chưa được ghi" "$T/daemon.log" >"$T/lost" || true
assert_eq "$(wc -l <"$T/lost")" "$lost" "rows listed as not written"
# Each line names the row (due time, loa play, the bulletin, the outcome),
# the last items aired, in the order they aired.
listed=$(sed -n "s/.*, loa play, bản tin #[0-9]* '\(.\)': completed, đã phát 500 ms$/\1/p" "$T/lost" | paste -sd '')
assert_eq "$listed" "$(printf %s "${aired[@]: -$lost}")" "the rows listed as not written"
note "stopped with $lost rows waiting: exit 1, and the journal lists them:"
sed 's/^/    /' "$T/lost"
assert_eq "$(SQL 'PRAGMA integrity_check')" ok "integrity_check after the stop"
expect_exit 0 verify
assert_eq "$(($(rows) + lost))" "${#aired[@]}" "rows written + rows listed"
[ "$(rows)" -ge "$before" ] || fail "rows went missing"

# --- Started on the full disk: it airs; space comes back; it stops cleanly. ---
start_daemon
kill -0 "$DAEMON_PID" 2>/dev/null || fail "the daemon does not start on a full disk: $(cat "$T/daemon.log")"
play_until_pending 1 60
rm "$small/filler"
for ((i = 0; i < 700; i++)); do
	[ "$(pending)" -eq 0 ] && break
	sleep 0.1
done
[ "$(pending)" -eq 0 ] || fail "the rows still wait 70 s after the filler went: $(status_json)"
stop_daemon
note "started on the full disk: aired, $PLAYS play(s) until a row waited, written once the filler went, clean stop"
assert_eq "$(($(rows) + lost))" "${#aired[@]}" "rows after the restart"
assert_eq "$(SQL 'PRAGMA integrity_check')" ok "integrity_check at the end"
expect_exit 0 verify
