/* HR's figures: counting conversations, plans and activities by unit
   and leader. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-org.h"
#include "mus-cards.h"
#include "mus-time.h"
#include "mus-hr-figures.h"

struct mus_hr_figures *mus_hr_figures_create(const struct mus_org *org,
					     const struct mus_cards *cards,
					     const char *tz, time_t now)
{
	pool_t pool = pool_alloconly_create("mus hr figures", 16 * 1024);
	struct mus_hr_figures *figs = p_new(pool, struct mus_hr_figures, 1);

	figs->pool = pool;
	figs->tz = tz;
	figs->now = now;
	figs->org = org;
	figs->cards = cards;
	figs->total = p_new(pool, struct mus_hr_group, 1);
	figs->total->key = figs->total->name = "";
	p_array_init(&figs->total->topics, pool, 16);
	p_array_init(&figs->units, pool, 16);
	p_array_init(&figs->leaders, pool, 64);
	p_array_init(&figs->overdue, pool, 16);
	hash_table_create(&figs->unit_table, pool, 0, str_hash, strcmp);
	hash_table_create(&figs->leader_table, pool, 0, str_hash, strcmp);
	return figs;
}

void mus_hr_figures_destroy(struct mus_hr_figures **_figs)
{
	struct mus_hr_figures *figs = *_figs;

	if (figs == NULL)
		return;
	*_figs = NULL;
	hash_table_destroy(&figs->unit_table);
	hash_table_destroy(&figs->leader_table);
	pool_unref(&figs->pool);
}

const char *mus_hr_kind_name(unsigned int kind)
{
	i_assert(kind < MUS_HR_KINDS);
	return kind == MUS_HR_KIND_OTHER ? "other" :
		mus_plan_activity_kind_name(kind);
}

static struct mus_hr_group *
mus_hr_group_get(struct mus_hr_figures *figs, bool unit, const char *key,
		 const char *name)
{
	struct mus_hr_group *group = hash_table_lookup(unit ? figs->unit_table :
						       figs->leader_table, key);

	if (group != NULL)
		return group;
	group = p_new(figs->pool, struct mus_hr_group, 1);
	group->key = p_strdup(figs->pool, key);
	group->name = p_strdup(figs->pool, name);
	p_array_init(&group->topics, figs->pool, 8);
	if (unit) {
		hash_table_insert(figs->unit_table, group->key, group);
		array_push_back(&figs->units, &group);
	} else {
		hash_table_insert(figs->leader_table, group->key, group);
		array_push_back(&figs->leaders, &group);
	}
	return group;
}

static const struct mus_person *
mus_hr_person(const struct mus_hr_figures *figs, const char *ndn)
{
	return ndn == NULL ? NULL : mus_org_find(figs->org, ndn);
}

static struct mus_hr_group *
mus_hr_unit(struct mus_hr_figures *figs, const char *employee_ndn)
{
	const struct mus_person *person = mus_hr_person(figs, employee_ndn);
	const char *unit = person != NULL && person->unit != NULL ?
		person->unit : MUS_HR_UNKNOWN;

	return mus_hr_group_get(figs, TRUE, unit, unit);
}

static struct mus_hr_group *
mus_hr_leader(struct mus_hr_figures *figs, const char *leader_dn,
	      const char *leader_ndn)
{
	const struct mus_person *person = mus_hr_person(figs, leader_ndn);

	if (leader_dn == NULL || leader_ndn == NULL)
		return mus_hr_group_get(figs, FALSE, MUS_HR_UNKNOWN,
					MUS_HR_UNKNOWN);
	return mus_hr_group_get(figs, FALSE, leader_dn,
				person != NULL ? person->cn : leader_dn);
}

void mus_hr_figures_add_conversations(struct mus_hr_figures *figs,
				      const ARRAY_TYPE(mus_conversation) *convs)
{
	struct mus_conversation *conv;

	array_foreach_elem(convs, conv) {
		struct mus_hr_group *groups[3];

		if (conv->status == MUS_CONV_CANCELLED)
			continue;
		groups[0] = figs->total;
		groups[1] = mus_hr_unit(figs, conv->employee_ndns[0]);
		groups[2] = mus_hr_leader(figs, conv->leader_dn,
					  conv->leader_ndn);
		for (unsigned int i = 0; i < N_ELEMENTS(groups); i++) {
			groups[i]->conversations++;
			if (mus_conv_status_took_place(conv->status))
				groups[i]->held++;
			if (conv->status == MUS_CONV_PLAN_REQUESTED ||
			    conv->status == MUS_CONV_PLAN_PENDING)
				groups[i]->plans_pending++;
		}
	}
}

static void mus_hr_topic_add(struct mus_hr_figures *figs,
			     struct mus_hr_group *group, const char *code)
{
	struct mus_hr_topic *topic;

	array_foreach_modifiable(&group->topics, topic) {
		if (strcmp(topic->code, code) == 0) {
			topic->count++;
			return;
		}
	}
	topic = array_append_space(&group->topics);
	topic->code = p_strdup(figs->pool, code);
	topic->card = mus_cards_find(figs->cards, code);
	topic->count = 1;
}

static void mus_hr_activity_add(struct mus_hr_figures *figs,
				const struct mus_filed_plan *plan,
				const struct mus_activity *act)
{
	struct mus_hr_group *groups[3];
	enum mus_plan_activity_kind kind;
	unsigned int k = act->kind != NULL &&
		mus_plan_activity_kind_parse(act->kind, &kind) ?
		(unsigned int)kind : MUS_HR_KIND_OTHER;
	/* card codes compare without case, as the catalogue does */
	const char *code = act->card == NULL ? "" : t_str_lcase(act->card);
	bool overdue = mus_activity_overdue(act, figs->tz, figs->now);

	groups[0] = figs->total;
	groups[1] = mus_hr_unit(figs, plan->employee_ndn);
	groups[2] = mus_hr_leader(figs, plan->leader_dn, plan->leader_ndn);
	for (unsigned int i = 0; i < N_ELEMENTS(groups); i++) {
		groups[i]->activities++;
		groups[i]->kinds[k]++;
		mus_hr_topic_add(figs, groups[i], code);
		if (overdue)
			groups[i]->overdue++;
	}
	if (overdue) {
		struct mus_hr_overdue *od = array_append_space(&figs->overdue);
		const struct mus_person *employee =
			mus_hr_person(figs, plan->employee_ndn);

		od->dn = p_strdup(figs->pool, act->dn);
		od->description = p_strdup(figs->pool, act->description != NULL ?
					   act->description : "");
		od->unit = groups[1]->name;
		od->leader = groups[2]->name;
		od->employee = p_strdup(figs->pool,
			employee != NULL ? employee->cn :
			(plan->employee_ndn != NULL ? plan->employee_ndn :
			 MUS_HR_UNKNOWN));
		od->due = act->due;
	}
}

void mus_hr_figures_add_plans(struct mus_hr_figures *figs,
			      const ARRAY_TYPE(mus_filed_plan) *plans)
{
	struct mus_filed_plan *plan;
	const struct mus_activity *act;

	array_foreach_elem(plans, plan) {
		if (!mus_filed_plan_approved(plan))
			continue;
		figs->total->plans_approved++;
		mus_hr_unit(figs, plan->employee_ndn)->plans_approved++;
		mus_hr_leader(figs, plan->leader_dn, plan->leader_ndn)->plans_approved++;
		array_foreach(&plan->activities, act)
			mus_hr_activity_add(figs, plan, act);
	}
}

static int mus_hr_group_cmp(struct mus_hr_group *const *a,
			    struct mus_hr_group *const *b)
{
	return strcmp((*a)->key, (*b)->key);
}

static int mus_hr_topic_cmp(const struct mus_hr_topic *a,
			    const struct mus_hr_topic *b)
{
	return strcmp(a->code, b->code);
}

static int mus_hr_overdue_cmp(const struct mus_hr_overdue *a,
			      const struct mus_hr_overdue *b)
{
	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	return strcmp(a->dn, b->dn);
}

void mus_hr_figures_finish(struct mus_hr_figures *figs)
{
	struct mus_hr_group *group;

	array_sort(&figs->units, mus_hr_group_cmp);
	array_sort(&figs->leaders, mus_hr_group_cmp);
	array_sort(&figs->overdue, mus_hr_overdue_cmp);
	array_sort(&figs->total->topics, mus_hr_topic_cmp);
	array_foreach_elem(&figs->units, group)
		array_sort(&group->topics, mus_hr_topic_cmp);
	array_foreach_elem(&figs->leaders, group)
		array_sort(&group->topics, mus_hr_topic_cmp);
}
