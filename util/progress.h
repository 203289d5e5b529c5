/* How far a long task has come, for whoever shows it: `loa import` on a
 * terminal, the console's progress bar. Header-only. */
#ifndef LOA_PROGRESS_H
#define LOA_PROGRESS_H

/* The parts of an import, in order. */
enum progress_stage {
	PROGRESS_ANALYSING, /* decoding it whole: loudness, true peak, that every frame decodes */
	PROGRESS_STORING,   /* hashing and copying it into the library */
};

/* Called with the stage and the fraction of it done, 0 to 1; often (a few
 * times a second of audio), so it should be cheap. */
struct progress {
	void (*fn)(void *arg, enum progress_stage stage, double done);
	void *arg;
};

static inline void progress_report(const struct progress *p, enum progress_stage stage, double done)
{
	if (p && p->fn)
		p->fn(p->arg, stage, done);
}

#endif
