/* libFuzzer target for competence mapping: the input up to its first
   empty line is a job profile's musCompetence values, one a line; the rest
   is an answer to the competence form, read as a plain and as an
   HTML-only body against that profile (or a fixed one, that of the
   replies in tests/data/competence/, when it is broken); every line is also read as a level. Built and run by
   `make fuzz`. */

#include "lib.h"
#include "array.h"
#include "mus-level.h"
#include "mus-profile.h"
#include "mus-competence-form.h"
#include "mus-fuzz.h"

static const char *const fixed_values[] = {
	"borgerkontakt | Borgerkontakt | Contact with citizens | Møder borgeren",
	"lovgivning | Lovgivning | Legislation | Serviceloven",
	"udredning | Udredning | Assessment",
	"dokumentation | Dokumentation | Records | Journal | notater",
	"fagsystem | Fagsystemer | Case systems",
	"samarbejde | Samarbejde | Cooperation",
	"prioritering | Prioritering af sager | Managing the caseload",
	NULL
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mus_fuzz_init();
	T_BEGIN {
		pool_t pool = pool_alloconly_create("fuzz competence", 1024);
		const char *text = t_strndup(data, size);
		const char *sep = strstr(text, "\n\n");
		const char *head = sep == NULL ? "" : t_strdup_until(text, sep);
		const char *body = sep == NULL ? text : sep + 2;
		const char *const *lines = t_strsplit(text, "\n");
		struct mus_profile *profile;
		struct mus_plan_problems problems;
		ARRAY_TYPE(mus_assessment_item) items;
		unsigned int level;

		profile = mus_profile_build(pool, "cn=fuzz,dc=x", "fuzz", NULL,
					    t_strsplit(head, "\n"));
		if (profile->problem != NULL)
			profile = mus_profile_build(pool, "cn=fixed,dc=x",
						    "fixed", NULL, fixed_values);
		(void)mus_competence_form_competences(profile, MUS_LANGUAGE_EN);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_DA);
		if (mus_competence_form_parse(body, NULL, profile, &problems,
					      &items) < 0)
			(void)mus_plan_problems_format(&problems);
		mus_plan_problems_init(&problems, pool, MUS_LANGUAGE_EN);
		(void)mus_competence_form_parse(NULL, body, profile, &problems,
						&items);
		for (unsigned int i = 0; lines[i] != NULL; i++)
			(void)mus_level_parse(lines[i], &level);
		(void)mus_competence_form_subject(lines[0]);
		pool_unref(&pool);
	} T_END;
	return 0;
}
