# audio.true_peak_dbtp lowers the limiter's ceiling: at -6 dBTP a quiet
# recording with full-scale bursts and a speech recording, both brought up
# to audio.target_lufs, air with their true peaks at the ceiling and not
# over it, measured on what the capture device received, and still within
# 1 LU of the target; import found their make-ups for that ceiling.
. "$(dirname "$0")/lib.sh"

cat >"$T/asound.conf" <<ALSA
pcm.capture { type file; slave.pcm "null"; file "$T/cap-%r-%c.wav"; format "wav"; }
ALSA
"$MKAUDIO" --seconds 8 --rate 22050 --channels 1 quiet "$T/quiet.mp3"
"$MKAUDIO" --seconds 6 --rate 48000 --channels 2 --level -0.1 speech "$T/speech.wav"
# 14 dB between target and ceiling: the quiet recording's make-up stays
# under the 10 dB the player allows (MAKEUP_MAX_DB).
write_config_audio "00:00:00" "gap_ms = 100; target_lufs = -20.0; true_peak_dbtp = -6.0;"
expect_exit 0 check
expect_exit 0 import --slot sang "$T/quiet.mp3"
expect_exit 0 import --slot sang "$T/speech.wav"
m=$(sqlite3 "$T/state/loa.db" "SELECT group_concat(makeup_ceiling_dbtp, ' ') FROM bulletins")
assert_eq "$m" "-6.0 -6.0" "the ceiling import found the make-ups for"

slot_in 3
start_daemon
wait_rows 2 20
stop_daemon
for cap in "$T/cap-22050-1.wav" "$T/cap-48000-2.wav"; do
	read -r lufs tp _ <<<"$("$MKAUDIO" measure "$cap")"
	echo "  $(basename "$cap"): $lufs LUFS, $tp dBTP under a -6 dBTP ceiling"
	# The device gets S16: rounding may add a hundredth of a dB.
	awk -v p="$tp" 'BEGIN { exit !(p <= -5.95) }' || fail "$cap aired with a true peak of $tp dBTP, ceiling -6"
	# Pressed against the ceiling, not far under it: the limiter held it.
	awk -v p="$tp" 'BEGIN { exit !(p >= -7) }' || fail "$cap peaks at $tp dBTP: the fixture does not reach the ceiling"
	awk -v l="$lufs" 'BEGIN { exit !(l >= -21 && l <= -19) }' || fail "$cap aired at $lufs LUFS, target -20"
done
