# The console's accounts from the shell: `loa user` reads the password
# from standard input, lists accounts as JSON with exactly their four
# fields, refuses bad input with exit 2 and stores nothing then, never
# removes the last admin, records every change under the Unix user who
# made it, and the password never reaches loa.db or its WAL.
. "$(dirname "$0")/lib.sh"

write_config "05:30"
db="$T/state/loa.db"
pw='Mật khẩu của đài xã 1'
pw2='mật khẩu mới, dài hơn'

# A station without a database lists nothing.
expect_exit 0 user list --json
assert_eq "$OUT" "[]" "accounts before any"
[ ! -e "$db" ] || fail "listing the accounts made a database"

# The first admin, with the password on standard input.
expect_exit 0 user add lan --role admin <<<"$pw"
assert_eq "$OUT" lan "what user add prints"
expect_exit 0 user add mai --role officer <<<"$pw"
expect_exit 0 user list --json
assert_eq "$(jq length <<<"$OUT")" 2 "accounts"
assert_eq "$(jq -c '[.[] | keys_unsorted]' <<<"$OUT")" \
	'[["name","role","created_at","last_login_at"],["name","role","created_at","last_login_at"]]' "fields"
assert_eq "$(jq -r '.[0].name + " " + .[0].role + " " + (.[0].last_login_at | tostring)' <<<"$OUT")" \
	"lan admin null" "the first account"
assert_eq "$(jq -r '.[1].role' <<<"$OUT")" officer "mai's role"
# The instant as `loa log --json` writes instants: station-local ISO 8601.
created=$(jq -r '.[0].created_at' <<<"$OUT")
[[ "$created" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\+07:00$ ]] ||
	fail "created_at is not a station-local ISO 8601 instant: $created"
age=$(($(date +%s%3N) - $(ms_of "$created")))
[ "$age" -ge 0 ] && [ "$age" -lt 60000 ] || fail "created_at is not the time of the add: $created"

# Bad input: exit 2, a message that names the problem, nothing stored.
expect_exit 2 user add tuan --role boss <<<"$pw"
[[ "$ERR" == *"--role 'boss'"* ]] || fail "the bad role is not named: $ERR"
expect_exit 2 user add tuan <<<"$pw"
[[ "$ERR" == *"--role"* ]] || fail "the missing role is not named: $ERR"
expect_exit 2 user add lan --role operator <<<"$pw"
[[ "$ERR" == *"'lan' already"* ]] || fail "the taken name is not named: $ERR"
expect_exit 2 user add "Tuấn A" --role operator <<<"$pw"
[[ "$ERR" == *"account name"* ]] || fail "the bad name is not named: $ERR"
expect_exit 2 user add tuan --role operator <<<"abc1234"
[[ "$ERR" == *"too short"* ]] || fail "the short password is not refused as such: $ERR"
[[ "$ERR" != *abc1234* ]] || fail "the refusal echoes the password: $ERR"
expect_exit 2 user add tuan --role operator <<<""
[[ "$ERR" == *"standard input"* ]] || fail "the empty password is not refused as such: $ERR"
expect_exit 2 user add tuan --role operator </dev/null
expect_exit 2 user frobnicate
expect_exit 2 user list extra
expect_exit 0 user list --json
assert_eq "$(jq -r '[.[].name] | join(",")' <<<"$OUT")" "lan,mai" "accounts after refusals"

# The last admin stays, and the refusal says how to go on.
expect_exit 2 user remove lan
[[ "$ERR" == *"last admin"*"loa user add NAME --role admin"* ]] || fail "the refusal does not say how to go on: $ERR"
expect_exit 2 user remove nobody
[[ "$ERR" == *"no account 'nobody'"* ]] || fail "the missing account is not named: $ERR"

# A new password, then the officer goes.
expect_exit 0 user passwd mai <<<"$pw2"
expect_exit 2 user passwd nobody <<<"$pw2"
expect_exit 0 user remove mai
expect_exit 0 user list --json
assert_eq "$(jq -r '[.[].name] | join(",")' <<<"$OUT")" "lan" "accounts after removal"

# Each change is in the audit trail, under the Unix user who made it, and
# the refusals left nothing there.
me=$(id -un)
q() { sqlite3 "$db" "$1"; }
assert_eq "$(q "SELECT group_concat(action || ' ' || target || ' ' || actor, ', ') FROM (SELECT * FROM audit ORDER BY id)")" \
	"user-add lan $me, user-add mai $me, user-passwd mai $me, user-remove mai $me" "audit entries"
assert_eq "$(q "SELECT detail FROM audit WHERE action = 'user-add' AND target = 'lan'")" "role admin" "detail of user-add"
expect_exit 0 verify

# The password is nowhere in the database's files, in any form loa would
# have written it; the hashes are Argon2id.
for f in "$db" "$db-wal"; do
	[ -e "$f" ] || continue
	! grep -qaF "$pw" "$f" || fail "$(basename "$f") holds the password"
	! grep -qaF "$pw2" "$f" || fail "$(basename "$f") holds the new password"
done
[[ "$(q "SELECT password_hash FROM accounts WHERE name = 'lan'")" == '$argon2id$'* ]] || fail "the hash is not Argon2id"
echo "  accounts: add, passwd, remove, list and the audit trail as expected"
