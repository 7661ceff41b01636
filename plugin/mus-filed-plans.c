/* Reading the filed plans and their activities. */

#include "lib.h"
#include "array.h"
#include "hash.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-filed-plans.h"

/* well below slapd's default size limit, as for people */
#define MUS_FILED_PLANS_PAGE_SIZE 400
#define MUS_FILED_PLANS_FILTER \
	"(|(objectClass=musPlan)(objectClass=musActivity))"

static const char *const mus_filed_plans_attrs[] = {
	"objectClass", "entryCSN",
	/* the plan */
	"cn", "musEmployee", "musLeader", "musFollowUp", "musApprovedByEmployee", "musApprovedByLeader",
	"musRemindedTo", "musConversationRef",
	/* the activity */
	"entryUUID", "description", "musActivityKind", "musCard",
	"musResponsible", "musResponsibleName", "musDue", "musActivityStatus",
	"musReminded", NULL
};

/* an activity as read, before it is given to its plan */
struct mus_filed_child {
	const char *parent_ndn;
	struct mus_activity activity;
};
ARRAY_DEFINE_TYPE(mus_filed_child, struct mus_filed_child);

struct mus_filed_plans_ctx {
	pool_t pool;
	ARRAY_TYPE(mus_filed_plan) *plans;
	ARRAY_TYPE(mus_filed_child) children;
	/* normalised DNs of the entries read: plans map to themselves,
	   activities to NULL */
	HASH_TABLE(const char *, struct mus_filed_plan *) seen;
};

bool mus_activity_overdue(const struct mus_activity *a, const char *tz,
			  time_t now)
{
	return !a->done && a->due != 0 && a->due < now &&
		mus_time_local_day(tz, now) > mus_time_local_day(tz, a->due);
}

static const char *mus_filed_ndn(pool_t pool, const char *dn)
{
	const char *ndn, *error;

	if (dn == NULL || mus_ldap_dn_normalize(pool, dn, &ndn, &error) < 0)
		return NULL;
	return ndn;
}

static const char *mus_filed_value(pool_t pool,
				   const struct mus_ldap_entry *entry,
				   const char *attr)
{
	return p_strdup_empty(pool, mus_ldap_entry_value(entry, attr));
}

static void mus_filed_plan_read(struct mus_filed_plans_ctx *ctx,
				const struct mus_ldap_entry *entry,
				const char *ndn)
{
	pool_t pool = ctx->pool;
	struct mus_filed_plan *plan = p_new(pool, struct mus_filed_plan, 1);
	const char *const *reminded = mus_ldap_entry_values(entry, "musRemindedTo");
	ARRAY_TYPE(const_string) ndns;

	plan->dn = p_strdup(pool, mus_ldap_entry_dn(entry));
	plan->ndn = ndn;
	plan->name = mus_filed_value(pool, entry, "cn");
	plan->employee_dn = mus_filed_value(pool, entry, "musEmployee");
	plan->employee_ndn = mus_filed_ndn(pool, plan->employee_dn);
	plan->leader_dn = mus_filed_value(pool, entry, "musLeader");
	plan->leader_ndn = mus_filed_ndn(pool, plan->leader_dn);
	plan->conversation_ndn = mus_filed_ndn(pool,
		mus_ldap_entry_value(entry, "musConversationRef"));
	plan->follow_up = mus_ldap_entry_time(entry, "musFollowUp");
	plan->approved_by_employee =
		mus_ldap_entry_time(entry, "musApprovedByEmployee");
	plan->approved_by_leader =
		mus_ldap_entry_time(entry, "musApprovedByLeader");
	p_array_init(&ndns, pool, 4);
	for (; *reminded != NULL; reminded++) {
		const char *reminded_ndn = mus_filed_ndn(pool, *reminded);

		if (reminded_ndn != NULL)
			array_push_back(&ndns, &reminded_ndn);
	}
	array_append_zero(&ndns);
	plan->reminded_to = array_front(&ndns);
	p_array_init(&plan->activities, pool, 4);
	hash_table_insert(ctx->seen, ndn, plan);
	array_push_back(ctx->plans, &plan);
}

static void mus_filed_activity_read(struct mus_filed_plans_ctx *ctx,
				    const struct mus_ldap_entry *entry,
				    const char *ndn)
{
	pool_t pool = ctx->pool;
	const char *dn = mus_ldap_entry_dn(entry);
	const char *parent_ndn = mus_filed_ndn(pool, mus_ldap_dn_parent(dn));
	const char *status = mus_ldap_entry_value(entry, "musActivityStatus");
	struct mus_filed_plan *no_plan = NULL;
	struct mus_filed_child *child;
	struct mus_activity *a;

	hash_table_insert(ctx->seen, ndn, no_plan);
	if (parent_ndn == NULL)
		return;
	child = array_append_space(&ctx->children);
	child->parent_ndn = parent_ndn;
	a = &child->activity;
	a->dn = p_strdup(pool, dn);
	a->csn = mus_filed_value(pool, entry, "entryCSN");
	a->uuid = mus_filed_value(pool, entry, "entryUUID");
	a->description = mus_filed_value(pool, entry, "description");
	a->kind = mus_filed_value(pool, entry, "musActivityKind");
	a->card = mus_filed_value(pool, entry, "musCard");
	a->responsible_dn = mus_filed_value(pool, entry, "musResponsible");
	a->responsible_name = mus_filed_value(pool, entry, "musResponsibleName");
	a->due = mus_ldap_entry_time(entry, "musDue");
	a->done = status != NULL &&
		strcasecmp(status, MUS_ACTIVITY_STATUS_DONE) == 0;
	a->reminded = mus_ldap_entry_time(entry, "musReminded");
}

static int mus_filed_entry(const struct mus_ldap_entry *entry, void *context,
			   const char **error_r ATTR_UNUSED)
{
	struct mus_filed_plans_ctx *ctx = context;
	const char *ndn = mus_filed_ndn(ctx->pool, mus_ldap_entry_dn(entry));
	const char *const *classes = mus_ldap_entry_values(entry, "objectClass");

	const char *orig_key;
	struct mus_filed_plan *value;

	if (ndn == NULL ||
	    hash_table_lookup_full(ctx->seen, ndn, &orig_key, &value))
		return 0;
	if (str_array_icase_find(classes, "musPlan"))
		mus_filed_plan_read(ctx, entry, ndn);
	else if (str_array_icase_find(classes, "musActivity"))
		mus_filed_activity_read(ctx, entry, ndn);
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

const char *mus_filed_team_key(const struct mus_filed_plan *plan,
			       const char *about, const char *name)
{
	if (plan->conversation_ndn == NULL || name == NULL)
		return NULL;
	return t_strdup_printf("%s\n%s\n%s", plan->conversation_ndn, about,
			       t_str_lcase(name));
}

const char *mus_filed_activity_team_key(const struct mus_filed_plan *plan,
					const struct mus_activity *a)
{
	return mus_filed_team_key(plan, "activity", mus_ldap_dn_rdn_value(a->dn));
}

void mus_filed_plans_team_done(ARRAY_TYPE(mus_filed_plan) *plans)
{
	HASH_TABLE(const char *, const char *) done;
	struct mus_filed_plan *plan;
	struct mus_activity *a;
	const char *key;
	pool_t pool = pool_alloconly_create("mus team done", 1024);

	hash_table_create(&done, pool, 0, str_hash, strcmp);
	array_foreach_elem(plans, plan) T_BEGIN {
		array_foreach_modifiable(&plan->activities, a) {
			key = a->done ? mus_filed_activity_team_key(plan, a) : NULL;
			if (key != NULL && hash_table_lookup(done, key) == NULL) {
				key = p_strdup(pool, key);
				hash_table_insert(done, key, key);
			}
		}
	} T_END;
	array_foreach_elem(plans, plan) T_BEGIN {
		array_foreach_modifiable(&plan->activities, a) {
			key = a->done ? NULL : mus_filed_activity_team_key(plan, a);
			if (key != NULL && hash_table_lookup(done, key) != NULL)
				a->done = TRUE;
		}
	} T_END;
	hash_table_destroy(&done);
	pool_unref(&pool);
}

int mus_filed_plans_load(struct mus_ldap *conn, pool_t pool,
			 const char *const *bases,
			 ARRAY_TYPE(mus_filed_plan) *plans,
			 const char **error_r)
{
	ARRAY_TYPE(mus_filed_plan) found;
	struct mus_filed_plans_ctx ctx = { .pool = pool, .plans = &found };
	const struct mus_filed_child *child;
	struct mus_filed_plan *plan;
	int ret = 0;

	p_array_init(&found, pool, 64);
	p_array_init(&ctx.children, pool, 64);
	hash_table_create(&ctx.seen, pool, 0, str_hash, strcmp);
	for (unsigned int i = 0; ret == 0 && bases[i] != NULL; i++) {
		if (mus_filed_base_seen(pool, bases, i))
			continue;
		ret = mus_ldap_search_paged(conn, bases[i], MUS_FILED_PLANS_FILTER,
					    mus_filed_plans_attrs,
					    MUS_FILED_PLANS_PAGE_SIZE,
					    mus_filed_entry, &ctx, error_r);
	}
	/* a search returns parents and children in any order */
	array_foreach(&ctx.children, child) {
		plan = hash_table_lookup(ctx.seen, child->parent_ndn);
		if (plan != NULL)
			array_push_back(&plan->activities, &child->activity);
	}
	hash_table_destroy(&ctx.seen);
	if (ret == 0) {
		mus_filed_plans_team_done(&found);
		array_append_array(plans, &found);
	}
	return ret;
}
