/* Approvals of a plan version. */

#include "lib.h"
#include "strnum.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-plan-approval.h"

const char *mus_plan_approval_value(unsigned int version, time_t when,
				    const char *dn)
{
	return t_strdup_printf("%u %s %s", version, mus_time_generalized(when),
			       dn);
}

bool mus_plan_approval_parse(const char *value, unsigned int *version_r,
			     time_t *when_r, const char **dn_r)
{
	const char *const *parts = t_strsplit(value, " ");
	const char *dn;
	unsigned int version;
	time_t when;

	if (parts[0] == NULL || parts[1] == NULL || parts[2] == NULL)
		return FALSE;
	if (str_to_uint(parts[0], &version) < 0 ||
	    mus_time_parse_generalized(parts[1], &when) < 0)
		return FALSE;
	/* the DN is the rest, spaces and all */
	dn = value + strlen(parts[0]) + 1 + strlen(parts[1]) + 1;
	if (*dn == '\0')
		return FALSE;
	*version_r = version;
	*when_r = when;
	*dn_r = t_strdup(dn);
	return TRUE;
}

bool mus_plan_approval_find(const char *const *values, unsigned int version,
			    const char *ndn, time_t *when_r)
{
	const char *dn, *value_ndn, *error;
	unsigned int value_version;
	time_t when, earliest = 0;
	bool found = FALSE;

	for (; *values != NULL; values++) {
		if (!mus_plan_approval_parse(*values, &value_version, &when,
					     &dn) ||
		    value_version != version)
			continue;
		if (mus_ldap_dn_normalize(pool_datastack_create(), dn,
					  &value_ndn, &error) < 0 ||
		    strcmp(value_ndn, ndn) != 0)
			continue;
		if (!found || when < earliest)
			earliest = when;
		found = TRUE;
	}
	if (found)
		*when_r = earliest;
	return found;
}
