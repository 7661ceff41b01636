#ifndef MUS_COMPETENCES_H
#define MUS_COMPETENCES_H

/* HR's competence figures (doveadm mus competences, the heatmap of the
   HR page): from a flat list of answers, each one person's level of one
   competence as one side gave it, the level distribution per competence
   for the whole organisation, per unit, per team and per leader. Pure
   logic: the caller reads the directory and names every group.

   The employee's and the leader's answers are counted apart, never
   added up: the gap picture HR plans courses from is the employees' own
   assessment, and the leaders' view of the same people stands beside
   it (a person assessed by both sides counts once on each side).

   Levels are 0..5 (0 not relevant, 1 beginner, 2 advanced beginner,
   3 competent, 4 proficient, 5 expert). The share at competent or above
   is the answers at level 3 or more among the relevant answers (levels
   1..5): level 0 is left out of shares, but counted in the
   distribution. */

#include "array.h"
#include "hash.h"
#include "mus-profile.h"
#include "mus-level.h"

/* levels 0 (not relevant) to MUS_LEVEL_MAX */
#define MUS_COMPETENCE_LEVELS (MUS_LEVEL_MAX + 1)

enum mus_competence_side {
	MUS_COMPETENCE_EMPLOYEE = 0,
	MUS_COMPETENCE_LEADER,
};
#define MUS_COMPETENCE_SIDES 2

/* the groupings, organisation first */
enum mus_competence_scope {
	MUS_COMPETENCE_ORGANISATION = 0,
	MUS_COMPETENCE_UNIT,
	MUS_COMPETENCE_TEAM,
	MUS_COMPETENCE_BY_LEADER,
};
#define MUS_COMPETENCE_SCOPES 4

struct mus_competence_answer {
	/* code case-insensitive; the title shown is the first one given for
	   the code */
	const char *code, *title;
	unsigned int level;
	enum mus_competence_side side;
	/* the assessed employee's unit and team (names), and their leader
	   (a key such as the DN, with the name to show; leader_name NULL:
	   the key is shown). NULL or "": counted under "(unknown)". */
	const char *unit, *team, *leader, *leader_name;
};

/* one competence in one group: the answers per side and level */
struct mus_competence_count {
	const char *code, *title;
	unsigned int levels[MUS_COMPETENCE_SIDES][MUS_COMPETENCE_LEVELS];
};
ARRAY_DEFINE_TYPE(mus_competence_count, struct mus_competence_count);

struct mus_competence_group {
	const char *key, *name;	/* both "" for the organisation */
	ARRAY_TYPE(mus_competence_count) competences;	/* sorted by code */
};
ARRAY_DEFINE_TYPE(mus_competence_group, struct mus_competence_group *);

/* what a count adds up to on one side */
struct mus_competence_share {
	unsigned int answers, relevant, competent;
	/* competent / relevant in whole percent, rounded half up; -1 when
	   there is no relevant answer */
	int percent;
};

struct mus_competences {
	pool_t pool;
	unsigned int answers;
	/* groups[MUS_COMPETENCE_ORGANISATION] holds one group; the others
	   are sorted by name (then key) once mus_competences_finish() ran */
	ARRAY_TYPE(mus_competence_group) groups[MUS_COMPETENCE_SCOPES];
	HASH_TABLE(const char *, struct mus_competence_group *)
		tables[MUS_COMPETENCE_SCOPES];
};

/* Empty figures; free with mus_competences_destroy(). */
struct mus_competences *mus_competences_create(void);
void mus_competences_destroy(struct mus_competences **comp);

/* Count one answer in the organisation and in its unit, team and
   leader. Returns 0, or -1 with the problem in error_r (a code that is
   no code, an empty title, a level above 5, text that is not UTF-8) and
   nothing counted. */
int mus_competences_add(struct mus_competences *comp,
			const struct mus_competence_answer *answer,
			const char **error_r);
/* Sort the groups; call once after the last answer. */
void mus_competences_finish(struct mus_competences *comp);

void mus_competence_share(const struct mus_competence_count *count,
			  enum mus_competence_side side,
			  struct mus_competence_share *share_r);

/* The figures as one JSON object (doveadm mus competences -f json), on
   the data stack:
   {"answers":N,"organisation":[C...],"units":[{"unit":NAME,
   "competences":[C...]}...],"teams":[{"team":...}],"leaders":[{"leader":
   KEY,"name":NAME,...}]} with each C {"code","title","employee":S,
   "leader":S} and each S {"levels":[n0..n5],"answers","relevant",
   "competent","percent" (null without relevant answers)}. */
const char *mus_competences_json(const struct mus_competences *comp);

/* Append the figures as a plain text table (doveadm mus competences):
   a header, then one row per group, competence and side that has
   answers: scope, group, code, side, the count at each level 0..5 and
   "competent/relevant percent%". Names longer than 40 characters are
   shortened. */
void mus_competences_text(const struct mus_competences *comp, string_t *out);

#endif
