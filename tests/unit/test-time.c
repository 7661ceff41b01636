/* Unit tests of time parsing. */

#include "lib.h"
#include "mus-time.h"
#include "mus-test.h"

struct gt_case {
	const char *value;
	int ret;
	time_t expected;
};

void test_time(void)
{
	const struct gt_case cases[] = {
		{ "20270104083000Z", 0, 1799051400 },
		{ "202701040830Z", 0, 1799051400 },
		{ "2027010408Z", 0, 1799049600 },
		{ "20270104083000.5Z", 0, 1799051400 },
		{ "20270104093000+0100", 0, 1799051400 },
		{ "20270104033000-05", 0, 1799051400 },
		{ "20240229000000Z", 0, 1709164800 },
		{ "20270229000000Z", -1, 0 },
		{ "20271301000000Z", -1, 0 },
		{ "20270104083000", -1, 0 },
		{ "20270104083000ZZ", -1, 0 },
		{ "2027-01-04T08:30:00Z", -1, 0 },
		{ "20270104246000Z", -1, 0 },
		{ "", -1, 0 },
		{ "2027010408.Z", -1, 0 },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		time_t t = 12345;

		mus_test_begin(t_strdup_printf("time: GeneralizedTime '%s'",
					       cases[i].value));
		test_assert(mus_time_parse_generalized(cases[i].value, &t) ==
			    cases[i].ret);
		test_assert(t == (cases[i].ret == 0 ? cases[i].expected : 12345));
		mus_test_end();
	}

	mus_test_begin("time: zones known to libical");
	test_assert(mus_time_zone_exists("Europe/Copenhagen"));
	test_assert(mus_time_zone_exists("America/New_York"));
	test_assert(!mus_time_zone_exists("Romance Standard Time"));
	test_assert(!mus_time_zone_exists(""));
	mus_test_end();
}
