/* Airtime: how much of a relay carried its source. A relay airs whatever
 * its source sends, and keeps the device running with silence when the
 * source sends nothing, so the frames played say nothing about what went
 * out. What counts: the source's sound, and its silences while they are
 * pauses, shorter than the dead air that moves the relay on. A silence
 * that reaches that length is dead air, all of it, and so is every
 * moment without data. One definition, for the sink that airs and for
 * the tests that stand in for it; units are the caller's (frames, ms). */
#ifndef LOA_AIRTIME_H
#define LOA_AIRTIME_H

#include <stdint.h>

enum airtime_kind { AIRTIME_SOUND, AIRTIME_SILENCE, AIRTIME_NODATA };

struct airtime {
	int64_t dead_after; /* a silence this long is dead air */
	int64_t audio;      /* judged to carry the source */
	int64_t pending;    /* the silence running now, while shorter than dead_after */
	int64_t silent;     /* the silence running now, whatever its length */
	int64_t starved;    /* the stretch without data running now */
};

void airtime_init(struct airtime *a, int64_t dead_after);
/* N more units of KIND went out. */
void airtime_add(struct airtime *a, enum airtime_kind kind, int64_t n);
/* Another input goes on air: its silences and stretches without data are
 * counted afresh; a pause of the one before still counts. */
void airtime_switch(struct airtime *a);
/* What carried the source so far: the judged units and the pause running
 * now (it is not dead air yet). */
int64_t airtime_audio(const struct airtime *a);

#endif
