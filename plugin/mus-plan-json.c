/* Reading the development plan from JSON (cJSON). */

#include "lib.h"
#include "array.h"
#include "str-sanitize.h"
#include "mus-time.h"
#include "mus-file.h"
#include "mus-plan-json.h"

#include <cjson/cJSON.h>

#define MUS_PLAN_JSON_EXCERPT_LEN 40

struct mus_plan_json_reader {
	struct mus_plan_problems *problems;
	struct mus_plan *plan;
};

static void mus_plan_json_where(struct mus_plan_where *where_r,
				const char *path)
{
	i_zero(where_r);
	where_r->path = path;
}

/* Problems for keys outside keys and keys given twice. Returns FALSE if
   json is no object (also a problem). */
static bool mus_plan_json_object(struct mus_plan_json_reader *reader,
				 const cJSON *json, const char *path,
				 const char *const *keys)
{
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_where where;
	const cJSON *child, *prev;

	mus_plan_json_where(&where, path[0] == '\0' ? NULL : path);
	if (!cJSON_IsObject(json)) {
		mus_plan_problem_add(problems, &where, MUS_PLAN_LANG(problems,
			"skal være et objekt", "must be an object"));
		return FALSE;
	}
	cJSON_ArrayForEach(child, json) {
		const char *key = str_sanitize_utf8(child->string,
						    MUS_PLAN_JSON_EXCERPT_LEN);

		if (!str_array_find(keys, child->string)) {
			mus_plan_problem_add(problems, &where,
				MUS_PLAN_LANG(problems,
				"ukendt nøgle \"%s\"", "unknown key \"%s\""),
				key);
			continue;
		}
		for (prev = json->child; prev != child; prev = prev->next) {
			if (strcmp(prev->string, child->string) == 0) {
				mus_plan_problem_add(problems, &where,
					MUS_PLAN_LANG(problems,
					"nøglen \"%s\" står der to gange",
					"the key \"%s\" appears twice"), key);
				break;
			}
		}
	}
	return TRUE;
}

static const char *mus_plan_json_path(const char *parent, const char *key)
{
	return parent[0] == '\0' ? key :
		t_strdup_printf("%s.%s", parent, key);
}

/* The string at parent.key: 1 found, 0 missing (no problem added), -1
   not a string (a problem added). */
static int mus_plan_json_string(struct mus_plan_json_reader *reader,
				const cJSON *parent, const char *parent_path,
				const char *key, const char **value_r,
				struct mus_plan_where *where_r)
{
	struct mus_plan_problems *problems = reader->problems;
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(parent, key);

	mus_plan_json_where(where_r, p_strdup(problems->pool,
		mus_plan_json_path(parent_path, key)));
	if (item == NULL)
		return 0;
	if (!cJSON_IsString(item)) {
		mus_plan_problem_add(problems, where_r, MUS_PLAN_LANG(problems,
			"skal være en tekst", "must be a string"));
		return -1;
	}
	*value_r = p_strdup(problems->pool, item->valuestring);
	return 1;
}

static void mus_plan_json_date(struct mus_plan_json_reader *reader,
			       const cJSON *parent, const char *parent_path,
			       const char *key, int *date_r,
			       enum mus_plan_field *field_r,
			       struct mus_plan_where *where_r)
{
	struct mus_plan_problems *problems = reader->problems;
	const char *value;
	int ret;

	ret = mus_plan_json_string(reader, parent, parent_path, key, &value,
				   where_r);
	if (ret <= 0) {
		*field_r = ret == 0 ? MUS_PLAN_FIELD_MISSING :
			MUS_PLAN_FIELD_BROKEN;
		return;
	}
	if (mus_time_parse_date(value, TRUE, date_r) < 0) {
		mus_plan_problem_add(problems, where_r, MUS_PLAN_LANG(problems,
			"\"%s\" er ikke en dato på formen ÅÅÅÅ-MM-DD",
			"\"%s\" is not a date in the form YYYY-MM-DD"),
			str_sanitize_utf8(value, MUS_PLAN_JSON_EXCERPT_LEN));
		*field_r = MUS_PLAN_FIELD_BROKEN;
		return;
	}
	*field_r = MUS_PLAN_FIELD_GIVEN;
}

static void mus_plan_json_goal(struct mus_plan_json_reader *reader,
			       const cJSON *json, const char *path)
{
	static const char *const keys[] = { "kind", "text", NULL };
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_goal goal;
	struct mus_plan_where kind_where;
	const char *kind = NULL;
	int ret;

	i_zero(&goal);
	if (!mus_plan_json_object(reader, json, path, keys))
		return;
	ret = mus_plan_json_string(reader, json, path, "kind", &kind,
				   &kind_where);
	if (ret == 0) {
		mus_plan_problem_add(problems, &kind_where,
			MUS_PLAN_LANG(problems, "mangler", "is missing"));
	} else if (ret > 0 && strcmp(kind, "individual") == 0) {
		goal.kind = MUS_PLAN_GOAL_INDIVIDUAL;
	} else if (ret > 0 && strcmp(kind, "shared") != 0) {
		mus_plan_problem_add(problems, &kind_where,
			MUS_PLAN_LANG(problems,
			"\"%s\" er hverken \"shared\" eller \"individual\"",
			"\"%s\" is neither \"shared\" nor \"individual\""),
			str_sanitize_utf8(kind, MUS_PLAN_JSON_EXCERPT_LEN));
	}
	ret = mus_plan_json_string(reader, json, path, "text", &goal.text,
				   &goal.where);
	if (ret == 0) {
		mus_plan_problem_add(problems, &goal.where,
			MUS_PLAN_LANG(problems, "mangler", "is missing"));
	}
	if (ret > 0)
		array_push_back(&reader->plan->goals, &goal);
}

static void mus_plan_json_responsible(struct mus_plan_json_reader *reader,
				      const cJSON *json, const char *path,
				      struct mus_plan_activity *activity)
{
	static const char *const keys[] = { "name", "mail", NULL };
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_responsible *resp = &activity->responsible;
	struct mus_plan_where where;

	mus_plan_json_where(&activity->where_responsible,
			    p_strdup(problems->pool, path));
	activity->responsible_field = MUS_PLAN_FIELD_BROKEN;
	if (cJSON_IsString(json)) {
		if (strcmp(json->valuestring, "leader") == 0) {
			resp->kind = MUS_PLAN_RESPONSIBLE_LEADER;
		} else if (strcmp(json->valuestring, "employee") == 0) {
			resp->kind = MUS_PLAN_RESPONSIBLE_EMPLOYEE;
		} else {
			mus_plan_problem_add(problems,
				&activity->where_responsible,
				MUS_PLAN_LANG(problems,
				"\"%s\" er hverken \"leader\", \"employee\" eller "
				"et objekt med \"name\" og/eller \"mail\"",
				"\"%s\" is neither \"leader\", \"employee\" nor "
				"an object with \"name\" and/or \"mail\""),
				str_sanitize_utf8(json->valuestring,
						  MUS_PLAN_JSON_EXCERPT_LEN));
			return;
		}
		activity->responsible_field = MUS_PLAN_FIELD_GIVEN;
		return;
	}
	if (!mus_plan_json_object(reader, json, path, keys))
		return;
	resp->kind = MUS_PLAN_RESPONSIBLE_PERSON;
	if (mus_plan_json_string(reader, json, path, "name", &resp->name,
				 &where) < 0 ||
	    mus_plan_json_string(reader, json, path, "mail", &resp->mail,
				 &where) < 0)
		return;
	/* "" is no name or address */
	if (resp->name != NULL && resp->name[0] == '\0')
		resp->name = NULL;
	if (resp->mail != NULL && resp->mail[0] == '\0')
		resp->mail = NULL;
	activity->responsible_field = MUS_PLAN_FIELD_GIVEN;
}

static void mus_plan_json_activity(struct mus_plan_json_reader *reader,
				   const cJSON *json, const char *path)
{
	static const char *const keys[] = {
		"description", "kind", "responsible", "due", NULL
	};
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_activity activity;
	const cJSON *responsible;
	const char *kind;
	int ret;

	i_zero(&activity);
	if (!mus_plan_json_object(reader, json, path, keys))
		return;
	mus_plan_json_where(&activity.where, p_strdup(problems->pool, path));
	activity.description_broken =
		mus_plan_json_string(reader, json, path, "description",
				     &activity.description,
				     &activity.where_description) < 0;
	ret = mus_plan_json_string(reader, json, path, "kind", &kind,
				   &activity.where_kind);
	if (ret > 0 && mus_plan_activity_kind_parse(kind, &activity.kind)) {
		activity.kind_field = MUS_PLAN_FIELD_GIVEN;
	} else if (ret != 0) {
		if (ret > 0) {
			mus_plan_problem_add(problems, &activity.where_kind,
				MUS_PLAN_LANG(problems,
				"\"%s\" er ikke en type aktivitet (course, "
				"education, practice, supervision, mentoring, "
				"new-tasks)",
				"\"%s\" is not a kind of activity (course, "
				"education, practice, supervision, mentoring, "
				"new-tasks)"),
				str_sanitize_utf8(kind, MUS_PLAN_JSON_EXCERPT_LEN));
		}
		activity.kind_field = MUS_PLAN_FIELD_BROKEN;
	}
	responsible = cJSON_GetObjectItemCaseSensitive(json, "responsible");
	if (responsible != NULL) {
		mus_plan_json_responsible(reader, responsible,
			mus_plan_json_path(path, "responsible"), &activity);
	}
	mus_plan_json_date(reader, json, path, "due", &activity.due,
			   &activity.due_field, &activity.where_due);
	array_push_back(&reader->plan->activities, &activity);
}

/* Each element of the array root.key through read. */
static void mus_plan_json_list(struct mus_plan_json_reader *reader,
			       const cJSON *root, const char *key,
			       void (*read)(struct mus_plan_json_reader *,
					    const cJSON *, const char *))
{
	struct mus_plan_problems *problems = reader->problems;
	const cJSON *array = cJSON_GetObjectItemCaseSensitive(root, key);
	struct mus_plan_where where;
	const cJSON *item;
	unsigned int i = 0;

	if (array == NULL)
		return;
	mus_plan_json_where(&where, key);
	if (!cJSON_IsArray(array)) {
		mus_plan_problem_add(problems, &where, MUS_PLAN_LANG(problems,
			"skal være en liste", "must be an array"));
		return;
	}
	cJSON_ArrayForEach(item, array) {
		T_BEGIN {
			read(reader, item, t_strdup_printf("%s[%u]", key, i));
		} T_END;
		i++;
	}
}

/* Returns FALSE if the document is no JSON object (a problem added). */
static bool mus_plan_json_read(struct mus_plan_json_reader *reader,
			       const char *text, size_t size)
{
	static const char *const keys[] = {
		"goals", "activities", "follow_up", NULL
	};
	struct mus_plan_problems *problems = reader->problems;
	struct mus_plan_where where;
	const char *end = NULL;
	cJSON *root;

	i_zero(&where);
	root = cJSON_ParseWithLengthOpts(text, size, &end, FALSE);
	if (root == NULL || end < text + size) {
		if (root != NULL) {
			/* something after the document */
			for (; end < text + size && (*end == ' ' ||
			     *end == '\t' || *end == '\r' || *end == '\n');
			     end++) ;
		}
		if (root == NULL || end < text + size) {
			where.line = mus_file_line_of(text, end == NULL ?
							text : end);
			mus_plan_problem_add(problems, &where,
				MUS_PLAN_LANG(problems,
				"ikke gyldig JSON", "not valid JSON"));
			cJSON_Delete(root);
			return FALSE;
		}
	}
	if (!mus_plan_json_object(reader, root, "", keys)) {
		cJSON_Delete(root);
		return FALSE;
	}
	mus_plan_json_list(reader, root, "goals", mus_plan_json_goal);
	mus_plan_json_list(reader, root, "activities", mus_plan_json_activity);
	mus_plan_json_date(reader, root, "", "follow_up",
			   &reader->plan->follow_up,
			   &reader->plan->follow_up_field,
			   &reader->plan->where_follow_up);
	cJSON_Delete(root);
	return TRUE;
}

int mus_plan_json_parse(const void *data, size_t size, int today,
			const struct mus_plan_team *team,
			struct mus_plan_problems *problems,
			struct mus_plan **plan_r)
{
	struct mus_plan_json_reader reader;
	unsigned int before = array_count(&problems->list);

	i_zero(&reader);
	reader.problems = problems;
	reader.plan = mus_plan_new(problems->pool);
	T_BEGIN {
		struct mus_plan_where where = { .line = 0 };

		if (size > MUS_PLAN_JSON_MAX_SIZE) {
			mus_plan_problem_add(problems, &where,
				MUS_PLAN_LANG(problems,
				"JSON-dokumentet er større end %u byte",
				"the JSON document is larger than %u bytes"),
				MUS_PLAN_JSON_MAX_SIZE);
		} else if (memchr(data, '\0', size) != NULL) {
			mus_plan_problem_add(problems, &where,
				MUS_PLAN_LANG(problems,
				"JSON-dokumentet indeholder en NUL-byte",
				"the JSON document contains a NUL byte"));
		} else if (mus_plan_json_read(&reader, data, size)) {
			(void)mus_plan_validate(reader.plan, today, team,
						 problems);
		}
	} T_END;
	if (array_count(&problems->list) > before || problems->truncated)
		return -1;
	*plan_r = reader.plan;
	return 0;
}

/* cJSON returns NULL only when out of memory */
static void *mus_plan_json_made(void *ptr)
{
	if (ptr == NULL)
		i_fatal_status(FATAL_OUTOFMEM, "cJSON: out of memory");
	return ptr;
}

static void mus_plan_json_add_string(cJSON *object, const char *key,
				     const char *value)
{
	(void)mus_plan_json_made(cJSON_AddStringToObject(object, key, value));
}

static cJSON *mus_plan_json_new_object(cJSON *parent, const char *key)
{
	cJSON *object = mus_plan_json_made(cJSON_CreateObject());

	if (key == NULL)
		(void)cJSON_AddItemToArray(parent, object);
	else
		(void)cJSON_AddItemToObject(parent, key, object);
	return object;
}

static void mus_plan_json_write_activity(cJSON *array,
					 const struct mus_plan_activity *activity)
{
	const struct mus_plan_responsible *resp = &activity->responsible;
	cJSON *json = mus_plan_json_new_object(array, NULL), *person;

	mus_plan_json_add_string(json, "description", activity->description);
	mus_plan_json_add_string(json, "kind",
				 mus_plan_activity_kind_name(activity->kind));
	switch (resp->kind) {
	case MUS_PLAN_RESPONSIBLE_LEADER:
		mus_plan_json_add_string(json, "responsible", "leader");
		break;
	case MUS_PLAN_RESPONSIBLE_EMPLOYEE:
		mus_plan_json_add_string(json, "responsible", "employee");
		break;
	case MUS_PLAN_RESPONSIBLE_PERSON:
		person = mus_plan_json_new_object(json, "responsible");
		if (resp->name != NULL)
			mus_plan_json_add_string(person, "name", resp->name);
		if (resp->mail != NULL)
			mus_plan_json_add_string(person, "mail", resp->mail);
		break;
	}
	mus_plan_json_add_string(json, "due", mus_plan_date(activity->due));
}

const char *mus_plan_json_write(const struct mus_plan *plan)
{
	const struct mus_plan_goal *goal;
	const struct mus_plan_activity *activity;
	cJSON *root, *array, *json;
	const char *result;
	char *text;

	root = mus_plan_json_made(cJSON_CreateObject());
	array = mus_plan_json_made(cJSON_AddArrayToObject(root, "goals"));
	array_foreach(&plan->goals, goal) {
		json = mus_plan_json_new_object(array, NULL);
		mus_plan_json_add_string(json, "kind",
			goal->kind == MUS_PLAN_GOAL_SHARED ? "shared" : "individual");
		mus_plan_json_add_string(json, "text", goal->text);
	}
	array = mus_plan_json_made(cJSON_AddArrayToObject(root, "activities"));
	array_foreach(&plan->activities, activity)
		mus_plan_json_write_activity(array, activity);
	mus_plan_json_add_string(root, "follow_up",
				 mus_plan_date(plan->follow_up));
	text = mus_plan_json_made(cJSON_PrintUnformatted(root));
	cJSON_Delete(root);
	result = t_strdup(text);
	cJSON_free(text);
	return result;
}
