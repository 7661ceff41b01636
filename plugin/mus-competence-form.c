/* The competence form as text, and reading the answers to it. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-level.h"
#include "mus-mailtext.h"
#include "mus-competence-form.h"

#include <ctype.h>

bool mus_competence_form_subject(const char *subject)
{
	const char *lower;

	if (subject == NULL)
		return FALSE;
	lower = t_str_lcase(subject);
	return strstr(lower, "kompetenceskema") != NULL ||
		strstr(lower, "competence form") != NULL;
}

const char *mus_assessment_item_value(const struct mus_assessment_item *item)
{
	return t_strdup_printf("%s %u", item->code, item->level);
}

bool mus_assessment_item_parse(const char *value,
			       struct mus_assessment_item *item_r)
{
	const char *space = strchr(value, ' ');
	unsigned int level;

	if (space == NULL || space == value ||
	    str_to_uint(space + 1, &level) < 0 || level > MUS_LEVEL_MAX)
		return FALSE;
	item_r->code = t_strdup_until(value, space);
	item_r->level = level;
	return TRUE;
}

const char *mus_competence_form_competences(const struct mus_profile *profile,
					    enum mus_language language)
{
	const struct mus_competence *c;
	string_t *str = t_str_new(1024);

	array_foreach(&profile->competences, c) {
		str_printfa(str, "%s \xe2\x80\x93 %s\n", c->code, language == MUS_LANGUAGE_EN ?
			    c->title_en : c->title_da);
		if (c->description[0] != '\0')
			str_printfa(str, "    %s\n", c->description);
		str_append_c(str, '\n');
	}
	str_truncate(str, str_len(str) > 0 ? str_len(str) - 1 : 0);
	return str_c(str);
}

const char *mus_competence_form_levels(enum mus_language language)
{
	string_t *str = t_str_new(256);

	for (unsigned int level = 0; level <= MUS_LEVEL_MAX; level++)
		str_printfa(str, "  %u  %s\n", level, mus_level_name(level, language));
	return str_c(str);
}

const char *mus_competence_form_answer_lines(const struct mus_profile *profile)
{
	const struct mus_competence *c;
	string_t *str = t_str_new(256);

	array_foreach(&profile->competences, c)
		str_printfa(str, "%s: \n", c->code);
	return str_c(str);
}

/* ---- reading an answer ---- */

struct mus_form_answer {
	const struct mus_competence *competence;
	unsigned int level;
	unsigned int line;
	/* given with a level that is none: a problem already, not missing */
	bool broken;
};

struct mus_form_reader {
	const struct mus_profile *profile;
	struct mus_plan_problems *problems;
	/* by the index of the competence in the profile; line 0: none */
	struct mus_form_answer *answers;
	unsigned int answer_lines;
	/* a code alone on its line, whose level may be on the next one (a
	   table cell of an HTML reply) */
	const struct mus_competence *pending;
	unsigned int pending_line;
};

static bool mus_form_code_char(char c)
{
	return i_isalnum(c) || c == '-' || c == '_';
}

/* Split "<word><sep><rest>": returns FALSE if line does not start with a
   word of code characters. colon_r says whether ':' or '=' followed. */
static bool mus_form_split(const char *line, const char **word_r,
			   const char **rest_r, bool *colon_r)
{
	const char *p = line, *start;

	/* a list's bullet */
	if (*p == '-' || *p == '*')
		p++;
	else if (strncmp(p, "\xe2\x80\xa2", 3) == 0)
		p += 3;
	while (*p == ' ')
		p++;
	start = p;
	while (mus_form_code_char(*p))
		p++;
	if (p == start || p - start > MUS_COMPETENCE_CODE_MAX)
		return FALSE;
	*word_r = t_strdup_until(start, p);
	while (*p == ' ')
		p++;
	*colon_r = *p == ':' || *p == '=';
	if (*colon_r)
		p++;
	else if (p[0] != '\0' && p == start + strlen(*word_r))
		return FALSE;	/* "word," or the like: text */
	*rest_r = t_str_trim(p, " ");
	return TRUE;
}

static void mus_form_answer(struct mus_form_reader *reader,
			    const struct mus_competence *competence,
			    unsigned int level, const struct mus_plan_where *where)
{
	struct mus_plan_problems *problems = reader->problems;
	unsigned int idx = competence - array_front(&reader->profile->competences);
	struct mus_form_answer *answer = &reader->answers[idx];

	if (answer->line != 0) {
		if (answer->level != level) {
			mus_plan_problem_add(problems, where, MUS_PLAN_LANG(problems,
				"%s står også i linje %u med et andet niveau (%s)",
				"%s is also given in line %u with another level (%s)"),
				competence->code, answer->line,
				mus_level_name(answer->level, problems->language));
		}
		return;
	}
	answer->competence = competence;
	answer->level = level;
	answer->line = where->line;
}

static void mus_form_read_line(struct mus_form_reader *reader,
			       unsigned int line_no, const char *line)
{
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_where where = { .line = line_no, .text = line };
	const struct mus_competence *competence;
	const char *word, *rest;
	unsigned int level;
	bool colon;

	if (line[0] == '\0')
		return;
	if (reader->pending != NULL) {
		competence = reader->pending;
		reader->pending = NULL;
		if (mus_level_parse(line, &level)) {
			where.line = reader->pending_line;
			where.text = t_strdup_printf("%s %s", competence->code, line);
			reader->answer_lines++;
			mus_form_answer(reader, competence, level, &where);
			return;
		}
	}
	if (!mus_form_split(line, &word, &rest, &colon))
		return;
	competence = mus_profile_competence(reader->profile, word);
	if (competence == NULL) {
		/* only what looks like an answer is one */
		if (colon && mus_level_parse(rest, &level)) {
			mus_plan_problem_add(problems, &where, MUS_PLAN_LANG(problems,
				"'%s' er ikke en af skemaets koder",
				"'%s' is not one of the form's codes"), word);
		}
		return;
	}
	if (rest[0] == '\0') {
		/* the form's empty line, left as it was (counted as
		   missing), or a table cell with the level in the next */
		if (colon)
			reader->answer_lines++;
		reader->pending = competence;
		reader->pending_line = line_no;
		return;
	}
	if (!colon && !mus_level_parse(rest, &level)) {
		/* "<code> <text>" is text, as in the form's list */
		return;
	}
	reader->answer_lines++;
	if (!mus_level_parse(rest, &level)) {
		reader->answers[competence -
				array_front(&reader->profile->competences)].broken = TRUE;
		mus_plan_problem_add(problems, &where, MUS_PLAN_LANG(problems,
			"'%s' er ikke et niveau: skriv 0-5 eller ikke relevant, "
			"nybegynder, avanceret begynder, kompetent, kyndig, ekspert",
			"'%s' is not a level: write 0-5 or not relevant, beginner, "
			"advanced beginner, competent, proficient, expert"), rest);
		return;
	}
	mus_form_answer(reader, competence, level, &where);
}

int mus_competence_form_parse(const char *body_text, const char *body_html,
			      const struct mus_profile *profile,
			      struct mus_plan_problems *problems,
			      ARRAY_TYPE(mus_assessment_item) *items_r)
{
	unsigned int before = array_count(&problems->list);
	unsigned int count = array_count(&profile->competences);
	struct mus_form_reader reader;
	ARRAY_TYPE(mus_assessment_item) items;
	const char *body, *const *lines;
	unsigned int i;

	i_zero(&reader);
	reader.profile = profile;
	reader.problems = problems;
	T_BEGIN {
		reader.answers = t_new(struct mus_form_answer, count + 1);
		body = mus_mailtext_body(body_text, body_html);
		if (strlen(body) > MUS_COMPETENCE_FORM_MAX_SIZE) {
			mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
				"svaret er længere end %u byte",
				"the reply is longer than %u bytes"),
				MUS_COMPETENCE_FORM_MAX_SIZE);
			count = 0;
		} else {
			lines = mus_mailtext_reply_lines(body);
			for (i = 0; lines[i] != NULL; i++) {
				if (lines[i][0] == '>') {
					/* the level of a code alone is on
					   the line right after it */
					reader.pending = NULL;
					continue;
				}
				mus_form_read_line(&reader, i + 1, lines[i]);
			}
		}
		if (count > 0 && reader.answer_lines == 0) {
			mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
				"svaret har ingen linjer af formen <kode>: <niveau>",
				"the reply has no lines of the form <code>: <level>"));
		}
		for (i = 0; i < count && reader.answer_lines > 0; i++) {
			const struct mus_competence *c =
				array_idx(&profile->competences, i);

			if (reader.answers[i].line != 0 || reader.answers[i].broken)
				continue;
			mus_plan_problem_add(problems, NULL, MUS_PLAN_LANG(problems,
				"%s (%s) har intet niveau", "%s (%s) has no level"),
				c->code, problems->language == MUS_LANGUAGE_EN ?
				c->title_en : c->title_da);
		}
		if (array_count(&problems->list) == before && !problems->truncated) {
			p_array_init(&items, problems->pool, count);
			for (i = 0; i < count; i++) {
				struct mus_assessment_item item = {
					.code = reader.answers[i].competence->code,
					.level = reader.answers[i].level,
				};
				array_push_back(&items, &item);
			}
			*items_r = items;
		}
	} T_END;
	return array_count(&problems->list) > before || problems->truncated ?
		-1 : 0;
}
