/* Unit tests of the LDAP helpers that need no server. */

#include "lib.h"
#include "mus-ldap.h"
#include "mus-test.h"

static void test_ldap_dn_normalize(void)
{
	static const struct {
		const char *a, *b;
		bool equal;
	} cases[] = {
		{ "uid=anna,ou=people,dc=eksempel,dc=test",
		  "UID=Anna, OU=People, DC=eksempel, DC=test", TRUE },
		{ "cn=Søren Højgaard,ou=people,dc=eksempel,dc=test",
		  "cn=Søren  Højgaard,ou=people,dc=eksempel,dc=test", FALSE },
		{ "cn=a\\,b,dc=test", "cn=a\\2cb,dc=test", TRUE },
		{ "uid=anna,ou=people,dc=eksempel,dc=test",
		  "uid=anne,ou=people,dc=eksempel,dc=test", FALSE },
		/* the simple form and libldap's must agree */
		{ "uid=Anna.B-C_d@x,OU=People,dc=x", "uid=anna.b-c_d@x, ou=people, dc=x", TRUE },
		{ "uid=anna,dc=x", "uid=anna ,dc=x", TRUE },
		{ "uid=anna,dc=x", "uid=an\\6ea,dc=x", TRUE },
	};
	pool_t pool = pool_alloconly_create("test", 1024);

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *na = NULL, *nb = NULL, *error;

		mus_test_begin(t_strdup_printf("ldap: normalize '%s' vs '%s'",
					       cases[i].a, cases[i].b));
		test_assert(mus_ldap_dn_normalize(pool, cases[i].a, &na, &error) == 0);
		test_assert(mus_ldap_dn_normalize(pool, cases[i].b, &nb, &error) == 0);
		test_assert((null_strcmp(na, nb) == 0) == cases[i].equal);
		mus_test_end();
	}

	mus_test_begin("ldap: normalize refuses a broken DN");
	{
		const char *ndn = "untouched", *error = NULL;

		test_assert(mus_ldap_dn_normalize(pool, "uid=a,,dc=x", &ndn, &error) == -1);
		test_assert_contains(error, "uid=a,,dc=x");
		test_assert(mus_ldap_dn_normalize(pool, "=a,dc=x", &ndn, &error) == -1);
		test_assert(mus_ldap_dn_normalize(pool, "uid=a,dc", &ndn, &error) == -1);
		test_assert_strcmp(ndn, "untouched");
	}
	mus_test_end();
	pool_unref(&pool);
}

static void test_ldap_checks(void)
{
	static const struct {
		const char *value;
		bool uri, dn;
	} cases[] = {
		{ "ldap://127.0.0.1:389/", TRUE, FALSE },
		{ "ldaps://ldap.eksempel.test ldap://backup.eksempel.test", TRUE, FALSE },
		{ "ldapi://%2Fvar%2Frun%2Fslapd%2Fldapi", TRUE, FALSE },
		{ "http://127.0.0.1/", FALSE, FALSE },
		{ "", FALSE, FALSE },
		{ "dc=eksempel,dc=test", FALSE, TRUE },
		{ "cn=Jens Ærø,ou=people,dc=eksempel,dc=test", FALSE, TRUE },
		{ "cn=x\\", FALSE, FALSE },
		{ "just words", FALSE, FALSE },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		const char *error;

		mus_test_begin(t_strdup_printf("ldap: check '%s'", cases[i].value));
		test_assert((mus_ldap_uri_check(cases[i].value, &error) == 0) ==
			    cases[i].uri);
		test_assert((mus_ldap_dn_check(cases[i].value, &error) == 0) ==
			    cases[i].dn);
		mus_test_end();
	}
}

static void test_ldap_filter_escape(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "anna", "anna" },
		{ "*)(uid=*", "\\2A\\29\\28uid=\\2A" },
		{ "back\\slash", "back\\5Cslash" },
		{ "Søren", "S\\C3\\B8ren" },
		{ "", "" },
	};

	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		mus_test_begin(t_strdup_printf("ldap: filter escape '%s'",
					       cases[i].in));
		test_assert_strcmp(mus_ldap_filter_escape(cases[i].in),
				   cases[i].out);
		mus_test_end();
	}
}

static void test_ldap_dn_rdn_value(void)
{
	mus_test_begin("ldap: the value of the first RDN");
	test_assert_strcmp(mus_ldap_dn_rdn_value("uid=s\\C3\\B8ren,ou=x"), "søren");
	test_assert_strcmp(mus_ldap_dn_rdn_value("cn=a\\,b"), "a,b");
	test_assert_strcmp(mus_ldap_dn_rdn_value("ou="), "");
	test_assert_strcmp(mus_ldap_dn_rdn_value("cn=,ou=x"), "");
	test_assert(mus_ldap_dn_rdn_value("no dn") == NULL);
	mus_test_end();
}

static void test_ldap_csn_assertion(void)
{
	mus_test_begin("ldap: CSN assertion, none without a CSN");
	test_assert_strcmp(mus_ldap_csn_assertion(
		"20261130051400.123456Z#000000#000#000000"),
		"(entryCSN=20261130051400.123456Z#000000#000#000000)");
	test_assert_strcmp(mus_ldap_csn_assertion("x)(cn=*"),
			   "(entryCSN=x\\29\\28cn=\\2A)");
	test_assert(mus_ldap_csn_assertion(NULL) == NULL);
	mus_test_end();
}

void test_ldap(void)
{
	test_ldap_dn_normalize();
	test_ldap_checks();
	test_ldap_filter_escape();
	test_ldap_csn_assertion();
	test_ldap_dn_rdn_value();
}
