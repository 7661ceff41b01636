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
   again. GRUS/TUS (team) conversations get no form yet. */

#include "mus-conversation.h"
#include "mus-send.h"

struct mus_ldap;
struct mus_settings;
struct mus_round;
struct mus_org;

enum mus_plan_request_need {
	/* nothing to send */
	MUS_PLAN_REQUEST_NONE = 0,
	/* held and the form was never sent: send it to the leader */
	MUS_PLAN_REQUEST_SEND,
	/* a held team conversation: team plans are not supported yet */
	MUS_PLAN_REQUEST_TEAM,
};

/* What a conversation of a round of the given kind needs (pure). */
enum mus_plan_request_need
mus_plan_request_need(const struct mus_conversation *conv, bool group_round);

struct mus_plan_request_result {
	/* forms the MTA accepted (a dry run: that would be sent) */
	unsigned int sent;
	/* left for the next sync: a temporary failure, a refused address,
	   no address, a template problem (each logged) */
	unsigned int deferred;
	/* held team conversations without a form */
	unsigned int team;
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
