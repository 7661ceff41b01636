#ifndef MUS_PLAN_REQUEST_H
#define MUS_PLAN_REQUEST_H

/* After a conversation was held, its leader gets the plan form by mail
   (text/plan-form.<lang>.txt in the leader's language), once: when the
   MTA has accepted it, the conversation records the time
   (musPlanRequested) and becomes plan-requested, so no later sync sends
   it again. The leader answers by replying; the subject carries the
   conversation's reference, by which mus-inbox finds it.

   The one crash window is the same as for invitations: between the
   MTA's acceptance and that LDAP write; the next sync then sends the form
   again. A team conversation (GRUS/TUS) gets the form for the team's one
   plan (text/plan-form-team.<lang>.txt), whose goals are shared goals. */

#include "mus-conversation.h"
#include "mus-send.h"

struct mus_ldap;
struct mus_settings;
struct mus_round;
struct mus_org;

/* TRUE if conv was held and its form was never sent: the leader gets it
   (pure). */
bool mus_plan_request_wanted(const struct mus_conversation *conv);

struct mus_plan_request_result {
	/* forms the MTA accepted (a dry run: that would be sent) */
	unsigned int sent;
	/* left for the next sync: a temporary failure, a refused address,
	   no address, a template problem (each logged) */
	unsigned int deferred;
};

struct mus_plan_request {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const struct mus_round *round;
	const struct mus_org *org;	/* names, mails and languages by DN */
	bool dry_run;
	unsigned int smtp_timeout_msecs;
	mus_send_log_t *log;
	void *context;
};

/* Send the form for every conversation of the round that needs it and
   record it. After a temporary failure of the MTA the rest waits for the
   next sync. Returns 0, or -1 if the directory failed (what was sent is
   recorded). */
int mus_plan_request_round(const struct mus_plan_request *req,
			   const ARRAY_TYPE(mus_conversation) *convs,
			   struct mus_plan_request_result *result,
			   const char **error_r);

#endif
