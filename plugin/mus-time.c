/* Time zones and calendar arithmetic on top of libical. */

#include "lib.h"
#include "mus-time.h"
#include "mus-holidays.h"

#include <libical/ical.h>

void mus_time_init(void)
{
	icalerror_set_errors_are_fatal(0);
}

bool mus_time_zone_exists(const char *name)
{
	return icaltimezone_get_builtin_timezone(name) != NULL;
}

static bool mus_digits(const char *p, unsigned int count, int *value_r)
{
	int value = 0;

	for (unsigned int i = 0; i < count; i++) {
		if (p[i] < '0' || p[i] > '9')
			return FALSE;
		value = value * 10 + (p[i] - '0');
	}
	*value_r = value;
	return TRUE;
}

int mus_time_parse_generalized(const char *value, time_t *time_r)
{
	static const int month_days[] =
		{ 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int year, mon, day, hour, min = 0, sec = 0, off_h, off_m, offset = 0;
	const char *p = value;
	struct tm tm;
	time_t t;

	/* RFC 4517 3.3.13: minutes and seconds are optional, a fraction may
	   follow the last given unit, and the zone is Z or +/-HH[MM]. */
	if (!mus_digits(p, 4, &year) || !mus_digits(p + 4, 2, &mon) ||
	    !mus_digits(p + 6, 2, &day) || !mus_digits(p + 8, 2, &hour))
		return -1;
	p += 10;
	if (mus_digits(p, 2, &min)) {
		p += 2;
		if (mus_digits(p, 2, &sec))
			p += 2;
	}
	if (*p == '.' || *p == ',') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;

		if (!mus_digits(p + 1, 2, &off_h))
			return -1;
		p += 3;
		off_m = 0;
		if (mus_digits(p, 2, &off_m))
			p += 2;
		if (off_h > 23 || off_m > 59)
			return -1;
		offset = sign * (off_h * 3600 + off_m * 60);
	} else {
		return -1;
	}
	if (*p != '\0' || mon < 1 || mon > 12 || day < 1 ||
	    day > month_days[mon - 1] || hour > 23 || min > 59 || sec > 60)
		return -1;
	if (mon == 2 && day == 29 &&
	    !((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return -1;

	i_zero(&tm);
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec > 59 ? 59 : sec;
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*time_r = t - offset;
	return 0;
}

static icaltimezone *mus_time_zone(const char *tz)
{
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tz);

	i_assert(zone != NULL);
	return zone;
}

time_t mus_time_from_local(const char *tz, int days, unsigned int minute)
{
	struct icaltimetype tt = icaltime_null_time();
	unsigned int month, day;
	int year;

	mus_civil_from_days(days, &year, &month, &day);
	tt.year = year;
	tt.month = (int)month;
	tt.day = (int)day;
	tt.hour = (int)(minute / 60);
	tt.minute = (int)(minute % 60);
	return icaltime_as_timet_with_zone(tt, mus_time_zone(tz));
}

void mus_time_to_local(const char *tz, time_t t, int *days_r,
		       unsigned int *minute_r)
{
	struct icaltimetype tt =
		icaltime_from_timet_with_zone(t, 0, mus_time_zone(tz));

	*days_r = mus_days_from_civil(tt.year, (unsigned int)tt.month,
				      (unsigned int)tt.day);
	*minute_r = (unsigned int)(tt.hour * 60 + tt.minute);
}

int mus_time_local_day(const char *tz, time_t t)
{
	unsigned int minute;
	int days;

	mus_time_to_local(tz, t, &days, &minute);
	return days;
}

const char *mus_time_local_date(const char *tz, time_t t)
{
	return mus_time_date((time_t)mus_time_local_day(tz, t) * 86400);
}

const char *mus_time_generalized(time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		i_panic("gmtime_r(%ld) failed", (long)t);
	return t_strdup_printf("%04d%02d%02d%02d%02d%02dZ", tm.tm_year + 1900,
			       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			       tm.tm_min, tm.tm_sec);
}

const char *mus_time_date(time_t t)
{
	const char *g = mus_time_generalized(t);

	return t_strdup_printf("%.4s-%.2s-%.2s", g, g + 4, g + 6);
}

int mus_time_parse_date(const char *value, bool dashes, int *days_r)
{
	int year, month, day;
	int y, len = dashes ? 10 : 8;
	unsigned int m, d;

	if ((int)strlen(value) != len || !mus_digits(value, 4, &year))
		return -1;
	if (dashes) {
		if (value[4] != '-' || value[7] != '-' ||
		    !mus_digits(value + 5, 2, &month) ||
		    !mus_digits(value + 8, 2, &day))
			return -1;
	} else if (!mus_digits(value + 4, 2, &month) ||
		   !mus_digits(value + 6, 2, &day)) {
		return -1;
	}
	if (month < 1 || month > 12 || day < 1 || day > 31)
		return -1;
	/* reject 31 April and 29 February of common years */
	mus_civil_from_days(mus_days_from_civil(year, (unsigned int)month,
						(unsigned int)day), &y, &m, &d);
	if (m != (unsigned int)month || d != (unsigned int)day)
		return -1;
	*days_r = mus_days_from_civil(year, (unsigned int)month,
				      (unsigned int)day);
	return 0;
}
