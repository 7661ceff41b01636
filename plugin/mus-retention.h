#ifndef MUS_RETENTION_H
#define MUS_RETENTION_H

/* doveadm mus purge: removing plans and conversations past retention.

   A period is a whole number and a unit: "400d" (days), "18m" (calendar
   months), "5y" (calendar years); it must reach at least
   MUS_RETENTION_MIN_DAYS back. The cutoff is now minus the period (UTC).

   Past retention:
   - a plan (musPlan under the people and mus_plan_base, approved or
     not): its musFollowUp is before the cutoff; a plan without one
     counts by its latest approval (musApprovedByEmployee/Leader); a plan
     with neither is kept.
   - a conversation: its round is closed (musState: closed) and its
     musEnd, or the round's musWindowEnd when it has none, is before the
     cutoff. Rounds themselves are kept.

   Children go before their parent (a plan's activities, then the plan),
   and a musPlanRef naming a plan is removed before the plan, so a purge
   that stops halfway leaves what the next purge finds and finishes. */

#include "mus-filed-plans.h"

struct mus_ldap;

#define MUS_RETENTION_MIN_DAYS 30

enum mus_retention_unit {
	MUS_RETENTION_DAYS = 0,
	MUS_RETENTION_MONTHS,
	MUS_RETENTION_YEARS,
};

struct mus_retention_period {
	unsigned int count;
	enum mus_retention_unit unit;
};

/* Returns 0 with the period, or -1 with an error naming the value and
   what is expected (also for a period under the minimum); period_r is
   untouched on failure. */
int mus_retention_parse(const char *value, struct mus_retention_period *period_r,
			const char **error_r);
/* now minus the period, in UTC calendar terms (31 March minus 1m is 28
   or 29 February). */
time_t mus_retention_cutoff(const struct mus_retention_period *period,
			    time_t now);

/* TRUE with why (data stack) if plan is past retention at cutoff (see
   above). */
bool mus_retention_plan_past(const struct mus_filed_plan *plan,
			     time_t cutoff, const char **reason_r);

/* Told about each entry removed (or, with dry_run, that would be), with
   why, e.g. "plan, follow-up 2019-05-01". */
typedef void mus_retention_log_t(const char *dn, const char *reason,
				 void *context);

struct mus_retention_options {
	time_t cutoff;
	bool dry_run;
	/* every filed plan (mus_filed_plans_load()) */
	const ARRAY_TYPE(mus_filed_plan) *plans;
	const char *people_base;
	const char *round_base;
};

/* Remove everything past retention (see above). Returns 0, or -1 with
   the error of the directory (what was removed so far is logged). */
int mus_retention_purge(struct mus_ldap *conn,
			const struct mus_retention_options *opts,
			mus_retention_log_t *log, void *context,
			const char **error_r);

#endif
