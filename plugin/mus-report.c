/* The figures of doveadm mus status. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-org.h"
#include "mus-round.h"
#include "mus-schedule.h"
#include "mus-cards.h"
#include "mus-hr-figures.h"
#include "mus-time.h"
#include "mus-filed-plans.h"
#include "mus-report.h"

static void mus_report_row(pool_t pool, ARRAY_TYPE(mus_report_row) *rows,
			   const char *type, const char *subject,
			   const char *count, const char *detail)
{
	struct mus_report_row *row = array_append_space(rows);

	row->type = p_strdup(pool, type);
	row->subject = p_strdup(pool, subject);
	row->count = p_strdup(pool, count);
	row->detail = p_strdup(pool, detail);
}

void mus_report_org(pool_t pool, const struct mus_org *org, const char *base,
		    ARRAY_TYPE(mus_report_row) *rows)
{
	const struct mus_org_problem *problem;
	struct mus_person *person;

	mus_report_row(pool, rows, "scope", base,
		       dec2str(array_count(&org->people)), "people in scope");
	mus_report_row(pool, rows, "leaders", base, dec2str(org->leader_count),
		       "people named as manager by someone in scope");
	mus_report_row(pool, rows, "depth", base, dec2str(org->depth),
		       "levels from the top down");
	mus_report_row(pool, rows, "problems", base,
		       dec2str(array_count(&org->problems)), "data problems found");
	array_foreach_elem(&org->tops, person) {
		if (person->report_count > 0) {
			mus_report_row(pool, rows, "top", person->dn,
				       dec2str(person->report_count),
				       "has no manager; direct reports");
		}
	}
	array_foreach_elem(&org->people, person) {
		if (person->report_count > 0) {
			mus_report_row(pool, rows, "leader", person->dn,
				       dec2str(person->report_count),
				       t_strdup_printf("level %u; direct reports",
						       person->level));
		}
	}
	array_foreach(&org->problems, problem) {
		mus_report_row(pool, rows, mus_problem_kind_name(problem->kind),
			       problem->person->dn, "", problem->detail);
	}
}

/* counts by status under one key (a unit or a leader) */
struct mus_report_counts {
	const char *key;
	unsigned int status[MUS_CONV_STATUS_COUNT];
	unsigned int no_slot;
	/* activities past their due date, not done */
	unsigned int overdue;
};
HASH_TABLE_DEFINE_TYPE(mus_report_counts, const char *, struct mus_report_counts *);
ARRAY_DEFINE_TYPE(mus_report_counts, struct mus_report_counts *);

static struct mus_report_counts *
mus_report_counts_get(pool_t pool, HASH_TABLE_TYPE(mus_report_counts) table,
		      ARRAY_TYPE(mus_report_counts) *order, const char *key)
{
	struct mus_report_counts *counts = hash_table_lookup(table, key);

	if (counts == NULL) {
		counts = p_new(pool, struct mus_report_counts, 1);
		counts->key = p_strdup(pool, key);
		hash_table_insert(table, counts->key, counts);
		array_push_back(order, &counts);
	}
	return counts;
}

static int mus_report_counts_cmp(struct mus_report_counts *const *a,
				 struct mus_report_counts *const *b)
{
	return strcmp((*a)->key, (*b)->key);
}

static void mus_report_counts_rows(pool_t pool, ARRAY_TYPE(mus_report_row) *rows,
				   const char *type, const char *prefix,
				   ARRAY_TYPE(mus_report_counts) *order)
{
	struct mus_report_counts *counts;

	array_sort(order, mus_report_counts_cmp);
	array_foreach_elem(order, counts) {
		for (unsigned int s = 0; s < MUS_CONV_STATUS_COUNT; s++) {
			if (counts->status[s] == 0)
				continue;
			mus_report_row(pool, rows, type,
				       t_strconcat(prefix, counts->key, NULL),
				       dec2str(counts->status[s]),
				       mus_conv_status_name(s));
		}
	}
}

void mus_report_round(pool_t pool, const struct mus_org *org,
		      const struct mus_round *round,
		      const ARRAY_TYPE(mus_conversation) *convs,
		      ARRAY_TYPE(mus_report_row) *rows)
{
	HASH_TABLE_TYPE(mus_report_counts) units, leaders;
	ARRAY_TYPE(mus_report_counts) unit_order, leader_order;
	struct mus_report_counts total, *unit, *leader;
	struct mus_conversation *conv;
	pool_t tmp = pool_alloconly_create("mus report", 4096);

	i_zero(&total);
	hash_table_create(&units, tmp, 0, str_hash, strcmp);
	hash_table_create(&leaders, tmp, 0, str_hash, strcmp);
	p_array_init(&unit_order, tmp, 16);
	p_array_init(&leader_order, tmp, 64);

	array_foreach_elem(convs, conv) {
		const struct mus_person *employee = conv->employee_ndns[0] == NULL ?
			NULL : mus_org_find(org, conv->employee_ndns[0]);
		const char *unit_name = employee != NULL && employee->unit != NULL ?
			employee->unit : "(unknown)";

		unit = mus_report_counts_get(tmp, units, &unit_order, unit_name);
		/* an unreadable conversation may have no leader */
		leader = mus_report_counts_get(tmp, leaders, &leader_order,
					       conv->leader_dn != NULL ?
					       conv->leader_dn : "(unknown)");
		total.status[conv->status]++;
		unit->status[conv->status]++;
		leader->status[conv->status]++;
		if (conv->status == MUS_CONV_UNSCHEDULABLE &&
		    conv->reason != NULL &&
		    str_begins(conv->reason, MUS_SCHEDULE_NO_SLOT))
			leader->no_slot++;
	}

	mus_report_row(pool, rows, "round", round->dn, dec2str(array_count(convs)),
		       t_strdup_printf("%s %s, %s",
				       mus_round_kind_name(round->kind),
				       mus_round_state_name(round->state),
				       round->name));
	for (unsigned int s = 0; s < MUS_CONV_STATUS_COUNT; s++) {
		if (total.status[s] > 0) {
			mus_report_row(pool, rows, "round-status", round->dn,
				       dec2str(total.status[s]),
				       mus_conv_status_name(s));
		}
	}
	mus_report_counts_rows(pool, rows, "unit-status",
			       t_strconcat(round->name, ": ", NULL), &unit_order);
	mus_report_counts_rows(pool, rows, "leader-status", "", &leader_order);
	array_foreach_elem(&leader_order, leader) {
		if (leader->no_slot > 0) {
			mus_report_row(pool, rows, "shortfall", leader->key,
				       dec2str(leader->no_slot),
				       t_strdup_printf("%s: conversations without a free slot",
						       round->name));
		}
	}
	array_foreach_elem(convs, conv) {
		if (conv->status != MUS_CONV_UNSCHEDULABLE &&
		    conv->status != MUS_CONV_FAILED)
			continue;
		mus_report_row(pool, rows, mus_conv_status_name(conv->status),
			       conv->employee_dns[0] != NULL ?
			       conv->employee_dns[0] : conv->dn, "",
			       conv->reason != NULL ? conv->reason : "");
	}
	hash_table_destroy(&units);
	hash_table_destroy(&leaders);
	pool_unref(&tmp);
}

/* one row unless count is 0 */
static void mus_report_count(pool_t pool, ARRAY_TYPE(mus_report_row) *rows,
			     const char *type, const char *subject,
			     unsigned int count, const char *detail)
{
	if (count > 0)
		mus_report_row(pool, rows, type, subject, dec2str(count), detail);
}

static const char *mus_report_topic(const struct mus_hr_topic *topic,
				    enum mus_language language)
{
	if (topic->code[0] == '\0')
		return "(none)";
	if (topic->card == NULL)
		return topic->code;
	return t_strdup_printf("%s: %s", topic->code,
			       topic->card->title[language]);
}

void mus_report_hr(pool_t pool, const struct mus_hr_figures *figs,
		   enum mus_language language, ARRAY_TYPE(mus_report_row) *rows)
{
	struct mus_hr_group *group;
	const struct mus_hr_topic *topic;

	array_foreach_elem(&figs->units, group) {
		mus_report_count(pool, rows, "unit-plans", group->key,
				 group->plans_pending, "pending");
		mus_report_count(pool, rows, "unit-plans", group->key,
				 group->plans_approved, "approved");
	}
	array_foreach_elem(&figs->leaders, group) {
		mus_report_count(pool, rows, "leader-plans", group->key,
				 group->plans_pending, "pending");
		mus_report_count(pool, rows, "leader-plans", group->key,
				 group->plans_approved, "approved");
	}
	array_foreach_elem(&figs->units, group) {
		for (unsigned int k = 0; k < MUS_HR_KINDS; k++) {
			mus_report_count(pool, rows, "unit-activity-kind",
					 group->key, group->kinds[k],
					 mus_hr_kind_name(k));
		}
		array_foreach(&group->topics, topic) {
			mus_report_count(pool, rows, "unit-activity-topic",
					 group->key, topic->count,
					 mus_report_topic(topic, language));
		}
	}
}

/* rows of the overdue counts under each key, in key order */
static void mus_report_overdue_rows(pool_t pool, ARRAY_TYPE(mus_report_row) *rows,
				    const char *type,
				    ARRAY_TYPE(mus_report_counts) *order)
{
	struct mus_report_counts *counts;

	array_sort(order, mus_report_counts_cmp);
	array_foreach_elem(order, counts) {
		mus_report_row(pool, rows, type, counts->key,
			       dec2str(counts->overdue),
			       "activities past their due date, not done");
	}
}

void mus_report_overdue(pool_t pool, const struct mus_org *org,
			const ARRAY_TYPE(mus_filed_plan) *plans,
			const char *tz, time_t now,
			ARRAY_TYPE(mus_report_row) *rows)
{
	HASH_TABLE_TYPE(mus_report_counts) units, leaders;
	ARRAY_TYPE(mus_report_counts) unit_order, leader_order;
	ARRAY_TYPE(mus_report_row) activity_rows;
	struct mus_filed_plan *plan;
	const struct mus_activity *a;
	unsigned int total = 0;
	pool_t tmp = pool_alloconly_create("mus report overdue", 4096);

	hash_table_create(&units, tmp, 0, str_hash, strcmp);
	hash_table_create(&leaders, tmp, 0, str_hash, strcmp);
	p_array_init(&unit_order, tmp, 16);
	p_array_init(&leader_order, tmp, 16);
	p_array_init(&activity_rows, tmp, 16);
	array_foreach_elem(plans, plan) {
		const char *unit_name, *leader_dn;
		const struct mus_person *employee = plan->employee_ndn == NULL ?
			NULL : mus_org_find(org, plan->employee_ndn);

		if (!mus_filed_plan_approved(plan))
			continue;
		unit_name = employee != NULL && employee->unit != NULL ?
			employee->unit : "(unknown)";
		/* the leader who has to act now: the current manager */
		leader_dn = employee != NULL && employee->manager_dn != NULL ?
			employee->manager_dn : (plan->leader_dn != NULL ?
						plan->leader_dn : "(none)");
		array_foreach(&plan->activities, a) {
			if (!mus_activity_overdue(a, tz, now))
				continue;
			total++;
			mus_report_counts_get(tmp, units, &unit_order,
					      unit_name)->overdue++;
			mus_report_counts_get(tmp, leaders, &leader_order,
					      leader_dn)->overdue++;
			mus_report_row(pool, &activity_rows, "overdue-activity",
				       a->dn, "", t_strdup_printf(
					"due %s: %s", mus_time_local_date(tz, a->due),
					a->description == NULL ? "-" :
					a->description));
		}
	}
	mus_report_row(pool, rows, "overdue", "total", dec2str(total),
		       "activities past their due date, not done");
	mus_report_overdue_rows(pool, rows, "overdue-unit", &unit_order);
	mus_report_overdue_rows(pool, rows, "overdue-leader", &leader_order);
	array_append_array(rows, &activity_rows);
	hash_table_destroy(&units);
	hash_table_destroy(&leaders);
	pool_unref(&tmp);
}
