/* See render.h. */
#include "report/render.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/db.h"
#include "ledger/ledger.h"
#include "ledger/verify.h"
#include "report/html.h"
#include "util/atomic.h"
#include "util/csv.h"
#include "util/i18n.h"
#include "util/json.h"
#include "util/timeutil.h"

int report_format_parse(const char *s, enum report_format *out)
{
	static const char *const names[] = { "csv", "json", "html" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum report_format)i;
			return 0;
		}
	return -EINVAL;
}



/* Both JSON and CSV print compliance this way, so the two agree digit for digit. */
static void compliance_text(const struct report_counts *c, char *buf, size_t len)
{
	double v = report_compliance(c);

	if (isnan(v))
		snprintf(buf, len, "%s", "");
	else
		snprintf(buf, len, "%.4f", v);
}

static void json_counts(struct json *j, const struct report_counts *c)
{
	char buf[32];

	json_kv_int(j, "planned", c->planned);
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		json_kv_int(j, outcome_name(report_outcome_order[i]), c->outcome[report_outcome_order[i]]);
	json_kv_int(j, "aired_ms", c->aired_ms);
	json_kv_int(j, "relay_ms", c->relay_ms);
	json_key(j, "compliance");
	compliance_text(c, buf, sizeof(buf));
	if (*buf)
		json_double(j, report_compliance(c), 4);
	else
		json_null(j);
}

static void print_json(FILE *f, const struct report_doc *d)
{
	char day[16], at[ISO_LEN];
	struct json j;

	json_init(&j, f);
	json_object_begin(&j);
	json_kv_string(&j, "station", d->station);
	json_kv_string(&j, "from", time_format_day(d->from, day));
	json_kv_string(&j, "to", time_format_day(d->to, day));
	json_kv_string(&j, "by", report_by_name(d->rep->by));
	json_kv_string(&j, "lang", d->lang == TOPIC_LANG_EN ? "en" : "vi");
	json_kv_string(&j, "generated_at", time_format_iso(d->generated_at, at));
	json_kv_string(&j, "ledger_head", d->head);
	json_kv_int(&j, "ledger_head_row", d->head_row);
	json_kv_bool(&j, "ledger_intact", d->intact);
	json_key(&j, "ledger_witness");
	if (d->witness && d->witness->row) {
		json_object_begin(&j);
		json_kv_int(&j, "row", d->witness->row);
		json_kv_string(&j, "hash", d->witness->hash);
		json_kv_time(&j, "at", d->witness->at);
		json_object_end(&j);
	} else {
		json_null(&j);
	}
	json_key(&j, "groups");
	json_array_begin(&j);
	for (size_t i = 0; i < d->rep->n_groups; i++) {
		const struct report_group *g = &d->rep->groups[i];

		json_object_begin(&j);
		json_kv_string(&j, "key", g->key);
		json_kv_string(&j, "name", g->name);
		json_counts(&j, &g->c);
		json_object_end(&j);
	}
	json_array_end(&j);
	json_key(&j, "total");
	json_object_begin(&j);
	json_counts(&j, &d->rep->total);
	json_object_end(&j);
	json_object_end(&j);
}

static void csv_row(FILE *f, const struct report_doc *d, const char *key, const char *name,
		    const struct report_counts *c)
{
	char buf[ISO_LEN];

	csv_field(f, key);
	fputc(',', f);
	csv_field(f, name);
	fprintf(f, ",%" PRId64, c->planned);
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		fprintf(f, ",%" PRId64, c->outcome[report_outcome_order[i]]);
	fprintf(f, ",%" PRId64 ",%.1f", c->aired_ms, (double)c->aired_ms / 60000.0);
	fprintf(f, ",%" PRId64 ",%.1f,", c->relay_ms, (double)c->relay_ms / 60000.0);
	compliance_text(c, buf, sizeof(buf));
	fputs(buf, f);
	fputc(',', f);
	csv_field(f, d->station);
	fprintf(f, ",%s", time_format_day(d->from, buf));
	fprintf(f, ",%s", time_format_day(d->to, buf));
	fprintf(f, ",%s,%s", time_format_iso(d->generated_at, buf), d->head);
	if (d->witness && d->witness->row)
		fprintf(f, ",%" PRId64 ",%s,%s", d->witness->row, d->witness->hash, time_format_iso(d->witness->at, buf));
	else
		fputs(",,,", f);
	csv_end_row(f);
}

/*
 * One table whose first line is its header, and the report's header facts
 * (station, period, when, ledger head, the province's newest witness,
 * empty when none) as the last columns of every row,
 * rather than as lines above the table: Excel and LibreOffice then open it
 * with the column names in row 1 (sorting and filters work, "first row as
 * header" is right), every record has the same number of fields as RFC 4180
 * asks, and a script reads it with any CSV parser without skipping lines.
 */
static void print_csv(FILE *f, const struct report_doc *d)
{
	csv_begin(f);
	fputs("key,name,planned", f);
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		fprintf(f, ",%s", outcome_name(report_outcome_order[i]));
	fputs(",aired_ms,aired_minutes,relay_ms,relay_minutes,compliance,station,from,to,generated_at,ledger_head", f);
	fputs(",witnessed_row,witnessed_hash,witnessed_at", f);
	csv_end_row(f);
	for (size_t i = 0; i < d->rep->n_groups; i++)
		csv_row(f, d, d->rep->groups[i].key, d->rep->groups[i].name, &d->rep->groups[i].c);
	csv_row(f, d, "total", report_labels(d->lang)->total, &d->rep->total);
}

void report_render(FILE *f, enum report_format fmt, const struct report_doc *d)
{
	if (fmt == REPORT_FORMAT_JSON)
		print_json(f, d);
	else if (fmt == REPORT_FORMAT_HTML)
		report_html_write(f, d);
	else
		print_csv(f, d);
}

int report_write_file(const char *path, enum report_format fmt, const struct report_doc *d)
{
	mode_t mask = umask(0);
	struct atomic_file af;
	FILE *f;
	int r, fd;

	umask(mask);
	r = atomic_open(&af, path, 0666 & ~mask);
	if (r < 0)
		return r;
	/* The stream gets its own descriptor; af.fd stays for the commit. */
	fd = dup(af.fd);
	f = fd < 0 ? NULL : fdopen(fd, "w");
	if (!f) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		atomic_abort(&af);
		return r;
	}
	report_render(f, fmt, d);
	r = fflush(f) != 0 || ferror(f) ? (errno ? -errno : -EIO) : 0;
	fclose(f);
	if (r < 0) {
		atomic_abort(&af);
		return r;
	}
	return atomic_commit(&af, false);
}

/* The period's rows, counted as the chain walk reaches them. */
struct tally {
	int64_t from_ms, to_ms;
	struct report *rep;
	struct report_series *series;
};

static void tally_row(const struct ledger_row *row, void *ctx)
{
	struct tally *t = ctx;

	if (row->scheduled_at < t->from_ms || row->scheduled_at >= t->to_ms)
		return;
	report_add(t->rep, row);
	report_series_add(t->series, row);
}

/*
 * The whole chain is checked first, every time: a report is what an
 * officer signs, and it must not call a ledger intact whose rows were
 * changed since the last `loa verify`. The check and the count are one walk
 * over the rows in one snapshot, so reading a row costs once. When the chain
 * is broken, the report still counts what the database holds now, read
 * again the plain way, and says so.
 */
int report_load(struct db *db, int32_t from, int32_t to, enum report_by by, enum topic_lang lang,
		struct report_data *out)
{
	struct report *rep = &out->rep;
	struct report_series *series = &out->series;
	char *head = out->head;
	int64_t *head_row = &out->head_row;
	bool *intact = &out->intact;
	struct tally t = { time_local_ms(from, 0), time_local_ms(to + 1, 0), rep, series };
	struct verify_result res;
	struct ledger_row *rows;
	char wtext[1024];
	sqlite3 *h;
	size_t n;
	int r, v;

	out->warning[0] = '\0';
	memset(&out->witness, 0, sizeof(out->witness));
	snprintf(head, SHA256_HEX, "%s", LEDGER_GENESIS_HASH);
	*head_row = 0;
	*intact = true;
	report_begin(rep, by, lang);
	report_series_begin(series, from, to);
	if (!db) {
		report_end(rep);
		report_series_end(series);
		return 0;
	}
	h = db_sqlite(db);
	v = verify_chain_rows(h, NULL, tally_row, &t, &res);
	/* What the province holds is read after the walk: a row it
	 * acknowledged since is one the walk vouched for already. */
	if (verify_witness(h, &out->witness) < 0)
		memset(&out->witness, 0, sizeof(out->witness));
	if (v == 0 && res.ok && verify_witness_text(&res, &out->witness, wtext, sizeof(wtext))) {
		memcpy(head, res.head, SHA256_HEX);
		*head_row = res.head_id;
		verify_result_done(&res);
		report_end(rep);
		report_series_end(series);
		return 0;
	}
	*intact = false;
	if (v == 0 && !res.ok)
		snprintf(out->warning, sizeof(out->warning), _("warning: the ledger is not intact (%s); this "
			 "report counts what the database holds now; run loa verify"), res.message);
	else if (v == 0)
		snprintf(out->warning, sizeof(out->warning), _("warning: the ledger is not intact (%s); this "
			 "report counts what the database holds now; run loa verify"), wtext);
	verify_result_done(&res);
	report_done(rep);
	report_series_done(series);

	if (sqlite3_exec(h, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(db, "reading the ledger");
	r = ledger_query(db, t.from_ms, t.to_ms, &rows, &n);
	if (r == 0)
		r = ledger_head(db, head, head_row);
	sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
	if (r < 0)
		return r;
	report_build(rows, n, by, lang, rep);
	report_series_build(rows, n, from, to, series);
	ledger_rows_free(rows, n);
	return 0;
}

void report_data_done(struct report_data *d)
{
	report_done(&d->rep);
	report_series_done(&d->series);
}
