# The ledger as evidence, end to end: a station airs bulletins (completed),
# accounts for slots that passed while it was off (missed) and for a file
# that vanished from the store; then `loa verify` vouches for the chain,
# `loa backup` makes a copy that verifies on its own, `loa report` gives the
# same numbers as CSV and JSON (and an HTML page that renders), awkward
# titles survive the CSV round trip, and an edit through the sqlite3 tool
# with the triggers dropped makes verify exit 1 naming the row.
. "$(dirname "$0")/lib.sh"

# CSV FILE as JSON rows keyed by its header line, parsed by sqlite3's own
# RFC 4180 reader (quoted commas, quotes and newlines; it drops the BOM).
csv_json() { sqlite3 -json :memory: ".import --csv $1 t" "SELECT * FROM t"; }

"$MKAUDIO" --seconds 2 --rate 44100 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 1 --rate 44100 --channels 1 tone "$T/b.wav"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/c.wav"
start=$(local_hms_in 6)
write_config "$start" capture "max_minutes = 1;"

expect_exit 0 import --title "A" --topic 3 --plan "KH 12/KH-UBND" --slot sang "$T/a.wav"
a=$OUT
b_title='Tin <b>nông</b> & "vụ" mùa'
expect_exit 0 import --title "$b_title" --topic 5 --slot sang "$T/b.wav"
b=$OUT
expect_exit 0 import --title "C" --topic an-ninh --slot sang "$T/c.wav"
c=$OUT
"$MKAUDIO" --seconds 70 --rate 8000 --channels 1 tone "$T/d.wav"
expect_exit 0 import --title "D" --slot sang "$T/d.wav"
d=$OUT
expect_exit 2 import --topic 7x_ --slot sang "$T/c.wav"
expect_exit 2 import --topic -a --slot sang "$T/c.wav"

# A title no import accepts (it holds a newline) but another tool might
# write; and the library as if imported two days ago, so the two slots
# since then were missed. C's file turns to garbage in the store (it fails
# to play); D is longer than the slot (skipped).
title=$'Thông báo "khẩn", phòng chống bão số 3\nxã Yên Bình'
db="$T/state/loa.db"
sqlite3 "$db" "UPDATE bulletins SET title = 'Thông báo \"khẩn\", phòng chống bão số 3' || char(10) ||
	'xã Yên Bình' WHERE id = $a; UPDATE bulletins SET imported_at = imported_at - 2 * 86400000;"
echo "not audio any more" >"$(sqlite3 "$db" "SELECT path FROM bulletins WHERE id = $c")"

start_daemon
wait_rows 12 20
# Online: the daemon has the database open in WAL mode.
expect_exit 0 backup "$T/online.db"
stop_daemon
expect_exit 0 verify --db "$T/online.db"

expect_exit 0 log --json
log=$OUT
n_rows=$(jq length <<<"$log")
assert_eq "$(jq -c 'group_by(.outcome) | map({(.[0].outcome): length}) | add' <<<"$log")" \
	'{"completed":2,"failed":1,"missed":6,"skipped":3}' "outcomes"
assert_eq "$(jq "[.[] | select(.outcome == \"completed\" and .bulletin_id == $a)] | length" <<<"$log")" 1 \
	"completed rows of A"
assert_eq "$(jq -r "[.[] | select(.bulletin_id == $a)][0].title" <<<"$log")" "$title" "title snapshot"
head=$(jq -r '.[-1].row_hash' <<<"$log")

# Verify: intact, the head the log ends with.
expect_exit 0 verify
[[ "$OUT" == *"intact"*"$head"* ]] || fail "verify does not print the head: $OUT"
expect_exit 0 verify --json
assert_eq "$(jq -r '.ok, .rows, .head, .problem' <<<"$OUT" | tr '\n' ' ')" "true $n_rows $head null " "verify --json"
first=$(jq -r '.[2].row_hash' <<<"$log")
expect_exit 0 verify --head "$first"
assert_eq "$(jq -r '.expected_head.row' <<<"$("$LOA" verify --json --head "$first")")" 3 "--head row"
expect_exit 1 verify --head "$(printf '%064d' 7)"
expect_exit 2 verify --head nothex
expect_exit 2 verify --db "$T/nowhere.db"
expect_exit 2 verify --db "$T/a.wav"

# Backup: a copy that verifies without a config; never over a file.
expect_exit 0 backup "$T/backup.db"
[[ "$OUT" == *"$head"* ]] || fail "backup does not print the head: $OUT"
[ ! -e "$T/backup.db-wal" ] || fail "the backup is not one self-contained file"
LOA_CONFIG=/nonexistent expect_exit 0 verify --db "$T/backup.db" --json
assert_eq "$(jq -r '.ok, .head' <<<"$OUT" | tr '\n' ' ')" "true $head " "verify of the backup"
sum=$(cksum <"$T/backup.db")
expect_exit 2 backup "$T/backup.db"
[[ "$ERR" == *"already exists"* ]] || fail "backup over a file: $ERR"
assert_eq "$(cksum <"$T/backup.db")" "$sum" "the existing backup was changed"
expect_exit 2 backup "$T/no/such/folder/b.db"
[ -z "$(find "$T" -maxdepth 1 -name '.loa-backup-*')" ] || fail "backup left a temporary file"

# Report: CSV and JSON give the same numbers, group by group.
today=$(TZ=$TZ_STATION date +%F)
from=$(TZ=$TZ_STATION date -d '-3 days' +%F)
counters='planned completed partial preempted cancelled missed skipped failed aired_ms'
for by in topic plan bulletin slot day; do
	expect_exit 0 report --from "$from" --to "$today" --by "$by" --format json
	json=$OUT
	assert_eq "$(jq -r .ledger_head <<<"$json")" "$head" "report head"
	assert_eq "$(jq .total.planned <<<"$json")" "$n_rows" "planned = rows ($by)"
	expect_exit 0 report --from "$from" --to "$today" --by "$by" -o "$T/r-$by.csv"
	from_json=$(jq -c --arg c "$counters" '[(.groups[] | [.key, .name]), ["total", null]] as $k |
		[.groups[], .total] | to_entries | map([$k[.key][0]] + [.value[($c | split(" "))[]]] +
		[.value.compliance])' <<<"$json")
	from_csv=$(csv_json "$T/r-$by.csv" | jq -c --arg c "$counters" 'map([.key] +
		[.[($c | split(" "))[]] | tonumber] + [if .compliance == "" then null else
		(.compliance | tonumber) end])')
	assert_eq "$from_csv" "$from_json" "CSV and JSON numbers by $by"
	[ "$(csv_json "$T/r-$by.csv" | jq -r '.[0].ledger_head')" = "$head" ] || fail "CSV without the head"
done
bytes=$(head -c 3 "$T/r-topic.csv" | od -An -tx1 | tr -d ' ')
assert_eq "$bytes" efbbbf "CSV BOM"
[ "$(grep -c $'\r$' "$T/r-topic.csv")" -eq "$(wc -l <"$T/r-topic.csv")" ] || fail "CSV lines do not end in CRLF"
assert_eq "$(csv_json "$T/r-topic.csv" | jq -r '.[] | select(.key == "3") | .name')" \
	"Chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước" "topic 3 name"
expect_exit 0 report --from "$from" --to "$today" --format json --lang en
assert_eq "$(jq -r '.groups[] | select(.key == "5") | .name' <<<"$OUT")" \
	"Knowledge: science, technology, economy, culture, society" "topic 5 in English"

# CSV round trip of the awkward title: log and report.
"$LOA" log --csv >"$T/log.csv"
assert_eq "$(csv_json "$T/log.csv" | jq -r "[.[] | select(.bulletin_id == \"$a\")][0].title")" "$title" \
	"title through loa log --csv"
assert_eq "$(csv_json "$T/r-bulletin.csv" | jq -r ".[] | select(.key == \"$a\") | .name")" "$title" \
	"title through loa report --csv"

# HTML: one page, everything escaped; rendered when Chromium is here.
expect_exit 0 report --from "$from" --to "$today" --by bulletin --format html -o "$T/r.html"
grep -qF 'Tin &lt;b&gt;nông&lt;/b&gt; &amp; &quot;vụ&quot; mùa' "$T/r.html" || fail "title not escaped in HTML"
! grep -qF '<b>nông' "$T/r.html" || fail "raw markup from a title in the HTML"
grep -qF '@page { size: A4' "$T/r.html" || fail "no A4 print CSS"
grep -qF '<svg class="chart"' "$T/r.html" || fail "no inline chart"
grep -qF "$head" "$T/r.html" || fail "no ledger head in the HTML"
! grep -qiE '(src|href)="https?:' "$T/r.html" || fail "the HTML fetches something"
# The y axis of seconds-long test items: six labels, each one different.
axis=$(grep -oE 'text-anchor="end">[0-9]+(,[0-9]+)?<' "$T/r.html" | sort -u | wc -l)
assert_eq "$axis" 6 "distinct y-axis labels in the chart"
expect_exit 0 report --from "$from" --to "$today" --format html --lang en -o "$T/r-en.html"
grep -qF 'Broadcast report' "$T/r-en.html" || fail "no English title"
if command -v chromium >/dev/null; then
	profile=$(mktemp -d -p "$T")
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --screenshot="$T/r.png" --window-size=794,1123 \
		"file://$T/r.html" >/dev/null 2>&1 || true
	[ "$(head -c 4 "$T/r.png" 2>/dev/null | od -An -c | tr -d ' ')" = '211PNG' ] ||
		fail "Chromium did not render the HTML report to a PNG"
else
	echo "note: chromium is not installed; the HTML report was not rendered to PNG"
fi

# Bad requests: exit 2, nothing written.
expect_exit 2 report --from "$today"
expect_exit 2 report --from 2026-02-30 --to "$today"
expect_exit 2 report --from "$today" --to "$from"
expect_exit 2 report --from "$from" --to "$today" --by week
expect_exit 2 report --from "$from" --to "$today" --format pdf
expect_exit 2 report --from "$from" --to "$today" --lang fr
expect_exit 2 report --from "$from" --to "$today" -o "$T"
expect_exit 2 report --from "$from" --to "$today" -o "$T/no/such/r.csv"

# Tampering with the sqlite3 tool: an outcome changed, a row deleted, two
# rows swapped. Each is found and named; the backup still verifies.
missed=$(jq '[.[] | select(.outcome == "missed")][1].id' <<<"$log")
cp "$T/backup.db" "$T/deleted.db"
cp "$T/backup.db" "$T/swapped.db"
sqlite3 "$db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET outcome = 'completed', reason = NULL,
	played_ms = 2000 WHERE id = $missed"
expect_exit 1 verify
[[ "$OUT$ERR" == *"row $missed"* ]] || fail "verify does not name row $missed: $OUT $ERR"
[[ "$OUT" == *"row $missed as it stands now: slot sang"* ]] || fail "verify does not show row $missed: $OUT"
expect_exit 1 verify --json
assert_eq "$(jq -r '.ok, .problem, .row' <<<"$OUT" | tr '\n' ' ')" "false edited $missed " "verify --json after an edit"
expect_exit 0 report --from "$from" --to "$today" --format json
assert_eq "$(jq .ledger_intact <<<"$OUT")" false "a report from a tampered ledger says so"
expect_exit 0 verify --db "$T/backup.db"
sqlite3 "$T/deleted.db" "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE id = 4"
expect_exit 1 verify --db "$T/deleted.db" --json
assert_eq "$(jq -r '.problem, .row' <<<"$OUT" | tr '\n' ' ')" "removed 4 " "verify after a deletion"
sqlite3 "$T/swapped.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET id = -2 WHERE id = 2;
	UPDATE ledger SET id = 2 WHERE id = 5; UPDATE ledger SET id = 5 WHERE id = -2"
expect_exit 1 verify --db "$T/swapped.db" --json
assert_eq "$(jq -r '.problem, .row' <<<"$OUT" | tr '\n' ' ')" "reordered 2 " "verify after a swap"
