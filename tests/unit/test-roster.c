/* Unit tests of the roster: which conversations a round calls for. */

#include "lib.h"
#include "array.h"
#include "str.h"
#include "mus-org.h"
#include "mus-roster.h"
#include "mus-test.h"
#include "mus-test-org.h"

#define WINDOW_START (NOW + 86400 * 40)
#define WINDOW_END (NOW + 86400 * 100)

static int no_dn_exists(const char *dn ATTR_UNUSED, void *context ATTR_UNUSED,
			const char **error_r ATTR_UNUSED)
{
	return 0;
}

static struct mus_org *sample_org(void)
{
	struct mus_org *org = mus_org_create("Europe/Copenhagen");
	struct mus_person *p;
	const char *error;

	mus_test_person(org, "top", NULL, "");
	mus_test_person(org, "m1", "top", "");
	mus_test_person(org, "e1", "m1", "");
	mus_test_person(org, "e2", "m1", "");
	mus_test_person(org, "e3", "m1", NULL);
	mus_test_person(org, "e4", "ghost", "");
	mus_test_person(org, "e5", "m1", "");
	mus_test_person(org, "c1", "c2", "");
	mus_test_person(org, "c2", "c1", "");
	p = mus_test_person(org, "away", "m1", "");
	p->absent_until = WINDOW_END + 1;
	p = mus_test_person(org, "back", "m1", "");
	p->absent_until = WINDOW_START + 86400;
	p = mus_test_person(org, "free", "m1", "");
	p->exempt = TRUE;
	/* exempt, and the manager is gone too: HR's mark is the reason */
	p = mus_test_person(org, "gone", "ghost", "");
	p->exempt = TRUE;
	/* a shared mailbox: the same address as the leader's */
	mus_test_person(org, "shared", "m1", "m1@x.test");
	/* and one with e1's */
	mus_test_person(org, "twin", "m1", "e1@x.test");
	if (mus_org_analyze(org, NOW, no_dn_exists, NULL, &error) < 0)
		i_unreached();
	return org;
}

/* "cn members reason-start;" for every wanted conversation */
static const char *roster(enum mus_round_kind kind, const struct mus_team *teams,
			  unsigned int team_count)
{
	struct mus_org *org = sample_org();
	struct mus_round round = {
		.kind = kind, .window_start = WINDOW_START, .window_end = WINDOW_END,
		.timezone = "Europe/Copenhagen",
	};
	ARRAY_TYPE(mus_wanted) wanted;
	struct mus_wanted *w;
	string_t *str = t_str_new(256);
	pool_t pool = pool_alloconly_create("test", 4096);

	p_array_init(&wanted, pool, 16);
	mus_roster_build(pool, org, &round, teams, team_count, &wanted);
	array_foreach_elem(&wanted, w) {
		str_printfa(str, "%s %u", w->cn, w->member_count);
		if (w->reason != NULL)
			str_printfa(str, " %s", t_strcut(w->reason, ' '));
		str_append_c(str, ';');
	}
	pool_unref(&pool);
	mus_org_destroy(&org);
	return str_c(str);
}

static const char *reason_of(enum mus_round_kind kind, const char *cn)
{
	struct mus_org *org = sample_org();
	struct mus_round round = {
		.kind = kind, .window_start = WINDOW_START, .window_end = WINDOW_END,
		.timezone = "Europe/Copenhagen",
	};
	ARRAY_TYPE(mus_wanted) wanted;
	struct mus_wanted *w;
	const char *reason = NULL;
	pool_t pool = pool_alloconly_create("test", 4096);

	p_array_init(&wanted, pool, 16);
	mus_roster_build(pool, org, &round, NULL, 0, &wanted);
	array_foreach_elem(&wanted, w) {
		if (strcmp(w->cn, cn) == 0)
			reason = t_strdup(w->reason);
	}
	pool_unref(&pool);
	mus_org_destroy(&org);
	return reason;
}

void test_roster(void)
{
	mus_test_begin("roster: MUS, one per person with a manager");
	test_assert_strcmp(roster(MUS_ROUND_MUS, NULL, 0),
		"mus-away-m1 1 the;mus-back-m1 1;mus-c1-c2 1 the;"
		"mus-c2-c1 1 the;mus-e1-m1 1;mus-e2-m1 1;"
		"mus-e3-m1 1 the;mus-e4-ghost 1 manager;"
		"mus-e5-m1 1;mus-free-m1 1 the;mus-gone-ghost 1 the;mus-m1-top 1;"
		"mus-shared-m1 1 the;mus-twin-m1 1;");
	mus_test_end();

	mus_test_begin("roster: the reasons name the problem");
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-away-m1"),
			   "absent until") != NULL);
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-e3-m1"),
			   "has no mail address") != NULL);
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-e4-ghost"),
			   "manager uid=ghost,ou=people,dc=x does not exist") != NULL);
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-c1-c2"),
			   "is a cycle") != NULL);
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-gone-ghost"),
			   "exempt") != NULL);
	test_assert(strstr(reason_of(MUS_ROUND_MUS, "mus-free-m1"),
			   "exempt") != NULL);
	test_assert_strcmp(reason_of(MUS_ROUND_MUS, "mus-shared-m1"),
			   "the employee has the leader's address m1@x.test");
	mus_test_end();

	mus_test_begin("roster: LUS, one per leader with a manager");
	test_assert_strcmp(roster(MUS_ROUND_LUS, NULL, 0),
		"lus-c1-c2 1 the;lus-c2-c1 1 the;"
		"lus-m1-top 1;");
	mus_test_end();

	mus_test_begin("roster: GRUS, a team plus individuals for the rest");
	{
		const char *const members[] = {
			"uid=e1,ou=people,dc=x", "uid=e2,ou=people,dc=x",
			"uid=e3,ou=people,dc=x", "uid=m1,ou=people,dc=x",
			"uid=shared,ou=people,dc=x", "uid=twin,ou=people,dc=x",
			"uid=nobody,ou=people,dc=x", NULL
		};
		const char *const none[] = { "uid=nobody,ou=people,dc=x", NULL };
		const struct mus_team teams[] = {
			{ .dn = "cn=t1,ou=teams,dc=x", .name = "t1",
			  .owner_ndn = "uid=m1,ou=people,dc=x", .member_ndns = members },
			{ .dn = "cn=empty,ou=teams,dc=x", .name = "empty",
			  .owner_ndn = "uid=m1,ou=people,dc=x", .member_ndns = none },
			{ .dn = "cn=ext,ou=teams,dc=x", .name = "ext",
			  .owner_ndn = "uid=outsider,ou=people,dc=x", .member_ndns = members },
		};

		test_assert_strcmp(roster(MUS_ROUND_GRUS, teams, N_ELEMENTS(teams)),
			"grus-away-m1 1 the;grus-back-m1 1;"
			"grus-c1-c2 1 the;"
			"grus-c2-c1 1 the;"
			"grus-e3-m1 1 the;grus-e4-ghost 1 manager;"
			"grus-e5-m1 1;grus-empty-m1 0 the;grus-free-m1 1 the;grus-gone-ghost 1 the;"
			"grus-m1-top 1;grus-shared-m1 1 the;grus-t1-m1 2;"
			"grus-twin-m1 1;");
	}
	mus_test_end();
}
