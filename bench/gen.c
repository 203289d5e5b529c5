/* gen: fills a station database for the benchmarks with N bulletins
 * and M hash-chained ledger rows, through loa's own library and ledger
 * modules, so `loa verify` accepts the result and every query sees rows
 * laid out as the daemon lays them out.
 *
 * The rows cover the occurrences of the given slots over the DAYS before
 * now, ending with the latest occurrence already past: a daemon started on
 * the result finds nothing to reconcile, as on a station that has been
 * running all along. Every bulletin points at one real audio file (in the
 * content store), valid for a fortnight somewhere in that year, so a
 * slot's plan sees a realistic handful of current bulletins, not all N.
 *
 * Writing a million durable commits would take hours of fsync and measure
 * nothing the benchmarks ask about, so the connection runs with
 * synchronous=OFF while generating: the rows and their chain are the same.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "content/library.h"
#include "content/probe.h"
#include "content/store.h"
#include "db/db.h"
#include "ledger/ledger.h"
#include "util/timeutil.h"
#include "util/xmalloc.h"

#define MAX_SLOTS 16
#define VALID_DAYS 14

static const char *const topics[] = { "1", "2", "3", "4", "5", "6" };

struct slotdef {
	char *name;
	int sec; /* after local midnight */
};

struct gen {
	const char *state_dir, *audio, *zone;
	long bulletins, rows, days;
	struct slotdef slots[MAX_SLOTS];
	size_t n_slots;
};

static int usage(void)
{
	fputs("usage: gen --state DIR --audio FILE [--zone IANA] [--bulletins N] [--rows M]\n"
	      "                 [--days D] --slot NAME=HH:MM[:SS]...\n",
	      stderr);
	return 2;
}

static int parse_args(int argc, char **argv, struct gen *g)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' }, { "audio", required_argument, NULL, 'a' },
		{ "zone", required_argument, NULL, 'z' },  { "bulletins", required_argument, NULL, 'b' },
		{ "rows", required_argument, NULL, 'r' },  { "days", required_argument, NULL, 'd' },
		{ "slot", required_argument, NULL, 'l' },  { NULL, 0, NULL, 0 }
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		char *eq;

		switch (c) {
		case 's': g->state_dir = optarg; break;
		case 'a': g->audio = optarg; break;
		case 'z': g->zone = optarg; break;
		case 'b': g->bulletins = strtol(optarg, NULL, 10); break;
		case 'r': g->rows = strtol(optarg, NULL, 10); break;
		case 'd': g->days = strtol(optarg, NULL, 10); break;
		case 'l':
			eq = strchr(optarg, '=');
			if (!eq || g->n_slots == MAX_SLOTS)
				return usage();
			*eq = '\0';
			g->slots[g->n_slots].name = optarg;
			if (time_parse_hms(eq + 1, &g->slots[g->n_slots].sec) < 0)
				return usage();
			g->n_slots++;
			break;
		default:
			return usage();
		}
	}
	if (!g->state_dir || !g->audio || !g->n_slots || g->bulletins < 1 || g->rows < 0 || g->days < 1)
		return usage();
	return 0;
}

static int add_bulletins(struct db *db, const struct gen *g, int32_t first_day)
{
	struct audio_info info;
	char hex[SHA256_HEX], msg[512], *stored = NULL;
	const char *ext = strrchr(g->audio, '.');
	bool created;
	int r;

	r = probe_file(g->audio, 0, &info, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "gen: %s\n", msg);
		return r;
	}
	r = store_hash_file(g->audio, hex);
	if (r == 0)
		r = store_put(g->state_dir, g->audio, hex, ext ? ext : "", &stored, &created);
	if (r < 0) {
		fprintf(stderr, "gen: cannot store %s: %s\n", g->audio, strerror(-r));
		return r;
	}
	for (long i = 0; i < g->bulletins; i++) {
		char title[64], plan[32];
		char *names[MAX_SLOTS];
		struct bulletin b = { 0 };

		snprintf(title, sizeof(title), "Bản tin số %ld", i + 1);
		snprintf(plan, sizeof(plan), "KH-%ld/2026", i % 12 + 1);
		for (size_t k = 0; k < g->n_slots; k++)
			names[k] = g->slots[k].name;
		b.title = title;
		b.topic = (char *)topics[i % 6];
		b.plan = plan;
		/* Spread over the year and a little beyond, so the coming days
		 * also have current bulletins. */
		b.valid_from = first_day + (int32_t)(i * (g->days + VALID_DAYS) / g->bulletins);
		b.valid_until = b.valid_from + VALID_DAYS - 1;
		b.slots = names;
		b.n_slots = g->n_slots;
		memcpy(b.sha256, hex, SHA256_HEX);
		b.path = stored;
		b.source_name = title;
		b.audio = info;
		b.imported_at = time_local_ms(b.valid_from, 0) - 86400000;
		r = library_add(db, &b);
		if (r < 0)
			break;
	}
	free(stored);
	return r;
}

/* The occurrences in order, each with an equal share of the rows. */
static int add_rows(struct db *db, const struct gen *g, int32_t first_day, int64_t now)
{
	long n_occ = 0, done = 0, occ = 0;
	char hex[SHA256_HEX];
	int r;

	r = store_hash_file(g->audio, hex);
	if (r < 0)
		return r;
	for (int32_t day = first_day; day <= first_day + g->days; day++)
		for (size_t k = 0; k < g->n_slots; k++)
			n_occ += time_local_ms(day, g->slots[k].sec) < now;
	for (int32_t day = first_day; day <= first_day + g->days && done < g->rows; day++) {
		for (size_t k = 0; k < g->n_slots; k++) {
			int64_t at = time_local_ms(day, g->slots[k].sec), t = at;
			long share;

			if (at >= now)
				continue;
			occ++;
			share = g->rows * occ / n_occ - done;
			for (long j = 0; j < share; j++, done++) {
				long b = (done * 7919) % g->bulletins;
				char title[64];
				struct ledger_row row = { 0 };

				snprintf(title, sizeof(title), "Bản tin số %ld", b + 1);
				row.kind = KIND_SLOT;
				row.occurrence_at = at;
				row.scheduled_at = t;
				row.bulletin_id = b + 1;
				row.title = title;
				row.topic = (char *)topics[b % 6];
				row.slot = g->slots[k].name;
				memcpy(row.content_sha256, hex, SHA256_HEX);
				if (done % 50 == 49) {
					row.outcome = OUTCOME_MISSED;
					row.reason = (char *)"loa was not running";
				} else {
					row.outcome = OUTCOME_COMPLETED;
					row.started_at = t + 1;
					row.ended_at = t + 61000;
					row.played_ms = 60000;
					row.frames = 60 * 48000;
				}
				r = ledger_append(db, &row);
				if (r < 0)
					return r;
				t += 62000;
			}
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct gen g = { .zone = "Asia/Ho_Chi_Minh", .bulletins = 1000, .rows = 10000, .days = 365 };
	struct db *db;
	char msg[512];
	int64_t now;
	int32_t first_day;
	int r;

	r = parse_args(argc, argv, &g);
	if (r)
		return r;
	if (time_set_zone(g.zone) < 0) {
		fprintf(stderr, "gen: unknown time zone %s\n", g.zone);
		return 2;
	}
	r = db_open(g.state_dir, DB_READ_WRITE, &db, msg, sizeof(msg));
	if (r < 0) {
		fprintf(stderr, "gen: %s\n", msg);
		return 1;
	}
	sqlite3_exec(db_sqlite(db), "PRAGMA synchronous = OFF; PRAGMA journal_mode = MEMORY", NULL, NULL, NULL);
	now = time_now_ms();
	first_day = time_local_day(now, NULL) - (int32_t)g.days;
	r = add_bulletins(db, &g, first_day);
	if (r == 0)
		r = add_rows(db, &g, first_day, now);
	if (r == 0)
		sqlite3_exec(db_sqlite(db), "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
	db_close(db);
	if (r < 0) {
		fprintf(stderr, "gen: %s\n", strerror(-r));
		return 1;
	}
	return 0;
}
