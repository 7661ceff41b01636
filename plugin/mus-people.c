/* People as read from the directory. */

#include "lib.h"
#include "array.h"
#include "mus-text.h"
#include "mus-ldap.h"
#include "mus-time.h"
#include "mus-org.h"
#include "mus-people.h"

/* Each page stays well below slapd's default size limit of 500 entries,
   which also applies to paged searches of ordinary bind DNs. */
#define MUS_PEOPLE_PAGE_SIZE 400

const char *const mus_people_attrs[] = {
	"uid", "cn", "mail", "manager", "employeeType", "ou",
	"departmentNumber", "musAbsentUntil", "musExempt", "calFBURL",
	"musLanguage", "preferredLanguage", "title", "musJobProfileRef", NULL
};

static bool mus_value_is_leader_role(const char *const *values)
{
	for (unsigned int i = 0; values[i] != NULL; i++) {
		if (strcasecmp(values[i], "leder") == 0 ||
		    strcasecmp(values[i], "leader") == 0)
			return TRUE;
	}
	return FALSE;
}

static const char *const *mus_pool_strarray(pool_t pool,
					    const char *const *values)
{
	unsigned int count = str_array_length(values);
	const char **copy = p_new(pool, const char *, count + 1);

	for (unsigned int i = 0; i < count; i++)
		copy[i] = p_strdup(pool, values[i]);
	return copy;
}

struct mus_people_ctx {
	struct mus_org *org;
	mus_people_read_callback_t *read;
	void *context;
};

const char *mus_people_name(pool_t pool, const char *cn, const char *uid,
			    const char *dn)
{
	char *name = p_strdup(pool, cn != NULL ? cn : (uid != NULL ? uid : dn));

	mus_text_blank_controls(name);
	return name;
}

const char *mus_people_name_of_dn(pool_t pool, const char *dn)
{
	const char *value = mus_ldap_dn_rdn_value(dn);

	return mus_people_name(pool, value != NULL && value[0] != '\0' ?
			       value : NULL, NULL, dn);
}

static struct mus_person *
mus_people_person(pool_t pool, const struct mus_ldap_entry *entry)
{
	struct mus_person *person = p_new(pool, struct mus_person, 1);
	const char *const *managers, *unit, *absent, *exempt, *language, *error;
	const char *profile;

	person->dn = p_strdup(pool, mus_ldap_entry_dn(entry));
	if (mus_ldap_dn_normalize(pool, person->dn, &person->ndn, &error) < 0) {
		/* the server sent it, so it parses; keep the raw form */
		person->ndn = person->dn;
	}
	person->uid = p_strdup(pool, mus_ldap_entry_value(entry, "uid"));
	if (person->uid == NULL)
		person->uid = p_strdup(pool, mus_ldap_dn_rdn_value(person->dn));
	/* cn is a MUST of person, but an ACL may hide it */
	person->cn = mus_people_name(pool, mus_ldap_entry_value(entry, "cn"),
				     person->uid, person->dn);
	unit = mus_ldap_entry_value(entry, "ou");
	if (unit == NULL)
		unit = mus_ldap_entry_value(entry, "departmentNumber");
	person->unit = p_strdup(pool, unit);
	person->mails = mus_pool_strarray(pool,
					  mus_ldap_entry_values(entry, "mail"));
	person->leader_role = mus_value_is_leader_role(
		mus_ldap_entry_values(entry, "employeeType"));

	managers = mus_ldap_entry_values(entry, "manager");
	person->manager_count = str_array_length(managers);
	if (managers[0] != NULL) {
		person->manager_dn = p_strdup(pool, managers[0]);
		if (mus_ldap_dn_normalize(pool, managers[0],
					  &person->manager_ndn, &error) < 0) {
			person->manager_ndn = person->manager_dn;
			person->invalid = p_strdup_printf(pool,
				"manager '%s' is not a valid DN", managers[0]);
		}
	}
	person->fb_url = p_strdup(pool, mus_ldap_entry_value(entry, "calFBURL"));
	language = mus_ldap_entry_value(entry, "musLanguage");
	if (language == NULL)
		language = mus_ldap_entry_value(entry, "preferredLanguage");
	person->language = p_strdup(pool, language);
	person->title = p_strdup(pool, mus_ldap_entry_value(entry, "title"));
	profile = mus_ldap_entry_value(entry, "musJobProfileRef");
	if (profile != NULL &&
	    mus_ldap_dn_normalize(pool, profile, &person->job_profile_ndn,
				  &error) < 0)
		person->job_profile_ndn = p_strdup(pool, profile);
	exempt = mus_ldap_entry_value(entry, "musExempt");
	person->exempt = exempt != NULL && strcasecmp(exempt, "TRUE") == 0;
	absent = mus_ldap_entry_value(entry, "musAbsentUntil");
	if (absent != NULL &&
	    mus_time_parse_generalized(absent, &person->absent_until) < 0) {
		person->invalid = p_strdup_printf(pool,
			"musAbsentUntil '%s' is not a GeneralizedTime", absent);
	}
	return person;
}

static int mus_people_add_entry(const struct mus_ldap_entry *entry,
				void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_people_ctx *ctx = context;
	struct mus_person *person = mus_people_person(ctx->org->pool, entry);

	mus_org_add(ctx->org, person);
	if (ctx->read != NULL)
		ctx->read(person, ctx->context);
	return 0;
}

struct mus_people_read_ctx {
	pool_t pool;
	struct mus_person *person;
};

static int mus_people_read_entry(const struct mus_ldap_entry *entry,
				 void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_people_read_ctx *ctx = context;

	ctx->person = mus_people_person(ctx->pool, entry);
	return 0;
}

int mus_people_read(struct mus_ldap *conn, pool_t pool, const char *dn,
		    struct mus_person **person_r, const char **error_r)
{
	struct mus_people_read_ctx ctx = { .pool = pool };
	int ret;

	ret = mus_ldap_read(conn, dn, mus_people_attrs, mus_people_read_entry,
			    &ctx, error_r);
	*person_r = ret > 0 ? ctx.person : NULL;
	return ret;
}

static int mus_people_dn_exists(const char *dn, void *context,
				const char **error_r)
{
	return mus_ldap_entry_exists(context, dn, error_r);
}

int mus_people_load_notify(struct mus_ldap *conn, const char *base,
			   const char *filter, time_t now, struct mus_org *org,
			   mus_people_read_callback_t *read, void *context,
			   const char **error_r)
{
	struct mus_people_ctx ctx = {
		.org = org, .read = read, .context = context,
	};

	if (mus_ldap_search_paged(conn, base, filter, mus_people_attrs,
				  MUS_PEOPLE_PAGE_SIZE, mus_people_add_entry,
				  &ctx, error_r) < 0)
		return -1;
	return mus_org_analyze(org, now, mus_people_dn_exists, conn, error_r);
}

int mus_people_load(struct mus_ldap *conn, const char *base,
		    const char *filter, time_t now, struct mus_org *org,
		    const char **error_r)
{
	return mus_people_load_notify(conn, base, filter, now, org, NULL, NULL,
				      error_r);
}

struct mus_teams_ctx {
	pool_t pool;
	ARRAY_TYPE(mus_team) *teams;
};

static int mus_teams_add_entry(const struct mus_ldap_entry *entry,
			       void *context, const char **error_r ATTR_UNUSED)
{
	struct mus_teams_ctx *ctx = context;
	const char *const *members = mus_ldap_entry_values(entry, "member");
	const char *owner = mus_ldap_entry_value(entry, "owner");
	unsigned int count = str_array_length(members);
	struct mus_team *team;
	const char **ndns, *error;

	if (owner == NULL)
		return 0;
	team = array_append_space(ctx->teams);
	team->dn = p_strdup(ctx->pool, mus_ldap_entry_dn(entry));
	team->name = p_strdup(ctx->pool, mus_ldap_entry_value(entry, "cn"));
	if (team->name == NULL)
		team->name = p_strdup(ctx->pool, mus_ldap_dn_rdn_value(team->dn));
	if (mus_ldap_dn_normalize(ctx->pool, owner, &team->owner_ndn, &error) < 0)
		team->owner_ndn = p_strdup(ctx->pool, owner);
	ndns = p_new(ctx->pool, const char *, count + 1);
	for (unsigned int i = 0; i < count; i++) {
		if (mus_ldap_dn_normalize(ctx->pool, members[i], &ndns[i], &error) < 0)
			ndns[i] = p_strdup(ctx->pool, members[i]);
	}
	team->member_ndns = ndns;
	return 0;
}

int mus_teams_load(struct mus_ldap *conn, pool_t pool, const char *base,
		   ARRAY_TYPE(mus_team) *teams, const char **error_r)
{
	static const char *const attrs[] = { "cn", "owner", "member", NULL };
	struct mus_teams_ctx ctx = { .pool = pool, .teams = teams };

	return mus_ldap_search_paged(conn, base,
				     "(&(objectClass=groupOfNames)(owner=*))",
				     attrs, MUS_PEOPLE_PAGE_SIZE,
				     mus_teams_add_entry, &ctx, error_r);
}
