/* Unit tests of the retention period of doveadm mus purge. */

#include "lib.h"
#include "mus-time.h"
#include "mus-retention.h"
#include "mus-test.h"

static void test_retention_parse(void)
{
	static const struct {
		const char *value;
		unsigned int count;
		enum mus_retention_unit unit;
		const char *error;
	} cases[] = {
		{ "5y", 5, MUS_RETENTION_YEARS, NULL },
		{ "18m", 18, MUS_RETENTION_MONTHS, NULL },
		{ "400d", 400, MUS_RETENTION_DAYS, NULL },
		{ "30d", 30, MUS_RETENTION_DAYS, NULL },
		{ "2m", 2, MUS_RETENTION_MONTHS, NULL },
		{ "1y", 1, MUS_RETENTION_YEARS, NULL },
		{ "100y", 100, MUS_RETENTION_YEARS, NULL },
		{ "029d", 29, 0, "the period '029d' is under the minimum of 30 days: write at least 30d, 2m or 1y" },
		{ "1m", 1, 0, "under the minimum of 30 days" },
		{ "0y", 0, 0, "under the minimum" },
		{ "101y", 0, 0, "the period '101y' is over the maximum of 100 years" },
		{ "1201m", 0, 0, "over the maximum of 1200 months" },
		{ "9999999d", 0, 0, "invalid period '9999999d'" },
		{ "5", 0, 0, "invalid period '5': expected a whole number and d (days), m (months) or y (years)" },
		{ "y", 0, 0, "invalid period 'y'" },
		{ "5Y", 0, 0, "invalid period" },
		{ "5 y", 0, 0, "invalid period" },
		{ "-5y", 0, 0, "invalid period" },
		{ "+5y", 0, 0, "invalid period" },
		{ "5yy", 0, 0, "invalid period" },
		{ "5w", 0, 0, "invalid period" },
		{ "", 0, 0, "invalid period ''" },
	};

	mus_test_begin("retention: periods");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_retention_period period = { 77, MUS_RETENTION_DAYS };
		const char *error = NULL;
		int ret = mus_retention_parse(cases[i].value, &period, &error);

		if (cases[i].error == NULL) {
			test_assert(ret == 0);
			test_assert(period.count == cases[i].count);
			test_assert(period.unit == cases[i].unit);
		} else {
			test_assert(ret == -1);
			test_assert_contains(error, cases[i].error);
			test_assert(period.count == 77 &&
				    period.unit == MUS_RETENTION_DAYS);
		}
	}
	mus_test_end();
}

static void test_retention_cutoff(void)
{
	static const struct {
		const char *now, *period, *cutoff;
	} cases[] = {
		{ "20261129221500Z", "400d", "20251025221500Z" },
		{ "20261129221500Z", "30d", "20261030221500Z" },
		{ "20261129221500Z", "5y", "20211129221500Z" },
		{ "20261129221500Z", "18m", "20250529221500Z" },
		{ "20261129221500Z", "11m", "20251229221500Z" },
		/* to a shorter month: its last day */
		{ "20270331120000Z", "2m", "20270131120000Z" },
		{ "20270430120000Z", "2m", "20270228120000Z" },
		{ "20280430120000Z", "2m", "20280229120000Z" },
		{ "20280229120000Z", "1y", "20270228120000Z" },
		{ "20280229120000Z", "4y", "20240229120000Z" },
	};

	mus_test_begin("retention: cutoff");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_retention_period period;
		const char *error;
		time_t now;

		test_assert(mus_time_parse_generalized(cases[i].now, &now) == 0);
		test_assert(mus_retention_parse(cases[i].period, &period, &error) == 0);
		test_assert_strcmp(mus_time_generalized(mus_retention_cutoff(&period, now)),
				   cases[i].cutoff);
	}
	mus_test_end();
}

static void test_retention_plan(void)
{
	/* cutoff 2021-11-29 22:15 UTC */
	static const struct {
		const char *follow_up, *by_employee, *by_leader;
		const char *reason;	/* NULL: kept */
	} cases[] = {
		{ "20211129221459Z", NULL, NULL, "plan, follow-up 2021-11-29" },
		{ "20211129221500Z", NULL, NULL, NULL },
		/* the follow-up date decides, not the approvals */
		{ "20221129120000Z", "20150101120000Z", "20150101120000Z", NULL },
		/* without one, the later approval */
		{ NULL, "20200101120000Z", "20200201120000Z", "plan, approved 2020-02-01" },
		{ NULL, "20200101120000Z", "20220201120000Z", NULL },
		{ NULL, "20200101120000Z", NULL, "plan, approved 2020-01-01" },
		/* neither: kept */
		{ NULL, NULL, NULL, NULL },
	};
	time_t cutoff;

	mus_test_begin("retention: plans past retention");
	test_assert(mus_time_parse_generalized("20211129221500Z", &cutoff) == 0);
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_filed_plan plan = { .dn = "cn=p,dc=x" };
		const char *reason = NULL;

		if (cases[i].follow_up != NULL)
			test_assert(mus_time_parse_generalized(cases[i].follow_up,
							       &plan.follow_up) == 0);
		if (cases[i].by_employee != NULL)
			test_assert(mus_time_parse_generalized(cases[i].by_employee,
							       &plan.approved_by_employee) == 0);
		if (cases[i].by_leader != NULL)
			test_assert(mus_time_parse_generalized(cases[i].by_leader,
							       &plan.approved_by_leader) == 0);
		test_assert(mus_retention_plan_past(&plan, cutoff, &reason) ==
			    (cases[i].reason != NULL));
		if (cases[i].reason != NULL)
			test_assert_strcmp(reason, cases[i].reason);
		else
			test_assert(reason == NULL);
	}
	mus_test_end();
}

void test_retention(void)
{
	test_retention_parse();
	test_retention_cutoff();
	test_retention_plan();
}
