/* Unit tests of the reasons in the reader's language. */

#include "lib.h"
#include "mus-time.h"
#include "mus-holidays.h"
#include "mus-schedule.h"
#include "mus-sync.h"
#include "mus-reason.h"
#include "mus-test.h"

#define TZ "Europe/Copenhagen"

static time_t local(unsigned int d, unsigned int hh, unsigned int mm)
{
	return mus_time_from_local(TZ, mus_days_from_civil(2027, 1, d), hh * 60 + mm);
}

/* the reason the scheduler gives for proposing [start, end) */
static const char *refused(time_t start, time_t end)
{
	struct mus_sched_round round = {
		.window_start = local(4, 0, 0), .window_end = local(9, 0, 0),
		.duration = 60, .buffer = 15,
		.workday_start = 8 * 60 + 30, .workday_end = 15 * 60 + 30,
		.max_per_day = 4, .timezone = TZ,
	};
	struct mus_schedule *sched = mus_schedule_create(&round, NULL);
	struct mus_sched_person *l = mus_schedule_person(sched, "leader");
	struct mus_sched_person *e = mus_schedule_person(sched, "employee");
	struct mus_sched_conv *c = mus_schedule_add(sched, "c", l, &e, 1);
	const char *reason;

	mus_schedule_busy(l, local(6, 12, 0), local(6, 15, 30));
	mus_schedule_propose(sched, c, local(4, 9, 0), local(4, 10, 0), start, end);
	mus_schedule_run(sched);
	reason = t_strdup(c->refused);
	mus_schedule_destroy(&sched);
	return reason;
}

void test_reason(void)
{
	const struct {
		const char *name;
		const char *reason;
		const char *danish;
	} cases[] = {
		{ "a Saturday", refused(local(9, 10, 0), local(9, 11, 0)),
		  "ikke i arbejdstiden" },
		{ "90 minutes", refused(local(5, 10, 0), local(5, 11, 30)),
		  "varighed" },
		{ "the leader busy", refused(local(6, 13, 0), local(6, 14, 0)),
		  "lederen er optaget" },
		{ "withdrawn", MUS_SYNC_LEFT_THE_ROUND, "anden leder" },
		{ "exempt", "the employee is exempt (musExempt)", "fritaget" },
		{ "absent", "the leader is absent until 2027-05-01, after the window ends",
		  "lederen er fraværende" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) T_BEGIN {
		mus_test_begin(t_strconcat("reason: in Danish: ", cases[i].name, NULL));
		test_assert(cases[i].reason != NULL);
		if (cases[i].reason != NULL) {
			test_assert_contains(mus_reason_text(cases[i].reason,
							     MUS_LANGUAGE_DA),
					     cases[i].danish);
			/* English readers get it as the directory has it */
			test_assert_strcmp(mus_reason_text(cases[i].reason,
							   MUS_LANGUAGE_EN),
					   cases[i].reason);
		}
		mus_test_end();
	} T_END;

	mus_test_begin("reason: one it does not know stays as it is");
	test_assert_strcmp(mus_reason_text("the employee uid=x has no mail address",
					   MUS_LANGUAGE_DA),
			   "the employee uid=x has no mail address");
	test_assert(mus_reason_text(NULL, MUS_LANGUAGE_DA) == NULL);
	mus_test_end();
}
