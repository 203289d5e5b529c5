#!/usr/bin/env bash
# report.sh RESULTS.JSON: bench/results.md from bench/results.json, for
# people: each figure beside its comparison and target, the commands that
# produced them, and for each target missed, why and what it would take
# (from profiling the code at the commit named in the JSON).
set -euo pipefail
J=$1
v() { jq -r --arg k "$1" '.figures[$k].value // "—"' "$J"; }
c() { jq -r --arg k "$1" '.figures[$k].command // "—"' "$J"; }
# holds VALUE OP LIMIT: "yes" or "**no**".
holds() { awk -v x="$1" -v op="$2" -v l="$3" 'BEGIN {
	if (x == "—" || x == "null") { print "—"; exit }
	ok = (op == "<" ? x < l : x <= l); print ok ? "yes" : "**no**" }'; }
# mem PREFIX: "yes" when PREFIX_pss_kib ≤ 3 MiB and PREFIX_private_kib ≤
# 1 MiB (#20), "**no**" when either is over, "—" when not measured.
mem() { local a b
	a=$(holds "$(v "$1_pss_kib")" "<=" 3072) b=$(holds "$(v "$1_private_kib")" "<=" 1024)
	if [ "$a" = "—" ] || [ "$b" = "—" ]; then echo "—"; elif [ "$a" = yes ] && [ "$b" = yes ]; then echo yes; else echo "**no**"; fi; }
# The report's target: 1.2 times SQLite reading the rows alone (#20).
report_limit() { awk -v r="$(v walk_floor_read_ms)" 'BEGIN { if (r == "—") print "—"; else printf "%.0f\n", r * 1.2 }'; }
bt='`' # a backtick, for the rows made in a command substitution
liq=$(jq -r .liquidsoap "$J")
if [ "$liq" = "not installed" ]; then
	LIQ_NOTE="not installed (\`apt-get install --no-install-recommends liquidsoap\`)"
	liq_rss=$LIQ_NOTE liq_wake=$LIQ_NOTE liq_start="Liquidsoap: $LIQ_NOTE"
else
	liq_rss="$(v liquidsoap_idle_rss_kib) KiB ($liq)"
	liq_wake="$(v liquidsoap_idle_wakeups_per_min) ($liq)"
	liq_start="Liquidsoap, one file scheduled: $(v liquidsoap_start_cpu_ms) ms of CPU to start ($liq)"
fi

cat <<MD
# loa benchmarks

Measured by \`make bench\` ($(v bench_seconds) s) at $(jq -r .measured_at "$J"), commit
$(jq -r .commit "$J"), on $(jq -r .host "$J"). Machine-readable:
\`bench/results.json\`. Scratch and logs: \`build/bench/run/\`.

| figure | loa | beside it | target | holds |
|---|---|---|---|---|
| start error, scheduled instant → first frame (not silence) to ALSA, p50 / p95 / p99 / max (ms); since #20 loa hands it over 150–200 ms ahead on purpose, where the device plays it at the instant: heard_error_ms is the figure, $(v punct_items) items, paced device | $(v start_error_ms_p50) / $(v start_error_ms_p95) / $(v start_error_ms_p99) / $(v start_error_ms_p100) | cron + aplay: $(v cron_aplay_start_error_ms_p50) / $(v cron_aplay_start_error_ms_p95) / $(v cron_aplay_start_error_ms_p99); aplay's own latency p50 / p99: $(v aplay_latency_ms_p50) / $(v aplay_latency_ms_p99); Liquidsoap: not measured (see notes) | — (was p95 ≤ 5, #4; replaced by heard_error_ms, #20) | — |
| the same from the ledger, started_at − scheduled_at, p50 / p95 / p99 / max (ms, whole ms) | $(v start_error_ms_ledger_p50) / $(v start_error_ms_ledger_p95) / $(v start_error_ms_ledger_p99) / $(v start_error_ms_ledger_p100) | | p95 ≤ 5 (#4) | $(holds "$(v start_error_ms_ledger_p95)" "<=" 5) |
| heard_error_ms: the first sample of each item as it enters the JACK cycle (\`bench/ear\`) − the scheduled instant, in size p50 / p95 / p99 / max (ms), period 1024 frames | $(v heard_error_ms_p50_1024) / $(v heard_error_ms_p95_1024) / $(v heard_error_ms_p99_1024) / $(v heard_error_ms_p100_1024) | earliest $(v heard_error_ms_min_1024), latest $(v heard_error_ms_max_1024) | p99 ≤ 2 (#20) | $(holds "$(v heard_error_ms_p99_1024)" "<=" 2) |
| the same, period 128 frames | $(v heard_error_ms_p50_128) / $(v heard_error_ms_p95_128) / $(v heard_error_ms_p99_128) / $(v heard_error_ms_p100_128) | earliest $(v heard_error_ms_min_128), latest $(v heard_error_ms_max_128) | p99 ≤ 2 (#20) | $(holds "$(v heard_error_ms_p99_128)" "<=" 2) |
| idle memory, \`loa daemon\` (1,000 bulletins, a year of ledger): idle_pss_kib / private (KiB) | $(v idle_pss_kib) / $(v idle_private_kib) (VmRSS: $(v idle_rss_kib); RssAnon: $(v idle_rss_anon_kib)) | Liquidsoap VmRSS: $liq_rss | Pss ≤ 3072, private ≤ 1024 (#20) | $(mem idle) |
| idle memory, \`loa web\` (the same station, one page served): web_idle_pss_kib / private (KiB) | $(v web_idle_pss_kib) / $(v web_idle_private_kib) (VmRSS: $(v web_idle_rss_kib); RssAnon: $(v web_idle_rss_anon_kib)) | | Pss ≤ 3072, private ≤ 1024 (#20) | $(mem web_idle) |
| idle memory, \`loa upstream run\` (outbox drained, next ping an hour away): upstream_idle_pss_kib / private (KiB) | $(v upstream_idle_pss_kib) / $(v upstream_idle_private_kib) (VmRSS: $(v upstream_idle_rss_kib); RssAnon: $(v upstream_idle_rss_anon_kib)) | | Pss ≤ 3072, private ≤ 1024 (#20) | $(mem upstream_idle) |
| idle_wakeups_per_min | $(v idle_wakeups_per_min) | Liquidsoap: $liq_wake | ≤ 1 | $(holds "$(v idle_wakeups_per_min)" "<=" 1) |
| cpu_ratio_vs_decode_floor, MP3 48 kHz stereo | $(v cpu_ratio_vs_decode_floor_48k-stereo) ($(v cpu_instructions_per_hour_48k-stereo) instructions per hour aired) | decode floor: $(v decode_floor_instructions_per_hour_48k-stereo) per hour | ≤ 1.2 | $(holds "$(v cpu_ratio_vs_decode_floor_48k-stereo)" "<=" 1.2) |
| cpu_ratio_vs_decode_floor, MP3 22.05 kHz mono | $(v cpu_ratio_vs_decode_floor_22k-mono) ($(v cpu_instructions_per_hour_22k-mono) per hour) | decode floor: $(v decode_floor_instructions_per_hour_22k-mono) per hour | ≤ 1.2 | $(holds "$(v cpu_ratio_vs_decode_floor_22k-mono)" "<=" 1.2) |
| cpu_ratio_vs_decode_floor, MP3 22.05 kHz mono speech-like (\`mkaudio speech\`) | $(v cpu_ratio_vs_decode_floor_speech-22k-mono) ($(v cpu_instructions_per_hour_speech-22k-mono) per hour) | decode floor: $(v decode_floor_instructions_per_hour_speech-22k-mono) per hour | ≤ 1.5 (#20) | $(holds "$(v cpu_ratio_vs_decode_floor_speech-22k-mono)" "<=" 1.5) |
$(for r in phong-chong-thien-tai chuyen-doi-so; do [ "$(v "cpu_ratio_vs_decode_floor_recorded-$r")" = "—" ] ||
  echo "| cpu_ratio_vs_decode_floor, recorded speech ${bt}$r.mp3${bt} (../shared/media) | $(v "cpu_ratio_vs_decode_floor_recorded-$r") ($(v "cpu_instructions_per_hour_recorded-$r") per hour) | decode floor: $(v "decode_floor_instructions_per_hour_recorded-$r") per hour | ≤ 1.5 (#20) | $(holds "$(v "cpu_ratio_vs_decode_floor_recorded-$r")" "<=" 1.5) |"; done)
$(for r in speech-22k-mono recorded-phong-chong-thien-tai recorded-chuyen-doi-so; do [ "$(v "limiter_null_dbfs_$r")" = "—" ] ||
  echo "| the limiter against the one before #20 on ${bt}$r${bt} (bench/limiter_null): null RMS (dBFS); loudness change (LU); true peak (dBTP, libebur128) | $(v "limiter_null_dbfs_$r"); $(v "limiter_null_lu_$r"); $(v "limiter_null_tp_dbtp_$r") | before: true peak $(v "limiter_null_tp_ref_dbtp_$r") | null ≤ −50, loudness within 0.1 LU (#20) | $(awk -v n="$(v "limiter_null_dbfs_$r")" -v d="$(v "limiter_null_lu_$r")" 'BEGIN { if (n == "—") print "—"; else print (n <= -50 && d <= 0.1 && d >= -0.1) ? "yes" : "**no**" }') |"; done)
| import of an hour of 48 kHz stereo speech (MP3): import_ms_per_audio_hour, wall (CPU) | $(v import_ms_per_audio_hour) ($(v import_cpu_ms_per_audio_hour)) | decode floor, the same file: $(v decode_floor_ms_per_audio_hour) ($(v decode_floor_cpu_ms_per_audio_hour)) | — | — |
| import_ratio_vs_decode_floor, in CPU (in wall time) | $(v import_ratio_vs_decode_floor) ($(v import_wall_ratio_vs_decode_floor)) | | ≤ 3 (#20) | $(holds "$(v import_ratio_vs_decode_floor)" "<=" 3) |
| startup_ms (10,000 bulletins, $(v ledger_rows_big) ledger rows) | $(v startup_ms) | $liq_start | < 50 | $(holds "$(v startup_ms)" "<" 50) |
| the page check after READY=1 (\`PRAGMA quick_check\`, same ledger; its writes wait for it) | $(v page_check_ms) | | — | — |
| report_1m_rows_ms (a year by topic, the whole chain checked) | $(v report_1m_rows_ms) | bare sqlite3 GROUP BY: $(v report_1m_rows_sqlite3_ms); \`loa verify\` alone: $(v verify_1m_rows_ms); the least any check can take: reading the rows $(v walk_floor_read_ms), SHA-256 $(v walk_floor_sha256_ms), side by side in two threads | ≤ 1.2 × reading = $(report_limit) (#20); with witnesses ≤ 200 only if sound, and no cheaper check is (doc/evidence.md) | $(holds "$(v report_1m_rows_ms)" "<=" "$(report_limit)") |
| bytes_written_per_item to state_dir, WAL included (20 s item) | $(v bytes_written_per_item) | 1 s items: $(v bytes_written_per_item_1s) each; a busy station's year (8,760 items of 20 s): $(awk -v b="$(v bytes_written_per_item)" 'BEGIN { if (b + 0 > 0) printf "%.0f MB", b * 8760 / 1e6; else print "—" }'); cron + aplay: none, and no record | — | — |
| the province link: a 30-day backlog ($(v upstream_drain_rows) records) drained to the test province over TLS (s) | $(v upstream_drain_s) ($(v upstream_drain_records_per_s) records/s) | | — | — |
| bytes a record: JSON body / HTTP request before TLS | $(v upstream_record_body_bytes) / $(v upstream_record_http_bytes) | | — | — |
| the idle link (\`loa upstream run\`): RSS (KiB; RssAnon), wake-ups per minute between pings and schedule polls, per ping, per schedule poll (#18, every 30 s by default) | $(v upstream_idle_rss_kib) ($(v upstream_idle_rss_anon_kib)), $(v upstream_idle_wakeups_per_min), $(v upstream_wakeups_per_ping), $(v upstream_wakeups_per_poll) | | wake-ups between pings and polls: 0 (#17) | $(holds "$(v upstream_idle_wakeups_per_min)" "<=" 0) |

MD
if [ "$(v web_idle_rss_kib)" != "—" ]; then
	cat <<MD
## The console (\`loa web\`)

Measured by \`bench/web.sh\` at $(jq -r '.web.measured_at // .measured_at' "$J"), commit $(jq -r '.web.commit // .commit' "$J"):
a station with 1,000 bulletins and a busy year of ledger, its daemon on
ALSA's null device, \`loa web\` on loopback, on the same machine.

| figure | loa web | beside it | target | holds |
|---|---|---|---|---|
| idle RSS (KiB), after start | $(v web_idle_rss_kib) (Pss: $(v web_idle_pss_kib); RssAnon: $(v web_idle_rss_anon_kib)) | after the 20 clients: $(v web_after_load_rss_kib); the daemon idle: $(v idle_rss_kib) | — | — |
| server time per page, p50 / p95 (ms): the log of a year | $(v web_page_ms_p50_log) / $(v web_page_ms_p95_log) | | — | — |
| the same: the reports page | $(v web_page_ms_p50_reports) / $(v web_page_ms_p95_reports) | | — | — |
| the same: the year's printable report (chain checked) | $(v web_page_ms_p50_report_html) / $(v web_page_ms_p95_report_html) | | — | — |
| the same: the status page (the daemon asked) | $(v web_page_ms_p50_status) / $(v web_page_ms_p95_status) | | — | — |
| the same: the library, 1,000 bulletins on one page | $(v web_page_ms_p50_library) / $(v web_page_ms_p95_library) | | — | — |
| 20 clients at once, 200 requests each, each from its own loopback address: errors | $(v web_clients_errors) of $(v web_clients_requests) ($(v web_clients_req_per_s) requests/s, p95 $(v web_clients_ms_p95) ms) | all 20 from one address: $(v web_clients_one_address_errors) errors (16 connections per address, by design) | no errors (#16) | $(holds "$(v web_clients_errors)" "<=" 0) |
| RSS growth while a $(awk -v b="$(v web_upload_bytes)" 'BEGIN { if (b + 0 > 0) printf "%.0f MB", b / 1e6; else print "—" }') WAV uploads and is imported (KiB) | $(v web_upload_rss_growth_kib) ($(v web_upload_s) s to the answer) | | does not grow with the file (doc/web.md): < 8192 | $(holds "$(v web_upload_rss_growth_kib)" "<" 8192) |

MD
fi
cat <<MD
## Commands

| figure | how it was measured |
|---|---|
MD
jq -r '.figures | to_entries[] | "| \(.key) | \(.value.command | gsub("\\|"; "\\|")) |"' "$J"
cat <<'MD'

## How to read it

- **Start error** is measured outside loa: `bench/firstframe.so`, loaded
  with LD_PRELOAD, notes the CLOCK_REALTIME instant of each PCM's first
  `snd_pcm_writei`. Each item is the only one of its slot (50 slots 3 s
  apart), so each is a scheduled instant with its own pre-roll. The
  ledger's figure is loa's own record (`started_at`, whole milliseconds,
  taken just before the first write, so it can read 0 when the shim reads
  a fraction of a millisecond).
- **cron + aplay**: cron can only fire at a whole minute; an item due at
  HH:MM:SS airs at the next whole minute (never early), so it is late by
  (60 − SS) mod 60 s plus aplay's start-up, which is measured (exec of
  `sh -c aplay` → aplay's first `snd_pcm_writei`, on the same paced
  device). An item due at a whole minute is late by aplay's latency alone.
  cron also keeps no record of what aired.
- **Liquidsoap start error** is not measured: its ALSA output runs
  continuously (or restarts when a fallible source becomes available), so
  "the first frame of the item" is not one write that a shim can see;
  measuring it needs a marker in the audio itself.
- **Startup** is exec to `READY=1`. The check of every page of the
  database (`PRAGMA quick_check`, so a damaged ledger is never
  written to) runs after it, in a thread of its own on a read-only
  connection; the daemon plans, records and airs once it passes, or
  stops (exit 1) without having written to a damaged file. Its time is
  the row below startup: how late an item due at the very start of the
  daemon can be.
- **Idle** is the daemon between broadcasts: its next slot hours away,
  under no systemd watchdog; wake-ups are its context switches.
- **CPU** is counted in instructions (callgrind), which are repeatable on
  a loaded machine where wall time is not; `perf stat` could not count
  instructions in this virtual machine. Each file is imported, then aired
  once by a fresh daemon; its start and stop with nothing to air is
  subtracted. Import finds the make-up once and stores it (doc/audio.md,
  Make-up), so the airing's pre-roll does not search; import's own cost
  is not counted. `mkaudio tone` is a sine amplitude-modulated like
  speech: brought to the target, its peaks stay under the ceiling, so the
  limiter only copies. `mkaudio speech` (formants on a pulse train under
  a syllable envelope) and the recorded speech of ../shared/media have a
  voice's crest factor: brought to the target, their peaks pass the
  ceiling and the limiter works on every frame.
- **Idle memory** is judged by Pss (each shared page divided among the
  processes mapping it) and private pages (Private_Clean + Private_Dirty,
  /proc/PID/smaps_rollup): what a process costs the box. VmRSS counts
  every page of libc and SQLite in every process that maps them, and
  stays in the table for comparison (#20). Pss moves with what else runs:
  here the daemon runs beside the console and the link.
- **Import** of an hour-long recording is timed in CPU (user + sys of
  the process, from bash's \`times\`), which the other work on the
  machine disturbs less than the wall clock, and in wall time; the floor
  is \`bench/decode_floor\` on the same file, libsndfile (mpg123) decoding
  it to nothing, one thread. The recording is \`mkaudio speech\`, an hour at
  48 kHz stereo, encoded by libsndfile (LAME).
- **Bytes written** are the daemon's `write_bytes` (/proc/PID/io: what it
  sent to the block layer, WAL and checkpoints included) during the paced
  run; the device there is `plug:jack` with no capture file, so the only
  files it writes are in state_dir. The 20 s item includes its in-flight
  checkpoints (every 5 s); a long bulletin adds one per 5 s.
MD

miss() { [ "$(holds "$(v "$1")" "$2" "$3")" = "**no**" ]; }
echo
echo "## Targets missed: why, and what it would take"
echo
if [ "$(mem idle)" = "**no**" ]; then
	cat <<EOF
- **idle memory of the daemon** (Pss $(v idle_pss_kib), private $(v idle_private_kib) KiB; VmRSS $(v idle_rss_kib) KiB): the
  console's libmicrohttpd, the link's libcurl and the relays' FFmpeg are
  no longer linked but loaded by the door that uses them, at its first
  use (util/dynlib.h): linked, they had brought the daemon to VmRSS 30 MiB
  and 5.5 MiB private dirty; alone on a sleeping station it now holds
  VmRSS 7060, Pss 4883 and private dirty 1020 KiB (smaps_rollup, one
  process, nothing sharing its pages).
  The rest, for VmRSS: VmRSS counts every page of
  every file the process has mapped, and a page fault maps the 64 KiB
  around it when the file is in the page cache (fault-around). The daemon
  loads 23 shared objects, and each costs 30 to 200 KiB merely for being
  loaded: the headers and symbol tables the dynamic linker reads, the
  64 KiB of code around its constructor, and its data pages written by
  relocation, which RssAnon ($(v idle_rss_anon_kib) KiB) counts beside the
  heap and stack (libvorbisenc's tables of pointers alone are 116 KiB). On the idle station, in KiB of VmRSS:
  glibc, libm, the loader and the locale files about 2,240, shared with
  every process on the box; SQLite 1,190, as the start-up (open, page
  check, planning) runs code in 161 of its 239 code pages, in every 64 KiB
  of it; libsystemd with the gcrypt, gpg-error, zstd, lz4, lzma and libcap
  it links about 1,000, for sd_notify; alsa-lib and libsndfile with its
  codecs about 1,120, of which start-up runs only their constructors;
  nettle, libconfig and libebur128 310; the loa binary 240; heap, stack
  and anonymous maps about 270 after the idle trim. Binding at load
  (\`-z now\`, LD_BIND_NOW) changes none of it, and \`--as-needed\` drops
  no library (the binary calls into each). Pss ($(v idle_pss_kib)) and
  private ($(v idle_private_kib)) are what the daemon adds beside the
  other processes mapping the same files. Under 4 MiB would take not
  loading alsa-lib and libsndfile until pre-roll (dlopen, unloaded
  after) and a libsystemd that loads its compression and crypto
  libraries only when used (later systemd releases load them with
  dlopen): together about 1.7 MiB, which leaves about 4.6 MiB, glibc and
  SQLite alone being some 3.3 MiB of it.
EOF
fi
for f in 48k-stereo 22k-mono; do
	if miss "cpu_ratio_vs_decode_floor_$f" "<=" 1.2; then
		cat <<EOF
- **cpu_ratio_vs_decode_floor, $f** ($(v "cpu_ratio_vs_decode_floor_$f")): the limiter
  already skips its oversampled detector where a chunk's sample peak
  clears the ceiling by the detector's own bound, copies the audio through
  when its gain is at rest, and the gain, the peak scan and the S16
  conversion are loops the compiler vectorises; the pre-roll takes the
  opening's peak from the import instead of decoding it twice. Under
  callgrind, about five sixths of what is left is libsndfile and mpg123
  decoding, the rest mostly the S16 conversion and the limiter's copies
  (see \`build/bench/run/cpu-$f.air.cg\`). What it would take: converting to S16
  with saturating packs (SSE2/NEON intrinsics rather than portable C), or
  handing ALSA floats where the device takes them.
EOF
	fi
done
speech_missed=""
for f in speech-22k-mono recorded-phong-chong-thien-tai recorded-chuyen-doi-so; do
	miss "cpu_ratio_vs_decode_floor_$f" "<=" 1.5 &&
		speech_missed="$speech_missed${speech_missed:+, }$f $(v "cpu_ratio_vs_decode_floor_$f")"
done
if [ -n "$speech_missed" ]; then
	cat <<EOF
- **cpu_ratio_vs_decode_floor on speech** ($speech_missed): speech
  brought to the target has peaks over the ceiling, recorded speech
  nearly all along, so the limiter rarely rests. Its gain path (a sliding
  minimum over the 5 ms look-ahead, a moving average, a two-stage release
  in dB) now runs once per block of 8 frames with the gain interpolated in
  between (#20; audio/limiter.c, "At block rate"), which took it from about
  200 instructions a frame of \`phong-chong-thien-tai.mp3\` to about 47;
  mpg123 takes about 66 to decode a frame of it, and the rest of the
  airing (S16 conversion, ALSA, the ledger) about 10. At 1.5x the whole
  limiter would have to cost under 25 a frame. What it would take: blocks
  of 16 frames (the null test against the per-frame limiter then reads
  -44 dBFS on \`chuyen-doi-so.mp3\`, over the -50 #20 allows, because each
  block widens the look-ahead's window by a block on each side); or the
  clamp of the interpolated gain at the segment's own minimum instead of
  that widening, which would keep the ramps where the per-frame limiter
  puts them; and the release's two logarithm/exponential pairs a block
  replaced by a table. See \`build/bench/run/cpu-recorded-*.air.cg\` and
  \`bench/limiter_null\` for the null test.
EOF
fi
for k in web_idle upstream_idle; do
	[ "$(mem "$k")" = "**no**" ] || continue
	cat <<EOF
- **idle memory of \`loa $( [ "$k" = web_idle ] && echo web || echo upstream run)\`** (Pss $(v "${k}_pss_kib"), private $(v "${k}_private_kib") KiB):
  each door loads only its own library since this was measured at
  first (libmicrohttpd with GnuTLS for the console, libcurl with OpenSSL
  for the link; util/dynlib.h), but that library's relocated data pages
  are private to it, and its file pages count in Pss wherever fewer
  processes share them. \`loa upstream run\` also initialises OpenSSL
  (curl_global_init: its providers, error strings and configuration, most
  of its RssAnon), and \`loa web\` keeps the heap its first page grew
  (about 0.6 MiB). What it would take: libcurl built against a lighter
  TLS library than OpenSSL (Debian's libcurl3-gnutls shares GnuTLS with
  libmicrohttpd), and malloc_trim after each answer in the console.
EOF
done
if miss import_ratio_vs_decode_floor "<=" 3; then
	cat <<EOF
- **import_ratio_vs_decode_floor** ($(v import_ratio_vs_decode_floor)): import decodes the
  file once (probe), hashes and copies it, and finds the make-up on its
  first 10 s. The true peak no longer oversamples every frame
  (audio/truepeak.c: the same measurement as libebur128's, skipping the
  runs that cannot raise it), which was three quarters of the time. What
  is left beside the decoding is libebur128's loudness (its K-weighting
  filter and the 400 ms gating blocks it sums anew every 100 ms, about as
  much CPU as mpg123). What it would take: the K-weighting and the gating
  blocks computed in loa from 100 ms partial sums (the loudness then
  differs from libebur128's in the last digits of a double), or the
  measurement in a thread beside the decoder, which shortens the wait but
  not the CPU.
EOF
fi
if miss startup_ms "<" 50; then
	cat <<EOF
- **startup_ms** ($(v startup_ms)): wall time, so it moves with the load of
  the machine (the other figures of the run show how loaded it was). A
  start re-plans the ledger's last occurrence from the bulletins that can
  air in it (one query) and the items the ledger holds for it (one query);
  under callgrind most of what is left is SQLite scanning the bulletins
  table for them. What it would take on a slower machine: an index on the
  bulletins' validity, so the scan reads only those valid that day.
EOF
fi
if miss heard_error_ms_p99_1024 "<=" 2 || miss heard_error_ms_p99_128 "<=" 2; then
	cat <<EOF
- **heard_error_ms** (p99 $(v heard_error_ms_p99_1024) ms at 1024 frames, $(v heard_error_ms_p99_128) ms at 128):
  loa puts the first frame where the device plays it at the instant, from
  its own readings of the device's delay (\`audio/playout.h\`), which the
  unit tests hold to within 0.5 ms at both periods, late JACK cycles and a
  client a cycle behind included (\`tests/test_playout.c\`). On a quiet
  machine (the run of 12c8998, load average under 0.2) the 1024-frame
  run missed by a tenth of a millisecond: every item within -0.08 and
  2.10 ms, but 34 of the 50 between 1.7 and 2.1 ms, a steady lateness of
  about 2 ms (some 96 frames) that loa's own readings do not show and
  this bench has not explained. At 128 frames 43 of 50 were within
  1.1 ms and the other 7 between 1.4 and 5.6 ms late. Under load (average about 10,
  the run of 37def9c) the dummy JACK server without real-time priority
  misses cycles and took frames at about 85 % of its rate, and the errors
  grew to p99 26 ms (1024) and 120 ms (128). What it would take: finding
  the 2 ms (the ear stamps a sample from the start of the cycle it enters;
  the ALSA jack plugin's own buffer between loa's delay reading and that
  cycle is the first suspect), following the device's own pace with a fit
  over the starts of blocks, placing the frame nearer the instant (a
  shorter buffer while placing), and a real-time server, as a station's
  box runs.
EOF
fi
if miss report_1m_rows_ms "<=" "$(report_limit)"; then
	cat <<EOF
- **report_1m_rows_ms** ($(v report_1m_rows_ms)): a report re-checks the
  whole hash chain and counts the period's rows in the same walk
  (\`report/render.c\` \`report_load()\`, \`verify_chain_rows\`), a reader thread
  stepping SQLite beside a thread hashing (\`ledger/verify.c\`). The two
  threads do run side by side (\`loa verify\` on this ledger: about 160 %
  of a core), but together they spend about 1.6 s of CPU against the
  floors' $(v walk_floor_read_ms) ms of reading and $(v walk_floor_sha256_ms) ms of SHA-256: the reader
  copies each row's columns into the batch it hands over and the hasher
  builds each row's encoding, work the floors do not do, and the
  hand-over between threads costs its own wake-ups. Where the bench
  shares its two cores with other work, the walk gets one core and its
  cost becomes the sum. What it would take: profiling the reader (not yet
  done) to bring it to the floor's cost, handing over larger batches, and
  fewer bytes a row to read (the hash columns as BLOBs, half their size),
  which changes the stored format.
EOF
fi
cat <<EOF
- **Reports with witnesses**: #20 allows ≤ 200 ms by starting the walk at
  the row the province last acknowledged, only if the earlier rows are
  still proven unchanged. No cheaper check is sound: whoever can edit the
  file can set every counter, digest or date a check could read instead of
  the rows (doc/evidence.md, "Why a witness does not let a report skip the
  rows before it"), so every report walks the whole chain.
EOF
