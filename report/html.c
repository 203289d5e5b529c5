/* The printable report: one HTML file with its CSS and an SVG chart inline
 * (nothing fetched, so it opens the same on a station PC without internet
 * years later), laid out for an A4 sheet. Every text that comes from the
 * station (names, titles, plans) is escaped. Numbers follow the language:
 * 1.234,5 in Vietnamese, 1,234.5 in English. */
#include "report/html.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/timeutil.h"

/* Chart geometry in SVG user units; the SVG scales to the page width. */
#define CHART_W 700
#define CHART_H 215
#define PLOT_L 46
#define PLOT_R 8
#define PLOT_T 16
#define PLOT_B 34
#define X_LABELS_MAX 16

/* Built-in topics 1..6 keep their colour in every report; slugs take the rest. */
static const char *const palette[] = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
				       "#8c564b", "#17becf", "#bcbd22", "#e377c2", "#7f7f7f" };
#define NO_TOPIC_COLOUR "#c7c7c7"

static void esc(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

static bool is_vi(const struct report_labels *L)
{
	return strcmp(L->lang, "vi") == 0;
}

/* V with DECIMALS places and grouped thousands, in the page's language. */
static void number(FILE *f, const struct report_labels *L, double v, int decimals)
{
	bool viet = is_vi(L);
	char buf[64], out[96];
	size_t n, o = 0, int_len;
	const char *dot;

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	dot = strchr(buf, '.');
	int_len = dot ? (size_t)(dot - buf) : strlen(buf);
	for (n = 0; n < int_len; n++) {
		size_t digits_left = int_len - n;

		out[o++] = buf[n];
		if (buf[n] != '-' && digits_left > 1 && digits_left % 3 == 1)
			out[o++] = viet ? '.' : ',';
	}
	if (dot) {
		out[o++] = viet ? ',' : '.';
		for (const char *p = dot + 1; *p; p++)
			out[o++] = *p;
	}
	out[o] = '\0';
	fputs(out, f);
}

static void day_text(FILE *f, const struct report_labels *L, int32_t day)
{
	struct civil c = days_to_civil(day);
	char buf[16];

	if (is_vi(L))
		fprintf(f, "%02d/%02d/%04d", c.day, c.month, c.year);
	else
		fputs(time_format_day(day, buf), f);
}

static const char *topic_colour(const struct report_series *s, size_t t)
{
	int code = topic_builtin_code(s->topics[t]);
	size_t slug = 0;

	if (!s->topics[t])
		return NO_TOPIC_COLOUR;
	if (code)
		return palette[code - 1];
	for (size_t i = 0; i < t; i++)
		if (s->topics[i] && !topic_builtin_code(s->topics[i]))
			slug++;
	return palette[6 + slug % 4];
}

static void head(FILE *f, const struct report_labels *L, const struct report_doc *d)
{
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"generator\" content=\"loa report\">\n<title>", L->lang);
	esc(f, L->title);
	fputs(" — ", f);
	esc(f, d->station);
	fputs("</title>\n<style>\n"
	      "@page { size: A4; margin: 12mm; }\n"
	      "* { box-sizing: border-box; }\n"
	      "html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }\n"
	      "body { font-family: 'DejaVu Sans', 'Noto Sans', 'Segoe UI', Arial, sans-serif;"
	      " font-size: 9.5pt; line-height: 1.35; color: #000; background: #fff;"
	      " max-width: 186mm; margin: 0 auto; }\n"
	      "@media screen { body { padding: 10mm 0; } }\n"
	      ".station { font-weight: bold; text-transform: uppercase; font-size: 10pt; }\n"
	      "h1 { font-size: 15pt; text-align: center; text-transform: uppercase; margin: 3mm 0 1mm; }\n"
	      ".period { text-align: center; font-style: italic; margin: 0 0 4mm; }\n"
	      "table.meta { border-collapse: collapse; margin-bottom: 4mm; }\n"
	      "table.meta th { text-align: left; font-weight: normal; color: #333; padding: 0.4mm 4mm 0.4mm 0;"
	      " vertical-align: top; white-space: nowrap; }\n"
	      "table.meta td { padding: 0.4mm 0; }\n"
	      ".hash { font-family: 'DejaVu Sans Mono', 'Noto Sans Mono', Consolas, monospace; font-size: 8pt;"
	      " word-break: break-all; }\n"
	      ".warn { border: 1.5pt solid #b00000; color: #b00000; font-weight: bold; padding: 2mm 3mm;"
	      " margin-bottom: 4mm; }\n"
	      "table.sum { width: 100%; border-collapse: collapse; font-size: 8.5pt; table-layout: fixed; }\n"
	      "table.sum th, table.sum td { border: 0.6pt solid #555; padding: 1mm 0.9mm; overflow-wrap: break-word; }\n"
	      "table.sum th { background: #e8e8e8; font-weight: bold; font-size: 7.5pt; text-align: center;"
	      " vertical-align: bottom; hyphens: auto; }\n"
	      "table.sum td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }\n"
	      "table.sum td.k { text-align: center; white-space: nowrap; }\n"
	      "table.sum tr.total td { font-weight: bold; background: #f2f2f2; }\n"
	      "thead { display: table-header-group; }\n"
	      "tr, figure, .notes, .sign { break-inside: avoid; page-break-inside: avoid; }\n"
	      "figure { margin: 4mm 0 0; }\n"
	      "figcaption { font-weight: bold; margin-bottom: 1.5mm; }\n"
	      "svg.chart { width: 100%; height: auto; display: block; }\n"
	      ".legend { font-size: 8pt; margin-top: 1mm; }\n"
	      ".legend span { display: inline-block; margin: 0 4mm 1mm 0; white-space: nowrap; }\n"
	      ".legend svg { vertical-align: -1px; margin-right: 1.2mm; }\n"
	      ".notes { font-size: 8pt; color: #222; margin-top: 3mm; }\n"
	      ".notes p { margin: 0.8mm 0; }\n"
	      ".sign { margin-top: 4mm; margin-left: auto; width: 70mm; text-align: center; }\n"
	      ".sign .who { font-weight: bold; }\n"
	      ".sign .how { font-style: italic; font-size: 8.5pt; margin-bottom: 14mm; }\n"
	      "</style>\n</head>\n<body>\n", f);
}

static void meta(FILE *f, const struct report_labels *L, const struct report_doc *d)
{
	int32_t gen_day;
	int sec;

	fputs("<div class=\"station\">", f);
	esc(f, d->station);
	fputs("</div>\n<h1>", f);
	esc(f, L->title);
	fputs("</h1>\n<p class=\"period\">", f);
	esc(f, L->period);
	fputs(": ", f);
	day_text(f, L, d->from);
	fprintf(f, " %s ", L->from_to_sep);
	day_text(f, L, d->to);
	fputs("</p>\n<table class=\"meta\">\n<tr><th>", f);
	esc(f, L->station);
	fputs("</th><td>", f);
	esc(f, d->station);
	fputs("</td></tr>\n<tr><th>", f);
	esc(f, L->by);
	fputs("</th><td>", f);
	esc(f, L->by_name[d->rep->by]);
	fputs("</td></tr>\n<tr><th>", f);
	esc(f, L->generated);
	fputs("</th><td>", f);
	gen_day = time_local_day(d->generated_at, &sec);
	day_text(f, L, gen_day);
	{
		char iso[ISO_LEN];

		/* The offset says which clock the time is on: "+07:00". */
		time_format_iso(d->generated_at, iso);
		fprintf(f, " %02d:%02d (UTC%s)", sec / 3600, sec / 60 % 60, iso + 23);
	}
	fputs("</td></tr>\n<tr><th>", f);
	esc(f, L->head);
	fputs("</th><td><span class=\"hash\">", f);
	esc(f, d->head);
	fprintf(f, "</span> (%s %" PRId64 ")</td></tr>\n", L->head_row, d->head_row);
	if (d->witness && d->witness->row) {
		char iso[ISO_LEN];
		int32_t day = time_local_day(d->witness->at, &sec);

		/* The row the province holds the hash of: checked off the box. */
		fputs("<tr><th>", f);
		esc(f, L->witness);
		fputs("</th><td>", f);
		esc(f, L->witness_row);
		fprintf(f, " %" PRId64 " (<span class=\"hash\">", d->witness->row);
		esc(f, d->witness->hash);
		fputs("</span>) ", f);
		esc(f, L->witness_at);
		fputc(' ', f);
		day_text(f, L, day);
		time_format_iso(d->witness->at, iso);
		fprintf(f, " %02d:%02d (UTC%s)</td></tr>\n", sec / 3600, sec / 60 % 60, iso + 23);
	}
	fputs("</table>\n", f);
	if (!d->intact) {
		fputs("<div class=\"warn\">", f);
		esc(f, L->not_intact);
		fputs("</div>\n", f);
	}
}

static void counts_cells(FILE *f, const struct report_labels *L, const struct report_counts *c)
{
	double comp = report_compliance(c);

	fprintf(f, "<td class=\"n\">%" PRId64 "</td>", c->planned);
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		fprintf(f, "<td class=\"n\">%" PRId64 "</td>", c->outcome[report_outcome_order[i]]);
	fputs("<td class=\"n\">", f);
	number(f, L, (double)c->aired_ms / 60000.0, 1);
	fputs("</td><td class=\"n\">", f);
	number(f, L, (double)c->relay_ms / 60000.0, 1);
	fputs("</td><td class=\"n\">", f);
	if (isnan(comp)) {
		fputs("—", f);
	} else {
		number(f, L, comp * 100.0, 1);
		fputs("&nbsp;%", f);
	}
	fputs("</td>", f);
}

static void th(FILE *f, const char *s)
{
	fputs("<th>", f);
	esc(f, s);
	fputs("</th>", f);
}

static void summary(FILE *f, const struct report_labels *L, const struct report_doc *d)
{
	bool topic = d->rep->by == REPORT_BY_TOPIC;

	/* Fixed widths: the numbers fit an A4 page in either language and
	 * long names wrap inside their own column; the English headers carry
	 * soft hyphens, since no browser can be relied on to hyphenate. */
	fprintf(f, "<table class=\"sum\">\n<colgroup>%s<col style=\"width:%s\">", topic ?
		"<col style=\"width:5.5%\">" : "", topic ? "21.5%" : "27%");
	for (size_t i = 0; i < REPORT_N_OUTCOMES + 1; i++)
		fputs("<col style=\"width:6.5%\">", f);
	fputs("<col style=\"width:7%\"><col style=\"width:7%\"><col style=\"width:7%\"></colgroup>\n<thead><tr>", f);
	if (topic)
		fputs(is_vi(L) ? "<th>Mã</th>" : "<th>No.</th>", f);
	th(f, L->by_name[d->rep->by]);
	th(f, L->planned);
	for (size_t i = 0; i < REPORT_N_OUTCOMES; i++)
		th(f, L->outcome[report_outcome_order[i]]);
	th(f, L->aired);
	th(f, L->relay);
	th(f, L->compliance);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (size_t i = 0; i < d->rep->n_groups; i++) {
		const struct report_group *g = &d->rep->groups[i];

		fputs("<tr>", f);
		if (topic) {
			fputs("<td class=\"k\">", f);
			esc(f, topic_builtin_code(g->key) ? g->key : "");
			fputs("</td>", f);
		}
		fputs("<td>", f);
		esc(f, g->name);
		fputs("</td>", f);
		counts_cells(f, L, &g->c);
		fputs("</tr>\n", f);
	}
	fprintf(f, "<tr class=\"total\"><td%s>", topic ? " colspan=\"2\"" : "");
	esc(f, L->total);
	fputs("</td>", f);
	counts_cells(f, L, &d->rep->total);
	fputs("</tr>\n</tbody>\n</table>\n", f);
}

static const char *const months_en[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
					 "Sep", "Oct", "Nov", "Dec" };

static void bucket_label(FILE *f, const struct report_labels *L, enum report_step step, int32_t day)
{
	struct civil c = days_to_civil(day);

	if (step == REPORT_STEP_MONTH && is_vi(L))
		fprintf(f, "%02d/%04d", c.month, c.year);
	else if (step == REPORT_STEP_MONTH)
		fprintf(f, "%s %04d", months_en[c.month - 1], c.year);
	else if (is_vi(L))
		fprintf(f, "%02d/%02d", c.day, c.month);
	else
		fprintf(f, "%d %s", c.day, months_en[c.month - 1]);
}

/* A round axis maximum: 1, 2 or 5 times a power of ten, at least MAX. */
static double nice_max(double max)
{
	double p;

	if (max <= 0)
		return 1;
	p = pow(10, floor(log10(max)));
	if (max <= p)
		return p;
	if (max <= 2 * p)
		return 2 * p;
	if (max <= 5 * p)
		return 5 * p;
	return 10 * p;
}

/* Decimals that tell the axis steps of STEP minutes apart: a week of
 * seconds-long test bulletins has steps of 0.02 min, which one decimal
 * would print as a column of "0,0". */
static int axis_decimals(double step)
{
	int decimals = 0;
	double scaled = step;

	while (decimals < 4 && fabs(scaled - round(scaled)) > 1e-6 * scaled) {
		decimals++;
		scaled *= 10;
	}
	return decimals;
}

static void chart(FILE *f, const struct report_labels *L, const struct report_doc *d)
{
	const struct report_series *s = d->series;
	const double pw = CHART_W - PLOT_L - PLOT_R, ph = CHART_H - PLOT_T - PLOT_B;
	double max = 0, top, slot_w, bar_w;
	size_t every;

	for (size_t b = 0; b < s->n_buckets; b++) {
		double sum = 0;

		for (size_t t = 0; t < s->n_topics; t++)
			sum += (double)s->aired_ms[t * s->n_buckets + b] / 60000.0;
		if (sum > max)
			max = sum;
	}
	top = nice_max(max);
	slot_w = s->n_buckets ? pw / (double)s->n_buckets : pw;
	bar_w = slot_w * 0.7;
	every = (s->n_buckets + X_LABELS_MAX - 1) / X_LABELS_MAX;
	if (every < 1)
		every = 1;

	fputs("<figure>\n<figcaption>", f);
	esc(f, L->chart_title[s->step]);
	fprintf(f, "</figcaption>\n<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\""
		   " role=\"img\" font-family=\"DejaVu Sans, Noto Sans, Arial, sans-serif\" font-size=\"10\">\n<title>",
		CHART_W, CHART_H);
	esc(f, L->chart_title[s->step]);
	fputs("</title>\n", f);
	/* Grid and y axis: five steps of top / 5 minutes. */
	for (int i = 0; i <= 5; i++) {
		double y = PLOT_T + ph - ph * i / 5.0;

		fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
			PLOT_L, y, CHART_W - PLOT_R, y, i ? "#d0d0d0" : "#000", i ? "0.5" : "1");
		fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">", PLOT_L - 4, y + 3.5);
		number(f, L, top * i / 5.0, axis_decimals(top / 5.0));
		fputs("</text>\n", f);
	}
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"9\" fill=\"#333\" text-anchor=\"end\">", PLOT_L - 4, PLOT_T - 7);
	esc(f, L->chart_unit);
	fputs("</text>\n", f);
	for (size_t b = 0; b < s->n_buckets; b++) {
		double x = PLOT_L + slot_w * (double)b + (slot_w - bar_w) / 2, y = PLOT_T + ph;

		for (size_t t = 0; t < s->n_topics; t++) {
			double h = ph * ((double)s->aired_ms[t * s->n_buckets + b] / 60000.0) / top;

			if (h <= 0)
				continue;
			y -= h;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"%s\"/>\n",
				x, y, bar_w, h, topic_colour(s, t));
		}
		if (b % every == 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">",
				x + bar_w / 2, CHART_H - PLOT_B + 13);
			bucket_label(f, L, s->step, s->bucket_day[b]);
			fputs("</text>\n", f);
		}
	}
	if (max <= 0) {
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"12\" fill=\"#555\">",
			PLOT_L + pw / 2, PLOT_T + ph / 2);
		esc(f, L->no_data);
		fputs("</text>\n", f);
	}
	fputs("</svg>\n<div class=\"legend\">", f);
	for (size_t t = 0; t < s->n_topics; t++) {
		int code = topic_builtin_code(s->topics[t]);

		fprintf(f, "<span><svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"><rect width=\"10\" "
			   "height=\"10\" fill=\"%s\"/></svg>", topic_colour(s, t));
		if (code)
			fprintf(f, "%d. ", code);
		esc(f, code ? topic_builtin_short(code, d->lang) : topic_name(s->topics[t], d->lang));
		fputs("</span>", f);
	}
	fputs("</div>\n</figure>\n", f);
}

static void notes(FILE *f, const struct report_labels *L, const struct report_doc *d)
{
	fputs("<div class=\"notes\">\n<p><b>", f);
	esc(f, L->notes_title);
	fputs("</b></p>\n<p>", f);
	esc(f, L->note_planned);
	fputs("</p>\n<p>", f);
	esc(f, L->note_compliance);
	fputs("</p>\n<p>", f);
	esc(f, L->note_verify);
	fputs(" <span class=\"hash\">", f);
	esc(f, d->head);
	fputs("</span></p>\n</div>\n<div class=\"sign\"><div class=\"who\">", f);
	esc(f, L->prepared);
	fputs("</div><div class=\"how\">", f);
	esc(f, L->sign);
	fputs("</div></div>\n", f);
}

void report_html_write(FILE *f, const struct report_doc *d)
{
	const struct report_labels *L = report_labels(d->lang);

	head(f, L, d);
	meta(f, L, d);
	summary(f, L, d);
	chart(f, L, d);
	notes(f, L, d);
	fputs("</body>\n</html>\n", f);
}
