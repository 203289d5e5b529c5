/* Reports as their readers get them: the period's rows counted while the
 * whole chain is checked (report_load), then written as CSV for
 * Excel/LibreOffice, JSON for machines or an HTML page to print
 * (report_render). Every form states the station, the period, when it was
 * made and the ledger's head hash, so a printed report can be checked
 * against the box later with `loa verify --head`, and, when the province
 * has acknowledged rows, the newest of them: a witness off the box. The command line and the
 * web console both call these. */
#ifndef LOA_REPORT_RENDER_H
#define LOA_REPORT_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "ledger/verify.h"
#include "report/report.h"
#include "util/sha256.h"

struct db;

enum report_format { REPORT_FORMAT_CSV, REPORT_FORMAT_JSON, REPORT_FORMAT_HTML };

/* "csv", "json", "html". Returns 0 or -EINVAL. */
int report_format_parse(const char *s, enum report_format *out);

/* What report_load finds for a period. */
struct report_data {
	struct report rep;
	struct report_series series;
	char head[SHA256_HEX];      /* the ledger's head */
	int64_t head_row;
	bool intact;                /* the whole chain verified, and the province's witnesses agree */
	struct verify_witness witness; /* what the province acknowledged; witness.head.row 0 when nothing */
	char warning[1024];         /* for people when !intact; "" otherwise */
};

/* Counts the local days FROM..TO (inclusive) of DB (NULL: an empty
 * station) into OUT, grouped BY, names in LANG, after checking the whole
 * chain in the same walk. Returns 0 (free OUT with report_data_done) or
 * -EIO with nothing to free. */
int report_load(struct db *db, int32_t from, int32_t to, enum report_by by, enum topic_lang lang,
		struct report_data *out);
void report_data_done(struct report_data *d);

/* Everything a report shows, whatever its format. */
struct report_doc {
	const char *station;
	int32_t from, to;           /* local days, inclusive */
	int64_t generated_at;       /* ms */
	const char *head;           /* the ledger's head when the report was made */
	int64_t head_row;
	bool intact;                /* the chain up to head verified */
	/* The newest row the province acknowledged (loa upstream), printed
	 * under the head; NULL or row 0 when none. */
	const struct outbox_witness *witness;
	enum topic_lang lang;
	const struct report *rep;
	const struct report_series *series;
};

/* Writes DOC to F in FMT. */
void report_render(FILE *f, enum report_format fmt, const struct report_doc *d);
/* Writes DOC in FMT to PATH through a temporary file beside it (util/atomic),
 * so a reader never sees half a report and a failure leaves the old one.
 * The file gets 0666 less the umask. Returns 0 or negative errno. */
int report_write_file(const char *path, enum report_format fmt, const struct report_doc *d);

#endif
