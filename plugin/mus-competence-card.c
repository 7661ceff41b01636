/* The competence card: the spider on the updated invitation. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "mus-profile.h"
#include "mus-level.h"
#include "mus-invitation.h"
#include "mus-spider-module.h"
#include "mus-competence-card.h"

/* the card's words, Danish and English */
static const struct {
	const char *title, *competence, *employee, *leader, *none;
	const char *png, *html;
} mus_card_words[] = {
	[MUS_LANGUAGE_DA] = {
		"Kompetencespind", "Kompetence", "Medarbejder", "Leder",
		"ikke besvaret", "kompetencespind.png", "kompetencespind.html",
	},
	[MUS_LANGUAGE_EN] = {
		"Competence spider", "Competence", "Employee", "Leader",
		"not answered", "competence-spider.png", "competence-spider.html",
	},
};

/* one side's values as one level per competence of profile */
static int mus_card_side(const struct mus_profile *profile,
			 const char *side, const char *const *values,
			 unsigned int *levels, const char **error_r)
{
	const struct mus_competence *competences;
	bool seen[MUS_SPIDER_AXES_MAX];
	unsigned int count;

	competences = array_get(&profile->competences, &count);
	memset(seen, 0, sizeof(seen));
	for (; *values != NULL; values++) {
		const struct mus_competence *c;
		struct mus_assessment_item item;
		unsigned int i;

		if (!mus_assessment_item_parse(*values, &item)) {
			*error_r = t_strdup_printf(
				"the %s's answer '%s' is no '<code> <level>'",
				side, *values);
			return -1;
		}
		c = mus_profile_competence(profile, item.code);
		if (c == NULL) {
			*error_r = t_strdup_printf(
				"the %s's answer '%s' names no competence of the profile %s",
				side, *values, profile->dn);
			return -1;
		}
		i = c - competences;
		if (seen[i]) {
			*error_r = t_strdup_printf(
				"the %s's answer gives '%s' twice", side, c->code);
			return -1;
		}
		levels[i] = item.level;
		seen[i] = TRUE;
	}
	for (unsigned int i = 0; i < count; i++) {
		if (!seen[i]) {
			*error_r = t_strdup_printf(
				"the %s's answer has no level for '%s'",
				side, competences[i].code);
			return -1;
		}
	}
	return 0;
}

int mus_competence_card_read(const struct mus_profile *profile,
			     const char *const *employee_values,
			     const char *const *leader_values,
			     struct mus_competence_card *card_r,
			     const char **error_r)
{
	struct mus_competence_card card;

	if (employee_values == NULL || employee_values[0] == NULL)
		return 0;
	if (profile->problem != NULL) {
		*error_r = t_strdup_printf("the profile %s is not usable: %s",
					   profile->dn, profile->problem);
		return -1;
	}
	i_zero(&card);
	card.profile = profile;
	card.count = array_count(&profile->competences);
	if (card.count < MUS_SPIDER_AXES_MIN || card.count > MUS_SPIDER_AXES_MAX) {
		*error_r = t_strdup_printf("the profile %s has %u competences",
					   profile->dn, card.count);
		return -1;
	}
	if (mus_card_side(profile, "employee", employee_values,
			  card.employee, error_r) < 0)
		return -1;
	card.has_leader = leader_values != NULL && leader_values[0] != NULL;
	if (card.has_leader &&
	    mus_card_side(profile, "leader", leader_values, card.leader,
			  error_r) < 0)
		return -1;
	*card_r = card;
	return 1;
}

void mus_competence_card_digest(const struct mus_competence_card *card,
				string_t *str)
{
	const struct mus_competence *c;

	str_printfa(str, "competences %s\n", card->profile->ndn);
	for (unsigned int i = 0; i < card->count; i++) {
		c = array_idx(&card->profile->competences, i);
		str_printfa(str, "competence %s|%s|%s %u", c->code,
			    c->title_da, c->title_en, card->employee[i]);
		if (card->has_leader)
			str_printfa(str, " %u", card->leader[i]);
		str_append_c(str, '\n');
	}
}

const char *mus_competence_card_png_name(enum mus_language language)
{
	return mus_card_words[language].png;
}

const char *mus_competence_card_html_name(enum mus_language language)
{
	return mus_card_words[language].html;
}

static void mus_card_spider(const struct mus_competence_card *card,
			    enum mus_language language,
			    struct mus_spider *spider_r)
{
	const char **labels = t_new(const char *, card->count);

	for (unsigned int i = 0; i < card->count; i++) {
		const struct mus_competence *c =
			array_idx(&card->profile->competences, i);

		labels[i] = language == MUS_LANGUAGE_EN ? c->title_en : c->title_da;
	}
	i_zero(spider_r);
	spider_r->title = mus_card_words[language].title;
	spider_r->axis_count = card->count;
	spider_r->labels = labels;
	spider_r->employee = card->employee;
	spider_r->leader = card->has_leader ? card->leader : NULL;
	spider_r->employee_name = mus_card_words[language].employee;
	spider_r->leader_name = mus_card_words[language].leader;
	spider_r->not_relevant = mus_level_name(0, language);
}

#define ESC(value) mus_invitation_html_escape(value)

const char *mus_competence_card_html(const struct mus_competence_card *card,
				     const char *employee_name,
				     enum mus_language language,
				     const char **error_r)
{
	struct mus_spider spider;
	string_t *out = t_str_new(16384);
	const char *title;

	mus_card_spider(card, language, &spider);
	title = t_strdup_printf("%s: %s", mus_card_words[language].title,
				employee_name);
	str_printfa(out, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
		    "<meta charset=\"UTF-8\">\n<title>%s</title>\n</head>\n"
		    "<body>\n<h1>%s</h1>\n",
		    language == MUS_LANGUAGE_EN ? "en" : "da",
		    ESC(title), ESC(title));
	if (mus_spider_module_svg(&spider, MUS_COMPETENCE_CARD_SVG_SIZE, out,
			   error_r) < 0)
		return NULL;
	str_printfa(out, "\n<table>\n<tr><th>%s</th><th>%s</th><th>%s</th></tr>\n",
		    ESC(mus_card_words[language].competence),
		    ESC(mus_card_words[language].employee),
		    ESC(mus_card_words[language].leader));
	for (unsigned int i = 0; i < card->count; i++) {
		str_printfa(out, "<tr><td>%s</td><td>%s</td><td>%s</td></tr>\n",
			    ESC(spider.labels[i]),
			    ESC(mus_level_name(card->employee[i], language)),
			    ESC(card->has_leader ?
				mus_level_name(card->leader[i], language) :
				mus_card_words[language].none));
	}
	str_append(out, "</table>\n</body>\n</html>\n");
	return str_c(out);
}

int mus_competence_card_attach(const struct mus_competence_card *card,
			       const char *employee_name,
			       enum mus_language language,
			       ARRAY_TYPE(mus_message_attachment) *attachments,
			       const char **error_r)
{
	struct mus_message_attachment *att;
	struct mus_spider spider;
	buffer_t *png = t_buffer_create(64 * 1024);
	const char *html;

	mus_card_spider(card, language, &spider);
	if (mus_spider_module_png(&spider, MUS_COMPETENCE_CARD_PNG_SIZE, png,
			   error_r) < 0)
		return -1;
	html = mus_competence_card_html(card, employee_name, language, error_r);
	if (html == NULL)
		return -1;
	att = array_append_space(attachments);
	att->content_type = "image/png";
	att->filename = mus_competence_card_png_name(language);
	att->data = png->data;
	att->size = png->used;
	att = array_append_space(attachments);
	att->content_type = "text/html; charset=UTF-8";
	att->filename = mus_competence_card_html_name(language);
	att->data = html;
	att->size = strlen(html);
	return 0;
}
