# The province's acknowledgements as witnesses of the ledger: once the
# link has sent what aired, `loa verify` says up to which row the province
# witnessed it, and `loa report` prints the same under the ledger head in
# CSV, JSON and HTML. Then two tamperers, each on a copy: one drops the
# update trigger with sqlite3 and edits a witnessed row (the chain fails
# before the witnessed row, and verify says the province holds the
# proof); one also recomputes every hash after it with loa's own encoding
# (the chain passes, the witness does not).
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 1 --rate 44100 --channels 1 tone "$T/a.wav"
"$MKAUDIO" --seconds 1 --rate 48000 --channels 1 tone "$T/b.wav"
write_config "$(local_hms_in 5)" capture
province_start
upstream_config
expect_exit 0 import --title "Bản tin A" --topic 1 --slot sang "$T/a.wav"
expect_exit 0 import --title "Bản tin B" --topic 4 --slot sang "$T/b.wav"
link_start
start_daemon
wait_rows 2 20
wait_province records.jsonl 2 20
# The acknowledgement is recorded just after the province answers.
for ((i = 0; i < 50; i++)); do
	[ "$("$LOA" upstream status --json | jq -r .witnessed_row)" == 2 ] && break
	sleep 0.1
done
stop_daemon
link_stop

expect_exit 0 log --json
h2=$(jq -r '.[1].row_hash' <<<"$OUT")
expect_exit 0 verify
[[ "$OUT" == *"the ledger is intact: 2 rows"*"witnessed by the province up to row 2 (hash $h2) at "* ]] ||
	fail "verify does not name the witness: $OUT"
expect_exit 0 verify --json
assert_eq "$(jq -r '[.ok, .witness.row, .witness.hash, .witness.holds] | map(tostring) | join(" ")' <<<"$OUT")" \
	"true 2 $h2 true" "verify --json: the witness"

today=$(TZ=$TZ_STATION date +%F)
expect_exit 0 report --from "$today" --to "$today" --format json
assert_eq "$(jq -r '[.ledger_intact, .ledger_witness.row, .ledger_witness.hash] | map(tostring) | join(" ")' <<<"$OUT")" \
	"true 2 $h2" "report JSON: the witness"
expect_exit 0 report --from "$today" --to "$today" --format csv
assert_eq "$(sqlite3 -json :memory: ".import --csv /dev/stdin t" "SELECT * FROM t" <<<"$OUT" |
	jq -r '.[-1] | [.witnessed_row, .witnessed_hash] | join(" ")')" "2 $h2" "report CSV: the witness"
expect_exit 0 report --from "$today" --to "$today" --format html --lang en
[[ "$OUT" == *"<th>Witnessed by the province</th><td>up to row 2 (<span class=\"hash\">$h2</span>) at "* ]] ||
	fail "report HTML: no witness line"
expect_exit 0 report --from "$today" --to "$today" --format html
[[ "$OUT" == *"<th>Tỉnh đã xác nhận</th><td>đến dòng 2"* ]] || fail "report HTML (vi): no witness line"

# The first tamperer: the trigger dropped, the first row's title changed.
expect_exit 0 backup "$T/naive.db"
sqlite3 "$T/naive.db" "DROP TRIGGER ledger_no_update; UPDATE ledger SET title = 'Bản tin khác' WHERE id = 1"
expect_exit 1 verify --db "$T/naive.db"
[[ "$OUT" == *"row 1: its content does not match its hash"* ]] || fail "verify does not find the edit: $OUT"
[[ "$OUT" == *"the chain fails at row 1, before row 2, which the province witnessed (hash $h2 at "*"so the tampering is provable"* ]] ||
	fail "verify does not say the break is before the witness: $OUT"
[[ "$ERR" == *"differs from what the province witnessed"* ]] || fail "verify's stderr: $ERR"

# The second tamperer knows loa's row encoding (ledger/ledger.c) and
# recomputes every hash from the edited row on, so the chain is whole.
expect_exit 0 backup "$T/clever.db"
/usr/bin/python3 - "$T/clever.db" <<'PY'
import hashlib, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DROP TRIGGER ledger_no_update")
db.execute("UPDATE ledger SET title = 'Bản tin khác' WHERE id = 1")
cols = ["id", "kind", "occurrence_at", "scheduled_at", "started_at", "ended_at", "frames", "played_ms",
        "outcome", "reason", "bulletin_id", "title", "topic", "plan", "slot", "content_sha256", "xruns"]
prev = "0" * 64
for row in db.execute("SELECT %s, actor FROM ledger ORDER BY id" % ", ".join(cols)).fetchall():
    enc = b"loa-ledger-v1\n"
    def line(name, v):
        global enc
        b = b"null" if v is None else (str(v).encode() if isinstance(v, int) else v.encode())
        enc += name.encode() + b"=" + (b if v is None else str(len(b)).encode() + b":" + b) + b"\n"
    for name, v in zip(cols, row[:-1]):
        line(name, v)
    if row[-1] is not None:
        line("by", row[-1])
    line("prev_hash", prev)
    h = hashlib.sha256(enc).hexdigest()
    db.execute("UPDATE ledger SET prev_hash = ?, row_hash = ? WHERE id = ?", (prev, h, row[0]))
    prev = h
db.commit()
PY
expect_exit 1 verify --db "$T/clever.db" --json
assert_eq "$(jq -r '[.chain_intact, .ok, .witness.holds, .witness.bad_row] | map(tostring) | join(" ")' <<<"$OUT")" \
	"true false false 1" "verify of a recomputed chain"
expect_exit 1 verify --db "$T/clever.db"
[[ "$OUT" == *"the chain of 2 rows is whole, but it is not the ledger the province witnessed"*"row 1 is not what the province witnessed"*"the province's copy proves it"* ]] ||
	fail "verify does not hold the recomputed chain to the witness: $OUT"
echo "  witnessed up to row 2; an edit, and an edit with every hash recomputed, both caught"
