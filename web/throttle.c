/* See throttle.h. A small table under a mutex: logins are rare, so a
 * linear search over a thousand entries costs nothing next to the
 * password hash each attempt computes. Names and addresses share the
 * table, told apart by a prefix, so a flood of made-up names can only
 * push out other made-up names' entries and the oldest real ones — never
 * grow memory. */
#include "web/throttle.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

struct entry {
	char key[80]; /* "n:" NAME or "a:" ADDRESS; "" when free */
	int failures;
	int64_t until; /* monotonic ms before which no attempt is taken */
	int64_t last;  /* the last failure, for eviction */
};

struct throttle {
	pthread_mutex_t lock;
	struct entry e[THROTTLE_SLOTS];
};

struct throttle *throttle_new(void)
{
	struct throttle *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->lock, NULL);
	return t;
}

void throttle_free(struct throttle *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static void make_key(char key[80], char kind, const char *s)
{
	snprintf(key, 80, "%c:%s", kind, s ? s : "");
}

static struct entry *find(struct throttle *t, const char *key)
{
	for (size_t i = 0; i < THROTTLE_SLOTS; i++)
		if (t->e[i].key[0] && strcmp(t->e[i].key, key) == 0)
			return &t->e[i];
	return NULL;
}

/* A free entry, or the one whose last failure is oldest. */
static struct entry *take(struct throttle *t, const char *key)
{
	struct entry *old = &t->e[0];

	for (size_t i = 0; i < THROTTLE_SLOTS; i++) {
		if (!t->e[i].key[0]) {
			old = &t->e[i];
			break;
		}
		if (t->e[i].last < old->last)
			old = &t->e[i];
	}
	memset(old, 0, sizeof(*old));
	snprintf(old->key, sizeof(old->key), "%s", key);
	return old;
}

static int64_t wait_of(struct throttle *t, const char *key, int64_t now)
{
	struct entry *e = find(t, key);

	return e && e->until > now ? e->until - now : 0;
}

int throttle_wait(struct throttle *t, const char *name, const char *addr, int64_t now)
{
	char kn[80], ka[80];
	int64_t a, b;

	make_key(kn, 'n', name);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&t->lock);
	a = wait_of(t, kn, now);
	b = wait_of(t, ka, now);
	pthread_mutex_unlock(&t->lock);
	if (b > a)
		a = b;
	return (int)((a + 999) / 1000);
}

static void fail_key(struct throttle *t, const char *key, int64_t now)
{
	struct entry *e = find(t, key);
	int64_t wait_ms = 1000;

	if (!e)
		e = take(t, key);
	e->failures++;
	e->last = now;
	if (e->failures < THROTTLE_FREE)
		return;
	for (int i = THROTTLE_FREE; i < e->failures && wait_ms < THROTTLE_MAX_WAIT_S * 1000LL; i++)
		wait_ms *= 2;
	if (wait_ms > THROTTLE_MAX_WAIT_S * 1000LL)
		wait_ms = THROTTLE_MAX_WAIT_S * 1000LL;
	e->until = now + wait_ms;
}

void throttle_fail(struct throttle *t, const char *name, const char *addr, int64_t now)
{
	char kn[80], ka[80];

	make_key(kn, 'n', name);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&t->lock);
	fail_key(t, kn, now);
	fail_key(t, ka, now);
	pthread_mutex_unlock(&t->lock);
}

void throttle_ok(struct throttle *t, const char *name, const char *addr)
{
	char kn[80], ka[80];
	struct entry *e;

	make_key(kn, 'n', name);
	make_key(ka, 'a', addr);
	pthread_mutex_lock(&t->lock);
	if ((e = find(t, kn)))
		memset(e, 0, sizeof(*e));
	if ((e = find(t, ka)))
		memset(e, 0, sizeof(*e));
	pthread_mutex_unlock(&t->lock);
}
