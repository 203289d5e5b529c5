/* CSV for officers: RFC 4180 (CRLF, fields quoted only when needed) with
 * the UTF-8 byte order mark that Excel needs to read Vietnamese. */
#ifndef LOA_CSV_H
#define LOA_CSV_H

#include <stdio.h>

/* Starts a CSV document: the UTF-8 BOM. */
void csv_begin(FILE *f);
/* Writes one field, quoted when it holds a comma, quote or line break;
 * NULL is an empty field. */
void csv_field(FILE *f, const char *s);
void csv_end_row(FILE *f);

#endif
