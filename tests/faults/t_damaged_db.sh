# A damaged loa.db at start: pages overwritten in the middle (with and
# without a write-ahead log left by a power cut), the file cut short, cut
# inside its header, cut to nothing, a file that is no database, another program's SQLite
# file, a schema from a newer loa. The daemon and every command that writes
# refuse (exit 1) with a message that names the file, says it is damaged
# and how to recover (keep it, restore the loa backup copy); commands that
# only read change nothing and, where they meet the damage, say the same.
# The files are byte for byte what they were (sha256). Then `loa backup`
# copies the database while the daemon airs, and `loa verify --db` accepts
# the copy, which is how a station recovers.
. "$(dirname "$0")/lib.sh"
: "${GEN:?GEN must name bench/gen (run through make check-faults)}"

"$MKAUDIO" --seconds 1 tone "$T/a.wav"
write_config "05:00:00"
# A station with a few months of ledger: a few hundred pages.
"$GEN" --state "$T/state" --audio "$T/a.wav" --bulletins 20 --rows 3000 --days 60 --slot sang=05:00 >/dev/null
expect_exit 0 verify
cp -a "$T/state" "$T/good"
pages=$(DB 'PRAGMA page_count')
note "a database of 3000 rows, $pages pages"

sums() {
	local f
	for f in "$T/state/loa.db" "$T/state/loa.db-wal"; do
		# An absent WAL and an empty one hold the same: nothing.
		if [ -s "$f" ]; then sha256sum "$f" | cut -d' ' -f1; else echo empty; fi
	done | paste -sd' '
}

# refused CASE: the daemon and the writing commands refuse, with the advice;
# readers change nothing; the files do not change.
refused() {
	local case=$1 before rc
	before=$(sums)
	# A daemon that accepted the file would run on: give it 20 s.
	rc=0
	timeout 20 "$LOA" daemon >"$T/out" 2>"$T/err" || rc=$?
	ERR=$(cat "$T/err")
	[ "$rc" -eq 1 ] || fail "$case: the daemon exited $rc, expected 1 (124: it ran on the damaged file); $ERR"
	[[ "$ERR" == *"$T/state/loa.db"* ]] || fail "$case: the daemon's refusal does not name the file: $ERR"
	[[ "$ERR" == *damaged* && "$ERR" == *"loa backup"* && "$ERR" == *"Keep the file"* ]] ||
		[[ "$case" == future || "$case" == foreign ]] ||
		fail "$case: the daemon's refusal lacks the recovery advice: $ERR"
	first_err=$ERR
	expect_exit 1 import --slot sang "$T/a.wav"
	expect_exit 1 edit 1 --title "Sửa"
	expect_exit 1 retire 2
	for cmd in "list" "log" "next" "report --from 2026-01-01 --to 2026-12-31" "verify"; do
		local rc=0
		# shellcheck disable=SC2086
		"$LOA" $cmd >"$T/out" 2>"$T/err" || rc=$?
		if [ "$rc" -ne 0 ]; then
			[ "$rc" -eq 1 ] || fail "$case: loa $cmd exits $rc, expected 0 or 1"
			grep -qE "damaged|newer loa|not one of loa's|not a loa database|not an SQLite" "$T/err" ||
				fail "$case: loa $cmd fails without saying the database is damaged: $(cat "$T/err")"
		fi
	done
	assert_eq "$(sums)" "$before" "$case: sha256 of loa.db and loa.db-wal after the refusals"
	note "$case: refused; $(head -c 160 <<<"$first_err")..."
}

fresh() { rm -rf "$T/state"; cp -a "$T/good" "$T/state"; }

fresh
# Random bytes over 4 pages in the middle of the file.
dd if=/dev/urandom of="$T/state/loa.db" bs=4096 seek=$((pages / 2)) count=4 conv=notrunc status=none
refused "pages overwritten in the middle"

# The daemon ran and was cut off: its newest rows are in the WAL. Then
# damage. Opening and closing must not fold the WAL into the damaged file.
rm -rf "$T/state"
cp -a "$T/good" "$T/state"
write_config "$(local_hms_in 4)"
# A recording of its own: the generated library holds a.wav already.
"$MKAUDIO" --freq 550 tone "$T/b.wav"
expect_exit 0 import --slot sang "$T/b.wav"
start_daemon
wait_rows 3001 15
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null || true
DAEMON_PID=""
[ -s "$T/state/loa.db-wal" ] || fail "the cut-off daemon left no write-ahead log to test with"
dd if=/dev/urandom of="$T/state/loa.db" bs=4096 seek=$((pages / 3)) count=2 conv=notrunc status=none
refused "a power cut, then pages overwritten"
write_config "05:00:00"

fresh
truncate -s $((pages / 2 * 4096 + 1234)) "$T/state/loa.db"
refused "cut short"

fresh
truncate -s 10 "$T/state/loa.db"
refused "cut inside its header"

fresh
truncate -s 0 "$T/state/loa.db"
refused "cut to nothing"
[[ "$first_err" == *"held a ledger once"* ]] || fail "an emptied database is not explained: $first_err"

fresh
cp "$T/a.wav" "$T/state/loa.db"
refused "not a database (a WAV file)"

fresh
sqlite3 "$T/state/loa.db" 'PRAGMA user_version = 99'
refused future
[[ "$first_err" == *"newer loa"*"99"* ]] || fail "the future schema is not explained: $first_err"

rm -rf "$T/state"
mkdir "$T/state"
sqlite3 "$T/state/loa.db" 'CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)'
refused foreign
[[ "$first_err" == *"not one of loa's"* ]] || fail "a foreign database is not explained: $first_err"

# The advice in Vietnamese too.
fresh
dd if=/dev/urandom of="$T/state/loa.db" bs=4096 seek=$((pages / 2)) count=4 conv=notrunc status=none
rc=0
LANGUAGE=vi "$LOA" daemon >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "the daemon's exit on a damaged database, in Vietnamese"
grep -q "loa backup" "$T/err" && ! grep -q "Keep the file" "$T/err" ||
	fail "the refusal is not in Vietnamese: $(cat "$T/err")"

# The way out: `loa backup` while the daemon airs on a paced device, the
# copy checked by `loa verify --db`, and the daemon started on it.
jack_start
rm -rf "$T/state"
cp -a "$T/good" "$T/state"
"$MKAUDIO" --seconds 6 --rate 48000 --channels 1 tone "$T/long.wav"
write_config "$(local_hms_in 4)" paced
expect_exit 0 import --title "Dài" --slot sang "$T/long.wav"
long=$OUT
start_daemon
wait_on_air "$long" 15
expect_exit 0 backup "$T/copy.db"
copied=$(sed -n 's/.*: \([0-9]*\) ledger rows, head \([0-9a-f]*\) .*/\1/p' <<<"$OUT")
head=$(sed -n 's/.*: \([0-9]*\) ledger rows, head \([0-9a-f]*\) .*/\2/p' <<<"$OUT")
[ -n "$copied" ] && [ "$copied" -ge 3000 ] || fail "the backup while airing reports: $OUT"
expect_exit 2 backup "$T/copy.db"
# The item on air when the copy was taken ends after it.
wait_rows $((copied + 1)) 20
stop_daemon
expect_exit 0 verify --db "$T/copy.db"
# The copy is a prefix of the ledger that went on growing.
expect_exit 0 verify --head "$head"
assert_eq "$(sqlite3 "$T/copy.db" 'PRAGMA integrity_check')" ok "the copy's integrity_check"
assert_eq "$(sqlite3 "$T/copy.db" 'PRAGMA journal_mode')" delete "the copy's journal mode (one file)"
# Restoring it, as the refusal says: the damaged file aside, the copy in.
dd if=/dev/urandom of="$T/state/loa.db" bs=4096 seek=$((pages / 2)) count=4 conv=notrunc status=none
expect_exit 1 daemon
mkdir "$T/damaged"
mv "$T/state/loa.db" "$T/state/loa.db-wal" "$T/state/loa.db-shm" "$T/damaged/"
cp "$T/copy.db" "$T/state/loa.db"
write_config "$(local_hms_in 4)" paced
start_daemon
wait_rows $((copied + 1)) 20
stop_daemon
expect_exit 0 verify
note "loa backup while airing: $copied rows copied, verify --db accepts the copy, its head is in the live ledger; restored, the daemon airs on it"
