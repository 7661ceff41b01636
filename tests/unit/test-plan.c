/* Unit tests of the development plan: dates as people write them, the
   rules of a plan, the replies in tests/data/plans/ (each with its
   .expect), the JSON form, and the plan form as it is mailed. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-file.h"
#include "mus-holidays.h"
#include "mus-invitation.h"
#include "mus-plan.h"
#include "mus-plan-text.h"
#include "mus-plan-json.h"
#include "mus-test.h"

#include <dirent.h>

/* the tests run from the top of the source tree */
#define PLANS_DIR "tests/data/plans"
#define TEMPLATES_DIR "ical-templates"

/* the day of every conversation in the data files */
static int today(void)
{
	return mus_days_from_civil(2027, 2, 3);
}

static const char *read_file(const char *path)
{
	const char *text, *error;
	size_t size;

	if (mus_file_read(path, 1024 * 1024, &text, &size, &error) < 0) {
		test_assert_strcmp(error, NULL);
		return NULL;
	}
	return text;
}

static const char *where_name(const struct mus_plan_where *where)
{
	if (where->line > 0)
		return t_strdup_printf("line %u", where->line);
	return where->path == NULL ? "?" : where->path;
}

/* The plan as the .expect files write it; without_where leaves out where
   each activity was read. */
static const char *plan_dump(const struct mus_plan *plan, bool without_where)
{
	string_t *str = t_str_new(1024);
	const struct mus_plan_activity *activity;
	const struct mus_plan_goal *goal;

	str_append(str, "OK\n");
	array_foreach(&plan->goals, goal) {
		str_printfa(str, "goal %s: %s\n",
			    goal->kind == MUS_PLAN_GOAL_SHARED ?
			    "shared" : "individual", goal->text);
	}
	array_foreach(&plan->activities, activity) {
		const struct mus_plan_responsible *resp = &activity->responsible;

		str_printfa(str, "activity (%s): %s\n",
			    without_where ? "-" : where_name(&activity->where),
			    activity->description);
		str_printfa(str, "  kind: %s\n",
			    mus_plan_activity_kind_name(activity->kind));
		str_append(str, "  responsible: ");
		switch (resp->kind) {
		case MUS_PLAN_RESPONSIBLE_LEADER:
			str_append(str, "leader");
			break;
		case MUS_PLAN_RESPONSIBLE_EMPLOYEE:
			str_append(str, "employee");
			break;
		case MUS_PLAN_RESPONSIBLE_PERSON:
			str_append(str, "person");
			if (resp->name != NULL)
				str_printfa(str, " \"%s\"", resp->name);
			if (resp->mail != NULL)
				str_printfa(str, " <%s>", resp->mail);
			break;
		}
		str_printfa(str, "\n  due: %s\n", mus_plan_date(activity->due));
	}
	str_printfa(str, "follow-up: %s\n", mus_plan_date(plan->follow_up));
	return str_c(str);
}

/* A plan written as JSON reads back as the same plan, and writes the
   same JSON again. */
static void check_json_round_trip(const struct mus_plan *plan)
{
	struct mus_plan_problems problems;
	struct mus_plan *again = NULL;
	const char *json = mus_plan_json_write(plan);
	pool_t pool = pool_alloconly_create("test plan json", 4096);

	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
	test_assert(mus_plan_json_parse(json, strlen(json), today(), NULL, &problems,
					&again) == 0);
	test_assert_strcmp(mus_plan_problems_format(&problems), "");
	if (again != NULL) {
		test_assert_strcmp(plan_dump(again, TRUE), plan_dump(plan, TRUE));
		test_assert_strcmp(mus_plan_json_write(again), json);
	}
	pool_unref(&pool);
}

/* What a reader made of the input: the plan's dump or "PROBLEMS" and
   the problems as the answer lists them. Every plan read also makes the
   round trip through JSON. */
static const char *outcome(int ret, const struct mus_plan *plan,
			   const struct mus_plan_problems *problems)
{
	if (ret == 0) {
		test_assert(array_count(&problems->list) == 0);
		check_json_round_trip(plan);
		return plan_dump(plan, FALSE);
	}
	test_assert(array_count(&problems->list) > 0);
	return t_strconcat("PROBLEMS\n", mus_plan_problems_format(problems),
			   NULL);
}

/* text (or html) read as the plan of team (NULL: of one employee) */
static const char *parse_plan(const char *text, const char *html,
			      const struct mus_plan_team *team,
			      enum mus_language language, pool_t pool)
{
	struct mus_plan_problems problems;
	struct mus_plan *plan = NULL;
	int ret;

	mus_plan_problems_init(&problems, pool, language);
	ret = mus_plan_text_parse(text, html, today(), team, &problems, &plan);
	test_assert((ret == 0) == (plan != NULL));
	return outcome(ret, plan, &problems);
}

static const char *parse_text(const char *text, const char *html,
			      enum mus_language language, pool_t pool)
{
	return parse_plan(text, html, NULL, language, pool);
}

static const char *parse_json(const char *json, enum mus_language language,
			      pool_t pool)
{
	struct mus_plan_problems problems;
	struct mus_plan *plan = NULL;
	int ret;

	mus_plan_problems_init(&problems, pool, language);
	ret = mus_plan_json_parse(json, strlen(json), today(), NULL, &problems,
				  &plan);
	test_assert((ret == 0) == (plan != NULL));
	return outcome(ret, plan, &problems);
}

static int cmp_names(const char *const *a, const char *const *b)
{
	return strcmp(*a, *b);
}

/* Every input file with its .expect: NAME.LANG.txt (plain body),
   NAME.LANG.html (HTML-only body), NAME.json (English). */
static void test_plan_files(void)
{
	ARRAY_TYPE(const_string) names;
	struct dirent *d;
	const char *name;
	unsigned int inputs = 0;
	DIR *dir;

	t_array_init(&names, 32);
	dir = opendir(PLANS_DIR);
	if (dir == NULL)
		i_fatal("opendir(%s) failed: %m", PLANS_DIR);
	while ((d = readdir(dir)) != NULL) {
		name = t_strdup(d->d_name);
		array_push_back(&names, &name);
	}
	closedir(dir);
	array_sort(&names, cmp_names);

	array_foreach_elem(&names, name) {
		const char *dot = strrchr(name, '.'), *base, *input, *expect;
		enum mus_language language = MUS_LANGUAGE_EN;
		pool_t pool;

		if (dot == NULL || strcmp(dot, ".expect") == 0 ||
		    name[0] == '.')
			continue;
		base = t_strdup_until(name, dot);
		if (strcmp(dot, ".txt") == 0 || strcmp(dot, ".html") == 0) {
			/* the .expect keeps the language: NAME.LANG.expect */
			const char *lang = strrchr(base, '.');

			i_assert(lang != NULL);
			language = strcmp(lang, ".da") == 0 ?
				MUS_LANGUAGE_DA : MUS_LANGUAGE_EN;
		}
		mus_test_begin(t_strdup_printf("plan: file %s", name));
		input = read_file(t_strdup_printf("%s/%s", PLANS_DIR, name));
		expect = read_file(t_strdup_printf("%s/%s.expect", PLANS_DIR,
						   base));
		test_assert(input != NULL);
		test_assert(expect != NULL);
		pool = pool_alloconly_create("test plan", 4096);
		if (input != NULL && expect != NULL) {
			const char *got;

			if (strcmp(dot, ".json") == 0)
				got = parse_json(input, language, pool);
			else if (strcmp(dot, ".html") == 0)
				got = parse_text(NULL, input, language, pool);
			else
				got = parse_text(input, NULL, language, pool);
			test_assert_strcmp(got, expect);
		}
		pool_unref(&pool);
		mus_test_end();
		inputs++;
	}
	mus_test_begin("plan: data files found");
	test_assert(inputs >= 15);
	mus_test_end();
}

static void test_plan_dates(void)
{
	static const struct {
		const char *input;
		enum mus_plan_date_result result;
		int year;
		unsigned int month, day;
	} tests[] = {
		{ "2027-03-01", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "2027-3-1", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "1.3.2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "01.03.2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "01-03-2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "1/3/2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "1. marts 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "1. Marts 2027.", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "mandag den 1. marts 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "d. 1. mar. 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "March 1, 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "march 1st 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "Monday, 1 March 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "the 1st of March 2027", MUS_PLAN_DATE_OK, 2027, 3, 1 },
		{ "15. okt 2027", MUS_PLAN_DATE_OK, 2027, 10, 15 },
		{ "15 Oct 2027", MUS_PLAN_DATE_OK, 2027, 10, 15 },
		{ "1 sept 2027", MUS_PLAN_DATE_OK, 2027, 9, 1 },
		{ "29. februar 2028", MUS_PLAN_DATE_OK, 2028, 2, 29 },
		{ "31. maj 2027", MUS_PLAN_DATE_OK, 2027, 5, 31 },
		{ "29. februar 2027", MUS_PLAN_DATE_IMPOSSIBLE, 0, 0, 0 },
		{ "31.4.2027", MUS_PLAN_DATE_IMPOSSIBLE, 0, 0, 0 },
		{ "2027-13-01", MUS_PLAN_DATE_IMPOSSIBLE, 0, 0, 0 },
		{ "0.1.2027", MUS_PLAN_DATE_IMPOSSIBLE, 0, 0, 0 },
		{ "32 March 2027", MUS_PLAN_DATE_IMPOSSIBLE, 0, 0, 0 },
		{ "1.3.27", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "1.3", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "marts 2027", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "til foråret", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "1. marts 2027 kl. 10", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "1 2 3 4", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "99999-1-1", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
		{ "", MUS_PLAN_DATE_UNREADABLE, 0, 0, 0 },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(tests); i++) {
		int days = -12345;

		mus_test_begin(t_strdup_printf("plan: date '%s'",
					       tests[i].input));
		test_assert(mus_plan_text_parse_date(tests[i].input, &days) ==
			    tests[i].result);
		if (tests[i].result == MUS_PLAN_DATE_OK) {
			test_assert(days == mus_days_from_civil(tests[i].year,
				tests[i].month, tests[i].day));
		} else {
			test_assert(days == -12345);
		}
		mus_test_end();
	}
}

static void test_plan_months(void)
{
	static const struct {
		int year;
		unsigned int month, day, add;
		int year_r;
		unsigned int month_r, day_r;
	} tests[] = {
		{ 2027, 2, 3, 18, 2028, 8, 3 },
		{ 2027, 8, 31, 18, 2029, 2, 28 },
		{ 2026, 8, 31, 18, 2028, 2, 29 },
		{ 2027, 12, 15, 1, 2028, 1, 15 },
		{ 2027, 1, 31, 1, 2027, 2, 28 },
		{ 2027, 5, 5, 0, 2027, 5, 5 },
	};

	mus_test_begin("plan: months ahead");
	for (unsigned int i = 0; i < N_ELEMENTS(tests); i++) {
		int from = mus_days_from_civil(tests[i].year, tests[i].month,
					       tests[i].day);

		test_assert_strcmp(mus_plan_date(mus_plan_add_months(from,
								      tests[i].add)),
				   mus_plan_date(mus_days_from_civil(
					tests[i].year_r, tests[i].month_r,
					tests[i].day_r)));
	}
	mus_test_end();
}

static void test_plan_kinds(void)
{
	enum mus_plan_activity_kind kind = MUS_PLAN_ACTIVITY_COURSE;

	mus_test_begin("plan: activity kinds are musActivityKind values");
	for (unsigned int i = 0; i < MUS_PLAN_ACTIVITY_KINDS; i++) {
		const char *name = mus_plan_activity_kind_name(i);

		test_assert(mus_plan_activity_kind_parse(name, &kind));
		test_assert(kind == i);
		test_assert(mus_plan_activity_kind_title(i, MUS_LANGUAGE_DA)[0] != '\0');
	}
	test_assert_strcmp(mus_plan_activity_kind_name(MUS_PLAN_ACTIVITY_NEW_TASKS),
			   "new-tasks");
	test_assert_strcmp(mus_plan_activity_kind_title(MUS_PLAN_ACTIVITY_PRACTICE,
							MUS_LANGUAGE_EN),
			   "learning in practice");
	kind = MUS_PLAN_ACTIVITY_MENTORING;
	test_assert(!mus_plan_activity_kind_parse("Course", &kind));
	test_assert(!mus_plan_activity_kind_parse("kursus", &kind));
	test_assert(kind == MUS_PLAN_ACTIVITY_MENTORING);
	mus_test_end();

	mus_test_begin("plan: mail addresses");
	test_assert(mus_plan_mail_valid("jens.berg@eksempel.test"));
	test_assert(mus_plan_mail_valid("a@b.dk"));
	test_assert(!mus_plan_mail_valid("jens"));
	test_assert(!mus_plan_mail_valid("@eksempel.test"));
	test_assert(!mus_plan_mail_valid("jens@localhost"));
	test_assert(!mus_plan_mail_valid("jens@eksempel.test."));
	test_assert(!mus_plan_mail_valid("jens@.test"));
	test_assert(!mus_plan_mail_valid("a@b@c.dk"));
	test_assert(!mus_plan_mail_valid("jens berg@eksempel.test"));
	test_assert(!mus_plan_mail_valid("<jens@eksempel.test>"));
	mus_test_end();
}

/* A valid plan in English text with one line replaced by line. */
static const char *text_with(const char *line)
{
	return t_strconcat(
		"Goal: Learn the new case system.\n"
		"Activity: Course in the case system\n"
		"Kind: course\n"
		"Responsible: leader\n"
		"Due: 2027-03-01\n"
		"Follow-up: 2027-06-01\n", line, "\n", NULL);
}

static void test_plan_rules(void)
{
	static const struct {
		const char *name, *text, *expect;
	} tests[] = {
		{ "due on the follow-up day is fine",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-06-01\nFollow-up: 2027-06-01\n", NULL },
		{ "follow-up exactly 18 months ahead is fine",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-06-01\nFollow-up: 2028-08-03\n", NULL },
		{ "follow-up a day beyond 18 months",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-06-01\nFollow-up: 2028-08-04\n",
		  "- line 6 (Follow-up: 2028-08-04): the follow-up 2028-08-04 is more than 18 months "
		  "ahead (at most 2028-08-03)\n" },
		{ "due today",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-02-03\nFollow-up: 2027-06-01\n",
		  "- line 5 (Due: 2027-02-03): the due date 2027-02-03 is not after today "
		  "(2027-02-03)\n" },
		{ "a responsible by name only",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: Jens Berg\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n", NULL },
		{ "a responsible with a broken address",
		  "Goal: G\nActivity: A\nKind: course\n"
		  "Responsible: Jens <jens@eksempel>\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n",
		  "- line 4 (Responsible: Jens <jens@eksempel>): \"jens@eksempel\" is not a mail address\n" },
		{ "a responsible with text after the address",
		  "Goal: G\nActivity: A\nKind: course\n"
		  "Responsible: Jens <jens@eksempel.test> (HR)\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n",
		  "- line 4 (Responsible: Jens <jens@eksempel.test> (HR)): "
		  "\"<jens@eksempel.test> (HR)\" is not a mail address\n" },
		{ "a goal on several lines ends at a blank line",
		  "Goal: Learn\nthe new\n\nsystem\nActivity: A\nKind: course\n"
		  "Responsible: leader\nDue: 2027-03-01\nFollow-up: 2027-06-01\n",
		  NULL },
		{ "the description label starts an activity",
		  "Goal: G\nDescription: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n", NULL },
		{ "a description given twice",
		  "Goal: G\nActivity: A\nDescription: B\nKind: course\n"
		  "Responsible: leader\nDue: 2027-03-01\nFollow-up: 2027-06-01\n",
		  "- line 3 (Description: B): the description is given twice (first in line 2)\n" },
		{ "a signature ends the plan",
		  "Goal: G\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-03-01\n-- \nFollow-up: 2027-06-01\n",
		  "- the plan has no follow-up date\n" },
		{ "a control character",
		  "Goal: G\x01 H\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n",
		  "- line 1 (Goal: G\xef\xbf\xbd H): the goal contains a control "
		  "character (0x01)\n" },
		{ "invalid UTF-8",
		  "Goal: G\xff\nActivity: A\nKind: course\nResponsible: leader\n"
		  "Due: 2027-03-01\nFollow-up: 2027-06-01\n",
		  "- line 1 (Goal: G\xef\xbf\xbd): the goal is not valid UTF-8 "
		  "text\n" },
	};
	pool_t pool = pool_alloconly_create("test plan rules", 4096);

	for (unsigned int i = 0; i < N_ELEMENTS(tests); i++) {
		const char *got;

		mus_test_begin(t_strdup_printf("plan: %s", tests[i].name));
		got = parse_text(tests[i].text, NULL, MUS_LANGUAGE_EN, pool);
		if (tests[i].expect == NULL)
			test_assert(str_begins(got, "OK\n"));
		else
			test_assert_strcmp(got, t_strconcat("PROBLEMS\n",
				tests[i].expect, NULL));
		mus_test_end();
	}

	mus_test_begin("plan: a goal and a description at their limits");
	{
		string_t *text = t_str_new(2048);
		const char *got;

		str_append(text, "Goal: ");
		for (unsigned int i = 0; i < MUS_PLAN_TEXT_MAX_LEN; i++)
			str_append_c(text, 'g');
		got = parse_text(text_with(str_c(text)), NULL,
				 MUS_LANGUAGE_EN, pool);
		test_assert(str_begins(got, "OK\n"));
		str_append_c(text, 'g');
		got = parse_text(text_with(str_c(text)), NULL,
				 MUS_LANGUAGE_EN, pool);
		test_assert_contains(got, "PROBLEMS\n- line 7 (Goal: ggg");
		test_assert_contains(got, "\xe2\x80\xa6): the goal has 1001 "
				     "characters; at most 1000 are allowed\n");
	}
	mus_test_end();

	mus_test_begin("plan: eleven goals");
	{
		string_t *text = t_str_new(256);

		for (unsigned int i = 0; i < MUS_PLAN_MAX_GOALS; i++)
			str_printfa(text, "Goal: goal %u\n", i);
		test_assert_strcmp(parse_text(text_with(str_c(text)), NULL,
					      MUS_LANGUAGE_EN, pool),
				   "PROBLEMS\n- line 16 (Goal: goal 9): the plan has 11 goals; "
				   "at most 10 are allowed\n");
	}
	mus_test_end();

	mus_test_begin("plan: the list of problems is bounded");
	{
		struct mus_plan_problems problems;
		struct mus_plan *plan = NULL;
		string_t *text = t_str_new(4096);
		const char *list;

		for (unsigned int i = 0; i < MUS_PLAN_MAX_PROBLEMS + 10; i++)
			str_append(text, "Kind: course\n");
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_DA);
		test_assert(mus_plan_text_parse(str_c(text), NULL, today(), NULL,
						&problems, &plan) < 0);
		test_assert(plan == NULL);
		test_assert(array_count(&problems.list) == MUS_PLAN_MAX_PROBLEMS);
		test_assert(problems.truncated);
		list = mus_plan_problems_format(&problems);
		test_assert_contains(list, "- linje 1 (Kind: course): linjen hører "
				     "ikke til");
		test_assert_contains(list, "- (flere fejl er ikke vist)\n");
	}
	mus_test_end();

	mus_test_begin("plan: a body over the size limit");
	{
		char *big = t_malloc0(MUS_PLAN_TEXT_MAX_SIZE + 2);

		memset(big, 'x', MUS_PLAN_TEXT_MAX_SIZE + 1);
		test_assert_strcmp(parse_text(big, NULL, MUS_LANGUAGE_EN, pool),
				   "PROBLEMS\n- the reply is longer than 262144 "
				   "bytes\n");
		test_assert_strcmp(parse_json(big, MUS_LANGUAGE_EN, pool),
				   "PROBLEMS\n- the JSON document is larger than "
				   "262144 bytes\n");
	}
	mus_test_end();

	mus_test_begin("plan: JSON that is no object, or has a NUL");
	{
		struct mus_plan_problems problems;
		struct mus_plan *plan = NULL;

		test_assert_strcmp(parse_json("[1, 2]", MUS_LANGUAGE_EN, pool),
				   "PROBLEMS\n- must be an object\n");
		test_assert_strcmp(parse_json("{} x", MUS_LANGUAGE_DA, pool),
				   "PROBLEMS\n- linje 1: ikke gyldig JSON\n");
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		test_assert(mus_plan_json_parse("{}\0", 3, today(), NULL, &problems,
						&plan) < 0);
		test_assert(plan == NULL);
		test_assert_strcmp(mus_plan_problems_format(&problems),
				   "- the JSON document contains a NUL byte\n");
		test_assert_strcmp(parse_json("{}", MUS_LANGUAGE_EN, pool),
				   "PROBLEMS\n- the plan has no goal\n"
				   "- the plan has no activity\n"
				   "- the plan has no follow-up date\n");
	}
	mus_test_end();
	pool_unref(&pool);
}

static unsigned int count_of(const char *str, const char *sub)
{
	unsigned int count = 0;

	for (; (str = strstr(str, sub)) != NULL; str++)
		count++;
	return count;
}

/* The form as mailed; with fill, its blank lines filled in. */
/* What a form sent back unfilled is answered with. */
static const char *unfilled_problems(enum mus_language language)
{
	return language == MUS_LANGUAGE_DA ?
		"PROBLEMS\n- planen har intet mål\n"
		"- planen har ingen aktivitet\n"
		"- planen mangler en dato for opfølgning\n" :
		"PROBLEMS\n- the plan has no goal\n"
		"- the plan has no activity\n"
		"- the plan has no follow-up date\n";
}

static const char *form_body(enum mus_language language, bool fill)
{
	static const struct mus_notice_var vars[] = {
		{ "employee", "Mette Lund" },
		{ "leader", "Anna Holm" },
		{ "when", "2. februar 2027 kl. 10.00-11.00" },
		{ "uid_short", "7f3a9c2e" },
		{ "max_activities", "20" },
		{ "max_months", "18" },
	};
	static const struct {
		const char *label, *value;
	} fills[] = {
		{ "Fælles mål:", "Kortere ventetid" },
		{ "Shared goal:", "Shorter waiting times" },
		{ "Aktivitet:", "Kursus i visitation" },
		{ "Activity:", "Course in triage" },
		{ "Type:", "kursus" },
		{ "Kind:", "course" },
		{ "Ansvarlig:", "leder" },
		{ "Responsible:", "leader" },
		{ "Frist:", "1.4.2027" },
		{ "Due:", "1 April 2027" },
		{ "Opfølgning:", "1.9.2027" },
		{ "Follow-up:", "1 September 2027" },
	};
	const char *subject, *body, *error;
	string_t *str;

	if (mus_invitation_render_notice(TEMPLATES_DIR, "plan-form", language,
					 vars, N_ELEMENTS(vars), &subject,
					 &body, &error) < 0) {
		test_assert_strcmp(error, NULL);
		return "";
	}
	test_assert_contains(subject, "[7f3a9c2e]");
	test_assert_contains(body, "Mette Lund");
	if (!fill)
		return body;
	str = t_str_new(strlen(body) + 256);
	for (const char *const *line = t_strsplit(body, "\n"); *line != NULL;
	     line++) {
		str_append(str, *line);
		for (unsigned int i = 0; i < N_ELEMENTS(fills); i++) {
			if (strcmp(*line, fills[i].label) == 0)
				str_printfa(str, " %s", fills[i].value);
		}
		str_append_c(str, '\n');
	}
	return str_c(str);
}

static void test_plan_form(void)
{
	static const enum mus_language languages[] = {
		MUS_LANGUAGE_DA, MUS_LANGUAGE_EN
	};
	pool_t pool = pool_alloconly_create("test plan form", 4096);

	for (unsigned int i = 0; i < N_ELEMENTS(languages); i++) {
		enum mus_language lang = languages[i];
		const char *name = lang == MUS_LANGUAGE_DA ? "da" : "en";
		const char *got;

		/* the instructions hold no label: the form unfilled says
		   only what is missing */
		mus_test_begin(t_strdup_printf("plan: the %s form as mailed", name));
		got = parse_text(form_body(lang, FALSE), NULL, lang, pool);
		test_assert_strcmp(got, unfilled_problems(lang));
		mus_test_end();

		mus_test_begin(t_strdup_printf("plan: the %s form filled in", name));
		got = parse_text(form_body(lang, TRUE), NULL, lang, pool);
		test_assert(str_begins(got, "OK\n"));
		test_assert_contains(got, "\nfollow-up: 2027-09-01\n");
		test_assert_contains(got, "  due: 2027-04-01\n");
		/* both activity blocks of the form */
		test_assert(count_of(got, "\nactivity (") == 2);
		mus_test_end();

		mus_test_begin(t_strdup_printf("plan: the %s form quoted below "
					       "a plan", name));
		got = parse_text(t_strconcat(
			"Goal: G\nActivity: A\nKind: course\n"
			"Responsible: leader\nDue: 2027-03-01\n"
			"Follow-up: 2027-06-01\n\n"
			"On Wed, 3 Feb 2027 at 10:12, MUS <mus@eksempel.test> wrote:\n",
			form_body(lang, TRUE), NULL), NULL, lang, pool);
		test_assert_strcmp(got, "OK\ngoal individual: G\n"
				   "activity (line 2): A\n  kind: course\n"
				   "  responsible: leader\n  due: 2027-03-01\n"
				   "follow-up: 2027-06-01\n");
		mus_test_end();
	}
	pool_unref(&pool);
}

/* The exact bytes of musPlanDraft for a plan with every kind of
   responsible person. */
static void test_plan_json_write(void)
{
	static const char *const input =
		"{\"follow_up\": \"2027-06-01\", \"goals\": ["
		"{\"text\": \"Ida \\\"leads\\\" the tablet app\", \"kind\": \"individual\"},"
		"{\"kind\": \"shared\", \"text\": \"Same-day notes\"}],"
		"\"activities\": ["
		"{\"description\": \"Course\", \"kind\": \"course\", \"responsible\": \"employee\", \"due\": \"2027-03-15\"},"
		"{\"description\": \"Mentor\", \"kind\": \"mentoring\", \"responsible\": {\"mail\": \"r@eksempel.test\"}, \"due\": \"2027-04-30\"},"
		"{\"description\": \"Visits\", \"kind\": \"practice\", \"responsible\": {\"name\": \"Rasmus Vang\"}, \"due\": \"2027-05-01\"}]}";
	static const char *const expect =
		"{\"goals\":[{\"kind\":\"individual\",\"text\":\"Ida \\\"leads\\\" the tablet app\"},"
		"{\"kind\":\"shared\",\"text\":\"Same-day notes\"}],"
		"\"activities\":["
		"{\"description\":\"Course\",\"kind\":\"course\",\"responsible\":\"employee\",\"due\":\"2027-03-15\"},"
		"{\"description\":\"Mentor\",\"kind\":\"mentoring\",\"responsible\":{\"mail\":\"r@eksempel.test\"},\"due\":\"2027-04-30\"},"
		"{\"description\":\"Visits\",\"kind\":\"practice\",\"responsible\":{\"name\":\"Rasmus Vang\"},\"due\":\"2027-05-01\"}],"
		"\"follow_up\":\"2027-06-01\"}";
	struct mus_plan_problems problems;
	struct mus_plan *plan = NULL;
	pool_t pool = pool_alloconly_create("test plan json", 4096);

	mus_test_begin("plan: written as JSON in the shape it is read");
	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
	test_assert(mus_plan_json_parse(input, strlen(input), today(), NULL,
					&problems, &plan) == 0);
	if (plan != NULL) {
		test_assert_strcmp(mus_plan_json_write(plan), expect);
		check_json_round_trip(plan);
	}
	pool_unref(&pool);
	mus_test_end();
}

/* The plan of a team: the rules of every plan and the team's. */
static const struct mus_plan_team_member team_members[] = {
	{ .dn = "uid=anna,ou=people,dc=eksempel,dc=test", .name = "Anna Berg",
	  .mails = (const char *const[]){ "anna.berg@eksempel.test",
					  "ab@eksempel.test", NULL } },
	{ .dn = "uid=bo,ou=people,dc=eksempel,dc=test", .name = "Bo Holm",
	  .mails = (const char *const[]){ "bo.holm@eksempel.test", NULL } },
	{ .dn = "uid=bo2,ou=people,dc=eksempel,dc=test", .name = "Bo Holm",
	  .mails = (const char *const[]){ "bo.holm2@eksempel.test", NULL } },
	{ .dn = "uid=gone,ou=people,dc=eksempel,dc=test", .gone = TRUE,
	  .mails = (const char *const[]){ NULL } },
};
static const struct mus_plan_team team = {
	.members = team_members, .count = N_ELEMENTS(team_members),
};

static const char *parse_team(const char *text, enum mus_language language,
			      pool_t pool)
{
	return parse_plan(text, NULL, &team, language, pool);
}

static const char *team_form_body(enum mus_language language)
{
	static const struct mus_notice_var vars[] = {
		{ "team", "Anna Berg, Bo Holm og Bo Holm" },
		{ "leader", "Lis Lund" },
		{ "when", "2. februar 2027 kl. 10.00-11.00" },
		{ "uid_short", "7f3a9c2e" },
		{ "max_activities", "20" },
		{ "max_months", "18" },
	};
	const char *subject, *body, *error;

	if (mus_invitation_render_notice(TEMPLATES_DIR, "plan-form-team",
					 language, vars, N_ELEMENTS(vars),
					 &subject, &body, &error) < 0) {
		test_assert_strcmp(error, NULL);
		return "";
	}
	test_assert_contains(subject, "[7f3a9c2e]");
	test_assert_contains(body, "Anna Berg, Bo Holm og Bo Holm");
	return body;
}

static void test_plan_team(void)
{
	pool_t pool = pool_alloconly_create("test plan team", 4096);
	struct mus_plan_responsible resp;
	const char *got;

	mus_test_begin("plan team: a member by mail (any of theirs) or unique name");
	i_zero(&resp);
	resp.kind = MUS_PLAN_RESPONSIBLE_PERSON;
	resp.mail = "AB@eksempel.test";
	test_assert(mus_plan_team_find(&team, &resp) == 0);
	resp.mail = NULL;
	resp.name = "anna berg";
	test_assert(mus_plan_team_find(&team, &resp) == 0);
	resp.name = "Bo Holm";
	test_assert(mus_plan_team_find(&team, &resp) == -2);
	resp.mail = "bo.holm2@eksempel.test";
	test_assert(mus_plan_team_find(&team, &resp) == 2);
	resp.mail = "jens@eksempel.test";
	test_assert(mus_plan_team_find(&team, &resp) == -1);
	resp.mail = NULL;
	resp.name = "Jens Berg";
	test_assert(mus_plan_team_find(&team, &resp) == -1);
	resp.kind = MUS_PLAN_RESPONSIBLE_LEADER;
	resp.name = "Anna Berg";
	test_assert(mus_plan_team_find(&team, &resp) == -1);
	mus_test_end();

	mus_test_begin("plan team: shared goals, members, leader and others responsible");
	got = parse_team("Fælles mål: Kortere ventetid\n"
		"Mål: Færre fejl i journalerne\n\n"
		"Aktivitet: Kursus i visitation\nType: kursus\n"
		"Ansvarlig: Anna Berg\nFrist: 1.4.2027\n\n"
		"Aktivitet: Sidemandsoplæring\nType: læring i praksis\n"
		"Ansvarlig: Bo Holm <bo.holm@eksempel.test>\nFrist: 1.5.2027\n\n"
		"Aktivitet: Teammøde om visitation\nType: nye opgaver\n"
		"Ansvarlig: leder\nFrist: 1.6.2027\n\n"
		"Aktivitet: Supervision\nType: supervision\n"
		"Ansvarlig: Jens Berg <jens.berg@eksempel.test>\nFrist: 1.6.2027\n\n"
		"Opfølgning: 1.9.2027\n", MUS_LANGUAGE_DA, pool);
	/* "Mål:" is an individual goal: not in a team plan */
	test_assert_strcmp(got, "PROBLEMS\n- linje 2 (Mål: Færre fejl i "
		"journalerne): en teamplan har kun fælles mål; skriv \"Fælles "
		"mål:\" (individuelle mål hører til den enkeltes egen MUS)\n");
	got = parse_team("Shared goal: Shorter waiting times\n"
		"Activity: Course in triage\nKind: course\n"
		"Responsible: Anna Berg\nDue: 1.4.2027\n"
		"Activity: Side-by-side training\nKind: practice\n"
		"Responsible: bo.holm2@eksempel.test\nDue: 1.5.2027\n"
		"Activity: Supervision\nKind: supervision\n"
		"Responsible: Jens Berg\nDue: 1.6.2027\n"
		"Follow-up: 1.9.2027\n", MUS_LANGUAGE_EN, pool);
	test_assert(str_begins(got, "OK\ngoal shared: Shorter waiting times\n"));
	test_assert_contains(got, "responsible: person \"Anna Berg\"\n");
	test_assert_contains(got, "responsible: person <bo.holm2@eksempel.test>\n");
	mus_test_end();

	mus_test_begin("plan team: \"employee\" and a name two members share, at their lines");
	got = parse_team("Shared goal: Shorter waiting times\n"
		"Individual goal: Learn triage\n"
		"Activity: Course in triage\nKind: course\n"
		"Responsible: employee\nDue: 1.4.2027\n"
		"Activity: Side-by-side training\nKind: practice\n"
		"Responsible: bo holm\nDue: 1.5.2027\n"
		"Follow-up: 1.9.2027\n", MUS_LANGUAGE_EN, pool);
	test_assert_strcmp(got, "PROBLEMS\n"
		"- line 2 (Individual goal: Learn triage): a team plan has "
		"shared goals only; write \"Shared goal:\" (individual goals "
		"belong in each member's own MUS)\n"
		"- line 5 (Responsible: employee): in a team plan \"employee\" "
		"does not say who; write the team member's name or mail "
		"address, \"leader\" or another person\n"
		"- line 9 (Responsible: bo holm): several members of the team "
		"are named bo holm; write the mail address too\n");
	/* the same plan of one employee breaks no rule */
	got = parse_text("Shared goal: Shorter waiting times\n"
		"Individual goal: Learn triage\n"
		"Activity: Course in triage\nKind: course\n"
		"Responsible: employee\nDue: 1.4.2027\n"
		"Follow-up: 1.9.2027\n", NULL, MUS_LANGUAGE_EN, pool);
	test_assert(str_begins(got, "OK\n"));
	mus_test_end();

	mus_test_begin("plan team: the JSON form keeps the same rules");
	{
		struct mus_plan_problems problems;
		struct mus_plan *plan = NULL;
		const char *json = "{\"goals\":[{\"kind\":\"individual\",\"text\":\"G\"}],"
			"\"activities\":[{\"description\":\"A\",\"kind\":\"course\","
			"\"responsible\":\"employee\",\"due\":\"2027-03-01\"}],"
			"\"follow_up\":\"2027-06-01\"}";

		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		test_assert(mus_plan_json_parse(json, strlen(json), today(),
						&team, &problems, &plan) < 0);
		test_assert(plan == NULL);
		test_assert(array_count(&problems.list) == 2);
		test_assert_contains(mus_plan_problems_format(&problems),
			"- field activities[0].responsible: in a team plan");
	}
	mus_test_end();

	for (unsigned int i = 0; i < 2; i++) {
		enum mus_language lang = i == 0 ? MUS_LANGUAGE_DA : MUS_LANGUAGE_EN;

		/* the instructions hold no label */
		mus_test_begin(t_strdup_printf("plan team: the %s team form as mailed",
					       i == 0 ? "da" : "en"));
		got = parse_team(team_form_body(lang), lang, pool);
		test_assert_strcmp(got, unfilled_problems(lang));
		mus_test_end();
	}
	pool_unref(&pool);
}

/* The responsible's address as mail programs write it. */
static void test_plan_responsible_links(void)
{
	static const struct {
		const char *line, *expect;
	} cases[] = {
		/* Outlook's plain text of a linked address */
		{ "jens.berg@eksempel.test<mailto:jens.berg@eksempel.test>",
		  "responsible: person <jens.berg@eksempel.test>\n" },
		{ "Jens Berg <jens.berg@eksempel.test<mailto:Jens.Berg@eksempel.test>>",
		  "responsible: person \"Jens Berg\" <jens.berg@eksempel.test>\n" },
		/* a link alone keeps its address */
		{ "Jens Berg <mailto:jens.berg@eksempel.test>",
		  "responsible: person \"Jens Berg\" <jens.berg@eksempel.test>\n" },
		/* HTML mail's &lt;<a href=...>mail</a>&gt; as text */
		{ "Jens Berg < jens.berg@eksempel.test >",
		  "responsible: person \"Jens Berg\" <jens.berg@eksempel.test>\n" },
	};
	pool_t pool = pool_alloconly_create("test plan links", 4096);

	mus_test_begin("plan: the responsible's address with the links mail programs add");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *got = parse_text(t_strdup_printf(
			"Mål: Bedre visitation\n\nAktivitet: Kursus\nType: kursus\n"
			"Ansvarlig: %s\nFrist: 1.4.2027\n\nOpfølgning: 1.9.2027\n",
			cases[i].line), NULL, MUS_LANGUAGE_DA, pool);

		test_assert_contains(got, cases[i].expect);
	}
	/* a different address in the link is no repetition: both stay, and
	   the address is refused as it stands */
	test_assert_contains(parse_text(
		"Mål: M\n\nAktivitet: A\nType: kursus\n"
		"Ansvarlig: a@eksempel.test<mailto:b@eksempel.test>\n"
		"Frist: 1.4.2027\n\nOpfølgning: 1.9.2027\n", NULL,
		MUS_LANGUAGE_DA, pool), "er ikke en mailadresse");
	/* a link cut off by the mail program, or one with no address */
	test_assert_contains(parse_text(
		"Mål: M\n\nAktivitet: A\nType: kursus\n"
		"Ansvarlig: a@eksempel.test<mailto:a@eksem\n"
		"Frist: 1.4.2027\n\nOpfølgning: 1.9.2027\n", NULL,
		MUS_LANGUAGE_DA, pool), "er ikke en mailadresse");
	test_assert_contains(parse_text(
		"Mål: M\n\nAktivitet: A\nType: kursus\n"
		"Ansvarlig: Jens Berg <mailto:>\n"
		"Frist: 1.4.2027\n\nOpfølgning: 1.9.2027\n", NULL,
		MUS_LANGUAGE_DA, pool), "er ikke en mailadresse");
	pool_unref(&pool);
	mus_test_end();
}

/* Goals as people write them: a list under one label, or labels the
   form does not use word for word. */
static void test_plan_goal_lists(void)
{
	static const char *const rest =
		"\nAktivitet: Kursus\nType: kursus\nAnsvarlig: leder\n"
		"Frist: 1.4.2027\n\nOpfølgning: 1.9.2027\n";
	pool_t pool = pool_alloconly_create("test plan goal lists", 4096);
	const char *got;

	mus_test_begin("plan: goals one a line under a label without text");
	got = parse_text(t_strconcat("Individuelt mål:\nBliver bedre til Excel\n"
		"Kan holde oplæg for teamet\n", rest, NULL), NULL,
		MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal individual: Bliver bedre til Excel\n"
		"goal individual: Kan holde oplæg for teamet\n");
	got = parse_text(t_strconcat("Mål:\n- Excel\n• Oplæg\n2) Sparring\n", rest,
		NULL), NULL, MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal individual: Excel\ngoal individual: Oplæg\n"
		"goal individual: Sparring\n");
	/* a blank line after the label; Danish ordinals keep their number */
	got = parse_text(t_strconcat("Individuelle mål:\n\n1. halvår: certificering\n"
		"2. halvår: mentor for en ny kollega\n", rest, NULL), NULL,
		MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal individual: 1. halvår: certificering\n"
		"goal individual: 2. halvår: mentor for en ny kollega\n");
	/* a long line that the mail program wrapped is one goal */
	got = parse_text(t_strconcat("Mål:\nBliv bedre til at skrive rapporter og "
		"præsentere dem for\nledelsesgruppen i løbet af foråret\n", rest,
		NULL), NULL, MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal individual: Bliv bedre til at skrive rapporter "
		"og præsentere dem for ledelsesgruppen i løbet af foråret\n");
	/* a label's own text may go on over the next line (a wrapped line) */
	got = parse_text(t_strconcat("Mål: Bliver bedre til Excel og til at holde\n"
		"oplæg for teamet\n", rest, NULL), NULL, MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal individual: Bliver bedre til Excel og til "
		"at holde oplæg for teamet\n");
	mus_test_end();

	mus_test_begin("plan: plural goal labels are labels");
	got = parse_text(t_strconcat("Fælles mål: Kortere ventetid\n"
		"Individuelle mål: Excel\n", rest, NULL), NULL, MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "goal shared: Kortere ventetid\n"
		"goal individual: Excel\n");
	pool_unref(&pool);
	mus_test_end();
}

/* An HTML-only reply, one paragraph per line as Outlook and Gmail write
   it: a description goes on in the next paragraph, and a blank line is
   one the writer made. */
static void test_plan_html_paragraphs(void)
{
	pool_t pool = pool_alloconly_create("test plan html", 4096);
	const char *got;

	mus_test_begin("plan: an HTML reply's paragraphs are its lines");
	got = parse_text(NULL, "<html><body>"
		"<p class=MsoNormal>Mål: Bedre til Excel</p>"
		"<p class=MsoNormal><o:p>&nbsp;</o:p></p>"
		"<p class=MsoNormal>Aktivitet: Excel-kursus hos AMU</p>"
		"<p class=MsoNormal>- modul 2 og 3, ikke modul 1</p>"
		"<p class=MsoNormal>Type: kursus</p><p>Ansvarlig: leder</p>"
		"<p>Frist: 1.4.2027</p><div><br></div>"
		"<div>Opfølgning: 1.9.2027</div></body></html>",
		MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "activity (line 3): Excel-kursus hos AMU - "
		"modul 2 og 3, ikke modul 1\n");
	test_assert_contains(got, "follow-up: 2027-09-01\n");
	/* the blank paragraph ends the goal */
	test_assert_contains(got, "goal individual: Bedre til Excel\n");
	/* HTML cut off inside a tag, and tags with no text between them,
	   still give the lines there are */
	got = parse_text(NULL, "<div><div><p></p><br>Mål: Kortere ventetid</div>"
		"</div><p>Aktivitet: Kursus<br", MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "PROBLEMS\n");
	test_assert(strstr(got, "planen har intet mål") == NULL);
	pool_unref(&pool);
	mus_test_end();
}

/* A mail whose charset lost its letters is told so. */
static void test_plan_lost_charset(void)
{
	pool_t pool = pool_alloconly_create("test plan charset", 4096);
	const char *got;

	mus_test_begin("plan: a mail whose character set lost letters is told so");
	/* Latin-1 "Opfølgning" and "læring" read as UTF-8 */
	got = parse_text("Mål: Bedre visitation\n\nAktivitet: Kursus\n"
		"Type: l\xef\xbf\xbdring i praksis\nAnsvarlig: leder\nFrist: 1.4.2027\n\n"
		"Opf\xef\xbf\xbdlgning: 1.9.2027\n", NULL, MUS_LANGUAGE_DA, pool);
	test_assert_contains(got, "PROBLEMS\n");
	test_assert_contains(got, "tegnsæt mangler eller er forkert");
	/* a plan that reads well says nothing of it */
	test_assert(strstr(parse_text("Mål: Bedre visitation \xef\xbf\xbd\n\n"
		"Aktivitet: Kursus\nType: kursus\nAnsvarlig: leder\n"
		"Frist: 1.4.2027\n\nOpfølgning: 1.9.2027\n", NULL,
		MUS_LANGUAGE_DA, pool), "tegnsæt") == NULL);
	pool_unref(&pool);
	mus_test_end();
}

/* The leader writes the plan: "mig" and "me" are the leader. */
static void test_plan_responsible_me(void)
{
	pool_t pool = pool_alloconly_create("test plan me", 4096);

	mus_test_begin("plan: \"mig\" as the responsible is the leader who writes the plan");
	test_assert_contains(parse_text("Mål: M\n\nAktivitet: A\nType: kursus\n"
		"Ansvarlig: Mig\nFrist: 1.4.2027\n\nOpfølgning: 1.9.2027\n",
		NULL, MUS_LANGUAGE_DA, pool), "responsible: leader\n");
	test_assert_contains(parse_text("Goal: G\nActivity: A\nKind: course\n"
		"Responsible: me\nDue: 1.4.2027\nFollow-up: 1.9.2027\n",
		NULL, MUS_LANGUAGE_EN, pool), "responsible: leader\n");
	pool_unref(&pool);
	mus_test_end();
}

void test_plan(void)
{
	test_plan_json_write();
	test_plan_dates();
	test_plan_months();
	test_plan_kinds();
	test_plan_rules();
	test_plan_form();
	test_plan_team();
	test_plan_responsible_links();
	test_plan_responsible_me();
	test_plan_lost_charset();
	test_plan_goal_lists();
	test_plan_html_paragraphs();
	test_plan_files();
}
