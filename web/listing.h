/* What the console lists, read through the core for the API and the
 * pages alike: the library with its search and filters, the week ahead
 * from the planner, the ledger and the audit trail for a period. The
 * filters only narrow what the core returns; they decide nothing. */
#ifndef LOA_WEB_LISTING_H
#define LOA_WEB_LISTING_H

#include <stdbool.h>
#include <stddef.h>

#include "content/library.h"
#include "content/province.h"
#include "ledger/audit.h"
#include "ledger/ledger.h"
#include "scheduler/plan.h"
#include "web/act.h"
#include "web/web.h"

/* The library's filters, from the query: q (words of the title, plan or
 * file name), topic, plan, slot, state (active, retired or all). */
struct listing_filter {
	const char *q, *topic, *plan, *slot;
	bool active, retired;
};
void listing_library_filter(struct web_req *r, struct listing_filter *f);
/* The bulletins F keeps, by id. Free with bulletins_free. Returns 0 or -EIO. */
int listing_library(struct web_req *r, const struct listing_filter *f, struct bulletin **v, size_t *n);
/* True if B passes F. */
bool listing_keeps(const struct listing_filter *f, const struct bulletin *b);

/* The planner's answer for the query's period (days=N from now, 7 unless
 * said, or from/to), with the database's slots, as `loa next` computes it. */
struct listing_plan {
	struct plan plan;
	struct bulletin *lib;
	size_t n_lib;
	/* The province's timed items in the same period (doc/province.md). */
	struct province_item *prov;
	size_t n_prov;
};

int listing_plan(struct web_req *r, struct listing_plan *lp, struct act_result *res);
/* The plan from FROM_MS to TO_MS. */
int listing_plan_range(struct web_req *r, int64_t from_ms, int64_t to_ms, struct listing_plan *lp,
		       struct act_result *res);
void listing_plan_done(struct listing_plan *lp);

/* The ledger rows of local days FROM..TO (open ends DAY_NONE_BEFORE /
 * DAY_NONE_AFTER) that the query's filters keep (outcome, slot, topic,
 * kind; "-" for a slot or topic is none). Free with ledger_rows_free. */
int listing_ledger(struct web_req *r, int32_t from, int32_t to, struct ledger_row **v, size_t *n,
		   struct act_result *res);
/* The audit entries of FROM..TO that the query's actor and action
 * filters keep. Free with audit_entries_free. */
int listing_audit(struct web_req *r, int32_t from, int32_t to, struct audit_entry **v, size_t *n,
		  struct act_result *res);

#endif
