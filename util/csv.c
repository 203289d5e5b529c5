/* See csv.h. */
#include "util/csv.h"

#include <string.h>

void csv_begin(FILE *f)
{
	fputs("\xef\xbb\xbf", f);
}

void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

void csv_end_row(FILE *f)
{
	fputs("\r\n", f);
}
