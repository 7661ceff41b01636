#ifndef MUS_COMPETENCE_REQUEST_H
#define MUS_COMPETENCE_REQUEST_H

/* The competence form by mail: once the invitation of a MUS or LUS
   conversation has gone out, the employee gets the form of their job
   profile (text/competence-form.<lang>.txt) and the leader the same form
   about the employee (text/competence-form-leader.<lang>.txt), each in
   their language, as mails of their own. GRUS/TUS get none, and neither
   does an employee without a usable profile (mus-profile.h).

   Never twice: each recipient is recorded on the conversation as
   musCompetenceFormSentTo while the MTA waits for the end of the message;
   the first record also adds the class musCompetenceAssessment and fixes
   musJobProfileRef (the profile answers are checked against), asserting
   the entryCSN read just before. A record that cannot be written
   withholds the message (the MTA keeps nothing); two hosts adding the
   same address cannot both succeed. A message the MTA then defers has
   its record taken back; one it refuses for good is recorded all the
   same (it would be refused again), so that the other still gets theirs. When everybody has it, musCompetenceFormSent
   is written and the conversation is done. The round's lease keeps two
   syncs off the same round. The one gap: a sync that dies between the
   record and the end of data leaves that person recorded without the
   mail. */

#include "mus-conversation.h"
#include "mus-send.h"

struct mus_ldap;
struct mus_settings;
struct mus_round;
struct mus_org;
struct mus_profiles;

/* Is conv, as a sync read it before sending, one whose form may be due
   (pure): MUS or LUS (not group_round), one employee, not over or
   withdrawn, and the form not sent to everybody yet. */
bool mus_competence_request_wanted(const struct mus_conversation *conv,
				   bool group_round);

struct mus_competence_request_result {
	/* forms the MTA accepted (a dry run: would be sent) */
	unsigned int sent;
	/* left for the next sync (each logged) */
	unsigned int deferred;
};

struct mus_competence_request {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const struct mus_round *round;
	const struct mus_org *org;
	const struct mus_profiles *profiles;
	bool dry_run;
	unsigned int smtp_timeout_msecs;
	mus_send_log_t *log;
	void *context;
};

/* Send the forms the round's conversations need and record them.
   Returns 0, or -1 if the directory failed. */
int mus_competence_request_round(const struct mus_competence_request *req,
				 const ARRAY_TYPE(mus_conversation) *convs,
				 struct mus_competence_request_result *result,
				 const char **error_r);

#endif
