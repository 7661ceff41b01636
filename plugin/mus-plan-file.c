/* Filing approved plans in the directory. */

#include "lib.h"
#include "array.h"
#include "mus-ldap.h"
#include "mus-settings.h"
#include "mus-conversation.h"
#include "mus-time.h"
#include "mus-plan.h"
#include "mus-plan-draft.h"
#include "mus-plan-entry.h"
#include "mus-plan-approval.h"
#include "mus-plan-file.h"

struct mus_plan_file_ctx {
	struct mus_ldap *conn;
	const struct mus_settings *set;
	const char *round_dn;
	time_t now;
	mus_plan_file_log_t *log;
	void *log_context;
	struct mus_plan_file_result *result;
	/* check and count, write nothing */
	bool dry_run;
	pool_t pool;
};

static void mus_plan_file_failed(struct mus_plan_file_ctx *ctx,
				 const struct mus_conversation *conv,
				 const char *why)
{
	ctx->result->failed++;
	ctx->log(t_strdup_printf("cannot file the plan of %s: %s",
				 conv->dn, why), ctx->log_context);
}

static int mus_plan_file_read_draft(struct mus_plan_file_ctx *ctx,
				    const struct mus_conversation *conv,
				    struct mus_plan **plan_r)
{
	const char *error;

	if (mus_plan_draft_read(conv, ctx->set->timezone, ctx->now, ctx->pool,
				plan_r, &error) < 0) {
		mus_plan_file_failed(ctx, conv, error);
		return -1;
	}
	return 0;
}

struct mus_plan_file_person {
	bool exists, has_class, has_ref;
	const char *plan_ndn;
};

static int mus_plan_file_person_entry(const struct mus_ldap_entry *entry,
				      void *context,
				      const char **error_r ATTR_UNUSED)
{
	struct mus_plan_file_person *person = context;
	const char *const *values;
	const char *ndn, *error;

	person->exists = TRUE;
	values = mus_ldap_entry_values(entry, "objectClass");
	for (; *values != NULL; values++) {
		if (strcasecmp(*values, "musPerson") == 0)
			person->has_class = TRUE;
	}
	values = mus_ldap_entry_values(entry, "musPlanRef");
	for (; *values != NULL; values++) {
		if (mus_ldap_dn_normalize(pool_datastack_create(), *values,
					  &ndn, &error) == 0 &&
		    strcmp(ndn, person->plan_ndn) == 0)
			person->has_ref = TRUE;
	}
	return 0;
}

static int mus_plan_file_read_person(struct mus_plan_file_ctx *ctx,
				     const char *dn,
				     struct mus_plan_file_person *person,
				     const char **error_r)
{
	static const char *const attrs[] = {
		"objectClass", "musPlanRef", NULL
	};

	person->exists = person->has_class = person->has_ref = FALSE;
	return mus_ldap_read(ctx->conn, dn, attrs, mus_plan_file_person_entry,
			     person, error_r) < 0 ? -1 : 0;
}

/* Link the plan from the employee's entry (plans under mus_plan_base).
   The assertion makes the change only while the entry still lacks the
   link (and the class, when it is added): two hosts filing at once
   both end with one link. Returns 1 when the link is there, 0 when it
   could not be made (logged), -1 on a directory error. */
static int mus_plan_file_link(struct mus_plan_file_ctx *ctx,
			      const struct mus_conversation *conv,
			      const char *employee_dn,
			      const char *plan_dn, const char *plan_ndn,
			      const char **error_r)
{
	struct mus_plan_file_person person = { .plan_ndn = plan_ndn };
	struct mus_ldap_mod mods[3];
	const char *assertion;
	unsigned int n;
	int ret;

	for (unsigned int attempt = 0; attempt < 3; attempt++) {
		if (mus_plan_file_read_person(ctx, employee_dn, &person,
					      error_r) < 0)
			return -1;
		if (!person.exists) {
			mus_plan_file_failed(ctx, conv, t_strdup_printf(
				"the employee's entry %s is gone", employee_dn));
			return 0;
		}
		if (person.has_ref)
			return 1;
		n = 0;
		i_zero(&mods);
		assertion = t_strdup_printf("(!(musPlanRef=%s))",
					    mus_ldap_filter_escape(plan_dn));
		if (!person.has_class) {
			mods[n].op = MUS_LDAP_MOD_ADD;
			mods[n].attr = "objectClass";
			mods[n++].values = mus_ldap_values1("musPerson");
			assertion = t_strdup_printf(
				"(&%s(!(objectClass=musPerson)))", assertion);
		}
		mods[n].op = MUS_LDAP_MOD_ADD;
		mods[n].attr = "musPlanRef";
		mods[n].values = mus_ldap_values1(plan_dn);
		ret = mus_ldap_modify(ctx->conn, employee_dn, mods, assertion,
				      error_r);
		if (ret != 0)
			return ret;
	}
	/* it kept changing under us: the next run tries again */
	ctx->result->conflicts++;
	return 0;
}

/* Returns 1 if the employee exists (so the plan can be filed), 0 if not
   (logged), -1 on a directory error. */
static int mus_plan_file_employee(struct mus_plan_file_ctx *ctx,
				  const struct mus_conversation *conv,
				  const char *employee_dn, const char **error_r)
{
	int ret = mus_ldap_entry_exists(ctx->conn, employee_dn, error_r);

	if (ret == 0) {
		mus_plan_file_failed(ctx, conv, t_strdup_printf(
			"the employee's entry %s is gone", employee_dn));
	}
	return ret;
}

/* File the plan for the employee of filing: the entries, then the link
   from the employee's entry. Returns 1 when it is filed, 0 when it cannot
   be now (logged or counted), -1 on a directory error. */
static int mus_plan_file_member(struct mus_plan_file_ctx *ctx,
				const struct mus_conversation *conv,
				const struct mus_plan_filing *filing,
				const struct mus_plan *plan,
				const char **error_r)
{
	ARRAY_TYPE(mus_plan_entry) entries;
	const struct mus_plan_entry *entry;
	const char *plan_ndn;
	int ret;

	if ((ret = mus_plan_file_employee(ctx, conv, filing->employee_dn,
					  error_r)) <= 0 || ctx->dry_run)
		return ret;
	p_array_init(&entries, ctx->pool, 8);
	mus_plan_entries(ctx->pool, filing, plan, &entries);
	array_foreach(&entries, entry) {
		if (mus_ldap_add(ctx->conn, entry->dn, entry->mods,
				 error_r) < 0)
			return -1;
	}
	if (ctx->set->plan_base == NULL)
		return 1;
	entry = array_front(&entries);
	if (mus_ldap_dn_normalize(ctx->pool, entry->dn, &plan_ndn, error_r) < 0)
		return -1;
	return mus_plan_file_link(ctx, conv, filing->employee_dn, entry->dn,
				  plan_ndn, error_r);
}

/* Whether the leader and every employee approved conv's current plan
   version: TRUE with the leader's time and the employees' (approved has
   room for each of conv->employee_ndns). */
static bool mus_plan_file_approved(const struct mus_conversation *conv,
				   time_t *leader_r, time_t *approved)
{
	if (!mus_plan_approval_find(conv->plan_approvals, conv->plan_version,
				    conv->leader_ndn, leader_r))
		return FALSE;
	for (unsigned int i = 0; conv->employee_ndns[i] != NULL; i++) {
		if (!mus_plan_approval_find(conv->plan_approvals,
					    conv->plan_version,
					    conv->employee_ndns[i], &approved[i]))
			return FALSE;
	}
	return TRUE;
}

/* The plan of conv, once the leader and every employee approved its
   current version: one per employee (a team's plan goes to each member;
   a member whose entry is gone is logged and the others get theirs). The
   conversation becomes approved when every employee still in the
   directory has it. Returns 0, or -1 on a directory error. */
static int mus_plan_file_one(struct mus_plan_file_ctx *ctx,
			     const struct mus_conversation *conv,
			     const char **error_r)
{
	struct mus_plan_filing filing;
	struct mus_ldap_mod mods[2];
	const struct mus_plan_team *team;
	struct mus_plan *plan;
	unsigned int count, filed = 0, gone = 0;
	time_t *approved;
	int ret;

	i_zero(&filing);
	if (conv->unreadable) {
		mus_plan_file_failed(ctx, conv, conv->reason);
		return 0;
	}
	if (conv->plan_version == 0 || conv->plan_draft == NULL ||
	    conv->employee_dns[0] == NULL) {
		mus_plan_file_failed(ctx, conv,
			"musPlanVersion, musPlanDraft or musEmployee is missing");
		return 0;
	}
	filing.version = conv->plan_version;
	count = str_array_length(conv->employee_dns);
	approved = t_new(time_t, count);
	if (!mus_plan_file_approved(conv, &filing.approved_leader, approved))
		return 0;
	if (mus_plan_file_read_draft(ctx, conv, &plan) < 0)
		return 0;
	if (mus_plan_draft_team(ctx->conn, ctx->pool, conv, &team,
				error_r) < 0)
		return -1;

	filing.conversation_dn = conv->dn;
	filing.conversation_cn = conv->cn;
	filing.round_dn = ctx->round_dn;
	filing.leader_dn = conv->leader_dn;
	filing.timezone = ctx->set->timezone;
	filing.team = team;
	for (unsigned int i = 0; i < count; i++) {
		unsigned int conflicts = ctx->result->conflicts;

		filing.employee_dn = conv->employee_dns[i];
		filing.approved_employee = approved[i];
		filing.parent_dn = ctx->set->plan_base != NULL ?
			ctx->set->plan_base : filing.employee_dn;
		ret = mus_plan_file_member(ctx, conv, &filing, plan, error_r);
		if (ret < 0)
			return -1;
		if (ret > 0)
			filed++;
		else if (ctx->result->conflicts == conflicts)
			gone++;
	}
	if (filed == 0 || filed + gone < count)
		return 0;
	if (ctx->dry_run) {
		ctx->result->filed++;
		return 0;
	}

	i_zero(&mods);
	mods[0].op = MUS_LDAP_MOD_REPLACE;
	mods[0].attr = "musStatus";
	mods[0].values = mus_ldap_values1("approved");
	ret = mus_ldap_modify(ctx->conn, conv->dn, mods,
			      mus_ldap_csn_assertion(conv->csn), error_r);
	if (ret < 0)
		return -1;
	if (ret == 0)
		ctx->result->conflicts++;
	else
		ctx->result->filed++;
	return 0;
}

int mus_plan_file_round(struct mus_ldap *conn, const struct mus_settings *set,
			const char *round_dn, time_t now, bool dry_run,
			mus_plan_file_log_t *log, void *log_context,
			struct mus_plan_file_result *result,
			const char **error_r)
{
	struct mus_plan_file_ctx ctx = {
		.conn = conn, .set = set, .round_dn = round_dn, .now = now,
		.log = log, .log_context = log_context, .result = result,
		.dry_run = dry_run,
	};
	ARRAY_TYPE(mus_conversation) convs;
	const struct mus_conversation *conv;
	int ret = 0;

	ctx.pool = pool_alloconly_create("mus plan file", 16 * 1024);
	p_array_init(&convs, ctx.pool, 16);
	if (mus_conversations_search(conn, ctx.pool, round_dn,
			"(&(objectClass=musConversation)(musStatus=plan-pending)(musPlanApproval=*))",
			&convs, error_r) < 0)
		ret = -1;
	for (unsigned int i = 0; ret == 0 && i < array_count(&convs); i++) {
		conv = array_idx_elem(&convs, i);
		T_BEGIN {
			ret = mus_plan_file_one(&ctx, conv, error_r);
		} T_END_PASS_STR_IF(ret < 0, error_r);
	}
	pool_unref(&ctx.pool);
	return ret;
}
