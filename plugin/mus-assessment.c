/* Storing a competence assessment on its conversation. */

#include "lib.h"
#include "array.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-assessment.h"

/* another writer changed the conversation meanwhile: read it again */
#define MUS_ASSESSMENT_MAX_ATTEMPTS 5

struct mus_assessment_try {
	struct mus_ldap *conn;
	bool leader;
	const char *const *values;
	const char *assessed;
	enum mus_assessment_result result;
};

static bool mus_assessment_same(const char *const *stored,
				const char *const *values)
{
	if (str_array_length(stored) != str_array_length(values))
		return FALSE;
	for (; *values != NULL; values++) {
		if (!str_array_icase_find(stored, *values))
			return FALSE;
	}
	return TRUE;
}

static int mus_assessment_try(const struct mus_conversation *conv,
			      void *context, const char **error_r)
{
	struct mus_assessment_try *t = context;
	struct mus_ldap_mod mods[3];

	if (mus_assessment_same(t->leader ? conv->assessment_leader :
				conv->assessment_employee, t->values)) {
		t->result = MUS_ASSESSMENT_UNCHANGED;
		return 1;
	}
	i_zero(&mods);
	mods[0].attr = t->leader ? "musAssessmentLeader" : "musAssessmentEmployee";
	mods[0].values = t->values;
	mods[1].attr = t->leader ? "musAssessedLeader" : "musAssessedEmployee";
	mods[1].values = mus_ldap_values1(t->assessed);
	t->result = MUS_ASSESSMENT_STORED;
	return mus_ldap_modify(t->conn, conv->dn, mods,
			       mus_ldap_csn_assertion(conv->csn),
			       error_r);
}

int mus_assessment_store(struct mus_ldap *conn,
			 const struct mus_conversation *conv, bool leader,
			 const ARRAY_TYPE(mus_assessment_item) *items,
			 const char *answerer_dn, time_t now,
			 enum mus_assessment_result *result_r,
			 const char **error_r)
{
	struct mus_assessment_try t = { .conn = conn, .leader = leader };
	const struct mus_assessment_item *item;
	ARRAY_TYPE(const_string) values;
	const char *value;
	int ret;

	t_array_init(&values, array_count(items) + 1);
	array_foreach(items, item) {
		value = mus_assessment_item_value(item);
		array_push_back(&values, &value);
	}
	array_append_zero(&values);
	t.values = array_front(&values);
	t.assessed = t_strdup_printf("%s %s", mus_time_generalized(now),
				     answerer_dn);
	ret = mus_conversation_update(conn, conv, MUS_ASSESSMENT_MAX_ATTEMPTS,
				      "the competence assessment was stored",
				      mus_assessment_try, &t, error_r);
	if (ret > 0)
		*result_r = t.result;
	return ret;
}
