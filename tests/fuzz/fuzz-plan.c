/* libFuzzer target for reading development plans: every input goes to
   the reply reader as a plain body and as an HTML-only body, to the JSON
   reader, and its first line to the date reader. Built and run by
   `make fuzz`. */

#include "lib.h"
#include "mus-plan-text.h"
#include "mus-plan-json.h"
#include "mus-fuzz.h"

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
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		(void)mus_plan_text_parse(NULL, text, today, NULL, &problems, &plan);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		if (mus_plan_json_parse(data, size, today, NULL, &problems, &plan) < 0)
			(void)mus_plan_problems_format(&problems);
		(void)mus_plan_text_parse_date(nl == NULL ? text :
					       t_strdup_until(text, nl), &days);
		pool_unref(&pool);
	} T_END;
	return 0;
}
