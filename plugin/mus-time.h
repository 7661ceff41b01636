#ifndef MUS_TIME_H
#define MUS_TIME_H

/* Time zones and calendar arithmetic. This file owns libical's time zone
   objects; the rest of the code sees time_t and zone names. */

/* Prepare libical once per process: parse errors are not fatal. (Its
   built-in zones keep libical's TZID prefix; an empty prefix means the
   default in libical 3.0, so mus-itip writes the plain Olson name.) */
void mus_time_init(void);

/* Returns TRUE if libical knows the Olson zone name. */
bool mus_time_zone_exists(const char *name);

/* Parse an LDAP GeneralizedTime ("YYYYMMDDHHMMSSZ", optional fraction or
   numeric offset) into a UTC time_t. Returns 0, or -1 if it is no valid
   time; time_r is untouched on failure. */
int mus_time_parse_generalized(const char *value, time_t *time_r);

/* t as LDAP GeneralizedTime in UTC, "YYYYMMDDHHMMSSZ", from the data
   stack. */
const char *mus_time_generalized(time_t t);

/* The UTC date of t as "YYYY-MM-DD", from the data stack. */
const char *mus_time_date(time_t t);

/* Parse a local date "YYYYMMDD" (or "YYYY-MM-DD" when dashes is TRUE)
   into days since 1970-01-01. Returns 0, or -1 if it is no valid date. */
int mus_time_parse_date(const char *value, bool dashes, int *days_r);

/* The UTC time of a local wall-clock time: `days` since 1970-01-01 as a
   local date and `minute` after local midnight, in zone tz (which must
   exist). A time inside a spring-forward gap moves forward by the gap. */
time_t mus_time_from_local(const char *tz, int days, unsigned int minute);

/* The local date (days since 1970-01-01) and minute of the day of t in
   zone tz. */
void mus_time_to_local(const char *tz, time_t t, int *days_r,
		       unsigned int *minute_r);
/* The local date of t in zone tz, as days since 1970-01-01. */
int mus_time_local_day(const char *tz, time_t t);
/* The local date of t in zone tz, "YYYY-MM-DD", from the data stack. */
const char *mus_time_local_date(const char *tz, time_t t);

#endif
