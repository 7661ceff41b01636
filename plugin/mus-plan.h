#ifndef MUS_PLAN_H
#define MUS_PLAN_H

/* The competence development plan that ends a conversation: goals,
   activities and the follow-up date, and the rules a plan must keep
   before anybody is asked to approve it. A plan comes from the leader's
   reply to the plan form (mus-plan-text) or from JSON (mus-plan-json);
   both report every problem they find in the same list, so a leader
   hears of all mistakes in one answer.

   It maps onto the LDAP schema: a goal is one musGoal value, the
   follow-up date musFollowUp, an activity one musActivity child
   (description, musActivityKind, musResponsible or musResponsibleName,
   musDue). Dates are local calendar dates (days since 1970-01-01); turning
   them into GeneralizedTime is the filer's job. */

#include "array.h"
#include "mus-settings.h"

/* Bounds of one plan: a plan over them is refused with a problem. */
#define MUS_PLAN_MAX_GOALS 10
#define MUS_PLAN_MAX_ACTIVITIES 20
/* bytes of one goal or activity description */
#define MUS_PLAN_TEXT_MAX_LEN 1000
/* bytes of a responsible person's name and mail address */
#define MUS_PLAN_NAME_MAX_LEN 200
#define MUS_PLAN_MAIL_MAX_LEN 254
/* the follow-up and every due date lie at most this many months ahead */
#define MUS_PLAN_MAX_MONTHS_AHEAD 18
/* more problems than this are not listed one by one */
#define MUS_PLAN_MAX_PROBLEMS 50

enum mus_plan_goal_kind {
	/* a goal of the workplace that the employee works towards */
	MUS_PLAN_GOAL_SHARED = 0,
	/* the employee's own development goal */
	MUS_PLAN_GOAL_INDIVIDUAL,
};

/* The kinds of activity; their names (mus_plan_activity_kind_name()) are
   the values of musActivityKind. */
enum mus_plan_activity_kind {
	MUS_PLAN_ACTIVITY_COURSE = 0,
	MUS_PLAN_ACTIVITY_EDUCATION,
	/* learning in practice: side-by-side training, job rotation, ... */
	MUS_PLAN_ACTIVITY_PRACTICE,
	MUS_PLAN_ACTIVITY_SUPERVISION,
	MUS_PLAN_ACTIVITY_MENTORING,
	MUS_PLAN_ACTIVITY_NEW_TASKS,
};
#define MUS_PLAN_ACTIVITY_KINDS (MUS_PLAN_ACTIVITY_NEW_TASKS + 1)

enum mus_plan_responsible_kind {
	MUS_PLAN_RESPONSIBLE_LEADER = 0,
	MUS_PLAN_RESPONSIBLE_EMPLOYEE,
	/* someone else: name and/or mail address */
	MUS_PLAN_RESPONSIBLE_PERSON,
};

/* Where a value came from: a line of the reply (from 1) and the line's
   text (shortened), or a JSON path such as "activities[1].due"; unset
   (0, NULL) when unknown. */
struct mus_plan_where {
	unsigned int line;
	const char *text;
	const char *path;
};

struct mus_plan_goal {
	enum mus_plan_goal_kind kind;
	const char *text;
	struct mus_plan_where where;
};
ARRAY_DEFINE_TYPE(mus_plan_goal, struct mus_plan_goal);

struct mus_plan_responsible {
	enum mus_plan_responsible_kind kind;
	/* PERSON only; at least one of them is set */
	const char *name, *mail;
};

/* A field as read. A parser that cannot read a value reports why and
   marks it BROKEN, so validation neither calls it missing nor checks it. */
enum mus_plan_field {
	MUS_PLAN_FIELD_MISSING = 0,
	MUS_PLAN_FIELD_GIVEN,
	MUS_PLAN_FIELD_BROKEN,
};

/* An activity as read: a description that was not given is NULL. */
struct mus_plan_activity {
	const char *description;
	enum mus_plan_activity_kind kind;
	struct mus_plan_responsible responsible;
	int due;
	enum mus_plan_field kind_field, responsible_field, due_field;
	/* a reader could not read the description and said why */
	bool description_broken;
	/* the activity as a whole, and each field */
	struct mus_plan_where where, where_description, where_kind,
		where_responsible, where_due;
};
ARRAY_DEFINE_TYPE(mus_plan_activity, struct mus_plan_activity);

struct mus_plan {
	ARRAY_TYPE(mus_plan_goal) goals;
	ARRAY_TYPE(mus_plan_activity) activities;
	int follow_up;
	enum mus_plan_field follow_up_field;
	struct mus_plan_where where_follow_up;
};

/* The team of a GRUS/TUS conversation, whose plan is one for all its
   members: its goals are shared goals, and an activity's responsible is
   the leader, a member named by name or mail address, or another named
   person ("employee" does not say which member). */
struct mus_plan_team_member {
	const char *dn;
	/* cn, or NULL */
	const char *name;
	/* every mail value, NULL-terminated (empty when unknown) */
	const char *const *mails;
	/* the member's entry is no longer in the directory */
	bool gone;
};
struct mus_plan_team {
	const struct mus_plan_team_member *members;
	unsigned int count;
};

struct mus_plan_problem {
	struct mus_plan_where where;
	/* one sentence in the list's language, without the location */
	const char *message;
};
ARRAY_DEFINE_TYPE(mus_plan_problem, struct mus_plan_problem);

struct mus_plan_problems {
	pool_t pool;
	enum mus_language language;
	ARRAY_TYPE(mus_plan_problem) list;
	/* more than MUS_PLAN_MAX_PROBLEMS were found */
	bool truncated;
};

/* A new empty plan from pool. */
struct mus_plan *mus_plan_new(pool_t pool);

/* An empty list whose messages are in language, allocated from pool
   (which must not be the data stack pool). */
void mus_plan_problems_init(struct mus_plan_problems *problems, pool_t pool,
			    enum mus_language language);
/* Add a problem at where (may be NULL). Use MUS_PLAN_LANG() for fmt so
   that the message is in the list's language. */
void mus_plan_problem_add(struct mus_plan_problems *problems,
			  const struct mus_plan_where *where,
			  const char *fmt, ...) ATTR_FORMAT(3, 4);
#define MUS_PLAN_LANG(problems, da, en) MUS_L((problems)->language, da, en)

/* The problems as lines for the answer to the leader, in the order of
   their lines, each "- line 12 (Due: 30.2.2027): ..." / "- linje 12
   (...): ...", "- field activities[0].due: ..." / "- felt ...", or
   "- ..." when the place is unknown; LF line ends. The line's text is
   there because line numbers of an HTML reply count the lines of its
   text form, which the leader never sees. From the data stack. */
const char *mus_plan_problems_format(const struct mus_plan_problems *problems);

/* Check plan against the rules, with today as the local date: at least
   one goal and one activity, at most MUS_PLAN_MAX_GOALS goals and
   MUS_PLAN_MAX_ACTIVITIES activities; every activity has a description,
   a kind, someone responsible and a due date; the follow-up date is
   given; every date lies after today and at most
   MUS_PLAN_MAX_MONTHS_AHEAD months ahead, and no due date after the
   follow-up; texts within their bounds, valid UTF-8, without control
   characters; a person's mail address looks like one. With a team (NULL:
   the plan of one employee) also: no individual goal, nobody responsible
   as "employee", and a name shared by several members comes with a mail
   address. Adds one problem per broken rule at the value's place and
   returns the number added. */
unsigned int mus_plan_validate(const struct mus_plan *plan, int today,
			       const struct mus_plan_team *team,
			       struct mus_plan_problems *problems);

/* The member of team that resp (a PERSON) names: by one of the member's
   mail addresses when resp has one, else by name (ASCII case ignored).
   Returns the member's index, -1 if it names nobody of the team (another
   person), -2 if a name without mail fits several members. */
int mus_plan_team_find(const struct mus_plan_team *team,
		       const struct mus_plan_responsible *resp);

/* The musActivityKind value of kind: "course", "education", "practice",
   "supervision", "mentoring", "new-tasks". */
const char *mus_plan_activity_kind_name(enum mus_plan_activity_kind kind);
/* Returns TRUE and the kind whose name is name (exactly, lower-case). */
bool mus_plan_activity_kind_parse(const char *name,
				  enum mus_plan_activity_kind *kind_r);
/* The kind in words for the leader: "kursus", "læring i praksis" / "course",
   "learning in practice". */
const char *mus_plan_activity_kind_title(enum mus_plan_activity_kind kind,
					 enum mus_language language);

/* Returns TRUE if value looks like a mail address: one '@', a non-empty
   local part, a domain with a dot, no spaces or angle brackets. */
bool mus_plan_mail_valid(const char *value);

/* today + months calendar months (the day clamped to the month's length),
   in days since 1970-01-01. */
int mus_plan_add_months(int today, unsigned int months);

/* date as "YYYY-MM-DD", from the data stack. */
const char *mus_plan_date(int days);

#endif
