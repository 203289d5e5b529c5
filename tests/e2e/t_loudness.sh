# A quiet recording (about -30 LUFS) whose peaks already reach full scale,
# and a loud one, air within 1 LU of audio.target_lufs with the true peak
# at or under -1 dBTP, measured on what the capture device received.
. "$(dirname "$0")/lib.sh"

cat >"$T/asound.conf" <<ALSA
pcm.capture { type file; slave.pcm "null"; file "$T/cap-%r-%c.wav"; format "wav"; }
ALSA
"$MKAUDIO" --seconds 8 --rate 22050 --channels 1 quiet "$T/quiet.mp3"
"$MKAUDIO" --seconds 4 --rate 48000 --channels 2 --level -0.1 tone "$T/loud.wav"
write_config_audio "00:00:00" "gap_ms = 100; target_lufs = -18.0;"
expect_exit 0 import --slot sang "$T/quiet.mp3"
expect_exit 0 import --slot sang "$T/loud.wav"
expect_exit 0 list --json
q=$(jq -r '.[0].loudness_lufs' <<<"$OUT")
awk -v l="$q" 'BEGIN { exit !(l < -28) }' || fail "the quiet fixture measures $q LUFS"
# Import found the quiet one's make-up for this target and the -1 dBTP
# ceiling, so that pre-roll need not.
m=$(sqlite3 "$T/state/loa.db" "SELECT makeup_db, makeup_ceiling_dbtp FROM bulletins WHERE id = 1")
awk -v m="$m" 'BEGIN { split(m, f, "|"); exit !(f[1] > 3 && f[2] == -1) }' ||
	fail "import stored the make-up and ceiling '$m' for the quiet fixture"

slot_in 3
start_daemon
wait_rows 2 20
stop_daemon
for cap in "$T/cap-22050-1.wav" "$T/cap-48000-2.wav"; do
	read -r lufs tp _ <<<"$("$MKAUDIO" measure "$cap")"
	echo "$cap: $lufs LUFS, $tp dBTP"
	awk -v l="$lufs" 'BEGIN { exit !(l >= -19 && l <= -17) }' || fail "$cap aired at $lufs LUFS, target -18"
	awk -v p="$tp" 'BEGIN { exit !(p <= -0.95) }' || fail "$cap aired with a true peak of $tp dBTP"
done
