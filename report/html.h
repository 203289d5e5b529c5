/* The HTML form of `loa report`: one self-contained page that prints as an
 * A4 sheet, Vietnamese by default, with the summary table and an inline SVG
 * chart of aired minutes per topic over time. */
#ifndef LOA_REPORT_HTML_H
#define LOA_REPORT_HTML_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "content/topic.h"
#include "report/render.h"
#include "report/report.h"

/* Writes DOC to F as HTML, every text escaped. */
void report_html_write(FILE *f, const struct report_doc *doc);

#endif
