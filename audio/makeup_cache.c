/* See makeup_cache.h. A few hundred entries, looked up once per element
 * aired: a linear scan costs nothing next to the search it saves. */
#include "audio/makeup_cache.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/sha256.h"
#include "util/xmalloc.h"

struct entry {
	char sha256[SHA256_HEX];
	double gain_db, ceiling_dbtp, makeup_db;
	uint64_t used; /* when last got or put; 0: empty */
};

struct makeup_cache {
	struct entry *e;
	int cap;
	uint64_t clock;
};

struct makeup_cache *makeup_cache_new(int cap)
{
	struct makeup_cache *c = xcalloc(1, sizeof(*c));

	c->cap = cap < 1 ? 1 : cap;
	c->e = xcalloc((size_t)c->cap, sizeof(*c->e));
	return c;
}

void makeup_cache_free(struct makeup_cache *c)
{
	if (!c)
		return;
	free(c->e);
	free(c);
}

/* The entry for the key, or NULL. Gains compare exactly: the engine
 * computes them the same way from the same import each time. */
static struct entry *find(struct makeup_cache *c, const char *sha256, double gain_db, double ceiling_dbtp)
{
	for (int i = 0; i < c->cap; i++) {
		struct entry *e = &c->e[i];

		if (e->used && e->gain_db == gain_db && e->ceiling_dbtp == ceiling_dbtp &&
		    strcmp(e->sha256, sha256) == 0)
			return e;
	}
	return NULL;
}

bool makeup_cache_get(struct makeup_cache *c, const char *sha256, double gain_db, double ceiling_dbtp,
		      double *makeup_db)
{
	struct entry *e = find(c, sha256, gain_db, ceiling_dbtp);

	if (!e)
		return false;
	e->used = ++c->clock;
	*makeup_db = e->makeup_db;
	return true;
}

void makeup_cache_put(struct makeup_cache *c, const char *sha256, double gain_db, double ceiling_dbtp,
		      double makeup_db)
{
	struct entry *e = find(c, sha256, gain_db, ceiling_dbtp);

	if (!e) {
		e = &c->e[0];
		for (int i = 1; i < c->cap && e->used; i++)
			if (c->e[i].used < e->used)
				e = &c->e[i];
		snprintf(e->sha256, sizeof(e->sha256), "%s", sha256);
		e->gain_db = gain_db;
		e->ceiling_dbtp = ceiling_dbtp;
	}
	e->makeup_db = makeup_db;
	e->used = ++c->clock;
}
