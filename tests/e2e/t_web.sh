# The web console from outside, with curl: what a new station's login page
# says, the headers on every answer, sessions, CSRF, roles, escaped text,
# ids that are not paths, the upload limit, the audit trail of logins and
# uploads, and a logout that ends the session on the box.
. "$(dirname "$0")/lib.sh"

command -v curl >/dev/null || fail "curl is missing; run ./deps.sh (as root)"

write_config "$(local_hms_in 7200)"
echo 'web = { max_upload_mb = 1; };' >>"$LOA_CONFIG"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
B=http://127.0.0.1:$port

WEB_PID=""
"$LOA" web --listen "127.0.0.1:$port" >"$T/web.log" 2>&1 &
WEB_PID=$!
trap 'kill -TERM "$WEB_PID" 2>/dev/null || true; cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	curl -s -o /dev/null "$B/login" && break
	kill -0 "$WEB_PID" 2>/dev/null || fail "loa web exited: $(cat "$T/web.log")"
	sleep 0.05
done

# http METHOD PATH [CURL ARGS...]: the status in $CODE, the body in $BODY,
# the headers in $T/headers.
http() {
	local method=$1 path=$2
	shift 2
	CODE=$(curl -s --path-as-is -X "$method" -D "$T/headers" -o "$T/body" -w '%{http_code}' "$@" "$B$path")
	BODY=$(cat "$T/body")
}
expect_code() { assert_eq "$CODE" "$1" "$2"; }

# A new station: the login page says the one command that makes the first
# admin, and every answer carries the headers.
http GET /login
expect_code 200 "login page"
[[ "$BODY" == *"loa --config $LOA_CONFIG user add NAME --role admin"* ]] ||
	fail "the login page does not say how to make the first admin: $BODY"
[[ "$BODY" == *'id="login-user"'* && "$BODY" == *'id="login-password"'* ]] || fail "no login form: $BODY"
[[ "$BODY" != *cleartext-warning* ]] || fail "a console on loopback warns of clear text"
grep -qi "^Content-Security-Policy: default-src 'self'; script-src 'self'; style-src 'self'" "$T/headers" ||
	fail "no CSP: $(cat "$T/headers")"
grep -qi '^X-Content-Type-Options: nosniff' "$T/headers" || fail "no nosniff"
grep -qi '^Referrer-Policy: no-referrer' "$T/headers" || fail "no Referrer-Policy"
http GET /static/loa.js
expect_code 200 "the script"
grep -qi '^Content-Type: text/javascript' "$T/headers" || fail "the script's type: $(cat "$T/headers")"

# Without a session: the API says 401 in JSON, pages go to the login.
http GET /api/v1/session
expect_code 401 "session without a cookie"
assert_eq "$(jq -r .error <<<"$BODY")" not-logged-in "error code without a session"
http GET /library
expect_code 303 "a page without a session"
grep -qi '^Location: /login' "$T/headers" || fail "not sent to the login: $(cat "$T/headers")"

# URLs carry ids, never paths.
for p in /api/v1/bulletins/../../etc/passwd/audio /api/v1/bulletins/01/audio /api/v1/bulletins/-1/audio \
	/api/v1/bulletins/1%2f..%2f2/audio /api/v1/bulletins/1abc/audio /api/v1/bulletins/1%00/audio \
	/static/../../etc/passwd /library/..%2fetc; do
	http GET "$p"
	expect_code 404 "$p"
done

# A client that sends its request a byte a second holds its own thread,
# not the console: another is answered meanwhile.
(
	exec 3<>"/dev/tcp/127.0.0.1/$port"
	for c in G E T ' ' / l o g i n; do
		printf '%s' "$c" >&3
		sleep 1
	done
) &
slow=$!
sleep 1.5
started=$(date +%s%N)
http GET /login
expect_code 200 "the login page beside a slow client"
[ $(($(date +%s%N) - started)) -lt 1000000000 ] || fail "a slow client held up another for a second or more"
kill "$slow" 2>/dev/null || true

if ! "$LOA" user --help >/dev/null 2>&1; then
	echo "  skipped: logins, roles, CSRF, uploads and logout need 'loa user' (the accounts core), which this build lacks"
	exit 0
fi

printf '%s\n' 'mat-khau-quan-tri' | "$LOA" user add quantri --role admin >/dev/null || fail "loa user add (admin)"
printf '%s\n' 'mat-khau-phat-thanh' | "$LOA" user add phatthanh --role operator >/dev/null || fail "loa user add (operator)"
printf '%s\n' 'mat-khau-theo-doi' | "$LOA" user add theodoi --role officer >/dev/null || fail "loa user add (officer)"

http GET /login
[[ "$BODY" != *first-admin-hint* ]] || fail "the first-admin hint stays once there are accounts"

# A wrong password and an unknown name get the same answer.
http POST /api/v1/login -H 'Content-Type: application/json' -d '{"username":"quantri","password":"sai-mat-khau"}'
expect_code 401 "wrong password"
wrong=$(jq -r .message <<<"$BODY")
http POST /api/v1/login -H 'Content-Type: application/json' -d '{"username":"khong-co","password":"sai-mat-khau"}'
expect_code 401 "unknown name"
assert_eq "$(jq -r .message <<<"$BODY")" "$wrong" "the refusal of an unknown name"

# login NAME PASSWORD JAR: logs in, keeps the cookie in JAR, sets $CSRF.
login() {
	http POST /api/v1/login -c "$3" -H 'Content-Type: application/json' \
		-d "{\"username\":\"$1\",\"password\":\"$2\"}"
	expect_code 200 "login of $1"
	grep -qi '^Set-Cookie: loa_session=[0-9a-f]\{64\}; HttpOnly; SameSite=Strict; Path=/' "$T/headers" ||
		fail "the session cookie: $(cat "$T/headers")"
	CSRF=$(jq -r .csrf <<<"$BODY")
	[[ "$CSRF" =~ ^[0-9a-f]{64}$ ]] || fail "no CSRF token: $BODY"
}
login quantri mat-khau-quan-tri "$T/admin.jar"
admin_csrf=$CSRF
http GET /api/v1/session -b "$T/admin.jar"
expect_code 200 "session"
assert_eq "$(jq -r '.user + " " + .role' <<<"$BODY")" "quantri admin" "who the session is"

# Every change needs the session's CSRF token.
http POST /api/v1/stop -b "$T/admin.jar"
expect_code 403 "stop without a CSRF token"
assert_eq "$(jq -r .error <<<"$BODY")" csrf "error code without a CSRF token"
http POST /api/v1/stop -b "$T/admin.jar" -H "X-CSRF-Token: $(printf '0%.0s' {1..64})"
expect_code 403 "stop with another CSRF token"
http POST /logout -b "$T/admin.jar" --data 'csrf=nope'
expect_code 403 "a form without the CSRF token"

# An upload with a hostile title: stored, and shown as text.
"$MKAUDIO" --seconds 2 tone "$T/a.wav"
xss='<img src=x onerror=alert(1)>'
http POST /api/v1/bulletins -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf" --form-string "title=$xss" \
	-F 'topic=3' -F 'slot=sang' -F "file=@$T/a.wav;filename=../../etc/ban-tin.wav"
expect_code 201 "upload: $BODY"
id=$(jq -r .id <<<"$BODY")
expect_exit 0 list --json
assert_eq "$(jq -r ".[] | select(.id == $id) | .source_name" <<<"$OUT")" ban-tin.wav "the stored file's name"
assert_eq "$(jq -r ".[] | select(.id == $id) | .title" <<<"$OUT")" "$xss" "the stored title"
http GET /library -b "$T/admin.jar"
expect_code 200 "library"
[[ "$BODY" == *'&lt;img src=x onerror=alert(1)&gt;'* ]] || fail "the title is not shown escaped"
[[ "$BODY" != *"$xss"* ]] || fail "the title is shown as markup"
http GET "/api/v1/bulletins/$id/audio" -b "$T/admin.jar" -H 'Range: bytes=0-99'
expect_code 206 "a range of the audio"
assert_eq "$(stat -c %s "$T/body")" 100 "bytes of the range"
http GET /api/v1/bulletins/999/audio -b "$T/admin.jar"
expect_code 404 "audio of no bulletin"
http GET "/api/v1/bulletins/$id/../../../loa.db" -b "$T/admin.jar"
expect_code 404 "a path after an id"

# The same file refused in the import core's words.
http POST /api/v1/bulletins -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf" -F "file=@$T/a.wav"
expect_code 422 "the same audio again"
[[ "$(jq -r .message <<<"$BODY")" == *"holds the same audio as bulletin #$id"* ]] || fail "the refusal: $BODY"

# Over web.max_upload_mb: 413, nothing stored, no temporary file left.
head -c 1200000 /dev/urandom >"$T/big.wav"
http POST /api/v1/bulletins -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf" -F "file=@$T/big.wav"
expect_code 413 "an upload over the limit"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 1 "bulletins after the refused uploads"
assert_eq "$(find "$T/state" -maxdepth 1 -name '.web-upload-*' | wc -l)" 0 "temporary files left"

# The analysis after the last byte, under the page's key (#20): the page
# polls it for the second half of its progress bar; only the uploader's
# account sees it, and it stays readable once the import ended.
key=0123456789abcdef0123456789abcdef
"$MKAUDIO" --seconds 20 --rate 48000 --channels 2 speech "$T/long.mp3"
http GET "/api/v1/uploads/progress?key=$key" -b "$T/admin.jar"
expect_code 404 "the progress of an upload not sent"
http POST /api/v1/bulletins -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf" -F "progress=$key" \
	-F 'slot=sang' -F "file=@$T/long.mp3"
expect_code 201 "an upload with a progress key: $BODY"
http GET "/api/v1/uploads/progress?key=$key" -b "$T/admin.jar"
expect_code 200 "the progress of an import that ended"
assert_eq "$(jq -r '"\(.stage) \(.done) \(.ended)"' <<<"$BODY")" "storing 1 true" "the progress at the end"
http GET "/api/v1/uploads/progress?key=..%2f..%2fx" -b "$T/admin.jar"
expect_code 404 "a progress key that is not one"
http GET "/api/v1/uploads/progress?key=$key"
expect_code 401 "the progress without a session"

# An officer sees and downloads, and may not upload.
login theodoi mat-khau-theo-doi "$T/officer.jar"
http GET "/api/v1/uploads/progress?key=$key" -b "$T/officer.jar"
expect_code 404 "another account's upload progress"
http POST /api/v1/bulletins -b "$T/officer.jar" -H "X-CSRF-Token: $CSRF" -F "file=@$T/a.wav"
expect_code 403 "an officer's upload"
assert_eq "$(jq -r .error <<<"$BODY")" forbidden "error code of an officer's upload"
http GET "/api/v1/report?from=2026-01-01&to=2026-12-31&format=csv" -b "$T/officer.jar"
expect_code 200 "an officer's report"
http GET /accounts -b "$T/officer.jar"
expect_code 403 "an officer on the accounts page"
http GET /accounts -b "$T/admin.jar"
expect_code 200 "the accounts page"
[[ "$BODY" == *theodoi* ]] || fail "the accounts page lacks an account"
# An admin adds an account from the console, which logs in at once.
http POST /api/v1/accounts -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf" -H 'Content-Type: application/json' \
	-d '{"name":"moi","role":"officer","password":"mat-khau-moi-1"}'
expect_code 201 "an account added from the console"
login moi mat-khau-moi-1 "$T/moi.jar"
http POST /api/v1/accounts -b "$T/moi.jar" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
	-d '{"name":"khac","role":"admin","password":"mat-khau-khac-1"}'
expect_code 403 "an officer adding an account"

# The audit trail names the account, and the address of each login.
http GET /api/v1/audit -b "$T/admin.jar"
expect_code 200 "the audit trail"
OUT=$BODY
jq -e ".[] | select(.action == \"import\" and .actor == \"quantri\" and .target == \"#$id\")" <<<"$OUT" >/dev/null ||
	fail "the upload is not in the audit trail as quantri's: $OUT"
jq -e '.[] | select(.action == "login" and .target == "quantri" and .detail == "127.0.0.1")' <<<"$OUT" >/dev/null ||
	fail "the login is not in the audit trail: $OUT"
jq -e '.[] | select(.action == "login-failed" and .target == "quantri")' <<<"$OUT" >/dev/null ||
	fail "the failed login is not in the audit trail: $OUT"

# Logout ends the session on the box: the old cookie opens nothing.
cp "$T/admin.jar" "$T/stolen.jar"
http POST /api/v1/logout -b "$T/admin.jar" -H "X-CSRF-Token: $admin_csrf"
expect_code 200 "logout"
http GET /api/v1/session -b "$T/stolen.jar"
expect_code 401 "the session after logout"
login theodoi mat-khau-theo-doi "$T/officer.jar"
http GET /api/v1/audit -b "$T/officer.jar"
OUT=$BODY
jq -e '.[] | select(.action == "logout" and .actor == "quantri")' <<<"$OUT" >/dev/null || fail "no logout entry: $OUT"

# The login form, without script.
http POST /login -c "$T/form.jar" --data-urlencode 'username=phatthanh' --data-urlencode 'password=mat-khau-phat-thanh' \
	--data-urlencode 'next=/schedule'
expect_code 303 "the login form"
grep -qi '^Location: /schedule' "$T/headers" || fail "the login form does not go back: $(cat "$T/headers")"

# SIGTERM ends it at once.
kill -TERM "$WEB_PID"
for ((i = 0; i < 50; i++)); do
	kill -0 "$WEB_PID" 2>/dev/null || break
	sleep 0.1
done
kill -0 "$WEB_PID" 2>/dev/null && fail "loa web still runs 5 s after SIGTERM"
wait "$WEB_PID" || fail "loa web exited $? on SIGTERM: $(cat "$T/web.log")"
echo "  console: pages, API, roles, CSRF, uploads and logout as expected"
