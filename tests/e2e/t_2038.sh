# The week that holds 2038-01-19T03:14:08Z, where a 32-bit time_t ends,
# planned as any other: each day's occurrence at its local instant. On
# armhf this holds only with the 64-bit time_t the Makefile asks for.
. "$(dirname "$0")/lib.sh"

"$MKAUDIO" --seconds 2 tone "$T/a.wav"
write_config "10:00:00"
expect_exit 0 import --slot sang "$T/a.wav"
expect_exit 0 next --from 2038-01-18 --to 2038-01-21 --json
assert_eq "$(jq length <<<"$OUT")" 4 "occurrences planned"
want="2038-01-18T10:00:00.000+07:00 2038-01-19T10:00:00.000+07:00 2038-01-20T10:00:00.000+07:00 2038-01-21T10:00:00.000+07:00"
got=$(jq -r '[.[].at] | join(" ")' <<<"$OUT")
assert_eq "$got" "$want" "instants across 2038-01-19"
