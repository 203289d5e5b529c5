/* What a province's server sends, on arbitrary bytes: the reply parser
 * (upstream/reply.c) and the reader of the daemon's status. Whatever
 * arrives, the parser either refuses it or hands back only what the link
 * may use: a status, a description without control characters that fits
 * its buffer and is whole UTF-8, a token of visible ASCII that an HTTP
 * header can carry (no line break for a header of the server's choosing),
 * and a copy to keep that is JSON, no longer than the limit, with the
 * token masked. Nothing in a reply names a file or runs anything: the
 * parser has no way to, and this target would crash if it tried (the
 * scratch folder holds nothing to find). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "upstream/upstream.h"

/* jansson makes no string of bytes that are not UTF-8: let it judge. */
static bool whole_utf8(const char *s)
{
	json_t *v = json_stringn(s, strlen(s));
	bool ok = v != NULL;

	json_decref(v);
	return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct upstream_reply r;
	struct upstream_station s;
	char why[256];
	json_error_t err;
	json_t *kept, *t;

	if (upstream_reply_parse((const char *)data, size, &r, why, sizeof(why)) == 0) {
		FUZZ_ASSERT(r.kept && strlen(r.kept) <= UPSTREAM_KEEP_MAX, "what is kept is missing or too long");
		kept = json_loads(r.kept, JSON_REJECT_DUPLICATES, &err);
		FUZZ_ASSERT(kept && json_is_object(kept), "what is kept is not a JSON object");
		t = json_object_get(json_object_get(kept, "NoiDung"), "Token");
		FUZZ_ASSERT(!t || !json_is_string(t) || !strcmp(json_string_value(t), "***"), "the token is kept");
		json_decref(kept);
		FUZZ_ASSERT(strlen(r.mota) < sizeof(r.mota), "MoTa overflows");
		for (const char *p = r.mota; *p; p++)
			FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f, "a control character in MoTa");
		FUZZ_ASSERT(whole_utf8(r.mota), "MoTa cut inside a character");
		if (r.token) {
			size_t n = strlen(r.token);

			FUZZ_ASSERT(n > 0 && n <= UPSTREAM_TOKEN_MAX, "a token of the wrong length");
			for (const char *p = r.token; *p; p++)
				FUZZ_ASSERT(*p > 0x20 && *p < 0x7f, "a token a header cannot carry");
			FUZZ_ASSERT(!r.token_bad, "a token both taken and refused");
		}
		upstream_reply_done(&r);
	} else {
		FUZZ_ASSERT(!r.kept && !r.token, "a refused reply left something behind");
	}
	if (upstream_station_parse((const char *)data, size, &s) == 0) {
		FUZZ_ASSERT(strlen(s.title) < sizeof(s.title), "the title overflows");
		FUZZ_ASSERT(s.position_ms >= 0, "a negative position");
		FUZZ_ASSERT(s.on_air || !s.title[0], "a title while nothing is on air");
	}
	return 0;
}
