#ifndef MUS_TIME_H
#define MUS_TIME_H

/* Time zones and calendar arithmetic. This file owns libical's time zone
   objects; the rest of the code sees time_t and zone names. */

/* Prepare libical once per process: parse errors are not fatal and
   built-in zones carry their plain Olson name as TZID. */
void mus_time_init(void);

/* Returns TRUE if libical knows the Olson zone name. */
bool mus_time_zone_exists(const char *name);

/* Parse an LDAP GeneralizedTime ("YYYYMMDDHHMMSSZ", optional fraction or
   numeric offset) into a UTC time_t. Returns 0, or -1 if it is no valid
   time; time_r is untouched on failure. */
int mus_time_parse_generalized(const char *value, time_t *time_r);

#endif
