#ifndef MUS_PLAN_DRAFT_H
#define MUS_PLAN_DRAFT_H

/* A plan waiting for approval, kept on its conversation: musPlanDraft
   (the JSON of mus_plan_json_write()), musPlanVersion (+1 for each draft
   stored) and the status plan-pending. A draft is taken while the
   conversation is plan-requested or plan-pending; one that moved on
   (approved, or anything else) takes none. The leader's reply by mail
   (mus-inbox) and `doveadm mus plan submit` store drafts here. */

#include "mus-conversation.h"
#include "mus-plan.h"

struct mus_ldap;

enum mus_plan_draft_result {
	/* stored as the next version */
	MUS_PLAN_DRAFT_STORED = 0,
	/* the conversation holds this plan already */
	MUS_PLAN_DRAFT_UNCHANGED,
	/* the conversation takes no draft in its status */
	MUS_PLAN_DRAFT_STALE,
};

/* Read conv's draft the way it was when it was submitted: its dates are
   checked against the day the plan was asked for (musPlanRequested, or
   now), so a plan does not go stale while it waits. Returns 0 with
   *plan_r from pool, or -1 with every problem in error_r. */
int mus_plan_draft_read(const struct mus_conversation *conv, const char *tz,
			time_t now, pool_t pool, struct mus_plan **plan_r,
			const char **error_r);

/* The team of conv as the directory has its members now (cn and every
   mail of each musEmployee; a member whose entry is gone is marked so),
   for the team rules of its plan and for filing it; *team_r is NULL when
   conv is no team conversation (mus_conversation_is_team()). Returns 0
   with the team from pool, or -1 if the directory failed. */
int mus_plan_draft_team(struct mus_ldap *conn, pool_t pool,
			const struct mus_conversation *conv,
			const struct mus_plan_team **team_r,
			const char **error_r);

/* TRUE if a conversation in this state takes a draft. */
bool mus_plan_draft_open(const struct mus_conversation *conv);

/* Store plan as conv's draft, asserting the entryCSN conv was read with.
   Returns 1 with *result_r and *version_r (the version the conversation
   holds now); 0 if another writer changed the conversation meanwhile
   (read it again and retry); -1 with an error if the directory failed. */
int mus_plan_draft_store(struct mus_ldap *conn,
			 const struct mus_conversation *conv,
			 const struct mus_plan *plan,
			 enum mus_plan_draft_result *result_r,
			 unsigned int *version_r, const char **error_r);

/* mus_plan_draft_store(), reading the conversation again each time
   another writer changed it meanwhile (a few times). Returns 0 with
   *result_r and *version_r, or -1 with an error. */
int mus_plan_draft_submit(struct mus_ldap *conn, const struct mus_conversation *conv,
			  const struct mus_plan *plan,
			  enum mus_plan_draft_result *result_r,
			  unsigned int *version_r, const char **error_r);

/* Find one conversation below base by what an admin names it with: its
   DN, its musICalUID, or the short reference that mails carry in their
   subject (the start of the UID). Returns 1 with *conv_r from pool, 0
   with *error_r saying why none or several match, -1 if the directory
   failed. */
int mus_plan_draft_find(struct mus_ldap *conn, pool_t pool, const char *base,
			const char *name, struct mus_conversation **conv_r,
			const char **error_r);

#endif
