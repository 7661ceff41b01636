#ifndef MUS_CARDS_H
#define MUS_CARDS_H

/* The conversation cards (samtalekort): the catalogue in
   <mus_templates_dir>/cards/catalogue.json, read with cJSON and checked
   in full, and the choice of cards for one conversation. The format of
   the catalogue is described in ical-templates/cards/README.md. */

#include "array.h"
#include "mus-settings.h"

/* Codes are 1 to this many characters of a-z, 0-9 and '-'. */
#define MUS_CARD_CODE_MAX_LEN 40
/* The leader and the employee may each add this many cards. */
#define MUS_CARDS_MAX_CHOSEN 3
/* A larger catalogue file is refused unread. */
#define MUS_CARDS_CATALOGUE_MAX_SIZE (1024 * 1024)

/* The arrays below are indexed by enum mus_language. */
#define MUS_CARD_LANGUAGES (MUS_LANGUAGE_EN + 1)

struct mus_card {
	const char *code;
	const char *theme;
	const char *title[MUS_CARD_LANGUAGES];
	const char *theme_title[MUS_CARD_LANGUAGES];
	bool mandatory;
	/* never used in a group conversation (GRUS/TUS): the Livsfaser
	   cards */
	bool group_excluded;
	/* absolute paths of readable regular files */
	const char *html_path[MUS_CARD_LANGUAGES];
	const char *text_path[MUS_CARD_LANGUAGES];
};
ARRAY_DEFINE_TYPE(mus_card_p, const struct mus_card *);

struct mus_cards;

/* Read and check <templates_dir>/cards/catalogue.json. Returns 0 and a
   catalogue that the caller frees with mus_cards_free(), or -1 with an
   error "<file>:<line>: <reason>" (the line of a JSON syntax error, or
   the line of the "code" of the card at fault; "<file>: <reason>" when
   the file cannot be read at all). cards_r is untouched on failure. */
int mus_cards_load(const char *templates_dir, struct mus_cards **cards_r,
		   const char **error_r);
void mus_cards_free(struct mus_cards **cards);

/* The cards in catalogue order. Every string and the cards themselves
   live as long as the catalogue. */
unsigned int mus_cards_count(const struct mus_cards *cards);
const struct mus_card *mus_cards_idx(const struct mus_cards *cards,
				     unsigned int idx);
/* The card with this code, compared without case; NULL if there is none
   (or code is NULL). */
const struct mus_card *mus_cards_find(const struct mus_cards *cards,
				      const char *code);

/* Choose the cards of one conversation, appending to selected: the
   mandatory cards (catalogue order), then the round's cards (chosen by the
   local MED committee), then at most MUS_CARDS_MAX_CHOSEN cards of the
   leader's codes and at most MUS_CARDS_MAX_CHOSEN of the employee's, each
   list in its own order. Every code list is NULL-terminated and may be
   NULL. A card already selected is skipped without comment and does not
   count towards a limit. Unknown codes, cards that are never used in a
   group conversation (when group_conversation is set) and the codes over
   a limit are left out, and each is described by an English sentence
   (allocated from the data stack) appended to problems. Returns the
   number of problems appended: 0 when every requested card is in. */
unsigned int mus_cards_select(const struct mus_cards *cards,
			      bool group_conversation,
			      const char *const *round_codes,
			      const char *const *leader_codes,
			      const char *const *employee_codes,
			      ARRAY_TYPE(mus_card_p) *selected,
			      ARRAY_TYPE(const_string) *problems);

#endif
