#ifndef MUS_PLAN_TEXT_H
#define MUS_PLAN_TEXT_H

/* The plan as the leader writes it in a reply to the plan form
   (ical-templates/text/plan-form.<lang>.txt): lines "Label: value", in
   Danish or English whatever the form's language.

     Fælles mål: / Shared goal:            a goal of the workplace
     Individuelt mål: / Mål: / Individual goal: / Goal:
                                           the employee's own goal
     Aktivitet: / Activity:                starts an activity; its
                                           description (Beskrivelse: /
                                           Description: is the same)
     Type: / Kind:                         kursus, uddannelse, læring i
                                           praksis (sidemandsoplæring),
                                           supervision, mentorordning,
                                           nye opgaver, or the English
                                           words, or the musActivityKind
     Ansvarlig: / Responsible:             leder, medarbejder, leader,
                                           employee, or a person: "Name",
                                           "name@domain" or "Name <name@domain>"
     Frist: / Due:                         a date
     Opfølgning: / Follow-up:              a date, once per plan

   Forgiving about layout: case, spaces and hyphens in labels, a trailing
   number ("Aktivitet 2:"), bullets, blank lines, a greeting before the
   plan and lines without a label are all fine; a goal or description
   goes on over the following lines until a blank line or a label. Quoted
   lines ('>'), everything from the quoted original on ("On ... wrote:",
   "-----Original Message-----", Outlook's From:/Sent: block, ...) and
   from a signature line ("-- ") on are left out. An empty field, and an
   activity whose fields are all empty, count as not written, so the form
   itself may stay in the reply. Strict about meaning: an unknown kind, a
   date that cannot be read or does not exist, a field outside an
   activity or given twice are problems at their line. */

#include "mus-plan.h"

/* A larger body is refused. */
#define MUS_PLAN_TEXT_MAX_SIZE (256 * 1024)

/* Read and validate the plan in a reply body: body_text if it has any
   text, else body_html as text; either may be NULL. today is the local
   date (days since 1970-01-01). Returns 0 with *plan_r allocated from
   problems->pool; or -1 with every problem added to problems (line
   numbers count the lines of the plain body, or of the HTML body as
   text), and *plan_r untouched. team is the team of a GRUS/TUS
   conversation, whose rules apply too (mus_plan_validate()), or NULL. */
int mus_plan_text_parse(const char *body_text, const char *body_html,
			int today, const struct mus_plan_team *team,
			struct mus_plan_problems *problems,
			struct mus_plan **plan_r);

enum mus_plan_date_result {
	MUS_PLAN_DATE_OK = 0,
	/* not written as a date we read */
	MUS_PLAN_DATE_UNREADABLE,
	/* written as a date, but the day does not exist (31.4.2027) */
	MUS_PLAN_DATE_IMPOSSIBLE,
};

/* Read a date written by a person: 2027-03-01, 1.3.2027, 01-03-2027,
   1/3/2027 (day first), "1. marts 2027", "1 March 2027", "March 1, 2027",
   "Mar 1st 2027", also after a weekday ("mandag den 1. marts 2027").
   The year has four digits. On OK, *days_r is days since 1970-01-01;
   otherwise it is untouched. */
enum mus_plan_date_result mus_plan_text_parse_date(const char *value,
						   int *days_r);

#endif
