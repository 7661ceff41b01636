#ifndef MUS_PLAN_ENTRY_H
#define MUS_PLAN_ENTRY_H

/* An approved plan as the LDAP entries that file it: one musPlan entry
   and one musActivity child per activity. Pure: no directory, so the
   entries can be checked without one.

   The names are fixed by the conversation and the plan version
   (cn=plan-<conversation cn>-v<version>, its children cn=activity-<n>
   counted from 1), so a filing that stopped halfway is completed by the
   next attempt, never filed twice. A team's plan is filed once per member,
   each named by the member too (cn=plan-<conversation cn>-<RDN value of
   the member>-v<version>), so that the members' plans can share
   mus_plan_base. */

#include "mus-ldap.h"
#include "mus-plan.h"

struct mus_plan_filing {
	const char *conversation_dn, *conversation_cn, *round_dn;
	const char *employee_dn, *leader_dn;
	unsigned int version;
	/* when each approved the version, and as whom (their DNs as the
	   conversation names them) */
	time_t approved_employee, approved_leader;
	/* zone of the plan's dates: a date is filed as the UTC time of
	   its local midnight */
	const char *timezone;
	/* where the plan goes: the employee's entry or mus_plan_base */
	const char *parent_dn;
	/* a team's plan, filed for the member employee_dn (NULL: the plan
	   of one employee) */
	const struct mus_plan_team *team;
};

struct mus_plan_entry {
	const char *dn;
	/* ends with attr NULL; ready for mus_ldap_add() */
	const struct mus_ldap_mod *mods;
};
ARRAY_DEFINE_TYPE(mus_plan_entry, struct mus_plan_entry);

/* The plan entry's DN, from pool. */
const char *mus_plan_entry_dn(pool_t pool,
			      const struct mus_plan_filing *filing);

/* Append the plan's entries to entries, parents first, everything from
   pool. The plan entry holds the individual goals (musGoal), the shared
   ones (musGoalShared), musFollowUp, the version, the references and
   both approvals; an activity its description, kind, musDue, status
   "planned", and musResponsible (the leader's or employee's DN, or the
   DN of the team member named) or musResponsibleName ("Name <mail>", or
   whichever of the two is given).
   Goals that LDAP would take for the same value (differing only in case
   or spacing) are filed once, as the directory refuses a value twice. */
void mus_plan_entries(pool_t pool, const struct mus_plan_filing *filing,
		      const struct mus_plan *plan,
		      ARRAY_TYPE(mus_plan_entry) *entries);

#endif
