/* The plan waiting for approval, on its conversation. */

#include "lib.h"
#include "array.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-plan-json.h"
#include "mus-plan-draft.h"

/* another writer changed the conversation meanwhile: read it again */
#define MUS_PLAN_DRAFT_MAX_ATTEMPTS 5

int mus_plan_draft_read(const struct mus_conversation *conv, const char *tz,
			time_t now, pool_t pool, struct mus_plan **plan_r,
			const char **error_r)
{
	struct mus_plan_problems problems;
	time_t asked = conv->plan_requested != 0 ? conv->plan_requested : now;
	unsigned int minute;
	int today;

	if (conv->plan_draft == NULL) {
		*error_r = "musPlanDraft is missing";
		return -1;
	}
	mus_time_to_local(tz, asked, &today, &minute);
	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
	if (mus_plan_json_parse(conv->plan_draft, strlen(conv->plan_draft), today,
				NULL, &problems, plan_r) < 0) {
		*error_r = t_strconcat("musPlanDraft is not a valid plan:\n",
				       mus_plan_problems_format(&problems), NULL);
		return -1;
	}
	return 0;
}

struct mus_plan_draft_member_read {
	pool_t pool;
	struct mus_plan_team_member *member;
};

/* runs in a data stack frame of its own: keep what is needed in pool */
static int mus_plan_draft_member_entry(const struct mus_ldap_entry *entry,
				       void *context,
				       const char **error_r ATTR_UNUSED)
{
	struct mus_plan_draft_member_read *read = context;
	const char *const *mails = mus_ldap_entry_values(entry, "mail");
	const char **copy = p_new(read->pool, const char *,
				  str_array_length(mails) + 1);

	for (unsigned int i = 0; mails[i] != NULL; i++)
		copy[i] = p_strdup(read->pool, mails[i]);
	read->member->mails = copy;
	read->member->name = p_strdup(read->pool,
				      mus_ldap_entry_value(entry, "cn"));
	return 0;
}

int mus_plan_draft_team(struct mus_ldap *conn, pool_t pool,
			const struct mus_conversation *conv,
			const struct mus_plan_team **team_r,
			const char **error_r)
{
	static const char *const attrs[] = { "cn", "mail", NULL };
	static const char *const none[] = { NULL };
	struct mus_plan_team_member *members;
	struct mus_plan_team *team;
	unsigned int count = str_array_length(conv->employee_dns);
	int ret;

	*team_r = NULL;
	if (!mus_conversation_is_team(conv))
		return 0;
	members = p_new(pool, struct mus_plan_team_member, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		struct mus_plan_draft_member_read read = {
			.pool = pool, .member = &members[i],
		};

		members[i].dn = conv->employee_dns[i];
		members[i].mails = none;
		ret = mus_ldap_read(conn, members[i].dn, attrs,
				    mus_plan_draft_member_entry, &read, error_r);
		if (ret < 0)
			return -1;
		members[i].gone = ret == 0;
	}
	team = p_new(pool, struct mus_plan_team, 1);
	team->members = members;
	team->count = count;
	*team_r = team;
	return 0;
}

bool mus_plan_draft_open(const struct mus_conversation *conv)
{
	return !conv->unreadable &&
		(conv->status == MUS_CONV_PLAN_REQUESTED ||
		 conv->status == MUS_CONV_PLAN_PENDING);
}

int mus_plan_draft_store(struct mus_ldap *conn,
			 const struct mus_conversation *conv,
			 const struct mus_plan *plan,
			 enum mus_plan_draft_result *result_r,
			 unsigned int *version_r, const char **error_r)
{
	struct mus_ldap_mod mods[4];
	const char *json;
	int ret;

	if (!mus_plan_draft_open(conv)) {
		*result_r = MUS_PLAN_DRAFT_STALE;
		*version_r = conv->plan_version;
		return 1;
	}
	json = mus_plan_json_write(plan);
	if (conv->status == MUS_CONV_PLAN_PENDING && conv->plan_draft != NULL &&
	    strcmp(conv->plan_draft, json) == 0) {
		*result_r = MUS_PLAN_DRAFT_UNCHANGED;
		*version_r = conv->plan_version;
		return 1;
	}
	i_zero(&mods);
	mods[0].attr = "musPlanDraft";
	mods[0].values = mus_ldap_values1(json);
	mods[1].attr = "musPlanVersion";
	mods[1].values = mus_ldap_values1(dec2str(conv->plan_version + 1));
	mods[2].attr = "musStatus";
	mods[2].values = mus_ldap_values1(
		mus_conv_status_name(MUS_CONV_PLAN_PENDING));
	ret = mus_ldap_modify(conn, conv->dn, mods,
			      mus_ldap_csn_assertion(conv->csn), error_r);
	if (ret > 0) {
		*result_r = MUS_PLAN_DRAFT_STORED;
		*version_r = conv->plan_version + 1;
	}
	return ret;
}

struct mus_plan_draft_try {
	struct mus_ldap *conn;
	const struct mus_plan *plan;
	enum mus_plan_draft_result *result_r;
	unsigned int *version_r;
};

static int mus_plan_draft_try(const struct mus_conversation *conv,
			      void *context, const char **error_r)
{
	struct mus_plan_draft_try *t = context;

	return mus_plan_draft_store(t->conn, conv, t->plan, t->result_r,
				    t->version_r, error_r);
}

int mus_plan_draft_submit(struct mus_ldap *conn, const struct mus_conversation *conv,
			  const struct mus_plan *plan,
			  enum mus_plan_draft_result *result_r,
			  unsigned int *version_r, const char **error_r)
{
	struct mus_plan_draft_try t = {
		.conn = conn, .plan = plan,
		.result_r = result_r, .version_r = version_r,
	};
	int ret;

	ret = mus_conversation_update(conn, conv, MUS_PLAN_DRAFT_MAX_ATTEMPTS,
				      "the plan was stored", mus_plan_draft_try,
				      &t, error_r);
	if (ret == 0)
		*error_r = t_strdup_printf("%s was deleted meanwhile", conv->dn);
	return ret > 0 ? 0 : -1;
}

int mus_plan_draft_find(struct mus_ldap *conn, pool_t pool, const char *base,
			const char *name, struct mus_conversation **conv_r,
			const char **error_r)
{
	ARRAY_TYPE(mus_conversation) convs;
	int ret;

	if (name[0] == '\0') {
		*error_r = "no conversation named";
		return 0;
	}
	if (strchr(name, '=') != NULL) {
		ret = mus_conversation_read(conn, pool, name, conv_r, error_r);
		if (ret == 0)
			*error_r = t_strdup_printf("no conversation has the DN '%s'", name);
		return ret;
	}
	p_array_init(&convs, pool, 2);
	if (mus_conversations_search(conn, pool, base, t_strdup_printf(
			"(&(objectClass=musConversation)(musICalUID=%s*))",
			mus_ldap_filter_escape(name)), &convs, error_r) < 0)
		return -1;
	if (array_count(&convs) != 1) {
		*error_r = t_strdup_printf(array_count(&convs) == 0 ?
			"no conversation has the UID or reference '%s'" :
			"the reference '%s' matches several conversations", name);
		return 0;
	}
	*conv_r = array_idx_elem(&convs, 0);
	return 1;
}
