/* HR's competence figures: the answers in the directory, counted. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-roster.h"
#include "mus-people.h"
#include "mus-profile.h"
#include "mus-competence-form.h"
#include "mus-competence-figures.h"

#define MUS_COMPETENCE_FIGURES_PAGE_SIZE 400

struct mus_competence_figures_ctx {
	const struct mus_competence_figures_source *src;
	struct mus_competences *comp;
	struct mus_profiles *profiles;
	ARRAY_TYPE(mus_team) teams;	/* sorted by name */
	pool_t pool;
};

const char *mus_competence_figures_unit(const char *arg)
{
	const char *value = strchr(arg, '=') == NULL ? NULL :
		mus_ldap_dn_rdn_value(arg);

	return value != NULL ? value : arg;
}

static const char *
mus_competence_figures_team(struct mus_competence_figures_ctx *ctx,
			    const struct mus_person *employee,
			    const char *leader_name)
{
	const struct mus_team *team;

	if (ctx->src->set->team_base == NULL)
		return leader_name;
	if (employee == NULL)
		return NULL;
	array_foreach(&ctx->teams, team) {
		if (str_array_find(team->member_ndns, employee->ndn))
			return team->name;
	}
	return NULL;
}

static const char *
mus_competence_figures_title(struct mus_competence_figures_ctx *ctx,
			     const char *profile_dn, const char *code)
{
	const struct mus_profile *profile = NULL;
	const struct mus_competence *c;
	const char *ndn, *error;

	if (ctx->profiles != NULL && profile_dn != NULL &&
	    mus_ldap_dn_normalize(pool_datastack_create(), profile_dn, &ndn,
				  &error) == 0)
		profile = mus_profiles_find_dn(ctx->profiles, ndn);
	c = profile == NULL ? NULL : mus_profile_competence(profile, code);
	if (c == NULL)
		return code;
	return ctx->src->set->language == MUS_LANGUAGE_EN ?
		c->title_en : c->title_da;
}

static int mus_competence_figures_entry(const struct mus_ldap_entry *entry,
					void *context,
					const char **error_r ATTR_UNUSED)
{
	struct mus_competence_figures_ctx *ctx = context;
	const struct mus_competence_figures_source *src = ctx->src;
	const char *employee_dn = mus_ldap_entry_value(entry, "musEmployee");
	const char *leader_dn = mus_ldap_entry_value(entry, "musLeader");
	const char *profile_dn = mus_ldap_entry_value(entry, "musJobProfileRef");
	const struct mus_person *employee, *leader;
	struct mus_competence_answer answer;
	const char *const *values;

	employee = mus_org_find_dn(src->org, employee_dn);
	leader = mus_org_find_dn(src->org, leader_dn);
	i_zero(&answer);
	answer.unit = employee == NULL ? NULL : employee->unit;
	if (src->unit != NULL &&
	    (answer.unit == NULL || strcasecmp(answer.unit, src->unit) != 0))
		return 0;
	answer.leader = leader_dn;
	answer.leader_name = leader == NULL ? NULL : leader->cn;
	answer.team = mus_competence_figures_team(ctx, employee,
		answer.leader_name != NULL ? answer.leader_name : leader_dn);
	for (unsigned int side = 0; side < MUS_COMPETENCE_SIDES; side++) {
		values = mus_ldap_entry_values(entry,
			side == MUS_COMPETENCE_EMPLOYEE ?
			"musAssessmentEmployee" : "musAssessmentLeader");
		for (; *values != NULL; values++) {
			struct mus_assessment_item item;
			const char *error;

			answer.side = side;
			if (!mus_assessment_item_parse(*values, &item)) {
				src->log(t_strdup_printf(
					"%s: '%s' is no '<code> <level>'",
					mus_ldap_entry_dn(entry), *values), src->context);
				continue;
			}
			answer.code = item.code;
			answer.level = item.level;
			answer.title = mus_competence_figures_title(ctx,
				profile_dn, item.code);
			if (mus_competences_add(ctx->comp, &answer, &error) < 0)
				src->log(t_strdup_printf("%s: %s", mus_ldap_entry_dn(entry),
							 error), src->context);
		}
	}
	return 0;
}

static int mus_team_name_cmp(const struct mus_team *a, const struct mus_team *b)
{
	return strcmp(a->name, b->name);
}

int mus_competence_figures_load(const struct mus_competence_figures_source *src,
				struct mus_competences **comp_r,
				const char **error_r)
{
	static const char *const attrs[] = {
		"musEmployee", "musLeader", "musJobProfileRef",
		"musAssessmentEmployee", "musAssessmentLeader", NULL
	};
	struct mus_competence_figures_ctx ctx;
	int ret = 0;

	i_zero(&ctx);
	ctx.src = src;
	ctx.pool = pool_alloconly_create("mus competence figures", 4096);
	p_array_init(&ctx.teams, ctx.pool, 16);
	ctx.comp = mus_competences_create();
	if (src->set->profile_base != NULL &&
	    mus_profiles_load(src->conn, src->set->profile_base,
			      &ctx.profiles, error_r) < 0)
		ret = -1;
	if (ret == 0 && src->set->team_base != NULL) {
		if (mus_teams_load(src->conn, ctx.pool, src->set->team_base,
				   &ctx.teams, error_r) < 0)
			ret = -1;
		else
			array_sort(&ctx.teams, mus_team_name_cmp);
	}
	if (ret == 0) {
		ret = mus_ldap_search_paged(src->conn, src->set->round_base,
			"(&(objectClass=musConversation)"
			"(|(musAssessmentEmployee=*)(musAssessmentLeader=*)))",
			attrs, MUS_COMPETENCE_FIGURES_PAGE_SIZE,
			mus_competence_figures_entry, &ctx, error_r);
	}
	if (ctx.profiles != NULL)
		mus_profiles_free(&ctx.profiles);
	pool_unref(&ctx.pool);
	if (ret < 0) {
		mus_competences_destroy(&ctx.comp);
		return -1;
	}
	mus_competences_finish(ctx.comp);
	*comp_r = ctx.comp;
	return 0;
}
