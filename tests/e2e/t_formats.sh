# Every format stations receive (MP3 CBR and VBR, WAV 8-32 bit and float,
# FLAC, Vorbis, Opus), at the extremes of rate and channels,
# imports with its decoded length and airs whole at the target loudness:
# one occurrence airs them all, and the capture device (one WAV per rate
# and channel count) receives every frame of each.
. "$(dirname "$0")/lib.sh"

cat >"$T/asound.conf" <<ALSA
pcm.capture { type file; slave.pcm "null"; file "$T/cap-%r-%c.wav"; format "wav"; }
ALSA

# name, then mkaudio's options: each a different rate/channels pair.
formats=(
	"cbr.mp3 --rate 44100 --channels 1"
	"lo.mp3 --rate 11025 --channels 2"
	"vbr.mp3 --rate 24000 --channels 2 --vbr"
	"u8.wav --rate 8000 --channels 1 --subtype u8"
	"s16.wav --rate 48000 --channels 2"
	"s24.wav --rate 96000 --channels 2 --subtype pcm24"
	"s32.wav --rate 32000 --channels 1 --subtype pcm32"
	"f32.wav --rate 16000 --channels 2 --subtype float"
	"s24.flac --rate 88200 --channels 1 --subtype pcm24"
	"vorbis.ogg --rate 22050 --channels 2"
	"opus.opus --rate 24000 --channels 1"
)
write_config_audio "00:00:00" "gap_ms = 100;"
for f in "${formats[@]}"; do
	read -r name opts <<<"$f"
	# shellcheck disable=SC2086 # opts are words
	"$MKAUDIO" --seconds 1.5 $opts tone "$T/$name"
	expect_exit 0 import --title "$name" --slot sang "$T/$name"
done
expect_exit 0 list --json
list=$OUT
n=${#formats[@]}
assert_eq "$(jq length <<<"$list")" "$n" "imported"
# The decoded length, 1.5 s give or take a codec's padding.
jq -r '.[] | "\(.title) \(.duration_ms)"' <<<"$list" | while read -r name dur; do
	[ "$dur" -ge 1480 ] && [ "$dur" -le 1520 ] || fail "$name: decoded $dur ms, made 1500"
done

slot_in 3
start_daemon
wait_rows "$n" 30
stop_daemon
expect_exit 0 log --json
assert_eq "$(jq -r '[.[] | select(.outcome == "completed")] | length' <<<"$OUT")" "$n" "completed rows: $OUT"

jq -r '.[] | "\(.title) \(.duration_ms) \(.sample_rate) \(.channels)"' <<<"$list" |
	while read -r name dur rate ch; do check_capture "$name" "$dur" "$rate" "$ch"; done
