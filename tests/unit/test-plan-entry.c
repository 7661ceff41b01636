/* Unit tests of an approved plan as LDAP entries and of the approvals
   that decide when it is filed. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-holidays.h"
#include "mus-plan-json.h"
#include "mus-plan-entry.h"
#include "mus-plan-approval.h"
#include "mus-test.h"

#define EMPLOYEE "uid=emp,ou=people,dc=eksempel,dc=test"
#define LEADER "uid=boss,ou=people,dc=eksempel,dc=test"
#define ROUND "cn=MUS 2027,ou=rounds,dc=eksempel,dc=test"
#define CONV "cn=c1,cn=MUS 2027,ou=rounds,dc=eksempel,dc=test"

static struct mus_plan *plan_read(pool_t pool, const char *json)
{
	struct mus_plan_problems problems;
	struct mus_plan *plan = NULL;

	mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
	if (mus_plan_json_parse(json, strlen(json),
				mus_days_from_civil(2027, 2, 3), NULL, &problems,
				&plan) < 0)
		test_assert_strcmp(mus_plan_problems_format(&problems), "");
	return plan;
}

/* The values of attr in the entry, joined with "|"; NULL if it has none. */
static const char *entry_attr(const struct mus_plan_entry *entry,
			      const char *attr)
{
	string_t *str = t_str_new(128);

	for (const struct mus_ldap_mod *mod = entry->mods; mod->attr != NULL;
	     mod++) {
		test_assert(mod->op == MUS_LDAP_MOD_ADD);
		if (strcmp(mod->attr, attr) != 0)
			continue;
		for (const char *const *v = mod->values; *v != NULL; v++) {
			if (str_len(str) > 0)
				str_append_c(str, '|');
			str_append(str, *v);
		}
	}
	return str_len(str) == 0 ? NULL : str_c(str);
}

static void filing_init(struct mus_plan_filing *filing, const char *parent)
{
	i_zero(filing);
	filing->conversation_dn = CONV;
	filing->conversation_cn = "c1";
	filing->round_dn = ROUND;
	filing->employee_dn = EMPLOYEE;
	filing->leader_dn = LEADER;
	filing->version = 3;
	filing->approved_employee = 1800000000;	/* 2027-01-15T08:00:00Z */
	filing->approved_leader = 1800003600;
	filing->timezone = "Europe/Copenhagen";
	filing->parent_dn = parent;
}

static const char *const plan_json =
	"{\"goals\":[{\"kind\":\"individual\",\"text\":\"Lead meetings\"},"
	"{\"kind\":\"shared\",\"text\":\"Fewer sick days\"},"
	"{\"kind\":\"individual\",\"text\":\"Write  reports\"},"
	"{\"kind\":\"individual\",\"text\":\"write reports \"}],"
	"\"activities\":["
	"{\"description\":\"Course in meeting leadership\",\"kind\":\"course\","
	"\"responsible\":\"leader\",\"due\":\"2027-03-01\"},"
	"{\"description\":\"Shadow a colleague\",\"kind\":\"practice\","
	"\"responsible\":\"employee\",\"due\":\"2027-07-01\"},"
	"{\"description\":\"Mentor sessions\",\"kind\":\"mentoring\","
	"\"responsible\":{\"name\":\"Mette Mentor\",\"mail\":\"mm@eksempel.test\"},"
	"\"due\":\"2027-08-01\"},"
	"{\"description\":\"Book a course\",\"kind\":\"education\","
	"\"responsible\":{\"mail\":\"hr@eksempel.test\"},\"due\":\"2027-08-01\"}],"
	"\"follow_up\":\"2027-09-01\"}";

static void test_plan_entries_values(void)
{
	pool_t pool = pool_alloconly_create("test plan entry", 4096);
	struct mus_plan *plan = plan_read(pool, plan_json);
	ARRAY_TYPE(mus_plan_entry) entries;
	const struct mus_plan_entry *e;
	struct mus_plan_filing filing;

	mus_test_begin("plan entry: the plan and one child per activity");
	filing_init(&filing, "ou=plans,dc=eksempel,dc=test");
	p_array_init(&entries, pool, 8);
	if (plan != NULL)
		mus_plan_entries(pool, &filing, plan, &entries);
	test_assert(array_count(&entries) == 5);
	if (array_count(&entries) == 5) {
		e = array_idx(&entries, 0);
		test_assert_strcmp(e->dn, "cn=plan-c1-v3,ou=plans,dc=eksempel,dc=test");
		test_assert_strcmp(entry_attr(e, "objectClass"), "musPlan");
		test_assert_strcmp(entry_attr(e, "cn"), "plan-c1-v3");
		test_assert_strcmp(entry_attr(e, "musEmployee"), EMPLOYEE);
		test_assert_strcmp(entry_attr(e, "musLeader"), LEADER);
		test_assert_strcmp(entry_attr(e, "musPlanVersion"), "3");
		test_assert_strcmp(entry_attr(e, "musRoundRef"), ROUND);
		test_assert_strcmp(entry_attr(e, "musConversationRef"), CONV);
		/* the same goal differing in case and spacing is filed once */
		test_assert_strcmp(entry_attr(e, "musGoal"),
				   "Lead meetings|Write  reports");
		test_assert_strcmp(entry_attr(e, "musGoalShared"), "Fewer sick days");
		/* local midnight in Copenhagen (summer time) */
		test_assert_strcmp(entry_attr(e, "musFollowUp"), "20270831220000Z");
		test_assert_strcmp(entry_attr(e, "musApprovedByEmployee"),
				   "20270115080000Z");
		test_assert_strcmp(entry_attr(e, "musApprovedByLeader"),
				   "20270115090000Z");
		test_assert_strcmp(entry_attr(e, "musApproverEmployee"), EMPLOYEE);
		test_assert_strcmp(entry_attr(e, "musApproverLeader"), LEADER);

		e = array_idx(&entries, 1);
		test_assert_strcmp(e->dn,
			"cn=activity-1,cn=plan-c1-v3,ou=plans,dc=eksempel,dc=test");
		test_assert_strcmp(entry_attr(e, "objectClass"), "musActivity");
		test_assert_strcmp(entry_attr(e, "description"),
				   "Course in meeting leadership");
		test_assert_strcmp(entry_attr(e, "musActivityKind"), "course");
		test_assert_strcmp(entry_attr(e, "musResponsible"), LEADER);
		test_assert_strcmp(entry_attr(e, "musResponsibleName"), NULL);
		/* winter time */
		test_assert_strcmp(entry_attr(e, "musDue"), "20270228230000Z");
		test_assert_strcmp(entry_attr(e, "musActivityStatus"), "planned");

		e = array_idx(&entries, 2);
		test_assert_strcmp(entry_attr(e, "musResponsible"), EMPLOYEE);
		test_assert_strcmp(entry_attr(e, "musActivityKind"), "practice");
		e = array_idx(&entries, 3);
		test_assert_strcmp(entry_attr(e, "musResponsible"), NULL);
		test_assert_strcmp(entry_attr(e, "musResponsibleName"),
				   "Mette Mentor <mm@eksempel.test>");
		e = array_idx(&entries, 4);
		test_assert_strcmp(e->dn,
			"cn=activity-4,cn=plan-c1-v3,ou=plans,dc=eksempel,dc=test");
		test_assert_strcmp(entry_attr(e, "musResponsibleName"),
				   "hr@eksempel.test");
	}
	mus_test_end();
	pool_unref(&pool);
}

static void test_plan_entries_names(void)
{
	pool_t pool = pool_alloconly_create("test plan entry", 4096);
	struct mus_plan_filing filing;
	struct mus_plan *plan;
	ARRAY_TYPE(mus_plan_entry) entries;

	mus_test_begin("plan entry: under the employee, names escaped, no shared goal");
	plan = plan_read(pool,
		"{\"goals\":[{\"kind\":\"individual\",\"text\":\"Ætte\"},"
		"{\"kind\":\"individual\",\"text\":\"ætte\"}],"
		"\"activities\":[{\"description\":\"x\",\"kind\":\"course\","
		"\"responsible\":{\"name\":\"Ib\"},\"due\":\"2027-03-01\"}],"
		"\"follow_up\":\"2027-03-02\"}");
	filing_init(&filing, EMPLOYEE);
	filing.conversation_cn = "a+b,c";
	filing.version = 12;
	p_array_init(&entries, pool, 4);
	if (plan != NULL)
		mus_plan_entries(pool, &filing, plan, &entries);
	test_assert(array_count(&entries) == 2);
	if (array_count(&entries) == 2) {
		const struct mus_plan_entry *e = array_idx(&entries, 0);

		test_assert_strcmp(e->dn, "cn=plan-a\\2Bb\\2Cc-v12," EMPLOYEE);
		test_assert_strcmp(mus_plan_entry_dn(pool, &filing), e->dn);
		test_assert_strcmp(entry_attr(e, "cn"), "plan-a+b,c-v12");
		/* LDAP folds the case of non-ASCII letters too */
		test_assert_strcmp(entry_attr(e, "musGoal"), "Ætte");
		test_assert_strcmp(entry_attr(e, "musGoalShared"), NULL);
		e = array_idx(&entries, 1);
		test_assert_strcmp(e->dn,
			"cn=activity-1,cn=plan-a\\2Bb\\2Cc-v12," EMPLOYEE);
		test_assert_strcmp(entry_attr(e, "musResponsibleName"), "Ib");
	}
	mus_test_end();
	pool_unref(&pool);
}

static void test_plan_approval(void)
{
	const char *ndn = "uid=emp,ou=people,dc=eksempel,dc=test";
	const char *values[] = {
		"2 20270115080000Z uid=emp,ou=people,dc=eksempel,dc=test",
		"3 20270116080000Z UID=Emp, ou=People,dc=eksempel,dc=test",
		"3 20270115080000Z uid=emp,ou=people,dc=eksempel,dc=test",
		"3 20270114080000Z uid=boss,ou=people,dc=eksempel,dc=test",
		"x 20270101080000Z uid=emp,ou=people,dc=eksempel,dc=test",
		"3 2027 uid=emp,ou=people,dc=eksempel,dc=test",
		"3 20270101080000Z",
		"3 20270101080000Z ",
		NULL
	};
	unsigned int version = 99;
	time_t when = 7;
	const char *dn = "unchanged";

	mus_test_begin("plan approval: value, parse, and only the version counts");
	test_assert_strcmp(mus_plan_approval_value(4, 1800000000,
						   "cn=Anne Hansen,dc=x"),
			   "4 20270115080000Z cn=Anne Hansen,dc=x");
	test_assert(mus_plan_approval_parse(
		"4 20270115080000Z cn=Anne Hansen,dc=x", &version, &when, &dn));
	test_assert(version == 4 && when == 1800000000);
	test_assert_strcmp(dn, "cn=Anne Hansen,dc=x");
	for (unsigned int i = 4; values[i] != NULL; i++) {
		version = 99; when = 7; dn = "unchanged";
		test_assert(!mus_plan_approval_parse(values[i], &version,
						     &when, &dn));
		test_assert(version == 99 && when == 7);
		test_assert_strcmp(dn, "unchanged");
	}
	/* the earliest approval of version 3, by that person in any
	   spelling of the DN */
	when = 7;
	test_assert(mus_plan_approval_find(values, 3, ndn, &when));
	test_assert(when == 1800000000);
	test_assert(mus_plan_approval_find(values, 2, ndn, &when));
	test_assert(when == 1800000000);
	when = 7;
	test_assert(!mus_plan_approval_find(values, 4, ndn, &when));
	test_assert(!mus_plan_approval_find(values, 3,
		"uid=other,ou=people,dc=eksempel,dc=test", &when));
	test_assert(when == 7);
	mus_test_end();
}

/* A team's plan filed for each member: names unique per member under one
   base, the member as employee and approver, members named as
   responsible filed by DN. */
static const char *const anna_mails[] = { "anna@eksempel.test", NULL };
static const char *const bo_mails[] = { "bo@eksempel.test", NULL };

static void test_plan_entries_team(void)
{
	static const struct mus_plan_team_member members[] = {
		{ .dn = "uid=anna,ou=people,dc=eksempel,dc=test",
		  .name = "Anna Berg",
		  .mails = anna_mails },
		{ .dn = "uid=bo,ou=people,dc=eksempel,dc=test",
		  .name = "Bo Holm",
		  .mails = bo_mails },
	};
	static const struct mus_plan_team team = {
		.members = members, .count = N_ELEMENTS(members),
	};
	pool_t pool = pool_alloconly_create("test plan entry", 8192);
	struct mus_plan *plan = plan_read(pool,
		"{\"goals\":[{\"kind\":\"shared\",\"text\":\"Shorter waits\"}],"
		"\"activities\":["
		"{\"description\":\"Triage course\",\"kind\":\"course\","
		"\"responsible\":{\"name\":\"bo holm\"},\"due\":\"2027-03-01\"},"
		"{\"description\":\"Shadowing\",\"kind\":\"practice\","
		"\"responsible\":{\"name\":\"X\",\"mail\":\"ANNA@eksempel.test\"},"
		"\"due\":\"2027-03-01\"},"
		"{\"description\":\"Team day\",\"kind\":\"new-tasks\","
		"\"responsible\":\"leader\",\"due\":\"2027-03-01\"},"
		"{\"description\":\"Supervision\",\"kind\":\"supervision\","
		"\"responsible\":{\"name\":\"Jens Berg\"},\"due\":\"2027-03-01\"}],"
		"\"follow_up\":\"2027-04-01\"}");
	ARRAY_TYPE(mus_plan_entry) entries;
	struct mus_plan_filing filing;
	const char *dns[N_ELEMENTS(members)];

	mus_test_begin("plan entry: a team's plan, one per member");
	for (unsigned int i = 0; i < N_ELEMENTS(members); i++) {
		const struct mus_plan_entry *e;

		filing_init(&filing, "ou=plans,dc=eksempel,dc=test");
		filing.conversation_cn = "grus-team-boss";
		filing.team = &team;
		filing.employee_dn = members[i].dn;
		filing.approved_employee = 1800000000 + i * 60;
		p_array_init(&entries, pool, 8);
		if (plan != NULL)
			mus_plan_entries(pool, &filing, plan, &entries);
		test_assert(array_count(&entries) == 5);
		if (array_count(&entries) != 5)
			continue;
		e = array_idx(&entries, 0);
		dns[i] = e->dn;
		test_assert_strcmp(e->dn, t_strdup_printf(
			"cn=plan-grus-team-boss-%s-v3,ou=plans,dc=eksempel,dc=test",
			i == 0 ? "anna" : "bo"));
		test_assert_strcmp(mus_plan_entry_dn(pool, &filing), e->dn);
		test_assert_strcmp(entry_attr(e, "musEmployee"), members[i].dn);
		test_assert_strcmp(entry_attr(e, "musApproverEmployee"),
				   members[i].dn);
		test_assert_strcmp(entry_attr(e, "musApproverLeader"), LEADER);
		test_assert_strcmp(entry_attr(e, "musApprovedByEmployee"),
				   i == 0 ? "20270115080000Z" : "20270115080100Z");
		test_assert_strcmp(entry_attr(e, "musApprovedByLeader"),
				   "20270115090000Z");
		test_assert_strcmp(entry_attr(e, "musGoalShared"), "Shorter waits");
		test_assert_strcmp(entry_attr(e, "musGoal"), NULL);
		test_assert_strcmp(entry_attr(e, "musConversationRef"), CONV);
		test_assert_strcmp(entry_attr(e, "musPlanVersion"), "3");
		e = array_idx(&entries, 1);
		test_assert_strcmp(e->dn, t_strdup_printf("cn=activity-1,%s",
							  dns[i]));
		test_assert_strcmp(entry_attr(e, "musResponsible"), members[1].dn);
		test_assert_strcmp(entry_attr(e, "musResponsibleName"), NULL);
		e = array_idx(&entries, 2);
		test_assert_strcmp(entry_attr(e, "musResponsible"), members[0].dn);
		e = array_idx(&entries, 3);
		test_assert_strcmp(entry_attr(e, "musResponsible"), LEADER);
		e = array_idx(&entries, 4);
		test_assert_strcmp(entry_attr(e, "musResponsible"), NULL);
		test_assert_strcmp(entry_attr(e, "musResponsibleName"), "Jens Berg");
	}
	mus_test_end();
	pool_unref(&pool);
}

void test_plan_entry(void)
{
	test_plan_entries_values();
	test_plan_entries_names();
	test_plan_entries_team();
	test_plan_approval();
}
