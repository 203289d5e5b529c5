# `loa import` tells its progress on a terminal (a line rewritten in place,
# erased at the end, so what stays is the id) and says nothing more when
# stderr is a pipe or a file. The terminal is script(1)'s pseudo-terminal.
. "$(dirname "$0")/lib.sh"

command -v script >/dev/null || fail "script (bsdutils) is needed"
write_config "05:30"
# Long enough for several progress reports (one per 64 Ki frames decoded).
"$MKAUDIO" --seconds 20 --rate 48000 --channels 2 speech "$T/long.mp3"
"$MKAUDIO" --seconds 20 --rate 48000 --channels 2 tone "$T/other.mp3"

# Not a terminal: the id on stdout, nothing on stderr.
expect_exit 0 import --slot sang "$T/long.mp3"
assert_eq "$ERR" "" "stderr of an import into a file"
[[ "$OUT" =~ ^[0-9]+$ ]] || fail "stdout: '$OUT'"

# A terminal: the analysis climbs to 100%, storing follows, the line is
# erased, and the id is printed after it.
script -qec "$(printf '%q ' "$LOA" import --slot sang "$T/other.mp3")" /dev/null >"$T/tty" </dev/null ||
	fail "import on a terminal failed: $(cat "$T/tty")"
tr '\r' '\n' <"$T/tty" >"$T/lines"
grep -q "analysing $T/other.mp3: [0-9]*%" "$T/lines" || fail "no progress line: $(cat -v "$T/tty")"
[ "$(grep -c 'analysing .*%' "$T/lines")" -ge 3 ] || fail "fewer than 3 progress reports: $(cat -v "$T/tty")"
grep -q "analysing .*: 100%" "$T/lines" || fail "the analysis never reached 100%: $(cat -v "$T/tty")"
grep -q "storing $T/other.mp3" "$T/lines" || fail "no storing line: $(cat -v "$T/tty")"
# The percentages never go back.
grep -o 'analysing .*: [0-9]*%' "$T/lines" | grep -o '[0-9]*%$' | tr -d % | sort -n -c ||
	fail "the percentage went back: $(cat -v "$T/tty")"
# The last thing on the terminal: the erased line, then the id.
tail -c 20 "$T/tty" | tr -d '\r' | grep -q $'\033\\[K2$' || fail "the line is not erased before the id: $(tail -c 40 "$T/tty" | cat -v)"

# A refused file on a terminal: the message stands on a clean line.
"$MKAUDIO" truncated "$T/cut.wav"
script -qec "$(printf '%q ' "$LOA" import --slot sang "$T/cut.wav")" /dev/null >"$T/tty2" </dev/null && fail "a cut-off file was imported"
grep -q "cut off" "$T/tty2" || fail "no refusal message: $(cat -v "$T/tty2")"
