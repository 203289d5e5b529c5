/* See listing.h. */
#include "web/listing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

/* The longest period the planner is asked for, as `loa next` allows. */
#define PLAN_DAYS_MAX 3660

static const char *query(struct web_req *r, const char *name)
{
	const char *v = web_query(r, name);

	return v && *v ? v : NULL;
}

void listing_library_filter(struct web_req *r, struct listing_filter *f)
{
	const char *state = query(r, "state");

	f->q = query(r, "q");
	f->topic = query(r, "topic");
	f->plan = query(r, "plan");
	f->slot = query(r, "slot");
	f->active = !state || strcmp(state, "retired") != 0;
	f->retired = state && (strcmp(state, "retired") == 0 || strcmp(state, "all") == 0);
	if (query(r, "all"))
		f->retired = true;
}

/* Case-insensitive for ASCII letters; Vietnamese letters match as typed. */
static bool contains(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	if (!hay)
		return false;
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return false;
}

bool listing_keeps(const struct listing_filter *f, const struct bulletin *b)
{
	if (b->retired_at ? !f->retired : !f->active)
		return false;
	if (f->topic && (!b->topic || strcmp(b->topic, f->topic) != 0))
		return false;
	if (f->plan && (!b->plan || strcmp(b->plan, f->plan) != 0))
		return false;
	if (f->slot && !bulletin_in_slot(b, f->slot))
		return false;
	if (f->q && !contains(b->title, f->q) && !contains(b->plan, f->q) && !contains(b->source_name, f->q))
		return false;
	return true;
}

int listing_library(struct web_req *r, const struct listing_filter *f, struct bulletin **v, size_t *n)
{
	struct db *db = web_rdb(r);
	size_t kept = 0;

	*v = NULL;
	*n = 0;
	if (!db || library_list(db, f->retired, v, n) < 0)
		return -EIO;
	for (size_t i = 0; i < *n; i++) {
		if (listing_keeps(f, &(*v)[i])) {
			if (kept != i) {
				struct bulletin tmp = (*v)[kept];

				(*v)[kept] = (*v)[i];
				(*v)[i] = tmp;
			}
			kept++;
		}
	}
	/* What was dropped sits after KEPT and is freed with the rest. */
	for (size_t i = kept; i < *n; i++)
		bulletin_done(&(*v)[i]);
	*n = kept;
	return 0;
}

int listing_plan_range(struct web_req *r, int64_t from_ms, int64_t to_ms, struct listing_plan *lp,
		       struct act_result *res)
{
	const struct config *cfg = web_station(r);
	struct db *db = web_rdb(r);

	memset(lp, 0, sizeof(*lp));
	if (!cfg || !db || library_list(db, false, &lp->lib, &lp->n_lib) < 0 ||
	    province_items(db, from_ms, to_ms, &lp->prov, &lp->n_prov) < 0) {
		bulletins_free(lp->lib, lp->n_lib);
		memset(lp, 0, sizeof(*lp));
		res->status = 500;
		res->code = "internal";
		snprintf(res->msg, sizeof(res->msg), "%s", T(r, W_E_DB_READ));
		return -1;
	}
	plan_range(cfg, lp->lib, lp->n_lib, from_ms, to_ms, &lp->plan);
	return 0;
}

int listing_plan(struct web_req *r, struct listing_plan *lp, struct act_result *res)
{
	const char *d = query(r, "days");
	int32_t from, to;
	int64_t from_ms, to_ms;
	long days = 7;
	char *end;

	if (act_period(r, false, &from, &to, res) < 0)
		return -1;
	if (d) {
		days = strtol(d, &end, 10);
		if (*end || days < 1 || days > PLAN_DAYS_MAX) {
			res->status = 400;
			res->code = "invalid";
			web_say(res->msg, sizeof(res->msg), r->lang, W_E_NUMBER, "days", d, "1", "3660");
			return -1;
		}
	}
	if ((from == DAY_NONE_BEFORE) != (to == DAY_NONE_AFTER) ||
	    (from != DAY_NONE_BEFORE && to - from >= PLAN_DAYS_MAX)) {
		res->status = 400;
		res->code = "invalid";
		web_say(res->msg, sizeof(res->msg), r->lang, W_E_PERIOD_NEEDED);
		return -1;
	}
	if (from != DAY_NONE_BEFORE) {
		from_ms = time_local_ms(from, 0);
		to_ms = time_local_ms(to + 1, 0);
	} else {
		from_ms = time_now_ms();
		to_ms = from_ms + days * 86400000LL;
	}
	return listing_plan_range(r, from_ms, to_ms, lp, res);
}

void listing_plan_done(struct listing_plan *lp)
{
	plan_done(&lp->plan);
	bulletins_free(lp->lib, lp->n_lib);
	province_items_free(lp->prov, lp->n_prov);
	memset(lp, 0, sizeof(*lp));
}

static void period_ms(int32_t from, int32_t to, int64_t *from_ms, int64_t *to_ms)
{
	*from_ms = from == DAY_NONE_BEFORE ? INT64_MIN : time_local_ms(from, 0);
	*to_ms = to == DAY_NONE_AFTER ? INT64_MAX : time_local_ms(to + 1, 0);
}

static bool same(const char *want, const char *have)
{
	if (!want)
		return true;
	if (strcmp(want, "-") == 0)
		return !have || !*have;
	return have && strcmp(want, have) == 0;
}

int listing_ledger(struct web_req *r, int32_t from, int32_t to, struct ledger_row **v, size_t *n,
		   struct act_result *res)
{
	const char *outcome = query(r, "outcome"), *slot = query(r, "slot"), *topic = query(r, "topic");
	const char *kind = query(r, "kind");
	struct db *db;
	int64_t from_ms, to_ms;
	size_t kept = 0;

	*v = NULL;
	*n = 0;
	if (!(db = web_rdb(r))) {
		res->status = 500;
		res->code = "internal";
		snprintf(res->msg, sizeof(res->msg), "%s", T(r, W_E_DB_READ));
		return -1;
	}
	period_ms(from, to, &from_ms, &to_ms);
	if (ledger_query(db, from_ms, to_ms, v, n) < 0) {
		res->status = 500;
		res->code = "internal";
		snprintf(res->msg, sizeof(res->msg), "%s", T(r, W_E_DB_READ));
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		struct ledger_row *w = &(*v)[i];
		bool keep = (!outcome || strcmp(outcome, outcome_name(w->outcome)) == 0) && same(slot, w->slot) &&
			    same(topic, w->topic) && (!kind || strcmp(kind, air_kind_name(w->kind)) == 0);

		if (!keep) {
			ledger_row_done(w);
			continue;
		}
		if (kept != i)
			(*v)[kept] = *w;
		kept++;
	}
	*n = kept;
	return 0;
}

int listing_audit(struct web_req *r, int32_t from, int32_t to, struct audit_entry **v, size_t *n,
		  struct act_result *res)
{
	const char *actor = query(r, "actor"), *action = query(r, "action");
	struct db *db;
	int64_t from_ms, to_ms;
	size_t kept = 0;

	*v = NULL;
	*n = 0;
	period_ms(from, to, &from_ms, &to_ms);
	if (!(db = web_rdb(r)) || audit_query(db, from_ms, to_ms, v, n) < 0) {
		res->status = 500;
		res->code = "internal";
		snprintf(res->msg, sizeof(res->msg), "%s", T(r, W_E_DB_READ));
		return -1;
	}
	for (size_t i = 0; i < *n; i++) {
		struct audit_entry *e = &(*v)[i];

		if ((actor && (!e->actor || strcmp(actor, e->actor))) || (action && (!e->action || strcmp(action, e->action)))) {
			free(e->actor);
			free(e->action);
			free(e->target);
			free(e->detail);
			continue;
		}
		if (kept != i)
			(*v)[kept] = *e;
		kept++;
	}
	*n = kept;
	return 0;
}
