#ifndef MUS_FILED_PLANS_H
#define MUS_FILED_PLANS_H

/* Approved and filed development plans as HR's figures need them: the
   musPlan entries (under the people's entries or under mus_plan_base) and
   their musActivity children, read from the directory as they are. */

struct mus_ldap;

struct mus_filed_plan {
	const char *dn, *ndn;
	const char *employee_ndn;	/* NULL: no musEmployee that parses */
	const char *leader_dn, *leader_ndn;	/* NULL: none */
	/* both musApprovedByEmployee and musApprovedByLeader are set */
	bool approved;
};
ARRAY_DEFINE_TYPE(mus_filed_plan, struct mus_filed_plan);

struct mus_filed_activity {
	const char *dn;
	const char *plan_ndn;		/* the parent entry */
	const char *description;
	const char *kind;		/* musActivityKind as stored */
	const char *card;		/* musCard, NULL: none */
	time_t due;			/* 0: none or unparsable */
	bool done;			/* musActivityStatus done */
};
ARRAY_DEFINE_TYPE(mus_filed_activity, struct mus_filed_activity);

struct mus_filed_plans {
	ARRAY_TYPE(mus_filed_plan) plans;
	ARRAY_TYPE(mus_filed_activity) activities;
};

/* Read every plan and activity below each base of the NULL-terminated
   list bases (the people base, and mus_plan_base when set), allocated from
   pool; a base inside an earlier one is not read twice. A value that does
   not parse is read as absent. Returns 0 and fills plans_r, or -1 if the
   directory failed (plans_r untouched). */
int mus_filed_plans_load(struct mus_ldap *conn, pool_t pool,
			 const char *const *bases,
			 struct mus_filed_plans *plans_r,
			 const char **error_r);

#endif
