# Who did what (issue #15): import, edit, retire, play, stop, alert, its
# cancelling, a config reload and a backup each leave an audit entry naming
# the Unix user who ran them; `loa log` names who asked for the manual play
# (and who stopped it) and nobody for the scheduled item; `loa audit
# --json` and `--csv` carry exactly their fields; and an audit entry edited
# with the sqlite3 tool makes `loa verify` fail, naming the entry.
. "$(dirname "$0")/lib.sh"
jack_start

me=$(id -un)
db="$T/state/loa.db"
"$MKAUDIO" --seconds 3 --rate 48000 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 8 --rate 48000 --channels 1 tone "$T/p.wav"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/s.wav"
write_config "$(local_hms_in 12)" paced
expect_exit 0 import --title "Tin sáng" --slot sang "$T/a.wav"
a=$OUT
expect_exit 0 import --title "Phát tay" "$T/p.wav"
p=$OUT
expect_exit 0 import --title "Bão" --priority emergency "$T/s.wav"
s=$OUT
expect_exit 0 edit "$p" --title "Phát tay, bản mới" --slot sang
expect_exit 0 edit "$p" --slot sang
expect_exit 0 import --title "Cũ" --force "$T/s.wav"
old=$OUT
expect_exit 0 retire "$old"

start_daemon
# A manual play, stopped on air: both are the user's, and so is its row.
expect_exit 0 play "$p"
wait_on_air "$p" 10
expect_exit 0 stop
# The slot's item airs by the schedule; then an alert, its repetition cancelled.
wait_rows 2 30
expect_exit 0 alert --repeat 2 --every 5 "$s"
expect_exit 0 alert --cancel
wait_rows 3 20
# A reload taken, one refused (the command line cannot read that config
# either: the trail is read with sqlite3 meanwhile), then the good one back.
# Each waits for its entry: two signals pending at once are one.
reloads() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(sqlite3 "$db" "SELECT count(*) FROM audit WHERE action = 'config-reload'")" -ge "$1" ] && return 0
		sleep 0.1
	done
	fail "no audit entry for reload $1; daemon log: $(cat "$T/daemon.log")"
}
kill -HUP "$DAEMON_PID"
reloads 1
cp "$LOA_CONFIG" "$T/good.conf"
echo 'audio = { gap_ms = "long"; };' >>"$LOA_CONFIG"
kill -HUP "$DAEMON_PID"
reloads 2
cp "$T/good.conf" "$LOA_CONFIG"
expect_exit 0 backup "$T/copy.db"
# The slot's second item, held back by the alert, airs after it: let it
# finish, or whether it is on air when the daemon stops (a partial row)
# depends on how fast the reloads and the backup went.
wait_rows 4 30
stop_daemon

# Every entry, in order, and each names the user who ran the test.
expect_exit 0 audit --json
assert_eq "$(jq -r '[.[] | .action] | join(",")' <<<"$OUT")" \
	"import,import,import,edit,edit,import,retire,play,stop,alert,alert-cancel,config-reload,config-reload,backup" \
	"the actions recorded"
assert_eq "$(jq -r "[.[] | select(.actor != \"$me\")] | length" <<<"$OUT")" 0 "entries not by $me"
assert_eq "$(jq -r '[.[] | keys_unsorted | join(",")] | unique | join(" ")' <<<"$OUT")" \
	"id,at,actor,action,target,detail" "the fields of an entry"
assert_eq "$(jq -r '[.[] | .id] | join(",")' <<<"$OUT")" "1,2,3,4,5,6,7,8,9,10,11,12,13,14" "the ids"
jq -e '[.[] | .at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+-][0-9]{2}:[0-9]{2}$")] | all' <<<"$OUT" >/dev/null ||
	fail "an instant is not written as loa log writes them: $OUT"
entry() { jq -r ".[$1] | \"\(.target)|\(.detail)\"" <<<"$OUT"; }
[[ "$(entry 0)" == "#$a|title: 'Tin sáng'; slots: sang; file: 'a.wav'; sha256: "* ]] || fail "import: $(entry 0)"
assert_eq "$(entry 3)" "#$p|title: 'Phát tay' -> 'Phát tay, bản mới'; slots: - -> sang" "the edit"
assert_eq "$(entry 4)" "#$p|no change" "an edit that changes nothing"
assert_eq "$(entry 6)" "#$old|'Cũ': active -> retired" "the retirement"
assert_eq "$(entry 7)" "#$p|title: 'Phát tay, bản mới'" "the play"
assert_eq "$(entry 8)" "#$p|title: 'Phát tay, bản mới'; on air -> cancelled" "the stop"
assert_eq "$(entry 9)" "#$s|title: 'Bão'; repeat: 2; every: 5 min" "the alert"
assert_eq "$(entry 10)" "#$s|repetitions left: 1 -> 0" "the alert's cancelling"
assert_eq "$(entry 11)" "$LOA_CONFIG|taken" "the reload taken"
[[ "$(entry 12)" == "$LOA_CONFIG|refused: $LOA_CONFIG:"[0-9]*": "* ]] || fail "the reload refused: $(entry 12)"
[[ "$(entry 13)" == "$T/copy.db|"*" ledger rows, head "* ]] || fail "the backup: $(entry 13)"

# The ledger names who asked: the play and its stop, the alert; the slot's item nobody.
expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | "\(.kind):\(.outcome):\(.by)"] | join(",")' <<<"$OUT")" \
	"play:cancelled:$me,slot:completed:null,alert:completed:$me,slot:completed:null" "the rows' by"
expect_exit 0 log --csv
# by after row_hash, then the relay's two columns (empty but on relay rows).
head -1 <<<"$OUT" | grep -q ',row_hash,by,relay_source,relay_url'$'\r'$ ||
	fail "loa log --csv has no by column before the relay's: $(head -1 <<<"$OUT")"
[[ "$(sed -n 2p <<<"$OUT")" == *",$me,,"$'\r' ]] || fail "the play's CSV row does not end with $me and no relay"

# CSV: the same fields, a header line, a row per entry.
expect_exit 0 audit --csv
assert_eq "$(head -1 <<<"$OUT" | tr -d '\r' | sed 's/^\xef\xbb\xbf//')" "id,at,actor,action,target,detail" "the CSV header"
assert_eq "$(grep -c $'\r$' <<<"$OUT")" 15 "CSV lines"
[[ "$(sed -n 9p <<<"$OUT")" == "8,"*",$me,play,#$p,"* ]] || fail "the play's CSV line: $(sed -n 9p <<<"$OUT")"
# Text: one line an entry; a bad date names its option.
# The station's day, not the machine's: from 17:00 UTC they differ.
today=$(TZ=$TZ_STATION date +%F)
expect_exit 0 audit --from "$today" --to "$today"
assert_eq "$(wc -l <<<"$OUT")" 15 "text lines"
expect_exit 2 audit --from 2026-02-30
[[ "$ERR" == *"--from"* ]] || fail "a bad --from is not named: $ERR"
expect_exit 2 audit --json --csv

# Both chains intact; the backup has the trail up to it.
expect_exit 0 verify --json
assert_eq "$(jq -c '[.ok, .audit.intact, .audit.entries, .audit.head_id]' <<<"$OUT")" "[true,true,14,14]" "verify"
expect_exit 0 verify --db "$T/copy.db" --json
assert_eq "$(jq -c '[.audit.intact, .audit.entries]' <<<"$OUT")" "[true,13]" "the copy's trail"

# Someone rewrites who stopped the play: loa verify names the entry.
sqlite3 "$db" "DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'lan' WHERE id = 9"
expect_exit 1 verify
[[ "$OUT" == *"audit entry 9"* ]] || fail "verify does not name the entry: $OUT"
[[ "$OUT" == *"the ledger is intact"* ]] || fail "verify no longer says the ledger is intact: $OUT"
[[ "$ERR" == *"edited audit entry 9"* ]] || fail "verify's stderr: $ERR"
[[ "$ERR" == *"audit_no_update"* ]] || fail "the dropped trigger is not reported: $ERR"
expect_exit 1 verify --json
assert_eq "$(jq -c '[.ok, .chain_intact, .audit.intact, .audit.problem, .audit.bad_entry, .audit.entries]' <<<"$OUT")" \
	'[false,true,false,"edited",9,8]' "verify --json"
