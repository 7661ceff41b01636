/* Unit tests of the Danish public holidays, against a table of the known
   dates. */

#include "lib.h"
#include "str.h"
#include "mus-holidays.h"
#include "mus-test.h"

static const struct {
	int year;
	const char *dates;
} known[] = {
	{ 2023, "0101 0406 0407 0409 0410 0505 0518 0528 0529 1225 1226" },
	{ 2024, "0101 0328 0329 0331 0401 0509 0519 0520 1225 1226" },
	{ 2025, "0101 0417 0418 0420 0421 0529 0608 0609 1225 1226" },
	{ 2026, "0101 0402 0403 0405 0406 0514 0524 0525 1225 1226" },
	{ 2027, "0101 0325 0326 0328 0329 0506 0516 0517 1225 1226" },
	{ 2028, "0101 0413 0414 0416 0417 0525 0604 0605 1225 1226" },
	{ 2029, "0101 0329 0330 0401 0402 0510 0520 0521 1225 1226" },
	{ 2030, "0101 0418 0419 0421 0422 0530 0609 0610 1225 1226" },
};

void test_holidays(void)
{
	for (unsigned int i = 0; i < N_ELEMENTS(known); i++) {
		int year = known[i].year;
		int first = mus_days_from_civil(year, 1, 1);
		int last = mus_days_from_civil(year, 12, 31);
		string_t *found = t_str_new(128);

		mus_test_begin(t_strdup_printf("holidays: every day of %d", year));
		for (int d = first; d <= last; d++) {
			int y;
			unsigned int m, day;

			mus_civil_from_days(d, &y, &m, &day);
			test_assert(y == year);
			if (mus_holiday_name(y, m, day) != NULL)
				str_printfa(found, "%s%02u%02u",
					    str_len(found) > 0 ? " " : "", m, day);
		}
		test_assert_strcmp(str_c(found), known[i].dates);
		mus_test_end();
	}

	mus_test_begin("holidays: names and weekdays");
	test_assert_strcmp(mus_holiday_name(2027, 3, 26), "langfredag");
	test_assert_strcmp(mus_holiday_name(2023, 5, 5), "store bededag");
	test_assert(mus_holiday_name(2024, 4, 26) == NULL);
	test_assert(mus_holiday_name(2027, 12, 24) == NULL);
	test_assert(mus_holiday_name(2027, 6, 5) == NULL);
	test_assert(mus_weekday(mus_days_from_civil(2027, 1, 4)) == 0);
	test_assert(mus_weekday(mus_days_from_civil(2026, 11, 24)) == 1);
	test_assert(mus_weekday(mus_days_from_civil(1970, 1, 1)) == 3);
	test_assert(mus_weekday(mus_easter(2031)) == 6);
	test_assert(mus_days_from_civil(2000, 3, 1) - mus_days_from_civil(2000, 2, 28) == 2);
	test_assert(mus_days_from_civil(1900, 3, 1) - mus_days_from_civil(1900, 2, 28) == 1);
	mus_test_end();
}
