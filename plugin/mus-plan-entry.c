/* An approved plan as LDAP entries. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "unichar.h"
#include "mus-time.h"
#include "mus-plan-entry.h"

ARRAY_DEFINE_TYPE(mus_ldap_mod, struct mus_ldap_mod);

const char *mus_plan_entry_dn(pool_t pool,
			      const struct mus_plan_filing *filing)
{
	const char *cn = filing->team == NULL ?
		t_strdup_printf("plan-%s-v%u", filing->conversation_cn,
				filing->version) :
		t_strdup_printf("plan-%s-%s-v%u", filing->conversation_cn,
				mus_ldap_dn_rdn_value(filing->employee_dn),
				filing->version);

	return p_strdup(pool, mus_ldap_dn_child("cn", cn, filing->parent_dn));
}

/* The form in which caseIgnoreMatch compares a value: case folded, runs
   of spaces as one, none at the ends. From the data stack. */
static const char *mus_plan_entry_match_key(const char *value)
{
	string_t *spaced = t_str_new(strlen(value) + 1);
	buffer_t *folded = t_buffer_create(strlen(value) + 16);
	bool space = FALSE;

	for (const char *p = value; *p != '\0'; p++) {
		if (*p == ' ' || *p == '\t') {
			space = str_len(spaced) > 0;
			continue;
		}
		if (space)
			str_append_c(spaced, ' ');
		space = FALSE;
		str_append_c(spaced, *p);
	}
	/* a goal that is not UTF-8 keeps its own form (validation refuses
	   it before any plan gets here) */
	if (uni_utf8_to_decomposed_titlecase(str_data(spaced), str_len(spaced),
					     folded) < 0)
		return str_c(spaced);
	return t_strndup(folded->data, folded->used);
}

/* The texts of the goals of kind, each value once as LDAP compares. */
static const char *const *
mus_plan_entry_goals(pool_t pool, const struct mus_plan *plan,
		     enum mus_plan_goal_kind kind)
{
	ARRAY_TYPE(const_string) values, keys;
	const struct mus_plan_goal *goal;
	const char *key, *seen;

	p_array_init(&values, pool, array_count(&plan->goals) + 1);
	t_array_init(&keys, array_count(&plan->goals) + 1);
	array_foreach(&plan->goals, goal) {
		bool duplicate = FALSE;

		if (goal->kind != kind)
			continue;
		key = mus_plan_entry_match_key(goal->text);
		array_foreach_elem(&keys, seen)
			duplicate = duplicate || strcmp(seen, key) == 0;
		if (duplicate)
			continue;
		array_push_back(&keys, &key);
		array_push_back(&values, &goal->text);
	}
	array_append_zero(&values);
	return array_front(&values);
}

static const char *const *mus_plan_entry_value(pool_t pool, const char *value)
{
	const char **values = p_new(pool, const char *, 2);

	values[0] = p_strdup(pool, value);
	return values;
}

static void mus_plan_entry_mod(ARRAY_TYPE(mus_ldap_mod) *mods,
			       const char *attr, const char *const *values)
{
	struct mus_ldap_mod *mod;

	if (values[0] == NULL)
		return;
	mod = array_append_space(mods);
	mod->op = MUS_LDAP_MOD_ADD;
	mod->attr = attr;
	mod->values = values;
}

static void mus_plan_entry_add1(pool_t pool, ARRAY_TYPE(mus_ldap_mod) *mods,
				const char *attr, const char *value)
{
	mus_plan_entry_mod(mods, attr, mus_plan_entry_value(pool, value));
}

static const char *mus_plan_entry_date(const struct mus_plan_filing *filing,
				       int days)
{
	return mus_time_generalized(mus_time_from_local(filing->timezone,
							days, 0));
}

static const char *
mus_plan_entry_responsible(const struct mus_plan_filing *filing,
			   const struct mus_plan_responsible *responsible,
			   const char **attr_r)
{
	int member;

	*attr_r = "musResponsible";
	switch (responsible->kind) {
	case MUS_PLAN_RESPONSIBLE_LEADER:
		return filing->leader_dn;
	case MUS_PLAN_RESPONSIBLE_EMPLOYEE:
		return filing->employee_dn;
	case MUS_PLAN_RESPONSIBLE_PERSON:
		break;
	}
	if (filing->team != NULL &&
	    (member = mus_plan_team_find(filing->team, responsible)) >= 0)
		return filing->team->members[member].dn;
	*attr_r = "musResponsibleName";
	if (responsible->name == NULL)
		return responsible->mail;
	if (responsible->mail == NULL)
		return responsible->name;
	return t_strdup_printf("%s <%s>", responsible->name, responsible->mail);
}

static void mus_plan_entry_push(pool_t pool, const char *dn,
				ARRAY_TYPE(mus_ldap_mod) *mods,
				ARRAY_TYPE(mus_plan_entry) *entries)
{
	struct mus_plan_entry *entry = array_append_space(entries);

	array_append_zero(mods);
	entry->dn = p_strdup(pool, dn);
	entry->mods = array_front(mods);
}

static void mus_plan_entry_activity(pool_t pool,
				    const struct mus_plan_filing *filing,
				    const char *plan_dn, unsigned int n,
				    const struct mus_plan_activity *activity,
				    ARRAY_TYPE(mus_plan_entry) *entries)
{
	ARRAY_TYPE(mus_ldap_mod) mods;
	const char *cn = t_strdup_printf("activity-%u", n);
	const char *attr, *responsible;

	p_array_init(&mods, pool, 10);
	mus_plan_entry_add1(pool, &mods, "objectClass", "musActivity");
	mus_plan_entry_add1(pool, &mods, "cn", cn);
	mus_plan_entry_add1(pool, &mods, "description", activity->description);
	mus_plan_entry_add1(pool, &mods, "musActivityKind",
			    mus_plan_activity_kind_name(activity->kind));
	responsible = mus_plan_entry_responsible(filing, &activity->responsible,
						 &attr);
	mus_plan_entry_add1(pool, &mods, attr, responsible);
	mus_plan_entry_add1(pool, &mods, "musDue",
			    mus_plan_entry_date(filing, activity->due));
	mus_plan_entry_add1(pool, &mods, "musActivityStatus", "planned");
	mus_plan_entry_push(pool, mus_ldap_dn_child("cn", cn, plan_dn), &mods,
			    entries);
}

void mus_plan_entries(pool_t pool, const struct mus_plan_filing *filing,
		      const struct mus_plan *plan,
		      ARRAY_TYPE(mus_plan_entry) *entries)
{
	ARRAY_TYPE(mus_ldap_mod) mods;
	const struct mus_plan_activity *activity;
	const char *dn = mus_plan_entry_dn(pool, filing);
	unsigned int n = 0;

	p_array_init(&mods, pool, 20);
	mus_plan_entry_add1(pool, &mods, "objectClass", "musPlan");
	mus_plan_entry_add1(pool, &mods, "cn",
			    mus_ldap_dn_rdn_value(dn));
	mus_plan_entry_add1(pool, &mods, "musEmployee", filing->employee_dn);
	mus_plan_entry_add1(pool, &mods, "musLeader", filing->leader_dn);
	mus_plan_entry_add1(pool, &mods, "musPlanVersion",
			    dec2str(filing->version));
	mus_plan_entry_add1(pool, &mods, "musRoundRef", filing->round_dn);
	mus_plan_entry_add1(pool, &mods, "musConversationRef",
			    filing->conversation_dn);
	mus_plan_entry_mod(&mods, "musGoal",
		mus_plan_entry_goals(pool, plan, MUS_PLAN_GOAL_INDIVIDUAL));
	mus_plan_entry_mod(&mods, "musGoalShared",
		mus_plan_entry_goals(pool, plan, MUS_PLAN_GOAL_SHARED));
	mus_plan_entry_add1(pool, &mods, "musFollowUp",
			    mus_plan_entry_date(filing, plan->follow_up));
	mus_plan_entry_add1(pool, &mods, "musApprovedByEmployee",
			    mus_time_generalized(filing->approved_employee));
	mus_plan_entry_add1(pool, &mods, "musApprovedByLeader",
			    mus_time_generalized(filing->approved_leader));
	mus_plan_entry_add1(pool, &mods, "musApproverEmployee",
			    filing->employee_dn);
	mus_plan_entry_add1(pool, &mods, "musApproverLeader",
			    filing->leader_dn);
	mus_plan_entry_push(pool, dn, &mods, entries);

	array_foreach(&plan->activities, activity) {
		mus_plan_entry_activity(pool, filing, dn, ++n, activity,
					entries);
	}
}
