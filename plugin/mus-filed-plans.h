#ifndef MUS_FILED_PLANS_H
#define MUS_FILED_PLANS_H

/* The filed development plans as the directory holds them: every musPlan
   (under the people's entries or under mus_plan_base, approved or not)
   with its musActivity children, read in one search per base. The one
   reader of filed plans: HR's figures, the follow-up reminders, overdue
   activities and purge all take its result. */

#include "array.h"

struct mus_ldap;

/* An activity that is not done yet: planned, booked or any other value
   than "done". */
#define MUS_ACTIVITY_STATUS_DONE "done"

struct mus_activity {
	const char *dn, *csn;
	/* entryUUID: names the activity in reminders and done-mails */
	const char *uuid;
	const char *description;	/* NULL: none */
	const char *kind;		/* musActivityKind as stored; NULL: none */
	const char *card;		/* musCard; NULL: none */
	/* the responsible person: a DN, or "Name <address>", or neither */
	const char *responsible_dn, *responsible_name;
	time_t due;		/* 0: none or unparsable */
	bool done;		/* musActivityStatus done */
	time_t reminded;	/* musReminded; 0: not reminded yet */
};
ARRAY_DEFINE_TYPE(mus_activity, struct mus_activity);

struct mus_filed_plan {
	const char *dn, *ndn, *name;
	/* musEmployee and musLeader; the normalised forms are NULL when the
	   value is missing or does not parse */
	const char *employee_dn, *employee_ndn;
	const char *leader_dn, *leader_ndn;
	/* musConversationRef, normalised; NULL: none. The copies of a team
	   plan (one per member) share it. */
	const char *conversation_ndn;
	time_t follow_up;	/* musFollowUp; 0: none or unparsable */
	/* musApprovedByEmployee and musApprovedByLeader; 0: none or
	   unparsable */
	time_t approved_by_employee, approved_by_leader;
	/* musRemindedTo: normalised DNs of those reminded of the follow-up
	   meeting; NULL-terminated */
	const char *const *reminded_to;
	ARRAY_TYPE(mus_activity) activities;
};
ARRAY_DEFINE_TYPE(mus_filed_plan, struct mus_filed_plan *);

/* Both have approved it (with a time that parses). */
static inline bool mus_filed_plan_approved(const struct mus_filed_plan *plan)
{
	return plan->approved_by_employee != 0 && plan->approved_by_leader != 0;
}

/* TRUE if a is not done and its due date (a local date in zone tz) is over
   at now: the due day itself still counts as in time. */
bool mus_activity_overdue(const struct mus_activity *a, const char *tz,
			  time_t now);

/* The copies of a team plan (one per member, sharing musConversationRef)
   hold the same activities, named alike (cn=activity-<n>): an activity
   marked done in any copy (a done-mail marks the copy it names) is done
   in every copy. */
void mus_filed_plans_team_done(ARRAY_TYPE(mus_filed_plan) *plans);

/* A team plan is filed as one copy per member, sharing the conversation,
   with the same activities and leader: whoever is responsible for an
   activity, and the leader for the follow-up meeting, is reminded once
   for all copies. The key of what is about (e.g. "meeting") name, the same
   in every copy, from the data stack; NULL for a plan without
   musConversationRef or without a name. */
const char *mus_filed_team_key(const struct mus_filed_plan *plan,
			       const char *about, const char *name);
/* The key of activity a (about "activity", by its RDN value). */
const char *mus_filed_activity_team_key(const struct mus_filed_plan *plan,
					const struct mus_activity *a);

/* Read every plan with its activities below each base of the
   NULL-terminated list bases (the people base, and mus_plan_base when
   set) into plans, allocated from pool; an entry below two of the bases
   is read once, and a base inside an earlier one is not searched again.
   A value that does not parse is read as absent; an activity whose parent
   is no plan is left out. Returns 0, or -1 with the search that failed
   (plans untouched). mus_filed_plans_team_done() is applied. */
int mus_filed_plans_load(struct mus_ldap *conn, pool_t pool,
			 const char *const *bases,
			 ARRAY_TYPE(mus_filed_plan) *plans,
			 const char **error_r);

#endif
