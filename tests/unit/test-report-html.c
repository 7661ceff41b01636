/* Unit tests of HR's figures (mus-hr-figures) and their HTML page
   (mus-report-html): counting, escaping, bars for zero and huge values,
   and the atomic write. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "unlink-directory.h"
#include "mus-org.h"
#include "mus-cards.h"
#include "mus-hr-figures.h"
#include "mus-report.h"
#include "mus-report-html.h"
#include "mus-competences.h"
#include "mus-test-org.h"
#include "mus-test.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#define TEMPLATES_DIR "ical-templates"
#define HOSTILE "<b onclick=\"x\">R&D's</b>"
#define DAY (24 * 60 * 60)
#define TZ "Europe/Copenhagen"

static void test_escape(void)
{
	mus_test_begin("report html: escape markup, quotes and control characters");
	test_assert_strcmp(mus_report_html_escape("<a href=\"x\">&'\n\t"),
			   "&lt;a href=&quot;x&quot;&gt;&amp;&#39;  ");
	test_assert_strcmp(mus_report_html_escape("Søren Højgaard"),
			   "Søren Højgaard");
	test_assert_strcmp(mus_report_html_escape(""), "");
	mus_test_end();
}

/* the width of the n-th rect.bar of an SVG, or -1 */
static int test_bar_width(const char *svg, unsigned int n)
{
	const char *p = svg;

	for (unsigned int i = 0; i <= n; i++) {
		p = strstr(p, "<rect class=\"bar\"");
		if (p == NULL)
			return -1;
		p++;
	}
	p = strstr(p, " width=\"");
	return p == NULL ? -1 : atoi(p + 8);
}

static void test_bars(void)
{
	const struct mus_report_bar zero[] = {
		{ .label = "a", .value = 0 }, { .label = "b", .value = 0 },
		{ .label = "c", .value = 0, .of = 0 },
	};
	const struct mus_report_bar huge[] = {
		{ .label = "max", .value = UINT_MAX },
		{ .label = "one", .value = 1 },
		{ .label = "half", .value = UINT_MAX / 2 + 1 },
	};
	const struct mus_report_bar of[] = {
		{ .label = "all", .value = UINT_MAX, .of = UINT_MAX },
		{ .label = "none", .value = 0, .of = 7 },
		{ .label = "over", .value = 9, .of = 3 },
		{ .label = "quarter", .value = 1, .of = 4 },
	};
	const struct mus_report_bar hostile[] = {
		{ .label = HOSTILE, .value = 2 },
	};
	string_t *out = t_str_new(1024);

	mus_test_begin("report html: bars of zero values have no length");
	mus_report_html_bars(out, "z", zero, N_ELEMENTS(zero));
	for (unsigned int i = 0; i < N_ELEMENTS(zero); i++)
		test_assert(test_bar_width(str_c(out), i) == 0);
	test_assert(test_bar_width(str_c(out), 3) == -1);
	test_assert_contains(str_c(out), "<svg id=\"z\"");
	test_assert_contains(str_c(out), "data-value=\"0\"");
	mus_test_end();

	mus_test_begin("report html: huge values scale without overflow");
	str_truncate(out, 0);
	mus_report_html_bars(out, "h", huge, N_ELEMENTS(huge));
	test_assert(test_bar_width(str_c(out), 0) == 360);
	test_assert(test_bar_width(str_c(out), 1) == 0);
	test_assert(test_bar_width(str_c(out), 2) == 180);
	test_assert_contains(str_c(out), t_strdup_printf("data-value=\"%u\"", UINT_MAX));
	mus_test_end();

	mus_test_begin("report html: a bar against its total, at most full");
	str_truncate(out, 0);
	mus_report_html_bars(out, "o", of, N_ELEMENTS(of));
	test_assert(test_bar_width(str_c(out), 0) == 360);
	test_assert(test_bar_width(str_c(out), 1) == 0);
	test_assert(test_bar_width(str_c(out), 2) == 360);
	test_assert(test_bar_width(str_c(out), 3) == 90);
	test_assert_contains(str_c(out), ">1 / 4</text>");
	mus_test_end();

	mus_test_begin("report html: bar labels are escaped");
	str_truncate(out, 0);
	mus_report_html_bars(out, "x", hostile, N_ELEMENTS(hostile));
	test_assert(strstr(str_c(out), HOSTILE) == NULL);
	test_assert(strstr(str_c(out), "<b") == NULL);
	test_assert_contains(str_c(out), "&lt;b onclick=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/b&gt;");
	mus_test_end();
}

static struct mus_person *
test_unit_person(struct mus_org *org, const char *uid, const char *manager,
		 const char *unit)
{
	struct mus_person *p = mus_test_person(org, uid, manager, "");

	p->unit = p_strdup(org->pool, unit);
	p->cn = p_strdup_printf(org->pool, "Name of %s", uid);
	return p;
}

static struct mus_conversation *
test_conv(pool_t pool, const char *employee, const char *leader,
	  enum mus_conv_status status)
{
	struct mus_conversation *conv = p_new(pool, struct mus_conversation, 1);
	const char **emps = p_new(pool, const char *, 2);

	emps[0] = p_strdup_printf(pool, "uid=%s,ou=people,dc=x", employee);
	conv->employee_dns = conv->employee_ndns = emps;
	conv->leader_dn = conv->leader_ndn =
		p_strdup_printf(pool, "uid=%s,ou=people,dc=x", leader);
	conv->status = status;
	return conv;
}

static struct mus_filed_plan *
test_filed_plan(ARRAY_TYPE(mus_filed_plan) *plans, pool_t pool,
		const char *cn, const char *employee, bool approved)
{
	struct mus_filed_plan *plan = p_new(pool, struct mus_filed_plan, 1);

	plan->dn = plan->ndn = p_strdup_printf(pool,
		"cn=%s,uid=%s,ou=people,dc=x", cn, employee);
	plan->employee_dn = plan->employee_ndn =
		p_strdup_printf(pool, "uid=%s,ou=people,dc=x", employee);
	plan->leader_dn = plan->leader_ndn = "uid=boss,ou=people,dc=x";
	if (approved)
		plan->approved_by_employee = plan->approved_by_leader = 1700000000;
	p_array_init(&plan->activities, pool, 4);
	array_push_back(plans, &plan);
	return plan;
}

static void test_activity(struct mus_filed_plan *plan, pool_t pool,
			  const char *kind, const char *card, time_t due,
			  bool done, const char *description)
{
	struct mus_activity *act = array_append_space(&plan->activities);

	act->dn = p_strdup_printf(pool, "cn=a%u,%s",
				  array_count(&plan->activities), plan->dn);
	act->kind = kind;
	act->card = card;
	act->due = due;
	act->done = done;
	act->description = description;
}

static struct mus_hr_group *
test_group(const ARRAY_TYPE(mus_hr_group) *groups, const char *key)
{
	struct mus_hr_group *group;

	array_foreach_elem(groups, group) {
		if (strcmp(group->key, key) == 0)
			return group;
	}
	return NULL;
}

static void test_figures_and_page(void)
{
	pool_t pool = pool_alloconly_create("test report", 8192);
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	struct mus_cards *cards;
	struct mus_hr_figures *figs;
	ARRAY_TYPE(mus_filed_plan) plans;
	struct mus_filed_plan *p1, *p2;
	ARRAY_TYPE(mus_conversation) convs;
	struct mus_hr_group *unit, *other;
	const struct mus_hr_topic *topics;
	const char *error, *page;
	string_t *out = t_str_new(8192);

	mus_test_begin("hr figures: conversations, plans and activities per unit");
	test_assert(mus_cards_load(TEMPLATES_DIR, &cards, &error) == 0);
	test_unit_person(org, "boss", NULL, "Direktionen");
	test_unit_person(org, "e1", "boss", HOSTILE);
	test_unit_person(org, "e2", "boss", HOSTILE);
	test_unit_person(org, "e3", "boss", "Vej og Park");
	test_assert(mus_org_analyze(org, NOW, NULL, NULL, &error) == 0);

	p_array_init(&convs, pool, 8);
	array_push_back(&convs, (struct mus_conversation *[]){
		test_conv(pool, "e1", "boss", MUS_CONV_PLAN_PENDING) });
	array_push_back(&convs, (struct mus_conversation *[]){
		test_conv(pool, "e2", "boss", MUS_CONV_PLAN_REQUESTED) });
	array_push_back(&convs, (struct mus_conversation *[]){
		test_conv(pool, "e3", "boss", MUS_CONV_INVITED) });
	array_push_back(&convs, (struct mus_conversation *[]){
		test_conv(pool, "e3", "boss", MUS_CONV_CANCELLED) });
	array_push_back(&convs, (struct mus_conversation *[]){
		test_conv(pool, "gone", "boss", MUS_CONV_APPROVED) });

	p_array_init(&plans, pool, 4);
	p1 = test_filed_plan(&plans, pool, "p1", "e1", TRUE);
	p2 = test_filed_plan(&plans, pool, "p2", "e2", FALSE);
	test_activity(p1, pool, "course", "Faglighed", NOW - DAY, FALSE, HOSTILE);
	test_activity(p1, pool, "course", NULL, NOW - DAY, TRUE, "done already");
	test_activity(p1, pool, "juggling", "no-such-card", NOW + DAY, FALSE,
		      "later");
	test_activity(p1, pool, "mentoring", "faglighed", 0, FALSE,
		      "no due date");
	/* no kind at all counts as another kind */
	test_activity(p1, pool, NULL, NULL, NOW + DAY, FALSE, "no kind");
	/* of a plan not approved */
	test_activity(p2, pool, "course", NULL, NOW - DAY, FALSE, "not agreed");

	figs = mus_hr_figures_create(org, cards, TZ, NOW);
	mus_hr_figures_add_conversations(figs, &convs);
	mus_hr_figures_add_plans(figs, &plans);
	mus_hr_figures_finish(figs);

	unit = test_group(&figs->units, HOSTILE);
	other = test_group(&figs->units, "Vej og Park");
	test_assert(unit != NULL && other != NULL);
	test_assert(test_group(&figs->units, MUS_HR_UNKNOWN) != NULL);
	if (unit != NULL && other != NULL) {
		test_assert(unit->conversations == 2 && unit->held == 2);
		test_assert(unit->plans_pending == 2 && unit->plans_approved == 1);
		test_assert(unit->activities == 5 && unit->overdue == 1);
		test_assert(unit->kinds[MUS_PLAN_ACTIVITY_COURSE] == 2);
		test_assert(unit->kinds[MUS_PLAN_ACTIVITY_MENTORING] == 1);
		test_assert(unit->kinds[MUS_HR_KIND_OTHER] == 2);
		test_assert(array_count(&unit->topics) == 3);
		topics = array_front(&unit->topics);
		test_assert_strcmp(topics[0].code, "");
		test_assert_strcmp(topics[1].code, "faglighed");
		test_assert(topics[1].count == 2 && topics[1].card != NULL);
		test_assert_strcmp(topics[2].code, "no-such-card");
		test_assert(topics[2].card == NULL);
		test_assert(other->conversations == 1 && other->held == 0);
		test_assert(other->activities == 0);
	}
	test_assert(figs->total->conversations == 4 && figs->total->held == 3);
	test_assert(figs->total->plans_approved == 1);
	test_assert(array_count(&figs->leaders) == 1);
	test_assert(array_count(&figs->overdue) == 1);
	if (array_count(&figs->overdue) == 1) {
		const struct mus_hr_overdue *od = array_front(&figs->overdue);

		test_assert_strcmp(od->employee, "Name of e1");
		test_assert_strcmp(od->description, HOSTILE);
	}
	mus_test_end();

	mus_test_begin("status: overdue rows from the same plans");
	{
		ARRAY_TYPE(mus_report_row) rows;
		const struct mus_report_row *row;
		unsigned int activity_rows = 0;

		p_array_init(&rows, pool, 16);
		mus_report_overdue(pool, org, &plans, TZ, NOW, &rows);
		array_foreach(&rows, row) {
			if (strcmp(row->type, "overdue") == 0)
				test_assert_strcmp(row->count, "1");
			else if (strcmp(row->type, "overdue-unit") == 0) {
				test_assert_strcmp(row->subject, HOSTILE);
				test_assert_strcmp(row->count, "1");
			} else if (strcmp(row->type, "overdue-activity") == 0) {
				test_assert_strcmp(row->subject, "cn=a1,cn=p1,uid=e1,ou=people,dc=x");
				activity_rows++;
			}
		}
		test_assert(activity_rows == 1);
	}
	mus_test_end();

	mus_report_html(out, figs, NULL, MUS_LANGUAGE_EN, "Europe/Copenhagen");
	page = str_c(out);
	mus_test_begin("report html: the page escapes every directory value");
	test_assert(strstr(page, HOSTILE) == NULL);
	test_assert(strstr(page, "onclick=\"") == NULL);
	test_assert(strstr(page, "<script") == NULL);
	test_assert(strstr(page, "href=") == NULL && strstr(page, "src=") == NULL);
	test_assert_contains(page, "data-unit=\"&lt;b onclick=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/b&gt;\" "
			     "data-approved=\"1\" data-pending=\"2\"");
	mus_test_end();

	mus_test_begin("report html: every figure has its section");
	test_assert_contains(page, "<html lang=\"en\">");
	test_assert_contains(page, "<section id=\"completion-units\">");
	test_assert_contains(page, "<section id=\"completion-leaders\">");
	test_assert_contains(page, "<section id=\"plans\">");
	test_assert_contains(page, "<section id=\"overdue\">");
	test_assert_contains(page, "<section id=\"activities-kind\">");
	test_assert_contains(page, "<section id=\"activities-topic\">");
	test_assert_contains(page, "data-held=\"2\" data-conversations=\"2\"");
	test_assert_contains(page, "data-kind=\"other\" data-count=\"2\"");
	test_assert_contains(page, "data-card=\"faglighed\" data-count=\"2\"");
	test_assert_contains(page, "<td>Professional skills</td>");
	test_assert_contains(page, "<p class=\"total\" data-overdue=\"1\">");
	test_assert_contains(page, "<td>2026-11-17</td>");
	mus_test_end();

	mus_test_begin("report html: the competence heatmap only with competence figures");
	test_assert(strstr(page, "<section id=\"competences\">") == NULL);
	{
		struct mus_competences *comp = mus_competences_create();
		const struct mus_competence_answer answer = {
			.code = "jura", .title = "Law & <rules>", .level = 4,
			.side = MUS_COMPETENCE_EMPLOYEE, .unit = "R&D",
			.team = "T", .leader = "uid=l,dc=x",
		};
		const char *error;

		test_assert(mus_competences_add(comp, &answer, &error) == 0);
		mus_competences_finish(comp);
		str_truncate(out, 0);
		mus_report_html(out, figs, comp, MUS_LANGUAGE_EN,
				"Europe/Copenhagen");
		test_assert_contains(str_c(out), "<section id=\"competences\">");
		test_assert_contains(str_c(out), "<svg id=\"competences-heatmap\"");
		test_assert_contains(str_c(out), "data-unit=\"R&amp;D\" data-percent=\"100\"");
		test_assert(strstr(str_c(out), "Law & <rules>") == NULL);
		/* the last section of the page */
		test_assert(strstr(str_c(out), "<section id=\"competences\">") >
			    strstr(str_c(out), "<section id=\"activities-topic\">"));
		mus_competences_destroy(&comp);
	}
	mus_test_end();

	mus_test_begin("report html: Danish words with mus_language da");
	str_truncate(out, 0);
	mus_report_html(out, figs, NULL, MUS_LANGUAGE_DA, "Europe/Copenhagen");
	test_assert_contains(str_c(out), "<html lang=\"da\">");
	test_assert_contains(str_c(out), "<td>Faglighed</td>");
	test_assert_contains(str_c(out), "Udviklingsplaner");
	mus_test_end();

	mus_test_begin("report html: written atomically, failure named");
	{
		char dir[] = "/tmp/mus-test-report.XXXXXX";
		const char *path;
		struct stat st;
		DIR *d;
		struct dirent *ent;
		unsigned int files = 0;

		test_assert(mkdtemp(dir) != NULL);
		path = t_strconcat(dir, "/hr.html", NULL);
		test_assert(mus_report_html_write(path, figs, NULL, MUS_LANGUAGE_EN,
						  "Europe/Copenhagen", &error) == 0);
		test_assert(stat(path, &st) == 0 && st.st_size > 1000);
		d = opendir(dir);
		while (d != NULL && (ent = readdir(d)) != NULL) {
			if (ent->d_name[0] != '.')
				files++;
		}
		if (d != NULL)
			closedir(d);
		test_assert(files == 1);
		error = NULL;
		path = t_strconcat(dir, "/missing/hr.html", NULL);
		test_assert(mus_report_html_write(path, figs, NULL, MUS_LANGUAGE_EN,
						  "Europe/Copenhagen", &error) < 0);
		test_assert_contains(error, "/missing/hr.html");
		/* what is not a regular file is left alone: a link (to
		   the page just written), a directory */
		path = t_strconcat(dir, "/link.html", NULL);
		test_assert(symlink(t_strconcat(dir, "/hr.html", NULL), path) == 0);
		error = NULL;
		test_assert(mus_report_html_write(path, figs, NULL, MUS_LANGUAGE_EN,
						  "Europe/Copenhagen", &error) < 0);
		test_assert_contains(error, "link.html exists and is not a regular file");
		test_assert(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
		error = NULL;
		test_assert(mus_report_html_write(dir, figs, NULL, MUS_LANGUAGE_EN,
						  "Europe/Copenhagen", &error) < 0);
		test_assert_contains(error, "is not a regular file");
		test_assert(unlink_directory(dir, UNLINK_DIRECTORY_FLAG_RMDIR,
					     &error) == 1);
	}
	mus_test_end();

	mus_test_begin("hr figures: destroy clears the pointer");
	mus_hr_figures_destroy(&figs);
	test_assert(figs == NULL);
	mus_test_end();
	mus_cards_free(&cards);
	mus_org_destroy(&org);
	pool_unref(&pool);
}

static void test_empty_page(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	struct mus_hr_figures *figs;
	string_t *out = t_str_new(4096);
	const char *error;

	mus_test_begin("report html: a directory without rounds or plans");
	test_assert(mus_org_analyze(org, NOW, NULL, NULL, &error) == 0);
	figs = mus_hr_figures_create(org, NULL, TZ, NOW);
	mus_hr_figures_finish(figs);
	mus_report_html(out, figs, NULL, MUS_LANGUAGE_DA, "Europe/Copenhagen");
	test_assert_contains(str_c(out), "<svg id=\"plans-chart\"");
	test_assert_contains(str_c(out), "data-approved=\"0\" data-pending=\"0\"");
	test_assert_contains(str_c(out), "<p>Ingen.</p>");
	test_assert(strstr(str_c(out), "<rect class=\"bar\" data-value=\"1") == NULL);
	test_assert_contains(str_c(out), "</html>");
	mus_hr_figures_destroy(&figs);
	mus_org_destroy(&org);
	mus_test_end();
}

void test_report_html(void)
{
	test_escape();
	test_bars();
	test_figures_and_page();
	test_empty_page();
}
