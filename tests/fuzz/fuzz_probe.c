/* The import validator on arbitrary bytes as an audio file: libsndfile
 * picks the format from the contents, then content/probe.c decodes every
 * frame and reads the headers itself. Whatever the bytes, probe_file
 * either refuses with a sentence, or accepts audio loa can air. */
#include <math.h>
#include <string.h>

#include "content/probe.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("bulletin", data, size);
	struct audio_info info;
	char msg[512] = "";
	int err;

	err = probe_file(path, 0, &info, msg, sizeof(msg));
	if (err < 0) {
		FUZZ_ASSERT(msg[0], "a file was refused without a reason");
		return 0;
	}
	FUZZ_ASSERT(err == 0, "probe_file returned a positive value");
	FUZZ_ASSERT(info.frames > 0, "audio without frames was accepted");
	FUZZ_ASSERT(info.channels >= 1 && info.channels <= 8, "a channel count loa does not play");
	FUZZ_ASSERT(info.sample_rate >= 8000 && info.sample_rate <= 192000, "a rate loa does not play");
	FUZZ_ASSERT(info.duration_ms == info.frames * 1000 / info.sample_rate, "the duration is not the frames'");
	FUZZ_ASSERT(info.format[0] && memchr(info.format, '\0', sizeof(info.format)), "no format name");
	FUZZ_ASSERT(info.peak_dbfs >= -60.0, "silence was accepted without --force");
	FUZZ_ASSERT(!isnan(info.loudness_lufs) && !isnan(info.true_peak_dbtp), "loudness is not a number");
	return 0;
}
