#!/usr/bin/env bash
# Runs every end-to-end test (tests/e2e/t_*.sh) against the real binary and
# real ALSA plugin devices, and closes with "e2e: N passed, N failed";
# E2E_ONLY=name runs the matching ones. `run.sh DIR LABEL ONLY` runs DIR's
# t_*.sh instead (tests/faults/run.sh), closing with LABEL, filtered by the
# variable ONLY names. Lines a test prints starting with two spaces are what
# it found out, shown even when it passes.
set -u
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:-$here} label=${2:-e2e} only_var=${3:-E2E_ONLY}
only=${!only_var:-}
export LOA=${LOA:?LOA must name the loa binary} MKAUDIO=${MKAUDIO:?MKAUDIO must name mkaudio}
LOA=$(cd "$(dirname "$LOA")" && pwd)/$(basename "$LOA")
MKAUDIO=$(cd "$(dirname "$MKAUDIO")" && pwd)/$(basename "$MKAUDIO")
export LOA MKAUDIO

passed=0 failed=0 failures=""
for t in "$dir"/t_*.sh; do
	name=$(basename "$t" .sh)
	if [ -n "$only" ] && [[ "$name" != *"$only"* ]]; then
		continue
	fi
	log=$(mktemp)
	started=$SECONDS
	if bash "$t" >"$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name ($((SECONDS - started)) s)"
		grep '^  ' "$log" || true
	else
		failed=$((failed + 1))
		failures="$failures $name"
		echo "FAIL $name ($((SECONDS - started)) s)"
		sed 's/^/     | /' "$log"
	fi
	rm -f "$log"
done
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
