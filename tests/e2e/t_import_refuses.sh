# Files with no playable audio are refused with exit 2, a message naming the
# file, and nothing stored: no row, no copied file.
. "$(dirname "$0")/lib.sh"

write_config "05:30"
"$MKAUDIO" tone "$T/good.wav"
expect_exit 0 import --slot sang "$T/good.wav"

for kind in empty text header-only truncated huge-claim silence; do
	case $kind in
	empty | text) f="$T/$kind.mp3" ;;
	*) f="$T/$kind.wav" ;;
	esac
	"$MKAUDIO" "$kind" "$f"
	expect_exit 2 import --slot sang "$f"
	[[ "$ERR" == *"$f"* ]] || fail "$kind: the message does not name the file: $ERR"
	expect_exit 0 list --json
	assert_eq "$(jq length <<<"$OUT")" 1 "$kind: library size"
	assert_eq "$(ls "$T/state/content" | wc -l)" 1 "$kind: files in the content store"
done

# Silence imports when the operator insists.
expect_exit 0 import --force --slot sang "$T/silence.wav"

# Bad arguments: exit 2, nothing stored.
expect_exit 2 import --slot nosuchslot "$T/good.wav"
[[ "$ERR" == *"no slot named 'nosuchslot'"* ]] || fail "unknown slot message: $ERR"
expect_exit 2 import --from 2026-02-30 "$T/good.wav"
expect_exit 2 import --from 2026-12-01 --until 2026-11-01 "$T/good.wav"
expect_exit 2 import --topic "Bad Topic" "$T/good.wav"
expect_exit 2 import --priority urgent "$T/good.wav"
expect_exit 2 import "$T"
expect_exit 2 import "$T/does-not-exist.mp3"
expect_exit 2 import
expect_exit 2 import --bogus "$T/good.wav"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 2 "library size after bad arguments"

# The same audio again is refused, naming the bulletin that holds it,
# and stores nothing; --force imports it for another campaign.
cp "$T/good.wav" "$T/again.wav"
expect_exit 2 import --slot sang "$T/again.wav"
[[ "$ERR" == *"bulletin #1 'good.wav'"* ]] || fail "the duplicate is not named: $ERR"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 2 "library size after a duplicate"
assert_eq "$(ls "$T/state/content" | wc -l)" 2 "content store after a duplicate"

# A file name with spaces, Vietnamese letters and a leading dash.
"$MKAUDIO" --freq 660 tone "$T/-bản tin số 1.wav"
expect_exit 0 import -- "$T/-bản tin số 1.wav"
expect_exit 0 list --json
assert_eq "$(jq -r '.[2].title' <<<"$OUT")" "-bản tin số 1.wav" "default title"

# The same audio under another campaign, when the operator insists.
expect_exit 0 import --force --plan "Kế hoạch 2" "$T/again.wav"
expect_exit 0 list --json
assert_eq "$(jq -r '.[3].sha256 == .[0].sha256' <<<"$OUT")" true "forced duplicate keeps the same audio"
