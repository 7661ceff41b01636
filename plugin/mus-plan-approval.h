#ifndef MUS_PLAN_APPROVAL_H
#define MUS_PLAN_APPROVAL_H

/* Approvals of a plan version, kept on the conversation as musPlanApproval
   values "<version> <GeneralizedTime> <approver DN>". An approval counts
   only for the version it names: a new version needs new approvals. */

/* The value for an approval, from the data stack. */
const char *mus_plan_approval_value(unsigned int version, time_t when,
				    const char *dn);

/* Returns TRUE with the parts of value (dn_r on the data stack), FALSE
   (outputs untouched) if it does not parse. */
bool mus_plan_approval_parse(const char *value, unsigned int *version_r,
			     time_t *when_r, const char **dn_r);

/* Look among values for the approval of version by the person whose
   normalised DN (mus_ldap_dn_normalize()) is ndn. Returns TRUE with the
   earliest such time; FALSE if there is none. Values that do not parse
   are ignored. */
bool mus_plan_approval_find(const char *const *values, unsigned int version,
			    const char *ndn, time_t *when_r);

#endif
