# The project's shared test media (../shared/media beside the checkout, or
# $LOA_SHARED_MEDIA), when present: every good file imports with its
# decoded length and airs whole at the target loudness; every file in bad/
# is refused as bad/'s README says (exit 2, the file named, nothing stored).
# A clone without the shared folder has nothing to check here.
. "$(dirname "$0")/lib.sh"

media=${LOA_SHARED_MEDIA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/media}
if [ ! -d "$media/bad" ]; then
	echo "skip: no shared media at $media"
	exit 0
fi
media=$(cd "$media" && pwd)

cat >"$T/asound.conf" <<ALSA
pcm.capture { type file; slave.pcm "null"; file "$T/cap-%r-%c.wav"; format "wav"; }
ALSA

# The lengths media/README.md gives (ms, to its one decimal), grouped so
# that no two files of a round share a rate and channel count, and so a
# capture file: the file plugin names captures by rate and channels only.
rounds=(
	"chuyen-doi-so.mp3:21000 phong-chong-thien-tai.mp3:16400 phong-chong-thien-tai.opus:16400 loi-chao-48k-stereo.wav:6000"
	"chuyen-doi-so.flac:21000"
	"chuyen-doi-so.ogg:21000"
)
for round in "${rounds[@]}"; do
	rm -rf "$T/state" "$T"/cap-*.wav
	# chime.wav is an intro, as its README offers, in the round with room at 48 kHz stereo.
	intro=""
	[[ "$round" == *flac* ]] && intro="intro = \"$media/chime.wav\";"
	write_config_audio "00:00:00" "gap_ms = 100;" "$intro"
	n=0
	for item in $round; do
		name=${item%%:*}
		expect_exit 0 import --title "$name" --slot sang "$media/$name"
		n=$((n + 1))
	done
	expect_exit 0 list --json
	list=$OUT
	for item in $round; do
		name=${item%%:*} want=${item#*:}
		dur=$(jq -r --arg t "$name" '.[] | select(.title == $t) | .duration_ms' <<<"$list")
		# The README's lengths are rounded (21.0 s decodes to 20.89 s from
		# the lossless FLAC too): within 1 %, and the same speech in
		# another format within 10 ms, as the README asks.
		[ $(((dur - want) * (dur - want) * 10000)) -le $((want * want)) ] ||
			fail "$name: decoded $dur ms, the media README says $want"
		echo "${name%.*} $dur" >>"$T/durations"
	done
	slot_in 3
	start_daemon
	wait_rows "$n" 60
	stop_daemon
	expect_exit 0 log --json
	assert_eq "$(jq -r '[.[] | select(.outcome == "completed")] | length' <<<"$OUT")" "$n" "completed: $OUT"
	jq -r '.[] | "\(.title) \(.duration_ms) \(.sample_rate) \(.channels)"' <<<"$list" |
		while read -r name dur rate ch; do check_capture "$name" "$dur" "$rate" "$ch"; done
	if [ -n "$intro" ]; then
		read -r _ _ frames _ <<<"$("$MKAUDIO" measure "$T/cap-48000-2.wav")"
		[ "$frames" -ge 95040 ] && [ "$frames" -le 96960 ] || fail "chime.wav intro: captured $frames frames of 96000"
	fi
done

sort "$T/durations" | awk '
	$1 == prev && ($2 - first > 10 || first - $2 > 10) { print $1 ": " $2 " ms against " first " ms"; bad = 1 }
	$1 != prev { prev = $1; first = $2 }
	END { exit bad }' || fail "the same speech decodes to different lengths in different formats"

# bad/: refused, named, nothing stored. corrupt-frames.mp3 is refused too
# (loa(1), import; doc/audio.md, "Decoding"), with how much decoded cleanly.
rm -rf "$T/state"
write_config "05:30"
for f in "$media"/bad/*; do
	case $f in *.md | *.txt) continue ;; esac
	expect_exit 2 import --slot sang "$f"
	[[ "$ERR" == *"$f"* ]] || fail "$(basename "$f"): the message does not name the file: $ERR"
	echo "$(basename "$f"): $ERR"
done
[[ "$ERR" == *"truncated.wav"*"cut off"* ]] || fail "truncated.wav: $ERR"
expect_exit 2 import --slot sang "$media/bad/corrupt-frames.mp3"
[[ "$ERR" == *"decoded cleanly"* ]] || fail "corrupt-frames.mp3 does not say how much decoded: $ERR"
expect_exit 2 import --slot sang "$media/bad/silence.wav"
[[ "$ERR" == *"--force"* ]] || fail "silence.wav does not offer --force: $ERR"
expect_exit 0 list --json
assert_eq "$(jq length <<<"$OUT")" 0 "bulletins after the bad files"
assert_eq "$(find "$T/state/content" -type f 2>/dev/null | wc -l)" 0 "files in the content store"
