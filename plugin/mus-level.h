#ifndef MUS_LEVEL_H
#define MUS_LEVEL_H

/* The six levels of a competence in a self-assessment (seeds 000, 001):
   0 ikke relevant / not relevant, 1 nybegynder / beginner, 2 avanceret
   begynder / advanced beginner, 3 kompetent / competent, 4 kyndig /
   proficient, 5 ekspert / expert. Stored and counted as the number. */

#include "mus-settings.h"

#define MUS_LEVEL_MAX 5
/* "at competent or above" */
#define MUS_LEVEL_COMPETENT 3

/* The level's name in language, lower case ("avanceret begynder"). level
   must be at most MUS_LEVEL_MAX. Static. */
const char *mus_level_name(unsigned int level, enum mus_language language);

/* What a person typed for a level, read forgivingly: any case, spaces,
   tabs, '-', '_' and no-break spaces between and around the words, '*'
   (bold in plain text) and a final '.' ignored; the Danish or the English
   name; or the digit 0-5 alone or together with the name of the same
   level ("3", "3 kompetent", "3 - competent", "kompetent (3)"). A digit
   and a name that disagree ("2 kompetent") are no level. Returns TRUE
   with the level, FALSE (level_r untouched) if text names none. */
bool mus_level_parse(const char *text, unsigned int *level_r);

#endif
