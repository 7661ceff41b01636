/* Danish public holidays. */

#include "lib.h"
#include "mus-holidays.h"

/* Howard Hinnant's days_from_civil: exact for every Gregorian date. */
int mus_days_from_civil(int year, unsigned int month, unsigned int day)
{
	int y = year - (month <= 2 ? 1 : 0);
	int era = (y >= 0 ? y : y - 399) / 400;
	unsigned int yoe = (unsigned int)(y - era * 400);
	unsigned int doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 +
		day - 1;
	unsigned int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int)doe - 719468;
}

void mus_civil_from_days(int days, int *year_r, unsigned int *month_r,
			 unsigned int *day_r)
{
	int z = days + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned int doe = (unsigned int)(z - era * 146097);
	unsigned int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned int mp = (5 * doy + 2) / 153;
	unsigned int month = mp < 10 ? mp + 3 : mp - 9;

	*year_r = (int)yoe + era * 400 + (month <= 2 ? 1 : 0);
	*month_r = month;
	*day_r = doy - (153 * mp + 2) / 5 + 1;
}

unsigned int mus_weekday(int days)
{
	/* 1970-01-01 was a Thursday */
	return (unsigned int)(((days % 7) + 7 + 3) % 7);
}

int mus_easter(int year)
{
	/* the anonymous Gregorian algorithm (Meeus/Jones/Butcher) */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31;
	int day = (h + l - 7 * m + 114) % 31 + 1;

	return mus_days_from_civil(year, (unsigned int)month, (unsigned int)day);
}

const char *mus_holiday_name(int year, unsigned int month, unsigned int day)
{
	static const struct {
		int offset;
		const char *name;
	} easter_based[] = {
		{ -3, "skærtorsdag" },
		{ -2, "langfredag" },
		{ 0, "påskedag" },
		{ 1, "2. påskedag" },
		{ 26, "store bededag" },
		{ 39, "Kristi himmelfartsdag" },
		{ 49, "pinsedag" },
		{ 50, "2. pinsedag" },
	};
	int offset;

	if (month == 1 && day == 1)
		return "nytårsdag";
	if (month == 12 && day == 25)
		return "juledag";
	if (month == 12 && day == 26)
		return "2. juledag";

	offset = mus_days_from_civil(year, month, day) - mus_easter(year);
	for (unsigned int i = 0; i < N_ELEMENTS(easter_based); i++) {
		if (easter_based[i].offset != offset)
			continue;
		/* abolished by law from 2024 */
		if (offset == 26 && year >= 2024)
			return NULL;
		return easter_based[i].name;
	}
	return NULL;
}
