/* The competence heatmap: inline SVG written like the HR page's other
   charts (mus-report-html). */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "unichar.h"
#include "mus-competences.h"
#include "mus-report-html.h"
#include "mus-competence-heatmap.h"

/* geometry in SVG user units */
#define MUS_HEATMAP_LABEL_WIDTH 260
#define MUS_HEATMAP_HEADER_HEIGHT 120
#define MUS_HEATMAP_CELL_WIDTH 84
#define MUS_HEATMAP_CELL_HEIGHT 36
#define MUS_HEATMAP_GAP 2
#define MUS_HEATMAP_LEGEND_HEIGHT 40
#define MUS_HEATMAP_LEGEND_STEP 140
/* characters of a competence title and of a unit name shown */
#define MUS_HEATMAP_TITLE_CHARS 36
#define MUS_HEATMAP_UNIT_CHARS 24

static const unsigned int mus_heatmap_band_rgb[MUS_HEATMAP_BANDS] = {
	0xe57373, 0xf6b26b, 0xffe082, 0xb5d99c, 0x7cc47f,
};

struct mus_heatmap_words {
	const char *title, *intro, *all, *none, *not_relevant, *no_answers;
	const char *percent;	/* after the number */
	const char *bands[MUS_HEATMAP_BANDS];
};

static const struct mus_heatmap_words mus_heatmap_words[] = {
	[MUS_LANGUAGE_DA] = {
		.title = "Kompetencer: andel på kompetent niveau eller derover",
		.intro = "Medarbejdernes egen vurdering pr. enhed. De største "
			"mangler står øverst. n er antal svar på niveau 1-5 "
			"(ikke relevant tæller ikke med).",
		.all = "Hele organisationen", .none = "ingen svar",
		.not_relevant = "ikke relevant",
		.no_answers = "Ingen medarbejdere har vurderet deres "
			"kompetencer endnu.",
		.percent = " %",
		.bands = { "under 20 %", "20-39 %", "40-59 %", "60-79 %",
			   "80 % og derover" },
	},
	[MUS_LANGUAGE_EN] = {
		.title = "Competences: share at competent or above",
		.intro = "The employees' own assessment per unit. The biggest "
			"gaps come first. n is the number of answers at levels "
			"1-5 (not relevant does not count).",
		.all = "Whole organisation", .none = "no answers",
		.not_relevant = "not relevant",
		.no_answers = "No employee has assessed their competences yet.",
		.percent = "%",
		.bands = { "below 20%", "20-39%", "40-59%", "60-79%",
			   "80% and above" },
	},
};

#define ESC(value) mus_report_html_escape(value)

unsigned int mus_competence_heatmap_rgb(int percent)
{
	if (percent < 0)
		return MUS_HEATMAP_NONE_RGB;
	if (percent >= 100)
		return mus_heatmap_band_rgb[MUS_HEATMAP_BANDS - 1];
	return mus_heatmap_band_rgb[percent * MUS_HEATMAP_BANDS / 100];
}

/* value shortened to chars characters with an ellipsis */
static const char *mus_heatmap_short(const char *value, unsigned int chars)
{
	string_t *str;

	if (uni_utf8_strlen(value) <= chars)
		return value;
	str = t_str_new(strlen(value));
	str_append(str, value);
	str_truncate_utf8(str, chars - 1);
	str_append(str, "\xE2\x80\xA6");
	return str_c(str);
}

static const struct mus_competence_count *
mus_heatmap_find(const struct mus_competence_group *group, const char *code)
{
	const struct mus_competence_count *count;

	array_foreach(&group->competences, count) {
		if (strcmp(count->code, code) == 0)
			return count;
	}
	return NULL;
}

static int mus_heatmap_percent(const struct mus_competence_count *count)
{
	struct mus_competence_share share;

	mus_competence_share(count, MUS_COMPETENCE_EMPLOYEE, &share);
	return share.percent;
}

/* the biggest gap first; competences without a share last */
static int mus_heatmap_row_cmp(const struct mus_competence_count *const *a,
			       const struct mus_competence_count *const *b)
{
	int pa = mus_heatmap_percent(*a), pb = mus_heatmap_percent(*b);

	if (pa != pb) {
		if (pa < 0 || pb < 0)
			return pa < 0 ? 1 : -1;
		return pa < pb ? -1 : 1;
	}
	return strcmp((*a)->code, (*b)->code);
}

/* the cell of one competence in the organisation (unit NULL) or a unit
   (count NULL: nobody there answered for it) */
static void mus_heatmap_cell(string_t *out, const struct mus_heatmap_words *w,
			     const struct mus_competence_group *unit,
			     const struct mus_competence_count *count,
			     unsigned int x, unsigned int y)
{
	struct mus_competence_share share;
	const char *text;

	i_zero(&share);
	share.percent = -1;
	if (count != NULL)
		mus_competence_share(count, MUS_COMPETENCE_EMPLOYEE, &share);
	if (share.percent >= 0)
		text = t_strdup_printf("%d%s", share.percent, w->percent);
	else
		text = share.answers > 0 ? w->not_relevant : w->none;
	str_printfa(out, "<g><title>%s: %s (n=%u)</title>"
		    "<rect class=\"cell%s\" data-unit=\"%s\" data-percent=\"%d\" "
		    "data-relevant=\"%u\" x=\"%u\" y=\"%u\" width=\"%u\" "
		    "height=\"%u\" fill=\"#%06x\"/>",
		    ESC(unit == NULL ? w->all : unit->name), ESC(text),
		    share.relevant, unit == NULL ? " all" : "",
		    unit == NULL ? "" : ESC(unit->key),
		    share.percent, share.relevant, x, y,
		    MUS_HEATMAP_CELL_WIDTH, MUS_HEATMAP_CELL_HEIGHT,
		    mus_competence_heatmap_rgb(share.percent));
	str_printfa(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">%s</text>",
		    x + MUS_HEATMAP_CELL_WIDTH / 2, y + 15, ESC(text));
	if (share.relevant > 0) {
		str_printfa(out, "<text x=\"%u\" y=\"%u\" text-anchor=\"middle\">"
			    "n=%u</text>", x + MUS_HEATMAP_CELL_WIDTH / 2,
			    y + 30, share.relevant);
	}
	str_append(out, "</g>");
}

static void mus_heatmap_legend(string_t *out, const struct mus_heatmap_words *w,
			       unsigned int y)
{
	unsigned int x = MUS_HEATMAP_LABEL_WIDTH;

	str_printfa(out, "<g class=\"legend\">");
	for (unsigned int band = 0; band <= MUS_HEATMAP_BANDS; band++) {
		bool none = band == MUS_HEATMAP_BANDS;

		str_printfa(out, "<rect x=\"%u\" y=\"%u\" width=\"14\" height=\"14\" "
			    "fill=\"#%06x\"/><text x=\"%u\" y=\"%u\">%s</text>",
			    x, y, none ? MUS_HEATMAP_NONE_RGB :
			    mus_heatmap_band_rgb[band], x + 18, y + 12,
			    ESC(none ? w->none : w->bands[band]));
		x += MUS_HEATMAP_LEGEND_STEP;
	}
	str_append(out, "</g>\n");
}

void mus_competence_heatmap(string_t *out, const struct mus_competences *comp,
			    enum mus_language language)
{
	const struct mus_heatmap_words *w = &mus_heatmap_words[language];
	const struct mus_competence_group *org =
		array_idx_elem(&comp->groups[MUS_COMPETENCE_ORGANISATION], 0);
	const ARRAY_TYPE(mus_competence_group) *units =
		&comp->groups[MUS_COMPETENCE_UNIT];
	ARRAY(const struct mus_competence_count *) rows;
	const struct mus_competence_count *count, *row;
	struct mus_competence_group *unit;
	unsigned int employee_answers = 0, columns, width, height, y;

	str_printfa(out, "<section id=\"competences\">\n<h2>%s</h2>\n",
		    ESC(w->title));
	t_array_init(&rows, 8);
	array_foreach(&org->competences, count) {
		struct mus_competence_share share;

		mus_competence_share(count, MUS_COMPETENCE_EMPLOYEE, &share);
		employee_answers += share.answers;
		if (share.answers > 0)
			array_push_back(&rows, &count);
	}
	if (employee_answers == 0) {
		str_printfa(out, "<p class=\"no-answers\">%s</p>\n</section>\n",
			    ESC(w->no_answers));
		return;
	}
	array_sort(&rows, mus_heatmap_row_cmp);

	columns = 1 + array_count(units);
	width = MUS_HEATMAP_LABEL_WIDTH +
		columns * (MUS_HEATMAP_CELL_WIDTH + MUS_HEATMAP_GAP) + 20;
	/* wide enough for the legend: the bands and "no answers" */
	if (width < MUS_HEATMAP_LABEL_WIDTH +
		    (MUS_HEATMAP_BANDS + 1) * MUS_HEATMAP_LEGEND_STEP)
		width = MUS_HEATMAP_LABEL_WIDTH +
			(MUS_HEATMAP_BANDS + 1) * MUS_HEATMAP_LEGEND_STEP;
	height = MUS_HEATMAP_HEADER_HEIGHT +
		array_count(&rows) * (MUS_HEATMAP_CELL_HEIGHT + MUS_HEATMAP_GAP) +
		MUS_HEATMAP_LEGEND_HEIGHT;
	str_printfa(out, "<p>%s</p>\n", ESC(w->intro));
	str_printfa(out, "<svg id=\"competences-heatmap\" class=\"chart\" "
		    "xmlns=\"http://www.w3.org/2000/svg\" width=\"%u\" "
		    "height=\"%u\" viewBox=\"0 0 %u %u\" role=\"img\">\n",
		    width, height, width, height);
	/* column heads, slanted so that long unit names fit */
	for (unsigned int c = 0; c < columns; c++) {
		const char *name = c == 0 ? w->all :
			array_idx_elem(units, c - 1)->name;
		unsigned int x = MUS_HEATMAP_LABEL_WIDTH + 8 +
			c * (MUS_HEATMAP_CELL_WIDTH + MUS_HEATMAP_GAP) +
			MUS_HEATMAP_CELL_WIDTH / 2;

		str_printfa(out, "<text class=\"unit\" x=\"%u\" y=\"%u\" "
			    "transform=\"rotate(-35 %u %u)\"><title>%s</title>%s</text>\n",
			    x, MUS_HEATMAP_HEADER_HEIGHT - 8, x,
			    MUS_HEATMAP_HEADER_HEIGHT - 8, ESC(name),
			    ESC(mus_heatmap_short(name, MUS_HEATMAP_UNIT_CHARS)));
	}
	y = MUS_HEATMAP_HEADER_HEIGHT;
	array_foreach_elem(&rows, row) {
		unsigned int x = MUS_HEATMAP_LABEL_WIDTH;

		str_printfa(out, "<g class=\"row\" data-code=\"%s\" data-percent=\"%d\">"
			    "<text x=\"%u\" y=\"%u\" text-anchor=\"end\">"
			    "<title>%s</title>%s</text>",
			    ESC(row->code), mus_heatmap_percent(row),
			    MUS_HEATMAP_LABEL_WIDTH - 8,
			    y + MUS_HEATMAP_CELL_HEIGHT / 2 + 4, ESC(row->title),
			    ESC(mus_heatmap_short(row->title,
						  MUS_HEATMAP_TITLE_CHARS)));
		mus_heatmap_cell(out, w, NULL, row, x, y);
		array_foreach_elem(units, unit) {
			x += MUS_HEATMAP_CELL_WIDTH + MUS_HEATMAP_GAP;
			mus_heatmap_cell(out, w, unit,
					 mus_heatmap_find(unit, row->code), x, y);
		}
		str_append(out, "</g>\n");
		y += MUS_HEATMAP_CELL_HEIGHT + MUS_HEATMAP_GAP;
	}
	mus_heatmap_legend(out, w, y + 14);
	str_append(out, "</svg>\n</section>\n");
}
