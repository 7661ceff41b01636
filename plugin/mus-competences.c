/* HR's competence figures: counting answers, and their JSON (cJSON) and
   text renderings. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "bsearch-insert-pos.h"
#include "str.h"
#include "str-sanitize.h"
#include "unichar.h"
#include "mus-hr-figures.h"
#include "mus-competences.h"

#include <ctype.h>
#include <cjson/cJSON.h>

#define MUS_COMPETENCE_TEXT_WIDTH 40

static const char *const mus_competence_scope_names[] = {
	[MUS_COMPETENCE_ORGANISATION] = "organisation",
	[MUS_COMPETENCE_UNIT] = "unit",
	[MUS_COMPETENCE_TEAM] = "team",
	[MUS_COMPETENCE_BY_LEADER] = "leader",
};
static const char *const mus_competence_side_names[] = {
	[MUS_COMPETENCE_EMPLOYEE] = "employee",
	[MUS_COMPETENCE_LEADER] = "leader",
};

struct mus_competences *mus_competences_create(void)
{
	pool_t pool = pool_alloconly_create("mus competences", 16 * 1024);
	struct mus_competences *comp = p_new(pool, struct mus_competences, 1);
	struct mus_competence_group *org;

	comp->pool = pool;
	for (unsigned int s = 0; s < MUS_COMPETENCE_SCOPES; s++) {
		p_array_init(&comp->groups[s], pool, 16);
		hash_table_create(&comp->tables[s], pool, 16, str_hash, strcmp);
	}
	org = p_new(pool, struct mus_competence_group, 1);
	org->key = org->name = "";
	p_array_init(&org->competences, pool, 8);
	array_push_back(&comp->groups[MUS_COMPETENCE_ORGANISATION], &org);
	hash_table_insert(comp->tables[MUS_COMPETENCE_ORGANISATION], org->key, org);
	return comp;
}

void mus_competences_destroy(struct mus_competences **_comp)
{
	struct mus_competences *comp = *_comp;

	if (comp == NULL)
		return;
	*_comp = NULL;
	for (unsigned int s = 0; s < MUS_COMPETENCE_SCOPES; s++)
		hash_table_destroy(&comp->tables[s]);
	pool_unref(&comp->pool);
}

static bool mus_competence_text_valid(const char *text)
{
	return text == NULL || uni_utf8_str_is_valid(text);
}

static int mus_competence_check(const struct mus_competence_answer *answer,
				const char **error_r)
{
	if (answer->code == NULL || !mus_competence_code_valid(answer->code)) {
		*error_r = t_strdup_printf("competence answer: code '%s' is not "
			"1-%u characters of a-z, 0-9 and '-'",
			answer->code == NULL ? "" : str_sanitize(answer->code, 40),
			MUS_COMPETENCE_CODE_MAX);
		return -1;
	}
	if (answer->title == NULL || answer->title[0] == '\0') {
		*error_r = t_strdup_printf("competence answer: %s has no title",
					   answer->code);
		return -1;
	}
	if (answer->level >= MUS_COMPETENCE_LEVELS) {
		*error_r = t_strdup_printf("competence answer: level %u of %s "
					   "is not 0..%u", answer->level,
					   answer->code,
					   MUS_COMPETENCE_LEVELS - 1);
		return -1;
	}
	if (answer->side != MUS_COMPETENCE_EMPLOYEE &&
	    answer->side != MUS_COMPETENCE_LEADER) {
		*error_r = t_strdup_printf("competence answer: %s has side %d, "
					   "neither employee nor leader",
					   answer->code, (int)answer->side);
		return -1;
	}
	if (!mus_competence_text_valid(answer->title) ||
	    !mus_competence_text_valid(answer->unit) ||
	    !mus_competence_text_valid(answer->team) ||
	    !mus_competence_text_valid(answer->leader) ||
	    !mus_competence_text_valid(answer->leader_name)) {
		*error_r = t_strdup_printf("competence answer: a title or group "
					   "name of %s is not UTF-8",
					   answer->code);
		return -1;
	}
	return 0;
}

static const char *mus_competence_known(const char *value)
{
	return value == NULL || value[0] == '\0' ? MUS_HR_UNKNOWN : value;
}

static struct mus_competence_group *
mus_competence_group_get(struct mus_competences *comp,
			 enum mus_competence_scope scope, const char *key,
			 const char *name)
{
	struct mus_competence_group *group;

	key = mus_competence_known(key);
	group = hash_table_lookup(comp->tables[scope], key);
	if (group != NULL)
		return group;
	group = p_new(comp->pool, struct mus_competence_group, 1);
	group->key = p_strdup(comp->pool, key);
	group->name = p_strdup(comp->pool, name == NULL || name[0] == '\0' ?
			       key : name);
	p_array_init(&group->competences, comp->pool, 8);
	hash_table_insert(comp->tables[scope], group->key, group);
	array_push_back(&comp->groups[scope], &group);
	return group;
}

static int mus_competence_count_cmp(const char *code,
				    const struct mus_competence_count *count)
{
	return strcmp(code, count->code);
}

static struct mus_competence_count *
mus_competence_count_get(struct mus_competences *comp,
			 struct mus_competence_group *group, const char *code,
			 const char *title)
{
	struct mus_competence_count *count;
	unsigned int idx;

	if (array_bsearch_insert_pos(&group->competences, code,
				     mus_competence_count_cmp, &idx))
		return array_idx_modifiable(&group->competences, idx);
	count = array_insert_space(&group->competences, idx);
	count->code = p_strdup(comp->pool, code);
	count->title = p_strdup(comp->pool, title);
	return count;
}

int mus_competences_add(struct mus_competences *comp,
			const struct mus_competence_answer *answer,
			const char **error_r)
{
	struct mus_competence_group *groups[MUS_COMPETENCE_SCOPES];
	const char *code;

	if (mus_competence_check(answer, error_r) < 0)
		return -1;
	code = t_str_lcase(answer->code);
	groups[MUS_COMPETENCE_ORGANISATION] =
		array_idx_elem(&comp->groups[MUS_COMPETENCE_ORGANISATION], 0);
	groups[MUS_COMPETENCE_UNIT] = mus_competence_group_get(
		comp, MUS_COMPETENCE_UNIT, answer->unit, NULL);
	groups[MUS_COMPETENCE_TEAM] = mus_competence_group_get(
		comp, MUS_COMPETENCE_TEAM, answer->team, NULL);
	groups[MUS_COMPETENCE_BY_LEADER] = mus_competence_group_get(
		comp, MUS_COMPETENCE_BY_LEADER, answer->leader,
		answer->leader_name);
	for (unsigned int s = 0; s < MUS_COMPETENCE_SCOPES; s++) {
		struct mus_competence_count *count =
			mus_competence_count_get(comp, groups[s], code,
						 answer->title);

		count->levels[answer->side][answer->level]++;
	}
	comp->answers++;
	return 0;
}

static int mus_competence_group_cmp(struct mus_competence_group *const *a,
				    struct mus_competence_group *const *b)
{
	int ret = strcmp((*a)->name, (*b)->name);

	return ret != 0 ? ret : strcmp((*a)->key, (*b)->key);
}

void mus_competences_finish(struct mus_competences *comp)
{
	for (unsigned int s = 0; s < MUS_COMPETENCE_SCOPES; s++)
		array_sort(&comp->groups[s], mus_competence_group_cmp);
}

void mus_competence_share(const struct mus_competence_count *count,
			  enum mus_competence_side side,
			  struct mus_competence_share *share_r)
{
	const unsigned int *levels = count->levels[side];

	i_zero(share_r);
	for (unsigned int level = 0; level < MUS_COMPETENCE_LEVELS; level++) {
		share_r->answers += levels[level];
		if (level > 0)
			share_r->relevant += levels[level];
		if (level >= MUS_LEVEL_COMPETENT)
			share_r->competent += levels[level];
	}
	share_r->percent = share_r->relevant == 0 ? -1 :
		(int)(((uint64_t)share_r->competent * 200 + share_r->relevant) /
		      (2 * (uint64_t)share_r->relevant));
}

/* --- JSON --- */

/* cJSON returns NULL only when out of memory */
static void *mus_competence_json_made(void *ptr)
{
	if (ptr == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "cJSON: out of memory");
	return ptr;
}

static void mus_competence_json_side(cJSON *parent,
				     const struct mus_competence_count *count,
				     enum mus_competence_side side)
{
	cJSON *json = mus_competence_json_made(cJSON_AddObjectToObject(
		parent, mus_competence_side_names[side]));
	cJSON *levels = mus_competence_json_made(
		cJSON_AddArrayToObject(json, "levels"));
	struct mus_competence_share share;

	mus_competence_share(count, side, &share);
	for (unsigned int level = 0; level < MUS_COMPETENCE_LEVELS; level++) {
		cJSON_AddItemToArray(levels, mus_competence_json_made(
			cJSON_CreateNumber(count->levels[side][level])));
	}
	(void)mus_competence_json_made(
		cJSON_AddNumberToObject(json, "answers", share.answers));
	(void)mus_competence_json_made(
		cJSON_AddNumberToObject(json, "relevant", share.relevant));
	(void)mus_competence_json_made(
		cJSON_AddNumberToObject(json, "competent", share.competent));
	if (share.percent < 0) {
		(void)mus_competence_json_made(
			cJSON_AddNullToObject(json, "percent"));
	} else {
		(void)mus_competence_json_made(
			cJSON_AddNumberToObject(json, "percent", share.percent));
	}
}

static void mus_competence_json_counts(cJSON *array,
				       const struct mus_competence_group *group)
{
	const struct mus_competence_count *count;

	array_foreach(&group->competences, count) {
		cJSON *json = mus_competence_json_made(cJSON_CreateObject());

		cJSON_AddItemToArray(array, json);
		(void)mus_competence_json_made(
			cJSON_AddStringToObject(json, "code", count->code));
		(void)mus_competence_json_made(
			cJSON_AddStringToObject(json, "title", count->title));
		mus_competence_json_side(json, count, MUS_COMPETENCE_EMPLOYEE);
		mus_competence_json_side(json, count, MUS_COMPETENCE_LEADER);
	}
}

const char *mus_competences_json(const struct mus_competences *comp)
{
	static const char *const arrays[] = {
		[MUS_COMPETENCE_UNIT] = "units",
		[MUS_COMPETENCE_TEAM] = "teams",
		[MUS_COMPETENCE_BY_LEADER] = "leaders",
	};
	const struct mus_competence_group *org =
		array_idx_elem(&comp->groups[MUS_COMPETENCE_ORGANISATION], 0);
	struct mus_competence_group *group;
	cJSON *root = mus_competence_json_made(cJSON_CreateObject()), *array;
	const char *result;
	char *text;

	(void)mus_competence_json_made(
		cJSON_AddNumberToObject(root, "answers", comp->answers));
	array = mus_competence_json_made(
		cJSON_AddArrayToObject(root, "organisation"));
	mus_competence_json_counts(array, org);
	for (unsigned int s = MUS_COMPETENCE_UNIT; s < MUS_COMPETENCE_SCOPES; s++) {
		const char *key = mus_competence_scope_names[s];

		array = mus_competence_json_made(
			cJSON_AddArrayToObject(root, arrays[s]));
		array_foreach_elem(&comp->groups[s], group) {
			cJSON *json = mus_competence_json_made(cJSON_CreateObject());

			cJSON_AddItemToArray(array, json);
			(void)mus_competence_json_made(
				cJSON_AddStringToObject(json, key, group->key));
			if (s == MUS_COMPETENCE_BY_LEADER) {
				(void)mus_competence_json_made(
					cJSON_AddStringToObject(json, "name",
								group->name));
			}
			mus_competence_json_counts(mus_competence_json_made(
				cJSON_AddArrayToObject(json, "competences")),
				group);
		}
	}
	text = mus_competence_json_made(cJSON_PrintUnformatted(root));
	cJSON_Delete(root);
	result = t_strdup(text);
	cJSON_free(text);
	return result;
}

/* --- text --- */

/* value on one line of at most MUS_COMPETENCE_TEXT_WIDTH characters */
static const char *mus_competence_cell(const char *value)
{
	string_t *str = t_str_new(strlen(value) + 4);

	for (const char *p = value; *p != '\0'; p++)
		str_append_c(str, (unsigned char)*p < ' ' ? ' ' : *p);
	if (uni_utf8_strlen(str_c(str)) > MUS_COMPETENCE_TEXT_WIDTH) {
		str_truncate_utf8(str, MUS_COMPETENCE_TEXT_WIDTH);
		str_append(str, "...");
	}
	return str_c(str);
}

/* scope, group, competence, side, the levels, competent */
#define MUS_COMPETENCE_COLUMNS (4 + MUS_COMPETENCE_LEVELS + 1)

struct mus_competence_table {
	ARRAY_TYPE(const_string) cells;
	unsigned int widths[MUS_COMPETENCE_COLUMNS];
};

static void mus_competence_table_row(struct mus_competence_table *table,
				     const char *const *row)
{
	for (unsigned int c = 0; c < MUS_COMPETENCE_COLUMNS; c++) {
		unsigned int len = uni_utf8_strlen(row[c]);

		if (len > table->widths[c])
			table->widths[c] = len;
		array_push_back(&table->cells, &row[c]);
	}
}

/* the row of one side of one competence in one group, if it has answers */
static void mus_competence_table_add(struct mus_competence_table *table,
				     enum mus_competence_scope scope,
				     const struct mus_competence_group *group,
				     const struct mus_competence_count *count,
				     enum mus_competence_side side)
{
	const char *row[MUS_COMPETENCE_COLUMNS];
	struct mus_competence_share share;

	mus_competence_share(count, side, &share);
	if (share.answers == 0)
		return;
	row[0] = mus_competence_scope_names[scope];
	row[1] = scope == MUS_COMPETENCE_ORGANISATION ? "-" :
		mus_competence_cell(group->name);
	row[2] = count->code;
	row[3] = mus_competence_side_names[side];
	for (unsigned int level = 0; level < MUS_COMPETENCE_LEVELS; level++)
		row[4 + level] = dec2str(count->levels[side][level]);
	row[4 + MUS_COMPETENCE_LEVELS] = share.percent < 0 ?
		t_strdup_printf("%u/%u", share.competent, share.relevant) :
		t_strdup_printf("%u/%u %d%%", share.competent, share.relevant,
				share.percent);
	mus_competence_table_row(table, row);
}

static void mus_competence_pad(string_t *out, unsigned int count)
{
	for (; count > 0; count--)
		str_append_c(out, ' ');
}

void mus_competences_text(const struct mus_competences *comp, string_t *out)
{
	static const char *const header[MUS_COMPETENCE_COLUMNS] = {
		"scope", "group", "competence", "side",
		"0", "1", "2", "3", "4", "5", "competent",
	};
	struct mus_competence_table table;
	struct mus_competence_group *group;
	const struct mus_competence_count *count;
	const char *const *cells;
	unsigned int n;

	i_zero(&table);
	t_array_init(&table.cells, 256);
	mus_competence_table_row(&table, header);
	for (unsigned int s = 0; s < MUS_COMPETENCE_SCOPES; s++) {
		array_foreach_elem(&comp->groups[s], group) {
			array_foreach(&group->competences, count) {
				mus_competence_table_add(&table, s, group, count,
							 MUS_COMPETENCE_EMPLOYEE);
				mus_competence_table_add(&table, s, group, count,
							 MUS_COMPETENCE_LEADER);
			}
		}
	}
	cells = array_get(&table.cells, &n);
	for (unsigned int i = 0; i < n; i += MUS_COMPETENCE_COLUMNS) {
		for (unsigned int k = 0; k < MUS_COMPETENCE_COLUMNS; k++) {
			unsigned int pad = table.widths[k] -
				uni_utf8_strlen(cells[i + k]);

			if (k > 0)
				str_append(out, "  ");
			/* the counts right-aligned, the rest left */
			if (k >= 4 && k < 4 + MUS_COMPETENCE_LEVELS)
				mus_competence_pad(out, pad);
			str_append(out, cells[i + k]);
			if (k < 4)
				mus_competence_pad(out, pad);
		}
		str_append_c(out, '\n');
	}
}
