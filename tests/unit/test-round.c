/* Unit tests of reading rounds from attribute values. */

#include "lib.h"
#include "array.h"
#include "mus-time.h"
#include "mus-round.h"
#include "mus-cards.h"
#include "mus-test.h"

/* attribute values as "attr=value" strings; repeated attrs are multi */
static const char *const *lookup(const char *attr, void *context)
{
	const char *const *pairs = context;
	ARRAY_TYPE(const_string) values;

	t_array_init(&values, 4);
	for (unsigned int i = 0; pairs[i] != NULL; i++) {
		const char *eq = strchr(pairs[i], '=');

		if (strncasecmp(pairs[i], attr, eq - pairs[i]) == 0 &&
		    strlen(attr) == (size_t)(eq - pairs[i])) {
			const char *value = eq + 1;

			array_push_back(&values, &value);
		}
	}
	array_append_zero(&values);
	return array_front(&values);
}

/* a valid round with one attribute replaced (value NULL: removed) or
   added */
static const char *const *with(const char *attr, const char *value)
{
	static const char *const base[] = {
		"cn=MUS 2027", "musKind=MUS", "musState=active",
		"musWindowStart=20270103230000Z", "musWindowEnd=20270226230000Z",
		"musDuration=60", "musWorkdayStart=0830", "musWorkdayEnd=1530",
		"musMaxPerDay=4", "musBufferMinutes=15", "musCard=engagement",
		"musClosedDate=20270129", NULL
	};
	ARRAY_TYPE(const_string) pairs;
	bool replaced = FALSE;

	t_array_init(&pairs, 16);
	for (unsigned int i = 0; base[i] != NULL; i++) {
		if (attr != NULL && str_begins(base[i], t_strconcat(attr, "=", NULL))) {
			if (!replaced && value != NULL) {
				const char *pair = t_strconcat(attr, "=", value, NULL);

				array_push_back(&pairs, &pair);
			}
			replaced = TRUE;
			continue;
		}
		array_push_back(&pairs, &base[i]);
	}
	if (attr != NULL && !replaced) {
		const char *pair = t_strconcat(attr, "=", value, NULL);

		array_push_back(&pairs, &pair);
	}
	array_append_zero(&pairs);
	return array_front(&pairs);
}

void test_round(void)
{
	static const struct {
		const char *attr, *value, *error;
	} cases[] = {
		{ NULL, NULL, NULL },
		{ "musKind", "grus", NULL },
		{ "musWorkdayStart", NULL, NULL },
		{ "cn", NULL, "cn: missing" },
		{ "musKind", "FOO", "musKind: unknown value 'FOO' (expected MUS, GRUS, TUS or LUS)" },
		{ "musState", "running", "musState: unknown value 'running'" },
		{ "musWindowStart", "2027-01-04", "musWindowStart: invalid value '2027-01-04'" },
		{ "musWindowEnd", "20270101000000Z", "musWindowEnd: the window ends before it starts" },
		{ "musDuration", "0", "musDuration: a conversation must last" },
		{ "musDuration", "sixty", "musDuration: invalid value 'sixty'" },
		{ "musDuration", NULL, "musDuration: missing" },
		{ "musDuration", "480", "the working day is shorter than one conversation" },
		{ "musWorkdayEnd", "0800", "musWorkdayEnd: the working day ends before it starts" },
		{ "musWorkdayStart", "8:30", "musWorkdayStart: invalid value '8:30'" },
		{ "musWorkdayEnd", "2561", "musWorkdayEnd: invalid value '2561'" },
		{ "musMaxPerDay", "0", "musMaxPerDay: must allow at least one" },
		{ "musMaxPerDay", "-1", "musMaxPerDay: invalid value '-1'" },
		{ "musClosedDate", "20270230", "musClosedDate: invalid value '20270230'" },
		{ "musCard", "nosuchcard", "musCard: unknown card code 'nosuchcard'" },
		{ "musScopeBase", "not a dn", "musScopeBase: invalid value 'not a dn'" },
		{ "musScopeFilter", "uid=*", "musScopeFilter: invalid value 'uid=*'" },
	};
	struct mus_cards *cards;
	const char *error;

	if (mus_cards_load("ical-templates", &cards, &error) < 0)
		i_fatal("%s", error);
	struct mus_round_context rctx = {
		.people_base = "ou=people,dc=x", .timezone = "Europe/Copenhagen",
		.cards = cards,
	};
	for (unsigned int i = 0; i < N_ELEMENTS(cases); i++) {
		struct mus_round *round = NULL;
		pool_t pool = pool_alloconly_create("test", 1024);
		int ret;

		error = NULL;
		mus_test_begin(t_strdup_printf("round: %s=%s",
			cases[i].attr == NULL ? "(valid)" : cases[i].attr,
			cases[i].value == NULL ? "(unset)" : cases[i].value));
		ret = mus_round_parse(pool, "cn=MUS 2027,ou=rounds,dc=x", lookup,
				      (void *)with(cases[i].attr, cases[i].value),
				      &rctx, &round, &error);
		if (cases[i].error == NULL) {
			test_assert(ret == 0 && round != NULL);
		} else {
			test_assert(ret == -1 && round == NULL);
			test_assert_contains(error, cases[i].error);
		}
		mus_test_end();
		pool_unref(&pool);
	}

	mus_test_begin("round: values and defaults");
	{
		pool_t pool = pool_alloconly_create("test", 1024);
		struct mus_round *round;

		test_assert(mus_round_parse(pool, "cn=r,dc=x", lookup,
			(void *)with("musWorkdayEnd", NULL), &rctx, &round, &error) == 0);
		test_assert(round->kind == MUS_ROUND_MUS);
		test_assert(round->state == MUS_ROUND_ACTIVE);
		test_assert(round->duration == 60 && round->buffer == 15);
		test_assert(round->workday_start == 8 * 60 + 30);
		test_assert(round->workday_end == MUS_ROUND_DEFAULT_WORKDAY_END);
		test_assert_strcmp(round->scope_base, "ou=people,dc=x");
		test_assert_strcmp(round->scope_filter, MUS_ROUND_DEFAULT_FILTER);
		test_assert(round->closed_count == 1);
		test_assert_strcmp(round->cards[0], "engagement");
		test_assert(round->cards[1] == NULL);
		test_assert(round->location == NULL);
		/* a Livsfaser card is refused in a group round */
		test_assert(mus_round_parse(pool, "cn=r,dc=x", lookup,
			(void *)with("musCard", "senior"), &rctx, &round, &error) == 0);
		test_assert(mus_round_parse(pool, "cn=r,dc=x", lookup,
			(void *)t_strsplit("cn=r|musKind=GRUS|musState=active|"
					   "musWindowStart=20270103230000Z|"
					   "musWindowEnd=20270226230000Z|musDuration=90|"
					   "musCard=senior", "|"),
			&rctx, &round, &error) == -1);
		test_assert(strstr(error, "not used in GRUS/TUS") != NULL);
		pool_unref(&pool);
	}
	mus_test_end();
	mus_cards_free(&cards);

	mus_test_begin("round: musKind values of a group");
	test_assert(mus_round_kind_name_is_group("GRUS"));
	test_assert(mus_round_kind_name_is_group("tus"));
	test_assert(!mus_round_kind_name_is_group("MUS"));
	test_assert(!mus_round_kind_name_is_group("LUS"));
	test_assert(!mus_round_kind_name_is_group("GRUSX"));
	test_assert(!mus_round_kind_name_is_group(""));
	test_assert(!mus_round_kind_name_is_group(NULL));
	mus_test_end();
}
