/* Unit tests of the scheduler. */

#include "lib.h"
#include "array.h"
#include "mus-holidays.h"
#include "mus-time.h"
#include "mus-schedule.h"
#include "mus-test.h"

#define TZ "Europe/Copenhagen"

static time_t local(int y, unsigned int m, unsigned int d,
		    unsigned int hh, unsigned int mm)
{
	return mus_time_from_local(TZ, mus_days_from_civil(y, m, d), hh * 60 + mm);
}

static time_t utc(int y, unsigned int m, unsigned int d,
		  unsigned int hh, unsigned int mm)
{
	return (time_t)mus_days_from_civil(y, m, d) * 86400 + hh * 3600 + mm * 60;
}

/* A round of working hours 08:30-15:30, 60 minute conversations with a 15
   minute buffer, at most `max` a day, over [first, last] local dates. */
static struct mus_sched_round
round_of(int y1, unsigned int m1, unsigned int d1, int y2, unsigned int m2,
	 unsigned int d2, unsigned int max)
{
	struct mus_sched_round round = {
		.window_start = local(y1, m1, d1, 0, 0),
		.window_end = local(y2, m2, d2, 0, 0) + 86400,
		.duration = 60, .buffer = 15,
		.workday_start = 8 * 60 + 30, .workday_end = 15 * 60 + 30,
		.max_per_day = max, .timezone = TZ,
	};
	return round;
}

/* add conversation "c<i>" of leader with employee "e<i>" */
static struct mus_sched_conv *
add_one(struct mus_schedule *sched, const char *leader, const char *employee)
{
	struct mus_sched_person *l = mus_schedule_person(sched, leader);
	struct mus_sched_person *e = mus_schedule_person(sched, employee);

	return mus_schedule_add(sched, t_strdup_printf("%s/%s", leader, employee),
				l, &e, 1);
}

static void test_schedule_spread(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 8, 4);
	struct mus_schedule *sched;
	struct mus_sched_conv *c[5];
	const char *error;

	mus_test_begin("schedule: five conversations spread over five days");
	sched = mus_schedule_create(&round, &error);
	test_assert(sched != NULL && mus_schedule_day_count(sched) == 5);
	for (unsigned int i = 0; i < 5; i++)
		c[i] = add_one(sched, "leader", t_strdup_printf("e%u", i));
	mus_schedule_run(sched);
	for (unsigned int i = 0; i < 5; i++) {
		test_assert(c[i]->state == MUS_SCHED_PLACED);
		/* 08:30 in winter is 07:30 UTC */
		test_assert(c[i]->start == utc(2027, 1, 4 + i, 7, 30));
		test_assert(c[i]->end == c[i]->start + 3600);
	}
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_full_days(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 8, 2);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *c[11];
	unsigned int per_day[5] = { 0 };

	mus_test_begin("schedule: leader at capacity, the rest unschedulable");
	for (unsigned int i = 0; i < 11; i++)
		c[i] = add_one(sched, "leader", t_strdup_printf("e%02u", i));
	mus_schedule_run(sched);
	for (unsigned int i = 0; i < 10; i++) {
		test_assert(c[i]->state == MUS_SCHED_PLACED);
		if (c[i]->state == MUS_SCHED_PLACED)
			per_day[(c[i]->start - utc(2027, 1, 4, 0, 0)) / 86400]++;
	}
	for (unsigned int d = 0; d < 5; d++)
		test_assert(per_day[d] == 2);
	test_assert(c[10]->state == MUS_SCHED_UNSCHEDULABLE);
	test_assert(c[10]->reason != NULL &&
		    strstr(c[10]->reason, "5 working days, at most 2") != NULL);
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_buffers(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 4, 10);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *c[6];
	static const unsigned int expect[5][2] = {
		{ 8, 30 }, { 9, 45 }, { 11, 0 }, { 12, 15 }, { 13, 30 }
	};

	mus_test_begin("schedule: buffers between conversations of one day");
	for (unsigned int i = 0; i < 6; i++)
		c[i] = add_one(sched, "leader", t_strdup_printf("e%u", i));
	mus_schedule_run(sched);
	for (unsigned int i = 0; i < 5; i++)
		test_assert(c[i]->start == local(2027, 1, 4, expect[i][0], expect[i][1]));
	/* 14:45-15:45 would end after the working day */
	test_assert(c[5]->state == MUS_SCHED_UNSCHEDULABLE);
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_busy_edges(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 4, 10);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_person *leader = mus_schedule_person(sched, "leader");
	struct mus_sched_person *emp = mus_schedule_person(sched, "e0");
	struct mus_sched_conv *c;

	mus_test_begin("schedule: busy blocks touching the slot edges");
	/* leader busy 08:30-09:30: a slot may start exactly at 09:30 */
	mus_schedule_busy(leader, local(2027, 1, 4, 8, 30), local(2027, 1, 4, 9, 30));
	/* employee busy 10:30-11:00: 09:30-10:30 ends exactly as it starts */
	mus_schedule_busy(emp, local(2027, 1, 4, 10, 30), local(2027, 1, 4, 11, 0));
	/* overlapping, unsorted duplicate blocks are merged */
	mus_schedule_busy(leader, local(2027, 1, 4, 9, 0), local(2027, 1, 4, 9, 15));
	c = mus_schedule_add(sched, "c", leader, &emp, 1);
	mus_schedule_run(sched);
	test_assert(c->state == MUS_SCHED_PLACED);
	test_assert(c->start == local(2027, 1, 4, 9, 30));
	mus_test_end();
	mus_schedule_destroy(&sched);

	sched = mus_schedule_create(&round, NULL);
	leader = mus_schedule_person(sched, "leader");
	emp = mus_schedule_person(sched, "e0");
	mus_test_begin("schedule: a busy block one minute into the slot moves it");
	mus_schedule_busy(emp, local(2027, 1, 4, 9, 29), local(2027, 1, 4, 9, 31));
	c = mus_schedule_add(sched, "c", leader, &emp, 1);
	mus_schedule_run(sched);
	test_assert(c->start == local(2027, 1, 4, 9, 45));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_dst(void)
{
	/* summer time ends Sunday 2027-10-31: Friday 08:30 is 06:30 UTC,
	   Monday 08:30 is 07:30 UTC */
	struct mus_sched_round round = round_of(2027, 10, 29, 2027, 11, 1, 1);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *a, *b;

	mus_test_begin("schedule: across the October DST change");
	test_assert(mus_schedule_day_count(sched) == 2);
	a = add_one(sched, "leader", "e0");
	b = add_one(sched, "leader", "e1");
	mus_schedule_run(sched);
	test_assert(a->start == utc(2027, 10, 29, 6, 30));
	test_assert(b->start == utc(2027, 11, 1, 7, 30));
	mus_test_end();
	mus_schedule_destroy(&sched);

	/* summer time starts Sunday 2027-03-28, inside Easter: working days
	   are Wednesday 24th and Tuesday 30th only */
	round = round_of(2027, 3, 24, 2027, 3, 30, 1);
	sched = mus_schedule_create(&round, NULL);
	mus_test_begin("schedule: across the March DST change and Easter");
	test_assert(mus_schedule_day_count(sched) == 2);
	a = add_one(sched, "leader", "e0");
	b = add_one(sched, "leader", "e1");
	mus_schedule_run(sched);
	test_assert(a->start == utc(2027, 3, 24, 7, 30));
	test_assert(b->start == utc(2027, 3, 30, 6, 30));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_closed_and_holidays(void)
{
	/* Easter week 2027: 25, 26 and 29 March are holidays */
	struct mus_sched_round round = round_of(2027, 3, 22, 2027, 3, 31, 4);
	int closed[] = { mus_days_from_civil(2027, 3, 23) };
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);

	mus_test_begin("schedule: holidays and closed dates are no working days");
	test_assert(mus_schedule_day_count(sched) == 5);
	mus_schedule_destroy(&sched);
	round.closed_days = closed;
	round.closed_count = 1;
	sched = mus_schedule_create(&round, NULL);
	test_assert(mus_schedule_day_count(sched) == 4);
	mus_schedule_destroy(&sched);
	/* a window of only a weekend and a holiday */
	round = round_of(2027, 12, 25, 2027, 12, 26, 4);
	sched = mus_schedule_create(&round, NULL);
	test_assert(mus_schedule_day_count(sched) == 0);
	{
		struct mus_sched_conv *c = add_one(sched, "leader", "e0");

		mus_schedule_run(sched);
		test_assert(c->state == MUS_SCHED_UNSCHEDULABLE);
		test_assert_strcmp(c->reason, "the window has no working day");
	}
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_team(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 5, 4);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_person *leader = mus_schedule_person(sched, "leader");
	struct mus_sched_person *team[3];
	struct mus_sched_conv *c;

	mus_test_begin("schedule: GRUS waits for the one busy member");
	for (unsigned int i = 0; i < 3; i++)
		team[i] = mus_schedule_person(sched, t_strdup_printf("m%u", i));
	mus_schedule_busy(team[1], local(2027, 1, 4, 0, 0), local(2027, 1, 5, 0, 0));
	mus_schedule_busy(team[2], local(2027, 1, 5, 8, 0), local(2027, 1, 5, 10, 0));
	c = mus_schedule_add(sched, "team", leader, team, 3);
	mus_schedule_run(sched);
	test_assert(c->state == MUS_SCHED_PLACED);
	test_assert(c->start == local(2027, 1, 5, 10, 0));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_chain(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 4, 4);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *up, *down;

	mus_test_begin("schedule: a middle manager is never in two at once");
	/* "mid" is employee of "boss" and leader of "emp" */
	up = add_one(sched, "boss", "mid");
	down = add_one(sched, "mid", "emp");
	mus_schedule_run(sched);
	test_assert(up->start == local(2027, 1, 4, 8, 30));
	test_assert(down->start == local(2027, 1, 4, 9, 45));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

static void test_schedule_fixed(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 5, 1);
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *fixed, *c;

	mus_test_begin("schedule: a fixed conversation stays and counts");
	fixed = add_one(sched, "leader", "e1");
	c = add_one(sched, "leader", "e0");
	mus_schedule_fix(sched, fixed, local(2027, 1, 4, 13, 0), local(2027, 1, 4, 14, 0));
	mus_schedule_run(sched);
	test_assert(fixed->state == MUS_SCHED_FIXED);
	test_assert(fixed->start == local(2027, 1, 4, 13, 0));
	test_assert(c->state == MUS_SCHED_PLACED);
	test_assert(c->start == local(2027, 1, 5, 8, 30));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

/* A conversation held Monday 4 January 2027 09:00-10:00 whose employee
   proposes another hour; the leader (at most two a day) also leads e2 on
   Tuesday 10:00, e4 and e5 on Thursday, and e1 is busy Wednesday
   09:00-12:00. */
static const struct {
	const char *name;
	int day;
	unsigned int hh, mm, minutes;
	bool taken;
	const char *refused;
} propose_cases[] = {
	{ "a free hour", 6, 13, 0, 60, TRUE, NULL },
	{ "off the quarter-hour grid", 6, 13, 10, 60, TRUE, NULL },
	{ "a Saturday", 9, 10, 0, 60, FALSE, "working hours" },
	{ "before the working day", 6, 7, 30, 60, FALSE, "working hours" },
	{ "over the end of the working day", 6, 15, 0, 60, FALSE, "working hours" },
	{ "longer than the round's conversations", 6, 10, 0, 90, FALSE, "lasts 90 minutes" },
	{ "the employee's busy time", 6, 11, 0, 60, FALSE, "employee is busy" },
	{ "inside the buffer of another conversation", 5, 11, 0, 60, FALSE, "leader is busy" },
	{ "the leader's full day", 7, 11, 0, 60, FALSE, "conversations already" },
	{ "outside the window", 12, 10, 0, 60, FALSE, "working hours" },
};

static void test_schedule_propose(void)
{
	mus_test_begin("schedule: a proposed new time is taken only if it keeps every rule");
	for (unsigned int i = 0; i < N_ELEMENTS(propose_cases); i++) {
		struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 8, 2);
		struct mus_schedule *sched = mus_schedule_create(&round, NULL);
		struct mus_sched_conv *c, *other, *next;
		time_t start = local(2027, 1, propose_cases[i].day,
				     propose_cases[i].hh, propose_cases[i].mm);
		time_t end = start + propose_cases[i].minutes * 60;
		bool ok;

		c = add_one(sched, "leader", "e1");
		other = add_one(sched, "leader", "e2");
		next = add_one(sched, "leader", "e3");
		mus_schedule_fix(sched, other, local(2027, 1, 5, 10, 0),
				 local(2027, 1, 5, 11, 0));
		mus_schedule_fix(sched, add_one(sched, "leader", "e4"),
				 local(2027, 1, 7, 8, 30), local(2027, 1, 7, 9, 30));
		mus_schedule_fix(sched, add_one(sched, "leader", "e5"),
				 local(2027, 1, 7, 14, 0), local(2027, 1, 7, 15, 0));
		mus_schedule_busy(mus_schedule_person(sched, "e1"),
				  local(2027, 1, 6, 9, 0), local(2027, 1, 6, 12, 0));
		mus_schedule_propose(sched, c, local(2027, 1, 4, 9, 0),
				     local(2027, 1, 4, 10, 0), start, end);
		mus_schedule_run(sched);
		if (propose_cases[i].taken) {
			ok = c->state == MUS_SCHED_PLACED && c->start == start &&
				c->end == end && c->refused == NULL;
		} else {
			ok = c->state == MUS_SCHED_FIXED &&
				c->start == local(2027, 1, 4, 9, 0) &&
				c->refused != NULL &&
				strstr(c->refused, propose_cases[i].refused) != NULL;
		}
		mus_test_check(ok, t_strdup_printf("%s: state %d refused '%s'",
			propose_cases[i].name, c->state,
			c->refused == NULL ? "" : c->refused), __FILE__, __LINE__);
		/* the slot it ends in is taken before anything is placed */
		test_assert(next->state == MUS_SCHED_PLACED &&
			    (next->end <= c->start || next->start >= c->end));
		mus_schedule_destroy(&sched);
	}
	mus_test_end();
}

static void test_schedule_window_edges(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 4, 4);
	struct mus_schedule *sched;
	struct mus_sched_conv *c;

	mus_test_begin("schedule: a window opening at noon");
	round.window_start = local(2027, 1, 4, 12, 0);
	sched = mus_schedule_create(&round, NULL);
	c = add_one(sched, "leader", "e0");
	mus_schedule_run(sched);
	test_assert(c->start == local(2027, 1, 4, 12, 0));
	mus_test_end();
	mus_schedule_destroy(&sched);
}

/* one conversation placed alone in round (its reason from the data stack) */
static struct mus_sched_conv schedule_one(const struct mus_sched_round *round)
{
	struct mus_schedule *sched = mus_schedule_create(round, NULL);
	struct mus_sched_conv *c = add_one(sched, "leader", "e0"), one;

	mus_schedule_run(sched);
	one = *c;
	one.reason = t_strdup(one.reason);
	mus_schedule_destroy(&sched);
	return one;
}

static void test_schedule_not_before(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 8, 4);
	struct mus_schedule *sched;
	struct mus_sched_conv *c, *p, one;

	mus_test_begin("schedule: nothing before now, the first slot on the grid after it");
	round.not_before = local(2027, 1, 5, 10, 7);
	sched = mus_schedule_create(&round, NULL);
	test_assert(mus_schedule_day_count(sched) == 4);
	c = add_one(sched, "leader", "e0");
	/* a proposal for a time that has passed is refused */
	p = add_one(sched, "leader", "e1");
	mus_schedule_propose(sched, p, local(2027, 1, 7, 9, 0),
			     local(2027, 1, 7, 10, 0), local(2027, 1, 5, 8, 30),
			     local(2027, 1, 5, 9, 30));
	mus_schedule_run(sched);
	test_assert(c->state == MUS_SCHED_PLACED &&
		    c->start == local(2027, 1, 5, 10, 15));
	test_assert(p->state == MUS_SCHED_FIXED && p->refused != NULL &&
		    strstr(p->refused, "has passed") != NULL);
	mus_test_end();
	mus_schedule_destroy(&sched);

	mus_test_begin("schedule: a conversation outside the working hours counts toward its day");
	round = round_of(2027, 1, 4, 2027, 1, 5, 1);
	sched = mus_schedule_create(&round, NULL);
	/* another round's, early in the morning */
	mus_schedule_fix(sched, add_one(sched, "leader", "early"),
			 local(2027, 1, 4, 7, 0), local(2027, 1, 4, 7, 30));
	c = add_one(sched, "leader", "e0");
	mus_schedule_run(sched);
	test_assert(c->state == MUS_SCHED_PLACED &&
		    c->start == local(2027, 1, 5, 8, 30));
	mus_test_end();
	mus_schedule_destroy(&sched);

	mus_test_begin("schedule: the reason counts the window's days, not what is left of them");
	round = round_of(2027, 1, 4, 2027, 1, 8, 1);
	round.not_before = local(2027, 1, 7, 0, 0);
	sched = mus_schedule_create(&round, NULL);
	/* two days are left for three conversations */
	(void)add_one(sched, "leader", "e0");
	(void)add_one(sched, "leader", "e1");
	c = add_one(sched, "leader", "e2");
	mus_schedule_run(sched);
	/* a day moving past changes nothing a sync would write */
	test_assert(c->state == MUS_SCHED_UNSCHEDULABLE &&
		    strstr(c->reason, "(5 working days, at most 1") != NULL);
	mus_test_end();
	mus_schedule_destroy(&sched);

	mus_test_begin("schedule: a window opening off the grid keeps the grid");
	round = round_of(2027, 1, 4, 2027, 1, 4, 4);
	round.window_start = local(2027, 1, 4, 9, 10);
	one = schedule_one(&round);
	test_assert(one.state == MUS_SCHED_PLACED &&
		    one.start == local(2027, 1, 4, 9, 15));
	mus_test_end();

	mus_test_begin("schedule: a window that has passed has no day left");
	round = round_of(2027, 1, 4, 2027, 1, 8, 4);
	round.not_before = local(2027, 1, 8, 15, 0);
	one = schedule_one(&round);
	test_assert(one.state == MUS_SCHED_UNSCHEDULABLE &&
		    strstr(one.reason, "left") != NULL);
	mus_test_end();
}

static void test_schedule_invalid_rounds(void)
{
	static const struct {
		const char *name, *error;
	} cases[] = {
		{ "end before start", "musWindowEnd" },
		{ "zero duration", "musDuration" },
		{ "day shorter than one conversation", "shorter than one conversation" },
		{ "working day ends before it starts", "musWorkdayEnd" },
		{ "no conversations a day", "musMaxPerDay" },
		{ "unknown zone", "unknown time zone" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_sched_round round = round_of(2027, 1, 4, 2027, 1, 8, 4);
		const char *error = NULL;

		switch (i) {
		case 0: round.window_end = round.window_start - 1; break;
		case 1: round.duration = 0; break;
		case 2: round.duration = 8 * 60; break;
		case 3: round.workday_end = round.workday_start; break;
		case 4: round.max_per_day = 0; break;
		case 5: round.timezone = "Europe/Atlantis"; break;
		}
		mus_test_begin(t_strdup_printf("schedule: refuses a round with %s",
					       cases[i].name));
		test_assert(mus_schedule_create(&round, &error) == NULL);
		test_assert(error != NULL && strstr(error, cases[i].error) != NULL);
		mus_test_end();
	}
}

static void test_schedule_deterministic(void)
{
	struct mus_sched_round round = round_of(2027, 1, 4, 2027, 2, 26, 3);
	struct mus_schedule *a = mus_schedule_create(&round, NULL);
	struct mus_schedule *b = mus_schedule_create(&round, NULL);
	struct mus_sched_conv *ca[40], *cb[40];

	mus_test_begin("schedule: the same input in another order, the same plan");
	for (unsigned int i = 0; i < 40; i++) {
		unsigned int j = (i * 17) % 40;	/* a permutation */

		ca[i] = add_one(a, t_strdup_printf("l%u", i % 3), t_strdup_printf("e%02u", i));
		cb[j] = add_one(b, t_strdup_printf("l%u", j % 3), t_strdup_printf("e%02u", j));
		mus_schedule_busy(mus_schedule_person(a, t_strdup_printf("e%02u", i)),
				  local(2027, 1, 4 + i % 5, 9, 0), local(2027, 1, 4 + i % 5, 12, 0));
		mus_schedule_busy(mus_schedule_person(b, t_strdup_printf("e%02u", i)),
				  local(2027, 1, 4 + i % 5, 9, 0), local(2027, 1, 4 + i % 5, 12, 0));
	}
	mus_schedule_run(a);
	mus_schedule_run(b);
	for (unsigned int i = 0; i < 40; i++) {
		test_assert(ca[i]->state == MUS_SCHED_PLACED);
		test_assert(ca[i]->start == cb[i]->start);
	}
	mus_test_end();
	mus_schedule_destroy(&a);
	mus_schedule_destroy(&b);
}

void test_schedule(void)
{
	test_schedule_spread();
	test_schedule_full_days();
	test_schedule_buffers();
	test_schedule_busy_edges();
	test_schedule_dst();
	test_schedule_closed_and_holidays();
	test_schedule_team();
	test_schedule_chain();
	test_schedule_fixed();
	test_schedule_propose();
	test_schedule_window_edges();
	test_schedule_not_before();
	test_schedule_invalid_rounds();
	test_schedule_deterministic();
}
