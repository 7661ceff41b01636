/* libFuzzer target for the validation of a round read from LDAP: every
   input is a musRound entry's values, one "attribute: value" per line
   (repeated for several values), given to mus_round_parse() with the
   card catalogue of ical-templates/. Built and run by `make fuzz`. */

#include "lib.h"
#include "array.h"
#include "mus-cards.h"
#include "mus-round.h"
#include "mus-fuzz.h"


static const char *const *fuzz_values(const char *attr, void *context)
{
	const char *const *lines = context;
	ARRAY_TYPE(const_string) values;
	size_t len = strlen(attr);

	t_array_init(&values, 4);
	for (unsigned int i = 0; lines[i] != NULL; i++) {
		if (strncasecmp(lines[i], attr, len) == 0 &&
		    lines[i][len] == ':') {
			const char *value = lines[i] + len + 1;

			if (*value == ' ')
				value++;
			array_push_back(&values, &value);
		}
	}
	array_append_zero(&values);
	return array_front(&values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mus_cards *cards = NULL;
	const char *error;

	mus_fuzz_init();
	if (cards == NULL) {
		if (mus_cards_load(MUS_FUZZ_TEMPLATES_DIR, &cards, &error) < 0)
			i_fatal("%s", error);
	}
	T_BEGIN {
		const struct mus_round_context rctx = {
			.people_base = "ou=people,dc=eksempel,dc=test",
			.timezone = "Europe/Copenhagen",
			.cards = cards,
		};
		pool_t pool = pool_alloconly_create("fuzz round", 1024);
		const char *const *lines =
			t_strsplit(t_strndup(data, size), "\n");
		struct mus_round *round;

		if (mus_round_parse(pool, "cn=fuzz,ou=rounds,dc=eksempel,dc=test",
				    fuzz_values, (void *)lines, &rctx, &round,
				    &error) == 0) {
			i_assert(round->window_start < round->window_end);
			i_assert(round->workday_start < round->workday_end);
		}
		pool_unref(&pool);
	} T_END;
	return 0;
}
