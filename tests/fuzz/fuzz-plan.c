/* libFuzzer target for reading development plans: every input goes to
   the reply reader as a plain body (of one employee's plan and of a
   team's) and as an HTML-only body, to the JSON reader (as a team's
   plan), and its first line to the date reader. Built and run by
   `make fuzz`. */

#include "lib.h"
#include "mus-plan-text.h"
#include "mus-plan-json.h"
#include "mus-fuzz.h"

static const char *const member_mails[] = { "anna@eksempel.test", NULL };
static const char *const no_mails[] = { NULL };
static const struct mus_plan_team_member members[] = {
	{ .dn = "uid=anna", .name = "Anna Berg", .mails = member_mails },
	{ .dn = "uid=bo", .name = "Bo Holm", .mails = no_mails },
	{ .dn = "uid=bo2", .name = "Bo Holm", .mails = no_mails },
};
static const struct mus_plan_team team = {
	.members = members, .count = N_ELEMENTS(members),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* 2027-02-03, the day of the seed corpus */
	const int today = 20852;

	mus_fuzz_init();
	T_BEGIN {
		pool_t pool = pool_alloconly_create("fuzz plan", 1024);
		const char *text = t_strndup(data, size);
		const char *nl = strchr(text, '\n');
		struct mus_plan_problems problems;
		struct mus_plan *plan;
		int days;

		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_DA);
		if (mus_plan_text_parse(text, NULL, today, NULL, &problems, &plan) < 0)
			(void)mus_plan_problems_format(&problems);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_DA);
		if (mus_plan_text_parse(text, NULL, today, &team, &problems, &plan) < 0)
			(void)mus_plan_problems_format(&problems);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		(void)mus_plan_text_parse(NULL, text, today, NULL, &problems, &plan);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		if (mus_plan_json_parse(data, size, today, &team, &problems, &plan) < 0)
			(void)mus_plan_problems_format(&problems);
		(void)mus_plan_text_parse_date(nl == NULL ? text :
					       t_strdup_until(text, nl), &days);
		pool_unref(&pool);
	} T_END;
	return 0;
}
