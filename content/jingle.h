/* Slot intros and outros are audio files named in the config: they must be
 * playable, and the planner needs their lengths to fit max_minutes. */
#ifndef LOA_JINGLE_H
#define LOA_JINGLE_H

#include "config/config.h"

/* Probes every slot's intro and outro, filling intro_ms/outro_ms. Returns 0,
 * or -EINVAL after appending "FILE:LINE: ..." messages to errs. */
int jingle_probe_config(struct config *cfg, struct strlist *errs);

#endif
