/* Job profiles and their competences. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "buffer.h"
#include "unichar.h"
#include "mus-text.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-profile.h"

#include <ctype.h>

#define MUS_PROFILE_PAGE_SIZE 400

static const char *const mus_profile_attrs[] = {
	"cn", "description", "musCompetence", NULL
};

bool mus_competence_code_valid(const char *code)
{
	size_t len = strlen(code);

	if (len == 0 || len > MUS_COMPETENCE_CODE_MAX)
		return FALSE;
	for (; *code != '\0'; code++) {
		if (!i_isalnum(*code) && *code != '-')
			return FALSE;
	}
	return TRUE;
}

static const char *mus_competence_trim(const char *value)
{
	return t_str_trim(value, " \t");
}

int mus_competence_parse(pool_t pool, const char *value,
			 struct mus_competence *competence_r,
			 const char **error_r)
{
	const char *parts[4], *p = value, *bar;
	unsigned int n;

	if (!uni_utf8_str_is_valid(value)) {
		*error_r = "is not valid UTF-8";
		return -1;
	}
	for (n = 0; n < 3 && (bar = strchr(p, '|')) != NULL; n++) {
		parts[n] = mus_competence_trim(t_strdup_until(p, bar));
		p = bar + 1;
	}
	parts[n++] = mus_competence_trim(p);
	if (n < 3) {
		*error_r = "has fewer than three parts: expected "
			"'<code> | <Danish title> | <English title> | <description>'";
		return -1;
	}
	if (n == 3)
		parts[3] = "";
	if (!mus_competence_code_valid(parts[0])) {
		*error_r = t_strdup_printf(
			"code '%s' is not 1-%u characters of a-z, 0-9 and '-'",
			parts[0], MUS_COMPETENCE_CODE_MAX);
		return -1;
	}
	for (unsigned int i = 1; i <= 2; i++) {
		if (parts[i][0] == '\0' ||
		    uni_utf8_strlen(parts[i]) > MUS_COMPETENCE_TITLE_MAX) {
			*error_r = t_strdup_printf(
				"%s title of '%s' is empty or longer than %u characters",
				i == 1 ? "the Danish" : "the English", parts[0],
				MUS_COMPETENCE_TITLE_MAX);
			return -1;
		}
	}
	if (uni_utf8_strlen(parts[3]) > MUS_COMPETENCE_DESCRIPTION_MAX) {
		*error_r = t_strdup_printf(
			"the description of '%s' is longer than %u characters",
			parts[0], MUS_COMPETENCE_DESCRIPTION_MAX);
		return -1;
	}
	if (mus_text_control_char(value, "\t") != 0) {
		*error_r = t_strdup_printf("'%s' holds a control character",
					   parts[0]);
		return -1;
	}
	competence_r->code = p_strdup(pool, t_str_lcase(parts[0]));
	competence_r->title_da = p_strdup(pool, parts[1]);
	competence_r->title_en = p_strdup(pool, parts[2]);
	competence_r->description = p_strdup(pool, parts[3]);
	return 0;
}

static int mus_competence_cmp(const struct mus_competence *a,
			      const struct mus_competence *b)
{
	return strcmp(a->code, b->code);
}

struct mus_profile *
mus_profile_build(pool_t pool, const char *dn, const char *name,
		  const char *description, const char *const *values)
{
	struct mus_profile *profile = p_new(pool, struct mus_profile, 1);
	struct mus_competence competence;
	const char *error;
	unsigned int count = str_array_length(values);

	profile->dn = p_strdup(pool, dn);
	if (mus_ldap_dn_normalize(pool, dn, &profile->ndn, &error) < 0)
		profile->ndn = profile->dn;
	profile->name = p_strdup(pool, name);
	profile->description = p_strdup(pool, description);
	p_array_init(&profile->competences, pool, count + 1);
	if (name == NULL || name[0] == '\0')
		profile->problem = "it has no name (cn)";
	else if (count < MUS_PROFILE_MIN_COMPETENCES ||
		 count > MUS_PROFILE_MAX_COMPETENCES) {
		profile->problem = p_strdup_printf(pool,
			"it has %u competences (musCompetence), not %u to %u",
			count, MUS_PROFILE_MIN_COMPETENCES,
			MUS_PROFILE_MAX_COMPETENCES);
	}
	for (unsigned int i = 0; values[i] != NULL; i++) {
		if (mus_competence_parse(pool, values[i], &competence,
					 &error) < 0) {
			if (profile->problem == NULL) {
				profile->problem = p_strdup_printf(pool,
					"musCompetence '%s' %s", values[i], error);
			}
			continue;
		}
		if (mus_profile_competence(profile, competence.code) != NULL &&
		    profile->problem == NULL) {
			profile->problem = p_strdup_printf(pool,
				"the code '%s' is given twice", competence.code);
		}
		array_push_back(&profile->competences, &competence);
	}
	array_sort(&profile->competences, mus_competence_cmp);
	return profile;
}

const struct mus_competence *
mus_profile_competence(const struct mus_profile *profile, const char *code)
{
	const struct mus_competence *competence;

	array_foreach(&profile->competences, competence) {
		if (strcasecmp(competence->code, code) == 0)
			return competence;
	}
	return NULL;
}

/* name in a form where case does not matter, Danish letters included */
static const char *mus_profile_fold(const char *name)
{
	buffer_t *buf = t_buffer_create(strlen(name) + 8);

	if (uni_utf8_to_decomposed_titlecase(name, strlen(name), buf) < 0)
		return t_str_lcase(name);
	return t_strdup_until(buf->data, CONST_PTR_OFFSET(buf->data, buf->used));
}

static struct mus_profile *
mus_profile_from_entry(pool_t pool, const struct mus_ldap_entry *entry)
{
	return mus_profile_build(pool, mus_ldap_entry_dn(entry),
		mus_ldap_entry_value(entry, "cn"),
		mus_ldap_entry_value(entry, "description"),
		mus_ldap_entry_values(entry, "musCompetence"));
}

static int mus_profile_entry(const struct mus_ldap_entry *entry, void *context,
			     const char **error_r ATTR_UNUSED)
{
	struct mus_profiles *profiles = context;
	struct mus_profile *profile =
		mus_profile_from_entry(profiles->pool, entry);

	array_push_back(&profiles->all, &profile);
	return 0;
}

struct mus_profile_read_ctx {
	pool_t pool;
	struct mus_profile *profile;
};

static int mus_profile_read_entry(const struct mus_ldap_entry *entry,
				  void *context,
				  const char **error_r ATTR_UNUSED)
{
	struct mus_profile_read_ctx *ctx = context;

	ctx->profile = mus_profile_from_entry(ctx->pool, entry);
	return 0;
}

int mus_profile_read(struct mus_ldap *conn, pool_t pool, const char *dn,
		     struct mus_profile **profile_r, const char **error_r)
{
	struct mus_profile_read_ctx ctx = { .pool = pool };
	int ret;

	ret = mus_ldap_read(conn, dn, mus_profile_attrs,
			    mus_profile_read_entry, &ctx, error_r);
	if (ret > 0 && ctx.profile == NULL)
		ret = 0;
	if (ret > 0)
		*profile_r = ctx.profile;
	return ret;
}

static int mus_profile_name_cmp(struct mus_profile *const *a,
				struct mus_profile *const *b)
{
	return strcmp((*a)->name == NULL ? "" : (*a)->name,
		      (*b)->name == NULL ? "" : (*b)->name);
}

/* two profiles of one name: a title would not say which, so neither is used */
static void mus_profiles_check_names(struct mus_profiles *profiles)
{
	struct mus_profile *const *all;
	unsigned int count;

	all = array_get(&profiles->all, &count);
	for (unsigned int i = 0; i < count; i++) {
		for (unsigned int j = i + 1; j < count; j++) {
			if (all[i]->name == NULL || all[j]->name == NULL ||
			    strcmp(mus_profile_fold(all[i]->name),
				   mus_profile_fold(all[j]->name)) != 0)
				continue;
			all[i]->problem = p_strdup_printf(profiles->pool,
				"%s has the same name", all[j]->dn);
			all[j]->problem = p_strdup_printf(profiles->pool,
				"%s has the same name", all[i]->dn);
		}
	}
}

int mus_profiles_load(struct mus_ldap *conn, const char *base,
		      struct mus_profiles **profiles_r, const char **error_r)
{
	pool_t pool = pool_alloconly_create("mus profiles", 8192);
	struct mus_profiles *profiles = p_new(pool, struct mus_profiles, 1);

	profiles->pool = pool;
	p_array_init(&profiles->all, pool, 16);
	if (mus_ldap_search_paged(conn, base, "(objectClass=musJobProfile)",
				  mus_profile_attrs, MUS_PROFILE_PAGE_SIZE,
				  mus_profile_entry, profiles, error_r) < 0) {
		pool_unref(&pool);
		return -1;
	}
	T_BEGIN {
		mus_profiles_check_names(profiles);
	} T_END;
	array_sort(&profiles->all, mus_profile_name_cmp);
	*profiles_r = profiles;
	return 0;
}

void mus_profiles_free(struct mus_profiles **_profiles)
{
	struct mus_profiles *profiles = *_profiles;

	if (profiles == NULL)
		return;
	*_profiles = NULL;
	pool_unref(&profiles->pool);
}

struct mus_profile *mus_profiles_find_dn(const struct mus_profiles *profiles,
					 const char *ndn)
{
	struct mus_profile *profile;

	array_foreach_elem(&profiles->all, profile) {
		if (strcmp(profile->ndn, ndn) == 0)
			return profile;
	}
	return NULL;
}

int mus_profiles_resolve(const struct mus_profiles *profiles,
			 const struct mus_person *person,
			 const struct mus_profile **profile_r,
			 const char **problem_r)
{
	struct mus_profile *profile, *found = NULL;

	if (person->job_profile_ndn != NULL) {
		found = mus_profiles_find_dn(profiles, person->job_profile_ndn);
		if (found == NULL) {
			*problem_r = t_strdup_printf(
				"musJobProfileRef %s names no job profile",
				person->job_profile_ndn);
			return -1;
		}
	} else if (person->title != NULL) {
		const char *title = mus_profile_fold(person->title);

		array_foreach_elem(&profiles->all, profile) {
			if (profile->name != NULL &&
			    strcmp(mus_profile_fold(profile->name), title) == 0) {
				found = profile;
				break;
			}
		}
	}
	if (found == NULL)
		return 0;
	if (found->problem != NULL) {
		*problem_r = t_strdup_printf("the job profile %s is not used: %s",
					     found->dn, found->problem);
		return -1;
	}
	*profile_r = found;
	return 1;
}

void mus_profiles_count(const struct mus_profiles *profiles,
			const struct mus_org *org)
{
	struct mus_person *person;
	const struct mus_profile *profile;
	const char *problem;

	array_foreach_elem(&org->people, person) {
		T_BEGIN {
			if (mus_profiles_resolve(profiles, person, &profile,
						 &problem) > 0)
				((struct mus_profile *)profile)->people++;
		} T_END;
	}
}
