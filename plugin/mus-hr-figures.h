#ifndef MUS_HR_FIGURES_H
#define MUS_HR_FIGURES_H

/* HR's figures across every round: completion of the conversations,
   plans waiting and approved, and the activities agreed in approved
   plans, per unit (of the employee, as doveadm mus status counts units)
   and per leader. Pure logic: the caller reads the directory. Shown by
   doveadm mus status (mus-report) and on the HTML page (mus-report-html). */

#include "array.h"
#include "hash.h"
#include "mus-conversation.h"
#include "mus-filed-plans.h"
#include "mus-plan.h"

struct mus_org;
struct mus_cards;
struct mus_card;

/* the kinds of activity, and one more for a value that is none of them */
#define MUS_HR_KIND_OTHER MUS_PLAN_ACTIVITY_KINDS
#define MUS_HR_KINDS (MUS_HR_KIND_OTHER + 1)
/* the unit or leader of what cannot be placed */
#define MUS_HR_UNKNOWN "(unknown)"

/* agreed activities on one card topic */
struct mus_hr_topic {
	const char *code;		/* "" for activities without a card */
	const struct mus_card *card;	/* NULL: not in the catalogue */
	unsigned int count;
};
ARRAY_DEFINE_TYPE(mus_hr_topic, struct mus_hr_topic);

/* the figures of a unit, a leader or everybody */
struct mus_hr_group {
	const char *key;		/* unit name or leader DN */
	const char *name;		/* unit name, leader's cn, or the DN */
	/* conversations that are not cancelled, and those held (or further:
	   waiting for a plan or approved) */
	unsigned int conversations, held;
	/* conversations waiting for a plan or its approval (plan-requested,
	   plan-pending), and filed plans approved by both */
	unsigned int plans_pending, plans_approved;
	/* activities of approved plans; those due and not done */
	unsigned int activities, overdue;
	unsigned int kinds[MUS_HR_KINDS];
	ARRAY_TYPE(mus_hr_topic) topics;	/* sorted by code */
};
ARRAY_DEFINE_TYPE(mus_hr_group, struct mus_hr_group *);

struct mus_hr_overdue {
	const char *dn, *description, *unit, *employee, *leader;
	time_t due;
};
ARRAY_DEFINE_TYPE(mus_hr_overdue, struct mus_hr_overdue);

struct mus_hr_figures {
	pool_t pool;
	const char *tz;
	time_t now;
	struct mus_hr_group *total;
	/* sorted by key once mus_hr_figures_finish() was called */
	ARRAY_TYPE(mus_hr_group) units, leaders;
	ARRAY_TYPE(mus_hr_overdue) overdue;	/* earliest due first */

	const struct mus_org *org;
	const struct mus_cards *cards;
	HASH_TABLE(const char *, struct mus_hr_group *) unit_table, leader_table;
};

/* Empty figures counting at time now (due dates are local dates in zone
   tz); org finds units and names, cards the topics (all must outlive the
   figures). Free with mus_hr_figures_destroy(). */
struct mus_hr_figures *mus_hr_figures_create(const struct mus_org *org,
					     const struct mus_cards *cards,
					     const char *tz, time_t now);
void mus_hr_figures_destroy(struct mus_hr_figures **figs);

/* Count the conversations of one round. */
void mus_hr_figures_add_conversations(struct mus_hr_figures *figs,
				      const ARRAY_TYPE(mus_conversation) *convs);
/* Count the approved plans among plans and their activities. */
void mus_hr_figures_add_plans(struct mus_hr_figures *figs,
			      const ARRAY_TYPE(mus_filed_plan) *plans);
/* Sort units, leaders, topics and overdue activities. */
void mus_hr_figures_finish(struct mus_hr_figures *figs);

/* The kind's musActivityKind value, "other" for MUS_HR_KIND_OTHER. */
const char *mus_hr_kind_name(unsigned int kind);

#endif
