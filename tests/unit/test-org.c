/* Unit tests of the organisation analysis, on organisations built by
   hand. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-org.h"
#include "mus-people.h"
#include "mus-time.h"
#include "mus-holidays.h"
#include "mus-test.h"
#include "mus-test-org.h"

/* "uid=ghost..." does not exist; "uid=outside..." exists outside the
   scope; "uid=broken..." makes the lookup fail */
static int fake_dn_exists(const char *dn, void *context,
			  const char **error_r)
{
	unsigned int *calls = context;

	(*calls)++;
	if (str_begins(dn, "uid=broken")) {
		*error_r = "ldap_search(base=uid=broken) failed: Can't contact LDAP server";
		return -1;
	}
	return str_begins(dn, "uid=outside") ? 1 : 0;
}

/* The problems as "kind uid" lines, in their order. */
static const char *problems(const struct mus_org *org)
{
	const struct mus_org_problem *problem;
	string_t *str = t_str_new(256);

	array_foreach(&org->problems, problem) {
		str_printfa(str, "%s %s;", mus_problem_kind_name(problem->kind),
			    problem->person->uid);
	}
	return str_c(str);
}

static struct mus_person *find(const struct mus_org *org, const char *uid)
{
	struct mus_person *p;

	array_foreach_elem(&org->people, p) {
		if (strcmp(p->uid, uid) == 0)
			return p;
	}
	return NULL;
}

static void test_org_clean_tree(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	unsigned int calls = 0;
	const char *error;

	mus_test_begin("org: a clean three-level tree has no problems");
	/* added out of order on purpose */
	mus_test_person(org, "e2", "m1", "");
	mus_test_person(org, "top", NULL, "");
	mus_test_person(org, "m1", "top", "");
	mus_test_person(org, "e1", "m1", "");
	mus_test_person(org, "m2", "top", "");
	mus_test_person(org, "e3", "m2", "");
	test_assert(mus_org_analyze(org, NOW, fake_dn_exists, &calls, &error) == 0);
	test_assert_strcmp(problems(org), "");
	test_assert(org->depth == 3);
	test_assert(org->leader_count == 3);
	test_assert(array_count(&org->tops) == 1);
	test_assert(find(org, "top")->level == 1);
	test_assert(find(org, "m2")->level == 2);
	test_assert(find(org, "e3")->level == 3);
	test_assert(find(org, "m1")->report_count == 2);
	test_assert(find(org, "e1")->manager == find(org, "m1"));
	test_assert(calls == 0);
	/* sorted by DN whatever the input order */
	test_assert_strcmp(array_idx_elem(&org->people, 0)->uid, "e1");
	mus_org_destroy(&org);
	test_assert(org == NULL);
	mus_test_end();
}

static void test_org_planted_problems(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	unsigned int calls = 0;
	struct mus_person *p;
	const char *error;
	char uid[16];

	mus_test_begin("org: every kind of data problem is found");
	mus_test_person(org, "top", NULL, "");
	mus_test_person(org, "boss", "top", "");
	for (unsigned int i = 0; i < MUS_ORG_WIDE_SPAN + 1; i++) {
		i_snprintf(uid, sizeof(uid), "w%02u", i);
		mus_test_person(org, uid, "boss", "");
	}
	p = mus_test_person(org, "lonely", "top", "");
	p->leader_role = TRUE;
	mus_test_person(org, "nomail", "top", NULL);
	mus_test_person(org, "mgrless", NULL, NULL);	/* mail-less AND no manager */
	mus_test_person(org, "nomailboss", "top", NULL);
	mus_test_person(org, "sub", "nomailboss", "");
	mus_test_person(org, "orphan", "ghost", "");
	mus_test_person(org, "below-orphan", "orphan", "");
	mus_test_person(org, "external", "outside", "");
	mus_test_person(org, "cyc-a", "cyc-b", "");
	mus_test_person(org, "cyc-b", "cyc-a", "");
	mus_test_person(org, "below-cycle", "cyc-a", "");
	mus_test_person(org, "self", "self", "");
	mus_test_person(org, "dup1", "top", "same@x.test");
	mus_test_person(org, "dup2", "top", "SAME@x.test");
	p = mus_test_person(org, "leave", "top", "");
	/* local midnight starting 2027-06-01, 22:00 UTC the day before */
	p->absent_until = mus_time_from_local("Europe/Copenhagen",
		mus_days_from_civil(2027, 6, 1), 0);
	p = mus_test_person(org, "back", "top", "");
	p->absent_until = NOW - 86400;
	p = mus_test_person(org, "two", "top", "");
	p->manager_count = 2;
	p = mus_test_person(org, "badtime", "top", "");
	p->invalid = "musAbsentUntil 'soon' is not a GeneralizedTime";

	test_assert(mus_org_analyze(org, NOW, fake_dn_exists, &calls, &error) == 0);
	test_assert_strcmp(problems(org),
		"invalid-value badtime;"
		"wide-span boss;"
		"manager-cycle cyc-a;"
		"manager-cycle cyc-b;"
		"duplicate-mail dup2;"
		"manager-out-of-scope external;"
		"long-term-leave leave;"
		"leader-without-reports lonely;"
		"no-mail mgrless;"
		"no-manager mgrless;"
		"no-mail nomail;"
		"leader-without-mail nomailboss;"
		"manager-missing orphan;"
		"manager-cycle self;"
		"several-managers two;");
	test_assert(calls == 2);
	/* the date of the absence as HR wrote it, not its UTC date */
	{
		const struct mus_org_problem *problem;
		bool found = FALSE;

		array_foreach(&org->problems, problem) {
			if (problem->kind == MUS_PROBLEM_LONG_TERM_LEAVE)
				found = strstr(problem->detail, "2027-06-01") != NULL;
		}
		test_assert(found);
	}
	test_assert(find(org, "boss")->report_count == MUS_ORG_WIDE_SPAN + 1);
	test_assert(find(org, "w00")->level == 3);
	test_assert(find(org, "orphan")->level == 0);
	test_assert(find(org, "below-orphan")->level == 0);
	test_assert(find(org, "below-cycle")->level == 0);
	test_assert(find(org, "cyc-a")->level == 0);
	test_assert(find(org, "self")->manager == NULL);
	test_assert(find(org, "sub")->level == 3);
	test_assert(org->depth == 3);
	test_assert(array_count(&org->tops) == 2);
	mus_test_end();
	mus_org_destroy(&org);
}

static void test_org_lookup_error(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	unsigned int calls = 0;
	const char *error = NULL;

	mus_test_begin("org: a failed directory lookup fails the analysis");
	mus_test_person(org, "top", NULL, "");
	mus_test_person(org, "x", "broken", "");
	test_assert(mus_org_analyze(org, NOW, fake_dn_exists, &calls, &error) == -1);
	test_assert(error != NULL && strstr(error, "Can't contact") != NULL);
	mus_test_end();
	mus_org_destroy(&org);
}

static void test_org_long_chain(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	unsigned int calls = 0;
	const char *error;
	char uid[16], manager[16];

	mus_test_begin("org: a 2000-level chain and a 2000-person cycle");
	mus_test_person(org, "c0000", NULL, "");
	for (unsigned int i = 1; i < 2000; i++) {
		i_snprintf(uid, sizeof(uid), "c%04u", i);
		i_snprintf(manager, sizeof(manager), "c%04u", i - 1);
		mus_test_person(org, uid, manager, "");
	}
	for (unsigned int i = 0; i < 2000; i++) {
		i_snprintf(uid, sizeof(uid), "r%04u", i);
		i_snprintf(manager, sizeof(manager), "r%04u", (i + 1) % 2000);
		mus_test_person(org, uid, manager, "");
	}
	test_assert(mus_org_analyze(org, NOW, fake_dn_exists, &calls, &error) == 0);
	test_assert(org->depth == 2000);
	test_assert(find(org, "c1999")->level == 2000);
	test_assert(array_count(&org->problems) == 2000);
	mus_test_end();
	mus_org_destroy(&org);
}

static void test_people_names(void)
{
	static const struct {
		const char *cn, *uid, *dn, *name, *of_dn;
	} cases[] = {
		{ "Anna Holm", "anna", "uid=anna,ou=people,dc=x", "Anna Holm", "anna" },
		/* an ACL hides cn */
		{ NULL, "anna", "uid=anna,ou=people,dc=x", "anna", "anna" },
		{ NULL, NULL, "uid=anna,ou=people,dc=x", "uid=anna,ou=people,dc=x", "anna" },
		/* a CR and a TAB typed into cn, and escaped into an RDN */
		{ "Ctrl\rName\tHere", NULL, "cn=Ctrl\\0DName,dc=x", "Ctrl Name Here", "Ctrl Name" },
		/* an empty RDN value, and no DN at all */
		{ NULL, NULL, "ou=,dc=x", "ou=,dc=x", "ou=,dc=x" },
		{ NULL, NULL, "not a dn", "not a dn", "not a dn" },
	};

	mus_test_begin("people: the name a person is shown by");
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		test_assert_strcmp(mus_people_name(pool_datastack_create(),
						   cases[i].cn, cases[i].uid,
						   cases[i].dn), cases[i].name);
		test_assert_strcmp(mus_people_name_of_dn(pool_datastack_create(),
							 cases[i].dn),
				   cases[i].of_dn);
	}
	mus_test_end();
}

void test_org(void)
{
	test_people_names();
	test_org_clean_tree();
	test_org_planted_problems();
	test_org_lookup_error();
	test_org_long_chain();
}
