#ifndef MUS_ASSESSMENT_H
#define MUS_ASSESSMENT_H

/* A competence assessment stored with its conversation: the employee's
   (musAssessmentEmployee, musAssessedEmployee) or the leader's
   (musAssessmentLeader, musAssessedLeader), one value "<code> <level>"
   per competence and "<GeneralizedTime> <answerer DN>". A new answer
   from the same side replaces that side's whole set. */

#include "mus-conversation.h"
#include "mus-competence-form.h"

struct mus_ldap;

enum mus_assessment_result {
	MUS_ASSESSMENT_STORED = 0,
	/* that side has exactly these levels already */
	MUS_ASSESSMENT_UNCHANGED,
};

/* Store items as the leader's (leader TRUE) or the employee's answer,
   given by answerer_dn at now, writing with an assertion on the entryCSN
   (read again and retried when another writer changed it). Returns 1
   with the result, 0 if the conversation was deleted meanwhile, -1 on
   error. */
int mus_assessment_store(struct mus_ldap *conn,
			 const struct mus_conversation *conv, bool leader,
			 const ARRAY_TYPE(mus_assessment_item) *items,
			 const char *answerer_dn, time_t now,
			 enum mus_assessment_result *result_r,
			 const char **error_r);

#endif
