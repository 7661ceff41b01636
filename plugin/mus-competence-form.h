#ifndef MUS_COMPETENCE_FORM_H
#define MUS_COMPETENCE_FORM_H

/* The competence form: what the employee and the leader get with a MUS
   or LUS invitation (its competences and levels as text for the mail),
   and the answer they reply with, read forgivingly about layout and
   strictly about meaning.

   An answer is one line per competence, "<code>: <level>" ('=' does as
   well as ':', and so do spaces when a level follows, as in a table row
   of an HTML reply; a leading "-", "*" or "•" is ignored); the level as
   mus_level_parse() reads it. A code alone on its line (with or without
   ':') takes its level from the next non-empty line if that is a level
   (a table whose cells are paragraphs). Lines of the quoted original (from "On ...
   wrote:", "-----Original Message-----" and the like on, and lines
   starting with '>') and the signature (from "-- ") are not read, so the
   answer may stand above the quoted form (top-posting) or replace it.
   Any other line is text and is ignored, unless it looks like an answer:
   "<word>: <a level>" with a word that is no code of the profile is an
   unknown code. Each of these is a problem at its line: an unknown code,
   an unknown level for a known code, a code given twice with different
   levels; and, without a line, each competence with no answer. */

#include "mus-plan.h"
#include "mus-profile.h"

/* a form answer is a few lines; far more is no answer */
#define MUS_COMPETENCE_FORM_MAX_SIZE (64 * 1024)

/* A reply's subject that answers a competence form: it holds
   "Kompetenceskema" or "Competence form" (any case), as the form's
   subject does. */
bool mus_competence_form_subject(const char *subject);

struct mus_assessment_item {
	const char *code;
	unsigned int level;
};
ARRAY_DEFINE_TYPE(mus_assessment_item, struct mus_assessment_item);

/* Read the answer to profile's form from a reply's plain and HTML body
   (either may be NULL). Returns 0 with one item per competence of the
   profile, sorted by code (allocated from problems->pool), or -1 with
   the problems added to problems (items_r untouched). */
int mus_competence_form_parse(const char *body_text, const char *body_html,
			      const struct mus_profile *profile,
			      struct mus_plan_problems *problems,
			      ARRAY_TYPE(mus_assessment_item) *items_r);

/* The LDAP value of an item, "<code> <level>", and back (FALSE if value
   is none). From the data stack. */
const char *mus_assessment_item_value(const struct mus_assessment_item *item);
bool mus_assessment_item_parse(const char *value,
			       struct mus_assessment_item *item_r);

/* The texts the form's template shows (LF line ends, data stack): each
   competence of profile as "<code> – <title in language>" and its
   description (no ':', so a form sent back whole reads as text); the six levels with their number; the lines to fill in,
   "<code>: " each. */
const char *mus_competence_form_competences(const struct mus_profile *profile,
					    enum mus_language language);
const char *mus_competence_form_levels(enum mus_language language);
const char *mus_competence_form_answer_lines(const struct mus_profile *profile);

#endif
