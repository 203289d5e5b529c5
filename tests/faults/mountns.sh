# Sourced first by a fault test that mounts a small tmpfs: runs the test
# again in a mount namespace of its own (unshare -m, or a user namespace
# where root is not at hand), so the tmpfs goes when it ends; skips it,
# saying why, only where no namespace can be made.
if [ -z "${LOA_MOUNT_NS:-}" ]; then
	export LOA_MOUNT_NS=1
	for how in "-m" "-Urm"; do
		# shellcheck disable=SC2086 # $how is one option cluster
		if unshare $how --propagation private true 2>/dev/null; then
			exec unshare $how --propagation private bash "$0" "$@"
		fi
	done
	echo "  SKIP $(basename "$0" .sh): no mount namespace can be made here (unshare -m and -Urm refused); the test needs one to mount its small tmpfs"
	exit 0
fi
