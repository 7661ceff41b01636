#ifndef MUS_PLAN_FILE_H
#define MUS_PLAN_FILE_H

/* Filing approved plans. A conversation in plan-pending whose current
   plan version (musPlanVersion, the plan in musPlanDraft) the leader and
   every employee have approved (musPlanApproval) gets its plan filed as
   musPlan + musActivity entries (mus-plan-entry) under the employee's
   entry, or under mus_plan_base with a musPlanRef on the employee's entry
   (which gets the musPerson class if it lacks it); a team's plan (GRUS/TUS)
   once for each member. Only then does the conversation become approved;
   a member whose entry is gone is logged and left out. Entries that exist
   already are taken as filed, so a filing cut short is completed by the
   next run. */

struct mus_ldap;
struct mus_conversation;
struct mus_settings;

struct mus_plan_file_result {
	unsigned int filed;
	/* changed by another writer meanwhile: the next run retries */
	unsigned int conflicts;
	/* could not be filed (the draft does not read, an employee's entry
	   is gone: counted per employee); logged */
	unsigned int failed;
};

typedef void mus_plan_file_log_t(const char *message, void *context);

/* File the approved plans of the conversations below round_dn, with now
   as the current time; with dry_run, check them as filing would (an
   employee's entry gone, a draft that does not read: failed, logged) and
   count the ones that would be filed, writing nothing. Returns 0, or -1
   if the directory failed (what was filed so far stays and is counted in
   result). */
int mus_plan_file_round(struct mus_ldap *conn, const struct mus_settings *set,
			const char *round_dn, time_t now, bool dry_run,
			mus_plan_file_log_t *log, void *log_context,
			struct mus_plan_file_result *result,
			const char **error_r);

#endif
