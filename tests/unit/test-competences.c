/* Unit tests of HR's competence figures (mus-competences): counting per
   organisation, unit, team and leader with the sides apart, the share at
   competent or above, bad answers, and the JSON and text renderings. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-competences.h"
#include "mus-competence-figures.h"
#include "mus-test.h"

#include <cjson/cJSON.h>

#define E MUS_COMPETENCE_EMPLOYEE
#define L MUS_COMPETENCE_LEADER

static const struct mus_competence_answer answers[] = {
	{ "borgerkontakt", "Borgerkontakt", 3, E, "Børn og Unge",
	  "Dagpleje Nord", "uid=anne", "Anne Ås" },
	{ "borgerkontakt", "Borgerkontakt", 1, E, "Børn og Unge",
	  "Dagpleje Nord", "uid=anne", "Anne Ås" },
	/* the code in capitals is the same competence; its first title
	   stays */
	{ "BORGERKONTAKT", "Another title", 4, E, "Børn og Unge",
	  "Dagpleje Syd", "uid=anne", "Anne Ås" },
	{ "borgerkontakt", "Borgerkontakt", 0, E, "Teknik", "Vej", "uid=bo",
	  "Bo Berg" },
	/* the leader's view of the first one */
	{ "borgerkontakt", "Borgerkontakt", 2, L, "Børn og Unge",
	  "Dagpleje Nord", "uid=anne", "Anne Ås" },
	{ "dokumentation", "Dokumentation", 5, E, "Teknik", "Vej", "uid=bo",
	  "Bo Berg" },
	{ "dokumentation", "Dokumentation", 2, E, NULL, "", NULL, NULL },
};

static struct mus_competences *test_sample(void)
{
	struct mus_competences *comp = mus_competences_create();
	const char *error = NULL;

	for (unsigned int i = 0; i < N_ELEMENTS(answers); i++)
		test_assert(mus_competences_add(comp, &answers[i], &error) == 0);
	test_assert(error == NULL);
	mus_competences_finish(comp);
	return comp;
}

static const struct mus_competence_group *
test_group(const struct mus_competences *comp, enum mus_competence_scope scope,
	   unsigned int idx)
{
	if (idx >= array_count(&comp->groups[scope]))
		return NULL;
	return array_idx_elem(&comp->groups[scope], idx);
}

static bool test_levels(const struct mus_competence_group *group,
			const char *code, enum mus_competence_side side,
			const unsigned int expected[MUS_COMPETENCE_LEVELS])
{
	const struct mus_competence_count *count;

	if (group == NULL)
		return FALSE;
	array_foreach(&group->competences, count) {
		if (strcmp(count->code, code) == 0)
			return memcmp(count->levels[side], expected,
				      sizeof(count->levels[side])) == 0;
	}
	return FALSE;
}

static void test_competences_groups(void)
{
	struct mus_competences *comp;
	const struct mus_competence_group *org, *group;
	const struct mus_competence_count *count;

	mus_test_begin("competences: counted per organisation, unit, team and leader");
	comp = test_sample();
	test_assert(comp->answers == N_ELEMENTS(answers));
	org = test_group(comp, MUS_COMPETENCE_ORGANISATION, 0);
	test_assert(array_count(&comp->groups[MUS_COMPETENCE_ORGANISATION]) == 1);
	test_assert(array_count(&org->competences) == 2);
	count = array_idx(&org->competences, 0);
	test_assert_strcmp(count->code, "borgerkontakt");
	test_assert_strcmp(count->title, "Borgerkontakt");
	test_assert(test_levels(org, "borgerkontakt", E,
				(const unsigned int[]){ 1, 1, 0, 1, 1, 0 }));
	test_assert(test_levels(org, "borgerkontakt", L,
				(const unsigned int[]){ 0, 0, 1, 0, 0, 0 }));
	test_assert(test_levels(org, "dokumentation", E,
				(const unsigned int[]){ 0, 0, 1, 0, 0, 1 }));
	test_assert(test_levels(org, "dokumentation", L,
				(const unsigned int[]){ 0, 0, 0, 0, 0, 0 }));

	/* units sorted by name, the answer without one under (unknown) */
	test_assert(array_count(&comp->groups[MUS_COMPETENCE_UNIT]) == 3);
	group = test_group(comp, MUS_COMPETENCE_UNIT, 0);
	test_assert_strcmp(group->name, "(unknown)");
	test_assert(test_levels(group, "dokumentation", E,
				(const unsigned int[]){ 0, 0, 1, 0, 0, 0 }));
	group = test_group(comp, MUS_COMPETENCE_UNIT, 1);
	test_assert_strcmp(group->name, "Børn og Unge");
	test_assert(array_count(&group->competences) == 1);
	test_assert(test_levels(group, "borgerkontakt", E,
				(const unsigned int[]){ 0, 1, 0, 1, 1, 0 }));
	test_assert(test_levels(group, "borgerkontakt", L,
				(const unsigned int[]){ 0, 0, 1, 0, 0, 0 }));
	group = test_group(comp, MUS_COMPETENCE_UNIT, 2);
	test_assert_strcmp(group->name, "Teknik");
	test_assert(test_levels(group, "borgerkontakt", E,
				(const unsigned int[]){ 1, 0, 0, 0, 0, 0 }));

	/* teams: an empty team is unknown too */
	test_assert(array_count(&comp->groups[MUS_COMPETENCE_TEAM]) == 4);
	test_assert_strcmp(test_group(comp, MUS_COMPETENCE_TEAM, 0)->name,
			   "(unknown)");
	group = test_group(comp, MUS_COMPETENCE_TEAM, 1);
	test_assert_strcmp(group->name, "Dagpleje Nord");
	test_assert(test_levels(group, "borgerkontakt", E,
				(const unsigned int[]){ 0, 1, 0, 1, 0, 0 }));
	group = test_group(comp, MUS_COMPETENCE_TEAM, 2);
	test_assert_strcmp(group->name, "Dagpleje Syd");
	test_assert(test_levels(group, "borgerkontakt", E,
				(const unsigned int[]){ 0, 0, 0, 0, 1, 0 }));

	/* leaders by key, shown and sorted by name */
	test_assert(array_count(&comp->groups[MUS_COMPETENCE_BY_LEADER]) == 3);
	group = test_group(comp, MUS_COMPETENCE_BY_LEADER, 1);
	test_assert_strcmp(group->key, "uid=anne");
	test_assert_strcmp(group->name, "Anne Ås");
	test_assert(test_levels(group, "borgerkontakt", E,
				(const unsigned int[]){ 0, 1, 0, 1, 1, 0 }));
	group = test_group(comp, MUS_COMPETENCE_BY_LEADER, 2);
	test_assert_strcmp(group->key, "uid=bo");
	test_assert(test_levels(group, "dokumentation", E,
				(const unsigned int[]){ 0, 0, 0, 0, 0, 1 }));
	mus_competences_destroy(&comp);
	test_assert(comp == NULL);
	mus_competences_destroy(&comp);
	mus_test_end();
}

static const struct {
	unsigned int levels[MUS_COMPETENCE_LEVELS];
	unsigned int answers, relevant, competent;
	int percent;
} share_cases[] = {
	{ { 0, 1, 0, 1, 1, 0 }, 3, 3, 2, 67 },
	{ { 1, 1, 1, 1, 0, 0 }, 4, 3, 1, 33 },
	{ { 5, 1, 0, 0, 0, 1 }, 7, 2, 1, 50 },
	{ { 0, 0, 0, 3, 0, 0 }, 3, 3, 3, 100 },
	{ { 0, 2, 2, 0, 0, 0 }, 4, 4, 0, 0 },
	/* 1 of 200 is 0.5 %: half up */
	{ { 0, 199, 0, 1, 0, 0 }, 200, 200, 1, 1 },
	{ { 0, 201, 0, 1, 0, 0 }, 202, 202, 1, 0 },
	/* only "not relevant": no share */
	{ { 4, 0, 0, 0, 0, 0 }, 4, 0, 0, -1 },
	{ { 0, 0, 0, 0, 0, 0 }, 0, 0, 0, -1 },
	{ { 0, 0, 0, 0, 0, UINT_MAX }, UINT_MAX, UINT_MAX, UINT_MAX, 100 },
};

static void test_competences_share(void)
{
	mus_test_begin("competences: share at competent or above, 0 left out");
	for (unsigned int i = 0; i < N_ELEMENTS(share_cases); i++) {
		struct mus_competence_count count;
		struct mus_competence_share share;

		i_zero(&count);
		memcpy(count.levels[L], share_cases[i].levels,
		       sizeof(count.levels[L]));
		mus_competence_share(&count, L, &share);
		test_assert(share.answers == share_cases[i].answers);
		test_assert(share.relevant == share_cases[i].relevant);
		test_assert(share.competent == share_cases[i].competent);
		test_assert(share.percent == share_cases[i].percent);
		mus_competence_share(&count, E, &share);
		test_assert(share.answers == 0 && share.percent == -1);
	}
	mus_test_end();
}

static const struct {
	struct mus_competence_answer answer;
	const char *error;
} bad_answers[] = {
	{ { "borger kontakt", "B", 3, E, "u", "t", "l", NULL },
	  "competence answer: code 'borger kontakt' is not 1-32 characters of a-z, 0-9 and '-'" },
	{ { "", "B", 3, E, "u", "t", "l", NULL },
	  "competence answer: code '' is not 1-32 characters of a-z, 0-9 and '-'" },
	{ { NULL, "B", 3, E, "u", "t", "l", NULL },
	  "competence answer: code '' is not 1-32 characters of a-z, 0-9 and '-'" },
	{ { "økonomi", "B", 3, E, "u", "t", "l", NULL },
	  "competence answer: code 'økonomi' is not 1-32 characters of a-z, 0-9 and '-'" },
	{ { "a23456789012345678901234567890123", "B", 3, E, "u", "t", "l", NULL },
	  "competence answer: code 'a23456789012345678901234567890123' is not 1-32 characters of a-z, 0-9 and '-'" },
	{ { "it", "", 3, E, "u", "t", "l", NULL },
	  "competence answer: it has no title" },
	{ { "it", NULL, 3, E, "u", "t", "l", NULL },
	  "competence answer: it has no title" },
	{ { "it", "IT", 6, E, "u", "t", "l", NULL },
	  "competence answer: level 6 of it is not 0..5" },
	{ { "it", "IT", UINT_MAX, E, "u", "t", "l", NULL },
	  "competence answer: level 4294967295 of it is not 0..5" },
	{ { "it", "IT", 3, 2, "u", "t", "l", NULL },
	  "competence answer: it has side 2, neither employee nor leader" },
	{ { "it", "IT", 3, E, "bad \xff unit", "t", "l", NULL },
	  "competence answer: a title or group name of it is not UTF-8" },
	{ { "it", "IT\xc3", 3, E, "u", "t", "l", NULL },
	  "competence answer: a title or group name of it is not UTF-8" },
	{ { "it", "IT", 3, E, "u", "t", "l", "\xe6" },
	  "competence answer: a title or group name of it is not UTF-8" },
};

static void test_competences_bad(void)
{
	struct mus_competences *comp;
	const char *before;

	mus_test_begin("competences: the sample counts");
	comp = test_sample();
	before = mus_competences_json(comp);
	mus_test_end();
	for (unsigned int i = 0; i < N_ELEMENTS(bad_answers); i++) {
		const char *error = NULL;

		mus_test_begin(t_strdup_printf("competences: refuse %s",
					       bad_answers[i].error));
		test_assert(mus_competences_add(comp, &bad_answers[i].answer,
						&error) < 0);
		test_assert_strcmp(error, bad_answers[i].error);
		test_assert(comp->answers == N_ELEMENTS(answers));
		mus_test_end();
	}
	mus_test_begin("competences: a refused answer counts nowhere");
	mus_competences_finish(comp);
	test_assert_strcmp(mus_competences_json(comp), before);
	mus_competences_destroy(&comp);
	mus_test_end();
}

/* the number at index idx of array key of json, or -2 when missing,
   -1 for null */
static double test_json_number(const cJSON *json, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);

	if (cJSON_IsNull(item))
		return -1;
	return cJSON_IsNumber(item) ? item->valuedouble : -2;
}

static bool test_json_side(const cJSON *competence, const char *side,
			   const unsigned int levels[MUS_COMPETENCE_LEVELS],
			   double answers, double relevant, double competent,
			   double percent)
{
	const cJSON *json = cJSON_GetObjectItemCaseSensitive(competence, side);
	const cJSON *array = cJSON_GetObjectItemCaseSensitive(json, "levels");

	if (cJSON_GetArraySize(array) != MUS_COMPETENCE_LEVELS)
		return FALSE;
	for (unsigned int i = 0; i < MUS_COMPETENCE_LEVELS; i++) {
		const cJSON *item = cJSON_GetArrayItem(array, i);

		if (!cJSON_IsNumber(item) || item->valuedouble != levels[i])
			return FALSE;
	}
	return test_json_number(json, "answers") == answers &&
		test_json_number(json, "relevant") == relevant &&
		test_json_number(json, "competent") == competent &&
		test_json_number(json, "percent") == percent;
}

static const char *test_json_string(const cJSON *json, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(json, key);

	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void test_competences_json(void)
{
	static const struct mus_competence_answer hostile = {
		"It", "\"IT\" \\ <b>\x01\n", 2, E, "\"},{\"unit\":\"x",
		"t", "l", NULL,
	};
	struct mus_competences *comp;
	cJSON *root;
	const cJSON *org, *units, *leaders, *unit, *competence;
	const char *error;

	mus_test_begin("competences: JSON with both sides and every grouping");
	comp = test_sample();
	root = cJSON_Parse(mus_competences_json(comp));
	test_assert(root != NULL);
	test_assert(test_json_number(root, "answers") == N_ELEMENTS(answers));
	org = cJSON_GetObjectItemCaseSensitive(root, "organisation");
	test_assert(cJSON_GetArraySize(org) == 2);
	competence = cJSON_GetArrayItem(org, 0);
	test_assert_strcmp(test_json_string(competence, "code"), "borgerkontakt");
	test_assert_strcmp(test_json_string(competence, "title"), "Borgerkontakt");
	test_assert(test_json_side(competence, "employee",
				   (const unsigned int[]){ 1, 1, 0, 1, 1, 0 },
				   4, 3, 2, 67));
	test_assert(test_json_side(competence, "leader",
				   (const unsigned int[]){ 0, 0, 1, 0, 0, 0 },
				   1, 1, 0, 0));
	competence = cJSON_GetArrayItem(org, 1);
	test_assert(test_json_side(competence, "leader",
				   (const unsigned int[]){ 0, 0, 0, 0, 0, 0 },
				   0, 0, 0, -1));

	units = cJSON_GetObjectItemCaseSensitive(root, "units");
	test_assert(cJSON_GetArraySize(units) == 3);
	unit = cJSON_GetArrayItem(units, 2);
	test_assert_strcmp(test_json_string(unit, "unit"), "Teknik");
	competence = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(unit, "competences"), 0);
	test_assert_strcmp(test_json_string(competence, "code"), "borgerkontakt");
	test_assert(test_json_side(competence, "employee",
				   (const unsigned int[]){ 1, 0, 0, 0, 0, 0 },
				   1, 0, 0, -1));
	test_assert(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(
		root, "teams")) == 4);
	leaders = cJSON_GetObjectItemCaseSensitive(root, "leaders");
	test_assert(cJSON_GetArraySize(leaders) == 3);
	test_assert_strcmp(test_json_string(cJSON_GetArrayItem(leaders, 1),
					    "leader"), "uid=anne");
	test_assert_strcmp(test_json_string(cJSON_GetArrayItem(leaders, 1),
					    "name"), "Anne Ås");
	cJSON_Delete(root);
	mus_competences_destroy(&comp);

	/* names with quotes, backslashes and controls come back as given */
	comp = mus_competences_create();
	test_assert(mus_competences_add(comp, &hostile, &error) == 0);
	mus_competences_finish(comp);
	root = cJSON_Parse(mus_competences_json(comp));
	test_assert(root != NULL);
	units = cJSON_GetObjectItemCaseSensitive(root, "units");
	test_assert_strcmp(test_json_string(cJSON_GetArrayItem(units, 0), "unit"),
			   hostile.unit);
	competence = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(root, "organisation"), 0);
	test_assert_strcmp(test_json_string(competence, "title"), hostile.title);
	test_assert_strcmp(test_json_string(competence, "code"), "it");
	cJSON_Delete(root);
	mus_competences_destroy(&comp);

	/* nothing answered: empty lists, not missing ones */
	comp = mus_competences_create();
	mus_competences_finish(comp);
	test_assert_strcmp(mus_competences_json(comp),
			   "{\"answers\":0,\"organisation\":[],\"units\":[],"
			   "\"teams\":[],\"leaders\":[]}");
	mus_competences_destroy(&comp);
	mus_test_end();
}

static void test_competences_text(void)
{
	static const struct mus_competence_answer small[] = {
		{ "it", "IT", 3, E, "Børn og Unge", "Nord", "uid=a", "Åse" },
		{ "it", "IT", 0, E, "Børn og Unge", "Nord", "uid=a", "Åse" },
		{ "it", "IT", 1, L, "Børn og Unge", "Nord", "uid=a", "Åse" },
		{ "jura", "Jura", 0, E,
		  "En forvaltning med et meget langt navn\tder bliver ved", "Syd",
		  "uid=a", "Åse" },
	};
	struct mus_competences *comp = mus_competences_create();
	string_t *out = t_str_new(1024);
	const char *error;

	mus_test_begin("competences: text table, aligned, names shortened");
	for (unsigned int i = 0; i < N_ELEMENTS(small); i++)
		test_assert(mus_competences_add(comp, &small[i], &error) == 0);
	mus_competences_finish(comp);
	mus_competences_text(comp, out);
	test_assert_strcmp(str_c(out),
"scope         group                                        competence  side      0  1  2  3  4  5  competent\n"
"organisation  -                                            it          employee  1  0  0  1  0  0  1/1 100%\n"
"organisation  -                                            it          leader    0  1  0  0  0  0  0/1 0%\n"
"organisation  -                                            jura        employee  1  0  0  0  0  0  0/0\n"
"unit          Børn og Unge                                 it          employee  1  0  0  1  0  0  1/1 100%\n"
"unit          Børn og Unge                                 it          leader    0  1  0  0  0  0  0/1 0%\n"
"unit          En forvaltning med et meget langt navn d...  jura        employee  1  0  0  0  0  0  0/0\n"
"team          Nord                                         it          employee  1  0  0  1  0  0  1/1 100%\n"
"team          Nord                                         it          leader    0  1  0  0  0  0  0/1 0%\n"
"team          Syd                                          jura        employee  1  0  0  0  0  0  0/0\n"
"leader        Åse                                          it          employee  1  0  0  1  0  0  1/1 100%\n"
"leader        Åse                                          it          leader    0  1  0  0  0  0  0/1 0%\n"
"leader        Åse                                          jura        employee  1  0  0  0  0  0  0/0\n");
	mus_competences_destroy(&comp);
	mus_test_end();
}

static void test_competences_unit(void)
{
	mus_test_begin("competences: --unit names a unit by DN or by name");
	test_assert_strcmp(mus_competence_figures_unit(
		"ou=Borgerservice,dc=eksempel,dc=test"), "Borgerservice");
	test_assert_strcmp(mus_competence_figures_unit(
		"ou=Byg og Milj\\C3\\B8,dc=x"), "Byg og Miljø");
	test_assert_strcmp(mus_competence_figures_unit("Byg og Miljø"),
			   "Byg og Miljø");
	/* a '=' that makes no DN: the text as it is */
	test_assert_strcmp(mus_competence_figures_unit("a=b=,,"), "a=b=,,");
	mus_test_end();
}

void test_competences(void)
{
	test_competences_unit();
	test_competences_groups();
	test_competences_share();
	test_competences_bad();
	test_competences_json();
	test_competences_text();
}
