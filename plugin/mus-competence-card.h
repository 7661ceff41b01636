#ifndef MUS_COMPETENCE_CARD_H
#define MUS_COMPETENCE_CARD_H

/* The competence card of a MUS or LUS conversation whose employee has
   answered the competence form: the spider (mus-spider) of the
   employee's levels, with the leader's overlaid when the leader answered
   too, attached to the updated invitation as a PNG (every mail client
   shows it) and as an HTML card (a title, the spider as inline SVG and a
   table of each competence with both sides' levels in words). Titles
   come from the profile the form was sent for (musJobProfileRef on the
   conversation); the levels from musAssessmentEmployee / -Leader. */

#include "mus-settings.h"
#include "mus-competence-form.h"
#include "mus-message.h"
#include "mus-spider.h"

struct mus_profile;

#define MUS_COMPETENCE_CARD_PNG_SIZE 640
#define MUS_COMPETENCE_CARD_SVG_SIZE 560

struct mus_competence_card {
	const struct mus_profile *profile;
	/* per competence of the profile, in its order (by code) */
	unsigned int count;
	unsigned int employee[MUS_SPIDER_AXES_MAX];
	unsigned int leader[MUS_SPIDER_AXES_MAX];
	bool has_leader;
};

/* Read the stored answers against profile (pure). Returns 1 with the
   card, 0 if the employee has not answered (no card), or -1 with the
   problem in error_r (a value that is no "<code> <level>", a code the
   profile does not have, a competence without a level, a broken
   profile). */
int mus_competence_card_read(const struct mus_profile *profile,
			     const char *const *employee_values,
			     const char *const *leader_values,
			     struct mus_competence_card *card_r,
			     const char **error_r);

/* Append what the attendees must have of the card, for the digest that
   decides whether an invitation is sent again. */
void mus_competence_card_digest(const struct mus_competence_card *card,
				string_t *str);

/* The card's file names in language: the PNG and the HTML card. */
const char *mus_competence_card_png_name(enum mus_language language);
const char *mus_competence_card_html_name(enum mus_language language);

/* The HTML card of employee_name's card in language, from the data
   stack: every text escaped, the SVG inline, no scripts. Returns it, or
   NULL with the problem in error_r. */
const char *mus_competence_card_html(const struct mus_competence_card *card,
				     const char *employee_name,
				     enum mus_language language,
				     const char **error_r);

/* Add the PNG and the HTML card to attachments (data stack). Returns 0,
   or -1 with the problem in error_r and nothing added. */
int mus_competence_card_attach(const struct mus_competence_card *card,
			       const char *employee_name,
			       enum mus_language language,
			       ARRAY_TYPE(mus_message_attachment) *attachments,
			       const char **error_r);

#endif
