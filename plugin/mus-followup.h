#ifndef MUS_FOLLOWUP_H
#define MUS_FOLLOWUP_H

/* Follow-up of approved development plans: the plans and their
   activities as filed in the directory, which reminders are due, and
   which activities are overdue. The decisions are pure functions of a
   plan and the time; mus_followup_load() reads the plans and
   mus_followup_remind() sends the reminders and records each one. */

#include "array.h"
#include "mus-settings.h"

struct mus_ldap;
struct mus_org;

/* An activity that is not done yet: planned, booked or any other value
   than "done". */
#define MUS_ACTIVITY_STATUS_DONE "done"

/* How an activity is marked done by mail: a mail to the organizer whose
   subject holds the word and the activity's reference in brackets
   ("Udført [<entryUUID>]"); either language works. */
#define MUS_FOLLOWUP_DONE_WORD_DA "Udført"
#define MUS_FOLLOWUP_DONE_WORD_EN "Done"

struct mus_activity {
	const char *dn, *csn;
	/* entryUUID: names the activity in reminders and done-mails */
	const char *uuid;
	const char *description, *kind;
	/* the responsible person: a DN, or "Name <address>", or neither */
	const char *responsible_dn, *responsible_name;
	time_t due;		/* 0: no due date */
	bool done;
	time_t reminded;	/* musReminded; 0: not reminded yet */
};
ARRAY_DEFINE_TYPE(mus_activity, struct mus_activity);

struct mus_followup_plan {
	const char *dn, *csn, *name;
	const char *employee_dn, *leader_dn;	/* leader_dn may be NULL */
	time_t follow_up;	/* 0: no follow-up date */
	bool approved;		/* approved by employee and leader */
	/* musRemindedTo: normalised DNs of those reminded of the follow-up
	   meeting; NULL-terminated */
	const char *const *reminded_to;
	ARRAY_TYPE(mus_activity) activities;
};
ARRAY_DEFINE_TYPE(mus_followup_plan, struct mus_followup_plan *);

/* TRUE if the responsible person of a, an activity of plan, should be
   reminded now: the activity is not done, has a due date no more than
   days days away (or already past), was never reminded, and the plan's
   follow-up date (if it has one) has not passed: after it, the activity
   is only reported as overdue. */
bool mus_followup_activity_due(const struct mus_followup_plan *plan,
			       const struct mus_activity *a, time_t now,
			       unsigned int days);
/* TRUE if a's due date has passed and it is not done. */
bool mus_followup_activity_overdue(const struct mus_activity *a, time_t now);
/* TRUE if the follow-up meeting of plan is ahead of now by no more than
   days days and the person ndn has not been reminded of it. */
bool mus_followup_meeting_due(const struct mus_followup_plan *plan,
			      const char *ndn, time_t now, unsigned int days);
/* Split a musResponsibleName value "Name <address>" (or a bare
   address): returns TRUE with the address (and the name, "" when none)
   from the data stack, or FALSE when the value holds no usable
   address. */
bool mus_followup_responsible_address(const char *value, const char **name_r,
				      const char **address_r);

/* Read every approved musPlan under the NULL-terminated bases with its
   activities into plans (allocated from pool; a plan under two of the
   bases is read once). Returns 0, or -1 with the search that failed. */
int mus_followup_load(struct mus_ldap *conn, pool_t pool,
		      const char *const *bases,
		      ARRAY_TYPE(mus_followup_plan) *plans,
		      const char **error_r);

/* Send one mail: returns 1 when the MTA accepted it, 0 when the address
   is refused for good, -1 on a temporary failure (error_r says why). */
typedef int mus_followup_send_t(const char *to, const char *subject,
				const char *body, void *context,
				const char **error_r);
/* Told about each reminder sent and each problem (the run goes on). */
typedef void mus_followup_log_t(bool problem, const char *message,
				void *context);

struct mus_followup_result {
	unsigned int activity_reminders, meeting_reminders;
	/* nobody to mail (no address), refused by the MTA, or a template
	   error: logged, tried again by the next sync */
	unsigned int failed;
};

/* Send every due reminder of plans and record each one in the directory
   right after the MTA accepted it (musReminded on the activity, the
   person's DN in musRemindedTo on the plan), so no reminder is sent
   twice. org holds the people: their addresses, languages and current
   managers. Returns 0, or -1 if the directory or the mail server failed
   (what was sent so far is recorded). */
int mus_followup_remind(struct mus_ldap *conn, const struct mus_settings *set,
			const struct mus_org *org,
			const ARRAY_TYPE(mus_followup_plan) *plans, time_t now,
			mus_followup_send_t *send, mus_followup_log_t *log,
			void *context, struct mus_followup_result *result_r,
			const char **error_r);

#endif
