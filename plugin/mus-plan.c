/* The development plan and the rules it must keep. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "mus-text.h"
#include "mus-holidays.h"
#include "mus-plan.h"

#include <limits.h>
#include <stdarg.h>

static const struct {
	const char *name;
	const char *title[2];
} mus_plan_kinds[MUS_PLAN_ACTIVITY_KINDS] = {
	[MUS_PLAN_ACTIVITY_COURSE] = { "course", { "kursus", "course" } },
	[MUS_PLAN_ACTIVITY_EDUCATION] =
		{ "education", { "uddannelse", "education" } },
	[MUS_PLAN_ACTIVITY_PRACTICE] =
		{ "practice", { "læring i praksis", "learning in practice" } },
	[MUS_PLAN_ACTIVITY_SUPERVISION] =
		{ "supervision", { "supervision", "supervision" } },
	[MUS_PLAN_ACTIVITY_MENTORING] =
		{ "mentoring", { "mentorordning", "mentoring" } },
	[MUS_PLAN_ACTIVITY_NEW_TASKS] =
		{ "new-tasks", { "nye opgaver", "new tasks" } },
};

const char *mus_plan_activity_kind_name(enum mus_plan_activity_kind kind)
{
	i_assert(kind < MUS_PLAN_ACTIVITY_KINDS);
	return mus_plan_kinds[kind].name;
}

bool mus_plan_activity_kind_parse(const char *name,
				  enum mus_plan_activity_kind *kind_r)
{
	for (unsigned int i = 0; i < MUS_PLAN_ACTIVITY_KINDS; i++) {
		if (strcmp(name, mus_plan_kinds[i].name) == 0) {
			*kind_r = i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *mus_plan_activity_kind_title(enum mus_plan_activity_kind kind,
					 enum mus_language language)
{
	i_assert(kind < MUS_PLAN_ACTIVITY_KINDS);
	return mus_plan_kinds[kind].title[language == MUS_LANGUAGE_EN ? 1 : 0];
}

struct mus_plan *mus_plan_new(pool_t pool)
{
	struct mus_plan *plan = p_new(pool, struct mus_plan, 1);

	p_array_init(&plan->goals, pool, 4);
	p_array_init(&plan->activities, pool, 4);
	return plan;
}

/* --- problems --- */

void mus_plan_problems_init(struct mus_plan_problems *problems, pool_t pool,
			    enum mus_language language)
{
	i_assert(!pool->datastack_pool);
	i_zero(problems);
	problems->pool = pool;
	problems->language = language;
	p_array_init(&problems->list, pool, 8);
}

void mus_plan_problem_add(struct mus_plan_problems *problems,
			  const struct mus_plan_where *where,
			  const char *fmt, ...)
{
	struct mus_plan_problem *problem;
	va_list args;

	if (array_count(&problems->list) >= MUS_PLAN_MAX_PROBLEMS) {
		problems->truncated = TRUE;
		return;
	}
	problem = array_append_space(&problems->list);
	if (where != NULL) {
		problem->where.line = where->line;
		problem->where.text = p_strdup(problems->pool, where->text);
		problem->where.path = p_strdup(problems->pool, where->path);
	}
	va_start(args, fmt);
	problem->message = p_strdup_vprintf(problems->pool, fmt, args);
	va_end(args);
}

static unsigned int mus_plan_problem_rank(const struct mus_plan_problem *problem)
{
	return problem->where.line == 0 ? UINT_MAX : problem->where.line;
}

/* The problems in a stable insertion sort by line (there are at most
   MUS_PLAN_MAX_PROBLEMS). From the data stack. */
static const struct mus_plan_problem *const *
mus_plan_problems_sorted(const struct mus_plan_problems *problems)
{
	unsigned int count = array_count(&problems->list), i, j;
	const struct mus_plan_problem **sorted =
		t_new(const struct mus_plan_problem *, count + 1);

	for (i = 0; i < count; i++) {
		const struct mus_plan_problem *problem =
			array_idx(&problems->list, i);

		for (j = i; j > 0 && mus_plan_problem_rank(sorted[j - 1]) >
				     mus_plan_problem_rank(problem); j--)
			sorted[j] = sorted[j - 1];
		sorted[j] = problem;
	}
	return sorted;
}

const char *mus_plan_problems_format(const struct mus_plan_problems *problems)
{
	bool en = problems->language == MUS_LANGUAGE_EN;
	string_t *str = t_str_new(256);
	const struct mus_plan_problem *const *sorted, *problem;
	unsigned int count = array_count(&problems->list), i;

	/* in the order of the lines, those without a line last; otherwise
	   in the order found */
	sorted = mus_plan_problems_sorted(problems);
	for (i = 0; i < count; i++) {
		problem = sorted[i];
		str_append(str, "- ");
		if (problem->where.line > 0) {
			str_printfa(str, "%s %u", en ? "line" : "linje",
				    problem->where.line);
			if (problem->where.text != NULL)
				str_printfa(str, " (%s)", problem->where.text);
			str_append(str, ": ");
		} else if (problem->where.path != NULL) {
			str_printfa(str, "%s %s: ", en ? "field" : "felt",
				    problem->where.path);
		}
		str_append(str, problem->message);
		str_append_c(str, '\n');
	}
	if (problems->truncated) {
		str_append(str, en ? "- (more problems were not listed)\n" :
			   "- (flere fejl er ikke vist)\n");
	}
	return str_c(str);
}

/* --- dates --- */

int mus_plan_add_months(int today, unsigned int months)
{
	static const unsigned int month_days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};
	unsigned int month, day, last;
	int year;

	mus_civil_from_days(today, &year, &month, &day);
	month += months;
	year += (month - 1) / 12;
	month = (month - 1) % 12 + 1;
	last = month_days[month - 1];
	if (month == 2 && (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)))
		last = 29;
	return mus_days_from_civil(year, month, I_MIN(day, last));
}

const char *mus_plan_date(int days)
{
	unsigned int month, day;
	int year;

	mus_civil_from_days(days, &year, &month, &day);
	return t_strdup_printf("%04d-%02u-%02u", year, month, day);
}

/* --- validation --- */

bool mus_plan_mail_valid(const char *value)
{
	const char *at = strchr(value, '@');

	if (at == NULL || at == value || strchr(at + 1, '@') != NULL)
		return FALSE;
	if (strpbrk(value, " <>,;:\"()[]\\") != NULL)
		return FALSE;
	/* a dot inside the domain, not at either end */
	return strchr(at + 1, '.') != NULL && at[1] != '.' &&
		value[strlen(value) - 1] != '.';
}

static void mus_plan_check_date(struct mus_plan_problems *problems,
				const struct mus_plan_where *where,
				const char *what, int date, int today)
{
	int horizon = mus_plan_add_months(today, MUS_PLAN_MAX_MONTHS_AHEAD);

	if (date <= today) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s %s er ikke efter i dag (%s)",
			"the %s %s is not after today (%s)"),
			what, mus_plan_date(date), mus_plan_date(today));
	} else if (date > horizon) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s %s ligger mere end %u måneder ude (senest %s)",
			"the %s %s is more than %u months ahead (at most %s)"),
			what, mus_plan_date(date), MUS_PLAN_MAX_MONTHS_AHEAD,
			mus_plan_date(horizon));
	}
}

/* Problems of a text value: length, UTF-8, control characters. */
static void mus_plan_check_text(struct mus_plan_problems *problems,
				const struct mus_plan_where *where,
				const char *what, const char *value,
				size_t max_len)
{
	size_t len = strlen(value);
	unsigned char c;

	if (len > max_len) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s er på %zu tegn; højst %zu er tilladt",
			"the %s has %zu characters; at most %zu are allowed"),
			what, len, max_len);
		return;
	}
	if (!uni_utf8_str_is_valid(value)) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s er ikke gyldig UTF-8-tekst",
			"the %s is not valid UTF-8 text"), what);
		return;
	}
	c = mus_text_control_char(value, "");
	if (c != 0) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"%s indeholder et kontroltegn (0x%02x)",
			"the %s contains a control character (0x%02x)"), what, c);
	}
}

static void mus_plan_check_responsible(struct mus_plan_problems *problems,
				       const struct mus_plan_activity *activity)
{
	const struct mus_plan_responsible *resp = &activity->responsible;
	const struct mus_plan_where *where = &activity->where_responsible;

	if (resp->kind != MUS_PLAN_RESPONSIBLE_PERSON)
		return;
	if (resp->name == NULL && resp->mail == NULL) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"den ansvarlige har hverken navn eller mailadresse",
			"the responsible person has neither a name nor a mail address"));
	}
	if (resp->name != NULL) {
		mus_plan_check_text(problems, where, MUS_PLAN_LANG(problems,
			"navnet på den ansvarlige", "responsible person's name"),
			resp->name, MUS_PLAN_NAME_MAX_LEN);
	}
	if (resp->mail != NULL && !mus_plan_mail_valid(resp->mail)) {
		mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
			"\"%s\" er ikke en mailadresse",
			"\"%s\" is not a mail address"),
			str_sanitize_utf8(resp->mail, 64));
	} else if (resp->mail != NULL) {
		mus_plan_check_text(problems, where, MUS_PLAN_LANG(problems,
			"mailadressen på den ansvarlige",
			"responsible person's mail address"),
			resp->mail, MUS_PLAN_MAIL_MAX_LEN);
	}
}

static void mus_plan_check_activity(const struct mus_plan *plan,
				    const struct mus_plan_activity *activity,
				    int today, struct mus_plan_problems *problems)
{
	const char *what = MUS_PLAN_LANG(problems, "fristen", "due date");

	if (activity->description_broken) {
		/* reported by the reader */
	} else if (activity->description == NULL ||
		   activity->description[0] == '\0') {
		mus_plan_problem_add(problems, &activity->where,
			MUS_PLAN_LANG(problems,
			"aktiviteten mangler en beskrivelse",
			"the activity has no description"));
	} else {
		mus_plan_check_text(problems, &activity->where_description,
			MUS_PLAN_LANG(problems, "beskrivelsen", "description"),
			activity->description, MUS_PLAN_TEXT_MAX_LEN);
	}
	if (activity->kind_field == MUS_PLAN_FIELD_MISSING) {
		mus_plan_problem_add(problems, &activity->where,
			MUS_PLAN_LANG(problems,
			"aktiviteten mangler en type",
			"the activity has no kind"));
	}
	if (activity->responsible_field == MUS_PLAN_FIELD_MISSING) {
		mus_plan_problem_add(problems, &activity->where,
			MUS_PLAN_LANG(problems,
			"aktiviteten mangler en ansvarlig",
			"the activity has nobody responsible"));
	} else if (activity->responsible_field == MUS_PLAN_FIELD_GIVEN) {
		mus_plan_check_responsible(problems, activity);
	}
	if (activity->due_field == MUS_PLAN_FIELD_MISSING) {
		mus_plan_problem_add(problems, &activity->where,
			MUS_PLAN_LANG(problems,
			"aktiviteten mangler en frist",
			"the activity has no due date"));
	}
	if (activity->due_field != MUS_PLAN_FIELD_GIVEN)
		return;
	mus_plan_check_date(problems, &activity->where_due, what,
			    activity->due, today);
	if (plan->follow_up_field == MUS_PLAN_FIELD_GIVEN &&
	    activity->due > today &&
	    activity->due > plan->follow_up) {
		mus_plan_problem_add(problems, &activity->where_due,
			MUS_PLAN_LANG(problems,
			"fristen %s er efter opfølgningen %s",
			"the due date %s is after the follow-up %s"),
			mus_plan_date(activity->due),
			mus_plan_date(plan->follow_up));
	}
}

int mus_plan_team_find(const struct mus_plan_team *team,
		       const struct mus_plan_responsible *resp)
{
	int found = -1;

	if (resp->kind != MUS_PLAN_RESPONSIBLE_PERSON)
		return -1;
	for (unsigned int i = 0; i < team->count; i++) {
		const struct mus_plan_team_member *member = &team->members[i];

		if (resp->mail != NULL) {
			if (str_array_icase_find(member->mails, resp->mail))
				return (int)i;
		} else if (resp->name != NULL && member->name != NULL &&
			   strcasecmp(member->name, resp->name) == 0) {
			if (found >= 0)
				return -2;
			found = (int)i;
		}
	}
	return found;
}

/* The rules a plan for a whole team keeps besides those of every plan. */
static void mus_plan_check_team(const struct mus_plan *plan,
				const struct mus_plan_team *team,
				struct mus_plan_problems *problems)
{
	const struct mus_plan_activity *activity;
	const struct mus_plan_goal *goal;

	array_foreach(&plan->goals, goal) {
		if (goal->kind != MUS_PLAN_GOAL_INDIVIDUAL)
			continue;
		mus_plan_problem_add(problems, &goal->where,
			MUS_PLAN_LANG(problems,
			"en teamplan har kun fælles mål; skriv \"Fælles mål:\" "
			"(individuelle mål hører til den enkeltes egen MUS)",
			"a team plan has shared goals only; write \"Shared goal:\" "
			"(individual goals belong in each member's own MUS)"));
	}
	array_foreach(&plan->activities, activity) {
		if (activity->responsible_field != MUS_PLAN_FIELD_GIVEN)
			continue;
		if (activity->responsible.kind == MUS_PLAN_RESPONSIBLE_EMPLOYEE) {
			mus_plan_problem_add(problems,
				&activity->where_responsible,
				MUS_PLAN_LANG(problems,
				"i en teamplan siger \"medarbejder\" ikke hvem; "
				"skriv teammedlemmets navn eller mailadresse, "
				"\"leder\" eller en anden person",
				"in a team plan \"employee\" does not say who; "
				"write the team member's name or mail address, "
				"\"leader\" or another person"));
		} else if (mus_plan_team_find(team, &activity->responsible) == -2) {
			mus_plan_problem_add(problems,
				&activity->where_responsible,
				MUS_PLAN_LANG(problems,
				"flere i teamet hedder %s; skriv også mailadressen",
				"several members of the team are named %s; "
				"write the mail address too"),
				str_sanitize_utf8(activity->responsible.name, 64));
		}
	}
}

unsigned int mus_plan_validate(const struct mus_plan *plan, int today,
			       const struct mus_plan_team *team,
			       struct mus_plan_problems *problems)
{
	unsigned int before = array_count(&problems->list);
	const struct mus_plan_activity *activity;
	const struct mus_plan_goal *goal;

	if (array_count(&plan->goals) == 0) {
		mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
			"planen har intet mål", "the plan has no goal"));
	} else if (array_count(&plan->goals) > MUS_PLAN_MAX_GOALS) {
		goal = array_idx(&plan->goals, MUS_PLAN_MAX_GOALS);
		mus_plan_problem_add(problems, &goal->where,
			MUS_PLAN_LANG(problems,
			"planen har %u mål; højst %u er tilladt",
			"the plan has %u goals; at most %u are allowed"),
			array_count(&plan->goals), MUS_PLAN_MAX_GOALS);
	}
	array_foreach(&plan->goals, goal) {
		if (goal->text[0] == '\0') {
			mus_plan_problem_add(problems, &goal->where,
				MUS_PLAN_LANG(problems, "målet er tomt",
					      "the goal is empty"));
			continue;
		}
		mus_plan_check_text(problems, &goal->where,
				    MUS_PLAN_LANG(problems, "målet", "goal"),
				    goal->text, MUS_PLAN_TEXT_MAX_LEN);
	}
	if (array_count(&plan->activities) == 0) {
		mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
			"planen har ingen aktivitet",
			"the plan has no activity"));
	} else if (array_count(&plan->activities) > MUS_PLAN_MAX_ACTIVITIES) {
		activity = array_idx(&plan->activities,
				     MUS_PLAN_MAX_ACTIVITIES);
		mus_plan_problem_add(problems, &activity->where,
			MUS_PLAN_LANG(problems,
			"planen har %u aktiviteter; højst %u er tilladt",
			"the plan has %u activities; at most %u are allowed"),
			array_count(&plan->activities), MUS_PLAN_MAX_ACTIVITIES);
	}
	array_foreach(&plan->activities, activity)
		mus_plan_check_activity(plan, activity, today, problems);
	if (plan->follow_up_field == MUS_PLAN_FIELD_MISSING) {
		mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
			"planen mangler en dato for opfølgning",
			"the plan has no follow-up date"));
	} else if (plan->follow_up_field == MUS_PLAN_FIELD_GIVEN) {
		mus_plan_check_date(problems, &plan->where_follow_up,
			MUS_PLAN_LANG(problems, "opfølgningen", "follow-up"),
			plan->follow_up, today);
	}
	if (team != NULL)
		mus_plan_check_team(plan, team, problems);
	return array_count(&problems->list) - before;
}
