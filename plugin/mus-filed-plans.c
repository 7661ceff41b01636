/* Reading filed plans and their activities for the figures. */

#include "lib.h"
#include "array.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-filed-plans.h"

/* well below slapd's default size limit, as for people */
#define MUS_FILED_PLANS_PAGE_SIZE 400

static const char *const mus_filed_plan_attrs[] = {
	"musEmployee", "musLeader", "musApprovedByEmployee",
	"musApprovedByLeader", NULL
};
static const char *const mus_filed_activity_attrs[] = {
	"description", "musActivityKind", "musCard", "musDue",
	"musActivityStatus", NULL
};

struct mus_filed_plans_ctx {
	pool_t pool;
	struct mus_filed_plans *plans;
};

static const char *mus_filed_ndn(pool_t pool, const char *dn)
{
	const char *ndn, *error;

	if (dn == NULL || mus_ldap_dn_normalize(pool, dn, &ndn, &error) < 0)
		return NULL;
	return ndn;
}

static int mus_filed_plan_add(const struct mus_ldap_entry *entry,
			      void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_filed_plans_ctx *ctx = context;
	struct mus_filed_plan *plan;
	const char *dn = mus_ldap_entry_dn(entry);
	const char *ndn = mus_filed_ndn(ctx->pool, dn);
	const char *leader = mus_ldap_entry_value(entry, "musLeader");

	if (ndn == NULL)
		return 0;
	plan = array_append_space(&ctx->plans->plans);
	plan->dn = p_strdup(ctx->pool, dn);
	plan->ndn = ndn;
	plan->employee_ndn = mus_filed_ndn(ctx->pool,
		mus_ldap_entry_value(entry, "musEmployee"));
	plan->leader_ndn = mus_filed_ndn(ctx->pool, leader);
	if (plan->leader_ndn != NULL)
		plan->leader_dn = p_strdup(ctx->pool, leader);
	plan->approved =
		mus_ldap_entry_value(entry, "musApprovedByEmployee") != NULL &&
		mus_ldap_entry_value(entry, "musApprovedByLeader") != NULL;
	return 0;
}

static int mus_filed_activity_add(const struct mus_ldap_entry *entry,
				  void *context,
				  const char **error_r ATTR_UNUSED)
{
	struct mus_filed_plans_ctx *ctx = context;
	struct mus_filed_activity *act;
	const char *dn = mus_ldap_entry_dn(entry);
	const char *plan_ndn = mus_filed_ndn(ctx->pool, mus_ldap_dn_parent(dn));
	const char *due = mus_ldap_entry_value(entry, "musDue");
	const char *status = mus_ldap_entry_value(entry, "musActivityStatus");
	const char *kind = mus_ldap_entry_value(entry, "musActivityKind");

	if (plan_ndn == NULL)
		return 0;
	act = array_append_space(&ctx->plans->activities);
	act->dn = p_strdup(ctx->pool, dn);
	act->plan_ndn = plan_ndn;
	act->description = p_strdup_empty(ctx->pool,
		mus_ldap_entry_value(entry, "description"));
	act->kind = p_strdup(ctx->pool, kind != NULL ? kind : "");
	act->card = p_strdup_empty(ctx->pool,
				   mus_ldap_entry_value(entry, "musCard"));
	if (due == NULL || mus_time_parse_generalized(due, &act->due) < 0)
		act->due = 0;
	act->done = status != NULL && strcasecmp(status, "done") == 0;
	return 0;
}

/* TRUE if base lies inside (or is) one of the bases before it: its
   entries were read already. */
static bool mus_filed_base_seen(pool_t pool, const char *const *bases,
				unsigned int idx)
{
	const char *ndn = mus_filed_ndn(pool, bases[idx]), *seen;
	size_t len, seen_len;

	for (unsigned int i = 0; ndn != NULL && i < idx; i++) {
		seen = mus_filed_ndn(pool, bases[i]);
		if (seen == NULL)
			continue;
		len = strlen(ndn);
		seen_len = strlen(seen);
		if (strcmp(ndn, seen) == 0 ||
		    (len > seen_len && ndn[len - seen_len - 1] == ',' &&
		     strcmp(ndn + len - seen_len, seen) == 0))
			return TRUE;
	}
	return FALSE;
}

int mus_filed_plans_load(struct mus_ldap *conn, pool_t pool,
			 const char *const *bases,
			 struct mus_filed_plans *plans_r,
			 const char **error_r)
{
	struct mus_filed_plans plans;
	struct mus_filed_plans_ctx ctx = { .pool = pool, .plans = &plans };

	p_array_init(&plans.plans, pool, 64);
	p_array_init(&plans.activities, pool, 256);
	for (unsigned int i = 0; bases[i] != NULL; i++) {
		if (mus_filed_base_seen(pool, bases, i))
			continue;
		if (mus_ldap_search_paged(conn, bases[i], "(objectClass=musPlan)",
					  mus_filed_plan_attrs,
					  MUS_FILED_PLANS_PAGE_SIZE,
					  mus_filed_plan_add, &ctx, error_r) < 0 ||
		    mus_ldap_search_paged(conn, bases[i],
					  "(objectClass=musActivity)",
					  mus_filed_activity_attrs,
					  MUS_FILED_PLANS_PAGE_SIZE,
					  mus_filed_activity_add, &ctx,
					  error_r) < 0)
			return -1;
	}
	*plans_r = plans;
	return 0;
}
