# Sourced by the bench scripts: stop_pids stops the processes in PIDS, the
# last started first (the clients before the JACK server they use), each
# with TERM and, if it is still there after 2 s, KILL. A JACK server
# killed outright leaves its registration in /dev/shm, and after a few of
# those every new jackd refuses to start ("Too many servers already
# active").
stop_pids() {
	local k i p
	for ((k = ${#PIDS[@]} - 1; k >= 0; k--)); do
		p=${PIDS[k]}
		kill -TERM "$p" 2>/dev/null || continue
		for ((i = 0; i < 20; i++)); do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$p" 2>/dev/null || true
	done
}
