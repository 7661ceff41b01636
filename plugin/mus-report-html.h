#ifndef MUS_REPORT_HTML_H
#define MUS_REPORT_HTML_H

/* The HR page of doveadm mus report --html: one self-contained HTML file
   (inline CSS and SVG bar charts, no scripts, nothing fetched) with
   HR's figures (mus-hr-figures). Each figure is a <section> with a fixed
   id (completion-units, completion-leaders, plans, overdue,
   activities-kind, activities-topic) holding a chart and a table whose
   rows carry their figures in data- attributes. Every value from the
   directory is HTML-escaped. */

#include "array.h"
#include "mus-settings.h"

struct mus_hr_figures;
struct mus_competences;

/* One bar: value drawn against of, or against the largest value of the
   chart when of is 0. */
struct mus_report_bar {
	const char *label;
	unsigned int value, of;
};
ARRAY_DEFINE_TYPE(mus_report_bar, struct mus_report_bar);

/* Append an <svg> bar chart with the given id, one bar per element
   (each a <rect class="bar" data-value=...>). */
void mus_report_html_bars(string_t *out, const char *id,
			  const struct mus_report_bar *bars,
			  unsigned int count);

/* value escaped for HTML text and attribute values, with control
   characters as spaces; from the data stack. */
const char *mus_report_html_escape(const char *value);

/* Append the whole page in language, stamped as made at figs->now; with
   the competence heatmap (mus-competence-heatmap) of comp (finished)
   last, unless comp is NULL (competence mapping off). */
void mus_report_html(string_t *out, const struct mus_hr_figures *figs,
		     const struct mus_competences *comp,
		     enum mus_language language, const char *timezone);

/* Write the page to path atomically (a temporary file beside it, then
   rename). Returns 0, or -1 with the failing operation and path. */
int mus_report_html_write(const char *path, const struct mus_hr_figures *figs,
			  const struct mus_competences *comp,
			  enum mus_language language, const char *timezone,
			  const char **error_r);

#endif
