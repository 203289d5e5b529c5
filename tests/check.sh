# Shared by the whole-system checks (tests/deb-install.sh,
# tests/arm/arm-check.sh): `check WHAT COMMAND...` runs COMMAND and prints
# "ok   WHAT" or "FAIL WHAT", counting both in $passed and $failed.
passed=0 failed=0
check() {
	local what=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
		echo "ok   $what"
	else
		failed=$((failed + 1))
		echo "FAIL $what"
	fi
}
