# The command line's contract: config checks and exit codes.
. "$(dirname "$0")/lib.sh"

write_config "05:30"
expect_exit 0 check
assert_eq "$(head -n 1 <<<"$OUT")" ok "check output"
[[ "$OUT" == *"slot sang: $LOA_CONFIG line "* ]] || fail "check does not say where slot sang comes from: $OUT"

# One FILE:LINE: message per problem, exit 2.
cat >"$T/bad.conf" <<'CONF'
station = { name = "X"; timezone = "Asia/Ho_Chi_Minh"; };
paths = { state_dir = "state"; };
clock = { require_sync = false; grace_minuts = 5; };
slots = ( { name = "a"; start = "25:00"; days = ["mon"]; },
          { name = "a"; start = "06:00"; days = ["funday"]; } );
CONF
expect_exit 2 --config "$T/bad.conf" check
[[ "$ERR" == *"$T/bad.conf:3:"*grace_minuts* ]] || fail "unknown key not reported at line 3: $ERR"
[[ "$ERR" == *"$T/bad.conf:4:"* ]] || fail "impossible time not reported at line 4: $ERR"
[[ "$ERR" == *"$T/bad.conf:5:"* ]] || fail "duplicate slot / bad day not reported at line 5: $ERR"

# $LOA_CONFIG is used when --config is absent; a missing file is exit 2.
LOA_CONFIG="$T/none.conf" expect_exit 2 check
[[ "$ERR" == *"$T/none.conf"* ]] || fail "missing config not named: $ERR"

expect_exit 2
expect_exit 2 frobnicate
expect_exit 2 --frob check
expect_exit 0 --help
expect_exit 2 log --from yesterday
expect_exit 2 log --json --csv
expect_exit 2 next --days 0
expect_exit 2 next --from 2026-01-01
expect_exit 0 log --json
assert_eq "$OUT" "[]" "empty ledger as JSON"
expect_exit 0 list --json
assert_eq "$OUT" "[]" "empty library as JSON"
# A bad config makes the daemon refuse to start: exit 2.
expect_exit 2 --config "$T/bad.conf" daemon
