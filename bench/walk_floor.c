/* walk_floor: what the chain walk of `loa verify` and `loa report` (issue
 * #8) costs at the least, in two parts measured apart on a loa.db:
 *
 *   read    SQLite stepping SELECT of the ledger's nineteen columns in id
 *           order, each column read once through sqlite3_column_value as
 *           the walk reads it, and nothing done with them;
 *   sha256  nettle's SHA-256 over as many bytes per row as the row's
 *           canonical encoding has (ledger.c), one digest per row.
 *
 * Whatever loa spends beyond read + sha256 is its own (building the
 * encoding, checking the columns, counting); below it nothing goes without
 * changing the stored format or the verify-every-report rule. */
#include <nettle/sha2.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *const names[] = {
	"id", "kind", "occurrence_at", "scheduled_at", "started_at", "ended_at", "frames", "played_ms",
	"outcome", "reason", "bulletin_id", "title", "topic", "plan", "slot", "content_sha256", "xruns",
	"prev_hash",
};
#define N_HASHED (sizeof(names) / sizeof(names[0])) /* row_hash, the 19th column, is not */

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static size_t digits(uint64_t v)
{
	size_t n = 1;

	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* The bytes of "NAME=" and VALUE "\n" for a value of N bytes, NULL when !PRESENT. */
static size_t field_bytes(const char *name, int present, size_t n)
{
	size_t name_n = 0;

	while (name[name_n])
		name_n++;
	return name_n + 1 + (present ? digits(n) + 1 + n + 1 : 5);
}

/* Steps the SELECT of the ledger once, reading every column as the walk
 * does; with SIZES, also notes each row's encoding length there (outside
 * the timed pass: the digit counting would be charged to SQLite). Returns
 * the rows, or 0 with a message. */
static size_t walk(sqlite3 *h, size_t *sizes, size_t cap, unsigned *sink)
{
	sqlite3_stmt *st;
	size_t rows = 0;

	if (sqlite3_prepare_v2(h, "SELECT id, kind, occurrence_at, scheduled_at, started_at, ended_at, frames,"
			       " played_ms, outcome, reason, bulletin_id, title, topic, plan, slot,"
			       " content_sha256, xruns, prev_hash, row_hash FROM ledger ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "walk_floor: %s\n", sqlite3_errmsg(h));
		return 0;
	}
	while (sqlite3_step(st) == SQLITE_ROW && rows < cap) {
		size_t n = 14; /* "loa-ledger-v1\n" */

		for (int i = 0; i < 19; i++) {
			sqlite3_value *v = sqlite3_column_value(st, i);
			int type = sqlite3_value_type(v);
			int64_t x = 0;
			size_t len = 0;

			if (type == SQLITE_INTEGER) {
				x = sqlite3_value_int64(v);
			} else if (type == SQLITE_TEXT) {
				*sink += *sqlite3_value_text(v);
				len = (size_t)sqlite3_value_bytes(v);
			}
			*sink += (unsigned)x;
			if (!sizes || (size_t)i >= N_HASHED)
				continue;
			if (type == SQLITE_INTEGER)
				len = digits(x < 0 ? -(uint64_t)x : (uint64_t)x) + (x < 0);
			n += field_bytes(names[i], type != SQLITE_NULL, len);
		}
		if (sizes)
			sizes[rows] = n;
		rows++;
	}
	sqlite3_finalize(st);
	return rows;
}

int main(int argc, char **argv)
{
	static uint8_t zeros[1 << 16];
	size_t rows, cap = 0, total = 0, *sizes;
	uint8_t d[SHA256_DIGEST_SIZE];
	double t0, t_read, t_sha;
	unsigned sink = 0;
	int64_t n_rows = 0;
	sqlite3_stmt *st;
	sqlite3 *h;

	if (argc != 2) {
		fputs("usage: walk_floor LOA.DB\n", stderr);
		return 2;
	}
	if (sqlite3_open_v2(argv[1], &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK ||
	    sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM ledger", -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "walk_floor: %s: %s\n", argv[1], sqlite3_errmsg(h));
		return 1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		n_rows = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	cap = (size_t)n_rows;
	sizes = calloc(cap ? cap : 1, sizeof(*sizes));
	if (!sizes || walk(h, sizes, cap, &sink) != cap)
		return 1;
	t0 = now_ms();
	rows = walk(h, NULL, cap, &sink);
	t_read = now_ms() - t0;
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(h);

	t0 = now_ms();
	for (size_t i = 0; i < rows; i++) {
		struct sha256_ctx c;
		size_t n = sizes[i] < sizeof(zeros) ? sizes[i] : sizeof(zeros);

		sha256_init(&c);
		sha256_update(&c, n, zeros);
		sha256_digest(&c, sizeof(d), d);
		sink += d[0];
		total += n;
	}
	t_sha = now_ms() - t0;
	printf("rows %zu, encoding %.1f bytes a row\n", rows, rows ? (double)total / (double)rows : 0.0);
	printf("read   %6.0f ms  (SQLite: every column once, in id order)\n", t_read);
	printf("sha256 %6.0f ms  (nettle over those bytes, a digest a row: %.2f GB/s)\n", t_sha,
	       t_sha > 0 ? (double)total / t_sha / 1e6 : 0.0);
	printf("floor  %6.0f ms  (%u)\n", t_read + t_sha, sink & 1);
	free(sizes);
	return 0;
}
