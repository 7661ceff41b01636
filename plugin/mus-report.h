#ifndef MUS_REPORT_H
#define MUS_REPORT_H

/* The figures of doveadm mus status, as rows of type, subject, count and
   detail: one shape for the table and for JSON. */

#include "mus-conversation.h"
#include "mus-settings.h"
#include "mus-filed-plans.h"

struct mus_org;
struct mus_round;
struct mus_hr_figures;

struct mus_report_row {
	const char *type;
	const char *subject;
	const char *count;	/* "" when the row counts nothing */
	const char *detail;
};
ARRAY_DEFINE_TYPE(mus_report_row, struct mus_report_row);

/* The organisation: size, leaders, depth, tops and every data problem. */
void mus_report_org(pool_t pool, const struct mus_org *org, const char *base,
		    ARRAY_TYPE(mus_report_row) *rows);

/* One round: its conversations by status, per unit (of the employee) and
   per leader, every unschedulable conversation with its reason, and each
   leader's shortfall (conversations that found no free slot). org is used
   to find units; people outside it count under unit "(unknown)". */
void mus_report_round(pool_t pool, const struct mus_org *org,
		      const struct mus_round *round,
		      const ARRAY_TYPE(mus_conversation) *convs,
		      ARRAY_TYPE(mus_report_row) *rows);

/* HR's figures (mus-hr-figures): per unit and per leader the plans
   pending and approved, and per unit the agreed activities by kind and by
   card topic (detail "<code>: <title>" in language, just "<code>" for a
   code the catalogue lacks, "(none)" without a card). Zero counts make
   no row. Overdue activities are mus_report_overdue()'s rows. */
void mus_report_hr(pool_t pool, const struct mus_hr_figures *figs,
		   enum mus_language language, ARRAY_TYPE(mus_report_row) *rows);
/* Activities of approved plans past their due date and not done at now:
   the total, per unit and per leader (the employee's current manager,
   else the plan's leader), and one row per activity. */
void mus_report_overdue(pool_t pool, const struct mus_org *org,
			const ARRAY_TYPE(mus_filed_plan) *plans,
			const char *tz, time_t now,
			ARRAY_TYPE(mus_report_row) *rows);

#endif
