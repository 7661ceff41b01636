#ifndef MUS_DONE_H
#define MUS_DONE_H

/* Marking a plan's activity done by mail. The reminder names the
   activity by its reference (its entryUUID) in brackets; a mail to the
   organizer address whose subject holds "[<reference>]" and starts with
   the word "Udført" or "Done" (any case, after any Re:/SV: prefix and
   [tags]), or whose text starts with that word (a reply to the reminder),
   marks it done:
   musActivityStatus becomes "done" and musDoneAt the time. Only the
   employee, the employee's current manager and the activity's
   responsible person may do so, from one of their mail addresses. */

#include "mus-followup.h"

struct mus_ldap;

enum mus_done_outcome {
	MUS_DONE_APPLIED = 0,
	/* it was done already */
	MUS_DONE_UNCHANGED,
	/* no activity has this reference */
	MUS_DONE_UNKNOWN,
	/* the sender is none of the people who may mark it done */
	MUS_DONE_NOT_ALLOWED,
};

/* Returns 1 with the reference (lower-case, data stack) if the mail with
   subject and bodies (as in struct mus_reply; either may be NULL) marks
   an activity done, 0 if it is no done-mail (no done word where it
   counts, or no reference in brackets). */
int mus_done_parse(const char *subject, const char *body_text,
		   const char *body_html, const char **reference_r);

/* Mark the activity with reference done on behalf of the sender from
   (lower-case address, may be NULL), searching the NULL-terminated bases.
   Returns 0 with the outcome and a one-line detail (data stack) naming
   the activity, or -1 with an error if the directory failed. */
int mus_done_apply(struct mus_ldap *conn, const char *const *bases,
		   const char *reference, const char *from, time_t now,
		   enum mus_done_outcome *outcome_r, const char **detail_r,
		   const char **error_r);

#endif
