/* See airtime.h. */
#include "audio/airtime.h"

void airtime_init(struct airtime *a, int64_t dead_after)
{
	*a = (struct airtime){ .dead_after = dead_after };
}

void airtime_add(struct airtime *a, enum airtime_kind kind, int64_t n)
{
	switch (kind) {
	case AIRTIME_SOUND:
		/* The silence before it was a pause: it carried the source. */
		a->audio += a->pending + n;
		a->pending = a->silent = a->starved = 0;
		break;
	case AIRTIME_SILENCE:
		a->starved = 0;
		a->silent += n;
		/* Once the silence is dead air, all of it is. */
		a->pending = a->silent < a->dead_after ? a->silent : 0;
		break;
	case AIRTIME_NODATA:
		/* A pause cut short by the stream going away was still a pause. */
		a->audio += a->pending;
		a->pending = a->silent = 0;
		a->starved += n;
		break;
	}
}

void airtime_switch(struct airtime *a)
{
	a->audio += a->pending;
	a->pending = a->silent = a->starved = 0;
}

int64_t airtime_audio(const struct airtime *a)
{
	return a->audio + a->pending;
}
