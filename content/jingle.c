/* See jingle.h. A broken intro is a config error, found at `loa check` and
 * at reload, never at 05:30 on air. */
#include "content/jingle.h"

#include <errno.h>

#include "content/probe.h"
#include "util/i18n.h"

static int probe_one(const struct config *cfg, const struct slot *s, const char *what,
		     const char *path, int64_t *ms, struct strlist *errs)
{
	struct audio_info info;
	char msg[512];

	if (!path)
		return 0;
	/* A chime may be quiet by design; only unplayable files are refused. */
	if (probe_file(path, PROBE_ALLOW_SILENCE, &info, msg, sizeof(msg)) < 0) {
		strlist_addf(errs, _("%s:%d: slot '%s': %s %s: %s"), cfg->path, s->line, s->name, what, path, msg);
		return -EINVAL;
	}
	*ms = info.duration_ms;
	return 0;
}

int jingle_probe_config(struct config *cfg, struct strlist *errs)
{
	int ret = 0;

	for (size_t i = 0; i < cfg->n_slots; i++) {
		struct slot *s = &cfg->slots[i];

		if (probe_one(cfg, s, "intro", s->intro, &s->intro_ms, errs) < 0)
			ret = -EINVAL;
		if (probe_one(cfg, s, "outro", s->outro, &s->outro_ms, errs) < 0)
			ret = -EINVAL;
	}
	return ret;
}
