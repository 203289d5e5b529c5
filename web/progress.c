/* See progress.h. A few slots under a mutex: the console imports one
 * file at a time per browser, and a slot is reused once its import has
 * ended and a minute has passed (the page asks a last time at the end),
 * or, when every slot is busy, the oldest. */
#include "web/progress.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "util/timeutil.h"

#define SLOTS 32
#define KEEP_MS 60000

struct slot {
	char key[65], user[65];
	enum progress_stage stage;
	double done;
	bool ended;
	int64_t at; /* ms of the last report, 0: free */
	uint64_t seq; /* the order of the reports: the least is the oldest, whatever the clock says */
};

static struct slot slots[SLOTS];
static uint64_t reports;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

bool web_progress_key_ok(const char *key)
{
	size_t n = 0;

	if (!key)
		return false;
	for (; key[n]; n++)
		if (!isalnum((unsigned char)key[n]) || n >= 64)
			return false;
	return n >= 16;
}

/* The slot of KEY, or one to take for it. Under the lock. */
static struct slot *find(const char *key, bool take)
{
	struct slot *old = NULL;
	int64_t now = time_now_ms();

	for (int i = 0; i < SLOTS; i++)
		if (slots[i].at && strcmp(slots[i].key, key) == 0)
			return &slots[i];
	if (!take)
		return NULL;
	for (int i = 0; i < SLOTS; i++) {
		if (!slots[i].at || (slots[i].ended && now - slots[i].at > KEEP_MS))
			return &slots[i];
		if (!old || slots[i].seq < old->seq)
			old = &slots[i];
	}
	return old;
}

void web_progress_report(void *arg, enum progress_stage stage, double done)
{
	const struct web_progress_hook *h = arg;
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(h->key, true);
	if (strcmp(s->key, h->key) != 0) {
		snprintf(s->key, sizeof(s->key), "%s", h->key);
		snprintf(s->user, sizeof(s->user), "%s", h->user);
		s->ended = false;
	}
	s->stage = stage;
	s->done = done;
	s->at = time_now_ms();
	s->seq = ++reports;
	pthread_mutex_unlock(&lock);
}

void web_progress_end(const struct web_progress_hook *h)
{
	struct slot *s;

	pthread_mutex_lock(&lock);
	s = find(h->key, false);
	if (s) {
		s->ended = true;
		s->at = time_now_ms();
	}
	pthread_mutex_unlock(&lock);
}

bool web_progress_get(const char *key, const char *user, enum progress_stage *stage, double *done, bool *ended)
{
	struct slot *s;
	bool found = false;

	pthread_mutex_lock(&lock);
	s = find(key, false);
	if (s && strcmp(s->user, user) == 0) {
		*stage = s->stage;
		*done = s->done;
		*ended = s->ended;
		found = true;
	}
	pthread_mutex_unlock(&lock);
	return found;
}
