/* Dovecot glue of the operator interface: the doveadm mus commands. */

#include "lib.h"
#include "array.h"
#include "module-dir.h"
#include "doveadm.h"
#include "doveadm-cmd.h"
#include "doveadm-print.h"
#include "mus-settings.h"
#include "mus-time.h"
#include "mus-ldap.h"
#include "mus-org.h"
#include "mus-people.h"

#include <time.h>

/* doveadm is interactive or run from cron: it may wait longer than a
   delivery would */
#define MUS_DOVEADM_LDAP_TIMEOUT_MSECS 30000
#define MUS_PEOPLE_FILTER "(objectClass=inetOrgPerson)"

const char *doveadm_mus_plugin_version = DOVECOT_ABI_VERSION;

void doveadm_mus_plugin_init(struct module *module);
void doveadm_mus_plugin_deinit(void);

static int mus_doveadm_settings(const struct mus_settings **set_r)
{
	ARRAY_TYPE(const_string) envs;
	const char *error;

	t_array_init(&envs, 32);
	if (array_is_created(&doveadm_settings->plugin_envs))
		array_append_array(&envs, &doveadm_settings->plugin_envs);
	array_append_zero(&envs);
	if (mus_settings_parse(pool_datastack_create(), array_front(&envs),
			       set_r, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_CONFIG;
		return -1;
	}
	return 0;
}

static int mus_doveadm_connect(const struct mus_settings *set,
			       struct mus_ldap **conn_r)
{
	const char *error;
	bool retry;

	if (mus_ldap_connect(set, MUS_DOVEADM_LDAP_TIMEOUT_MSECS, conn_r,
			     &retry, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = retry ? EX_TEMPFAIL : EX_CONFIG;
		return -1;
	}
	return 0;
}

static void mus_print_row(const char *type, const char *subject,
			  const char *count, const char *detail)
{
	doveadm_print(type);
	doveadm_print(subject);
	doveadm_print(count);
	doveadm_print(detail);
}

static void mus_print_org(const struct mus_org *org, const char *base)
{
	const struct mus_org_problem *problem;
	struct mus_person *person;

	doveadm_print_header_simple("type");
	doveadm_print_header_simple("subject");
	doveadm_print_header("count", "count",
			     DOVEADM_PRINT_HEADER_FLAG_RIGHT_JUSTIFY);
	doveadm_print_header_simple("detail");

	mus_print_row("scope", base, dec2str(array_count(&org->people)),
		      "people in scope");
	mus_print_row("leaders", base, dec2str(org->leader_count),
		      "people named as manager by someone in scope");
	mus_print_row("depth", base, dec2str(org->depth),
		      "levels from the top down");
	mus_print_row("problems", base, dec2str(array_count(&org->problems)),
		      "data problems found");
	array_foreach_elem(&org->tops, person) {
		if (person->report_count > 0)
			mus_print_row("top", person->dn,
				      dec2str(person->report_count),
				      "has no manager; direct reports");
	}
	array_foreach_elem(&org->people, person) {
		if (person->report_count > 0)
			mus_print_row("leader", person->dn,
				      dec2str(person->report_count),
				      t_strdup_printf("level %u; direct reports",
						      person->level));
	}
	array_foreach(&org->problems, problem) {
		mus_print_row(mus_problem_kind_name(problem->kind),
			      problem->person->dn, "", problem->detail);
	}
}

static void cmd_mus_status(struct doveadm_cmd_context *cctx ATTR_UNUSED)
{
	const struct mus_settings *set;
	struct mus_ldap *conn;
	struct mus_org *org;
	const char *error;

	if (mus_doveadm_settings(&set) < 0 ||
	    mus_doveadm_connect(set, &conn) < 0)
		return;

	org = mus_org_create();
	if (mus_people_load(conn, set->people_base, MUS_PEOPLE_FILTER,
			    time(NULL), org, &error) < 0) {
		i_error("mus: %s", error);
		doveadm_exit_code = EX_TEMPFAIL;
	} else {
		doveadm_print_init(DOVEADM_PRINT_TYPE_TABLE);
		mus_print_org(org, set->people_base);
	}
	mus_org_destroy(&org);
	mus_ldap_disconnect(&conn);
}

static struct doveadm_cmd_ver2 mus_doveadm_commands[] = {
	{
		.name = "mus status",
		.cmd = cmd_mus_status,
		.usage = "",
		DOVEADM_CMD_PARAMS_START
		DOVEADM_CMD_PARAMS_END
	},
};

void doveadm_mus_plugin_init(struct module *module ATTR_UNUSED)
{
	mus_time_init();
	for (unsigned int i = 0; i < N_ELEMENTS(mus_doveadm_commands); i++)
		doveadm_cmd_register_ver2(&mus_doveadm_commands[i]);
}

void doveadm_mus_plugin_deinit(void)
{
}
