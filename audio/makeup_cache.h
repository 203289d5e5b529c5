/* What the make-up search found, kept for the daemon's lifetime: a bulletin
 * airs dozens of times in a campaign at the same gain and ceiling, and the
 * search (decoding and limiting its opening up to four times) then gives
 * the same answer each time. Keyed by the content's SHA-256, so a file
 * that changes is a new key. Bounded: past its capacity the entry used
 * least recently makes way. */
#ifndef LOA_MAKEUP_CACHE_H
#define LOA_MAKEUP_CACHE_H

#include <stdbool.h>

#define MAKEUP_CACHE_ENTRIES 256

struct makeup_cache;

/* A cache of at most CAP entries (at least 1). Free with makeup_cache_free. */
struct makeup_cache *makeup_cache_new(int cap);
void makeup_cache_free(struct makeup_cache *c);
/* Whether the make-up for content SHA256 at GAIN_DB and CEILING_DBTP is
 * known; if so, *MAKEUP_DB gets it. */
bool makeup_cache_get(struct makeup_cache *c, const char *sha256, double gain_db, double ceiling_dbtp,
		      double *makeup_db);
void makeup_cache_put(struct makeup_cache *c, const char *sha256, double gain_db, double ceiling_dbtp,
		      double makeup_db);

#endif
