/* The levels of a competence and how people write them. */

#include "lib.h"
#include "str.h"
#include "mus-level.h"

#include <ctype.h>

static const char *const mus_level_names[MUS_LEVEL_MAX + 1][2] = {
	{ "ikke relevant", "not relevant" },
	{ "nybegynder", "beginner" },
	{ "avanceret begynder", "advanced beginner" },
	{ "kompetent", "competent" },
	{ "kyndig", "proficient" },
	{ "ekspert", "expert" },
};

/* far longer than any level name with a digit and decoration */
#define MUS_LEVEL_TEXT_MAX 64

const char *mus_level_name(unsigned int level, enum mus_language language)
{
	i_assert(level <= MUS_LEVEL_MAX);
	return mus_level_names[level][language == MUS_LANGUAGE_EN ? 1 : 0];
}

static bool mus_level_separator(const unsigned char *p, size_t *len_r)
{
	/* U+00A0 no-break space, as HTML mail has it */
	if (p[0] == 0xc2 && p[1] == 0xa0) {
		*len_r = 2;
		return TRUE;
	}
	*len_r = 1;
	return strchr(" \t\r-_*()[]:,.", p[0]) != NULL && p[0] != '\0';
}

bool mus_level_parse(const char *text, unsigned int *level_r)
{
	string_t *words;
	const unsigned char *p = (const unsigned char *)text;
	int digit = -1;
	bool pending_space = FALSE;
	size_t len;

	if (strlen(text) > MUS_LEVEL_TEXT_MAX)
		return FALSE;
	words = t_str_new(MUS_LEVEL_TEXT_MAX);
	while (*p != '\0') {
		if (mus_level_separator(p, &len)) {
			pending_space = str_len(words) > 0;
			p += len;
			continue;
		}
		if (*p >= '0' && *p <= '9') {
			/* one digit, standing alone */
			if (digit >= 0 || (p[1] >= '0' && p[1] <= '9') ||
			    *p > '0' + MUS_LEVEL_MAX)
				return FALSE;
			digit = *p - '0';
			p++;
			continue;
		}
		if (pending_space)
			str_append_c(words, ' ');
		pending_space = FALSE;
		str_append_c(words, i_tolower(*p));
		p++;
	}
	if (str_len(words) == 0) {
		if (digit < 0)
			return FALSE;
		*level_r = digit;
		return TRUE;
	}
	for (unsigned int level = 0; level <= MUS_LEVEL_MAX; level++) {
		if (strcmp(str_c(words), mus_level_names[level][0]) != 0 &&
		    strcmp(str_c(words), mus_level_names[level][1]) != 0)
			continue;
		if (digit >= 0 && (unsigned int)digit != level)
			return FALSE;
		*level_r = level;
		return TRUE;
	}
	return FALSE;
}
