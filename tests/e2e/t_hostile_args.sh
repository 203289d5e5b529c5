# Hostile input on the command line: every argument of every command that
# is wrong (dates, ids, counts, text, names, paths that are folders, pipes,
# devices, links to them, too long, in a missing folder) is refused with
# exit 2, a message on stderr that names it and no raw control character,
# nothing on stdout, and nothing stored: the library, the ledger and the
# content store are the same after each one. Nothing may hang: every run
# has a time limit, and a FIFO or /dev/zero must be refused, not read.
. "$(dirname "$0")/lib.sh"

write_config "05:30"
cd "$T"
"$MKAUDIO" tone "$T/good.wav"
expect_exit 0 import --slot sang "$T/good.wav"
assert_eq "$OUT" 1 "first bulletin id"

state() {
	"$LOA" list --all --json
	"$LOA" log --json
	find "$T/state/content" -type f | sort
	sha256sum "$T/state/loa.db"
}
BEFORE=$(state)

# refuse WORD ARGS...: loa ARGS exits 2 within 20 s, says WORD on stderr,
# prints nothing on stdout and changes nothing.
refuse() {
	local word=$1 rc=0
	shift
	timeout 20 "$LOA" "$@" >"$T/out" 2>"$T/err" || rc=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
	local what="loa $(printf '%q ' "$@" | head -c 200)"
	[ "$rc" -ne 124 ] || fail "$what: still running after 20 s"
	[ "$rc" -eq 2 ] || fail "$what: exit $rc, expected 2; stderr: $ERR"
	[[ "$ERR" == *"$word"* ]] || fail "$what: stderr does not say '$word': $ERR"
	[ -z "$OUT" ] || fail "$what: printed on stdout: $OUT"
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/err"; then
		fail "$what: a raw control character in the message: $(od -c "$T/err" | head -5)"
	fi
	[ "$(wc -c <"$T/err")" -lt 2000 ] || fail "$what: a message of $(wc -c <"$T/err") bytes"
	assert_eq "$(state)" "$BEFORE" "$what: the station's state"
}

LONG=$(head -c 10240 /dev/zero | tr '\0' a)
LONGNAME=$(head -c 300 /dev/zero | tr '\0' b).wav
LONGPATH=$(printf 'd/%.0s' {1..2100})x.wav
mkdir "$T/folder"
mkfifo "$T/pipe.wav"
ln -s /dev/zero "$T/zero.wav"
ln -s "$T/pipe.wav" "$T/pipe-link.wav"
ln -s "$T/folder" "$T/folder-link.wav"
ln -s "$T/nowhere.wav" "$T/dangling.wav"
ln -s "$T/state/loa.db" "$T/db-link"
echo "not audio" >"$T/notes.txt"
touch "$T/existing.db" "$T/existing.csv"

# ---- global options ----
refuse "'--config' needs a value" --config
refuse "--config is empty" --config "" check
refuse "--config is given twice" --config "$LOA_CONFIG" --config "$LOA_CONFIG" check
refuse "folder, not a config file" --config "$T/folder" check
refuse "not a regular file" --config "$T/pipe.wav" check
refuse "not a regular file" --config /dev/zero check
refuse "not a regular file" --config "$T/zero.wav" check
refuse "No such file" --config "$T/none.conf" check
refuse "unknown option '--frob'" --frob check
refuse "is not a loa command" frobnicate
refuse "is not a loa command" $'\e[2Jlist'
refuse "goes before the command" list --config "$LOA_CONFIG"

# ---- dates: --from/--to/--until of import, edit, next, log, report ----
for d in 2026-02-30 2026-13-01 20261201 "" 1969-12-31 0000-01-01 99999-01-01 \
	2026-12-01x " 2026-12-01" 2026-1-01 +026-12-01 2026/12/01 $'2026-12-0\e' "$LONG"; do
	refuse "--from '" log --from "$d"
	refuse "--to '" log --to "$d"
	refuse "--from '" next --from "$d" --to 2026-12-31
	refuse "--to '" report --from 2026-12-01 --to "$d"
	refuse "--until '" import --until "$d" "$T/good.wav"
	refuse "--from '" edit 1 --from "$d"
done
refuse "2026-02 has days 01 to 28" log --from 2026-02-30
refuse "2024-02 has days 01 to 29" log --from 2024-02-30
refuse "there is no month 13" log --to 2026-13-01
refuse "from 1970-01-01 to 9999-12-31" log --to 1969-12-31
refuse "is not a date; write it as YYYY-MM-DD" log --from 20261201
refuse "--from is after --to" log --from 2026-12-02 --to 2026-12-01
refuse "--from is after --until" import --from 2026-12-02 --until 2026-12-01 "$T/good.wav"
refuse "say which period" report --from 2026-12-01
refuse "--from and --to go together" next --from 2026-12-01
refuse "either --days or --from/--to" next --days 3 --from 2026-12-01 --to 2026-12-02
refuse "at most 3660 days" next --from 2026-01-01 --to 2036-12-31

# ---- ids and counts ----
for n in 0 1e3 99999999999999999999 9223372036854775808 12abc "" " 1" "1 " +1 0x1 1.0; do
	refuse "is not a bulletin id" retire "$n"
	refuse "is not a bulletin id" edit "$n" --title x
	refuse "is not a bulletin id" play "$n"
	refuse "is not a bulletin id" alert "$n"
	refuse "--days '" next --days "$n"
	refuse "--repeat '" alert 1 --repeat "$n"
	refuse "--every '" alert 1 --repeat 3 --every "$n"
done
refuse "negative numbers are not allowed" retire -1
refuse "negative numbers are not allowed" play -1
refuse "is not a bulletin id" retire -- -1
refuse "--days '-1' must be a whole number from 1 to 3660" next --days -1
refuse "from 1 to 3660" next --days 3661
refuse "from 1 to 1000" alert 1 --repeat 1001
refuse "from 1 to 1440" alert 1 --repeat 2 --every 1441
refuse "--every needs --repeat" alert 1 --every 5
refuse "--cancel takes nothing else" alert --cancel 1
refuse "there is no bulletin #9223372036854775807" edit 9223372036854775807 --title x
refuse "there is no active bulletin #42" retire 42

# ---- text: --title, --plan ----
for opt in --title --plan; do
	refuse "$opt is empty" edit 1 "$opt" ""
	refuse "$opt is 10240 bytes long" edit 1 "$opt" "$LONG"
	refuse "$opt holds a control character" edit 1 "$opt" $'a\tb'
	refuse "$opt holds a control character" edit 1 "$opt" $'line\nbreak'
	refuse "$opt holds a control character" edit 1 "$opt" $'\e[31mred'
	refuse "$opt holds a control character" edit 1 "$opt" $'\u202eabc'
	refuse "$opt holds a control character" edit 1 "$opt" $'\xc2\x85next line'
	refuse "$opt is not UTF-8 text" edit 1 "$opt" $'Latin-1 \xe9'
	refuse "$opt is not UTF-8 text" edit 1 "$opt" $'\xed\xa0\x80'
	refuse "$opt is not UTF-8 text" edit 1 "$opt" $'\xc0\xaf'
	refuse "$opt is empty" import "$opt" "" "$T/good.wav"
done
refuse "--title is given twice" edit 1 --title a --title b
refuse "--title is given twice" import --title a --title b "$T/good.wav"

# ---- --topic, --priority, --slot, --by, --format, --lang, --head ----
for t in "" 0 7 01 An-ninh -x "an ninh" an_ninh ăn "$LONG" $'a\eb'; do
	refuse "--topic '" edit 1 --topic "$t"
	refuse "--topic '" import --topic "$t" "$T/good.wav"
done
refuse "there is no topic code 7" edit 1 --topic 7
for p in "" Normal EMERGENCY urgent $'n\eormal'; do
	refuse "--priority '" edit 1 --priority "$p"
done
for s in nosuch "" "$LONG" $'sa\eng' SANG; do
	refuse "there is no slot named" edit 1 --slot "$s"
	refuse "there is no slot named" import --slot "$s" "$T/good.wav"
done
R=(report --from 2026-12-01 --to 2026-12-31)
for v in "" Topic bulletins $'day\e'; do refuse "--by '" "${R[@]}" --by "$v"; done
for v in "" CSV xlsx pdf; do refuse "--format '" "${R[@]}" --format "$v"; done
for v in "" VI vi_VN fr; do refuse "--lang '" "${R[@]}" --lang "$v"; done
for v in "" xyz "$(printf '0%.0s' {1..63})" "$(printf 'g%.0s' {1..64})" "$LONG"; do
	refuse "--head '" verify --head "$v"
done
refuse "--format is given twice" "${R[@]}" --format csv --format json
refuse "--to is given twice" "${R[@]}" --to 2026-12-30

# ---- unknown options, missing values, extra arguments ----
refuse "option '--bogus' is not known" list --bogus
refuse "option '-j' is not known" list -j
refuse "option '--from' needs a value" log --from
refuse "option '-o' (--output) needs a value" "${R[@]}" -o
refuse "option '--f' is ambiguous" report --f 2026-12-01
refuse "unexpected argument 'extra'" list extra
refuse "unexpected argument 'extra'" log extra
refuse "unexpected argument" "${R[@]}" 2026
refuse "unexpected argument" verify extra
refuse "unexpected argument" stop now
refuse "unexpected argument" status x
refuse "unexpected argument" daemon x
refuse "takes no arguments" check x
refuse "is not something loa upstream does" upstream $'sta\ttus'
refuse "option '--bogus' is not known" upstream status --bogus
refuse "unexpected argument" upstream run now
refuse "say which period" upstream resend --from 2026-12-01
refuse "--from '2026-13-01'" upstream resend --from 2026-13-01 --to 2026-12-31
refuse "no upstream group" upstream test
refuse "takes exactly one FILE" import "$T/good.wav" "$T/good.wav"
refuse "which file?" import
refuse "give exactly one bulletin id" retire 1 2
refuse "nothing to change" edit 1
refuse "name one file" backup
refuse "name one file" backup a.db b.db

# ---- import FILE ----
refuse "is a pipe (FIFO)" import "$T/pipe.wav"
refuse "is a pipe (FIFO) (through a symbolic link)" import "$T/pipe-link.wav"
refuse "is a device" import /dev/zero
refuse "is a device (through a symbolic link)" import "$T/zero.wav"
refuse "is a device" import /dev/null
refuse "is a folder" import "$T/folder"
refuse "is a folder (through a symbolic link)" import "$T/folder-link.wav"
refuse "symbolic link to a file that does not exist" import "$T/dangling.wav"
refuse "there is no such file" import "$T/bản tin không có.wav"
refuse "FILE is empty" import ""
refuse "a name in it is 304 bytes long" import "$T/$LONGNAME"
refuse "the path is 4205 bytes long" import "$LONGPATH"
refuse "not an audio file" import "$T/notes.txt"
refuse "not an audio file" import "$T/state/loa.db"
refuse "option '-x' is not known" import -x.wav
touch -- "$T/-x.wav"
refuse "to name the file '-x.wav', put -- before it" import -x.wav
refuse "the file is empty" import -- -x.wav
cp "$T/good.wav" $'ctl\e[2Jname.wav'
refuse "cannot be the bulletin's title" import $'ctl\e[2Jname.wav'
# Audio of its own: it is imported under a title at the end.
"$MKAUDIO" --freq 660 tone $'latin\xe9.wav'
refuse "cannot be the bulletin's title" import $'latin\xe9.wav'
if [ "$(id -u)" -ne 0 ]; then
	cp "$T/good.wav" "$T/secret.wav"
	chmod 000 "$T/secret.wav"
	refuse "permission denied" import "$T/secret.wav"
fi

# ---- report -o FILE ----
refuse "-o $T/folder is a folder" "${R[@]}" -o "$T/folder"
refuse "e.g. $T/folder/bao-cao.csv" "${R[@]}" -o "$T/folder/"
refuse "the folder $T/missing does not exist" "${R[@]}" -o "$T/missing/r.csv"
refuse "is not a regular file" "${R[@]}" -o "$T/pipe.wav"
refuse "is not a regular file" "${R[@]}" -o "$T/dangling.wav"
refuse "is not a regular file" "${R[@]}" -o /dev/null
refuse "-o is empty" "${R[@]}" -o ""
refuse "a name in it is 304 bytes long" "${R[@]}" -o "$T/$LONGNAME"
refuse "inside the station's folder" "${R[@]}" -o "$T/state/loa.db"
refuse "inside the station's folder" "${R[@]}" -o "$T/state/content/r.csv"
refuse "inside the station's folder" "${R[@]}" -o "$T/folder/../state/r.csv"
[ ! -e "$T/folder/bao-cao.csv" ] && [ ! -e "$T/state/r.csv" ] || fail "report -o wrote a file"

# ---- backup FILE ----
refuse "already exists" backup "$T/existing.db"
refuse "already exists" backup "$T/folder"
refuse "already exists" backup "$T/dangling.wav"
refuse "already exists" backup "$T/pipe.wav"
refuse "the folder $T/missing does not exist" backup "$T/missing/b.db"
refuse "is not a folder" backup "$T/existing.db/b.db"
refuse "FILE is empty" backup ""
refuse "a name in it is 304 bytes long" backup "$T/$LONGNAME"
[ "$(wc -c <"$T/existing.db")" -eq 0 ] || fail "backup wrote over an existing file"

# ---- verify --db FILE ----
refuse "there is no database at" verify --db "$T/none.db"
refuse "is not a regular file" verify --db "$T/folder"
refuse "is not a regular file" verify --db "$T/pipe.wav"
refuse "is not a regular file" verify --db /dev/zero
refuse "is not a regular file" verify --db "$T/zero.wav"
refuse "is not a loa database" verify --db "$T/notes.txt"
refuse "is not a loa database" verify --db "$T/existing.db"
refuse "--db is empty" verify --db ""
refuse "--db is given twice" verify --db "$T/db-link" --db "$T/db-link"
refuse "a name in it is 304 bytes long" verify --db "$T/$LONGNAME"
# A link to a real database is followed: verify reads, it never writes.
expect_exit 0 verify --db "$T/db-link"

# ---- in Vietnamese too ----
LANGUAGE=vi refuse "2026-02 chỉ có các ngày 01 đến 28" log --from 2026-02-30
LANGUAGE=vi refuse "là một ống (FIFO)" import "$T/pipe.wav"
LANGUAGE=vi refuse "--title được cho hai lần" edit 1 --title a --title b

# What may be imported still is: spaces, Vietnamese letters, a leading dash.
"$MKAUDIO" --freq 550 tone "$T/-Bản tin số 2 (phát lại).wav"
expect_exit 0 import -- "$T/-Bản tin số 2 (phát lại).wav"
assert_eq "$OUT" 2 "second bulletin id"
expect_exit 0 import --title "Bản tin có tên" -- $'latin\xe9.wav'
expect_exit 0 list --json
assert_eq "$(jq -r '.[1].title' <<<"$OUT")" "-Bản tin số 2 (phát lại).wav" "title from a Vietnamese file name"
assert_eq "$(jq -r '.[2].source_name' <<<"$OUT")" "latin�.wav" "a Latin-1 name kept as text"
# -o - is standard output.
expect_exit 0 "${R[@]}" --format json -o -
assert_eq "$(jq -r .from <<<"$OUT")" 2026-12-01 "report on -o -"
