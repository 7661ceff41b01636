#ifndef MUS_ROSTER_H
#define MUS_ROSTER_H

/* The roster of a round: which conversations the organisation calls for.
   Pure logic on an analysed struct mus_org.

   MUS:       one per person with a manager: the person and the manager.
   LUS:       one per leader with a manager: the leader and their manager.
   GRUS/TUS:  one per team (a groupOfNames whose owner is in scope) with
              its members in scope; a person in scope who is in no such
              team gets an individual conversation as in MUS.
   A conversation that cannot take place still appears, with the reason
   (no mail, manager missing, manager cycle, absent, exempt), so that
   nobody is left out silently. */

#include "mus-round.h"

struct mus_org;
struct mus_person;

struct mus_team {
	const char *dn;			/* NULL: a leader's direct reports */
	const char *name;		/* cn, or the RDN value */
	const char *owner_ndn;		/* normalised */
	const char *const *member_ndns;	/* normalised, NULL-terminated */
};

ARRAY_DEFINE_TYPE(mus_team, struct mus_team);

/* how the reasons HR's marks give read: "the employee is exempt
   (musExempt)", "the leader is absent until 2027-05-01, after the window
   ends" */
#define MUS_ROSTER_EXEMPT "is exempt (musExempt)"
#define MUS_ROSTER_ABSENT "is absent until"

struct mus_wanted {
	const char *cn;			/* RDN value under the round */
	const char *leader_dn;		/* musLeader as written */
	struct mus_person *leader;	/* NULL if not in scope */
	struct mus_person **members;
	unsigned int member_count;
	const char *team_dn;		/* GRUS/TUS team, or NULL */
	const char *reason;		/* NULL: can be scheduled */
	/* the reason is HR's decision about a person (musExempt, an absence
	   past the window): a conversation already on its way is withdrawn
	   rather than kept */
	bool withdraw;
};
ARRAY_DEFINE_TYPE(mus_wanted, struct mus_wanted *);

/* Add every conversation of the round to wanted, allocated from pool,
   sorted by cn. */
void mus_roster_build(pool_t pool, const struct mus_org *org,
		      const struct mus_round *round,
		      const struct mus_team *teams, unsigned int team_count,
		      ARRAY_TYPE(mus_wanted) *wanted);

#endif
