#ifndef MUS_FOLLOWUP_H
#define MUS_FOLLOWUP_H

/* Follow-up of approved development plans (as mus_filed_plans_load()
   reads them): which reminders are due, and sending them. The decisions
   are pure functions of a plan and the time; mus_followup_remind() sends
   the reminders and records each one. */

#include "mus-settings.h"
#include "mus-filed-plans.h"

struct mus_ldap;
struct mus_org;
struct mus_smtp;

/* How an activity is marked done by mail: a mail to the organizer whose
   subject holds the word and the activity's reference in brackets
   ("Udført [<entryUUID>]"); either language works. */
#define MUS_FOLLOWUP_DONE_WORD_DA "Udført"
#define MUS_FOLLOWUP_DONE_WORD_EN "Done"

/* TRUE if the responsible person of a, an activity of plan, should be
   reminded now: the activity is not done, its due date is no more than
   days calendar days (in zone tz) after today (or already past), it was
   never reminded, and the plan's follow-up date (if it has one) has not
   passed: after it, the activity is only reported as overdue. */
bool mus_followup_activity_due(const struct mus_filed_plan *plan,
			       const struct mus_activity *a, const char *tz,
			       time_t now, unsigned int days);
/* TRUE if the follow-up meeting of plan is ahead of now, on a date no more
   than days calendar days (in zone tz) after today, and the person ndn
   has not been reminded of it. */
bool mus_followup_meeting_due(const struct mus_filed_plan *plan,
			      const char *ndn, const char *tz, time_t now,
			      unsigned int days);
/* Split a musResponsibleName value "Name <address>" (or a bare
   address): returns TRUE with the address (and the name, "" when none)
   from the data stack, or FALSE when the value holds no usable
   address. */
bool mus_followup_responsible_address(const char *value, const char **name_r,
				      const char **address_r);

/* Told about each reminder sent and each problem (the run goes on). */
typedef void mus_followup_log_t(bool problem, const char *message,
				void *context);

struct mus_followup_result {
	unsigned int activity_reminders, meeting_reminders;
	/* nobody to mail (no address), refused by the MTA, or a template
	   error: logged, tried again by the next sync */
	unsigned int failed;
	/* recorded by another sync (on another host) first: not sent here */
	unsigned int raced;
};

/* Send every due reminder of the approved plans among plans through
   smtp. Each reminder is recorded in the directory (musReminded on the
   activity, asserting its entryCSN as read; the person's DN in
   musRemindedTo on the plan, asserting it is not there yet) while the
   mail server waits for the end of the message: if another sync recorded
   it first, the message is withheld, so two syncs at once send each
   reminder once; if the mail server does not take the message after
   all, the record is taken back. org holds the people: their addresses,
   languages and current managers. Returns 0, or -1 if the directory or
   the mail server failed (what was sent so far is recorded). */
int mus_followup_remind(struct mus_ldap *conn, struct mus_smtp *smtp,
			const struct mus_settings *set,
			const struct mus_org *org,
			const ARRAY_TYPE(mus_filed_plan) *plans, time_t now,
			mus_followup_log_t *log, void *context,
			struct mus_followup_result *result_r,
			const char **error_r);

#endif
