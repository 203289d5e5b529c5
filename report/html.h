/* The HTML form of `loa report`: one self-contained page that prints as an
 * A4 sheet, Vietnamese by default, with the summary table and an inline SVG
 * chart of aired minutes per topic over time. */
#ifndef LOA_REPORT_HTML_H
#define LOA_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "content/topic.h"
#include "report/report.h"

/* Everything a report shows, whatever its format. */
struct report_doc {
	const char *station;
	int32_t from, to;           /* local days, inclusive */
	int64_t generated_at;       /* ms */
	const char *head;           /* the ledger's head when the report was made */
	int64_t head_row;
	bool intact;                /* the chain up to head verified */
	enum topic_lang lang;
	const struct report *rep;
	const struct report_series *series;
};

/* Writes DOC to F as HTML, every text escaped. */
void report_html_write(FILE *f, const struct report_doc *doc);

#endif
