/* Unit tests of the follow-up decisions: which reminders are due. */

#include "lib.h"
#include "mus-time.h"
#include "mus-holidays.h"
#include "mus-followup.h"
#include "mus-test.h"

#include <limits.h>

#define DAY (24 * 60 * 60)
#define TZ "Europe/Copenhagen"
/* 2027-03-01 12:00 UTC, 13:00 in Copenhagen */
#define NOW ((time_t)1803902400)

/* local midnight starting the day n days after NOW's local date: how a
   date (musDue, musFollowUp) is stored */
static time_t day_at(int n)
{
	return mus_time_from_local(TZ, mus_time_local_day(TZ, NOW) + n, 0);
}

#define NO_DUE INT_MIN

static const struct {
	int due;		/* days after today, or NO_DUE */
	int reminded;		/* days after today, or 0: never */
	bool done;
	unsigned int days;
	bool remind, overdue;
} activity_cases[] = {
	/* due in 14 days, 14 days' notice: the first sync today */
	{ 14, 0, FALSE, 14, TRUE, FALSE },
	{ 15, 0, FALSE, 14, FALSE, FALSE },
	{ 1, 0, FALSE, 1, TRUE, FALSE },
	{ 2, 0, FALSE, 1, FALSE, FALSE },
	/* already past and never reminded: one late reminder */
	{ -30, 0, FALSE, 14, TRUE, TRUE },
	/* reminded once: never again, but still overdue */
	{ -1, -10, FALSE, 14, FALSE, TRUE },
	{ 1, -1, FALSE, 14, FALSE, FALSE },
	/* done: neither */
	{ 1, 0, TRUE, 14, FALSE, FALSE },
	{ -1, 0, TRUE, 14, FALSE, FALSE },
	/* no due date: neither */
	{ NO_DUE, 0, FALSE, 14, FALSE, FALSE },
	/* due today: reminded, and not overdue until the day is over */
	{ 0, 0, FALSE, 14, TRUE, FALSE },
};

static void test_followup_activity(void)
{
	mus_test_begin("followup: activity reminders and overdue");
	for (unsigned int i = 0; i < N_ELEMENTS(activity_cases); i++) {
		struct mus_activity a = {
			.due = activity_cases[i].due == NO_DUE ? 0 :
				day_at(activity_cases[i].due),
			.reminded = activity_cases[i].reminded == 0 ? 0 :
				NOW + activity_cases[i].reminded * DAY,
			.done = activity_cases[i].done,
		};

		struct mus_filed_plan plan = { .follow_up = 0 };

		test_assert(mus_followup_activity_due(&plan, &a, TZ, NOW,
			activity_cases[i].days) == activity_cases[i].remind);
		/* before the follow-up meeting: the same */
		plan.follow_up = NOW + DAY;
		test_assert(mus_followup_activity_due(&plan, &a, TZ, NOW,
			activity_cases[i].days) == activity_cases[i].remind);
		/* after it, the plan's year is over: no reminders */
		plan.follow_up = NOW - 1;
		test_assert(!mus_followup_activity_due(&plan, &a, TZ, NOW,
						       activity_cases[i].days));
		test_assert(mus_activity_overdue(&a, TZ, NOW) ==
			    activity_cases[i].overdue);
	}
	mus_test_end();

	mus_test_begin("followup: reminders count calendar days across summer time");
	{
		/* due 2027-04-05, 14 days' notice: from 2027-03-22 on; at
		   23:30 on 2027-03-21 (22:30 UTC) not yet, although that is
		   less than 14 times 24 hours before (summer time starts on
		   2027-03-28) */
		struct mus_activity a = {
			.due = mus_time_from_local(TZ, mus_days_from_civil(2027, 4, 5), 0),
		};
		struct mus_filed_plan plan = { .follow_up = 0 };
		time_t late = mus_time_from_local(TZ, mus_days_from_civil(2027, 3, 21), 23 * 60 + 30);
		time_t next = mus_time_from_local(TZ, mus_days_from_civil(2027, 3, 22), 0);

		test_assert(!mus_followup_activity_due(&plan, &a, TZ, late, 14));
		test_assert(mus_followup_activity_due(&plan, &a, TZ, next, 14));
		/* overdue from the day after, at local midnight */
		test_assert(!mus_activity_overdue(&a, TZ, a.due + DAY - 1));
		test_assert(mus_activity_overdue(&a, TZ, a.due + DAY));
	}
	mus_test_end();
}

static void test_followup_meeting(void)
{
	const char *const reminded[] = { "uid=a,ou=people,dc=x", NULL };
	const char *const nobody[] = { NULL };
	static const struct {
		int follow_up;	/* days after today, or NO_DUE */
		bool reminded;
		bool due;
	} cases[] = {
		{ 3, FALSE, TRUE },
		{ 3, TRUE, FALSE },
		{ 14, FALSE, TRUE },
		{ 15, FALSE, FALSE },
		/* the meeting is over: nothing to remind of */
		{ -1, FALSE, FALSE },
		{ 0, FALSE, FALSE },
		{ NO_DUE, FALSE, FALSE },
	};

	mus_test_begin("followup: follow-up meeting reminders");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_filed_plan plan = {
			.follow_up = cases[i].follow_up == NO_DUE ? 0 :
				day_at(cases[i].follow_up),
			.reminded_to = cases[i].reminded ? reminded : nobody,
		};

		test_assert(mus_followup_meeting_due(&plan, "uid=a,ou=people,dc=x",
						     TZ, NOW, 14) == cases[i].due);
		/* someone else's reminder does not count */
		plan.reminded_to = reminded;
		test_assert(mus_followup_meeting_due(&plan, "uid=b,ou=people,dc=x",
						     TZ, NOW, 14) ==
			    (cases[i].follow_up > 0 && cases[i].follow_up <= 14));
	}
	mus_test_end();
}

static void test_followup_responsible(void)
{
	static const struct {
		const char *value, *name, *address;
	} cases[] = {
		{ "Kursussekretariatet <kursus@eksempel.test>",
		  "Kursussekretariatet", "kursus@eksempel.test" },
		{ "  Anne Berg   <anne@x.dk>", "Anne Berg", "anne@x.dk" },
		{ "anne@x.dk", "", "anne@x.dk" },
		{ "<anne@x.dk>", "", "anne@x.dk" },
		{ "Anne Berg", NULL, NULL },
		{ "Anne <anne@x.dk> extra", NULL, NULL },
		{ "Anne <anne@x.dk", NULL, NULL },
		{ "Anne <a@b@c>", NULL, NULL },
		{ "Anne <@x.dk>", NULL, NULL },
		{ "Anne <anne@>", NULL, NULL },
		{ "Anne <an ne@x.dk>", NULL, NULL },
		{ "Anne <anne@x.dk\r\nBcc: z@y>", NULL, NULL },
		{ "", NULL, NULL },
	};

	mus_test_begin("followup: musResponsibleName values");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *name = "untouched", *address = "untouched";
		bool ok = mus_followup_responsible_address(cases[i].value, &name,
							   &address);

		test_assert(ok == (cases[i].address != NULL));
		if (ok) {
			test_assert_strcmp(name, cases[i].name);
			test_assert_strcmp(address, cases[i].address);
		} else {
			test_assert_strcmp(name, "untouched");
			test_assert_strcmp(address, "untouched");
		}
	}
	mus_test_end();
}

static struct mus_filed_plan *
test_team_plan(pool_t pool, const char *conversation_ndn, const char *name,
	       const bool *done)
{
	struct mus_filed_plan *plan = p_new(pool, struct mus_filed_plan, 1);

	plan->conversation_ndn = conversation_ndn;
	p_array_init(&plan->activities, pool, 2);
	for (unsigned int i = 0; i < 2; i++) {
		struct mus_activity *a = array_append_space(&plan->activities);

		a->dn = p_strdup_printf(pool, "cn=Activity-%u,cn=%s,ou=plans,dc=x",
					i + 1, name);
		a->done = done[i];
	}
	return plan;
}

static void test_followup_team_done(void)
{
	pool_t pool = pool_alloconly_create("test team done", 2048);
	ARRAY_TYPE(mus_filed_plan) plans;
	struct mus_filed_plan *plan;
	const char *team = "cn=grus-vej,cn=grus 2027,ou=rounds,dc=x";
	static const bool none[] = { FALSE, FALSE };
	static const bool first[] = { TRUE, FALSE };
	static const bool second[] = { FALSE, TRUE };

	mus_test_begin("followup: an activity done in one copy of a team plan is done in all");
	p_array_init(&plans, pool, 4);
	plan = test_team_plan(pool, team, "plan-a", first);
	array_push_back(&plans, &plan);
	plan = test_team_plan(pool, team, "plan-b", none);
	array_push_back(&plans, &plan);
	/* another team's copy with the same activity names, and a plan of
	   one employee: untouched */
	plan = test_team_plan(pool, "cn=grus-park,cn=grus 2027,ou=rounds,dc=x",
			      "plan-c", none);
	array_push_back(&plans, &plan);
	plan = test_team_plan(pool, NULL, "plan-d", none);
	array_push_back(&plans, &plan);
	plan = test_team_plan(pool, team, "plan-e", second);
	array_push_back(&plans, &plan);
	mus_filed_plans_team_done(&plans);
	for (unsigned int i = 0; i < array_count(&plans); i++) {
		const struct mus_filed_plan *p = array_idx_elem(&plans, i);
		const struct mus_activity *a1 = array_idx(&p->activities, 0);
		const struct mus_activity *a2 = array_idx(&p->activities, 1);
		bool same_team = i == 0 || i == 1 || i == 4;

		test_assert(a1->done == same_team);
		test_assert(a2->done == same_team);
	}
	pool_unref(&pool);
	mus_test_end();
}

void test_followup(void)
{
	test_followup_activity();
	test_followup_meeting();
	test_followup_responsible();
	test_followup_team_done();
}
