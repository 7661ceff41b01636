#ifndef MUS_ORG_H
#define MUS_ORG_H

#include "hash.h"

/* The organisation as read from the directory: people, who manages whom,
   and the data problems that stand in the way of a round. Pure logic: the
   directory is reached only through the callback given to
   mus_org_analyze(), so unit tests build organisations by hand. */

enum mus_problem_kind {
	MUS_PROBLEM_NO_MAIL = 0,
	MUS_PROBLEM_INVALID_VALUE,
	MUS_PROBLEM_SEVERAL_MANAGERS,
	MUS_PROBLEM_MANAGER_MISSING,
	MUS_PROBLEM_MANAGER_OUT_OF_SCOPE,
	MUS_PROBLEM_MANAGER_CYCLE,
	MUS_PROBLEM_NO_MANAGER,
	MUS_PROBLEM_LEADER_WITHOUT_REPORTS,
	MUS_PROBLEM_LEADER_WITHOUT_MAIL,
	MUS_PROBLEM_WIDE_SPAN,
	MUS_PROBLEM_DUPLICATE_MAIL,
	MUS_PROBLEM_LONG_TERM_LEAVE,

	MUS_PROBLEM_KIND_COUNT
};

/* A leader with more direct reports than this is reported: one leader
   cannot hold that many conversations in an ordinary round window. */
#define MUS_ORG_WIDE_SPAN 25

struct mus_person {
	/* filled by whoever reads the directory */
	const char *dn;			/* as the server wrote it */
	const char *ndn;		/* mus_ldap_dn_normalize() form */
	const char *uid;
	const char *cn;			/* else uid, else the DN: never NULL */
	const char *unit;
	const char *const *mails;	/* NULL-terminated, maybe empty */
	const char *manager_dn;		/* first manager value, or NULL */
	const char *manager_ndn;
	unsigned int manager_count;
	bool leader_role;		/* employeeType says leader */
	bool exempt;			/* musExempt: no conversation */
	time_t absent_until;		/* 0: not on leave */
	const char *fb_url;		/* calFBURL, or NULL */
	const char *language;		/* musLanguage/preferredLanguage, or NULL */
	const char *title;		/* title, or NULL */
	const char *job_profile_ndn;	/* musJobProfileRef normalised, or NULL */
	const char *invalid;		/* why a value was unusable, or NULL */

	/* filled by mus_org_analyze() */
	struct mus_person *manager;	/* NULL: none in scope */
	bool manager_outside;		/* manager exists outside the scope */
	unsigned int report_count;
	/* 1 for a top (no manager), manager's level + 1 below it; 0 when the
	   chain upwards ends in a missing manager or a cycle */
	unsigned int level;
	bool in_cycle;			/* on a manager cycle */
	unsigned int walk_state;	/* private to mus_org_analyze() */
};

struct mus_org_problem {
	enum mus_problem_kind kind;
	const struct mus_person *person;
	const char *detail;
};
ARRAY_DEFINE_TYPE(mus_person, struct mus_person *);
/* a set of people: each maps to itself */
HASH_TABLE_DEFINE_TYPE(mus_person_set, struct mus_person *, struct mus_person *);
ARRAY_DEFINE_TYPE(mus_org_problem, struct mus_org_problem);

struct mus_org {
	pool_t pool;
	const char *timezone;
	ARRAY_TYPE(mus_person) people;		/* sorted by ndn once analysed */
	ARRAY_TYPE(mus_person) tops;
	ARRAY_TYPE(mus_org_problem) problems;
	unsigned int leader_count;
	unsigned int depth;
	/* ndn -> person, built by mus_org_analyze() */
	HASH_TABLE(const char *, struct mus_person *) by_dn;
};

/* Returns 1 if an entry with this DN exists outside the scope, 0 if it
   does not exist at all, -1 on error. */
typedef int mus_org_dn_exists_t(const char *dn, void *context,
				const char **error_r);

/* An empty organisation; dates in its problems are local dates in zone
   timezone (which must outlive it). */
struct mus_org *mus_org_create(const char *timezone);
void mus_org_destroy(struct mus_org **org);

/* Add a person; the org takes nothing from the caller: all strings must
   be allocated from org->pool. */
void mus_org_add(struct mus_org *org, struct mus_person *person);

/* Link managers, count reports and levels, and collect every problem.
   `now` decides who is on leave. dn_exists is asked about managers that
   are not in scope. Returns 0, or -1 if dn_exists failed. */
int mus_org_analyze(struct mus_org *org, time_t now,
		    mus_org_dn_exists_t *dn_exists, void *context,
		    const char **error_r);

/* The person with this normalised DN, or NULL. Only after analysis. */
struct mus_person *mus_org_find(const struct mus_org *org, const char *ndn);
/* The person with this DN as written (normalised here), or NULL (also
   for NULL or a DN that does not parse). */
struct mus_person *mus_org_find_dn(const struct mus_org *org, const char *dn);

/* The stable name of a problem kind, as printed by doveadm mus status. */
const char *mus_problem_kind_name(enum mus_problem_kind kind);

#endif
