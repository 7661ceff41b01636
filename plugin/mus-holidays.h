#ifndef MUS_HOLIDAYS_H
#define MUS_HOLIDAYS_H

/* Danish public holidays (helligdage), computed for any Gregorian year.
   Christmas Eve, New Year's Eve and Grundlovsdag are no public holidays;
   workplaces that close then list them as musClosedDate. */

/* A date as days since 1970-01-01 (proleptic Gregorian). */
int mus_days_from_civil(int year, unsigned int month, unsigned int day);
void mus_civil_from_days(int days, int *year_r, unsigned int *month_r,
			 unsigned int *day_r);
/* 0 = Monday ... 6 = Sunday */
unsigned int mus_weekday(int days);

/* Easter Sunday of year, as days since 1970-01-01. */
int mus_easter(int year);

/* Returns the Danish name of the public holiday on that date, or NULL if
   it is none. Store bededag counts up to and including 2023. */
const char *mus_holiday_name(int year, unsigned int month, unsigned int day);

#endif
