/* Unit tests of the competence heatmap (mus-competence-heatmap): the
   biggest gaps first, colour bands, escaping, and the note when nobody
   has answered. */

#include "lib.h"
#include "str.h"
#include "mus-competences.h"
#include "mus-competence-heatmap.h"
#include "mus-test-xml.h"
#include "mus-test.h"

#define E MUS_COMPETENCE_EMPLOYEE
#define L MUS_COMPETENCE_LEADER
#define HOSTILE_UNIT "Børn & Unge <script>"
#define HOSTILE_UNIT_HTML "Børn &amp; Unge &lt;script&gt;"

static const struct {
	const char *code, *title;
	unsigned int level;
	enum mus_competence_side side;
	const char *unit;
} answers[] = {
	/* ledelse: 1 of 4 competent (25 %) */
	{ "ledelse", "Ledelse", 3, E, HOSTILE_UNIT },
	{ "ledelse", "Ledelse", 1, E, HOSTILE_UNIT },
	{ "ledelse", "Ledelse", 2, E, "Teknik" },
	{ "ledelse", "Ledelse", 2, E, "Teknik" },
	/* it: 3 of 4 (75 %), all of Teknik's */
	{ "it", "IT", 4, E, HOSTILE_UNIT },
	{ "it", "IT", 1, E, HOSTILE_UNIT },
	{ "it", "IT", 5, E, "Teknik" },
	{ "it", "IT", 3, E, "Teknik" },
	/* jura: none of 2 (0 %), Teknik only; the leader's 5 does not count */
	{ "jura", "Jura & ret <b>", 1, E, "Teknik" },
	{ "jura", "Jura & ret <b>", 2, E, "Teknik" },
	{ "jura", "Jura & ret <b>", 5, L, "Teknik" },
	/* ro: only "not relevant": no share, last */
	{ "ro", "Ro på", 0, E, "Teknik" },
	/* ekstra: only the leader's view: no row */
	{ "ekstra", "Ekstra", 2, L, "Teknik" },
};

static struct mus_competences *test_sample(void)
{
	struct mus_competences *comp = mus_competences_create();
	const char *error;

	for (unsigned int i = 0; i < N_ELEMENTS(answers); i++) {
		struct mus_competence_answer answer = {
			.code = answers[i].code, .title = answers[i].title,
			.level = answers[i].level, .side = answers[i].side,
			.unit = answers[i].unit, .team = "t", .leader = "l",
		};

		test_assert(mus_competences_add(comp, &answer, &error) == 0);
	}
	mus_competences_finish(comp);
	return comp;
}

/* the <rect> of a cell (unit_html NULL: the organisation's) in the row
   of code, or NULL */
static const char *test_cell(const char *html, const char *code,
			     const char *unit_html)
{
	const char *row = strstr(html, t_strdup_printf(
		"<g class=\"row\" data-code=\"%s\"", code));
	const char *end, *cell;

	if (row == NULL)
		return NULL;
	end = strstr(row, "</g>\n");
	cell = strstr(row, unit_html == NULL ? "class=\"cell all\"" :
		      t_strdup_printf("class=\"cell\" data-unit=\"%s\"",
				      unit_html));
	if (cell == NULL || end == NULL || cell > end)
		return NULL;
	return t_strdup_until(cell, strchr(cell, '>'));
}

static void test_heatmap_cell(const char *html, const char *code,
			      const char *unit_html, int percent,
			      unsigned int relevant)
{
	const char *cell = test_cell(html, code, unit_html);

	test_assert(cell != NULL);
	if (cell == NULL)
		return;
	test_assert_contains(cell, t_strdup_printf(
		"data-percent=\"%d\" data-relevant=\"%u\"", percent, relevant));
	test_assert_contains(cell, t_strdup_printf(
		"fill=\"#%06x\"", mus_competence_heatmap_rgb(percent)));
}

static void test_heatmap_order(void)
{
	struct mus_competences *comp;
	string_t *out = t_str_new(8192);
	const char *html, *jura, *ledelse, *it, *ro;

	mus_test_begin("heatmap: gaps first, cells by unit, escaped");
	comp = test_sample();
	mus_competence_heatmap(out, comp, MUS_LANGUAGE_DA);
	html = str_c(out);
	test_assert_strcmp(mus_test_xml_problem(html), NULL);
	test_assert(str_begins(html, "<section id=\"competences\">\n<h2>Kompetencer: "));
	test_assert_contains(html, "<svg id=\"competences-heatmap\"");
	jura = strstr(html, "data-code=\"jura\"");
	ledelse = strstr(html, "data-code=\"ledelse\"");
	it = strstr(html, "data-code=\"it\"");
	ro = strstr(html, "data-code=\"ro\"");
	test_assert(jura != NULL && ledelse != NULL && it != NULL && ro != NULL);
	test_assert(jura < ledelse && ledelse < it && it < ro);
	test_assert(strstr(html, "data-code=\"ekstra\"") == NULL);

	test_heatmap_cell(html, "jura", NULL, 0, 2);
	test_heatmap_cell(html, "ledelse", NULL, 25, 4);
	test_heatmap_cell(html, "it", NULL, 75, 4);
	test_heatmap_cell(html, "ro", NULL, -1, 0);
	test_heatmap_cell(html, "ledelse", HOSTILE_UNIT_HTML, 50, 2);
	test_heatmap_cell(html, "ledelse", "Teknik", 0, 2);
	test_heatmap_cell(html, "it", "Teknik", 100, 2);
	/* nobody in the unit answered: grey, "no answers" */
	test_heatmap_cell(html, "jura", HOSTILE_UNIT_HTML, -1, 0);
	test_assert_contains(html, ">ingen svar</text>");
	test_assert_contains(html, ">ikke relevant</text>");
	test_assert_contains(html, ">75 %</text><text");
	test_assert_contains(html, ">n=4</text>");
	test_assert_contains(html, ">Hele organisationen</text>");

	test_assert(strstr(html, "<script") == NULL);
	test_assert(strstr(html, "<b>") == NULL);
	test_assert_contains(html, ">" HOSTILE_UNIT_HTML "</text>");
	test_assert_contains(html, ">Jura &amp; ret &lt;b&gt;</text>");

	str_truncate(out, 0);
	mus_competence_heatmap(out, comp, MUS_LANGUAGE_EN);
	test_assert_strcmp(mus_test_xml_problem(str_c(out)), NULL);
	test_assert_contains(str_c(out), ">75%</text>");
	test_assert_contains(str_c(out), ">Whole organisation</text>");
	mus_competences_destroy(&comp);
	mus_test_end();
}

static const struct {
	int percent;
	unsigned int band;
} band_cases[] = {
	{ 0, 0 }, { 19, 0 }, { 20, 1 }, { 39, 1 }, { 40, 2 }, { 59, 2 },
	{ 60, 3 }, { 79, 3 }, { 80, 4 }, { 99, 4 }, { 100, 4 },
};

static void test_heatmap_bands(void)
{
	unsigned int prev = MUS_HEATMAP_NONE_RGB, bands = 0;

	mus_test_begin("heatmap: five colour bands of 20 points, grey for none");
	test_assert(mus_competence_heatmap_rgb(-1) == MUS_HEATMAP_NONE_RGB);
	for (unsigned int i = 0; i < N_ELEMENTS(band_cases); i++) {
		unsigned int rgb = mus_competence_heatmap_rgb(band_cases[i].percent);

		test_assert(rgb != MUS_HEATMAP_NONE_RGB);
		if (i > 0 && band_cases[i].band == band_cases[i - 1].band)
			test_assert(rgb == prev);
		else {
			test_assert(rgb != prev);
			bands++;
		}
		prev = rgb;
	}
	test_assert(bands == MUS_HEATMAP_BANDS);
	mus_test_end();
}

static void test_heatmap_empty(void)
{
	static const struct mus_competence_answer leader_only = {
		.code = "it", .title = "IT", .level = 3, .side = L,
		.unit = "u",
	};
	struct mus_competences *comp = mus_competences_create();
	string_t *out = t_str_new(512);
	const char *error;

	mus_test_begin("heatmap: a note instead of a chart without answers");
	mus_competences_finish(comp);
	mus_competence_heatmap(out, comp, MUS_LANGUAGE_EN);
	test_assert_strcmp(str_c(out),
		"<section id=\"competences\">\n"
		"<h2>Competences: share at competent or above</h2>\n"
		"<p class=\"no-answers\">No employee has assessed their "
		"competences yet.</p>\n</section>\n");
	/* the leader's view alone makes no gap picture */
	test_assert(mus_competences_add(comp, &leader_only, &error) == 0);
	mus_competences_finish(comp);
	str_truncate(out, 0);
	mus_competence_heatmap(out, comp, MUS_LANGUAGE_DA);
	test_assert_contains(str_c(out), "<p class=\"no-answers\">Ingen medarbejdere");
	test_assert(strstr(str_c(out), "<svg") == NULL);
	mus_competences_destroy(&comp);
	mus_test_end();
}

void test_competence_heatmap(void)
{
	test_heatmap_order();
	test_heatmap_bands();
	test_heatmap_empty();
}
