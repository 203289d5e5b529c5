/* The config parser on arbitrary bytes: libconfig's syntax, then every
 * check of config/config.c. Whatever the file says, config_load either
 * gives a config that keeps the promises the daemon relies on, or refuses
 * with at least one message. The file sits alone in a scratch folder, so
 * relative paths and @include find nothing of the machine's. */
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "tests/fuzz/fuzz.h"
#include "util/timeutil.h"

static void check_slot(const struct config *cfg, const struct slot *s)
{
	FUZZ_ASSERT(s->name && *s->name, "a slot without a name was accepted");
	FUZZ_ASSERT(config_slot(cfg, s->name) == s, "slot names are not unique");
	FUZZ_ASSERT(s->start_sec >= 0 && s->start_sec < 86400, "a start outside the day");
	FUZZ_ASSERT(s->days && !(s->days & ~(unsigned)DAYS_ALL), "a slot without weekdays");
	FUZZ_ASSERT(s->from_day <= s->until_day, "from after until");
	FUZZ_ASSERT(s->max_minutes >= 0 && s->max_minutes <= 1440, "max_minutes out of range");
	for (size_t i = 0; i < s->n_skip; i++) {
		FUZZ_ASSERT(i == 0 || s->skip_days[i - 1] < s->skip_days[i], "skip_dates not sorted and unique");
		FUZZ_ASSERT(slot_skips(s, s->skip_days[i]), "a listed skip date is not skipped");
	}
	FUZZ_ASSERT(!s->intro || s->intro[0] == '/', "a relative intro path");
	FUZZ_ASSERT(!s->outro || s->outro[0] == '/', "a relative outro path");
	for (size_t i = 0; i < s->n_topics; i++)
		FUZZ_ASSERT(s->topics[i] && *s->topics[i], "an empty topic");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("loa.conf", data, size);
	struct strlist errs = { 0 };
	struct config *cfg = NULL;
	int err;

	err = config_load(path, &cfg, &errs);
	if (err < 0) {
		FUZZ_ASSERT(!cfg, "a refused config was returned");
		FUZZ_ASSERT(errs.n > 0, "a config was refused without a message");
	} else {
		FUZZ_ASSERT(err == 0 && cfg, "config_load returned neither a config nor an error");
		FUZZ_ASSERT(errs.n == 0, "a config was accepted with problems");
		FUZZ_ASSERT(cfg->station_name && cfg->timezone, "station name or zone missing");
		FUZZ_ASSERT(cfg->state_dir && cfg->state_dir[0] == '/', "state_dir not absolute");
		FUZZ_ASSERT(cfg->socket_path && cfg->socket_path[0] == '/', "socket not absolute");
		FUZZ_ASSERT(cfg->limit_earliest < 0 || cfg->limit_latest < 0 ||
			    cfg->limit_earliest < cfg->limit_latest, "limits out of order");
		for (size_t i = 0; i < cfg->n_slots; i++)
			check_slot(cfg, &cfg->slots[i]);
		FUZZ_ASSERT(!config_slot(cfg, ""), "a slot named by the empty string");
		if (cfg->upstream) {
			const struct upstream_config *u = cfg->upstream;

			FUZZ_ASSERT(u->url && !strncmp(u->url, "https://", 8), "an upstream url without TLS");
			FUZZ_ASSERT(!strpbrk(u->url, " \r\n"), "an upstream url with a space or line break");
			FUZZ_ASSERT(u->password_file && u->password_file[0] == '/', "a relative password_file");
			FUZZ_ASSERT(u->username && u->source_id && u->device_id, "an upstream identity missing");
			FUZZ_ASSERT(u->path_login[0] == '/' && u->path_log[0] == '/' && u->path_ping[0] == '/',
				    "an upstream path without its slash");
			FUZZ_ASSERT(u->ping_seconds >= 10 && u->timeout_seconds >= 1, "upstream timings out of range");
		}
	}
	/* "FILE:LINE: ...", FILE this one or one it includes, all in its folder. */
	for (size_t i = 0; i < errs.n; i++)
		FUZZ_ASSERT(errs.v[i] && strncmp(errs.v[i], path, strrchr(path, '/') - path + 1) == 0,
			    "a message that does not start with a file's name");
	config_free(cfg);
	strlist_done(&errs);
	return 0;
}
