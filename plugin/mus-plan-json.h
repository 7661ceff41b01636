#ifndef MUS_PLAN_JSON_H
#define MUS_PLAN_JSON_H

/* The plan as JSON, for `doveadm mus plan submit` (admins and HR
   systems). Strict: no key outside this shape, none twice, every type as
   shown, dates as YYYY-MM-DD.

     {
       "goals": [ { "kind": "shared" | "individual", "text": "..." } ],
       "activities": [ {
           "description": "...",
           "kind": "course" | "education" | "practice" | "supervision" |
                   "mentoring" | "new-tasks",
           "responsible": "leader" | "employee" |
                          { "name": "...", "mail": "..." },
           "due": "2027-03-01" } ],
       "follow_up": "2027-06-01"
     }

   A person responsible has "name", "mail" or both. */

#include "mus-plan.h"

/* A larger document is refused. */
#define MUS_PLAN_JSON_MAX_SIZE (256 * 1024)

/* Read and validate the plan in data (size bytes, not NUL-terminated);
   today is the local date (days since 1970-01-01). Returns 0 with
   *plan_r allocated from problems->pool; or -1 with every problem added
   to problems, each at its field path ("activities[1].due"), or at the
   line of a JSON syntax error, and *plan_r untouched. team: the team of
   a GRUS/TUS conversation, whose rules apply too, or NULL. */
int mus_plan_json_parse(const void *data, size_t size, int today,
			const struct mus_plan_team *team,
			struct mus_plan_problems *problems,
			struct mus_plan **plan_r);

/* plan (valid: every field given) as one line of JSON in exactly the
   shape above, keys in that order, from the data stack: what
   mus_plan_json_parse() reads back to the same plan. It is the
   musPlanDraft value of a conversation. */
const char *mus_plan_json_write(const struct mus_plan *plan);

#endif
