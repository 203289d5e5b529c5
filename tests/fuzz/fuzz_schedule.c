/* The province's schedules (upstream/schedule.c), on arbitrary bytes.
 * Whatever arrives, the parser either refuses the reply, or hands back
 * schedules each of which is either refused whole (an id that fits and a
 * reason, nothing else) or good in every field loa will use: ids of
 * visible ASCII without a slash, text without control characters,
 * priorities and topics in range, addresses that are http(s) with a host,
 * instants that end no earlier than they start. */
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "upstream/upstream.h"

static void check_id(const char *id, bool may_be_empty)
{
	size_t n = strlen(id);

	FUZZ_ASSERT(n <= PROVINCE_ID_MAX, "an id too long");
	FUZZ_ASSERT(may_be_empty || n > 0, "an empty id");
	for (const char *p = id; *p; p++)
		FUZZ_ASSERT(*p > 0x20 && *p < 0x7f && *p != '/' && *p != '\\', "an id with a byte it may not hold");
}

static void check_text(const char *s)
{
	if (!s)
		return;
	FUZZ_ASSERT(strlen(s) <= PROVINCE_TEXT_MAX, "text too long");
	for (const char *p = s; *p; p++)
		FUZZ_ASSERT((unsigned char)*p >= 0x20 && *p != 0x7f, "a control character in text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct upstream_schedules l;
	char why[256];

	if (upstream_schedules_parse((const char *)data, size, &l, why, sizeof(why)) < 0) {
		FUZZ_ASSERT(!l.items && !l.n, "a refused reply left something behind");
		FUZZ_ASSERT(why[0], "a refused reply without a reason");
		return 0;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct province_schedule *s = &l.items[i];

		check_id(s->id, s->refused);
		if (s->refused) {
			FUZZ_ASSERT(s->why && s->why[0], "a refused schedule without a reason");
			FUZZ_ASSERT(!s->n_bulletins && !s->n_instants && !s->name, "a refused schedule kept data");
			continue;
		}
		check_text(s->name);
		FUZZ_ASSERT(s->cancelled || (s->n_bulletins > 0 && s->n_instants > 0), "a schedule with nothing to air");
		FUZZ_ASSERT(s->n_bulletins <= PROVINCE_BULLETINS_MAX && s->n_instants <= PROVINCE_INSTANTS_MAX,
			    "too many bulletins or instants");
		for (size_t j = 0; j < s->n_bulletins; j++) {
			const struct province_bulletin *b = &s->bulletins[j];

			check_id(b->id, false);
			check_text(b->title);
			check_text(b->author);
			FUZZ_ASSERT(b->title && b->title[0], "a bulletin without a title");
			FUZZ_ASSERT(b->topic >= 1 && b->topic <= 6, "a topic out of range");
			FUZZ_ASSERT(b->priority >= 0 && b->priority <= 2, "a priority out of range");
			FUZZ_ASSERT(b->url && upstream_url_ok(b->url), "an address that is not http(s)");
			FUZZ_ASSERT(!strncmp(b->url, "http://", 7) || !strncmp(b->url, "https://", 8),
				    "an address of another scheme");
			FUZZ_ASSERT(b->duration_ms >= 0, "a negative duration");
		}
		for (size_t j = 0; j < s->n_instants; j++)
			FUZZ_ASSERT(s->instants[j].end_ms >= s->instants[j].start_ms, "an instant ending before it starts");
	}
	upstream_schedules_done(&l);
	return 0;
}
