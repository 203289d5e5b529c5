#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/t_*.sh) against the real binary and
# real ALSA plugin devices, and closes with "N passed, N failed".
set -u
here=$(cd "$(dirname "$0")" && pwd)
export LOA=${LOA:?LOA must name the loa binary} MKAUDIO=${MKAUDIO:?MKAUDIO must name mkaudio}
LOA=$(cd "$(dirname "$LOA")" && pwd)/$(basename "$LOA")
MKAUDIO=$(cd "$(dirname "$MKAUDIO")" && pwd)/$(basename "$MKAUDIO")
export LOA MKAUDIO

passed=0 failed=0 failures=""
for t in "$here"/t_*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "${E2E_ONLY:-}" ] && [[ "$name" != *"$E2E_ONLY"* ]]; then
		continue
	fi
	log=$(mktemp)
	if bash "$t" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name"
		sed 's/^/     | /' "$log"
	fi
	rm -f "$log"
done
echo "e2e: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
